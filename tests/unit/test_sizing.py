"""The size estimate: counts match what a replication draws; refusals say how to shrink."""

from __future__ import annotations

import pytest

from model.engine.simulation import simulate
from model.loading import load_scenario
from model.runs.sizing import (
    BYTES_PER_POST,
    SizeError,
    SizeLimits,
    check_size,
    default_limits,
    estimate_run,
    replication_size,
)
from model.scenario import Scenario
from tests.conftest import STATUS_QUO

ROOMY = SizeLimits(memory_bytes=64e9, seconds=1e9)
"""A large server's memory and no time limit."""


def test_tipoff_count_is_what_a_replication_draws(small: Scenario) -> None:
    """Expected arrivals within 3 % of a replication's Poisson draw."""
    drawn = len(simulate(small, 0).tipoffs)
    assert replication_size(small).tipoffs == pytest.approx(drawn, rel=0.03)


def test_starting_state_counts(status_quo: Scenario) -> None:
    """The starting state's tip-offs are counted, those past selection as flowing."""
    from_empty = replication_size(status_quo.model_copy(update={"initial_state": None}))
    size = replication_size(status_quo)
    drawn = len(simulate(status_quo.model_copy(update={"end_date": status_quo.start_date}),
                         0).tipoffs)
    assert size.tipoffs - from_empty.tipoffs == pytest.approx(drawn, rel=0.05)
    assert size.flowing_tipoffs > from_empty.flowing_tipoffs


def test_status_quo_fits_on_a_laptop(status_quo: Scenario) -> None:
    """The shipped default run: well under a gigabyte a worker and minutes, not hours."""
    estimate = estimate_run(status_quo, status_quo.replications, workers=2, cores=2)
    assert estimate.memory_bytes < 2e9
    assert 10 < estimate.seconds < 30 * 60
    check_size(estimate, SizeLimits(memory_bytes=4e9, seconds=3600))


def test_memory_grows_with_workers_and_time_shrinks(status_quo: Scenario) -> None:
    """Each worker holds a replication; more workers (up to the cores) finish sooner."""
    one = estimate_run(status_quo, 8, workers=1, cores=4)
    four = estimate_run(status_quo, 8, workers=4, cores=4)
    many = estimate_run(status_quo, 8, workers=64, cores=4)
    assert four.memory_bytes > 3 * one.memory_bytes
    assert four.seconds == pytest.approx(one.seconds / 4)
    assert many.workers == 8 and many.seconds == four.seconds


def test_too_many_tipoffs_is_refused_with_the_knobs_to_turn() -> None:
    """A trillion referrals a year: refused for memory, naming the horizon and the arrivals."""
    huge = load_scenario(STATUS_QUO, ["arrivals.referrals_per_year.2023=1e12"])
    with pytest.raises(SizeError) as caught:
        check_size(estimate_run(huge, 10, workers=2), ROOMY)
    message = str(caught.value)
    for fragment in ("this run would need about", "PB of memory", "trillion tip-offs",
                     "per replication x 2 workers", "end_date",
                     "arrivals.growth_per_year_factor", "fewer --workers"):
        assert fragment in message, message


def test_too_many_posts_names_the_largest_group() -> None:
    """A billion posts: refused for memory, naming the group to shrink."""
    huge = load_scenario(STATUS_QUO, ["states.SGR.officers.posts=1000000000"])
    estimate = estimate_run(huge, 1, workers=1)
    assert estimate.replication.posts * BYTES_PER_POST > 1e11
    with pytest.raises(SizeError, match=r"lower the posts \(the largest group is "
                                        r"states\.SGR\.officers, with 1\.0 billion\)"):
        check_size(estimate, ROOMY)


def test_too_long_is_refused_with_its_estimate(status_quo: Scenario) -> None:
    """A hundred thousand replications take days: refused with the time and the way out."""
    with pytest.raises(SizeError) as caught:
        check_size(estimate_run(status_quo, 100_000, workers=1, cores=2))
    message = str(caught.value)
    assert "this run would take about" in message and "days" in message
    assert "fewer --replications (100,000 asked)" in message
    assert "more --workers (this machine has 2 cores)" in message


def test_an_estimate_that_is_not_a_number_is_refused(status_quo: Scenario) -> None:
    """NaN compares false with everything; it must not slip past the limits."""
    with pytest.raises(SizeError):
        check_size(estimate_run(status_quo, 1, 1),
                   SizeLimits(memory_bytes=float("nan"), seconds=1e9))


def test_default_limits_follow_the_machine() -> None:
    """A share of the physical memory and a day."""
    limits = default_limits()
    assert 1e8 < limits.memory_bytes < 1e15
    assert limits.seconds == 24 * 3600
