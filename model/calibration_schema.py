"""The schema of a history's calibration: published targets and rival hypotheses.

A history scenario's ``calibration`` section names the published figures the model must
reproduce and the rival explanations (hypotheses) of what limited the pipeline; a
calibrated file records what the calibration found for one hypothesis.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    Field,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from model.schema_base import Date, FieldError, Strict

CalibrationMetric = Literal["tipoffs_received", "selected_for_download", "downloaded",
                            "reviewed", "investigated", "raids", "arrests", "charges"]


class CalibrationTarget(Strict):
    """A published national figure that the model must reproduce.

    Without ``year`` the figure is a total over the whole horizon; with it, the total of
    that calendar year (up to the end date in the last year).
    """

    metric: CalibrationMetric
    published: PositiveFloat
    year: int | None = Field(default=None, description="calendar year the figure covers; "
                             "none for a total over the whole horizon")
    tolerance_share: Annotated[float, Field(gt=0, lt=1)] = Field(
        description="accepted relative gap, e.g. 0.15 for +-15 %"
    )
    source: str


class ParameterRange(Strict):
    """The range a free parameter of a hypothesis is searched over."""

    low: float
    high: float
    log_scale: bool = Field(default=False, description="search evenly on a log scale (a range "
                            "over an order of magnitude, such as Mbps)")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log_scale and self.low <= 0:
            raise ValueError("a log-scale range must start above zero")
        return self


class Hypothesis(Strict):
    """One named whole explanation of the history: what limited it, as data.

    ``free`` parameters are calibrated jointly over their ranges; ``fixed`` ones are
    held at values that say what did not limit the history under this explanation.
    Every hypothesis of a calibration names the same parameters (free or fixed), so
    that they differ only in the explanation, never in what was left at a default.
    """

    description: str
    free: dict[str, ParameterRange]
    fixed: dict[str, float] = Field(default_factory=dict)

    @property
    def parameters(self) -> set[str]:
        """Every parameter the hypothesis sets, free or fixed."""
        return set(self.free) | set(self.fixed)


class Calibration(Strict):
    """How ``run_scenario.py calibrate`` fits this (history) scenario's hypotheses.

    Each hypothesis is calibrated jointly against every target: a space-filling design
    over its free parameters, then waves that search where the plausible points are
    (history matching); every point whose simulated figures are all within their
    tolerances is kept, and the kept points are the hypothesis's plausible set.
    """

    targets: tuple[CalibrationTarget, ...]
    hypotheses: dict[str, Hypothesis]
    design_points: PositiveInt = Field(default=40, description="points of the first wave")
    refine_points: PositiveInt = Field(default=24, description="points of each later wave")
    waves: PositiveInt = Field(default=2, description="waves of the search")
    replications: PositiveInt = Field(default=2, description="replications per design point")
    hand_over_date: Date | None = Field(
        default=None, description="the forward scenarios' start: the history is run on to "
        "the day before (arrivals at the last year's rate) for the end state they start from")
    write_to: str = Field(
        default="calibrated", description="folder of the calibrated values, one file a "
        "hypothesis, relative to the history scenario")
    end_states_to: str = Field(
        default="end_states", description="folder of the end states, one file a hypothesis")

    @model_validator(mode="after")
    def _comparable(self) -> Self:
        seen = {(target.metric, target.year) for target in self.targets}
        if len(seen) != len(self.targets):
            raise FieldError("targets", "two targets name the same metric and year")
        if not self.hypotheses:
            raise FieldError("hypotheses", "name at least one hypothesis to calibrate")
        names = list(self.hypotheses)
        first = self.hypotheses[names[0]].parameters
        for name in names[1:]:
            other = self.hypotheses[name].parameters
            if other != first:
                raise FieldError(
                    f"hypotheses.{name}",
                    f"names other parameters than {names[0]}: missing "
                    f"{sorted(first - other) or 'none'}, extra {sorted(other - first) or 'none'};"
                    " every hypothesis must set the same parameters, free or fixed")
        for field in ("write_to", "end_states_to"):
            _inside_the_scenario_folder(field, getattr(self, field))
        return self


def _inside_the_scenario_folder(field: str, folder: str) -> None:
    """Refuse a folder that leaves the history scenario's folder: only a flag may."""
    parts = folder.replace("\\", "/").split("/")
    if folder.startswith(("/", "~")) or ":" in parts[0] or ".." in parts or not folder.strip():
        flag = field.replace("_", "-")
        example = "calibrated" if field == "write_to" else "end_states"
        raise FieldError(field, f"'{folder}' leaves the history scenario's folder; give a "
                         f"folder inside it (e.g. {example}), or write elsewhere with "
                         f"`calibrate --{flag} DIR`")


class CalibratedHypothesis(Strict):
    """What a calibration found for one hypothesis (written by ``calibrate``)."""

    name: str
    description: str
    calibrated_on: str = ""
    fits: bool = Field(description="every target within its tolerance at the calibrated values")
    parameters: tuple[str, ...] = Field(description="the free parameters, in column order")
    fixed_parameters: tuple[str, ...] = Field(
        default=(), description="the parameters the hypothesis holds at fixed values")
    plausible: tuple[tuple[float, ...], ...] = Field(
        description="plausible parameter vectors: every point whose simulated history was "
        "within every tolerance")
