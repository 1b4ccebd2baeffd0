"""The frontier between two outcomes: plans from the most of x to the most of y.

``optimise.frontier`` names x and y.  The end points maximise one outcome, then the
other without giving any of the first up; between them, each point maximises x subject
to y at least a level evenly spaced between the ends (and then y without giving up x).
Every point keeps the scenario's constraints except the service levels on x and y.  So,
solved to optimality, x never rises as y rises: the points are Pareto-ordered in the
surrogate.  Each plan is verified in the simulation (common random numbers).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from model.experiments.replications import interval, run_replications
from model.metrics import METRIC_UNITS
from model.scenario import Scenario
from model.tables import FRONTIER
from solvers.allocation import Floor, InfeasiblePlan, Request, solve
from solvers.plan import Plan, apply_plan, plan_cost_rm
from solvers.settings import optimise_settings
from solvers.surrogate import Surrogate

FRONTIER_COLUMNS = FRONTIER.column_list
"""The columns of ``frontier.csv``."""
COST = "cost_rm"


def _without_floors_on(scenario: Scenario, metrics: tuple[str, str]) -> Scenario:
    settings = optimise_settings(scenario)
    kept = tuple(level for level in settings.service_levels if level.metric not in metrics)
    return scenario.model_copy(update={"optimise": settings.model_copy(
        update={"service_levels": kept})})


def _lexicographic(scenario: Scenario, surrogate: Surrogate, reference: dict[str, float],
                   first: str, second: str, floors: tuple[Floor, ...], name: str,
                   hint: Plan | None = None) -> Plan:
    """The most of ``first``; then, keeping it, the most of ``second``."""
    best = solve(scenario, surrogate, name=name,
                 request=Request(weights={first: 1.0}, floors=floors, reference=reference,
                                 hint=hint))
    keep = (*floors, Floor(first, best.outcomes[first]))
    try:
        return solve(scenario, surrogate, name=name, request=Request(
            weights={second: 1.0}, floors=keep, reference=reference, hint=best))
    except (TimeoutError, InfeasiblePlan):
        # the search had no time, or the floor is out of reach: the first plan's value was
        # read with its levers fixed and the constraint groups lifted (``_with_outcomes``),
        # which a flow floor such as a within-target share can hold below
        return best


def frontier_plans(scenario: Scenario, surrogate: Surrogate,
                   reference: dict[str, float], hint: Plan | None = None) -> list[Plan]:
    """The frontier's plans, the most of x first and the most of y last.

    Parameters
    ----------
    scenario : Scenario
        The optimisation (its ``optimise.frontier_axes`` and ``points``).
    surrogate : Surrogate
        The pipeline's capacities.
    reference : dict
        The status quo's outcomes (relative floors on other outcomes).
    hint : Plan, optional
        Where each search starts (the chosen plan: it keeps the constraints).

    Returns
    -------
    list of Plan
        At most ``points`` plans, y rising: fewer where a level's plan falls short of
        another's on both outcomes (a search stopped at its work limit).
    """
    settings = optimise_settings(scenario)
    axes = settings.frontier_axes
    x, y = axes.x, axes.y
    free = _without_floors_on(scenario, (x, y))
    most_x = _lexicographic(free, surrogate, reference, x, y, (), "frontier 1", hint)
    most_y = _lexicographic(free, surrogate, reference, y, x, (), f"frontier {axes.points}",
                            hint)
    low, high = most_x.outcomes[y], most_y.outcomes[y]
    plans = [most_x]
    for number, level in enumerate(np.linspace(low, high, axes.points)[1:-1], start=2):
        # each search starts from the plan with the most y, which keeps every level's floor
        plans.append(_lexicographic(free, surrogate, reference, x, y,
                                    (Floor(y, float(level)),), f"frontier {number}", most_y))
    plans.append(most_y)
    return _pareto(plans, x, y)


def _pareto(plans: list[Plan], x: str, y: str) -> list[Plan]:
    """The plans no other matches on both outcomes and beats on one; y rising, renumbered.

    A search stopped at its work limit can leave a level's plan short of a neighbour's
    on both outcomes; such a plan is not on the frontier and is not shown as if it were.
    """
    def both(plan: Plan) -> tuple[float, float]:
        return plan.outcomes[x], plan.outcomes[y]

    kept = [plan for plan in plans if not any(
        both(other) != both(plan) and all(a >= b for a, b in zip(both(other), both(plan),
                                                                    strict=True))
        for other in plans)]
    ordered = sorted(kept, key=lambda plan: (plan.outcomes[y], -plan.outcomes[x]))
    return [replace(plan, name=f"frontier {number}") for number, plan in
            enumerate(ordered, start=1)]


def frontier_table(scenario: Scenario, surrogate: Surrogate, reference: dict[str, float],
                   replications: int, workers: int, hint: Plan | None = None) -> pd.DataFrame:
    """``frontier.csv``: each point's x and y simulated (mean, 95 % interval) and its cost.

    Every point's replications use the same seeds (common random numbers).
    """
    settings = optimise_settings(scenario)
    axes = settings.frontier_axes
    rows = []
    for point, plan in enumerate(frontier_plans(scenario, surrogate, reference, hint),
                                 start=1):
        results = run_replications(apply_plan(scenario, plan), replications, workers)
        for outcome in (axes.x, axes.y):
            mean, low, high = interval(results.national(outcome))
            rows.append({"point": point, "plan": plan.name, "outcome": outcome,
                         "unit": METRIC_UNITS.get(outcome, ""), "mean": mean,
                         "ci_low": low, "ci_high": high})
        cost = plan_cost_rm(scenario, plan)
        rows.append({"point": point, "plan": plan.name, "outcome": COST, "unit": "RM",
                     "mean": cost, "ci_low": cost, "ci_high": cost})
    return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)
