"""The ``matsim`` command line: a registry of subcommands, each imported only when it runs.

Bad input of any kind (a missing or malformed scenario file, a misspelt key, a value out of
range, a bad option) ends with exactly one line on stderr starting ``error:`` and exit code 2,
never a traceback and never an output directory: researchers script this tool, and a one-line
message naming the file, key and allowed values is what they can act on.

Subcommands are registered by name in :data:`COMMANDS` (name -> ``"module:function"`` and a
one-line help). ``matsim --help`` lists them from this table without importing any of them;
``matsim NAME ...`` imports only NAME's module and calls its function with the subparsers
object, which adds the command's full parser (options, ``--help`` text, ``func``). So
``matsim check`` never loads the model, pandas or matplotlib, and a new command is one line
here plus its own module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import typing
from collections.abc import Callable, Sequence

USAGE_ERROR = 2

# name -> ("module:function", one-line help shown by `matsim --help`). The function takes the
# subparsers object and adds the command (see simulation/scenario_commands.py for the shape).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "simulation.run_command:register_run_command",
        "run a scenario and write its tables, metadata and figures",
    ),
    "check": (
        "simulation.scenario_commands:register_check_command",
        "validate a scenario file without running it",
    ),
    "scenarios": (
        "simulation.scenario_commands:register_scenarios_command",
        "list the shipped scenarios",
    ),
    "params": (
        "simulation.scenario_commands:register_params_command",
        "document every parameter: default, unit, allowed range, source",
    ),
    "batch": (
        "simulation.batch.commands:register_batch_command",
        "run replicates, a grid, a Latin hypercube or a Sobol/Morris design; resumable",
    ),
    "collect": (
        "simulation.batch.commands:register_collect_command",
        "combine a batch directory's runs into tidy tables",
    ),
    "compare": (
        "simulation.compare_command:register_compare_command",
        "compare scenarios under common random numbers (paired by seed)",
    ),
    "sensitivity": (
        "simulation.sensitivity_command:register_sensitivity_command",
        "Sobol or Morris sensitivity indices of outcomes over a batch's ranges",
    ),
    "discover": (
        "simulation.discover_command:register_discover_command",
        "scenario discovery: PRIM/CART boxes of a collected batch where an outcome "
        "expression's cases concentrate",
    ),
    "workshop": (
        "simulation.dashboard:register_workshop_command",
        "live dashboard for workshops (Mesa SolaraViz in the browser)",
    ),
    "notebooks": (
        "simulation.notebooks_command:register_notebooks_command",
        "run the story notebooks and write them as HTML pages to read",
    ),
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error: <message> (see '<prog> --help')``, exit 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(USAGE_ERROR, f"error: {message} (see '{self.prog} --help')\n")


def command_registrar(name: str) -> Callable[[argparse._SubParsersAction], object]:
    """Import the module of command ``name`` and return its registering function."""
    module_name, _, function = COMMANDS[name][0].partition(":")
    return getattr(importlib.import_module(module_name), function)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``matsim`` parser with ``command`` fully registered and every other command as a
    name and one-line help only (nothing of theirs imported). ``None``: all as stubs."""
    parser = _Parser(
        prog="matsim",
        description="Agent-based simulation of how multi-academy trusts grow, hit break points "
        "and shift their operating model. A tool for thinking about mechanisms, not a forecast.",
        epilog="run 'matsim COMMAND --help' for each command's options and examples",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if command in COMMANDS:
        command_registrar(command)(sub)
    for name, (_, help_) in COMMANDS.items():
        if name not in sub.choices:
            sub.add_parser(name, help=help_, add_help=False)
    return parser


def _usage_errors() -> tuple[type[Exception], ...]:
    """Errors that mean bad input (exit 2); imported only when something was raised."""
    from .executors import ExecutorError
    from .output import OutputError
    from .scenario import ScenarioError

    return ScenarioError, OutputError, ExecutorError


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matsim`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and not argv[0].startswith("-") else None
    parser = build_parser(command)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors (2) and --help (0)
        return int(exit_.code or 0)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("error: interrupted; no output written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `matsim params | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as err:
        if isinstance(err, _usage_errors()):
            print(f"error: {err}", file=sys.stderr)
            return USAGE_ERROR
        if isinstance(err, OSError):  # e.g. disk full or no permission while writing outputs
            print(f"error: {err}; no output written", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    raise SystemExit(main())
