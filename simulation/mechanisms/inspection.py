"""Inspections: a noisy look at latent quality on a cycle that depends on the last grade.

Good and outstanding schools are seen about every 4 years, weak ones within about 30 months,
new or re-brokered academies about 3 years after opening (Ofsted). An inadequate maintained
school is flagged for a sponsor: the regulator brokers it to a trust in the growth step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..parameters import InspectionParams
from ..school import GOOD, INADEQUATE, NO_TRUST

if TYPE_CHECKING:
    from ..model import MATModel


def grade_from_score(observed: np.ndarray, p: InspectionParams) -> np.ndarray:
    """Map an observed quality score to a grade code (0 outstanding .. 3 inadequate)."""
    cuts = np.array([p.inadequate_below, p.requires_improvement_below, p.outstanding_above])
    return (3 - np.digitize(observed, cuts)).astype(np.int8)


def inspection_interval(
    grade: np.ndarray, rng: np.random.Generator, p: InspectionParams
) -> np.ndarray:
    """Whole years to the next inspection: the mean interval for the grade, rounded at random."""
    mean = np.where(grade <= GOOD, p.good_interval_years, p.weak_interval_years)
    whole = np.floor(mean)
    return (whole + (rng.random(len(mean)) < mean - whole)).astype(np.int32)


def inspect_schools(model: MATModel) -> None:
    """Inspect every school that is due this year and log one event per inspection."""
    s = model.schools_data
    p = model.params.inspection
    rng = model.streams["inspection"]
    year = model.year
    due = np.flatnonzero(s.next_inspection_year <= year)
    if due.size == 0:
        return
    observed = s.quality[due] + rng.normal(0.0, p.measurement_sd, due.size)
    before = s.grade[due].copy()
    after = grade_from_score(observed, p)
    s.previous_grade[due] = before
    s.grade[due] = after
    s.last_inspection_year[due] = year
    s.next_inspection_year[due] = year + inspection_interval(after, rng, p)
    trust = s.trust[due]
    failed = after == INADEQUATE
    s.inadequate_in_trust[due[failed & (trust != NO_TRUST)]] += 1
    s.awaiting_sponsor[due[failed & (trust == NO_TRUST)]] = True
    model.events.add(
        "inspection", year, school_id=due, trust_id=trust, grade_before=before, grade_after=after
    )
