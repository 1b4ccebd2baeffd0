"""The pipeline's flows and outcomes in the CP-SAT model: linear in the levers.

Selection within arrivals and triage hours; downloads within the line and the download
slots; reviews within the forensic team's hours (the welfare cap honoured); per state,
tip-offs actioned within the cases passed on and the state's hours (campaign work
included); raids, closures without a raid, arrests (cooperation from campaigns,
child-interview training) and charges follow.  High-risk tip-offs, served first, are
examined within their target up to the reviews of new downloads and the high-risk
arrivals whose target falls in the horizon.  Tools switch a capacity constraint between
two forms (with and without the tool) by enforcement literals, as a tier switches the
line.  These constraints always hold: they are the pipeline, not a planner's choice.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from model.metrics import HQ
from model.optimise_schema import Optimise
from model.schema_base import STATE_CODES, CourseKind
from solvers.cp_parts import (
    SCALE,
    Campaigns,
    CourseKey,
    Expression,
    Flows,
    PostKey,
    Staff,
    Tools,
    scaled,
)
from solvers.plan import HQ_GROUPS, STATE_COURSES
from solvers.surrogate import Surrogate


def staff_hours(surrogate: Surrogate, staff: Staff, keys: list[PostKey], efficiency: float,
                share: float = 1.0) -> Expression:
    """Scaled hours of a group: kept posts all horizon, gained ones from when filled.

    ``share`` scales a person's hours (the welfare cap on the forensic team's).
    """
    hours = surrogate.person_hours * surrogate.availability * share * efficiency
    kept = sum(scaled(SCALE * hours) * (staff.posts[k] - staff.increase[k]) for k in keys)
    gained = sum(scaled(SCALE * hours * surrogate.post_share_by_year[year]) * var
                 for (k, year), var in staff.added.items() if k in keys)
    return kept + gained


def add_pipeline(model: cp_model.CpModel, settings: Optimise, surrogate: Surrogate,
                 staff: Staff, effective: dict[tuple[CourseKind, str], cp_model.IntVar],
                 trainees: dict[tuple[CourseKind, str], cp_model.IntVar],
                 places: dict[CourseKey, cp_model.IntVar], tiers: list[cp_model.IntVar],
                 campaigns: Campaigns, tools: Tools,
                 arrest_probs: dict[tuple[str, int], float]) -> Flows:
    """Flows through selection, download, review and investigation, and the outcomes."""
    s = surrogate
    big = scaled(10 * (s.arrivals + s.local_reports.sum()) + 10_000)

    def per_state(name: str) -> dict[str, cp_model.IntVar]:
        return {code: model.new_int_var(0, big, f"{name}[{code}]") for code in STATE_CODES}

    flows = Flows(
        selected=model.new_int_var(0, big, "selected"),
        downloaded=model.new_int_var(0, big, "downloaded"),
        reviewed_new=model.new_int_var(0, big, "reviewed_new"),
        reviewed_backlog=model.new_int_var(0, scaled(s.waiting_review), "reviewed_backlog"),
        high_risk=model.new_int_var(0, big, "high_risk_within_target"),
        actioned=per_state("actioned"), raids=per_state("raids"),
        arrests=per_state("arrests"), charges=per_state("charges"),
    )
    _add_download(model, settings, s, staff, tiers, campaigns, tools, flows)
    days_off = {(o.course, o.delivery): o.days_off_duty for o in settings.courses}
    _add_review(model, s, staff, effective, places, days_off, tools, flows)
    _add_investigation(model, s, staff, effective, trainees, days_off, campaigns, flows)
    _add_outcomes(model, s, effective, campaigns, arrest_probs, flows)
    return flows


def _add_download(model: cp_model.CpModel, settings: Optimise, s: Surrogate, staff: Staff,
                  tiers: list[cp_model.IntVar], campaigns: Campaigns, tools: Tools,
                  flows: Flows) -> None:
    """Selection within arrivals and triage hours; downloads within the line and slots."""
    eff = s.efficiency
    selected, downloaded = flows.selected, flows.downloaded
    extra = sum(campaigns.extra_reports.values())
    model.add(selected <= scaled(s.arrivals + s.local_reports.sum()) + extra)
    model.add(SCALE * downloaded <= scaled(SCALE * s.success_prob) * selected)
    download_team = [(HQ, g) for g in HQ_GROUPS if g.startswith("download_team")]
    hours = staff_hours(s, staff, download_team, eff["download"])
    model.add(scaled(SCALE * s.triage_hours) * selected <= hours).only_enforce_if(
        ~tools.risk_scoring)
    model.add(scaled(SCALE * s.triage_hours * s.triage_tool_share) * selected
              <= hours).only_enforce_if(tools.risk_scoring)
    today = s.line_downloads()  # a tier bought replaces today's line
    model.add(downloaded <= scaled(eff["download"] * today) + sum(
        scaled(eff["download"] * (s.line_downloads(tier.mbps) - today)) * y
        for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True)))
    model.add(downloaded <= scaled(eff["download"] * s.slot_megabits / s.megabits_per_download)
              + scaled(eff["download"] * s.workstation_megabits / s.megabits_per_download)
              * tools.workstations)
    # high-risk tip-offs are served first: examined within target up to the reviews of new
    # downloads and the high-risk arrivals (downloadable) whose target is in the horizon
    high = s.high_share * s.success_prob * s.due_share * eff["high_risk"]
    model.add(SCALE * flows.high_risk <= scaled(SCALE * eff["high_risk"]) * flows.reviewed_new)
    model.add(SCALE * flows.high_risk <= scaled(SCALE * high * (s.referrals
                                                                + s.local_reports.sum()))
              + scaled(SCALE * high) * extra)


def _add_review(model: cp_model.CpModel, s: Surrogate, staff: Staff,
                effective: dict[tuple[CourseKind, str], cp_model.IntVar],
                places: dict[CourseKey, cp_model.IntVar], days_off: dict[CourseKey, int],
                tools: Tools, flows: Flows) -> None:
    """Reviews within downloads and the forensic team's capped hours (raids' devices too)."""
    eff = s.efficiency
    hours = s.person_hours * s.availability * s.forensic_share
    forensic = [(HQ, g) for g in HQ_GROUPS if g.startswith("forensic_team")]
    forensic_off = sum(scaled(SCALE * days_off[key] * s.person_hours_per_day) * var
                       for key, var in places.items() if key[0] is CourseKind.DIGITAL_FORENSICS)
    capacity = (staff_hours(s, staff, forensic, eff["review"], s.forensic_share)
                + scaled(SCALE * eff["review"] * hours * (s.factors["digital_forensics"] - 1))
                * effective[(CourseKind.DIGITAL_FORENSICS, HQ)] - forensic_off)
    model.add(flows.reviewed_new <= flows.downloaded)
    raids = sum(flows.raids.values())
    for share, literal in ((1.0, ~tools.hash_matching), (s.review_tool_share,
                                                          tools.hash_matching)):
        model.add(scaled(SCALE * s.review_hours * share) * flows.reviewed
                  + scaled(SCALE * s.device_hours_per_raid * share) * raids
                  <= capacity).only_enforce_if(literal)


def supply_terms(s: Surrogate, number: int) -> tuple[float, float, float]:
    """The cases passed on to the state at ``number``: per review, per backlog review, waiting.

    The supply constraint and the plan's recorded supply (``supply.STATE``, which the
    recalibration reads) both use these.
    """
    share, pass_on = s.share[number], s.efficiency["pass"]
    return (share * s.pass_share * pass_on, share * s.backlog_pass_share * pass_on,
            s.waiting_investigation[number])


def _add_investigation(model: cp_model.CpModel, s: Surrogate, staff: Staff,
                       effective: dict[tuple[CourseKind, str], cp_model.IntVar],
                       trainees: dict[tuple[CourseKind, str], cp_model.IntVar],
                       days_off: dict[CourseKey, int], campaigns: Campaigns,
                       flows: Flows) -> None:
    """Per state: actioned within the cases passed on and the officers' and staff's hours.

    Campaign work (``campaign_hours`` a campaign a year) comes out of the state's casework
    hours: its lower ranks', or its officers' where it has none.
    """
    eff = s.efficiency
    hours = s.person_hours * s.availability
    longest_course = {kind: max((days_off[k] for k in days_off if k[0] is kind), default=0)
                      for kind in STATE_COURSES}
    lead = s.officer_hours + s.raid_prob * s.raid_hours
    for number, code in enumerate(STATE_CODES):
        e = eff[code]
        actioned = flows.actioned[code]
        per_new, per_backlog, waiting = supply_terms(s, number)
        model.add(SCALE * actioned
                  <= scaled(SCALE * per_new) * flows.reviewed_new
                  + scaled(SCALE * per_backlog) * flows.reviewed_backlog
                  + scaled(SCALE * waiting))
        officer_hours = (staff_hours(s, staff, [(code, "officers")], e)
                         + scaled(SCALE * e * hours * (s.factors["covert_online"] - 1))
                         * effective[(CourseKind.COVERT_ONLINE, code)]
                         - sum(scaled(SCALE * longest_course[k] * s.person_hours_per_day)
                               * trainees[(k, code)] for k in STATE_COURSES))
        model.add(scaled(SCALE * lead) * actioned <= officer_hours)
        # campaign work takes the state's hours, as far as it has any (a state without
        # staff simply does not do it)
        hours_all = officer_hours + staff_hours(s, staff, [(code, "lower_ranks")], e)
        top = scaled(SCALE * hours * 10 * staff.top) + 1
        available = model.new_int_var(-top, top, f"casework_hours[{code}]")
        model.add(available == hours_all)
        positive = model.new_int_var(0, top, f"casework_hours_positive[{code}]")
        model.add_max_equality(positive, [available, 0])
        campaign = model.new_int_var(0, top, f"campaign_hours[{code}]")
        model.add_min_equality(campaign, [scaled(SCALE * s.campaign_hours)
                                          * campaigns.count[code], positive])
        model.add(scaled(SCALE * (lead + s.casework_hours)) * actioned + campaign
                  <= hours_all)


def _add_outcomes(model: cp_model.CpModel, s: Surrogate,
                  effective: dict[tuple[CourseKind, str], cp_model.IntVar],
                  campaigns: Campaigns, arrest_probs: dict[tuple[str, int], float],
                  flows: Flows) -> None:
    """Raids (the whole part of raid_prob x actioned), arrests and charges, per state.

    Arrests: the state's arrest probability at its campaign level (cooperation), raised
    by child-interview training as the simulation raises it (the trained share of the
    officers times the factor).  The product of trained officers and raids is relaxed
    linearly: each fully trained officer lifts the arrests of the raids one officer's
    hours can lead, and no state's arrests exceed every raid at the trained rate.
    """
    factor = s.factors["child_interview"]
    lead = s.officer_hours + s.raid_prob * s.raid_hours
    hours = s.person_hours * s.availability
    for code in STATE_CODES:
        actioned, raids = flows.actioned[code], flows.raids[code]
        model.add(SCALE * raids <= scaled(SCALE * s.raid_prob) * actioned)
        model.add(SCALE * raids >= scaled(SCALE * s.raid_prob) * actioned - (SCALE - 1))
        led_by_one = hours * s.efficiency[code] / lead * s.raid_prob
        trained = effective[(CourseKind.CHILD_INTERVIEW, code)]
        for (state, level), chosen in campaigns.level.items():
            if state != code:
                continue
            p = arrest_probs[(code, level)]
            model.add(SCALE * flows.arrests[code] <= scaled(SCALE * min(1.0, p * factor))
                      * raids).only_enforce_if(chosen)
            model.add(SCALE * flows.arrests[code]
                      <= scaled(SCALE * min(1.0, p)) * raids
                      + scaled(SCALE * p * (factor - 1) * led_by_one) * trained
                      ).only_enforce_if(chosen)
        model.add(SCALE * flows.charges[code] <= scaled(SCALE * s.charge_prob)
                  * flows.arrests[code])
