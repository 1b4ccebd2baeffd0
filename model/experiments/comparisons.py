"""Options compared with common random numbers: every option runs with the same seed.

With the same seed, replication ``r`` of every option draws the same arrivals, efforts
and chances (one stream per activity), so the difference between two options is paired
replication by replication and its interval is far tighter than that of either option.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from model.experiments.replications import (
    Progress,
    Replications,
    interval,
    run_replications,
    summarise,
)
from model.metrics import COMPARISON_COLUMNS, PAIRED_COLUMNS, WHOLE_HORIZON
from model.scenario import Scenario

PAIRED_METRICS = ("actioned", "raids", "arrests", "downloaded", "reviewed", "investigated",
                  "lapsed", "charges")
"""National metrics whose paired differences every comparison reports."""



def run_options(options: Mapping[str, Scenario], replications: int, workers: int,
                progress: Progress | None = None) -> dict[str, Replications]:
    """Run every option for the same replications (the caller gives them one seed)."""
    return {name: run_replications(scenario, replications, workers, progress)
            for name, scenario in options.items()}


def paired_differences(results: Mapping[str, Replications], option_a: str,
                       others: list[str]) -> pd.DataFrame:
    """``option_a, option_b, metric, mean_diff, ci_low, ci_high`` over paired replications."""
    rows = []
    for option_b in others:
        for metric in PAIRED_METRICS:
            diff = results[option_a].national(metric) - results[option_b].national(metric)
            mean, low, high = interval(diff)
            rows.append({"option_a": option_a, "option_b": option_b, "metric": metric,
                         "mean_diff": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def each_later_against_each_earlier(results: Mapping[str, Replications]) -> pd.DataFrame:
    """Paired differences of every option against every option listed before it."""
    names = list(results)
    return pd.concat([paired_differences(results, later, [earlier])
                      for i, earlier in enumerate(names) for later in names[i + 1:]],
                     ignore_index=True)


def whole_horizon_summary(results: Replications) -> pd.DataFrame:
    """``scope, metric, unit, mean, ci_low, ci_high`` of one option over the whole horizon."""
    whole = results.metrics[results.metrics.year == WHOLE_HORIZON]
    return summarise(whole, ["scope", "metric"])[COMPARISON_COLUMNS[1:]]


def comparison_table(results: Mapping[str, Replications]) -> pd.DataFrame:
    """Every option's whole-horizon summary, stacked with a leading ``option`` column."""
    frames = [whole_horizon_summary(result).assign(option=name)
              for name, result in results.items()]
    return pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]
