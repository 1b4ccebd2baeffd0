"""The command line refuses bad input with exit status 2, a clear message and no output folder.

Every run here fails before simulating, so each takes about a second.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATUS_QUO = ROOT / "scenarios" / "baseline.yaml"  # self-contained: text edits are made on it
SCENARIO_ARG = "scenarios/status_quo.yaml"  # as a planner types it, from the project root
# If a refusal were ever missed, these keep the accidental run short.
CHEAP = ["--set", "end_date=2024-01-31", "--set", "arrivals.referrals_per_year.2023=1000",
         "--replications", "1", "--workers", "1", "--quiet"]


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    """Run ``python run_scenario.py ARGS`` from the project root and capture its output."""
    return subprocess.run(
        [sys.executable, "run_scenario.py", *(str(a) for a in args)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


def status_quo_with(tmp_path: Path, old: str, new: str) -> Path:
    """Write a copy of status_quo.yaml into ``tmp_path`` with one text replacement."""
    text = STATUS_QUO.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in status_quo.yaml"
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    """1-based number of the only line of ``path`` that contains ``fragment``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    numbers = [n for n, line in enumerate(lines, start=1) if fragment in line]
    assert len(numbers) == 1, f"{fragment!r} is on lines {numbers}"
    return numbers[0]


def missing_file(tmp_path: Path) -> tuple[list[object], list[str]]:
    """A scenario path that does not exist."""
    return [tmp_path / "missing.yaml"], ["missing.yaml", "not found"]


def syntax_error(tmp_path: Path) -> tuple[list[object], list[str]]:
    """A YAML file with an unclosed flow sequence."""
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    return [path], ["broken.yaml", "YAML syntax error", "line "]


def top_level_list(tmp_path: Path) -> tuple[list[object], list[str]]:
    """A YAML file whose top level is a list, not a mapping."""
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    return [path], ["list.yaml", "mapping", "list"]


def unknown_key(tmp_path: Path) -> tuple[list[object], list[str]]:
    """status_quo with a misspelled extra key ``download.bandwith_mbps``."""
    path = status_quo_with(
        tmp_path, "\ndownload:\n",
        "\ndownload:\n  bandwith_mbps: {value: 50, low: 2, high: 100, assumption: typo}\n",
    )
    line = line_of(path, "bandwith_mbps")
    return [path], ["download.bandwith_mbps", "bandwidth_mbps", f"line {line}"]


def wrong_type(tmp_path: Path) -> tuple[list[object], list[str]]:
    """status_quo with a text where review_hours needs a number."""
    path = status_quo_with(tmp_path, "review_hours: {value: 2,", 'review_hours: {value: "abc",')
    line = line_of(path, "review_hours:")
    return [path], ["review.review_hours.value", "abc", f"line {line}"]


def set_without_equals(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``--set`` given a path but no ``=value``."""
    return [SCENARIO_ARG, "--set", "download.bandwidth_mbps"], [
        "--set", "download.bandwidth_mbps", "dotted.path=value"]


def zero_replications(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``--replications 0``."""
    return [SCENARIO_ARG, "--replications", "0"], ["--replications", "at least 1"]


def own_scenario(tmp_path: Path, body: str) -> Path:
    """A planner's own file extending the shipped status_quo, with ``body`` beneath."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'status_quo.yaml'}\nname: mine\n{body}",
                    encoding="utf-8")
    return path


def set_share_as_percentage(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``--set download.usable_share=45``: located at the --set, read back as 0.45."""
    return [SCENARIO_ARG, "--set", "download.usable_share=45"], [
        "download.usable_share (--set download.usable_share=45): this is a fraction between "
        "0 and 1, not a percentage: did you mean 0.45?"]


def set_negative_posts(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``--set states.SGR.officers.posts=-3``: located at the --set, not in baseline.yaml."""
    return [SCENARIO_ARG, "--set", "states.SGR.officers.posts=-3"], [
        "states.SGR.officers.posts (--set states.SGR.officers.posts=-3):"]


def date_day_first(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``start_date: 31/01/2024``: the format, and the date rewritten."""
    return [own_scenario(tmp_path, "start_date: 31/01/2024\n")], [
        "start_date (mine.yaml, line 3): write dates as YYYY-MM-DD: did you mean 2024-01-31?"]


def date_ambiguous(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``start_date: 01/02/2024``: the format, and both readings."""
    return [own_scenario(tmp_path, "start_date: 01/02/2024\n")], [
        "YYYY-MM-DD", "ambiguous", "2024-02-01", "2024-01-02"]


def share_as_percentage(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``usable_share: {value: 45}``: a fraction, 0.45 meant."""
    return [own_scenario(tmp_path, "download:\n  usable_share: {value: 45}\n")], [
        "download.usable_share (mine.yaml, line 4): this is a fraction between 0 and 1, "
        "not a percentage: did you mean 0.45?"]


def scalar_for_mapping(tmp_path: Path) -> tuple[list[object], list[str]]:
    """``lower_ranks: 4``: the shape expected, the 4 placed in it."""
    return [own_scenario(tmp_path, "states:\n  SGR:\n    lower_ranks: 4\n")], [
        "states.SGR.lower_ranks (mine.yaml, line 5): must be a mapping",
        "write lower_ranks: {posts: 4} (and optionally filled_at_start"]


BAD_INPUTS: list[Callable[[Path], tuple[list[object], list[str]]]] = [
    missing_file, syntax_error, top_level_list, unknown_key, wrong_type,
    set_without_equals, zero_replications, set_share_as_percentage, set_negative_posts,
    date_day_first, date_ambiguous, share_as_percentage, scalar_for_mapping,
]


@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=[f.__name__ for f in BAD_INPUTS])
def test_bad_input_is_refused_cleanly(tmp_path: Path, bad_input: Callable) -> None:
    """Bad input exits 2 with a message naming the problem, no traceback and no --out folder."""
    args, fragments = bad_input(tmp_path)
    out = tmp_path / "out"
    result = run_cli(*args, "--out", out, "--quiet")
    assert result.returncode == 2, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not out.exists()
    assert list(tmp_path.glob(".out.partial-*")) == []


def test_existing_run_folder_is_refused_without_force(tmp_path: Path) -> None:
    """A folder holding an earlier run is refused (exit 2, pointing at --force), untouched.

    The run is one written before records carried the tool's marker: its run.json reads as
    a run's record and it holds only files the tool writes.
    """
    out = tmp_path / "out"
    out.mkdir()
    record = '{"seed": 2024}\n'
    (out / "summary.csv").write_text("an earlier run\n", encoding="utf-8")
    (out / "run.json").write_text(record, encoding="utf-8")
    result = run_cli(SCENARIO_ARG, *CHEAP, "--out", out)
    assert result.returncode == 2, result.stderr
    assert "--force" in result.stderr
    assert str(out) in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["run.json", "summary.csv"]
    assert (out / "summary.csv").read_text(encoding="utf-8") == "an earlier run\n"
    assert (out / "run.json").read_text(encoding="utf-8") == record


def test_schema_command_writes_json_schema(tmp_path: Path) -> None:
    """``run_scenario.py schema --out FILE`` writes a JSON Schema with the scenario's keys."""
    target = tmp_path / "scenario.schema.json"
    result = run_cli("schema", "--out", target)
    assert result.returncode == 0, result.stderr
    schema = json.loads(target.read_text(encoding="utf-8"))
    for variant in ("Scenario", "ScenarioOverlay"):  # a whole file, and one that extends
        assert {"states", "download", "extends"} <= set(schema["$defs"][variant]["properties"])
