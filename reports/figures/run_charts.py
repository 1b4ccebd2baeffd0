"""Charts of one run folder's result tables, for the run report.

Every function reads a table as written to the run folder (``summary.csv``,
``monthly.csv``, ``delays.csv``, ``utilisation.csv``) and draws on an ``Axes``; none runs a
simulation.  The caller saves the figure (``ax.figure.savefig``).
"""

from __future__ import annotations

from typing import Literal

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, PercentFormatter

from model.metrics import FUNNEL, HQ, NATIONAL, UTILISATION_COLUMNS, label, short_label
from reports.figures.marks import (
    count_label,
    error_extent,
    log_floor,
    plain_number,
    thousands,
)
from reports.figures.style import (
    BLACK,
    BLUE,
    GREEN,
    ORANGE,
    SERIES_LOOKS,
    SKY_BLUE,
    TALL_CHART_SIZE_IN,
    VERMILLION,
    chart_style,
    new_axes,
)

VALUE_COLUMN_X = 1.04  # utilisation chart: where the numbers go, right of the 100 % line

STOCKS = ("in_system_at_end", "backlog_at_end")
"""Month-end stocks of ``monthly.csv``, drawn in this order."""
FLOWS = ("tipoffs_received", "downloaded", "lapsed")
"""Flows in the month of ``monthly.csv``, drawn in this order."""

DELAY_STAGES: dict[str, str] = {
    "download": "Arrival to download",
    "raid": "Arrival to raid",
}
"""The stages of ``delays.csv`` (not metrics: delays are quantiles) and how they read."""

NO_POSTS = {"officers": "no officer posts", "lower_ranks": "no lower-rank posts"}


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
    national = _national(frame).reindex(list(FUNNEL))
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
        bottom = log_floor(heights)
        low, high = error_extent(national, floor=bottom)
        ax.errorbar(positions, heights, yerr=[low, high], fmt="none", ecolor=BLACK,
                    elinewidth=1.0)
        ax.set_yscale("log")
        uppers = national["ci_high"].to_numpy(dtype=float)
        # Headroom above the tallest whisker for its label and the legend.
        ax.set_ylim(bottom=bottom, top=max(np.nanmax(uppers, initial=1.0), 1.0) * 4)
        for x, mean, upper in zip(positions, means, uppers, strict=True):
            y = upper if np.isfinite(upper) and upper > bottom else bottom
            ax.annotate(count_label(mean), (x, y), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(positions, [short_label(m) for m in FUNNEL], rotation=20, ha="right",
                      rotation_mode="anchor")
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
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
        _monthly_lines(ax, frame, {m: label(m) for m in STOCKS}, at="end")
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
        _monthly_lines(ax, frame, {m: short_label(m) for m in FLOWS}, at="middle")
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
        for look, (stage, legend) in zip(SERIES_LOOKS, DELAY_STAGES.items(), strict=False):
            rows = frame[frame["stage"] == stage].sort_values("quantile")
            rows = rows[np.isfinite(rows["mean"].to_numpy(dtype=float))
                        & (rows["mean"] > 0)]
            if rows.empty:
                continue
            x = rows["quantile"].to_numpy(dtype=float) * 100
            y = rows["mean"].to_numpy(dtype=float)
            low, high = error_extent(rows, floor=y.min() / 10)
            ax.errorbar(x, y, yerr=[low, high], label=legend, **look)
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
            ax.yaxis.set_major_formatter(FuncFormatter(plain_number))
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
    """Horizontal stacked bars: the busy and the blocked share of each staff group and the line.

    Rows are the HQ teams and the line, all states together, then each state with
    its officers and lower ranks.  Busy is the group's colour with its 95 %
    interval; blocked (holding work the next stage cannot take yet) is stacked
    after it, hatched; the rest of the bar's length to 100 % is idle.  A state with
    no posts in a group shows a note instead of a bar.

    Parameters
    ----------
    frame : pd.DataFrame
        ``utilisation.csv``: ``scope, group, busy, busy_ci_low, busy_ci_high, blocked,
        ...`` (``model.metrics.UTILISATION_COLUMNS``); blocked may be NaN throughout
        (a folder from before blocked time was measured: see
        :func:`utilisation_from_summary`).
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
        labelled: set[str] = set()
        tick_labels: list[str] = []
        for position, (row_label, entries) in enumerate(rows):
            tick_labels.append(row_label)
            for look_name, busy, blocked in entries:
                y = position + UTILISATION_OFFSETS[look_name]
                if not np.isfinite(busy[0]):
                    ax.text(0.005, y, NO_POSTS.get(look_name, "no posts"), va="center",
                            ha="left", fontsize=7, style="italic",
                            transform=ax.get_yaxis_transform())
                    continue
                for name, bar in ((look_name, busy), ("blocked", blocked)):
                    if bar is None:
                        continue
                    look = UTILISATION_LOOKS[name]
                    ax.barh(y, bar[0], left=busy[0] if name == "blocked" else 0.0,
                            height=UTILISATION_HEIGHTS[look_name], color=look["color"],
                            hatch=look["hatch"], edgecolor=BLACK, linewidth=0.5,
                            label=None if name in labelled else look["label"])
                    labelled.add(name)
                _busy_interval(ax, y, busy)
                # Bars all near 100 % look alike; the number beside each tells them apart.
                ax.text(VALUE_COLUMN_X, y, _utilisation_label(busy[0], blocked), va="center",
                        ha="left", fontsize=7)
        ax.set_yticks(range(len(tick_labels)), tick_labels)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, VALUE_COLUMN_X + 0.26)  # room for "58.1 % + 41.9 % blocked"
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.axvline(1.0, color=BLACK, linewidth=0.8, linestyle=":")
        ax.set_xlabel("share of on-duty time (line: of usable capacity); "
                      "the rest of each bar to 100 % is idle")
        ax.set_title("How busy and how blocked each group is (mean, 95 % interval)")
        order = [name for name in UTILISATION_LOOKS if name in labelled]
        handles, names = ax.get_legend_handles_labels()
        by_label = dict(zip(names, handles, strict=True))
        # Bars run to 100 %, so the legend goes below the plot, not over it.
        ax.legend([by_label[UTILISATION_LOOKS[name]["label"]] for name in order],
                  [UTILISATION_LOOKS[name]["label"] for name in order],
                  loc="upper center", bbox_to_anchor=(0.5, -0.07), ncols=3)
    return ax


UTILISATION_LOOKS: dict[str, dict[str, str]] = {
    "hq": {"color": GREEN, "hatch": "", "label": "HQ team busy"},
    "line": {"color": SKY_BLUE, "hatch": "xx", "label": "HQ line busy (of usable capacity)"},
    "officers": {"color": BLUE, "hatch": "", "label": "officers busy"},
    "lower_ranks": {"color": ORANGE, "hatch": "..", "label": "lower ranks busy"},
    "blocked": {"color": VERMILLION, "hatch": "///", "label": "blocked (next stage full)"},
}
"""Fill and hatch of each kind of bar, in legend order; blocked is hatched in every row."""
UTILISATION_OFFSETS = {"officers": -0.2, "lower_ranks": 0.2, "hq": 0.0, "line": 0.0}
UTILISATION_HEIGHTS = {"officers": 0.38, "lower_ranks": 0.38, "hq": 0.6, "line": 0.6}
HQ_GROUPS: dict[str, tuple[str, str]] = {
    "download_team": ("HQ download team", "hq"),
    "forensic_team": ("HQ forensic team", "hq"),
    "line": ("HQ line", "line"),
}
"""HQ's rows of ``utilisation.csv``: the chart's label and look of each."""
SUMMARY_UTILISATION: dict[tuple[str, str], str] = {
    (HQ, "download_team"): "utilisation_hq_download_team",
    (HQ, "forensic_team"): "utilisation_hq_forensic_team",
    (HQ, "line"): "utilisation_bandwidth",
}
"""The ``summary.csv`` metric of each HQ row (busy only), for folders without utilisation.csv."""

Interval = tuple[float, float, float]
"""``(mean, low, high)`` of a share."""


def utilisation_from_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The busy shares of ``summary.csv`` in the layout of ``utilisation.csv``, blocked unknown.

    For a folder written before ``utilisation.csv`` existed: busy is the same
    figure (the ``utilisation_*`` metrics); blocked and idle are NaN.
    """
    table = summary.set_index(["scope", "metric"])
    keys = list(SUMMARY_UTILISATION.items())
    for scope in [NATIONAL, *_states(summary)]:
        keys += [((scope, group), f"utilisation_{group}") for group in ("officers", "lower_ranks")]
    rows = []
    for (scope, group), metric in keys:
        found = (NATIONAL, metric) if scope == HQ else (scope, metric)
        busy = (table.loc[found, ["mean", "ci_low", "ci_high"]].to_list()
                if found in table.index else [np.nan] * 3)
        rows.append([scope, group, *busy, *[np.nan] * 6])
    return pd.DataFrame(rows, columns=UTILISATION_COLUMNS)


def _utilisation_rows(
    frame: pd.DataFrame,
) -> list[tuple[str, list[tuple[str, Interval, Interval | None]]]]:
    """Chart rows: ``(label, [(look, busy, blocked or None), ...])`` from ``utilisation.csv``."""
    table = frame.set_index(["scope", "group"])

    def shares(scope: str, group: str) -> tuple[Interval, Interval | None]:
        if (scope, group) not in table.index:
            return (np.nan, np.nan, np.nan), None
        row = table.loc[(scope, group)]
        busy = (float(row["busy"]), float(row["busy_ci_low"]), float(row["busy_ci_high"]))
        blocked = (float(row["blocked"]), float(row["blocked_ci_low"]),
                   float(row["blocked_ci_high"]))
        return busy, blocked if np.isfinite(blocked[0]) and blocked[0] > 0 else None

    rows: list[tuple[str, list[tuple[str, Interval, Interval | None]]]] = [
        (row_label, [(look, *shares(HQ, group))])
        for group, (row_label, look) in HQ_GROUPS.items()
    ]
    scopes = [scope for scope in dict.fromkeys(frame["scope"]) if scope != HQ]
    for scope in scopes:
        row_label = "All states" if scope == NATIONAL else scope
        rows.append((row_label, [(group, *shares(scope, group))
                                 for group in ("officers", "lower_ranks")]))
    return rows


def _busy_interval(ax: Axes, y: float, busy: Interval) -> None:
    """The busy share's 95 % interval as a whisker at the end of the busy bar."""
    mean, low, high = busy
    if np.isfinite(low) and np.isfinite(high):
        # No group is busy more than all the time, whatever a t-interval says.
        low, high = max(low, 0.0), min(high, 1.0)
        ax.errorbar(mean, y, xerr=[[max(mean - low, 0.0)], [max(high - mean, 0.0)]],
                    fmt="none", ecolor=BLACK, elinewidth=0.9, capsize=2)


def _utilisation_label(busy: float, blocked: Interval | None) -> str:
    text = _percent_label(busy)
    return text if blocked is None else f"{text} + {_percent_label(blocked[0])} blocked"


def _national(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["scope"] == NATIONAL].set_index("metric")


def _states(frame: pd.DataFrame) -> list[str]:
    """State codes in the order the table lists them."""
    return [scope for scope in dict.fromkeys(frame["scope"]) if scope != NATIONAL]


def _monthly_lines(ax: Axes, frame: pd.DataFrame, series: dict[str, str],
                   at: Literal["middle", "end"]) -> None:
    """Draw ``series`` of ``monthly.csv``, each point at the middle or the end of its month.

    A flow belongs to the whole month and is drawn at its middle; a stock is
    counted on the month's last day and drawn there.
    """
    for look, (metric, legend) in zip(SERIES_LOOKS, series.items(), strict=False):
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
        ax.plot(when, rows["mean"].to_numpy(dtype=float), label=legend, markevery=_every(rows),
                **look)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("month")
    ax.legend(loc="upper left")


def _every(rows: pd.DataFrame) -> int:
    """Marker spacing that keeps about a dozen markers on a line, enough to tell it in grey."""
    return max(1, len(rows) // 12)

def _days_label(value: float) -> str:
    # A download takes hours; "0.1" and "0.1" days would hide a doubling, so hours are added.
    if value < 1:
        return f"{value:,.1f} ({value * 24:.1f} h)"
    return f"{value:,.1f}"


def _percent_label(fraction: float) -> str:
    return f"{fraction * 100:.1f} %"


def _quantile_label(quantile: float) -> str:
    return f"{quantile * 100:g}th"
