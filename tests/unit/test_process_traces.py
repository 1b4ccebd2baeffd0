"""Exact traces of the pipeline's SimPy processes, on settings small enough to work out by hand.

Each test wires the processes of ``model/engine/processes.py`` the way
``model.engine.simulation.simulate`` does (staff pools filled by ``staff_post``,
the selection queue, the shared link, download slots, the ledger; then one
``select_tipoffs`` process per post of the download team), but from hand-made
pieces: one state, one to four tip-offs with given arrival days, priorities and
evidence sizes, pools of one or two people, a link of a known speed.

Randomness is taken out by handing the pipeline stand-ins for its draws
(:class:`FixedService` for those made as work is done, :class:`FixedDraws` for the
posts' streams): a work effort or a wait is always its mean, and a yes/no draw
``u < p`` is 0.0 (so "yes" whenever the chance is above zero) unless the test
scripts other values.  The scenario cannot do this itself: its effort coefficient
of variation must be at least 0.01.

The ledger (``model/engine/ledger.py``) is then read back as one :class:`Trace`
per tip-off and compared with a trace written out literally, every day of it
derived in a comment.  The numbers are chosen so that every day is a sum of
binary fractions (1/16 day and up), so the comparison is exact, not approximate.

Units used throughout: every person gives 8 hours a day, so

- triage, 30 min = 0.5 h / 8 h a day = 0.0625 day;
- review, 16 h = 2 days; then the subscriber-data wait, 0.5 day;
- casework 8 h = 1 day (lower ranks), officer work 4 h = 0.5 day, then 2 days of waits;
- a raid takes its officer 1 day;
- a raid seizes 2 devices (1 + a Poisson draw of mean 1) of 8 h each, half of it
  saved by hash matching: 8 h = 1 day of the HQ forensic team;
- a 5,400 MB download is 43,200 megabits: 0.5 day alone on a 1 Mbps line
  (86,400 megabits a day), 0.0625 day on an 8 Mbps line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pytest
import simpy

from model.engine.arrivals import Tipoffs
from model.engine.initial_state import end_state_counts
from model.engine.ledger import Closure, Ledger, Outcome, Stage
from model.engine.link import DownloadSlots, SharedLink
from model.engine.processes import Pipeline, Rates, select_tipoffs, staff_post
from model.engine.rng import Draw
from model.engine.selection import SelectionQueue
from model.engine.staff import StaffPool
from model.scenario import QueueDiscipline
from model.schema_base import CourseKind

HOURS_PER_DAY = 8.0
HORIZON_DAYS = 60.0
SIZE_MB = 5_400.0  # 43,200 megabits

RATES = Rates(
    triage_hours=0.5,  # 0.0625 day
    success_prob=1.0,  # every download finds its evidence
    review_hours=16.0,  # 2 days
    subscriber_days=0.5,
    identify_young_prob=0.9,  # u = 0.0 < p at any age met here: identified
    identify_age50_days=220.0,
    identify_age50_after_days=400.0,
    rules_day=0.0,
    actionable_prob=0.5,
    casework_hours=8.0,  # 1 day
    officer_hours=4.0,  # 0.5 day
    stale_after_days=365.0,  # no case here waits that long, unless a test says so
    investigation_delay_days=2.0,
    abroad_share=0.0,  # no mutual legal assistance wait
    mla_delay_days=0.0,
    raid_prob=0.5,
    raid_days=1.0,
    arrest_prob=(0.45,),  # one state
    charge_prob=0.5,
    devices_per_raid=2.0,  # 1 + Poisson(1): the stand-in draws the mean, 2 devices
    device_exam_hours=8.0,
    hash_matching_share=0.5,  # 2 x 8 h x (1 - 0.5) = 8 h = 1 day
    effort_cv=1.0,  # gamma shape 1; the stand-in returns shape x scale, the mean
)


class FixedDraws:
    """Stands in for a post's numpy stream: each draw is its mean, or a scripted value.

    ``random()`` returns the scripted uniforms in turn, then 0.0.  Only the
    methods the processes call are provided, so a new kind of draw fails loudly.
    """

    def __init__(self, *uniforms: float) -> None:
        self.unused = list(uniforms)

    def random(self) -> float:
        return self.unused.pop(0) if self.unused else 0.0

    def exponential(self, scale: float) -> float:
        return scale  # the mean


class FixedService:
    """Stands in for the draws made as work is done: each the mean of its kind, or scripted.

    Efforts and waits are 1 (their means), uniforms 0.0, devices beyond the first the
    Poisson mean; ``scripted`` gives a kind's draws in turn (at any place), then the mean.
    """

    def __init__(self, rates: Rates, scripted: dict[Draw, list[float]]) -> None:
        self.extra_devices = rates.devices_per_raid - 1.0
        assert self.extra_devices == int(self.extra_devices), "a whole number of devices"
        self.unused = {kind: list(values) for kind, values in scripted.items()}

    def next(self, kind: Draw, place: int = 0) -> float:
        if self.unused.get(kind):
            return self.unused[kind].pop(0)
        if kind is Draw.DEVICES:
            return self.extra_devices
        uniform = kind in (Draw.DOWNLOAD, Draw.IDENTIFY, Draw.ACTIONABLE, Draw.ABROAD, Draw.RAID)
        return 0.0 if uniform else 1.0


class Trace(NamedTuple):
    """What the ledger says happened to one tip-off (None: did not happen)."""

    selected: float | None = None
    downloaded: float | None = None
    reviewed: float | None = None  # after the wait for subscriber data
    casework: float | None = None  # the state started the casework
    investigated: float | None = None
    raided: float | None = None
    arrested: bool = False
    charged: float | None = None
    outcome: Outcome = Outcome.IN_SYSTEM
    outcome_day: float | None = None
    closure: Closure = Closure.NONE


def traces(ledger: Ledger) -> list[Trace]:
    def day(values: np.ndarray, tipoff: int) -> float | None:
        value = float(values[tipoff])
        return None if np.isnan(value) else value

    return [
        Trace(
            selected=day(ledger.selected_day, tipoff),
            downloaded=day(ledger.downloaded_day, tipoff),
            reviewed=day(ledger.reviewed_day, tipoff),
            casework=day(ledger.casework_day, tipoff),
            investigated=day(ledger.investigated_day, tipoff),
            raided=day(ledger.raid_day, tipoff),
            arrested=bool(ledger.arrested[tipoff]),
            charged=day(ledger.charge_day, tipoff),
            outcome=Outcome(int(ledger.outcome[tipoff])),
            outcome_day=day(ledger.outcome_day, tipoff),
            closure=Closure(int(ledger.closure[tipoff])),
        )
        for tipoff in range(len(ledger.outcome))
    ]


@dataclasses.dataclass
class Setting:
    """A tiny pipeline, wired as ``simulate`` wires it; ``run`` returns its traces."""

    pipe: Pipeline
    retention_days: float

    @property
    def env(self) -> simpy.Environment:
        return self.pipe.env

    def run(self, until: float = HORIZON_DAYS) -> list[Trace]:
        self.env.run(until=until)
        pipe = self.pipe
        for pool in (pipe.download_team, pipe.forensic_team, *pipe.officers, *pipe.lower_ranks):
            pool.close(until)  # on-duty and blocked time up to the horizon
        pipe.link.flush()
        tipoffs = self.pipe.tipoffs
        ledger = self.pipe.ledger
        ledger.settle_lapses(  # as simulate() does once the horizon is over
            tipoffs.arrival_day, tipoffs.stage_at_start == Stage.AWAITING_SELECTION,
            self.retention_days, until)
        ledger.settle_stale(tipoffs.arrival_day,
                            tipoffs.stage_at_start == Stage.AWAITING_INVESTIGATION,
                            self.pipe.rates.stale_after_days, until)
        return traces(self.pipe.ledger)


def build(arrival_day: Sequence[float], *, high_priority: Sequence[bool] | None = None,
          size_mb: Sequence[float] | None = None,
          discipline: QueueDiscipline = QueueDiscipline.PRIORITY,
          retention_days: float = 30.0, download_team: int = 1, download_team_from: float = 0.0,
          download_slots: int = 1, line_mbps: float = 8.0, sender_mbps: float = 1_000.0,
          lower_ranks: int = 1, rates: Rates = RATES,
          draws: dict[Draw, list[float]] | None = None) -> Setting:
    """One state's tip-offs and a pipeline with one person in every other pool (by default).

    ``download_team_from`` is the day the download team's posts are filled (a
    vacancy filled after the recruitment lag); every other post is filled on day 0.
    """
    count = len(arrival_day)
    tipoffs = Tipoffs(
        arrival_day=np.array(arrival_day, dtype=float),
        state=np.zeros(count, dtype=np.int8),
        high_priority=np.array(high_priority or [False] * count, dtype=bool),
        local_report=np.zeros(count, dtype=bool),
        size_mb=np.array(size_mb or [SIZE_MB] * count, dtype=np.float32),  # as drawn
        stage_at_start=np.full(count, Stage.AWAITING_SELECTION, dtype=np.int8),
        arrest_draw=np.zeros(count), charge_draw=np.zeros(count),  # u = 0.0: yes
    )
    env = simpy.Environment()
    no_training = {kind: 1.0 for kind in CourseKind}

    def pool(name: str, posts: int, filled_day: float = 0.0) -> StaffPool:
        made = StaffPool(env, name, posts, HOURS_PER_DAY, no_training, [0.0, HORIZON_DAYS])
        for _ in range(posts):  # each post: vacant until filled_day, its holder never leaves
            env.process(staff_post(env, made, created_day=0.0, vacant=filled_day > 0,
                                   recruitment_lag_days=filled_day, attrition_per_year=0.0,
                                   rng=FixedDraws()))  # type: ignore[arg-type]
        return made

    pipe = Pipeline(
        env=env,
        rates=rates,
        tipoffs=tipoffs,
        ledger=Ledger.empty(count),
        queue=SelectionQueue(tipoffs.arrival_day, tipoffs.high_priority, discipline,
                             retention_days),
        link=SharedLink(env, line_mbps, sender_mbps, [0.0, HORIZON_DAYS]),
        download_slots=DownloadSlots(env, capacity=download_slots),
        download_team=pool("hq.download_team", download_team, download_team_from),
        forensic_team=pool("hq.forensic_team", 1),
        officers=(pool("s.officers", 1),),
        lower_ranks=(pool("s.lower_ranks", lower_ranks),),
        draws=FixedService(rates, draws or {}),  # type: ignore[arg-type]  # a stand-in
    )
    for _ in range(download_team):  # one selector per post, started after the pools
        env.process(select_tipoffs(pipe))
    return Setting(pipe, retention_days)


DOWNLOADS_FAIL = dataclasses.replace(RATES, success_prob=0.0)  # u = 0.0 >= 0: evidence gone


@pytest.mark.parametrize(("discipline", "order"), [
    # high-risk first (1 and 3), newest first within a class: older IP records trace worse
    (QueueDiscipline.PRIORITY, [3, 1, 2, 0]),
    (QueueDiscipline.FIFO, [0, 1, 2, 3]),
    (QueueDiscipline.NEWEST_FIRST, [3, 2, 1, 0]),
])
def test_selection_order_under_each_discipline(discipline: QueueDiscipline,
                                               order: list[int]) -> None:
    """Four waiting tip-offs are taken one per triage, in the discipline's order.

    Tip-offs arrive on days 0, 0.25, 0.5 and 0.75 (1 and 3 high risk); the download
    team's one post is filled on day 1, so all four wait.  The member takes one at
    day 1, triages it for 0.0625 day and starts its download, which fails at once
    (success 0): the member is free again and takes the next, 0.0625 day later.
    """
    setting = build([0.0, 0.25, 0.5, 0.75], high_priority=[False, True, False, True],
                    discipline=discipline, download_team_from=1.0,
                    rates=DOWNLOADS_FAIL)
    got = setting.run()
    expected: list[Trace | None] = [None] * 4
    for turn, tipoff in enumerate(order):
        selected = 1.0 + 0.0625 * turn  # 1.0, 1.0625, 1.125, 1.1875
        expected[tipoff] = Trace(selected=selected, outcome=Outcome.CLOSED_NO_ACTION,
                                 outcome_day=selected + 0.0625,  # after its triage
                                 closure=Closure.DOWNLOAD_FAILED)
    assert got == expected


def test_a_tipoff_past_the_retention_window_lapses() -> None:
    """Whoever waited more than the window when the team looks lapses; the window's end is in.

    Retention 2 days; the download team's one post is filled on day 3.  Waiting on
    day 3: tip-off 0 (low, day 0), 1 (high, day 0.5), 2 (low, day 1.0625), 3 (low, 2.5).

    - day 3: priority takes 1 first, but it waited 2.5 > 2 days: skipped; then the
      newest low-risk one, 3 (waited 0.5): selected 3.0, download fails at 3.0625;
    - day 3.0625: next is 2, which waited 3.0625 - 1.0625 = 2.0, exactly the
      window: still selected; its download fails at 3.125;
    - then 0 (waited 3.0625 > 2): skipped; the queue is empty and no one else comes.

    After the run, every tip-off never selected whose window closed within the
    horizon is lapsed, on the day its window closed (arrival + 2), not the day it
    was found: 0 on day 2.0, 1 on day 2.5.
    """
    setting = build([0.0, 0.5, 1.0625, 2.5], high_priority=[False, True, False, False],
                    retention_days=2.0, download_team_from=3.0, rates=DOWNLOADS_FAIL)
    failed, no_evidence = Outcome.CLOSED_NO_ACTION, Closure.DOWNLOAD_FAILED
    assert setting.run() == [
        Trace(outcome=Outcome.LAPSED, outcome_day=2.0),
        Trace(outcome=Outcome.LAPSED, outcome_day=2.5),
        Trace(selected=3.0625, outcome=failed, outcome_day=3.125, closure=no_evidence),
        Trace(selected=3.0, outcome=failed, outcome_day=3.0625, closure=no_evidence),
    ]


@pytest.mark.parametrize(("size_mb", "sender_mbps", "downloaded"), [
    # alone: selected 0, triaged by 0.0625, 43,200 megabits at 86,400 a day: 0.5 day
    pytest.param([SIZE_MB], 1_000.0, [0.5625], id="alone"),
    # two equal downloads started together share the line: 43,200 a day each, 1 day,
    # twice the time alone, and they finish together
    pytest.param([SIZE_MB, SIZE_MB], 1_000.0, [1.0625, 1.0625], id="two-equal"),
    # one twice as large (tip-off 0): both run at 43,200 a day until 1 finishes at
    # 1.0625; 0 has 43,200 megabits left, alone at 86,400 a day: 0.5 day more.  The
    # line never idles, so 0 ends after 1.5 days of line time, as if one after the other
    pytest.param([2 * SIZE_MB, SIZE_MB], 1_000.0, [1.5625, 1.0625], id="one-twice-as-large"),
    # a sender uploading at 0.5 Mbps caps a download at 43,200 megabits a day: alone
    # it takes as long as when sharing the 1 Mbps line
    pytest.param([SIZE_MB], 0.5, [1.0625], id="slow-sender"),
])
def test_downloads_share_the_line(size_mb: list[float], sender_mbps: float,
                                  downloaded: list[float]) -> None:
    """Downloads in progress split a 1 Mbps line equally (processor sharing).

    Two download team members and two slots: tip-offs arriving together on day 0 are
    selected together, triaged by day 0.0625, and start downloading together.
    (Priority takes the newest first: the first member takes the last tip-off.)
    The run stops on day 2, before any review could end (2 days of work).
    """
    count = len(size_mb)
    setting = build([0.0] * count, size_mb=size_mb, download_team=2, download_slots=2,
                    line_mbps=1.0, sender_mbps=sender_mbps)
    assert setting.run(until=2.0) == [Trace(selected=0.0, downloaded=day) for day in downloaded]
    link = setting.pipe.link
    assert link.traffic.total == 8.0 * sum(size_mb)  # megabits: everything sent, once


@pytest.mark.parametrize(("until", "blocked"), [
    # both waits over: 0.125-0.5625 and 0.625-1.0625
    pytest.param(2.0, 0.4375 + 0.4375, id="both-waits-over"),
    # the second wait is still open at the horizon, day 1: it counts 0.625-1.0
    pytest.param(1.0, 0.4375 + 0.375, id="a-wait-open-at-the-horizon"),
])
def test_a_triaged_tipoff_waits_for_a_free_download_slot(until: float, blocked: float) -> None:
    """With one download slot, the member who triaged a tip-off holds it until the slot frees.

    One member, one slot, the 1 Mbps line; three tip-offs on day 0 (priority: newest first).

    - 2: selected 0, triaged by 0.0625, downloads alone 0.0625-0.5625;
    - 1: selected 0.0625, triaged by 0.125, then the member waits for the slot
      until 0.5625 (blocked, not idle) and its download runs 0.5625-1.0625;
    - 0: selected only at 0.5625, when the member is free again; triaged by 0.625, it
      waits for the slot until 1.0625 and downloads 1.0625-1.5625.

    The member is busy triaging 3 x 0.0625 day, and blocked exactly as long as each
    wait for a slot: 0.5625 - 0.125 = 0.4375 day, then 1.0625 - 0.625 = 0.4375 day (a
    wait still open at the horizon counts up to it); the rest of the day on duty is idle.
    """
    setting = build([0.0, 0.0, 0.0], line_mbps=1.0)
    got = setting.run(until=until)
    if until == 2.0:
        assert got == [
            Trace(selected=0.5625, downloaded=1.5625),
            Trace(selected=0.0625, downloaded=1.0625),
            Trace(selected=0.0, downloaded=0.5625),
        ]
    team = setting.pipe.download_team
    assert team.busy.total == 3 * 0.0625
    assert team.blocked.total == blocked
    assert team.duty.total == until  # one person on duty from day 0


def test_a_raid_and_arrest_send_devices_to_hq_ahead_of_routine_review() -> None:
    """Tip-off 0 goes all the way to a charge; its seized devices overtake a waiting review.

    Fast 8 Mbps line (0.0625 day a download), one person in every pool.  Review draws
    (identified?, actionable?) are scripted: 0 is actionable (u = 0.0 < 0.5), 1 and 2
    are not (u = 0.75 >= 0.5); every other yes/no draw is u = 0.0, i.e. yes.

    Tip-off 0 (arrives day 0):

    - selected 0; triaged by 0.0625; downloaded 0.125;
    - reviewed 0.125-2.125, subscriber data after 0.5 day: reviewed 2.625;
    - casework (lower rank) 2.625-3.625, officer work 3.625-4.125, 2 days of waits:
      investigated 6.125; a raid follows (u = 0.0 < 0.5);
    - the state's officer raids 6.125-7.125: raided and actioned on 7.125, arrested
      (its own arrest draw u = 0.0 < 0.45); the 2 devices (1 day of forensic work) go
      to HQ at urgent priority.

    Tip-offs 1 (day 5.5) and 2 (day 5.75), routine:

    - 1: selected 5.5, triaged by 5.5625, downloaded 5.625, reviewed 5.625-7.625;
    - 2: selected 5.75, triaged by 5.8125, downloaded 5.875, waits for the reviewer;
    - day 7.125: the devices join the reviewer's queue behind 2 (waiting since 5.875);
    - day 7.625: the reviewer is free and takes the devices first (urgent before
      routine): examined 7.625-8.625, and the arrest leads to a charge on 8.625
      (its own charge draw u = 0.0 < 0.5); 1's subscriber data arrives 8.125: not
      actionable, closed;
    - 2 is reviewed only 8.625-10.625, subscriber data 11.125: not actionable, closed.
    """
    draws = {Draw.IDENTIFY: [0.0, 0.0, 0.0], Draw.ACTIONABLE: [0.0, 0.75, 0.75]}
    setting = build([0.0, 5.5, 5.75], draws=draws)
    assert setting.run() == [
        Trace(selected=0.0, downloaded=0.125, reviewed=2.625, casework=2.625, investigated=6.125,
              raided=7.125, arrested=True, charged=8.625,
              outcome=Outcome.ACTIONED, outcome_day=7.125),
        Trace(selected=5.5, downloaded=5.625, reviewed=8.125,
              outcome=Outcome.CLOSED_NO_ACTION, outcome_day=8.125,
              closure=Closure.NOT_ACTIONABLE),
        Trace(selected=5.75, downloaded=5.875, reviewed=11.125,
              outcome=Outcome.CLOSED_NO_ACTION, outcome_day=11.125,
              closure=Closure.NOT_ACTIONABLE),
    ]
    assert not any(setting.pipe.draws.unused.values())  # each scripted draw taken
    pipe = setting.pipe
    assert pipe.forensic_team.busy.total == 3 * 2.0 + 1.0  # three reviews, one examination
    assert pipe.officers[0].busy.total == 0.5 + 1.0  # officer work, then the raid
    assert pipe.lower_ranks[0].busy.total == 1.0  # casework


def test_evidence_from_abroad_then_a_documented_closure_without_a_raid() -> None:
    """An investigation that waits for evidence from abroad and ends without a raid is actioned.

    The state has no lower ranks in post, so its one officer does the casework too.
    Half the cases need evidence from abroad (8 days of mutual legal assistance).
    Investigation draws (abroad?, raid?) are scripted: abroad (u = 0.0 < 0.5), no
    raid (u = 0.75 >= 0.5).

    - selected 0, downloaded 0.125, reviewed 2.625 (as in the raid test);
    - the officer does the casework 2.625-3.625, then the officer work 3.625-4.125;
    - waits: 2 days (warrants) + 8 days (abroad): investigated 14.125;
    - no raid: closed with a documented decision, which counts as actioned, on 14.125.
    """
    rates = dataclasses.replace(RATES, abroad_share=0.5, mla_delay_days=8.0)
    draws = {Draw.ABROAD: [0.0], Draw.RAID: [0.75]}
    setting = build([0.0], lower_ranks=0, rates=rates, draws=draws)
    assert setting.run() == [
        Trace(selected=0.0, downloaded=0.125, reviewed=2.625, casework=2.625,
              investigated=14.125, outcome=Outcome.ACTIONED, outcome_day=14.125),
    ]
    assert not any(setting.pipe.draws.unused.values())  # each scripted draw taken
    pipe = setting.pipe
    assert pipe.officers[0].busy.total == 1.0 + 0.5  # casework and officer work
    assert pipe.lower_ranks[0].busy.total == 0.0


CASEWORK_5_DAYS = dataclasses.replace(RATES, casework_hours=40.0, raid_prob=0.0)
"""Casework of 40 h = 5 days, so that cases queue for the state's one lower rank; no
raids (u = 0.0 >= 0): an investigation closes with a documented decision."""


@pytest.mark.parametrize(("discipline", "first", "second"), [
    (QueueDiscipline.PRIORITY, 2, 1),  # high risk first: 2 overtakes the older 1
    (QueueDiscipline.FIFO, 1, 2),  # oldest first
])
def test_a_high_risk_case_overtakes_an_older_one_at_the_state_under_priority(
        discipline: QueueDiscipline, first: int, second: int) -> None:
    """The state's casework queue follows the selection discipline.

    Tip-offs arrive on days 0 (low risk), 1 (low risk) and 2.5 (high risk), each when
    the download team is free, so HQ takes them in arrival order whatever the discipline;
    the one reviewer takes them in turn (review 2 days, subscriber data 0.5 day):

    - 0: selected 0, downloaded 0.125, reviewed 0.125-2.125, at its state 2.625;
      casework (the one lower rank) 2.625-7.625;
    - 1: selected 1, downloaded 1.125, waits for the reviewer: 2.125-4.125, at its
      state 4.625, waits for the lower rank;
    - 2: selected 2.5, downloaded 2.625, reviewed 4.125-6.125, at its state 6.625, waits;
    - 7.625: the lower rank is free.  Under ``priority`` the high-risk 2 goes first,
      although 1 has waited longer; under ``fifo`` 1 does.  The first casework runs
      7.625-12.625, the second 12.625-17.625.

    After casework: officer work 0.5 day, 2 days of waits, then a documented decision
    (actioned): 0 on 7.625 + 2.5 = 10.125, the first on 15.125, the second on 20.125.
    """
    setting = build([0.0, 1.0, 2.5], high_priority=[False, False, True],
                    discipline=discipline, rates=CASEWORK_5_DAYS)
    got = setting.run()
    assert got[0] == Trace(selected=0.0, downloaded=0.125, reviewed=2.625, casework=2.625,
                           investigated=10.125, outcome=Outcome.ACTIONED, outcome_day=10.125)
    at_hq = {1: (1.0, 1.125, 4.625), 2: (2.5, 2.625, 6.625)}  # selected, downloaded, reviewed
    for tipoff, casework in ((first, 7.625), (second, 12.625)):
        selected, downloaded, reviewed = at_hq[tipoff]
        assert got[tipoff] == Trace(
            selected=selected, downloaded=downloaded, reviewed=reviewed, casework=casework,
            investigated=casework + 7.5, outcome=Outcome.ACTIONED, outcome_day=casework + 7.5)


@pytest.mark.parametrize("until", [
    pytest.param(60.0, id="found-stale-by-the-worker"),
    pytest.param(11.0, id="still-waiting-at-the-horizon"),
])
def test_a_case_that_waits_past_the_stale_age_lapses_on_the_day_it_went_stale(
        until: float) -> None:
    """A case whose casework has not started by arrival + stale_after_days lapses then.

    As in the overtaking test under ``fifo``, with a stale age of 8 days:

    - 1 (arrived day 1) starts its casework at 7.625, aged 6.625 <= 8 days: it goes on
      (casework 7.625-12.625, actioned 15.125), and is not stopped when it passes 8;
    - 2 (arrived day 2.5) went stale on 2.5 + 8 = 10.5, still waiting.  The lower rank
      reaches it on 12.625, finds it stale and takes nothing from it; it lapses after
      selection on 10.5, the day it went stale, not the day it was found.  With the
      horizon on day 11, it is still waiting at the end and closed the same way when the
      run is collected: the day does not depend on when a worker looked.
    """
    rates = dataclasses.replace(CASEWORK_5_DAYS, stale_after_days=8.0)
    setting = build([0.0, 1.0, 2.5], high_priority=[False, False, True],
                    discipline=QueueDiscipline.FIFO, rates=rates)
    got = setting.run(until=until)
    assert got[2] == Trace(selected=2.5, downloaded=2.625, reviewed=6.625,
                           outcome=Outcome.LAPSED_AFTER_SELECTION, outcome_day=10.5)
    one = Trace(selected=1.0, downloaded=1.125, reviewed=4.625, casework=7.625)
    if until == 60.0:
        one = one._replace(investigated=15.125, outcome=Outcome.ACTIONED, outcome_day=15.125)
    assert got[1] == one
    # the casework of 0 and 1 (counted when it starts), none of 2
    assert setting.pipe.lower_ranks[0].busy.total == 5.0 + 5.0
    tipoffs, ledger = setting.pipe.tipoffs, setting.pipe.ledger
    left = end_state_counts(tipoffs.arrival_day, tipoffs.state, tipoffs.stage_at_start,
                            ledger.selected_day, ledger.reviewed_day, ledger.investigated_day,
                            ledger.outcome, until)
    # a lapsed case has ended: at day 11 only 1 is left (its casework under way)
    assert left["count"].sum() == (0 if until == 60.0 else 1)


def test_a_case_that_reaches_its_state_already_stale_lapses_on_the_day_it_got_there() -> None:
    """A case older than the stale age when its review sends it to the state lapses on arrival.

    As in the overtaking test with a stale age of 3 days: 0 reaches its state on 2.625,
    aged 2.625 <= 3, and is worked; 1 gets there on 4.625, aged 3.625, and 2 on 6.625,
    aged 4.125: both went stale at HQ (on days 4 and 5.5), but a case cannot lapse at a
    state before it got there, so each lapses on the day of its review.
    """
    rates = dataclasses.replace(CASEWORK_5_DAYS, stale_after_days=3.0)
    got = build([0.0, 1.0, 2.5], rates=rates).run()
    assert got[0].outcome is Outcome.ACTIONED
    assert got[1:] == [
        Trace(selected=1.0, downloaded=1.125, reviewed=4.625,
              outcome=Outcome.LAPSED_AFTER_SELECTION, outcome_day=4.625),
        Trace(selected=2.5, downloaded=2.625, reviewed=6.625,
              outcome=Outcome.LAPSED_AFTER_SELECTION, outcome_day=6.625),
    ]
