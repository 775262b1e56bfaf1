"""The break-point timeline, workshop explanations and the trusts' paths figure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from simulation import cli, load_scenario, plotting, run_simulation
from simulation.breakpoints import BREAK_POINTS, BY_NAME
from simulation.labels import BREAK_POINT_LABELS, SHIFT_LABELS, break_point_label, shift_label
from simulation.report import (
    EXPLAINED,
    WIDTH,
    break_point_timeline,
    explain_break_point,
    fmt_number,
    named_trust_ids,
    select_trusts,
)

from .conftest import tiny_scenario_toml

NAN = float("nan")
NAMED_ELM = '[[trusts.named]]\nname = "Elm Trust"\nn_schools = 5\n'
SMALL = tiny_scenario_toml(
    "small", "a small world with one named trust, for report tests", NAMED_ELM, years=4
)


# --- hand-built tables ----------------------------------------------------------------------


def trusts_table() -> pd.DataFrame:
    """Four trusts over years 0-3: a named MAT, two drawn MATs and a single-academy trust."""
    specs = {  # id: (name, kind, schools by year, mean quality by year)
        0: ("Oak Trust", "multi_academy", [5, 7, 9, 10], [-0.10, -0.20, -0.30, 0.05]),
        1: ("MAT 1", "multi_academy", [8, 9, 9, 12], [0.10, 0.00, -0.10, -0.20]),
        2: ("MAT 2", "multi_academy", [3, 3, 4, 4], [0.20, 0.20, 0.10, 0.10]),
        3: ("SAT 1", "single_academy", [1, 1, 1, 1], [0.30, 0.30, 0.30, 0.30]),
    }
    rows = []
    for trust_id, (name, kind, schools, quality) in specs.items():
        for year in range(4):
            rows.append(
                {
                    "year": year,
                    "trust_id": trust_id,
                    "name": name,
                    "kind": kind,
                    "n_schools": schools[year],
                    "spread_km": 1.0 + trust_id + 2.0 * year,
                    "share_weak": 0.1 * ((year + trust_id) % 4),
                    "mean_quality": quality[year],
                }
            )
    return pd.DataFrame(rows)


def event(year, trust_id, kind, break_point, **fields) -> dict:
    row = {
        "year": year,
        "kind": kind,
        "school_id": -1,
        "trust_id": trust_id,
        "break_point": break_point,
        "driver": BY_NAME[break_point].driver if break_point in BY_NAME else "nan",
        "load": 11.0,
        "capacity": 4.5,
        "ratio": 11.0 / 4.5,
        "n_schools": 9.0,
        "pupils": 2400.0,
        "spread_km": 3.5,
        "share_weak": 2 / 9,
        "anticipated": NAN,
        "shift": "nan",
        "effective_year": NAN,
        "cost_gbp": NAN,
    }
    row.update(fields)
    return row


def events_table() -> pd.DataFrame:
    """Rows deliberately out of year order, mixed with events that are not break points."""
    shift = {"anticipated": 1.0, "shift": "ceo_steps_back", "effective_year": 5.0}
    rows = [
        event(
            3,
            0,
            "shift",
            "ceo_role",
            load=10.0,
            capacity=4.5,
            ratio=10 / 4.5,
            n_schools=10.0,
            cost_gbp=30000.0,
            **shift,
        ),
        event(
            1,
            0,
            "crossing",
            "ceo_role",
            load=7.0,
            capacity=4.5,
            ratio=7 / 4.5,
            n_schools=7.0,
            spread_km=12.25,
            share_weak=0.25,
        ),
        event(2, 0, "inspection", "nan", school_id=4),
        event(2, 1, "crossing", "oversight"),
        event(1, 1, "crossing", "governance", load=9.0, capacity=8.0, ratio=1.125),
        event(
            3,
            1,
            "shift",
            "oversight",
            anticipated=0.0,
            shift="recruit_leads_and_monitoring",
            effective_year=4.0,
            cost_gbp=30000.0,
        ),
        event(3, 1, "recovery", "governance", load=2.0, capacity=8.0, ratio=0.25),
        event(2, 2, "crossing", "collaboration", load=14.0, capacity=10.0, ratio=1.4),
        # a single-academy trust is never picked to fill the timeline, however busy
        *(event(y, 3, "crossing", "glass_floor") for y in (1, 2, 3)),
        *(event(y, 3, "shift", "glass_floor") for y in (1, 2, 3)),
    ]
    return pd.DataFrame(rows)


def blocks(text: str) -> dict[int, list[str]]:
    """Timeline lines by trust id (header first), in printed order."""
    out: dict[int, list[str]] = {}
    current = None
    for line in text.splitlines():
        if "(trust_id " in line and not line.startswith(" "):
            current = int(line.split("(trust_id ")[1].split(",")[0])
            out[current] = [line]
        elif current is not None and line.strip() and not line.startswith("..."):
            out[current].append(line)
    return out


def event_lines(lines: list[str]) -> list[tuple[int, str, str]]:
    """(year, kind, break point label) of each event line of one trust's block."""
    found = []
    for line in lines[1:]:
        parts = line.split()
        if parts and parts[0].isdigit():
            label = next(lab for lab in BREAK_POINT_LABELS.values() if f"  {lab}  " in line)
            found.append((int(parts[0]), parts[1], label))
    return found


# --- timeline -------------------------------------------------------------------------------


def test_timeline_lists_each_trusts_events_in_year_order():
    text = break_point_timeline(trusts_table(), events_table(), trust_ids=[0, 1, 2])
    by_trust = blocks(text)
    assert list(by_trust) == [0, 1, 2]
    ceo, oversight = break_point_label("ceo_role"), break_point_label("oversight")
    governance = break_point_label("governance")
    assert event_lines(by_trust[0]) == [(1, "crossing", ceo), (3, "shift", ceo)]
    assert event_lines(by_trust[1]) == [
        (1, "crossing", governance),
        (2, "crossing", oversight),
        (3, "shift", oversight),
        (3, "recovery", governance),
    ]
    assert event_lines(by_trust[2]) == [(2, "crossing", break_point_label("collaboration"))]
    assert "inspection" not in text
    # plain words only: no break point or shift is printed by its code
    for code in (*BREAK_POINT_LABELS, *SHIFT_LABELS):
        assert code not in text, code


def test_timeline_header_and_lines_carry_the_numbers():
    by_trust = blocks(break_point_timeline(trusts_table(), events_table(), trust_ids=[0]))
    header, *rest = by_trust[0]
    assert header.startswith("Oak Trust (trust_id 0, MAT, selected)")
    assert "schools 5 -> 10" in header and "mean quality -0.10 -> +0.05" in header
    crossing = next(line for line in rest if " crossing " in line)
    for cell in (break_point_label("ceo_role"), "7  / 4.5", "1.56", "12.2 km", "25%"):
        assert cell in crossing, cell
    assert crossing.split()[-4] == "7"  # schools at that moment
    shift_at = next(i for i, line in enumerate(rest) if " shift " in line)
    detail = rest[shift_at + 1]
    assert f"-> shift: {shift_label('ceo_steps_back')} (anticipated)" in detail
    assert "from year 5" in detail and "£30,000" in detail
    reactive = blocks(break_point_timeline(trusts_table(), events_table(), trust_ids=[1]))[1]
    assert any(f"{shift_label('recruit_leads_and_monitoring')} (reactive)" in x for x in reactive)


def test_selected_trusts_come_first_then_the_busiest_mats():
    trusts, events = trusts_table(), events_table()
    assert select_trusts(trusts, events, [2]) == [2, 1, 0]  # 1 has 3 crossings/shifts, 0 has 2
    assert list(blocks(break_point_timeline(trusts, events, trust_ids=[2]))) == [2, 1, 0]
    assert select_trusts(trusts, events, [2, 0], max_trusts=3) == [2, 0, 1]
    assert select_trusts(trusts, events, [], max_trusts=2) == [1, 0]
    assert select_trusts(trusts, events, [0], max_trusts=0) == []
    # by default the named trusts (not "MAT n" / "SAT n") come first
    assert named_trust_ids(trusts) == [0]
    text = break_point_timeline(trusts, events, max_trusts=2)
    assert list(blocks(text)) == [0, 1]
    assert "... and 1 more MAT(s)" in text  # MAT 2; the single-academy trust is not counted
    with pytest.raises(ValueError, match="unknown trust id"):
        select_trusts(trusts, events, [99])


def test_timeline_fits_the_terminal_and_handles_no_events():
    trusts, events = trusts_table(), events_table()
    long = trusts.assign(name=trusts["name"].where(trusts["trust_id"] != 0, "A" * 120))
    for text in (
        break_point_timeline(trusts, events, max_trusts=8),
        break_point_timeline(long, events, trust_ids=[0]),
    ):
        assert max(len(line) for line in text.splitlines()) <= WIDTH
    quiet = break_point_timeline(trusts, events.iloc[0:0], trust_ids=[2])
    assert "no break-point crossings, shifts or recoveries" in quiet
    assert list(blocks(quiet)) == [2]
    assert break_point_timeline(trusts, events, max_trusts=0).startswith("Break-point timeline")


# --- explanations ---------------------------------------------------------------------------


def test_every_break_point_has_an_explanation():
    assert set(EXPLAINED) == {bp.name for bp in BREAK_POINTS}
    assert len(EXPLAINED) == 12


@pytest.mark.parametrize("name", [bp.name for bp in BREAK_POINTS])
def test_explanations_use_the_numbers_of_the_row(name):
    row = pd.Series(event(6, 0, "crossing", name, load=11.0, capacity=4.5, ratio=11 / 4.5))
    text = explain_break_point(row, trust_name="Oak Trust")
    for phrase in ("in year 6", "Oak Trust", "9 schools (2 weak)", "2,400 pupils", "3.5 km"):
        assert phrase in text, phrase
    for number in ("11", "4.5", "2.44"):
        assert number in text, number
    assert "\n" not in text and BY_NAME[name].driver in text
    assert BY_NAME[name].shift.description in text  # what would restore capacity

    shift = row.copy()
    shift["kind"], shift["shift"], shift["anticipated"] = "shift", BY_NAME[name].shift.name, 1.0
    shift["effective_year"], shift["cost_gbp"] = 8.0, 45000.0
    text = explain_break_point(shift)
    made = shift_label(BY_NAME[name].shift.name)
    for phrase in ("trust 0", made, "anticipated", "year 8", "£45,000"):
        assert phrase in text, phrase

    shift["anticipated"] = 0.0
    assert "reactive" in explain_break_point(shift)
    recovery = row.copy()
    recovery["kind"], recovery["ratio"] = "recovery", 0.8
    assert "back within capacity" in explain_break_point(recovery)


def test_explanations_differ_between_break_points_and_reject_unknown_names():
    texts = {
        explain_break_point(pd.Series(event(6, 0, "crossing", bp.name))) for bp in BREAK_POINTS
    }
    assert len(texts) == 12
    with pytest.raises(ValueError, match="unknown break point"):
        explain_break_point({"break_point": "moonshot", "year": 1})


def test_numbers_read_as_people_say_them():
    assert [fmt_number(x) for x in (11.0, 4.5, 2.6667, 607.6, 12500.0)] == [
        "11",
        "4.5",
        "2.67",
        "608",
        "12,500",
    ]
    assert fmt_number(NAN) == "?" and fmt_number(None) == "?" and fmt_number(math.inf) == "?"


# --- figure ---------------------------------------------------------------------------------


def marks(ax, gid: str) -> np.ndarray:
    offsets = [c.get_offsets() for c in ax.collections if c.get_gid() == gid]
    return np.concatenate(offsets) if offsets else np.empty((0, 2))


def test_paths_figure_draws_a_path_per_trust_with_events_marked():
    trusts, events = trusts_table(), events_table()
    fig = plotting.break_point_paths_figure(trusts, events, "scenario: hand | seed: 0")
    spread_ax, weak_ax = fig.axes
    for ax in (spread_ax, weak_ax):
        assert "schools" in ax.get_xlabel() and ax.get_title()
        assert [line.get_gid() for line in ax.lines] == ["trust 0", "trust 1", "trust 2"]
        assert len(marks(ax, "crossing")) == 4 and len(marks(ax, "start")) == 3
        assert len(marks(ax, "shift")) == 1 and len(marks(ax, "shift_anticipated")) == 1
        colours = {to_hex(line.get_color()).upper() for line in ax.lines}
        assert colours <= set(plotting.OKABE_ITO.values())
    assert "(km)" in spread_ax.get_ylabel() and "(%)" in weak_ax.get_ylabel()
    # Oak Trust's path: schools by year against spread, and its crossing where it happened
    np.testing.assert_allclose(spread_ax.lines[0].get_xydata(), [[5, 1], [7, 3], [9, 5], [10, 7]])
    np.testing.assert_allclose(weak_ax.lines[1].get_ydata(), [10, 20, 30, 0])
    assert [7.0, 12.25] in marks(spread_ax, "crossing").tolist()
    assert [7.0, 25.0] in marks(weak_ax, "crossing").tolist()
    assert [10.0, 3.5] in marks(spread_ax, "shift_anticipated").tolist()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Oak Trust" in legend and "MAT 1" in legend  # trusts by name, never by id
    assert any(label.startswith("crossing") for label in legend)
    assert any(label.startswith("shift, anticipated") for label in legend)
    assert "scenario: hand | seed: 0" in [t.get_text() for t in fig.texts]

    chosen = plotting.break_point_paths_figure(trusts, events, "cap", trust_ids=[2], max_trusts=1)
    assert [line.get_gid() for line in chosen.axes[0].lines] == ["trust 2"]
    empty = plotting.break_point_paths_figure(trusts, events.iloc[0:0], "cap", trust_ids=[])
    assert not empty.axes[0].lines
    assert "break point" in " ".join(t.get_text() for t in empty.axes[0].texts)


def test_paths_figure_is_a_standard_figure():
    tables = {"schools": pd.DataFrame({"year": [0, 3]})}
    assert "break_point_paths" in plotting.standard_figures(tables)


# --- a real run -----------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "small.toml").write_text(SMALL)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "small.toml"


def test_a_real_run_gives_a_timeline_and_a_figure(small):
    scenario = load_scenario(small)
    result = run_simulation(scenario.params, seed=3, scenario_name=scenario.name)
    trusts, events = result.tables["trusts"], result.tables["events"]
    assert named_trust_ids(trusts) == [0]
    text = break_point_timeline(trusts, events, trust_ids=[0], max_trusts=3)
    by_trust = blocks(text)
    assert list(by_trust)[0] == 0 and by_trust[0][0].startswith("Elm Trust (trust_id 0, MAT")
    assert len(by_trust) <= 3
    mine = events[events["kind"].astype(str).isin(["crossing", "shift", "recovery"])]
    mine = mine[mine["trust_id"] == 0].sort_values("year", kind="stable")
    labels = mine["break_point"].map(break_point_label)
    first = trusts[trusts["trust_id"] == 0].sort_values("year").iloc[0]
    past = [  # break points it was already past at the start, then its events in year order
        (int(first["year"]), "past", break_point_label(c.removeprefix("ratio_")))
        for c in trusts.columns
        if c.startswith("ratio_") and first[c] >= 1.0
    ]
    expected = past + list(zip(mine["year"], mine["kind"].astype(str), labels, strict=True))
    assert event_lines(by_trust[0]) == expected
    fig = plotting.break_point_paths_figure(trusts, events, "cap", trust_ids=[0])
    assert fig.axes[0].lines[0].get_gid() == "trust 0"
    assert len(fig.axes[0].lines[0].get_xdata()) == (trusts["trust_id"] == 0).sum()


def test_matsim_run_prints_the_timeline_and_writes_the_figure(small, capsys):
    assert cli.main(["run", "small.toml", "--seed", "3", "--timeline", "2"]) == 0
    stdout = capsys.readouterr().out
    summary, _, timeline = stdout.partition("Break-point timeline")
    assert "small (seed 3): 4 years" in summary and timeline
    printed = blocks(timeline)
    assert list(printed)[0] == 0 and len(printed) <= 2
    assert printed[0][0].startswith("Elm Trust (trust_id 0, MAT, selected)")
    png = small.parent / "results" / "small-3" / "figures" / "break_point_paths.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("option", [["--timeline", "0"], ["--quiet"]])
def test_the_timeline_can_be_hidden(small, capsys, option):
    argv = ["run", "small.toml", "--seed", "3", "--no-figures", "--out", "o", *option]
    assert cli.main(argv) == 0
    assert "Break-point timeline" not in capsys.readouterr().out


def test_a_negative_timeline_is_a_usage_error(small, capsys):
    assert cli.main(["run", "small.toml", "--timeline", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: argument --timeline") and err.count("\n") == 1
