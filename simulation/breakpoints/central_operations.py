"""Central operations (geography).

Load: pupil-weighted distance from schools to the office that serves them (the trust's base,
or the nearest regional hub once operations are regionalised).
Capacity: ``break_points.operations_radius_km``. Past it, the back office costs more per pupil
and its support reaches schools less well. Shift: regional hubs (``hub_cost_gbp`` each a year).
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

NAME = "central_operations"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    operations_radius_km: float = param(
        35.0, "km", "assumption: a single back office serves schools this far", lo=1, hi=1_000
    )
    hub_cost_gbp: float = param(
        120_000.0, "GBP per regional hub per year", "assumption", lo=0, hi=1e7
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    s = v.model.schools_data
    served = np.maximum(v.office_km, 0.0) * s.pupils
    return np.divide(v.total(served), v.pupils, out=np.zeros(len(v.pupils)), where=v.pupils > 0)


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return np.full(len(v.n_schools), p.operations_radius_km)


def regionalise(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    v.trusts.regional_operations[ids] = True


def recurring_cost(v: TrustView, p: Parameters) -> np.ndarray:
    """A regional hub in every region beyond the first, once operations are regional."""
    regional = v.trusts.regional_operations
    if not regional.any():
        return np.zeros(len(v.n_schools))
    hubs = np.where(regional, np.maximum(v.aggregates.n_regions - 1, 0), 0)
    return hubs * p.hub_cost_gbp


def starting_level(levers: Mapping[str, object]) -> int:
    return int(levers["operations"] == "regional")


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="geography",
    label="Central operations",
    description="one back office cannot serve schools spread far apart",
    explanation=Explanation(
        load="how far the back office's work is spread (km)",
        capacity="the distance one back office can serve (km)",
        harm="the back office becomes less efficient and central cost per pupil rises",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "regional_hubs",
        "Open regional hubs",
        "regionalise operations into hubs",
        regionalise,
        lag_years=lambda core: core.regional_lag_years,
    ),
    channels={"operations": 1.0, "support": 0.2},
    parameters=Parameters,
    uses=("operating_model.operations",),
    recurring_cost=recurring_cost,
    starting_level=starting_level,
    order=9,
)
