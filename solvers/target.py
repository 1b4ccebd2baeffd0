"""Reverse mode: the cheapest plan whose simulated actioned tip-offs reach a target.

The surrogate's cheapest plan for the target is checked in the simulation on fresh
replications.  It reaches the target only if the lower end of its 95 % interval does;
otherwise the surrogate is asked for more (the target raised by the share the plan fell
short) and the next plan is checked, until one reaches it, none within the bounds can,
or ``optimise.procedure.rounds + 1`` plans have been tried.  The run reports the first plan's
shortfall and the cheapest plan that reached the target (or that none did).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from model.experiments.replications import interval
from model.scenario import Scenario
from solvers.allocation import InfeasiblePlan, Request, solve
from solvers.certify import PlanRuns
from solvers.plan import Plan, plan_cost_rm
from solvers.settings import optimise_settings
from solvers.surrogate import Surrogate

log = logging.getLogger(__name__)
"""Progress lines of the optimiser (the command line shows them unless ``--quiet``)."""

TARGET_METRIC = "actioned"


@dataclass(frozen=True)
class TargetTry:
    """One plan checked against the target."""

    plan: Plan
    asked: float  # what the surrogate was asked to reach
    mean: float
    ci_low: float
    ci_high: float
    cost_rm: float


@dataclass(frozen=True)
class TargetCheck:
    """The target, every plan tried, and the cheapest that reached it (if any)."""

    target: float
    tries: list[TargetTry]
    reaching: TargetTry | None
    none_within_bounds: bool

    @property
    def first(self) -> TargetTry:
        """The surrogate's own cheapest plan for the target."""
        return self.tries[0]

    def sentence(self) -> str:
        """What the run says about the target, plainly."""
        first = self.first
        which = ("the plan giving the most (the corrected surrogate sees none reaching it)"
                 if first.plan.name == "most_actioned" else "the surrogate's cheapest plan")
        words = (f"target {self.target:,.0f} {TARGET_METRIC}: {which} "
                 f"(RM{first.cost_rm:,.0f}) gives {first.mean:,.0f} [{first.ci_low:,.0f}, "
                 f"{first.ci_high:,.0f}] in the simulation")
        if first.ci_low >= self.target:
            return words + ": it reaches the target"
        short = self.target - first.mean
        words += f", {short:,.0f} short ({short / self.target:.0%})" if short > 0 else \
            ", its interval reaching below the target"
        if self.reaching is not None:
            best = self.reaching
            return words + (f"; the cheapest plan found that reaches it costs "
                            f"RM{best.cost_rm:,.0f} ({best.mean:,.0f} [{best.ci_low:,.0f}, "
                            f"{best.ci_high:,.0f}])")
        if self.none_within_bounds:
            return words + "; no plan within the bounds reaches it"
        return words + f"; none of the {len(self.tries)} plans tried reached it"


def cheapest_reaching(scenario: Scenario, surrogate: Surrogate, runs: PlanRuns,
                      fresh: range, request: Request) -> TargetCheck:
    """Check the cheapest plans for the target on fresh replications until one reaches it."""
    settings = optimise_settings(scenario)
    target = settings.target_actioned
    assert target is not None  # asked only in reverse mode
    asked = target
    tries: list[TargetTry] = []
    for number in range(1, settings.procedure.rounds + 2):
        try:
            plan = solve(scenario, surrogate, f"cheapest_{number}", target=asked,
                         request=request)
        except InfeasiblePlan:
            if tries:
                return TargetCheck(target, tries, None, True)
            # the corrected surrogate sees no plan reaching it: the simulation checks the
            # plan it gives most actioned (the constraints themselves may conflict: then
            # the run explains why)
            plan = solve(scenario, surrogate, "most_actioned",
                         request=replace(request, weights={TARGET_METRIC: 1.0}))
            checked = _check(plan, target, runs, fresh, scenario)
            reached = checked.ci_low >= target
            return TargetCheck(target, [checked], checked if reached else None, not reached)
        tries.append(_check(plan, asked, runs, fresh, scenario))
        if tries[-1].ci_low >= target:
            return TargetCheck(target, tries, tries[-1], False)
        asked *= max(target / max(tries[-1].ci_low, 1.0), 1.01)
    return TargetCheck(target, tries, None, False)


def _check(plan: Plan, asked: float, runs: PlanRuns, fresh: range, scenario: Scenario) -> TargetTry:
    """A plan's simulated actioned tip-offs on fresh replications."""
    runs.add(plan.name, plan)
    values = runs.run([plan.name], fresh)[plan.name].national(TARGET_METRIC)
    mean, low, high = interval(values.astype(float))
    log.info(f"target: {plan.name} asked for {asked:,.0f}, simulated {mean:,.0f} "
        f"[{low:,.0f}, {high:,.0f}]")
    return TargetTry(plan, asked, mean, low, high, plan_cost_rm(scenario, plan))

