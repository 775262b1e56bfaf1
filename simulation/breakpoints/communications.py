"""Communications & cohesion (scale).

Load: staff in the trust (pupils / ``break_points.pupils_per_staff``).
Capacity: ``break_points.event_capacity_staff`` — trust-wide events keep everyone together — times
``comms_gain_per_shift`` per shift. Past it, commitment and the help strong schools give fall.
Shift: cluster networks and a communications function (``comms_cost_gbp`` a year).
"""

from __future__ import annotations

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "communications"


def load(v: TrustView):
    return v.staff


def capacity(v: TrustView):
    p = v.params
    return p.event_capacity_staff * p.comms_gain_per_shift ** v.level[NAME]


def comms_function(team, v: TrustView) -> None:
    """Recurring cost is charged from the level (see review.recurring_shift_costs)."""


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    description="staff become too many to meet as one group; messages and identity thin out",
    load=load,
    capacity=capacity,
    shift=Shift(
        "cluster_networks_and_comms",
        "cluster networks and a communications function",
        comms_function,
    ),
    channels={"commitment": 0.5, "peer": 0.3},
    parameters=(
        "break_points.pupils_per_staff",
        "break_points.event_capacity_staff",
        "break_points.comms_gain_per_shift",
        "break_points.comms_cost_gbp",
    ),
)
