"""The one price list: what each lever of a plan costs, and in which year it is paid.

Prices are read once from ``scenario.optimise``, the recruitment lag from
``scenario.staffing`` and the horizon from the scenario's dates.  The rows of ``plan.csv``
(``plan.plan_costs``), the CP-SAT budget constraint (``allocation``) and the arithmetic
explanations of infeasible settings (``explain``) all price through :class:`PriceList`,
so a price or a costing rule changes here and nowhere else.

Every cost is a :class:`Charge`: a one-off part paid on one day and a recurring part paid
at a yearly rate from that day to the end of the horizon.  A cost falls in the calendar
year it is paid: a one-off in the year of its day; a recurring cost in each year in
proportion to the days of that year it is paid for (a full calendar year pays the yearly
rate, a part year its share of that year's days).  So a new post that starts vacant draws
its salary from the day it is filled, the recruitment lag after the start; a line is
installed once and rented monthly from its start; a course is paid when it is held.
The proposal's workbook writes the same rule as spreadsheet formulas.

Today's establishment and today's campaigns are already paid for: only new posts, moved
posts, course places, a new line, tools and campaigns beyond today's cost money.  Money is
of two kinds (``optimise.budget``): one-off (set-up of a new post, a move, a course place,
a line's installation, a tool bought) and recurring (salaries of new posts, line rent,
campaigns beyond today's, licences).  A post created in a later year of the horizon is
set up on 1 January of that year and filled (and salaried) the recruitment lag after.  The solver
works on integers; it takes the price of one unit (``..._cost_rm(..., 1)``) rounded to
whole ringgit, which is why its total may differ from ``plan.csv``'s by under one
ringgit a unit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from model.levers import RANKS, TOOLS
from model.optimise_schema import BandwidthTier, Delivery
from model.scenario import Scenario
from model.schema_base import CourseKind
from solvers.settings import optimise_settings

MONTHS_PER_YEAR = 12
LINE_START_DAYS = 0
"""Days after the start a line bought is installed and its rent begins (at once)."""


@dataclass(frozen=True)
class Charge:
    """What one unit of a costed lever costs, and from which day it is paid.

    Attributes
    ----------
    one_off_rm : float
        Paid once, on ``paid_from`` (set-up, relocation, a course place, installation).
    recurring_rm_per_year : float
        Paid at this yearly rate from ``paid_from`` to the end of the horizon (salary,
        rent, campaigns).
    paid_from : datetime.date
        The day the one-off part is paid and the recurring part starts.
    """

    one_off_rm: float
    recurring_rm_per_year: float
    paid_from: dt.date


def days_in_year(year: int) -> int:
    """365, or 366 in a leap year."""
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


@dataclass(frozen=True)
class PriceList:
    """Unit prices of a plan's levers, the horizon they are paid over, and when.

    Attributes
    ----------
    start_date, end_date : datetime.date
        The first and last day of the horizon (inclusive).
    recruitment_lag_days : int
        Days from the start until a post that starts vacant is filled (whole days,
        rounded up: the simulation fills it after the lag).
    salary_rm_per_year : dict of str to float
        Loaded salary of a post by rank (``officers``, ``lower_ranks``).
    set_up_rm : float
        One-off cost of creating a post (recruitment, equipment).
    relocation_rm : float
        One-off cost of moving a post between sites or teams.
    place_rm : dict of (CourseKind, Delivery) to float
        Price of one place on a course.
    campaign_rm : float
        Price of one campaign.
    tool_rm : dict of str to (float, float)
        One-off and yearly price of each tool on offer (``risk_scoring``,
        ``hash_matching``, ``workstations`` a unit).
    """

    start_date: dt.date
    end_date: dt.date
    recruitment_lag_days: int
    salary_rm_per_year: Mapping[str, float]
    set_up_rm: float
    relocation_rm: float
    place_rm: Mapping[tuple[CourseKind, Delivery], float]
    campaign_rm: float
    tool_rm: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The calendar years the horizon touches."""
        return list(range(self.start_date.year, self.end_date.year + 1))

    def day(self, days_after_start: int) -> dt.date:
        """The date ``days_after_start`` days after the first day of the horizon."""
        return self.start_date + dt.timedelta(days=days_after_start)

    def created_on(self, year: int | None = None) -> dt.date:
        """The day a post created in ``year`` is set up: 1 January, or the start if later."""
        if year is None:
            return self.start_date
        return max(dt.date(year, 1, 1), self.start_date)

    def filled_on(self, filled_at_start: bool = False, year: int | None = None) -> dt.date:
        """The day a post is filled: at once, or the recruitment lag after it is created."""
        if filled_at_start:
            return self.start_date
        return self.created_on(year) + dt.timedelta(days=self.recruitment_lag_days)

    def ceiling_rm(self, year: int, annual_rm: float) -> float:
        """The annual ceiling in a calendar year: pro rata to the horizon's days in it."""
        return annual_rm * self.paid_days(year, self.start_date) / days_in_year(year)

    # --- when money is paid ---------------------------------------------------------------

    def paid_days(self, year: int, paid_from: dt.date) -> int:
        """Days of ``year`` within the horizon from ``paid_from`` on."""
        first = max(dt.date(year, 1, 1), self.start_date, paid_from)
        last = min(dt.date(year, 12, 31), self.end_date)
        return max((last - first).days + 1, 0)

    def by_year_rm(self, charge: Charge, quantity: float) -> dict[int, float]:
        """``quantity`` units of ``charge`` in each calendar year of the horizon.

        A one-off falls in the year of its day (nothing if that day is outside the
        horizon); a recurring cost in each year in proportion to the part of that year's
        days it is paid for.
        """
        one_off_paid = self.start_date <= charge.paid_from <= self.end_date
        costs = {}
        for year in self.years:
            cost = quantity * charge.recurring_rm_per_year * (
                self.paid_days(year, charge.paid_from) / days_in_year(year))
            if one_off_paid and charge.paid_from.year == year:
                cost += quantity * charge.one_off_rm
            costs[year] = cost
        return costs

    def split_by_year_rm(self, charge: Charge, quantity: float
                         ) -> dict[int, tuple[float, float]]:
        """``by_year_rm`` split into (one-off, recurring) in each calendar year."""
        recurring = self.by_year_rm(Charge(0.0, charge.recurring_rm_per_year,
                                           charge.paid_from), quantity)
        one_off = self.by_year_rm(Charge(charge.one_off_rm, 0.0, charge.paid_from), quantity)
        return {year: (one_off[year], recurring[year]) for year in self.years}

    def cost_rm(self, charge: Charge, quantity: float) -> float:
        """``quantity`` units of ``charge`` over the horizon: the sum of its years."""
        return float(sum(self.by_year_rm(charge, quantity).values()))

    # --- what each lever's unit is charged ------------------------------------------------

    def salary_charge(self, rank: str, filled_at_start: bool = False,
                      year: int | None = None) -> Charge:
        """A new post's salary, from the day it is filled (created in ``year``: the start's)."""
        return Charge(0.0, self.salary_rm_per_year[rank], self.filled_on(filled_at_start, year))

    def set_up_charge(self, year: int | None = None) -> Charge:
        """Creating a post (recruitment, equipment), paid on the day it is created."""
        return Charge(self.set_up_rm, 0.0, self.created_on(year))

    def relocation_charge(self) -> Charge:
        """Moving a post, paid when its holder arrives at the new site (after the lag).

        A site that gains posts has them vacant until recruited, as the simulation runs it.
        """
        return Charge(self.relocation_rm, 0.0, self.filled_on())

    def place_charge(self, course: CourseKind, delivery: Delivery,
                     held_on: dt.date | None = None) -> Charge:
        """A place on a course, paid when the course is held (the start if not said)."""
        return Charge(self.place_rm[(course, delivery)], 0.0, held_on or self.start_date)

    def line_charge(self, tier: BandwidthTier) -> Charge:
        """A line of a tier: installation once, then its monthly rent."""
        return Charge(tier.install_rm, tier.monthly_rm * MONTHS_PER_YEAR,
                      self.day(LINE_START_DAYS))

    def campaign_charge(self) -> Charge:
        """One campaign a year beyond today's, from the start."""
        return Charge(0.0, self.campaign_rm, self.start_date)

    def tool_charge(self, tool: str) -> Charge:
        """One tool (or workstation) bought at the start, then its licence or upkeep."""
        one_off, recurring = self.tool_rm[tool]
        return Charge(one_off, recurring, self.start_date)

    # --- totals over the horizon (the solver's budget and the explanations) -------------

    def salaries_cost_rm(self, rank: str, posts: int, year: int | None = None) -> float:
        """Salaries of ``posts`` new posts of a rank, from when they are filled."""
        return self.cost_rm(self.salary_charge(rank, year=year), posts)

    def set_up_cost_rm(self, posts: int, year: int | None = None) -> float:
        """One-off cost of creating ``posts`` posts."""
        return self.cost_rm(self.set_up_charge(year), posts)

    def new_post_cost_rm(self, rank: str) -> float:
        """One new post of a rank: its salaries over the horizon and its set-up."""
        return self.salaries_cost_rm(rank, 1) + self.set_up_cost_rm(1)

    def relocation_cost_rm(self, posts: int) -> float:
        """One-off cost of moving ``posts`` posts."""
        return self.cost_rm(self.relocation_charge(), posts)

    def places_cost_rm(self, course: CourseKind, delivery: Delivery, places: int) -> float:
        """``places`` places on a course given one way, held within the horizon."""
        return places * self.place_rm[(course, delivery)]

    def line_cost_rm(self, tier: BandwidthTier) -> float:
        """A line of a tier: installation and its rent over the horizon."""
        return self.cost_rm(self.line_charge(tier), 1)

    def campaigns_cost_rm(self, extra_per_year: int) -> float:
        """``extra_per_year`` campaigns a year beyond today's, over the horizon."""
        return self.cost_rm(self.campaign_charge(), extra_per_year)


def price_list(scenario: Scenario) -> PriceList:
    """The scenario's prices.

    Parameters
    ----------
    scenario : Scenario
        A scenario with an ``optimise`` section.

    Returns
    -------
    PriceList
        Unit prices, and the horizon they are paid over.

    Raises
    ------
    ValueError
        If the scenario has no ``optimise`` section.
    """
    settings = optimise_settings(scenario)
    costs = settings.post_costs
    return PriceList(
        start_date=scenario.start_date,
        end_date=scenario.end_date,
        recruitment_lag_days=math.ceil(scenario.staffing.recruitment_lag_days.value),
        salary_rm_per_year={"officers": costs.officer_rm_per_year.value,
                            "lower_ranks": costs.lower_rank_rm_per_year.value},
        set_up_rm=costs.new_post_one_off_rm.value,
        relocation_rm=costs.relocation_one_off_rm.value,
        place_rm={(o.course, o.delivery): o.cost_per_place_rm.value for o in settings.courses},
        campaign_rm=settings.campaign_cost_rm.value,
        tool_rm={tool: (price.one_off_rm, price.recurring_rm_per_year)
                 for tool in TOOLS if (price := getattr(settings.tooling, tool)) is not None},
    )


def new_posts(posts: Mapping[tuple[str, str], int],
              today: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Posts of each rank beyond today's establishment: they must be created and paid.

    ``posts`` and ``today`` are keyed by (site, group); a group's rank ends its name
    (``forensic_team.officers``).  The solver states the same rule as constraints.
    """
    found: dict[str, int] = {}
    for rank in RANKS:
        planned = sum(v for (_, group), v in posts.items() if group.endswith(rank))
        existing = sum(v for (_, group), v in today.items() if group.endswith(rank))
        found[rank] = max(planned - existing, 0)
    return found


def moved_posts(posts: Mapping[tuple[str, str], int],
                today: Mapping[tuple[str, str], int]) -> int:
    """Posts a site or team gains that are not new: they move from elsewhere."""
    increases = {key: max(posts.get(key, 0) - today[key], 0) for key in today}
    return sum(increases.values()) - sum(new_posts(posts, today).values())


def liabilities_rm(prices: PriceList, recurring_rm_per_year: float,
                   to_year: int) -> dict[int, float]:
    """Recurring costs a plan leaves after the horizon: its yearly rate, year by year.

    Parameters
    ----------
    prices : PriceList
        The horizon (the years after its last one are counted).
    recurring_rm_per_year : float
        The plan's recurring rate at the end of the horizon (every recurring line's full
        yearly rate).
    to_year : int
        The last year shown (``optimise.budget.liabilities_to_year``).

    Returns
    -------
    dict of int to float
        Year -> the rate, for each calendar year after the horizon's last up to
        ``to_year`` (none if ``to_year`` is not after it).
    """
    return {year: recurring_rm_per_year
            for year in range(prices.end_date.year + 1, to_year + 1)}
