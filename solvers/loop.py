"""Optimise, choose by simulation, certify: the plan a budget committee can be shown.

1. Pilot rounds correct the surrogate from the simulation (``solvers.pilot``).
2. Candidates: the pilots' plans, the corrected surrogate's best and next-best plans,
   named plans that keep the constraints, and the best plan's neighbours screened by the
   surrogate (``solvers.candidates``), at most ``optimise.procedure.candidates``.
3. KN ranking and selection with common random numbers chooses (``solvers.certify``).
4. Fresh replications, never used for choosing, estimate the chosen plan against today's
   allocation, the rule "three to four posts per state" and every comparator; its
   service levels; and how much its best neighbours could improve on it.
5. The finalists under every hypothesis and low, central and high demand: the regret
   table (``solvers.regret``); the certificate (``certificate.csv``).
6. The binding constraints, the frontier and the money by year, as before.

In reverse mode (``optimise.target_actioned``) the cheapest plan is checked against the
target on fresh replications instead (``solvers.target``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from model.experiments.comparisons import paired_differences
from model.experiments.executors import ExecutorKind
from model.experiments.replications import Progress, Replications
from model.scenario import Scenario
from model.tables import TODAY
from solvers.allocation import (
    InfeasiblePlan,
    Request,
    evaluate,
    fits,
    reference_outcomes,
    solve,
)
from solvers.binding import BINDING_COLUMNS, binding_constraints
from solvers.budget import budget_table
from solvers.candidates import (
    RUNG_SOURCE,
    Candidate,
    cheapest_within_zone,
    even_split,
    ladder,
    neighbours,
    next_best,
    screened,
)
from solvers.certify import (
    CANDIDATE_COLUMNS,
    FRESH_FIRST,
    CertificateInputs,
    Choice,
    PlanRuns,
    Spent,
    candidates_table,
    certificate_table,
    choose,
    cost_order,
    floors_hold,
    shown_within,
    widen_zone,
    with_equal,
)
from solvers.comparators import comparator_plans
from solvers.frontier import FRONTIER_COLUMNS, frontier_table
from solvers.pilot import Pilots, corrected, pilot_rounds
from solvers.plan import Plan, plan_cost_rm, plan_costs, status_quo_plan, three_to_four_rule
from solvers.regret import REGRET_COLUMNS, Robustness, regret_table
from solvers.selection import (
    NeighbourBound,
    Sampler,
    looks_taken,
    neighbour_bound_with_looks,
)
from solvers.service import objective_values, service_level_table
from solvers.settings import optimise_settings
from solvers.surrogate import Surrogate
from solvers.target import TargetCheck, cheapest_reaching

log = logging.getLogger(__name__)
"""Progress lines of the optimiser (the command line shows them unless ``--quiet``)."""

CHOSEN = "optimised"
STATUS_QUO = TODAY
RULE = "three_to_four_per_state"


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """Everything the optimise command reports.

    Attributes
    ----------
    plan : Plan
        The chosen plan (named :data:`CHOSEN`).
    results : dict of str to Replications
        Each option's fresh replications (the chosen, status quo, the rule, every
        comparator), with common random numbers.
    plans, fitting
        The options' plans, and whether each keeps the planner's constraints.
    paired : DataFrame
        ``paired_diff.csv``: the chosen plan against every other option (fresh).
    costs, budget, frontier, binding, service_levels : DataFrame
        ``plan.csv`` rows, ``budget.csv``, ``frontier.csv``, ``binding.csv`` and the
        service levels checked on fresh replications.
    option_costs : dict of str to DataFrame
        ``plan.csv`` rows of every option.
    reference : dict of str to float
        What the floors the candidates were proposed under are fractions of: the status
        quo's simulated means on the first-stage replications (for relative floors; the
        surrogate's outcomes for the rest), raised by the pilots' aim.
    candidates, certificate, regret : DataFrame
        ``candidates.csv``, ``certificate.csv`` and ``regret.csv``.
    robust : Plan or None
        The finalist with the smallest worst regret, when the chosen plan's worst regret
        is beyond the threshold (shown beside it); else None.
    depends_on : str
        What the choice depends on, in words (empty when nothing).
    target : TargetCheck or None
        Reverse mode: the target's check on fresh replications.
    fresh : range
        The fresh replication numbers.
    seconds : dict of str to float
        Wall time of ``certify`` (candidates, selection, neighbours, fresh verification)
        and ``regret``.
    spent : dict of str to Spent
        Within ``certify``: the replications simulated at each stage and their wall time
        (the rest is the surrogate's solves and screening).
    """

    plan: Plan
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
    candidates: pd.DataFrame
    certificate: pd.DataFrame
    regret: pd.DataFrame
    robust: Plan | None
    depends_on: str
    target: TargetCheck | None
    fresh: range
    seconds: dict[str, float]
    spent: dict[str, Spent]


def gather_candidates(scenario: Scenario, pilots: Pilots,
                      workers: int = 1) -> list[Candidate]:
    """The pilots' plans, the surrogate's best and next-best, named plans, neighbours.

    Duplicates (the same levers) are kept once; at most ``optimise.procedure.candidates``.
    The neighbours are screened ``workers`` at a time.
    """
    settings = optimise_settings(scenario)
    surrogate, request = pilots.surrogate, pilots.request
    try:
        best = solve(scenario, surrogate, "surrogate_best", request=request)
    except InfeasiblePlan:  # the pilots' raised floors are out of reach: aim at the floors
        request = Request(reference=pilots.floors)
        try:
            best = solve(scenario, surrogate, "surrogate_best", request=request)
        except InfeasiblePlan:  # the simulation's plans are the only ones to go on
            best = replace(pilots.leading, name="surrogate_best")
    further = next_best(scenario, surrogate, [best], settings.procedure.next_best, request)
    cheap = cheapest_within_zone(scenario, surrogate, best, request)
    rungs = ladder(scenario, surrogate, best, request, pilots.floors) if cheap else []
    costs = [plan_cost_rm(scenario, p) for p in [best, *cheap, *rungs]]
    log.info(f"candidates: the surrogate's best, {len(further)} next-best plans"
        + (f" and the cheapest promising within half the zone (RM{costs[1]:,.0f} against "
           f"RM{costs[0]:,.0f})" if cheap else "")
        + (f"; {len(rungs)} rungs of the ladder (RM" + ", RM".join(
            f"{cost:,.0f}" for cost in costs[2:]) + ")" if rungs else ""))
    proposed = screened(scenario, surrogate, [(p.name, p) for p in [best, *further]],
                        "surrogate (corrected by the pilots)")
    proposed += screened(scenario, surrogate, [(p.name, p) for p in cheap],
                         "surrogate: the cheapest within half the zone of its best")
    proposed += screened(scenario, surrogate, [(p.name, p) for p in rungs], RUNG_SOURCE)
    pilot = screened(scenario, surrogate, [(c.name, c.plan) for c in pilots.candidates],
                     "pilot round")
    named = screened(scenario, surrogate, [("even_split", even_split(scenario, best)),
                                           (RULE, three_to_four_rule(scenario, settings))],
                     "named plan")
    pool = _distinct([*proposed, *pilot, *named])
    room = max(settings.procedure.candidates - len(pool), 0)
    if not room:  # no neighbour could join: none is screened
        log.info(f"candidates: {len(pool)} reach the selection (no room for neighbours)")
        return pool
    # neighbours of the last pilot whose service levels held in the simulation first: the
    # surrogate's own best may keep them only in the surrogate
    leading = screened(scenario, surrogate, [(f"{n}_of_{pilots.leading.name}", p)
                                             for n, p in neighbours(scenario, pilots.leading)],
                       f"neighbour of {pilots.leading.name}", workers=workers)
    near = screened(scenario, surrogate, list(neighbours(scenario, best)),
                    "neighbour of surrogate_best", workers=workers)
    pool = _distinct([*pool, *leading, *near])[:len(pool) + room]
    log.info(f"candidates: {len(pool)} reach the selection ({len(leading) + len(near)} neighbours "
        "kept the constraints)")
    return pool


def _distinct(candidates: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    for candidate in candidates:
        if not any(same_levers(candidate.plan, other.plan) for other in kept):
            kept.append(candidate)
    return kept


def same_levers(a: Plan, b: Plan) -> bool:
    """Two plans that set every lever alike."""
    return a.levers() == b.levers()


def neighbour_bound(scenario: Scenario, surrogate: Surrogate, runs: PlanRuns, chosen: Plan,
                    fresh: range, delta: float) -> NeighbourBound | None:
    """How much the chosen plan's best neighbours could beat it, on fresh replications.

    Neighbours are screened on the planner's constraints in the surrogate, and on the
    service levels in the simulation at the first look (where the chosen plan's own are
    checked; a neighbour kept there stays in at later looks).  They get
    ``procedure.neighbour_replications`` fresh replications from ``fresh.start`` (at least
    as many as ``fresh``), or fewer: at each of ``procedure.neighbour_looks`` a neighbour
    already shown short of the zone ``delta`` is settled
    (:func:`solvers.selection.neighbour_bound_with_looks`).
    """
    settings = optimise_settings(scenario)
    near = screened(scenario, surrogate, list(neighbours(scenario, chosen)), "neighbour",
                    floors=False, workers=runs.workers)
    near = [c for c in near if not same_levers(c.plan, chosen)][:settings.procedure.neighbours]
    if not near:
        return None
    names = [f"neighbour:{c.name}" for c in near]
    for name, candidate in zip(names, near, strict=True):
        runs.add(name, candidate.plan)
    wanted = max(len(fresh), settings.procedure.neighbour_replications)
    looks = looks_taken(settings.procedure.neighbour_looks, len(fresh) - 1, wanted)

    held: set[str] = set()  # the neighbours whose service levels held at the first look

    def draw(open_names: Sequence[str], count: int
             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        unchecked = [n for n in open_names if n not in held]
        results = runs.run([CHOSEN, *([STATUS_QUO] if unchecked else []), *open_names],
                           range(fresh.start, fresh.start + count))
        # a neighbour that gives up a service level is no alternative, however many raids;
        # one kept at the first look stays in (today's allocation is not run further)
        held.update(n for n in unchecked
                    if floors_hold(scenario, results[n], results[STATUS_QUO]))
        return objective_values(results[CHOSEN], settings.weights), {
            n: objective_values(results[n], settings.weights) for n in open_names if n in held}

    return neighbour_bound_with_looks(draw, names, [*looks, wanted], delta)


def optimise_and_verify(scenario: Scenario, replications: int, workers: int,
                        progress: Progress | None = None,
                        base_folder: Path | None = None,
                        hypotheses: Mapping[str, Scenario] | None = None,
                        executor: ExecutorKind = ExecutorKind.LOCAL,
                        scheduler: str | None = None, context: bool = True) -> Outcome:
    """Propose candidates, choose one by simulation, verify and certify it; price it.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section.
    replications, workers : int
        Fresh replications of each verification, and processes to run them.
    progress : Progress, optional
        Counts every replication run.
    base_folder : Path, optional
        The optimisation scenario's folder: ``optimise.comparators`` are read from it.
    hypotheses : mapping of str to Scenario, optional
        The scenario under each shipped hypothesis, for the regret table; by default
        only the scenario itself.
    executor, scheduler
        Where replications run (a local process pool, or a Dask cluster).
    context : bool
        Whether to find the binding constraints and trace the frontier (their own
        solves and simulations, after the plan is certified); without them both tables
        are empty, for a caller that reads only the choice and its certificate.

    Returns
    -------
    Outcome
        The plan, its certificate and regret table, its verification against every
        option on fresh replications, its money, binding constraints and frontier.
    """
    settings = optimise_settings(scenario)
    started = time.perf_counter()
    runs = PlanRuns(scenario, workers, progress, executor, scheduler)
    runs.add(STATUS_QUO, status_quo_plan(scenario))
    fresh = range(FRESH_FIRST, FRESH_FIRST + replications)
    runs.stage = "pilots"
    pilots = pilot_rounds(scenario, runs, STATUS_QUO)
    target: TargetCheck | None = None
    choice: Choice | None = None
    robustness: Robustness | None = None
    regret_seconds = 0.0
    if settings.target_actioned is not None:
        runs.stage = "target check"
        target = cheapest_reaching(scenario, pilots.surrogate, runs, fresh, pilots.request)
        chosen, surrogate = (target.reaching or target.tries[-1]).plan, pilots.surrogate
    else:
        runs.stage = "selection"
        choice, surrogate = _select(scenario, pilots, runs)
        clock, tests = time.perf_counter(), runs.spent.get("selection", Spent()).seconds
        choice, robustness = _robustness(scenario, choice, runs, hypotheses, workers,
                                         progress, executor, scheduler)
        # the zone tests the regret table asked for belong to the selection
        regret_seconds = time.perf_counter() - clock - (
            runs.spent.get("selection", Spent()).seconds - tests)
        runs.stage = "robust check"
        choice = robust_within_zone(scenario, choice, robustness,
                                    runs.objective(settings.weights))
        chosen = choice.chosen.plan
    plan = replace(evaluate(scenario, surrogate, chosen) or chosen, name=CHOSEN,
                   status=chosen.status)
    runs.plans[CHOSEN] = plan
    options = {CHOSEN: plan, STATUS_QUO: status_quo_plan(scenario),
               RULE: three_to_four_rule(scenario, settings)}
    options |= comparator_plans(scenario, base_folder)
    for name, option in options.items():
        runs.add(name, option)
    log.info(f"verifying the plan on {replications} fresh replications against "
        f"{len(options) - 1} alternatives ...")
    runs.stage = "fresh verification"
    results = runs.run(list(options), fresh)
    paired = paired_differences(results, CHOSEN, [n for n in options if n != CHOSEN])
    levels = service_level_table(scenario, results, CHOSEN, STATUS_QUO)
    bound = None
    if choice is not None:
        log.info("certificate: the plan's best neighbours on fresh replications ...")
        runs.stage = "neighbours"
        bound = neighbour_bound(scenario, surrogate, runs, plan, fresh, choice.delta)
    certify_seconds = time.perf_counter() - started - regret_seconds
    simulated = float(objective_values(results[CHOSEN], settings.weights).mean())
    certificate, robust, depends_on = _certified(scenario, choice, robustness, CertificateInputs(
        choice, bound, plan.surrogate_objective, simulated, levels)) if choice is not None \
        else (pd.DataFrame(), None, "")
    binding, frontier = pd.DataFrame(columns=BINDING_COLUMNS), \
        pd.DataFrame(columns=FRONTIER_COLUMNS)
    if context:
        log.info("binding constraints ...")
        binding = binding_constraints(scenario, surrogate, plan, pilots.reference,
                                      results[CHOSEN], replications, workers, first=fresh.start)
        frontier = _frontier(scenario, surrogate, replications, workers, plan)
    option_costs = {name: pd.DataFrame(plan_costs(scenario, option))
                    for name, option in options.items()}
    fitting = {name: fits(scenario, surrogate, option) for name, option in options.items()}
    costs = option_costs[CHOSEN]
    return Outcome(
        plan=plan, results=results, plans=options, fitting=fitting, paired=paired, costs=costs,
        budget=budget_table(scenario, costs), frontier=frontier, binding=binding,
        service_levels=levels, option_costs=option_costs, reference=pilots.reference,
        candidates=candidates_table(choice) if choice else _target_candidates(target, fresh),
        certificate=certificate,
        regret=robustness.table if robustness else pd.DataFrame(columns=REGRET_COLUMNS),
        robust=robust, depends_on=depends_on, target=target, fresh=fresh,
        seconds={"certify": certify_seconds, "regret": regret_seconds},
        spent=dict(runs.spent))


def _certified(scenario: Scenario, choice: Choice, robustness: Robustness | None,
               inputs: CertificateInputs) -> tuple[pd.DataFrame, Plan | None, str]:
    """The certificate, the finalist shown beside the plan, and what the choice depends on.

    The finalist with the smallest worst regret is shown beside the plan (and the case
    behind its regret said) only when the plan's worst regret is beyond the threshold.
    """
    settings = optimise_settings(scenario)
    worst = robustness.worst.get(choice.name, np.nan) if robustness else np.nan
    case = robustness.worst_case.get(choice.name, "") if robustness else "not measured"
    certificate = certificate_table(scenario, replace(inputs, worst_regret=worst,
                                                      worst_case=case))
    if not robustness or worst <= settings.selection.worst_regret_share:
        return certificate, None, ""
    alternative = robustness.most_robust
    robust = None if alternative == choice.name else \
        replace(choice.candidates[alternative].plan, name="most_robust")
    return certificate, robust, case


def _select(scenario: Scenario, pilots: Pilots, runs: PlanRuns) -> tuple[Choice, Surrogate]:
    """The candidates, KN's choice among them, and the surrogate corrected on them all.

    The surrogate is corrected on every candidate's first-stage replications (never the
    fresh ones), so that its promise at the chosen plan can be checked on fresh ones.
    """
    settings = optimise_settings(scenario)
    pool = gather_candidates(scenario, pilots, runs.workers)
    choice = choose(scenario, runs, pool, STATUS_QUO)
    stage = runs.run([c.name for c in pool], range(0, settings.procedure.replications))
    return choice, corrected(scenario, pilots.surrogate, [(c.plan, stage[c.name]) for c in pool])


def robust_within_zone(scenario: Scenario, choice: Choice, robustness: Robustness | None,
                       sample: Sampler | None = None) -> Choice:
    """Among KN's choice and its equals, the cheapest robust plan.

    KN's choice and the plans shown within its indifference zone are taken cheapest
    first.  The first whose worst regret across explanations and demand is within
    ``worst_regret_share`` of its gain is kept: the certificate's own test.  If none is,
    the other finalists of the regret table whose worst regret is within it are tried,
    cheapest first, with ``sample``: the first shown within the zone of KN's choice
    (:func:`solvers.certify.shown_within`, Bonferroni over those tried) is kept.  Else
    the cheapest plan not clearly short of KN's choice is kept, else KN's: a plan that,
    under some explanation and demand, falls short of KN's choice by more than that share
    of its gain beyond doubt (a one-sided 95 % bound on the paired shortfall) is not
    worth its saving.
    """
    settings = optimise_settings(scenario)
    best = choice.selection.chosen
    if robustness is None or best not in robustness.worst:
        return choice
    share = settings.selection.worst_regret_share
    known = [name for name in choice.in_zone or (best,) if name in robustness.worst]
    why: dict[str, str] = {}
    for name in known:  # cheapest first
        if robustness.worst[name] <= share:
            return replace(choice, name=name, not_robust=tuple(why), why=why)
        why[name] = (f"its worst regret is {robustness.worst[name]:.0%} of its gain "
                     f"({robustness.worst_case[name]})") if name in robustness.worst_case \
            else f"its worst regret is {robustness.worst[name]:.0%} of its gain"
    log.info(f"selection: no plan within the zone keeps its worst regret within {share:.0%} "
        "of its gain")
    robust = _robust_equal(scenario, choice, robustness, sample)
    if robust is not None:
        return replace(robust, not_robust=tuple(why), why=why)
    set_aside: dict[str, str] = {}
    for name in [n for n in choice.cheaper if n in robustness.worst]:  # cheapest first
        case = robustness.clearly_short(name, best, share)
        if not case:
            return replace(choice, name=name, not_robust=tuple(set_aside), why=set_aside)
        log.info(f"selection: {name} is cheaper but not robust ({case})")
        set_aside[name] = f"short of {best} beyond doubt {case}"
    return replace(choice, name=best, not_robust=tuple(set_aside), why=set_aside)


def _robust_equal(scenario: Scenario, choice: Choice, robustness: Robustness,
                  sample: Sampler | None) -> Choice | None:
    """A finalist outside the equals tried, robust, and shown within KN's zone (or None).

    Only the cheapest equals are tried before the regret table; a dearer or
    less-replicated finalist may be both within the zone and robust.  It joins the
    equals, in cost order, as the chosen plan.
    """
    settings = optimise_settings(scenario)
    share = settings.selection.worst_regret_share
    others = [name for name, worst in robustness.worst.items()
              if name not in choice.in_zone and worst <= share]
    if sample is None or not others:
        return None
    level = 1.0 - 0.05 / len(others)
    for name in sorted(others, key=cost_order(scenario, choice.candidates)):
        if shown_within(choice.selection, name, choice.delta, sample, level,
                        settings.procedure.max_replications):
            log.info(f"selection: {name} is within the indifference zone of "
                f"{choice.selection.chosen} and keeps its worst regret within {share:.0%} "
                "of its gain")
            return replace(with_equal(scenario, choice, name), name=name)
    return None


def _robustness(scenario: Scenario, choice: Choice, runs: PlanRuns,
                hypotheses: Mapping[str, Scenario] | None, workers: int,
                progress: Progress | None, executor: ExecutorKind, scheduler: str | None
                ) -> tuple[Choice, Robustness]:
    """The finalists' regret table under every hypothesis and demand (forward mode only).

    Returns the choice with any equals found for the table (:func:`_next_finalist`), and
    the table.
    """
    settings = optimise_settings(scenario)
    result = choice.selection
    # KN's choice and its equals (the plans shown within its zone), then the best means
    order = [result.chosen, *(n for n in choice.in_zone if n != result.chosen)]
    ranked = sorted((c for c in result.candidates),
                    key=lambda c: (order.index(c.name) if c.name in order else len(order),
                                   -c.objective_mean))
    finalists = {c.name: choice.candidates[c.name].plan
                 for c in ranked[:settings.procedure.finalists]}
    cases = dict(hypotheses or {scenario.hypothesis or "as given": scenario})
    log.info(f"regret: {len(finalists)} finalists under {len(cases)} hypotheses x 3 demand "
        f"levels, {settings.procedure.regret_replications} replications each ...")

    def table(known: Robustness | None = None) -> Robustness:
        return regret_table(cases, finalists, status_quo_plan(scenario), settings.weights,
                            settings.procedure.regret_replications, workers, progress,
                            executor, scheduler, known.values if known else None)

    robustness = table()
    sample = runs.objective(settings.weights)
    for _ in range(settings.procedure.more_finalists):
        stage, runs.stage = runs.stage, "selection"  # a zone test is the selection's
        choice, name = _next_finalist(scenario, choice, robustness, sample)
        runs.stage = stage
        if name is None:
            break
        log.info(f"regret: no plan within the zone cheaper than the cheapest robust one holds up "
            f"so far; {name} joins the finalists ...")
        finalists[name] = choice.candidates[name].plan
        robustness = table(robustness)
    return choice, robustness


def _next_finalist(scenario: Scenario, choice: Choice, robustness: Robustness,
                   sample: Sampler | None = None) -> tuple[Choice, str | None]:
    """The cheapest plan within KN's zone not yet in the regret table, if worth trying.

    Worth trying while it costs less than every finalist within the zone whose worst
    regret is within ``selection.worst_regret_share`` of its gain (the plan the robust
    check would keep): a cheaper robust equal would be kept instead.  When every plan
    shown within the zone has been tried, the plans close to KN's choice not yet tested
    for its zone are tested, cheapest first, with ``sample``
    (:func:`solvers.certify.widen_zone`); the choice returned holds any found.
    """
    settings = optimise_settings(scenario)
    share = settings.selection.worst_regret_share
    tried = [n for n in choice.in_zone if n in robustness.worst]  # cheapest first
    robust = [n for n in tried if robustness.worst[n] <= share]
    limit = choice.in_zone.index(robust[0]) if robust else len(choice.in_zone)
    untried = [n for n in choice.in_zone[:limit] if n not in robustness.worst]
    if untried:
        return choice, untried[0]
    if sample is None or not choice.untested:
        return choice, None
    return widen_zone(scenario, choice, sample, robust[0] if robust else None)


def _frontier(scenario: Scenario, surrogate: Surrogate, replications: int, workers: int,
              hint: Plan) -> pd.DataFrame:
    log.info("frontier ...")
    try:
        return frontier_table(scenario, surrogate, reference_outcomes(scenario, surrogate),
                              replications, workers, hint)
    except (InfeasiblePlan, TimeoutError) as error:  # the plan stands without it
        log.info(f"frontier: no frontier under these constraints ({error})")
        return pd.DataFrame(columns=FRONTIER_COLUMNS)


def _target_candidates(target: TargetCheck | None, fresh: range) -> pd.DataFrame:
    """``candidates.csv`` in reverse mode: each plan tried against the target."""
    assert target is not None
    rows = [{"candidate": t.plan.name, "source": f"cheapest plan for {t.asked:,.0f}",
             "replications": len(fresh), "objective_mean": t.mean,
             "ci_low": t.ci_low, "ci_high": t.ci_high, "eliminated_at": None,
             "promised": t.plan.surrogate_actioned,
             "note": "reaches the target" if t.ci_low >= target.target else "falls short"}
            for t in target.tries]
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)

