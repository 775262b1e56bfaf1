"""Parameters are typed, validated, and each carries a unit and a source note."""

from __future__ import annotations

import dataclasses

import pytest

from simulation.parameters import ParamError, Params, Section
from simulation.parameters.operating import LEVERS


def all_sections() -> list[type[Section]]:
    found: list[type[Section]] = []

    def walk(cls: type[Section]) -> None:
        for f in dataclasses.fields(cls):
            default = f.default
            if isinstance(default, Section) and type(default) not in found:
                found.append(type(default))
                walk(type(default))

    walk(Params)
    return found


@pytest.mark.parametrize("section", all_sections(), ids=lambda s: s.__name__)
def test_every_parameter_has_a_default_a_unit_and_a_source(section):
    for row in section.describe():
        assert row["unit"], f"{section.__name__}.{row['name']} has no unit"
        assert row["source"], f"{section.__name__}.{row['name']} has no source note"
        # None means "inherit": a lever from the preset, or a section from the scenario
        inherits = row["unit"] == "table" or row["name"] in LEVERS
        assert row["default"] is not None or inherits, row["name"]


def test_a_misspelt_key_is_refused_with_the_valid_keys():
    with pytest.raises(ParamError) as err:
        Params.from_mapping({"world": {"n_schols": 10}}, prefix="")
    assert err.value.key == "world.n_schols"
    assert "did you mean 'n_schools'" in err.value.message
    assert "towns_per_region" in err.value.message


def test_a_value_out_of_range_names_the_range_and_unit():
    with pytest.raises(ParamError) as err:
        Params.from_mapping({"central_team": {"top_slice_share": 0.9}}, prefix="")
    assert err.value.key == "central_team.top_slice_share"
    assert "0 to 0.2" in err.value.message


def test_a_wrong_type_is_refused_and_ints_become_floats():
    with pytest.raises(ParamError, match="must be a number"):
        Params.from_mapping({"quality": {"shock_sd_per_year": "big"}}, prefix="")
    p = Params.from_mapping({"quality": {"shock_sd_per_year": 1}}, prefix="")
    assert isinstance(p.quality.shock_sd_per_year, float)


def test_an_unknown_choice_lists_the_allowed_ones():
    with pytest.raises(ParamError, match="'any', 'good_only', 'golden_rule'"):
        Params.from_mapping({"growth": {"accept": "everyone"}}, prefix="")


def test_grade_cut_points_must_rise():
    with pytest.raises(ParamError, match="cut points must rise"):
        Params.from_mapping({"inspection": {"outstanding_above": -3.0}}, prefix="")


def test_phase_shares_cannot_exceed_one():
    with pytest.raises(ParamError, match="must not exceed 1"):
        Params.from_mapping({"world": {"share_primary": 0.9, "share_secondary": 0.2}}, prefix="")


def test_parameters_round_trip_through_plain_dicts():
    p = Params.from_mapping(
        {"trusts": {"named": [{"name": "Oak", "n_schools": 5, "growth": {"radius_km": 10}}]}},
        prefix="",
    )
    assert Params.from_mapping(p.to_dict(), prefix="") == p
