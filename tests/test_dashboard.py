"""The workshop dashboard: levers, charts, headless renders, the server process, a real browser.

Headless tests render the solara page with ``solara.render`` (wrapped in an AppLayout, as
``solara run`` does, so the sidebar's controls exist). The process tests start ``matsim
workshop`` as a user would and stop it with a signal. The browser test serves the app the way
``matsim workshop`` does and drives Debian's headless Chromium at 1366 x 768.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import altair as alt
import ipyvuetify as v
import ipywidgets
import jsonschema
import numpy as np
import pandas as pd
import pytest
import solara

from simulation import charts
from simulation.dashboard import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    SCENARIO_ENV,
    controls,
    levers,
    register_workshop_command,
    server_command,
    state,
)
from simulation.dashboard import components as dash
from simulation.dashboard.vega import VegaChart
from simulation.labels import BREAK_POINT_LABELS, SHIFT_LABELS, break_point_label
from simulation.parameters import ACCEPT_RULES, PRESETS, REVIEW_POLICIES
from simulation.scenario import ScenarioError, load_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPO = Path(__file__).resolve().parent.parent
MESA_DEVELOPER_CONTROLS = ("Play Interval", "Render Interval", "Use Threads", "Time:")
VEGA_LITE = alt.vegalite.v6.schema.core.load_schema()


def _scenario(name: str):
    return levers.load_workshop_scenario(name)


# --- levers ---------------------------------------------------------------------------------


def test_lever_defaults_come_from_the_scenario():
    growing = _scenario("growing_trust").params
    oak = growing.trusts.named[0]
    d = levers.lever_defaults(growing)
    assert d["growth_per_year"] == oak.growth.target_schools_per_year
    assert d["accept_rule"] == oak.growth.accept
    assert d["growth_radius_km"] == oak.growth.radius_km
    assert d["seed"] == growing.run.seed
    baseline = _scenario("baseline").params
    d = levers.lever_defaults(baseline)
    assert d["operating_model"] == baseline.operating_model.preset
    assert d["review_policy"] == baseline.review.policy
    assert d["growth_per_year"] == baseline.growth.target_schools_per_year
    assert d["ceo_steps_back_at"] == baseline.operating_model.resolved()["ceo_steps_back_at"]


def test_levers_at_their_defaults_leave_the_scenario_untouched():
    for name in ("baseline", "growing_trust", "second_region"):
        params = _scenario(name).params
        defaults = levers.lever_defaults(params)
        assert levers.apply_levers(params, **defaults) is params
        assert levers.changed_levers(params, **defaults) == {}


def test_levers_act_on_named_trusts_or_on_every_trust():
    growing = _scenario("growing_trust").params
    changed = levers.apply_levers(
        growing, operating_model="standardised", growth_per_year=5.0, review_policy="static"
    )
    oak = changed.trusts.named[0]
    assert oak.operating_model.preset == "standardised"
    assert oak.growth.target_schools_per_year == 5.0
    assert oak.growth.radius_km == growing.trusts.named[0].growth.radius_km
    assert oak.review.policy == "static"
    assert changed.growth == growing.growth  # the other trusts keep the scenario's sections
    baseline = _scenario("baseline").params
    changed = levers.apply_levers(baseline, operating_model="hub_and_cluster", ceo_steps_back_at=3)
    assert changed.operating_model.resolved()["clusters"] is True
    assert changed.operating_model.resolved()["ceo_steps_back_at"] == 3
    with pytest.raises(ValueError, match="unknown lever"):
        levers.apply_levers(baseline, colour="blue")


def test_every_choice_is_offered_in_words_and_values_read_rounded():
    specs = levers.lever_specs(_scenario("growing_trust").params)
    assert list(specs["operating_model"].choices) == list(PRESETS)
    assert list(specs["review_policy"].choices) == list(REVIEW_POLICIES)
    assert list(specs["accept_rule"].choices) == list(ACCEPT_RULES)
    for name in ("operating_model", "review_policy", "accept_rule"):
        for code, words in specs[name].choices.items():
            assert "_" not in words and words[0].isupper(), (code, words)
    growth = specs["growth_per_year"]
    assert growth.rounded(1.2000000000000002) == 1.2  # what the slider hands back
    assert growth.words(1.2000000000000002) == "1.2 schools a year"
    assert specs["ceo_steps_back_at"].words(0) == "never"
    assert specs["ceo_steps_back_at"].rounded(4.6) == 5
    assert specs["operating_model"].words("earned_autonomy") == "Earned autonomy"


def test_choosing_an_operating_model_shows_its_own_ceo_lever():
    params = _scenario("baseline").params
    pending = levers.lever_defaults(params)
    assert pending["operating_model"] == "aligned" and pending["ceo_steps_back_at"] == 8
    moved = levers.with_lever(params, pending, "operating_model", "standardised")
    assert moved["ceo_steps_back_at"] == PRESETS["standardised"]["ceo_steps_back_at"]
    # a CEO lever the facilitator already set is kept
    chosen = levers.with_lever(params, pending, "ceo_steps_back_at", 12)
    chosen = levers.with_lever(params, chosen, "operating_model", "standardised")
    assert chosen["ceo_steps_back_at"] == 12
    assert levers.describe_changes(params, pending, moved) == [
        "Operating model: Aligned → Standardised",
        "CEO steps back at: 8 schools → 5 schools",
    ]
    model = levers.WorkshopModel(scenario_name="baseline", **moved)
    assert model.levers == moved
    assert model.changed_levers == {"operating_model": "standardised", "ceo_steps_back_at": 5}


# --- charts ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grown():
    """Oak Trust grown fast for 8 years, so it meets break points; and its snapshot."""
    model = levers.WorkshopModel(scenario_name="growing_trust", growth_per_year=6.0)
    model.run(8)
    return model, state.snapshot(model)


def _all_specs(snap: state.Snapshot, trust_id: int) -> list[dict]:
    specs = [charts.outcome_chart(snap.model, o, snap.horizon) for o in charts.OUTCOMES]
    specs.append(charts.map_chart(snap.schools, snap.multi_school_now, trust_id, snap.extent)[0])
    rows, events = snap.trust_rows(trust_id), snap.trust_events(trust_id)
    specs.append(charts.trust_size_chart(rows, snap.horizon, snap.name_of(trust_id)))
    specs.append(charts.break_point_timeline_chart(rows, events, snap.horizon))
    return specs


def test_every_chart_is_valid_vega_lite_and_speaks_plain_words(grown):
    _, snap = grown
    specs = _all_specs(snap, 0)
    assert specs[-1] is not None, "fast growth should meet a break point"
    for spec in specs:
        jsonschema.validate(spec, VEGA_LITE)
        text = json.dumps(spec)
        assert "NaN" not in text
        for code in (*BREAK_POINT_LABELS, *SHIFT_LABELS):
            assert f'"{code}"' not in text, code  # names, never codes
    timeline = json.dumps(specs[-1])
    met = {break_point_label(b) for b in snap.trust_events(0)["break_point"]}
    assert met and all(label in timeline for label in met)


def test_outcome_axes_do_not_stretch_small_moves_and_say_which_way_is_better():
    years = np.arange(6)
    gap = 0.0775 + 0.0006 * years  # the 0.0775-0.0805 "drama"
    model_df = pd.DataFrame(
        {
            "year": years,
            "mean_quality": 0.1 + 0.05 * years,  # a big move
            "pupil_share_good_or_better": np.full(6, 0.85),
            "disadvantage_gap": gap,
        }
    )
    quality, share, gap_outcome = charts.OUTCOMES
    spec = charts.outcome_chart(model_df, gap_outcome, horizon=15)
    line = spec["layer"][-1]
    assert line["encoding"]["y"]["field"] == "change"
    low, high = line["encoding"]["y"]["scale"]["domain"]
    assert (low, high) == (-gap_outcome.min_half_span, gap_outcome.min_half_span)
    assert line["encoding"]["x"]["scale"]["domain"] == [0, 15]  # the whole horizon from year 0
    assert "lower is better" in " ".join(spec["title"]["subtitle"])
    band = spec["layer"][0]["data"]["values"][0]
    assert band["y2"] < 0, "the better half of a gap panel is below zero"
    spec = charts.outcome_chart(model_df, quality, horizon=15)
    low, high = spec["layer"][-1]["encoding"]["y"]["scale"]["domain"]
    assert high >= 0.25 and low == -high, "a large move widens the axis to hold it"
    assert spec["layer"][0]["data"]["values"][0]["y2"] > 0
    assert "higher is better" in " ".join(spec["title"]["subtitle"])


def test_a_big_map_shows_one_school_in_n_and_the_largest_bases():
    rng = np.random.default_rng(3)
    n = 12_000
    schools = pd.DataFrame(
        {
            "x_km": rng.uniform(0, 500, n),
            "y_km": rng.uniform(0, 600, n),
            "grade": rng.integers(-1, 4, n),
            "trust_id": rng.integers(-1, 300, n),
        }
    )
    trusts = pd.DataFrame(
        {
            "trust_id": np.arange(300),
            "name": [f"MAT {i + 1}" for i in range(300)],
            "base_x_km": rng.uniform(0, 500, 300),
            "base_y_km": rng.uniform(0, 600, 300),
            "n_schools": rng.integers(2, 60, 300),
        }
    )
    spec, caption = charts.map_chart(schools, trusts, 7, charts.map_extent(schools))
    layers = {json.dumps(layer["mark"], sort_keys=True): layer for layer in spec["layer"]}
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
    mine = int((schools["trust_id"] == 7).sum())
    assert len(points["data"]["values"]) <= charts.MAP_MAX_POINTS + mine
    bases = next(m for k, m in layers.items() if '"square"' in k)
    assert len(bases["data"]["values"]) == charts.MAP_MAX_BASES
    rings = next(m for k, m in layers.items() if '"filled": false' in k and "circle" in k)
    assert len(rings["data"]["values"]) == mine, "every school of the followed trust is shown"
    assert "1 in 3 of 12,000 schools" in caption and "MAT 8" in caption
    small, caption = charts.map_chart(schools[:300], trusts, None, charts.map_extent(schools[:300]))
    circle = next(layer for layer in small["layer"] if layer["mark"]["type"] == "circle")
    assert len(circle["data"]["values"]) == 300 and "1 in" not in caption


def test_anticipated_shifts_are_hollow_and_no_events_means_no_timeline():
    rows = pd.DataFrame({"year": [0, 1, 2], "ratio_ceo_role": [0.5, 1.2, 0.8]})
    events = pd.DataFrame(
        {
            "year": [1, 1, 2],
            "kind": ["crossing", "shift", "recovery"],
            "break_point": ["ceo_role", "oversight", "ceo_role"],
            "anticipated": [np.nan, 1.0, np.nan],
            "shift": ["nan", "recruit_leads_and_monitoring", "nan"],
            "ratio": [1.2, 0.9, 0.8],
        }
    )
    spec = charts.break_point_timeline_chart(rows, events, horizon=15)
    jsonschema.validate(spec, VEGA_LITE)
    shaded, solid, hollow = spec["layer"]
    assert [r["break_point"] for r in shaded["data"]["values"]] == ["The CEO's role"]
    assert hollow["encoding"]["fill"] == {"value": "white"}
    assert [r["shift"] for r in hollow["data"]["values"]] == [
        SHIFT_LABELS["recruit_leads_and_monitoring"]
    ]
    assert len(solid["data"]["values"]) == 2
    assert charts.break_point_timeline_chart(rows.iloc[:1], events.iloc[0:0], 15) is None


# --- what the views read ------------------------------------------------------------------


def test_trusts_are_picked_by_name_and_size_and_the_followed_one_is_always_offered(grown):
    model, snap = grown
    choices = state.trust_choices(snap, None)
    first = next(iter(choices))
    assert choices[first] == 0 and first.startswith("Oak Trust · ")
    assert first.endswith(f"{int(model.trust_sizes()[0])} schools")
    assert not any("(trust" in label or "trust_id" in label for label in choices)
    small = snap.trusts_now.sort_values("n_schools")["trust_id"].iloc[0]
    assert int(small) not in state.trust_choices(snap, None, limit=3).values()
    assert int(small) in state.trust_choices(snap, int(small), limit=3).values()
    assert state.default_trust(snap) == 0  # the first named trust


def test_the_event_table_and_explanation_use_plain_words(grown):
    _, snap = grown
    table = state.event_table(snap, 0)
    assert table.startswith("<table") and "width:100%" in table
    for code in (*BREAK_POINT_LABELS, *SHIFT_LABELS):
        assert f">{code}<" not in table and ("_" not in code or code not in table), code
    rows = state.event_rows(snap, 0)
    assert rows and all(len(r) == len(state.EVENT_TABLE_HEAD) for r in rows)
    assert "load" in state.explanation(snap, 0).lower()
    assert "Oak Trust" in state.trust_facts(snap, 0)


# --- headless renders -----------------------------------------------------------------------


def _render(monkeypatch, scenario: str = "baseline"):
    monkeypatch.setenv(SCENARIO_ENV, scenario)
    return solara.render(solara.AppLayout(children=[dash.Page()]), handle_error=False)


def _walk(rc):
    """Every widget on the page (reacton's finder stops at templates, so walk by hand)."""
    found, queue, seen = [], list(rc.container.children), set()
    while queue:
        item = queue.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (list, tuple)):
            queue.extend(item)
        elif isinstance(item, dict):
            queue.extend(item.values())
        elif isinstance(item, ipywidgets.Widget):
            found.append(item)
            queue.extend(getattr(item, name) for name in item.keys)
    return found


def _text(rc) -> str:
    """All text shown: HTML blocks, markdown templates, plain text, labels, alerts."""
    parts = []
    for w in _walk(rc):
        for attr in ("unsafe_innerHTML", "template", "label", "value"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                parts.append(value)
        children = getattr(w, "children", None)
        if isinstance(children, (list, tuple)):
            parts.extend(c for c in children if isinstance(c, str))
    return "\n".join(parts)


def _html(rc, cls: str) -> str:
    for w in rc.find(solara.widgets.HTML).widgets:
        if cls in w.attributes.get("class", ""):
            return w.unsafe_innerHTML
    raise AssertionError(f"no {cls} on the page")


def _charts(rc) -> list[VegaChart]:
    return rc.find(VegaChart).widgets


def _specs(rc) -> list[dict]:
    """Every chart's whole spec, its rows put back inline."""
    return [charts.join_data(dict(w.spec), dict(w.datasets)) for w in _charts(rc)]


def _chart(rc, title: str) -> dict:
    """The chart whose title starts with ``title``."""
    found = [s for s in _specs(rc) if str(s.get("title", {}).get("text", "")).startswith(title)]
    assert len(found) == 1, [s.get("title") for s in _specs(rc)]
    return found[0]


def _button(rc, label: str):
    for widget in rc.find(v.Btn).widgets:
        if label in [c for c in widget.children if isinstance(c, str)]:
            return widget
    raise AssertionError(f"no {label!r} button")


def _slider(rc, lever: str):
    sheet = next(w for w in _walk(rc) if f"matsim-lever-{lever}" in str(getattr(w, "class_", "")))
    queue = list(sheet.children)
    while queue:
        item = queue.pop(0)
        if isinstance(item, v.Slider):
            return item
        queue.extend(getattr(item, "children", []) or [])
    raise AssertionError(f"no slider for {lever}")


def test_page_offers_a_room_controls_and_hides_mesas_developer_controls(monkeypatch):
    _, rc = _render(monkeypatch)
    text = _text(rc)
    assert "not a forecast" in rc.find(v.Alert).widgets[0].children[0]
    for developer in MESA_DEVELOPER_CONTROLS:
        assert developer not in text, developer
    labels = {w.label for w in rc.find(v.Select).widgets}
    assert {"Operating model", "Strategy review", "Schools it takes on", "Scenario"} <= labels
    assert "Trust to follow" in labels
    for label in ("Play", "Step", "Reset"):
        _button(rc, label)
    assert "Growth target: <strong>0.2 schools a year</strong>" in text
    assert "CEO steps back at: <strong>8 schools</strong>" in text
    assert "<strong>Year 0 of 15</strong>" in _html(rc, "matsim-headline")
    assert len(_specs(rc)) >= 5  # three outcomes, the map, the trust's size (and timeline)


def test_step_advances_the_year_and_redraws_the_charts(monkeypatch):
    _, rc = _render(monkeypatch)
    before = _chart(rc, "Pupil-weighted quality")
    for _ in range(3):
        _button(rc, "Step").click()
    assert "<strong>Year 3 of 15</strong>" in _html(rc, "matsim-headline")
    assert "<strong>Year 3 of 15</strong>" in _html(rc, "matsim-year")
    after = _chart(rc, "Pupil-weighted quality")
    line = after["layer"][-1]["data"]["values"]
    assert [row["year"] for row in line] == [0, 1, 2, 3]
    assert before["layer"][-1]["data"]["values"] == line[:1]
    followed = rc.find(v.Select, label="Trust to follow").widget.v_model.split(" · ")[0]
    size = _chart(rc, f"{followed}: size")["data"]["values"]  # its schools, year by year
    assert sorted({row["year"] for row in size}) == [0, 1, 2, 3]


def test_a_step_sends_new_rows_into_charts_already_drawn(monkeypatch):
    """The browser redraws a chart from scratch only when its layout changes: a Step changes
    the map's and the outcomes' rows, not their layout."""
    _, rc = _render(monkeypatch)

    def by_title() -> dict:
        return {
            str(w.spec.get("title", {}).get("text", "map")): (dict(w.spec), dict(w.datasets))
            for w in _charts(rc)
        }

    before = by_title()
    _button(rc, "Step").click()
    after = by_title()
    for title in ("map", "Pupil-weighted quality"):
        assert after[title][0] == before[title][0], f"{title}: layout changed"
        assert after[title][1] != before[title][1], f"{title}: rows did not change"


def test_data_split_from_a_spec_joins_back_whole(grown):
    _, snap = grown
    for spec in _all_specs(snap, 0):
        layout, rows = charts.split_data(spec)
        assert rows and "values" not in json.dumps(layout)
        assert charts.join_data(layout, rows) == spec


def test_a_changed_lever_is_pending_until_reset(monkeypatch):
    _, rc = _render(monkeypatch, "growing_trust")
    select = rc.find(v.Select, label="Operating model").widget
    assert select.v_model.startswith("Aligned")
    select.v_model = levers.OPERATING_MODEL_WORDS["standardised"]
    pending = rc.find(v.Alert, class_="matsim-pending")
    assert "Changes pending — press Reset to apply" in pending.widget.children[0]
    assert "Operating model: Aligned → Standardised" in pending.widget.children[0]
    _button(rc, "Step").click()  # the old run goes on, and the page says so
    assert "the scenario as written" in _html(rc, "matsim-status")
    assert "Changes pending" in _text(rc)
    _button(rc, "Reset").click()
    assert "Operating model: Aligned → Standardised" in _html(rc, "matsim-status")
    assert "Changes pending" not in _text(rc)
    assert "<strong>Year 0 of 15</strong>" in _html(rc, "matsim-headline")
    _button(rc, "Step").click()
    assert "<strong>Year 1 of 15</strong>" in _html(rc, "matsim-headline")


def test_slider_values_are_shown_rounded(monkeypatch):
    _, rc = _render(monkeypatch, "growing_trust")
    _slider(rc, "growth_per_year").v_model = 1.2000000000000002
    text = _text(rc)
    assert "Growth target: <strong>1.2 schools a year</strong>" in text
    assert "Growth target: 3.0 schools a year → 1.2 schools a year" in text
    assert "1.2000000000000002" not in text
    _button(rc, "Reset").click()
    assert "Growth target: 3.0 schools a year → 1.2 schools a year" in _html(rc, "matsim-status")


def test_the_followed_trust_stays_followed_as_years_pass(monkeypatch):
    _, rc = _render(monkeypatch)
    picker = rc.find(v.Select, label="Trust to follow").widget
    labels = list(picker.items)
    chosen = labels[3]
    name = chosen.split(" · ")[0]
    picker.v_model = chosen
    for _ in range(4):
        _button(rc, "Step").click()
        picker = rc.find(v.Select, label="Trust to follow").widget
        assert picker.v_model.split(" · ")[0] == name
        assert f"<h3>{name}: its break points</h3>" in _text(rc)


def test_scenario_select_restarts_with_that_scenarios_defaults(monkeypatch):
    _, rc = _render(monkeypatch, "baseline")
    rc.find(v.Select, label="Scenario").widget.v_model = "growing_trust"
    oak = load_scenario(levers.find_scenario("growing_trust")).params.trusts.named[0]
    assert _slider(rc, "growth_per_year").v_model == oak.growth.target_schools_per_year
    assert "Scenario <strong>growing_trust</strong>" in _html(rc, "matsim-status")
    assert rc.find(v.Select, label="Trust to follow").widget.v_model.startswith("Oak Trust · ")


def test_each_session_has_its_own_model(monkeypatch):
    _, first = _render(monkeypatch)
    _, second = _render(monkeypatch)
    _button(first, "Step").click()
    _button(first, "Step").click()
    assert "Year 2 of" in _html(first, "matsim-headline")
    assert "Year 0 of" in _html(second, "matsim-headline")


def test_nothing_module_global_is_mutable():
    """Per-session state only: the modules hold constants, functions and components."""
    mutable = (list, dict, set, np.ndarray, pd.DataFrame)
    offenders = [
        f"{module.__name__}.{name}"
        for module in (dash, controls, levers, state)
        for name, value in vars(module).items()
        if not name.startswith("__") and isinstance(value, mutable)
    ]
    assert offenders == []


# --- command line and the server process ---------------------------------------------------


def test_workshop_command_defaults_to_localhost():
    parser = argparse.ArgumentParser()
    register_workshop_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["workshop"])
    assert (args.host, args.port, args.scenario) == (DEFAULT_HOST, DEFAULT_PORT, "baseline")
    assert DEFAULT_HOST == "127.0.0.1"
    args = parser.parse_args(["workshop", "growing_trust", "--port", "9000", "--host", "0.0.0.0"])
    argv, env = server_command(args.scenario, args.host, args.port)
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert argv[argv.index("--port") + 1] == "9000"
    assert env[SCENARIO_ENV] == "growing_trust"
    with pytest.raises(ScenarioError):
        server_command("no_such_scenario")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the workshop server did not answer within {timeout_s:.0f} s")
        time.sleep(0.5)


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = set(), [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.add(child)
            queue.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return status != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_workshop_stops_with_its_server_on_a_signal(tmp_path, signum):
    """``matsim workshop`` as a user starts it; after the signal the port is free and no
    process it started survives."""
    port = _free_port()
    log = tmp_path / "workshop.log"
    with log.open("w") as out:
        workshop = subprocess.Popen(
            [sys.executable, "-m", "simulation.cli", "workshop", "baseline", "--port", str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/", workshop, log)
            started = _descendants(workshop.pid)
            assert started, "the workshop serves from a child process"
            workshop.send_signal(signum)
            assert workshop.wait(timeout=30) == 0, log.read_text()[-2000:]
        finally:
            if workshop.poll() is None:
                workshop.kill()
                workshop.wait()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if _alive(pid)], "a child outlived matsim workshop"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # nobody is listening on the port any more
    assert "stopping the workshop dashboard" in log.read_text()


# --- a real browser -------------------------------------------------------------------------


@pytest.fixture
def served_app(tmp_path):
    """The workshop app served as ``matsim workshop`` serves it, stopped afterwards."""
    port = _free_port()
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in os.environ:
        # offline, Solara's CDN files must come from the npm registry (as .ci/run does)
        subprocess.run([str(REPO / "tools" / "fetch-solara-assets")], check=False)
    argv, env = server_command("growing_trust", "127.0.0.1", port)
    log_path = tmp_path / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(url, server, log_path)
        yield url, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _browser_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return (
            f"headless browser test needs Debian's chromium and chromium-driver; missing: "
            f"{', '.join(missing)} (apt-get install -y chromium chromium-driver)"
        )
    return None


ASSETS_HELP = (
    "solara's front-end assets (cdn.jsdelivr.net: @widgetti/solara-vuetify3-app, requirejs, "
    "font-awesome, mermaid, vega, vega-lite, vega-embed) could not be fetched and are not "
    "cached locally; point SOLARA_ASSETS_PROXY_CACHE_DIR at a directory holding them "
    "(tools/fetch-solara-assets)"
)
# every drawn chart as an image, to see that a Step redraws them
CHART_PIXELS = (
    "return Array.from(document.querySelectorAll('.vega-embed canvas'))"
    ".map(c => c.toDataURL().length + ':' + c.toDataURL().slice(-64))"
)


def test_dashboard_in_a_real_browser(served_app, tmp_path):
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1366,768",  # a facilitator's laptop
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    url, server_log = served_app
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        wait = WebDriverWait(driver, 60, poll_frequency=0.1)
        driver.get(url)

        def body() -> str:
            return driver.find_element(By.TAG_NAME, "body").text

        def body_has(text):
            return lambda d: text in d.find_element(By.TAG_NAME, "body").text

        def button(label: str):
            xpath = f"//button[normalize-space()='{label}']"
            return wait.until(ec.element_to_be_clickable((By.XPATH, xpath)))

        try:
            wait.until(body_has("Year 0 of 15"))
            wait.until(lambda d: len(d.execute_script(CHART_PIXELS)) >= 5)
        except TimeoutException:
            driver.save_screenshot(str(tmp_path / "dashboard-failed.png"))
            log = server_log.read_text()
            if "Could not load URL" in log:
                pytest.fail(f"{ASSETS_HELP}\n{log[-1500:]}")
            raise
        text = body()
        assert "not a forecast" in text and "Oak Trust · 5 schools" in text
        for developer in MESA_DEVELOPER_CONTROLS:
            assert developer not in text, developer
        assert "Growth target: 3.0 schools a year" in text  # a labelled value, not a bare track

        charts_before = driver.execute_script(CHART_PIXELS)
        for year in (1, 2, 3):
            button("Step").click()
            wait.until(body_has(f"Year {year} of 15"))
        wait.until(lambda d: d.execute_script(CHART_PIXELS) != charts_before)

        # Play runs the years on its own and Pause stops them
        button("Play").click()
        wait.until(body_has("Year 5 of 15"))
        button("Pause").click()
        wait.until(
            lambda d: (
                "Play" in [b.text.strip().title() for b in d.find_elements(By.TAG_NAME, "button")]
            )
        )
        paused_at = next(
            line for line in body().splitlines() if line.startswith("Year ") and " of 15" in line
        )
        time.sleep(2.5)
        assert paused_at in body(), "the years went on after Pause"

        # the break-point panel fits the screen: no sideways scrolling of the event list
        overflow = driver.execute_script(
            "const t = document.querySelector('table.matsim-events');"
            "return t ? t.scrollWidth - t.parentElement.clientWidth : null;"
        )
        assert overflow is not None and overflow <= 1, overflow

        # a lever changed mid-run waits for Reset, and the page says so
        field = driver.find_element(By.XPATH, "//label[normalize-space()='Operating model']/..")
        field.click()
        option = wait.until(
            ec.element_to_be_clickable(
                (By.XPATH, "//div[@role='option'][starts-with(normalize-space(), 'Standardised')]")
            )
        )
        option.click()
        wait.until(body_has("Changes pending — press Reset to apply"))
        assert "Operating model: Aligned → Standardised" in body()
        assert "the scenario as written" in body()
        button("Reset").click()
        wait.until(body_has("Year 0 of 15"))
        wait.until(lambda d: "Changes pending" not in body())
        assert "seed 1: Operating model: Aligned → Standardised" in body()
        charts_reset = driver.execute_script(CHART_PIXELS)
        button("Step").click()
        wait.until(body_has("Year 1 of 15"))
        wait.until(lambda d: d.execute_script(CHART_PIXELS) != charts_reset)
        shot = tmp_path / "dashboard.png"
        assert driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()


def test_browser_skip_reason_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(
        "tests.test_dashboard.CHROMEDRIVER", Path("/nonexistent/chromedriver"), raising=True
    )
    reason = _browser_missing()
    assert reason is not None and "/nonexistent/chromedriver" in reason
