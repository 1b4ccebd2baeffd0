"""The schema of an optimisation: the budget, the bounds and the menu of levers with prices."""

from __future__ import annotations

import enum
from typing import Annotated, Self

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


class Optimise(Strict):
    """What the optimiser may spend and change, and how it searches."""

    budget_rm: NonNegativeFloat = Field(
        description="money for changes over the horizon: new posts, moves, courses, "
        "bandwidth and campaigns (today's establishment is already paid for)"
    )
    max_total_posts: NonNegativeInt
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
    target_actioned: PositiveFloat | None = Field(
        default=None, description="reverse mode: the cheapest plan that actions this many"
    )
    time_limit_seconds: PositiveFloat = 30.0
    solver_workers: PositiveInt = 2
    rounds: PositiveInt = Field(default=3, description="optimise-and-verify rounds at most")
    replications: PositiveInt = Field(default=5, description="replications per check in a round")

    @model_validator(mode="after")
    def _state_codes(self) -> Self:
        unknown = sorted(set(self.state_posts) - set(STATE_CODES))
        if unknown:
            raise FieldError("state_posts", f"unknown state code(s) {', '.join(unknown)}; "
                             "valid codes: " + ", ".join(STATE_CODES))
        return self
