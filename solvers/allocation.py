"""The CP-SAT model: choose posts, courses, the line, campaigns and tools for the objective.

The OR-Tools shape: data (the surrogate and the price list), variables (named, keyed by
site, group and year), constraints by group (one helper each), objective, parameters,
solve, status.  The planner's constraint groups (``CONSTRAINT_GROUPS``) each sit behind
an assumption literal so that an infeasible set can be explained by name; the pipeline's
own limits (``solvers.pipeline``: courses, line, campaigns, tools, flows) always hold.
The objective is the planner's weighted sum of outcomes (``optimise.objective``), scaled
to integers; among plans equally good on it, the one with the most of every outcome
(downloads, reviews, high-risk examined, arrests...) so that no tie costs an outcome for
nothing.  Service levels (``optimise.service_levels``) are floors; a floor relative to
the status quo is a fraction of the surrogate's value of today's allocation.

Variables and constraints are added in a fixed order (the helpers' order in
:func:`build`): the solver's search, and so the plan it returns when several are
equally good, depends on it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from model.metrics import HQ
from model.optimise_schema import Optimise, ServiceLevel
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.costs import price_list
from solvers.cp_parts import (
    SCALE,
    STATE_METRICS,
    Campaigns,
    Expression,
    Flows,
    PostKey,
    Staff,
    Switches,
    Tools,
    Training,
    scaled,
)
from solvers.memo import Memo
from solvers.menu import (
    add_campaigns,
    add_lever_bounds,
    add_line,
    add_tools,
    add_training,
    lever_expressions,
    lever_names,
)
from solvers.money import Money, add_budget, spending
from solvers.pipeline import add_pipeline, supply_terms
from solvers.plan import HQ_GROUPS, STATE_GROUPS, Plan, current_posts, status_quo_plan
from solvers.request import Floor, InfeasiblePlan, Request
from solvers.settings import optimise_settings
from solvers.surrogate import Surrogate, campaign_arrest_prob

WEIGHT_SCALE = 100
"""The largest objective weight becomes this integer; the others in proportion."""
PRIMARY_WEIGHT = 10_000_000
"""Weight of the objective over the tie-break: more than any tie-break sum, so the
tie-break only orders plans equally good on the objective."""

CONSTRAINT_GROUPS = {
    "total_posts": "total posts at most optimise.max_total_posts",
    "state_min": "each state's minimum posts (optimise.min_posts_per_state / state_posts)",
    "state_max": "each state's maximum posts (optimise.max_posts_per_state / state_posts)",
    "state_officers": "each state's minimum officers (optimise.min_officers_per_state)",
    "hq_posts": "HQ's bounds on posts (optimise.hq_posts)",
    "officer_share": "officers' share of all posts (optimise.min_officer_share)",
    "budget_one_off": "one-off spending within optimise.budget.one_off_rm",
    "budget_annual": "recurring spending within optimise.budget.annual_rm in every year",
    "lever_bounds": "bounds set on levers (optimise.bounds)",
    "service_levels": "the floors of optimise.service_levels",
    "target": "the target of actioned tip-offs (optimise.target_actioned)",
}


__all__ = ["CONSTRAINT_GROUPS", "Floor", "InfeasiblePlan", "Request", "evaluate", "fits",
           "floor_key", "floor_value", "lever_names", "reference_outcomes", "solve",
           "state_post_bounds", "surrogate_value"]


@dataclass
class _Model:
    """The CP-SAT model with its named variables (never leaves this module)."""

    model: cp_model.CpModel
    staff: Staff
    training: Training
    tiers: list[cp_model.IntVar]
    campaigns: Campaigns
    tools: Tools
    flows: Flows
    money: Money
    switches: Switches
    weights: dict[str, float]
    surrogate: Surrogate
    due: Expression = 0  # high-risk arrivals due in the horizon, scaled by SCALE
    reference: dict[str, float] = field(default_factory=dict)


def build(scenario: Scenario, surrogate: Surrogate, request: Request | None = None,
          assume: bool = False) -> _Model:
    """Build the model.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section (checked by the caller).
    surrogate : Surrogate
        The pipeline's capacities per unit.
    request : Request, optional
        Another objective, further floors, levers fixed, groups lifted, reverse mode.
    assume : bool
        Enforce the constraint groups as assumptions, so that an infeasible model names
        the groups in conflict; otherwise as constraints (assumptions turn off the
        solver's presolve, which many models need to be solved within the limit).

    Returns
    -------
    _Model
        The model and its named variables.
    """
    request = request or Request()
    top = _top(scenario, request.fixed)
    if request.fixed is None or assume or request.hint is not None or request.exclude:
        return _finish(scenario, _base(scenario, surrogate, request, top), request, assume)
    # a plan with its levers fixed (a promise, a check that it fits): everything up to the
    # levers is the same for every plan asked the same, so it is built once and copied
    key = (_request_key(request), top)
    base = _BASES.get((scenario, surrogate), key,
                      lambda: _base(scenario, surrogate, request, top))
    return _finish(scenario, replace(base, model=base.model.clone()), request, assume)


_BASES: Memo[_Model] = Memo(kept=16)
"""The models built so far for fixed plans, before their levers are fixed (the screening of
neighbours fixes hundreds of plans into the same model; building it took four fifths of
each plan's check and promise)."""


def _request_key(request: Request) -> tuple[Any, ...]:
    """What of a request, besides the levers fixed, its model depends on (hashable)."""
    return (tuple(sorted((request.weights or {}).items())), request.floors, request.lifted,
            request.target, request.cheapest, request.at_least,
            tuple(sorted((request.reference or {}).items())))


def _top(scenario: Scenario, fixed: Plan | None) -> int:
    """The posts any site can have at most: the cap, today's total or the plan's."""
    settings = optimise_settings(scenario)
    return max(settings.max_total_posts, sum(current_posts(scenario).values()),
               fixed.total_posts() if fixed else 0)


def _base(scenario: Scenario, surrogate: Surrogate, request: Request, top: int) -> _Model:
    """The model up to the levers fixed, hinted or excluded: variables, groups and floors."""
    settings = optimise_settings(scenario)
    model = cp_model.CpModel()
    switches = {name: model.new_bool_var(f"enforce[{name}]") for name in CONSTRAINT_GROUPS}
    staff = _new_staff(model, scenario, top)
    _add_posts(model, settings, staff.posts, switches)
    training = add_training(model, scenario, settings, staff)
    tiers = add_line(model, settings)
    campaigns = add_campaigns(model, scenario, settings, surrogate)
    tools = add_tools(model, scenario, settings)
    by_level = {n: campaign_arrest_prob(scenario, n, surrogate)
                for n in {n for _, n in campaigns.level}}
    arrest = {(code, n): by_level[n] for (code, n) in campaigns.level}
    flows = add_pipeline(model, settings, surrogate, staff, training.effective,
                         training.trainees, training.places, tiers, campaigns, tools, arrest)
    prices = price_list(scenario)
    today_campaigns = {c: scenario.states[c].campaigns_per_year for c in STATE_CODES}
    money = spending(model, settings, prices, staff, training.places, tiers, campaigns,
                     today_campaigns, tools)
    add_budget(model, settings, prices, money, switches)
    add_lever_bounds(model, settings.bounds,
                     lever_expressions(settings, staff.posts, training.places,
                                       campaigns.count, tiers, tools,
                                       scenario.download.bandwidth_mbps.value),
                     switches["lever_bounds"])
    high = surrogate.high_share * surrogate.due_share
    due = (scaled(SCALE * high * (surrogate.referrals + surrogate.local_reports.sum()))
           + scaled(SCALE * high) * sum(campaigns.extra_reports.values()))
    built = _Model(model, staff, training, tiers, campaigns, tools, flows, money, switches,
                   request.weights or settings.weights, surrogate, due)
    if any(level.relative_to for level in settings.service_levels) and request.fixed is None:
        built.reference = request.reference if request.reference is not None \
            else reference_outcomes(scenario, surrogate)
    _add_service_levels(model, built, settings.service_levels, switches["service_levels"])
    for floor in request.floors:
        model.add(_outcome(built, floor.key)[0] >= math.ceil(floor.value - 1e-6))
    return built


def _finish(scenario: Scenario, built: _Model, request: Request, assume: bool) -> _Model:
    """The levers fixed, hinted or excluded, the objective, and the groups enforced."""
    model = built.model
    if request.fixed is not None:
        _fix(model, scenario, built, request.fixed, _equal(model))
    elif request.hint is not None:
        _fix(model, scenario, built, request.hint, model.add_hint)
    for number, plan in enumerate(request.exclude):
        differences: list[cp_model.IntVar] = []
        _fix(model, scenario, built, plan, _distance(model, differences, number))
        model.add(sum(differences) >= 1)
    _add_objective(model, built, request, built.switches["target"])
    # a lifted group's literal is left free: the solver may switch its constraints off
    enforced = [v for g, v in built.switches.items() if g not in request.lifted]
    if assume:
        model.add_assumptions(enforced)
    else:
        for literal in enforced:
            model.add(literal == 1)
    return built


# --- variables: posts and the changes that cost money --------------------------------------


def _new_staff(model: cp_model.CpModel, scenario: Scenario, top: int) -> Staff:
    """Posts at each site, and the new and moved posts they imply against today's.

    A site's gain is created in some year of the horizon (``added``); a gain after the
    first year is a new post of its rank created that year; in the first year a rank's
    growth beyond today's is new and the other gains are moves.  The same rule as
    ``solvers.plan.new_posts_by_year``, which prices plan.csv.
    """
    today = current_posts(scenario)
    years = scenario.years
    first = years[0]
    posts: dict[PostKey, cp_model.IntVar] = {}
    for code in STATE_CODES:
        for group in STATE_GROUPS:
            posts[(code, group)] = model.new_int_var(0, top, f"posts[{code},{group}]")
    for group in HQ_GROUPS:
        posts[(HQ, group)] = model.new_int_var(0, top, f"posts[{HQ},{group}]")
    increase = {key: model.new_int_var(0, top, f"increase[{key[0]},{key[1]}]") for key in posts}
    added = {(key, year): model.new_int_var(0, top, f"added[{key[0]},{key[1]},{year}]")
             for key in posts for year in years}
    for key, var in posts.items():
        model.add_max_equality(increase[key], [var - today[key], 0])  # exactly the gain
        model.add(increase[key] == sum(added[(key, year)] for year in years))
    new = {(rank, year): model.new_int_var(0, top, f"new[{rank},{year}]")
           for rank in STATE_GROUPS for year in years}
    for rank in STATE_GROUPS:
        keys = [k for k in posts if k[1].endswith(rank)]
        for year in years[1:]:
            model.add(new[(rank, year)] == sum(added[(k, year)] for k in keys))
        planned = sum(posts[k] for k in keys)
        existing = sum(today[k] for k in keys)
        model.add(sum(new[(rank, year)] for year in years) >= planned - existing)
    moved = model.new_int_var(0, 10 * top, "moved")
    model.add(moved >= sum(added[(k, first)] for k in posts)
              - sum(new[(rank, first)] for rank in STATE_GROUPS))
    return Staff(posts, increase, added, new, moved, top, first)


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
        model.add(total >= scaled(low)).only_enforce_if(switches["state_min"])
        model.add(total <= scaled(high)).only_enforce_if(switches["state_max"])
        model.add(posts[(code, "officers")] >= settings.min_officers_per_state).only_enforce_if(
            switches["state_officers"])


def _add_hq_posts(model: cp_model.CpModel, settings: Optimise,
                  posts: dict[PostKey, cp_model.IntVar], switch: cp_model.IntVar) -> None:
    """Group ``hq_posts``: HQ's teams together within their bounds."""
    hq_total = sum(posts[(HQ, g)] for g in HQ_GROUPS)
    if settings.hq_posts.min is not None:
        model.add(hq_total >= scaled(settings.hq_posts.min)).only_enforce_if(switch)
    if settings.hq_posts.max is not None:
        model.add(hq_total <= scaled(settings.hq_posts.max)).only_enforce_if(switch)


def _add_officer_share(model: cp_model.CpModel, settings: Optimise,
                       posts: dict[PostKey, cp_model.IntVar], switch: cp_model.IntVar) -> None:
    """Group ``officer_share``: officers' share of all posts, scaled to integers."""
    officers = sum(v for k, v in posts.items() if k[1].endswith("officers"))
    model.add(SCALE * officers >= scaled(SCALE * settings.min_officer_share)
              * sum(posts.values())).only_enforce_if(switch)


# --- constraint groups: service_levels and target, and the objective ----------------------


def floor_key(level: ServiceLevel) -> str:
    """The outcome a service level floors: ``metric``, or ``metric.STATE``."""
    return level.metric if level.scope == "national" else f"{level.metric}.{level.scope}"


def floor_value(level: ServiceLevel, reference: dict[str, float]) -> float:
    """The value a service level asks for: a fraction of the reference's, or as given."""
    if level.relative_to is None:
        return level.floor
    return level.floor * reference.get(floor_key(level), float("nan"))


def _outcome(built: _Model, key: str) -> tuple[Expression, float]:
    """An outcome's expression and the factor that turns it into the outcome's value.

    Outcomes counted at HQ (downloads, reviews, high-risk examined) fall to a state in
    proportion to its share of tip-offs.
    """
    metric, _, scope = key.partition(".")
    flows = built.flows
    if not scope:
        return flows.national(metric), 1.0
    if metric in STATE_METRICS:
        return flows.state(metric, scope), 1.0
    return flows.national(metric), float(built.surrogate.share[STATE_CODES.index(scope)])


def _add_service_levels(model: cp_model.CpModel, built: _Model,
                        levels: tuple[ServiceLevel, ...], switch: cp_model.IntVar) -> None:
    """Group ``service_levels``: every floor the planner sets."""
    for level in levels:
        if level.metric == "high_risk_within_target_share":
            # examined within target >= floor x due (a state's share cancels out)
            model.add(SCALE * SCALE * built.flows.high_risk
                      >= scaled(level.floor * SCALE) * built.due).only_enforce_if(switch)
            continue
        value = floor_value(level, built.reference)
        expression, factor = _outcome(built, floor_key(level))
        if value != value or factor <= 0:
            continue  # no reference value: nothing to floor
        model.add(expression >= math.ceil(value / factor - 1e-6)).only_enforce_if(switch)


def objective_coefficients(weights: dict[str, float]) -> dict[str, int]:
    """The objective's weights as integers: the largest is ``WEIGHT_SCALE``."""
    top = max(weights.values())
    return {metric: max(1, scaled(WEIGHT_SCALE * w / top)) for metric, w in weights.items()}


def _add_objective(model: cp_model.CpModel, built: _Model, request: Request,
                   switch: cp_model.IntVar) -> None:
    """Group ``target`` and the cheapest plan reaching it; else the best plan."""
    if request.target is not None:
        model.add(built.flows.all_actioned >= math.ceil(request.target)).only_enforce_if(switch)
        model.minimize(built.money.total)
    elif request.cheapest:
        model.minimize(built.money.total)
    else:
        coefficients = objective_coefficients(built.weights)
        primary = sum(c * built.flows.national(m) for m, c in coefficients.items())
        if request.at_least is not None:
            # objective = primary x top weight / WEIGHT_SCALE (as ``solve`` reads the bound)
            top = max(built.weights.values())
            model.add(primary >= math.ceil(request.at_least * WEIGHT_SCALE / top - 1e-6)
                      ).only_enforce_if(switch)
            model.minimize(built.money.total)
            return
        # choosing levers: downloads break ties (unless the objective counts them); with
        # the levers fixed, every outcome is pushed to what the plan's capacities allow
        tie: Expression = built.flows.tie_break() if request.fixed is not None else (
            0 if "downloaded" in built.weights else built.flows.downloaded)
        model.maximize(PRIMARY_WEIGHT * primary + tie)


def _equal(model: cp_model.CpModel) -> Callable[[cp_model.IntVar, int], object]:
    def equal(var: cp_model.IntVar, value: int) -> object:
        return model.add(var == value)
    return equal


def _distance(model: cp_model.CpModel, differences: list[cp_model.IntVar],
              number: int) -> Callable[[cp_model.IntVar, int], object]:
    """A ``fix`` that records ``|var - value|`` in ``differences`` instead of fixing."""
    def distance(var: cp_model.IntVar, value: int) -> object:
        low, high = var.proto.domain[0], var.proto.domain[-1]
        gap = model.new_int_var(0, max(abs(high - value), abs(value - low)),
                                f"excluded[{number}].{var.name}")
        differences.append(gap)
        return model.add_abs_equality(gap, var - value)
    return distance


def _fix(model: cp_model.CpModel, scenario: Scenario, built: _Model, plan: Plan,
         fix: Callable[[cp_model.IntVar, int], object]) -> None:
    """Every lever to the plan's (``fix``: a constraint, or a hint).

    Posts and their years, places, people trained, the line, campaigns, tools.
    """
    today = current_posts(scenario)
    staff = built.staff
    for key, var in staff.posts.items():
        fix(var, plan.posts.get(key, 0))
        gain = max(plan.posts.get(key, 0) - today[key], 0)
        later = plan.later_posts(key, staff.first_year)
        fix(staff.added[(key, staff.first_year)], gain - sum(later.values()))
        for (k, year), var_added in staff.added.items():
            if k == key and year > staff.first_year:
                fix(var_added, later.get(year, 0))
    for key, var in built.training.places.items():
        fix(var, plan.course_places.get(key, 0))
    for key, var in built.training.trainees.items():
        fix(var, plan.trainees.get(key, 0))
    for code, var in built.campaigns.count.items():
        fix(var, plan.campaigns.get(code, scenario.states[code].campaigns_per_year))
    settings = optimise_settings(scenario)
    for tier, chosen in zip(settings.bandwidth_tiers, built.tiers, strict=True):
        fix(chosen, int(plan.bandwidth_tier == tier))
    for tool, var in built.tools.items():
        fix(var, plan.tooling.get(tool, built.tools.owned[tool]))


# --- solve ---------------------------------------------------------------------------------


def solve(scenario: Scenario, surrogate: Surrogate, name: str = "optimised",
          target: float | None = None, request: Request | None = None) -> Plan:
    """Solve the allocation.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with an ``optimise`` section.
    surrogate : Surrogate
        The pipeline's capacities per unit.
    name : str
        The plan's name.
    target : float, optional
        Find the cheapest plan that actions this many tip-offs (reverse mode).
    request : Request, optional
        Another objective, further floors, levers fixed, groups lifted.

    Returns
    -------
    Plan
        The levers chosen, with the solver's status, bound, flows and outcomes.

    Raises
    ------
    InfeasiblePlan
        If no plan meets the constraints; it names the conflicting groups.
    TimeoutError
        If no plan was found within the solver's limits.
    """
    settings = optimise_settings(scenario)
    request = request or Request()
    if target is not None:
        request = replace(request, target=target)
    built = build(scenario, surrogate, request)
    solver = cp_model.CpSolver()
    # Deterministic: the work limit is counted in the solver's deterministic time, and
    # the workers interleave their searches in fixed batches, so the same scenario gives
    # the same plan on any machine load; the wall-clock limit is only a safety net.
    solver.parameters.max_deterministic_time = settings.procedure.deterministic_time_limit
    solver.parameters.max_time_in_seconds = settings.procedure.time_limit_seconds
    # A hinted search runs on one worker: OR-Tools 9.15 aborts the whole process (a failed
    # internal check, heuristics.fixed_search) when an interleaved search with a hint meets
    # a model it proves infeasible.  A plan with its levers fixed runs on one worker too:
    # it presolves to a few dozen variables, and the interleaved batches spend seconds
    # proving the tie-break one worker proves at once (8.1 s against 3.9 s at full size,
    # the same optimum).  One worker is deterministic too.
    single = request.hint is not None or request.fixed is not None
    _set_workers(solver, 1 if single else settings.procedure.solver_workers)
    solver.parameters.random_seed = scenario.seed % (2**31)
    if not request.minimises_cost and request.fixed is None:
        # choosing levers: optimal on the objective; the tie-break need not be proven (it
        # only orders ties).  With the levers fixed it is the plan's promise of every
        # outcome, which the corrections compare with the simulation: proven too.
        solver.parameters.absolute_gap_limit = PRIMARY_WEIGHT - 1
    started = time.perf_counter()
    status = solver.solve(built.model)
    if status == cp_model.UNKNOWN and single:
        # one worker found nothing (from the hint: a floor the hint breaks, at full size):
        # the interleaved workers again, without the hint, as an unhinted search runs
        built.model.clear_hints()
        _set_workers(solver, settings.procedure.solver_workers)
        status = solver.solve(built.model)
    seconds = time.perf_counter() - started
    if status == cp_model.INFEASIBLE:  # again with the groups as assumptions, to name them
        # built without the hint: the workers may interleave now (the abort above)
        built = build(scenario, surrogate, replace(request, hint=None), assume=True)
        status = solver.solve(built.model)
    if status == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        groups = [group for group, switch in built.switches.items() if switch.index in core]
        raise InfeasiblePlan(groups or [g for g in CONSTRAINT_GROUPS
                                        if g not in request.lifted])
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError(
            f"no plan found within optimise.procedure.deterministic_time_limit = "
            f"{settings.procedure.deterministic_time_limit:g} (or the safety net optimise."
            f"procedure.time_limit_seconds = {settings.procedure.time_limit_seconds:g} s); "
            "raise it")
    plan = _read_plan(solver, built, settings, name)
    if request.fixed is None:
        plan = _with_outcomes(scenario, surrogate, plan, request, built.reference)
    optimal = status == cp_model.OPTIMAL
    if request.minimises_cost:
        label = "optimal (cheapest)" if optimal else \
            "feasible, time limit reached (cheaper plans may exist)"
        bound = plan.surrogate_objective
    else:
        top = max(built.weights.values())
        bound = solver.best_objective_bound / PRIMARY_WEIGHT * top / WEIGHT_SCALE
        label = "optimal" if optimal else "feasible, time limit reached (gap " \
            f"{abs(bound - plan.surrogate_objective) / max(abs(bound), 1):.1%})"
    return replace(plan, status=label, bound=float(bound), solve_seconds=seconds)


def _set_workers(solver: cp_model.CpSolver, workers: int) -> None:
    """Workers that interleave their searches in fixed batches (deterministic), or one."""
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1


def _with_outcomes(scenario: Scenario, surrogate: Surrogate, plan: Plan, request: Request,
                   reference: dict[str, float]) -> Plan:
    """The plan's outcomes with its levers fixed: each as high as its capacities allow.

    The search breaks ties by downloads only (faster to prove optimal); this second,
    small solve reports every outcome the plan's levers allow.  Its constraint groups are
    lifted: with the levers fixed they cannot bind the flows, and a group kept is an
    assumption, which turns off the solver's presolve (a 0.2 s proof then takes longer
    than the time limit, and the outcomes the objective does not count are left short).
    """
    floors = request.floors
    if request.target is not None:  # reverse mode: the plan reaches the target
        floors = (*floors, Floor("actioned", request.target))
    fixed = Request(weights=request.weights, floors=floors, fixed=plan,
                    lifted=frozenset(CONSTRAINT_GROUPS), reference=reference)
    try:
        solved = solve(scenario, surrogate, plan.name, request=fixed)
    except (InfeasiblePlan, TimeoutError):
        return plan
    return replace(plan, flows=solved.flows, outcomes=solved.outcomes,
                   surrogate_actioned=solved.surrogate_actioned,
                   surrogate_objective=max(solved.surrogate_objective,
                                           plan.surrogate_objective))


def _read_plan(solver: cp_model.CpSolver, built: _Model, settings: Optimise, name: str) -> Plan:
    """The levers, flows and outcomes of the solver's solution."""
    tier = None
    for option, chosen in zip(settings.bandwidth_tiers, built.tiers, strict=True):
        if solver.value(chosen):
            tier = option
    flows = built.flows
    staff = built.staff
    phasing: dict[PostKey, dict[int, int]] = {}
    for (key, year), var in staff.added.items():
        if solver.value(var):
            phasing.setdefault(key, {})[year] = int(solver.value(var))
    outcomes = _outcome_values(solver, built)
    values: dict[str, float] = {
        "selected": solver.value(flows.selected), "downloaded": solver.value(flows.downloaded),
        "reviewed": solver.value(flows.reviewed),
        "high_risk_examined_within_target": solver.value(flows.high_risk)}
    values |= {f"actioned.{code}": solver.value(v) for code, v in flows.actioned.items()}
    values |= _supply(built.surrogate, solver.value(flows.reviewed_new),
                      solver.value(flows.reviewed_backlog))
    return Plan(
        name=name,
        flows={key: float(value) for key, value in values.items()},
        outcomes=outcomes,
        posts={key: int(solver.value(var)) for key, var in staff.posts.items()},
        phasing=phasing,
        course_places={key: int(solver.value(var))
                       for key, var in built.training.places.items()},
        trainees={key: int(solver.value(var)) for key, var in built.training.trainees.items()},
        bandwidth_tier=tier,
        campaigns={code: int(solver.value(var)) for code, var in built.campaigns.count.items()},
        tooling={tool: int(solver.value(var)) for tool, var in built.tools.items()
                 if solver.value(var)},
        surrogate_actioned=float(solver.value(flows.all_actioned)),
        surrogate_objective=sum(w * outcomes[m] for m, w in built.weights.items()),
    )


def _supply(s: Surrogate, reviewed_new: float, reviewed_backlog: float) -> dict[str, float]:
    """Per state, the cases the surrogate passes on to it (``supply.STATE``).

    A state whose actioned tip-offs reach its supply is short of cases in the surrogate;
    otherwise its officers' hours bind (what the recalibration corrects).
    """
    supply = {}
    for number, code in enumerate(STATE_CODES):
        per_new, per_backlog, waiting = supply_terms(s, number)
        supply[f"supply.{code}"] = per_new * reviewed_new + per_backlog * reviewed_backlog \
            + waiting
    return supply


def _outcome_values(solver: cp_model.CpSolver, built: _Model) -> dict[str, float]:
    """Every outcome the optimiser counts, national and by state, in the solution."""
    values: dict[str, float] = {}
    metrics = [*STATE_METRICS, "downloaded", "reviewed", "high_risk_examined_within_target"]
    for metric in metrics:
        for key in [metric, *(f"{metric}.{code}" for code in STATE_CODES)]:
            expression, factor = _outcome(built, key)
            values[key] = factor * float(solver.value(expression))
    due = solver.value(built.due) / SCALE
    values["high_risk_due"] = due
    values["high_risk_within_target_share"] = (
        values["high_risk_examined_within_target"] / due if due else float("nan"))
    return values


# --- a plan's value in the surrogate ----------------------------------------------------------


def evaluate(scenario: Scenario, surrogate: Surrogate, plan: Plan,
             keep_constraints: bool = False, floors: bool = True) -> Plan | None:
    """The plan with what the surrogate promises for it (all levers fixed to the plan's).

    With ``keep_constraints`` the planner's constraints are kept (does the plan fit them?),
    the service levels among them unless ``floors`` is False (they are then checked in the
    simulation); by default they and the budget are lifted.  Returns the plan with its
    flows, outcomes and objective; None if its levers cannot all hold, or it breaks a kept
    constraint.  Answers are remembered (``_PROMISES``).
    """
    promise = _PROMISES.get((scenario, surrogate), (plan.levers(), keep_constraints, floors),
                            lambda: _promise(scenario, surrogate, plan, keep_constraints, floors))
    if promise is None:
        return None
    return replace(plan, **{**promise, "flows": dict(promise["flows"]),
                            "outcomes": dict(promise["outcomes"])})


_PROMISES: Memo[dict[str, Any] | None] = Memo(kept=4096)
"""What ``evaluate`` found for the plans it was last asked about (the screening of
neighbours asks about many plans more than once)."""


def _promise(scenario: Scenario, surrogate: Surrogate, plan: Plan, keep_constraints: bool,
             floors: bool) -> dict[str, Any] | None:
    """``evaluate``'s work: the plan's flows, outcomes and objective, or None."""
    settings = optimise_settings(scenario)
    tiers = settings.bandwidth_tiers
    kept = varied = scenario  # the same object, so that its model is built once (_BASES)
    if plan.bandwidth_tier is not None and plan.bandwidth_tier not in tiers:
        tiers = (*tiers, plan.bandwidth_tier)  # a what-if line, e.g. one tier more
        kept = scenario.model_copy(update={"optimise": settings.model_copy(
            update={"bandwidth_tiers": tiers})})
    if keep_constraints and not _keeps_constraints(kept, surrogate, plan, floors):
        return None
    # with the levers fixed the constraints only decide whether the plan is allowed, not
    # its flows: its promise is read with them lifted (a far easier model to prove)
    if kept is not scenario or plan.total_posts() > settings.max_total_posts:
        varied = scenario.model_copy(update={"optimise": settings.model_copy(
            update={"bandwidth_tiers": tiers,
                    "max_total_posts": max(settings.max_total_posts, plan.total_posts())})})
    try:
        solved = solve(varied, surrogate, name=plan.name,
                       request=Request(fixed=plan, lifted=frozenset(CONSTRAINT_GROUPS)))
    except InfeasiblePlan:
        return None
    return {"flows": solved.flows, "outcomes": solved.outcomes,
            "surrogate_actioned": solved.surrogate_actioned,
            "surrogate_objective": solved.surrogate_objective}


def _keeps_constraints(scenario: Scenario, surrogate: Surrogate, plan: Plan,
                       floors: bool) -> bool:
    """Whether a plan's levers keep the planner's constraints: a model without objective."""
    settings = optimise_settings(scenario)
    lifted = {"target"} if floors else {"target", "service_levels"}
    built = build(scenario, surrogate, Request(fixed=plan, lifted=frozenset(lifted)))
    built.model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = settings.procedure.deterministic_time_limit
    solver.parameters.max_time_in_seconds = settings.procedure.time_limit_seconds
    solver.parameters.num_workers = 1
    # a plan not shown to keep them within the limit is not taken as keeping them
    return solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def surrogate_value(scenario: Scenario, surrogate: Surrogate, plan: Plan) -> float:
    """The objective the surrogate promises for a plan (NaN if its levers cannot hold)."""
    evaluated = evaluate(scenario, surrogate, plan)
    return evaluated.surrogate_objective if evaluated else float("nan")


def reference_outcomes(scenario: Scenario, surrogate: Surrogate) -> dict[str, float]:
    """The surrogate's outcomes of today's allocation: what relative floors are fractions of."""
    evaluated = evaluate(scenario, surrogate, status_quo_plan(scenario))
    return evaluated.outcomes if evaluated else {}


def fits(scenario: Scenario, surrogate: Surrogate, plan: Plan) -> bool:
    """Whether a plan keeps the planner's constraints (posts, budget, floors, bounds)."""
    return evaluate(scenario, surrogate, plan, keep_constraints=True) is not None
