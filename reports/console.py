"""What the command line prints when a command ends: a few lines read from its tables.

Like every report, these read result frames only; they never run anything.
"""

from __future__ import annotations

import pandas as pd

from model.metrics import METRIC_UNITS, NATIONAL, rule_text
from reports.run_folder import Comparison

HEADLINE_METRICS = ("tipoffs_received", "downloaded", "raids", "arrests", "actioned", "lapsed")
"""National metrics a run prints, in order."""


def headline(summary: pd.DataFrame, title: str, interval_kind: str) -> str:
    """A run's national figures as ``metric  mean  [low, high] unit`` lines."""
    national = summary.set_index(["scope", "metric"]).loc[NATIONAL]
    lines = [title, f"  interval: {interval_kind}"]
    for metric in HEADLINE_METRICS:
        row = national.loc[metric]
        lines.append(f"  {metric:<18} {row['mean']:>12,.0f}  [{row['ci_low']:,.0f}, "
                     f"{row['ci_high']:,.0f}] {row['unit']}")
    return "\n".join(lines)


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


def paired_lines(paired: pd.DataFrame, metric: str = "actioned") -> str:
    """Each pair's difference in ``metric``, its intervals, its verdict, and the rule.

    The verdict is ``paired_diff.csv``'s (better, worse or no meaningful difference, for
    the first option against the second); the last line states the rule it follows.
    """
    lines = []
    unit = METRIC_UNITS.get(metric, "")
    for row in paired[paired.metric == metric].itertuples():
        lines.append(f"{metric}, {row.option_a} - {row.option_b}: {row.mean_diff:+,.0f} "
                     f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], adjusted "
                     f"[{row.adjusted_ci_low:+,.0f}, {row.adjusted_ci_high:+,.0f}] {unit}: "
                     f"{row.verdict}")
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
