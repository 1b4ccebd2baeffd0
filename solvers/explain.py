"""Infeasible constraints, explained in a planner's terms: which ones, by how much.

The arithmetic checks below catch the usual conflicts before the solver runs
and say them with the numbers (14 states x 5 posts = 70 > 56 posts).  Anything
they miss, the solver's own infeasibility core names by constraint group.
"""

from __future__ import annotations

from model.scenario import STATE_CODES, Scenario
from solvers.allocation import CONSTRAINT_GROUPS, lever_names
from solvers.plan import current_posts


def conflicts(scenario: Scenario) -> list[str]:
    """Plain sentences for each conflict found by arithmetic (empty when none is found)."""
    settings = scenario.optimise
    if settings is None:
        return []
    found: list[str] = []
    minimum, maximum = {}, {}
    if settings.min_posts_per_state > settings.max_posts_per_state:
        found.append(f"every state must have at least {settings.min_posts_per_state} posts "
                     f"(optimise.min_posts_per_state) and at most "
                     f"{settings.max_posts_per_state} (optimise.max_posts_per_state)")
    for code in STATE_CODES:
        own = settings.state_posts.get(code)
        minimum[code] = own.min if own and own.min is not None else settings.min_posts_per_state
        maximum[code] = own.max if own and own.max is not None else settings.max_posts_per_state
        if minimum[code] > maximum[code] and own is not None:
            found.append(f"{code} must have at least {minimum[code]:g} posts and at most "
                         f"{maximum[code]:g} (optimise.state_posts.{code}); lower its minimum "
                         "or raise its maximum")
        if settings.min_officers_per_state > maximum[code]:
            found.append(f"{code} needs {settings.min_officers_per_state} officer(s) "
                         f"(optimise.min_officers_per_state) but may have at most "
                         f"{maximum[code]:g} posts")
    hq_minimum = settings.hq_posts.min or 0
    state_minimum = sum(max(minimum[c], settings.min_officers_per_state) for c in STATE_CODES)
    if state_minimum + hq_minimum > settings.max_total_posts:
        uniform = len({minimum[c] for c in STATE_CODES}) == 1 and \
            settings.min_officers_per_state <= settings.min_posts_per_state
        how = (f"14 states x {settings.min_posts_per_state} posts = {state_minimum}"
               if uniform and not settings.state_posts
               else f"the states' minimums add up to {state_minimum:g} posts")
        if hq_minimum:
            how += f", plus HQ's minimum of {hq_minimum:g}"
        found.append(f"{how} > {settings.max_total_posts} posts (optimise.max_total_posts); "
                     "lower optimise.min_posts_per_state or raise optimise.max_total_posts")
    if settings.hq_posts.max is not None and settings.hq_posts.min is not None \
            and settings.hq_posts.min > settings.hq_posts.max:
        found.append("optimise.hq_posts.min is above optimise.hq_posts.max")
    known = set(lever_names(scenario))
    for name in settings.bounds:
        if name not in known:
            found.append(f"optimise.bounds names '{name}', which is not a lever; levers look "
                         "like posts_officers.SGR, training.digital_forensics.local, "
                         "bandwidth_mbps.hq, campaigns_per_year.KTN")
    # Posts beyond today's establishment cost money: the minimum alone may exceed the budget.
    today = sum(current_posts(scenario).values())
    forced_new = max(state_minimum + hq_minimum - today, 0)
    if forced_new:
        years = scenario.horizon_days / 365.25
        lag = min(scenario.staffing.recruitment_lag_days.value / 365.25, years)
        cheapest = settings.post_costs.lower_rank_rm_per_year.value * (years - lag) \
            + settings.post_costs.new_post_one_off_rm.value
        needed = forced_new * cheapest
        if needed > settings.budget_rm:
            found.append(f"the minimum posts need {forced_new} new posts, costing at least "
                         f"RM{needed:,.0f} over the horizon > the budget RM"
                         f"{settings.budget_rm:,.0f} (optimise.budget_rm)")
    return found


def describe_core(groups: list[str]) -> str:
    """The solver's infeasible core as sentences."""
    named = [CONSTRAINT_GROUPS.get(group, group) for group in groups]
    return "these constraints cannot all hold together: " + "; ".join(named)
