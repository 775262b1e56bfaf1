"""Model parameters: typed, frozen, validated, each with a unit and a source note.

Every parameter is declared once here with :func:`param`, which records its default, unit,
allowed range or choices, and where the default comes from (a published figure, a claim in the
seed articles, or "assumption"). Scenario files, the CLI and the dashboard read defaults from
these declarations; nothing re-declares them.

A section is built from a plain mapping with :meth:`Section.from_mapping`, which refuses unknown
keys (listing the valid ones), wrong types and out-of-range values with a :class:`ParamError`
that names the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

MAX_SHOWN = 60  # characters of a user's value or key echoed in an error line


def brief(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error line stays one readable line
    however large the offending value (a 10,000-element array, a nested table)."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print (Python's 4,300-digit limit)
        return "<an integer too long to show>"
    text = text.replace("\n", " ")
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def brief_key(key: str, limit: int = MAX_SHOWN) -> str:
    """A user-written key, cut like :func:`brief` (keys are echoed without quotes)."""
    key = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(key))
    return key if len(key) <= limit else f"{key[: limit - 1]}…"


class ParamError(ValueError):
    """A parameter value is not allowed. ``key`` is the dotted path, ``message`` says why."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def param(
    default: Any,
    unit: str,
    source: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[str, ...] | None = None,
    doc: str = "",
) -> Any:
    """Declare a parameter with its default, unit, source note and allowed values."""
    meta = {"unit": unit, "source": source, "lo": lo, "hi": hi, "choices": choices, "doc": doc}
    if isinstance(default, (list, dict)):
        raise TypeError("use tuples for sequence defaults so sections stay immutable")
    return field(default=default, metadata=meta)


def _type_name(tp: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check ``value`` against the annotated type, converting TOML ints to floats."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, args[0], key)
    if origin is tuple:
        (item_tp, *_rest) = typing.get_args(tp)
        if not isinstance(value, (list, tuple)):
            raise ParamError(key, f"must be a list, got {brief(value)}")
        return tuple(_coerce(v, item_tp, f"{key}[{i}]") for i, v in enumerate(value))
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParamError(key, f"must be a number, got {brief(value)}")
        try:
            number = float(value)
        except OverflowError:  # a TOML integer with hundreds of digits
            raise ParamError(key, f"must be a finite number, got {brief(value)}") from None
        if not math.isfinite(number):  # TOML has nan and inf literals; 1e999 is inf too
            raise ParamError(key, f"must be a finite number, got {brief(value)}")
        return number
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(key, f"must be an integer, got {brief(value)}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ParamError(key, f"must be true or false, got {brief(value)}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ParamError(key, f"must be a string, got {brief(value)}")
        return value
    if isinstance(tp, type) and issubclass(tp, Section):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise ParamError(key, f"must be a table of keys, got {brief(value)}")
        return tp.from_mapping(value, prefix=key)
    return value


def _check_bounds(value: Any, meta: Mapping[str, Any], key: str) -> None:
    """Choices and range of a value :func:`_coerce` has checked (numbers are finite by then)."""
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if v is None:
            continue
        if meta.get("choices") is not None and v not in meta["choices"]:
            allowed = ", ".join(repr(c) for c in meta["choices"])
            raise ParamError(key, f"{brief(v)} is not allowed; choose one of {allowed}")
        lo, hi = meta.get("lo"), meta.get("hi")
        numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
        if numeric and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            unit = meta.get("unit", "")
            raise ParamError(key, f"{brief(v)} is out of range; allowed {lo} to {hi} ({unit})")


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """A section class's resolved annotations, once per class: ``get_type_hints`` evaluates
    every annotation string each call, and a world builds a section per trust."""
    return typing.get_type_hints(cls)


@dataclass(frozen=True)
class Section:
    """Base class for a group of parameters; subclasses are frozen dataclasses."""

    section_name: ClassVar[str] = ""

    def __post_init__(self) -> None:
        hints = _type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            key = f"{self.section_name}.{f.name}" if self.section_name else f.name
            coerced = _coerce(value, hints[f.name], key)
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)
            _check_bounds(coerced, f.metadata, key)
        self.validate()

    def validate(self) -> None:
        """Cross-field checks; override in subclasses."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], prefix: str | None = None) -> Self:
        """Build the section from a mapping, refusing unknown keys with the list of valid ones."""
        prefix = cls.section_name if prefix is None else prefix
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                shown = brief_key(key)
                where = f"{prefix}.{shown}" if prefix else shown
                raise ParamError(where, f"unknown key{hint}; valid keys: {', '.join(names)}")
        hints = _type_hints(cls)
        kwargs = {}
        for name, value in data.items():
            where = f"{prefix}.{name}" if prefix else name
            kwargs[name] = _coerce(value, hints[name], where)
        try:
            return cls(**kwargs)
        except ParamError as err:
            if prefix and not err.key.startswith(prefix):
                raise ParamError(f"{prefix}.{err.key.split('.')[-1]}", err.message) from None
            raise

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (tuples as lists) for metadata and TOML round trips."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Section):
                out[f.name] = value.to_dict()
            elif isinstance(value, tuple):
                out[f.name] = [v.to_dict() if isinstance(v, Section) else v for v in value]
            else:
                out[f.name] = value
        return out

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One record per parameter: name, default, unit, allowed values, source."""
        rows = []
        for f in dataclasses.fields(cls):
            m = f.metadata
            allowed = (
                ", ".join(m["choices"]) if m.get("choices") else f"{m.get('lo')} to {m.get('hi')}"
            )
            rows.append(
                {
                    "section": cls.section_name,
                    "name": f.name,
                    "default": f.default if f.default is not dataclasses.MISSING else None,
                    "unit": m.get("unit", ""),
                    "allowed": allowed,
                    "source": m.get("source", ""),
                    "doc": m.get("doc", ""),
                }
            )
        return rows


def type_label(tp: Any) -> str:
    """Human name of a parameter type, for documentation."""
    return _type_name(tp)
