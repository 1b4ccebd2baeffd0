"""Awareness campaigns' staff time: what each state's campaigns take from its casework staff.

A state running ``campaigns_per_year`` campaigns gives ``campaign_staff_days`` person-days
(working days of one person) to each, from the pool that does its casework (its lower
ranks; its officers where it has none in post).  The time is spread evenly over each
calendar year, in :data:`PIECES_PER_YEAR` equal pieces at evenly spaced days, each done by
one person at routine priority (``staff.ROUTINE_PRIORITY``): after raids, before any new
case (see ``processes.case_queue``).  A year the horizon covers only in part gets the
pieces that fall inside it.  Nothing is drawn at random, so no other activity's draws move.

A person on a campaign is away from all their work for those days, so the casework loses
its share of them: all of them for a full-time post, ``availability_share`` of them for a
post that gives only part of its time to this work (the history's part-time officers).
A piece therefore holds one person for its person-days in calendar days
(``x 365.25 / working_days_per_year``), whatever their availability.
"""

from __future__ import annotations

import datetime as dt

from model.engine.processes import Pipeline, Process, work
from model.engine.staff import ROUTINE_PRIORITY
from model.scenario import Scenario

PIECES_PER_YEAR = 52
"""Pieces a year's campaign time is cut into: one a week."""


def campaign_schedule(scenario: Scenario, code: str) -> list[tuple[float, float]]:
    """``(day, days away)`` of each piece of a state's campaign work within the horizon.

    Parameters
    ----------
    scenario
        The scenario: the state's ``campaigns_per_year``, ``awareness.campaign_staff_days``
        and ``staffing.working_days_per_year`` (to turn working days into calendar days).
    code
        The state's code.

    Returns
    -------
    list of (float, float)
        The simulation day each piece starts and the calendar days it holds one person,
        in day order; empty when the state runs no campaigns or they take no time.
    """
    campaigns = scenario.states[code].campaigns_per_year
    person_days = campaigns * scenario.awareness.campaign_staff_days.value
    if person_days <= 0:
        return []
    away = (person_days * 365.25 / scenario.staffing.working_days_per_year.value
            / PIECES_PER_YEAR)
    schedule = []
    for year in scenario.years:
        first = scenario.day_of(dt.date(year, 1, 1))
        length = scenario.day_of(dt.date(year + 1, 1, 1)) - first
        for piece in range(PIECES_PER_YEAR):
            day = first + (piece + 0.5) * length / PIECES_PER_YEAR
            if 0.0 <= day < scenario.horizon_days:
                schedule.append((day, away))
    return schedule


def run_campaigns(pipe: Pipeline, state: int, schedule: list[tuple[float, float]]) -> Process:
    """One state's campaign work: each piece, on its day, by one person of its casework pool.

    A piece waits for a person like any routine task; a piece that could not start by the
    next one's day is followed at once by the next (the time is owed, not forgiven).
    """
    env = pipe.env
    for day, away in schedule:
        if day > env.now:
            yield env.timeout(day - env.now)
        pool = pipe.casework_pool(state)
        if pool.hours_per_day <= 0:
            continue  # nobody gives time to the work: no time to take
        yield from work(pool, away, ROUTINE_PRIORITY)
