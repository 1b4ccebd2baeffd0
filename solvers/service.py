"""Service levels checked in the simulation: each floor's value and whether the plan kept it.

A floor relative to the status quo is a fraction of the status quo's simulated mean (the
same replications, common random numbers); an absolute floor is as written.  ``met`` says
whether the plan's simulated mean reaches the floor; the paired interval of plan minus
floor-times-status-quo says whether that is beyond noise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from model.experiments.replications import Replications, interval
from model.scenario import Scenario
from solvers.settings import optimise_settings

SERVICE_COLUMNS = ["metric", "scope", "floor", "relative_to", "floor_value", "mean", "ci_low",
                   "ci_high", "margin_ci_low", "margin_ci_high", "met", "note"]


def objective_values(results: Replications, weights: dict[str, float]) -> np.ndarray:
    """The objective in each replication: the weighted sum of national outcomes."""
    return np.asarray(sum(w * results.national(metric) for metric, w in weights.items()),
                      dtype=float)


def values_of(results: Replications, metric: str, scope: str) -> np.ndarray:
    """A whole-horizon metric at a scope, one value per replication, in replication order."""
    return results.in_scope(metric, scope).astype(float)


def service_level_table(scenario: Scenario, results: Mapping[str, Replications], chosen: str,
                        status_quo: str) -> pd.DataFrame:
    """Each service level: its floor's value, the plan's mean with its interval, and met.

    ``margin_ci_*`` is the paired 95 % interval of the plan's value minus the floor's
    (for a relative floor, minus floor x the status quo's value in the same replication).
    """
    settings = optimise_settings(scenario)
    rows = []
    for level in settings.service_levels:
        plan = values_of(results[chosen], level.metric, level.scope)
        if level.relative_to is not None:
            base = values_of(results[status_quo], level.metric, level.scope)
            floors = level.floor * base
        else:
            floors = np.full(plan.shape, level.floor)
        mean, low, high = interval(plan)
        _, margin_low, margin_high = interval(plan - floors) if plan.size == floors.size \
            else (np.nan, np.nan, np.nan)
        floor_value = float(np.nanmean(floors)) if floors.size else np.nan
        rows.append({"metric": level.metric, "scope": level.scope, "floor": level.floor,
                     "relative_to": level.relative_to or "", "floor_value": floor_value,
                     "mean": mean, "ci_low": low, "ci_high": high,
                     "margin_ci_low": margin_low, "margin_ci_high": margin_high,
                     # held: the paired interval lies at or above the floor
                     "met": bool(margin_low >= -1e-9) if plan.size > 1 else None,
                     "note": level.note})
    return pd.DataFrame(rows, columns=SERVICE_COLUMNS)
