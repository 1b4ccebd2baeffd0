"""The two-part budget in the paper: one-off and recurring money by year, and what follows.

A plan optimised under ``optimise.budget`` spends from a one-off envelope and, for its
recurring costs, within an annual ceiling that is the planner's ask: D11 has no annual
allocation of its own, so the paper presents the recurring cost as a request to the
ministry.  The money by year comes from ``plan.csv``'s cost lines (one-off in the year it
is paid, recurring the rest), so one-off plus recurring in a year is ``plan.csv``'s
``cost_<year>_rm`` total; what was available, the ceiling and what is unspent come from
``budget.csv`` as written, and the liabilities after the horizon from its rows
``beyond_horizon``.  Where the two files disagree on a year's spending the paper says so.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from model.levers import LeverKind
from reports.formatting import DASH
from reports.proposal import wording as w
from reports.proposal import wording_plan as wp
from reports.proposal._formatting import amount, ringgit, whole_or_count
from reports.proposal.data import ProposalData
from reports.proposal.document import Paper
from reports.proposal.terms import budget_terms
from reports.proposal.wording import Language

MISMATCH_RM = 1.0
"""A year's spending in ``budget.csv`` and ``plan.csv`` further apart than this is noted."""


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def horizon_rows(data: ProposalData) -> pd.DataFrame | None:
    """``budget.csv``'s rows of the horizon's years, indexed by year; None without it."""
    if data.budget is None:
        return None
    return data.budget[~data.budget["beyond_horizon"]].set_index("year")


def liabilities(data: ProposalData) -> pd.DataFrame | None:
    """``budget.csv``'s rows after the horizon (``year, recurring_rm``); None without it."""
    if data.budget is None:
        return None
    return data.budget[data.budget["beyond_horizon"]][["year", "recurring_rm"]]


def recurring_rate_rm(data: ProposalData) -> float:
    """The recurring cost a year at the horizon's end: every paid line's yearly rate."""
    recorded = _float(data.plan.get("recurring_rm_per_year"))
    if not math.isnan(recorded):
        return recorded
    return float(sum(line.recurring_rm_per_year for line in data.bought))


def _cell_rm(value: Any) -> str:
    number = _float(value)
    return DASH if math.isnan(number) else amount(number)


def _text_money(value: Any) -> str:
    number = _float(value)
    return DASH if math.isnan(number) else ringgit(number)


def _budget_paragraphs(paper: Paper, data: ProposalData, language: Language) -> None:
    terms = budget_terms(data)
    envelope = _float(terms.get("one_off_rm"))
    last = data.years[-1]
    paper.paragraph(wp.BUDGET_TEXT.format(
        language, one_off=ringgit(data.one_off_rm), envelope=_text_money(envelope),
        unspent=DASH if math.isnan(envelope) else ringgit(envelope - data.one_off_rm),
        recurring=ringgit(data.recurring_rm), period=data.period,
        last_year_rm=ringgit(data.year_rm(last)[1]), last_year=last,
        ceiling=_text_money(terms.get("annual_rm")),
        from_one_off=(wp.FROM_ONE_OFF if terms.get("recurring_from_one_off")
                      else wp.NOT_FROM_ONE_OFF)(language)))
    after = liabilities(data)
    if after is not None and len(after):
        paper.paragraph(wp.MINISTRY_REQUEST.format(
            language, recurring=ringgit(data.recurring_rm), period=data.period,
            liabilities=ringgit(float(after["recurring_rm"].sum())),
            first_after=int(after["year"].min()), to_year=int(after["year"].max()),
            ceiling=_text_money(terms.get("annual_rm"))))
    else:
        paper.paragraph(wp.MINISTRY_REQUEST_NO_AFTER.format(
            language, recurring=ringgit(data.recurring_rm), period=data.period,
            ceiling=_text_money(terms.get("annual_rm"))))


def _money_table(paper: Paper, data: ProposalData, language: Language) -> None:
    """Each horizon year: one-off and recurring from plan.csv, the rest from budget.csv."""
    budget = horizon_rows(data)
    rows, notes = [], []
    for year in data.years:
        one_off, recurring = data.year_rm(year)
        row = [str(year), amount(one_off), amount(recurring), amount(one_off + recurring)]
        given = budget.loc[year] if budget is not None and year in budget.index else None
        row += [DASH if given is None else _cell_rm(given[column])
                for column in ("one_off_available_rm", "recurring_ceiling_rm", "unspent_rm")]
        rows.append(row)
        if given is not None:
            written = _float(given["one_off_rm"]) + _float(given["recurring_rm"])
            if abs(written - (one_off + recurring)) > MISMATCH_RM:
                notes.append(wp.MISMATCH.format(language, budget=ringgit(written), year=year,
                                                plan=ringgit(one_off + recurring)))
    footer = [[w.TOTAL_ROW(language), amount(data.one_off_rm), amount(data.recurring_rm),
               amount(data.total_rm), "", "", ""]]
    paper.table([w.YEAR(language), w.ONE_OFF(language), w.RECURRING(language),
                 w.TOTAL(language), wp.ONE_OFF_AVAILABLE(language),
                 wp.RECURRING_CEILING(language), wp.UNSPENT(language)], rows, "lrrrrrr",
                footer=footer, caption=wp.MONEY_CAPTION(language))
    for note in notes:
        paper.paragraph(note, "note")


def _liabilities_table(paper: Paper, data: ProposalData, language: Language) -> None:
    after = liabilities(data)
    last = data.years[-1]
    if after is None:
        paper.paragraph(wp.ABSENT_FILE.format(language, file="budget.csv"), "note")
        return
    if after.empty or not (after["recurring_rm"] > 0).any():
        paper.paragraph(wp.NO_LIABILITIES.format(language, last_year=last))
        return
    rows = [[str(int(row.year)), amount(row.recurring_rm)] for row in after.itertuples()]
    footer = [[w.TOTAL_ROW(language), amount(float(after["recurring_rm"].sum()))]]
    paper.table([w.YEAR(language), w.RECURRING(language)], rows, "lr", footer=footer,
                caption=wp.LIABILITIES_CAPTION.format(language, last_year=last,
                                                      to_year=int(after["year"].max())))


def posts_by_year(data: ProposalData) -> dict[int, dict[str, float]]:
    """New posts by the calendar year they are created and rank: ``{2025: {"officers": 4}}``."""
    created: dict[int, dict[str, float]] = {}
    for line in data.bought:
        if line.lever.kind is LeverKind.NEW_POSTS_SALARY and line.year is not None:
            ranks = created.setdefault(line.year, {})
            rank = str(line.lever.rank)
            ranks[rank] = ranks.get(rank, 0.0) + line.paid_quantity
    return dict(sorted(created.items()))


def _posts_by_year_table(paper: Paper, data: ProposalData, language: Language) -> None:
    created = posts_by_year(data)
    if not created:
        return
    rows = []
    for year, ranks in created.items():
        officers, lower = ranks.get("officers", 0.0), ranks.get("lower_ranks", 0.0)
        rows.append([str(year), whole_or_count(officers), whole_or_count(lower),
                     whole_or_count(officers + lower)])
    totals = [sum(r.get(rank, 0.0) for r in created.values())
              for rank in ("officers", "lower_ranks")]
    footer = [[w.TOTAL_ROW(language), *map(whole_or_count, totals),
               whole_or_count(sum(totals))]]
    paper.table([w.YEAR(language), w.OFFICERS(language), w.LOWER_RANKS(language),
                 w.ALL_POSTS(language)], rows, "lrrr", footer=footer,
                caption=wp.POSTS_BY_YEAR_CAPTION(language))


def two_part_budget(paper: Paper, data: ProposalData, language: Language) -> None:
    """The budget's two parts in words, money by year, liabilities after it, posts by year.

    For a run whose budget was one envelope (no ``optimise.budget``) only the posts by
    year are added: the older paper's tables say the rest.
    """
    if budget_terms(data) or data.budget is not None:
        _budget_paragraphs(paper, data, language)
        _money_table(paper, data, language)
        _liabilities_table(paper, data, language)
    _posts_by_year_table(paper, data, language)


def envelope_words(data: ProposalData, language: Language) -> str:
    """What the plan is within, for the recommendation: one envelope, or both parts."""
    terms = budget_terms(data)
    if terms:
        return wp.ENVELOPES.format(language, envelope=_text_money(terms.get("one_off_rm")),
                                   recurring=ringgit(recurring_rate_rm(data)),
                                   ceiling=_text_money(terms.get("annual_rm")))
    return wp.ONE_ENVELOPE.format(language, envelope=DASH if data.budget_rm is None
                                  else ringgit(data.budget_rm))
