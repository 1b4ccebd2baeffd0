"""Staff pools: posts of one rank or team at one site, served by priority.

A pool has one unit per filled post: a post's unit joins the pool when its
holder starts.  A holder who leaves, or goes on a course, takes the unit back
with a token request of the highest priority, so work can only use the people
actually on duty, and a leaver or trainee finishes the task in hand first.

Why not ``simpy.PriorityResource``: it re-sorts its whole waiting list on every
request, and a state's investigation queue holds thousands of cases, which made
a replication cost minutes.  The pool keeps its waiting requests on a heap
instead, with the same semantics: lower priority number first, first come first
served within a priority, a freed unit handed straight to the next in line.
A unit that is free when asked for is granted at once (see :class:`Granted`),
without an event to schedule and a process to resume later.

Time on duty is busy (working), blocked (holding work the next stage cannot take
yet: a download-team member with a triaged tip-off and no free download slot) or
idle (waiting for work); the pool accumulates the first two and the on-duty time
per calendar year.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence

import simpy

from model.engine.monitor import YearlyAccumulator
from model.schema_base import CourseKind

TOKEN_PRIORITY = -1  # vacancies and courses come before any work
URGENT_PRIORITY = 0  # raids and device examinations (a suspect is waiting)
ROUTINE_PRIORITY = 1  # triage, review; a state's cases from here on (see processes.case_queue)

OnGranted = Callable[[simpy.Event], None]
"""Called with the grant event when a person is yours (see :meth:`StaffPool.request`)."""


class Granted(simpy.Event):
    """An event that has already happened: a process that yields it goes straight on.

    SimPy resumes a process at once, in the same step, when it yields an event
    already processed (``callbacks`` is ``None``).  Granting a free unit this
    way saves scheduling an event and resuming the process in a later step; the
    process carries on at the same simulated time, as it would have anyway,
    and nothing else can take the unit in between.  One instance can be shared:
    a processed event is never changed again.
    """

    def __init__(self, env: simpy.Environment) -> None:
        # The state Event.succeed() and Environment.step() would leave behind.
        self.env = env
        self.callbacks = None  # type: ignore[assignment]
        self._ok = True
        self._value = None


class StaffPool:
    """The people of one group at one site, and how much work they get through."""

    def __init__(self, env: simpy.Environment, name: str, posts: int, hours_per_day: float,
                 factors: dict[CourseKind, float], year_edges: Sequence[float]) -> None:
        self.env = env
        self.name = name
        self.posts = posts
        self.hours_per_day = hours_per_day
        self.factors = factors
        self._free = 0  # each post's unit enters through release() when its holder starts
        self._granted = Granted(env)
        # a waiting request's event (acquire) or callback (request)
        self._waiting: list[tuple[int, float, int, simpy.Event | OnGranted]] = []
        self._arrivals = itertools.count()
        self.filled = 0
        self.on_duty = 0
        self.trained: dict[CourseKind, int] = {kind: 0 for kind in CourseKind}
        self.busy = YearlyAccumulator(year_edges)
        self.blocked = YearlyAccumulator(year_edges)
        self.duty = YearlyAccumulator(year_edges)
        self._since = 0.0
        self._blocked_count = 0  # people holding work the next stage cannot take yet
        self._blocked_since = 0.0

    def acquire(self, priority: int, order: float | None = None) -> simpy.Event:
        """Ask for one person; the event fires when one is yours.

        Requests are served by lowest ``priority``, then lowest ``order``
        (default: now, first come first served), then first come.  A state's
        cases pass a priority and an order that put work in hand before new
        cases and follow the queue discipline (``processes.case_queue``).  A
        free unit is granted at once: the event returned has then already happened.
        """
        if self._free > 0:  # nobody can be waiting while a unit is free
            self._free -= 1
            return self._granted
        granted = simpy.Event(self.env)
        order = self.env.now if order is None else order
        heapq.heappush(self._waiting, (priority, order, next(self._arrivals), granted))
        return granted

    def request(self, priority: int, order: float, on_granted: OnGranted) -> None:
        """Ask for one person as :meth:`acquire` does, and call ``on_granted`` when one is yours.

        For a chain of callbacks (``processes.Review``) rather than a process: a free
        person is granted at once (``on_granted`` is called now, with an event that has
        already happened); otherwise only the callback waits, and the grant event is
        made when a person is handed over.  That event is scheduled exactly when
        :meth:`acquire`'s would be (an event takes its place in the event order when
        it is scheduled, not when it is made), so the two serve alike, and a long
        queue holds a tuple and a callback per request rather than an event as well.
        """
        if self._free > 0:
            self._free -= 1
            on_granted(self._granted)
        else:
            heapq.heappush(self._waiting, (priority, order, next(self._arrivals), on_granted))

    def release(self) -> None:
        """Give a person back: to the next in line, or to the free units."""
        if self._waiting:
            waiter = heapq.heappop(self._waiting)[3]
            if isinstance(waiter, simpy.Event):
                waiter.succeed()
            else:  # a callback (request): its grant event, made and scheduled now
                granted = simpy.Event(self.env)
                granted.callbacks.append(waiter)
                granted.succeed()
        else:
            self._free += 1

    def abandon(self) -> None:
        """Drop the requests still waiting when a run is over (see ``simulation.dismantle``)."""
        for *_, waiter in self._waiting:
            if isinstance(waiter, simpy.Event):
                waiter.callbacks = None  # type: ignore[assignment]  # their process goes with them
        self._waiting.clear()

    @property
    def queue_length(self) -> int:
        """Requests waiting for a person."""
        return len(self._waiting)

    def multiplier(self, kind: CourseKind | None) -> float:
        """Average speed-up (or success factor) from the trained share of the pool."""
        if kind is None or self.filled == 0:
            return 1.0
        trained_share = self.trained[kind] / self.filled
        return 1.0 + trained_share * (self.factors[kind] - 1.0)

    def work_days(self, effort_hours: float, kind: CourseKind | None) -> float:
        """Calendar days one person needs for ``effort_hours`` of work."""
        if self.hours_per_day <= 0:
            return float("inf")
        return effort_hours / (self.hours_per_day * self.multiplier(kind))

    def record_busy(self, days: float) -> None:
        """Count one person busy from now for ``days``."""
        self.busy.add(self.env.now, self.env.now + days)

    def record_blocked(self, delta: int) -> None:
        """One person starts (+1) or stops (-1) holding work the next stage cannot take yet.

        Counted as a level over time, as on-duty time is, so a wait still open
        at the end of the horizon is counted up to it (:meth:`close`).
        """
        self.blocked.add(self._blocked_since, self.env.now, self._blocked_count)
        self._blocked_since = self.env.now
        self._blocked_count += delta

    def change_duty(self, filled_delta: int, on_duty_delta: int) -> None:
        """People join (+), leave (-) or go on and come back from courses."""
        self.duty.add(self._since, self.env.now, self.on_duty)
        self._since = self.env.now
        self.filled += filled_delta
        self.on_duty += on_duty_delta

    def lose_one(self, draw: float) -> None:
        """A person leaves; with the trained share's chance they were trained."""
        for kind in CourseKind:
            if self.filled and draw < self.trained[kind] / self.filled:
                self.trained[kind] -= 1
        self.change_duty(-1, -1)

    def close(self, horizon_day: float) -> None:
        """Count on-duty and blocked time up to the end of the horizon."""
        self.duty.add(self._since, horizon_day, self.on_duty)
        self._since = horizon_day
        self.blocked.add(self._blocked_since, horizon_day, self._blocked_count)
        self._blocked_since = horizon_day
