"""PRIM and CART boxes over a batch's parameters: glue around EMA Workbench and scikit-learn.

PRIM is EMA Workbench's (``ema_workbench.analysis.prim.Prim``); CART is a seeded scikit-learn
tree read back as boxes (:mod:`.cart`). This module only prepares the inputs, chooses a box on
PRIM's peeling trajectory by a stated rule, and turns the results into plain tables:

* ``boxes``: one row per reported box: coverage (share of all cases inside), density (share of
  runs inside that are cases), mass (share of runs inside), runs and cases inside, restricted
  dimensions, the base rate and the lift (density / base rate);
* ``limits``: one row per box and restricted parameter: the kept range (numbers) or levels
  (choices), the full range, and quasi-p-values (Bryant and Lempert 2010: a one-sided binomial
  test of whether the restriction raises the density; small is good);
* ``trajectory``: PRIM's peeling trajectory of each box (every candidate it considered), or
  CART's leaves.

EMA Workbench and scikit-learn are imported only when a box is searched for (seconds).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

METHODS = ("prim", "cart")
SELECTION_RULE = (
    "on each box's peeling trajectory, the step with the highest density among those covering "
    "at least {min_coverage:.0%} of the cases not yet in an earlier box (ties: fewer restricted "
    "parameters, then more coverage)"
)
CART_RULE = "the leaves with the highest density above the base rate, densest first"
LEVEL_SEPARATOR = " | "


@dataclass(frozen=True)
class DiscoverySettings:
    """How boxes are searched for and chosen (recorded with every result)."""

    method: str = "prim"
    boxes: int = 1
    min_coverage: float = 0.5
    mass_min: float = 0.05
    max_quasi_p: float | None = 0.05  # PRIM: lift restrictions less significant than this
    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    seed: int = 0  # CART's tree: scikit-learn breaks ties between equal splits at random

    @property
    def rule(self) -> str:
        if self.method == "cart":
            return CART_RULE
        rule = SELECTION_RULE.format(min_coverage=self.min_coverage)
        if self.max_quasi_p is not None:
            rule += (
                f"; then restrictions with a quasi-p-value above {self.max_quasi_p:g} are lifted, "
                "the least significant first, re-testing the rest each time"
            )
        return rule


@dataclass
class Discovery:
    """The boxes found, their limits and the candidates they were chosen from."""

    settings: DiscoverySettings
    n_runs: int
    n_cases: int
    boxes: pd.DataFrame
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    ranges: dict[str, Any] = field(default_factory=dict)  # each parameter's full range/levels

    @property
    def base_rate(self) -> float:
        return self.n_cases / self.n_runs if self.n_runs else float("nan")


@contextlib.contextmanager
def _quiet_library() -> Iterator[None]:
    """EMA Workbench 3.0 uses pandas idioms pandas 3 deprecates, and it and the libraries it
    imports (statsmodels, seaborn, ...) warn about optional extras; none of this concerns the
    user. The test suite turns deprecations into errors, so they are silenced here for code
    outside this package only: a deprecated idiom in ``simulation`` itself still shows."""
    outside = r"(?!simulation(\.|$))"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=outside)
        warnings.filterwarnings("ignore", category=FutureWarning, module=outside)
        warnings.filterwarnings("ignore", message=r".*not installed.*", category=UserWarning)
        warnings.filterwarnings("ignore", category=ImportWarning)
        yield


def design_matrix(runs: pd.DataFrame, parameters: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The varied parameters as PRIM/CART take them: numbers as floats, everything else
    (presets, policies, true/false) as pandas categories.

    Whole numbers (e.g. weak schools) are floats too: a box limit between two of them (1.5)
    reads "up to 1"; and EMA Workbench's integer pasting writes such values into integer
    columns, which pandas 3 refuses.
    """
    x = pd.DataFrame(index=range(len(runs)))
    for name in parameters:
        column = runs[name].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            x[name] = column.astype(object).astype("category")
        else:
            x[name] = column.astype(float)
    return x


def full_ranges(x: pd.DataFrame) -> dict[str, Any]:
    """Each parameter's sampled range ``(lo, hi)`` or its sorted levels."""
    out: dict[str, Any] = {}
    for name in x.columns:
        if isinstance(x[name].dtype, pd.CategoricalDtype):
            out[name] = sorted(map(str, x[name].cat.categories))
        else:
            out[name] = (float(x[name].min()), float(x[name].max()))
    return out


def discover(
    x: pd.DataFrame, cases: np.ndarray, settings: DiscoverySettings | None = None
) -> Discovery:
    """Boxes of parameter space where ``cases`` (one boolean per row of ``x``) concentrate.

    Raises:
        ValueError: no cases, or every run a case (nothing to tell apart).
    """
    settings = settings or DiscoverySettings()
    y = np.asarray(cases, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"{len(y)} case flags for {len(x)} runs")
    if not 0 < y.sum() < len(y):
        raise ValueError(f"the cases are {int(y.sum())} of {len(y)} runs; nothing to tell apart")
    if settings.method == "prim":
        boxes, limits, trajectory = _prim(x, y, settings)
    elif settings.method == "cart":
        from .cart import cart_leaves

        boxes, limits, trajectory = cart_leaves(x, y, settings)
    else:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {settings.method!r}")
    base = y.mean()
    boxes.insert(0, "box", np.arange(1, len(boxes) + 1))
    boxes["base_rate"] = base
    boxes["lift"] = boxes["density"] / base
    return Discovery(settings, len(y), int(y.sum()), boxes, limits, trajectory, full_ranges(x))


# -- PRIM -------------------------------------------------------------------------------------


def _choose_step(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The step of a peeling trajectory chosen by :data:`SELECTION_RULE`."""
    start_cases = float(trajectory["k"].iloc[0])
    share = trajectory["k"] / start_cases if start_cases else trajectory["k"] * 0
    eligible = trajectory[share >= min_coverage - 1e-12]
    if eligible.empty:
        eligible = trajectory.iloc[:1]
    order = eligible.sort_values(
        ["density", "res_dim", "coverage"], ascending=[False, True, False], kind="stable"
    )
    return int(order.index[0])


def _prim(x: pd.DataFrame, y: np.ndarray, settings: DiscoverySettings):
    with _quiet_library():
        from ema_workbench.analysis import prim

        finder = prim.Prim(
            x,
            y.copy(),
            peel_alpha=settings.peel_alpha,
            paste_alpha=settings.paste_alpha,
            mass_min=settings.mass_min,
        )
        rows, limit_rows, steps = [], [], []
        for b in range(1, settings.boxes + 1):
            if not y[finder.yi_remaining].any():
                break
            box = finder.find_box()
            if box is None:
                break
            peeled = len(box.peeling_trajectory)
            chosen = _choose_step(
                box.peeling_trajectory.reset_index(drop=True), settings.min_coverage
            )
            box.select(chosen)  # the next box starts from the runs outside this one
            if settings.max_quasi_p is not None:
                chosen = _drop_weak_restrictions(box, chosen, settings.max_quasi_p)
            trajectory = box.peeling_trajectory.reset_index(drop=True)
            steps.append(_trajectory_table(trajectory, b, chosen, peeled))
            if not box.p_values[chosen]:
                break  # no restriction left: the whole space, nothing more to find
            rows.append(_box_row(trajectory.iloc[chosen], chosen))
            limit_rows += _limit_rows(b, box.box_lims[chosen], box.p_values[chosen], finder)
    return _boxes_frame(rows), _limits_frame(limit_rows), pd.concat(steps, ignore_index=True)


def _worst_restriction(p_values: dict[str, list[float]]) -> tuple[str | None, float]:
    """The restriction with the largest quasi-p-value (either side) and that value."""
    worst, worst_p = None, -1.0
    for name, sides in p_values.items():
        p = max((v for v in sides if v is not None and v >= 0), default=-1.0)
        if p > worst_p:
            worst, worst_p = name, p
    return worst, worst_p


def _drop_weak_restrictions(box: Any, chosen: int, max_quasi_p: float) -> int:
    """Lift the chosen box's restrictions whose quasi-p-value exceeds ``max_quasi_p``, the
    least significant first, re-testing the rest each time (Bryant and Lempert 2010: a
    restriction that does not raise the density beyond chance is noise). Each lift is a new
    step on EMA Workbench's trajectory; returns the final step."""
    while True:
        name, p = _worst_restriction(box.p_values[chosen])
        if name is None or p <= max_quasi_p:
            return chosen
        box.drop_restriction(name)
        chosen = len(box.peeling_trajectory) - 1


def _box_row(stats: pd.Series, step: int) -> dict[str, Any]:
    return {
        "coverage": float(stats["coverage"]),
        "density": float(stats["density"]),
        "mass": float(stats["mass"]),
        "runs": int(stats["n"]),
        "cases": int(stats["k"]),
        "restricted": int(stats["res_dim"]),
        "step": int(step),
    }


def _trajectory_table(trajectory: pd.DataFrame, box: int, chosen: int, peeled: int) -> pd.DataFrame:
    """The steps PRIM considered for one box; ``lifted`` marks steps after the first
    ``peeled`` that lifted a weak restriction from the chosen step."""
    table = pd.DataFrame(
        {
            "box": box,
            "step": trajectory["id"].astype(int),
            "coverage": trajectory["coverage"].astype(float),
            "density": trajectory["density"].astype(float),
            "mass": trajectory["mass"].astype(float),
            "runs": trajectory["n"].astype(int),
            "cases": trajectory["k"].astype(int),
            "restricted": trajectory["res_dim"].astype(int),
        }
    )
    table["chosen"] = table.index == chosen
    table["lifted"] = table.index >= peeled
    return table


def _qp(value: float) -> float:
    """EMA Workbench marks an unrestricted side with -1."""
    return float("nan") if value is None or value < 0 else float(value)


def _limit_rows(box: int, lims: pd.DataFrame, p_values: dict, finder: Any) -> list[dict]:
    rows = []
    init = finder.box_init
    for name, (qp_low, qp_high) in p_values.items():
        rows.append(_limit_row(box, name, lims[name], init[name], _qp(qp_low), _qp(qp_high)))
    return rows


def _limit_row(box, name, kept, full, qp_lower, qp_upper) -> dict[str, Any]:
    row: dict[str, Any] = {"box": box, "parameter": name}
    if isinstance(kept.iloc[0], (set, frozenset)):
        levels, all_levels = sorted(map(str, kept.iloc[0])), sorted(map(str, full.iloc[0]))
        row.update(
            kind="choice",
            lower=np.nan,
            upper=np.nan,
            levels=LEVEL_SEPARATOR.join(levels),
            full_lower=np.nan,
            full_upper=np.nan,
            full_levels=LEVEL_SEPARATOR.join(all_levels),
        )
    else:
        row.update(
            kind="number",
            lower=float(kept.iloc[0]),
            upper=float(kept.iloc[1]),
            levels="",
            full_lower=float(full.iloc[0]),
            full_upper=float(full.iloc[1]),
            full_levels="",
        )
    sides = [p for p in (qp_lower, qp_upper) if np.isfinite(p)]
    row.update(
        quasi_p=max(sides) if sides else np.nan, quasi_p_lower=qp_lower, quasi_p_upper=qp_upper
    )
    return row


LIMIT_COLUMNS = [
    "box",
    "parameter",
    "kind",
    "lower",
    "upper",
    "levels",
    "full_lower",
    "full_upper",
    "full_levels",
    "quasi_p",
    "quasi_p_lower",
    "quasi_p_upper",
]


BOX_COLUMNS = ["coverage", "density", "mass", "runs", "cases", "restricted", "step"]


def _boxes_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=BOX_COLUMNS)


def _limits_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=LIMIT_COLUMNS)
