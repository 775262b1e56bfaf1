"""Combine a batch directory's per-run tables into tidy tables with run columns attached."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pandas as pd

from ..output import FORMATS, TABLES, OutputError
from .runner import DONE, MANIFEST, RUNS_DIR

RUN_COLUMNS = ("run_id", "point", "replicate", "seed")


def read_manifest(batch_dir: str | Path) -> dict:
    path = Path(batch_dir) / MANIFEST
    if not path.is_file():
        raise OutputError(f"{batch_dir}: not a batch directory (no {MANIFEST})")
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise OutputError(f"{path}: unreadable manifest: {err}") from None


def collect_batch(batch_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Combined tables ``model``, ``trusts``, ``schools``, ``events`` of every complete run,
    plus ``runs`` (one row per planned run with its status).

    Each row carries ``run_id``, ``point``, ``replicate``, ``seed`` and one column per varied
    parameter (named by its dotted key), in the batch's run order; the result depends only on
    the runs' tables, not on how or in what order they were executed.
    """
    batch_dir = Path(batch_dir)
    manifest = read_manifest(batch_dir)
    varied = manifest.get("varied", [])
    overrides = {p["point"]: p["overrides"] for p in manifest["points"]}
    run_rows = []
    for entry in manifest["runs"]:
        row = {k: entry[k] for k in RUN_COLUMNS}
        row.update({k: overrides[entry["point"]].get(k) for k in varied})
        done = (batch_dir / RUNS_DIR / entry["run_id"] / DONE).is_file()
        row["status"] = "done" if done else ("failed" if entry["status"] == "failed" else "pending")
        run_rows.append(row)
    runs = pd.DataFrame(run_rows, columns=[*RUN_COLUMNS, *varied, "status"])
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for row in run_rows:
        if row["status"] != "done":
            continue
        run_dir = batch_dir / RUNS_DIR / row["run_id"]
        for name in TABLES:
            df = pd.read_parquet(run_dir / f"{name}.parquet")
            labels = {k: row[k] for k in (*RUN_COLUMNS, *varied)}
            front = pd.DataFrame({k: [v] * len(df) for k, v in labels.items()}, index=df.index)
            parts[name].append(pd.concat([front, df], axis=1))
    out = {}
    for name, frames in parts.items():
        nonempty = [f for f in frames if len(f)] or frames[:1]
        out[name] = (
            pd.concat(nonempty, ignore_index=True)
            if nonempty
            else pd.DataFrame(columns=[*RUN_COLUMNS, *varied])
        )
    out["runs"] = runs
    return out


def write_combined(
    tables: dict[str, pd.DataFrame], prefix: str | Path, fmt: str = "parquet"
) -> list[Path]:
    """Write ``<prefix><table>.<fmt>`` for each table, each file atomically.

    A prefix that is an existing directory or ends with a path separator is a directory.
    """
    if fmt not in FORMATS:
        raise OutputError(f"format {fmt!r} is not allowed; choose one of {', '.join(FORMATS)}")
    text = str(prefix)
    if Path(text).is_dir() or text.endswith(("/", os.sep)):
        text = str(Path(text)) + os.sep
    Path(f"{text}x").parent.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = Path(f"{text}{name}.{fmt}")
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            if fmt == "parquet":
                df.to_parquet(tmp, engine="pyarrow", index=False)
            else:
                df.to_csv(tmp, index=False)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        written.append(path)
    return written
