"""utilisation.csv: busy, blocked and idle shares of on-duty time, per group, with intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.experiments.replications import run_replications
from model.experiments.summaries import ResultTables, result_tables
from model.loading import load_scenario
from model.metrics import HQ, NATIONAL, UTILISATION_COLUMNS, UTILISATION_SHARES
from model.schema_base import STATE_CODES
from reports.run_folder import REPORT_HTML, UTILISATION_CSV, result_files, write_run_folder
from reports.run_report import render_run_report
from tests.conftest import STATUS_QUO

SUMMARY_METRICS = {
    (HQ, "download_team"): (NATIONAL, "utilisation_hq_download_team"),
    (HQ, "forensic_team"): (NATIONAL, "utilisation_hq_forensic_team"),
    (HQ, "line"): (NATIONAL, "utilisation_bandwidth"),
    (NATIONAL, "officers"): (NATIONAL, "utilisation_officers"),
    (NATIONAL, "lower_ranks"): (NATIONAL, "utilisation_lower_ranks"),
}


@pytest.fixture(scope="module")
def one_slot() -> ResultTables:
    """Two months from empty with one download slot on a slow line and a 2-minute triage.

    The download team triages far faster than one download at a time can take the
    tip-offs, so its members spend most of their time holding a triaged tip-off
    until the slot frees: blocked, not idle.
    """
    scenario = load_scenario(STATUS_QUO, [
        "end_date=2024-02-29", "initial_state=null",
        "download.concurrent_downloads_count={value: 1, low: 1, high: 20, assumption: test}",
        "download.bandwidth_mbps={value: 2, low: 2, high: 100, assumption: test}",
        "selection.triage_minutes={value: 2, low: 1, high: 45, assumption: test}",
        "replications=3",
    ])
    return result_tables(run_replications(scenario, scenario.replications, workers=1))


def test_rows_and_columns(one_slot: ResultTables) -> None:
    """HQ's two teams and line, then officers and lower ranks nationally and per state."""
    table = one_slot.utilisation
    assert list(table.columns) == UTILISATION_COLUMNS
    expected = [(HQ, "download_team"), (HQ, "forensic_team"), (HQ, "line")]
    expected += [(scope, group) for scope in (NATIONAL, *STATE_CODES)
                 for group in ("officers", "lower_ranks")]
    assert list(zip(table.scope, table.group, strict=True)) == expected


def test_shares_add_up_to_one_and_intervals_stay_inside_zero_and_one(
        one_slot: ResultTables) -> None:
    """Busy + blocked + idle = 1 in every row with on-duty time; every interval in [0, 1]."""
    table = one_slot.utilisation
    defined = table[np.isfinite(table.busy)]
    assert len(defined) >= 5
    total = defined[list(UTILISATION_SHARES)].sum(axis=1)
    assert np.allclose(total, 1.0, rtol=0, atol=1e-12)
    for share in UTILISATION_SHARES:
        low, mean, high = (defined[f"{share}_ci_low"], defined[share],
                           defined[f"{share}_ci_high"])
        assert ((low >= 0) & (low <= mean + 1e-12) & (mean <= high + 1e-12)
                & (high <= 1)).all(), share
    states = defined[defined.scope != HQ]
    assert (states.blocked == 0).all()  # nothing downstream can block a state's work


def test_one_download_slot_and_a_fast_triage_block_the_download_team(
        one_slot: ResultTables) -> None:
    """The team waits for the slot far more than it triages; the line is never blocked."""
    rows = one_slot.utilisation.set_index(["scope", "group"])
    team = rows.loc[(HQ, "download_team")]
    assert team.blocked > 0.5
    assert team.blocked > 10 * team.busy
    assert rows.loc[(HQ, "line")].blocked == 0


def test_busy_is_the_summarys_utilisation(one_slot: ResultTables) -> None:
    """The busy share is the figure summary.csv has always given for the same group."""
    rows = one_slot.utilisation.set_index(["scope", "group"])
    summary = one_slot.summary.set_index(["scope", "metric"])
    for key, metric in SUMMARY_METRICS.items():
        assert rows.loc[key].busy == pytest.approx(summary.loc[metric]["mean"], rel=1e-12)


def test_replications_each_add_up() -> None:
    """The raw shares of one replication add up to one exactly, group by group."""
    scenario = load_scenario(STATUS_QUO, ["end_date=2024-01-31", "initial_state=null"])
    shares: pd.DataFrame = run_replications(scenario, 1).utilisation
    defined = shares[np.isfinite(shares.busy)]
    assert ((defined.busy + defined.blocked + defined.idle) - 1.0).abs().max() < 1e-12
    assert ((defined[list(UTILISATION_SHARES)] >= -1e-12).all()).all()


def test_the_report_shows_the_table_and_renders_a_folder_without_it(
        one_slot: ResultTables, tmp_path: Path) -> None:
    """report.html has the busy, blocked and idle table; an older folder still renders."""
    info = {"scenario": {"name": "one_slot"}, "replications": 3, "packages": {}}
    out = write_run_folder(tmp_path / "run", result_files(one_slot), info,
                           renderers=[render_run_report])
    assert (out / UTILISATION_CSV).is_file()
    page = (out / REPORT_HTML).read_text(encoding="utf-8")
    assert "% holding work that cannot move on" in page
    assert "HQ line (of usable capacity)" in page and "Lower ranks, all states" in page
    assert f"{UTILISATION_CSV} is not in this run folder" not in page

    (out / UTILISATION_CSV).unlink()  # as a folder written before the file existed
    page = render_run_report(out).read_text(encoding="utf-8")
    assert f"{UTILISATION_CSV} is not in this run folder" in page
    assert page.count("data:image/png;base64,") >= 2  # the funnel and the utilisation chart
