"""The menu of levers in the CP-SAT model: courses, the line, campaigns and tools.

Each helper adds one lever's variables and the limits that always hold (places on offer,
one tier at most, campaigns from today's up to the most a state may run, tools on offer),
and the planner's bounds on named levers (group ``lever_bounds``).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from model.levers import TOOLS, Lever, LeverKind
from model.metrics import HQ
from model.optimise_schema import Delivery, LeverBounds, Optimise
from model.scenario import Scenario
from model.schema_base import STATE_CODES, CourseKind
from solvers.cp_parts import (
    Campaigns,
    CourseKey,
    Expression,
    PostKey,
    Staff,
    Tools,
    Training,
    scaled,
)
from solvers.plan import (
    HQ_GROUPS,
    STATE_GROUPS,
    current_posts,
    new_posts_trained_in_time,
    trained_post_keys,
    trained_sites,
)
from solvers.surrogate import Surrogate, campaign_reports


def add_training(model: cp_model.CpModel, scenario: Scenario, settings: Optimise,
                  staff: Staff) -> Training:
    """Places on offer, the people they train, and the trained capacity they give."""
    places = _add_course_places(model, settings)
    trainees = _add_trainees(model, scenario, staff, places)
    return Training(places, trainees, _add_effect(model, settings, staff, places, trainees))


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


def _add_trainees(model: cp_model.CpModel, scenario: Scenario, staff: Staff,
                  places: dict[CourseKey, cp_model.IntVar],
                  ) -> dict[tuple[CourseKind, str], cp_model.IntVar]:
    """People trained per course and site: every place bought trains one of them.

    A site trains no more people than its posts in the first year (posts created later
    are filled after the courses run); none in new posts if they are filled too late to be
    trained within the horizon (``solvers.plan.course_runs`` places them).
    """
    today = current_posts(scenario)
    in_time = new_posts_trained_in_time(scenario)
    trainees: dict[tuple[CourseKind, str], cp_model.IntVar] = {}
    for kind in CourseKind:
        for site in trained_sites(kind):
            var = model.new_int_var(0, staff.top, f"trained[{kind.value},{site}]")
            model.add(var <= sum(staff.posts[key] - staff.later(key)
                                 for key in trained_post_keys(site)))
            if not in_time:
                model.add(var <= sum(today[key] for key in trained_post_keys(site)))
            trainees[(kind, site)] = var
        model.add(sum(trainees[(kind, site)] for site in trained_sites(kind))
                  == sum(var for (k, _), var in places.items() if k is kind))
    return trainees


def _add_effect(model: cp_model.CpModel, settings: Optimise, staff: Staff,
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
                  <= sum(scaled(10 * o.effect_share.value) * places[(o.course, o.delivery)]
                         for o in settings.courses if o.course is kind))
    return effective


def add_line(model: cp_model.CpModel, settings: Optimise) -> list[cp_model.IntVar]:
    """At most one of the provider's tiers replaces today's line."""
    tiers = [model.new_bool_var(f"tier[{tier.mbps:g}]") for tier in settings.bandwidth_tiers]
    model.add(sum(tiers) <= 1)
    return tiers


def add_campaigns(model: cp_model.CpModel, scenario: Scenario, settings: Optimise,
                   surrogate: Surrogate) -> Campaigns:
    """Campaigns a year per state as one chosen level, and the extra local reports.

    One literal per level makes the reports (diminishing returns) and the arrest
    probability (cooperation) exact at every level.
    """
    count: dict[str, cp_model.IntVar] = {}
    level: dict[tuple[str, int], cp_model.IntVar] = {}
    extra: dict[str, cp_model.IntVar] = {}
    most = settings.max_campaigns_per_state
    for code in STATE_CODES:
        # today's campaigns continue unless a planner's bound says otherwise
        today_campaigns = min(scenario.states[code].campaigns_per_year, most)
        bounded = Lever(LeverKind.CAMPAIGNS).bound_name(code) in settings.bounds
        floor = 0 if bounded else today_campaigns
        count[code] = model.new_int_var(floor, most, f"campaigns[{code}]")
        table = [scaled(campaign_reports(scenario, code, n, surrogate)) for n in range(most + 1)]
        extra[code] = model.new_int_var(0, max(table), f"extra_reports[{code}]")
        for n in range(most + 1):
            level[(code, n)] = model.new_bool_var(f"campaign_level[{code},{n}]")
        model.add_exactly_one(level[(code, n)] for n in range(most + 1))
        model.add(count[code] == sum(n * level[(code, n)] for n in range(most + 1)))
        model.add(extra[code] == sum(table[n] * level[(code, n)] for n in range(most + 1)))
    return Campaigns(count, level, extra)


def add_tools(model: cp_model.CpModel, scenario: Scenario, settings: Optimise) -> Tools:
    """Tools on offer (priced in optimise.tooling); those the scenario has are kept."""
    have = scenario.tooling
    owned = {"risk_scoring": int(have.risk_scoring), "hash_matching": int(have.hash_matching),
             "workstations": have.workstations}
    offer = settings.tooling
    most = {"risk_scoring": 1 if offer.risk_scoring else owned["risk_scoring"],
            "hash_matching": 1 if offer.hash_matching else owned["hash_matching"],
            "workstations": owned["workstations"]
            + (offer.workstations.max if offer.workstations else 0)}
    made = {tool: model.new_int_var(owned[tool], most[tool], f"tool[{tool}]") for tool in TOOLS}
    return Tools(made["risk_scoring"], made["hash_matching"], made["workstations"], owned)


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
    names += [Lever(LeverKind.TOOLING, tool=tool).bound_name(HQ) for tool in TOOLS]
    return names


def lever_expressions(settings: Optimise, posts: dict[PostKey, cp_model.IntVar],
                      places: dict[CourseKey, cp_model.IntVar],
                      campaigns: dict[str, cp_model.IntVar], tiers: list[cp_model.IntVar],
                      tools: Tools, current_mbps: float) -> dict[str, Expression]:
    """Each bounded lever's name and its value in the model."""
    levers: dict[str, Expression] = {
        Lever.posts(g).bound_name(c): posts[(c, g)] for c in STATE_CODES for g in STATE_GROUPS}
    levers |= {Lever.posts(g).bound_name(HQ): posts[(HQ, g)] for g in HQ_GROUPS}
    levers |= {_places_bound(k, d): v for (k, d), v in places.items()}
    levers[Lever(LeverKind.LINE).bound_name(HQ)] = scaled(current_mbps) + sum(
        scaled(tier.mbps - current_mbps) * y
        for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
    levers |= {Lever(LeverKind.CAMPAIGNS).bound_name(c): v for c, v in campaigns.items()}
    levers |= {Lever(LeverKind.TOOLING, tool=t).bound_name(HQ): v for t, v in tools.items()}
    return levers


def add_lever_bounds(model: cp_model.CpModel, bounds: dict[str, LeverBounds],
                     levers: dict[str, Expression], switch: cp_model.IntVar) -> None:
    """Group ``lever_bounds``: the planner's bounds on named levers."""
    for name, bound in bounds.items():
        if name not in levers:
            raise KeyError(name)
        expression = levers[name]
        if bound.min is not None:
            model.add(expression >= scaled(bound.min)).only_enforce_if(switch)
        if bound.max is not None:
            model.add(expression <= scaled(bound.max)).only_enforce_if(switch)


