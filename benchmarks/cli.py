"""How long the command line takes as a whole process: ``matsim --help``, ``matsim check``.

Prints figures; never fails. Each command runs ``--repeats`` times in a fresh interpreter (the
first run also warms the disk cache and is reported apart) and the median and range of the
rest are shown. Which modules each command imports is a test (``tests/test_lazy_imports.py``);
how long that takes depends on the machine, so it is measured here.

    uv run python benchmarks/cli.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATSIM = [sys.executable, "-m", "simulation.cli"]

CASES = {
    "matsim --help": [*MATSIM, "--help"],
    "matsim check baseline": [*MATSIM, "check", "baseline"],
    "matsim check (a bad file)": [*MATSIM, "check", str(ROOT / "benchmarks" / "cli.py")],
    "matsim run --help": [*MATSIM, "run", "--help"],
    "matsim batch --help": [*MATSIM, "batch", "--help"],
    "python -c 'import simulation'": [sys.executable, "-c", "import simulation"],
    "python -c 'from simulation import run_simulation'": [
        sys.executable,
        "-c",
        "from simulation import run_simulation",
    ],
    "python -c pass (interpreter alone)": [sys.executable, "-c", "pass"],
}


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per command (default 7)")
    args = parser.parse_args()
    width = max(map(len, CASES))
    print(f"{'command':<{width}}  first    median   (min - max of {args.repeats - 1}), seconds")
    for label, argv in CASES.items():
        first = timed(argv)
        rest = [timed(argv) for _ in range(max(1, args.repeats - 1))]
        print(
            f"{label:<{width}}  {first:5.2f}    {statistics.median(rest):5.2f}    "
            f"({min(rest):.2f} - {max(rest):.2f})"
        )


if __name__ == "__main__":
    main()
