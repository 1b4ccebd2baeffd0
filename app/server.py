"""Start the page: the Dash app over a production WSGI server, on this machine by default.

Dash serves its own scripts (``serve_locally``): the page loads nothing from outside the
machine, sends no telemetry and checks for no updates.  Waitress serves it with a pool of
threads, so twenty sessions are answered side by side; runs started from the page wait in
the one queue of ``app.runner``.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path
from typing import Any

from dash import Dash, set_props
from waitress import create_server

from app import layout as ids
from app.callbacks import Page, register
from app.catalogue import Catalogue
from app.folders import FolderError
from app.runner import Runner, Settings
from model.experiments.executors import ExecutorKind
from model.experiments.replications import default_workers

ASSETS = Path(__file__).resolve().parent / "assets"
THREADS = 16
"""Waitress's threads: requests answered at once (the runs have their own queue)."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_SHOWN = 4
"""Options ticked when a session opens (the others are listed, unticked)."""


def opening(page: Page) -> ids.Opening:
    """What a new session opens on: the served folders' options, the first as reference."""
    options = page.catalogue.options()
    served = [o.key for o in options if o.kind != "page"][:MAX_SHOWN]
    pickable = [{"label": o.key, "value": o.key} for o in options if o.scenario is not None]
    return ids.Opening([{"label": o.key, "value": o.key} for o in options], served,
                       served[0] if served else None,
                       pickable[0]["value"] if pickable else None, pickable)


def _on_error(error: Exception) -> None:
    """A callback that failed: one plain line at the top of the page, never a traceback."""
    set_props(ids.PAGE_ERROR, {"children": f"That could not be answered ({error}); nothing "
                                           "was changed. Try again, or ask a planner."})


def build_app(page: Page) -> Dash:
    """The Dash app of a page (its layout is made afresh for each session)."""
    app = Dash(__name__, title="MICAC planner: options", assets_folder=str(ASSETS),
               serve_locally=True, update_title="", on_error=_on_error,
               compress=False)

    def session_layout() -> Any:
        return ids.layout(opening(page))

    app.layout = session_layout
    # no dev tools, and no check for a newer Dash (which would ask a server outside)
    app.enable_dev_tools(debug=False, dev_tools_ui=False, dev_tools_props_check=False,
                         dev_tools_hot_reload=False, dev_tools_disable_version_check=True)
    register(app, page)
    return app


def make_page(folders: list[Path], cache: Path, settings: Settings) -> tuple[Page, list[str]]:
    """The shared state of a page over ``folders``, and the notes to print.

    Raises
    ------
    FolderError
        If a folder cannot be shown.
    """
    catalogue = Catalogue(cache)
    notes = catalogue.load(folders)
    reused = catalogue.load_cache()
    if reused:
        notes.append(f"{cache}: {reused} answers of earlier sessions reused")
    return Page(catalogue, Runner(catalogue, settings), cache / "exports"), notes


def _use_forkserver() -> None:
    # Runs start process pools from a thread of a threaded server: a fork there could copy
    # a lock another thread holds.  Workers fork instead from a clean, single-threaded
    # server process that has the simulation imported once.
    if multiprocessing.get_start_method(allow_none=True) != "forkserver":
        multiprocessing.set_start_method("forkserver", force=True)
        multiprocessing.set_forkserver_preload(["model.experiments.replications"])


def serve(folders: list[Path], host: str | None, port: int, cache: Path,
          workers: int | None = None, executor: ExecutorKind = ExecutorKind.LOCAL,
          scheduler: str | None = None) -> int:
    """Serve the page until interrupted; 2 (with the reason) for a folder it cannot show."""
    settings = Settings(workers or default_workers(), executor, scheduler)
    try:
        page, notes = make_page(folders, cache, settings)
    except FolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _use_forkserver()
    address = host or "127.0.0.1"
    try:
        server = create_server(build_app(page).server, host=address, port=port,
                               threads=THREADS, ident="micac-planner")
    except OSError as error:
        print(f"error: cannot listen on {address}:{port} ({error.strerror or error}); "
              "choose another --port", file=sys.stderr)
        return 2
    bound = getattr(server, "effective_port", port)
    for note in notes:
        print(note, flush=True)
    options = len(page.catalogue.options())
    where = ("this machine only (127.0.0.1); give --host to let other machines open it"
             if host is None or host in LOOPBACK else
             f"{address}: every machine that can reach this one can open the page")
    print(f"the page is at http://{'127.0.0.1' if address in LOOPBACK else address}:{bound}/ "
          f"with {options} options; listening on {where}; {settings.workers} worker(s) "
          "for its runs; Ctrl-C stops it", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        print("the page has stopped", file=sys.stderr)
    finally:
        server.close()
    return 0
