"""Scenario files: extension, defaults for named trusts, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.scenario import ScenarioError, load_scenario, shipped_scenarios


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shipped_scenarios_load_and_describe_themselves():
    scenarios = {s.name: s for s in shipped_scenarios()}
    assert {"baseline", "england"} <= set(scenarios)
    assert all(s.description for s in scenarios.values())
    assert scenarios["england"].params.world.n_schools >= 20_000
    n_trusts = (
        scenarios["england"].params.trusts.n_multi_academy
        + scenarios["england"].params.trusts.n_single_academy
    )
    assert 2_000 <= n_trusts <= 3_000


def test_a_child_changes_only_what_it_names(tmp_path):
    write(tmp_path, "parent.toml", "[world]\nn_schools = 100\ntowns_per_region = 5\n")
    child = write(
        tmp_path, "child.toml", '[scenario]\nextends = "parent.toml"\n[world]\nn_schools = 120\n'
    )
    params = load_scenario(child).params
    assert params.world.n_schools == 120
    assert params.world.towns_per_region == 5


def test_named_trusts_take_the_scenarios_growth_strategy_as_their_default(tmp_path):
    path = write(
        tmp_path,
        "s.toml",
        "[growth]\nradius_km = 12.0\n"
        '[[trusts.named]]\nname = "Oak"\nn_schools = 5\n[trusts.named.growth]\naccept = "any"\n',
    )
    named = load_scenario(path).params.trusts.named[0]
    assert named.growth.radius_km == 12.0
    assert named.growth.accept == "any"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[world]\nn_schols = 3\n", "world.n_schols: unknown key (did you mean 'n_schools'?)"),
        ("[world]\nn_schools = 1\n", "world.n_schools: 1 is out of range"),
        ("[world]\nn_schools = 'many'\n", "world.n_schools: must be an integer"),
        ("[wrld]\nn_schools = 3\n", "wrld: unknown section"),
        ("[world\n", "malformed TOML"),
        ('[scenario]\nextends = "s.toml"\n', "scenario.extends: extends itself"),
        ('[scenario]\nextends = "nope.toml"\n', "scenario.extends: file not found"),
        ("[scenario]\ntitle = 'x'\n", "scenario.title: unknown key"),
        (
            '[[trusts.named]]\nname = "A"\n[trusts.named.growth]\ntarget_region = 3\n',
            "trusts.named[0].growth.target_region: 3 is out of range; allowed -1 to 0",
        ),
        ('[operating_model]\npreset = "hubs"\n', "operating_model.preset: 'hubs' is not allowed"),
    ],
)
def test_bad_files_give_one_line_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, "s.toml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message or "s.toml" in message
    assert expected in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "absent.toml")
