"""SimPy processes of the pipeline.  They move tip-offs and record days; no KPI arithmetic.

Flow of one tip-off (conceptual model, section 2)::

    queue --select (HQ download team)--> download (shared link)
          --review (HQ forensic team) + wait for subscriber data--> identified?
          --casework + officer investigation (state) + waits--> investigated
            (or lapsed after selection: stale before its state started the casework)
          --raid (state officer)--> arrest? --> devices examined (HQ) --> charge?
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy

from model.engine.arrivals import Tipoffs
from model.engine.ledger import Closure, Ledger, Outcome, Stage, stale_day
from model.engine.link import DownloadSlots, SharedLink
from model.engine.rng import Draw, ServiceDraws
from model.engine.selection import SelectionQueue
from model.engine.staff import ROUTINE_PRIORITY, TOKEN_PRIORITY, URGENT_PRIORITY, StaffPool
from model.scenario import QueueDiscipline
from model.schema_base import CourseKind

IDENTIFICATION_SHAPE = 3.0
"""Steepness of the identification curve p(age) = p0 / (1 + (age / age50) ** 3); with
age50 = 220 days it passes through facts.md's points (0.9 at 3 months, 0.5-0.7 at 6,
under 0.3 at 12).  A structural assumption, listed in the README's model notes."""

Process = Generator[simpy.Event, object, None]


@dataclass(frozen=True)
class Rates:
    """Plain numbers the processes need, read once from the scenario."""

    triage_hours: float
    success_prob: float
    review_hours: float
    subscriber_days: float
    identify_young_prob: float
    identify_age50_days: float
    identify_age50_after_days: float
    rules_day: float
    actionable_prob: float
    casework_hours: float
    officer_hours: float
    stale_after_days: float
    investigation_delay_days: float
    abroad_share: float
    mla_delay_days: float
    raid_prob: float
    raid_days: float
    arrest_prob: tuple[float, ...]  # per state, awareness cooperation included
    charge_prob: float
    devices_per_raid: float
    device_exam_hours: float
    hash_matching_share: float
    effort_cv: float


@dataclass
class Pipeline:
    """Everything the processes share in one replication."""

    env: simpy.Environment
    rates: Rates
    tipoffs: Tipoffs
    ledger: Ledger
    queue: SelectionQueue
    link: SharedLink
    download_slots: DownloadSlots
    download_team: StaffPool
    forensic_team: StaffPool
    officers: tuple[StaffPool, ...]
    lower_ranks: tuple[StaffPool, ...]
    draws: ServiceDraws

    def casework_pool(self, state: int) -> StaffPool:
        """Lower ranks do casework; where a state has none in post, its officers do."""
        lower = self.lower_ranks[state]
        return lower if lower.filled > 0 else self.officers[state]

    def effort(self, kind: Draw, mean_hours: float, place: int = 0) -> float:
        """The hours the next task of ``kind`` at ``place`` needs: its draw times the mean."""
        return self.draws.next(kind, place) * mean_hours


def select_tipoffs(pipe: Pipeline) -> Process:
    """One member of the HQ download team: take the next tip-off, triage it, start its download.

    After triage the member waits for a free download slot before taking the
    next tip-off, so selection never runs ahead of what can be downloaded (the
    logistics limit): the team is then blocked, not idle.  The member's work is
    a :class:`Selector`; this process only starts it when the simulation starts,
    at the place in the event order a process of its own would have.
    """
    Selector(pipe).take_next()
    yield from ()  # SimPy runs generators; this one has nothing to wait for


class Selector:
    """One member of the HQ download team, as a chain of callbacks rather than a process.

    Selection runs for every tip-off downloaded, and a process resumed its generator
    two or three times per tip-off.  The steps, their order and their random draws
    are those of the process it replaces::

        yield team.acquire(ROUTINE_PRIORITY)          # take_next
        try:
            tipoff = queue.pop(now)                     # _select
            while tipoff is None:                       # _select, _wait_for_arrival
                if no arrival is left: return
                yield env.timeout(until the next arrival)
                tipoff = queue.pop(now)
            days = team.work_days(triage effort)        # _triage
            yield env.timeout(days)
            slot = download_slots.request()             # _triaged
            if no slot is free:
                yield slot                              # blocked until _slot_freed
        finally:
            team.release()                              # _hand_over
        start_download(tipoff)
    """

    __slots__ = ("pipe", "tipoff")

    def __init__(self, pipe: Pipeline) -> None:
        self.pipe = pipe
        self.tipoff = -1  # the tip-off in hand

    def take_next(self) -> None:
        """Wait for a person of the team (at once if one is free), then select."""
        pipe = self.pipe
        pipe.download_team.request(ROUTINE_PRIORITY, pipe.env.now, self._select)

    def _select(self, _granted: simpy.Event) -> None:
        pipe = self.pipe
        tipoff = pipe.queue.pop(pipe.env.now)
        if tipoff is None:
            self._wait_for_arrival()
        else:
            self._triage(tipoff)

    def _wait_for_arrival(self) -> None:
        pipe = self.pipe
        env = pipe.env
        wait = pipe.queue.next_arrival_day() - env.now
        if wait == float("inf"):  # nothing more will arrive: the member stops
            pipe.download_team.release()
            return
        env.timeout(wait).callbacks.append(self._select)

    def _triage(self, tipoff: int) -> None:
        pipe = self.pipe
        env, team = pipe.env, pipe.download_team
        pipe.ledger.selected_day[tipoff] = env.now
        days = team.work_days(pipe.effort(Draw.TRIAGE, pipe.rates.triage_hours),
                              CourseKind.COVERT_ONLINE)
        team.record_busy(days)
        self.tipoff = tipoff
        env.timeout(days).callbacks.append(self._triaged)

    def _triaged(self, _timeout: simpy.Event) -> None:
        slot = self.pipe.download_slots.request()
        if slot.callbacks is None:  # a slot was free (see Granted)
            self._hand_over(slot)
        else:  # no slot free: blocked until one is
            self.pipe.download_team.record_blocked(+1)
            slot.callbacks.append(self._slot_freed)

    def _slot_freed(self, slot: simpy.Event) -> None:
        self.pipe.download_team.record_blocked(-1)
        self._hand_over(slot)

    def _hand_over(self, _slot: simpy.Event) -> None:
        """The download has its slot: the member is free, the download starts, and on."""
        pipe = self.pipe
        pipe.download_team.release()
        start_download(pipe, self.tipoff)
        self.take_next()


def start_download(pipe: Pipeline, tipoff: int) -> None:
    """Start downloading the evidence over the shared link (or find it gone).

    A plain function with a completion callback, not a process: a download only
    waits for the link, and a process per download cost an initialisation, a
    resumption and a termination event for nothing.
    """
    if pipe.draws.next(Draw.DOWNLOAD) >= pipe.rates.success_prob:
        pipe.download_slots.release()
        pipe.ledger.close(tipoff, pipe.env.now, Outcome.CLOSED_NO_ACTION,
                          Closure.DOWNLOAD_FAILED)
        return
    pipe.link.start(float(pipe.tipoffs.size_mb[tipoff]), partial(finish_download, pipe, tipoff))


def finish_download(pipe: Pipeline, tipoff: int) -> None:
    """The evidence is in: free the slot and hand the case to review."""
    pipe.download_slots.release()
    pipe.ledger.downloaded_day[tipoff] = pipe.env.now
    start_review(pipe, tipoff)


def work(pool: StaffPool, days: float, priority: int, order: float | None = None) -> Process:
    """One person of ``pool`` does ``days`` of work at ``priority`` (see StaffPool.acquire)."""
    yield pool.acquire(priority, order)
    pool.record_busy(days)
    yield pool.env.timeout(days)
    pool.release()


def identification_prob(rates: Rates, arrival_day: float, age_days: float) -> float:
    """Chance the subscriber behind an IP can still be identified at this age."""
    age50 = rates.identify_age50_after_days if arrival_day >= rates.rules_day \
        else rates.identify_age50_days
    return rates.identify_young_prob / (1.0 + (age_days / age50) ** IDENTIFICATION_SHAPE)


def review_backlog(pipe: Pipeline, tipoffs: list[int]) -> Process:
    """Start the review of the tip-offs that were downloaded before the horizon started.

    A process only so that the reviews start when the simulation does, in the
    order they would have as processes of their own.
    """
    for tipoff in tipoffs:
        start_review(pipe, tipoff)
    yield from ()  # SimPy runs generators; this one has nothing to wait for


def start_review(pipe: Pipeline, tipoff: int) -> None:
    """Start the HQ review of a downloaded tip-off (see :class:`Review`)."""
    Review(pipe, tipoff)


class Review:
    """HQ review of one downloaded tip-off, then the wait for subscriber data.

    Review is the stage every downloaded tip-off passes, and most end there, so
    it is a chain of callbacks rather than a process: a process added an
    initialisation event, a termination event and a generator per case, which
    made up a third of a replication's events.  The steps, their order and
    their random draws are those of the process it replaces::

        days = forensic.work_days(effort)     # __init__
        yield from work(forensic, days)       # __init__, _start_work, _end_work
        yield env.timeout(subscriber wait)    # _end_work
        decide                                # _conclude

    Reviewers take cases in the order of :func:`queue_key` (high-risk and newest first
    under ``priority``): a stale backlog is not worked through before fresh material.
    """

    __slots__ = ("days", "pipe", "tipoff")

    def __init__(self, pipe: Pipeline, tipoff: int) -> None:
        self.pipe, self.tipoff = pipe, tipoff
        forensic = pipe.forensic_team
        self.days = forensic.work_days(pipe.effort(Draw.REVIEW, pipe.rates.review_hours),
                                       CourseKind.DIGITAL_FORENSICS)
        forensic.request(*queue_key(pipe, tipoff, ROUTINE_PRIORITY), self._start_work)

    def _start_work(self, _granted: simpy.Event) -> None:
        forensic = self.pipe.forensic_team
        forensic.record_busy(self.days)
        forensic.env.timeout(self.days).callbacks.append(self._end_work)

    def _end_work(self, _timeout: simpy.Event) -> None:
        """Reviewed and packaged: the reviewer is free; MCMC and the ISP name the subscriber."""
        pipe = self.pipe
        pipe.forensic_team.release()
        pipe.ledger.examined_day[self.tipoff] = pipe.env.now
        rates = pipe.rates
        wait = pipe.draws.next(Draw.SUBSCRIBER_WAIT) * rates.subscriber_days
        pipe.env.timeout(wait).callbacks.append(self._conclude)

    def _conclude(self, _timeout: simpy.Event) -> None:
        """Identified and actionable: the case goes on to its state; otherwise it is closed."""
        pipe, tipoff = self.pipe, self.tipoff
        env, rates, ledger, draws = pipe.env, pipe.rates, pipe.ledger, pipe.draws
        ledger.reviewed_day[tipoff] = env.now
        arrival = float(pipe.tipoffs.arrival_day[tipoff])
        if draws.next(Draw.IDENTIFY) >= identification_prob(rates, arrival, env.now - arrival):
            ledger.close(tipoff, env.now, Outcome.CLOSED_NO_ACTION, Closure.NOT_IDENTIFIED)
        elif draws.next(Draw.ACTIONABLE) >= rates.actionable_prob:
            ledger.close(tipoff, env.now, Outcome.CLOSED_NO_ACTION, Closure.NOT_ACTIONABLE)
        else:
            env.process(follow_case(pipe, tipoff))


def follow_case(pipe: Pipeline, tipoff: int,
                stage: Stage = Stage.AWAITING_INVESTIGATION) -> Process:
    """Investigation and raid of one reviewed tip-off, from ``stage`` on."""
    if stage <= Stage.AWAITING_INVESTIGATION and not (yield from investigate(pipe, tipoff)):
        return
    yield from raid(pipe, tipoff)


IN_HAND_PRIORITY = ROUTINE_PRIORITY
"""A state's officer work on a case whose casework is done: before any new case."""
NEW_CASE_PRIORITY = ROUTINE_PRIORITY + 2
"""A state's casework on a newly arrived case (plus one for a low-risk case under
``priority``, so that every class of work in hand comes before every new case)."""


def queue_key(pipe: Pipeline, tipoff: int, priority: int) -> tuple[int, float]:
    """``(priority, order)`` of a case in a staff queue (see ``StaffPool.acquire``).

    Every queue after selection (HQ review, the states' casework and officer work)
    serves under HQ's discipline (``selection.discipline``): ``priority`` takes
    high-risk cases first and the newest first within a class, because evidence and
    subscriber records go stale with age; ``fifo`` the oldest first; ``newest_first``
    the newest first.  Arrival days are unique, so there are no ties.
    """
    discipline = pipe.queue.discipline
    arrival = float(pipe.tipoffs.arrival_day[tipoff])
    if discipline is QueueDiscipline.PRIORITY and not pipe.tipoffs.high_priority[tipoff]:
        priority += 1
    return priority, arrival if discipline is QueueDiscipline.FIFO else -arrival


def case_queue(pipe: Pipeline, tipoff: int, in_hand: bool) -> tuple[int, float]:
    """``(priority, order)`` of a case in its state's queues.

    As :func:`queue_key`; work in hand (the officer work of a case whose casework is
    done) comes before new cases where they share a pool (a state whose officers do
    the casework); raids come before both (``URGENT_PRIORITY``).
    """
    return queue_key(pipe, tipoff, IN_HAND_PRIORITY if in_hand else NEW_CASE_PRIORITY)


def investigate(pipe: Pipeline, tipoff: int) -> Generator[simpy.Event, object, bool]:
    """The state's casework, officer work and waits; True if a raid follows.

    A case whose casework has not started by the time it is older than
    ``stale_after_days`` (since it arrived) lapses instead, on the day it went
    stale (``ledger.stale_day``); one whose casework has started is seen through.
    """
    env, rates, ledger, draws = pipe.env, pipe.rates, pipe.ledger, pipe.draws
    state = int(pipe.tipoffs.state[tipoff])
    casework, officers = pipe.casework_pool(state), pipe.officers[state]
    arrival = float(pipe.tipoffs.arrival_day[tipoff])
    deadline = arrival + rates.stale_after_days  # any older and the evidence is stale
    days = casework.work_days(pipe.effort(Draw.CASEWORK, rates.casework_hours, state),
                              CourseKind.COVERT_ONLINE)
    started = False
    if env.now <= deadline:  # else it reached its state already stale
        yield casework.acquire(*case_queue(pipe, tipoff, in_hand=False))
        started = env.now <= deadline
        if not started:
            casework.release()  # to the next in line, at once
    if not started:
        day = stale_day(arrival, float(ledger.reviewed_day[tipoff]), rates.stale_after_days)
        ledger.close(tipoff, float(day), Outcome.LAPSED_AFTER_SELECTION)
        return False
    ledger.casework_day[tipoff] = env.now
    casework.record_busy(days)
    yield env.timeout(days)
    casework.release()
    days = officers.work_days(pipe.effort(Draw.OFFICER, rates.officer_hours, state),
                              CourseKind.COVERT_ONLINE)
    yield from work(officers, days, *case_queue(pipe, tipoff, in_hand=True))
    wait = draws.next(Draw.WARRANT_WAIT, state) * rates.investigation_delay_days
    if draws.next(Draw.ABROAD, state) < rates.abroad_share:
        wait += draws.next(Draw.MLA_WAIT, state) * rates.mla_delay_days
    yield env.timeout(wait)
    ledger.investigated_day[tipoff] = env.now
    if draws.next(Draw.RAID, state) >= rates.raid_prob:
        ledger.close(tipoff, env.now, Outcome.ACTIONED)  # documented closure without a raid
        return False
    return True


def raid(pipe: Pipeline, tipoff: int) -> Process:
    """An officer-led raid; arrest with some chance (the case's own draw); devices go to HQ."""
    env, rates, ledger = pipe.env, pipe.rates, pipe.ledger
    state = int(pipe.tipoffs.state[tipoff])
    officers = pipe.officers[state]
    yield from work(officers, rates.raid_days, URGENT_PRIORITY)
    ledger.raid_day[tipoff] = env.now
    ledger.close(tipoff, env.now, Outcome.ACTIONED)
    arrest_prob = min(1.0, rates.arrest_prob[state]
                      * officers.multiplier(CourseKind.CHILD_INTERVIEW))
    arrested = bool(pipe.tipoffs.arrest_draw[tipoff] < arrest_prob)
    ledger.arrested[tipoff] = arrested
    env.process(examine_devices(pipe, tipoff, arrested))


def examine_devices(pipe: Pipeline, tipoff: int, arrested: bool) -> Process:
    """HQ examines the devices a raid seized; a charge follows an arrest with some chance."""
    rates = pipe.rates
    devices = 1 + int(pipe.draws.next(Draw.DEVICES))
    hours = sum(pipe.effort(Draw.EXAM, rates.device_exam_hours) for _ in range(devices))
    hours *= 1.0 - rates.hash_matching_share
    forensic = pipe.forensic_team
    days = forensic.work_days(hours, CourseKind.DIGITAL_FORENSICS)
    yield from work(forensic, days, URGENT_PRIORITY)
    if arrested and pipe.tipoffs.charge_draw[tipoff] < rates.charge_prob:
        pipe.ledger.charge_day[tipoff] = pipe.env.now


def staff_post(env: simpy.Environment, pool: StaffPool, created_day: float, vacant: bool,
               recruitment_lag_days: float, attrition_per_year: float,
               rng: np.random.Generator) -> Process:
    """One established post: created, vacant until recruited, filled until its holder leaves."""
    if created_day > 0:
        yield env.timeout(created_day)
    if vacant:
        yield env.timeout(recruitment_lag_days)
    pool.release()
    pool.change_duty(+1, +1)
    if attrition_per_year <= 0:
        return
    while True:
        yield env.timeout(rng.exponential(365.25 / attrition_per_year))
        yield pool.acquire(TOKEN_PRIORITY)  # the leaver first finishes the task in hand
        pool.lose_one(float(rng.random()))
        yield env.timeout(recruitment_lag_days)
        pool.release()
        pool.change_duty(+1, +1)


def change_availability(env: simpy.Environment, pool: StaffPool, day: float,
                        hours_per_day: float) -> Process:
    """From ``day`` on, each person of the pool gives ``hours_per_day`` to the work."""
    yield env.timeout(day)
    pool.hours_per_day = hours_per_day


def run_course(env: simpy.Environment, pool: StaffPool, kind: CourseKind, places: int,
               start_day: float, duration_days: float) -> Process:
    """Send ``places`` people of a pool on a course, then count them as trained."""
    yield env.timeout(max(start_day, 0.0))
    places = min(places, pool.filled)
    if places == 0:
        return
    yield env.all_of([pool.acquire(TOKEN_PRIORITY) for _ in range(places)])
    pool.change_duty(0, -places)
    yield env.timeout(duration_days)
    for _ in range(places):
        pool.release()
    pool.change_duty(0, +places)
    pool.trained[kind] = min(pool.filled, pool.trained[kind] + places)
