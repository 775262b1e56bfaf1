"""Break points on small worlds: load against capacity, effectiveness, shifts, review policies."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulation import MATModel
from simulation.breakpoints import BREAK_POINTS, BY_NAME, NAMES, effectiveness
from simulation.breakpoints.base import load_ratio
from simulation.breakpoints.view import build_view
from simulation.mechanisms.review import assess_break_points, review_strategy
from simulation.parameters import OperatingModel
from simulation.parameters.operating import PRESETS
from simulation.scenario import ScenarioError, params_from_mapping

from .conftest import named_trust_world


def one_trust_world(n_schools: int, policy: str = "static", **levers) -> MATModel:
    """Oak alone among maintained schools."""
    return named_trust_world(n_schools, policy, **levers)


def ratio(model: MATModel, name: str) -> float:
    return float(BY_NAME[name].ratio(build_view(model))[0])


def test_effectiveness_holds_to_capacity_then_falls_away_non_linearly():
    r = np.array([0.2, 1.0, 1.2, 1.5, 2.0, 5.0])
    e = effectiveness(r, falloff=2.5, floor=0.1)
    assert e[0] == e[1] == 1.0
    assert 1.0 > e[2] > e[3] > e[4] >= 0.1 == e[5]
    # non-linear: the second half-step past capacity costs more than the first
    assert (e[2] - e[3]) > (e[1] - e[2])


def test_every_break_point_has_the_same_shape():
    assert len(BREAK_POINTS) == 12 and len(set(NAMES)) == 12
    model = one_trust_world(6)
    view = build_view(model)
    for bp in BREAK_POINTS:
        p = view.settings(bp)
        load, cap = np.asarray(bp.load(view, p)), np.asarray(bp.capacity(view, p))
        assert load.shape == cap.shape == (len(model.trusts),), bp.name
        assert np.all(load >= 0) and np.all(cap >= 0), bp.name
        assert bp.channels and bp.shift.name and bp.parameter_names, bp.name
        assert bp.label and bp.shift.label and bp.explanation.harm, bp.name


@pytest.mark.parametrize(("schools", "crossed"), [(4, False), (5, True), (12, True)])
def test_a_ceo_who_never_lets_go_loses_oversight_past_four_or_five_schools(schools, crossed):
    model = one_trust_world(schools, ceo_steps_back_at=0)
    s = model.schools_data
    s.grade[s.trust == 0] = 1  # all good: only scale drives the load
    assert (ratio(model, "oversight") >= 1.0) is crossed
    assert (ratio(model, "ceo_role") >= 1.0) is crossed


def _uniform(model: MATModel, grade: int, phase: int, km_from_base: float) -> MATModel:
    """Make every school of trust 0 alike: one grade and phase, a distance from the base."""
    s = model.schools_data
    rows = np.flatnonzero(s.trust == 0)
    s.grade[rows], s.phase[rows] = grade, phase
    bx, by = model.trusts[0].base_xy_km
    s.x_km[rows], s.y_km[rows] = bx + km_from_base, by
    return model


def test_load_grows_smoothly_with_scale():
    ratios = [
        ratio(_uniform(one_trust_world(n, ceo_steps_back_at=0), 1, 0, 0.0), "ceo_role")
        for n in range(2, 12)
    ]
    steps = np.diff(ratios)
    assert np.all(steps > 0) and np.allclose(steps, steps[0])


def test_the_ceo_role_strains_at_a_count_set_by_what_the_schools_need():
    """Weak secondaries far from the base exhaust a hands-on CEO sooner than good primaries
    next door: the break point does not sit at a fixed number of schools."""

    def role(n: int, grade: int, phase: int, km: float) -> float:
        return ratio(
            _uniform(one_trust_world(n, ceo_steps_back_at=0), grade, phase, km), "ceo_role"
        )

    easy = [role(n, 1, 0, 0.0) for n in (4, 5)]  # good primaries at the base
    assert easy[0] < 1.0 <= easy[1]
    assert role(3, 3, 1, 40.0) >= 1.0  # inadequate secondaries 40 km away: already at 3


def test_weak_schools_weigh_more_on_oversight():
    model = one_trust_world(4, ceo_steps_back_at=0)
    before = ratio(model, "oversight")
    s = model.schools_data
    s.grade[np.flatnonzero(s.trust == 0)[:2]] = 3  # two inadequate schools
    assert ratio(model, "oversight") > before


def test_a_representative_board_crosses_governance_where_a_skills_based_one_does_not():
    rep = one_trust_world(10, governance="representative")
    skills = one_trust_world(10, governance="skills_based")
    assert ratio(rep, "governance") > 1.0 > ratio(skills, "governance")


def test_a_static_trust_never_shifts_and_an_anticipatory_one_shifts_before_crossing():
    static = one_trust_world(8, "static", ceo_steps_back_at=0)
    static.run(6)
    shifts = static.events.to_frame().query("kind == 'shift' and trust_id == 0")
    assert shifts.empty
    anticipatory = one_trust_world(4, "anticipatory", ceo_steps_back_at=0)
    anticipatory.trusts[0].growth = replace(
        anticipatory.params.growth, target_schools_per_year=3.0, accept="any", radius_km=80.0
    )
    anticipatory.run(9)
    shifts = anticipatory.events.to_frame().query("kind == 'shift' and trust_id == 0")
    assert len(shifts) and shifts["anticipated"].max() == 1


def test_a_shift_costs_money_now_and_restores_capacity_after_its_lag():
    model = one_trust_world(7, "reactive", ceo_steps_back_at=0)
    team = model.trusts[0]
    team.reserves_gbp = 1e6
    s = model.schools_data
    s.grade[np.flatnonzero(s.trust == 0)[:3]] = 3  # three schools fail inspection ...
    team.outcome_history = [1.0, 1.0]  # ... after two years of all good: outcomes have fallen
    view, ratios = assess_break_points(model)
    assert ratios[NAMES.index("oversight"), 0] >= 1.0
    team.review_capacity = 1.0  # the board is not too stretched to act (no chance involved)
    review_strategy(model, view, ratios)
    assert any(name == "oversight" for name, _ in team.pending_shifts)
    assert team.reserves_gbp < 1e6
    lag = model.params.break_points.lag_years
    due = dict(team.pending_shifts)["oversight"]
    assert due == model.year + lag
    level_before = team.levels.get("oversight", 0)
    model.run(lag + 1)
    assert team.levels.get("oversight", 0) > level_before


def test_earned_autonomy_frees_strong_schools_and_directive_intervention_holds_weak_ones():
    from simulation.operating_model import school_autonomy

    model = one_trust_world(6, preset="aligned")
    s = model.schools_data
    rows = np.flatnonzero(s.trust == 0)
    s.grade[rows[0]], s.grade[rows[1]] = 0, 3  # outstanding, inadequate
    team = model.trusts[0]
    base = school_autonomy(model)
    team.earned_autonomy, team.directive = "outstanding", True
    after = school_autonomy(model)
    assert after[rows[0]] > base[rows[0]]
    assert after[rows[1]] < base[rows[1]]
    assert after[rows[2]] == base[rows[2]] or s.grade[rows[2]] in (0, 3)


def test_presets_fill_every_lever_and_contradictions_are_refused():
    for preset in PRESETS:
        levers = OperatingModel(preset=preset).resolved()
        assert 0.0 <= levers["autonomy"] <= 1.0
    with pytest.raises(ScenarioError, match="operating_model.earned_autonomy.*standardise"):
        params_from_mapping(
            {"operating_model": {"preset": "standardised", "earned_autonomy": "good"}}, "s.toml"
        )
    with pytest.raises(ScenarioError, match="operating_model.preset.*'hub_and_cluster'"):
        params_from_mapping({"operating_model": {"preset": "hubs"}}, "s.toml")
    with pytest.raises(ScenarioError, match="review.policy.*'anticipatory'"):
        params_from_mapping({"review": {"policy": "sometimes"}}, "s.toml")
    with pytest.raises(ScenarioError, match="operating_model.cluster_size.*out of range"):
        params_from_mapping({"operating_model": {"cluster_size": 1}}, "s.toml")


def test_every_crossing_and_shift_is_logged_with_the_trusts_state():
    model = one_trust_world(8, "reactive")
    model.run(8)
    events = model.events.to_frame()
    logged = events[events.kind.isin(["crossing", "shift", "recovery"])]
    assert len(logged)
    for col in (
        "break_point",
        "driver",
        "load",
        "capacity",
        "n_schools",
        "pupils",
        "spread_km",
        "share_weak",
    ):
        assert logged[col].notna().all(), col
    assert set(logged["driver"]) <= {"scale", "geography", "performance", "intelligence"}


@given(
    st.lists(st.floats(0, 20, allow_nan=False), min_size=2, max_size=30),
    st.floats(0.1, 20),
    st.floats(0.0, 0.9),
)
def test_effectiveness_never_rises_with_load_and_stays_between_floor_and_one(
    ratios, falloff, floor
):
    r = np.sort(np.array(ratios))
    e = effectiveness(r, falloff, floor)
    assert np.all((e >= floor) & (e <= 1.0))
    assert np.all(np.diff(e) <= 1e-12)


@given(
    st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=20),
    st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=20),
)
def test_load_ratio_is_honest_zero_without_load_and_infinite_without_capacity(loads, capacities):
    n = min(len(loads), len(capacities))
    load, cap = np.array(loads[:n]), np.array(capacities[:n])
    ratio = load_ratio(load, cap)
    assert not np.any(np.isnan(ratio)) and np.all(ratio >= 0)
    assert np.all(ratio[load == 0] == 0)
    assert np.all(np.isinf(ratio[(load > 0) & (cap == 0)]))
    both = (load > 0) & (cap > 0)
    with np.errstate(over="ignore"):
        assert np.allclose(ratio[both], load[both] / cap[both])
