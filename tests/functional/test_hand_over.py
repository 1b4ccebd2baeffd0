"""No gap between the history and the future: the tip-offs of 27 Nov-31 Dec 2023 exist.

The history's published counts run to 27 Nov 2023 and status_quo starts on 1 Jan 2024.
The calibration runs each history on to the hand-over with the 2023 arrival rate, so the
end state the future starts from holds that cohort; a year later, when the retention
window has passed, its lapses fall in Dec 2024 like any other month's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from model.experiments.comparisons import PAIRED_METRICS
from model.experiments.replications import run_replications
from model.loading import available_hypotheses, load_scenario
from model.metrics import VERDICTS
from tests.conftest import ROOT, STATUS_QUO


def test_no_month_of_lapses_dips_for_a_missing_cohort() -> None:
    """Lapses in every month of late 2024 stay above half the mean of the months beside."""
    scenario = load_scenario(STATUS_QUO, ["end_date=2025-02-28", "replications=2"])
    monthly = run_replications(scenario, 2, workers=2).monthly
    lapsed = monthly[monthly.metric == "lapsed"].groupby("month").value.mean()
    window = lapsed.loc["2024-10":"2025-02"]
    assert len(window) == 5
    for before, month, after in zip(window.index, window.index[1:], window.index[2:],
                                    strict=False):
        neighbours = (window[before] + window[after]) / 2
        assert window[month] >= neighbours / 2, (
            f"{month}: {window[month]:,.0f} lapses against {neighbours:,.0f} beside it")


def test_the_starting_backlog_holds_the_december_2023_cohort() -> None:
    """The end state has tip-offs younger than 35 days awaiting selection on 1 Jan 2024."""
    scenario = load_scenario(STATUS_QUO)
    assert scenario.initial_state is not None
    assert scenario.initial_state.age_offset_days == 0
    backlog = pd.read_csv(scenario.initial_state.from_file)
    young = backlog[(backlog.stage == "awaiting_selection") & (backlog.age_days_high <= 35)]
    # about 35 days at the 2023 rate (132,133 a year) are waiting or have moved on
    assert young["count"].sum() > 0.3 * 132_133 * 35 / 365


def test_a_scenario_runs_under_every_hypothesis_side_by_side(tmp_path) -> None:
    """--hypothesis all: a run folder per hypothesis and a comparison of them, same seed."""
    out = tmp_path / "all"
    done = subprocess.run([sys.executable, "run_scenario.py", "scenarios/status_quo.yaml",
                           "--hypothesis", "all", "--set", "end_date=2024-01-31",
                           "--replications", "2", "--quiet", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    names = available_hypotheses(STATUS_QUO)
    assert len(names) >= 5
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(dict.fromkeys(comparison.option)) == names
    for name in names:
        info = json.loads((out / "hypotheses" / name / "run.json").read_text())
        assert info["hypothesis"] == name and info["scenario"]["hypothesis"] == name
        summary = pd.read_csv(out / "hypotheses" / name / "summary.csv")
        row = comparison[(comparison.option == name) & (comparison.scope == "national")
                         & (comparison.metric == "downloaded")]
        mine = summary[(summary.scope == "national") & (summary.metric == "downloaded")]
        assert float(row["mean"].iloc[0]) == float(mine["mean"].iloc[0])
    assert (out / "comparison.html").exists()
    paired = pd.read_csv(out / "paired_diff.csv")  # every later hypothesis against each earlier
    assert set(paired.verdict) <= set(VERDICTS) and (paired.threshold_share == 0.01).all()
    assert paired.groupby(["option_a", "option_b"]).size().eq(len(PAIRED_METRICS)).all()
