"""What the proposal says, read from an optimisation run folder: cost lines and outcomes.

Costs are taken as they are in ``plan.csv`` (their sum is the plan's total).  Each line is
one-off (set-up of new posts, moves, training places, installing a line) or recurring
(salaries, line rental, campaigns); one-off costs fall in the first year of the horizon and
recurring costs are spread over its calendar years in proportion to the share of each year
the horizon covers, so full years get equal parts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.levers import Category, Lever, LeverKind
from model.metrics import NATIONAL, PAIRED_COLUMNS
from reports.proposal.wording import OPTIMISED, STATUS_QUO
from reports.run_folder import (
    MARGINAL_CSV,
    PAIRED_DIFF_CSV,
    PLAN_CSV,
    RUN_JSON,
    SUMMARY_CSV,
    option_csv,
)

KEY_METRICS = ("actioned", "downloaded", "raids", "arrests", "lapsed")
"""The national outcomes the paper reports, in its order."""

CATEGORY_ORDER = tuple(Category)
"""Budget headings in the order the cost lines are listed."""

ONE_OFF_KINDS = frozenset({LeverKind.NEW_POSTS_SET_UP, LeverKind.POSTS_MOVED,
                           LeverKind.COURSE_PLACES})
"""Levers whose whole cost is paid once; a new line is one-off only for its installation."""



@dataclass(frozen=True)
class CostLine:
    """One row of ``plan.csv`` with its cost split into one-off and recurring parts.

    Attributes
    ----------
    lever : Lever
        What the line buys or keeps.
    scope : str
        ``national``, ``hq`` or a state code.
    quantity : float
        How many (posts, places, Mbps, campaigns a year).
    unit : str
        The unit of ``quantity`` as ``plan.csv`` writes it.
    one_off_rm, recurring_rm : float
        The two parts of the line's cost over the horizon.
    by_year_rm : dict of int to float
        The cost in each calendar year of the horizon.
    """

    lever: Lever
    scope: str
    quantity: float
    unit: str
    one_off_rm: float
    recurring_rm: float
    by_year_rm: dict[int, float]

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
        """The line's cost over the horizon."""
        return self.one_off_rm + self.recurring_rm


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
        low_<option>, high_<option>`` for each option the plan was paired with.
    comparators : list of str
        The options the plan was paired with, in ``paired_diff.csv`` order.
    options : pd.DataFrame
        National key metrics of this plan and the other options, for the outcome chart.
    marginal : pd.DataFrame or None
        ``marginal.csv`` when the run wrote it.
    """

    run: dict[str, Any]
    lines: list[CostLine]
    years: list[int]
    outcomes: pd.DataFrame
    comparators: list[str]
    options: pd.DataFrame
    marginal: pd.DataFrame | None

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
        """The part of the cost that recurs."""
        return float(sum(line.recurring_rm for line in self.lines))

    @property
    def plan(self) -> dict[str, Any]:
        """The optimiser's record of the plan (status, rounds, total posts), if any."""
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
    def period(self) -> str:
        """The horizon's years, ``"2024–2026"``."""
        return (f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1
                else str(self.years[0]))


def horizon_years(start: dt.date, end: dt.date) -> dict[int, float]:
    """Share of each calendar year the horizon ``start``..``end`` (inclusive) covers.

    Parameters
    ----------
    start, end : datetime.date
        The first and last day of the horizon.

    Returns
    -------
    dict of int to float
        Calendar year -> the fraction of its days inside the horizon.
    """
    shares = {}
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        days_in_year = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        shares[year] = max((last - first).days + 1, 0) / days_in_year
    return shares


def _one_off_part(lever: Lever, quantity: float, cost_rm: float,
                  tiers: Sequence[Mapping[str, Any]]) -> float:
    """The one-off part of a line's cost; the rest recurs over the horizon."""
    if lever.kind in ONE_OFF_KINDS:
        return cost_rm
    if lever.kind is LeverKind.LINE and cost_rm > 0:
        # A new line: installation once, rental every month (plan.csv holds the sum).
        for tier in tiers:
            if math.isclose(float(tier.get("mbps", -1)), quantity):
                return min(float(tier.get("install_rm", 0.0)), cost_rm)
    return 0.0


def cost_lines(plan: pd.DataFrame, run: Mapping[str, Any]) -> tuple[list[CostLine], list[int]]:
    """``plan.csv`` as cost lines, ordered by budget heading, and the years of the horizon.

    Parameters
    ----------
    plan : pd.DataFrame
        ``plan.csv``: ``lever, scope, quantity, unit, cost_rm``.
    run : mapping
        ``run.json``: the scenario's dates and bandwidth tiers.

    Returns
    -------
    tuple of (list of CostLine, list of int)
        The lines, and the calendar years they are spread over.

    Raises
    ------
    model.levers.LeverCodeError
        If a lever code of ``plan.csv`` names no lever.
    """
    scenario = run.get("scenario") or {}
    shares = horizon_years(dt.date.fromisoformat(str(scenario["start_date"])),
                           dt.date.fromisoformat(str(scenario["end_date"])))
    years = list(shares)
    weight = sum(shares.values())
    tiers = (scenario.get("optimise") or {}).get("bandwidth_tiers") or []
    lines = []
    for row in plan.itertuples(index=False):
        lever = Lever.parse(str(row.lever))
        cost = 0.0 if pd.isna(row.cost_rm) else float(row.cost_rm)
        quantity = float(row.quantity)
        one_off = _one_off_part(lever, quantity, cost, tiers)
        recurring = cost - one_off
        by_year = {year: recurring * share / weight for year, share in shares.items()}
        by_year[years[0]] += one_off
        lines.append(CostLine(lever, str(row.scope), quantity, str(row.unit), one_off,
                              recurring, by_year))
    lines.sort(key=lambda line: CATEGORY_ORDER.index(line.category))
    return lines, years


def _national(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["scope"] == NATIONAL].set_index("metric")


def _read_if_present(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def _outcome_row(metric: str, own: pd.Series, status_quo: pd.DataFrame | None,
                 paired: pd.DataFrame, comparators: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"metric": metric, "unit": own["unit"], "mean": own["mean"],
                           "ci_low": own["ci_low"], "ci_high": own["ci_high"]}
    quo = status_quo.loc[metric] if status_quo is not None and metric in status_quo.index \
        else None
    for column, source in (("sq_mean", "mean"), ("sq_low", "ci_low"), ("sq_high", "ci_high")):
        row[column] = math.nan if quo is None else quo[source]
    for option in comparators:
        match = paired[(paired["option_b"] == option) & (paired["metric"] == metric)]
        values = match.iloc[0] if len(match) else None
        for column, source in (("diff", "mean_diff"), ("low", "ci_low"), ("high", "ci_high")):
            row[f"{column}_{option}"] = math.nan if values is None else values[source]
    return row


def _option_files(folder: Path) -> list[tuple[str, Path]]:
    """The options whose summaries the run wrote, by name, in file-name order."""
    # option_csv is the one place that knows the file name; ask it where the name goes.
    prefix, suffix = option_csv("\0").split("\0")
    return [(path.name.removeprefix(prefix).removesuffix(suffix), path)
            for path in sorted(folder.glob(option_csv("*")))]


def _outcomes(folder: Path) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    summary = _national(pd.read_csv(folder / SUMMARY_CSV))
    quo_frame = _read_if_present(folder / option_csv(STATUS_QUO))
    status_quo = None if quo_frame is None else _national(quo_frame)
    paired = _read_if_present(folder / PAIRED_DIFF_CSV)
    if paired is None:
        paired = pd.DataFrame(columns=PAIRED_COLUMNS)
    paired = paired[paired["option_a"] == OPTIMISED]
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
        ``option_status_quo.csv``, ``paired_diff.csv`` and ``marginal.csv`` when present.

    Returns
    -------
    ProposalData
        The cost lines, outcomes and run record.
    """
    run = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
    lines, years = cost_lines(pd.read_csv(folder / PLAN_CSV), run)
    outcomes, comparators, options = _outcomes(folder)
    marginal = _read_if_present(folder / MARGINAL_CSV)
    return ProposalData(run, lines, years, outcomes, comparators, options, marginal)
