"""``matsim compare``: common random numbers, paired intervals, parallel determinism, outputs.

Tiny three-year worlds keep the whole module well under a minute; the process pool is used
for real (two workers) where results must not depend on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import cli
from simulation import compare as cmp
from simulation.plotting import comparison_figure

from .conftest import tiny_scenario_toml


def tiny(name: str, extra: str = "", years: int = 3) -> str:
    """A tiny comparison arm: 60 schools, three MATs, plus ``extra`` TOML."""
    return tiny_scenario_toml(
        name, "a tiny world for comparison tests", extra, years=years, n_schools=60, mats=3
    )


FAST_GROWTH = "\n[growth]\ntarget_schools_per_year = 3.0\n"
TABLE_COLUMNS = [
    "outcome",
    "arm",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_first",
    "diff_ci_low",
    "diff_ci_high",
    "p_value",
    "n",
]


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scenarios")
    (root / "steady.toml").write_text(tiny("steady"))
    (root / "fast.toml").write_text(tiny("fast", FAST_GROWTH))
    (root / "broken.toml").write_text(tiny("broken", "\n[world]\nnope = 1\n"))
    (root / "unknown_key.toml").write_text(tiny("unknown", "\n[growth]\nspeed = 3.0\n"))
    return root


@pytest.fixture(scope="module")
def arms(scenario_dir: Path) -> list[cmp.Arm]:
    return cmp.load_arms([str(scenario_dir / "steady.toml"), str(scenario_dir / "fast.toml")])


@pytest.fixture(scope="module")
def serial(arms: list[cmp.Arm]) -> cmp.Comparison:
    return cmp.run_comparison(arms, replicates=3, root_seed=5, workers=1, trust_id=0)


def matsim(argv: list[str]) -> int:
    """``matsim`` with the compare command registered, handled as ``cli.main`` handles errors."""
    parser = cli._Parser(prog="matsim")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmp.register_compare_command(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return args.func(args)


def test_identical_arms_differ_by_exactly_zero(scenario_dir: Path):
    steady = str(scenario_dir / "steady.toml")
    comp = cmp.run_comparison(cmp.load_arms([steady, steady]), replicates=3, workers=1, trust_id=0)
    assert comp.arm_names == ["steady", "steady-2"]
    second = comp.table[comp.table["arm"] == "steady-2"]
    assert len(second) == len(cmp.outcome_names(0)) > 12
    for col in ("diff_vs_first", "diff_ci_low", "diff_ci_high"):
        assert (second[col] == 0.0).all(), second[["outcome", col]]
    assert (second["p_value"] == 1.0).all()
    first = comp.table[comp.table["arm"] == "steady"].reset_index(drop=True)
    for col in ("mean", "ci_low", "ci_high"):
        pd.testing.assert_series_equal(
            first[col], second[col].reset_index(drop=True), check_names=False
        )


def test_differing_arms_share_seeds_and_differences_are_paired(serial: cmp.Comparison):
    runs = serial.runs
    seeds = {arm: runs.loc[runs["arm"] == arm, "seed"].tolist() for arm in serial.arm_names}
    assert seeds["steady"] == seeds["fast"] == serial.seeds == cmp.replicate_seeds(5, 3)
    assert len(set(serial.seeds)) == 3
    # year 0 is the same world in both arms (common random numbers)
    start = serial.trajectories[serial.trajectories["year"] == 0].drop(columns="arm")
    pd.testing.assert_frame_equal(
        start.iloc[:3].reset_index(drop=True), start.iloc[3:].reset_index(drop=True)
    )
    row = serial.table.set_index(["outcome", "arm"]).loc[("break_points_per_mat_total", "fast")]
    wide = runs.pivot(index="seed", columns="arm", values="break_points_per_mat_total")
    assert row["diff_vs_first"] == pytest.approx((wide["fast"] - wide["steady"]).mean())
    assert row["diff_vs_first"] > 0  # faster growth crosses more break points
    assert row["n"] == 3 and row["n_pairs"] == 3


def test_results_are_identical_with_one_and_two_workers(arms, serial: cmp.Comparison):
    parallel = cmp.run_comparison(arms, replicates=3, root_seed=5, workers=2, trust_id=0)
    assert parallel.workers == 2
    pd.testing.assert_frame_equal(serial.runs, parallel.runs)
    pd.testing.assert_frame_equal(serial.trajectories, parallel.trajectories)
    pd.testing.assert_frame_equal(serial.table, parallel.table)


def test_intervals_contain_their_means(serial: cmp.Comparison):
    table = serial.table
    assert list(table.columns[: len(TABLE_COLUMNS)]) == TABLE_COLUMNS
    assert set(table["outcome"]) == set(cmp.outcome_names(0))
    assert ((table["ci_low"] <= table["mean"]) & (table["mean"] <= table["ci_high"])).all()
    other = table[table["arm"] == "fast"]
    inside = (other["diff_ci_low"] <= other["diff_vs_first"]) & (
        other["diff_vs_first"] <= other["diff_ci_high"]
    )
    assert inside.all()
    assert other["p_value"].between(0, 1).all()
    reference = table[table["arm"] == "steady"]
    assert reference[["diff_vs_first", "p_value"]].isna().all().all()


def test_flows_are_cumulated_in_trajectories_and_totalled_in_runs(serial: cmp.Comparison):
    traj, runs = serial.trajectories, serial.runs
    last = traj[traj["year"] == serial.years].set_index(["arm", "seed"])
    by_run = runs.set_index(["arm", "seed"])
    for flow in ("break_points_per_mat", "rebrokered", "trust_crossings"):
        np.testing.assert_allclose(last[flow], by_run.loc[last.index, f"{flow}_total"])
        assert (traj.loc[traj["year"] == 0, flow] == 0).all()
    np.testing.assert_allclose(last["quality"], by_run.loc[last.index, "quality_final"])


def test_t_interval_and_paired_p_value():
    mean, lo, hi = cmp.t_interval([1.0, 2.0, 3.0])
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert (mean, lo, hi) == pytest.approx((2.0, 2.0 - half, 2.0 + half))
    assert cmp.t_interval([4.0, np.nan, 4.0]) == (4.0, 4.0, 4.0)
    assert np.isnan(cmp.t_interval([1.0])[1])
    assert cmp.paired_p_value([0.0, 0.0, 0.0]) == 1.0
    assert cmp.paired_p_value([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == pytest.approx(0.03125)
    assert cmp.paired_p_value([0.5, 0.5, 0.5], test="t") == 0.0
    assert 0 < cmp.paired_p_value([1.0, -0.5, 2.0, 0.3], test="t") < 1


def test_the_cli_writes_the_files_and_prints_a_table(
    scenario_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", str(scenario_dir / "steady.toml"), str(scenario_dir / "fast.toml")]
    assert matsim([*argv, "--replicates", "2", "--workers", "1", "--trust-id", "0"]) == 0
    out = tmp_path / "results" / "compare" / "steady_vs_fast"
    assert {p.name for p in out.iterdir()} == set(cmp.FILES)
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns[: len(TABLE_COLUMNS)]) == TABLE_COLUMNS
    assert len(table) == 2 * len(cmp.outcome_names(0))
    assert len(pd.read_csv(out / "runs.csv")) == 4
    assert len(pd.read_csv(out / "trajectories.csv")) == 2 * 2 * 4  # arms x seeds x years 0-3
    meta = json.loads((out / "metadata.json").read_text())
    assert [a["name"] for a in meta["arms"]] == ["steady", "fast"]
    assert meta["arms"][1]["file"] == str((scenario_dir / "fast.toml").resolve())
    assert meta["seeds"] == cmp.replicate_seeds(cmp.DEFAULT_ROOT_SEED, 2)
    assert meta["years"] == 3 and meta["trust_id"] == 0 and "numpy" in meta["versions"]
    captured = capsys.readouterr()
    assert captured.err == ""
    for phrase in ("quality_mean", "break_points_per_mat_total", "reference", "p = ", str(out)):
        assert phrase in captured.out


def test_the_cli_honours_out_and_years(scenario_dir: Path, tmp_path: Path, capsys):
    steady = str(scenario_dir / "steady.toml")
    argv = ["compare", steady, steady, "-n", "2", "--years", "2", "--root-seed", "9"]
    assert matsim([*argv, "--out", str(tmp_path / "ab"), "--no-figure", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "ab")
    traj = pd.read_csv(tmp_path / "ab" / "trajectories.csv")
    assert traj["year"].max() == 2 and not (tmp_path / "ab" / "comparison.png").exists()
    assert json.loads((tmp_path / "ab" / "metadata.json").read_text())["root_seed"] == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["steady.toml"], "at least 2 scenarios"),
        (["steady.toml", "broken.toml"], "broken.toml"),
        (["steady.toml", "unknown_key.toml"], "speed"),
        (["steady.toml", "missing.toml"], "file not found"),
        (["steady.toml", "fast.toml", "--replicates", "1"], "allowed 2 or more"),
        (["steady.toml", "fast.toml", "--replicates", "x"], "must be an integer"),
        (["steady.toml", "fast.toml", "--workers", "0"], "allowed 1 or more"),
        (["steady.toml", "fast.toml", "--trust-id", "99"], "trust id 99"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    scenario_dir, tmp_path, monkeypatch, capsys, args: list[str], message: str
):
    monkeypatch.chdir(scenario_dir)
    argv = ["compare", *args, "--out", str(tmp_path / "out")]
    if "--replicates" not in args:
        argv += ["--replicates", "2"]
    if "--workers" not in args:
        argv += ["--workers", "1"]
    assert matsim(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "out").exists()


def test_a_failing_run_is_one_line_exit_1_and_writes_nothing(
    scenario_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    def explode(params, scenario_name, seed, years, trust_id=None):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cmp, "run_outcomes", explode)
    steady = str(scenario_dir / "steady.toml")
    argv = ["compare", steady, steady, "-n", "2", "--workers", "1", "--out", str(tmp_path / "x")]
    assert matsim(argv) == cmp.RUN_FAILED
    err = capsys.readouterr().err
    assert err.startswith("error: run of steady with seed ") and err.count("\n") == 1
    assert "ZeroDivisionError: boom" in err and not (tmp_path / "x").exists()


def test_run_comparison_refuses_bad_arguments(arms):
    with pytest.raises(cmp.CompareError, match="at least 2"):
        cmp.run_comparison(arms, replicates=1)
    with pytest.raises(cmp.CompareError, match="at least 2 scenarios"):
        cmp.run_comparison(arms[:1], replicates=2)
    with pytest.raises(cmp.CompareError, match="test"):
        cmp.run_comparison(arms, replicates=2, test="anova")


def test_arms_with_different_years_need_years(scenario_dir: Path, tmp_path: Path):
    longer = tmp_path / "longer.toml"
    longer.write_text(tiny("longer", years=4))
    arms = cmp.load_arms([str(scenario_dir / "steady.toml"), str(longer)])
    with pytest.raises(cmp.CompareError, match=r"\[run\] years differ.*--years"):
        cmp.resolve_years(arms, None)
    assert cmp.resolve_years(arms, 2) == 2


def test_comparison_figure_has_the_expected_axes(serial: cmp.Comparison):
    panels = serial.panels()
    bands = cmp.trajectory_bands(serial.trajectories, [p[0] for p in panels])
    fig = comparison_figure(bands, panels, serial.caption(), arms=serial.arm_names)
    axes = fig.get_axes()
    assert len(axes) == 4
    assert [ax.get_ylabel() for ax in axes] == [p[1] for p in panels]
    assert all("(" in ax.get_ylabel() for ax in axes)  # every y label names its unit
    assert all(ax.get_xlabel() == "simulated year" for ax in axes)
    assert axes[3].get_title() == "Trust 0: value added"
    for ax in axes:
        gids = [line.get_gid() for line in ax.get_lines()]
        assert gids == ["steady", "fast"]
        assert len(ax.collections) == 2  # one 95 % band per arm
        years = ax.get_lines()[0].get_xdata()
        assert list(years) == [0, 1, 2, 3]
    colours = {line.get_color() for line in axes[0].get_lines()}
    assert len(colours) == 2
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "steady vs fast" in texts and "root seed 5" in texts and "3 per arm" in texts


def test_comparison_figure_draws_fewer_panels(serial: cmp.Comparison):
    bands = cmp.trajectory_bands(serial.trajectories, ["quality", "central_cost_per_pupil"])
    panels = [
        ("quality", "quality (quality units)", 1.0, "Quality"),
        ("central_cost_per_pupil", "central cost (GBP per pupil)", 1.0, "Cost"),
    ]
    assert len(comparison_figure(bands, panels, "caption").get_axes()) == 2
    with pytest.raises(ValueError, match="1 to 4 panels"):
        comparison_figure(bands, panels * 3, "caption")
