"""Charts of the analyses around a scenario: the simulated history, sensitivity and sweeps.

``plot_yearly_history`` draws ``yearly.csv`` of a calibration against published
figures and ``plot_plausible_ranges`` one hypothesis's rows of
``fitted_parameters.csv`` (validation.html), ``plot_tornado`` draws ``sensitivity.csv``
(sensitivity.html) and ``plot_sweep`` draws ``sweep.csv`` (sweep.png).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

from model.metrics import NATIONAL, label, short_label
from reports.figures.marks import error_extent, log_floor, thousands
from reports.figures.style import (
    BLACK,
    BLUE,
    SERIES_LOOKS,
    SKY_BLUE,
    VERMILLION,
    WIDTH_IN,
    chart_style,
    new_axes,
)
from reports.formatting import PERCENT_UNITS, format_parameter, is_missing

YEARLY_FLOWS = ("tipoffs_received", "downloaded", "lapsed", "raids")
"""National flows of ``yearly.csv`` drawn in the history chart, in legend order."""



def plot_yearly_history(frame: pd.DataFrame, published: pd.DataFrame | None = None,
                        ax: Axes | None = None) -> Axes:
    """Simulated national flows per year on a log scale, with published points where known.

    Parameters
    ----------
    frame : pd.DataFrame
        ``yearly.csv``: ``year, scope, metric, unit, mean, ci_low, ci_high``.
    published : pd.DataFrame, optional
        ``year, metric, value``: published yearly figures, drawn as black crosses.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    national = frame[frame.scope == NATIONAL]
    with chart_style():
        ax = ax if ax is not None else new_axes()
        for look, metric in zip(SERIES_LOOKS, YEARLY_FLOWS, strict=False):
            rows = national[national.metric == metric].sort_values("year")
            rows = rows[rows["mean"] > 0]
            if rows.empty:
                continue
            floor = log_floor(rows["mean"])
            low, high = error_extent(rows, floor=floor)
            ax.errorbar(rows.year, rows["mean"], yerr=[low, high], label=short_label(metric),
                        **look)
        if published is not None and not published.empty:
            ax.plot(published.year, published.value, linestyle="none", marker="x",
                    color=BLACK, markersize=8, markeredgewidth=2,
                    label="published (received)")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.yaxis.set_minor_formatter(NullFormatter())
        years = sorted(national.year.unique())
        ax.set_xticks(years, [str(int(y)) for y in years])
        ax.set_xlabel("calendar year")
        ax.set_ylabel("tip-offs or raids in the year (log scale)")
        ax.set_title("Simulated history by year (national mean, 95 % interval)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    return ax


def plot_tornado(frame: pd.DataFrame, metric: str = "actioned", top: int = 15,
                 ax: Axes | None = None) -> Axes:
    """Tornado chart: the change in ``metric`` at each assumption's low and high end.

    Parameters
    ----------
    frame : pd.DataFrame
        ``sensitivity.csv``, most influential first: ``parameter``, ``change_at_low``,
        ``change_at_high`` (differences from the base run, same seed).
    metric : str
        The metric measured, for the axis label.
    top : int
        How many assumptions to show.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    rows = frame.head(top).iloc[::-1]
    with chart_style():
        ax = ax if ax is not None else new_axes((WIDTH_IN, max(3.0, 0.32 * len(rows) + 1.2)))
        positions = np.arange(len(rows))
        ax.barh(positions, rows.change_at_low, color=SKY_BLUE, edgecolor=BLACK, linewidth=0.6,
                hatch="..", label="assumption at the low end of its range")
        ax.barh(positions, rows.change_at_high, color=VERMILLION, edgecolor=BLACK,
                linewidth=0.6, label="assumption at the high end of its range")
        ax.axvline(0, color=BLACK, linewidth=0.8)
        ax.set_yticks(positions, list(rows.parameter))
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:+,.0f}"))
        ax.set_xlabel(f"change in {label(metric).lower()} against the base (same seed)")
        ax.set_title(f"Which assumptions move {label(metric).lower()} most")
        ax.legend(loc="lower right")
    return ax


# ---------------------------------------------------------------------------------------
# Options side by side (leadership comparison, budget proposal) and costs by year


def plot_sweep(frame: pd.DataFrame, parameters: list[str], metric: str = "actioned",
               ax: Axes | None = None) -> Axes:
    """``metric`` (mean and 95 % interval) against ``parameters[0]``, a line per other setting.

    Parameters
    ----------
    frame : pd.DataFrame
        ``sweep.csv``: ``point``, one column per parameter, ``metric, unit, mean, ci_low,
        ci_high``.
    parameters : list[str]
        The varied paths; the first is the x axis.
    metric : str
        The metric drawn.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    rows = frame[frame.metric == metric]
    x, others = parameters[0], parameters[1:]
    groups = rows.groupby(others) if others else [((), rows)]
    with chart_style():
        ax = ax if ax is not None else new_axes()
        for look, (key, group) in zip(SERIES_LOOKS * 10, groups, strict=False):
            group = group.sort_values(x)
            legend = ", ".join(f"{p}={v}" for p, v in zip(others, key if isinstance(key, tuple)
                                                          else (key,), strict=False))
            ax.errorbar(group[x], group["mean"],
                        yerr=[group["mean"] - group["ci_low"], group["ci_high"] - group["mean"]],
                        label=legend or None, **look)
        unit = rows.unit.iloc[0] if len(rows) else ""
        ax.set_xlabel(x)
        ax.set_ylabel(f"{label(metric)} ({unit}, national, whole horizon)")
        ax.set_title(f"{label(metric)} across the sweep "
                     "(mean, 95 % interval)")
        if others:
            ax.legend(loc="best")
    return ax


# ---------------------------------------------------------------------------------------
# Calibration: what the history leaves of each free parameter's range

PRIOR_GREY = "#c8c8c8"
SEARCH_GREY = "#707070"
PLAUSIBLE_LOOK: dict[str, Any] = {"facecolor": BLUE, "edgecolor": BLACK, "linewidth": 0.6}
SEARCH_LOOK: dict[str, Any] = {"facecolor": "white", "edgecolor": SEARCH_GREY, "hatch": "///",
                               "linewidth": 0.6}
VALUE_LOOK: dict[str, Any] = {"marker": "D", "color": BLACK, "markeredgecolor": "white",
                              "markersize": 7, "linestyle": "none"}
AT_BOUND_LOOK: dict[str, Any] = {"marker": "X", "color": VERMILLION, "markeredgecolor": BLACK,
                                 "markersize": 10, "linestyle": "none"}
"""Prior range thin and light, searched range hatched, plausible range solid, the value a
diamond (a cross at a bound): told apart by width, hatch and shape in grey print too."""


def _at_bound(row: dict[str, Any]) -> bool:
    # The flag as read from a CSV: a bool, numpy's bool or its text; missing is False.
    return str(row.get("at_bound")) == "True"


def _prior_scale(row: dict[str, Any]) -> Callable[[float], float]:
    """Where a value lies in the row's prior range: 0 at ``low``, 1 at ``high``."""
    low, high = float(row["low"]), float(row["high"])
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return lambda _value: 0.5
    return lambda value: (value - low) / (high - low)


def _value_text(row: dict[str, Any], number: Callable[[float], str], unit: str) -> str:
    text = number(row["value"])
    if unit and unit not in (*PERCENT_UNITS, "count"):
        text += f" {unit}"
    if is_missing(row.get("plausible_low")) or is_missing(row.get("plausible_high")):
        text += " (no plausible point)"
    else:
        text += f" (plausible {number(row['plausible_low'])} to {number(row['plausible_high'])})"
    return text + (", at a bound" if _at_bound(row) else "")


def _draw_parameter(ax: Axes, y: float, row: dict[str, Any]) -> list[float]:
    """One parameter's bars, marker and numbers at height ``y``; the positions drawn."""
    unit = str(row.get("unit") or "")

    def number(value: float) -> str:
        return format_parameter(value, unit)

    at = _prior_scale(row)
    # The prior is drawn over the hatched search box, so that both stay visible.
    ax.barh(y, 1.0, left=0.0, height=0.1, color=PRIOR_GREY, edgecolor="none", zorder=3)
    ax.text(0.0, y - 0.12, number(row["low"]), ha="left", va="top", fontsize=7)
    ax.text(1.0, y - 0.12, number(row["high"]), ha="right", va="top", fontsize=7)
    drawn = [0.0, 1.0]
    for low_key, high_key, look, height, depth in (
            ("search_low", "search_high", SEARCH_LOOK, 0.22, 2),
            ("plausible_low", "plausible_high", PLAUSIBLE_LOOK, 0.32, 4)):
        if is_missing(row.get(low_key)) or is_missing(row.get(high_key)):
            continue
        left, right = at(float(row[low_key])), at(float(row[high_key]))
        # A plausible set of one point is a range of no width: keep it visible.
        ax.barh(y, max(right - left, 0.008), left=left, height=height, zorder=depth, **look)
        drawn += [left, right]
    if not is_missing(row.get("value")):
        position = at(float(row["value"]))
        ax.plot([position], [y], zorder=5, **(AT_BOUND_LOOK if _at_bound(row)
                                               else VALUE_LOOK))
        align = "left" if position < 0.25 else "right" if position > 0.75 else "center"
        ax.text(position, y + 0.2, _value_text(row, number, unit), ha=align, va="bottom",
                fontsize=7.5, fontweight="bold")
        drawn.append(position)
    return drawn


def _range_legend(ax: Axes) -> None:
    handles = [
        Patch(facecolor=PRIOR_GREY, label="prior range (assumption)"),
        Patch(**SEARCH_LOOK, label="range searched"),
        Patch(**PLAUSIBLE_LOOK, label="plausible range (all targets met)"),
        Line2D([], [], **VALUE_LOOK, label="calibrated value"),
        Line2D([], [], **AT_BOUND_LOOK, label="at a bound: not identified"),
    ]
    figure = ax.get_figure(root=True)
    if figure is None:
        ax.legend(handles=handles, loc="best")
        return
    # Below the whole figure, not the axes: long parameter names push the axes right.
    figure.legend(handles=handles, loc="outside lower center", ncol=3)


def plot_plausible_ranges(fitted_rows: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each free parameter's plausible range inside its prior range, on its own 0-1 scale.

    Parameters
    ----------
    fitted_rows : pd.DataFrame
        One hypothesis's rows of ``fitted_parameters.csv``: ``parameter, value, low,
        high, plausible_low, plausible_high, at_bound``, optionally ``search_low,
        search_high`` (drawn hatched) and ``unit`` (how the numbers are written: shares
        as percentages).  Positions are linear in the prior range, as ``at_bound`` is
        judged.
    ax : Axes, optional
        Where to draw; a new A4-width figure, taller with more parameters, if omitted.

    Returns
    -------
    Axes
        The axes drawn on.  Each parameter's prior range runs from 0 to 1, its ends
        written in real numbers below it and the calibrated value above its marker.
    """
    rows = fitted_rows.to_dict("records")
    with chart_style():
        ax = ax if ax is not None else new_axes((WIDTH_IN, 0.75 * max(len(rows), 1) + 1.6))
        drawn = [0.0, 1.0]
        names = []
        for index, row in enumerate(rows):
            drawn += _draw_parameter(ax, len(rows) - 1 - index, row)
            bound = "\n(at a bound:\nnot identified)" if _at_bound(row) else ""
            names.append(f"{row['parameter']}{bound}")
        ax.set_yticks(range(len(rows)), names[::-1])
        ax.set_ylim(-0.6, max(len(rows), 1) - 0.3)
        ax.set_xlim(min(drawn) - 0.03, max(drawn) + 0.03)
        ax.set_xticks([0.0, 0.5, 1.0], ["low end", "middle", "high end"])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("position in the parameter's prior range (each on its own scale)")
        ax.set_title("What the history leaves of each free parameter's range")
        _range_legend(ax)
    return ax
