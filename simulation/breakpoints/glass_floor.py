"""Glass floor (performance; autonomous models).

Load: weak schools left to their own devices, each weighted by how far its autonomy goes past
the midpoint (an 'align' model's weak schools are not left alone; an autonomous model's are).
Capacity: ``break_points.left_weak_capacity``. Past it, support offered to weak schools is not
taken up. Shift: directive intervention under a clear scheme of delegation (weak schools'
autonomy drops until they improve).
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "glass_floor"


def load(v: TrustView) -> np.ndarray:
    return v.left_weak


def capacity(v: TrustView) -> np.ndarray:
    return np.full(len(v.n_schools), v.params.left_weak_capacity) * (1 + v.level[NAME])


def direct(team, v: TrustView) -> None:
    team.directive = True


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="performance",
    description="weak schools in an autonomous model are left to their own devices",
    load=load,
    capacity=capacity,
    shift=Shift(
        "directive_intervention", "a scheme of delegation for directive intervention", direct
    ),
    channels={"support": 0.6},
    parameters=("break_points.left_weak_capacity", "operating_model.autonomy_level"),
)
