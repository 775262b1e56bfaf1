"""Workshop dashboard benchmark: how long one Step takes to redraw the page, model and views.

Run from the project root::

    uv run python benchmarks/dashboard.py                   # baseline and England
    uv run python benchmarks/dashboard.py --steps 5 baseline

It renders the workshop page headless (``solara.render``, the same component tree ``matsim
workshop`` serves, inside an AppLayout so the sidebar exists), presses **Step** a number of
times and prints, per scenario, the median and slowest wall time of a press: the model's year
plus every view the press redraws on the server (tables, charts, their serialisation into the
widgets a browser receives). The model's own year is timed apart, on a second model of the
same scenario and seed stepped alone, so the difference is the cost of redrawing. What the
browser then spends drawing the charts is not included (it happens on the viewer's machine).

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", default=["baseline", "england"])
    parser.add_argument("--steps", type=int, default=8, help="presses of Step per scenario")
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
