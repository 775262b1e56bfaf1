"""``matsim notebooks``: run the story notebooks and write them out as HTML pages to read.

The notebooks in ``notebooks/`` are committed without outputs: they stay small, diff cleanly,
and can never show figures or findings from an older version of the model. A policy team
reads them as HTML instead, executed on the spot by this command, with every figure and the
findings each notebook computes from its own results. ``--small`` runs them with the tiny
settings the test suite uses (a smoke run in under a minute each; its intervals mean nothing).

Needs the notebook tools (``uv sync --extra notebooks``; the dev environment has them).
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DEFAULT_OUT = Path("results") / "notebooks-html"
CELL_TIMEOUT_S = 1800  # a full-size comparison cell runs for minutes
MISSING_TOOLS = (
    "matsim notebooks needs nbclient, nbconvert, nbformat and ipykernel; install them with "
    "'uv sync --extra notebooks' (or use the dev environment: 'uv sync')"
)


class NotebookError(RuntimeError):
    """A notebook could not be run to the end; ``notebook`` holds it as far as it got."""

    def __init__(self, message: str, notebook: Any) -> None:
        super().__init__(message)
        self.notebook = notebook


def notebook_names(directory: Path = NOTEBOOK_DIR) -> list[str]:
    """The story notebooks, in reading order (their file names are numbered)."""
    return sorted(p.stem for p in directory.glob("*.ipynb"))


def kernel_env(small: bool, out: Path | None) -> dict[str, str]:
    """The environment the notebook's kernel runs in: small settings and where it writes."""
    env = {k: v for k, v in os.environ.items() if k != "MATSIM_NOTEBOOK_SMALL"}
    if small:
        env["MATSIM_NOTEBOOK_SMALL"] = "1"
    if out is not None:
        env["MATSIM_NOTEBOOK_OUT"] = str(out)
    return env


def execute_notebook(
    path: Path, small: bool = False, writes_to: Path | None = None, timeout_s: int = CELL_TIMEOUT_S
) -> Any:
    """Run one notebook top to bottom in a fresh ``python3`` kernel; return it with outputs.

    The kernel starts in ``notebooks/`` with ``MATSIM_NOTEBOOK_SMALL=1`` when ``small`` and
    ``MATSIM_NOTEBOOK_OUT=writes_to`` when given (else the notebook's default under
    ``results/``). Raises :class:`NotebookError` naming the failing cell; the notebook keeps
    the outputs up to it, on the exception's ``notebook`` attribute.
    """
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout_s,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute(env=kernel_env(small, writes_to))
    except nbclient.exceptions.CellExecutionError as err:
        last = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise NotebookError(f"{path.stem}: a cell failed: {last}", nb) from err
    return nb


def to_html(nb: Any) -> str:
    """The executed notebook as one self-contained HTML page (figures embedded)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return body


def _write(path: Path, text: str) -> None:
    """Write a file whole or not at all (a reader never opens half a page)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Exported:
    name: str
    html: Path
    seconds: float
    ok: bool


def write_index(out: Path, small: bool) -> Path:
    """``index.html`` linking every exported notebook in ``out``, in reading order."""
    pages = sorted(p for p in out.glob("*.html") if p.name != "index.html")
    settings = (
        "small settings (a smoke run: few seeds and years, intervals not meaningful)"
        if small
        else "full settings"
    )
    items = "\n".join(
        f'<li><a href="{html.escape(p.name)}">{html.escape(p.stem)}</a></li>' for p in pages
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>matsim notebooks</title>"
        "</head><body style='font-family:sans-serif;max-width:48em;margin:2em auto'>"
        "<h1>matsim: the story notebooks</h1>"
        f"<p>Executed by <code>matsim notebooks</code> on {time.strftime('%Y-%m-%d %H:%M')} "
        f"with {settings}. Each notebook opens with its question and ends with findings "
        "computed from its own results.</p>"
        "<p><strong>A tool for thinking about mechanisms, not a forecast.</strong></p>"
        f"<ol>{items}</ol></body></html>"
    )
    path = out / "index.html"
    _write(path, page)
    return path


def export_notebooks(
    names: list[str], out: Path, small: bool = False, writes_to: Path | None = None
) -> list[Exported]:
    """Run each notebook and write ``out/<name>.html``; a failed one is written as far as it
    ran, and the rest still run."""
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for name in names:
        started = time.perf_counter()
        ok = True
        try:
            nb = execute_notebook(NOTEBOOK_DIR / f"{name}.ipynb", small, writes_to)
        except NotebookError as err:
            print(f"error: {err}", file=sys.stderr)
            nb, ok = err.notebook, False
        page = out / f"{name}.html"
        _write(page, to_html(nb))
        done.append(Exported(name, page, time.perf_counter() - started, ok))
    write_index(out, small)
    return done


def cmd_notebooks(args: argparse.Namespace) -> int:
    try:
        import nbclient  # noqa: F401
        import nbconvert  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError:
        print(f"error: {MISSING_TOOLS}", file=sys.stderr)
        return 2
    known = notebook_names()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(
            f"error: unknown notebook(s) {', '.join(unknown)}; choose from {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    names = args.names or known
    exported = export_notebooks(names, args.out, small=args.small)
    for item in exported:
        status = "ok" if item.ok else "FAILED (written as far as it ran)"
        print(f"{item.name}: {status}, {item.seconds:.0f} s -> {item.html}")
    print(f"open {args.out / 'index.html'} in a browser")
    return 0 if all(item.ok for item in exported) else 1


def register_notebooks_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``matsim notebooks [NAME ...] [--out DIR] [--small]``."""
    parser = subparsers.add_parser(
        "notebooks",
        help="run the story notebooks and write them as HTML pages to read",
        description="Execute the notebooks in notebooks/ (committed without outputs) and write "
        "each as a self-contained HTML page with its figures and the findings it computes from "
        "its own results, plus an index page. Needs 'uv sync --extra notebooks' (the dev "
        "environment has it). A tool for thinking about mechanisms, not a forecast.",
        epilog="examples:\n  matsim notebooks                      # all, full settings\n"
        "  matsim notebooks --small              # a quick smoke run of all\n"
        "  matsim notebooks 03_compare_strategies --out /tmp/story",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="notebooks to run (default: all), e.g. 01_quickstart",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"directory for the HTML pages (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="tiny settings, as the tests use: minutes in all, not an analysis",
    )
    parser.set_defaults(func=cmd_notebooks)
