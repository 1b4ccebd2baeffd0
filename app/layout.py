"""The page's layout: the options and their answers on the left, the levers on the right.

Every component a callback or a test reaches has its id named here once.  The lever
fields are pattern-matched: ``{"type": LEVER, "path": "states.SGR.officers.posts"}``, with
an error line beside each, ``{"type": LEVER_ERROR, "path": ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dash import dcc, html

from app.levers import (
    COURSE_KIND,
    COURSE_PLACES,
    COURSE_SITE,
    HQ_FIELDS,
    LINE,
    LINE_TIERS,
    STATE_COLUMNS,
    TODAYS_LINE,
    TOOL_FIELDS,
    WORKSTATIONS,
)
from model.metrics import HQ, NATIONAL, label
from model.schema_base import STATE_CODES, CourseKind
from reports.comparison_report import STATE_METRICS

LEVER, LEVER_ERROR = "lever", "lever-error"
SHOWN, REFERENCE, SCOPE, STATE_METRIC = "shown", "reference", "scope", "state-metric"
OUTCOMES, DIFFERENCES, STATES, MONEY, CHOICE = ("outcomes", "differences", "states", "money",
                                                "choice")
START_FROM, REPLICATIONS, REPLICATIONS_ERROR, VACANT = ("start-from", "replications",
                                                        "replications-error", "vacant")
ASK, BUILD, MESSAGE, QUEUE, TICK = "ask", "build-cache", "ask-message", "queue", "tick"
SEEN, ANNOUNCED, PAGE_ERROR, CANCEL = "seen", "announced", "page-error", "cancel"
EXPORT_CSV, EXPORT_PAGE, EXPORT_YAML, EXPORT_PROPOSAL = ("export-csv", "export-page",
                                                         "export-yaml", "export-proposal")
YAML_OPTION, EXPORT_MESSAGE = "yaml-option", "export-message"
DOWNLOADS = ("download-csv", "download-page", "download-yaml", "download-proposal")
POLL_MS = 1000
"""How often a page asks for the queue's progress and new options."""


DROPDOWNS = (LINE, *(path for path, _ in TOOL_FIELDS), COURSE_KIND, COURSE_SITE)
"""The lever fields chosen from a list; the others are typed."""


def field_class(path: str, wrong: bool = False) -> str:
    """The class of a lever field: a dropdown or a short text field, marked when wrong."""
    kind = "lever-dropdown" if path in DROPDOWNS else "lever short"
    return f"{kind} wrong" if wrong else kind


def _field(path: str) -> dcc.Input:
    return dcc.Input(id={"type": LEVER, "path": path}, type="text", inputMode="numeric",
                     debounce=False, className=field_class(path), value="")


def _error(path: str) -> html.Div:
    return html.Div(id={"type": LEVER_ERROR, "path": path}, className="field-error")


def _states() -> html.Table:
    head = html.Thead(html.Tr([html.Th("State")] + [html.Th(title)
                                                    for _, title in STATE_COLUMNS]))
    rows: list[Any] = []
    for code in STATE_CODES:
        paths = [f"states.{code}.{column}" for column, _ in STATE_COLUMNS]
        rows.append(html.Tr([html.Th(code)] + [html.Td(_field(p)) for p in paths]))
        rows.append(html.Tr(html.Td([_error(p) for p in paths], colSpan=4),
                            className="error-row"))
    return html.Table([head, html.Tbody(rows)], className="levers")


def _labelled(title: str, path: str, control: Any) -> html.Div:
    return html.Div([html.Label(title, htmlFor=str(path)), control, _error(path)],
                    className="lever-row")


def _dropdown(path: str, options: list[dict[str, str]]) -> dcc.Dropdown:
    return dcc.Dropdown(id={"type": LEVER, "path": path}, options=options, clearable=False,
                        searchable=False, className=field_class(path))


def _hq_line_tools() -> list[Any]:
    yes_no = [{"label": "not bought", "value": "false"}, {"label": "bought", "value": "true"}]
    line = [{"label": "today's line", "value": TODAYS_LINE}] + [
        {"label": f"{tier:,} Mbps", "value": str(tier)} for tier in LINE_TIERS]
    sites = [{"label": "HQ forensic team", "value": HQ}] + [
        {"label": f"{code} officers", "value": code} for code in STATE_CODES]
    return [
        html.H4("HQ posts"),
        *[_labelled(title, path, _field(path)) for path, title in HQ_FIELDS],
        html.H4("Line, tools and courses"),
        _labelled("HQ line", LINE, _dropdown(LINE, line)),
        *[_labelled(title, path, _dropdown(path, yes_no)) for path, title in TOOL_FIELDS],
        _labelled("Download workstations", WORKSTATIONS, _field(WORKSTATIONS)),
        _labelled("Course", COURSE_KIND, _dropdown(COURSE_KIND, [
            {"label": kind.value.replace("_", " "), "value": kind.value}
            for kind in CourseKind])),
        _labelled("Who takes it", COURSE_SITE, _dropdown(COURSE_SITE, sites)),
        _labelled("Places (0: none)", COURSE_PLACES, _field(COURSE_PLACES)),
    ]


def levers_panel(opening: Opening) -> html.Div:
    """The right-hand panel: where to start from, the levers, and the queue."""
    return html.Div([
        html.H2("Move levers"),
        html.Label("Start from", htmlFor=START_FROM),
        dcc.Dropdown(id=START_FROM, clearable=False, value=opening.start,
                     options=opening.pickable),
        html.Div([html.Label("Replications", htmlFor=REPLICATIONS),
                  dcc.Input(id=REPLICATIONS, type="text", className="lever short", value=""),
                  html.Div(id=REPLICATIONS_ERROR, className="field-error")],
                 className="lever-row"),
        dcc.Checklist(id=VACANT, options=[{"label": " new posts start vacant (filled after "
                                           "the recruitment lag)", "value": "vacant"}],
                      value=["vacant"]),
        html.Div([html.Button("Answer", id=ASK, className="primary"),
                  html.Button("Build the cache", id=BUILD,
                              title="run the common moves from this option in the "
                                    "background: a post more or fewer in each state and "
                                    "rank, each line tier")], className="buttons"),
        html.Div(id=MESSAGE, className="message", role="status"),
        html.H4("Runs"),
        html.Div(id=QUEUE),
        html.H4("State posts and campaigns"),
        _states(),
        *_hq_line_tools(),
    ], className="panel levers-panel")


def _exports(opening: Opening) -> html.Div:
    return html.Div([
        html.Button("Table as CSV", id=EXPORT_CSV),
        html.Button("Comparison page", id=EXPORT_PAGE),
        html.Button("Proposal (PDF)", id=EXPORT_PROPOSAL),
        dcc.Dropdown(id=YAML_OPTION, placeholder="option...", className="inline-dropdown",
                     options=opening.pickable),
        html.Button("Scenario YAML", id=EXPORT_YAML),
        html.Span(id=EXPORT_MESSAGE, className="note"),
        *[dcc.Download(id=name) for name in DOWNLOADS],
    ], className="exports")


@dataclass(frozen=True)
class Opening:
    """What a new session opens on: the options to list and tick, the reference, the start."""

    options: list[dict[str, str]] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    reference: str | None = None
    start: str | None = None
    pickable: list[dict[str, str]] = field(default_factory=list)
    """The options a lever can start from and whose YAML can be exported (with a scenario)."""


def _choices(opening: Opening) -> html.Div:
    scopes = [{"label": "National", "value": NATIONAL}] + [
        {"label": code, "value": code} for code in STATE_CODES]
    return html.Div([
        html.Div([html.Label("Options shown"),
                  dcc.Checklist(id=SHOWN, className="shown", inputClassName="tick",
                                options=opening.options, value=opening.shown)],
                 className="choice wide"),
        html.Div([html.Label("Reference", htmlFor=REFERENCE),
                  dcc.Dropdown(id=REFERENCE, clearable=False, options=opening.options,
                               value=opening.reference)], className="choice"),
        html.Div([html.Label("Figures for", htmlFor=SCOPE),
                  dcc.Dropdown(id=SCOPE, options=scopes, value=NATIONAL, clearable=False)],
                 className="choice narrow"),
    ], className="choices")


def layout(opening: Opening) -> html.Div:
    """The whole page, opening on ``opening``."""
    metric_options = [{"label": label(m), "value": m} for m in STATE_METRICS]
    return html.Div([
        html.Header([html.H1("MICAC planner: staffing options side by side"),
                     html.P("Served from this machine; the page fetches nothing from "
                            "outside it.", className="note")]),
        html.Div(id=PAGE_ERROR, className="page-error", role="alert"),
        html.Main([
            html.Div([
                _choices(opening), _exports(opening),
                html.H2("Outcomes"), html.Div(id=OUTCOMES),
                html.H2("Differences from the reference"), html.Div(id=DIFFERENCES),
                html.H2("By state"),
                dcc.Dropdown(id=STATE_METRIC, options=metric_options, value="raids",
                             clearable=False, className="inline-dropdown wide"),
                html.Div(id=STATES),
                html.H2("Money"), html.Div(id=MONEY),
                html.H2("How the plan was chosen"), html.Div(id=CHOICE),
            ], className="panel results"),
            levers_panel(opening),
        ], className="columns"),
        dcc.Interval(id=TICK, interval=POLL_MS),
        dcc.Store(id=SEEN, data=-1), dcc.Store(id=ANNOUNCED, data=[]),
    ], className="page")
