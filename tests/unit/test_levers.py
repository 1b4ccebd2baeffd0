"""Typed levers: every code plan.csv can hold reads back as the lever that wrote it."""

from __future__ import annotations

import pytest

from model.levers import (
    COURSES,
    DELIVERIES,
    HQ_TEAMS,
    RANKS,
    TOOLS,
    Category,
    Lever,
    LeverCodeError,
    LeverKind,
)
from model.optimise_schema import Delivery
from model.schema_base import CourseKind


def _every_lever() -> list[Lever]:
    levers = [Lever.posts(rank) for rank in RANKS]
    levers += [Lever.posts(f"{team}.{rank}") for team in HQ_TEAMS for rank in RANKS]
    levers += [Lever(kind, rank=rank) for kind in (LeverKind.NEW_POSTS_SALARY,
                                                   LeverKind.NEW_POSTS_SET_UP) for rank in RANKS]
    levers += [Lever(LeverKind.COURSE_PLACES, course=c, delivery=d)
               for c in COURSES for d in DELIVERIES]
    levers += [Lever(LeverKind.TRAINED, course=c) for c in COURSES]
    levers += [Lever(kind) for kind in (LeverKind.POSTS_MOVED, LeverKind.LINE,
                                        LeverKind.CAMPAIGNS)]
    levers += [Lever(LeverKind.TOOLING, tool=tool) for tool in TOOLS]
    return levers


def test_every_code_reads_back_as_its_lever() -> None:
    """Codes are unique, and parse is the inverse of code (no prefix guessing)."""
    levers = _every_lever()
    codes = [lever.code for lever in levers]
    assert len(set(codes)) == len(codes)
    assert [Lever.parse(code) for code in codes] == levers


def test_codes_are_those_plan_csv_has_always_held() -> None:
    """The strings written to plan.csv did not change when they became typed."""
    assert Lever.posts("forensic_team.officers").code == "posts_forensic_team_officers"
    assert Lever.posts("lower_ranks").code == "posts_lower_ranks"
    assert Lever(LeverKind.NEW_POSTS_SET_UP, rank="officers").code == "posts_new_officers_set_up"
    assert Lever(LeverKind.COURSE_PLACES, course="covert_online",
                 delivery="train_the_trainer").code == "training_covert_online_train_the_trainer"
    assert Lever(LeverKind.LINE).code == "bandwidth_mbps"
    assert Lever.posts("officers").bound_name("SGR") == "posts_officers.SGR"


def test_tools_are_levers_with_the_contract_s_codes() -> None:
    """Tools are written tooling.<tool>, bounded under that name, priced under tooling."""
    lever = Lever(LeverKind.TOOLING, tool="hash_matching")
    assert lever.code == "tooling.hash_matching" == lever.bound_name("hq")
    assert lever.category is Category.TOOLING
    from model.scenario import Tooling
    assert set(TOOLS) <= set(Tooling.model_fields)


def test_the_course_names_are_the_schemas() -> None:
    """Levers name courses as the scenario schema does, without importing it."""
    assert set(COURSES) == {kind.value for kind in CourseKind}
    assert set(DELIVERIES) == {delivery.value for delivery in Delivery}


@pytest.mark.parametrize("code", ["posts_", "training_covert_online", "posts_new_officers",
                                  "bandwidth", "trained_knitting", "", "tooling.",
                                  "tooling.knitting"])
def test_a_code_that_names_no_lever_is_refused(code: str) -> None:
    with pytest.raises(LeverCodeError):
        Lever.parse(code)
