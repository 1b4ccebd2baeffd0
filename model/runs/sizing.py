"""How big a run will be, estimated before it starts, and refused if it cannot finish.

A replication holds every tip-off of the horizon in memory (the arrays drawn
up front, the selection queue and the case book), and every tip-off HQ selects
becomes a SimPy process that costs far more time than one that only waits to
lapse.  So the size of a replication follows from three counts that can be
worked out from the scenario alone, without simulating:

- tip-offs: the expected arrivals over the horizon (as ``model.engine.arrivals``
  draws them) plus the tip-offs of the starting state;
- flowing tip-offs: those that go on past selection, at most what the HQ
  download team can triage over the horizon, plus the starting state's
  tip-offs already past selection;
- posts: every post of every group (one process each, with its leavers).

The constants below were measured on the development machine (2 cores,
Python 3.11) by ``bench/measure_size.py``, which runs one replication of
``status_quo`` at several volumes and reads the peak resident memory and the
wall time.  They are rough, within a factor of about three either way: what
matters is to refuse, up front and with a way out, a run that would exhaust the
machine's memory or take days, not to predict a run's length to the minute.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from model.engine.arrivals import awareness_uplift, referrals_in_year, state_shares, year_segments
from model.engine.initial_state import initial_state_frame
from model.experiments.executors import usable_cores
from model.experiments.uncertainty import UncertainScenarios
from model.scenario import Scenario, StaffGroup
from model.schema_base import STATE_CODES

PROCESS_BASE_BYTES = 150e6
"""Resident memory of a worker process before its replication: Python, numpy,
pandas, scipy, SimPy and the scenario (measured 137 MB)."""
BYTES_PER_TIPOFF = 300.0
"""Memory per tip-off: about ten float64/int8 columns of the case book, the arrival
arrays, the selection queue's Python lists and the metrics' masks (measured 210-305
bytes between 0.6 and 12 million tip-offs)."""
BYTES_PER_FLOWING_TIPOFF = 1_000.0
"""Extra memory of a tip-off past selection: its SimPy process and events while it
waits for review or investigation (measured about 930 bytes)."""
BYTES_PER_POST = 1_000.0
"""Memory per post: its process and the pool's bookkeeping (measured about 1 KB)."""
SECONDS_PER_TIPOFF = 3e-6
"""Time per tip-off that only arrives and lapses (measured 2.4-3.4 microseconds)."""
SECONDS_PER_FLOWING_TIPOFF = 150e-6
"""Time per tip-off past selection: triage, download, review and on (measured 110
microseconds when review is the bottleneck, up to 340 when every stage keeps up)."""
SECONDS_PER_POST_YEAR = 30e-6
"""Time per post and simulated year: recruitment, leavers and their replacements
(measured about 27 microseconds)."""
SECONDS_PER_TIPOFF_YEAR = 6e-8
"""Time per tip-off and calendar year of the horizon: the metrics of each year look at
every tip-off (measured 7.4 s for 1.2 million tip-offs over 100 years)."""
MEMORY_SHARE = 0.8
"""Share of the machine's physical memory a run may plan to use."""
TIME_LIMIT_SECONDS = 24 * 3600.0
"""A run estimated to take longer than a day is refused."""
ARRIVAL_KNOBS = ("arrivals.referrals_per_year", "arrivals.growth_per_year_factor",
                 "arrivals.local_reports_per_year")


class SizeError(Exception):
    """A run too large for this machine; the message gives the estimate and how to shrink it."""


@dataclass(frozen=True)
class ReplicationSize:
    """What one replication of one scenario holds and costs."""

    tipoffs: float
    flowing_tipoffs: float
    posts: float
    horizon_days: float

    @property
    def bytes(self) -> float:
        """Peak memory of the replication on top of its process, in bytes."""
        return (self.tipoffs * BYTES_PER_TIPOFF + self.flowing_tipoffs * BYTES_PER_FLOWING_TIPOFF
                + self.posts * BYTES_PER_POST)

    @property
    def seconds(self) -> float:
        """Wall time of the replication on one core, in seconds."""
        return (self.tipoffs * SECONDS_PER_TIPOFF
                + self.flowing_tipoffs * SECONDS_PER_FLOWING_TIPOFF
                + (self.posts * SECONDS_PER_POST_YEAR + self.tipoffs * SECONDS_PER_TIPOFF_YEAR)
                * self.horizon_days / 365.25)


@dataclass(frozen=True)
class RunEstimate:
    """The estimated size of a whole run: replications spread over worker processes."""

    replication: ReplicationSize  # the largest replication
    replications: int
    workers: int  # worker processes that will run at once
    cores: int
    mean_replication_seconds: float
    largest_group: tuple[str, int]  # (dotted path, posts): the group to shrink first

    @property
    def memory_bytes(self) -> float:
        """Peak memory of the run: each worker with its largest replication, plus the parent."""
        parent = PROCESS_BASE_BYTES if self.workers > 1 else 0.0
        return parent + self.workers * (PROCESS_BASE_BYTES + self.replication.bytes)

    @property
    def seconds(self) -> float:
        """Wall time: the replications shared among the workers that can run at once."""
        parallel = max(1, min(self.workers, self.cores))
        return math.ceil(self.replications / parallel) * self.mean_replication_seconds


@dataclass(frozen=True)
class SizeLimits:
    """What a run may use: memory in bytes and wall time in seconds."""

    memory_bytes: float
    seconds: float


def default_limits() -> SizeLimits:
    """A share of this machine's physical memory, and a day."""
    try:
        ram = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        ram = math.inf
    return SizeLimits(memory_bytes=MEMORY_SHARE * ram, seconds=TIME_LIMIT_SECONDS)


def estimate_run(scenario: Scenario, replications: int, workers: int,
                 variants: Sequence[Scenario] = (), cores: int | None = None) -> RunEstimate:
    """Estimate the memory and time of ``replications`` replications on ``workers`` processes.

    Parameters
    ----------
    scenario
        The scenario as it will run.
    replications
        Replications the whole run will simulate (all settings of an analysis together).
    workers
        Worker processes asked for; at most one per replication runs.
    variants
        Other scenarios the replications are spread over (sensitivity settings,
        parameter draws): memory is that of the largest, time their average.
    cores
        Cores the run may use (default: those this process may run on).
    """
    sizes = [replication_size(one) for one in (scenario, *variants)]
    largest = max(sizes, key=lambda size: size.bytes)
    mean_seconds = sum(size.seconds for size in sizes) / len(sizes)
    return RunEstimate(
        replication=largest,
        replications=replications,
        workers=max(1, min(workers, replications)),
        cores=cores if cores is not None else usable_cores(),
        mean_replication_seconds=mean_seconds,
        largest_group=max(staff_groups(scenario).items(), key=lambda item: item[1]),
    )


def replication_size(scenario: Scenario) -> ReplicationSize:
    """Tip-offs, flowing tip-offs and posts of one replication of ``scenario``."""
    arrivals = scenario.arrivals
    shares = state_shares(scenario)
    uplift = sum(share * awareness_uplift(scenario, code)
                 for share, code in zip(shares, STATE_CODES, strict=True))
    new = 0.0
    for year, first, end in year_segments(scenario):
        fraction = (end - first) / 365.25
        try:
            per_year = referrals_in_year(arrivals, year)
        except OverflowError:
            per_year = math.inf
        new += fraction * (per_year + arrivals.local_reports_per_year.value * (1 + uplift))
    waiting, past_selection = _initial_counts(scenario)
    staffing = scenario.staffing
    hours_per_day = staffing.productive_hours.value * staffing.working_days_per_year.value / 365.25
    team = scenario.hq.download_team
    triage_capacity = (_most_posts(team.officers) + _most_posts(team.lower_ranks)) \
        * hours_per_day * scenario.horizon_days / (scenario.selection.triage_minutes.value / 60)
    return ReplicationSize(
        tipoffs=new + waiting + past_selection,
        flowing_tipoffs=min(new + waiting, triage_capacity) + past_selection,
        posts=float(sum(staff_groups(scenario).values())),
        horizon_days=scenario.horizon_days,
    )


def staff_groups(scenario: Scenario) -> dict[str, int]:
    """The most posts each group will have over the horizon, by dotted path."""
    groups: dict[str, StaffGroup] = {}
    for team in ("download_team", "forensic_team"):
        for rank in ("officers", "lower_ranks"):
            groups[f"hq.{team}.{rank}"] = getattr(getattr(scenario.hq, team), rank)
    for code in STATE_CODES:
        groups[f"states.{code}.officers"] = scenario.states[code].officers
        groups[f"states.{code}.lower_ranks"] = scenario.states[code].lower_ranks
    return {path: _most_posts(group) for path, group in groups.items()}


def check_run(scenario: Scenario, replications: int, workers: int, uncertain: bool = False,
              variants: Sequence[Scenario] = ()) -> None:
    """Refuse, before any simulation, a run that would exhaust memory or take days.

    With ``uncertain`` the replications draw their assumptions from their ranges, so
    the first twenty draws are sized (a large arrival volume may be among them).

    Raises
    ------
    SizeError
        With the estimate and what to shrink.
    """
    if uncertain:
        design = UncertainScenarios.design(scenario, replications)
        variants = [design(number) for number in range(min(replications, 20))]
    check_size(estimate_run(scenario, replications, workers, variants))


def check_size(estimate: RunEstimate, limits: SizeLimits | None = None) -> None:
    """Refuse a run over the limits (default: this machine's), saying how to shrink it.

    Raises
    ------
    SizeError
        With the estimate, what drives it and which settings bring it down.
    """
    limits = limits or default_limits()
    replication = estimate.replication
    workers = estimate.workers
    posts_heavy = replication.posts * BYTES_PER_POST > replication.bytes / 2
    group, posts = estimate.largest_group
    shrink = ([f"lower the posts (the largest group is {group}, with {_count(posts)})"]
              if posts_heavy else
              ["shorten the horizon (start_date to end_date)",
               f"lower the arrivals ({', '.join(ARRIVAL_KNOBS)})"])
    # written as 'not <=' so that an estimate that is not a number is refused too
    if not estimate.memory_bytes <= limits.memory_bytes:
        drivers = (f"{_count(replication.posts)} posts" if posts_heavy
                   else f"{_count(replication.tipoffs)} tip-offs")
        if workers > 1:
            shrink.append(f"use fewer --workers (each holds a replication; {workers} run at once)")
        raise SizeError(
            f"this run would need about {_bytes(estimate.memory_bytes)} of memory "
            f"({drivers} per replication x {_plural(workers, 'worker')}), more than the "
            f"{_bytes(limits.memory_bytes)} it may use on this machine; " + _either(shrink)
        )
    if not estimate.seconds <= limits.seconds:
        parallel = max(1, min(workers, estimate.cores))
        advice = ([f"use fewer --replications ({estimate.replications:,} asked)"]
                  if estimate.replications > 1 else []) + shrink
        if parallel < min(estimate.replications, estimate.cores):
            advice.append(f"use more --workers (this machine has {estimate.cores} cores)")
        raise SizeError(
            f"this run would take about {_duration(estimate.seconds)} "
            f"({_plural(estimate.replications, 'replication')} of about "
            f"{_duration(estimate.mean_replication_seconds)} each, with "
            f"{_count(replication.tipoffs)} tip-offs, on {_plural(parallel, 'worker')}), "
            f"more than the {_duration(limits.seconds)} allowed; " + _either(advice)
        )


def _initial_counts(scenario: Scenario) -> tuple[float, float]:
    """Starting-state tip-offs (waiting for selection, past selection)."""
    if scenario.initial_state is None:
        return 0.0, 0.0
    frame: pd.DataFrame = initial_state_frame(scenario.initial_state)
    waiting = frame.stage == "awaiting_selection"
    return float(frame["count"][waiting].sum()), float(frame["count"][~waiting].sum())


def _most_posts(group: StaffGroup) -> int:
    return max([group.posts, *(change.posts for change in group.changes)])


def _either(advice: list[str]) -> str:
    return advice[0] if len(advice) == 1 else ", ".join(advice[:-1]) + " or " + advice[-1]


def _plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _count(number: float) -> str:
    """``6.1 million``, ``38,000``: a count as a planner reads it."""
    if not math.isfinite(number):
        return "unbounded"
    if number >= 1e15:
        return f"{number:.1e}"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if number >= size:
            return f"{number / size:.1f} {word}"
    return f"{number:,.0f}"


def _bytes(number: float) -> str:
    if not math.isfinite(number):
        return "unbounded"
    if number >= 1e18:
        return f"{number:.1e} bytes"
    for size, unit in ((1e15, "PB"), (1e12, "TB"), (1e9, "GB")):
        if number >= size:
            return f"{number / size:.1f} {unit}"
    return f"{number / 1e6:,.0f} MB"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds >= 1e6 * 365.25 * 86400:
        return "more than a million years"
    for size, unit in ((365.25 * 86400, "year"), (86400, "day"), (3600, "hour"),
                       (60, "minute")):
        if seconds >= size:
            value = f"{seconds / size:,.1f}".removesuffix(".0")
            return f"{value} {unit}{'' if value == '1' else 's'}"
    return f"{max(seconds, 1):,.0f} seconds"
