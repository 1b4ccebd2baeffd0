"""Loading scenarios: YAML files, ``extends``, ``--set`` overrides and the planner's errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from model.loading import ScenarioError, json_schema, load_scenario, validate
from model.scenario import QueueDiscipline, Scenario, assumptions_register, iter_estimates
from model.schema_base import STATE_CODES

ROOT = Path(__file__).resolve().parents[2]
STATUS_QUO = ROOT / "scenarios" / "baseline.yaml"  # the self-contained file edits are made on


def refusal(overrides: list[str], path: Path = STATUS_QUO) -> str:
    """Load ``path`` with ``overrides``, expecting a ScenarioError; return its message."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return str(caught.value)


def line_of(text: str, fragment: str) -> int:
    """1-based number of the only line of ``text`` that contains ``fragment``."""
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(numbers) == 1, f"{fragment!r} is on lines {numbers}"
    return numbers[0]


def status_quo_with(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    """Write a copy of status_quo.yaml into ``tmp_path`` with one text replacement."""
    text = STATUS_QUO.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in status_quo.yaml"
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# --- the shipped scenario -------------------------------------------------------------------


def test_status_quo_loads(status_quo: Scenario) -> None:
    """The shipped scenario validates and describes all 14 state contingents."""
    assert status_quo.name == "status_quo"
    assert set(status_quo.states) == set(STATE_CODES)
    assert status_quo.end_date > status_quo.start_date


def test_every_assumption_has_its_range(status_quo: Scenario) -> None:
    """Every Estimate labelled as an assumption gives low and high around its value."""
    assumed = [(path, est) for path, _, est in iter_estimates(status_quo)
               if est.assumption is not None]
    assert assumed
    for path, estimate in assumed:
        assert estimate.low is not None and estimate.high is not None, path
        assert estimate.low <= estimate.value <= estimate.high, path


def test_assumptions_register_entries_have_units(status_quo: Scenario) -> None:
    """The register lists exactly the assumptions, each with a unit, range and note."""
    register = assumptions_register(status_quo)
    assert register
    expected = {path for path, _, est in iter_estimates(status_quo) if est.assumption}
    assert {entry["parameter"] for entry in register} == expected
    for entry in register:
        assert isinstance(entry["unit"], str) and entry["unit"], entry["parameter"]
        assert entry["note"], entry["parameter"]
        assert entry["low"] <= entry["value"] <= entry["high"], entry["parameter"]


def test_assumptions_register_has_no_dimensionless_entries(status_quo: Scenario) -> None:
    """Every assumption's unit comes from its field name; none falls back to dimensionless."""
    unitless = [e["parameter"] for e in assumptions_register(status_quo)
                if e["unit"] == "dimensionless"]
    assert unitless == []


# --- extends --------------------------------------------------------------------------------


def test_extends_takes_everything_else_from_the_parent(tmp_path: Path) -> None:
    """A child that extends a scenario changes only what it names; the rest is the parent's."""
    status_quo = load_scenario(STATUS_QUO)
    shutil.copy(STATUS_QUO, tmp_path / "status_quo.yaml")
    child_path = tmp_path / "faster_line.yaml"
    child_path.write_text(
        "extends: status_quo.yaml\n"
        "name: faster_line\n"
        "download:\n"
        "  bandwidth_mbps: {value: 50}\n",
        encoding="utf-8",
    )
    child = load_scenario(child_path)
    assert child.name == "faster_line"
    assert child.download.bandwidth_mbps.value == 50
    parent_line = status_quo.download.bandwidth_mbps
    assert child.download.bandwidth_mbps.assumption == parent_line.assumption
    assert (child.download.bandwidth_mbps.low, child.download.bandwidth_mbps.high) == (
        parent_line.low, parent_line.high)
    assert child.states == status_quo.states
    assert child.review.review_hours == status_quo.review.review_hours
    assert child.download.model_dump(exclude={"bandwidth_mbps"}) == (
        status_quo.download.model_dump(exclude={"bandwidth_mbps"}))
    assert child.model_dump(exclude={"name", "download"}) == (
        status_quo.model_dump(exclude={"name", "download"}))


def test_extends_is_relative_to_the_child_folder(tmp_path: Path) -> None:
    """``extends: ../status_quo.yaml`` from a subfolder finds the parent beside that folder."""
    shutil.copy(STATUS_QUO, tmp_path / "status_quo.yaml")
    (tmp_path / "variants").mkdir()
    child_path = tmp_path / "variants" / "fifo.yaml"
    child_path.write_text("extends: ../status_quo.yaml\nname: fifo\n"
                          "selection: {discipline: fifo}\n", encoding="utf-8")
    child = load_scenario(child_path)
    assert (child.name, child.selection.discipline) == ("fifo", QueueDiscipline.FIFO)


def test_extends_missing_parent_is_refused(tmp_path: Path) -> None:
    """A child naming a parent that does not exist is refused, naming that parent."""
    child_path = tmp_path / "orphan.yaml"
    child_path.write_text("extends: nowhere.yaml\nname: orphan\n", encoding="utf-8")
    message = refusal([], child_path)
    assert "nowhere.yaml" in message
    assert "does not exist" in message


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    """a.yaml extends b.yaml extends a.yaml: refused as a circle, naming both files."""
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n", encoding="utf-8")
    message = refusal([], tmp_path / "a.yaml")
    assert "circle" in message
    assert "a.yaml" in message and "b.yaml" in message


# --- --set overrides ------------------------------------------------------------------------


def test_set_overrides_are_applied() -> None:
    """``--set`` changes a number, an enum and a year-keyed estimate, keeping provenance."""
    status_quo = load_scenario(STATUS_QUO)
    scenario = load_scenario(STATUS_QUO, [
        "download.bandwidth_mbps=20",
        "selection.discipline=fifo",
        "arrivals.referrals_per_year.2023=1000",
    ])
    bandwidth = scenario.download.bandwidth_mbps
    assert bandwidth.value == 20
    assert (bandwidth.low, bandwidth.high) == (status_quo.download.bandwidth_mbps.low,
                                               status_quo.download.bandwidth_mbps.high)
    assert bandwidth.assumption == status_quo.download.bandwidth_mbps.assumption
    assert scenario.selection.discipline == QueueDiscipline.FIFO
    referrals = scenario.arrivals.referrals_per_year[2023]
    assert referrals.value == 1000
    assert referrals.source == status_quo.arrivals.referrals_per_year[2023].source
    assert scenario.review == status_quo.review


# --- contradictions -------------------------------------------------------------------------


def _state_block(code: str) -> str:
    """A complete state entry copied from status_quo, as inline YAML (JSON) for ``--set``."""
    state = load_scenario(STATUS_QUO).states[code]
    return json.dumps(state.model_dump(mode="json", exclude_none=True))


CONTRADICTIONS = {
    "end before start": (["end_date=2023-12-31"], ["end_date", "start_date"]),
    "low above high": (["download.bandwidth_mbps.high=1"],
                       ["download.bandwidth_mbps", "low (2)", "high (1)"]),
    "value above its range": (["download.usable_share=0.9"],
                              ["download.usable_share", "0.9", "0.6"]),
    "filled beyond posts": (["states.PLS.officers.filled_at_start=5"],
                            ["states.PLS.officers", "filled_at_start"]),
    "negative bandwidth below its range": (["download.bandwidth_mbps=-1"],
                                           ["download.bandwidth_mbps", "-1"]),
    "negative bandwidth with a negative range": (
        ["download.bandwidth_mbps={value: -1, low: -5, high: 100, assumption: test}"],
        ["download.bandwidth_mbps", "at least 0"]),
}


@pytest.mark.parametrize("overrides, fragments", CONTRADICTIONS.values(),
                         ids=CONTRADICTIONS.keys())
def test_contradiction_is_refused_naming_the_field(overrides: list[str],
                                                  fragments: list[str]) -> None:
    """A contradictory scenario is refused with the field's dotted path in the message."""
    message = refusal(overrides)
    for fragment in fragments:
        assert fragment in message


def test_unknown_state_code_is_refused() -> None:
    """A complete state entry under an unknown code is refused, naming the code and states."""
    message = refusal([f"states.XYZ={_state_block('PLS')}"])
    assert "XYZ" in message
    assert "states" in message
    assert "SGR" in message  # lists the valid codes


def test_end_date_contradiction_names_its_line(tmp_path: Path) -> None:
    """The end_date-before-start_date refusal points at end_date's line in the file."""
    path = status_quo_with(tmp_path, "end_date: 2026-12-31", "end_date: 2023-12-31")
    line = line_of(path.read_text(encoding="utf-8"), "end_date:")
    message = refusal([], path)
    assert f"edited.yaml, line {line}" in message


# --- problems a --set override caused -------------------------------------------------------


SET_PROBLEMS = {
    "a number out of range": "states.SGR.officers.posts=-3",
    "a contradiction between fields": "end_date=2023-12-31",
    "a field inside an estimate": "download.bandwidth_mbps.high=1",
    "a field inside a merged section": "hq.download_team={officers: {posts: -1}}",
    "a share written as a percentage": "download.usable_share=45",
}


@pytest.mark.parametrize("override", SET_PROBLEMS.values(), ids=SET_PROBLEMS.keys())
def test_a_problem_set_by_set_names_the_set_argument(override: str) -> None:
    """A problem a ``--set`` caused is located at that --set, not in a file it did not touch."""
    message = refusal([override], ROOT / "scenarios" / "status_quo.yaml")
    assert f"(--set {override})" in message
    assert ".yaml, line" not in message


def test_a_problem_beside_a_set_still_names_its_file(tmp_path: Path) -> None:
    """An override elsewhere does not take the blame for a problem written in the file."""
    path = status_quo_with(tmp_path, "end_date: 2026-12-31", "end_date: 2023-12-31")
    message = refusal(["download.bandwidth_mbps=20"], path)
    assert "edited.yaml, line" in message
    assert "--set" not in message


# --- messages that name the fix -------------------------------------------------------------


def overlay(tmp_path: Path, body: str) -> Path:
    """A planner's file extending a copy of baseline.yaml, with ``body`` beneath."""
    shutil.copy(STATUS_QUO, tmp_path / "baseline.yaml")
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: baseline.yaml\nname: mine\n{body}", encoding="utf-8")
    return path


DATES = {
    "day first, day above 12": ("31/01/2024", ["YYYY-MM-DD", "did you mean 2024-01-31?"]),
    "day and month alike": ("01/01/2024", ["YYYY-MM-DD", "did you mean 2024-01-01?"]),
    "year first, slashes": ("2024/01/31", ["YYYY-MM-DD", "did you mean 2024-01-31?"]),
    "month first, day above 12": ("01/31/2024", ["did you mean 2024-01-31?"]),
    "ambiguous": ("01/02/2024", ["YYYY-MM-DD", "ambiguous", "2024-02-01 (as day/month/year)",
                                 "2024-01-02 (as month/day/year)"]),
    "no calendar date": ("31/02/2024", ["YYYY-MM-DD", "got '31/02/2024'"]),
    "words": ("1 Jan 2024", ["YYYY-MM-DD", "got '1 Jan 2024'"]),
}


@pytest.mark.parametrize("written, fragments", DATES.values(), ids=DATES.keys())
def test_a_date_not_written_yyyy_mm_dd_gets_the_format_and_the_rewrite(
        tmp_path: Path, written: str, fragments: list[str]) -> None:
    """``start_date: 31/01/2024`` is refused with the format and, if unambiguous, the date."""
    message = refusal([], overlay(tmp_path, f"start_date: {written}\n"))
    assert "start_date (mine.yaml, line 3)" in message
    for fragment in fragments:
        assert fragment in message
    assert "invalid character" not in message
    if not any("did you mean" in fragment for fragment in fragments):
        assert "did you mean" not in message  # nothing to suggest, or two readings


PERCENTAGES = {
    "value only": ("download:\n  usable_share: {value: 45}\n", "did you mean 0.45?"),
    "value and range": ("download:\n  usable_share: {value: 45, low: 30, high: 60}\n",
                        "did you mean low 0.3, value 0.45, high 0.6?"),
    "high raised as once advised": ("download:\n  usable_share: {value: 0.45, high: 100}\n",
                                    "did you mean high 1?"),
    "a probability": ("raid:\n  arrest_prob: {value: 43}\n", "did you mean 0.43?"),
    "a plain value where a section belongs": (
        "states:\n  SGR:\n    officers: {posts: 1, availability_share: 80}\n",
        "write availability_share: {value: 0.8"),
}


@pytest.mark.parametrize("body, fix", PERCENTAGES.values(), ids=PERCENTAGES.keys())
def test_a_share_written_as_a_percentage_is_read_back_as_a_fraction(
        tmp_path: Path, body: str, fix: str) -> None:
    """45 for a share is refused with "a fraction between 0 and 1: did you mean 0.45?"."""
    message = refusal([], overlay(tmp_path, body))
    assert "fraction between 0 and 1" in message
    assert fix in message
    assert "raise 'high'" not in message


def test_a_share_above_its_range_but_not_a_percentage_gets_the_range() -> None:
    """1.5 for a rise whose range is 0.1-0.6 is out of range, not 1.5 %: no fraction advice."""
    message = refusal(["awareness.reports_uplift_max_share=1.5"])
    assert "above its plausible range" in message
    assert "did you mean" not in message


MAPPINGS = {
    "a staff group": ("states:\n  SGR:\n    lower_ranks: 4\n",
                      ["states.SGR.lower_ranks", "write lower_ranks: {posts: 4}",
                       "(and optionally filled_at_start, availability_share, changes)"]),
    "a section of several fields": ("download: 3\n", [
        "write download: {bandwidth_mbps: ..., usable_share: ...", "optionally line_mbps"]),
    "a section whose one field is a section": ("training: 5\n",
                                              ["write training: {effects: ...}"]),
    "an estimate": ("hq:\n  download_team:\n    officers: {posts: 4, availability_share: 0.9}\n",
                    ["write availability_share: {value: 0.9, source:", "assumption:"]),
}


@pytest.mark.parametrize("body, fragments", MAPPINGS.values(), ids=MAPPINGS.keys())
def test_a_value_where_a_mapping_belongs_shows_the_expected_shape(
        tmp_path: Path, body: str, fragments: list[str]) -> None:
    """``lower_ranks: 4`` is refused with "write lower_ranks: {posts: 4}" and what else fits."""
    message = refusal([], overlay(tmp_path, body))
    assert "must be a mapping" in message
    for fragment in fragments:
        assert fragment in message


# --- unknown keys and wrong types -----------------------------------------------------------


def test_misspelled_key_is_refused_with_valid_keys_and_line(tmp_path: Path) -> None:
    """An extra ``download.bandwith_mbps`` is refused with the valid keys and its line."""
    path = status_quo_with(
        tmp_path, "\ndownload:\n",
        "\ndownload:\n  bandwith_mbps: {value: 50, low: 2, high: 100, assumption: typo}\n",
    )
    line = line_of(path.read_text(encoding="utf-8"), "bandwith_mbps")
    message = refusal([], path)
    assert "download.bandwith_mbps" in message
    assert "'bandwith_mbps'" in message
    valid = message.partition("valid keys")[2]
    assert "bandwidth_mbps" in valid and "usable_share" in valid
    assert f"line {line}" in message
    assert "edited.yaml" in message


def test_wrong_type_is_refused_naming_the_value(tmp_path: Path) -> None:
    """``review_hours: {value: "abc"}`` is refused naming review.review_hours.value."""
    path = status_quo_with(tmp_path, "review_hours: {value: 2,", 'review_hours: {value: "abc",')
    line = line_of(path.read_text(encoding="utf-8"), "review_hours:")
    message = refusal([], path)
    assert "review.review_hours.value" in message
    assert "abc" in message
    assert f"line {line}" in message


# --- JSON Schema ----------------------------------------------------------------------------


def test_json_schema_lists_sections_and_extends() -> None:
    """json_schema() describes states, download and extends, and survives json.dumps."""
    schema = json_schema()
    assert isinstance(schema, dict)
    for variant in ("Scenario", "ScenarioOverlay"):  # a whole file, and one that extends
        for key in ("states", "download", "extends"):
            assert key in schema["$defs"][variant]["properties"]
    assert "required" in schema["$defs"]["Scenario"]
    assert "required" not in schema["$defs"]["ScenarioOverlay"]
    assert json.loads(json.dumps(schema)) == schema


# --- the HQ line: a decision beside the estimate of what evidence gets ----------------------


def test_a_line_bought_is_one_line_of_yaml(tmp_path: Path) -> None:
    """``download: {line_mbps: 500}`` gives evidence 500 x evidence_share, times usable_share."""
    today = load_scenario(STATUS_QUO).download
    assert today.line_mbps is None
    assert today.evidence_mbps == today.bandwidth_mbps.value
    assert today.usable_mbps == today.bandwidth_mbps.value * today.usable_share.value
    bought = load_scenario(overlay(tmp_path, "download: {line_mbps: 500}\n")).download
    assert bought.evidence_share is not None
    assert bought.evidence_mbps == pytest.approx(500 * bought.evidence_share.value)
    assert bought.usable_mbps == pytest.approx(bought.evidence_mbps * bought.usable_share.value)
    assert bought.bandwidth_mbps == today.bandwidth_mbps  # the estimate of today's line stays


def test_buying_a_line_never_slows_evidence_downloads() -> None:
    """A line whose evidence share is below today's rate leaves evidence today's rate."""
    download = load_scenario(STATUS_QUO, ["download.bandwidth_mbps=10",
                                          "download.line_mbps=4"]).download
    assert download.evidence_mbps == 10
    assert download.evidence_mbps_on(None) == 10
    assert download.evidence_mbps_on(100) == pytest.approx(100 * 0.5)


def test_a_line_without_its_evidence_share_is_refused() -> None:
    """A scenario that buys a line but gives no evidence_share is told what to add."""
    scenario = load_scenario(STATUS_QUO)
    data = scenario.model_dump(mode="json", exclude_none=True)
    del data["download"]["evidence_share"]
    data["download"]["line_mbps"] = 500
    with pytest.raises(ScenarioError) as caught:
        validate(data)
    assert "download.evidence_share" in str(caught.value)
    assert "line_mbps" in str(caught.value)
