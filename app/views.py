"""The page's answers as components: tables of options, differences, money, the certificate.

Plain functions of the catalogue's options that return Dash components, so that what a
leader sees can be checked without a browser.  Numbers read as in every report
(``reports.formatting``: thousands separators, shares as percentages, intervals cut to what
the unit allows); each cell of a figure carries its exact values as ``data-`` attributes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from dash import html

from app.folders import Option
from app.layout import CANCEL
from app.runner import Job
from app.tables import (
    Figures,
    Pairing,
    cell,
    costs,
    figures,
    metrics_present,
    pairings,
    side_by_side,
)
from model.metrics import METRIC_UNITS, NATIONAL, fewer_is_better, label, short_label
from reports.comparison_report import KEY_METRICS, difference_sentence, verdict_rule
from reports.formatting import (
    DASH,
    display_unit,
    format_count,
    format_percent,
    format_value,
    interval_text,
    is_missing,
    is_share,
)

KEY_ROWS = tuple(dict.fromkeys((*KEY_METRICS, "lapsed")))
"""The outcomes shown first; the others follow under "more outcomes"."""


def unit_text(unit: str) -> str:
    """A unit as a table's column shows it: ``% of received`` for a share."""
    return f"% {display_unit(unit)}".strip() if is_share(unit) else unit


def _figure(found: Figures, option: str, metric: str, scope: str) -> html.Td:
    mean, low, high, unit = cell(found, option, metric, scope)
    data: dict[str, Any] = {"data-option": option, "data-metric": metric, "data-scope": scope,
            "data-mean": repr(mean), "data-ci-low": repr(low), "data-ci-high": repr(high)}
    if is_missing(mean):
        return html.Td(DASH, className="figure", **data)
    return html.Td([html.Div(format_value(mean, unit), className="mean"),
                    html.Div(interval_text(mean, low, high, unit), className="ci")],
                   className="figure", **data)


def _heading(option: Option) -> html.Th:
    seed = "" if option.seed is None else f", seed {option.seed}"
    return html.Th([html.Div(option.key, className="option-name"),
                    html.Div(f"{option.count:,} replications{seed}", className="ci")],
                   className="figure")


def _units(frame: pd.DataFrame) -> dict[str, str]:
    return {str(m): "" if pd.isna(u) else str(u)
            for m, u in zip(frame["metric"], frame["unit"], strict=True)}


def _metric_rows(frame: pd.DataFrame, options: Sequence[Option], metrics: Sequence[str],
                 scope: str) -> list[html.Tr]:
    units = _units(frame)
    found = figures(frame)
    rows = []
    for metric in metrics:
        name = label(metric) + (" (fewer is better)" if fewer_is_better(metric) else "")
        rows.append(html.Tr([html.Th(name, className="metric", title=metric),
                             html.Td(unit_text(units.get(metric, "")), className="unit")]
                            + [_figure(found, o.key, metric, scope) for o in options]))
    return rows


def outcomes_table(options: Sequence[Option], scope: str = NATIONAL) -> html.Div:
    """Every outcome of the options side by side, the key ones first, with intervals."""
    if not options:
        return html.Div("Tick at least one option above.", className="note")
    frame = side_by_side(options, scope)
    present = metrics_present(options)
    first = [m for m in KEY_ROWS if m in present]
    rest = [m for m in present if m not in first]
    head = html.Thead(html.Tr([html.Th("Outcome"), html.Th("Unit")]
                              + [_heading(o) for o in options]))
    where = "national" if scope == NATIONAL else f"in {scope}"
    return html.Div([
        html.Table([head, html.Tbody(_metric_rows(frame, options, first, scope))],
                   className="figures", id="outcomes-key"),
        html.Details([html.Summary(f"More outcomes ({len(rest)})"),
                      html.Table([head, html.Tbody(_metric_rows(frame, options, rest, scope))],
                                 className="figures", id="outcomes-more")]),
        html.P(_interval_note(options, where), className="note")])


def _interval_note(options: Sequence[Option], where: str) -> str:
    kinds = {o.interval or "95 % t-interval for the mean" for o in options}
    counts = ", ".join(f"{o.key}: {o.count:,}" for o in options)
    return (f"Figures {where}, over the whole horizon: mean, and below it the interval "
            f"({'; '.join(sorted(kinds))}). Replications each option rests on: {counts}.")


def state_table(options: Sequence[Option], metric: str) -> html.Div:
    """One outcome by state, options side by side."""
    states = list(dict.fromkeys(s for o in options for s in o.states))
    if not options or not states:
        return html.Div("No figures by state in these options.", className="note")
    frame = side_by_side(options)
    unit = _units(frame).get(metric, "")
    found = figures(frame)
    head = html.Thead(html.Tr([html.Th("State")] + [_heading(o) for o in options]))
    body = [html.Tr([html.Th(state, className="metric")]
                    + [_figure(found, o.key, metric, state) for o in options])
            for state in states]
    return html.Div([html.P(f"{label(metric)} ({unit_text(unit)}) by state.",
                            className="note"),
                     html.Table([head, html.Tbody(body)], className="figures",
                                id="states-table")])


def _difference(row: pd.Series) -> html.Td:
    share = is_share(METRIC_UNITS.get(str(row["metric"]), ""))
    scale, decimals = (100.0, 1) if share else (1.0, 0 if abs(row["mean_diff"]) >= 10 else 1)
    low, high = row.get("adjusted_ci_low", math.nan), row.get("adjusted_ci_high", math.nan)
    ends = DASH if is_missing(low) or is_missing(high) else \
        f"[{format_count(low * scale, decimals)}, {format_count(high * scale, decimals)}]"
    amount = f"{'+' if row['mean_diff'] > 0 else ''}" \
             f"{format_count(row['mean_diff'] * scale, decimals)}{' pp' if share else ''}"
    verdict = str(row.get("verdict", DASH))
    return html.Td([html.Div(amount, className="mean"), html.Div(ends, className="ci"),
                    html.Div(verdict, className=f"verdict {verdict.split()[0]}")],
                   className="figure",
                   **_data({"data-option": str(row["option_a"]), "data-metric": str(row["metric"]),
                      "data-verdict": verdict, "data-mean-diff": repr(float(row["mean_diff"]))}))


HEADLINES = ("raids", "arrests", "charges", "downloaded", "high_risk_examined_within_target")
"""The outcomes given a sentence each (the table below them gives every key outcome)."""


def differences(options: Sequence[Option], reference: Option | None, period: str = ""
                ) -> html.Div:
    """Each option minus the reference: a sentence per headline outcome, and a table."""
    others = [o for o in options if reference is None or o.key != reference.key]
    if reference is None or not others:
        return html.Div("Pick a reference and at least one other option to see differences.",
                        className="note")
    found = pairings(others, reference)
    parts: list[Any] = []
    for pairing in found:
        parts.append(html.H4(f"{pairing.option} against {reference.key}: {pairing.how}"))
        if pairing.rows is None:
            continue
        rows = pairing.rows.set_index("metric", drop=False)
        parts.append(html.Ul([html.Li(difference_sentence(rows.loc[metric], period))
                              for metric in HEADLINES if metric in rows.index],
                             className="sentences"))
    parts += [_difference_table(found), html.P(verdict_rule(_stack(found)), className="note")]
    return html.Div(parts)


def _stack(found: Sequence[Pairing]) -> pd.DataFrame:
    frames = [p.rows for p in found if p.rows is not None and not p.rows.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["option_a", "option_b", "threshold_share"])


def _difference_table(found: Sequence[Pairing]) -> html.Table | html.Div:
    paired = [p for p in found if p.rows is not None and not p.rows.empty]
    if not paired:
        return html.Div()
    metrics = [m for m in KEY_METRICS if any((p.rows["metric"] == m).any()  # type: ignore[index]
                                              for p in paired)]
    head = html.Thead(html.Tr([html.Th("Outcome (difference, adjusted interval, verdict)")]
                              + [html.Th(p.option, className="figure") for p in paired]))
    body = []
    for metric in metrics:
        cells: list[Any] = [html.Th(short_label(metric), className="metric")]
        for p in paired:
            rows = p.rows[p.rows["metric"] == metric]  # type: ignore[index]
            cells.append(_difference(rows.iloc[0]) if not rows.empty else html.Td(DASH))
        body.append(html.Tr(cells))
    return html.Table([head, html.Tbody(body)], className="figures", id="differences-table")


def _rm(value: float) -> str:
    return f"RM{format_count(value, 0)}"


def money(options: Sequence[Option]) -> html.Div:
    """The plans' costs: one-off, recurring a year, over the horizon, and by year."""
    priced = [(o, costs(o)) for o in options]
    rows = [html.Tr([html.Th(o.key, className="metric"), html.Td(_rm(c["one_off_rm"])),
                     html.Td(_rm(c["recurring_rm_per_year"])), html.Td(_rm(c["cost_rm"]))])
            for o, c in priced if c is not None]
    if not rows:
        return html.Div("None of the options shown is an optimised plan with a price "
                        "(plan.csv); runs and lever moves are not priced.", className="note")
    parts: list[Any] = [html.Table([html.Thead(html.Tr([
        html.Th("Plan"), html.Th("One-off"), html.Th("Recurring a year"),
        html.Th("Over the horizon")])), html.Tbody(rows)], className="figures money")]
    for option in options:
        if option.budget is not None and not option.budget.empty:
            parts.append(html.H4(f"{option.key}: money by year"))
            parts.append(plain_table(option.budget))
    return html.Div(parts)


def plain_table(frame: pd.DataFrame, shares: Sequence[str] = ()) -> html.Table:
    """A table as written in its CSV, numbers with thousands separators."""
    def text(column: str, value: Any) -> str:
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        if value is None or isinstance(value, str):
            return "" if value is None else str(value)
        if is_missing(value):
            return DASH
        if column == "year":
            return str(int(value))
        if column in shares:
            return format_percent(float(value))
        number = float(value)
        return f"{number:,.0f}" if abs(number) >= 100 or number.is_integer() \
            else f"{number:,.3g}"

    head = html.Thead(html.Tr([html.Th(str(c).replace("_", " ")) for c in frame.columns]))
    body = [html.Tr([html.Td(text(str(c), v)) for c, v in zip(frame.columns, row, strict=True)])
            for row in frame.itertuples(index=False)]
    return html.Table([head, html.Tbody(body)], className="plain")


def choice(options: Sequence[Option]) -> html.Div:
    """The certificate and the regret table of every optimised plan shown."""
    parts: list[Any] = []
    for option in options:
        if option.certificate is not None and not option.certificate.empty:
            parts += [html.H4(f"{option.key}: certificate"), plain_table(option.certificate)]
        if option.regret is not None and not option.regret.empty:
            parts.append(html.Details([
                html.Summary(f"{option.key}: regret across explanations and demand "
                             f"({len(option.regret)} rows)"),
                plain_table(option.regret, shares=("regret_share", "regret_of_gain"))]))
    return html.Div(parts or [html.Div("No certificate or regret table: none of the options "
                                       "shown is an optimisation.", className="note")])


def queue_view(jobs: Sequence[Job], positions: dict[int, int], others: int = 0
               ) -> html.Div:
    """A session's runs: place, progress bar, state and a Cancel button while unfinished.

    ``others`` counts the runs of other sessions waiting or running, named to no one.
    """
    besides = (html.Div(f"{others:,} run{'' if others == 1 else 's'} of other sessions "
                        "waiting or running.", className="note") if others else None)
    if not jobs:
        return html.Div([html.Div("No runs of yours: answers not in the cache run here, one "
                                  "at a time.", className="note"), besides])
    items = []
    for job in jobs[-8:]:
        place = positions.get(job.number, -1)
        state = {"queued": f"waiting, number {place} in the queue",
                 "running": f"running: {job.done:,} of {job.total:,} replications",
                 "done": f"done in {job.seconds:,.1f} s",
                 "failed": "failed", "cancelled": "cancelled"}[job.state]
        if job.message and job.state == "done":
            state += f"; {job.message}"
        stop = ([html.Button("Cancel", id={"type": CANCEL, "job": job.number},
                             className="cancel", title="stop waiting for this run; it stops "
                                                       "unless another session waits for it")]
                if job.state in ("queued", "running") else [])
        items.append(html.Li([
            html.Span(job.title, className="job-title"),
            html.Progress(value=str(job.done), max=str(max(job.total, 1))),
            html.Span(state, className="job-state"), *stop],
            className="job mine",
            **_data({"data-job": str(job.number), "data-state": job.state})))
    return html.Div([html.Ul(items, className="jobs"), besides])


def _data(attributes: dict[str, str]) -> dict[str, Any]:
    """``data-`` attributes as keyword arguments of a component."""
    return dict(attributes)
