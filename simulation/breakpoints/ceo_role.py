"""The role of the CEO (scale).

Load: schools the CEO covers — all of them personally while hands-on; once the CEO has "let go",
only ``1 / break_points.qa_span_factor`` of each (quality assurance, challenge and strategy).
Capacity: ``central_team.ceo_hands_on_schools`` (seed 002: 4-5 schools), times the level past
the first shift. Past it, the CEO's days are spread over too many schools: oversight and
strategy review suffer. Shift: the CEO steps back and an improvement lead takes the hands-on work.
"""

from __future__ import annotations

import numpy as np

from ..leader import IMPROVEMENT_LEAD
from .base import BreakPoint, Shift
from .view import TrustView

NAME = "ceo_role"


def load(v: TrustView) -> np.ndarray:
    per_school = np.where(v.ceo_hands_on, 1.0, 1.0 / v.params.qa_span_factor)
    return v.has_ceo * v.n_schools * per_school


def capacity(v: TrustView) -> np.ndarray:
    cap = v.model.params.central_team.ceo_hands_on_schools
    return cap * np.maximum(1, v.level[NAME])


def step_back(team, v: TrustView) -> None:
    """The CEO hands the schools they improved personally to a new improvement lead."""
    if not team.ceo_hands_on:
        return
    model = v.model
    team.ceo_hands_on = False
    team.planned_leads += 1
    skill = model.draw_skill(1, model.streams["review"], 0.05)
    model.appoint_leaders(IMPROVEMENT_LEAD, skill, np.array([-1]), np.array([team.trust_id]))


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    description="a hands-on CEO personally improving schools runs out of days past 4-5 schools",
    load=load,
    capacity=capacity,
    shift=Shift("ceo_steps_back", "the CEO lets go: QA, challenge and strategy", step_back),
    channels={"oversight": 0.5, "review": 0.5},
    parameters=(
        "central_team.ceo_hands_on_schools",
        "operating_model.ceo_steps_back_at",
        "break_points.qa_span_factor",
    ),
)
