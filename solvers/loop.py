"""Optimise, then verify: the simulation-optimisation loop and the answers planners ask for.

1. Solve the surrogate; simulate the plan; compare what the surrogate promised for the
   objective with what the simulation delivered (the gap, reported for every round).
2. Recalibrate the surrogate from the simulation (each stage's efficiency is scaled by
   simulated over promised throughput) and solve again, until the plan stops changing
   or the rounds run out.
3. Verify the chosen plan against today's allocation, the rule "three to four posts per
   state" and every comparator scenario (``optimise.comparators``) with common random
   numbers (paired differences); check each service level in the simulation.
4. The binding constraints (``solvers.binding``), the frontier between two outcomes
   (``solvers.frontier``) and the money by year (``solvers.budget``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from model.experiments.comparisons import paired_differences
from model.experiments.replications import Progress, Replications, interval, run_replications
from model.metrics import NATIONAL, WHOLE_HORIZON
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.allocation import (
    InfeasiblePlan,
    Request,
    fits,
    floor_key,
    reference_outcomes,
    solve,
)
from solvers.binding import binding_constraints
from solvers.budget import budget_table
from solvers.comparators import comparator_plans
from solvers.frontier import FRONTIER_COLUMNS, frontier_table
from solvers.plan import Plan, apply_plan, plan_costs, status_quo_plan, three_to_four_rule
from solvers.service import objective_values, service_level_table, values_of
from solvers.surrogate import STAGES, Surrogate, build_surrogate

EFFICIENCY_RANGE = (0.2, 2.0)
"""Recalibration never scales a stage's capacity beyond these factors in one go."""
CHOSEN = "optimised"
STATUS_QUO = "status_quo"
RULE = "three_to_four_per_state"


@dataclass(frozen=True)
class Round:
    """One optimise-and-verify round (the objective promised and simulated)."""

    number: int
    plan: Plan
    surrogate: Surrogate
    promised: float
    simulated: float
    ci_low: float
    ci_high: float
    floors_met: bool = True  # every service level held in this round's simulation
    reference: dict[str, float] = field(default_factory=dict)  # what its floors asked of

    @property
    def gap_share(self) -> float:
        """How far the simulation fell short of (or beat) the surrogate's promise."""
        return (self.simulated - self.promised) / self.promised if self.promised else np.nan


@dataclass(frozen=True)
class Outcome:
    """Everything the optimise command reports.

    Attributes
    ----------
    plan : Plan
        The chosen plan.
    stable, rounds
        Whether the plan stopped changing, and every round.
    results : dict of str to Replications
        Each option's verification replications (the chosen, status quo, the rule, every
        comparator), with common random numbers.
    plans : dict of str to Plan
        The options' plans.
    fitting : dict of str to bool
        Whether each option keeps the planner's constraints (the rule and comparators are
        simulated either way, never chosen).
    paired : DataFrame
        ``paired_diff.csv``: the chosen plan against every other option.
    costs, budget, frontier, binding, service_levels : DataFrame
        ``plan.csv`` rows (``solvers.plan.plan_costs``), ``budget.csv``, ``frontier.csv``,
        ``binding.csv`` and the service levels checked in the simulation.
    option_costs : dict of str to DataFrame
        ``plan.csv`` rows of every option (comparators costed alike).
    reference : dict of str to float
        The surrogate's outcomes of the status quo (what relative floors are fractions of).
    """

    plan: Plan
    stable: bool
    rounds: list[Round]
    results: dict[str, Replications]
    plans: dict[str, Plan]
    fitting: dict[str, bool]
    paired: pd.DataFrame
    costs: pd.DataFrame
    budget: pd.DataFrame
    frontier: pd.DataFrame
    binding: pd.DataFrame
    service_levels: pd.DataFrame
    option_costs: dict[str, pd.DataFrame]
    reference: dict[str, float]


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
    scale("high_risk", simulated.national("high_risk_examined_within_target").mean(),
          flows.get("high_risk_examined_within_target", 0.0))
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
            and a.bandwidth_tier == b.bandwidth_tier and a.campaigns == b.campaigns
            and a.phasing == b.phasing and a.tooling == b.tooling)


def _rounds(scenario: Scenario, workers: int, say: Callable[[str], None]
            ) -> tuple[list[Round], bool]:
    """Solve, simulate and recalibrate until the plan stops changing.

    Relative floors ask for a fraction of today's allocation in the surrogate, aimed a
    margin above it; a floor the round's plan missed in the simulation (against today's
    allocation simulated with the same seeds) is raised for the next round by the share
    it fell short, so that the floors hold where they are checked: in the simulation.  A
    round whose raised floors the surrogate cannot reach ends the rounds.
    """
    settings = scenario.optimise
    assert settings is not None
    surrogate = build_surrogate(scenario)
    today = run_replications(apply_plan(scenario, status_quo_plan(scenario)),
                             settings.replications, workers)
    relative = [level for level in settings.service_levels if level.relative_to is not None]
    raise_by = {floor_key(level): 1.0 + FLOOR_MARGIN for level in relative}
    rounds: list[Round] = []
    previous: Plan | None = None
    for number in range(1, settings.rounds + 1):
        reference = reference_outcomes(scenario, surrogate)
        reference |= {key: reference[key] * factor for key, factor in raise_by.items()
                      if key in reference}
        try:
            plan = solve(scenario, surrogate, target=settings.target_actioned,
                         request=Request(reference=reference))
        except InfeasiblePlan:
            if rounds:
                say(f"round {number}: the raised floors cannot be reached; the rounds end")
                break
            # a floor at the most the pipeline can give (say every high-risk tip-off that
            # can be downloaded already is): aim at the floor itself, no margin
            reference = reference_outcomes(scenario, surrogate)
            plan = solve(scenario, surrogate, target=settings.target_actioned,
                         request=Request(reference=reference))
            raise_by = dict.fromkeys(raise_by, 1.0)
        say(f"round {number}: surrogate promises {plan.surrogate_objective:,.0f} "
            f"({plan.status}, {plan.solve_seconds:.1f} s); simulating ...")
        simulated = run_replications(apply_plan(scenario, plan), settings.replications, workers)
        mean, low, high = interval(objective_values(simulated, settings.weights))
        met = _floors_met(scenario, simulated, today, raise_by)
        rounds.append(Round(number, plan, surrogate, plan.surrogate_objective, mean, low, high,
                            met, reference))
        say(f"round {number}: simulated {mean:,.0f} [{low:,.0f}, {high:,.0f}]"
            + ("" if met else "; a service level missed: its floor is raised"))
        if met and previous is not None and same_levers(plan, previous):
            return rounds, True
        previous = plan
        surrogate = recalibrate(surrogate, plan, simulated)
    return rounds, False


FLOOR_MARGIN = 0.01
"""Relative floors are first aimed this share above their value, for the noise of a check."""


def _floors_met(scenario: Scenario, simulated: Replications, today: Replications,
                raise_by: dict[str, float]) -> bool:
    """Whether every service level held in the simulation.

    Held: its paired interval at or above the floor.  A missed relative floor's
    ``raise_by`` grows by the share it fell short.
    """
    settings = scenario.optimise
    assert settings is not None
    met = True
    for level in settings.service_levels:
        plan = values_of(simulated, level.metric, level.scope)
        floors = (level.floor * values_of(today, level.metric, level.scope)
                  if level.relative_to is not None else np.full(plan.shape, level.floor))
        _, low, _ = interval(plan - floors)
        if low >= 0:
            continue
        met = False
        if level.relative_to is not None and plan.mean() > 0:
            short = max(float(floors.mean() / plan.mean()), 1.0)
            raise_by[floor_key(level)] *= short * (1.0 + FLOOR_MARGIN)
    return met


def _chosen_round(rounds: list[Round], stable: bool) -> Round:
    """The last round if the plan settled; else the best simulated of those whose floors held.

    If no round kept every floor, the best of all (the run then says a floor is missed).
    """
    if stable:
        return rounds[-1]
    kept = [r for r in rounds if r.floors_met] or rounds
    return max(kept, key=lambda r: r.simulated)


def optimise_and_verify(scenario: Scenario, replications: int, workers: int,
                        say: Callable[[str], None] = lambda _: None,
                        progress: Progress | None = None,
                        base_folder: Path | None = None) -> Outcome:
    """Solve, verify and recalibrate until the plan is stable; then compare and price it.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section.
    replications, workers : int
        Replications of each verification, and processes to run them.
    say : callable
        Receives progress lines.
    progress : Progress, optional
        Counts the verification's replications.
    base_folder : Path, optional
        The optimisation scenario's folder: ``optimise.comparators`` are read from it
        (needed only when the scenario names comparators).

    Returns
    -------
    Outcome
        The plan, its verification against every option, its money, the binding
        constraints and the frontier.
    """
    settings = scenario.optimise
    assert settings is not None
    rounds, stable = _rounds(scenario, workers, say)
    chosen = _chosen_round(rounds, stable)
    plan = replace(chosen.plan, name=CHOSEN)
    surrogate = chosen.surrogate  # the later answers ask the model that chose the plan
    reference = chosen.reference  # and the floors it chose the plan under
    options = {CHOSEN: plan, STATUS_QUO: status_quo_plan(scenario),
               RULE: three_to_four_rule(scenario, settings)}
    options |= comparator_plans(scenario, base_folder)
    fitting = {name: fits(scenario, surrogate, option) for name, option in options.items()}
    results: dict[str, Replications] = {}
    for name, option in options.items():
        say(f"verifying {name} with {replications} replications (common random numbers) ...")
        results[name] = run_replications(apply_plan(scenario, option), replications, workers,
                                         progress)
    paired = paired_differences(results, CHOSEN, [n for n in options if n != CHOSEN])
    say("binding constraints ...")
    binding = binding_constraints(scenario, surrogate, plan, reference, results[CHOSEN],
                                  replications, workers)
    say("frontier ...")
    try:
        frontier = frontier_table(scenario, surrogate, reference_outcomes(scenario, surrogate),
                                  replications, workers)
    except (InfeasiblePlan, TimeoutError) as error:  # the plan stands without it
        say(f"frontier: no frontier under these constraints ({error})")
        frontier = pd.DataFrame(columns=FRONTIER_COLUMNS)
    option_costs = {name: pd.DataFrame(plan_costs(scenario, option))
                    for name, option in options.items()}
    costs = option_costs[CHOSEN]
    return Outcome(plan, stable, rounds, results, options, fitting, paired, costs,
                   budget_table(scenario, costs), frontier, binding,
                   service_level_table(scenario, results, CHOSEN, STATUS_QUO), option_costs,
                   reference)
