"""The price list: each cost falls in the calendar year it is paid, and plan.csv says so."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from model.loading import load_scenario
from model.optimise_schema import BandwidthTier, Delivery
from model.schema_base import CourseKind
from solvers.budget import budget_table
from solvers.costs import Charge, PriceList, price_list
from solvers.plan import (
    PLAN_COLUMNS,
    Plan,
    apply_plan,
    course_runs,
    current_posts,
    plan_costs,
    year_column,
)
from tests.conftest import ROOT

OPTIMISE = ROOT / "scenarios" / "optimise_rm13m.yaml"


def prices(start: dt.date = dt.date(2024, 1, 1), end: dt.date = dt.date(2026, 12, 31),
           lag: int = 180) -> PriceList:
    return PriceList(start, end, lag, {"officers": 110_000.0, "lower_ranks": 50_000.0},
                     30_000.0, 20_000.0,
                     {(CourseKind.COVERT_ONLINE, Delivery.LOCAL): 10_000.0}, 100_000.0)


def test_a_new_post_starting_vacant_costs_less_salary_in_its_first_year_than_its_second() -> None:
    """Filled 180 days after 1 January 2024 (29 June): 186 of 2024's 366 days are paid."""
    price = prices()
    vacant = price.by_year_rm(price.salary_charge("officers"), 3)
    assert vacant[2024] == pytest.approx(3 * 110_000 * 186 / 366)
    assert vacant[2024] < vacant[2025] == vacant[2026] == pytest.approx(330_000)
    filled = price.by_year_rm(price.salary_charge("officers", filled_at_start=True), 3)
    assert filled == pytest.approx({2024: 330_000, 2025: 330_000, 2026: 330_000})
    assert price.salaries_cost_rm("officers", 3) == pytest.approx(sum(vacant.values()))


def test_one_offs_fall_in_the_year_paid_and_a_line_is_rented_from_its_start() -> None:
    price = prices()
    line = price.line_charge(BandwidthTier(mbps=500, install_rm=5000, monthly_rm=3462,
                                           source="t"))
    assert price.by_year_rm(line, 1) == pytest.approx({2024: 5000 + 12 * 3462,
                                                       2025: 12 * 3462, 2026: 12 * 3462})
    course = price.place_charge(CourseKind.COVERT_ONLINE, Delivery.LOCAL, dt.date(2025, 3, 1))
    assert price.by_year_rm(course, 4) == {2024: 0.0, 2025: 40_000.0, 2026: 0.0}
    after_the_end = Charge(1_000.0, 1_000.0, dt.date(2027, 1, 1))
    assert price.cost_rm(after_the_end, 1) == 0.0


def test_a_part_year_pays_its_share_of_the_days() -> None:
    price = prices(start=dt.date(2024, 7, 1), end=dt.date(2025, 12, 31), lag=0)
    costs = price.by_year_rm(price.campaign_charge(), 1)
    assert costs[2025] == pytest.approx(100_000)
    assert costs[2024] == pytest.approx(100_000 * 184 / 366)


def _plan_with_new_posts_and_courses() -> tuple:
    scenario = load_scenario(OPTIMISE, ["initial_state=null"])
    posts = dict(current_posts(scenario))
    posts[("SGR", "officers")] += 3  # three new posts at Selangor, vacant until recruited
    places = {(CourseKind.COVERT_ONLINE, Delivery.ABROAD): 2,
              (CourseKind.COVERT_ONLINE, Delivery.LOCAL): 3}
    trainees = {(CourseKind.COVERT_ONLINE, "SGR"): 4, (CourseKind.COVERT_ONLINE, "KDH"): 1}
    return scenario, Plan("test", posts, course_places=places, trainees=trainees,
                          campaigns={"SGR": 3})


def test_plan_csv_dates_each_cost_and_its_years_add_up() -> None:
    scenario, plan = _plan_with_new_posts_and_courses()
    rows = pd.DataFrame(plan_costs(scenario, plan))
    years = [year_column(year) for year in scenario.years]
    assert list(rows.columns) == [*PLAN_COLUMNS, *years]
    assert rows[years].sum(axis=1).to_numpy() == pytest.approx(rows.cost_rm.to_numpy())
    salary = rows[rows.lever == "posts_new_officers_salary"].iloc[0]
    assert salary.paid_from == price_list(scenario).filled_on().isoformat()
    assert salary[years[0]] < salary[years[1]]
    free = rows[rows.paid_quantity == 0]
    assert (free.cost_rm == 0).all() and (free.paid_from == "").all()
    campaigns = rows[rows.lever == "campaigns_per_year"].set_index("scope")
    assert campaigns.loc["SGR", "paid_quantity"] == 2  # beyond today's one a year
    assert campaigns.loc["KDH", "paid_quantity"] == 0  # kept as today: nothing paid


def test_every_place_bought_trains_one_person_at_a_site_after_their_post_is_filled() -> None:
    scenario, plan = _plan_with_new_posts_and_courses()
    runs = course_runs(scenario, plan)
    by_site: dict[str, int] = {}
    for run in runs:
        by_site[run.site] = by_site.get(run.site, 0) + run.places
    assert by_site == {"SGR": 4, "KDH": 1}
    lag = dt.timedelta(days=180)
    for run in runs:  # Selangor trains more officers than are in post on the first day
        if run.site == "SGR":
            assert run.held_on >= scenario.start_date + lag
    rows = pd.DataFrame(plan_costs(scenario, plan))
    places = rows[rows.unit == "places"].groupby("scope").paid_quantity.sum().to_dict()
    trained = rows[rows.unit == "people trained"].set_index("scope").quantity.to_dict()
    assert places == trained == {"SGR": 4, "KDH": 1}
    courses = apply_plan(scenario, plan).training.courses
    assert sum(course.places for course in courses) == 5


def test_places_that_nobody_takes_are_refused() -> None:
    scenario, plan = _plan_with_new_posts_and_courses()
    short = Plan(plan.name, plan.posts, course_places=plan.course_places,
                 trainees={(CourseKind.COVERT_ONLINE, "SGR"): 4})
    with pytest.raises(ValueError, match="5 places bought but 4 people"):
        course_runs(scenario, short)


def test_a_post_created_in_a_later_year_is_set_up_then_and_paid_from_its_fill() -> None:
    """A post created in 2025 is set up then and salaried from when it is filled.

    Two officer posts created in 2025: set up on 1 January 2025, salaried from 180 days
    later; nothing in 2024; the simulation gets them as a dated change.
    """
    scenario = load_scenario(OPTIMISE, ["initial_state=null"])
    posts = dict(current_posts(scenario))
    posts[("SGR", "officers")] += 2
    plan = Plan("phased", posts, phasing={("SGR", "officers"): {2025: 2}})
    rows = pd.DataFrame(plan_costs(scenario, plan))
    salary = rows[rows.lever == "posts_new_officers_salary"].iloc[0]
    set_up = rows[rows.lever == "posts_new_officers_set_up"].iloc[0]
    rate = scenario.optimise.post_costs.officer_rm_per_year.value
    filled = dt.date(2025, 1, 1) + dt.timedelta(days=180)
    assert salary.year == set_up.year == 2025 and salary.paid_from == filled.isoformat()
    assert salary.cost_2024_rm == 0 and set_up.cost_2024_rm == 0
    assert salary.cost_2025_rm == pytest.approx(2 * rate * (365 - 180) / 365)
    assert salary.cost_2026_rm == pytest.approx(2 * rate)
    assert set_up.cost_2025_rm == pytest.approx(
        2 * scenario.optimise.post_costs.new_post_one_off_rm.value)
    group = apply_plan(scenario, plan).states["SGR"].officers
    assert group.posts == posts[("SGR", "officers")] - 2
    assert [(c.date, c.posts) for c in group.changes] == [(dt.date(2025, 1, 1), group.posts + 2)]


def test_liabilities_are_the_recurring_rate_for_each_year_after_the_horizon() -> None:
    """budget.csv: the plan's recurring rate at the end, every year 2027-2030."""
    scenario, plan = _plan_with_new_posts_and_courses()
    rows = pd.DataFrame(plan_costs(scenario, plan))
    money = budget_table(scenario, rows)
    after = money[money.beyond_horizon]
    rate = rows.recurring_rm_per_year.sum()
    assert list(after.year) == [2027, 2028, 2029, 2030]
    assert after.recurring_rm.to_numpy() == pytest.approx([rate] * 4)
    inside = money[~money.beyond_horizon]
    assert inside.one_off_rm.sum() == pytest.approx(rows.one_off_rm.sum())
    years = [year_column(year) for year in scenario.years]
    assert (inside.one_off_rm + inside.recurring_rm).to_numpy() == pytest.approx(
        rows[years].sum().to_numpy())


def test_tools_are_priced_once_then_yearly() -> None:
    scenario = load_scenario(OPTIMISE, ["initial_state=null"])
    plan = Plan("tools", current_posts(scenario), tooling={"hash_matching": 1, "workstations": 2})
    rows = pd.DataFrame(plan_costs(scenario, plan)).set_index("lever")
    prices = scenario.optimise.tooling
    assert rows.loc["tooling.workstations", "one_off_rm"] == 2 * prices.workstations.one_off_rm
    assert rows.loc["tooling.hash_matching", "cost_rm"] == pytest.approx(
        prices.hash_matching.one_off_rm + 3 * prices.hash_matching.recurring_rm_per_year)
    applied = apply_plan(scenario, plan).tooling
    assert applied.hash_matching and applied.workstations == 2 and not applied.risk_scoring
