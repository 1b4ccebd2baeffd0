"""One background queue for the page's runs: one job at a time, with every core.

Twenty leaders moving levers at once never start twenty pools of processes: every run
they ask for waits in one queue, and one worker thread runs each in turn with all the
machine's cores (or on a Dask cluster), so the machine is never oversubscribed.  A job
counts the replications it has finished, for the page's progress bar; the page shows each
waiting job's place in the queue.  Each finished run is written to the cache folder as a
run folder (the command line's format) and held as the answer to its scenario.

Jobs have owners, the sessions that asked for them: the same question from two sessions
is one job with two owners.  A session sees only the jobs it owns, and cancelling removes
it from the owners; a job no one owns any more stops (a waiting one never starts, a running
one at its next finished replication: the pool's processes are stopped and nothing is
written, since a run folder is written only once every replication is in).  The queue
takes at most so many jobs per session and in all (``app.limits``).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.catalogue import Catalogue, answer_key
from app.folders import Option
from app.levers import LINE, LINE_TIERS, Moves, check, lever_values, moves
from app.limits import Limits
from model.experiments.executors import ExecutorKind
from model.experiments.replications import Replications, run_replications
from model.experiments.summaries import result_tables
from model.experiments.sweep import Point, run_points
from model.runs.record import EVENTS_ONLY, run_info
from model.runs.sizing import SizeLimits, check_size, default_limits, estimate_run
from model.scenario import Scenario
from reports import run_folder as files

ACTIVE = ("queued", "running")


class Cancelled(Exception):
    """Raised in the worker thread when a job's last owner has cancelled it."""


class LimitError(Exception):
    """A job the queue will not take; the message says which limit and what to do."""


@dataclass
class Job:
    """One run (or one batch of runs) the queue holds.

    ``state`` is ``queued``, ``running``, ``done``, ``failed`` or ``cancelled``; ``done``
    counts the replications finished of ``total``; ``option`` is the option a finished run
    added; ``owners`` are the sessions that asked for it and have not cancelled.
    """

    number: int
    title: str
    total: int
    done: int = 0
    state: str = "queued"
    message: str = ""
    option: str = ""
    key: str = ""
    submitted: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    owners: set[str] = field(default_factory=set)

    def advance(self, finished: int) -> None:
        """Count replications just finished (called from the worker thread).

        Raises
        ------
        Cancelled
            If no owner is left: the run stops here, its pool with it.
        """
        self.done += finished
        self.stop_if_unowned()

    def stop_if_unowned(self) -> None:
        """Raise :class:`Cancelled` if every owner has cancelled the job."""
        if not self.owners:
            raise Cancelled(self.title)

    @property
    def share(self) -> float:
        """The share of its replications finished, 0 to 1."""
        return min(1.0, self.done / self.total) if self.total else 0.0


Work = Callable[[Job], None]


@dataclass(frozen=True)
class Settings:
    """Where and how the queue runs replications."""

    workers: int
    executor: ExecutorKind = ExecutorKind.LOCAL
    scheduler: str | None = None


class Runner:
    """The queue and its one worker thread (started on the first job)."""

    def __init__(self, catalogue: Catalogue, settings: Settings,
                 limits: Limits | None = None) -> None:
        self.catalogue = catalogue
        self.settings = settings
        self.limits = limits or Limits()
        self._queue: queue.Queue[tuple[Job, Work]] = queue.Queue()
        self._jobs: list[Job] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._thread: threading.Thread | None = None

    def jobs(self) -> list[Job]:
        """Every job, oldest first."""
        with self._lock:
            return list(self._jobs)

    def active(self) -> int:
        """How many jobs wait or run for someone (cancelled ones still stopping not counted)."""
        with self._lock:
            return sum(job.state in ACTIVE and bool(job.owners) for job in self._jobs)

    def owned(self, owner: str) -> list[Job]:
        """The jobs a session owns, oldest first."""
        with self._lock:
            return [job for job in self._jobs if owner in job.owners]

    def job(self, number: int, owner: str | None = None) -> Job | None:
        """The job of a number (only if ``owner`` owns it, when given), or None."""
        with self._lock:
            return next((job for job in self._jobs if job.number == number
                         and (owner is None or owner in job.owners)), None)

    def position(self, job: Job) -> int:
        """0 for the running job, ``k`` for the ``k``-th waiting, -1 when finished."""
        if job.state == "running":
            return 0
        if job.state != "queued":
            return -1
        waiting = [j for j in self.jobs() if j.state == "queued"]
        return 1 + waiting.index(job) if job in waiting else -1

    def run_limits(self) -> SizeLimits:
        """The limits of a page run: the machine's memory, and the page's longest run."""
        return SizeLimits(default_limits().memory_bytes, self.limits.run_seconds)

    def check_size(self, scenario: Scenario, replications: int,
                   variants: tuple[Scenario, ...] = ()) -> None:
        """Refuse a run the command line's estimate finds too long for the page.

        Raises
        ------
        SizeError
            With the estimate and what to shrink.
        """
        check_size(estimate_run(scenario, replications, self.settings.workers, variants),
                   self.run_limits())

    def _room(self, owner: str, new: bool) -> None:
        """Raise :class:`LimitError` if ``owner`` (or the page) has as many jobs as allowed."""
        active = [job for job in self._jobs if job.state in ACTIVE and job.owners]
        mine = sum(owner in job.owners for job in active)
        if owner and mine >= self.limits.jobs_per_session:
            raise LimitError(f"Not queued: you have {mine} runs waiting or running, the most "
                             "one session may have; wait for one to finish, or cancel one "
                             "under Runs.")
        if new and len(active) >= self.limits.jobs_in_all:
            raise LimitError(f"Not queued: {len(active)} runs are waiting or running on this "
                             "page, the most it takes at once; ask again when one has "
                             "finished.")

    def submit(self, title: str, total: int, work: Work, key: str = "",
               owner: str = "") -> Job:
        """Queue a job for ``owner``; the same answer asked again joins the job queued.

        Raises
        ------
        LimitError
            If the owner, or the page, has as many jobs waiting or running as allowed.
        """
        with self._lock:
            same = next((j for j in self._jobs if key and j.key == key
                         and j.state in ACTIVE and j.owners), None)
            if same is not None:
                if owner not in same.owners:
                    self._room(owner, new=False)
                    same.owners.add(owner)
                return same
            self._room(owner, new=True)
            job = Job(next(self._numbers), title, total, key=key, owners={owner})
            self._jobs.append(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="page-runs",
                                                daemon=True)
                self._thread.start()
        self._queue.put((job, work))
        return job

    def cancel(self, number: int, owner: str) -> str:
        """Take ``owner`` off a job's owners; the job stops when none is left.

        Returns what the page tells the session.
        """
        with self._lock:
            job = next((j for j in self._jobs if j.number == number and owner in j.owners),
                       None)
            if job is None:
                return "That run is not one of yours."
            job.owners.discard(owner)
            if job.owners:
                return f"Cancelled for you: {job.title} (another session still waits for it)."
            if job.state == "queued":
                job.state = "cancelled"
        return f"Cancelled: {job.title}."

    def _work(self) -> None:
        while True:
            job, work = self._queue.get()
            with self._lock:
                if not job.owners:  # cancelled while it waited
                    job.state = "cancelled"
                    continue
                job.state = "running"
            started = time.monotonic()
            try:
                work(job)
                job.state = "done"
            except Cancelled:
                job.state, job.message = "cancelled", "cancelled; nothing was kept"
            except Exception as error:  # a failed run is reported on the page, never raised
                job.state, job.message = "failed", f"{type(error).__name__}: {error}"
            job.seconds = time.monotonic() - started

    # -- the page's runs ---------------------------------------------------------------

    def _replicate(self, scenario: Scenario, first: int, job: Job) -> Replications:
        return run_replications(scenario, scenario.replications, self.settings.workers,
                                job.advance, first=first, executor=self.settings.executor,
                                scheduler=self.settings.scheduler)

    def _write(self, key: str, scenario: Scenario, results: Replications, base: Option,
               overrides: tuple[str, ...], first: int, seconds: float) -> Path:
        """Write a finished run into the cache folder and hold it as the key's answer."""
        info = run_info(scenario, self.settings.workers, seconds, ["serve"], EVENTS_ONLY)
        info["page"] = {"base": base.key, "base_folder": str(base.folder),
                        "overrides": list(overrides), "first_replication": first}
        folder = self.catalogue.cache / key
        files.write_run_folder(folder, files.result_files(result_tables(results)), info,
                               force=True)
        self.catalogue.index(folder, key)
        return folder

    def run_option(self, base: Option, scenario: Scenario, asked: Moves, owner: str = "") -> Job:
        """Queue a run of a moved scenario; when done, its answer becomes an option.

        Raises
        ------
        LimitError
            If the owner, or the page, has as many jobs as allowed.
        """
        key = answer_key(scenario, base.first)

        def work(job: Job) -> None:
            started = time.monotonic()
            results = self._replicate(scenario, base.first, job)
            job.stop_if_unowned()
            self._write(key, scenario, results, base, asked.overrides, base.first,
                        time.monotonic() - started)
            job.option = self.catalogue.shown_answer(key, base, asked.overrides,
                                                     asked.words).key

        title = f"{base.key} · {', '.join(asked.words) or 'again'}"
        return self.submit(title, scenario.replications, work, key, owner)

    def build_cache(self, base: Option, scenario: Scenario, owner: str = "") -> Job:
        """Queue the common moves from an option as one sweep, skipping those cached.

        The moves are :func:`common_moves`: a post more or fewer in each state and rank,
        and each line tier.

        Raises
        ------
        SizeError
            If the sweep is too long for the page.
        LimitError
            If the owner, or the page, has as many jobs as allowed.
        """
        points, scenarios, asked = [], {}, {}
        for number, (values, move) in enumerate(common_moves(base)):
            checked = check(scenario, move)
            if checked.scenario is None or self.catalogue.cached(
                    answer_key(checked.scenario, base.first)):
                continue
            point = Point(number, values)
            points.append(point)
            scenarios[point.name], asked[point.name] = checked.scenario, move

        def write(point: Point, moved: Scenario, results: Replications) -> None:
            self._write(answer_key(moved, base.first), moved, results, base,
                        asked[point.name].overrides, base.first, 0.0)

        def work(job: Job) -> None:
            run_points(scenarios, points, write, self.settings.workers, job.advance,
                       self.settings.executor, self.settings.scheduler)
            job.message = f"{len(points)} lever moves cached"

        total = sum(s.replications for s in scenarios.values())
        if scenarios:
            self.check_size(scenario, total, tuple(scenarios.values()))
        return self.submit(f"cache of {len(points)} lever moves from {base.key}", total, work,
                           f"cache:{base.key}:{scenario.replications}", owner)


def common_moves(base: Option) -> list[tuple[dict[str, str], Moves]]:
    """The moves a briefing asks most, each as the fields it changes and the moves they make.

    One post more or fewer in each state and rank, and each line tier.
    """
    recorded = base.scenario or {}
    values = lever_values(recorded)
    found = []
    for path, text in values.items():
        if path.startswith("states.") and path.endswith(".posts"):
            for step in (1, -1):
                if int(text or 0) + step >= 0:
                    found.append({path: str(int(text or 0) + step)})
    found += [{LINE: str(tier)} for tier in LINE_TIERS if str(tier) != values[LINE]]
    return [(changed, moves({**values, **changed}, recorded)) for changed in found]
