"""A scenario's optimise settings, narrowed in one place for every stage of the optimiser.

The schema lets a scenario leave ``optimise`` out (a plain run); every function of
``solvers/`` is asked only about scenarios that have one.  Reading it through
:func:`optimise_settings` states that once, with a message, instead of an ``assert`` in
each stage.
"""

from __future__ import annotations

from model.optimise_schema import Optimise
from model.scenario import Scenario


class NotAnOptimisation(ValueError):
    """The scenario has no ``optimise`` section: there is nothing to optimise."""


def optimise_settings(scenario: Scenario) -> Optimise:
    """The scenario's ``optimise`` section.

    Parameters
    ----------
    scenario : Scenario
        A scenario that asks for an optimisation.

    Returns
    -------
    Optimise
        Its budget, bounds, levers, promise and procedure.

    Raises
    ------
    NotAnOptimisation
        If the scenario has no ``optimise`` section.
    """
    if scenario.optimise is None:
        raise NotAnOptimisation(
            f"scenario '{scenario.name}' has no optimise section: add one (see "
            "scenarios/optimise_rm13m.yaml) to ask for a plan")
    return scenario.optimise
