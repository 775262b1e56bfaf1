"""``matsim batch`` and ``matsim collect``: argparse subcommands and their handlers.

Handlers return an exit code: 0 all runs complete, 1 some runs failed (or an OS error while
writing), 2 bad input (one line ``error: ...`` on stderr, like the rest of ``matsim``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..argtypes import int_at_least
from ..executors import ExecutorError
from ..output import FORMATS, OutputError
from ..scenario import ScenarioError
from .runner import FAILED_DIR, MANIFEST, BatchOutcome, default_out, run_batch
from .spec import DESIGNS, BatchSpec, load_batch

USAGE_ERROR = 2

EPILOG_BATCH = f"""examples:
  matsim batch scenarios/batches/replicates.toml                # process pool, all CPUs
  matsim batch scenarios/batches/growth_grid.toml --workers 4
  matsim batch scenarios/batches/lhs.toml --scheduler local     # Dask LocalCluster
  matsim batch scenarios/batches/sobol.toml --scheduler tcp://10.0.0.5:8786

batch file (TOML):
  [batch] name, base_scenario (relative to the batch file), replicates, root_seed,
          years (optional), design = {" | ".join(DESIGNS)},
          samples (latin_hypercube, sobol, morris), levels (morris), second_order (sobol)
  [grid]   "section.name" = [values, ...]      (design = "grid": full factorial)
  [ranges] "section.name" = [lo, hi]           (latin_hypercube, sobol, morris)
  [choices] "section.name" = [level, ...]      (latin_hypercube: categorical levels, each
           drawn equally often, e.g. "operating_model.preset" = ["aligned", "autonomous"])
  A key is "section.name" or, for a trust the base scenario names,
  "trusts.named.<name>.<field>" (n_schools, weak_schools, ... or growth.<name>,
  operating_model.<name>, review.<name>), e.g. "trusts.named.Oak Trust.growth.radius_km".
  Replicate seeds come from numpy SeedSequence(root_seed).spawn(replicates); every design
  point uses the same seeds (common random numbers).

outputs (in results/batches/<name>/ unless --out is given):
  runs/<run_id>/{{model,trusts,schools,events}}.parquet and done.json, each run written by its
  worker and renamed into place when complete; {FAILED_DIR}/<run_id>.json for runs that raised
  (overrides, seed, traceback); {MANIFEST} (spec, design points, runs with status).

resume: run the same command again; complete runs are skipped and the rest re-run.
one batch per directory: a second 'matsim batch' into a directory in use refuses in one line
  naming the holder's pid (lock file <dir>/batch.lock), or queues behind it with --wait; a
  killed batch's lock is released by itself and the next run takes over.
checked before any work: the batch file, the directory, the lock and the scheduler, so a bad
  --scheduler address leaves nothing behind; a finished batch resumes without writing.
exit code: 0 all runs complete, 1 some runs failed, 2 bad batch file, options, directory in
  use or scheduler unreachable.
then: matsim collect <out dir>"""

EPILOG_COLLECT = """examples:
  matsim collect results/batches/growth_grid                    # -> <dir>/combined/*.parquet
  matsim collect results/batches/growth_grid --format csv
  matsim collect results/batches/growth_grid --out results/growth_grid_   # file prefix

writes model, trusts, schools, events (one row per run x year, per trust, per school, per
event) and runs (one row per planned run with status), each with run_id, point, replicate,
seed and one column per varied parameter (named by its dotted key)."""


def cmd_batch(args: argparse.Namespace) -> int:
    """Run or resume a batch; exit 1 if any run failed."""
    try:
        spec = load_batch(args.batch)
        out = args.out or default_out(spec)
        outcome = run_with_options(spec, out, args)
    except (ScenarioError, OutputError, ExecutorError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    line = (
        f"{spec.name}: {outcome.done} of {outcome.total} runs complete"
        f" ({outcome.skipped} already done), {outcome.failed} failed; {outcome.out}"
    )
    print(line)
    if outcome.failed:
        print(
            f"error: {outcome.failed} runs failed; see {outcome.out / MANIFEST} and "
            f"{outcome.out / FAILED_DIR}/; run the same command again to retry them",
            file=sys.stderr,
        )
    return outcome.exit_code


def cmd_collect(args: argparse.Namespace) -> int:
    """Write the combined tables of a batch directory."""
    from .collect import collect_batch, write_combined  # pandas only when collecting

    try:
        tables = collect_batch(args.dir)
        prefix = args.out if args.out is not None else f"{Path(args.dir) / 'combined'}/"
        written = write_combined(tables, prefix, fmt=args.format)
    except (ScenarioError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    runs = tables["runs"]
    done = int((runs["status"] == "done").sum())
    print(f"{done} of {len(runs)} runs collected: " + ", ".join(str(p) for p in written))
    return 0


def register_batch_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``batch`` and ``collect`` to the ``matsim`` subparsers (``func`` set on each)."""
    register_batch_command(subparsers)
    register_collect_command(subparsers)


RAW = argparse.RawDescriptionHelpFormatter


def add_shared_batch_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that runs a batch (``batch``, ``sensitivity``); handed to
    :func:`run_batch` by :func:`run_with_options`."""
    parser.add_argument(
        "--workers",
        type=int_at_least(1, "workers"),
        metavar="N",
        help="worker processes (default: CPU count; ignored when joining a cluster)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS|local",
        help="run on Dask: 'local' starts a LocalCluster, tcp://HOST:PORT joins one "
        "(needs: uv sync --extra distributed)",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="if another batch is running into the same directory, wait for it to finish "
        "instead of refusing (then resume: its complete runs are skipped)",
    )
    parser.add_argument(
        "--dask-dashboard",
        metavar="HOST:PORT",
        help="with --scheduler local: serve Dask's dashboard there, e.g. 127.0.0.1:8787 "
        "(default: no HTTP service at all)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run_with_options(spec: BatchSpec, out: Path, args: argparse.Namespace) -> BatchOutcome:
    """:func:`run_batch` with the options :func:`add_shared_batch_options` declared."""
    return run_batch(
        spec,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=False if args.quiet else None,
        wait=args.wait,
        dashboard_address=args.dask_dashboard,
    )


def register_batch_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``matsim batch``."""
    batch = subparsers.add_parser(
        "batch",
        help="run replicates, a grid, a Latin hypercube or a Sobol/Morris design; resumable",
        description="Run every (design point, replicate) of a batch file in parallel, each run "
        "writing its own tables; rerun the same command to resume.",
        epilog=EPILOG_BATCH,
        formatter_class=RAW,
    )
    batch.add_argument("batch", type=Path, help="a batch .toml file (see scenarios/batches/)")
    batch.add_argument(
        "--out", type=Path, help="batch directory (default: results/batches/<name>/)"
    )
    add_shared_batch_options(batch)
    batch.set_defaults(func=cmd_batch)


def register_collect_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``matsim collect``."""
    collect = subparsers.add_parser(
        "collect",
        help="combine a batch directory's runs into tidy tables",
        description="Combine the per-run tables of a batch directory into one table each, "
        "with run_id, point, replicate, seed and the varied parameters attached.",
        epilog=EPILOG_COLLECT,
        formatter_class=RAW,
    )
    collect.add_argument("dir", type=Path, help="a batch directory (holding manifest.json)")
    collect.add_argument(
        "--out",
        metavar="FILE_PREFIX",
        help="write <FILE_PREFIX><table>.<format> (default: <dir>/combined/)",
    )
    collect.add_argument("--format", choices=FORMATS, default="parquet", help="file format")
    collect.set_defaults(func=cmd_collect)


def main(argv: list[str] | None = None) -> int:
    """``python -m simulation.batch BATCH.toml [...]``: the batch command on its own
    (``python -m simulation.batch collect DIR`` for collect)."""
    from ..cli import _Parser

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _Parser(prog="python -m simulation.batch")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_batch_commands(sub)
    if not argv or argv[0] not in ("batch", "collect", "-h", "--help"):
        argv = ["batch", *argv]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.func(args)
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
