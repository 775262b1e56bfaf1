"""Applying an operating model's levers to a trust, and what they mean for each school.

The levers (``parameters.operating.OperatingModel``) set a trust's starting approach; break-point
shifts change the same attributes later, so a trust's current approach is always readable from
its CentralTeam: ``autonomy``, ``joining_policy``, ``earned_autonomy``, ``directive``,
``clusters``, ``regional_operations``, ``governance``, ``ceo_hands_on`` and ``levels``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .parameters import GRADES, OperatingModel, ReviewParams
from .school import NO_TRUST, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from .central_team import CentralTeam
    from .model import MATModel

EARNED_AUTONOMY_LEVEL = 0.85  # autonomy a strong school earns (as the 'autonomy' level)
DIRECTED_AUTONOMY_LEVEL = 0.1  # autonomy left to a weak school under directive intervention


def apply_operating_model(team: CentralTeam, om: OperatingModel, review: ReviewParams) -> None:
    """Set a trust's starting approach from its operating model and review policy."""
    levers = om.resolved()
    team.operating_preset = om.preset
    team.autonomy = float(levers["autonomy"])
    team.joining_policy = str(levers["joining_policy"])
    team.earned_autonomy = str(levers["earned_autonomy"])
    team.directive = False
    team.clusters = bool(levers["clusters"])
    team.cluster_size = int(levers["cluster_size"])
    team.regional_operations = levers["operations"] == "regional"
    team.governance = str(levers["governance"])
    team.ceo_steps_back_at = int(levers["ceo_steps_back_at"])
    team.review = review
    # approach levels the break points read: 1 where the lever already provides the shift
    team.levels = {
        "governance": int(team.governance == "skills_based"),
        "alignment": 1,  # every preset names a deliberate joining policy
        "collaboration": int(team.clusters),
        "central_operations": int(team.regional_operations),
        "glass_ceiling": int(team.earned_autonomy != "off"),
    }


def school_autonomy(model: MATModel) -> np.ndarray:
    """How free each school is to follow its own approach.

    Maintained schools are fully autonomous; a trust school has its trust's autonomy, raised
    for strong schools under earned autonomy and lowered for weak schools under directive
    intervention (a clear scheme of delegation).
    """
    s = model.schools_data
    autonomy = np.ones(len(s))
    member = s.trust != NO_TRUST
    if not member.any():
        return autonomy
    teams = model.trusts
    t = s.trust[member]
    base = np.array([team.autonomy for team in teams])[t]
    earned_grade = np.array(
        [
            GRADES.index(team.earned_autonomy) if team.earned_autonomy != "off" else -1
            for team in teams
        ]
    )[t]
    grade = s.grade[member]
    earned = (earned_grade >= 0) & (grade >= 0) & (grade <= earned_grade)
    base = np.where(earned, np.maximum(base, EARNED_AUTONOMY_LEVEL), base)
    directive = np.array([team.directive for team in teams], dtype=bool)[t]
    weak = grade >= REQUIRES_IMPROVEMENT
    base = np.where(directive & weak, np.minimum(base, DIRECTED_AUTONOMY_LEVEL), base)
    autonomy[member] = base
    return autonomy
