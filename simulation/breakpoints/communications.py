"""Communications & cohesion (scale).

Load: staff in the trust (pupils / ``break_points.pupils_per_staff``).
Capacity: ``break_points.event_capacity_staff`` — trust-wide events keep everyone together — times
``comms_gain_per_shift`` per shift. Past it, commitment and the help strong schools give fall.
Shift: cluster networks and a communications function (``comms_cost_gbp`` a year).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift, no_change

if TYPE_CHECKING:
    from .view import TrustView

NAME = "communications"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    pupils_per_staff: float = param(
        9.0,
        "pupils per staff member",
        "assumption: DfE School Workforce, teachers and support staff together",
        lo=1,
        hi=50,
    )
    event_capacity_staff: float = param(
        600.0,
        "staff",
        "assumption (seed 000: staff 'too large to meet as a single group')",
        lo=10,
        hi=100_000,
    )
    comms_gain_per_shift: float = param(
        4.0, "x staff capacity per communications shift", "assumption", lo=1, hi=50
    )
    comms_cost_gbp: float = param(
        45_000.0, "GBP per year for a communications function", "assumption", lo=0, hi=1e7
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    return v.pupils / p.pupils_per_staff


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return p.event_capacity_staff * p.comms_gain_per_shift ** v.level[NAME]


def recurring_cost(v: TrustView, p: Parameters) -> np.ndarray:
    """The communications function costs ``comms_cost_gbp`` a year per level."""
    return v.level[NAME] * p.comms_cost_gbp


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    label="Communications and cohesion",
    description="staff become too many to meet as one group; messages and identity thin out",
    explanation=Explanation(
        load="the staff across the trust",
        capacity="the staff that trust-wide events and messages can reach",
        harm="messages and shared identity thin out, and staff commitment and peer help fall",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "cluster_networks_and_comms",
        "Cluster networks and a comms team",
        "cluster networks and a communications function",
        no_change,
    ),
    channels={"commitment": 0.5, "peer": 0.3},
    parameters=Parameters,
    recurring_cost=recurring_cost,
    order=4,
)
