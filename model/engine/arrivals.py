"""Tip-off arrivals: volumes by year and state, drawn all at once as arrays.

Arrivals are a non-homogeneous Poisson process whose rate is constant within a
calendar year (the published figures are yearly) and differs between years and
states.  They are drawn up front as sorted arrays rather than as one SimPy
process per tip-off: most tip-offs are never selected, and a process that only
waits to lapse would cost more than the rest of the model together.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from model.engine.rng import Keyed, keyed_stream
from model.scenario import Arrivals, Awareness, Scenario
from model.schema_base import STATE_CODES


@dataclass(frozen=True)
class Tipoffs:
    """Every tip-off of one replication, sorted by arrival (index = tip-off id)."""

    arrival_day: np.ndarray
    state: np.ndarray
    high_priority: np.ndarray
    local_report: np.ndarray
    size_mb: np.ndarray
    stage_at_start: np.ndarray  # a Stage; AWAITING_SELECTION for every new arrival
    # Uniform draws deciding each tip-off's arrest and charge (if it is raided), one pair
    # per tip-off: two scenarios with the same seed then decide the same case alike, so a
    # lever that changes the chance (child-interview training, cooperation) shows its own
    # effect rather than a reshuffle of luck (common random numbers).
    arrest_draw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    charge_draw: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __len__(self) -> int:
        return len(self.arrival_day)


def referrals_in_year(arrivals: Arrivals, year: int) -> float:
    """International referrals expected in a calendar year.

    Given years are taken as they are; between two given years the volume is
    interpolated on a log scale; outside them it grows (or shrinks, backwards)
    by ``growth_per_year_factor``.
    """
    points = sorted((y, e.value) for y, e in arrivals.referrals_per_year.items())
    growth = arrivals.growth_per_year_factor.value
    years = [y for y, _ in points]
    if year <= years[0]:
        return points[0][1] / growth ** (years[0] - year)
    if year >= years[-1]:
        return points[-1][1] * growth ** (year - years[-1])
    for (y0, v0), (y1, v1) in zip(points, points[1:], strict=False):
        if y0 <= year <= y1:
            fraction = (year - y0) / (y1 - y0)
            return math.exp(math.log(v0) + fraction * (math.log(v1) - math.log(v0)))
    raise AssertionError("unreachable: year lies between the given points")


def state_shares(scenario: Scenario) -> np.ndarray:
    """Share of tip-offs from each state: population times its weight, normalised."""
    weights = np.array([
        scenario.states[code].population.value * scenario.states[code].tipoff_weight_factor.value
        for code in STATE_CODES
    ])
    return weights / weights.sum()


def awareness_uplift(scenario: Scenario, code: str) -> float:
    """Rise in local reports (0.3 = +30 %) from the state's yearly campaigns.

    Diminishing returns: each further ``campaigns_half_count`` campaigns close
    half of the remaining gap to the largest rise.
    """
    return uplift_at(scenario.awareness, scenario.states[code].campaigns_per_year)


def uplift_at(awareness: Awareness, campaigns: float) -> float:
    """Rise in a state's local reports from ``campaigns`` a year (see ``awareness_uplift``)."""
    saturation = 1.0 - 0.5 ** (campaigns / awareness.campaigns_half_count.value)
    return awareness.reports_uplift_max_share.value * saturation


def year_segments(scenario: Scenario) -> list[tuple[int, float, float]]:
    """``(year, first_day, end_day)`` of each calendar year within the horizon."""
    segments = []
    for year in scenario.years:
        first = max(scenario.start_date, dt.date(year, 1, 1))
        last = min(scenario.end_date, dt.date(year, 12, 31))
        segments.append((year, scenario.day_of(first), scenario.day_of(last) + 1.0))
    return segments


def generate_tipoffs(scenario: Scenario, replication: int,
                     initial: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                     ) -> Tipoffs:
    """Draw every tip-off of the horizon: when, where, which source, priority, size, luck.

    ``initial`` (arrival days before the start, state indices, stages) adds the
    tip-offs already in the pipeline on the start date.  Each year's tip-offs of a
    state and source, and the backlog, draw from streams of their own (:class:`Column`);
    the tip-offs are then sorted by arrival.
    """
    shares = state_shares(scenario)
    uplift = np.array([awareness_uplift(scenario, code) for code in STATE_CODES])
    local_base = scenario.arrivals.local_reports_per_year.value
    parts: list[dict[str, np.ndarray]] = []
    if initial is not None:
        parts.append(_group(scenario, replication, (Keyed.BACKLOG.value,), initial[0],
                            initial[1], False, initial[2].astype(np.int8)))
    for year, first, end in year_segments(scenario):
        days_in_year = 366.0 if _leap(year) else 365.0
        fraction = (end - first) / days_in_year
        referrals = referrals_in_year(scenario.arrivals, year)
        for index in range(len(STATE_CODES)):
            expected = (referrals * shares[index], local_base * shares[index] * (1 + uplift[index]))
            for is_local, per_year in enumerate(expected):
                key = (Keyed.SEGMENT.value, year, index, is_local)
                count = int(_stream(scenario, replication, key, Column.COUNT)
                            .poisson(per_year * fraction))
                days = _stream(scenario, replication, key, Column.DAY).uniform(first, end, count)
                parts.append(_group(scenario, replication, key, days,
                                    np.full(count, index, dtype=np.int8), bool(is_local),
                                    np.zeros(count, dtype=np.int8)))
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.argsort(columns["arrival_day"], kind="stable")
    return Tipoffs(**{name: values[order] for name, values in columns.items()})


class Column(IntEnum):
    """What a group of tip-offs draws: each from a stream of its own (the group's key, then this).

    A group's count takes more or fewer numbers from its stream as its mean moves, and each
    column is drawn tip-off by tip-off in the group's order, so a group that has more
    tip-offs in another scenario gives its first ones the same days, sizes and draws.
    """

    COUNT = 0
    DAY = 1
    PRIORITY = 2
    SIZE = 3
    ARREST = 4
    CHARGE = 5


def _stream(scenario: Scenario, replication: int, key: tuple[int, ...],
            column: Column) -> np.random.Generator:
    return keyed_stream(scenario.seed, replication, (*key, column.value))


def _group(scenario: Scenario, replication: int, key: tuple[int, ...], arrival_day: np.ndarray,
           state: np.ndarray, local: bool, stage: np.ndarray) -> dict[str, np.ndarray]:
    """A group of tip-offs' columns of ``Tipoffs``, each drawn from its own stream."""
    count = len(arrival_day)
    arrivals = scenario.arrivals

    def uniforms(column: Column) -> np.ndarray:
        return _stream(scenario, replication, key, column).random(count)

    size = arrivals.evidence_median_mb.value * np.exp(
        arrivals.evidence_spread_sigma.value
        * _stream(scenario, replication, key, Column.SIZE).standard_normal(count))
    return {
        "arrival_day": arrival_day, "state": state,
        "high_priority": uniforms(Column.PRIORITY) < arrivals.high_priority_share.value,
        "local_report": np.full(count, local), "size_mb": size.astype(np.float32),
        "stage_at_start": stage,
        "arrest_draw": uniforms(Column.ARREST), "charge_draw": uniforms(Column.CHARGE),
    }


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
