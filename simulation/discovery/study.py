"""One discovery: a collected batch, an outcome expression, a method -> boxes and provenance.

This is the pure part of ``matsim discover`` (no printing, no files), shared by the command,
the notebook and the tests.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..run import git_commit, package_versions
from .boxes import Discovery, DiscoverySettings, design_matrix, discover
from .language import FUNCTIONS, OUTCOMES, Expression, parse
from .outcomes import CollectedBatch, DiscoverError, RunOutcomes, load_collected

EXTRA_PACKAGES = ("ema_workbench", "scikit-learn")


@dataclass
class DiscoveryResult:
    """Everything one discovery found, with what it was found from."""

    batch: CollectedBatch
    expression: Expression
    trust_id: int
    trust_name: str
    runs: pd.DataFrame  # per run: ids, varied parameters, every outcome, ``case``
    discovery: Discovery
    started_utc: str
    wall_time_s: float

    @property
    def n_runs(self) -> int:
        return self.discovery.n_runs

    @property
    def n_cases(self) -> int:
        return self.discovery.n_cases

    @property
    def base_rate(self) -> float:
        return self.discovery.base_rate

    def caption(self) -> str:
        """The provenance line under the figure."""
        return (
            f"batch: {self.batch.name} | {self.n_runs} runs, {self.n_cases} cases "
            f"({self.base_rate:.0%}) of: {self.expression.text} | trust {self.trust_id} "
            f"({self.trust_name}) | {self.discovery.settings.method.upper()} | a tool for "
            "thinking about mechanisms, not a forecast"
        )

    def metadata(self) -> dict[str, Any]:
        """Provenance: expression, method and its settings, batch, versions, commit, time."""
        manifest = self.batch.manifest
        spec = manifest.get("batch", {})
        used = set(self.expression.names)
        versions = package_versions()
        for name in EXTRA_PACKAGES:
            versions.setdefault(name, _version(name))
        return {
            "kind": "discovery",
            "expression": self.expression.text,
            "outcomes_used": {name: OUTCOMES[name] for name in OUTCOMES if name in used},
            "functions_used": {
                name: FUNCTIONS[name].description for name in self.expression.functions
            },
            "trust_id": self.trust_id,
            "trust_name": self.trust_name,
            "method": self.discovery.settings.method,
            "settings": asdict(self.discovery.settings),
            "selection_rule": self.discovery.settings.rule,
            "batch": {
                "dir": str(self.batch.batch_dir.resolve()),
                "name": self.batch.name,
                "design": spec.get("design"),
                "root_seed": spec.get("root_seed"),
                "replicates": spec.get("replicates"),
                "years": spec.get("years"),
                "fingerprint": manifest.get("fingerprint"),
                "varied": list(self.batch.varied),
                "runs_planned": self.batch.planned,
            },
            "runs_analysed": self.n_runs,
            "cases": self.n_cases,
            "base_rate": self.base_rate,
            "parameter_ranges": self.discovery.ranges,
            "versions": versions,
            "git_commit": git_commit(),
            "timestamp_utc": self.started_utc,
            "wall_time_s": self.wall_time_s,
        }


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def case_table(batch: CollectedBatch, expression: Expression, trust_id: int = 0) -> pd.DataFrame:
    """One row per completed run: its ids, varied parameters, every outcome and ``case``."""
    outcomes = RunOutcomes(batch, trust_id)
    cases = expression.evaluate(outcomes)
    table = pd.concat(
        [batch.runs.reset_index(drop=True), outcomes.table.drop(columns="run_id")], axis=1
    )
    table["case"] = cases
    table.attrs["trust_name"] = outcomes.trust_name
    return table


def discover_batch(
    batch_dir: str | Path | CollectedBatch,
    expression: str | Expression,
    settings: DiscoverySettings | None = None,
    trust_id: int = 0,
) -> DiscoveryResult:
    """Read a collected batch, mark the runs ``expression`` holds for, and find the boxes.

    ``batch_dir`` may be a batch already read with :func:`load_collected` (a notebook asking
    several questions of one batch reads it once).

    Raises:
        ExpressionError: the expression is not in the language.
        DiscoverError: the folder is not a collected batch, the trust is not in every run, or
            the expression holds for no run or for every run (nothing to tell apart).
    """
    started = time.perf_counter()
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    expression = parse(expression) if isinstance(expression, str) else expression
    settings = settings or DiscoverySettings()
    batch = batch_dir if isinstance(batch_dir, CollectedBatch) else load_collected(batch_dir)
    runs = case_table(batch, expression, trust_id)
    cases = runs["case"].to_numpy(dtype=bool)
    if not 0 < cases.sum() < len(cases):
        raise DiscoverError(
            f"{batch.batch_dir}: {expression.text!r} holds in {int(cases.sum())} of {len(cases)} "
            "runs; discovery needs runs where it holds and runs where it does not (change the "
            "expression, e.g. its threshold, or the batch's ranges)"
        )
    found = discover(design_matrix(runs, batch.varied), cases, settings)
    return DiscoveryResult(
        batch=batch,
        expression=expression,
        trust_id=trust_id,
        trust_name=str(runs.attrs.get("trust_name", "")),
        runs=runs,
        discovery=found,
        started_utc=stamp,
        wall_time_s=time.perf_counter() - started,
    )


def quantile_threshold(values: np.ndarray | pd.Series, share: float) -> float:
    """The value below which ``share`` of the finite ``values`` lie: a case definition that
    stays meaningful when the model's mechanisms (and so its typical values) change."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return float("nan")
    return float(np.quantile(finite, share))
