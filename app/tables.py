"""Options side by side, their paired differences against a reference, and the exports.

The tables are the command line's: ``comparison.csv``'s columns for the options shown,
``paired_diff.csv``'s for the differences (computed by ``model.experiments.comparisons``,
whose verdicts follow the one rule of ``model.metrics.verdict``), and the comparison page
``reports.comparison_report`` writes from them.  Two options are paired replication by
replication only when they drew the same seed for the same replication numbers; otherwise
the difference their folder recorded is used, where it recorded one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from app.folders import Option
from model.experiments.comparisons import PAIRED_METRICS, paired_verdicts
from model.metrics import (
    CATALOGUE,
    COMPARISON_COLUMNS,
    DEFAULT_THRESHOLD_SHARE,
    NATIONAL,
    PAIRED_COLUMNS,
    rule_text,
    verdict,
)
from model.runs.record import PAIRED, package_version
from reports import run_folder as files
from reports.comparison_report import render_comparison
from reports.outcomes import ACTIONED, LEADERSHIP_METRICS

METRIC_ORDER: tuple[str, ...] = tuple(dict.fromkeys(
    [*LEADERSHIP_METRICS, ACTIONED, "lapsed", *(metric.name for metric in CATALOGUE)]))
"""The order of the rows: the outcomes leadership reads first (as every report), then
actioned and lapsed, then every other metric of the catalogue."""


def metrics_present(options: Sequence[Option]) -> list[str]:
    """The metrics any of the options has, in :data:`METRIC_ORDER` (then any others)."""
    present = {str(m) for option in options for m in option.summary["metric"]}
    return [m for m in METRIC_ORDER if m in present] + sorted(present - set(METRIC_ORDER))


def side_by_side(options: Sequence[Option], scope: str | None = None) -> pd.DataFrame:
    """The options' summaries stacked (``comparison.csv``'s columns), one scope or all."""
    frames = []
    for option in options:
        rows = option.summary if scope is None else \
            option.summary[option.summary["scope"] == scope]
        frames.append(rows.assign(option=option.key))
    if not frames:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    return pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]


Figures = dict[tuple[str, str, str], tuple[float, float, float, str]]
"""``(option, metric, scope) -> (mean, ci_low, ci_high, unit)``."""


def figures(frame: pd.DataFrame) -> Figures:
    """A side-by-side table as a lookup, read once for every cell of a page."""
    return {(str(option), str(metric), str(scope)):
            (float(mean), float(low), float(high), "" if pd.isna(unit) else str(unit))
            for option, scope, metric, unit, mean, low, high
            in frame[COMPARISON_COLUMNS].itertuples(index=False)}


def cell(found: Figures, option: str, metric: str, scope: str = NATIONAL
         ) -> tuple[float, float, float, str]:
    """``(mean, ci_low, ci_high, unit)`` of one option, metric and scope; NaNs if absent."""
    return found.get((option, metric, scope), (math.nan, math.nan, math.nan, ""))


# ---------------------------------------------------------------------------------------
# Paired differences
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pairing:
    """The paired differences of one option against the reference, or why there are none."""

    option: str
    rows: pd.DataFrame | None
    how: str


def pairable(option: Option, reference: Option) -> bool:
    """Whether two options drew the same random numbers, replication by replication."""
    events_only = not any(str(o.interval).startswith("2.5th") for o in (option, reference))
    return (option.replications is not None and reference.replications is not None
            and option.seed is not None and option.seed == reference.seed
            and option.numbers == reference.numbers and bool(option.numbers) and events_only)


def _recorded(option: Option, reference: Option) -> pd.DataFrame | None:
    """The pair as the options' own folder compared it (flipped if it compared b with a)."""
    if option.paired is None or option.home != reference.home or option.paired.empty:
        return None
    paired = option.paired
    names = (option.local_name, reference.local_name)
    ahead = paired[(paired["option_a"] == names[0]) & (paired["option_b"] == names[1])]
    if not ahead.empty:
        return ahead.assign(option_a=option.key, option_b=reference.key)[PAIRED_COLUMNS]
    behind = paired[(paired["option_a"] == names[1]) & (paired["option_b"] == names[0])]
    if behind.empty:
        return None
    return pd.DataFrame([_flipped(row, option.key, reference.key)
                         for _, row in behind.iterrows()], columns=PAIRED_COLUMNS)


def _flipped(row: pd.Series, option: str, reference: str) -> dict[str, Any]:
    """A difference b - a read as a - b: the reference's mean becomes the other one's."""
    mean = -float(row["mean_diff"])
    low, high = -float(row["adjusted_ci_high"]), -float(row["adjusted_ci_low"])
    reference_mean = float(row["reference_mean"]) - mean
    threshold = float(row["threshold_share"])
    return {"option_a": option, "option_b": reference, "metric": row["metric"],
            "mean_diff": mean, "ci_low": -float(row["ci_high"]),
            "ci_high": -float(row["ci_low"]), "reference_mean": reference_mean,
            "p_value": row["p_value"], "adjusted_confidence": row["adjusted_confidence"],
            "adjusted_ci_low": low, "adjusted_ci_high": high, "threshold_share": threshold,
            "verdict": verdict(str(row["metric"]), mean, low, high, reference_mean, threshold)}


def pairing(option: Option, reference: Option,
            threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> Pairing:
    """The option's paired differences from the reference, by the one rule of verdicts."""
    if pairable(option, reference):
        metrics = [m for m in PAIRED_METRICS
                   if len(option.national(m)) and len(reference.national(m))]
        rows = paired_verdicts(option.key, reference.key,
                               {m: option.national(m) for m in metrics},
                               {m: reference.national(m) for m in metrics}, threshold_share)
        return Pairing(option.key, rows, f"paired over {len(option.numbers)} replications "
                       f"(seed {option.seed})")
    recorded = _recorded(option, reference)
    if recorded is not None:
        return Pairing(option.key, recorded, f"as compared in {option.home.name}")
    return Pairing(option.key, None, _unpaired_reason(option, reference))


def _unpaired_reason(option: Option, reference: Option) -> str:
    if option.replications is None or reference.replications is None:
        missing = option if option.replications is None else reference
        return (f"not paired: {missing.key} has its summary only (no per-replication "
                "values), and no folder compared the two")
    if option.seed != reference.seed:
        return (f"not paired: seeds differ ({option.seed} and {reference.seed}); options "
                "pair only when run with one seed")
    if option.numbers != reference.numbers:
        return (f"not paired: their replications are numbered differently "
                f"({_numbers(option)} and {_numbers(reference)})")
    return "not paired: one of them drew its parameters (--uncertainty)"


def _numbers(option: Option) -> str:
    numbers = option.numbers
    return f"{numbers[0]:,}-{numbers[-1]:,}" if numbers else "none"


def pairings(options: Sequence[Option], reference: Option,
             threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> list[Pairing]:
    """Every other option against the reference."""
    return [pairing(option, reference, threshold_share) for option in options
            if option.key != reference.key]


def paired_table(found: Sequence[Pairing]) -> pd.DataFrame:
    """The pairings' rows stacked (``paired_diff.csv``'s columns)."""
    frames = [p.rows for p in found if p.rows is not None and not p.rows.empty]
    return pd.concat(frames, ignore_index=True)[PAIRED_COLUMNS] if frames \
        else pd.DataFrame(columns=PAIRED_COLUMNS)


# ---------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------


def comparison_record(options: Sequence[Option], reference: Option,
                      threshold_share: float = DEFAULT_THRESHOLD_SHARE,
                      folders: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``run.json`` of a comparison the page exports (``folders``: each option's, shown)."""
    counts = {option.count for option in options}
    seeds = {option.seed for option in options}
    return {"options": [o.key for o in options],
            "reference": reference.key,
            "seed": seeds.pop() if len(seeds) == 1 else None,
            "replications": counts.pop() if len(counts) == 1 else None,
            "interval": PAIRED,
            "threshold_share": threshold_share,
            "verdict_rule": rule_text(len(PAIRED_METRICS), threshold_share),
            "scenarios": {o.key: o.scenario or {} for o in options},
            "folders": {o.key: (folders or {}).get(o.key, o.folder.name) for o in options},
            "replications_by_option": {o.key: o.count for o in options},
            "command": ["run_scenario.py", "serve"],
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "packages": {name: package_version(name) for name in ("numpy", "pandas",
                                                                  "simpy", "dash")}}


def write_comparison(out: Path, options: Sequence[Option], reference: Option,
                     threshold_share: float = DEFAULT_THRESHOLD_SHARE,
                     folders: Mapping[str, str] | None = None) -> Path:
    """Write the comparison shown as a comparison folder and its ``comparison.html``.

    The reference comes first, as the first option of ``run_scenario.py compare`` does, so
    that the page's differences (each option minus the reference) are the folder's.
    ``folders`` names each option's folder as the page shows it (default: the folder's own
    name; never the server's absolute path).  Returns the page's path.
    """
    ordered = [reference, *(o for o in options if o.key != reference.key)]
    tables = {files.COMPARISON_CSV: side_by_side(ordered),
              files.PAIRED_DIFF_CSV: paired_table(pairings(ordered, reference,
                                                           threshold_share))}
    files.write_run_folder(out, tables,
                           comparison_record(ordered, reference, threshold_share, folders),
                           force=True, renderers=[render_comparison])
    return out / files.COMPARISON_HTML


def costs(option: Option) -> dict[str, float] | None:
    """An optimised plan's money: one-off, recurring a year, and over the horizon."""
    plan = option.plan
    if plan is None or plan.empty:
        return None
    total = {"one_off_rm": 0.0, "recurring_rm_per_year": 0.0, "cost_rm": 0.0}
    for column in total:
        if column in plan:
            total[column] = float(pd.to_numeric(plan[column], errors="coerce").fillna(0).sum())
    return total
