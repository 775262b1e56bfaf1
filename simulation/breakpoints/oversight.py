"""Accountability & oversight (scale).

Load: schools to oversee, weak schools counting ``central_team.weak_weight`` times.
Capacity: the overseeing leaders (a hands-on CEO's ``ceo_hands_on_schools`` plus each
improvement lead's ``leaders.executive_span_schools``) times the monitoring system
(``break_points.monitoring_gain_per_shift`` per shift). Past it, weak schools are spotted later
and supported less. Shift: recruit school-improvement leads and build a tighter monitoring system.
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "oversight"


def load(v: TrustView) -> np.ndarray:
    weight = v.model.params.central_team.weak_weight
    return v.n_schools + (weight - 1.0) * v.n_weak


def capacity(v: TrustView) -> np.ndarray:
    p = v.model.params
    ceo = v.has_ceo * v.ceo_hands_on * p.central_team.ceo_hands_on_schools
    leaders = ceo + v.leads * p.leaders.executive_span_schools
    return leaders * (1.0 + v.params.monitoring_gain_per_shift * v.level[NAME])


def recruit_and_monitor(team, v: TrustView) -> None:
    """Plan enough leads for the load with headroom; the monitoring system gets tighter."""
    p = v.model.params
    i = team.trust_id
    monitoring = 1.0 + v.params.monitoring_gain_per_shift * (v.level[NAME][i] + 1)
    ceo = float(v.has_ceo[i] and team.ceo_hands_on) * p.central_team.ceo_hands_on_schools
    needed = (1.25 * load(v)[i] / monitoring - ceo) / p.leaders.executive_span_schools
    team.planned_leads = max(team.planned_leads, int(np.ceil(needed)))


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    description="schools and weak schools per overseeing leader outgrow direct monitoring",
    load=load,
    capacity=capacity,
    shift=Shift(
        "recruit_leads_and_monitoring",
        "recruit improvement leads; tighter monitoring",
        recruit_and_monitor,
    ),
    channels={"oversight": 1.0, "intelligence": 0.5},
    parameters=(
        "central_team.weak_weight",
        "central_team.ceo_hands_on_schools",
        "leaders.executive_span_schools",
        "break_points.monitoring_gain_per_shift",
    ),
)
