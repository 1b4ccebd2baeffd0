"""The one price list: what each lever of a plan costs over the horizon, in ringgit.

Prices are read once from ``scenario.optimise`` and the recruitment lag, which delays a
new post's salary, from ``scenario.staffing``.  The rows of ``plan.csv``
(``plan.plan_costs``), the CP-SAT budget constraint (``allocation``) and the arithmetic
explanations of infeasible settings (``explain``) all price through :class:`PriceList`,
so a price or a costing rule changes here and nowhere else.

Today's establishment and today's campaigns are already paid for: only new posts, moved
posts, course places, a new line and campaigns beyond today's cost money.  The solver
works on integers; it takes the price of one unit (``..._cost_rm(..., 1)``) rounded to
whole ringgit, which is why its total may differ from ``plan.csv``'s by under one
ringgit a unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from model.levers import RANKS
from model.optimise_schema import BandwidthTier, Delivery
from model.scenario import Scenario
from model.schema_base import CourseKind

DAYS_PER_YEAR = 365.25
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class PriceList:
    """Unit prices of a plan's levers, and their cost over the horizon.

    Attributes
    ----------
    horizon_years : float
        The planning horizon.
    salaried_years : float
        Years a new post draws a salary: the horizon less the recruitment lag.
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
    """

    horizon_years: float
    salaried_years: float
    salary_rm_per_year: Mapping[str, float]
    set_up_rm: float
    relocation_rm: float
    place_rm: Mapping[tuple[CourseKind, Delivery], float]
    campaign_rm: float

    @property
    def horizon_months(self) -> float:
        """The planning horizon in months (a line is paid monthly)."""
        return self.horizon_years * MONTHS_PER_YEAR

    def salaries_cost_rm(self, rank: str, posts: int) -> float:
        """Salaries of ``posts`` new posts of a rank, from when they are filled."""
        return posts * self.salary_rm_per_year[rank] * self.salaried_years

    def set_up_cost_rm(self, posts: int) -> float:
        """One-off cost of creating ``posts`` posts."""
        return posts * self.set_up_rm

    def new_post_cost_rm(self, rank: str) -> float:
        """One new post of a rank: its salaries over the horizon and its set-up."""
        return self.salaries_cost_rm(rank, 1) + self.set_up_cost_rm(1)

    def relocation_cost_rm(self, posts: int) -> float:
        """One-off cost of moving ``posts`` posts."""
        return posts * self.relocation_rm

    def places_cost_rm(self, course: CourseKind, delivery: Delivery, places: int) -> float:
        """``places`` places on a course given one way."""
        return places * self.place_rm[(course, delivery)]

    def line_cost_rm(self, tier: BandwidthTier) -> float:
        """A line of a tier: installation and its monthly price over the horizon."""
        return tier.install_rm + tier.monthly_rm * self.horizon_months

    def campaigns_cost_rm(self, extra_per_year: int) -> float:
        """``extra_per_year`` campaigns a year beyond today's, over the horizon."""
        return extra_per_year * self.horizon_years * self.campaign_rm


def price_list(scenario: Scenario) -> PriceList:
    """The scenario's prices.

    Parameters
    ----------
    scenario : Scenario
        A scenario with an ``optimise`` section.

    Returns
    -------
    PriceList
        Unit prices, and the horizon they are spent over.

    Raises
    ------
    ValueError
        If the scenario has no ``optimise`` section.
    """
    settings = scenario.optimise
    if settings is None:
        raise ValueError("the scenario has no optimise section")
    years = scenario.horizon_days / DAYS_PER_YEAR
    # a post recruited after the horizon draws no salary within it
    lag_years = min(scenario.staffing.recruitment_lag_days.value / DAYS_PER_YEAR, years)
    costs = settings.post_costs
    return PriceList(
        horizon_years=years,
        salaried_years=years - lag_years,
        salary_rm_per_year={"officers": costs.officer_rm_per_year.value,
                            "lower_ranks": costs.lower_rank_rm_per_year.value},
        set_up_rm=costs.new_post_one_off_rm.value,
        relocation_rm=costs.relocation_one_off_rm.value,
        place_rm={(o.course, o.delivery): o.cost_per_place_rm.value for o in settings.courses},
        campaign_rm=settings.campaign_cost_rm.value,
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
