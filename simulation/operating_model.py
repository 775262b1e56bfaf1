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

from .school import INADEQUATE, NO_GRADE, NO_TRUST, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from .model import MATModel

EARNED_AUTONOMY_LEVEL = 0.85  # autonomy a strong school earns (as the 'autonomy' level)
DIRECTED_AUTONOMY_LEVEL = 0.1  # autonomy left to a weak school under directive intervention
GRADE_CODES = np.arange(NO_GRADE, INADEQUATE + 1)  # ungraded, outstanding .. inadequate


def school_autonomy(model: MATModel) -> np.ndarray:
    """How free each school is to follow its own approach.

    Maintained schools are fully autonomous; a trust school has its trust's autonomy, raised
    for strong schools under earned autonomy and lowered for weak schools under directive
    intervention (a clear scheme of delegation). Worked out once per (trust, grade) and then
    looked up for each school: a school's autonomy depends on nothing else.
    """
    s = model.schools_data
    autonomy = np.ones(len(s))
    member = np.flatnonzero(s.trust != NO_TRUST)
    if not member.size:
        return autonomy
    trusts = model.trusts_data
    grade = GRADE_CODES[None, :]
    # earned_autonomy codes: 0 off, 1 outstanding, 2 good = the lowest grade code earning it + 1
    earned_grade = trusts.earned_autonomy.astype(np.int16)[:, None] - 1
    level = np.broadcast_to(trusts.autonomy[:, None], (len(trusts), GRADE_CODES.size))
    earned = (earned_grade >= 0) & (grade >= 0) & (grade <= earned_grade)
    level = np.where(earned, np.maximum(level, EARNED_AUTONOMY_LEVEL), level)
    directed = trusts.directive[:, None] & (grade >= REQUIRES_IMPROVEMENT)
    level = np.where(directed, np.minimum(level, DIRECTED_AUTONOMY_LEVEL), level)
    code = np.clip(s.grade[member], NO_GRADE, INADEQUATE).astype(np.int64) - NO_GRADE
    autonomy[member] = level.ravel()[s.trust[member] * GRADE_CODES.size + code]
    return autonomy
