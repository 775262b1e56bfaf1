"""The seeds' mechanisms work as the seeds describe them, not as accounting artefacts.

Each test pins one fix or mechanism: planned levers happen when planned; a CEO who steps back
still oversees; shifts are not bought again while under way; deficits constrain; outcomes do
not subtract a mechanism's own benefit; voluntary transfers go to better-placed trusts;
executive heads, hub growth, earned autonomy's appeal, the strong joiner's dilemma and a
representative board's favourite school.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from simulation import MATModel, load_scenario, run_simulation
from simulation.breakpoints import NAMES
from simulation.breakpoints.view import build_view
from simulation.central_team import NOT_PENDING
from simulation.codes import EXECUTIVE_HEAD, GOOD, INADEQUATE, PRIMARY, SECONDARY
from simulation.mechanisms import consolidation, growth, leadership
from simulation.mechanisms.improvement import update_culture
from simulation.mechanisms.matching import count, growth_state
from simulation.mechanisms.review import assess_break_points, review_strategy
from simulation.mechanisms.support import allocate_support, ceo_cost
from simulation.operating_model import school_autonomy
from simulation.parameters import GrowthStrategy

from .conftest import named_trust_world

OVERSIGHT = NAMES.index("oversight")


def oak_world(n_schools: int = 6, policy: str = "static", **levers) -> MATModel:
    """Oak among two other MATs and two SATs."""
    return named_trust_world(n_schools, policy, mats=2, sats=2, **levers)


# --- planned levers and the CEO ----------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_planned_step_back_happens_in_the_planned_year(seed):
    """ceo_steps_back: the CEO of a 5-school trust steps back at 5 schools, i.e. in year 1."""
    result = run_simulation(load_scenario("scenarios/ceo_steps_back.toml").params, seed=seed)
    events = result["events"]
    oak = result["trusts"].query("trust_id == 0").set_index("year")
    planned_year = int(oak.index[oak["n_schools"] >= 5][0]) + 1  # reviewed the year after
    shifts = events[(events.trust_id == 0) & (events.break_point == "ceo_role")]
    assert shifts.kind.astype(str).tolist()[:1] == ["shift"]
    assert int(shifts.year.iloc[0]) == planned_year
    assert not oak["ceo_hands_on"].iloc[-1]


def test_a_ceo_who_has_stepped_back_still_oversees_through_quality_assurance():
    model = oak_world(6)
    s = model.schools_data
    s.grade[s.trust == 0] = GOOD
    model.trusts[0].ceo_hands_on = False
    view = build_view(model)
    bp = model.break_points[OVERSIGHT]
    capacity = bp.capacity(view, view.settings(bp))[0]
    ct = model.params.central_team
    assert view.leads[0] == 0 and view.has_ceo[0]
    assert capacity == pytest.approx(ct.ceo_qa_schools) and capacity > 0
    assert np.isfinite(bp.ratio(view)[0])


def test_with_no_one_overseeing_the_ratio_says_so():
    model = oak_world(6)
    model.trusts[0].ceo_hands_on = False
    model.params = replace(
        model.params, central_team=replace(model.params.central_team, ceo_qa_schools=0.0)
    )
    view = build_view(model)
    assert np.isinf(model.break_points[OVERSIGHT].ratio(view)[0])


# --- shifts: not bought again while under way, not without money -----------------------------


def _overstretched(model: MATModel) -> None:
    """Oak past oversight capacity, its outcomes fallen, its board willing, reserves ample."""
    s = model.schools_data
    s.grade[np.flatnonzero(s.trust == 0)[:3]] = INADEQUATE
    team = model.trusts[0]
    team.outcome_history = [1.0, 1.0]
    team.reserves_gbp = 1e6


def _review(model: MATModel) -> None:
    model.trusts[0].outcome_history = [1.0, 1.0]  # outcomes have just fallen, every time
    view, ratios = assess_break_points(model)
    model.trusts[0].review_capacity = 1.0  # no chance involved
    assert ratios[OVERSIGHT, 0] >= 1.0
    review_strategy(model, view, ratios)


def test_no_shift_is_bought_again_while_its_effect_is_under_way():
    model = oak_world(7, "reactive", ceo_steps_back_at=0)
    t = model.trusts_data
    _overstretched(model)
    t.shift_year[0, OVERSIGHT] = model.year  # it just took effect: the board waits
    _review(model)
    assert t.pending_until[0, OVERSIGHT] == NOT_PENDING
    t.shift_year[0, OVERSIGHT] = -10_000  # long ago, but the leads it planned are not in post
    t.planned_leads[0] = 3
    _review(model)
    assert t.pending_until[0, OVERSIGHT] == NOT_PENDING
    t.planned_leads[0] = 0  # recruited (or never planned): now it may shift again
    _review(model)
    assert t.pending_until[0, OVERSIGHT] == model.year + model.params.break_points.lag_years


def test_a_shift_bought_while_settling_takes_effect_when_it_falls_due_in_year_minus_one():
    """Years run negative while the start settles: a shift bought in year -3 with a 2-year lag
    falls due in year -1, which must not read as 'nothing pending' (it was paid for)."""
    from simulation.mechanisms.review import apply_due_shifts

    model = oak_world(7, "reactive", ceo_steps_back_at=0)
    t = model.trusts_data
    model._settling_year = -1
    t.pending_until[0, OVERSIGHT] = -1
    level = int(t.level[0, OVERSIGHT])
    view, _ = assess_break_points(model)
    apply_due_shifts(model, view)
    assert t.level[0, OVERSIGHT] == level + 1 and t.shift_year[0, OVERSIGHT] == -1
    assert t.pending_until[0, OVERSIGHT] == NOT_PENDING


def test_a_trust_in_deficit_cannot_buy_shifts():
    model = oak_world(7, "reactive", ceo_steps_back_at=0)
    _overstretched(model)
    model.trusts[0].reserves_gbp = -10_000.0
    _review(model)
    assert model.trusts_data.pending_until[0, OVERSIGHT] == NOT_PENDING
    events = model.events.to_frame()
    refused = events[(events.kind == "shift_unaffordable") & (events.trust_id == 0)]
    assert "oversight" in set(refused.break_point)


def test_a_trust_in_deficit_takes_on_no_schools():
    model = oak_world(4)
    t = model.trusts_data
    t.growth[0] = GrowthStrategy(target_schools_per_year=5.0)
    t.target_schools_per_year[0] = 5.0
    growth.plan_appetites(model, model.streams["growth"])
    assert t.appetite[0] >= 5
    t.reserves_gbp[0] = -1.0
    growth.plan_appetites(model, model.streams["growth"])
    assert t.appetite[0] == 0


def test_a_trust_in_deficit_for_years_is_closed_and_its_schools_rebrokered():
    model = oak_world(4)
    t = model.trusts_data
    t.deficit_years[0] = model.params.central_team.deficit_years_to_intervene
    members = np.flatnonzero(model.schools_data.trust == 0)
    model.aggregates = None
    consolidation.close_failing_trusts(model, growth_state(model), model.streams["growth"])
    assert not t.is_open[0]
    assert np.all(model.schools_data.trust[members] != 0)
    kinds = set(model.events.to_frame().kind.astype(str))
    assert {"trust_closed", "rebroker"} <= kinds


def test_a_small_trusts_ceo_costs_a_share_of_a_large_trusts():
    model = oak_world(4)
    ct = model.params.central_team
    small, large = ceo_cost(model, np.array([400.0, 10 * ct.ceo_full_time_pupils]))
    assert small < 0.5 * large and large == pytest.approx(ct.ceo_cost_gbp)


# --- outcomes ------------------------------------------------------------------------------


def test_value_added_keeps_the_lift_strong_schools_earn_by_innovating():
    model = oak_world(6)
    before = model.recorder._trust_chunk(np.array([0]), *_collect_args(model))["value_added"][0]
    rows = np.flatnonzero(model.schools_data.trust == 0)
    model.schools_data.ceiling_lift[rows] += 0.5
    model.schools_data.quality[rows] += 0.5  # the innovation's benefit, realised
    after = model.recorder._trust_chunk(np.array([0]), *_collect_args(model))["value_added"][0]
    assert after == pytest.approx(before + 0.5)


def _collect_args(model: MATModel):
    from simulation.aggregates import trust_aggregates
    from simulation.central_team import multi_academy

    agg = trust_aggregates(model)
    return agg, multi_academy(model, agg.n_schools.astype(np.int64))


# --- voluntary transfers -------------------------------------------------------------------


def test_voluntary_transfers_go_to_a_better_placed_trust_and_are_counted_apart():
    result = run_simulation(load_scenario("scenarios/baseline.toml").params, seed=2, years=10)
    events, model_table = result["events"], result["model"]
    moved = events[events.kind == "transfer"]
    assert len(moved), "no voluntary transfer in ten years of the baseline"
    trusts = result["trusts"]
    schools = result["schools"]
    for row in moved.itertuples():
        school = schools[(schools.year == row.year) & (schools.school_id == row.school_id)].iloc[0]
        old = trusts[(trusts.year == row.year - 1) & (trusts.trust_id == row.other_trust_id)].iloc[
            0
        ]
        new = trusts[(trusts.year == row.year) & (trusts.trust_id == row.trust_id)].iloc[0]
        to_old = np.hypot(school.x_km - old.base_x_km, school.y_km - old.base_y_km)
        to_new = np.hypot(school.x_km - new.base_x_km, school.y_km - new.base_y_km)
        assert to_new < to_old
    per_year = events[events.kind.isin(["transfer", "merge"])].groupby("year").size()
    counted = model_table.set_index("year")["transfers_voluntary"]
    assert counted.reindex(per_year.index).tolist() == per_year.tolist()
    rebrokered = events[events.kind == "rebroker"].groupby("year").size()
    interventions = model_table.set_index("year")["transfers_intervention"]
    assert interventions.reindex(rebrokered.index).tolist() == rebrokered.tolist()


# --- a settled start -------------------------------------------------------------------------


def test_year_zero_is_a_settled_state_with_no_crossings_logged():
    params = load_scenario("scenarios/baseline.toml").params
    result = run_simulation(params, seed=4, years=3)
    events, model_table = result["events"], result["model"]
    assert not (events.year == 0).any()
    assert (events[events.kind == "crossing"].year >= 1).all()
    vacancies = model_table["head_vacancies"].to_numpy(dtype=float)
    assert vacancies[0] > 0  # vacancies exist at the start, as they do in any year
    assert vacancies[1] < 3 * vacancies[0]  # and do not jump in year 1
    unsettled = run_simulation(replace(params, run=replace(params.run, burn_in_years=0)), seed=4)
    assert unsettled["model"]["head_vacancies"].iloc[0] == 0


# --- executive heads (seed 003) ------------------------------------------------------------


def test_a_trust_deploys_a_strong_head_to_its_school_without_a_head():
    model = oak_world(6, executive_deployment=True)
    s, leaders = model.schools_data, model.leaders_data
    rows = np.flatnonzero(s.trust == 0)
    s.grade[rows] = GOOD
    vacant, strong = rows[0], rows[1]
    model.retire_leaders(np.array([s.head[vacant]]))
    s.head[vacant] = -1
    leaders.skill[s.head[strong]] = 0.95
    leadership.deploy_executive_heads(model)
    executive = s.executive[vacant]
    assert executive == s.head[strong]
    assert leaders.role[executive] == EXECUTIVE_HEAD
    off = oak_world(6, executive_deployment=False)
    off_rows = np.flatnonzero(off.schools_data.trust == 0)
    off.schools_data.head[off_rows[0]] = -1
    leadership.deploy_executive_heads(off)
    assert np.all(off.schools_data.executive == -1)


# --- hub growth (seed 001) -----------------------------------------------------------------


def test_hub_growth_seeks_feeder_primaries_around_its_secondary_then_a_new_secondary():
    model = oak_world(2)
    s, t = model.schools_data, model.trusts_data
    t.growth[0] = GrowthStrategy(seek="hubs", hub_feeders=2, hub_radius_km=8.0)
    rows = np.flatnonzero(s.trust == 0)
    s.phase[rows[0]], s.phase[rows[1]] = SECONDARY, PRIMARY
    hx, hy = s.x_km[rows[0]], s.y_km[rows[0]]
    s.x_km[rows[1]], s.y_km[rows[1]] = hx + 1.0, hy  # one feeder: the hub wants another
    pool = np.flatnonzero(s.trust == -1)[:6]
    s.phase[pool] = [PRIMARY, PRIMARY, SECONDARY, PRIMARY, SECONDARY, PRIMARY]
    s.x_km[pool] = hx + np.array([3.0, 20.0, 2.0, 6.0, 4.0, 1.0])
    s.y_km[pool] = hy
    order = pool[growth._hub_order(model, 0, pool)]
    assert order.tolist() == [pool[5], pool[0], pool[3]]  # feeders within 8 km, nearest first
    s.x_km[rows[1]] = hx + 1.0
    extra = np.flatnonzero(s.trust == -1)[10]
    s.trust[extra], s.phase[extra], s.x_km[extra], s.y_km[extra] = 0, PRIMARY, hx + 2.0, hy
    order = pool[growth._hub_order(model, 0, pool)]  # the hub is complete: a new secondary
    assert order.tolist() == [pool[2], pool[4]]


def test_a_shipped_scenario_grows_by_hubs():
    params = load_scenario("scenarios/hub_growth.toml").params
    oak = params.trusts.named[0]
    assert oak.operating_model.preset == "hub_and_cluster" and oak.growth.seek == "hubs"


# --- earned autonomy's appeal, the joiner's dilemma, a board's favourite (seed 000) -----------


@pytest.mark.parametrize("appeal,chosen", [(1.0, 0), (1.5, 1)])
def test_a_strong_converter_prefers_a_trust_offering_earned_autonomy(appeal, chosen):
    """Seed 000: CEOs use earned autonomy to draw higher-performing schools. A good school
    converting chooses between two trusts alike but for a slightly better record (the first)
    and the lever (the second): the appeal (policy.earned_autonomy_appeal) tips it."""
    model = oak_world(3)
    s, t = model.schools_data, model.trusts_data
    state = growth_state(model)
    maintained = np.flatnonzero(s.trust == -1)
    row = int(maintained[0])
    s.grade[maintained] = INADEQUATE  # only this school is good enough to convert
    s.grade[row] = GOOD
    trusts = state.trust_ids[:2]
    assert len(trusts) == 2
    for i in trusts:  # alike in all but the lever and record, and equally far
        t.base_x_km[i], t.base_y_km[i] = s.x_km[row], s.y_km[row]
        t.radius_km[i], t.appetite[i], t.accept[i] = 50.0, 5.0, 0
    state.quality[trusts] = [0.1, 0.0]
    t.earned_autonomy[trusts] = [0, 1]  # only the second offers earned autonomy
    state = replace(state, tree=growth_state(model).tree)
    pol = model.params.policy
    model.params = replace(
        model.params,
        policy=replace(
            pol,
            voluntary_conversion_per_year=1.0,
            convert_standalone_share=0.0,
            earned_autonomy_appeal=appeal,
            brokering_radius_km=40.0,
        ),
    )
    growth.convert(model, state, model.streams["growth"])
    assert s.trust[row] == trusts[chosen]


def test_a_trust_that_hands_on_a_weak_school_no_longer_counts_it_as_weak():
    """The growth step's counts follow a school out of its trust with its grade, so a trust
    that has handed on its weak schools is not closed (or refused schools) for them."""

    model = oak_world(6)
    s = model.schools_data
    rows = np.flatnonzero(s.trust == 0)[:2]
    s.grade[rows] = INADEQUATE
    state = growth_state(model)
    size, weak, good = state.size[0], state.weak[0], state.good[0]
    count(model, state, rows[:1], np.array([0]), np.array([-1]))
    assert state.size[0] == size - 1 and state.weak[0] == weak - 1 and state.good[0] == good


def test_a_strong_joiner_made_to_align_resents_it():
    def commitment_after(policy: str) -> float:
        model = oak_world(5, joining_policy=policy)
        s = model.schools_data
        row = int(np.flatnonzero(s.trust == 0)[-1])
        s.joined_year[row] = model.year  # joined during the run
        s.grade[row] = GOOD
        s.practice[row] = 1.0 - model.trusts[0].common_practice  # far from the common model
        s.commitment[row] = 0.5
        update_culture(model, school_autonomy(model))
        return float(s.commitment[row])

    assert commitment_after("require_alignment") < commitment_after("reopen_debate")


def test_a_representative_board_puts_its_founding_school_first():
    def support_of_base(governance: str) -> float:
        model = oak_world(8, governance=governance)
        s, t = model.schools_data, model.trusts_data
        rows = np.flatnonzero(s.trust == 0)
        s.perceived_quality[rows] = -0.5  # all equally in need
        s.perceived_quality[t.base_school[0]] = -0.35  # the base school a little less
        t.oversight_capacity_factor[0] = t.support_effectiveness[0] = 1.0
        allocate_support(model)
        return float(s.support[t.base_school[0]])

    assert support_of_base("representative") > support_of_base("skills_based")


# --- the sector's mix of operating models (seed 000) ----------------------------------------


def test_starting_trusts_hold_the_sectors_mix_of_operating_models():
    model = MATModel(load_scenario("scenarios/baseline.toml").params, rng=3)
    t = model.trusts_data
    from simulation.central_team import PRESET_NAMES, multi_academy

    mats = np.flatnonzero(multi_academy(model))
    presets = {PRESET_NAMES[code] for code in t.operating_preset[mats]}
    assert {"aligned", "autonomous"} <= presets
    assert np.any(t.autonomy[mats] > 0.5) and np.any(t.autonomy[mats] < 0.5)


def test_a_planned_shift_that_could_not_be_paid_for_is_said_loudly():
    """Starting with no reserves and a costly shift, Oak Trust cannot afford its planned step
    back; the run's summary says so rather than letting the plan silently not happen."""
    from simulation.run_command import blocked_plans

    params = load_scenario("scenarios/ceo_steps_back.toml").params
    params = replace(
        params,
        run=replace(params.run, burn_in_years=0),
        central_team=replace(params.central_team, starting_reserve_years=0.0),
        break_points=replace(params.break_points, shift_cost_gbp=5e6),
    )
    result = run_simulation(params, seed=1, years=2)
    warnings = blocked_plans(result)
    assert warnings and "Oak Trust could not make its planned shift" in warnings[0]
    assert "CEO steps back" in warnings[0]
