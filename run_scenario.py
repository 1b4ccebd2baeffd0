"""Run MICAC planning scenarios and write their result folders.

    python run_scenario.py SCENARIO.yaml [--replications N|auto] [--seed S] [--workers W]
                           [--set dotted.path=value ...] [--uncertainty] [--out DIR] [--force]
    python run_scenario.py calibrate HISTORY.yaml [--replications N] [--seed S] [--no-write]
    python run_scenario.py sensitivity SCENARIO.yaml [--replications N]
    python run_scenario.py reproduce RUN_DIR [--workers W]
    python run_scenario.py schema [--out FILE]

Exit status: 0 done; 2 bad input (the message names the field and the fix);
3 infeasible optimisation constraints (explained); 130 or 143 interrupted (no
result folder is left that looks complete).
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

from model.experiments.calibration import calibrated_yaml, fit_parameters, fit_table, steps_table
from model.experiments.executors import ExecutorKind
from model.experiments.replications import (
    Replications,
    default_workers,
    run_replications,
    run_until_precise,
    summarise,
)
from model.experiments.sensitivity import one_at_a_time, sensitivity_runs, sensitivity_settings
from model.experiments.sweep import SweepError, design, parse_vary
from model.experiments.uncertainty import UncertainScenarios
from model.experiments.validation import analytic_checks, behavioural_checks
from model.loading import ScenarioError, json_schema, load_scenario, override, validate
from model.metrics import MONTHLY_METRICS, WHOLE_HORIZON
from model.runs.provenance import compare_folders, file_sha256, provenance, scenario_sha256
from model.runs.sizing import SizeError, check_size, estimate_run
from model.scenario import STATE_CODES, Scenario, assumptions_register, with_values
from reports.comparison_report import render_comparison
from reports.figures import plot_sweep
from reports.proposal import render_proposal
from reports.run_folder import (
    OutputError,
    check_destination,
    replications_table,
    summary_table,
    write_run_folder,
    yearly_table,
)
from reports.run_report import render_run_report
from reports.sensitivity_report import render_sensitivity_report
from reports.validation_report import render_validation_report
from solvers.allocation import InfeasiblePlan
from solvers.explain import conflicts, describe_core
from solvers.loop import optimise_and_verify, paired_differences
from solvers.plan import apply_plan

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
PACKAGES = ("numpy", "pandas", "simpy", "scipy", "pydantic", "pyyaml", "ortools", "matplotlib")
EVENTS_ONLY = "95 % t-interval for the mean over independent replications (randomness of events)"
WITH_PARAMETERS = ("2.5th-97.5th percentile over replications, each drawing every assumption "
                   "uniformly from its plausible range (Latin hypercube): randomness of events "
                   "and uncertainty of the parameters")


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class Infeasible(Exception):
    """The optimisation constraints conflict; explained, exit status 3."""


class _Terminated(Exception):
    """SIGTERM arrived; unwound like Ctrl-C, with exit status 143."""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[list[str]], int]] = {
        "schema": write_schema, "calibrate": calibrate, "sensitivity": sensitivity,
        "reproduce": reproduce, "compare": compare, "sweep": sweep,
    }
    command = commands.get(args[0], None) if args else None
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return command(args[1:]) if command else run(args)
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


def _common_options(parser: argparse.ArgumentParser, replications_help: str) -> None:
    parser.add_argument("scenario", type=Path, help="the scenario YAML file")
    parser.add_argument("--replications", default=None, help=replications_help)
    parser.add_argument("--seed", type=_non_negative_int, default=None,
                        help="seed (default: the scenario's)")
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
    _executor_options(parser)
    parser.add_argument("--language", choices=["en", "ms"], default="en",
                        help="language of an optimisation run's budget proposal: en (English, "
                             "default) or ms (Bahasa Melayu)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    auto = args.replications == "auto"
    scenario, out, workers = _prepare(args, None if auto else args.replications)
    _check_size(scenario, args.max_replications if auto else scenario.replications, workers,
                uncertain=args.uncertainty)
    if scenario.optimise is not None:
        if auto or args.uncertainty:
            raise UserError("an optimisation run takes a fixed --replications (the paired "
                            "comparisons need the same count for every option)")
        return optimise(scenario, out, workers, args, argv, started)
    count = args.max_replications if auto else scenario.replications
    variants = UncertainScenarios.design(scenario, count) if args.uncertainty else None
    with _progress(count, scenario.name, args.quiet) as bar:
        if auto:
            results = run_until_precise(scenario, workers, args.precision, count, bar.update,
                                        variants)
        else:
            results = run_replications(scenario, count, workers, bar.update, variants,
                                       executor=args.executor, scheduler=args.scheduler)
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


def optimise(scenario: Scenario, out: Path, workers: int, args: argparse.Namespace,
             argv: list[str], started: float) -> int:
    """Optimise the levers, verify the plan in the simulation, compare and write it all."""
    problems = conflicts(scenario)
    if problems:
        raise Infeasible("the optimisation constraints cannot all hold:\n"
                         + "\n".join(f"  - {p}" for p in problems))
    say = _say(args.quiet)
    try:
        with _progress(3 * scenario.replications, "verification", args.quiet) as bar:
            outcome = optimise_and_verify(scenario, scenario.replications, workers, say,
                                          bar.update)
    except InfeasiblePlan as error:
        raise Infeasible(describe_core(error.groups)) from None
    except TimeoutError as error:
        raise UserError(str(error)) from None
    plan = outcome.plan
    tables = result_tables(outcome.results["optimised"])
    tables |= {
        "plan.csv": outcome.costs[["lever", "scope", "quantity", "unit", "cost_rm"]],
        "paired_diff.csv": outcome.paired,
        "rounds.csv": pd.DataFrame([{
            "round": r.number, "surrogate_actioned": r.promised, "simulated_actioned": r.simulated,
            "ci_low": r.ci_low, "ci_high": r.ci_high, "gap_share": r.gap_share,
            "solver_status": r.plan.status, "solve_seconds": r.plan.solve_seconds,
        } for r in outcome.rounds]),
        "marginal.csv": outcome.marginal,
    }
    for name, results in outcome.results.items():
        if name != "optimised":
            tables[f"option_{name}.csv"] = summary_table(summarise(
                results.metrics[results.metrics.year == WHOLE_HORIZON], ["scope", "metric"]))
    info = run_info(scenario, workers, time.perf_counter() - started, argv, EVENTS_ONLY)
    # the results are the plan's: record the scenario that carries it out, for the report
    info["plan_scenario"] = apply_plan(scenario, plan).model_dump(mode="json")
    total = float(outcome.costs.cost_rm.sum())
    info["plan"] = {
        "status": plan.status, "optimality_gap": plan.gap, "stable": outcome.stable,
        "rounds": len(outcome.rounds), "solve_seconds": round(plan.solve_seconds, 3),
        "surrogate_actioned": plan.surrogate_actioned, "total_cost_rm": round(total, 2),
        "budget_rm": scenario.optimise.budget_rm if scenario.optimise else None,
        "total_posts": plan.total_posts(),
    }
    language = args.language

    def proposal(folder: Path) -> list[Path]:
        return render_proposal(folder, language)

    _write(out, tables, info, args.force, [render_run_report, proposal])
    print(_plan_summary(outcome, total, scenario))
    print(f"results in {out}")
    return 0


def _plan_summary(outcome: Any, total: float, scenario: Scenario) -> str:
    plan = outcome.plan
    budget = scenario.optimise.budget_rm if scenario.optimise else float("nan")
    lines = [f"plan ({plan.status}; {'stable' if outcome.stable else 'not stable'} after "
             f"{len(outcome.rounds)} round(s)): {plan.total_posts()} posts, "
             f"RM{total:,.0f} of RM{budget:,.0f}"]
    states = ", ".join(f"{code} {plan.posts[(code, 'officers')]}+"
                       f"{plan.posts[(code, 'lower_ranks')]}" for code in STATE_CODES)
    hq = sum(v for (site, _), v in plan.posts.items() if site == "hq")
    lines.append(f"  posts (officers+lower ranks): HQ {hq}; {states}")
    places = {f"{k.value}/{d.value}": v for (k, d), v in plan.course_places.items() if v}
    lines.append(f"  course places: {places or 'none'}")
    tier = plan.bandwidth_tier
    lines.append(f"  HQ line: {tier.mbps:g} Mbps" if tier else "  HQ line: unchanged")
    for row in outcome.paired[outcome.paired.metric == "actioned"].itertuples():
        lines.append(f"  actioned, optimised - {row.option_b}: {row.mean_diff:+,.0f} "
                     f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}] tip-offs")
    for r in outcome.rounds:
        lines.append(f"  round {r.number}: surrogate {r.promised:,.0f}, simulated "
                     f"{r.simulated:,.0f} (gap {r.gap_share:+.1%})")
    return "\n".join(lines)


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
    _check_size(scenario, _calibration_runs(scenario), workers)
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
    _check_size(scenario, total, workers, variants=[
        with_values(scenario, values) for _, _, lows, highs in sensitivity_settings(scenario)
        for values in (lows, highs)])
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


def compare(argv: list[str]) -> int:
    """Run several scenarios with common random numbers and compare them side by side."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py compare",
        description="Run every option with the same seed (common random numbers) and write "
        "comparison.csv, paired_diff.csv and comparison.html.",
    )
    parser.add_argument("scenarios", type=Path, nargs="+", help="two or more scenario files")
    parser.add_argument("--replications", type=_positive_int, default=None,
                        help="replications of every option (default: the first option's)")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the first's)")
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="parallel processes (default: every core)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE", help="override a field in every option")
    parser.add_argument("--out", type=Path, default=None, help="result folder")
    parser.add_argument("--force", action="store_true", help="replace an existing result folder")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if len(args.scenarios) < 2:
        raise UserError("compare needs at least two scenario files")
    names = [path.stem for path in args.scenarios]
    if len(set(names)) != len(names):
        raise UserError(f"options are named after their files, and two share a name: {names}")
    try:
        loaded = [load_scenario(path, args.overrides) for path in args.scenarios]
    except ScenarioError as error:
        raise UserError(str(error)) from None
    seed = loaded[0].seed if args.seed is None else args.seed
    replications = args.replications or loaded[0].replications
    options = {name: scenario.model_copy(update={"seed": seed, "replications": replications,
                                                 "optimise": None})
               for name, scenario in zip(names, loaded, strict=True)}
    out = args.out or Path("runs") / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}"
    try:
        check_destination(out, args.force)
    except OutputError as error:
        raise UserError(str(error)) from None
    workers = args.workers or default_workers()
    for scenario in options.values():
        _check_size(scenario, replications, workers)
    results: dict[str, Replications] = {}
    with _progress(replications * len(options), "compare", args.quiet) as bar:
        for name, scenario in options.items():
            results[name] = run_replications(scenario, replications, workers, bar.update)
    summaries = []
    for name, result in results.items():
        whole = result.metrics[result.metrics.year == WHOLE_HORIZON]
        summaries.append(summary_table(summarise(whole, ["scope", "metric"]))
                         .assign(option=name))
    comparison = pd.concat(summaries, ignore_index=True)[
        ["option", "scope", "metric", "unit", "mean", "ci_low", "ci_high"]]
    paired = pd.concat([paired_differences(results, later, [earlier])
                        for i, earlier in enumerate(names) for later in names[i + 1:]],
                       ignore_index=True)
    info = {
        "options": names, "seed": seed, "replications": replications,
        "interval": EVENTS_ONLY + "; differences are paired replication by replication",
        "scenarios": {name: s.model_dump(mode="json") for name, s in options.items()},
        "scenario_files": [str(path) for path in args.scenarios],
        "wall_time_seconds": round(time.perf_counter() - started, 3),
        "command": ["run_scenario.py", "compare", *argv],
        "packages": {name: _version(name) for name in PACKAGES},
    }
    _write(out, {"comparison.csv": comparison, "paired_diff.csv": paired}, info, args.force,
           [render_comparison])
    for row in paired[paired.metric == "actioned"].itertuples():
        verdict = "beyond noise" if row.ci_low > 0 or row.ci_high < 0 else "within noise"
        print(f"actioned, {row.option_a} - {row.option_b}: {row.mean_diff:+,.0f} "
              f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}] tip-offs ({verdict})")
    print(f"results in {out}")
    return 0


def sweep(argv: list[str]) -> int:
    """Run a scenario at every point of a design; resume after an interruption."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py sweep",
        description="Run a scenario at every point of a full factorial (or --samples N Latin "
        "hypercube points); each point's results are written as it finishes, and a sweep "
        "started again skips the points already done. Ends with sweep.csv and sweep.png.",
    )
    _common_options(parser, "replications per point (default: the scenario's)")
    parser.add_argument("--vary", action="append", default=[], metavar="PATH=V1,V2,...",
                        help="values of a field (or PATH=LOW:HIGH with --samples)")
    parser.add_argument("--samples", type=_positive_int, default=None,
                        help="Latin-hypercube points instead of the full factorial")
    _executor_options(parser)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    base, out, workers = _prepare(args, args.replications, allow_existing=True)
    try:
        points = design(parse_vary(args.vary), args.samples, base.seed)
    except SweepError as error:
        raise UserError(str(error)) from None
    scenarios = {}
    for point in points:
        try:
            scenarios[point.name] = override(base, point.overrides())
        except ScenarioError as error:
            raise UserError(f"sweep point {point.values}: {error}") from None
    say = _say(args.quiet)
    folder = out / "points"
    rows = []
    for point in points:
        where = folder / point.name
        if (where / "summary.csv").exists():
            say(f"point {point.name} {point.values}: done before, kept")
        else:
            scenario = scenarios[point.name]
            say(f"point {point.name} {point.values}: running ...")
            with _progress(scenario.replications, point.name, args.quiet) as bar:
                results = run_replications(scenario, scenario.replications, workers,
                                           bar.update, executor=args.executor,
                                           scheduler=args.scheduler)
            info = run_info(scenario, workers, 0.0, argv, EVENTS_ONLY)
            info["point"] = point.values
            _write(where, result_tables(results), info, True, [])
        summary = pd.read_csv(where / "summary.csv")
        national = summary[summary.scope == "national"].drop(columns="scope")
        for path, value in point.values.items():
            national.insert(0, path, value)
        national.insert(0, "point", point.name)
        rows.append(national)
    table = pd.concat(rows, ignore_index=True)
    table.to_csv(out / "sweep.csv", index=False)
    axes = plot_sweep(table, list(points[0].values))
    axes.figure.savefig(out / "sweep.png", dpi=150, metadata={"Software": None})
    print(f"{len(points)} points in {time.perf_counter() - started:,.0f} s; "
          f"sweep.csv and sweep.png in {out}")
    return 0


def _executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--executor", type=ExecutorKind, choices=list(ExecutorKind),
                        default=ExecutorKind.LOCAL,
                        help="local process pool (default) or a Dask cluster")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="with --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 "
                             "(default: a local cluster started for the run)")


def reproduce(argv: list[str]) -> int:
    """Re-run a finished run from its ``run.json`` and check that every number is the same."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py reproduce",
        description="Re-run the scenario recorded in RUN_DIR/run.json with the same seed, "
        "replications and mode, and compare every value of its tables with the folder's.",
    )
    parser.add_argument("folder", type=Path, help="a run folder written by run_scenario.py")
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="parallel processes (default: every core; the numbers do not "
                             "depend on it)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    info = _run_json(args.folder)
    scenario = _recorded_scenario(args.folder, info)
    rule = info.get("replications_rule")
    uncertain = info.get("interval") == WITH_PARAMETERS
    count = int(rule["cap"]) if rule else scenario.replications
    workers = args.workers or default_workers()
    _check_size(scenario, count, workers, uncertain=uncertain)
    say = _say(args.quiet)
    say(f"re-running {scenario.name}: seed {scenario.seed}, "
        + (f"until {rule['precision_share']:.1%} precision (at most {count})" if rule
           else f"{count} replications")
        + (", parameters drawn from their ranges" if uncertain else "")
        + f"; recorded with {_made_with(info)}, now {_made_with(provenance(scenario))}")
    variants = UncertainScenarios.design(scenario, count) if uncertain else None
    with _progress(count, f"reproduce {scenario.name}", args.quiet) as bar:
        if rule:
            results = run_until_precise(scenario, workers, float(rule["precision_share"]),
                                        count, bar.update, variants)
        else:
            results = run_replications(scenario, count, workers, bar.update, variants)
    with tempfile.TemporaryDirectory(prefix="micac-reproduce-") as temporary:
        rerun = Path(temporary)
        for name, frame in result_tables(results, spread=uncertain).items():
            frame.to_csv(rerun / name, index=False)
        comparison = compare_folders(args.folder, rerun)
    if not comparison.files:
        raise UserError(f"{args.folder} holds none of the result tables (summary.csv, ...); "
                        "give a folder written by run_scenario.py")
    where = f"{comparison.values:,} values in {len(comparison.files)} files"
    if comparison.matches:
        print(f"reproduced: every number matches ({where})")
        return 0
    shown = comparison.mismatches[:10]
    count = len(comparison.mismatches)
    print(f"NOT reproduced: {count:,} difference{'s' if count > 1 else ''} among {where}"
          + (f"; the first {len(shown)}:" if count > len(shown) else ":"))
    for mismatch in shown:
        print(f"  {mismatch}")
    return EXIT_MISMATCH


def _run_json(folder: Path) -> dict[str, Any]:
    path = folder / "run.json"
    if not path.is_file():
        raise UserError(f"{folder} has no run.json; give a folder written by run_scenario.py")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path} cannot be read as JSON ({error})") from None
    if not isinstance(info, dict) or not isinstance(info.get("scenario"), dict):
        raise UserError(f"{path} records no single scenario (a comparison or a sweep?); "
                        "reproduce re-runs runs of one scenario")
    command = info.get("command") or []
    kind = command[1] if len(command) > 1 and command[1] in ("calibrate", "sensitivity") \
        else "optimisation" if "plan" in info else None
    if kind:
        raise UserError(f"{folder} holds a {kind} run; reproduce re-runs scenario runs only "
                        f"(re-run it with: python {' '.join(map(str, command))})")
    return info


def _recorded_scenario(folder: Path, info: dict[str, Any]) -> Scenario:
    """The scenario ``run.json`` records, checked against the files it reads."""
    try:
        scenario = validate(info["scenario"])
    except ScenarioError as error:
        raise UserError(f"{folder / 'run.json'}: the recorded scenario is not valid under "
                        f"this version of the product: {error}") from None
    try:
        scenario = scenario.model_copy(update={"seed": int(info["seed"]),
                                               "replications": int(info["replications"])})
    except (KeyError, TypeError, ValueError):
        raise UserError(f"{folder / 'run.json'} lacks a whole-number seed or "
                        "replications") from None
    if scenario.initial_state is not None:
        path = Path(scenario.initial_state.from_file)
        if not path.is_file():
            raise UserError(f"the run started from {path} (initial_state.from_file), which no "
                            "longer exists; restore it to reproduce the run")
        recorded = info.get("initial_state_sha256")
        if recorded and file_sha256(path) != recorded:
            raise UserError(f"{path} (initial_state.from_file) has changed since the run (its "
                            "SHA-256 differs from run.json's); restore the file the run used, "
                            "e.g. from git, to reproduce it")
    recorded = info.get("scenario_sha256")
    if recorded and recorded != scenario_sha256(scenario):
        print("note: the recorded scenario resolves differently under this version (its "
              "SHA-256 differs); the comparison will show whether the numbers moved",
              file=sys.stderr)
    return scenario


def _made_with(info: dict[str, Any]) -> str:
    commit = info.get("commit")
    made = f"version {info.get('product_version', 'unknown')}"
    if isinstance(commit, dict) and commit.get("sha"):
        made += f" (commit {str(commit['sha'])[:10]}{', modified' if commit.get('dirty') else ''})"
    return made


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
        **provenance(scenario),
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


def _prepare(args: argparse.Namespace, replications: str | None,
             allow_existing: bool = False) -> tuple[Scenario, Path, int]:
    """Load the scenario with the command line's overrides; check the destination.

    ``allow_existing`` lets a sweep resume into the folder it started.
    """
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
        check_destination(out, args.force or allow_existing)
    except OutputError as error:
        raise UserError(str(error)) from None
    return scenario, out, args.workers or default_workers()


def _check_size(scenario: Scenario, replications: int, workers: int, uncertain: bool = False,
                variants: list[Scenario] | None = None) -> None:
    """Refuse, before any simulation, a run that would exhaust memory or take days."""
    if uncertain:
        design = UncertainScenarios.design(scenario, replications)
        variants = [design(number) for number in range(min(replications, 20))]
    try:
        check_size(estimate_run(scenario, replications, workers, variants or ()))
    except SizeError as error:
        raise UserError(str(error)) from None


def _calibration_runs(scenario: Scenario) -> int:
    """Replications a calibration runs at most: trials, verification and checks (about 50)."""
    settings = scenario.calibration
    trials = len(settings.fit) * settings.iterations * settings.replications if settings else 0
    return trials + scenario.replications + 50


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


def _whole_number(text: str, minimum: int) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if number < minimum:
        raise argparse.ArgumentTypeError(
            f"must be at least 1 (got {number})" if minimum == 1
            else f"must be {minimum} or more (got {number})")
    return number


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def _non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


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
