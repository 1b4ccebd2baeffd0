"""Golden regression: a short status-quo run gives its committed tables again, to the last digit.

The run is the command a user types, in a subprocess (so the test does not
depend on which module builds the tables, only on what the command writes)::

    run_scenario.py scenarios/status_quo.yaml --set end_date=2024-06-30
        --replications 2 --seed 2024 --workers 1 --quiet --out DIR

six months of today's resourcing from the calibrated 2023 backlog, two
replications.  Its seven result tables (``summary``, ``yearly``, ``replications``,
``monthly``, ``delays``, ``end_state``, ``utilisation``) are compared as text, cell by cell, with
the files in ``tests/backtest/golden/``, by the comparison ``run_scenario.py
reproduce`` makes (``reports.reproduction.compare_folders``).  A mismatch names the
file, the row (by its key columns), the column, the golden value and the new one.

The rule: a refactoring never moves these numbers.  A change that moves them on
purpose (a model change, a new random draw, a fixed bug) regenerates them with::

    MICAC_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/backtest/test_golden.py

and the commit that rewrites ``tests/backtest/golden/`` must say why the numbers
moved: which change moved them, and why the new numbers are the right ones.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reports.reproduction import Comparison, Mismatch, compare_folders
from reports.run_folder import RESULT_TABLES
from tests.conftest import ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = "MICAC_REGENERATE_GOLDEN"
COMMAND = ["scenarios/status_quo.yaml", "--set", "end_date=2024-06-30",
           "--replications", "2", "--seed", "2024", "--workers", "1", "--quiet"]
MAX_GOLDEN_BYTES = 200_000  # committed data: keep it small
SHOWN = 20  # mismatches listed in a failure; the count says how many more


def describe(comparison: Comparison) -> str:
    """A failure message: every mismatch shown (up to SHOWN), and what to do about it."""
    def line(mismatch: Mismatch) -> str:
        column = f" column {mismatch.column}" if mismatch.column else ""
        return (f"  {mismatch.file} row {mismatch.row}{column}: "
                f"golden {mismatch.expected}, now {mismatch.got}")

    count = len(comparison.mismatches)
    lines = [f"{count} of {comparison.values} golden values differ"
             + (f"; the first {SHOWN}:" if count > SHOWN else ":")]
    lines += [line(mismatch) for mismatch in comparison.mismatches[:SHOWN]]
    lines.append(f"If the change is meant to move these numbers, regenerate with "
                 f"{REGENERATE}=1 .venv/bin/python -m pytest tests/backtest/test_golden.py "
                 "and say in the commit why they moved; a refactoring must not move them.")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def rerun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "run"
    done = subprocess.run([sys.executable, "run_scenario.py", *COMMAND, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"the golden run failed:\n{done.stderr}"
    return out


def test_the_golden_files_are_the_result_tables_and_small() -> None:
    """The golden folder holds exactly the result tables, under 200 kB, of a run that got far.

    A golden run where nothing reached a raid or a charge would pin nothing downstream.
    """
    names = sorted(path.name for path in GOLDEN.iterdir())
    assert names == sorted(RESULT_TABLES)
    assert sum((GOLDEN / name).stat().st_size for name in names) < MAX_GOLDEN_BYTES
    summary = pd.read_csv(GOLDEN / "summary.csv").set_index(["scope", "metric"])["mean"]
    for metric in ("downloaded", "reviewed", "raids", "arrests", "charges", "lapsed"):
        assert summary["national", metric] > 0, metric
    replications = pd.read_csv(GOLDEN / "replications.csv")
    assert sorted(set(replications.replication)) == [0, 1]


def test_short_status_quo_run_reproduces_the_golden_tables(rerun: Path) -> None:
    """Every value of the seven tables equals the committed one, as text (to the last digit)."""
    if os.environ.get(REGENERATE) == "1":
        for name in RESULT_TABLES:
            shutil.copyfile(rerun / name, GOLDEN / name)
        pytest.skip(f"{REGENERATE}=1: rewrote {len(RESULT_TABLES)} files in {GOLDEN}; "
                    "commit them saying why the numbers moved")
    comparison = compare_folders(GOLDEN, rerun)
    assert comparison.files == RESULT_TABLES, "a golden table is missing"
    assert comparison.values > 5_000  # the comparison saw the tables, not empty frames
    assert comparison.matches, describe(comparison)


def test_a_changed_last_digit_is_reported_by_file_row_column_and_values(tmp_path: Path) -> None:
    """The comparison catches one digit changed and names where, with both values."""
    changed = tmp_path / "changed"
    shutil.copytree(GOLDEN, changed)
    summary = (changed / "summary.csv").read_text(encoding="utf-8").splitlines()
    row = next(number for number, text in enumerate(summary)
               if text.startswith("national,raids,"))
    cells = summary[row].split(",")
    golden_mean = cells[3]
    cells[3] = golden_mean[:-1] + str((int(golden_mean[-1]) + 1) % 10)  # the last digit
    summary[row] = ",".join(cells)
    (changed / "summary.csv").write_text("\n".join(summary) + "\n", encoding="utf-8")

    comparison = compare_folders(GOLDEN, changed)
    assert [(m.file, m.row, m.column, m.expected, m.got) for m in comparison.mismatches] == [
        ("summary.csv", "[scope=national, metric=raids]", "mean", golden_mean, cells[3]),
    ]
    message = describe(comparison)
    assert (f"summary.csv row [scope=national, metric=raids] column mean: "
            f"golden {golden_mean}, now {cells[3]}") in message
    assert f"{REGENERATE}=1" in message
