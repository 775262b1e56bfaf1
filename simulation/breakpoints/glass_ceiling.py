"""Glass ceiling (performance; aligned and standardised models).

Load: outstanding schools held to the common model, each weighted by how little autonomy it has.
Capacity: ``break_points.held_strong_capacity``. Past it, strong schools that want to innovate
cannot: their ceiling stops rising and their commitment falls. Shift: earned autonomy for strong
schools (``operating_model.earned_autonomy``).
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "glass_ceiling"


def load(v: TrustView) -> np.ndarray:
    return v.held_strong


def capacity(v: TrustView) -> np.ndarray:
    return np.full(len(v.n_schools), v.params.held_strong_capacity) * (1 + v.level[NAME])


def earn_autonomy(team, v: TrustView) -> None:
    team.earned_autonomy = "outstanding" if team.earned_autonomy == "off" else "good"


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="performance",
    description="high-performing schools held to the common model want to break away",
    load=load,
    capacity=capacity,
    shift=Shift(
        "earned_autonomy", "strong schools earn freedom from the common model", earn_autonomy
    ),
    channels={"innovation": 1.0, "commitment": 0.3},
    parameters=(
        "break_points.held_strong_capacity",
        "operating_model.earned_autonomy",
        "operating_model.autonomy_level",
        "quality.innovation_per_year",
    ),
)
