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
