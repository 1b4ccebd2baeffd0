"""The ``serve`` command's options and its start, for ``run_scenario.py serve``.

Light on purpose: the command line builds its parser from here on every run, so nothing
heavy (the web framework) is imported until the page is started.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.runs.arguments import port, positive_int

DEFAULT_PORT = 8050
DEFAULT_HOST = "127.0.0.1"
DEFAULT_CACHE = Path("runs") / "page-cache"
INSTALL = 'pip install -e ".[app]"'


def serve_options() -> argparse.ArgumentParser:
    """The options of ``serve`` (the executor's are the other commands')."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("folders", type=Path, nargs="*", metavar="RUN_DIR",
                         help="result folders whose options the page opens on: runs, "
                              "optimisations, comparisons; a sweep's points answer lever "
                              "moves at once")
    options.add_argument("--port", type=port, default=DEFAULT_PORT,
                         help=f"port to listen on (default {DEFAULT_PORT}; 0: any free one)")
    options.add_argument("--host", default=None, metavar="ADDRESS",
                         help=f"address to listen on (default {DEFAULT_HOST}: this machine "
                              "only); give another only to let other machines open the page")
    options.add_argument("--cache", type=Path, default=DEFAULT_CACHE, metavar="DIR",
                         help=f"where the page keeps the runs it makes (default "
                              f"{DEFAULT_CACHE}); answers found there are reused")
    options.add_argument("--workers", type=positive_int, default=None,
                         help="processes for each run the page starts (default: every "
                              "core); runs wait in one queue")
    return options


def serve_page(args: argparse.Namespace) -> int:
    """Start the page and serve until interrupted; 2 for a folder it cannot show."""
    try:
        from app.server import serve
    except ImportError as error:
        print(f"error: the page needs its extra packages ({error.name} is missing): "
              f"{INSTALL}", file=sys.stderr)
        return 2
    return serve(args.folders, host=args.host, port=args.port, cache=args.cache,
                 workers=args.workers, executor=args.executor, scheduler=args.scheduler)
