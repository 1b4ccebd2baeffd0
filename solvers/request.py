"""What a solve of the allocation is asked beyond the scenario's settings, and its refusal.

Moved out of ``solvers.allocation`` (which re-exports them) so that the model's own room
keeps to the size a reader can hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from solvers.plan import Plan


class InfeasiblePlan(Exception):
    """No plan meets the constraints; ``groups`` names the conflicting ones."""

    def __init__(self, groups: list[str]) -> None:
        super().__init__(", ".join(groups))
        self.groups = groups


@dataclass(frozen=True)
class Floor:
    """An outcome the plan must reach: ``metric`` (national or ``metric.STATE``) >= value."""

    key: str
    value: float


@dataclass(frozen=True)
class Request:
    """What a solve asks beyond the scenario's settings.

    Attributes
    ----------
    weights : dict, optional
        An objective instead of ``optimise.objective`` (the frontier's).
    floors : tuple of Floor
        Further floors that always hold (the frontier's levels).
    fixed : Plan, optional
        Levers fixed to a plan's (to evaluate it, or to check it fits).
    lifted : frozenset of str
        Constraint groups not enforced.
    target : float, optional
        Reverse mode: the cheapest plan that actions this many tip-offs.
    cheapest : bool
        The cheapest plan meeting the constraints not lifted (what a floor would cost).
    reference : dict, optional
        The status quo's outcomes for relative floors (else computed).
    hint : Plan, optional
        A plan to start the search from (its levers), e.g. one known to be feasible.
    exclude : tuple of Plan
        Plans the answer must differ from in at least one lever (the next-best plans).
    at_least : float, optional
        The cheapest plan whose objective (in its units, as ``Plan.surrogate_objective``)
        reaches this: the cheap end of the plans within the indifference zone.
    """

    weights: dict[str, float] | None = None
    floors: tuple[Floor, ...] = ()
    fixed: Plan | None = None
    lifted: frozenset[str] = frozenset()
    target: float | None = None
    cheapest: bool = False
    reference: dict[str, float] | None = None
    hint: Plan | None = None
    exclude: tuple[Plan, ...] = ()
    at_least: float | None = None

    @property
    def minimises_cost(self) -> bool:
        """Whether the solve looks for the cheapest plan (a target, a floor's price, a level)."""
        return self.target is not None or self.cheapest or self.at_least is not None
