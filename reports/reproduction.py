"""Reproduction: a finished run's tables compared, cell by cell, with a re-run's.

``reproduce`` and the golden backtest compare folders this way: every value as written,
to the last digit, each difference named by its row's key columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reports.run_folder import RESULT_TABLES

KEY_COLUMNS = ("replication", "year", "month", "scope", "state", "stage", "metric", "quantile",
               "age_days_low", "age_days_high", "group")
"""Columns that say which row a value belongs to, when a mismatch is reported."""


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
                    names: Sequence[str] = RESULT_TABLES) -> Comparison:
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
