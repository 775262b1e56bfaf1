"""Batch keys that reach into one named trust: ``trusts.named.<name>.<field>``.

A question about one trust ("when does fast growth break Oak Trust?") needs that trust's own
growth strategy, operating model or starting mix varied while the rest of the world stays put.
Scenario files already merge ``[[trusts.named]]`` entries by ``name``, so a batch key names the
trust the same way::

    "trusts.named.Oak Trust.n_schools"                  # a NamedTrust field
    "trusts.named.Oak Trust.weak_schools"
    "trusts.named.Oak Trust.growth.radius_km"           # its [growth] override
    "trusts.named.Oak Trust.operating_model.preset"     # its [operating_model] override
    "trusts.named.Oak Trust.review.policy"              # its [review] override

The trust must be named in the batch's base scenario. Values are checked by building the
parameters, exactly like ``section.name`` keys.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

from ..parameters import NamedTrust, Params
from ..scenario import NAMED_OVERRIDES

NAMED_PREFIX = "trusts.named."


def is_named_key(key: str) -> bool:
    """Whether ``key`` addresses a named trust rather than a ``section.name`` parameter."""
    return key.startswith(NAMED_PREFIX)


def split_named_key(key: str) -> tuple[str, str | None, str]:
    """``(trust name, override section or None, field)`` of a named-trust key.

    Parsed from the right so a trust name may itself hold dots: ``<name>.<section>.<field>``
    when the second-last part is an override section, else ``<name>.<field>``.
    """
    rest = key.removeprefix(NAMED_PREFIX)
    parts = rest.rsplit(".", 2)
    if len(parts) == 3 and parts[1] in NAMED_OVERRIDES:
        return parts[0], parts[1], parts[2]
    name, _, field = rest.rpartition(".")
    return name, None, field


def base_trust_names(sections: Mapping[str, Any]) -> list[str]:
    """The names of the trusts a base scenario's raw sections place by name."""
    named = sections.get("trusts", {}).get("named", [])
    return [entry["name"] for entry in named if isinstance(entry, Mapping) and "name" in entry]


def _unwrap(tp: Any) -> Any:
    """``int | None`` -> ``int``: an unset lever is still a scalar of that type."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    return args[0] if typing.get_origin(tp) in (typing.Union, types.UnionType) and args else tp


def _scalar_fields(cls: type) -> dict[str, Any]:
    """Fields of ``cls`` a batch can set to one value (not the name, tables or lists)."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: _unwrap(hints[f.name])
        for f in dataclasses.fields(cls)
        if f.name != "name" and _unwrap(hints[f.name]) in (int, float, str, bool)
    }


def valid_named_fields() -> list[str]:
    """What may follow the trust's name, for error messages."""
    return [*_scalar_fields(NamedTrust), *(f"{s}.<name>" for s in NAMED_OVERRIDES)]


def check_named_key(key: str, numeric: bool, sections: Mapping[str, Any]) -> str | None:
    """Why ``key`` cannot be varied (one line, without file and key), or None if it can."""
    names = base_trust_names(sections)
    name, section, field = split_named_key(key)
    if name not in names:
        known = ", ".join(repr(n) for n in names) or "none"
        return (
            f"unknown trust {name!r}; trusts named in the base scenario: {known} "
            "(use 'trusts.named.<name>.<field>')"
        )
    cls = NamedTrust if section is None else Params.sections()[section]
    fields = _scalar_fields(cls)
    if field not in fields:
        valid = valid_named_fields() if section is None else list(fields)
        scope = "a named trust" if section is None else f"a named trust's [{section}]"
        return f"unknown parameter; valid names for {scope}: {', '.join(valid)}"
    if numeric and fields[field] not in (int, float):
        return (
            "only numeric parameters can take a range; use design = 'grid' "
            "or [choices] for choices and true/false"
        )
    return None


def named_field_type(key: str) -> Any:
    """The type of a named-trust key's field (``int | None`` counts as ``int``)."""
    _, section, field = split_named_key(key)
    return _scalar_fields(NamedTrust if section is None else Params.sections()[section])[field]


def nest_named(out: dict[str, Any], key: str, value: Any) -> None:
    """Add ``key = value`` to ``out`` as ``{"trusts": {"named": [{"name": ..., ...}]}}``, the
    shape :func:`simulation.scenario.deep_merge` merges into the base trust of that name."""
    name, section, field = split_named_key(key)
    named = out.setdefault("trusts", {}).setdefault("named", [])
    entry = next((e for e in named if e["name"] == name), None)
    if entry is None:
        entry = {"name": name}
        named.append(entry)
    target = entry if section is None else entry.setdefault(section, {})
    target[field] = value


def named_value(params: Params, key: str) -> Any:
    """The value of a named-trust key in resolved ``params``."""
    name, section, field = split_named_key(key)
    trust = next(t for t in params.trusts.named if t.name == name)
    holder = trust if section is None else getattr(trust, section)
    if holder is None:  # no override table: the scenario's own section applies
        holder = getattr(params, section)
    return getattr(holder, field)
