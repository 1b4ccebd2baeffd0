"""Sweeps: a scenario run at every point of a design (full factorial or Latin hypercube).

A point is a set of ``dotted.path=value`` overrides; its name holds a hash of
them, so a sweep interrupted and started again finds the points it finished
(their folders are written whole or not at all) and runs only the rest.  The
unfinished points' replications run as one pool of tasks, and each point is
written as soon as its last replication ends.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml
from scipy.stats import qmc

from model.experiments.executors import ExecutorKind
from model.experiments.replications import Progress, Replications, Task, run_tasks
from model.loading import ScenarioError, override
from model.scenario import Scenario


class SweepError(ValueError):
    """A --vary or --samples the sweep cannot use; the message says how to write it."""


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its number and the values it sets."""

    number: int
    values: dict[str, Any]

    @property
    def name(self) -> str:
        """Folder name: number and a hash of the values (stable across runs)."""
        text = json.dumps(self.values, sort_keys=True, default=str)
        return f"{self.number:03d}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"

    def overrides(self) -> list[str]:
        """The point as ``--set`` overrides."""
        return [f"{path}={json.dumps(value)}" for path, value in self.values.items()]


def parse_vary(texts: list[str]) -> dict[str, list[Any] | tuple[float, float]]:
    """``path=v1,v2,...`` (a list of values) or ``path=low:high`` (a range for sampling)."""
    if not texts:
        raise SweepError("give at least one --vary dotted.path=v1,v2,...")
    varied: dict[str, list[Any] | tuple[float, float]] = {}
    for text in texts:
        path, sep, values = text.partition("=")
        if not sep or not path or not values:
            raise SweepError(f"--vary '{text}': write dotted.path=v1,v2,... or "
                             "dotted.path=low:high")
        if path in varied:
            raise SweepError(f"--vary names {path} twice")
        if ":" in values and "," not in values:
            low, _, high = values.partition(":")
            try:
                varied[path] = (float(low), float(high))
            except ValueError:
                raise SweepError(f"--vary '{text}': a range is two numbers, low:high") from None
            continue
        varied[path] = [yaml.safe_load(item) for item in values.split(",")]
    return varied


def design(varied: dict[str, list[Any] | tuple[float, float]], samples: int | None,
           seed: int) -> list[Point]:
    """Full factorial of the listed values, or ``samples`` Latin-hypercube points."""
    paths = list(varied)
    if samples is None:
        ranges = [p for p in paths if isinstance(varied[p], tuple)]
        if ranges:
            raise SweepError(f"{', '.join(ranges)}: a low:high range needs --samples N "
                             "(or list the values: path=v1,v2,...)")
        grid = itertools.product(*(varied[p] for p in paths))
        return [Point(n, dict(zip(paths, combo, strict=True))) for n, combo in enumerate(grid)]
    sampler = qmc.LatinHypercube(d=len(paths), rng=np.random.default_rng([seed, 31337]))
    unit = sampler.random(samples)
    points = []
    for number, row in enumerate(unit):
        values: dict[str, Any] = {}
        for column, path in enumerate(paths):
            choice = varied[path]
            if isinstance(choice, tuple):
                values[path] = float(choice[0] + row[column] * (choice[1] - choice[0]))
            else:
                values[path] = choice[min(int(row[column] * len(choice)), len(choice) - 1)]
        points.append(Point(number, values))
    return points


def point_scenarios(base: Scenario, points: list[Point]) -> dict[str, Scenario]:
    """Each point's scenario: the base with the point's values.

    Raises
    ------
    SweepError
        Naming the point and the problem, if a point's values make no valid scenario.
    """
    scenarios = {}
    for point in points:
        try:
            scenarios[point.name] = override(base, point.overrides())
        except ScenarioError as error:
            raise SweepError(f"sweep point {point.values}: {error}") from None
    return scenarios


PointWriter = Callable[[Point, Scenario, Replications], object]
"""Writes a finished point: its scenario and its replications, in replication order."""


def sweep_tasks(scenarios: Mapping[str, Scenario], points: Sequence[Point]) -> list[Task]:
    """Every replication of the points, point by point, each point's in replication order."""
    return [(scenarios[point.name], replication) for point in points
            for replication in range(scenarios[point.name].replications)]


def run_points(scenarios: Mapping[str, Scenario], points: Sequence[Point], write: PointWriter,
               workers: int = 1, progress: Progress | None = None,
               executor: ExecutorKind = ExecutorKind.LOCAL, scheduler: str | None = None,
               ) -> None:
    """Run the points' replications as one pool of tasks; write each point when it is whole.

    Parameters
    ----------
    scenarios
        Each point's scenario by point name (``point_scenarios``); a point runs
        ``replications`` of it, numbered from 0, as a run of that scenario alone would.
    points
        The points to run (those not finished before).
    write
        Called in this process with each point, its scenario and its replications as
        soon as the point's last replication ends, so an interrupted sweep keeps the
        points it finished.
    workers, progress, executor, scheduler
        As for ``run_tasks``; ``progress`` counts replications over all the points.
    """
    tasks = sweep_tasks(scenarios, points)
    owner = [point for point in points for _ in range(scenarios[point.name].replications)]
    waiting: dict[str, dict[int, Replications]] = {point.name: {} for point in points}

    def finished(index: int, result: Replications) -> None:
        point = owner[index]
        got = waiting[point.name]
        got[index] = result
        scenario = scenarios[point.name]
        if len(got) == scenario.replications:
            write(point, scenario, Replications.concat([got[i] for i in sorted(got)]))
            del waiting[point.name]

    run_tasks(tasks, workers, progress, executor, scheduler, finished)


def sweep_points(base: Scenario, vary: list[str], samples: int | None,
                 ) -> tuple[list[Point], dict[str, Scenario]]:
    """A sweep's points and each point's scenario (by point name).

    Parameters
    ----------
    base
        The scenario every point varies.
    vary
        ``path=v1,v2,...`` or ``path=low:high`` texts (``--vary``).
    samples
        Latin-hypercube points to draw, or None for the full factorial.

    Raises
    ------
    SweepError
        If the texts or a point's values make no valid design or scenario.
    """
    points = design(parse_vary(vary), samples, base.seed)
    return points, point_scenarios(base, points)
