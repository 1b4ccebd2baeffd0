"""Replications of a scenario (in parallel), and their summary with 95 % intervals."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from model.results import METRIC_UNITS, delay_quantiles, monthly_series, replication_metrics
from model.scenario import Scenario
from model.simulation import simulate

Progress = Callable[[int], None]
"""Called with the number of replications just finished (for a progress bar)."""


@dataclass(frozen=True)
class Replications:
    """Result tables of one or more replications, each with a ``replication`` column.

    ``metrics``: ``year, scope, metric, value`` (year 0 = the whole horizon);
    ``monthly``: national ``month, metric, value``; ``delays``: national
    ``stage, quantile, value`` (days from arrival).
    """

    metrics: pd.DataFrame
    monthly: pd.DataFrame
    delays: pd.DataFrame

    @classmethod
    def concat(cls, parts: Sequence[Replications]) -> Replications:
        """Stack replications in the order given."""
        return cls(
            metrics=pd.concat([p.metrics for p in parts], ignore_index=True),
            monthly=pd.concat([p.monthly for p in parts], ignore_index=True),
            delays=pd.concat([p.delays for p in parts], ignore_index=True),
        )


def replicate(scenario: Scenario, replication: int) -> Replications:
    """Simulate one replication and reduce it to tables (cheap to send between processes)."""
    run = simulate(scenario, replication)
    return Replications(replication_metrics(run), monthly_series(run), delay_quantiles(run))


def default_workers() -> int:
    """Worker processes to use by default: every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_replications(scenario: Scenario, replications: int, workers: int = 1,
                     progress: Progress | None = None) -> Replications:
    """All replications' tables, ordered by replication whatever the number of workers.

    Replication ``r`` always draws from ``SeedSequence([seed, r])``, so the result
    does not depend on ``workers`` or on the order in which workers finish.
    """
    frames: dict[int, Replications] = {}
    if workers <= 1 or replications == 1:
        for replication in range(replications):
            frames[replication] = replicate(scenario, replication)
            if progress:
                progress(1)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, replications)) as pool:
            futures = {pool.submit(replicate, scenario, r): r for r in range(replications)}
            for future in as_completed(futures):
                frames[futures[future]] = future.result()
                if progress:
                    progress(1)
    return Replications.concat([frames[r] for r in range(replications)])


def summarise(metrics: pd.DataFrame, by: list[str],
              units: dict[str, str] = METRIC_UNITS) -> pd.DataFrame:
    """Mean and 95 % t-interval over replications of each metric, grouped by ``by``.

    A metric undefined in some replications (a mean time with no raids, say) is
    summarised over the replications where it is defined; with fewer than two
    of them the interval collapses onto the mean.
    """
    rows = []
    for keys, group in metrics.groupby(by, sort=False):
        values = group["value"].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        mean, low, high = interval(values)
        record = dict(zip(by, keys if isinstance(keys, tuple) else (keys,), strict=True))
        record.update(unit=units.get(str(record.get("metric")), ""),
                      mean=mean, ci_low=low, ci_high=high, n=len(values))
        rows.append(record)
    return pd.DataFrame(rows)


def interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of independent replications."""
    if values.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2, values.size - 1)
                 * values.std(ddof=1) / np.sqrt(values.size))
    return mean, mean - half, mean + half
