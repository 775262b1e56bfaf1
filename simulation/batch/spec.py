"""Batch files: a base scenario, replicates from one root seed, and a design over parameters.

A batch file is TOML::

    [batch]
    name = "growth_sweep"
    description = "..."               # optional
    base_scenario = "../baseline.toml" # relative to the batch file
    replicates = 5
    root_seed = 20240601
    years = 10                         # optional; default: the base scenario's [run] years
    design = "grid"                    # replicates | grid | latin_hypercube | sobol | morris
    samples = 64                       # latin_hypercube, sobol, morris only
    levels = 4                         # morris only (default 4)
    second_order = false               # sobol only (default false)

    [grid]                             # design = "grid": dotted key -> list of values
    "growth.target_schools_per_year" = [0.5, 1.0, 2.0]

    [ranges]                           # latin_hypercube / sobol / morris: dotted key -> [lo, hi]
    "growth.radius_km" = [10.0, 60.0]

    [choices]                          # latin_hypercube only: dotted key -> [level, ...]
    "operating_model.preset" = ["aligned", "autonomous"]

A key is ``section.name`` or, for a trust the base scenario names,
``trusts.named.<name>.<field>`` (see :mod:`simulation.batch.named`).

Every problem raises :class:`simulation.scenario.ScenarioError` with one line naming the file,
the key and what is allowed, exactly like scenario files.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..parameters import Params, RunParams
from ..parameters.base import brief, brief_key
from ..scenario import Scenario, ScenarioError, _read_toml, deep_merge, load_scenario
from ..scenario import params_from_mapping as _params_from_mapping
from .named import (
    check_named_key,
    is_named_key,
    named_field_type,
    named_value,
    nest_named,
)

DESIGNS = ("replicates", "grid", "latin_hypercube", "sobol", "morris")
SAMPLED = ("latin_hypercube", "sobol", "morris")
BATCH_KEYS = (
    "name",
    "description",
    "base_scenario",
    "replicates",
    "root_seed",
    "years",
    "design",
    "samples",
    "levels",
    "second_order",
)
TABLES = ("batch", "grid", "ranges", "choices")
MAX_REPLICATES = 100_000
# Sections a batch may not vary: [run] is set by the batch itself (seeds, years).
FIXED_SECTIONS = ("run",)


@dataclass(frozen=True)
class BatchSpec:
    """A validated batch file."""

    name: str
    description: str
    path: Path
    base: Scenario
    replicates: int
    root_seed: int
    years: int
    design: str
    samples: int | None = None
    levels: int = 4
    second_order: bool = False
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    choices: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def base_sections(self) -> dict[str, Any]:
        """The base scenario's raw parameter sections (its ``extends`` chain merged)."""
        return {k: v for k, v in self.base.raw.items() if k != "scenario"}

    @property
    def varied(self) -> tuple[str, ...]:
        """The dotted parameter keys this batch varies, in file order."""
        return tuple(self.grid) if self.grid else (*self.ranges, *self.choices)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able description (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "path": str(self.path),
            "base_scenario": str(self.base.path),
            "base_scenario_name": self.base.name,
            "replicates": self.replicates,
            "root_seed": self.root_seed,
            "years": self.years,
            "design": self.design,
            "samples": self.samples,
            "levels": self.levels,
            "second_order": self.second_order,
            "grid": {k: list(v) for k, v in self.grid.items()},
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "base_parameters": self.base.params.to_dict(),
            # only when used, so batches without choices keep their fingerprint (resume)
            **({"choices": {k: list(v) for k, v in self.choices.items()}} if self.choices else {}),
        }


def nested(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``{"growth.radius_km": 30}`` -> ``{"growth": {"radius_km": 30}}``."""
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if is_named_key(key):
            nest_named(out, key, value)
            continue
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = value
    return out


def build_params(base_sections: Mapping[str, Any], overrides: Mapping[str, Any], source: str):
    """The base scenario's sections with ``overrides`` (dotted keys) applied, validated."""
    return _params_from_mapping(deep_merge(base_sections, nested(overrides)), source)


def resolved_value(params: Params, key: str) -> Any:
    """The value of dotted ``key`` in ``params`` (coerced: TOML ints become floats etc.)."""
    if is_named_key(key):
        return named_value(params, key)
    section, name = key.split(".", 1)
    return getattr(getattr(params, section), name)


def field_type(key: str) -> Any:
    """The annotated type of dotted parameter ``key``; assumes it was checked."""
    if is_named_key(key):
        return named_field_type(key)
    section, name = key.split(".", 1)
    return typing.get_type_hints(Params.sections()[section])[name]


def _fail(path: Path, key: str, message: str) -> typing.NoReturn:
    raise ScenarioError(f"{path}: {key}: {message}")


def _check_param_key(
    path: Path, table: str, key: str, numeric: bool, base_sections: Mapping[str, Any]
) -> None:
    """``key`` must be ``section.field`` of a scalar parameter (numeric for ranges), or a named
    trust's field (``trusts.named.<name>.<field>``, a trust ``base_sections`` names)."""
    where = f'{table}."{brief_key(key)}"'
    if is_named_key(key):
        problem = check_named_key(key, numeric, base_sections)
        if problem:
            _fail(path, where, problem)
        return
    sections = Params.sections()
    varying = [s for s in sections if s not in FIXED_SECTIONS]
    section, dot, name = key.partition(".")
    if not dot or section not in sections:
        _fail(
            path,
            where,
            f"unknown parameter; use 'section.name' with section one of "
            f"{', '.join(varying)} (see 'matsim params')",
        )
    if section in FIXED_SECTIONS:
        _fail(
            path,
            where,
            "[run] is set by the batch ([batch] years, root_seed); "
            f"vary one of {', '.join(varying)}",
        )
    hints = typing.get_type_hints(sections[section])
    if name not in hints or name not in {f.name for f in dataclasses.fields(sections[section])}:
        names = [f.name for f in dataclasses.fields(sections[section])]
        _fail(path, where, f"unknown parameter; valid names in [{section}]: {', '.join(names)}")
    tp = hints[name]
    if typing.get_origin(tp) is tuple:
        _fail(path, where, "list parameters cannot be varied by a batch; use separate scenarios")
    if numeric and tp not in (int, float):
        _fail(
            path,
            where,
            "only numeric parameters can take a range; use design = 'grid' "
            "or [choices] for choices and true/false",
        )


def _integer(path: Path, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, key, f"must be an integer from {lo} to {hi}, got {brief(value)}")
    if not lo <= value <= hi:
        _fail(path, key, f"{brief(value)} is out of range; allowed {lo} to {hi}")
    return value


def _validate_value(spec_path: Path, base: Mapping[str, Any], key: str, value: Any, where: str):
    """Build Params with ``key = value`` so the parameter's own range and type apply."""
    try:
        params = build_params(base, {key: value}, str(spec_path))
    except ScenarioError as err:
        reason = str(err).removeprefix(f"{spec_path}: ")
        _fail(spec_path, where, f"{brief(value)} not allowed: {reason}")
    return resolved_value(params, key)


def load_batch(path: str | Path) -> BatchSpec:
    """Read and validate a batch file (and its base scenario); raises ScenarioError."""
    path = Path(path)
    data = _read_toml(path)
    for key, value in data.items():
        if key not in TABLES:
            _fail(path, brief_key(key), f"unknown table; valid tables: {', '.join(TABLES)}")
        if not isinstance(value, Mapping):
            _fail(path, key, f"must be a table ([{key}]), got {brief(value)}")
    batch = data.get("batch")
    if batch is None:
        _fail(path, "batch", f"missing [batch] table with keys {', '.join(BATCH_KEYS)}")
    for key in batch:
        if key not in BATCH_KEYS:
            _fail(
                path, f"batch.{brief_key(key)}", f"unknown key; valid keys: {', '.join(BATCH_KEYS)}"
            )
    for key in ("name", "base_scenario", "replicates", "root_seed", "design"):
        if key not in batch:
            _fail(path, f"batch.{key}", "required key is missing")
    for key in ("name", "description", "base_scenario", "design"):
        if key in batch and not isinstance(batch[key], str):
            _fail(path, f"batch.{key}", f"must be a string, got {brief(batch[key])}")
    if not batch["name"].strip():
        _fail(path, "batch.name", "must not be empty")
    design = batch["design"]
    if design not in DESIGNS:
        _fail(
            path,
            "batch.design",
            f"{brief(design)} is not allowed; choose one of {', '.join(DESIGNS)}",
        )
    base_path = (path.parent / batch["base_scenario"]).resolve()
    if base_path.is_dir():
        _fail(
            path,
            "batch.base_scenario",
            f"{brief(batch['base_scenario'])} is a directory, expected a .toml scenario file "
            "(paths are relative to the batch file)",
        )
    if not base_path.is_file():
        _fail(
            path,
            "batch.base_scenario",
            f"file not found: {brief(batch['base_scenario'])} "
            "(paths are relative to the batch file)",
        )
    base = load_scenario(base_path)  # its own errors name the base file
    replicates = _integer(path, "batch.replicates", batch["replicates"], 1, MAX_REPLICATES)
    root_seed = _integer(path, "batch.root_seed", batch["root_seed"], 0, 2**63 - 1)
    years_meta = RunParams.__dataclass_fields__["years"].metadata
    years = batch.get("years", base.params.run.years)
    years = _integer(path, "batch.years", years, years_meta["lo"], years_meta["hi"])

    samples = batch.get("samples")
    if design in SAMPLED:
        if samples is None:
            _fail(path, "batch.samples", f"required for design = {design!r}")
        samples = _integer(path, "batch.samples", samples, 1, 10_000_000)
        if design == "sobol" and samples & (samples - 1):
            _fail(
                path,
                "batch.samples",
                f"{samples} is not allowed; sobol needs a power of 2 (e.g. 64, 128, 256)",
            )
    elif samples is not None:
        _fail(path, "batch.samples", f"only used with design = {', '.join(SAMPLED)}")
    levels = 4
    if "levels" in batch:
        if design != "morris":
            _fail(path, "batch.levels", "only used with design = 'morris'")
        levels = _integer(path, "batch.levels", batch["levels"], 2, 100)
    second_order = False
    if "second_order" in batch:
        if design != "sobol":
            _fail(path, "batch.second_order", "only used with design = 'sobol'")
        second_order = batch["second_order"]
        if not isinstance(second_order, bool):
            _fail(path, "batch.second_order", f"must be true or false, got {brief(second_order)}")

    sections = {k: v for k, v in base.raw.items() if k != "scenario"}
    grid = _load_grid(path, data, design, sections)
    ranges = _load_ranges(path, data, design, sections)
    choices = _load_choices(path, data, design, sections, ranges)
    return BatchSpec(
        name=batch["name"],
        description=batch.get("description", ""),
        path=path,
        base=base,
        replicates=replicates,
        root_seed=root_seed,
        years=years,
        design=design,
        samples=samples,
        levels=levels,
        second_order=second_order,
        grid=grid,
        ranges=ranges,
        choices=choices,
    )


def _load_grid(path: Path, data: Mapping[str, Any], design: str, sections: Mapping[str, Any]):
    raw = data.get("grid")
    if design != "grid":
        if raw is not None:
            _fail(path, "grid", "only used with design = 'grid'")
        return {}
    if not raw:
        _fail(
            path, "grid", "design = 'grid' needs a [grid] table of \"section.name\" = [values, ...]"
        )
    grid: dict[str, tuple[Any, ...]] = {}
    for key, values in raw.items():
        grid[key] = _levels(path, "grid", key, values, sections, at_least=1)
    return grid


def _levels(
    path: Path, table: str, key: str, values: Any, sections: Mapping[str, Any], at_least: int
) -> tuple[Any, ...]:
    """The distinct values one parameter takes in ``[grid]`` or ``[choices]``, each checked
    as the parameter would check it; long values and keys are shortened in errors."""
    if isinstance(values, Mapping):  # an unquoted dotted key: growth.radius_km = [...]
        _fail(
            path, f"{table}.{brief_key(key)}", 'quote dotted keys: "section.name" = [values, ...]'
        )
    _check_param_key(path, table, key, numeric=False, base_sections=sections)
    where = f'{table}."{key}"'
    wanted = (
        "a non-empty list of values" if at_least == 1 else f"a list of at least {at_least} values"
    )
    if not isinstance(values, list) or len(values) < at_least:
        _fail(path, where, f"must be {wanted}, got {brief(values)}")
    if len(set(map(repr, values))) != len(values):  # before building Params per value
        _fail(path, where, f"values must be distinct, got {brief(values)}")
    resolved = [
        _validate_value(path, sections, key, v, f"{where}[{i}]") for i, v in enumerate(values)
    ]
    if len(set(map(repr, resolved))) != len(resolved):  # e.g. 1 and 1.0 for a number
        _fail(path, where, f"values must be distinct, got {brief(values)}")
    return tuple(resolved)


def _load_ranges(path: Path, data: Mapping[str, Any], design: str, sections: Mapping[str, Any]):
    raw = data.get("ranges")
    if design not in SAMPLED:
        if raw is not None:
            _fail(path, "ranges", f"only used with design = {', '.join(SAMPLED)}")
        return {}
    if not raw:
        _fail(
            path,
            "ranges",
            f'design = {design!r} needs a [ranges] table of "section.name" = [lo, hi]',
        )
    ranges: dict[str, tuple[float, float]] = {}
    for key, bounds in raw.items():
        if isinstance(bounds, Mapping):
            _fail(path, f"ranges.{brief_key(key)}", 'quote dotted keys: "section.name" = [lo, hi]')
        _check_param_key(path, "ranges", key, numeric=True, base_sections=sections)
        where = f'ranges."{key}"'
        ok = (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
            and all(math.isfinite(b) for b in bounds)
        )
        if not ok:
            _fail(path, where, f"must be [lo, hi] with two finite numbers, got {brief(bounds)}")
        lo, hi = float(bounds[0]), float(bounds[1])
        if not lo < hi:
            _fail(path, where, f"lo must be below hi, got {brief(bounds)}")
        tp = field_type(key)
        for i, b in enumerate((lo, hi)):
            _validate_value(path, sections, key, int(round(b)) if tp is int else b, f"{where}[{i}]")
        ranges[key] = (lo, hi)
    return ranges


def _load_choices(
    path: Path,
    data: Mapping[str, Any],
    design: str,
    sections: Mapping[str, Any],
    ranges: Mapping[str, Any],
) -> dict[str, tuple[Any, ...]]:
    """``[choices]``: categorical levels sampled alongside a Latin hypercube's ranges.

    Only a Latin hypercube takes them: Sobol and Morris analyses need numbers, and a grid
    lists its values in ``[grid]`` already.
    """
    raw = data.get("choices")
    if raw is None:
        return {}
    if design != "latin_hypercube":
        _fail(
            path,
            "choices",
            "only used with design = 'latin_hypercube' (a grid lists its values in [grid])",
        )
    choices: dict[str, tuple[Any, ...]] = {}
    for key, values in raw.items():
        if key in ranges:
            _fail(
                path,
                f'choices."{brief_key(key)}"',
                "already varied in [ranges]; give each parameter one table",
            )
        choices[key] = _levels(path, "choices", key, values, sections, at_least=2)
    return choices
