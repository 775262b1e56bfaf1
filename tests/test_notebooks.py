"""The notebooks in notebooks/ run end to end (with small settings), tell a story, are
committed clean, and ``matsim notebooks`` writes them as HTML.

Each notebook is executed the way ``matsim notebooks --small`` executes it
(:func:`simulation.notebooks_command.execute_notebook`: nbclient on the ``python3`` kernel,
which jupyter_client starts with this interpreter, so a fresh clone needs only ``uv sync``;
``MATSIM_NOTEBOOK_SMALL=1`` selects tiny settings and ``MATSIM_NOTEBOOK_OUT`` sends anything a
notebook writes into the test's temporary directory). Cells tagged ``figure`` must display a
PNG, ``table`` an HTML table with rows, ``text`` some printed text, ``findings`` what the
figures show and what they do not, computed (never typed in) from the notebook's results.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from simulation import cli  # noqa: E402 (after the skips)
from simulation.notebooks_command import execute_notebook, to_html  # noqa: E402

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
    "02_break_points": ["Break-point timeline", "Oak Trust", "[shift]", "The load is"],
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
    started = time.perf_counter()
    nb = execute_notebook(
        NOTEBOOK_DIR / f"{name}.ipynb", small=True, writes_to=tmp_path / "out", timeout_s=TIMEOUT_S
    )
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
    # it ends with its findings: what the figures show and what they do not, under its rule
    findings = _text(code_cells[-1].outputs)
    assert "findings" in _tags(code_cells[-1])
    for part in ("Question:", "Reading rule:", "What the figures show:", "What they do not show:"):
        assert part in findings, f"{name}: findings lack {part!r}"
    assert findings.split("What they do not show:")[1].strip(), "nothing said it does not show"
    # and the page a policy team reads has them, with the figures
    page = to_html(nb)
    assert "What they do not show" in page and page.count("data:image/png;base64") >= figures
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
    # a story: it opens with its question and ends with a findings cell
    assert nb.cells[0].cell_type == "markdown" and "**The question:**" in nb.cells[0].source
    last = nb.cells[-1]
    assert last.cell_type == "code" and "findings" in _tags(last)
    assert "from simulation.findings import" in last.source
    # computed, never typed in: no numbers, no directions in the findings cell
    assert not re.search(r"\d", last.source), last.source
    for word in ("higher", "lower", "rose", "fell", "shown"):
        assert word not in last.source, word


def test_matsim_notebooks_writes_readable_html(tmp_path, capsys):
    out = tmp_path / "html"
    assert cli.main(["notebooks", "01_quickstart", "--small", "--out", str(out)]) == 0
    assert "01_quickstart: ok" in capsys.readouterr().out
    page = (out / "01_quickstart.html").read_text()
    assert "What the figures show" in page and "data:image/png;base64" in page
    index = (out / "index.html").read_text()
    assert 'href="01_quickstart.html"' in index and "small settings" in index
    assert cli.main(["notebooks", "99_nothing", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown notebook(s) 99_nothing") and err.count("\n") == 1
