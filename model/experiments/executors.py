"""Where replications run: a local process pool (default) or a Dask cluster.

Both call the same pure function with the same arguments, and replication
``r`` always draws from ``SeedSequence([seed, r])``, so for the same scenario
and seed both give identical results, whatever the number of workers.
"""

from __future__ import annotations

import enum
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

Result = TypeVar("Result")


class ExecutorKind(enum.StrEnum):
    """Where replications run."""

    LOCAL = "local"
    DASK = "dask"


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster made for the run.

    The local cluster listens on the loopback address only and starts no
    dashboard, so a run opens nothing to the network.
    """
    from distributed import Client, LocalCluster  # imported only when Dask is asked for

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def dask_map(function: Callable[..., Result], tasks: Sequence[tuple[Any, ...]],
             scheduler: str | None, workers: int,
             done: Callable[[int, Result], None]) -> None:
    """Run ``function(*task)`` for every task on Dask; call ``done(index, result)`` as each ends."""
    from distributed import as_completed

    with dask_client(scheduler, workers) as client:
        futures = {client.submit(function, *task, pure=False): index
                   for index, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                done(futures[future], future.result())
        except BaseException:
            client.cancel(list(futures))
            raise


def local_map(function: Callable[..., Result], tasks: Sequence[tuple[Any, ...]], workers: int,
              done: Callable[[int, Result], None]) -> None:
    """Run ``function(*task)`` for every task in a local process pool, as :func:`dask_map`.

    One task, or one worker, runs here in this process.  Workers block Ctrl-C and
    SIGTERM: a Ctrl-C in a terminal reaches the whole process group, and this process
    alone decides how to stop (no worker tracebacks).
    """
    if workers <= 1 or len(tasks) <= 1:
        for index, task in enumerate(tasks):
            done(index, function(*task))
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)),
                             initializer=signal.pthread_sigmask,
                             initargs=(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}),
                             ) as pool:
        try:
            futures = {pool.submit(function, *task): index for index, task in enumerate(tasks)}
            for future in as_completed(futures):
                done(futures[future], future.result())
        except BaseException:
            # Ctrl-C, SIGTERM or a failed task: drop what has not started and kill what
            # has, rather than wait minutes for results no one will use.  (The executor
            # has no public way to stop a running task before 3.14.)
            running = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in running:
                process.kill()
            raise
