"""Binding constraints: what relaxing each planner constraint by one unit would gain.

For each constraint a planner set (the total posts cap, the one-off budget, the annual
ceiling, each state's maximum and minimum, HQ's bounds, the officers' share, the line's
tier menu, each service level) the model is solved again with that constraint relaxed by
one unit: one post, RM1 million, one line tier (a tier beyond the largest on offer, priced
by extrapolating the provider's tiers), a service level's floor lowered by 0.01 of its
value.  The gain in the surrogate's objective is the constraint's shadow value (0: not
binding).  Posts constraints not at their bound are not re-solved (their shadow value is
0 in the continuous sense; on integers a gain would need a plan one post beyond it); the
budget and service levels always are.  The three largest gains are simulated against the
plan with common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.experiments.replications import Replications, interval, run_replications
from model.metrics import HQ
from model.optimise_schema import BandwidthTier, LeverBounds
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from model.tables import BINDING
from solvers.allocation import (
    InfeasiblePlan,
    Request,
    floor_key,
    floor_value,
    solve,
    state_post_bounds,
)
from solvers.budget import budget_table
from solvers.plan import Plan, apply_plan, plan_costs
from solvers.service import objective_values
from solvers.settings import optimise_settings
from solvers.surrogate import Surrogate

BINDING_COLUMNS = BINDING.column_list
"""The columns of ``binding.csv`` (``model.tables.BINDING``)."""
CHECKED = 3
"""How many of the largest shadow values are checked in the simulation."""
RINGGIT_STEP = 1_000_000.0
FLOOR_STEP = 0.01


@dataclass(frozen=True)
class Relaxation:
    """One planner constraint, its bound, and the scenario with it relaxed by one unit."""

    constraint: str
    unit: str
    bound: float
    relaxed: Scenario
    at_bound: bool


def _posts_relaxations(scenario: Scenario, plan: Plan) -> list[Relaxation]:
    settings = optimise_settings(scenario)

    def varied(**update: object) -> Scenario:
        return scenario.model_copy(update={"optimise": settings.model_copy(update=update)})

    found = [Relaxation("max_total_posts", "posts", settings.max_total_posts,
                        varied(max_total_posts=settings.max_total_posts + 1),
                        plan.total_posts() >= settings.max_total_posts)]
    for code in STATE_CODES:
        low, high = state_post_bounds(settings, code)
        total = plan.posts[(code, "officers")] + plan.posts[(code, "lower_ranks")]
        found.append(Relaxation(f"state_max.{code}", "posts", high, varied(state_posts={
            **settings.state_posts, code: LeverBounds(min=low, max=high + 1)}), total >= high))
        if low > 0:
            found.append(Relaxation(f"state_min.{code}", "posts", low, varied(state_posts={
                **settings.state_posts, code: LeverBounds(min=low - 1, max=high)}),
                total <= low))
    hq = sum(v for (site, _), v in plan.posts.items() if site == HQ)
    bounds = settings.hq_posts
    if bounds.min:
        found.append(Relaxation("hq_posts.min", "posts", bounds.min, varied(
            hq_posts=LeverBounds(min=bounds.min - 1, max=bounds.max)), hq <= bounds.min))
    if bounds.max is not None:
        found.append(Relaxation("hq_posts.max", "posts", bounds.max, varied(
            hq_posts=LeverBounds(min=bounds.min, max=bounds.max + 1)), hq >= bounds.max))
    if settings.min_officer_share > 0:
        total = max(plan.total_posts(), 1)
        officers = sum(v for (_, g), v in plan.posts.items() if g.endswith("officers"))
        found.append(Relaxation(
            "min_officer_share", "one post's share", settings.min_officer_share,
            varied(min_officer_share=max(settings.min_officer_share - 1 / total, 0.0)),
            officers < settings.min_officer_share * total + 1))
    return found


def next_tier(tiers: tuple[BandwidthTier, ...]) -> BandwidthTier | None:
    """One tier beyond the largest on offer: the last step's ratio, its prices extrapolated."""
    if len(tiers) < 2:
        return None
    ordered = sorted(tiers, key=lambda tier: tier.mbps)
    last, before = ordered[-1], ordered[-2]
    ratio = last.mbps / before.mbps
    monthly = last.monthly_rm + (last.monthly_rm - before.monthly_rm) * (ratio - 1) * \
        last.mbps / (last.mbps - before.mbps) / ratio
    return BandwidthTier(mbps=last.mbps * ratio, install_rm=last.install_rm,
                         monthly_rm=monthly, source="what-if: one tier beyond the largest, "
                         "its rent extrapolated from the provider's last two tiers")


def relaxations(scenario: Scenario, plan: Plan,
                reference: dict[str, float]) -> list[Relaxation]:
    """Every planner constraint the plan is subject to, relaxed by one unit.

    ``at_bound`` says whether the plan stands at it: posts at their bound; money with less
    left than the cheapest thing it buys; a service level the surrogate keeps within
    0.01 of its floor (``reference``: what relative floors are fractions of).
    """
    settings = optimise_settings(scenario)
    budget = settings.budget

    def varied(**update: object) -> Scenario:
        return scenario.model_copy(update={"optimise": settings.model_copy(update=update)})

    found = _posts_relaxations(scenario, plan)
    money = budget_table(scenario, pd.DataFrame(plan_costs(scenario, plan)))
    inside = money[~money.beyond_horizon.astype(bool)]
    # money is at its bound where less than the cheapest thing it buys is left: a new
    # post's set-up (one-off), a lower rank's salary (a year)
    set_up, salary = _cheapest_units(scenario)
    one_off_left = budget.one_off_rm - float(inside.one_off_rm.sum())
    annual_left = float((inside.recurring_ceiling_rm - inside.recurring_rm).min())
    found.append(Relaxation("budget.one_off_rm", "RM", budget.one_off_rm, varied(
        budget=budget.model_copy(update={"one_off_rm": budget.one_off_rm + RINGGIT_STEP})),
        one_off_left < set_up))
    found.append(Relaxation("budget.annual_rm", "RM a year", budget.annual_rm, varied(
        budget=budget.model_copy(update={"annual_rm": budget.annual_rm + RINGGIT_STEP})),
        annual_left < salary))
    tier = next_tier(settings.bandwidth_tiers)
    if tier is not None:
        largest = max(settings.bandwidth_tiers, key=lambda t: t.mbps)
        found.append(Relaxation("bandwidth_tiers", "line tier", largest.mbps, varied(
            bandwidth_tiers=(*settings.bandwidth_tiers, tier)),
            plan.bandwidth_tier == largest))
    for number, level in enumerate(settings.service_levels):
        step = FLOOR_STEP if level.relative_to or level.floor <= 1 else FLOOR_STEP * level.floor
        levels = list(settings.service_levels)
        levels[number] = level.model_copy(update={"floor": max(level.floor - step, 0.0)})
        value = plan.outcomes.get(floor_key(level), float("nan"))  # the surrogate's
        wanted = floor_value(level, reference)
        found.append(Relaxation(f"service_levels.{floor_key(level)}",
                                "0.01 of the floor", level.floor,
                                varied(service_levels=tuple(levels)),
                                not value > wanted * (1 + FLOOR_STEP)))
    return found


def _cheapest_units(scenario: Scenario) -> tuple[float, float]:
    """The one-off set-up of a new post, and the yearly salary of a lower rank."""
    settings = optimise_settings(scenario)
    costs = settings.post_costs
    return costs.new_post_one_off_rm.value, costs.lower_rank_rm_per_year.value


def shadow_values(scenario: Scenario, surrogate: Surrogate, plan: Plan,
                  reference: dict[str, float]) -> tuple[pd.DataFrame, dict[str, Plan]]:
    """Each constraint at its bound, re-solved relaxed by one unit: its shadow value.

    Returns
    -------
    DataFrame, dict
        ``constraint, unit, bound, shadow_value`` (largest first; the gain in the
        surrogate's objective, never below 0: the plan itself stays feasible), and the
        relaxed plans by constraint.
    """
    rows, plans = [], {}
    for relaxation in relaxations(scenario, plan, reference):
        if not relaxation.at_bound:
            continue
        try:
            relaxed = solve(relaxation.relaxed, surrogate, name=relaxation.constraint,
                            request=Request(reference=reference, hint=plan))
        except (InfeasiblePlan, TimeoutError):
            continue
        plans[relaxation.constraint] = relaxed
        rows.append({"constraint": relaxation.constraint, "unit": relaxation.unit,
                     "bound": relaxation.bound,
                     "shadow_value": max(relaxed.surrogate_objective
                                         - plan.surrogate_objective, 0.0)})
    table = pd.DataFrame(rows, columns=BINDING_COLUMNS[:4])
    table = table.sort_values("shadow_value", ascending=False, kind="stable")
    return table.reset_index(drop=True), plans


def binding_constraints(scenario: Scenario, surrogate: Surrogate, plan: Plan,
                        reference: dict[str, float], base: Replications, replications: int,
                        workers: int, first: int = 0) -> pd.DataFrame:
    """``binding.csv``: constraints at their bound or binding, with their shadow values.

    Parameters
    ----------
    scenario, surrogate, plan
        The optimisation, the surrogate that chose the plan, and the plan.
    reference : dict
        The status quo's outcomes in that surrogate (relative floors stay as they were).
    base : Replications
        The plan's verification replications, numbers ``first`` on (the relaxed plans use
        the same numbers: common random numbers).
    replications, workers : int
        Replications of each check, and processes to run them.

    Returns
    -------
    DataFrame
        :data:`BINDING_COLUMNS`, the largest shadow value first; ``simulated_gain`` and
        its paired interval for the largest :data:`CHECKED` (NaN for the others).
    """
    settings = optimise_settings(scenario)
    table, plans = shadow_values(scenario, surrogate, plan, reference)
    table[["simulated_gain", "ci_low", "ci_high"]] = np.nan
    base_values = objective_values(base, settings.weights)
    for index in table.index[table.shadow_value > 0][:CHECKED]:
        variant = plans[table.at[index, "constraint"]]
        values = objective_values(run_replications(
            apply_plan(scenario, variant), replications, workers, first=first),
            settings.weights)
        table.loc[index, ["simulated_gain", "ci_low", "ci_high"]] = interval(
            values - base_values)
    return table[BINDING_COLUMNS]
