"""The year's view of every trust that break points are measured on, built once a year.

Everything is an array indexed by trust id, read from the year's :class:`TrustAggregates` and
the trust columns, so the cost is linear in schools. Collaboration clusters and regional
offices are recomputed only for trusts whose schools or cluster size changed since last year
(:class:`TrustGeometry`); everyone else's distances are reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..aggregates import TrustAggregates, trust_aggregates
from ..codes import SECONDARY

if TYPE_CHECKING:
    from ..columns import ColumnStore
    from ..model import MATModel
    from .base import BreakPoint


def _kmeans(xy: np.ndarray, k: int, seeds: np.ndarray, iterations: int = 5) -> np.ndarray:
    """A few deterministic Lloyd iterations from the given seed points; returns centres."""
    centres = xy[seeds[:k]].copy()
    for _ in range(iterations):
        d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        nearest = d.argmin(axis=1)
        counts = np.bincount(nearest, minlength=k)
        held = counts > 0  # a centre nobody is nearest to stays where it is
        for axis in (0, 1):
            sums = np.bincount(nearest, weights=xy[:, axis], minlength=k)
            centres[held, axis] = sums[held] / counts[held]
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


@dataclass
class TrustGeometry:
    """Distances from each school to its collaboration cluster's centre and to its nearest
    office, kept between years and recomputed only for trusts whose membership (or cluster
    size) has changed since they were measured.

    ``cluster_measured`` and ``office_measured`` hold, per trust, the membership version (and
    cluster size) the distances were measured at; -1 where never measured.
    """

    to_cluster_km: np.ndarray
    to_office_km: np.ndarray
    cluster_measured: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    office_measured: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def for_schools(cls, n_schools: int) -> TrustGeometry:
        return cls(np.zeros(n_schools), np.zeros(n_schools))

    def update(self, model: MATModel, agg: TrustAggregates) -> None:
        """Re-measure the trusts with clusters or regional operations whose schools moved."""
        t = model.trusts_data
        n = len(t)
        grow = n - len(self.office_measured)
        if grow > 0:
            self.cluster_measured = np.vstack(
                [self.cluster_measured, np.full((grow, 2), -1, dtype=np.int64)]
            )
            self.office_measured = np.concatenate(
                [self.office_measured, np.full(grow, -1, dtype=np.int64)]
            )
        version = model.membership_version
        key = np.column_stack([version, t.cluster_size])
        stale = t.is_open & t.clusters & (key != self.cluster_measured).any(axis=1)
        for i in np.flatnonzero(stale).tolist():
            rows = agg.rows_of(i)
            if rows.size:
                centres = cluster_centres(model, rows, int(t.cluster_size[i]))
                self.to_cluster_km[rows] = nearest_centre_km(model, rows, centres)
        self.cluster_measured[stale] = key[stale]
        stale = t.is_open & t.regional_operations & (version != self.office_measured)
        for i in np.flatnonzero(stale).tolist():
            rows = agg.rows_of(i)
            if rows.size:
                base = np.array([t.base_x_km[i], t.base_y_km[i]])
                offices = regional_offices(model, rows, base)
                self.to_office_km[rows] = nearest_centre_km(model, rows, offices)
        self.office_measured[stale] = version[stale]


@dataclass
class TrustView:
    """What the break points read about every trust this year (arrays by trust id).

    Generic measures live here; a break point computes anything particular to it from
    ``aggregates`` (per-trust sums over schools) and ``school_autonomy`` (per school).
    """

    model: MATModel
    aggregates: TrustAggregates
    n_schools: np.ndarray
    pupils: np.ndarray
    n_weak: np.ndarray
    n_strong: np.ndarray
    leads: np.ndarray
    has_ceo: np.ndarray
    ceo_cover: np.ndarray  # 1 with a CEO in post, an interim's share while the post is vacant
    ceo_hands_on: np.ndarray
    governed: np.ndarray  # break points apply: open multi-academy trusts
    sles: np.ndarray
    spread_km: np.ndarray
    office_km: np.ndarray  # per school: distance to the office serving it (-1 outside trusts)
    school_autonomy: np.ndarray  # per school: how free it is to follow its own approach
    level: dict[str, np.ndarray]
    loads: np.ndarray | None = None  # (break point, trust), filled by the assessment
    capacities: np.ndarray | None = None

    @property
    def trusts(self) -> ColumnStore:
        """The trust columns: levers, growth strategy, finances."""
        return self.model.trusts_data

    def settings(self, bp: BreakPoint) -> Any:
        """The break point's own parameters (built once per model)."""
        return self.model.break_point_settings[bp.name]

    def total(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-school quantity over each trust's schools."""
        return self.aggregates.total(values)

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of a per-school quantity over each trust's schools (0 for an empty trust)."""
        return self.total(values) / np.maximum(self.n_schools, 1.0)


def build_view(model: MATModel, agg: TrustAggregates | None = None) -> TrustView:
    """The view of all trusts from this year's aggregates and the trusts' current levers."""
    from ..central_team import multi_academy
    from ..operating_model import school_autonomy

    agg = trust_aggregates(model) if agg is None else agg
    s, t = model.schools_data, model.trusts_data
    member, tm = agg.member, agg.trust_of_member
    model.trust_geometry.update(model, agg)
    offices = np.full(len(s), -1.0)
    offices[member] = agg.to_base_km
    regional = member[(t.is_open & t.regional_operations)[tm]]
    offices[regional] = model.trust_geometry.to_office_km[regional]
    staff = agg.staff
    has_ceo = staff.ceos > 0
    governed = t.is_open & multi_academy(model, agg.n_schools)
    return TrustView(
        model=model,
        aggregates=agg,
        n_schools=agg.n_schools,
        pupils=agg.pupils,
        n_weak=agg.n_weak,
        n_strong=agg.n_strong,
        leads=staff.leads,
        has_ceo=has_ceo,
        ceo_cover=np.where(has_ceo, 1.0, model.params.central_team.interim_ceo_share * governed),
        ceo_hands_on=t.ceo_hands_on.copy(),
        governed=governed,
        sles=staff.sles,
        spread_km=agg.spread_km,
        office_km=offices,
        school_autonomy=school_autonomy(model),
        level={b.name: t.level[:, j].copy() for j, b in enumerate(model.break_points)},
    )
