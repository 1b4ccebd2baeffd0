"""Charts of result tables, in one house style, as ``plot_x(frame, ax=None) -> Axes``.

No function runs a simulation; each draws a table as written to a result folder.
The modules go by role: ``style`` (palette, sizes, rcParams), ``marks`` (tick texts,
value labels, error bars), ``run_charts`` (one run: report.html), ``analysis_charts``
(history, plausible ranges, sensitivity, sweeps), ``option_charts`` (options side by side),
``cost_charts`` (the proposal's costs by year) and ``frontier_chart`` (an optimisation's
trade-off frontier).  Import the charts from here.
"""

from reports.figures.analysis_charts import (
    plot_plausible_ranges,
    plot_sweep,
    plot_tornado,
    plot_yearly_history,
)
from reports.figures.cost_charts import plot_costs_by_year
from reports.figures.frontier_chart import plot_frontier
from reports.figures.option_charts import (
    plot_option_grid,
    plot_option_panels,
    plot_state_options,
)
from reports.figures.run_charts import (
    plot_delays,
    plot_funnel,
    plot_monthly_flows,
    plot_stocks,
    plot_utilisation,
)
from reports.figures.style import chart_style, new_axes, option_look

__all__ = [
    "chart_style",
    "new_axes",
    "option_look",
    "plot_costs_by_year",
    "plot_delays",
    "plot_frontier",
    "plot_funnel",
    "plot_monthly_flows",
    "plot_option_grid",
    "plot_option_panels",
    "plot_plausible_ranges",
    "plot_state_options",
    "plot_stocks",
    "plot_sweep",
    "plot_tornado",
    "plot_utilisation",
    "plot_yearly_history",
]
