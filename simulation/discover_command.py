"""``matsim discover BATCH_DIR --outcome EXPR [--method prim|cart]``: scenario discovery.

Which regions of a batch's parameter space lead to the runs an outcome expression picks out
(e.g. "Oak Trust crossed collaboration and had not recovered 3 years later")? PRIM from EMA
Workbench (or a CART tree from scikit-learn) finds boxes of parameter values where such runs
concentrate, with their coverage, density, restricted parameters, the peeling trajectory and a
quasi-p-value per restriction. Outputs in ``<batch dir>/discover/<name>/`` (see
:mod:`simulation.discovery`).

Only argparse is imported here at start-up: the discovery code, and EMA Workbench (seconds to
import), load when the command runs; the help text loads the outcome catalogue.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .argtypes import float_in, int_at_least

USAGE_ERROR = 2
METHODS = ("prim", "cart")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

EPILOG = """examples:
  matsim batch scenarios/batches/discover_growth.toml
  matsim collect results/batches/discover_growth
  matsim discover results/batches/discover_growth --outcome "unrecovered(collaboration, 3)"
  matsim discover results/batches/discover_growth --outcome "trust_value_added_mean < -0.3" \\
      --method cart --boxes 2

The batch must be collected ('matsim collect DIR' writes DIR/combined/). Each completed run
is one row: its varied parameters (numbers, or choices such as operating presets) and
whether the expression holds for it (a "case").

{language}

choosing a box:
  prim: on the peeling trajectory, the densest step still covering --min-coverage of the
        cases not in an earlier box; then restrictions with a quasi-p-value above
        --max-quasi-p are lifted, least significant first (re-testing the rest each time).
  cart: the leaves of a scikit-learn tree denser in cases than the batch, densest first.
  Quasi-p (Bryant and Lempert 2010): a one-sided binomial test of whether a restriction
  raises the density beyond what the box without it has; small means the restriction matters.

writes <batch dir>/discover/<name>/ (replaced if it exists; atomic):
  boxes.csv       one row per box: coverage, density, mass, runs, cases, restricted
                  parameters, base_rate, lift (density / base rate)
  limits.csv      one row per box and restricted parameter: kept range or levels, the
                  sampled range, quasi_p (the weaker side), quasi_p_lower, quasi_p_upper
  trajectory.csv  PRIM's peeling trajectory of each box (or CART's leaves), chosen marked
  runs.csv        one row per run: parameters, every outcome above, case
  discover.png    trade-off curve (coverage vs density) and the chosen boxes' limits
  metadata.json   expression, method, settings, batch, versions, git commit, time

exit code: 0 done; 2 bad expression, folder or option (one line on stderr, nothing written)."""


def cmd_discover(args: argparse.Namespace) -> int:
    """Find the boxes where the expression's cases concentrate; write and print them."""
    from .discovery import (
        DiscoverError,
        DiscoverySettings,
        ExpressionError,
        discover_batch,
        format_result,
        parse,
        write_discovery,
    )
    from .discovery.report import OUT_DIR
    from .output import OutputError

    try:
        if args.name is not None and not NAME_PATTERN.fullmatch(args.name):
            raise DiscoverError(
                f"--name {args.name!r}: use letters, digits, '.', '_' or '-' "
                "(a folder name, not a path)"
            )
        expression = parse(args.outcome)  # before reading any data
        settings = DiscoverySettings(
            method=args.method,
            boxes=args.boxes,
            min_coverage=args.min_coverage,
            max_quasi_p=args.max_quasi_p,
            mass_min=args.mass_min,
        )
        result = discover_batch(args.batch_dir, expression, settings, trust_id=args.trust_id)
        out = None if args.name is None else Path(args.batch_dir) / OUT_DIR / args.name
        written = write_discovery(result, out)
    except (ExpressionError, DiscoverError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    if args.quiet:
        print(written)
    else:
        print(format_result(result))
        print(f"boxes, limits, trajectory, per-run cases and figure in {written}")
    return 0


def _epilog() -> str:
    from .discovery.language import describe_language

    return EPILOG.format(language=describe_language())


def register_discover_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``discover`` to the ``matsim`` subparsers (``func`` set)."""
    parser = subparsers.add_parser(
        "discover",
        help="scenario discovery: PRIM/CART boxes of a collected batch where an outcome "
        "expression's cases concentrate",
        description="Find the regions of a collected batch's parameter space where the runs "
        "picked out by an outcome expression concentrate (PRIM from EMA Workbench, or a "
        "scikit-learn CART tree).",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "batch_dir", type=Path, help="a batch directory collected with 'matsim collect'"
    )
    parser.add_argument(
        "--outcome",
        required=True,
        metavar="EXPR",
        help="the condition that makes a run a case, e.g. 'unrecovered(collaboration, 3)' "
        "(see the outcome names below)",
    )
    parser.add_argument("--method", choices=METHODS, default="prim", help="default: prim")
    parser.add_argument(
        "--trust-id",
        type=int_at_least(0, "trust-id"),
        default=0,
        metavar="ID",
        help="the trust the trust_* outcomes and functions describe (default 0: the first "
        "named trust, Oak Trust in the shipped scenarios)",
    )
    parser.add_argument(
        "--boxes",
        type=int_at_least(1, "boxes"),
        default=1,
        metavar="N",
        help="at most N boxes (PRIM: one after another, each over the runs outside the "
        "earlier ones; CART: the N densest leaves); default 1",
    )
    parser.add_argument(
        "--min-coverage",
        type=float_in(0.0, 1.0, "min-coverage", lo_open=True),
        default=0.5,
        metavar="F",
        help="PRIM: the chosen step covers at least this share of the remaining cases "
        "(default 0.5)",
    )
    parser.add_argument(
        "--max-quasi-p",
        type=float_in(0.0, 1.0, "max-quasi-p", lo_open=True),
        default=0.05,
        metavar="P",
        help="PRIM: lift restrictions whose quasi-p-value is above P (default 0.05; 1 keeps "
        "every restriction)",
    )
    parser.add_argument(
        "--mass-min",
        type=float_in(0.0, 0.5, "mass-min", lo_open=True),
        default=0.05,
        metavar="F",
        help="smallest box (PRIM) or leaf (CART) as a share of runs (default 0.05)",
    )
    parser.add_argument(
        "--name",
        help="output folder under <batch dir>/discover/ (default: method, expression and a "
        "short hash)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the output folder")
    parser.set_defaults(func=cmd_discover)
