"""One-at-a-time sensitivity: which assumptions move actioned tip-offs most.

Each assumption is moved to the low and then the high end of its plausible
range, the others held at their values, and the scenario is re-run with the
same seed (common random numbers), so the swing is the parameter's effect and
not luck.  The per-state tip-off weights move together as one group.

Under a calibrated hypothesis, moving an assumption the history constrains without
refitting shows an effect the calibration would undo (or none, where it would
compensate).  So the largest few are then refitted: the hypothesis's free parameters
are recalibrated to the history with the assumption at each end, and the effect is
measured with the refitted values.  The hypothesis's own parameters are not moved
here: ``--uncertainty`` draws them from their plausible set, and ``--hypothesis all``
sets the explanations side by side.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from model.experiments.calibration import refit
from model.experiments.replications import Progress, interval, run_replications
from model.experiments.uncertainty import varied_assumptions
from model.scenario import Scenario, estimate_at, with_values
from model.schema_base import unit_of

STATE_WEIGHTS = "states.*.tipoff_weight_factor"


def sensitivity_settings(scenario: Scenario) -> list[tuple[str, str, dict[str, float],
                                                            dict[str, float]]]:
    """``(name, unit, values at low, values at high)`` for each assumption or group."""
    settings: dict[str, tuple[str, dict[str, float], dict[str, float]]] = {}
    calibrated = scenario.calibrated
    own = set(calibrated.parameters) | set(calibrated.fixed_parameters) if calibrated else set()
    for path, low, high in varied_assumptions(scenario):
        if path in own:
            continue
        name = STATE_WEIGHTS if path.endswith(".tipoff_weight_factor") else path
        unit, lows, highs = settings.setdefault(name, (unit_of(path.split(".")[-1]), {}, {}))
        lows[path], highs[path] = low, high
    return [(name, unit, lows, highs) for name, (unit, lows, highs) in settings.items()]


def national_values(scenario: Scenario, replications: int, workers: int, metric: str,
                    progress: Progress | None) -> np.ndarray:
    """A national whole-horizon metric per replication."""
    return run_replications(scenario, replications, workers, progress).national(metric)


def one_at_a_time(scenario: Scenario, replications: int, workers: int,
                  metric: str = "actioned", progress: Progress | None = None,
                  announce: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Swing of ``metric`` across each assumption's range, most influential first.

    Columns: parameter, unit, low, value, high, then the metric's mean at the
    low end, at the base and at the high end, the paired differences from the
    base with 95 % intervals, and the swing (high end minus low end).
    """
    base = national_values(scenario, replications, workers, metric, progress)
    rows = []
    for name, unit, lows, highs in sensitivity_settings(scenario):
        if announce:
            announce(name)
        at_low = national_values(with_values(scenario, lows), replications, workers, metric,
                                 progress)
        at_high = national_values(with_values(scenario, highs), replications, workers, metric,
                                  progress)
        first = next(iter(lows))
        down, down_low, down_high = interval(at_low - base)
        up, up_low, up_high = interval(at_high - base)
        rows.append({
            "parameter": name, "unit": unit, "low": lows[first],
            "value": estimate_at(scenario, first).value, "high": highs[first],
            f"{metric}_at_low": at_low.mean(), f"{metric}_at_base": base.mean(),
            f"{metric}_at_high": at_high.mean(),
            "change_at_low": down, "change_at_low_ci_low": down_low,
            "change_at_low_ci_high": down_high,
            "change_at_high": up, "change_at_high_ci_low": up_low,
            "change_at_high_ci_high": up_high,
            "swing": float(at_high.mean() - at_low.mean()),
        })
    table = pd.DataFrame(rows)
    order = table.swing.abs().sort_values(ascending=False).index
    return table.loc[order].reset_index(drop=True)


REFITTED = 8
"""How many of the largest effects are refitted to the history before they are measured."""
REFIT_POINTS = 12
"""Design points of each refit (one replication each, in the plausible set's box)."""


def refit_largest(scenario: Scenario, history: Scenario, table: pd.DataFrame,
                  replications: int, workers: int, metric: str = "actioned",
                  top: int = REFITTED, progress: Progress | None = None,
                  announce: Callable[[str], None] | None = None) -> pd.DataFrame:
    """The table with the ``top`` largest effects measured again after refitting.

    Adds ``refitted``, ``<metric>_at_low_refitted``, ``<metric>_at_high_refitted``,
    ``swing_refitted`` and ``refit_implausibility_low``/``_high`` (above 1: the history
    cannot be matched with the assumption at that end, whatever the free parameters),
    and orders the rows by the refitted swing where there is one.
    """
    calibrated = scenario.calibrated
    if calibrated is None or history.calibration is None \
            or calibrated.name not in history.calibration.hypotheses:
        raise ValueError("refitting needs a scenario under a hypothesis its history calibrates")
    hypothesis = history.calibration.hypotheses[calibrated.name]
    settings = {name: (lows, highs) for name, _, lows, highs in sensitivity_settings(scenario)}
    table = table.assign(refitted=False)
    for number, index in enumerate(table.index[:top]):
        name = str(table.at[index, "parameter"])
        if announce:
            announce(f"refitting {name} ...")
        for end, values in zip(("low", "high"), settings[name], strict=True):
            fit = refit(history, hypothesis, calibrated.plausible, values, REFIT_POINTS,
                        workers, history.seed + 7919 * (number + 1), progress)
            varied = with_values(scenario, {**values, **fit.values})
            at = national_values(varied, replications, workers, metric, progress)
            table.at[index, f"{metric}_at_{end}_refitted"] = float(at.mean())
            table.at[index, f"refit_implausibility_{end}"] = fit.implausibility
        table.at[index, "refitted"] = True
        table.at[index, "swing_refitted"] = (table.at[index, f"{metric}_at_high_refitted"]
                                             - table.at[index, f"{metric}_at_low_refitted"])
    key = table.swing_refitted.where(table.refitted, table.swing).abs()
    return table.loc[key.sort_values(ascending=False).index].reset_index(drop=True)


def sensitivity_runs(scenario: Scenario, replications: int, refitted: int = 0,
                     history_replications: int = 0) -> int:
    """Replications a sensitivity analysis will run (for the estimate shown up front)."""
    plain = replications * (1 + 2 * len(sensitivity_settings(scenario)))
    return plain + refitted * 2 * (replications + REFIT_POINTS * history_replications)
