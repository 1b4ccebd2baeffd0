"""The HQ internet link: downloads in progress share it equally (processor sharing)."""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence

import simpy

from model.monitor import YearlyAccumulator

SECONDS_PER_DAY = 86_400.0
MEGABITS_PER_MB = 8.0


class SharedLink:
    """A link of ``usable_mbps`` shared equally by the downloads in progress.

    Each download also has a ceiling ``per_download_mbps`` (the sender's own
    upload rate).  Whenever a download starts or ends, every remaining transfer
    is re-timed, so a case's duration is its size over its share of the link.
    """

    def __init__(self, env: simpy.Environment, usable_mbps: float, per_download_mbps: float,
                 year_edges: Sequence[float]) -> None:
        self.env = env
        self.capacity = usable_mbps * SECONDS_PER_DAY  # megabits a day
        self.ceiling = per_download_mbps * SECONDS_PER_DAY
        self.traffic = YearlyAccumulator(year_edges)  # megabits moved
        self._active: dict[int, list] = {}  # id -> [megabits left, done event]
        self._ids = itertools.count()
        self._since = 0.0
        self._changed = env.event()
        env.process(self._run())

    def rate_each(self) -> float:
        """Megabits a day each active download receives now."""
        if not self._active:
            return 0.0
        return min(self.ceiling, self.capacity / len(self._active))

    def transfer(self, size_mb: float) -> simpy.Event:
        """Start a download; the returned event fires when it completes."""
        self._advance()
        done = self.env.event()
        self._active[next(self._ids)] = [size_mb * MEGABITS_PER_MB, done]
        if not self._changed.triggered:
            self._changed.succeed()
        return done

    def flush(self) -> None:
        """Bring the traffic of transfers still running up to the current time."""
        self._advance()

    def _advance(self) -> None:
        elapsed = self.env.now - self._since
        if elapsed > 0 and self._active:
            rate = self.rate_each()
            for job in self._active.values():
                job[0] -= rate * elapsed
            self.traffic.add(self._since, self.env.now, rate * len(self._active))
        self._since = self.env.now

    def _run(self) -> Generator[simpy.Event, object, None]:
        while True:
            rate = self.rate_each()
            if rate > 0:
                soonest = min(job[0] for job in self._active.values())
                yield self.env.timeout(max(soonest, 0.0) / rate) | self._changed
            else:
                yield self._changed
            if self._changed.triggered:
                self._changed = self.env.event()
            self._advance()
            tolerance = 1e-9 * max(self.capacity, 1.0)
            for key in [k for k, job in self._active.items() if job[0] <= tolerance]:
                self._active.pop(key)[1].succeed()
