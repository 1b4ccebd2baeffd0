"""Parameter uncertainty: what the history leaves open, drawn replication by replication.

Under a calibrated hypothesis, replication ``r`` takes one vector of the hypothesis's
plausible set (every parameter vector whose simulated history matched every published
figure), in a seeded shuffled order, for its calibrated parameters together: what the
history allows, not the prior ranges it ruled out.  The other assumptions stay at their
values, under which the plausible set was found (``sensitivity`` shows what moving them
does, refitting the history first).  A scenario with no calibrated hypothesis draws every
labelled assumption uniformly from its plausible range, a Latin hypercube over the
replications.  Either way the draws come from the scenario's seed.
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
        """Draw the parameters of ``replications`` replications."""
        calibrated = scenario.calibrated
        if calibrated is not None and calibrated.plausible:
            return cls.from_plausible_set(scenario, replications)
        ranges = varied_assumptions(scenario)
        sampler = qmc.LatinHypercube(d=len(ranges),
                                     rng=np.random.default_rng([scenario.seed, LHS_STREAM]))
        unit = sampler.random(replications)
        low = np.array([r[1] for r in ranges])
        high = np.array([r[2] for r in ranges])
        return cls(scenario, qmc.scale(unit, low, high), tuple(r[0] for r in ranges))

    @classmethod
    def from_plausible_set(cls, scenario: Scenario, replications: int) -> UncertainScenarios:
        """Each replication takes a plausible vector, every one used before any repeats."""
        calibrated = scenario.calibrated
        assert calibrated is not None and calibrated.plausible
        plausible = np.array(calibrated.plausible, dtype=float)
        rng = np.random.default_rng([scenario.seed, LHS_STREAM])
        rounds = -(-replications // len(plausible))
        order = np.concatenate([rng.permutation(len(plausible)) for _ in range(rounds)])
        return cls(scenario, plausible[order[:replications]], tuple(calibrated.parameters))

    def describe(self) -> str:
        """What the replications' parameters are drawn from, for the interval's label."""
        calibrated = self.base.calibrated
        if calibrated is not None and calibrated.plausible:
            return (f"the {len(calibrated.plausible)} plausible parameter vectors of hypothesis "
                    f"{calibrated.name} ({', '.join(self.paths)}), other assumptions held")
        return "every assumption uniformly from its plausible range (Latin hypercube)"

    def __call__(self, replication: int) -> Scenario:
        """The scenario replication ``replication`` runs: its point of the design."""
        row = self.points[replication % len(self.points)]
        return with_values(self.base, dict(zip(self.paths, row.tolist(), strict=True)))
