"""Findings follow the results under the stated rule: change the results, the text follows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation.findings import (
    DIFFERENCE_RULE,
    comparison_findings,
    interval_sign,
    journey_findings,
    movement,
    run_findings,
    sensitivity_findings,
)
from simulation.labels import break_point_label, shift_label


def test_the_difference_rule_is_the_interval_excluding_zero():
    assert interval_sign(0.01, 0.2) == 1
    assert interval_sign(-0.3, -0.001) == -1
    assert interval_sign(-0.024, 0.029) == 0  # the "CEO steps back": not shown
    assert interval_sign(math.nan, 0.2) == 0 and interval_sign(None, None) == 0
    assert "95 % interval excludes zero" in DIFFERENCE_RULE


def test_movement_words_follow_the_numbers():
    assert movement(0.10, 0.20, 0.02).startswith("rose from +0.100 to +0.200")
    assert movement(0.20, 0.10, 0.02).startswith("fell from +0.200 to +0.100")
    assert movement(0.10, 0.11, 0.02).startswith("stayed near +0.100")
    assert movement(81.9, 85.3, 1.0, " %") == "rose from 81.9 % to 85.3 %"


def _summary(diffs: list[tuple[float, float, float]], means: list[float]) -> pd.DataFrame:
    """One question: a reference arm, then one arm per (diff, low, high)."""
    rows = [{"question": "Q1", "arm": "reference", "mean": means[0]}]
    for k, (d, lo, hi) in enumerate(diffs, start=1):
        rows.append(
            {
                "question": "Q1",
                "arm": f"arm{k}",
                "mean": means[k],
                "diff_vs_first": d,
                "diff_ci_low": lo,
                "diff_ci_high": hi,
            }
        )
    return pd.DataFrame(rows)


def test_comparison_findings_apply_the_rule_and_flip_with_the_results():
    summary = _summary([(0.039, 0.014, 0.065), (0.003, -0.024, 0.029)], [0.1, 0.14, 0.1])
    found = comparison_findings(summary, 48, "value added")
    assert len(found.shows) == 1 and "arm1 higher than reference" in found.shows[0]
    assert "+0.039 [+0.014, +0.065]" in found.shows[0]
    assert any("arm2 vs reference" in s and "includes zero" in s for s in found.does_not_show)
    assert DIFFERENCE_RULE in found.rule and not found.notes  # no negative value added
    # the same table with the signs reversed reads the other way: nothing is typed in
    flipped = summary.assign(
        diff_vs_first=-summary["diff_vs_first"],
        diff_ci_low=-summary["diff_ci_high"],
        diff_ci_high=-summary["diff_ci_low"],
        mean=-summary["mean"],
    )
    found = comparison_findings(flipped, 48, "value added")
    assert "arm1 lower than reference" in found.shows[0]
    assert found.notes and "Negative value added appears here" in found.notes[0]
    assert "below that level" in found.notes[0]  # and it says what negative means
    text = found.text()
    assert text.index("What the figures show:") < text.index("What they do not show:")


def test_markdown_keeps_numbered_questions_as_text():
    summary = _summary([(0.2, 0.1, 0.3)], [0.1, 0.3]).assign(question="2. second region")
    md = comparison_findings(summary, 16, "x")._repr_markdown_()
    assert "- 2\\. second region: arm1 higher" in md


def test_small_settings_say_the_intervals_mean_nothing():
    found = comparison_findings(_summary([(0.2, 0.1, 0.3)], [0.1, 0.3]), 2, "x", small=True)
    assert "not meaningful" in found.does_not_show[0]


def test_journey_findings_name_break_points_and_shifts_in_words():
    trusts = pd.DataFrame(
        {
            "year": [0, 1, 2, 3],
            "trust_id": 0,
            "name": "Oak Trust",
            "kind": "multi_academy",
            "n_schools": [5, 7, 9, 12],
            "value_added": [0.05, -0.02, -0.01, 0.04],
            "ratio_ceo_role": [0.8, 1.3, 0.9, 0.7],
            "ratio_collaboration": [0.5, 0.7, 1.1, 1.2],
        }
    )
    events = pd.DataFrame(
        {
            "year": [1, 1, 2, 3],
            "kind": ["crossing", "shift", "crossing", "inspection"],
            "trust_id": [0, 0, 0, 0],
            "break_point": ["ceo_role", "ceo_role", "collaboration", "nan"],
            "n_schools": [7, 7, 9, 12],
            "anticipated": [np.nan, 0.0, np.nan, np.nan],
            "shift": ["nan", "ceo_steps_back", "nan", "nan"],
        }
    )
    found = journey_findings(trusts, events, 0, seed=3)
    text = found.text()
    assert f"first crossing was {break_point_label('ceo_role')} in year 1, at 7 schools" in text
    assert "crossed 2 times, on 2 break points" in text
    assert "1 shifts (0 ahead of a crossing, 1 in response to one): " in text
    assert shift_label("ceo_steps_back") in text
    assert f"over capacity on {break_point_label('collaboration')}" in text
    assert "went from 5 to 12 schools in 3 years" in text
    assert found.notes and "below zero in 2 of its 4 years (years 1-2)" in found.notes[0]
    assert "ceo_role" not in text and "seed 3" in text


def test_run_findings_read_the_two_ends_of_a_run():
    model = pd.DataFrame(
        {
            "year": [0, 5],
            "pupil_share_good_or_better": [0.80, 0.75],
            "share_academies": [0.4, 0.5],
            "mean_quality": [0.0, -0.1],
            "disadvantage_gap": [0.08, 0.081],
        }
    )
    trusts = pd.DataFrame(
        {
            "year": [5, 5],
            "kind": ["multi_academy"] * 2,
            "name": ["MAT 1", "MAT 2"],
            "n_schools": [3, 9],
        }
    )
    text = run_findings(model, trusts, seed=1).text()
    assert "good or better schools fell from 80.0 % to 75.0 %" in text
    assert "disadvantage gap stayed near" in text
    assert "the largest (MAT 2) with 9 schools" in text
    assert "one run (seed 1)" in text


@pytest.mark.parametrize("overlap", [False, True])
def test_sensitivity_findings_rank_only_when_intervals_separate(overlap):
    low = 0.15 if overlap else 0.25
    indices = pd.DataFrame(
        {
            "outcome": ["q", "q"],
            "parameter": ["a.x", "b.y"],
            "mu_star": [0.3, 0.1],
            "mu_star_low": [low, 0.05],
            "mu_star_high": [0.35, 0.2],
        }
    )
    found = sensitivity_findings(indices, {"q": "quality"}, trajectories=20)
    if overlap:
        assert not found.shows and "overlapping intervals" in found.does_not_show[0]
    else:
        assert "quality: a.x matters most" in found.shows[0]
    assert "only these 2 were varied" in found.text()
