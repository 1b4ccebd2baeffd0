"""Robust across explanations and demand: each finalist's regret in every case.

The history 2018-2023 fits several explanations (the calibrated hypotheses), and demand
growth is an estimate with a range.  Each finalist of the selection, and today's
allocation, is simulated under every hypothesis at low, central and high growth
(common random numbers within a case).  A finalist's regret in a case is its shortfall
from the best finalist there; ``regret_share`` divides it by the best finalist's
objective.  ``regret_of_gain`` (what the certificate's threshold is a share of) counts
only the shortfall beyond noise: the one-sided 95 % lower bound of the paired shortfall
(common random numbers within the case), at least zero, over the finalist's own gain
over today's allocation there.  The best finalist of a case is picked on the same few
replications, so the plain shortfall from it is biased upwards (the best of several
noisy means overstates its lead), and over eighteen cases its largest value would
mostly measure noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from model.experiments.executors import ExecutorKind
from model.experiments.replications import Progress, interval, run_tasks
from model.loading import override
from model.scenario import Scenario
from model.tables import REGRET, TODAY
from solvers.plan import Plan, apply_plan
from solvers.service import objective_values

REGRET_FIRST = 200_000
"""The regret table's replication numbers start here: apart from choosing and verifying."""
DEMAND_PATH = "arrivals.growth_per_year_factor.value"
REGRET_COLUMNS = REGRET.column_list


def demand_cases(scenario: Scenario) -> dict[str, Scenario]:
    """The scenario at low, central and high yearly growth of tip-offs (its range)."""
    growth = scenario.arrivals.growth_per_year_factor
    levels = {"low": growth.low, "central": growth.value, "high": growth.high}
    return {name: override(scenario, [f"{DEMAND_PATH}={value}"])
            for name, value in levels.items() if value is not None}


@dataclass(frozen=True)
class Robustness:
    """The regret table and what it says about the choice.

    Attributes
    ----------
    table : DataFrame
        ``regret.csv`` (columns :data:`REGRET_COLUMNS`).
    worst : dict of str to float
        Each finalist's worst ``regret_of_gain`` over the cases.
    worst_case : dict of str to str
        The case where it is worst, in words.
    """

    table: pd.DataFrame
    worst: dict[str, float]
    worst_case: dict[str, str]
    values: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict, repr=False)

    def clearly_short(self, plan: str, other: str, share: float) -> str:
        """A case where ``plan`` falls short of ``other`` by more than ``share`` of its gain.

        Short beyond doubt: the one-sided 95 % lower bound of the paired shortfall
        (``other`` minus ``plan``, common random numbers within the case) exceeds
        ``share`` of ``other``'s mean gain over today's allocation there.  Returns the
        case in words, or "" when there is none.
        """
        for hypothesis, demand in dict.fromkeys((h, d) for h, d, _ in self.values):
            mine, theirs = (self.values[(hypothesis, demand, name)] for name in (plan, other))
            shortfall = theirs - mine
            gain = float((theirs - self.values[(hypothesis, demand, TODAY)]).mean())
            low = beyond_noise(shortfall)
            if low > share * max(gain, 0.0):
                return (f"under {hypothesis} with {demand} demand, {other} gives "
                        f"{shortfall.mean():,.0f} more (one-sided 95 % bound {low:,.0f}; "
                        f"{share:.0%} of its gain is {share * max(gain, 0.0):,.0f})")
        return ""

    @property
    def most_robust(self) -> str:
        """The finalist whose worst regret is smallest."""
        return min(self.worst, key=lambda name: (self.worst[name], name))


def regret_table(hypotheses: Mapping[str, Scenario], finalists: Mapping[str, Plan],
                 today: Plan, weights: dict[str, float], replications: int, workers: int,
                 progress: Progress | None = None,
                 executor: ExecutorKind = ExecutorKind.LOCAL,
                 scheduler: str | None = None,
                 known: Mapping[tuple[str, str, str], np.ndarray] | None = None) -> Robustness:
    """Simulate every finalist and today's allocation in every case; their regrets.

    All the cases' replications run as one pool of tasks.  ``known`` holds objective
    values already simulated (an earlier table's ``values``, the same replications): only
    the finalists it lacks are simulated.
    """
    plans = {**finalists, TODAY: today}
    cases = {(hypothesis, demand): scenario
             for hypothesis, base in hypotheses.items()
             for demand, scenario in demand_cases(base).items()}
    numbers = range(REGRET_FIRST, REGRET_FIRST + replications)
    values: dict[tuple[str, str, str], np.ndarray] = dict(known or {})
    keys = [(h, d, name) for h, d in cases for name in plans if (h, d, name) not in values]
    applied = [apply_plan(cases[(h, d)], plans[name]) for h, d, name in keys]
    tasks = [(scenario, r) for scenario in applied for r in numbers]
    results = run_tasks(tasks, workers, progress, executor, scheduler)
    for index, key in enumerate(keys):
        chunk = results[index * replications:(index + 1) * replications]
        values[key] = np.concatenate([objective_values(part, weights) for part in chunk])
    robustness = _regrets(values, list(cases), list(finalists))
    return replace(robustness, values=values)


def beyond_noise(shortfall: np.ndarray) -> float:
    """The paired shortfall's one-sided 95 % lower bound, at least zero."""
    if shortfall.size < 2:
        return max(float(shortfall.mean()), 0.0) if shortfall.size else 0.0
    half = stats.t.ppf(0.95, shortfall.size - 1) * shortfall.std(ddof=1) / np.sqrt(
        shortfall.size)
    return max(float(shortfall.mean() - half), 0.0)


def _regrets(values: dict[tuple[str, str, str], np.ndarray], cases: list[tuple[str, str]],
             finalists: list[str]) -> Robustness:
    rows = []
    worst = dict.fromkeys(finalists, 0.0)
    worst_case = dict.fromkeys(finalists, "no regret in any case")
    for hypothesis, demand in cases:
        means = {name: float(values[(hypothesis, demand, name)].mean()) for name in finalists}
        best = max(means.values())
        today = float(values[(hypothesis, demand, TODAY)].mean())
        leader = max(means, key=means.__getitem__)
        for name in finalists:
            mean, low, high = interval(values[(hypothesis, demand, name)])
            shortfall = best - mean
            beyond = beyond_noise(values[(hypothesis, demand, leader)]
                                  - values[(hypothesis, demand, name)])
            gain = mean - today
            of_gain = beyond / gain if gain > 0 else (0.0 if beyond <= 0 else np.inf)
            rows.append({"candidate": name, "hypothesis": hypothesis, "demand": demand,
                         "objective_mean": mean, "ci_low": low, "ci_high": high,
                         "regret_share": shortfall / best if best else 0.0,
                         "regret_of_gain": of_gain})
            if of_gain > worst[name]:
                worst[name] = float(of_gain)
                worst_case[name] = (f"under {hypothesis} with {demand} demand, {leader} gives "
                                    f"{shortfall:,.0f} more, at least {beyond:,.0f} beyond "
                                    f"noise ({of_gain:.0%} of this plan's gain over today's "
                                    "allocation there)")
    return Robustness(pd.DataFrame(rows, columns=REGRET_COLUMNS), worst, worst_case)
