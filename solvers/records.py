"""What an optimisation run records: its tables, its ``run.json`` entry and its summary.

The optimisation (``solvers/loop.py``) returns an ``Outcome``; this module turns it into
the frames the run folder holds (plan, budget, frontier, binding, candidates,
certificate, regret, alternatives) and the lines the command prints, so that the command
line only wires.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.experiments.comparisons import whole_horizon_summary
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from model.tables import BINDING, BUDGET, CANDIDATES, CERTIFICATE, FRONTIER, PLAN, REGRET
from solvers.binding import BINDING_COLUMNS
from solvers.budget import BUDGET_COLUMNS, recurring_rate_rm
from solvers.certify import failed_checks
from solvers.frontier import FRONTIER_COLUMNS
from solvers.loop import CHOSEN, Outcome
from solvers.plan import HQ, PLAN_COLUMNS, Plan, apply_plan
from solvers.settings import optimise_settings


def plan_table(outcome: Outcome) -> pd.DataFrame:
    """``plan.csv``: what the plan sets, what it pays for and when, and its cost by year.

    The columns are ``solvers.plan.PLAN_COLUMNS`` and then ``cost_<year>_rm`` for each
    calendar year of the horizon, as ``solvers.plan.plan_costs`` writes them.
    """
    years = [column for column in outcome.costs.columns if column not in PLAN_COLUMNS]
    return outcome.costs[[*PLAN_COLUMNS, *years]]


def budget_frame(outcome: Outcome) -> pd.DataFrame:
    """``budget.csv``: one-off and recurring money by year, liabilities after the horizon."""
    return outcome.budget[BUDGET_COLUMNS]


def frontier_frame(outcome: Outcome) -> pd.DataFrame:
    """``frontier.csv``: each frontier plan's two outcomes simulated, and its cost."""
    return outcome.frontier[FRONTIER_COLUMNS]


def binding_frame(outcome: Outcome) -> pd.DataFrame:
    """``binding.csv``: the constraints at their bound, with their shadow values."""
    return outcome.binding[BINDING_COLUMNS]


def total_cost_rm(outcome: Outcome) -> float:
    """The plan's spending over the horizon."""
    return float(outcome.costs.cost_rm.sum())


def one_off_rm(outcome: Outcome) -> float:
    """The plan's one-off money over the horizon."""
    return float(outcome.costs.one_off_rm.sum())


def recurring_rm_per_year(outcome: Outcome, scenario: Scenario) -> float:
    """The plan's recurring costs a year at the horizon's end."""
    return recurring_rate_rm(outcome.costs, scenario.end_date)


def optimisation_files(outcome: Outcome) -> dict[str, pd.DataFrame]:
    """The files an optimisation adds to the run folder's result files, by file name."""
    frames = {PLAN.file: plan_table(outcome), "paired_diff.csv": outcome.paired,
              BUDGET.file: budget_frame(outcome), FRONTIER.file: frontier_frame(outcome),
              BINDING.file: binding_frame(outcome), CANDIDATES.file: outcome.candidates,
              CERTIFICATE.file: outcome.certificate, REGRET.file: outcome.regret}
    return frames | {f"option_{name}.csv": frame
                     for name, frame in alternatives(outcome).items()}


def alternatives(outcome: Outcome) -> dict[str, pd.DataFrame]:
    """Each alternative's whole-horizon summary, by option name."""
    return {name: whole_horizon_summary(results)
            for name, results in outcome.results.items() if name != CHOSEN}


def service_level_records(outcome: Outcome) -> list[dict[str, Any]]:
    """Each service level: its floor, the value it asks for, and whether the plan met it."""
    return [{"metric": row.metric, "scope": row.scope, "floor": row.floor,
             "relative_to": row.relative_to or None, "floor_value": row.floor_value,
             "met": None if row.met is None else bool(row.met)}
            for row in outcome.service_levels.itertuples(index=False)]


def plan_record(outcome: Outcome, scenario: Scenario) -> dict[str, Any]:
    """The ``run.json`` entries of an optimisation: the plan's scenario and its figures."""
    plan = outcome.plan
    settings = optimise_settings(scenario)
    return {
        # the results are the plan's: record the scenario that carries it out, for the report
        "plan_scenario": apply_plan(scenario, plan).model_dump(mode="json"),
        "plan": {
            "status": plan.status, "optimality_gap": plan.gap,
            "solve_seconds": round(plan.solve_seconds, 3),
            "surrogate_objective": plan.surrogate_objective,
            "surrogate_actioned": plan.surrogate_actioned,
            "total_cost_rm": round(total_cost_rm(outcome), 2),
            "one_off_rm": round(one_off_rm(outcome), 2),
            "recurring_rm_per_year": round(recurring_rm_per_year(outcome, scenario), 2),
            "budget": settings.budget.model_dump(mode="json", exclude={"note"}),
            "objective": settings.weights,
            "service_levels": service_level_records(outcome),
            "total_posts": plan.total_posts(),
            "tooling": dict(plan.tooling),
            "fits_constraints": dict(outcome.fitting),
            "fresh_replications": [outcome.fresh.start, outcome.fresh.stop - 1],
            "certificate": {"passed": not failed_checks(outcome.certificate)
                            if not outcome.certificate.empty else None,
                            "failed": failed_checks(outcome.certificate)
                            if not outcome.certificate.empty else []},
            "most_robust": None if outcome.robust is None else
            _levers_record(outcome.robust, scenario),
            "depends_on": outcome.depends_on,
            "target": None if outcome.target is None else {
                "metric": "actioned", "value": outcome.target.target,
                # the plan reported is the cheapest found that reaches it, if any did
                "reached": outcome.target.reaching is not None,
                "sentence": outcome.target.sentence()},
            "seconds": {name: round(value, 1) for name, value in outcome.seconds.items()},
            "certify_parts": certify_parts(outcome),
        },
    }


def certify_parts(outcome: Outcome) -> dict[str, dict[str, float]]:
    """Where ``certify`` went: each stage's replications and wall time (s), and the rest.

    The rest is everything but simulating: the surrogate's solves, screening candidates
    and the neighbours, and the selection's own arithmetic.
    """
    parts = {stage: {"replications": spent.replications, "seconds": round(spent.seconds, 1)}
             for stage, spent in outcome.spent.items()}
    rest = outcome.seconds.get("certify", 0.0) - sum(s.seconds for s in outcome.spent.values())
    return parts | {"surrogate and the rest": {"replications": 0, "seconds": round(rest, 1)}}


def _levers_record(plan: Plan, scenario: Scenario) -> dict[str, Any]:
    """A plan's levers in brief: posts by site and rank, the line, tools and its cost."""
    return {"name": plan.name, "total_posts": plan.total_posts(),
            "posts": {f"{site}.{group}": n for (site, group), n in plan.posts.items()},
            "line_mbps": plan.bandwidth_tier.mbps if plan.bandwidth_tier else None,
            "tooling": dict(plan.tooling)}


def _objective_text(weights: dict[str, float]) -> str:
    if len(weights) == 1:
        return next(iter(weights))
    return " + ".join(f"{w:g} x {metric}" for metric, w in weights.items())


def plan_summary(outcome: Outcome, scenario: Scenario) -> str:
    """The lines an optimisation prints: objective, floors, money, plan, gains, rounds."""
    plan = outcome.plan
    settings = optimise_settings(scenario)
    budget = settings.budget
    lines = [f"plan ({_verdict(outcome)}), objective: most "
             f"{_objective_text(settings.weights)}; {plan.total_posts()} posts"]
    lines.append(f"  money: RM{one_off_rm(outcome):,.0f} one-off of RM{budget.one_off_rm:,.0f}; "
                 f"RM{recurring_rm_per_year(outcome, scenario):,.0f} a year recurring at the "
                 f"end (ceiling RM{budget.annual_rm:,.0f} a year)")
    for row in outcome.service_levels.itertuples(index=False):
        verdict = "met" if row.met else "NOT met"
        lines.append(f"  floor {row.metric} ({row.scope}) >= {row.floor_value:,.1f}: "
                     f"simulated {row.mean:,.1f} [{row.ci_low:,.1f}, {row.ci_high:,.1f}], "
                     f"{verdict}")
    states = ", ".join(f"{code} {plan.posts[(code, 'officers')]}+"
                       f"{plan.posts[(code, 'lower_ranks')]}" for code in STATE_CODES)
    hq = sum(v for (site, _), v in plan.posts.items() if site == HQ)
    lines.append(f"  posts (officers+lower ranks): HQ {hq}; {states}")
    places = {f"{k.value}/{d.value}": v for (k, d), v in plan.course_places.items() if v}
    lines.append(f"  course places: {places or 'none'}; tools: {plan.tooling or 'none'}")
    tier = plan.bandwidth_tier
    lines.append(f"  HQ line: {tier.mbps:g} Mbps" if tier else "  HQ line: unchanged")
    for metric in settings.weights:
        for row in outcome.paired[outcome.paired.metric == metric].itertuples():
            lines.append(f"  {metric}, {CHOSEN} - {row.option_b}: {row.mean_diff:+,.0f} "
                         f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}]")
    lines.extend(_certificate_lines(outcome))
    return "\n".join(lines)


def _verdict(outcome: Outcome) -> str:
    """The plan's standing in a few words: certified, or which check it failed."""
    if outcome.target is not None:
        return outcome.target.sentence()
    failed = failed_checks(outcome.certificate)
    return "certified: every check passed" if not failed else \
        "NOT certified: failed " + ", ".join(failed)


def _certificate_lines(outcome: Outcome) -> list[str]:
    lines = []
    for row in outcome.certificate.itertuples(index=False):
        lines.append(f"  {'passed' if row.passed else 'FAILED'}: {row.check} = "
                     f"{row.value:,.3g} (threshold {row.threshold:,.3g}); {row.note}")
    if outcome.robust is not None:
        lines.append(f"  the plan with the smallest worst regret differs: {outcome.depends_on}")
    return lines
