"""The one pure entry point for a run: parameters and seed in, tidy tables out.

The CLI, batches, notebooks, the dashboard and the tests all call :func:`run_simulation`.
It does no file I/O; :mod:`simulation.output` writes what it returns.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pandas as pd

from .collect import column_dictionary
from .model import MATModel
from .parameters import Params

PACKAGES = ("matsim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib")


@dataclass
class RunResult:
    """The tables of one run and the metadata needed to reproduce it."""

    tables: dict[str, pd.DataFrame]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    """The commit of the code that ran (with '-dirty' for uncommitted changes), if known."""
    repo = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_simulation(
    params: Params,
    seed: int | None = None,
    years: int | None = None,
    scenario_name: str = "custom",
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Build a model, run it for ``years`` and return its tables with metadata.

    Args:
        params: resolved parameters (e.g. ``load_scenario(path).params``).
        seed: overrides ``params.run.seed``.
        years: overrides ``params.run.years``.
        scenario_name: label stored in the metadata.
        progress: called as ``progress(year, years)`` after each simulated year.
    """
    seed = params.run.seed if seed is None else int(seed)
    years = params.run.years if years is None else int(years)
    started = time.perf_counter()
    model = MATModel(params, rng=seed, scenario_name=scenario_name)
    for year in range(1, years + 1):
        model.step()
        if progress is not None:
            progress(year, years)
    tables = model.recorder.tables()
    wall = time.perf_counter() - started
    meta = {
        "scenario": scenario_name,
        "seed": seed,
        "years": years,
        "parameters": params.to_dict(),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "timestamp_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_time_s": round(wall, 3),
        "rows": {name: len(df) for name, df in tables.items()},
        "columns": column_dictionary(model),
    }
    return RunResult(tables=tables, metadata=meta)
