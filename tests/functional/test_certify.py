"""Choosing a plan by simulation on a small scenario: files, fresh replications, stability.

The scenario is the shipped optimisation cut to half a year, no starting backlog and a
fifth of today's tip-offs, with a small selection (a handful of candidates, few
replications) so that the whole procedure runs in CI in a couple of minutes.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.experiments.replications import Replications
from model.loading import load_scenario, override
from solvers import loop
from solvers.allocation import (
    CONSTRAINT_GROUPS,
    Request,
    build,
    evaluate,
    floor_key,
    floor_value,
    reference_outcomes,
    solve,
)
from solvers.candidates import (
    RUNG_PREFIX,
    cheapest_within_zone,
    ladder,
    neighbours,
    posts_within_bounds,
    rung_name,
    screened,
)
from solvers.certify import CANDIDATE_COLUMNS, CERTIFICATE_COLUMNS, FRESH_FIRST, PlanRuns
from solvers.loop import (
    CHOSEN,
    STATUS_QUO,
    Outcome,
    gather_candidates,
    neighbour_bound,
    optimise_and_verify,
    same_levers,
)
from solvers.memo import Memo
from solvers.pilot import pilot_rounds
from solvers.plan import plan_cost_rm, status_quo_plan, three_to_four_rule
from solvers.records import certify_parts
from solvers.regret import REGRET_COLUMNS, regret_table
from solvers.service import objective_values
from solvers.surrogate import build_surrogate

ROOT = Path(__file__).resolve().parents[2]
OPTIMISE = ROOT / "scenarios" / "optimise_rm13m.yaml"
SMALL = ["initial_state=null", "end_date=2024-06-30", "arrivals.referrals_per_year.2023=30000",
         "optimise.procedure.rounds=1", "optimise.procedure.replications=6",
         "optimise.procedure.deterministic_time_limit=1",
         "optimise.procedure.candidates=6", "optimise.procedure.next_best=1",
         "optimise.procedure.max_replications=20", "optimise.procedure.looks=[12]",
         "optimise.procedure.neighbours=3", "optimise.procedure.neighbour_replications=8",
         "optimise.procedure.neighbour_looks=[4]",
         "optimise.procedure.finalists=3", "optimise.procedure.regret_replications=2",
         "optimise.selection.indifference_share=0.1"]
FRESH = 4


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def _optimise(seed: int) -> Outcome:
    scenario = load_scenario(OPTIMISE, [*SMALL, f"seed={seed}"])
    # the binding constraints and the frontier are test_optimiser_cli's; none is read here
    return optimise_and_verify(scenario, FRESH, workers=2, base_folder=OPTIMISE.parent,
                               context=False)


def test_screening_keeps_and_promises_alike_in_one_process_or_two() -> None:
    scenario = load_scenario(OPTIMISE, SMALL)
    surrogate = build_surrogate(scenario)
    plan = solve(scenario, surrogate)
    near = [(name, p) for name, p in neighbours(scenario, plan)
            if posts_within_bounds(scenario, p)][:16]
    alone = screened(scenario, surrogate, near, "neighbour", workers=1)
    pooled = screened(scenario, surrogate, near, "neighbour", workers=2)
    assert alone, "no neighbour kept the constraints: nothing compared"
    assert [(c.name, c.promised, c.plan.outcomes) for c in pooled] == \
        [(c.name, c.promised, c.plan.outcomes) for c in alone]
    # one solver worker proves the same promise as the interleaved workers of evaluate
    for candidate in alone[:3]:
        full = evaluate(scenario, surrogate, candidate.plan, keep_constraints=True)
        assert full is not None
        assert full.surrogate_objective == pytest.approx(candidate.promised)


@pytest.fixture(scope="module")
def two_seeds() -> tuple[Outcome, Outcome]:
    return _optimise(5), _optimise(6)


def test_a_fixed_plans_model_copied_from_its_shared_part_is_the_one_built_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte for byte the model a fresh build gives, for a check and a promise alike.

    The screening fixes hundreds of plans into one model: the part before the levers is
    built once per request and copied (``allocation._BASES``).
    """
    import solvers.allocation as allocation

    scenario = load_scenario(OPTIMISE, SMALL)
    surrogate = build_surrogate(scenario)
    plan = solve(scenario, surrogate)
    near = [p for _, p in neighbours(scenario, plan)][:6]
    requests = [Request(fixed=p, lifted=frozenset(lifted)) for p in near
                for lifted in ({"target"}, CONSTRAINT_GROUPS)]
    made = []
    original = allocation._base
    monkeypatch.setattr(allocation, "_base", lambda *a: made.append(a) or original(*a))
    monkeypatch.setattr(allocation, "_BASES", Memo(kept=16))  # none remembered yet
    copied = [build(scenario, surrogate, request) for request in requests]
    assert len(made) == 2, "the shared part was not built once per kind of request"
    for request, model in zip(requests, copied, strict=True):
        whole = allocation._finish(scenario, original(scenario, surrogate, request,
                                                      allocation._top(scenario, request.fixed)),
                                   request, False)
        assert str(model.model.proto) == str(whole.model.proto)


def test_the_solver_is_deterministic() -> None:
    """Same scenario and seed: the same plan, whatever the machine's load (deterministic time)."""
    scenario = load_scenario(OPTIMISE, ["optimise.procedure.deterministic_time_limit=1"])
    surrogate = build_surrogate(scenario)
    first, second = solve(scenario, surrogate), solve(scenario, surrogate)
    assert same_levers(first, second)


def test_candidates_and_certificate_are_recorded(two_seeds) -> None:
    """At most the set number of candidates; the chosen one never eliminated; every check."""
    outcome, _ = two_seeds
    candidates = outcome.candidates
    assert list(candidates.columns) == CANDIDATE_COLUMNS
    assert len(candidates) <= 6
    chosen = candidates[candidates.note.fillna("").str.startswith("chosen")]
    assert len(chosen) == 1
    assert candidates.eliminated_at.isna().any()  # KN's choice survived to the end
    assert (candidates.replications >= 6).all()
    certificate = outcome.certificate
    assert list(certificate.columns) == CERTIFICATE_COLUMNS
    checks = set(certificate.check)
    assert {"probability_of_correct_selection", "indifference_zone",
            "best_neighbour_improvement_bound", "surrogate_gap", "worst_regret",
            "service_level:downloaded.national",
            "service_level:high_risk_examined_within_target.national"} <= checks
    gap = certificate.set_index("check").loc["surrogate_gap"]
    assert bool(gap.passed) == (abs(gap.value) <= gap.threshold)


def test_reported_figures_come_from_fresh_replications(two_seeds) -> None:
    """The verification never reuses a replication number the selection chose with."""
    outcome, _ = two_seeds
    numbers = set(outcome.results[CHOSEN].metrics.replication)
    assert numbers == set(range(FRESH_FIRST, FRESH_FIRST + FRESH))
    assert max(outcome.candidates.replications) < FRESH_FIRST


def test_regret_table_covers_every_case(two_seeds) -> None:
    """Each finalist in each demand case; the best finalist of a case has no regret."""
    outcome, _ = two_seeds
    regret = outcome.regret
    assert list(regret.columns) == REGRET_COLUMNS
    assert set(regret.demand) == {"low", "central", "high"}
    for _, case in regret.groupby(["hypothesis", "demand"]):
        assert math.isclose(case.regret_share.min(), 0.0, abs_tol=1e-12)
        best = case.objective_mean.max()
        expected = (best - case.objective_mean) / best
        assert np.allclose(case.regret_share, expected)


def test_another_seed_gives_the_same_plan_or_one_within_the_indifference_zone(two_seeds):
    """Seeds 5 and 6: the same plan, or one whose paired difference and cost are within it.

    The two plans are compared on replications neither run used, with common random
    numbers; the indifference zone is the scenario's share of the objective.
    """
    first, second = two_seeds
    if same_levers(first.plan, second.plan):
        return
    scenario = load_scenario(OPTIMISE, [*SMALL, "seed=7"])
    share = scenario.optimise.selection.indifference_share
    runs = PlanRuns(scenario, workers=2)
    runs.add("a", first.plan)
    runs.add("b", second.plan)
    numbers = range(300_000, 300_010)
    values = runs.objective(scenario.optimise.weights)(["a", "b"], numbers)
    difference = values["a"] - values["b"]
    zone = share * max(values["a"].mean(), values["b"].mean())
    half = 2.262 * difference.std(ddof=1) / math.sqrt(difference.size)
    assert abs(difference.mean()) - half <= zone, "the plans differ beyond the zone"
    costs = plan_cost_rm(scenario, first.plan), plan_cost_rm(scenario, second.plan)
    assert abs(costs[0] - costs[1]) <= share * max(costs) + 1.0


def test_relative_floors_are_fractions_of_today_as_simulated(two_seeds) -> None:
    """The candidates' floors: today's first-stage simulated mean, aimed at or above it.

    Not the surrogate's own view of today, which the corrections fitted around other
    plans may move away from what the simulation checks.
    """
    outcome, _ = two_seeds
    scenario = load_scenario(OPTIMISE, [*SMALL, "seed=5"])
    runs = PlanRuns(scenario, workers=2)
    runs.add("today", status_quo_plan(scenario))
    today = runs.run(["today"], range(0, scenario.optimise.procedure.replications))["today"]
    relative = [level for level in scenario.optimise.service_levels if level.relative_to]
    assert relative
    for level in relative:
        simulated = float(today.in_scope(level.metric, level.scope).mean())
        assert simulated <= outcome.reference[floor_key(level)] <= 1.5 * simulated


def test_objective_values_pair_replications(two_seeds) -> None:
    """The paired differences in paired_diff.csv are those of the fresh replications."""
    outcome, _ = two_seeds
    weights = {"raids": 1.0}
    diff = objective_values(outcome.results[CHOSEN], weights) \
        - objective_values(outcome.results["status_quo"], weights)
    row = outcome.paired[(outcome.paired.metric == "raids")
                         & (outcome.paired.option_b == "status_quo")].iloc[0]
    assert math.isclose(row.mean_diff, diff.mean(), rel_tol=1e-9, abs_tol=1e-9)


def test_where_the_time_goes_counts_each_replication_once_in_its_stage(two_seeds) -> None:
    """Each stage's replications: every option on every fresh one, the neighbours on theirs.

    A (plan, replication) simulated before is not simulated, nor counted, again; the
    stages' wall times fit inside the certification's.
    """
    outcome, _ = two_seeds
    spent = outcome.spent
    assert {"pilots", "selection", "fresh verification"} <= spent.keys()
    assert spent["fresh verification"].replications == len(outcome.plans) * FRESH
    neighbours = spent.get("neighbours")
    procedure = load_scenario(OPTIMISE, SMALL).optimise.procedure
    if neighbours is not None:  # looks after 4 (the fresh verification's) and 8 replications
        assert neighbours.replications % FRESH == 0
        assert neighbours.replications <= (procedure.neighbours + 2) \
            * procedure.neighbour_replications
    assert all(s.replications > 0 and s.seconds > 0 for s in spent.values())
    assert sum(s.seconds for s in spent.values()) <= outcome.seconds["certify"]
    parts = certify_parts(outcome)
    assert parts["surrogate and the rest"]["seconds"] >= 0


def test_reverse_mode_says_whether_the_target_is_reached(tmp_path: Path) -> None:
    """The cheapest plan for a target is checked on fresh replications; the run says so."""
    done = run_cli(str(OPTIMISE), *(a for s in SMALL for a in ("--set", s)),
                   "--set", "optimise.target_actioned=120", "--set", "optimise.service_levels=[]",
                   "--replications", "3", "--seed", "5", "--quiet", "--out", tmp_path / "t")
    assert done.returncode == 0, done.stderr
    assert "target 120 actioned" in done.stdout
    assert ("reaches the target" in done.stdout or "short" in done.stdout
            or "no plan within the bounds" in done.stdout)
    candidates = pd.read_csv(tmp_path / "t" / "candidates.csv")
    reached = candidates[candidates.note == "reaches the target"]
    assert (reached.ci_low >= 120).all()


def test_each_rung_of_the_ladder_is_the_cheapest_plan_giving_its_level() -> None:
    """The rungs keep half the zone and give their level; no neighbour doing so costs less.

    A local certificate against plans the solver did not propose: every neighbour of a
    rung (one post moved, added or removed, one lever step) that keeps the constraints
    and the floors, the rung's level and half the zone costs at least as much.  Rungs
    cost more as their level rises, and the cheapest plan within the zone costs least.
    """
    scenario = load_scenario(OPTIMISE, SMALL)
    surrogate = build_surrogate(scenario)
    today = reference_outcomes(scenario, surrogate)
    request = Request(reference=today)
    best = solve(scenario, surrogate, request=request)
    cheap = cheapest_within_zone(scenario, surrogate, best, request)
    rungs = ladder(scenario, surrogate, best, request, today)
    settings = scenario.optimise
    assert settings is not None and settings.procedure.ladder is not None
    assert cheap and rungs, "no rung within reach at the small scenario: nothing checked"
    level = best.surrogate_objective * (1 - settings.selection.indifference_share / 2)
    costs = [plan_cost_rm(scenario, plan) for plan in [*cheap, *rungs]]
    assert costs == sorted(costs)
    for rung in rungs:  # a level the cheaper plans already reach has no rung of its own
        times = float(rung.name.removeprefix(RUNG_PREFIX).partition("x_")[0])
        assert rung.name == rung_name("downloaded", times)
        wanted = times * today["downloaded"]
        assert rung.outcomes["downloaded"] >= wanted - 1e-6
        assert rung.surrogate_objective >= level - 1e-6
        near = screened(scenario, surrogate, list(neighbours(scenario, rung)), "neighbour",
                        workers=2)
        # the screening leaves relative floors to the simulation: the rung keeps them here
        giving = [c for c in near if c.promised >= level - 1e-6
                  and c.plan.outcomes["downloaded"] >= wanted - 1e-6
                  and all(c.plan.outcomes[floor_key(f)] >= floor_value(f, today) - 1e-6
                          for f in settings.service_levels)]
        assert giving, "no neighbour keeps the rung's level: nothing compared"
        assert min(plan_cost_rm(scenario, c.plan) for c in giving) >= \
            plan_cost_rm(scenario, rung) - 1e-6


def test_a_finalist_added_to_the_regret_table_leaves_what_was_simulated_as_it_was() -> None:
    """Extending the table simulates only the new finalist, and gives the table whole."""
    scenario = load_scenario(OPTIMISE, SMALL)
    settings = scenario.optimise
    assert settings is not None
    today = status_quo_plan(scenario)
    rule = three_to_four_rule(scenario, settings)
    lined = replace(rule, bandwidth_tier=settings.bandwidth_tiers[0])
    cases = {"as given": scenario}
    counted: list[int] = []
    first = regret_table(cases, {"rule": rule}, today, settings.weights, 2, 2)
    extended = regret_table(cases, {"rule": rule, "lined": lined}, today, settings.weights, 2,
                            2, counted.append, known=first.values)
    whole = regret_table(cases, {"rule": rule, "lined": lined}, today, settings.weights, 2, 2)
    assert sum(counted) == 3 * 2  # three demand cases, two replications, one new plan
    pd.testing.assert_frame_equal(extended.table, whole.table)
    assert extended.worst == whole.worst


def test_a_full_pool_screens_no_neighbour(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no room left, the pool is what it would be, and no neighbour is screened."""
    scenario = load_scenario(OPTIMISE, SMALL)
    runs = PlanRuns(scenario, 2, None)
    runs.add(STATUS_QUO, status_quo_plan(scenario))
    pilots = pilot_rounds(scenario, runs, STATUS_QUO)
    roomy = gather_candidates(override(scenario, ["optimise.procedure.candidates=40"]),
                              pilots, 2)
    proposed = [c for c in roomy if not c.source.startswith("neighbour")]
    assert len(proposed) < len(roomy), "no neighbour joined even with room: nothing compared"

    def refused(*_: object) -> None:
        raise AssertionError("a neighbour was screened with no room for it")

    monkeypatch.setattr(loop, "neighbours", refused)
    full = override(scenario, [f"optimise.procedure.candidates={len(proposed)}"])
    assert [(c.name, c.promised) for c in gather_candidates(full, pilots, 2)] \
        == [(c.name, c.promised) for c in proposed]


def test_todays_allocation_is_run_for_the_neighbours_service_levels_at_the_first_look_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The neighbours' floors are checked once; later looks run the plan and the neighbours.

    The small scenario's plans miss its floors, so here there are none: every neighbour
    is kept at the first look.  With no zone at all none settles there, so every one is
    run to the last.
    """
    scenario = load_scenario(OPTIMISE, [*SMALL, "optimise.service_levels=[]"])
    surrogate = build_surrogate(scenario)
    plan = solve(scenario, surrogate)
    runs = PlanRuns(scenario, 2)
    runs.add(CHOSEN, plan)
    runs.add(STATUS_QUO, status_quo_plan(scenario))
    fresh = range(FRESH_FIRST, FRESH_FIRST + FRESH)
    runs.run([CHOSEN, STATUS_QUO], fresh)  # the fresh verification's
    asked: list[tuple[tuple[str, ...], int]] = []
    run = runs.run

    def recorded(names: Sequence[str], numbers: range) -> dict[str, Replications]:
        asked.append((tuple(names), len(numbers)))
        return run(names, numbers)

    monkeypatch.setattr(runs, "run", recorded)
    bound = neighbour_bound(scenario, surrogate, runs, plan, fresh, delta=-np.inf)
    assert bound is not None, "no neighbour kept the constraints and floors: nothing compared"
    last = scenario.optimise.procedure.neighbour_replications
    assert [count for _, count in asked] == [FRESH, last]
    assert STATUS_QUO in asked[0][0] and STATUS_QUO not in asked[1][0]
    assert {record.replications for record in bound.neighbours} == {last}
    assert sorted(f"{record.name}" for record in bound.neighbours) == sorted(asked[1][0][1:])
