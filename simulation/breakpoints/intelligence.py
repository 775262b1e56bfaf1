"""Single-source intelligence (intelligence).

Load: schools per person the trust learns about them from (the CEO and improvement leads).
Capacity: ``break_points.schools_per_informant`` per person with informal monitoring, times
``reporting_gain_per_shift`` per step of standardised reporting from several sources (staff
surveys, admissions, peer review, pupils; seed 002). Past it, what the trust believes about its
schools gets noisier, so weak schools are spotted later.
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "single_source"


def load(v: TrustView) -> np.ndarray:
    informants = v.has_ceo * 1.0 + v.leads
    return np.divide(v.n_schools, np.maximum(informants, 0.5))


def capacity(v: TrustView) -> np.ndarray:
    p = v.params
    return p.schools_per_informant * p.reporting_gain_per_shift ** v.level[NAME]


def standardise_reporting(team, v: TrustView) -> None:
    """Recurring cost per school is charged from the level (see review.recurring_shift_costs)."""


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="intelligence",
    description="schools monitored through one or two people",
    load=load,
    capacity=capacity,
    shift=Shift(
        "standardised_reporting",
        "standardised reporting from several sources",
        standardise_reporting,
    ),
    channels={"intelligence": 1.0},
    parameters=(
        "break_points.schools_per_informant",
        "break_points.reporting_gain_per_shift",
        "break_points.reporting_cost_per_school_gbp",
    ),
)
