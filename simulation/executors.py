"""The one place runs are handed to workers: a ``concurrent.futures.Executor``.

:func:`make_executor` gives a local process pool by default, or a Dask executor when a
scheduler is named: ``"local"`` starts a ``distributed.LocalCluster`` on this machine (one
single-threaded worker process per ``workers``), and an address such as
``tcp://10.0.0.5:8786`` joins an existing cluster (for example one started on SLURM or PBS
with dask-jobqueue). Everything else in a batch only sees ``submit`` and futures.

Dask is optional (``uv sync --extra distributed``) and imported only when asked for.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

DASK_HINT = "install with: uv sync --extra distributed"


class ExecutorError(ValueError):
    """The executor cannot be started as asked; the message is one line."""


def default_workers() -> int:
    return os.cpu_count() or 1


def executor_slots(executor: Executor) -> int:
    """How many runs the executor can work on at once (for bounding runs in flight)."""
    return int(getattr(executor, "matsim_slots", None) or default_workers())


def check_executor_options(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and workers < 1:
        raise ExecutorError(f"--workers: {workers} is out of range; allowed 1 or more")
    if scheduler is not None and scheduler != "local" and "://" not in scheduler:
        raise ExecutorError(
            f"--scheduler: {scheduler!r} is not allowed; use 'local' or a scheduler address "
            "such as tcp://HOST:8786"
        )


@contextlib.contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """An Executor for the duration of the ``with`` block; shut down (and any cluster closed)
    on exit.

    Args:
        workers: processes (process pool or LocalCluster); default ``os.cpu_count()``. Ignored
            when joining an existing cluster, whose size is its own.
        scheduler: ``None`` for a process pool, ``"local"`` for a Dask LocalCluster, or a
            scheduler address (``tcp://host:port``) to join.

    Raises:
        ExecutorError: bad options, Dask not installed, or the scheduler unreachable.
    """
    check_executor_options(workers, scheduler)
    if scheduler is None:
        n = workers or default_workers()
        pool = ProcessPoolExecutor(max_workers=n)
        pool.matsim_slots = n  # type: ignore[attr-defined]
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    try:
        import distributed
    except ImportError:
        raise ExecutorError(
            f"--scheduler needs Dask, which is not installed; {DASK_HINT}"
        ) from None
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            n = workers or default_workers()
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="10s"))
            except (OSError, TimeoutError) as err:
                raise ExecutorError(
                    f"--scheduler: cannot connect to {scheduler}: {str(err).splitlines()[0]}"
                ) from None
            n = sum(client.nthreads().values()) or 1
        executor = client.get_executor(pure=False)
        executor.matsim_slots = n  # type: ignore[attr-defined]
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
