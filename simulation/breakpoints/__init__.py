"""The break points of DESIGN.md section 4: every module here that defines ``BREAK_POINT``.

Break points are plug-ins. Each module of this package with a module-level ``BREAK_POINT``
(a :class:`BreakPoint`) is found at import, in the order of its ``order`` field; its own
parameter section becomes part of ``[break_points]`` in scenario files. Adding a break point is
one new module here plus its test (see the README's contributor section). A break point may
also be registered at run time with :func:`register` (tests, experiments); a model takes the
break points registered when it is built.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager

from .base import CHANNELS, DRIVERS, BreakPoint, Explanation, Shift, effectiveness

_NOT_PLUG_INS = {"base", "view"}


def _discover() -> tuple[BreakPoint, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_PLUG_INS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        bp = getattr(module, "BREAK_POINT", None)
        if isinstance(bp, BreakPoint):
            found.append(bp)
    return tuple(sorted(found, key=lambda bp: (bp.order, bp.name)))


BREAK_POINTS: tuple[BreakPoint, ...] = _discover()
"""The shipped break points, in report order."""
BY_NAME = {bp.name: bp for bp in BREAK_POINTS}
NAMES = tuple(BY_NAME)
_registered: list[BreakPoint] = list(BREAK_POINTS)


def registered() -> tuple[BreakPoint, ...]:
    """The break points a model built now would use, in report order."""
    return tuple(sorted(_registered, key=lambda bp: (bp.order, bp.name)))


def register(bp: BreakPoint) -> None:
    """Add a break point for models built from now on (its name must be new)."""
    if any(other.name == bp.name for other in _registered):
        raise ValueError(f"a break point named {bp.name!r} is already registered")
    _registered.append(bp)


def unregister(name: str) -> None:
    """Remove a break point registered with :func:`register`."""
    _registered[:] = [bp for bp in _registered if bp.name != name]


@contextmanager
def registered_break_point(bp: BreakPoint) -> Iterator[BreakPoint]:
    """Register ``bp`` for the duration of a ``with`` block."""
    register(bp)
    try:
        yield bp
    finally:
        unregister(bp.name)


def find(name: str) -> BreakPoint | None:
    """A registered break point by name (None if there is none)."""
    return next((bp for bp in _registered if bp.name == name), None)


__all__ = [
    "BREAK_POINTS",
    "BY_NAME",
    "CHANNELS",
    "DRIVERS",
    "NAMES",
    "BreakPoint",
    "Explanation",
    "Shift",
    "effectiveness",
    "find",
    "register",
    "registered",
    "registered_break_point",
    "unregister",
]
