"""Capacity / the golden rule (scale).

Load: weak schools times ``growth.golden_rule_ratio`` (seed 002: 3 good or better for every weak
school). Capacity: strong schools, plus half an SLE's worth for each SLE the trust has grown.
Past it, strong schools' help is spread too thin. Shift: pause growth for
``break_points.pause_years``, pump-prime improvement capacity (a lead) and grow SLEs faster.
"""

from __future__ import annotations

from .base import BreakPoint, Shift
from .view import TrustView

NAME = "golden_rule"


def load(v: TrustView):
    return v.n_weak * v.model.params.growth.golden_rule_ratio


def capacity(v: TrustView):
    return v.n_strong + 0.5 * v.sles


def pause_and_build(team, v: TrustView) -> None:
    year = v.model.year
    team.paused_until = year + v.params.pause_years
    team.sle_boost_until = year + v.params.pause_years + 1
    team.planned_leads += 1


BREAK_POINT = BreakPoint(
    name=NAME,
    driver="scale",
    description="too few strong schools to support the weak ones",
    load=load,
    capacity=capacity,
    shift=Shift(
        "pause_and_build_capacity", "pause growth, pump-prime capacity, grow SLEs", pause_and_build
    ),
    channels={"peer": 0.6, "support": 0.5},
    parameters=(
        "growth.golden_rule_ratio",
        "break_points.pause_years",
        "leaders.sle_growth_per_year",
    ),
)
