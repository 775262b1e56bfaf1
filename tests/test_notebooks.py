"""The notebooks in notebooks/ run end to end (with small settings) and are committed clean.

Each notebook is executed with nbclient on the ``python3`` kernel, which jupyter_client starts
with this interpreter (the kernel spec's ``python`` is replaced by ``sys.executable``), so a
fresh clone needs only ``uv sync``. ``MATSIM_NOTEBOOK_SMALL=1`` selects tiny settings and
``MATSIM_NOTEBOOK_OUT`` sends anything a notebook writes into the test's temporary directory.
Cells tagged ``figure`` must display a PNG, ``table`` an HTML table with rows, ``text`` some
printed text.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = (
    "01_quickstart",
    "02_break_points",
    "03_compare_strategies",
    "04_sensitivity",
    "05_discover",
)
TIMEOUT_S = 120  # per cell; each notebook takes well under 30 s in small mode
BUDGET_S = 60  # whole notebook, kernel start-up included
# Text each notebook's output must contain: what its story is about.
EXPECTED_TEXT = {
    "01_quickstart": ["baseline", "seed 1"],
    "02_break_points": ["Break-point timeline", "Oak Trust", "[crossing]", "The load is"],
    "03_compare_strategies": ["7 comparisons", "trust_value_added_mean", "review_anticipatory"],
    "04_sensitivity": ["runs complete, 0 failed", "growth.radius_km"],
    "05_discover": ["runs complete, 0 failed", "Reading rule:", "does not show", "CART"],
}
MIN_FIGURES = {"01_quickstart": 2, "02_break_points": 2, "03_compare_strategies": 2}


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _text(outputs) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
            parts.append(out["data"].get("text/html", ""))
    return "".join(parts)


def execute(name: str, tmp_path: Path):
    """Run one notebook in small mode; return it with outputs and the wall time."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    env = {"MATSIM_NOTEBOOK_SMALL": "1", "MATSIM_NOTEBOOK_OUT": str(tmp_path / "out")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    started = time.perf_counter()
    try:
        client = nbclient.NotebookClient(
            nb,
            timeout=TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        )
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb, time.perf_counter() - started


def test_kernel_is_this_interpreter(tmp_path):
    """The python3 kernel nbclient starts is this environment's Python, not another one."""
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("import sys, simulation; print(sys.prefix)")])
    nbclient.NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3").execute()
    assert _text(nb.cells[0].outputs).strip() == sys.prefix


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, tmp_path):
    nb, wall = execute(name, tmp_path)
    assert wall < BUDGET_S, f"{name} took {wall:.0f} s in small mode"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells):
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        assert not errors, f"{name} cell {i}: {errors}"
        tags = _tags(cell)
        data = [o["data"] for o in cell.outputs if "data" in o]
        if "figure" in tags:
            assert any("image/png" in d for d in data), f"{name} cell {i} drew no figure"
        if "table" in tags:
            html = "".join(d.get("text/html", "") for d in data)
            assert "<table" in html, f"{name} cell {i} showed no table"
            assert html.count("<tr") >= 2, f"{name} cell {i}: a table with no rows"
        if "text" in tags:
            assert _text(cell.outputs).strip(), f"{name} cell {i} printed nothing"
    figures = sum("figure" in _tags(c) for c in code_cells)
    assert figures >= MIN_FIGURES.get(name, 1)
    text = "".join(_text(c.outputs) for c in code_cells)
    for expected in EXPECTED_TEXT[name]:
        assert expected in text, f"{name}: output lacks {expected!r}"
    # whatever the notebook wrote went to the temporary directory, not next to it
    assert sorted(p.name for p in NOTEBOOK_DIR.iterdir() if not p.name.startswith(".")) == sorted(
        f"{n}.ipynb" for n in NOTEBOOKS
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_clean(name):
    """Stored without outputs or execution counts; valid; reads the small-settings switch;
    imports the model from ``simulation`` and uses the shipped scenarios."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code_cells:
        assert cell.outputs == [], f"{name}: a cell has stored outputs"
        assert cell.execution_count is None, f"{name}: a cell has an execution count"
    source = "\n".join(c.source for c in code_cells)
    assert 'os.environ.get("MATSIM_NOTEBOOK_SMALL") == "1"' in code_cells[0].source
    assert "from simulation" in source
    assert "not a forecast" in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert (NOTEBOOK_DIR / f"{name}.ipynb").stat().st_size < 50_000
