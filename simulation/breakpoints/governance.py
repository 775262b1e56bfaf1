"""Governance (scale).

Load: schools represented on the board — every school on a representative board, a share
``break_points.delegation_factor`` of them on a skills-based board with delegation.
Capacity: ``break_points.board_capacity_schools``. Past it, the board reviews strategy less well
and decisions land worse. Shift: a skills-based board with a scheme of delegation.
"""

from __future__ import annotations

import numpy as np

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "governance"


def load(v: TrustView) -> np.ndarray:
    delegated = v.level[NAME] >= 1
    return v.n_schools * np.where(delegated, v.params.delegation_factor, 1.0)


def capacity(v: TrustView) -> np.ndarray:
    return v.params.board_capacity_schools * np.maximum(1, v.level[NAME])


def skills_based_board(team, v: TrustView) -> None:
    team.governance = "skills_based"


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    description="a board representing every school becomes impractical at scale",
    load=load,
    capacity=capacity,
    shift=Shift("skills_based_board", "skills-based board with delegation", skills_based_board),
    channels={"review": 0.6, "support": 0.15},
    parameters=("break_points.board_capacity_schools", "break_points.delegation_factor"),
)
