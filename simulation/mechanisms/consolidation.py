"""Consolidation: how trusts let schools go and end, within the yearly growth step.

After the year's joins (:mod:`simulation.mechanisms.growth`), trusts hand on schools they
cannot reach or serve to better-placed trusts nearby (voluntary transfers); the regulator
closes trusts failing for several years or in deficit too long and re-brokers their schools;
and some small trusts merge into larger neighbours. Every move goes through
:mod:`simulation.mechanisms.matching`, with the growth step's counts kept current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..leader import CEO, IMPROVEMENT_LEAD
from ..school import NO_TRUST, REQUIRES_IMPROVEMENT
from .matching import (
    GrowthState,
    could_take,
    count,
    nearest_growing_trusts,
    needs,
    place,
    stand_alone,
    takes_now,
)

if TYPE_CHECKING:
    from ..model import MATModel


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
