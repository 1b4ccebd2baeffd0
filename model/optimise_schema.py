"""The schema of an optimisation: the budget, the bounds and the menu of levers with prices."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from model.schema_base import (
    STATE_CODES,
    CourseKind,
    FieldError,
    NonNegative,
    Positive,
    Share,
    Strict,
)


class Delivery(enum.StrEnum):
    """Where a course is given (facts.md, 'Skills')."""

    LOCAL = "local"
    TRAIN_THE_TRAINER = "train_the_trainer"
    ABROAD = "abroad"


class CourseOption(Strict):
    """A course the optimiser may buy places on."""

    course: CourseKind
    delivery: Delivery
    cost_per_place_rm: NonNegative
    days_off_duty: PositiveInt = Field(description="days a trainee is away from the work")
    effect_share: Share = Field(description="share of the course kind's full effect it gives")
    max_places: NonNegativeInt = Field(description="places on offer over the horizon")
    local_places_per_trainer: NonNegativeInt = Field(
        default=0, description="for train-the-trainer: local places each trained trainer adds"
    )


class BandwidthTier(Strict):
    """A line a provider sells."""

    mbps: PositiveFloat
    install_rm: NonNegativeFloat
    monthly_rm: NonNegativeFloat
    source: str


class PostCosts(Strict):
    """What posts cost (loaded salary, creation, moving)."""

    officer_rm_per_year: Positive
    lower_rank_rm_per_year: Positive
    new_post_one_off_rm: NonNegative = Field(
        description="recruitment, equipment and set-up of a post that did not exist"
    )
    relocation_one_off_rm: NonNegative = Field(description="moving a post from one site to another")


class LeverBounds(Strict):
    """Bounds a planner puts on one lever (min = max fixes it)."""

    min: NonNegativeFloat | None = None
    max: NonNegativeFloat | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


OPTIMISER_METRICS = ("raids", "arrests", "charges", "closed_after_investigation", "actioned",
                     "downloaded", "reviewed", "high_risk_examined_within_target")
"""Outcomes the optimiser's surrogate counts: an objective or a service level may name them."""
SHARE_METRICS = ("high_risk_within_target_share",)
"""Shares a service level may floor (absolute floors only, fractions in [0, 1])."""
OLD_BUDGET = ("optimise.budget_rm was replaced by optimise.budget: write budget: {one_off_rm: "
              "13000000, annual_rm: 3000000, note: ...} (one-off money, and a ceiling on "
              "recurring costs in every year)")


class Objective(Strict):
    """A weighted sum of outcomes the plan maximises (weights in objective units)."""

    weights: dict[str, PositiveFloat] = Field(
        description="outcome -> weight, e.g. {raids: 1.0, charges: 0.5}; outcomes: "
        + ", ".join(OPTIMISER_METRICS))
    note: str = Field(default="", description="why these weights")

    @model_validator(mode="after")
    def _known(self) -> Self:
        if not self.weights:
            raise FieldError("weights", "name at least one outcome, e.g. {raids: 1.0}")
        unknown = sorted(set(self.weights) - set(OPTIMISER_METRICS))
        if unknown:
            raise FieldError("weights", f"unknown outcome(s) {', '.join(unknown)}; the "
                             "optimiser counts " + ", ".join(OPTIMISER_METRICS))
        return self


class ServiceLevel(Strict):
    """A floor the plan must keep on one outcome, nationally or in one state."""

    metric: str = Field(description="an outcome the optimiser counts, or "
                        "high_risk_within_target_share (absolute floors only)")
    floor: NonNegativeFloat = Field(
        description="with relative_to: a fraction of that plan's value (0.9 = 90 %); without: "
        "an absolute count, or a fraction in [0, 1] for a share")
    relative_to: Literal["status_quo"] | None = "status_quo"
    scope: str = Field(default="national", description="national, or a state code (SGR)")
    note: str = ""

    @model_validator(mode="after")
    def _meaningful(self) -> Self:
        if self.metric not in (*OPTIMISER_METRICS, *SHARE_METRICS):
            raise FieldError("metric", f"unknown outcome '{self.metric}'; service levels may "
                             "floor " + ", ".join((*OPTIMISER_METRICS, *SHARE_METRICS)))
        if self.scope != "national" and self.scope not in STATE_CODES:
            raise FieldError("scope", f"scope '{self.scope}' is neither national nor a state "
                             "code (" + ", ".join(STATE_CODES) + ")")
        if self.metric in SHARE_METRICS and self.relative_to is not None:
            raise FieldError("relative_to", f"{self.metric} is a share: give an absolute floor "
                             "(relative_to: null, floor: 0.9)")
        if (self.relative_to is not None or self.metric in SHARE_METRICS) and self.floor > 1:
            raise FieldError("floor", f"floor {self.floor:g} is a fraction here: write 0.9 "
                             "for 90 %")
        return self


class Budget(Strict):
    """Money: a one-off envelope and a ceiling on recurring costs in every year."""

    one_off_rm: NonNegativeFloat = Field(
        description="one-off money over the horizon: set-up of new posts, moves, course "
        "places, line installation, tools bought")
    annual_rm: NonNegativeFloat = Field(
        description="ceiling on recurring costs in each calendar year (pro rata in a part "
        "year): salaries of new posts, line rent, extra campaigns, licences")
    recurring_from_one_off: bool = Field(
        default=False, description="whether recurring costs may also draw on the one-off "
        "envelope (a finance officer's exception; default no)")
    liabilities_to_year: PositiveInt = Field(
        default=2030, description="the last year the recurring costs a plan leaves are shown")
    note: str = ""


class ToolPrice(Strict):
    """What a tool costs: bought once, then a licence or upkeep a year."""

    one_off_rm: NonNegativeFloat
    recurring_rm_per_year: NonNegativeFloat
    assumption: str = Field(min_length=1, description="where the price comes from, and its range")


class WorkstationPrice(ToolPrice):
    """A download workstation with its storage."""

    max: NonNegativeInt = Field(default=4, description="workstations on offer, at most")


class ToolingPrices(Strict):
    """Tools the optimiser may buy (a tool without a price is not on the menu)."""

    risk_scoring: ToolPrice | None = None
    hash_matching: ToolPrice | None = None
    workstations: WorkstationPrice | None = None


class Frontier(Strict):
    """The trade-off between two outcomes: plans from the best y to the best x."""

    x: str = "raids"
    y: str = "downloaded"
    points: int = Field(default=5, ge=5, description="plans on the frontier, at least five")

    @model_validator(mode="after")
    def _known(self) -> Self:
        for axis in ("x", "y"):
            if getattr(self, axis) not in OPTIMISER_METRICS:
                raise FieldError(axis, f"'{getattr(self, axis)}' is not an outcome the "
                                 "optimiser counts: " + ", ".join(OPTIMISER_METRICS))
        if self.x == self.y:
            raise FieldError("y", "x and y must be two different outcomes")
        return self


class Ladder(Strict):
    """Candidates between the cheap end and the best: the cheapest plan at each level.

    Plans that promise the same objective differ in what else they buy, and which of those
    extras hold up under the other explanations of the history only the simulation can
    say.  Each rung is the cheapest plan within half the indifference zone of the
    surrogate's best that also gives ``levels`` times today's ``metric``.
    """

    metric: str = Field(default="downloaded", description="the national outcome the rungs "
                        "step up")
    levels: tuple[Annotated[float, Field(gt=0)], ...] = Field(
        description="multiples of today's value of the metric (as simulated where a relative "
        "service level floors it, else as the surrogate gives it), e.g. [2, 2.5, 3, 4]")

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.metric not in OPTIMISER_METRICS:
            raise FieldError("metric", f"'{self.metric}' is not an outcome the optimiser "
                             "counts: " + ", ".join(OPTIMISER_METRICS))
        if list(self.levels) != sorted(set(self.levels)):
            raise FieldError("levels", "give each level once, lowest first, e.g. [2, 2.5, 3]")
        return self


class Selection(Strict):
    """What a chosen plan must promise: the selection's confidence and the certificate's tests.

    How the machine gets there (candidates, replications, looks, neighbours, finalists)
    is ``optimise.procedure``.
    """

    probability: Annotated[float, Field(gt=0.5, lt=1)] = Field(
        default=0.95, description="probability of choosing the best candidate when it beats "
        "the others by the indifference zone or more")
    indifference_share: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.02, description="differences smaller than this share of the objective are "
        "not worth telling apart (the indifference zone)")
    surrogate_gap_share: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.10, description="the surrogate's promise at the chosen plan within this "
        "share of the simulated objective")
    worst_regret_share: Annotated[float, Field(gt=0)] = Field(
        default=0.10, description="the plan's worst regret across hypotheses and demand, as a "
        "share of its gain over status quo")


class Procedure(Strict):
    """How the optimiser searches and chooses: defaults that serve; a planner rarely sets them.

    The question (objective, service levels, budget, bounds, levers) and the promise
    (``optimise.selection``) are the planner's; these settings trade run time against
    how soon the selection and the certificate can keep that promise.
    """

    rounds: PositiveInt = Field(
        default=2, description="pilot rounds: the surrogate is corrected from the simulation "
        "of its plan this many times before it proposes the candidates")
    replications: Annotated[int, Field(ge=2)] = Field(
        default=5, description="replications of each pilot plan and each candidate before "
        "screening starts (the selection's first stage)")
    deterministic_time_limit: PositiveFloat = Field(
        default=5.0, description="the solver's work per solve in its deterministic time (about "
        "seconds of one core): the same plan every run, whatever the machine's load")
    time_limit_seconds: PositiveFloat = Field(
        default=300.0, description="wall-clock safety net per solve; reached first, the answer "
        "may differ between runs")
    solver_workers: PositiveInt = Field(
        default=2, description="the solver's search workers per solve (interleaved in fixed "
        "batches: the same plan whatever the machine)")
    candidates: Annotated[int, Field(ge=1)] = Field(
        default=20, description="candidates at most that reach the selection")
    next_best: NonNegativeInt = Field(
        default=3, description="next-best plans of the surrogate (each found plan excluded)")
    ladder: Ladder | None = Field(
        default=None, description="rungs of candidates between the cheapest plan within the "
        "zone and the best: the cheapest plan giving each level of an outcome")
    max_replications: Annotated[int, Field(ge=2)] = Field(
        default=30, description="replications per candidate at most while choosing; at "
        "this cap the survivors are compared with KN's choice on them")
    looks: tuple[Annotated[int, Field(ge=2)], ...] = Field(
        default=(), description="replication counts before max_replications at which KN's "
        "survivors are also compared with its choice, e.g. [20, 35]; the selection stops at "
        "the first that shows every survivor within the zone (the comparisons share the "
        "error: Bonferroni over the looks and the cap); a look not after the first stage or "
        "not before the cap is never taken")
    finalists: Annotated[int, Field(ge=1)] = Field(
        default=3, description="candidates simulated under every hypothesis and demand")
    more_finalists: NonNegativeInt = Field(
        default=0, description="plans within the zone of KN's choice added to the regret "
        "table one at a time, cheapest first, while none cheaper than the cheapest robust "
        "finalist has been tried (a rung of the ladder that holds up under every explanation)")
    regret_replications: Annotated[int, Field(ge=2)] = Field(
        default=4, description="replications of each finalist in each case of the regret table")
    neighbours: NonNegativeInt = Field(
        default=6, description="the chosen plan's best neighbours (one post moved, one lever "
        "step) simulated on fresh replications for the certificate")
    neighbour_replications: Annotated[int, Field(ge=2)] = Field(
        default=20, description="fresh replications of the chosen plan and each neighbour for "
        "the certificate's bound (at least the run's own replications)")
    neighbour_looks: tuple[Annotated[int, Field(ge=2)], ...] = Field(
        default=(), description="fresh replication counts before neighbour_replications at "
        "which a neighbour already shown short of the indifference zone is settled, e.g. "
        "[20] (the bounds share the error: Bonferroni over the looks and the last); a look "
        "not before the last, or below the run's own fresh replications, is never taken")


OPTIMISE_PROCEDURE = ("rounds", "replications", "deterministic_time_limit",
                      "time_limit_seconds", "solver_workers")
"""Procedure settings that sat directly under ``optimise`` before ``optimise.procedure``."""
SELECTION_PROCEDURE = ("candidates", "next_best", "ladder", "max_replications", "looks",
                       "finalists", "more_finalists", "regret_replications", "neighbours",
                       "neighbour_replications", "neighbour_looks")
"""Procedure settings that sat under ``optimise.selection`` before ``optimise.procedure``."""


def moved_to_procedure(data: Any) -> FieldError | None:
    """The refusal of procedure settings in their old places (``optimise.rounds``), or None.

    Every old key found is named with its new place, so that an old file is mended in one
    pass; the error belongs to the first of them.
    """
    if not isinstance(data, dict):
        return None
    old = [key for key in OPTIMISE_PROCEDURE if key in data]
    selection = data.get("selection")
    if isinstance(selection, dict):
        old += [f"selection.{key}" for key in SELECTION_PROCEDURE if key in selection]
    if not old:
        return None
    moves = "; ".join(f"optimise.{key} to optimise.procedure.{key.removeprefix('selection.')}"
                      for key in old)
    return FieldError(old[0], f"how the optimiser searches now sits under optimise.procedure: "
                      f"move {moves}")


class Optimise(Strict):
    """What the optimiser may spend and change, what it must promise, and how it searches."""

    objective: str | Objective = Field(
        default="raids", description="the outcome to maximise (raids), or {weights: {raids: "
        "1.0, charges: 0.5}, note: ...}")
    service_levels: tuple[ServiceLevel, ...] = ()
    budget: Budget = Field(description="today's establishment is already paid for: the "
                           "budget pays for changes")
    max_total_posts: NonNegativeInt = Field(
        description="posts at most: growth beyond today's is a decision priced by salaries")
    min_posts_per_state: NonNegativeInt = 0
    max_posts_per_state: NonNegativeInt = 1000
    state_posts: dict[str, LeverBounds] = Field(
        default_factory=dict, description="a state's own bounds on its posts, e.g. SGR"
    )
    hq_posts: LeverBounds = Field(default_factory=LeverBounds)
    min_officer_share: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.0, description="officers as a share of all posts"
    )
    min_officers_per_state: NonNegativeInt = Field(
        default=1, description="raids need an officer: each state keeps at least this many"
    )
    post_costs: PostCosts
    courses: tuple[CourseOption, ...] = ()
    bandwidth_tiers: tuple[BandwidthTier, ...] = ()
    campaign_cost_rm: NonNegative
    max_campaigns_per_state: NonNegativeInt = 6
    bounds: dict[str, LeverBounds] = Field(
        default_factory=dict,
        description="bounds on any lever by name: posts_officers.SGR, posts_lower_ranks.KTN, "
        "posts_hq_download_team_officers.hq, training.digital_forensics.abroad, "
        "bandwidth_mbps.hq, campaigns_per_year.KTN",
    )
    tooling: ToolingPrices = Field(default_factory=ToolingPrices)
    frontier: Frontier | None = None
    comparators: dict[str, str] = Field(
        default_factory=dict, description="name -> scenario file (relative to this one) "
        "whose establishment is costed and simulated beside the plan, never chosen")
    target_actioned: PositiveFloat | None = Field(
        default=None, description="reverse mode: the cheapest plan that actions this many"
    )
    selection: Selection = Field(
        default_factory=lambda: Selection(), description="what the chosen plan must promise: "
        "the selection's confidence, the indifference zone and the certificate's thresholds")
    procedure: Procedure = Field(
        default_factory=lambda: Procedure(), description="how the optimiser searches and "
        "chooses (pilot rounds, candidates, replications, looks, neighbours, finalists)")

    @model_validator(mode="before")
    @classmethod
    def _old_places(cls, data: Any) -> Any:
        if isinstance(data, dict) and "budget_rm" in data:
            raise FieldError("budget_rm", OLD_BUDGET)
        moved = moved_to_procedure(data)
        if moved is not None:
            raise moved
        return data

    @model_validator(mode="after")
    def _objective_known(self) -> Self:
        if isinstance(self.objective, str) and self.objective not in OPTIMISER_METRICS:
            raise FieldError("objective", f"unknown outcome '{self.objective}'; the optimiser "
                             "counts " + ", ".join(OPTIMISER_METRICS) + ", or give {weights: "
                             "{raids: 1.0, charges: 0.5}, note: ...}")
        return self

    @property
    def weights(self) -> dict[str, float]:
        """The objective as outcome -> weight."""
        if isinstance(self.objective, str):
            return {self.objective: 1.0}
        return dict(self.objective.weights)

    @property
    def frontier_axes(self) -> Frontier:
        """The frontier's outcomes: as set, else the objective's first outcome and downloads."""
        if self.frontier is not None:
            return self.frontier
        first = next(iter(self.weights))
        return Frontier(x=first, y="downloaded" if first != "downloaded" else "raids")

    @model_validator(mode="after")
    def _state_codes(self) -> Self:
        unknown = sorted(set(self.state_posts) - set(STATE_CODES))
        if unknown:
            raise FieldError("state_posts", f"unknown state code(s) {', '.join(unknown)}; "
                             "valid codes: " + ", ".join(STATE_CODES))
        return self
