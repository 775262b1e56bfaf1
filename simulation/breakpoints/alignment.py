"""Achieving alignment (scale).

Load: schools still on their own approach (alignment below ``break_points.unaligned_below``);
under 'leave as is' or 'require alignment' each counts half, since no debate is re-opened.
Capacity: ``adhoc_alignment_capacity`` plus ``policy_alignment_capacity`` per level of deliberate
joining policy. Past it, the trust's model is incoherent and support lands worse (seed 001).
Shift: a (further) deliberate policy for joiners, with the capacity to carry it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..codes import JOINING_POLICIES
from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift, no_change

if TYPE_CHECKING:
    from .view import TrustView

NAME = "alignment"
REOPEN_DEBATE = JOINING_POLICIES.index("reopen_debate")


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    unaligned_below: float = param(
        0.7, "alignment (0-1)", "assumption: a school still on its own approach", lo=0, hi=1
    )
    adhoc_alignment_capacity: float = param(
        2.0,
        "unaligned schools",
        "assumption: without a deliberate joining policy",
        lo=0,
        hi=100,
    )
    policy_alignment_capacity: float = param(
        8.0,
        "unaligned schools per policy level",
        "assumption: a deliberate joining policy (seed 000)",
        lo=0,
        hi=500,
    )


def load(v: TrustView, p: Parameters) -> np.ndarray:
    unaligned = v.total(v.model.schools_data.alignment < p.unaligned_below)
    debate = v.trusts.joining_policy == REOPEN_DEBATE
    return unaligned * np.where(debate, 1.0, 0.5)


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return p.adhoc_alignment_capacity + p.policy_alignment_capacity * v.level[NAME]


def starting_level(levers: Mapping[str, object]) -> int:
    """Every preset names a deliberate joining policy."""
    return 1


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    label="Achieving alignment",
    description="schools joining with their own approach outrun the trust's way of aligning them",
    explanation=Explanation(
        load="the schools that joined with their own approach and are not yet aligned",
        capacity="the schools the trust can bring into line at once under its joining policy",
        harm="schools pull in different directions and trust support lands less well",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "joining_policy",
        "Set a policy for joining schools",
        "a deliberate policy and capacity for joiners",
        no_change,  # the policy itself is a lever; the level adds capacity to run it
    ),
    channels={"support": 0.4},
    parameters=Parameters,
    uses=("operating_model.joining_policy",),
    starting_level=starting_level,
    order=3,
)
