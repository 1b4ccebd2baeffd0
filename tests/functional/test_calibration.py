"""Calibration recovers a parameter whose true value is known."""

from __future__ import annotations

import pytest

from model.experiments.calibration import calibrated_yaml, fit_parameters
from model.experiments.replications import run_replications
from model.loading import load_scenario, override
from model.scenario import estimate_at
from tests.conftest import STATUS_QUO

TRUE_TRIAGE_MINUTES = 20.0


def test_fit_recovers_a_known_triage_time(tmp_path) -> None:
    """Targets made by the model at a known value lead the fit back to that value."""
    base = load_scenario(STATUS_QUO, [
        "end_date=2024-04-30", "initial_state=null",
        "arrivals.referrals_per_year.2023=60000",
        f"selection.triage_minutes={TRUE_TRIAGE_MINUTES}",
    ])
    truth = run_replications(base, 4, workers=1)
    downloaded = float(truth.national("downloaded").mean())
    scenario = override(base, [
        "selection.triage_minutes=30",  # start away from the truth
        f"calibration={{targets: [{{metric: downloaded, published: {downloaded}, "
        "tolerance_share: 0.1, source: made by the model}], fit: [{parameter: "
        "selection.triage_minutes, target: downloaded}], replications: 4, iterations: 8}",
    ])
    fitted, steps = fit_parameters(scenario, workers=1)
    value = estimate_at(fitted, "selection.triage_minutes").value
    assert value == pytest.approx(TRUE_TRIAGE_MINUTES, rel=0.1)
    assert not steps[0].at_bound
    assert abs(steps[0].simulated - downloaded) <= 0.02 * downloaded
    text = calibrated_yaml(fitted, steps, "baseline.yaml", "2026-01-01")
    assert "extends: baseline.yaml" in text and "triage_minutes" in text


def test_unreachable_target_stops_at_a_bound() -> None:
    """A target no value in the range can reach ends at the nearer bound, flagged."""
    scenario = load_scenario(STATUS_QUO, [
        "end_date=2024-02-29", "initial_state=null",
        "arrivals.referrals_per_year.2023=20000",
        "calibration={targets: [{metric: downloaded, published: 1000000, tolerance_share: 0.1, "
        "source: impossible}], fit: [{parameter: selection.triage_minutes, "
        "target: downloaded}], replications: 2, iterations: 4}",
    ])
    fitted, steps = fit_parameters(scenario, workers=1)
    assert steps[0].at_bound
    assert estimate_at(fitted, "selection.triage_minutes").value == steps[0].low
