"""Scenario batches: replicates, grids, Latin hypercubes and Sobol/Morris designs, run through
one Executor seam (:mod:`simulation.executors`), resumable, each worker writing its own tables.

``load_batch`` reads a batch file, ``run_batch`` runs or resumes it, ``collect_batch`` combines
a batch directory's tables; ``register_batch_commands`` adds ``batch`` and ``collect`` to the
``matsim`` command line.
"""

from .collect import collect_batch, read_manifest, write_combined
from .commands import cmd_batch, cmd_collect, register_batch_commands
from .design import (
    Point,
    Run,
    design_points,
    plan_runs,
    replicate_seeds,
    salib_problem,
    sample_matrix,
)
from .runner import BatchOutcome, default_out, execute_run, run_batch
from .spec import DESIGNS, BatchSpec, load_batch

__all__ = [
    "DESIGNS",
    "BatchOutcome",
    "BatchSpec",
    "Point",
    "Run",
    "cmd_batch",
    "cmd_collect",
    "collect_batch",
    "default_out",
    "design_points",
    "execute_run",
    "load_batch",
    "plan_runs",
    "read_manifest",
    "register_batch_commands",
    "replicate_seeds",
    "run_batch",
    "salib_problem",
    "sample_matrix",
    "write_combined",
]
