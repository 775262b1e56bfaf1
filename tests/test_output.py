"""Writing a run: tables round-trip, provenance is complete, and a crash leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from simulation import load_scenario, plotting, run_simulation
from simulation import output as output_module
from simulation.output import OutputError, write_run
from simulation.parameters import GRADES
from simulation.run import RunResult

from .conftest import tiny_scenario_toml

TINY = tiny_scenario_toml("tiny", "a tiny world for output tests", years=3)

MIN_COLUMNS = {
    "model": {"year", "n_schools", "n_trusts", "share_good_or_better", "mean_quality"},
    "trusts": {"year", "trust_id", "n_schools", "pupils"},
    "schools": {"year", "school_id", "trust_id", "phase", "pupils", "quality", "grade"}
    | {"x_km", "y_km"},
    "events": {"year", "kind", "trust_id", "school_id"},
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(TINY)
    scenario = load_scenario(path)
    return run_simulation(scenario.params, seed=11, scenario_name=scenario.name)


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def test_parquet_output_round_trips_tables_and_lists_its_files(result, tmp_path):
    out = write_run(result, tmp_path / "run")
    assert out == (tmp_path / "run").resolve()
    for name, df in result.tables.items():
        back = read_table(out / f"{name}.parquet")
        assert MIN_COLUMNS[name] <= set(back.columns), name
        pd.testing.assert_frame_equal(back, df)
    meta = json.loads((out / "metadata.json").read_text())
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(meta["output"]["files"]) == on_disk
    assert meta["output"]["format"] == "parquet"
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == [
        "break_point_paths.png",
        "grade_mix.png",
        "map_end.png",
        "map_start.png",
        "trust_sizes.png",
    ]
    for png in (out / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC


def test_metadata_carries_provenance(result, tmp_path):
    meta = json.loads(
        (write_run(result, tmp_path / "run", figures=False) / "metadata.json").read_text()
    )
    assert meta["seed"] == 11
    assert meta["scenario"] == "tiny"
    assert meta["parameters"]["world"]["n_schools"] == 80
    assert meta["parameters"]["trusts"]["n_multi_academy"] == 4
    assert {"python", "mesa", "numpy", "pandas"} <= set(meta["versions"])
    assert meta["versions"]["mesa"].startswith("3.")
    assert isinstance(meta["git_commit"], str) and meta["git_commit"]
    assert pd.Timestamp(meta["timestamp_utc"]).tzinfo is not None
    assert meta["wall_time_s"] >= 0
    assert meta["rows"]["schools"] == len(result.tables["schools"])


def test_every_written_column_is_documented(result, tmp_path):
    columns = json.loads(
        (write_run(result, tmp_path / "run", figures=False) / "columns.json").read_text()
    )
    assert set(columns) == set(MIN_COLUMNS)
    for table, df in result.tables.items():
        assert list(columns[table]) == list(df.columns)
        undocumented = [
            c for c, d in columns[table].items() if d["description"] == "(undocumented)"
        ]
        assert undocumented == [], (
            f"{table}: undocumented columns {undocumented}; describe them in COLUMN_DICTIONARY"
        )


def test_csv_output_without_figures(result, tmp_path):
    out = write_run(result, tmp_path / "run", fmt="csv", figures=False)
    assert not (out / "figures").exists()
    assert not list(out.glob("*.parquet"))
    for name, df in result.tables.items():
        back = read_table(out / f"{name}.csv")
        assert list(back.columns) == list(df.columns)
        assert len(back) == len(df)
    schools = read_table(out / "schools.csv")
    assert np.allclose(schools["quality"], result.tables["schools"]["quality"], atol=1e-5)


def test_bad_format_is_refused_before_anything_is_written(result, tmp_path):
    with pytest.raises(OutputError, match="parquet, csv"):
        write_run(result, tmp_path / "run", fmt="xlsx")
    assert list(tmp_path.iterdir()) == []


def fail_on(table: str, original):
    """A table writer that writes normally until it reaches ``table``, then fails."""

    def writer(df, path, fmt):
        if path.stem == table:
            raise OSError("disk full (simulated)")
        return original(df, path, fmt)

    return writer


def test_a_crash_mid_write_leaves_no_directory(result, tmp_path, monkeypatch):
    monkeypatch.setattr(
        output_module, "_write_table", fail_on("schools", output_module._write_table)
    )
    with pytest.raises(OSError, match="disk full"):
        write_run(result, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []  # neither the output nor its temporary sibling


def test_a_crash_while_drawing_figures_leaves_no_directory(result, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(plotting, "save_figures", broken)
    with pytest.raises(RuntimeError):
        write_run(result, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_a_crash_keeps_the_previous_complete_output(result, tmp_path, monkeypatch):
    out = write_run(result, tmp_path / "run", figures=False)
    before = (out / "metadata.json").read_text()
    monkeypatch.setattr(
        output_module, "_write_table", fail_on("events", output_module._write_table)
    )
    with pytest.raises(OSError):
        write_run(result, out, fmt="csv", figures=False)
    assert (out / "metadata.json").read_text() == before
    assert (out / "schools.parquet").exists() and not (out / "schools.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_rewriting_replaces_the_previous_output_whole(result, tmp_path):
    out = write_run(result, tmp_path / "run", figures=False)
    write_run(result, out, fmt="csv", figures=False)
    assert not list(out.glob("*.parquet"))
    assert (out / "model.csv").exists()
    assert json.loads((out / "metadata.json").read_text())["output"]["format"] == "csv"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_directory_that_is_not_a_run_is_never_replaced(result, tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("do not delete")
    with pytest.raises(OutputError, match="not a matsim output"):
        write_run(result, precious)
    assert (precious / "chapter1.tex").read_text() == "do not delete"
    assert [p.name for p in tmp_path.iterdir()] == ["thesis"]


def test_metadata_json_is_strict_json():
    meta = output_module._jsonable(
        {"a": np.int64(3), "b": np.float32(0.5), "c": float("nan"), "d": (1, 2), "e": Path("x")}
    )
    assert meta == {"a": 3, "b": 0.5, "c": None, "d": [1, 2], "e": "x"}
    json.dumps(meta, allow_nan=False)


# --- figures -----------------------------------------------------------------------------


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts]


def test_grade_mix_figure_is_labelled_and_colour_blind_safe(result):
    fig = plotting.grade_mix_figure(result.tables["model"], "scenario: tiny | seed: 11")
    ax = fig.axes[0]
    assert "Grade mix" in ax.get_title()
    assert "(%)" in ax.get_ylabel() and "year" in ax.get_xlabel()
    assert "scenario: tiny | seed: 11" in texts(fig)
    faces = [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in ax.collections]
    expected = [plotting.GRADE_COLOURS[g].lower() for g in GRADES]
    assert faces == expected


def test_trust_sizes_figure_counts_every_trust_at_the_start(result):
    trusts = result.tables["trusts"]
    fig = plotting.trust_sizes_figure(trusts, "cap")
    left = fig.axes[0]
    start_bars = left.containers[0]
    assert sum(b.get_height() for b in start_bars) == (trusts["year"] == 0).sum()
    assert "schools per trust" in left.get_xlabel()
    assert "cap" in texts(fig)


def test_size_bands():
    bands = plotting.size_band(pd.Series([1, 2, 5, 6, 10, 11, 26, 40, 41, 300]))
    expected = ["1", "2-5", "2-5", "6-10", "6-10", "11-15", "26-40", "26-40", "41+", "41+"]
    assert list(bands.astype(str)) == expected


def test_map_figure_draws_every_school_once(result):
    schools, trusts = result.tables["schools"], result.tables["trusts"]
    year = int(schools["year"].max())
    fig = plotting.map_figure(schools, trusts, year, "cap")
    ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    n_mat_bases = ((trusts["year"] == year) & (trusts["n_schools"] > 1)).sum()
    assert points == (schools["year"] == year).sum() + n_mat_bases
    assert ax.get_xlabel() == "x (km)" and ax.get_ylabel() == "y (km)"
    with pytest.raises(ValueError, match="no schools"):
        plotting.map_figure(schools, trusts, year + 100, "cap")
