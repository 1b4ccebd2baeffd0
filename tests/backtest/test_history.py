"""Backtest: every calibrated hypothesis that claims to fit reproduces the published history.

``run_scenario.py scenarios/history_2018_2023.yaml --hypothesis NAME --replications 10
--seed 11`` must give national figures within the published tolerances for each
hypothesis whose calibrated file says it fits; this test runs the same scenario, seed
and replications.  A hypothesis that does not fit says so in its file and is checked
to say so.
"""

from __future__ import annotations

import pytest

from model.experiments.calibration import target_values
from model.experiments.replications import default_workers, run_replications
from model.loading import available_hypotheses, load_scenario
from tests.conftest import ROOT

HISTORY = ROOT / "scenarios" / "history_2018_2023.yaml"
HYPOTHESES = available_hypotheses(HISTORY)


@pytest.fixture(scope="module", params=HYPOTHESES)
def history(request):
    scenario = load_scenario(HISTORY, [f"hypothesis={request.param}"]).model_copy(
        update={"seed": 11, "replications": 10})
    return scenario, run_replications(scenario, 10, workers=default_workers())


def test_every_shipped_hypothesis_is_calibrated() -> None:
    """The history names at least three download and two raid explanations, all calibrated."""
    scenario = load_scenario(HISTORY)
    assert scenario.calibration is not None
    names = set(scenario.calibration.hypotheses)
    assert len(names) >= 5 and names == set(HYPOTHESES)
    assert {name.split("-")[0] for name in names} >= {"staff", "line", "logistics"}
    assert {name.split("-")[1] for name in names} >= {"capacity", "conversion"}


def test_published_figures_within_tolerance(history) -> None:
    """A hypothesis that claims to fit does, on the backtest's own seed."""
    scenario, results = history
    assert scenario.calibration is not None and scenario.calibrated is not None
    misses = []
    for target in scenario.calibration.targets:
        mean = float(target_values(results, target).mean())
        if abs(mean - target.published) > target.tolerance_share * target.published:
            misses.append(f"{target.metric} {target.year or 'all years'}: simulated "
                          f"{mean:,.0f} against {target.published:,.0f} "
                          f"(+-{target.tolerance_share:.0%})")
    if scenario.calibrated.fits:
        assert not misses, f"{scenario.hypothesis}: " + "; ".join(misses)
    else:
        assert misses, f"{scenario.hypothesis} says it does not fit, yet every figure is met"


def test_lapses_rise_with_the_volume(history) -> None:
    """Under every explanation, lapses rise year on year with the volume of tip-offs."""
    _, results = history
    metrics = results.metrics
    national = metrics[(metrics.scope == "national") & (metrics.year > 0)]
    yearly = national.groupby(["year", "metric"]).value.mean().unstack()
    lapsed = yearly.lapsed.loc[2019:2022]
    assert (lapsed.diff().dropna() > 0).all(), "lapses rise year on year with the volume"
