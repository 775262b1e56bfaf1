"""Growth: how schools move between the maintained pool and trusts, and trusts end.

In order each year: the regulator brokers inadequate maintained schools (sponsored academies)
and re-brokers schools a trust has failed twice; good maintained schools convert voluntarily,
joining a nearby MAT or standing alone; MATs with appetite left approach nearby maintained
schools; trusts hand on schools they cannot reach or serve, trusts failing for several years
are closed and their schools re-brokered, and some small trusts merge into bigger neighbours
(these three in :mod:`simulation.mechanisms.consolidation`); some strong single-academy trusts
start to grow.

Every move goes through :mod:`simulation.mechanisms.matching`: schools (or seeking trusts) act
in a random priority order, each taking its best option given those before it, computed in
vectorised rounds. All candidate searches use KD-trees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from ..central_team import SEEK_HUBS, SEEK_NEAREST, SEEK_WEAK, growth_centres_km, write_growth
from ..parameters.operating import EARNED_AUTONOMY
from ..school import ALL_THROUGH, GOOD, NO_TRUST, PRIMARY, REQUIRES_IMPROVEMENT, SECONDARY
from .consolidation import close_failing_trusts, hand_on_schools, merge_small_trusts
from .matching import (  # noqa: F401 - accepts/accepting are the rule's public face
    GrowthState,
    accepting,
    accepts,
    could_take,
    growth_state,
    join,
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
