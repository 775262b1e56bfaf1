"""The Leader agent: heads, executive heads, CEOs, school-improvement leads and SLEs.

As with schools, leaders' state sits in :data:`LEADER_COLUMNS` so that development, turnover
and recruitment are numpy operations across all leaders; a ``Leader`` agent is the view of one
row and exists while that person is in post.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from .codes import CEO, EXECUTIVE_HEAD, HEAD, IMPROVEMENT_LEAD, ROLES, SLE  # noqa: F401
from .columns import column_property

if TYPE_CHECKING:
    from .model import MATModel


LEADER_COLUMNS: dict[str, tuple[type | str, object]] = {
    "role": (np.int8, HEAD),
    "skill": (np.float64, 0.5),  # improvement skill, 0-1
    "tenure_years": (np.int16, 0),
    "school": (np.int32, -1),  # school led or employed at (-1 for central roles)
    "trust": (np.int32, -1),  # employing trust (-1 for maintained schools' heads)
    "active": (np.bool_, True),
    "started_year": (np.int32, 0),
}


def _column(name: str) -> property:
    return column_property("leaders_data", name)


class Leader(Agent):
    """A person in a leadership post; removed from the model when they leave it."""

    def __init__(self, model: MATModel, row: int):
        super().__init__(model)
        self.row = row

    skill = _column("skill")
    tenure_years = _column("tenure_years")
    school_row = _column("school")
    trust_id = _column("trust")
    active = _column("active")

    @property
    def role(self) -> str:
        return ROLES[self.model.leaders_data.role[self.row]]

    @property
    def capacity_schools(self) -> float:
        """How many schools this leader can oversee (seed 002: an executive leader 4-5)."""
        p = self.model.params
        code = self.model.leaders_data.role[self.row]
        if code in (EXECUTIVE_HEAD, IMPROVEMENT_LEAD):
            return p.leaders.executive_span_schools
        if code == CEO:
            return p.central_team.ceo_hands_on_schools
        if code == SLE:
            return p.leaders.sle_support_share
        return 1.0

    def __repr__(self) -> str:
        return f"Leader({self.row}, {self.role}, skill={self.skill:.2f})"
