"""Run MICAC planning scenarios and write their result folders.

    python run_scenario.py SCENARIO.yaml [--replications N|auto] [--seed S] [--workers W]
                           [--set dotted.path=value ...] [--uncertainty] [--out DIR] [--force]
    python run_scenario.py calibrate HISTORY.yaml [--replications N] [--seed S] [--no-write]
    python run_scenario.py sensitivity SCENARIO.yaml [--replications N]
    python run_scenario.py schema [--out FILE]

Exit status: 0 done; 2 bad input (the message names the field and the fix);
130 or 143 interrupted (no result folder is left that looks complete).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
from tqdm import tqdm

from model.calibration import calibrated_yaml, fit_parameters, fit_table, steps_table
from model.experiment import (
    Replications,
    default_workers,
    run_replications,
    run_until_precise,
    summarise,
)
from model.loading import ScenarioError, json_schema, load_scenario
from model.results import MONTHLY_METRICS, WHOLE_HORIZON
from model.scenario import Scenario, assumptions_register
from model.sensitivity import one_at_a_time, sensitivity_runs
from model.uncertainty import UncertainScenarios
from model.validation import analytic_checks, behavioural_checks
from reports.run_report import render_run_report
from reports.sensitivity_report import render_sensitivity_report
from reports.tables import (
    OutputError,
    check_destination,
    replications_table,
    summary_table,
    write_run_folder,
    yearly_table,
)
from reports.validation_report import render_validation_report

EXIT_BAD_INPUT = 2
PACKAGES = ("numpy", "pandas", "simpy", "scipy", "pydantic", "pyyaml", "ortools", "matplotlib")
EVENTS_ONLY = "95 % t-interval for the mean over independent replications (randomness of events)"
WITH_PARAMETERS = ("2.5th-97.5th percentile over replications, each drawing every assumption "
                   "uniformly from its plausible range (Latin hypercube): randomness of events "
                   "and uncertainty of the parameters")


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class _Terminated(Exception):
    """SIGTERM arrived; unwound like Ctrl-C, with exit status 143."""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[list[str]], int]] = {
        "schema": write_schema, "calibrate": calibrate, "sensitivity": sensitivity,
    }
    command = commands.get(args[0], None) if args else None
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return command(args[1:]) if command else run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: no results written", file=sys.stderr)
        return 130
    except _Terminated:
        print("terminated: no results written", file=sys.stderr)
        return 143


def _common_options(parser: argparse.ArgumentParser, replications_help: str) -> None:
    parser.add_argument("scenario", type=Path, help="the scenario YAML file")
    parser.add_argument("--replications", default=None, help=replications_help)
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="parallel processes (default: every core)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE",
                        help="override a field, e.g. download.bandwidth_mbps=50")
    parser.add_argument("--out", type=Path, default=None,
                        help="result folder (default: a new folder under runs/)")
    parser.add_argument("--force", action="store_true", help="replace an existing result folder")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(argv: list[str]) -> int:
    """Run a scenario end to end."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py",
        description="Simulate a scenario's tip-off pipeline over replications and write "
        "summary.csv, yearly.csv, replications.csv, run.json and report.html.",
    )
    _common_options(parser, "independent replications, or 'auto' to replicate until the "
                            "interval of actioned tip-offs is tight (default: the scenario's)")
    parser.add_argument("--precision", type=_share, default=0.02,
                        help="with --replications auto: relative half-width of the 95 %% "
                             "interval of national actioned tip-offs to reach (default 0.02)")
    parser.add_argument("--max-replications", type=_positive_int, default=200,
                        help="with --replications auto: stop here at the latest (default 200)")
    parser.add_argument("--uncertainty", action="store_true",
                        help="draw every assumption from its plausible range in each "
                             "replication (Latin hypercube)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    auto = args.replications == "auto"
    scenario, out, workers = _prepare(args, None if auto else args.replications)
    count = args.max_replications if auto else scenario.replications
    variants = UncertainScenarios.design(scenario, count) if args.uncertainty else None
    with _progress(count, scenario.name, args.quiet) as bar:
        if auto:
            results = run_until_precise(scenario, workers, args.precision, count, bar.update,
                                        variants)
        else:
            results = run_replications(scenario, count, workers, bar.update, variants)
    made = int(results.metrics.replication.nunique())
    scenario = scenario.model_copy(update={"replications": made})
    tables = result_tables(results, spread=args.uncertainty)
    info = run_info(scenario, workers, time.perf_counter() - started, argv,
                    WITH_PARAMETERS if args.uncertainty else EVENTS_ONLY)
    if auto:
        info["replications_rule"] = {
            "precision_share": args.precision, "cap": args.max_replications,
            "reached": made < args.max_replications or _precise(tables, args.precision),
        }
    _write(out, tables, info, args.force, [render_run_report])
    national = tables["summary.csv"].set_index(["scope", "metric"]).loc["national"]
    print(_headline(national, scenario, info["interval"]))
    if auto:
        verdict = "reached" if info["replications_rule"]["reached"] else "NOT reached (cap)"
        print(f"replications: {made} (precision {args.precision:.1%} {verdict})")
    print(f"results in {out}")
    return 0


def calibrate(argv: list[str]) -> int:
    """Fit the scenario's calibration parameters, verify, check and report."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py calibrate",
        description="Fit the assumptions listed under 'calibration' to the published totals, "
        "verify the fit over replications, run the analytic and behavioural checks and write "
        "validation.html; then write the fitted values and the end state for the scenarios.",
    )
    _common_options(parser, "replications of the verification run (default: the scenario's)")
    parser.add_argument("--no-write", action="store_true",
                        help="do not update the calibrated-parameters and end-state files")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenario, out, workers = _prepare(args, args.replications)
    if scenario.calibration is None:
        raise UserError(f"{args.scenario} has no 'calibration' section; see "
                        "scenarios/history_2018_2023.yaml for one")
    say = _say(args.quiet)
    say(f"fitting {len(scenario.calibration.fit)} parameter(s) to the published figures ...")
    fitted, steps = fit_parameters(scenario, workers, say)
    say(f"verifying with {fitted.replications} replications ...")
    with _progress(fitted.replications, fitted.name, args.quiet) as bar:
        results = run_replications(fitted, fitted.replications, workers, bar.update)
    say("analytic and behavioural checks ...")
    checks = analytic_checks(fitted) + behavioural_checks(fitted, workers=workers)
    tables = result_tables(results)
    fit = fit_table(fitted, results)
    tables |= {
        "fit.csv": fit,
        "fitted_parameters.csv": steps_table(steps),
        "checks.csv": pd.DataFrame([vars(check) for check in checks]),
    }
    info = run_info(fitted, workers, time.perf_counter() - started, ["calibrate", *argv],
                    EVENTS_ONLY)
    _write(out, tables, info, args.force, [render_run_report, render_validation_report])
    folder = args.scenario.parent
    calibration = scenario.calibration
    if not args.no_write:
        target = folder / calibration.write_to
        parent = _extends_of(target) or "baseline.yaml"
        _replace_file(target, calibrated_yaml(fitted, steps, parent, dt.date.today().isoformat()))
        _replace_file(folder / calibration.end_state_to,
                      tables["end_state.csv"].to_csv(index=False))
    print(fit[["metric", "published", "simulated_mean", "ci_low", "ci_high",
               "within_tolerance"]].to_string(index=False))
    print(steps_table(steps)[["parameter", "low", "prior", "fitted", "high", "status"]]
          .to_string(index=False))
    failed = [check.name for check in checks if not check.passed]
    print(f"checks: {len(checks) - len(failed)} of {len(checks)} passed"
          + (f"; FAILED: {'; '.join(failed)}" if failed else ""))
    if not args.no_write:
        print(f"wrote {folder / calibration.write_to} and {folder / calibration.end_state_to}")
    print(f"validation report: {out / 'validation.html'}")
    return 0


def sensitivity(argv: list[str]) -> int:
    """Swing of actioned tip-offs across each assumption's range."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py sensitivity",
        description="Move each assumption to the low and high end of its plausible range "
        "(common random numbers) and rank them by their effect on actioned tip-offs.",
    )
    _common_options(parser, "replications per setting (default 3)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenario, out, workers = _prepare(args, args.replications or "3")
    total = sensitivity_runs(scenario, scenario.replications)
    say = _say(args.quiet)
    say(f"{total} replications of {scenario.name} ({scenario.start_date} to "
        f"{scenario.end_date}) on {workers} worker(s)")
    with _progress(total, "sensitivity", args.quiet) as bar:
        table = one_at_a_time(scenario, scenario.replications, workers, progress=bar.update)
    info = run_info(scenario, workers, time.perf_counter() - started, ["sensitivity", *argv],
                    EVENTS_ONLY)
    _write(out, {"sensitivity.csv": table}, info, args.force, [render_sensitivity_report])
    print(table[["parameter", "low", "value", "high", "actioned_at_low", "actioned_at_high",
                 "swing"]].head(10).to_string(index=False))
    print(f"results in {out}")
    return 0


def result_tables(results: Replications, spread: bool = False) -> dict[str, pd.DataFrame]:
    """The run folder's tables, by file name."""
    metrics = results.metrics
    whole = metrics[metrics.year == WHOLE_HORIZON]
    yearly = metrics[metrics.year != WHOLE_HORIZON]
    return {
        "summary.csv": summary_table(summarise(whole, ["scope", "metric"], spread=spread)),
        "yearly.csv": yearly_table(summarise(yearly, ["year", "scope", "metric"], spread=spread)),
        "replications.csv": replications_table(whole),
        "monthly.csv": summarise(results.monthly, ["month", "metric"], MONTHLY_METRICS,
                                 spread=spread)[
            ["month", "metric", "unit", "mean", "ci_low", "ci_high"]],
        "delays.csv": summarise(results.delays, ["stage", "quantile"], spread=spread)
        .assign(unit="days")[["stage", "quantile", "unit", "mean", "ci_low", "ci_high"]],
        "end_state.csv": results.mean_end_state(),
    }


def run_info(scenario: Scenario, workers: int, wall_seconds: float, argv: list[str],
             interval_kind: str) -> dict[str, Any]:
    """What ``run.json`` records: everything needed to understand and repeat the run."""
    return {
        "scenario": scenario.model_dump(mode="json"),
        "seed": scenario.seed,
        "replications": scenario.replications,
        "workers": workers,
        "interval": interval_kind,
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
        raise UserError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"scenario schema written to {args.out}")
    return 0


def _prepare(args: argparse.Namespace, replications: str | None) -> tuple[Scenario, Path, int]:
    """Load the scenario with the command line's overrides; check the destination."""
    try:
        scenario = load_scenario(args.scenario, args.overrides)
    except ScenarioError as error:
        raise UserError(str(error)) from None
    updates: dict[str, Any] = {}
    if args.seed is not None:
        updates["seed"] = args.seed
    if replications is not None:
        try:
            updates["replications"] = _positive_int(replications)
        except argparse.ArgumentTypeError as error:
            raise UserError(f"--replications: {error} (or 'auto' where allowed)") from None
    scenario = scenario.model_copy(update=updates)
    out = args.out or _default_out(scenario)
    try:
        check_destination(out, args.force)
    except OutputError as error:
        raise UserError(str(error)) from None
    return scenario, out, args.workers or default_workers()


def _write(out: Path, tables: dict[str, pd.DataFrame], info: dict[str, Any], force: bool,
           renderers: list[Callable[[Path], Any]]) -> None:
    try:
        write_run_folder(out, tables, info, force=force, renderers=renderers)
    except OutputError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"cannot write the results to {out}: {error.strerror or error}") from None


def _replace_file(path: Path, text: str) -> None:
    """Write a file whole or not at all (temporary file, then rename)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def _extends_of(path: Path) -> str | None:
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("extends:"):
            return line.split(":", 1)[1].strip()
    return None


def _precise(tables: dict[str, pd.DataFrame], precision: float) -> bool:
    row = tables["summary.csv"].set_index(["scope", "metric"]).loc[("national", "actioned")]
    return (row.ci_high - row.ci_low) / 2 <= precision * abs(row["mean"])


def _progress(total: int, name: str, quiet: bool) -> tqdm:
    return tqdm(total=total, desc=name, unit="replication", file=sys.stderr,
                disable=True if quiet else None)


def _say(quiet: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)
    return say


def _headline(national: Any, scenario: Scenario, interval_kind: str) -> str:
    lines = [f"{scenario.name}: {scenario.replications} replications, seed {scenario.seed}, "
             f"{scenario.start_date} to {scenario.end_date} (national, mean [interval])",
             f"  interval: {interval_kind}"]
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


def _share(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, e.g. 0.02 (got {number})")
    return number


def _on_sigterm(signum: int, frame: object) -> NoReturn:
    raise _Terminated()


if __name__ == "__main__":
    sys.exit(main())
