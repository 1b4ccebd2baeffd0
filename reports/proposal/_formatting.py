"""Money and estimates as the proposal writes them, beside :mod:`reports.formatting`.

Private to the proposal: ringgit amounts and the ``mean [low, high]`` cells of its
tables, built on :func:`reports.formatting.format_count` so numbers read as in every
other report.
"""

from __future__ import annotations

from reports.formatting import DASH, count_decimals, format_count, is_missing


def ringgit(value: float) -> str:
    """Ringgit with thousands separators and no decimals, ``9218378.4`` -> ``"RM9,218,378"``."""
    text = f"{abs(value):,.0f}"
    return f"-RM{text}" if round(value) < 0 else f"RM{text}"


def amount(value: float) -> str:
    """A ringgit amount in a table whose header says RM: ``"9,218,378"``."""
    return f"{value:,.0f}"


def whole_or_count(value: float) -> str:
    """A quantity: whole numbers without decimals, others as a count, ``2.5`` -> ``"2.5"``."""
    return format_count(value, 0 if float(value).is_integer() else None)


def estimate(mean: float, low: float = float("nan"), high: float = float("nan"),
             signed: bool = False, separator: str = " ") -> str:
    """A mean and its interval, ``"1,239 [1,205, 1,272]"``.

    Parameters
    ----------
    mean, low, high : float
        The estimate; NaN for what is missing (a missing mean gives a dash).
    signed : bool, default False
        Whether the value may be negative (a difference); otherwise the interval's low
        end is cut at zero, as no count can be below it.
    separator : str, default " "
        Between the mean and the interval; a newline for a narrow table cell.

    Returns
    -------
    str
        The estimate as one cell reads it.
    """
    if is_missing(mean):
        return DASH
    decimals = count_decimals(mean)
    text = format_count(mean, decimals)
    if is_missing(low) or is_missing(high):
        return text
    if not signed:
        low = max(low, 0.0)
    return f"{text}{separator}[{format_count(low, decimals)}, {format_count(high, decimals)}]"
