"""The School agent: a thin Mesa agent over one row of the model's school columns.

A school's state (quality, grade, trust, pupils, head, ...) lives in :data:`SCHOOL_COLUMNS`
so that yearly rules update all schools at once with numpy; ``School`` gives the Mesa-side
view of one school for the dashboard, tests and anyone inspecting a single agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from .codes import (  # noqa: F401 - re-exported: the codes of school columns
    ALL_THROUGH,
    GOOD,
    INADEQUATE,
    NO_GRADE,
    NO_TRUST,
    OUTSTANDING,
    PRIMARY,
    REQUIRES_IMPROVEMENT,
    SECONDARY,
    SPECIAL,
)
from .columns import column_property
from .leader import SLE
from .parameters import GRADES, PHASES

if TYPE_CHECKING:
    from .model import MATModel


SCHOOL_COLUMNS: dict[str, tuple[type | str, object]] = {
    # where and who
    "x_km": (np.float64, 0.0),
    "y_km": (np.float64, 0.0),
    "region": (np.int32, 0),
    "town": (np.int32, -1),  # -1: rural
    "phase": (np.int8, PRIMARY),  # index into parameters.PHASES
    "pupils": (np.float64, 0.0),  # expected roll (float: admissions move fractions)
    "disadvantage": (np.float64, 0.0),  # share of pupils eligible for free school meals
    # quality and its public face
    "potential": (np.float64, 0.0),  # level quality reverts to without outside help
    "ceiling_lift": (np.float64, 0.0),  # potential raised by the school's own innovation
    "quality": (np.float64, 0.0),  # latent quality (standardised units)
    "grade": (np.int8, NO_GRADE),  # last inspection grade, index into parameters.GRADES
    "previous_grade": (np.int8, NO_GRADE),
    "last_inspection_year": (np.int32, -99),
    "next_inspection_year": (np.int32, 0),
    "perceived_quality": (np.float64, 0.0),  # what the school's trust believes
    # trust membership
    "trust": (np.int32, NO_TRUST),  # -1: maintained by the local authority
    "joined_year": (np.int32, -1),
    "joined_grade": (np.int8, NO_GRADE),
    "inadequate_in_trust": (np.int16, 0),
    "awaiting_sponsor": (np.bool_, False),
    # culture
    "practice": (np.float64, 0.5),  # the school's own curriculum/assessment approach (0-1)
    "alignment": (np.float64, 0.0),  # closeness to the trust's common model (0-1)
    "commitment": (np.float64, 0.5),  # staff commitment to the trust (0-1)
    # people and support
    "head": (np.int32, -1),  # leader row of the headteacher, -1 while vacant
    "executive": (np.int32, -1),  # leader row of an executive head deployed here this year
    "vacancy_years": (np.int16, 0),
    "support": (np.float64, 0.0),  # trust improvement support received this year (0-1)
    "peer_support": (np.float64, 0.0),  # support from strong schools nearby (0-1)
}


def _column(name: str) -> property:
    return column_property("schools_data", name)


class School(Agent):
    """A school: its intake, latent quality, public grade, trust membership and head."""

    def __init__(self, model: MATModel, row: int):
        super().__init__(model)
        self.row = row

    @property
    def school_id(self) -> int:
        return self.row

    x_km = _column("x_km")
    y_km = _column("y_km")
    region = _column("region")
    pupils = _column("pupils")
    disadvantage = _column("disadvantage")
    quality = _column("quality")
    potential = _column("potential")
    grade_code = _column("grade")
    trust_id = _column("trust")
    alignment = _column("alignment")
    commitment = _column("commitment")
    head_row = _column("head")

    @property
    def sle_count(self) -> int:
        """Specialist leaders of education working from this school."""
        leaders = self.model.leaders_data
        return int(np.sum(leaders.active & (leaders.role == SLE) & (leaders.school == self.row)))

    @property
    def phase(self) -> str:
        return PHASES[self.model.schools_data.phase[self.row]]

    @property
    def grade(self) -> str | None:
        code = self.grade_code
        return GRADES[code] if code >= 0 else None

    @property
    def in_trust(self) -> bool:
        return self.trust_id != NO_TRUST

    @property
    def trust(self):
        """The school's CentralTeam, or None for a maintained school."""
        return self.model.trusts[self.trust_id] if self.in_trust else None

    @property
    def years_in_trust(self) -> int:
        joined = self.model.schools_data.joined_year[self.row]
        return self.model.year - int(joined) if self.in_trust else 0

    @property
    def needs_support(self) -> bool:
        return self.grade_code >= REQUIRES_IMPROVEMENT

    def __repr__(self) -> str:
        return f"School({self.row}, {self.phase}, grade={self.grade}, trust={self.trust_id})"
