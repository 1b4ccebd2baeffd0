"""How an optimisation chose its plan, as its run folder records it, in no language yet.

The optimiser proposes candidates, a ranking-and-selection procedure (KN, with common
random numbers) chooses among them, fresh replications re-estimate the chosen plan, and
the finalists are simulated under every hypothesis and demand level (``candidates.csv``,
``certificate.csv``, ``regret.csv`` and ``run.json``'s ``plan``).  This module reads
those tables into the few facts a report states: which candidate was chosen, each check
of the certificate taken apart, each finalist's worst regret and where it falls, and the
selection's settings.  The proposal and ``report.html`` put them into words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

CHOSEN_NOTE = "chosen"
"""``candidates.csv``'s note on the plan chosen."""
SELECTION_BEST_NOTE = "best by the selection"
"""``candidates.csv``'s note on KN's own choice when another plan within its zone was chosen."""
SET_ASIDE_NOTE = "set aside"
"""Part of ``candidates.csv``'s note on a plan within the zone set aside as less robust."""
CHEAPER_NOTE = "cheaper than"
"""Part of the chosen plan's note when it was chosen for costing less than KN's choice."""
SCREENED_NOTE = "a service level missed in the first stage"
"""``candidates.csv``'s note on a candidate screened out before the selection."""
REACHES_NOTE = "reaches the target"
"""Reverse mode: ``candidates.csv``'s note on a plan that reaches the target."""
SERVICE_LEVEL = "service_level"
"""The prefix of a service level's check: ``service_level:<metric>.<scope>``."""
DEMANDS = ("low", "central", "high")


def chosen_candidate(candidates: pd.DataFrame | None) -> str | None:
    """The name of the candidate chosen (``note`` "chosen"); None if none is marked."""
    if candidates is None or candidates.empty:
        return None
    chosen = candidates[candidates["note"].fillna("").str.startswith(CHOSEN_NOTE)]
    return None if chosen.empty else str(chosen["candidate"].iloc[0])


def selection_best(candidates: pd.DataFrame | None) -> str | None:
    """KN's own choice, where another plan within its indifference zone was chosen; else None."""
    if candidates is None or candidates.empty:
        return None
    best = candidates[candidates["note"].fillna("").str.startswith(SELECTION_BEST_NOTE)]
    return None if best.empty else str(best["candidate"].iloc[0])


def set_aside(candidates: pd.DataFrame | None) -> list[str]:
    """The plans within KN's zone set aside as less robust across explanations."""
    if candidates is None or candidates.empty:
        return []
    notes = candidates["note"].fillna("")
    return [str(name) for name in candidates.loc[notes.str.contains(SET_ASIDE_NOTE),
                                                 "candidate"]]


def chosen_as_cheaper(candidates: pd.DataFrame | None) -> bool:
    """Whether the chosen plan was taken over KN's choice for costing less."""
    chosen = chosen_candidate(candidates)
    if candidates is None or chosen is None:
        return False
    note = str(candidates.loc[candidates["candidate"] == chosen, "note"].iloc[0])
    return CHEAPER_NOTE in note


def screened_out(candidates: pd.DataFrame) -> pd.DataFrame:
    """The candidates that missed a service level in the selection's first stage."""
    return candidates[candidates["note"] == SCREENED_NOTE]


def source_counts(candidates: pd.DataFrame) -> dict[str, int]:
    """How many candidates came from each source, in the order they first appear."""
    return {str(source): int(count) for source, count
            in candidates["source"].value_counts(sort=False).items()}


@dataclass(frozen=True)
class Check:
    """One row of ``certificate.csv`` taken apart.

    Attributes
    ----------
    kind : str
        The check without its metric: ``surrogate_gap``, ``service_level``...
    metric, scope : str
        A service level's metric and scope; empty for other checks.
    value, threshold : float
        As written (NaN where empty; ``inf`` for a regret with no gain to share).
    passed : bool
        Whether the check passed.
    note : str
        The optimiser's note (English).
    """

    kind: str
    metric: str
    scope: str
    value: float
    threshold: float
    passed: bool
    note: str

    @property
    def decimals(self) -> int | None:
        """Decimals that tell a count from its threshold: one where both round alike.

        The neighbours' bound passes only below the zone, so 23.7 against 23.8 must not
        read as 24 against 24.  None leaves the count's own.
        """
        if math.isnan(self.value) or math.isnan(self.threshold) or math.isinf(self.value):
            return None
        return 1 if round(self.value) == round(self.threshold) else None

    @property
    def name(self) -> str:
        """The check as ``certificate.csv`` names it."""
        if self.kind == SERVICE_LEVEL:
            return f"{SERVICE_LEVEL}:{self.metric}.{self.scope}"
        return self.kind


def checks(certificate: pd.DataFrame | None) -> list[Check]:
    """Every row of ``certificate.csv`` as a :class:`Check`, in its order."""
    if certificate is None:
        return []
    found = []
    for row in certificate.itertuples(index=False):
        kind, _, rest = str(row.check).partition(":")
        metric, _, scope = rest.rpartition(".") if rest else ("", "", "")
        found.append(Check(kind, metric, scope, float(row.value), float(row.threshold),
                           bool(row.passed), str(row.note)))
    return found


@dataclass(frozen=True)
class WorstRegret:
    """A finalist's worst regret over the hypotheses and demand levels.

    Attributes
    ----------
    candidate : str
        The finalist.
    regret_of_gain : float
        Its shortfall from the best finalist, as a share of its own gain over the status
        quo, in its worst case: 0 when it is never behind, ``inf`` when it gains nothing
        over the status quo there.
    shortfall : float
        That shortfall, in the objective's units.
    hypothesis, demand : str
        The worst case; empty when it is never behind.
    leader : str
        The best finalist in that case.
    """

    candidate: str
    regret_of_gain: float
    shortfall: float
    hypothesis: str
    demand: str
    leader: str

    @property
    def behind(self) -> bool:
        """Whether another finalist does better than this one in some case."""
        return bool(self.hypothesis)


def worst_regrets(regret: pd.DataFrame | None) -> dict[str, WorstRegret]:
    """Each finalist's worst regret, by name, as the optimiser finds it.

    The worst case is the first of the table's cases (hypothesis, then demand, as
    written) with the largest ``regret_of_gain``; a finalist never behind has regret 0.
    """
    if regret is None or regret.empty:
        return {}
    names = [str(name) for name in dict.fromkeys(regret["candidate"])]
    worst = {name: WorstRegret(name, 0.0, 0.0, "", "", "") for name in names}
    for (hypothesis, demand), case in regret.groupby(["hypothesis", "demand"], sort=False):
        means = dict(zip(case["candidate"].astype(str), case["objective_mean"].astype(float),
                         strict=True))
        leader = max(means, key=means.__getitem__)
        for row in case.itertuples(index=False):
            of_gain = float(row.regret_of_gain)
            if of_gain > worst[str(row.candidate)].regret_of_gain:
                worst[str(row.candidate)] = WorstRegret(
                    str(row.candidate), of_gain, means[leader] - float(row.objective_mean),
                    str(hypothesis), str(demand), leader)
    return worst


def most_robust(worst: Mapping[str, WorstRegret]) -> str | None:
    """The finalist whose worst regret is smallest (by name on a tie), as the optimiser."""
    if not worst:
        return None
    return min(worst, key=lambda name: (worst[name].regret_of_gain, name))


def selection_settings(run: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's ``optimise.selection`` settings as ``run.json`` records them."""
    scenario = run.get("scenario") or {}
    optimise = scenario.get("optimise") or {}
    return dict(optimise.get("selection") or {})


def procedure_settings(run: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's ``optimise.procedure`` settings as ``run.json`` records them.

    A run written before the procedure had its own block recorded its selection's
    settings (``regret_replications``, ``looks``...) under ``optimise.selection``: they
    are read from there, under the procedure's own.
    """
    scenario = run.get("scenario") or {}
    optimise = scenario.get("optimise") or {}
    return selection_settings(run) | dict(optimise.get("procedure") or {})


def hypotheses(regret: pd.DataFrame | None) -> list[str]:
    """The hypotheses of the regret table, in its order."""
    if regret is None or regret.empty:
        return []
    return [str(name) for name in dict.fromkeys(regret["hypothesis"])]


def plain_note(note: str) -> str:
    """The optimiser's note with an infinite share said in words ("inf%" reads as an error).

    A regret is an infinite share of a gain where the plan gains nothing over the status
    quo; the note then says so.
    """
    note = re.sub(r"\(inf% of this plan's gain over today's allocation there\)",
                  "(where this plan gains nothing over today's allocation)", note)
    return re.sub(r"\binf ?%", "no share (no gain)", note)


def finite(value: float) -> bool:
    """Whether a value is a number other than NaN or infinity."""
    return not (math.isnan(value) or math.isinf(value))
