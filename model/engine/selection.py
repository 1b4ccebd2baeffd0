"""The national queue of tip-offs waiting for HQ to select them for download.

Tip-offs enter the queue lazily: only when HQ next looks at it are the
arrivals up to that moment pushed on a heap.  A tip-off that waited past the
retention window is skipped when met; whether it lapsed, and when, follows
from its arrival day alone, so lapses are counted after the run without a
process or an event per tip-off.
"""

from __future__ import annotations

import bisect
import heapq
import itertools

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

    Keys are unique, so the order in which tip-offs leave depends only on the
    set of keys on the heap, never on how they were put there.
    """

    def __init__(self, arrival_day: np.ndarray, high_priority: np.ndarray,
                 discipline: QueueDiscipline, retention_days: float,
                 eligible: np.ndarray | None = None) -> None:
        self._arrival_list: list[float] = arrival_day.tolist()  # sorted: ids follow arrival
        self._count = len(arrival_day)
        self._discipline = discipline
        self._retention = retention_days
        self._offset = self._count + 1
        # every tip-off's key, computed at once rather than one call per admission
        ids = np.arange(self._count, dtype=np.int64)
        if discipline is QueueDiscipline.FIFO:
            keys = ids
        elif discipline is QueueDiscipline.NEWEST_FIRST:
            keys = -ids
        else:
            keys = np.where(high_priority, 0, self._offset) - ids
        # plain lists: admitting the few tip-offs that arrived since HQ last looked is then
        # a slice, not numpy calls that cost more than the work
        self._keys: list[int] = keys.tolist()
        # tip-offs that start the horizon past selection never enter the queue
        self._eligible: list[bool] | None = (
            None if eligible is None or eligible.all() else eligible.tolist())
        self._heap: list[int] = []
        self._admitted = 0

    @property
    def discipline(self) -> QueueDiscipline:
        """The queue discipline, which the states' queues follow too."""
        return self._discipline

    def _decode(self, key: int) -> int:
        if self._discipline is QueueDiscipline.FIFO:
            return key
        if self._discipline is QueueDiscipline.NEWEST_FIRST:
            return -key
        return (self._offset if key > 0 else 0) - key

    def admit(self, now: float) -> None:
        """Push every tip-off that has arrived by ``now``."""
        start = self._admitted
        # ids are in arrival order, so the new arrivals are the ones after the last
        # admitted: a bisection from there, not a search of the whole array
        end = bisect.bisect_right(self._arrival_list, now, lo=start)
        if end <= start:
            return
        self._admitted = end
        keys = self._keys[start:end]
        if self._eligible is not None:
            keys = list(itertools.compress(keys, self._eligible[start:end]))
        heap = self._heap
        if len(keys) > len(heap) // 4:  # a large batch (the backlog at the start): O(n)
            heap.extend(keys)
            heapq.heapify(heap)
        else:
            push = heapq.heappush
            for key in keys:
                push(heap, key)

    def pop(self, now: float) -> int | None:
        """Take the next tip-off still inside the retention window, or None."""
        if self._admitted < self._count and self._arrival_list[self._admitted] <= now:
            self.admit(now)  # else nothing new has arrived
        heap, arrival, retention = self._heap, self._arrival_list, self._retention
        decode = self._decode
        while heap:
            tipoff = decode(heapq.heappop(heap))
            if now - arrival[tipoff] <= retention:
                return tipoff
        return None

    def next_arrival_day(self) -> float:
        """Day of the next arrival not yet admitted (infinity when none remain)."""
        if self._admitted >= self._count:
            return float("inf")
        return self._arrival_list[self._admitted]
