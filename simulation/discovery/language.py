"""The outcome expressions of ``matsim discover``: which runs are "cases of interest".

A researcher writes a condition on one run's outcomes, on the command line::

    unrecovered(collaboration, 3)
    trust_value_added_mean < 0 and crossed(golden_rule)
    years_past(any) >= 5 or trust_closed

The syntax is a small subset of Python expressions, parsed with :mod:`ast` and evaluated here
node by node over numpy arrays (one value per run). Nothing is ever passed to ``eval``: names
must be documented outcomes (:data:`OUTCOMES`), calls must be documented functions
(:data:`FUNCTIONS`) with a break-point name and, for ``unrecovered``, a whole number of years;
everything else (attributes, subscripts, strings outside a call, lambdas, keywords ...) is
refused with one line naming the expression and what is allowed.

Allowed: numbers, ``True``/``False``, outcome names, the functions, ``+ - * /``, comparisons
``< <= > >= == !=`` (chains like ``0 < x < 1`` too), ``and``/``or``/``not`` and parentheses.
Types are checked before any data is read: the whole expression must be a condition, ``and``
needs conditions on both sides, arithmetic needs numbers. A comparison with a missing value
(e.g. the final value of a trust that closed) is false.
"""

from __future__ import annotations

import ast
import difflib
import operator
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..breakpoints import BREAK_POINTS
from ..compare import outcome_descriptions

MAX_LENGTH = 500
ANY = "any"
BREAK_POINT_NAMES = tuple(bp.name for bp in BREAK_POINTS)

# The trust's outcomes beyond those matsim compare reports (its size, closure, weak share).
TRUST_EXTRAS = {
    "trust_schools_start": "the trust's schools in year 0 (schools)",
    "trust_schools_final": "the trust's schools in the final year; missing if it closed (schools)",
    "trust_schools_max": "the most schools the trust ran in any year (schools)",
    "trust_share_weak_mean": "the trust's share of weak schools (requires improvement or "
    "inadequate), mean of years 1..end (fraction of schools)",
    "trust_closed": "condition: the trust no longer exists in the final year (closed or merged)",
}
OUTCOMES: dict[str, str] = {**outcome_descriptions(0), **TRUST_EXTRAS}
"""Every name an expression may use, with its meaning: one number (or condition) per run.
``trust_*`` names describe the focus trust (``--trust-id``, default 0: Oak Trust in the
question scenarios). Years 1..end only: year 0 is the shared starting world."""
CONDITIONS = frozenset({"trust_closed"})


@dataclass(frozen=True)
class Function:
    """One documented function: its call signature, result type and meaning."""

    signature: str
    returns: str  # "condition" or "number"
    description: str
    needs_years: bool = False


FUNCTIONS: dict[str, Function] = {
    "crossed": Function(
        "crossed(bp)", "condition", "the trust crossed break point bp in years 1..end"
    ),
    "unrecovered": Function(
        "unrecovered(bp, years)",
        "condition",
        "the trust crossed bp in years 1..end-years and had not recovered from that crossing "
        "(its load/capacity back to 1 or below) within `years` years; crossings too close to "
        "the end to tell do not count",
        needs_years=True,
    ),
    "shifted": Function(
        "shifted(bp)", "condition", "the trust made bp's shift (new approach) in years 1..end"
    ),
    "crossings": Function("crossings(bp)", "number", "the trust's crossings of bp, years 1..end"),
    "years_past": Function(
        "years_past(bp)", "number", "years 1..end in which the trust's bp load/capacity was above 1"
    ),
    "first_crossing": Function(
        "first_crossing(bp)",
        "number",
        "the year of the trust's first crossing of bp in years 1..end; missing if none",
    ),
}

_COMPARE: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITHMETIC: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
ALLOWED = (
    "outcome names, numbers, True/False, + - * /, comparisons (< <= > >= == !=), and/or/not, "
    "parentheses and the functions " + ", ".join(f.signature for f in FUNCTIONS.values())
)


class ExpressionError(ValueError):
    """An outcome expression cannot be used; the message is one line naming it."""


class Outcomes(Protocol):
    """What an expression is evaluated against: one value per run, in one run order."""

    n_runs: int

    def column(self, name: str) -> np.ndarray: ...

    def call(self, function: str, break_point: str, years: int | None) -> np.ndarray: ...


@dataclass(frozen=True)
class Expression:
    """A checked outcome expression; :meth:`evaluate` gives one boolean per run."""

    text: str
    tree: ast.Expression

    @property
    def names(self) -> list[str]:
        """The outcome names it uses, in order of appearance."""
        found = [n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name) and n.id in OUTCOMES]
        return list(dict.fromkeys(found))

    @property
    def functions(self) -> list[str]:
        """The functions it calls, in order of appearance."""
        found = [n.func.id for n in ast.walk(self.tree) if isinstance(n, ast.Call)]
        return list(dict.fromkeys(found))

    def evaluate(self, outcomes: Outcomes) -> np.ndarray:
        """One boolean per run: whether the run is a case of interest."""
        with np.errstate(invalid="ignore", divide="ignore"):
            value = _Evaluator(outcomes).visit(self.tree.body)
        return np.broadcast_to(np.asarray(value, dtype=bool), (outcomes.n_runs,)).copy()


def parse(text: str) -> Expression:
    """Check ``text`` and return it as an :class:`Expression`; raises ExpressionError."""
    shown = text if len(text) <= 80 else text[:77] + "..."
    if not text.strip():
        raise ExpressionError(f"outcome expression is empty; write a condition using {ALLOWED}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"outcome expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        raise ExpressionError(
            f"outcome expression {shown!r}: not a valid expression ({err.msg}{where}); "
            f"allowed: {ALLOWED}"
        ) from None
    kind = _Checker(shown).visit(tree.body)
    if kind != "condition":
        raise ExpressionError(
            f"outcome expression {shown!r} is a number, not a condition; compare it, "
            "e.g. 'trust_value_added_mean < 0'"
        )
    return Expression(text.strip(), tree)


class _Checker(ast.NodeVisitor):
    """Refuses anything outside the language; returns each node's type (condition/number)."""

    def __init__(self, shown: str):
        self.shown = shown

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(f"outcome expression {self.shown!r}: {message}")

    def generic_visit(self, node: ast.AST) -> str:
        what = type(getattr(node, "op", node)).__name__
        if isinstance(node, (ast.BitAnd, ast.BitOr, ast.Invert)) or isinstance(
            getattr(node, "op", None), (ast.BitAnd, ast.BitOr, ast.Invert)
        ):
            raise self.fail("use 'and', 'or', 'not' to combine conditions, not & | ~")
        raise self.fail(f"{what} is not allowed; allowed: {ALLOWED}")

    def visit_Constant(self, node: ast.Constant) -> str:
        if isinstance(node.value, bool):
            return "condition"
        if isinstance(node.value, (int, float)):
            return "number"
        if isinstance(node.value, str):
            raise self.fail(
                f"{node.value!r} is not allowed here; break-point names go inside a function, "
                "e.g. crossed(collaboration)"
            )
        raise self.fail(f"{node.value!r} is not allowed; allowed: {ALLOWED}")

    def visit_Name(self, node: ast.Name) -> str:
        if node.id in OUTCOMES:
            return "condition" if node.id in CONDITIONS else "number"
        if node.id in FUNCTIONS:
            signature = FUNCTIONS[node.id].signature
            raise self.fail(f"{node.id} is a function; call it, e.g. {signature}")
        if node.id in (*BREAK_POINT_NAMES, ANY):
            raise self.fail(
                f"{node.id!r} is a break point; use it inside a function, e.g. crossed({node.id})"
            )
        close = difflib.get_close_matches(node.id, [*OUTCOMES, *FUNCTIONS], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise self.fail(
            f"unknown outcome {node.id!r}{hint}; see 'matsim discover --help' for the outcome "
            "names and functions"
        )

    def visit_BoolOp(self, node: ast.BoolOp) -> str:
        word = "and" if isinstance(node.op, ast.And) else "or"
        for value in node.values:
            if self.visit(value) != "condition":
                raise self.fail(f"'{word}' joins conditions; {ast.unparse(value)!r} is a number")
        return "condition"

    def visit_UnaryOp(self, node: ast.UnaryOp) -> str:
        inner = self.visit(node.operand)
        shown = ast.unparse(node.operand)
        if isinstance(node.op, ast.Not):
            if inner != "condition":
                raise self.fail(f"'not' needs a condition; {shown!r} is a number")
            return "condition"
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            if inner != "number":
                raise self.fail(f"a sign needs a number; {shown!r} is a condition")
            return "number"
        return self.generic_visit(node.op)

    def visit_BinOp(self, node: ast.BinOp) -> str:
        if type(node.op) not in _ARITHMETIC:
            return self.generic_visit(node)
        for side in (node.left, node.right):
            if self.visit(side) != "number":
                raise self.fail(f"arithmetic needs numbers; {ast.unparse(side)!r} is a condition")
        return "number"

    def visit_Compare(self, node: ast.Compare) -> str:
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise self.fail(f"{type(op).__name__} is not allowed; compare with < <= > >= == !=")
        kinds = {self.visit(v) for v in (node.left, *node.comparators)}
        if len(kinds) > 1:
            raise self.fail("a comparison needs numbers on both sides (or conditions on both)")
        return "condition"

    def visit_Call(self, node: ast.Call) -> str:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = ast.unparse(node.func)
            raise self.fail(
                f"unknown function {shown!r}; functions: "
                + ", ".join(f.signature for f in FUNCTIONS.values())
            )
        spec = FUNCTIONS[name]
        wanted = 2 if spec.needs_years else 1
        if node.keywords or len(node.args) != wanted:
            raise self.fail(f"call it as {spec.signature}")
        _break_point_arg(node.args[0], self.fail)
        if spec.needs_years:
            years = node.args[1]
            ok = isinstance(years, ast.Constant) and type(years.value) is int and years.value >= 1
            if not ok:
                raise self.fail(f"{spec.signature}: years must be a whole number, 1 or more")
        return spec.returns


def _break_point_arg(node: ast.expr, fail: Callable[[str], ExpressionError]) -> str:
    """A break point given bare (collaboration) or quoted ('collaboration'), or ``any``."""
    if isinstance(node, ast.Name):
        value = node.id
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        value = node.value
    else:
        value = None
    if value not in (*BREAK_POINT_NAMES, ANY):
        close = difflib.get_close_matches(str(value), BREAK_POINT_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise fail(
            f"{ast.unparse(node)!r} is not a break point{hint}; use one of "
            + ", ".join(BREAK_POINT_NAMES)
            + f" or {ANY}"
        )
    return value


class _Evaluator(ast.NodeVisitor):
    """Evaluates a checked tree over arrays with one value per run."""

    def __init__(self, outcomes: Outcomes):
        self.outcomes = outcomes

    def visit_Constant(self, node: ast.Constant):
        return float(node.value) if not isinstance(node.value, bool) else node.value

    def visit_Name(self, node: ast.Name) -> np.ndarray:
        return self.outcomes.column(node.id)

    def visit_BoolOp(self, node: ast.BoolOp) -> np.ndarray:
        values = [np.asarray(self.visit(v), dtype=bool) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = values[0]
        for value in values[1:]:
            out = combine(out, value)
        return out

    def visit_UnaryOp(self, node: ast.UnaryOp):
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return np.logical_not(np.asarray(value, dtype=bool))
        return -np.asarray(value, dtype=float) if isinstance(node.op, ast.USub) else value

    def visit_BinOp(self, node: ast.BinOp) -> np.ndarray:
        left = np.asarray(self.visit(node.left), dtype=float)
        right = np.asarray(self.visit(node.right), dtype=float)
        return _ARITHMETIC[type(node.op)](left, right)

    def visit_Compare(self, node: ast.Compare) -> np.ndarray:
        left = np.asarray(self.visit(node.left), dtype=float)
        out = None
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = np.asarray(self.visit(comparator), dtype=float)
            step = _COMPARE[type(op)](left, right)  # NaN compares false (except !=)
            if isinstance(op, ast.NotEq):
                step = step & ~np.isnan(left) & ~np.isnan(right)
            out = step if out is None else out & step
            left = right
        return out

    def visit_Call(self, node: ast.Call) -> np.ndarray:
        name = node.func.id
        break_point = _break_point_arg(node.args[0], ExpressionError)
        years = node.args[1].value if FUNCTIONS[name].needs_years else None
        return self.outcomes.call(name, break_point, years)


def describe_language(width: int = 92) -> str:
    """The language, outcome names and functions as help text (for --help and the README)."""

    def item(name: str, text: str) -> str:
        head = f"  {name:<36} "
        return textwrap.fill(
            text, width=width, initial_indent=head, subsequent_indent=" " * len(head)
        )

    def para(text: str) -> str:
        return textwrap.fill(text, width=width, initial_indent="  ", subsequent_indent="  ")

    lines = [
        "outcome expression (a condition on each run's outcomes; quote it in the shell):",
        para(
            f"{ALLOWED}. A comparison with a missing value is false; & | ~ are refused "
            "(use and/or/not)."
        ),
        "outcomes (one value per run; trust_* = the --trust-id trust; years 1..end):",
        *(item(name, text) for name, text in OUTCOMES.items()),
        f"functions (bp = a break point or {ANY}):",
        *(item(f.signature, f"{f.returns}: {f.description}") for f in FUNCTIONS.values()),
        "break points:",
        para(", ".join(BREAK_POINT_NAMES)),
    ]
    return "\n".join(lines)
