"""Choosing the best of several candidates by simulation, with a stated guarantee.

The procedure is KN (Kim and Nelson 2001, "A fully sequential procedure for
indifference-zone selection in simulation", ACM TOMACS 11(3)): every candidate gets
``n0`` replications, then one more per surviving candidate at a time; after each
replication a candidate is dropped once its running mean is further below another
survivor's than a shrinking allowance ``W``.  If the best candidate's mean exceeds every
other by at least ``delta`` (the indifference zone, in objective units), the candidate
left is the best with probability at least ``1 - alpha``.  Larger objectives are better;
to minimise, pass negated values.

The allowance is built from the variance of *paired differences*, so values that share
random numbers (the same replication number gives every candidate the same arrivals)
cancel their common noise and candidates are told apart in fewer replications.

Nothing here knows the simulation: the caller passes a ``sample`` callback that returns
each named candidate's objective on the given replication numbers.  It is called with
batches (all candidates' first ``n0``, then ``batch_size`` more for each survivor), so a
caller can run each batch as one pool of tasks.

Two helpers serve the certificate that follows a choice: a simultaneous one-sided bound
on how much any screened neighbour could beat the chosen candidate
(:func:`neighbour_improvement_bound`), and the chosen candidate's outcome and paired
differences re-estimated on replications never used for choosing
(:func:`fresh_estimate`): picking the best of noisy estimates inflates its score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

Sampler = Callable[[list[str], range], Mapping[str, np.ndarray]]
"""``sample(candidates, replications)``: each named candidate's objective value on each
replication number of ``replications`` (the same numbers for every candidate)."""

StopReason = Literal["one_left", "all_pairs_resolved", "cap_reached", "single_candidate"]

CANDIDATE_COLUMNS = (
    "candidate", "replications", "objective_mean", "ci_low", "ci_high", "eliminated_at",
)


@dataclass(frozen=True)
class SelectionParameters:
    """The settings a selection ran with, and the KN constants they imply.

    Attributes
    ----------
    alpha : float
        One minus the promised probability of correct selection.
    delta : float
        Indifference zone: the smallest difference in the objective worth telling apart.
    n0 : int
        First-stage replications per candidate.
    max_replications : int
        Budget cap on replications per candidate.
    batch_size : int
        Replications added per survivor at each call of the sampler after the first stage.
    first_replication : int
        The first replication number used.
    eta : float
        KN's ``eta`` (0 for a single candidate: nothing to tell apart).
    h_squared : float
        KN's ``h^2 = 2 eta (n0 - 1)``.
    """

    alpha: float
    delta: float
    n0: int
    max_replications: int
    batch_size: int
    first_replication: int
    eta: float
    h_squared: float


@dataclass(frozen=True)
class CandidateOutcome:
    """One candidate's part in a selection.

    Attributes
    ----------
    name : str
        The candidate.
    replications : int
        Replications run for it (with batches, possibly a few past its elimination).
    objective_mean : float
        Mean objective over those replications.
    ci_low, ci_high : float
        Two-sided 95 % t-interval of the mean.
    eliminated_at : int or None
        The replication count at which the procedure dropped it; None for survivors.
    values : numpy.ndarray
        Every value drawn, in replication order from ``first_replication`` (read-only).
    """

    name: str
    replications: int
    objective_mean: float
    ci_low: float
    ci_high: float
    eliminated_at: int | None
    values: np.ndarray = field(compare=False, repr=False)


@dataclass(frozen=True)
class SelectionResult:
    """What a selection chose, whether its guarantee holds, and every candidate's record.

    Attributes
    ----------
    chosen : str
        The selected candidate.
    guarantee_held : bool
        True unless the budget cap stopped the procedure with several survivors, in which
        case ``chosen`` is merely the survivor with the best sample mean.
    stop_reason : str
        ``"one_left"``, ``"all_pairs_resolved"`` (every allowance had shrunk to zero; the
        best mean among survivors was taken, as KN prescribes), ``"cap_reached"`` or
        ``"single_candidate"``.
    parameters : SelectionParameters
        The settings and constants used.
    candidates : tuple of CandidateOutcome
        In the order the candidates were given.
    """

    chosen: str
    guarantee_held: bool
    stop_reason: StopReason
    parameters: SelectionParameters
    candidates: tuple[CandidateOutcome, ...]

    def candidate(self, name: str) -> CandidateOutcome:
        """The record of the candidate called ``name``."""
        for outcome in self.candidates:
            if outcome.name == name:
                return outcome
        raise KeyError(name)

    @property
    def survivors(self) -> tuple[str, ...]:
        """Candidates never eliminated (only ``chosen`` unless ties or the cap)."""
        return tuple(c.name for c in self.candidates if c.eliminated_at is None)

    @property
    def total_replications(self) -> int:
        """Replications run over all candidates: the selection's cost."""
        return sum(c.replications for c in self.candidates)

    @property
    def used_replications(self) -> range:
        """Every replication number any candidate was run on while choosing."""
        first = self.parameters.first_replication
        return range(first, first + max(c.replications for c in self.candidates))

    def fresh_replications(self, count: int) -> range:
        """``count`` replication numbers right after those used for choosing."""
        start = self.used_replications.stop
        return range(start, start + count)

    def samples(self) -> dict[str, np.ndarray]:
        """Each candidate's values, by name."""
        return {c.name: c.values for c in self.candidates}

    def rows(self) -> list[dict[str, object]]:
        """One dictionary per candidate with the keys of :data:`CANDIDATE_COLUMNS`."""
        return [
            dict(zip(CANDIDATE_COLUMNS, (c.name, c.replications, c.objective_mean,
                                         c.ci_low, c.ci_high, c.eliminated_at), strict=True))
            for c in self.candidates
        ]


def kn_constants(alpha: float, n0: int, k: int) -> tuple[float, float]:
    """KN's ``eta`` and ``h^2`` for ``k`` candidates.

    Parameters
    ----------
    alpha : float
        One minus the probability of correct selection, in (0, 0.5).
    n0 : int
        First-stage replications (at least 2).
    k : int
        Number of candidates (at least 2).

    Returns
    -------
    tuple of float
        ``eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2`` and
        ``h^2 = 2 eta (n0 - 1)``.
    """
    if k < 2 or n0 < 2:
        raise ValueError("KN needs at least two candidates and n0 >= 2")
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return eta, 2.0 * eta * (n0 - 1)


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """The mean of ``values`` and its two-sided t-interval.

    Parameters
    ----------
    values : numpy.ndarray
        At least two values.
    confidence : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    tuple of float
        Mean, lower end, upper end (both equal to the mean when the values are constant).
    """
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        raise ValueError("an interval needs at least two values")
    mean = float(data.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2.0, data.size - 1)
                 * data.std(ddof=1) / np.sqrt(data.size))
    return mean, mean - half, mean + half


def _check_settings(names: tuple[str, ...], delta: float, alpha: float, n0: int,
                    max_replications: int, batch_size: int) -> None:
    if not names:
        raise ValueError("no candidates to select from")
    if len(set(names)) != len(names):
        raise ValueError("candidate names must be distinct")
    if not delta > 0:
        raise ValueError("delta (the indifference zone) must be positive")
    if not 0 < alpha < 0.5:
        raise ValueError("alpha must lie in (0, 0.5)")
    if n0 < 2:
        raise ValueError("n0 must be at least 2: the first stage estimates variances")
    if max_replications < n0:
        raise ValueError("max_replications must be at least n0")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")


def _draw(sample: Sampler, names: list[str], replications: range) -> np.ndarray:
    """The sampler's values as a (candidates, replications) array, checked."""
    returned = sample(list(names), replications)
    rows = []
    for name in names:
        if name not in returned:
            raise ValueError(f"sample() returned no values for candidate {name!r}")
        row = np.asarray(returned[name], dtype=float)
        if row.shape != (len(replications),):
            raise ValueError(f"sample() returned {row.shape} values for {name!r}; "
                             f"expected {len(replications)}")
        if not np.all(np.isfinite(row)):
            raise ValueError(f"sample() returned a non-finite value for {name!r}")
        rows.append(row)
    return np.vstack(rows)


def _pairwise_variances(first_stage: np.ndarray) -> np.ndarray:
    """``S^2_il``: sample variance of candidate i's values minus l's, over the first stage."""
    differences = first_stage[:, None, :] - first_stage[None, :, :]
    variances: np.ndarray = differences.var(axis=2, ddof=1)
    return variances


def _allowances(variances: np.ndarray, h_squared: float, delta: float, r: int) -> np.ndarray:
    """``W_il(r) = max(0, delta / (2 r) * (h^2 S^2_il / delta^2 - r))``."""
    allowance: np.ndarray = np.maximum(
        0.0, delta / (2.0 * r) * (h_squared * variances / delta**2 - r))
    return allowance


def _screen(means: np.ndarray, alive: np.ndarray, allowance: np.ndarray) -> np.ndarray:
    """Survivors: alive candidates whose mean no alive rival beats by more than ``W``.

    The candidate with the largest mean always survives (its gaps are <= 0 <= W), so the
    set never empties.
    """
    behind = means[None, :] - means[:, None]  # [i, l]: how far i trails l
    beaten = (behind > allowance) & alive[None, :]
    survivors: np.ndarray = alive & ~beaten.any(axis=1)
    return survivors


class _Store:
    """Values drawn so far: a (candidates, columns) array grown by doubling, NaN if undrawn."""

    def __init__(self, k: int, cap: int, columns: int) -> None:
        self.cap = cap
        self.values = np.full((k, min(cap, columns)), np.nan)
        self.drawn = np.zeros(k, dtype=int)

    def add(self, rows: np.ndarray, block: np.ndarray, start: int) -> None:
        stop = start + block.shape[1]
        if stop > self.values.shape[1]:
            wider = min(self.cap, max(stop, 2 * self.values.shape[1]))
            grown = np.full((self.values.shape[0], wider), np.nan)
            grown[:, : self.values.shape[1]] = self.values
            self.values = grown
        self.values[rows, start:stop] = block
        self.drawn[rows] = stop


def _outcomes(names: tuple[str, ...], store: _Store,
              eliminated_at: list[int | None]) -> tuple[CandidateOutcome, ...]:
    outcomes = []
    for index, name in enumerate(names):
        values = store.values[index, : store.drawn[index]].copy()
        values.setflags(write=False)
        mean, low, high = mean_interval(values)
        outcomes.append(CandidateOutcome(name, int(store.drawn[index]), mean, low, high,
                                         eliminated_at[index], values))
    return tuple(outcomes)


def select_best(candidates: Sequence[str], sample: Sampler, *, delta: float,
                alpha: float = 0.05, n0: int = 10, max_replications: int = 100,
                batch_size: int = 1, first_replication: int = 0) -> SelectionResult:
    """Select the candidate with the largest mean by KN with common random numbers.

    Parameters
    ----------
    candidates : sequence of str
        Distinct candidate names.
    sample : callable
        ``sample(names, replications) -> {name: values}``; each array holds one value per
        replication number, in order.  Replication ``j`` must use the same random numbers
        for every candidate (common random numbers) and the same values on every call.
    delta : float
        Indifference zone in objective units (e.g. 0.02 times a reference objective).
    alpha : float, default 0.05
        The best is chosen with probability at least ``1 - alpha`` when it beats every
        other candidate by ``delta`` or more.
    n0 : int, default 10
        First-stage replications per candidate (at least 2).
    max_replications : int, default 100
        Budget cap per candidate.  Reaching it with several survivors ends the procedure
        without its guarantee; the survivor with the best sample mean is then chosen.
    batch_size : int, default 1
        Replications added per survivor at each call after the first stage.  Screening
        still happens after every single replication, so the choice and the elimination
        points equal those of ``batch_size=1``; only the replications run may exceed them.
    first_replication : int, default 0
        The first replication number; choosing uses numbers from here up.

    Returns
    -------
    SelectionResult
        The choice, whether the guarantee holds, and every candidate's record.
    """
    names = tuple(candidates)
    _check_settings(names, delta, alpha, n0, max_replications, batch_size)
    k = len(names)
    eta, h_squared = kn_constants(alpha, n0, k) if k > 1 else (0.0, 0.0)
    parameters = SelectionParameters(alpha, delta, n0, max_replications, batch_size,
                                     first_replication, eta, h_squared)
    store = _Store(k, max_replications, 4 * n0 + 8 * batch_size)
    everyone = np.ones(k, dtype=bool)
    store.add(everyone, _draw(sample, list(names), range(first_replication,
                                                          first_replication + n0)), 0)
    eliminated_at: list[int | None] = [None] * k
    if k == 1:
        return SelectionResult(names[0], True, "single_candidate", parameters,
                               _outcomes(names, store, eliminated_at))
    variances = _pairwise_variances(store.values[:, :n0])
    alive, sums, r = everyone, store.values[:, :n0].sum(axis=1), n0
    while True:
        allowance = _allowances(variances, h_squared, delta, r)
        survivors = _screen(sums / r, alive, allowance)
        for index in np.flatnonzero(alive & ~survivors):
            eliminated_at[index] = r
        alive = survivors
        reason = _stop_reason(alive, allowance, r, max_replications)
        if reason is not None:
            break
        if store.drawn[alive].min() <= r:
            block = min(batch_size, max_replications - r)
            start = first_replication + r
            alive_names = [names[i] for i in np.flatnonzero(alive)]
            store.add(alive, _draw(sample, alive_names, range(start, start + block)), r)
        r += 1
        sums[alive] += store.values[alive, r - 1]
    means = np.where(alive, sums / r, -np.inf)
    chosen = names[int(np.argmax(means))]  # ties: the first given
    return SelectionResult(chosen, reason != "cap_reached", reason, parameters,
                           _outcomes(names, store, eliminated_at))


def _stop_reason(alive: np.ndarray, allowance: np.ndarray, r: int,
                 cap: int) -> StopReason | None:
    """Why the procedure stops after screening at ``r``, or None to go on."""
    if int(alive.sum()) == 1:
        return "one_left"
    # With every allowance among survivors at zero, screening keeps only the largest
    # mean: KN's last stage.  Survivors here are exact ties (constant values, say).
    if not np.any(allowance[np.ix_(alive, alive)] > 0):
        return "all_pairs_resolved"
    if r >= cap:
        return "cap_reached"
    return None


@dataclass(frozen=True)
class NeighbourDifference:
    """How much one neighbour might beat the chosen candidate.

    Attributes
    ----------
    name : str
        The neighbour.
    replications : int
        Paired replications used.
    mean_difference : float
        Mean of (neighbour - chosen): positive when the neighbour did better.
    upper_bound : float
        Its one-sided upper bound at the Bonferroni-adjusted level.
    """

    name: str
    replications: int
    mean_difference: float
    upper_bound: float


@dataclass(frozen=True)
class NeighbourBound:
    """A simultaneous upper bound on the largest improvement any neighbour offers.

    Attributes
    ----------
    bound : float
        With probability at least ``confidence``, no neighbour's true mean exceeds the
        chosen candidate's by more than this.
    confidence : float
        Simultaneous coverage.
    worst_neighbour : str
        The neighbour whose upper bound is the largest.
    neighbours : tuple of NeighbourDifference
        Each neighbour's paired difference, in the order given.
    """

    bound: float
    confidence: float
    worst_neighbour: str
    neighbours: tuple[NeighbourDifference, ...]

    def within(self, delta: float) -> bool:
        """Whether no neighbour improves the objective by ``delta`` or more."""
        return self.bound < delta


def neighbour_improvement_bound(chosen: np.ndarray, neighbours: Mapping[str, np.ndarray],
                                confidence: float = 0.95) -> NeighbourBound:
    """Simultaneous one-sided bound on max over neighbours of (neighbour - chosen) means.

    Each neighbour's paired differences get a one-sided t upper bound at level
    ``1 - (1 - confidence) / m`` for ``m`` neighbours (Bonferroni), so all ``m`` bounds
    hold together with probability at least ``confidence``, and so does their maximum as
    a bound on the largest true improvement.

    Parameters
    ----------
    chosen : numpy.ndarray
        The chosen candidate's values, one per replication number.
    neighbours : mapping of str to numpy.ndarray
        Each neighbour's values on the same replication numbers, in the same order.  A
        neighbour with fewer values (e.g. one screened out early) is paired with the
        chosen candidate's first values; each needs at least two.  Values taken from the
        selection itself favour the chosen candidate; fresh replications avoid that.
    confidence : float, default 0.95
        Simultaneous coverage.

    Returns
    -------
    NeighbourBound
        The bound, the neighbour that sets it, and each paired difference.
    """
    if not neighbours:
        raise ValueError("no neighbours to bound")
    base = np.asarray(chosen, dtype=float)
    level = 1.0 - (1.0 - confidence) / len(neighbours)
    records = []
    for name, values in neighbours.items():
        other = np.asarray(values, dtype=float)
        if not 2 <= other.size <= base.size:
            raise ValueError(f"neighbour {name!r} needs between 2 and {base.size} values")
        difference = other - base[: other.size]
        mean = float(difference.mean())
        margin = float(stats.t.ppf(level, other.size - 1)
                       * difference.std(ddof=1) / np.sqrt(other.size))
        records.append(NeighbourDifference(name, int(other.size), mean, mean + margin))
    worst = max(records, key=lambda record: record.upper_bound)
    return NeighbourBound(worst.upper_bound, confidence, worst.name, tuple(records))


def looks_taken(looks: Sequence[int], after: int, before: int) -> list[int]:
    """The looks a sequential check takes, in order: those after ``after`` and before ``before``."""
    return sorted({n for n in looks if after < n < before})


Draw = Callable[[Sequence[str], int], tuple[np.ndarray, Mapping[str, np.ndarray]]]
"""``draw(names, count)``: the chosen candidate's values and each named neighbour's on the
first ``count`` replications, paired; a neighbour left out is no alternative."""


def neighbour_bound_with_looks(draw: Draw, names: Sequence[str], stops: Sequence[int],
                               delta: float, confidence: float = 0.95
                               ) -> NeighbourBound | None:
    """:func:`neighbour_improvement_bound`, settling each neighbour at the first look it can.

    At each of ``stops`` (increasing replication counts, the last the most there will be)
    the neighbours not yet settled get one-sided bounds at ``(1 - confidence) / (looks x
    neighbours)`` each, counting the neighbours ``draw`` keeps at the first look; one
    whose bound is below ``delta`` is settled there, and the rest go on to the next look,
    where all left are settled.  Every bound of every look holds together with
    probability at least ``confidence`` (Bonferroni), so the largest bound settled is a
    simultaneous bound on any neighbour's improvement, as with one look (which it then
    is); a neighbour clearly worse than the chosen candidate stops costing replications
    early.

    Returns
    -------
    NeighbourBound or None
        Over the neighbours settled (each with the replications it was settled on), or
        None when ``draw`` leaves every neighbour out.
    """
    open_ = list(names)
    settled: dict[str, NeighbourDifference] = {}
    share = 0.0
    for number, stop in enumerate(stops, start=1):
        chosen, values = draw(open_, stop)
        kept = [name for name in open_ if name in values]
        if not kept:
            break
        share = share or (1.0 - confidence) / (len(stops) * len(kept))
        found = neighbour_improvement_bound(chosen, {name: values[name] for name in kept},
                                            confidence=1.0 - share * len(kept))
        settled |= {record.name: record for record in found.neighbours
                    if number == len(stops) or record.upper_bound < delta}
        open_ = [name for name in kept if name not in settled]
        if not open_:
            break
    if not settled:
        return None
    records = tuple(settled[name] for name in names if name in settled)
    worst = max(records, key=lambda record: record.upper_bound)
    return NeighbourBound(worst.upper_bound, confidence, worst.name, records)


@dataclass(frozen=True)
class PairedDifference:
    """The chosen candidate against one alternative on fresh replications.

    Attributes
    ----------
    alternative : str
        The alternative.
    mean_difference : float
        Mean of (chosen - alternative): positive when the chosen candidate did better.
    ci_low, ci_high : float
        Two-sided t-interval of that mean.
    """

    alternative: str
    mean_difference: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class FreshEstimate:
    """The chosen candidate's objective re-estimated on replications not used to choose.

    Attributes
    ----------
    chosen : str
        The chosen candidate.
    replications : range
        The replication numbers used (disjoint from those used for choosing).
    mean, ci_low, ci_high : float
        The chosen candidate's mean objective and its two-sided t-interval.
    differences : tuple of PairedDifference
        Paired differences against each alternative, in the order given.
    samples : dict of str to numpy.ndarray
        Every value drawn, by candidate.
    """

    chosen: str
    replications: range
    mean: float
    ci_low: float
    ci_high: float
    differences: tuple[PairedDifference, ...]
    samples: dict[str, np.ndarray] = field(compare=False, repr=False)


def fresh_estimate(sample: Sampler, chosen: str, alternatives: Sequence[str],
                   replications: range, *, used: range | None = None,
                   confidence: float = 0.95) -> FreshEstimate:
    """Estimate the chosen candidate and its paired differences on fresh replications.

    The winner of a selection is, on the replications that chose it, luckier than its
    true mean; an unbiased estimate needs replications the selection never saw.  The
    caller supplies them as ``replications``, e.g.
    ``result.fresh_replications(30)`` or a separate seed range, and may pass
    ``used=result.used_replications`` to have any overlap refused.

    Parameters
    ----------
    sample : callable
        The same kind of callback as for :func:`select_best` (common random numbers).
    chosen : str
        The chosen candidate.
    alternatives : sequence of str
        Candidates (or comparators) to compare it with.
    replications : range
        Fresh replication numbers, at least two.
    used : range, optional
        Replication numbers used for choosing; overlap raises ``ValueError``.
    confidence : float, default 0.95
        Coverage of each two-sided interval (not adjusted for multiplicity).

    Returns
    -------
    FreshEstimate
        The chosen candidate's mean and interval, and each paired difference.
    """
    if len(replications) < 2:
        raise ValueError("a fresh estimate needs at least two replications")
    if used is not None and any(number in used for number in replications):
        raise ValueError("fresh replications overlap those used for choosing")
    others = [name for name in alternatives if name != chosen]
    names = [chosen, *others]
    values = _draw(sample, names, replications)
    mean, low, high = mean_interval(values[0], confidence)
    differences = []
    for index, name in enumerate(others, start=1):
        difference, diff_low, diff_high = mean_interval(values[0] - values[index], confidence)
        differences.append(PairedDifference(name, difference, diff_low, diff_high))
    return FreshEstimate(chosen, replications, mean, low, high, tuple(differences),
                         dict(zip(names, values, strict=True)))
