"""What the proposal says, read from an optimisation run folder: costs, posts and outcomes.

Costs are taken as they are in ``plan.csv``: the optimisation's price list
(``solvers.costs``) has already said which calendar year each cost falls in
(``cost_<year>_rm``), what is paid once (``one_off_rm``, on ``paid_from``) and what
recurs (``recurring_rm_per_year``); the proposal only adds them up.  A line is *bought*
when the plan pays for it (``paid_quantity`` above zero, at a cost); every other line is
something the plan sets or keeps at no new cost, and is never listed among what the money
is for.  Posts before the plan are today's establishment as ``run.json`` records the
scenario; posts after are the plan's, from ``plan.csv``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.levers import RANKS, Category, Lever, LeverKind
from model.metrics import HQ, NATIONAL, PAIRED_COLUMNS
from reports.outcomes import ACTIONED, LEADERSHIP_METRICS
from reports.proposal.wording import OPTIMISED, STATUS_QUO
from reports.run_folder import (
    MARGINAL_CSV,
    PAIRED_DIFF_CSV,
    PLAN_CSV,
    RUN_JSON,
    SUMMARY_CSV,
    option_csv,
    read_binding,
    read_budget,
    read_candidates,
    read_certificate,
    read_frontier,
    read_regret,
)

KEY_METRICS = (*LEADERSHIP_METRICS, ACTIONED, "lapsed")
"""The national outcomes the paper reports, in its order: those leadership reads, then
actioned (raids plus closures on paper, explained where shown) and lapsed."""

CATEGORY_ORDER = tuple(Category)
"""Budget headings in the order the cost lines are listed."""

PLAN_COST_COLUMNS = ("lever", "scope", "quantity", "unit", "cost_rm", "paid_quantity",
                     "unit_one_off_rm", "unit_recurring_rm_per_year", "paid_from",
                     "one_off_rm", "recurring_rm_per_year")
"""The columns of ``plan.csv`` the proposal reads, before its ``cost_<year>_rm`` columns."""
YEAR_COLUMN = re.compile(r"cost_(\d{4})_rm")
BOUGHT_AT_LEAST_RM = 0.5
"""A line paid for that rounds to RM0 is not listed as bought."""
HQ_TEAMS = ("download_team", "forensic_team")


@dataclass(frozen=True)
class CostLine:
    """One row of ``plan.csv``: what it sets, what of it is paid for, and when.

    Attributes
    ----------
    lever : Lever
        What the line buys or sets.
    scope : str
        ``national``, ``hq`` or a state code.
    quantity : float
        How many the plan sets (posts, places, Mbps, campaigns a year).
    unit : str
        The unit of ``quantity`` as ``plan.csv`` writes it.
    paid_quantity : float
        How many are paid for (new posts, places, one line, campaigns beyond today's).
    unit_one_off_rm, unit_recurring_rm_per_year : float
        The price of one: paid once on ``paid_from``, and a year from that day on.
    paid_from : datetime.date or None
        The day the one-off is paid and the recurring cost starts; None if nothing is paid.
    one_off_rm, recurring_rm_per_year : float
        The line's one-off cost (within the horizon) and its yearly rate.
    by_year_rm : dict of int to float
        The cost in each calendar year of the horizon.
    year : int or None
        The calendar year the line starts (posts created, a course, a tool bought):
        ``plan.csv``'s ``year``, else the year of ``paid_from``; None if nothing is paid.
    """

    lever: Lever
    scope: str
    quantity: float
    unit: str
    paid_quantity: float
    unit_one_off_rm: float
    unit_recurring_rm_per_year: float
    paid_from: dt.date | None
    one_off_rm: float
    recurring_rm_per_year: float
    by_year_rm: dict[int, float]
    year: int | None = None

    @property
    def code(self) -> str:
        """The lever as ``plan.csv`` names it."""
        return self.lever.code

    @property
    def category(self) -> Category:
        """The budget heading of the line."""
        return self.lever.category

    @property
    def total_rm(self) -> float:
        """The line's cost over the horizon: the sum of its years."""
        return float(sum(self.by_year_rm.values()))

    @property
    def recurring_rm(self) -> float:
        """The recurring part of the cost over the horizon."""
        return self.total_rm - self.one_off_rm

    @property
    def bought(self) -> bool:
        """Whether the plan pays for the line (it is then listed among what the money buys)."""
        return self.paid_quantity > 0 and self.total_rm >= BOUGHT_AT_LEAST_RM

    def one_off_in(self, year: int) -> float:
        """The one-off part paid in ``year``."""
        paid = self.paid_from is not None and self.paid_from.year == year
        return self.one_off_rm if paid else 0.0


@dataclass(frozen=True)
class PostCount:
    """Posts of one site, team and rank: today's establishment and the plan's.

    Attributes
    ----------
    site : str
        ``hq`` or a state code.
    team : str or None
        ``download_team`` or ``forensic_team`` at HQ; None at a state.
    rank : str
        ``officers`` or ``lower_ranks``.
    before, after : int
        Posts today and under the plan.
    """

    site: str
    team: str | None
    rank: str
    before: int
    after: int


@dataclass(frozen=True)
class ProposalData:
    """Everything the paper and the workbook say, read from one optimisation run folder.

    Attributes
    ----------
    run : dict
        ``run.json``: the scenario, seed, replications, assumptions and the plan's record.
    lines : list of CostLine
        ``plan.csv``, ordered by budget heading.
    years : list of int
        The calendar years of the horizon.
    outcomes : pd.DataFrame
        One row per key metric: ``metric, unit`` and ``mean, ci_low, ci_high`` of this
        plan, ``sq_mean, sq_low, sq_high`` of the status quo, and ``diff_<option>,
        low_<option>, high_<option>`` for each option the plan was paired with, with
        ``verdict_<option>, adj_low_<option>, adj_high_<option>`` where ``paired_diff.csv``
        gives verdicts (NaN where it does not).
    comparators : list of str
        The options the plan was paired with, in ``paired_diff.csv`` order.
    options : pd.DataFrame
        National key metrics of this plan and the other options, for the outcome chart.
    marginal : pd.DataFrame or None
        ``marginal.csv`` when the run wrote it.
    posts : list of PostCount
        Posts before and after by site, team and rank: HQ's teams, then the states.
    paired : pd.DataFrame
        ``paired_diff.csv``'s rows for this plan (every metric compared).
    summary, status_quo : pd.DataFrame or None
        ``summary.csv`` (this plan, national and by state) and ``option_status_quo.csv``.
    budget, frontier, binding : pd.DataFrame or None
        ``budget.csv``, ``frontier.csv`` and ``binding.csv`` (see
        :mod:`reports.run_folder`); None for a run written before them.
    candidates, certificate, regret : pd.DataFrame or None
        ``candidates.csv``, ``certificate.csv`` and ``regret.csv``: how the plan was
        chosen; None for a run written before them.
    """

    run: dict[str, Any]
    lines: list[CostLine]
    years: list[int]
    outcomes: pd.DataFrame
    comparators: list[str]
    options: pd.DataFrame
    marginal: pd.DataFrame | None
    posts: list[PostCount]
    paired: pd.DataFrame
    summary: pd.DataFrame | None = None
    status_quo: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    frontier: pd.DataFrame | None = None
    binding: pd.DataFrame | None = None
    candidates: pd.DataFrame | None = None
    certificate: pd.DataFrame | None = None
    regret: pd.DataFrame | None = None

    @property
    def bought(self) -> list[CostLine]:
        """The lines the money is for."""
        return [line for line in self.lines if line.bought]

    @property
    def total_rm(self) -> float:
        """The plan's cost over the horizon."""
        return float(sum(line.total_rm for line in self.lines))

    @property
    def one_off_rm(self) -> float:
        """The part of the cost paid once."""
        return float(sum(line.one_off_rm for line in self.lines))

    @property
    def recurring_rm(self) -> float:
        """The part of the cost that recurs, over the horizon."""
        return self.total_rm - self.one_off_rm

    def year_rm(self, year: int) -> tuple[float, float]:
        """The one-off and the recurring cost paid in ``year``."""
        total = sum(line.by_year_rm[year] for line in self.lines)
        one_off = sum(line.one_off_in(year) for line in self.lines)
        return one_off, total - one_off

    @property
    def plan(self) -> dict[str, Any]:
        """The optimiser's record of the plan (status, certificate, total posts), if any."""
        return self.run.get("plan") or {}

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario the plan was optimised for."""
        return self.run.get("scenario") or {}

    @property
    def states(self) -> dict[str, Any]:
        """The scenario's states by code."""
        return self.scenario.get("states") or {}

    @property
    def budget_rm(self) -> float | None:
        """The envelope the plan was optimised within, if there was one."""
        optimise = self.scenario.get("optimise") or {}
        budget = self.plan.get("budget_rm", optimise.get("budget_rm"))
        return None if budget is None else float(budget)

    @property
    def recruitment_lag_days(self) -> float | None:
        """Days from the start until a new post is filled, as the scenario estimates it."""
        lag = ((self.scenario.get("staffing") or {}).get("recruitment_lag_days") or {})
        value = lag.get("value")
        return None if value is None else float(value)

    @property
    def start_date(self) -> dt.date:
        """The first day of the horizon."""
        return dt.date.fromisoformat(str(self.scenario["start_date"]))

    @property
    def end_date(self) -> dt.date:
        """The last day of the horizon."""
        return dt.date.fromisoformat(str(self.scenario["end_date"]))

    @property
    def period(self) -> str:
        """The horizon's years, ``"2024–2026"``."""
        return (f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1
                else str(self.years[0]))

    @property
    def has_verdicts(self) -> bool:
        """Whether ``paired_diff.csv`` gives a verdict for each difference."""
        return "verdict" in self.paired.columns and self.paired["verdict"].notna().any()


class PlanFileError(ValueError):
    """``plan.csv`` lacks the columns the proposal needs (a run written before them)."""


def _number(value: Any) -> float:
    return 0.0 if pd.isna(value) else float(value)


def _start_year(year: Any, paid_from: dt.date | None) -> int | None:
    """``plan.csv``'s ``year`` (a column older plans lack), else the year of ``paid_from``."""
    if year is not None and not pd.isna(year) and str(year).strip():
        return int(float(year))
    return None if paid_from is None else paid_from.year


def _year_columns(plan: pd.DataFrame) -> dict[int, str]:
    found = {int(match.group(1)): column for column in plan.columns
             if (match := YEAR_COLUMN.fullmatch(str(column)))}
    return dict(sorted(found.items()))


def cost_lines(plan: pd.DataFrame) -> tuple[list[CostLine], list[int]]:
    """``plan.csv`` as cost lines, ordered by budget heading, and the years of the horizon.

    Parameters
    ----------
    plan : pd.DataFrame
        ``plan.csv``: :data:`PLAN_COST_COLUMNS` and ``cost_<year>_rm`` for each year.

    Returns
    -------
    tuple of (list of CostLine, list of int)
        The lines, and the calendar years their costs fall in.

    Raises
    ------
    PlanFileError
        If ``plan.csv`` lacks a column (a run written before costs were dated by year).
    model.levers.LeverCodeError
        If a lever code of ``plan.csv`` names no lever.
    """
    years = _year_columns(plan)
    missing = [column for column in PLAN_COST_COLUMNS if column not in plan.columns]
    if missing or not years:
        raise PlanFileError(
            f"plan.csv lacks {', '.join(missing) or 'cost_<year>_rm columns'}: it was written "
            "before the optimisation dated each cost by year; run the optimisation again")
    lines = []
    for row in plan.to_dict("records"):
        paid_from = None if pd.isna(row["paid_from"]) or not str(row["paid_from"]) \
            else dt.date.fromisoformat(str(row["paid_from"]))
        lines.append(CostLine(
            Lever.parse(str(row["lever"])), str(row["scope"]), _number(row["quantity"]),
            str(row["unit"]), _number(row["paid_quantity"]), _number(row["unit_one_off_rm"]),
            _number(row["unit_recurring_rm_per_year"]), paid_from, _number(row["one_off_rm"]),
            _number(row["recurring_rm_per_year"]),
            {year: _number(row[column]) for year, column in years.items()},
            _start_year(row.get("year"), paid_from)))
    lines.sort(key=lambda line: CATEGORY_ORDER.index(line.category))
    return lines, list(years)


def _final_posts(group: Mapping[str, Any]) -> int:
    """A staff group's establishment after its last change, as the scenario records it."""
    changes = group.get("changes") or []
    return int(changes[-1]["posts"] if changes else group.get("posts") or 0)


def posts_before_and_after(scenario: Mapping[str, Any],
                           lines: Sequence[CostLine]) -> list[PostCount]:
    """Posts by site, team and rank: today's (from the scenario) and the plan's.

    Parameters
    ----------
    scenario : mapping
        ``run.json``'s ``scenario``: today's establishment.
    lines : sequence of CostLine
        ``plan.csv``'s lines; its posts lines give the plan's establishment (a site or
        team it does not list keeps today's).

    Returns
    -------
    list of PostCount
        HQ's teams (download, then forensic), then the states in the scenario's order.
    """
    after = {(line.scope, line.lever.team, str(line.lever.rank)): int(line.quantity)
             for line in lines if line.lever.kind is LeverKind.POSTS}
    hq = scenario.get("hq") or {}
    counts = []
    for team in HQ_TEAMS:
        for rank in RANKS:
            before = _final_posts((hq.get(team) or {}).get(rank) or {})
            counts.append(PostCount(HQ, team, rank, before,
                                    after.get((HQ, team, rank), before)))
    for code, state in (scenario.get("states") or {}).items():
        for rank in RANKS:
            before = _final_posts(state.get(rank) or {})
            counts.append(PostCount(code, None, rank, before,
                                    after.get((code, None, rank), before)))
    return counts


def _national(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["scope"] == NATIONAL].set_index("metric")


def _read_if_present(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def _value(values: pd.Series | None, column: str) -> Any:
    if values is None or column not in values.index:
        return math.nan
    return values[column]


def _outcome_row(metric: str, own: pd.Series, status_quo: pd.DataFrame | None,
                 paired: pd.DataFrame, comparators: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"metric": metric, "unit": own["unit"], "mean": own["mean"],
                           "ci_low": own["ci_low"], "ci_high": own["ci_high"]}
    quo = status_quo.loc[metric] if status_quo is not None and metric in status_quo.index \
        else None
    for column, source in (("sq_mean", "mean"), ("sq_low", "ci_low"), ("sq_high", "ci_high")):
        row[column] = _value(quo, source)
    for option in comparators:
        match = paired[(paired["option_b"] == option) & (paired["metric"] == metric)]
        values = match.iloc[0] if len(match) else None
        for column, source in (("diff", "mean_diff"), ("low", "ci_low"), ("high", "ci_high"),
                               ("verdict", "verdict"), ("adj_low", "adjusted_ci_low"),
                               ("adj_high", "adjusted_ci_high")):
            row[f"{column}_{option}"] = _value(values, source)
    return row


def _option_files(folder: Path) -> list[tuple[str, Path]]:
    """The options whose summaries the run wrote, by name, in file-name order."""
    # option_csv is the one place that knows the file name; ask it where the name goes.
    prefix, suffix = option_csv("\0").split("\0")
    return [(path.name.removeprefix(prefix).removesuffix(suffix), path)
            for path in sorted(folder.glob(option_csv("*")))]


def _paired(folder: Path) -> pd.DataFrame:
    """``paired_diff.csv``'s rows for this plan (none when the run wrote no such file)."""
    paired = _read_if_present(folder / PAIRED_DIFF_CSV)
    if paired is None:
        paired = pd.DataFrame(columns=PAIRED_COLUMNS)
    return paired[paired["option_a"] == OPTIMISED].reset_index(drop=True)


def _outcomes(folder: Path, paired: pd.DataFrame) -> tuple[pd.DataFrame, list[str],
                                                           pd.DataFrame]:
    summary = _national(pd.read_csv(folder / SUMMARY_CSV))
    quo_frame = _read_if_present(folder / option_csv(STATUS_QUO))
    status_quo = None if quo_frame is None else _national(quo_frame)
    comparators = [str(option) for option in dict.fromkeys(paired["option_b"])]
    outcomes = pd.DataFrame([_outcome_row(metric, summary.loc[metric], status_quo, paired,
                                          comparators)
                             for metric in KEY_METRICS if metric in summary.index])
    charts = [summary.loc[summary.index.isin(KEY_METRICS)].reset_index().assign(
        option=OPTIMISED)]
    for option, path in _option_files(folder):
        other = _national(pd.read_csv(path))
        charts.append(other.loc[other.index.isin(KEY_METRICS)].reset_index().assign(
            option=option))
    return outcomes, comparators, pd.concat(charts, ignore_index=True)


def read_proposal_data(folder: Path) -> ProposalData:
    """Read what a proposal needs from an optimisation run folder.

    Parameters
    ----------
    folder : Path
        The run folder: ``plan.csv``, ``summary.csv`` and ``run.json`` at least;
        ``option_*.csv``, ``paired_diff.csv``, ``budget.csv``, ``frontier.csv``,
        ``binding.csv``, ``candidates.csv``, ``certificate.csv``, ``regret.csv`` and (from
        older runs) ``marginal.csv`` when present.

    Returns
    -------
    ProposalData
        The cost lines, posts, outcomes and run record.

    Raises
    ------
    PlanFileError
        If ``plan.csv`` was written before costs were dated by year.
    """
    run = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
    lines, years = cost_lines(pd.read_csv(folder / PLAN_CSV))
    paired = _paired(folder)
    outcomes, comparators, options = _outcomes(folder, paired)
    marginal = _read_if_present(folder / MARGINAL_CSV)
    posts = posts_before_and_after(run.get("scenario") or {}, lines)
    return ProposalData(run, lines, years, outcomes, comparators, options, marginal, posts,
                        paired, pd.read_csv(folder / SUMMARY_CSV),
                        _read_if_present(folder / option_csv(STATUS_QUO)), read_budget(folder),
                        read_frontier(folder), read_binding(folder), read_candidates(folder),
                        read_certificate(folder), read_regret(folder))
