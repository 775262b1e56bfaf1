"""Scenario discovery: PRIM and CART recover a known box; ``matsim discover`` end to end on a
tiny collected batch; bad folders, expressions and options are one-line errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import cli
from simulation.batch import collect_batch, load_batch, run_batch, write_combined
from simulation.discovery import (
    DiscoverySettings,
    design_matrix,
    discover,
    discover_batch,
    findings,
    load_collected,
    parse,
)
from simulation.discovery.outcomes import RunOutcomes

from .conftest import named_oak_toml, tiny_scenario_toml

ROOT = Path(__file__).resolve().parent.parent

# -- a synthetic table with a known box -------------------------------------------------------


def synthetic(n: int = 600, noise: float = 0.0, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Cases are the runs with speed > 3, radius < 30 and preset aligned or autonomous; the
    other two parameters are irrelevant. ``noise`` flips that share of labels at random."""
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        {
            "speed": rng.uniform(0.0, 5.0, n),
            "radius": rng.uniform(10.0, 80.0, n),
            "ratio": rng.uniform(1.0, 5.0, n),
            "weak": rng.integers(0, 4, n),
            "preset": rng.choice(["aligned", "autonomous", "standardised"], n),
        }
    )
    cases = (
        (runs["speed"] > 3) & (runs["radius"] < 30) & runs["preset"].isin(["aligned", "autonomous"])
    )
    flip = rng.random(n) < noise
    return runs, (cases.to_numpy() ^ flip)


TRUE_BOX = {"speed": (3.0, 5.0), "radius": (10.0, 30.0)}


# CART's leaves must be allowed below the box's own mass (~7 %) to carve its shape
@pytest.mark.parametrize("method,mass_min", [("prim", 0.05), ("cart", 0.02)])
def test_the_true_box_is_recovered(method, mass_min):
    runs, cases = synthetic()
    settings = DiscoverySettings(method, mass_min=mass_min)
    found = discover(design_matrix(runs, list(runs.columns)), cases, settings)
    box = found.boxes.iloc[0]
    assert box["density"] >= 0.95 and box["coverage"] >= 0.8
    assert box["lift"] == pytest.approx(box["density"] / cases.mean())
    limits = found.limits.set_index("parameter")
    assert set(limits.index) == {"speed", "radius", "preset"}  # nothing irrelevant restricted
    for name, (lo, hi) in TRUE_BOX.items():
        span = hi - lo
        assert abs(limits.loc[name, "lower"] - lo) < 0.1 * span, (name, limits.loc[name])
        assert abs(limits.loc[name, "upper"] - hi) < 0.1 * span, (name, limits.loc[name])
    assert set(limits.loc["preset", "levels"].split(" | ")) == {"aligned", "autonomous"}
    assert (limits["quasi_p"] < 0.001).all()
    assert found.trajectory["chosen"].sum() == 1


def test_prim_lifts_restrictions_that_are_noise():
    """With 10 % of labels flipped, PRIM's peeling also trims irrelevant parameters; the lift
    of weak restrictions (quasi-p > 0.05) leaves only the true ones, each significant."""
    runs, cases = synthetic(noise=0.1, seed=5)
    x = design_matrix(runs, list(runs.columns))
    kept = discover(x, cases, DiscoverySettings("prim", max_quasi_p=0.05))
    assert set(kept.limits["parameter"]) <= {"speed", "radius", "preset"}
    assert (kept.limits["quasi_p"] <= 0.05).all()
    unpruned = discover(x, cases, DiscoverySettings("prim", max_quasi_p=None))
    assert len(unpruned.limits) >= len(kept.limits)
    assert kept.trajectory["lifted"].any() == (len(unpruned.limits) > len(kept.limits))


def test_discovery_is_deterministic_and_refuses_degenerate_cases():
    runs, cases = synthetic(noise=0.05)
    x = design_matrix(runs, list(runs.columns))
    for method in ("prim", "cart"):
        a, b = (discover(x, cases, DiscoverySettings(method, boxes=2)) for _ in range(2))
        pd.testing.assert_frame_equal(a.boxes, b.boxes)
        pd.testing.assert_frame_equal(a.limits, b.limits)
    with pytest.raises(ValueError, match="nothing to tell apart"):
        discover(x, np.zeros(len(x), dtype=bool))


# -- end to end on a tiny batch ---------------------------------------------------------------

TINY = tiny_scenario_toml(
    "tiny_discover",
    "tiny world with Oak Trust for discovery tests",
    named_oak_toml(accept='"any"', max_schools="15"),
    years=4,
    n_schools=70,
    mats=3,
)

BATCH = """
[batch]
name = "tiny_discover"
base_scenario = "tiny.toml"
replicates = 2
root_seed = 9
design = "latin_hypercube"
samples = 6

[ranges]
"trusts.named.Oak Trust.growth.target_schools_per_year" = [0.2, 4.0]
"trusts.named.Oak Trust.growth.radius_km" = [5.0, 60.0]

[choices]
"trusts.named.Oak Trust.operating_model.preset" = ["aligned", "autonomous"]
"""


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory) -> Path:
    """A collected 12-run batch of a tiny world (a few seconds)."""
    tmp = tmp_path_factory.mktemp("discover")
    (tmp / "tiny.toml").write_text(TINY)
    (tmp / "batch.toml").write_text(BATCH)
    out = tmp / "out"
    outcome = run_batch(load_batch(tmp / "batch.toml"), out, workers=1, progress=False)
    assert (outcome.done, outcome.failed) == (12, 0)
    write_combined(collect_batch(out), f"{out / 'combined'}/")
    return out


def median_expression(batch_dir: Path) -> str:
    """A condition that holds for about half the runs, whatever the model's mechanisms do."""
    table = RunOutcomes(load_collected(batch_dir), 0).table
    return f"trust_value_added_mean < {table['trust_value_added_mean'].median():.6f}"


def test_discover_end_to_end(batch_dir, capsys):
    expression = median_expression(batch_dir)
    code = cli.main(["discover", str(batch_dir), "--outcome", expression, "--name", "va"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "tiny_discover: 12 runs" in printed and "Oak Trust" in printed
    out = batch_dir / "discover" / "va"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["boxes.csv", "limits.csv", "trajectory.csv", "runs.csv", "discover.png", "metadata.json"]
    )
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["expression"] == expression and meta["method"] == "prim"
    assert meta["batch"]["name"] == "tiny_discover" and meta["runs_analysed"] == 12
    assert meta["trust_name"] == "Oak Trust"
    assert "ema_workbench" in meta["versions"] and meta["timestamp_utc"]
    assert "trust_value_added_mean" in meta["outcomes_used"]
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 12 and runs["case"].sum() == meta["cases"]
    assert 0 < meta["cases"] < 12
    assert "trusts.named.Oak Trust.operating_model.preset" in runs.columns
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert trajectory["chosen"].sum() >= 1
    assert (out / "discover.png").stat().st_size > 10_000


def test_cart_and_findings_on_the_tiny_batch(batch_dir, capsys):
    expression = median_expression(batch_dir)
    result = discover_batch(batch_dir, expression, DiscoverySettings("cart", mass_min=0.2))
    again = discover_batch(batch_dir, expression, DiscoverySettings("cart", mass_min=0.2))
    pd.testing.assert_frame_equal(result.discovery.boxes, again.discovery.boxes)
    assert result.n_runs == 12 and result.runs["case"].sum() == result.n_cases
    text = findings(result)
    assert text.startswith("Reading rule:")
    assert f"{result.n_cases} of 12 runs" in text and "does not show" in text
    assert cli.main(["discover", str(batch_dir), "--outcome", expression, "--method", "cart",
                     "--quiet"]) == 0  # fmt: skip
    assert capsys.readouterr().out.strip().startswith(str(batch_dir.resolve() / "discover"))


def one_line_error(capsys, argv: list[str], *fragments: str) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    for fragment in fragments:
        assert fragment in captured.err


def test_bad_expressions_and_options_write_nothing(batch_dir, capsys):
    before = sorted((batch_dir / "discover").glob("*")) if (batch_dir / "discover").exists() else []
    folder = str(batch_dir)
    one_line_error(capsys, ["discover", folder, "--outcome", "trust_value_added < 0"],
                   "unknown outcome 'trust_value_added'", "did you mean")  # fmt: skip
    one_line_error(capsys, ["discover", folder, "--outcome", "open('x')"], "unknown function")
    one_line_error(capsys, ["discover", folder, "--outcome", "trust_schools_start < 0"],
                   "holds in 0 of 12 runs", folder)  # fmt: skip
    one_line_error(capsys, ["discover", folder, "--outcome", "crossed(any)", "--trust-id", "99"],
                   "--trust-id 99 is not a trust")  # fmt: skip
    one_line_error(capsys, ["discover", folder, "--outcome", "crossed(any)", "--name", "../x"],
                   "--name")  # fmt: skip
    one_line_error(capsys, ["discover", folder, "--outcome", "crossed(any)", "--method", "svm"],
                   "invalid choice")  # fmt: skip
    one_line_error(capsys, ["discover", folder, "--outcome", "crossed(any)", "--mass-min", "0"],
                   "out of range")  # fmt: skip
    after = sorted((batch_dir / "discover").glob("*")) if (batch_dir / "discover").exists() else []
    assert after == before


def test_bad_folders_are_one_line_errors(tmp_path, batch_dir, capsys):
    expr = ["--outcome", "crossed(any)"]
    one_line_error(capsys, ["discover", str(tmp_path / "nowhere"), *expr], "not a directory")
    one_line_error(capsys, ["discover", str(tmp_path), *expr], "no manifest.json")
    uncollected = tmp_path / "uncollected"
    uncollected.mkdir()
    (uncollected / "manifest.json").write_text((batch_dir / "manifest.json").read_text())
    one_line_error(capsys, ["discover", str(uncollected), *expr], "matsim collect")
    replicates = tmp_path / "replicates"
    replicates.mkdir()
    manifest = json.loads((batch_dir / "manifest.json").read_text())
    manifest["varied"] = []
    (replicates / "manifest.json").write_text(json.dumps(manifest))
    one_line_error(capsys, ["discover", str(replicates), *expr], "varies no parameters")
    assert not (uncollected / "discover").exists() and not (replicates / "discover").exists()


def test_matsim_help_does_not_import_ema_workbench():
    """EMA Workbench takes seconds to import: only 'matsim discover' may load it."""
    code = (
        "import sys; from simulation.cli import build_parser; build_parser(); "
        "print(any(m.split('.')[0] in ('ema_workbench', 'sklearn') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_shipped_discovery_batch_varies_the_five_levers():
    spec = load_batch(ROOT / "scenarios" / "batches" / "discover_growth.toml")
    fields = [key.removeprefix("trusts.named.Oak Trust.") for key in spec.varied]
    assert fields == [
        "growth.target_schools_per_year",
        "growth.radius_km",
        "growth.golden_rule_ratio",
        "weak_schools",
        "operating_model.preset",
    ]
    assert len(spec.choices["trusts.named.Oak Trust.operating_model.preset"]) == 5
    assert parse("unrecovered(collaboration, 3)").functions == ["unrecovered"]
