"""One replication of one scenario: build the pipeline, run it, return what happened."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import simpy

from model.engine.arrivals import Tipoffs, awareness_uplift, generate_tipoffs, year_segments
from model.engine.campaigns import campaign_schedule, run_campaigns
from model.engine.initial_state import initial_state_frame, initial_tipoffs
from model.engine.ledger import Ledger, Stage
from model.engine.link import DownloadSlots, SharedLink
from model.engine.processes import (
    Pipeline,
    Rates,
    change_availability,
    follow_case,
    review_backlog,
    run_course,
    select_tipoffs,
    staff_post,
)
from model.engine.rng import Keyed, ServiceDraws, keyed_stream, post_stream
from model.engine.selection import SelectionQueue
from model.engine.staff import StaffPool
from model.scenario import Scenario, StaffGroup, Team
from model.schema_base import STATE_CODES, CourseKind


class PoolTime(NamedTuple):
    """A staff pool's time per calendar year, in person-days."""

    busy: list[float]
    duty: list[float]  # on duty: busy, blocked or idle
    blocked: list[float]


@dataclass(frozen=True)
class RunResult:
    """What one replication produced: the case book and time-weighted totals."""

    replication: int
    start_date: dt.date
    years: tuple[int, ...]
    year_edges: tuple[float, ...]
    horizon_day: float
    tipoffs: Tipoffs
    ledger: Ledger
    pools: dict[str, PoolTime]
    link_traffic: tuple[float, ...]  # megabits moved per year
    link_capacity_per_day: float  # megabits a day
    high_risk_target_days: float  # a high-risk tip-off should be examined this soon after arrival


def rates_of(scenario: Scenario) -> Rates:
    """Read the numbers the processes use from the scenario, the tools bought applied.

    Risk scoring scales triage time, hash matching review and device examination time
    (``scenario.tooling``); with nothing bought the numbers are the scenario's own.
    """
    review, inv, raid = scenario.review, scenario.investigation, scenario.raid
    tooling = scenario.tooling
    triage_hours = scenario.selection.triage_minutes.value / 60.0
    review_hours, device_exam_hours = review.review_hours.value, raid.device_exam_hours.value
    if tooling.risk_scoring:
        triage_hours *= tooling.effects.triage_time_share.value
    if tooling.hash_matching:
        review_hours *= tooling.effects.review_time_share.value
        device_exam_hours *= tooling.effects.review_time_share.value
    cooperation = scenario.awareness.cooperation_arrest_share.value
    arrest = tuple(
        raid.arrest_prob.value * (1.0 + cooperation * awareness_uplift(scenario, code))
        for code in STATE_CODES
    )
    return Rates(
        triage_hours=triage_hours,
        success_prob=scenario.download.success_prob.value,
        review_hours=review_hours,
        subscriber_days=review.subscriber_request_days.value,
        identify_young_prob=review.identification_young_prob.value,
        identify_age50_days=review.identification_age50_days.value,
        identify_age50_after_days=review.identification_age50_after_rules_days.value,
        rules_day=scenario.day_of(review.retention_rules_date),
        actionable_prob=review.actionable_prob.value,
        casework_hours=inv.casework_hours.value,
        officer_hours=inv.officer_hours.value,
        stale_after_days=inv.stale_after_days.value,
        investigation_delay_days=inv.delay_days.value,
        abroad_share=inv.abroad_evidence_share.value,
        mla_delay_days=inv.mla_delay_days.value,
        raid_prob=inv.raid_prob.value,
        raid_days=raid.raid_days.value,
        arrest_prob=arrest,
        charge_prob=raid.charge_prob.value,
        devices_per_raid=raid.devices_per_raid_count.value,
        device_exam_hours=device_exam_hours,
        hash_matching_share=raid.hash_matching_share.value,
        effort_cv=scenario.staffing.effort_cv.value,
    )


def simulate(scenario: Scenario, replication: int) -> RunResult:
    """Run one replication of ``scenario`` with its seed; same inputs, same result."""
    with cyclic_gc_paused():
        return _simulate(scenario, replication)


class _CollectorPause:
    """Who is running with the cyclic collector paused, so that the last one restarts it.

    Replications may run in threads of one process (a Dask worker with several
    threads): the collector is process-wide, so it is paused by the first run
    and restarted by the last, and only if it was on to begin with.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.was_enabled = False


_PAUSE = _CollectorPause()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a replication is built and run.

    A run allocates hundreds of thousands of short-lived containers (events,
    heap entries, generators), and every so often their count sets off a full
    collection, which walks every object of the process (numpy, pandas and
    scipy included): about a quarter of a replication's time, for nothing, as
    reference counting frees all a run discards (measured: the only cycles
    are the simulation's own graph, which stays alive to the end).  That graph
    is collected as usual once the collector is back on.
    """
    with _PAUSE.lock:
        if _PAUSE.runs == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.runs += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.runs -= 1
            if _PAUSE.runs == 0 and _PAUSE.was_enabled:
                gc.enable()


def _simulate(scenario: Scenario, replication: int) -> RunResult:
    tipoffs = _tipoffs(scenario, replication)
    segments = year_segments(scenario)
    edges = [first for _, first, _ in segments] + [scenario.horizon_days]
    env = simpy.Environment()
    pools = build_pools(env, scenario, edges, replication)
    draws = ServiceDraws(scenario.seed, replication, scenario.staffing.effort_cv.value,
                         scenario.raid.devices_per_raid_count.value)
    pipe = build_pipeline(env, scenario, tipoffs, pools, edges, draws)
    start_processes(pipe, scenario, pools)
    env.run(until=scenario.horizon_days)
    result = collect(pipe, scenario, pools, replication, segments, edges)
    dismantle(env, pipe, pools)
    return result


def dismantle(env: simpy.Environment, pipe: Pipeline, pools: dict[str, StaffPool]) -> None:
    """Let reference counting free what a finished run still holds, not the cyclic collector.

    The events still scheduled and the requests still waiting hold the processes and
    callbacks waiting on them, which hold the pipeline: cycles through hundreds of
    thousands of objects at national volume, which the collector (paused during the
    run, see :func:`cyclic_gc_paused`) would have to trace once it is back on, and
    which cost more than a tenth of a replication.  Dropping them breaks the cycles
    (an event and the process waiting on it refer to each other), so each object is
    freed as soon as its last reference goes.  Nothing the result holds is touched.
    """
    for made in pools.values():
        made.abandon()
    pipe.download_slots.abandon()
    pipe.link.abandon()
    scheduled = env._queue  # SimPy has no public way to drop scheduled events
    for *_, event in scheduled:
        event.callbacks = None  # type: ignore[assignment]
    scheduled.clear()


def _tipoffs(scenario: Scenario, replication: int) -> Tipoffs:
    """The replication's tip-offs: those already in the pipeline, then the arrivals."""
    initial = None
    if scenario.initial_state is not None:
        frame = initial_state_frame(scenario.initial_state)
        initial = initial_tipoffs(frame, scenario.initial_state.age_offset_days,
                                  keyed_stream(scenario.seed, replication,
                                               (Keyed.INITIAL_STATE.value,)))
    return generate_tipoffs(scenario, replication, initial)


def build_pools(env: simpy.Environment, scenario: Scenario, edges: list[float],
                replication: int) -> dict[str, StaffPool]:
    """Every staff pool by name (``hq.download_team``, ``SGR.officers``...), in a fixed order.

    Each pool starts with its posts' availability, and gets the processes that change
    it on the scenario's dates and that recruit, lose and replace its post holders.
    The order of creation is part of the event order, so it never varies.  Each post
    draws its holders' departures from a stream of its own (:func:`post_stream`).
    """
    staffing = scenario.staffing
    hours_per_day = (staffing.productive_hours.value * staffing.working_days_per_year.value
                     / 365.25)  # of a person fully on this work; times the group's availability
    caps = {FORENSIC_TEAM: viewing_cap_per_day(scenario)}
    effects = scenario.training.effects
    factors = {
        CourseKind.DIGITAL_FORENSICS: effects.digital_forensics_factor.value,
        CourseKind.COVERT_ONLINE: effects.covert_online_factor.value,
        CourseKind.CHILD_INTERVIEW: effects.child_interview_factor.value,
    }
    units: list[tuple[str, StaffGroup | Team]] = [
        ("hq.download_team", scenario.hq.download_team),
        ("hq.forensic_team", scenario.hq.forensic_team)]
    for code in STATE_CODES:
        state = scenario.states[code]
        units += [(f"{code}.officers", state.officers), (f"{code}.lower_ranks", state.lower_ranks)]
    pools: dict[str, StaffPool] = {}
    for pool_index, (name, unit) in enumerate(units):
        groups = [unit.officers, unit.lower_ranks] if isinstance(unit, Team) else [unit]
        timeline = staffing_timeline(scenario, groups)
        cap = caps.get(name)
        made = StaffPool(env, name, unit.posts, capped(hours_per_day * timeline[0][1], cap),
                         factors, edges)
        for day, availability in timeline[1:]:
            env.process(change_availability(env, made, day,
                                            capped(hours_per_day * availability, cap)))
        for group_index, group in enumerate(groups):
            for post, (created_day, vacant) in enumerate(post_openings(scenario, group)):
                stream = post_stream(scenario.seed, replication, pool_index, group_index, post)
                env.process(staff_post(env, made, created_day, vacant,
                                       staffing.recruitment_lag_days.value,
                                       staffing.attrition_per_year.value, stream))
        pools[name] = made
    return pools


FORENSIC_TEAM = "hq.forensic_team"
"""The pool that views material (review and device examination): the welfare cap's."""


def viewing_cap_per_day(scenario: Scenario) -> float | None:
    """The welfare cap in a person's hours per calendar day, as pools count hours; None: none.

    ``review.max_viewing_hours_per_day`` caps the hours of a working day; a pool's hours
    a day are averaged over the calendar (times ``working_days_per_year / 365.25``), so the
    cap is too: a reviewer never views for more than the cap in a day's work.
    """
    cap = scenario.review.max_viewing_hours_per_day
    if cap is None:
        return None
    return cap.value * scenario.staffing.working_days_per_year.value / 365.25


def capped(hours_per_day: float, cap: float | None) -> float:
    """A person's hours a day on the work, never above ``cap`` (None: no cap)."""
    return hours_per_day if cap is None else min(hours_per_day, cap)


def build_pipeline(env: simpy.Environment, scenario: Scenario, tipoffs: Tipoffs,
                   pools: dict[str, StaffPool], edges: list[float],
                   draws: ServiceDraws) -> Pipeline:
    """The selection queue, the HQ line, the download slots and the pools, wired together."""
    download = scenario.download
    return Pipeline(
        env=env,
        rates=rates_of(scenario),
        tipoffs=tipoffs,
        ledger=Ledger.empty(len(tipoffs)),
        queue=SelectionQueue(tipoffs.arrival_day, tipoffs.high_priority,
                             scenario.selection.discipline,
                             scenario.selection.retention_window_days.value,
                             tipoffs.stage_at_start == Stage.AWAITING_SELECTION),
        link=SharedLink(env, download.usable_mbps, download.peer_upload_mbps.value, edges),
        download_slots=DownloadSlots(
            env, capacity=max(1, round(download.concurrent_downloads_count.value))
            + scenario.tooling.extra_download_slots),
        download_team=pools["hq.download_team"],
        forensic_team=pools["hq.forensic_team"],
        officers=tuple(pools[f"{code}.officers"] for code in STATE_CODES),
        lower_ranks=tuple(pools[f"{code}.lower_ranks"] for code in STATE_CODES),
        draws=draws,
    )


def start_processes(pipe: Pipeline, scenario: Scenario, pools: dict[str, StaffPool]) -> None:
    """Courses, selection (one process per download-team post), the backlog, campaigns."""
    env = pipe.env
    for course in scenario.training.courses:
        name = f"hq.{course.group}" if course.site == "hq" else f"{course.site}.{course.group}"
        env.process(run_course(env, pools[name], course.course, course.places,
                               scenario.day_of(course.start_date), course.duration_days))
    team = scenario.hq.download_team
    for _ in range(len(post_openings(scenario, team.officers))
                   + len(post_openings(scenario, team.lower_ranks))):
        env.process(select_tipoffs(pipe))
    stages = pipe.tipoffs.stage_at_start
    env.process(review_backlog(pipe, np.flatnonzero(stages == Stage.AWAITING_REVIEW).tolist()))
    for tipoff in np.flatnonzero(stages > Stage.AWAITING_REVIEW).tolist():
        env.process(follow_case(pipe, tipoff, Stage(int(stages[tipoff]))))
    for state, code in enumerate(STATE_CODES):
        schedule = campaign_schedule(scenario, code)
        if schedule:  # no process where there is nothing to do: the event order stays
            env.process(run_campaigns(pipe, state, schedule))


def collect(pipe: Pipeline, scenario: Scenario, pools: dict[str, StaffPool], replication: int,
            segments: list[tuple[int, float, float]], edges: list[float]) -> RunResult:
    """Close the books at the horizon: busy, blocked and on-duty time, traffic, and lapses."""
    horizon = scenario.horizon_days
    for made in pools.values():
        made.close(horizon)
    pipe.link.flush()
    tipoffs = pipe.tipoffs
    pipe.ledger.settle_lapses(tipoffs.arrival_day,
                              tipoffs.stage_at_start == Stage.AWAITING_SELECTION,
                              scenario.selection.retention_window_days.value, horizon)
    pipe.ledger.settle_stale(tipoffs.arrival_day,
                             tipoffs.stage_at_start == Stage.AWAITING_INVESTIGATION,
                             scenario.investigation.stale_after_days.value, horizon)
    return RunResult(
        replication=replication,
        start_date=scenario.start_date,
        years=tuple(year for year, _, _ in segments),
        year_edges=tuple(edges),
        horizon_day=horizon,
        tipoffs=tipoffs,
        ledger=pipe.ledger,
        pools={name: PoolTime(made.busy.totals, made.duty.totals, made.blocked.totals)
               for name, made in pools.items()},
        link_traffic=tuple(pipe.link.traffic.totals),
        link_capacity_per_day=pipe.link.capacity,
        high_risk_target_days=scenario.risk.high_target_days.value,
    )


def staffing_timeline(scenario: Scenario,
                      groups: list[StaffGroup]) -> list[tuple[float, float]]:
    """``(day, availability)`` of a pool from the start and at each change date.

    A pool of two ranks (an HQ team) takes the average availability of its
    ranks, weighted by their posts.
    """
    default = scenario.staffing.availability_share.value
    days = sorted({0.0} | {max(0.0, scenario.day_of(change.date))
                           for group in groups for change in group.changes})
    timeline = []
    for day in days:
        posts_total, weighted = 0, 0.0
        for group in groups:
            posts = group.posts
            share = group.availability_share.value if group.availability_share else default
            for change in group.changes:
                if max(0.0, scenario.day_of(change.date)) <= day:
                    posts = change.posts
                    if change.availability_share is not None:
                        share = change.availability_share.value
            posts_total += posts
            weighted += posts * share
        timeline.append((day, weighted / posts_total if posts_total else default))
    return timeline


def post_openings(scenario: Scenario, group: StaffGroup) -> list[tuple[float, bool]]:
    """``(day created, vacant)`` of every post a group will have over the horizon."""
    openings = [(0.0, number >= group.filled) for number in range(group.posts)]
    posts = group.posts
    for change in group.changes:
        day = max(0.0, scenario.day_of(change.date))
        openings += [(day, True)] * (change.posts - posts)
        posts = change.posts
    return openings
