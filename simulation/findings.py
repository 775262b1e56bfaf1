"""What a story notebook found, written from its own results: shown, and not shown.

Each notebook ends with a findings cell that calls one function here on the tables it has just
computed, so its sentences (numbers, directions, what is and is not shown) are always those of
the run in front of the reader: when the model's mechanisms change, the text changes with them.
Nothing here hard-codes a result. Each function applies a stated **reading rule**, the same one
the notebook states before its figures, and every findings block also says what the figures do
not show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .labels import break_point_label, shift_label
from .report import break_point_events

DIFFERENCE_RULE = "we call a difference shown when its 95 % interval excludes zero"
RANKING_RULE = (
    "we call one parameter more influential than another for an outcome only when its mu* "
    "interval lies wholly above the other's"
)
VALUE_ADDED_MEANING = (
    "Value added is the quality of the trust's schools above the level each would settle at "
    "on its own (its potential), weighted by pupils. It is negative when the trust's schools "
    "sit, on average, below that level: schools taken on weak start below their potential and "
    "take years to recover, vacant headships and weaker-than-typical heads hold schools back, "
    "and a trust past its break points works less well than a neutral trust, which pulls its "
    "schools down. A negative value is not by itself a verdict on a strategy; the comparison "
    "between arms is, because both arms take on the same schools under the same seeds."
)


@dataclass
class Findings:
    """What the figures show and what they do not, under a reading rule."""

    question: str
    rule: str
    shows: list[str] = field(default_factory=list)
    does_not_show: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"Question: {self.question}", f"Reading rule: {self.rule}.", ""]
        lines.append("What the figures show:")
        lines += [f"- {s}" for s in self.shows] or ["- nothing that passes the reading rule"]
        lines += ["", "What they do not show:"]
        lines += [f"- {s}" for s in self.does_not_show]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        def items(xs: Sequence[str]) -> str:
            # "2. second region: ..." must not turn into a numbered list inside the item
            return "\n".join("- " + re.sub(r"^(\d+)\.", r"\1\\.", x) for x in xs)

        md = [
            f"**Question.** {self.question}",
            f"**Reading rule:** {self.rule}.",
            "**What the figures show**",
            items(self.shows) or "- nothing that passes the reading rule",
            "**What they do not show**",
            items(self.does_not_show),
            *self.notes,
        ]
        return "\n\n".join(md)

    def __repr__(self) -> str:
        return self.text()


# --- reading numbers ------------------------------------------------------------------------


def _finite(*values: float) -> bool:
    return all(v is not None and math.isfinite(float(v)) for v in values)


def interval_sign(low: float, high: float) -> int:
    """+1 when a 95 % interval lies above zero, -1 below, 0 when it includes zero (or is
    missing): the difference reading rule."""
    if not _finite(low, high):
        return 0
    return 1 if low > 0 else -1 if high < 0 else 0


def movement(start: float, end: float, tolerance: float, unit: str = "") -> str:
    """'rose from a to b', 'fell from a to b' or 'stayed near a' (moves within tolerance)."""
    fmt = (lambda x: f"{x:.1f}{unit}") if unit else (lambda x: f"{x:+.3f}")
    if abs(end - start) <= tolerance:
        return f"stayed near {fmt(start)} (ended at {fmt(end)})"
    return f"{'rose' if end > start else 'fell'} from {fmt(start)} to {fmt(end)}"


def _interval(mean: float, low: float, high: float) -> str:
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"


def _years(years: Sequence[int]) -> str:
    """[2, 3, 4, 7] -> '2-4, 7'."""
    spans: list[list[int]] = []
    for y in sorted(years):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


# --- notebook 1: one run ----------------------------------------------------------------------


def run_findings(model: pd.DataFrame, trusts: pd.DataFrame, seed: int) -> Findings:
    """One run read at its two ends: what changed, and why one run settles nothing."""
    m = model.sort_values("year")
    first, last = m.iloc[0], m.iloc[-1]
    years = int(last["year"] - first["year"])
    share = movement(
        100 * first["pupil_share_good_or_better"],
        100 * last["pupil_share_good_or_better"],
        1.0,
        " %",
    )
    academies = movement(100 * first["share_academies"], 100 * last["share_academies"], 1.0, " %")
    quality = movement(first["mean_quality"], last["mean_quality"], 0.02)
    gap = movement(first["disadvantage_gap"], last["disadvantage_gap"], 0.01)
    mats = trusts[(trusts["year"] == last["year"]) & (trusts["kind"] == "multi_academy")]
    largest = mats.nlargest(1, "n_schools")
    shows = [
        f"Over {years} simulated years the share of pupils in good or better schools {share}.",
        f"Pupil-weighted quality {quality}; the disadvantage gap {gap} (quality units; "
        "lower is better).",
        f"The share of schools that are academies {academies}; "
        f"{len(mats)} multi-academy trusts were open at the end"
        + (
            f", the largest ({largest['name'].iloc[0]}) with {int(largest['n_schools'].iloc[0])} "
            "schools."
            if not largest.empty
            else "."
        ),
    ]
    does_not_show = [
        f"Whether any of these changes is more than chance: this is one run (seed {seed}); "
        "another seed moves every number, and one run has no interval. Notebook 3 runs many "
        "seeds.",
        "What caused a change: a rise or fall here is the sum of every mechanism at once; "
        "notebook 2 follows one trust's break points and notebook 3 compares strategies.",
        "Anything about real schools or trusts: the map and the trusts are synthetic.",
    ]
    return Findings(
        "What does one run of the model produce, and how are its tables read?",
        "a single run describes what happened in that run; it is never read as a difference",
        shows,
        does_not_show,
    )


# --- notebook 2: one trust's journey ----------------------------------------------------------


def journey_findings(
    trusts: pd.DataFrame, events: pd.DataFrame, trust_id: int, seed: int
) -> Findings:
    """One trust's break points in order, its shifts, and where it ended."""
    path = trusts[trusts["trust_id"] == trust_id].sort_values("year")
    name = str(path["name"].iloc[-1])
    mine = break_point_events(events)
    mine = mine[mine["trust_id"] == trust_id]
    kinds = mine["kind"].astype(str)
    crossings, shifts = mine[kinds == "crossing"], mine[kinds == "shift"]
    shows = [
        f"{name} went from {int(path['n_schools'].iloc[0])} to {int(path['n_schools'].iloc[-1])} "
        f"schools in {int(path['year'].iloc[-1] - path['year'].iloc[0])} years."
    ]
    if crossings.empty:
        shows.append(f"{name} crossed no break point in this run.")
    else:
        first = crossings.iloc[0]
        order = list(dict.fromkeys(break_point_label(b) for b in crossings["break_point"]))
        shows.append(
            f"Its first crossing was {break_point_label(first['break_point'])} in year "
            f"{int(first['year'])}, at {int(first['n_schools'])} schools; in all it crossed "
            f"{len(crossings)} times, on {len(order)} break points, in this order of first "
            f"crossing: {'; '.join(order)}."
        )
    if not shifts.empty:
        ahead = int((pd.to_numeric(shifts.get("anticipated"), errors="coerce") > 0).sum())
        made = list(dict.fromkeys(shift_label(s) for s in shifts["shift"]))
        shows.append(
            f"It made {len(shifts)} shifts ({ahead} ahead of a crossing, "
            f"{len(shifts) - ahead} in response to one): {'; '.join(made)}."
        )
    last = path.iloc[-1]
    over = [
        break_point_label(c.removeprefix("ratio_"))
        for c in path.columns
        if c.startswith("ratio_") and float(last[c]) > 1.0
    ]
    shows.append(
        f"In its last year it was over capacity on {'; '.join(over)}."
        if over
        else "In its last year every break point was back within capacity."
    )
    value_added = path["value_added"].to_numpy(dtype=float)
    shows.append(
        f"Its value added {movement(value_added[0], value_added[-1], 0.02)} (quality units)."
    )
    below = path.loc[path["value_added"] < 0, "year"].astype(int).tolist()
    notes = []
    if below:
        notes.append(
            f"Its value added was below zero in {len(below)} of its {len(path)} years "
            f"(years {_years(below)}). {VALUE_ADDED_MEANING}"
        )
    does_not_show = [
        f"Whether the shifts helped: this is one trust in one run (seed {seed}); the same "
        "trust without them is in notebook 3, over many seeds.",
        "That these years or school counts are where real trusts break: no break point fires "
        "at a fixed size, and another seed moves every year here.",
        "Causes outside the model: the loads and capacities are the model's assumptions "
        "(matsim params lists each with its source).",
    ]
    return Findings(
        f"Which break points does {name} meet as it grows, in what order, and what does it change?",
        "one run shows a sequence that can happen under the model's assumptions; it is never "
        "read as how often it happens",
        shows,
        does_not_show,
        notes,
    )


# --- notebook 3: comparisons ------------------------------------------------------------------


def comparison_findings(
    summary: pd.DataFrame, replicates: int, outcome_label: str, small: bool = False
) -> Findings:
    """Each arm against its question's reference, read by the difference rule.

    ``summary`` has one row per question and arm (the reference first in each question) with
    ``question``, ``arm``, ``mean``, ``diff_vs_first``, ``diff_ci_low``, ``diff_ci_high``.
    """
    shows, not_shown = [], []
    for question, rows in summary.groupby("question", sort=False):
        reference = str(rows["arm"].iloc[0])
        for _, row in rows.iloc[1:].iterrows():
            d, lo, hi = row["diff_vs_first"], row["diff_ci_low"], row["diff_ci_high"]
            sign = interval_sign(lo, hi)
            if not _finite(d, lo, hi):
                not_shown.append(f"{question}: {row['arm']} vs {reference}: no interval.")
            elif sign == 0:
                not_shown.append(
                    f"{question}: {row['arm']} vs {reference}: {_interval(d, lo, hi)}, an "
                    "interval that includes zero, so these seeds do not tell the two apart."
                )
            else:
                shows.append(
                    f"{question}: {row['arm']} {'higher' if sign > 0 else 'lower'} than "
                    f"{reference}, {_interval(d, lo, hi)}."
                )
    negative = summary[summary["mean"] < 0]
    does_not_show = [
        *not_shown,
        "Effects in real trusts: these are properties of the model's mechanisms and "
        "assumptions, with every arm meeting the same synthetic schools.",
        "That a difference not shown is zero: an interval that includes zero may hide a small "
        "effect that more seeds would show.",
    ]
    if small:
        does_not_show.insert(
            0,
            f"Anything at all, at these settings: {replicates} seeds and a few years are a smoke "
            "run, and their intervals are not meaningful. Run the notebook with its defaults.",
        )
    notes = []
    if not negative.empty:
        arms = ", ".join(f"{r.arm} ({r.mean:+.3f})" for r in negative.itertuples())
        notes.append(f"Negative value added appears here: {arms}. {VALUE_ADDED_MEANING}")
    return Findings(
        f"Which strategies leave Oak Trust with more {outcome_label}, when every arm meets the "
        "same schools, inspections and shocks?",
        f"{DIFFERENCE_RULE} (paired by seed, {replicates} seeds; the table's p-values are the "
        "matching paired t-test, so p < 0.05 exactly when the interval excludes zero)",
        shows,
        does_not_show,
        notes,
    )


# --- notebook 4: sensitivity ------------------------------------------------------------------


def sensitivity_findings(
    indices: pd.DataFrame, descriptions: Mapping[str, str], trajectories: int, small: bool = False
) -> Findings:
    """Per outcome, which parameter leads on Morris mu*, and whether it leads clearly."""
    shows, unclear = [], []
    for outcome, rows in indices.groupby("outcome", sort=False):
        ranked = rows.sort_values("mu_star", ascending=False)
        top = ranked.iloc[0]
        label = descriptions.get(str(outcome), str(outcome))
        if len(ranked) < 2:
            shows.append(f"{label}: only {top['parameter']} was varied.")
            continue
        second = ranked.iloc[1]
        if top["mu_star_low"] > second["mu_star_high"]:
            shows.append(
                f"{label}: {top['parameter']} matters most (mu* {top['mu_star']:.3g}, interval "
                f"{top['mu_star_low']:.3g} to {top['mu_star_high']:.3g}), clear of "
                f"{second['parameter']} ({second['mu_star']:.3g})."
            )
        else:
            unclear.append(
                f"{label}: which parameter matters most; {top['parameter']} "
                f"({top['mu_star']:.3g}) and {second['parameter']} ({second['mu_star']:.3g}) "
                "have overlapping intervals."
            )
    does_not_show = [
        *unclear,
        "How the parameters interact: a large sigma against mu* says a parameter's effect "
        "depends on the others, not how; a Sobol design (matsim sensitivity) measures that.",
        f"Parameters outside the design: only these {indices['parameter'].nunique()} were "
        "varied, each over its stated range.",
        "Which levers matter in real trusts: this ranks the model's assumptions, not policies.",
    ]
    if small:
        does_not_show.insert(
            0,
            f"A ranking, at these settings: {trajectories} trajectories are a smoke run. Run the "
            "notebook with its defaults.",
        )
    return Findings(
        "Which of these assumptions does the model's behaviour lean on most?",
        RANKING_RULE,
        shows,
        does_not_show,
    )


# --- notebook 5: scenario discovery -----------------------------------------------------------


def discovery_findings(
    question: str,
    cases: Sequence[tuple[str, object, int, int]],
    agreement: tuple[str, object, object] | None = None,
    focus: str | None = None,
    small_note: str = "",
) -> Findings:
    """Findings of a scenario discovery, under its reading rule (the boxes' lift and
    quasi-p-values, :mod:`simulation.discovery.report`).

    ``cases`` holds, per outcome, ``(expression, result or None, n_cases, n_runs)`` (a
    result is None when every run or none is a case); ``agreement`` is
    ``(expression, prim_result, cart_result)`` to say which parameters both methods restrict;
    ``focus`` is the batch key the question is about (e.g. a trust's growth speed).
    """
    from .discovery.report import FIGURE_TEXT, NOT_SHOWN, box_findings, meets_rule, reading_rule
    from .plotting import short_parameter

    rule = reading_rule().removeprefix("Reading rule: ").rstrip(".")
    shows: list[str] = []
    for text, result, n_cases, n_runs in cases:
        if result is None:
            shows.append(
                f"Cases: runs where {text}: {n_cases} of {n_runs} runs, so there is nothing "
                "to tell apart and no box."
            )
            continue
        shows += box_findings(result)
        if focus is not None:
            shows.append(_focus_answer(result, focus, meets_rule(result), short_parameter))
    if agreement is not None:
        text, prim, cart = agreement
        both = sorted(
            short_parameter(n)
            for n in set(prim.discovery.limits["parameter"])
            & set(cart.discovery.limits["parameter"])
        )
        shows.append(
            f"For {text}, PRIM's box and CART's densest leaf both restrict "
            + (", ".join(both) if both else "no parameter")
            + "."
        )
    shows.append(FIGURE_TEXT)
    notes = [small_note] if small_note else []
    return Findings(question, rule, shows, [NOT_SHOWN], notes)


def _focus_answer(result, focus: str, reported: list[int], short_parameter) -> str:
    """What the reported boxes say about the question's own parameter."""
    limits = result.discovery.limits
    kept = limits[limits["box"].isin(reported)]
    name = short_parameter(focus)
    if kept.empty:
        return f"{name}: no box is reported, so this batch singles out nothing."
    mine = kept[kept["parameter"] == focus]
    if mine.empty:
        others = ", ".join(sorted({short_parameter(p) for p in kept["parameter"]}))
        return (
            f"{name}: the reported boxes restrict {others} but not {name}; among the values "
            "sampled it does not mark out where these runs gather."
        )
    spans = "; ".join(
        f"box {int(r.box)}: {r.lower:.2g} to {r.upper:.2g}" for r in mine.itertuples()
    )
    full = f"{mine['full_lower'].iloc[0]:.2g} to {mine['full_upper'].iloc[0]:.2g}"
    return f"{name}: the reported boxes keep it at {spans} (sampled {full})."
