"""Whole-pipeline behaviour: flow balance, reproducibility, parallel runs, levers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.engine.arrivals import Tipoffs
from model.engine.ledger import Closure, Outcome
from model.engine.simulation import RunResult, simulate
from model.experiments.replications import interval, run_replications
from model.loading import load_scenario
from model.metrics import NATIONAL, WHOLE_HORIZON
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from tests.conftest import STATUS_QUO

BALANCE = ["actioned", "closed_no_action", "lapsed", "lapsed_after_selection",
           "in_system_at_end"]


@pytest.fixture(scope="module")
def crowded() -> Scenario:
    """Short horizon, retention window and stale age: every outcome happens, both lapses too."""
    return load_scenario(STATUS_QUO, [
        "end_date=2024-09-30", "initial_state=null",
        "arrivals.referrals_per_year.2023=60000",
        "selection.retention_window_days={value: 45, low: 30, high: 540, assumption: test}",
        "investigation.stale_after_days={value: 60, low: 30, high: 730, assumption: test}",
        "replications=3",
    ])


@pytest.fixture(scope="module")
def crowded_metrics(crowded: Scenario) -> pd.DataFrame:
    return run_replications(crowded, crowded.replications, workers=1).metrics


def wide(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics.pivot_table(index=["replication", "year", "scope"], columns="metric",
                               values="value")


def test_flows_balance_for_every_replication_scope_and_year(crowded_metrics) -> None:
    """Initial backlog + received = actioned + closed + both lapses + in system, exactly."""
    table = wide(crowded_metrics)
    gap = (table.initial_backlog + table.tipoffs_received - table[BALANCE].sum(axis=1)).abs()
    assert gap.max() == 0
    assert (table[["lapsed", "lapsed_after_selection", "closed_no_action", "actioned"]] > 0
            ).any().all()


def test_years_chain_and_states_add_up(crowded_metrics) -> None:
    """Each year starts with the last one's end; the states sum to the national figure."""
    table = wide(crowded_metrics)
    for replication in table.index.get_level_values("replication").unique():
        national = table.loc[(replication, slice(None), NATIONAL)].sort_index()
        yearly = national.drop(index=WHOLE_HORIZON)
        assert yearly.initial_backlog.iloc[0] == 0
        assert (yearly.initial_backlog.iloc[1:].to_numpy()
                == yearly.in_system_at_end.iloc[:-1].to_numpy()).all()
        counts = ["tipoffs_received", "downloaded", "raids", "actioned", "lapsed"]
        whole = table.loc[(replication, WHOLE_HORIZON)]
        states = whole.drop(index=NATIONAL)[counts].sum()
        assert (states == whole.loc[NATIONAL, counts]).all()


def test_funnel_never_widens(crowded_metrics) -> None:
    """Starting empty, no stage sees more tip-offs than the stage before it."""
    whole = wide(crowded_metrics).xs(WHOLE_HORIZON, level="year")
    funnel = ["tipoffs_received", "selected_for_download", "downloaded", "reviewed",
              "investigated", "raids", "arrests"]
    steps = whole[funnel].to_numpy()
    assert (np.diff(steps, axis=1) <= 0).all()
    assert ((whole.filter(like="utilisation") >= 0) & (whole.filter(like="utilisation") <= 1)
            | whole.filter(like="utilisation").isna()).all().all()


def test_same_seed_same_numbers_other_seed_different(small: Scenario) -> None:
    """Replication r draws the same numbers each time, and different ones under another seed."""
    first = run_replications(small, 2, workers=1)
    again = run_replications(small, 2, workers=1)
    for name in ("metrics", "monthly", "delays"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    other = run_replications(small.model_copy(update={"seed": small.seed + 1}), 2, workers=1)
    assert not first.metrics.value.equals(other.metrics.value)


def test_sequential_equals_parallel(small: Scenario) -> None:
    """Two worker processes give exactly what one process gives."""
    sequential = run_replications(small, 3, workers=1)
    parallel = run_replications(small, 3, workers=2)
    for name in ("metrics", "monthly", "delays"):
        pd.testing.assert_frame_equal(getattr(sequential, name), getattr(parallel, name))


def downloaded_by_replication(scenario: Scenario, replications: int) -> np.ndarray:
    metrics = run_replications(scenario, replications, workers=1).metrics
    chosen = metrics[(metrics.year == WHOLE_HORIZON) & (metrics.scope == NATIONAL)
                     & (metrics.metric == "downloaded")]
    return chosen.sort_values("replication").value.to_numpy()


def test_more_bandwidth_never_downloads_fewer() -> None:
    """With common random numbers, each step up in bandwidth downloads no fewer beyond noise."""
    base = [
        "end_date=2024-03-31", "initial_state=null",
        "arrivals.referrals_per_year.2023=40000",
        "selection.triage_minutes={value: 2, low: 2, high: 45, assumption: test}",
    ]
    levels = [0.5, 1.0, 2.0, 4.0, 8.0]
    downloads = []
    for mbps in levels:
        setting = f"download.bandwidth_mbps={{value: {mbps}, low: 0, high: 100, assumption: t}}"
        downloads.append(downloaded_by_replication(load_scenario(STATUS_QUO, [*base, setting]), 4))
    significant_gain = False
    for less, more in zip(downloads, downloads[1:], strict=False):
        mean, low, high = interval(more - less)
        assert high >= 0, f"more bandwidth downloaded fewer: {mean:.0f} [{low:.0f}, {high:.0f}]"
        significant_gain |= low > 0
    assert significant_gain, "bandwidth never mattered: the check would be empty"


def test_zero_bandwidth_downloads_nothing() -> None:
    """No bandwidth, no downloads, and nothing further down the pipeline."""
    scenario = load_scenario(STATUS_QUO, [
        "end_date=2024-02-29", "initial_state=null",
        "download.bandwidth_mbps={value: 0, low: 0, high: 100, assumption: test}",
    ])
    metrics = run_replications(scenario, 2, workers=1).metrics
    national = metrics[(metrics.scope == NATIONAL) & (metrics.year == WHOLE_HORIZON)]
    values = national.groupby("metric").value.max()
    assert values["tipoffs_received"] > 0
    assert values["downloaded"] == values["reviewed"] == values["raids"] == 0


def in_turn(done_day: np.ndarray, among: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """``flag`` of the tip-offs ``among``, in the order of ``done_day``."""
    chosen = np.flatnonzero(among & ~np.isnan(done_day))
    return flag[chosen[np.argsort(done_day[chosen], kind="stable")]]


def test_the_kth_piece_of_work_draws_alike_whatever_the_plan() -> None:
    """Draws made as work is done are taken in the order of the work, whichever case it is.

    Two lines of different speeds download different tip-offs, so HQ reviews and the
    states investigate different cases.  Yet the ``k``-th identified case HQ concludes is
    actionable in both runs or in neither, and the ``k``-th investigation a state
    concludes leads to a raid in both or in neither.
    """
    base = ["end_date=2024-06-30", "initial_state=null",
            "arrivals.referrals_per_year.2023=40000",
            "selection.triage_minutes={value: 2, low: 2, high: 45, assumption: test}"]
    runs = [simulate(load_scenario(STATUS_QUO, [
        *base, f"download.bandwidth_mbps={{value: {mbps}, low: 0, high: 100, assumption: t}}"]),
        replication=0) for mbps in (1.0, 4.0)]
    reviewed = [~np.isnan(run.ledger.reviewed_day) for run in runs]
    assert (reviewed[0] != reviewed[1]).any(), "the runs should review different tip-offs"

    def sequences(run: RunResult) -> list[np.ndarray]:
        """Not actionable, at HQ in turn; then no raid, in turn, at each state."""
        ledger = run.ledger
        identified = ledger.closure != Closure.NOT_IDENTIFIED
        no_raid = (ledger.outcome == Outcome.ACTIONED) & np.isnan(ledger.raid_day)
        return [in_turn(ledger.reviewed_day, identified, ledger.closure == Closure.NOT_ACTIONABLE),
                *(in_turn(ledger.investigated_day, run.tipoffs.state == state, no_raid)
                  for state in range(len(STATE_CODES)))]

    compared = []
    for first, second in zip(*(sequences(run) for run in runs), strict=True):
        shared = min(len(first), len(second))
        np.testing.assert_array_equal(first[:shared], second[:shared])
        compared.append(first[:shared])
    assert 0 < compared[0].sum() < len(compared[0])  # HQ: the check is not empty
    raids = np.concatenate(compared[1:])
    assert 0 < raids.sum() < len(raids)  # the states: nor is this one


def test_a_campaign_in_one_state_moves_no_other_tip_off() -> None:
    """Campaigns in Selangor add local reports there; every other tip-off is drawn as before.

    The same arrival days, and the same draws for each (its arrest draw stands for them
    all), in every other state and source; Selangor's local reports gain tip-offs.
    """
    base = ["end_date=2024-06-30", "initial_state=null"]
    plain, campaigned = (
        simulate(load_scenario(STATUS_QUO, [*base, *more]), replication=0).tipoffs
        for more in ([], ["states.SGR.campaigns_per_year=4"]))
    selangor = STATE_CODES.index("SGR")

    def others(tipoffs: Tipoffs) -> tuple[np.ndarray, np.ndarray]:
        keep = ~((tipoffs.state == selangor) & tipoffs.local_report)
        return tipoffs.arrival_day[keep], tipoffs.arrest_draw[keep]

    for mine, theirs in zip(others(plain), others(campaigned), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    local = [((t.state == selangor) & t.local_report).sum() for t in (plain, campaigned)]
    assert local[1] > local[0] > 0
