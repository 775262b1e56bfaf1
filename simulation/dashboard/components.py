"""The workshop dashboard: a model wrapper whose arguments are the levers, and the views.

Nothing here is module-level mutable state: the scenario choice and the selected trust live in
per-session reactive state created in :func:`Page`, and SolaraViz keeps each session's model.
Lever defaults are read from the chosen scenario's parameters, never re-declared here; a lever
left at its scenario value leaves the scenario untouched.

Which trusts the levers act on: the scenario's named trusts (``[[trusts.named]]``, e.g. Oak
Trust) when it has any, otherwise the scenario-wide sections that every trust follows.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from .. import plotting
from ..breakpoints.view import cluster_centres, regional_offices
from ..model import MATModel
from ..parameters import ACCEPT_RULES, REVIEW_POLICIES, Params, operating
from ..parameters.operating import LEVERS as OPERATING_LEVERS
from ..report import break_point_events, explain_break_point, fmt_number, named_trust_ids
from ..scenario import SCENARIO_DIR, Scenario, find_scenario, load_scenario
from . import DEFAULT_SCENARIO, SCENARIO_ENV

BANNER = (
    "A tool for thinking about mechanisms, not a forecast: the model shows how growth can "
    "strain a trust's ways of working, not what will happen to any real trust."
)
PLAY_INTERVAL_MS = 400
FIGURE_DPI = 72  # screen resolution keeps a step's redraw fast


# --- scenarios and levers -------------------------------------------------------------------


def scenario_choices(initial: str | None = None) -> list[str]:
    """Shipped scenario names, with ``initial`` first if it is a file of its own."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    if initial and initial not in names:
        names.insert(0, initial)
    return names


def load_workshop_scenario(name: str) -> Scenario:
    return load_scenario(find_scenario(name))


def _focus_sections(params: Params):
    """(operating model, review, growth) in force for the trusts the levers act on."""
    named = params.trusts.named
    if named:
        first = named[0]
        return (
            first.operating_model or params.operating_model,
            first.review or params.review,
            first.growth or params.growth,
        )
    return params.operating_model, params.review, params.growth


def lever_defaults(params: Params) -> dict[str, Any]:
    """The levers' values in the scenario (the first named trust's, if it has named trusts)."""
    operating, review, growth = _focus_sections(params)
    return {
        "operating_model": operating.preset,
        "review_policy": review.policy,
        "accept_rule": growth.accept,
        "growth_per_year": float(growth.target_schools_per_year),
        "growth_radius_km": float(growth.radius_km),
        "ceo_steps_back_at": int(operating.resolved()["ceo_steps_back_at"]),
        "seed": int(params.run.seed),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def changed_levers(params: Params, **levers: Any) -> dict[str, Any]:
    """The levers given (not None) whose value differs from the scenario's."""
    defaults = lever_defaults(params)
    unknown = set(levers) - set(defaults)
    if unknown:
        raise ValueError(f"unknown lever(s) {sorted(unknown)}; known: {sorted(defaults)}")
    return {k: v for k, v in levers.items() if v is not None and not _same(v, defaults[k])}


def apply_levers(params: Params, **levers: Any) -> Params:
    """``params`` with the changed levers applied to the focus trusts' sections.

    A new operating-model preset clears the scenario's single-lever overrides (the preset fills
    every lever), except ``ceo_steps_back_at`` when that lever is set too. The seed lever is not
    a parameter (it is the model's ``rng``) and is ignored here.
    """
    changed = changed_levers(params, **levers)
    om: dict[str, Any] = {}
    if "operating_model" in changed:
        om = {name: None for name in OPERATING_LEVERS}
        om["preset"] = changed["operating_model"]
    if "ceo_steps_back_at" in changed:
        om["ceo_steps_back_at"] = int(changed["ceo_steps_back_at"])
    review = {"policy": changed["review_policy"]} if "review_policy" in changed else {}
    growth_keys = {
        "accept_rule": "accept",
        "growth_per_year": "target_schools_per_year",
        "growth_radius_km": "radius_km",
    }
    growth = {field: changed[k] for k, field in growth_keys.items() if k in changed}
    if not (om or review or growth):
        return params

    def update(section, changes):
        return dataclasses.replace(section, **changes) if changes else section

    named = params.trusts.named
    if not named:
        return dataclasses.replace(
            params,
            operating_model=update(params.operating_model, om),
            review=update(params.review, review),
            growth=update(params.growth, growth),
        )
    new_named = tuple(
        dataclasses.replace(
            trust,
            operating_model=update(trust.operating_model or params.operating_model, om),
            review=update(trust.review or params.review, review),
            growth=update(trust.growth or params.growth, growth),
        )
        for trust in named
    )
    return dataclasses.replace(params, trusts=dataclasses.replace(params.trusts, named=new_named))


def workshop_model_params(scenario: Scenario, scenario_name: str) -> dict[str, Any]:
    """SolaraViz ``model_params``: the scenario (fixed, as named or a path) and the levers,
    their defaults from it."""
    d = lever_defaults(scenario.params)
    who = (
        ", ".join(t.name for t in scenario.params.trusts.named)
        if scenario.params.trusts.named
        else "every trust"
    )
    return {
        "scenario_name": scenario_name,
        "operating_model": {
            "type": "Select",
            "value": d["operating_model"],
            "values": list(operating.PRESETS),
            "label": f"Operating model ({who})",
        },
        "review_policy": {
            "type": "Select",
            "value": d["review_policy"],
            "values": list(REVIEW_POLICIES),
            "label": "Strategy review policy",
        },
        "accept_rule": {
            "type": "Select",
            "value": d["accept_rule"],
            "values": list(ACCEPT_RULES),
            "label": "Growth: which schools to accept",
        },
        "growth_per_year": {
            "type": "SliderFloat",
            "value": d["growth_per_year"],
            "min": 0.0,
            "max": float(max(6.0, math.ceil(2 * d["growth_per_year"]))),
            "step": 0.1,
            "label": "Growth target (schools per year)",
        },
        "growth_radius_km": {
            "type": "SliderFloat",
            "value": d["growth_radius_km"],
            "min": 5.0,
            "max": float(max(100.0, math.ceil(2 * d["growth_radius_km"]))),
            "step": 5.0,
            "label": "Growth radius (km from base)",
        },
        "ceo_steps_back_at": {
            "type": "SliderInt",
            "value": d["ceo_steps_back_at"],
            "min": 0,
            "max": max(30, 2 * d["ceo_steps_back_at"]),
            "step": 1,
            "label": "CEO steps back at (schools; 0 = never)",
        },
        "seed": {
            "type": "SliderInt",
            "value": d["seed"],
            "min": 0,
            "max": max(99, d["seed"]),
            "step": 1,
            "label": "Random seed",
        },
    }


class WorkshopModel(MATModel):
    """:class:`MATModel` built from a scenario name and the dashboard's levers.

    SolaraViz re-creates the model on Reset by calling this class with the controls' values;
    a lever left as None (or at its scenario value) keeps the scenario's setting.
    """

    def __init__(
        self,
        scenario_name: str,
        operating_model: str | None = None,
        review_policy: str | None = None,
        accept_rule: str | None = None,
        growth_per_year: float | None = None,
        growth_radius_km: float | None = None,
        ceo_steps_back_at: int | None = None,
        seed: int | None = None,
    ):
        scenario = load_workshop_scenario(scenario_name)
        levers = {
            "operating_model": operating_model,
            "review_policy": review_policy,
            "accept_rule": accept_rule,
            "growth_per_year": growth_per_year,
            "growth_radius_km": growth_radius_km,
            "ceo_steps_back_at": ceo_steps_back_at,
        }
        params = apply_levers(scenario.params, **levers)
        rng = scenario.params.run.seed if seed is None else int(seed)
        super().__init__(params, rng=rng, scenario_name=scenario.name)
        self.scenario_description = scenario.description
        self.changed_levers = changed_levers(scenario.params, **levers)


# --- what the views read from a model -------------------------------------------------------


def caption(model: MATModel) -> str:
    return (
        f"scenario: {model.scenario_name} | seed {model.seed} | year {model.year} | "
        "a tool for thinking about mechanisms, not a forecast"
    )


def model_frame(model: MATModel) -> pd.DataFrame:
    return pd.DataFrame(model.recorder.model_rows)


def trusts_frame(model: MATModel) -> pd.DataFrame:
    """The trusts table so far, without building the (larger) schools table."""
    chunks = model.recorder.trust_chunks
    frame = pd.DataFrame({k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]})
    for col in ("name", "kind"):
        frame[col] = frame[col].astype(str)
    return frame


def schools_now(model: MATModel) -> pd.DataFrame:
    s = model.schools_data
    return pd.DataFrame({"x_km": s.x_km, "y_km": s.y_km, "grade": s.grade, "trust_id": s.trust})


def multi_school_trusts(model: MATModel) -> pd.DataFrame:
    sizes = model.trust_sizes()
    rows = [
        {
            "trust_id": t.trust_id,
            "name": t.name,
            "base_x_km": float(t.base_xy_km[0]),
            "base_y_km": float(t.base_xy_km[1]),
            "n_schools": int(sizes[t.trust_id]),
        }
        for t in model.trusts
        if t.is_open and sizes[t.trust_id] > 1
    ]
    return pd.DataFrame(rows, columns=["trust_id", "name", "base_x_km", "base_y_km", "n_schools"])


def hubs_now(model: MATModel) -> pd.DataFrame:
    """Regional hubs of trusts with regional operations; cluster centres of clustered trusts."""
    rows = []
    sizes = model.trust_sizes()
    for t in model.trusts:
        if not t.is_open or sizes[t.trust_id] < 2:
            continue
        members = t.school_rows
        if t.regional_operations:
            for x, y in regional_offices(model, members, t.base_xy_km)[1:]:
                rows.append({"trust_id": t.trust_id, "x_km": x, "y_km": y, "kind": "regional hub"})
        if t.clusters:
            for x, y in cluster_centres(model, members, t.cluster_size):
                rows.append(
                    {"trust_id": t.trust_id, "x_km": x, "y_km": y, "kind": "cluster centre"}
                )
    return pd.DataFrame(rows, columns=["trust_id", "x_km", "y_km", "kind"])


def default_trust(model: MATModel) -> int | None:
    """The first named trust, else the largest open multi-school trust."""
    frame = trusts_frame(model)
    named = named_trust_ids(frame)
    if named:
        return named[0]
    sizes = model.trust_sizes()
    open_ids = [t.trust_id for t in model.trusts if t.is_open]
    if not open_ids:
        return None
    return int(max(open_ids, key=lambda i: (sizes[i], -i)))


def trust_options(model: MATModel, limit: int = 15) -> dict[str, int]:
    """Label -> trust id for the timeline's trust select: named trusts, then MATs by events
    and size."""
    frame = trusts_frame(model)
    events = break_point_events(model.events.to_frame())
    counts = events["trust_id"].astype(int).value_counts() if not events.empty else {}
    sizes = model.trust_sizes()
    named = named_trust_ids(frame)
    mats = [t.trust_id for t in model.trusts if t.kind == "multi_academy" and t.is_open]
    ranked = sorted(
        (i for i in mats if i not in named),
        key=lambda i: (-int(counts.get(i, 0)) if len(counts) else 0, -int(sizes[i]), i),
    )
    ids = [*named, *ranked][:limit]
    default = default_trust(model)
    if default is not None and default not in ids:
        ids.insert(0, default)
    return {f"{model.trusts[i].name} (trust {i}, {int(sizes[i])} schools)": i for i in ids}


def latest_break_point(events: pd.DataFrame, trust_id: int | None) -> pd.Series | None:
    """The latest crossing, shift or recovery of ``trust_id`` (else of any trust)."""
    rows = break_point_events(events)
    if rows.empty:
        return None
    mine = rows[rows["trust_id"] == trust_id] if trust_id is not None else rows.iloc[0:0]
    return (mine if not mine.empty else rows).iloc[-1]


def explanation_text(model: MATModel, trust_id: int | None) -> str:
    row = latest_break_point(model.events.to_frame(), trust_id)
    if row is None:
        return (
            f"Year {model.year}: no trust has reached a break point yet. Step on, or try faster "
            "growth, a wider radius or a CEO who never lets go."
        )
    tid = int(row["trust_id"])
    name = model.trusts[tid].name if 0 <= tid < len(model.trusts) else None
    prefix = (
        ""
        if trust_id is None or tid == trust_id
        else "(None yet for the selected trust; the latest of any trust.) "
    )
    return prefix + explain_break_point(row, name)


def timeline_rows(events: pd.DataFrame, trust_id: int | None) -> str:
    """A markdown table of one trust's break-point events, latest last."""
    rows = break_point_events(events)
    rows = rows[rows["trust_id"] == trust_id] if not rows.empty else rows
    if rows.empty:
        return "_No crossings, shifts or recoveries for this trust yet._"

    def cell(row: Mapping[str, Any], key: str, scale: float = 1.0, unit: str = "") -> str:
        value = row.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return f"{fmt_number(scale * float(value))}{unit}"

    lines = [
        "| year | event | break point | driver | load / capacity | ratio | schools | spread "
        "| weak |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, row in rows.tail(12).iterrows():
        r = row.to_dict()
        kind = str(r["kind"])
        if kind == "shift" and r.get("shift"):
            kind = f"shift: {r['shift']}"
        lines.append(
            f"| {int(r['year'])} | {kind} | {str(r['break_point']).replace('_', ' ')} "
            f"| {r.get('driver') or ''} | {cell(r, 'load')} / {cell(r, 'capacity')} "
            f"| {cell(r, 'ratio')} | {cell(r, 'n_schools')} | {cell(r, 'spread_km', unit=' km')} "
            f"| {cell(r, 'share_weak', 100.0, ' %')} |"
        )
    return "\n".join(lines)


# --- views ----------------------------------------------------------------------------------

# The selected trust (a per-session solara.Reactive of a trust id or None), provided by Page.
selected_trust_context = solara.create_context(None)


def _selected(model: MATModel) -> tuple[int | None, Any]:
    """The selected trust id (default if none or gone) and the reactive that holds it."""
    chosen = solara.use_context(selected_trust_context)
    value = chosen.value if chosen is not None else None
    if value is None or not 0 <= value < len(model.trusts):
        value = default_trust(model)
    return value, chosen


def _figure(fig, dependencies: list[Any]) -> None:
    """Show a figure as PNG, re-drawn only when ``dependencies`` change (not on every render,
    e.g. while a slider in the sidebar moves)."""
    solara.FigureMatplotlib(fig, dependencies=dependencies, format="png", dpi=FIGURE_DPI)


@solara.component
def Banner(description: str = ""):  # noqa: N802 (solara components are CamelCase)
    with solara.Column(style={"padding": "4px 12px"}):
        solara.Warning(BANNER)
        if description:
            solara.Text(description, style={"color": "#555"})


@solara.component
def MapView(model: MATModel):  # noqa: N802 (solara components are CamelCase)
    """Schools by grade, trust membership, bases and hubs; the selected trust ringed."""
    update_counter.get()
    trust_id, _ = _selected(model)
    fig = solara.use_memo(
        lambda: plotting.state_map_figure(
            schools_now(model),
            multi_school_trusts(model),
            hubs_now(model),
            model.year,
            caption(model),
            highlight=trust_id,
        ),
        [model, model.year, trust_id],
    )
    _figure(fig, [model, model.year, trust_id])


@solara.component
def OutcomesView(model: MATModel):  # noqa: N802 (solara components are CamelCase)
    """Pupil-weighted quality, share good or better and the disadvantage gap by year."""
    update_counter.get()
    row = model.recorder.model_rows[-1]
    fig = solara.use_memo(
        lambda: plotting.outcomes_figure(model_frame(model), caption(model)), [model, model.year]
    )
    solara.Markdown(
        f"**Year {model.year}** &nbsp; quality {row['mean_quality']:.3f} · pupils in good or "
        f"better schools {100 * row['pupil_share_good_or_better']:.1f} % · disadvantage gap "
        f"{row['disadvantage_gap']:.3f}",
        style={"padding": "0 8px"},
    )
    _figure(fig, [model, model.year])


@solara.component
def BreakPointsView(model: MATModel):  # noqa: N802 (solara components are CamelCase)
    """The selected trust's break-point timeline and the latest break point in plain words."""
    update_counter.get()
    trust_id, chosen = _selected(model)
    options = trust_options(model)
    labels = {v: k for k, v in options.items()}

    def choose(label: str) -> None:
        if chosen is not None and label in options:
            chosen.set(options[label])

    events = model.events.to_frame()
    fig = solara.use_memo(
        lambda: (
            plotting.trust_timeline_figure(trusts_frame(model), events, trust_id, caption(model))
            if trust_id is not None
            else None
        ),
        [model, model.year, trust_id],
    )
    with solara.Column(style={"padding": "0 8px"}):
        if trust_id is None:
            solara.Text("No trusts in this scenario.")
            return
        solara.Select(
            label="Trust for the break-point timeline",
            values=list(options),
            value=labels.get(trust_id, next(iter(options))),
            on_value=choose,
        )
        solara.Markdown("**Latest break point.** " + explanation_text(model, trust_id))
        _figure(fig, [model, model.year, trust_id])
        solara.Markdown(timeline_rows(events, trust_id))


@solara.component
def LeversView(model: WorkshopModel):  # noqa: N802 (solara components are CamelCase)
    """What this run changed from its scenario (applied at Reset)."""
    update_counter.get()
    changed = getattr(model, "changed_levers", {})
    text = (
        "; ".join(f"{k.replace('_', ' ')} = {v}" for k, v in changed.items())
        if changed
        else "none: the scenario as written"
    )
    solara.Markdown(
        f"Scenario **{model.scenario_name}**, seed {model.seed}. Levers changed: {text}. "
        "_Set levers in the sidebar, then press Reset to apply them._",
        style={"padding": "0 8px", "font-size": "0.9em"},
    )


@solara.component
def Views(model: MATModel):  # noqa: N802 (solara components are CamelCase)
    """The dashboard's views in a fixed layout.

    Laid out here rather than passed to SolaraViz as ``components``: SolaraViz puts those in
    a draggable grid whose JavaScript (vue-grid-layout) fails to load in Solara's Vue 3 app.
    """
    update_counter.get()
    with solara.Column(style={"padding": "0 12px"}):
        LeversView(model)
        OutcomesView(model)
        with solara.Columns([3, 2]):
            MapView(model)
            BreakPointsView(model)


@solara.component
def Dashboard(scenario_name: str):  # noqa: N802 (solara components are CamelCase)
    """The SolaraViz app for one scenario (Page re-mounts it when the scenario changes).

    The model is a reactive owned here and handed to SolaraViz, whose Step / Play / Reset
    update it; :func:`Views` reads the same reactive.
    """
    scenario = solara.use_memo(lambda: load_workshop_scenario(scenario_name), [scenario_name])
    first = solara.use_memo(lambda: WorkshopModel(scenario_name=scenario_name), [scenario_name])
    model = solara.use_reactive(first)
    selected = solara.use_reactive(None)
    selected_trust_context.provide(selected)
    Banner(scenario.description)
    SolaraViz(
        model,
        components=[],
        model_params=workshop_model_params(scenario, scenario_name),
        name="MAT growth and break points: workshop",
        play_interval=PLAY_INTERVAL_MS,
    )
    Views(model.value)


@solara.component
def Page():  # noqa: N802 (solara components are CamelCase)
    """Entry point: a scenario select, then the dashboard for the chosen scenario."""
    initial = os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO
    choice = solara.use_reactive(initial)
    with solara.Sidebar(), solara.Card("Scenario preset"):
        solara.Select(label="Scenario", values=scenario_choices(initial), value=choice)
        solara.Text("Choosing a scenario starts a new model with that scenario's settings.")
    Dashboard(choice.value).key(f"dashboard-{choice.value}")
