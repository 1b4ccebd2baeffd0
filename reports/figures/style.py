"""The house chart style: palette, sizes, rcParams and the looks that tell series apart.

The style serves a printed A4 page read in black and white as much as a screen:
the Okabe-Ito palette, which stays distinct under the common colour-vision
deficiencies, and every series told apart by marker, line style or hatch too.
Figures are built with :class:`matplotlib.figure.Figure`, not pyplot, so no backend
is chosen and no global state changed by importing or calling the chart modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

# Okabe & Ito (2008), "Color universal design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK)

# An A4 page has about 6.7 in of text width inside 2 cm margins.
WIDTH_IN = 6.7
CHART_SIZE_IN = (WIDTH_IN, 4.0)
TALL_CHART_SIZE_IN = (WIDTH_IN, 8.0)

STYLE: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "errorbar.capsize": 3,
    "hatch.linewidth": 0.8,
}

SERIES_LOOKS: tuple[dict[str, Any], ...] = (
    {"color": BLUE, "marker": "o", "linestyle": "-"},
    {"color": VERMILLION, "marker": "s", "linestyle": "--"},
    {"color": GREEN, "marker": "^", "linestyle": ":"},
    {"color": PURPLE, "marker": "D", "linestyle": "-."},
)
"""One look per line series, so that print in grey still tells them apart."""

OPTION_COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE)
OPTION_HATCHES = ("", "//", "..", "xx", "\\\\", "++")
"""One fill and one hatch per option, so options stay apart in grey print too."""


@contextmanager
def chart_style() -> Iterator[None]:
    """Apply the house chart style to figures and artists created inside the block."""
    with matplotlib.rc_context(STYLE):
        yield


def new_axes(size_in: tuple[float, float] = CHART_SIZE_IN) -> Axes:
    """A single Axes on a new figure of ``size_in`` inches, laid out without clipping."""
    with chart_style():
        figure = Figure(figsize=size_in, layout="constrained")
        return figure.add_subplot()


def option_look(index: int) -> dict[str, str]:
    """Fill colour and hatch of the ``index``-th option, the same in every chart."""
    return {"color": OPTION_COLOURS[index % len(OPTION_COLOURS)],
            "hatch": OPTION_HATCHES[index % len(OPTION_HATCHES)]}
