"""Plain-English names for break points, shifts and event kinds: the one table every view uses.

The model, its tables and the scenario files name break points and shifts by code
(``ceo_role``, ``recruit_leads_and_monitoring``); people in a workshop or reading a paper should
never have to. The dashboard, the figures, the notebooks and the command-line timeline all ask
:func:`break_point_label` and :func:`shift_label` for the words, so a label is changed here once
and everywhere at the same time. The words for a break point and its shift live in the
break point's own module (its ``label`` and ``shift.label``), and are read from there.

A name this table does not know, e.g. a break point added later, still gets a readable label
(its code with spaces, capitalised) rather than an error, so no view breaks on a new mechanism.
"""

from __future__ import annotations

import math
from typing import Any

from .breakpoints import BREAK_POINTS, registered

# Break points and shifts carry their own plain-English names (each plug-in module's
# ``label`` and ``shift.label``); these tables are read from the shipped plug-ins.
BREAK_POINT_LABELS: dict[str, str] = {bp.name: bp.label for bp in BREAK_POINTS}
SHIFT_LABELS: dict[str, str] = {bp.shift.name: bp.shift.label for bp in BREAK_POINTS}


def _registered_labels() -> tuple[dict[str, str], dict[str, str]]:
    """Labels of every break point a model could use now (a plug-in registered at run time
    included)."""
    points = registered()
    return (
        {bp.name: bp.label for bp in points},
        {bp.shift.name: bp.shift.label for bp in points},
    )


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
    return _registered_labels()[0].get(code) or _fallback(code)


def shift_label(name: Any) -> str:
    """Plain-English name of a shift (``"ceo_steps_back"`` -> ``"CEO steps back to strategy"``).

    Falls back like :func:`break_point_label`.
    """
    code = _code(name)
    if code is None:
        return ""
    return _registered_labels()[1].get(code) or _fallback(code)


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
