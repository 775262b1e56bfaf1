"""Scenario discovery over a collected batch: which parameter regions lead to the runs an
outcome expression picks out (``matsim discover``).

:mod:`.language` parses the outcome expressions, :mod:`.outcomes` summarises each run of a
collected batch, :mod:`.boxes` finds PRIM or CART boxes with EMA Workbench (imported only
when searching), :mod:`.study` ties them together and :mod:`.report` writes and words the
result. Nothing here is imported by ``import simulation``.
"""

from .boxes import METHODS, Discovery, DiscoverySettings, design_matrix, discover
from .language import FUNCTIONS, OUTCOMES, Expression, ExpressionError, describe_language, parse
from .outcomes import CollectedBatch, DiscoverError, RunOutcomes, load_collected
from .report import (
    box_findings,
    findings,
    format_result,
    meets_rule,
    reading_rule,
    write_discovery,
)
from .study import DiscoveryResult, case_table, discover_batch, quantile_threshold

__all__ = [
    "FUNCTIONS",
    "METHODS",
    "OUTCOMES",
    "CollectedBatch",
    "DiscoverError",
    "Discovery",
    "DiscoveryResult",
    "DiscoverySettings",
    "Expression",
    "ExpressionError",
    "RunOutcomes",
    "box_findings",
    "case_table",
    "describe_language",
    "design_matrix",
    "discover",
    "discover_batch",
    "findings",
    "format_result",
    "load_collected",
    "meets_rule",
    "parse",
    "quantile_threshold",
    "reading_rule",
    "write_discovery",
]
