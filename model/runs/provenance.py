"""Where a run's numbers came from, and whether a re-run gives every one of them again.

A run folder's ``run.json`` records a SHA-256 of the resolved scenario, of the
starting-state file it read, the product's version and, when run from a git
checkout, the commit (and whether tracked files had been changed).  The
comparison functions here check a re-run's tables against the original's cell
by cell, as the CSV text was written: "matches" means to the last digit.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from model.scenario import Scenario

PRODUCT = "micac-planner"
ROOT = Path(__file__).resolve().parents[2]
RUN_TABLES = ("summary.csv", "yearly.csv", "replications.csv", "monthly.csv", "delays.csv",
              "end_state.csv")
"""The tables a scenario run writes, in the order a comparison reports them."""
KEY_COLUMNS = ("replication", "year", "month", "scope", "state", "stage", "metric", "quantile",
               "age_days_low", "age_days_high")
"""Columns that say which row a value belongs to, when a mismatch is reported."""


def canonical_json(scenario: Scenario) -> str:
    """The resolved scenario as compact JSON with sorted keys: the text its hash is taken of."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (every default filled in, every path resolved)."""
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def initial_state_sha256(scenario: Scenario) -> str | None:
    """SHA-256 of the starting-state file a scenario reads (None without one or if unreadable)."""
    if scenario.initial_state is None:
        return None
    try:
        return file_sha256(Path(scenario.initial_state.from_file))
    except OSError:
        return None


def product_version(root: Path = ROOT) -> str:
    """The installed product's version, else the one in the checkout's ``pyproject.toml``."""
    try:
        return metadata.version(PRODUCT)
    except metadata.PackageNotFoundError:
        pass
    try:
        with (root / "pyproject.toml").open("rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def git_commit(root: Path = ROOT) -> dict[str, Any] | None:
    """``{"sha": ..., "dirty": ...}`` when the code runs from a git checkout, else None.

    ``dirty`` is true when tracked files differ from the commit (untracked files,
    such as run folders, do not count).  Never fails: no git, no checkout, or a
    git that hangs all give None.
    """
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return None  # installed elsewhere, perhaps inside someone else's repository
    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    if sha is None or status is None:
        return None
    return {"sha": sha, "dirty": bool(status)}


def provenance(scenario: Scenario) -> dict[str, Any]:
    """The provenance entries of ``run.json``."""
    return {
        "scenario_sha256": scenario_sha256(scenario),
        "initial_state_sha256": initial_state_sha256(scenario),
        "product_version": product_version(),
        "commit": git_commit(),
    }


@dataclass(frozen=True)
class Mismatch:
    """One value (or a table's shape) that differs between the original and the re-run."""

    file: str
    row: str
    column: str
    expected: str
    got: str

    def __str__(self) -> str:
        where = f"{self.file} {self.row}" + (f" {self.column}" if self.column else "")
        return f"{where}: {self.expected} in the run, {self.got} now"


@dataclass(frozen=True)
class Comparison:
    """Every value of the compared tables, and those that differ."""

    values: int
    files: tuple[str, ...]
    mismatches: tuple[Mismatch, ...]

    @property
    def matches(self) -> bool:
        """True when every value is the same, to the last digit."""
        return not self.mismatches


def compare_tables(name: str, expected: pd.DataFrame, got: pd.DataFrame) -> Comparison:
    """Compare two tables read as text, cell by cell.

    Tables of another shape or with other columns give one mismatch saying so;
    otherwise each differing cell is one mismatch, named by its row's key columns.
    """
    if list(expected.columns) != list(got.columns):
        return Comparison(0, (name,), (Mismatch(
            name, "columns", "", ", ".join(map(str, expected.columns)),
            ", ".join(map(str, got.columns))),))
    if len(expected) != len(got):
        return Comparison(0, (name,), (Mismatch(name, "rows", "", str(len(expected)),
                                                str(len(got))),))
    left, right = expected.to_numpy(), got.to_numpy()
    keys = [column for column in expected.columns if column in KEY_COLUMNS]
    mismatches = []
    for row, column in zip(*(left != right).nonzero(), strict=True):
        label = ", ".join(f"{key}={expected.iloc[row][key]}" for key in keys) or f"row {row + 2}"
        mismatches.append(Mismatch(name, f"[{label}]", str(expected.columns[column]),
                                   str(left[row, column]), str(right[row, column])))
    return Comparison(int(left.size), (name,), tuple(mismatches))


def read_table(path: Path) -> pd.DataFrame:
    """A CSV as text, exactly as written (no parsing of numbers, empty cells kept empty)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def compare_folders(original: Path, rerun: Path,
                    names: Sequence[str] = RUN_TABLES) -> Comparison:
    """Compare every table of ``names`` that ``original`` holds with the one in ``rerun``."""
    values, files, mismatches = 0, [], []
    for name in names:
        if not (original / name).is_file():
            continue
        files.append(name)
        if not (rerun / name).is_file():
            mismatches.append(Mismatch(name, "file", "", "present", "not written"))
            continue
        result = compare_tables(name, read_table(original / name), read_table(rerun / name))
        values += result.values
        mismatches.extend(result.mismatches)
    return Comparison(values, tuple(files), tuple(mismatches))
