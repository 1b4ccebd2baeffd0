"""Options compared with common random numbers: every option runs with the same seed.

With the same seed, replication ``r`` of every option draws the same arrivals, and the
same efforts and chances for the same piece of work (``model.engine.rng``), so the
difference between two options is paired replication by replication and its interval is
far tighter than that of either option.

Each pair of options is compared on several metrics at once, so a verdict allows for
the number compared (Holm's step-down method, :func:`holm`) and for what matters (a
practical threshold): the rule and its words are ``model.metrics.verdict``; this module
computes the statistics it reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from model.experiments.replications import (
    Progress,
    Replications,
    Task,
    interval,
    run_tasks,
    summarise,
)
from model.experiments.uncertainty import UncertainScenarios
from model.metrics import (
    COMPARISON_COLUMNS,
    DEFAULT_THRESHOLD_SHARE,
    FAMILY_CONFIDENCE,
    PAIRED_COLUMNS,
    WHOLE_HORIZON,
    rule_text,
    verdict,
)
from model.runs.record import PAIRED, WITH_PARAMETERS
from model.scenario import Scenario

PAIRED_METRICS = ("raids", "arrests", "charges", "closed_after_investigation", "downloaded",
                  "reviewed", "investigated", "high_risk_examined",
                  "high_risk_examined_within_target", "high_risk_within_target_share",
                  "high_risk_lapsed", "lapsed", "actioned", "tipoffs_received",
                  "local_reports_received")
"""National metrics whose paired differences every comparison reports (one Holm family):
the outcomes leadership reads first, then ``actioned`` (raids plus closures on paper) and
the tip-offs received and the local reports among them (which campaigns move)."""


# ---------------------------------------------------------------------------------------
# Statistics of paired differences
# ---------------------------------------------------------------------------------------


def paired_p_value(differences: np.ndarray) -> float:
    """Two-sided p-value that the mean paired difference is zero: the paired t-test.

    Differences that are all equal have no spread and no t statistic: all zero gives 1;
    all the same non-zero value gives the exact sign test's ``2 ** (1 - n)`` (every one
    of ``n`` differences on one side), so that three replications that each differ by
    one charge are not taken for proof.  Fewer than two differences: NaN (no test).
    """
    if differences.size < 2:
        return float("nan")
    mean = float(differences.mean())
    spread = float(differences.std(ddof=1))
    if spread == 0:
        return 1.0 if mean == 0 else float(2.0 ** (1 - differences.size))
    statistic = mean / (spread / np.sqrt(differences.size))
    return float(2 * stats.t.sf(abs(statistic), differences.size - 1))


def holm(p_values: Sequence[float], alpha: float = 1 - FAMILY_CONFIDENCE
         ) -> tuple[list[bool], list[float]]:
    """Holm's step-down decisions, and the significance level each hypothesis is held to.

    The ``m`` p-values are sorted; the ``k``-th smallest is compared with
    ``alpha / (m - k + 1)``, and the procedure stops at the first that exceeds its level:
    that one and every larger p-value are not rejected.  The family-wise error rate is
    at most ``alpha`` whatever the dependence between the tests (Holm 1979).

    Parameters
    ----------
    p_values : sequence of float
        One p-value per hypothesis; NaN (no test) is never rejected.
    alpha : float, optional
        The family-wise error rate (default 0.05).

    Returns
    -------
    rejected : list of bool
        Whether each hypothesis is rejected, in the order given.
    levels : list of float
        Each hypothesis's level: ``alpha / (m - k + 1)`` at its rank ``k`` for those
        rejected, and the level of the first one not rejected for every one not
        rejected.  The ``1 - level`` interval of a t-test excludes zero exactly when
        Holm rejects, so it is the interval that matches the decisions.
    """
    tested = [1.0 if np.isnan(p) else float(p) for p in p_values]
    count = len(tested)
    rejected = [False] * count
    levels = [alpha] * count
    stopped_at: float | None = None
    for rank, index in enumerate(np.argsort(tested, kind="stable")):
        level = alpha / (count - rank)
        if stopped_at is None and tested[index] <= level:
            rejected[index] = True
        elif stopped_at is None:
            stopped_at = level
        levels[index] = level if stopped_at is None else stopped_at
    return rejected, levels


def _finite_pairs(values_a: np.ndarray, values_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values_a, values_b = np.asarray(values_a, float), np.asarray(values_b, float)
    if values_a.shape != values_b.shape:
        raise ValueError(f"paired options need the same replications ({values_a.size} and "
                         f"{values_b.size} values)")
    keep = np.isfinite(values_a) & np.isfinite(values_b)
    return values_a[keep], values_b[keep]


def paired_verdicts(option_a: str, option_b: str, values_a: Mapping[str, np.ndarray],
                    values_b: Mapping[str, np.ndarray],
                    threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> pd.DataFrame:
    """Paired differences of ``option_a`` minus ``option_b`` in each metric, with verdicts.

    Parameters
    ----------
    option_a, option_b : str
        The options' names; option b is the reference.
    values_a, values_b : mapping of str to np.ndarray
        Each metric's value per replication, replication ``r`` of a paired with ``r``
        of b (common random numbers); a replication where either is NaN is left out.
        The metrics of ``values_a`` form one family for Holm's adjustment.
    threshold_share : float, optional
        The practical threshold, a share of option b's mean (default 0.01).

    Returns
    -------
    pd.DataFrame
        ``model.metrics.PAIRED_COLUMNS``: ``mean_diff`` with its unadjusted 95 %
        interval ``ci_low, ci_high``; ``reference_mean`` (option b's mean);
        ``p_value`` (:func:`paired_p_value`); ``adjusted_confidence``, ``1 - level`` of
        :func:`holm`; ``adjusted_ci_low, adjusted_ci_high``, the paired t-interval at that
        confidence, which excludes zero exactly where Holm's step-down rejects "no
        difference" at family-wise 95 % (NaN where no interval can say so: fewer than two
        replications, or identical differences the sign test does not reject);
        ``threshold_share``; and ``verdict`` by ``model.metrics.verdict``.
    """
    rows = []
    for metric in values_a:
        a, b = _finite_pairs(values_a[metric], values_b[metric])
        mean, low, high = interval(a - b)
        rows.append({"option_a": option_a, "option_b": option_b, "metric": metric,
                     "mean_diff": mean, "ci_low": low, "ci_high": high,
                     "reference_mean": float(b.mean()) if b.size else float("nan"),
                     "p_value": paired_p_value(a - b), "differences": a - b})
    _, levels = holm([row["p_value"] for row in rows])
    for row, level in zip(rows, levels, strict=True):
        low, high = _adjusted_interval(row.pop("differences"), level, row["p_value"])
        row.update(adjusted_confidence=1 - level, adjusted_ci_low=low, adjusted_ci_high=high,
                   threshold_share=threshold_share,
                   verdict=verdict(row["metric"], row["mean_diff"], low, high,
                                   row["reference_mean"], threshold_share))
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def _adjusted_interval(differences: np.ndarray, level: float,
                       p_value: float) -> tuple[float, float]:
    """The paired t-interval at ``1 - level``; NaN where it cannot stand for Holm's decision.

    That is with fewer than two differences, and with identical non-zero differences the
    sign test did not reject: their t-interval has no width and would exclude zero.
    """
    if differences.size < 2:
        return float("nan"), float("nan")
    _, low, high = interval(differences, 1 - level)
    if low == high != 0 and not p_value <= level:
        return float("nan"), float("nan")
    return low, high


def paired_differences(results: Mapping[str, Replications], option_a: str,
                       others: list[str],
                       threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> pd.DataFrame:
    """``option_a`` against each of ``others`` in :data:`PAIRED_METRICS`, with verdicts.

    Each pair is one family of :data:`PAIRED_METRICS` (see :func:`paired_verdicts`).
    """
    def national(option: str) -> dict[str, np.ndarray]:
        return {metric: results[option].national(metric) for metric in PAIRED_METRICS}

    return _stacked([paired_verdicts(option_a, option_b, national(option_a),
                                     national(option_b), threshold_share)
                     for option_b in others])


def each_later_against_each_earlier(results: Mapping[str, Replications],
                                    threshold_share: float = DEFAULT_THRESHOLD_SHARE
                                    ) -> pd.DataFrame:
    """Paired differences of every option against every option listed before it."""
    names = list(results)
    return _stacked([paired_differences(results, later, [earlier], threshold_share)
                     for i, earlier in enumerate(names) for later in names[i + 1:]])


def _stacked(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Paired tables one under another; no pairs, no rows (with the columns)."""
    if not frames:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------
# Running options side by side
# ---------------------------------------------------------------------------------------


def option_scenarios(loaded: Mapping[str, Scenario], seed: int | None = None,
                     replications: int | None = None) -> dict[str, Scenario]:
    """The options to compare: one seed and one count for all, none optimised.

    The seed and count default to the first option's; an ``optimise`` section is
    dropped (a comparison simulates each option as written).
    """
    first = next(iter(loaded.values()))
    update = {"seed": first.seed if seed is None else seed,
              "replications": replications or first.replications, "optimise": None}
    return {name: scenario.model_copy(update=update) for name, scenario in loaded.items()}


def run_options(options: Mapping[str, Scenario], replications: int, workers: int,
                progress: Progress | None = None,
                variants: Mapping[str, UncertainScenarios] | None = None
                ) -> dict[str, Replications]:
    """Run every option for the same replications (the caller gives them one seed).

    Every option's replications share one pool of workers.  With ``variants``,
    replication ``r`` of an option runs that option's ``r``-th parameter draw.
    """
    tasks: list[Task] = [(variants[name](r) if variants else scenario, r)
                         for name, scenario in options.items() for r in range(replications)]
    done = run_tasks(tasks, workers, progress)
    return {name: Replications.concat(done[i * replications:(i + 1) * replications])
            for i, name in enumerate(options)}


@dataclass(frozen=True)
class Compared:
    """Options run side by side and compared.

    Attributes
    ----------
    results : dict of str to Replications
        Each option's replications.
    table : pd.DataFrame
        Every option's whole-horizon summary (``comparison.csv``).
    paired : pd.DataFrame
        Each later option against each earlier one, with verdicts (``paired_diff.csv``).
    record : dict
        What ``run.json`` adds: the intervals' meaning, the rule, the draws.
    """

    results: dict[str, Replications]
    table: pd.DataFrame
    paired: pd.DataFrame
    record: dict[str, Any] = field(default_factory=dict)


def compare_options(options: Mapping[str, Scenario], workers: int,
                    progress: Progress | None = None, uncertainty: bool = False,
                    threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> Compared:
    """Run the options with common random numbers and compare each later with each earlier.

    Parameters
    ----------
    options : mapping of str to Scenario
        The options, with one seed and one count of replications (:func:`option_scenarios`).
    workers : int
        Worker processes.
    progress : callable, optional
        Called with the number of replications just finished.
    uncertainty : bool, optional
        Each option draws its parameters replication by replication as ``run
        --uncertainty`` does (``UncertainScenarios.design`` with the option's seed), so
        options under one hypothesis pair their draws; each option's summary is then the
        2.5th-97.5th percentile of its replications.
    threshold_share : float, optional
        The practical threshold of the verdicts (default 0.01).

    Returns
    -------
    Compared
        The replications, the tables and what ``run.json`` records of them.
    """
    replications = next(iter(options.values())).replications
    variants = ({name: UncertainScenarios.design(scenario, replications)
                 for name, scenario in options.items()} if uncertainty else None)
    results = run_options(options, replications, workers, progress, variants)
    paired = each_later_against_each_earlier(results, threshold_share)
    record: dict[str, Any] = {"threshold_share": threshold_share,
                              "verdict_rule": rule_text(len(PAIRED_METRICS), threshold_share)}
    if variants is not None:
        record["interval"] = (f"options: {WITH_PARAMETERS}; differences: {PAIRED}, each pair "
                              "of replications drawing the same parameters where the options "
                              "share a hypothesis")
        record["uncertainty_drawn_from"] = {name: draws.describe()
                                            for name, draws in variants.items()}
    return Compared(results, comparison_table(results, spread=uncertainty), paired, record)


def whole_horizon_summary(results: Replications, spread: bool = False) -> pd.DataFrame:
    """``scope, metric, unit, mean, ci_low, ci_high`` of one option over the whole horizon."""
    whole = results.metrics[results.metrics.year == WHOLE_HORIZON]
    return summarise(whole, ["scope", "metric"], spread=spread)[COMPARISON_COLUMNS[1:]]


def comparison_table(results: Mapping[str, Replications], spread: bool = False
                     ) -> pd.DataFrame:
    """Every option's whole-horizon summary, stacked with a leading ``option`` column."""
    frames = [whole_horizon_summary(result, spread).assign(option=name)
              for name, result in results.items()]
    return pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]
