"""Achieving alignment (scale).

Load: schools still on their own approach (alignment below ``break_points.unaligned_below``);
under 'leave as is' or 'require alignment' each counts half, since no debate is re-opened.
Capacity: ``adhoc_alignment_capacity`` plus ``policy_alignment_capacity`` per level of deliberate
joining policy. Past it, the trust's model is incoherent and support lands worse (seed 001).
Shift: a (further) deliberate policy for joiners, with the capacity to carry it out.
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "alignment"


def load(v: TrustView) -> np.ndarray:
    debate = np.array([t.joining_policy == "reopen_debate" for t in v.teams], dtype=bool)
    return v.unaligned * np.where(debate, 1.0, 0.5)


def capacity(v: TrustView) -> np.ndarray:
    p = v.params
    return p.adhoc_alignment_capacity + p.policy_alignment_capacity * v.level[NAME]


def deliberate_policy(team, v: TrustView) -> None:
    """The policy itself is the operating model's lever; the shift adds capacity to run it."""


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    description="schools joining with their own approach outrun the trust's way of aligning them",
    load=load,
    capacity=capacity,
    shift=Shift(
        "joining_policy", "a deliberate policy and capacity for joiners", deliberate_policy
    ),
    channels={"support": 0.4},
    parameters=(
        "operating_model.joining_policy",
        "break_points.unaligned_below",
        "break_points.adhoc_alignment_capacity",
        "break_points.policy_alignment_capacity",
    ),
)
