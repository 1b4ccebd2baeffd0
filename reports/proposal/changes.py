"""What the plan changes and what it keeps, in words and table rows, in either language.

The paper must hide no structural change: posts moved from headquarters to the states,
teams shrunk or grown, posts created or given up.  :func:`change_clauses` says each in
plain words from the posts before and after (:class:`~reports.proposal.data.PostCount`);
the purpose lists them and the recommendation repeats them.  The tables of posts before
and after, of people trained and of what is kept at no new cost are built here too, as
rows of text; :mod:`reports.proposal.sections` lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from model.levers import LeverKind
from model.metrics import HQ
from reports.formatting import DASH
from reports.proposal import wording as w
from reports.proposal._formatting import whole_or_count
from reports.proposal.data import HQ_TEAMS, CostLine, PostCount, ProposalData
from reports.proposal.wording import Language


def bought_item(line: CostLine, language: Language) -> str:
    """What a bought line pays for, as its item reads: "internet line at headquarters, 500 Mbps"."""
    kind = line.lever.kind
    if kind is LeverKind.LINE:
        return w.LINE_OF.format(language, line=w.LINE(language), mbps=whole_or_count(line.quantity))
    if kind is LeverKind.CAMPAIGNS:
        return w.EXTRA_CAMPAIGNS(language)
    return w.describe_lever(line.lever, language)


def paid_unit(line: CostLine) -> str:
    """The unit of what a line pays for (``paid_quantity``): one line, not its Mbps."""
    return "line" if line.lever.kind is LeverKind.LINE else line.unit


def _before(counts: Iterable[PostCount]) -> int:
    return sum(count.before for count in counts)


def _after(counts: Iterable[PostCount]) -> int:
    return sum(count.after for count in counts)


def _changed(counts: Sequence[PostCount]) -> bool:
    return _before(counts) != _after(counts)


def _hq_clause(posts: Sequence[PostCount], language: Language) -> str | None:
    hq = [count for count in posts if count.site == HQ]
    if not any(count.before != count.after for count in hq):
        return None
    teams = []
    for team in HQ_TEAMS:
        members = [count for count in hq if count.team == team]
        if _changed(members):
            teams.append(w.PART_CHANGE.format(language, part=w.TEAM_NAMES[team](language),
                                              before=_before(members), after=_after(members)))
    inside = w.IN_BRACKETS.format(language, parts=", ".join(teams)) if teams else ""
    return w.HQ_CHANGE.format(language, before=_before(hq), after=_after(hq), teams=inside)


def _states_clause(data: ProposalData, language: Language) -> str | None:
    states = [count for count in data.posts if count.site != HQ]
    if not any(count.before != count.after for count in states):
        return None
    parts = []
    for code in dict.fromkeys(count.site for count in states):
        own = [count for count in states if count.site == code]
        if _changed(own):
            name = (data.states.get(code) or {}).get("name") or code
            parts.append(w.STATE_CHANGE.format(language, state=name, before=_before(own),
                                               after=_after(own)))
    inside = w.IN_BRACKETS.format(language, parts=", ".join(parts)) if parts else ""
    return w.STATES_CHANGE.format(language, before=_before(states), after=_after(states),
                                  states=inside)


def _rank_clauses(data: ProposalData, language: Language) -> list[str]:
    by_rank = {rank: [count for count in data.posts if count.rank == rank]
               for rank in ("officers", "lower_ranks")}
    if not any(_changed(counts) for counts in by_rank.values()):
        return []
    officers, lower = by_rank["officers"], by_rank["lower_ranks"]
    clauses = [w.RANKS_CHANGE.format(
        language, officers_before=_before(officers), officers_after=_after(officers),
        lower_before=_before(lower), lower_after=_after(lower))]
    for rank, counts in by_rank.items():
        words = w.RANK_ADJECTIVES[rank](language)
        if _after(counts) > _before(counts):
            clauses.append(w.CREATED.format(language, n=_after(counts) - _before(counts),
                                            rank=words))
        elif _after(counts) < _before(counts):
            clauses.append(w.GIVEN_UP.format(language, n=_before(counts) - _after(counts),
                                             rank=words))
    return clauses


def change_clauses(data: ProposalData, language: Language) -> list[str]:
    """Every structural change the plan makes to MICAC's posts, one clause each.

    Parameters
    ----------
    data : ProposalData
        The run: its posts before and after, and the posts it moves.
    language : {"en", "ms"}
        The language of the clauses.

    Returns
    -------
    list of str
        Clauses without a capital or a full stop ("headquarters (Bukit Aman) from 36
        posts to 10 (download team from 10 to 1, ...)"): HQ and its teams, the states
        (each that changes), the ranks, posts created or given up, posts moved.  Empty
        when no post changes.
    """
    clauses = [clause for clause in (_hq_clause(data.posts, language),
                                     _states_clause(data, language)) if clause]
    clauses += _rank_clauses(data, language)
    moved = sum(line.quantity for line in data.lines if line.lever.kind is LeverKind.POSTS_MOVED)
    if moved:
        clauses.append(w.MOVED.format(language, n=whole_or_count(moved)))
    return clauses


def as_sentence(clause: str) -> str:
    """A clause as a sentence: a capital first and a full stop after."""
    return f"{clause[:1].upper()}{clause[1:]}."


def _site_name(count: PostCount, data: ProposalData, language: Language) -> str:
    if count.site == HQ:
        return w.TEAMS[str(count.team)](language)
    return w.describe_scope(count.site, data.states, language)


def posts_rows(data: ProposalData, language: Language) -> tuple[list[str], list[list[str]],
                                                                 list[list[str]]]:
    """Table 1: posts before and after by site, team and rank, with HQ, state and all totals.

    Returns
    -------
    tuple
        Headers, body rows (one per HQ team and per state: the first column names the
        site and, at HQ, the team) and footer rows.
    """
    headers = [w.SITE_AND_TEAM(language)]
    for what in (w.OFFICERS, w.LOWER_RANKS, w.ALL_POSTS):
        headers += [w.BEFORE_AFTER.format(language, what=what(language), when=when(language))
                    for when in (w.BEFORE, w.AFTER)]
    headers.append(w.CHANGE(language))
    units: dict[tuple[str, str | None], list[PostCount]] = {}
    for count in data.posts:
        units.setdefault((count.site, count.team), []).append(count)

    def cells(counts: Sequence[PostCount]) -> list[str]:
        values = []
        for rank in ("officers", "lower_ranks"):
            own = [count for count in counts if count.rank == rank]
            values += [str(_before(own)), str(_after(own))]
        change = _after(counts) - _before(counts)
        return [*values, str(_before(counts)), str(_after(counts)),
                f"{change:+d}" if change else "0"]

    rows = [[_site_name(counts[0], data, language), *cells(counts)]
            for counts in units.values()]
    hq = [count for count in data.posts if count.site == HQ]
    states = [count for count in data.posts if count.site != HQ]
    footer = [[w.HEADQUARTERS_ROW(language), *cells(hq)],
              [w.STATES_ROW(language), *cells(states)],
              [w.TOTAL_ROW(language), *cells(data.posts)]]
    return headers, rows, footer


def training_rows(data: ProposalData, language: Language) -> tuple[list[str], list[list[str]],
                                                                    list[list[str]]] | None:
    """People trained by site (rows) and course (columns); the footer: places bought.

    Returns
    -------
    tuple or None
        Headers, body rows and the footer row of places bought by course, which equals
        the column's total; None when the plan trains no one.
    """
    trained = [line for line in data.lines if line.lever.kind is LeverKind.TRAINED]
    if not trained:
        return None
    courses = list(dict.fromkeys(str(line.lever.course) for line in trained))
    sites = list(dict.fromkeys(line.scope for line in trained))
    people = {(str(line.lever.course), line.scope): line.quantity for line in trained}
    places = {course: sum(line.paid_quantity for line in data.lines
                          if line.lever.kind is LeverKind.COURSE_PLACES
                          and line.lever.course == course) for course in courses}
    headers = [w.SITE(language), *[w.COURSES[course](language).capitalize()
                                   for course in courses]]
    rows = [[w.describe_scope(site, data.states, language),
             *[whole_or_count(people[(course, site)]) if (course, site) in people else DASH
               for course in courses]] for site in sites]
    footer = [[w.TOTAL_ROW(language),
               *[whole_or_count(sum(v for (c, _), v in people.items() if c == course))
                 for course in courses]],
              [w.PLACES_BOUGHT(language), *[whole_or_count(places[c]) for c in courses]]]
    return headers, rows, footer


def kept_rows(data: ProposalData, language: Language) -> list[list[str]]:
    """What the plan keeps as it is, at no new cost: posts, campaigns, today's line.

    Returns
    -------
    list of list of str
        Rows of item, where and quantity.
    """
    rows = []
    kept_posts = sum(min(count.before, count.after) for count in data.posts)
    sites = len({(count.site, count.team) for count in data.posts
                 if min(count.before, count.after) > 0})
    if kept_posts:
        rows.append([w.KEPT_POSTS(language), w.SITES.format(language, n=sites),
                     f"{kept_posts} {w.describe_unit('posts', language)}"])
    # a state's campaigns beyond today's are bought; today's level is kept
    kept = [line.quantity - line.paid_quantity for line in data.lines
            if line.lever.kind is LeverKind.CAMPAIGNS and line.quantity > line.paid_quantity]
    if kept:
        rows.append([w.KEPT_CAMPAIGNS(language), w.STATES_COUNT.format(language, n=len(kept)),
                     f"{whole_or_count(sum(kept))} "
                     f"{w.describe_unit('campaigns a year', language)}"])
    if not any(line.lever.kind is LeverKind.LINE and line.bought for line in data.lines):
        rows.append([w.KEPT_LINE(language), w.SCOPES[HQ](language), w.UNCHANGED(language)])
    return rows
