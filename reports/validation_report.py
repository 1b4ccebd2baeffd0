"""``validation.html``: every rival explanation of the history, side by side.

Reads a calibration folder through :func:`reports.run_folder.read_calibration_folder`
(``hypotheses.csv``, ``fitted_parameters.csv``, ``discriminators.csv``,
``design_points.csv``, ``checks.csv``, ``hypotheses/NAME/yearly.csv`` and ``run.json``)
and shows, for a planner and for a reviewer: which hypotheses reproduce the published
totals, each one's fit, yearly history, plausible parameter ranges and checks, and the
figures D11 could give that would tell them apart.  Never runs anything;
``templates/validation.html`` lays the page out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import METRICS, NATIONAL, label
from reports.figures import plot_plausible_ranges, plot_yearly_history
from reports.formatting import (
    DASH,
    PERCENT_UNITS,
    format_date,
    format_estimate,
    format_parameter,
    format_percent,
    format_value,
    is_missing,
)
from reports.pages import Code, Estimate, TableCell, TableRow, estimate, figure_data_uri, write_page
from reports.run_folder import (
    CHECKS_CSV,
    DESIGN_POINTS_CSV,
    DISCRIMINATORS_CSV,
    FITTED_PARAMETERS_CSV,
    HYPOTHESES_CSV,
    HYPOTHESES_FOLDER,
    RUN_JSON,
    VALIDATION_HTML,
    YEARLY_CSV,
    CalibrationFolder,
    read_calibration_folder,
)

DOWNLOAD_STAGES = ("arrivals", "selection", "download", "hq")
"""Parameter paths that start with one of these limit downloads; any other limits raids."""

AT_BOUND = "at a bound: not identified by the history"
"""Said beside every value the calibration left at an end of its searched range."""

Interval = tuple[float, float, float]
"""A mean with its 95 % interval: ``(mean, low, high)``."""


@dataclass(frozen=True)
class Limit:
    """A free parameter in the at-a-glance table: its path and calibrated value in words."""

    parameter: str
    value: str


@dataclass(frozen=True)
class FitRow:
    """One published figure against its simulation: the figure, its source, its numbers."""

    figure: str
    source: str
    cells: list[TableCell]


@dataclass(frozen=True)
class Hypothesis:
    """What the page shows of one hypothesis, formatted (``templates/validation.html``)."""

    name: str
    anchor: str
    description: str
    fits: bool | None
    verdict: str
    plausible: str
    downloads_by: list[Limit]
    raids_by: list[Limit]
    fixed: str
    fit_rows: list[FitRow]
    implied_rows: list[TableRow]
    history: str
    parameter_rows: list[TableRow]
    ranges: str
    unidentified: list[str]
    check_rows: list[TableRow]
    checks_passed: int


@dataclass(frozen=True)
class Discriminator:
    """One figure D11 could give, the predictions of every hypothesis and the pairs it splits."""

    figure: str
    meaning: str
    separated: int
    pairs: int
    separated_fitting: int
    fitting_pairs: int
    predictions: list[TableCell]
    sentences: list[str]


# ---------------------------------------------------------------------------------------
# Numbers and words
# ---------------------------------------------------------------------------------------


def _plain(value: float) -> str:
    """A check's number as a reviewer reads it: thousands separated, else four digits."""
    if is_missing(value):
        return DASH
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    # Four significant digits, never in e-notation (a Little's-law residual of 1.2e-05).
    return np.format_float_positional(value, precision=4, unique=False, fractional=False,
                                      trim="-")


def _yes(value: Any) -> bool:
    """A flag of a table as read (a bool, numpy's, or its text) is true."""
    return str(value) == "True"


def _unit(metric: str) -> str:
    found = METRICS.get(metric)
    return found.unit if found else ""


def _clipped(mean: float, unit: str) -> float:
    # A share's mean may round past 100 %; its interval is cut by interval_text.
    return min(max(mean, 0.0), 1.0) if unit.startswith(PERCENT_UNITS) else mean


def _estimate_cell(metric: str, value: Interval) -> Estimate:
    unit = _unit(metric)
    return estimate(_clipped(value[0], unit), value[1], value[2], unit)


def _estimate_words(metric: str, value: Interval) -> str:
    unit = _unit(metric)
    return format_estimate(_clipped(value[0], unit), value[1], value[2], unit,
                           with_unit=False)


def _anchor(name: str, index: int) -> str:
    return f"h{index}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _figure_key(figure: str) -> tuple[str, int | None]:
    """``"raids in 2023"`` -> ``("raids", 2023)``; a figure without a year keeps None."""
    metric, _, year = str(figure).rpartition(" in ")
    if metric and year.isdigit():
        return metric, int(year)
    return str(figure), None


def _figure_words(figure: str) -> str:
    metric, year = _figure_key(figure)
    return label(metric) + ("" if year is None else f" in {year}")


def _apart(a: Interval, b: Interval) -> bool:
    """Whether two 95 % intervals do not overlap, so the figure tells the two apart."""
    return a[2] < b[1] or b[2] < a[1]


def _period(scenario: dict[str, Any], years_only: bool = False) -> str:
    start, end = str(scenario.get("start_date") or ""), str(scenario.get("end_date") or "")
    if not (start and end):
        return ""
    if years_only:
        return start[:4] if start[:4] == end[:4] else f"{start[:4]}–{end[:4]}"
    return f"{format_date(start)} to {format_date(end)}"


# ---------------------------------------------------------------------------------------
# The fit to the published figures
# ---------------------------------------------------------------------------------------


def _targets(run: CalibrationFolder) -> dict[tuple[str, int | None], dict[str, Any]]:
    """The calibration's targets (tolerance, source) by metric and year (None: whole history)."""
    found = {}
    for target in run.calibration.get("targets") or []:
        year = target.get("year")
        found[(str(target.get("metric")), None if year is None else int(year))] = target
    return found


def _year(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _target_name(metric: str, year: int | None, period: str) -> str:
    return label(metric) + (f" in {year}" if year is not None else f", {period} total"
                            if period else ", whole history")


def _rows_of(run: CalibrationFolder, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A hypothesis's rows of ``hypotheses.csv``: the targets, then the years it implies."""
    rows = run.hypotheses[run.hypotheses["hypothesis"] == name]
    published = rows["published"].notna()
    return rows[published], rows[~published]


def _fit_rows(targets: pd.DataFrame, sources: dict[tuple[str, int | None], dict[str, Any]],
              period: str) -> list[FitRow]:
    rows: list[FitRow] = []
    for row in targets.itertuples():
        year = _year(row.year)
        target = sources.get((str(row.metric), year), {})
        tolerance = target.get("tolerance_share")
        gap = (row.simulated_mean - row.published) / row.published if row.published else math.nan
        rows.append(FitRow(_target_name(str(row.metric), year, period),
                           str(target.get("source", "")), [
            format_value(row.published, _unit(str(row.metric))),
            _estimate_cell(str(row.metric), (row.simulated_mean, row.ci_low, row.ci_high)),
            DASH if is_missing(gap) else ("+" if gap > 0 else "") + format_percent(gap),
            DASH if tolerance is None else "±" + format_percent(float(tolerance)),
            {True: "yes", False: "NO"}.get(row.within_tolerance, DASH),
        ]))
    return rows


def _implied_rows(implied: pd.DataFrame) -> list[TableRow]:
    """Downloads and raids per year the calibrated values imply (nothing published)."""
    rows: list[TableRow] = []
    for year in sorted({int(y) for y in implied["year"].dropna()}):
        cells: list[TableCell] = [str(year)]
        for metric in ("downloaded", "raids"):
            match = implied[(implied["year"] == year) & (implied["metric"] == metric)]
            cells.append(DASH if match.empty else _estimate_cell(metric, (
                match.simulated_mean.iloc[0], match.ci_low.iloc[0], match.ci_high.iloc[0])))
        rows.append(cells)
    return rows


def _verdict(targets: pd.DataFrame, plausible: int | None) -> tuple[bool | None, str]:
    """Whether every published target is within its tolerance, and which are missed."""
    if targets.empty:
        return None, "no published target in hypotheses.csv"
    missed = [label(str(row.metric)) + (" (total)" if _year(row.year) is None
                                        else f" in {_year(row.year)}")
              for row in targets.itertuples() if row.within_tolerance is not True]
    if missed:
        return False, (f"misses {len(missed)} of {len(targets)}: " + "; ".join(missed))
    text = f"fits all {len(targets)} published figures"
    if plausible == 0:
        text += (" at its calibrated values, though no searched point met them all at once:"
                 " a borderline fit")
    return True, text


# ---------------------------------------------------------------------------------------
# Parameters: plausible ranges against the prior ranges
# ---------------------------------------------------------------------------------------


def _units(run: CalibrationFolder) -> dict[str, str]:
    """Each assumption's unit, from the register in ``run.json``."""
    return {str(entry.get("parameter")): str(entry.get("unit") or "")
            for entry in run.info.get("assumptions") or [] if isinstance(entry, dict)}


def _with_unit(value: float, unit: str) -> str:
    text = format_parameter(value, unit)
    return text if unit in (*PERCENT_UNITS, "count", "") else f"{text} {unit}"


def _span(low: Any, high: Any, unit: str) -> str:
    if is_missing(low) or is_missing(high):
        return DASH
    return f"{format_parameter(low, unit)} – {format_parameter(high, unit)}"


def _bound_words(row: dict[str, Any], unit: str) -> str:
    """Which end of the searched range the value is at, in words."""
    if any(is_missing(row.get(key)) for key in ("search_low", "search_high", "value")):
        return AT_BOUND
    low, high, value = float(row["search_low"]), float(row["search_high"]), float(row["value"])
    end, at = ("low", low) if abs(value - low) <= abs(high - value) else ("high", high)
    return f"{AT_BOUND} (the {end} end of the range searched, {format_parameter(at, unit)})"


def _status(row: dict[str, Any], unit: str) -> str:
    """The file's status, never hiding a value at a bound."""
    status = "" if pd.isna(row.get("status")) else str(row["status"])
    if not _yes(row.get("at_bound")):
        return status or DASH
    words = _bound_words(row, unit)
    return words if not status or "bound" in status else f"{words}; {status}"


def _parameter_rows(fitted: pd.DataFrame, units: dict[str, str]) -> list[TableRow]:
    rows: list[TableRow] = []
    for row in fitted.to_dict("records"):
        unit = units.get(str(row["parameter"]), "")
        value = DASH if is_missing(row.get("value")) else _with_unit(row["value"], unit)
        if _yes(row.get("at_bound")):
            value += " (at a bound)"
        rows.append([Code(str(row["parameter"])), unit or DASH,
                     _span(row.get("low"), row.get("high"), unit),
                     _span(row.get("search_low"), row.get("search_high"), unit),
                     _span(row.get("plausible_low"), row.get("plausible_high"), unit),
                     value, _status(row, unit)])
    return rows


def _limits(fitted: pd.DataFrame | None, free: dict[str, Any],
            units: dict[str, str]) -> tuple[list[Limit], list[Limit]]:
    """The free parameters that limit downloads and those that limit raids, with values."""
    values: dict[str, str] = {}
    for row in [] if fitted is None else fitted.to_dict("records"):
        unit = units.get(str(row["parameter"]), "")
        text = DASH if is_missing(row.get("value")) else _with_unit(row["value"], unit)
        values[str(row["parameter"])] = text + (" (at a bound)" if _yes(row.get("at_bound"))
                                                else "")
    downloads: list[Limit] = []
    raids: list[Limit] = []
    for parameter in free or values:
        limit = Limit(parameter, values.get(parameter, "free"))
        (downloads if parameter.startswith(DOWNLOAD_STAGES) else raids).append(limit)
    return downloads, raids


def _fixed(fixed: dict[str, Any], units: dict[str, str]) -> str:
    return ", ".join(f"{path} = {_with_unit(float(value), units.get(path, ''))}"
                     for path, value in (fixed or {}).items())


def _plausible(points: pd.DataFrame | None, fitted: pd.DataFrame | None) -> tuple[int | None,
                                                                              str]:
    """How many searched points were plausible, and the sentence that says so."""
    if points is not None and not points.empty:
        plausible = int(points["plausible"].astype(str).eq("True").sum())
        text = f"{plausible} of {len(points)} searched"
        if plausible == 0:
            text += (f" (the nearest missed a target by {points['implausibility'].min():.2f}"
                     " times its tolerance)")
        return plausible, text
    if fitted is not None and not fitted.empty and "plausible_points" in fitted:
        plausible = int(fitted["plausible_points"].iloc[0])
        return plausible, f"{plausible} (design_points.csv not in this folder)"
    return None, DASH


# ---------------------------------------------------------------------------------------
# Charts and checks
# ---------------------------------------------------------------------------------------


def _published_points(scenario: dict[str, Any]) -> pd.DataFrame:
    """Yearly referral volumes the scenario takes from publications (not derived ones)."""
    points = scenario.get("arrivals", {}).get("referrals_per_year", {})
    rows = [(int(year), entry["value"]) for year, entry in points.items()
            if entry.get("source") and not str(entry["source"]).startswith("derived")]
    start, end = scenario.get("start_date", ""), scenario.get("end_date", "")
    frame = pd.DataFrame(rows, columns=["year", "value"])
    # A year the horizon covers only in part is compared on the part it covers.
    if start and end:
        first, last = int(start[:4]), int(end[:4])
        frame = frame[(frame.year >= first) & (frame.year <= last)]
        fraction = (pd.Timestamp(end).day_of_year + 1) / (366 if last % 4 == 0 else 365)
        frame.loc[frame.year == last, "value"] *= min(fraction, 1.0)
    return frame.assign(metric="tipoffs_received")


def _history_chart(yearly: pd.DataFrame | None, published: pd.DataFrame, name: str) -> str:
    if yearly is None or yearly[yearly["scope"] == NATIONAL].empty:
        return ""
    ax = plot_yearly_history(yearly, published)
    ax.set_title(f"{name}: national flows by year (mean, 95 % interval)")
    return figure_data_uri(ax)


def _ranges_chart(fitted: pd.DataFrame, units: dict[str, str]) -> str:
    if fitted.empty:
        return ""
    rows = fitted.assign(unit=[units.get(str(p), "") for p in fitted["parameter"]])
    return figure_data_uri(plot_plausible_ranges(rows))


def _check_rows(checks: pd.DataFrame) -> list[TableRow]:
    return [[
        str(row.name), str(row.expected),
        Estimate(_plain(row.simulated), f"[{_plain(row.ci_low)}, {_plain(row.ci_high)}]"),
        str(row.unit), "passed" if _yes(row.passed) else "FAILED",
    ] for row in checks.itertuples()]


def _checks_of(run: CalibrationFolder, name: str) -> pd.DataFrame:
    if run.checks is None:
        return pd.DataFrame(columns=["name", "expected", "simulated", "ci_low", "ci_high",
                                     "unit", "passed"])
    return run.checks[run.checks["hypothesis"] == name]


# ---------------------------------------------------------------------------------------
# One hypothesis
# ---------------------------------------------------------------------------------------


def _hypothesis(run: CalibrationFolder, name: str, index: int,
                published: pd.DataFrame) -> Hypothesis:
    settings = (run.calibration.get("hypotheses") or {}).get(name) or {}
    units, period = _units(run), _period(run.scenario, years_only=True)
    targets, implied = _rows_of(run, name)
    fitted = None if run.fitted is None else run.fitted[run.fitted["hypothesis"] == name]
    points = (None if run.design_points is None
              else run.design_points[run.design_points["hypothesis"] == name])
    plausible, plausible_text = _plausible(points, fitted)
    fits, verdict = _verdict(targets, plausible)
    downloads_by, raids_by = _limits(fitted, settings.get("free") or {}, units)
    checks = _checks_of(run, name)
    return Hypothesis(
        name=name, anchor=_anchor(name, index),
        description=str(settings.get("description") or DASH),
        fits=fits, verdict=verdict, plausible=plausible_text,
        downloads_by=downloads_by, raids_by=raids_by,
        fixed=_fixed(settings.get("fixed") or {}, units),
        fit_rows=_fit_rows(targets, _targets(run), period),
        implied_rows=_implied_rows(implied),
        history=_history_chart(run.yearly.get(name), published, name),
        parameter_rows=[] if fitted is None else _parameter_rows(fitted, units),
        ranges="" if fitted is None else _ranges_chart(fitted, units),
        unidentified=[] if fitted is None else
        [str(p) for p, bound in zip(fitted["parameter"], fitted["at_bound"], strict=True)
         if _yes(bound)],
        check_rows=_check_rows(checks),
        checks_passed=int(checks["passed"].astype(str).eq("True").sum()),
    )


# ---------------------------------------------------------------------------------------
# What would decide between them
# ---------------------------------------------------------------------------------------


def _predictions(run: CalibrationFolder, figures: Sequence[str]) -> dict[tuple[str, str],
                                                                         Interval]:
    """Each hypothesis's prediction of each figure.

    As ``discriminators.csv`` gives it, and from the hypothesis's ``yearly.csv`` for the
    pairs that file does not name the figure for (the same replications give both).
    """
    found: dict[tuple[str, str], Interval] = {}
    for row in (run.discriminators if run.discriminators is not None else pd.DataFrame()
                ).itertuples():
        figure = str(row.figure)
        found.setdefault((str(row.hypothesis_a), figure), (row.value_a, row.a_low, row.a_high))
        found.setdefault((str(row.hypothesis_b), figure), (row.value_b, row.b_low, row.b_high))
    for name, yearly in run.yearly.items():
        national = pd.DataFrame() if yearly is None else yearly[yearly["scope"] == NATIONAL]
        for figure in figures if not national.empty else ():
            metric, year = _figure_key(figure)
            match = national[(national["metric"] == metric) & (national["year"] == year)]
            if not match.empty:
                first = match.iloc[0]
                found.setdefault((name, figure), (first["mean"], first["ci_low"],
                                                  first["ci_high"]))
    return found


def _pair_sentence(row: Any) -> str:
    metric, _ = _figure_key(str(row.figure))
    a = _estimate_words(metric, (row.value_a, row.a_low, row.a_high))
    b = _estimate_words(metric, (row.value_b, row.b_low, row.b_high))
    apart = _apart((row.value_a, row.a_low, row.a_high), (row.value_b, row.b_low, row.b_high))
    return (f"{row.hypothesis_a} predicts {a}, {row.hypothesis_b} {b}"
            + ("." if apart else ": the intervals overlap, so even this figure cannot yet "
               "tell these two apart."))


def _discriminators(run: CalibrationFolder, names: list[str],
                    fitting: list[str]) -> list[Discriminator]:
    """The figures discriminators.csv names, those that tell most pairs apart first."""
    table = run.discriminators
    if table is None or table.empty:
        return []
    figures = [str(f) for f in dict.fromkeys(table["figure"])]
    predicted = _predictions(run, figures)
    found = []
    for figure in figures:
        metric, _ = _figure_key(figure)
        pairs = [(a, b) for a, b in itertools.combinations(names, 2)
                 if (a, figure) in predicted and (b, figure) in predicted]
        split = [(a, b) for a, b in pairs if _apart(predicted[(a, figure)],
                                                    predicted[(b, figure)])]
        found.append(Discriminator(
            figure=_figure_words(figure),
            meaning=METRICS[metric].meaning if metric in METRICS else "",
            separated=len(split), pairs=len(pairs),
            separated_fitting=sum(a in fitting and b in fitting for a, b in split),
            fitting_pairs=sum(a in fitting and b in fitting for a, b in pairs),
            predictions=[_estimate_cell(metric, predicted[(name, figure)])
                         if (name, figure) in predicted else DASH for name in names],
            sentences=[_pair_sentence(row) for row in table.itertuples()
                       if str(row.figure) == figure]))
    return sorted(found, key=lambda d: (-d.separated_fitting, -d.separated))


def _deciding(decisive: list[Discriminator], names: list[str], fitting: list[str]) -> str:
    """The one figure to ask for first, with what the hypotheses that fit predict of it."""
    if not decisive:
        return ""
    best = decisive[0]
    among = fitting if len(fitting) >= 2 else names
    predictions = [f"{name} {_cell_words(best.predictions[names.index(name)])}"
                   for name in among]
    return f"Ask D11 for {best.figure.lower()}: " + ", ".join(predictions) + "."


def _decisive_rows(decisive: list[Discriminator]) -> list[TableRow]:
    rows: list[TableRow] = []
    for item in decisive:
        split = f"{item.separated} of {item.pairs}"
        if item.fitting_pairs:
            split += f" ({item.separated_fitting} of {item.fitting_pairs} between those that fit)"
        rows.append([item.figure, split, *item.predictions])
    return rows


def _cell_words(cell: TableCell) -> str:
    return f"{cell.mean} {cell.interval}".strip() if isinstance(cell, Estimate) else str(cell)


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------


def _design(run: CalibrationFolder) -> str:
    settings = run.calibration
    parts = [f"{settings[key]} {words}" for key, words in (
        ("design_points", "design points"), ("refine_points", "points per later wave"),
        ("waves", "waves"), ("replications", "replication(s) per point"))
        if key in settings]
    return ", ".join(parts)


def _files(run: CalibrationFolder) -> list[str]:
    listed = [HYPOTHESES_CSV, FITTED_PARAMETERS_CSV, DISCRIMINATORS_CSV, DESIGN_POINTS_CSV,
              CHECKS_CSV, f"{HYPOTHESES_FOLDER}/NAME/{YEARLY_CSV}", RUN_JSON]
    return [name for name in listed if name not in run.absent]


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
        embedded PNG charts, which loads nothing from the network.
    """
    run = read_calibration_folder(folder)
    scenario = run.scenario
    published = _published_points(scenario)
    hypotheses = [_hypothesis(run, name, index, published)
                  for index, name in enumerate(run.names, start=1)]
    names = [h.name for h in hypotheses]
    fitting = [h.name for h in hypotheses if h.fits]
    decisive = _discriminators(run, names, fitting)
    analytic = (run.checks[run.checks["hypothesis"] == ""] if run.checks is not None
                else pd.DataFrame())
    return write_page(
        run.folder / VALIDATION_HTML, "validation.html",
        name=str(scenario.get("name", "")), period=_period(scenario),
        replications=run.info.get("replications", DASH), seed=run.info.get("seed", DASH),
        interval=str(run.info.get("interval", "")), design=_design(run),
        targets=len(run.calibration.get("targets") or []),
        hypotheses=hypotheses, fitting=fitting,
        decisive=decisive, decisive_rows=_decisive_rows(decisive),
        deciding=_deciding(decisive, names, fitting),
        analytic=_check_rows(analytic) if not analytic.empty else [],
        analytic_passed=int(analytic["passed"].astype(str).eq("True").sum())
        if not analytic.empty else 0,
        absent=list(run.absent), files=_files(run),
        names={"fitted": FITTED_PARAMETERS_CSV, "discriminators": DISCRIMINATORS_CSV,
               "design_points": DESIGN_POINTS_CSV, "checks": CHECKS_CSV,
               "yearly": YEARLY_CSV, "folder": HYPOTHESES_FOLDER},
    )
