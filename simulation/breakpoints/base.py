"""The common shape of every break point: load, capacity, effectiveness, channels, shift.

A break point is "a point of non-incremental change where a trust has to break with a previous
strategic or operational approach and make a shift" (seed 000). Each is modelled as a **load**
that grows smoothly with the trust's scale, geography or performance mix, against a
**capacity** set by the trust's current approach. While load/capacity < 1 the approach works;
past it, effectiveness falls away non-linearly (:func:`effectiveness`). The trust escapes only
by a discrete **shift** that costs money and takes time to take effect.

A break point is a plug-in: one module in this package defines its :class:`BreakPoint` (named
``BREAK_POINT``) with everything that is particular to it — its own parameter section, its
plain-language labels and explanation, its load and capacity for all trusts at once, its
shift, and optional hooks (a planned trigger, a starting level from the operating model's
levers, a recurring cost, a veto on shifting). The strategy review and the reports only go
through this shape; none of them names a break point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..sections import Section

if TYPE_CHECKING:
    from .view import TrustView

DRIVERS = ("scale", "geography", "performance", "intelligence")

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
    """1 while load/capacity <= 1; past it, exp(-falloff (ratio-1)^2), never below ``floor``.

    The exponential is taken only past capacity (few ratios), the rest share the value at 1.
    """
    over = np.asarray(ratio, dtype=float) - 1.0
    past = ~(over <= 0.0)  # past capacity (NaN stays NaN)
    eff = np.full(over.shape, np.maximum(floor, np.exp(-falloff * 0.0 * 0.0)))
    gap = over[past]
    eff[past] = np.maximum(floor, np.exp(-falloff * gap * gap))
    return eff


def load_ratio(load: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Load over capacity, uncapped: 0 where there is no load, infinite where there is load
    and no capacity at all (reports say "no capacity" rather than showing a number)."""
    load = np.asarray(load, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    ratio = np.full(np.broadcast_shapes(load.shape, cap.shape), np.inf)  # no capacity
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        np.divide(load, cap, out=ratio, where=cap > 0)
    return np.where(load > 0, ratio, 0.0)


@dataclass(frozen=True)
class NoParameters(Section):
    """A break point that reads no parameters of its own."""

    section_name = "break_points"


PerTrust = Callable[["TrustView", Any], np.ndarray]
"""A function of the year's view of all trusts and the break point's own parameters."""


@dataclass(frozen=True)
class Explanation:
    """Plain-language text for reports and the workshop: what the load and capacity are and
    what goes wrong past capacity."""

    load: str
    capacity: str
    harm: str


@dataclass(frozen=True)
class Shift:
    """A discrete change of approach that restores capacity after a lag, at a cost.

    ``apply(view, ids, p)`` changes the approach of trusts ``ids`` (all at once) when the shift
    takes effect; the trust's level for the break point rises by one afterwards.
    """

    name: str
    label: str
    description: str
    apply: Callable[[TrustView, np.ndarray, Any], None]
    lag_years: Callable[[Any], int] = lambda core: core.lag_years
    one_off_cost: Callable[[Any], float] = lambda core: core.shift_cost_gbp


def no_change(view: TrustView, ids: np.ndarray, p: Any) -> None:
    """A shift whose whole effect is the level it adds (capacity reads the level)."""


@dataclass(frozen=True)
class BreakPoint:
    """One row of the break-point table in DESIGN.md section 4, as a self-contained plug-in.

    Hooks (all optional, all vectorised over trusts):

    - ``planned(view, p)``: trusts whose operating model makes this shift by plan this year,
      under any review policy (the CEO stepping back at a set size);
    - ``may_shift(view, p)``: trusts allowed to make the shift at all (a CEO who never lets go);
    - ``starting_level(levers)``: the level a trust starts at from its operating model's levers
      (1 where the lever already provides the shift);
    - ``recurring_cost(view, p)``: yearly cost in GBP of the approach shifted to;
    - ``effect_pending(view, p)``: trusts whose last shift of this kind has not yet done what it
      set out to (the leads it planned are not yet recruited), so buying it again would repeat
      a change still under way.
    """

    name: str
    driver: str
    label: str
    description: str
    explanation: Explanation
    load: PerTrust
    capacity: PerTrust
    shift: Shift
    channels: Mapping[str, float] = field(default_factory=dict)  # channel -> weight (0-1)
    parameters: type[Section] = NoParameters  # its own section (keys under [break_points])
    uses: tuple[str, ...] = ()  # parameters of other sections it reads, for the docs
    planned: PerTrust | None = None
    may_shift: PerTrust | None = None
    starting_level: Callable[[Mapping[str, object]], int] | None = None
    recurring_cost: PerTrust | None = None
    effect_pending: PerTrust | None = None
    order: float = 100.0  # position in tables and reports (then by name)

    def __post_init__(self) -> None:
        if self.driver not in DRIVERS:
            raise ValueError(f"{self.name}: driver must be one of {DRIVERS}")
        unknown = set(self.channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"{self.name}: unknown channels {sorted(unknown)}")

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Dotted names of every parameter that drives it: its own, then those it uses."""
        own = tuple(f"break_points.{f.name}" for f in dataclasses.fields(self.parameters))
        return own + self.uses

    def settings(self, section: Section) -> Section:
        """Its own parameters, read from the model's ``[break_points]`` values where present
        (a break point registered after the parameters were built keeps its defaults)."""
        names = [f.name for f in dataclasses.fields(self.parameters)]
        return self.parameters(**{n: getattr(section, n) for n in names if hasattr(section, n)})

    def ratio(self, view: TrustView) -> np.ndarray:
        """Load over capacity per trust (0 where there is no load, inf with no capacity)."""
        p = view.settings(self)
        return load_ratio(self.load(view, p), self.capacity(view, p))
