"""Per-trust totals over schools and staff, computed in one pass for all trusts.

Break points, central teams, growth and data collection all need the same sums — schools,
pupils, weak and strong schools, staff by role, distance from the base — so they are computed
here once, with ``np.bincount`` over the schools in trusts, and handed round as one
:class:`TrustAggregates`. The model recomputes them when the state they summarise has moved:
after the year's inspections (for the break points, the central teams and growth) and at the
end of the year (for the tables). Staff counts alone are refreshed after appointments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .leader import CEO, IMPROVEMENT_LEAD, ROLES, SLE
from .school import GOOD, INADEQUATE, NO_GRADE, NO_TRUST, OUTSTANDING, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from .model import MATModel


@dataclass
class StaffCounts:
    """Central staff per trust: counts and summed improvement skill by role."""

    ceos: np.ndarray
    ceo_skill: np.ndarray
    leads: np.ndarray
    lead_skill: np.ndarray
    sles: np.ndarray


CENTRAL_ROLES = (CEO, IMPROVEMENT_LEAD, SLE)  # the last role codes, in this order
assert tuple(range(CEO, len(ROLES))) == CENTRAL_ROLES


def staff_counts(model: MATModel) -> StaffCounts:
    """Active CEOs, improvement leads and SLEs of every trust, in one pass over leaders.

    One count per (role, trust) bin; each bin's skill is summed in leader order, as a sum
    over that role's leaders alone would be.
    """
    leaders = model.leaders_data
    n = len(model.trusts_data)
    central = np.flatnonzero(leaders.active & (leaders.trust >= 0) & (leaders.role >= CEO))
    key = (leaders.role[central].astype(np.int64) - CEO) * n + leaders.trust[central]
    counts = np.bincount(key, minlength=3 * n).reshape(3, n).astype(float)
    skill = np.bincount(key, weights=leaders.skill[central], minlength=3 * n).reshape(3, n)
    (ceos, leads, sles), (ceo_skill, lead_skill, _) = counts, skill  # rows: CENTRAL_ROLES
    return StaffCounts(
        ceos=ceos, ceo_skill=ceo_skill, leads=leads, lead_skill=lead_skill, sles=sles
    )


@dataclass
class TrustAggregates:
    """What every trust holds, indexed by trust id.

    ``member`` are the rows of schools in a trust and ``trust_of_member`` their trusts.
    """

    n_trusts: int
    member: np.ndarray
    trust_of_member: np.ndarray
    to_base_km: np.ndarray  # per school in ``member``: distance from its trust's base
    n_schools: np.ndarray
    pupils: np.ndarray
    n_weak: np.ndarray  # published grade below good: what boards and the regulator see
    n_strong: np.ndarray  # published grade good or outstanding
    n_graded: np.ndarray
    spread_sum_km: np.ndarray
    staff: StaffCounts
    _model: MATModel

    def total(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-school quantity (all schools' array) over each trust's schools."""
        return self.member_total(values[self.member])

    def member_total(self, values: np.ndarray) -> np.ndarray:
        """Sum over each trust's schools of a quantity given for the schools of ``member``
        (in that order), so it need not be spread over all schools first."""
        return np.bincount(self.trust_of_member, weights=values, minlength=self.n_trusts)

    @cached_property
    def n_regions(self) -> np.ndarray:
        """Regions each trust has schools in: its base's region if any school is there, plus
        every other region it has a school in (few schools are away from their base region)."""
        s, t = self._model.schools_data, self._model.trusts_data
        tm = self.trust_of_member
        region = s.region[self.member]
        away = np.flatnonzero(region != t.region[tm])
        at_home = self.n_schools > np.bincount(tm[away], minlength=self.n_trusts)
        pairs = np.unique(tm[away].astype(np.int64) << 32 | region[away])  # (trust, region)
        return at_home + np.bincount(pairs >> 32, minlength=self.n_trusts)

    @property
    def spread_km(self) -> np.ndarray:
        """Mean distance of each trust's schools from its base (0 for an empty trust)."""
        return self.spread_sum_km / np.maximum(self.n_schools, 1.0)

    def refresh_staff(self, model: MATModel) -> None:
        """Recount central staff after appointments or cuts (schools are unchanged)."""
        self.staff = staff_counts(model)


def trust_aggregates(model: MATModel) -> TrustAggregates:
    """Per-trust totals of the schools in trusts and of central staff, for all trusts."""
    s = model.schools_data
    trusts = model.trusts_data
    n = len(trusts)
    t = s.trust
    member = np.flatnonzero(t != NO_TRUST)
    tm = t[member]
    # schools by (grade, trust): ungraded, outstanding, good, requires improvement, inadequate
    grade = np.clip(s.grade[member], NO_GRADE, INADEQUATE).astype(np.int64) - NO_GRADE
    by_grade = np.bincount(grade * n + tm, minlength=5 * n).reshape(5, n)
    to_base = np.hypot(s.x_km[member] - trusts.base_x_km[tm], s.y_km[member] - trusts.base_y_km[tm])
    return TrustAggregates(
        n_trusts=n,
        member=member,
        trust_of_member=tm,
        to_base_km=to_base,
        n_schools=by_grade.sum(axis=0).astype(float),
        pupils=np.bincount(tm, weights=s.pupils[member], minlength=n),
        n_weak=by_grade[REQUIRES_IMPROVEMENT - NO_GRADE :].sum(axis=0).astype(float),
        n_strong=by_grade[OUTSTANDING - NO_GRADE : GOOD - NO_GRADE + 1].sum(axis=0).astype(float),
        n_graded=by_grade[OUTSTANDING - NO_GRADE :].sum(axis=0).astype(float),
        spread_sum_km=np.bincount(tm, weights=to_base, minlength=n),
        staff=staff_counts(model),
        _model=model,
    )
