"""The ``serve`` command's options and its start, for ``run_scenario.py serve``.

Light on purpose: the command line builds its parser from here on every run, so nothing
heavy (the web framework) is imported until the page is started.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.limits import MB, Limits
from model.runs.arguments import port, positive_int

DEFAULT_PORT = 8050
DEFAULT_HOST = "127.0.0.1"
DEFAULT_CACHE = Path("runs") / "page-cache"
INSTALL = 'pip install -e ".[app]"'
SHORTEST_TOKEN = 16
DEFAULTS = Limits()


def token(text: str) -> str:
    """A token for the page's link: long enough to guess no faster than a password."""
    if len(text) < SHORTEST_TOKEN or not text.isprintable() or " " in text:
        raise argparse.ArgumentTypeError(f"must be {SHORTEST_TOKEN} or more characters "
                                         f"without spaces (got {len(text)})")
    return text


def _access_options(options: argparse.ArgumentParser) -> None:
    options.add_argument("--token", type=token, default=None,
                         help="the secret the page's link carries (default: one made at start "
                              "and printed once, needed whenever --host is not a loopback "
                              "address)")
    options.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                         help="a name browsers reach the page by (the Host: header), besides "
                              "the address it listens on; repeat for several")


def _limit_options(options: argparse.ArgumentParser) -> None:
    options.add_argument("--max-jobs-per-session", type=positive_int,
                         default=DEFAULTS.jobs_per_session, metavar="N",
                         help="runs one session may have waiting or running "
                              f"(default {DEFAULTS.jobs_per_session})")
    options.add_argument("--max-jobs", type=positive_int, default=DEFAULTS.jobs_in_all,
                         metavar="N", help="runs the page may have waiting or running in all "
                                           f"(default {DEFAULTS.jobs_in_all})")
    options.add_argument("--max-run-minutes", type=positive_int,
                         default=int(DEFAULTS.run_seconds // 60), metavar="MINUTES",
                         help="the longest run the page starts, by the run-size estimate "
                              f"(default {DEFAULTS.run_seconds / 60:.0f})")
    options.add_argument("--max-body-mb", type=positive_int,
                         default=DEFAULTS.body_bytes // MB, metavar="MB",
                         help=f"the largest request (default {DEFAULTS.body_bytes // MB} MB)")
    options.add_argument("--export-cache-mb", type=positive_int,
                         default=DEFAULTS.export_bytes // MB, metavar="MB",
                         help="what exported comparison pages may hold under the cache "
                              f"(default {DEFAULTS.export_bytes // MB} MB; the least "
                              "recently used go first)")


def limits(args: argparse.Namespace) -> Limits:
    """The page's limits from ``serve``'s options."""
    return Limits(jobs_per_session=args.max_jobs_per_session, jobs_in_all=args.max_jobs,
                  run_seconds=60.0 * args.max_run_minutes, body_bytes=args.max_body_mb * MB,
                  export_bytes=args.export_cache_mb * MB)


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
    _access_options(options)
    _limit_options(options)
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
                 workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                 limits=limits(args), token=args.token,
                 allowed_hosts=tuple(args.allowed_host))
