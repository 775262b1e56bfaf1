"""Invariants that hold after every simulated year, on the baseline and a stressed world."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from simulation import MATModel, load_scenario
from simulation.leader import EXECUTIVE_HEAD, HEAD
from simulation.school import NO_TRUST


def check_invariants(model: MATModel, pupils_before: float) -> None:
    s, leaders, p = model.schools_data, model.leaders_data, model.params
    n_trusts = len(model.trusts)
    # a school is in at most one trust, and that trust is open
    assert np.all((s.trust == NO_TRUST) | ((s.trust >= 0) & (s.trust < n_trusts)))
    open_ids = {t.trust_id for t in model.trusts if t.is_open}
    assert set(np.unique(s.trust[s.trust >= 0]).tolist()) <= open_ids
    assert np.array_equal(
        model.trust_sizes(), np.bincount(s.trust[s.trust >= 0], minlength=n_trusts)
    )
    # pupils change only by the documented demographic rate
    expected = pupils_before * (1 + p.world.demographic_change_per_year)
    assert s.pupils.sum() == pytest.approx(expected, rel=1e-9)
    assert np.all(s.pupils > 0)
    # quality and culture stay in range
    assert np.all((s.quality >= p.quality.quality_floor) & (s.quality <= p.quality.quality_ceiling))
    for col in ("alignment", "commitment", "practice"):
        values = getattr(s, col)
        assert np.all((values >= 0) & (values <= 1)), col
    assert np.all((s.grade >= 0) & (s.grade <= 3))
    # every filled headship is held by an active head of that school, in the school's trust
    filled = np.flatnonzero(s.head >= 0)
    heads = s.head[filled]
    assert np.all(leaders.active[heads]) and np.all(
        np.isin(leaders.role[heads], (HEAD, EXECUTIVE_HEAD))
    )
    assert np.array_equal(leaders.school[heads], filled)
    assert np.array_equal(leaders.trust[heads], s.trust[filled])
    assert len(np.unique(heads)) == len(heads)
    # an executive head leads their own school and one vulnerable school of the same trust
    deployed = np.flatnonzero(s.executive >= 0)
    executives = s.executive[deployed]
    assert np.all(leaders.role[executives] == EXECUTIVE_HEAD) or not np.all(
        leaders.active[executives]
    )
    assert np.array_equal(leaders.trust[executives], s.trust[deployed])
    # agents are views made on demand: none kept for leaders who have left
    assert all(leaders.active[row] for row in model.leader_agents.made())
    assert np.all((leaders.skill >= 0) & (leaders.skill <= 1))
    # break points: ratios never negative or undefined (infinite only with no capacity at all);
    # effectiveness a share; the tables show NaN only where break points do not apply
    ratios = model.break_point_ratios
    assert not np.any(np.isnan(ratios)) and np.all(ratios >= 0)
    t = model.trusts_data
    assert np.all(np.isinf(ratios) <= (model.last_view.capacities == 0))
    assert np.all((t.effectiveness >= 0.0) & (t.effectiveness <= 1.0))
    measured = ~np.isnan(t.ratio[: ratios.shape[1]]).all(axis=1)
    assert np.array_equal(measured, model.last_view.governed)
    events = model.events.to_frame()
    for column in ("ratio", "break_point"):  # a year with no break-point event lacks them
        if column not in events:
            events[column] = np.nan
    this_year = events[events.year == model.year]
    assert (this_year.loc[this_year.kind == "crossing", "ratio"] >= 1.0).all()
    # a crossing is a ratio passing 1 from below: the trust was measured under 1 a year before
    crossed = this_year.loc[this_year.kind == "crossing", ["trust_id", "break_point"]]
    names = [bp.name for bp in model.break_points]
    for trust_id, bp in crossed.itertuples(index=False):
        assert model.previous_ratios[trust_id, names.index(bp)] < 1.0
    assert (this_year.loc[this_year.kind == "recovery", "ratio"] < 1.0).all()
    # reserves never exceed their cap; closed trusts hold nothing
    cap = p.central_team.reserve_cap_years
    assert np.all(t.reserves_gbp <= cap * t.central_income_gbp + 1e-6)
    assert np.all(model.trust_sizes()[~t.is_open] == 0)


def run_checked(model: MATModel, years: int) -> None:
    for _ in range(years):
        before = model.schools_data.pupils.sum()
        model.previous_ratios = model.trusts_data.ratio.copy()
        model.step()
        check_invariants(model, before)


def test_the_baseline_keeps_its_invariants_every_year():
    params = load_scenario("scenarios/baseline.toml").params
    run_checked(MATModel(params, rng=21), 15)


def test_a_turbulent_world_keeps_its_invariants_every_year():
    """Fast growth, high turnover and harsh failure rules exercise every path."""
    params = load_scenario("scenarios/baseline.toml").params
    params = replace(
        params,
        growth=replace(params.growth, target_schools_per_year=3.0, accept="any"),
        leaders=replace(params.leaders, head_turnover_per_year=0.4),
        central_team=replace(
            params.central_team,
            failing_years=1,
            failing_share_weak=0.1,
            merge_probability_per_year=0.5,
        ),
        policy=replace(params.policy, voluntary_conversion_per_year=0.2),
    )
    model = MATModel(params, rng=22)
    run_checked(model, 12)
    kinds = set(model.events.to_frame()["kind"].astype(str))
    assert {"trust_closed", "rebroker", "merge", "join", "broker"} <= kinds
