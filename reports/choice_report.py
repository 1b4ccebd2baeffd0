"""``report.html``'s section on how an optimisation chose its plan.

The candidates and the selection, the certificate (a row per check, its value and
threshold formatted as counts or percentages, never a bare float) and the regret of each
finalist under every hypothesis and demand level, read through
:mod:`reports.run_folder` and :mod:`reports.choice`.  A folder without
``candidates.csv`` (a scenario run, or an optimisation written before the selection)
gets no section.  The page is English; the budget proposal says the same in both
languages (:mod:`reports.proposal.choice`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import METRICS, label
from reports import choice
from reports.formatting import DASH, PERCENT_SIGN, format_count, format_percent, format_value
from reports.pages import Code, Estimate, Heading, TableRow, estimate
from reports.run_folder import read_candidates, read_certificate, read_regret

CHECKS = {
    "probability_of_correct_selection": "probability that the best candidate was chosen (KN)",
    "indifference_zone": "indifference zone: smaller differences are not told apart",
    "best_neighbour_improvement_bound": "most a single change to the plan could add "
                                        "(simultaneous 95 % upper bound)",
    "surrogate_gap": "simulated objective against the surrogate's promise, (simulated - "
                     "promised) / promised",
    "worst_regret": "worst shortfall from the best finalist across hypotheses and demand "
                    "beyond noise (one-sided 95 % lower bound), as a share of the plan's gain "
                    "over the status quo",
}
"""What each check of ``certificate.csv`` means, for the certificate table."""


def _share(value: float) -> str:
    return f"{100 * value:.3g}{PERCENT_SIGN}"


def _objective_unit(run: Mapping[str, Any]) -> str:
    objective = (run.get("plan") or {}).get("objective")
    if isinstance(objective, Mapping) and len(objective) == 1:
        metric = str(next(iter(objective)))
        return METRICS[metric].unit if metric in METRICS else metric
    return "objective units"


def _metric_value(metric: str, value: float) -> str:
    return format_value(value, METRICS[metric].unit if metric in METRICS else "")


def check_value(check: choice.Check, unit: str) -> str:
    """A check's value as the page shows it: a count, a percentage or words."""
    value, kind = check.value, check.kind
    if kind == "probability_of_correct_selection":
        return "not guaranteed: replication cap reached" if math.isnan(value) else _share(value)
    if kind == "worst_regret" and math.isinf(value):
        return "no gain over the status quo to share it with, in its worst case"
    if math.isnan(value):
        return "not measured"
    if kind == "indifference_zone":
        return f"{format_count(value)} {unit}"
    if kind == "best_neighbour_improvement_bound":
        return f"{format_count(value, check.decimals)} {unit}"
    if kind in ("surrogate_gap", "worst_regret"):
        return format_percent(value)
    if kind == choice.SERVICE_LEVEL:
        return _metric_value(check.metric, value)
    return f"{value:,.4g}"


def check_threshold(check: choice.Check, unit: str) -> str:
    """A check's threshold as what it asks for."""
    threshold, kind = check.threshold, check.kind
    if math.isnan(threshold):
        return DASH
    words = {"probability_of_correct_selection": f"at least {_share(threshold)}",
             "indifference_zone": f"{_share(threshold)} of the best first-stage mean",
             "best_neighbour_improvement_bound":
                 f"at most {format_count(threshold, check.decimals)} {unit}",
             "surrogate_gap": f"within ±{_share(threshold)}",
             "worst_regret": f"at most {_share(threshold)}"}
    if kind == choice.SERVICE_LEVEL:
        return f"at least {_metric_value(check.metric, threshold)} (whole paired interval)"
    return words.get(kind, f"{threshold:,.4g}")


def _check_cell(check: choice.Check) -> str:
    if check.kind == choice.SERVICE_LEVEL:
        return f"service level: {label(check.metric).lower()} ({check.scope})"
    return CHECKS.get(check.kind, check.kind)


def certificate_rows(certificate: pd.DataFrame | None, unit: str) -> list[TableRow]:
    """A row per check: its meaning over its name, value, threshold, result and note."""
    return [[Heading(_check_cell(check), check.name), check_value(check, unit),
             check_threshold(check, unit), "passed" if check.passed else "FAILED",
             choice.plain_note(check.note)]
            for check in choice.checks(certificate)]


def candidate_rows(candidates: pd.DataFrame, unit: str) -> list[TableRow]:
    """A row per candidate: source, replications, objective, elimination, promise, note."""
    rows: list[TableRow] = []
    for row in candidates.itertuples(index=False):
        eliminated = DASH if pd.isna(row.eliminated_at) else f"{int(row.eliminated_at):,}"
        rows.append([Code(str(row.candidate)), str(row.source), f"{int(row.replications):,}",
                     estimate(float(row.objective_mean), float(row.ci_low),
                              float(row.ci_high), unit),
                     eliminated, format_count(float(row.promised)), str(row.note)])
    return rows


def regret_table(regret: pd.DataFrame, unit: str) -> dict[str, Any]:
    """Each case a row, each finalist a column: mean [interval] and regret as a share."""
    finalists = [str(name) for name in dict.fromkeys(regret["candidate"])]
    rows: list[TableRow] = []
    for (hypothesis, demand), case in regret.groupby(["hypothesis", "demand"], sort=False):
        cells: list[Any] = [f"{hypothesis}, {demand} demand"]
        indexed = case.set_index("candidate")
        for name in finalists:
            if name not in indexed.index:
                cells.append(DASH)
                continue
            row = indexed.loc[name]
            shown = estimate(float(row["objective_mean"]), float(row["ci_low"]),
                             float(row["ci_high"]), unit)
            short = float(row["regret_share"])
            cells.append(Estimate(shown.mean, f"{shown.interval} · behind by "
                                  f"{format_percent(short)}" if short > 0 else shown.interval))
        rows.append(cells)
    return {"headings": ["Hypothesis and demand", *[Code(name) for name in finalists]],
            "rows": rows}


def worst_rows(regret: pd.DataFrame, chosen: str | None) -> list[TableRow]:
    """A row per finalist: its worst regret (share of its gain), where, and who leads there."""
    rows: list[TableRow] = []
    for name, worst in choice.worst_regrets(regret).items():
        if not worst.behind:
            rows.append([Code(name), "0\u00a0%", "never behind", DASH, DASH])
            continue
        share = ("no gain over the status quo there" if math.isinf(worst.regret_of_gain)
                 else format_percent(worst.regret_of_gain))
        rows.append([Code(name + (" (chosen)" if name == chosen else "")), share,
                     f"{worst.hypothesis}, {worst.demand} demand", Code(worst.leader),
                     format_count(worst.shortfall)])
    return rows


def depends_on(regret: pd.DataFrame, chosen: str | None, unit: str) -> str:
    """What the choice depends on, in one sentence, from the regret table."""
    worst = choice.worst_regrets(regret).get(chosen or "")
    if worst is None:
        return ""
    if not worst.behind:
        return "No finalist does better than the chosen plan in any case."
    share = ("where the chosen plan gains nothing over the status quo"
             if math.isinf(worst.regret_of_gain)
             else f"{format_percent(worst.regret_of_gain)} of the chosen plan's gain over the "
                  "status quo there")
    return (f"The chosen plan's worst case: under {worst.hypothesis} with {worst.demand} "
            f"demand, {worst.leader} gives {format_count(worst.shortfall)} more {unit}, "
            f"{share}.")


def _summary(run: Mapping[str, Any], candidates: pd.DataFrame,
             certificate: pd.DataFrame | None) -> str:
    """The section's opening sentence: candidates, the choice, fresh replications."""
    plan = run.get("plan") or {}
    chosen = choice.chosen_candidate(candidates)
    sources = "; ".join(f"{n} {source}" for source, n in choice.source_counts(candidates).items())
    words = f"{len(candidates)} candidates ({sources})."
    if chosen:
        entered = candidates.drop(choice.screened_out(candidates).index)
        words += (f" KN ranking and selection with common random numbers chose {chosen} "
                  f"after {int(entered['replications'].sum()):,} replications.")
    fresh = plan.get("fresh_replications")
    if isinstance(fresh, list) and len(fresh) == 2:
        words += (f" Every figure of this report is from fresh replications {fresh[0]:,} to "
                  f"{fresh[1]:,}, never used for choosing.")
    failed = [check.name for check in choice.checks(certificate) if not check.passed]
    if certificate is not None and not certificate.empty:
        words += (" Certificate: every check passed." if not failed else
                  " Certificate: NOT passed; failed: " + ", ".join(failed) + ".")
    return words


def _chosen_posts(run: Mapping[str, Any]) -> dict[str, int]:
    """The chosen plan's posts (after their last change), keyed as ``most_robust`` keys them.

    Read from ``run.json``'s ``plan_scenario`` (the plan applied); empty without it.
    """
    scenario = run.get("plan_scenario") or {}
    groups = {f"{code}.{rank}": state.get(rank) or {}
              for code, state in (scenario.get("states") or {}).items()
              for rank in ("officers", "lower_ranks")}
    groups |= {f"hq.{team}.{rank}": group.get(rank) or {}
               for team, group in (scenario.get("hq") or {}).items() if isinstance(group, dict)
               for rank in ("officers", "lower_ranks") if isinstance(group.get(rank), dict)}
    return {key: int((group.get("changes") or [group])[-1].get("posts") or 0)
            for key, group in groups.items()}


def _tools(tooling: Any) -> str:
    return ", ".join(str(t) for t, n in (tooling or {}).items() if n) or "none"


def _most_robust(run: Mapping[str, Any]) -> list[TableRow] | None:
    """The most robust finalist's levers beside the chosen plan's, where they differ."""
    plan = run.get("plan") or {}
    robust = plan.get("most_robust")
    if not isinstance(robust, Mapping):
        return None
    ours = _chosen_posts(run)
    line = ((run.get("plan_scenario") or {}).get("download") or {}).get("line_mbps")
    rows: list[TableRow] = [
        ["Total posts", str(sum(ours.values()) if ours else plan.get("total_posts", DASH)),
         str(robust.get("total_posts", DASH))],
        ["HQ line", f"{line:g} Mbps" if line else "today's",
         f"{robust['line_mbps']:g} Mbps" if robust.get("line_mbps") else "today's"],
        ["Tools", _tools(plan.get("tooling")), _tools(robust.get("tooling"))]]
    rows += [[Code(str(key)), str(ours.get(key, DASH)), str(posts)]
             for key, posts in (robust.get("posts") or {}).items() if ours.get(key) != posts]
    return rows


def choice_section(folder: Path, run: Mapping[str, Any]) -> dict[str, Any] | None:
    """Everything the page's section on the choice shows; None without ``candidates.csv``."""
    candidates = read_candidates(folder)
    if candidates is None:
        return None
    certificate, regret = read_certificate(folder), read_regret(folder)
    regret = regret if regret is not None and not regret.empty else None
    target = (run.get("plan") or {}).get("target")
    unit = "tip-offs" if isinstance(target, Mapping) else _objective_unit(run)
    chosen = choice.chosen_candidate(candidates)
    return {
        "summary": _summary(run, candidates, certificate),
        "target": str(target.get("sentence", "")) if isinstance(target, Mapping) else "",
        "objective": "actioned tip-offs" if isinstance(target, Mapping) else unit,
        "candidates": candidate_rows(candidates, unit),
        "certificate": certificate_rows(certificate, unit)
        if certificate is not None and not certificate.empty else None,
        "regret": None if regret is None else regret_table(regret, unit),
        "worst": None if regret is None else worst_rows(regret, chosen),
        "depends_on": choice.plain_note(str((run.get("plan") or {}).get("depends_on") or ""))
        if regret is None
        else depends_on(regret, chosen, unit),
        "most_robust": _most_robust(run),
    }
