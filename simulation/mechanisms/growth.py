"""Growth: how schools move between the maintained pool and trusts, and trusts end.

In order each year: the regulator brokers inadequate maintained schools (sponsored academies)
and re-brokers schools a trust has failed twice; good maintained schools convert voluntarily,
joining a nearby MAT or standing alone; MATs with appetite left approach nearby maintained
schools; trusts failing for several years are closed and their schools re-brokered; some small
trusts merge into bigger neighbours; some strong single-academy trusts start to grow.

A trust takes a school only if its growth strategy accepts it: within its radius, of a phase it
wants, below its maximum size, and by its rule (``any``, ``good_only``, or the ``golden_rule``
of at least ``golden_rule_ratio`` good-or-better schools per weak one after the school joins).
All candidate searches use KD-trees; loops run over the schools that move, not over all schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from ..central_team import CentralTeam
from ..leader import CEO, IMPROVEMENT_LEAD
from ..school import GOOD, NO_TRUST, PRIMARY, REQUIRES_IMPROVEMENT, SECONDARY

if TYPE_CHECKING:
    from ..model import MATModel

NEAREST_TRUSTS = 24  # sponsor candidates examined per school (bounds the work per school)
NEAREST_SCHOOLS = 12  # maintained schools examined per approaching trust


@dataclass
class GrowthState:
    """Per-trust counts kept current while schools move during the growth step."""

    good: np.ndarray
    weak: np.ndarray
    size: np.ndarray
    quality: np.ndarray
    trust_ids: np.ndarray  # trusts that may take schools this year
    tree: cKDTree | None


def growth_state(model: MATModel) -> GrowthState:
    s = model.schools_data
    n = len(model.trusts)
    t = s.trust
    member = t != NO_TRUST
    graded_good = member & (s.grade >= 0) & (s.grade <= GOOD)
    weak = member & (s.grade >= REQUIRES_IMPROVEMENT)
    size = np.bincount(t[member], minlength=n).astype(float)
    qsum = np.bincount(t[member], weights=s.quality[member], minlength=n)
    ids = np.array([tm.trust_id for tm in model.trusts if tm.seeks_growth], dtype=np.int64)
    bases = np.array([model.trusts[i].base_xy_km for i in ids]).reshape(-1, 2)
    return GrowthState(
        good=np.bincount(t[graded_good], minlength=n).astype(float),
        weak=np.bincount(t[weak], minlength=n).astype(float),
        size=size,
        quality=np.divide(qsum, size, out=np.zeros(n), where=size > 0),
        trust_ids=ids,
        tree=cKDTree(bases) if len(ids) else None,
    )


def accepts(team: CentralTeam, model: MATModel, row: int, state: GrowthState, dist: float) -> bool:
    """Whether ``team``'s growth strategy takes school ``row`` now."""
    g = team.growth
    if g is None or not team.is_open or state.size[team.trust_id] >= g.max_schools:
        return False
    if dist > g.radius_km:
        return False
    phase = model.schools_data.phase[row]
    if g.phase_preference == "primary" and phase != PRIMARY:
        return False
    if g.phase_preference == "secondary" and phase == PRIMARY:
        return False
    weak = model.schools_data.grade[row] >= REQUIRES_IMPROVEMENT
    if g.accept == "good_only":
        return not weak
    if g.accept == "golden_rule" and weak:
        i = team.trust_id
        return state.good[i] >= g.golden_rule_ratio * (state.weak[i] + 1)
    return True


def find_trust(
    model: MATModel,
    row: int,
    state: GrowthState,
    radius_km: float,
    *,
    exclude: int = NO_TRUST,
    need_appetite: bool = True,
) -> int:
    """The best trust to take school ``row``: accepting, nearby, and with the best schools."""
    if state.tree is None:
        return NO_TRUST
    s = model.schools_data
    k = min(NEAREST_TRUSTS, len(state.trust_ids))
    dist, idx = state.tree.query([s.x_km[row], s.y_km[row]], k=k, distance_upper_bound=radius_km)
    best, best_score = NO_TRUST, -np.inf
    for d, j in zip(np.atleast_1d(dist), np.atleast_1d(idx), strict=True):
        if j >= len(state.trust_ids):
            break
        team = model.trusts[state.trust_ids[j]]
        if team.trust_id == exclude or (need_appetite and team.appetite < 1):
            continue
        if not accepts(team, model, row, state, d):
            continue
        score = state.quality[team.trust_id] - 0.5 * d / max(radius_km, 1e-9)
        if score > best_score:
            best, best_score = team.trust_id, score
    return best


def join(model: MATModel, rows: np.ndarray, trust_id: int, kind: str, state: GrowthState) -> None:
    s = model.schools_data
    rows = np.atleast_1d(rows)
    for old in s.trust[rows]:
        if old != NO_TRUST:
            state.size[old] -= 1
    model.move_schools(rows, trust_id, kind)
    if trust_id == NO_TRUST:
        return
    state.size[trust_id] += len(rows)
    state.good[trust_id] += np.sum((s.grade[rows] >= 0) & (s.grade[rows] <= GOOD))
    state.weak[trust_id] += np.sum(s.grade[rows] >= REQUIRES_IMPROVEMENT)
    model.trusts[trust_id].appetite -= len(rows)


def stand_alone(model: MATModel, row: int, kind: str, state: GrowthState) -> int:
    """The school forms its own single-academy trust."""
    team = model.create_trust(f"SAT {len(model.trusts) + 1}", row, growth=None)
    for name in ("good", "weak", "size", "quality"):
        setattr(state, name, np.append(getattr(state, name), 0.0))
    join(model, np.array([row]), team.trust_id, kind, state)
    return team.trust_id


def broker(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """The regulator finds sponsors for inadequate maintained schools and failed academies."""
    s, pol = model.schools_data, model.params.policy
    waiting = np.flatnonzero(s.awaiting_sponsor & (s.trust == NO_TRUST))
    failed = np.flatnonzero(
        (s.trust != NO_TRUST) & (s.inadequate_in_trust >= pol.rebroker_after_inadequate)
    )
    for rows, kind in ((waiting, "broker"), (failed, "rebroker")):
        for row in rng.permutation(rows).tolist():
            current = int(s.trust[row])
            sponsor = find_trust(model, row, state, pol.brokering_radius_km, exclude=current)
            if sponsor == NO_TRUST:
                model.events.add("broker_unmatched", model.year, school_id=row, trust_id=current)
                continue
            join(model, np.array([row]), sponsor, kind, state)
            model.trusts[sponsor].reserves_gbp += pol.growth_grant_gbp


def convert(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Good maintained schools convert: join a nearby MAT that takes them, or stand alone."""
    s, pol = model.schools_data, model.params.policy
    pool = np.flatnonzero((s.trust == NO_TRUST) & (s.grade >= 0) & (s.grade <= GOOD))
    converting = pool[rng.random(len(pool)) < pol.voluntary_conversion_per_year]
    for row in rng.permutation(converting).tolist():
        if rng.random() >= pol.convert_standalone_share:
            sponsor = find_trust(model, row, state, pol.brokering_radius_km)
            if sponsor != NO_TRUST:
                join(model, np.array([row]), sponsor, "join", state)
                continue
        stand_alone(model, row, "convert_standalone", state)


def approach(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Trusts with appetite left approach the nearest maintained schools they would take."""
    s, pol = model.schools_data, model.params.policy
    pool = np.flatnonzero((s.trust == NO_TRUST) & ~s.awaiting_sponsor)
    seekers = [i for i in state.trust_ids.tolist() if model.trusts[i].appetite >= 1]
    if not pool.size or not seekers:
        return
    tree = cKDTree(np.column_stack([s.x_km[pool], s.y_km[pool]]))
    bases = np.array([model.trusts[i].base_xy_km for i in seekers])
    k = min(NEAREST_SCHOOLS, len(pool))
    dist, idx = tree.query(bases, k=k)
    dist, idx = dist.reshape(len(seekers), k), idx.reshape(len(seekers), k)
    for j in rng.permutation(len(seekers)).tolist():
        team = model.trusts[seekers[j]]
        for d, i in zip(dist[j], idx[j], strict=True):
            if team.appetite < 1:
                break
            row = int(pool[i])
            if s.trust[row] != NO_TRUST or not accepts(team, model, row, state, d):
                continue
            if rng.random() < pol.approach_success_probability:
                join(model, np.array([row]), team.trust_id, "join", state)
            team.appetite -= 1  # an approach uses the year's effort, accepted or not


def close_trust(model: MATModel, team: CentralTeam, state: GrowthState, kind: str) -> None:
    L = model.leaders_data
    central = np.flatnonzero(
        L.active & (L.trust == team.trust_id) & ((L.role == CEO) | (L.role == IMPROVEMENT_LEAD))
    )
    model.retire_leaders(central)
    team.close(model.year)
    model.events.add(kind, model.year, trust_id=team.trust_id)


def close_failing_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """A trust with too many weak schools for too long is closed; its schools re-brokered."""
    s, ct, pol = model.schools_data, model.params.central_team, model.params.policy
    for team in model.trusts:
        i = team.trust_id
        if not team.is_open or state.size[i] < 2:
            continue
        failing = state.weak[i] >= ct.failing_share_weak * state.size[i]
        team.failing_years = team.failing_years + 1 if failing else 0
        if team.failing_years < ct.failing_years:
            continue
        members = np.flatnonzero(s.trust == i)
        close_trust(model, team, state, "trust_closed")
        for row in rng.permutation(members).tolist():
            sponsor = find_trust(
                model, row, state, pol.brokering_radius_km, exclude=i, need_appetite=False
            )
            if sponsor != NO_TRUST:
                join(model, np.array([row]), sponsor, "rebroker", state)
            else:
                stand_alone(model, row, "rebroker", state)


def merge_small_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Some small trusts merge into a larger trust nearby that would take their schools."""
    s, ct = model.schools_data, model.params.central_team
    for team in list(model.trusts):
        i = team.trust_id
        if not team.is_open or not 0 < state.size[i] <= ct.merge_max_schools:
            continue
        if rng.random() >= ct.merge_probability_per_year:
            continue
        members = np.flatnonzero(s.trust == i)
        partner = find_trust(
            model, int(members[0]), state, ct.merge_radius_km, exclude=i, need_appetite=False
        )
        if partner == NO_TRUST or state.size[partner] <= state.size[i]:
            continue
        join(model, members, partner, "merge", state)
        close_trust(model, team, state, "trust_merged")


def single_academies_grow(model: MATModel, rng: np.random.Generator) -> None:
    """A strong single-academy trust starts taking schools: it becomes a MAT with a CEO."""
    s, pol = model.schools_data, model.params.policy
    sizes = model.trust_sizes()
    member = np.flatnonzero(s.trust != NO_TRUST)
    a_school_of = np.full(len(model.trusts), -1)
    a_school_of[s.trust[member]] = member
    for team in model.trusts:
        if not team.is_open or team.growth is not None or sizes[team.trust_id] != 1:
            continue
        row = int(a_school_of[team.trust_id])
        if s.grade[row] > GOOD or rng.random() >= pol.single_academy_grows_per_year:
            continue
        team.growth = model.params.growth
        model.appoint_leaders(
            CEO, model.draw_skill(1, rng, 0.1), np.array([-1]), np.array([team.trust_id])
        )
        model.events.add("becomes_mat", model.year, trust_id=team.trust_id, school_id=row)


def grow_trusts(model: MATModel) -> None:
    rng = model.streams["growth"]
    for team in model.trusts:
        team.plan_year(rng)
    state = growth_state(model)
    broker(model, state, rng)
    convert(model, state, rng)
    approach(model, state, rng)
    close_failing_trusts(model, state, rng)
    merge_small_trusts(model, state, rng)
    single_academies_grow(model, rng)
