"""The CP-SAT model: choose posts, courses, the line and campaigns to action the most tip-offs.

The OR-Tools shape: data (the surrogate and the price list), variables (named, keyed by
site and group), constraints by group (one helper each), objective, parameters, solve,
status.  The planner's constraint groups (``CONSTRAINT_GROUPS``) each sit behind an
assumption literal so that an infeasible set can be explained by name; the pipeline's
own limits (courses, line, campaigns, flows) always hold.  Continuous coefficients are
scaled to integers (CP-SAT works on integers); the scale is chosen so that rounding
moves a capacity by well under one tip-off.

Variables and constraints are added in a fixed order (the helpers' order in
:func:`build`): the solver's search, and so the plan it returns when several are
equally good, depends on it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import TypeAlias

from ortools.sat.python import cp_model

from model.levers import Lever, LeverKind
from model.metrics import HQ
from model.optimise_schema import Delivery, LeverBounds, Optimise
from model.scenario import Scenario
from model.schema_base import STATE_CODES, CourseKind
from solvers.costs import PriceList, price_list
from solvers.plan import (
    HQ_GROUPS,
    STATE_COURSES,
    STATE_GROUPS,
    Plan,
    PostKey,
    current_posts,
    new_posts_trained_in_time,
    trained_post_keys,
    trained_sites,
)
from solvers.surrogate import Surrogate, campaign_reports

SCALE = 10_000
"""Fractions and hours are multiplied by this before rounding to integers."""
PRIMARY_WEIGHT = 10_000_000
"""Weight of actioned tip-offs over downloads in the objective: more than any count of
downloads, so downloads only break ties."""

CONSTRAINT_GROUPS = {
    "total_posts": "total posts at most optimise.max_total_posts",
    "state_min": "each state's minimum posts (optimise.min_posts_per_state / state_posts)",
    "state_max": "each state's maximum posts (optimise.max_posts_per_state / state_posts)",
    "state_officers": "each state's minimum officers (optimise.min_officers_per_state)",
    "hq_posts": "HQ's bounds on posts (optimise.hq_posts)",
    "officer_share": "officers' share of all posts (optimise.min_officer_share)",
    "budget": "spending within optimise.budget_rm",
    "lever_bounds": "bounds set on levers (optimise.bounds)",
    "target": "the target of actioned tip-offs (optimise.target_actioned)",
}

CourseKey = tuple[CourseKind, Delivery]
Expression: TypeAlias = cp_model.LinearExpr | int
"""A linear expression of the model's variables (a sum of none is the integer 0)."""
Switches = dict[str, cp_model.IntVar]
"""One assumption literal per constraint group: the group holds when it is true."""


class InfeasiblePlan(Exception):
    """No plan meets the constraints; ``groups`` names the conflicting ones."""

    def __init__(self, groups: list[str]) -> None:
        super().__init__(", ".join(groups))
        self.groups = groups


@dataclass(frozen=True)
class _Staff:
    """Posts, and the changes to today's establishment that cost money."""

    posts: dict[PostKey, cp_model.IntVar]
    increase: dict[PostKey, cp_model.IntVar]  # posts a site or team gains: new or moved in
    new: dict[str, cp_model.IntVar]  # by rank: posts beyond today's establishment
    moved: cp_model.IntVar
    top: int  # no count of posts exceeds it


@dataclass(frozen=True)
class _Training:
    """Places bought on each course, the people who take them, and their effect."""

    places: dict[CourseKey, cp_model.IntVar]
    trainees: dict[tuple[CourseKind, str], cp_model.IntVar]  # (course, state or "hq")
    effective: dict[tuple[CourseKind, str], cp_model.IntVar]  # the trainees fully trained


@dataclass(frozen=True)
class _Flows:
    """Tip-offs through each stage of the pipeline over the horizon."""

    selected: cp_model.IntVar
    downloaded: cp_model.IntVar
    reviewed_new: cp_model.IntVar
    reviewed_backlog: cp_model.IntVar
    actioned: dict[str, cp_model.IntVar]  # by state

    @property
    def reviewed(self) -> Expression:
        """Reviews of new downloads and of the backlog."""
        return self.reviewed_new + self.reviewed_backlog

    @property
    def all_actioned(self) -> Expression:
        """Tip-offs actioned in every state."""
        return sum(self.actioned.values())


@dataclass
class _Model:
    """The CP-SAT model with its named variables (never leaves this module)."""

    model: cp_model.CpModel
    posts: dict[PostKey, cp_model.IntVar]
    places: dict[CourseKey, cp_model.IntVar]
    trainees: dict[tuple[CourseKind, str], cp_model.IntVar]
    tiers: list[cp_model.IntVar]
    campaigns: dict[str, cp_model.IntVar]
    actioned: dict[str, cp_model.IntVar]
    cost: Expression
    switches: Switches
    flows: dict[str, cp_model.IntVar]


def _int(value: float) -> int:
    return int(round(value))


def build(scenario: Scenario, surrogate: Surrogate, budget_rm: float | None = None,
          target: float | None = None) -> _Model:
    """Build the model.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section (checked by the caller).
    surrogate : Surrogate
        The pipeline's capacities per unit.
    budget_rm : float, optional
        Spending allowed, instead of ``optimise.budget_rm``.
    target : float, optional
        Actioned tip-offs the plan must reach; the model then finds the cheapest such plan
        (reverse mode) instead of the plan that actions the most.

    Returns
    -------
    _Model
        The model and its named variables.
    """
    settings = scenario.optimise
    assert settings is not None  # checked by the caller
    model = cp_model.CpModel()
    switches = {name: model.new_bool_var(f"enforce[{name}]") for name in CONSTRAINT_GROUPS}
    staff = _new_staff(model, scenario, settings)
    _add_posts(model, settings, staff.posts, switches)
    training = _add_training(model, scenario, settings, staff)
    tiers = _add_line(model, settings)
    campaigns, extra_reports = _add_campaigns(model, scenario, settings, surrogate)
    current_mbps = scenario.download.bandwidth_mbps.value
    flows = _add_pipeline(model, settings, surrogate, staff, training, tiers, extra_reports)
    cost = _add_budget(model, scenario, price_list(scenario), staff, training.places, tiers,
                       campaigns, settings.budget_rm if budget_rm is None else budget_rm,
                       switches["budget"])
    _add_lever_bounds(model, settings.bounds,
                      _lever_expressions(settings, staff.posts, training.places, campaigns,
                                         tiers, current_mbps),
                      switches["lever_bounds"])
    _add_objective(model, flows, cost, target, switches["target"])
    model.add_assumptions(list(switches.values()))
    named_flows = {"selected": flows.selected, "downloaded": flows.downloaded,
                   "reviewed_new": flows.reviewed_new,
                   "reviewed_backlog": flows.reviewed_backlog}
    return _Model(model, staff.posts, training.places, training.trainees, tiers, campaigns,
                  flows.actioned, cost, switches, named_flows)


# --- variables: posts and the changes that cost money --------------------------------------


def _new_staff(model: cp_model.CpModel, scenario: Scenario, settings: Optimise) -> _Staff:
    """Posts at each site, and the new and moved posts they imply against today's."""
    today = current_posts(scenario)
    top = max(settings.max_total_posts, sum(today.values()))
    posts: dict[PostKey, cp_model.IntVar] = {}
    for code in STATE_CODES:
        for group in STATE_GROUPS:
            posts[(code, group)] = model.new_int_var(0, top, f"posts[{code},{group}]")
    for group in HQ_GROUPS:
        posts[(HQ, group)] = model.new_int_var(0, top, f"posts[{HQ},{group}]")

    # new posts at each place (vacant until recruited) and the posts kept; the same rule
    # as solvers.costs.new_posts and moved_posts, which price plan.csv
    increase = {key: model.new_int_var(0, top, f"increase[{key[0]},{key[1]}]") for key in posts}
    for key, var in posts.items():
        model.add(increase[key] >= var - today[key])
    new = {rank: model.new_int_var(0, top, f"new[{rank}]") for rank in STATE_GROUPS}
    for rank in STATE_GROUPS:
        planned = sum(v for k, v in posts.items() if k[1].endswith(rank))
        existing = sum(v for k, v in today.items() if k[1].endswith(rank))
        model.add(new[rank] >= planned - existing)
    moved = model.new_int_var(0, 10 * top, "moved")
    model.add(moved >= sum(increase.values()) - sum(new.values()))
    return _Staff(posts, increase, new, moved, top)


# --- constraint groups: total_posts, state_min, state_max, state_officers, hq_posts,
# --- officer_share ----------------------------------------------------------------------------


def state_post_bounds(settings: Optimise, code: str) -> tuple[float, float]:
    """A state's minimum and maximum posts: its own bounds, else every state's.

    Parameters
    ----------
    settings : Optimise
        The optimiser's settings.
    code : str
        The state's code.

    Returns
    -------
    tuple of float
        The minimum and the maximum.
    """
    own = settings.state_posts.get(code)
    low = own.min if own and own.min is not None else settings.min_posts_per_state
    high = own.max if own and own.max is not None else settings.max_posts_per_state
    return low, high


def _add_posts(model: cp_model.CpModel, settings: Optimise,
               posts: dict[PostKey, cp_model.IntVar], switches: Switches) -> None:
    """Groups total_posts, state_min, state_max, state_officers, hq_posts, officer_share."""
    model.add(sum(posts.values()) <= settings.max_total_posts).only_enforce_if(
        switches["total_posts"])
    _add_state_posts(model, settings, posts, switches)
    _add_hq_posts(model, settings, posts, switches["hq_posts"])
    _add_officer_share(model, settings, posts, switches["officer_share"])


def _add_state_posts(model: cp_model.CpModel, settings: Optimise,
                     posts: dict[PostKey, cp_model.IntVar], switches: Switches) -> None:
    """Groups ``state_min``, ``state_max`` and ``state_officers``, state by state."""
    for code in STATE_CODES:
        total = posts[(code, "officers")] + posts[(code, "lower_ranks")]
        low, high = state_post_bounds(settings, code)
        model.add(total >= _int(low)).only_enforce_if(switches["state_min"])
        model.add(total <= _int(high)).only_enforce_if(switches["state_max"])
        model.add(posts[(code, "officers")] >= settings.min_officers_per_state).only_enforce_if(
            switches["state_officers"])


def _add_hq_posts(model: cp_model.CpModel, settings: Optimise,
                  posts: dict[PostKey, cp_model.IntVar], switch: cp_model.IntVar) -> None:
    """Group ``hq_posts``: HQ's teams together within their bounds."""
    hq_total = sum(posts[(HQ, g)] for g in HQ_GROUPS)
    if settings.hq_posts.min is not None:
        model.add(hq_total >= _int(settings.hq_posts.min)).only_enforce_if(switch)
    if settings.hq_posts.max is not None:
        model.add(hq_total <= _int(settings.hq_posts.max)).only_enforce_if(switch)


def _add_officer_share(model: cp_model.CpModel, settings: Optimise,
                       posts: dict[PostKey, cp_model.IntVar], switch: cp_model.IntVar) -> None:
    """Group ``officer_share``: officers' share of all posts, scaled to integers."""
    officers = sum(v for k, v in posts.items() if k[1].endswith("officers"))
    model.add(SCALE * officers >= _int(SCALE * settings.min_officer_share)
              * sum(posts.values())).only_enforce_if(switch)


# --- courses, the line and campaigns (always hold) ------------------------------------------


def _add_training(model: cp_model.CpModel, scenario: Scenario, settings: Optimise,
                  staff: _Staff) -> _Training:
    """Places on offer, the people they train, and the trained capacity they give."""
    places = _add_course_places(model, settings)
    trainees = _add_trainees(model, scenario, staff, places)
    return _Training(places, trainees, _add_effect(model, settings, staff, places, trainees))


def _add_course_places(model: cp_model.CpModel,
                       settings: Optimise) -> dict[CourseKey, cp_model.IntVar]:
    """Places bought, each course within its offer; trained trainers add local places."""
    places: dict[CourseKey, cp_model.IntVar] = {}
    for option in settings.courses:
        places[(option.course, option.delivery)] = model.new_int_var(
            0, 10_000, f"places[{option.course.value},{option.delivery.value}]")
    for option in settings.courses:
        var = places[(option.course, option.delivery)]
        if option.delivery is Delivery.LOCAL:
            trainers = [places[(o.course, o.delivery)] * o.local_places_per_trainer
                        for o in settings.courses
                        if o.course is option.course and o.delivery is Delivery.TRAIN_THE_TRAINER]
            model.add(var <= option.max_places + sum(trainers))
        else:
            model.add(var <= option.max_places)
    return places


def _add_trainees(model: cp_model.CpModel, scenario: Scenario, staff: _Staff,
                  places: dict[CourseKey, cp_model.IntVar],
                  ) -> dict[tuple[CourseKind, str], cp_model.IntVar]:
    """People trained per course and site: every place bought trains one of them.

    A site trains no more people than its posts; none in new posts if they are filled too
    late to be trained within the horizon (``solvers.plan.course_runs`` places them).
    """
    today = current_posts(scenario)
    in_time = new_posts_trained_in_time(scenario)
    trainees: dict[tuple[CourseKind, str], cp_model.IntVar] = {}
    for kind in CourseKind:
        for site in trained_sites(kind):
            var = model.new_int_var(0, staff.top, f"trained[{kind.value},{site}]")
            model.add(var <= sum(staff.posts[key] for key in trained_post_keys(site)))
            if not in_time:
                model.add(var <= sum(today[key] for key in trained_post_keys(site)))
            trainees[(kind, site)] = var
        model.add(sum(trainees[(kind, site)] for site in trained_sites(kind))
                  == sum(var for (k, _), var in places.items() if k is kind))
    return trainees


def _add_effect(model: cp_model.CpModel, settings: Optimise, staff: _Staff,
                places: dict[CourseKey, cp_model.IntVar],
                trainees: dict[tuple[CourseKind, str], cp_model.IntVar],
                ) -> dict[tuple[CourseKind, str], cp_model.IntVar]:
    """People counted as fully trained, per course and site: the places' effect placed.

    A place gives its delivery's share of the course's full effect (in tenths): the fully
    trained at a site are at most the people trained there, and at all sites together at
    most the places' effect.
    """
    effective: dict[tuple[CourseKind, str], cp_model.IntVar] = {}
    for kind in CourseKind:
        for site in trained_sites(kind):
            effective[(kind, site)] = model.new_int_var(
                0, staff.top, f"fully_trained[{kind.value},{site}]")
            model.add(effective[(kind, site)] <= trainees[(kind, site)])
        model.add(10 * sum(effective[(kind, site)] for site in trained_sites(kind))
                  <= sum(_int(10 * o.effect_share.value) * places[(o.course, o.delivery)]
                         for o in settings.courses if o.course is kind))
    return effective


def _add_line(model: cp_model.CpModel, settings: Optimise) -> list[cp_model.IntVar]:
    """At most one of the provider's tiers replaces today's line."""
    tiers = [model.new_bool_var(f"tier[{tier.mbps:g}]") for tier in settings.bandwidth_tiers]
    model.add(sum(tiers) <= 1)
    return tiers


def _add_campaigns(model: cp_model.CpModel, scenario: Scenario, settings: Optimise,
                   surrogate: Surrogate,
                   ) -> tuple[dict[str, cp_model.IntVar], list[cp_model.IntVar]]:
    """Campaigns a year per state, and the extra local reports they bring."""
    campaigns: dict[str, cp_model.IntVar] = {}
    extra_reports = []
    for code in STATE_CODES:
        # today's campaigns continue unless a planner's bound says otherwise
        today_campaigns = min(scenario.states[code].campaigns_per_year,
                              settings.max_campaigns_per_state)
        bounded = Lever(LeverKind.CAMPAIGNS).bound_name(code) in settings.bounds
        floor = 0 if bounded else today_campaigns
        campaigns[code] = model.new_int_var(floor, settings.max_campaigns_per_state,
                                            f"campaigns[{code}]")
        table = [_int(campaign_reports(scenario, code, n, surrogate))
                 for n in range(settings.max_campaigns_per_state + 1)]
        reports = model.new_int_var(0, max(table), f"extra_reports[{code}]")
        model.add_element(campaigns[code], table, reports)  # diminishing returns, exactly
        extra_reports.append(reports)
    return campaigns, extra_reports


# --- the pipeline's flows (always hold) --------------------------------------------------------


def _staff_hours(surrogate: Surrogate, staff: _Staff, keys: list[PostKey],
                 efficiency: float) -> Expression:
    """Scaled hours of a group: kept posts all horizon, new ones after the lag."""
    hours = surrogate.person_hours * surrogate.availability
    return sum(_int(SCALE * efficiency * hours) * (staff.posts[k] - staff.increase[k])
               + _int(SCALE * efficiency * hours * surrogate.new_post_share) * staff.increase[k]
               for k in keys)


def _add_pipeline(model: cp_model.CpModel, settings: Optimise, surrogate: Surrogate,
                  staff: _Staff, training: _Training, tiers: list[cp_model.IntVar],
                  extra_reports: list[cp_model.IntVar]) -> _Flows:
    """Flows through selection, download, review and investigation, within capacities."""
    s = surrogate
    big = _int(10 * (s.arrivals + s.local_reports.sum()) + 10_000)
    flows = _Flows(
        selected=model.new_int_var(0, big, "selected"),
        downloaded=model.new_int_var(0, big, "downloaded"),
        reviewed_new=model.new_int_var(0, big, "reviewed_new"),
        reviewed_backlog=model.new_int_var(0, _int(s.waiting_review), "reviewed_backlog"),
        actioned={code: model.new_int_var(0, big, f"actioned[{code}]") for code in STATE_CODES},
    )
    _add_download(model, settings, s, staff, tiers, extra_reports, flows)
    days_off = {(o.course, o.delivery): o.days_off_duty for o in settings.courses}
    _add_review(model, s, staff, training, days_off, flows)
    _add_investigation(model, s, staff, training, days_off, flows)
    return flows


def _add_download(model: cp_model.CpModel, settings: Optimise, s: Surrogate, staff: _Staff,
                  tiers: list[cp_model.IntVar], extra_reports: list[cp_model.IntVar],
                  flows: _Flows) -> None:
    """Selection within arrivals and triage hours; downloads within the line and slots."""
    eff = s.efficiency
    selected, downloaded = flows.selected, flows.downloaded
    model.add(selected <= _int(s.arrivals + s.local_reports.sum()) + sum(extra_reports))
    model.add(SCALE * downloaded <= _int(SCALE * s.success_prob) * selected)
    download_team = [(HQ, g) for g in HQ_GROUPS if g.startswith("download_team")]
    model.add(_int(SCALE * s.triage_hours) * selected
              <= _staff_hours(s, staff, download_team, eff["download"]))
    today = s.line_downloads()  # a tier bought replaces today's line
    model.add(downloaded <= _int(eff["download"] * today) + sum(
        _int(eff["download"] * (s.line_downloads(tier.mbps) - today)) * y
        for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True)))
    model.add(downloaded <= _int(eff["download"] * s.slot_megabits / s.megabits_per_download))


def _add_review(model: cp_model.CpModel, s: Surrogate, staff: _Staff, training: _Training,
                days_off: dict[CourseKey, int], flows: _Flows) -> None:
    """Reviews within downloads and the forensic team's hours (raids' devices included)."""
    eff = s.efficiency
    hours = s.person_hours * s.availability
    forensic = [(HQ, g) for g in HQ_GROUPS if g.startswith("forensic_team")]
    forensic_off = sum(_int(SCALE * days_off[key] * s.person_hours_per_day) * var
                       for key, var in training.places.items()
                       if key[0] is CourseKind.DIGITAL_FORENSICS)
    forensic_trained = training.effective[(CourseKind.DIGITAL_FORENSICS, HQ)]
    model.add(flows.reviewed_new <= flows.downloaded)
    model.add(_int(SCALE * s.review_hours) * flows.reviewed
              + _int(SCALE * s.device_hours_per_raid * s.raid_prob) * flows.all_actioned
              <= _staff_hours(s, staff, forensic, eff["review"])
              + _int(SCALE * eff["review"] * hours * (s.factors["digital_forensics"] - 1))
              * forensic_trained - forensic_off)


def _add_investigation(model: cp_model.CpModel, s: Surrogate, staff: _Staff,
                       training: _Training, days_off: dict[CourseKey, int],
                       flows: _Flows) -> None:
    """Per state: actioned within the cases passed on and the officers' and staff's hours."""
    eff = s.efficiency
    hours = s.person_hours * s.availability
    trainees = training.trainees
    longest_course = {kind: max((days_off[k] for k in days_off if k[0] is kind), default=0)
                      for kind in STATE_COURSES}
    lead = s.officer_hours + s.raid_prob * s.raid_hours
    for number, code in enumerate(STATE_CODES):
        e = eff[code]
        actioned = flows.actioned[code]
        model.add(SCALE * actioned
                  <= _int(SCALE * s.share[number] * s.pass_share * eff["pass"])
                  * flows.reviewed_new
                  + _int(SCALE * s.share[number] * s.backlog_pass_share * eff["pass"])
                  * flows.reviewed_backlog + _int(SCALE * s.waiting_investigation[number]))
        officer_hours = (_staff_hours(s, staff, [(code, "officers")], e)
                         + _int(SCALE * e * hours * (s.factors["covert_online"] - 1))
                         * training.effective[(CourseKind.COVERT_ONLINE, code)]
                         - sum(_int(SCALE * longest_course[k] * s.person_hours_per_day)
                               * trainees[(k, code)] for k in STATE_COURSES))
        model.add(_int(SCALE * lead) * actioned <= officer_hours)
        model.add(_int(SCALE * (lead + s.casework_hours)) * actioned
                  <= officer_hours + _staff_hours(s, staff, [(code, "lower_ranks")], e))


# --- constraint group: budget --------------------------------------------------------------


def _add_budget(model: cp_model.CpModel, scenario: Scenario, prices: PriceList,
                staff: _Staff, places: dict[CourseKey, cp_model.IntVar],
                tiers: list[cp_model.IntVar], campaigns: dict[str, cp_model.IntVar],
                budget_rm: float, switch: cp_model.IntVar) -> Expression:
    """Group ``budget``: the plan's cost within the budget; returns the cost.

    Every unit is priced by the price list that prices ``plan.csv``, rounded to whole
    ringgit.
    """
    settings = scenario.optimise
    assert settings is not None
    extra_campaigns = {}
    for code in STATE_CODES:
        extra_campaigns[code] = model.new_int_var(0, settings.max_campaigns_per_state,
                                                  f"extra_campaigns[{code}]")
        model.add(extra_campaigns[code] >= campaigns[code]
                  - scenario.states[code].campaigns_per_year)
    cost = (sum(_int(prices.new_post_cost_rm(r)) * staff.new[r] for r in STATE_GROUPS)
            + _int(prices.relocation_cost_rm(1)) * staff.moved
            + sum(_int(prices.places_cost_rm(kind, delivery, 1)) * var
                  for (kind, delivery), var in places.items())
            + sum(_int(prices.line_cost_rm(tier)) * y
                  for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
            + sum(_int(prices.campaigns_cost_rm(1)) * v for v in extra_campaigns.values()))
    model.add(cost <= _int(budget_rm)).only_enforce_if(switch)
    return cost


# --- constraint group: lever_bounds --------------------------------------------------------


def _places_bound(kind: CourseKind, delivery: Delivery) -> str:
    return Lever(LeverKind.COURSE_PLACES, course=kind.value,
                             delivery=delivery.value).bound_name("")


def lever_names(scenario: Scenario) -> list[str]:
    """Every lever a planner can bound under ``optimise.bounds``.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``optimise.courses`` name the course levers).

    Returns
    -------
    list of str
        Names such as ``posts_officers.SGR`` or ``training.digital_forensics.local``.
    """
    settings = scenario.optimise
    names = [Lever.posts(g).bound_name(c) for c in STATE_CODES for g in STATE_GROUPS]
    names += [Lever.posts(g).bound_name(HQ) for g in HQ_GROUPS]
    names += [_places_bound(o.course, o.delivery) for o in (settings.courses if settings else ())]
    names += [Lever(LeverKind.LINE).bound_name(HQ)]
    names += [Lever(LeverKind.CAMPAIGNS).bound_name(c) for c in STATE_CODES]
    return names


def _lever_expressions(settings: Optimise, posts: dict[PostKey, cp_model.IntVar],
                       places: dict[CourseKey, cp_model.IntVar],
                       campaigns: dict[str, cp_model.IntVar], tiers: list[cp_model.IntVar],
                       current_mbps: float) -> dict[str, Expression]:
    """Each bounded lever's name and its value in the model."""
    levers: dict[str, Expression] = {
        Lever.posts(g).bound_name(c): posts[(c, g)] for c in STATE_CODES for g in STATE_GROUPS}
    levers |= {Lever.posts(g).bound_name(HQ): posts[(HQ, g)] for g in HQ_GROUPS}
    levers |= {_places_bound(k, d): v for (k, d), v in places.items()}
    levers[Lever(LeverKind.LINE).bound_name(HQ)] = _int(current_mbps) + sum(
        _int(tier.mbps - current_mbps) * y
        for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
    levers |= {Lever(LeverKind.CAMPAIGNS).bound_name(c): v for c, v in campaigns.items()}
    return levers


def _add_lever_bounds(model: cp_model.CpModel, bounds: dict[str, LeverBounds],
                      levers: dict[str, Expression], switch: cp_model.IntVar) -> None:
    """Group ``lever_bounds``: the planner's bounds on named levers."""
    for name, bound in bounds.items():
        if name not in levers:
            raise KeyError(name)
        expression = levers[name]
        if bound.min is not None:
            model.add(expression >= _int(bound.min)).only_enforce_if(switch)
        if bound.max is not None:
            model.add(expression <= _int(bound.max)).only_enforce_if(switch)


# --- constraint group: target, and the objective --------------------------------------------


def _add_objective(model: cp_model.CpModel, flows: _Flows, cost: Expression,
                   target: float | None, switch: cp_model.IntVar) -> None:
    """Group ``target`` and the cheapest plan reaching it; else the plan that actions most."""
    if target is not None:
        model.add(flows.all_actioned >= math.ceil(target)).only_enforce_if(switch)
        model.minimize(cost)
    else:
        # Actioned tip-offs first; among plans that action as many, the one that downloads
        # the most (fewer lapses), so a tie never costs downloads for nothing.
        model.maximize(PRIMARY_WEIGHT * flows.all_actioned + flows.downloaded)


# --- solve ---------------------------------------------------------------------------------


def solve(scenario: Scenario, surrogate: Surrogate, name: str = "optimised",
          budget_rm: float | None = None, target: float | None = None) -> Plan:
    """Solve the allocation.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section.
    surrogate : Surrogate
        The pipeline's capacities per unit.
    name : str
        The plan's name.
    budget_rm : float, optional
        Spending allowed, instead of ``optimise.budget_rm``.
    target : float, optional
        Find the cheapest plan that actions this many tip-offs (reverse mode).

    Returns
    -------
    Plan
        The levers chosen, with the solver's status, bound and flows.

    Raises
    ------
    InfeasiblePlan
        If no plan meets the constraints; it names the conflicting groups.
    TimeoutError
        If no plan was found within ``optimise.time_limit_seconds``.
    """
    settings = scenario.optimise
    if settings is None:
        raise ValueError("the scenario has no optimise section")
    built = build(scenario, surrogate, budget_rm, target)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    solver.parameters.num_workers = settings.solver_workers
    solver.parameters.random_seed = scenario.seed % (2**31)
    started = time.perf_counter()
    status = solver.solve(built.model)
    seconds = time.perf_counter() - started
    if status == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        groups = [group for group, switch in built.switches.items() if switch.index in core]
        raise InfeasiblePlan(groups or list(CONSTRAINT_GROUPS))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError(
            f"no plan found within optimise.time_limit_seconds = {settings.time_limit_seconds:g} s;"
            " raise it")
    plan = _read_plan(solver, built, settings, name)
    actioned = plan.surrogate_actioned
    bound: float
    if target is None:
        bound = math.floor(solver.best_objective_bound / PRIMARY_WEIGHT)
        label = "optimal" if status == cp_model.OPTIMAL else \
            f"feasible, time limit reached (gap {abs(bound - actioned) / max(bound, 1):.1%})"
    else:
        bound = actioned
        label = "optimal (cheapest)" if status == cp_model.OPTIMAL else \
            "feasible, time limit reached (cheaper plans may exist)"
    return replace(plan, status=label, bound=float(bound), solve_seconds=seconds)


def _read_plan(solver: cp_model.CpSolver, built: _Model, settings: Optimise, name: str) -> Plan:
    """The levers and flows of the solver's solution."""
    tier = None
    for option, chosen in zip(settings.bandwidth_tiers, built.tiers, strict=True):
        if solver.value(chosen):
            tier = option
    flows = {"selected": solver.value(built.flows["selected"]),
             "downloaded": solver.value(built.flows["downloaded"]),
             "reviewed": solver.value(built.flows["reviewed_new"])
             + solver.value(built.flows["reviewed_backlog"])}
    flows |= {f"actioned.{code}": solver.value(v) for code, v in built.actioned.items()}
    return Plan(
        name=name,
        flows={key: float(value) for key, value in flows.items()},
        posts={key: int(solver.value(var)) for key, var in built.posts.items()},
        course_places={key: int(solver.value(var)) for key, var in built.places.items()},
        trainees={key: int(solver.value(var)) for key, var in built.trainees.items()},
        bandwidth_tier=tier,
        campaigns={code: int(solver.value(var)) for code, var in built.campaigns.items()},
        surrogate_actioned=float(sum(solver.value(v) for v in built.actioned.values())),
    )


def surrogate_value(scenario: Scenario, surrogate: Surrogate, plan: Plan) -> float:
    """What the surrogate promises for a given plan (all levers fixed to the plan's).

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section.
    surrogate : Surrogate
        The pipeline's capacities per unit.
    plan : Plan
        The levers to fix; the planner's other constraints and the budget are lifted.

    Returns
    -------
    float
        Actioned tip-offs over the horizon, or NaN if the levers cannot all hold.
    """
    settings = scenario.optimise
    assert settings is not None
    fixed = dict(settings.bounds)
    for (site, group), value in plan.posts.items():
        fixed[Lever.posts(group).bound_name(site)] = LeverBounds(min=value, max=value)
    for (kind, delivery), value in plan.course_places.items():
        fixed[_places_bound(kind, delivery)] = LeverBounds(min=value, max=value)
    for code, value in plan.campaigns.items():
        fixed[Lever(LeverKind.CAMPAIGNS).bound_name(code)] = LeverBounds(min=value, max=value)
    tiers = settings.bandwidth_tiers
    mbps = scenario.download.bandwidth_mbps.value
    if plan.bandwidth_tier is not None:
        mbps = plan.bandwidth_tier.mbps
        if plan.bandwidth_tier not in tiers:  # a what-if line, e.g. 100 Mbps more
            tiers = (*tiers, plan.bandwidth_tier)
    fixed[Lever(LeverKind.LINE).bound_name(HQ)] = LeverBounds(min=mbps, max=mbps)
    free = settings.model_copy(update={
        "bandwidth_tiers": tiers,
        "bounds": fixed, "budget_rm": 1e15, "max_total_posts": 10**6, "min_posts_per_state": 0,
        "max_posts_per_state": 10**6, "state_posts": {}, "hq_posts": LeverBounds(),
        "min_officer_share": 0.0, "min_officers_per_state": 0})
    try:
        return solve(scenario.model_copy(update={"optimise": free}), surrogate,
                     name=plan.name).surrogate_actioned
    except InfeasiblePlan:
        return float("nan")
