"""The sweep's chart: the headline metric against the first varied parameter."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from reports.figures import _LOOKS, chart_style, new_axes


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
