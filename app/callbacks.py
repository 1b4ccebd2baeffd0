"""What the page does when a leader acts: each callback a plain function of the page's state.

The functions here take the :class:`Page` (the shared catalogue and queue) and the values
of the components, and return the components' new values; ``register`` wires them to the
Dash app.  None raises for bad input: the command line's message is returned beside the
field instead.

Each function that acts for a session takes its id (``session``, issued by ``app.guard``):
a session queues, sees, cancels and is told about only the runs it owns.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update

from app import layout as ids
from app import views
from app.catalogue import Catalogue, answer_key, option_scenario
from app.exports import Busy, Exports, inside, plain, shown_path
from app.folders import Option
from app.guard import session
from app.levers import check, lever_values, moves
from app.runner import ACTIVE, LimitError, Runner
from app.tables import side_by_side
from model.loading import ScenarioError
from model.metrics import NATIONAL
from model.runs.arguments import positive_int
from model.runs.sizing import SizeError


@dataclass(frozen=True)
class Page:
    """What every session shares: the options, the cache, the queue and the exports.

    ``answers`` remembers the tables of the last few questions: an option never changes
    once added, so the same options, reference, scope and metric give the same tables,
    and the twentieth leader asking what the first asked gets them at once.
    """

    catalogue: Catalogue
    runner: Runner
    exports: Exports
    answers: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)
    remembering: threading.Lock = field(default_factory=threading.Lock)

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders files may come from: those served and the cache."""
        return self.catalogue.roots()


REMEMBERED = 64
"""How many answers a page remembers (the oldest is forgotten first)."""


def choices(page: Page, pick: bool = False) -> list[dict[str, Any]]:
    """The options as a control lists them (``pick``: only those with a scenario)."""
    return [{"label": o.key, "value": o.key} for o in page.catalogue.options()
            if not pick or o.scenario is not None]


def shown_options(page: Page, keys: Sequence[str] | None) -> list[Option]:
    """The options ticked, in the catalogue's order."""
    wanted = set(keys or [])
    return [o for o in page.catalogue.options() if o.key in wanted]


def answer(page: Page, keys: Sequence[str] | None, reference: str | None, scope: str | None,
           metric: str | None) -> tuple[Any, ...]:
    """The tables of the options shown: outcomes, differences, by state, money, choice."""
    options = shown_options(page, keys)
    question = (tuple(o.key for o in options), reference, scope, metric)
    remembered = page.answers.get(question)
    if remembered is not None:
        return remembered
    chosen = page.catalogue.get(reference)
    found = (views.outcomes_table(options, scope or NATIONAL),
             views.differences(options, chosen if chosen in options else None),
             views.state_table(options, metric or "raids"),
             views.money(options), views.choice(options))
    with page.remembering:
        page.answers[question] = found
        while len(page.answers) > REMEMBERED:
            page.answers.pop(next(iter(page.answers)))
    return found


def levers_for(page: Page, start: str | None, paths: Sequence[str]) -> tuple[list[Any], Any]:
    """The fields' values for an option to start from, and its replications."""
    option = page.catalogue.get(start)
    if option is None or option.scenario is None:
        return [no_update] * len(paths), no_update
    values = lever_values(option.scenario)
    return [values.get(path, "") for path in paths], str(option.count or "")


@dataclass(frozen=True)
class Asked:
    """What the page shows after a leader asks: errors by field, a message, and changes."""

    errors: dict[str, str]
    replications_error: str
    message: str
    shown: list[str] | None = None
    job: int | None = None


def _replications(text: str | None) -> tuple[int | None, str]:
    try:
        return positive_int(str(text or "").strip()), ""
    except argparse.ArgumentTypeError as error:
        return None, f"--replications: {error}"


def ask(page: Page, start: str | None, values: dict[str, str], replications: str | None,
        vacant: bool, shown: Sequence[str] | None, owner: str = "") -> Asked:
    """Answer a lever move: from the cache at once, else queued for ``owner``; or the errors.

    A run longer than the page's limit (the command line's estimate) is refused beside the
    replications; one more run than a session, or the page, may have is refused beside
    the Answer button.
    """
    base = page.catalogue.get(start)
    if base is None:
        return Asked({}, "", "Choose an option to start from.")
    count, wrong = _replications(replications)
    if count is None:
        return Asked({}, wrong, "Fix the replications first.")
    try:
        scenario = option_scenario(base, count)
    except ScenarioError as error:
        return Asked({}, "", str(error))
    asked = moves(values, base.scenario or {}, vacant)
    checked = check(scenario, asked)
    if checked.scenario is None:
        errors = {path: "\n".join(lines) for path, lines in checked.problems.items()}
        return Asked(errors, "", "\n".join(checked.general) or
                     "Nothing was run: fix the fields marked.")
    try:
        page.runner.check_size(checked.scenario, count)
    except SizeError as error:
        return Asked({}, f"--replications: {error}",
                     "Nothing was run: too long for this page (see Replications).")
    moved = "; ".join(f"--set {text}" for text in asked.overrides) or "no lever moved"
    key = answer_key(checked.scenario, base.first)
    if page.catalogue.cached(key):
        option = page.catalogue.shown_answer(key, base, asked.overrides, asked.words)
        return Asked({}, "", f"Answered from the cache: {option.key}, {option.count:,} "
                     f"replications, seed {option.seed} ({moved}).",
                     shown=[*(shown or []), option.key])
    try:
        job = page.runner.run_option(base, checked.scenario, asked, owner)
    except LimitError as error:
        return Asked({}, "", str(error))
    return Asked({}, "", f"Not in the cache: running in the background, number "
                 f"{max(page.runner.position(job), 1)} in the queue ({moved}).", job=job.number)


def poll(page: Page, seen: int, announced: Sequence[int], shown: Sequence[str] | None,
         owner: str = "") -> tuple[Any, ...]:
    """New options (when the catalogue changed), the runs ``owner`` owns, and those ended.

    The runs listed and told are those the server holds for the session, never numbers the
    browser sends; ``announced`` is those whose end the page has already told.

    Returns the options' lists (or ``no_update``), the version seen, the queue's view, the
    options shown, the jobs announced and a message.
    """
    version = page.catalogue.version
    lists: list[Any] = [choices(page), choices(page), choices(page, pick=True),
                        choices(page, pick=True)] if version != seen else [no_update] * 4
    jobs = page.runner.owned(owner)
    positions = {job.number: page.runner.position(job) for job in jobs}
    told, added, messages = list(announced), [], []
    for job in jobs:
        if job.number in told or job.state in ACTIVE:
            continue
        told.append(job.number)
        if job.state == "failed":
            messages.append(f"Run failed: {plain(job.message, page.roots)}")
        elif job.option:
            added.append(job.option)
            messages.append(f"Run finished in {job.seconds:,.1f} s: {job.option} added.")
    fresh = [key for key in added if key not in (shown or [])]
    new_shown = [*(shown or []), *fresh] if fresh else no_update
    others = page.runner.active() - sum(job.state in ACTIVE for job in jobs)
    return (*lists, version, views.queue_view(jobs, positions, others), new_shown,
            told if len(told) > len(announced) else no_update,
            " ".join(messages) if messages else no_update)


def cancel(page: Page, number: int, owner: str) -> str:
    """Cancel a run for ``owner``: it stops when no other session waits for it."""
    return page.runner.cancel(number, owner)


def export_csv(page: Page, keys: Sequence[str] | None) -> dict[str, Any]:
    """The comparison shown as ``comparison.csv`` (every scope)."""
    frame = side_by_side(shown_options(page, keys))
    return {"content": frame.to_csv(index=False), "filename": "comparison.csv",
            "type": "text/csv"}


def export_page(page: Page, keys: Sequence[str] | None, reference: str | None
                ) -> tuple[Any, str]:
    """The comparison shown as the command line's self-contained ``comparison.html``."""
    options = shown_options(page, keys)
    chosen = page.catalogue.get(reference)
    if chosen is None or chosen not in options or len(options) < 2:
        return no_update, "Show two or more options, the reference among them."
    try:
        written = inside(page.exports.comparison(options, chosen), page.roots)
    except Busy as busy:
        return no_update, str(busy)
    if written is None:
        return no_update, "The comparison page could not be kept in the page's cache."
    return dcc.send_file(str(written)), f"Comparison page: {shown_path(written, page.roots)}."


def export_proposal(page: Page, keys: Sequence[str] | None) -> tuple[Any, str]:
    """The first optimised plan's ``proposal.pdf`` among the options shown.

    Only from inside the served folders: a link that leads elsewhere is refused.
    """
    for option in shown_options(page, keys):
        if option.proposal is not None:
            real = inside(option.proposal, page.roots)
            if real is None:
                return no_update, (f"Not sent: {option.key}'s proposal.pdf leads outside the "
                                   "folders this page serves.")
            return dcc.send_file(str(real)), shown_path(real, page.roots)
    return no_update, "No proposal: none of the options shown is an optimisation."


def export_yaml(page: Page, key: str | None) -> tuple[Any, str]:
    """An option's resolved scenario as YAML, which ``run_scenario.py run`` reads as it is."""
    option = page.catalogue.get(key)
    if option is None or option.scenario is None:
        return no_update, "Choose an option with a scenario (an optimisation's alternatives " \
                          "have figures only)."
    scenario = {k: v for k, v in option_scenario(option).model_dump(mode="json").items()
                if v is not None}
    head = [f"# {option.key}: the resolved scenario, seed {option.seed}, "
            f"{option.count} replications", f"# from {shown_path(option.folder, page.roots)}"]
    if option.overrides:
        head.append(f"# moved on the page from {option.base}: "
                    + " ".join(f"--set {text}" for text in option.overrides))
    if option.first:
        head.append(f"# its replications are numbered from {option.first:,}")
    text = "\n".join(head) + "\n" + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in option.key)
    return {"content": text, "filename": f"{name}.yaml", "type": "text/yaml"}, ""


def register(app: Dash, page: Page) -> None:
    """Wire the callbacks to the page's components."""
    _register_answers(app, page)
    _register_runs(app, page)
    _register_exports(app, page)


def build(page: Page, start: str | None, replications: str | None, owner: str = ""
          ) -> tuple[str, int | None]:
    """Queue the common lever moves from an option, to answer them at once later.

    Returns the message and the job queued (None if none was).
    """
    base = page.catalogue.get(start)
    count, wrong = _replications(replications)
    if base is None or count is None:
        return wrong or "Choose an option to start from.", None
    try:
        scenario = option_scenario(base, count)
        job = page.runner.build_cache(base, scenario, owner)
    except (ScenarioError, SizeError, LimitError) as error:
        return str(error), None
    return (f"Building the cache from {base.key}: {job.total:,} replications in the "
            "background (see Runs)."), job.number


def clicked_job(clicks: Sequence[int | None]) -> int | None:
    """The job whose Cancel button was clicked, or None (buttons only redrawn)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks):
        return None
    for entry in ctx.inputs_list[0] if ctx.inputs_list else []:
        if entry.get("id") == trigger and entry.get("value"):
            return int(trigger["job"])
    return None


def _register_runs(app: Dash, page: Page) -> None:
    lever = {"type": ids.LEVER, "path": ALL}
    error = {"type": ids.LEVER_ERROR, "path": ALL}

    @app.callback(Output(error, "children"), Output(lever, "className"),
                  Output(ids.REPLICATIONS_ERROR, "children"),
                  Output(ids.MESSAGE, "children", allow_duplicate=True),
                  Output(ids.SHOWN, "value", allow_duplicate=True),
                  Input(ids.ASK, "n_clicks"), State(ids.START_FROM, "value"),
                  State(lever, "value"), State(lever, "id"), State(ids.REPLICATIONS, "value"),
                  State(ids.VACANT, "value"), State(ids.SHOWN, "value"),
                  prevent_initial_call=True)
    def _ask(_: int, start: str | None, values: list[str], fields: list[dict[str, str]],
             replications: str | None, vacant: list[str] | None, shown: list[str] | None
             ) -> tuple[Any, ...]:
        paths = [field["path"] for field in fields]
        done = ask(page, start, dict(zip(paths, values, strict=True)), replications,
                   bool(vacant), shown, session())
        errors = [done.errors.get(path, "") for path in paths]
        classes = [ids.field_class(path, bool(done.errors.get(path))) for path in paths]
        return (errors, classes, done.replications_error, done.message,
                done.shown if done.shown is not None else no_update)

    @app.callback(Output(lever, "value"), Output(ids.REPLICATIONS, "value"),
                  Input(ids.START_FROM, "value"), State(lever, "id"))
    def _load(start: str | None, fields: list[dict[str, str]]) -> tuple[Any, Any]:
        return levers_for(page, start, [field["path"] for field in fields])

    @app.callback(Output(ids.MESSAGE, "children", allow_duplicate=True),
                  Input(ids.BUILD, "n_clicks"), State(ids.START_FROM, "value"),
                  State(ids.REPLICATIONS, "value"), prevent_initial_call=True)
    def _build(_: int, start: str | None, replications: str | None) -> str:
        return build(page, start, replications, session())[0]

    @app.callback(Output(ids.MESSAGE, "children", allow_duplicate=True),
                  Input({"type": ids.CANCEL, "job": ALL}, "n_clicks"),
                  prevent_initial_call=True)
    def _cancel(clicks: list[int | None]) -> Any:
        number = clicked_job(clicks)
        return no_update if number is None else cancel(page, number, session())


def _register_answers(app: Dash, page: Page) -> None:
    @app.callback(Output(ids.OUTCOMES, "children"), Output(ids.DIFFERENCES, "children"),
                  Output(ids.STATES, "children"), Output(ids.MONEY, "children"),
                  Output(ids.CHOICE, "children"),
                  Input(ids.SHOWN, "value"), Input(ids.REFERENCE, "value"),
                  Input(ids.SCOPE, "value"), Input(ids.STATE_METRIC, "value"))
    def _answer(keys: list[str] | None, reference: str | None, scope: str | None,
                metric: str | None) -> tuple[Any, ...]:
        return answer(page, keys, reference, scope, metric)

    @app.callback(Output(ids.SHOWN, "options"), Output(ids.REFERENCE, "options"),
                  Output(ids.START_FROM, "options"), Output(ids.YAML_OPTION, "options"),
                  Output(ids.SEEN, "data"), Output(ids.QUEUE, "children"),
                  Output(ids.SHOWN, "value", allow_duplicate=True),
                  Output(ids.ANNOUNCED, "data"),
                  Output(ids.MESSAGE, "children", allow_duplicate=True),
                  Input(ids.TICK, "n_intervals"), State(ids.SEEN, "data"),
                  State(ids.ANNOUNCED, "data"), State(ids.SHOWN, "value"),
                  prevent_initial_call="initial_duplicate")
    def _poll(_: int | None, seen: int | None, announced: list[int] | None,
              shown: list[str] | None) -> tuple[Any, ...]:
        return poll(page, -1 if seen is None else seen, announced or [], shown, session())


def _register_exports(app: Dash, page: Page) -> None:
    csv, html_page, yaml_file, proposal = ids.DOWNLOADS

    @app.callback(Output(csv, "data"), Input(ids.EXPORT_CSV, "n_clicks"),
                  State(ids.SHOWN, "value"), prevent_initial_call=True)
    def _csv(_: int, keys: list[str] | None) -> dict[str, Any]:
        return export_csv(page, keys)

    @app.callback(Output(html_page, "data"),
                  Output(ids.EXPORT_MESSAGE, "children", allow_duplicate=True),
                  Input(ids.EXPORT_PAGE, "n_clicks"), State(ids.SHOWN, "value"),
                  State(ids.REFERENCE, "value"), prevent_initial_call=True)
    def _page(_: int, keys: list[str] | None, reference: str | None) -> tuple[Any, str]:
        return export_page(page, keys, reference)

    @app.callback(Output(proposal, "data"),
                  Output(ids.EXPORT_MESSAGE, "children", allow_duplicate=True),
                  Input(ids.EXPORT_PROPOSAL, "n_clicks"), State(ids.SHOWN, "value"),
                  prevent_initial_call=True)
    def _proposal(_: int, keys: list[str] | None) -> tuple[Any, str]:
        return export_proposal(page, keys)

    @app.callback(Output(yaml_file, "data"),
                  Output(ids.EXPORT_MESSAGE, "children", allow_duplicate=True),
                  Input(ids.EXPORT_YAML, "n_clicks"), State(ids.YAML_OPTION, "value"),
                  prevent_initial_call=True)
    def _yaml(_: int, key: str | None) -> tuple[Any, str]:
        return export_yaml(page, key)
