"""The one rule for "better": Holm's adjustment for the metrics compared, and a threshold.

Two options' replications are built by hand (no simulation), with paired differences
whose p-values are known, so every verdict can be worked out on paper.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from model.experiments.comparisons import (
    PAIRED_METRICS,
    holm,
    paired_differences,
    paired_p_value,
    paired_verdicts,
)
from model.experiments.replications import Replications, interval, summarise
from model.metrics import (
    BETTER,
    NO_MEANINGFUL_DIFFERENCE,
    PAIRED_COLUMNS,
    WORSE,
    rule_text,
    verdict,
)
from reports.console import paired_lines

COUNT = 10
SPREAD = np.array([-1.5, -1.0, -0.7, -0.3, 0.0, 0.1, 0.4, 0.8, 1.0, 1.2])
UNIT = (SPREAD - SPREAD.mean()) / SPREAD.std(ddof=1)  # mean 0, standard deviation 1 exactly
RAIDS_P = 0.02  # significant alone; not once the other metrics are allowed for
RAIDS_T = float(stats.t.isf(RAIDS_P / 2, COUNT - 1))

# metric: (option b's mean, mean difference a - b, standard deviation of the differences)
DESIGN = {
    "actioned": (1_000.0, 100.0, 10.0),         # large and clear: better
    "downloaded": (62_000.0, 34.0, 10.0),      # clear (p ~ 1e-6) but 0.05 % of b: too small
    "raids": (500.0, RAIDS_T * 10.0 / math.sqrt(COUNT), 10.0),  # 1.8 % of b, p = 0.02
    "lapsed": (400_000.0, -20_000.0, 1_000.0),  # fewer is better, and a falls: better
    "charges": (100.0, -30.0, 3.0),            # a clearly brings fewer: worse
    "arrests": (200.0, 0.0, 5.0),              # nothing: p = 1
    "reviewed": (40_000.0, 50.0, 400.0),       # noise
    "investigated": (800.0, -2.0, 20.0),       # noise
}
# every other metric of the family: no difference at all (p = 1)
DESIGN |= {metric: (300.0, 0.0, 5.0) for metric in PAIRED_METRICS if metric not in DESIGN}


def _replications(values: dict[str, np.ndarray]) -> Replications:
    metrics = pd.DataFrame([{"replication": r, "year": 0, "scope": "national", "metric": m,
                             "value": float(v[r])} for m, v in values.items()
                            for r in range(COUNT)])
    empty = pd.DataFrame()
    return Replications(metrics, empty, empty, empty, empty)


def _options() -> dict[str, Replications]:
    reference = {m: mean + 3.0 * np.arange(COUNT) for m, (mean, _, _) in DESIGN.items()}
    # a's replication r = b's replication r + difference r: the pairs share the b part
    plan = {m: reference[m] + diff + sd * UNIT for m, (_, diff, sd) in DESIGN.items()}
    return {"plan": _replications(plan), "status_quo": _replications(reference)}


@pytest.fixture(scope="module")
def paired() -> pd.DataFrame:
    return paired_differences(_options(), "plan", ["status_quo"]).set_index("metric")


def test_the_columns_of_paired_diff(paired: pd.DataFrame) -> None:
    assert set(paired.reset_index().columns) == set(PAIRED_COLUMNS)
    assert set(paired.index) == set(PAIRED_METRICS)
    assert (paired.threshold_share == 0.01).all()
    assert paired.loc["actioned", "reference_mean"] == pytest.approx(1_000.0 + 13.5)


def test_large_clear_difference_is_better(paired: pd.DataFrame) -> None:
    assert paired.loc["actioned", "verdict"] == BETTER


def test_significant_but_under_the_threshold_is_no_meaningful_difference(
        paired: pd.DataFrame) -> None:
    row = paired.loc["downloaded"]
    assert row.p_value < 1e-5 and row.adjusted_ci_low > 0  # far beyond noise, even adjusted
    assert row.mean_diff < 0.01 * row.reference_mean
    assert row.verdict == NO_MEANINGFUL_DIFFERENCE


def test_significant_only_before_the_adjustment_is_no_meaningful_difference(
        paired: pd.DataFrame) -> None:
    row = paired.loc["raids"]
    assert row.p_value == pytest.approx(RAIDS_P)
    assert row.ci_low > 0  # the unadjusted 95 % interval excludes zero ...
    assert row.adjusted_ci_low < 0 < row.adjusted_ci_high  # ... the adjusted one does not
    assert row.mean_diff > 0.01 * row.reference_mean  # and the threshold is no obstacle
    assert row.verdict == NO_MEANINGFUL_DIFFERENCE
    # four smaller p-values passed, so raids is the fifth of the family: 0.05 / (m - 5 + 1)
    assert row.adjusted_confidence == pytest.approx(1 - 0.05 / (len(PAIRED_METRICS) - 4))


def test_fewer_is_better_turns_the_verdict_around(paired: pd.DataFrame) -> None:
    assert paired.loc["lapsed", "mean_diff"] < 0
    assert paired.loc["lapsed", "verdict"] == BETTER
    assert paired.loc["charges", "verdict"] == WORSE
    assert verdict("lapsed", 5_000.0, 4_000.0, 6_000.0, 400_000.0) == WORSE
    assert verdict("days_to_raid_mean", -30.0, -40.0, -20.0, 900.0) == BETTER


def test_noise_is_no_meaningful_difference(paired: pd.DataFrame) -> None:
    for metric in ("arrests", "reviewed", "investigated"):
        assert paired.loc[metric, "verdict"] == NO_MEANINGFUL_DIFFERENCE, metric
    assert paired.loc["arrests", "p_value"] == pytest.approx(1.0)


def test_the_adjusted_interval_excludes_zero_exactly_where_holm_rejects(
        paired: pd.DataFrame) -> None:
    rejected, levels = holm(list(paired.p_value))
    excludes = (paired.adjusted_ci_low > 0) | (paired.adjusted_ci_high < 0)
    assert list(excludes) == rejected
    assert list(paired.adjusted_confidence) == pytest.approx([1 - level for level in levels])
    assert sorted(paired.index[excludes]) == ["actioned", "charges", "downloaded", "lapsed"]


def test_the_threshold_is_settable() -> None:
    loose = paired_differences(_options(), "plan", ["status_quo"], threshold_share=0.0)
    assert loose.set_index("metric").loc["downloaded", "verdict"] == BETTER
    strict = paired_differences(_options(), "plan", ["status_quo"], threshold_share=0.2)
    assert strict.set_index("metric").loc["actioned", "verdict"] == NO_MEANINGFUL_DIFFERENCE
    assert (strict.threshold_share == 0.2).all()


def test_holm_against_a_hand_worked_example() -> None:
    """Four p-values, alpha 0.05: levels 0.0125, 0.0167, 0.025, 0.05 in sorted order.

    0.001 <= 0.0125: rejected; 0.030 > 0.0167: stop.  0.049 would pass its own level
    (0.05) but is never reached: Holm steps down and stops at the first failure.
    """
    rejected, levels = holm([0.049, 0.001, 0.034, 0.030])
    assert rejected == [False, True, False, False]
    assert levels == pytest.approx([0.05 / 3, 0.05 / 4, 0.05 / 3, 0.05 / 3])
    # 0.010 <= 0.0125 and 0.013 <= 0.0167 are rejected (Bonferroni, 0.0125 for all, keeps
    # only the first); 0.04 > 0.025 stops, though it is below 0.05 alone.
    rejected, levels = holm([0.010, 0.2, 0.04, 0.013])
    assert rejected == [True, False, False, True]
    assert levels == pytest.approx([0.0125, 0.025, 0.025, 0.05 / 3])
    assert holm([float("nan"), 0.0]) == ([False, True], pytest.approx([0.05, 0.025]))


def test_p_value_edges() -> None:
    values = np.array([1.0, 2.5, -0.5, 3.0])
    assert paired_p_value(values) == pytest.approx(stats.ttest_1samp(values, 0).pvalue)
    assert paired_p_value(np.zeros(3)) == 1.0
    assert paired_p_value(np.array([3.0, 3.0, 3.0])) == 0.25  # sign test: 2 * (1/2) ** 3
    assert math.isnan(paired_p_value(np.array([5.0])))


def test_identical_differences_are_judged_by_the_sign_test() -> None:
    """One charge fewer in each of 3 replications proves nothing; in each of 6 it does."""
    def judged(count: int) -> pd.Series:
        a, b = {"charges": np.full(count, 9.0)}, {"charges": np.full(count, 10.0)}
        return paired_verdicts("a", "b", a, b).iloc[0]

    three, six = judged(3), judged(6)
    assert three.p_value == 0.25 and three.verdict == NO_MEANINGFUL_DIFFERENCE
    assert math.isnan(three.adjusted_ci_low)  # a zero-width interval would claim otherwise
    assert six.p_value == pytest.approx(1 / 32) and six.verdict == WORSE
    assert six.adjusted_ci_low == six.adjusted_ci_high == -1.0


def test_one_replication_gives_no_verdict() -> None:
    one = {name: Replications(r.metrics[r.metrics.replication == 0], *[pd.DataFrame()] * 4)
           for name, r in _options().items()}
    paired = paired_differences(one, "plan", ["status_quo"])
    assert (paired.verdict == NO_MEANINGFUL_DIFFERENCE).all()
    assert paired.adjusted_ci_low.isna().all()


def test_rule_wording() -> None:
    assert rule_text(8) == (
        "better or worse only where the paired 95 % interval, adjusted for the 8 metrics "
        "compared (Holm), excludes zero and the difference exceeds 1 % of the reference's "
        "value; otherwise no meaningful difference")
    assert "exceeds 5 % of" in rule_text(8, 0.05)


def test_console_prints_the_verdict_and_the_rule(paired: pd.DataFrame) -> None:
    text = paired_lines(paired.reset_index())
    assert text.splitlines()[0].startswith("raids, plan - status_quo: ")  # raids lead
    actioned = next(line for line in text.splitlines() if line.startswith("actioned,"))
    assert actioned.startswith("actioned, plan - status_quo: +100 [")
    assert actioned.endswith("tip-offs: better")
    assert rule_text(len(PAIRED_METRICS)) in text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12), st.booleans())
def test_share_intervals_stay_inside_zero_and_one(values: list[float], spread: bool) -> None:
    frame = pd.DataFrame({"metric": "utilisation_officers", "value": values})
    row = summarise(frame, ["metric"], spread=spread).iloc[0]
    assert 0.0 <= row.ci_low <= row.ci_high <= 1.0
    assert row["mean"] == pytest.approx(np.mean(values))  # the mean is not touched


def test_busy_officers_interval_is_cut_at_one_and_counts_are_not() -> None:
    values = [1.0, 0.96, 1.0, 0.99]
    assert interval(np.array(values))[2] > 1  # the t-interval would pass 100 % busy
    frame = pd.DataFrame({"metric": ["utilisation_officers"] * 4 + ["raids"] * 4,
                          "value": values + [0.0, 0.0, 0.0, 2.0]})
    rows = summarise(frame, ["metric"]).set_index("metric")
    assert rows.loc["utilisation_officers", "ci_high"] == 1.0
    assert rows.loc["raids", "ci_low"] < 0  # a count's interval is left as it is
