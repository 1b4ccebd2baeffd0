"""Numbers for people: counts, percentages, days, intervals and dates as reports show them.

One home for how a figure reads, used by every page, the proposal and the command line's
reports, so that "1,234 [1,100, 1,368] tip-offs" looks the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

DASH = "\u2013"
"""Shown for a value that is missing or undefined (a mean delay with no events, say)."""

PERCENT_SIGN = "\u00a0%"  # a no-break space keeps "12.5 %" on one line

PERCENT_UNITS = ("fraction", "probability")
"""Units of values shown as percentages: metric units start with one of these words."""


def is_share(unit: str) -> bool:
    """Whether values of ``unit`` are fractions, shown as percentages."""
    return str(unit).startswith(PERCENT_UNITS)


def shares_as_percent(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of ``unit, mean, ci_low, ci_high`` with its shares in percent, for a chart.

    A row whose unit is a fraction has its values times 100 and its unit written
    ``"% of ..."`` (``"%"`` alone for a bare fraction); other rows are unchanged.
    """
    if "unit" not in frame or frame.empty:
        return frame
    shares = frame["unit"].astype(str).map(is_share)
    if not shares.any():
        return frame
    frame = frame.copy()
    for column in ("mean", "ci_low", "ci_high"):
        if column in frame:
            frame[column] = frame[column].astype(float)
            frame.loc[shares, column] = frame.loc[shares, column] * 100
    frame.loc[shares, "unit"] = [f"% {display_unit(unit)}".strip()
                                 for unit in frame.loc[shares, "unit"]]
    return frame


def count_decimals(value: float) -> int:
    """Decimals a count is shown with: none from 10 up, one below.

    A mean over replications of a rare event (2.3 charges) keeps a decimal,
    because rounding it would hide the difference between states.
    """
    return 0 if is_missing(value) or abs(value) >= 10 else 1


def format_count(value: float, decimals: int | None = None) -> str:
    """A count with thousands separators, ``239394.7`` -> ``"239,395"``, ``2.33`` -> ``"2.3"``.

    Parameters
    ----------
    value : float
        The count; NaN or None for a missing value.
    decimals : int, optional
        Decimals to show; by default :func:`count_decimals` of ``value``.  An
        interval's ends take its mean's, so that one cell reads alike.

    Returns
    -------
    str
        The count, or ``"–"`` when missing.
    """
    if is_missing(value):
        return DASH
    digits = count_decimals(value) if decimals is None else decimals
    return f"{_no_negative_zero(value, digits):,.{digits}f}"


def format_percent(fraction: float) -> str:
    """A fraction as a percentage with one decimal, ``0.1337`` -> ``"13.4 %"``.

    Parameters
    ----------
    fraction : float
        The fraction (1 is 100 %); NaN or None for a missing value.

    Returns
    -------
    str
        The percentage, or ``"–"`` when missing.
    """
    if is_missing(fraction):
        return DASH
    return f"{_no_negative_zero(fraction * 100, 1):,.1f}{PERCENT_SIGN}"


def format_days(value: float) -> str:
    """Days with one decimal and thousands separators, ``293.66`` -> ``"293.7"``.

    Parameters
    ----------
    value : float
        Days; NaN or None for a missing value.

    Returns
    -------
    str
        The days, or ``"–"`` when missing.
    """
    if is_missing(value):
        return DASH
    return f"{_no_negative_zero(value, 1):,.1f}"


def format_value(value: float, unit: str, decimals: int | None = None) -> str:
    """A metric value formatted as its unit asks: percentage, days or count.

    Parameters
    ----------
    value : float
        The value, in the unit of ``summary.csv``.
    unit : str
        Its unit, e.g. ``"tip-offs"``, ``"days"``, ``"fraction of received"``.
    decimals : int, optional
        For a count, the decimals to show (see :func:`format_count`).

    Returns
    -------
    str
        The formatted value, or ``"–"`` when missing.
    """
    if unit.startswith(PERCENT_UNITS):
        return format_percent(value)
    if unit in ("days", "hours"):
        return format_days(value)
    return format_count(value, decimals)


def interval_text(mean: float, low: float, high: float, unit: str) -> str:
    """An interval's ends, ``"[294, 350]"``, cut to what the unit allows; ``""`` if missing.

    A t-interval over a few replications can reach below zero or above 100 %,
    which no count, duration or share can; the end is shown at the limit instead.
    """
    if is_missing(low) or is_missing(high):
        return ""
    low, high = max(low, 0.0), high
    if unit.startswith(PERCENT_UNITS):
        high = min(high, 1.0)
    decimals = count_decimals(mean)
    return f"[{format_value(low, unit, decimals)}, {format_value(high, unit, decimals)}]"


def display_unit(unit: str) -> str:
    """The unit as written after a formatted value: ``"fraction of received"`` -> ``"of received"``.

    Parameters
    ----------
    unit : str
        A unit of ``summary.csv``.

    Returns
    -------
    str
        What is left to say once a fraction is shown as a percentage.
    """
    for word in PERCENT_UNITS:
        if unit.startswith(word):
            return unit[len(word):].strip()
    return unit


def format_estimate(mean: float, low: float, high: float, unit: str,
                    with_unit: bool = True) -> str:
    """A mean with its interval, ``"322 [294, 350] tip-offs"``.

    Parameters
    ----------
    mean, low, high : float
        The mean and the interval's ends.
    unit : str
        The unit of all three (as in ``summary.csv``).
    with_unit : bool, default True
        Append the unit; a table whose header names it leaves it out.

    Returns
    -------
    str
        The estimate; ``"–"`` when the mean is missing.  The interval's ends are
        cut to what the unit allows (see :func:`interval_text`).
    """
    if is_missing(mean):
        return DASH
    text = format_value(mean, unit)
    interval = interval_text(mean, low, high, unit)
    if interval:
        text += f" {interval}"
    shown_unit = display_unit(unit)
    return f"{text} {shown_unit}" if with_unit and shown_unit else text


def format_parameter(value: float | None, unit: str) -> str:
    """An input parameter as a reader checks it against its source.

    Parameters
    ----------
    value : float or None
        The parameter's value.
    unit : str
        Its unit from the assumptions register.

    Returns
    -------
    str
        Percentages for fractions and probabilities, otherwise up to three
        significant figures with thousands separators; ``"–"`` when missing.
    """
    if is_missing(value):
        return DASH
    assert value is not None  # for the type checker: _missing caught None
    if unit in PERCENT_UNITS:
        return format_percent(value)
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def format_date(text: str) -> str:
    """An ISO date for people, ``"2024-01-01"`` -> ``"1 Jan 2024"``; other text unchanged."""
    try:
        day = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return f"{day.day} {day:%b %Y}"


def is_missing(value: Any) -> bool:
    """Whether a value is absent: None, NaN or not a number at all."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _no_negative_zero(value: float, digits: int) -> float:
    # "-0" for a tiny negative interval end reads like an error; it is zero at this precision.
    rounded = round(float(value), digits)
    return 0.0 if rounded == 0 else rounded
