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
    rows: list[tuple[int, int, str, str, float]] = []
    for index, (year, first, end) in enumerate(windows):
        years = slice(None) if year == WHOLE_HORIZON else slice(index - 1, index)
        for scope, metric, value in _window_metrics(run, first, end, years):
            rows.append((run.replication, year, scope, metric, value))
    return pd.DataFrame(rows, columns=["replication", "year", "scope", "metric", "value"])


def _window_metrics(run: RunResult, first: float, end: float,
                    years: slice) -> Iterable[tuple[str, str, float]]:
    tip, led = run.tipoffs, run.ledger
    state = tip.state

    def within(days: np.ndarray) -> np.ndarray:
        return (days >= first) & (days < end)

    def by_state(mask: np.ndarray) -> np.ndarray:
        return np.bincount(state[mask], minlength=STATES).astype(float)

    ended_before_first = led.outcome_day < first
    ended_before_end = led.outcome_day < end
    outcome_in = within(led.outcome_day)
    lapsed_before_end = ended_before_end & (led.outcome == Outcome.LAPSED)
    not_selected = ~(led.selected_day < end)
    counts = {
        "tipoffs_received": by_state(within(tip.arrival_day)),
        "local_reports_received": by_state(within(tip.arrival_day) & tip.local_report),
        "selected_for_download": by_state(within(led.selected_day)),
        "downloaded": by_state(within(led.downloaded_day)),
        "reviewed": by_state(within(led.reviewed_day)),
        "investigated": by_state(within(led.investigated_day)),
        "raids": by_state(within(led.raid_day)),
        "arrests": by_state(within(led.raid_day) & led.arrested),
        "charges": by_state(within(led.charge_day)),
        "lapsed": by_state(outcome_in & (led.outcome == Outcome.LAPSED)),
        "lapsed_after_selection": by_state(
            outcome_in & (led.outcome == Outcome.LAPSED_AFTER_SELECTION)),
        "closed_no_action": by_state(outcome_in & (led.outcome == Outcome.CLOSED_NO_ACTION)),
        "actioned": by_state(outcome_in & (led.outcome == Outcome.ACTIONED)),
        "initial_backlog": by_state((tip.arrival_day < first) & ~ended_before_first),
        "in_system_at_end": by_state((tip.arrival_day < end) & ~ended_before_end),
        "backlog_at_end": by_state((tip.arrival_day < end) & not_selected & ~lapsed_before_end),
    }
    counts.update(_risk_counts(run, within, outcome_in, by_state))
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

    downloaded = within(led.downloaded_day)
    wait_download = led.downloaded_day - tip.arrival_day
    raided = within(led.raid_day)
    wait_raid = led.raid_day - tip.arrival_day
    scopes = [(NATIONAL, np.ones(len(state), dtype=bool))]
    scopes += [(code, state == number) for number, code in enumerate(STATE_CODES)]
    for scope, members in scopes:
        waits = wait_download[downloaded & members]
        yield scope, "days_to_download_mean", _mean(waits)
        p90 = float(np.percentile(waits, 90)) if waits.size else np.nan
        yield scope, "days_to_download_p90", p90
        yield scope, "days_to_raid_mean", _mean(wait_raid[raided & members])

    yield from _utilisation(run, first, end, years)


def _risk_counts(run: RunResult, within: Callable[[np.ndarray], np.ndarray],
                 outcome_in: np.ndarray, by_state: Callable[[np.ndarray], np.ndarray]
                 ) -> dict[str, np.ndarray]:
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
    due = high & within(tip.arrival_day) & (target_day < run.horizon_day)
    lapses = (led.outcome == Outcome.LAPSED) | (led.outcome == Outcome.LAPSED_AFTER_SELECTION)
    return {
        "closed_after_investigation": by_state(
            outcome_in & (led.outcome == Outcome.ACTIONED) & np.isnan(led.raid_day)),
        "high_risk_received": by_state(high & within(tip.arrival_day)),
        "high_risk_examined": by_state(high & within(led.examined_day)),
        "high_risk_due": by_state(due),
        "high_risk_examined_within_target": by_state(due & (led.examined_day <= target_day)),
        "high_risk_lapsed": by_state(high & outcome_in & lapses),
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
        return np.histogram(days[np.isfinite(days)], bins=edges)[0].astype(float)

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
        ordered = np.sort(days[np.isfinite(days)])
        return np.searchsorted(ordered, month_ends, side="left").astype(float)

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
