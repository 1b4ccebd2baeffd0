"""Scenario schema: the strict, validated description of one planning run.

A scenario is written in YAML by a planner.  Every number carries its unit in
its field name (``review_hours``, ``bandwidth_mbps``, ``posts``) and every
parameter that is not a published figure is an :class:`Estimate` labelled
``assumption`` with a plausible range, so that the report can list it.

This module depends on nothing else of ours: it validates at the boundary and
downstream code trusts the :class:`Scenario` it returns.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    field_validator,
    model_validator,
)

STATE_CODES: tuple[str, ...] = (
    "PLS", "KDH", "PNG", "PRK", "SGR", "KUL", "NSN",
    "MLK", "JHR", "PHG", "TRG", "KTN", "SBH", "SWK",
)
"""The 14 PDRM state contingents (IPK), in the order reports list them."""

# Units by field-name suffix: the name carries the unit, reports read it here.
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_per_year", "per year"),
    ("_hours", "hours"),
    ("_minutes", "minutes"),
    ("_days", "days"),
    ("_mbps", "Mbps"),
    ("_mb", "MB"),
    ("_share", "fraction"),
    ("_prob", "probability"),
    ("_factor", "multiplier"),
    ("_sigma", "log-scale standard deviation"),
    ("_cv", "coefficient of variation"),
    ("_count", "count"),
    ("_rm", "RM"),
    ("population", "people"),
    ("districts", "districts"),
    ("posts", "posts"),
)


def unit_of(field_name: str) -> str:
    """Return the unit a field's name declares (``review_hours`` -> ``hours``)."""
    for suffix, unit in UNIT_SUFFIXES:
        if field_name.endswith(suffix):
            return unit
    return "dimensionless"


class FieldError(ValueError):
    """A cross-field problem that belongs to one field: ``path`` says which."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


def _written_date(value: Any) -> Any:
    """Refuse a number where a date belongs: pydantic would read it as seconds since 1970."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"write a date as YYYY-MM-DD, e.g. 2024-01-01 (got the number {value:g})")
    return value


Date = Annotated[dt.date, BeforeValidator(_written_date)]
"""A calendar date, written YYYY-MM-DD (a bare number would silently mean a day in 1970)."""


class Strict(BaseModel):
    """Base for every scenario section: unknown keys refused, values frozen."""

    # allow_inf_nan: YAML reads .nan and .inf as numbers, and a NaN passes every range check
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


class Estimate(Strict):
    """A number with its provenance: a published ``source`` or an ``assumption``.

    An assumption must give the plausible range ``low``..``high`` it was drawn
    from; sensitivity analysis and uncertainty runs move it inside that range.
    """

    value: float
    low: float | None = None
    high: float | None = None
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _provenance_and_range(self) -> Self:
        if (self.source is None) == (self.assumption is None):
            raise ValueError(
                "give exactly one of 'source' (a published figure) or "
                "'assumption' (an estimate, with low and high)"
            )
        if self.assumption is not None and (self.low is None or self.high is None):
            raise ValueError("an assumption needs its plausible range: set 'low' and 'high'")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g}); swap them")
        if self.low is not None and self.value < self.low:
            raise ValueError(
                f"value {self.value:g} is below its plausible range low {self.low:g}; "
                "raise the value or lower 'low'"
            )
        if self.high is not None and self.value > self.high:
            raise ValueError(
                f"value {self.value:g} is above its plausible range high {self.high:g}; "
                "lower the value or raise 'high'"
            )
        return self


def _bounded(low: float | None = None, high: float | None = None,
             strictly_positive: bool = False) -> Any:
    """Build a validator that keeps an Estimate's value (and range) in [low, high]."""

    def check(estimate: Estimate) -> Estimate:
        for label, number in (("value", estimate.value), ("low", estimate.low),
                              ("high", estimate.high)):
            if number is None:
                continue
            if strictly_positive and number <= 0:
                raise ValueError(f"{label} must be greater than 0 (got {number:g})")
            if low is not None and number < low:
                raise ValueError(f"{label} must be at least {low:g} (got {number:g})")
            if high is not None and number > high:
                raise ValueError(f"{label} must be at most {high:g} (got {number:g})")
        return estimate

    from pydantic import AfterValidator

    return AfterValidator(check)


Share = Annotated[Estimate, _bounded(0.0, 1.0)]
"""An Estimate that is a fraction in [0, 1]."""
Positive = Annotated[Estimate, _bounded(strictly_positive=True)]
"""An Estimate strictly above zero."""
NonNegative = Annotated[Estimate, _bounded(0.0)]
"""An Estimate at or above zero."""
AtLeastOne = Annotated[Estimate, _bounded(1.0)]
"""A multiplier that never makes things worse."""


class QueueDiscipline(enum.StrEnum):
    """Order in which HQ selects waiting tip-offs for download."""

    PRIORITY = "priority"
    FIFO = "fifo"
    NEWEST_FIRST = "newest_first"


class StaffChange(Strict):
    """A change in a staff group's posts or availability from a date on.

    From ``date`` on, a group has ``posts`` posts (new ones fill after the recruitment
    lag) and, if given, spends ``availability_share`` of its time on this work.
    """

    date: Date
    posts: NonNegativeInt
    availability_share: Share | None = None


class StaffGroup(Strict):
    """Posts of one rank (or one team) at one site."""

    posts: NonNegativeInt = Field(description="established posts, in posts")
    filled_at_start: NonNegativeInt | None = Field(
        default=None,
        description="posts filled on the start date (default: all); the rest fill after "
        "the recruitment lag",
    )
    availability_share: Share | None = Field(
        default=None,
        description="share of this group's time on the work (default: staffing.availability_share)",
    )
    changes: tuple[StaffChange, ...] = Field(
        default=(), description="later changes of establishment or availability, by date"
    )

    @model_validator(mode="after")
    def _filled_within_posts(self) -> Self:
        if self.filled_at_start is not None and self.filled_at_start > self.posts:
            raise ValueError(
                f"filled_at_start ({self.filled_at_start}) exceeds posts ({self.posts}); "
                "a post must exist before it can be filled"
            )
        posts, date = self.posts, None
        for number, change in enumerate(self.changes):
            if date is not None and change.date <= date:
                raise FieldError(f"changes.{number}.date",
                                 f"changes must be in date order ({change.date} after {date})")
            if change.posts < posts:
                raise FieldError(
                    f"changes.{number}.posts",
                    f"posts may only grow over a scenario ({change.posts} < {posts}); start a "
                    "new scenario from the smaller establishment instead",
                )
            posts, date = change.posts, change.date
        return self

    @property
    def filled(self) -> int:
        """Posts filled on the start date."""
        return self.posts if self.filled_at_start is None else self.filled_at_start


class InitialState(Strict):
    """Tip-offs already in the pipeline on the start date, e.g. a history run's end state."""

    from_file: str = Field(
        description="CSV with state, stage, age_days_low, age_days_high, count (an end_state.csv "
        "of a run); a relative path is read from the scenario file's folder"
    )
    age_offset_days: NonNegativeInt = Field(
        default=0, description="days between that run's end and this scenario's start"
    )
    note: str = ""


class State(Strict):
    """One state contingent (IPK): its demand weights and its MICAC staff."""

    name: str
    population: Positive
    tipoff_weight_factor: Positive = Field(
        description="multiplier on the population share of tip-offs (urban, connected states)"
    )
    districts: Positive
    officers: StaffGroup = Field(description="inspector and above: lead investigations and raids")
    lower_ranks: StaffGroup = Field(description="below inspector: casework support")
    campaigns_per_year: NonNegativeInt = Field(
        default=0, description="awareness campaigns run in the state each year, in campaigns"
    )


class Team(Strict):
    """An HQ team: officers and lower ranks both do its analysis work."""

    officers: StaffGroup
    lower_ranks: StaffGroup

    @property
    def posts(self) -> int:
        """Established posts of both ranks."""
        return self.officers.posts + self.lower_ranks.posts

    @property
    def filled(self) -> int:
        """Posts of both ranks filled on the start date."""
        return self.officers.filled + self.lower_ranks.filled


class HeadQuarters(Strict):
    """Bukit Aman: the national teams that select, download and review."""

    download_team: Team = Field(description="triage, selection and download handling")
    forensic_team: Team = Field(
        description="forensic review of downloads and examination of seized devices"
    )


class Arrivals(Strict):
    """Tip-off volumes: international referrals and local public reports."""

    referrals_per_year: dict[int, Positive] = Field(
        description="international referrals in a calendar year (year -> count); years in "
        "between are interpolated log-linearly, years after the last are grown"
    )
    growth_per_year_factor: Positive = Field(
        description="yearly growth factor of referrals after the last given year"
    )
    local_reports_per_year: NonNegative = Field(
        description="local public reports a year, nationally, before awareness campaigns"
    )
    high_priority_share: Share
    evidence_median_mb: Positive
    evidence_spread_sigma: NonNegative

    @model_validator(mode="after")
    def _some_year(self) -> Self:
        if not self.referrals_per_year:
            raise ValueError("referrals_per_year needs at least one year, e.g. {2023: ...}")
        return self


class Selection(Strict):
    """HQ triage and selection for download."""

    discipline: QueueDiscipline = QueueDiscipline.PRIORITY
    retention_window_days: Positive = Field(
        description="a tip-off not selected within this many days lapses (IP no longer traceable)"
    )
    triage_minutes: Positive


class Download(Strict):
    """The HQ internet link that downloads evidence."""

    bandwidth_mbps: NonNegative = Field(description="contracted line rate")
    usable_share: Share = Field(description="share of the line rate evidence downloads achieve")
    concurrent_downloads_count: Annotated[Estimate, _bounded(1.0)] = Field(
        description="downloads the workstations and logistics can run at once"
    )
    peer_upload_mbps: Positive = Field(description="ceiling a single source sends at")
    success_prob: Share = Field(description="chance the material is still there to download")


class Review(Strict):
    """Forensic review at HQ, including the wait for subscriber data."""

    review_hours: Positive
    subscriber_request_days: NonNegative = Field(
        description="mean wait for subscriber details through MCMC and the ISPs"
    )
    identification_young_prob: Share = Field(
        description="chance a subscriber can be identified from a fresh IP record"
    )
    identification_age50_days: Positive = Field(
        description="age of the IP record at which half of subscribers can still be identified"
    )
    identification_age50_after_rules_days: Positive
    retention_rules_date: Date = Field(
        description="date the data-retention rules took effect (Communications and "
        "Multimedia Act ss. 252A, 252B, 268A)"
    )
    actionable_prob: Share = Field(description="share of identified cases worth investigating")


class Investigation(Strict):
    """Investigation by the state contingent's officers."""

    casework_hours: Positive
    officer_hours: Positive
    delay_days: NonNegative = Field(description="mean elapsed wait (warrants, records) per case")
    abroad_evidence_share: Share
    mla_delay_days: NonNegative = Field(description="mean extra wait for evidence from abroad")
    raid_prob: Share = Field(description="share of investigations that end in a raid")


class Raid(Strict):
    """Officer-led raids, arrests, seized devices and charges."""

    raid_days: Positive = Field(description="officer time per raid")
    arrest_prob: Share
    charge_prob: Share
    devices_per_raid_count: Annotated[Estimate, _bounded(1.0)]
    device_exam_hours: Positive
    hash_matching_share: Share = Field(description="share of manual review hash matching removes")


class Staffing(Strict):
    """How staff time turns into work, and how posts empty and fill."""

    productive_hours: Positive = Field(description="hours of casework in a working day")
    working_days_per_year: Annotated[Estimate, _bounded(1.0, 366.0)]
    availability_share: Share = Field(description="share of time spent on this work")
    recruitment_lag_days: NonNegative
    attrition_per_year: NonNegative
    effort_cv: Annotated[Estimate, _bounded(0.01, 3.0)] = Field(
        description="variability of work per case (gamma; 1 = exponential)"
    )


class CourseKind(enum.StrEnum):
    """The course types the unit names (facts.md, 'Skills')."""

    DIGITAL_FORENSICS = "digital_forensics"
    COVERT_ONLINE = "covert_online"
    CHILD_INTERVIEW = "child_interview"


class CourseRun(Strict):
    """One course run: places taken off duty at a site, then trained."""

    course: CourseKind
    site: str = Field(description="a state code, or 'hq'")
    group: Literal["officers", "lower_ranks", "download_team", "forensic_team"]
    places: PositiveInt
    start_date: Date
    duration_days: PositiveInt


class TrainingEffects(Strict):
    """What a trained person does better (no published figure: assumptions)."""

    digital_forensics_factor: AtLeastOne = Field(
        description="speed-up of review and device examination"
    )
    covert_online_factor: AtLeastOne = Field(description="speed-up of triage and investigation")
    child_interview_factor: AtLeastOne = Field(description="multiplier on arrest probability")


class Training(Strict):
    """Courses run during the horizon and their effects."""

    effects: TrainingEffects
    courses: tuple[CourseRun, ...] = ()


class Awareness(Strict):
    """Campaigns raise local reports (and cooperation), with diminishing returns."""

    reports_uplift_max_share: NonNegative = Field(
        description="largest rise in local reports campaigns can bring (0.6 = +60 %)"
    )
    campaigns_half_count: Positive = Field(
        description="campaigns a year that bring half of the largest rise"
    )
    cooperation_arrest_share: NonNegative = Field(
        description="share of the reports rise that carries into arrest probability"
    )


CalibrationMetric = Literal["tipoffs_received", "selected_for_download", "downloaded",
                            "reviewed", "investigated", "raids", "arrests", "charges"]


class CalibrationTarget(Strict):
    """A published national total over the horizon that the model must reproduce."""

    metric: CalibrationMetric
    published: PositiveFloat
    tolerance_share: Annotated[float, Field(gt=0, lt=1)] = Field(
        description="accepted relative gap, e.g. 0.15 for +-15 %"
    )
    source: str


class FittedParameter(Strict):
    """An assumption fitted, within its plausible range, to the target it governs."""

    parameter: str = Field(
        description="dotted path of an assumption, e.g. selection.triage_minutes"
    )
    target: CalibrationMetric


class Calibration(Strict):
    """How ``run_scenario.py calibrate`` fits this (history) scenario."""

    targets: tuple[CalibrationTarget, ...]
    fit: tuple[FittedParameter, ...] = Field(
        description="fitted one after another, each to its target; a later parameter for the "
        "same target is used only if the earlier one reached a bound of its range"
    )
    replications: PositiveInt = Field(default=4, description="replications per trial value")
    iterations: PositiveInt = Field(default=8, description="trial values per parameter at most")
    write_to: str = Field(
        default="calibrated.yaml", description="file the fitted values are written to"
    )
    end_state_to: str = Field(
        default="history_end_state.csv",
        description="file the calibrated run's end state (the backlog) is written to",
    )

    @model_validator(mode="after")
    def _fit_targets_exist(self) -> Self:
        metrics = {target.metric for target in self.targets}
        for number, step in enumerate(self.fit):
            if step.target not in metrics:
                raise FieldError(f"fit.{number}.target",
                                 f"'{step.target}' is not among the targets ({sorted(metrics)})")
        return self


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


class Scenario(Strict):
    """One planning scenario: horizon, demand, pipeline, staff and levers."""

    name: str
    description: str = ""
    start_date: Date
    end_date: Date = Field(description="last simulated day, inclusive")
    seed: NonNegativeInt = 2024
    replications: PositiveInt = 10
    states: dict[str, State]
    initial_state: InitialState | None = None
    hq: HeadQuarters
    arrivals: Arrivals
    selection: Selection
    download: Download
    review: Review
    investigation: Investigation
    raid: Raid
    staffing: Staffing
    training: Training
    awareness: Awareness
    calibration: Calibration | None = None
    optimise: Optimise | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end_date < self.start_date:
            raise FieldError(
                "end_date",
                f"end_date {self.end_date} is before start_date {self.start_date}; "
                "the horizon must run forward",
            )
        missing = [code for code in STATE_CODES if code not in self.states]
        if missing:
            raise FieldError(
                "states",
                f"states is missing {', '.join(missing)}; every one of the 14 contingents "
                "must be described (0 posts is allowed)",
            )
        if self.calibration is not None:
            assumptions = {path for path, _, e in iter_estimates(self) if e.assumption}
            for number, step in enumerate(self.calibration.fit):
                if step.parameter not in assumptions:
                    raise FieldError(
                        f"calibration.fit.{number}.parameter",
                        f"'{step.parameter}' is not an assumption of this scenario; only "
                        "estimates marked 'assumption' (with a range) can be fitted",
                    )
        sites = set(STATE_CODES) | {"hq"}
        for number, course in enumerate(self.training.courses):
            if course.site not in sites:
                raise FieldError(
                    f"training.courses.{number}.site",
                    f"'{course.site}' is not a state code or 'hq'; valid: "
                    + ", ".join((*STATE_CODES, "hq")),
                )
            hq_group = course.group in ("download_team", "forensic_team")
            if (course.site == "hq") != hq_group:
                raise FieldError(
                    f"training.courses.{number}.group",
                    f"'{course.group}' does not exist at '{course.site}': HQ has download_team "
                    "and forensic_team, states have officers and lower_ranks",
                )
        return self

    @field_validator("states", mode="before")
    @classmethod
    def _known_state_codes(cls, states: Any) -> Any:
        # Checked before the entries, so a mistyped code is named as such rather than
        # drowned in "required but missing" errors for its fields.
        if isinstance(states, dict):
            unknown = sorted(str(code) for code in states if code not in STATE_CODES)
            if unknown:
                raise ValueError(
                    f"unknown state code(s) {', '.join(unknown)}; valid codes: "
                    + ", ".join(STATE_CODES)
                )
        return states

    @property
    def horizon_days(self) -> float:
        """Length of the horizon in days (end date inclusive)."""
        return float((self.end_date - self.start_date).days + 1)

    def day_of(self, date: dt.date) -> float:
        """Simulation clock (days since the start date) at the start of ``date``."""
        return float((date - self.start_date).days)

    @property
    def years(self) -> list[int]:
        """Calendar years the horizon touches."""
        return list(range(self.start_date.year, self.end_date.year + 1))


def iter_estimates(section: BaseModel, prefix: str = "") -> list[tuple[str, str, Estimate]]:
    """List every Estimate in a scenario as ``(dotted.path, unit, estimate)``."""
    found: list[tuple[str, str, Estimate]] = []
    for name in type(section).model_fields:
        value = getattr(section, name)
        path = f"{prefix}{name}"
        if isinstance(value, Estimate):
            found.append((path, unit_of(name), value))
        elif isinstance(value, BaseModel):
            found.extend(iter_estimates(value, path + "."))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, Estimate):
                    found.append((f"{path}.{key}", unit_of(name), item))
                elif isinstance(item, BaseModel):
                    found.extend(iter_estimates(item, f"{path}.{key}."))
    return found


def assumptions_register(scenario: Scenario) -> list[dict[str, Any]]:
    """Every parameter that is an assumption, with its unit, range and note."""
    return [
        {
            "parameter": path,
            "value": estimate.value,
            "unit": unit,
            "low": estimate.low,
            "high": estimate.high,
            "note": estimate.assumption,
        }
        for path, unit, estimate in iter_estimates(scenario)
        if estimate.assumption is not None
    ]


def estimate_at(scenario: Scenario, path: str) -> Estimate:
    """The estimate at a dotted path (``download.bandwidth_mbps``)."""
    node: Any = scenario
    for part in path.split("."):
        if isinstance(node, dict):
            node = node[int(part)] if part.isdigit() and int(part) in node else node[part]
        else:
            node = getattr(node, part)
    if not isinstance(node, Estimate):
        raise KeyError(f"{path} is not an estimate")
    return node


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of ``scenario`` with the estimates at the given paths set to new values."""
    data = scenario.model_dump()
    for path, value in values.items():
        node: Any = data
        for part in path.split("."):
            node = node[int(part)] if isinstance(node, dict) and part.isdigit() \
                and int(part) in node else node[part]
        node["value"] = float(value)
    return Scenario.model_validate(data)
