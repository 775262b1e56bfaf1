"""The one place runs are handed to workers: a ``concurrent.futures.Executor``.

:func:`make_executor` gives a local process pool by default, or a Dask executor when a
scheduler is named: ``"local"`` starts a ``distributed.LocalCluster`` on this machine (one
single-threaded worker process per ``workers``), and an address such as
``tcp://10.0.0.5:8786`` joins an existing cluster (for example one started on SLURM or PBS
with dask-jobqueue). Everything else in a batch only sees ``submit`` and futures.

Dask is optional (``uv sync --extra distributed``) and imported only when asked for.

Local services: a LocalCluster serves no HTTP unless asked. Dask's scheduler always starts an
HTTP server (``Scheduler.__init__`` calls ``start_http_server`` whatever ``dashboard`` says);
``LocalCluster(dashboard_address=None)`` only turns the Bokeh pages off, and the server then
falls back to port 8787 of the scheduler's host, serving its JSON, Prometheus and health routes
(``/json/identity.json`` answered 200 there). So matsim binds it to 127.0.0.1 on a random port
with no routes at all (and the workers' HTTP servers with no routes), unless
``dashboard_address`` asks for Dask's dashboard.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any
from urllib.parse import urlsplit

DASK_HINT = "install with: uv sync --extra distributed"


class ExecutorError(ValueError):
    """The executor cannot be started as asked; the message is one line."""


def default_workers() -> int:
    return os.cpu_count() or 1


def executor_slots(executor: Executor) -> int:
    """How many runs the executor can work on at once (for bounding runs in flight)."""
    return int(getattr(executor, "matsim_slots", None) or default_workers())


def check_executor_options(
    workers: int | None, scheduler: str | None, dashboard_address: str | None = None
) -> None:
    if workers is not None and workers < 1:
        raise ExecutorError(f"--workers: {workers} is out of range; allowed 1 or more")
    if scheduler is not None and scheduler != "local" and "://" not in scheduler:
        raise ExecutorError(
            f"--scheduler: {scheduler[:60]!r} is not allowed; use 'local' or a scheduler address "
            "such as tcp://HOST:8786 or tls://HOST:8786"
        )
    if dashboard_address is not None and scheduler != "local":
        raise ExecutorError(
            "--dask-dashboard: only with --scheduler local (a cluster you join serves its own)"
        )


LOCAL_HOST = "127.0.0.1"


def local_cluster_options(workers: int, dashboard_address: str | None = None) -> dict[str, Any]:
    """Keyword arguments of ``distributed.LocalCluster``: one single-threaded worker process
    per run slot, everything on 127.0.0.1, and no HTTP routes unless a dashboard is asked for."""
    options: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "host": LOCAL_HOST,
    }
    if dashboard_address:
        return {**options, "dashboard_address": dashboard_address}
    return {
        **options,
        "dashboard_address": None,
        # the scheduler's HTTP server starts regardless; keep it off 8787 and off the network
        "scheduler_kwargs": {"dashboard": False, "dashboard_address": f"{LOCAL_HOST}:0"},
    }


# Dask config while a LocalCluster without dashboard runs: its HTTP servers serve nothing
QUIET_HTTP = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}


def probe_scheduler(address: str, timeout_s: float = 5.0) -> None:
    """Fail in a moment, not after Dask's 10 s of retries, when nothing listens at a
    ``tcp://``/``tls://`` address (other protocols are left to Dask)."""
    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls"):
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise ExecutorError(
            f"--scheduler: {address[:60]!r} is not allowed; give HOST:PORT, e.g. tcp://HOST:8786"
        )
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as err:
        reason = err.strerror or str(err) or type(err).__name__
        raise ExecutorError(f"--scheduler: cannot connect to {address}: {reason}") from None


@contextlib.contextmanager
def make_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard_address: str | None = None,
) -> Iterator[Executor]:
    """An Executor for the duration of the ``with`` block; shut down (and any cluster closed)
    on exit.

    Args:
        workers: processes (process pool or LocalCluster); default ``os.cpu_count()``. Ignored
            when joining an existing cluster, whose size is its own.
        scheduler: ``None`` for a process pool, ``"local"`` for a Dask LocalCluster, or a
            scheduler address (``tcp://host:port``, ``tls://host:port``) to join.
        dashboard_address: with ``"local"`` only: serve Dask's dashboard there (e.g.
            ``127.0.0.1:8787``); by default nothing is served.

    Raises:
        ExecutorError: bad options, Dask not installed, or the scheduler unreachable.
    """
    check_executor_options(workers, scheduler, dashboard_address)
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
            if not dashboard_address:
                import dask

                stack.enter_context(dask.config.set(QUIET_HTTP))
            cluster = stack.enter_context(
                distributed.LocalCluster(**local_cluster_options(n, dashboard_address))
            )
            client = stack.enter_context(distributed.Client(cluster))
        else:
            probe_scheduler(scheduler)
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="10s"))
            except Exception as err:  # refused, timed out, TLS not configured (TypeError), ...
                reason = (str(err).splitlines() or [type(err).__name__])[0][:200]
                hint = (
                    "; a tls:// scheduler needs Dask's TLS settings (see README, 'Securing a "
                    "cluster')"
                    if scheduler.startswith("tls://") and "TLS" in reason
                    else ""
                )
                raise ExecutorError(
                    f"--scheduler: cannot connect to {scheduler}: {reason}{hint}"
                ) from None
            n = sum(client.nthreads().values()) or 1
        executor = client.get_executor(pure=False)
        executor.matsim_slots = n  # type: ignore[attr-defined]
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
