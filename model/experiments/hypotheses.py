"""What a calibration of rival hypotheses reports: fit, plausible ranges, what tells them apart.

The tables are the calibration's result contract (``hypotheses.csv``,
``fitted_parameters.csv``, ``discriminators.csv``); the calibrated files are the
values each hypothesis leaves for the forward scenarios (``calibrated/NAME.yaml``,
which a scenario extends as ``calibrated/{hypothesis}.yaml``).
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from model.calibration_schema import CalibrationTarget, ParameterRange
from model.experiments.calibration import HypothesisFit, target_values
from model.experiments.replications import interval
from model.experiments.validation import (
    MORE_OF_A_RESOURCE,
    Check,
    analytic_checks,
    behavioural_checks,
)
from model.loading import SCHEMA_FILE
from model.metrics import NATIONAL
from model.scenario import Scenario, estimate_at

AT_BOUND_SHARE = 0.02
"""A calibrated value this close to an end of its range (as a share of it) is at a bound."""
IDENTIFIED_SHARE = 0.5
"""A plausible range narrower than this share of the searched range counts as constrained."""
RECORDED_METRICS = ("downloaded", "raids", "reviewed", "lapsed", "closed_no_action")
"""Counts D11 keeps in its case records: preferred as a question to put to it."""
DISCRIMINATING_METRICS = (*RECORDED_METRICS, "utilisation_bandwidth",
                          "utilisation_hq_download_team", "utilisation_officers")
"""Observable national figures, per year, among which the one that tells two
hypotheses apart best is chosen."""


def hypotheses_table(fits: Sequence[HypothesisFit],
                     targets: Sequence[CalibrationTarget]) -> pd.DataFrame:
    """``hypotheses.csv``: each hypothesis's fit to every target, then the years it implies.

    Rows with a ``published`` figure are the targets (``year`` empty for a whole-history
    total); the rows after them give each year's downloads and raids the calibrated
    values imply, with no published figure to compare.
    """
    rows = []
    for fit in fits:
        for target in targets:
            mean, low, high = interval(target_values(fit.verification, target))
            gap = abs(mean - target.published) / target.published
            rows.append({"hypothesis": fit.name, "metric": target.metric, "year": target.year,
                         "published": target.published, "simulated_mean": mean,
                         "ci_low": low, "ci_high": high,
                         "within_tolerance": bool(gap <= target.tolerance_share)})
        yearly = fit.verification.metrics
        for metric in ("downloaded", "raids"):
            for year in sorted(int(y) for y in yearly.year.unique() if y):
                values = _national(fit, metric, year)
                mean, low, high = interval(values)
                rows.append({"hypothesis": fit.name, "metric": metric, "year": year,
                             "published": math.nan, "simulated_mean": mean, "ci_low": low,
                             "ci_high": high, "within_tolerance": None})
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("Int64")
    return frame


def fitted_parameters_table(fits: Sequence[HypothesisFit],
                            history: Scenario) -> pd.DataFrame:
    """``fitted_parameters.csv``: each free parameter's value against its ranges.

    ``value`` is the median of the plausible sample; ``low``/``high`` the prior range
    of the assumption; ``plausible_low``/``plausible_high`` what the data allow; a
    value at a bound of the searched range is flagged, never silently kept.
    """
    rows = []
    for fit in fits:
        plausible = fit.plausible
        for name, span in fit.hypothesis.free.items():
            prior = estimate_at(history, name)
            values = [p.values[name] for p in plausible] or [fit.values[name]]
            value = fit.values[name]
            at_bound = min(_position(value, span), 1 - _position(value, span)) <= AT_BOUND_SHARE
            reaches = plausible and (_position(min(values), span) <= AT_BOUND_SHARE
                                     or _position(max(values), span) >= 1 - AT_BOUND_SHARE)
            spread = (_position(max(values), span) - _position(min(values), span)
                      if plausible else math.nan)
            rows.append({
                "hypothesis": fit.name, "parameter": name, "value": value,
                "low": prior.low, "high": prior.high,
                "plausible_low": min(values) if plausible else math.nan,
                "plausible_high": max(values) if plausible else math.nan,
                "at_bound": bool(at_bound), "search_low": span.low, "search_high": span.high,
                "plausible_points": len(plausible),
                "status": _identification(at_bound, bool(reaches), spread, bool(plausible)),
            })
    return pd.DataFrame(rows)


def _position(value: float, span: ParameterRange) -> float:
    """Where a value lies in the range searched, 0 to 1, on the range's own scale."""
    if span.log_scale:
        return float((math.log(value) - math.log(span.low))
                     / (math.log(span.high) - math.log(span.low)))
    return (value - span.low) / (span.high - span.low)


def _identification(at_bound: bool, reaches: bool, spread: float, plausible: bool) -> str:
    if not plausible:
        return "not fitted: no plausible point"
    if at_bound:
        return "at a bound of its range: not identified by the history"
    if reaches:
        return ("plausible up to a bound of its range: the history allows values beyond it, "
                "so the range is the assumption's, not the data's")
    if spread >= IDENTIFIED_SHARE:
        return f"weakly constrained: plausible over {spread:.0%} of its range"
    return "constrained by the history"


def _national(fit: HypothesisFit, metric: str, year: int) -> np.ndarray:
    metrics = fit.verification.metrics
    chosen = metrics[(metrics.year == year) & (metrics.scope == NATIONAL)
                     & (metrics.metric == metric)]
    return chosen.sort_values("replication").value.to_numpy(dtype=float)


def _figures(fit: HypothesisFit) -> dict[str, np.ndarray]:
    """Every candidate observable figure of a hypothesis: ``metric in year`` -> values."""
    years = sorted(int(y) for y in fit.verification.metrics.year.unique() if y)
    figures = {}
    for metric in DISCRIMINATING_METRICS:
        for year in years:
            values = _national(fit, metric, year)
            if values.size and np.isfinite(values).all():
                figures[f"{metric} in {year}"] = values
    return figures


def discriminators_table(fits: Sequence[HypothesisFit]) -> pd.DataFrame:
    """``discriminators.csv``: for each pair, the figure that would tell them apart.

    Among the observable figures whose 95 % intervals do not overlap, a count D11 keeps
    in its records (downloads, raids... per year) before a utilisation it may not
    measure, and then the largest relative difference; if every interval overlaps, the
    largest difference in standard errors (and the intervals show it cannot decide).
    """
    figures = {fit.name: _figures(fit) for fit in fits}
    rows = []
    for a, b in itertools.combinations([fit.name for fit in fits], 2):
        best = _best_figure(figures[a], figures[b])
        if best is None:
            continue
        figure, (mean_a, low_a, high_a), (mean_b, low_b, high_b) = best
        rows.append({"hypothesis_a": a, "hypothesis_b": b, "figure": figure,
                     "value_a": mean_a, "a_low": low_a, "a_high": high_a,
                     "value_b": mean_b, "b_low": low_b, "b_high": high_b})
    return pd.DataFrame(rows, columns=["hypothesis_a", "hypothesis_b", "figure", "value_a",
                                       "a_low", "a_high", "value_b", "b_low", "b_high"])


Estimate3 = tuple[float, float, float]


def _best_figure(a: dict[str, np.ndarray], b: dict[str, np.ndarray],
                 ) -> tuple[str, Estimate3, Estimate3] | None:
    scored = []
    for figure in sorted(set(a) & set(b)):
        ia, ib = interval(a[figure]), interval(b[figure])
        apart = ia[2] < ib[1] or ib[2] < ia[1]
        scale = (abs(ia[0]) + abs(ib[0])) / 2
        relative = abs(ia[0] - ib[0]) / scale if scale > 0 else 0.0
        error = math.hypot(np.std(a[figure], ddof=1) / math.sqrt(a[figure].size),
                           np.std(b[figure], ddof=1) / math.sqrt(b[figure].size))
        standardised = abs(ia[0] - ib[0]) / error if error > 0 else 0.0
        recorded = figure.split(" in ")[0] in RECORDED_METRICS
        scored.append(((apart, apart and recorded, relative if apart else standardised),
                       figure, ia, ib))
    if not scored:
        return None
    _, figure, ia, ib = max(scored, key=lambda item: item[0])
    return figure, ia, ib


def calibrated_yaml(fit: HypothesisFit, history: Scenario, base: str, end_state: str | None,
                    when: str, schema: str = f"../{SCHEMA_FILE}") -> str:
    """Text of ``calibrated/NAME.yaml``: the hypothesis's values over the base scenario.

    ``base``, ``end_state`` and ``schema`` are paths relative to the calibrated file.
    """
    tree: dict = {}
    for path, value in {**fit.hypothesis.fixed, **fit.values}.items():
        free = path in fit.hypothesis.free
        prior = estimate_at(history, path)
        note = (f"calibrated under hypothesis {fit.name} on {when} ({fit.note}; plausible "
                f"over the history: see fitted_parameters.csv)" if free
                else f"fixed by hypothesis {fit.name}: not what limited the history")
        _set(tree, path, {"value": round(float(value), 6), "low": prior.low,
                          "high": prior.high,
                          "assumption": f"{note}; prior note: {prior.assumption}"})
    record = {
        "name": fit.name, "description": fit.hypothesis.description, "calibrated_on": when,
        "fits": _fits(fit, history), "parameters": list(fit.free),
        "fixed_parameters": list(fit.hypothesis.fixed),
        "plausible": [[round(p.values[n], 6) for n in fit.free] for p in fit.plausible],
    }
    body: dict = {"extends": Path(base).as_posix(), "name": f"calibrated-{fit.name}",
                  "calibrated": record}
    if end_state is not None:
        body["initial_state"] = {"from_file": Path(end_state).as_posix(), "note": (
            f"end state of the history under {fit.name}, run on to the hand-over date with "
            "the last year's arrival rate (mean of its replications)")}
    header = (f"# yaml-language-server: $schema={Path(schema).as_posix()}\n"
              f"# Calibrated values of hypothesis '{fit.name}', written by `python "
              "run_scenario.py calibrate scenarios/history_2018_2023.yaml`.\n"
              "# A forward scenario uses them with `extends: calibrated/{hypothesis}.yaml` and "
              f"`hypothesis: {fit.name}`.\n# Do not edit by hand: re-run the calibration.\n")
    return header + yaml.safe_dump({**body, **tree}, sort_keys=False, width=100,
                                   default_flow_style=None)


def _fits(fit: HypothesisFit, history: Scenario) -> bool:
    targets = history.calibration.targets if history.calibration else ()
    return all(abs(float(target_values(fit.verification, t).mean()) - t.published)
               <= t.tolerance_share * t.published for t in targets)


def _set(tree: dict, path: str, value: dict) -> None:
    *parents, leaf = path.split(".")
    node = tree
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def write_calibrated(folder: Path, fits: Sequence[HypothesisFit], history: Scenario,
                     when: str, write_to: Path | None = None,
                     end_states_to: Path | None = None) -> list[Path]:
    """Write each hypothesis's calibrated file and end state, whole or not at all.

    They go to the history's ``calibration.write_to`` and ``end_states_to`` (folders inside
    ``folder``, the history scenario's), or to the folders given on the command line; each
    file names the others it uses relative to itself.
    """
    settings = history.calibration
    if settings is None:
        raise ValueError("the scenario has no calibration section")
    calibrated = (write_to or folder / settings.write_to).resolve()
    end_states = (end_states_to or folder / settings.end_states_to).resolve()
    base = folder.resolve() / _base_of(folder, history)
    schema = folder.resolve() / SCHEMA_FILE
    written = []
    for fit in fits:
        end_state = None
        if fit.end_state is not None:
            path = end_states / f"{fit.name}.csv"
            written.append(_replace_file(path, fit.end_state.to_csv(index=False)))
            end_state = os.path.relpath(path, calibrated)
        text = calibrated_yaml(fit, history, os.path.relpath(base, calibrated), end_state, when,
                               os.path.relpath(schema, calibrated))
        written.append(_replace_file(calibrated / f"{fit.name}.yaml", text))
    return written


def _base_of(folder: Path, history: Scenario) -> str:
    """The file the calibrated values lie over: the one calibrated files already extend."""
    settings = history.calibration
    assert settings is not None
    depth = len(Path(settings.write_to).parts)
    for existing in sorted((folder / settings.write_to).glob("*.yaml")):
        raw = yaml.safe_load(existing.read_text(encoding="utf-8")) or {}
        parent = str(raw.get("extends", ""))
        if parent:
            return parent.removeprefix("../" * depth)
    return "baseline.yaml"


def _replace_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)
    return path


def points_table(fits: Sequence[HypothesisFit]) -> pd.DataFrame:
    """``design_points.csv``: every point searched, its parameters and simulated targets."""
    rows = []
    for fit in fits:
        for number, point in enumerate(fit.points):
            rows.append({"hypothesis": fit.name, "point": number, "wave": point.wave + 1,
                         **{f"param:{k}": v for k, v in point.values.items()},
                         **{f"simulated:{k}": v for k, v in point.simulated.items()},
                         "implausibility": point.implausibility,
                         "plausible": point.plausible})
    return pd.DataFrame(rows)


def checks_table(fits: Sequence[HypothesisFit], workers: int,
                 replications: int = 6) -> pd.DataFrame:
    """The analytic checks (once: they need no hypothesis) and each one's behavioural checks."""
    rows: list[dict[str, object]] = []
    if fits:
        rows += [{"hypothesis": "", **vars(check)}
                 for check in analytic_checks(fits[0].scenario)]
    family = MORE_OF_A_RESOURCE * len(fits)
    for fit in fits:
        checks: list[Check] = behavioural_checks(fit.scenario, replications, workers, family)
        rows += [{"hypothesis": fit.name, **vars(check)} for check in checks]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CalibrationTables:
    """The tables a calibration of hypotheses writes (see the module's docstring)."""

    hypotheses: pd.DataFrame
    fitted_parameters: pd.DataFrame
    discriminators: pd.DataFrame
    design_points: pd.DataFrame
    checks: pd.DataFrame


def calibration_tables(fits: Sequence[HypothesisFit], history: Scenario,
                       checks: pd.DataFrame) -> CalibrationTables:
    """Every table of a calibration of hypotheses."""
    targets = history.calibration.targets if history.calibration else ()
    return CalibrationTables(hypotheses_table(fits, targets),
                             fitted_parameters_table(fits, history),
                             discriminators_table(fits), points_table(fits), checks)
