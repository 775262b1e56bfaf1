"""Curriculum (geography).

Load: how different the trust's schools' contexts are from its home — each school's intake
difference over ``break_points.context_scale_disadvantage`` plus its distance from the base over
``break_points.context_scale_km``, averaged — times how common the curriculum is (1 - autonomy).
Capacity: ``curriculum_capacity`` plus ``curriculum_gain_per_shift`` per adaptation. Past it,
the common curriculum fits badly and support lands worse. Shift: local adaptation of the common
curriculum (then a regional variant).
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "curriculum"


def load(v: TrustView) -> np.ndarray:
    common = 1.0 - v.lever("autonomy", 0.5)
    return v.context * common


def capacity(v: TrustView) -> np.ndarray:
    p = v.params
    return p.curriculum_capacity + p.curriculum_gain_per_shift * v.level[NAME]


def adapt_locally(team, v: TrustView) -> None:
    """The level records the adaptation; nothing else about the trust changes."""


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="geography",
    description="a common curriculum stops fitting schools in different localities",
    load=load,
    capacity=capacity,
    shift=Shift(
        "local_curriculum_adaptation",
        "adapt the common curriculum locally",
        adapt_locally,
        lag_years=lambda p: p.regional_lag_years,
    ),
    channels={"support": 0.3},
    parameters=(
        "break_points.context_scale_km",
        "break_points.context_scale_disadvantage",
        "break_points.curriculum_capacity",
        "break_points.curriculum_gain_per_shift",
    ),
)
