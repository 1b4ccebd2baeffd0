"""The ``Plan`` every solver returns, its costs, and the scenario that carries it out.

A plan sets the levers: posts by site, team and rank; course places; the HQ
line; awareness campaigns per state.  ``apply_plan`` turns it into a scenario
the simulation can verify; ``plan_costs`` into the rows of ``plan.csv``, priced
by ``solvers.costs``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from model.engine.arrivals import state_shares
from model.levers import Lever, LeverKind
from model.metrics import HQ, NATIONAL
from model.optimise_schema import BandwidthTier, Delivery, Optimise
from model.scenario import CourseRun, Scenario, StaffGroup
from model.schema_base import STATE_CODES, CourseKind
from solvers.costs import PriceList, moved_posts, new_posts, price_list

STATE_GROUPS = ("officers", "lower_ranks")
HQ_GROUPS = ("download_team.officers", "download_team.lower_ranks",
             "forensic_team.officers", "forensic_team.lower_ranks")
STATE_COURSES = (CourseKind.COVERT_ONLINE, CourseKind.CHILD_INTERVIEW)
"""Courses whose trainees are state officers (placed state by state); digital forensics
trains HQ's forensic team."""
COURSE_START_DAYS = {Delivery.TRAIN_THE_TRAINER: 30, Delivery.ABROAD: 60, Delivery.LOCAL: 120}
"""Days after the start a course runs (assumption: trainers first, local courses after)."""

PostKey = tuple[str, str]  # (state code or "hq", group)
TrainedGroup = Literal["officers", "forensic_team"]
"""Groups the optimiser trains: a state's officers, or HQ's forensic team."""


@dataclass(frozen=True)
class Plan:
    """Levers chosen by a solver (or a rule), and what the solver knows of them."""

    name: str
    posts: dict[PostKey, int]
    course_places: dict[tuple[CourseKind, Delivery], int] = field(default_factory=dict)
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
    courses = list(data["training"]["courses"])
    start = scenario.start_date
    days_off = _days_off(scenario.optimise)
    for (kind, delivery), places in plan.course_places.items():
        if places and kind is CourseKind.DIGITAL_FORENSICS:
            courses.append(_course(kind, HQ, "forensic_team", places,
                                   start + dt.timedelta(days=COURSE_START_DAYS[delivery]),
                                   days_off.get((kind, delivery), 5)))
    for (kind, code), places in plan.trainees.items():
        if places:
            courses.append(_course(kind, code, "officers", places,
                                   start + dt.timedelta(days=COURSE_START_DAYS[Delivery.LOCAL]),
                                   max((days for (k, _), days in days_off.items() if k is kind),
                                       default=5)))
    data["training"]["courses"] = courses
    if plan.bandwidth_tier is not None:
        bandwidth = dict(data["download"]["bandwidth_mbps"])
        bandwidth["value"] = plan.bandwidth_tier.mbps
        bandwidth["high"] = max(bandwidth.get("high") or 0, plan.bandwidth_tier.mbps)
        data["download"]["bandwidth_mbps"] = bandwidth
    for code, campaigns in plan.campaigns.items():
        data["states"][code]["campaigns_per_year"] = campaigns
    return Scenario.model_validate(data)


def _course(kind: CourseKind, site: str, group: TrainedGroup, places: int, start: dt.date,
            days: int) -> dict[str, Any]:
    return CourseRun(course=kind, site=site, group=group, places=places, start_date=start,
                     duration_days=days).model_dump(mode="json")


def _days_off(settings: Optimise | None) -> dict[tuple[CourseKind, Delivery], int]:
    if settings is None:
        return {}
    return {(o.course, o.delivery): o.days_off_duty for o in settings.courses}


def plan_costs(scenario: Scenario, plan: Plan) -> list[dict[str, Any]]:
    """The rows of ``plan.csv``: what the plan sets and what it costs over the horizon.

    Parameters
    ----------
    scenario : Scenario
        The scenario the plan is for (with an ``optimise`` section: its prices).
    plan : Plan
        The levers chosen.

    Returns
    -------
    list of dict
        Rows ``lever, scope, quantity, unit, cost_rm``: every post kept or set (at no
        cost of its own), then new and moved posts, course places, trained officers,
        the line and every state's campaigns.

    Raises
    ------
    ValueError
        If the scenario has no ``optimise`` section.
    """
    prices = price_list(scenario)
    return (_post_rows(plan) + _new_post_rows(scenario, plan, prices)
            + _course_rows(plan, prices) + _line_rows(plan, prices)
            + _campaign_rows(scenario, plan, prices))


def _row(lever: Lever, scope: str, quantity: float, unit: str,
         cost_rm: float) -> dict[str, Any]:
    return {"lever": lever.code, "scope": scope, "quantity": quantity, "unit": unit,
            "cost_rm": cost_rm}


def _post_rows(plan: Plan) -> list[dict[str, Any]]:
    return [_row(Lever.posts(group), site, posts, "posts", 0.0)
            for (site, group), posts in sorted(plan.posts.items())]


def _new_post_rows(scenario: Scenario, plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    today = current_posts(scenario)
    rows = []
    for rank, count in new_posts(plan.posts, today).items():
        if count:
            rows.append(_row(Lever(LeverKind.NEW_POSTS_SALARY, rank=rank), NATIONAL, count,
                             "posts", prices.salaries_cost_rm(rank, count)))
            rows.append(_row(Lever(LeverKind.NEW_POSTS_SET_UP, rank=rank), NATIONAL, count,
                             "posts", prices.set_up_cost_rm(count)))
    moved = moved_posts(plan.posts, today)
    if moved > 0:
        rows.append(_row(Lever(LeverKind.POSTS_MOVED), NATIONAL, moved, "posts",
                         prices.relocation_cost_rm(moved)))
    return rows


def _course_rows(plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    rows = [_row(Lever(LeverKind.COURSE_PLACES, course=kind.value, delivery=delivery.value),
                 NATIONAL, places, "places", prices.places_cost_rm(kind, delivery, places))
            for (kind, delivery), places in sorted(plan.course_places.items()) if places]
    rows += [_row(Lever(LeverKind.TRAINED, course=kind.value), code, places,
                  "trained officers", 0.0)
             for (kind, code), places in sorted(plan.trainees.items()) if places]
    return rows


def _line_rows(plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    tier = plan.bandwidth_tier
    if tier is None:
        return []
    return [_row(Lever(LeverKind.LINE), HQ, tier.mbps, "Mbps", prices.line_cost_rm(tier))]


def _campaign_rows(scenario: Scenario, plan: Plan, prices: PriceList) -> list[dict[str, Any]]:
    rows = []
    for code in STATE_CODES:
        today = scenario.states[code].campaigns_per_year
        campaigns = plan.campaigns.get(code, today)
        rows.append(_row(Lever(LeverKind.CAMPAIGNS), code, campaigns, "campaigns a year",
                         prices.campaigns_cost_rm(max(campaigns - today, 0))))
    return rows


def plan_cost_rm(scenario: Scenario, plan: Plan) -> float:
    """The plan's spending over the horizon, against the budget."""
    return float(sum(row["cost_rm"] for row in plan_costs(scenario, plan)))
