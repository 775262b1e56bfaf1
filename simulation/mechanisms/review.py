"""Break points and strategy review: measure every trust's loads, act on them, decide shifts.

Each year, before the central teams allocate support, for all trusts at once:

1. shifts whose lag has run out take effect (the trust's approach changes);
2. every break point's load/capacity ratio is computed for every trust; crossings (ratio rises
   through 1) and recoveries (falls back below 1) are logged;
3. each ratio's effectiveness feeds the channels the break point acts through, and the channels
   set the trust's multipliers (oversight, intelligence, support, peer help, commitment,
   innovation, operations cost, review capacity);
4. each trust reviews its strategy under its policy — ``static`` never shifts; ``reactive``
   shifts the break points already crossed once its outcomes have fallen; ``anticipatory``
   reviews every few years and shifts those projected to cross — and pays for the shifts.

A break point's *planned* shifts (its ``planned`` hook: the CEO stepping back at
``ceo_steps_back_at`` schools) are made under any policy: they are part of the operating model,
not a review decision. Nothing here names a break point: everything particular to one lives in
its module (:mod:`simulation.breakpoints`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..aggregates import trust_aggregates
from ..breakpoints import CHANNELS, effectiveness
from ..breakpoints.base import load_ratio
from ..breakpoints.view import TrustView, build_view
from ..central_team import HISTORY, NOT_PENDING
from ..parameters.operating import REVIEW_POLICIES

if TYPE_CHECKING:
    from ..model import MATModel

INTELLIGENCE_NOISE_GAIN = 2.0  # monitoring noise multiplier at zero intelligence: 1 + gain
OPERATIONS_COST_GAIN = 1.0  # back-office cost multiplier at zero operations effectiveness
RECOVERY_BELOW = 0.95  # hysteresis: a crossed break point recovers once back under this ratio
REACTIVE, ANTICIPATORY = REVIEW_POLICIES.index("reactive"), REVIEW_POLICIES.index("anticipatory")


def shift_groups(
    trusts: np.ndarray, columns: np.ndarray, planned: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """(trust, break point) pairs ordered planned first, then break point by break point, trusts
    in order; returned with the (start, end) of each run of one break point and kind."""
    order = np.lexsort((trusts, columns, ~planned))
    trusts, columns, planned = trusts[order], columns[order], planned[order]
    changes = (columns[1:] != columns[:-1]) | (planned[1:] != planned[:-1])
    starts = [0, *(np.flatnonzero(changes) + 1).tolist()]
    return trusts, columns, planned, list(zip(starts, starts[1:] + [len(trusts)], strict=True))


def apply_due_shifts(model: MATModel, view: TrustView) -> None:
    """Shifts whose lag has run out change the trusts' approach now.

    Within a trust, planned shifts take effect before reviewed ones and otherwise in break-point
    order; staff a shift recruits are appointed afterwards, in trust order.
    """
    t = model.trusts_data
    due = (t.pending_until != NOT_PENDING) & (t.pending_until <= model.year)
    trusts, columns = np.nonzero(due)
    if trusts.size == 0:
        return
    planned = t.pending_planned[trusts, columns]
    trusts, columns, _, groups = shift_groups(trusts, columns, planned)
    with model.deferred_recruitment():
        for start, end in groups:
            j, ids = int(columns[start]), trusts[start:end]
            bp = model.break_points[j]
            bp.shift.apply(view, ids, view.settings(bp))
            t.level[ids, j] += 1
            t.shift_year[ids, j] = model.year
    t.pending_until[trusts, columns] = NOT_PENDING
    t.pending_planned[trusts, columns] = False


def measure(view: TrustView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loads, capacities and ratios, shaped (break point, trust)."""
    model = view.model
    n = len(view.n_schools)
    loads = np.empty((len(model.break_points), n))
    capacities = np.empty_like(loads)
    for j, bp in enumerate(model.break_points):
        p = view.settings(bp)
        loads[j] = bp.load(view, p)
        capacities[j] = bp.capacity(view, p)
    view.loads, view.capacities = loads, capacities
    return loads, capacities, load_ratio(loads, capacities)


def channel_weights(model: MATModel) -> np.ndarray:
    """How much each break point weighs on each channel, shaped (channel, break point)."""
    weights = np.zeros((len(CHANNELS), len(model.break_points)))
    for j, bp in enumerate(model.break_points):
        for channel, weight in bp.channels.items():
            weights[list(CHANNELS).index(channel), j] = weight
    return weights


def channel_values(model: MATModel, eff: np.ndarray) -> dict[str, np.ndarray]:
    """Combine break points' effectiveness into channels: product of (1 - w (1 - e)) over the
    break points acting through each channel."""
    weights = model.channel_weights
    values = {}
    for c, name in enumerate(CHANNELS):
        acting = np.flatnonzero(weights[c])
        factors = 1.0 - weights[c, acting, None] * (1.0 - eff[acting])
        values[name] = np.prod(factors, axis=0) if acting.size else np.ones(eff.shape[1])
    return values


def overall_effectiveness(channels: dict[str, np.ndarray], p) -> np.ndarray:
    """How well the trust's approach works overall: 1 minus the weighted shortfalls of the
    channels that carry school improvement (``break_points.weight_*``), never below 0."""
    shortfall = sum(
        getattr(p, f"weight_{name}") * (1.0 - channels[name])
        for name in ("support", "oversight", "peer", "commitment", "intelligence")
    )
    return np.clip(1.0 - shortfall, 0.0, 1.0)


def recurring_shift_costs(view: TrustView) -> np.ndarray:
    """Yearly costs of the approaches trusts have shifted to (each break point's hook)."""
    total = np.zeros(len(view.n_schools))
    for bp in view.model.break_points:
        if bp.recurring_cost is not None:
            total = total + bp.recurring_cost(view, view.settings(bp))
    return total


def assess_break_points(model: MATModel) -> tuple[TrustView, np.ndarray]:
    """Apply due shifts, measure every ratio, log crossings and set the trusts' multipliers."""
    previous = model.last_view  # the view the shifts were decided on
    apply_due_shifts(model, previous if previous is not None else build_view(model))
    model.aggregates = agg = trust_aggregates(model)
    view = build_view(model, agg)
    model.last_view = view
    model.office_km = view.office_km  # read by support allocation
    loads, capacities, ratios = measure(view)
    t = model.trusts_data
    p = model.params.break_points
    eff = effectiveness(ratios, p.falloff, p.floor)
    channels = channel_values(model, eff)
    governed = view.governed
    ct = model.params.central_team
    # the trusts' multipliers; a lone academy's are left as they were, and it has no trust
    # model to push it
    for column, value in (
        ("oversight_capacity_factor", channels["oversight"]),
        ("monitoring_noise", 1.0 + INTELLIGENCE_NOISE_GAIN * (1.0 - channels["intelligence"])),
        ("support_effectiveness", channels["support"]),
        ("collaboration_factor", channels["peer"]),
        ("commitment_factor", channels["commitment"]),
        ("innovation_factor", channels["innovation"]),
        ("operations_cost_factor", 1.0 + OPERATIONS_COST_GAIN * (1.0 - channels["operations"])),
        ("review_capacity", channels["review"]),
    ):
        np.copyto(getattr(t, column), value, where=governed)
    neutral = model.params.quality.trust_neutral_effectiveness
    t.effectiveness[:] = np.where(governed, overall_effectiveness(channels, p), neutral)
    business = ct.business_cost_per_pupil_gbp * view.pupils
    extra = recurring_shift_costs(view)
    costs = extra + (t.operations_cost_factor - 1.0) * business
    np.copyto(t.shift_costs_gbp, costs, where=governed)
    log_crossings(model, view, ratios, governed)
    model.break_point_ratios = ratios
    return view, ratios


def event_context(view: TrustView, ids: np.ndarray) -> dict[str, np.ndarray]:
    """The trust's state logged with every break-point event."""
    return {
        "n_schools": view.n_schools[ids],
        "pupils": view.pupils[ids],
        "spread_km": view.spread_km[ids],
        "share_weak": view.n_weak[ids] / np.maximum(view.n_schools[ids], 1.0),
    }


def log_break_point_events(
    model: MATModel,
    kind: str,
    view: TrustView,
    bps: np.ndarray,
    ids: np.ndarray,
    ratios: np.ndarray,
    **extra: object,
) -> None:
    """Log ``kind`` events of break points ``bps`` (indices) for trusts ``ids`` (one pair per
    event) with the load, capacity, ratio and the trust's state at that moment."""
    names = np.array([bp.name for bp in model.break_points])
    drivers = np.array([bp.driver for bp in model.break_points])
    model.events.add(
        kind,
        model.year,
        trust_id=ids,
        break_point=names[bps],
        driver=drivers[bps],
        load=view.loads[bps, ids],
        capacity=view.capacities[bps, ids],
        ratio=ratios[bps, ids],
        **event_context(view, ids),
        **extra,
    )


def log_crossings(
    model: MATModel, view: TrustView, ratios: np.ndarray, governed: np.ndarray
) -> None:
    """A crossing when the ratio passes 1 from below (it was under 1 at the last assessment);
    a recovery when a ratio that was past capacity falls back below 0.95. The trusts' ratios
    and crossed flags are then brought up to date.

    A trust first measured past capacity (at the start, or when it becomes a multi-academy
    trust) logs no crossing — nothing was crossed that year; the trusts table shows its ratio —
    but is past capacity, so its recovery is logged. Events from the years run before year 0
    are not kept.
    """
    t = model.trusts_data
    g = np.flatnonzero(governed)  # break points apply to these trusts alone
    ratio = ratios[:, g].T  # (trust, break point), like the trust columns
    past = t.crossed[g]  # past capacity (with hysteresis)
    over = ratio >= 1.0
    new = over & (t.ratio[g] < 1.0)  # t.ratio: the last assessment's ratios (or NaN)
    recovered = past & (ratio < RECOVERY_BELOW)
    for kind, mask in (("crossing", new), ("recovery", recovered)):
        bps, at = np.nonzero(mask.T)  # break point by break point, trusts in order
        if at.size:
            log_break_point_events(model, kind, view, bps, g[at], ratios)
    t.crossed[:] = False
    t.crossed[g] = (past & ~recovered) | over
    # what the trusts table reports (ratio_*): for trusts break points apply to, NaN for others
    t.ratio[:] = np.nan
    t.ratio[g] = ratio


def record_outcomes(model: MATModel, view: TrustView, governed: np.ndarray) -> None:
    """Each governed trust's board notes its published outcome: share of schools good or
    better (all good where no school has been graded)."""
    t = model.trusts_data
    outcome = np.divide(
        view.n_strong, view.n_schools, out=np.ones_like(view.n_strong), where=view.n_schools > 0
    )
    g = np.flatnonzero(governed)
    t.outcome_history[g, :-1] = t.outcome_history[g, 1:]
    t.outcome_history[g, -1] = outcome[g]
    t.outcome_years[g] += 1


def wanted_shifts(
    model: MATModel, view: TrustView, ratios: np.ndarray, governed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(trusts, break points, planned): the shifts the trusts decide to make this year, one
    (trust, break point) pair each, trust by trust; ``planned`` marks the planned ones.

    Only a trust with a planned shift or whose board reviews this year (a reactive board whose
    outcomes fell, an anticipatory one in a review year) can want one, so only those are read.
    """
    t = model.trusts_data
    plans = [
        (j, bp.planned(view, view.settings(bp)))
        for j, bp in enumerate(model.break_points)
        if bp.planned is not None
    ]
    fell = (t.outcome_years >= HISTORY) & (
        t.outcome_history[:, 0] - t.outcome_history[:, -1] >= t.reactive_drop
    )
    reactive = (t.review_policy == REACTIVE) & fell
    reviewing = (t.review_policy == ANTICIPATORY) & (
        (model.year - t.founded_year) % t.review_interval_years == 0
    )
    candidates = governed & (reactive | reviewing | np.any([p for _, p in plans], axis=0))
    rows = np.flatnonzero(candidates)
    if model.settling:  # the scenario's named trusts start year 0 as specified
        rows = rows[rows >= model.named_trusts]
    planned = np.zeros((rows.size, len(ratios)), dtype=bool)
    for j, p in plans:
        planned[:, j] = p[rows]
    r = ratios[:, rows].T
    scale = 1.0 + t.target_schools_per_year[rows] * t.review_horizon_years[rows] / np.maximum(
        view.n_schools[rows], 1.0
    )
    projected = np.maximum(r, r * scale[:, None])
    wanted = (
        planned
        | (reactive[rows, None] & (r >= 1.0))
        | (reviewing[rows, None] & (projected >= t.anticipation_ratio[rows, None]))
    )
    for j, bp in enumerate(model.break_points):
        if bp.may_shift is not None:
            wanted[:, j] &= bp.may_shift(view, view.settings(bp))[rows]
        if bp.effect_pending is not None:
            wanted[:, j] &= ~bp.effect_pending(view, view.settings(bp))[rows]
    settling = model.year - t.shift_year[rows] < model.params.break_points.settle_years
    wanted &= (t.pending_until[rows] == NOT_PENDING) & ~settling
    at, columns = np.nonzero(wanted)
    return rows[at], columns, planned[at, columns]


def review_strategy(model: MATModel, view: TrustView, ratios: np.ndarray) -> None:
    """Each governed trust reviews under its policy and pays for the shifts it makes.

    A reviewed (not planned) shift is made only if the board gets round to it (probability: the
    trust's review capacity) and every shift only if reserves cover its one-off cost; a trust
    pays for its planned shifts first, then the others in break-point order.
    """
    rng = model.streams["review"]
    t = model.trusts_data
    core = model.params.break_points
    governed = view.governed
    record_outcomes(model, view, governed)
    trusts, columns, is_planned = wanted_shifts(model, view, ratios, governed)
    reviewed = ~is_planned
    draws = rng.random(int(reviewed.sum()))  # trust by trust
    going = is_planned.copy()
    going[reviewed] = draws <= t.review_capacity[trusts[reviewed]]
    if not going.any():
        return
    trusts, columns, is_planned, groups = shift_groups(
        trusts[going], columns[going], is_planned[going]
    )
    bought: list[tuple[int, np.ndarray]] = []
    for start, end in groups:
        j, in_plan = int(columns[start]), bool(is_planned[start])
        candidates = trusts[start:end]
        bp = model.break_points[j]
        cost = bp.shift.one_off_cost(core)
        affordable = t.reserves_gbp[candidates] >= cost
        short = candidates[~affordable]
        if short.size:
            model.events.add(
                "shift_unaffordable",
                model.year,
                trust_id=short,
                break_point=np.full(short.size, bp.name),
                planned=np.full(short.size, int(in_plan)),
            )
        ids = candidates[affordable]
        if ids.size == 0:
            continue
        t.reserves_gbp[ids] -= cost
        lag = bp.shift.lag_years(core)
        t.pending_until[ids, j] = model.year + lag
        t.pending_planned[ids, j] = in_plan
        bought.append((j, ids))
    if bought:
        bps = np.concatenate([np.full(ids.size, j) for j, ids in bought])
        ids = np.concatenate([ids for _, ids in bought])
        shifts = [model.break_points[j].shift for j in bps.tolist()]
        lags = np.array([shift.lag_years(core) for shift in shifts])
        log_break_point_events(
            model,
            "shift",
            view,
            bps,
            ids,
            ratios,
            anticipated=(ratios[bps, ids] < 1.0).astype(np.int64),
            shift=np.array([shift.name for shift in shifts]),
            effective_year=model.year + lags,
            cost_gbp=np.array([shift.one_off_cost(core) for shift in shifts], dtype=float),
        )


def settle_starting_approaches(model: MATModel, named: int) -> None:
    """Trusts that exist at the start have a history: each break point they are already past
    was shifted in the past with probability ``break_points.starting_adaptation`` (up to three
    shifts each). The first ``named`` trusts, the subjects of a scenario, start as specified."""
    rng = model.streams["setup"]
    t = model.trusts_data
    p = model.params.break_points
    history = np.arange(len(t)) >= named
    for _ in range(3):
        view = build_view(model)
        _, _, ratios = measure(view)
        eligible = (view.governed & history)[:, None] & (ratios.T >= 1.0)
        for j, bp in enumerate(model.break_points):
            if bp.may_shift is not None:
                eligible[:, j] &= bp.may_shift(view, view.settings(bp))
        adapted = np.zeros(eligible.shape, dtype=bool)
        adapted[eligible] = rng.random(int(eligible.sum())) < p.starting_adaptation
        with model.deferred_recruitment():
            for j, bp in enumerate(model.break_points):
                ids = np.flatnonzero(adapted[:, j])
                if ids.size:
                    bp.shift.apply(view, ids, view.settings(bp))
                    t.level[ids, j] += 1


def break_points_and_review(model: MATModel) -> None:
    view, ratios = assess_break_points(model)
    review_strategy(model, view, ratios)
