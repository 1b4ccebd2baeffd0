"""The trade-off frontier of an optimisation: plans between two outcomes, with intervals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from reports.figures.marks import interval_lengths, thousands
from reports.figures.style import BLACK, BLUE, VERMILLION, WIDTH_IN, chart_style, new_axes

FRONTIER_COLUMNS = ("point", "x", "x_low", "x_high", "y", "y_low", "y_high")
"""Columns :func:`plot_frontier` draws: a row per plan, each outcome's mean and interval."""


def _bars(frame: pd.DataFrame, axis: str) -> tuple[np.ndarray, np.ndarray]:
    return interval_lengths(frame[axis].to_numpy(dtype=float),
                            frame[f"{axis}_low"].to_numpy(dtype=float),
                            frame[f"{axis}_high"].to_numpy(dtype=float))


def plot_frontier(points: pd.DataFrame, xlabel: str, ylabel: str,
                  chosen: Mapping[str, float] | None = None,
                  labels: Mapping[str, str] | None = None, ax: Axes | None = None) -> Axes:
    """The plans of a frontier as points joined in order of x, with 95 % bars on both axes.

    Parameters
    ----------
    points : pd.DataFrame
        :data:`FRONTIER_COLUMNS`: each plan's number and its two outcomes with their
        intervals (NaN where an interval is missing: no bar is drawn).
    xlabel, ylabel : str
        The axes' labels, with their units.
    chosen : mapping, optional
        The chosen plan's ``x, x_low, x_high, y, y_low, y_high``, marked with a star.
    labels : mapping, optional
        Texts for ``title``, ``frontier`` and ``chosen`` (the legend); English by default.
    ax : Axes, optional
        Where to draw; a new A4-width figure if omitted.

    Returns
    -------
    Axes
        The axes drawn on; each point is labelled with its number.
    """
    text = {"title": "Trade-off frontier (mean, 95 % interval)", "frontier": "frontier plans",
            "chosen": "this plan"} | dict(labels or {})
    frame = points.sort_values("x", kind="stable")
    with chart_style():
        ax = ax if ax is not None else new_axes((WIDTH_IN, 3.6))
        x, y = frame["x"].to_numpy(dtype=float), frame["y"].to_numpy(dtype=float)
        ax.plot(x, y, color=BLUE, linestyle="--", linewidth=1.0, zorder=1)
        ax.errorbar(x, y, xerr=_bars(frame, "x"), yerr=_bars(frame, "y"), fmt="o",
                    color=BLUE, ecolor=BLUE, elinewidth=0.9, markersize=5,
                    label=text["frontier"], zorder=2)
        for point, px, py in zip(frame["point"], x, y, strict=True):
            ax.annotate(str(point), (px, py), xytext=(5, 4), textcoords="offset points",
                        fontsize=7)
        if chosen is not None:
            one = pd.DataFrame([dict(chosen)])
            ax.errorbar(one["x"], one["y"], xerr=_bars(one, "x"), yerr=_bars(one, "y"),
                        fmt="*", color=VERMILLION, ecolor=VERMILLION, markersize=13,
                        markeredgecolor=BLACK, markeredgewidth=0.6, elinewidth=1.1,
                        label=text["chosen"], zorder=3)
        ax.xaxis.set_major_formatter(FuncFormatter(thousands))
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(text["title"])
        ax.legend(loc="best")
    return ax
