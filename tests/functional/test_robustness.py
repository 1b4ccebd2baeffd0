"""Hard to break: interrupted runs, runs too big, awkward output folders, reproducible runs.

Each test drives ``run_scenario.py`` as a planner would, in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from model.loading import validate
from model.runs.provenance import file_sha256, scenario_sha256
from reports.ownership import write_record
from reports.run_folder import RESULT_TABLES
from tests.conftest import ROOT, default_sigint

SHORT = ["--set", "end_date=2024-03-31", "--replications", "3", "--quiet"]
CHEAP = ["--set", "end_date=2024-01-31", "--set", "arrivals.referrals_per_year.2023=1000",
         "--replications", "1", "--workers", "1", "--quiet"]
END_STATE = ROOT / "scenarios" / "end_states" / "line-capacity.csv"  # status_quo's hypothesis


def run_cli(*args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc; psutil is not a dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped is not running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sent, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")],
                         ids=["SIGINT", "SIGTERM"])
def test_interrupted_parallel_run_stops_its_workers_and_writes_nothing(
        tmp_path: Path, sent: signal.Signals, status: int, word: str) -> None:
    """Ctrl-C or SIGTERM mid-run: workers gone at once, one line, no result file anywhere."""
    out = tmp_path / "interrupted run"
    process = subprocess.Popen(
        [sys.executable, "run_scenario.py", "scenarios/status_quo.yaml", "--replications", "6",
         "--workers", "2", "--out", str(out), "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint,
    )
    try:
        deadline = time.monotonic() + 60
        while len(workers := children(process.pid)) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.1)
        assert len(workers) == 2, "the run never started its two workers"
        time.sleep(1.5)  # inside the replications now (each takes about 15 s)
        sent_at = time.monotonic()
        process.send_signal(sent)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == status, stderr
    assert time.monotonic() - sent_at < 10, "the run waited for its replications to finish"
    assert stderr == f"{word}: no results written\n"
    assert stdout == ""
    assert not out.exists()
    assert list(tmp_path.rglob("summary.csv")) == []  # hidden staging folders included
    assert list(tmp_path.iterdir()) == []
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "a worker process outlived the run"


def test_a_run_too_big_for_the_machine_is_refused_up_front(tmp_path: Path) -> None:
    """A trillion referrals a year: exit 2 at once, with the estimate and what to shrink."""
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli("scenarios/status_quo.yaml", "--set",
                     "arrivals.referrals_per_year.2023=1e12", "--out", out, "--quiet")
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 30
    assert result.stderr.startswith("error: this run would need about ")
    for fragment in ("of memory", "tip-offs per replication", "end_date",
                     "arrivals.referrals_per_year"):
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_run_of_days_is_refused_up_front(tmp_path: Path) -> None:
    """A hundred thousand replications of the default scenario: refused with the time."""
    result = run_cli("scenarios/status_quo.yaml", "--replications", "100000", "--out",
                     tmp_path / "out", "--quiet")
    assert result.returncode == 2, result.stderr
    assert "this run would take about" in result.stderr
    assert "fewer --replications (100,000 asked)" in result.stderr
    assert "Traceback" not in result.stderr


def yaml_bomb(tmp_path: Path) -> Path:
    """Nested aliases: 9 ** 9 strings if anything spelled the value out."""
    lines = [f"extends: {ROOT / 'scenarios' / 'status_quo.yaml'}",
             "a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append("name: *i")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def python_tag(tmp_path: Path) -> Path:
    """A tag that an unsafe loader would turn into a call."""
    path = tmp_path / "tag.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'status_quo.yaml'}\n"
                    "name: !!python/object/apply:os.system ['echo unsafe']\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make, fragments", [
    (yaml_bomb, ["bomb.yaml", "name (bomb.yaml, line 11)",
                 "a list of 9 entries, too large to show", "unknown key 'a'"]),
    (python_tag, ["tag.yaml", "YAML tag not allowed at line 2", "plain values only"]),
], ids=["nested aliases", "python tag"])
def test_hostile_yaml_is_refused_quickly(tmp_path: Path, make, fragments: list[str]) -> None:
    """Exit 2 within seconds: no exponential walk, no object built from a tag."""
    started = time.monotonic()
    result = run_cli(make(tmp_path), "--out", tmp_path / "out", "--quiet", timeout=60)
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 30
    for fragment in fragments:
        assert fragment in result.stderr
    assert "unsafe" not in result.stdout and "Traceback" not in result.stderr


def test_a_negative_seed_is_refused(tmp_path: Path) -> None:
    """Numpy seeds take no negative number: refused at the command line, exit 2."""
    result = run_cli("scenarios/status_quo.yaml", "--seed", "-1", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "--seed" in result.stderr and "0 or more" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["under a file", "under /proc", "under /sys"])
def test_an_unwritable_destination_is_refused_before_simulating(tmp_path: Path,
                                                                 where: str) -> None:
    """Even for root (who ignores permissions): exit 2 naming the place, no traceback."""
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    out = {"under a file": blocker / "run", "under /proc": Path("/proc/micac-run"),
           "under /sys": Path("/sys/micac/run")}[where]
    result = run_cli("scenarios/status_quo.yaml", *CHEAP, "--out", out, timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"--out {out}" in result.stderr
    assert "is a file, not a folder" in result.stderr or "cannot create files" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    """A folder without write permission: exit 2, pointing to a folder one can write to."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run_cli("scenarios/status_quo.yaml", *CHEAP, "--out", locked / "run",
                         timeout=60)
    finally:
        locked.chmod(0o700)
    assert result.returncode == 2
    assert "Permission denied" in result.stderr and "Traceback" not in result.stderr


def test_force_replaces_a_finished_run_in_a_path_with_spaces(tmp_path: Path) -> None:
    """Spaces in folder names work; an existing run is replaced only with --force."""
    out = tmp_path / "my runs" / "a run"
    assert run_cli("scenarios/status_quo.yaml", *CHEAP, "--out", out).returncode == 0
    first = (out / "run.json").read_text(encoding="utf-8")
    again = run_cli("scenarios/status_quo.yaml", *CHEAP, "--out", out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert (out / "run.json").read_text(encoding="utf-8") == first
    forced = run_cli("scenarios/status_quo.yaml", *CHEAP, "--seed", "5", "--out", out,
                     "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["seed"] == 5
    assert [p.name for p in out.parent.iterdir()] == ["a run"]  # no staging folder left
    assert oct(out.stat().st_mode & 0o777) != oct(0o700)  # readable by colleagues


@pytest.fixture(scope="module")
def shipped_run(tmp_path_factory) -> Path:
    """The shipped status_quo scenario (from its backlog), three months, three replications."""
    out = tmp_path_factory.mktemp("reproduce") / "my runs" / "status quo"
    done = run_cli("scenarios/status_quo.yaml", *SHORT, "--workers", "2", "--out", out)
    assert done.returncode == 0, done.stderr
    return out


def test_run_json_records_provenance(shipped_run: Path) -> None:
    """Hashes of the resolved scenario and its starting state, version, commit, seed."""
    info = json.loads((shipped_run / "run.json").read_text(encoding="utf-8"))
    assert info["scenario_sha256"] == scenario_sha256(validate(info["scenario"]))
    assert info["initial_state_sha256"] == file_sha256(END_STATE)
    assert info["product_version"]
    assert "commit" in info
    if info["commit"] is not None:
        assert len(info["commit"]["sha"]) == 40 and isinstance(info["commit"]["dirty"], bool)
    assert info["seed"] == 2024 and info["replications"] == 3


def test_reproduce_matches_every_number(shipped_run: Path) -> None:
    """Re-run on one worker (the run used two): every value of every table is the same."""
    result = run_cli("reproduce", shipped_run, "--workers", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    cells = sum(pd.read_csv(shipped_run / name, dtype=str, keep_default_na=False).size
                for name in RESULT_TABLES)
    assert result.stdout == (f"reproduced: every number matches ({cells:,} values in "
                             f"{len(RESULT_TABLES)} files)\n")


def test_reproduce_lists_what_differs(shipped_run: Path, tmp_path: Path) -> None:
    """One value changed in the folder: exit 1, and the value is named with its row."""
    copy = tmp_path / "tampered"
    shutil.copytree(shipped_run, copy)
    table = pd.read_csv(copy / "replications.csv", dtype=str, keep_default_na=False)
    row = table.index[(table.scope == "national") & (table.metric == "raids")][0]
    original = table.loc[row, "value"]
    table.loc[row, "value"] = original + "1"
    table.to_csv(copy / "replications.csv", index=False)
    result = run_cli("reproduce", copy, "--quiet")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("NOT reproduced: 1 difference among ")
    assert "replications.csv: edited after the run" in result.stdout
    replication = table.loc[row, "replication"]
    assert (f"replications.csv [replication={replication}, scope=national, metric=raids] "
            f"value: {original}1 in the run, {original} now") in result.stdout


def _with_scenario_edit(shipped_run: Path, tmp_path: Path, **initial_state: str) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(shipped_run, copy)
    info = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    info["scenario"]["initial_state"].update(initial_state)
    write_record(copy, info)  # as a run of that scenario would have written it
    return copy


def test_reproduce_refuses_a_missing_starting_state(shipped_run: Path, tmp_path: Path) -> None:
    """The starting-state file is gone: exit 2, naming it."""
    gone = tmp_path / "gone.csv"
    folder = _with_scenario_edit(shipped_run, tmp_path, from_file=str(gone))
    result = run_cli("reproduce", folder, "--quiet")
    assert result.returncode == 2
    assert str(gone) in result.stderr and "no longer exists" in result.stderr


def test_reproduce_refuses_a_changed_starting_state(shipped_run: Path, tmp_path: Path) -> None:
    """The starting-state file was edited since the run: exit 2, saying so."""
    edited = tmp_path / "end_state.csv"
    backlog = pd.read_csv(END_STATE)
    backlog.loc[0, "count"] += 1  # one more tip-off in the starting state
    backlog.to_csv(edited, index=False)
    folder = _with_scenario_edit(shipped_run, tmp_path, from_file=str(edited))
    result = run_cli("reproduce", folder, "--quiet")
    assert result.returncode == 2
    assert "has changed since the run" in result.stderr and str(edited) in result.stderr


def test_reproduce_refuses_what_it_cannot_reproduce(shipped_run: Path, tmp_path: Path) -> None:
    """No run.json, or an analysis rather than a scenario run: exit 2 with the reason."""
    assert "has no run.json" in run_cli("reproduce", tmp_path).stderr
    copy = tmp_path / "analysis"
    shutil.copytree(shipped_run, copy)
    info = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    info["command"] = ["run_scenario.py", "sensitivity", "scenarios/status_quo.yaml"]
    (copy / "run.json").write_text(json.dumps(info), encoding="utf-8")
    result = run_cli("reproduce", copy)
    assert result.returncode == 2 and "holds a sensitivity run" in result.stderr
