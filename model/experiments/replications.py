"""Replications of a scenario (in parallel), and their summary with 95 % intervals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from model.engine.initial_state import COLUMNS as END_STATE_COLUMNS
from model.engine.initial_state import carrying_initial_state
from model.engine.outcomes import (
    delay_quantiles,
    end_state,
    monthly_series,
    replication_metrics,
    utilisation_shares,
)
from model.engine.simulation import simulate
from model.experiments.executors import ExecutorKind, dask_map, local_map, usable_cores
from model.metrics import METRIC_UNITS, NATIONAL, WHOLE_HORIZON
from model.scenario import Scenario

Progress = Callable[[int], object]
"""Called with the number of replications just finished (for a progress bar)."""


@dataclass(frozen=True)
class Replications:
    """Result tables of one or more replications, each with a ``replication`` column.

    ``metrics``: ``year, scope, metric, value`` (year 0 = the whole horizon);
    ``monthly``: national ``month, metric, value``; ``delays``: national
    ``stage, quantile, value`` (days from arrival); ``end_state``: counts still
    in the pipeline at the end by ``state, stage, age_days_low, age_days_high``;
    ``utilisation``: ``scope, group, busy, blocked, idle``, shares of on-duty time
    over the whole horizon.
    """

    metrics: pd.DataFrame
    monthly: pd.DataFrame
    delays: pd.DataFrame
    end_state: pd.DataFrame
    utilisation: pd.DataFrame

    @classmethod
    def concat(cls, parts: Sequence[Replications]) -> Replications:
        """Stack replications in the order given."""
        return cls(
            metrics=pd.concat([p.metrics for p in parts], ignore_index=True),
            monthly=pd.concat([p.monthly for p in parts], ignore_index=True),
            delays=pd.concat([p.delays for p in parts], ignore_index=True),
            end_state=pd.concat([p.end_state for p in parts], ignore_index=True),
            utilisation=pd.concat([p.utilisation for p in parts], ignore_index=True),
        )

    def national(self, metric: str) -> np.ndarray:
        """A national whole-horizon metric, one value per replication, in replication order."""
        return self.in_scope(metric, NATIONAL)

    def in_scope(self, metric: str, scope: str) -> np.ndarray:
        """A whole-horizon metric of one scope, one value per replication, in order.

        ``scope`` is ``national``, a state code or ``hq``.
        """
        metrics = self.metrics
        chosen = metrics[(metrics.year == WHOLE_HORIZON) & (metrics.scope == scope)
                         & (metrics.metric == metric)]
        return chosen.sort_values("replication").value.to_numpy()

    def mean_end_state(self) -> pd.DataFrame:
        """The end state averaged over replications, rounded to whole tip-offs."""
        replications = self.metrics.replication.nunique()
        keys = END_STATE_COLUMNS[:-1]
        total = self.end_state.groupby(keys, as_index=False)["count"].sum()
        total["count"] = (total["count"] / replications).round().astype(int)
        return total[total["count"] > 0][END_STATE_COLUMNS].reset_index(drop=True)


def replicate(scenario: Scenario, replication: int) -> Replications:
    """Simulate one replication and reduce it to tables (cheap to send between processes)."""
    run = simulate(scenario, replication)
    return Replications(replication_metrics(run), monthly_series(run), delay_quantiles(run),
                        end_state(run), utilisation_shares(run))


def default_workers() -> int:
    """Worker processes to use by default: every core this process may run on."""
    return usable_cores()


Variants = Callable[[int], Scenario]
"""The scenario to use for replication ``r`` (parameter uncertainty draws one per replication)."""


def run_replications(scenario: Scenario, replications: int, workers: int = 1,
                     progress: Progress | None = None, variants: Variants | None = None,
                     first: int = 0, executor: ExecutorKind = ExecutorKind.LOCAL,
                     scheduler: str | None = None) -> Replications:
    """Replications ``first .. first + replications - 1``, ordered, whatever the workers.

    Replication ``r`` always draws from ``SeedSequence([seed, r])``, so the result
    does not depend on ``workers``, on the executor (a local process pool or a Dask
    cluster) or on the order in which workers finish.
    """
    numbers = range(first, first + replications)
    tasks = [(variants(r) if variants else scenario, r) for r in numbers]
    return Replications.concat(run_tasks(tasks, workers, progress, executor, scheduler))


Task = tuple[Scenario, int]
"""One replication to run: the scenario (a variant under uncertainty) and its number."""
Finished = Callable[[int, Replications], object]
"""Called with a task's index and its result as the task ends (a sweep writes its points)."""


def run_tasks(tasks: Sequence[Task], workers: int = 1, progress: Progress | None = None,
              executor: ExecutorKind = ExecutorKind.LOCAL, scheduler: str | None = None,
              finished: Finished | None = None) -> list[Replications]:
    """Run replications of any scenarios as one pool of tasks; results in the tasks' order.

    Many scenarios' replications (a calibration's design points, a selection's
    candidates, a sweep's points) share one pool, so the cores stay busy across
    scenarios and a pool is started once, not once per scenario.  Each scenario is
    sent carrying its starting state's rows (read here, in this process, if it does not
    yet), so a worker never reads a file of this machine's.  ``finished(index, result)``
    is called in this process as each task ends, in the order they end.
    """
    if not tasks:
        return []
    frames: dict[int, Replications] = {}

    def done(index: int, result: Replications) -> None:
        frames[index] = result
        if finished:
            finished(index, result)
        if progress:
            progress(1)

    tasks = _carrying_initial_states(tasks)
    if executor is ExecutorKind.DASK:
        dask_map(replicate, tasks, scheduler, workers, done)
    else:
        local_map(replicate, tasks, workers, done)
    return [frames[index] for index in range(len(tasks))]


def _carrying_initial_states(tasks: Sequence[Task]) -> list[Task]:
    """The tasks with every scenario carrying its starting state, each file read once."""
    carried: dict[int, Scenario] = {}
    for scenario, _ in tasks:
        if id(scenario) not in carried:
            carried[id(scenario)] = carrying_initial_state(scenario)
    return [(carried[id(scenario)], replication) for scenario, replication in tasks]


def run_until_precise(scenario: Scenario, workers: int, precision_share: float, cap: int,
                      progress: Progress | None = None, variants: Variants | None = None,
                      metric: str = "actioned", minimum: int = 5) -> Replications:
    """Replicate until the 95 % interval of the national ``metric`` is tight enough.

    Stops at the first ``n >= minimum`` whose interval half-width is within
    ``precision_share`` of the mean, or at ``cap``.  Replications run in
    batches of ``workers``, but the rule is applied to each prefix in order,
    so the count (and every number) does not depend on the number of workers.
    """
    parts: list[Replications] = []
    values: list[float] = []
    done = 0
    while done < cap:
        batch = min(max(workers, minimum - done, 1), cap - done)
        part = run_replications(scenario, batch, workers, progress, variants, first=done)
        parts.append(part)
        values.extend(part.national(metric).tolist())
        done += batch
        enough = precise_prefix(np.array(values), precision_share, minimum)
        if enough is not None:
            return _first(Replications.concat(parts), enough)
    return Replications.concat(parts)


def precise_prefix(values: np.ndarray, precision_share: float, minimum: int) -> int | None:
    """The smallest ``n >= minimum`` whose interval half-width is within the precision."""
    for count in range(minimum, len(values) + 1):
        mean, low, high = interval(values[:count])
        if mean != 0 and (high - low) / 2 <= precision_share * abs(mean):
            return count
    return None


def _first(results: Replications, count: int) -> Replications:
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame.replication < count].reset_index(drop=True)

    return Replications(keep(results.metrics), keep(results.monthly), keep(results.delays),
                        keep(results.end_state), keep(results.utilisation))


SHARE_UNITS = ("fraction", "probability")
"""How the units of shares begin: their intervals stay inside 0 to 1."""


def summarise(metrics: pd.DataFrame, by: list[str],
              units: dict[str, str] = METRIC_UNITS, spread: bool = False) -> pd.DataFrame:
    """Mean and 95 % t-interval over replications of each metric, grouped by ``by``.

    A metric undefined in some replications (a mean time with no raids, say) is
    summarised over the replications where it is defined; with fewer than two
    of them the interval collapses onto the mean.  With ``spread`` the interval
    is the 2.5th to 97.5th percentile of the replications instead (the range of
    outcomes when parameters are drawn from their ranges), not an interval for
    the mean.  The interval of a share (a unit starting "fraction" or "probability") is
    cut to ``[0, 1]``, which no share can leave; its mean is not touched.
    """
    rows = []
    for keys, group in metrics.groupby(by, sort=False):
        values = group["value"].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        mean, low, high = percentile_interval(values) if spread else interval(values)
        record = dict(zip(by, keys if isinstance(keys, tuple) else (keys,), strict=True))
        unit = units.get(str(record.get("metric")), "")
        if unit.startswith(SHARE_UNITS):
            low, high = float(np.clip(low, 0.0, 1.0)), float(np.clip(high, 0.0, 1.0))
        record.update(unit=unit, mean=mean, ci_low=low, ci_high=high, n=len(values))
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


def percentile_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and the central 95 % of the values (2.5th to 97.5th percentile)."""
    if values.size == 0:
        return np.nan, np.nan, np.nan
    low, high = np.percentile(values, [2.5, 97.5])
    return float(values.mean()), float(low), float(high)
