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

from ..aggregates import TrustAggregates, trust_aggregates
from ..central_team import (
    ACCEPT_GOLDEN_RULE,
    ACCEPT_GOOD_ONLY,
    PRIMARY_ONLY,
    SECONDARY_ONLY,
    SEEK_NEAREST,
    SEEK_WEAK,
    growth_centres_km,
    write_growth,
)
from ..leader import CEO, IMPROVEMENT_LEAD
from ..school import GOOD, NO_TRUST, PRIMARY, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from ..central_team import CentralTeam
    from ..model import MATModel

NEAREST_TRUSTS = 24  # sponsor candidates examined per school (bounds the work per school)
NEAREST_SCHOOLS = 24  # maintained schools a trust approaches at most per year


@dataclass
class GrowthState:
    """Per-trust counts kept current while schools move during the growth step.

    Arrays are indexed by trust id; a trust's growth strategy is read from the trust columns
    (it does not change while schools move).
    """

    good: np.ndarray
    weak: np.ndarray
    size: np.ndarray
    quality: np.ndarray
    trust_ids: np.ndarray  # trusts that may take schools this year
    tree: cKDTree | None

    def add_trust(self) -> None:
        """Room for a trust founded during the step (a single academy: no strategy)."""
        for name in ("good", "weak", "size", "quality"):
            setattr(self, name, np.append(getattr(self, name), 0.0))


def growth_state(model: MATModel, agg: TrustAggregates | None = None) -> GrowthState:
    """Counts by trust at the start of growth (from this year's aggregates when given)."""
    agg = trust_aggregates(model) if agg is None else agg
    t = model.trusts_data
    size = agg.n_schools.copy()
    qsum = agg.total(model.schools_data.quality)  # quality has moved since the aggregates
    ids = np.flatnonzero(t.is_open & (t.target_schools_per_year > 0)).astype(np.int64)
    return GrowthState(
        good=agg.n_strong.copy(),
        weak=agg.n_weak.copy(),
        size=size,
        quality=np.divide(qsum, size, out=np.zeros(len(size)), where=size > 0),
        trust_ids=ids,
        tree=cKDTree(growth_centres_km(model, ids)) if len(ids) else None,
    )


def accepts(team: CentralTeam, model: MATModel, row: int, state: GrowthState, dist: float) -> bool:
    """Whether ``team``'s growth strategy takes school ``row`` now, at ``dist`` km
    (:func:`accepting` for one trust)."""
    trusts = np.array([team.trust_id])
    return bool(accepting(model, trusts, row, state, np.array([dist]))[0])


def accepting(
    model: MATModel, trusts: np.ndarray, row: int, state: GrowthState, dist: np.ndarray
) -> np.ndarray:
    """Which of ``trusts`` (ids) would take school ``row`` now, at ``dist`` km from each.

    A trust must be open with a growth strategy and below its maximum size; the school must be
    within its radius and of a phase it wants; and its rule must allow the school: ``any``;
    ``good_only`` (no weak school); ``golden_rule`` (a weak school only while the trust keeps
    ``golden_rule_ratio`` good-or-better schools per weak one after it joins).
    """
    s = model.schools_data
    t = model.trusts_data
    ok = t.is_open[trusts] & t.has_growth[trusts]
    ok &= state.size[trusts] < t.max_schools[trusts]
    ok &= dist <= t.radius_km[trusts]
    phase_rule = t.phase_rule[trusts]
    ok &= phase_rule != (SECONDARY_ONLY if s.phase[row] == PRIMARY else PRIMARY_ONLY)
    if s.grade[row] >= REQUIRES_IMPROVEMENT:  # a weak school
        rule = t.accept[trusts]
        ok &= rule != ACCEPT_GOOD_ONLY
        keeps_ratio = state.good[trusts] >= t.golden_rule_ratio[trusts] * (state.weak[trusts] + 1)
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
        ok &= model.trusts_data.appetite[trusts] >= 1
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
    model.trusts_data.appetite[trust_id] -= len(rows)


def stand_alone(model: MATModel, row: int, kind: str, state: GrowthState) -> int:
    """The school forms its own single-academy trust."""
    trust_id = model.create_trust(f"SAT {len(model.trusts_data) + 1}", row, growth=None)
    state.add_trust()
    join(model, np.array([row]), trust_id, kind, state)
    return trust_id


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
            model.trusts_data.grants_due_gbp[sponsor] += pol.growth_grant_gbp


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
    model: MATModel, trust_id: int, pool: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pool indices a trust that does not simply seek the nearest schools approaches, in
    order, with their distances from its growth centre."""
    s, t = model.schools_data, model.trusts_data
    centre = growth_centres_km(model, np.array([trust_id]))[0]
    dist = np.hypot(s.x_km[pool] - centre[0], s.y_km[pool] - centre[1])
    near = np.flatnonzero(dist <= t.radius_km[trust_id])
    if t.seek[trust_id] == SEEK_WEAK:
        order = near[np.lexsort((dist[near], -s.grade[pool[near]]))]
    else:  # anywhere within the radius
        order = rng.permutation(near)
    return order[:NEAREST_SCHOOLS], dist[order[:NEAREST_SCHOOLS]]


def approach(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Trusts with appetite left approach maintained schools they would take: the nearest,
    or (by their growth strategy's ``seek``) schools anywhere in reach or the weakest first."""
    s, pol = model.schools_data, model.params.policy
    t = model.trusts_data
    pool = np.flatnonzero((s.trust == NO_TRUST) & ~s.awaiting_sponsor)
    seekers = state.trust_ids[t.appetite[state.trust_ids] >= 1]
    if not pool.size or not seekers.size:
        return
    tree = cKDTree(np.column_stack([s.x_km[pool], s.y_km[pool]]))
    centres = growth_centres_km(model, seekers)
    k = min(NEAREST_SCHOOLS, len(pool))
    dist, idx = tree.query(centres, k=k)
    dist, idx = dist.reshape(len(seekers), k), idx.reshape(len(seekers), k)
    trust = s.trust
    for j in rng.permutation(len(seekers)).tolist():
        i = int(seekers[j])
        if t.seek[i] == SEEK_NEAREST:
            candidates, distances = idx[j], dist[j]
        else:
            candidates, distances = _approach_order(model, i, pool, rng)
        ids = np.array([i])
        for d, c in zip(distances.tolist(), candidates.tolist(), strict=True):
            if t.appetite[i] < 1:
                break
            row = int(pool[c])
            if trust[row] != NO_TRUST or not accepting(model, ids, row, state, np.array([d]))[0]:
                continue
            if rng.random() < pol.approach_success_probability:
                join(model, np.array([row]), i, "join", state)  # uses appetite


def close_trust(model: MATModel, trust_id: int, kind: str) -> None:
    """A trust ends: its central staff leave and it is marked closed."""
    leaders = model.leaders_data
    central = np.flatnonzero(
        leaders.active
        & (leaders.trust == trust_id)
        & ((leaders.role == CEO) | (leaders.role == IMPROVEMENT_LEAD))
    )
    model.retire_leaders(central)
    model.close_trust(trust_id)
    model.events.add(kind, model.year, trust_id=trust_id)


def close_failing_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """A trust with too many weak schools for too long is closed; its schools re-brokered.

    Trusts are judged in id order, so a trust that receives a closed trust's schools is judged
    on its counts after receiving them: the judgement is vectorised up to the next closure.
    """
    s, ct, pol = model.schools_data, model.params.central_team, model.params.policy
    t = model.trusts_data
    pos, end = 0, len(state.size)
    while pos < end:
        seg = slice(pos, end)
        size, weak = state.size[seg], state.weak[seg]
        judged = t.is_open[seg] & (size >= 2)
        failing = weak >= ct.failing_share_weak * size
        years = np.where(
            judged, np.where(failing, t.failing_years[seg] + 1, 0), t.failing_years[seg]
        )
        closing = np.flatnonzero(judged & (years >= ct.failing_years))
        stop = end if closing.size == 0 else pos + int(closing[0]) + 1
        t.failing_years[pos:stop] = years[: stop - pos]
        if closing.size == 0:
            break
        i = stop - 1
        pos = stop
        members = np.flatnonzero(s.trust == i)
        close_trust(model, i, "trust_closed")
        order = rng.permutation(members)
        dist, idx = nearest_growing_trusts(model, order, state, pol.brokering_radius_km)
        for k, row in enumerate(order.tolist()):
            sponsor = find_trust(
                model,
                row,
                state,
                pol.brokering_radius_km,
                exclude=i,
                need_appetite=False,
                nearest=(dist[k], idx[k]),
            )
            if sponsor != NO_TRUST:
                join(model, np.array([row]), sponsor, "rebroker", state)
            else:
                stand_alone(model, row, "rebroker", state)


def merge_small_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Some small trusts merge into a larger trust nearby that would take their schools."""
    s, ct = model.schools_data, model.params.central_team
    t = model.trusts_data
    n = len(state.size)
    small = np.flatnonzero(t.is_open[:n] & (state.size > 0) & (state.size <= ct.merge_max_schools))
    merging = small[rng.random(len(small)) < ct.merge_probability_per_year]
    for i in merging.tolist():
        if not t.is_open[i] or not 0 < state.size[i] <= ct.merge_max_schools:
            continue  # changed earlier in this loop
        members = np.flatnonzero(s.trust == i)
        partner = find_trust(
            model, int(members[0]), state, ct.merge_radius_km, exclude=i, need_appetite=False
        )
        if partner == NO_TRUST or state.size[partner] <= state.size[i]:
            continue
        join(model, members, partner, "merge", state)
        close_trust(model, i, "trust_merged")


def single_academies_grow(model: MATModel, rng: np.random.Generator) -> None:
    """A strong single-academy trust starts taking schools: it becomes a MAT with a CEO."""
    s, pol = model.schools_data, model.params.policy
    t = model.trusts_data
    sizes = model.trust_sizes()
    member = np.flatnonzero(s.trust != NO_TRUST)
    a_school_of = np.full(len(t), -1)
    a_school_of[s.trust[member]] = member
    lone = np.flatnonzero(t.is_open & ~t.has_growth & (sizes == 1))
    strong = lone[s.grade[a_school_of[lone]] <= GOOD]
    grown: list[int] = []
    skills: list[np.ndarray] = []
    for i in strong.tolist():  # one draw each, then the new CEO's skill, in trust order
        if rng.random() < pol.single_academy_grows_per_year:
            grown.append(i)
            skills.append(model.draw_skill(1, rng, 0.1))
    if grown:
        trusts = np.array(grown)
        write_growth(t, trusts, model.params.growth)
        model.appoint_leaders(CEO, np.concatenate(skills), np.full(len(grown), -1), trusts)
        model.events.add("becomes_mat", model.year, trust_id=trusts, school_id=a_school_of[trusts])


def plan_appetites(model: MATModel, rng: np.random.Generator) -> None:
    """Schools each trust will take this year: its target, rounded at random (one draw per
    growing trust, in trust order); none while paused, at its maximum, or without a strategy."""
    t = model.trusts_data
    sizes = model.trust_sizes()
    t.appetite[:] = 0.0
    target = t.target_schools_per_year
    growing = np.flatnonzero(
        t.is_open
        & t.has_growth
        & (target > 0)
        & (t.paused_until < model.year)
        & (sizes < t.max_schools)
    )
    draws = rng.random(len(growing))
    whole = np.floor(target[growing])
    t.appetite[growing] = whole + (draws < target[growing] - whole)


def grow_trusts(model: MATModel) -> None:
    rng = model.streams["growth"]
    plan_appetites(model, rng)
    state = growth_state(model, model.aggregates)
    broker(model, state, rng)
    convert(model, state, rng)
    approach(model, state, rng)
    close_failing_trusts(model, state, rng)
    merge_small_trusts(model, state, rng)
    single_academies_grow(model, rng)
