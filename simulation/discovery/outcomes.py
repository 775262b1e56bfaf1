"""A collected batch as one row per run: its parameters and the outcomes expressions use.

``matsim collect DIR`` writes ``DIR/combined/{model,trusts,events,runs}.parquet`` (or ``.csv``);
this module reads them (only the columns it needs; never the schools table), keeps the runs
that completed, and summarises each run the way ``matsim compare`` does (the same measures and
names, :func:`simulation.compare.summarise_run`), plus the focus trust's size, closure and the
break-point functions of :mod:`simulation.discovery.language`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..batch.runner import MANIFEST
from ..compare import summarise_run, trajectory
from .language import ANY, BREAK_POINT_NAMES, OUTCOMES

COMBINED = "combined"
TABLE_COLUMNS = {
    "model": None,  # all: compare's trajectory reads several
    "trusts": [
        "run_id",
        "year",
        "trust_id",
        "name",
        "kind",
        "n_schools",
        "mean_quality",
        "value_added",
        "share_weak",
        "central_cost_per_pupil_gbp",
        *(f"ratio_{bp}" for bp in BREAK_POINT_NAMES),
    ],
    "events": ["run_id", "year", "kind", "trust_id", "break_point"],
    "runs": None,
}


class DiscoverError(ValueError):
    """Discovery cannot run as asked; the message is one line naming the folder or option."""


@dataclass(frozen=True)
class CollectedBatch:
    """The completed runs of a collected batch, in the batch's run order."""

    batch_dir: Path
    manifest: dict[str, Any]
    varied: tuple[str, ...]
    runs: pd.DataFrame  # run_id, point, replicate, seed, one column per varied parameter
    model: pd.DataFrame
    trusts: pd.DataFrame
    events: pd.DataFrame
    planned: int  # runs the batch planned, complete or not

    @property
    def name(self) -> str:
        return str(self.manifest.get("batch", {}).get("name", self.batch_dir.name))


def _read(path_stem: Path, columns: list[str] | None) -> pd.DataFrame:
    parquet, csv = path_stem.with_suffix(".parquet"), path_stem.with_suffix(".csv")
    if parquet.is_file():
        return pd.read_parquet(parquet, columns=columns)
    return pd.read_csv(csv, usecols=columns)


def load_collected(batch_dir: str | Path) -> CollectedBatch:
    """Read a batch directory's manifest and combined tables; raises DiscoverError."""
    batch_dir = Path(batch_dir)
    if not batch_dir.is_dir():
        raise DiscoverError(f"{batch_dir}: not a directory; give a batch directory")
    manifest_path = batch_dir / MANIFEST
    if not manifest_path.is_file():
        raise DiscoverError(
            f"{batch_dir}: not a batch directory (no {MANIFEST}); run 'matsim batch FILE' "
            "and 'matsim collect DIR' first"
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as err:
        raise DiscoverError(f"{manifest_path}: unreadable manifest: {err}") from None
    varied = tuple(manifest.get("varied", []))
    if not varied:
        raise DiscoverError(
            f"{batch_dir}: the batch varies no parameters (design "
            f"{manifest.get('batch', {}).get('design')!r}); discovery needs a grid or a "
            "latin_hypercube, sobol or morris design"
        )
    combined = batch_dir / COMBINED
    missing = [
        name
        for name in TABLE_COLUMNS
        if not any((combined / f"{name}.{ext}").is_file() for ext in ("parquet", "csv"))
    ]
    if missing:
        raise DiscoverError(
            f"{batch_dir}: no collected tables ({', '.join(missing)} missing in "
            f"{combined}); run 'matsim collect {batch_dir}' first"
        )
    try:
        tables = {name: _read(combined / name, cols) for name, cols in TABLE_COLUMNS.items()}
    except (OSError, ValueError, KeyError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DiscoverError(f"{combined}: unreadable collected tables: {first}") from None
    runs = tables["runs"]
    absent = [k for k in varied if k not in runs.columns]
    if absent:
        raise DiscoverError(
            f"{combined}: runs table lacks the varied parameters {', '.join(absent)}; "
            f"run 'matsim collect {batch_dir}' again"
        )
    done = runs[runs["status"] == "done"].drop(columns="status").reset_index(drop=True)
    collected = set(tables["model"]["run_id"])
    done = done[done["run_id"].isin(collected)].reset_index(drop=True)
    if done.empty:
        raise DiscoverError(f"{batch_dir}: no complete runs collected; run the batch first")
    return CollectedBatch(
        batch_dir=batch_dir,
        manifest=manifest,
        varied=varied,
        runs=done,
        model=tables["model"],
        trusts=tables["trusts"],
        events=tables["events"],
        planned=len(runs),
    )


class RunOutcomes:
    """One row per completed run: every outcome in :data:`OUTCOMES` for the focus trust.

    Implements the ``Outcomes`` protocol expressions are evaluated against; the break-point
    functions (:class:`TrustHistory`) read the focus trust's crossing, recovery and shift
    events of years 1..end (year 0 is the shared starting world) and its load/capacity
    ratios.
    """

    def __init__(self, batch: CollectedBatch, trust_id: int = 0):
        self.batch = batch
        self.trust_id = trust_id
        self.run_ids = batch.runs["run_id"].to_numpy()
        self.n_runs = len(self.run_ids)
        mine = batch.trusts[batch.trusts["trust_id"] == trust_id]
        at_start = mine.loc[mine["year"] == 0, "run_id"]
        if not set(self.run_ids) <= set(at_start):
            start = batch.trusts[batch.trusts["year"] == 0]
            named = start.drop_duplicates("trust_id").sort_values("trust_id").head(5)
            known = ", ".join(f"{int(r.trust_id)} ({r.name})" for r in named.itertuples())
            raise DiscoverError(
                f"{batch.batch_dir}: --trust-id {trust_id} is not a trust in every run at "
                f"year 0; trusts there include {known}"
            )
        self.trust_name = str(mine.loc[mine["year"] == 0, "name"].iloc[0])
        events = batch.events
        self.history = TrustHistory(
            self.run_ids,
            events[
                (events["trust_id"] == trust_id)
                & (events["year"] >= 1)
                & events["kind"].isin(("crossing", "recovery", "shift"))
            ],
            mine[mine["year"] >= 1],
            batch.model.groupby("run_id")["year"].max(),
        )
        self.table = self._summaries()

    def _summaries(self) -> pd.DataFrame:
        """compare's per-run summaries plus the trust's size and closure."""
        by_run = {
            name: dict(tuple(df.groupby("run_id", sort=False)))
            for name, df in (
                ("model", self.batch.model),
                ("trusts", self.batch.trusts),
                ("events", self.batch.events),
            )
        }
        rows = []
        for run_id in self.run_ids:
            tables = {
                name: parts.get(run_id, getattr(self.batch, name).iloc[:0])
                for name, parts in by_run.items()
            }
            row = summarise_run(trajectory(tables, self.trust_id), self.trust_id)
            trust = tables["trusts"][tables["trusts"]["trust_id"] == self.trust_id]
            final_year = int(tables["model"]["year"].max())
            final = trust[trust["year"] == final_year]
            closed = final.empty or float(final["n_schools"].iloc[0]) == 0
            later = trust[trust["year"] >= 1]
            row.update(
                {
                    "trust_schools_start": float(
                        trust.loc[trust["year"] == 0, "n_schools"].iloc[0]
                    ),
                    "trust_schools_final": np.nan if closed else float(final["n_schools"].iloc[0]),
                    "trust_schools_max": float(trust["n_schools"].max()),
                    "trust_share_weak_mean": float(later["share_weak"].mean())
                    if len(later)
                    else np.nan,
                    "trust_closed": bool(closed),
                }
            )
            rows.append(row)
        table = pd.DataFrame(rows, columns=list(OUTCOMES))
        table.insert(0, "run_id", self.run_ids)
        return table

    # -- the Outcomes protocol ---------------------------------------------------------------

    def column(self, name: str) -> np.ndarray:
        return self.table[name].to_numpy()

    def call(self, function: str, break_point: str, years: int | None) -> np.ndarray:
        return self.history.call(function, break_point, years)


class TrustHistory:
    """One trust's break-point history in every run: the break-point functions of the
    outcome language.

    Args:
        run_ids: the runs, in the order results are returned.
        events: the trust's ``crossing``, ``recovery`` and ``shift`` events of years 1..end
            (``run_id``, ``year``, ``kind``, ``break_point``).
        ratios: the trust's rows of years 1..end (``run_id`` and ``ratio_<break point>``).
        final_year: each run's last simulated year, indexed by run id.
    """

    def __init__(
        self,
        run_ids: np.ndarray,
        events: pd.DataFrame,
        ratios: pd.DataFrame,
        final_year: pd.Series,
    ):
        self.run_ids = np.asarray(run_ids)
        self.events = events
        self.ratios = ratios
        self.final_year = final_year

    def call(self, function: str, break_point: str, years: int | None) -> np.ndarray:
        events = self.events
        if break_point != ANY:
            events = events[events["break_point"] == break_point]
        crossings = events[events["kind"] == "crossing"]
        if function == "crossed":
            return self._per_run(crossings.groupby("run_id").size(), 0) > 0
        if function == "crossings":
            return self._per_run(crossings.groupby("run_id").size(), 0).astype(float)
        if function == "shifted":
            shifts = events[events["kind"] == "shift"]
            return self._per_run(shifts.groupby("run_id").size(), 0) > 0
        if function == "first_crossing":
            return self._per_run(crossings.groupby("run_id")["year"].min(), np.nan).astype(float)
        if function == "years_past":
            names = BREAK_POINT_NAMES if break_point == ANY else (break_point,)
            past = (self.ratios[[f"ratio_{bp}" for bp in names]] > 1).any(axis=1)
            return self._per_run(past.groupby(self.ratios["run_id"]).sum(), 0).astype(float)
        if function == "unrecovered":
            return self._unrecovered(events, int(years or 0))
        raise ValueError(f"unknown function {function!r}")

    def _per_run(self, series: pd.Series, fill: float) -> np.ndarray:
        return series.reindex(self.run_ids, fill_value=fill).to_numpy()

    def _unrecovered(self, events: pd.DataFrame, years: int) -> np.ndarray:
        """Runs with a crossing not followed by a recovery of the same break point within
        ``years`` years; crossings later than ``final year - years`` cannot tell, and are
        left out. A trust that closes before recovering has not recovered."""
        cols = ["run_id", "break_point", "year"]
        crossings = events.loc[events["kind"] == "crossing", cols]
        if crossings.empty:
            return np.zeros(len(self.run_ids), dtype=bool)
        final = crossings["run_id"].map(self.final_year).to_numpy(dtype=float)
        late = crossings["year"].to_numpy(dtype=float) + years > final
        crossings = crossings[~late].reset_index(drop=True)
        crossings["crossing"] = np.arange(len(crossings))
        recoveries = events.loc[events["kind"] == "recovery", cols]
        pairs = crossings.merge(recoveries, on=["run_id", "break_point"], suffixes=("", "_rec"))
        within = (pairs["year_rec"] > pairs["year"]) & (pairs["year_rec"] <= pairs["year"] + years)
        recovered = set(pairs.loc[within, "crossing"])
        open_crossings = crossings[~crossings["crossing"].isin(recovered)]
        return np.isin(self.run_ids, open_crossings["run_id"].unique())
