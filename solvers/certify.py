"""Choosing among candidate plans by simulation, and the certificate the choice carries.

1. Every candidate and today's allocation get ``optimise.procedure.replications``
   replications with common random numbers (the selection's first stage).  A candidate
   whose service levels do not hold there (a paired interval below its floor) leaves the
   selection.
2. KN (``solvers.selection``) picks the best of the rest with probability at least
   ``optimise.selection.probability`` when it beats the others by the indifference zone.
   Plans the procedure cannot tell apart may cost differently, and hold differently under
   other explanations of the history: the candidates whose shortfall from KN's choice
   is, with 95 % simultaneous confidence, within the indifference zone
   (:func:`within_zone`, with further paired replications) are KN's equals.  The
   cheapest of them is chosen unless the regret table shows it less robust
   (``solvers.loop.robust_within_zone``), so that money is not spent for a difference
   too small to matter, nor saved at the cost of a plan that fails under D11's account.
3. Everything reported is estimated on fresh replications (from :data:`FRESH_FIRST`),
   never those that chose: the chosen plan's outcomes, its paired differences, its
   service levels, and how much its best neighbours could improve on it.

:class:`PlanRuns` runs each (plan, replication) once, as one pool of tasks per batch, on
the local process pool or a Dask cluster, and counts replications for a progress bar.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from model.experiments.executors import ExecutorKind
from model.experiments.replications import Progress, Replications, interval, run_tasks
from model.scenario import Scenario
from model.tables import CANDIDATES, CERTIFICATE
from solvers.candidates import Candidate
from solvers.plan import Plan, apply_plan, plan_cost_rm
from solvers.selection import (
    NeighbourBound,
    Sampler,
    SelectionResult,
    looks_taken,
    neighbour_improvement_bound,
    select_best,
)
from solvers.service import objective_values, values_of
from solvers.settings import optimise_settings

log = logging.getLogger(__name__)
"""Progress lines of the optimiser (the command line shows them unless ``--quiet``)."""

FRESH_FIRST = 100_000
"""Replication numbers from here on are fresh: never used to choose a plan."""
CANDIDATE_COLUMNS = CANDIDATES.column_list
CERTIFICATE_COLUMNS = CERTIFICATE.column_list


@dataclass
class Spent:
    """Replications simulated in one stage of the optimisation, and their wall time (s)."""

    replications: int = 0
    seconds: float = 0.0


@dataclass
class PlanRuns:
    """Replications of named plans, each (plan, replication number) simulated once.

    Attributes
    ----------
    scenario : Scenario
        The scenario the plans are applied to.
    workers : int
        Processes (or Dask workers) to run them.
    progress : callable, optional
        Counts replications as they finish.
    executor, scheduler
        Where they run (``model.experiments.executors``).
    stage : str
        What the replications run now are for; ``spent`` counts them and their wall
        time by stage (where the optimisation's time goes).
    """

    scenario: Scenario
    workers: int
    progress: Progress | None = None
    executor: ExecutorKind = ExecutorKind.LOCAL
    scheduler: str | None = None

    def __post_init__(self) -> None:
        self.plans: dict[str, Plan] = {}
        self._done: dict[tuple[str, int], Replications] = {}
        self.stage = "other"
        self.spent: dict[str, Spent] = {}

    def add(self, name: str, plan: Plan) -> None:
        """Name a plan (a name stands for one plan throughout)."""
        self.plans.setdefault(name, plan)

    def run(self, names: Sequence[str], numbers: range) -> dict[str, Replications]:
        """Each named plan's replications ``numbers``, the missing ones as one pool."""
        missing = [(name, r) for name in names for r in numbers if (name, r) not in self._done]
        clock = time.perf_counter()
        applied = {name: apply_plan(self.scenario, self.plans[name])
                   for name in dict.fromkeys(name for name, _ in missing)}
        results = run_tasks([(applied[name], r) for name, r in missing], self.workers,
                            self.progress, self.executor, self.scheduler)
        self._done.update(zip(missing, results, strict=True))
        if missing:
            spent = self.spent.setdefault(self.stage, Spent())
            spent.replications += len(missing)
            spent.seconds += time.perf_counter() - clock
        return {name: Replications.concat([self._done[(name, r)] for r in numbers])
                for name in names}

    def objective(self, weights: dict[str, float]) -> Callable[[list[str], range],
                                                               dict[str, np.ndarray]]:
        """The selection's sampler: each plan's objective on each replication number."""
        def sample(names: list[str], numbers: range) -> dict[str, np.ndarray]:
            return {name: objective_values(results, weights)
                    for name, results in self.run(names, numbers).items()}
        return sample


def floors_hold(scenario: Scenario, plan: Replications, today: Replications) -> bool:
    """Whether every service level holds: its paired interval at or above the floor."""
    settings = optimise_settings(scenario)
    for level in settings.service_levels:
        values = values_of(plan, level.metric, level.scope)
        floors = (level.floor * values_of(today, level.metric, level.scope)
                  if level.relative_to is not None else np.full(values.shape, level.floor))
        if interval(values - floors)[1] < -1e-9:
            return False
    return True


@dataclass(frozen=True)
class Choice:
    """What the selection chose, from which candidates, and what it screened out."""

    selection: SelectionResult
    candidates: dict[str, Candidate]
    floors_missed: dict[str, np.ndarray]  # first-stage objective values of those left out
    delta: float
    name: str  # the candidate chosen: KN's, or another within the zone of it
    not_robust: tuple[str, ...] = ()  # plans within the zone set aside as not robust
    in_zone: tuple[str, ...] = ()  # KN's choice and plans shown within its zone, cheapest first
    # plans close to KN's choice whose zone test no finalist has needed yet, cheapest
    # first, and the level every zone test is held to (Bonferroni over all that may be)
    untested: tuple[str, ...] = ()
    zone_level: float = 0.95
    at_cap: NeighbourBound | None = None  # the survivors against KN's choice where it stopped
    why: dict[str, str] = field(default_factory=dict)  # why each was set aside, in words

    @property
    def cheaper(self) -> tuple[str, ...]:
        """The plans shown within KN's zone that cost less than KN's choice, cheapest first."""
        best = self.selection.chosen
        return self.in_zone[:self.in_zone.index(best)] if best in self.in_zone else ()

    @property
    def guarantee_held(self) -> bool:
        """KN ended by itself, or at the cap (or a look) every survivor is within its zone.

        KN runs at half the error the scenario allows; the comparisons at the looks and the
        cap (the survivors' simultaneous upper bounds over KN's choice) share the other
        half (:func:`select_with_looks`), so that together the chosen plan is within the
        zone of the best with the stated probability.
        """
        if self.selection.guarantee_held:
            return True
        return self.at_cap is not None and self.at_cap.within(self.delta)

    @property
    def chosen(self) -> Candidate:
        """The candidate chosen."""
        return self.candidates[self.name]


def within_zone(scenario: Scenario, result: SelectionResult,
                candidates: Mapping[str, Candidate], delta: float,
                sample: Sampler, most: int = 3, enough: int | None = None
                ) -> tuple[list[str], tuple[str, ...], float]:
    """KN's choice and the candidates shown within its zone, cheapest first.

    Candidates whose selection mean is within ``delta`` of KN's choice are tried, the
    cheapest ``most`` of them, cheapest first.  Each is replicated further, paired with
    KN's choice, until the one-sided upper bound of (KN's choice minus it) falls below
    ``delta`` (it qualifies), its lower bound rises above ``delta`` (it does not), or the
    selection's cap on replications is reached.  The bounds hold together at 95 %
    (Bonferroni over every candidate that may be tried, whether or not it is).

    Once ``enough`` have qualified the rest are left untested (:func:`widen_zone` tests
    them when the regret table asks for another equal).

    Returns
    -------
    tuple
        The plans in the zone (KN's choice among them) cheapest first, those left
        untested cheapest first, and the level of each test.
    """
    settings = optimise_settings(scenario)
    best = result.candidate(result.chosen)
    key = cost_order(scenario, candidates)
    close = sorted((c.name for c in result.candidates
                    if c.name != best.name and c.objective_mean >= best.objective_mean - delta),
                   key=key)[:most]
    level = 1.0 - 0.05 / max(len(close), 1)
    qualified = [best.name]
    for number, name in enumerate(close):
        if enough is not None and len(qualified) > enough:
            return sorted(qualified, key=key), tuple(close[number:]), level
        if shown_within(result, name, delta, sample, level, settings.procedure.max_replications):
            qualified.append(name)
    return sorted(qualified, key=key), (), level


def widen_zone(scenario: Scenario, choice: Choice, sample: Sampler,
               cheaper_than: str | None = None) -> tuple[Choice, str | None]:
    """The next plan close to KN's choice shown within its zone, testing cheapest first.

    Only plans cheaper than ``cheaper_than`` (any, when None) are tested, each at the
    level :func:`within_zone` set for all of them; those shown short stay out of the
    zone.  Returns the choice with the plan found among its equals, and the plan (None
    when no untested plan cheap enough qualifies).
    """
    settings = optimise_settings(scenario)
    untested = list(choice.untested)
    key = cost_order(scenario, choice.candidates)
    while untested and (cheaper_than is None or key(untested[0]) < key(cheaper_than)):
        name = untested.pop(0)
        if shown_within(choice.selection, name, choice.delta, sample, choice.zone_level,
                        settings.procedure.max_replications):
            return replace(with_equal(scenario, choice, name), untested=tuple(untested)), name
    return replace(choice, untested=tuple(untested)), None


def with_equal(scenario: Scenario, choice: Choice, name: str) -> Choice:
    """The choice with ``name`` shown within KN's zone: among its equals, in cost order."""
    return replace(choice, in_zone=tuple(sorted([*choice.in_zone, name],
                                                key=cost_order(scenario, choice.candidates))))


def cost_order(scenario: Scenario, candidates: Mapping[str, Candidate]
               ) -> Callable[[str], tuple[float, str]]:
    """A sort key for candidate names: cheapest first, then by name."""
    def key(name: str) -> tuple[float, str]:
        return plan_cost_rm(scenario, candidates[name].plan), name
    return key


def shown_within(result: SelectionResult, name: str, delta: float, sample: Sampler,
                 level: float, cap: int) -> bool:
    """Whether candidate ``name`` falls short of KN's choice by less than ``delta``.

    Paired with KN's choice on the selection's replications, and replicated further in
    batches, until the one-sided ``level`` upper bound of the shortfall falls below
    ``delta`` (True), its lower bound rises above it, or ``cap`` replications are reached
    (False): the scenario's cap, not a look's where KN stopped at one.
    """
    best = result.candidate(result.chosen)
    params = result.parameters
    count = min(result.candidate(name).replications, best.replications)
    while count >= 2:
        numbers = range(params.first_replication, params.first_replication + count)
        values = sample([best.name, name], numbers)
        difference = values[best.name] - values[name]
        half = stats.t.ppf(level, count - 1) * difference.std(ddof=1) / np.sqrt(count)
        if difference.mean() + half < delta:
            return True
        if difference.mean() - half > delta or count >= cap:
            return False
        count = min(cap, count + max(2, params.batch_size))
    return False


def select_with_looks(names: Sequence[str], sample: Sampler, *, delta: float, error: float,
                      n0: int, cap: int, looks: Sequence[int] = (), batch_size: int = 1
                      ) -> tuple[SelectionResult, NeighbourBound | None]:
    """KN at ``error``, stopped at the first look that shows every survivor within the zone.

    Candidates the procedure cannot tell apart (equal within ``delta``) keep KN going to
    its cap.  At each look (``looks`` below ``cap``, then the cap) the survivors are
    compared with KN's choice as at the cap (:func:`bound_at_cap`), each look at
    ``error / (number of looks, the cap included)``: every bound of every look then holds
    together with probability at least ``1 - error`` (Bonferroni), so stopping at the
    first look where all fall inside the zone keeps the cap's guarantee.  KN's path up to
    a look does not depend on where it will stop, and ``sample`` returns the same values
    for a replication on every call, so each look continues the same procedure.

    Returns
    -------
    tuple
        KN's result at the look it stopped at, and the survivors' comparison there (None
        when KN ended by itself).
    """
    stops = [*looks_taken(looks, n0, cap), cap]
    share = error / len(stops)
    for stop in stops:
        result = select_best(list(names), sample, delta=delta, alpha=error, n0=n0,
                             max_replications=stop, batch_size=batch_size)
        at_look = bound_at_cap(result, share)
        if at_look is None or at_look.within(delta):
            break
    return result, at_look


def bound_at_cap(result: SelectionResult, error: float) -> NeighbourBound | None:
    """At the cap: how much any other survivor may exceed KN's choice (else None).

    Every survivor has the cap's replications, paired with KN's choice; the one-sided
    bounds hold together with probability ``1 - error`` (multiple comparisons with the
    chosen plan, Bonferroni).
    """
    if result.stop_reason != "cap_reached":
        return None
    values = result.samples()
    return neighbour_improvement_bound(
        values[result.chosen], {n: values[n] for n in result.survivors if n != result.chosen},
        confidence=1.0 - error)


def choose(scenario: Scenario, runs: PlanRuns, candidates: list[Candidate], today: str) -> Choice:
    """Screen the candidates on their service levels, then select the best by KN.

    If no candidate keeps its service levels in the first stage, all go on (the
    certificate then says which floor the plan misses).
    """
    settings = optimise_settings(scenario)
    n0 = settings.procedure.replications
    first = range(0, n0)
    for candidate in candidates:
        runs.add(candidate.name, candidate.plan)
    log.info(f"selection: {len(candidates)} candidates, {n0} replications each to start ...")
    stage = runs.run([today, *(c.name for c in candidates)], first)
    kept = [c for c in candidates if floors_hold(scenario, stage[c.name], stage[today])]
    if not kept:
        log.info("selection: no candidate keeps every service level in the first stage; all go on")
        kept = list(candidates)
    missed = {c.name: objective_values(stage[c.name], settings.weights)
              for c in candidates if c not in kept}
    best_mean = max(float(objective_values(stage[c.name], settings.weights).mean())
                    for c in kept)
    delta = settings.selection.indifference_share * max(best_mean, 1.0)
    error = (1.0 - settings.selection.probability) / 2  # KN's half; the cap's the other
    cap = settings.procedure.max_replications
    result, at_cap = select_with_looks(
        [c.name for c in kept], runs.objective(settings.weights), delta=delta, error=error,
        n0=n0, cap=cap, looks=settings.procedure.looks, batch_size=max(1, runs.workers))
    pool = {c.name: c for c in candidates}
    zone, untested, level = within_zone(
        scenario, result, {c.name: c for c in kept}, delta, runs.objective(settings.weights),
        most=settings.procedure.finalists - 1 + settings.procedure.more_finalists,
        enough=settings.procedure.finalists - 1)
    name = zone[0]  # the cheapest, until the regret table has a say
    stopped = result.stop_reason.replace("_", " ")
    if result.parameters.max_replications < cap:
        stopped = (f"at the look after {result.parameters.max_replications}, every survivor "
                   "within the zone")
    log.info(f"selection: KN chose {result.chosen} after {result.total_replications} replications "
        f"({stopped})"
        + (f"; {name} is cheaper and within the indifference zone of it" if name != result.chosen
           else ""))
    return Choice(result, pool, missed, delta, name, at_cap=at_cap, in_zone=tuple(zone),
                  untested=untested, zone_level=level)


def _note(choice: Choice, name: str) -> str:
    best = choice.selection.chosen
    if name in choice.not_robust:
        return ("within the indifference zone of the selection's best, set aside: "
                + choice.why.get(name, "less robust across explanations (regret.csv)"))
    if name == choice.name:
        if name == best:
            return "chosen"
        cheaper = name in choice.cheaper
        return (f"chosen: {'cheaper than' if cheaper else 'as good as'} {best} (within the "
                "indifference zone)" + ("" if cheaper else
                                        " and robust across explanations (regret.csv)"))
    if name == best:
        return "best by the selection; another plan within the indifference zone was chosen"
    if name in choice.in_zone:
        return "within the indifference zone of the selection's best"
    if name in choice.untested:
        return ("close to the selection's best by its mean, not tested for its zone: the "
                "finalists, tried cheapest first, stopped before it")
    return ""


def candidates_table(choice: Choice) -> pd.DataFrame:
    """``candidates.csv``: every candidate, its source, replications, mean and elimination."""
    rows = []
    for record in choice.selection.candidates:
        candidate = choice.candidates[record.name]
        rows.append({"candidate": record.name, "source": candidate.source,
                     "replications": record.replications,
                     "objective_mean": record.objective_mean, "ci_low": record.ci_low,
                     "ci_high": record.ci_high, "eliminated_at": record.eliminated_at,
                     "promised": candidate.promised,
                     "note": _note(choice, record.name)})
    for name, values in choice.floors_missed.items():
        mean, low, high = interval(values)
        rows.append({"candidate": name, "source": choice.candidates[name].source,
                     "replications": values.size, "objective_mean": mean, "ci_low": low,
                     "ci_high": high, "eliminated_at": values.size,
                     "promised": choice.candidates[name].promised,
                     "note": "a service level missed in the first stage"})
    frame = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    frame["eliminated_at"] = frame["eliminated_at"].astype("Int64")
    return frame


@dataclass(frozen=True)
class CertificateInputs:
    """What the certificate's rows are read from."""

    choice: Choice
    bound: NeighbourBound | None
    promised: float
    simulated: float
    service_levels: pd.DataFrame
    worst_regret: float = np.nan  # the worst regret as a share of its gain (NaN: not measured)
    worst_case: str = "not measured"


def certificate_table(scenario: Scenario, inputs: CertificateInputs) -> pd.DataFrame:
    """``certificate.csv``: one row per check, its value, threshold and whether it passed."""
    settings = optimise_settings(scenario)
    wanted, procedure = settings.selection, settings.procedure
    delta = inputs.choice.delta
    held = inputs.choice.guarantee_held
    rows = [
        {"check": "probability_of_correct_selection",
         "value": wanted.probability if held else np.nan,
         "threshold": wanted.probability, "passed": held,
         "note": _selection_note(inputs.choice, procedure.max_replications,
                                 looks_taken(procedure.looks, procedure.replications,
                                             procedure.max_replications))},
        {"check": "indifference_zone", "value": delta, "threshold": wanted.indifference_share,
         "passed": True,
         "note": f"{wanted.indifference_share:.0%} of the best first-stage mean, in objective "
                 "units: smaller differences are not told apart"},
    ]
    if inputs.bound is None:
        rows.append({"check": "best_neighbour_improvement_bound", "value": np.nan,
                     "threshold": delta, "passed": False,
                     "note": "no neighbour of the plan keeps the constraints and the service "
                             "levels: nothing to bound"})
    else:
        rows.append({"check": "best_neighbour_improvement_bound", "value": inputs.bound.bound,
                     "threshold": delta, "passed": inputs.bound.within(delta),
                     "note": f"simultaneous {inputs.bound.confidence:.0%} upper bound over "
                             f"{len(inputs.bound.neighbours)} neighbours on "
                             f"{_counts(inputs.bound)} fresh replications; "
                             f"largest: {_largest(inputs.bound)}"})
    gap = (inputs.simulated - inputs.promised) / inputs.promised if inputs.promised else np.nan
    rows.append({"check": "surrogate_gap", "value": gap, "threshold": wanted.surrogate_gap_share,
                 "passed": bool(abs(gap) <= wanted.surrogate_gap_share),
                 "note": f"(simulated {inputs.simulated:,.0f} - promised {inputs.promised:,.0f})"
                         " / promised, at the chosen plan: promised by the surrogate as "
                         "corrected on the candidates' first-stage replications, simulated on "
                         "fresh ones"})
    for row in inputs.service_levels.itertuples(index=False):
        rows.append({"check": f"service_level:{row.metric}.{row.scope}", "value": row.mean,
                     "threshold": row.floor_value, "passed": bool(row.met),
                     "note": f"paired 95 % interval of plan minus floor "
                             f"[{row.margin_ci_low:+,.1f}, {row.margin_ci_high:+,.1f}]"})
    rows.append({"check": "worst_regret", "value": inputs.worst_regret,
                 "threshold": wanted.worst_regret_share,
                 "passed": bool(inputs.worst_regret <= wanted.worst_regret_share),
                 "note": inputs.worst_case})
    return pd.DataFrame(rows, columns=CERTIFICATE_COLUMNS)


def _largest(bound: NeighbourBound) -> str:
    """The neighbour with the largest bound, and its mean: noise, or a real gain short of it."""
    record = next(r for r in bound.neighbours if r.name == bound.worst_neighbour)
    return (f"{record.name} (on average {record.mean_difference:+,.1f} on "
            f"{record.replications} replications)")


def _counts(bound: NeighbourBound) -> str:
    """The replications the neighbours were settled on: "40", or "20-40" when looks differed."""
    counts = sorted({record.replications for record in bound.neighbours})
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"


def _selection_note(choice: Choice, cap: int, looks: Sequence[int]) -> str:
    """The selection procedure in words: its settings, where it stopped and why."""
    selection, compared = choice.selection, choice.at_cap
    p = selection.parameters
    stopped = selection.stop_reason.replace("_", " ")
    where = "the cap"
    if p.max_replications < cap:
        stopped = f"at the look after {p.max_replications} replications"
        where = "that look"
    note = (f"KN with common random numbers at error {p.alpha:g}: n0 {p.n0}, at most {cap} "
            f"replications a candidate" + (f" (looks after {', '.join(map(str, looks))})"
                                           if looks else "")
            + f", {len(selection.candidates)} candidates, {selection.total_replications} "
            f"replications; stopped: {stopped}")
    if compared is None:
        return note
    return (note + f"; at {where}, {len(compared.neighbours)} other survivors exceed KN's "
            f"choice by at most {compared.bound:,.1f} (simultaneous {compared.confidence:.1%} "
            f"bound; zone {choice.delta:,.1f})")


def failed_checks(certificate: pd.DataFrame) -> list[str]:
    """The checks a certificate did not pass."""
    return [str(check) for check, passed in zip(certificate.check, certificate.passed,
                                                strict=True) if not passed]

