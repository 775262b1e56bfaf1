"""Break points and strategy review: measure every trust's loads, act on them, decide shifts.

Each year, before the central teams allocate support:

1. shifts whose lag has run out take effect (the trust's approach changes);
2. every break point's load/capacity ratio is computed for every trust; crossings (ratio rises
   through 1) and recoveries (falls back below 1) are logged;
3. each ratio's effectiveness feeds the channels the break point acts through, and the channels
   set the trust's multipliers (oversight, intelligence, support, peer help, commitment,
   innovation, operations cost, review capacity);
4. each trust reviews its strategy under its policy — ``static`` never shifts; ``reactive``
   shifts the break points already crossed once its outcomes have fallen; ``anticipatory``
   reviews every few years and shifts those projected to cross — and pays for the shifts.

A planned lever (the CEO stepping back at ``ceo_steps_back_at`` schools) is carried out under
any policy: it is part of the operating model, not a review decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..breakpoints import BREAK_POINTS, BY_NAME, CHANNELS, NAMES, effectiveness
from ..breakpoints.base import load_ratio
from ..breakpoints.view import TrustView, build_view
from ..central_team import CentralTeam

if TYPE_CHECKING:
    from ..model import MATModel

INTELLIGENCE_NOISE_GAIN = 2.0  # monitoring noise multiplier at zero intelligence: 1 + gain
OPERATIONS_COST_GAIN = 1.0  # back-office cost multiplier at zero operations effectiveness


def _governed(team: CentralTeam, size: float) -> bool:
    """Break points apply to trusts with a central team: MATs, not lone single academies."""
    return team.is_open and (team.growth is not None or size > 1)


def apply_due_shifts(model: MATModel, view: TrustView) -> bool:
    """Shifts whose lag has run out change the trust's approach now."""
    applied = False
    for team in model.trusts:
        due = [(bp, yr) for bp, yr in team.pending_shifts if yr <= model.year]
        if not due:
            continue
        team.pending_shifts = [(bp, yr) for bp, yr in team.pending_shifts if yr > model.year]
        for name, _ in due:
            BY_NAME[name].shift.apply(team, view)
            team.levels[name] = team.levels.get(name, 0) + 1
        applied = True
    return applied


def channel_values(eff: np.ndarray) -> dict[str, np.ndarray]:
    """Combine break points' effectiveness into channels: product of (1 - w (1 - e))."""
    n = eff.shape[1]
    values = {name: np.ones(n) for name in CHANNELS}
    for b, bp in enumerate(BREAK_POINTS):
        for channel, weight in bp.channels.items():
            values[channel] *= 1.0 - weight * (1.0 - eff[b])
    return values


def overall_effectiveness(channels: dict[str, np.ndarray], p) -> np.ndarray:
    """How well the trust's approach works overall: 1 minus the weighted shortfalls of the
    channels that carry school improvement (``break_points.weight_*``), never below 0."""
    shortfall = sum(
        getattr(p, f"weight_{name}") * (1.0 - channels[name])
        for name in ("support", "oversight", "peer", "commitment", "intelligence")
    )
    return np.clip(1.0 - shortfall, 0.0, 1.0)


def recurring_shift_costs(model: MATModel, view: TrustView) -> np.ndarray:
    """Yearly costs of the approaches trusts have shifted to, plus back-office inefficiency."""
    bp = model.params.break_points
    s = model.schools_data
    n = len(model.trusts)
    member = s.trust >= 0
    pairs = np.unique(s.trust[member].astype(np.int64) * 1_000 + s.region[member])
    regions = np.bincount(pairs // 1_000, minlength=n)
    regional = np.array([t.regional_operations for t in model.trusts], dtype=bool)
    hubs = np.where(regional, np.maximum(regions - 1, 0), 0)
    comms = view.level["communications"] * bp.comms_cost_gbp
    reporting = (
        (view.level["single_source"] > 0) * view.n_schools * bp.reporting_cost_per_school_gbp
    )
    return hubs * bp.hub_cost_gbp + comms + reporting


def assess_break_points(model: MATModel) -> tuple[TrustView, np.ndarray]:
    """Apply due shifts, measure every ratio, log crossings and set the trusts' multipliers."""
    previous = getattr(model, "last_view", None)  # the view the shifts were decided on
    if any(team.pending_shifts for team in model.trusts):
        apply_due_shifts(model, previous if previous is not None else build_view(model, NAMES))
    view = build_view(model, NAMES)
    model.last_view = view
    n = len(model.trusts)
    view.loads = np.vstack([np.broadcast_to(bp.load(view), (n,)) for bp in BREAK_POINTS])
    view.capacities = np.vstack([np.broadcast_to(bp.capacity(view), (n,)) for bp in BREAK_POINTS])
    ratios = load_ratio(view.loads, view.capacities)
    p = model.params.break_points
    eff = effectiveness(ratios, p.falloff, p.floor)
    channels = channel_values(eff)
    extra_costs = recurring_shift_costs(model, view)
    business = model.params.central_team.business_cost_per_pupil_gbp * view.pupils
    neutral = model.params.quality.trust_neutral_effectiveness
    overall = overall_effectiveness(channels, p)
    governed = governed_trusts(model, view)
    for team in model.trusts:
        i = team.trust_id
        if not governed[i]:
            team.effectiveness = neutral  # a lone academy has no trust model to push it
            continue
        team.oversight_capacity_factor = channels["oversight"][i]
        team.monitoring_noise = 1.0 + INTELLIGENCE_NOISE_GAIN * (1.0 - channels["intelligence"][i])
        team.support_effectiveness = channels["support"][i]
        team.collaboration_factor = channels["peer"][i]
        team.commitment_factor = channels["commitment"][i]
        team.innovation_factor = channels["innovation"][i]
        team.operations_cost_factor = 1.0 + OPERATIONS_COST_GAIN * (1.0 - channels["operations"][i])
        team.review_capacity = channels["review"][i]
        team.effectiveness = overall[i]
        team.shift_costs_gbp = extra_costs[i] + (team.operations_cost_factor - 1.0) * business[i]
    log_crossings(model, view, ratios, governed)
    model.break_point_ratios = ratios
    return view, ratios


def _context(view: TrustView, i: int) -> dict[str, float]:
    return {
        "n_schools": view.n_schools[i],
        "pupils": view.pupils[i],
        "spread_km": view.spread_km[i],
        "share_weak": view.n_weak[i] / max(view.n_schools[i], 1.0),
    }


def _log(
    model: MATModel,
    kind: str,
    team: CentralTeam,
    b: int,
    view: TrustView,
    ratios: np.ndarray,
    **extra: object,
) -> None:
    bp = BREAK_POINTS[b]
    i = team.trust_id
    load, cap = float(view.loads[b, i]), float(view.capacities[b, i])
    model.events.add(
        kind,
        model.year,
        trust_id=i,
        break_point=bp.name,
        driver=bp.driver,
        load=load,
        capacity=cap,
        ratio=float(ratios[b, i]),
        **_context(view, i),
        **extra,
    )


RECOVERY_BELOW = 0.95  # hysteresis: a crossed break point recovers once back under this ratio


def governed_trusts(model: MATModel, view: TrustView) -> np.ndarray:
    """Which trusts break points apply to (open MATs), as a boolean array by trust id."""
    return np.array(
        [_governed(team, view.n_schools[team.trust_id]) for team in model.trusts], dtype=bool
    )


def log_crossings(
    model: MATModel, view: TrustView, ratios: np.ndarray, governed: np.ndarray
) -> None:
    """A crossing when the ratio reaches 1; a recovery when it falls back below 0.95.

    A trust that starts (or is founded) already past capacity logs its crossing then. The
    state is a (break point x trust) matrix; events are logged in one batch per kind and break
    point.
    """
    crossed = getattr(model, "crossed", np.zeros((len(BREAK_POINTS), 0), dtype=bool))
    if crossed.shape[1] < ratios.shape[1]:
        grown = np.zeros(ratios.shape, dtype=bool)
        grown[:, : crossed.shape[1]] = crossed
        crossed = grown
    new = governed & (ratios >= 1.0) & ~crossed
    recovered = governed & (ratios < RECOVERY_BELOW) & crossed
    context = {
        "n_schools": view.n_schools,
        "pupils": view.pupils,
        "spread_km": view.spread_km,
        "share_weak": np.divide(view.n_weak, np.maximum(view.n_schools, 1.0)),
    }
    for kind, mask in (("crossing", new), ("recovery", recovered)):
        for b, bp in enumerate(BREAK_POINTS):
            ids = np.flatnonzero(mask[b])
            if ids.size:
                model.events.add(
                    kind,
                    model.year,
                    trust_id=ids,
                    break_point=np.full(ids.size, bp.name, dtype=object),
                    driver=np.full(ids.size, bp.driver, dtype=object),
                    load=view.loads[b, ids],
                    capacity=view.capacities[b, ids],
                    ratio=ratios[b, ids],
                    **{name: values[ids] for name, values in context.items()},
                )
    model.crossed = (crossed | new) & ~recovered


def _share_good_or_better(view: TrustView) -> np.ndarray:
    """The public outcome a reactive board watches: share of its schools graded good or better."""
    return np.divide(
        view.n_strong, view.n_schools, out=np.ones_like(view.n_strong), where=view.n_schools > 0
    )


def _wanted_shifts(
    team: CentralTeam, i: int, model: MATModel, view: TrustView, ratios: np.ndarray
) -> list[tuple[int, bool]]:
    """Break points (index, planned?) the trust decides to shift this year."""
    policy = team.review.policy
    pending = {name for name, _ in team.pending_shifts}
    wanted: list[tuple[int, bool]] = []
    ceo = NAMES.index("ceo_role")
    if (
        team.ceo_hands_on
        and team.ceo_steps_back_at > 0
        and view.has_ceo[i]
        and view.n_schools[i] >= team.ceo_steps_back_at
        and "ceo_role" not in pending
    ):
        wanted.append((ceo, True))
    if policy == "reactive":
        history = team.outcome_history
        fell = len(history) >= 3 and history[-3] - history[-1] >= team.review.reactive_drop
        if fell:
            wanted += [(b, False) for b in range(len(BREAK_POINTS)) if ratios[b, i] >= 1.0]
    elif (
        policy == "anticipatory"
        and (model.year - team.founded_year) % team.review.interval_years == 0
    ):
        growth = team.growth.target_schools_per_year if team.growth is not None else 0.0
        scale = 1.0 + growth * team.review.horizon_years / max(view.n_schools[i], 1.0)
        projected = ratios[:, i] * scale
        wanted += [
            (b, False)
            for b in range(len(BREAK_POINTS))
            if max(ratios[b, i], projected[b]) >= team.review.anticipation_ratio
        ]
    if team.ceo_steps_back_at == 0 or not team.ceo_hands_on:  # a CEO who never lets go
        wanted = [(b, planned) for b, planned in wanted if b != ceo]
    seen: set[int] = set()
    return [
        (b, planned)
        for b, planned in wanted
        if not (b in seen or seen.add(b)) and BREAK_POINTS[b].name not in pending
    ]


def review_strategy(model: MATModel, view: TrustView, ratios: np.ndarray) -> None:
    """Each governed trust reviews under its policy and pays for the shifts it makes."""
    rng = model.streams["review"]
    bp_params = model.params.break_points
    outcomes = _share_good_or_better(view)
    for team in model.trusts:
        i = team.trust_id
        if not _governed(team, view.n_schools[i]):
            continue
        team.outcome_history.append(float(outcomes[i]))
        for b, planned in _wanted_shifts(team, i, model, view, ratios):
            shift = BREAK_POINTS[b].shift
            cost = shift.one_off_cost(bp_params)
            if not planned and rng.random() > team.review_capacity:
                continue  # an overstretched board or CEO does not get round to it
            if team.reserves_gbp < cost:
                model.events.add(
                    "shift_unaffordable", model.year, trust_id=i, break_point=BREAK_POINTS[b].name
                )
                continue
            team.reserves_gbp -= cost
            lag = shift.lag_years(bp_params)
            team.pending_shifts.append((BREAK_POINTS[b].name, model.year + lag))
            _log(
                model,
                "shift",
                team,
                b,
                view,
                ratios,
                anticipated=int(ratios[b, i] < 1.0),
                shift=shift.name,
                effective_year=model.year + lag,
                cost_gbp=cost,
            )


def settle_starting_approaches(model: MATModel, named: int) -> None:
    """Trusts that exist at the start have a history: each break point they are already past
    was shifted in the past with probability ``break_points.starting_adaptation`` (up to three
    shifts each). The first ``named`` trusts, the subjects of a scenario, start as specified."""
    rng = model.streams["setup"]
    p = model.params.break_points
    for _ in range(3):
        view = build_view(model, NAMES)
        ratios = np.vstack([bp.ratio(view) for bp in BREAK_POINTS])
        for team in model.trusts[named:]:
            i = team.trust_id
            if not _governed(team, view.n_schools[i]):
                continue
            for b, bp in enumerate(BREAK_POINTS):
                if bp.name == "ceo_role" and team.ceo_steps_back_at == 0:
                    continue
                if ratios[b, i] >= 1.0 and rng.random() < p.starting_adaptation:
                    bp.shift.apply(team, view)
                    team.levels[bp.name] = team.levels.get(bp.name, 0) + 1


def break_points_and_review(model: MATModel) -> None:
    view, ratios = assess_break_points(model)
    review_strategy(model, view, ratios)


def trust_reporters() -> dict[str, tuple[str, object]]:
    """Columns the break points add to the trusts table: name -> (description, reporter)."""

    def ratio(b: int):
        def fn(model: MATModel) -> np.ndarray:
            out = np.full(len(model.trusts), np.nan)
            known = getattr(model, "break_point_ratios", None)
            if known is not None:
                out[: known.shape[1]] = known[b]
            return out

        return fn

    def attr(name: str, kind=object):
        return lambda model: np.array([getattr(t, name) for t in model.trusts], dtype=kind)

    reporters: dict[str, tuple[str, object]] = {
        f"ratio_{bp.name}": (
            f"load/capacity of the {bp.name} break point ({bp.driver}): {bp.description}; "
            "past 1 the approach loses effectiveness (capped at 10, NaN for trusts founded "
            "after the year's assessment)",
            ratio(b),
        )
        for b, bp in enumerate(BREAK_POINTS)
    }
    reporters.update(
        {
            "operating_preset": (
                "operating-model preset the trust started with",
                attr("operating_preset"),
            ),
            "review_policy": (
                "strategy-review policy: static, reactive or anticipatory",
                lambda m: np.array([t.review.policy for t in m.trusts], dtype=object),
            ),
            "joining_policy": ("policy for joining schools", attr("joining_policy")),
            "earned_autonomy": (
                "lowest grade that earns autonomy ('off' if none)",
                attr("earned_autonomy"),
            ),
            "directive": (
                "1 if weak schools are under directive intervention",
                attr("directive", np.int8),
            ),
            "clusters": ("1 if collaboration runs in clusters", attr("clusters", np.int8)),
            "regional_operations": (
                "1 if operations run from regional hubs",
                attr("regional_operations", np.int8),
            ),
            "governance": ("board model: representative or skills_based", attr("governance")),
            "ceo_hands_on": (
                "1 if the CEO still improves schools personally",
                attr("ceo_hands_on", np.int8),
            ),
            "shifts_made": (
                "shifts that have taken effect since the trust was founded",
                lambda m: np.array([sum(t.levels.values()) for t in m.trusts]),
            ),
            "planned_leads": (
                "improvement leads the staffing plan provides for",
                attr("planned_leads", np.int32),
            ),
            "growth_paused": (
                "1 while growth is paused to rebuild capacity (golden rule)",
                lambda m: np.array([t.paused_until >= m.year for t in m.trusts], dtype=np.int8),
            ),
        }
    )
    return reporters
