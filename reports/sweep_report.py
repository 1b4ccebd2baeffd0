"""A sweep's table and chart, read from its points' result folders.

Each point of a sweep is an ordinary run folder under ``points/``; the sweep's
``sweep.csv`` stacks their national summaries with the values of the varied fields,
and ``sweep.png`` charts the headline metric across them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import NATIONAL
from reports.figures import plot_sweep
from reports.run_folder import SUMMARY_CSV, SWEEP_CSV, SWEEP_PNG


def sweep_table(points: Sequence[tuple[str, Mapping[str, Any], Path]]) -> pd.DataFrame:
    """``point, <varied fields...>, metric, unit, mean, ci_low, ci_high`` of every point.

    Parameters
    ----------
    points : sequence of (name, values, folder)
        Each point's name, the values of the varied fields, and its run folder.
    """
    rows = []
    for name, values, folder in points:
        summary = pd.read_csv(folder / SUMMARY_CSV)
        national = summary[summary.scope == NATIONAL].drop(columns="scope")
        for path, value in values.items():
            national.insert(0, path, value)
        national.insert(0, "point", name)
        rows.append(national)
    return pd.concat(rows, ignore_index=True)


def write_sweep(out: Path, table: pd.DataFrame, varied: Sequence[str]) -> tuple[Path, Path]:
    """Write ``sweep.csv`` and ``sweep.png`` into the sweep's folder."""
    table.to_csv(out / SWEEP_CSV, index=False)
    axes = plot_sweep(table, list(varied))
    figure = axes.get_figure(root=True)
    assert figure is not None  # a chart's axes always belong to a figure
    figure.savefig(out / SWEEP_PNG, dpi=150, metadata={"Software": None})
    return out / SWEEP_CSV, out / SWEEP_PNG
