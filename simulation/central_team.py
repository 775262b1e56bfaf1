"""The CentralTeam agent: one per trust, making the trust's decisions each year.

The central team is the CEO, the school-improvement leads, business functions and the board,
funded by a top-slice of member schools' income. Trust-wide numbers (pupils, income, weak
schools) are computed for all trusts at once by :mod:`simulation.mechanisms.support`; this
class holds what is particular to one trust and the decisions that are taken trust by trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from .parameters import GrowthStrategy

if TYPE_CHECKING:
    from .model import MATModel

MULTI_ACADEMY, SINGLE_ACADEMY = "multi_academy", "single_academy"


class CentralTeam(Agent):
    """A trust's central team and board: its base, growth strategy, staff and finances."""

    def __init__(
        self,
        model: MATModel,
        trust_id: int,
        name: str,
        base_xy_km: np.ndarray,
        region: int,
        growth: GrowthStrategy | None,
        founded_year: int,
    ):
        super().__init__(model)
        self.trust_id = trust_id
        self.name = name
        self.base_xy_km = np.asarray(base_xy_km, dtype=float)
        self.region = region
        self.growth = growth  # None: a single-academy trust that does not seek schools
        self.founded_year = founded_year
        self.closed_year: int | None = None
        self.is_open = True
        self.autonomy = 0.5  # 0 = standardise, 1 = full school autonomy (operating model)
        self.ceo_hands_on = True  # the CEO improves schools personally
        self.common_practice = 0.5  # the trust's common curriculum/assessment model (0-1)
        self.reserves_gbp = 0.0
        self.central_spend_gbp = 0.0
        self.central_income_gbp = 0.0
        self.grants_due_gbp = 0.0  # growth grants received, counted as next year's income
        self.failing_years = 0
        self.appetite = 0.0  # schools it will still take this year
        # multipliers the break-point mechanisms act through (1.0 = the approach works)
        self.oversight_capacity_factor = 1.0  # improvement capacity that turns into oversight
        self.support_effectiveness = 1.0  # how well support lands in a school
        self.collaboration_factor = 1.0  # how well strong schools' help crosses the trust
        self.innovation_factor = 1.0  # how far strong schools may innovate (glass ceiling)
        self.monitoring_noise = 1.0  # multiplier on central_team.monitoring_sd
        self.commitment_factor = 1.0  # commitment the trust can sustain (communications)
        self.operations_cost_factor = 1.0  # back-office cost multiplier (central operations)
        self.review_capacity = 1.0  # chance a needed shift is actually made this year
        self.effectiveness = 1.0  # overall: how well the trust's approach works this year (0-1)
        # the operating model's levers (see simulation.operating_model); shifts change them
        self.operating_preset = "aligned"
        self.joining_policy = "reopen_debate"
        self.earned_autonomy = "off"
        self.directive = False
        self.clusters = False
        self.cluster_size = 6
        self.regional_operations = False
        self.governance = "representative"
        self.ceo_steps_back_at = 0
        self.review = None  # ReviewParams
        self.levels: dict[str, int] = {}  # approach level per break point (shifts made)
        self.pending_shifts: list[tuple[str, int]] = []  # (break point, year it takes effect)
        self.outcome_history: list[float] = []  # share good or better, year by year
        self.planned_leads = 0  # improvement leads the trust's staffing plan provides for
        self.paused_until = -1  # growth paused until this year (golden-rule shift)
        self.sle_boost_until = -1
        self.core_disadvantage = 0.25  # intake of the founding school: the trust's 'home' context
        self.shift_costs_gbp = 0.0  # recurring costs of shifts made (hubs, comms, reporting)

    @property
    def kind(self) -> str:
        return MULTI_ACADEMY if self.growth is not None or self.n_schools > 1 else SINGLE_ACADEMY

    @property
    def school_rows(self) -> np.ndarray:
        return np.flatnonzero(self.model.schools_data.trust == self.trust_id)

    @property
    def n_schools(self) -> int:
        return int(self.model.trust_sizes()[self.trust_id])

    @property
    def growth_centre_km(self) -> np.ndarray:
        """Where the trust looks for schools: its base, or the centre of a target region."""
        g = self.growth
        if g is not None and g.target_region >= 0:
            return self.model.geography.region_centre_km(g.target_region)
        return self.base_xy_km

    @property
    def seeks_growth(self) -> bool:
        g = self.growth
        return self.is_open and g is not None and g.target_schools_per_year > 0

    def close(self, year: int) -> None:
        self.closed_year = year
        self.is_open = False
        self.appetite = 0.0

    def __repr__(self) -> str:
        return f"CentralTeam({self.trust_id}, {self.name!r}, schools={self.n_schools})"
