"""Pilot rounds: correct the surrogate from the simulation before it proposes candidates.

The surrogate ignores queueing and ageing, so it promises more than the simulation
delivers.  Each pilot round solves it, simulates the plan (the selection's first-stage
replications, so nothing is run twice) and scales each stage's efficiency by what the
simulation delivered over what was promised.  The pilots' plans become candidates;
the corrected surrogate proposes the rest.  Nothing is chosen here: the selection
(``solvers.certify``) chooses, by simulation.

A relative floor is a fraction of today's allocation as simulated (the selection's
first-stage replications), not as the surrogate sees it: the surrogate is corrected
around the plans it proposes, which may be bound by other stages than today's, so its
own view of today would move the floors from where the simulation checks them.  Floors
are aimed a margin above that; a floor a pilot's plan missed in the simulation is raised
for the next round by the share it fell short.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.experiments.replications import Replications, interval
from model.metrics import NATIONAL, WHOLE_HORIZON
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.allocation import (
    InfeasiblePlan,
    Request,
    evaluate,
    floor_key,
    reference_outcomes,
    solve,
)
from solvers.candidates import Candidate
from solvers.certify import PlanRuns, floors_hold
from solvers.plan import Plan
from solvers.service import values_of
from solvers.settings import optimise_settings
from solvers.surrogate import STAGES, Surrogate, build_surrogate

log = logging.getLogger(__name__)
"""Progress lines of the optimiser (the command line shows them unless ``--quiet``)."""

EFFICIENCY_RANGE = (0.2, 2.0)
"""A correction never scales a stage's capacity beyond these factors in one go."""
CORRECTION_STEP = 0.05
"""Corrections are rounded to this step: about what a pilot's few replications can tell
apart, so that two seeds' pilots usually correct the surrogate alike and propose the same
candidates (the selection, not the surrogate, settles the finer differences)."""
FLOOR_MARGIN = 0.03
"""Relative floors are first aimed this share above their value, for the noise of a check:
the paired 95 % interval of plan minus floor on ten fresh replications spans about 2 % of
the shipped scenario's downloads either side, so a plan aimed at the floor itself would
be shown to keep it about half the time."""


@dataclass(frozen=True)
class Pilots:
    """The pilot rounds' plans, the corrected surrogate, and the floors it aims at."""

    candidates: list[Candidate]
    surrogate: Surrogate
    reference: dict[str, float]  # what the floors are fractions of, raised by the aim
    request: Request
    floors: dict[str, float]  # what the floors are fractions of, as they are checked
    leading: Plan  # the last pilot whose service levels held in the simulation (else the last)


def by_state(results: Replications, metric: str) -> dict[str, float]:
    """Mean over replications of a whole-horizon metric for each state."""
    metrics = results.metrics
    chosen = metrics[(metrics.year == WHOLE_HORIZON) & (metrics.metric == metric)
                     & (metrics.scope != NATIONAL)]
    return chosen.groupby("scope").value.mean().to_dict()


def observed_reference(scenario: Scenario, today: Replications) -> dict[str, float]:
    """Today's simulated mean of each outcome a relative floor is a fraction of."""
    settings = optimise_settings(scenario)
    return {floor_key(level): float(values_of(today, level.metric, level.scope).mean())
            for level in settings.service_levels if level.relative_to is not None}


def recalibrate(surrogate: Surrogate, simulated: Sequence[tuple[Plan, Replications]]
                ) -> Surrogate:
    """Scale each stage's efficiency by what the simulation delivered over the promise.

    With several plans, their deliveries and promises are pooled stage by stage, so the
    correction holds around all of them rather than at one.  A state whose officers
    were fully busy under a plan was capacity-bound there: its own capacity is scaled.
    Otherwise it was short of cases: its shortfall scales the share of reviews passed on.
    Which of the two applies is the surrogate's own reading of the plan: a state whose
    promised actioned tip-offs reach the cases the surrogate passes on to it is short of
    cases there (correcting the other would not change the promise).
    """
    efficiency = dict(surrogate.efficiency)
    sums: dict[str, list[float]] = {stage: [0.0, 0.0] for stage in STAGES}

    def add(stage: str, delivered: float, promised: float) -> None:
        sums[stage][0] += delivered
        sums[stage][1] += promised

    for plan, results in simulated:
        flows = plan.flows
        add("download", results.national("selected_for_download").mean(),
            flows.get("selected", 0.0))
        add("review", results.national("reviewed").mean(), flows.get("reviewed", 0.0))
        add("high_risk", results.national("high_risk_examined_within_target").mean(),
            flows.get("high_risk_examined_within_target", 0.0))
        actioned = by_state(results, "actioned")
        for code in STATE_CODES:
            promised = flows.get(f"actioned.{code}", 0.0)
            short_of_cases = promised >= flows.get(f"supply.{code}", np.inf) - 1.0
            add("pass" if short_of_cases else code, actioned.get(code, 0.0), promised)
    for stage, (delivered, promised) in sums.items():
        if promised > 0 and delivered > 0:
            factor = float(np.clip(delivered / promised, *EFFICIENCY_RANGE))
            factor = round(factor / CORRECTION_STEP) * CORRECTION_STEP
            efficiency[stage] = float(np.clip(efficiency[stage] * factor, 0.05, 5.0))
    return surrogate.with_efficiency(efficiency)


def corrected(scenario: Scenario, surrogate: Surrogate,
              simulated: Sequence[tuple[Plan, Replications]], times: int = 3) -> Surrogate:
    """The surrogate corrected from simulated plans until its promises for them settle.

    The surrogate's flows do not scale one for one with a stage's efficiency (another
    stage may bind instead), so the correction is repeated on the same replications, each
    time against what the corrected surrogate now promises for the same plans.
    """
    for _ in range(times):
        promised = [(evaluate(scenario, surrogate, plan) or plan, results)
                    for plan, results in simulated]
        surrogate = recalibrate(surrogate, promised)
    return surrogate


def pilot_rounds(scenario: Scenario, runs: PlanRuns, today: str) -> Pilots:
    """Solve, simulate and correct the surrogate ``optimise.procedure.rounds`` times.

    Each pilot's plan is simulated on the selection's first-stage replications, beside
    today's allocation, so that its floors are checked where they count.
    """
    settings = optimise_settings(scenario)
    surrogate = build_surrogate(scenario)
    first = range(0, settings.procedure.replications)
    relative = [level for level in settings.service_levels if level.relative_to is not None]
    raise_by = {floor_key(level): 1.0 + FLOOR_MARGIN for level in relative}
    pilots: list[Candidate] = []
    leading: Plan | None = None
    observed = observed_reference(scenario, runs.run([today], first)[today])
    for number in range(1, settings.procedure.rounds + 1):
        reference = reference_outcomes(scenario, surrogate) | observed
        aimed = reference | {key: reference[key] * factor for key, factor in raise_by.items()
                             if key in reference}
        try:
            plan = solve(scenario, surrogate, f"pilot_{number}",
                         target=settings.target_actioned, request=Request(reference=aimed))
        except InfeasiblePlan:
            # a floor at the most the pipeline can give: aim at the floor itself
            try:
                plan = solve(scenario, surrogate, f"pilot_{number}",
                             target=settings.target_actioned,
                             request=Request(reference=reference))
            except InfeasiblePlan:
                if not pilots:
                    raise
                log.info(f"pilot {number}: the corrected surrogate reaches no plan keeping the "
                    "floors; the pilots end")
                break
            log.info(f"pilot {number}: the raised floors cannot be reached; aiming at the floors")
            raise_by = dict.fromkeys(raise_by, 1.0)
        log.info(f"pilot {number}: the surrogate promises {plan.surrogate_objective:,.0f} "
            f"({plan.status}, {plan.solve_seconds:.1f} s); simulating ...")
        runs.add(plan.name, plan)
        simulated = runs.run([plan.name, today], first)
        log.info(_gaps(scenario, surrogate, plan, simulated[plan.name], runs.plans[today],
                  simulated[today]))
        if not _raise_missed(scenario, simulated[plan.name], simulated[today], raise_by):
            leading = plan
        pilots.append(Candidate(plan.name, f"pilot round {number}", plan))
        surrogate = recalibrate(surrogate, [(plan, simulated[plan.name])])
    # the floors the candidates are proposed under: fractions of today's allocation in the
    # corrected surrogate itself, raised by what the pilots fell short
    reference = reference_outcomes(scenario, surrogate) | observed
    aimed = reference | {key: reference[key] * factor for key, factor in raise_by.items()
                         if key in reference}
    return Pilots(pilots, surrogate, aimed, Request(reference=aimed), reference,
                  leading or pilots[-1].plan)


def _gaps(scenario: Scenario, surrogate: Surrogate, plan: Plan, results: Replications,
          today: Plan, today_results: Replications) -> str:
    """The pilot's and today's floored outcomes: simulated against the surrogate's promise."""
    settings = optimise_settings(scenario)
    promised_today = evaluate(scenario, surrogate, today) or today
    parts = []
    for level in settings.service_levels:
        key = floor_key(level)
        parts.append(f"{key} {values_of(results, level.metric, level.scope).mean():,.0f} "
                     f"(promised {plan.outcomes.get(key, float('nan')):,.0f}; today "
                     f"{values_of(today_results, level.metric, level.scope).mean():,.0f}, "
                     f"promised {promised_today.outcomes.get(key, float('nan')):,.0f})")
    return "  simulated: " + "; ".join(parts)


def _raise_missed(scenario: Scenario, plan: Replications, today: Replications,
                  raise_by: dict[str, float]) -> bool:
    """Raise each relative floor the plan missed by the share it fell short.

    Missed: the paired interval of plan minus floor reaches below zero (the selection's
    test), so a floor held only on average is raised by the margin too.  Returns whether
    any floor (relative or absolute) was missed.
    """
    settings = optimise_settings(scenario)
    missed = not floors_hold(scenario, plan, today)
    for level in settings.service_levels:
        if level.relative_to is None:
            continue
        values = values_of(plan, level.metric, level.scope)
        floors = level.floor * values_of(today, level.metric, level.scope)
        if values.mean() > 0 and interval(values - floors)[1] < 0:
            short = max(float(floors.mean() / values.mean()), 1.0)
            raise_by[floor_key(level)] *= short * (1.0 + FLOOR_MARGIN)
    return missed
