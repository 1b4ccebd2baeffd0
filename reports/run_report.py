"""One self-contained HTML report of a run folder, readable offline and printable on A4.

    python -m reports.run_report RUN_FOLDER

The report reads only the run folder's tables (``summary.csv``, ``monthly.csv``,
``delays.csv``, ``utilisation.csv``; for an optimisation ``candidates.csv``,
``certificate.csv`` and ``regret.csv``) and ``run.json``, through the readers of
:mod:`reports.run_folder`; it never runs a simulation.  This module assembles the
numbers, formatted by :mod:`reports.formatting`, and the labels of the metric catalogue
(the optimisation's choice in :mod:`reports.choice_report`);
``templates/run_report.html`` lays them out, autoescaping the free text of the folder
(scenario names, notes).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.metrics import HQ, METRICS, NATIONAL, UTILISATION_SHARES, label, short_label
from reports.choice_report import choice_section
from reports.figures import (
    plot_delays,
    plot_funnel,
    plot_monthly_flows,
    plot_stocks,
    plot_utilisation,
)
from reports.figures.run_charts import DELAY_STAGES, utilisation_from_summary
from reports.formatting import (
    DASH,
    PERCENT_UNITS,
    display_unit,
    format_date,
    format_days,
    format_parameter,
    format_percent,
    is_missing,
)
from reports.outcomes import (
    ACTIONED,
    ACTIONED_NOTE,
    ENFORCEMENT_METRICS,
    HIGH_RISK_METRICS,
    LEADERSHIP_METRICS,
    absent,
    absent_sentence,
)
from reports.pages import (
    Code,
    EstimateLine,
    Heading,
    StateName,
    TableCell,
    TableRow,
    estimate,
    figure_data_uri,
    write_page,
)
from reports.run_folder import (
    DELAYS_CSV,
    MONTHLY_CSV,
    REPORT_HTML,
    RUN_JSON,
    SUMMARY_CSV,
    UTILISATION_CSV,
    RunFolder,
    read_run_folder,
    read_utilisation,
)

HEADLINE_METRICS = ("tipoffs_received", *LEADERSHIP_METRICS, ACTIONED, "downloaded_share",
                    "lapsed", "lapsed_after_selection", "in_system_at_end")
"""National headline figures in report order: the outcomes leadership reads first, then
actioned (explained), shares and stocks; labels and meanings from the catalogue."""

STATE_TABLES: dict[str, tuple[str, ...]] = {
    "Outcomes": ENFORCEMENT_METRICS,
    "High-risk tip-offs": HIGH_RISK_METRICS,
    "Staff and flow": ("tipoffs_received", ACTIONED, "lapsed", "utilisation_officers",
                       "utilisation_lower_ranks", "days_to_raid_mean"),
}
"""The per-state tables by title, each a row per state and the national figures as footer;
the last also gives each state's posts."""

DISCIPLINES: dict[str, str] = {
    "priority": "priority: high-risk tip-offs first, newest first within a class",
    "fifo": "first in, first out",
    "newest_first": "newest first",
}
"""The selection queue's disciplines (``selection.discipline``) in words."""

HQ_TEAMS = {"download_team": "HQ download team", "forensic_team": "HQ forensic team"}
"""HQ's teams in the scenario (``hq.*``) and how the posts table names them."""

UTILISATION_TABLE_ROWS: dict[tuple[str, str], str] = {
    (HQ, "download_team"): "HQ download team",
    (HQ, "forensic_team"): "HQ forensic team",
    (HQ, "line"): "HQ line (of usable capacity)",
    (NATIONAL, "officers"): "Officers, all states",
    (NATIONAL, "lower_ranks"): "Lower ranks, all states",
}
"""Rows of ``utilisation.csv`` the report's table shows (the chart shows every state)."""


# ---------------------------------------------------------------------------------------
# The scenario in brief
# ---------------------------------------------------------------------------------------


def _posts(group: dict[str, Any] | None) -> int:
    """A group's posts after its last dated change (a plan's phased posts included)."""
    group = group or {}
    changes = group.get("changes") or []
    return int(changes[-1].get("posts", 0) if changes else group.get("posts", 0))


def _posts_cell(group: dict[str, Any] | None) -> str:
    group = group or {}
    filled = group.get("filled_at_start")
    posts, at_start = _posts(group), int(group.get("posts", 0))
    notes = [f"{at_start} at start"] if posts != at_start else []
    notes += [f"{filled} filled at start"] if filled is not None else []
    return f"{posts} ({'; '.join(notes)})" if notes else str(posts)


def _estimate_value(section: dict[str, Any], field: str) -> float | None:
    entry = section.get(field)
    return entry.get("value") if isinstance(entry, dict) else entry


def _horizon(scenario: dict[str, Any]) -> dict[str, Any]:
    """The horizon's first and last day for people, and its length in days if known."""
    start, end = str(scenario.get("start_date", "")), str(scenario.get("end_date", ""))
    try:
        days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
    except ValueError:
        return {"start": start, "end": end, "days": None}
    return {"start": format_date(start), "end": format_date(end), "days": f"{days:,}"}


def _link(scenario: dict[str, Any]) -> dict[str, Any]:
    """The HQ link's rate, plausible range, usable share and downloads at once, formatted."""
    download = scenario.get("download", {})
    bandwidth = download.get("bandwidth_mbps", {})
    has_range = isinstance(bandwidth, dict) and bandwidth.get("low") is not None
    usable = _estimate_value(download, "usable_share")
    concurrent = _estimate_value(download, "concurrent_downloads_count")
    mbps = format_parameter(_estimate_value(download, "bandwidth_mbps"), "Mbps")
    if download.get("line_mbps"):  # a line bought: what evidence downloads get of it differs
        mbps = (f"a {format_parameter(download['line_mbps'], 'Mbps')} Mbps line bought; on "
                f"today's line evidence downloads get {mbps}")
    return {
        "mbps": mbps,
        "low": format_parameter(bandwidth["low"], "Mbps") if has_range else None,
        "high": format_parameter(bandwidth["high"], "Mbps") if has_range else None,
        "usable": None if usable is None else format_percent(usable),
        "concurrent": None if concurrent is None else format_parameter(concurrent, "count"),
    }


def _brief(run: RunFolder) -> dict[str, Any]:
    scenario, info = run.scenario, run.info
    discipline = str(scenario.get("selection", {}).get("discipline", DASH))
    retention = _estimate_value(scenario.get("selection", {}), "retention_window_days")
    return {
        "description": str(scenario.get("description", DASH)),
        "horizon": _horizon(scenario),
        "replications": info.get("replications", DASH),
        "seed": info.get("seed", DASH),
        "workers": info.get("workers", DASH),
        "wall_time": format_days(info.get("wall_time_seconds", math.nan)),
        "link": _link(scenario),
        "discipline": DISCIPLINES.get(discipline, discipline),
        "retention": format_parameter(retention, "days"),
        "interval": str(info.get("interval", DASH)),
        "posts": _posts_table(scenario),
    }


def _posts_table(scenario: dict[str, Any]) -> dict[str, list[TableRow]]:
    """Posts by rank: a row per HQ team, one for the states together, and the totals."""
    hq, states = scenario.get("hq", {}), scenario.get("states", {})
    rows: list[TableRow] = []
    officers_total = lower_total = 0
    for key, team_name in HQ_TEAMS.items():
        team = hq.get(key, {})
        officers, lower = team.get("officers"), team.get("lower_ranks")
        rows.append([team_name, _posts_cell(officers), _posts_cell(lower),
                     str(_posts(officers) + _posts(lower))])
        officers_total, lower_total = officers_total + _posts(officers), lower_total + _posts(lower)
    state_officers = sum(_posts(s.get("officers")) for s in states.values())
    state_lower = sum(_posts(s.get("lower_ranks")) for s in states.values())
    rows.append([f"{len(states)} state contingents (by state in the table below)",
                 str(state_officers), str(state_lower), str(state_officers + state_lower)])
    officers_total, lower_total = officers_total + state_officers, lower_total + state_lower
    footer: list[TableRow] = [["All posts", str(officers_total), str(lower_total),
                               str(officers_total + lower_total)]]
    return {"rows": rows, "footer": footer}


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


def _meaning(metric: str) -> str:
    if metric == ACTIONED:
        return ACTIONED_NOTE
    known = METRICS.get(metric)
    return known.meaning if known else ""


def _present(run: RunFolder, metrics: Sequence[str]) -> list[str]:
    """The metrics of ``metrics`` the folder's ``summary.csv`` holds, in order."""
    have = set(run.summary["metric"])
    return [metric for metric in metrics if metric in have]


def _headline(run: RunFolder) -> dict[str, Any]:
    """The national headline table, and a note naming outcomes the folder lacks."""
    metrics: Sequence[str] = HEADLINE_METRICS
    # A run that starts from a calibrated pipeline holds tip-offs on day one; without them
    # received minus outcomes would not match what is in the system at the end.
    backlog_at_start = run.row(NATIONAL, "initial_backlog")[0]
    if not is_missing(backlog_at_start) and backlog_at_start > 0:
        metrics = ("initial_backlog", *metrics)
    rows: list[TableRow] = [[label(metric), EstimateLine(run.estimate(NATIONAL, metric)),
                             _meaning(metric)] for metric in _present(run, metrics)]
    return {"rows": rows,
            "absent": absent_sentence(absent(run.summary["metric"]), SUMMARY_CSV)}


def _delays(run: RunFolder) -> dict[str, Any] | None:
    """The delay chart and its table of percentiles; None for a folder without delays."""
    if run.delays is None:
        return None
    rows: list[TableRow] = []
    for stage, stage_name in DELAY_STAGES.items():
        stage_rows = run.delays[run.delays["stage"] == stage].sort_values("quantile")
        # Downloads take hours: in days to one decimal every percentile would read 0.1-0.3.
        in_hours = bool(len(stage_rows)) and bool((stage_rows["ci_high"].fillna(0) < 1).all())
        scale, unit = (24.0, "hours") if in_hours else (1.0, "days")
        rows.append([f"{stage_name} ({unit})"]
                    + [estimate(row.mean * scale, row.ci_low * scale, row.ci_high * scale, unit)
                       for row in stage_rows.itertuples()])
    quantiles = sorted(run.delays["quantile"].unique())
    return {"chart": figure_data_uri(plot_delays(run.delays)),
            "headings": ["Time from arrival", *[f"{q * 100:g}th percentile" for q in quantiles]],
            "rows": rows}


def _state_heading(metric: str, unit: str) -> Heading:
    """A column heading: the metric's short label over the unit it is counted in."""
    column = short_label(metric)
    shown = display_unit(unit) if unit else ""
    shown = "% " + shown if unit.startswith(PERCENT_UNITS) else shown
    return Heading(column, "" if shown == column.lower() else shown)


def _state_table(run: RunFolder, metrics: Sequence[str], posts: bool) -> dict[str, Any]:
    """One per-state table: a row per state, the national figures as its footer."""
    headings: list[TableCell] = ["State"]
    headings += ["Posts (officers / lower ranks)"] if posts else []
    headings += [_state_heading(m, run.row(NATIONAL, m)[3]) for m in metrics]
    states = run.scenario.get("states", {})
    rows: list[TableRow] = []
    for code in run.states:
        cells: list[TableCell] = [StateName(code, run.state_name(code))]
        if posts:
            staff = states.get(code, {})
            cells.append(f"{_posts(staff.get('officers'))} / {_posts(staff.get('lower_ranks'))}")
        rows.append(cells + [estimate(*run.row(code, metric)) for metric in metrics])
    national: list[TableCell] = ["National (utilisation: all states)" if posts else "National"]
    national += [""] if posts else []
    footer: list[TableRow] = [national + [estimate(*run.row(NATIONAL, m)) for m in metrics]]
    return {"headings": headings, "rows": rows, "footer": footer}


def _states(run: RunFolder) -> list[dict[str, Any]]:
    """The per-state tables of :data:`STATE_TABLES`, each with the metrics the folder has."""
    last = list(STATE_TABLES)[-1]
    tables = []
    for title, wanted in STATE_TABLES.items():
        metrics = _present(run, wanted)
        if metrics:
            tables.append({"title": title, **_state_table(run, metrics, title == last)})
    return tables


def _assumptions(run: RunFolder) -> list[TableRow]:
    rows: list[TableRow] = []
    for entry in run.info.get("assumptions", []):
        unit = str(entry.get("unit") or "")
        low, high = entry.get("low"), entry.get("high")
        plausible = (DASH if is_missing(low) and is_missing(high)
                     else f"{format_parameter(low, unit)}–{format_parameter(high, unit)}")
        rows.append([Code(str(entry.get("parameter", ""))),
                     format_parameter(entry.get("value"), unit), unit, plausible,
                     str(entry.get("note") or "")])
    return rows


def _charts(run: RunFolder) -> dict[str, str | None]:
    """Every chart of the report as a data URI; None where the folder lacks its table."""
    monthly = run.monthly
    return {
        "funnel": figure_data_uri(plot_funnel(run.summary)),
        "stocks": None if monthly is None else figure_data_uri(plot_stocks(monthly)),
        "flows": None if monthly is None else figure_data_uri(plot_monthly_flows(monthly)),
    }


def _utilisation(run: RunFolder) -> dict[str, Any]:
    """The utilisation chart, and the table of busy, blocked and idle shares of HQ and national.

    A folder written before ``utilisation.csv`` existed gets today's chart of busy
    shares from ``summary.csv`` and no table (``table`` is None).
    """
    shares = read_utilisation(run.folder)
    if shares is None:
        return {"chart": figure_data_uri(plot_utilisation(utilisation_from_summary(run.summary))),
                "table": None}
    indexed = shares.set_index(["scope", "group"])
    unit = "fraction of on-duty time"
    rows: list[TableRow] = []
    for key, row_label in UTILISATION_TABLE_ROWS.items():
        if key not in indexed.index:
            continue
        row = indexed.loc[key]
        rows.append([row_label] + [estimate(float(row[share]), float(row[f"{share}_ci_low"]),
                                            float(row[f"{share}_ci_high"]), unit)
                                   for share in UTILISATION_SHARES])
    return {"chart": figure_data_uri(plot_utilisation(shares)),
            "table": {"headings": ["Group", Heading("Busy", "% working"),
                                   Heading("Blocked", "% holding work that cannot move on"),
                                   Heading("Idle", "% waiting for work")],
                      "rows": rows}}


def _national_estimates(run: RunFolder) -> dict[str, str]:
    """National figures the captions quote, ``mean [low, high] unit``."""
    return {metric: run.estimate(NATIONAL, metric)
            for metric in ("tipoffs_received", "downloaded", "reviewed", "actioned",
                           "backlog_at_end", "lapsed", "days_to_raid_mean")}


def render_run_report(folder: Path) -> Path:
    """Write ``report.html`` into a run folder, from that folder's tables alone.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py`` (``summary.csv``, ``run.json``, and
        ``monthly.csv``, ``delays.csv`` and ``utilisation.csv`` when the run wrote them).

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
    packages = run.info.get("packages", {})
    return write_page(
        run.folder / REPORT_HTML, "run_report.html",
        name=str(run.scenario.get("name", run.folder.name)),
        brief=_brief(run),
        choice=choice_section(run.folder, run.info),
        headline=_headline(run),
        actioned_note=ACTIONED_NOTE,
        national=_national_estimates(run),
        charts=_charts(run),
        utilisation=_utilisation(run),
        delays=_delays(run),
        states=_states(run),
        assumptions=_assumptions(run),
        replications=run.info.get("replications", DASH),
        interval=str(run.info.get("interval", "95 % interval over replications")),
        finished=run.info.get("finished_at"),
        versions=", ".join(f"{name} {version}" for name, version in packages.items()) or DASH,
        files={"summary": SUMMARY_CSV, "monthly": MONTHLY_CSV, "delays": DELAYS_CSV,
               "utilisation": UTILISATION_CSV, "run": RUN_JSON},
    )


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
