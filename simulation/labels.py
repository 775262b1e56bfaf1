"""Plain-English names for break points, shifts and event kinds: the one table every view uses.

The model, its tables and the scenario files name break points and shifts by code
(``ceo_role``, ``recruit_leads_and_monitoring``); people in a workshop or reading a paper should
never have to. The dashboard, the figures, the notebooks and the command-line timeline all ask
:func:`break_point_label` and :func:`shift_label` for the words, so a label is changed here once
and everywhere at the same time. (Break points are becoming self-contained plug-ins that carry
their own label text; these two functions are the seam where that text will be read.)

A name this table does not know, e.g. a break point added later, still gets a readable label
(its code with spaces, capitalised) rather than an error, so no view breaks on a new mechanism.
"""

from __future__ import annotations

import math
from typing import Any

BREAK_POINT_LABELS: dict[str, str] = {
    "oversight": "Oversight and accountability",
    "governance": "Governance",
    "alignment": "Achieving alignment",
    "communications": "Communications and cohesion",
    "ceo_role": "The CEO's role",
    "golden_rule": "Capacity (the golden rule)",
    "curriculum": "Curriculum fit",
    "collaboration": "Collaboration at a distance",
    "central_operations": "Central operations",
    "glass_ceiling": "Glass ceiling",
    "glass_floor": "Glass floor",
    "single_source": "Single-source intelligence",
}

SHIFT_LABELS: dict[str, str] = {
    "recruit_leads_and_monitoring": "Recruit leads and tighten monitoring",
    "skills_based_board": "Move to a skills-based board",
    "joining_policy": "Set a policy for joining schools",
    "cluster_networks_and_comms": "Cluster networks and a comms team",
    "ceo_steps_back": "CEO steps back to strategy",
    "pause_and_build_capacity": "Pause growth to build capacity",
    "local_curriculum_adaptation": "Adapt the curriculum locally",
    "cluster_collaboration": "Collaborate in local clusters",
    "regional_hubs": "Open regional hubs",
    "earned_autonomy": "Earned autonomy for strong schools",
    "directive_intervention": "Directive intervention in weak schools",
    "standardised_reporting": "Standardised reporting from several sources",
}

# Inspection grades (codes as in simulation.parameters.GRADES), as Ofsted says them.
GRADE_LABELS: dict[str, str] = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
NOT_INSPECTED = "Not inspected"

# The three break-point event kinds, as a legend says them.
EVENT_KIND_LABELS: dict[str, str] = {
    "crossing": "crossing: the load passed capacity",
    "shift": "shift: a new way of working",
    "recovery": "recovery: back within capacity",
}


def _code(name: Any) -> str | None:
    """The code as text, or None for a missing value (None, NaN, empty)."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return None
    text = str(name).strip()
    return None if text.lower() in ("", "nan", "none", "<na>") else text


def _fallback(code: str) -> str:
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def break_point_label(name: Any) -> str:
    """Plain-English name of a break point (``"ceo_role"`` -> ``"The CEO's role"``).

    Unknown codes read as their words (``"new_thing"`` -> ``"New thing"``); a missing value
    gives ``""``, so a table cell stays empty instead of showing ``nan``.
    """
    code = _code(name)
    if code is None:
        return ""
    return BREAK_POINT_LABELS.get(code) or _fallback(code)


def shift_label(name: Any) -> str:
    """Plain-English name of a shift (``"ceo_steps_back"`` -> ``"CEO steps back to strategy"``).

    Falls back like :func:`break_point_label`.
    """
    code = _code(name)
    if code is None:
        return ""
    return SHIFT_LABELS.get(code) or _fallback(code)


def grade_label(grade: Any) -> str:
    """An inspection grade in Ofsted's words; a missing grade is "Not inspected"."""
    code = _code(grade)
    if code is None:
        return NOT_INSPECTED
    return GRADE_LABELS.get(code) or _fallback(code)


def event_kind_label(kind: Any) -> str:
    """What a crossing, shift or recovery is, for a legend; other kinds read as their words."""
    code = _code(kind)
    if code is None:
        return ""
    return EVENT_KIND_LABELS.get(code) or _fallback(code)
