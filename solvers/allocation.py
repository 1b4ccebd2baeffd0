"""The CP-SAT model: choose posts, courses, the line and campaigns to action the most tip-offs.

Data (the surrogate), variables (named, keyed by site and group), constraints
(grouped, each group behind an assumption literal so that an infeasible set
can be explained), objective, parameters, solve, status.  Continuous
coefficients are scaled to integers (CP-SAT works on integers); the scale is
chosen so that rounding moves a capacity by well under one tip-off.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from model.scenario import STATE_CODES, CourseKind, Delivery, LeverBounds, Scenario
from solvers.plan import HQ, HQ_GROUPS, STATE_COURSES, STATE_GROUPS, Plan, PostKey, current_posts
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


class InfeasiblePlan(Exception):
    """No plan meets the constraints; ``groups`` names the conflicting ones."""

    def __init__(self, groups: list[str]) -> None:
        super().__init__(", ".join(groups))
        self.groups = groups


@dataclass
class _Model:
    """The CP-SAT model with its named variables (never leaves this module)."""

    model: cp_model.CpModel
    posts: dict[PostKey, cp_model.IntVar]
    places: dict[tuple[CourseKind, Delivery], cp_model.IntVar]
    trainees: dict[tuple[CourseKind, str], cp_model.IntVar]
    tiers: list[cp_model.IntVar]
    campaigns: dict[str, cp_model.IntVar]
    actioned: dict[str, cp_model.IntVar]
    cost: cp_model.LinearExpr
    switches: dict[str, cp_model.IntVar]
    flows: dict[str, cp_model.IntVar]


def _int(value: float) -> int:
    return int(round(value))


def build(scenario: Scenario, surrogate: Surrogate, budget_rm: float | None = None,
          target: float | None = None) -> _Model:
    """Build the model.  With ``target`` it must action that many (reverse mode)."""
    settings = scenario.optimise
    assert settings is not None  # checked by the caller
    model = cp_model.CpModel()
    switches = {name: model.NewBoolVar(f"enforce[{name}]") for name in CONSTRAINT_GROUPS}
    today = current_posts(scenario)
    bounds = settings.bounds
    top = max(settings.max_total_posts, sum(today.values()))
    posts: dict[PostKey, cp_model.IntVar] = {}
    for code in STATE_CODES:
        for group in STATE_GROUPS:
            posts[(code, group)] = model.NewIntVar(0, top, f"posts[{code},{group}]")
    for group in HQ_GROUPS:
        posts[(HQ, group)] = model.NewIntVar(0, top, f"posts[hq,{group}]")

    # new posts at each place (vacant until recruited) and the posts kept
    increase = {key: model.NewIntVar(0, top, f"increase[{key[0]},{key[1]}]") for key in posts}
    for key, var in posts.items():
        model.Add(increase[key] >= var - today[key])
    new = {rank: model.NewIntVar(0, top, f"new[{rank}]") for rank in STATE_GROUPS}
    for rank in STATE_GROUPS:
        planned = sum(v for k, v in posts.items() if k[1].endswith(rank))
        existing = sum(v for k, v in today.items() if k[1].endswith(rank))
        model.Add(new[rank] >= planned - existing)
    moved = model.NewIntVar(0, 10 * top, "moved")
    model.Add(moved >= sum(increase.values()) - sum(new.values()))

    # --- posts: totals and bounds ------------------------------------------------------
    model.Add(sum(posts.values()) <= settings.max_total_posts).OnlyEnforceIf(
        switches["total_posts"])
    for code in STATE_CODES:
        total = posts[(code, "officers")] + posts[(code, "lower_ranks")]
        own = settings.state_posts.get(code)
        low = own.min if own and own.min is not None else settings.min_posts_per_state
        high = own.max if own and own.max is not None else settings.max_posts_per_state
        model.Add(total >= _int(low)).OnlyEnforceIf(switches["state_min"])
        model.Add(total <= _int(high)).OnlyEnforceIf(switches["state_max"])
        model.Add(posts[(code, "officers")] >= settings.min_officers_per_state).OnlyEnforceIf(
            switches["state_officers"])
    hq_total = sum(posts[(HQ, g)] for g in HQ_GROUPS)
    if settings.hq_posts.min is not None:
        model.Add(hq_total >= _int(settings.hq_posts.min)).OnlyEnforceIf(switches["hq_posts"])
    if settings.hq_posts.max is not None:
        model.Add(hq_total <= _int(settings.hq_posts.max)).OnlyEnforceIf(switches["hq_posts"])
    officers = sum(v for k, v in posts.items() if k[1].endswith("officers"))
    model.Add(SCALE * officers >= _int(SCALE * settings.min_officer_share)
              * sum(posts.values())).OnlyEnforceIf(switches["officer_share"])

    # --- courses ---------------------------------------------------------------------------
    places: dict[tuple[CourseKind, Delivery], cp_model.IntVar] = {}
    for option in settings.courses:
        places[(option.course, option.delivery)] = model.NewIntVar(
            0, 10_000, f"places[{option.course.value},{option.delivery.value}]")
    for option in settings.courses:
        var = places[(option.course, option.delivery)]
        if option.delivery is Delivery.LOCAL:
            trainers = [places[(o.course, o.delivery)] * o.local_places_per_trainer
                        for o in settings.courses
                        if o.course is option.course and o.delivery is Delivery.TRAIN_THE_TRAINER]
            model.Add(var <= option.max_places + sum(trainers))
        else:
            model.Add(var <= option.max_places)

    def effective_tenths(kind: CourseKind) -> cp_model.LinearExpr:
        return sum(_int(10 * o.effect_share.value) * places[(o.course, o.delivery)]
                   for o in settings.courses if o.course is kind)

    trainees: dict[tuple[CourseKind, str], cp_model.IntVar] = {}
    for kind in STATE_COURSES:
        for code in STATE_CODES:
            trainees[(kind, code)] = model.NewIntVar(0, top, f"trained[{kind.value},{code}]")
            model.Add(trainees[(kind, code)] <= posts[(code, "officers")])
        model.Add(10 * sum(trainees[(kind, c)] for c in STATE_CODES) <= effective_tenths(kind))
    forensic_trained = model.NewIntVar(0, top, "trained[digital_forensics,hq]")
    model.Add(10 * forensic_trained <= effective_tenths(CourseKind.DIGITAL_FORENSICS))
    model.Add(forensic_trained <= posts[(HQ, "forensic_team.officers")]
              + posts[(HQ, "forensic_team.lower_ranks")])
    trainees[(CourseKind.DIGITAL_FORENSICS, HQ)] = forensic_trained

    # --- bandwidth and campaigns ----------------------------------------------------------------
    tiers = [model.NewBoolVar(f"tier[{tier.mbps:g}]") for tier in settings.bandwidth_tiers]
    model.Add(sum(tiers) <= 1)
    campaigns: dict[str, cp_model.IntVar] = {}
    extra_reports = []
    for code in STATE_CODES:
        # today's campaigns continue unless a planner's bound says otherwise
        today_campaigns = min(scenario.states[code].campaigns_per_year,
                              settings.max_campaigns_per_state)
        floor = 0 if f"campaigns_per_year.{code}" in bounds else today_campaigns
        campaigns[code] = model.NewIntVar(floor, settings.max_campaigns_per_state,
                                          f"campaigns[{code}]")
        table = [_int(campaign_reports(scenario, code, n, surrogate))
                 for n in range(settings.max_campaigns_per_state + 1)]
        reports = model.NewIntVar(0, max(table), f"extra_reports[{code}]")
        model.AddElement(campaigns[code], table, reports)  # diminishing returns, exactly
        extra_reports.append(reports)

    # --- the pipeline's flows --------------------------------------------------------------------
    s = surrogate
    eff = s.efficiency
    big = _int(10 * (s.arrivals + s.local_reports.sum()) + 10_000)
    selected = model.NewIntVar(0, big, "selected")
    downloaded = model.NewIntVar(0, big, "downloaded")
    reviewed_new = model.NewIntVar(0, big, "reviewed_new")
    reviewed_old = model.NewIntVar(0, _int(s.waiting_review), "reviewed_backlog")
    reviewed = reviewed_new + reviewed_old
    actioned = {code: model.NewIntVar(0, big, f"actioned[{code}]") for code in STATE_CODES}
    all_actioned = sum(actioned.values())
    hours = s.person_hours * s.availability

    def staff_hours(keys: list[PostKey], efficiency: float) -> cp_model.LinearExpr:
        """Scaled hours of a group: kept posts all horizon, new ones after the lag."""
        return sum(_int(SCALE * efficiency * hours) * (posts[k] - increase[k])
                   + _int(SCALE * efficiency * hours * s.new_post_share) * increase[k]
                   for k in keys)

    model.Add(selected <= _int(s.arrivals + s.local_reports.sum()) + sum(extra_reports))
    model.Add(SCALE * downloaded <= _int(SCALE * s.success_prob) * selected)
    download_team = [(HQ, g) for g in HQ_GROUPS if g.startswith("download_team")]
    model.Add(_int(SCALE * s.triage_hours) * selected <= staff_hours(download_team,
                                                                      eff["download"]))
    per_mbps = s.line_megabits_per_mbps / s.megabits_per_download
    current_mbps = scenario.download.bandwidth_mbps.value
    model.Add(downloaded <= _int(eff["download"] * per_mbps * current_mbps) + sum(
        _int(eff["download"] * per_mbps * (tier.mbps - current_mbps)) * y
        for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True)))
    model.Add(downloaded <= _int(eff["download"] * s.slot_megabits / s.megabits_per_download))

    days_off = {(o.course, o.delivery): o.days_off_duty for o in settings.courses}
    forensic = [(HQ, g) for g in HQ_GROUPS if g.startswith("forensic_team")]
    forensic_off = sum(_int(SCALE * days_off[key] * s.person_hours_per_day) * var
                       for key, var in places.items() if key[0] is CourseKind.DIGITAL_FORENSICS)
    model.Add(reviewed_new <= downloaded)
    model.Add(_int(SCALE * s.review_hours) * reviewed
              + _int(SCALE * s.device_hours_per_raid * s.raid_prob) * all_actioned
              <= staff_hours(forensic, eff["review"])
              + _int(SCALE * eff["review"] * hours * (s.factors["digital_forensics"] - 1))
              * forensic_trained - forensic_off)

    longest_course = {kind: max((days_off[k] for k in days_off if k[0] is kind), default=0)
                      for kind in STATE_COURSES}
    for number, code in enumerate(STATE_CODES):
        e = eff[code]
        model.Add(SCALE * actioned[code]
                  <= _int(SCALE * s.share[number] * s.pass_share * eff["pass"]) * reviewed_new
                  + _int(SCALE * s.share[number] * s.backlog_pass_share * eff["pass"])
                  * reviewed_old + _int(SCALE * s.waiting_investigation[number]))
        officer_hours = (staff_hours([(code, "officers")], e)
                         + _int(SCALE * e * hours * (s.factors["covert_online"] - 1))
                         * trainees[(CourseKind.COVERT_ONLINE, code)]
                         - sum(_int(SCALE * longest_course[k] * s.person_hours_per_day)
                               * trainees[(k, code)] for k in STATE_COURSES))
        lead = s.officer_hours + s.raid_prob * s.raid_hours
        model.Add(_int(SCALE * lead) * actioned[code] <= officer_hours)
        model.Add(_int(SCALE * (lead + s.casework_hours)) * actioned[code]
                  <= officer_hours + staff_hours([(code, "lower_ranks")], e))

    # --- money ------------------------------------------------------------------------------
    years = scenario.horizon_days / 365.25
    lag_years = years * (1 - s.new_post_share)
    costs = settings.post_costs
    salary = {"officers": costs.officer_rm_per_year.value,
              "lower_ranks": costs.lower_rank_rm_per_year.value}
    prices = {(o.course, o.delivery): o.cost_per_place_rm.value for o in settings.courses}
    months = years * 12
    extra_campaigns = {}
    for code in STATE_CODES:
        extra_campaigns[code] = model.NewIntVar(0, settings.max_campaigns_per_state,
                                                f"extra_campaigns[{code}]")
        model.Add(extra_campaigns[code] >= campaigns[code]
                  - scenario.states[code].campaigns_per_year)
    cost = (sum(_int(salary[r] * (years - lag_years) + costs.new_post_one_off_rm.value) * new[r]
                for r in STATE_GROUPS)
            + _int(costs.relocation_one_off_rm.value) * moved
            + sum(_int(prices[key]) * var for key, var in places.items())
            + sum(_int(tier.install_rm + tier.monthly_rm * months) * y
                  for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
            + sum(_int(years * settings.campaign_cost_rm.value) * v
                  for v in extra_campaigns.values()))
    budget = settings.budget_rm if budget_rm is None else budget_rm
    model.Add(cost <= _int(budget)).OnlyEnforceIf(switches["budget"])

    # --- the planner's bounds on named levers ---------------------------------------------------
    levers = _lever_variables(posts, places, campaigns, tiers, settings, current_mbps)
    for name, bound in bounds.items():
        if name not in levers:
            raise KeyError(name)
        expression = levers[name]
        if bound.min is not None:
            model.Add(expression >= _int(bound.min)).OnlyEnforceIf(switches["lever_bounds"])
        if bound.max is not None:
            model.Add(expression <= _int(bound.max)).OnlyEnforceIf(switches["lever_bounds"])

    if target is not None:
        model.Add(all_actioned >= math.ceil(target)).OnlyEnforceIf(switches["target"])
        model.Minimize(cost)
    else:
        # Actioned tip-offs first; among plans that action as many, the one that downloads
        # the most (fewer lapses), so a tie never costs downloads for nothing.
        model.Maximize(PRIMARY_WEIGHT * all_actioned + downloaded)
    model.AddAssumptions(list(switches.values()))
    flows = {"selected": selected, "downloaded": downloaded, "reviewed_new": reviewed_new,
             "reviewed_backlog": reviewed_old}
    return _Model(model, posts, places, trainees, tiers, campaigns, actioned, cost, switches,
                  flows)


def lever_names(scenario: Scenario) -> list[str]:
    """Every lever a planner can bound under ``optimise.bounds``."""
    settings = scenario.optimise
    names = [f"posts_{g}.{c}" for c in STATE_CODES for g in STATE_GROUPS]
    names += [f"posts_{g.replace('.', '_')}.hq" for g in HQ_GROUPS]
    names += [f"training.{o.course.value}.{o.delivery.value}"
              for o in (settings.courses if settings else ())]
    names += ["bandwidth_mbps.hq"] + [f"campaigns_per_year.{c}" for c in STATE_CODES]
    return names


def _lever_variables(posts, places, campaigns, tiers, settings, current_mbps):
    levers = {f"posts_{g}.{c}": posts[(c, g)] for c in STATE_CODES for g in STATE_GROUPS}
    levers |= {f"posts_{g.replace('.', '_')}.hq": posts[(HQ, g)] for g in HQ_GROUPS}
    levers |= {f"training.{k.value}.{d.value}": v for (k, d), v in places.items()}
    levers["bandwidth_mbps.hq"] = _int(current_mbps) + sum(
        _int(tier.mbps - current_mbps) * y
        for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
    levers |= {f"campaigns_per_year.{c}": v for c, v in campaigns.items()}
    return levers


def solve(scenario: Scenario, surrogate: Surrogate, name: str = "optimised",
          budget_rm: float | None = None, target: float | None = None) -> Plan:
    """Solve the allocation; an infeasible one raises :class:`InfeasiblePlan`."""
    settings = scenario.optimise
    if settings is None:
        raise ValueError("the scenario has no optimise section")
    built = build(scenario, surrogate, budget_rm, target)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    solver.parameters.num_workers = settings.solver_workers
    solver.parameters.random_seed = scenario.seed % (2**31)
    started = time.perf_counter()
    status = solver.Solve(built.model)
    seconds = time.perf_counter() - started
    if status == cp_model.INFEASIBLE:
        core = [group for group, switch in built.switches.items()
                if switch.Index() in set(solver.SufficientAssumptionsForInfeasibility())]
        raise InfeasiblePlan(core or list(CONSTRAINT_GROUPS))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError(
            f"no plan found within optimise.time_limit_seconds = {settings.time_limit_seconds:g} s;"
            " raise it")
    actioned = float(sum(solver.Value(v) for v in built.actioned.values()))
    if target is None:
        bound = math.floor(solver.BestObjectiveBound() / PRIMARY_WEIGHT)
        label = "optimal" if status == cp_model.OPTIMAL else \
            f"feasible, time limit reached (gap {abs(bound - actioned) / max(bound, 1):.1%})"
    else:
        bound = actioned
        label = "optimal (cheapest)" if status == cp_model.OPTIMAL else \
            "feasible, time limit reached (cheaper plans may exist)"
    tier = None
    for option, chosen in zip(settings.bandwidth_tiers, built.tiers, strict=True):
        if solver.Value(chosen):
            tier = option
    flows = {"selected": solver.Value(built.flows["selected"]),
             "downloaded": solver.Value(built.flows["downloaded"]),
             "reviewed": solver.Value(built.flows["reviewed_new"])
             + solver.Value(built.flows["reviewed_backlog"])}
    flows |= {f"actioned.{code}": solver.Value(v) for code, v in built.actioned.items()}
    return Plan(
        name=name,
        flows={key: float(value) for key, value in flows.items()},
        posts={key: int(solver.Value(var)) for key, var in built.posts.items()},
        course_places={key: int(solver.Value(var)) for key, var in built.places.items()},
        trainees={key: int(solver.Value(var)) for key, var in built.trainees.items()
                  if key[1] != HQ},
        bandwidth_tier=tier,
        campaigns={code: int(solver.Value(var)) for code, var in built.campaigns.items()},
        status=label,
        surrogate_actioned=actioned,
        bound=float(bound),
        solve_seconds=seconds,
    )


def surrogate_value(scenario: Scenario, surrogate: Surrogate, plan: Plan) -> float:
    """What the surrogate promises for a given plan (all levers fixed to the plan's)."""
    settings = scenario.optimise
    assert settings is not None
    fixed = dict(settings.bounds)
    for (site, group), value in plan.posts.items():
        name = f"posts_{group.replace('.', '_')}.{site}"
        fixed[name] = LeverBounds(min=value, max=value)
    for (kind, delivery), value in plan.course_places.items():
        fixed[f"training.{kind.value}.{delivery.value}"] = LeverBounds(min=value, max=value)
    for code, value in plan.campaigns.items():
        fixed[f"campaigns_per_year.{code}"] = LeverBounds(min=value, max=value)
    tiers = settings.bandwidth_tiers
    mbps = scenario.download.bandwidth_mbps.value
    if plan.bandwidth_tier is not None:
        mbps = plan.bandwidth_tier.mbps
        if plan.bandwidth_tier not in tiers:  # a what-if line, e.g. 100 Mbps more
            tiers = (*tiers, plan.bandwidth_tier)
    fixed["bandwidth_mbps.hq"] = LeverBounds(min=mbps, max=mbps)
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
