"""Starting states, replicating to a precision, and parameter uncertainty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.experiments.replications import (
    precise_prefix,
    run_replications,
    run_until_precise,
    summarise,
)
from model.experiments.uncertainty import UncertainScenarios, varied_assumptions
from model.loading import load_scenario, override
from model.metrics import NATIONAL, WHOLE_HORIZON
from model.scenario import estimate_at
from tests.conftest import STATUS_QUO

BALANCE = ["actioned", "closed_no_action", "lapsed", "lapsed_after_selection",
           "in_system_at_end"]


def national(metrics: pd.DataFrame, metric: str) -> np.ndarray:
    chosen = metrics[(metrics.year == WHOLE_HORIZON) & (metrics.scope == NATIONAL)
                     & (metrics.metric == metric)]
    return chosen.sort_values("replication").value.to_numpy()


@pytest.fixture(scope="module")
def first_run():
    """Four months from empty, busy enough to leave tip-offs at every stage."""
    scenario = load_scenario(STATUS_QUO, [
        "end_date=2024-04-30", "initial_state=null", "arrivals.referrals_per_year.2023=40000",
    ])
    return scenario, run_replications(scenario, 2, workers=1)


def test_a_run_can_start_where_another_ended(first_run, tmp_path) -> None:
    """The end state of one run is the next run's initial backlog, and flows still balance."""
    scenario, results = first_run
    end_state = results.mean_end_state()
    assert set(end_state.stage) >= {"awaiting_selection", "awaiting_review",
                                    "awaiting_investigation"}
    path = tmp_path / "end_state.csv"
    end_state.to_csv(path, index=False)
    follow_on = override(scenario, [
        "start_date=2024-05-01", "end_date=2024-06-30",
        f"initial_state={{from_file: '{path}', age_offset_days: 0}}",
    ])
    metrics = run_replications(follow_on, 2, workers=1).metrics
    start = national(metrics, "initial_backlog")
    assert (start == end_state["count"].sum()).all()
    table = metrics.pivot_table(index=["replication", "year", "scope"], columns="metric",
                                values="value")
    gap = table.initial_backlog + table.tipoffs_received - table[BALANCE].sum(axis=1)
    assert gap.abs().max() == 0
    assert national(metrics, "reviewed").min() > 0


def test_auto_replications_do_not_depend_on_workers(small) -> None:
    """The rule picks the same number of replications on one worker or two."""
    one = run_until_precise(small, 1, precision_share=0.08, cap=12)
    two = run_until_precise(small, 2, precision_share=0.08, cap=12)
    pd.testing.assert_frame_equal(one.metrics, two.metrics)
    count = one.metrics.replication.nunique()
    assert 5 <= count <= 12
    values = national(one.metrics, "actioned")
    assert precise_prefix(values, 0.08, 5) in (count, None)


def test_precise_prefix_stops_at_the_first_tight_interval() -> None:
    """On made-up values the rule stops exactly where the half-width first fits."""
    values = np.array([100.0, 102, 98, 101, 99, 100, 100, 100])
    # n=4: 3.182 * 1.708 / 2 = 2.72 > 2.005; n=5: 2.776 * 1.581 / sqrt(5) = 1.96 <= 2.0
    assert precise_prefix(values, 0.02, 3) == 5
    assert precise_prefix(np.array([1.0, 50, 100, 1, 50]), 0.01, 3) is None


def test_uncertainty_draws_every_assumption_within_its_range(status_quo) -> None:
    """Without a calibrated hypothesis, every varied assumption is drawn inside its range."""
    status_quo = status_quo.model_copy(update={"hypothesis": None, "calibrated": None})
    design = UncertainScenarios.design(status_quo, 5)
    ranges = varied_assumptions(status_quo)
    assert design.points.shape == (5, len(ranges))
    for column, (_, low, high) in enumerate(ranges):
        values = design.points[:, column]
        assert ((values >= low) & (values <= high)).all()
        # Latin hypercube: one draw in each fifth of the range
        strata = np.floor((values - low) / (high - low) * 5).clip(0, 4)
        assert sorted(strata) == [0, 1, 2, 3, 4]
    again = UncertainScenarios.design(status_quo, 5)
    assert (again.points == design.points).all()


def test_uncertainty_under_a_hypothesis_draws_its_plausible_set(status_quo) -> None:
    """Each replication takes a plausible vector of the calibrated parameters.

    Every vector is used before any repeats, and nothing else moves.
    """
    calibrated = status_quo.calibrated
    assert calibrated is not None and len(calibrated.plausible) >= 2
    count = len(calibrated.plausible) + 3
    design = UncertainScenarios.design(status_quo, count)
    assert design.paths == calibrated.parameters
    rows = [tuple(row) for row in design.points.tolist()]
    assert set(rows[:len(calibrated.plausible)]) == set(calibrated.plausible)
    assert set(rows) <= set(calibrated.plausible)
    variant = design(0)
    for path, value in zip(design.paths, rows[0], strict=True):
        assert estimate_at(variant, path).value == value
    assert variant.download.success_prob == status_quo.download.success_prob
    assert "plausible" in design.describe() and calibrated.name in design.describe()


def test_uncertainty_widens_the_spread(small) -> None:
    """With parameters drawn from their ranges, outcomes spread more than from events alone."""
    small = small.model_copy(update={"hypothesis": None, "calibrated": None})
    design = UncertainScenarios.design(small, 6)
    uncertain = run_replications(small, 6, workers=1, variants=design).metrics
    certain = run_replications(small, 6, workers=1).metrics
    assert national(uncertain, "downloaded").std() > national(certain, "downloaded").std()
    summary = summarise(uncertain[uncertain.year == WHOLE_HORIZON], ["scope", "metric"],
                        spread=True).set_index(["scope", "metric"])
    row = summary.loc[(NATIONAL, "downloaded")]
    values = national(uncertain, "downloaded")
    assert row.ci_low == pytest.approx(np.percentile(values, 2.5))
    assert row.ci_high == pytest.approx(np.percentile(values, 97.5))
