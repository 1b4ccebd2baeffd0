"""Candidate plans for the selection: the surrogate's best and next-best, named plans, neighbours.

The surrogate proposes; the simulation chooses (``solvers.certify``).  Candidates come
from four places:

- the plan each pilot round's surrogate solved for (``solvers.loop``);
- the corrected surrogate's best plan and its next-best plans, each found by solving
  again with every plan found so far excluded (``Request.exclude``), and the cheapest
  plan it promises within half the indifference zone of its best (``Request.at_least``);
- plans a planner would name, where they keep the scenario's constraints: the best
  plan's state posts spread evenly over the states, and the rule "three to four posts
  per state";
- the best plan's neighbours: one post moved between two sites or teams, one post more
  or fewer, one step of the line, of a course's places, of a state's campaigns or of a
  tool.  Neighbours are many; the surrogate screens them and the best few go on.

Every candidate keeps the planner's constraints in the surrogate (``fits``); plans that
do not (today's allocation, a comparator) are simulated beside the choice, never chosen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from model.experiments.executors import local_map
from model.metrics import HQ
from model.scenario import Scenario
from model.schema_base import STATE_CODES, CourseKind
from solvers.allocation import (
    Floor,
    InfeasiblePlan,
    Request,
    evaluate,
    solve,
    state_post_bounds,
)
from solvers.plan import HQ_GROUPS, STATE_GROUPS, Plan, PostKey, current_posts
from solvers.settings import optimise_settings
from solvers.surrogate import Surrogate


@dataclass(frozen=True)
class Candidate:
    """A plan that may be chosen, where it came from, and what the surrogate promises."""

    name: str
    source: str
    plan: Plan

    @property
    def promised(self) -> float:
        """The surrogate's objective for the plan."""
        return self.plan.surrogate_objective


def next_best(scenario: Scenario, surrogate: Surrogate, found: list[Plan], count: int,
              request: Request) -> list[Plan]:
    """Up to ``count`` further plans, each the best one differing from every plan found.

    Stops early when no other plan keeps the constraints (or the solver finds none in
    its limits).
    """
    plans: list[Plan] = []
    for number in range(1, count + 1):
        try:
            plan = solve(scenario, surrogate, f"next_best_{number}",
                         request=replace(request, exclude=(*found, *plans)))
        except (InfeasiblePlan, TimeoutError):
            break
        plans.append(plan)
    return plans


def cheapest_within_zone(scenario: Scenario, surrogate: Surrogate, best: Plan,
                         request: Request) -> list[Plan]:
    """The cheapest plan the surrogate promises within half the indifference zone of ``best``.

    Many plans promise the same objective within the zone (the states' post caps bind),
    and the selection keeps the cheapest of those it shows equal; without the cheap end
    among the candidates, which equal plan the selection sees, and so its cost, follows
    the seed.  Half the zone leaves the other half for the surrogate's error.  Empty when
    the solver finds none in its limits.
    """
    try:
        return [solve(scenario, surrogate, "cheapest_within_zone",
                      request=replace(request, at_least=half_zone_below(scenario, best)))]
    except (InfeasiblePlan, TimeoutError):
        return []


def half_zone_below(scenario: Scenario, best: Plan) -> float:
    """The objective half the indifference zone below ``best``'s promise."""
    settings = optimise_settings(scenario)
    return best.surrogate_objective * (1.0 - settings.selection.indifference_share / 2)


def ladder(scenario: Scenario, surrogate: Surrogate, best: Plan, request: Request,
           today: dict[str, float]) -> list[Plan]:
    """The cheapest plan within half the zone of ``best`` at each rung of ``procedure.ladder``.

    A rung asks for at least ``level`` times today's value of the ladder's metric (from
    ``today``).  Plans promising the same objective differ in what else they buy: the
    cheap end gives up what other explanations of the history may need, the surrogate's
    best buys whatever its tie-break favours.  Each rung is a cheapest plan, so, like the
    cheap end, it follows little from the seed, and the regret table can tell which rung
    holds up.  A rung the cheaper plans already reach is skipped; the ladder stops at the
    first rung out of reach.
    """
    settings = optimise_settings(scenario)
    steps = settings.procedure.ladder
    if steps is None or steps.metric not in today:
        return []
    level = half_zone_below(scenario, best)
    plans: list[Plan] = []
    reached = -float("inf")
    for times in steps.levels:
        wanted = times * today[steps.metric]
        if wanted <= reached:
            continue
        floors = (*request.floors, Floor(steps.metric, wanted))
        try:
            plan = solve(scenario, surrogate, rung_name(steps.metric, times),
                         request=replace(request, at_least=level, floors=floors))
        except (InfeasiblePlan, TimeoutError):
            break
        plans.append(plan)
        reached = plan.outcomes.get(steps.metric, wanted)
    return plans


RUNG_PREFIX = "cheapest_giving_"
RUNG_SOURCE = "surrogate: a rung of the ladder, the cheapest within half the zone giving its level"
"""``candidates.csv``'s source of a rung (the proposal words it)."""


def rung_name(metric: str, times: float) -> str:
    """A rung's candidate name: ``cheapest_giving_2.5x_downloaded``."""
    return f"{RUNG_PREFIX}{times:g}x_{metric}"


def posts_within_bounds(scenario: Scenario, plan: Plan) -> bool:
    """Whether the plan's posts keep the simple bounds: totals, each state's, HQ's, officers.

    A quick test before the solver's full check (``evaluate``), which most neighbours
    (a post moved out of a state already at its minimum, say) fail.
    """
    settings = optimise_settings(scenario)
    posts = plan.posts
    if min(posts.values()) < 0 or plan.total_posts() > settings.max_total_posts:
        return False
    for code in STATE_CODES:
        low, high = state_post_bounds(settings, code)
        total = sum(posts[(code, group)] for group in STATE_GROUPS)
        if not low <= total <= high or posts[(code, "officers")] < settings.min_officers_per_state:
            return False
    hq = sum(posts[(HQ, group)] for group in HQ_GROUPS)
    bounds = settings.hq_posts
    return (bounds.min is None or hq >= bounds.min) and (bounds.max is None or hq <= bounds.max)


def screened(scenario: Scenario, surrogate: Surrogate, plans: list[tuple[str, Plan]],
             source: str, floors: bool = True, workers: int = 1) -> list[Candidate]:
    """The plans that keep the constraints, with the surrogate's promise, best first.

    Floors relative to today's allocation are checked in the simulation, not here;
    without ``floors`` the absolute ones are left to it too.  Each plan is checked and
    promised by a one-worker solve (as every solve with the levers fixed is), ``workers``
    plans at a time in a local process pool: the answers are the same whatever
    ``workers`` is.
    """
    within = [(name, plan) for name, plan in plans if posts_within_bounds(scenario, plan)]
    named = [replace(plan, name=name) for name, plan in within]
    # a few shares of the plans a process: each share builds its models once (allocation's
    # _BASES), and more shares than processes keep them evenly busy
    shares = min(len(named), 4 * workers) if workers > 1 else 1
    parts = [list(range(first, len(named), shares)) for first in range(shares)]
    promised: dict[int, Plan | None] = {}
    local_map(_screen_some, [(scenario, surrogate, [named[i] for i in part], floors)
                             for part in parts], workers,
              lambda number, found: promised.update(zip(parts[number], found, strict=True)))
    kept = []
    for number, (name, plan) in enumerate(within):
        evaluated = promised[number]
        if evaluated is not None:
            kept.append(Candidate(name, source, replace(evaluated, status=plan.status)))
    return sorted(kept, key=lambda c: -c.promised)


def _screen_some(scenario: Scenario, surrogate: Surrogate, plans: list[Plan], floors: bool
                 ) -> list[Plan | None]:
    """Each plan's promise if it keeps the constraints (a task of :func:`screened`)."""
    return [evaluate(scenario, surrogate, plan, keep_constraints=True, floors=floors)
            for plan in plans]


def even_split(scenario: Scenario, plan: Plan) -> Plan:
    """The plan with its state posts spread evenly over the states, HQ and the rest kept.

    Each rank's total over the states is shared out equally, whatever each state's share
    of the tip-offs; the remainder goes to the states in code order.  A state's gain
    over today's posts is created in the first year.
    """
    posts = dict(plan.posts)
    for group in STATE_GROUPS:
        total = sum(plan.posts[(code, group)] for code in STATE_CODES)
        each, left = divmod(total, len(STATE_CODES))
        for number, code in enumerate(STATE_CODES):
            posts[(code, group)] = each + (number < left)
    phasing = {key: years for key, years in plan.phasing.items() if key[0] == HQ}
    return replace(plan, name="even_split", posts=posts, phasing=phasing, status="named")


def neighbours(scenario: Scenario, plan: Plan) -> Iterator[tuple[str, Plan]]:
    """Every plan one step from ``plan``: a post moved, added or removed; a lever stepped.

    Whether a neighbour keeps the constraints is not checked here (``screened`` does).
    """
    today = current_posts(scenario)
    first = scenario.start_date.year
    keys = [*((code, group) for code in STATE_CODES for group in STATE_GROUPS),
            *((HQ, group) for group in HQ_GROUPS)]
    for giver in keys:
        for taker in keys:
            if giver != taker and plan.posts[giver] > 0:
                moved = _with_post(_with_post(plan, giver, -1, today, first), taker, 1,
                                   today, first)
                yield f"move_{_label(giver)}_to_{_label(taker)}", moved
    for key in keys:
        yield f"add_{_label(key)}", _with_post(plan, key, 1, today, first)
        if plan.posts[key] > 0:
            yield f"remove_{_label(key)}", _with_post(plan, key, -1, today, first)
    yield from _lever_steps(scenario, plan)


def _label(key: PostKey) -> str:
    site, group = key
    return f"{site}_{group.replace('.', '_')}"


def _with_post(plan: Plan, key: PostKey, step: int, today: dict[PostKey, int],
               first: int) -> Plan:
    """``plan`` with one post more (``step`` 1) or fewer (-1) at ``key``.

    A post gained over today's is created in the first year; a post given up is taken
    from the latest year's creations.
    """
    posts = {**plan.posts, key: plan.posts[key] + step}
    phasing = {k: dict(v) for k, v in plan.phasing.items()}
    before = max(plan.posts[key] - today[key], 0)
    after = max(posts[key] - today[key], 0)
    years = phasing.get(key)
    if after > before:
        if years is not None or before == 0:
            phasing[key] = {**(years or {}), first: (years or {}).get(first, 0) + 1}
    elif after < before and years:
        latest = max(year for year, n in years.items() if n)
        years[latest] -= 1
        phasing[key] = {year: n for year, n in years.items() if n}
        if not phasing[key]:
            del phasing[key]
    return replace(plan, posts=posts, phasing=phasing, status="neighbour")


def _lever_steps(scenario: Scenario, plan: Plan) -> Iterator[tuple[str, Plan]]:
    """One step of the line, a course's places, a state's campaigns or a tool."""
    yield from _line_steps(scenario, plan)
    yield from _campaign_steps(scenario, plan)
    yield from _tool_steps(plan)
    yield from _place_steps(plan)


def _line_steps(scenario: Scenario, plan: Plan) -> Iterator[tuple[str, Plan]]:
    settings = optimise_settings(scenario)
    tiers = [None, *settings.bandwidth_tiers]
    at = tiers.index(plan.bandwidth_tier) if plan.bandwidth_tier in tiers else 0
    for step, word in ((1, "up"), (-1, "down")):
        if 0 <= at + step < len(tiers):
            yield f"line_{word}", replace(plan, bandwidth_tier=tiers[at + step],
                                          status="neighbour")


def _campaign_steps(scenario: Scenario, plan: Plan) -> Iterator[tuple[str, Plan]]:
    settings = optimise_settings(scenario)
    for code in STATE_CODES:
        count = plan.campaigns.get(code, scenario.states[code].campaigns_per_year)
        for step, word in ((1, "more"), (-1, "fewer")):
            if 0 <= count + step <= settings.max_campaigns_per_state:
                yield (f"campaigns_{code}_{word}",
                       replace(plan, campaigns={**plan.campaigns, code: count + step},
                               status="neighbour"))


def _tool_steps(plan: Plan) -> Iterator[tuple[str, Plan]]:
    for tool in ("risk_scoring", "hash_matching", "workstations"):
        count = plan.tooling.get(tool, 0)
        for step, word in ((1, "more"), (-1, "fewer")):
            if count + step >= 0:
                tooling = {**plan.tooling, tool: count + step}
                yield (f"{tool}_{word}",
                       replace(plan, tooling={t: n for t, n in tooling.items() if n},
                               status="neighbour"))


def _place_steps(plan: Plan) -> Iterator[tuple[str, Plan]]:
    for (kind, delivery), places in plan.course_places.items():
        for step, word in ((1, "more"), (-1, "fewer")):
            trainees = _trainees_stepped(plan, kind, step)
            if places + step >= 0 and trainees is not None:
                yield (f"places_{kind.value}_{delivery.value}_{word}",
                       replace(plan, course_places={**plan.course_places,
                                                    (kind, delivery): places + step},
                               trainees=trainees, status="neighbour"))


def _trainees_stepped(plan: Plan, kind: CourseKind, step: int
                      ) -> dict[tuple[CourseKind, str], int] | None:
    """The plan's trainees with one person more (``step`` 1) or fewer trained on ``kind``.

    The change falls on the site with the most people trained on the course: every
    place trains one person, so people trained follow the places bought.  None when no
    site trains on the course.
    """
    sites = [site for k, site in plan.trainees if k is kind]
    if not sites:
        return None
    site = max(sites, key=lambda s: plan.trainees[(kind, s)])
    if plan.trainees[(kind, site)] + step < 0:
        return None
    return {**plan.trainees, (kind, site): plan.trainees[(kind, site)] + step}
