"""Charts of the analyses around a scenario: the simulated history, sensitivity and sweeps.

``plot_yearly_history`` draws ``yearly.csv`` of a calibration against published
figures (validation.html), ``plot_tornado`` draws ``sensitivity.csv``
(sensitivity.html) and ``plot_sweep`` draws ``sweep.csv`` (sweep.png).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter

from model.metrics import NATIONAL, label, short_label
from reports.figures.marks import error_extent, log_floor, thousands
from reports.figures.style import (
    BLACK,
    SERIES_LOOKS,
    SKY_BLUE,
    VERMILLION,
    WIDTH_IN,
    chart_style,
    new_axes,
)

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
