"""``matsim sensitivity BATCH.toml``: run (or resume) a Sobol/Morris batch and report indices.

The batch runs through the same machinery as ``matsim batch`` (resumable, parallel, each run
writing its own tables). Each run's outcomes are averaged over the simulated years 1..end;
replicates are averaged per design point; SALib gives the indices with 95 % intervals.
Outputs in ``<batch dir>/sensitivity/``: ``indices.csv``, ``outcomes.csv`` (per run) and
``indices.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .batch.commands import add_shared_batch_options, run_with_options

if TYPE_CHECKING:  # numpy, pandas, SALib and matplotlib are imported when the command runs
    import pandas as pd

USAGE_ERROR = 2

OUTCOMES = {
    "mean_quality": "pupil-weighted mean quality, mean over years 1..end",
    "pupil_share_good_or_better": "share of pupils in good-or-better schools, mean over years",
    "disadvantage_gap": "disadvantaged pupils' quality gap, mean over years",
    "central_cost_per_pupil_gbp": "central-team spend per pupil (GBP), mean over years",
    "break_points_per_mat": "break-point crossings per open multi-academy trust per year",
    "rebrokered": "schools re-brokered per year",
}


def run_outcomes(run_dir: Path) -> dict[str, float]:
    """One run's outcomes from its own model and events tables."""
    import pandas as pd

    model = pd.read_parquet(run_dir / "model.parquet")
    later = model[model["year"] >= 1]
    events = pd.read_parquet(run_dir / "events.parquet", columns=["year", "kind"])
    crossings = int(((events["kind"] == "crossing") & (events["year"] >= 1)).sum())
    mat_years = float(later["n_multi_academy_trusts"].sum())
    out = {name: float(later[name].mean()) for name in OUTCOMES if name in later.columns}
    out["break_points_per_mat"] = crossings / mat_years if mat_years else float("nan")
    out["rebrokered"] = float(later["rebrokered"].mean())
    return out


def outcomes_table(batch_dir: Path) -> pd.DataFrame:
    """One row per complete run: run_id, point index (sample row), replicate, outcomes."""
    import pandas as pd

    from .batch import read_manifest
    from .batch.runner import RUNS_DIR

    manifest = read_manifest(batch_dir)
    order = {p["point"]: i for i, p in enumerate(manifest["points"])}
    rows = []
    for entry in manifest["runs"]:
        run_dir = batch_dir / RUNS_DIR / entry["run_id"]
        if (run_dir / "done.json").is_file():
            rows.append(
                {
                    "run_id": entry["run_id"],
                    "point": order[entry["point"]],
                    "replicate": entry["replicate"],
                    **run_outcomes(run_dir),
                }
            )
    return pd.DataFrame(rows)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from .batch import load_batch, sample_matrix
    from .batch.runner import default_out
    from .executors import ExecutorError
    from .output import OutputError
    from .plotting import DPI, sensitivity_figure
    from .scenario import ScenarioError
    from .sensitivity import SENSITIVITY_DESIGNS, Problem, analyse

    try:
        spec = load_batch(args.batch)
        if spec.design not in SENSITIVITY_DESIGNS:
            raise ScenarioError(
                f"{args.batch}: batch.design: {spec.design!r} has no sensitivity indices; "
                f"use one of {', '.join(repr(d) for d in SENSITIVITY_DESIGNS)}"
            )
        out = (args.out or default_out(spec)).resolve()
        outcome = run_with_options(spec, out, args)
    except (ScenarioError, OutputError, ExecutorError) as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    if outcome.failed:
        print(
            f"error: {outcome.failed} runs failed, so the design is incomplete; see "
            f"{out / 'manifest.json'} and rerun the same command to retry them",
            file=sys.stderr,
        )
        return 1
    runs = outcomes_table(out)
    problem = Problem.from_ranges(spec.ranges)
    table = analyse(
        problem,
        spec.design,
        sample_matrix(spec),
        runs,
        list(OUTCOMES),
        seed=spec.root_seed,
        second_order=spec.second_order,
    )
    target = out / "sensitivity"
    target.mkdir(exist_ok=True)
    runs.to_csv(target / "outcomes.csv", index=False)
    table.to_csv(target / "indices.csv", index=False)
    caption = (
        f"batch: {spec.name} | {spec.design}, {len(np.unique(runs['point']))} points x "
        f"{spec.replicates} replicates | root seed {spec.root_seed} | a tool for thinking about "
        "mechanisms, not a forecast"
    )
    sensitivity_figure(table, caption).savefig(target / "indices.png", dpi=DPI)
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(table.round(3).to_string(index=False))
    print(f"indices, per-run outcomes and figure in {target}")
    return 0


def register_sensitivity_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``matsim sensitivity``."""
    parser = subparsers.add_parser(
        "sensitivity",
        help="Sobol or Morris sensitivity indices of outcomes over a batch's ranges",
        description="Run (or resume) a batch whose design is sobol or morris, then report\n"
        "first-order and total Sobol indices (or Morris mu*) with 95 % intervals per outcome.",
        epilog="examples:\n  matsim sensitivity scenarios/batches/sobol.toml --workers 2\n"
        "  matsim sensitivity scenarios/batches/morris.toml --scheduler local\n\n"
        "outcomes: "
        + "; ".join(f"{k} ({v})" for k, v in OUTCOMES.items())
        + "\nwrites <batch dir>/sensitivity/{indices.csv, outcomes.csv, indices.png}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("batch", type=Path, help="a batch .toml with design = sobol or morris")
    parser.add_argument(
        "--out", type=Path, help="batch directory (default: results/batches/<name>)"
    )
    add_shared_batch_options(parser)
    parser.set_defaults(func=cmd_sensitivity)
