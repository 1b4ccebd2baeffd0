"""Scenario schema: the strict, validated description of one planning run.

A scenario is written in YAML by a planner.  Every number carries its unit in
its field name (``review_hours``, ``bandwidth_mbps``, ``posts``) and every
parameter that is not a published figure is an :class:`Estimate` labelled
``assumption`` with a plausible range, so that the report can list it.

Its parts live beside it: ``schema_base`` (estimates, units, dates), ``calibration_schema``
(targets and hypotheses) and ``optimise_schema`` (budget, bounds, lever prices).  The
schema depends on nothing else of ours: it validates at the boundary and downstream code
trusts the :class:`Scenario` it returns.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from model.calibration_schema import CalibratedHypothesis, Calibration
from model.optimise_schema import Optimise
from model.schema_base import (
    STATE_CODES,
    AtLeastOne,
    CourseKind,
    Date,
    Estimate,
    FieldError,
    NonNegative,
    Positive,
    Share,
    Strict,
    bounded,
    unit_of,
)

ViewingCap = Annotated[Estimate, bounded(0.0, 24.0, strictly_positive=True)]
"""Hours a day, above zero and at most 24."""

HIGH_TARGET_ASSUMPTION = ("UK NPCC/NCA grades: very high within a day, high within a week "
                          "(facts.md)")
OTHER_TARGET_ASSUMPTION = ("UK NPCC/NCA grades: medium within two weeks, low within 30 days "
                           "(facts.md)")
CAMPAIGN_STAFF_ASSUMPTION = ("talks, travel and follow-up; the head: campaigns are limited by "
                             "manpower as well as money (facts.md)")
TRIAGE_TOOL_ASSUMPTION = ("facts.md: 10-30 minutes by hand, 2-5 with risk scoring and hash "
                          "matching; our triage also counts download set-up")
REVIEW_TOOL_ASSUMPTION = ("facts.md: hash sets pre-identify 30-85 % of images; automated "
                          "grading 2,000 images an hour against 200")
WORKSTATION_ASSUMPTION = "download slots a workstation with its storage runs at once"


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


class InitialCount(Strict):
    """One row of a starting state: tip-offs of one state at one stage, in one age band."""

    state: str
    stage: str
    age_days_low: float
    age_days_high: float
    count: float


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
    # The file's rows, read once by the loader in the client: the scenario carries its
    # starting state to wherever a replication runs (a Dask worker on another machine has
    # none of the client's files).  Never written out (not in the editors' schema either):
    # a dumped scenario, run.json and the scenario's hash name the file, whose own hash
    # run.json records.
    counts: SkipJsonSchema[tuple[InitialCount, ...] | None] = Field(
        default=None, exclude=True, repr=False,
        description="the rows of from_file, filled in by the loader (None: not read yet)")

    # Equal when written alike, read or not: the same scenario round-trips through its dump.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InitialState):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash((self.from_file, self.age_offset_days, self.note))


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


LINE_NEEDS_SHARE = ("a line bought (line_mbps) needs evidence_share, the share of its rate "
                    "evidence downloads get, e.g. {value: 0.5, low: 0.2, high: 0.8, "
                    "assumption: ...}; baseline.yaml gives it")


class Download(Strict):
    """The HQ internet link that downloads evidence.

    Two things are kept apart: the line HQ contracts (``line_mbps``, a decision sold in
    the provider's tiers) and the rate evidence downloads get of it (``bandwidth_mbps``
    on today's line, an estimate the calibration fits; ``evidence_share`` of a line
    bought).  With a line bought, evidence downloads get
    ``max(bandwidth_mbps, line_mbps * evidence_share)``: buying a line never makes them
    slower than today's.  Of that rate they achieve ``usable_share``.  The rule is
    written once, in ``evidence_mbps_on``.
    """

    bandwidth_mbps: NonNegative = Field(
        description="rate of today's HQ line available to evidence downloads, in Mbps (an "
        "estimate, calibrated under the line-* hypotheses)")
    line_mbps: PositiveFloat | None = Field(
        default=None,
        description="the HQ line contracted, in Mbps (a decision, sold in the provider's "
        "tiers); unset: today's line, whose share for evidence is bandwidth_mbps. Evidence "
        "downloads then get max(bandwidth_mbps, line_mbps x evidence_share): buying a line "
        "never makes them slower than today's")
    evidence_share: Share | None = Field(
        default=None,
        description="share of a contracted line's rate that evidence downloads get (needed "
        "with line_mbps; baseline.yaml gives it)")
    usable_share: Share = Field(description="share of the line rate evidence downloads achieve")
    concurrent_downloads_count: Annotated[Estimate, bounded(1.0)] = Field(
        description="downloads the workstations and logistics can run at once"
    )
    peer_upload_mbps: Positive = Field(description="ceiling a single source sends at")
    success_prob: Share = Field(description="chance the material is still there to download")

    def evidence_mbps_on(self, line_mbps: float | None) -> float:
        """Mbps evidence downloads get on a contracted line, before ``usable_share``.

        Parameters
        ----------
        line_mbps
            The line contracted, in Mbps; None for today's line.

        Returns
        -------
        float
            ``bandwidth_mbps`` on today's line; on a line bought,
            ``max(bandwidth_mbps, line_mbps * evidence_share)``, so that buying a line
            never makes evidence downloads slower than today's.
        """
        today = self.bandwidth_mbps.value
        if line_mbps is None:
            return today
        if self.evidence_share is None:
            raise ValueError(LINE_NEEDS_SHARE)
        return max(today, line_mbps * self.evidence_share.value)

    @model_validator(mode="after")
    def _line_with_its_share(self) -> Self:
        # Optional only so that runs recorded before the field existed still reproduce.
        if self.line_mbps is not None and self.evidence_share is None:
            raise FieldError("evidence_share", LINE_NEEDS_SHARE)
        return self

    @property
    def evidence_mbps(self) -> float:
        """Mbps evidence downloads get on this scenario's line, before ``usable_share``."""
        return self.evidence_mbps_on(self.line_mbps)

    @property
    def usable_mbps(self) -> float:
        """Mbps evidence downloads achieve: :attr:`evidence_mbps` times ``usable_share``."""
        return self.evidence_mbps * self.usable_share.value


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
    max_viewing_hours_per_day: ViewingCap | None = Field(
        default=None,
        description="welfare limit: hours in a working day a member of the HQ forensic team "
        "may spend viewing material (review and device examination), e.g. {value: 4, low: 2, "
        "high: 6, assumption: ...}; the team's hours a day on this work never exceed it. "
        "Unset: no cap")


class Investigation(Strict):
    """Investigation by the state contingent's officers."""

    casework_hours: Positive
    officer_hours: Positive
    delay_days: NonNegative = Field(description="mean elapsed wait (warrants, records) per case")
    abroad_evidence_share: Share
    mla_delay_days: NonNegative = Field(description="mean extra wait for evidence from abroad")
    raid_prob: Share = Field(description="share of investigations that end in a raid")
    stale_after_days: Positive = Field(
        description="age (days since the tip-off arrived) past which a case whose casework "
        "has not started is stale and lapses"
    )


class Raid(Strict):
    """Officer-led raids, arrests, seized devices and charges."""

    raid_days: Positive = Field(description="officer time per raid")
    arrest_prob: Share
    charge_prob: Share
    devices_per_raid_count: Annotated[Estimate, bounded(1.0)]
    device_exam_hours: Positive
    hash_matching_share: Share = Field(description="share of manual review hash matching removes")


class Staffing(Strict):
    """How staff time turns into work, and how posts empty and fill."""

    productive_hours: Positive = Field(description="hours of casework in a working day")
    working_days_per_year: Annotated[Estimate, bounded(1.0, 366.0)]
    availability_share: Share = Field(description="share of time spent on this work")
    recruitment_lag_days: NonNegative
    attrition_per_year: NonNegative
    effort_cv: Annotated[Estimate, bounded(0.01, 3.0)] = Field(
        description="variability of work per case (gamma; 1 = exponential)"
    )


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
    campaign_staff_days: NonNegative = Field(
        default_factory=lambda: Estimate(
            value=10, low=5, high=30, assumption=CAMPAIGN_STAFF_ASSUMPTION),
        description="staff time one campaign takes from its state, in person-days (working "
        "days of one person): talks, travel and follow-up, done by the state's lower ranks "
        "(its officers where it has none), spread evenly over each year")


class Risk(Strict):
    """Risk classes of tip-offs and the days within which each should be examined.

    The high class is the share ``arrivals.high_priority_share`` flagged high risk; the
    other class is the rest.  A tip-off is examined when its download has been reviewed
    at HQ; it is examined within target if that happens by its arrival day plus its
    class's target days.
    """

    high_target_days: Positive = Field(
        default_factory=lambda: Estimate(value=7, low=1, high=7,
                                         assumption=HIGH_TARGET_ASSUMPTION),
        description="days from arrival within which a high-risk tip-off should be examined "
        "(downloaded and reviewed)")
    other_target_days: Positive = Field(
        default_factory=lambda: Estimate(value=30, low=14, high=30,
                                         assumption=OTHER_TARGET_ASSUMPTION),
        description="days from arrival within which any other tip-off should be examined")


class ToolingEffects(Strict):
    """What each tool bought does (no published figure for D11: assumptions)."""

    triage_time_share: Share = Field(
        default_factory=lambda: Estimate(value=0.5, low=0.2, high=0.8,
                                         assumption=TRIAGE_TOOL_ASSUMPTION),
        description="triage time with risk scoring, as a share of triage time without it")
    review_time_share: Share = Field(
        default_factory=lambda: Estimate(value=0.7, low=0.4, high=0.9,
                                         assumption=REVIEW_TOOL_ASSUMPTION),
        description="HQ review and device examination time with hash matching, as a share "
        "of the time without it")
    downloads_per_workstation: NonNegative = Field(
        default_factory=lambda: Estimate(value=2, low=1, high=4,
                                         assumption=WORKSTATION_ASSUMPTION),
        description="concurrent download slots each extra workstation (with its storage) "
        "adds, in slots")


class Tooling(Strict):
    """Tools HQ has bought (default: none) and what they do."""

    risk_scoring: bool = Field(
        default=False, description="risk scoring of tip-offs at triage: triage time x "
        "effects.triage_time_share")
    hash_matching: bool = Field(
        default=False, description="hash matching and automated grading: HQ review and "
        "device examination time x effects.review_time_share")
    workstations: NonNegativeInt = Field(
        default=0, description="extra download workstations with storage, in workstations; "
        "each adds effects.downloads_per_workstation concurrent download slots")
    effects: ToolingEffects = Field(default_factory=ToolingEffects)

    @property
    def extra_download_slots(self) -> int:
        """Concurrent download slots the extra workstations add (rounded to whole slots)."""
        return round(self.workstations * self.effects.downloads_per_workstation.value)


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
    risk: Risk = Field(default_factory=Risk)
    tooling: Tooling = Field(default_factory=Tooling)
    calibration: Calibration | None = None
    optimise: Optimise | None = None
    hypothesis: str | None = Field(
        default=None, description="the explanation of the history this scenario runs under; "
        "its calibrated values come from the file 'extends' names with {hypothesis}")
    calibrated: CalibratedHypothesis | None = None

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
            _check_hypotheses(self, self.calibration)
        if self.hypothesis is not None and (self.calibrated is None
                                            or self.calibrated.name != self.hypothesis):
            found = self.calibrated.name if self.calibrated else "none"
            raise FieldError(
                "hypothesis",
                f"the scenario runs under hypothesis '{self.hypothesis}' but its calibrated "
                f"values are those of {found}; extend the hypothesis's calibrated file with "
                "'extends: calibrated/{hypothesis}.yaml' (or name no hypothesis)")
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


def _check_hypotheses(scenario: Scenario, calibration: Calibration) -> None:
    """Each hypothesis sets assumptions of the scenario, inside their plausible ranges."""
    estimates = {path: e for path, _, e in iter_estimates(scenario) if e.assumption}
    for name, hypothesis in calibration.hypotheses.items():
        where = f"calibration.hypotheses.{name}"
        for path, span in hypothesis.free.items():
            estimate = _assumption(estimates, path, f"{where}.free")
            if span.low < (estimate.low or 0) or span.high > (estimate.high or 0):
                raise FieldError(f"{where}.free.{path}",
                                 f"{span.low:g}-{span.high:g} goes beyond the plausible range "
                                 f"{estimate.low:g}-{estimate.high:g} of {path}")
        for path, value in hypothesis.fixed.items():
            estimate = _assumption(estimates, path, f"{where}.fixed")
            if not (estimate.low or 0) <= value <= (estimate.high or 0):
                raise FieldError(f"{where}.fixed.{path}",
                                 f"{value:g} is outside the plausible range "
                                 f"{estimate.low:g}-{estimate.high:g} of {path}")


def _assumption(estimates: dict[str, Estimate], path: str, where: str) -> Estimate:
    if path not in estimates:
        raise FieldError(f"{where}.{path}",
                         f"'{path}' is not an assumption of this scenario; only estimates "
                         "marked 'assumption' (with a range) can be calibrated or fixed")
    return estimates[path]


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
    # the dump leaves out the starting state's rows (see InitialState); it is unchanged
    return Scenario.model_validate(data).model_copy(
        update={"initial_state": scenario.initial_state})
