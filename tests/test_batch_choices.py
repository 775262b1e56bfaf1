"""Batch designs over one named trust's parameters and over categorical choices."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from simulation.batch import collect_batch, design_points, load_batch, run_batch
from simulation.batch.spec import build_params
from simulation.scenario import ScenarioError

from .conftest import named_oak_toml, tiny_scenario_toml

ROOT = Path(__file__).resolve().parent.parent

TINY = tiny_scenario_toml(
    "tiny_named",
    "tiny world with one named trust",
    named_oak_toml(target_schools_per_year="2.0"),
    years=3,
    n_schools=60,
    mats=3,
)

LHS = """
[batch]
name = "tiny_choices"
base_scenario = "tiny.toml"
replicates = 1
root_seed = 3
design = "latin_hypercube"
samples = 10

[ranges]
"trusts.named.Oak Trust.growth.radius_km" = [10.0, 40.0]
"trusts.named.Oak Trust.weak_schools" = [0, 2]

[choices]
"trusts.named.Oak Trust.operating_model.preset" = ["aligned", "autonomous"]
"review.policy" = ["static", "reactive"]
"""


def write_batch(tmp_path: Path, text: str = LHS) -> Path:
    (tmp_path / "tiny.toml").write_text(TINY)
    path = tmp_path / "batch.toml"
    path.write_text(text)
    return path


def test_choices_are_balanced_and_leave_the_numeric_sample_alone(tmp_path):
    spec = load_batch(write_batch(tmp_path))
    points = design_points(spec)
    preset = "trusts.named.Oak Trust.operating_model.preset"
    assert spec.varied[-2:] == (preset, "review.policy")
    assert Counter(p.overrides[preset] for p in points) == {"aligned": 5, "autonomous": 5}
    assert Counter(p.overrides["review.policy"] for p in points) == {"static": 5, "reactive": 5}
    # the same batch without [choices] draws exactly the same numeric sample
    plain = load_batch(write_batch(tmp_path, LHS.split("[choices]")[0]))
    numeric = [{k: v for k, v in p.overrides.items() if k in plain.ranges} for p in points]
    assert numeric == [p.overrides for p in design_points(plain)]
    assert "choices" not in plain.to_dict()  # old batches keep their fingerprint
    assert design_points(spec) == points  # the root seed fixes the levels too


def test_a_named_trusts_override_reaches_that_trust_only(tmp_path):
    spec = load_batch(write_batch(tmp_path))
    point = design_points(spec)[0]
    params = build_params(spec.base_sections, point.overrides, "test")
    oak = params.trusts.named[0]
    assert oak.name == "Oak Trust"
    assert oak.growth.radius_km == point.overrides["trusts.named.Oak Trust.growth.radius_km"]
    assert oak.growth.target_schools_per_year == 2.0  # the base's own override is kept
    assert oak.weak_schools == point.overrides["trusts.named.Oak Trust.weak_schools"]
    assert (
        oak.operating_model.preset
        == point.overrides["trusts.named.Oak Trust.operating_model.preset"]
    )
    assert params.growth.radius_km == 25.0  # every other trust keeps the scenario's strategy
    assert params.operating_model.preset == "aligned"


def test_a_batch_over_a_named_trust_runs_and_collects(tmp_path):
    spec = load_batch(write_batch(tmp_path, LHS.replace("samples = 10", "samples = 2")))
    outcome = run_batch(spec, tmp_path / "out", workers=1, progress=False)
    assert (outcome.done, outcome.failed) == (2, 0)
    runs = collect_batch(tmp_path / "out")["runs"]
    assert list(runs.columns[4:-1]) == list(spec.varied)
    trusts = collect_batch(tmp_path / "out")["trusts"]
    oak = trusts[(trusts["trust_id"] == 0) & (trusts["year"] == 0)]
    assert list(oak["operating_preset"]) == list(
        runs["trusts.named.Oak Trust.operating_model.preset"]
    )


BAD = [
    ("Oak Trust.growth.radius_km", "Ash Trust.growth.radius_km", "unknown trust 'Ash Trust'"),
    ("growth.radius_km", "growth.radius", "valid names for a named trust's [growth]"),
    ("Oak Trust.weak_schools", "Oak Trust.name", "valid names for a named trust: n_schools"),
    ("[0, 2]", "[0, 9]", "9 not allowed"),  # more weak schools than the trust has
    ('"aligned", "autonomous"', '"aligned", "federated"', "'federated' is not allowed"),
    ('["static", "reactive"]', '["static"]', "at least 2 values"),
    ('"review.policy"', '"trusts.named.Oak Trust.growth.radius_km"', "already varied in"),
    ('design = "latin_hypercube"', 'design = "morris"', "choices: only used with design"),
]


@pytest.mark.parametrize("old,new,message", BAD)
def test_bad_named_keys_and_choices_are_one_line_errors(tmp_path, old, new, message):
    assert old in LHS
    batch = write_batch(tmp_path, LHS.replace(old, new, 1))
    with pytest.raises(ScenarioError) as err:
        load_batch(batch)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{batch}: ") and message in text


def test_a_range_over_a_named_trusts_choice_is_refused(tmp_path):
    text = LHS.replace('"trusts.named.Oak Trust.weak_schools" = [0, 2]', "").replace(
        "growth.radius_km", "operating_model.preset"
    )
    with pytest.raises(ScenarioError, match="only numeric parameters can take a range"):
        load_batch(write_batch(tmp_path, text))


def test_a_long_choices_value_gives_a_short_error_line(tmp_path):
    """A pasted blob in [choices] is named, shortened, not echoed whole (as [grid] does)."""
    long_list = "[" + ", ".join(['"aligned"'] * 2_000) + "]"
    batch = write_batch(tmp_path, LHS.replace('["static", "reactive"]', long_list, 1))
    with pytest.raises(ScenarioError) as err:
        load_batch(batch)
    text = str(err.value)
    assert 'choices."review.policy"' in text and "distinct" in text
    assert "\n" not in text and len(text) < 300 + len(str(batch))
