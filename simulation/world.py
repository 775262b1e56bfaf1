"""The synthetic map: regions laid side by side, towns inside them, schools around towns.

Positions are in km. One static :class:`scipy.spatial.cKDTree` over school positions answers
every neighbour query, so no step is quadratic in the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.spatial import cKDTree

from .parameters import WorldParams


@dataclass
class Geography:
    """Where things are: region squares, town centres and each school's position."""

    region_origin_km: np.ndarray  # (n_regions, 2) lower-left corner of each region
    region_size_km: float
    town_xy_km: np.ndarray  # (n_towns, 2)
    town_region: np.ndarray  # (n_towns,)
    school_xy_km: np.ndarray  # (n_schools, 2)
    school_region: np.ndarray  # (n_schools,)
    school_town: np.ndarray  # (n_schools,), -1 for rural schools
    tree: cKDTree
    admission_area: np.ndarray | None = None  # (n_schools,) group of schools pupils choose from

    @property
    def extent_km(self) -> tuple[float, float, float, float]:
        lo = self.region_origin_km.min(axis=0)
        hi = self.region_origin_km.max(axis=0) + self.region_size_km
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])

    def admission_areas(self, phase: np.ndarray) -> np.ndarray:
        """Which schools pupils choose between: one phase in one town, or in a region's
        countryside; numbered 0, 1, ... (schools do not move, so this is fixed)."""
        n_towns = len(self.town_xy_km)
        area = np.where(self.school_town >= 0, self.school_town, n_towns + self.school_region)
        _, group = np.unique(area.astype(np.int64) * 4 + phase, return_inverse=True)
        return group

    def region_centre_km(self, region: int | np.ndarray) -> np.ndarray:
        """Centre of a region (or of each of an array of regions, one row each)."""
        return self.region_origin_km[region] + self.region_size_km / 2


def region_origins(n_regions: int, size_km: float, gap_km: float) -> np.ndarray:
    """Regions on a near-square grid, so a 9-region England is 3 x 3 regions."""
    cols = int(np.ceil(np.sqrt(n_regions)))
    idx = np.arange(n_regions)
    step = size_km + gap_km
    return np.column_stack([(idx % cols) * step, (idx // cols) * step]).astype(float)


def build_geography(p: WorldParams, rng: np.random.Generator) -> Geography:
    """Place regions, towns and schools. Town sizes are skewed (a few large towns)."""
    origins = region_origins(p.n_regions, p.region_size_km, p.region_gap_km)
    n_towns = p.n_regions * p.towns_per_region
    town_region = np.repeat(np.arange(p.n_regions), p.towns_per_region)
    margin = 0.1 * p.region_size_km
    town_xy = origins[town_region] + rng.uniform(
        margin, p.region_size_km - margin, size=(n_towns, 2)
    )
    town_weight = rng.pareto(1.5, size=n_towns) + 1.0  # skewed town sizes (assumption)
    town_weight /= town_weight.sum()

    n = p.n_schools
    rural = rng.random(n) < p.rural_share
    school_town = np.where(rural, -1, rng.choice(n_towns, size=n, p=town_weight))
    xy = np.empty((n, 2))
    in_town = school_town >= 0
    xy[in_town] = town_xy[school_town[in_town]] + rng.normal(
        0.0, p.town_spread_km, size=(int(in_town.sum()), 2)
    )
    rural_region = rng.integers(0, p.n_regions, size=int(rural.sum()))
    xy[rural] = origins[rural_region] + rng.uniform(
        0, p.region_size_km, size=(len(rural_region), 2)
    )
    school_region = np.where(in_town, town_region[np.maximum(school_town, 0)], 0)
    school_region[rural] = rural_region
    # keep schools inside their region's square
    lo = origins[school_region]
    xy = np.clip(xy, lo, lo + p.region_size_km)
    return Geography(
        region_origin_km=origins,
        region_size_km=p.region_size_km,
        town_xy_km=town_xy,
        town_region=town_region,
        school_xy_km=xy,
        school_region=school_region.astype(np.int32),
        school_town=school_town.astype(np.int32),
        tree=cKDTree(xy),
    )


def distance_decay(distance_km: np.ndarray | float, halving_km: float) -> np.ndarray:
    """Share of support that survives travel: halves every ``halving_km``."""
    return np.power(0.5, np.asarray(distance_km) / halving_km)


@dataclass
class NeighbourPairs:
    """Each school's nearest neighbours as flat pair arrays, grouped by school.

    The pairs of school ``i`` are ``starts[i]:starts[i + 1]``; ``decay`` is the share of support
    that survives the trip (:func:`distance_decay`). Schools do not move, so this is built once.
    """

    school: np.ndarray
    neighbour: np.ndarray
    distance_km: np.ndarray
    starts: np.ndarray
    decay: np.ndarray

    def of(self, schools: np.ndarray) -> np.ndarray:
        """Indices of the pairs of ``schools`` (in school order, then neighbour order)."""
        first, last = self.starts[schools], self.starts[schools + 1]
        counts = last - first
        offsets = np.repeat(first - (np.cumsum(counts) - counts), counts)
        return offsets + np.arange(int(counts.sum()))

    def around(self, schools: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the pairs of ``schools`` (as :meth:`of`) and the school of each pair,
        repeated from ``schools`` rather than gathered from ``school``."""
        counts = self.starts[schools + 1] - self.starts[schools]
        return self.of(schools), np.repeat(schools, counts)

    @cached_property
    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """The pairs as a (school, slot) table: ``neighbour`` and ``decay`` of each school's
        pairs in order, left-aligned; empty slots hold neighbour ``n`` (no school) and decay 0.
        Gathering a few schools' rows is cheaper than expanding their pairs with :meth:`of`."""
        n = len(self.starts) - 1
        counts = np.diff(self.starts)
        width = int(counts.max()) if n else 0
        slot = np.arange(len(self.school)) - np.repeat(self.starts[:-1], counts)
        neighbour = np.full((n, width), n, dtype=self.neighbour.dtype)
        decay = np.zeros((n, width))
        neighbour[self.school, slot] = self.neighbour
        decay[self.school, slot] = self.decay
        return neighbour, decay


def neighbour_pairs(tree: cKDTree, k: int, radius_km: float, halving_km: float) -> NeighbourPairs:
    """The ``k`` nearest other schools within ``radius_km`` of each school."""
    n = tree.n
    k_eff = min(k + 1, n)
    dist, idx = tree.query(tree.data, k=k_eff, distance_upper_bound=radius_km)
    dist, idx = np.atleast_2d(dist), np.atleast_2d(idx)
    src = np.repeat(np.arange(n), k_eff).reshape(n, k_eff)
    keep = (idx < n) & (idx != src)
    school, neighbour, distance = src[keep], idx[keep], dist[keep]
    starts = np.searchsorted(school, np.arange(n + 1))
    return NeighbourPairs(school, neighbour, distance, starts, distance_decay(distance, halving_km))
