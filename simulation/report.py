"""Plain-text reports over a run's tables: the break-point timeline and workshop explanations.

Pure functions of the ``trusts`` and ``events`` tables (no printing, no model objects), so the
command line, notebooks and the dashboard can all reuse them. They rely only on these columns:

- ``trusts``: ``year``, ``trust_id``, ``name``, ``kind``, ``n_schools``, ``mean_quality``;
- ``events``: ``year``, ``trust_id``, ``kind`` (``crossing`` / ``shift`` / ``recovery`` are the
  break-point rows), ``break_point``, ``driver``, ``load``, ``capacity``, ``ratio``,
  ``n_schools``, ``pupils``, ``spread_km``, ``share_weak`` and, for shifts, ``anticipated``,
  ``shift``, ``effective_year``, ``cost_gbp``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .breakpoints import find, registered
from .labels import break_point_label, shift_label

BREAK_POINT_KINDS = ("crossing", "shift", "recovery")
WIDTH = 100  # the timeline fits a 100-column terminal
GENERIC_NAME = re.compile(r"^(MAT|SAT) \d+$")  # names setup gives trusts that are not named

KIND_LEGEND = (
    "  crossing: rose to capacity | past: past it at the start | shift: a change of approach |"
    " recovery: back under it\n"
    "  load / capacity = ratio (none: no capacity at all); sch. = schools, spread = km from base"
)


# --- selecting trusts -----------------------------------------------------------------------


def break_point_events(events_df: pd.DataFrame) -> pd.DataFrame:
    """The crossing, shift and recovery rows of an events table, in year then log order."""
    if events_df.empty or "break_point" not in events_df.columns:
        return events_df.iloc[0:0]
    rows = events_df[events_df["kind"].astype(str).isin(BREAK_POINT_KINDS)]
    return rows.sort_values("year", kind="stable")


def named_trust_ids(trusts_df: pd.DataFrame) -> list[int]:
    """Trust ids of a scenario's named trusts, inferred from the tables.

    Named trusts are founded first (ids 0, 1, ...) and keep their scenario names; trusts drawn
    at random are called "MAT n" / "SAT n". Pass explicit ids where the scenario is at hand.
    """
    if trusts_df.empty:
        return []
    first = trusts_df.sort_values("year", kind="stable").drop_duplicates("trust_id")
    names = first.set_index("trust_id")["name"].astype(str)
    ids = []
    for trust_id in sorted(names.index):
        if trust_id != len(ids) or GENERIC_NAME.match(names[trust_id]):
            break
        ids.append(int(trust_id))
    return ids


def _mat_ids(trusts_df: pd.DataFrame) -> set[int]:
    """Trusts that were multi-academy trusts in any year."""
    mats = trusts_df.loc[trusts_df["kind"].astype(str) == "multi_academy", "trust_id"]
    return {int(i) for i in mats}


def select_trusts(
    trusts_df: pd.DataFrame,
    events_df: pd.DataFrame,
    trust_ids: Iterable[int] | None = None,
    max_trusts: int = 8,
) -> list[int]:
    """Trusts to report, at most ``max_trusts``: the chosen ones first, in the order given.

    ``trust_ids=None`` chooses the scenario's named trusts (:func:`named_trust_ids`). The rest
    are multi-academy trusts with the most crossings and shifts (then recoveries; ties go to
    the lower id). Raises ValueError for a chosen id the trusts table does not hold.
    """
    if max_trusts <= 0:
        return []
    known = set(trusts_df["trust_id"].astype(int)) if not trusts_df.empty else set()
    chosen = named_trust_ids(trusts_df) if trust_ids is None else [int(i) for i in trust_ids]
    missing = [i for i in chosen if i not in known]
    if missing:
        raise ValueError(f"unknown trust id(s) {missing}; the trusts table holds {len(known)}")
    chosen = list(dict.fromkeys(chosen))[:max_trusts]
    events = break_point_events(events_df)
    if events.empty:
        return chosen
    mats = _mat_ids(trusts_df)
    kinds = events["kind"].astype(str)
    counts = (
        pd.DataFrame(
            {
                "trust_id": events["trust_id"].astype(int),
                "main": kinds.isin(("crossing", "shift")).astype(int),
                "all": 1,
            }
        )
        .groupby("trust_id")[["main", "all"]]
        .sum()
    )
    counts = counts[counts.index.isin(mats) & ~counts.index.isin(chosen)]
    counts = counts.assign(neg_main=-counts["main"], neg_all=-counts["all"])
    ranked = counts.reset_index().sort_values(["neg_main", "neg_all", "trust_id"])
    rest = [int(i) for i in ranked["trust_id"]]
    return chosen + rest[: max_trusts - len(chosen)]


# --- formatting helpers ---------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in ("", "nan", "none", "<na>")
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any) -> str:
    """A number as a person would say it: 11, 4.5, 2.67, 608, 12,500; '?' when missing."""
    if _missing(value):
        return "?"
    x = float(value)
    if not math.isfinite(x):
        return "?"
    if x == round(x) and abs(x) < 1e15:
        return f"{int(round(x)):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _get(row: Mapping[str, Any] | pd.Series, key: str, default: Any = None) -> Any:
    value = row.get(key, default)
    return default if _missing(value) else value


def _count(value: Any) -> int:
    return 0 if _missing(value) else int(round(float(value)))


def _pct(value: Any) -> str:
    return "?" if _missing(value) else f"{100 * float(value):.0f}%"


def _money(value: Any) -> str:
    return "an unrecorded cost" if _missing(value) else f"£{float(value):,.0f}"


# --- the timeline ---------------------------------------------------------------------------

_COLUMNS = (  # (header, width, right-aligned); the driver is in the explanation, not here
    ("year", 4, True),
    ("event", 8, False),
    ("break point", 28, False),
    ("load", 6, True),
    ("capacity", 8, False),
    ("ratio", 5, True),
    ("sch.", 4, True),
    ("spread", 8, True),
    ("weak", 4, True),
)


def _row(cells: Iterable[str]) -> str:
    parts = []
    for (_, width, right), cell in zip(_COLUMNS, cells, strict=True):
        text = cell if len(cell) <= width else cell[: width - 1] + "~"
        parts.append(text.rjust(width) if right else text.ljust(width))
    return ("  " + "  ".join(parts)).rstrip()


def ratio_cell(ratio: Any) -> str:
    """A ratio as a table shows it: "none" where the approach has no capacity at all."""
    if ratio is None:
        return "?"
    return "none" if math.isinf(float(ratio)) else f"{float(ratio):.2f}"


def _event_line(row: pd.Series) -> list[str]:
    ratio = _get(row, "ratio")
    spread = _get(row, "spread_km")
    lines = [
        _row(
            (
                str(int(row["year"])),
                str(row["kind"]),
                break_point_label(_get(row, "break_point")) or "?",
                fmt_number(_get(row, "load")),
                "/ " + fmt_number(_get(row, "capacity")),
                ratio_cell(ratio),
                str(_count(_get(row, "n_schools"))),
                "?" if spread is None else f"{float(spread):.1f} km",
                _pct(_get(row, "share_weak")),
            )
        )
    ]
    if str(row["kind"]) == "shift":
        anticipated = _get(row, "anticipated")
        how = (
            "" if anticipated is None else " (anticipated)" if float(anticipated) else " (reactive)"
        )
        effective = _get(row, "effective_year")
        when = "" if effective is None else f", from year {int(effective)}"
        lines.append(  # fits 100 columns with the longest shift label
            f"{'':8}-> shift: {shift_label(_get(row, 'shift')) or '?'}{how}{when}, "
            f"{_money(_get(row, 'cost_gbp'))}"
        )
    return lines


def _past_at_start(trust: pd.DataFrame) -> list[str]:
    """Lines for the break points a trust was already past in its first reported year (no
    crossing is logged for those: nothing was crossed that year)."""
    if trust.empty:
        return []
    first = trust.sort_values("year").iloc[0]
    lines = []
    for column in [c for c in trust.columns if c.startswith("ratio_")]:
        ratio = _get(first, column)
        if ratio is not None and float(ratio) >= 1.0:
            name = column.removeprefix("ratio_")
            lines.append(
                _row(
                    (
                        str(int(first["year"])),
                        "past",
                        break_point_label(name),
                        "",
                        "",
                        ratio_cell(ratio),
                        str(_count(first["n_schools"])),
                        f"{float(first['spread_km']):.1f} km",
                        _pct(_get(first, "share_weak")),
                    )
                )
            )
    return lines


def _trust_header(trust: pd.DataFrame, trust_id: int, chosen: bool) -> str:
    trust = trust.sort_values("year")
    first, last = trust.iloc[0], trust.iloc[-1]
    kind = {"multi_academy": "MAT", "single_academy": "SAT"}.get(str(last["kind"]), "trust")
    tag = ", selected" if chosen else ""

    def quality(row: pd.Series) -> str:
        return f"{float(row['mean_quality']) + 0.0:+.2f}".replace("-0.00", "+0.00")

    return (
        f"{last['name']} (trust_id {trust_id}, {kind}{tag}) years {int(first['year'])}-"
        f"{int(last['year'])}: schools {_count(first['n_schools'])} -> "
        f"{_count(last['n_schools'])}, mean quality {quality(first)} -> {quality(last)}"
    )


def break_point_timeline(
    trusts_df: pd.DataFrame,
    events_df: pd.DataFrame,
    trust_ids: Iterable[int] | None = None,
    max_trusts: int = 8,
) -> str:
    """A plain-text break-point timeline per trust, for a 100-column terminal.

    Trusts as chosen by :func:`select_trusts` (the chosen or named ones first, then the MATs
    with most crossings and shifts). Each trust gets a header line (name, id, schools and mean
    quality at its first -> last year), then one line per crossing, shift or recovery in year
    order: break point, driver, load / capacity, ratio and the trust's scale (schools), spread
    (mean km from its base) and weak share at that moment; shifts get a second line with the
    shift, whether it was anticipated and when it takes effect.
    """
    chosen_ids = None if trust_ids is None else [int(i) for i in trust_ids]
    ids = select_trusts(trusts_df, events_df, chosen_ids, max_trusts)
    chosen = set(named_trust_ids(trusts_df) if chosen_ids is None else chosen_ids)
    events = break_point_events(events_df)
    lines = ["Break-point timeline", *KIND_LEGEND.splitlines()]
    if events.empty:
        lines.append("  no break-point crossings, shifts or recoveries in this run")
    if not ids:
        return "\n".join(lines)
    header = _row(h for h, _, _ in _COLUMNS)
    for trust_id in ids:
        lines.append("")
        lines.append(
            _trust_header(
                trusts_df[trusts_df["trust_id"] == trust_id], trust_id, trust_id in chosen
            )
        )
        mine = events[events["trust_id"] == trust_id]
        start = _past_at_start(trusts_df[trusts_df["trust_id"] == trust_id])
        if mine.empty and not start:
            lines.append("  no break-point crossings, shifts or recoveries")
            continue
        lines.append(header)
        lines.extend(start)
        for _, row in mine.iterrows():
            lines.extend(_event_line(row))
    with_events = (set(events["trust_id"].astype(int)) & _mat_ids(trusts_df)) - set(ids)
    if with_events:
        lines.append("")
        lines.append(
            f"... and {len(with_events)} more MAT(s) with break-point events "
            "(see the events table; --timeline N shows more)"
        )
    return "\n".join(line if len(line) <= WIDTH else line[: WIDTH - 1] + "~" for line in lines)


# --- explanations ---------------------------------------------------------------------------


EXPLAINED = tuple(bp.name for bp in registered())
"""The break points explained (each plug-in carries its own ``explanation``)."""


def explain_break_point(
    event_row: Mapping[str, Any] | pd.Series, trust_name: str | None = None
) -> str:
    """One plain-language paragraph explaining a crossing, shift or recovery, for workshops.

    Uses only the event row's fields (``trust_name`` or a ``name`` field names the trust;
    otherwise "trust <id>"). Raises ValueError for an unknown break point.
    """
    name = str(_get(event_row, "break_point", ""))
    bp = find(name)
    if bp is None:
        known = ", ".join(b.name for b in registered())
        raise ValueError(f"unknown break point {name!r}; known: {known}")
    how = bp.explanation
    load_text, capacity_text, harm = how.load, how.capacity, how.harm
    title = break_point_label(name)
    trust = trust_name or _get(event_row, "name") or f"trust {_get(event_row, 'trust_id', '?')}"
    year = _get(event_row, "year")
    n_schools = _count(_get(event_row, "n_schools"))
    share_weak = _get(event_row, "share_weak")
    weak = "" if share_weak is None else f" ({round(float(share_weak) * n_schools)} weak)"
    pupils = _get(event_row, "pupils")
    pupils_text = "" if pupils is None else f", {fmt_number(round(float(pupils)))} pupils"
    spread = _get(event_row, "spread_km")
    spread_text = "" if spread is None else f", on average {fmt_number(spread)} km from its base"
    load, capacity = fmt_number(_get(event_row, "load")), fmt_number(_get(event_row, "capacity"))
    ratio = _get(event_row, "ratio")
    ratio_text = (
        ""
        if ratio is None
        else " (no capacity at all)"
        if math.isinf(float(ratio))
        else f" (ratio {float(ratio):.2f})"
    )
    driver = _get(event_row, "driver")
    article = "an" if driver is not None and str(driver)[:1] in "aeiou" else "a"
    driver_text = "" if driver is None else f", {article} {driver} break point"
    when = "" if year is None else f"in year {int(year)} "
    text = (
        f"{title}{driver_text}: {when}{trust} had {n_schools} schools{weak}{pupils_text}"
        f"{spread_text}. The load is {load_text}: {load}, against a capacity of "
        f"{capacity}{ratio_text}, {capacity_text}."
    )
    kind = str(_get(event_row, "kind", ""))
    shift_name, shift_description = bp.shift.name, bp.shift.description
    if kind == "crossing":
        over = ratio is None or float(ratio) > 1.0 + 5e-3  # 'passed' only above capacity
        text += (
            f" The load has {'passed' if over else 'reached'} what the current approach can "
            f"carry, so {harm if over else 'any further growth means ' + harm}; the further "
            "past, the faster its effectiveness falls away."
        )
        if shift_name:
            how = f" ({shift_description})" if shift_description else ""
            text += f" The shift that restores capacity: {shift_label(shift_name)}{how}."
    elif kind == "shift":
        made = shift_label(_get(event_row, "shift", shift_name)) or "a shift"
        description = f" ({shift_description})" if shift_description else ""
        anticipated = _get(event_row, "anticipated")
        timing = (
            ""
            if anticipated is None
            else " ahead of the crossing (anticipated)"
            if float(anticipated)
            else " in response to the crossing (reactive)"
        )
        effective = _get(event_row, "effective_year")
        effect = "" if effective is None else f"; it takes effect in year {int(effective)}"
        text += (
            f" {trust} made the shift “{made}”{description}{timing}, at a cost of "
            f"{_money(_get(event_row, 'cost_gbp'))}{effect}. Until then, {harm}."
        )
    elif kind == "recovery":
        text += " The load is back within capacity, so the current approach works again."
    return text
