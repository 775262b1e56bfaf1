"""Argument types shared by the ``matsim`` subcommands (one place, one wording of errors)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def int_at_least(lo: int, what: str = "integer") -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``lo`` (``what`` names it in errors)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{value} is out of range; allowed {lo} or more")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


def float_in(lo: float, hi: float, what: str = "number", lo_open: bool = False):
    """An argparse type: a number from ``lo`` (excluded if ``lo_open``) to ``hi``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        low_ok = value > lo if lo_open else value >= lo
        if not (low_ok and value <= hi):
            bound = f"above {lo:g}" if lo_open else f"{lo:g}"
            raise argparse.ArgumentTypeError(f"{text} is out of range; allowed {bound} to {hi:g}")
        return value

    parse.__name__ = what
    return parse
