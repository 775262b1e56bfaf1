"""``matsim check``, ``matsim scenarios`` and ``matsim params``: read scenarios and parameter
declarations, never the model.

Everything here imports only :mod:`simulation.scenario` and :mod:`simulation.parameters`
(the standard library underneath), so checking a file answers in a fraction of a second: no
model, Mesa, numpy, pandas or plotting is loaded (``tests/test_lazy_imports.py`` holds this).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import textwrap
import typing
from typing import Any

from .parameters import Params, Section
from .scenario import SCENARIO_DIR, Scenario, ScenarioError, find_scenario, load_scenario

USAGE_ERROR = 2
MAX_WIDTH = 100  # columns: the project's line length, and what a terminal shows unwrapped


def load_named(text: str) -> Scenario:
    """Load a scenario given as a path or a shipped name; raises ScenarioError."""
    return load_scenario(find_scenario(text))


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a scenario file without running it."""
    scenario = load_named(args.scenario)
    print(f"ok: {scenario.path} ({scenario.name}): {scenario.description}")
    return 0


def scenario_lines(rows: list[tuple[str, str, str]], width: int = MAX_WIDTH) -> list[str]:
    """``name  description`` per scenario (``name (file)`` when the file is not
    ``<name>.toml``), the description wrapped under itself so no line is wider than ``width``
    (at least 40 columns of description are kept however long the names)."""
    labels = [name if file == f"{name}.toml" else f"{name} ({file})" for name, file, _ in rows]
    indent = max((len(label) for label in labels), default=0) + 2
    text_w = max(40, width - indent)
    lines = []
    for label, (_, _, description) in zip(labels, rows, strict=True):
        wrapped = textwrap.wrap(description, text_w) or [""]
        lines.append(f"{label:<{indent}}{wrapped[0]}".rstrip())
        lines += [" " * indent + more for more in wrapped[1:]]
    return lines


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List shipped scenarios; a broken shipped file is reported, not hidden."""
    status = 0
    rows = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            print(f"error: {err}", file=sys.stderr)
            status = USAGE_ERROR
            continue
        rows.append((scenario.name, path.name, scenario.description))
    width = min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns)
    print("\n".join(scenario_lines(rows, width)))
    return status


def _allowed(text: str) -> str:
    """Readable bounds: describe() says "None to 5" when one side is open."""
    lo, sep, hi = text.partition(" to ")
    if not sep:
        return text
    if lo == "None" and hi == "None":
        return "any"
    if lo == "None":
        return f"at most {hi}"
    return f"at least {lo}" if hi == "None" else text


def _describe(cls: type[Section], title: str) -> list[str]:
    """Lines documenting one section, then any list-of-tables parameters inside it."""
    lines = [f"[{title}]  {(cls.__doc__ or '').strip().splitlines()[0]}"]
    for row in cls.describe():
        lines.append(f"  {row['name']} = {row['default']!r}")
        lines.append(f"      unit: {row['unit']}; allowed: {_allowed(str(row['allowed']))}")
        lines.append(f"      source: {row['source']}")
        if row.get("doc"):
            lines.append(f"      {row['doc']}")
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        item = typing.get_args(hints[f.name])[:1]
        if typing.get_origin(hints[f.name]) is tuple and _is_section(item[0] if item else None):
            lines += ["", *_describe(item[0], f"[{title}.{f.name}]")]
    return lines


def _is_section(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Section)


def sections() -> dict[str, type[Section]]:
    """Parameter sections by scenario-file table name."""
    hints = typing.get_type_hints(Params)
    return {f.name: hints[f.name] for f in dataclasses.fields(Params) if _is_section(hints[f.name])}


def cmd_params(args: argparse.Namespace) -> int:
    """Print every parameter with its default, unit, allowed values and source."""
    known = sections()
    chosen = [args.section] if args.section else list(known)
    blocks = ["\n".join(_describe(known[name], name)) for name in chosen]
    print("\n\n".join(blocks))
    return 0


RAW = argparse.RawDescriptionHelpFormatter


def register_check_command(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check",
        help="validate a scenario file without running it",
        description="Validate a scenario (and what it extends); exit 0 if usable, 2 if not. "
        "Reads the files only: nothing is simulated or written.",
        epilog="examples:\n  matsim check scenarios/england.toml\n  matsim check baseline",
        formatter_class=RAW,
    )
    check.add_argument("scenario", help="a scenario .toml file, or a shipped name")
    check.set_defaults(func=cmd_check)


def register_scenarios_command(subparsers: argparse._SubParsersAction) -> None:
    scenarios = subparsers.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description=f"List the scenarios shipped in {SCENARIO_DIR} with their descriptions.",
        epilog="example:\n  matsim scenarios",
        formatter_class=RAW,
    )
    scenarios.set_defaults(func=cmd_scenarios)


def register_params_command(subparsers: argparse._SubParsersAction) -> None:
    params = subparsers.add_parser(
        "params",
        help="document every parameter: default, unit, allowed range, source",
        description="Print every parameter a scenario file may set, by [section], with its "
        "default, unit, allowed values and where the default comes from.",
        epilog="examples:\n  matsim params\n  matsim params inspection",
        formatter_class=RAW,
    )
    params.add_argument("section", nargs="?", choices=list(sections()), help="one section only")
    params.set_defaults(func=cmd_params)
