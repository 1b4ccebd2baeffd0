"""A real Dask cluster gives the local executor's result files, to the last byte.

A scheduler and two workers run as processes of their own, as on a cluster (loopback
only, no dashboards).  Each worker runs in an empty folder of its own, so it cannot read
the project's scenarios by a relative path: the scenario, and the starting state of its
calibrated hypothesis, travel with each task.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from reports.run_folder import RESULT_TABLES, RUN_JSON
from tests.conftest import ROOT

pytest.importorskip("dask", reason="dask is not installed: no Dask cluster to test")
distributed = pytest.importorskip("distributed",
                                  reason="distributed is not installed: no Dask cluster to test")

WAIT_SECONDS = 60
RUN = ["run", "scenarios/status_quo.yaml", "--set", "end_date=2024-06-30",
       "--replications", "2", "--quiet"]


def _start(command: list[str], cwd: Path, log: Path, request: pytest.FixtureRequest,
           ) -> subprocess.Popen[bytes]:
    """Start a process in its own process group; the group is ended when the test ends."""
    with log.open("wb") as stream:
        process = subprocess.Popen(command, cwd=cwd, stdout=stream, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    request.addfinalizer(lambda: _end(process))
    return process


def _end(process: subprocess.Popen[bytes]) -> None:
    """End a started process and its children (a worker's nanny starts one): TERM, then KILL."""
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the group this test started, by its id
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {log.name}:\n{log.read_text(errors='replace')[-2000:]}"
                     for log in sorted(folder.glob("*.log")))


def _scheduler_address(scheduler_file: Path, scheduler: subprocess.Popen[bytes],
                       folder: Path) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            pytest.fail(f"the Dask scheduler exited ({scheduler.returncode})\n{_logs(folder)}")
        try:
            return str(json.loads(scheduler_file.read_text())["address"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.2)
    pytest.fail(f"the Dask scheduler wrote no address in {WAIT_SECONDS} s\n{_logs(folder)}")


class Cluster(NamedTuple):
    """A running cluster: its scheduler's address, a client, and the workers' folders."""

    address: str
    client: Any
    worker_folders: list[Path]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Cluster:
    """A scheduler and two one-thread workers on 127.0.0.1, each in an empty folder."""
    folder = tmp_path_factory.mktemp("cluster")
    scheduler_file = folder / "scheduler.json"
    (folder / "scheduler").mkdir()
    scheduler = _start([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                        "--port", "0", "--scheduler-file", str(scheduler_file),
                        "--no-dashboard"], folder / "scheduler", folder / "scheduler.log",
                       request)
    address = _scheduler_address(scheduler_file, scheduler, folder)
    worker_folders = []
    for number in (1, 2):
        empty, scratch = folder / f"worker{number}", folder / f"scratch{number}"
        empty.mkdir()
        scratch.mkdir()
        _start([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                "--no-dashboard", "--host", "127.0.0.1", "--local-directory", str(scratch)],
               empty, folder / f"worker{number}.log", request)
        worker_folders.append(empty)
    client = distributed.Client(address, timeout=WAIT_SECONDS)
    request.addfinalizer(client.close)
    try:
        client.wait_for_workers(2, timeout=WAIT_SECONDS)
    except TimeoutError:
        pytest.fail(f"two Dask workers did not connect to {address} within {WAIT_SECONDS} s\n"
                    f"{_logs(folder)}")
    return Cluster(address, client, worker_folders)


def _run(out: Path, *executor: str) -> Path:
    done = subprocess.run([sys.executable, "run_scenario.py", *RUN, *executor, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def test_a_dask_cluster_writes_the_local_executors_files(cluster, tmp_path: Path) -> None:
    """status_quo (a calibrated hypothesis's starting state) on the cluster and locally."""
    on_cluster = _run(tmp_path / "dask", "--executor", "dask", "--scheduler", cluster.address)
    local = _run(tmp_path / "local", "--executor", "local", "--workers", "2")
    for name in RESULT_TABLES:
        assert (on_cluster / name).read_bytes() == (local / name).read_bytes(), name
    infos = [json.loads((folder / RUN_JSON).read_text()) for folder in (on_cluster, local)]
    assert infos[0]["scenario_sha256"] == infos[1]["scenario_sha256"]
    assert infos[0]["initial_state_sha256"] is not None

    def replications_run(dask_scheduler: Any) -> int:
        # a prefix counts every state its tasks entered; each finished task entered memory once
        prefix = dask_scheduler.task_prefixes.get("replicate")
        return 0 if prefix is None else int(prefix.state_counts["memory"])

    assert cluster.client.run_on_scheduler(replications_run) == 2  # the cluster ran them
    assert not any(path for folder in cluster.worker_folders for path in folder.iterdir())
