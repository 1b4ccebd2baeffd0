"""A scenario carries its starting state: no replication reads the client's file by path.

A Dask worker on another machine has the installed package but none of the client's
files, so the loader reads the starting-state CSV once and the scenario carries its rows.
Here the file is moved away after loading: replications (in this process and in a pool
of processes), a sweep point's variant and a variant with other values still run, and
give exactly the numbers they gave with the file in place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from model.engine.initial_state import carrying_initial_state, initial_state_frame
from model.experiments.replications import Replications, replicate, run_replications
from model.loading import json_schema, load_scenario, override
from model.runs.provenance import canonical_json
from model.scenario import InitialState, Scenario, with_values
from tests.conftest import ROOT

SHORT = ["end_date=2024-03-31", "replications=2"]
TABLES = ("metrics", "monthly", "delays", "end_state", "utilisation")


def assert_same(left: Replications, right: Replications) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name))


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """The shipped scenarios, copied so that their starting states can be moved away."""
    return Path(shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios"))


def _move_away(scenario: Scenario) -> Path:
    assert scenario.initial_state is not None
    path = Path(scenario.initial_state.from_file)
    gone = path.with_name(path.name + ".moved")
    path.rename(gone)
    assert not path.exists()
    return gone


def test_a_loaded_scenario_runs_after_its_starting_state_file_has_gone(copied: Path) -> None:
    """Moved after loading, the file is not needed: the same numbers, here and in a pool."""
    scenario = load_scenario(copied / "status_quo.yaml", SHORT)
    assert scenario.initial_state is not None and scenario.initial_state.counts
    before = replicate(scenario, 0)
    assert before.metrics.query("metric == 'initial_backlog'").value.max() > 0
    _move_away(scenario)
    assert_same(replicate(scenario, 0), before)
    assert_same(run_replications(scenario, 2, workers=2),
                run_replications(load_scenario(ROOT / "scenarios" / "status_quo.yaml", SHORT),
                                 2, workers=1))


def test_variants_keep_the_rows_without_the_file(copied: Path) -> None:
    """A sweep point (``override``) and new values (``with_values``) carry the rows too."""
    scenario = load_scenario(copied / "status_quo.yaml", SHORT)
    point = override(scenario, ["download.bandwidth_mbps=50"])
    valued = with_values(scenario, {"selection.triage_minutes": 20.0})
    expected = [replicate(point, 0), replicate(valued, 0)]
    _move_away(scenario)
    again = override(scenario, ["download.bandwidth_mbps=50"])
    assert_same(replicate(again, 0), expected[0])
    assert_same(replicate(with_values(scenario, {"selection.triage_minutes": 20.0}), 0),
                expected[1])


def test_the_rows_are_never_written_out(status_quo: Scenario) -> None:
    """Dumps, run.json's hash and the editors' schema name the file, not its rows."""
    assert status_quo.initial_state is not None and status_quo.initial_state.counts
    assert "counts" not in status_quo.model_dump(mode="json")["initial_state"]
    assert '"counts"' not in canonical_json(status_quo)
    assert list(json_schema()["$defs"]["InitialState"]["properties"]) == [
        "from_file", "age_offset_days", "note"]


def test_a_scenario_made_in_code_reads_its_file_in_the_client(status_quo: Scenario) -> None:
    """Given only ``from_file``, the rows are read where the run starts, before any worker."""
    assert status_quo.initial_state is not None
    bare = status_quo.model_copy(update={"initial_state": InitialState(
        from_file=status_quo.initial_state.from_file)})
    carried = carrying_initial_state(bare)
    assert carried.initial_state is not None
    assert carried.initial_state.counts == status_quo.initial_state.counts
    pd.testing.assert_frame_equal(initial_state_frame(bare.initial_state),
                                  initial_state_frame(status_quo.initial_state),
                                  check_dtype=False)
