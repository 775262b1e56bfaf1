"""Compare scenarios under common random numbers: ``matsim compare A.toml B.toml ...``.

Every arm (scenario) runs with the same replicate seeds, spawned from one root seed with
:class:`numpy.random.SeedSequence`, so the arms share the same world, intakes and draws and
differ only by what their scenario files change. Differences are therefore paired by seed: two
identical arms differ by exactly zero, and a real effect is measured against far less noise
than independent runs would leave.

Runs go to a process pool (or any :class:`concurrent.futures.Executor` passed in); each
worker returns only its run's outcomes year by year (a few hundred numbers), never the tables.
Per outcome and arm the comparison reports the mean over seeds with a 95 % t-interval, and the
paired difference against the first arm with its 95 % t-interval and a two-sided paired test
(Wilcoxon signed-rank by default, as in ``tests/test_questions.py``; ``--test t`` for a paired
t-test).

Outputs, written atomically like :mod:`simulation.output` (a temporary sibling directory renamed
into place when complete): ``comparison.csv`` (tidy: outcome x arm), ``runs.csv`` (arm x seed),
``trajectories.csv`` (arm x seed x year), ``metadata.json`` and ``comparison.png``.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from .compare_command import (  # the command line lives there, light; re-exported here
    DEFAULT_ROOT_SEED,
    TESTS,
)
from .compare_command import RUN_FAILED as RUN_FAILED
from .compare_command import USAGE_ERROR as USAGE_ERROR
from .compare_command import cmd_compare as cmd_compare
from .compare_command import register_compare_command as register_compare_command
from .executors import default_workers
from .output import METADATA_FILE, _write_json, atomic_directory, check_out_dir
from .parameters import Params, RunParams
from .run import git_commit, package_versions, run_simulation
from .scenario import Scenario, find_scenario, load_scenario

CAPTION_TAIL = "simulated outcomes, a tool for thinking about mechanisms, not a forecast"
FILES = ("comparison.csv", "runs.csv", "trajectories.csv", "comparison.png", METADATA_FILE)


class CompareError(ValueError):
    """The comparison cannot be run as asked; the message is one line."""


class RunFailedError(RuntimeError):
    """One run of one arm raised; the message names the arm, the seed and the error."""


@dataclass(frozen=True)
class Measure:
    """One outcome measured every year (a column of the trajectories).

    ``level`` measures (a state, e.g. quality) are summarised per run by their mean over years
    1..end and their final-year value; ``flow`` measures (events in the year, e.g. schools
    re-brokered) by their mean per year and their total over years 1..end. The trajectories hold
    flows cumulated from year 1, so a flow's trajectory ends at its total.
    """

    name: str
    label: str
    unit: str
    kind: str  # "level" or "flow"
    trust: bool = False
    fmt: str = ".3f"

    @property
    def summaries(self) -> tuple[str, str]:
        return ("mean", "final") if self.kind == "level" else ("per_year", "total")


MEASURES = (
    Measure("quality", "pupil-weighted mean school quality", "quality units", "level"),
    Measure(
        "pupils_good_or_better",
        "share of pupils in good-or-better schools",
        "fraction of pupils",
        "level",
    ),
    Measure(
        "disadvantage_gap",
        "disadvantage gap: quality of disadvantaged pupils' schools minus others'",
        "quality units",
        "level",
    ),
    Measure(
        "break_points_per_mat",
        "break-point crossings per open multi-academy trust",
        "crossings per MAT",
        "flow",
    ),
    Measure("rebrokered", "schools re-brokered", "schools", "flow", fmt=".2f"),
    Measure(
        "central_cost_per_pupil",
        "central cost per pupil (all trusts)",
        "GBP per pupil per year",
        "level",
        fmt=".1f",
    ),
    Measure("trust_quality", "the trust's mean school quality", "quality units", "level", True),
    Measure(
        "trust_value_added",
        "the trust's value added (quality above its schools' potential)",
        "quality units",
        "level",
        True,
    ),
    Measure(
        "trust_central_cost_per_pupil",
        "the trust's central cost per pupil",
        "GBP per pupil per year",
        "level",
        True,
        fmt=".1f",
    ),
    Measure("trust_crossings", "the trust's break-point crossings", "crossings", "flow", True),
)
MEASURE = {m.name: m for m in MEASURES}
# Figure panels: (trajectory measure, axis label with unit, scale, title).
SYSTEM_PANELS = (
    ("quality", "pupil-weighted mean quality (quality units)", 1.0, "School quality"),
    ("pupils_good_or_better", "pupils in good-or-better schools (%)", 100.0, "Good or better"),
    ("disadvantage_gap", "disadvantage gap (quality units)", 1.0, "Disadvantage gap"),
    (
        "break_points_per_mat",
        "crossings per MAT, cumulative (count)",
        1.0,
        "Break points per multi-academy trust",
    ),
)
TRUST_PANEL = ("trust_value_added", "value added (quality units)", 1.0, "The trust's value added")


def measures(trust_id: int | None) -> tuple[Measure, ...]:
    """The measures of a comparison: system-level, plus the trust's with a trust id."""
    return tuple(m for m in MEASURES if trust_id is not None or not m.trust)


def outcome_names(trust_id: int | None) -> list[str]:
    """The per-run outcomes (``<measure>_<summary>``), in reporting order."""
    return [f"{m.name}_{s}" for m in measures(trust_id) for s in m.summaries]


def measure_of(outcome: str) -> Measure:
    """The measure an outcome (``<measure>_<summary>``) summarises."""
    for m in MEASURES:
        if outcome in (f"{m.name}_{s}" for s in m.summaries):
            return m
    raise KeyError(outcome)


def outcome_descriptions(trust_id: int | None) -> dict[str, str]:
    words = {
        "mean": "mean of years 1..end",
        "final": "in the final year",
        "per_year": "mean per year over years 1..end",
        "total": "total over years 1..end",
    }
    return {
        f"{m.name}_{s}": f"{m.label}, {words[s]} ({m.unit})"
        for m in measures(trust_id)
        for s in m.summaries
    }


@dataclass(frozen=True)
class Arm:
    """One scenario of a comparison: a unique name, its file and its parameters."""

    name: str
    path: Path | None
    description: str
    params: Params


def load_arms(names_or_paths: Sequence[str]) -> list[Arm]:
    """Load scenarios (paths or shipped names) as arms; repeated names get ``-2``, ``-3``...

    Raises:
        CompareError: fewer than two scenarios.
        ScenarioError: a scenario cannot be used.
    """
    if len(names_or_paths) < 2:
        raise CompareError(
            f"compare needs at least 2 scenarios, got {len(names_or_paths)}; "
            "e.g. 'matsim compare review_static review_reactive --replicates 8'"
        )
    return arms_from_scenarios([load_scenario(find_scenario(s)) for s in names_or_paths])


def arms_from_scenarios(scenarios: Iterable[Scenario]) -> list[Arm]:
    arms: list[Arm] = []
    seen: dict[str, int] = {}
    for sc in scenarios:
        seen[sc.name] = seen.get(sc.name, 0) + 1
        name = sc.name if seen[sc.name] == 1 else f"{sc.name}-{seen[sc.name]}"
        arms.append(Arm(name, sc.path, sc.description, sc.params))
    return arms


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """``replicates`` independent seeds from ``SeedSequence(root_seed).spawn``, as 63-bit ints."""
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


# -- one run (in a worker process) ------------------------------------------------------------


def run_outcomes(
    params: Params, scenario_name: str, seed: int, years: int, trust_id: int | None = None
) -> dict[str, np.ndarray]:
    """Run one arm with one seed; return only its outcomes per year (the worker function)."""
    result = run_simulation(params, seed=seed, years=years, scenario_name=scenario_name)
    traj = trajectory(result.tables, trust_id)
    return {col: traj[col].to_numpy() for col in traj.columns}


def trajectory(tables: Mapping[str, pd.DataFrame], trust_id: int | None = None) -> pd.DataFrame:
    """One run's measures by year (years 0..end); flows per year, not yet cumulated."""
    model = tables["model"].sort_values("year")
    years = model["year"].to_numpy()
    trusts, events = tables["trusts"], tables["events"]
    crossings = events[events["kind"] == "crossing"]
    mat_kind = trusts[["year", "trust_id", "kind"]].rename(columns={"kind": "trust_kind"})
    crossings = crossings.merge(mat_kind, on=["year", "trust_id"], how="left")
    mat_crossings = (
        crossings[crossings["trust_kind"] == "multi_academy"].groupby("year").size()
    ).reindex(years, fill_value=0)
    n_mats = model["n_multi_academy_trusts"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "year": years,
            "quality": model["mean_quality"].to_numpy(dtype=float),
            "pupils_good_or_better": model["pupil_share_good_or_better"].to_numpy(dtype=float),
            "disadvantage_gap": model["disadvantage_gap"].to_numpy(dtype=float),
            "break_points_per_mat": np.divide(
                mat_crossings.to_numpy(dtype=float),
                n_mats,
                out=np.zeros(len(years)),
                where=n_mats > 0,
            ),
            "rebrokered": model["rebrokered"].to_numpy(dtype=float),
            "central_cost_per_pupil": model["central_cost_per_pupil_gbp"].to_numpy(dtype=float),
        }
    )
    if trust_id is not None:
        mine = trusts[trusts["trust_id"] == trust_id].set_index("year").reindex(years)
        out["trust_quality"] = mine["mean_quality"].to_numpy(dtype=float)
        out["trust_value_added"] = mine["value_added"].to_numpy(dtype=float)
        out["trust_central_cost_per_pupil"] = mine["central_cost_per_pupil_gbp"].to_numpy(
            dtype=float
        )
        counts = crossings[crossings["trust_id"] == trust_id].groupby("year").size()
        out["trust_crossings"] = counts.reindex(years, fill_value=0).to_numpy(dtype=float)
    return out


def summarise_run(traj: pd.DataFrame, trust_id: int | None = None) -> dict[str, float]:
    """A run's outcomes from its trajectory: levels' mean and final, flows' rate and total.

    Years 1..end only (year 0 is the shared starting world). A trust's level measures are
    averaged over the years it was open; its final value is missing if it closed.
    """
    later = traj[traj["year"] >= 1]
    out: dict[str, float] = {}
    for m in measures(trust_id):
        values = later[m.name].to_numpy(dtype=float)
        if m.kind == "level":
            finite = values[np.isfinite(values)]
            out[f"{m.name}_mean"] = float(finite.mean()) if finite.size else np.nan
            out[f"{m.name}_final"] = float(values[-1]) if values.size else np.nan
        else:
            out[f"{m.name}_per_year"] = float(values.mean()) if values.size else np.nan
            out[f"{m.name}_total"] = float(values.sum())
    return out


# -- statistics --------------------------------------------------------------------------------


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, ...]:
    """Mean and ``level`` t-interval of the finite values; NaN bounds with fewer than two."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size < 2:
        return (mean, np.nan, np.nan)
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return (mean, mean - half, mean + half)


def paired_p_value(diff: Sequence[float] | np.ndarray, test: str = "wilcoxon") -> float:
    """Two-sided p-value that the paired differences centre on zero.

    All-zero differences give 1; constant non-zero differences under the t-test give 0.
    """
    d = np.asarray(diff, dtype=float)
    d = d[np.isfinite(d)]
    if test not in TESTS:
        raise CompareError(f"test {test!r} is not allowed; choose one of {', '.join(TESTS)}")
    if d.size < 2:
        return np.nan
    if np.all(d == 0):
        return 1.0
    with warnings.catch_warnings():  # small samples and ties: scipy falls back and may warn
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        if test == "t":
            if np.all(d == d[0]):
                return 0.0
            return float(stats.ttest_1samp(d, 0.0).pvalue)
        return float(stats.wilcoxon(d).pvalue)


def compare_table(
    runs: pd.DataFrame, arm_names: Sequence[str], outcomes: Sequence[str], test: str = "wilcoxon"
) -> pd.DataFrame:
    """Tidy outcome x arm table: mean and 95 % interval; paired difference vs the first arm.

    ``runs`` has one row per arm x seed (columns ``arm``, ``seed`` and the outcomes). The first
    arm is the reference: its difference columns are empty. ``n`` counts the arm's runs with a
    value; ``n_pairs`` the seeds where both it and the first arm have one.
    """
    wide = {a: runs[runs["arm"] == a].set_index("seed") for a in arm_names}
    first = arm_names[0]
    rows = []
    for outcome in outcomes:
        ref = wide[first][outcome]
        for arm in arm_names:
            values = wide[arm][outcome]
            mean, lo, hi = t_interval(values.to_numpy())
            row = {
                "outcome": outcome,
                "arm": arm,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "diff_vs_first": np.nan,
                "diff_ci_low": np.nan,
                "diff_ci_high": np.nan,
                "p_value": np.nan,
                "n": int(np.isfinite(values.to_numpy(dtype=float)).sum()),
                "n_pairs": np.nan,
            }
            if arm != first:
                diff = (values - ref.reindex(values.index)).to_numpy(dtype=float)
                diff = diff[np.isfinite(diff)]
                d_mean, d_lo, d_hi = t_interval(diff)
                row.update(
                    diff_vs_first=d_mean,
                    diff_ci_low=d_lo,
                    diff_ci_high=d_hi,
                    p_value=paired_p_value(diff, test),
                    n_pairs=int(diff.size),
                )
            rows.append(row)
    table = pd.DataFrame(rows)
    table["n_pairs"] = table["n_pairs"].astype("Int64")
    return table


def cumulate(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Trajectories with each flow measure cumulated from year 1 within each arm x seed."""
    out = trajectories.sort_values(["arm_index", "seed_index", "year"]).copy()
    flows = [m.name for m in MEASURES if m.kind == "flow" and m.name in out.columns]
    for col in flows:
        yearly = out[col].where(out["year"] >= 1, 0.0)
        out[col] = yearly.groupby([out["arm_index"], out["seed_index"]]).cumsum()
    return out


def trajectory_bands(trajectories: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Per arm, measure and year: mean over seeds with a 95 % t-interval (tidy)."""
    rows = []
    for (arm, year), group in trajectories.groupby(["arm", "year"], sort=False):
        for name in names:
            mean, lo, hi = t_interval(group[name].to_numpy())
            rows.append(
                {"arm": arm, "measure": name, "year": year}
                | {"mean": mean, "ci_low": lo, "ci_high": hi}
            )
    return pd.DataFrame(rows)


# -- running a comparison ---------------------------------------------------------------------


@dataclass
class Comparison:
    """Everything a comparison produced; :func:`write_comparison` saves it."""

    arms: list[Arm]
    root_seed: int
    seeds: list[int]
    years: int
    trust_id: int | None
    test: str
    runs: pd.DataFrame  # arm x seed outcomes
    trajectories: pd.DataFrame  # arm x seed x year, flows cumulated
    table: pd.DataFrame  # tidy outcome x arm
    wall_time_s: float = 0.0
    workers: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def arm_names(self) -> list[str]:
        return [a.name for a in self.arms]

    def caption(self) -> str:
        return (
            f"scenarios: {' vs '.join(self.arm_names)} (first is the reference) | seeds: "
            f"{len(self.seeds)} per arm, common to all arms, spawned from root seed "
            f"{self.root_seed} | {CAPTION_TAIL}"
        )

    def panels(self) -> tuple[tuple[str, str, float, str], ...]:
        if self.trust_id is None:
            return SYSTEM_PANELS
        label, scale, title = TRUST_PANEL[1], TRUST_PANEL[2], f"Trust {self.trust_id}: value added"
        return (*SYSTEM_PANELS[:2], SYSTEM_PANELS[3], ("trust_value_added", label, scale, title))


def resolve_years(arms: Sequence[Arm], years: int | None) -> int:
    """The horizon: ``years`` if given, else the arms' shared ``[run] years``."""
    if years is not None:
        meta = RunParams.__dataclass_fields__["years"].metadata
        if not meta["lo"] <= years <= meta["hi"]:
            raise CompareError(
                f"years {years} is out of range; allowed {meta['lo']} to {meta['hi']}"
            )
        return int(years)
    found = {a.name: a.params.run.years for a in arms}
    if len(set(found.values())) > 1:
        listed = ", ".join(f"{name}: {y}" for name, y in found.items())
        raise CompareError(f"the scenarios' [run] years differ ({listed}); pass --years")
    return int(next(iter(found.values())))


def check_trust(arms: Sequence[Arm], trust_id: int, seed: int) -> None:
    """Refuse a trust id that no arm has at the start (checked on the first seed's world)."""
    from .model import MATModel

    for arm in arms:
        n = len(MATModel(arm.params, rng=seed, scenario_name=arm.name).trusts)
        if not 0 <= trust_id < n:
            raise CompareError(
                f"trust id {trust_id} does not exist at the start of {arm.name}; "
                f"allowed 0 to {n - 1} (named trusts come first: 0 is the first)"
            )


def _pool(workers: int) -> ProcessPoolExecutor:
    # forkserver/spawn, not fork: forking a process with threads is unsafe (and deprecated).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def run_comparison(
    arms: Sequence[Arm],
    replicates: int,
    root_seed: int = DEFAULT_ROOT_SEED,
    years: int | None = None,
    workers: int | None = None,
    trust_id: int | None = None,
    test: str = "wilcoxon",
    executor: Executor | None = None,
    progress: bool | None = None,
) -> Comparison:
    """Run every arm with the same ``replicates`` seeds and compare them.

    Args:
        arms: from :func:`load_arms`; the first is the reference for differences.
        replicates: seeds per arm (at least 2, for an interval).
        root_seed: the seeds are ``SeedSequence(root_seed).spawn(replicates)``.
        years: simulated years (default: the arms' shared ``[run] years``).
        workers: processes (default: CPU count); 1 runs in this process.
        trust_id: also compare this trust's outcomes (0 is a scenario's first named trust).
        test: ``"wilcoxon"`` (signed-rank) or ``"t"`` (paired t-test), both two-sided.
        executor: run on this executor instead (e.g. a Dask client's); not shut down here.
        progress: show a progress bar on stderr (None: only when stderr is a terminal).

    Results do not depend on ``workers`` or the executor: runs are keyed by arm and seed.
    """
    if len(arms) < 2:
        raise CompareError(f"compare needs at least 2 scenarios, got {len(arms)}")
    if replicates < 2:
        raise CompareError(f"replicates must be at least 2 for an interval, got {replicates}")
    if test not in TESTS:
        raise CompareError(f"test {test!r} is not allowed; choose one of {', '.join(TESTS)}")
    if root_seed < 0:
        raise CompareError(f"root seed must be 0 or more, got {root_seed}")
    n_years = resolve_years(arms, years)
    seeds = replicate_seeds(root_seed, replicates)
    if trust_id is not None:
        check_trust(arms, trust_id, seeds[0])
    jobs = [(a, s) for s in range(len(seeds)) for a in range(len(arms))]  # seed-major
    workers = min(default_workers() if workers is None else workers, len(jobs))
    if workers < 1:
        raise CompareError(f"workers must be at least 1, got {workers}")
    started = time.perf_counter()
    results: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    bar = tqdm(
        total=len(jobs),
        desc=f"compare {len(arms)} arms x {replicates} seeds",
        unit="run",
        file=sys.stderr,
        disable=None if progress is None else not progress,
    )

    def call(a: int, s: int) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return run_outcomes, (arms[a].params, arms[a].name, seeds[s], n_years, trust_id)

    with bar:
        if executor is None and workers == 1:
            for a, s in jobs:
                fn, args = call(a, s)
                try:
                    results[a, s] = fn(*args)
                except Exception as err:
                    raise _failed(arms[a], seeds[s], err) from err
                bar.update()
        else:
            own = executor is None
            pool = _pool(workers) if own else executor
            try:
                futures: dict[Future, tuple[int, int]] = {}
                for a, s in jobs:
                    fn, args = call(a, s)
                    futures[pool.submit(fn, *args)] = (a, s)
                for future in as_completed(futures):
                    a, s = futures[future]
                    try:
                        results[a, s] = future.result()
                    except Exception as err:
                        raise _failed(arms[a], seeds[s], err) from err
                    bar.update()
            finally:
                if own:
                    pool.shutdown(wait=True, cancel_futures=True)
    wall = time.perf_counter() - started
    return assemble(arms, root_seed, seeds, n_years, trust_id, test, results, wall, workers)


def _failed(arm: Arm, seed: int, err: BaseException) -> RunFailedError:
    return RunFailedError(f"run of {arm.name} with seed {seed} failed: {type(err).__name__}: {err}")


def assemble(
    arms: Sequence[Arm],
    root_seed: int,
    seeds: Sequence[int],
    years: int,
    trust_id: int | None,
    test: str,
    results: Mapping[tuple[int, int], Mapping[str, np.ndarray]],
    wall_time_s: float = 0.0,
    workers: int = 1,
) -> Comparison:
    """Build the run, trajectory and comparison tables from the per-run outcomes."""
    run_rows, traj_parts = [], []
    for a, arm in enumerate(arms):
        for s, seed in enumerate(seeds):
            traj = pd.DataFrame(results[a, s])
            run_rows.append(
                {"arm": arm.name, "seed_index": s, "seed": seed, **summarise_run(traj, trust_id)}
            )
            traj.insert(0, "seed", seed)
            traj.insert(0, "seed_index", s)
            traj.insert(0, "arm_index", a)
            traj.insert(0, "arm", arm.name)
            traj_parts.append(traj)
    runs = pd.DataFrame(run_rows)
    trajectories = cumulate(pd.concat(traj_parts, ignore_index=True)).reset_index(drop=True)
    names = [a.name for a in arms]
    table = compare_table(runs, names, outcome_names(trust_id), test)
    return Comparison(
        list(arms),
        root_seed,
        list(seeds),
        years,
        trust_id,
        test,
        runs,
        trajectories.drop(columns="arm_index"),
        table,
        round(wall_time_s, 3),
        workers,
    )


# -- output ------------------------------------------------------------------------------------


def default_out(arms: Sequence[Arm]) -> Path:
    """``results/compare/<arm names joined by _vs_>``."""
    joined = "_vs_".join(a.name for a in arms)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", joined) or "comparison"
    return Path("results") / "compare" / safe[:200]


def metadata(comp: Comparison) -> dict[str, Any]:
    return {
        "kind": "comparison",
        "arms": [
            {
                "name": a.name,
                "file": None if a.path is None else str(Path(a.path).resolve()),
                "description": a.description,
                "parameters": a.params.to_dict(),
            }
            for a in comp.arms
        ],
        "reference_arm": comp.arm_names[0],
        "root_seed": comp.root_seed,
        "replicates": len(comp.seeds),
        "seeds": comp.seeds,
        "seed_derivation": "numpy.random.SeedSequence(root_seed).spawn(replicates); each "
        "child's generate_state(1, uint64) >> 1; the same seeds for every arm",
        "years": comp.years,
        "trust_id": comp.trust_id,
        "outcomes": outcome_descriptions(comp.trust_id),
        "intervals": "95 % t-intervals over seeds; differences paired by seed",
        "test": {
            "wilcoxon": "two-sided Wilcoxon signed-rank test of the paired differences",
            "t": "two-sided paired t-test",
        }[comp.test],
        "workers": comp.workers,
        "versions": package_versions(),
        "git_commit": git_commit(),
        "timestamp_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_time_s": comp.wall_time_s,
    }


def write_comparison(comp: Comparison, out_dir: str | Path, figure: bool = True) -> Path:
    """Write the tables, metadata and figure into ``out_dir`` atomically; return it."""
    with atomic_directory(out_dir) as tmp:
        comp.table.to_csv(tmp / "comparison.csv", index=False)
        comp.runs.to_csv(tmp / "runs.csv", index=False)
        comp.trajectories.to_csv(tmp / "trajectories.csv", index=False)
        files = ["comparison.csv", "runs.csv", "trajectories.csv"]
        if figure:
            from .plotting import DPI, comparison_figure  # matplotlib only when drawing

            panels = comp.panels()
            bands = trajectory_bands(comp.trajectories, [p[0] for p in panels])
            fig = comparison_figure(bands, panels, comp.caption(), arms=comp.arm_names)
            fig.savefig(tmp / "comparison.png", dpi=DPI)
            files.append("comparison.png")
        meta = {**metadata(comp), "output": {"files": [*files, METADATA_FILE]}}
        _write_json(tmp / METADATA_FILE, meta)  # last: its presence marks a complete output
    return check_out_dir(out_dir).resolve()


def _num(value: float, fmt: str, sign: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:{'+' if sign else ''}{fmt}}"


def format_table(comp: Comparison) -> str:
    """The comparison as text: one block per outcome, one line per arm."""
    names = comp.arm_names
    width = max(len(n) for n in names)
    first = names[0]
    header = (
        f"{len(names)} arms x {len(comp.seeds)} seeds (common random numbers, root seed "
        f"{comp.root_seed}), {comp.years} years; mean [95 % CI]; difference vs {first} paired "
        f"by seed [95 % CI], p: {'Wilcoxon signed-rank' if comp.test == 'wilcoxon' else 't-test'}"
    )
    lines = [header]
    descriptions = outcome_descriptions(comp.trust_id)
    for outcome, block in comp.table.groupby("outcome", sort=False):
        fmt = measure_of(outcome).fmt
        lines += ["", f"{outcome}: {descriptions[outcome]}"]
        for row in block.itertuples(index=False):
            mean = f"{_num(row.mean, fmt)} [{_num(row.ci_low, fmt)}, {_num(row.ci_high, fmt)}]"
            if row.arm == first:
                diff = "reference"
            else:
                diff = (
                    f"{_num(row.diff_vs_first, fmt, True)} [{_num(row.diff_ci_low, fmt, True)}, "
                    f"{_num(row.diff_ci_high, fmt, True)}]  p = {_num(row.p_value, '.3f')}"
                )
            lines.append(f"  {row.arm:<{width}}  {mean:<32} {diff}")
    return "\n".join(lines)
