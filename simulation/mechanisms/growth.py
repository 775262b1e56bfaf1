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

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from ..central_team import CentralTeam
from ..leader import CEO, IMPROVEMENT_LEAD
from ..parameters import GrowthStrategy
from ..school import GOOD, NO_TRUST, PRIMARY, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from ..model import MATModel

NEAREST_TRUSTS = 24  # sponsor candidates examined per school (bounds the work per school)
NEAREST_SCHOOLS = 24  # maintained schools a trust approaches at most per year


# codes of the growth-strategy options, so acceptance can be checked for many trusts at once
ANY_PHASE, PRIMARY_ONLY, SECONDARY_ONLY = 0, 1, 2
ACCEPT_ANY, ACCEPT_GOOD_ONLY, ACCEPT_GOLDEN_RULE = 0, 1, 2
_PHASE_RULES = {"any": ANY_PHASE, "primary": PRIMARY_ONLY, "secondary": SECONDARY_ONLY}
_ACCEPT_RULES = {
    "any": ACCEPT_ANY,
    "good_only": ACCEPT_GOOD_ONLY,
    "golden_rule": ACCEPT_GOLDEN_RULE,
}
_PER_TRUST = ("good", "weak", "size", "quality")
_STRATEGY = ("has_growth", "max_schools", "radius_km", "phase_rule", "accept_rule", "golden_ratio")


@dataclass
class GrowthState:
    """Per-trust counts kept current while schools move during the growth step.

    Arrays are indexed by trust id. The growth strategies are read once per step into the
    ``_STRATEGY`` arrays (a trust's strategy does not change while schools move).
    """

    good: np.ndarray
    weak: np.ndarray
    size: np.ndarray
    quality: np.ndarray
    trust_ids: np.ndarray  # trusts that may take schools this year
    tree: cKDTree | None
    has_growth: np.ndarray  # bool: the trust has a growth strategy
    max_schools: np.ndarray
    radius_km: np.ndarray
    phase_rule: np.ndarray  # _PHASE_RULES code
    accept_rule: np.ndarray  # _ACCEPT_RULES code
    golden_ratio: np.ndarray

    def add_trust(self) -> None:
        """Room for a trust founded during the step (a single academy: no strategy)."""
        for name in _PER_TRUST + _STRATEGY:
            array = getattr(self, name)
            setattr(self, name, np.append(array, np.zeros(1, dtype=array.dtype)))


@functools.cache
def _strategy_codes(g: GrowthStrategy | None) -> tuple[int, int, float, int, int, float]:
    """A trust's growth strategy as the values of the ``_STRATEGY`` arrays."""
    if g is None:
        return (0, 0, 0.0, 0, 0, 0.0)
    # any other value (e.g. phase preference 'mixed') restricts nothing, as it did before
    phase = _PHASE_RULES.get(g.phase_preference, ANY_PHASE)
    rule = _ACCEPT_RULES.get(g.accept, ACCEPT_ANY)
    return (1, g.max_schools, g.radius_km, phase, rule, g.golden_rule_ratio)


def growth_state(model: MATModel) -> GrowthState:
    s = model.schools_data
    n = len(model.trusts)
    t = s.trust
    member = t != NO_TRUST
    graded_good = member & (s.grade >= 0) & (s.grade <= GOOD)
    weak = member & (s.grade >= REQUIRES_IMPROVEMENT)
    size = np.bincount(t[member], minlength=n).astype(float)
    qsum = np.bincount(t[member], weights=s.quality[member], minlength=n)
    growing = [tm for tm in model.trusts if tm.seeks_growth]
    ids = np.array([tm.trust_id for tm in growing], dtype=np.int64)
    bases = np.concatenate([tm.growth_centre_km for tm in growing]) if growing else np.empty(0)
    bases = bases.astype(float).reshape(-1, 2)
    rows = [_strategy_codes(tm.growth) for tm in model.trusts]
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(_STRATEGY)
    return GrowthState(
        good=np.bincount(t[graded_good], minlength=n).astype(float),
        weak=np.bincount(t[weak], minlength=n).astype(float),
        size=size,
        quality=np.divide(qsum, size, out=np.zeros(n), where=size > 0),
        trust_ids=ids,
        tree=cKDTree(bases) if len(ids) else None,
        has_growth=np.array(cols[0], dtype=bool),
        max_schools=np.array(cols[1], dtype=float),
        radius_km=np.array(cols[2], dtype=float),
        phase_rule=np.array(cols[3], dtype=np.int8),
        accept_rule=np.array(cols[4], dtype=np.int8),
        golden_ratio=np.array(cols[5], dtype=float),
    )


def accepts(team: CentralTeam, model: MATModel, row: int, state: GrowthState, dist: float) -> bool:
    """Whether ``team``'s growth strategy takes school ``row`` now, at ``dist`` km.

    It must be open with a growth strategy and below its maximum size; the school must be
    within its radius and of a phase it wants; and its rule must allow the school: ``any``;
    ``good_only`` (no weak school); ``golden_rule`` (a weak school only while the trust keeps
    ``golden_rule_ratio`` good-or-better schools per weak one after it joins).
    :func:`accepting` is the same rule for many trusts at once: change both together.
    """
    i = team.trust_id
    if not (team.is_open and state.has_growth[i]) or state.size[i] >= state.max_schools[i]:
        return False
    if dist > state.radius_km[i]:
        return False
    s = model.schools_data
    primary = s.phase[row] == PRIMARY
    phase_rule = state.phase_rule[i]
    if (phase_rule == PRIMARY_ONLY and not primary) or (phase_rule == SECONDARY_ONLY and primary):
        return False
    if s.grade[row] >= REQUIRES_IMPROVEMENT:  # a weak school
        rule = state.accept_rule[i]
        if rule == ACCEPT_GOOD_ONLY:
            return False
        if rule == ACCEPT_GOLDEN_RULE:
            return bool(state.good[i] >= state.golden_ratio[i] * (state.weak[i] + 1))
    return True


def accepting(
    model: MATModel, trusts: np.ndarray, row: int, state: GrowthState, dist: np.ndarray
) -> np.ndarray:
    """:func:`accepts` for many trusts (ids) at once: which would take school ``row`` now."""
    s = model.schools_data
    teams = model.trusts
    ok = np.array([teams[i].is_open for i in trusts.tolist()], dtype=bool)
    ok &= state.has_growth[trusts]
    ok &= state.size[trusts] < state.max_schools[trusts]
    ok &= dist <= state.radius_km[trusts]
    phase_rule = state.phase_rule[trusts]
    ok &= phase_rule != (SECONDARY_ONLY if s.phase[row] == PRIMARY else PRIMARY_ONLY)
    if s.grade[row] >= REQUIRES_IMPROVEMENT:  # a weak school
        rule = state.accept_rule[trusts]
        ok &= rule != ACCEPT_GOOD_ONLY
        keeps_ratio = state.good[trusts] >= state.golden_ratio[trusts] * (state.weak[trusts] + 1)
        ok &= (rule != ACCEPT_GOLDEN_RULE) | keeps_ratio
    return ok


def nearest_growing_trusts(
    model: MATModel, rows: np.ndarray, state: GrowthState, radius_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and tree positions of the growing trusts nearest each school in ``rows``.

    One row per school, ``NEAREST_TRUSTS`` columns, nearest first; positions past the end of
    ``state.trust_ids`` (with infinite distance) mark 'no more trusts within ``radius_km``'.
    """
    s = model.schools_data
    rows = np.atleast_1d(rows)
    if state.tree is None or rows.size == 0:
        empty = np.empty((rows.size, 0))
        return empty, empty.astype(np.int64)
    k = min(NEAREST_TRUSTS, len(state.trust_ids))
    xy = np.column_stack([s.x_km[rows], s.y_km[rows]])
    dist, idx = state.tree.query(xy, k=k, distance_upper_bound=radius_km)
    return dist.reshape(rows.size, k), idx.reshape(rows.size, k)


def find_trust(
    model: MATModel,
    row: int,
    state: GrowthState,
    radius_km: float,
    *,
    exclude: int = NO_TRUST,
    need_appetite: bool = True,
    nearest: tuple[np.ndarray, np.ndarray] | None = None,
) -> int:
    """The best trust to take school ``row``: accepting, nearby, and with the best schools.

    ``nearest`` is the school's row of :func:`nearest_growing_trusts` when the caller has
    queried many schools at once.
    """
    if state.tree is None:
        return NO_TRUST
    if nearest is None:
        dist, idx = nearest_growing_trusts(model, np.array([row]), state, radius_km)
        dist, idx = dist[0], idx[0]
    else:
        dist, idx = nearest
    found = idx < len(state.trust_ids)
    if not found.any():
        return NO_TRUST
    dist = dist[found]
    trusts = state.trust_ids[idx[found]]
    ok = accepting(model, trusts, row, state, dist) & (trusts != exclude)
    if need_appetite:
        teams = model.trusts
        ok &= np.array([teams[i].appetite >= 1 for i in trusts.tolist()], dtype=bool)
    if not ok.any():
        return NO_TRUST
    score = state.quality[trusts] - 0.5 * dist / max(radius_km, 1e-9)
    return int(trusts[np.argmax(np.where(ok, score, -np.inf))])  # ties: the nearer trust


def join(model: MATModel, rows: np.ndarray, trust_id: int, kind: str, state: GrowthState) -> None:
    s = model.schools_data
    rows = np.atleast_1d(rows)
    old = s.trust[rows]
    old = old[old != NO_TRUST]
    if old.size:
        np.subtract.at(state.size, old, 1)
    model.move_schools(rows, trust_id, kind)
    if trust_id == NO_TRUST:
        return
    grade = s.grade[rows]
    state.size[trust_id] += len(rows)
    state.good[trust_id] += np.count_nonzero((grade >= 0) & (grade <= GOOD))
    state.weak[trust_id] += np.count_nonzero(grade >= REQUIRES_IMPROVEMENT)
    model.trusts[trust_id].appetite -= len(rows)


def stand_alone(model: MATModel, row: int, kind: str, state: GrowthState) -> int:
    """The school forms its own single-academy trust."""
    team = model.create_trust(f"SAT {len(model.trusts) + 1}", row, growth=None)
    state.add_trust()
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
        order = rng.permutation(rows)
        dist, idx = nearest_growing_trusts(model, order, state, pol.brokering_radius_km)
        for n, row in enumerate(order.tolist()):
            current = int(s.trust[row])
            sponsor = find_trust(
                model,
                row,
                state,
                pol.brokering_radius_km,
                exclude=current,
                nearest=(dist[n], idx[n]),
            )
            if sponsor == NO_TRUST:
                model.events.add("broker_unmatched", model.year, school_id=row, trust_id=current)
                continue
            join(model, np.array([row]), sponsor, kind, state)
            model.trusts[sponsor].grants_due_gbp += pol.growth_grant_gbp


def convert(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Good maintained schools convert: join a nearby MAT that takes them, or stand alone."""
    s, pol = model.schools_data, model.params.policy
    pool = np.flatnonzero((s.trust == NO_TRUST) & (s.grade >= 0) & (s.grade <= GOOD))
    converting = pool[rng.random(len(pool)) < pol.voluntary_conversion_per_year]
    order = rng.permutation(converting)
    dist, idx = nearest_growing_trusts(model, order, state, pol.brokering_radius_km)
    for n, row in enumerate(order.tolist()):
        if rng.random() >= pol.convert_standalone_share:
            sponsor = find_trust(
                model, row, state, pol.brokering_radius_km, nearest=(dist[n], idx[n])
            )
            if sponsor != NO_TRUST:
                join(model, np.array([row]), sponsor, "join", state)
                continue
        stand_alone(model, row, "convert_standalone", state)


def _approach_order(
    model: MATModel, team: CentralTeam, pool: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pool indices a trust that does not simply seek the nearest schools approaches, in
    order, with their distances from its growth centre."""
    s = model.schools_data
    centre = team.growth_centre_km
    dist = np.hypot(s.x_km[pool] - centre[0], s.y_km[pool] - centre[1])
    near = np.flatnonzero(dist <= team.growth.radius_km)
    if team.growth.seek == "weak":
        order = near[np.lexsort((dist[near], -s.grade[pool[near]]))]
    else:  # anywhere within the radius
        order = rng.permutation(near)
    return order[:NEAREST_SCHOOLS], dist[order[:NEAREST_SCHOOLS]]


def approach(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Trusts with appetite left approach maintained schools they would take: the nearest,
    or (by their growth strategy's ``seek``) schools anywhere in reach or the weakest first."""
    s, pol = model.schools_data, model.params.policy
    pool = np.flatnonzero((s.trust == NO_TRUST) & ~s.awaiting_sponsor)
    seekers = [i for i in state.trust_ids.tolist() if model.trusts[i].appetite >= 1]
    if not pool.size or not seekers:
        return
    tree = cKDTree(np.column_stack([s.x_km[pool], s.y_km[pool]]))
    centres = np.array([model.trusts[i].growth_centre_km for i in seekers])
    k = min(NEAREST_SCHOOLS, len(pool))
    dist, idx = tree.query(centres, k=k)
    dist, idx = dist.reshape(len(seekers), k), idx.reshape(len(seekers), k)
    trust = s.trust
    for j in rng.permutation(len(seekers)).tolist():
        team = model.trusts[seekers[j]]
        if team.growth.seek == "nearest":
            candidates, distances = idx[j], dist[j]
        else:
            candidates, distances = _approach_order(model, team, pool, rng)
        for d, i in zip(distances.tolist(), candidates.tolist(), strict=True):
            if team.appetite < 1:
                break
            row = int(pool[i])
            if trust[row] != NO_TRUST or not accepts(team, model, row, state, d):
                continue
            if rng.random() < pol.approach_success_probability:
                join(model, np.array([row]), team.trust_id, "join", state)  # uses appetite


def close_trust(model: MATModel, team: CentralTeam, state: GrowthState, kind: str) -> None:
    leaders = model.leaders_data
    central = np.flatnonzero(
        leaders.active
        & (leaders.trust == team.trust_id)
        & ((leaders.role == CEO) | (leaders.role == IMPROVEMENT_LEAD))
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
        order = rng.permutation(members)
        dist, idx = nearest_growing_trusts(model, order, state, pol.brokering_radius_km)
        for n, row in enumerate(order.tolist()):
            sponsor = find_trust(
                model,
                row,
                state,
                pol.brokering_radius_km,
                exclude=i,
                need_appetite=False,
                nearest=(dist[n], idx[n]),
            )
            if sponsor != NO_TRUST:
                join(model, np.array([row]), sponsor, "rebroker", state)
            else:
                stand_alone(model, row, "rebroker", state)


def merge_small_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Some small trusts merge into a larger trust nearby that would take their schools."""
    s, ct = model.schools_data, model.params.central_team
    is_open = np.array([team.is_open for team in model.trusts], dtype=bool)
    small = np.flatnonzero(is_open & (state.size > 0) & (state.size <= ct.merge_max_schools))
    merging = small[rng.random(len(small)) < ct.merge_probability_per_year]
    for i in merging.tolist():
        team = model.trusts[i]
        if not team.is_open or not 0 < state.size[i] <= ct.merge_max_schools:
            continue  # changed earlier in this loop
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
    grown: list[int] = []
    schools: list[int] = []
    skills: list[np.ndarray] = []
    for team in model.trusts:
        if not team.is_open or team.growth is not None or sizes[team.trust_id] != 1:
            continue
        row = int(a_school_of[team.trust_id])
        if s.grade[row] > GOOD or rng.random() >= pol.single_academy_grows_per_year:
            continue
        team.growth = model.params.growth
        grown.append(team.trust_id)
        schools.append(row)
        skills.append(model.draw_skill(1, rng, 0.1))
    if grown:
        trusts = np.array(grown)
        model.appoint_leaders(CEO, np.concatenate(skills), np.full(len(grown), -1), trusts)
        model.events.add("becomes_mat", model.year, trust_id=trusts, school_id=np.array(schools))


def plan_appetites(model: MATModel, rng: np.random.Generator) -> None:
    """Schools each trust will take this year: its target, rounded at random (one draw per
    growing trust, in trust order); none while paused, at its maximum, or without a strategy."""
    sizes = model.trust_sizes()
    year = model.year
    growing = []
    for team in model.trusts:
        team.appetite = 0.0
        g = team.growth
        if (
            team.is_open
            and g is not None
            and g.target_schools_per_year > 0
            and team.paused_until < year
            and sizes[team.trust_id] < g.max_schools
        ):
            growing.append(team)
    draws = rng.random(len(growing))
    for team, draw in zip(growing, draws.tolist(), strict=True):
        target = team.growth.target_schools_per_year
        whole = float(np.floor(target))
        team.appetite = whole + (draw < target - whole)


def grow_trusts(model: MATModel) -> None:
    rng = model.streams["growth"]
    plan_appetites(model, rng)
    state = growth_state(model)
    broker(model, state, rng)
    convert(model, state, rng)
    approach(model, state, rng)
    close_failing_trusts(model, state, rng)
    merge_small_trusts(model, state, rng)
    single_academies_grow(model, rng)
