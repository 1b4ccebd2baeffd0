"""The proposal's sections: wording and data composed into the paper, in budget-paper order.

Purpose, background, justification, financial implications, recommendation, then an
appendix of assumptions and sources, as a Malaysian government budget paper runs.  Each
section takes the run's :class:`~reports.proposal.data.ProposalData` and a language and
adds its parts to a :class:`~reports.proposal.document.Paper`; every word comes from
:mod:`reports.proposal.wording` and every metric's label from :mod:`model.metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from model.levers import Lever, LeverKind
from model.metrics import NATIONAL, beyond_noise, fewer_is_better, label
from reports.formatting import DASH, format_count, format_parameter
from reports.proposal import wording as w
from reports.proposal._formatting import amount, estimate, ringgit, whole_or_count
from reports.proposal.charts import cost_chart, option_chart
from reports.proposal.data import CostLine, ProposalData
from reports.proposal.document import SMALL_PT, Paper
from reports.proposal.wording import Language

OUTCOME_TABLE_PT = 8.2


def outcome_sentence(metric: str, difference: float, low: float, high: float, option: str,
                     language: Language) -> str:
    """One plain sentence on this plan against ``option`` for ``metric``.

    Parameters
    ----------
    metric : str
        A metric of the catalogue (:mod:`model.metrics`).
    difference, low, high : float
        The paired difference (this plan minus the option) and its 95 % interval.
    option : str
        The option compared with (``status_quo``...).
    language : {"en", "ms"}
        The sentence's language.

    Returns
    -------
    str
        The verdict is "beyond noise" when the interval excludes zero; only then does the
        sentence say whether the plan is better or worse (fewer is better for lapses).
    """
    if difference == 0:
        direction = w.SAME(language)
    else:
        direction = (w.MORE if difference > 0 else w.FEWER)(language)
    verdict = w.WITHIN(language)
    if beyond_noise(low, high):
        better = (difference < 0) if fewer_is_better(metric) else (difference > 0)
        verdict = w.VERDICT.format(language, better_or_worse=(w.BETTER if better else w.WORSE)(
            language), noise=w.BEYOND(language))
    decimals = 0 if abs(difference) >= 10 else 1
    return w.SENTENCE.format(
        language, label=label(metric, language),
        amount=format_count(abs(difference), decimals), direction=direction,
        option=w.describe_option(option, language), low=format_count(low, decimals),
        high=format_count(high, decimals), verdict=verdict)


def _envelope_phrase(data: ProposalData, language: Language) -> str:
    if data.budget_rm is None:
        return ringgit(data.total_rm)
    return w.ENVELOPE.format(language, total=ringgit(data.total_rm),
                             envelope=ringgit(data.budget_rm))


def _quantity(lines: Sequence[CostLine], kind: LeverKind) -> float:
    return sum(line.quantity for line in lines if line.lever.kind is kind)


def _plan_parts(data: ProposalData, language: Language) -> list[str]:
    """What the money buys, as the purpose lists it: new posts, moves, places, a line..."""
    parts = [w.NEW_POSTS.format(language, n=whole_or_count(line.quantity),
                                rank=w.RANK_ADJECTIVES[str(line.lever.rank)](language))
             for line in data.lines
             if line.lever.kind is LeverKind.NEW_POSTS_SALARY and line.quantity > 0]
    for kind, phrase in ((LeverKind.POSTS_MOVED, w.MOVED),
                         (LeverKind.COURSE_PLACES, w.PLACES)):
        if total := _quantity(data.lines, kind):
            parts.append(phrase.format(language, n=whole_or_count(total)))
    parts += [w.BANDWIDTH.format(language, mbps=whole_or_count(line.quantity))
              for line in data.lines if line.lever.kind is LeverKind.LINE and line.total_rm > 0]
    if campaigns := _quantity(data.lines, LeverKind.CAMPAIGNS):
        parts.append(w.CAMPAIGNS.format(language, n=whole_or_count(campaigns)))
    return parts


def _title_block(paper: Paper, data: ProposalData, language: Language) -> None:
    """The paper's title and the line that says which run its numbers come from."""
    paper.title_block(paper.title, w.SUBTITLE.format(
        language, name=data.scenario.get("name", DASH), reps=data.run.get("replications", DASH),
        seed=data.run.get("seed", DASH),
        finished=w.long_date(data.run.get("finished_at", DASH), language)))


def _purpose(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 1: what is asked for, and what it pays for."""
    paper.heading(w.PURPOSE(language))
    paper.paragraph(w.PURPOSE_TEXT.format(language, total=ringgit(data.total_rm),
                                          period=data.period,
                                          total_of_envelope=_envelope_phrase(data, language)))
    parts = _plan_parts(data, language)
    posts = data.plan.get("total_posts")
    if parts and posts is not None:
        paper.paragraph(w.PAYS_FOR.format(language, parts=w.join_words(parts, language),
                                          posts=whole_or_count(float(posts))))


def _background(paper: Paper, language: Language) -> None:
    """Section 2: the published facts the case rests on, each with its source."""
    paper.heading(w.BACKGROUND(language))
    paper.paragraph(w.BACKGROUND_INTRO(language))
    for fact in w.PUBLISHED_FACTS:
        paper.bullet(w.FACT_WITH_SOURCE.format(language, fact=fact.text(language),
                                               source=fact.source))


def _method(paper: Paper, data: ProposalData, language: Language) -> None:
    run = data.run
    paper.paragraph(w.METHOD.format(language, period=data.period, reps=run.get("replications"),
                                    seed=run.get("seed"),
                                    interval=w.interval_words(run.get("interval"), language)))
    plan = data.plan
    if plan:
        gap = plan.get("optimality_gap")
        paper.paragraph(w.SOLVER.format(
            language, status=plan.get("status", DASH), rounds=plan.get("rounds", DASH),
            gap=DASH if gap is None else f"{100 * float(gap):.1f} %",
            stable=(w.STABLE_YES if plan.get("stable") else w.STABLE_NO)(language)))


def _difference(values: dict[str, float], option: str, separator: str = " ") -> str:
    return estimate(values[f"diff_{option}"], values[f"low_{option}"],
                    values[f"high_{option}"], signed=True, separator=separator)


def _outcome_tables(paper: Paper, data: ProposalData, language: Language) -> None:
    """The plan's outcomes against the status quo, then its differences from other options."""
    quo = w.STATUS_QUO if w.STATUS_QUO in data.comparators else None
    headers = [w.OUTCOME(language), w.THIS_PLAN(language),
               w.option_name(w.STATUS_QUO, language)]
    if quo:
        headers.append(w.DIFFERENCE(language))
    rows = []
    for row in data.outcomes.itertuples(index=False):
        cells = [label(str(row.metric), language),
                 estimate(row.mean, row.ci_low, row.ci_high, separator="\n"),
                 estimate(row.sq_mean, row.sq_low, row.sq_high, separator="\n")]
        if quo:
            cells.append(_difference(row._asdict(), quo, separator="\n"))
        rows.append(cells)
    paper.table(headers, rows, "l" + "r" * (len(headers) - 1), size=OUTCOME_TABLE_PT,
                caption=w.OUTCOMES_CAPTION.format(language, period=data.period))
    others = [option for option in data.comparators if option != quo]
    if others:
        rows = [[label(str(row.metric), language),
                 *[_difference(row._asdict(), option) for option in others]]
                for row in data.outcomes.itertuples(index=False)]
        paper.table([w.OUTCOME(language), *[w.option_name(o, language) for o in others]],
                    rows, "l" + "r" * len(others), caption=w.VERSUS_CAPTION(language),
                    size=OUTCOME_TABLE_PT)


def _outcome_sentences(paper: Paper, data: ProposalData, language: Language) -> None:
    for option in data.comparators:
        for row in data.outcomes.itertuples(index=False):
            values = row._asdict()
            if pd.isna(values[f"diff_{option}"]):
                continue
            paper.bullet(outcome_sentence(str(row.metric), values[f"diff_{option}"],
                                          values[f"low_{option}"], values[f"high_{option}"],
                                          option, language))
        paper.space(3)


def _marginal(paper: Paper, data: ProposalData, language: Language) -> None:
    """What one more unit of each lever would add, by the solver and by simulation."""
    marginal = data.marginal
    if marginal is None or marginal.empty:
        return
    units = ", ".join(w.describe_unit(str(unit), language)
                      for unit in dict.fromkeys(marginal["unit"].dropna()))
    rows = [[w.marginal_change(str(row.lever), language),
             w.describe_scope(str(row.scope), data.states, language),
             estimate(row.model_gain),
             DASH if pd.isna(row.extra_cost_rm) else amount(row.extra_cost_rm),
             estimate(row.simulated_gain, row.ci_low, row.ci_high, signed=True)]
            for row in marginal.itertuples(index=False)]
    title = w.MARGINAL_TITLE(language)
    caption = w.WITH_UNITS.format(language, text=title, units=units) if units else title
    paper.table([w.CHANGE(language), w.WHERE(language), w.MODEL_GAIN(language),
                 w.EXTRA_COST(language), w.SIMULATED_GAIN(language)], rows, "llrrr",
                caption=caption)
    paper.paragraph(w.MARGINAL_TEXT(language), "note")


def _justification(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 3: how the plan was found and checked, and what it is expected to achieve."""
    paper.heading(w.JUSTIFICATION(language))
    _method(paper, data, language)
    _outcome_tables(paper, data, language)
    _outcome_sentences(paper, data, language)
    if not data.options.empty:
        paper.chart(option_chart(data, language),
                    caption=w.CHART_OPTIONS.format(language, period=data.period))
    _marginal(paper, data, language)


def _line_item(line: CostLine, data: ProposalData, language: Language) -> str:
    item = w.describe_lever(line.lever, language)
    if line.scope != NATIONAL:
        item += f" ({w.describe_scope(line.scope, data.states, language)})"
    return item


def _cost_lines_table(paper: Paper, data: ProposalData, language: Language) -> None:
    rows = [[w.describe_category(line.category, language), _line_item(line, data, language),
             f"{whole_or_count(line.quantity)} {w.describe_unit(line.unit, language)}",
             amount(line.one_off_rm), amount(line.recurring_rm), amount(line.total_rm)]
            for line in data.lines if round(line.total_rm) != 0]
    footer = [[w.TOTAL_ROW(language), "", "", amount(data.one_off_rm),
               amount(data.recurring_rm), amount(data.total_rm)]]
    paper.table([w.CATEGORY(language), w.ITEM(language), w.QUANTITY(language),
                 w.ONE_OFF(language), w.RECURRING(language), w.TOTAL(language)], rows,
                "llrrrr", footer=footer, caption=w.COST_LINES(language))


def _by_year_table(paper: Paper, data: ProposalData, language: Language) -> None:
    rows = []
    for year in data.years:
        one_off = data.one_off_rm if year == data.years[0] else 0.0
        total = sum(line.by_year_rm[year] for line in data.lines)
        rows.append([str(year), amount(one_off), amount(total - one_off), amount(total)])
    footer = [[w.TOTAL_ROW(language), amount(data.one_off_rm), amount(data.recurring_rm),
               amount(data.total_rm)]]
    if data.budget_rm is not None:
        footer += [[w.ENVELOPE_ROW(language), "", "", amount(data.budget_rm)],
                   [w.REMAINING_ROW(language), "", "", amount(data.budget_rm - data.total_rm)]]
    paper.table([w.YEAR(language), w.ONE_OFF(language), w.RECURRING(language),
                 w.TOTAL(language)], rows, "lrrr", footer=footer, caption=w.BY_YEAR(language))


def _posts_column(lever: Lever) -> Lever:
    """The column a place's line counts under: posts by rank, whatever the HQ team."""
    return Lever(LeverKind.POSTS, rank=lever.rank) if lever.kind is LeverKind.POSTS else lever


def _posts_table(paper: Paper, data: ProposalData, language: Language) -> None:
    """Posts by rank and place, trained officers and campaigns: the plan's non-money lines."""
    cells: dict[str, dict[Lever, float]] = {}
    columns: list[Lever] = []
    for line in data.lines:
        if line.scope == NATIONAL:
            continue
        place = (w.TEAMS[line.lever.team](language) if line.lever.team
                 else w.describe_scope(line.scope, data.states, language))
        column = _posts_column(line.lever)
        if column not in columns:
            columns.append(column)
        row = cells.setdefault(place, {})
        row[column] = row.get(column, 0.0) + line.quantity
    if not cells:
        return
    headers = [w.STATE(language)]
    for column in columns:
        words = w.describe_lever(column, language)
        headers.append(words[:1].upper() + words[1:])
    rows = [[place, *[whole_or_count(values[c]) if c in values else DASH for c in columns]]
            for place, values in cells.items()]
    totals = [w.TOTAL_ROW(language),
              *[whole_or_count(sum(v.get(c, 0.0) for v in cells.values())) for c in columns]]
    paper.table(headers, rows, "l" + "r" * len(columns), footer=[totals],
                caption=w.POSTS_BY_STATE(language))


def _financial(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 4: the cost, one-off and recurring, by line and by year, and what it places."""
    paper.heading(w.FINANCIAL(language))
    remaining = DASH if data.budget_rm is None else ringgit(data.budget_rm - data.total_rm)
    paper.paragraph(w.FINANCIAL_TEXT.format(
        language, total_of_envelope=_envelope_phrase(data, language), remaining=remaining,
        one_off=ringgit(data.one_off_rm), recurring=ringgit(data.recurring_rm),
        first_year=data.years[0]))
    _cost_lines_table(paper, data, language)
    _by_year_table(paper, data, language)
    paper.chart(cost_chart(data, language))
    _posts_table(paper, data, language)


def _recommendation(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 5: the decision asked for, and how the plan will be reviewed."""
    paper.heading(w.RECOMMENDATION(language))
    paper.paragraph(w.RECOMMENDATION_TEXT.format(
        language, total=ringgit(data.total_rm), period=data.period,
        one_off=ringgit(data.one_off_rm), recurring=ringgit(data.recurring_rm),
        envelope=DASH if data.budget_rm is None else ringgit(data.budget_rm)))


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
    _justification(paper, data, language)
    _financial(paper, data, language)
    _recommendation(paper, data, language)
    _appendix(paper, data, language)
    return paper
