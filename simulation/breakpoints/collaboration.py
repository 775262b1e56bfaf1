"""Collaboration (geography).

Load: typical travel distance between schools that collaborate — across the whole trust, or
within each cluster once there are clusters (estimated as sqrt(2) x the RMS distance of the
schools from the trust's or their cluster's centre).
Capacity: ``break_points.collaboration_radius_km`` (about 20 minutes apart, Robert Hill).
Past it, bringing leaders and teachers together costs too much time and peer support fades.
Shift: cluster-based collaboration groups of ``operating_model.cluster_size`` schools.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "collaboration"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    collaboration_radius_km: float = param(
        20.0,
        "km",
        "Robert Hill: collaborating schools ideally no more than 20 minutes apart",
        lo=1,
        hi=500,
    )


def collaboration_km(v: TrustView) -> np.ndarray:
    """Typical distance between collaborating schools of each trust (km)."""
    agg = v.aggregates
    s, t = v.model.schools_data, v.trusts
    member, tm = agg.member, agg.trust_of_member
    x, y = s.x_km[member], s.y_km[member]
    n = np.maximum(v.n_schools, 1.0)
    cx, cy = agg.member_total(x) / n, agg.member_total(y) / n
    to_centre = np.hypot(x - cx[tm], y - cy[tm])
    clustered = np.flatnonzero((t.is_open & t.clusters)[tm])
    to_centre[clustered] = v.model.trust_geometry.to_cluster_km[member[clustered]]
    return np.sqrt(2.0 * (agg.member_total(to_centre * to_centre) / n))


def load(v: TrustView, p: Parameters) -> np.ndarray:
    return collaboration_km(v)


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return np.full(len(v.n_schools), p.collaboration_radius_km)


def form_clusters(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    t = v.trusts
    already = ids[t.clusters[ids]]  # already clustered: smaller clusters
    t.cluster_size[already] = np.maximum(2, t.cluster_size[already] - 2)
    t.clusters[ids] = True


def starting_level(levers: Mapping[str, object]) -> int:
    return int(bool(levers["clusters"]))


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="geography",
    label="Collaboration at a distance",
    description="travel time makes trust-wide collaboration impractical",
    explanation=Explanation(
        load="the typical travel between its schools (km)",
        capacity="the distance within which schools can collaborate in person (km)",
        harm="trust-wide collaboration stops working and strong schools' help no longer "
        "crosses the trust",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "cluster_collaboration",
        "Collaborate in local clusters",
        "cluster-based collaboration groups",
        form_clusters,
    ),
    channels={"peer": 0.7, "commitment": 0.2},
    parameters=Parameters,
    uses=("operating_model.clusters", "operating_model.cluster_size"),
    starting_level=starting_level,
    order=8,
)
