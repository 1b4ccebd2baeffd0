"""The cost chart of the budget proposal: what each year costs, by category and kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from reports.figures.marks import ordered
from reports.figures.style import BLACK, OPTION_COLOURS, WIDTH_IN, chart_style, new_axes

COST_HATCH = "//"
"""Hatch of one-off costs in the cost chart; recurring costs are solid."""


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
    categories = ordered(frame["category"])
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
