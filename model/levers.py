"""The levers a plan sets, typed: what each line of ``plan.csv`` buys or keeps.

A ``Lever`` is written to ``plan.csv`` as its ``code`` (``"training_covert_online_abroad"``)
and read back with ``Lever.parse``; nothing else builds or splits lever codes, so the
solver that writes a plan and the proposal that reads one agree by construction.  The
module depends on nothing else of ours, so reports may read it as well as solvers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class LeverKind(enum.StrEnum):
    """What a line of a plan is about."""

    POSTS = "posts"
    """Posts of one site, team and rank (kept or changed); costs nothing by itself."""
    NEW_POSTS_SALARY = "posts_new_salary"
    """Salaries of posts beyond today's establishment, from when they are filled."""
    NEW_POSTS_SET_UP = "posts_new_set_up"
    """One-off cost of creating a post (recruitment, equipment)."""
    POSTS_MOVED = "posts_moved"
    """Posts moved from one site or team to another (one-off relocation)."""
    COURSE_PLACES = "training"
    """Places bought on a course, by course and delivery."""
    TRAINED = "trained"
    """Officers of a state who take a course (the places bought, placed)."""
    LINE = "bandwidth_mbps"
    """The HQ line contracted, in the provider's tiers."""
    CAMPAIGNS = "campaigns_per_year"
    """Awareness campaigns a year in a state."""
    TOOLING = "tooling"
    """A tool HQ buys: risk scoring, hash matching, or download workstations (``tool``)."""


class Category(enum.StrEnum):
    """The heading a lever's money falls under in a budget paper."""

    POSTS = "posts"
    TRAINING = "training"
    BANDWIDTH = "bandwidth"
    CAMPAIGNS = "campaigns"
    TOOLING = "tooling"
    OTHER = "other"


RANKS = ("officers", "lower_ranks")
"""Ranks of a post: officers (inspector and above) and lower ranks."""
HQ_TEAMS = ("download_team", "forensic_team")
"""HQ's teams; state posts have no team."""
COURSES = ("digital_forensics", "covert_online", "child_interview")
"""Course types (the values of ``model.scenario.CourseKind``)."""
DELIVERIES = ("train_the_trainer", "abroad", "local")
"""How a course is delivered (the values of ``model.scenario.Delivery``)."""
TOOLS = ("risk_scoring", "hash_matching", "workstations")
"""Tools HQ may buy (the fields of ``model.scenario.Tooling``); lever codes ``tooling.<tool>``."""

_CATEGORIES = {
    LeverKind.POSTS: Category.POSTS, LeverKind.NEW_POSTS_SALARY: Category.POSTS,
    LeverKind.NEW_POSTS_SET_UP: Category.POSTS, LeverKind.POSTS_MOVED: Category.POSTS,
    LeverKind.COURSE_PLACES: Category.TRAINING, LeverKind.TRAINED: Category.TRAINING,
    LeverKind.LINE: Category.BANDWIDTH, LeverKind.CAMPAIGNS: Category.CAMPAIGNS,
    LeverKind.TOOLING: Category.TOOLING,
}


class LeverCodeError(ValueError):
    """A ``plan.csv`` lever code that names no lever."""


@dataclass(frozen=True)
class Lever:
    """One lever of a plan.

    Attributes
    ----------
    kind : LeverKind
        What the lever is.
    rank : str or None
        ``officers`` or ``lower_ranks``, for posts and new posts.
    team : str or None
        ``download_team`` or ``forensic_team`` for HQ posts; None for a state's posts.
    course, delivery : str or None
        For course places (both) and trained officers (course only).
    tool : str or None
        For tooling: one of :data:`TOOLS`.
    """

    kind: LeverKind
    rank: str | None = None
    team: str | None = None
    course: str | None = None
    delivery: str | None = None
    tool: str | None = None

    @property
    def category(self) -> Category:
        """The budget heading the lever's money falls under."""
        return _CATEGORIES.get(self.kind, Category.OTHER)

    @property
    def group(self) -> str | None:
        """The staff group of a post lever as scenarios name it (``forensic_team.officers``)."""
        if self.rank is None:
            return None
        return f"{self.team}.{self.rank}" if self.team else self.rank

    @property
    def code(self) -> str:
        """The ``lever`` column of ``plan.csv``."""
        kind = self.kind
        if kind is LeverKind.POSTS:
            return "posts_" + (f"{self.team}_{self.rank}" if self.team else str(self.rank))
        if kind is LeverKind.NEW_POSTS_SALARY:
            return f"posts_new_{self.rank}_salary"
        if kind is LeverKind.NEW_POSTS_SET_UP:
            return f"posts_new_{self.rank}_set_up"
        if kind is LeverKind.COURSE_PLACES:
            return f"training_{self.course}_{self.delivery}"
        if kind is LeverKind.TRAINED:
            return f"trained_{self.course}"
        if kind is LeverKind.TOOLING:
            return f"tooling.{self.tool}"
        return kind.value

    def bound_name(self, scope: str) -> str:
        """The name ``optimise.bounds`` gives the lever at a site (``posts_officers.SGR``).

        Course places are bought nationally, so their name has no site:
        ``training.<course>.<delivery>``; nor are tools: ``tooling.<tool>``.
        """
        if self.kind is LeverKind.COURSE_PLACES:
            return f"training.{self.course}.{self.delivery}"
        if self.kind is LeverKind.TOOLING:
            return self.code
        return f"{self.code}.{scope}"

    @classmethod
    def posts(cls, group: str) -> Lever:
        """The posts of a staff group: ``officers``, or ``download_team.lower_ranks`` at HQ."""
        team, _, rank = group.rpartition(".")
        return cls(LeverKind.POSTS, rank=rank, team=team or None)

    @classmethod
    def parse(cls, code: str) -> Lever:
        """The lever a ``plan.csv`` code names.

        Raises
        ------
        LeverCodeError
            If the code names no lever.
        """
        for parse in (_parse_new_posts, _parse_posts, _parse_training, _parse_tooling):
            lever = parse(code)
            if lever is not None:
                return lever
        try:
            kind = LeverKind(code)
        except ValueError:
            raise LeverCodeError(f"'{code}' is not a lever code of plan.csv") from None
        if kind in (LeverKind.POSTS_MOVED, LeverKind.LINE, LeverKind.CAMPAIGNS):
            return cls(kind)
        raise LeverCodeError(f"'{code}' is not a lever code of plan.csv")


def _parse_new_posts(code: str) -> Lever | None:
    for rank in RANKS:
        if code == f"posts_new_{rank}_salary":
            return Lever(LeverKind.NEW_POSTS_SALARY, rank=rank)
        if code == f"posts_new_{rank}_set_up":
            return Lever(LeverKind.NEW_POSTS_SET_UP, rank=rank)
    return None


def _parse_posts(code: str) -> Lever | None:
    for rank in RANKS:
        if code == f"posts_{rank}":
            return Lever(LeverKind.POSTS, rank=rank)
        for team in HQ_TEAMS:
            if code == f"posts_{team}_{rank}":
                return Lever(LeverKind.POSTS, rank=rank, team=team)
    return None


def _parse_training(code: str) -> Lever | None:
    for course in COURSES:
        if code == f"trained_{course}":
            return Lever(LeverKind.TRAINED, course=course)
        for delivery in DELIVERIES:
            if code == f"training_{course}_{delivery}":
                return Lever(LeverKind.COURSE_PLACES, course=course, delivery=delivery)
    return None


def _parse_tooling(code: str) -> Lever | None:
    for tool in TOOLS:
        if code == f"tooling.{tool}":
            return Lever(LeverKind.TOOLING, tool=tool)
    return None
