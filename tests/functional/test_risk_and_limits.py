"""Issue 12's engine: outcomes by risk, the welfare cap, campaigns' staff time and tooling.

Each check compares the simulation with a truth worked out apart from the code under
test: a count made tip-off by tip-off from the case book, a throughput from staff hours
and work per case, staff time from the campaigns' person-days.  Scenarios are small (two
months from empty, or none of the status quo's tip-offs) so that the file runs in seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import simpy

from model.engine.arrivals import Tipoffs, year_segments
from model.engine.ledger import Ledger, Outcome, Stage
from model.engine.outcomes import replication_metrics
from model.engine.simulation import PoolTime, RunResult, build_pools, simulate
from model.experiments.replications import run_replications
from model.loading import load_scenario
from model.metrics import METRICS, NATIONAL, WHOLE_HORIZON, fewer_is_better
from model.scenario import Scenario
from model.schema_base import STATE_CODES
from tests.conftest import STATUS_QUO

NEW_COUNTS = ("closed_after_investigation", "high_risk_received", "high_risk_examined",
              "high_risk_due", "high_risk_examined_within_target", "high_risk_lapsed")
BALANCE = ["actioned", "closed_no_action", "lapsed", "lapsed_after_selection",
           "in_system_at_end"]


def assumed(value: float, low: float, high: float) -> str:
    return f"{{value: {value}, low: {low}, high: {high}, assumption: test}}"


TWO_MONTHS = ["end_date=2024-02-29", "initial_state=null",
              f"staffing.attrition_per_year={assumed(0, 0, 0.2)}"]
"""Two months from empty, nobody leaving: throughput is staff hours over work per case."""


def scenario(*overrides: str) -> Scenario:
    return load_scenario(STATUS_QUO, [*TWO_MONTHS, *overrides])


def examined(run: RunResult) -> int:
    return int(np.isfinite(run.ledger.examined_day).sum())


def wide(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics.pivot_table(index=["replication", "year", "scope"], columns="metric",
                               values="value")


# --- the catalogue ------------------------------------------------------------------------


def test_the_new_metrics_are_catalogued_with_units_and_both_languages() -> None:
    """Every new metric has a unit, an English and a Malay label and a meaning."""
    for name in (*NEW_COUNTS, "high_risk_within_target_share"):
        metric = METRICS[name]
        assert metric.unit and metric.label and metric.label_ms and metric.meaning, name
    assert METRICS["high_risk_within_target_share"].unit.startswith("fraction")
    assert fewer_is_better("high_risk_lapsed")
    assert not fewer_is_better("high_risk_examined_within_target")
    assert METRICS["high_risk_examined_within_target"].phrase is not None


# --- actioned splits into raids and closures; the flow identity still holds --------------


@pytest.fixture(scope="module")
def crowded() -> pd.DataFrame:
    """Nine months with short retention and stale ages: raids, closures and lapses all happen."""
    busy = load_scenario(STATUS_QUO, [
        "end_date=2024-09-30", "initial_state=null",
        "arrivals.referrals_per_year.2023=60000",
        f"selection.retention_window_days={assumed(45, 30, 540)}",
        f"investigation.stale_after_days={assumed(60, 30, 730)}",
    ])
    return run_replications(busy, 2, workers=1).metrics


def test_actioned_is_raids_plus_closures_in_every_window_and_scope(crowded) -> None:
    """Actioned = raids + closed_after_investigation exactly, and the flows still balance."""
    table = wide(crowded)
    assert (table.actioned == table.raids + table.closed_after_investigation).all()
    gap = table.initial_backlog + table.tipoffs_received - table[BALANCE].sum(axis=1)
    assert gap.abs().max() == 0
    national = table.xs(NATIONAL, level="scope")
    assert (national.raids > 0).all() and (national.closed_after_investigation > 0).all()
    assert (national.high_risk_lapsed > 0).all()


def test_high_risk_counts_nest_and_states_add_up(crowded) -> None:
    """Within target <= due <= received; the states' counts sum to the national ones."""
    table = wide(crowded)
    assert (table.high_risk_examined_within_target <= table.high_risk_due).all()
    assert (table.high_risk_due <= table.high_risk_received).all()
    assert (table.high_risk_received <= table.tipoffs_received).all()
    assert (table.high_risk_lapsed <= table.lapsed + table.lapsed_after_selection).all()
    whole = table.xs(WHOLE_HORIZON, level="year")
    for replication in whole.index.get_level_values("replication").unique():
        rows = whole.loc[replication]
        states = rows.drop(index=NATIONAL)[list(NEW_COUNTS)].sum()
        assert (states == rows.loc[NATIONAL, list(NEW_COUNTS)]).all()
    share = table.high_risk_within_target_share
    due = table.high_risk_due > 0
    assert np.allclose(share[due], (table.high_risk_examined_within_target / table.high_risk_due
                                    )[due])
    assert share[~due].isna().all()


# --- within target: counted from the case book, tip-off by tip-off ------------------------


def _hand_made_run(arrival: list[float], high: list[bool], examined_day: list[float],
                   horizon_day: float, target_days: float) -> RunResult:
    """A replication of a few tip-offs in one state (PLS), written by hand."""
    count = len(arrival)
    ledger = Ledger.empty(count)
    ledger.examined_day[:] = examined_day
    tipoffs = Tipoffs(
        arrival_day=np.array(arrival), state=np.zeros(count, dtype=np.int8),
        high_priority=np.array(high), local_report=np.zeros(count, dtype=bool),
        size_mb=np.ones(count, dtype=np.float32),
        stage_at_start=np.full(count, Stage.AWAITING_SELECTION, dtype=np.int8))
    pools = {name: PoolTime([0.0], [1.0], [0.0])
             for name in ["hq.download_team", "hq.forensic_team",
                          *(f"{code}.{group}" for code in STATE_CODES
                            for group in ("officers", "lower_ranks"))]}
    return RunResult(replication=0, start_date=dt.date(2024, 1, 1), years=(2024,),
                     year_edges=(0.0, horizon_day), horizon_day=horizon_day, tipoffs=tipoffs,
                     ledger=ledger, pools=pools, link_traffic=(0.0,), link_capacity_per_day=1.0,
                     high_risk_target_days=target_days)


def test_only_tipoffs_whose_target_day_is_inside_the_horizon_count_towards_target() -> None:
    """Five high-risk tip-offs and one other, horizon 100 days, target 7 days.

    On time (day 1, examined day 3), on the target day itself (day 10, examined day 17),
    late (day 20, examined day 30), never examined (day 40), and one that arrived on day 95,
    examined on day 96: its target day 102 lies past the horizon, so it is in neither
    count.  The low-risk tip-off examined on time counts nowhere.
    """
    nan = float("nan")
    run = _hand_made_run(arrival=[1, 10, 20, 40, 50, 95],
                         high=[True, True, True, True, False, True],
                         examined_day=[3, 17, 30, nan, 52, 96],
                         horizon_day=100.0, target_days=7.0)
    values = replication_metrics(run).query("year == 0 and scope == 'national'")
    got = values.set_index("metric").value
    assert got["high_risk_received"] == 5
    assert got["high_risk_examined"] == 4
    assert got["high_risk_due"] == 4
    assert got["high_risk_examined_within_target"] == 2
    assert got["high_risk_within_target_share"] == pytest.approx(0.5)
    state = replication_metrics(run).query("year == 0 and scope == 'PLS'").set_index("metric")
    assert state.value["high_risk_due"] == 4


def test_within_target_matches_a_count_made_case_by_case(small: Scenario) -> None:
    """The engine's within-target and lapsed counts equal a loop over the case book."""
    run = simulate(small, 0)
    tip, led = run.tipoffs, run.ledger
    target = small.risk.high_target_days.value
    due = within = lapsed = 0
    for case in range(len(tip)):
        if not tip.high_priority[case] or not 0 <= tip.arrival_day[case] < run.horizon_day:
            continue
        deadline = tip.arrival_day[case] + target
        if deadline < run.horizon_day:
            due += 1
            within += bool(led.examined_day[case] <= deadline)
    for case in range(len(tip)):
        lapses = (Outcome.LAPSED, Outcome.LAPSED_AFTER_SELECTION)
        lapsed += bool(tip.high_priority[case] and led.outcome[case] in lapses
                       and led.outcome_day[case] < run.horizon_day)
    got = replication_metrics(run).query("year == 0 and scope == 'national'")
    got = got.set_index("metric").value
    assert (got["high_risk_due"], got["high_risk_examined_within_target"]) == (due, within)
    assert got["high_risk_lapsed"] == lapsed
    assert 0 < within < due  # the status quo misses some and meets some


# --- within target: ample capacity against a tiny forensic team ---------------------------


AMPLE = [f"download.bandwidth_mbps={assumed(100, 2, 100)}",
         f"download.concurrent_downloads_count={assumed(20, 2, 20)}",
         f"download.success_prob={assumed(1.0, 0.5, 1.0)}",
         "arrivals.referrals_per_year.2023=2000"]


def _share_within_target(run: RunResult) -> float:
    got = replication_metrics(run).query("year == 0 and scope == 'national'")
    return float(got.set_index("metric").value["high_risk_within_target_share"])


def test_ample_capacity_examines_almost_every_high_risk_tipoff_within_target() -> None:
    """A light load, a fast line and every download found: over 95 % on time."""
    assert _share_within_target(simulate(scenario(*AMPLE), 0)) > 0.95


def test_a_tiny_forensic_team_examines_few_within_target() -> None:
    """One reviewer for the status quo's volume: under a fifth on time."""
    tiny = scenario(*AMPLE[:3], "hq.forensic_team.officers.posts=1",
                    "hq.forensic_team.lower_ranks.posts=0")
    assert _share_within_target(simulate(tiny, 0)) < 0.2


# --- the tools: each moves the stage it acts on, by the share it promises ------------------


TRIAGE_BOUND = ["hq.download_team.officers.posts=1", "hq.download_team.lower_ranks.posts=0",
                f"download.bandwidth_mbps={assumed(100, 2, 100)}"]
SLOT_BOUND = [f"download.concurrent_downloads_count={assumed(1, 1, 20)}",
              f"download.peer_upload_mbps={assumed(0.2, 0.2, 10)}",
              f"download.bandwidth_mbps={assumed(100, 2, 100)}",
              f"selection.triage_minutes={assumed(2, 2, 45)}",
              "arrivals.referrals_per_year.2023=40000"]
REVIEW_BOUND = ["hq.forensic_team.officers.posts=2", "hq.forensic_team.lower_ranks.posts=0",
                f"download.bandwidth_mbps={assumed(100, 2, 100)}",
                f"selection.triage_minutes={assumed(2, 2, 45)}"]


def test_risk_scoring_raises_selection_by_the_triage_share_when_triage_binds() -> None:
    """One triager: triage time x 0.5 selects (and downloads) about twice as many."""
    without = simulate(scenario(*TRIAGE_BOUND), 0)
    tooled = scenario(*TRIAGE_BOUND, "tooling.risk_scoring=true")
    share = tooled.tooling.effects.triage_time_share.value
    scored = simulate(tooled, 0)
    selected = [int(np.isfinite(run.ledger.selected_day).sum()) for run in (without, scored)]
    assert selected[1] / selected[0] == pytest.approx(1 / share, rel=0.1)
    downloaded = [int(np.isfinite(run.ledger.downloaded_day).sum()) for run in (without, scored)]
    assert downloaded[1] > 1.5 * downloaded[0]


def test_workstations_raise_downloads_when_the_slots_bind() -> None:
    """One slot, slow sources: two workstations of two slots each download several times more."""
    without = simulate(scenario(*SLOT_BOUND), 0)
    bought = scenario(*SLOT_BOUND, "tooling.workstations=2")
    assert bought.tooling.extra_download_slots == 4
    more = simulate(bought, 0)
    downloads = [int(np.isfinite(run.ledger.downloaded_day).sum()) for run in (without, more)]
    assert downloads[1] > 3 * downloads[0]


def test_hash_matching_raises_reviews_by_the_review_share_when_the_reviewers_bind() -> None:
    """Two reviewers: review time x 0.7 examines about 1 / 0.7 as many."""
    without = simulate(scenario(*REVIEW_BOUND), 0)
    tooled = scenario(*REVIEW_BOUND, "tooling.hash_matching=true")
    share = tooled.tooling.effects.review_time_share.value
    ratio = examined(simulate(tooled, 0)) / examined(without)
    assert ratio == pytest.approx(1 / share, rel=0.1)


def test_with_nothing_bought_the_tools_effects_change_nothing() -> None:
    """The effects of tools not bought are inert: the same run to the last digit."""
    base = replication_metrics(simulate(scenario(*REVIEW_BOUND), 0))
    moved = scenario(*REVIEW_BOUND, f"tooling.effects.review_time_share={assumed(0.4, 0.4, 0.9)}",
                     f"tooling.effects.triage_time_share={assumed(0.2, 0.2, 0.8)}",
                     f"tooling.effects.downloads_per_workstation={assumed(4, 1, 4)}")
    pd.testing.assert_frame_equal(base, replication_metrics(simulate(moved, 0)))


# --- the welfare cap ------------------------------------------------------------------------


def test_a_cap_below_the_working_day_cuts_reviews_in_proportion() -> None:
    """Two reviewers capped at 3 of their 6 hours examine about half as many.

    Independent truth: a saturated team examines posts x hours a day / hours a review.
    """
    uncapped = scenario(*REVIEW_BOUND)
    capped = scenario(*REVIEW_BOUND, f"review.max_viewing_hours_per_day={assumed(3, 2, 6)}")
    staffing = capped.staffing
    per_day = 3 * staffing.working_days_per_year.value / 365.25 * 2  # two people
    expected = per_day * capped.horizon_days / capped.review.review_hours.value
    got = examined(simulate(capped, 0))
    assert got == pytest.approx(expected, rel=0.15)
    assert got / examined(simulate(uncapped, 0)) == pytest.approx(0.5, abs=0.08)


def test_a_cap_above_the_working_day_changes_nothing() -> None:
    """A cap of 6.5 hours over a 6-hour working day: the same run to the last digit."""
    base = replication_metrics(simulate(scenario(*REVIEW_BOUND), 0))
    loose = scenario(*REVIEW_BOUND, f"review.max_viewing_hours_per_day={assumed(6.5, 2, 8)}")
    pd.testing.assert_frame_equal(base, replication_metrics(simulate(loose, 0)))


def test_the_cap_holds_after_a_change_of_availability() -> None:
    """A forensic team given more of its time mid-horizon stays at the cap; others do not."""
    more_time = scenario(
        f"staffing.availability_share={assumed(0.4, 0.2, 1.0)}",
        f"review.max_viewing_hours_per_day={assumed(3, 2, 6)}",
        "hq.forensic_team.officers.changes=[{date: 2024-02-01, posts: 10, "
        f"availability_share: {assumed(1.0, 0.2, 1.0)}}}]",
        "hq.forensic_team.lower_ranks.changes=[{date: 2024-02-01, posts: 16, "
        f"availability_share: {assumed(1.0, 0.2, 1.0)}}}]",
        "hq.download_team.officers.changes=[{date: 2024-02-01, posts: 4, "
        f"availability_share: {assumed(1.0, 0.2, 1.0)}}}]",
        "hq.download_team.lower_ranks.changes=[{date: 2024-02-01, posts: 6, "
        f"availability_share: {assumed(1.0, 0.2, 1.0)}}}]")
    env = simpy.Environment()
    edges = [first for _, first, _ in year_segments(more_time)] + [more_time.horizon_days]
    pools = build_pools(env, more_time, edges, replication=0)
    staffing = more_time.staffing
    calendar = staffing.working_days_per_year.value / 365.25
    cap = 3 * calendar
    forensic, download = pools["hq.forensic_team"], pools["hq.download_team"]
    assert forensic.hours_per_day == pytest.approx(0.4 * 6 * calendar)  # under the cap
    env.run(until=more_time.day_of(dt.date(2024, 2, 2)))
    assert forensic.hours_per_day == pytest.approx(cap)
    assert download.hours_per_day == pytest.approx(staffing.productive_hours.value * calendar)


# --- campaigns take staff time --------------------------------------------------------------


def _no_tipoffs(*overrides: str) -> Scenario:
    """No tip-offs at all and nobody leaving: the states' only work is their campaigns."""
    return load_scenario(STATUS_QUO, [
        "initial_state=null", f"staffing.attrition_per_year={assumed(0, 0, 0.2)}",
        "arrivals.referrals_per_year.2023=1e-9",
        f"arrivals.local_reports_per_year={assumed(0, 0, 3000)}", *overrides])


@pytest.mark.parametrize("start, end, availability", [("2024-01-01", "2024-12-31", 1.0),
                                                      ("2024-07-01", "2025-06-30", 1.0),
                                                      ("2024-01-01", "2024-12-31", 0.3)])
def test_campaigns_take_their_person_days_of_each_states_casework_staff(
        start: str, end: str, availability: float) -> None:
    """Busy time of each state's casework pool = campaigns x person-days, in calendar days.

    A year of horizon, whole or across two calendar years, holds a year of campaign work.
    A person-day is a working day: a person away for it is away 365.25 / working_days
    calendar days, as pools count time.  States without lower ranks in post do it with
    their officers.  A part-time post is away as long: the casework loses its share.
    """
    sample = _no_tipoffs(f"start_date={start}", f"end_date={end}",
                         f"staffing.availability_share={assumed(availability, 0.2, 1.0)}",
                         "states.SGR.campaigns_per_year=3", "states.KTN.campaigns_per_year=2")
    run = simulate(sample, 0)
    assert len(run.tipoffs) == 0
    staffing = sample.staffing
    days = sample.awareness.campaign_staff_days.value
    for code in STATE_CODES:
        state = sample.states[code]
        group = "lower_ranks" if state.lower_ranks.posts else "officers"
        expected = (state.campaigns_per_year * days * 365.25
                    / staffing.working_days_per_year.value)
        busy = sum(run.pools[f"{code}.{group}"].busy)
        assert busy == pytest.approx(expected, rel=1e-9), code
        other = "officers" if group == "lower_ranks" else "lower_ranks"
        assert sum(run.pools[f"{code}.{other}"].busy) == 0, code


def test_no_campaign_time_leaves_the_run_as_it_was() -> None:
    """Zero person-days a campaign: no campaign process, the states' pools untouched."""
    run = simulate(_no_tipoffs("end_date=2024-03-31",
                               f"awareness.campaign_staff_days={assumed(0, 0, 30)}"), 0)
    assert all(sum(pool.busy) == 0 for pool in run.pools.values())


def test_heavy_campaigns_cut_a_states_investigations() -> None:
    """A year of one person's time on campaigns in Selangor: its casework nearly stops."""
    base = ["end_date=2024-04-30", "arrivals.referrals_per_year.2023=13000",
            f"download.bandwidth_mbps={assumed(100, 2, 100)}"]
    light = scenario(*base, "states.SGR.campaigns_per_year=0")
    heavy = scenario(*base, "states.SGR.campaigns_per_year=12",
                     f"awareness.campaign_staff_days={assumed(30, 5, 30)}")
    started = []
    for sample in (light, heavy):
        run = simulate(sample, 0)
        selangor = run.tipoffs.state == STATE_CODES.index("SGR")
        started.append(int(np.isfinite(run.ledger.casework_day[selangor]).sum()))
    assert started[0] >= 10
    assert started[1] < 0.5 * started[0]
