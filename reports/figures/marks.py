"""What goes on a chart besides its bars and lines: tick texts, value labels, error bars.

Shared by every chart module, so a count or a percentage reads the same on every chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def error_extent(rows: pd.DataFrame, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Lengths below and above each mean, for ``errorbar``.

    A t-interval over a few replications can reach below zero; on a log axis
    the bar stops at ``floor`` (below the smallest bar) instead of vanishing.
    A missing interval draws no bar.
    """
    mean = rows["mean"].to_numpy(dtype=float)
    low = np.maximum(rows["ci_low"].to_numpy(dtype=float), floor)
    high = rows["ci_high"].to_numpy(dtype=float)
    below = np.nan_to_num(np.clip(mean - low, 0, None), nan=0.0)
    above = np.nan_to_num(np.clip(high - mean, 0, None), nan=0.0)
    return below, above


def interval_lengths(mean: np.ndarray, low: np.ndarray,
                     high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Error-bar lengths below and above each mean; counts never go below zero."""
    below = np.nan_to_num(np.clip(mean - np.clip(low, 0, None), 0, None), nan=0.0)
    above = np.nan_to_num(np.clip(high - mean, 0, None), nan=0.0)
    return below, above


def log_floor(values: Sequence[float] | np.ndarray) -> float:
    """The bottom of a log axis: a round power of ten below the smallest positive value."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0:
        return 0.5
    return float(10 ** np.floor(np.log10(finite.min()) - 0.3))


def thousands(value: float, _position: float | None = None) -> str:
    """Tick text of a count axis: ``12,000``; below one as it is."""
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def plain_number(value: float, _position: float | None = None) -> str:
    """Tick text of a log axis of days: ``1,000``, ``0.05``."""
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


def count_label(value: float) -> str:
    """A count written beside its bar: no decimals from 10 up, one below, a dash if missing."""
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}"


def ordered(values: pd.Series) -> list[str]:
    """The distinct values as text, in the order they first appear."""
    return [str(v) for v in dict.fromkeys(values)]
