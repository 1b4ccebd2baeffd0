"""The HQ internet link: downloads in progress share it equally (processor sharing)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Sequence

import simpy

from model.engine.monitor import YearlyAccumulator
from model.engine.staff import Granted

SECONDS_PER_DAY = 86_400.0
MEGABITS_PER_MB = 8.0

Done = Callable[[], object]
"""Called (with no argument) when a transfer has completed."""


class SharedLink:
    """A link of ``usable_mbps`` shared equally by the downloads in progress.

    Each download also has a ceiling ``per_download_mbps`` (the sender's own
    upload rate).  Whenever a download starts or ends, every remaining transfer
    is re-timed, so a case's duration is its size over its share of the link.

    The link is driven by event callbacks rather than by a SimPy process: a
    process waiting on ``timeout | changed`` built a ``Condition`` and resumed a
    generator at every start and end of a download, which cost more than the
    downloads themselves.  The timing is the same: at every start and every
    completion the soonest completion is timed afresh from that moment (a new
    timer only when the day it falls on changes), and a timer set before a
    later change is ignored when it fires.
    """

    def __init__(self, env: simpy.Environment, usable_mbps: float, per_download_mbps: float,
                 year_edges: Sequence[float]) -> None:
        self.env = env
        self.capacity = usable_mbps * SECONDS_PER_DAY  # megabits a day
        self.ceiling = per_download_mbps * SECONDS_PER_DAY
        self.traffic = YearlyAccumulator(year_edges)  # megabits moved
        self._active: dict[int, list] = {}  # id -> [megabits left, on_done]
        self._ids = itertools.count()
        self._since = 0.0
        self._tolerance = 1e-9 * max(self.capacity, 1.0)  # megabits: rounding, not data
        self._timer: simpy.Event | None = None  # the one completion timer still valid
        self._due = float("nan")  # the day it fires

    def rate_each(self) -> float:
        """Megabits a day each active download receives now."""
        if not self._active:
            return 0.0
        return min(self.ceiling, self.capacity / len(self._active))

    def transfer(self, size_mb: float) -> simpy.Event:
        """Start a download; the returned event fires when it completes."""
        done = self.env.event()
        self.start(size_mb, done.succeed)
        return done

    def start(self, size_mb: float, on_done: Done) -> None:
        """Start a download and call ``on_done()`` when it completes (no event, no process)."""
        self._advance()
        self._active[next(self._ids)] = [size_mb * MEGABITS_PER_MB, on_done]
        self._settle()  # at once; another start at the same instant simply re-times again

    def flush(self) -> None:
        """Bring the traffic of transfers still running up to the current time."""
        self._advance()

    def _advance(self) -> None:
        now = self.env.now
        elapsed = now - self._since
        active = self._active
        if elapsed > 0 and active:
            rate = min(self.ceiling, self.capacity / len(active))  # as rate_each()
            for job in active.values():
                job[0] -= rate * elapsed
            self.traffic.add(self._since, now, rate * len(active))
        self._since = now

    def _on_timer(self, event: simpy.Event) -> None:
        if event is self._timer:  # a timer set before a later change is stale
            self._timer = None
            self._advance()
            self._settle()

    def _settle(self) -> None:
        """Complete what has been sent by now, then time the next completion."""
        active, tolerance = self._active, self._tolerance
        finished: list[int] = []
        soonest = float("inf")  # megabits left of the transfer that will end first
        for key, job in active.items():
            left = job[0]
            if left <= tolerance:
                finished.append(key)
            elif left < soonest:
                soonest = left
        callbacks = [active.pop(key)[1] for key in finished]
        rate = min(self.ceiling, self.capacity / len(active)) if active else 0.0  # rate_each()
        if rate > 0:
            delay = max(soonest, 0.0) / rate
            due = self.env.now + delay  # the day Environment.schedule() works out
            if self._timer is None or due != self._due:  # else the pending timer still holds
                timer = self.env.timeout(delay)
                timer.callbacks.append(self._on_timer)
                self._timer, self._due = timer, due
        else:
            self._timer = None
        for on_done in callbacks:  # after re-timing: they may start new transfers
            on_done()


class DownloadSlots:
    """The downloads HQ can run at once (workstations, tools), first come first served.

    What ``simpy.Resource`` does for this use, without its request and release
    events: a free slot is granted at once (:class:`~model.engine.staff.Granted`), and a
    released slot goes straight to the longest waiting request.
    """

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self._free = capacity
        self._waiting: deque[simpy.Event] = deque()
        self._granted = Granted(env)

    def request(self) -> simpy.Event:
        """Ask for a slot; the event fires when one is yours (at once if one is free)."""
        if self._free > 0:  # nobody can be waiting while a slot is free
            self._free -= 1
            return self._granted
        waiting = simpy.Event(self.env)
        self._waiting.append(waiting)
        return waiting

    def release(self) -> None:
        """Give a slot back: to the longest waiting request, or to the free slots."""
        if self._waiting:
            self._waiting.popleft().succeed()
        else:
            self._free += 1

    @property
    def queue_length(self) -> int:
        """Requests waiting for a slot."""
        return len(self._waiting)
