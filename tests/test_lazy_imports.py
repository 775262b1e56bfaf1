"""What each entry point imports, checked in a fresh process through ``sys.modules``.

``matsim --help`` and ``matsim check`` must answer at once, so they may not load the model,
Mesa, pandas, SciPy or plotting; ``import simulation`` loads nothing until a name is used.
These are checks of *what* is imported, never of how long it takes (timings are in
``benchmarks/cli.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulation import cli

HEAVY = ("mesa", "pandas", "matplotlib", "scipy", "solara", "distributed", "SALib", "pyarrow")
MODEL = ("simulation.model", "simulation.run", "simulation.plotting", "simulation.report")

DUMP_AFTER_MAIN = """
import json, sys
out = sys.argv[1]
from simulation.cli import main
code = main(sys.argv[2:])
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def modules_after(tmp_path: Path, code: str, *argv: str) -> tuple[int, set[str]]:
    """Run ``code`` in a fresh interpreter; return its result code and ``sys.modules``."""
    dump = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", code, str(dump), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(dump.read_text())
    return data["code"], set(data["modules"])


def loaded(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in roots or m in roots)


def test_import_simulation_loads_nothing_else(tmp_path):
    code = (
        "import json, sys\nimport simulation\n"
        "json.dump({'code': 0, 'modules': sorted(sys.modules)}, open(sys.argv[1], 'w'))"
    )
    _, modules = modules_after(tmp_path, code)
    ours = sorted(m for m in modules if m.startswith("simulation."))
    assert ours == [], ours
    assert loaded(modules, (*HEAVY, "numpy")) == []


def test_the_public_names_import_without_plotting_stats_or_the_dashboard(tmp_path):
    code = (
        "import json, sys\n"
        "from simulation import MATModel, Params, RunResult, Scenario, ScenarioError, "
        "load_scenario, run_simulation\n"
        "assert callable(run_simulation) and isinstance(MATModel, type)\n"
        "json.dump({'code': 0, 'modules': sorted(sys.modules)}, open(sys.argv[1], 'w'))"
    )
    _, modules = modules_after(tmp_path, code)
    assert "simulation.model" in modules  # the names really were resolved
    forbidden = [
        m
        for m in modules
        if m.split(".")[0] in ("matplotlib", "solara")
        or m.startswith(("scipy.stats", "simulation.plotting", "simulation.dashboard"))
    ]
    assert forbidden == []


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["check", "baseline"], ["scenarios"], ["params"], ["check", "--help"]],
    ids=lambda argv: " ".join(argv),
)
def test_help_check_scenarios_and_params_load_no_model_and_no_heavy_library(tmp_path, argv):
    code, modules = modules_after(tmp_path, DUMP_AFTER_MAIN, *argv)
    assert code == 0
    assert loaded(modules, HEAVY) == []
    assert [m for m in MODEL if m in modules] == []


def test_the_command_list_imports_no_command(tmp_path):
    _, modules = modules_after(tmp_path, DUMP_AFTER_MAIN, "--help")
    command_modules = {spec.partition(":")[0] for spec, _ in cli.COMMANDS.values()}
    assert sorted(command_modules & modules) == []
    assert "numpy" not in modules


@pytest.mark.parametrize("command", ["batch", "collect", "compare", "sensitivity", "workshop"])
def test_each_commands_help_loads_no_model_or_plotting(tmp_path, command):
    code, modules = modules_after(tmp_path, DUMP_AFTER_MAIN, command, "--help")
    assert code == 0
    assert loaded(modules, ("mesa", "matplotlib", "solara", "scipy", "pandas")) == []
    assert [m for m in MODEL if m in modules] == []
