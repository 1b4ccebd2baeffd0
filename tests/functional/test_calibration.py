"""Calibrating rival hypotheses: the truth is recovered, a wrong explanation is refused.

Small settings throughout (a one-and-a-half-year history, few design points), so that the
procedure is tested in CI; the full calibration of the shipped history is for the
closing note and the benchmark.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from model.experiments.calibration import Executor, fit_hypotheses, target_values
from model.experiments.hypotheses import (
    discriminators_table,
    fitted_parameters_table,
    hypotheses_table,
    write_calibrated,
)
from model.experiments.replications import run_replications
from model.loading import load_scenario, override
from model.scenario import estimate_at
from tests.conftest import ROOT

HISTORY = ROOT / "scenarios" / "history_2018_2023.yaml"
TRUE_TRIAGE_MINUTES = 30.0
SHORT = ["end_date=2022-12-31", "replications=3"]
FIXED = "{download.bandwidth_mbps: 20, download.usable_share: 0.45}"


def _calibration(downloaded: float, raids: float) -> str:
    """A calibration with targets made by the model and two rival hypotheses."""
    return (
        "calibration={targets: ["
        f"{{metric: downloaded, published: {downloaded}, tolerance_share: 0.1, "
        "source: made by the model}, "
        f"{{metric: raids, published: {raids}, tolerance_share: 0.25, source: made by the "
        "model}], hypotheses: {"
        "staff: {description: triage time limits downloads, "
        "free: {selection.triage_minutes: {low: 10, high: 45}}, fixed: " + FIXED + "}, "
        # the line cannot be the limit at 20 Mbps: this explanation must fail
        "ample-line: {description: the line limits downloads, "
        "free: {download.usable_share: {low: 0.3, high: 0.6}}, "
        "fixed: {selection.triage_minutes: 10, download.bandwidth_mbps: 20}}}, "
        "design_points: 8, refine_points: 6, waves: 2, replications: 1, "
        "hand_over_date: 2023-03-01}"
    )


@pytest.fixture(scope="module")
def calibrated():
    base = load_scenario(HISTORY, [*SHORT, f"selection.triage_minutes={TRUE_TRIAGE_MINUTES}",
                                   "download.bandwidth_mbps=20", "download.usable_share=0.45"])
    truth = run_replications(base.model_copy(update={"calibration": None}), 3, workers=2)
    downloaded = float(truth.national("downloaded").mean())
    raids = float(truth.national("raids").mean())
    history = override(base, ["selection.triage_minutes=20", "calibration=null",
                              _calibration(downloaded, raids)])
    fits = fit_hypotheses(history, ["staff", "ample-line"], Executor(workers=2))
    return history, {fit.name: fit for fit in fits}, downloaded


def test_the_truth_is_among_the_plausible_and_its_median_near_it(calibrated) -> None:
    """Targets made by the model at a known triage time lead the search back to it."""
    history, fits, downloaded = calibrated
    staff = fits["staff"]
    values = [point.values["selection.triage_minutes"] for point in staff.plausible]
    assert values, "a hypothesis that made the targets must fit them"
    assert min(values) <= TRUE_TRIAGE_MINUTES * 1.15 and max(values) >= TRUE_TRIAGE_MINUTES * 0.85
    assert staff.values["selection.triage_minutes"] == pytest.approx(TRUE_TRIAGE_MINUTES,
                                                                       rel=0.2)
    target = history.calibration.targets[0]
    verified = target_values(staff.verification, target).mean()
    assert abs(verified - downloaded) <= 0.1 * downloaded


def test_a_wrong_explanation_is_reported_not_fitted(calibrated) -> None:
    """No usable share makes a wide line the limit: no plausible point, and it says so."""
    history, fits, _ = calibrated
    table = fitted_parameters_table(list(fits.values()), history).set_index("hypothesis")
    assert not fits["ample-line"].plausible
    assert table.loc["ample-line", "status"] == "not fitted: no plausible point"
    assert table.loc["staff", "status"] != "not fitted: no plausible point"
    fit = hypotheses_table(list(fits.values()), history.calibration.targets)
    within = fit[fit.published.notna()].groupby("hypothesis").within_tolerance.all()
    assert bool(within["staff"]) and not bool(within["ample-line"])


def test_a_pair_is_told_apart_by_a_figure_with_both_predictions(calibrated) -> None:
    """The discriminator names an observable figure and each hypothesis's interval."""
    _, fits, _ = calibrated
    table = discriminators_table(list(fits.values()))
    assert len(table) == 1
    row = table.iloc[0]
    assert {row.hypothesis_a, row.hypothesis_b} == {"staff", "ample-line"}
    assert row.a_low <= row.value_a <= row.a_high and row.b_low <= row.value_b <= row.b_high
    assert row.value_a != pytest.approx(row.value_b, rel=0.05)


def test_a_value_at_a_bound_is_flagged(calibrated) -> None:
    """A median at the end of its range is 'at a bound', never kept silently."""
    history, fits, _ = calibrated
    table = fitted_parameters_table(list(fits.values()), history)
    flagged = table[table.at_bound]
    assert all("bound" in status or "not fitted" in status for status in flagged.status)


def test_calibrated_files_load_as_a_hypothesis_with_its_end_state(calibrated, tmp_path) -> None:
    """calibrated/NAME.yaml and end_states/NAME.csv make a forward scenario under NAME."""
    history, fits, _ = calibrated
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "baseline.yaml").write_text((ROOT / "scenarios" / "baseline.yaml").read_text())
    written = write_calibrated(folder, [fits["staff"]], history, "2026-11-30")
    assert {path.name for path in written} == {"staff.yaml", "staff.csv"}
    forward = folder / "forward.yaml"
    forward.write_text("extends: calibrated/{hypothesis}.yaml\nhypothesis: staff\n"
                       "name: forward\nstart_date: 2023-03-01\nend_date: 2023-06-30\n")
    scenario = load_scenario(forward)
    assert scenario.hypothesis == "staff" and scenario.calibrated is not None
    assert scenario.calibrated.parameters == ("selection.triage_minutes",)
    assert len(scenario.calibrated.plausible) == len(fits["staff"].plausible)
    value = estimate_at(scenario, "selection.triage_minutes").value
    assert value == pytest.approx(fits["staff"].values["selection.triage_minutes"], rel=1e-5)
    assert scenario.initial_state is not None
    backlog = pd.read_csv(scenario.initial_state.from_file)
    assert backlog["count"].sum() > 0


def test_calibrated_files_written_elsewhere_load_from_there(calibrated, tmp_path) -> None:
    """--write-to and --end-states-to: the files go there and name their parents from there."""
    history, fits, _ = calibrated
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "baseline.yaml").write_text((ROOT / "scenarios" / "baseline.yaml").read_text())
    elsewhere, states = tmp_path / "review" / "values", tmp_path / "review" / "states"
    written = write_calibrated(folder, [fits["staff"]], history, "2026-12-07", elsewhere,
                               states)
    assert set(written) == {elsewhere / "staff.yaml", states / "staff.csv"}
    assert not (folder / "calibrated").exists() and not (folder / "end_states").exists()
    scenario = load_scenario(elsewhere / "staff.yaml")
    assert scenario.initial_state is not None
    assert Path(scenario.initial_state.from_file) == (states / "staff.csv").resolve()
    value = estimate_at(scenario, "selection.triage_minutes").value
    assert value == pytest.approx(fits["staff"].values["selection.triage_minutes"], rel=1e-5)
