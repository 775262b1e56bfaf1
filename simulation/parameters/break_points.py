"""``[break_points]``: the shared settings plus every break point's own parameters.

Each break-point module (``simulation/breakpoints/<name>.py``) declares its parameters as a
small :class:`Section`; this module joins them with :class:`CoreBreakPointParams` into one flat,
frozen, validated section, so scenario files keep writing ``[break_points] falloff = ...`` and
``monitoring_gain_per_shift = ...`` side by side and ``matsim params break_points`` documents
them all. Two break points may not declare the same name.
"""

from __future__ import annotations

import dataclasses
import typing

from ..breakpoints import BREAK_POINTS
from .base import Section
from .operating import CoreBreakPointParams


def compose(parts: tuple[type[Section], ...]) -> type[Section]:
    """One frozen section whose fields are those of ``parts``, in order, names unique."""
    fields: list[tuple[str, object, dataclasses.Field]] = []
    owner: dict[str, str] = {}
    for part in parts:
        hints = typing.get_type_hints(part)
        for f in dataclasses.fields(part):
            if f.name in owner:
                raise TypeError(
                    f"break_points.{f.name} is declared by both {owner[f.name]} and "
                    f"{part.__module__}; rename one"
                )
            owner[f.name] = part.__module__
            fields.append(
                (f.name, hints[f.name], dataclasses.field(default=f.default, metadata=f.metadata))
            )
    return dataclasses.make_dataclass(
        "BreakPointParams",
        fields,
        bases=(Section,),
        frozen=True,
        namespace={
            "section_name": "break_points",
            "__doc__": "Capacities of each approach, how sharply effectiveness falls, and what "
            "shifts cost.",
            "__module__": __name__,
        },
    )


BreakPointParams = compose((CoreBreakPointParams, *(bp.parameters for bp in BREAK_POINTS)))
