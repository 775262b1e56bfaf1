"""Accountability & oversight (scale).

Load: schools to oversee, weak schools counting ``central_team.weak_weight`` times.
Capacity: the overseeing leaders — a hands-on CEO's ``ceo_hands_on_schools``, or a CEO who has
stepped back ``ceo_qa_schools`` through quality assurance (an interim covering a vacant post
``interim_ceo_share`` of either), plus each improvement lead's ``leaders.executive_span_schools``
— times the monitoring system (``break_points.monitoring_gain_per_shift`` per shift, for at most
``monitoring_max_shifts`` shifts: a tighter system lets a lead watch more schools, but not
without limit — seed 002 puts a leader's span at four or five). Past it, weak schools are
spotted later and supported less. Shift: plan enough improvement leads for the load and tighten
the monitoring system; while the leads it planned are still being recruited the shift is not
made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..sections import Section, param
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
    monitoring_max_shifts: int = param(
        2,
        "shifts",
        "assumption: monitoring systems stop adding span after this many tightenings "
        "(seed 002: an executive leader oversees four or perhaps five schools)",
        lo=0,
        hi=20,
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    weight = v.model.params.central_team.weak_weight
    return v.n_schools + (weight - 1.0) * v.n_weak


def ceo_oversight(v: TrustView, hands_on: np.ndarray) -> np.ndarray:
    """Schools the CEO (or an interim) oversees: hands-on improvement, or quality assurance."""
    ct = v.model.params.central_team
    return v.ceo_cover * np.where(hands_on, ct.ceo_hands_on_schools, ct.ceo_qa_schools)


def monitoring(level: np.ndarray, p: Parameters) -> np.ndarray:
    """How much further a leader's oversight reaches with the monitoring system at ``level``."""
    return 1.0 + p.monitoring_gain_per_shift * np.minimum(level, p.monitoring_max_shifts)


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    span = v.model.params.leaders.executive_span_schools
    leaders = ceo_oversight(v, v.ceo_hands_on) + v.leads * span
    return leaders * monitoring(v.level[NAME], p)


def recruit_and_monitor(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    """Plan enough leads for the load with headroom; the monitoring system gets tighter."""
    t = v.trusts
    reach = monitoring(v.level[NAME][ids] + 1, p)
    ceo = ceo_oversight(v, t.ceo_hands_on[: len(v.n_schools)])[ids]
    span = v.model.params.leaders.executive_span_schools
    needed = (1.25 * load(v, p)[ids] / reach - ceo) / span
    t.planned_leads[ids] = np.maximum(t.planned_leads[ids], np.ceil(needed).astype(int))


def recruiting(v: TrustView, p: Parameters) -> np.ndarray:
    """The leads the last shift planned are not all in post yet."""
    return v.leads < v.trusts.planned_leads


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
        "Recruit leads and tighten monitoring",
        "recruit improvement leads; tighter monitoring",
        recruit_and_monitor,
    ),
    channels={"oversight": 1.0, "intelligence": 0.5},
    parameters=Parameters,
    uses=(
        "central_team.weak_weight",
        "central_team.ceo_hands_on_schools",
        "central_team.ceo_qa_schools",
        "central_team.interim_ceo_share",
        "leaders.executive_span_schools",
    ),
    effect_pending=recruiting,
    order=1,
)
