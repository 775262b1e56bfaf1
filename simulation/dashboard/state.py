"""What the dashboard's views read from a model: one snapshot of its tables per year.

The views read the model's tables (the recorder's rows, the schools' columns, the event log),
not its agents, and each Step builds the snapshot once for every view to share. Trusts are
named as the model names them ("Oak Trust", "MAT 10"); their ids stay internal.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..charts import map_extent
from ..labels import break_point_label, shift_label
from ..model import MATModel
from ..report import break_point_events, explain_break_point, fmt_number, named_trust_ids

TRUST_CHOICES = 40  # trusts offered in the picker besides the named and the selected one


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The model's tables at one year, as every view needs them (compared by identity, so a
    view's memo recomputes exactly when a new year's snapshot arrives)."""

    year: int
    horizon: int
    scenario_name: str
    seed: int
    model: pd.DataFrame  # one row per year so far
    trusts: pd.DataFrame  # trust x year so far
    schools: pd.DataFrame  # one row per school now: x_km, y_km, grade, trust_id
    events: pd.DataFrame  # break-point rows only (crossing, shift, recovery)
    extent: tuple[float, float, float, float] = field(default=(0.0, 1.0, 0.0, 1.0))

    @property
    def trusts_now(self) -> pd.DataFrame:
        """The open trusts this year."""
        return self.trusts[self.trusts["year"] == self.year]

    @property
    def multi_school_now(self) -> pd.DataFrame:
        now = self.trusts_now
        return now[now["n_schools"] > 1]

    def trust_rows(self, trust_id: int | None) -> pd.DataFrame:
        """One trust's rows, year by year (empty for None or an unknown id)."""
        return self.trusts[self.trusts["trust_id"] == trust_id].sort_values("year")

    def trust_events(self, trust_id: int | None) -> pd.DataFrame:
        return self.events[self.events["trust_id"] == trust_id]

    @property
    def names(self) -> dict[int, str]:
        """Every trust's name by id (its latest, for trusts that have closed)."""
        cached = self.__dict__.get("_names")
        if cached is None:
            last = self.trusts.drop_duplicates("trust_id", keep="last")
            cached = dict(zip(last["trust_id"].astype(int), last["name"].astype(str), strict=True))
            object.__setattr__(self, "_names", cached)
        return cached

    def name_of(self, trust_id: int | None) -> str:
        return self.names.get(-1 if trust_id is None else int(trust_id), "no trust")


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


def snapshot(model: MATModel, extent: tuple[float, float, float, float] | None = None) -> Snapshot:
    """The tables every view reads, built once per year. ``extent`` keeps the map's bounds
    fixed through a run (pass the first snapshot's)."""
    schools = schools_now(model)
    return Snapshot(
        year=int(model.year),
        horizon=int(getattr(model, "horizon", model.params.run.years)),
        scenario_name=str(model.scenario_name),
        seed=int(model.seed),
        model=pd.DataFrame(model.recorder.model_rows),
        trusts=trusts_frame(model),
        schools=schools,
        events=break_point_events(model.events.to_frame()),
        extent=extent or map_extent(schools),
    )


def default_trust(snap: Snapshot) -> int | None:
    """The trust to follow first: the first named trust, else the largest multi-school trust."""
    named = named_trust_ids(snap.trusts)
    if named:
        return named[0]
    now = snap.trusts_now
    if now.empty:
        return None
    ranked = now.sort_values(["n_schools", "trust_id"], ascending=[False, True])
    return int(ranked["trust_id"].iloc[0])


def trust_choices(snap: Snapshot, selected: int | None, limit: int = TRUST_CHOICES) -> dict:
    """Picker label -> trust id: named trusts, then the largest multi-academy trusts, and the
    selected trust whatever its size. Labels are the trust's name and size now."""
    now = snap.trusts_now.set_index("trust_id")
    named = [i for i in named_trust_ids(snap.trusts)]
    mats = now[(now["kind"] == "multi_academy") & ~now.index.isin(named)]
    ranked = mats.sort_values("n_schools", ascending=False, kind="stable").index[:limit]
    ids = list(dict.fromkeys([*named, *(int(i) for i in ranked)]))
    if selected is not None and selected not in ids:
        ids.insert(0, selected)
    sizes = now["n_schools"].astype(int).to_dict()
    out = {}
    for trust_id in ids:
        name, n = snap.name_of(trust_id), sizes.get(trust_id)
        size = "closed" if n is None else f"{n} school{'s' if n != 1 else ''}"
        out[f"{name} · {size}"] = trust_id
    return out


def explanation(snap: Snapshot, trust_id: int | None) -> str:
    """The selected trust's latest break-point event in plain words, or why there is none
    (plain text: escape it for HTML)."""
    mine = snap.trust_events(trust_id)
    name = snap.name_of(trust_id)
    if mine.empty:
        return (
            f"{name} has met no break point by year {snap.year}: its ways of working still "
            "carry its load. Step on, or try faster growth, a wider radius or a CEO who never "
            "lets go."
        )
    return explain_break_point(mine.iloc[-1], name)


def _cell(row: Mapping[str, Any], key: str, scale: float = 1.0, unit: str = "") -> str:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{fmt_number(scale * float(value))}{unit}"


def _percent(share: Any) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    return f"{100 * float(share):.0f} %"


EVENT_TABLE_HEAD = (
    "Year",
    "What happened",
    "Break point",
    "Load against capacity",
    "Schools",
    "Below good",
)


def event_rows(snap: Snapshot, trust_id: int | None, latest: int = 12) -> list[tuple[str, ...]]:
    """One trust's latest break-point events as table cells, in plain words."""
    out = []
    for _, row in snap.trust_events(trust_id).tail(latest).iterrows():
        r = row.to_dict()
        kind = str(r["kind"])
        what = {"crossing": "crossed", "recovery": "back within capacity"}.get(kind, kind)
        if kind == "shift":
            when = "ahead of the crossing" if float(r.get("anticipated") or 0) > 0 else "reactive"
            what = f"shift ({when}): {shift_label(r.get('shift'))}"
        out.append(
            (
                str(int(r["year"])),
                what,
                break_point_label(r["break_point"]),
                f"{_cell(r, 'load')} against {_cell(r, 'capacity')} ({_cell(r, 'ratio')}×)",
                _cell(r, "n_schools"),
                _percent(r.get("share_weak")),
            )
        )
    return out


def event_table(snap: Snapshot, trust_id: int | None, latest: int = 12) -> str:
    """An HTML table of one trust's latest break-point events: full width, wrapping cells, so
    it never scrolls sideways."""
    rows = event_rows(snap, trust_id, latest)
    if not rows:
        return "<p><em>No crossings, shifts or recoveries for this trust yet.</em></p>"
    cell = "padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"
    head = "".join(f"<th style='{cell}'>{html.escape(h)}</th>" for h in EVENT_TABLE_HEAD)
    body = "".join(
        "<tr>" + "".join(f"<td style='{cell}'>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    total = len(snap.trust_events(trust_id))
    note = f"<p><em>The latest {len(rows)} of {total} events.</em></p>" if total > len(rows) else ""
    return (
        "<table class='matsim-events' style='width:100%;border-collapse:collapse;"
        f"table-layout:auto;font-size:0.95em'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{note}"
    )


def trust_facts(snap: Snapshot, trust_id: int | None) -> str:
    """One line on the selected trust now: size, weak share, spread and how it works (HTML)."""
    rows = snap.trust_rows(trust_id)
    if rows.empty:
        return "No trust selected."
    last = rows.iloc[-1]
    name = html.escape(str(last["name"]))
    if int(last["year"]) != snap.year:
        return f"<strong>{name}</strong> closed after year {int(last['year'])}."
    ways = [str(last.get("operating_preset", "")).replace("_", " ")]
    if bool(last.get("clusters", False)):
        ways.append("local clusters")
    if bool(last.get("regional_operations", False)):
        ways.append("regional hubs")
    ways.append("CEO hands-on" if bool(last.get("ceo_hands_on", True)) else "CEO stepped back")
    weak = round(float(last["share_weak"]) * float(last["n_schools"]))
    return (
        f"<strong>{name}</strong> in year {snap.year}: {int(last['n_schools'])} schools "
        f"({weak} below good), {fmt_number(round(float(last['pupils'])))} pupils, on average "
        f"{fmt_number(round(float(last['spread_km']), 1))} km from its base. "
        f"Works as: {html.escape(', '.join(w for w in ways if w))}; shifts made so far: "
        f"{int(last.get('shifts_made', 0))}."
    )
