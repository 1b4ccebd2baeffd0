"""The run command end to end: result files, the contract, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT

SMALL = ["--set", "end_date=2024-03-31", "--set", "arrivals.referrals_per_year.2023=20000",
         "--replications", "3", "--quiet"]
CHECK_RUN = ROOT.parent / "shared" / "tools" / "check-run"


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("runs")
    dirs = {"a": base / "run a", "b": base / "run b", "other": base / "other seed"}
    for name, seed, workers in (("a", 7, 2), ("b", 7, 1), ("other", 8, 1)):
        done = run_cli("scenarios/status_quo.yaml", *SMALL, "--seed", seed,
                       "--workers", workers, "--out", dirs[name])
        assert done.returncode == 0, done.stderr
    return dirs


def test_writes_the_documented_files(run_dirs) -> None:
    """summary, yearly and replications tables and run.json, with the documented columns."""
    out = run_dirs["a"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["scope", "metric", "unit", "mean", "ci_low", "ci_high"]
    assert set(summary.scope) == {"national", "PLS", "KDH", "PNG", "PRK", "SGR", "KUL", "NSN",
                                  "MLK", "JHR", "PHG", "TRG", "KTN", "SBH", "SWK"}
    assert summary.unit.notna().all()
    yearly = pd.read_csv(out / "yearly.csv")
    assert list(yearly.columns)[0] == "year" and set(yearly.year) == {2024}
    reps = pd.read_csv(out / "replications.csv")
    assert list(reps.columns) == ["replication", "scope", "metric", "value"]
    assert set(reps.replication) == {0, 1, 2}
    info = json.loads((out / "run.json").read_text())
    assert info["seed"] == 7 and info["replications"] == 3
    assert info["scenario"]["name"] == "status_quo"
    assert info["scenario"]["end_date"] == "2024-03-31"
    assert info["assumptions"] and all(a["unit"] for a in info["assumptions"])
    assert info["wall_time_seconds"] > 0 and info["packages"]["simpy"]


def test_flow_balance_in_the_files(run_dirs) -> None:
    """The identity holds in replications.csv for every replication and scope."""
    reps = pd.read_csv(run_dirs["a"] / "replications.csv")
    table = reps.pivot_table(index=["replication", "scope"], columns="metric", values="value")
    outflow = table[["actioned", "closed_no_action", "lapsed", "lapsed_after_selection",
                     "in_system_at_end"]].sum(axis=1)
    assert ((table.initial_backlog + table.tipoffs_received - outflow).abs() == 0).all()


@pytest.mark.skipif(not CHECK_RUN.exists(), reason="shared/tools/check-run not beside the repo")
def test_result_contract_checker_accepts_the_folder(run_dirs) -> None:
    """The shared contract checker passes the folder."""
    done = subprocess.run([sys.executable, str(CHECK_RUN), str(run_dirs["a"])],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_same_seed_identical_files_whatever_the_workers(run_dirs) -> None:
    """Same seed: byte-identical tables, from two workers or one."""
    for name in ("summary.csv", "yearly.csv", "replications.csv"):
        assert (run_dirs["a"] / name).read_bytes() == (run_dirs["b"] / name).read_bytes()


def test_other_seed_different_numbers(run_dirs) -> None:
    """Another seed gives other numbers."""
    a = pd.read_csv(run_dirs["a"] / "replications.csv")
    other = pd.read_csv(run_dirs["other"] / "replications.csv")
    assert not a.value.equals(other.value)
