"""Scenario files: TOML that changes only what differs from the defaults or a parent scenario.

A scenario file has a ``[scenario]`` table (``name``, ``description`` and optionally
``extends = "other.toml"``, resolved relative to the file) and any parameter sections of
:class:`simulation.parameters.Params`. Child values override the parent's key by key; lists
(e.g. ``[[trusts.named]]``) replace the parent's list whole.

Every problem is raised as a :class:`ScenarioError` whose text is one line naming the file, the
key and what is allowed, so the CLI can print it and exit 2.
"""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .parameters import ParamError, Params

SCENARIO_KEYS = ("name", "description", "extends")
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


class ScenarioError(ValueError):
    """A scenario file cannot be used; the message is one line: file, key, what is allowed."""


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: its identity, its source file and the full parameter set."""

    name: str
    description: str
    path: Path | None
    params: Params
    raw: Mapping[str, Any]

    def with_params(self, params: Params) -> Scenario:
        return Scenario(self.name, self.description, self.path, params, self.raw)


def _named_tables(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, Mapping) and isinstance(v.get("name"), str) for v in value
    )


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: tables merge key by key; arrays of tables
    with a ``name`` (``[[trusts.named]]``) merge entry by entry on the name, new names being
    appended; other values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        elif _named_tables(value) and _named_tables(out.get(key)):
            merged = {entry["name"]: entry for entry in out[key]}
            for entry in value:
                old = merged.get(entry["name"], {})
                merged[entry["name"]] = deep_merge(old, entry)
            out[key] = list(merged.values())
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ScenarioError(f"{path}: file not found")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a directory, expected a .toml scenario file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: malformed TOML: {err}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file") from None


def _resolve_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read ``path`` and the scenarios it extends, returning the merged raw mapping."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: scenario.extends: extends itself ({cycle})")
    data = _read_toml(path)
    meta = data.get("scenario", {})
    if not isinstance(meta, Mapping):
        raise ScenarioError(
            f"{path}: scenario: must be a table with keys {', '.join(SCENARIO_KEYS)}"
        )
    for key in meta:
        if key not in SCENARIO_KEYS:
            raise ScenarioError(
                f"{path}: scenario.{key}: unknown key; valid keys: {', '.join(SCENARIO_KEYS)}"
            )
    for key in ("name", "description", "extends"):
        if key in meta and not isinstance(meta[key], str):
            raise ScenarioError(f"{path}: scenario.{key}: must be a string, got {meta[key]!r}")
    valid = (*(f.name for f in dataclasses.fields(Params)), "scenario")
    for key, value in data.items():
        if key not in valid:
            raise ScenarioError(
                f"{path}: {key}: unknown section; valid sections: {', '.join(valid)}"
            )
        if key != "scenario" and not isinstance(value, Mapping):
            raise ScenarioError(f"{path}: {key}: must be a table ([{key}]), got {value!r}")
    if "extends" in meta:
        parent_path = (path.parent / meta["extends"]).resolve()
        if not parent_path.exists():
            raise ScenarioError(f"{path}: scenario.extends: file not found: {meta['extends']}")
        parent = _resolve_raw(parent_path, (*chain, path))
        parent_meta = parent.get("scenario", {})
        data = deep_merge(parent, data)
        data["scenario"] = {**parent_meta, **meta}
    return data


NAMED_OVERRIDES = ("growth", "operating_model", "review")


def _apply_named_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Named trusts' ``growth``, ``operating_model`` and ``review`` tables override the
    scenario's sections of the same name key by key."""
    trusts = raw.get("trusts")
    if not isinstance(trusts, Mapping) or not isinstance(trusts.get("named"), list):
        return raw
    named = []
    for entry in trusts["named"]:
        if isinstance(entry, Mapping):
            for section in NAMED_OVERRIDES:
                if isinstance(entry.get(section), Mapping):
                    base = raw.get(section, {}) if isinstance(raw.get(section), Mapping) else {}
                    entry = {**entry, section: deep_merge(base, entry[section])}
        named.append(entry)
    return {**raw, "trusts": {**trusts, "named": named}}


def params_from_mapping(raw: Mapping[str, Any], source: str) -> Params:
    """Build :class:`Params` from raw sections, converting errors to a one-line ScenarioError."""
    sections = {k: v for k, v in raw.items() if k != "scenario"}
    try:
        return Params.from_mapping(_apply_named_defaults(sections), prefix="")
    except ParamError as err:
        raise ScenarioError(f"{source}: {err.key}: {err.message}") from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (and what it extends) into a :class:`Scenario`."""
    path = Path(path)
    raw = _resolve_raw(path)
    params = params_from_mapping(raw, str(path))
    meta = raw.get("scenario", {})
    return Scenario(
        name=meta.get("name", path.stem),
        description=meta.get("description", ""),
        path=path,
        params=params,
        raw=raw,
    )


def find_scenario(name_or_path: str | Path) -> Path:
    """Accept a path, or the bare name of a shipped scenario (``baseline``)."""
    path = Path(name_or_path)
    if path.exists() or path.suffix == ".toml" or len(path.parts) > 1:
        return path
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    return shipped if shipped.exists() else path


def shipped_scenarios(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    """The scenarios shipped in ``scenarios/``, sorted by file name."""
    return [load_scenario(p) for p in sorted(directory.glob("*.toml"))]
