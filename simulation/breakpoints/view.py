"""The year's view of every trust that break points are measured on, built once a year.

Everything is an array indexed by trust id, read from the year's :class:`TrustAggregates` and
the trust columns, so the cost is linear in schools. Collaboration clusters and regional
offices are recomputed only for trusts whose schools or cluster size changed since last year,
all of those trusts at once (:class:`TrustGeometry`); everyone else's distances are reused.
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


KMEANS_ITERATIONS = 5  # deterministic Lloyd iterations from the seed points


@dataclass
class TrustRows:
    """The schools of some trusts, trust by trust (rows in order within a trust), so that
    every trust's geometry can be measured at once: ``trust[p]`` is the position in ``ids``
    of the trust that school ``rows[p]`` belongs to and ``starts`` where each trust begins."""

    ids: np.ndarray
    rows: np.ndarray
    trust: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, agg: TrustAggregates, ids: np.ndarray) -> TrustRows:
        """The schools of trusts ``ids`` (ascending, each with at least one school)."""
        wanted = np.full(agg.n_trusts, -1)
        wanted[ids] = np.arange(len(ids))
        position = wanted[agg.trust_of_member]
        picked = np.flatnonzero(position >= 0)
        order = np.argsort(position[picked], kind="stable")
        trust = position[picked][order]
        counts = np.bincount(trust, minlength=len(ids))
        return cls(ids, agg.member[picked[order]], trust, np.cumsum(counts) - counts, counts)


def first_where(hit: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Position of the first true element of each segment (each segment has one)."""
    return np.minimum.reduceat(np.where(hit, np.arange(hit.size), hit.size), starts)


def segment_argmin(values: np.ndarray, segment: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Position of each segment's smallest value (the first of equals, like ``argmin``)."""
    return first_where(values == np.minimum.reduceat(values, starts)[segment], starts)


def segment_argmax(values: np.ndarray, segment: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Position of each segment's largest value (the first of equals, like ``argmax``)."""
    return first_where(values == np.maximum.reduceat(values, starts)[segment], starts)


def cluster_seeds(model: MATModel, g: TrustRows, k: np.ndarray) -> np.ndarray:
    """Seed schools (positions in ``g.rows``) of each trust's ``k`` clusters, trust by trust:
    its secondaries first (the hub schools of an all-through cluster), then farthest-point
    seeding — each next seed the school furthest from all seeds so far (its first school when
    it has no secondary)."""
    s = model.schools_data
    x, y = s.x_km[g.rows], s.y_km[g.rows]
    first_centre = np.cumsum(k) - k
    seeds = np.zeros(int(k.sum()), dtype=np.int64)
    hubs = np.flatnonzero(s.phase[g.rows] == SECONDARY)
    hub_trust = g.trust[hubs]
    rank = np.arange(hubs.size) - np.searchsorted(hub_trust, hub_trust)  # within its trust
    kept = rank < k[hub_trust]
    seeds[first_centre[hub_trust[kept]] + rank[kept]] = hubs[kept]
    seeded = np.minimum(np.bincount(hub_trust, minlength=len(k)), k)
    seeds[first_centre[seeded == 0]] = g.starts[seeded == 0]
    seeded = np.maximum(seeded, 1)
    if (seeded == k).all():
        return seeds
    # distance from each school to the nearest seed of its trust; revisiting a seed already
    # counted leaves the minimum unchanged, so every trust can take its m-th seed at once
    nearest = np.full(len(g.rows), np.inf)
    for m in range(int(seeded[seeded < k].max())):
        seed = seeds[(first_centre + np.minimum(m, seeded - 1))[g.trust]]
        nearest = np.minimum(nearest, np.hypot(x - x[seed], y - y[seed]))
    while (short := seeded < k).any():
        far = segment_argmax(nearest, g.trust, g.starts)
        seeds[first_centre[short] + seeded[short]] = far[short]
        seeded[short] += 1
        seed = seeds[(first_centre + seeded - 1)[g.trust]]
        nearest = np.minimum(nearest, np.hypot(x - x[seed], y - y[seed]))
    return seeds


def cluster_distances_km(model: MATModel, g: TrustRows, size: np.ndarray) -> np.ndarray:
    """Distance from each school of ``g`` to the centre of its collaboration cluster.

    Each trust's schools form clusters of about ``size`` schools: a few deterministic Lloyd
    (k-means) iterations from :func:`cluster_seeds`, all trusts at once over every (school,
    centre of its trust) pair; a centre nobody is nearest to stays where it is.
    """
    s = model.schools_data
    x, y = s.x_km[g.rows], s.y_km[g.rows]
    k = np.maximum(1, np.ceil(g.counts / size).astype(np.int64))
    seeds = cluster_seeds(model, g, k)
    per_school = k[g.trust]
    school = np.repeat(np.arange(len(g.rows)), per_school)  # pairs, school by school
    pairs_from = np.cumsum(per_school) - per_school
    centre = (np.cumsum(k) - k)[g.trust][school] + np.arange(school.size) - pairs_from[school]
    px, py = x[school], y[school]
    cx, cy = x[seeds], y[seeds]
    n_centres = len(seeds)
    previous = None
    for _ in range(KMEANS_ITERATIONS):
        d = np.hypot(px - cx[centre], py - cy[centre])
        nearest = centre[segment_argmin(d, school, pairs_from)]
        if previous is not None and np.array_equal(nearest, previous):
            break  # same clusters, same centres: the remaining iterations would change nothing
        counts = np.bincount(nearest, minlength=n_centres)
        held = counts > 0  # a centre nobody is nearest to stays where it is
        np.divide(np.bincount(nearest, weights=x, minlength=n_centres), counts, out=cx, where=held)
        np.divide(np.bincount(nearest, weights=y, minlength=n_centres), counts, out=cy, where=held)
        previous = nearest
    return np.minimum.reduceat(np.hypot(px - cx[centre], py - cy[centre]), pairs_from)


def office_distances_km(model: MATModel, g: TrustRows) -> np.ndarray:
    """Distance from each school of ``g`` to its trust's nearest office: the base, or the hub
    at the centre of each region where the trust has 2+ schools."""
    s, t = model.schools_data, model.trusts_data
    x, y = s.x_km[g.rows], s.y_km[g.rows]
    ids = g.ids[g.trust]
    best = np.hypot(x - t.base_x_km[ids], y - t.base_y_km[ids])
    region = s.region[g.rows].astype(np.int64)
    n_codes = int(region.max()) + 1
    key = g.trust * n_codes + region
    order = np.argsort(key, kind="stable")  # (trust, region) groups, rows in order within
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[first, key.size])
    hubbed = np.flatnonzero(counts >= 2)
    if hubbed.size == 0:
        return best
    xs, ys = x[order], y[order]  # a hub is numpy's mean (pairwise sums), so group by group
    spans = [(first[h], first[h] + counts[h]) for h in hubbed.tolist()]
    hub_x = np.array([xs[a:b].mean() for a, b in spans])
    hub_y = np.array([ys[a:b].mean() for a, b in spans])
    hub_trust = key[first[hubbed]] // n_codes
    n_hubs = np.bincount(hub_trust, minlength=len(g.ids))
    first_hub = np.cumsum(n_hubs) - n_hubs
    for m in range(int(n_hubs.max())):
        near = np.flatnonzero(n_hubs[g.trust] > m)
        h = first_hub[g.trust[near]] + m
        best[near] = np.minimum(best[near], np.hypot(x[near] - hub_x[h], y[near] - hub_y[h]))
    return best


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
        ids = np.flatnonzero(stale & (agg.n_schools > 0))
        g = TrustRows.of(agg, ids) if ids.size else None
        if g is not None:
            self.to_cluster_km[g.rows] = cluster_distances_km(model, g, t.cluster_size[ids])
        self.cluster_measured[stale] = key[stale]
        stale = t.is_open & t.regional_operations & (version != self.office_measured)
        ids = np.flatnonzero(stale & (agg.n_schools > 0))
        if ids.size:
            if g is None or not np.array_equal(g.ids, ids):  # often the same trusts
                g = TrustRows.of(agg, ids)
            self.to_office_km[g.rows] = office_distances_km(model, g)
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
        level=dict(zip((b.name for b in model.break_points), t.level.T.copy(), strict=True)),
    )
