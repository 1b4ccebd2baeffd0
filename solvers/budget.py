"""``budget.csv``: a plan's one-off and recurring money by year, against the budget.

One row per calendar year of the horizon: the one-off money spent that year and what is
left of the envelope at its start, the recurring costs and that year's ceiling, and the
money left unspent; then one row per year after the horizon up to
``optimise.budget.liabilities_to_year``: the recurring costs the plan leaves (its yearly
rate at the horizon's end), against the annual ceiling.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from model.scenario import Scenario
from model.tables import BUDGET
from solvers.costs import liabilities_rm, price_list
from solvers.plan import year_column
from solvers.settings import optimise_settings

BUDGET_COLUMNS = BUDGET.column_list
"""The columns of ``budget.csv`` (``model.tables.BUDGET``)."""


def recurring_rate_rm(costs: pd.DataFrame, end_date: dt.date) -> float:
    """Recurring costs a year of the plan at the horizon's end (every recurring line)."""
    if costs.empty:
        return 0.0
    started = costs.paid_from.astype(str).map(
        lambda day: bool(day) and dt.date.fromisoformat(day) <= end_date)
    return float(costs.loc[started, "recurring_rm_per_year"].sum())


def one_off_by_year(costs: pd.DataFrame, years: list[int]) -> dict[int, float]:
    """One-off money of ``plan.csv`` rows by the calendar year it is paid."""
    paid = costs[costs.one_off_rm > 0]
    found = dict.fromkeys(years, 0.0)
    for day, amount in zip(paid.paid_from.astype(str), paid.one_off_rm, strict=True):
        year = dt.date.fromisoformat(day).year
        if year in found:
            found[year] += float(amount)
    return found


def budget_table(scenario: Scenario, costs: pd.DataFrame) -> pd.DataFrame:
    """``budget.csv`` for a plan's ``plan.csv`` rows.

    Parameters
    ----------
    scenario : Scenario
        The scenario, with ``optimise.budget``.
    costs : DataFrame
        The plan's rows (``solvers.plan.plan_costs``).

    Returns
    -------
    DataFrame
        :data:`BUDGET_COLUMNS`.  ``unspent_rm`` is the year's ceiling left over (nothing
        when the year drew on the one-off envelope), plus in the horizon's last year the
        envelope left; with ``recurring_from_one_off``, a year's recurring costs beyond its
        ceiling come out of the envelope (``one_off_available_rm`` falls by them).  (The
        solver allows that when all the money together fits: ``solvers.money``.)
    """
    settings = optimise_settings(scenario)
    budget = settings.budget
    prices = price_list(scenario)
    one_off = one_off_by_year(costs, prices.years)
    available = budget.one_off_rm
    rows = []
    for year in prices.years:
        total = float(costs[year_column(year)].sum()) if not costs.empty else 0.0
        recurring = total - one_off[year]
        ceiling = prices.ceiling_rm(year, budget.annual_rm)
        drawn = max(recurring - ceiling, 0.0) if budget.recurring_from_one_off else 0.0
        left = available - one_off[year] - drawn
        unspent = max(ceiling - recurring, 0.0) + (left if year == prices.years[-1] else 0.0)
        rows.append({"year": year, "one_off_rm": one_off[year], "recurring_rm": recurring,
                     "one_off_available_rm": available, "recurring_ceiling_rm": ceiling,
                     "unspent_rm": unspent, "beyond_horizon": False})
        available = left
    rate = recurring_rate_rm(costs, prices.end_date)
    for year, owed in liabilities_rm(prices, rate, budget.liabilities_to_year).items():
        rows.append({"year": year, "one_off_rm": 0.0, "recurring_rm": owed,
                     "one_off_available_rm": np.nan, "recurring_ceiling_rm": budget.annual_rm,
                     "unspent_rm": max(budget.annual_rm - owed, 0.0), "beyond_horizon": True})
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)
