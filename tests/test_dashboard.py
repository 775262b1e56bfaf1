"""The workshop dashboard: levers, figures, headless renders and a real browser.

Headless tests render the solara page with ``solara.render`` (wrapped in an AppLayout, as
``solara run`` does, so the sidebar's controls exist). The browser test serves the app the way
``matsim workshop`` does and drives Debian's headless Chromium through chromedriver.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara

from simulation import plotting
from simulation.dashboard import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    SCENARIO_ENV,
    register_workshop_command,
    server_command,
)
from simulation.dashboard import components as dash
from simulation.scenario import ScenarioError, load_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _scenario(name: str):
    return dash.load_workshop_scenario(name)


def _control_values(params: dict) -> dict:
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


# --- levers ---------------------------------------------------------------------------------


def test_lever_defaults_come_from_the_scenario():
    growing = _scenario("growing_trust").params
    oak = growing.trusts.named[0]
    d = dash.lever_defaults(growing)
    assert d["growth_per_year"] == oak.growth.target_schools_per_year
    assert d["accept_rule"] == oak.growth.accept
    assert d["growth_radius_km"] == oak.growth.radius_km
    assert d["seed"] == growing.run.seed
    baseline = _scenario("baseline").params
    d = dash.lever_defaults(baseline)
    assert d["operating_model"] == baseline.operating_model.preset
    assert d["review_policy"] == baseline.review.policy
    assert d["growth_per_year"] == baseline.growth.target_schools_per_year
    assert d["ceo_steps_back_at"] == baseline.operating_model.resolved()["ceo_steps_back_at"]


def test_levers_at_their_defaults_leave_the_scenario_untouched():
    for name in ("baseline", "growing_trust", "second_region"):
        params = _scenario(name).params
        defaults = dash.lever_defaults(params)
        assert dash.apply_levers(params, **defaults) is params
        assert dash.changed_levers(params, **defaults) == {}


def test_levers_act_on_named_trusts_or_on_every_trust():
    growing = _scenario("growing_trust").params
    changed = dash.apply_levers(
        growing, operating_model="standardised", growth_per_year=5.0, review_policy="static"
    )
    oak = changed.trusts.named[0]
    assert oak.operating_model.preset == "standardised"
    assert oak.growth.target_schools_per_year == 5.0
    assert oak.growth.radius_km == growing.trusts.named[0].growth.radius_km
    assert oak.review.policy == "static"
    assert changed.growth == growing.growth  # the other trusts keep the scenario's sections
    baseline = _scenario("baseline").params
    changed = dash.apply_levers(baseline, operating_model="hub_and_cluster", ceo_steps_back_at=3)
    assert changed.operating_model.resolved()["clusters"] is True
    assert changed.operating_model.resolved()["ceo_steps_back_at"] == 3
    with pytest.raises(ValueError, match="unknown lever"):
        dash.apply_levers(baseline, colour="blue")


def test_model_params_build_the_model_mesa_would_build():
    from mesa.visualization.solara_viz import _check_model_params

    scenario = _scenario("growing_trust")
    params = dash.workshop_model_params(scenario, "growing_trust")
    _check_model_params(dash.WorkshopModel.__init__, params)
    model = dash.WorkshopModel(**_control_values(params))
    assert model.changed_levers == {}
    assert model.params == scenario.params
    model.step()
    assert model.year == 1
    moved = dash.WorkshopModel(scenario_name="growing_trust", operating_model="standardised")
    assert moved.changed_levers == {"operating_model": "standardised"}
    assert moved.trusts[0].operating_preset == "standardised"


# --- figures --------------------------------------------------------------------------------


def _gids(fig) -> set[str]:
    return {a.get_gid() for ax in fig.axes for a in ax.get_children() if a.get_gid()}


def test_live_figures_draw_the_state():
    model = dash.WorkshopModel(scenario_name="growing_trust", operating_model="hub_and_cluster")
    model.run(4)
    hubs = dash.hubs_now(model)
    assert set(hubs["kind"]) <= set(plotting.HUB_MARKERS)
    assert (hubs["trust_id"] == 0).any(), "Oak Trust works in clusters: its centres are shown"
    fig = plotting.state_map_figure(
        dash.schools_now(model),
        dash.multi_school_trusts(model),
        hubs,
        model.year,
        dash.caption(model),
        highlight=0,
    )
    assert {"bases", "highlight", "cluster centre"} <= _gids(fig)
    assert "not a forecast" in fig.texts[0].get_text()
    fig = plotting.outcomes_figure(dash.model_frame(model), dash.caption(model))
    gids = _gids(fig)
    assert {"mean_quality", "pupil_share_good_or_better", "disadvantage_gap"} <= gids
    line = next(a for ax in fig.axes for a in ax.lines if a.get_gid() == "mean_quality")
    assert len(line.get_xdata()) == model.year + 1
    events = pd.DataFrame(
        {
            "year": [2, 3],
            "trust_id": [0, 0],
            "kind": ["crossing", "shift"],
            "break_point": ["ceo_role", "ceo_role"],
            "n_schools": [8, 10],
        }
    )
    fig = plotting.trust_timeline_figure(dash.trusts_frame(model), events, 0, "caption")
    assert {"trust 0", "crossing", "shift"} <= _gids(fig)
    for f in (fig,):
        f.savefig(io.BytesIO(), format="png", dpi=40)


def test_explanation_and_timeline_text():
    model = dash.WorkshopModel(scenario_name="baseline")
    model.events.to_frame = lambda: pd.DataFrame(columns=["year", "kind", "trust_id"])
    assert "no trust has reached a break point" in dash.explanation_text(model, None)
    model = dash.WorkshopModel(scenario_name="growing_trust", growth_per_year=6.0)
    model.run(8)
    events = model.events.to_frame()
    assert not dash.break_point_events(events).empty, "fast growth should cross a break point"
    text = dash.explanation_text(model, 0)
    assert "load" in text and "capacity" in text
    table = dash.timeline_rows(events, 0)
    assert table.startswith("| year |") or "No crossings" in table
    assert dash.default_trust(model) == 0  # the first named trust
    options = dash.trust_options(model)
    assert next(iter(options.values())) == 0


# --- headless renders -----------------------------------------------------------------------


def _render(monkeypatch, scenario: str = "baseline"):
    monkeypatch.setenv(SCENARIO_ENV, scenario)
    return solara.render(solara.AppLayout(children=[dash.Page()]), handle_error=False)


def _markdown(rc) -> str:
    """All markdown shown, as HTML (solara renders markdown into VuetifyTemplate widgets)."""
    found, queue, seen = [], list(rc.container.children), set()
    while queue:  # reacton's finder stops at the grid (itself a template), so walk by hand
        item = queue.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (list, tuple)):
            queue.extend(item)
        elif isinstance(item, dict):
            queue.extend(item.values())
        elif isinstance(item, ipywidgets.Widget):
            template = getattr(item, "template", None)
            if isinstance(template, str) and "solara-markdown" in template:
                found.append(template)
            queue.extend(getattr(item, name) for name in item.keys)
    return "\n".join(found)


def _images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def _click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def test_page_renders_controls_views_and_banner(monkeypatch):
    _, rc = _render(monkeypatch)
    assert "not a forecast" in rc.find(v.Alert).widget.children[0]
    labels = {w.label for w in rc.find(v.Select).widgets}
    for expected in ("Scenario", "Strategy review policy", "Growth: which schools to accept"):
        assert expected in labels
    assert any(label.startswith("Operating model") for label in labels)
    sliders = {w.label for w in rc.find(v.Slider).widgets}
    assert {"Growth target (schools per year)", "CEO steps back at (schools; 0 = never)"} <= sliders
    for label in ("Reset", "Step"):
        rc.find(v.Btn, children=[label]).assert_single()
    assert "<strong>Year 0</strong>" in _markdown(rc)
    assert len(_images(rc)) == 3  # map, outcomes, break-point timeline


def test_step_advances_the_year_and_redraws(monkeypatch):
    """Each Step moves the model on a year and redraws every figure (how fast is measured in
    benchmarks/, never asserted here: a loaded CI machine must not fail the suite)."""
    _, rc = _render(monkeypatch)
    before = _images(rc)
    for _ in range(3):
        _click(rc, "Step")
    assert "<strong>Year 3</strong>" in _markdown(rc)
    after = _images(rc)
    assert len(after) == 3 and all(a != b for a, b in zip(before, after, strict=True))


def test_changed_operating_model_applies_on_reset(monkeypatch):
    _, rc = _render(monkeypatch, "growing_trust")
    select = rc.find(v.Select, label="Operating model (Oak Trust)")
    assert select.widget.v_model == "aligned"
    select.widget.v_model = "standardised"
    _click(rc, "Step")
    _click(rc, "Reset")
    assert "operating model = standardised" in _markdown(rc)
    assert "<strong>Year 0</strong>" in _markdown(rc)
    _click(rc, "Step")
    assert "<strong>Year 1</strong>" in _markdown(rc)


def test_scenario_select_restarts_with_that_scenarios_defaults(monkeypatch):
    _, rc = _render(monkeypatch, "baseline")
    rc.find(v.Select, label="Scenario").widget.v_model = "growing_trust"
    growth = rc.find(v.Slider, label="Growth target (schools per year)").widget
    oak = load_scenario(dash.find_scenario("growing_trust")).params.trusts.named[0]
    assert growth.v_model == oak.growth.target_schools_per_year
    assert "Scenario <strong>growing_trust</strong>" in _markdown(rc)
    assert any("Oak Trust (trust 0" in str(w.v_model) for w in rc.find(v.Select).widgets)


def test_each_session_has_its_own_model(monkeypatch):
    _, first = _render(monkeypatch)
    _, second = _render(monkeypatch)
    _click(first, "Step")
    _click(first, "Step")
    assert "<strong>Year 2</strong>" in _markdown(first)
    assert "<strong>Year 0</strong>" in _markdown(second)


# --- command line ---------------------------------------------------------------------------


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


# --- a real browser -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def served_app(tmp_path):
    """The workshop app served as ``matsim workshop`` serves it, stopped afterwards."""
    port = _free_port()
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in os.environ:
        # offline, Solara's CDN files must come from the npm registry (as .ci/run does)
        subprocess.run([str(REPO / "tools" / "fetch-solara-assets")], check=False)
    argv, env = server_command("growing_trust", "127.0.0.1", port)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the workshop server did not answer within 90 s")
            time.sleep(0.5)
        yield url, tmp_path / "server.log"
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
    "font-awesome, mermaid) could not be fetched and are not cached locally; point "
    "SOLARA_ASSETS_PROXY_CACHE_DIR at a directory holding them (tools/fetch-solara-assets)"
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
        "--window-size=1600,1200",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    url, server_log = served_app
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        wait = WebDriverWait(driver, 60)
        driver.get(url)

        def body_has(text):
            return lambda d: text in d.find_element(By.TAG_NAME, "body").text

        try:
            wait.until(body_has("Year 0"))
        except TimeoutException:
            driver.save_screenshot(str(tmp_path / "dashboard-failed.png"))
            log = server_log.read_text()
            if "Could not load URL" in log:
                pytest.fail(f"{ASSETS_HELP}\n{log[-1500:]}")
            raise
        assert "not a forecast" in driver.find_element(By.TAG_NAME, "body").text
        step = wait.until(
            ec.element_to_be_clickable((By.XPATH, "//button[normalize-space()='Step']"))
        )

        def chart_sources(d):
            return [img.get_attribute("src") for img in d.find_elements(By.TAG_NAME, "img")]

        wait.until(lambda d: len(chart_sources(d)) >= 3)
        charts_before = chart_sources(driver)
        for year in (1, 2, 3):
            step.click()
            wait.until(body_has(f"Year {year}"))
        wait.until(lambda d: chart_sources(d) != charts_before)
        assert "Oak Trust" in driver.find_element(By.TAG_NAME, "body").text

        # change the operating model, then Reset applies it and Step runs the new model
        field = driver.find_element(
            By.XPATH, "//label[starts-with(normalize-space(), 'Operating model')]/.."
        )
        field.click()
        option = wait.until(
            ec.element_to_be_clickable(
                (By.XPATH, "//div[@role='option' and normalize-space()='standardised']")
            )
        )
        option.click()
        driver.find_element(By.XPATH, "//button[normalize-space()='Reset']").click()
        wait.until(body_has("operating model = standardised"))
        wait.until(body_has("Year 0"))
        charts_reset = chart_sources(driver)
        driver.find_element(By.XPATH, "//button[normalize-space()='Step']").click()
        wait.until(body_has("Year 1"))
        wait.until(lambda d: chart_sources(d) != charts_reset)
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


def test_nothing_module_global_is_mutable():
    """Per-session state only: the module holds constants, functions and components."""
    mutable = (list, dict, set, np.ndarray, pd.DataFrame)
    offenders = [
        name
        for name, value in vars(dash).items()
        if not name.startswith("__") and isinstance(value, mutable)
    ]
    assert offenders == []
