"""Scenario batches: determinism across executors, kill-and-resume, failure isolation, bad files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.batch import (
    collect_batch,
    design_points,
    load_batch,
    plan_runs,
    register_batch_commands,
    replicate_seeds,
    run_batch,
)
from simulation.batch.runner import FAIL_HOOK
from simulation.scenario import ScenarioError

from .conftest import tiny_scenario_toml

ROOT = Path(__file__).resolve().parent.parent
# finished runs; pathlib's "*" also matches the hidden .run.tmp-* folders a run is written in
# before its atomic rename, which would count a run the kill then leaves unfinished
DONE = "[!.]*/done.json"

TINY = tiny_scenario_toml("tiny", "tiny world for batch tests", years=3, n_schools=60, mats=3)

GRID = """
[batch]
name = "tiny_grid"
base_scenario = "tiny.toml"
replicates = 2
root_seed = 5
design = "grid"

[grid]
"growth.target_schools_per_year" = [0.2, 1.0]
"growth.accept" = ["golden_rule", "any"]
"""


def write_batch(tmp_path: Path, text: str = GRID, name: str = "batch.toml") -> Path:
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def cli(argv: list[str]) -> int:
    from simulation.cli import _Parser

    parser = _Parser(prog="matsim")
    register_batch_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The tiny grid run straight through on one worker: the reference tables."""
    tmp = tmp_path_factory.mktemp("straight")
    outcome = run_batch(load_batch(write_batch(tmp)), tmp / "out", workers=1, progress=False)
    assert (outcome.done, outcome.failed, outcome.total) == (8, 0, 8)
    return collect_batch(tmp / "out")


def test_seeds_are_spawned_and_shared_by_every_point(tmp_path):
    spec = load_batch(write_batch(tmp_path))
    points = design_points(spec)
    runs = plan_runs(spec, points)
    assert len(points) == 4 and len(runs) == 8
    seeds = replicate_seeds(5, 2)
    assert [r.seed for r in runs] == seeds * 4
    assert replicate_seeds(5, 3)[:2] == seeds  # more replicates keep the first seeds


def test_combined_tables(straight):
    model = straight["model"]
    assert list(model.columns[:6]) == [
        "run_id",
        "point",
        "replicate",
        "seed",
        "growth.target_schools_per_year",
        "growth.accept",
    ]
    assert model["run_id"].nunique() == 8 and len(model) == 8 * 4  # years 0..3
    assert set(straight["runs"]["status"]) == {"done"}
    assert len(straight["events"]) > 0
    # common random numbers: replicate r has the same seed at every point
    assert straight["runs"].groupby("replicate")["seed"].nunique().eq(1).all()


@pytest.mark.parametrize("workers,scheduler", [(2, None), (2, "local")])
def test_same_tables_with_two_workers_and_dask(tmp_path, straight, workers, scheduler):
    spec = load_batch(write_batch(tmp_path))
    outcome = run_batch(
        spec, tmp_path / "out", workers=workers, scheduler=scheduler, progress=False
    )
    assert outcome.exit_code == 0
    assert_same(collect_batch(tmp_path / "out"), straight)


def test_collect_writes_parquet_and_csv(tmp_path, straight):
    batch = write_batch(tmp_path)
    assert (
        cli(["batch", str(batch), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 0
    )
    assert cli(["collect", str(tmp_path / "out")]) == 0
    events = pd.read_parquet(tmp_path / "out" / "combined" / "events.parquet")
    assert len(events) == len(straight["events"])
    assert (
        cli(["collect", str(tmp_path / "out"), "--format", "csv", "--out", str(tmp_path / "x_")])
        == 0
    )
    assert len(pd.read_csv(tmp_path / "x_events.csv")) == len(straight["events"])


def test_kill_and_resume_gives_the_same_tables(tmp_path, straight):
    # more runs so the kill lands half-way: 4 points x 6 replicates, one worker
    batch = write_batch(tmp_path, GRID.replace("replicates = 2", "replicates = 6"))
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "simulation.batch",
        str(batch),
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    runs_dir = out / "runs"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            done = list(runs_dir.glob(DONE)) if runs_dir.exists() else []
            if len(done) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes
        proc.wait()
    done_before = len(list(runs_dir.glob(DONE)))
    assert 0 < done_before < 24, "the kill must land half-way"
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({done_before} already done)" in rerun.stdout
    resumed = collect_batch(out)
    # straight-through reference for 6 replicates
    ref_dir = tmp_path / "ref"
    ref_dir.mkdir()
    ref_batch = write_batch(ref_dir, GRID.replace("replicates = 2", "replicates = 6"))
    run_batch(load_batch(ref_batch), ref_dir / "out", workers=2, progress=False)
    assert_same(resumed, collect_batch(ref_dir / "out"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finished"] and manifest["counts"]["done"] == 24


def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(FAIL_HOOK, "p0001")  # test hook: the worker raises for this point
    batch = write_batch(tmp_path)
    out = tmp_path / "out"
    assert cli(["batch", str(batch), "--out", str(out), "--workers", "2", "--quiet"]) == 1
    assert "2 runs failed" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    failed = [r for r in manifest["runs"] if r["status"] == "failed"]
    assert [r["run_id"] for r in failed] == ["p0001-r000", "p0001-r001"]
    assert all("RuntimeError" in r["traceback"] and r["seed"] for r in failed)
    assert failed[0]["overrides"] == {
        "growth.target_schools_per_year": 0.2,
        "growth.accept": "any",
    }
    assert manifest["counts"] == {"done": 6, "failed": 2, "pending": 0}
    assert collect_batch(out)["model"]["run_id"].nunique() == 6
    # fixed, rerun: only the failed runs run again
    monkeypatch.delenv(FAIL_HOOK)
    assert cli(["batch", str(batch), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    assert "(6 already done), 0 failed" in capsys.readouterr().out


BAD = [
    ("replicates = 2", "replicate = 2", "batch.replicate: unknown key"),
    ('design = "grid"', 'design = "gird"', "batch.design: 'gird' is not allowed; choose one of"),
    ('"growth.accept"', '"growth.acept"', 'grid."growth.acept": unknown parameter'),
    ('"growth.accept"', '"grwth.accept"', 'grid."grwth.accept": unknown parameter'),
    ("[0.2, 1.0]", "[0.2, 99.0]", 'grid."growth.target_schools_per_year"[1]: 99.0 not allowed'),
    ('["golden_rule", "any"]', '["golden_rule", "sometimes"]', 'grid."growth.accept"[1]'),
    ('"growth.accept"', '"run.years"', 'grid."run.years": [run] is set by the batch'),
    ("root_seed = 5", "root_seed = -1", "batch.root_seed: -1 is out of range"),
    ('"tiny.toml"', '"missing.toml"', "batch.base_scenario: file not found"),
    ("[grid]", "[ranges]", "grid: design = 'grid' needs a [grid] table"),
    ("[batch]", '[ranges]\n"growth.radius_km" = [1.0, 2.0]\n[batch]', "ranges: only used with"),
    ('design = "grid"', 'design = "sobol"\nsamples = 6', "batch.samples: 6 is not allowed"),
    ("[grid]", "[batch.grid]", "batch.grid: unknown key"),
    ("[batch]", "[bach]", "bach: unknown table"),
]


@pytest.mark.parametrize("old,new,message", BAD)
def test_malformed_batch_files_are_one_line_errors(tmp_path, capsys, old, new, message):
    assert old in GRID
    batch = write_batch(tmp_path, GRID.replace(old, new, 1))
    with pytest.raises(ScenarioError) as err:
        load_batch(batch)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{batch}: ") and message in text
    assert cli(["batch", str(batch), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"error: {text}\n"
    assert not (tmp_path / "out").exists()


def test_ranges_designs_and_bad_ranges(tmp_path):
    ranges = GRID.replace('design = "grid"', 'design = "latin_hypercube"\nsamples = 5')
    ranges = ranges.split("[grid]")[0] + (
        '[ranges]\n"growth.radius_km" = [10.0, 40.0]\n"growth.max_schools" = [5, 30]\n'
    )
    spec = load_batch(write_batch(tmp_path, ranges))
    points = design_points(spec)
    assert len(points) == 5
    assert all(isinstance(p.overrides["growth.max_schools"], int) for p in points)
    assert all(10.0 <= p.overrides["growth.radius_km"] <= 40.0 for p in points)
    assert points == design_points(load_batch(tmp_path / "batch.toml"))  # root seed fixes it
    sobol = ranges.replace('"latin_hypercube"\nsamples = 5', '"sobol"\nsamples = 4')
    assert len(design_points(load_batch(write_batch(tmp_path, sobol)))) == 4 * (2 + 2)
    morris = ranges.replace('"latin_hypercube"\nsamples = 5', '"morris"\nsamples = 3')
    assert len(design_points(load_batch(write_batch(tmp_path, morris)))) == 3 * (2 + 1)
    for bad, message in [
        ("[40.0, 10.0]", "lo must be below hi"),
        ("[10.0, 5000.0]", "5000.0 not allowed"),
        ("[10.0]", "must be [lo, hi]"),
    ]:
        batch = write_batch(tmp_path, ranges.replace("[10.0, 40.0]", bad))
        with pytest.raises(ScenarioError, match=r"ranges\.\"growth\.radius_km\"") as err:
            load_batch(batch)
        assert message in str(err.value)
    batch = write_batch(tmp_path, ranges.replace("growth.max_schools", "growth.accept"))
    with pytest.raises(ScenarioError, match="only numeric parameters"):
        load_batch(batch)


def test_shipped_batch_files_load():
    for path in sorted((ROOT / "scenarios" / "batches").glob("*.toml")):
        spec = load_batch(path)
        assert design_points(spec)


def test_a_different_batch_in_the_same_out_dir_is_refused(tmp_path, capsys):
    batch = write_batch(tmp_path)
    out = tmp_path / "out"
    assert cli(["batch", str(batch), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    write_batch(tmp_path, GRID.replace("root_seed = 5", "root_seed = 6"))
    capsys.readouterr()
    assert cli(["batch", str(batch), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    assert "holds a different batch" in capsys.readouterr().err


def test_bad_scheduler_is_a_usage_error(tmp_path, capsys):
    batch = write_batch(tmp_path)
    assert cli(["batch", str(batch), "--out", str(tmp_path / "o"), "--scheduler", "foo"]) == 2
    assert "error: --scheduler: 'foo' is not allowed" in capsys.readouterr().err
