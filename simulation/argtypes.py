"""Argument types shared by the ``matsim`` subcommands (one place, one wording of errors)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from .parameters import RunParams
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


def run_option(name: str) -> Callable[[str], int]:
    """An argparse type for a ``[run]`` option (``--years``, ``--seed``), bounded as
    :class:`RunParams` declares it."""
    meta = RunParams.__dataclass_fields__[name].metadata
    return int_between(meta["lo"], meta["hi"], name)


def float_in(lo: float, hi: float, what: str = "number", lo_open: bool = False):
    """An argparse type: a finite number from ``lo`` (excluded if ``lo_open``) to ``hi``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {brief(text)}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {brief(text)}")
        low_ok = value > lo if lo_open else value >= lo
        if not (low_ok and value <= hi):
            bound = f"above {lo:g}" if lo_open else f"{lo:g}"
            raise argparse.ArgumentTypeError(
                f"{brief(text)} is out of range; allowed {bound} to {hi:g}"
            )
        return value

    parse.__name__ = what
    return parse
