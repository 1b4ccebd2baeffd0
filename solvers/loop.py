"""Optimise, then verify: the simulation-optimisation loop and the answers planners ask for.

1. Solve the surrogate; simulate the plan; compare what the surrogate promised
   with what the simulation delivered (the gap, reported for every round).
2. Recalibrate the surrogate from the simulation (each stage's efficiency is
   scaled by simulated over promised throughput) and solve again, until the
   plan stops changing or the rounds run out.
3. Verify the chosen plan against today's allocation and the rule "three to
   four posts per state" with common random numbers (paired differences).
4. Marginal values: one more post in each state, RM1 million more, 100 Mbps
   more, from the surrogate, and checked in the simulation for the largest few.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.comparisons import paired_differences
from model.experiments.replications import Progress, Replications, interval, run_replications
from model.metrics import HQ, NATIONAL, WHOLE_HORIZON
from model.optimise_schema import BandwidthTier
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.allocation import solve, surrogate_value
from solvers.plan import (
    Plan,
    apply_plan,
    plan_cost_rm,
    plan_costs,
    status_quo_plan,
    three_to_four_rule,
)
from solvers.surrogate import STAGES, Surrogate, build_surrogate

EFFICIENCY_RANGE = (0.2, 2.0)
"""Recalibration never scales a stage's capacity beyond these factors in one go."""
CHECKED_MARGINALS = 3
"""How many of the largest marginal values per post are checked in the simulation."""


@dataclass(frozen=True)
class Round:
    """One optimise-and-verify round."""

    number: int
    plan: Plan
    surrogate: Surrogate
    promised: float
    simulated: float
    ci_low: float
    ci_high: float

    @property
    def gap_share(self) -> float:
        """How far the simulation fell short of (or beat) the surrogate's promise."""
        return (self.simulated - self.promised) / self.promised if self.promised else np.nan


@dataclass(frozen=True)
class Outcome:
    """Everything the optimise command reports."""

    plan: Plan
    stable: bool
    rounds: list[Round]
    results: dict[str, Replications]  # option -> final verification replications
    plans: dict[str, Plan]
    paired: pd.DataFrame
    marginal: pd.DataFrame
    costs: pd.DataFrame


def by_state(results: Replications, metric: str) -> dict[str, float]:
    """Mean over replications of a whole-horizon metric for each state."""
    metrics = results.metrics
    chosen = metrics[(metrics.year == WHOLE_HORIZON) & (metrics.metric == metric)
                     & (metrics.scope != NATIONAL)]
    return chosen.groupby("scope").value.mean().to_dict()


def recalibrate(surrogate: Surrogate, plan: Plan, simulated: Replications) -> Surrogate:
    """Scale each stage's efficiency by what the simulation delivered over what was promised.

    A state whose officers were fully busy was capacity-bound: its own
    capacity is scaled.  The others were short of cases: their shortfall
    scales the share of reviews passed on to the states.
    """
    efficiency = dict(surrogate.efficiency)

    def scale(stage: str, delivered: float, promised: float) -> None:
        if promised > 0 and delivered > 0:
            factor = float(np.clip(delivered / promised, *EFFICIENCY_RANGE))
            efficiency[stage] = float(np.clip(efficiency[stage] * factor, 0.05, 5.0))

    flows = plan.flows
    scale("download", simulated.national("selected_for_download").mean(),
          flows.get("selected", 0.0))
    scale("review", simulated.national("reviewed").mean(), flows.get("reviewed", 0.0))
    actioned = by_state(simulated, "actioned")
    busy = by_state(simulated, "utilisation_officers")
    short_delivered, short_promised = 0.0, 0.0
    for code in STATE_CODES:
        promised = flows.get(f"actioned.{code}", 0.0)
        if busy.get(code, 0.0) >= 0.95:
            scale(code, actioned.get(code, 0.0), promised)
        else:
            short_delivered += actioned.get(code, 0.0)
            short_promised += promised
    scale("pass", short_delivered, short_promised)
    assert set(efficiency) == set(STAGES)
    return surrogate.with_efficiency(efficiency)


def same_levers(a: Plan, b: Plan) -> bool:
    """Two plans that set every lever alike."""
    return (a.posts == b.posts and a.course_places == b.course_places
            and a.bandwidth_tier == b.bandwidth_tier and a.campaigns == b.campaigns)


def optimise_and_verify(scenario: Scenario, replications: int, workers: int,
                        say: Callable[[str], None] = lambda _: None,
                        progress: Progress | None = None) -> Outcome:
    """Solve, verify and recalibrate until the plan is stable; then compare and price it."""
    settings = scenario.optimise
    assert settings is not None
    surrogate = build_surrogate(scenario)
    rounds: list[Round] = []
    previous: Plan | None = None
    stable = False
    for number in range(1, settings.rounds + 1):
        plan = solve(scenario, surrogate, target=settings.target_actioned)
        say(f"round {number}: surrogate promises {plan.surrogate_actioned:,.0f} actioned "
            f"({plan.status}, {plan.solve_seconds:.1f} s); simulating ...")
        simulated = run_replications(apply_plan(scenario, plan), settings.replications, workers)
        values = simulated.national("actioned")
        mean, low, high = interval(values)
        rounds.append(Round(number, plan, surrogate, plan.surrogate_actioned, mean, low, high))
        say(f"round {number}: simulated {mean:,.0f} [{low:,.0f}, {high:,.0f}]")
        if previous is not None and same_levers(plan, previous):
            stable = True
            break
        previous = plan
        surrogate = recalibrate(surrogate, plan, simulated)
    chosen = rounds[-1] if stable else max(rounds, key=lambda r: r.simulated)
    plan = replace(chosen.plan, name="optimised")
    surrogate = chosen.surrogate  # marginal values ask the model that chose the plan

    options = {"optimised": plan, "status_quo": status_quo_plan(scenario),
               "three_to_four_per_state": three_to_four_rule(scenario, settings)}
    results: dict[str, Replications] = {}
    for name, option in options.items():
        say(f"verifying {name} with {replications} replications (common random numbers) ...")
        results[name] = run_replications(apply_plan(scenario, option), replications, workers,
                                         progress)
    paired = paired_differences(results, "optimised", ["status_quo", "three_to_four_per_state"])
    say("marginal values ...")
    marginal = marginal_values(scenario, surrogate, plan, results["optimised"], replications,
                               workers)
    costs = pd.DataFrame(plan_costs(scenario, plan))
    return Outcome(plan, stable, rounds, results, options, paired, marginal, costs)


def marginal_values(scenario: Scenario, surrogate: Surrogate, plan: Plan,
                    base: Replications, replications: int, workers: int) -> pd.DataFrame:
    """Actioned tip-offs gained by one more post per state, RM1 million, 100 Mbps."""
    settings = scenario.optimise
    assert settings is not None
    promised = surrogate_value(scenario, surrogate, plan)
    rows = []
    variants: dict[str, Plan] = {}
    for code in STATE_CODES:
        posts = dict(plan.posts)
        posts[(code, "officers")] += 1
        variant = replace(plan, posts=posts, name=f"+1 officer post in {code}")
        variants[variant.name] = variant
        rows.append({"lever": "one more officer post", "scope": code, "unit": "actioned tip-offs",
                     "model_gain": surrogate_value(scenario, surrogate, variant) - promised,
                     "extra_cost_rm": plan_cost_rm(scenario, variant) - plan_cost_rm(scenario,
                                                                                     plan)})
    richer = solve(scenario, surrogate, name="+RM1 million",
                   budget_rm=settings.budget_rm + 1_000_000)
    variants[richer.name] = richer
    rows.append({"lever": "RM1 million more", "scope": NATIONAL, "unit": "actioned tip-offs",
                 "model_gain": richer.surrogate_actioned - promised,
                 "extra_cost_rm": plan_cost_rm(scenario, richer) - plan_cost_rm(scenario, plan)})
    mbps = (plan.bandwidth_tier.mbps if plan.bandwidth_tier
            else scenario.download.bandwidth_mbps.value) + 100
    wider = replace(plan, name="+100 Mbps",
                    bandwidth_tier=BandwidthTier(mbps=mbps, install_rm=0, monthly_rm=0,
                                                 source="what-if: 100 Mbps more"))
    variants[wider.name] = wider
    rows.append({"lever": "100 Mbps more", "scope": HQ, "unit": "actioned tip-offs",
                 "model_gain": surrogate_value(scenario, surrogate, wider) - promised,
                 "extra_cost_rm": float("nan")})
    table = pd.DataFrame(rows)
    posts = table[table.lever == "one more officer post"].nlargest(CHECKED_MARGINALS,
                                                                   "model_gain")
    checked = [f"+1 officer post in {code}" for code in posts.scope]
    checked += ["+RM1 million", "+100 Mbps"]
    base_values = base.national("actioned")
    table["simulated_gain"] = np.nan
    table["ci_low"] = np.nan
    table["ci_high"] = np.nan
    for name in checked:
        variant = variants[name]
        values = run_replications(apply_plan(scenario, variant), replications,
                                  workers).national("actioned")
        mean, low, high = interval(values - base_values)
        where = table.index[[_label(row) == name for row in table.itertuples()]]
        table.loc[where, ["simulated_gain", "ci_low", "ci_high"]] = [mean, low, high]
    return table


def _label(row: Any) -> str:
    lever, scope = row.lever, row.scope
    if lever == "one more officer post":
        return f"+1 officer post in {scope}"
    return {"RM1 million more": "+RM1 million", "100 Mbps more": "+100 Mbps"}[lever]
