"""The sidebar a facilitator works from: run controls, levers and the scenario.

Every control is labelled and shows its value in words ("Growth target: 1.2 schools a
year"); Mesa's developer controls (play interval, render interval, threads, raw time) are not
offered. A lever changed after a run started does not change that run: the sidebar says so,
lists what will change, and Reset applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import solara

from .levers import Lever


@solara.component
def RunControls(  # noqa: N802 (solara components are CamelCase)
    year: int,
    horizon: int,
    playing: bool,
    pending: list[str],
    on_play_pause: Callable[[], None],
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
):
    """Year N of M; Play/Pause, Step and Reset, labelled; the pending changes, if any."""
    at_end = year >= horizon
    with solara.Card("Run", margin=0, classes=["matsim-run"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<strong>Year {year} of {horizon}</strong>"
            + (" (the scenario's horizon: Reset to run again)" if at_end else ""),
            classes=["matsim-year"],
        )
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            solara.Button(
                "Pause" if playing else "Play",
                icon_name="mdi-pause" if playing else "mdi-play",
                on_click=on_play_pause,
                color="primary",
                disabled=at_end and not playing,
            )
            solara.Button(
                "Step",
                icon_name="mdi-skip-next",
                on_click=on_step,
                color="primary",
                outlined=True,
                disabled=playing or at_end,
            )
            solara.Button(
                "Reset",
                icon_name="mdi-restart",
                on_click=on_reset,
                color="warning" if pending else None,
                outlined=not pending,
            )
        if pending:
            solara.Warning(
                "Changes pending — press Reset to apply: " + "; ".join(pending) + ".",
                dense=True,
                classes=["matsim-pending"],
            )
        else:
            solara.Text(
                "Step: one school year. Play: a year every second or so.",
                style={"font-size": "0.85em", "color": "#555"},
            )


@solara.component
def LeverInput(  # noqa: N802 (solara components are CamelCase)
    lever: Lever, value: Any, on_value: Callable[[Any], None]
):
    """One lever: a select of options in words, or a slider with its value written above."""
    if lever.is_choice:
        choices = dict(lever.choices or {})
        by_words = {words: code for code, words in choices.items()}
        solara.Select(
            label=lever.label,
            values=list(by_words),
            value=choices.get(value, str(value)),
            on_value=lambda words: on_value(by_words[words]),
        )
        return
    if lever.name == "seed":
        solara.InputInt(
            label=f"{lever.label} ({lever.note})",
            value=int(value),
            on_value=lambda v: on_value(v) if v is not None else None,
        )
        return
    with solara.Column(gap="0px", classes=[f"matsim-lever-{lever.name}"]):
        note = f" <span style='color:#666'>({lever.note})</span>" if lever.note else ""
        solara.Markdown(f"{lever.label}: **{lever.words(value)}**{note}")
        solara.SliderFloat(
            label="",
            value=float(value),
            min=lever.lo,
            max=lever.hi,
            step=lever.step,
            on_value=lambda v: on_value(lever.rounded(v)),
            thumb_label=False,
            tick_labels="end_points",
        )


@solara.component
def LeverPanel(  # noqa: N802 (solara components are CamelCase)
    specs: Mapping[str, Lever],
    values: Mapping[str, Any],
    who: str,
    on_lever: Callable[[str, Any], None],
):
    """The levers, for the trusts they act on."""
    with solara.Card(f"Levers for {who}", margin=0, classes=["matsim-levers"]):
        for name, lever in specs.items():
            LeverInput(lever, values[name], on_value=lambda v, name=name: on_lever(name, v))
        solara.Text(
            "Set the levers, then press Reset to start a run with them.",
            style={"font-size": "0.85em", "color": "#555"},
        )


@solara.component
def ScenarioPicker(  # noqa: N802 (solara components are CamelCase)
    current: str, choices: list[str], description: str, on_scenario: Callable[[str], None]
):
    """The scenario: choosing one starts a new run with that scenario's own settings."""
    with solara.Card("Scenario", margin=0):
        solara.Select(label="Scenario", values=choices, value=current, on_value=on_scenario)
        solara.Text(description, style={"font-size": "0.85em", "color": "#555"})
