"""The ``Plan`` every solver returns, its costs, and the scenario that carries it out.

A plan sets the levers: posts by site, team and rank (and the year each new post is
created); course places; the HQ line; awareness campaigns per state; tools bought.
``apply_plan`` turns it into a scenario the simulation can verify; ``plan_costs`` into
the rows of ``plan.csv``, priced by ``solvers.costs``.
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
from model.tables import PLAN
from solvers.costs import Charge, PriceList, new_posts, price_list

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

PLAN_COLUMNS = PLAN.column_list
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
    # posts a site or team gains, by calendar year of creation (missing: all in the first)
    phasing: dict[PostKey, dict[int, int]] = field(default_factory=dict)
    tooling: dict[str, int] = field(default_factory=dict)  # tool -> 1 bought / workstations
    status: str = "rule"
    flows: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, float] = field(default_factory=dict)  # metric or metric.STATE
    surrogate_actioned: float = float("nan")
    surrogate_objective: float = float("nan")
    bound: float = float("nan")
    solve_seconds: float = 0.0

    @property
    def gap(self) -> float:
        """Relative optimality gap the solver proved (0 when optimal)."""
        value = self.surrogate_objective
        if self.bound != self.bound or value != value:
            return float("nan")
        if self.bound == 0:
            return 0.0
        return abs(self.bound - value) / abs(self.bound)

    def later_posts(self, key: PostKey, first_year: int) -> dict[int, int]:
        """Posts a site or team gains after the first year, by year of creation."""
        return {year: n for year, n in self.phasing.get(key, {}).items()
                if year > first_year and n}

    def total_posts(self) -> int:
        """Posts of every site and rank."""
        return sum(self.posts.values())

    def levers(self) -> tuple[frozenset[Any], ...]:
        """Every lever's setting, hashable: plans with equal levers set every lever alike."""
        return (frozenset(self.posts.items()), frozenset(self.course_places.items()),
                frozenset(self.trainees.items()), frozenset({self._tier()}),
                frozenset(self.campaigns.items()), frozenset(self.tooling.items()),
                frozenset((key, frozenset(years.items())) for key, years in self.phasing.items()))

    def _tier(self) -> tuple[tuple[str, Any], ...] | None:
        tier = self.bandwidth_tier
        return None if tier is None else tuple(tier.model_dump().items())


def current_posts(scenario: Scenario) -> dict[PostKey, int]:
    """Today's establishment, as plan keys."""
    return {key: final_posts(group) for key, group in post_groups(scenario).items()}


def post_groups(scenario: Scenario) -> dict[PostKey, StaffGroup]:
    """Every staff group of a scenario by plan key: each state's ranks, then HQ's teams'."""
    groups: dict[PostKey, StaffGroup] = {}
    for code in STATE_CODES:
        state = scenario.states[code]
        groups[(code, "officers")] = state.officers
        groups[(code, "lower_ranks")] = state.lower_ranks
    for team in ("download_team", "forensic_team"):
        unit = getattr(scenario.hq, team)
        groups[(HQ, f"{team}.officers")] = unit.officers
        groups[(HQ, f"{team}.lower_ranks")] = unit.lower_ranks
    return groups


def final_posts(group: StaffGroup) -> int:
    """A group's establishment after its last change."""
    return group.changes[-1].posts if group.changes else group.posts


def status_quo_plan(scenario: Scenario) -> Plan:
    """The scenario's own allocation, changing nothing."""
    return Plan("status_quo", current_posts(scenario),
                campaigns={c: scenario.states[c].campaigns_per_year for c in STATE_CODES})


def three_to_four_rule(scenario: Scenario, settings: Optimise) -> Plan:
    """The rule "three to four posts per state": within today's total posts.

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
    left = max(min(settings.max_total_posts, sum(today.values())) - sum(posts.values()), 0)
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
        later = plan.later_posts((site, group), scenario.start_date.year)
        at_start = posts - sum(later.values())
        changes, count = [], at_start
        for year in sorted(later):  # created on 1 January, vacant until recruited
            count += later[year]
            changes.append({"date": dt.date(year, 1, 1).isoformat(), "posts": count})
        node.update({"posts": at_start, "filled_at_start": min(at_start, today[(site, group)]),
                     "changes": changes})
    for tool, quantity in plan.tooling.items():
        data["tooling"][tool] = bool(quantity) if tool != "workstations" else quantity
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
        the horizon: every post set (at no cost of its own), then new posts by rank and
        year of creation, moved posts, course places (by course, delivery and the site
        whose people take them), the people trained (by course and site: as many as the
        places), the line, every state's campaigns and the tools bought.  ``quantity`` is
        what the plan sets; ``paid_quantity`` what is paid for (new posts, places, one
        line, campaigns beyond today's, tools; 0 for what is kept), at
        ``unit_one_off_rm`` once on ``paid_from`` and ``unit_recurring_rm_per_year``
        from that day on; ``one_off_rm`` and ``recurring_rm_per_year`` are those times
        the quantity paid; ``year`` is the calendar year the line starts; ``cost_rm``
        is the sum of the years (:class:`solvers.costs.PriceList` says which year a cost
        falls in).

    Raises
    ------
    ValueError
        If the scenario has no ``optimise`` section.
    """
    prices = price_list(scenario)
    return (_post_rows(prices, plan) + _new_post_rows(scenario, plan, prices)
            + _course_rows(scenario, plan, prices) + _line_rows(plan, prices)
            + _campaign_rows(scenario, plan, prices) + _tool_rows(plan, prices))


def year_column(year: int) -> str:
    """The ``plan.csv`` column of a calendar year's cost: ``cost_2024_rm``."""
    return f"cost_{year}_rm"


def _row(prices: PriceList, lever: Lever, scope: str, quantity: float, unit: str,
         charge: Charge | None = None, paid_quantity: int = 0,
         year: int | None = None) -> dict[str, Any]:
    """One row of ``plan.csv``; without a charge or a quantity paid, a lever set at no cost."""
    row: dict[str, Any] = {"lever": lever.code, "scope": scope, "quantity": quantity,
                           "unit": unit, "cost_rm": 0.0, "paid_quantity": 0,
                           "unit_one_off_rm": 0.0, "unit_recurring_rm_per_year": 0.0,
                           "paid_from": "", "one_off_rm": 0.0, "recurring_rm_per_year": 0.0,
                           "year": year or prices.start_date.year}
    by_year = dict.fromkeys(prices.years, 0.0)
    if charge is not None and paid_quantity:
        by_year = prices.by_year_rm(charge, paid_quantity)
        inside = prices.start_date <= charge.paid_from <= prices.end_date
        row.update(cost_rm=float(sum(by_year.values())), paid_quantity=paid_quantity,
                   unit_one_off_rm=charge.one_off_rm,
                   unit_recurring_rm_per_year=charge.recurring_rm_per_year,
                   paid_from=charge.paid_from.isoformat(),
                   one_off_rm=paid_quantity * charge.one_off_rm if inside else 0.0,
                   recurring_rm_per_year=paid_quantity * charge.recurring_rm_per_year,
                   year=year or charge.paid_from.year)
    return row | {year_column(y): cost for y, cost in by_year.items()}


def _post_rows(prices: PriceList, plan: Plan) -> list[dict[str, Any]]:
    return [_row(prices, Lever.posts(group), site, posts, "posts")
            for (site, group), posts in sorted(plan.posts.items())]


def new_posts_by_year(scenario: Scenario, plan: Plan) -> tuple[dict[tuple[str, int], int], int]:
    """New posts by (rank, year of creation), and the posts moved (in the first year).

    Posts a site gains after the first year are new posts created that year; in the first
    year the rule of :func:`solvers.costs.new_posts` (a rank's growth beyond today's is
    new, other gains are moves) applies to what is left.  ``solvers.allocation`` states
    the same rule as constraints.
    """
    today = current_posts(scenario)
    first = scenario.start_date.year
    created: dict[tuple[str, int], int] = {}
    later_gain = 0
    for key in plan.posts:
        for year, count in plan.later_posts(key, first).items():
            rank = key[1].rpartition(".")[2]
            created[(rank, year)] = created.get((rank, year), 0) + count
            later_gain += count
    growth = new_posts(plan.posts, today)
    for rank, count in growth.items():
        later = sum(n for (r, _), n in created.items() if r == rank)
        created[(rank, first)] = max(count - later, 0)
    first_gain = sum(max(plan.posts[k] - today[k], 0) for k in today) - later_gain
    moved = first_gain - sum(n for (_, year), n in created.items() if year == first)
    return {key: n for key, n in sorted(created.items()) if n}, max(moved, 0)


def _new_post_rows(scenario: Scenario, plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    created, moved = new_posts_by_year(scenario, plan)
    rows = []
    for (rank, year), count in created.items():
        # new posts start vacant (apply_plan): set up when created, paid from when filled
        rows.append(_row(prices, Lever(LeverKind.NEW_POSTS_SALARY, rank=rank), NATIONAL,
                         count, "posts", prices.salary_charge(rank, year=year), count, year))
        rows.append(_row(prices, Lever(LeverKind.NEW_POSTS_SET_UP, rank=rank), NATIONAL,
                         count, "posts", prices.set_up_charge(year), count, year))
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


def _tool_rows(plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    return [_row(prices, Lever(LeverKind.TOOLING, tool=tool), HQ, quantity,
                 "workstations" if tool == "workstations" else "tool",
                 prices.tool_charge(tool), quantity)
            for tool, quantity in plan.tooling.items() if quantity]


def plan_cost_rm(scenario: Scenario, plan: Plan) -> float:
    """The plan's spending over the horizon, against the budget."""
    return float(sum(row["cost_rm"] for row in plan_costs(scenario, plan)))
