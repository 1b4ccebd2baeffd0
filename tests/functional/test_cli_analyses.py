"""The calibrate and sensitivity commands, and the run modes, end to end on small settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT

SHORT_HISTORY = ["--set", "end_date=2018-12-31", "--set", "calibration.design_points=4",
                 "--set", "calibration.refine_points=3", "--set",
                 "calibration.hand_over_date=2019-02-01", "--only", "staff-capacity",
                 "--only", "line-capacity", "--replications", "2", "--quiet"]


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "calibration"
    shipped = sorted((ROOT / "scenarios").glob("calibrated/*.yaml"))
    before = [path.read_text(encoding="utf-8") for path in shipped]
    done = run_cli("calibrate", "scenarios/history_2018_2023.yaml", *SHORT_HISTORY,
                   "--no-write", "--out", out)
    assert done.returncode == 0, done.stderr
    assert [path.read_text(encoding="utf-8") for path in shipped] == before
    return out, done.stdout


def test_calibrate_writes_its_report_and_tables(calibration) -> None:
    """The hypotheses' tables, a run folder each and an offline validation.html."""
    out, stdout = calibration
    fit = pd.read_csv(out / "hypotheses.csv")
    assert set(fit.hypothesis) == {"staff-capacity", "line-capacity"}
    targets = fit[fit.published.notna()]
    assert set(targets.metric) == {"tipoffs_received", "downloaded", "raids", "arrests"}
    fitted = pd.read_csv(out / "fitted_parameters.csv")
    assert {"value", "low", "high", "plausible_low", "plausible_high", "at_bound"} <= set(
        fitted.columns)
    assert set(fitted[fitted.hypothesis == "line-capacity"].parameter) == {
        "download.bandwidth_mbps", "download.usable_share", "investigation.officer_hours",
        "investigation.casework_hours"}
    assert ((fitted.value >= fitted.search_low) & (fitted.value <= fitted.search_high)).all()
    pairs = pd.read_csv(out / "discriminators.csv")
    assert len(pairs) == 1 and pairs.figure.iloc[0]
    checks = pd.read_csv(out / "checks.csv")
    assert {"analytic", "behavioural"} == set(checks.kind)
    for name in ("staff-capacity", "line-capacity"):
        assert (out / "hypotheses" / name / "summary.csv").exists()
    page = (out / "validation.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "line-capacity" in page and "staff-capacity" in page
    assert "Erlang C" in page and "Little" in page
    assert "checks:" in stdout and "what would tell them apart" in stdout


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
    """--uncertainty labels its intervals, saying what the parameters are drawn from."""
    out = tmp_path / "uncertain"
    done = run_cli("scenarios/status_quo.yaml", "--set", "end_date=2024-02-29",
                   "--replications", "4", "--uncertainty", "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    info = json.loads((out / "run.json").read_text())
    assert "plausible parameter vectors of hypothesis line-capacity" in info["interval"]
    assert "plausible parameter vectors" in (out / "report.html").read_text(encoding="utf-8")


def test_sensitivity_ranks_assumptions(tmp_path) -> None:
    """A ranked table, the largest effect refitted to the history first, and a tornado page.

    The refit matches the shipped history cut to its first year (its six years, at twelve
    design points for each end, took two minutes of CI's time).
    """
    out = tmp_path / "sensitivity"
    history = tmp_path / "history_2018.yaml"
    history.write_text(f"extends: {ROOT / 'scenarios' / 'history_2018_2023.yaml'}\n"
                       "end_date: 2018-12-31\n", encoding="utf-8")
    done = run_cli("sensitivity", "scenarios/status_quo.yaml", "--set", "end_date=2024-01-31",
                   "--set", "initial_state=null", "--replications", "2", "--refit", "1",
                   "--history", history, "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "sensitivity.csv")
    assert table.refitted.sum() == 1
    assert table.refit_implausibility_low.notna().sum() == 1
    ranked = table.swing_refitted.where(table.refitted, table.swing).abs()
    assert ranked.is_monotonic_decreasing
    calibrated = {"download.bandwidth_mbps", "download.usable_share",
                  "investigation.officer_hours", "investigation.casework_hours",
                  "selection.triage_minutes"}
    assert not calibrated & set(table.parameter), "the hypothesis's own are not moved here"
    assert "states.*.tipoff_weight_factor" in set(table.parameter)
    assert not any(name.endswith("districts") for name in table.parameter)
    page = (out / "sensitivity.html").read_text(encoding="utf-8")
    assert table.parameter.iloc[0] in page and "https://" not in page
