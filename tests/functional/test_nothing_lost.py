"""Nothing lost: the tool replaces only what it wrote, and writes only where it was told.

One run writes a folder at a time, a killed run leaves nothing behind, ``reproduce`` notices
every edit, and writes stay where the user said.

Each CLI test drives ``run_scenario.py`` in a subprocess, as a planner would.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.catalogue import Catalogue
from model.loading import MAX_EXTENDS, ScenarioError, load_scenario
from reports import ownership
from reports.run_folder import is_complete
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios" / "status_quo.yaml"
CHEAP = ["--set", "end_date=2024-01-31", "--set", "arrivals.referrals_per_year.2023=1000",
         "--replications", "1", "--workers", "1", "--quiet"]


def run_cli(*args: object, cwd: Path = ROOT, timeout: float = 300,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "run_scenario.py"), *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def start_cli(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / "run_scenario.py"), *map(str, args)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def a_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "a run"
    done = run_cli(SCENARIO, *CHEAP, "--out", out)
    assert done.returncode == 0, done.stderr
    return out


# --- what --force may replace -------------------------------------------------------------


def test_force_refuses_a_folder_holding_a_file_the_tool_did_not_write(tmp_path: Path) -> None:
    """A folder of someone's evidence: --force refuses, naming it, and the file survives."""
    out = tmp_path / "d"
    (out / "evidence").mkdir(parents=True)
    (out / "evidence" / "log.txt").write_text("keep\n", encoding="utf-8")
    result = run_cli(SCENARIO, *CHEAP, "--out", out, "--force")
    assert result.returncode == 2, result.stderr
    assert "did not write" in result.stderr and "evidence/" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "evidence" / "log.txt").read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no lock or staging left


def test_force_refuses_a_run_folder_with_a_file_added_to_it(a_run: Path, tmp_path: Path
                                                             ) -> None:
    """A run folder someone added notes to is not replaced: the notes would be lost."""
    copy = tmp_path / "run"
    shutil.copytree(a_run, copy)
    (copy / "notes.txt").write_text("my reading of it\n", encoding="utf-8")
    result = run_cli(SCENARIO, *CHEAP, "--out", copy, "--force")
    assert result.returncode == 2, result.stderr
    assert "notes.txt" in result.stderr
    assert (copy / "notes.txt").is_file()


def test_force_replaces_a_folder_the_tool_wrote(a_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(a_run, copy)
    result = run_cli(SCENARIO, *CHEAP, "--seed", "5", "--out", copy, "--force")
    assert result.returncode == 0, result.stderr
    assert json.loads((copy / "run.json").read_text(encoding="utf-8"))["seed"] == 5


def test_out_dot_is_refused_even_with_force(a_run: Path, tmp_path: Path) -> None:
    """The working folder is never replaced, not even when it holds a run of the tool."""
    here = tmp_path / "here"
    shutil.copytree(a_run, here)
    before = sorted(p.name for p in here.iterdir())
    result = run_cli(SCENARIO, *CHEAP, "--out", ".", "--force", cwd=here)
    assert result.returncode == 2, result.stderr
    assert "the folder you are working in" in result.stderr
    assert sorted(p.name for p in here.iterdir()) == before


def test_a_folder_written_before_the_marker_is_recognised_by_its_record(tmp_path: Path
                                                                         ) -> None:
    legacy = tmp_path / "old"
    legacy.mkdir()
    (legacy / "run.json").write_text('{"seed": 1, "scenario": {}}', encoding="utf-8")
    (legacy / "summary.csv").write_text("x\n", encoding="utf-8")
    (legacy / "option_head.csv").write_text("x\n", encoding="utf-8")
    assert ownership.strays(legacy) == []
    (legacy / ".git").mkdir()
    assert ownership.strays(legacy) == [".git/"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "run.json").write_text('{"name": "a node package"}', encoding="utf-8")
    assert ownership.strays(other) is None


# --- one writer at a time; nothing left by a killed run ------------------------------------


def test_two_runs_into_one_folder_at_once_one_is_refused(tmp_path: Path) -> None:
    """Started together: one writes a whole folder, the other exits 2 with a message."""
    out = tmp_path / "shared"
    runs = [start_cli(SCENARIO, *CHEAP, "--out", out) for _ in range(2)]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [0, 2], results
    refused = next(err for status, _, err in results if status == 2)
    assert ("being written by another run" in refused or "already holds another run" in refused)
    assert "Traceback" not in refused
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert ownership.check_folder(out, record).whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared"]


def test_a_destination_held_by_a_running_process_is_refused(tmp_path: Path) -> None:
    """The lock is the kernel's: held while the holder lives, gone the moment it dies."""
    out = tmp_path / "held"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from reports.ownership import claim; claim(Path(sys.argv[1])); print('held', "
         "flush=True); time.sleep(60)", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = run_cli(SCENARIO, *CHEAP, "--out", out)
        assert refused.returncode == 2
        assert f"process {holder.pid}" in refused.stderr
    finally:
        holder.kill()
        holder.wait()
    assert run_cli(SCENARIO, *CHEAP, "--out", out).returncode == 0  # killed: lock gone


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_run_killed_while_writing_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    """A SIGKILL while the folder is being written, then a new run: no .partial-* remains."""
    out = tmp_path / "k"
    for _attempt in range(5):
        run = start_cli(SCENARIO, *CHEAP, "--out", out)
        while run.poll() is None and not list(tmp_path.glob(".k.partial-*")):
            time.sleep(0.005)
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            run.communicate()
            break
        run.communicate()
        shutil.rmtree(out, ignore_errors=True)  # finished before we caught it: try again
    else:
        pytest.fail("no run was caught while writing its folder")
    assert list(tmp_path.glob(".k.partial-*")), "the killed run left no staging folder"
    assert not out.exists()
    again = run_cli(SCENARIO, *CHEAP, "--out", out)
    assert again.returncode == 0, again.stderr
    assert list(tmp_path.glob(".k.partial-*")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k"]


def test_the_page_never_takes_a_staging_folder_for_an_answer(a_run: Path, tmp_path: Path
                                                              ) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copytree(a_run, cache / ".abc.partial-x1y2")
    assert not is_complete(cache / ".abc.partial-x1y2")
    assert Catalogue(cache).load_cache() == 0
    shutil.copytree(a_run, cache / "abc")
    assert Catalogue(cache).load_cache() == 1


# --- reproduce checks the whole folder ----------------------------------------------------


def test_reproduce_names_deleted_and_edited_files(a_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "changed"
    shutil.copytree(a_run, copy)
    (copy / "yearly.csv").unlink()
    (copy / "monthly.csv").unlink()
    with (copy / "report.html").open("a", encoding="utf-8") as page:
        page.write("<p>a better number</p>")
    (copy / "extra.csv").write_text("x\n", encoding="utf-8")
    result = run_cli("reproduce", copy, "--quiet")
    assert result.returncode == 1, result.stderr
    for line in ("yearly.csv: missing", "monthly.csv: missing", "report.html: edited",
                 "extra.csv: added"):
        assert line in result.stdout


def test_reproduce_calls_an_edited_seed_an_edited_record(a_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "reseeded"
    shutil.copytree(a_run, copy)
    info = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    info["seed"] += 1
    (copy / "run.json").write_text(json.dumps(info), encoding="utf-8")
    result = run_cli("reproduce", copy, "--quiet")
    assert result.returncode == 1, result.stderr
    assert "edited record" in result.stdout and "seed" in result.stdout
    assert "this version" not in result.stderr


def test_reproduce_passes_a_folder_as_written(a_run: Path) -> None:
    result = run_cli("reproduce", a_run, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("reproduced: every number matches")


# --- writes stay where the user said ------------------------------------------------------


@pytest.mark.parametrize("field, value", [("write_to", "../../elsewhere"),
                                          ("end_states_to", "/abs/path")])
def test_a_calibration_folder_outside_the_project_is_refused(field: str, value: str) -> None:
    result = run_cli("calibrate", "scenarios/history_2018_2023.yaml", "--set",
                     f"calibration.{field}={value}", "--no-write", "--quiet")
    assert result.returncode == 2
    assert f"calibration.{field}" in result.stderr
    assert f"--{field.replace('_', '-')} DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_deep_extends_chain_gets_a_message(tmp_path: Path) -> None:
    for number in range(3000):
        (tmp_path / f"f{number}.yaml").write_text(f"extends: f{number + 1}.yaml\n",
                                                  encoding="utf-8")
    (tmp_path / "f3000.yaml").write_text(f"extends: {SCENARIO}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"more than {MAX_EXTENDS} files deep"):
        load_scenario(tmp_path / "f0.yaml")
    result = run_cli(tmp_path / "f0.yaml", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 2 and "files deep" in result.stderr
    assert "Traceback" not in result.stderr
