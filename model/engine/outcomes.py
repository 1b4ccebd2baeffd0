"""Outcome metrics of one replication, per scope (national and each state) and period.

Every count is of events whose day falls in the period ``[first, end)``.  The
flow identity holds by construction for every period and scope, because every
tip-off has exactly one outcome and one outcome day::

    initial_backlog + tipoffs_received = actioned + closed_no_action + lapsed
                                         + lapsed_after_selection + in_system_at_end

(``lapsed``: never selected within the retention window; ``lapsed_after_selection``:
selected and identified, but stale before its state started the casework.)  Actioned
splits exactly into ``raids + closed_after_investigation``.  The high-risk counts are
those of :func:`_risk_counts`: ``high_risk_due`` and ``high_risk_examined_within_target``
count tip-offs by the period they arrived in.

Utilisation splits each staff group's on-duty time into busy (working), blocked
(holding work the next stage cannot take yet) and idle (waiting for work); see
:func:`utilisation_shares`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from model.engine.initial_state import end_state_counts
from model.engine.ledger import Outcome, Stage
from model.engine.simulation import RunResult
from model.metrics import HQ, NATIONAL, WHOLE_HORIZON
from model.schema_base import STATE_CODES

STATES = len(STATE_CODES)


def replication_metrics(run: RunResult) -> pd.DataFrame:
    """Long table ``replication, year, scope, metric, value`` (year 0 = whole horizon)."""
    windows = [(WHOLE_HORIZON, 0.0, run.horizon_day)]
    edges = run.year_edges
    windows += [(year, edges[i], edges[i + 1]) for i, year in enumerate(run.years)]
    book = _Windows(run, [(first, end) for _, first, end in windows])
    counts = _window_counts(run, book)
    rows: list[tuple[int, int, str, str, float]] = []
    for index, (year, first, end) in enumerate(windows):
        years = slice(None) if year == WHOLE_HORIZON else slice(index - 1, index)
        window_counts = {metric: values[index] for metric, values in counts.items()}
        for scope, metric, value in _window_metrics(run, book, index, window_counts):
            rows.append((run.replication, year, scope, metric, value))
        for scope, metric, value in _utilisation(run, first, end, years):
            rows.append((run.replication, year, scope, metric, value))
    return pd.DataFrame(rows, columns=["replication", "year", "scope", "metric", "value"])


class _Windows:
    """Counts by window and state of a replication's tip-offs, every window in one pass.

    The windows' bounds cut the days into segments; each day is placed in its segment
    once (``segment``), and a window's count is the sum of its segments' counts, in
    whole numbers, so it equals counting ``first <= day < end`` window by window.
    A day before the first bound, on or after the last, or NaN falls in no window.
    """

    def __init__(self, run: RunResult, windows: list[tuple[float, float]]) -> None:
        self.state = run.tipoffs.state.astype(np.intp)
        self.bounds = np.array(sorted({day for window in windows for day in window}))
        # a window [first, end) is the segments from the first's bound to the end's
        self.spans = [(int(np.searchsorted(self.bounds, first)) + 1,
                       int(np.searchsorted(self.bounds, end)) + 1) for first, end in windows]
        self._codes: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id -> (days, codes)

    def segment(self, days: np.ndarray) -> np.ndarray:
        """Each day's segment: ``k`` for ``bounds[k - 1] <= day < bounds[k]``.

        0 lies before the first bound; ``len(bounds)`` on or after the last, or NaN.
        """
        return np.searchsorted(self.bounds, days, side="right")

    def within(self, days: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """``(windows, states)`` counts of the tip-offs (of ``mask``) whose day is in each."""
        known = self._codes.get(id(days))
        if known is None:  # the array is kept with its codes, so its id stays its own
            known = (days, self.segment(days) * STATES + self.state)
            self._codes[id(days)] = known
        codes = known[1]
        chosen = codes if mask is None else codes[mask]
        per_segment = np.bincount(chosen, minlength=(len(self.bounds) + 1) * STATES)
        per_segment = per_segment.reshape(-1, STATES)
        return np.array([per_segment[low:high].sum(axis=0) for low, high in self.spans],
                        dtype=float)

    def stock(self, days: np.ndarray, present: Callable[[float], np.ndarray]) -> np.ndarray:
        """``(windows, states)`` counts of ``present(day)`` at each window's ``days`` bound."""
        return np.array([
            np.bincount(self.state[present(day)], minlength=STATES).astype(float)
            for day in days])

    @property
    def firsts(self) -> np.ndarray:
        """The day each window begins."""
        return self.bounds[[low - 1 for low, _ in self.spans]]

    @property
    def ends(self) -> np.ndarray:
        """The day each window ends."""
        return self.bounds[[high - 1 for _, high in self.spans]]


def _window_counts(run: RunResult, book: _Windows) -> dict[str, np.ndarray]:
    """Every count metric as ``(windows, states)``: events in the window, stocks at its bounds."""
    tip, led = run.tipoffs, run.ledger
    outcome = led.outcome

    def stock_at_end(day: float) -> np.ndarray:
        return (tip.arrival_day < day) & ~(led.outcome_day < day)

    def backlog_at_end(day: float) -> np.ndarray:
        lapsed_before_end = (led.outcome_day < day) & (outcome == Outcome.LAPSED)
        return (tip.arrival_day < day) & ~(led.selected_day < day) & ~lapsed_before_end

    ended = led.outcome_day
    counts = {
        "tipoffs_received": book.within(tip.arrival_day),
        "local_reports_received": book.within(tip.arrival_day, tip.local_report),
        "selected_for_download": book.within(led.selected_day),
        "downloaded": book.within(led.downloaded_day),
        "reviewed": book.within(led.reviewed_day),
        "investigated": book.within(led.investigated_day),
        "raids": book.within(led.raid_day),
        "arrests": book.within(led.raid_day, led.arrested),
        "charges": book.within(led.charge_day),
        "lapsed": book.within(ended, outcome == Outcome.LAPSED),
        "lapsed_after_selection": book.within(ended, outcome == Outcome.LAPSED_AFTER_SELECTION),
        "closed_no_action": book.within(ended, outcome == Outcome.CLOSED_NO_ACTION),
        "actioned": book.within(ended, outcome == Outcome.ACTIONED),
        "initial_backlog": book.stock(book.firsts, stock_at_end),
        "in_system_at_end": book.stock(book.ends, stock_at_end),
        "backlog_at_end": book.stock(book.ends, backlog_at_end),
    }
    counts.update(_risk_counts(run, book))
    return counts


def _window_metrics(run: RunResult, book: _Windows, index: int,
                    counts: dict[str, np.ndarray]) -> Iterable[tuple[str, str, float]]:
    """One window's counts, shares and waits: national first, then each state."""
    for metric, values in counts.items():
        yield NATIONAL, metric, float(values.sum())
        for code, value in zip(STATE_CODES, values, strict=True):
            yield code, metric, float(value)
    for share, part, whole in (
            ("downloaded_share", "downloaded", "tipoffs_received"),
            ("high_risk_within_target_share", "high_risk_examined_within_target",
             "high_risk_due")):
        yield NATIONAL, share, _ratio(counts[part].sum(), counts[whole].sum())
        for code, got, came in zip(STATE_CODES, counts[part], counts[whole], strict=True):
            yield code, share, _ratio(got, came)

    tip, led = run.tipoffs, run.ledger
    low, high = book.spans[index]
    downloads = _by_scope(led.downloaded_day - tip.arrival_day, tip.state,
                          _in_span(book.segment(led.downloaded_day), low, high))
    raids = _by_scope(led.raid_day - tip.arrival_day, tip.state,
                      _in_span(book.segment(led.raid_day), low, high))
    for scope, waits, raid_waits in zip([NATIONAL, *STATE_CODES], downloads, raids, strict=True):
        yield scope, "days_to_download_mean", _mean(waits)
        p90 = float(np.percentile(waits, 90)) if waits.size else np.nan
        yield scope, "days_to_download_p90", p90
        yield scope, "days_to_raid_mean", _mean(raid_waits)


def _in_span(segments: np.ndarray, low: int, high: int) -> np.ndarray:
    return (segments >= low) & (segments < high)


def _by_scope(values: np.ndarray, state: np.ndarray, chosen: np.ndarray) -> list[np.ndarray]:
    """``values[chosen]``, then those of each state, each in tip-off order (as masks give)."""
    picked, states = values[chosen], state[chosen]
    order = np.argsort(states, kind="stable")  # stable: tip-off order within a state
    bounds = np.searchsorted(states[order], np.arange(STATES + 1))
    ordered = picked[order]
    return [picked] + [ordered[bounds[number]:bounds[number + 1]] for number in range(STATES)]


def _risk_counts(run: RunResult, book: _Windows) -> dict[str, np.ndarray]:
    """Closures after investigation, and what became of the high-risk tip-offs, by state.

    ``closed_after_investigation``: actioned without a raid, at the outcome day, so that
    ``actioned == raids + closed_after_investigation`` in every window (a raid closes its
    case as actioned on the raid's day).  A high-risk tip-off is *due* in the window it
    arrived in when its target day (arrival + ``high_risk_target_days``) falls inside the
    horizon, and *examined within target* when also examined (its HQ review over) by
    that day: one whose target day is past the horizon cannot yet be called late or on
    time, so it counts in neither.
    """
    tip, led = run.tipoffs, run.ledger
    high = tip.high_priority
    target_day = tip.arrival_day + run.high_risk_target_days
    due = high & (target_day < run.horizon_day)
    lapses = (led.outcome == Outcome.LAPSED) | (led.outcome == Outcome.LAPSED_AFTER_SELECTION)
    return {
        "closed_after_investigation": book.within(
            led.outcome_day, (led.outcome == Outcome.ACTIONED) & np.isnan(led.raid_day)),
        "high_risk_received": book.within(tip.arrival_day, high),
        "high_risk_examined": book.within(led.examined_day, high),
        "high_risk_due": book.within(tip.arrival_day, due),
        "high_risk_examined_within_target": book.within(
            tip.arrival_day, due & (led.examined_day <= target_day)),
        "high_risk_lapsed": book.within(led.outcome_day, high & lapses),
    }


def _utilisation(run: RunResult, first: float, end: float,
                 years: slice) -> Iterable[tuple[str, str, float]]:
    def share(names: list[str]) -> float:
        busy = sum(sum(run.pools[name].busy[years]) for name in names)
        duty = sum(sum(run.pools[name].duty[years]) for name in names)
        return _ratio(busy, duty)

    capacity = run.link_capacity_per_day * (end - first)
    yield NATIONAL, "utilisation_bandwidth", _ratio(sum(run.link_traffic[years]), capacity)
    yield NATIONAL, "utilisation_hq_download_team", share(["hq.download_team"])
    yield NATIONAL, "utilisation_hq_forensic_team", share(["hq.forensic_team"])
    for group in ("officers", "lower_ranks"):
        yield NATIONAL, f"utilisation_{group}", share([f"{c}.{group}" for c in STATE_CODES])
        for code in STATE_CODES:
            yield code, f"utilisation_{group}", share([f"{code}.{group}"])


STAFF_GROUPS = ("officers", "lower_ranks")
"""A state's staff groups, as pools are named (``SGR.officers``)."""


def utilisation_shares(run: RunResult) -> pd.DataFrame:
    """``replication, scope, group, busy, blocked, idle`` over the whole horizon.

    Shares of on-duty time (of the line: of its usable capacity), which add up to
    one in every row; a group with no on-duty time in the run has NaN shares.
    Rows: ``hq`` download team, forensic team and line, then each staff group of
    all states together (``national``) and of each state.  The line's busy share
    is its traffic over its usable capacity; no later stage can hold a download
    back, so it is never blocked.
    """
    def shares(scope: str, group: str, names: list[str]) -> tuple[str, str, float, float]:
        pools = [run.pools[name] for name in names]
        available = sum(sum(pool.duty) for pool in pools)
        return (scope, group, _ratio(sum(sum(pool.busy) for pool in pools), available),
                _ratio(sum(sum(pool.blocked) for pool in pools), available))

    capacity = run.link_capacity_per_day * run.horizon_day
    rows = [shares(HQ, "download_team", ["hq.download_team"]),
            shares(HQ, "forensic_team", ["hq.forensic_team"]),
            (HQ, "line", _ratio(sum(run.link_traffic), capacity), 0.0 if capacity > 0 else np.nan)]
    rows += [shares(NATIONAL, group, [f"{code}.{group}" for code in STATE_CODES])
             for group in STAFF_GROUPS]
    rows += [shares(code, group, [f"{code}.{group}"])
             for code in STATE_CODES for group in STAFF_GROUPS]
    frame = pd.DataFrame(rows, columns=["scope", "group", "busy", "blocked"])
    # Busy and blocked never exceed on-duty time; sums of many intervals can, by a rounding
    # error (1e-16), which would show as a negative idle share.
    frame["busy"] = np.minimum(frame["busy"], 1.0 - frame["blocked"])
    frame["idle"] = (1.0 - frame["busy"] - frame["blocked"]).clip(lower=0.0)
    frame.insert(0, "replication", run.replication)
    return frame


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else np.nan


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else np.nan


DELAY_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def month_starts(start: dt.date, horizon_day: float) -> list[tuple[str, float]]:
    """``(YYYY-MM, day)`` of each month's first day within the horizon, then the end."""
    months, year, month = [], start.year, start.month
    while True:
        first = max(dt.date(year, month, 1), start)
        day = float((first - start).days)
        if day >= horizon_day:
            break
        months.append((f"{year:04d}-{month:02d}", day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*months, ("end", horizon_day)]


def monthly_series(run: RunResult) -> pd.DataFrame:
    """National ``replication, month, metric, value``: monthly flows and month-end stocks."""
    tip, led = run.tipoffs, run.ledger
    months = month_starts(run.start_date, run.horizon_day)
    edges = np.array([day for _, day in months])

    def per_month(days: np.ndarray) -> np.ndarray:
        # np.histogram(days[finite], bins=edges)[0], without its sort: bins [e_i, e_i+1),
        # the last one closed; days outside the edges (and NaN) in no bin
        days = days[np.isfinite(days)]
        counts = np.bincount(np.searchsorted(edges, days, side="right"),
                             minlength=len(edges) + 1)[1:len(edges)]
        counts[-1] += np.count_nonzero(days == edges[-1])
        return counts.astype(float)

    outcome_days = led.outcome_day
    lapse_days = np.where(led.outcome == Outcome.LAPSED, outcome_days, np.nan)
    series = {
        "tipoffs_received": per_month(tip.arrival_day),
        "downloaded": per_month(led.downloaded_day),
        "lapsed": per_month(lapse_days),
        "lapsed_after_selection": per_month(
            np.where(led.outcome == Outcome.LAPSED_AFTER_SELECTION, outcome_days, np.nan)),
        "actioned": per_month(np.where(led.outcome == Outcome.ACTIONED, outcome_days, np.nan)),
        "raids": per_month(led.raid_day),
    }
    month_ends = edges[1:]
    awaiting = tip.stage_at_start == Stage.AWAITING_SELECTION

    def before(days: np.ndarray) -> np.ndarray:
        # how many (finite) days lie before each month's end, without sorting the days:
        # a day is before ends[j] exactly when no more than j ends are on or before it
        ends_passed = np.searchsorted(month_ends, days[np.isfinite(days)], side="right")
        per_count = np.bincount(ends_passed, minlength=len(month_ends) + 1)
        return np.cumsum(per_count)[:len(month_ends)].astype(float)

    # stocks at each month's end: everything that arrived before it, less what left
    series["in_system_at_end"] = before(tip.arrival_day) - before(outcome_days)
    series["backlog_at_end"] = (before(tip.arrival_day[awaiting])
                                - before(led.selected_day) - before(lapse_days))
    labels = [label for label, _ in months[:-1]]
    frames = [
        pd.DataFrame({"replication": run.replication, "month": labels, "metric": metric,
                      "value": values})
        for metric, values in series.items()
    ]
    return pd.concat(frames, ignore_index=True)


def delay_quantiles(run: RunResult) -> pd.DataFrame:
    """National ``replication, stage, quantile, value``: days from arrival to download and raid."""
    tip, led = run.tipoffs, run.ledger
    rows = []
    for stage, days in (("download", led.downloaded_day), ("raid", led.raid_day)):
        waits = (days - tip.arrival_day)[np.isfinite(days)]
        for quantile in DELAY_QUANTILES:
            value = float(np.quantile(waits, quantile)) if waits.size else np.nan
            rows.append((run.replication, stage, quantile, value))
    return pd.DataFrame(rows, columns=["replication", "stage", "quantile", "value"])


def end_state(run: RunResult) -> pd.DataFrame:
    """``replication`` plus the counts still in the pipeline at the end (see initial_state)."""
    tip, led = run.tipoffs, run.ledger
    counts = end_state_counts(tip.arrival_day, tip.state, tip.stage_at_start, led.selected_day,
                              led.reviewed_day, led.investigated_day, led.outcome,
                              run.horizon_day)
    counts.insert(0, "replication", run.replication)
    return counts
