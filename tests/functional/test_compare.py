"""The leadership comparison: options side by side under common random numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from model.metrics import PAIRED_COLUMNS, VERDICTS
from tests.conftest import ROOT


def test_compare_writes_side_by_side_tables(tmp_path) -> None:
    """comparison.csv and paired_diff.csv for two shipped options, named after their files."""
    out = tmp_path / "compare"
    done = subprocess.run(
        [sys.executable, "run_scenario.py", "compare", "scenarios/status_quo.yaml",
         "scenarios/three_to_four_per_state.yaml", "--set", "end_date=2024-03-31",
         "--set", "initial_state=null", "--replications", "3", "--quiet", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(comparison.columns) == ["option", "scope", "metric", "unit", "mean", "ci_low",
                                        "ci_high"]
    assert set(comparison.option) == {"status_quo", "three_to_four_per_state"}
    paired = pd.read_csv(out / "paired_diff.csv")
    row = paired[(paired.metric == "actioned")].iloc[0]
    assert (row.option_a, row.option_b) == ("three_to_four_per_state", "status_quo")
    means = comparison[(comparison.scope == "national") & (comparison.metric == "actioned")]
    by_option = dict(zip(means.option, means["mean"], strict=True))
    expected = by_option["three_to_four_per_state"] - by_option["status_quo"]
    assert abs(row.mean_diff - expected) < 1e-6  # paired mean difference = difference of means
    assert list(paired.columns) == PAIRED_COLUMNS
    assert set(paired.verdict) <= set(VERDICTS) and (paired.threshold_share == 0.01).all()
    info = json.loads((out / "run.json").read_text())
    assert info["options"] == ["status_quo", "three_to_four_per_state"]
    assert info["scenarios"]["status_quo"]["seed"] == info["seed"]


def test_compare_under_uncertainty_a_hypothesis_and_a_threshold(tmp_path) -> None:
    """Each option draws its parameters under the hypothesis named; verdicts at 5 %."""
    out = tmp_path / "uncertain"
    done = subprocess.run(
        [sys.executable, "run_scenario.py", "compare", "scenarios/status_quo.yaml",
         "scenarios/three_to_four_per_state.yaml", "--uncertainty", "--hypothesis",
         "staff-capacity", "--threshold", "0.05", "--set", "end_date=2024-02-29",
         "--replications", "3", "--workers", "2", "--quiet", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    paired = pd.read_csv(out / "paired_diff.csv")
    assert list(paired.columns) == PAIRED_COLUMNS
    assert {"adjusted_ci_low", "adjusted_ci_high", "verdict", "threshold_share"} <= set(
        paired.columns)
    assert set(paired.verdict) <= set(VERDICTS)
    assert (paired.threshold_share == 0.05).all()
    # the adjustment only ever widens the interval (or, where the replications cannot
    # tell at the adjusted confidence, leaves none, and no verdict but "no meaningful")
    known = paired[paired.adjusted_ci_low.notna()]
    assert (known.adjusted_ci_low <= known.ci_low + 1e-9).all()
    assert (known.adjusted_ci_high >= known.ci_high - 1e-9).all()
    assert (paired[paired.adjusted_ci_low.isna()].verdict == "no meaningful difference").all()
    info = json.loads((out / "run.json").read_text())
    assert {s["hypothesis"] for s in info["scenarios"].values()} == {"staff-capacity"}
    assert set(info["uncertainty_drawn_from"]) == {"status_quo", "three_to_four_per_state"}
    assert "staff-capacity" in info["uncertainty_drawn_from"]["status_quo"]
    assert info["threshold_share"] == 0.05 and "exceeds 5 % of" in info["verdict_rule"]
    assert "2.5th-97.5th" in info["interval"]
    assert done.stdout.splitlines()[0].startswith(  # raids lead, never "actioned"
        "raids, three_to_four_per_state - status_quo: ")
    assert "(better or worse only where the paired 95 % interval" in done.stdout
    page = (out / "comparison.html").read_text("utf-8")
    assert "exceeds 5 % of the reference" in page
