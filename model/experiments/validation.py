"""Checks that make a planner trust the model: queueing theory and behaviour under CRN.

Each check returns a :class:`Check`: what was expected, what the simulation
gave with its 95 % interval, and whether it passed.  The test suite and the
calibrate command's validation report run the same checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engine.simulation import RunResult, simulate
from model.experiments.replications import interval, run_replications
from model.loading import override
from model.scenario import Scenario
from model.schema_base import STATE_CODES

MMC_SERVERS = 3
MMC_SERVICE_RATE_PER_DAY = 8.0  # 30 minutes of triage at 4 productive hours a calendar day
MMC_LOAD = 0.8
MMC_WINDOW_DAYS = (30.0, 700.0)  # arrivals measured: past the warm-up, before the end


@dataclass(frozen=True)
class Check:
    """One validation check and its outcome."""

    kind: str  # "analytic" or "behavioural"
    name: str
    expected: str
    simulated: float
    ci_low: float
    ci_high: float
    unit: str
    passed: bool


def _fixed(value: float) -> str:
    """An override that pins an estimate, range included, for a test configuration."""
    return f"{{value: {value}, low: {value}, high: {value}, assumption: validation setting}}"


def mmc_scenario(base: Scenario) -> Scenario:
    """``base`` reduced to one M/M/c station: HQ's download team choosing tip-offs.

    Poisson arrivals at a constant rate, exponential triage (effort_cv = 1),
    three people, first come first served, nothing lapsing, downloads instant
    and closed at once so the rest of the pipeline costs no time.
    """
    rate = MMC_LOAD * MMC_SERVERS * MMC_SERVICE_RATE_PER_DAY
    return override(base, [
        "start_date=2024-01-01", "end_date=2025-12-31", "initial_state=null",
        f"arrivals.referrals_per_year={{2024: {_fixed(rate * 366)}, "
        f"2025: {_fixed(rate * 365)}}}",
        f"arrivals.local_reports_per_year={_fixed(0)}",
        f"arrivals.evidence_median_mb={_fixed(1)}",
        f"arrivals.evidence_spread_sigma={_fixed(0)}",
        "selection.discipline=fifo",
        f"selection.retention_window_days={_fixed(100000)}",
        f"selection.triage_minutes={_fixed(30)}",
        f"download.bandwidth_mbps={_fixed(1e6)}",
        f"download.peer_upload_mbps={_fixed(1e6)}",
        f"download.concurrent_downloads_count={_fixed(1000)}",
        f"download.success_prob={_fixed(0)}",
        "hq.download_team={officers: {posts: 1, availability_share: null, changes: []}, "
        "lower_ranks: {posts: 2, availability_share: null, changes: []}}",
        f"staffing.productive_hours={_fixed(6)}",
        f"staffing.working_days_per_year={_fixed(243.5)}",
        f"staffing.availability_share={_fixed(1.0)}",
        f"staffing.attrition_per_year={_fixed(0)}",
        f"staffing.effort_cv={_fixed(1.0)}",
        "training.courses=[]",
    ])


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C formula)."""
    offered = arrival_rate / service_rate
    rho = offered / servers
    terms = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - rho)
    return top / (terms + top) / (servers * service_rate - arrival_rate)


def queue_statistics(run: RunResult) -> tuple[float, float, float]:
    """Mean wait, time-average queue and arrival rate of the measured window."""
    arrival, selected = run.tipoffs.arrival_day, run.ledger.selected_day
    start, end = MMC_WINDOW_DAYS
    inside = (arrival >= start) & (arrival < end)
    if not np.isfinite(selected[inside]).all():
        raise RuntimeError("an arrival in the measured window was never served")
    wait = float(np.mean(selected[inside] - arrival[inside]))
    overlap = np.clip(np.minimum(selected, end) - np.maximum(arrival, start), 0, None)
    queue = float(np.nansum(overlap)) / (end - start)
    return wait, queue, inside.sum() / (end - start)


def analytic_checks(base: Scenario, replications: int = 10) -> list[Check]:
    """Erlang C's wait, Little's law and the offered load, against the M/M/c configuration."""
    scenario = mmc_scenario(base)
    runs = [simulate(scenario, r) for r in range(replications)]
    stats = np.array([queue_statistics(run) for run in runs])
    rate = MMC_LOAD * MMC_SERVERS * MMC_SERVICE_RATE_PER_DAY
    wait = erlang_c_wait(rate, MMC_SERVICE_RATE_PER_DAY, MMC_SERVERS)
    checks = []
    mean, low, high = interval(stats[:, 0])
    checks.append(Check("analytic", "M/M/3 mean wait (Erlang C)", f"{wait:.4f}", mean, low,
                        high, "days", low <= wait <= high))
    mean, low, high = interval(stats[:, 1])
    checks.append(Check("analytic", "M/M/3 time-average queue (Little's law, L = lambda W)",
                        f"{rate * wait:.3f}", mean, low, high, "tip-offs",
                        low <= rate * wait <= high))
    sample_gap = np.abs(stats[:, 1] - stats[:, 2] * stats[:, 0]) / stats[:, 1]
    mean, low, high = interval(sample_gap)
    checks.append(Check("analytic", "Little's law on each run's own path |L - lambda W| / L",
                        "< 0.05", mean, low, high, "fraction", bool(sample_gap.max() < 0.05)))
    return checks


MORE_OF_A_RESOURCE = 5
"""How many "more never actions fewer" checks one call makes (for the family's size)."""


def behavioural_checks(base: Scenario, replications: int = 6, workers: int = 1,
                       family: int = MORE_OF_A_RESOURCE) -> list[Check]:
    """More of any resource never actions fewer beyond noise; zero bandwidth downloads nothing.

    Run on the first year of ``base`` with common random numbers, so that each
    comparison is a paired difference of the same replications.  ``family`` is how
    many such checks are made together (every hypothesis's): each interval is a
    simultaneous 95 % one (Bonferroni), so one false alarm in thirty is not read as a
    fault.
    """
    confidence = 1 - 0.05 / family
    year = override(base, [f"end_date={base.start_date.replace(month=12, day=31)}"])
    bandwidth = year.download.bandwidth_mbps.value * 4
    more = {
        "bandwidth x4": [f"download.bandwidth_mbps={{value: {bandwidth}, high: {bandwidth}}}"],
        "HQ download team +4 posts": _more_posts("hq.download_team.lower_ranks", year, 4),
        "HQ forensic team +8 posts": _more_posts("hq.forensic_team.lower_ranks", year, 8),
        "one more officer in every state": [
            text for code in STATE_CODES
            for text in _more_posts(f"states.{code}.officers", year, 1)],
        "two more campaigns a year in every state": [
            f"states.{code}.campaigns_per_year={year.states[code].campaigns_per_year + 2}"
            for code in STATE_CODES],
    }
    base_actioned = _national(year, replications, "actioned", workers)
    checks = []
    for name, changes in more.items():
        varied = _national(override(year, changes), replications, "actioned", workers)
        mean, low, high = interval(varied - base_actioned, confidence)
        checks.append(Check("behavioural", f"{name}: change in actioned tip-offs",
                            f">= 0 within noise (simultaneous 95 % over {family} checks)",
                            mean, low, high, "tip-offs", high >= 0))
    none = override(year, [f"download.bandwidth_mbps={_fixed(0)}"])
    downloaded = _national(none, 2, "downloaded", workers)
    checks.append(Check("behavioural", "zero bandwidth: tip-offs downloaded", "0",
                        float(downloaded.mean()), float(downloaded.min()),
                        float(downloaded.max()), "tip-offs", bool((downloaded == 0).all())))
    return checks


def _more_posts(path: str, scenario: Scenario, extra: int) -> list[str]:
    """Overrides adding ``extra`` posts to a group, now and in each of its later changes."""
    group: Any = scenario
    for part in path.split("."):
        group = group[part] if isinstance(group, dict) else getattr(group, part)
    overrides = [f"{path}.posts={group.posts + extra}"]
    overrides += [f"{path}.changes.{number}.posts={change.posts + extra}"
                  for number, change in enumerate(group.changes)]
    return overrides


def _national(scenario: Scenario, replications: int, metric: str, workers: int) -> np.ndarray:
    return run_replications(scenario, replications, workers=workers).national(metric)
