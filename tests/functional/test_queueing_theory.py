"""The simulation configured as a single M/M/c station agrees with queueing theory.

The station is HQ's download team choosing tip-offs (model.experiments.validation.mmc_scenario):
Poisson arrivals at a constant rate, exponential triage, c people, first come
first served, nothing lapsing.  Erlang C gives the mean wait; the simulation's
must fall inside its own 95 % interval, and Little's law must tie the
time-average queue to the arrival rate and the wait.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.engine.outcomes import replication_metrics
from model.engine.simulation import simulate
from model.experiments.replications import interval
from model.experiments.validation import (
    MMC_LOAD,
    MMC_SERVERS,
    MMC_SERVICE_RATE_PER_DAY,
    analytic_checks,
    erlang_c_wait,
    mmc_scenario,
    queue_statistics,
)
from model.metrics import NATIONAL

REPLICATIONS = 10
ARRIVALS_PER_DAY = MMC_LOAD * MMC_SERVERS * MMC_SERVICE_RATE_PER_DAY


@pytest.fixture(scope="module")
def runs(status_quo) -> list:
    scenario = mmc_scenario(status_quo)
    return [simulate(scenario, replication) for replication in range(REPLICATIONS)]


def test_erlang_c_formula_textbook_value() -> None:
    """Erlang C reproduces a textbook M/M/2 case: lambda 1, mu 1 gives Wq = 1/3."""
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)


def test_mean_wait_matches_erlang_c(runs) -> None:
    """Erlang C's mean wait lies inside the simulation's 95 % interval, and it is tight."""
    waits = np.array([queue_statistics(run)[0] for run in runs])
    mean, low, high = interval(waits)
    theory = erlang_c_wait(ARRIVALS_PER_DAY, MMC_SERVICE_RATE_PER_DAY, MMC_SERVERS)
    assert low <= theory <= high, f"Erlang C {theory:.4f} d outside [{low:.4f}, {high:.4f}]"
    assert high - low < 0.25 * theory, "interval too wide to be a real check"


def test_littles_law_for_the_queue(runs) -> None:
    """Time-average queue equals arrival rate times mean wait, per run and against theory."""
    theory = ARRIVALS_PER_DAY * erlang_c_wait(ARRIVALS_PER_DAY, MMC_SERVICE_RATE_PER_DAY,
                                              MMC_SERVERS)
    stats = np.array([queue_statistics(run) for run in runs])
    wait, queue, rate = stats[:, 0], stats[:, 1], stats[:, 2]
    assert queue == pytest.approx(rate * wait, rel=0.05)
    mean, low, high = interval(queue)
    assert low <= theory <= high


def test_utilisation_equals_offered_load(runs) -> None:
    """The team's reported utilisation is the offered load rho = lambda / (c mu)."""
    values = []
    for run in runs:
        table = replication_metrics(run)
        row = table[(table.year == 0) & (table.scope == NATIONAL)
                    & (table.metric == "utilisation_hq_download_team")]
        values.append(float(row.value.iloc[0]))
    mean, low, high = interval(np.array(values))
    assert low - 0.01 <= MMC_LOAD <= high + 0.01


def test_validation_report_checks_pass(status_quo) -> None:
    """The analytic checks the calibrate report shows all pass."""
    checks = analytic_checks(status_quo, replications=6)
    assert checks and all(check.passed for check in checks), checks
