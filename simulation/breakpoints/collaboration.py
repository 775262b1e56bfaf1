"""Collaboration (geography).

Load: typical travel distance between schools that collaborate — across the whole trust, or
within each cluster once there are clusters (estimated as sqrt(2) x the RMS distance of the
schools from the trust's or their cluster's centre).
Capacity: ``break_points.collaboration_radius_km`` (about 20 minutes apart, Robert Hill).
Past it, bringing leaders and teachers together costs too much time and peer support fades.
Shift: cluster-based collaboration groups of ``operating_model.cluster_size`` schools.
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "collaboration"


def load(v: TrustView) -> np.ndarray:
    return v.collaboration_km


def capacity(v: TrustView) -> np.ndarray:
    return np.full(len(v.n_schools), v.params.collaboration_radius_km)


def form_clusters(team, v: TrustView) -> None:
    if team.clusters:
        team.cluster_size = max(2, team.cluster_size - 2)  # already clustered: smaller ones
    team.clusters = True


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="geography",
    description="travel time makes trust-wide collaboration impractical",
    load=load,
    capacity=capacity,
    shift=Shift("cluster_collaboration", "cluster-based collaboration groups", form_clusters),
    channels={"peer": 0.7, "commitment": 0.2},
    parameters=(
        "break_points.collaboration_radius_km",
        "operating_model.clusters",
        "operating_model.cluster_size",
    ),
)
