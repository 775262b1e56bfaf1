"""Write one run's tables, provenance and figures to a directory, atomically.

Everything is written into a temporary sibling directory (``<out>.tmp-<pid>``) and renamed
into place only when complete, so a crash or Ctrl-C never leaves a directory that looks like
a finished run. A previous complete output of the same name is replaced only at that last step.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports this module to check --out; pandas only when writing
    import pandas as pd

    from .run import RunResult

FORMATS = ("parquet", "csv")
TABLES = ("model", "trusts", "schools", "events")
METADATA_FILE = "metadata.json"
COLUMNS_FILE = "columns.json"
UNDOCUMENTED = "(undocumented)"


class OutputError(ValueError):
    """The output cannot be written where asked; the message is one line naming the path."""


def check_out_dir(out_dir: str | Path) -> Path:
    """Refuse an output path that would destroy something that is not a previous run, or that
    cannot be written.

    Called before a run starts (so a user does not wait for a run that cannot be saved) and
    again by :func:`write_run`. An existing directory is only replaced if it is empty or holds a
    previous run's ``metadata.json``.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"output directory {out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / METADATA_FILE).exists():
        raise OutputError(
            f"output directory {out}: exists and is not a matsim output "
            f"(no {METADATA_FILE}); choose another directory or remove it"
        )
    check_writable(out)
    return out


def check_writable(out: Path) -> None:
    """Refuse ``out`` if nothing can be created where it would go.

    Outputs are written to a temporary sibling and renamed, so what must be writable is the
    parent (or, if the parent does not exist yet, its nearest existing ancestor, where the
    missing folders will be made). Probed by creating and removing an empty directory, which
    is what the write will do; ``os.access`` would say yes to root on a read-only mount's
    siblings and no to nothing.
    """
    ancestor = out.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"output directory {out}: {ancestor} is not a directory")
    try:
        probe = tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=ancestor)
    except OSError as err:
        raise OutputError(
            f"output directory {out}: cannot create anything in {ancestor} "
            f"({err.strerror or err}); choose another --out"
        ) from None
    os.rmdir(probe)


def write_run(
    result: RunResult, out_dir: str | Path, fmt: str = "parquet", figures: bool = True
) -> Path:
    """Write tables, ``metadata.json``, ``columns.json`` and figures; return the directory.

    Args:
        result: what :func:`simulation.run.run_simulation` returned.
        out_dir: the final directory (created with its parents).
        fmt: ``"parquet"`` (via pyarrow) or ``"csv"``.
        figures: also draw ``figures/*.png`` (see :mod:`simulation.plotting`).

    Raises:
        OutputError: bad format or an output path that must not be replaced.
    """
    if fmt not in FORMATS:
        raise OutputError(f"format {fmt!r} is not allowed; choose one of {', '.join(FORMATS)}")
    with atomic_directory(out_dir) as tmp:
        files = [_write_table(df, tmp / f"{name}.{fmt}", fmt) for name, df in _tables(result)]
        _write_json(tmp / COLUMNS_FILE, column_dictionary(result))
        files.append(COLUMNS_FILE)
        if figures:
            from .plotting import save_figures  # matplotlib only when figures are wanted

            paths = save_figures(result.tables, tmp / "figures", caption_for(result.metadata))
            files += [p.relative_to(tmp).as_posix() for p in paths]
        meta = {**result.metadata, "output": {"format": fmt, "files": [*files, METADATA_FILE]}}
        _write_json(tmp / METADATA_FILE, meta)  # last: its presence marks a complete run
    return check_out_dir(out_dir).resolve()


@contextlib.contextmanager
def atomic_directory(out_dir: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``out_dir`` to fill; on success it replaces ``out_dir``,
    on any error it is removed, so nothing half-written ever looks complete."""
    out = check_out_dir(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        tmp.mkdir()
        yield tmp
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def caption_for(metadata: Mapping[str, Any]) -> str:
    """The provenance line printed under every figure."""
    return (
        f"scenario: {metadata.get('scenario', '?')} | seed: {metadata.get('seed', '?')} | "
        "simulated outcomes, a tool for thinking about mechanisms, not a forecast"
    )


def column_dictionary(result: RunResult) -> dict[str, dict[str, dict[str, str]]]:
    """Description and dtype of every column actually written, table by table."""
    from .collect import COLUMN_DICTIONARY

    docs = result.metadata.get("columns", COLUMN_DICTIONARY)
    return {
        name: {
            col: {
                "description": docs.get(name, {}).get(col, UNDOCUMENTED),
                "dtype": str(df[col].dtype),
            }
            for col in df.columns
        }
        for name, df in _tables(result)
    }


def _tables(result: RunResult) -> list[tuple[str, pd.DataFrame]]:
    missing = [name for name in TABLES if name not in result.tables]
    if missing:
        raise OutputError(f"run result is missing tables: {', '.join(missing)}")
    return [(name, result.tables[name]) for name in TABLES]


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> str:
    if fmt == "parquet":
        # Dictionary-encode only the columns that repeat (ids, years, codes, text): on
        # continuous floats the encoder builds a dictionary, overflows it and falls back, which
        # doubled the writing time of an England run for files no smaller.
        repeating = [str(c) for c, dtype in df.dtypes.items() if dtype.kind != "f"]
        df.to_parquet(path, engine="pyarrow", index=False, use_dictionary=repeating)
    else:
        df.to_csv(path, index=False)
    return path.name


def _replace(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``; an old ``out`` is moved aside first and removed after."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars and arrays, paths, tuples; NaN and inf become null."""
    np = sys.modules.get("numpy")  # no numpy value can exist unless numpy was imported
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)) or (
        np is not None and isinstance(value, np.ndarray)
    ):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return [_jsonable(v) for v in items]
    if np is not None and isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(_jsonable(data), indent=2, allow_nan=False) + "\n")
