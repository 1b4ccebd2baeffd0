"""Part of section 3: how the plan was chosen, and what its certificate and regret say.

The optimiser proposed candidates; a ranking-and-selection procedure chose among them
in the simulation; fresh replications, never used for choosing, give every figure of the
paper; the certificate says which checks the choice passed, and the regret table how
the finalists fare under every explanation of the history and every demand level.  All
of it is read from the run folder (``candidates.csv``, ``certificate.csv``,
``regret.csv``, ``run.json``) through :mod:`reports.choice`; a run written before those
files gets the simplified model's promise and a note saying what is missing.  In reverse
mode (a target of actioned tip-offs) the part gives the run's sentence on the target and
each plan tried.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from model.levers import LeverKind
from model.metrics import HQ, METRICS
from reports import choice
from reports.formatting import DASH, PERCENT_SIGN, format_count, format_percent
from reports.proposal import wording as w
from reports.proposal import wording_choice as wc
from reports.proposal import wording_plan as wp
from reports.proposal._formatting import estimate
from reports.proposal.data import ProposalData
from reports.proposal.document import Paper
from reports.proposal.terms import objective_weights
from reports.proposal.tradeoffs import metric_words, value_text
from reports.proposal.wording import Language

NEIGHBOUR_SOURCE = "neighbour of "
RUNG_NAME = re.compile(r"cheapest_giving_(?P<times>[0-9.]+)x_(?P<metric>\w+)")
"""A rung of the optimiser's ladder (``solvers.candidates.rung_name``)."""
NAMED_SOURCE = "named plan"


def share_text(share: float) -> str:
    """A threshold share as few digits as it needs: ``0.95`` -> ``"95 %"``."""
    return f"{100 * share:.3g}{PERCENT_SIGN}"


def objective_unit(data: ProposalData, language: Language) -> str:
    """What the objective counts: a single metric's words, else "units of the objective"."""
    weights = objective_weights(data)
    if len(weights) == 1:
        return metric_words(next(iter(weights)), language)
    return wc.OBJECTIVE_UNITS(language) if weights else metric_words("actioned", language)


def candidate_words(name: str, language: Language, chosen: str | None = None) -> str:
    """A candidate's name in words: "this plan", "the model's best plan", "pilot plan 1"."""
    if name == chosen:
        return w.describe_option(w.OPTIMISED, language)
    if name in wc.CANDIDATE_NAMES:
        return wc.CANDIDATE_NAMES[name](language)
    if name in w.OPTIONS_IN_SENTENCE:
        return w.describe_option(name, language)
    for pattern, phrase in (("next_best_", wc.NEXT_BEST), ("pilot_", wc.PILOT)):
        number = name.removeprefix(pattern)
        if number != name and number.isdigit():
            return phrase.format(language, n=number)
    rung = RUNG_NAME.fullmatch(name)
    if rung:
        return wc.RUNG.format(language, times=rung["times"],
                              metric=metric_words(rung["metric"], language))
    return name


def finalist_words(name: str, data: ProposalData, language: Language,
                   mark_best: bool = True) -> str:
    """A candidate in words, as :func:`candidate_words`, knowing the run's candidates.

    A neighbour is "a plan one change from" the plan it came from, never a raw name; KN's
    own choice, where another plan was chosen, is marked "the selection's best" unless
    ``mark_best`` is False.
    """
    candidates = data.candidates
    chosen = choice.chosen_candidate(candidates)
    words = candidate_words(name, language, chosen)
    if words == name and candidates is not None:
        source = candidates.loc[candidates["candidate"] == name, "source"]
        if len(source) and str(source.iloc[0]).startswith(NEIGHBOUR_SOURCE):
            base = str(source.iloc[0]).removeprefix(NEIGHBOUR_SOURCE)
            words = wc.ONE_CHANGE_FROM.format(language,
                                              base=candidate_words(base, language, chosen))
    if mark_best and name != chosen and name == choice.selection_best(candidates):
        words = wc.SELECTION_BEST.format(language, plain=words)
    return words


def _other_chosen(data: ProposalData, language: Language) -> str:
    """Why the plan chosen is not KN's own best, and which cheaper equals were set aside."""
    best = choice.selection_best(data.candidates)
    if best is None:
        return ""
    why = wc.WHY_CHEAPER if choice.chosen_as_cheaper(data.candidates) else wc.WHY_ROBUST
    sentences = [wc.OTHER_CHOSEN.format(
        language, best=finalist_words(best, data, language, mark_best=False),
        why=why(language))]
    worst = choice.worst_regrets(data.regret)
    for name in choice.set_aside(data.candidates):
        if name in worst and worst[name].behind:
            sentences.append(wc.SET_ASIDE_TEXT.format(
                language, name=_capital(finalist_words(name, data, language)),
                case=_case(worst[name], language), share=_regret_share(worst[name], language)))
    return " ".join(sentences)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def hypothesis_words(name: str, language: Language) -> str:
    """A shipped hypothesis's name explained: " (downloads held down by ..., raids by ...)"."""
    parts = name.split("-")
    if len(parts) != 2 or not all(part in wc.HYPOTHESIS_PARTS for part in parts):
        return ""
    return " (" + ", ".join(wc.HYPOTHESIS_PARTS[part](language) for part in parts) + ")"


# ---------------------------------------------------------------------------------------
# Candidates, the procedure, fresh replications and the promise
# ---------------------------------------------------------------------------------------


def _sources(candidates: Any, language: Language) -> str:
    """Where the candidates came from, in words, with how many from each."""
    parts = []
    for source, count in choice.source_counts(candidates).items():
        if source == NAMED_SOURCE:
            names = [candidate_words(str(name), language) for name in
                     candidates.loc[candidates["source"] == source, "candidate"]]
            parts.append(wc.SOURCES[source].format(language, n=count,
                                                   names=w.join_words(names, language)))
        elif source.startswith(NEIGHBOUR_SOURCE):
            base = candidate_words(source.removeprefix(NEIGHBOUR_SOURCE), language)
            parts.append(wc.NEIGHBOURS_OF.format(language, n=count, base=base))
        elif source in wc.SOURCES:
            parts.append(wc.SOURCES[source].format(language, n=count))
        else:
            parts.append(wc.SOURCE_OTHER.format(language, n=count, source=source))
    return w.join_words(parts, language)


def _selection(paper: Paper, data: ProposalData, language: Language) -> None:
    """The candidates, those screened out, and the procedure that chose among the rest."""
    candidates = data.candidates
    if candidates is None or candidates.empty:
        return
    paper.paragraph(wc.CANDIDATES_TEXT.format(language, n=len(candidates),
                                              sources=_sources(candidates, language)))
    screened = choice.screened_out(candidates)
    if len(screened):
        paper.paragraph(wc.SCREENED.format(language, n=len(screened),
                                           replications=int(screened["replications"].max())))
    checks = {check.kind: check for check in choice.checks(data.certificate)}
    zone = checks.get("indifference_zone")
    if zone is None:
        return
    entered = candidates.drop(screened.index)
    settings = choice.selection_settings(data.run)
    probability = checks["probability_of_correct_selection"].threshold \
        if "probability_of_correct_selection" in checks else settings.get("probability")
    paper.paragraph(wc.PROCEDURE.format(
        language, n=len(entered),
        probability=DASH if probability is None else share_text(float(probability)),
        delta=format_count(zone.value), unit=objective_unit(data, language),
        share=share_text(zone.threshold), total=f"{int(entered['replications'].sum()):,}"))
    other = _other_chosen(data, language)
    if other:
        paper.paragraph(other)


def _fresh(paper: Paper, data: ProposalData, language: Language) -> None:
    fresh = data.plan.get("fresh_replications")
    if not isinstance(fresh, list) or len(fresh) != 2:
        return
    first, last = int(fresh[0]), int(fresh[1])
    paper.paragraph(wc.FRESH.format(language, reps=last - first + 1, first=f"{first:,}",
                                    last=f"{last:,}"))


def _promise_figures(data: ProposalData, language: Language
                     ) -> tuple[float, float, str, str] | None:
    """The promise, the simulated value (with its interval where known) and their unit.

    From the certificate's ``surrogate_gap`` on the objective; for a run written before
    it, the promise of actioned tip-offs beside the simulated ones.
    """
    gap = next((c for c in choice.checks(data.certificate) if c.kind == "surrogate_gap"), None)
    promised = data.plan.get("surrogate_objective")
    outcomes = data.outcomes
    if gap is not None and promised is not None and choice.finite(gap.value):
        weights = objective_weights(data)
        simulated = float(promised) * (1 + gap.value)
        text = format_count(simulated)
        own = outcomes[outcomes["metric"] == next(iter(weights))] \
            if len(weights) == 1 and len(outcomes) else outcomes.iloc[:0]
        if len(own):
            row = own.iloc[0]
            text = estimate(simulated, float(row["ci_low"]), float(row["ci_high"]))
        return float(promised), simulated, text, objective_unit(data, language)
    promised = data.plan.get("surrogate_actioned")
    own = outcomes[outcomes["metric"] == "actioned"] if len(outcomes) else outcomes
    if promised is None or own.empty or gap is not None:
        return None
    row = own.iloc[0]
    return (float(promised), float(row["mean"]),
            estimate(float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])),
            w.describe_unit("actioned tip-offs", language))


def _promise(paper: Paper, data: ProposalData, language: Language) -> None:
    """The simplified model's promise beside what the simulation gives."""
    figures = _promise_figures(data, language)
    if figures is None:
        return
    promised, simulated, text, unit = figures
    share = 1 - simulated / promised if promised else math.nan
    difference = DASH if math.isnan(share) else (w.SHORTFALL if share >= 0 else w.EXCESS).format(
        language, share=format_percent(abs(share)))
    paper.paragraph(wc.PROMISE.format(language, promised=format_count(promised), objective=unit,
                                      simulated=text, difference=difference))


# ---------------------------------------------------------------------------------------
# The certificate
# ---------------------------------------------------------------------------------------


def check_label(check: choice.Check, data: ProposalData, language: Language) -> str:
    """A check as the certificate's table names it."""
    if check.kind == choice.SERVICE_LEVEL:
        return wc.SERVICE_CHECK.format(
            language, label=metric_words(check.metric, language),
            scope=w.describe_scope(check.scope, data.states, language))
    phrase = wc.CHECKS.get(check.kind)
    return phrase(language) if phrase else check.name


def _in_units(value: float, data: ProposalData, language: Language,
              decimals: int | None = None) -> str:
    return wc.WITH_UNIT.format(language, value=format_count(value, decimals),
                               unit=objective_unit(data, language))


def _metric_value(check: choice.Check, value: float) -> str:
    unit = METRICS[check.metric].unit if check.metric in METRICS else ""
    return value_text(value, unit)


def check_value(check: choice.Check, data: ProposalData, language: Language) -> str:
    """A check's value in words and numbers: counts, percentages, never a bare float."""
    value, kind = check.value, check.kind
    if kind == "probability_of_correct_selection":
        return wc.NOT_REACHED(language) if math.isnan(value) else share_text(value)
    if kind == "worst_regret" and math.isinf(value):
        return wc.NO_GAIN(language)
    if math.isnan(value):
        return wc.NO_NEIGHBOUR(language) if kind == "best_neighbour_improvement_bound" \
            else wc.NOT_MEASURED(language)
    if kind in ("indifference_zone", "best_neighbour_improvement_bound"):
        return _in_units(value, data, language,
                         check.decimals if kind == "best_neighbour_improvement_bound" else None)
    if kind in ("surrogate_gap", "worst_regret"):
        return format_percent(value)
    if kind == choice.SERVICE_LEVEL:
        return _metric_value(check, value)
    return f"{value:,.4g}"


def check_threshold(check: choice.Check, data: ProposalData, language: Language) -> str:
    """A check's threshold as what it asks: "at least 95 %", "within ±10 %"."""
    threshold, kind = check.threshold, check.kind
    if math.isnan(threshold):
        return DASH
    if kind == "probability_of_correct_selection":
        return wc.AT_LEAST.format(language, value=share_text(threshold))
    if kind == "indifference_zone":
        return wc.OF_BEST_MEAN.format(language, share=share_text(threshold))
    if kind == "best_neighbour_improvement_bound":
        return wc.AT_MOST.format(language, value=_in_units(threshold, data, language,
                                                           check.decimals))
    if kind == "surrogate_gap":
        return wc.WITHIN.format(language, value=share_text(threshold))
    if kind == "worst_regret":
        return wc.AT_MOST.format(language, value=share_text(threshold))
    if kind == choice.SERVICE_LEVEL:
        return wc.AT_LEAST.format(language, value=_metric_value(check, threshold))
    return f"{threshold:,.4g}"


def failed_words(check: choice.Check, data: ProposalData, language: Language) -> str:
    """A failed check as the sentence naming the failed checks names it."""
    if check.kind == choice.SERVICE_LEVEL:
        return wc.FAILED_SERVICE.format(
            language, label=metric_words(check.metric, language),
            scope=w.describe_scope(check.scope, data.states, language))
    phrase = wc.FAILED_NAMES.get(check.kind)
    if phrase is None:
        return check.name
    threshold = DASH if math.isnan(check.threshold) else share_text(check.threshold)
    return phrase.format(language, threshold=threshold)


def certificate_sentence(data: ProposalData, language: Language) -> str:
    """The plain sentence on the certificate: every check passed, or each that failed."""
    failed = [check for check in choice.checks(data.certificate) if not check.passed]
    if not failed:
        return wc.CERTIFIED(language)
    return wc.NOT_CERTIFIED.format(language, checks=w.join_words(
        [failed_words(check, data, language) for check in failed], language))


def _certificate(paper: Paper, data: ProposalData, language: Language) -> None:
    """The certificate as a table, then the sentence saying whether it passed."""
    checks = choice.checks(data.certificate)
    if data.certificate is None:
        paper.paragraph(wp.ABSENT_FILE.format(language, file="certificate.csv"), "note")
        return
    if not checks:
        return
    rows = [[check_label(check, data, language), check_value(check, data, language),
             check_threshold(check, data, language),
             (wc.PASSED if check.passed else wc.FAILED)(language)] for check in checks]
    paper.table([wc.CHECK(language), w.VALUE(language), wc.THRESHOLD(language),
                 wc.RESULT(language)], rows, "llll", caption=wc.CERTIFICATE_CAPTION(language))
    paper.paragraph(certificate_sentence(data, language))
    if any(check.kind == choice.SERVICE_LEVEL for check in checks):
        paper.paragraph(wc.CERTIFICATE_NOTE(language), "note")


# ---------------------------------------------------------------------------------------
# Regret across explanations and demand, and the most robust finalist
# ---------------------------------------------------------------------------------------


def _regret_share(worst: choice.WorstRegret, language: Language) -> str:
    if not worst.behind:
        return DASH
    return wc.NO_GAIN_THERE(language) if math.isinf(worst.regret_of_gain) \
        else format_percent(worst.regret_of_gain)


def _case(worst: choice.WorstRegret, language: Language) -> str:
    if not worst.behind:
        return wc.NEVER_BEHIND(language)
    demand = wc.DEMANDS.get(worst.demand)
    return wc.CASE.format(language, hypothesis=worst.hypothesis,
                          demand=demand(language) if demand else worst.demand)


def regret_rows(data: ProposalData, language: Language) -> list[list[str]]:
    """A row per finalist: its worst case, its shortfall there and its share of its gain."""
    chosen = choice.chosen_candidate(data.candidates)
    worst = choice.worst_regrets(data.regret)
    order = sorted(worst, key=lambda name: name != chosen)  # this plan first
    return [[_capital(finalist_words(name, data, language)), _case(worst[name], language),
             format_count(worst[name].shortfall) if worst[name].behind else DASH,
             _regret_share(worst[name], language)] for name in order]


def worst_of_plan(data: ProposalData, language: Language) -> str:
    """What the choice depends on: this plan's worst case, or that it is never behind."""
    chosen = choice.chosen_candidate(data.candidates)
    worst = choice.worst_regrets(data.regret).get(chosen or "")
    if worst is None:
        return ""
    if not worst.behind:
        return wc.NEVER_BEHIND_PLAN(language)
    share = wc.NO_PLAN_GAIN(language) if math.isinf(worst.regret_of_gain) else \
        wc.SHARE_OF_PLAN_GAIN.format(language, share=format_percent(worst.regret_of_gain))
    demand = wc.DEMANDS.get(worst.demand)
    return wc.WORST_OF_PLAN.format(
        language, hypothesis=worst.hypothesis,
        description=hypothesis_words(worst.hypothesis, language),
        demand=demand(language) if demand else worst.demand,
        leader=finalist_words(worst.leader, data, language),
        shortfall=format_count(worst.shortfall), unit=objective_unit(data, language),
        share=share)


def _threshold(data: ProposalData) -> float:
    check = next((c for c in choice.checks(data.certificate) if c.kind == "worst_regret"),
                 None)
    if check is not None and not math.isnan(check.threshold):
        return check.threshold
    return float(choice.selection_settings(data.run).get("worst_regret_share", math.nan))


def _verdict_on_regret(data: ProposalData, language: Language) -> str:
    """Whether the choice depends on the explanation, and which finalist is most robust."""
    chosen = choice.chosen_candidate(data.candidates)
    worst = choice.worst_regrets(data.regret)
    if chosen not in worst or not worst[chosen].behind:
        return ""
    threshold = _threshold(data)
    words = DASH if math.isnan(threshold) else share_text(threshold)
    if worst[chosen].regret_of_gain <= threshold:
        return wc.WITHIN_THRESHOLD.format(language, threshold=words)
    robust = choice.most_robust(worst)
    if not data.plan.get("most_robust") or robust in (None, chosen):
        return wc.SAME_MOST_ROBUST.format(language, threshold=words)
    return wc.MOST_ROBUST_TEXT.format(language, threshold=words,
                                      name=finalist_words(str(robust), data, language),
                                      worst=_regret_share(worst[str(robust)], language))


def _regret(paper: Paper, data: ProposalData, language: Language) -> None:
    """The regret table, what the choice depends on, and the most robust plan beside."""
    regret = data.regret
    if regret is None or regret.empty:
        recorded = str(data.plan.get("depends_on") or "")
        if recorded:
            paper.paragraph(wc.DEPENDS_ON_RECORDED.format(
                language, sentence=choice.plain_note(recorded)))
        return
    reps = choice.procedure_settings(data.run).get("regret_replications", DASH)
    paper.paragraph(wc.REGRET_TEXT.format(
        language, n=len(choice.worst_regrets(regret)),
        hypotheses=len(choice.hypotheses(regret)), reps=reps))
    unit = objective_unit(data, language)
    paper.table([wc.FINALIST(language), wc.WORST_CASE(language),
                 wc.SHORT_OF_BEST.format(language, unit=unit), wc.SHARE_OF_GAIN(language)],
                regret_rows(data, language), "llrl", caption=wc.REGRET_CAPTION(language))
    sentences = [worst_of_plan(data, language), _verdict_on_regret(data, language)]
    if any(sentences):
        paper.paragraph(" ".join(s for s in sentences if s))
    robust = data.plan.get("most_robust")
    if isinstance(robust, Mapping):
        _robust_table(paper, data, robust, language)


def _post_label(key: str, data: ProposalData, language: Language) -> str:
    """``"SGR.officers"`` or ``"hq.download_team.officers"`` as a row of the table."""
    parts = key.split(".")
    rank = w.RANK_POSTS.get(parts[-1])
    rank_words = rank(language) if rank else parts[-1]
    if parts[0] == HQ and len(parts) == 3:
        team = w.TEAMS.get(parts[1])
        return f"{team(language) if team else parts[1]}: {rank_words}"
    return f"{w.describe_scope(parts[0], data.states, language)}: {rank_words}"


def _plan_posts(data: ProposalData) -> dict[str, int]:
    posts = {}
    for count in data.posts:
        key = f"{count.site}.{count.team}.{count.rank}" if count.team else \
            f"{count.site}.{count.rank}"
        posts[key] = count.after
    return posts


def _line_words(mbps: Any, language: Language) -> str:
    if mbps is None or (isinstance(mbps, float) and math.isnan(mbps)) or not mbps:
        return wc.UNCHANGED_LINE(language)
    return wc.MBPS.format(language, mbps=format_count(float(mbps), 0))


def _tools_words(tooling: Any, language: Language) -> str:
    if not isinstance(tooling, Mapping) or not any(tooling.values()):
        return wc.NONE(language)
    phrases = w.TOOLS
    return "; ".join(phrases[f"tooling.{tool}"](language) if f"tooling.{tool}" in phrases
                     else str(tool) for tool, count in tooling.items() if count)


def _robust_table(paper: Paper, data: ProposalData, robust: Mapping[str, Any],
                  language: Language) -> None:
    """The plan's levers beside the most robust finalist's, where they differ."""
    ours = _plan_posts(data)
    theirs = {str(k): int(v) for k, v in (robust.get("posts") or {}).items()}
    rows = [[wc.POSTS_IN_ALL(language), str(sum(ours.values())),
             str(robust.get("total_posts", DASH))]]
    rows += [[_post_label(key, data, language), str(ours.get(key, DASH)), str(theirs[key])]
             for key in dict.fromkeys([*ours, *theirs])
             if key in theirs and ours.get(key) != theirs[key]]
    line = next((line.quantity for line in data.lines if line.lever.kind is LeverKind.LINE),
                None)
    rows.append([wc.LINE_ROW(language), _line_words(line, language),
                 _line_words(robust.get("line_mbps"), language)])
    rows.append([wc.TOOLS_ROW(language), _tools_words(data.plan.get("tooling"), language),
                 _tools_words(robust.get("tooling"), language)])
    paper.table(["", w.THIS_PLAN(language), wc.MOST_ROBUST(language)], rows, "lrr",
                caption=wc.ROBUST_CAPTION(language))


# ---------------------------------------------------------------------------------------
# Reverse mode and the whole part
# ---------------------------------------------------------------------------------------


def _target(paper: Paper, data: ProposalData, target: Mapping[str, Any],
            language: Language) -> None:
    """The run's sentence on the target, and each plan it checked against it."""
    fresh = data.plan.get("fresh_replications") or [0, -1]
    paper.paragraph(wc.TARGET_TEXT.format(language, reps=int(fresh[1]) - int(fresh[0]) + 1,
                                          sentence=str(target.get("sentence", DASH))))
    candidates = data.candidates
    if candidates is None or candidates.empty:
        return
    rows = []
    for row in candidates.itertuples(index=False):
        result = wc.TARGET_RESULTS.get(str(row.note))
        rows.append([str(row.candidate).replace("_", " "), format_count(row.promised),
                     estimate(row.objective_mean, row.ci_low, row.ci_high),
                     result(language) if result else str(row.note)])
    paper.table([wc.PLAN_TRIED(language), wc.PROMISED(language),
                 wc.ACTIONED_SIMULATED(language), wc.RESULT(language)], rows, "lrrl",
                caption=wc.TARGET_CAPTION(language))


def how_the_plan_was_chosen(paper: Paper, data: ProposalData, language: Language) -> None:
    """The part of the justification on how the plan was chosen, and how far to trust it."""
    paper.subheading(wc.CHOICE_HEADING(language))
    target = data.plan.get("target")
    if isinstance(target, Mapping):
        _target(paper, data, target, language)
        _promise(paper, data, language)
        return
    _selection(paper, data, language)
    _fresh(paper, data, language)
    _promise(paper, data, language)
    _certificate(paper, data, language)
    _regret(paper, data, language)

