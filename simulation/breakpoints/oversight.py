"""Accountability & oversight (scale).

Load: schools to oversee, weak schools counting ``central_team.weak_weight`` times.
Capacity: the overseeing leaders (a hands-on CEO's ``ceo_hands_on_schools`` plus each
improvement lead's ``leaders.executive_span_schools``) times the monitoring system
(``break_points.monitoring_gain_per_shift`` per shift). Past it, weak schools are spotted later
and supported less. Shift: recruit school-improvement leads and build a tighter monitoring system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..parameters.base import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "oversight"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    monitoring_gain_per_shift: float = param(
        0.35,
        "x oversight capacity per monitoring-system shift",
        "assumption (seed 000: 'tighter monitoring systems')",
        lo=0,
        hi=5,
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    weight = v.model.params.central_team.weak_weight
    return v.n_schools + (weight - 1.0) * v.n_weak


def overseeing_schools(v: TrustView) -> np.ndarray:
    """Schools the trust's overseeing leaders can cover before any monitoring system."""
    p = v.model.params
    ceo = v.has_ceo * v.ceo_hands_on * p.central_team.ceo_hands_on_schools
    return ceo + v.leads * p.leaders.executive_span_schools


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return overseeing_schools(v) * (1.0 + p.monitoring_gain_per_shift * v.level[NAME])


def recruit_and_monitor(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    """Plan enough leads for the load with headroom; the monitoring system gets tighter."""
    params = v.model.params
    t = v.trusts
    monitoring = 1.0 + p.monitoring_gain_per_shift * (v.level[NAME][ids] + 1)
    ceo = (v.has_ceo[ids] & t.ceo_hands_on[ids]) * params.central_team.ceo_hands_on_schools
    needed = (1.25 * load(v, p)[ids] / monitoring - ceo) / params.leaders.executive_span_schools
    t.planned_leads[ids] = np.maximum(t.planned_leads[ids], np.ceil(needed).astype(int))


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    label="Oversight and accountability",
    description="schools and weak schools per overseeing leader outgrow direct monitoring",
    explanation=Explanation(
        load="the schools to oversee, weak ones counting extra",
        capacity="the schools its overseeing leaders (a hands-on CEO and improvement leads) can "
        "monitor closely",
        harm="weak schools are spotted later and supported less",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "recruit_leads_and_monitoring",
        "Recruit improvement leads and tighten monitoring",
        "recruit improvement leads; tighter monitoring",
        recruit_and_monitor,
    ),
    channels={"oversight": 1.0, "intelligence": 0.5},
    parameters=Parameters,
    uses=(
        "central_team.weak_weight",
        "central_team.ceo_hands_on_schools",
        "leaders.executive_span_schools",
    ),
    order=1,
)
