"""Broken scenarios are refused with the field's name, or run with balanced flows.

Each example takes the shipped ``baseline.yaml``, as a planner's file reads
(``yaml.safe_load``), shortened to January 2024, and breaks it at one place or a
few: a key deleted, or a value (a number, a text, a date, a whole section)
replaced by 0, a negative, a huge number, NaN, infinity, a text, null or a list.
Loading must then either refuse it with a :class:`ScenarioError` naming the
broken field, or give a scenario that the size check refuses with a way to shrink
it, or one that simulates with every tip-off accounted for.  Any other exception
is a bug, and so is a run past its deadline.
"""

from __future__ import annotations

import copy
import datetime as dt
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from model.experiments.replications import run_replications
from model.loading import ScenarioError, validate
from model.runs.sizing import SizeError, SizeLimits, check_size, estimate_run
from model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
BALANCE = ["actioned", "closed_no_action", "lapsed", "lapsed_after_selection",
           "in_system_at_end"]
LIMITS = SizeLimits(memory_bytes=2e9, seconds=20.0)
"""Tighter than a real run's: an example may only be a small run (January takes 0.1 s)."""
DEADLINE_SECONDS = 60
SHRINK_HINTS = ("end_date", "arrivals.", "posts", "--replications", "--workers")

Path_ = tuple[str | int, ...]
DELETE = "<delete>"
REPLACEMENTS: tuple[Any, ...] = (DELETE, 0, -1, -0.5, 1e12, float("nan"), float("inf"), "lots",
                                 None, [1, 2])


def short_baseline() -> dict[str, Any]:
    """baseline.yaml as loaded from disk, over one month (the mutations apply to this)."""
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["end_date"] = dt.date(2024, 1, 31)
    return raw


def paths(node: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every key path into a nested mapping (list items by index)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


RAW = short_baseline()
PATHS = sorted(paths(RAW), key=lambda path: tuple(map(str, path)))


def mutated(raw: dict[str, Any], changes: list[tuple[Path_, Any]]) -> dict[str, Any]:
    """A deep copy of ``raw`` with each change applied (a path that no longer exists is skipped)."""
    copied = copy.deepcopy(raw)
    for path, replacement in changes:
        node: Any = copied
        for key in path[:-1]:
            if not isinstance(node, dict | list) or _missing(node, key):
                break
            node = node[key]
        else:
            if not isinstance(node, dict | list) or _missing(node, path[-1]):
                continue
            if replacement == DELETE and isinstance(node, dict):
                del node[path[-1]]
            elif replacement != DELETE:
                node[path[-1]] = replacement
    return copied


def _missing(node: dict[Any, Any] | list[Any], key: str | int) -> bool:
    return key not in node if isinstance(node, dict) else not (
        isinstance(key, int) and 0 <= key < len(node))


def field_name(path: Path_) -> str:
    """The name a message must give: the last key that is a name, not a list index or a year."""
    return [key for key in path if isinstance(key, str)][-1]


class Overrun(Exception):
    """An example ran past its deadline: a hang, or a size check that let a huge run through."""


def _overrun(signum: int, frame: object) -> None:
    raise Overrun(f"the example ran for more than {DEADLINE_SECONDS} s")


def check_one(raw: dict[str, Any], names: list[str]) -> str:
    """Load, size and (if allowed) simulate ``raw``; return what happened."""
    try:
        scenario = validate(raw)
    except ScenarioError as error:
        message = str(error)
        assert any(name in message for name in names), \
            f"the message names none of {names}:\n{message}"
        return "refused"
    try:
        check_size(estimate_run(scenario, 1, 1), LIMITS)
    except SizeError as error:
        assert any(hint in str(error) for hint in SHRINK_HINTS), str(error)
        return "too big"
    assert_flows_balance(scenario)
    return "ran"


def assert_flows_balance(scenario: Scenario) -> None:
    """One replication, under a deadline: initial + received = every outcome, exactly."""
    previous = signal.signal(signal.SIGALRM, _overrun)
    signal.alarm(DEADLINE_SECONDS)
    try:
        metrics = run_replications(scenario, 1, workers=1).metrics
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    table: pd.DataFrame = metrics.pivot_table(index=["year", "scope"], columns="metric",
                                              values="value")
    gap = (table.initial_backlog + table.tipoffs_received - table[BALANCE].sum(axis=1)).abs()
    assert gap.max() == 0, f"flows do not balance by {gap.max()}"


def test_every_single_break_is_refused_by_name_or_runs_balanced() -> None:
    """Each key path x each break, exhaustively (about 5,000 cases, half a minute).

    What loading accepts and the size check lets through is simulated (about
    300 one-month runs); the properties below then try breaks in combination.
    """
    outcomes = {"refused": 0, "too big": 0, "ran": 0}
    for path in PATHS:
        for replacement in REPLACEMENTS:
            raw = mutated(RAW, [(path, replacement)])
            try:
                outcomes[check_one(raw, [field_name(path)])] += 1
            except AssertionError as error:
                raise AssertionError(f"{'.'.join(map(str, path))} = {replacement!r}: "
                                     f"{error}") from None
    assert outcomes["refused"] > outcomes["ran"] > outcomes["too big"] > 0, outcomes


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), replacement=st.sampled_from(REPLACEMENTS))
def test_one_break_is_refused_by_name_or_runs_balanced(path: Path_, replacement: Any) -> None:
    """One break anywhere: refused naming the field, refused as too big, or runs balanced."""
    event(check_one(mutated(RAW, [(path, replacement)]), [field_name(path)]))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(REPLACEMENTS)),
                        min_size=2, max_size=4))
def test_several_breaks_are_refused_by_name_or_run_balanced(
        changes: list[tuple[Path_, Any]]) -> None:
    """Several breaks at once: the refusal names at least one of the broken fields."""
    event(check_one(mutated(RAW, changes), [field_name(path) for path, _ in changes]))


@pytest.mark.parametrize("path, replacement", [
    (("seed",), -1),  # numpy's seed sequence takes no negative number
    (("start_date",), 0),  # a number would be read as seconds since 1970
    (("download", "bandwidth_mbps", "high"), float("nan")),  # NaN passes any range check
    (("arrivals", "referrals_per_year", 2023, "value"), 1e12),  # refused as too big
    (("states", "SGR", "officers", "posts"), 1e12),  # refused as too big
])
def test_breaks_found_by_these_properties(path: Path_, replacement: Any) -> None:
    """Breaks that once crashed or ran for ever now get a clear message."""
    assert check_one(mutated(RAW, [(path, replacement)]), [field_name(path)]) != "ran"
