"""Calibration: fit the assumptions no one has published to the figures someone has.

Each fitted parameter governs one published total (``selection.triage_minutes``
governs downloads, ``investigation.officer_hours`` raids, ...).  Parameters are
fitted one after another, each by a bracketed root search (false position,
Illinois variant) inside its plausible range, with common random numbers so
that the simulated total is a deterministic function of the parameter.  A
parameter that cannot reach its target stops at the nearer bound of its range
and says so; the next parameter listed for the same target then takes over.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from model.experiments.replications import Replications, interval, run_replications
from model.loading import SCHEMA_MODELINE, extends_of
from model.scenario import Scenario, estimate_at, unit_of, with_values

CLOSE_ENOUGH_SHARE = 0.02
"""A trial within 2 % of the published figure ends the search for that parameter."""


@dataclass(frozen=True)
class FitStep:
    """How one parameter was fitted."""

    parameter: str
    target: str
    unit: str
    low: float
    high: float
    prior: float
    fitted: float
    published: float
    simulated: float
    at_bound: bool
    skipped: bool
    trials: list[tuple[float, float]] = field(default_factory=list)


def fit_parameters(scenario: Scenario, workers: int,
                   progress: Callable[[str], None] | None = None) -> tuple[Scenario, list[FitStep]]:
    """Fit the scenario's ``calibration.fit`` parameters in order; return the fitted scenario."""
    if scenario.calibration is None:
        raise ValueError("the scenario has no calibration section")
    settings = scenario.calibration
    published = {target.metric: target.published for target in settings.targets}
    current = scenario.model_copy(update={"replications": settings.replications})
    reached: set[str] = set()
    steps: list[FitStep] = []
    for step in settings.fit:
        estimate = estimate_at(current, step.parameter)
        if estimate.low is None or estimate.high is None:
            raise ValueError(f"{step.parameter} has no plausible range to fit it inside")
        low, high = float(estimate.low), float(estimate.high)
        if step.target in reached:
            steps.append(FitStep(step.parameter, step.target, unit_of(step.parameter), low, high,
                                 estimate.value, estimate.value, published[step.target],
                                 float("nan"), False, True))
            continue
        goal = published[step.target]

        def gap(value: float, path: str = step.parameter, metric: str = step.target,
                base: Scenario = current, goal: float = goal) -> float:
            trial = with_values(base, {path: value})
            results = run_replications(trial, settings.replications, workers)
            simulated = float(results.national(metric).mean())
            if progress:
                progress(f"{path} = {value:.4g}: {metric} {simulated:,.0f} "
                         f"(published {goal:,.0f})")
            return simulated - goal

        fitted, trials = _false_position(gap, low, high, goal, settings.iterations)
        simulated = goal + dict(trials)[fitted]
        at_bound = fitted in (low, high) and abs(simulated - goal) > CLOSE_ENOUGH_SHARE * goal
        steps.append(FitStep(step.parameter, step.target, unit_of(step.parameter), low, high,
                             estimate.value, fitted, goal, simulated, at_bound, False, trials))
        current = with_values(current, {step.parameter: fitted})
        if not at_bound:
            reached.add(step.target)
    return current.model_copy(update={"replications": scenario.replications}), steps


def _false_position(gap: Callable[[float], float], low: float, high: float, goal: float,
                    iterations: int) -> tuple[float, list[tuple[float, float]]]:
    """Root of a monotone ``gap`` in [low, high]; the best trial if there is none."""
    trials: list[tuple[float, float]] = []

    def trial(value: float) -> float:
        result = gap(value)
        trials.append((value, result))
        return result

    g_low, g_high = trial(low), trial(high)
    if np.sign(g_low) == np.sign(g_high):
        return (low if abs(g_low) <= abs(g_high) else high), trials
    a, b, g_a, g_b, side = low, high, g_low, g_high, 0
    for _ in range(max(iterations - 2, 0)):
        value = b - g_b * (b - a) / (g_b - g_a)
        g_value = trial(value)
        if abs(g_value) <= CLOSE_ENOUGH_SHARE * goal:
            break
        if np.sign(g_value) == np.sign(g_b):
            b, g_b = value, g_value
            if side == -1:
                g_a /= 2  # Illinois: stop one end from sticking
            side = -1
        else:
            a, g_a = value, g_value
            if side == 1:
                g_b /= 2
            side = 1
    best = min(trials, key=lambda item: abs(item[1]))
    return best[0], trials


def fit_table(scenario: Scenario, results: Replications) -> pd.DataFrame:
    """Published against simulated (mean and 95 % interval) for every calibration target."""
    rows = []
    for target in scenario.calibration.targets if scenario.calibration else ():
        values = results.national(target.metric)
        mean, low, high = interval(values)
        gap = (mean - target.published) / target.published
        rows.append({
            "metric": target.metric, "published": target.published, "simulated_mean": mean,
            "ci_low": low, "ci_high": high, "gap_share": gap,
            "tolerance_share": target.tolerance_share,
            "within_tolerance": abs(gap) <= target.tolerance_share, "source": target.source,
        })
    return pd.DataFrame(rows)


def _status(step: FitStep) -> str:
    if step.skipped:
        return "not needed (target already met)"
    if step.at_bound:
        return "at a bound of its range; target not met"
    if step.fitted in (step.low, step.high):
        return "at the edge of its range; target met"
    return "fitted inside its range"


def steps_table(steps: list[FitStep]) -> pd.DataFrame:
    """The fitted parameters against their ranges."""
    return pd.DataFrame([{
        "parameter": s.parameter, "unit": s.unit, "target": s.target, "low": s.low,
        "high": s.high, "prior": s.prior, "fitted": s.fitted, "published": s.published,
        "simulated_at_fit": s.simulated, "trials": len(s.trials),
        "status": _status(s),
    } for s in steps])


FITTED_NOTE = "fitted to 2018-2023 by run_scenario.py calibrate"


def calibrated_yaml(fitted: Scenario, steps: list[FitStep], extends: str, when: str) -> str:
    """Text of the calibrated-parameters file: the parent it extends plus each fitted value."""
    tree: dict = {}
    for step in steps:
        if step.skipped:
            continue
        estimate = estimate_at(fitted, step.parameter)
        prior_note = (estimate.assumption or "").split("; baseline note: ")[-1]
        node = tree
        *parents, leaf = step.parameter.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = {
            "value": round(step.fitted, 6), "low": step.low, "high": step.high,
            "assumption": f"{FITTED_NOTE} on {when} (to {step.target} {step.published:g}; "
                          f"{'at a bound of its range' if step.at_bound else 'inside its range'})"
                          f"; baseline note: {prior_note}",
        }
    header = (
        f"{SCHEMA_MODELINE}\n"
        "# Calibrated parameters, written by `python run_scenario.py calibrate "
        "scenarios/history_2018_2023.yaml`.\n"
        "# Each value was fitted inside its plausible range to the published 2018-2023 total\n"
        "# it governs; status_quo.yaml and the other scenarios extend this file. Do not edit\n"
        "# by hand: re-run the calibration instead.\n"
    )
    body = yaml.safe_dump({"extends": extends, "name": "calibrated", **tree}, sort_keys=False,
                          allow_unicode=True, width=100)
    return header + body


def calibration_runs(scenario: Scenario) -> int:
    """Replications a calibration runs at most: trials, verification and checks (about 50)."""
    settings = scenario.calibration
    trials = len(settings.fit) * settings.iterations * settings.replications if settings else 0
    return trials + scenario.replications + 50


def write_calibration(folder: Path, fitted: Scenario, steps: list[FitStep],
                      end_state: pd.DataFrame, when: str) -> tuple[Path, Path]:
    """Rewrite the calibrated-parameters file and the end-state file the scenarios read.

    Both are written whole or not at all (a temporary file, then a rename), so an
    interrupted calibration never leaves a half-written scenario behind.

    Returns
    -------
    tuple of Path
        The calibrated-parameters file and the end-state file.
    """
    settings = fitted.calibration
    if settings is None:
        raise ValueError("the scenario has no calibration section")
    target = folder / settings.write_to
    parent = extends_of(target) or "baseline.yaml"
    _replace_file(target, calibrated_yaml(fitted, steps, parent, when))
    end_state_file = folder / settings.end_state_to
    _replace_file(end_state_file, end_state.to_csv(index=False))
    return target, end_state_file


def _replace_file(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)
