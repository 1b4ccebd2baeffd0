"""The ``Plan`` every solver returns, its costs, and the scenario that carries it out.

A plan sets the levers: posts by site, team and rank; course places; the HQ
line; awareness campaigns per state.  ``apply_plan`` turns it into a scenario
the simulation can verify; ``plan_costs`` into the rows of ``plan.csv``, priced
by ``solvers.costs``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from model.engine.arrivals import state_shares
from model.levers import Lever, LeverKind
from model.metrics import HQ, NATIONAL
from model.optimise_schema import BandwidthTier, Delivery, Optimise
from model.scenario import CourseRun, Scenario, StaffGroup
from model.schema_base import STATE_CODES, CourseKind
from solvers.costs import Charge, PriceList, moved_posts, new_posts, price_list

STATE_GROUPS = ("officers", "lower_ranks")
HQ_GROUPS = ("download_team.officers", "download_team.lower_ranks",
             "forensic_team.officers", "forensic_team.lower_ranks")
STATE_COURSES = (CourseKind.COVERT_ONLINE, CourseKind.CHILD_INTERVIEW)
"""Courses whose trainees are state officers (placed state by state); digital forensics
trains HQ's forensic team."""
COURSE_START_DAYS = {Delivery.TRAIN_THE_TRAINER: 30, Delivery.ABROAD: 60, Delivery.LOCAL: 120}
"""Days after the start a course runs (assumption: trainers first, local courses after);
for people in new posts, days after they are filled (the recruitment lag)."""
DELIVERY_ORDER = tuple(sorted(COURSE_START_DAYS, key=COURSE_START_DAYS.__getitem__))
"""Deliveries in the order their courses run: places are placed at sites in this order."""

PLAN_COLUMNS = ["lever", "scope", "quantity", "unit", "cost_rm", "paid_quantity",
                "unit_one_off_rm", "unit_recurring_rm_per_year", "paid_from", "one_off_rm",
                "recurring_rm_per_year"]
"""The columns of ``plan.csv`` before its ``cost_<year>_rm`` columns (see ``plan_costs``)."""

PostKey = tuple[str, str]  # (state code or "hq", group)
TrainedGroup = Literal["officers", "forensic_team"]
"""Groups the optimiser trains: a state's officers, or HQ's forensic team."""


@dataclass(frozen=True)
class Plan:
    """Levers chosen by a solver (or a rule), and what the solver knows of them."""

    name: str
    posts: dict[PostKey, int]
    course_places: dict[tuple[CourseKind, Delivery], int] = field(default_factory=dict)
    # people trained by (course, site): a course's places, all deliveries, train as many
    trainees: dict[tuple[CourseKind, str], int] = field(default_factory=dict)
    bandwidth_tier: BandwidthTier | None = None
    campaigns: dict[str, int] = field(default_factory=dict)
    status: str = "rule"
    flows: dict[str, float] = field(default_factory=dict)
    surrogate_actioned: float = float("nan")
    bound: float = float("nan")
    solve_seconds: float = 0.0

    @property
    def gap(self) -> float:
        """Relative optimality gap the solver proved (0 when optimal)."""
        if self.bound != self.bound or self.surrogate_actioned != self.surrogate_actioned:
            return float("nan")
        if self.bound == 0:
            return 0.0
        return abs(self.bound - self.surrogate_actioned) / abs(self.bound)

    def total_posts(self) -> int:
        """Posts of every site and rank."""
        return sum(self.posts.values())


def current_posts(scenario: Scenario) -> dict[PostKey, int]:
    """Today's establishment, as plan keys."""
    posts: dict[PostKey, int] = {}
    for code in STATE_CODES:
        state = scenario.states[code]
        posts[(code, "officers")] = final_posts(state.officers)
        posts[(code, "lower_ranks")] = final_posts(state.lower_ranks)
    for team in ("download_team", "forensic_team"):
        unit = getattr(scenario.hq, team)
        posts[(HQ, f"{team}.officers")] = final_posts(unit.officers)
        posts[(HQ, f"{team}.lower_ranks")] = final_posts(unit.lower_ranks)
    return posts


def final_posts(group: StaffGroup) -> int:
    """A group's establishment after its last change."""
    return group.changes[-1].posts if group.changes else group.posts


def status_quo_plan(scenario: Scenario) -> Plan:
    """The scenario's own allocation, changing nothing."""
    return Plan("status_quo", current_posts(scenario),
                campaigns={c: scenario.states[c].campaigns_per_year for c in STATE_CODES})


def three_to_four_rule(scenario: Scenario, settings: Optimise) -> Plan:
    """The rule "three to four posts per state": within the same total posts.

    Every state gets three (an officer and two lower ranks); the four largest by
    tip-off share get a fourth officer; HQ keeps what is left, split between
    its teams in today's proportion.  Money is not spent otherwise.
    """
    shares = state_shares(scenario)
    largest = {STATE_CODES[i] for i in shares.argsort()[::-1][:4]}
    posts: dict[PostKey, int] = {}
    for code in STATE_CODES:
        posts[(code, "officers")] = 2 if code in largest else 1
        posts[(code, "lower_ranks")] = 2
    today = current_posts(scenario)
    left = max(settings.max_total_posts - sum(posts.values()), 0)
    hq_today = {key: value for key, value in today.items() if key[0] == HQ}
    total_today = sum(hq_today.values()) or 1
    allocated = {key: int(left * value / total_today) for key, value in hq_today.items()}
    remainder = left - sum(allocated.values())
    for key in sorted(hq_today, key=lambda k: -hq_today[k])[:remainder]:
        allocated[key] += 1
    posts.update(allocated)
    return Plan("three_to_four_per_state", posts,
                campaigns={c: scenario.states[c].campaigns_per_year for c in STATE_CODES})


def apply_plan(scenario: Scenario, plan: Plan) -> Scenario:
    """The scenario with the plan's levers in place (new posts fill after the lag)."""
    data: dict[str, Any] = scenario.model_dump(mode="json")
    today = current_posts(scenario)
    for (site, group), posts in plan.posts.items():
        node = data["hq"] if site == HQ else data["states"][site]
        for part in group.split("."):
            node = node[part]
        filled = min(posts, today[(site, group)])
        node.update({"posts": posts, "filled_at_start": filled, "changes": []})
    days_off = _days_off(scenario.optimise)
    data["training"]["courses"] = [*data["training"]["courses"], *[
        _course(run.course, run.site, trained_group(run.site), run.places, run.held_on,
                days_off.get((run.course, run.delivery), 5))
        for run in course_runs(scenario, plan)]]
    if plan.bandwidth_tier is not None:  # the line bought; what evidence gets of it: Download
        data["download"]["line_mbps"] = plan.bandwidth_tier.mbps
    for code, campaigns in plan.campaigns.items():
        data["states"][code]["campaigns_per_year"] = campaigns
    return Scenario.model_validate(data)


def _course(kind: CourseKind, site: str, group: TrainedGroup, places: int, start: dt.date,
            days: int) -> dict[str, Any]:
    return CourseRun(course=kind, site=site, group=group, places=places, start_date=start,
                     duration_days=days).model_dump(mode="json")


@dataclass(frozen=True)
class CoursePlacement:
    """Places of one course, given one way, for the people of one site: one course run."""

    course: CourseKind
    delivery: Delivery
    site: str
    places: int
    held_on: dt.date


def trained_group(site: str) -> TrainedGroup:
    """Who a course trains at a site: HQ's forensic team, or a state's officers."""
    return "forensic_team" if site == HQ else "officers"


def trained_sites(kind: CourseKind) -> list[str]:
    """Sites whose people take a course: HQ for digital forensics, else every state."""
    return [HQ] if kind is CourseKind.DIGITAL_FORENSICS else list(STATE_CODES)


def trained_post_keys(site: str) -> list[PostKey]:
    """The posts whose holders a course trains at a site (its :func:`trained_group`)."""
    if site == HQ:
        return [(HQ, group) for group in HQ_GROUPS if group.startswith("forensic_team.")]
    return [(site, "officers")]


def in_post_at_start(scenario: Scenario, plan: Plan, site: str) -> int:
    """People of a site's trained group in post on the first day (as ``apply_plan`` fills)."""
    today = current_posts(scenario)
    return sum(min(plan.posts[key], today[key]) for key in trained_post_keys(site))


def new_posts_trained_in_time(scenario: Scenario) -> bool:
    """Whether people in new posts can take any course within the horizon.

    New posts are filled after the recruitment lag, and :func:`course_runs` holds their
    courses after it.
    """
    lag = math.ceil(scenario.staffing.recruitment_lag_days.value)
    last = scenario.start_date + dt.timedelta(days=lag + max(COURSE_START_DAYS.values()))
    return last <= scenario.end_date


def course_runs(scenario: Scenario, plan: Plan) -> list[CoursePlacement]:
    """The plan's course places placed at the sites whose people take them, and when.

    Every place bought trains one person: each course's places, delivery by delivery
    (trainers first, local courses last), go to the sites that train people on it
    (``plan.trainees``), sites in the order of ``plan.trainees``.  A course is held
    ``COURSE_START_DAYS`` after the start, or after the site's new posts are filled (the
    recruitment lag) when it trains more people than are in post at the start.

    Raises
    ------
    ValueError
        If a course's places and the people it trains differ (the solver keeps them
        equal, see ``solvers.allocation``).
    """
    lag = math.ceil(scenario.staffing.recruitment_lag_days.value)
    runs: list[CoursePlacement] = []
    for kind in CourseKind:
        people = {site: n for (k, site), n in plan.trainees.items() if k is kind and n > 0}
        bought = [(d, plan.course_places.get((kind, d), 0)) for d in DELIVERY_ORDER]
        if sum(people.values()) != sum(n for _, n in bought):
            raise ValueError(f"{kind.value}: {sum(n for _, n in bought)} places bought but "
                             f"{sum(people.values())} people placed on them")
        late = {site: n > in_post_at_start(scenario, plan, site) for site, n in people.items()}
        for delivery, places in bought:
            for site in people:
                taken = min(places, people[site])
                if taken:
                    held = scenario.start_date + dt.timedelta(
                        days=COURSE_START_DAYS[delivery] + (lag if late[site] else 0))
                    runs.append(CoursePlacement(kind, delivery, site, taken, held))
                    people[site] -= taken
                    places -= taken
    return runs


def _days_off(settings: Optimise | None) -> dict[tuple[CourseKind, Delivery], int]:
    if settings is None:
        return {}
    return {(o.course, o.delivery): o.days_off_duty for o in settings.courses}


def plan_costs(scenario: Scenario, plan: Plan) -> list[dict[str, Any]]:
    """The rows of ``plan.csv``: what the plan sets, what it pays for, and when.

    Parameters
    ----------
    scenario : Scenario
        The scenario the plan is for (with an ``optimise`` section: its prices).
    plan : Plan
        The levers chosen.

    Returns
    -------
    list of dict
        Rows of :data:`PLAN_COLUMNS`, then ``cost_<year>_rm`` for each calendar year of
        the horizon: every post set (at no cost of its own), then new and moved posts,
        course places (by course, delivery and the site whose people take them), the
        people trained (by course and site: as many as the places), the line and every
        state's campaigns.  ``quantity`` is what the plan sets; ``paid_quantity`` what
        is paid for (new posts, places, one line, campaigns beyond today's; 0 for what
        is kept), at ``unit_one_off_rm`` once on ``paid_from`` and
        ``unit_recurring_rm_per_year`` from that day on; ``cost_rm`` is the sum of the
        years (:class:`solvers.costs.PriceList` says which year a cost falls in).

    Raises
    ------
    ValueError
        If the scenario has no ``optimise`` section.
    """
    prices = price_list(scenario)
    return (_post_rows(prices, plan) + _new_post_rows(scenario, plan, prices)
            + _course_rows(scenario, plan, prices) + _line_rows(plan, prices)
            + _campaign_rows(scenario, plan, prices))


def year_column(year: int) -> str:
    """The ``plan.csv`` column of a calendar year's cost: ``cost_2024_rm``."""
    return f"cost_{year}_rm"


def _row(prices: PriceList, lever: Lever, scope: str, quantity: float, unit: str,
         charge: Charge | None = None, paid_quantity: int = 0) -> dict[str, Any]:
    """One row of ``plan.csv``; without a charge or a quantity paid, a lever set at no cost."""
    row: dict[str, Any] = {"lever": lever.code, "scope": scope, "quantity": quantity,
                           "unit": unit, "cost_rm": 0.0, "paid_quantity": 0,
                           "unit_one_off_rm": 0.0, "unit_recurring_rm_per_year": 0.0,
                           "paid_from": "", "one_off_rm": 0.0, "recurring_rm_per_year": 0.0}
    by_year = dict.fromkeys(prices.years, 0.0)
    if charge is not None and paid_quantity:
        by_year = prices.by_year_rm(charge, paid_quantity)
        inside = prices.start_date <= charge.paid_from <= prices.end_date
        row.update(cost_rm=float(sum(by_year.values())), paid_quantity=paid_quantity,
                   unit_one_off_rm=charge.one_off_rm,
                   unit_recurring_rm_per_year=charge.recurring_rm_per_year,
                   paid_from=charge.paid_from.isoformat(),
                   one_off_rm=paid_quantity * charge.one_off_rm if inside else 0.0,
                   recurring_rm_per_year=paid_quantity * charge.recurring_rm_per_year)
    return row | {year_column(year): cost for year, cost in by_year.items()}


def _post_rows(prices: PriceList, plan: Plan) -> list[dict[str, Any]]:
    return [_row(prices, Lever.posts(group), site, posts, "posts")
            for (site, group), posts in sorted(plan.posts.items())]


def _new_post_rows(scenario: Scenario, plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    today = current_posts(scenario)
    rows = []
    for rank, count in new_posts(plan.posts, today).items():
        if count:  # new posts start vacant (apply_plan): paid from when they are filled
            rows.append(_row(prices, Lever(LeverKind.NEW_POSTS_SALARY, rank=rank), NATIONAL,
                             count, "posts", prices.salary_charge(rank), count))
            rows.append(_row(prices, Lever(LeverKind.NEW_POSTS_SET_UP, rank=rank), NATIONAL,
                             count, "posts", prices.set_up_charge(), count))
    moved = moved_posts(plan.posts, today)
    if moved > 0:
        rows.append(_row(prices, Lever(LeverKind.POSTS_MOVED), NATIONAL, moved, "posts",
                         prices.relocation_charge(), moved))
    return rows


def _course_rows(scenario: Scenario, plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    rows = [_row(prices, Lever(LeverKind.COURSE_PLACES, course=run.course.value,
                               delivery=run.delivery.value), run.site, run.places, "places",
                 prices.place_charge(run.course, run.delivery, run.held_on), run.places)
            for run in course_runs(scenario, plan)]
    rows += [_row(prices, Lever(LeverKind.TRAINED, course=kind.value), site, people,
                  "people trained")
             for (kind, site), people in plan.trainees.items() if people]
    return rows


def _line_rows(plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    tier = plan.bandwidth_tier
    if tier is None:
        return []
    return [_row(prices, Lever(LeverKind.LINE), HQ, tier.mbps, "Mbps",
                 prices.line_charge(tier), 1)]


def _campaign_rows(scenario: Scenario, plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    rows = []
    for code in STATE_CODES:
        today = scenario.states[code].campaigns_per_year
        campaigns = plan.campaigns.get(code, today)
        rows.append(_row(prices, Lever(LeverKind.CAMPAIGNS), code, campaigns,
                         "campaigns a year", prices.campaign_charge(),
                         max(campaigns - today, 0)))
    return rows


def plan_cost_rm(scenario: Scenario, plan: Plan) -> float:
    """The plan's spending over the horizon, against the budget."""
    return float(sum(row["cost_rm"] for row in plan_costs(scenario, plan)))
