"""The outcome expressions of ``matsim discover``: what parses, what is refused, what it means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.discovery.language import OUTCOMES, ExpressionError, describe_language, parse
from simulation.discovery.outcomes import TrustHistory


class FakeOutcomes:
    """Three runs with hand-set outcomes; functions answer from a table of their own."""

    n_runs = 3

    def __init__(self):
        self.columns = {
            "trust_value_added_mean": np.array([-0.2, 0.1, np.nan]),
            "trust_schools_final": np.array([10.0, 25.0, np.nan]),
            "trust_closed": np.array([False, False, True]),
        }
        self.calls = []

    def column(self, name):
        return self.columns[name]

    def call(self, function, break_point, years):
        self.calls.append((function, break_point, years))
        if function == "crossed":
            return np.array([True, False, True])
        return np.array([2.0, 0.0, 5.0])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("trust_value_added_mean < 0", [True, False, False]),  # NaN compares false
        ("not trust_value_added_mean < 0", [False, True, True]),
        ("trust_value_added_mean != 0.1", [True, False, False]),  # missing is never a case
        ("10 <= trust_schools_final < 20", [True, False, False]),
        ("crossed(collaboration) and trust_schools_final > 5", [True, False, False]),
        ("crossed('collaboration') or trust_closed", [True, False, True]),
        ("crossings(any) / 2 >= 1", [True, False, True]),
        ("-trust_value_added_mean > 0.1", [True, False, False]),
        ("True", [True, True, True]),
    ],
)
def test_expressions_mean_what_they_say(text, expected):
    outcomes = FakeOutcomes()
    assert parse(text).evaluate(outcomes).tolist() == expected


def test_function_arguments_reach_the_outcomes():
    outcomes = FakeOutcomes()
    parse("crossings(golden_rule) > 1 and crossed(any)").evaluate(outcomes)
    assert outcomes.calls == [("crossings", "golden_rule", None), ("crossed", "any", None)]
    expression = parse("unrecovered(collaboration, 3) or trust_value_added_mean < 0")
    assert expression.functions == ["unrecovered"]
    assert expression.names == ["trust_value_added_mean"]


BAD = [
    ("", "is empty"),
    ("trust_value_added_mean <", "not a valid expression"),
    ("trust_value_added_mean", "is a number, not a condition"),
    ("trust_value_add_mean < 0", "did you mean 'trust_value_added_mean'"),
    ("__import__('os').system('true')", "unknown function"),
    ("trust_value_added_mean.real < 0", "Attribute is not allowed"),
    ("OUTCOMES['x'] < 0", "Subscript is not allowed"),
    ("(lambda: 1)() < 0", "unknown function"),
    ("crossed(collaboration) & trust_closed", "use 'and', 'or', 'not'"),
    ("crossed(colaboration)", "did you mean 'collaboration'"),
    ("crossed()", "call it as crossed(bp)"),
    ("unrecovered(collaboration)", "unrecovered(bp, years)"),
    ("unrecovered(collaboration, 1.5)", "years must be a whole number"),
    ("unrecovered(collaboration, years=3)", "call it as unrecovered(bp, years)"),
    ("crossed(collaboration) and 3", "'and' joins conditions"),
    ("crossed + 1 > 0", "crossed is a function"),
    ("collaboration", "is a break point"),
    ("'oak' == 'oak'", "break-point names go inside a function"),
    ("trust_closed < 1 + crossed(any)", "arithmetic needs numbers"),
    ("trust_value_added_mean ** 2 > 0", "Pow is not allowed"),
    ("trust_value_added_mean in (1, 2)", "In is not allowed"),
    ("x" * 600, "longer than 500 characters"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_expressions_are_one_line_naming_what_is_allowed(text, message):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_help_names_every_outcome_and_function():
    text = describe_language()
    for name in OUTCOMES:
        assert name in text
    for signature in ("crossed(bp)", "unrecovered(bp, years)", "years_past(bp)"):
        assert signature in text


def test_unrecovered_counts_crossings_not_recovered_in_time():
    """Run a: crossed collaboration in year 2, recovered in 4 (within 3 years). Run b:
    crossed in 2, recovered only in 6. Run c: crossed in 9 of 10 (too late to tell) and
    golden_rule in 1, never recovered. Run d: no events."""
    rows = [
        ("a", 2, "crossing", "collaboration"),
        ("a", 4, "recovery", "collaboration"),
        ("a", 5, "shift", "collaboration"),
        ("b", 2, "crossing", "collaboration"),
        ("b", 6, "recovery", "collaboration"),
        ("c", 9, "crossing", "collaboration"),
        ("c", 1, "crossing", "golden_rule"),
    ]
    events = pd.DataFrame(rows, columns=["run_id", "year", "kind", "break_point"])
    ratios = pd.DataFrame(
        {
            "run_id": ["a", "a", "b", "c", "d"],
            **{f"ratio_{bp}": [0.5] * 5 for bp in ("collaboration", "golden_rule")},
        }
    )
    ratios.loc[[0, 1, 3], "ratio_collaboration"] = 1.2
    ratios.loc[3, "ratio_golden_rule"] = 3.0
    history = TrustHistory(
        np.array(["a", "b", "c", "d"]),
        events,
        ratios,
        pd.Series({"a": 10, "b": 10, "c": 10, "d": 10}),
    )
    assert history.call("unrecovered", "collaboration", 3).tolist() == [False, True, False, False]
    assert history.call("unrecovered", "collaboration", 4).tolist() == [False, False, False, False]
    assert history.call("unrecovered", "golden_rule", 3).tolist() == [False, False, True, False]
    assert history.call("crossed", "collaboration", None).tolist() == [True, True, True, False]
    assert history.call("shifted", "collaboration", None).tolist() == [True, False, False, False]
    assert history.call("crossings", "any", None).tolist() == [1, 1, 2, 0]
    assert history.call("years_past", "collaboration", None).tolist() == [2, 0, 1, 0]
    first = history.call("first_crossing", "any", None)
    assert first[:3].tolist() == [2, 2, 1] and np.isnan(first[3])
    empty = TrustHistory(np.array(["a"]), events.iloc[:0], ratios.iloc[:0], pd.Series({"a": 10}))
    assert empty.call("unrecovered", "any", 3).tolist() == [False]
    assert empty.call("crossings", "collaboration", None).tolist() == [0]


def test_the_readme_documents_every_outcome_and_function():
    from pathlib import Path

    from simulation.discovery.language import FUNCTIONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name in OUTCOMES:
        assert f"`{name}`" in readme, name
    for function in FUNCTIONS.values():
        assert f"`{function.signature}`" in readme, function.signature
