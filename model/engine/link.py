"""The HQ internet link: downloads in progress share it equally (processor sharing)."""

from __future__ import annotations

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
        # the transfers in progress, in the order they started: megabits left, and what to
        # call when done (two plain lists: a pass over them is then a list comprehension)
        self._left: list[float] = []
        self._on_done: list[Done] = []
        self._since = 0.0
        self._tolerance = 1e-9 * max(self.capacity, 1.0)  # megabits: rounding, not data
        self._timer: simpy.Event | None = None  # the one completion timer still valid
        self._due = float("nan")  # the day it fires

    def rate_each(self) -> float:
        """Megabits a day each active download receives now."""
        if not self._left:
            return 0.0
        return min(self.ceiling, self.capacity / len(self._left))

    def transfer(self, size_mb: float) -> simpy.Event:
        """Start a download; the returned event fires when it completes."""
        done = self.env.event()
        self.start(size_mb, done.succeed)
        return done

    def start(self, size_mb: float, on_done: Done) -> None:
        """Start a download and call ``on_done()`` when it completes (no event, no process)."""
        # at once; another start at the same instant simply re-times again
        self._update(size_mb * MEGABITS_PER_MB, on_done)

    def flush(self) -> None:
        """Bring the traffic of transfers still running up to the current time."""
        self._advance()

    def abandon(self) -> None:
        """Drop the transfers still running when a run is over (see ``simulation.dismantle``)."""
        self._left.clear()
        self._on_done.clear()
        self._timer = None

    def _advance(self) -> None:
        sent = self._sent_each()
        if sent:  # taking 0.0 from what is left would leave it exactly as it was
            self._left = [left - sent for left in self._left]

    def _sent_each(self) -> float:
        """Megabits each transfer has received since the last update; count the traffic."""
        now = self.env.now
        elapsed = now - self._since
        count = len(self._left)
        sent = 0.0
        if elapsed > 0 and count:
            rate = min(self.ceiling, self.capacity / count)  # as rate_each()
            sent = rate * elapsed
            self.traffic.add(self._since, now, rate * count)
        self._since = now
        return sent

    def _on_timer(self, event: simpy.Event) -> None:
        if event is self._timer:  # a timer set before a later change is stale
            self._timer = None
            self._update()

    def _update(self, megabits: float | None = None, on_done: Done | None = None) -> None:
        """Advance to now, start a transfer of ``megabits``, complete what has been sent, re-time.

        Every transfer left receives the same megabits since the last update, one
        subtraction each, in the order they started; those with nothing left (to a
        rounding tolerance) complete, and the soonest of the rest is timed.
        """
        self._advance()
        left, tolerance = self._left, self._tolerance
        if on_done is not None and megabits is not None:
            left.append(megabits)
            self._on_done.append(on_done)
        soonest = min(left) if left else float("inf")  # of the transfers left to run
        callbacks: list[Done] = []
        if soonest <= tolerance:
            callbacks = self._remove_finished()
            soonest = min(self._left) if self._left else float("inf")
        self._retime(soonest)
        for done in callbacks:  # after re-timing: they may start new transfers
            done()

    def _remove_finished(self) -> list[Done]:
        """Take out the transfers completed (nothing left to send); their callbacks, in order."""
        tolerance, left, on_done = self._tolerance, self._left, self._on_done
        finished = [index for index, megabits in enumerate(left) if megabits <= tolerance]
        callbacks = [on_done[index] for index in finished]
        for index in reversed(finished):
            del left[index]
            del on_done[index]
        return callbacks

    def _retime(self, soonest: float) -> None:
        """Time the soonest completion, ``soonest`` megabits away (a new timer if its day moved)."""
        count = len(self._left)
        rate = min(self.ceiling, self.capacity / count) if count else 0.0  # rate_each()
        if rate > 0:
            delay = soonest / rate  # soonest > tolerance > 0: a transfer left to run
            env = self.env
            due = env.now + delay  # the day Environment.schedule() works out
            if self._timer is None or due != self._due:  # else the pending timer still holds
                timer = env.timeout(delay)
                timer.callbacks.append(self._on_timer)
                self._timer, self._due = timer, due
        else:
            self._timer = None


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

    def abandon(self) -> None:
        """Drop the requests still waiting when a run is over (see ``simulation.dismantle``)."""
        for waiting in self._waiting:
            waiting.callbacks = None  # type: ignore[assignment]  # their process goes with them
        self._waiting.clear()
