"""What the plan was chosen for and what holds it back, as the paper's justification says.

The objective, the service levels, the binding constraints and the trade-off frontier.
Every figure is read from the run folder (``run.json``'s plan record, ``paired_diff.csv``,
``binding.csv``, ``frontier.csv``, ``summary.csv``); a run written before a file existed
gets a note saying what is missing instead of a table.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from model.metrics import METRICS, NATIONAL, label
from reports import choice
from reports.figures import plot_frontier
from reports.formatting import DASH, display_unit, format_percent, is_share
from reports.proposal import wording as w
from reports.proposal import wording_plan as wp
from reports.proposal._formatting import amount, estimate
from reports.proposal.data import ProposalData
from reports.proposal.document import Paper
from reports.proposal.terms import (
    ServiceLevel,
    objective_note,
    objective_weights,
    optimise_section,
    service_levels,
)
from reports.proposal.wording import Language

SIMULATED = 3
"""How many of the binding constraints ``binding.csv`` simulates (the largest)."""
COST_OUTCOME = "cost_rm"
"""The ``frontier.csv`` outcome that is the plan's cost, not an outcome of the simulation."""


def metric_words(metric: str, language: Language) -> str:
    """A metric's label as it reads inside a sentence: first letter lower case."""
    text = label(metric, language)
    return text[:1].lower() + text[1:]


def objective_words(data: ProposalData, language: Language) -> str:
    """The objective in words: "raids", or "1 × raids plus 0.5 × charges"; empty if unknown."""
    weights = objective_weights(data)
    if len(weights) == 1:
        return metric_words(next(iter(weights)), language)
    return f" {wp.PLUS(language)} ".join(
        wp.WEIGHTED.format(language, weight=f"{weight:g}", metric=metric_words(m, language))
        for m, weight in weights.items())


def value_text(value: float, unit: str, low: float = math.nan, high: float = math.nan,
               signed: bool = False, separator: str = " ", points: str = "") -> str:
    """A value with its interval as the paper writes it: a share as a percentage.

    A difference of shares (``signed``) is in percentage points, ``points`` after it.
    """
    if not is_share(unit):
        return estimate(value, low, high, signed=signed, separator=separator)
    if math.isnan(value):
        return DASH
    if signed:  # a difference of shares: percentage points
        ends = "" if math.isnan(low) else f"{separator}[{100 * low:+.1f}, {100 * high:+.1f}]"
        return f"{100 * value:+.1f} {points}".rstrip() + ends
    ends = "" if math.isnan(low) else \
        f"{separator}[{format_percent(max(low, 0.0))}, {format_percent(min(high, 1.0))}]"
    return f"{format_percent(value)}{ends}"


def _unit(metric: str) -> str:
    known = METRICS.get(metric)
    return known.unit if known else ""


def _floor_text(level: ServiceLevel, language: Language) -> str:
    unit = _unit(level.metric)
    value = value_text(level.floor_value, unit)
    if level.relative:
        return wp.FLOOR_RELATIVE.format(language, share=format_percent(level.floor),
                                        value=value)
    return wp.FLOOR_ABSOLUTE.format(language, value=value)


def _service_table(paper: Paper, data: ProposalData, language: Language) -> None:
    levels = service_levels(data)
    if not levels:
        paper.paragraph(wp.NO_SERVICE_LEVELS(language))
        return
    rows = []
    for level in levels:
        unit = _unit(level.metric)
        shown_unit = display_unit(unit) if not is_share(unit) else "%"
        rows.append([f"{label(level.metric, language)} ({w.describe_unit(shown_unit, language)})",
                     w.describe_scope(level.scope, data.states, language),
                     _floor_text(level, language),
                     value_text(level.mean, unit, level.low, level.high, separator="\n"),
                     value_text(level.difference, unit, level.diff_low, level.diff_high,
                                signed=True, separator="\n", points=wp.POINTS_SHORT(language))
                     if level.paired else DASH,
                     wp.HOLDS_WORDS[str(level.holds)](language)])
    paper.table([w.OUTCOME(language), w.WHERE(language), wp.FLOOR(language),
                 w.THIS_PLAN(language), wp.AGAINST_STATUS_QUO(language), wp.HOLDS(language)],
                rows, "lllrrl", caption=wp.SERVICE_CAPTION(language))
    paper.paragraph(wp.SERVICE_TEXT(language), "note")


def objective_and_service_levels(paper: Paper, data: ProposalData, language: Language) -> None:
    """The objective the optimiser was given and each service level, judged in simulation."""
    words = objective_words(data, language)
    if not words:
        paper.paragraph(wp.OBJECTIVE_ACTIONED(language))
        return
    note = objective_note(data)
    paper.paragraph(wp.OBJECTIVE_TEXT.format(
        language, objective=words,
        note=wp.OBJECTIVE_NOTE.format(language, note=note) if note else ""))
    _service_table(paper, data, language)


def binding_constraints(paper: Paper, data: ProposalData, language: Language) -> None:
    """Each binding constraint with its shadow value, and the simulated gain of the largest."""
    binding = data.binding
    if binding is None:
        if data.marginal is None:  # an older run had its marginal values instead
            paper.paragraph(wp.ABSENT_FILE.format(language, file="binding.csv"), "note")
        return
    objective = objective_words(data, language) or metric_words("actioned", language)
    if binding.empty:
        paper.paragraph(wp.NO_BINDING(language))
        return
    rows = [[str(row.constraint), w.describe_unit(str(row.unit), language),
             DASH if pd.isna(row.bound) else _bound(float(row.bound)),
             DASH if pd.isna(row.shadow_value) else estimate(float(row.shadow_value)),
             estimate(row.simulated_gain, row.ci_low, row.ci_high, signed=True)]
            for row in binding.itertuples(index=False)]
    paper.table([wp.CONSTRAINT(language), w.UNIT(language), wp.BOUND(language),
                 wp.SHADOW_VALUE(language), w.SIMULATED_GAIN(language)], rows, "llrrr",
                caption=wp.BINDING_CAPTION(language))
    paper.paragraph(wp.BINDING_TEXT.format(language, objective=objective), "note")


def frontier_axes(data: ProposalData) -> tuple[str, str] | None:
    """The frontier's two outcomes (x, y): the scenario's, else ``frontier.csv``'s first two."""
    if data.frontier is None:
        return None
    outcomes = [str(o) for o in dict.fromkeys(data.frontier["outcome"]) if o != COST_OUTCOME]
    stated = optimise_section(data).get("frontier") or {}
    x, y = stated.get("x"), stated.get("y")
    if x in outcomes and y in outcomes:
        return str(x), str(y)
    return (outcomes[0], outcomes[1]) if len(outcomes) >= 2 else None


def no_frontier(data: ProposalData, language: Language) -> str:
    """Why there is no frontier to show: no file (an older run), or a file with no plan."""
    if data.frontier is not None and data.frontier.empty:
        return wp.NO_FRONTIER(language)
    return wp.ABSENT_FILE.format(language, file="frontier.csv")


def frontier_points(data: ProposalData, x: str, y: str) -> pd.DataFrame:
    """A row per frontier point: ``point, plan``, x and y with their intervals, ``cost_rm``."""
    frame = data.frontier if data.frontier is not None else pd.DataFrame()
    rows = []
    for point, group in frame.groupby("point", sort=True):
        values: dict[str, Any] = {"point": point, "plan": str(group["plan"].iloc[0]),
                                  "cost_rm": math.nan}
        for axis, outcome in (("x", x), ("y", y), ("cost", COST_OUTCOME)):
            match = group[group["outcome"] == outcome]
            if match.empty:
                continue
            row = match.iloc[0]
            if axis == "cost":
                values["cost_rm"] = float(row["mean"])
                continue
            values |= {axis: float(row["mean"]), f"{axis}_low": float(row["ci_low"]),
                       f"{axis}_high": float(row["ci_high"])}
        rows.append(values)
    return pd.DataFrame(rows)


def _chosen(data: ProposalData, x: str, y: str) -> dict[str, float] | None:
    """The plan's own verified x and y from ``summary.csv``, to mark it on the chart."""
    if data.summary is None:
        return None
    national = data.summary[data.summary["scope"] == NATIONAL].set_index("metric")
    if x not in national.index or y not in national.index:
        return None
    chosen: dict[str, float] = {}
    for axis, metric in (("x", x), ("y", y)):
        row = national.loc[metric]
        chosen |= {axis: float(row["mean"]), f"{axis}_low": float(row["ci_low"]),
                   f"{axis}_high": float(row["ci_high"])}
    return chosen


def _axis_label(metric: str, language: Language) -> str:
    unit = _unit(metric)
    shown = "%" if is_share(unit) else w.describe_unit(unit, language)
    return f"{label(metric, language)} ({shown})" if shown else label(metric, language)


def frontier_chart(data: ProposalData, language: Language) -> Axes | None:
    """The frontier as a chart, the chosen plan starred; None without ``frontier.csv``."""
    axes = frontier_axes(data)
    if axes is None:
        return None
    x, y = axes
    points = frontier_points(data, x, y).dropna(subset=["x", "y"])
    if points.empty:
        return None
    chosen = _chosen(data, x, y)
    scale = {axis: 100.0 if is_share(_unit(metric)) else 1.0
             for axis, metric in (("x", x), ("y", y))}
    for axis, factor in scale.items():
        columns = [axis, f"{axis}_low", f"{axis}_high"]
        points[columns] = points[columns] * factor
        if chosen is not None:
            chosen |= {c: chosen[c] * factor for c in columns}
    return plot_frontier(points, _axis_label(x, language), _axis_label(y, language), chosen,
                         labels={"title": "", "frontier": wp.FRONTIER_PLANS(language),
                                 "chosen": w.THIS_PLAN(language)})


def frontier(paper: Paper, data: ProposalData, language: Language) -> None:
    """The frontier: its chart, and a table of each plan's outcomes and cost."""
    axes = frontier_axes(data)
    if axes is None:
        paper.paragraph(no_frontier(data, language), "note")
        return
    x, y = axes
    words = {"x": metric_words(x, language), "y": metric_words(y, language)}
    chart = frontier_chart(data, language)
    if chart is not None:
        paper.chart(chart, caption=wp.FRONTIER_CAPTION.format(language, **words))
    paper.paragraph(wp.FRONTIER_TEXT.format(language, **words), "note")
    points = frontier_points(data, x, y)
    rows = [[str(row["point"]), str(row["plan"]),
             value_text(row.get("x", math.nan), _unit(x), row.get("x_low", math.nan),
                        row.get("x_high", math.nan)),
             value_text(row.get("y", math.nan), _unit(y), row.get("y_low", math.nan),
                        row.get("y_high", math.nan)),
             DASH if pd.isna(row["cost_rm"]) else amount(row["cost_rm"])]
            for row in points.to_dict("records")]
    paper.table([wp.POINT(language), wp.PLAN(language), _axis_label(x, language),
                 _axis_label(y, language), wp.COST_RM(language)], rows, "llrrr")
    equal = frontier_equal(data, x, y, language)
    if equal:
        paper.paragraph(equal)


def frontier_equal(data: ProposalData, x: str, y: str, language: Language) -> str:
    """The frontier plan as good as this one on the objective with clearly more of ``y``.

    Only where the objective is ``x`` alone: the point whose mean ``x`` is within the
    indifference zone of this plan's, and whose ``y`` interval lies above this plan's
    (the one with the most ``y`` of those), with what it costs beside this plan.  Empty
    when there is none, or no zone, cost or plan figures to judge by.
    """
    zone = next((c.value for c in choice.checks(data.certificate)
                 if c.kind == "indifference_zone"), math.nan)
    chosen = _chosen(data, x, y)
    if set(objective_weights(data)) != {x} or chosen is None or not math.isfinite(zone):
        return ""
    points = frontier_points(data, x, y).dropna(subset=["x", "y", "cost_rm"])
    points = points[((points["x"] - chosen["x"]).abs() <= zone)
                    & (points["y_low"] > chosen["y_high"])]
    if points.empty or chosen["y"] <= 0:
        return ""
    point = points.loc[points["y"].idxmax()]
    extra = float(point["cost_rm"]) - data.total_rm
    return wp.FRONTIER_EQUAL.format(
        language, point=point["point"], x=metric_words(x, language),
        y=metric_words(y, language), x_point=f"{point['x']:,.0f}", x_plan=f"{chosen['x']:,.0f}",
        times=f"{point['y'] / chosen['y']:.1f}", y_point=f"{point['y']:,.0f}",
        y_plan=f"{chosen['y']:,.0f}", cost=amount(abs(extra)),
        more=(wp.MORE_MONEY if extra >= 0 else wp.LESS_MONEY)(language))


def _bound(value: float) -> str:
    """A constraint's bound as written in a budget: RM13,000,000, 4, 0.9."""
    return f"{value:,.0f}" if value == round(value) else f"{value:,.4g}"
