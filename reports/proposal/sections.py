"""The proposal's sections: wording and data composed into the paper, in budget-paper order.

Purpose, background, justification, financial implications, recommendation, then an
appendix of assumptions and sources, as a Malaysian government budget paper runs.  Each
section takes the run's :class:`~reports.proposal.data.ProposalData` and a language and
adds its parts to a :class:`~reports.proposal.document.Paper`; every word comes from
:mod:`reports.proposal.wording` and every metric's label from :mod:`model.metrics`.

The paper hides nothing: the purpose states every change to MICAC's posts and shows them
before and after (Table 1), and the recommendation repeats them; the money is listed only
for what it buys, and what the plan keeps at no new cost is listed apart from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from model.levers import LeverKind
from model.metrics import NATIONAL
from reports.formatting import DASH, format_parameter
from reports.proposal import wording as w
from reports.proposal import wording_plan as wp
from reports.proposal._formatting import amount, ringgit, whole_or_count
from reports.proposal.changes import (
    as_sentence,
    bought_item,
    change_clauses,
    kept_rows,
    paid_unit,
    posts_rows,
    training_rows,
)
from reports.proposal.charts import cost_chart
from reports.proposal.data import CostLine, ProposalData
from reports.proposal.document import SMALL_PT, Paper
from reports.proposal.justification import justification, outcome_sentence
from reports.proposal.money import envelope_words, two_part_budget
from reports.proposal.terms import budget_terms
from reports.proposal.wording import Language

__all__ = ["compose_paper", "outcome_sentence"]

POSTS_TABLE_PT = 7.5
"""Table 1 has eight columns: a little smaller than other tables, so it fits in Malay too."""


def _envelope_phrase(data: ProposalData, language: Language) -> str:
    if data.budget_rm is None:
        return ringgit(data.total_rm)
    return w.ENVELOPE.format(language, total=ringgit(data.total_rm),
                             envelope=ringgit(data.budget_rm))


def _paid(lines: Sequence[CostLine], kind: LeverKind) -> float:
    return sum(line.paid_quantity for line in lines if line.lever.kind is kind)


def _plan_parts(data: ProposalData, language: Language) -> list[str]:
    """What the money buys, as the purpose lists it: only what is paid for."""
    bought = data.bought
    parts = [w.NEW_POSTS.format(language, n=whole_or_count(line.paid_quantity),
                                rank=w.RANK_ADJECTIVES[str(line.lever.rank)](language))
             for line in bought if line.lever.kind is LeverKind.NEW_POSTS_SALARY]
    for kind, phrase in ((LeverKind.POSTS_MOVED, w.MOVED), (LeverKind.COURSE_PLACES, w.PLACES)):
        if total := _paid(bought, kind):
            parts.append(phrase.format(language, n=whole_or_count(total)))
    parts += [w.BANDWIDTH.format(language, mbps=whole_or_count(line.quantity))
              for line in bought if line.lever.kind is LeverKind.LINE]
    if campaigns := _paid(bought, LeverKind.CAMPAIGNS):
        parts.append(w.CAMPAIGNS.format(language, n=whole_or_count(campaigns)))
    for line in bought:
        if line.code in w.TOOLS:
            tool = w.describe_lever(line.lever, language)
            many = line.paid_quantity > 1
            parts.append(f"{whole_or_count(line.paid_quantity)} {tool}" if many else tool)
    return parts


def _title_block(paper: Paper, data: ProposalData, language: Language) -> None:
    """The paper's title and the line that says which run its numbers come from."""
    paper.title_block(paper.title, w.SUBTITLE.format(
        language, name=data.scenario.get("name", DASH), reps=data.run.get("replications", DASH),
        seed=data.run.get("seed", DASH),
        finished=w.long_date(data.run.get("finished_at", DASH), language)))


def _purpose(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 1: what is asked for, what it pays for, and every change to the posts."""
    paper.heading(w.PURPOSE(language))
    paper.paragraph(w.PURPOSE_TEXT.format(language, total=ringgit(data.total_rm),
                                          period=data.period,
                                          total_of_envelope=_envelope_phrase(data, language)))
    parts = _plan_parts(data, language)
    paper.paragraph(w.PAYS_FOR.format(language, parts=w.join_words(parts, language)) if parts
                    else w.PAYS_FOR_NOTHING(language))
    before = sum(count.before for count in data.posts)
    after = sum(count.after for count in data.posts)
    clauses = change_clauses(data, language)
    if not clauses:
        paper.paragraph(w.NO_POST_CHANGE.format(language, posts=after))
        return
    paper.paragraph(w.CHANGES_INTRO.format(language, before=before, after=after)
                    if before != after else w.CHANGES_INTRO_SAME_TOTAL.format(language,
                                                                              posts=after))
    for clause in clauses:
        paper.bullet(as_sentence(clause))
    headers, rows, footer = posts_rows(data, language)
    paper.table(headers, rows, "l" + "r" * (len(headers) - 1), footer=footer,
                caption=w.POSTS_CAPTION(language), size=POSTS_TABLE_PT)


def _background(paper: Paper, language: Language) -> None:
    """Section 2: the published facts the case rests on, each with its source."""
    paper.heading(w.BACKGROUND(language))
    paper.paragraph(w.BACKGROUND_INTRO(language))
    for fact in w.PUBLISHED_FACTS:
        paper.bullet(w.FACT_WITH_SOURCE.format(language, fact=fact.text(language),
                                               source=fact.source))


def _grouped(lines: Sequence[CostLine]) -> list[list[CostLine]]:
    """Bought lines by lever, in order: the paper gives one line per lever, the workbook each."""
    groups: dict[str, list[CostLine]] = {}
    for line in lines:
        groups.setdefault(line.code, []).append(line)
    return list(groups.values())


def _cost_row(group: Sequence[CostLine], data: ProposalData, language: Language) -> list[str]:
    first = group[0]
    item = bought_item(first, language)
    scopes = list(dict.fromkeys(line.scope for line in group))
    if len(scopes) > 1:
        item += f" \u2013 {w.SITES.format(language, n=len(scopes))}"
    elif first.scope != NATIONAL:
        item += f" \u2013 {w.describe_scope(first.scope, data.states, language)}"
    dates = [line.paid_from for line in group if line.paid_from is not None]
    quantity = sum(line.paid_quantity for line in group)
    return [w.describe_category(first.category, language), item,
            f"{whole_or_count(quantity)} {w.describe_unit(paid_unit(first), language)}",
            w.long_date(min(dates).isoformat(), language) if dates else DASH,
            amount(sum(line.one_off_rm for line in group)),
            amount(sum(line.recurring_rm for line in group)),
            amount(sum(line.total_rm for line in group))]


def _cost_lines_table(paper: Paper, data: ProposalData, language: Language) -> None:
    rows = [_cost_row(group, data, language) for group in _grouped(data.bought)]
    footer = [[w.TOTAL_ROW(language), "", "", "", amount(data.one_off_rm),
               amount(data.recurring_rm), amount(data.total_rm)]]
    paper.table([w.CATEGORY(language), w.ITEM(language), w.QUANTITY(language),
                 w.PAID_FROM(language), w.ONE_OFF(language), w.RECURRING(language),
                 w.TOTAL(language)], rows, "llrrrrr", footer=footer,
                caption=w.COST_LINES(language))


def _by_year_table(paper: Paper, data: ProposalData, language: Language) -> None:
    rows = []
    for year in data.years:
        one_off, recurring = data.year_rm(year)
        rows.append([str(year), amount(one_off), amount(recurring), amount(one_off + recurring)])
    footer = [[w.TOTAL_ROW(language), amount(data.one_off_rm), amount(data.recurring_rm),
               amount(data.total_rm)]]
    if data.budget_rm is not None:
        footer += [[w.ENVELOPE_ROW(language), "", "", amount(data.budget_rm)],
                   [w.REMAINING_ROW(language), "", "", amount(data.budget_rm - data.total_rm)]]
    paper.table([w.YEAR(language), w.ONE_OFF(language), w.RECURRING(language),
                 w.TOTAL(language)], rows, "lrrr", footer=footer, caption=w.BY_YEAR(language))


def _training_table(paper: Paper, data: ProposalData, language: Language) -> None:
    table = training_rows(data, language)
    if table is not None:
        headers, rows, footer = table
        paper.table(headers, rows, "l" + "r" * (len(headers) - 1), footer=footer,
                    caption=w.TRAINING_CAPTION(language))


def _kept_table(paper: Paper, data: ProposalData, language: Language) -> None:
    rows = kept_rows(data, language)
    if rows:
        paper.table([w.ITEM(language), w.WHERE(language), w.QUANTITY(language)], rows, "llr",
                    caption=w.KEPT_CAPTION(language))


def _remaining(data: ProposalData, language: Language) -> str:
    """What the plan leaves of its money: of the one envelope, or of the one-off envelope."""
    envelope = budget_terms(data).get("one_off_rm")
    if envelope is not None:
        return wp.REMAINING_ONE_OFF.format(
            language, amount=ringgit(float(envelope) - data.one_off_rm))
    return DASH if data.budget_rm is None else ringgit(data.budget_rm - data.total_rm)


def _financial(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 4: the cost by line and by year, the two-part budget, training, what is kept."""
    paper.heading(w.FINANCIAL(language))
    lag = data.recruitment_lag_days
    paper.paragraph(w.FINANCIAL_TEXT.format(
        language, total_of_envelope=_envelope_phrase(data, language),
        remaining=_remaining(data, language),
        one_off=ringgit(data.one_off_rm), recurring=ringgit(data.recurring_rm),
        first_year=data.years[0], lag=DASH if lag is None else whole_or_count(lag)))
    _cost_lines_table(paper, data, language)
    two_part = bool(budget_terms(data)) or data.budget is not None
    if not two_part:
        _by_year_table(paper, data, language)
    two_part_budget(paper, data, language)
    paper.chart(cost_chart(data, language))
    _training_table(paper, data, language)
    _kept_table(paper, data, language)


def _recommendation(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 5: the decision asked for, every change to the posts, and the review."""
    paper.heading(w.RECOMMENDATION(language))
    clauses = change_clauses(data, language)
    posts = (w.RECOMMEND_CHANGES.format(language, changes="; ".join(clauses)) if clauses
             else w.RECOMMEND_NO_CHANGE(language))
    paper.paragraph(w.RECOMMENDATION_TEXT.format(
        language, total=ringgit(data.total_rm), period=data.period,
        one_off=ringgit(data.one_off_rm), recurring=ringgit(data.recurring_rm),
        envelope=envelope_words(data, language), posts=posts))


def _assumption_row(item: Mapping[str, Any]) -> list[str]:
    unit = str(item.get("unit") or "")
    low, high = item.get("low"), item.get("high")
    span = DASH if low is None and high is None else \
        f"{format_parameter(low, unit)} – {format_parameter(high, unit)}"
    return [str(item.get("parameter", "")), format_parameter(item.get("value"), unit), unit,
            span, str(item.get("note") or "")]


def _appendix(paper: Paper, data: ProposalData, language: Language) -> None:
    """Appendix A, on a page of its own: the run's assumptions and the published facts."""
    paper.page_break()
    paper.heading(w.APPENDIX(language))
    paper.paragraph(w.ASSUMPTIONS_TEXT(language))
    rows = [_assumption_row(item) for item in data.run.get("assumptions") or []]
    if rows:
        paper.table([w.PARAMETER(language), w.VALUE(language), w.UNIT(language),
                     w.RANGE(language), w.NOTE(language)], rows, "lrlrl", size=SMALL_PT)
    paper.table([w.FACT(language), w.SOURCE(language)],
                [[fact.text(language), fact.source] for fact in w.PUBLISHED_FACTS], "ll",
                caption=w.FACTS_TITLE(language), size=SMALL_PT + 0.5)


def compose_paper(data: ProposalData, language: Language = "en") -> Paper:
    """Lay out the proposal paper in ``language`` without writing it.

    Parameters
    ----------
    data : ProposalData
        What :func:`reports.proposal.data.read_proposal_data` read.
    language : {"en", "ms"}
        English, or formal Malay; the numbers are the same.

    Returns
    -------
    Paper
        The paper; :meth:`Paper.text_lines` lists its text and :meth:`Paper.save`
        writes the PDF.
    """
    paper = Paper(title=w.TITLE.format(language, period=data.period),
                  page_label=w.PAGE(language), language=language)
    _title_block(paper, data, language)
    _purpose(paper, data, language)
    _background(paper, language)
    justification(paper, data, language)
    _financial(paper, data, language)
    _recommendation(paper, data, language)
    _appendix(paper, data, language)
    return paper
