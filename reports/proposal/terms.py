"""The terms the plan was chosen under, read from the run: objective, service levels, budget.

``run.json``'s ``plan`` records what the optimiser was asked (``objective``, ``budget``,
``service_levels`` with each floor's value); the scenario's ``optimise`` section is read
where the record lacks a field.  Whether a service level *holds* is judged here from the
simulation, not taken from the optimiser: a floor relative to the status quo against the
paired difference (``paired_diff.csv``, this plan minus the status quo, with its 95 %
interval), an absolute floor against the plan's own interval; a floor on a state against
the state's row of ``summary.csv``, unpaired.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.metrics import NATIONAL
from reports.proposal.data import ProposalData
from reports.proposal.wording import STATUS_QUO


class Holds(enum.StrEnum):
    """Whether a service level holds in the simulation."""

    HOLDS = "holds"
    """The whole interval lies at or above the floor."""
    NOT_SHOWN = "not shown"
    """The interval reaches below the floor: it may or may not hold."""
    BREACHED = "breached"
    """The whole interval lies below the floor."""
    UNKNOWN = "unknown"
    """The folder lacks the figures to tell."""


@dataclass(frozen=True)
class ServiceLevel:
    """One floor the plan had to keep, and how the simulation says it did.

    Attributes
    ----------
    metric, scope : str
        The outcome and where (``national`` or a state code).
    floor : float
        The floor as the scenario states it: a fraction of the status quo's value when
        ``relative`` is true, else an absolute value (a share in [0, 1] for shares).
    relative : bool
        Whether the floor is relative to the status quo.
    floor_value : float
        The floor in the metric's unit (NaN where the record lacks it).
    mean, low, high : float
        This plan's value and interval.
    difference, diff_low, diff_high : float
        This plan minus the status quo, paired, with its interval (NaN where not paired).
    paired : bool
        Whether :attr:`holds` was judged on the paired difference.
    holds : Holds
        The judgement.
    met : bool or None
        What the optimiser recorded, for reference.
    note : str
        The scenario's note on the floor.
    """

    metric: str
    scope: str
    floor: float
    relative: bool
    floor_value: float
    mean: float
    low: float
    high: float
    difference: float
    diff_low: float
    diff_high: float
    paired: bool
    holds: Holds
    met: bool | None
    note: str


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def optimise_section(data: ProposalData) -> dict[str, Any]:
    """The scenario's ``optimise`` section (empty when absent)."""
    return data.scenario.get("optimise") or {}


def objective_weights(data: ProposalData) -> dict[str, float]:
    """The objective as metric -> weight: ``{"raids": 1.0}`` for a single outcome.

    Read from ``run.json``'s ``plan.objective`` (either the weights themselves or
    ``{"weights": ...}``), else the scenario's ``optimise.objective``; empty when neither
    says (a run written before objectives were chosen, which counted actioned tip-offs).
    """
    for source in (data.plan.get("objective"), optimise_section(data).get("objective")):
        if isinstance(source, str) and source:
            return {source: 1.0}
        if isinstance(source, Mapping):
            weights = source.get("weights", source)
            if isinstance(weights, Mapping):
                found = {str(k): _float(v) for k, v in weights.items()
                         if not math.isnan(_float(v))}
                if found:
                    return found
            if isinstance(source.get("metric"), str):
                return {str(source["metric"]): 1.0}
    return {}


def objective_note(data: ProposalData) -> str:
    """The note the scenario gives its objective's weights, if any."""
    for source in (data.plan.get("objective"), optimise_section(data).get("objective")):
        if isinstance(source, Mapping) and source.get("note"):
            return str(source["note"])
    return ""


def budget_terms(data: ProposalData) -> dict[str, Any]:
    """The two-part budget: ``one_off_rm``, ``annual_rm``, ``recurring_from_one_off``, ...

    ``run.json``'s ``plan.budget`` over the scenario's ``optimise.budget``; empty for a run
    whose budget was one envelope (``budget_rm``).
    """
    recorded = data.plan.get("budget")
    stated = optimise_section(data).get("budget")
    terms: dict[str, Any] = dict(stated) if isinstance(stated, Mapping) else {}
    if isinstance(recorded, Mapping):
        terms |= {k: v for k, v in recorded.items() if v is not None}
    return terms


def _judge(low: float, high: float, threshold: float) -> Holds:
    if any(math.isnan(v) for v in (low, high, threshold)):
        return Holds.UNKNOWN
    if low >= threshold:
        return Holds.HOLDS
    return Holds.BREACHED if high < threshold else Holds.NOT_SHOWN


def _own(frame: pd.DataFrame | None, scope: str, metric: str) -> tuple[float, float, float]:
    if frame is None or frame.empty:
        return math.nan, math.nan, math.nan
    match = frame[(frame["scope"] == scope) & (frame["metric"] == metric)]
    if match.empty:
        return math.nan, math.nan, math.nan
    row = match.iloc[0]
    return _float(row["mean"]), _float(row["ci_low"]), _float(row["ci_high"])


def _paired_row(data: ProposalData, metric: str) -> tuple[float, float, float, float]:
    """The plan minus the status quo: mean, interval, and the status quo's mean."""
    paired = data.paired
    match = paired[(paired["option_b"] == STATUS_QUO) & (paired["metric"] == metric)]
    if match.empty:
        return math.nan, math.nan, math.nan, math.nan
    row = match.iloc[0]
    return (_float(row["mean_diff"]), _float(row["ci_low"]), _float(row["ci_high"]),
            _float(row.get("reference_mean")))


def _service_level(data: ProposalData, entry: Mapping[str, Any]) -> ServiceLevel:
    metric, scope = str(entry.get("metric", "")), str(entry.get("scope") or NATIONAL)
    floor = _float(entry.get("floor"))
    relative = entry.get("relative_to") == STATUS_QUO
    reference = _own(data.status_quo, scope, metric)[0]
    floor_value = _float(entry.get("floor_value"))
    if math.isnan(floor_value):
        floor_value = floor * reference if relative else floor
    mean, low, high = _own(data.summary, scope, metric)
    difference, diff_low, diff_high, paired_reference = (
        _paired_row(data, metric) if scope == NATIONAL else (math.nan,) * 4)
    if not math.isnan(paired_reference):
        reference = paired_reference  # the status quo of the same replications
    paired = relative and not math.isnan(diff_low) and not math.isnan(reference)
    if paired:  # plan >= floor x status quo  <=>  plan - status quo >= (floor - 1) x status quo
        holds = _judge(diff_low, diff_high, (floor - 1) * reference)
    else:
        holds = _judge(low, high, floor_value)
    met = entry.get("met")
    return ServiceLevel(metric, scope, floor, relative, floor_value, mean, low, high,
                        difference, diff_low, diff_high, paired, holds,
                        met if isinstance(met, bool) else None, str(entry.get("note") or ""))


def service_levels(data: ProposalData) -> list[ServiceLevel]:
    """Every floor of the plan, judged against the simulation (none for an older run)."""
    entries = data.plan.get("service_levels")
    if not isinstance(entries, list):
        entries = optimise_section(data).get("service_levels") or []
    return [_service_level(data, entry) for entry in entries if isinstance(entry, Mapping)]
