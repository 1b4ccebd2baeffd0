"""Section 3 of the paper: how the plan was found and checked, and what it achieves.

The simulation chose the plan among the optimiser's candidates, and fresh replications
give the paper's figures: how it was chosen, its certificate and its regret are stated
(:mod:`reports.proposal.choice`) before its outcomes, and "best" is said only of what the
simulation showed.  Paired differences read the verdict
of ``paired_diff.csv`` (better, worse, or no meaningful difference, by the one rule of
``model.metrics``) where the run wrote one, and say "beyond noise" or "within noise" from
the 95 % interval where it did not.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.metrics import BETTER, METRICS, NATIONAL, beyond_noise, fewer_is_better, label
from reports.formatting import DASH, PERCENT_SIGN, format_count, is_share
from reports.outcomes import ACTIONED
from reports.proposal import wording as w
from reports.proposal import wording_plan as wp
from reports.proposal._formatting import amount, estimate
from reports.proposal.charts import option_chart
from reports.proposal.choice import how_the_plan_was_chosen
from reports.proposal.data import ProposalData
from reports.proposal.document import Paper
from reports.proposal.terms import objective_weights
from reports.proposal.tradeoffs import (
    binding_constraints,
    frontier,
    objective_and_service_levels,
    objective_words,
    value_text,
)
from reports.proposal.wording import Language

OUTCOME_TABLE_PT = 8.2
SMALL_TABLE_PT = 7.0
"""The per-state table has eight columns of estimates."""
VERDICT_WORDS = {"better": w.BETTER, "worse": w.WORSE,
                 "no meaningful difference": w.NO_MEANINGFUL_DIFFERENCE}
"""The verdicts of ``paired_diff.csv`` in words."""


def _given(value: Any) -> bool:
    return isinstance(value, str) and value in VERDICT_WORDS


def outcome_sentence(metric: str, difference: float, low: float, high: float, option: str,
                     language: Language, verdict: str | None = None) -> str:
    """One plain sentence on this plan against ``option`` for ``metric``.

    Parameters
    ----------
    metric : str
        A metric of the catalogue (:mod:`model.metrics`).
    difference, low, high : float
        The paired difference (this plan minus the option) and its interval: the
        interval adjusted for the metrics compared when ``verdict`` is given, else the
        95 % interval.
    option : str
        The option compared with (``status_quo``...).
    language : {"en", "ms"}
        The sentence's language.
    verdict : str, optional
        ``paired_diff.csv``'s verdict (``better``, ``worse``, ``no meaningful
        difference``); without it, the sentence says "beyond noise" when the interval
        excludes zero (and then whether the plan is better or worse), else "within noise".

    Returns
    -------
    str
        The sentence.
    """
    share = is_share(METRICS[metric].unit) if metric in METRICS else False
    if share:
        direction = (wp.HIGHER if difference > 0 else wp.LOWER)(language)
    else:
        direction = (w.MORE if difference > 0 else w.FEWER)(language)
    scale, decimals = (100.0, 1) if share else (1.0, 0 if abs(difference) >= 10 else 1)
    amount_text = format_count(abs(difference) * scale, decimals)
    fields = {"label": label(metric, language),
              "amount": f"{amount_text} {wp.POINTS(language)}" if share else amount_text,
              "direction": direction, "option": w.describe_option(option, language),
              "low": format_count(low * scale, decimals),
              "high": format_count(high * scale, decimals)}
    given = verdict is not None and _given(verdict)
    said = VERDICT_WORDS[str(verdict)](language) if given else w.WITHIN(language)
    if difference == 0:  # "the same as", not "the same as than"
        return wp.SENTENCE_SAME.format(language, verdict=said, label=fields["label"],
                                       option=fields["option"], low=fields["low"],
                                       high=fields["high"])
    if given:
        return w.SENTENCE_ADJUSTED.format(language, verdict=said, **fields)
    if beyond_noise(low, high):
        better = (difference < 0) if fewer_is_better(metric) else (difference > 0)
        said = w.VERDICT.format(language, better_or_worse=(w.BETTER if better else w.WORSE)(
            language), noise=w.BEYOND(language))
    return w.SENTENCE.format(language, verdict=said, **fields)


def _percent(share: float) -> str:
    return f"{100 * share:.3g}{PERCENT_SIGN}"


def _rule(paper: Paper, data: ProposalData, language: Language) -> None:
    """The rule that calls a difference better or worse, beside the verdicts."""
    paired = data.paired
    if not data.has_verdicts:
        paper.paragraph(w.NOISE_RULE(language))
        return
    first = paired["option_b"].iloc[0]
    threshold = paired["threshold_share"].dropna() if "threshold_share" in paired else None
    paper.paragraph(w.VERDICT_RULE.format(
        language, metrics=int((paired["option_b"] == first).sum()),
        threshold=DASH if threshold is None or threshold.empty
        else _percent(float(threshold.iloc[0]))))


def _best_of_compared(paper: Paper, data: ProposalData, language: Language) -> None:
    """Say the plan is the best of those compared only where the simulation showed it.

    "Best" is on the objective's first outcome (actioned tip-offs for a run written
    before objectives were chosen).
    """
    weights = objective_weights(data)
    metric = next(iter(weights)) if weights else ACTIONED
    own = data.outcomes[data.outcomes["metric"] == metric] if len(data.outcomes) \
        else data.outcomes
    if own.empty or not data.comparators:
        return
    row = own.iloc[0].to_dict()

    def better(option: str) -> bool:
        if data.has_verdicts:
            return row.get(f"verdict_{option}") == BETTER
        return beyond_noise(row[f"low_{option}"], row[f"high_{option}"]) \
            and row[f"diff_{option}"] > 0

    if all(better(option) for option in data.comparators):
        options = w.join_words([w.describe_option(o, language) for o in data.comparators],
                               language)
        if weights:
            paper.paragraph(wp.BEST_ON.format(language, options=options,
                                              objective=objective_words(data, language)))
        else:
            paper.paragraph(w.BEST_OF_COMPARED.format(language, options=options))


def _method(paper: Paper, data: ProposalData, language: Language) -> None:
    run = data.run
    paper.paragraph(w.METHOD.format(language, period=data.period, reps=run.get("replications"),
                                    seed=run.get("seed"),
                                    interval=w.interval_words(run.get("interval"), language)))
    how_the_plan_was_chosen(paper, data, language)
    _best_of_compared(paper, data, language)
    _rule(paper, data, language)


def _outcome_label(metric: str, language: Language) -> str:
    text = label(metric, language)
    return wp.ACTIONED_EXPLAINED.format(language, label=text) if metric == ACTIONED else text


def _unit_words(unit: str, language: Language) -> str:
    return "%" if is_share(unit) else w.describe_unit(unit, language)


def _difference(values: dict[str, Any], option: str, language: Language,
                separator: str = " ") -> str:
    return value_text(values[f"diff_{option}"], str(values["unit"]), values[f"low_{option}"],
                      values[f"high_{option}"], signed=True, separator=separator,
                      points=wp.POINTS_SHORT(language))


def _outcome_tables(paper: Paper, data: ProposalData, language: Language) -> None:
    """The plan's outcomes against the status quo, then its differences from other options."""
    quo = w.STATUS_QUO if w.STATUS_QUO in data.comparators else None
    headers = [w.OUTCOME(language), w.UNIT(language), w.THIS_PLAN(language),
               w.option_name(w.STATUS_QUO, language)]
    if quo:
        headers.append(w.DIFFERENCE(language))
    rows = []
    for row in data.outcomes.itertuples(index=False):
        unit = str(row.unit)
        cells = [_outcome_label(str(row.metric), language), _unit_words(unit, language),
                 value_text(row.mean, unit, row.ci_low, row.ci_high, separator="\n"),
                 value_text(row.sq_mean, unit, row.sq_low, row.sq_high, separator="\n")]
        if quo:
            cells.append(_difference(row._asdict(), quo, language, separator="\n"))
        rows.append(cells)
    paper.table(headers, rows, "ll" + "r" * (len(headers) - 2), size=OUTCOME_TABLE_PT,
                caption=w.OUTCOMES_CAPTION.format(language, period=data.period))
    paper.paragraph(wp.OUTCOMES_NOTE(language), "note")
    others = [option for option in data.comparators if option != quo]
    if others:
        rows = [[_outcome_label(str(row.metric), language),
                 *[_difference(row._asdict(), option, language, separator="\n")
                   for option in others]]
                for row in data.outcomes.itertuples(index=False)]
        paper.table([w.OUTCOME(language), *[w.option_name(o, language) for o in others]],
                    rows, "l" + "r" * len(others), caption=w.VERSUS_CAPTION(language),
                    size=OUTCOME_TABLE_PT)


STATE_TABLE_METRICS = ("raids", "arrests", "charges", "closed_after_investigation",
                       "downloaded", "high_risk_examined_within_target",
                       "high_risk_within_target_share")
"""The outcomes the per-state table gives, where the run has them."""


def _states_table(paper: Paper, data: ProposalData, language: Language) -> None:
    """The plan's outcomes in each state (mean and interval), the national row as footer."""
    summary = data.summary
    if summary is None:
        return
    metrics = [m for m in STATE_TABLE_METRICS if m in set(summary["metric"])]
    scopes = [s for s in dict.fromkeys(summary["scope"]) if s != NATIONAL]
    if not metrics or not scopes:
        return
    table = summary.set_index(["scope", "metric"])

    def cells(scope: str) -> list[str]:
        out = []
        for metric in metrics:
            if (scope, metric) not in table.index:
                out.append(DASH)
                continue
            row = table.loc[(scope, metric)]
            out.append(value_text(float(row["mean"]), str(row["unit"]), float(row["ci_low"]),
                                  float(row["ci_high"]), separator="\n"))
        return out

    headers = [w.STATE(language)] + [
        f"{label(m, language)} ({_unit_words(str(table.loc[(NATIONAL, m), 'unit']), language)})"
        if (NATIONAL, m) in table.index else label(m, language) for m in metrics]
    rows = [[str((data.states.get(s) or {}).get("name") or s), *cells(s)] for s in scopes]
    footer = [[w.SCOPES[NATIONAL](language).capitalize(), *cells(NATIONAL)]]
    paper.table(headers, rows, "l" + "r" * len(metrics), footer=footer, size=SMALL_TABLE_PT,
                caption=wp.STATES_CAPTION.format(language, period=data.period))


def _outcome_sentences(paper: Paper, data: ProposalData, language: Language) -> None:
    """A sentence per outcome against the status quo (the others are in the table above)."""
    options = [w.STATUS_QUO] if w.STATUS_QUO in data.comparators else data.comparators[:1]
    for option in options:
        for row in data.outcomes.to_dict("records"):
            if pd.isna(row[f"diff_{option}"]):
                continue
            verdict = row.get(f"verdict_{option}")
            adjusted = _given(verdict) and not pd.isna(row.get(f"adj_low_{option}"))
            low, high = ((row[f"adj_low_{option}"], row[f"adj_high_{option}"]) if adjusted
                         else (row[f"low_{option}"], row[f"high_{option}"]))
            paper.bullet(outcome_sentence(str(row["metric"]), row[f"diff_{option}"], low, high,
                                          option, language, verdict if adjusted else None))
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


def justification(paper: Paper, data: ProposalData, language: Language) -> None:
    """Section 3: how the plan was found and checked, and what it is expected to achieve."""
    paper.heading(w.JUSTIFICATION(language))
    objective_and_service_levels(paper, data, language)
    _method(paper, data, language)
    _outcome_tables(paper, data, language)
    _outcome_sentences(paper, data, language)
    if not data.options.empty:
        paper.chart(option_chart(data, language),
                    caption=w.CHART_OPTIONS.format(language, period=data.period))
    _states_table(paper, data, language)
    binding_constraints(paper, data, language)
    if data.binding is None:
        _marginal(paper, data, language)
    frontier(paper, data, language)
