"""Workshop dashboard benchmark: how long one Step takes to redraw the page, model and views.

Run from the project root::

    uv run python benchmarks/dashboard.py                   # baseline and England
    uv run python benchmarks/dashboard.py --steps 5 baseline
    uv run python benchmarks/dashboard.py --browser baseline  # and in headless Chromium

It renders the workshop page headless (``solara.render``, the same component tree ``matsim
workshop`` serves, inside an AppLayout so the sidebar exists), presses **Step** a number of
times and prints, per scenario, the median and slowest wall time of a press: the model's year
plus every view the press redraws on the server (tables, charts, their serialisation into the
widgets a browser receives). The model's own year is timed apart, on a second model of the
same scenario and seed stepped alone, so the difference is the cost of redrawing. What the
browser then spends drawing the charts happens on the viewer's machine; ``--browser`` times
that too: the app served as ``matsim workshop`` serves it, Debian's headless Chromium at
1366 x 768, from the click on Step until the page shows the new year and its charts have
stopped changing (needs chromium, chromium-driver and ``tools/fetch-solara-assets``).

It is a benchmark, not a test: it prints figures and always exits 0. The target for the
baseline is a press that redraws within 0.3 s on the development machine (2 shared cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 0.3  # baseline Step redraw, issue 10


def _step_button(rc):
    """The sidebar's Step button, whatever icon it carries."""
    import ipyvuetify as v

    for widget in rc.find(v.Btn).widgets:
        texts = [c for c in widget.children if isinstance(c, str)]
        if any(t.strip() == "Step" for t in texts):
            return widget
    raise RuntimeError("no Step button on the page")


def time_presses(scenario: str, steps: int) -> list[float]:
    """Wall time of each of ``steps`` presses of Step on a freshly rendered page."""
    import solara

    from simulation.dashboard import SCENARIO_ENV
    from simulation.dashboard.app import Page

    os.environ[SCENARIO_ENV] = scenario
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    button = _step_button(rc)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        button.click()
        times.append(time.perf_counter() - start)
    rc.close()
    return times


def time_model_years(scenario: str, steps: int) -> list[float]:
    """Wall time of each simulated year alone, same scenario and seed as the page's model."""
    from simulation import MATModel
    from simulation.scenario import find_scenario, load_scenario

    loaded = load_scenario(find_scenario(scenario))
    model = MATModel(loaded.params, rng=loaded.params.run.seed, scenario_name=loaded.name)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return times


# In the page, polled every 15 ms: when did the headline first show ``year``, and when did a
# chart last change after it? Resolves once nothing has changed for 0.6 s (the screen has
# settled), with the later of the two times in milliseconds (-1 if it never settles).
WAIT_FOR_REDRAW = """
const [year, before, done] = arguments;
const start = performance.now();
let shownAt = -1, changedAt = -1, previous = before;
const pixels = () => Array.from(document.querySelectorAll('.vega-embed canvas'))
    .map(c => c.toDataURL());
const headline = new RegExp('Year ' + year + ' of');
function check() {
    const t = performance.now() - start;
    if (shownAt < 0 && headline.test(document.body.innerText)) shownAt = t;
    const now = pixels();
    if (now.length !== previous.length || now.some((p, i) => p !== previous[i])) {
        changedAt = t;
        previous = now;
    }
    const settled = Math.max(shownAt, changedAt);
    if (shownAt >= 0 && t - settled > 600) done(settled);
    else if (t > 20000) done(-1);
    else setTimeout(check, 15);
}
check();
"""
PIXELS = (
    "return Array.from(document.querySelectorAll('.vega-embed canvas')).map(c => c.toDataURL());"
)


def time_browser(scenario: str, steps: int) -> list[float]:
    """Seconds from a click on Step until the page shows the new year and its charts have
    stopped changing."""
    import socket
    import subprocess
    import urllib.request

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from simulation.dashboard import server_command

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv, env = server_command(scenario, "127.0.0.1", port)
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768"):
        options.add_argument(flag)
    driver = None
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_script_timeout(30)
        wait = WebDriverWait(driver, 120, poll_frequency=0.1)
        driver.get(url)
        wait.until(lambda d: "Year 0 of" in d.find_element(By.TAG_NAME, "body").text)
        wait.until(lambda d: len(d.execute_script(PIXELS)) >= 5)
        time.sleep(2)  # let the first drawing settle
        button = driver.find_element(By.XPATH, "//button[normalize-space()='Step']")
        times = []
        for year in range(1, steps + 1):
            before = driver.execute_script(PIXELS)
            button.click()
            ms = driver.execute_async_script(WAIT_FOR_REDRAW, year, before)
            times.append(ms / 1000 if ms >= 0 else float("nan"))
            time.sleep(0.3)
        return times
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", default=["baseline", "england"])
    parser.add_argument("--steps", type=int, default=8, help="presses of Step per scenario")
    parser.add_argument(
        "--browser", action="store_true", help="also time a Step to the screen in Chromium"
    )
    args = parser.parse_args(argv)
    print(f"workshop Step redraw, {args.steps} presses per scenario (seconds)")
    print(
        f"{'scenario':<12} {'press median':>12} {'press max':>10} {'model year':>11} "
        f"{'redraw':>8}  target"
    )
    for scenario in args.scenarios:
        presses = time_presses(scenario, args.steps)
        years = time_model_years(scenario, args.steps)
        press, model_year = statistics.median(presses), statistics.median(years)
        target = (
            f"<= {TARGET_S} s: {'PASS' if press <= TARGET_S else 'MISS'}"
            if scenario == "baseline"
            else "-"
        )
        print(
            f"{scenario:<12} {press:>12.3f} {max(presses):>10.3f} {model_year:>11.3f} "
            f"{press - model_year:>8.3f}  {target}"
        )
    if args.browser:
        print("\nin headless Chromium at 1366 x 768: click on Step to the new year, charts settled")
        for scenario in args.scenarios:
            seen = time_browser(scenario, args.steps)
            print(
                f"{scenario:<12} median {statistics.median(seen):.3f} s, "
                f"max {max(seen):.3f} s over {len(seen)} steps"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
