"""The twelve break points of DESIGN.md section 4, each in its own module of the same shape."""

from __future__ import annotations

from . import (
    alignment,
    central_operations,
    ceo_role,
    collaboration,
    communications,
    curriculum,
    glass_ceiling,
    glass_floor,
    golden_rule,
    governance,
    intelligence,
    oversight,
)
from .base import CHANNELS, DRIVERS, BreakPoint, Shift, effectiveness

BREAK_POINTS: tuple[BreakPoint, ...] = (
    oversight.BREAK_POINT,
    governance.BREAK_POINT,
    alignment.BREAK_POINT,
    communications.BREAK_POINT,
    ceo_role.BREAK_POINT,
    golden_rule.BREAK_POINT,
    curriculum.BREAK_POINT,
    collaboration.BREAK_POINT,
    central_operations.BREAK_POINT,
    glass_ceiling.BREAK_POINT,
    glass_floor.BREAK_POINT,
    intelligence.BREAK_POINT,
)
BY_NAME = {bp.name: bp for bp in BREAK_POINTS}
NAMES = tuple(BY_NAME)

__all__ = [
    "BREAK_POINTS",
    "BY_NAME",
    "CHANNELS",
    "DRIVERS",
    "NAMES",
    "BreakPoint",
    "Shift",
    "effectiveness",
]
