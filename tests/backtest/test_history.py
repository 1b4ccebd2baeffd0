"""Backtest: the calibrated model reproduces the published 2018-2023 figures.

The command the issue names, ``run_scenario.py scenarios/history_2018_2023.yaml
--replications 10 --seed 11``, must give national totals within the published
tolerances; this test runs the same scenario, seed and replications.
"""

from __future__ import annotations

import pytest

from model.experiments.calibration import fit_table
from model.experiments.replications import default_workers, run_replications
from model.loading import load_scenario
from tests.conftest import ROOT

HISTORY = ROOT / "scenarios" / "history_2018_2023.yaml"


@pytest.fixture(scope="module")
def history():
    scenario = load_scenario(HISTORY).model_copy(update={"seed": 11, "replications": 10})
    return scenario, run_replications(scenario, 10, workers=default_workers())


def test_published_totals_within_tolerance(history) -> None:
    """Received, downloaded, raids and arrests within their published tolerances."""
    scenario, results = history
    fit = fit_table(scenario, results).set_index("metric")
    assert set(fit.index) == {"tipoffs_received", "downloaded", "raids", "arrests"}
    expected = {"tipoffs_received": 0.05, "downloaded": 0.15, "raids": 0.20, "arrests": 0.25}
    for metric, tolerance in expected.items():
        row = fit.loc[metric]
        assert row.tolerance_share == tolerance
        assert abs(row.simulated_mean - row.published) <= tolerance * row.published, (
            f"{metric}: simulated {row.simulated_mean:,.0f} against published "
            f"{row.published:,.0f} (+-{tolerance:.0%})")


def test_yearly_pattern_makes_sense(history) -> None:
    """Downloads are held down until the 2022 posts; lapses rise with volume."""
    _, results = history
    metrics = results.metrics
    national = metrics[(metrics.scope == "national") & (metrics.year > 0)]
    yearly = national.groupby(["year", "metric"]).value.mean().unstack()
    share = yearly.downloaded / yearly.tipoffs_received
    assert share.loc[2021] < 0.05, "with part-time staff most tip-offs are not downloaded"
    assert yearly.downloaded.loc[2023] > 5 * yearly.downloaded.loc[2021], "the posts raised it"
    lapsed = yearly.lapsed.loc[2019:2022]
    assert (lapsed.diff().dropna() > 0).all(), "lapses rise year on year with the volume"
