"""Argument types shared by the ``matsim`` subcommands (one place, one wording of errors)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .parameters.base import brief


def int_at_least(lo: int, what: str = "integer") -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``lo`` (``what`` names it in errors)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {brief(text)}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(
                f"{brief(value)} is out of range; allowed {lo} or more"
            )
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


def int_between(lo: int, hi: int, what: str = "integer") -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi`` (``what`` names it in errors)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {brief(text)}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{brief(value)} is out of range; allowed {lo} to {hi}"
            )
        return value

    parse.__name__ = what
    return parse
