"""The simulation configured as a single M/M/c station agrees with queueing theory.

The station is HQ's download team choosing tip-offs: Poisson arrivals at a
constant rate, exponential triage (effort_cv = 1), c people, first come first
served, nothing lapsing, downloads instant (and closed at once, so that the
rest of the pipeline does not cost test time).  Erlang C gives the mean wait; the
simulation's must fall inside its own 95 % interval, and Little's law must tie
the time-average queue to the arrival rate and the wait.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.experiment import interval
from model.loading import load_scenario
from model.results import NATIONAL, replication_metrics
from model.scenario import Scenario
from model.simulation import simulate
from tests.conftest import STATUS_QUO

SERVERS = 3
SERVICE_RATE_PER_DAY = 8.0  # 30 minutes of triage at 4 productive hours a calendar day
LOAD = 0.8
ARRIVALS_PER_DAY = LOAD * SERVERS * SERVICE_RATE_PER_DAY
WINDOW = (30.0, 700.0)  # days whose arrivals are measured: past warm-up, before the end
REPLICATIONS = 10


def wide(value: float) -> str:
    """An estimate override whose range admits a value outside the shipped range."""
    return f"{{value: {value}, low: {value}, high: {value}, assumption: test setting}}"


def mmc_scenario() -> Scenario:
    """Status quo reduced to one M/M/c station (the HQ download team)."""
    return load_scenario(STATUS_QUO, [
        "start_date=2024-01-01", "end_date=2025-12-31",
        f"arrivals.referrals_per_year={{2024: {wide(ARRIVALS_PER_DAY * 366)}, "
        f"2025: {wide(ARRIVALS_PER_DAY * 365)}}}",
        f"arrivals.local_reports_per_year={wide(0)}",
        f"arrivals.evidence_median_mb={wide(1)}",
        f"arrivals.evidence_spread_sigma={wide(0)}",
        "selection.discipline=fifo",
        f"selection.retention_window_days={wide(100000)}",
        "selection.triage_minutes=30",
        f"download.bandwidth_mbps={wide(1e6)}",
        f"download.peer_upload_mbps={wide(1e6)}",
        f"download.concurrent_downloads_count={wide(1000)}",
        f"download.success_prob={wide(0)}",  # nothing flows on: the station alone is timed
        "hq.download_team={officers: {posts: 1}, lower_ranks: {posts: 2}}",
        "staffing.productive_hours=6",
        f"staffing.working_days_per_year={wide(243.5)}",
        "staffing.availability_share=1.0",
        f"staffing.attrition_per_year={wide(0)}",
        "staffing.effort_cv=1.0",
    ])


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C formula)."""
    offered = arrival_rate / service_rate
    rho = offered / servers
    terms = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - rho)
    return top / (terms + top) / (servers * service_rate - arrival_rate)


@pytest.fixture(scope="module")
def runs() -> list:
    scenario = mmc_scenario()
    return [simulate(scenario, replication) for replication in range(REPLICATIONS)]


def waits_in_window(run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrival = run.tipoffs.arrival_day
    selected = run.ledger.selected_day
    inside = (arrival >= WINDOW[0]) & (arrival < WINDOW[1])
    assert np.isfinite(selected[inside]).all(), "every measured arrival was served"
    return arrival, selected, inside


def test_mean_wait_matches_erlang_c(runs) -> None:
    """Erlang C's mean wait lies inside the simulation's 95 % interval."""
    means = []
    for run in runs:
        arrival, selected, inside = waits_in_window(run)
        means.append(float(np.mean(selected[inside] - arrival[inside])))
    mean, low, high = interval(np.array(means))
    theory = erlang_c_wait(ARRIVALS_PER_DAY, SERVICE_RATE_PER_DAY, SERVERS)
    assert low <= theory <= high, f"Erlang C {theory:.4f} d outside [{low:.4f}, {high:.4f}]"
    assert high - low < 0.25 * theory, "interval too wide to be a real check"


def test_littles_law_for_the_queue(runs) -> None:
    """Time-average queue length equals arrival rate times mean wait (Little's law)."""
    theory_queue = ARRIVALS_PER_DAY * erlang_c_wait(ARRIVALS_PER_DAY, SERVICE_RATE_PER_DAY,
                                                    SERVERS)
    queues = []
    for run in runs:
        arrival, selected, inside = waits_in_window(run)
        start, end = WINDOW
        # person-days spent waiting inside the window, over its length
        overlap = np.clip(np.minimum(selected, end) - np.maximum(arrival, start), 0, None)
        queue = float(np.nansum(overlap)) / (end - start)
        observed_rate = inside.sum() / (end - start)
        observed_wait = float(np.mean(selected[inside] - arrival[inside]))
        assert queue == pytest.approx(observed_rate * observed_wait, rel=0.05)
        queues.append(queue)
    mean, low, high = interval(np.array(queues))
    assert low <= theory_queue <= high


def test_utilisation_equals_offered_load(runs) -> None:
    """The team's reported utilisation is the offered load rho = lambda / (c mu)."""
    values = []
    for run in runs:
        table = replication_metrics(run)
        row = table[(table.year == 0) & (table.scope == NATIONAL)
                    & (table.metric == "utilisation_hq_download_team")]
        values.append(float(row.value.iloc[0]))
    mean, low, high = interval(np.array(values))
    assert low - 0.01 <= LOAD <= high + 0.01
