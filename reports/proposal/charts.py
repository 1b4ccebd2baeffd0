"""The proposal's two charts, in its language: outcomes of each option, and cost by year.

The drawing is :mod:`reports.figures`'s; this module only turns the proposal's data into
the frames and words those functions take.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.axes import Axes

from model.metrics import fewer_is_better, label
from reports.figures import plot_costs_by_year, plot_option_grid
from reports.formatting import is_share, shares_as_percent
from reports.outcomes import chart_metrics
from reports.proposal import wording as w
from reports.proposal.data import ProposalData
from reports.proposal.wording import Language

PANEL_TITLE_CHARACTERS = 30
"""Where a panel's title wraps: a third of an A4 text width at the charts' title size."""


def _panel_title(metric: str, language: Language) -> str:
    title = label(metric, language)
    if fewer_is_better(metric):
        title = f"{title} ({w.FEWER_IS_BETTER(language)})"
    return textwrap.fill(title, PANEL_TITLE_CHARACTERS)


def option_chart(data: ProposalData, language: Language) -> Axes:
    """The key national outcomes of each option: a panel per metric on a grid of three.

    Parameters
    ----------
    data : ProposalData
        The run; ``data.options`` holds each option's national key metrics.
    language : {"en", "ms"}
        The language of titles, units and the legend.

    Returns
    -------
    Axes
        The first panel (its figure holds the rest).
    """
    frame = data.options.assign(option=[w.option_name(str(option), language)
                                         for option in data.options["option"]])
    metrics = {metric: _panel_title(metric, language)
               for metric in chart_metrics(frame["metric"])}
    units = {str(row.metric): "%" if is_share(str(row.unit))
             else w.describe_unit(str(row.unit), language)
             for row in frame.drop_duplicates("metric").itertuples()}
    frame = shares_as_percent(frame)
    return plot_option_grid(frame, metrics, units=units)[0]


def cost_frame(data: ProposalData, language: Language) -> pd.DataFrame:
    """Each costed line's one-off and recurring money by year, under its budget heading.

    Parameters
    ----------
    data : ProposalData
        The run's cost lines.
    language : {"en", "ms"}
        The language of the headings.

    Returns
    -------
    pd.DataFrame
        ``year, category, kind, cost_rm`` as :func:`reports.figures.plot_costs_by_year`
        takes it, each cost in the year it is paid; lines that cost nothing are left out.
    """
    rows = []
    for line in data.bought:
        category = w.describe_category(line.category, language)
        for year in data.years:
            one_off = line.one_off_in(year)
            rows.append({"year": year, "category": category, "kind": "recurring",
                         "cost_rm": line.by_year_rm[year] - one_off})
            rows.append({"year": year, "category": category, "kind": "one_off",
                         "cost_rm": one_off})
    return pd.DataFrame(rows)


def cost_chart(data: ProposalData, language: Language) -> Axes:
    """Stacked bars of the plan's cost in each year by budget heading, one-off hatched.

    Parameters
    ----------
    data : ProposalData
        The run's cost lines.
    language : {"en", "ms"}
        The language of the titles and legend.

    Returns
    -------
    Axes
        The chart.
    """
    labels = {"title": w.CHART_COSTS(language), "xlabel": w.CHART_YEAR(language),
              "ylabel": w.CHART_COST_AXIS(language), "one_off": w.CHART_ONE_OFF(language),
              "recurring": w.CHART_RECURRING(language)}
    return plot_costs_by_year(cost_frame(data, language), labels=labels)
