"""Curriculum (geography).

Load: how different the trust's schools' contexts are from its home — each school's intake
difference over ``break_points.context_scale_disadvantage`` plus its distance from the base over
``break_points.context_scale_km``, averaged — times how common the curriculum is (1 - autonomy).
Capacity: ``curriculum_capacity`` plus ``curriculum_gain_per_shift`` per adaptation. Past it,
the common curriculum fits badly and support lands worse. Shift: local adaptation of the common
curriculum (then a regional variant).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift, no_change

if TYPE_CHECKING:
    from .view import TrustView

NAME = "curriculum"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    context_scale_km: float = param(
        40.0,
        "km",
        "assumption: distance at which a school's locality counts as different",
        lo=1,
        hi=1_000,
    )
    context_scale_disadvantage: float = param(
        0.12,
        "share of pupils",
        "assumption: intake difference that counts as a different context",
        lo=0.01,
        hi=1,
    )
    curriculum_capacity: float = param(
        0.8,
        "context units",
        "assumption: a common curriculum fits nearby, similar schools",
        lo=0.01,
        hi=100,
    )
    curriculum_gain_per_shift: float = param(
        1.0, "context units per adaptation", "assumption", lo=0, hi=100
    )


def context_difference(v: TrustView, p: Parameters) -> np.ndarray:
    """Mean difference of the trust's schools' contexts from its home (intake and distance)."""
    agg = v.aggregates
    s = v.model.schools_data
    member, tm = agg.member, agg.trust_of_member
    context = (
        np.abs(s.disadvantage[member] - v.trusts.core_disadvantage[tm])
        / p.context_scale_disadvantage
        + agg.to_base_km / p.context_scale_km
    )
    return agg.member_total(context) / np.maximum(v.n_schools, 1.0)


def load(v: TrustView, p: Parameters) -> np.ndarray:
    common = 1.0 - v.trusts.autonomy
    return context_difference(v, p) * common


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return p.curriculum_capacity + p.curriculum_gain_per_shift * v.level[NAME]


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="geography",
    label="Curriculum fit",
    description="a common curriculum stops fitting schools in different localities",
    explanation=Explanation(
        load="how far its schools' contexts differ from the trust's core, where the "
        "curriculum is common",
        capacity="the difference the common curriculum can absorb",
        harm="the common curriculum fits distant schools less well and support lands less well",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "local_curriculum_adaptation",
        "Adapt the curriculum locally",
        "adapt the common curriculum locally",
        no_change,
        lag_years=lambda core: core.regional_lag_years,
    ),
    channels={"support": 0.3},
    parameters=Parameters,
    order=7,
)
