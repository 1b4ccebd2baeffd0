"""Comparator scenarios: another proposal's establishment, costed and simulated as a plan.

``optimise.comparators`` names scenario files (relative to the optimisation scenario's
folder), e.g. the unit head's own proposal.  Each one's posts (after its dated changes)
become a plan: a post a site gains over today's is created in the year its change is
dated (the first year if undated or earlier); campaigns stay today's; no courses, no
line, no tools.  The plan is priced with the optimisation's price list and simulated
beside the chosen plan with common random numbers; it is never chosen.
"""

from __future__ import annotations

from pathlib import Path

from model.loading import load_scenario
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.plan import Plan, PostKey, current_posts, final_posts, post_groups


def establishment_plan(scenario: Scenario, other: Scenario, name: str) -> Plan:
    """Another scenario's establishment as a plan for ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The optimisation scenario (today's posts and campaigns, the horizon).
    other : Scenario
        The comparator: its posts and dated changes.
    name : str
        The plan's name.

    Returns
    -------
    Plan
        Posts after the comparator's changes, with each gain over today's dated to the
        calendar year of the change that creates it.
    """
    today = current_posts(scenario)
    first = scenario.start_date.year
    last = scenario.end_date.year
    posts: dict[PostKey, int] = {}
    phasing: dict[PostKey, dict[int, int]] = {}
    for key, group in post_groups(other).items():
        posts[key] = final_posts(group)
        gain = max(posts[key] - today[key], 0)
        later: dict[int, int] = {}
        count = group.posts
        for change in group.changes:
            year = min(max(change.date.year, first), last)
            if year > first:
                later[year] = later.get(year, 0) + change.posts - count
            count = change.posts
        # gains the comparator dates later, at most the gain over today
        dated, left = {}, gain
        for year in sorted(later, reverse=True):
            dated[year] = min(later[year], left)
            left -= dated[year]
        if gain:
            phasing[key] = {year: n for year, n in {first: left, **dated}.items() if n}
    return Plan(name, posts, phasing=phasing,
                campaigns={c: scenario.states[c].campaigns_per_year for c in STATE_CODES},
                status="comparator")


def comparator_plans(scenario: Scenario, base_folder: Path | None) -> dict[str, Plan]:
    """Every comparator of ``optimise.comparators`` as a plan, by name.

    Raises
    ------
    ValueError
        If comparators are named but ``base_folder`` (where to read them) is not given.
    """
    settings = scenario.optimise
    if settings is None or not settings.comparators:
        return {}
    if base_folder is None:
        raise ValueError("optimise.comparators are read relative to the optimisation "
                         "scenario's folder: pass base_folder")
    return {name: establishment_plan(scenario, load_scenario(base_folder / path), name)
            for name, path in settings.comparators.items()}
