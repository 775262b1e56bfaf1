"""A per-trust view of the quantities break points are computed from, built once a year.

Everything is an array indexed by trust id, computed with ``np.bincount`` over schools, so the
cost is linear in schools. Cluster centres and regional offices are found trust by trust, only
for trusts that have them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..leader import CEO, IMPROVEMENT_LEAD, SLE
from ..operating_model import school_autonomy
from ..school import GOOD, NO_TRUST, OUTSTANDING, REQUIRES_IMPROVEMENT, SECONDARY

if TYPE_CHECKING:
    from ..model import MATModel


@dataclass
class TrustView:
    """What the break points read about every trust this year."""

    model: MATModel
    n_schools: np.ndarray
    pupils: np.ndarray
    n_weak: np.ndarray
    n_strong: np.ndarray
    staff: np.ndarray
    leads: np.ndarray
    has_ceo: np.ndarray
    ceo_hands_on: np.ndarray
    sles: np.ndarray
    spread_km: np.ndarray
    collaboration_km: np.ndarray
    operations_km: np.ndarray
    context: np.ndarray
    unaligned: np.ndarray
    held_strong: np.ndarray
    left_weak: np.ndarray
    level: dict[str, np.ndarray]
    loads: np.ndarray | None = None  # (break point, trust), filled by the assessment
    capacities: np.ndarray | None = None

    @property
    def params(self):
        return self.model.params.break_points

    @property
    def teams(self):
        return self.model.trusts

    def lever(self, name: str, default: float = 0.0) -> np.ndarray:
        return np.array([float(getattr(t, name, default)) for t in self.model.trusts])


def _kmeans(xy: np.ndarray, k: int, seeds: np.ndarray, iterations: int = 5) -> np.ndarray:
    """A few deterministic Lloyd iterations from the given seed points; returns centres."""
    centres = xy[seeds[:k]].copy()
    for _ in range(iterations):
        d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        nearest = d.argmin(axis=1)
        for c in range(len(centres)):
            members = nearest == c
            if members.any():
                centres[c] = xy[members].mean(axis=0)
    return centres


def cluster_centres(model: MATModel, rows: np.ndarray, size: int) -> np.ndarray:
    """Collaboration clusters of about ``size`` schools, seeded at the trust's secondaries
    (the hub schools of an all-through cluster) and then at the furthest-apart schools."""
    s = model.schools_data
    xy = np.column_stack([s.x_km[rows], s.y_km[rows]])
    k = max(1, int(np.ceil(len(rows) / size)))
    hubs = np.flatnonzero(s.phase[rows] == SECONDARY)
    seeds = list(hubs[:k])
    while len(seeds) < k:  # farthest-point seeding, deterministic
        if not seeds:
            seeds.append(0)
            continue
        d = np.min(np.hypot(*(xy[:, None, :] - xy[None, seeds, :]).transpose(2, 0, 1)), axis=1)
        seeds.append(int(d.argmax()))
    return _kmeans(xy, k, np.array(seeds))


def nearest_centre_km(model: MATModel, rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    s = model.schools_data
    dx = s.x_km[rows, None] - centres[None, :, 0]
    dy = s.y_km[rows, None] - centres[None, :, 1]
    return np.hypot(dx, dy).min(axis=1)


def regional_offices(model: MATModel, rows: np.ndarray, base: np.ndarray) -> np.ndarray:
    """The base plus one hub at the centre of each region where the trust has 2+ schools."""
    s = model.schools_data
    offices = [base]
    regions, counts = np.unique(s.region[rows], return_counts=True)
    for region, count in zip(regions, counts, strict=True):
        if count >= 2:
            members = rows[s.region[rows] == region]
            offices.append(np.array([s.x_km[members].mean(), s.y_km[members].mean()]))
    return np.array(offices)


def build_view(model: MATModel, names: tuple[str, ...]) -> TrustView:
    s, leaders, p = model.schools_data, model.leaders_data, model.params
    n = len(model.trusts)
    t = s.trust
    member = np.flatnonzero(t != NO_TRUST)
    tm = t[member]

    def total(values) -> np.ndarray:
        return np.bincount(tm, weights=np.asarray(values, dtype=float)[member], minlength=n)

    def staff_count(role: int) -> np.ndarray:
        mask = leaders.active & (leaders.role == role) & (leaders.trust >= 0)
        return np.bincount(leaders.trust[mask], minlength=n).astype(float)

    n_schools = np.bincount(tm, minlength=n).astype(float)
    pupils = total(s.pupils)
    weak = s.grade >= REQUIRES_IMPROVEMENT  # public grades: what boards and the regulator see
    strong = (s.grade >= 0) & (s.grade <= GOOD)
    base = np.array([team.base_xy_km for team in model.trusts]).reshape(-1, 2)
    to_base = np.zeros(len(s))
    to_base[member] = np.hypot(s.x_km[member] - base[tm, 0], s.y_km[member] - base[tm, 1])
    safe = np.maximum(n_schools, 1.0)
    # collaboration distance: to the trust's centroid, or to the nearest cluster centre
    cx, cy = total(s.x_km) / safe, total(s.y_km) / safe
    collab = np.zeros(len(s))
    collab[member] = np.hypot(s.x_km[member] - cx[tm], s.y_km[member] - cy[tm])
    offices = to_base.copy()
    order = np.argsort(tm, kind="stable")
    starts = np.searchsorted(tm[order], np.arange(n + 1))
    for team in model.trusts:
        if not team.is_open or not (team.clusters or team.regional_operations):
            continue
        rows = member[order[starts[team.trust_id] : starts[team.trust_id + 1]]]
        if rows.size == 0:
            continue
        if team.clusters:
            collab[rows] = nearest_centre_km(
                model, rows, cluster_centres(model, rows, team.cluster_size)
            )
        if team.regional_operations:
            offices[rows] = nearest_centre_km(
                model, rows, regional_offices(model, rows, team.base_xy_km)
            )
    model.office_km = np.where(t != NO_TRUST, offices, -1.0)  # read by support allocation
    bp = p.break_points
    core_disadvantage = np.array([team.core_disadvantage for team in model.trusts])
    context = np.zeros(len(s))
    context[member] = (
        np.abs(s.disadvantage[member] - core_disadvantage[tm]) / bp.context_scale_disadvantage
        + to_base[member] / bp.context_scale_km
    )
    autonomy = school_autonomy(model)
    outstanding = s.grade == OUTSTANDING
    return TrustView(
        model=model,
        n_schools=n_schools,
        pupils=pupils,
        n_weak=total(weak),
        n_strong=total(strong),
        staff=pupils / bp.pupils_per_staff,
        leads=staff_count(IMPROVEMENT_LEAD),
        has_ceo=staff_count(CEO) > 0,
        ceo_hands_on=np.array([team.ceo_hands_on for team in model.trusts], dtype=bool),
        sles=staff_count(SLE),
        spread_km=total(to_base) / safe,
        # mean distance between collaborating schools ~ sqrt(2) x RMS distance to their centre
        collaboration_km=np.sqrt(2.0 * total(collab * collab) / safe),
        operations_km=np.divide(
            total(offices * s.pupils), pupils, out=np.zeros(n), where=pupils > 0
        ),
        context=total(context) / safe,
        unaligned=total(s.alignment < bp.unaligned_below),
        held_strong=total(outstanding * (1.0 - autonomy)),
        left_weak=total(weak * np.clip(2.0 * autonomy - 1.0, 0.0, 1.0)),
        level={
            name: np.array([team.levels.get(name, 0) for team in model.trusts]) for name in names
        },
    )
