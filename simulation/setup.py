"""Building the starting world: schools on the map, their heads, and the starting trusts."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from .central_team import multi_academy
from .leader import HEAD, IMPROVEMENT_LEAD
from .mechanisms.inspection import grade_from_score, inspection_interval
from .parameters import GrowthStrategy, NamedTrust, OperatingModel, ReviewParams
from .school import (
    GOOD,
    NO_TRUST,
    OUTSTANDING,
    REQUIRES_IMPROVEMENT,
    SECONDARY,
    SPECIAL,
)
from .world import build_geography, neighbour_pairs

if TYPE_CHECKING:
    from .model import MATModel


def stationary_quality_sd(kappa: float, shock_sd: float) -> float:
    """Spread of an AR(1) quality path around its potential: shock_sd / sqrt(1 - (1-k)^2)."""
    keep = 1.0 - kappa
    return shock_sd / np.sqrt(max(1e-9, 1.0 - keep * keep))


def school_potential(model: MATModel, phase: np.ndarray, disadvantage: np.ndarray) -> np.ndarray:
    """Level each school's quality reverts to: phase, intake and a persistent school effect."""
    q, w = model.params.quality, model.params.world
    rng = model.streams["setup"]
    offset = np.zeros(len(phase))
    offset[phase == SECONDARY] = q.secondary_offset
    offset[phase == SPECIAL] = q.special_offset
    intake = -q.disadvantage_effect * (disadvantage - w.disadvantage_mean)
    return offset + intake + rng.normal(0.0, q.potential_sd, len(phase))


def place_schools(model: MATModel) -> None:
    """Schools on the map with phase, roll, intake, potential, quality and a last grade."""
    p = model.params
    rng_world, rng = model.streams["world"], model.streams["setup"]
    geo = build_geography(p.world, rng_world)
    model.geography = geo
    n = p.world.n_schools
    s = model.schools_data
    s.add(n)
    s.x_km, s.y_km = geo.school_xy_km[:, 0], geo.school_xy_km[:, 1]
    s.region, s.town = geo.school_region, geo.school_town
    shares = np.array(p.world.phase_shares())
    phase = rng.choice(len(shares), size=n, p=shares / shares.sum()).astype(np.int8)
    s.phase = phase
    geo.admission_area = geo.admission_areas(phase)
    mean_roll = np.array(p.world.phase_pupils())[phase]
    sigma = np.sqrt(np.log1p(p.world.pupils_cv**2))
    s.pupils = np.maximum(10.0, mean_roll * rng.lognormal(-(sigma**2) / 2, sigma, n))
    town_level = rng.normal(0.0, p.world.disadvantage_town_sd, len(geo.town_xy_km) + 1)
    town_index = np.where(geo.school_town >= 0, geo.school_town, len(geo.town_xy_km))
    s.disadvantage = np.clip(
        p.world.disadvantage_mean
        + town_level[town_index]
        + rng.normal(0.0, p.world.disadvantage_school_sd, n),
        0.01,
        0.95,
    )
    s.potential = school_potential(model, phase, s.disadvantage)
    spread = stationary_quality_sd(p.quality.mean_reversion_per_year, p.quality.shock_sd_per_year)
    s.quality = s.potential + rng.normal(0.0, spread, n)
    observed = s.quality + rng.normal(0.0, p.inspection.measurement_sd, n)
    s.grade = grade_from_score(observed, p.inspection)
    interval = inspection_interval(s.grade, rng, p.inspection)
    s.last_inspection_year = model.year - rng.integers(0, interval)  # 0..interval-1 years ago
    s.next_inspection_year = s.last_inspection_year + interval
    s.practice = rng.random(n)
    s.perceived_quality = s.quality
    heads = model.appoint_leaders(
        HEAD, model.draw_skill(n, rng), school=np.arange(n), trust=np.full(n, NO_TRUST)
    )
    model.leaders_data.tenure_years[heads] = rng.integers(0, 12, n)
    s.head = heads
    model.peer_pairs = neighbour_pairs(
        geo.tree, p.quality.peer_neighbours, p.quality.peer_radius_km, p.quality.support_halving_km
    )


def mat_sizes(model: MATModel, count: int) -> np.ndarray:
    """Starting MAT sizes: 2 + extra schools drawn from ``trusts.mat_size_distribution``, mean
    ``mean_mat_size``, at most ``max_mat_size``."""
    t = model.params.trusts
    rng = model.streams["setup"]
    extra_mean = t.mean_mat_size - 2.0
    if t.mat_size_distribution == "lognormal":
        mu = np.log(extra_mean) - t.mat_size_sigma**2 / 2
        extra = rng.lognormal(mu, t.mat_size_sigma, count)
    else:
        extra = rng.gamma(t.mat_size_shape, extra_mean / t.mat_size_shape, count)
    return np.clip(np.round(2.0 + extra), 2, t.max_mat_size).astype(int)


def _nearest_free(model: MATModel, centre_row: int, size: int, free: np.ndarray) -> np.ndarray:
    """The ``size`` nearest unassigned schools to ``centre_row`` (including itself)."""
    tree = model.geography.tree
    k = min(len(free), max(4 * size, 16))
    while True:
        _, idx = tree.query(tree.data[centre_row], k=k)
        idx = np.atleast_1d(idx)
        idx = idx[idx < len(free)]
        chosen = idx[free[idx]][:size]
        if len(chosen) == size or k >= len(free):
            return chosen
        k = min(len(free), 4 * k)


def found_trusts(
    model: MATModel,
    names: list[str],
    members: list[np.ndarray],
    growth: GrowthStrategy | None,
    leads: np.ndarray,  # improvement leads per trust
    operating_model: OperatingModel | None = None,
    review: ReviewParams | None = None,
) -> np.ndarray:
    """Create trusts around their ``members`` (the first of each is its base) with a history
    (founded 1-11 years ago, schools joining since), a common practice their schools have half
    converged on, and — for multi-academy trusts — a CEO and ``leads`` improvement leads."""
    if not members:
        return np.empty(0, dtype=np.int64)
    s = model.schools_data
    t = model.trusts_data
    rng = model.streams["setup"]
    bases = np.array([m[0] for m in members])
    ids = model.create_trusts(names, bases, growth, operating_model, review)
    sizes = np.array([len(m) for m in members])
    rows = np.concatenate(members)
    owner = np.repeat(ids, sizes)
    t.planned_leads[ids] = leads
    founded = t.founded_year[ids] = model.year - rng.integers(1, 12, len(ids))
    model.move_schools(rows, owner, "join")
    s.joined_year[rows] = rng.integers(np.repeat(founded, sizes), model.year + 1)
    common = t.common_practice[ids] = s.practice[bases]
    common = np.repeat(common, sizes)
    s.practice[rows] = s.practice[rows] + 0.5 * (common - s.practice[rows])
    s.commitment[rows] = 0.6
    ct = model.params.central_team
    pupils = np.bincount(np.repeat(np.arange(len(ids)), sizes), weights=s.pupils[rows])
    income = ct.top_slice_share * ct.funding_per_pupil_gbp * pupils
    t.reserves_gbp[ids] = ct.starting_reserve_years * income
    is_mat = multi_academy(model)[ids]  # a single academy's head is its leader
    mats = ids[is_mat]
    if mats.size:
        ceo_skill = model.draw_skill(len(mats), rng, model.CEO_SKILL_SHIFT)
        model.appoint_ceos(mats, ceo_skill, founding=True)
        staffed = np.repeat(mats, np.asarray(leads)[is_mat])
        lead_skill = model.draw_skill(len(staffed), rng, 0.05)
        model.appoint_leaders(IMPROVEMENT_LEAD, lead_skill, np.full(len(staffed), -1), staffed)
    return ids


def _named_members(model: MATModel, named: NamedTrust, base: int, free: np.ndarray) -> np.ndarray:
    """The base, the nearest weak and outstanding schools the scenario asks for, then the
    nearest others."""
    s = model.schools_data
    free = free.copy()
    chosen = [np.array([base])]
    free[base] = False
    for count, mask in (
        (named.weak_schools, s.grade >= REQUIRES_IMPROVEMENT),
        (named.strong_schools, s.grade == OUTSTANDING),
    ):
        if count:
            picked = _nearest_free(model, base, count, free & mask)
            free[picked] = False
            chosen.append(picked)
    rest = named.n_schools - sum(len(c) for c in chosen)
    if rest > 0:
        chosen.append(_nearest_free(model, base, rest, free))
    return np.concatenate(chosen)


def form_trusts(model: MATModel) -> None:
    """Named trusts first, then MATs and single-academy trusts drawn at random."""
    p = model.params
    rng = model.streams["setup"]
    s = model.schools_data
    n = len(s)
    free = np.ones(n, dtype=bool)
    for named in p.trusts.named:
        in_region = np.flatnonzero(free & (s.region == named.region) & (s.grade <= GOOD))
        if len(in_region) == 0:
            in_region = np.flatnonzero(free)
        base = int(rng.choice(in_region))
        members = _named_members(model, named, base, free)
        free[members] = False
        found_trusts(
            model,
            [named.name],
            [members],
            named.growth or p.growth,
            np.array([named.improvement_leads]),
            named.operating_model,
            named.review,
        )
    groups: list[np.ndarray] = []
    for size in mat_sizes(model, p.trusts.n_multi_academy).tolist():
        candidates = np.flatnonzero(free)
        if len(candidates) < size:
            break
        members = _nearest_free(model, int(rng.choice(candidates)), size, free)
        free[members] = False
        groups.append(members)
    sizes = np.array([len(g) for g in groups])
    mats = found_trusts(
        model,
        [f"MAT {i + 1}" for i in range(len(groups))],
        groups,
        p.growth,
        np.round(sizes * p.trusts.improvement_leads_per_school).astype(int),
    )
    vary_appetites(model, mats)
    mix_operating_models(model, mats)
    good_free = np.flatnonzero(free & (s.grade <= GOOD))
    n_sat = min(p.trusts.n_single_academy, len(good_free))
    singles = rng.choice(good_free, size=n_sat, replace=False)
    free[singles] = False
    found_trusts(
        model,
        [f"SAT {i + 1}" for i in range(n_sat)],
        [np.array([row]) for row in singles.tolist()],
        None,
        np.zeros(n_sat, dtype=int),
    )


def mix_operating_models(model: MATModel, ids: np.ndarray) -> None:
    """Starting MATs hold the sector's mix of operating models (``trusts.preset_mix``): each
    draws a preset in the shares of ``trusts.share_*``, the scenario's other levers kept."""
    setup = model.params.trusts
    if setup.preset_mix != "sector" or ids.size == 0:
        return
    shares = setup.preset_shares()
    names = list(shares)
    drawn = model.streams["setup"].choice(
        len(names), size=ids.size, p=np.array(list(shares.values()))
    )
    base = model.params.operating_model
    for k, name in enumerate(names):
        group = ids[drawn == k]
        if group.size:
            model.set_operating_model(group, dataclasses.replace(base, preset=name))


def vary_appetites(model: MATModel, ids: np.ndarray) -> None:
    """Starting MATs differ in how fast they want to grow: each draws a target from a gamma
    distribution with the scenario's mean and ``trusts.growth_target_shape`` (a few grow fast,
    many barely grow; named trusts keep their own)."""
    shape = model.params.trusts.growth_target_shape
    growth = model.params.growth
    if shape <= 0 or ids.size == 0 or growth.target_schools_per_year <= 0:
        return
    rng = model.streams["setup"]
    mean = growth.target_schools_per_year
    targets = np.minimum(rng.gamma(shape, mean / shape, ids.size), 50.0)
    t = model.trusts_data
    # the target column is the trust's own; its strategy object stays the scenario's shared
    # one (CentralTeam.growth reports the trust's own target), not one validated copy a trust
    t.target_schools_per_year[ids] = targets


def build_world(model: MATModel) -> None:
    """Everything the model holds at year 0."""
    place_schools(model)
    form_trusts(model)
    # history of trust joins at setup is not an event of the simulated years
    model.events = type(model.events)()
