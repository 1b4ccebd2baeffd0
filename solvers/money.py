"""The budget in the CP-SAT model: one-off money in one envelope, recurring money by year.

Groups ``budget_one_off`` and ``budget_annual`` (see ``allocation.CONSTRAINT_GROUPS``).
One-off costs (set-up of new posts, moves, course places, line installation, tools bought)
stay within ``optimise.budget.one_off_rm``.  Recurring costs (salaries of new posts from
when they are filled, line rent, campaigns beyond today's, licences) stay within the
annual ceiling in every calendar year of the horizon (pro rata in a part year) and, since
they continue after it, at their full yearly rate too; unless
``recurring_from_one_off``: then all the money counts together (one-off and recurring
within the envelope plus the horizon's annual ceilings), one-off still within its own.
Every unit is priced by :class:`solvers.costs.PriceList`
(the price list of ``plan.csv``), rounded to whole ringgit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from model.optimise_schema import Optimise
from model.schema_base import STATE_CODES
from solvers.costs import Charge, PriceList, days_in_year
from solvers.cp_parts import Campaigns, CourseKey, Expression, Staff, Switches, Tools, scaled


@dataclass(frozen=True)
class Money:
    """The plan's spending as expressions of the model's variables (whole ringgit)."""

    one_off: Expression
    recurring: dict[int, Expression]  # by calendar year of the horizon
    rate: Expression  # recurring costs a year at the horizon's end (every line's full rate)

    @property
    def total(self) -> Expression:
        """Spending over the horizon: one-off and recurring."""
        return self.one_off + sum(self.recurring.values())


def _in_year(prices: PriceList, charge: Charge, year: int) -> int:
    """One unit's recurring cost in a calendar year (whole ringgit)."""
    return scaled(charge.recurring_rm_per_year * prices.paid_days(year, charge.paid_from)
                  / days_in_year(year))


def spending(model: cp_model.CpModel, settings: Optimise, prices: PriceList, staff: Staff,
             places: dict[CourseKey, cp_model.IntVar], tiers: list[cp_model.IntVar],
             campaigns: Campaigns, today_campaigns: dict[str, int], tools: Tools) -> Money:
    """The one-off and recurring costs of the plan the model chooses."""
    extra = {}
    for code in STATE_CODES:
        extra[code] = model.new_int_var(0, settings.max_campaigns_per_state,
                                        f"extra_campaigns[{code}]")
        model.add_max_equality(extra[code], [campaigns.count[code] - today_campaigns[code], 0])
    bought = [(tool, var - tools.owned[tool]) for tool, var in tools.items()
              if tool in prices.tool_rm]
    one_off = (sum(scaled(prices.set_up_rm) * var for var in staff.new.values())
               + scaled(prices.relocation_cost_rm(1)) * staff.moved
               + sum(scaled(prices.places_cost_rm(kind, delivery, 1)) * var
                     for (kind, delivery), var in places.items())
               + sum(scaled(tier.install_rm) * y
                     for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
               + sum(scaled(prices.tool_rm[tool][0]) * count for tool, count in bought))
    recurring: dict[int, Expression] = {}
    for year in prices.years:
        recurring[year] = (
            sum(_in_year(prices, prices.salary_charge(rank, year=created), year) * var
                for (rank, created), var in staff.new.items())
            + sum(_in_year(prices, prices.line_charge(tier), year) * y
                  for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
            + _in_year(prices, prices.campaign_charge(), year) * sum(extra.values())
            + sum(_in_year(prices, prices.tool_charge(tool), year) * count
                  for tool, count in bought))
    rate = (sum(scaled(prices.salary_rm_per_year[rank]) * var
                for (rank, _), var in staff.new.items())
            + sum(scaled(tier.monthly_rm * 12) * y
                  for tier, y in zip(settings.bandwidth_tiers, tiers, strict=True))
            + scaled(prices.campaign_rm) * sum(extra.values())
            + sum(scaled(prices.tool_rm[tool][1]) * count for tool, count in bought))
    return Money(one_off, recurring, rate)


def add_budget(model: cp_model.CpModel, settings: Optimise, prices: PriceList, money: Money,
               switches: Switches, one_off_rm: float | None = None,
               annual_rm: float | None = None) -> None:
    """Groups ``budget_one_off`` and ``budget_annual`` (amounts default to the scenario's)."""
    budget = settings.budget
    one_off_rm = budget.one_off_rm if one_off_rm is None else one_off_rm
    annual_rm = budget.annual_rm if annual_rm is None else annual_rm
    if budget.recurring_from_one_off:
        # recurring costs may also draw on the one-off envelope: all the money together
        ceilings = sum(scaled(prices.ceiling_rm(year, annual_rm)) for year in money.recurring)
        model.add(money.total <= scaled(one_off_rm) + ceilings).only_enforce_if(
            switches["budget_one_off"])
    else:
        for year, cost in money.recurring.items():
            model.add(cost <= scaled(prices.ceiling_rm(year, annual_rm))).only_enforce_if(
                switches["budget_annual"])
        model.add(money.rate <= scaled(annual_rm)).only_enforce_if(switches["budget_annual"])
    model.add(money.one_off <= scaled(one_off_rm)).only_enforce_if(
        switches["budget_one_off"])

