"""What a trust's operating-model levers mean for each of its schools.

The levers (``parameters.operating.OperatingModel``) set a trust's starting approach
(:func:`simulation.central_team.write_operating_model`); break-point shifts change the same
trust columns later, so a trust's current approach is always readable from
``model.trusts_data``: ``autonomy``, ``joining_policy``, ``earned_autonomy``, ``directive``,
``clusters``, ``regional_operations``, ``governance``, ``ceo_hands_on`` and ``level``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .school import NO_TRUST, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from .model import MATModel

EARNED_AUTONOMY_LEVEL = 0.85  # autonomy a strong school earns (as the 'autonomy' level)
DIRECTED_AUTONOMY_LEVEL = 0.1  # autonomy left to a weak school under directive intervention


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
    trusts = model.trusts_data
    t = s.trust[member]
    base = trusts.autonomy[t]
    # earned_autonomy codes: 0 off, 1 outstanding, 2 good = the lowest grade code earning it + 1
    earned_grade = trusts.earned_autonomy[t].astype(np.int16) - 1
    grade = s.grade[member]
    earned = (earned_grade >= 0) & (grade >= 0) & (grade <= earned_grade)
    base = np.where(earned, np.maximum(base, EARNED_AUTONOMY_LEVEL), base)
    directive = trusts.directive[t]
    weak = grade >= REQUIRES_IMPROVEMENT
    base = np.where(directive & weak, np.minimum(base, DIRECTED_AUTONOMY_LEVEL), base)
    autonomy[member] = base
    return autonomy
