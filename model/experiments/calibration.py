"""Calibration: every rival explanation of the history, fitted jointly, kept side by side.

One published total cannot say which stage limited the past: downloads held down by
the download team's time, by the HQ line or by logistics (download slots, the senders'
upload rates); raids held down by the states' hours or by how few tip-offs become
workable cases.  Each explanation is a named :class:`~model.scenario.Hypothesis`: some
parameters free over a range, the others fixed where they did not limit.  Each is
calibrated by history matching against every published target at once:

1. a Latin-hypercube design over the free parameters (log scale where the range spans
   orders of magnitude), each point simulated with common random numbers;
2. a point is *plausible* when every simulated target (the mean of its replications)
   is within the target's tolerance; its *implausibility* is the largest gap measured
   in tolerances (1 = at the edge);
3. later waves sample the box the plausible (else the least implausible) points span,
   widened a little, so the search settles where the data allow;
4. the plausible points are the hypothesis's plausible set; the median of each free
   parameter over it is the calibrated value, verified over the scenario's
   replications, and the history is run on to the hand-over date for the end state
   the forward scenarios start from.

Every hypothesis advances one wave at a time and all their replications go to the
executor as one pool of tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy.stats import qmc

from model.calibration_schema import CalibrationTarget, Hypothesis, ParameterRange
from model.experiments.executors import ExecutorKind
from model.experiments.replications import Progress, Replications, run_tasks
from model.metrics import NATIONAL, WHOLE_HORIZON
from model.scenario import Scenario, with_values

WIDEN_SHARE = 0.15
"""Later waves search the box of the plausible points widened by this share of the range."""
SEEDS_PER_HYPOTHESIS = 1000
"""Spacing of the design's seeds between hypotheses and waves (reproducible designs)."""


@dataclass(frozen=True)
class Point:
    """One design point of a hypothesis and what its replications gave."""

    values: dict[str, float]
    simulated: dict[str, float]  # target key -> mean over the point's replications
    implausibility: float
    wave: int

    @property
    def plausible(self) -> bool:
        """Every target within its tolerance."""
        return self.implausibility <= 1.0


@dataclass(frozen=True)
class HypothesisFit:
    """What the calibration found for one hypothesis."""

    name: str
    hypothesis: Hypothesis
    points: tuple[Point, ...]
    values: dict[str, float]
    note: str
    scenario: Scenario
    verification: Replications
    end_state: pd.DataFrame | None

    @property
    def plausible(self) -> tuple[Point, ...]:
        """The plausible points, in the order they were found."""
        return tuple(point for point in self.points if point.plausible)

    @property
    def free(self) -> list[str]:
        """The free parameters, in the hypothesis's order."""
        return list(self.hypothesis.free)


def target_key(target: CalibrationTarget) -> str:
    """``downloaded`` for a whole-horizon total, ``downloaded@2021`` for a year's."""
    return target.metric if target.year is None else f"{target.metric}@{target.year}"


def target_values(results: Replications, target: CalibrationTarget) -> np.ndarray:
    """The national figure a target names, one value per replication, in order."""
    metrics = results.metrics
    year = WHOLE_HORIZON if target.year is None else target.year
    chosen = metrics[(metrics.year == year) & (metrics.scope == NATIONAL)
                     & (metrics.metric == target.metric)]
    return chosen.sort_values("replication").value.to_numpy(dtype=float)


def implausibility(simulated: dict[str, float], targets: Sequence[CalibrationTarget]) -> float:
    """The largest gap between simulated and published, in units of each tolerance."""
    gaps = [abs(simulated[target_key(t)] - t.published) / (t.tolerance_share * t.published)
            for t in targets]
    return float(max(gaps))


def hypothesis_scenario(history: Scenario, hypothesis: Hypothesis,
                        values: dict[str, float]) -> Scenario:
    """The history under a hypothesis: its fixed values and the given free values."""
    plain = history.model_copy(update={"hypothesis": None, "calibrated": None,
                                       "calibration": None})
    return with_values(plain, {**hypothesis.fixed, **values})


def design(ranges: dict[str, ParameterRange], count: int, seed: int,
           box: dict[str, tuple[float, float]] | None = None) -> list[dict[str, float]]:
    """A Latin hypercube of ``count`` points over the ranges (or a box inside them)."""
    names = list(ranges)
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(count)
    points = []
    for row in unit:
        point = {}
        for name, share in zip(names, row, strict=True):
            span = ranges[name]
            low, high = box[name] if box else (span.low, span.high)
            if span.log_scale:
                point[name] = float(np.exp(np.log(low) + share * (np.log(high) - np.log(low))))
            else:
                point[name] = float(low + share * (high - low))
        points.append(point)
    return points


def search_box(points: Sequence[Point], ranges: dict[str, ParameterRange],
               keep: int = 5) -> dict[str, tuple[float, float]]:
    """Where the next wave looks.

    The box the plausible points span (else the least implausible few), widened by a
    share of each range and clipped to it.
    """
    chosen = [p for p in points if p.plausible] or sorted(
        points, key=lambda p: p.implausibility)[:keep]
    box = {}
    for name, span in ranges.items():
        values = [p.values[name] for p in chosen]
        if span.log_scale:
            low, high = np.log(min(values)), np.log(max(values))
            pad = WIDEN_SHARE * (np.log(span.high) - np.log(span.low))
            box[name] = (float(max(span.low, np.exp(low - pad))),
                         float(min(span.high, np.exp(high + pad))))
        else:
            pad = WIDEN_SHARE * (span.high - span.low)
            box[name] = (max(span.low, min(values) - pad), min(span.high, max(values) + pad))
    return box


def calibrated_values(points: Sequence[Point], free: Sequence[str]) -> tuple[dict[str, float],
                                                                            str]:
    """The median of each free parameter over the plausible set, and how it was chosen."""
    plausible = [p for p in points if p.plausible]
    if not plausible:
        best = min(points, key=lambda p: p.implausibility)
        return dict(best.values), (
            f"no point was within every tolerance; the least implausible point "
            f"(implausibility {best.implausibility:.2f}) is reported, and the hypothesis "
            "does not fit the history")
    values = {name: float(np.median([p.values[name] for p in plausible])) for name in free}
    return values, f"median of {len(plausible)} plausible points"


@dataclass(frozen=True)
class _Job:
    name: str
    hypothesis: Hypothesis
    scenario: Callable[[dict[str, float]], Scenario]


@dataclass(frozen=True)
class Executor:
    """Where a calibration's replications run: processes here, or a Dask cluster."""

    workers: int = 1
    kind: ExecutorKind = ExecutorKind.LOCAL
    scheduler: str | None = None

    def run(self, tasks: list[tuple[Scenario, int]],
            progress: Progress | None) -> list[Replications]:
        """Every task's replication, as one pool, in the tasks' order."""
        return run_tasks(tasks, self.workers, progress, self.kind, self.scheduler)


def _evaluate(jobs: Sequence[_Job], batches: Sequence[list[dict[str, float]]],
              targets: Sequence[CalibrationTarget], replications: int, wave: int,
              executor: Executor, progress: Progress | None) -> list[list[Point]]:
    """Simulate every job's batch of points (one pool of tasks) and score each point."""
    tasks = [(job.scenario(values), r) for job, batch in zip(jobs, batches, strict=True)
             for values in batch for r in range(replications)]
    results = iter(executor.run(tasks, progress))
    scored = []
    for batch in batches:
        points = []
        for values in batch:
            merged = Replications.concat([next(results) for _ in range(replications)])
            simulated = {target_key(t): float(target_values(merged, t).mean()) for t in targets}
            points.append(Point(values, simulated, implausibility(simulated, targets), wave))
        scored.append(points)
    return scored


def search(history: Scenario, names: Sequence[str], executor: Executor,
           progress: Progress | None = None,
           say: Callable[[str], None] | None = None) -> dict[str, list[Point]]:
    """Every design point of every named hypothesis, wave by wave."""
    settings = history.calibration
    if settings is None:
        raise ValueError("the scenario has no calibration section")
    jobs = [_Job(name, settings.hypotheses[name],
                 partial(hypothesis_scenario, history, settings.hypotheses[name]))
            for name in names]
    found: dict[str, list[Point]] = {name: [] for name in names}
    for wave in range(settings.waves):
        batches = []
        for number, job in enumerate(jobs):
            seed = history.seed + SEEDS_PER_HYPOTHESIS * (number + 1) + wave
            if wave == 0:
                batches.append(design(job.hypothesis.free, settings.design_points, seed))
            else:
                box = search_box(found[job.name], job.hypothesis.free)
                batches.append(design(job.hypothesis.free, settings.refine_points, seed, box))
        scored = _evaluate(jobs, batches, settings.targets, settings.replications, wave,
                           executor, progress)
        for job, points in zip(jobs, scored, strict=True):
            found[job.name].extend(points)
            if say:
                plausible = sum(p.plausible for p in found[job.name])
                say(f"wave {wave + 1}: {job.name}: {plausible} plausible of "
                    f"{len(found[job.name])} points")
    return found


def fit_hypotheses(history: Scenario, names: Sequence[str], executor: Executor,
                   progress: Progress | None = None,
                   say: Callable[[str], None] | None = None) -> list[HypothesisFit]:
    """Search, then verify each hypothesis's calibrated values and take its end state.

    The verification and the run on to the hand-over date use the scenario's own
    replications and seed, one pool of tasks for every hypothesis.
    """
    settings = history.calibration
    if settings is None:
        raise ValueError("the scenario has no calibration section")
    found = search(history, names, executor, progress, say)
    chosen = {}
    for name in names:
        hypothesis = settings.hypotheses[name]
        values, note = calibrated_values(found[name], list(hypothesis.free))
        chosen[name] = (hypothesis, values, note,
                        hypothesis_scenario(history, hypothesis, values))
    count = history.replications
    tasks = [(scenario, r) for _, _, _, scenario in chosen.values() for r in range(count)]
    hand_over = settings.hand_over_date
    if hand_over is not None:
        tasks += [(_run_on(scenario, hand_over), r) for _, _, _, scenario in chosen.values()
                  for r in range(count)]
    results = executor.run(tasks, progress)
    fits = []
    for index, (name, (hypothesis, values, note, scenario)) in enumerate(chosen.items()):
        verification = Replications.concat(results[index * count:(index + 1) * count])
        end_state = None
        if hand_over is not None:
            start = (len(chosen) + index) * count
            end_state = Replications.concat(results[start:start + count]).mean_end_state()
        fits.append(HypothesisFit(name, hypothesis, tuple(found[name]), values, note, scenario,
                                  verification, end_state))
    return fits


def refit(history: Scenario, hypothesis: Hypothesis, plausible: Sequence[Sequence[float]],
          changes: dict[str, float], points: int, workers: int, seed: int,
          progress: Progress | None = None) -> Point:
    """The hypothesis refitted to the history with some other assumptions changed.

    A small design in the box the hypothesis's plausible set spans (widened, as a later
    wave is) with ``changes`` applied to the history; the least implausible point is
    returned: plausible when the history can still be matched with the changes, and
    with its implausibility saying how far off it is when not.
    """
    settings = history.calibration
    if settings is None:
        raise ValueError("the history has no calibration section")
    free = hypothesis.free
    known = [Point(dict(zip(free, row, strict=True)), {}, 0.0, 0) for row in plausible]
    box = search_box(known, free) if known else None
    batch = design(free, points, seed, box)
    changed = with_values(history, changes)
    job = _Job("refit", hypothesis, partial(hypothesis_scenario, changed, hypothesis))
    [scored] = _evaluate([job], [batch], settings.targets, settings.replications, 0,
                         Executor(workers), progress)
    return min(scored, key=lambda point: point.implausibility)


def _run_on(scenario: Scenario, hand_over: dt.date) -> Scenario:
    """The history run on to the day before the hand-over (arrivals at the last rate)."""
    return scenario.model_copy(update={"end_date": hand_over - dt.timedelta(days=1)})


CHECK_RUNS_PER_HYPOTHESIS = 40
"""About what each hypothesis's behavioural checks run (six replications of six settings)."""


def calibration_runs(scenario: Scenario, hypotheses: int | None = None,
                     checks: bool = True) -> int:
    """Replications a calibration runs at most: every wave, verification, end state, checks.

    ``hypotheses`` is how many are calibrated (default: every one of the scenario's);
    without ``checks``, only the search, verification and end state (a progress bar's total).
    """
    settings = scenario.calibration
    if settings is None:
        return scenario.replications
    count = len(settings.hypotheses) if hypotheses is None else hypotheses
    points = settings.design_points + settings.refine_points * (settings.waves - 1)
    per_hypothesis = points * settings.replications + 2 * scenario.replications
    return count * (per_hypothesis + (CHECK_RUNS_PER_HYPOTHESIS if checks else 0))
