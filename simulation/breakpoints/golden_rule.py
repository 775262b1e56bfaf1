"""Capacity / the golden rule (scale).

Load: weak schools times the trust's own golden-rule ratio (its growth strategy's
``golden_rule_ratio``; seed 002: 3 good or better for every weak school). Capacity: strong
schools, plus half an SLE's worth for each SLE the trust has grown. Past it, strong schools'
help is spread too thin. Shift: pause growth for ``break_points.pause_years``, pump-prime
improvement capacity (a lead) and grow SLEs faster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..sections import Section, param
from .base import BreakPoint, Explanation, Shift

if TYPE_CHECKING:
    from .view import TrustView

NAME = "golden_rule"


@dataclass(frozen=True)
class Parameters(Section):
    section_name = "break_points"

    pause_years: int = param(
        2, "years", "seed 002: pause growth to rebuild improvement capacity", lo=0, hi=20
    )
    sle_growth_boost: float = param(
        2.0,
        "x the SLE growth rate",
        "assumption: seed 002 - 'invest in the ongoing professional development of SLEs'; a "
        "trust rebuilding capacity grows SLEs this much faster until the pause ends",
        lo=1,
        hi=10,
    )


def golden_rule_ratio(v: TrustView) -> np.ndarray:
    """Each trust's own ratio; trusts without a growth strategy are held to the scenario's."""
    t = v.trusts
    return np.where(t.has_growth, t.golden_rule_ratio, v.model.params.growth.golden_rule_ratio)


def load(v: TrustView, p: Parameters) -> np.ndarray:
    return v.n_weak * golden_rule_ratio(v)


def capacity(v: TrustView, p: Parameters) -> np.ndarray:
    return v.n_strong + 0.5 * v.sles


def pause_and_build(v: TrustView, ids: np.ndarray, p: Parameters) -> None:
    year = v.model.year
    t = v.trusts
    t.paused_until[ids] = year + p.pause_years
    t.sle_boost_until[ids] = year + p.pause_years + 1
    t.sle_growth_factor[ids] = p.sle_growth_boost
    t.planned_leads[ids] += 1


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    label="Capacity (the golden rule)",
    description="too few strong schools to support the weak ones",
    explanation=Explanation(
        load="the strong schools its weak ones need (rule of thumb: 3 good or better per weak one)",
        capacity="the strong schools and specialist leaders of education it actually has",
        harm="strong schools' help is spread too thin to lift the weak ones",
    ),
    load=load,
    capacity=capacity,
    shift=Shift(
        "pause_and_build_capacity",
        "Pause growth to build capacity",
        "pause growth, pump-prime capacity, grow SLEs",
        pause_and_build,
    ),
    channels={"peer": 0.6, "support": 0.5},
    parameters=Parameters,
    uses=("growth.golden_rule_ratio", "leaders.sle_growth_per_year"),
    order=6,
)
