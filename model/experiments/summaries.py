"""Replications summarised into the tables every run folder holds.

Each table is a mean with an interval over replications: a 95 % t-interval for the
mean (randomness of events), or with ``spread`` the 2.5th-97.5th percentiles of the
replications (when every assumption is drawn from its range, an interval for the
outcome, not the mean).  The file each table is written to is the run-folder
contract's business (``reports/run_folder.py``), not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.experiments.replications import (
    Replications,
    interval,
    percentile_interval,
    summarise,
)
from model.metrics import (
    DELAY_COLUMNS,
    MONTHLY_COLUMNS,
    MONTHLY_METRICS,
    NATIONAL,
    REPLICATION_COLUMNS,
    SUMMARY_COLUMNS,
    UTILISATION_COLUMNS,
    UTILISATION_SHARES,
    WHOLE_HORIZON,
    YEARLY_COLUMNS,
)


@dataclass(frozen=True)
class ResultTables:
    """The tables of one scenario's replications.

    Attributes
    ----------
    summary : pd.DataFrame
        ``scope, metric, unit, mean, ci_low, ci_high`` over the whole horizon.
    yearly : pd.DataFrame
        The same per calendar year, with a leading ``year``.
    replications : pd.DataFrame
        ``replication, scope, metric, value``: each replication's whole-horizon value.
    monthly : pd.DataFrame
        National ``month, metric, unit, mean, ci_low, ci_high``.
    delays : pd.DataFrame
        National ``stage, quantile, unit, mean, ci_low, ci_high`` in days from arrival.
    end_state : pd.DataFrame
        What is still in the pipeline at the end (mean of the replications), by
        ``state, stage, age_days_low, age_days_high``: another scenario's starting state.
    utilisation : pd.DataFrame
        ``scope, group`` and the busy, blocked and idle shares of on-duty time, each
        ``mean, _ci_low, _ci_high`` (see ``model.metrics.UTILISATION_COLUMNS``).
    """

    summary: pd.DataFrame
    yearly: pd.DataFrame
    replications: pd.DataFrame
    monthly: pd.DataFrame
    delays: pd.DataFrame
    end_state: pd.DataFrame
    utilisation: pd.DataFrame


def result_tables(results: Replications, spread: bool = False) -> ResultTables:
    """Summarise replications into the run folder's tables."""
    metrics = results.metrics
    whole = metrics[metrics.year == WHOLE_HORIZON]
    yearly = metrics[metrics.year != WHOLE_HORIZON]
    delays = summarise(results.delays, ["stage", "quantile"], spread=spread).assign(unit="days")
    return ResultTables(
        summary=summarise(whole, ["scope", "metric"], spread=spread)[SUMMARY_COLUMNS],
        yearly=summarise(yearly, ["year", "scope", "metric"], spread=spread)[YEARLY_COLUMNS],
        replications=whole[REPLICATION_COLUMNS],
        monthly=summarise(results.monthly, ["month", "metric"], MONTHLY_METRICS,
                          spread=spread)[MONTHLY_COLUMNS],
        delays=delays[DELAY_COLUMNS],
        end_state=results.mean_end_state(),
        utilisation=summarise_utilisation(results.utilisation, spread=spread),
    )


def summarise_utilisation(shares: pd.DataFrame, spread: bool = False) -> pd.DataFrame:
    """Mean and interval over replications of each group's busy, blocked and idle shares.

    A replication where a group had no on-duty time (NaN) is left out of that
    group's figures.  Intervals are cut to ``[0, 1]``, which no share can leave;
    with ``spread`` they are the 2.5th-97.5th percentiles, as in the other tables.
    """
    rows = []
    for (scope, group), part in shares.groupby(["scope", "group"], sort=False):
        row: list[object] = [scope, group]
        for share in UTILISATION_SHARES:
            values = part[share].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            mean, low, high = percentile_interval(values) if spread else interval(values)
            row += [mean, float(np.clip(low, 0.0, 1.0)), float(np.clip(high, 0.0, 1.0))]
        rows.append(row)
    return pd.DataFrame(rows, columns=UTILISATION_COLUMNS)


def precise(summary: pd.DataFrame, precision_share: float, metric: str = "actioned") -> bool:
    """Whether the national ``metric``'s interval half-width is within the precision."""
    row = summary.set_index(["scope", "metric"]).loc[(NATIONAL, metric)]
    return bool((row.ci_high - row.ci_low) / 2 <= precision_share * abs(row["mean"]))
