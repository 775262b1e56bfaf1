"""The role of the CEO (scale).

Load: the school improvement the CEO carries, in school-equivalents — each school counts 1, a
weak one ``ceo_weak_extra`` more, a secondary or all-through ``ceo_secondary_extra`` more, and
the travel to it ``distance / ceo_travel_km`` more — all of it personally while hands-on; once
the CEO has "let go", only ``1 / break_points.qa_span_factor`` of it (quality assurance,
challenge and strategy). So the role strains at four schools for a trust of weak secondaries
spread across a county and at six or seven for nearby good primaries, not at a fixed count.
Capacity: ``central_team.ceo_hands_on_schools`` (seed 002: 4-5 schools), times the level past
the first shift. Past it, the CEO's days are spread over too many schools: oversight and
strategy review suffer. Shift: the CEO steps back and an improvement lead takes the hands-on work.

Two hooks make the operating model's ``ceo_steps_back_at`` lever work: the step back is
*planned* once the trust reaches that size (under any review policy), and a CEO set never to
let go (``ceo_steps_back_at = 0``) may not make the shift even when a review calls for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..codes import ALL_THROUGH, IMPROVEMENT_LEAD, REQUIRES_IMPROVEMENT, SECONDARY
from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "ceo_role"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    qa_span_factor: float = param(
        6.0,
        "x schools a CEO can cover once stepped back",
        "assumption: QA, challenge and strategy instead of hands-on improvement (seed 000)",
        lo=1,
        hi=100,
    )
    ceo_weak_extra: float = param(
        0.5,
        "school-equivalents per weak school",
        "assumption: a school below good takes a hands-on CEO more days (seed 002)",
        lo=0,
        hi=10,
    )
    ceo_secondary_extra: float = param(
        0.3,
        "school-equivalents per secondary or all-through school",
        "assumption: larger, more complex schools take more of a CEO's time",
        lo=0,
        hi=10,
    )
    ceo_travel_km: float = param(
        60.0,
        "km per extra school-equivalent",
        "assumption: travel eats a hands-on CEO's week (seed 002: keep 'sensible geographical "
        "distances between schools')",
        lo=1,
        hi=10_000,
    )


def improvement_work(v: TrustView, p: Parameters) -> np.ndarray:
    """School-equivalents of improvement work: schools weighted by need, size and travel."""
    agg = v.aggregates
    s = v.model.schools_data
    rows = agg.member
    weight = (
        1.0
        + p.ceo_weak_extra * (s.grade[rows] >= REQUIRES_IMPROVEMENT)
        + p.ceo_secondary_extra * ((s.phase[rows] == SECONDARY) | (s.phase[rows] == ALL_THROUGH))
        + agg.to_base_km / p.ceo_travel_km
    )
    return agg.member_total(weight)


def load(v: TrustView, p: Parameters) -> np.ndarray:
    per_school = np.where(v.ceo_hands_on, 1.0, 1.0 / p.qa_span_factor)
    return (v.ceo_cover > 0) * improvement_work(v, p) * per_school


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    cap = v.model.params.central_team.ceo_hands_on_schools
    return cap * np.maximum(1, v.level[NAME])


def step_back(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    """The CEO hands the schools they improved personally to a new improvement lead."""
    t = v.trusts
    ids = ids[t.ceo_hands_on[ids]]
    if ids.size == 0:
        return
    t.ceo_hands_on[ids] = False
    t.planned_leads[ids] += 1
    v.model.recruit(IMPROVEMENT_LEAD, ids, skill_shift=0.05, stream="review")


def planned(v: TrustView, p: Parameters) -> np.ndarray:
    """The operating model has the CEO step back once the trust reaches ``ceo_steps_back_at``
    schools (an interim covering a vacant post steps back the same way)."""
    at = v.trusts.ceo_steps_back_at
    return v.trusts.ceo_hands_on & (at > 0) & (v.ceo_cover > 0) & (v.n_schools >= at)


def may_shift(v: TrustView, p: Parameters) -> np.ndarray:
    """Only a hands-on CEO can step back, and a CEO who never lets go never does."""
    return v.trusts.ceo_hands_on & (v.trusts.ceo_steps_back_at > 0)


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    label="The CEO's role",
    description="a hands-on CEO personally improving schools runs out of days past 4-5 schools",
    explanation=Explanation(
        load="the schools the CEO works on personally",
        capacity="the schools one CEO can improve personally (4-5 is the usual limit)",
        harm="the CEO spends the days of the week on a few schools while oversight and "
        "strategy suffer",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "ceo_steps_back",
        "CEO steps back to strategy",
        "the CEO lets go: QA, challenge and strategy",
        step_back,
    ),
    channels={"oversight": 0.5, "review": 0.5},
    parameters=Parameters,
    uses=("central_team.ceo_hands_on_schools", "operating_model.ceo_steps_back_at"),
    planned=planned,
    may_shift=may_shift,
    order=5,
)
