"""``sensitivity.html``: which assumptions to firm up first (tornado chart and table).

Reads ``sensitivity.csv`` (most influential assumption first) and ``run.json`` through
:func:`reports.run_folder.read_sensitivity_folder`; never runs anything.
``templates/sensitivity.html`` lays the page out.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from model.metrics import label
from reports.figures import plot_tornado
from reports.formatting import format_count
from reports.pages import TableRow, figure_data_uri, write_page
from reports.run_folder import SENSITIVITY_HTML, read_sensitivity_folder

METRIC = "actioned"
"""The metric each assumption's effect is measured on (the ``actioned_at_*`` columns)."""


def _change(mean: float, low: float, high: float) -> str:
    """A signed change with its interval, ``+12 [-3, +27]``."""
    return f"{mean:+,.0f} [{low:+,.0f}, {high:+,.0f}]"


def _rows(frame: pd.DataFrame) -> list[TableRow]:
    return [[
        str(rank), row.parameter, row.unit, f"{row.low:g}", f"{row.value:g}", f"{row.high:g}",
        format_count(row.actioned_at_low), format_count(row.actioned_at_high),
        _change(row.change_at_low, row.change_at_low_ci_low, row.change_at_low_ci_high),
        _change(row.change_at_high, row.change_at_high_ci_low, row.change_at_high_ci_high),
        f"{row.swing:+,.0f}",
    ] for rank, row in enumerate(frame.itertuples(), start=1)]


def render_sensitivity_report(folder: Path) -> Path:
    """Write ``sensitivity.html`` from ``sensitivity.csv`` and ``run.json``.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py sensitivity``.

    Returns
    -------
    Path
        ``folder / "sensitivity.html"``: one self-contained file with inline style and
        an embedded PNG chart, which loads nothing from the network.
    """
    run = read_sensitivity_folder(folder)
    frame = run.sensitivity
    scenario = run.scenario
    base = frame.actioned_at_base.iloc[0] if len(frame) else math.nan
    return write_page(
        run.folder / SENSITIVITY_HTML, "sensitivity.html",
        name=str(scenario.get("name", "")),
        start=str(scenario.get("start_date")),
        end=str(scenario.get("end_date")),
        replications=run.info["replications"],
        seed=run.info["seed"],
        metric=label(METRIC).lower(),
        base=format_count(base),
        tornado=figure_data_uri(plot_tornado(frame, METRIC)),
        rows=_rows(frame),
    )
