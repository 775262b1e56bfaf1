"""Sensitivity indices are right on a function whose indices are known (Ishigami)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.sensitivity import Problem, analyse, indices, sample

PI = float(np.pi)
ISHIGAMI = Problem(("x1", "x2", "x3"), ((-PI, PI), (-PI, PI), (-PI, PI)))


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_match_the_ishigami_function_analytically():
    """Analytic values (a=7, b=0.1): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244."""
    x = sample(ISHIGAMI, "sobol", 1024, seed=1)
    table = indices(ISHIGAMI, "sobol", x, ishigami(x)).set_index("parameter")
    assert table.loc["x1", "S1"] == pytest.approx(0.314, abs=0.05)
    assert table.loc["x2", "S1"] == pytest.approx(0.442, abs=0.05)
    assert table.loc["x3", "S1"] == pytest.approx(0.0, abs=0.05)
    assert table.loc["x1", "ST"] == pytest.approx(0.558, abs=0.05)
    assert table.loc["x3", "ST"] == pytest.approx(0.244, abs=0.05)
    assert (table["ST_low"] <= table["ST"]).all() and (table["ST"] <= table["ST_high"]).all()


def test_morris_ranks_an_inert_parameter_last():
    x = sample(ISHIGAMI, "morris", 200, seed=2)
    y = 3.0 * x[:, 0] + 0.5 * x[:, 1] ** 2 + 0.0 * x[:, 2]
    table = indices(ISHIGAMI, "morris", x, y).set_index("parameter")
    assert table["mu_star"].idxmax() == "x1"
    assert table.loc["x3", "mu_star"] == pytest.approx(0.0, abs=1e-9)


def test_replicates_are_averaged_per_design_point_before_analysis():
    x = sample(ISHIGAMI, "sobol", 64, seed=3)
    y = ishigami(x)
    runs = pd.DataFrame(
        {
            "point": np.repeat(np.arange(len(x)), 2),
            "outcome": np.repeat(y, 2) + np.tile([-0.5, 0.5], len(x)),  # noise averages out
        }
    )
    stacked = analyse(ISHIGAMI, "sobol", x, runs, ["outcome"]).set_index("parameter")
    direct = indices(ISHIGAMI, "sobol", x, y).set_index("parameter")
    assert np.allclose(stacked["S1"], direct["S1"])


def test_a_design_with_missing_runs_is_refused():
    x = sample(ISHIGAMI, "sobol", 8, seed=4)
    runs = pd.DataFrame({"point": np.arange(len(x) - 1), "outcome": np.zeros(len(x) - 1)})
    with pytest.raises(ValueError, match="run the rest of the batch"):
        analyse(ISHIGAMI, "sobol", x, runs, ["outcome"])
