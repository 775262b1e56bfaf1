"""Matching schools and trusts during growth, many schools at once.

Schools looking for a trust are matched in rounds over arrays, not one at a time: every round,
each waiting school chooses the best trust that would take it now, and every trust takes the
school with the highest priority (a random order) among those choosing it; the others choose
again in the next round, from the counts the round has left. A school no trust would take is
left where it is. Seeking trusts (approaches) act in a random priority order, each walking its
own list of schools; their picks are kept up to the first one an earlier trust has taken in the
same round. Either way the work is a few vectorised rounds, not a Python loop per school.

A trust takes a school only if its growth strategy accepts it (:func:`admits`): open with a
growth strategy and below its maximum size; the school within its radius and of a phase it
wants; and its rule allows the school: ``any``; ``good_only`` (no weak school); ``golden_rule``
(a weak school only while the trust keeps ``golden_rule_ratio`` good-or-better schools per weak
one after it joins). Candidate trusts come from a KD-tree of growing trusts' centres.
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
    growth_centres_km,
)
from ..school import GOOD, NO_TRUST, PRIMARY, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from ..central_team import CentralTeam
    from ..model import MATModel

NEAREST_TRUSTS = 24  # sponsor candidates examined per school (bounds the work per school)


@dataclass
class GrowthState:
    """Per-trust counts kept current while schools move during the growth step (by trust id)."""

    good: np.ndarray
    weak: np.ndarray
    size: np.ndarray
    quality: np.ndarray  # mean quality at the start of growth: how attractive a sponsor is
    trust_ids: np.ndarray  # trusts that may take schools this year
    tree: cKDTree | None

    def make_room(self, n_trusts: int) -> None:
        """Zero counts for trusts founded during the step (single academies: no strategy)."""
        extra = n_trusts - len(self.size)
        if extra > 0:
            for name in ("good", "weak", "size", "quality"):
                setattr(self, name, np.concatenate([getattr(self, name), np.zeros(extra)]))

    def add(self, model: MATModel, rows: np.ndarray, trusts: np.ndarray, sign: int = 1) -> None:
        """Count schools ``rows`` (with their grades) as moving into ``trusts`` (ids), or with
        ``sign`` -1 out of them; rows with no trust (NO_TRUST) are skipped."""
        inside = trusts != NO_TRUST
        rows, trusts = rows[inside], trusts[inside]
        grade = model.schools_data.grade[rows]
        np.add.at(self.size, trusts, sign)
        np.add.at(self.good, trusts, sign * ((grade >= 0) & (grade <= GOOD)))
        np.add.at(self.weak, trusts, sign * (grade >= REQUIRES_IMPROVEMENT))


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


def admits(
    model: MATModel,
    trusts: np.ndarray,
    rows: np.ndarray,
    dist: np.ndarray,
    size: np.ndarray,
    good: np.ndarray,
    weak: np.ndarray,
) -> np.ndarray:
    """Whether each trust (ids, with its current ``size``/``good``/``weak`` counts) would take
    the school beside it in ``rows`` at ``dist`` km; all arrays broadcast together."""
    return could_take(model, trusts, rows, dist) & (
        takes_now(model, trusts, size, good, weak) >= needs(model, rows)
    )


def could_take(
    model: MATModel, trusts: np.ndarray, rows: np.ndarray, dist: np.ndarray
) -> np.ndarray:
    """The part of :func:`admits` that schools moving do not change: the trust open with a
    growth strategy, the school within its radius and of a phase it wants."""
    s, t = model.schools_data, model.trusts_data
    forbidden = np.where(s.phase[rows] == PRIMARY, SECONDARY_ONLY, PRIMARY_ONLY)
    return (
        t.is_open[trusts]
        & t.has_growth[trusts]
        & (dist <= t.radius_km[trusts])
        & (t.phase_rule[trusts] != forbidden)
    )


def needs(model: MATModel, rows: np.ndarray) -> np.ndarray:
    """What a school asks of a trust's counts (see :func:`takes_now`): 2 if weak, else 1."""
    return 1 + (model.schools_data.grade[rows] >= REQUIRES_IMPROVEMENT)


def takes_now(
    model: MATModel,
    trusts: np.ndarray | slice,
    size: np.ndarray,
    good: np.ndarray,
    weak: np.ndarray,
) -> np.ndarray:
    """The part of :func:`admits` that moves with the counts: 0 if a trust (with these
    counts) is at its maximum size, 1 if it takes good-or-better schools only, 2 if it would
    also take a weak one now."""
    t = model.trusts_data
    rule = t.accept[trusts]
    keeps_ratio = good >= t.golden_rule_ratio[trusts] * (weak + 1)
    takes_weak = (rule != ACCEPT_GOOD_ONLY) & ((rule != ACCEPT_GOLDEN_RULE) | keeps_ratio)
    return (size < t.max_schools[trusts]) * (1 + takes_weak)


def accepting(
    model: MATModel, trusts: np.ndarray, row: int, state: GrowthState, dist: np.ndarray
) -> np.ndarray:
    """Which of ``trusts`` (ids) would take school ``row`` now, at ``dist`` km from each."""
    return admits(
        model, trusts, np.full(len(trusts), row), dist,
        state.size[trusts], state.good[trusts], state.weak[trusts],
    )  # fmt: skip


def accepts(team: CentralTeam, model: MATModel, row: int, state: GrowthState, dist: float) -> bool:
    """Whether ``team``'s growth strategy takes school ``row`` now, at ``dist`` km."""
    return bool(accepting(model, np.array([team.trust_id]), row, state, np.array([dist]))[0])


def nearest_growing_trusts(
    model: MATModel, rows: np.ndarray, state: GrowthState, radius_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Distances and ids of the growing trusts nearest each school in ``rows``, nearest first
    (``NEAREST_TRUSTS`` columns; id -1 where there are no more within ``radius_km``)."""
    s = model.schools_data
    rows = np.atleast_1d(rows)
    if state.tree is None or rows.size == 0:
        return np.empty((rows.size, 0)), np.empty((rows.size, 0), dtype=np.int64)
    k = min(NEAREST_TRUSTS, len(state.trust_ids))
    xy = np.column_stack([s.x_km[rows], s.y_km[rows]])
    dist, idx = state.tree.query(xy, k=k, distance_upper_bound=radius_km)
    dist, idx = dist.reshape(rows.size, k), idx.reshape(rows.size, k)
    found = idx < len(state.trust_ids)
    trusts = np.where(found, state.trust_ids[np.minimum(idx, len(state.trust_ids) - 1)], -1)
    return dist, trusts


def place(
    model: MATModel,
    rows: np.ndarray,
    state: GrowthState,
    radius_km: float,
    kind: str,
    *,
    exclude: np.ndarray | None = None,
    need_appetite: bool = True,
    closer_than_km: np.ndarray | None = None,
    appeal_of_earned_autonomy: float = 1.0,
    receivers: np.ndarray | None = None,
) -> np.ndarray:
    """Move schools ``rows`` (in priority order) into the best trust that takes each; returns
    each school's new trust (NO_TRUST where none would take it).

    Best is the highest mean quality less half the distance as a share of ``radius_km``;
    ``exclude`` is a trust per school it may not go to (its current one); with
    ``need_appetite`` a trust must still want schools this year; ``closer_than_km`` (per school)
    keeps only trusts based nearer than that; ``receivers`` (a flag per trust id) keeps only
    the trusts flagged. A good or outstanding school counts a trust
    offering earned autonomy as if it were nearer by ``(appeal - 1) / 2`` of the radius (seed
    000: trusts use earned autonomy to attract strong schools).
    """
    rows = np.asarray(rows, dtype=np.int64)
    placed = np.full(rows.size, NO_TRUST, dtype=np.int64)
    dist, trusts = nearest_growing_trusts(model, rows, state, radius_km)
    if trusts.shape[1] == 0:
        return placed
    valid = trusts >= 0
    if closer_than_km is not None:
        valid &= dist < np.asarray(closer_than_km)[:, None]
    ids = np.where(valid, trusts, 0)
    if receivers is not None:
        valid &= receivers[ids]
    score = state.quality[ids] - 0.5 * dist / max(radius_km, 1e-9)
    if appeal_of_earned_autonomy > 1.0:
        s = model.schools_data
        strong = (s.grade[rows] >= 0) & (s.grade[rows] <= GOOD)
        offers = model.trusts_data.earned_autonomy[ids] != 0  # 0: 'off'
        score = score + 0.5 * (appeal_of_earned_autonomy - 1.0) * (strong[:, None] & offers)
    barred = np.full(rows.size, NO_TRUST) if exclude is None else np.asarray(exclude)
    # the rule in rounds: what moves do not change, once, as what each school asks of a
    # candidate's counts (see takes_now; 3, never met, where it may not go), then each
    # trust's counts per round
    valid &= (ids != barred[:, None]) & could_take(model, ids, rows[:, None], dist)
    need = np.where(valid, needs(model, rows)[:, None], 3)
    grade = model.schools_data.grade[rows]
    good, weak = (grade >= 0) & (grade <= GOOD), grade >= REQUIRES_IMPROVEMENT
    appetite = model.trusts_data.appetite
    leaving = model.schools_data.trust[rows]
    state.make_room(len(model.trusts_data))
    n = len(state.size)
    first_of = np.empty(n, dtype=np.int64)  # each trust's first chooser in a round
    waiting = np.arange(rows.size)
    while waiting.size:
        takes = takes_now(model, slice(0, n), state.size, state.good, state.weak)
        if need_appetite:
            takes = takes * (appetite[:n] >= 1)
        w_ids = ids[waiting]
        ok = takes[w_ids] >= need[waiting]
        # a school no trust would take now stays where it is; the others choose the best
        chosen = np.flatnonzero(ok.any(axis=1))
        best = np.argmax(np.where(ok, score[waiting], -np.inf), axis=1)  # ties: the nearer
        picked = w_ids[chosen, best[chosen]]
        # every trust takes the first (highest-priority) school choosing it this round
        first_of[picked[::-1]] = chosen[::-1]  # (of repeated ids the last written stays)
        first = first_of[picked] == chosen
        taken, into = chosen[first], picked[first]
        moving = waiting[taken]
        placed[moving] = into
        # the counts (as count() keeps them): no trust takes two schools in a round
        state.add(model, rows[moving], leaving[moving], sign=-1)
        state.size[into] += 1
        state.good[into] += good[moving]
        state.weak[into] += weak[moving]
        appetite[into] -= 1
        waiting = waiting[chosen[~first]]  # the others choose again
    moved = placed != NO_TRUST
    if moved.any():
        model.move_schools(rows[moved], placed[moved], kind)
    return placed


def count(
    model: MATModel, state: GrowthState, rows: np.ndarray, old: np.ndarray, new: np.ndarray
) -> None:
    """Update the growth counts (and appetites) for schools ``rows`` moving from trusts ``old``
    to ``new`` (NO_TRUST for none): a leaving school takes its grade out of the old trust's
    counts, so a trust that hands on weak schools is no longer counted as holding them."""
    state.make_room(len(model.trusts_data))
    state.add(model, rows, old, sign=-1)
    into = new != NO_TRUST
    if into.any():
        state.add(model, rows[into], new[into])
        np.subtract.at(model.trusts_data.appetite, new[into], 1)


def join(
    model: MATModel, rows: np.ndarray, trusts: np.ndarray | int, kind: str, state: GrowthState
) -> None:
    """Schools ``rows`` move into ``trusts`` (an id per school, or one for all)."""
    rows = np.atleast_1d(rows)
    trusts = np.asarray(trusts, dtype=np.int64)
    if trusts.shape != rows.shape:
        trusts = np.broadcast_to(trusts, rows.shape)
    count(model, state, rows, model.schools_data.trust[rows], trusts)
    model.move_schools(rows, trusts, kind)


def stand_alone(model: MATModel, rows: np.ndarray, kind: str, state: GrowthState) -> np.ndarray:
    """Each school forms its own single-academy trust; returns their ids."""
    rows = np.atleast_1d(rows)
    first = len(model.trusts_data) + 1
    names = [f"SAT {first + i}" for i in range(rows.size)]
    trusts = model.create_trusts(names, rows, growth=None)
    join(model, rows, trusts, kind, state)
    return trusts
