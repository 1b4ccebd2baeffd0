"""One self-contained HTML report of a run folder, readable offline and printable on A4.

    python -m reports.run_report RUN_FOLDER

The report reads only the run folder's tables (``summary.csv``, ``monthly.csv``,
``delays.csv``) and ``run.json``; it never runs a simulation.  Charts are PNG
images embedded as base64 and the style sheet is inline, so the file opens
without a network, and can be mailed or archived as it is.  Every text taken
from the folder is HTML-escaped, since scenario names and notes are free text.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from model.metrics import NATIONAL
from reports.figures import (
    plot_delays,
    plot_funnel,
    plot_monthly_flows,
    plot_stocks,
    plot_utilisation,
)
from reports.formatting import (
    DASH,
    PERCENT_UNITS,
    display_unit,
    format_date,
    format_days,
    format_parameter,
    format_percent,
    format_value,
    interval_text,
    is_missing,
)
from reports.html_parts import Cell, Safe, figure_html, page, table
from reports.run_folder import RunFolder, read_run_folder

REPORT_NAME = "report.html"

HEADLINE_METRICS: dict[str, tuple[str, str]] = {
    "tipoffs_received": ("Tip-offs received", "international referrals and local reports"),
    "downloaded": ("Evidence downloaded", "tip-offs whose material reached HQ"),
    "downloaded_share": ("Share downloaded", "downloaded as a share of received"),
    "raids": ("Raids", "led by a state officer"),
    "arrests": ("Arrests", "at raids"),
    "charges": ("Charges", "after the seized devices were examined"),
    "actioned": ("Actioned", "closed after a raid or a documented investigation decision"),
    "lapsed": ("Lapsed", "not selected within the retention window, so no longer traceable"),
    "in_system_at_end": ("In the system at the end", "received but not closed by the last day"),
}
"""National headline figures in report order: label and what the figure counts."""

INITIAL_BACKLOG = ("In the system at the start", "tip-offs already in the pipeline on day one")

STATE_COLUMNS: dict[str, str] = {
    "tipoffs_received": "Received",
    "downloaded": "Downloaded",
    "raids": "Raids",
    "arrests": "Arrests",
    "actioned": "Actioned",
    "lapsed": "Lapsed",
    "utilisation_officers": "Officers busy",
    "utilisation_lower_ranks": "Lower ranks busy",
    "days_to_raid_mean": "Days to raid",
}
"""Columns of the per-state table, after the state and its posts."""

DISCIPLINES: dict[str, str] = {
    "priority": "priority: high-risk tip-offs first, newest first within a class",
    "fifo": "first in, first out",
    "newest_first": "newest first",
}



# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------


def _estimate_cell(mean: float, low: float, high: float, unit: str) -> Safe:
    """A table cell with the mean on top and the interval, smaller, below it."""
    if is_missing(mean):
        return Safe(DASH)
    text = html.escape(format_value(mean, unit))
    interval = interval_text(mean, low, high, unit)
    if interval:
        text += f' <span class="ci">{html.escape(interval)}</span>'
    return Safe(text)


def _figure(plot: Callable[[pd.DataFrame], Axes], frame: pd.DataFrame, alt: str,
            caption: str) -> str:
    return figure_html(plot(frame), alt, caption)


def _absent(name: str) -> str:
    return (f'<p class="note">{html.escape(name)} is not in this run folder (it was written '
            "by an older version of run_scenario.py); run the scenario again to see this.</p>")


# ---------------------------------------------------------------------------------------
# Sections, in report order
# ---------------------------------------------------------------------------------------


def _title(run: RunFolder) -> str:
    scenario = run.scenario
    name = str(scenario.get("name", run.folder.name))
    dates = (f"{format_date(str(scenario.get('start_date', '')))} to "
             f"{format_date(str(scenario.get('end_date', '')))}")
    return (f"<header>\n<h1>MICAC pipeline: {html.escape(name)}</h1>\n"
            f'<p class="subtitle">Simulated {html.escape(dates)}</p>\n</header>')


def _posts(group: dict[str, Any] | None) -> int:
    return int((group or {}).get("posts", 0))


def _posts_cell(group: dict[str, Any] | None) -> str:
    group = group or {}
    posts = _posts(group)
    filled = group.get("filled_at_start")
    return f"{posts} ({filled} filled at start)" if filled is not None else str(posts)


def _estimate_value(section: dict[str, Any], field: str) -> float | None:
    entry = section.get(field)
    return entry.get("value") if isinstance(entry, dict) else entry


def _brief(run: RunFolder) -> str:
    scenario, info = run.scenario, run.info
    start, end = str(scenario.get("start_date", "")), str(scenario.get("end_date", ""))
    try:
        days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
        horizon = f"{format_date(start)} to {format_date(end)} ({days:,} days)"
    except ValueError:
        horizon = f"{start} to {end}"
    download = scenario.get("download", {})
    bandwidth = download.get("bandwidth_mbps", {})
    bandwidth_text = f"{format_parameter(_estimate_value(download, 'bandwidth_mbps'), 'Mbps')} Mbps"
    if isinstance(bandwidth, dict) and bandwidth.get("low") is not None:
        bandwidth_text += (f" (plausible {format_parameter(bandwidth['low'], 'Mbps')}–"
                           f"{format_parameter(bandwidth['high'], 'Mbps')})")
    usable = _estimate_value(download, "usable_share")
    if usable is not None:
        bandwidth_text += f", of which {format_percent(usable)} usable"
    concurrent = _estimate_value(download, "concurrent_downloads_count")
    if concurrent is not None:
        bandwidth_text += f"; up to {format_parameter(concurrent, 'count')} downloads at once"
    selection = scenario.get("selection", {})
    discipline = str(selection.get("discipline", DASH))
    retention = _estimate_value(selection, "retention_window_days")
    run_text = (f"{info.get('replications', DASH)} replications, seed {info.get('seed', DASH)}, "
                f"on {info.get('workers', DASH)} worker(s) in "
                f"{format_days(info.get('wall_time_seconds', math.nan))} s")
    facts: list[tuple[str, str]] = [
        ("Description", str(scenario.get("description", DASH))),
        ("Horizon", horizon),
        ("Seed and replications", run_text),
        ("HQ link", bandwidth_text),
        ("Selection queue", DISCIPLINES.get(discipline, discipline)),
        ("Retention window", f"{format_parameter(retention, 'days')} days: a tip-off not "
                             "selected by then lapses"),
        ("Intervals", str(info.get("interval", DASH))),
    ]
    facts_html = "\n".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
                           for k, v in facts)

    hq = scenario.get("hq", {})
    states = scenario.get("states", {})
    rows: list[list[Cell]] = []
    totals = [0, 0]
    for key, label in (("download_team", "HQ download team"),
                       ("forensic_team", "HQ forensic team")):
        team = hq.get(key, {})
        officers, lower = team.get("officers"), team.get("lower_ranks")
        rows.append([label, _posts_cell(officers), _posts_cell(lower),
                     str(_posts(officers) + _posts(lower))])
        totals = [totals[0] + _posts(officers), totals[1] + _posts(lower)]
    state_officers = sum(_posts(s.get("officers")) for s in states.values())
    state_lower = sum(_posts(s.get("lower_ranks")) for s in states.values())
    rows.append([f"{len(states)} state contingents (by state in the table below)",
                 str(state_officers), str(state_lower), str(state_officers + state_lower)])
    totals = [totals[0] + state_officers, totals[1] + state_lower]
    footer: list[list[Cell]] = [["All posts", str(totals[0]), str(totals[1]),
                                  str(sum(totals))]]
    posts_table = table(["Where", "Officers (posts)", "Lower ranks (posts)", "Total (posts)"],
                         rows, "numbers", footer)
    return (f"<section>\n<h2>The scenario in brief</h2>\n<dl>\n{facts_html}\n</dl>\n"
            f"<h3>Posts by rank</h3>\n{posts_table}\n</section>")


def _headline(run: RunFolder) -> str:
    rows: list[list[Cell]] = []
    metrics = dict(HEADLINE_METRICS)
    # A run that starts from a calibrated pipeline holds tip-offs on day one; without them
    # received minus outcomes would not match what is in the system at the end.
    backlog_at_start = run.row(NATIONAL, "initial_backlog")[0]
    if not is_missing(backlog_at_start) and backlog_at_start > 0:
        metrics = {"initial_backlog": INITIAL_BACKLOG, **metrics}
    for metric, (label, meaning) in metrics.items():
        rows.append([label, Safe(f'<span class="estimate">'
                                  f"{html.escape(run.estimate(NATIONAL, metric))}</span>"),
                     meaning])
    figures = table(["Figure", "Mean [interval] unit", "What it counts"], rows, "headline")
    return ("<section>\n<h2>National headline figures</h2>\n"
            '<p class="note">Whole horizon, all states, as mean [interval] unit. '
            f"{html.escape(_interval_sentence(run))}</p>\n{figures}\n</section>")


def _interval_sentence(run: RunFolder) -> str:
    interval = str(run.info.get("interval", "95 % interval over replications"))
    return (f"Interval: {interval}, over {run.info.get('replications', DASH)} replications. "
            "Where it would reach below zero or above 100 %, which no count, time or share "
            "can, it is cut there.")


def _funnel(run: RunFolder) -> str:
    received = run.estimate(NATIONAL, "tipoffs_received")
    actioned = run.estimate(NATIONAL, "actioned")
    caption = (f"Each bar is the national mean count over the horizon, with its 95 % interval; "
               f"blue bars count tip-offs, hatched orange bars count raids, arrests and charges. "
               f"The scale is logarithmic: each gridline is ten times the one below. "
               f"Received: {received}; actioned: {actioned}.")
    return ("<section>\n<h2>The pipeline funnel</h2>\n"
            + _figure(plot_funnel, run.summary,
                      "Bar chart of national counts at each pipeline stage", caption)
            + "\n</section>")


def _over_time(run: RunFolder) -> str:
    if run.monthly is None:
        return "<section>\n<h2>Backlog and lapses over time</h2>\n" + _absent("monthly.csv") \
            + "\n</section>"
    stocks_caption = ("Tip-offs still open at each month end (mean, with the 95 % band): the "
                      "backlog waits for selection at HQ; in the system also counts those "
                      f"downloaded and not yet closed. At the end: "
                      f"{run.estimate(NATIONAL, 'backlog_at_end')} in the backlog.")
    flows_caption = ("Tip-offs received, downloaded and lapsed in each month (mean, with the "
                     "95 % band). A tip-off lapses when it has waited the retention window "
                     "without being selected, so lapses begin one window after the start. "
                     f"Lapsed over the horizon: {run.estimate(NATIONAL, 'lapsed')}.")
    return ("<section>\n<h2>Backlog and lapses over time</h2>\n"
            + _figure(plot_stocks, run.monthly, "Line chart of month-end backlog and "
                      "tip-offs in the system", stocks_caption) + "\n"
            + _figure(plot_monthly_flows, run.monthly, "Line chart of tip-offs received, "
                      "downloaded and lapsed each month", flows_caption)
            + "\n</section>")


def _delays(run: RunFolder) -> str:
    heading = "<section>\n<h2>Time to download and time to raid</h2>\n"
    if run.delays is None:
        return heading + _absent("delays.csv") + "\n</section>"
    caption = ("Days from a tip-off's arrival until its evidence was downloaded and until the "
               "raid, for the tip-offs that got there within the horizon: at the 10th "
               "percentile a tenth of them took less time, at the 90th nine tenths did (mean "
               "over replications, with the 95 % interval). Tip-offs "
               "that lapsed or are still waiting are not in these times. Mean time to raid: "
               f"{run.estimate(NATIONAL, 'days_to_raid_mean')}.")
    table_rows: list[list[Cell]] = []
    for stage, label in (("download", "Arrival to download"), ("raid", "Arrival to raid")):
        rows = run.delays[run.delays["stage"] == stage].sort_values("quantile")
        # Downloads take hours: in days to one decimal every percentile would read 0.1-0.3.
        in_hours = bool(len(rows)) and bool((rows["ci_high"].fillna(0) < 1).all())
        scale, unit = (24.0, "hours") if in_hours else (1.0, "days")
        cells: list[Cell] = [f"{label} ({unit})"]
        for row in rows.itertuples():
            cells.append(_estimate_cell(row.mean * scale, row.ci_low * scale,
                                        row.ci_high * scale, unit))
        table_rows.append(cells)
    quantiles = sorted(run.delays["quantile"].unique())
    headers = ["Time from arrival", *[f"{q * 100:g}th percentile" for q in quantiles]]
    return (heading + _figure(plot_delays, run.delays, "Chart of days to download and to "
                              "raid at each percentile", caption)
            + "\n" + table(headers, table_rows, "numbers") + "\n</section>")


def _utilisation(run: RunFolder) -> str:
    caption = ("Share of on-duty time each staff group spent working (mean, with the 95 % "
               "interval), and the share of the HQ link's usable capacity carrying downloads. "
               "Near 100 % the group is the bottleneck and work queues behind it. 'No lower-rank "
               "posts': the state has none, so its officers do the casework.")
    return ("<section>\n<h2>Utilisation by state and staff group</h2>\n"
            + _figure(plot_utilisation, run.summary, "Bar chart of utilisation of each staff "
                      "group by state and at HQ", caption) + "\n</section>")


def _statestable(run: RunFolder) -> str:
    units = {metric: run.row(NATIONAL, metric)[3] for metric in STATE_COLUMNS}
    headers: list[Cell] = ["State", "Posts (officers / lower ranks)"]
    for metric, label in STATE_COLUMNS.items():
        unit = display_unit(units[metric]) if units[metric] else ""
        unit = "% " + unit if units[metric].startswith(PERCENT_UNITS) else unit
        unit = "" if unit == label.lower() else unit
        unit_html = f"<br><small>{html.escape(unit)}</small>" if unit else ""
        headers.append(Safe(f"{html.escape(label)}{unit_html}"))
    states = run.scenario.get("states", {})
    rows: list[list[Cell]] = []
    for code in run.states:
        staff = states.get(code, {})
        posts = f"{_posts(staff.get('officers'))} / {_posts(staff.get('lower_ranks'))}"
        cells: list[Cell] = [Safe(f"<b>{html.escape(code)}</b> "
                                    f"{html.escape(run.state_name(code))}"), posts]
        cells += [_estimate_cell(*run.row(code, metric)) for metric in STATE_COLUMNS]
        rows.append(cells)
    footer: list[list[Cell]] = [["National (utilisation: all states)", ""]
                                 + [_estimate_cell(*run.row(NATIONAL, m))
                                    for m in STATE_COLUMNS]]
    return ("<section>\n<h2>By state</h2>\n"
            '<p class="note">Whole horizon: mean with the 95 % interval below it. '
            f"{html.escape(DASH)}: not defined (no posts in that rank, or no raids). Days to "
            "raid: mean days from arrival, for the tip-offs raided.</p>\n"
            + table(headers, rows, "numbers states", footer) + "\n</section>")


def _assumptions(run: RunFolder) -> str:
    rows: list[list[Cell]] = []
    for entry in run.info.get("assumptions", []):
        unit = str(entry.get("unit") or "")
        low, high = entry.get("low"), entry.get("high")
        plausible = (DASH if is_missing(low) and is_missing(high)
                     else f"{format_parameter(low, unit)}–{format_parameter(high, unit)}")
        rows.append([Safe(f"<code>{html.escape(str(entry.get('parameter', '')))}</code>"),
                     format_parameter(entry.get("value"), unit), unit, plausible,
                     str(entry.get("note") or "")])
    return ("<section>\n<h2>Assumptions register</h2>\n"
            '<p class="note">Every parameter set by assumption rather than a published figure, '
            "with the range a sensitivity analysis should move it across. Fractions and "
            "probabilities are shown as percentages.</p>\n"
            + table(["Parameter", "Value", "Unit", "Plausible range", "Note"], rows,
                     "assumptions") + "\n</section>")


def _footer(run: RunFolder) -> str:
    packages = run.info.get("packages", {})
    versions = ", ".join(f"{name} {version}" for name, version in packages.items())
    finished = run.info.get("finished_at")
    made = f"Run finished {finished}. " if finished else ""
    # No folder path: the report may be rendered in a staging folder that is then renamed.
    return (f"<footer>\n<p>{html.escape(made)}Made from summary.csv, monthly.csv, delays.csv "
            "and run.json in this run's folder. Packages: "
            f"{html.escape(versions or DASH)}.</p>\n</footer>")




def render_run_report(folder: Path) -> Path:
    """Write ``report.html`` into a run folder, from that folder's tables alone.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py`` (``summary.csv``, ``run.json``, and
        ``monthly.csv`` and ``delays.csv`` when the run wrote them).

    Returns
    -------
    Path
        ``folder / "report.html"``: one self-contained file with inline style and
        embedded PNG charts, which loads nothing from the network.

    Raises
    ------
    FileNotFoundError
        If ``summary.csv`` or ``run.json`` is missing.
    """
    run = read_run_folder(Path(folder))
    name = str(run.scenario.get("name", run.folder.name))
    body = "\n".join([
        _title(run),
        _brief(run),
        _headline(run),
        _funnel(run),
        _over_time(run),
        _delays(run),
        _utilisation(run),
        _statestable(run),
        _assumptions(run),
        _footer(run),
    ])
    out = run.folder / REPORT_NAME
    out.write_text(page(f"MICAC run report: {name}", body), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """Render the report of the run folder named on the command line; return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m reports.run_report RUN_FOLDER", file=sys.stderr)
        return 2
    try:
        out = render_run_report(Path(args[0]))
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"report written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
