"""Dask runs the same replications as the local pool; sweeps resume after an interruption."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pandas as pd

from model.experiments.executors import ExecutorKind
from model.experiments.replications import Replications, run_replications
from model.experiments.sweep import Point, run_points, sweep_points
from model.loading import override
from model.scenario import Scenario
from tests.conftest import ROOT, default_sigint


def test_dask_local_cluster_matches_the_local_pool(small) -> None:
    """A real local Dask cluster (loopback only) gives exactly the local executor's numbers."""
    local = run_replications(small, 3, workers=2)
    dask = run_replications(small, 3, workers=2, executor=ExecutorKind.DASK)
    for name in ("metrics", "monthly", "delays", "end_state"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(dask, name))


SWEEP = ["sweep", "scenarios/status_quo.yaml", "--set", "initial_state=null",
         "--set", "end_date=2024-09-30", "--replications", "2", "--workers", "1",
         "--vary", "download.bandwidth_mbps=5,10", "--vary", "selection.triage_minutes=20,30"]


def test_sweep_resumes_after_an_interruption(tmp_path) -> None:
    """Interrupted after its first point, a sweep started again runs only the rest."""
    out = tmp_path / "sweep"
    first = subprocess.Popen([sys.executable, "run_scenario.py", *SWEEP, "--out", str(out)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=default_sigint)
    points = out / "points"

    def finished() -> set[str]:
        # a point is written into a hidden staging folder and renamed into place when
        # whole; only the renamed folders are finished points
        return {p.name for p in points.iterdir()
                if not p.name.startswith(".") and (p / "summary.csv").exists()}

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if points.exists() and finished():
            break
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 130, stderr
    done_before = finished()
    assert 1 <= len(done_before) < 4
    assert not (out / "sweep.csv").exists()

    second = subprocess.run([sys.executable, "run_scenario.py", *SWEEP, "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    for name in done_before:
        assert f"point {name}" in second.stderr and "done before, kept" in second.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert table.point.nunique() == 4
    assert {"download.bandwidth_mbps", "selection.triage_minutes"} <= set(table.columns)
    assert (out / "sweep.png").exists()
    actioned = table[table.metric == "downloaded"]
    assert (actioned["ci_low"] <= actioned["mean"]).all()


def test_a_sweep_gives_each_point_what_a_run_of_it_alone_gives(status_quo) -> None:
    """All points' replications in one pool: each point's, split off, equal a run of it alone.

    From the shipped starting state (carried by every point's scenario), in a pool of two
    processes that finish in any order; each point is written once, whole, and the one
    progress count covers every replication of every point.
    """
    base = override(status_quo, ["end_date=2024-03-31", "replications=2"])
    points, scenarios = sweep_points(base, ["download.bandwidth_mbps=10,50",
                                            "selection.triage_minutes=10,30"], None)
    written: list[tuple[str, Replications]] = []
    counted: list[int] = []

    def write(point: Point, scenario: Scenario, results: Replications) -> None:
        assert scenario is scenarios[point.name]
        written.append((point.name, results))

    run_points(scenarios, points, write, workers=2, progress=counted.append)
    assert sum(counted) == 2 * len(points) == 8
    assert sorted(name for name, _ in written) == sorted(point.name for point in points)
    for name, results in written:
        alone = run_replications(scenarios[name], 2, workers=1)
        for table in ("metrics", "monthly", "delays", "end_state", "utilisation"):
            pd.testing.assert_frame_equal(getattr(results, table), getattr(alone, table))
    downloaded = {name: results.national("downloaded").sum() for name, results in written}
    assert len(set(downloaded.values())) > 1  # the points differ, so the split is not vacuous
