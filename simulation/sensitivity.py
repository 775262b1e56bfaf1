"""Global sensitivity analysis of batch outcomes: Sobol (first-order and total) and Morris.

Designs are drawn with SALib over the ranges a batch file gives (``[ranges]``); the batch runs
every design point with the same replicate seeds; here each point's outcome is averaged over its
replicates and handed to SALib's analysers, in the sample's order. Indices come with SALib's
bootstrap confidence intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SENSITIVITY_DESIGNS = ("sobol", "morris")


@dataclass(frozen=True)
class Problem:
    """The uncertain parameters and their ranges, in SALib's terms."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]

    @classmethod
    def from_ranges(cls, ranges: Mapping[str, Sequence[float]]) -> Problem:
        names = tuple(ranges)
        return cls(names, tuple((float(lo), float(hi)) for lo, hi in ranges.values()))

    def salib(self) -> dict[str, object]:
        return {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": [list(b) for b in self.bounds],
        }


def sample(
    problem: Problem, design: str, samples: int, seed: int, second_order: bool = False
) -> np.ndarray:
    """Design points (rows) for ``design``: Saltelli needs N*(D+2) rows (N*(2D+2) with second
    order), Morris N*(D+1). Batches draw theirs with ``simulation.batch.sample_matrix``."""
    if design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem.salib(), samples, calc_second_order=second_order, seed=seed)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(problem.salib(), samples, seed=seed)
    raise ValueError(f"design must be one of {SENSITIVITY_DESIGNS}, got {design!r}")


def indices(
    problem: Problem,
    design: str,
    x: np.ndarray,
    y: np.ndarray,
    seed: int = 0,
    second_order: bool = False,
) -> pd.DataFrame:
    """One row per parameter: Sobol S1, ST with 95 % intervals, or Morris mu*, sigma."""
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("outcome has missing values: every design point must have run")
    if design == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem.salib(), y, calc_second_order=second_order, seed=seed)
        table = pd.DataFrame(
            {
                "parameter": problem.names,
                "S1": res["S1"],
                "S1_low": res["S1"] - res["S1_conf"],
                "S1_high": res["S1"] + res["S1_conf"],
                "ST": res["ST"],
                "ST_low": res["ST"] - res["ST_conf"],
                "ST_high": res["ST"] + res["ST_conf"],
            }
        )
        return table
    if design == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem.salib(), np.asarray(x), y, seed=seed)
        return pd.DataFrame(
            {
                "parameter": problem.names,
                "mu_star": res["mu_star"],
                "mu_star_low": res["mu_star"] - res["mu_star_conf"],
                "mu_star_high": res["mu_star"] + res["mu_star_conf"],
                "sigma": res["sigma"],
            }
        )
    raise ValueError(f"design must be one of {SENSITIVITY_DESIGNS}, got {design!r}")


def point_means(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Average each outcome over the replicates of each design point (in point order)."""
    return runs.groupby("point", sort=True)[list(outcomes)].mean()


def analyse(
    problem: Problem,
    design: str,
    x: np.ndarray,
    runs: pd.DataFrame,
    outcomes: Sequence[str],
    seed: int = 0,
    second_order: bool = False,
) -> pd.DataFrame:
    """Indices for every outcome, stacked: one row per outcome x parameter."""
    means = point_means(runs, outcomes)
    if len(means) != len(x):
        raise ValueError(
            f"{len(means)} design points have results but the design has {len(x)}: "
            "run the rest of the batch first"
        )
    tables = []
    for outcome in outcomes:
        table = indices(problem, design, x, means[outcome].to_numpy(), seed, second_order)
        table.insert(0, "outcome", outcome)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
