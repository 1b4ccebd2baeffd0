"""Infeasible constraints, explained in a planner's terms: which ones, by how much.

The arithmetic checks below catch the usual conflicts before the solver runs
and say them with the numbers (14 states x 5 posts = 70 > 56 posts).  Anything
they miss, the solver's own infeasibility core names by constraint group.
"""

from __future__ import annotations

import pandas as pd

from model.optimise_schema import Optimise
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.allocation import (
    CONSTRAINT_GROUPS,
    InfeasiblePlan,
    Request,
    lever_names,
    solve,
    state_post_bounds,
)
from solvers.budget import recurring_rate_rm
from solvers.costs import price_list
from solvers.plan import current_posts, plan_costs
from solvers.surrogate import Surrogate, build_surrogate

BUDGET_GROUPS = frozenset({"budget_one_off", "budget_annual"})


def conflicts(scenario: Scenario) -> list[str]:
    """Plain sentences for each conflict found by arithmetic.

    Parameters
    ----------
    scenario : Scenario
        The scenario whose ``optimise`` settings are checked.

    Returns
    -------
    list of str
        One sentence per conflict, with its numbers; empty when none is found (or the
        scenario has nothing to optimise).
    """
    settings = scenario.optimise
    if settings is None:
        return []
    found = _state_conflicts(settings)
    minimum = {code: state_post_bounds(settings, code)[0] for code in STATE_CODES}
    hq_minimum = settings.hq_posts.min or 0
    state_minimum = sum(max(minimum[c], settings.min_officers_per_state) for c in STATE_CODES)
    found += _total_posts_conflicts(settings, minimum, state_minimum, hq_minimum)
    if settings.hq_posts.max is not None and settings.hq_posts.min is not None \
            and settings.hq_posts.min > settings.hq_posts.max:
        found.append("optimise.hq_posts.min is above optimise.hq_posts.max")
    found += _unknown_lever_conflicts(scenario, settings)
    found += _budget_conflicts(scenario, settings, state_minimum + hq_minimum)
    return found


def _state_conflicts(settings: Optimise) -> list[str]:
    found = []
    if settings.min_posts_per_state > settings.max_posts_per_state:
        found.append(f"every state must have at least {settings.min_posts_per_state} posts "
                     f"(optimise.min_posts_per_state) and at most "
                     f"{settings.max_posts_per_state} (optimise.max_posts_per_state)")
    for code in STATE_CODES:
        minimum, maximum = state_post_bounds(settings, code)
        if minimum > maximum and code in settings.state_posts:
            found.append(f"{code} must have at least {minimum:g} posts and at most "
                         f"{maximum:g} (optimise.state_posts.{code}); lower its minimum "
                         "or raise its maximum")
        if settings.min_officers_per_state > maximum:
            found.append(f"{code} needs {settings.min_officers_per_state} officer(s) "
                         f"(optimise.min_officers_per_state) but may have at most "
                         f"{maximum:g} posts")
    return found


def _total_posts_conflicts(settings: Optimise, minimum: dict[str, float],
                           state_minimum: float, hq_minimum: float) -> list[str]:
    if state_minimum + hq_minimum <= settings.max_total_posts:
        return []
    uniform = len({minimum[c] for c in STATE_CODES}) == 1 and \
        settings.min_officers_per_state <= settings.min_posts_per_state
    how = (f"14 states x {settings.min_posts_per_state} posts = {state_minimum}"
           if uniform and not settings.state_posts
           else f"the states' minimums add up to {state_minimum:g} posts")
    if hq_minimum:
        how += f", plus HQ's minimum of {hq_minimum:g}"
    return [f"{how} > {settings.max_total_posts} posts (optimise.max_total_posts); "
            "lower optimise.min_posts_per_state or raise optimise.max_total_posts"]


def _unknown_lever_conflicts(scenario: Scenario, settings: Optimise) -> list[str]:
    known = set(lever_names(scenario))
    return [f"optimise.bounds names '{name}', which is not a lever; levers look "
            "like posts_officers.SGR, training.digital_forensics.local, "
            "bandwidth_mbps.hq, campaigns_per_year.KTN"
            for name in settings.bounds if name not in known]


def _budget_conflicts(scenario: Scenario, settings: Optimise,
                      minimum_posts: float) -> list[str]:
    """Posts beyond today's establishment cost money: the minimum alone may exceed the budget.

    The cheapest new posts (lower ranks') are priced as the solver prices them: their
    set-up against the one-off envelope, their salaries a year against the annual ceiling
    (unless recurring costs may draw on the envelope).
    """
    today = sum(current_posts(scenario).values())
    forced_new = int(max(minimum_posts - today, 0))
    if not forced_new:
        return []
    prices = price_list(scenario)
    budget = settings.budget
    set_up = forced_new * prices.set_up_rm
    salaries = forced_new * prices.salary_rm_per_year["lower_ranks"]
    found = []
    if budget.recurring_from_one_off:
        total = set_up + prices.salaries_cost_rm("lower_ranks", forced_new)
        ceilings = sum(prices.ceiling_rm(year, budget.annual_rm) for year in prices.years)
        if total > budget.one_off_rm + ceilings:
            found.append(f"the minimum posts need {forced_new} new posts, costing at least "
                         f"RM{total:,.0f} over the horizon > the one-off RM"
                         f"{budget.one_off_rm:,.0f} and the annual ceilings RM{ceilings:,.0f} "
                         "(optimise.budget); lower the minimum posts or raise the budget")
        return found
    if set_up > budget.one_off_rm:
        found.append(f"the minimum posts need {forced_new} new posts, whose set-up costs at "
                     f"least RM{set_up:,.0f} > RM{budget.one_off_rm:,.0f} "
                     "(optimise.budget.one_off_rm); lower the minimum posts or raise it")
    if salaries > budget.annual_rm:
        found.append(f"the minimum posts need {forced_new} new posts, whose salaries cost at "
                     f"least RM{salaries:,.0f} a year > RM{budget.annual_rm:,.0f} "
                     "(optimise.budget.annual_rm); lower the minimum posts or raise it")
    return found


def floor_cost(scenario: Scenario, surrogate: Surrogate | None = None) -> str:
    """What reaching the service levels would cost: the cheapest plan, the budget lifted.

    Parameters
    ----------
    scenario : Scenario
        The optimisation whose floors the budget cannot reach.
    surrogate : Surrogate, optional
        The pipeline's capacities (read from the scenario if not given).

    Returns
    -------
    str
        The cheapest plan's one-off money and recurring money a year, or that no plan
        within the other constraints reaches the floors.
    """
    surrogate = surrogate or build_surrogate(scenario)
    try:
        cheapest = solve(scenario, surrogate, name="cheapest meeting the floors",
                         request=Request(cheapest=True, lifted=BUDGET_GROUPS))
    except InfeasiblePlan:
        return ("no plan within the other constraints reaches the service levels, whatever "
                "the money; lower a floor (optimise.service_levels) or relax a bound")
    except TimeoutError:
        return "no plan reaching the service levels was found in the time allowed"
    rows = plan_costs(scenario, cheapest)
    one_off = sum(row["one_off_rm"] for row in rows)
    rate = recurring_rate_rm(pd.DataFrame(rows), scenario.end_date)
    return (f"reaching the service levels needs at least RM{one_off:,.0f} one-off and "
            f"RM{rate:,.0f} a year recurring (the cheapest plan meeting them, the budget "
            "lifted); raise optimise.budget or lower a floor")


def describe_core(groups: list[str], scenario: Scenario | None = None) -> str:
    """The solver's infeasible core as sentences.

    With the scenario, a core that names the service levels also says what reaching them
    would cost (:func:`floor_cost`).
    """
    named = [CONSTRAINT_GROUPS.get(group, group) for group in groups]
    text = "these constraints cannot all hold together: " + "; ".join(named)
    if scenario is not None and "service_levels" in groups:
        text += "; " + floor_cost(scenario)
    return text
