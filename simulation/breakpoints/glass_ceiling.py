"""Glass ceiling (performance; aligned and standardised models).

Load: outstanding schools held to the common model, each weighted by how little autonomy it has.
Capacity: ``break_points.held_strong_capacity``. Past it, strong schools that want to innovate
cannot: their ceiling stops rising and their commitment falls. Shift: earned autonomy for strong
schools (``operating_model.earned_autonomy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..codes import EARNED_AUTONOMY, OUTSTANDING
from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "glass_ceiling"
OFF, FOR_OUTSTANDING, FOR_GOOD = (EARNED_AUTONOMY.index(x) for x in ("off", "outstanding", "good"))


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    held_strong_capacity: float = param(
        1.5,
        "outstanding schools held to the model",
        "assumption (seed 000: the 'glass ceiling')",
        lo=0,
        hi=100,
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    outstanding = v.model.schools_data.grade == OUTSTANDING
    return v.total(outstanding * (1.0 - v.school_autonomy))


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return np.full(len(v.n_schools), p.held_strong_capacity) * (1 + v.level[NAME])


def earn_autonomy(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    """Outstanding schools earn autonomy first; a second shift extends it to good schools."""
    t = v.trusts
    t.earned_autonomy[ids] = np.where(t.earned_autonomy[ids] == OFF, FOR_OUTSTANDING, FOR_GOOD)


def starting_level(levers: Mapping[str, object]) -> int:
    return int(levers["earned_autonomy"] != "off")


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="performance",
    label="Glass ceiling",
    description="high-performing schools held to the common model want to break away",
    explanation=Explanation(
        load="the strong schools held to the common model",
        capacity="the strong schools the model can hold without capping them",
        harm="strong schools' improvement is capped and their commitment falls",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "earned_autonomy",
        "Earned autonomy for strong schools",
        "strong schools earn freedom from the common model",
        earn_autonomy,
    ),
    channels={"innovation": 1.0, "commitment": 0.3},
    parameters=Parameters,
    uses=(
        "operating_model.earned_autonomy",
        "operating_model.autonomy_level",
        "quality.innovation_per_year",
    ),
    starting_level=starting_level,
    order=10,
)
