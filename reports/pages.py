"""The product's self-contained HTML pages: one Jinja2 environment, its cells and charts.

Every page the product writes (run report, comparison, validation, sensitivity) is one
file rendered from a template in ``reports/templates/``: the style sheet is inline and
charts are embedded as base64 PNG, so the page opens offline and can be mailed or
archived as it is.  The modules of the pages assemble data (rows of formatted numbers);
the templates hold the markup.  Autoescaping makes every value text, so free text from
a result folder (a scenario name, a note) can never become markup.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from matplotlib.axes import Axes

from reports.formatting import DASH, format_value, interval_text, is_missing

FIGURE_DPI = 150


@dataclass(frozen=True)
class Estimate:
    """A table cell: a mean with its interval below it, smaller (``macros.html``)."""

    mean: str
    interval: str = ""


@dataclass(frozen=True)
class EstimateLine:
    """A table cell: a whole estimate, ``mean [interval] unit``, kept on one line."""

    text: str


@dataclass(frozen=True)
class Code:
    """A table cell: a name from the code, such as a parameter's path, set as code."""

    text: str


@dataclass(frozen=True)
class StateName:
    """A table cell: a state's code in bold, then its name."""

    code: str
    name: str


@dataclass(frozen=True)
class Heading:
    """A column heading with its unit, smaller, on a line below."""

    label: str
    unit: str = ""


TableCell = str | Estimate | EstimateLine | Code | StateName | Heading
"""What a table row of a page holds: text, or a cell the ``cell`` macro lays out."""

TableRow = Sequence[TableCell]
"""One row of a table (headings, body or footer)."""

CELL_KINDS: dict[str, type] = {"estimate": Estimate, "estimate_line": EstimateLine,
                               "code": Code, "state_name": StateName, "heading": Heading}
"""The cell kinds the ``cell`` macro tells apart, as Jinja tests (``value is code``)."""


def estimate(mean: float, low: float, high: float, unit: str) -> Estimate:
    """A cell of a mean over its interval, as :func:`reports.formatting.format_estimate` cuts it.

    Parameters
    ----------
    mean, low, high : float
        The mean and the interval's ends.
    unit : str
        Their unit, as in ``summary.csv``; a table's heading names it.

    Returns
    -------
    Estimate
        The formatted mean and interval; a dash alone when the mean is missing.
    """
    if is_missing(mean):
        return Estimate(DASH)
    return Estimate(format_value(mean, unit), interval_text(mean, low, high, unit))


@cache
def environment() -> Environment:
    """The one Jinja2 environment of the pages, made on first use.

    Autoescaping is on for every template and an undefined name is an error,
    not an empty string, so a misspelt field cannot silently drop a number.
    """
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name, kind in CELL_KINDS.items():
        env.tests[name] = _is_instance_of(kind)
    return env


def _is_instance_of(kind: type) -> Callable[[object], bool]:
    return lambda value: isinstance(value, kind)


def render(template: str, **context: Any) -> str:
    """Render a page template of ``reports/templates/`` with ``context``.

    Parameters
    ----------
    template : str
        The template's file name, e.g. ``"run_report.html"``.
    **context
        The values the template names; every one must be given.

    Returns
    -------
    str
        The whole HTML document.
    """
    return environment().get_template(template).render(**context)


def write_page(path: Path, template: str, **context: Any) -> Path:
    """Render ``template`` with ``context`` into ``path`` (UTF-8) and return the path."""
    path.write_text(render(template, **context), encoding="utf-8")
    return path


def figure_data_uri(ax: Axes) -> str:
    """The figure holding ``ax`` as a ``data:image/png;base64`` URI.

    Parameters
    ----------
    ax : Axes
        Any axes of the figure to embed.

    Returns
    -------
    str
        A data URI, so the image needs no file or network beside the HTML.
    """
    figure = ax.get_figure(root=True)
    if figure is None:
        raise ValueError("the axes belong to no figure, so there is nothing to embed")
    buffer = io.BytesIO()
    # No "Software" text chunk: matplotlib's names a web address, and the pages carry none.
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
