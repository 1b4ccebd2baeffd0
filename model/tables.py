"""The optimiser's tables in a run folder, declared once: file, columns and meaning.

The solvers write these tables and the reports read them; both take the file names and
columns from here, so neither keeps a copy (a catalogue, like ``model.metrics``: it
imports nothing of ours).
"""

from __future__ import annotations

from dataclasses import dataclass

TODAY = "status_quo"
"""The name today's allocation carries in every table (and the reference of service levels)."""


@dataclass(frozen=True)
class Table:
    """One table of a run folder: its file, its columns in order, and what a row is."""

    file: str
    columns: tuple[str, ...]
    meaning: str

    @property
    def column_list(self) -> list[str]:
        """The columns as a list (what pandas takes to select columns)."""
        return list(self.columns)


PLAN = Table(
    "plan.csv",
    ("lever", "scope", "quantity", "unit", "cost_rm", "paid_quantity", "unit_one_off_rm",
     "unit_recurring_rm_per_year", "paid_from", "one_off_rm", "recurring_rm_per_year",
     "year"),
    "one row per lever of the chosen plan and its cost, then a ``cost_<year>_rm`` column "
    "for each calendar year of the horizon")
CANDIDATES = Table(
    "candidates.csv",
    ("candidate", "source", "replications", "objective_mean", "ci_low", "ci_high",
     "eliminated_at", "promised", "note"),
    "every plan the selection considered, its replications and objective (``eliminated_at`` "
    "empty for a finalist never eliminated; ``note`` 'chosen' on the plan chosen); in reverse "
    "mode, each plan tried against the target of actioned tip-offs")
CERTIFICATE = Table(
    "certificate.csv", ("check", "value", "threshold", "passed", "note"),
    "one row per check of the chosen plan (shares as fractions; ``value`` empty where not "
    "measured, ``inf`` where a regret has no gain to share)")
REGRET = Table(
    "regret.csv",
    ("candidate", "hypothesis", "demand", "objective_mean", "ci_low", "ci_high",
     "regret_share", "regret_of_gain"),
    "each finalist under each hypothesis and demand level, its shortfall from the best "
    "finalist there as a share of that one's objective (``regret_share``) and of its own "
    "gain over the status quo there (``regret_of_gain``)")
BUDGET = Table(
    "budget.csv",
    ("year", "one_off_rm", "recurring_rm", "one_off_available_rm", "recurring_ceiling_rm",
     "unspent_rm", "beyond_horizon"),
    "the plan's money by calendar year, one row per horizon year and then one per year after "
    "it to ``liabilities_to_year`` (``beyond_horizon`` True: the recurring liabilities the "
    "plan leaves, one-off 0)")
FRONTIER = Table(
    "frontier.csv", ("point", "plan", "outcome", "unit", "mean", "ci_low", "ci_high"),
    "each plan of the trade-off between two outcomes, verified in the simulation (one row per "
    "point and outcome; ``cost_rm`` is an outcome in RM)")
BINDING = Table(
    "binding.csv",
    ("constraint", "unit", "bound", "shadow_value", "simulated_gain", "ci_low", "ci_high"),
    "each binding constraint, what relaxing it by one unit gains in the objective's units "
    "(``shadow_value``), and for the largest few the gain simulated with its interval (NaN "
    "where not simulated)")

OPTIMISATION_TABLES = (PLAN, CANDIDATES, CERTIFICATE, REGRET, BUDGET, FRONTIER, BINDING)
"""Every table an optimisation adds to a run's tables, in the order they are listed."""
