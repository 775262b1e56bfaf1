"""Single rules on tiny hand-built worlds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from simulation import MATModel
from simulation.leader import CEO, IMPROVEMENT_LEAD, SLE
from simulation.mechanisms.growth import accepts, growth_state
from simulation.mechanisms.improvement import admit_pupils
from simulation.mechanisms.inspection import grade_from_score, inspect_schools, inspection_interval
from simulation.mechanisms.leadership import fill_headships
from simulation.mechanisms.support import allocate_support
from simulation.parameters import GrowthStrategy, InspectionParams, NamedTrust, RunParams
from simulation.school import GOOD, INADEQUATE, NO_TRUST, OUTSTANDING, REQUIRES_IMPROVEMENT

from .conftest import tiny_params


def test_grades_cut_latent_quality_at_the_published_thresholds():
    p = InspectionParams()
    scores = np.array([p.outstanding_above + 0.01, 0.0, p.requires_improvement_below - 0.01, -9])
    assert grade_from_score(scores, p).tolist() == [
        OUTSTANDING,
        GOOD,
        REQUIRES_IMPROVEMENT,
        INADEQUATE,
    ]


def test_weak_schools_are_inspected_sooner_than_good_ones():
    p = InspectionParams()
    rng = np.random.default_rng(0)
    good = inspection_interval(np.full(4000, GOOD, dtype=np.int8), rng, p)
    weak = inspection_interval(np.full(4000, INADEQUATE, dtype=np.int8), rng, p)
    assert set(good.tolist()) == {4}
    assert set(weak.tolist()) == {2, 3}
    assert weak.mean() == pytest.approx(2.5, abs=0.05)


def test_an_inadequate_maintained_school_is_flagged_for_a_sponsor(tiny_model):
    s = tiny_model.schools_data
    row = int(np.flatnonzero(s.trust == NO_TRUST)[0])
    s.quality[row] = -8.0
    s.next_inspection_year[row] = tiny_model.year
    inspect_schools(tiny_model)
    assert s.grade[row] == INADEQUATE
    assert s.awaiting_sponsor[row]


def _trust_with(model: MATModel, good: int, weak: int, rule: str, radius: float = 500.0):
    """Make trust 0 hold exactly ``good`` good and ``weak`` weak schools."""
    s = model.schools_data
    s.trust[:] = NO_TRUST
    rows = np.arange(good + weak)
    s.trust[rows] = 0
    s.grade[:good] = GOOD
    s.grade[good : good + weak] = INADEQUATE
    model._trust_sizes = None
    team = model.trusts[0]
    team.growth = GrowthStrategy(accept=rule, radius_km=radius, golden_rule_ratio=3.0)
    candidate = good + weak
    s.grade[candidate] = INADEQUATE
    return team, candidate


@pytest.mark.parametrize(
    ("good", "weak", "rule", "takes_weak"),
    [
        (2, 1, "golden_rule", False),  # 2 good for 2 weak after joining: breaks 3:1
        (6, 1, "golden_rule", True),  # 6 good for 2 weak: keeps 3:1
        (9, 0, "good_only", False),
        (1, 3, "any", True),
    ],
)
def test_growth_rules_decide_whether_a_weak_school_is_taken(
    tiny_model, good, weak, rule, takes_weak
):
    team, candidate = _trust_with(tiny_model, good, weak, rule)
    state = growth_state(tiny_model)
    assert accepts(team, tiny_model, candidate, state, dist=1.0) is takes_weak


def test_a_trust_does_not_take_schools_beyond_its_radius(tiny_model):
    team, candidate = _trust_with(tiny_model, 6, 0, "any", radius=10.0)
    state = growth_state(tiny_model)
    assert accepts(team, tiny_model, candidate, state, dist=9.0)
    assert not accepts(team, tiny_model, candidate, state, dist=11.0)


def _one_trust_support_world(leads: int, hands_on: bool) -> tuple[MATModel, np.ndarray]:
    params = tiny_params(mats=0, sats=0)
    named = (NamedTrust(name="Oak", n_schools=10),)
    model = MATModel(replace(params, trusts=replace(params.trusts, named=named)), rng=3)
    s, leaders = model.schools_data, model.leaders_data
    rows = np.flatnonzero(s.trust == 0)
    central = np.flatnonzero(
        leaders.active & (leaders.trust == 0) & (leaders.role == IMPROVEMENT_LEAD)
    )
    model.retire_leaders(central)
    if leads:
        model.appoint_leaders(
            IMPROVEMENT_LEAD, np.full(leads, 0.5), np.full(leads, -1), np.zeros(leads, int)
        )
    team = model.trusts[0]
    team.ceo_hands_on = hands_on
    team.oversight_capacity_factor = team.support_effectiveness = 1.0  # no break point bites
    return model, rows


def test_support_goes_to_the_weakest_schools_first():
    model, rows = _one_trust_support_world(leads=0, hands_on=True)
    s = model.schools_data
    assert len(rows) >= 6
    s.perceived_quality[rows] = np.linspace(-2.5, 1.0, len(rows))
    s.x_km[rows], s.y_km[rows] = model.trusts[0].base_xy_km  # no travel
    allocate_support(model)
    support = s.support[rows]
    assert support[0] > 0
    assert np.all(np.diff(support) <= 1e-12)  # never more support for a stronger school
    assert support[-1] == 0.0  # capacity (a CEO's 4-5 schools) runs out


def test_a_trust_with_no_one_improving_schools_gives_no_support():
    model, rows = _one_trust_support_world(leads=0, hands_on=False)
    allocate_support(model)
    assert np.all(model.schools_data.support[rows] == 0.0)


def test_support_fades_with_distance_from_the_trust_base():
    model, rows = _one_trust_support_world(leads=3, hands_on=True)
    s = model.schools_data
    s.perceived_quality[rows] = -2.0
    bx, by = model.trusts[0].base_xy_km
    s.x_km[rows[:2]], s.y_km[rows[:2]] = bx, by
    s.x_km[rows[2:]] = bx + 50.0
    s.y_km[rows[2:]] = by
    model.office_km = None  # schools moved by hand: no measured office distances this year
    allocate_support(model)
    assert s.support[rows[0]] > 2 * s.support[rows[2]] > 0


def test_admissions_move_pupils_to_better_schools_but_conserve_the_total(tiny_model):
    s = tiny_model.schools_data
    before = s.pupils.sum()
    pupils_before = s.pupils.copy()
    admit_pupils(tiny_model)
    change = tiny_model.params.world.demographic_change_per_year
    assert s.pupils.sum() == pytest.approx(before * (1 + change), rel=1e-12)
    grew = s.pupils / pupils_before
    assert np.corrcoef(grew, s.quality)[0, 1] > 0


def test_a_vacant_headship_in_a_trust_goes_to_the_trusts_ready_sle_first():
    params = tiny_params(mats=1, sats=0, run=RunParams(burn_in_years=0))  # no other vacancies
    params = replace(params, leaders=replace(params.leaders, head_fill_probability=0.0))
    model = MATModel(params, rng=4)
    s, leaders = model.schools_data, model.leaders_data
    school_a, school_b = np.flatnonzero(s.trust == 0)[:2]
    sle = model.appoint_leaders(SLE, np.array([0.9]), np.array([school_b]), np.array([0]))[0]
    model.retire_leaders(np.array([s.head[school_a]]))
    s.head[school_a] = -1
    fill_headships(model, model.streams["leaders"])
    assert s.head[school_a] == sle
    assert leaders.role[sle] != SLE and leaders.school[sle] == school_a


def test_without_recruits_a_maintained_schools_vacancy_stays_open():
    params = tiny_params(run=RunParams(burn_in_years=0))
    params = replace(params, leaders=replace(params.leaders, head_fill_probability=0.0))
    model = MATModel(params, rng=4)
    s = model.schools_data
    row = int(np.flatnonzero(s.trust == NO_TRUST)[0])
    model.retire_leaders(np.array([s.head[row]]))
    s.head[row] = -1
    for _ in range(3):
        fill_headships(model, model.streams["leaders"])
    assert s.head[row] == -1 and s.vacancy_years[row] == 3


def test_every_mat_is_founded_with_a_ceo_and_single_academies_without():
    model = MATModel(tiny_params(run=RunParams(burn_in_years=0)), rng=2)
    leaders = model.leaders_data
    ceo_trusts = set(leaders.trust[leaders.active & (leaders.role == CEO)].tolist())
    for team in model.trusts:
        assert (team.trust_id in ceo_trusts) == (team.kind == "multi_academy")


def test_a_multi_school_trust_without_a_growth_strategy_recruits_a_ceo():
    """Being a MAT is one rule (multi_academy): more than one school makes a trust one, so it
    looks for a CEO even though it has no growth strategy."""
    from simulation.mechanisms.leadership import replace_ceos

    params = tiny_params()
    params = replace(params, leaders=replace(params.leaders, external_fill_probability=1.0))
    model = MATModel(params, rng=4)
    t, s = model.trusts_data, model.schools_data
    sat = int(np.flatnonzero(~t.has_growth & t.is_open)[0])
    maintained = np.flatnonzero(s.trust == NO_TRUST)[:1]
    model.move_schools(maintained, sat, "join")
    leaders = model.leaders_data
    assert not np.any(leaders.active & (leaders.role == CEO) & (leaders.trust == sat))
    replace_ceos(model, model.streams["leaders"])
    assert np.any(leaders.active & (leaders.role == CEO) & (leaders.trust == sat))
