"""Agents are Mesa agents over rows of the column stores, made when someone asks for one."""

from __future__ import annotations

import numpy as np

from simulation import MATModel
from simulation.central_team import CentralTeam
from simulation.leader import Leader
from simulation.school import School

from .conftest import tiny_params


def test_a_year_makes_no_agent_objects():
    model = MATModel(tiny_params(), rng=3)
    model.run(3)
    assert not model.agents_by_type.get(School) and not model.agents_by_type.get(Leader)
    assert not model.school_agents.made() and not model.leader_agents.made()


def test_a_school_view_is_one_object_that_reads_and_writes_its_row():
    model = MATModel(tiny_params(), rng=3)
    school = model.school_agents[5]
    assert school is model.school_agents[5] and isinstance(school, School)
    assert school in model.agents_by_type[School]
    school.quality = 1.25
    assert model.schools_data.quality[5] == 1.25 and school.quality == 1.25


def test_a_trust_view_sets_the_trusts_columns_the_yearly_rules_read():
    model = MATModel(tiny_params(), rng=3)
    team = model.trusts[0]
    assert isinstance(team, CentralTeam) and team.trust_id == 0
    team.reserves_gbp = 123.0
    team.earned_autonomy = "good"
    assert model.trusts_data.reserves_gbp[0] == 123.0
    assert team.earned_autonomy == "good"
    assert team.n_schools == int(np.sum(model.schools_data.trust == 0))


def test_a_leader_who_leaves_takes_their_view_out_of_the_model():
    model = MATModel(tiny_params(), rng=3)
    row = int(np.flatnonzero(model.leaders_data.active)[0])
    leader = model.leader_agents[row]
    assert leader in model.agents_by_type[Leader]
    model.retire_leaders(np.array([row]))
    assert row not in model.leader_agents.made()
    assert leader not in model.agents_by_type.get(Leader, ())


def test_each_starting_mat_reports_its_own_growth_target():
    """Starting MATs draw their appetites; the strategy a trust view reports carries its own."""
    model = MATModel(tiny_params(), rng=3)
    targets = model.trusts_data.target_schools_per_year
    mats = [team for team in model.trusts if team.growth is not None]
    assert len({team.growth.target_schools_per_year for team in mats}) > 1
    for team in mats:
        assert team.growth.target_schools_per_year == targets[team.trust_id]
