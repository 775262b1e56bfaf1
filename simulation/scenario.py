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
from .parameters.base import brief, brief_key

SCENARIO_KEYS = ("name", "description", "extends")
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
# Tables and arrays inside one another: a scenario needs 4 (trusts.named[0].growth), a batch 3.
MAX_NESTING = 8
BOMS = {
    b"\xef\xbb\xbf": "a UTF-8 byte-order mark (BOM), which TOML does not allow",
    b"\xff\xfe": "a UTF-16 byte-order mark: the file is UTF-16, TOML must be UTF-8",
    b"\xfe\xff": "a UTF-16 byte-order mark: the file is UTF-16, TOML must be UTF-8",
}


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
    """Parse a TOML file; every way it can fail is one ScenarioError line naming the file."""
    if not path.exists():
        raise ScenarioError(f"{path}: file not found")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a directory, expected a .toml file")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{path}: cannot be read: {err.strerror or err}") from None
    for bom, what in BOMS.items():
        if raw.startswith(bom):
            raise ScenarioError(
                f"{path}: line 1: starts with {what}; save it as UTF-8 without a BOM "
                "(most editors offer 'UTF-8' next to 'UTF-8 with BOM')"
            )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ScenarioError(f"{path}: line {line}: not UTF-8 text (TOML files are UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ScenarioError(
            f"{path}: {_deepest_line(text)}: arrays or inline tables nested too deeply; "
            f"allowed at most {MAX_NESTING} levels"
        ) from None
    except ValueError as err:  # TOMLDecodeError, or an integer of thousands of digits
        reason = brief_key(str(err).splitlines()[0], 120)
        raise ScenarioError(f"{path}: malformed TOML: {reason}") from None
    check_nesting(data, path)
    return data


def _deepest_line(text: str) -> str:
    """``line N (key)`` of the first line opening more brackets than allowed (a best guess:
    brackets inside strings count too), for a file too deeply nested for the TOML parser."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count("[") + line.count("{") > MAX_NESTING:
            key = line.partition("=")[0].strip() if "=" in line else ""
            return f"line {number} ({brief_key(key, 40)})" if key else f"line {number}"
    return "nesting"


def check_nesting(data: Mapping[str, Any], path: Path, limit: int = MAX_NESTING) -> None:
    """Refuse tables and arrays nested more than ``limit`` deep, naming the first such key.

    Iterative, so a file nested thousands deep is refused in one line instead of exhausting
    Python's recursion limit in the merging and checking that follow.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if isinstance(value, Mapping):
            children = [(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()]
        elif isinstance(value, list):
            children = [(v, f"{key}[{i}]") for i, v in enumerate(value)]
        else:
            continue
        if depth > limit:
            raise ScenarioError(
                f"{path}: {brief_key(key)}: nested more than {limit} tables or arrays deep; "
                f"allowed at most {limit} (a scenario needs 4, as in trusts.named[0].growth)"
            )
        stack.extend((v, k, depth + 1) for v, k in children)


def _named_entries(data: Mapping[str, Any]) -> list[Any] | None:
    trusts = data.get("trusts")
    if isinstance(trusts, Mapping) and isinstance(trusts.get("named"), list):
        return trusts["named"]
    return None


def _check_named_in_file(path: Path, data: Mapping[str, Any], parent: Mapping[str, Any]) -> None:
    """Within one file: named trusts have distinct names, and when the scenario it extends
    has named trusts, every entry names the trust it changes or adds (an entry without a name
    would otherwise replace the inherited trusts wholesale and drop their settings)."""
    entries = _named_entries(data)
    if not entries:
        return
    inherited = [e.get("name") for e in _named_entries(parent) or [] if isinstance(e, Mapping)]
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue  # the parameter check names the type error
        name = entry.get("name")
        if name is None and inherited:
            shown = ", ".join(brief(n) for n in inherited[:5])
            raise ScenarioError(
                f"{path}: trusts.named[{i}].name: required because the scenario it extends "
                f"has named trusts ({shown}); repeat a name to change that trust, or give a "
                "new name to add one"
            )
        if isinstance(name, str):
            if name in seen:
                raise ScenarioError(
                    f"{path}: trusts.named[{i}].name: {brief(name)} is already the name of "
                    f"trusts.named[{seen[name]}] in this file; each named trust needs its own name"
                )
            seen[name] = i


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
                f"{path}: scenario.{brief_key(key)}: unknown key; "
                f"valid keys: {', '.join(SCENARIO_KEYS)}"
            )
    for key in ("name", "description", "extends"):
        if key in meta and not isinstance(meta[key], str):
            raise ScenarioError(f"{path}: scenario.{key}: must be a string, got {brief(meta[key])}")
    valid = (*(f.name for f in dataclasses.fields(Params)), "scenario")
    for key, value in data.items():
        if key not in valid:
            raise ScenarioError(
                f"{path}: {brief_key(key)}: unknown section; valid sections: {', '.join(valid)}"
            )
        if key != "scenario" and not isinstance(value, Mapping):
            raise ScenarioError(f"{path}: {key}: must be a table ([{key}]), got {brief(value)}")
    if "extends" in meta:
        parent_path = (path.parent / meta["extends"]).resolve()
        shown = brief(meta["extends"])
        if not parent_path.exists():
            raise ScenarioError(f"{path}: scenario.extends: file not found: {shown}")
        if not parent_path.is_file():
            raise ScenarioError(
                f"{path}: scenario.extends: {shown} is a directory, expected a .toml scenario "
                "file (paths are relative to this file)"
            )
        parent = _resolve_raw(parent_path, (*chain, path))
        _check_named_in_file(path, data, parent)
        parent_meta = parent.get("scenario", {})
        data = deep_merge(parent, data)
        data["scenario"] = {**parent_meta, **meta}
    else:
        _check_named_in_file(path, data, {})
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
