"""Time-weighted accumulators split by calendar year (busy time, on-duty time, traffic)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


class YearlyAccumulator:
    """Adds ``weight x length`` of intervals into the calendar years they overlap.

    ``edges`` are the day numbers where years begin, followed by the horizon's
    end; work past the end of the horizon is not counted.
    """

    __slots__ = ("_year", "edges", "totals")

    def __init__(self, edges: Sequence[float]) -> None:
        self.edges = list(edges)
        self.totals = [0.0] * (len(self.edges) - 1)
        self._year = 0  # the year last added to: the next interval is most likely in it too

    def add(self, start: float, end: float, weight: float = 1.0) -> None:
        """Add ``weight`` per day over ``[start, end)``."""
        if end <= start or weight == 0.0:
            return
        edges, year = self.edges, self._year
        # Fast path (called for every task): the interval lies inside the year of the
        # last one.  It adds exactly what the general loop below would add.
        if year < len(self.totals) and edges[year] <= start and end <= edges[year + 1]:
            self.totals[year] += weight * (end - start)
            return
        index = max(bisect.bisect_right(edges, start) - 1, 0)
        self._year = index
        while index < len(self.totals) and start < end:
            segment_end = min(end, edges[index + 1])
            if segment_end > start:
                self.totals[index] += weight * (segment_end - start)
            start = segment_end
            index += 1

    @property
    def total(self) -> float:
        """Sum over the whole horizon."""
        return sum(self.totals)
