"""Operating models, strategy-review policies, and the break points' capacities and shifts.

An operating model is a handful of named levers, not a class per model. A preset fills every
lever; a scenario may name a preset and override single levers. ``resolved()`` returns the
levers actually in force, and contradictory combinations are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..codes import (  # noqa: F401 - the levers' choices, re-exported
    EARNED_AUTONOMY,
    GOVERNANCE,
    JOINING_POLICIES,
    OPERATIONS,
    REVIEW_POLICIES,
)
from .base import ParamError, Section, param

AUTONOMY_LEVELS = {"standardise": 0.1, "align": 0.45, "autonomy": 0.85}

PRESETS: dict[str, dict[str, object]] = {
    # the report's cluster 1: schools keep their own approaches
    "autonomous": {
        "autonomy_level": "autonomy",
        "joining_policy": "leave_as_is",
        "earned_autonomy": "off",
        "clusters": False,
        "operations": "central",
        "governance": "representative",
        "ceo_steps_back_at": 8,
        "executive_deployment": False,
    },
    # the report's cluster 2: schools converge on a common model collaboratively
    "aligned": {
        "autonomy_level": "align",
        "joining_policy": "reopen_debate",
        "earned_autonomy": "off",
        "clusters": False,
        "operations": "central",
        "governance": "representative",
        "ceo_steps_back_at": 8,
        "executive_deployment": True,
    },
    "standardised": {
        "autonomy_level": "standardise",
        "joining_policy": "require_alignment",
        "earned_autonomy": "off",
        "clusters": False,
        "operations": "central",
        "governance": "skills_based",
        "ceo_steps_back_at": 5,
        "executive_deployment": True,
    },
    "earned_autonomy": {
        "autonomy_level": "align",
        "joining_policy": "reopen_debate",
        "earned_autonomy": "outstanding",
        "clusters": False,
        "operations": "central",
        "governance": "skills_based",
        "ceo_steps_back_at": 8,
        "executive_deployment": True,
    },
    # all-through hubs: a secondary and its feeder primaries, replicated to grow
    "hub_and_cluster": {
        "autonomy_level": "align",
        "joining_policy": "reopen_debate",
        "earned_autonomy": "outstanding",
        "clusters": True,
        "operations": "regional",
        "governance": "skills_based",
        "ceo_steps_back_at": 5,
        "executive_deployment": True,
    },
}
LEVERS = tuple(PRESETS["aligned"])


@dataclass(frozen=True)
class OperatingModel(Section):
    """The levers of a trust's operating model; unset levers come from the preset."""

    section_name = "operating_model"

    preset: str = param(
        "aligned",
        "preset",
        "seed 000: the report's clusters 1 (autonomous) and 2 (aligned); presets for both, plus "
        "standardised, earned autonomy and hub-and-cluster, as the project's design brief asks",
        choices=tuple(PRESETS),
    )
    autonomy_level: str | None = param(
        None, "level", "lever; default from preset", choices=tuple(AUTONOMY_LEVELS)
    )
    joining_policy: str | None = param(
        None,
        "policy",
        "seed 000: re-open debate / leave as is / require alignment",
        choices=JOINING_POLICIES,
    )
    earned_autonomy: str | None = param(
        None,
        "lowest grade that earns autonomy",
        "seed 000: strong schools earn freedom from the common model",
        choices=EARNED_AUTONOMY,
    )
    clusters: bool | None = param(None, "on/off", "seed 000: cluster-based collaboration")
    cluster_size: int = param(
        6, "schools", "Robert Hill: clusters of 2 to about 6 schools", lo=2, hi=50
    )
    cluster_radius_km: float = param(
        15.0, "km", "Robert Hill: ideally no more than 20 minutes apart", lo=1, hi=500
    )
    operations: str | None = param(
        None, "central or regional", "seed 000: regionalising operations", choices=OPERATIONS
    )
    governance: str | None = param(
        None,
        "board model",
        "seed 000: representative vs skills-based board",
        choices=GOVERNANCE,
    )
    executive_deployment: bool | None = param(
        None,
        "on/off",
        "seed 003: some trusts deploy executive leaders for temporary periods to support "
        "vulnerable schools or new leadership (aligned models; an autonomous one leaves it)",
    )
    ceo_steps_back_at: int | None = param(
        None,
        "schools (0 = never lets go, even when a review says so)",
        "seed 002: CEOs must 'let go' of hands-on improvement as the trust grows; seed 000: "
        "strain near 5 schools",
        lo=0,
        hi=10_000,
    )

    def resolved(self) -> dict[str, object]:
        """Every lever's value in force: the preset's, overridden by levers set explicitly."""
        levers = dict(PRESETS[self.preset])
        for name in LEVERS:
            value = getattr(self, name)
            if value is not None:
                levers[name] = value
        levers["autonomy"] = AUTONOMY_LEVELS[str(levers["autonomy_level"])]
        levers["cluster_size"] = self.cluster_size
        levers["cluster_radius_km"] = self.cluster_radius_km
        return levers

    def validate(self) -> None:
        levers = self.resolved()
        if levers["autonomy_level"] == "standardise" and levers["earned_autonomy"] != "off":
            raise ParamError(
                "operating_model.earned_autonomy",
                f"{levers['earned_autonomy']!r} contradicts autonomy_level 'standardise', which "
                "holds every school to the common model; use 'off' or another autonomy_level",
            )


@dataclass(frozen=True)
class ReviewParams(Section):
    """When a trust reviews its strategy and shifts its approach."""

    section_name = "review"

    policy: str = param(
        "reactive",
        "policy",
        "seed 000: trusts must 'continually pause to review strategy'; reactive is the common case",
        choices=REVIEW_POLICIES,
    )
    interval_years: int = param(
        3, "years", "assumption: an anticipatory trust reviews every few years", lo=1, hi=20
    )
    horizon_years: int = param(
        3, "years", "assumption: how far ahead an anticipatory review projects loads", lo=1, hi=20
    )
    anticipation_ratio: float = param(
        0.85,
        "load/capacity",
        "assumption: shift when the projected ratio passes this",
        lo=0.1,
        hi=2,
    )
    reactive_drop: float = param(
        0.1,
        "share of schools good or better, fall over two years",
        "assumption: a reactive board reviews once its published outcomes have fallen this much",
        lo=0,
        hi=1,
    )


@dataclass(frozen=True)
class CoreBreakPointParams(Section):
    """What all break points share: how effectiveness falls past capacity, how the channels
    weigh in a trust's overall effectiveness, and what shifts cost and how long they take.

    Each break point adds its own parameters to ``[break_points]`` from its module in
    ``simulation/breakpoints/`` (see :mod:`simulation.parameters.break_points`).
    """

    section_name = "break_points"

    falloff: float = param(
        2.5,
        "1/(ratio-1)^2",
        "assumption: past capacity, effectiveness = exp(-falloff (ratio-1)^2): half at ratio 1.5",
        lo=0.1,
        hi=50,
    )
    floor: float = param(
        0.1, "effectiveness", "assumption: an overwhelmed approach still does a little", lo=0, hi=1
    )
    weight_support: float = param(
        0.35,
        "share of trust effectiveness",
        "assumption: how much of a trust's overall effectiveness rests on support landing well",
        lo=0,
        hi=1,
    )
    weight_oversight: float = param(
        0.35, "share of trust effectiveness", "assumption: ... on oversight", lo=0, hi=1
    )
    weight_peer: float = param(
        0.1, "share of trust effectiveness", "assumption: ... on strong schools' help", lo=0, hi=1
    )
    weight_commitment: float = param(
        0.1, "share of trust effectiveness", "assumption: ... on staff commitment", lo=0, hi=1
    )
    weight_intelligence: float = param(
        0.1, "share of trust effectiveness", "assumption: ... on intelligence", lo=0, hi=1
    )
    shift_cost_gbp: float = param(
        30_000.0,
        "GBP one-off per shift",
        "assumption: consultancy, recruitment, systems and staff time",
        lo=0,
        hi=1e7,
    )
    lag_years: int = param(
        1, "years", "assumption: a shift takes about a year to take effect", lo=0, hi=10
    )
    regional_lag_years: int = param(
        2, "years", "assumption: regionalising operations takes longer", lo=0, hi=10
    )
    settle_years: int = param(
        2,
        "years",
        "assumption: after a shift takes effect a board gives it this long to work before "
        "making the same shift again (seed 000: trusts 'pause to review strategy')",
        lo=0,
        hi=20,
    )
    starting_adaptation: float = param(
        0.7,
        "probability per break point",
        "assumption: trusts existing at the start have already made most of the shifts their "
        "size called for (named trusts start as specified)",
        lo=0,
        hi=1,
    )
