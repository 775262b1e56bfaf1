"""Batch throughput benchmark: prints figures against the issue's targets; never fails.

    uv run python benchmarks/batch.py            # about 2 minutes on 2 cores
    uv run python benchmarks/batch.py --quick    # smaller, indicative only

1. runs per minute on the baseline with 1 and 2 workers (target: 2 workers >= 1.8x one);
2. a Dask LocalCluster against the process pool on the same batch (target: within 15 %);
3. peak memory of the parent process as the batch grows from 100 to 1,000 runs (target:
   flat), measured in a fresh subprocess (its own ru_maxrss; workers are not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = """
[batch]
name = "{name}"
base_scenario = "{base}"
replicates = {replicates}
root_seed = 11
years = {years}
design = "replicates"
"""
TINY = """
[scenario]
name = "tiny"
description = "a tiny world for the memory benchmark"
[world]
n_schools = 60
towns_per_region = 3
[trusts]
n_multi_academy = 3
n_single_academy = 2
mean_mat_size = 4.0
"""

PARENT = textwrap.dedent(
    """
    import json, resource, sys, time
    from simulation.batch import load_batch, run_batch
    spec = load_batch(sys.argv[1])
    start = time.perf_counter()
    outcome = run_batch(spec, sys.argv[2], workers=int(sys.argv[3]),
                        scheduler=None if sys.argv[4] == "pool" else sys.argv[4], progress=False)
    print(json.dumps({"seconds": time.perf_counter() - start, "done": outcome.done,
                      "failed": outcome.failed,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)


STARTUP = textwrap.dedent(
    """
    import json, time
    from simulation.executors import make_executor
    start = time.perf_counter()
    with make_executor(2, "local") as ex:
        list(ex.map(__import__, ["simulation.run"] * 2))  # workers up, package imported
    print(json.dumps({"seconds": time.perf_counter() - start}))
    """
)


def write_batch(folder: Path, name: str, base: Path, replicates: int, years: int) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(BATCH.format(name=name, base=base, replicates=replicates, years=years))
    return path


def run_parent(batch: Path, out: Path, workers: int, scheduler: str) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", PARENT, str(batch), str(out), str(workers), scheduler],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs; indicative only")
    args = parser.parse_args()
    runs = 12 if args.quick else 96
    small, large = (50, 200) if args.quick else (100, 1000)
    baseline = ROOT / "scenarios" / "baseline.toml"
    print("MAT growth model - batch benchmark")
    print(f"  {os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        batch = write_batch(tmp, "throughput", baseline, runs, 15)
        one = run_parent(batch, tmp / "w1", 1, "pool")
        two = run_parent(batch, tmp / "w2", 2, "pool")
        dask = run_parent(batch, tmp / "dask", 2, "local")
        startup = json.loads(
            subprocess.run(
                [sys.executable, "-c", STARTUP],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )["seconds"]
        per_min = {k: 60 * runs / v["seconds"] for k, v in (("1", one), ("2", two), ("d", dask))}
        per_min["d_running"] = 60 * runs / max(dask["seconds"] - startup, 1e-9)
        speedup = per_min["2"] / per_min["1"]
        gap = abs(per_min["d"] - per_min["2"]) / per_min["2"]
        gap_running = abs(per_min["d_running"] - per_min["2"]) / per_min["2"]
        print(f"\n[1] baseline (400 schools, 15 years), {runs} runs, each written to Parquet")
        print(f"  runs per minute, 1 worker        {per_min['1']:8.1f}")
        print(f"  runs per minute, 2 workers       {per_min['2']:8.1f}")
        print(
            f"  speed-up                         {speedup:8.2f}x  target >= 1.8x   "
            f"{verdict(speedup >= 1.8)}"
        )
        print("\n[2] Dask LocalCluster (2 workers) on the same batch")
        print(f"  runs per minute, Dask            {per_min['d']:8.1f}")
        print(
            f"  difference from the pool         {100 * gap:8.1f} %  target <= 15 %  "
            f"{verdict(gap <= 0.15)}"
        )
        print(f"  cluster start-up (2 workers up, package imported)  {startup:5.1f} s")
        print(f"  runs per minute once running     {per_min['d_running']:8.1f}")
        print(
            f"  difference once running          {100 * gap_running:8.1f} %  target <= 15 %  "
            f"{verdict(gap_running <= 0.15)}"
        )
        tiny = tmp / "tiny.toml"
        tiny.write_text(TINY)
        rss = {}
        for n in (small, large):
            b = write_batch(tmp, f"memory{n}", tiny, n, 3)
            rss[n] = run_parent(b, tmp / f"m{n}", 2, "pool")["rss_mb"]
        growth = rss[large] / rss[small]
        print("\n[3] parent process peak memory (tiny world, 3 years, 2 workers)")
        print(f"  {small:5d} runs                     {rss[small]:8.0f} MB")
        print(f"  {large:5d} runs                     {rss[large]:8.0f} MB")
        print(
            f"  ratio                            {growth:8.2f}x  target flat (<= 1.2x) "
            f"{verdict(growth <= 1.2)}"
        )
    print(f"\n  load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"  benchmark took {time.perf_counter() - start:.0f} s")
