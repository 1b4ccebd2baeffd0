"""Charts of options side by side: the leadership comparison and the budget proposal.

Every option keeps one fill colour and hatch (:func:`option_look`) across panels and
charts, so a reader follows an option from one chart to the next, in grey print too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from reports.figures.marks import count_label, interval_lengths, ordered, thousands
from reports.figures.style import BLACK, WIDTH_IN, chart_style, new_axes, option_look


def plot_option_panels(frame: pd.DataFrame, metrics: dict[str, str],
                       axes: Sequence[Axes] | None = None,
                       units: dict[str, str] | None = None,
                       legend_ax: Axes | None = None) -> list[Axes]:
    """One small panel per metric, a bar per option with its 95 % interval.

    Counts of different kinds (tip-offs in tens of thousands, arrests in hundreds)
    do not share one scale, so each metric gets its own panel and axis, and the
    options keep one colour and hatch across panels.

    Parameters
    ----------
    frame : pd.DataFrame
        ``option, metric, mean, ci_low, ci_high``: one row per option and metric;
        options are drawn in the order they first appear, under their names as given.
    metrics : dict
        Metric -> panel title, in panel order.
    axes : sequence of Axes, optional
        One per metric; a new A4-width figure with a row of panels if omitted.
    units : dict, optional
        Metric -> y-axis label (the unit); ``frame["unit"]`` or ``"count"`` otherwise.
    legend_ax : Axes, optional
        A spare axes (say the empty sixth cell of a 2 x 3 grid) to hold the legend of the
        options, its frame and ticks hidden; under the first panel if omitted.

    Returns
    -------
    list of Axes
        The panels drawn on.
    """
    options = ordered(frame["option"])
    with chart_style():
        if axes is None:
            figure = Figure(figsize=(WIDTH_IN, 3.2), layout="constrained")
            axes = list(figure.subplots(1, len(metrics), squeeze=False)[0])
        axes = list(axes)
        for ax, (metric, title) in zip(axes, metrics.items(), strict=True):
            rows = frame[frame["metric"] == metric].set_index("option").reindex(options)
            mean = rows["mean"].to_numpy(dtype=float)
            low, high = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
            positions = np.arange(len(options))
            for position, value, index in zip(positions, mean, range(len(options)),
                                              strict=True):
                look = option_look(index)
                ax.bar(position, value if np.isfinite(value) else 0.0, width=0.75,
                       color=look["color"], hatch=look["hatch"], edgecolor=BLACK,
                       linewidth=0.6)
            below, above = interval_lengths(mean, low, high)
            ax.errorbar(positions, np.nan_to_num(mean), yerr=[below, above], fmt="none",
                        ecolor=BLACK, elinewidth=1.0)
            top = np.nanmax(np.concatenate([high, mean, [1.0]]))
            for position, value, upper in zip(positions, mean, high, strict=True):
                y = upper if np.isfinite(upper) else (value if np.isfinite(value) else 0.0)
                ax.annotate(count_label(value), (position, y), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7)
            ax.set_ylim(0, top * 1.2)
            ax.set_xticks([])
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_formatter(FuncFormatter(thousands))
            unit = (units or {}).get(metric)
            if unit is None:
                unit = (str(rows["unit"].dropna().iloc[0])
                        if "unit" in rows and rows["unit"].notna().any() else "count")
            ax.set_ylabel(unit, labelpad=1)
            ax.set_title(title, fontsize=9)
        handles = [Patch(facecolor=option_look(i)["color"], hatch=option_look(i)["hatch"],
                         edgecolor=BLACK, label=name) for i, name in enumerate(options)]
        if legend_ax is not None:
            legend_ax.set_axis_off()
            legend_ax.legend(handles=handles, loc="center", frameon=False)
        else:
            axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.04),
                           ncols=min(len(options), 3), borderaxespad=0.2)
    return axes


def plot_option_grid(frame: pd.DataFrame, metrics: dict[str, str],
                     units: dict[str, str] | None = None, columns: int = 3,
                     panel_height_in: float = 2.3) -> list[Axes]:
    """:func:`plot_option_panels` on a grid of ``columns`` panels a row, legend in a spare cell.

    Five or more metrics on one row of an A4-wide figure leave each panel too narrow for
    its numbers, so they wrap onto rows; the legend of the options takes the first spare
    cell (a cell is added for it when the grid is full).

    Parameters
    ----------
    frame, metrics, units
        As for :func:`plot_option_panels`.
    columns : int, default 3
        Panels a row.
    panel_height_in : float, default 2.3
        Height of a row of panels, inches.

    Returns
    -------
    list of Axes
        The panels drawn on, in the order of ``metrics``.
    """
    rows = -(-(len(metrics) + 1) // columns)
    with chart_style():
        figure = Figure(figsize=(WIDTH_IN, panel_height_in * rows), layout="constrained")
        grid = list(figure.subplots(rows, columns, squeeze=False).flat)
    for spare in grid[len(metrics) + 1:]:
        spare.set_axis_off()
    return plot_option_panels(frame, metrics, axes=grid[:len(metrics)], units=units,
                              legend_ax=grid[len(metrics)])


def plot_state_options(frame: pd.DataFrame, xlabel: str = "actioned tip-offs over the horizon",
                       title: str = "Actioned tip-offs by state (mean, 95 % interval)",
                       ax: Axes | None = None) -> Axes:
    """Horizontal bars of one metric per state, a bar per option, with 95 % intervals.

    Parameters
    ----------
    frame : pd.DataFrame
        ``scope, option, mean, ci_low, ci_high`` for one metric; states in the order
        they first appear (top to bottom), options likewise.
    xlabel, title : str
        The value axis label (with its unit) and the chart title.
    ax : Axes, optional
        Where to draw; a new A4-width figure tall enough for the states if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    states = ordered(frame["scope"])
    options = ordered(frame["option"])
    with chart_style():
        ax = ax if ax is not None else new_axes(
            (WIDTH_IN, max(3.0, 0.22 * len(states) * max(len(options), 2) + 1.4)))
        height = 0.8 / max(len(options), 1)
        for index, option in enumerate(options):
            rows = frame[frame["option"] == option].set_index("scope").reindex(states)
            mean = rows["mean"].to_numpy(dtype=float)
            below, above = interval_lengths(mean, rows["ci_low"].to_numpy(dtype=float),
                                             rows["ci_high"].to_numpy(dtype=float))
            y = np.arange(len(states)) - 0.4 + height * (index + 0.5)
            look = option_look(index)
            ax.barh(y, np.nan_to_num(mean), height=height, color=look["color"],
                    hatch=look["hatch"], edgecolor=BLACK, linewidth=0.5, label=option)
            ax.errorbar(np.nan_to_num(mean), y, xerr=[below, above], fmt="none",
                        ecolor=BLACK, elinewidth=0.8, capsize=1.5)
        ax.set_yticks(range(len(states)), states)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlim(left=0)
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.4 / max(len(states), 1)),
                  ncols=min(len(options), 3))
    return ax
