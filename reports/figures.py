"""Charts of one run folder's result tables, in one style, for the run report.

Every function reads a table as written to the run folder (``summary.csv``,
``monthly.csv``, ``delays.csv``) and draws on an ``Axes``; none runs a
simulation.  Figures are built with :class:`matplotlib.figure.Figure`, not
pyplot, so no backend is chosen or global state changed by importing or
calling this module: the caller saves the figure (``ax.figure.savefig``).

The style serves a printed A4 page read in black and white as much as a screen:
the Okabe-Ito palette, which stays distinct under the common colour-vision
deficiencies, and every series told apart by marker, line style or hatch too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, PercentFormatter

NATIONAL = "national"

# Okabe & Ito (2008), "Color universal design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK)

# An A4 page has about 6.7 in of text width inside 2 cm margins.
WIDTH_IN = 6.7
CHART_SIZE_IN = (WIDTH_IN, 4.0)
TALL_CHART_SIZE_IN = (WIDTH_IN, 8.0)
VALUE_COLUMN_X = 1.04  # utilisation chart: where the numbers go, right of the 100 % line

STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "errorbar.capsize": 3,
    "hatch.linewidth": 0.8,
}

FUNNEL_STAGES: dict[str, str] = {
    "tipoffs_received": "Received",
    "selected_for_download": "Selected",
    "downloaded": "Downloaded",
    "reviewed": "Reviewed",
    "investigated": "Investigated",
    "raids": "Raids",
    "arrests": "Arrests",
    "charges": "Charges",
}
"""Pipeline stages in order, with their axis labels."""

STOCK_SERIES: dict[str, str] = {
    "in_system_at_end": "In the system (any stage)",
    "backlog_at_end": "Backlog (waiting for selection)",
}
FLOW_SERIES: dict[str, str] = {
    "tipoffs_received": "Received",
    "downloaded": "Downloaded",
    "lapsed": "Lapsed (not selected in time)",
}
DELAY_STAGES: dict[str, str] = {
    "download": "Arrival to download",
    "raid": "Arrival to raid",
}

NO_POSTS = {"officers": "no officer posts", "lower_ranks": "no lower-rank posts"}

# One look per series, so that print in grey still tells them apart.
_LOOKS: tuple[dict[str, Any], ...] = (
    {"color": BLUE, "marker": "o", "linestyle": "-"},
    {"color": VERMILLION, "marker": "s", "linestyle": "--"},
    {"color": GREEN, "marker": "^", "linestyle": ":"},
    {"color": PURPLE, "marker": "D", "linestyle": "-."},
)


@contextmanager
def chart_style() -> Iterator[None]:
    """Apply the house chart style to figures and artists created inside the block."""
    with matplotlib.rc_context(STYLE):
        yield


def new_axes(size_in: tuple[float, float] = CHART_SIZE_IN) -> Axes:
    """A single Axes on a new figure of ``size_in`` inches, laid out without clipping."""
    with chart_style():
        figure = Figure(figsize=size_in, layout="constrained")
        return figure.add_subplot()


def plot_funnel(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bar chart of the national pipeline stages on a log scale, with 95 % intervals.

    Parameters
    ----------
    frame : pd.DataFrame
        ``summary.csv``: ``scope, metric, unit, mean, ci_low, ci_high``.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    national = _national(frame).reindex(list(FUNNEL_STAGES))
    with chart_style():
        ax = ax if ax is not None else new_axes()
        positions = np.arange(len(national))
        means = national["mean"].to_numpy(dtype=float)
        # Tip-offs and the events that follow a raid are different units; fill and hatch say so.
        is_tipoff = (national["unit"] == "tip-offs").to_numpy()
        colours = [BLUE if tipoff else ORANGE for tipoff in is_tipoff]
        hatches = ["" if tipoff else "//" for tipoff in is_tipoff]
        # A log axis cannot show zero; such a stage gets a label instead of a bar.
        heights = np.where(means > 0, means, np.nan)
        bars = ax.bar(positions, heights, color=colours, edgecolor=BLACK, linewidth=0.6,
                      width=0.7)
        for bar, hatch in zip(bars, hatches, strict=True):
            bar.set_hatch(hatch)
        bottom = _log_floor(heights)
        low, high = _error_extent(national, floor=bottom)
        ax.errorbar(positions, heights, yerr=[low, high], fmt="none", ecolor=BLACK,
                    elinewidth=1.0)
        ax.set_yscale("log")
        uppers = national["ci_high"].to_numpy(dtype=float)
        # Headroom above the tallest whisker for its label and the legend.
        ax.set_ylim(bottom=bottom, top=max(np.nanmax(uppers, initial=1.0), 1.0) * 4)
        for x, mean, upper in zip(positions, means, uppers, strict=True):
            y = upper if np.isfinite(upper) and upper > bottom else bottom
            ax.annotate(_count_label(mean), (x, y), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(positions, list(FUNNEL_STAGES.values()), rotation=20, ha="right",
                      rotation_mode="anchor")
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel("count over the horizon (log scale)")
        ax.set_xlabel("pipeline stage")
        ax.set_title("How many tip-offs reach each stage (national mean, 95 % interval)")
        ax.legend(handles=[
            Patch(facecolor=BLUE, edgecolor=BLACK, label="tip-offs"),
            Patch(facecolor=ORANGE, edgecolor=BLACK, hatch="//", label="raids, arrests, charges"),
        ], loc="upper right")
    return ax


def plot_stocks(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Lines of the month-end backlog and tip-offs in the system, with 95 % bands.

    Parameters
    ----------
    frame : pd.DataFrame
        ``monthly.csv``: ``month, metric, unit, mean, ci_low, ci_high``.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    with chart_style():
        ax = ax if ax is not None else new_axes()
        _monthly_lines(ax, frame, STOCK_SERIES, at="end")
        ax.set_ylabel("tip-offs at the end of the month")
        ax.set_title("Tip-offs waiting at each month end (national mean, 95 % band)")
    return ax


def plot_monthly_flows(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Lines of tip-offs received, downloaded and lapsed each month, with 95 % bands.

    Parameters
    ----------
    frame : pd.DataFrame
        ``monthly.csv``: ``month, metric, unit, mean, ci_low, ci_high``.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    with chart_style():
        ax = ax if ax is not None else new_axes()
        _monthly_lines(ax, frame, FLOW_SERIES, at="middle")
        ax.set_ylabel("tip-offs in the month")
        ax.set_title("Tip-offs received, downloaded and lapsed per month (mean, 95 % band)")
    return ax


def plot_delays(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Days from arrival to download and to raid at each quantile, with 95 % intervals.

    Downloads take hours and raids months, so the day axis is logarithmic when
    the values span a tenfold range or more; each point is labelled with its
    value in days (and hours, under a day).

    Parameters
    ----------
    frame : pd.DataFrame
        ``delays.csv``: ``stage, quantile, unit, mean, ci_low, ci_high``.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    with chart_style():
        ax = ax if ax is not None else new_axes()
        drawn = []
        for look, (stage, label) in zip(_LOOKS, DELAY_STAGES.items(), strict=False):
            rows = frame[frame["stage"] == stage].sort_values("quantile")
            rows = rows[np.isfinite(rows["mean"].to_numpy(dtype=float))
                        & (rows["mean"] > 0)]
            if rows.empty:
                continue
            x = rows["quantile"].to_numpy(dtype=float) * 100
            y = rows["mean"].to_numpy(dtype=float)
            low, high = _error_extent(rows, floor=y.min() / 10)
            ax.errorbar(x, y, yerr=[low, high], label=label, **look)
            for xi, yi in zip(x, y, strict=True):
                ax.annotate(_days_label(yi), (xi, yi), xytext=(6, -3),
                            textcoords="offset points", ha="left", va="top", fontsize=7,
                            color=look["color"])
            drawn.append(stage)
        missing = [DELAY_STAGES[s] for s in DELAY_STAGES if s not in drawn]
        if missing:
            ax.text(0.02, 0.98, "no events in the horizon: " + ", ".join(missing).lower(),
                    transform=ax.transAxes, fontsize=8, ha="left", va="top")
        shown = frame[frame["stage"].isin(drawn)]["mean"].to_numpy(dtype=float)
        # A log axis earns its keep only across decades; within one it shows a single tick.
        logarithmic = bool(drawn) and shown.max() / shown.min() >= 10
        if logarithmic:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_ylim(bottom=0)
        if drawn:
            ax.legend(loc="center right")
        quantiles = sorted(frame["quantile"].unique()) if len(frame) else [0.5]
        ax.set_xticks([q * 100 for q in quantiles],
                      [_quantile_label(q) for q in quantiles])
        ax.set_xlim(min(quantiles) * 100 - 5, max(quantiles) * 100 + 12)
        ax.set_xlabel("percentile of the tip-offs that reached the stage "
                      "(90th: nine in ten took less time)")
        ax.set_ylabel("days from arrival" + (" (log scale)" if logarithmic else ""))
        ax.set_title("How long tip-offs take to be downloaded and raided "
                     "(mean, 95 % interval)")
    return ax


def plot_utilisation(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Horizontal bars of the busy share of each staff group and of the link, with 95 % intervals.

    Rows are the HQ teams and the bandwidth, all states together, then each state
    with its officers and lower ranks.  A state with no posts in a group shows a
    note instead of a bar.

    Parameters
    ----------
    frame : pd.DataFrame
        ``summary.csv``: ``scope, metric, unit, mean, ci_low, ci_high``.
    ax : Axes, optional
        Where to draw; a new tall A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    rows = _utilisation_rows(frame)
    with chart_style():
        ax = ax if ax is not None else new_axes(TALL_CHART_SIZE_IN)
        groups = {
            "hq": {"color": GREEN, "hatch": "", "label": "HQ team"},
            "bandwidth": {"color": SKY_BLUE, "hatch": "xx",
                          "label": "HQ bandwidth (of usable capacity)"},
            "officers": {"color": BLUE, "hatch": "", "label": "officers"},
            "lower_ranks": {"color": ORANGE, "hatch": "//", "label": "lower ranks"},
        }
        labelled: set[str] = set()
        offsets = {"officers": -0.2, "lower_ranks": 0.2, "hq": 0.0, "bandwidth": 0.0}
        height = {"officers": 0.38, "lower_ranks": 0.38, "hq": 0.6, "bandwidth": 0.6}
        tick_labels: list[str] = []
        for position, (label, entries) in enumerate(rows):
            tick_labels.append(label)
            for group, values in entries:
                y = position + offsets[group]
                mean, low, high = values
                if not np.isfinite(mean):
                    ax.text(0.005, y, NO_POSTS.get(group, "no posts"), va="center",
                            ha="left", fontsize=7, style="italic",
                            transform=ax.get_yaxis_transform())
                    continue
                look = groups[group]
                legend_label = None if group in labelled else look["label"]
                labelled.add(group)
                ax.barh(y, mean, height=height[group], color=look["color"],
                        hatch=look["hatch"], edgecolor=BLACK, linewidth=0.5,
                        label=legend_label)
                if np.isfinite(low) and np.isfinite(high):
                    # No group is busy more than all the time, whatever a t-interval says.
                    low, high = max(low, 0.0), min(high, 1.0)
                    ax.errorbar(mean, y, xerr=[[max(mean - low, 0.0)], [max(high - mean, 0.0)]],
                                fmt="none",
                                ecolor=BLACK, elinewidth=0.9, capsize=2)
                # Bars all near 100 % look alike; the number beside each tells them apart.
                ax.text(VALUE_COLUMN_X, y, _percent_label(mean), va="center", ha="left",
                        fontsize=7)
        ax.set_yticks(range(len(tick_labels)), tick_labels)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, VALUE_COLUMN_X + 0.12)
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.axvline(1.0, color=BLACK, linewidth=0.8, linestyle=":")
        ax.set_xlabel("busy share (% of on-duty time; bandwidth: % of usable capacity)")
        ax.set_title("How busy each staff group is (mean, 95 % interval)")
        # Bars run to 100 %, so the legend goes below the plot, not over it.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncols=2)
    return ax


def _national(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["scope"] == NATIONAL].set_index("metric")


def _utilisation_rows(
    frame: pd.DataFrame,
) -> list[tuple[str, list[tuple[str, tuple[float, float, float]]]]]:
    """Rows of the utilisation chart: ``(label, [(group, (mean, low, high)), ...])``."""
    table = frame.set_index(["scope", "metric"])

    def value(scope: str, metric: str) -> tuple[float, float, float]:
        if (scope, metric) not in table.index:
            return (np.nan, np.nan, np.nan)
        row = table.loc[(scope, metric)]
        return (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]))

    rows: list[tuple[str, list[tuple[str, tuple[float, float, float]]]]] = [
        ("HQ download team", [("hq", value(NATIONAL, "utilisation_hq_download_team"))]),
        ("HQ forensic team", [("hq", value(NATIONAL, "utilisation_hq_forensic_team"))]),
        ("HQ bandwidth", [("bandwidth", value(NATIONAL, "utilisation_bandwidth"))]),
    ]
    for scope in [NATIONAL, *_states(frame)]:
        label = "All states" if scope == NATIONAL else scope
        rows.append((label, [(group, value(scope, f"utilisation_{group}"))
                             for group in ("officers", "lower_ranks")]))
    return rows


def _states(frame: pd.DataFrame) -> list[str]:
    """State codes in the order the table lists them."""
    return [scope for scope in dict.fromkeys(frame["scope"]) if scope != NATIONAL]


def _monthly_lines(ax: Axes, frame: pd.DataFrame, series: dict[str, str],
                   at: Literal["middle", "end"]) -> None:
    """Draw ``series`` of ``monthly.csv``, each point at the middle or the end of its month.

    A flow belongs to the whole month and is drawn at its middle; a stock is
    counted on the month's last day and drawn there.
    """
    for look, (metric, label) in zip(_LOOKS, series.items(), strict=False):
        rows = frame[frame["metric"] == metric]
        if rows.empty:
            continue
        months = pd.PeriodIndex(rows["month"].astype(str), freq="M")
        when = (months.to_timestamp(how="end").normalize() if at == "end"
                else months.to_timestamp() + pd.Timedelta(days=14)).to_numpy()
        # Counts cannot fall below zero, whatever a t-interval over few replications says.
        ax.fill_between(when, np.clip(rows["ci_low"].to_numpy(dtype=float), 0, None),
                        rows["ci_high"].to_numpy(dtype=float), color=look["color"],
                        alpha=0.2, linewidth=0)
        ax.plot(when, rows["mean"].to_numpy(dtype=float), label=label, markevery=_every(rows),
                **look)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("month")
    ax.legend(loc="upper left")


def _every(rows: pd.DataFrame) -> int:
    """Marker spacing that keeps about a dozen markers on a line, enough to tell it in grey."""
    return max(1, len(rows) // 12)


def _error_extent(rows: pd.DataFrame, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Lengths below and above each mean, for ``errorbar``.

    A t-interval over a few replications can reach below zero; on a log axis
    the bar stops at ``floor`` (below the smallest bar) instead of vanishing.
    A missing interval draws no bar.
    """
    mean = rows["mean"].to_numpy(dtype=float)
    low = np.maximum(rows["ci_low"].to_numpy(dtype=float), floor)
    high = rows["ci_high"].to_numpy(dtype=float)
    below = np.nan_to_num(np.clip(mean - low, 0, None), nan=0.0)
    above = np.nan_to_num(np.clip(high - mean, 0, None), nan=0.0)
    return below, above


def _log_floor(values: Sequence[float] | np.ndarray) -> float:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0:
        return 0.5
    return float(10 ** np.floor(np.log10(finite.min()) - 0.3))


def _thousands(value: float, _position: float | None = None) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _plain_number(value: float, _position: float | None = None) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


def _count_label(value: float) -> str:
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}"


def _days_label(value: float) -> str:
    # A download takes hours; "0.1" and "0.1" days would hide a doubling, so hours are added.
    if value < 1:
        return f"{value:,.1f} ({value * 24:.1f} h)"
    return f"{value:,.1f}"


def _percent_label(fraction: float) -> str:
    return f"{fraction * 100:.1f} %"


def _quantile_label(quantile: float) -> str:
    return f"{quantile * 100:g}th"


YEARLY_SERIES: dict[str, str] = {
    "tipoffs_received": "Received",
    "downloaded": "Downloaded",
    "lapsed": "Lapsed",
    "raids": "Raids",
}


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
        for look, (metric, label) in zip(_LOOKS, YEARLY_SERIES.items(), strict=False):
            rows = national[national.metric == metric].sort_values("year")
            rows = rows[rows["mean"] > 0]
            if rows.empty:
                continue
            floor = _log_floor(rows["mean"])
            low, high = _error_extent(rows, floor=floor)
            ax.errorbar(rows.year, rows["mean"], yerr=[low, high], label=label, **look)
        if published is not None and not published.empty:
            ax.plot(published.year, published.value, linestyle="none", marker="x",
                    color=BLACK, markersize=8, markeredgewidth=2,
                    label="published (received)")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
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
        ax.set_xlabel(f"change in {metric.replace('_', ' ')} tip-offs against the base "
                      "(same seed)")
        ax.set_title(f"Which assumptions move {metric.replace('_', ' ')} tip-offs most")
        ax.legend(loc="lower right")
    return ax


# ---------------------------------------------------------------------------------------
# Options side by side (leadership comparison, budget proposal) and costs by year
# ---------------------------------------------------------------------------------------

OPTION_COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE)
OPTION_HATCHES = ("", "//", "..", "xx", "\\\\", "++")
"""One fill and one hatch per option, so options stay apart in grey print too."""

COST_HATCH = "//"
"""Hatch of one-off costs in the cost chart; recurring costs are solid."""


def option_look(index: int) -> dict[str, str]:
    """Fill colour and hatch of the ``index``-th option, the same in every chart."""
    return {"color": OPTION_COLOURS[index % len(OPTION_COLOURS)],
            "hatch": OPTION_HATCHES[index % len(OPTION_HATCHES)]}


def _ordered(values: pd.Series) -> list[str]:
    return [str(v) for v in dict.fromkeys(values)]


def _interval_lengths(mean: np.ndarray, low: np.ndarray,
                      high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Error-bar lengths below and above each mean; counts never go below zero."""
    below = np.nan_to_num(np.clip(mean - np.clip(low, 0, None), 0, None), nan=0.0)
    above = np.nan_to_num(np.clip(high - mean, 0, None), nan=0.0)
    return below, above


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
    options = _ordered(frame["option"])
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
            below, above = _interval_lengths(mean, low, high)
            ax.errorbar(positions, np.nan_to_num(mean), yerr=[below, above], fmt="none",
                        ecolor=BLACK, elinewidth=1.0)
            top = np.nanmax(np.concatenate([high, mean, [1.0]]))
            for position, value, upper in zip(positions, mean, high, strict=True):
                y = upper if np.isfinite(upper) else (value if np.isfinite(value) else 0.0)
                ax.annotate(_count_label(value), (position, y), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7)
            ax.set_ylim(0, top * 1.2)
            ax.set_xticks([])
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
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
    states = _ordered(frame["scope"])
    options = _ordered(frame["option"])
    with chart_style():
        ax = ax if ax is not None else new_axes(
            (WIDTH_IN, max(3.0, 0.22 * len(states) * max(len(options), 2) + 1.4)))
        height = 0.8 / max(len(options), 1)
        for index, option in enumerate(options):
            rows = frame[frame["option"] == option].set_index("scope").reindex(states)
            mean = rows["mean"].to_numpy(dtype=float)
            below, above = _interval_lengths(mean, rows["ci_low"].to_numpy(dtype=float),
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
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.4 / max(len(states), 1)),
                  ncols=min(len(options), 3))
    return ax


def plot_costs_by_year(frame: pd.DataFrame, labels: dict[str, str] | None = None,
                       ax: Axes | None = None) -> Axes:
    """Stacked bars of the cost in each year by category; one-off costs hatched.

    Parameters
    ----------
    frame : pd.DataFrame
        ``year, category, kind, cost_rm``: ``category`` as it should read in the legend,
        ``kind`` ``"one_off"`` or ``"recurring"``; categories stack in the order they
        first appear.
    labels : dict, optional
        Texts for ``title``, ``xlabel``, ``ylabel`` (RM million), ``one_off`` and
        ``recurring``; English by default, so a proposal can pass its own language.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on; each bar carries its year's total in ringgit.
    """
    text = {"title": "Cost by year and category", "xlabel": "year",
            "ylabel": "cost (RM million)", "one_off": "one-off (hatched)",
            "recurring": "recurring (solid)"} | (labels or {})
    years = sorted(int(y) for y in frame["year"].unique())
    categories = _ordered(frame["category"])
    with chart_style():
        ax = ax if ax is not None else new_axes((WIDTH_IN, 3.4))
        bottoms = np.zeros(len(years))
        for index, category in enumerate(categories):
            colour = OPTION_COLOURS[index % len(OPTION_COLOURS)]
            for kind in ("one_off", "recurring"):
                rows = frame[(frame["category"] == category) & (frame["kind"] == kind)]
                values = (rows.groupby("year")["cost_rm"].sum().reindex(years, fill_value=0.0)
                          .to_numpy(dtype=float) / 1e6)
                if not values.any():
                    continue
                ax.bar(years, values, bottom=bottoms, width=0.6, color=colour,
                       hatch=COST_HATCH if kind == "one_off" else "", edgecolor=BLACK,
                       linewidth=0.6)
                bottoms += values
        for year, total in zip(years, bottoms, strict=True):
            ax.annotate(f"RM{total * 1e6:,.0f}", (year, total), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8)
        ax.set_ylim(0, max(bottoms.max(initial=0.0), 0.1) * 1.18)
        ax.set_xticks(years, [str(y) for y in years])
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.1f}"))
        ax.set_xlabel(text["xlabel"])
        ax.set_ylabel(text["ylabel"])
        ax.set_title(text["title"])
        handles = [Patch(facecolor=OPTION_COLOURS[i % len(OPTION_COLOURS)], edgecolor=BLACK,
                         label=category) for i, category in enumerate(categories)]
        handles += [Patch(facecolor="white", edgecolor=BLACK, hatch=COST_HATCH,
                          label=text["one_off"]),
                    Patch(facecolor="white", edgecolor=BLACK, label=text["recurring"])]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


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
        for look, (key, group) in zip(_LOOKS * 10, groups, strict=False):
            group = group.sort_values(x)
            label = ", ".join(f"{p}={v}" for p, v in zip(others, key if isinstance(key, tuple)
                                                          else (key,), strict=False))
            ax.errorbar(group[x], group["mean"],
                        yerr=[group["mean"] - group["ci_low"], group["ci_high"] - group["mean"]],
                        label=label or None, **look)
        unit = rows.unit.iloc[0] if len(rows) else ""
        ax.set_xlabel(x)
        ax.set_ylabel(f"{metric.replace('_', ' ')} ({unit}, national, whole horizon)")
        ax.set_title(f"{metric.replace('_', ' ').capitalize()} across the sweep "
                     "(mean, 95 % interval)")
        if others:
            ax.legend(loc="best")
    return ax
