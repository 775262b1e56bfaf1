"""Central operations (geography).

Load: pupil-weighted distance from schools to the office that serves them (the trust's base,
or the nearest regional hub once operations are regionalised).
Capacity: ``break_points.operations_radius_km``. Past it, the back office costs more per pupil
and its support reaches schools less well. Shift: regional hubs (``hub_cost_gbp`` each a year).
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "central_operations"


def load(v: TrustView) -> np.ndarray:
    return v.operations_km


def capacity(v: TrustView) -> np.ndarray:
    return np.full(len(v.n_schools), v.params.operations_radius_km)


def regionalise(team, v: TrustView) -> None:
    team.regional_operations = True


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="geography",
    description="one back office cannot serve schools spread far apart",
    load=load,
    capacity=capacity,
    shift=Shift(
        "regional_hubs",
        "regionalise operations into hubs",
        regionalise,
        lag_years=lambda p: p.regional_lag_years,
    ),
    channels={"operations": 1.0, "support": 0.2},
    parameters=(
        "break_points.operations_radius_km",
        "operating_model.operations",
        "break_points.hub_cost_gbp",
    ),
)
