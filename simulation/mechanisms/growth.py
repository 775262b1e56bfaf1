"""Growth: how schools move between the maintained pool and trusts, and trusts end.

In order each year: the regulator brokers inadequate maintained schools (sponsored academies)
and re-brokers schools a trust has failed twice; good maintained schools convert voluntarily,
joining a nearby MAT or standing alone; MATs with appetite left approach nearby maintained
schools; trusts failing for several years are closed and their schools re-brokered; some small
trusts merge into bigger neighbours; some strong single-academy trusts start to grow.

Every move goes through :mod:`simulation.mechanisms.matching`: schools (or seeking trusts) act
in a random priority order, each taking its best option given those before it, computed in
vectorised rounds. All candidate searches use KD-trees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from ..central_team import SEEK_HUBS, SEEK_NEAREST, SEEK_WEAK, growth_centres_km, write_growth
from ..leader import CEO, IMPROVEMENT_LEAD
from ..parameters.operating import EARNED_AUTONOMY
from ..school import ALL_THROUGH, GOOD, NO_TRUST, PRIMARY, REQUIRES_IMPROVEMENT, SECONDARY
from .matching import (  # noqa: F401 - accepts/accepting are the rule's public face
    GrowthState,
    accepting,
    accepts,
    could_take,
    count,
    growth_state,
    join,
    nearest_growing_trusts,
    needs,
    place,
    stand_alone,
    takes_now,
)

if TYPE_CHECKING:
    from ..model import MATModel

EARNED_OFF = EARNED_AUTONOMY.index("off")

NEAREST_SCHOOLS = 24  # maintained schools a trust approaches at most per year


def broker(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """The regulator finds sponsors for inadequate maintained schools and failed academies."""
    s, pol = model.schools_data, model.params.policy
    waiting = np.flatnonzero(s.awaiting_sponsor & (s.trust == NO_TRUST))
    failed = np.flatnonzero(
        (s.trust != NO_TRUST) & (s.inadequate_in_trust >= pol.rebroker_after_inadequate)
    )
    for rows, kind in ((waiting, "broker"), (failed, "rebroker")):
        order = rng.permutation(rows)
        current = s.trust[order].copy()
        sponsors = place(model, order, state, pol.brokering_radius_km, kind, exclude=current)
        unmatched = sponsors == NO_TRUST
        if unmatched.any():
            model.events.add(
                "broker_unmatched",
                model.year,
                school_id=order[unmatched],
                trust_id=current[unmatched],
            )
        np.add.at(model.trusts_data.grants_due_gbp, sponsors[~unmatched], pol.growth_grant_gbp)


def convert(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Good maintained schools convert: join a nearby MAT that takes them, or stand alone."""
    s, pol = model.schools_data, model.params.policy
    pool = np.flatnonzero((s.trust == NO_TRUST) & (s.grade >= 0) & (s.grade <= GOOD))
    converting = pool[rng.random(len(pool)) < pol.voluntary_conversion_per_year]
    order = rng.permutation(converting)
    seeks_trust = rng.random(len(order)) >= pol.convert_standalone_share
    sponsors = np.full(len(order), NO_TRUST)
    sponsors[seeks_trust] = place(
        model,
        order[seeks_trust],
        state,
        pol.brokering_radius_km,
        "join",
        appeal_of_earned_autonomy=pol.earned_autonomy_appeal,  # seed 000: it draws strong schools
    )
    alone = order[sponsors == NO_TRUST]
    if alone.size:
        stand_alone(model, alone, "convert_standalone", state)


def _approach_list(
    model: MATModel,
    trust_id: int,
    centre: np.ndarray,
    pool: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Pool indices a trust that does not simply seek the nearest schools approaches, in
    order — the weakest first, anywhere within its radius at random, or the schools that build
    its hubs — with their distances from its growth ``centre``."""
    s, t = model.schools_data, model.trusts_data
    dist = np.hypot(s.x_km[pool] - centre[0], s.y_km[pool] - centre[1])
    near = np.flatnonzero(dist <= t.radius_km[trust_id])
    seek = t.seek[trust_id]
    if seek == SEEK_WEAK:
        order = near[np.lexsort((dist[near], -s.grade[pool[near]]))]
    elif seek == SEEK_HUBS:
        order = near[_hub_order(model, trust_id, pool[near])]
    else:  # anywhere within the radius
        order = rng.permutation(near)
    return order[:NEAREST_SCHOOLS], dist[order[:NEAREST_SCHOOLS]]


def _hub_order(model: MATModel, trust_id: int, candidates: np.ndarray) -> np.ndarray:
    """Hub growth (seed 001): feeder primaries around the trust's first secondary that has
    fewer than ``hub_feeders`` of them, nearest first; once every hub is complete (or the trust
    has no secondary), secondaries to start the next hub, nearest the trust's base first."""
    s, t = model.schools_data, model.trusts_data
    growth = t.growth[trust_id]
    rows = np.flatnonzero(s.trust == trust_id)
    big = (s.phase == SECONDARY) | (s.phase == ALL_THROUGH)
    hubs = rows[big[rows]]
    primaries = rows[s.phase[rows] == PRIMARY]
    for hub in hubs.tolist():
        d_feeders = np.hypot(s.x_km[primaries] - s.x_km[hub], s.y_km[primaries] - s.y_km[hub])
        if np.count_nonzero(d_feeders <= growth.hub_radius_km) < growth.hub_feeders:
            d = np.hypot(s.x_km[candidates] - s.x_km[hub], s.y_km[candidates] - s.y_km[hub])
            feeders = np.flatnonzero((s.phase[candidates] == PRIMARY) & (d <= growth.hub_radius_km))
            return feeders[np.argsort(d[feeders], kind="stable")]
    d = np.hypot(
        s.x_km[candidates] - t.base_x_km[trust_id], s.y_km[candidates] - t.base_y_km[trust_id]
    )
    secondaries = np.flatnonzero(big[candidates])
    return secondaries[np.argsort(d[secondaries], kind="stable")]


def _picks(
    model: MATModel,
    seekers: np.ndarray,
    rows: np.ndarray,
    dist: np.ndarray,
    success: np.ndarray,
    state: GrowthState,
) -> np.ndarray:
    """Which candidate schools each seeker takes, walking its list in order: a school it
    would take, not already in a trust, whose head says yes (``success``), while it still
    wants schools. Returns a (seeker, candidate) mask."""
    t, s = model.trusts_data, model.schools_data
    r = np.maximum(rows, 0)
    open_ = (rows >= 0) & (s.trust[r] == NO_TRUST) & success
    size, good, weak = state.size[seekers], state.good[seekers], state.weak[seekers]
    # the rule (see admits): what the seeker's picks do not change, then what its counts do
    could = open_ & could_take(model, seekers[:, None], r, dist)
    need = needs(model, r)
    ok = could & (takes_now(model, seekers, size, good, weak)[:, None] >= need)
    appetite = t.appetite[seekers]
    # a seeker wanting one school takes the first it would take: nothing changes before that
    picks = ok & (np.cumsum(ok, axis=1) == 1) & (appetite >= 1)[:, None]
    for i in np.flatnonzero(appetite >= 2).tolist():  # wanting more: each pick moves its counts
        picks[i] = False
        left, n_size, n_good, n_weak = appetite[i], size[i], good[i], weak[i]
        for c in np.flatnonzero(could[i]).tolist():
            if left < 1:
                break
            row = r[i, c]
            if takes_now(model, seekers[i], n_size, n_good, n_weak) >= need[i, c]:
                picks[i, c] = True
                grade = s.grade[row]
                n_size, left = n_size + 1, left - 1
                n_good += (grade >= 0) & (grade <= GOOD)
                n_weak += grade >= REQUIRES_IMPROVEMENT
    return picks


def nearest_in_pool(
    model: MATModel, centres: np.ndarray, pool: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` schools of ``pool`` (rows) nearest each centre, nearest first, and their
    distances (a KD-tree over the pool: it shrinks as schools join trusts)."""
    s = model.schools_data
    tree = cKDTree(
        np.column_stack([s.x_km[pool], s.y_km[pool]]), balanced_tree=False, compact_nodes=False
    )
    dist, idx = tree.query(centres, k=k)
    dist, idx = dist.reshape(len(centres), k), idx.reshape(len(centres), k)
    return pool[idx], dist


def approach(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Trusts with appetite left approach maintained schools they would take: the nearest,
    or (by their growth strategy's ``seek``) schools anywhere in reach or the weakest first.

    Trusts act in a random order, each walking its list of candidates; a school's head agrees
    with ``approach_success_probability``.
    """
    s, pol = model.schools_data, model.params.policy
    t = model.trusts_data
    pool = np.flatnonzero((s.trust == NO_TRUST) & ~s.awaiting_sponsor)
    seekers = state.trust_ids[t.appetite[state.trust_ids] >= 1]
    if not pool.size or not seekers.size:
        return
    seekers = seekers[rng.permutation(len(seekers))]
    k = min(NEAREST_SCHOOLS, len(pool))
    centres = growth_centres_km(model, seekers)
    rows, dist = nearest_in_pool(model, centres, pool, k)
    for j in np.flatnonzero(t.seek[seekers] != SEEK_NEAREST).tolist():
        order, d = _approach_list(model, int(seekers[j]), centres[j], pool, rng)
        rows[j], dist[j] = -1, np.inf
        rows[j, : len(order)], dist[j, : len(order)] = pool[order], d
    # earned autonomy draws strong schools (seed 000): they say yes more readily to such a trust
    r = np.maximum(rows, 0)
    strong = (rows >= 0) & (s.grade[r] >= 0) & (s.grade[r] <= GOOD)
    offers = (t.earned_autonomy[seekers] != EARNED_OFF)[:, None]
    appeal = np.where(strong & offers, pol.earned_autonomy_appeal, 1.0)
    success = rng.random(rows.shape) < np.minimum(1.0, pol.approach_success_probability * appeal)
    waiting = np.arange(len(seekers))
    while waiting.size:
        w = seekers[waiting]
        picks = _picks(model, w, rows[waiting], dist[waiting], success[waiting], state)
        # keep seekers up to the first whose pick an earlier seeker took this round
        picked_rows = rows[waiting][picks]
        owner = np.repeat(np.arange(waiting.size), picks.sum(axis=1))
        _, first = np.unique(picked_rows, return_index=True)
        clash = np.ones(picked_rows.size, dtype=bool)
        clash[first] = False
        cut = int(owner[clash].min()) if clash.any() else waiting.size
        keep = owner < cut
        if keep.any():
            join(model, picked_rows[keep], w[owner[keep]], "join", state)
        waiting = waiting[cut:]


def hand_on_schools(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Voluntary transfers: trusts hand schools they cannot reach or serve to a better-placed
    trust nearby: one based nearer the school that would take it, whose approach is working
    (its effectiveness at least the neutral level) and that is far from failing (under half
    the regulator's failing share of weak schools, counting this one).

    A trust past a geography break point hands on its outlying schools (``outlying_km`` or more
    from its base), one past another break point its weak schools (not the school at its base),
    each with ``stretched_per_year``; any trust consolidates outlying schools with
    ``consolidate_per_year``.
    """
    tp = model.params.transfers
    s, t = model.schools_data, model.trusts_data
    agg = model.aggregates
    if agg is None or not len(agg.member):
        return
    rows, owner, far = agg.member, agg.trust_of_member, agg.to_base_km
    ratios = t.ratio[: agg.n_trusts]  # (NaN, not measured: not past the point)
    geography = np.array([bp.driver == "geography" for bp in model.break_points])
    past_geography = (ratios[:, geography] >= 1.0).any(axis=1)
    past_other = (ratios[:, ~geography] >= 1.0).any(axis=1)
    outlying = far >= tp.outlying_km
    weak_away = (s.grade[rows] >= REQUIRES_IMPROVEMENT) & (far > 0.0)
    stays = t.is_open[owner] & (s.trust[rows] == owner)  # (not moved earlier this year)
    p = np.where(outlying, tp.consolidate_per_year, 0.0)
    p = np.maximum(p, np.where(past_geography[owner] & outlying, tp.stretched_per_year, 0.0))
    p = np.maximum(p, np.where(past_other[owner] & weak_away, tp.stretched_per_year, 0.0))
    draws = rng.random(len(rows))
    leaving = np.flatnonzero(stays & (draws < p))
    if leaving.size == 0:
        return
    order = leaving[rng.permutation(leaving.size)]
    ct, q = model.params.central_team, model.params.quality
    n = len(state.size)
    healthy = (t.effectiveness[:n] >= q.trust_neutral_effectiveness) & (
        state.weak + 1 < 0.5 * ct.failing_share_weak * (state.size + 1)
    )
    place(
        model,
        rows[order],
        state,
        tp.radius_km,
        "transfer",
        exclude=owner[order],
        need_appetite=False,
        closer_than_km=far[order],
        receivers=healthy,
    )


def close_trust(model: MATModel, trust_ids: np.ndarray | int, kind: str) -> None:
    """Trusts end: their central staff leave and they are marked closed."""
    trust_ids = np.atleast_1d(trust_ids)
    retire_central_staff(model, trust_ids)
    model.close_trusts(trust_ids)
    model.events.add(kind, model.year, trust_id=trust_ids)


def retire_central_staff(model: MATModel, trust_ids: np.ndarray) -> None:
    """The CEOs and improvement leads of trusts ``trust_ids`` leave (one pass over the
    leaders' trusts, then only their staff are examined)."""
    leaders = model.leaders_data
    closing = np.zeros(len(model.trusts_data) + 1, dtype=bool)  # last entry: no trust (-1)
    closing[trust_ids] = True
    staff = np.flatnonzero(closing[leaders.trust])
    role = leaders.role[staff]
    central = staff[leaders.active[staff] & ((role == CEO) | (role == IMPROVEMENT_LEAD))]
    model.retire_leaders(central)


def close_failing_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """A trust with too many weak schools for too long, or in central deficit for
    ``deficit_years_to_intervene`` years, is closed; its schools are re-brokered (in a random
    order, to the best trust nearby that would take each, or standing alone)."""
    s, ct, pol = model.schools_data, model.params.central_team, model.params.policy
    t = model.trusts_data
    n = len(state.size)
    judged = t.is_open[:n] & (state.size >= 2)
    failing = state.weak >= ct.failing_share_weak * state.size
    t.failing_years[:n] = np.where(
        judged, np.where(failing, t.failing_years[:n] + 1, 0), t.failing_years[:n]
    )
    broke = t.is_open[:n] & (t.deficit_years[:n] >= ct.deficit_years_to_intervene)
    closing = np.flatnonzero((judged & (t.failing_years[:n] >= ct.failing_years)) | broke)
    if closing.size == 0:
        return
    flagged = np.zeros(len(t) + 1, dtype=bool)  # last entry: no trust (-1)
    flagged[closing] = True
    members = np.flatnonzero(flagged[s.trust])
    close_trust(model, closing, "trust_closed")
    order = members[rng.permutation(members.size)]
    sponsors = place(
        model,
        order,
        state,
        pol.brokering_radius_km,
        "rebroker",
        exclude=s.trust[order],
        need_appetite=False,
        receivers=~flagged[:-1],
    )
    alone = order[sponsors == NO_TRUST]
    if alone.size:
        stand_alone(model, alone, "rebroker", state)


def merge_small_trusts(model: MATModel, state: GrowthState, rng: np.random.Generator) -> None:
    """Some small trusts merge into a larger trust nearby that would take their schools.

    Merging trusts act in trust order, each choosing the best larger trust that would take its
    first school; choices are computed for all at once and kept up to the first one that an
    earlier merger has changed (its partner merged, grew or was itself merged into).

    The candidate partners of each merging trust's first school are found once (again only
    where a trust's first school changes, when a trust merges into it), the schools that can
    move are those of the merging trusts; the schools change trust (and are logged) round by
    round, and what else a move does, like the merged trusts' central staff leaving, follows
    together at the end (nothing in the rounds reads it).
    """
    s, ct = model.schools_data, model.params.central_team
    t = model.trusts_data
    n = len(state.size)
    small = np.flatnonzero(t.is_open[:n] & (state.size > 0) & (state.size <= ct.merge_max_schools))
    waiting = small[rng.random(len(small)) < ct.merge_probability_per_year]
    if not waiting.size or state.tree is None:
        return
    first_school = np.full(len(t), -1)
    member = np.flatnonzero(s.trust != NO_TRUST)
    first_school[s.trust[member][::-1]] = member[::-1]  # each trust's lowest row
    # only the merging trusts' schools ever move (a trust merged into was itself merging)
    merging = np.zeros(len(t) + 1, dtype=bool)  # last entry: no trust (-1)
    merging[waiting] = True
    movable = member[merging[s.trust[member]]]
    merging[waiting] = False
    # candidates per merging trust (by position in ``waiting``), from its first school, and
    # what of the rule merging does not change (trusts only close: checked each round)
    rows = first_school[waiting]
    dist, trusts = nearest_growing_trusts(model, rows, state, ct.merge_radius_km)
    ids, need, score = np.empty_like(trusts), np.empty_like(trusts), np.empty(dist.shape)
    reach = max(ct.merge_radius_km, 1e-9)

    def candidates(at: np.ndarray) -> None:
        """Fill in the candidates of the merging trusts at positions ``at``: what each asks
        of a candidate's counts (see takes_now; 3, never met, where it may not go)."""
        valid = (trusts[at] >= 0) & (trusts[at] != waiting[at, None])
        ids[at] = np.where(valid, trusts[at], 0)
        valid &= could_take(model, ids[at], rows[at, None], dist[at])
        need[at] = np.where(valid, needs(model, rows[at])[:, None], 3)
        score[at] = state.quality[ids[at]] - 0.5 * dist[at] / reach

    pos = np.arange(waiting.size)
    candidates(pos)
    merged: list[np.ndarray] = []
    moves: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = []
    while pos.size:
        w = waiting[pos]
        keep = t.is_open[w] & (state.size[w] > 0) & (state.size[w] <= ct.merge_max_schools)
        pos, w = pos[keep], w[keep]
        if not pos.size:
            break
        stale = first_school[w] != rows[pos]  # a trust merged into it: a new first school
        if stale.any():
            redo = pos[stale]
            rows[redo] = first_school[w[stale]]
            dist[redo], trusts[redo] = nearest_growing_trusts(
                model, rows[redo], state, ct.merge_radius_km
            )
            candidates(redo)
        takes = takes_now(model, slice(0, n), state.size, state.good, state.weak)
        takes *= t.is_open[:n]
        found = ids[pos]
        ok = takes[found] >= need[pos]
        best = np.argmax(np.where(ok, score[pos], -np.inf), axis=1)
        partner = found[np.arange(len(w)), best]
        merges = ok.any(axis=1) & (state.size[partner] > state.size[w])
        # an earlier merger changes its partner and itself: later choices involving them wait
        touched: set[int] = set()
        cut = len(w)
        for j, into, out in zip(
            np.flatnonzero(merges).tolist(),
            partner[merges].tolist(),
            w[merges].tolist(),
            strict=True,
        ):
            if into in touched or out in touched:
                cut = j
                break
            touched.add(into)
            touched.add(out)
        done = np.flatnonzero(merges[:cut])
        if done.size:
            gone = w[done]
            merging[gone] = True
            rows_moving = movable[merging[s.trust[movable]]]
            merging[gone] = False
            into = partner[done][np.searchsorted(gone, s.trust[rows_moving])]
            count(model, state, rows_moving, s.trust[rows_moving], into)
            moves.append(model.reassign_schools(rows_moving, into, "merge"))
            model.close_trusts(gone)
            model.events.add("trust_merged", model.year, trust_id=gone)
            merged.append(gone)
            np.minimum.at(first_school, partner[done], first_school[gone])
        pos = pos[cut:]
    moves = [m for m in moves if m is not None]
    if moves:  # each school's moves in turn, round by round
        moved, into, previous = (np.concatenate([m[i] for m in moves]) for i in range(3))
        model.settle_moved_schools(moved, into, previous, "merge")
    if merged:
        retire_central_staff(model, np.concatenate(merged))


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
    grown = strong[rng.random(len(strong)) < pol.single_academy_grows_per_year]
    if grown.size:
        write_growth(t, grown, model.params.growth)
        skill = model.draw_skill(len(grown), rng, model.CEO_SKILL_SHIFT)
        model.appoint_ceos(grown, skill, founding=True)
        model.events.add("becomes_mat", model.year, trust_id=grown, school_id=a_school_of[grown])


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
        & (t.reserves_gbp >= 0)  # a trust in deficit takes on no schools
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
    hand_on_schools(model, state, rng)
    close_failing_trusts(model, state, rng)
    merge_small_trusts(model, state, rng)
    single_academies_grow(model, rng)
