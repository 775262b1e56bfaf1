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


def _prepare_out(out: Path, fingerprint: str) -> None:
    """Refuse a directory that is not this batch's; remove leftovers of interrupted runs."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"output directory {out}: exists and is not a directory")
    manifest = out / MANIFEST
    if out.is_dir() and any(out.iterdir()):
        if not manifest.is_file():
            raise OutputError(
                f"output directory {out}: exists and is not a matsim batch (no {MANIFEST}); "
                "choose another --out or remove it"
            )
        try:
            old = json.loads(manifest.read_text()).get("fingerprint")
        except (OSError, ValueError):
            old = None
        if old != fingerprint:
            raise OutputError(
                f"output directory {out}: holds a different batch (batch file, base scenario "
                "or design changed); choose another --out or remove it to start again"
            )
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
) -> BatchOutcome:
    """Run (or resume) a batch; return counts. ``progress=None``: a bar only on a terminal."""
    check_executor_options(workers, scheduler)
    out = Path(out) if out is not None else default_out(spec)
    points = design_points(spec)
    runs = plan_runs(spec, points)
    spec_dict = spec.to_dict()
    fingerprint = _fingerprint(spec_dict, points, runs)
    _prepare_out(out, fingerprint)
    out = out.resolve()
    manifest = _Manifest(out, spec, points, runs, fingerprint)
    overrides = {p.point_id: p.overrides for p in points}
    todo: list[Run] = []
    for run in runs:
        if is_done(out, run.run_id):
            manifest.update({"run_id": run.run_id, "status": "done"})
        else:
            todo.append(run)
    skipped = len(runs) - len(todo)
    manifest.write(force=True, finished=not todo)
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

    from tqdm import tqdm

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
        if todo:
            with make_executor(workers, scheduler) as executor:
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
