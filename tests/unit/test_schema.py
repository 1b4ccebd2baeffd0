"""The scenario files' JSON Schema: what editors check, kept in step with the strict schema.

Editors read YAML 1.2, where an unquoted ``2024-01-01`` is text, so the shipped files are
read here the same way (no timestamp resolution) before they are checked.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from model.loading import SCHEMA_FILE, SCHEMA_MODELINE, json_schema, load_scenario
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.rglob("*.yaml"))


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it: dates stay text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers
            if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_schema())


def _messages(validator: jsonschema.Draft202012Validator, document: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(document)]


def test_the_shipped_schema_file_is_the_current_schema() -> None:
    """A schema change is shipped with the scenarios, or editors check against a stale one."""
    shipped = json.loads((SCENARIOS / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert shipped == json_schema(), (
        f"scenarios/{SCHEMA_FILE} is out of date: run "
        f"python run_scenario.py schema --out scenarios/{SCHEMA_FILE}")


@pytest.mark.parametrize("path", SHIPPED,
                         ids=[str(path.relative_to(SCENARIOS)) for path in SHIPPED])
def test_every_shipped_file_passes_and_names_the_schema(
        path: Path, validator: jsonschema.Draft202012Validator) -> None:
    """Overlays (files that extend another) pass though they give only what they change."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = SCHEMA_MODELINE.removesuffix(SCHEMA_FILE)
    assert first.startswith(prefix), f"{path.name} does not name the schema in its first line"
    assert (path.parent / first.removeprefix(prefix)).resolve() == SCENARIOS / SCHEMA_FILE
    assert _messages(validator, _read(path)) == []


def test_a_resolved_scenario_passes_and_mistakes_in_it_do_not(
        validator: jsonschema.Draft202012Validator) -> None:
    """Unknown keys and wrong types are marked in whole files as the run command refuses them."""
    resolved = load_scenario(SCENARIOS / "status_quo.yaml").model_dump(mode="json")
    assert _messages(validator, resolved) == []
    misspelt = copy.deepcopy(resolved)
    misspelt["download"]["bandwith_mbps"] = 3
    assert any("bandwith_mbps" in m for m in _messages(validator, misspelt))
    wrong = copy.deepcopy(resolved)
    wrong["replications"] = "ten"
    assert any("'ten'" in m for m in _messages(validator, wrong))
    missing = copy.deepcopy(resolved)
    del missing["states"]
    assert any("'states' is a required property" in m for m in _messages(validator, missing))


def test_an_overlay_needs_nothing_but_is_still_checked(
        validator: jsonschema.Draft202012Validator) -> None:
    """An overlay may leave everything out, but what it gives must be right."""
    assert _messages(validator, {"extends": "status_quo.yaml", "name": "x"}) == []
    assert _messages(validator, {"extends": "status_quo.yaml",
                                 "download": {"bandwidth_mbps": {"value": 50}}}) == []
    assert _messages(validator, {"extends": "status_quo.yaml", "download": {"bandwith": 1}})
    assert _messages(validator, {"extends": "status_quo.yaml",
                                 "download": {"bandwidth_mbps": {"value": "a lot"}}})
