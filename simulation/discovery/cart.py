"""CART boxes: the leaves of a seeded scikit-learn classification tree.

EMA Workbench's ``CART`` wrapper builds the same tree but loses the right-hand branch of a
split on a choice (a leaf meant for "preset is X" keeps every preset), and passes no seed to
scikit-learn; so the tree is fitted here on one-hot encoded choices with a fixed
``random_state``, and each leaf is read back as a box by walking the tree from its root.
Quasi-p-values use the same one-sided binomial test as EMA Workbench's PRIM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .boxes import (
    DiscoverySettings,
    _boxes_frame,
    _limit_row,
    _limits_frame,
    full_ranges,
)


@dataclass(frozen=True)
class _Leaf:
    """One leaf of the tree as a box: numbers ``lo < x <= hi``, choices a set of levels."""

    node: int
    numbers: dict[str, tuple[float, float]]
    levels: dict[str, frozenset[str]]

    def inside(self, x: pd.DataFrame, skip: tuple[str, int] | None = None) -> np.ndarray:
        """Which rows lie in the box; ``skip=(name, side)`` lifts one restriction (side 0 the
        lower bound, 1 the upper, choices either) for a quasi-p-value."""
        mask = np.ones(len(x), dtype=bool)
        for name, (lo, hi) in self.numbers.items():
            values = x[name].to_numpy(dtype=float)
            if skip != (name, 0):
                mask &= values > lo
            if skip != (name, 1):
                mask &= values <= hi
        for name, kept in self.levels.items():
            if skip is None or skip[0] != name:
                mask &= x[name].astype(str).isin(kept).to_numpy()
        return mask


def _leaves(tree: Any, features: list[tuple[str, str | None]], x: pd.DataFrame) -> list[_Leaf]:
    """Walk a fitted scikit-learn tree from the root to every leaf, narrowing the box."""
    left, right = tree.children_left, tree.children_right
    out: list[_Leaf] = []
    levels_all = {
        name: frozenset(map(str, x[name].cat.categories))
        for name in x.columns
        if isinstance(x[name].dtype, pd.CategoricalDtype)
    }

    def walk(node: int, numbers: dict, levels: dict) -> None:
        if left[node] == -1:
            out.append(_Leaf(node, numbers, levels))
            return
        name, level = features[tree.feature[node]]
        threshold = float(tree.threshold[node])
        if level is None:
            lo, hi = numbers.get(name, (-np.inf, np.inf))
            walk(left[node], {**numbers, name: (lo, min(hi, threshold))}, levels)
            walk(right[node], {**numbers, name: (max(lo, threshold), hi)}, levels)
        else:  # a one-hot column: left is "not this level", right is "this level"
            kept = levels.get(name, levels_all[name])
            walk(left[node], numbers, {**levels, name: kept - {level}})
            walk(right[node], numbers, {**levels, name: kept & {level}})

    walk(0, {}, {})
    return out


def cart_leaves(x: pd.DataFrame, y: np.ndarray, settings: DiscoverySettings):
    """CART's leaves as boxes, from scikit-learn's tree on one-hot encoded choices."""
    from scipy.stats import binomtest
    from sklearn.tree import DecisionTreeClassifier

    columns, features = [], []
    for name in x.columns:
        if isinstance(x[name].dtype, pd.CategoricalDtype):
            for level in x[name].cat.categories:
                columns.append((x[name] == level).to_numpy(dtype=float))
                features.append((name, str(level)))
        else:
            columns.append(x[name].to_numpy(dtype=float))
            features.append((name, None))
    tree = DecisionTreeClassifier(
        min_samples_leaf=max(1, int(settings.mass_min * len(y))), random_state=settings.seed
    ).fit(np.column_stack(columns), y)
    leaves = _leaves(tree.tree_, features, x)
    masks = [leaf.inside(x) for leaf in leaves]
    table = pd.DataFrame(
        {
            "box": 0,
            "step": [leaf.node for leaf in leaves],
            "coverage": [y[m].sum() / y.sum() for m in masks],
            "density": [y[m].mean() if m.any() else np.nan for m in masks],
            "mass": [m.mean() for m in masks],
            "runs": [int(m.sum()) for m in masks],
            "cases": [int(y[m].sum()) for m in masks],
            "restricted": [len(_restricted(leaf, x)) for leaf in leaves],
        }
    )
    ranked = table[table["density"] > y.mean()].sort_values(
        ["density", "coverage"], ascending=[False, False], kind="stable"
    )
    ranges = full_ranges(x)
    rows, limit_rows = [], []
    for b, i in enumerate(ranked.index[: settings.boxes], start=1):
        leaf, stats = leaves[i], table.loc[i]
        k, n = int(stats["cases"]), int(stats["runs"])

        def quasi_p(name: str, side: int, leaf: _Leaf = leaf, k: int = k, n: int = n) -> float:
            """One-sided binomial test, as EMA Workbench's PRIM: is the box's density above
            that of the box with this one restriction lifted?"""
            wider = leaf.inside(x, skip=(name, side))
            return float(binomtest(k, n, y[wider].mean(), alternative="greater").pvalue)

        rows.append(
            {
                "coverage": float(stats["coverage"]),
                "density": float(stats["density"]),
                "mass": float(stats["mass"]),
                "runs": n,
                "cases": k,
                "restricted": int(stats["restricted"]),
                "step": int(stats["step"]),
            }
        )
        for name in _restricted(leaf, x):
            if name in leaf.levels:
                kept = pd.Series([set(leaf.levels[name]), set(leaf.levels[name])])
                full = pd.Series([set(ranges[name]), set(ranges[name])])
                limit_rows.append(_limit_row(b, name, kept, full, quasi_p(name, 0), np.nan))
            else:
                lo, hi = leaf.numbers[name]
                full_lo, full_hi = ranges[name]
                low = quasi_p(name, 0) if lo > full_lo else np.nan
                high = quasi_p(name, 1) if hi < full_hi else np.nan
                kept = pd.Series([max(lo, full_lo), min(hi, full_hi)])
                limit_rows.append(
                    _limit_row(b, name, kept, pd.Series([full_lo, full_hi]), low, high)
                )
        table.loc[i, "box"] = b
    table["chosen"] = table["box"] > 0
    return _boxes_frame(rows), _limits_frame(limit_rows), table


def _restricted(leaf: _Leaf, x: pd.DataFrame) -> list[str]:
    """The parameters a leaf actually narrows (a split outside the data narrows nothing)."""
    names = []
    for name in x.columns:
        if name in leaf.numbers:
            lo, hi = leaf.numbers[name]
            values = x[name].to_numpy(dtype=float)
            if lo >= values.min() or hi < values.max():
                names.append(name)
        elif name in leaf.levels and len(leaf.levels[name]) < x[name].cat.categories.size:
            names.append(name)
    return names
