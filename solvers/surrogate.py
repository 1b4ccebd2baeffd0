"""The surrogate of the pipeline the optimiser works on: stage capacities over the horizon.

Per state, actioned tip-offs (investigations completed) cannot exceed the
state's investigating capacity, nor what reaches it: the state's share of the
tip-offs HQ reviewed and passed on, plus its starting backlog.  Reviews cannot
exceed the forensic team's hours nor the downloads; downloads cannot exceed
the download team's triage hours, the line's throughput, nor the arrivals.
Queueing delay and lapses are ignored here, which is why every plan is
verified in the simulation and the surrogate is recalibrated from it: the
``efficiency`` factors scale each stage's capacity to what the simulation
delivered.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from model.engine.arrivals import referrals_in_year, state_shares, uplift_at, year_segments
from model.engine.initial_state import initial_state_frame
from model.engine.link import MEGABITS_PER_MB, SECONDS_PER_DAY
from model.engine.processes import IDENTIFICATION_SHAPE
from model.scenario import Download, Scenario
from model.schema_base import STATE_CODES

STAGES = ("download", "review", "pass", "high_risk", *STATE_CODES)
"""Stages the recalibration scales: HQ's two capacities, the share of reviews passed on to
the states, the share of high-risk tip-offs examined within their target, then each
state's capacity."""


@dataclass(frozen=True)
class Surrogate:
    """Per-unit capacities and flows over the horizon, read from a scenario."""

    person_hours: float  # one full-time person's working hours over the horizon
    person_hours_per_day: float
    new_post_share: float  # share of the horizon a newly created post is filled
    triage_hours: float
    success_prob: float
    megabits_per_download: float
    line_megabits_per_mbps: float  # usable megabits over the horizon per Mbps for evidence
    download: Download  # the line: what evidence downloads get of a line bought (its rule)
    slot_megabits: float  # ceiling from concurrent downloads x sender rate
    review_hours: float
    device_hours_per_raid: float
    pass_share: float  # reviewed cases that go on to a state (identified and actionable)
    raid_prob: float
    officer_hours: float
    casework_hours: float
    raid_hours: float
    arrivals: float  # tip-offs over the horizon (and waiting at the start)
    local_reports: np.ndarray  # per state, before campaigns
    share: np.ndarray  # per state
    waiting_review: float
    backlog_pass_share: float  # of the review backlog: identified (at its age) and actionable
    waiting_investigation: np.ndarray  # per state
    factors: dict[str, float]
    availability: float
    referrals: float  # new tip-offs from outside over the horizon (no backlog, no local)
    high_share: float  # share flagged high risk
    due_share: float  # of arrivals: share whose high-risk target day is inside the horizon
    forensic_share: float  # the welfare cap: a forensic person's hours over an uncapped one's
    campaign_hours: float  # state staff hours one campaign a year takes over the horizon
    arrest_prob: float
    cooperation: float  # share of the reports rise carried into arrest probability
    charge_prob: float
    triage_tool_share: float  # triage time with risk scoring over without
    review_tool_share: float  # review and device time with hash matching over without
    workstation_megabits: float  # megabits over the horizon one extra workstation's slots carry
    post_share_by_year: dict[int, float]  # share of the horizon a post created that year works
    efficiency: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 1.0))

    def line_downloads(self, line_mbps: float | None = None) -> float:
        """Downloads the HQ line can carry over the horizon, before ``efficiency``.

        Parameters
        ----------
        line_mbps
            A line bought, in Mbps (a provider's tier); None: the scenario's own line.
            What evidence downloads get of it is :meth:`model.scenario.Download.evidence_mbps_on`.

        Returns
        -------
        float
            Mean-sized downloads the line's usable rate moves over the horizon.
        """
        line = self.download.line_mbps if line_mbps is None else line_mbps
        return (self.line_megabits_per_mbps * self.download.evidence_mbps_on(line)
                / self.megabits_per_download)

    def with_efficiency(self, efficiency: dict[str, float]) -> Surrogate:
        """The same surrogate with recalibrated stage efficiencies."""
        return Surrogate(**{**self.__dict__, "efficiency": dict(efficiency)})


def build_surrogate(scenario: Scenario) -> Surrogate:
    """Read the surrogate's coefficients from a scenario's parameters."""
    staffing = scenario.staffing
    days = scenario.horizon_days
    per_day = (staffing.productive_hours.value * staffing.working_days_per_year.value / 365.25)
    lag = staffing.recruitment_lag_days.value
    arrivals = scenario.arrivals
    mean_mb = arrivals.evidence_median_mb.value * math.exp(
        arrivals.evidence_spread_sigma.value ** 2 / 2)
    download = scenario.download
    review = scenario.review
    # A case is reviewed soon after download under the priority discipline; its record is
    # then about the subscriber wait old, plus the review queue (recalibration corrects it).
    age = review.subscriber_request_days.value + 30.0
    age50 = review.identification_age50_after_rules_days.value \
        if scenario.start_date >= review.retention_rules_date \
        else review.identification_age50_days.value
    identified = _identified(scenario, age, age50)
    raid = scenario.raid
    referrals = sum(referrals_in_year(arrivals, year) * (end - first) / _days_in(year)
                    for year, first, end in year_segments(scenario))
    share = state_shares(scenario)
    local = arrivals.local_reports_per_year.value * days / 365.25 * share
    waiting_selection, waiting_review, waiting_review_passed, waiting_investigation = \
        _waiting(scenario, age)
    effects = scenario.training.effects
    tools = scenario.tooling.effects
    per_person = per_day * staffing.availability_share.value
    cap = scenario.review.max_viewing_hours_per_day
    cap_per_day = (cap.value * staffing.working_days_per_year.value / 365.25
                   if cap is not None else per_person)
    due = max(days - scenario.risk.high_target_days.value, 0.0) / days
    return Surrogate(
        person_hours=per_day * days,
        person_hours_per_day=per_day,
        new_post_share=max(days - lag, 0.0) / days,
        triage_hours=scenario.selection.triage_minutes.value / 60.0,
        success_prob=download.success_prob.value,
        megabits_per_download=mean_mb * MEGABITS_PER_MB,
        line_megabits_per_mbps=download.usable_share.value * SECONDS_PER_DAY * days,
        download=download,
        slot_megabits=round(download.concurrent_downloads_count.value)
        * download.peer_upload_mbps.value * SECONDS_PER_DAY * days,
        review_hours=review.review_hours.value,
        device_hours_per_raid=raid.devices_per_raid_count.value * raid.device_exam_hours.value
        * (1 - raid.hash_matching_share.value),
        pass_share=identified * review.actionable_prob.value,
        raid_prob=scenario.investigation.raid_prob.value,
        officer_hours=scenario.investigation.officer_hours.value,
        casework_hours=scenario.investigation.casework_hours.value,
        raid_hours=raid.raid_days.value * per_day,
        arrivals=referrals + waiting_selection,
        local_reports=local,
        share=share,
        waiting_review=waiting_review,
        backlog_pass_share=(waiting_review_passed / waiting_review * review.actionable_prob.value
                            if waiting_review else 0.0),
        waiting_investigation=waiting_investigation,
        factors={"digital_forensics": effects.digital_forensics_factor.value,
                 "covert_online": effects.covert_online_factor.value,
                 "child_interview": effects.child_interview_factor.value},
        availability=staffing.availability_share.value,
        referrals=referrals,
        high_share=arrivals.high_priority_share.value,
        due_share=due,
        forensic_share=min(1.0, cap_per_day / per_person) if per_person else 1.0,
        campaign_hours=scenario.awareness.campaign_staff_days.value
        * staffing.productive_hours.value * days / 365.25,
        arrest_prob=raid.arrest_prob.value,
        cooperation=scenario.awareness.cooperation_arrest_share.value,
        charge_prob=raid.charge_prob.value,
        triage_tool_share=tools.triage_time_share.value,
        review_tool_share=tools.review_time_share.value,
        workstation_megabits=tools.downloads_per_workstation.value
        * download.peer_upload_mbps.value * SECONDS_PER_DAY * days,
        post_share_by_year=_post_shares(scenario, lag),
    )


def campaign_reports(scenario: Scenario, code: str, campaigns: int, surrogate: Surrogate) -> float:
    """Extra local reports over the horizon from ``campaigns`` a year in a state."""
    return float(surrogate.local_reports[STATE_CODES.index(code)]
                 * uplift_at(scenario.awareness, campaigns))


def _identified(scenario: Scenario, age_days: float, age50_days: float) -> float:
    """Chance a subscriber is traced from a record ``age_days`` old."""
    review = scenario.review
    return review.identification_young_prob.value / (
        1 + (age_days / age50_days) ** IDENTIFICATION_SHAPE)


def _waiting(scenario: Scenario, age: float) -> tuple[float, float, float, np.ndarray]:
    """The backlog at the start, by stage.

    Awaiting selection (still retained), awaiting review (and of those, how many will be
    traced at their age), awaiting investigation by state.
    """
    waiting_review, waiting_investigation = 0.0, np.zeros(len(STATE_CODES))
    waiting_selection, waiting_review_passed = 0.0, 0.0
    if scenario.initial_state is None:
        return waiting_selection, waiting_review, waiting_review_passed, waiting_investigation
    offset = scenario.initial_state.age_offset_days
    frame = initial_state_frame(scenario.initial_state)
    for row in frame.itertuples(index=False):
        if row.stage == "awaiting_selection":
            if row.age_days_high + offset < scenario.selection.retention_window_days.value:
                waiting_selection += row.count
        elif row.stage == "awaiting_review":
            waiting_review += row.count
            # a backlog case is already old when reviewed: its own chance of being traced
            old = (row.age_days_low + row.age_days_high) / 2 + age + offset
            waiting_review_passed += row.count * _identified(
                scenario, old, scenario.review.identification_age50_days.value)
        else:
            waiting_investigation[STATE_CODES.index(row.state)] += row.count
    return waiting_selection, waiting_review, waiting_review_passed, waiting_investigation


def campaign_arrest_prob(scenario: Scenario, campaigns: int, surrogate: Surrogate) -> float:
    """The arrest probability at a raid in a state with ``campaigns`` a year (cooperation).

    The same in every state: a campaign's uplift depends only on how many a year.
    """
    uplift = uplift_at(scenario.awareness, campaigns)
    return surrogate.arrest_prob * (1.0 + surrogate.cooperation * uplift)


def _post_shares(scenario: Scenario, lag: float) -> dict[int, float]:
    """Share of the horizon a post created in each year works.

    From 1 January (or the start) plus the recruitment lag to the end of the horizon.
    """
    days = scenario.horizon_days
    shares = {}
    for year in scenario.years:
        created = max(scenario.day_of(dt.date(year, 1, 1)), 0.0)
        shares[year] = max(days - created - lag, 0.0) / days
    return shares


def _days_in(year: int) -> float:
    return 366.0 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365.0
