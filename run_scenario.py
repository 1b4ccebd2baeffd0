"""Run a MICAC planning scenario and write its result folder.

    python run_scenario.py SCENARIO.yaml [--replications N] [--seed S] [--workers W]
                           [--set dotted.path=value ...] [--out DIR] [--force]
    python run_scenario.py schema [--out FILE]

Exit status: 0 done; 2 bad input (the message names the field and the fix);
130 or 143 interrupted (no result folder is left that looks complete).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
from tqdm import tqdm

from model.experiment import Replications, default_workers, run_replications, summarise
from model.loading import ScenarioError, json_schema, load_scenario
from model.results import MONTHLY_METRICS, WHOLE_HORIZON
from model.scenario import Scenario, assumptions_register
from reports.tables import (
    OutputError,
    check_destination,
    replications_table,
    summary_table,
    write_run_folder,
    yearly_table,
)

EXIT_BAD_INPUT = 2
PACKAGES = ("numpy", "pandas", "simpy", "scipy", "pydantic", "pyyaml", "ortools", "matplotlib")


class _Terminated(Exception):
    """SIGTERM arrived; unwound like Ctrl-C, with exit status 143."""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "schema":
        return write_schema(args[1:])
    return run(args)


def run_parser() -> argparse.ArgumentParser:
    """The options of a scenario run."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py",
        description="Simulate a scenario's tip-off pipeline over replications and write "
        "summary.csv, yearly.csv, replications.csv and run.json.",
    )
    parser.add_argument("scenario", type=Path, help="the scenario YAML file")
    parser.add_argument("--replications", type=_positive_int, default=None,
                        help="independent replications (default: the scenario's)")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="parallel processes (default: every core)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE",
                        help="override a field, e.g. download.bandwidth_mbps=50")
    parser.add_argument("--out", type=Path, default=None,
                        help="result folder (default: a new folder under runs/)")
    parser.add_argument("--force", action="store_true", help="replace an existing result folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(argv: list[str]) -> int:
    """Run a scenario end to end."""
    args = run_parser().parse_args(argv)
    started = time.perf_counter()
    try:
        scenario = load_scenario(args.scenario, args.overrides)
    except ScenarioError as error:
        return _refuse(str(error))
    updates: dict[str, Any] = {}
    if args.seed is not None:
        updates["seed"] = args.seed
    if args.replications is not None:
        updates["replications"] = args.replications
    scenario = scenario.model_copy(update=updates)
    out = args.out or _default_out(scenario)
    try:
        check_destination(out, args.force)
    except OutputError as error:
        return _refuse(str(error))
    workers = args.workers or default_workers()

    signal.signal(signal.SIGTERM, _on_sigterm)
    bar = tqdm(total=scenario.replications, desc=f"{scenario.name}", unit="replication",
               file=sys.stderr, disable=True if args.quiet else None)
    try:
        results = run_replications(scenario, scenario.replications, workers, bar.update)
    except KeyboardInterrupt:
        bar.close()
        print("interrupted: no results written", file=sys.stderr)
        return 130
    except _Terminated:
        bar.close()
        print("terminated: no results written", file=sys.stderr)
        return 143
    bar.close()

    tables = result_tables(results)
    info = run_info(scenario, workers, time.perf_counter() - started, argv)
    try:
        write_run_folder(out, tables, info, force=args.force)
    except OutputError as error:
        return _refuse(str(error))
    except OSError as error:
        return _refuse(f"cannot write the results to {out}: {error.strerror or error}")
    national = tables["summary.csv"].set_index(["scope", "metric"]).loc["national"]
    print(_headline(national, scenario))
    print(f"results in {out}")
    return 0


def result_tables(results: Replications) -> dict[str, pd.DataFrame]:
    """The run folder's tables, by file name."""
    metrics = results.metrics
    whole = metrics[metrics.year == WHOLE_HORIZON]
    yearly = metrics[metrics.year != WHOLE_HORIZON]
    return {
        "summary.csv": summary_table(summarise(whole, ["scope", "metric"])),
        "yearly.csv": yearly_table(summarise(yearly, ["year", "scope", "metric"])),
        "replications.csv": replications_table(whole),
        "monthly.csv": summarise(results.monthly, ["month", "metric"], MONTHLY_METRICS)[
            ["month", "metric", "unit", "mean", "ci_low", "ci_high"]],
        "delays.csv": summarise(results.delays, ["stage", "quantile"]).assign(unit="days")[
            ["stage", "quantile", "unit", "mean", "ci_low", "ci_high"]],
    }


def run_info(scenario: Scenario, workers: int, wall_seconds: float,
             argv: list[str]) -> dict[str, Any]:
    """What ``run.json`` records: everything needed to understand and repeat the run."""
    return {
        "scenario": scenario.model_dump(mode="json"),
        "seed": scenario.seed,
        "replications": scenario.replications,
        "workers": workers,
        "interval": "95 % t-interval over independent replications (randomness of events only)",
        "wall_time_seconds": round(wall_seconds, 3),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["run_scenario.py", *argv],
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in PACKAGES},
        "assumptions": assumptions_register(scenario),
    }


def write_schema(argv: list[str]) -> int:
    """Write the scenario JSON Schema to a file or standard output."""
    parser = argparse.ArgumentParser(prog="run_scenario.py schema",
                                     description="Write the scenario schema as JSON Schema.")
    parser.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        return _refuse(f"cannot write {args.out}: {error.strerror or error}")
    print(f"scenario schema written to {args.out}")
    return 0


def _headline(national: Any, scenario: Scenario) -> str:
    lines = [f"{scenario.name}: {scenario.replications} replications, seed {scenario.seed}, "
             f"{scenario.start_date} to {scenario.end_date} (national, mean [95 % CI])"]
    for metric in ("tipoffs_received", "downloaded", "raids", "arrests", "actioned", "lapsed"):
        row = national.loc[metric]
        lines.append(f"  {metric:<18} {row['mean']:>12,.0f}  [{row['ci_low']:,.0f}, "
                     f"{row['ci_high']:,.0f}] {row['unit']}")
    return "\n".join(lines)


def _default_out(scenario: Scenario) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{scenario.name}-{stamp}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {number})")
    return number


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _on_sigterm(signum: int, frame: object) -> NoReturn:
    raise _Terminated()


if __name__ == "__main__":
    sys.exit(main())
