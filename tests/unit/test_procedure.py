"""The optimiser's procedure sits under ``optimise.procedure``, apart from the question.

A planner's file states what to optimise, under which constraints, and what the chosen
plan must promise; how the optimiser searches has defaults in code and one named block.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from model.loading import ScenarioError, load_scenario
from model.optimise_schema import OPTIMISE_PROCEDURE, SELECTION_PROCEDURE, Procedure
from reports.choice import procedure_settings
from solvers.settings import NotAnOptimisation, optimise_settings
from tests.conftest import ROOT

OPTIMISE = ROOT / "scenarios" / "optimise_rm13m.yaml"


def refusal(path: Path, overrides: list[str]) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return str(caught.value)


@pytest.mark.parametrize(("override", "old", "new"), [
    ("optimise.rounds=1", "optimise.rounds", "optimise.procedure.rounds"),
    ("optimise.solver_workers=4", "optimise.solver_workers",
     "optimise.procedure.solver_workers"),
    ("optimise.selection.looks=[12]", "optimise.selection.looks", "optimise.procedure.looks"),
    ("optimise.selection={candidates: 5, probability: 0.9}", "optimise.selection.candidates",
     "optimise.procedure.candidates"),
])
def test_an_old_key_in_its_old_place_is_refused_naming_its_new_place(
        override: str, old: str, new: str) -> None:
    """Set on the command line: the message names the --set, the old path and the new one."""
    message = refusal(OPTIMISE, [override])
    assert f"{old} (--set {override}):" in message
    assert f"move {old} to {new}" in message


def test_every_old_key_of_a_file_is_named_with_its_line(tmp_path: Path) -> None:
    """An old file is mended in one pass: each old key named with its new place."""
    text = OPTIMISE.read_text(encoding="utf-8").replace(
        "  procedure:\n    rounds: 3 ", "  rounds: 3\n  procedure:\n    neighbours: 6 ")
    text = text.replace("    worst_regret_share: 0.10\n",
                        "    worst_regret_share: 0.10\n    finalists: 2\n")
    text = text.replace("extends: status_quo.yaml", f"extends: {OPTIMISE.parent}/status_quo.yaml")
    path = tmp_path / "old.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row == "  rounds: 3")
    message = refusal(path, [])
    assert f"optimise.rounds (old.yaml, line {line}):" in message
    assert "move optimise.rounds to optimise.procedure.rounds; " \
           "optimise.selection.finalists to optimise.procedure.finalists" in message


def _keys_outside(node: Any, path: tuple[str, ...]) -> list[str]:
    """Dotted paths of procedure keys anywhere under ``node`` except inside ``procedure``."""
    if not isinstance(node, dict):
        return []
    procedure = set(Procedure.model_fields)
    found = []
    for key, value in node.items():
        if key == "procedure" and path == ("optimise",):
            continue
        if key in procedure:
            found.append(".".join((*path, str(key))))
        found += _keys_outside(value, (*path, str(key)))
    return found


def test_the_shipped_optimisation_has_no_procedure_key_outside_procedure() -> None:
    """The planner's file states the question; the procedure is in its one block.

    Its procedure block holds only what differs from the defaults in code.
    """
    raw = yaml.safe_load(OPTIMISE.read_text(encoding="utf-8"))
    assert _keys_outside(raw["optimise"], ("optimise",)) == []
    defaults = Procedure()
    written = raw["optimise"]["procedure"]
    same = [key for key, value in written.items()
            if Procedure.model_validate({key: value}) == defaults]
    assert same == [], f"optimise.procedure repeats the defaults of {same}"


def test_the_old_places_list_every_procedure_setting() -> None:
    """Every procedure setting had exactly one old place, so each gets its message."""
    assert sorted([*OPTIMISE_PROCEDURE, *SELECTION_PROCEDURE]) == sorted(Procedure.model_fields)


def test_a_plain_scenario_is_refused_by_the_optimiser_with_a_message() -> None:
    """The solvers read the settings through one narrowing that says what is missing."""
    plain = load_scenario(ROOT / "scenarios" / "status_quo.yaml")
    with pytest.raises(NotAnOptimisation, match="has no optimise section"):
        optimise_settings(plain)
    assert optimise_settings(load_scenario(OPTIMISE)).procedure.rounds == 3


def test_a_report_reads_the_procedure_of_a_run_old_or_new() -> None:
    """``run.json`` of a run before ``optimise.procedure`` kept the settings in selection."""
    old = {"scenario": {"optimise": {"selection": {"probability": 0.95,
                                                    "regret_replications": 4}}}}
    new = {"scenario": {"optimise": {"selection": {"probability": 0.95},
                                     "procedure": {"regret_replications": 5}}}}
    assert procedure_settings(old)["regret_replications"] == 4
    assert procedure_settings(new)["regret_replications"] == 5
