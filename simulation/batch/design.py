"""Design points and runs of a batch: which parameter values, which seeds.

Seeds come from ``numpy.random.SeedSequence(root_seed).spawn(replicates)``; every design point
uses the same replicate seeds (common random numbers), so differences between points are not
blurred by different random draws. Spawned seeds are stable as ``replicates`` grows: the first
``n`` seeds of 20 replicates are the seeds of 10.

Sampled designs use ``root_seed`` for the sampler too, so one root seed fixes the whole batch.
Integer parameters sampled from a range are rounded to the nearest integer. A Latin hypercube's
``[choices]`` (categorical levels) come from a second Latin hypercube on the child stream
``[root_seed, CHOICE_STREAM]``: every level is drawn equally often (to within one), and adding
choices leaves the numeric sample exactly as the same batch without them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..parameters.base import brief
from ..scenario import ScenarioError
from .spec import BatchSpec, build_params, field_type, resolved_value

CHOICE_STREAM = 1  # the child seed [root_seed, 1] draws [choices]; the ranges use root_seed


@dataclass(frozen=True)
class Point:
    """One design point: an id and the parameter overrides (dotted keys)."""

    point_id: str
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Run:
    """One run: a design point under one replicate seed."""

    run_id: str
    point_id: str
    replicate: int
    seed: int


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Integer seeds for replicates ``0..replicates-1`` from one root seed."""
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [int(child.generate_state(1)[0]) for child in children]


def salib_problem(spec: BatchSpec) -> dict[str, Any]:
    """The SALib problem definition of a ranges design (names in file order)."""
    names = list(spec.ranges)
    return {"num_vars": len(names), "names": names, "bounds": [list(spec.ranges[n]) for n in names]}


def sample_matrix(spec: BatchSpec) -> np.ndarray:
    """The unrounded sample matrix (rows = points, columns = ``spec.ranges`` keys).

    This is the ``X`` a SALib analysis (``sobol.analyze``/``morris.analyze``) expects, in point
    order; the outcome ``Y`` must be in the same row order.
    """
    problem = salib_problem(spec)
    if spec.design == "latin_hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(spec.root_seed))
        bounds = np.array(problem["bounds"])
        return qmc.scale(unit.random(spec.samples), bounds[:, 0], bounds[:, 1])
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, spec.samples, calc_second_order=spec.second_order, seed=spec.root_seed
        )
    if spec.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.root_seed)
    raise ValueError(f"design {spec.design!r} has no sample matrix")


def _raw_points(spec: BatchSpec) -> list[dict[str, Any]]:
    if spec.design == "replicates":
        return [{}]
    if spec.design == "grid":
        keys = list(spec.grid)
        return [
            dict(zip(keys, combo, strict=True)) for combo in itertools.product(*spec.grid.values())
        ]
    keys = list(spec.ranges)
    points = []
    for row in sample_matrix(spec):
        point = {}
        for key, value in zip(keys, row, strict=True):
            point[key] = int(round(float(value))) if field_type(key) is int else float(value)
        points.append(point)
    for key, levels in choice_levels(spec).items():
        for point, level in zip(points, levels, strict=True):
            point[key] = level
    return points


def choice_levels(spec: BatchSpec) -> dict[str, list[Any]]:
    """Each ``[choices]`` key's level at every design point (Latin hypercube designs only).

    A Latin hypercube of one column per choice, cut into as many equal intervals as there are
    levels, so each level is drawn ``samples / levels`` times (to within one) and the pairing
    with the numeric ranges is random.
    """
    if not spec.choices:
        return {}
    from scipy.stats import qmc

    rng = np.random.default_rng([spec.root_seed, CHOICE_STREAM])
    unit = qmc.LatinHypercube(d=len(spec.choices), rng=rng).random(spec.samples)
    out = {}
    for j, (key, levels) in enumerate(spec.choices.items()):
        index = np.minimum((unit[:, j] * len(levels)).astype(int), len(levels) - 1)
        out[key] = [levels[i] for i in index]
    return out


def design_points(spec: BatchSpec) -> list[Point]:
    """Every design point, each checked by building its parameters.

    A combination that is invalid as a whole (e.g. phase shares summing past 1) is a
    ScenarioError naming the point, before anything runs.
    """
    raw = _raw_points(spec)
    width = max(4, len(str(len(raw) - 1)))
    points = []
    for i, overrides in enumerate(raw):
        point_id = f"p{i:0{width}d}"
        try:
            params = build_params(spec.base_sections, overrides, str(spec.path))
        except ScenarioError as err:
            shown = ", ".join(f"{k}={brief(v)}" for k, v in overrides.items())
            reason = str(err).removeprefix(f"{spec.path}: ")
            table = "grid" if spec.design == "grid" else "ranges"
            raise ScenarioError(
                f"{spec.path}: {table}: design point {point_id} ({shown}) is not allowed: {reason}"
            ) from None
        points.append(Point(point_id, {k: resolved_value(params, k) for k in overrides}))
    return points


def plan_runs(spec: BatchSpec, points: list[Point]) -> list[Run]:
    """Runs in a fixed order: point by point, replicate by replicate."""
    seeds = replicate_seeds(spec.root_seed, spec.replicates)
    width = max(3, len(str(spec.replicates - 1)))
    return [
        Run(f"{p.point_id}-r{r:0{width}d}", p.point_id, r, seed)
        for p in points
        for r, seed in enumerate(seeds)
    ]
