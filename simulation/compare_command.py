"""``matsim compare``: the command line of :mod:`simulation.compare`.

Kept apart so that registering the command (``matsim --help``, ``matsim compare --help``) does
not import pandas or scipy.stats; :func:`cmd_compare` imports the comparison when it runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .argtypes import int_at_least, run_option

USAGE_ERROR = 2
RUN_FAILED = 1
DEFAULT_ROOT_SEED = 1
TESTS = ("wilcoxon", "t")


EPILOG_COMPARE = """examples:
  matsim compare review_static review_reactive review_anticipatory --replicates 16 --trust-id 0
  matsim compare scenarios/baseline.toml my_policy.toml --replicates 32 --workers 8
  matsim compare a.toml b.toml --replicates 10 --root-seed 7 --years 20 --out results/ab

every arm runs with the same seeds (common random numbers), spawned from --root-seed with
numpy's SeedSequence, so differences are paired by seed and two identical arms differ by 0.

outcomes per run (years 1..end; '_mean' and '_final' for states, '_per_year' and '_total'
  for events): pupil-weighted quality, share of pupils in good-or-better schools,
  disadvantage gap, break-point crossings per open multi-academy trust, schools re-brokered,
  central cost per pupil; with --trust-id also that trust's quality, value added, central
  cost per pupil and crossings.

reported per outcome and arm: the mean over seeds with a 95 % t-interval, and the paired
  difference against the FIRST scenario with its 95 % t-interval and a two-sided p-value.

outputs (in results/compare/<names joined by _vs_>/ unless --out is given): comparison.csv
  (outcome x arm), runs.csv (arm x seed), trajectories.csv (arm x seed x year; events
  cumulated), comparison.png (trajectories with 95 % bands) and metadata.json (scenario
  files, seeds, versions). The directory appears only when complete."""


def register_compare_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``compare`` to the ``matsim`` sub-commands (``build_parser``'s ``add_subparsers``)."""
    compare = subparsers.add_parser(
        "compare",
        help="compare scenarios under common random numbers (paired by seed)",
        description="Run two or more scenarios with the same replicate seeds and report each "
        "outcome's mean with a 95 % interval and the paired difference against the first.",
        epilog=EPILOG_COMPARE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="two or more scenario .toml files or shipped names; the first is the reference",
    )
    compare.add_argument(
        "--replicates",
        "-n",
        type=int_at_least(2, "replicates"),
        required=True,
        metavar="N",
        help="seeds per scenario (at least 2; 16 or more to detect small effects)",
    )
    compare.add_argument(
        "--root-seed",
        type=int_at_least(0, "root_seed"),
        default=DEFAULT_ROOT_SEED,
        metavar="S",
        help=f"root of the replicate seeds (default: {DEFAULT_ROOT_SEED})",
    )
    compare.add_argument(
        "--years",
        type=run_option("years"),
        help="simulated years (default: the scenarios' [run] years)",
    )
    compare.add_argument(
        "--workers",
        type=int_at_least(1, "workers"),
        metavar="N",
        help="worker processes (default: the CPU count; 1 runs in this process)",
    )
    compare.add_argument(
        "--trust-id",
        type=int_at_least(0, "trust_id"),
        metavar="ID",
        help="also compare this trust's outcomes (0: the scenario's first named trust)",
    )
    compare.add_argument(
        "--test",
        choices=TESTS,
        default="wilcoxon",
        help="paired test for the p-value: Wilcoxon signed-rank (default) or t-test",
    )
    compare.add_argument(
        "--out", type=Path, help="output directory (default: results/compare/<names>)"
    )
    compare.add_argument("--no-figure", action="store_true", help="skip comparison.png")
    compare.add_argument(
        "--quiet", action="store_true", help="no progress bar or table; print only the out dir"
    )
    compare.set_defaults(func=cmd_compare)
    return compare


def cmd_compare(args: argparse.Namespace) -> int:
    """Handler of ``matsim compare``: bad input is one ``error:`` line on stderr and exit 2."""
    from .compare import (
        CompareError,
        RunFailedError,
        default_out,
        format_table,
        load_arms,
        run_comparison,
        write_comparison,
    )
    from .output import OutputError, check_out_dir
    from .scenario import ScenarioError

    try:
        arms = load_arms(args.scenarios)
        out = check_out_dir(args.out or default_out(arms))
        comp = run_comparison(
            arms,
            args.replicates,
            root_seed=args.root_seed,
            years=args.years,
            workers=args.workers,
            trust_id=args.trust_id,
            test=args.test,
            progress=False if args.quiet else None,
        )
        written = write_comparison(comp, out, figure=not args.no_figure)
    except (CompareError, ScenarioError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    except RunFailedError as err:
        print(f"error: {err}; no output written", file=sys.stderr)
        return RUN_FAILED
    if args.quiet:
        print(written)
    else:
        print(format_table(comp))
        print(
            f"\nwall time {comp.wall_time_s:.1f} s on {comp.workers} worker(s); "
            f"outputs in {written}"
        )
    return 0
