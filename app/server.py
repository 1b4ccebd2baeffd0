"""Start the page: the Dash app over a production WSGI server, on this machine by default.

Dash serves its own scripts (``serve_locally``): the page loads nothing from outside the
machine, sends no telemetry and checks for no updates.  Waitress serves it with a pool of
threads, so twenty sessions are answered side by side; runs started from the page wait in
the one queue of ``app.runner``.  Every request passes ``app.guard`` first (its name, its
token, its session) and carries at most ``Limits.body_bytes``: Waitress refuses a larger
body before reading it.
"""

from __future__ import annotations

import multiprocessing
import socket
import sys
from pathlib import Path
from typing import Any

from dash import Dash, set_props
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

from app import layout as ids
from app.callbacks import Page, register
from app.catalogue import Catalogue
from app.exports import Exports, plain
from app.folders import FolderError
from app.guard import is_loopback, needs_token, new_token, protect
from app.limits import Access, Limits
from app.runner import Runner, Settings
from model.experiments.executors import ExecutorKind
from model.experiments.replications import default_workers

ASSETS = Path(__file__).resolve().parent / "assets"
THREADS = 16
"""Waitress's threads: requests answered at once (the runs have their own queue)."""
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


def build_app(page: Page, access: Access | None = None) -> Dash:
    """The Dash app of a page (its layout is made afresh for each session).

    Every request is checked by ``app.guard`` for ``access`` (default: this machine only).
    """

    def on_error(error: Exception) -> None:
        # a callback that failed: one plain line at the top, never a traceback or a path
        set_props(ids.PAGE_ERROR, {"children": f"That could not be answered "
                                               f"({plain(str(error), page.roots)}); nothing "
                                               "was changed. Try again, or ask a planner."})

    app = Dash(__name__, title="MICAC planner: options", assets_folder=str(ASSETS),
               serve_locally=True, update_title="", on_error=on_error,
               compress=False)

    def session_layout() -> Any:
        return ids.layout(opening(page))

    app.layout = session_layout
    # no dev tools, and no check for a newer Dash (which would ask a server outside)
    app.enable_dev_tools(debug=False, dev_tools_ui=False, dev_tools_props_check=False,
                         dev_tools_hot_reload=False, dev_tools_disable_version_check=True)
    register(app, page)
    protect(app.server, access or Access("127.0.0.1"), app.csp_hashes(),
            page.runner.limits.body_bytes)
    return app


def make_page(folders: list[Path], cache: Path, settings: Settings,
              limits: Limits | None = None) -> tuple[Page, list[str]]:
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
    limits = limits or Limits()
    exports = Exports(cache / "exports", limits.export_bytes, catalogue.roots())
    return Page(catalogue, Runner(catalogue, settings, limits), exports), notes


def make_server(page: Page, access: Access, port: int) -> BaseWSGIServer | MultiSocketServer:
    """The page's Waitress server on ``access.host:port`` (not yet serving).

    Raises
    ------
    OSError
        If the address cannot be listened on.
    """
    # a reverse proxy on this machine may say the browser came over HTTPS (the cookies are
    # then sent over HTTPS only); the header is dropped from anyone else
    return create_server(build_app(page, access).server, host=access.host, port=port,
                         threads=THREADS, ident="micac-planner",
                         max_request_body_size=page.runner.limits.body_bytes,
                         trusted_proxy="127.0.0.1", trusted_proxy_headers={"x-forwarded-proto"})


def _use_forkserver() -> None:
    # Runs start process pools from a thread of a threaded server: a fork there could copy
    # a lock another thread holds.  Workers fork instead from a clean, single-threaded
    # server process that has the simulation imported once.
    if multiprocessing.get_start_method(allow_none=True) != "forkserver":
        multiprocessing.set_start_method("forkserver", force=True)
        multiprocessing.set_forkserver_preload(["model.experiments.replications"])


def serve(folders: list[Path], host: str | None, port: int, cache: Path,
          workers: int | None = None, executor: ExecutorKind = ExecutorKind.LOCAL,
          scheduler: str | None = None, limits: Limits | None = None,
          token: str | None = None, allowed_hosts: tuple[str, ...] = ()) -> int:
    """Serve the page until interrupted; 2 (with the reason) for a folder it cannot show.

    Beyond a loopback address the page needs a token: ``token``, or one made here and
    printed once in the page's link.
    """
    settings = Settings(workers or default_workers(), executor, scheduler)
    try:
        page, notes = make_page(folders, cache, settings, limits)
    except FolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _use_forkserver()
    address = host or "127.0.0.1"
    access = Access(address, token, tuple(allowed_hosts))
    if token is None and needs_token(access):
        access = Access(address, new_token(), access.allowed_hosts)
    try:
        server = make_server(page, access, port)
    except OSError as error:
        print(f"error: cannot listen on {address}:{port} ({error.strerror or error}); "
              "choose another --port", file=sys.stderr)
        return 2
    for note in notes:
        print(note, flush=True)
    _announce(page, access, getattr(server, "effective_port", port), settings, token)
    try:
        server.run()
    except KeyboardInterrupt:
        print("the page has stopped", file=sys.stderr)
    finally:
        server.close()
    return 0


def _announce(page: Page, access: Access, port: int, settings: Settings,
              given: str | None) -> None:
    """Print where the page is, who may open it, and its link with the token (once)."""
    address = access.host
    name = (address if is_loopback(address) and address != "::1" else
            "127.0.0.1" if is_loopback(address) else
            (access.allowed_hosts[0] if access.allowed_hosts else
             socket.gethostname() if address in ("0.0.0.0", "::") else address))
    where = ("this machine only (127.0.0.1); give --host to let other machines open it"
             if is_loopback(address) else
             f"{address}: other machines may open it only with the token, by the name "
             f"{name} (add others with --allowed-host); use a reverse proxy with TLS for "
             "real use (README)")
    link = f"http://{name}:{port}/"
    if access.token is not None:
        link += "?token=" + ("YOUR-TOKEN (the one given with --token)" if given
                             else access.token)
    print(f"the page is at {link} with {len(page.catalogue.options())} options; listening "
          f"on {where}; {settings.workers} worker(s) for its runs; Ctrl-C stops it",
          flush=True)
