"""The benchmark's figures: how fast and how big the model is, each against a reference.

Every timing is a wall time taken with the cyclic garbage collector's backlog
cleared first (``gc.collect()`` outside the timed part), so that one
measurement does not pay for the garbage of the one before.  Where a figure is
a ratio, the two sides are measured alternately, several times, and the
median of each side is taken: a repetition slowed by other work on the machine
then moves neither median much.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import simpy

from model.engine.simulation import simulate
from model.experiments.replications import run_replications
from model.experiments.validation import (
    MMC_LOAD,
    MMC_SERVERS,
    MMC_SERVICE_RATE_PER_DAY,
    mmc_scenario,
)
from model.loading import load_scenario
from model.scenario import Scenario
from model.schema_base import Estimate

ROOT = Path(__file__).resolve().parents[1]
STATUS_QUO = ROOT / "scenarios" / "status_quo.yaml"
OPTIMISE_SCENARIO = ROOT / "scenarios" / "optimise_rm13m.yaml"
FIRST_YEAR = ("end_date=2024-12-31",)
FIVE_YEARS = ("end_date=2028-12-31",)  # status_quo starts on 2024-01-01
SCALING_FACTORS = (1.0, 2.0, 4.0)


@dataclass(frozen=True)
class Ratio:
    """A time of ours against a reference's, both medians of ``repeats`` runs."""

    ours_s: float
    reference_s: float
    repeats: int

    @property
    def value(self) -> float:
        """Ours over the reference: below 1 means ours is faster."""
        return self.ours_s / self.reference_s


@dataclass(frozen=True)
class Speedup:
    """Times of the same replications on one worker and on several (medians)."""

    one_worker_s: float
    workers_s: float
    workers: int

    @property
    def value(self) -> float:
        """One worker's time over the workers' time: ``workers`` at best."""
        return self.one_worker_s / self.workers_s


@dataclass(frozen=True)
class Scaling:
    """Median run times at several volumes and the slope of log time on log volume."""

    tipoffs: tuple[int, ...]
    seconds: tuple[float, ...]

    @property
    def exponent(self) -> float:
        """1 is linear; above 1 the time per tip-off grows with the volume."""
        slope, _ = np.polyfit(np.log(self.tipoffs), np.log(self.seconds), 1)
        return float(slope)


def wall_seconds(action: Callable[[], object]) -> float:
    """Wall time of ``action()``, after clearing the garbage collector's backlog."""
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bare_simpy_seconds(tipoffs: int, horizon_days: float, seed: int = 0) -> float:
    """Wall time of the least a SimPy model of ``tipoffs`` can do: a process and a timeout each.

    The delays are drawn before the clock starts, so only SimPy is timed.
    """
    delays = np.random.default_rng(seed).uniform(0.0, horizon_days, tipoffs).tolist()

    def tipoff(env: simpy.Environment, delay: float) -> Generator[simpy.Event, object, None]:
        yield env.timeout(delay)

    def run() -> None:
        env = simpy.Environment()
        for delay in delays:
            env.process(tipoff(env, delay))
        env.run()

    return wall_seconds(run)


def sim_ratio_vs_bare_simpy(repeats: int, overrides: Sequence[str] = FIRST_YEAR) -> Ratio:
    """The model's time for one replication over bare SimPy's for as many tip-offs.

    The tip-offs counted are every tip-off the replication generated, those
    already in the pipeline at the start included.  Medians of ``repeats``
    alternating runs of each.
    """
    scenario = load_scenario(STATUS_QUO, overrides)
    tipoffs = len(simulate(scenario, 0).tipoffs)  # also warms up imports and caches
    ours, bare = [], []
    for _ in range(repeats):
        ours.append(wall_seconds(lambda: simulate(scenario, 0)))
        bare.append(bare_simpy_seconds(tipoffs, scenario.horizon_days))
    # medians, not minima: the machine is shared, and a median of alternating runs
    # is what a user sees typically, while a minimum rewards one lucky run
    return Ratio(statistics.median(ours), statistics.median(bare), repeats)


def scaled_volume(scenario: Scenario, factor: float) -> Scenario:
    """``scenario`` with every referral and local-report volume (and its range) times ``factor``."""
    arrivals = scenario.arrivals
    referrals = {year: _scaled(volume, factor)
                 for year, volume in arrivals.referrals_per_year.items()}
    local = _scaled(arrivals.local_reports_per_year, factor)
    return scenario.model_copy(update={"arrivals": arrivals.model_copy(
        update={"referrals_per_year": referrals, "local_reports_per_year": local})})


def _scaled(estimate: Estimate, factor: float) -> Estimate:
    def times(bound: float | None) -> float | None:
        return None if bound is None else bound * factor

    return estimate.model_copy(update={"value": estimate.value * factor,
                                       "low": times(estimate.low), "high": times(estimate.high)})


def scaling_exponent(repeats: int, factors: Sequence[float] = SCALING_FACTORS,
                     overrides: Sequence[str] = (*FIRST_YEAR, "initial_state=null")) -> Scaling:
    """Median replication times at ``factors`` times the tip-off volume.

    Without a starting backlog (``initial_state=null``) the volume scales
    cleanly; the volumes are counted from the runs, not assumed.
    """
    base = load_scenario(STATUS_QUO, overrides)
    variants = [scaled_volume(base, factor) for factor in factors]
    tipoffs = tuple(len(simulate(variant, 0).tipoffs) for variant in variants)
    times: list[list[float]] = [[] for _ in variants]
    for _ in range(repeats):
        for variant, measured in zip(variants, times, strict=True):
            measured.append(wall_seconds(partial(simulate, variant, 0)))
    return Scaling(tipoffs, tuple(statistics.median(measured) for measured in times))


def parallel_speedup(replications: int, overrides: Sequence[str], workers: int = 2,
                     repeats: int = 1) -> Speedup:
    """Wall time of ``replications`` (with their tables) on one worker and on ``workers``.

    Process start-up is part of the parallel time, as it is for a user; choose
    ``overrides`` so that a replication takes over a second, or it dominates.
    """
    scenario = load_scenario(STATUS_QUO, overrides)
    sequential, parallel = [], []
    for _ in range(repeats):
        sequential.append(wall_seconds(lambda: run_replications(scenario, replications, 1)))
        parallel.append(wall_seconds(lambda: run_replications(scenario, replications, workers)))
    # medians (alternating runs): one run slowed by other work moves them little
    return Speedup(statistics.median(sequential), statistics.median(parallel), workers)


_PEAK_RSS_CHILD = """
import json, resource, sys
from model.experiments.replications import replicate
from model.loading import load_scenario
replicate(load_scenario(sys.argv[1], json.loads(sys.argv[2])), 0)
try:
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(overrides: Sequence[str] = FIVE_YEARS) -> float:
    """Peak resident memory (MiB) of a fresh Python running one replication and its tables.

    The whole process counts: interpreter, libraries and scenario as well as
    the replication, as a worker would hold them.  The child reads its own
    high-water mark (``VmHWM``) rather than ``ru_maxrss``: Linux carries the
    parent's peak over into the child's ``ru_maxrss`` across fork and exec, so a
    benchmark that has itself grown large would be charged to the child.
    """
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_CHILD, str(STATUS_QUO), json.dumps(list(overrides))],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return int(done.stdout.split()[-1]) / 1024.0  # both are in KiB on Linux


@dataclass(frozen=True)
class OptimiseTimes:
    """Wall times of one optimisation run, whole and by part (seconds)."""

    total_s: float
    certify_s: float  # candidates, selection, neighbours and fresh verification
    regret_s: float  # the regret table: finalists under every hypothesis and demand
    parts: dict[str, dict[str, float]]  # run.json's plan.certify_parts: where certify went

    def where(self, cores: int) -> str:
        """Where certify's time went, stage by stage, in words."""
        said = []
        for stage, part in self.parts.items():
            count = int(part.get("replications", 0))
            each = f", {part['seconds'] * cores / count:.1f} core-s each" if count else ""
            said.append(f"{stage} {part['seconds']:,.0f} s"
                        + (f" ({count:,} replications{each})" if count else ""))
        return "; ".join(said)


def optimise_seconds(timeout_s: float, scenario: Path = OPTIMISE_SCENARIO,
                     extra: tuple[str, ...] = (), keep: Path | None = None
                     ) -> OptimiseTimes | str:
    """Wall times of the whole optimisation at the scenario's shipped settings, or why none.

    Runs ``run_scenario.py`` in its own session so that, past ``timeout_s``, it and its
    worker processes can be stopped together; the parts' times are those the run
    records in ``run.json`` (``plan.seconds``).  With ``keep``, the run's folder is
    copied there (its plan, certificate and regret table, to read beside the times).
    """
    if not scenario.exists():
        return "unavailable (no optimiser yet)"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        command = [sys.executable, "run_scenario.py", str(scenario), *extra, "--out", str(out),
                   "--quiet"]
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, errors = child.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _stop(child)
            return f"timeout (over {timeout_s:.0f} s)"
        elapsed = time.perf_counter() - started
        if child.returncode != 0:
            last = (errors.strip().splitlines() or ["no message"])[-1]
            return f"failed (exit {child.returncode}: {last})"
        plan = json.loads((out / "run.json").read_text())["plan"]
        if keep is not None:
            shutil.copytree(out, keep, dirs_exist_ok=True)
    seconds = plan["seconds"]
    return OptimiseTimes(elapsed, float(seconds["certify"]), float(seconds["regret"]),
                         plan.get("certify_parts", {}))


def _stop(child: subprocess.Popen[str]) -> None:
    """Stop a child started in its own session, and the workers it started."""
    os.killpg(child.pid, signal.SIGTERM)  # run_scenario.py then stops its workers itself
    try:
        child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()


def ciw_ratio(repeats: int) -> Ratio | None:
    """Our time per customer over Ciw's, on the M/M/c station of ``model.experiments.validation``.

    Both simulate the same two years of Poisson arrivals to three exponential
    servers; the customer counts differ by the luck of the draw, so the times
    are compared per customer.  None when Ciw is not installed (it is not a
    dependency of the product).
    """
    try:
        import ciw  # optional, and only this figure needs it
    except ImportError:
        return None
    scenario = mmc_scenario(load_scenario(STATUS_QUO))
    customers = len(simulate(scenario, 0).tipoffs)
    arrival_rate = MMC_LOAD * MMC_SERVERS * MMC_SERVICE_RATE_PER_DAY
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=MMC_SERVICE_RATE_PER_DAY)],
        number_of_servers=[MMC_SERVERS],
    )
    served: list[int] = []

    def run_ciw(seed: int) -> None:
        ciw.seed(seed)  # Ciw draws from the global generators; only here, never in the model
        simulation = ciw.Simulation(network)
        simulation.simulate_until_max_time(scenario.horizon_days)
        served.append(len(simulation.get_all_records()))

    ours, theirs = [], []
    for repeat in range(repeats):
        ours.append(wall_seconds(lambda: simulate(scenario, 0)) / customers)
        seconds = wall_seconds(partial(run_ciw, repeat))
        theirs.append(seconds / served[-1])
    return Ratio(statistics.median(ours), statistics.median(theirs), repeats)
