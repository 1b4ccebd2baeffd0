"""The case book: what happened to every tip-off, as columns indexed by tip-off id."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np


class Outcome(enum.IntEnum):
    """Where a tip-off's journey ended (exactly one per tip-off)."""

    IN_SYSTEM = 0
    ACTIONED = 1
    CLOSED_NO_ACTION = 2
    LAPSED = 3  # never selected within the retention window
    LAPSED_AFTER_SELECTION = 4  # identified, but stale before its state started the casework


class Closure(enum.IntEnum):
    """Why a tip-off was closed without action."""

    NONE = 0
    DOWNLOAD_FAILED = 1
    NOT_IDENTIFIED = 2
    NOT_ACTIONABLE = 3


class Stage(enum.IntEnum):
    """Where a tip-off stands in the pipeline when the horizon starts (or ends)."""

    AWAITING_SELECTION = 0
    AWAITING_REVIEW = 1
    AWAITING_INVESTIGATION = 2
    AWAITING_RAID = 3


@dataclass
class Ledger:
    """Event days per tip-off (NaN: did not happen within the horizon)."""

    selected_day: np.ndarray
    downloaded_day: np.ndarray
    reviewed_day: np.ndarray  # the subscriber wait after the review is over: identified or not
    examined_day: np.ndarray  # the HQ reviewer finished (downloaded and reviewed)
    casework_day: np.ndarray  # the state started the casework (from then on it is not stale)
    investigated_day: np.ndarray
    raid_day: np.ndarray
    charge_day: np.ndarray
    outcome_day: np.ndarray
    outcome: np.ndarray
    closure: np.ndarray
    arrested: np.ndarray

    @classmethod
    def empty(cls, count: int) -> Ledger:
        """A ledger for ``count`` tip-offs where nothing has happened yet."""
        def days() -> np.ndarray:
            return np.full(count, np.nan)
        return cls(
            selected_day=days(), downloaded_day=days(), reviewed_day=days(),
            examined_day=days(), casework_day=days(), investigated_day=days(), raid_day=days(),
            charge_day=days(), outcome_day=days(),
            outcome=np.zeros(count, dtype=np.int8), closure=np.zeros(count, dtype=np.int8),
            arrested=np.zeros(count, dtype=bool),
        )

    def close(self, tipoff: int, day: float, outcome: Outcome,
              closure: Closure = Closure.NONE) -> None:
        """Record the single outcome of a tip-off."""
        # Plain ints, not the enums: comparing a numpy int8 with an IntEnum costs
        # microseconds, and this runs for every closed case (IN_SYSTEM is 0).
        if self.outcome[tipoff]:
            raise RuntimeError(f"tip-off {tipoff} already has an outcome")
        self.outcome[tipoff] = int(outcome)
        self.outcome_day[tipoff] = day
        self.closure[tipoff] = int(closure)

    def settle_lapses(self, arrival_day: np.ndarray, awaiting_selection: np.ndarray,
                      retention_days: float, horizon_day: float) -> None:
        """Mark as lapsed every tip-off never selected whose window closed in the horizon.

        ``awaiting_selection`` excludes tip-offs that started the horizon further
        down the pipeline (they were selected before it began).
        """
        lapse_day = arrival_day + retention_days
        lapsed = awaiting_selection & np.isnan(self.selected_day) & (lapse_day < horizon_day)
        self.outcome[lapsed] = Outcome.LAPSED
        self.outcome_day[lapsed] = lapse_day[lapsed]

    def settle_stale(self, arrival_day: np.ndarray, at_state_at_start: np.ndarray,
                     stale_after_days: float, horizon_day: float) -> None:
        """Close every case still waiting for its state's casework that went stale in the horizon.

        A case waits at its state from its review (or, for ``at_state_at_start``,
        from before the horizon) until the casework starts.  Whether it went stale,
        and when, follows from its days alone (:func:`stale_day`), so the cases
        nobody reached by the horizon are closed here, on the day the process
        would have closed them, whatever day a worker would have looked.
        """
        waiting = ((self.outcome == Outcome.IN_SYSTEM) & np.isnan(self.casework_day)
                   & (np.isfinite(self.reviewed_day) | at_state_at_start))
        stale = waiting & (arrival_day + stale_after_days < horizon_day)
        self.outcome[stale] = Outcome.LAPSED_AFTER_SELECTION
        self.outcome_day[stale] = stale_day(arrival_day[stale], self.reviewed_day[stale],
                                            stale_after_days)


def stale_day(arrival_day: np.ndarray | float, reviewed_day: np.ndarray | float,
              stale_after_days: float) -> np.ndarray | float:
    """The day a case waiting for casework lapses: when its evidence went stale.

    That is ``stale_after_days`` after it arrived, or, for a case already that old
    when its review sent it to the state, the day of the review (a case cannot
    lapse at a state before it got there).  A case at its state when the horizon
    started (``reviewed_day`` NaN) lapses on its stale day even if that was
    before the start, as a tip-off from the starting state lapses at selection.
    """
    return np.fmax(np.add(arrival_day, stale_after_days), reviewed_day)
