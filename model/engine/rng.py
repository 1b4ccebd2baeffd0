"""Random numbers: streams keyed by what they serve.

Every draw in a replication comes from a generator spawned from
``SeedSequence([seed, replication])``.  Two scenarios run with the same seed share
common random numbers, and as many of them as they can, because each kind of draw
has a stream of its own, keyed by position rather than spawned in turn:

- each year's tip-offs of a state and source (referral or local report), with their
  priority, size and arrest and charge draws, come from streams of their own
  (``model.engine.arrivals.Column``), so a campaign that adds local reports in one
  state moves no other tip-off, and within that year and state the tip-offs both
  scenarios have keep their draws;
- the draws made as work is done (efforts, waits, yes-or-no decisions) come from one
  stream per kind and place, taken in the order the work is done
  (:class:`ServiceDraws`).  Drawn from one stream per activity shared by every state
  instead, a plan that served cases in another order handed every later draw to
  another case and another state, and two plans one post apart differed by as much
  luck as two independent runs;
- each established post has a stream of its own (:func:`post_stream`) for its
  holders' departures, so a post added in one state leaves every other post's
  departures as they were.

Never renumber the members of :class:`Keyed` and :class:`Draw`; only append.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

import numpy as np


class Keyed(IntEnum):
    """First spawn key of streams named by position rather than spawned in turn."""

    INITIAL_STATE = 8  # (INITIAL_STATE,): the starting state's draws (the ninth child the
    # former one-stream-per-activity scheme spawned, so starting states keep their numbers)
    POST = 1_000  # (POST, pool, group, post): one post's holders
    SEGMENT = 1_001  # (SEGMENT, year, state, local): one year's tip-offs of a state and source
    BACKLOG = 1_002  # (BACKLOG,): the tip-offs already in the pipeline at the start
    SERVICE = 1_003  # (SERVICE, kind, place): draws made as work is done (ServiceDraws)


def keyed_stream(seed: int, replication: int, key: tuple[int, ...]) -> np.random.Generator:
    """The stream of the thing named by ``key`` (see :class:`Keyed`).

    Keyed by position, its draws do not depend on how much other things drew.
    """
    return np.random.default_rng(np.random.SeedSequence([seed, replication], spawn_key=key))


def post_stream(seed: int, replication: int, pool: int, group: int,
                post: int) -> np.random.Generator:
    """The stream of one post's holders: the ``post``-th of group ``group`` of pool ``pool``."""
    return keyed_stream(seed, replication, (Keyed.POST.value, pool, group, post))


class Draw(IntEnum):
    """A kind of draw made as work is done: each has a stream of its own at each place."""

    TRIAGE = 0  # HQ: a triage's effort, in multiples of its mean
    DOWNLOAD = 1  # HQ: uniform, the evidence is still there when below the chance
    REVIEW = 2  # HQ: a review's effort
    SUBSCRIBER_WAIT = 3  # HQ: the wait for subscriber data, in multiples of its mean
    IDENTIFY = 4  # HQ: uniform, identified when below the chance at the case's age
    ACTIONABLE = 5  # HQ: uniform
    DEVICES = 6  # HQ: the devices a raid seized beyond the first (Poisson)
    EXAM = 7  # HQ: one device's examination effort
    CASEWORK = 8  # a state: a case's casework effort
    OFFICER = 9  # a state: a case's officer work effort
    WARRANT_WAIT = 10  # a state: the investigation's waits, in multiples of their mean
    ABROAD = 11  # a state: uniform, evidence needed from abroad when below the share
    MLA_WAIT = 12  # a state: the mutual legal assistance wait, in multiples of its mean
    RAID = 13  # a state: uniform, a raid follows when below the chance


_EFFORTS = frozenset({Draw.TRIAGE, Draw.REVIEW, Draw.EXAM, Draw.CASEWORK, Draw.OFFICER})
_WAITS = frozenset({Draw.SUBSCRIBER_WAIT, Draw.WARRANT_WAIT, Draw.MLA_WAIT})


class ServiceDraws:
    """The draws made as work is done, in the order it is done, by kind and place.

    The ``k``-th review at HQ takes the ``k``-th review effort and the ``k``-th
    identification draw; the ``k``-th investigation a state concludes takes that
    state's ``k``-th raid draw; whichever case that is.  Where capacity binds, two
    plans serve different cases (HQ takes the newest first), so draws tied to the
    case would differ between them as much as independent runs; tied to the order
    of service they are shared, and a state that concludes as many investigations
    in both decides as many raids.  Each (kind, place) has a stream of its own
    (:func:`keyed_stream`), so one kind's draws never shift another's.

    Efforts are multiples of the task's mean (gamma, mean 1, coefficient of variation
    ``effort_cv``); waits multiples of theirs (exponential, mean 1); decisions
    uniforms on [0, 1); devices beyond the first, Poisson of mean
    ``devices_per_raid - 1``.
    """

    PLACES = 16  # HQ and the 14 states, and room to spare
    BLOCK = 256  # draws made at a time, by kind and place

    def __init__(self, seed: int, replication: int, effort_cv: float,
                 devices_per_raid: float) -> None:
        self.seed, self.replication = seed, replication
        self.shape = 1.0 / (effort_cv * effort_cv)
        self.extra_devices = max(devices_per_raid - 1.0, 0.0)
        count = len(Draw) * self.PLACES
        self._values: list[list[float]] = [[] for _ in range(count)]
        self._used = [0] * count
        self._fills: list[Callable[[int], np.ndarray] | None] = [None] * count

    def next(self, kind: Draw, place: int = 0) -> float:
        """The next draw of ``kind`` at ``place`` (a state's index; 0 at HQ)."""
        index = kind * self.PLACES + place
        used, values = self._used[index], self._values[index]
        if used == len(values):
            values = self._values[index] = self._fill(index)(self.BLOCK).tolist()
            used = 0
        self._used[index] = used + 1
        return values[used]

    def _fill(self, index: int) -> Callable[[int], np.ndarray]:
        """The stream of the kind and place at ``index``, as a function drawing so many."""
        fill = self._fills[index]
        if fill is None:
            fill = self._fills[index] = self._open(Draw(index // self.PLACES),
                                                   index % self.PLACES)
        return fill

    def _open(self, kind: Draw, place: int) -> Callable[[int], np.ndarray]:
        generator = keyed_stream(self.seed, self.replication,
                                 (Keyed.SERVICE.value, kind.value, place))
        if kind in _EFFORTS:
            shape, scale = self.shape, 1.0 / self.shape
            return lambda size: generator.gamma(shape, scale, size)
        if kind in _WAITS:
            return generator.standard_exponential
        if kind is Draw.DEVICES:
            mean = self.extra_devices
            return lambda size: generator.poisson(mean, size).astype(float)
        return generator.random
