"""The named parts of the CP-SAT model, shared by the modules that add its constraints.

``allocation`` builds the model from these parts; ``pipeline`` adds the flows and
outcomes, ``money`` the budget.  Nothing here leaves ``solvers/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from ortools.sat.python import cp_model

from model.optimise_schema import Delivery
from model.schema_base import STATE_CODES, CourseKind

SCALE = 10_000
"""Fractions and hours are multiplied by this before rounding to integers."""

Expression: TypeAlias = cp_model.LinearExpr | int
"""A linear expression of the model's variables (a sum of none is the integer 0)."""
Switches = dict[str, cp_model.IntVar]
"""One assumption literal per constraint group: the group holds when it is true."""
PostKey = tuple[str, str]
CourseKey = tuple[CourseKind, Delivery]

STATE_METRICS = ("raids", "arrests", "charges", "closed_after_investigation", "actioned")
"""Outcomes counted state by state; the others are counted at HQ and shared out."""


def scaled(value: float) -> int:
    """A coefficient rounded to an integer (CP-SAT works on integers)."""
    return int(round(value))


@dataclass(frozen=True)
class Staff:
    """Posts, and the changes to today's establishment that cost money."""

    posts: dict[PostKey, cp_model.IntVar]
    increase: dict[PostKey, cp_model.IntVar]  # posts a site or team gains: new or moved in
    added: dict[tuple[PostKey, int], cp_model.IntVar]  # of those, created in each year
    new: dict[tuple[str, int], cp_model.IntVar]  # (rank, year): posts beyond today's
    moved: cp_model.IntVar
    top: int  # no count of posts exceeds it
    first_year: int

    def later(self, key: PostKey) -> Expression:
        """Posts a site or team gains after the first year (not in post at the start)."""
        return sum(var for (k, year), var in self.added.items()
                   if k == key and year > self.first_year)


@dataclass(frozen=True)
class Training:
    """Places bought on each course, the people who take them, and their effect."""

    places: dict[CourseKey, cp_model.IntVar]
    trainees: dict[tuple[CourseKind, str], cp_model.IntVar]  # (course, state or "hq")
    effective: dict[tuple[CourseKind, str], cp_model.IntVar]  # the trainees fully trained


@dataclass(frozen=True)
class Campaigns:
    """Campaigns a year per state, as a level chosen from 0 to the most on offer."""

    count: dict[str, cp_model.IntVar]
    level: dict[tuple[str, int], cp_model.IntVar]  # (state, campaigns): chosen or not
    extra_reports: dict[str, cp_model.IntVar]


@dataclass(frozen=True)
class Tools:
    """Tools bought: risk scoring and hash matching (0/1), workstations (a count)."""

    risk_scoring: cp_model.IntVar
    hash_matching: cp_model.IntVar
    workstations: cp_model.IntVar
    owned: dict[str, int]  # what the scenario already has (not paid again)

    def items(self) -> list[tuple[str, cp_model.IntVar]]:
        """Each tool's name and variable."""
        return [("risk_scoring", self.risk_scoring), ("hash_matching", self.hash_matching),
                ("workstations", self.workstations)]


@dataclass(frozen=True)
class Flows:
    """Tip-offs through each stage of the pipeline over the horizon, and the outcomes."""

    selected: cp_model.IntVar
    downloaded: cp_model.IntVar
    reviewed_new: cp_model.IntVar
    reviewed_backlog: cp_model.IntVar
    high_risk: cp_model.IntVar  # high-risk tip-offs examined within their target
    actioned: dict[str, cp_model.IntVar]  # by state
    raids: dict[str, cp_model.IntVar]
    arrests: dict[str, cp_model.IntVar]
    charges: dict[str, cp_model.IntVar]

    @property
    def reviewed(self) -> Expression:
        """Reviews of new downloads and of the backlog."""
        return self.reviewed_new + self.reviewed_backlog

    @property
    def all_actioned(self) -> Expression:
        """Tip-offs actioned in every state."""
        return sum(self.actioned.values())

    def state(self, metric: str, code: str) -> Expression:
        """A state-level outcome in one state."""
        if metric == "closed_after_investigation":
            return self.actioned[code] - self.raids[code]
        table: dict[str, dict[str, cp_model.IntVar]] = {
            "raids": self.raids, "arrests": self.arrests, "charges": self.charges,
            "actioned": self.actioned}
        return table[metric][code]

    def national(self, metric: str) -> Expression:
        """An outcome the optimiser counts, over the country."""
        if metric in STATE_METRICS:
            return sum(self.state(metric, code) for code in STATE_CODES)
        return {"downloaded": self.downloaded, "reviewed": self.reviewed,
                "high_risk_examined_within_target": self.high_risk}[metric]

    def tie_break(self) -> Expression:
        """What more of never hurts, pushed up among plans equally good on the objective.

        So every outcome a plan reports is what its capacities allow.
        """
        return (self.downloaded + self.reviewed + self.high_risk + self.all_actioned
                + sum(self.arrests.values()) + sum(self.charges.values()))
