"""Parameter uncertainty: every labelled assumption drawn from its plausible range.

A Latin hypercube of as many points as replications spreads the draws evenly
over every range; replication ``r`` runs with point ``r``.  Draws are uniform
between ``low`` and ``high``.  The design is seeded from the scenario's seed,
so the same seed gives the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from model.scenario import Scenario, iter_estimates, with_values

INFORMATIONAL = ("districts",)
"""Estimates the simulation does not use (shown in reports only); never varied."""
LHS_STREAM = 20_251_128  # a fixed word mixed into the seed: the design's own stream


def varied_assumptions(scenario: Scenario) -> list[tuple[str, float, float]]:
    """``(path, low, high)`` of every assumption with a range that moves the simulation."""
    return [
        (path, float(estimate.low), float(estimate.high))
        for path, _, estimate in iter_estimates(scenario)
        if estimate.assumption is not None and estimate.low is not None
        and estimate.high is not None and estimate.high > estimate.low
        and not path.endswith(INFORMATIONAL)
    ]


@dataclass(frozen=True)
class UncertainScenarios:
    """Replication ``r``'s scenario: the base with the ``r``-th hypercube point's values."""

    base: Scenario
    points: np.ndarray  # replications x assumptions, scaled into the ranges
    paths: tuple[str, ...]

    @classmethod
    def design(cls, scenario: Scenario, replications: int) -> UncertainScenarios:
        """Draw the hypercube for ``replications`` replications."""
        ranges = varied_assumptions(scenario)
        sampler = qmc.LatinHypercube(d=len(ranges),
                                     rng=np.random.default_rng([scenario.seed, LHS_STREAM]))
        unit = sampler.random(replications)
        low = np.array([r[1] for r in ranges])
        high = np.array([r[2] for r in ranges])
        return cls(scenario, qmc.scale(unit, low, high), tuple(r[0] for r in ranges))

    def __call__(self, replication: int) -> Scenario:
        """The scenario replication ``replication`` runs: its point of the design."""
        row = self.points[replication % len(self.points)]
        return with_values(self.base, dict(zip(self.paths, row.tolist(), strict=True)))
