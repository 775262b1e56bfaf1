"""Trusts: their state as numpy columns, and the CentralTeam agent as a view of one row.

A trust's central team is the CEO, the school-improvement leads, business functions and the
board, funded by a top-slice of member schools' income. Everything the model knows about a
trust (its base, growth strategy, operating-model levers, finances, the multipliers the break
points act through, its approach level and pending shift per break point) lives in
:func:`trust_columns`, one row per trust, so yearly rules treat all trusts at once with numpy.
:class:`CentralTeam` is the Mesa agent over one row, created on demand for anyone who wants to
look at (or, in a test, set) one trust.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from .codes import NO_TRUST
from .columns import ColumnSpec, ColumnStore, coded_property, column_property
from .parameters import GrowthStrategy, OperatingModel, ReviewParams
from .parameters.operating import (
    EARNED_AUTONOMY,
    GOVERNANCE,
    JOINING_POLICIES,
    PRESETS,
    REVIEW_POLICIES,
)
from .parameters.trusts import ACCEPT_RULES, SEEK_ORDERS

if TYPE_CHECKING:
    from .model import MATModel

MULTI_ACADEMY, SINGLE_ACADEMY = "multi_academy", "single_academy"
PRESET_NAMES = tuple(PRESETS)
NOT_PENDING = -10_000  # ``pending_until``: no shift of this break point is waiting to take
# effect (far below any year: a shift bought while settling can fall due in year -1)
NEVER = -10_000  # ``shift_year``: no shift of this break point has taken effect
HISTORY = 3  # years of published outcomes a reactive board compares

# phase preference of a growth strategy as a rule on the joining school's phase
ANY_PHASE, PRIMARY_ONLY, SECONDARY_ONLY = 0, 1, 2
PHASE_RULES = {"any": ANY_PHASE, "primary": PRIMARY_ONLY, "secondary": SECONDARY_ONLY}
"""Other preferences ('mixed') restrict nothing."""
ACCEPT_ANY, ACCEPT_GOOD_ONLY, ACCEPT_GOLDEN_RULE = (
    ACCEPT_RULES.index(r) for r in ("any", "good_only", "golden_rule")
)
SEEK_NEAREST, SEEK_ANYWHERE, SEEK_WEAK, SEEK_HUBS = (
    SEEK_ORDERS.index(s) for s in ("nearest", "anywhere", "weak", "hubs")
)

CHANNEL_COLUMNS = (
    "oversight_capacity_factor",  # improvement capacity that turns into oversight
    "support_effectiveness",  # how well support lands in a school
    "collaboration_factor",  # how well strong schools' help crosses the trust
    "innovation_factor",  # how far strong schools may innovate (glass ceiling)
    "monitoring_noise",  # multiplier on central_team.monitoring_sd
    "commitment_factor",  # commitment the trust can sustain (communications)
    "operations_cost_factor",  # back-office cost multiplier (central operations)
    "review_capacity",  # chance a needed shift is actually made this year
    "effectiveness",  # overall: how well the trust's approach works this year (0-1)
)


def trust_columns(n_break_points: int) -> dict[str, ColumnSpec]:
    """The trust column store's layout; break-point columns hold one value per break point."""
    f8, i4, i1, b1 = np.float64, np.int32, np.int8, np.bool_
    return {
        # identity and place
        "name": (object, ""),
        "base_school": (i4, -1),  # the founding school the trust is based at
        "base_x_km": (f8, 0.0),
        "base_y_km": (f8, 0.0),
        "region": (i4, 0),
        "core_disadvantage": (f8, 0.25),  # intake of the founding school: the 'home' context
        "founded_year": (i4, 0),
        "closed_year": (i4, -1),
        "is_open": (b1, True),
        # growth strategy (None for a single academy that does not seek schools) and its codes
        "growth": (object, None),
        "has_growth": (b1, False),
        "target_schools_per_year": (f8, 0.0),
        "accept": (i1, ACCEPT_ANY),
        "golden_rule_ratio": (f8, 0.0),
        "radius_km": (f8, 0.0),
        "phase_rule": (i1, ANY_PHASE),
        "seek": (i1, SEEK_NEAREST),
        "target_region": (i4, -1),
        "max_schools": (f8, 0.0),
        "appetite": (f8, 0.0),  # schools it will still take this year
        "paused_until": (i4, -1),  # growth paused until this year (golden-rule shift)
        # operating-model levers (shifts change them later)
        "operating_preset": (i1, PRESET_NAMES.index("aligned")),
        "autonomy": (f8, 0.5),  # 0 = standardise, 1 = full school autonomy
        "joining_policy": (i1, 0),
        "earned_autonomy": (i1, 0),  # index into EARNED_AUTONOMY ('off' first)
        "directive": (b1, False),
        "clusters": (b1, False),
        "cluster_size": (i4, 6),
        "regional_operations": (b1, False),
        "governance": (i1, 0),
        "ceo_steps_back_at": (i4, 0),
        "executive_deployment": (b1, False),  # deploys strong heads to vulnerable schools
        "ceo_hands_on": (b1, True),  # the CEO improves schools personally
        "common_practice": (f8, 0.5),  # the trust's common curriculum/assessment model (0-1)
        # strategy-review policy
        "review": (object, None),
        "review_policy": (i1, 0),
        "review_interval_years": (i4, 3),
        "review_horizon_years": (i4, 3),
        "anticipation_ratio": (f8, 0.85),
        "reactive_drop": (f8, 0.1),
        "outcome_history": (f8, np.nan, HISTORY),  # share good or better, oldest first
        "outcome_years": (i4, 0),  # reviews held (years of history recorded)
        # finance and staffing
        "reserves_gbp": (f8, 0.0),
        "central_spend_gbp": (f8, 0.0),
        "central_income_gbp": (f8, 0.0),
        "grants_due_gbp": (f8, 0.0),  # growth grants received, counted as next year's income
        "shift_costs_gbp": (f8, 0.0),  # recurring costs of shifts made (hubs, comms, reporting)
        "planned_leads": (i4, 0),  # improvement leads the staffing plan provides for
        "sle_boost_until": (i4, -1),  # SLEs grow faster until this year ...
        "sle_growth_factor": (f8, 1.0),  # ... by this factor (golden-rule shift)
        "failing_years": (i4, 0),
        "deficit_years": (i4, 0),  # consecutive years ending with reserves below zero
        "capability": (f8, 0.0),  # persistent strength of its improvement model (z-score)
        # what the break points do to the trust this year (1.0 = the approach works)
        **{name: (f8, 1.0) for name in CHANNEL_COLUMNS},
        # per break point: approach level (shifts made), pending shift, crossed, last ratio
        "level": (np.int16, 0, n_break_points),
        "pending_until": (i4, NOT_PENDING, n_break_points),
        "pending_planned": (b1, False, n_break_points),
        "shift_year": (i4, NEVER, n_break_points),  # year the last shift took effect
        "crossed": (b1, False, n_break_points),
        "ratio": (f8, np.nan, n_break_points),
    }


def write_growth(trusts: ColumnStore, ids: np.ndarray, growth: GrowthStrategy | None) -> None:
    """Give trusts ``ids`` a growth strategy (None: a single academy that does not grow)."""
    ids = np.atleast_1d(ids)
    trusts.growth[ids] = growth
    trusts.has_growth[ids] = growth is not None
    if growth is None:
        trusts.target_schools_per_year[ids] = 0.0
        trusts.max_schools[ids] = 0.0
        return
    trusts.target_schools_per_year[ids] = growth.target_schools_per_year
    trusts.accept[ids] = ACCEPT_RULES.index(growth.accept)
    trusts.golden_rule_ratio[ids] = growth.golden_rule_ratio
    trusts.radius_km[ids] = growth.radius_km
    trusts.phase_rule[ids] = PHASE_RULES.get(growth.phase_preference, ANY_PHASE)
    trusts.seek[ids] = SEEK_ORDERS.index(growth.seek)
    trusts.target_region[ids] = growth.target_region
    trusts.max_schools[ids] = growth.max_schools


def write_review(trusts: ColumnStore, ids: np.ndarray, review: ReviewParams) -> None:
    """Give trusts ``ids`` a strategy-review policy."""
    trusts.review[ids] = review
    trusts.review_policy[ids] = REVIEW_POLICIES.index(review.policy)
    trusts.review_interval_years[ids] = review.interval_years
    trusts.review_horizon_years[ids] = review.horizon_years
    trusts.anticipation_ratio[ids] = review.anticipation_ratio
    trusts.reactive_drop[ids] = review.reactive_drop


def write_operating_model(trusts: ColumnStore, ids: np.ndarray, om: OperatingModel) -> None:
    """Set trusts' starting levers from an operating model (levels are set by the caller)."""
    levers = om.resolved()
    trusts.operating_preset[ids] = PRESET_NAMES.index(om.preset)
    trusts.autonomy[ids] = float(levers["autonomy"])
    trusts.joining_policy[ids] = JOINING_POLICIES.index(str(levers["joining_policy"]))
    trusts.earned_autonomy[ids] = EARNED_AUTONOMY.index(str(levers["earned_autonomy"]))
    trusts.directive[ids] = False
    trusts.clusters[ids] = bool(levers["clusters"])
    trusts.cluster_size[ids] = int(levers["cluster_size"])
    trusts.regional_operations[ids] = levers["operations"] == "regional"
    trusts.governance[ids] = GOVERNANCE.index(str(levers["governance"]))
    trusts.ceo_steps_back_at[ids] = int(levers["ceo_steps_back_at"])
    trusts.executive_deployment[ids] = bool(levers["executive_deployment"])


def _column(name: str) -> property:
    return column_property("trusts_data", name)


class CentralTeam(Agent):
    """A trust's central team and board: a view of row ``trust_id`` of ``model.trusts_data``.

    Reading an attribute reads the trust's column; setting one writes it, so a test or a
    notebook can change one trust and the yearly rules see the change.
    """

    def __init__(self, model: MATModel, row: int):
        super().__init__(model)
        self.row = row

    @property
    def trust_id(self) -> int:
        return self.row

    name = _column("name")
    region = _column("region")
    founded_year = _column("founded_year")
    is_open = _column("is_open")
    core_disadvantage = _column("core_disadvantage")
    appetite = _column("appetite")
    paused_until = _column("paused_until")
    autonomy = _column("autonomy")
    directive = _column("directive")
    clusters = _column("clusters")
    cluster_size = _column("cluster_size")
    regional_operations = _column("regional_operations")
    ceo_steps_back_at = _column("ceo_steps_back_at")
    executive_deployment = _column("executive_deployment")
    ceo_hands_on = _column("ceo_hands_on")
    common_practice = _column("common_practice")
    review = _column("review")
    reserves_gbp = _column("reserves_gbp")
    central_spend_gbp = _column("central_spend_gbp")
    central_income_gbp = _column("central_income_gbp")
    grants_due_gbp = _column("grants_due_gbp")
    shift_costs_gbp = _column("shift_costs_gbp")
    planned_leads = _column("planned_leads")
    failing_years = _column("failing_years")
    oversight_capacity_factor = _column("oversight_capacity_factor")
    support_effectiveness = _column("support_effectiveness")
    collaboration_factor = _column("collaboration_factor")
    innovation_factor = _column("innovation_factor")
    monitoring_noise = _column("monitoring_noise")
    commitment_factor = _column("commitment_factor")
    operations_cost_factor = _column("operations_cost_factor")
    review_capacity = _column("review_capacity")
    effectiveness = _column("effectiveness")
    operating_preset = coded_property("trusts_data", "operating_preset", PRESET_NAMES)
    joining_policy = coded_property("trusts_data", "joining_policy", JOINING_POLICIES)
    earned_autonomy = coded_property("trusts_data", "earned_autonomy", EARNED_AUTONOMY)
    governance = coded_property("trusts_data", "governance", GOVERNANCE)

    @property
    def _trusts(self) -> ColumnStore:
        return self.model.trusts_data

    @property
    def growth(self) -> GrowthStrategy | None:
        """The trust's growth strategy, with its own yearly target (trusts of one scenario share
        the strategy object and differ in the ``target_schools_per_year`` column)."""
        growth = self._trusts.growth[self.row]
        target = float(self._trusts.target_schools_per_year[self.row])
        if growth is None or growth.target_schools_per_year == target:
            return growth
        return dataclasses.replace(growth, target_schools_per_year=target)

    @growth.setter
    def growth(self, value: GrowthStrategy | None) -> None:
        write_growth(self._trusts, np.array([self.row]), value)

    @property
    def closed_year(self) -> int | None:
        year = int(self._trusts.closed_year[self.row])
        return None if year < 0 else year

    @property
    def base_xy_km(self) -> np.ndarray:
        t = self._trusts
        return np.array([t.base_x_km[self.row], t.base_y_km[self.row]])

    @property
    def levels(self) -> dict[str, int]:
        """Approach level per break point (shifts made, or provided by the starting levers)."""
        row = self._trusts.level[self.row]
        return {bp.name: int(v) for bp, v in zip(self.model.break_points, row, strict=True) if v}

    @property
    def pending_shifts(self) -> list[tuple[str, int]]:
        """Shifts decided and paid for, with the year each takes effect."""
        row = self._trusts.pending_until[self.row]
        pending = zip(self.model.break_points, row, strict=True)
        return [(bp.name, int(y)) for bp, y in pending if y != NOT_PENDING]

    @property
    def outcome_history(self) -> list[float]:
        """Share of schools good or better at each review, oldest first (last three kept)."""
        t = self._trusts
        kept = min(int(t.outcome_years[self.row]), HISTORY)
        return [float(v) for v in t.outcome_history[self.row, HISTORY - kept :]]

    @outcome_history.setter
    def outcome_history(self, values: list[float]) -> None:
        t = self._trusts
        kept = list(values)[-HISTORY:]
        t.outcome_history[self.row] = np.nan
        if kept:
            t.outcome_history[self.row, HISTORY - len(kept) :] = kept
        t.outcome_years[self.row] = len(values)

    @property
    def n_schools(self) -> int:
        return int(self.model.trust_sizes()[self.row])

    @property
    def school_rows(self) -> np.ndarray:
        return np.flatnonzero(self.model.schools_data.trust == self.row)

    @property
    def kind(self) -> str:
        return MULTI_ACADEMY if multi_academy(self.model)[self.row] else SINGLE_ACADEMY

    @property
    def growth_centre_km(self) -> np.ndarray:
        """Where the trust looks for schools: its base, or the centre of a target region."""
        return growth_centres_km(self.model, np.array([self.row]))[0]

    @property
    def seeks_growth(self) -> bool:
        t = self._trusts
        return bool(t.is_open[self.row] and t.target_schools_per_year[self.row] > 0)

    def __repr__(self) -> str:
        return f"CentralTeam({self.row}, {self.name!r}, schools={self.n_schools})"


def growth_centres_km(model: MATModel, ids: np.ndarray) -> np.ndarray:
    """Where trusts ``ids`` look for schools: their base, or the centre of a target region."""
    t = model.trusts_data
    centres = np.column_stack([t.base_x_km[ids], t.base_y_km[ids]])
    region = t.target_region[ids]
    targeted = region >= 0
    if targeted.any():
        centres[targeted] = model.geography.region_centre_km(region[targeted])
    return centres


def multi_academy(model: MATModel, sizes: np.ndarray | None = None) -> np.ndarray:
    """Which trusts are multi-academy trusts: a growth strategy, or more than one school.

    The one place this rule is written; a single-academy trust's head is its leader, so it has
    no CEO, no central staffing plan and no break points.
    """
    sizes = model.trust_sizes() if sizes is None else sizes
    return model.trusts_data.has_growth | (sizes > 1)


def for_schools(model: MATModel, column: np.ndarray, outside: float | bool) -> np.ndarray:
    """Each school's value of trust ``column``, and ``outside`` for a school in no trust.

    One gather with ``outside`` appended at index NO_TRUST (-1), rather than masking schools
    in and out of trusts: the yearly school rules ask this of several trust columns.
    """
    return np.append(column, outside)[model.schools_data.trust]


assert NO_TRUST == -1, "for_schools puts the outside value at index NO_TRUST"
