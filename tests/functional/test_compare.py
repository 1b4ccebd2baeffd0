"""The leadership comparison: options side by side under common random numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

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
    info = json.loads((out / "run.json").read_text())
    assert info["options"] == ["status_quo", "three_to_four_per_state"]
    assert info["scenarios"]["status_quo"]["seed"] == info["seed"]
