"""The optimiser: exact on small instances, every constraint kept, conflicts explained."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.loading import load_scenario, override
from model.metrics import PAIRED_COLUMNS, VERDICTS
from model.schema_base import STATE_CODES
from solvers.allocation import InfeasiblePlan, solve, surrogate_value
from solvers.explain import conflicts
from solvers.plan import HQ, PLAN_COLUMNS, Plan, current_posts, plan_cost_rm, plan_costs
from solvers.surrogate import build_surrogate
from tests.conftest import ROOT

OPTIMISE = ROOT / "scenarios" / "optimise_rm13m.yaml"
FREE_STATES = ("SGR", "JHR", "KTN")


def small_instance(budget_rm: float, fixed: dict[str, float] | None = None) -> tuple:
    """Three states' officers free (0-3), two lines to choose from, all else fixed.

    ``fixed`` fixes more levers (by their ``optimise.bounds`` names).
    """
    base = load_scenario(OPTIMISE, ["initial_state=null", "end_date=2024-12-31"])
    today = current_posts(base)
    bounds = {}
    for (site, group), posts in today.items():
        name = f"posts_{group.replace('.', '_')}.{site}"
        if site in FREE_STATES and group == "officers":
            bounds[name] = {"min": 0, "max": 3}
        else:
            bounds[name] = {"min": posts, "max": posts}
    for code in STATE_CODES:
        bounds[f"campaigns_per_year.{code}"] = {"min": 1, "max": 1}
    for name, value in (fixed or {}).items():
        bounds[name] = {"min": value, "max": value}
    text = ", ".join(f"'{k}': {{min: {v['min']}, max: {v['max']}}}" for k, v in bounds.items())
    scenario = override(base, [
        f"optimise.bounds={{{text}}}",
        "optimise.courses=[]",
        "optimise.bandwidth_tiers=[{mbps: 100, install_rm: 5000, monthly_rm: 1448, source: t}, "
        "{mbps: 1000, install_rm: 5000, monthly_rm: 6299, source: t}]",
        f"optimise.budget_rm={budget_rm}", "optimise.max_total_posts=60",
        "optimise.min_posts_per_state=0", "optimise.max_posts_per_state=10",
        "optimise.hq_posts={}", "optimise.min_officer_share=0", "optimise.min_officers_per_state=0",
        "optimise.post_costs.relocation_one_off_rm={value: 0, low: 0, high: 0, assumption: t}",
    ])
    return scenario, build_surrogate(scenario)


@pytest.mark.parametrize("budget_rm", [0, 150_000, 600_000])
def test_optimum_equals_exhaustive_enumeration(budget_rm: float) -> None:
    """On a small instance the solver's optimum is the best of every feasible plan."""
    scenario, surrogate = small_instance(budget_rm)
    best = solve(scenario, surrogate)
    today = current_posts(scenario)
    tiers = [None, *scenario.optimise.bandwidth_tiers]
    champion = -1.0
    for officers in itertools.product(range(4), repeat=len(FREE_STATES)):
        for tier in tiers:
            posts = dict(today)
            posts.update({(code, "officers"): n for code, n in zip(FREE_STATES, officers,
                                                                   strict=True)})
            plan = Plan("candidate", posts, bandwidth_tier=tier,
                        campaigns={c: 1 for c in STATE_CODES})
            if plan_cost_rm(scenario, plan) > budget_rm + 1 \
                    or plan.total_posts() > scenario.optimise.max_total_posts:
                continue
            champion = max(champion, surrogate_value(scenario, surrogate, plan))
    assert best.status == "optimal"
    assert best.surrogate_actioned == pytest.approx(champion, abs=0.5)


def test_posts_buy_capacity_when_money_allows() -> None:
    """Money for new posts raises the optimum; none keeps it at today's posts."""
    poor = solve(*small_instance(0))
    rich = solve(*small_instance(600_000))
    assert rich.surrogate_actioned > poor.surrogate_actioned


def test_plan_csv_and_the_solver_s_budget_price_a_plan_alike() -> None:
    """The budget constraint admits a plan exactly when plan.csv's cost of it fits.

    The plan creates two officer posts, moves one and buys a 1,000 Mbps line, so every
    kind of spending is priced; the solver prices whole ringgit a unit, hence the
    tolerance of half a ringgit per unit bought.
    """
    fixed = {"posts_officers.SGR": 3, "posts_officers.JHR": 2, "posts_officers.KTN": 0,
             "bandwidth_mbps.hq": 1000}
    relocation = ("optimise.post_costs.relocation_one_off_rm="
                  "{value: 20000, low: 0, high: 50000, assumption: t}")
    scenario, surrogate = small_instance(0, fixed)
    scenario = override(scenario, [relocation])
    posts = dict(current_posts(scenario))
    posts.update({("SGR", "officers"): 3, ("JHR", "officers"): 2, ("KTN", "officers"): 0})
    plan = Plan("fixed", posts, bandwidth_tier=scenario.optimise.bandwidth_tiers[1],
                campaigns={c: 1 for c in STATE_CODES})
    rows = pd.DataFrame(plan_costs(scenario, plan))
    assert set(rows[rows.cost_rm > 0].lever) == {
        "posts_new_officers_salary", "posts_new_officers_set_up", "posts_moved",
        "bandwidth_mbps"}
    cost_rm = plan_cost_rm(scenario, plan)
    tolerance = 0.5 * (2 + 1 + 1)
    enough = override(scenario, [f"optimise.budget_rm={cost_rm + tolerance + 1}"])
    chosen = solve(enough, surrogate)
    assert chosen.posts == posts and chosen.bandwidth_tier == plan.bandwidth_tier
    assert plan_cost_rm(enough, chosen) == cost_rm
    short = override(scenario, [f"optimise.budget_rm={cost_rm - tolerance - 1}"])
    with pytest.raises(InfeasiblePlan) as refused:
        solve(short, surrogate)
    assert "budget" in refused.value.groups


def test_explained_cost_of_forced_posts_is_plan_csv_s() -> None:
    """Explain's price of the new posts the minimums force is what plan.csv charges."""
    scenario = load_scenario(OPTIMISE, ["initial_state=null", "end_date=2024-12-31",
                                        "optimise.min_posts_per_state=5",
                                        "optimise.max_posts_per_state=6",
                                        "optimise.max_total_posts=100"])
    today = current_posts(scenario)
    forced = 14 * 5 + scenario.optimise.hq_posts.min - sum(today.values())
    posts = dict(today)
    posts[("SGR", "lower_ranks")] += int(forced)  # the cheapest new posts, none moved
    cost_rm = plan_cost_rm(scenario, Plan("forced", posts))
    below = override(scenario, [f"optimise.budget_rm={cost_rm - 1}"])
    above = override(scenario, [f"optimise.budget_rm={cost_rm + 1}"])
    assert any(f"RM{cost_rm:,.0f}" in found for found in conflicts(below))
    assert not any("optimise.budget_rm" in found for found in conflicts(above))


constraint_sets = st.fixed_dictionaries({
    "budget": st.sampled_from([0, 1e6, 5e6, 13e6]),
    "total": st.integers(40, 80),
    "low": st.integers(0, 4),
    "width": st.integers(0, 3),
    "share": st.sampled_from([0.0, 0.3, 0.6]),
    "hq_min": st.integers(0, 20),
})


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(constraint_sets)
def test_every_constraint_holds_or_is_explained(values: dict) -> None:
    """A plan keeps every constraint; an impossible set is explained instead."""
    base = load_scenario(OPTIMISE, ["initial_state=null", "end_date=2024-12-31",
                                    "optimise.time_limit_seconds=10"])
    scenario = override(base, [
        f"optimise.budget_rm={values['budget']}", f"optimise.max_total_posts={values['total']}",
        f"optimise.min_posts_per_state={values['low']}",
        f"optimise.max_posts_per_state={values['low'] + values['width']}",
        f"optimise.min_officer_share={values['share']}",
        f"optimise.hq_posts={{min: {values['hq_min']}}}",
    ])
    settings_ = scenario.optimise
    if conflicts(scenario):
        return  # explained before solving (tested below)
    try:
        plan = solve(scenario, build_surrogate(scenario))
    except InfeasiblePlan as error:
        assert error.groups
        return
    posts = plan.posts
    assert sum(posts.values()) <= settings_.max_total_posts
    for code in STATE_CODES:
        total = posts[(code, "officers")] + posts[(code, "lower_ranks")]
        assert settings_.min_posts_per_state <= total <= settings_.max_posts_per_state
        assert posts[(code, "officers")] >= settings_.min_officers_per_state
    assert sum(v for (s, _), v in posts.items() if s == HQ) >= values["hq_min"]
    officers = sum(v for (_, g), v in posts.items() if g.endswith("officers"))
    assert officers >= settings_.min_officer_share * sum(posts.values()) - 1e-9
    assert plan_cost_rm(scenario, plan) <= settings_.budget_rm + 14  # rounding to whole RM
    for (kind, delivery), places in plan.course_places.items():
        option = next(o for o in settings_.courses if (o.course, o.delivery) == (kind, delivery))
        assert places <= option.max_places + 5 * 6  # train-the-trainer adds local places
    assert_places_train_people(plan)


def assert_places_train_people(plan: Plan) -> None:
    """Every place bought trains one person, at a site with the posts to train."""
    for kind in {kind for kind, _ in plan.course_places}:
        bought = sum(v for (k, _), v in plan.course_places.items() if k is kind)
        trained = sum(v for (k, _), v in plan.trainees.items() if k is kind)
        assert bought == trained, kind
    for (kind, site), people in plan.trainees.items():
        if site == HQ:
            assert people <= plan.posts[(HQ, "forensic_team.officers")] \
                + plan.posts[(HQ, "forensic_team.lower_ranks")]
        else:
            assert people <= plan.posts[(site, "officers")], (kind, site)


def test_reverse_mode_finds_a_cheaper_plan_for_a_lower_target() -> None:
    """The cheapest plan reaching a target costs no more than the best plan, and reaches it."""
    scenario = load_scenario(OPTIMISE, ["initial_state=null", "end_date=2024-12-31"])
    surrogate = build_surrogate(scenario)
    best = solve(scenario, surrogate)
    target = 0.9 * best.surrogate_actioned
    cheapest = solve(scenario, surrogate, target=target)
    assert cheapest.surrogate_actioned >= target
    assert plan_cost_rm(scenario, cheapest) <= plan_cost_rm(scenario, best) + 1


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def test_too_many_posts_per_state_is_explained_with_numbers(tmp_path) -> None:
    """The issue's example: 14 states x 5 posts = 70 > 56 posts, exit 3, no traceback."""
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "optimise.min_posts_per_state=5",
                   "--set", "optimise.max_total_posts=56", "--out", tmp_path / "out")
    assert done.returncode == 3
    assert "14 states x 5 posts = 70" in done.stderr and "56 posts" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_budget_too_small_for_the_minimum_posts_is_explained(tmp_path) -> None:
    """Minimum posts that need new posts beyond the budget are refused with the sums."""
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "optimise.min_posts_per_state=5",
                   "--set", "optimise.max_posts_per_state=6", "--set",
                   "optimise.max_total_posts=100", "--set", "optimise.budget_rm=100000",
                   "--out", tmp_path / "out")
    assert done.returncode == 3
    assert "new posts" in done.stderr and "optimise.budget_rm" in done.stderr


def test_conflict_only_the_solver_sees_is_named(tmp_path) -> None:
    """All officers required while HQ lower ranks are fixed: the solver's core names both."""
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "optimise.min_officer_share=1.0",
                   "--set", "optimise.bounds={'posts_download_team_lower_ranks.hq': {min: 2}}",
                   "--out", tmp_path / "out")
    assert done.returncode == 3, done.stderr
    assert "officers' share" in done.stderr and "bounds set on levers" in done.stderr


@pytest.fixture(scope="module")
def small_optimisation(tmp_path_factory):
    out = tmp_path_factory.mktemp("opt") / "plan"
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "initial_state=null",
                   "--set", "end_date=2024-06-30",
                   "--set", "arrivals.referrals_per_year.2023=30000",
                   "--set", "optimise.rounds=2", "--set", "optimise.replications=2",
                   "--replications", "3", "--seed", "5", "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_optimise_run_writes_plan_and_paired_comparisons(small_optimisation) -> None:
    """plan.csv within budget and bounds; paired_diff.csv against both alternatives."""
    out, stdout = small_optimisation
    plan = pd.read_csv(out / "plan.csv")
    assert list(plan.columns) == [*PLAN_COLUMNS, "cost_2024_rm"]
    posts = plan[plan.lever.str.startswith("posts") & (plan.unit == "posts")
                 & ~plan.lever.str.contains("new|moved")]
    assert posts.quantity.sum() <= 56
    for code in STATE_CODES:
        assert 3 <= posts[posts.scope == code].quantity.sum() <= 4
    assert posts[posts.scope == "hq"].quantity.sum() >= 10
    assert plan.cost_rm.sum() <= 13_000_000
    paired = pd.read_csv(out / "paired_diff.csv")
    assert list(paired.columns) == PAIRED_COLUMNS
    assert set(paired.verdict) <= set(VERDICTS)
    assert set(paired.option_a) == {"optimised"}
    assert set(paired.option_b) == {"status_quo", "three_to_four_per_state"}
    rounds = pd.read_csv(out / "rounds.csv")
    assert {"surrogate_actioned", "simulated_actioned", "gap_share"} <= set(rounds.columns)
    marginal = pd.read_csv(out / "marginal.csv")
    assert {"RM1 million more", "100 Mbps more"} <= set(marginal.lever)
    assert marginal.simulated_gain.notna().sum() == 5
    import json
    info = json.loads((out / "run.json").read_text())
    assert info["scenario"]["optimise"]["budget_rm"] == 13_000_000
    assert info["plan"]["total_cost_rm"] <= 13_000_000


def test_a_full_plan_trains_one_person_a_place_and_pays_salaries_from_the_fill_date() -> None:
    """The shipped RM13 million optimisation: a place for each person trained; salaries by date.

    Places equal the people trained by course and site; new posts start vacant, so the
    first year carries about half a year of their salaries.
    """
    scenario = load_scenario(OPTIMISE, ["initial_state=null"])
    plan = solve(scenario, build_surrogate(scenario))
    assert_places_train_people(plan)
    rows = pd.DataFrame(plan_costs(scenario, plan))
    places = rows[rows.unit == "places"]
    places = places.assign(course=places.lever.str.extract(
        r"training_(digital_forensics|covert_online|child_interview)_")[0])
    trained = rows[rows.unit == "people trained"].assign(
        course=lambda frame: frame.lever.str.removeprefix("trained_"))
    assert places.groupby(["course", "scope"]).paid_quantity.sum().to_dict() == \
        trained.groupby(["course", "scope"]).quantity.sum().to_dict()
    salaries = rows[rows.lever.str.endswith("_salary")]
    assert len(salaries) and (salaries.cost_2024_rm < 0.55 * salaries.cost_2025_rm).all()
    assert rows.cost_rm.sum() == pytest.approx(rows.filter(regex=r"cost_\d{4}_rm").sum().sum())
    assert rows.cost_rm.sum() <= scenario.optimise.budget_rm + 50
