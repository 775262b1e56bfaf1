"""One table of plain-English labels, used by the CLI timeline, explanations and figures."""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.breakpoints import BREAK_POINTS
from simulation.labels import (
    BREAK_POINT_LABELS,
    SHIFT_LABELS,
    break_point_label,
    event_kind_label,
    shift_label,
)
from simulation.report import WIDTH, break_point_timeline, explain_break_point


def test_every_break_point_and_shift_of_the_model_has_its_own_label():
    assert {bp.name for bp in BREAK_POINTS} == set(BREAK_POINT_LABELS)
    assert {bp.shift.name for bp in BREAK_POINTS} == set(SHIFT_LABELS)
    for table in (BREAK_POINT_LABELS, SHIFT_LABELS):
        labels = list(table.values())
        assert len(set(labels)) == len(labels), "two codes read the same"
        for code, label in table.items():
            # no commas: labels are listed one after another in sentences
            assert "_" not in label and "," not in label and label[0].isupper(), (code, label)


def test_labels_are_plain_words_and_fall_back_for_unknown_names():
    assert break_point_label("ceo_role") == "The CEO's role"
    assert shift_label("ceo_steps_back") == SHIFT_LABELS["ceo_steps_back"]
    # a break point or shift added later still reads as words, never raises
    assert break_point_label("staff_wellbeing") == "Staff wellbeing"
    assert shift_label("hire_a_coach") == "Hire a coach"
    for missing in (None, float("nan"), "nan", "", "<NA>"):
        assert break_point_label(missing) == "" and shift_label(missing) == ""
    assert event_kind_label("crossing").startswith("crossing")
    assert event_kind_label("brand_new") == "Brand new"


@pytest.mark.parametrize("shift", list(SHIFT_LABELS))
def test_the_cli_timeline_prints_every_shift_whole_within_the_width(shift):
    """The longest labels still fit the 100-column timeline, untruncated."""
    trusts = pd.DataFrame(
        {
            "year": [0, 12],
            "trust_id": [0, 0],
            "name": ["Oak Trust", "Oak Trust"],
            "kind": ["multi_academy"] * 2,
            "n_schools": [5, 30],
            "mean_quality": [0.0, 0.1],
        }
    )
    bp = next(b.name for b in BREAK_POINTS if b.shift.name == shift)
    events = pd.DataFrame(
        [
            {
                "year": 12,
                "kind": "shift",
                "trust_id": 0,
                "break_point": bp,
                "load": 12.5,
                "capacity": 4.5,
                "ratio": 2.78,
                "n_schools": 30,
                "spread_km": 123.4,
                "share_weak": 0.333,
                "anticipated": 0.0,
                "shift": shift,
                "effective_year": 13,
                "cost_gbp": 1_250_000.0,
            }
        ]
    )
    text = break_point_timeline(trusts, events, trust_ids=[0])
    assert break_point_label(bp) in text and shift_label(shift) in text
    assert "£1,250,000" in text, "the shift's line was cut short"
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    paragraph = explain_break_point(events.iloc[0], trust_name="Oak Trust")
    assert break_point_label(bp) in paragraph and shift_label(shift) in paragraph
    assert shift not in paragraph and "_" not in paragraph  # no code names
