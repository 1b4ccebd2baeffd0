"""What an optimisation run records: its tables, its ``run.json`` entry and its summary.

The optimise-and-verify loop (``solvers/loop.py``) returns an ``Outcome``; this module
turns it into the frames the run folder holds (plan, rounds, alternatives) and the
lines the command prints, so that the command line only wires.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.experiments.comparisons import whole_horizon_summary
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from solvers.loop import Outcome, Round
from solvers.plan import HQ, PLAN_COLUMNS, apply_plan

ROUNDS_COLUMNS = ["round", "surrogate_actioned", "simulated_actioned", "ci_low", "ci_high",
                  "gap_share", "solver_status", "solve_seconds"]
CHOSEN = "optimised"
"""The name the chosen plan's results carry among the options."""


def plan_table(outcome: Outcome) -> pd.DataFrame:
    """``plan.csv``: what the plan sets, what it pays for and when, and its cost by year.

    The columns are ``solvers.plan.PLAN_COLUMNS`` and then ``cost_<year>_rm`` for each
    calendar year of the horizon, as ``solvers.plan.plan_costs`` writes them.
    """
    years = [column for column in outcome.costs.columns if column not in PLAN_COLUMNS]
    return outcome.costs[[*PLAN_COLUMNS, *years]]


def total_cost_rm(outcome: Outcome) -> float:
    """The plan's spending over the horizon."""
    return float(outcome.costs.cost_rm.sum())


def rounds_table(rounds: list[Round]) -> pd.DataFrame:
    """One row per optimise-and-verify round: the surrogate's promise against the simulation."""
    return pd.DataFrame([{
        "round": r.number, "surrogate_actioned": r.promised, "simulated_actioned": r.simulated,
        "ci_low": r.ci_low, "ci_high": r.ci_high, "gap_share": r.gap_share,
        "solver_status": r.plan.status, "solve_seconds": r.plan.solve_seconds,
    } for r in rounds], columns=ROUNDS_COLUMNS)


def alternatives(outcome: Outcome) -> dict[str, pd.DataFrame]:
    """Each alternative's whole-horizon summary, by option name."""
    return {name: whole_horizon_summary(results)
            for name, results in outcome.results.items() if name != CHOSEN}


def plan_record(outcome: Outcome, scenario: Scenario) -> dict[str, Any]:
    """The ``run.json`` entries of an optimisation: the plan's scenario and its figures."""
    plan = outcome.plan
    return {
        # the results are the plan's: record the scenario that carries it out, for the report
        "plan_scenario": apply_plan(scenario, plan).model_dump(mode="json"),
        "plan": {
            "status": plan.status, "optimality_gap": plan.gap, "stable": outcome.stable,
            "rounds": len(outcome.rounds), "solve_seconds": round(plan.solve_seconds, 3),
            "surrogate_actioned": plan.surrogate_actioned,
            "total_cost_rm": round(total_cost_rm(outcome), 2),
            "budget_rm": scenario.optimise.budget_rm if scenario.optimise else None,
            "total_posts": plan.total_posts(),
        },
    }


def plan_summary(outcome: Outcome, scenario: Scenario) -> str:
    """The lines an optimisation prints: the plan, its gain with intervals, the rounds."""
    plan = outcome.plan
    budget = scenario.optimise.budget_rm if scenario.optimise else float("nan")
    lines = [f"plan ({plan.status}; {'stable' if outcome.stable else 'not stable'} after "
             f"{len(outcome.rounds)} round(s)): {plan.total_posts()} posts, "
             f"RM{total_cost_rm(outcome):,.0f} of RM{budget:,.0f}"]
    states = ", ".join(f"{code} {plan.posts[(code, 'officers')]}+"
                       f"{plan.posts[(code, 'lower_ranks')]}" for code in STATE_CODES)
    hq = sum(v for (site, _), v in plan.posts.items() if site == HQ)
    lines.append(f"  posts (officers+lower ranks): HQ {hq}; {states}")
    places = {f"{k.value}/{d.value}": v for (k, d), v in plan.course_places.items() if v}
    lines.append(f"  course places: {places or 'none'}")
    tier = plan.bandwidth_tier
    lines.append(f"  HQ line: {tier.mbps:g} Mbps" if tier else "  HQ line: unchanged")
    for row in outcome.paired[outcome.paired.metric == "actioned"].itertuples():
        lines.append(f"  actioned, {CHOSEN} - {row.option_b}: {row.mean_diff:+,.0f} "
                     f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}] tip-offs")
    for r in outcome.rounds:
        lines.append(f"  round {r.number}: surrogate {r.promised:,.0f}, simulated "
                     f"{r.simulated:,.0f} (gap {r.gap_share:+.1%})")
    return "\n".join(lines)
