"""Run MICAC planning scenarios and write their result folders.

    python run_scenario.py SCENARIO.yaml [options]       run a scenario (or optimise it)
    python run_scenario.py COMMAND ... [options]         calibrate, sensitivity, compare,
                                                         sweep, reproduce, schema

``python run_scenario.py --help`` lists the commands; ``COMMAND --help`` their options.
This module only wires: it parses the command line, loads scenarios, calls the model,
the solvers and the reports, and turns their errors into messages and exit statuses.

Exit status: 0 done; 1 a reproduction differs; 2 bad input (the message names the field
and the fix); 3 infeasible optimisation constraints (explained); 130 or 143 interrupted
(no result folder is left that looks complete).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
from tqdm import tqdm

from app.cli import serve_options, serve_page
from model.experiments import comparisons, sensitivity
from model.experiments.calibration import Executor, calibration_runs, fit_hypotheses
from model.experiments.executors import ExecutorKind
from model.experiments.hypotheses import calibration_tables, checks_table, write_calibrated
from model.experiments.replications import (
    Replications,
    default_workers,
    run_replications,
    run_until_precise,
)
from model.experiments.summaries import ResultTables, precise, result_tables
from model.experiments.sweep import Point, SweepError, run_points, sweep_points
from model.experiments.uncertainty import UncertainScenarios
from model.loading import (
    ScenarioError,
    available_hypotheses,
    history_for,
    json_schema,
    load_scenario,
)
from model.runs import record
from model.runs.arguments import non_negative_int, positive_int, share
from model.runs.provenance import ProvenanceError, provenance, recorded_scenario
from model.runs.record import EVENTS_ONLY, WITH_PARAMETERS, run_info
from model.runs.sizing import SizeError, check_run
from model.scenario import Scenario, with_values
from reports import console, ownership
from reports import run_folder as files
from reports.comparison_report import render_comparison
from reports.proposal import render_proposal
from reports.reproduction import Comparison, compare_folders
from reports.run_report import render_run_report
from reports.sensitivity_report import render_sensitivity_report
from reports.sweep_report import sweep_table, write_sweep
from reports.validation_report import render_validation_report
from solvers import records
from solvers.allocation import InfeasiblePlan
from solvers.explain import conflicts, describe_core
from solvers.loop import optimise_and_verify

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
PROG = "run_scenario.py"


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class Infeasible(Exception):
    """The optimisation constraints conflict; explained, exit status 3."""


class _Terminated(Exception):
    """SIGTERM arrived; unwound like Ctrl-C, with exit status 143."""


# ---------------------------------------------------------------------------------------
# The command line: one parser per command, shared options declared once
# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the command, and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if args and args[0] not in COMMANDS and args[0] not in ("-h", "--help"):
        args = ["run", *args]  # ``run_scenario.py SCENARIO.yaml`` needs no command word
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        namespace = parser.parse_args(args)
        namespace.argv = args[1:] if args and args[0] == "run" else args
        return int(namespace.handler(namespace))
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Infeasible as error:
        print(f"infeasible: {error}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except KeyboardInterrupt:
        print("interrupted: no results written", file=sys.stderr)
        return 130
    except _Terminated:
        print("terminated: no results written", file=sys.stderr)
        return 143
    finally:
        ownership.release_all()


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, each with a one-line summary for ``--help``."""
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Plan the resources of PDRM D11 / MICAC: simulate the tip-off pipeline "
        "under a scenario, optimise where posts and money go, and compare options.",
        epilog=f"A scenario file alone runs it: {PROG} scenarios/status_quo.yaml. "
        f"Each command has its own --help, e.g. {PROG} compare --help.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, (handler, summary, build) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary,
                                  parents=build(), prog=_prog(name))
        sub.set_defaults(handler=handler)
    def no_command(_: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_BAD_INPUT

    parser.set_defaults(handler=no_command)
    return parser


def _prog(command: str) -> str:
    return f"{PROG} [run]" if command == "run" else f"{PROG} {command}"


def _scenario_options(replications_help: str, replications_type: Any = str,
                      ) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("scenario", type=Path, help="the scenario YAML file")
    options.add_argument("--replications", type=replications_type, default=None,
                         help=replications_help)
    _seed_and_workers(options, "seed (default: the scenario's)")
    options.add_argument("--set", dest="overrides", action="append", default=[],
                         metavar="PATH=VALUE",
                         help="override a field, e.g. download.bandwidth_mbps=50")
    options.add_argument("--hypothesis", default=None, metavar="NAME",
                         help="the explanation of 2018-2023 to run under (default: the "
                              "scenario's); 'all' runs every calibrated one side by side")
    _output_options(options)
    return options


def _seed_and_workers(options: argparse.ArgumentParser, seed_help: str) -> None:
    options.add_argument("--seed", type=non_negative_int, default=None, help=seed_help)
    options.add_argument("--workers", type=positive_int, default=None,
                         help="parallel processes (default: every core)")


def _output_options(options: argparse.ArgumentParser) -> None:
    options.add_argument("--out", type=Path, default=None,
                         help="result folder (default: a new folder under runs/)")
    options.add_argument("--force", action="store_true",
                         help="replace an existing result folder")
    options.add_argument("--quiet", action="store_true", help="no progress output")


def _executor_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--executor", type=ExecutorKind, choices=list(ExecutorKind),
                         default=ExecutorKind.LOCAL,
                         help="local process pool (default) or a Dask cluster")
    options.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="with --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 "
                              "(default: a local cluster started for the run)")
    return options


def _run_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--precision", type=share, default=0.02,
                         help="with --replications auto: relative half-width of the 95 %% "
                              "interval of national actioned tip-offs to reach (default 0.02)")
    options.add_argument("--max-replications", type=positive_int, default=200,
                         help="with --replications auto: stop here at the latest (default 200)")
    options.add_argument("--uncertainty", action="store_true",
                         help="draw every assumption from its plausible range in each "
                              "replication (Latin hypercube)")
    options.add_argument("--language", choices=["en", "ms"], default="en",
                         help="language of an optimisation run's budget proposal: en "
                              "(English, default) or ms (Bahasa Melayu)")
    return [_scenario_options("independent replications, or 'auto' to replicate until the "
                              "interval of actioned tip-offs is tight (default: the "
                              "scenario's)"), options, _executor_options()]


def _calibrate_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--only", action="append", default=[], metavar="HYPOTHESIS",
                         help="calibrate only this hypothesis (repeatable; default: every one)")
    options.add_argument("--no-write", action="store_true",
                         help="do not update the calibrated files and end states")
    for field, default in (("write_to", "calibrated"), ("end_states_to", "end_states")):
        options.add_argument(f"--{field.replace('_', '-')}", type=Path, default=None,
                             metavar="DIR", help=f"write them to DIR (default: the history's "
                             f"calibration.{field}, {default}/ beside it)")
    return [_scenario_options("replications of the verification run (default: the "
                              "scenario's)"), options, _executor_options()]


def _sensitivity_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--refit", type=non_negative_int, default=sensitivity.REFITTED,
                         metavar="N",
                         help=f"refit the hypothesis to the history before measuring the N "
                              f"largest effects (default {sensitivity.REFITTED}; 0: no refit)")
    options.add_argument("--history", type=Path, default=None, metavar="HISTORY.yaml",
                         help="the history the refits match (default: "
                              "history_2018_2023.yaml beside the scenario)")
    return [_scenario_options("replications per setting (default 3)"), options]


def _compare_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("scenarios", type=Path, nargs="+", help="two or more scenario files")
    options.add_argument("--replications", type=positive_int, default=None,
                         help="replications of every option (default: the first option's)")
    _seed_and_workers(options, "seed (default: the first option's)")
    options.add_argument("--set", dest="overrides", action="append", default=[],
                         metavar="PATH=VALUE", help="override a field in every option")
    options.add_argument("--hypothesis", metavar="NAME", help="run every option under NAME")
    options.add_argument("--uncertainty", action="store_true", help="as run --uncertainty")
    options.add_argument("--threshold", type=share, default=0.01, metavar="SHARE", help="better "
                         "or worse only beyond SHARE of the reference's value (default 0.01)")
    _output_options(options)
    return [options]


def _sweep_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--vary", action="append", default=[], metavar="PATH=V1,V2,...",
                         help="values of a field (or PATH=LOW:HIGH with --samples)")
    options.add_argument("--samples", type=positive_int, default=None,
                         help="Latin-hypercube points instead of the full factorial")
    return [_scenario_options("replications per point (default: the scenario's)"), options,
            _executor_options()]


def _reproduce_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("folder", type=Path, help="a run folder written by run_scenario.py")
    options.add_argument("--workers", type=positive_int, default=None,
                         help="parallel processes (default: every core; the numbers do not "
                              "depend on it)")
    options.add_argument("--quiet", action="store_true", help="no progress output")
    return [options]


def _schema_options() -> list[argparse.ArgumentParser]:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--out", type=Path, default=None,
                         help="file to write (default: standard output)")
    return [options]


# ---------------------------------------------------------------------------------------
# One function per command
# ---------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Run a scenario end to end (or optimise it, if it has an ``optimise`` section)."""
    if args.hypothesis == "all":
        return run_under_each_hypothesis(args)
    started = time.perf_counter()
    auto = args.replications == "auto"
    scenario, out, workers = _prepare(args, None if auto else args.replications)
    _check_size(scenario, args.max_replications if auto else scenario.replications, workers,
                uncertain=args.uncertainty)
    if scenario.optimise is not None:
        if auto or args.uncertainty:
            raise UserError("an optimisation run takes a fixed --replications (the paired "
                            "comparisons need the same count for every option)")
        return optimise(scenario, out, workers, args, started)
    count = args.max_replications if auto else scenario.replications
    variants = UncertainScenarios.design(scenario, count) if args.uncertainty else None
    results = _replicate(scenario, count, workers, args.quiet, variants,
                         args.precision if auto else None, args.executor, args.scheduler)
    made = int(results.metrics.replication.nunique())
    scenario = scenario.model_copy(update={"replications": made})
    tables = result_tables(results, spread=args.uncertainty)
    interval = f"{WITH_PARAMETERS}: {variants.describe()}" if variants else EVENTS_ONLY
    info = run_info(scenario, workers, time.perf_counter() - started, args.argv, interval)
    if variants is not None:
        info["uncertainty_drawn_from"] = variants.describe()
    if auto:
        reached = made < args.max_replications or precise(tables.summary, args.precision)
        info["replications_rule"] = {"precision_share": args.precision,
                                     "cap": args.max_replications, "reached": reached}
    _write(out, files.result_files(tables), info, args.force, [render_run_report])
    print(console.headline(tables.summary, f"{scenario.name}: {scenario.replications} "
                           "replications, "
                   f"seed {scenario.seed}, {scenario.start_date} to {scenario.end_date} "
                   "(national, mean [interval])", interval))
    if auto:
        verdict = "reached" if info["replications_rule"]["reached"] else "NOT reached (cap)"
        print(f"replications: {made} (precision {args.precision:.1%} {verdict})")
    print(f"results in {out}")
    return 0


def run_under_each_hypothesis(args: argparse.Namespace) -> int:
    """Run a scenario under every calibrated hypothesis, side by side, with common seeds."""
    started = time.perf_counter()
    names = available_hypotheses(args.scenario)
    if not names:
        raise UserError(f"{args.scenario} does not run under a hypothesis (its chain has no "
                        "'extends: calibrated/{hypothesis}.yaml'); --hypothesis all needs one")
    if args.replications == "auto" or args.uncertainty:
        raise UserError("--hypothesis all takes a fixed --replications and no --uncertainty "
                        "(the hypotheses are compared replication by replication)")
    options = {}
    for name in names:
        args.hypothesis = name
        options[name], out, workers = _prepare(args, args.replications)
    if any(option.optimise is not None for option in options.values()):
        raise UserError("--hypothesis all runs scenarios; optimise under one hypothesis at a "
                        "time (--hypothesis NAME)")
    replications = options[names[0]].replications
    for scenario in options.values():
        _check_size(scenario, replications, workers)
    with _progress(replications * len(options), "hypotheses", args.quiet) as bar:
        results = comparisons.run_options(options, replications, workers, bar.update)
    paired = comparisons.each_later_against_each_earlier(results)
    elapsed = time.perf_counter() - started
    info = record.comparison_info(options, [str(args.scenario)] * len(names), workers,
                                  elapsed, args.argv) | {"compared": "hypotheses"}
    tables = {name: result_tables(results[name]) for name in names}
    folders = _hypothesis_folders({name: (options[name], tables[name]) for name in names},
                                  workers, elapsed, args.argv)
    _write(out, {files.COMPARISON_CSV: comparisons.comparison_table(results),
                 files.PAIRED_DIFF_CSV: paired}, info, args.force, [folders, render_comparison])
    for name in names:
        print(console.headline(tables[name].summary, f"{options[name].name} under {name}: "
                               f"{replications} replications, seed {options[name].seed}",
                               EVENTS_ONLY))
    print(f"results in {out} (one folder a hypothesis under {files.HYPOTHESES_FOLDER}/, "
          f"side by side in {files.COMPARISON_HTML})")
    return 0


def optimise(scenario: Scenario, out: Path, workers: int, args: argparse.Namespace,
             started: float) -> int:
    """Propose candidates, choose one by simulation, certify it, write it all."""
    problems = conflicts(scenario)
    if problems:
        raise Infeasible("the optimisation constraints cannot all hold:\n"
                         + "\n".join(f"  - {p}" for p in problems))
    hypotheses = {name: scenario.model_copy(update={"seed": scenario.seed}) if
                  name == scenario.hypothesis else _load(args.scenario, [
                      *args.overrides, f"hypothesis={name}", f"seed={scenario.seed}"])
                  for name in available_hypotheses(args.scenario)}
    console.show_progress_lines("solvers", args.quiet)
    try:
        with _progress(0, "replications", args.quiet) as bar:
            outcome = optimise_and_verify(scenario, scenario.replications, workers, bar.update,
                                          args.scenario.parent, hypotheses or None,
                                          args.executor, args.scheduler)
    except InfeasiblePlan as error:
        raise Infeasible(describe_core(error.groups)) from None
    except TimeoutError as error:
        raise UserError(str(error)) from None
    tables = files.result_files(result_tables(outcome.results["optimised"]))
    tables |= records.optimisation_files(outcome)
    info = run_info(scenario, workers, time.perf_counter() - started, args.argv, EVENTS_ONLY)
    info |= records.plan_record(outcome, scenario)
    language = args.language

    def proposal(folder: Path) -> list[Path]:
        return render_proposal(folder, language)

    _write(out, tables, info, args.force, [render_run_report, proposal])
    print(records.plan_summary(outcome, scenario))
    print(f"results in {out}")
    return 0


def calibrate(args: argparse.Namespace) -> int:
    """Calibrate every hypothesis of the history, check the model and report them side by side."""
    started = time.perf_counter()
    scenario, out, workers = _prepare(args, args.replications)
    settings = scenario.calibration
    if settings is None:
        raise UserError(f"{args.scenario} has no 'calibration' section; see "
                        "scenarios/history_2018_2023.yaml for one")
    unknown = [name for name in args.only if name not in settings.hypotheses]
    if unknown:
        raise UserError(f"--only {', '.join(unknown)}: not a hypothesis of {args.scenario} "
                        f"(its hypotheses: {', '.join(settings.hypotheses)})")
    names = args.only or list(settings.hypotheses)
    _check_size(scenario, calibration_runs(scenario, len(names)), workers)
    say = _say(args.quiet)
    say(f"calibrating {len(names)} hypotheses jointly against {len(settings.targets)} "
        f"published figures, {settings.waves} waves ...")
    with _progress(calibration_runs(scenario, len(names), checks=False), "calibration",
                   args.quiet) as bar:
        fits = fit_hypotheses(scenario, names, Executor(workers, args.executor, args.scheduler),
                              bar.update, say)
    say("analytic and behavioural checks ...")
    tables = calibration_tables(fits, scenario, checks_table(fits, workers))
    elapsed = time.perf_counter() - started
    info = run_info(scenario, workers, elapsed, args.argv, EVENTS_ONLY) | {"hypotheses": names}
    folders = _hypothesis_folders(
        {fit.name: (fit.scenario, result_tables(fit.verification)) for fit in fits},
        workers, elapsed, args.argv)
    _write(out, files.calibration_files(tables), info, args.force,
           [folders, render_validation_report])
    print(console.calibration_lines(tables.hypotheses, tables.fitted_parameters,
                                    tables.discriminators,
                            tables.checks))
    if not args.no_write:
        written = write_calibrated(args.scenario.parent, fits, scenario,
                                   dt.date.today().isoformat(), args.write_to,
                                   args.end_states_to)
        print(f"wrote {len(written)} files: calibrated values and end states "
              f"({', '.join(str(path) for path in written[:2])}, ...)")
    print(f"took {time.perf_counter() - started:,.0f} s; validation report: "
          f"{out / files.VALIDATION_HTML}")
    return 0


def analyse_sensitivity(args: argparse.Namespace) -> int:
    """Swing of actioned tip-offs across each assumption's range, the largest refitted."""
    started = time.perf_counter()
    scenario, out, workers = _prepare(args, args.replications or "3")
    history = _history_for(args, scenario)
    refitted = args.refit if history is not None else 0
    total = sensitivity.sensitivity_runs(scenario, scenario.replications, refitted,
                             history.calibration.replications if history and
                             history.calibration else 0)
    _check_size(scenario, total, workers, variants=[
        with_values(scenario, values)
        for _, _, lows, highs in sensitivity.sensitivity_settings(scenario)
        for values in (lows, highs)])
    say = _say(args.quiet)
    say(f"about {total} replications of {scenario.name} ({scenario.start_date} to "
        f"{scenario.end_date}) and its history on {workers} worker(s)"
        + (f"; the {refitted} largest effects refitted to {args.history or 'the history'}"
           if refitted else "; no refit (no calibrated hypothesis or history)"))
    with _progress(total, "sensitivity", args.quiet) as bar:
        table = sensitivity.one_at_a_time(scenario, scenario.replications, workers,
                                          progress=bar.update)
        if refitted and history is not None:
            table = sensitivity.refit_largest(scenario, history, table, scenario.replications,
                                              workers,
                                  top=refitted, progress=bar.update, announce=say)
    info = run_info(scenario, workers, time.perf_counter() - started, args.argv, EVENTS_ONLY)
    info["refitted_to"] = str(history.name) if history is not None and refitted else None
    _write(out, {files.SENSITIVITY_CSV: table}, info, args.force, [render_sensitivity_report])
    print(console.sensitivity_lines(table))
    print(f"results in {out}")
    return 0


def _history_for(args: argparse.Namespace, scenario: Scenario) -> Scenario | None:
    if scenario.hypothesis is None or args.refit == 0:
        return None
    try:
        return history_for(scenario, args.history, args.scenario.parent)
    except ScenarioError as error:
        raise UserError(f"{error}; or --refit 0") from None


def compare(args: argparse.Namespace) -> int:
    """Run several scenarios with common random numbers and compare them side by side."""
    started = time.perf_counter()
    names = [path.stem for path in args.scenarios]
    if len(names) < 2 or len(set(names)) != len(names):
        raise UserError("compare needs at least two scenario files" if len(names) < 2 else
                        f"options are named after their files, and two share a name: {names}")
    overrides = args.overrides + [f"hypothesis={args.hypothesis}"] * bool(args.hypothesis)
    options = comparisons.option_scenarios({path.stem: _load(path, overrides) for path in
                                            args.scenarios}, args.seed, args.replications)
    out = args.out or Path("runs") / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _check_destination(out, args.force)
    workers, replications = args.workers or default_workers(), options[names[0]].replications
    for scenario in options.values():
        _check_size(scenario, replications, workers, uncertain=args.uncertainty)
    with _progress(replications * len(options), "compare", args.quiet) as bar:
        compared = comparisons.compare_options(options, workers, bar.update, args.uncertainty,
                                               args.threshold)
    info = record.comparison_info(options, [str(path) for path in args.scenarios], workers,
                                  time.perf_counter() - started, args.argv) | compared.record
    _write(out, {files.COMPARISON_CSV: compared.table, files.PAIRED_DIFF_CSV: compared.paired},
           info, args.force, [render_comparison])
    print(console.paired_lines(compared.paired), f"results in {out}", sep="\n")
    return 0


def sweep(args: argparse.Namespace) -> int:
    """Run a scenario at every point of a design, as one pool; resume after an interruption."""
    started = time.perf_counter()
    base, out, workers = _prepare(args, args.replications, allow_existing=True)
    try:
        points, scenarios = sweep_points(base, args.vary, args.samples)
    except SweepError as error:
        raise UserError(str(error)) from None
    ownership.mark_sweep(out, {"command": ["run_scenario.py", "sweep", *args.argv]})
    where = {point.name: out / files.POINTS_FOLDER / point.name for point in points}
    pending = [point for point in points if not files.is_complete(where[point.name])]
    for point in points:
        _say(args.quiet)(f"point {point.name} {point.values}: "
                         + ("to run" if point in pending else "done before, kept"))

    def write(point: Point, scenario: Scenario, results: Replications) -> None:
        info = run_info(scenario, workers, 0.0, args.argv, EVENTS_ONLY) | {"point": point.values}
        _write(where[point.name], files.result_files(result_tables(results)), info, False, [])

    count = sum(scenarios[point.name].replications for point in pending)
    with _progress(count, f"{len(pending)} points", args.quiet) as bar:
        run_points(scenarios, pending, write, workers, bar.update, args.executor, args.scheduler)
    write_sweep(out, sweep_table([(p.name, p.values, where[p.name]) for p in points]),
                list(points[0].values))
    print(f"{len(points)} points in {time.perf_counter() - started:,.0f} s; "
          f"{files.SWEEP_CSV} and {files.SWEEP_PNG} in {out}")
    return 0


def reproduce(args: argparse.Namespace) -> int:
    """Re-run a finished run from its ``run.json`` and check that every number is the same."""
    try:
        info = files.read_run_record(args.folder)
        changes = ownership.check_folder(args.folder, info)
        if changes.record_edited:
            print("NOT reproduced: the record was changed after the run; re-running it would "
                  "check the edit, not the run", *changes.lines(), sep="\n")
            return EXIT_MISMATCH
        scenario, resolves_differently = recorded_scenario(info, args.folder / files.RUN_JSON)
    except (files.OutputError, ProvenanceError) as error:
        raise UserError(str(error)) from None
    if not changes.sealed:
        print(f"note: {args.folder} was written before run folders carried a manifest; only "
              "its tables are compared", file=sys.stderr)
    if resolves_differently:
        print("note: the recorded scenario resolves differently under this version (its "
              "SHA-256 differs); the comparison will show whether the numbers moved",
              file=sys.stderr)
    rule = info.get("replications_rule")
    uncertain = "uncertainty_drawn_from" in info or str(info.get("interval", "")).startswith(
        "2.5th-97.5th")
    count = int(rule["cap"]) if rule else scenario.replications
    workers = args.workers or default_workers()
    _check_size(scenario, count, workers, uncertain=uncertain)
    _say(args.quiet)(
        f"re-running {scenario.name}: seed {scenario.seed}, "
        + (f"until {rule['precision_share']:.1%} precision (at most {count})" if rule
           else f"{count} replications")
        + (", parameters drawn as recorded" if uncertain else "")
        + f"; recorded with {record.made_with(info)}, now {record.made_with(provenance(scenario))}")
    variants = UncertainScenarios.design(scenario, count) if uncertain else None
    results = _replicate(scenario, count, workers, args.quiet, variants,
                         float(rule["precision_share"]) if rule else None)
    with tempfile.TemporaryDirectory(prefix="micac-reproduce-") as temporary:
        files.write_tables(Path(temporary),
                           files.result_files(result_tables(results, spread=uncertain)))
        comparison = compare_folders(args.folder, Path(temporary))
    return _report_reproduction(args.folder, comparison, changes)


def write_schema(args: argparse.Namespace) -> int:
    """Write the scenario JSON Schema to a file or standard output."""
    text = json.dumps(json_schema(), indent=2) + "\n"  # overlays and whole files alike
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"scenario schema written to {args.out}")
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str,
                          Callable[[], list[argparse.ArgumentParser]]]] = {
    "run": (run, "simulate a scenario (the default: a scenario file alone runs it); with an "
                 "optimise section, optimise and verify a plan and write the budget proposal",
            _run_options),
    "calibrate": (calibrate, "fit the history scenario's assumptions to the published "
                             "2018-2023 figures, check the model and write validation.html",
                  _calibrate_options),
    "sensitivity": (analyse_sensitivity, "move each assumption to the ends of its range and "
                                         "rank them "
                                 "by their effect on actioned tip-offs", _sensitivity_options),
    "compare": (compare, "run two or more scenarios with common random numbers and compare "
                         "them side by side (comparison.html)", _compare_options),
    "sweep": (sweep, "run a scenario at every point of a factorial or Latin-hypercube design; "
                     "resumes after an interruption", _sweep_options),
    "reproduce": (reproduce, "re-run a finished run from its run.json and check every number",
                  _reproduce_options),
    "schema": (write_schema, "write the scenario files' JSON Schema (for editors)",
               _schema_options),
    "serve": (serve_page, "start the leadership page on this machine (127.0.0.1): the "
                          "options of result folders side by side, levers to move",
              lambda: [serve_options(), _executor_options()]),
}
"""Every command: its function, its one-line summary, and its options."""


# ---------------------------------------------------------------------------------------
# Wiring shared by the commands
# ---------------------------------------------------------------------------------------


def _hypothesis_folders(runs: dict[str, tuple[Scenario, ResultTables]], workers: int,
                        elapsed: float, argv: list[str]) -> Callable[[Path], None]:
    """A renderer writing one run folder per hypothesis under ``hypotheses/``."""
    folders = {name: (files.result_files(tables),
                      run_info(scenario, workers, elapsed, argv, EVENTS_ONLY)
                      | {"hypothesis": name}) for name, (scenario, tables) in runs.items()}

    def write(folder: Path) -> None:
        files.write_subfolders(folder, files.HYPOTHESES_FOLDER, folders, [render_run_report])

    return write


def _load(path: Path, overrides: list[str]) -> Scenario:
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        raise UserError(str(error)) from None


def _prepare(args: argparse.Namespace, replications: str | None,
             allow_existing: bool = False) -> tuple[Scenario, Path, int]:
    """Load the scenario with the command line's overrides; check the destination.

    ``allow_existing`` lets a sweep resume into the folder it started.
    """
    overrides = list(args.overrides)
    if getattr(args, "hypothesis", None) and args.hypothesis != "all" and "only" not in args:
        overrides.append(f"hypothesis={args.hypothesis}")
    scenario = _load(args.scenario, overrides)
    updates: dict[str, Any] = {}
    if args.seed is not None:
        updates["seed"] = args.seed
    if replications is not None:
        try:
            updates["replications"] = positive_int(replications)
        except argparse.ArgumentTypeError as error:
            raise UserError(f"--replications: {error} (or 'auto' where allowed)") from None
    scenario = scenario.model_copy(update=updates)
    out = args.out or Path("runs") / f"{scenario.name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _check_destination(out, args.force, sweep=allow_existing)
    return scenario, out, args.workers or default_workers()


def _check_destination(out: Path, force: bool, sweep: bool = False) -> None:
    """Check the destination, then hold it for the run (and check again, now race-free)."""
    try:
        files.check_destination(out, force, sweep)
        files.claim_destination(out)
        files.check_destination(out, force, sweep)
    except files.OutputError as error:
        raise UserError(str(error)) from None


def _check_size(scenario: Scenario, replications: int, workers: int, uncertain: bool = False,
                variants: list[Scenario] | None = None) -> None:
    try:
        check_run(scenario, replications, workers, uncertain, variants or ())
    except SizeError as error:
        raise UserError(str(error)) from None


def _write(out: Path, tables: dict[str, pd.DataFrame], info: dict[str, Any], force: bool,
           renderers: list[Callable[[Path], Any]]) -> None:
    try:
        files.write_run_folder(out, tables, info, force=force, renderers=renderers)
    except files.OutputError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"cannot write the results to {out}: {error.strerror or error}") from None


def _report_reproduction(folder: Path, comparison: Comparison,
                         changes: ownership.FolderCheck) -> int:
    if not comparison.files and changes.whole:
        raise UserError(f"{folder} holds none of the result tables ({files.SUMMARY_CSV}, ...); "
                        "give a folder written by run_scenario.py")
    print(console.reproduction_lines(comparison))
    if not changes.whole:
        print("NOT whole: the folder was changed after the run", *changes.lines(), sep="\n  ")
    return 0 if comparison.matches and changes.whole else EXIT_MISMATCH


def _replicate(scenario: Scenario, count: int, workers: int, quiet: bool,
               variants: UncertainScenarios | None = None, precision: float | None = None,
               executor: ExecutorKind = ExecutorKind.LOCAL,
               scheduler: str | None = None) -> Replications:
    """``count`` replications (or, with ``precision``, until precise), with a progress bar."""
    with _progress(count, scenario.name, quiet) as bar:
        if precision is not None:
            return run_until_precise(scenario, workers, precision, count, bar.update, variants)
        return run_replications(scenario, count, workers, bar.update, variants,
                                executor=executor, scheduler=scheduler)


@contextmanager
def _progress(total: int, name: str, quiet: bool) -> Iterator[tqdm]:
    with tqdm(total=total or None, desc=name, unit="replication", file=sys.stderr,
              disable=True if quiet else None) as bar:
        yield bar


def _say(quiet: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)
    return say


def _on_sigterm(signum: int, frame: object) -> NoReturn:
    raise _Terminated()


if __name__ == "__main__":
    sys.exit(main())
