"""Run a batch: hand runs to an Executor, let each worker write its own tables, resume.

Layout of a batch directory::

    manifest.json               batch spec, design points, every run with its status
    runs/<run_id>/              one complete run: {model,trusts,schools,events}.parquet and
                                done.json (run metadata, written last). The directory is
                                written as runs/.<run_id>.tmp-* and renamed into place, so it
                                exists only when complete.
    failed/<run_id>.json        a run that raised: overrides, seed, traceback

``runs/<run_id>/done.json`` is the only truth about completion: a rerun of the same batch
skips those runs and re-runs everything else (failed, never started, or interrupted), so a
batch killed at any moment and resumed ends with the same tables as one run straight through.
The manifest is a summary rewritten atomically as runs finish (at most about once a second,
and at the end).

Test hook (tests only): if the environment variable ``MATSIM_BATCH_FAIL_POINT`` names a design
point id (e.g. ``p0001``), the worker raises ``RuntimeError`` for that point's runs; the model
has no known valid parameter set that raises, and failure isolation must still be tested.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..executors import check_executor_options, executor_slots, make_executor
from ..output import TABLES, OutputError, _jsonable, _write_json
from .design import Point, Run, design_points, plan_runs
from .lock import LOCK_FILE, BatchLock
from .spec import BatchSpec, build_params

MANIFEST = "manifest.json"
DONE = "done.json"
RUNS_DIR = "runs"
FAILED_DIR = "failed"
FAIL_HOOK = "MATSIM_BATCH_FAIL_POINT"
MANIFEST_INTERVAL_S = 1.0


def default_out(spec: BatchSpec) -> Path:
    """``results/batches/<batch name>/`` (name made safe for a path)."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in spec.name) or "batch"
    return Path("results") / "batches" / safe


def is_done(out: Path, run_id: str) -> bool:
    return (out / RUNS_DIR / run_id / DONE).is_file()


def _atomic_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        _write_json(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def execute_run(task: Mapping[str, Any]) -> dict[str, Any]:
    """Worker: build the run's parameters, run it, write its tables; return a small status.

    Top-level and picklable for process pools and Dask. Never raises for a failing run: the
    failure (overrides, seed, traceback) is written to ``failed/<run_id>.json`` and returned.
    """
    out = Path(task["out"])
    run_id = task["run_id"]
    final = out / RUNS_DIR / run_id
    if (final / DONE).is_file():
        return {"run_id": run_id, "status": "done", "skipped": True}
    tmp = out / RUNS_DIR / f".{run_id}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    try:
        if os.environ.get(FAIL_HOOK) == task["point"]:
            raise RuntimeError(f"{FAIL_HOOK}={task['point']}: deliberate failure (test hook)")
        from ..run import run_simulation

        params = build_params(task["base_sections"], task["overrides"], task["source"])
        result = run_simulation(
            params, seed=task["seed"], years=task["years"], scenario_name=task["scenario"]
        )
        tmp.mkdir(parents=True)
        for name in TABLES:
            result.tables[name].to_parquet(tmp / f"{name}.parquet", engine="pyarrow", index=False)
        meta = {
            **{k: task[k] for k in ("run_id", "point", "replicate", "seed", "years", "overrides")},
            "metadata": {k: v for k, v in result.metadata.items() if k != "columns"},
        }
        _write_json(tmp / DONE, meta)  # last: its presence marks a complete run
        try:
            tmp.rename(final)
        except OSError:
            if not (final / DONE).is_file():  # another process finished it: same result
                raise
            shutil.rmtree(tmp, ignore_errors=True)
        (out / FAILED_DIR / f"{run_id}.json").unlink(missing_ok=True)
        return {"run_id": run_id, "status": "done", "wall_time_s": time.perf_counter() - started}
    except Exception as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if (final / DONE).is_file():  # completed meanwhile by another worker: same result
            return {"run_id": run_id, "status": "done", "skipped": True}
        failure = {
            "run_id": run_id,
            "status": "failed",
            "point": task["point"],
            "replicate": task["replicate"],
            "seed": task["seed"],
            "overrides": task["overrides"],
            "error": f"{type(err).__name__}: {err}".splitlines()[0],
            "traceback": traceback.format_exc(),
        }
        (out / FAILED_DIR).mkdir(parents=True, exist_ok=True)
        _atomic_json(out / FAILED_DIR / f"{run_id}.json", failure)
        return failure


@dataclass
class BatchOutcome:
    out: Path
    total: int
    done: int
    failed: int
    skipped: int  # already complete before this invocation

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _fingerprint(spec_dict: Mapping[str, Any], points: list[Point], runs: list[Run]) -> str:
    payload = {
        "spec": {k: v for k, v in spec_dict.items() if k not in ("path", "description")},
        "points": [asdict(p) for p in points],
        "runs": [asdict(r) for r in runs],
    }
    text = json.dumps(_jsonable(payload), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _check_out(out: Path, fingerprint: str) -> None:
    """Refuse a directory that is not this batch's (reads only)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"output directory {out}: exists and is not a directory")
    manifest = out / MANIFEST
    if out.is_dir() and any(p.name != LOCK_FILE for p in out.iterdir()):
        if not manifest.is_file():
            raise OutputError(
                f"output directory {out}: exists and is not a matsim batch (no {MANIFEST}); "
                "choose another --out or remove it"
            )
        if _manifest_field(out, "fingerprint") != fingerprint:
            raise OutputError(
                f"output directory {out}: holds a different batch (batch file, base scenario "
                "or design changed); choose another --out or remove it to start again"
            )


def _manifest_field(out: Path, key: str) -> Any:
    try:
        return json.loads((out / MANIFEST).read_text()).get(key)
    except (OSError, ValueError, AttributeError):
        return None


def _prepare_out(out: Path) -> None:
    """Make the run folders and remove leftovers of interrupted runs. Only ever called by the
    holder of the batch lock, so the leftovers are never another live batch's runs."""
    (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    (out / FAILED_DIR).mkdir(parents=True, exist_ok=True)
    for leftover in (out / RUNS_DIR).glob(".*.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


class _Manifest:
    """The manifest: spec, points, runs with status; rewritten atomically, throttled."""

    def __init__(self, out: Path, spec: BatchSpec, points, runs, fingerprint: str):
        self.path = out / MANIFEST
        self.head = {
            "format": "matsim-batch/1",
            "fingerprint": fingerprint,
            "batch": spec.to_dict(),
            "varied": list(spec.varied),
            "points": [{"point": p.point_id, "overrides": p.overrides} for p in points],
        }
        if spec.ranges:
            from .design import salib_problem

            self.head["problem"] = salib_problem(spec)
        self.status: dict[str, dict[str, Any]] = {
            r.run_id: {
                "run_id": r.run_id,
                "point": r.point_id,
                "replicate": r.replicate,
                "seed": r.seed,
                "status": "pending",
            }
            for r in runs
        }
        self.last = 0.0

    def update(self, result: Mapping[str, Any]) -> None:
        entry = self.status[result["run_id"]]
        entry["status"] = result["status"]
        for key in ("error", "traceback", "overrides"):
            if result["status"] == "failed" and key in result:
                entry[key] = result[key]
            elif result["status"] == "done":
                entry.pop(key, None)

    def write(self, force: bool = False, finished: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < MANIFEST_INTERVAL_S:
            return
        from ..run import git_commit

        counts = {s: 0 for s in ("done", "failed", "pending")}
        for entry in self.status.values():
            counts[entry["status"]] = counts.get(entry["status"], 0) + 1
        data = {
            **self.head,
            "finished": finished,
            "git_commit": git_commit() if finished else None,
            "counts": counts,
            "runs": list(self.status.values()),
        }
        _atomic_json(self.path, data)
        self.last = now


def run_batch(
    spec: BatchSpec,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    wait: bool = False,
    dashboard_address: str | None = None,
) -> BatchOutcome:
    """Run (or resume) a batch; return counts. ``progress=None``: a bar only on a terminal.

    In order, so that nothing is written before the work can start: the directory is checked
    (reads only); a batch whose runs are all done returns at once, writing nothing (a finished
    batch on a read-only disk resumes fine); the batch lock is taken (another live batch: one
    line, or wait with ``wait``); the executor is started or the cluster joined (unreachable:
    the directory is removed if this call created it); only then are leftovers cleaned, the
    manifest written and runs handed out.
    """
    check_executor_options(workers, scheduler, dashboard_address)
    out = Path(out) if out is not None else default_out(spec)
    points = design_points(spec)
    runs = plan_runs(spec, points)
    fingerprint = _fingerprint(spec.to_dict(), points, runs)
    _check_out(out, fingerprint)
    all_done = out.is_dir() and all(is_done(out, r.run_id) for r in runs)
    if all_done and (_manifest_field(out, "finished") is True or not _writable(out)):
        return BatchOutcome(out.resolve(), len(runs), len(runs), 0, len(runs))
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    lock = BatchLock(out, wait=wait)
    lock.acquire()  # held by another live batch: one line (the directory is that batch's)
    try:
        _check_out(out, fingerprint)  # another batch may have started it while we waited
        return _run_locked(
            spec,
            out.resolve(),
            points,
            runs,
            fingerprint,
            workers,
            scheduler,
            progress,
            dashboard_address,
        )
    except BaseException:
        lock.release()
        if created:  # e.g. the scheduler was unreachable: take back the empty directory
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    finally:
        lock.release()


def _writable(out: Path) -> bool:
    return os.access(out, os.W_OK) and os.access(out / MANIFEST, os.W_OK)


def _run_locked(
    spec: BatchSpec,
    out: Path,
    points: list[Point],
    runs: list[Run],
    fingerprint: str,
    workers: int | None,
    scheduler: str | None,
    progress: bool | None,
    dashboard_address: str | None,
) -> BatchOutcome:
    """The batch proper, run by the lock's holder."""
    done_ids = {run.run_id for run in runs if is_done(out, run.run_id)}
    todo = [run for run in runs if run.run_id not in done_ids]
    skipped = len(runs) - len(todo)
    with contextlib.ExitStack() as stack:
        # join or start the executor before writing anything: an unreachable scheduler
        # leaves no manifest and no run folders behind
        executor = (
            stack.enter_context(make_executor(workers, scheduler, dashboard_address))
            if todo
            else None
        )
        _prepare_out(out)
        manifest = _Manifest(out, spec, points, runs, fingerprint)
        for run in runs:
            if run.run_id in done_ids:
                manifest.update({"run_id": run.run_id, "status": "done"})
        manifest.write(force=True, finished=not todo)
        if executor is None:
            return BatchOutcome(out=out, total=len(runs), done=len(runs), failed=0, skipped=skipped)
        return _hand_out(spec, out, points, runs, todo, manifest, executor, progress, skipped)


def _hand_out(spec, out, points, runs, todo, manifest, executor, progress, skipped) -> BatchOutcome:
    """Submit ``todo`` to the executor (a bounded window in flight), recording each result."""
    from tqdm import tqdm

    overrides = {p.point_id: p.overrides for p in points}
    base_sections = spec.base_sections
    done, failed = skipped, 0

    def task(run: Run) -> dict[str, Any]:
        return {
            "out": str(out),
            "run_id": run.run_id,
            "point": run.point_id,
            "replicate": run.replicate,
            "seed": run.seed,
            "years": spec.years,
            "overrides": overrides[run.point_id],
            "base_sections": base_sections,
            "source": str(spec.path),
            "scenario": spec.base.name,
        }

    bar = tqdm(
        total=len(runs),
        initial=skipped,
        desc=spec.name,
        unit="run",
        file=sys.stderr,
        disable=(not progress) if progress is not None else None,
        dynamic_ncols=True,
    )

    def record(result: Mapping[str, Any]) -> None:
        nonlocal done, failed
        manifest.update(result)
        if result["status"] == "done":
            done += 1
        else:
            failed += 1
        bar.update()
        bar.set_postfix(done=done, failed=failed, remaining=len(runs) - done - failed)
        manifest.write()

    try:
        window = max(2, 2 * executor_slots(executor))
        pending: dict[Future, Run] = {}
        queue = iter(todo)
        while True:
            while len(pending) < window:
                run = next(queue, None)
                if run is None:
                    break
                pending[executor.submit(execute_run, task(run))] = run
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                run = pending.pop(future)
                record(_result_of(future, run, overrides[run.point_id]))
    finally:
        bar.close()
        manifest.write(force=True, finished=done + failed == len(runs))
    return BatchOutcome(out=out, total=len(runs), done=done, failed=failed, skipped=skipped)


def _result_of(future: Future, run: Run, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The worker's status, or a failure record if the worker itself died (e.g. killed)."""
    try:
        return future.result()
    except Exception as err:
        return {
            "run_id": run.run_id,
            "status": "failed",
            "point": run.point_id,
            "replicate": run.replicate,
            "seed": run.seed,
            "overrides": dict(overrides),
            "error": f"{type(err).__name__}: {err}".splitlines()[0]
            if str(err)
            else type(err).__name__,
            "traceback": "".join(traceback.format_exception(err)),
        }
