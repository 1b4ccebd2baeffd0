"""The comparison report: options side by side, for leadership, from a comparison folder.

``run_scenario.py`` runs several options (scenarios) with the same seeds and writes
``comparison.csv`` (each option's summary), ``paired_diff.csv`` (each later option minus each
earlier one, paired replication by replication) and ``run.json``.  This module turns them
into ``comparison.html``: charts with intervals, a per-state table and one plain sentence
per key metric saying which option does better and whether the difference is beyond
noise.  It reads tables only; it never runs a simulation.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reports.figures import plot_option_grid, plot_state_options
from reports.formatting import format_count, format_date, format_estimate
from reports.html_parts import Safe, figure_html, page, table

REPORT_NAME = "comparison.html"
NATIONAL = "national"
DASH = "–"

KEY_METRICS = ("actioned", "downloaded", "raids", "arrests", "lapsed")
"""The metrics charted side by side and given a sentence each, in that order."""
FEWER_IS_BETTER = frozenset({"lapsed"})

PANEL_TITLES = {"actioned": "actioned", "downloaded": "downloaded", "raids": "raids",
                "arrests": "arrests", "lapsed": "lapsed (fewer is better)"}
METRIC_NAMES = {"actioned": "Tip-offs actioned", "downloaded": "Tip-offs downloaded",
                "raids": "Raids", "arrests": "Arrests",
                "lapsed": "Tip-offs lapsed (evidence no longer held)",
                "reviewed": "Tip-offs reviewed", "investigated": "Tip-offs investigated",
                "charges": "Charges"}

PHRASES: dict[str, tuple[str, str, str, str]] = {
    # metric: verb phrase before the amount, noun (one), noun (many), words after the noun
    "actioned": ("actions", "tip-off", "tip-offs", ""),
    "downloaded": ("downloads the evidence of", "tip-off", "tip-offs", ""),
    "raids": ("carries out", "raid", "raids", ""),
    "arrests": ("makes", "arrest", "arrests", ""),
    "lapsed": ("lets", "tip-off", "tip-offs", " lapse"),
    "reviewed": ("reviews", "tip-off", "tip-offs", ""),
    "investigated": ("investigates", "tip-off", "tip-offs", ""),
    "charges": ("brings", "charge", "charges", ""),
}
"""How each metric reads in a sentence: "B *carries out* 12 more *raids* than A"."""


@dataclass(frozen=True)
class ComparisonFolder:
    """The tables and record of one comparison, as read from its folder."""

    folder: Path
    comparison: pd.DataFrame
    paired: pd.DataFrame
    info: dict[str, Any]

    @property
    def options(self) -> list[str]:
        listed = [str(o) for o in self.info.get("options") or []]
        return listed or [str(o) for o in dict.fromkeys(self.comparison["option"])]


def read_comparison_folder(folder: Path) -> ComparisonFolder:
    """Read ``comparison.csv``, ``paired_diff.csv`` and ``run.json`` of a comparison folder.

    Raises
    ------
    FileNotFoundError
        If ``comparison.csv`` or ``run.json`` is missing; ``paired_diff.csv`` may be absent
        (a single option), in which case no differences are stated.
    """
    folder = Path(folder)
    paired_path = folder / "paired_diff.csv"
    paired = pd.read_csv(paired_path) if paired_path.exists() else pd.DataFrame(
        columns=["option_a", "option_b", "metric", "mean_diff", "ci_low", "ci_high"])
    return ComparisonFolder(folder, pd.read_csv(folder / "comparison.csv"), paired,
                            json.loads((folder / "run.json").read_text(encoding="utf-8")))


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


def beyond_noise(low: float, high: float) -> bool:
    """Whether a paired 95 % interval of a difference excludes zero."""
    return bool(low > 0 or high < 0)


def difference_sentence(metric: str, option_a: str, option_b: str, mean_diff: float,
                        low: float, high: float, period: str = "") -> str:
    """One plain sentence: how ``option_a`` differs from ``option_b`` and what that means.

    Parameters
    ----------
    metric : str
        A metric of ``paired_diff.csv``.
    option_a, option_b : str
        The later and the earlier option; ``mean_diff`` is ``option_a`` minus ``option_b``.
    mean_diff, low, high : float
        The mean paired difference and its 95 % interval.
    period : str, optional
        The horizon in words (``"2024–2026"``), added as "over ...".

    Returns
    -------
    str
        For example "three_to_four_per_state actions 540 more tip-offs than status_quo
        over 2024–2026 (95 % interval 480 to 600): beyond noise, so
        three_to_four_per_state does better." For lapsed tip-offs fewer is better.
    """
    verb, one, many, tail = PHRASES.get(metric, ("has", metric, metric, ""))
    decimals = 0 if abs(mean_diff) >= 10 else 1
    # A whole difference ("1 more raid") needs no decimal; its interval keeps one.
    amount = format_count(abs(mean_diff), 0 if float(mean_diff).is_integer() else decimals)
    if amount in ("0", "0.0"):
        what = f"the same number of {many}{tail} as"
    else:
        noun = one if amount == "1" else many
        what = f"{amount} {'more' if mean_diff > 0 else 'fewer'} {noun}{tail} than"
    over = f" over {period}" if period else ""
    interval = (f"95 % interval {format_count(low, decimals)} to "
                f"{format_count(high, decimals)}")
    if beyond_noise(low, high):
        a_better = (mean_diff < 0) if metric in FEWER_IS_BETTER else (mean_diff > 0)
        verdict = f"beyond noise, so {option_a if a_better else option_b} does better"
    else:
        verdict = "within noise, so neither option is shown to do better"
    return f"{option_a} {verb} {what} {option_b}{over} ({interval}): {verdict}."


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------


def _national(run: ComparisonFolder) -> pd.DataFrame:
    frame = run.comparison[run.comparison["scope"] == NATIONAL]
    return frame[frame["option"].isin(run.options)]


def _title(run: ComparisonFolder) -> str:
    period = _period(run)
    subtitle = f"Simulated over {period}" if period else "Simulated over each option's horizon"
    return (f"<header>\n<h1>MICAC options compared: {html.escape(', '.join(run.options))}"
            f"</h1>\n<p class=\"subtitle\">{html.escape(subtitle)}</p>\n</header>")


def _brief(run: ComparisonFolder) -> str:
    scenarios = run.info.get("scenarios") or {}
    rows = []
    for option in run.options:
        scenario = scenarios.get(option) or {}
        description = str(scenario.get("description") or "")
        dates = (f"{format_date(str(scenario.get('start_date', DASH)))} to "
                 f"{format_date(str(scenario.get('end_date', DASH)))}")
        rows.append([option, dates, description or DASH])
    facts = (f"<p>{run.info.get('replications', DASH)} replications of each option with seed "
             f"{run.info.get('seed', DASH)}; every option met the same random tip-offs "
             "(common random numbers), so the differences below are paired replication by "
             f"replication. Intervals: {html.escape(str(run.info.get('interval', DASH)))}.</p>")
    return ("<section>\n<h2>The options</h2>\n"
            + table(["Option", "Horizon", "Description"], rows) + "\n" + facts
            + "\n</section>")


def _verdicts(run: ComparisonFolder) -> str:
    period = _period(run)
    items = []
    for metric in KEY_METRICS:
        rows = run.paired[run.paired["metric"] == metric]
        for row in rows.itertuples(index=False):
            sentence = difference_sentence(metric, str(row.option_a), str(row.option_b),
                                           float(row.mean_diff), float(row.ci_low),
                                           float(row.ci_high), period)
            items.append(f"<li>{html.escape(sentence)}</li>")
    if not items:
        return ("<section>\n<h2>What the differences mean</h2>\n<p class=\"note\">No paired "
                "differences in this folder (a single option).</p>\n</section>")
    return ("<section>\n<h2>What the differences mean</h2>\n<ul>\n" + "\n".join(items)
            + "\n</ul>\n<p class=\"note\">A difference is beyond noise when its paired 95 % "
            "interval excludes zero; within noise, the runs cannot tell the options apart on "
            "that metric. Fewer lapsed tip-offs is better; more is better for the rest.</p>\n"
            "</section>")


def _charts(run: ComparisonFolder) -> str:
    national = _national(run)
    metrics = {m: PANEL_TITLES[m] for m in KEY_METRICS if m in set(national["metric"])}
    if not metrics:
        return ""
    frame = (national[national["metric"].isin(metrics)]
             .assign(order=lambda f: f["option"].map(run.options.index))
             .sort_values("order", kind="stable"))
    axes = plot_option_grid(frame, metrics)
    rows = []
    for metric in metrics:
        cells: list[Any] = [METRIC_NAMES.get(metric, metric)]
        for option in run.options:
            match = frame[(frame["metric"] == metric) & (frame["option"] == option)]
            if match.empty:
                cells.append(DASH)
                continue
            row = match.iloc[0]
            cells.append(Safe(_estimate_markup(row["mean"], row["ci_low"], row["ci_high"],
                                               str(row["unit"]))))
        rows.append(cells)
    return ("<section>\n<h2>Key outcomes side by side</h2>\n"
            + figure_html(axes[0], "Bar charts of actioned, downloaded, raids, arrests and "
                          "lapsed for each option, with 95 % intervals",
                          "National totals over the horizon: mean of the replications with "
                          "its 95 % interval. Each panel has its own scale.")
            + "\n" + table(["Outcome (national)", *run.options], rows, "numbers")
            + "\n</section>")


def _estimate_markup(mean: float, low: float, high: float, unit: str) -> str:
    text = format_estimate(mean, low, high, unit, with_unit=False)
    mean_text, _, interval = text.partition(" [")
    markup = html.escape(mean_text)
    if interval:
        markup += f' <span class="ci">[{html.escape(interval)}</span>'
    return markup


def _differences(run: ComparisonFolder) -> str:
    if run.paired.empty:
        return ""
    rows = []
    for row in run.paired.itertuples(index=False):
        decimals = 0 if abs(row.mean_diff) >= 10 else 1
        rows.append([METRIC_NAMES.get(str(row.metric), str(row.metric)),
                     f"{row.option_a} − {row.option_b}",
                     format_count(row.mean_diff, decimals),
                     f"{format_count(row.ci_low, decimals)} to "
                     f"{format_count(row.ci_high, decimals)}",
                     "beyond noise" if beyond_noise(row.ci_low, row.ci_high) else "within noise"])
    return ("<section>\n<h2>Paired differences, all metrics</h2>\n"
            + table(["Metric", "Difference", "Mean", "95 % interval", "Verdict"], rows,
                    "numbers") + "\n</section>")


def _states(run: ComparisonFolder) -> str:
    frame = run.comparison[(run.comparison["metric"] == "actioned")
                           & (run.comparison["scope"] != NATIONAL)
                           & run.comparison["option"].isin(run.options)]
    if frame.empty:
        return ""
    states = [str(s) for s in dict.fromkeys(frame["scope"])]
    rows = []
    for state in states:
        cells: list[Any] = [state]
        for option in run.options:
            match = frame[(frame["scope"] == state) & (frame["option"] == option)]
            cells.append(DASH if match.empty else Safe(_estimate_markup(
                match.iloc[0]["mean"], match.iloc[0]["ci_low"], match.iloc[0]["ci_high"],
                str(match.iloc[0]["unit"]))))
        rows.append(cells)
    ordered = (frame.assign(order=lambda f: f["option"].map(run.options.index))
               .sort_values("order", kind="stable"))
    chart = figure_html(plot_state_options(ordered), "Horizontal bars of actioned tip-offs "
                        "by state for each option, with 95 % intervals",
                        "Actioned tip-offs by state over the horizon (mean and 95 % "
                        "interval).")
    return ("<section>\n<h2>Actioned tip-offs by state</h2>\n" + chart + "\n"
            + table(["State", *run.options], rows, "numbers states") + "\n</section>")


def _footer(run: ComparisonFolder) -> str:
    packages = run.info.get("packages", {})
    versions = ", ".join(f"{name} {version}" for name, version in packages.items())
    return ("<footer>\n<p>Made from comparison.csv, paired_diff.csv and run.json in this "
            f"comparison's folder. Packages: {html.escape(versions or DASH)}.</p>\n</footer>")


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
    body = "\n".join(part for part in (_title(run), _brief(run), _verdicts(run), _charts(run),
                                       _differences(run), _states(run), _footer(run)) if part)
    out = run.folder / REPORT_NAME
    out.write_text(page(f"MICAC options compared: {', '.join(run.options)}", body),
                   encoding="utf-8")
    return out


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
