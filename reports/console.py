"""What the command line prints when a command ends: a few lines read from its tables.

Like every report, these read result frames only; they never run anything.
"""

from __future__ import annotations

import pandas as pd

from model.metrics import NATIONAL, beyond_noise

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


def calibration_lines(fit: pd.DataFrame, steps: pd.DataFrame, checks: pd.DataFrame) -> str:
    """The fit against the published figures, the fitted values, and the checks' tally."""
    failed = [str(name) for name, passed in zip(checks["name"], checks["passed"], strict=True)
              if not passed]
    return "\n".join([
        fit[["metric", "published", "simulated_mean", "ci_low", "ci_high",
             "within_tolerance"]].to_string(index=False),
        steps[["parameter", "low", "prior", "fitted", "high", "status"]].to_string(index=False),
        f"checks: {len(checks) - len(failed)} of {len(checks)} passed"
        + (f"; FAILED: {'; '.join(failed)}" if failed else ""),
    ])


def sensitivity_lines(table: pd.DataFrame, top: int = 10) -> str:
    """The most influential assumptions, largest swing first."""
    return table[["parameter", "low", "value", "high", "actioned_at_low", "actioned_at_high",
                  "swing"]].head(top).to_string(index=False)


def paired_lines(paired: pd.DataFrame, metric: str = "actioned") -> str:
    """Each pair's difference in ``metric`` with its interval and whether it is beyond noise."""
    lines = []
    for row in paired[paired.metric == metric].itertuples():
        verdict = "beyond noise" if beyond_noise(row.ci_low, row.ci_high) else "within noise"
        lines.append(f"{metric}, {row.option_a} - {row.option_b}: {row.mean_diff:+,.0f} "
                     f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}] tip-offs ({verdict})")
    return "\n".join(lines)
