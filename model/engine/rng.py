"""Named random streams, one per activity, so that scenarios share common random numbers.

Every draw in a replication comes from a generator spawned from
``SeedSequence([seed, replication])``.  Two scenarios run with the same seed
draw the same arrivals and the same work per case, so their difference is the
effect of the levers and not of luck.  Never reorder ``STREAMS``; only append.
"""

from __future__ import annotations

import numpy as np

STREAMS: tuple[str, ...] = (
    "arrivals",
    "case_attributes",
    "triage",
    "download",
    "review",
    "investigation",
    "raid",
    "staffing",
    "initial_state",
    "case_outcomes",
)


def streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """Return one independent generator per activity for this seed and replication."""
    children = np.random.SeedSequence([seed, replication]).spawn(len(STREAMS))
    pairs = zip(STREAMS, children, strict=True)
    return {name: np.random.default_rng(child) for name, child in pairs}
