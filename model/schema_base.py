"""The scenario schema's vocabulary: strict models, estimates with provenance, units, dates.

Every part of the schema (``scenario``, ``calibration_schema``, ``optimise_schema``) is
built from these; like them, this module depends on nothing else of ours.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_validator,
)

STATE_CODES: tuple[str, ...] = (
    "PLS", "KDH", "PNG", "PRK", "SGR", "KUL", "NSN",
    "MLK", "JHR", "PHG", "TRG", "KTN", "SBH", "SWK",
)
"""The 14 PDRM state contingents (IPK), in the order reports list them."""

# Units by field-name suffix: the name carries the unit, reports read it here.
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_hours_per_day", "hours a day"),
    ("downloads_per_workstation", "download slots per workstation"),
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


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_PARTS = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")


def _written_date(value: Any) -> Any:
    """Refuse a date not written YYYY-MM-DD, suggesting the rewritten one where it can.

    A bare number would be read as seconds since 1970; ``01/01/2024`` would be refused
    with "invalid character in year", which does not say what to write.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"write a date as YYYY-MM-DD, e.g. 2024-01-01 (got the number {value:g})")
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError(date_advice(value.strip()))
    return value


def date_advice(text: str) -> str:
    """What to write instead of a date not written YYYY-MM-DD.

    Parameters
    ----------
    text
        The date as written, e.g. ``31/01/2024``, ``2024/01/31`` or ``01/02/2024``.

    Returns
    -------
    str
        The rewritten date when only one reading is a calendar date ("did you mean
        2024-01-31?"), both readings when day and month could be swapped, else the format.
    """
    readings = _date_readings(text)
    if len(readings) == 1:
        return f"write dates as YYYY-MM-DD: did you mean {readings[0][1]}? (got '{text}')"
    if len(readings) == 2:
        both = " or ".join(f"{date} (as {order})" for order, date in readings)
        return (f"write dates as YYYY-MM-DD; '{text}' is ambiguous: {both}? Write the one "
                "you mean")
    return f"write dates as YYYY-MM-DD, e.g. 2024-01-31 (got '{text}')"


def _date_readings(text: str) -> list[tuple[str, str]]:
    """The calendar dates ``text`` can mean, as (order, YYYY-MM-DD), day first first."""
    match = _DATE_PARTS.fullmatch(text)
    if match is None:
        return []
    first, second, third = match.groups()
    if len(first) == 4:
        orders = [("year/month/day", int(first), int(second), int(third))]
    elif len(third) == 4:
        orders = [("day/month/year", int(third), int(second), int(first)),
                  ("month/day/year", int(third), int(first), int(second))]
    else:
        return []
    readings: list[tuple[str, str]] = []
    for order, year, month, day in orders:
        try:
            date = dt.date(year, month, day).isoformat()
        except ValueError:
            continue
        if date not in (known for _, known in readings):
            readings.append((order, date))
    return readings


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


def bounded(low: float | None = None, high: float | None = None,
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


Share = Annotated[Estimate, bounded(0.0, 1.0)]
"""An Estimate that is a fraction in [0, 1]."""
Positive = Annotated[Estimate, bounded(strictly_positive=True)]
"""An Estimate strictly above zero."""
NonNegative = Annotated[Estimate, bounded(0.0)]
"""An Estimate at or above zero."""
AtLeastOne = Annotated[Estimate, bounded(1.0)]
"""A multiplier that never makes things worse."""


class CourseKind(enum.StrEnum):
    """The course types the unit names (facts.md, 'Skills')."""

    DIGITAL_FORENSICS = "digital_forensics"
    COVERT_ONLINE = "covert_online"
    CHILD_INTERVIEW = "child_interview"
