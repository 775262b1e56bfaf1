"""The parameter machinery (:mod:`simulation.sections`), under its historical name."""

from ..sections import MAX_SHOWN, ParamError, Section, brief, brief_key, param, type_label

__all__ = ["MAX_SHOWN", "ParamError", "Section", "brief", "brief_key", "param", "type_label"]
