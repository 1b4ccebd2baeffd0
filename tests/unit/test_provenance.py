"""Provenance: hashes, version and commit; comparing a re-run's tables to the last digit."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from model.loading import override, validate
from model.runs.provenance import (
    canonical_json,
    git_commit,
    initial_state_sha256,
    product_version,
    provenance,
    scenario_sha256,
)
from model.scenario import Scenario
from reports.reproduction import compare_folders, compare_tables
from reports.run_folder import RESULT_TABLES
from tests.conftest import ROOT


def test_scenario_hash_is_of_the_resolved_scenario(status_quo: Scenario) -> None:
    """Stable, survives the trip through run.json, and moves with any field."""
    digest = scenario_sha256(status_quo)
    assert len(digest) == 64 and digest == scenario_sha256(status_quo)
    recorded = json.loads(json.dumps(status_quo.model_dump(mode="json")))
    assert scenario_sha256(validate(recorded)) == digest
    assert json.loads(canonical_json(status_quo)) == recorded
    assert scenario_sha256(override(status_quo, ["seed=7"])) != digest


def test_initial_state_hash(status_quo: Scenario, small: Scenario) -> None:
    """The starting-state file's bytes are hashed; no file, no hash."""
    assert initial_state_sha256(small) is None
    assert len(initial_state_sha256(status_quo) or "") == 64


def test_product_version_is_the_project_version() -> None:
    """Installed or not, the version is the one pyproject.toml declares."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        declared = tomllib.load(stream)["project"]["version"]
    assert product_version() == declared
    assert product_version(Path("/nonexistent")) in (declared, "unknown")


def test_commit_from_a_checkout_and_never_a_failure(monkeypatch, tmp_path: Path,
                                                   small: Scenario) -> None:
    """A checkout gives the commit and a dirty flag; no git or no checkout gives None."""
    commit = git_commit()
    if (ROOT / ".git").exists():
        assert commit is not None and len(commit["sha"]) == 40
        assert isinstance(commit["dirty"], bool)
    assert git_commit(tmp_path) is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the path at all
    assert git_commit() is None
    assert provenance(small)["commit"] is None


def frame(**columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_identical_tables_match_value_by_value() -> None:
    """Every cell counts as a value; identical text matches."""
    table = frame(scope=["national", "PLS"], metric=["raids", "raids"], mean=["1.5", "nan"])
    result = compare_tables("summary.csv", table, table.copy())
    assert result.matches and result.values == 6


def test_a_last_digit_difference_is_reported_with_its_row() -> None:
    """0.30000000000000004 is not 0.3: named by file, row keys and column."""
    before = frame(scope=["national"], metric=["raids"], mean=["0.30000000000000004"])
    after = frame(scope=["national"], metric=["raids"], mean=["0.3"])
    result = compare_tables("summary.csv", before, after)
    assert not result.matches
    assert str(result.mismatches[0]) == ("summary.csv [scope=national, metric=raids] mean: "
                                         "0.30000000000000004 in the run, 0.3 now")


def test_other_shapes_are_one_mismatch_each() -> None:
    """Missing rows or other columns are reported as such, not cell by cell."""
    table = frame(metric=["a", "b"], value=["1", "2"])
    assert compare_tables("x.csv", table, table.head(1)).mismatches[0].row == "rows"
    renamed = table.rename(columns={"value": "mean"})
    assert compare_tables("x.csv", table, renamed).mismatches[0].row == "columns"


def test_folders_compare_the_tables_the_original_holds(tmp_path: Path) -> None:
    """Tables the original lacks are skipped; one the re-run lacks is a mismatch."""
    original, rerun = tmp_path / "a", tmp_path / "b"
    original.mkdir()
    rerun.mkdir()
    (original / "summary.csv").write_text("metric,mean\nraids,1.25\n", encoding="utf-8")
    (rerun / "summary.csv").write_text("metric,mean\nraids,1.25\n", encoding="utf-8")
    result = compare_folders(original, rerun)
    assert result.matches and result.files == ("summary.csv",) and result.values == 2
    (original / "yearly.csv").write_text("year\n2024\n", encoding="utf-8")
    result = compare_folders(original, rerun)
    assert [m.file for m in result.mismatches] == ["yearly.csv"]
    assert set(RESULT_TABLES) >= {"summary.csv", "yearly.csv", "end_state.csv"}


@pytest.mark.parametrize("text", ["", "1e-320", "-0.0", "inf"])
def test_numbers_are_compared_as_written(tmp_path: Path, text: str) -> None:
    """No parsing: empty cells, subnormals and signed zeros compare as their text."""
    table = frame(value=[text])
    assert compare_tables("x.csv", table, table.copy()).matches
    assert not compare_tables("x.csv", table, frame(value=[text + "0"])).matches
