"""Scenario batches: replicates, grids, Latin hypercubes and Sobol/Morris designs, run through
one Executor seam (:mod:`simulation.executors`), resumable, each worker writing its own tables.

``load_batch`` reads a batch file, ``run_batch`` runs or resumes it, ``collect_batch`` combines
a batch directory's tables; ``register_batch_commands`` adds ``batch`` and ``collect`` to the
``matsim`` command line.
"""

import importlib
from typing import Any

# public name -> submodule; imported on first use, so `matsim batch --help` and the lock
# refusal do not load pandas or the model
_EXPORTS = {
    "collect_batch": "collect",
    "read_manifest": "collect",
    "write_combined": "collect",
    "cmd_batch": "commands",
    "cmd_collect": "commands",
    "register_batch_commands": "commands",
    "Point": "design",
    "Run": "design",
    "design_points": "design",
    "plan_runs": "design",
    "replicate_seeds": "design",
    "salib_problem": "design",
    "sample_matrix": "design",
    "BatchOutcome": "runner",
    "default_out": "runner",
    "execute_run": "runner",
    "run_batch": "runner",
    "DESIGNS": "spec",
    "BatchSpec": "spec",
    "load_batch": "spec",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation.batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
