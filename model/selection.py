"""The national queue of tip-offs waiting for HQ to select them for download.

Tip-offs enter the queue lazily: only when HQ next looks at it are the
arrivals up to that moment pushed on a heap.  A tip-off that waited past the
retention window is skipped when met; whether it lapsed, and when, follows
from its arrival day alone, so lapses are counted after the run without a
process or an event per tip-off.
"""

from __future__ import annotations

import heapq

import numpy as np

from model.scenario import QueueDiscipline


class SelectionQueue:
    """Tip-offs not yet selected, ordered by the scenario's queue discipline.

    Heap keys are plain integers that encode the tip-off id, which keeps the
    heap cheap at national volume:

    - ``fifo``: the id itself (ids follow arrival order), oldest first;
    - ``newest_first``: minus the id;
    - ``priority``: high-priority tip-offs before the rest; within a class the
      newest first, because an older IP record is less likely to be traceable.
    """

    def __init__(self, arrival_day: np.ndarray, high_priority: np.ndarray,
                 discipline: QueueDiscipline, retention_days: float,
                 eligible: np.ndarray | None = None) -> None:
        self._arrival = arrival_day
        self._arrival_list = arrival_day.tolist()
        self._count = len(arrival_day)
        self._high = high_priority.tolist()
        # tip-offs that start the horizon past selection never enter the queue
        self._eligible = None if eligible is None or eligible.all() else eligible.tolist()
        self._discipline = discipline
        self._retention = retention_days
        self._offset = self._count + 1
        self._heap: list[int] = []
        self._admitted = 0

    def _key(self, tipoff: int) -> int:
        if self._discipline is QueueDiscipline.FIFO:
            return tipoff
        if self._discipline is QueueDiscipline.NEWEST_FIRST:
            return -tipoff
        return (0 if self._high[tipoff] else self._offset) - tipoff

    def _decode(self, key: int) -> int:
        if self._discipline is QueueDiscipline.FIFO:
            return key
        if self._discipline is QueueDiscipline.NEWEST_FIRST:
            return -key
        return (self._offset if key > 0 else 0) - key

    def admit(self, now: float) -> None:
        """Push every tip-off that has arrived by ``now``."""
        end = int(np.searchsorted(self._arrival, now, side="right"))
        heap, push, eligible = self._heap, heapq.heappush, self._eligible
        for tipoff in range(self._admitted, end):
            if eligible is None or eligible[tipoff]:
                push(heap, self._key(tipoff))
        self._admitted = max(self._admitted, end)

    def pop(self, now: float) -> int | None:
        """Take the next tip-off still inside the retention window, or None."""
        self.admit(now)
        heap = self._heap
        while heap:
            tipoff = self._decode(heapq.heappop(heap))
            if now - self._arrival_list[tipoff] <= self._retention:
                return tipoff
        return None

    def next_arrival_day(self) -> float:
        """Day of the next arrival not yet admitted (infinity when none remain)."""
        if self._admitted >= self._count:
            return float("inf")
        return self._arrival_list[self._admitted]
