"""Glass floor (performance; autonomous models).

Load: weak schools left to their own devices, each weighted by how far its autonomy goes past
the midpoint (an 'align' model's weak schools are not left alone; an autonomous model's are).
Capacity: ``break_points.left_weak_capacity``. Past it, support offered to weak schools is not
taken up. Shift: directive intervention under a clear scheme of delegation (weak schools'
autonomy drops until they improve).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..codes import REQUIRES_IMPROVEMENT
from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "glass_floor"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    left_weak_capacity: float = param(
        1.0,
        "weak schools left autonomous",
        "assumption (seed 000: the 'glass floor')",
        lo=0,
        hi=100,
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    weak = v.model.schools_data.grade >= REQUIRES_IMPROVEMENT
    return v.total(weak * np.clip(2.0 * v.school_autonomy - 1.0, 0.0, 1.0))


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return np.full(len(v.n_schools), p.left_weak_capacity) * (1 + v.level[NAME])


def direct(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    v.trusts.directive[ids] = True


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="performance",
    label="Glass floor",
    description="weak schools in an autonomous model are left to their own devices",
    explanation=Explanation(
        load="the weak schools left to their own devices",
        capacity="the weak schools an autonomous model can leave unattended",
        harm="weak schools get too little support and stay weak",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "directive_intervention",
        "Directive intervention in weak schools",
        "a scheme of delegation for directive intervention",
        direct,
    ),
    channels={"support": 0.6},
    parameters=Parameters,
    uses=("operating_model.autonomy_level",),
    order=11,
)
