"""Speed benchmark: school-years per second, Mesa's Boltzmann model, England run, CLI, scaling.

Run from the project root::

    uv run python benchmarks/run.py            # full benchmark (about a minute)
    uv run python benchmarks/run.py --quick    # smoke version (a few seconds, verdicts indicative)

It prints each figure next to its target with PASS or MISS. It is a benchmark, not a test:
it always exits 0 whatever the figures are, and nothing in the test suite runs it.

What is measured (one process, one core: BLAS/OpenMP threads are pinned to 1 here and in
the England subprocess):

1. The model at about 2,500, 10,000 and 25,000 schools (England's world, trusts and regions
   scaled with the number of schools), for ``--years`` years with a fixed seed. Three times
   are reported separately: *build* (``MATModel(...)``: map, schools, leaders, starting
   trusts, year-0 collection), *step* (the simulated years, including the yearly data
   collection) and *tables* (assembling the four DataFrames at the end). School-years per
   second are given *excluding* build and tables (step only) and *including* them
   (build + step + tables, i.e. what ``run_simulation`` costs).
2. Mesa's own Boltzmann wealth example (``mesa.examples.basic.boltzmann_wealth_model``, 5,000
   agents on a 70 x 70 grid, about one agent per cell as in Mesa's own benchmarks) in
   agent-steps per second (its ``step`` includes its data collection, as ours does), and the
   ratio of our step-only school-years/s to its agent-steps/s.
3. The whole-England scenario (``scenarios/england.toml``) for 20 years through
   ``run_simulation`` in a fresh subprocess: wall time of the run (build + years + tables,
   imports excluded) and the subprocess's peak resident memory (``ru_maxrss``); then the
   command a user types, ``matsim run england --years 20``, as a whole process (interpreter,
   imports, simulation, tables, figures and writing), and ``matsim --help``.
4. The scaling ratio time(25,000) / time(2,500), for the step time and the whole run.

Targets (issue 8): school-years/s at least 5x Boltzmann's agent-steps/s at every size;
time(25k)/time(2.5k) at most 11x; ``matsim run england --years 20`` at most 5 s as a whole
process, ``matsim --help`` at most 1 s; peak memory at most 600 MB.
"""

from __future__ import annotations

import os

# one core: pin the threads of numpy's BLAS and OpenMP before numpy is imported
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulation import MATModel, Params, load_scenario, run_simulation  # noqa: E402

ENGLAND = ROOT / "scenarios" / "england.toml"
SEED = 20240901
SIZES = (2_500, 10_000, 25_000)
BOLTZMANN_AGENTS = 5_000
BOLTZMANN_GRID = 70

# targets (issue 8)
ENGLAND_SECONDS = 5.0  # `matsim run england --years 20`, the whole process
HELP_SECONDS = 1.0  # `matsim --help`, the whole process
ENGLAND_MEMORY_MB = 600.0
RATIO_TARGET = 5.0  # school-years/s over Boltzmann agent-steps/s, at every size
SCALING_TARGET = 11.0


# --- helpers -------------------------------------------------------------------------------
def bytecode_cached() -> bool:
    """Whether a fresh process finds matplotlib's compiled bytecode (or may write it): an
    install without ``.pyc`` under PYTHONDONTWRITEBYTECODE recompiles it in every process."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return True
    cached = Path(importlib.util.cache_from_source(spec.origin)).exists()
    return cached or not os.environ.get("PYTHONDONTWRITEBYTECODE")


def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "MISS")


def line(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    if target:
        print(f"  {label:<50} {value:>12}   target {target:<18} {verdict(ok)}")
    else:
        print(f"  {label:<50} {value:>12}")


def scaled_params(base: Params, n_schools: int) -> Params:
    """England's world and trust mix at ``n_schools`` schools (about 2,500 per region)."""
    share = n_schools / base.world.n_schools
    return replace(
        base,
        world=replace(base.world, n_schools=n_schools, n_regions=max(1, round(n_schools / 2_500))),
        trusts=replace(
            base.trusts,
            n_multi_academy=max(1, round(base.trusts.n_multi_academy * share)),
            n_single_academy=max(1, round(base.trusts.n_single_academy * share)),
        ),
    )


@dataclass
class ModelTiming:
    n_schools: int
    years: int
    build_s: float
    step_s: float
    tables_s: float
    step_cpu_s: float  # CPU time of this process while stepping (~ step_s on an idle core)

    @property
    def total_s(self) -> float:
        return self.build_s + self.step_s + self.tables_s

    @property
    def school_years(self) -> int:
        return self.n_schools * self.years

    @property
    def rate_step(self) -> float:
        return self.school_years / self.step_s

    @property
    def rate_total(self) -> float:
        return self.school_years / self.total_s


def time_model(params: Params, years: int, seed: int) -> ModelTiming:
    gc.collect()
    t0 = time.perf_counter()
    model = MATModel(params, rng=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    for _ in range(years):
        model.step()
    t2, c2 = time.perf_counter(), time.process_time()
    tables = model.recorder.tables()
    t3 = time.perf_counter()
    assert len(tables["schools"]) == params.world.n_schools * (years + 1)
    del model, tables
    return ModelTiming(params.world.n_schools, years, t1 - t0, t2 - t1, t3 - t2, c2 - c1)


def best_of(repeat: int, params: Params, years: int, seed: int) -> ModelTiming:
    """The fastest of ``repeat`` identical runs (same seed): the least disturbed by other load."""
    runs = [time_model(params, years, seed) for _ in range(max(1, repeat))]
    return min(runs, key=lambda t: t.total_s)


def time_boltzmann(steps: int, seed: int) -> tuple[float, float]:
    """Build and step times of Mesa's Boltzmann wealth example."""
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    gc.collect()
    t0 = time.perf_counter()
    scenario = BoltzmannScenario(
        n=BOLTZMANN_AGENTS, width=BOLTZMANN_GRID, height=BOLTZMANN_GRID, rng=seed
    )
    model = BoltzmannWealth(scenario)
    t1 = time.perf_counter()
    for _ in range(steps):
        model.step()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def england_child(years: int, seed: int) -> None:
    """Subprocess body: one England run through run_simulation, results as JSON on stdout."""
    params = load_scenario(ENGLAND).params
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = run_simulation(params, seed=seed, years=years, scenario_name="england")
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {
        "wall_s": wall,
        "cpu_s": cpu,
        "self_maxrss_kb": rss_kb,
        "n_schools": params.world.n_schools,
        "n_trusts_start": params.trusts.n_multi_academy + params.trusts.n_single_academy,
        "rows": {k: len(v) for k, v in result.tables.items()},
    }
    print(json.dumps(out))


def run_england(years: int, seed: int) -> dict:
    env = dict(os.environ)
    env.update({v: "1" for v in THREAD_VARS})
    cmd = [sys.executable, str(Path(__file__).resolve()), "--england-child"]
    cmd += ["--years", str(years), "--seed", str(seed)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    process_wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        raise SystemExit(f"England subprocess failed with exit code {proc.returncode}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = process_wall
    out["self_maxrss_mb"] = _mb(out["self_maxrss_kb"])
    return out


def _mb(maxrss: float) -> float:
    """ru_maxrss in MB (KiB on Linux, bytes on macOS)."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def matsim_command() -> list[str]:
    """How a user runs matsim here: the console script next to this interpreter."""
    script = Path(sys.executable).with_name("matsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simulation.cli"]


def time_command(args: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs of a whole process, and its peak memory (MB)."""
    env = dict(os.environ)
    env.update({v: "1" for v in THREAD_VARS})
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = 0  # reaped by wait4
        best = min(best, wall)
        peak = max(peak, _mb(usage.ru_maxrss))
    return best, peak


# --- main ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short smoke run (verdicts indicative)")
    ap.add_argument("--years", type=int, default=None, help="simulated years per model run")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs at the largest size, best kept (smaller sizes get proportionally more, "
        "up to 5); default 2, or 1 with --quick",
    )
    ap.add_argument("--england-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.england_child:
        england_child(args.years or 20, args.seed)
        return 0

    quick = args.quick
    years = args.years or (3 if quick else 20)
    england_years = 3 if quick else 20
    boltzmann_steps = 10 if quick else 100
    repeat = args.repeat or (1 if quick else 2)

    def repeats(n: int) -> int:  # small runs are short and noisy: repeat them more
        return max(repeat, min(5, round(repeat * SIZES[-1] / n / 4)))

    import mesa
    import numpy as np

    print("MAT growth model - speed benchmark" + (" (QUICK: indicative only)" if quick else ""))
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}, "
        f"{platform.machine()}; seed {args.seed}; one process, BLAS/OpenMP threads = 1"
    )
    load_before = os.getloadavg()[0]
    print(
        f"  load average at start {load_before:.2f} on {os.cpu_count()} CPUs"
        + ("  (other processes are running: timings are inflated)" if load_before > 0.8 else "")
    )

    if not bytecode_cached():
        print(
            "  note: installed packages have no compiled bytecode and PYTHONDONTWRITEBYTECODE is "
            "set, so every process\n  recompiles matplotlib and friends (~0.8 s of the CLI "
            "figure); `uv sync --compile-bytecode` once removes it"
        )

    # England first, in a fresh process, so its peak memory is its own
    print(f"\n[3] Whole-England scenario ({ENGLAND.name}), {england_years} years")
    eng = run_england(england_years, args.seed)
    full = england_years == 20
    line("schools / starting trusts", f"{eng['n_schools']:,} / {eng['n_trusts_start']:,}")
    line("run_simulation wall time (build+years+tables)", f"{eng['wall_s']:.2f} s")
    line("  CPU time of that run (~wall: one core)", f"{eng['cpu_s']:.2f} s")
    line(
        "rows: schools / trusts / events",
        f"{eng['rows']['schools']:,} / {eng['rows']['trusts']:,} / {eng['rows']['events']:,}",
    )
    out_dir = Path(tempfile.mkdtemp(prefix="matsim-bench-")) / "england"
    run_cmd = matsim_command() + ["run", "england", "--years", str(england_years)]
    run_cmd += ["--seed", str(args.seed), "--out", str(out_dir), "--quiet"]
    cli_s, cli_mb = time_command(run_cmd, 1 if quick else 2)
    shutil.rmtree(out_dir.parent, ignore_errors=True)
    line(
        f"`matsim run england --years {england_years}` whole process",
        f"{cli_s:.2f} s",
        f"<= {ENGLAND_SECONDS:.0f} s" + ("" if full else " (20 y)"),
        cli_s <= ENGLAND_SECONDS if full else None,
    )
    line(
        "  peak memory of that process (ru_maxrss)",
        f"{cli_mb:,.0f} MB",
        f"<= {ENGLAND_MEMORY_MB:,.0f} MB",
        cli_mb <= ENGLAND_MEMORY_MB if full else None,
    )
    help_s, _ = time_command(matsim_command() + ["--help"], 3)
    line(
        "`matsim --help` whole process",
        f"{help_s:.2f} s",
        f"<= {HELP_SECONDS:.0f} s",
        help_s <= HELP_SECONDS,
    )

    print(
        f"\n[1] School-years per second (England's mix scaled; {years} years per run, "
        f"best of {'/'.join(str(repeats(n)) for n in SIZES)} runs)"
    )
    print(
        "    build = MATModel(...) incl. year-0 collection; step = the simulated years incl. "
        "yearly\n    collection; tables = building the DataFrames. 'excl.' = step only; "
        "'incl.' = build+step+tables.\n    step cpu = CPU time of the stepping (close to step "
        "s when the core is not shared)."
    )
    base = load_scenario(ENGLAND).params
    print(
        f"  {'schools':>8} {'trusts':>6} {'build s':>8} {'step s':>8} {'step cpu':>8} "
        f"{'tables s':>8} {'school-yr/s excl.':>18} {'school-yr/s incl.':>18}"
    )
    timings: dict[int, ModelTiming] = {}
    for n in SIZES:
        params = scaled_params(base, n)
        t = best_of(repeats(n), params, years, args.seed)
        timings[n] = t
        trusts = params.trusts.n_multi_academy + params.trusts.n_single_academy
        print(
            f"  {n:>8,} {trusts:>6,} {t.build_s:>8.2f} {t.step_s:>8.2f} {t.step_cpu_s:>8.2f} "
            f"{t.tables_s:>8.2f} {t.rate_step:>18,.0f} {t.rate_total:>18,.0f}"
        )

    print(
        f"\n[2] Mesa Boltzmann wealth example: {BOLTZMANN_AGENTS:,} agents, "
        f"{BOLTZMANN_GRID}x{BOLTZMANN_GRID} grid, {boltzmann_steps} steps, "
        f"best of {min(3, repeats(SIZES[0]))} runs"
    )
    b_runs = min(3, repeats(SIZES[0]))
    b_build, b_step = min(
        (time_boltzmann(boltzmann_steps, args.seed) for _ in range(b_runs)),
        key=lambda bs: bs[1],
    )
    b_rate = BOLTZMANN_AGENTS * boltzmann_steps / b_step
    line("build time", f"{b_build:.2f} s")
    line("agent-steps per second (step only)", f"{b_rate:,.0f}")
    for n, t in timings.items():
        r = t.rate_step / b_rate
        line(
            f"ratio at {n:,}: school-yr/s excl. / Boltzmann",
            f"{r:.2f}",
            f">= {RATIO_TARGET:.0f}",
            r >= RATIO_TARGET,
        )
    worst = min(t.rate_total for t in timings.values()) / b_rate
    line("ratio, worst size, school-yr/s incl. build and tables", f"{worst:.2f}")

    small, large = timings[SIZES[0]], timings[SIZES[-1]]
    print(
        f"\n[4] Scaling: time at {SIZES[-1]:,} schools / time at {SIZES[0]:,} "
        f"(schools x{SIZES[-1] / SIZES[0]:.0f})"
    )
    s_step = large.step_s / small.step_s
    s_total = large.total_s / small.total_s
    line("step time ratio", f"{s_step:.1f}x", f"<= {SCALING_TARGET:.0f}x", s_step <= SCALING_TARGET)
    line(
        "whole-run time ratio (build+step+tables)",
        f"{s_total:.1f}x",
        f"<= {SCALING_TARGET:.0f}x",
        s_total <= SCALING_TARGET,
    )
    load_after = os.getloadavg()[0]
    print(f"\n  load average at end {load_after:.2f} on {os.cpu_count()} CPUs")
    if quick:
        print("(quick run: too few years for the targets; run without --quick for real figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
