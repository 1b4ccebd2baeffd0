"""What the command line prints when a command ends: a few lines read from its tables.

Like every report, these read result frames only; they never run anything.
"""

from __future__ import annotations

import logging
import sys

import pandas as pd

from model.metrics import METRIC_UNITS, NATIONAL, label, rule_text
from reports.formatting import DASH, PERCENT_SIGN, display_unit, format_value, interval_text
from reports.outcomes import ACTIONED, ACTIONED_NOTE, LEADERSHIP_METRICS, absent
from reports.reproduction import Comparison

HEADLINE_METRICS = ("tipoffs_received", *LEADERSHIP_METRICS, ACTIONED, "lapsed")
"""National metrics a run prints, in order: received, the outcomes leadership reads, then
actioned (raids plus closures on paper) and lapsed."""

STATE_COLUMNS = {"raids": "raids", "arrests": "arrests", "charges": "charges",
                 "closed_after_investigation": "closed", "downloaded": "downloaded",
                 "high_risk_examined_within_target": "hr in target",
                 "high_risk_within_target_share": "hr in target %",
                 "high_risk_lapsed": "hr lapsed"}
"""The by-state lines: metric -> short column heading (``hr``: high-risk tip-offs)."""


def _number(value: float, unit: str) -> str:
    return format_value(value, unit).replace(PERCENT_SIGN, " %")


def _line(name: str, row: pd.Series, width: int) -> str:
    unit = str(row["unit"]) if not pd.isna(row["unit"]) else ""
    interval = interval_text(row["mean"], row["ci_low"], row["ci_high"], unit)
    return (f"  {name:<{width}} {_number(row['mean'], unit):>10}  "
            f"{interval.replace(PERCENT_SIGN, ' %')} {display_unit(unit)}").rstrip()


def _state_lines(summary: pd.DataFrame) -> list[str]:
    """One line a state of the outcomes leadership reads, means only; none without states."""
    states = [s for s in dict.fromkeys(summary["scope"]) if s != NATIONAL]
    columns = {m: h for m, h in STATE_COLUMNS.items() if m in set(summary["metric"])}
    if not states or not columns:
        return []
    table = summary.set_index(["scope", "metric"])
    lines = ["  by state (mean; hr = high-risk tip-offs; units as above):",
             "  " + "state".ljust(6) + "".join(f"{h:>15}" for h in columns.values())]
    for state in states:
        cells = [_number(table.loc[(state, m), "mean"], str(table.loc[(state, m), "unit"]))
                 if (state, m) in table.index else DASH for m in columns]
        lines.append("  " + str(state).ljust(6) + "".join(f"{c:>15}" for c in cells))
    return lines


def headline(summary: pd.DataFrame, title: str, interval_kind: str) -> str:
    """A run's national figures as ``label  mean  [low, high] unit`` lines, then by state.

    Outcomes the table lacks (a folder written before they were counted) are named on a
    line of their own rather than printed as blanks.
    """
    national = summary[summary["scope"] == NATIONAL].set_index("metric")
    lines = [title, f"  interval: {interval_kind}"]
    names = {metric: f"{label(metric)} (raids + closed)" if metric == ACTIONED
             else label(metric) for metric in HEADLINE_METRICS if metric in national.index}
    width = max(map(len, names.values()), default=0)
    lines += [_line(name, national.loc[metric], width) for metric, name in names.items()]
    missing = absent(national.index)
    if missing:
        lines.append(f"  not in these results: {', '.join(missing)}")
    lines.append(f"  actioned = {ACTIONED_NOTE}")
    return "\n".join(lines + _state_lines(summary))


def calibration_lines(hypotheses: pd.DataFrame, fitted: pd.DataFrame,
                      discriminators: pd.DataFrame, checks: pd.DataFrame) -> str:
    """Each hypothesis's fit and values, the figure that tells each pair apart, the checks."""
    targets = hypotheses[hypotheses.published.notna()]
    fit = targets.assign(year=targets.year.astype("string").fillna("all"))[
        ["hypothesis", "metric", "year", "published", "simulated_mean", "ci_low", "ci_high",
         "within_tolerance"]]
    failed = [f"{h}: {n}" if h else str(n) for h, n, passed in
              zip(checks["hypothesis"], checks["name"], checks["passed"], strict=True)
              if not passed]
    lines = [fit.to_string(index=False, float_format=lambda v: f"{v:,.0f}"),
             fitted[["hypothesis", "parameter", "value", "plausible_low", "plausible_high",
                     "status"]].to_string(index=False, float_format=lambda v: f"{v:.3g}")]
    if len(discriminators):
        lines.append("what would tell them apart:")
        lines += [f"  {r.hypothesis_a} vs {r.hypothesis_b}: {r.figure}: {r.value_a:,.3g} "
                  f"[{r.a_low:,.3g}, {r.a_high:,.3g}] against {r.value_b:,.3g} "
                  f"[{r.b_low:,.3g}, {r.b_high:,.3g}]" for r in discriminators.itertuples()]
    lines.append(f"checks: {len(checks) - len(failed)} of {len(checks)} passed"
                 + (f"; FAILED: {'; '.join(failed)}" if failed else ""))
    return "\n".join(lines)


def sensitivity_lines(table: pd.DataFrame, top: int = 10) -> str:
    """The most influential assumptions, largest swing first (refitted where they were)."""
    columns = ["parameter", "low", "value", "high", "actioned_at_low", "actioned_at_high",
               "swing"]
    if "swing_refitted" in table:
        columns += ["swing_refitted", "refit_implausibility_low", "refit_implausibility_high"]
    return table[columns].head(top).to_string(index=False)


def paired_lines(paired: pd.DataFrame,
                 metrics: tuple[str, ...] = (*LEADERSHIP_METRICS, ACTIONED)) -> str:
    """Each pair's difference in each of ``metrics``, its intervals, its verdict, and the rule.

    The verdict is ``paired_diff.csv``'s (better, worse or no meaningful difference, for
    the first option against the second); the last line states the rule it follows.  A
    share's difference is in percentage points.
    """
    lines = []
    for metric in metrics:
        unit = METRIC_UNITS.get(metric, "")
        scale, shown = (100.0, "percentage points") if unit.startswith("fraction") \
            else (1.0, unit)
        digits = 1 if scale != 1.0 else 0
        for row in paired[paired.metric == metric].itertuples():
            values = [scale * float(v) for v in (row.mean_diff, row.ci_low, row.ci_high,
                                                   row.adjusted_ci_low, row.adjusted_ci_high)]
            mean, low, high, adj_low, adj_high = (f"{v:+,.{digits}f}" for v in values)
            lines.append(f"{metric}, {row.option_a} - {row.option_b}: {mean} [{low}, {high}], "
                         f"adjusted [{adj_low}, {adj_high}] {shown}: {row.verdict}")
    if lines:
        compared = int(paired.groupby(["option_a", "option_b"]).size().max())
        lines.append(f"  ({rule_text(compared, float(paired.threshold_share.iloc[0]))})")
    return "\n".join(lines)


def reproduction_lines(comparison: Comparison, shown: int = 10) -> str:
    """Whether a re-run matched the folder, and the first differences if it did not."""
    where = f"{comparison.values:,} values in {len(comparison.files)} files"
    if comparison.matches:
        return f"reproduced: every number matches ({where})"
    first = comparison.mismatches[:shown]
    count = len(comparison.mismatches)
    lines = [f"NOT reproduced: {count:,} difference{'s' if count > 1 else ''} among {where}"
             + (f"; the first {len(first)}:" if count > len(first) else ":")]
    lines += [f"  {mismatch}" for mismatch in first]
    return "\n".join(lines)


class _ToStandardError(logging.Handler):
    """Each record as one line on the standard error of the moment (tests may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), file=sys.stderr, flush=True)


_LINES = _ToStandardError()


def show_progress_lines(source: str, quiet: bool) -> None:
    """Show the progress lines a package logs (``solvers``) on standard error, unless quiet."""
    logger = logging.getLogger(source)
    if _LINES not in logger.handlers:
        logger.addHandler(_LINES)
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False

