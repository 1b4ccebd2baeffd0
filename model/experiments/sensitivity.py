"""One-at-a-time sensitivity: which assumptions move actioned tip-offs most.

Each assumption is moved to the low and then the high end of its plausible
range, the others held at their values, and the scenario is re-run with the
same seed (common random numbers), so the swing is the parameter's effect and
not luck.  The per-state tip-off weights move together as one group.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from model.experiments.replications import Progress, interval, run_replications
from model.experiments.uncertainty import varied_assumptions
from model.scenario import Scenario, estimate_at, unit_of, with_values

STATE_WEIGHTS = "states.*.tipoff_weight_factor"


def sensitivity_settings(scenario: Scenario) -> list[tuple[str, str, dict[str, float],
                                                            dict[str, float]]]:
    """``(name, unit, values at low, values at high)`` for each assumption or group."""
    settings: dict[str, tuple[str, dict[str, float], dict[str, float]]] = {}
    for path, low, high in varied_assumptions(scenario):
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


def sensitivity_runs(scenario: Scenario, replications: int) -> int:
    """Replications a sensitivity analysis will run (for the estimate shown up front)."""
    return replications * (1 + 2 * len(sensitivity_settings(scenario)))
