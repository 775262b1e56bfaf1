"""Single-source intelligence (intelligence).

Load: schools per person the trust learns about them from (the CEO and improvement leads).
Capacity: ``break_points.schools_per_informant`` per person with informal monitoring, times
``reporting_gain_per_shift`` per step of standardised reporting from several sources (staff
surveys, admissions, peer review, pupils; seed 002). Past it, what the trust believes about its
schools gets noisier, so weak schools are spotted later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift, no_change

if TYPE_CHECKING:
    from .view import TrustView

NAME = "single_source"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    schools_per_informant: float = param(
        5.0,
        "schools per person",
        "assumption (seed 002: reliance on 'one or two individual leaders')",
        lo=0.5,
        hi=100,
    )
    reporting_gain_per_shift: float = param(
        3.0, "x schools per informant with standardised reporting", "assumption", lo=1, hi=50
    )
    reporting_cost_per_school_gbp: float = param(
        2_000.0, "GBP per school per year for standardised reporting", "assumption", lo=0, hi=1e6
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    informants = v.has_ceo * 1.0 + v.leads
    return np.divide(v.n_schools, np.maximum(informants, 0.5))


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return p.schools_per_informant * p.reporting_gain_per_shift ** v.level[NAME]


def recurring_cost(v: TrustView, p: Parameters) -> np.ndarray:
    """Standardised reporting costs a fee per school each year once adopted."""
    return (v.level[NAME] > 0) * v.n_schools * p.reporting_cost_per_school_gbp


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="intelligence",
    label="Single-source intelligence",
    description="schools monitored through one or two people",
    explanation=Explanation(
        load="the schools per person the trust relies on for what it knows about them",
        capacity="the schools one informant can report on well",
        harm="the trust sees its schools less clearly and problems are missed",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "standardised_reporting",
        "Standardised reporting from several sources",
        "standardised reporting from several sources",
        no_change,
    ),
    channels={"intelligence": 1.0},
    parameters=Parameters,
    recurring_cost=recurring_cost,
    order=12,
)
