"""Governance (scale).

Load: the board's business, in school-equivalents — every school represented, each weak school
``board_weak_extra`` more (scrutiny of underperformance) and each region beyond the first
``board_region_extra`` more (different local authorities, regional schools commissioners and
communities) — all of it on a representative board, a share ``break_points.delegation_factor``
of it on a skills-based board with delegation.
Capacity: ``break_points.board_capacity_schools``. Past it, the board reviews strategy less well
and decisions land worse. Shift: a skills-based board with a scheme of delegation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..codes import GOVERNANCE
from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "governance"
SKILLS_BASED = GOVERNANCE.index("skills_based")


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    board_capacity_schools: float = param(
        8.0,
        "schools represented",
        "assumption (seed 000: a representative board is 'impractical at scale')",
        lo=1,
        hi=200,
    )
    delegation_factor: float = param(
        0.2,
        "board load per school under a skills-based board",
        "assumption: delegation to local tiers",
        lo=0.01,
        hi=1,
    )
    board_weak_extra: float = param(
        0.5,
        "school-equivalents per weak school",
        "assumption: a board spends more of its time on schools below good",
        lo=0,
        hi=10,
    )
    board_region_extra: float = param(
        1.5,
        "school-equivalents per region beyond the first",
        "assumption: each new region brings its own regulator, authorities and communities",
        lo=0,
        hi=50,
    )


def board_business(v: TrustView, p: Parameters) -> np.ndarray:
    """School-equivalents of business before the board: schools, weak ones and regions."""
    extra_regions = np.maximum(v.aggregates.n_regions - 1, 0)
    return v.n_schools + p.board_weak_extra * v.n_weak + p.board_region_extra * extra_regions


def load(v: TrustView, p: Parameters) -> np.ndarray:
    delegated = v.level[NAME] >= 1
    return board_business(v, p) * np.where(delegated, p.delegation_factor, 1.0)


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return p.board_capacity_schools * np.maximum(1, v.level[NAME])


def skills_based_board(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    v.trusts.governance[ids] = SKILLS_BASED


def starting_level(levers: Mapping[str, object]) -> int:
    """A trust that starts with a skills-based board has already made the shift."""
    return int(levers["governance"] == "skills_based")


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    label="Governance",
    description="a board representing every school becomes impractical at scale",
    explanation=Explanation(
        load="the schools represented on the board (fewer once it delegates)",
        capacity="the schools one board can govern well",
        harm="the board loses the capacity to review strategy and to make shifts",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "skills_based_board",
        "Move to a skills-based board",
        "skills-based board with delegation",
        skills_based_board,
    ),
    channels={"review": 0.6, "support": 0.15},
    parameters=Parameters,
    starting_level=starting_level,
    order=2,
)
