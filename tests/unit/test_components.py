"""Exact behaviour of the model's building blocks on tiny inputs."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from model.engine.arrivals import awareness_uplift, referrals_in_year, state_shares
from model.engine.link import MEGABITS_PER_MB, SECONDS_PER_DAY, SharedLink
from model.engine.monitor import YearlyAccumulator
from model.engine.selection import SelectionQueue
from model.engine.staff import ROUTINE_PRIORITY, TOKEN_PRIORITY, URGENT_PRIORITY, StaffPool
from model.scenario import QueueDiscipline
from model.schema_base import CourseKind


def test_shared_link_processor_sharing_trace() -> None:
    """Two downloads share the link equally; the second speeds up when the first ends."""
    env = simpy.Environment()
    mbps = 8.0 / SECONDS_PER_DAY  # 8 megabits a day: 1 MB a day alone
    link = SharedLink(env, mbps, per_download_mbps=1e9, year_edges=[0.0, 100.0])
    finished: dict[str, float] = {}

    def fetch(name: str, start: float, size_mb: float):
        yield env.timeout(start)
        yield link.transfer(size_mb)
        finished[name] = env.now

    env.process(fetch("a", 0.0, 1.0))  # alone for 0.5 day (0.5 MB), then shares
    env.process(fetch("b", 0.5, 1.0))
    env.run()
    # a: 0.5 MB left at 0.5 MB/day from t=0.5 -> ends t=1.5; b then has 0.5 MB at 1 MB/day
    assert finished["a"] == pytest.approx(1.5)
    assert finished["b"] == pytest.approx(2.0)
    assert link.traffic.total == pytest.approx(2.0 * MEGABITS_PER_MB)


def test_shared_link_respects_the_senders_ceiling() -> None:
    """A single download never goes faster than its sender's upload rate."""
    env = simpy.Environment()
    link = SharedLink(env, usable_mbps=1000.0, per_download_mbps=1.0, year_edges=[0.0, 10.0])
    done = link.transfer(size_mb=10.8)  # 86.4 megabits at 1 Mbps = 86.4 s
    env.run(until=1.0)
    assert done.triggered
    assert env.now == 1.0


def test_zero_bandwidth_never_finishes() -> None:
    """With no usable bandwidth a download never completes."""
    env = simpy.Environment()
    link = SharedLink(env, usable_mbps=0.0, per_download_mbps=1.0, year_edges=[0.0, 10.0])
    done = link.transfer(size_mb=1.0)
    env.run(until=10.0)
    assert not done.triggered


@pytest.mark.parametrize(("discipline", "expected"), [
    (QueueDiscipline.FIFO, [0, 1, 2, 3]),
    (QueueDiscipline.NEWEST_FIRST, [3, 2, 1, 0]),
    (QueueDiscipline.PRIORITY, [2, 1, 3, 0]),  # high (1, 2) newest first, then the rest
])
def test_selection_order(discipline: QueueDiscipline, expected: list[int]) -> None:
    """Each queue discipline hands out tip-offs in its documented order."""
    arrival = np.array([0.0, 1.0, 2.0, 3.0])
    high = np.array([False, True, True, False])
    queue = SelectionQueue(arrival, high, discipline, retention_days=100.0)
    assert [queue.pop(5.0) for _ in range(4)] == expected
    assert queue.pop(5.0) is None


def test_selection_skips_what_has_lapsed_and_admits_lazily() -> None:
    """Only arrivals up to now are eligible, and a tip-off past its window is skipped."""
    arrival = np.array([0.0, 5.0, 20.0])
    queue = SelectionQueue(arrival, np.zeros(3, dtype=bool), QueueDiscipline.FIFO, 10.0)
    assert queue.pop(12.0) == 1  # 0 waited 12 > 10 days: lapsed; 2 has not arrived
    assert queue.next_arrival_day() == 20.0
    assert queue.pop(12.0) is None
    assert queue.pop(20.0) == 2
    assert queue.next_arrival_day() == float("inf")


def test_staff_pool_serves_by_priority_then_arrival() -> None:
    """Tokens before urgent before routine work; first come first served within a level."""
    env = simpy.Environment()
    pool = StaffPool(env, "t", posts=1, hours_per_day=8.0,
                     factors={kind: 1.0 for kind in CourseKind}, year_edges=[0.0, 10.0])
    pool.release()  # the one post's holder starts
    order: list[str] = []

    def ask(name: str, priority: int):
        yield pool.acquire(priority)
        order.append(name)
        yield env.timeout(1.0)
        pool.release()

    env.process(ask("first", ROUTINE_PRIORITY))
    env.process(ask("routine-a", ROUTINE_PRIORITY))
    env.process(ask("routine-b", ROUTINE_PRIORITY))
    env.process(ask("urgent", URGENT_PRIORITY))
    env.process(ask("token", TOKEN_PRIORITY))
    env.run()
    assert order == ["first", "token", "urgent", "routine-a", "routine-b"]


def test_staff_pool_without_posts_never_serves() -> None:
    """A pool with no posts grants nothing."""
    env = simpy.Environment()
    pool = StaffPool(env, "t", posts=0, hours_per_day=8.0,
                     factors={kind: 1.0 for kind in CourseKind}, year_edges=[0.0, 10.0])
    granted = pool.acquire(ROUTINE_PRIORITY)
    env.run(until=5.0)
    assert not granted.triggered


def test_training_multiplier_follows_trained_share() -> None:
    """Half the pool trained with a 1.4x course gives a 1.2x average speed-up."""
    env = simpy.Environment()
    factors = {kind: 1.4 for kind in CourseKind}
    pool = StaffPool(env, "t", posts=4, hours_per_day=4.0, factors=factors,
                     year_edges=[0.0, 10.0])
    pool.change_duty(4, 4)
    pool.trained[CourseKind.DIGITAL_FORENSICS] = 2
    assert pool.multiplier(CourseKind.DIGITAL_FORENSICS) == pytest.approx(1.2)
    assert pool.work_days(4.8, CourseKind.DIGITAL_FORENSICS) == pytest.approx(1.0)
    assert pool.work_days(4.0, None) == pytest.approx(1.0)


def test_yearly_accumulator_splits_at_year_edges() -> None:
    """An interval across a year boundary is split between the two years."""
    accumulator = YearlyAccumulator([0.0, 366.0, 731.0])
    accumulator.add(360.0, 370.0, weight=2.0)
    accumulator.add(730.0, 800.0)  # beyond the horizon: only one day counts
    assert accumulator.totals == pytest.approx([12.0, 9.0])


def test_blocked_time_splits_at_year_edges_and_counts_to_the_horizon() -> None:
    """Blocked time is split by year, and a wait still open at the horizon counts up to it.

    Blocked time is a level over time, as on-duty time is: a wait across a year's end
    counts in both years, and ``close`` counts an open wait up to the horizon.
    """
    env = simpy.Environment()
    pool = StaffPool(env, "t", posts=2, hours_per_day=8.0,
                     factors={kind: 1.0 for kind in CourseKind}, year_edges=[0.0, 1.0, 2.0])

    def hold(start: float, end: float | None):
        yield env.timeout(start)
        pool.record_blocked(+1)
        if end is not None:
            yield env.timeout(end - start)
            pool.record_blocked(-1)

    env.process(hold(0.5, 1.25))  # 0.5 day in the first year, 0.25 in the second
    env.process(hold(1.5, None))  # open at the horizon (day 2): 0.5 day
    env.run(until=2.0)
    pool.close(2.0)
    assert pool.blocked.totals == [0.5, 0.75]


def test_referral_volumes_follow_the_given_points(status_quo) -> None:
    """Given years are exact, gaps are log-linear, later years grow by the factor."""
    arrivals = status_quo.arrivals.model_copy(update={"referrals_per_year": {
        2018: status_quo.arrivals.referrals_per_year[2023].model_copy(update={"value": 1000.0}),
        2020: status_quo.arrivals.referrals_per_year[2023].model_copy(update={"value": 4000.0}),
    }})
    growth = arrivals.growth_per_year_factor.value
    assert referrals_in_year(arrivals, 2018) == pytest.approx(1000.0)
    assert referrals_in_year(arrivals, 2019) == pytest.approx(2000.0)
    assert referrals_in_year(arrivals, 2022) == pytest.approx(4000.0 * growth**2)
    assert referrals_in_year(arrivals, 2017) == pytest.approx(1000.0 / growth)


def test_state_shares_and_awareness(status_quo) -> None:
    """Shares sum to one and follow weighted population; campaigns saturate."""
    shares = state_shares(status_quo)
    assert shares.sum() == pytest.approx(1.0)
    assert shares.argmax() == 4  # Selangor, the most populous (and weighted up)
    one = awareness_uplift(status_quo, "SGR")
    busier = status_quo.model_copy(update={"states": {
        **status_quo.states,
        "SGR": status_quo.states["SGR"].model_copy(update={"campaigns_per_year": 20}),
    }})
    many = awareness_uplift(busier, "SGR")
    assert 0 < one < many <= status_quo.awareness.reports_uplift_max_share.value
