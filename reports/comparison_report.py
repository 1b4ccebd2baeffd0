"""The comparison report: options side by side, for leadership, from a comparison folder.

``run_scenario.py`` runs several options (scenarios) with the same seeds and writes
``comparison.csv`` (each option's summary), ``paired_diff.csv`` (each later option minus each
earlier one, paired replication by replication) and ``run.json``.  This module turns them
into ``comparison.html``: charts with intervals, a per-state table and one plain sentence
per key metric with the verdict ``paired_diff.csv`` records (better, worse or no meaningful
difference, by the one rule of ``model.metrics.verdict``, printed beside the verdicts).  It
reads tables only; it never runs a simulation and never judges a difference itself.
Labels, the way each metric reads in a sentence and which way is better come from the
metric catalogue; ``templates/comparison.html`` lays the page out.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import (
    METRICS,
    NATIONAL,
    NO_MEANINGFUL_DIFFERENCE,
    Phrase,
    beyond_noise,
    fewer_is_better,
    label,
    rule_text,
    share_text,
    short_label,
)
from reports.figures import plot_option_grid, plot_state_options
from reports.formatting import (
    DASH,
    count_decimals,
    display_unit,
    format_count,
    format_date,
    format_percent,
    is_missing,
    is_share,
    shares_as_percent,
)
from reports.outcomes import (
    ACTIONED,
    ACTIONED_NOTE,
    LEADERSHIP_METRICS,
    absent,
    absent_sentence,
    chart_metrics,
)
from reports.pages import TableCell, TableRow, estimate, figure_data_uri, write_page
from reports.run_folder import (
    COMPARISON_CSV,
    COMPARISON_HTML,
    PAIRED_DIFF_CSV,
    RUN_JSON,
    ComparisonFolder,
    read_comparison_folder,
)

KEY_METRICS = (*LEADERSHIP_METRICS, ACTIONED, "lapsed")
"""The metrics charted side by side and given a sentence each, in that order: the outcomes
leadership reads, then actioned (raids plus closures on paper) and lapsed."""

STATE_CHART_METRICS = ("raids", ACTIONED)
"""The metric the per-state chart compares: the first of these the folder has by state."""

STATE_METRICS = ("raids", "arrests", "charges", "closed_after_investigation", "downloaded",
                 "high_risk_examined_within_target", "high_risk_within_target_share",
                 ACTIONED)
"""The metrics given a per-state table each, options side by side, where the folder has them."""

PERCENTAGE_POINTS = "percentage points"


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------


def period_text(start: str, end: str) -> str:
    """``"2024–2026"`` for whole calendar years, ``"1 Jan 2024 to 30 Jun 2024"`` otherwise."""
    try:
        first, last = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
    except ValueError:
        return f"{start} to {end}"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    return f"{format_date(str(start))} to {format_date(str(end))}"


def _period(run: ComparisonFolder) -> str:
    scenarios = run.info.get("scenarios") or {}
    periods = {period_text(s.get("start_date", ""), s.get("end_date", ""))
               for s in scenarios.values() if s.get("start_date") and s.get("end_date")}
    return periods.pop() if len(periods) == 1 else ""


def _phrase(metric: str) -> Phrase:
    """How the metric reads in a sentence; "has ... <label>" when the catalogue has none."""
    known = METRICS.get(metric)
    if known and known.phrase:
        return known.phrase
    words = label(metric)
    words = words[:1].lower() + words[1:]
    return Phrase("has", words, words)


def _difference_decimals(mean_diff: float) -> int:
    # One decimal for small differences, so that 2.5 more charges does not read as 2 or 3.
    return 0 if abs(mean_diff) >= 10 else 1


def _scale(metric: str) -> float:
    """100 for a share (its differences read in percentage points), else 1."""
    return 100.0 if is_share(METRICS[metric].unit if metric in METRICS else "") else 1.0


def _scaled(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``paired_diff.csv`` row with a share's differences in percentage points."""
    scale = _scale(str(row["metric"]))
    if scale == 1.0:
        return dict(row)
    columns = ("mean_diff", "ci_low", "ci_high", "adjusted_ci_low", "adjusted_ci_high",
               "reference_mean")
    return {**row, **{column: float(row[column]) * scale for column in columns
                      if column in row and not is_missing(row[column])}}


def difference_sentence(row: Mapping[str, Any], period: str = "") -> str:
    """One plain sentence: how option a differs from option b, and the recorded verdict.

    Parameters
    ----------
    row : mapping
        One row of ``paired_diff.csv``: ``metric, option_a, option_b, mean_diff`` (a minus
        b), ``adjusted_confidence, adjusted_ci_low, adjusted_ci_high, reference_mean,
        threshold_share, verdict``.
    period : str, optional
        The horizon in words (``"2024–2026"``), added as "over ...".

    Returns
    -------
    str
        For example "three_to_four_per_state carries out 430 more raids than status_quo
        over 2024–2026 (adjusted 99.4 % interval 358 to 502): better." The verdict is the
        row's; where it is "no meaningful difference" the sentence says which half of the
        rule was not met.  For lapsed tip-offs fewer is better; a share's difference is
        in percentage points.
    """
    metric, option_a, option_b = str(row["metric"]), str(row["option_a"]), str(row["option_b"])
    share = _scale(metric) != 1.0
    row = _scaled(row)
    mean_diff = float(row["mean_diff"])
    phrase = _phrase(metric)
    decimals = 1 if share else _difference_decimals(mean_diff)
    # A whole difference ("1 more raid") needs no decimal; its interval keeps one.
    amount = format_count(abs(mean_diff),
                          decimals if share or not mean_diff.is_integer() else 0)
    over = f" over {period}" if period else ""
    if share:
        what = (f"{label(metric).lower()} {amount} {PERCENTAGE_POINTS} "
                f"{'higher' if mean_diff > 0 else 'lower'} than")
        if amount in ("0", "0.0"):
            what = f"the same {label(metric).lower()} as"
        return (f"{option_a} has {what} {option_b}{over} "
                f"({_adjusted_interval(row, decimals)}): {_verdict_words(row)}.")
    if amount in ("0", "0.0"):
        what = f"the same number of {phrase.many}{phrase.after} as"
    else:
        noun = phrase.one if amount == "1" else phrase.many
        what = f"{amount} {'more' if mean_diff > 0 else 'fewer'} {noun}{phrase.after} than"
    return (f"{option_a} {phrase.verb} {what} {option_b}{over} "
            f"({_adjusted_interval(row, decimals)}): {_verdict_words(row)}.")


def _ends(low: Any, high: Any, decimals: int) -> str:
    """``"358 to 502"``; a dash where either end is missing."""
    if is_missing(low) or is_missing(high):
        return DASH
    return f"{format_count(low, decimals)} to {format_count(high, decimals)}"


def _adjusted_interval(row: Mapping[str, Any], decimals: int) -> str:
    ends = _ends(row.get("adjusted_ci_low"), row.get("adjusted_ci_high"), decimals)
    if ends == DASH:
        return "no adjusted interval"
    return f"adjusted {format_percent(row['adjusted_confidence'])} interval {ends}"


def _verdict_words(row: Mapping[str, Any]) -> str:
    """The row's verdict; where none is meaningful, which half of the rule was not met."""
    verdict = row.get("verdict")
    if not isinstance(verdict, str) or not verdict:
        return "no verdict recorded (the folder was written before verdicts; run it again)"
    if verdict != NO_MEANINGFUL_DIFFERENCE:
        return str(verdict)
    low, high = row.get("adjusted_ci_low", math.nan), row.get("adjusted_ci_high", math.nan)
    if is_missing(low) or is_missing(high):
        return f"{verdict} (too few replications, or too few that differ, to tell)"
    if not beyond_noise(float(low), float(high)):
        return f"{verdict} (the adjusted interval includes zero)"
    reference = float(row["reference_mean"])
    return (f"{verdict} (smaller than {share_text(float(row['threshold_share']))} of "
            f"{row['option_b']}'s {format_count(reference, count_decimals(reference))})")


def verdict_rule(paired: pd.DataFrame) -> str:
    """The rule the folder's verdicts were given by, in words; empty without verdicts."""
    if paired.empty or "threshold_share" not in paired or paired["threshold_share"].isna().all():
        return ""
    compared = int(paired.groupby(["option_a", "option_b"]).size().max())
    return rule_text(compared, float(paired["threshold_share"].dropna().iloc[0]))


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------


def _in_option_order(frame: pd.DataFrame, run: ComparisonFolder) -> pd.DataFrame:
    """The rows of the options the folder names, in the order it names them."""
    frame = frame[frame["option"].isin(run.options)]
    return (frame.assign(order=lambda f: f["option"].map(run.options.index))
            .sort_values("order", kind="stable"))


def _cell(frame: pd.DataFrame, **where: str) -> TableCell:
    """The estimate of the one row matching ``where``, or a dash when there is none."""
    match = frame
    for column, value in where.items():
        match = match[match[column] == value]
    if match.empty:
        return DASH
    row = match.iloc[0]
    return estimate(row["mean"], row["ci_low"], row["ci_high"], str(row["unit"]))


def _options(run: ComparisonFolder) -> list[TableRow]:
    scenarios = run.info.get("scenarios") or {}
    rows: list[TableRow] = []
    for option in run.options:
        scenario = scenarios.get(option) or {}
        dates = (f"{format_date(str(scenario.get('start_date', DASH)))} to "
                 f"{format_date(str(scenario.get('end_date', DASH)))}")
        rows.append([option, dates, str(scenario.get("description") or "") or DASH])
    return rows


def _verdicts(run: ComparisonFolder) -> list[str]:
    period = _period(run)
    return [difference_sentence(row, period) for metric in KEY_METRICS
            for _, row in run.paired[run.paired["metric"] == metric].iterrows()]


def _unit_text(frame: pd.DataFrame, metric: str) -> str:
    """The unit a metric's row of the table is counted in, as the cells show it."""
    units = frame.loc[frame["metric"] == metric, "unit"].dropna()
    unit = str(units.iloc[0]) if len(units) else ""
    return f"% {display_unit(unit)}".strip() if is_share(unit) else unit


def _row_label(metric: str) -> str:
    return f"{label(metric)} (raids + closed without a raid)" if metric == ACTIONED \
        else label(metric)


def _outcomes(run: ComparisonFolder) -> dict[str, Any] | None:
    """The panel chart of the key metrics and their table; None if the folder has none."""
    national = run.comparison[run.comparison["scope"] == NATIONAL]
    present = set(national["metric"])
    titles = {metric: short_label(metric).lower()
              + (" (fewer is better)" if fewer_is_better(metric) else "")
              for metric in KEY_METRICS if metric in present}
    if not titles:
        return None
    frame = _in_option_order(national[national["metric"].isin(titles)], run)
    rows = [[_row_label(metric), _unit_text(frame, metric)]
            + [_cell(frame, metric=metric, option=option) for option in run.options]
            for metric in titles]
    panels = {metric: titles[metric] for metric in chart_metrics(titles)}
    units = {metric: _unit_text(frame, metric) for metric in panels}
    chart = plot_option_grid(shares_as_percent(frame), panels, units=units)[0]
    return {"chart": figure_data_uri(chart), "rows": rows,
            "absent": absent_sentence(absent(present), COMPARISON_CSV)}


def _differences(run: ComparisonFolder) -> list[TableRow]:
    """Every paired difference: its mean, both intervals, the threshold and the verdict.

    A share's difference and threshold are in percentage points.
    """
    rows: list[TableRow] = []
    for _, original in run.paired.iterrows():
        row = _scaled(original.to_dict())
        decimals = 1 if _scale(str(row["metric"])) != 1.0 \
            else _difference_decimals(row["mean_diff"])
        threshold = abs(row.get("reference_mean", math.nan)) * row.get("threshold_share", math.nan)
        confidence = row.get("adjusted_confidence", math.nan)
        verdict = row.get("verdict")
        name = label(str(row["metric"]))
        name += f" ({PERCENTAGE_POINTS})" if _scale(str(row["metric"])) != 1.0 else ""
        rows.append([name, f"{row['option_a']} − {row['option_b']}",
                     format_count(row["mean_diff"], decimals),
                     _ends(row["ci_low"], row["ci_high"], decimals),
                     DASH if is_missing(confidence) else format_percent(confidence),
                     _ends(row.get("adjusted_ci_low"), row.get("adjusted_ci_high"), decimals),
                     format_count(threshold, count_decimals(threshold)),
                     verdict if isinstance(verdict, str) and verdict else DASH])
    return rows


def _states(run: ComparisonFolder) -> dict[str, Any] | None:
    """The per-state chart (:data:`STATE_CHART_METRICS`) and a table per :data:`STATE_METRICS`.

    None for a folder without state rows.
    """
    by_state = run.comparison[run.comparison["scope"] != NATIONAL]
    tables = []
    for metric in STATE_METRICS:
        frame = _in_option_order(by_state[by_state["metric"] == metric], run)
        if frame.empty:
            continue
        states = [str(s) for s in dict.fromkeys(frame["scope"])]
        rows = [[state] + [_cell(frame, scope=state, option=option) for option in run.options]
                for state in states]
        tables.append({"title": f"{label(metric)} ({_unit_text(frame, metric)})",
                       "rows": rows})
    if not tables:
        return None
    metric = next(m for m in (*STATE_CHART_METRICS, *STATE_METRICS)
                  if (by_state["metric"] == m).any())
    frame = _in_option_order(by_state[by_state["metric"] == metric], run)
    unit = _unit_text(frame, metric)
    chart = figure_data_uri(plot_state_options(
        shares_as_percent(frame), xlabel=f"{unit} over the horizon",
        title=f"{label(metric)} by state (mean, 95 % interval)"))
    return {"chart": chart, "chart_title": label(metric), "tables": tables}


def render_comparison(folder: Path) -> Path:
    """Write ``comparison.html`` into a comparison folder, from that folder's tables alone.

    Parameters
    ----------
    folder : Path
        A folder with ``comparison.csv``, ``run.json`` and (for two or more options)
        ``paired_diff.csv``.

    Returns
    -------
    Path
        ``folder / "comparison.html"``: one self-contained file with inline style and
        embedded PNG charts, which loads nothing from the network.
    """
    run = read_comparison_folder(folder)
    packages = run.info.get("packages", {})
    return write_page(
        run.folder / COMPARISON_HTML, "comparison.html",
        options=run.options,
        period=_period(run),
        option_rows=_options(run),
        replications=run.info.get("replications", DASH),
        seed=run.info.get("seed", DASH),
        interval=str(run.info.get("interval", DASH)),
        uncertain="uncertainty_drawn_from" in run.info,
        verdicts=_verdicts(run),
        rule=verdict_rule(run.paired),
        fewer_is_better=[label(m).lower() for m in KEY_METRICS if fewer_is_better(m)],
        actioned_note=ACTIONED_NOTE,
        outcomes=_outcomes(run),
        differences=_differences(run),
        states=_states(run),
        versions=", ".join(f"{name} {version}" for name, version in packages.items()) or DASH,
        files=[COMPARISON_CSV, PAIRED_DIFF_CSV, RUN_JSON],
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m reports.comparison_report FOLDER``: (re)write a folder's comparison.html."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m reports.comparison_report FOLDER", file=sys.stderr)
        return 2
    print(render_comparison(Path(args[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
