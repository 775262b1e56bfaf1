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


TINY_MORRIS = """
[batch]
name = "tiny_morris"
base_scenario = "tiny.toml"
replicates = 2
root_seed = 3
design = "{design}"
samples = {samples}

[ranges]
"growth.target_schools_per_year" = [0.1, 2.0]
"central_team.top_slice_share" = [0.02, 0.08]
"""


def _tiny_batch(tmp_path, design: str = "morris", samples: int = 2):
    from .conftest import tiny_scenario_toml

    (tmp_path / "tiny.toml").write_text(tiny_scenario_toml("tiny", "tiny world", years=3))
    path = tmp_path / "batch.toml"
    path.write_text(TINY_MORRIS.format(design=design, samples=samples))
    return path


def test_matsim_sensitivity_runs_the_design_and_writes_indices(tmp_path, capsys):
    from simulation.cli import main

    batch = _tiny_batch(tmp_path)
    out = tmp_path / "out"
    assert main(["sensitivity", str(batch), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    table = pd.read_csv(out / "sensitivity" / "indices.csv")
    assert set(table["parameter"]) == {
        "growth.target_schools_per_year",
        "central_team.top_slice_share",
    }
    assert (table["mu_star"] >= 0).all() and table["mu_star"].notna().all()
    runs = pd.read_csv(out / "sensitivity" / "outcomes.csv")
    assert len(runs) == 2 * 2 * 3  # 2 trajectories x (2 parameters + 1) points x 2 replicates
    assert (out / "sensitivity" / "indices.png").stat().st_size > 0
    assert "mu_star" in capsys.readouterr().out


def test_a_design_without_indices_is_refused_with_one_line(tmp_path, capsys):
    from simulation.cli import main

    batch = _tiny_batch(tmp_path, design="latin_hypercube", samples=4)
    assert main(["sensitivity", str(batch), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "batch.design" in err[0] and "'sobol'" in err[0]
