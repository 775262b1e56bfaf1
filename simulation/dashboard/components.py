"""The workshop dashboard: its page, the per-session state and the views.

A Solara app on the Mesa model. It does not use Mesa's generic SolaraViz page: that page
offers developer controls (play and render intervals, threads, a raw "Time") and applies a
changed parameter silently at the next Reset, which a room full of trust leaders should not
have to decode. The sidebar here (:mod:`simulation.dashboard.controls`) is built for a room.

Nothing here is module-level mutable state: the model, the year shown, the levers being set
and the trust being followed live in per-session reactive state created in :func:`Dashboard`,
so each browser session has its own model. The views read one :class:`~.state.Snapshot` of
the model's tables per year and draw Vega-Lite charts (:mod:`simulation.charts`) that the
browser renders.
"""

from __future__ import annotations

import html
import os
import time
from typing import Any

import solara

from .. import charts
from . import DEFAULT_SCENARIO, SCENARIO_ENV
from .controls import LeverPanel, RunControls, ScenarioPicker
from .levers import (
    WorkshopModel,
    describe_changes,
    focus_names,
    lever_defaults,
    lever_specs,
    load_workshop_scenario,
    scenario_choices,
    with_lever,
)
from .state import (
    Snapshot,
    default_trust,
    event_table,
    explanation,
    snapshot,
    trust_choices,
    trust_facts,
)
from .vega import VegaChart

BANNER = (
    "A tool for thinking about mechanisms, not a forecast: the model shows how growth can "
    "strain a trust's ways of working, not what will happen to any real trust."
)
TITLE = "MAT growth and break points: workshop"
PLAY_INTERVAL_S = 0.9  # a room needs a moment to see each year


@solara.component
def Chart(spec: dict[str, Any] | None, empty: str = ""):  # noqa: N802
    """A Vega-Lite chart drawn by the browser: its layout once, then each year's rows."""
    if spec is None:
        solara.Text(empty, style={"color": "#555"})
        return
    layout, rows = charts.split_data(spec)
    VegaChart.element(spec=layout, datasets=rows)


@solara.component
def Html(content: str, classes: tuple[str, ...] = (), style: str = ""):  # noqa: N802
    """Text that changes every year, updated in place (Markdown would rebuild its widget)."""
    solara.HTML(tag="div", unsafe_innerHTML=content, classes=list(classes), style=style)


@solara.component
def Banner():  # noqa: N802 (solara components are CamelCase)
    solara.Warning(BANNER, dense=True)


@solara.component
def StatusLine(  # noqa: N802 (solara components are CamelCase)
    snap: Snapshot, this_run: list[str], pending: list[str]
):
    """Which run this is, and what is waiting for Reset (the sidebar may be closed)."""
    run = "; ".join(this_run) if this_run else "the scenario as written"
    Html(
        f"Scenario <strong>{html.escape(snap.scenario_name)}</strong>, seed {snap.seed}: "
        f"{html.escape(run)}.",
        classes=("matsim-status",),
    )
    if pending:
        solara.Warning(
            "Changes pending — press Reset to apply: " + "; ".join(pending) + ".", dense=True
        )


@solara.component
def OutcomesView(snap: Snapshot):  # noqa: N802 (solara components are CamelCase)
    """The year and three headline outcomes as change since year 0, better direction marked."""
    specs = solara.use_memo(
        lambda: [charts.outcome_chart(snap.model, o, snap.horizon) for o in charts.OUTCOMES],
        [snap],
    )
    parts = []
    for outcome in charts.OUTCOMES:
        frame = charts.outcome_frame(snap.model, outcome)
        now, change = float(frame["value"].iloc[-1]), float(frame["change"].iloc[-1])
        parts.append(
            f"{outcome.title.lower()} {outcome.fmt(now)} ({outcome.fmt_change(change)}; "
            f"{outcome.better} is better)"
        )
    Html(
        f"<strong>Year {snap.year} of {snap.horizon}</strong> · " + " · ".join(parts),
        classes=("matsim-headline",),
        style="font-size:1.05em;margin:6px 0",
    )
    with solara.Columns([1, 1, 1]):
        for spec in specs:
            Chart(spec)


@solara.component
def MapView(snap: Snapshot, trust_id: int | None):  # noqa: N802
    """Schools by grade, multi-school trusts' bases, the followed trust picked out."""
    spec, caption = solara.use_memo(
        lambda: charts.map_chart(snap.schools, snap.multi_school_now, trust_id, snap.extent),
        [snap, trust_id],
    )
    Html(f"<strong>Schools by last inspection grade, year {snap.year}</strong>")
    Chart(spec)
    Html(html.escape(caption), style="font-size:0.9em;color:#444")


@solara.component
def TrustPanel(  # noqa: N802 (solara components are CamelCase)
    snap: Snapshot, trust_id: int | None, on_trust: Any
):
    """Which trust to follow (by name and size) and what happened to it last, in words."""
    choices = trust_choices(snap, trust_id)
    label = next((k for k, v in choices.items() if v == trust_id), None)
    solara.Select(
        label="Trust to follow",
        values=list(choices),
        value=label,
        on_value=lambda words: on_trust(choices[words]),
    )
    Html(trust_facts(snap, trust_id), classes=("matsim-trust",), style="margin:8px 0")
    Html(
        "<strong>Latest break point.</strong> " + html.escape(explanation(snap, trust_id)),
        classes=("matsim-explanation",),
    )


@solara.component
def BreakPointPanel(snap: Snapshot, trust_id: int | None):  # noqa: N802
    """Full width: the followed trust's size, its break points year by year, its events."""
    name = snap.name_of(trust_id)
    rows, events = snap.trust_rows(trust_id), snap.trust_events(trust_id)
    size, timeline = solara.use_memo(
        lambda: (
            charts.trust_size_chart(rows, snap.horizon, name),
            charts.break_point_timeline_chart(rows, events, snap.horizon),
        ),
        [snap, trust_id],
    )
    Html(f"<h3>{html.escape(name)}: its break points</h3>", style="margin-top:12px")
    Chart(size)
    Chart(timeline, empty=f"{name} has not been over capacity on any break point yet.")
    Html(event_table(snap, trust_id), classes=("matsim-event-table",))


@solara.component
def Views(  # noqa: N802 (solara components are CamelCase)
    snap: Snapshot, trust_id: int | None, on_trust: Any, this_run: list[str], pending: list[str]
):
    with solara.Column(style={"padding": "0 12px", "max-width": "1400px"}):
        Banner()
        StatusLine(snap, this_run, pending)
        OutcomesView(snap)
        with solara.Columns([3, 2]):
            MapView(snap, trust_id)
            with solara.Column():
                TrustPanel(snap, trust_id, on_trust)
        BreakPointPanel(snap, trust_id)


@solara.component
def Dashboard(  # noqa: N802 (solara components are CamelCase)
    scenario_name: str, choices: list[str], on_scenario: Any
):
    """One scenario's session: the model, the year shown, the levers being set, the trust
    followed. Page re-mounts it when the scenario changes."""
    scenario = solara.use_memo(lambda: load_workshop_scenario(scenario_name), [scenario_name])
    params = scenario.params
    first = solara.use_memo(lambda: WorkshopModel(scenario_name=scenario_name), [scenario_name])
    model = solara.use_reactive(first)
    year = solara.use_reactive(0)  # the year the views show; set after each step
    playing = solara.use_reactive(False)
    pending = solara.use_reactive(lever_defaults(params))
    extent = solara.use_memo(lambda: snapshot(first).extent, [first])
    snap = solara.use_memo(lambda: snapshot(model.value, extent), [model.value, year.value])
    followed = solara.use_reactive(default_trust(snap))

    def step_once() -> None:
        current = model.value
        if current.year >= current.horizon:
            playing.set(False)
            return
        current.step()
        year.set(current.year)

    def play_loop() -> None:
        while playing.value and model.value.year < model.value.horizon:
            time.sleep(PLAY_INTERVAL_S)
            if not playing.value:
                break
            step_once()
        playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        new = WorkshopModel(scenario_name=scenario_name, **pending.value)
        model.set(new)
        year.set(0)
        if followed.value is None or followed.value >= len(new.trusts):
            followed.set(default_trust(snapshot(new, extent)))

    applied = model.value.levers
    waiting = describe_changes(params, applied, pending.value)
    this_run = describe_changes(params, lever_defaults(params), applied)
    specs = lever_specs(params)
    solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        RunControls(
            year=snap.year,
            horizon=snap.horizon,
            playing=playing.value,
            pending=waiting,
            on_play_pause=lambda: playing.set(not playing.value),
            on_step=step_once,
            on_reset=reset,
        )
        LeverPanel(
            specs,
            pending.value,
            focus_names(params),
            on_lever=lambda name, value: pending.set(
                with_lever(params, pending.value, name, value)
            ),
        )
        ScenarioPicker(scenario_name, choices, scenario.description, on_scenario)
    Views(snap, followed.value, followed.set, this_run, waiting)


@solara.component
def Page():  # noqa: N802 (solara components are CamelCase)
    """Entry point: the dashboard for the chosen scenario (a new session state per scenario)."""
    initial = os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO
    choice = solara.use_reactive(initial)
    choices = solara.use_memo(lambda: scenario_choices(initial), [initial])
    Dashboard(choice.value, choices, choice.set).key(f"dashboard-{choice.value}")
