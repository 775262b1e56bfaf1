"""Charts for the screen: Vega-Lite specs that the browser draws, sharp at any size.

The sibling of :mod:`simulation.plotting` (matplotlib, for files and papers): pure functions
of tidy tables that return Vega-Lite specs as plain dicts; the workshop dashboard hands them to
Solara's Vega-Lite widget (the renderer behind ``solara.FigureAltair``), which draws them in
the browser with tooltips. The specs are written as dicts rather than through Altair's
builder because building them is then a matter of milliseconds, where Altair's per-chart
validation and copying cost about 0.1 s each and a Step redraws five charts; the tests
validate every spec against Altair's Vega-Lite schema.

The charts are honest by construction:

- outcomes are drawn as the change since year 0 on an axis that spans at least a stated
  minimum either side of zero (:data:`OUTCOMES`), so a move of 0.003 stays flat instead of
  being stretched across the panel, and each panel says which direction is better;
- the year axis spans the scenario's whole horizon from the first year, so nothing rescales
  as the run goes on;
- the map stays readable at England's scale: above :data:`MAP_MAX_POINTS` schools it shows
  every n-th school (the selected trust's always) and only the largest trusts' bases.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .labels import (
    GRADE_LABELS,
    NOT_INSPECTED,
    break_point_label,
    event_kind_label,
    shift_label,
)
from .parameters import GRADES
from .plotting import GRADE_COLOURS, OKABE_ITO
from .plotting import NOT_INSPECTED as NOT_INSPECTED_COLOUR

Spec = dict[str, Any]

# Solara's widget loads Vega-Lite 5; the specs use nothing newer.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
MAP_MAX_POINTS = 4_000  # above this many schools the map thins them out
MAP_MAX_BASES = 25  # trust bases drawn on a thinned map: the largest trusts (and the selected)
MAP_WIDTH_PX = 480  # the map fills its column; its height assumes about this width
FONT_SIZE = 13  # legible on a projector
CONFIG: Spec = {
    "font": "sans-serif",
    "axis": {"labelFontSize": FONT_SIZE - 1, "titleFontSize": FONT_SIZE, "gridOpacity": 0.4},
    "legend": {"labelFontSize": FONT_SIZE - 1, "titleFontSize": FONT_SIZE, "labelLimit": 320},
    "title": {"fontSize": FONT_SIZE + 1, "anchor": "start", "subtitleFontSize": FONT_SIZE - 1},
    "view": {"stroke": None},
}


@dataclass(frozen=True)
class Outcome:
    """One headline outcome as the dashboard shows it.

    ``min_half_span`` is the least the axis spans either side of zero, in displayed units: a
    change smaller than that looks small. For quality (school quality has an sd of about 0.7),
    0.1 is about a seventh of a standard deviation.
    """

    column: str
    title: str
    unit: str
    scale: float
    better: str  # "higher" or "lower"
    min_half_span: float
    decimals: int

    @property
    def arrow(self) -> str:
        return "↑" if self.better == "higher" else "↓"

    def fmt(self, value: float) -> str:
        """A value as shown: 0.123, or 84.2 % for shares."""
        return f"{value:.{self.decimals}f}" + (" %" if self.scale == 100 else "")

    def fmt_change(self, change: float) -> str:
        """A change as shown: +0.012, or -1.5 points for shares."""
        return f"{change:+.{self.decimals}f}" + (" points" if self.scale == 100 else "")


OUTCOMES = (
    Outcome("mean_quality", "Pupil-weighted quality", "quality units", 1.0, "higher", 0.1, 3),
    Outcome(
        "pupil_share_good_or_better",
        "Pupils in good or better schools",
        "percentage points",
        100.0,
        "higher",
        5.0,
        1,
    ),
    Outcome("disadvantage_gap", "Disadvantage gap", "quality units", 1.0, "lower", 0.1, 3),
)
GRADE_DOMAIN = [*(GRADE_LABELS[g] for g in GRADES), NOT_INSPECTED]
GRADE_RANGE = [*(GRADE_COLOURS[g] for g in GRADES), NOT_INSPECTED_COLOUR]
EVENT_STYLE = {  # kind -> (shape, colour)
    "crossing": ("triangle-up", OKABE_ITO["vermillion"]),
    "shift": ("diamond", OKABE_ITO["green"]),
    "recovery": ("circle", OKABE_ITO["sky_blue"]),
}


# --- spec helpers ---------------------------------------------------------------------------


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (native Python values, NaN as null)."""
    gaps = [c for c in frame.columns if frame[c].dtype.kind == "f" and frame[c].isna().any()]
    if gaps:
        frame = frame.astype({c: object for c in gaps})
        for c in gaps:
            frame[c] = frame[c].where(frame[c].notna(), None)
    return frame.to_dict("records")


def top_level(spec: Spec, **extra: Any) -> Spec:
    """A spec ready for the browser: schema, shared look, no export menu (it hides the
    title's end on a narrow panel), and anything in ``extra``."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        **spec,
        **extra,
        "config": copy.deepcopy(CONFIG),  # a caller may edit its spec
        "usermeta": {"embedOptions": {"actions": False}},
    }


def _field(name: str, kind: str, **extra: Any) -> Spec:
    return {"field": name, "type": kind, **extra}


def _year_axis(horizon: int, pad: float = 0.0) -> Spec:
    return _field(
        "year",
        "quantitative",
        title="simulated year",
        scale={"domain": [-pad, max(1, int(horizon)) + pad], "nice": False},
        axis={"tickMinStep": 1, "format": "d"},
    )


# --- outcomes -------------------------------------------------------------------------------


def outcome_frame(model_df: pd.DataFrame, outcome: Outcome) -> pd.DataFrame:
    """Year, value (displayed units) and change since year 0 of one outcome."""
    rows = model_df.sort_values("year")
    value = outcome.scale * rows[outcome.column].to_numpy(dtype=float)
    return pd.DataFrame(
        {"year": rows["year"].to_numpy(dtype=int), "value": value, "change": value - value[0]}
    )


def outcome_half_span(frame: pd.DataFrame, outcome: Outcome) -> float:
    """Half the y axis: the outcome's minimum, or wider to hold every change with a margin."""
    largest = float(np.nanmax(np.abs(frame["change"]))) if len(frame) else 0.0
    return max(outcome.min_half_span, 1.15 * largest)


def outcome_chart(model_df: pd.DataFrame, outcome: Outcome, horizon: int) -> Spec:
    """One outcome's change since year 0; the better half of the panel tinted and labelled."""
    frame = outcome_frame(model_df, outcome)
    half = outcome_half_span(frame, outcome)
    edge = half if outcome.better == "higher" else -half
    y_scale = {"domain": [-half, half], "nice": False, "zero": False}
    d = outcome.decimals
    band = {
        "data": {"values": [{"y": 0.0, "y2": edge, "label": f"better {outcome.arrow}"}]},
        "layer": [
            {
                "mark": {"type": "rect", "color": OKABE_ITO["green"], "opacity": 0.08},
                "encoding": {
                    "y": _field("y", "quantitative", scale=y_scale),
                    "y2": {"field": "y2"},
                },
            },
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "top" if edge > 0 else "bottom",
                    "dx": 4,
                    "dy": 4 if edge > 0 else -4,
                    "color": OKABE_ITO["green"],
                    "fontSize": FONT_SIZE - 1,
                },
                "encoding": {
                    "x": {"value": 0},
                    "y": _field("y2", "quantitative", scale=y_scale),
                    "text": {"field": "label"},
                },
            },
        ],
    }
    zero = {
        "data": {"values": [{"y": 0.0}]},
        "mark": {"type": "rule", "color": "#777777"},
        "encoding": {"y": _field("y", "quantitative", scale=y_scale)},
    }
    line = {
        "data": {"values": records(frame)},
        "mark": {
            "type": "line",
            "color": OKABE_ITO["blue"],
            "strokeWidth": 2.5,
            "point": {"size": 40, "color": OKABE_ITO["blue"]},
        },
        "encoding": {
            "x": _year_axis(horizon),
            "y": _field(
                "change",
                "quantitative",
                title=f"change since year 0 ({outcome.unit})",
                scale=y_scale,
            ),
            "tooltip": [
                _field("year", "quantitative", title="year"),
                _field("value", "quantitative", title=outcome.title, format=f".{d}f"),
                _field("change", "quantitative", title="change since year 0", format=f"+.{d}f"),
            ],
        },
    }
    return top_level(
        {"layer": [band, zero, line]},
        width="container",
        height=170,
        title={
            "text": outcome.title,
            "subtitle": [
                f"{outcome.arrow} {outcome.better} is better",
                f"change since year 0 (then {outcome.fmt(frame['value'].iloc[0])})",
            ],
        },
    )


# --- map ------------------------------------------------------------------------------------


def map_extent(schools: pd.DataFrame, pad_km: float = 5.0) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around the schools: fixed for a run, so the map does not jump."""
    return (
        float(schools["x_km"].min()) - pad_km,
        float(schools["x_km"].max()) + pad_km,
        float(schools["y_km"].min()) - pad_km,
        float(schools["y_km"].max()) + pad_km,
    )


def thin_schools(
    schools: pd.DataFrame, selected: int | None, max_points: int = MAP_MAX_POINTS
) -> tuple[pd.DataFrame, int]:
    """Every n-th school when there are more than ``max_points`` (the selected trust's always),
    and n. Deterministic: the same schools are shown every year."""
    every = max(1, math.ceil(len(schools) / max_points))
    if every == 1:
        return schools, 1
    keep = (np.arange(len(schools)) % every == 0) | (schools["trust_id"].to_numpy() == selected)
    return schools[keep], every


def _base_layer(frame: pd.DataFrame, scales: tuple[Spec, Spec], mark: Spec, **enc: Any) -> Spec:
    xs, ys = scales
    return {
        "data": {"values": records(frame[["name", "n_schools", "base_x_km", "base_y_km"]])},
        "mark": mark,
        "encoding": {
            "x": _field("base_x_km", "quantitative", scale=xs),
            "y": _field("base_y_km", "quantitative", scale=ys),
            "tooltip": [
                _field("name", "nominal", title="trust"),
                _field("n_schools", "quantitative", title="schools"),
            ],
            **enc,
        },
    }


def map_chart(
    schools: pd.DataFrame,
    trusts: pd.DataFrame,
    selected: int | None,
    extent: tuple[float, float, float, float],
    max_points: int = MAP_MAX_POINTS,
    max_bases: int = MAP_MAX_BASES,
) -> tuple[Spec, str]:
    """Schools by last grade, trusts' bases, the selected trust picked out; and a caption.

    Args:
        schools: one row per school: ``x_km``, ``y_km``, ``grade`` (a code of
            :data:`simulation.parameters.GRADES`, -1 not inspected), ``trust_id`` (-1 none).
        trusts: multi-school trusts: ``trust_id``, ``name``, ``base_x_km``, ``base_y_km``,
            ``n_schools``.
        selected: the trust whose schools are ringed and joined to its base.
        extent: the fixed map bounds (:func:`map_extent`).
    """
    x0, x1, y0, y1 = extent
    height = int(np.clip(MAP_WIDTH_PX * (y1 - y0) / max(x1 - x0, 1e-9), 280, 620))
    xs = {"domain": [x0, x1], "nice": False, "zero": False}
    ys = {"domain": [y0, y1], "nice": False, "zero": False}
    shown, every = thin_schools(schools, selected, max_points)
    names = dict(zip(trusts["trust_id"].astype(int), trusts["name"].astype(str), strict=True))
    grade = shown["grade"].to_numpy(dtype=int)
    frame = pd.DataFrame(
        {
            "x_km": shown["x_km"].to_numpy(dtype=float).round(2),
            "y_km": shown["y_km"].to_numpy(dtype=float).round(2),
            "grade": np.array(GRADE_DOMAIN, dtype=object)[np.where(grade < 0, len(GRADES), grade)],
            "trust": [names.get(int(t), "none") for t in shown["trust_id"]],
        }
    )
    size = float(np.clip(9000 / max(len(frame), 1), 8, 70))
    x = _field("x_km", "quantitative", title="km", scale=xs)
    y = _field("y_km", "quantitative", title="km", scale=ys)
    points = {
        "data": {"values": records(frame)},
        "mark": {"type": "circle", "size": size, "opacity": 0.8},
        "encoding": {
            "x": x,
            "y": y,
            "color": _field(
                "grade",
                "nominal",
                title="last inspection grade",
                scale={"domain": GRADE_DOMAIN, "range": GRADE_RANGE},
                legend={"orient": "bottom", "columns": 3},
            ),
            "tooltip": [
                _field("grade", "nominal", title="grade"),
                _field("trust", "nominal", title="multi-school trust"),
            ],
        },
    }
    bases = trusts.sort_values(["n_schools", "trust_id"], ascending=[False, True])
    others = bases[bases["trust_id"] != selected]
    if every > 1:
        others = others.head(max_bases)
    layers: list[Spec] = []
    if not others.empty:
        layers.append(
            _base_layer(
                others,
                (xs, ys),
                {"type": "point", "shape": "square", "filled": False, "color": "#444444"},
                opacity={"value": 0.45},
                size=_field("n_schools", "quantitative", scale={"range": [20, 220]}, legend=None),
            )
        )
    layers.append(points)
    caption = (
        "□ a multi-school trust's base (larger: more schools)"
        if every == 1
        else f"1 in {every} of {len(schools):,} schools shown (all of the followed trust's); "
        f"□ the bases of the {len(others)} largest trusts"
    )
    base = trusts[trusts["trust_id"] == selected]
    mine = shown[shown["trust_id"] == selected]
    if not base.empty:
        bx, by = float(base["base_x_km"].iloc[0]), float(base["base_y_km"].iloc[0])
        ring = pd.DataFrame(
            {
                "x_km": mine["x_km"].to_numpy(dtype=float).round(2),
                "y_km": mine["y_km"].to_numpy(dtype=float).round(2),
            }
        ).assign(bx=bx, by=by)
        links = {
            "data": {"values": records(ring)},
            "mark": {"type": "rule", "color": "#000000", "opacity": 0.35},
            "encoding": {"x": x, "y": y, "x2": {"field": "bx"}, "y2": {"field": "by"}},
        }
        rings = {
            "data": {"values": records(ring)},
            "mark": {
                "type": "point",
                "shape": "circle",
                "filled": False,
                "color": "#000000",
                "size": 3.2 * size,
            },
            "encoding": {"x": x, "y": y},
        }
        star = _base_layer(
            base,
            (xs, ys),
            {"type": "point", "shape": "diamond", "filled": True, "color": "#000000", "size": 240},
        )
        layers = [links, *layers, rings, star]
        caption += f"; ◆ {base['name'].iloc[0]}'s base, its schools ringed and joined to it"
    spec = top_level({"layer": layers}, width="container", height=height)
    return spec, caption


# --- one trust's break points ---------------------------------------------------------------


def over_capacity(trust_rows: pd.DataFrame) -> pd.DataFrame:
    """Years a trust's break points were over capacity: ``year``, ``break_point`` (label),
    ``ratio``, from its ``ratio_<break point>`` columns."""
    ratio_cols = [c for c in trust_rows.columns if c.startswith("ratio_")]
    if trust_rows.empty or not ratio_cols:
        return pd.DataFrame({"year": [], "break_point": [], "ratio": []})
    long = trust_rows.melt(
        id_vars="year", value_vars=ratio_cols, var_name="code", value_name="ratio"
    )
    long = long[long["ratio"] > 1.0]
    return pd.DataFrame(
        {
            "year": long["year"].to_numpy(dtype=int),
            "break_point": [break_point_label(c.removeprefix("ratio_")) for c in long["code"]],
            "ratio": long["ratio"].to_numpy(dtype=float).round(2),
        }
    )


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats (NaN where missing or not a number; all NaN if absent)."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce")


def event_frame(events: pd.DataFrame) -> pd.DataFrame:
    """A trust's crossings, shifts and recoveries, in plain words, for markers and tooltips."""
    columns = ["year", "kind", "event", "break_point", "shift", "timing", "ratio"]
    if events.empty:
        return pd.DataFrame({c: [] for c in columns})
    kinds = events["kind"].astype(str).to_numpy()
    anticipated = _numeric(events, "anticipated").fillna(0).to_numpy()
    shifts = events["shift"] if "shift" in events.columns else pd.Series([""] * len(events))
    return pd.DataFrame(
        {
            "year": events["year"].to_numpy(dtype=int),
            "kind": kinds,
            "event": [event_kind_label(k) for k in kinds],
            "break_point": [break_point_label(b) for b in events["break_point"]],
            "shift": [
                shift_label(s) if k == "shift" else "" for k, s in zip(kinds, shifts, strict=True)
            ],
            "timing": np.where(
                kinds != "shift", "", np.where(anticipated > 0, "anticipated", "reactive")
            ),
            "ratio": _numeric(events, "ratio").round(2).to_numpy(),
        }
    )


def _kind_scale(which: int) -> Spec:
    kinds = list(EVENT_STYLE)
    return {
        "domain": [event_kind_label(k) for k in kinds],
        "range": [EVENT_STYLE[k][which] for k in kinds],
    }


def break_point_timeline_chart(
    trust_rows: pd.DataFrame, events: pd.DataFrame, horizon: int
) -> Spec | None:
    """Which break points a trust was over capacity on, year by year, with its events marked.

    One row per break point it has met, in order of first meeting it; a shaded cell for each
    year over capacity; a marker for each crossing, shift (hollow when made ahead of the
    crossing) and recovery. None when the trust has met no break point yet.
    """
    over, marks = over_capacity(trust_rows), event_frame(events)
    order = (
        pd.concat([over[["year", "break_point"]], marks[["year", "break_point"]]])
        .sort_values("year", kind="stable")["break_point"]
        .drop_duplicates()
        .tolist()
    )
    if not order:
        return None
    y = _field("break_point", "nominal", title=None, sort=order, axis={"labelLimit": 320})
    cells = over.assign(x0=over["year"] - 0.45, x1=over["year"] + 0.45)
    shaded = {
        "data": {"values": records(cells)},
        "mark": {"type": "rect", "color": OKABE_ITO["vermillion"], "opacity": 0.22},
        "encoding": {
            "x": _field("x0", "quantitative", scale={"domain": [-0.5, max(1, horizon) + 0.5]}),
            "x2": {"field": "x1"},
            "y": y,
            "tooltip": [
                _field("break_point", "nominal", title="break point"),
                _field("year", "quantitative", title="year"),
                _field("ratio", "quantitative", title="load / capacity (over 1: over capacity)"),
            ],
        },
    }
    tooltip = [
        _field("year", "quantitative", title="year"),
        _field("event", "nominal", title="event"),
        _field("break_point", "nominal", title="break point"),
        _field("shift", "nominal", title="shift made"),
        _field("timing", "nominal", title="timing"),
        _field("ratio", "quantitative", title="load / capacity"),
    ]

    def markers(rows: pd.DataFrame, hollow: bool, legend: Spec | None) -> Spec:
        encoding = {
            "x": _year_axis(horizon, pad=0.5),
            "y": y,
            "shape": _field("event", "nominal", title=None, scale=_kind_scale(0), legend=legend),
            "color": _field("event", "nominal", title=None, scale=_kind_scale(1), legend=legend),
            "tooltip": tooltip,
        }
        if hollow:
            encoding["fill"] = {"value": "white"}
        return {
            "data": {"values": records(rows)},
            "mark": {"type": "point", "size": 170, "strokeWidth": 2, "filled": not hollow},
            "encoding": encoding,
        }

    ahead = marks["timing"] == "anticipated"
    points = markers(marks[~ahead], hollow=False, legend={"orient": "top"})
    hollow = markers(marks[ahead], hollow=True, legend={"orient": "top"})  # one legend
    return top_level(
        {"layer": [shaded, points, hollow]},
        width="container",
        height=34 * len(order) + 10,
        title={
            "text": "Break points met",
            "subtitle": "shaded: years over capacity; hollow diamond: a shift made ahead of "
            "the crossing",
        },
    )


def trust_size_chart(trust_rows: pd.DataFrame, horizon: int, name: str) -> Spec:
    """A trust's schools year by year, and how many of them were below good."""
    rows = trust_rows.sort_values("year")
    n = rows["n_schools"].to_numpy(dtype=float)
    weak = np.round(n * rows["share_weak"].fillna(0).to_numpy(dtype=float))
    series = ("schools in the trust", "of them below good")
    frame = pd.concat(
        [
            pd.DataFrame({"year": rows["year"].to_numpy(dtype=int), "what": series[0], "count": n}),
            pd.DataFrame(
                {"year": rows["year"].to_numpy(dtype=int), "what": series[1], "count": weak}
            ),
        ]
    )
    return top_level(
        {
            "data": {"values": records(frame)},
            "mark": {"type": "line", "point": True, "strokeWidth": 2.5},
            "encoding": {
                "x": _year_axis(horizon),
                "y": _field("count", "quantitative", title="schools", scale={"zero": True}),
                "color": _field(
                    "what",
                    "nominal",
                    title=None,
                    scale={
                        "domain": list(series),
                        "range": [OKABE_ITO["blue"], OKABE_ITO["orange"]],
                    },
                    legend={"orient": "top"},
                ),
                "tooltip": [
                    _field("year", "quantitative", title="year"),
                    _field("what", "nominal", title=" "),
                    _field("count", "quantitative", title="schools"),
                ],
            },
        },
        width="container",
        height=130,
        title={"text": f"{name}: size and schools below good"},
    )


def split_data(spec: Spec) -> tuple[Spec, dict[str, list[dict[str, Any]]]]:
    """The spec with each inline ``data.values`` replaced by a named source, and the rows by
    name. The layout then stays equal from one year to the next while the rows change, so
    the browser swaps the rows into a chart already drawn instead of drawing it again."""
    datasets: dict[str, list[dict[str, Any]]] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "data" and isinstance(value, dict) and "values" in value:
                    name = f"rows_{len(datasets)}"  # Vega-Lite names its own data_0, data_1
                    datasets[name] = value["values"]
                    out[key] = {"name": name}
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(spec), datasets


def join_data(spec: Spec, datasets: dict[str, list[dict[str, Any]]]) -> Spec:
    """The inverse of :func:`split_data`: the spec with its rows inline again."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and set(data) == {"name"} and data["name"] in datasets:
                node = {**node, "data": {"values": datasets[data["name"]]}}
            return {k: (v if k == "data" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(spec)


def chart_marks(spec: Spec) -> Sequence[str]:
    """The mark types a spec draws, layer by layer (for tests and debugging)."""
    if "layer" in spec:
        return [m for layer in spec["layer"] for m in chart_marks(layer)]
    mark = spec.get("mark")
    return [mark["type"] if isinstance(mark, dict) else str(mark)] if mark else []
