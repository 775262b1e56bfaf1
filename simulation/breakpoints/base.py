"""The common shape of every break point: load, capacity, effectiveness, channels, shift.

A break point is "a point of non-incremental change where a trust has to break with a previous
strategic or operational approach and make a shift" (seed 000). Each is modelled as a **load**
that grows smoothly with the trust's scale, geography or performance mix, against a
**capacity** set by the trust's current approach. While load/capacity < 1 the approach works;
past it, effectiveness falls away non-linearly (:func:`effectiveness`). The trust escapes only
by a discrete **shift** that costs money and takes time to take effect.

No break point fires at a fixed school count: every crossing emerges from load against capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..central_team import CentralTeam
    from ..parameters import BreakPointParams
    from .view import TrustView

DRIVERS = ("scale", "geography", "performance", "intelligence")
RATIO_CAP = 10.0  # ratios are reported up to 10 (an approach with no capacity left at all)

CHANNELS = {
    "oversight": "share of improvement capacity that turns into oversight and support",
    "intelligence": "how clearly the trust sees its schools (monitoring noise grows as it falls)",
    "support": "how well trust support lands in a school (coherence of the model)",
    "peer": "how well strong schools' help crosses the trust",
    "commitment": "staff commitment the trust can sustain",
    "innovation": "how far strong schools may innovate beyond the common model",
    "operations": "efficiency of the back office (cost per pupil rises as it falls)",
    "review": "the board's and CEO's capacity to review strategy and make shifts",
}


def effectiveness(ratio: np.ndarray, falloff: float, floor: float) -> np.ndarray:
    """1 while load/capacity <= 1; past it, exp(-falloff (ratio-1)^2), never below ``floor``."""
    over = np.clip(np.asarray(ratio, dtype=float) - 1.0, 0.0, None)
    return np.maximum(floor, np.exp(-falloff * over * over))


def load_ratio(load: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Load over capacity: 0 where there is no load, ``RATIO_CAP`` at most (or with no capacity)."""
    load = np.asarray(load, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    with np.errstate(over="ignore"):  # a vanishing capacity overflows; the cap handles it
        ratio = np.divide(load, cap, out=np.where(load > 0, RATIO_CAP, 0.0), where=cap > 0)
    return np.minimum(ratio, RATIO_CAP)


@dataclass(frozen=True)
class Shift:
    """A discrete change of approach that restores capacity after a lag, at a cost."""

    name: str
    description: str
    apply: Callable[[CentralTeam, TrustView], None]
    lag_years: Callable[[BreakPointParams], int] = lambda p: p.lag_years
    one_off_cost: Callable[[BreakPointParams], float] = lambda p: p.shift_cost_gbp


@dataclass(frozen=True)
class BreakPoint:
    """One row of the break-point table in DESIGN.md section 4."""

    name: str
    driver: str
    description: str
    load: Callable[[TrustView], np.ndarray]
    capacity: Callable[[TrustView], np.ndarray]
    shift: Shift
    channels: dict[str, float] = field(default_factory=dict)  # channel -> weight (0-1)
    parameters: tuple[str, ...] = ()  # parameter names that drive it (for the README)

    def __post_init__(self) -> None:
        if self.driver not in DRIVERS:
            raise ValueError(f"{self.name}: driver must be one of {DRIVERS}")
        unknown = set(self.channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"{self.name}: unknown channels {sorted(unknown)}")

    def ratio(self, view: TrustView) -> np.ndarray:
        """Load over capacity per trust (0 where there is no load, at most ``RATIO_CAP``)."""
        return load_ratio(self.load(view), self.capacity(view))
