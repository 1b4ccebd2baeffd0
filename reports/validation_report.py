"""``validation.html``: why a planner can trust the calibrated model.

Reads a calibration folder (``fit.csv``, ``fitted_parameters.csv``, ``checks.csv``,
``yearly.csv``, ``run.json``) through :func:`reports.run_folder.read_calibration_folder`
and shows published against simulated, the fitted parameters against their ranges, a
yearly chart, and the analytic and behavioural checks with their numbers.  Never runs
anything; ``templates/validation.html`` lays the page out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import NATIONAL, label
from reports.figures import plot_yearly_history
from reports.formatting import DASH, format_count, format_percent
from reports.pages import Estimate, TableRow, figure_data_uri, write_page
from reports.run_folder import (
    CHECKS_CSV,
    FIT_CSV,
    FITTED_PARAMETERS_CSV,
    RUN_JSON,
    VALIDATION_HTML,
    YEARLY_CSV,
    read_calibration_folder,
)


def _number(value: float) -> str:
    # Published totals are counts; a fitted share or rate below one keeps its digits.
    return format_count(value) if abs(value) >= 1 or value == 0 else f"{value:.4g}"


def _published_points(scenario: dict[str, Any]) -> pd.DataFrame:
    """Yearly referral volumes the scenario takes from publications (not derived ones)."""
    points = scenario.get("arrivals", {}).get("referrals_per_year", {})
    rows = [(int(year), estimate["value"]) for year, estimate in points.items()
            if estimate.get("source") and not str(estimate["source"]).startswith("derived")]
    start, end = scenario.get("start_date", ""), scenario.get("end_date", "")
    frame = pd.DataFrame(rows, columns=["year", "value"])
    # A year the horizon covers only in part is compared on the part it covers.
    if start and end:
        first, last = int(start[:4]), int(end[:4])
        frame = frame[(frame.year >= first) & (frame.year <= last)]
        fraction = (pd.Timestamp(end).day_of_year + 1) / (366 if last % 4 == 0 else 365)
        frame.loc[frame.year == last, "value"] *= min(fraction, 1.0)
    return frame.assign(metric="tipoffs_received")


def _fit_rows(fit: pd.DataFrame) -> list[TableRow]:
    return [[
        label(row.metric), _number(row.published),
        Estimate(_number(row.simulated_mean),
                 f"[{_number(row.ci_low)}, {_number(row.ci_high)}]"),
        f"{row.gap_share:+.1%}", f"±{row.tolerance_share:.0%}",
        "yes" if row.within_tolerance else "NO", row.source,
    ] for row in fit.itertuples()]


def _fitted_rows(fitted: pd.DataFrame) -> list[TableRow]:
    return [[
        row.parameter, row.unit, f"{row.low:g} – {row.high:g}", f"{row.prior:g}",
        f"{row.fitted:.4g}", label(row.target), row.status,
    ] for row in fitted.itertuples()]


def _check_rows(checks: pd.DataFrame) -> list[TableRow]:
    return [[
        row.kind, row.name, row.expected,
        Estimate(f"{row.simulated:.4g}", f"[{row.ci_low:.4g}, {row.ci_high:.4g}]"),
        row.unit, "passed" if row.passed else "FAILED",
    ] for row in checks.itertuples()]


def _share_downloaded(yearly: pd.DataFrame) -> str:
    national = yearly[yearly.scope == NATIONAL]
    got = national[national.metric == "downloaded"]["mean"].sum()
    came = national[national.metric == "tipoffs_received"]["mean"].sum()
    return format_percent(got / came) if came else DASH


def render_validation_report(folder: Path) -> Path:
    """Write ``validation.html`` into a calibration folder.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py calibrate``.

    Returns
    -------
    Path
        ``folder / "validation.html"``: one self-contained file with inline style and
        an embedded PNG chart, which loads nothing from the network.
    """
    run = read_calibration_folder(folder)
    scenario = run.scenario
    history = plot_yearly_history(run.yearly, _published_points(scenario))
    return write_page(
        run.folder / VALIDATION_HTML, "validation.html",
        name=str(scenario.get("name", "")),
        start=str(scenario.get("start_date")),
        end=str(scenario.get("end_date")),
        replications=run.info["replications"],
        seed=run.info["seed"],
        interval=run.info["interval"],
        fit=_fit_rows(run.fit),
        within=int(run.fit.within_tolerance.sum()),
        fitted=_fitted_rows(run.fitted),
        history=figure_data_uri(history),
        checks=_check_rows(run.checks),
        passed=int(run.checks.passed.sum()),
        share_downloaded=_share_downloaded(run.yearly),
        files=[FIT_CSV, FITTED_PARAMETERS_CSV, CHECKS_CSV, YEARLY_CSV, RUN_JSON],
    )
