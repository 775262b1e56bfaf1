"""The ``matsim`` command line: run, check and list scenarios, and document parameters.

Bad input of any kind (a missing or malformed scenario file, a misspelt key, a value out of
range, a bad option) ends with exactly one line on stderr starting ``error:`` and exit code 2,
never a traceback and never an output directory: researchers script this tool, and a one-line
message naming the file, key and allowed values is what they can act on.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .argtypes import int_at_least
from .batch import register_batch_commands
from .compare import register_compare_command
from .dashboard import register_workshop_command
from .notebooks_command import register_notebooks_command
from .output import FORMATS, OutputError, check_out_dir, write_run
from .parameters import Params, RunParams, Section
from .report import break_point_timeline
from .run import RunResult, run_simulation
from .scenario import SCENARIO_DIR, Scenario, ScenarioError, find_scenario, load_scenario
from .sensitivity_command import register_sensitivity_command

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error: <message> (see '<prog> --help')``, exit 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(USAGE_ERROR, f"error: {message} (see '{self.prog} --help')\n")


def _run_option(name: str) -> typing.Callable[[str], int]:
    """An argparse type for ``--years``/``--seed`` whose bounds come from :class:`RunParams`."""
    meta = RunParams.__dataclass_fields__[name].metadata
    lo, hi = meta["lo"], meta["hi"]

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is out of range; allowed {lo} to {hi}")
        return value

    parse.__name__ = name  # argparse names the type in some messages
    return parse


def _scenario(text: str) -> Scenario:
    """Load a scenario given as a path or a shipped name; raises ScenarioError."""
    return load_scenario(find_scenario(text))


def _default_out(scenario: Scenario, seed: int) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", scenario.name) or "scenario"
    return Path("results") / f"{safe}-{seed}"


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario, write its outputs, print a short summary and break-point timeline."""
    scenario = _scenario(args.scenario)
    run = scenario.params.run
    run = dataclasses.replace(
        run,
        seed=run.seed if args.seed is None else args.seed,
        years=run.years if args.years is None else args.years,
    )
    params = dataclasses.replace(scenario.params, run=run)
    out = check_out_dir(args.out or _default_out(scenario, run.seed))
    started = time.perf_counter()
    with tqdm(
        total=run.years,
        desc=f"{scenario.name} seed {run.seed}",
        unit="year",
        file=sys.stderr,
        disable=True if args.quiet else None,  # None: off when stderr is not a terminal
    ) as bar:
        result = run_simulation(
            params, years=run.years, scenario_name=scenario.name, progress=lambda y, n: bar.update()
        )
    written = write_run(result, out, fmt=args.format, figures=not args.no_figures)
    if args.quiet:
        print(written)
    else:
        print(summarise(result, written, time.perf_counter() - started))
        if args.timeline:
            print()
            print(timeline(result, params, args.timeline))
    return 0


def timeline(result: RunResult, params: Params, max_trusts: int) -> str:
    """The break-point timeline: the scenario's named trusts first, then the busiest MATs."""
    named = len(getattr(getattr(params, "trusts", None), "named", ()) or ())
    trusts, events = result.tables["trusts"], result.tables["events"]
    ids = [i for i in range(named) if (trusts["trust_id"] == i).any()]
    return break_point_timeline(trusts, events, trust_ids=ids, max_trusts=max_trusts)


def summarise(result: RunResult, out: Path, total_s: float | None = None) -> str:
    """A few lines a person reads at the end of a run: start -> end of the headline outcomes."""
    m = result.tables["model"]
    meta = result.metadata

    def pct(col: str) -> str:
        return f"{100 * m[col].iloc[0]:.1f} % -> {100 * m[col].iloc[-1]:.1f} %"

    def num(col: str, fmt: str = ".3f") -> str:
        return f"{m[col].iloc[0]:{fmt}} -> {m[col].iloc[-1]:{fmt}}"

    total = {
        col: int(m[col].iloc[1:].sum()) for col in ("brokered", "rebrokered", "trust_closures")
    }
    lines = [
        f"{meta.get('scenario')} (seed {meta.get('seed')}): {int(m['year'].iloc[-1])} years, "
        f"{int(m['n_schools'].iloc[-1])} schools",
        f"  trusts                         {num('n_trusts', 'd')}",
        f"  share good or better           {pct('share_good_or_better')}",
        f"  mean quality (pupil-weighted)  {num('mean_quality')}",
        f"  disadvantage gap (quality)     {num('disadvantage_gap')}",
        f"  head vacancies                 {num('head_vacancies', 'd')}",
        f"  over the run: {total['brokered']} schools brokered, {total['rebrokered']} re-brokered, "
        f"{total['trust_closures']} trust closures",
        f"  wall time {meta.get('wall_time_s', float('nan')):.1f} s simulating"
        + ("" if total_s is None else f", {total_s:.1f} s with writing")
        + f"; outputs in {out}",
    ]
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a scenario file without running it."""
    scenario = _scenario(args.scenario)
    print(f"ok: {scenario.path} ({scenario.name}): {scenario.description}")
    return 0


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
    width = max((len(name) for name, _, _ in rows), default=0)
    file_width = max((len(file) for _, file, _ in rows), default=0)
    for name, file, description in rows:
        print(f"{name:<{width}}  {file:<{file_width}}  {description}")
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


EPILOG_RUN = """examples:
  matsim run baseline                       # shipped scenario, its own seed and years
  matsim run scenarios/england.toml --seed 7 --years 20
  matsim run my.toml --out results/trial --format csv --no-figures
  matsim run ceo_steps_back --timeline 1    # timeline of its named trust only

outputs (in results/<scenario>-<seed>/ unless --out is given):
  model, trusts, schools, events tables (.parquet or .csv), metadata.json (resolved
  parameters, seed, versions, git commit, time), columns.json (what every column means)
  and figures/*.png (break_point_paths.png: each trust's path through scale, spread and
  weak share, crossings and shifts marked). The directory appears only when complete; an
  earlier run's output of the same name is replaced.

printed: a summary, then a break-point timeline per trust (the scenario's named trusts
  first, then the MATs with most crossings and shifts)."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="matsim",
        description="Agent-based simulation of how multi-academy trusts grow, hit break points "
        "and shift their operating model. A tool for thinking about mechanisms, not a forecast.",
        epilog="run 'matsim COMMAND --help' for each command's options and examples",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    raw = argparse.RawDescriptionHelpFormatter

    run = sub.add_parser(
        "run",
        help="run a scenario and write its tables, metadata and figures",
        description="Run one scenario for a number of simulated years and write the results.",
        epilog=EPILOG_RUN,
        formatter_class=raw,
    )
    run.add_argument("scenario", help="a scenario .toml file, or a shipped name (baseline)")
    run.add_argument(
        "--seed", type=_run_option("seed"), help="random seed (default: the scenario's [run] seed)"
    )
    run.add_argument(
        "--years", type=_run_option("years"), help="simulated years (default: [run] years)"
    )
    run.add_argument("--out", type=Path, help="output directory (default: results/<name>-<seed>)")
    run.add_argument("--format", choices=FORMATS, default="parquet", help="table file format")
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures (faster)")
    run.add_argument(
        "--timeline",
        type=int_at_least(0, "timeline"),
        default=5,
        metavar="N",
        help="print the break-point timeline of up to N trusts, named ones first "
        "(default: 5; 0 hides it)",
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar, summary or timeline; print only the out dir",
    )
    run.set_defaults(func=cmd_run)

    check = sub.add_parser(
        "check",
        help="validate a scenario file without running it",
        description="Validate a scenario (and what it extends); exit 0 if usable, 2 if not.",
        epilog="examples:\n  matsim check scenarios/england.toml\n  matsim check baseline",
        formatter_class=raw,
    )
    check.add_argument("scenario", help="a scenario .toml file, or a shipped name")
    check.set_defaults(func=cmd_check)

    scenarios = sub.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description=f"List the scenarios shipped in {SCENARIO_DIR} with their descriptions.",
        epilog="example:\n  matsim scenarios",
        formatter_class=raw,
    )
    scenarios.set_defaults(func=cmd_scenarios)

    params = sub.add_parser(
        "params",
        help="document every parameter: default, unit, allowed range, source",
        description="Print every parameter a scenario file may set, by [section], with its "
        "default, unit, allowed values and where the default comes from.",
        epilog="examples:\n  matsim params\n  matsim params inspection",
        formatter_class=raw,
    )
    params.add_argument("section", nargs="?", choices=list(sections()), help="one section only")
    params.set_defaults(func=cmd_params)
    register_batch_commands(sub)
    register_compare_command(sub)
    register_sensitivity_command(sub)
    register_workshop_command(sub)
    register_notebooks_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matsim`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors (2) and --help (0)
        return int(exit_.code or 0)
    try:
        return args.func(args)
    except (ScenarioError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as err:  # e.g. disk full or no permission while writing outputs
        print(f"error: {err}; no output written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; no output written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
