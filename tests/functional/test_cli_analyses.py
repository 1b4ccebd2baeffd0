"""The calibrate and sensitivity commands, and the run modes, end to end on small settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT

SHORT_HISTORY = ["--set", "end_date=2018-12-31", "--set", "calibration.replications=2",
                 "--set", "calibration.iterations=3", "--replications", "2", "--quiet"]


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "calibration"
    before = (ROOT / "scenarios" / "calibrated.yaml").read_text(encoding="utf-8")
    done = run_cli("calibrate", "scenarios/history_2018_2023.yaml", *SHORT_HISTORY,
                   "--no-write", "--out", out)
    assert done.returncode == 0, done.stderr
    assert (ROOT / "scenarios" / "calibrated.yaml").read_text(encoding="utf-8") == before
    return out, done.stdout


def test_calibrate_writes_its_report_and_tables(calibration) -> None:
    """fit, fitted parameters, checks and an offline validation.html, numbers from fit.csv."""
    out, stdout = calibration
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit.metric) == ["tipoffs_received", "downloaded", "raids", "arrests"]
    fitted = pd.read_csv(out / "fitted_parameters.csv")
    assert set(fitted.parameter) == {"selection.triage_minutes", "investigation.officer_hours",
                                     "investigation.raid_prob"}
    assert ((fitted.fitted >= fitted.low) & (fitted.fitted <= fitted.high)).all()
    checks = pd.read_csv(out / "checks.csv")
    assert {"analytic", "behavioural"} == set(checks.kind)
    page = (out / "validation.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert f"{fit.published.iloc[1]:,.0f}" in page  # the published downloads
    assert "Erlang C" in page and "Little" in page
    assert "checks:" in stdout


def test_replicate_until_precise_says_how_many(tmp_path) -> None:
    """--replications auto stops inside the cap and records the rule in run.json."""
    out = tmp_path / "auto"
    done = run_cli("scenarios/status_quo.yaml", "--set", "end_date=2024-02-29",
                   "--replications", "auto", "--precision", "0.2", "--max-replications", "8",
                   "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    info = json.loads((out / "run.json").read_text())
    assert 5 <= info["replications"] <= 8
    assert info["replications_rule"]["precision_share"] == 0.2
    assert f"replications: {info['replications']}" in done.stdout


def test_uncertainty_run_says_which_interval(tmp_path) -> None:
    """--uncertainty labels its intervals as parameter and event uncertainty."""
    out = tmp_path / "uncertain"
    done = run_cli("scenarios/status_quo.yaml", "--set", "end_date=2024-02-29",
                   "--replications", "4", "--uncertainty", "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    info = json.loads((out / "run.json").read_text())
    assert "plausible range" in info["interval"]
    assert "plausible range" in (out / "report.html").read_text(encoding="utf-8")


def test_sensitivity_ranks_assumptions(tmp_path) -> None:
    """The sensitivity command writes a ranked table and a tornado page."""
    out = tmp_path / "sensitivity"
    done = run_cli("sensitivity", "scenarios/status_quo.yaml", "--set", "end_date=2024-01-31",
                   "--set", "initial_state=null", "--replications", "2", "--quiet",
                   "--out", out)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "sensitivity.csv")
    assert table.swing.abs().is_monotonic_decreasing
    assert "states.*.tipoff_weight_factor" in set(table.parameter)
    assert not any(name.endswith("districts") for name in table.parameter)
    page = (out / "sensitivity.html").read_text(encoding="utf-8")
    assert table.parameter.iloc[0] in page and "https://" not in page
