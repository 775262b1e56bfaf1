"""``matsim run``: one scenario, its tables, metadata and figures, a summary and a timeline.

The model, pandas and the progress bar are imported inside :func:`cmd_run`, once the scenario
and the output folder have been checked, so ``matsim run --help`` and every refusal stay quick.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .argtypes import int_at_least, run_option
from .output import FORMATS, check_out_dir
from .parameters import Params
from .scenario import Scenario
from .scenario_commands import load_named

if TYPE_CHECKING:
    from .run import RunResult


def _default_out(scenario: Scenario, seed: int) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", scenario.name) or "scenario"
    return Path("results") / f"{safe}-{seed}"


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario, write its outputs, print a short summary and break-point timeline."""
    scenario = load_named(args.scenario)
    run = scenario.params.run
    run = dataclasses.replace(
        run,
        seed=run.seed if args.seed is None else args.seed,
        years=run.years if args.years is None else args.years,
    )
    params = dataclasses.replace(scenario.params, run=run)
    out = check_out_dir(args.out or _default_out(scenario, run.seed))  # before the work

    from tqdm import tqdm

    from .output import write_run
    from .run import run_simulation

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
    from .report import break_point_timeline

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
        *blocked_plans(result),
    ]
    return "\n".join(lines)


def blocked_plans(result: RunResult) -> list[str]:
    """Warnings, one per trust and break point, where an operating model's planned shift could
    not be made for lack of reserves: the scenario said it would happen, so say it did not."""
    events, trusts = result.tables["events"], result.tables["trusts"]
    if "planned" not in events:
        return []
    blocked = events[
        (events["kind"].astype(str) == "shift_unaffordable") & (events["planned"] == 1)
    ]
    if blocked.empty:
        return []
    from .breakpoints import find
    from .labels import shift_label

    names = trusts.drop_duplicates("trust_id").set_index("trust_id")["name"]
    lines = []
    for (trust_id, bp), rows in blocked.groupby(["trust_id", "break_point"], sort=True):
        plug_in = find(str(bp))
        shift = shift_label(plug_in.shift.name) if plug_in else str(bp)
        years = ", ".join(str(int(y)) for y in rows["year"])
        lines.append(
            f"  WARNING: {names.get(trust_id, f'trust {trust_id}')} could not make its planned "
            f"shift '{shift}' (reserves too low) in year(s) {years}"
        )
    return lines


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
  earlier run's output of the same name is replaced. An --out that cannot be written is
  refused before anything is simulated.

printed: a summary, then a break-point timeline per trust (the scenario's named trusts
  first, then the MATs with most crossings and shifts)."""


def register_run_command(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="run a scenario and write its tables, metadata and figures",
        description="Run one scenario for a number of simulated years and write the results.",
        epilog=EPILOG_RUN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("scenario", help="a scenario .toml file, or a shipped name (baseline)")
    run.add_argument(
        "--seed", type=run_option("seed"), help="random seed (default: the scenario's [run] seed)"
    )
    run.add_argument(
        "--years", type=run_option("years"), help="simulated years (default: [run] years)"
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
