"""The one plotting module: functions that take tidy tables and return matplotlib Figures.

Figures are built on the Agg canvas without pyplot, so nothing here touches global state or
opens a window; notebooks display the returned Figure, :func:`save_figures` writes PNGs.
Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies). Every
figure carries a caption line naming the scenario and seed, because pasted plots lose context.
Charts drawn live in the browser (the workshop dashboard) are in :mod:`simulation.charts`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .parameters import GRADES
from .report import break_point_events, select_trusts

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
GRADE_COLOURS = {
    "outstanding": OKABE_ITO["blue"],
    "good": OKABE_ITO["green"],
    "requires_improvement": OKABE_ITO["orange"],
    "inadequate": OKABE_ITO["vermillion"],
}
NOT_INSPECTED = "#BBBBBB"
# One colour per trust on line plots: Okabe-Ito without yellow (too pale for thin lines).
TRUST_COLOURS = tuple(OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple"))
TRUST_COLOURS += (OKABE_ITO["sky_blue"], OKABE_ITO["black"])
# Break-point event markers on trust paths (colour is the trust's; marker is the event).
PATH_MARKERS = {
    "start": {"marker": "o", "label": "start of the trust's path"},
    "crossing": {"marker": "^", "label": "crossing (load reached capacity)"},
    "shift": {"marker": "D", "label": "shift, reactive (after the crossing)"},
    "shift_anticipated": {"marker": "D", "label": "shift, anticipated (hollow)"},
}
# Size bands as in DfE / sector reporting of trust sizes (schools per trust).
SIZE_BANDS = ((1, 1), (2, 5), (6, 10), (11, 15), (16, 25), (26, 40), (41, None))
DPI = 150


def _label(grade: str) -> str:
    return grade.replace("_", " ")


def _new_figure(caption: str, width: float = 8.0, height: float = 5.0) -> Figure:
    """A constrained-layout figure on the Agg canvas with the caption line at its foot."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    fig.text(0.01, 0.01, caption, ha="left", va="bottom", fontsize=7.5, color="#444444")
    return fig


def grade_mix_figure(model_df: pd.DataFrame, caption: str) -> Figure:
    """Stacked shares of inspected schools by last grade, year by year."""
    fig = _new_figure(caption)
    ax = fig.add_subplot()
    years = model_df["year"].to_numpy()
    shares = [100 * model_df[f"share_{g}"].to_numpy() for g in GRADES]
    ax.stackplot(
        years,
        shares,
        labels=[_label(g) for g in GRADES],
        colors=[GRADE_COLOURS[g] for g in GRADES],
        alpha=0.9,
    )
    ax.set_xlim(years.min(), years.max())
    ax.set_ylim(0, 100)
    ax.set_xlabel("simulated year")
    ax.set_ylabel("share of inspected schools (%)")
    ax.set_title("Grade mix of inspected schools over time (last inspection grade)")
    fig.legend(loc="outside right upper", title="grade", frameon=False)
    return fig


def size_band(n_schools: pd.Series) -> pd.Series:
    """Label each trust with its size band ("1", "2-5", ..., "41+")."""
    labels, edges = [], [0.5]
    for lo, hi in SIZE_BANDS:
        labels.append(f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}"))
        edges.append(np.inf if hi is None else hi + 0.5)
    return pd.cut(n_schools, bins=edges, labels=labels)


def trust_sizes_figure(trusts_df: pd.DataFrame, caption: str) -> Figure:
    """Trusts by size band at the start and end (left); MAT size quantiles over time (right)."""
    fig = _new_figure(caption, width=11.0)
    left, right = fig.subplots(1, 2)
    if trusts_df.empty:
        for ax in (left, right):
            ax.text(0.5, 0.5, "no trusts in this run", ha="center", transform=ax.transAxes)
        return fig
    first, last = int(trusts_df["year"].min()), int(trusts_df["year"].max())
    bands = size_band(trusts_df["n_schools"])
    x = np.arange(len(bands.cat.categories))
    for offset, year, colour in (
        (-0.2, first, OKABE_ITO["sky_blue"]),
        (0.2, last, OKABE_ITO["blue"]),
    ):
        counts = bands[trusts_df["year"] == year].value_counts().reindex(bands.cat.categories)
        left.bar(x + offset, counts.to_numpy(), width=0.4, color=colour, label=f"year {year}")
    left.set_xticks(x, bands.cat.categories)
    left.set_xlabel("trust size (schools per trust)")
    left.set_ylabel("trusts (count)")
    left.set_title("Trusts by size band, start vs end")
    left.legend(frameon=False)

    mats = trusts_df[trusts_df["n_schools"] > 1]
    by_year = mats.groupby("year")["n_schools"]
    styles = (
        ("median", by_year.median(), OKABE_ITO["blue"], "-"),
        ("90th percentile", by_year.quantile(0.9), OKABE_ITO["orange"], "--"),
        ("largest", by_year.max(), OKABE_ITO["vermillion"], ":"),
    )
    for label, series, colour, style in styles:
        right.plot(series.index, series.to_numpy(), color=colour, linestyle=style, label=label)
    right.set_xlabel("simulated year")
    right.set_ylabel("schools per trust")
    right.set_title("Size of multi-school trusts over time")
    right.set_ylim(bottom=0)
    right.legend(frameon=False)
    return fig


def map_figure(
    schools_df: pd.DataFrame, trusts_df: pd.DataFrame, year: int, caption: str
) -> Figure:
    """Schools coloured by last grade, multi-school trusts' bases marked, in one year.

    A faint line joins each school in a multi-school trust to its trust's base, so a trust's
    geographic spread (a break-point driver) is visible at a glance.
    """
    schools = schools_df[schools_df["year"] == year]
    if schools.empty:
        raise ValueError(f"no schools recorded in year {year}")
    trusts = trusts_df[(trusts_df["year"] == year) & (trusts_df["n_schools"] > 1)]
    fig = _new_figure(caption, width=9.0, height=7.0)
    ax = fig.add_subplot()
    size = float(np.clip(6000 / len(schools), 1.0, 18.0))
    density = float(np.clip(400 / len(schools), 0.15, 1.0))  # thin marks on big maps
    bases = trusts.set_index("trust_id")[["base_x_km", "base_y_km"]]
    linked = schools[schools["trust_id"].isin(bases.index)]
    if not linked.empty:
        ends = bases.loc[linked["trust_id"]].to_numpy()
        starts = linked[["x_km", "y_km"]].to_numpy()
        segments = np.stack([starts, ends], axis=1)
        ax.add_collection(
            LineCollection(segments, colors="#888888", linewidths=0.4, alpha=0.5 * density**0.5)
        )
    grade = schools["grade"].astype(object)
    ungraded = grade.isna().to_numpy()
    ax.scatter(schools["x_km"][ungraded], schools["y_km"][ungraded], s=size, c=NOT_INSPECTED, lw=0)
    for g in GRADES:
        mask = (grade == g).to_numpy()
        ax.scatter(schools["x_km"][mask], schools["y_km"][mask], s=size, c=GRADE_COLOURS[g], lw=0)
    if not trusts.empty:
        ax.scatter(
            trusts["base_x_km"],
            trusts["base_y_km"],
            s=12 * density * np.sqrt(trusts["n_schools"].to_numpy()),
            marker="X",
            c=OKABE_ITO["black"],
            edgecolors="white",
            linewidths=0.5,
        )
    handles = [
        Line2D([], [], marker="o", ls="", color=GRADE_COLOURS[g], label=_label(g)) for g in GRADES
    ]
    handles.append(Line2D([], [], marker="o", ls="", color=NOT_INSPECTED, label="not inspected"))
    handles.append(
        Line2D([], [], marker="X", ls="", color="black", label="trust base (size: schools)")
    )
    handles.append(Line2D([], [], color="#888888", lw=0.8, label="school to its trust's base"))
    fig.legend(handles=handles, loc="outside right upper", frameon=False, title="school grade")
    ax.set_aspect("equal", adjustable="datalim")  # "box" breaks constrained layout
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.set_title(f"Schools by grade and multi-school trust bases, year {year}")
    return fig


def _path_marks(ax, x, y, kind: str, colour: str) -> None:
    """Scatter one kind of path mark; ``gid`` names the kind so tests can find it."""
    hollow = kind in ("start", "shift_anticipated")
    ax.scatter(
        x,
        y,
        s={"start": 30.0, "crossing": 36.0}.get(kind, 52.0),  # crossings drawn over shifts
        zorder=4 if kind == "crossing" else 3,
        marker=PATH_MARKERS[kind]["marker"],
        facecolors="white" if hollow else colour,
        edgecolors=colour if hollow else "black",
        linewidths=1.2 if hollow else 0.6,
        gid=kind,
    )


def break_point_paths_figure(
    trusts_df: pd.DataFrame,
    events_df: pd.DataFrame,
    caption: str,
    trust_ids: Sequence[int] | None = None,
    max_trusts: int = 6,
) -> Figure:
    """Each trust's path through scale, spread and weak share, its crossings and shifts marked.

    Left: schools (x) against mean distance of its schools from its base (y); right: schools
    against the share of its schools graded below good. One line per trust in year order (the
    trusts of :func:`simulation.report.select_trusts`: chosen or named ones first, then the MATs
    with most crossings and shifts). Markers sit where the trust was when the event happened;
    which break point each one is, the timeline of :mod:`simulation.report` says.
    """
    fig = _new_figure(caption, width=12.0, height=5.5)
    left, right = fig.subplots(1, 2, sharex=True)
    panels = (
        (left, "spread_km", 1.0, "Scale vs geographic spread"),
        (right, "share_weak", 100.0, "Scale vs performance mix"),
    )
    left.set_ylabel("spread: mean distance of schools from trust base (km)")
    right.set_ylabel("weak share: schools below good (%)")
    for ax, _, _, title in panels:
        ax.set_title(title)
        ax.set_xlabel("scale: schools in the trust (count)")
    fig.suptitle("Trusts' paths through break points: scale, spread and weak share, by year")
    ids = select_trusts(trusts_df, events_df, trust_ids, max_trusts)
    if not ids:
        for ax, *_ in panels:
            ax.text(0.5, 0.5, "no trust crossed a break point", ha="center", transform=ax.transAxes)
        return fig
    events = break_point_events(events_df)
    kinds = events["kind"].astype(str) if not events.empty else pd.Series(dtype=str)
    anticipated = (
        pd.to_numeric(events["anticipated"], errors="coerce").fillna(0) > 0
        if "anticipated" in events.columns
        else pd.Series(False, index=events.index)
    )
    marks = {
        "crossing": kinds == "crossing",
        "shift": (kinds == "shift") & ~anticipated,
        "shift_anticipated": (kinds == "shift") & anticipated,
    }
    handles = []
    for k, trust_id in enumerate(ids):
        colour = TRUST_COLOURS[k % len(TRUST_COLOURS)]
        path = trusts_df[trusts_df["trust_id"] == trust_id].sort_values("year")
        mine = events["trust_id"] == trust_id
        for ax, column, scale, _ in panels:
            x, y = path["n_schools"].to_numpy(), scale * path[column].to_numpy(dtype=float)
            ax.plot(x, y, color=colour, lw=1.6, alpha=0.85, gid=f"trust {trust_id}")
            _path_marks(ax, x[:1], y[:1], "start", colour)
            for kind, mask in marks.items():
                rows = events[mine & mask]
                if not rows.empty:
                    ev_y = scale * rows[column].to_numpy(dtype=float)
                    _path_marks(ax, rows["n_schools"].to_numpy(dtype=float), ev_y, kind, colour)
        name = str(path["name"].iloc[-1])
        handles.append(Line2D([], [], color=colour, lw=1.6, label=name))
    for ax, *_ in panels:
        ax.set_ylim(bottom=0)
    right.set_ylim(top=min(100.0, 1.1 * right.get_ylim()[1] + 2.0))
    handles.append(Line2D([], [], ls="", label=""))  # a gap between trusts and markers
    for kind, spec in PATH_MARKERS.items():
        hollow = kind in ("start", "shift_anticipated")
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker=spec["marker"],
                markerfacecolor="white" if hollow else "#777777",
                markeredgecolor="#777777" if hollow else "black",
                label=spec["label"],
            )
        )
    fig.legend(handles=handles, loc="outside right upper", frameon=False, title="trust / event")
    return fig


FigureBuilder = Callable[[Mapping[str, pd.DataFrame], str], Figure]


def standard_figures(tables: Mapping[str, pd.DataFrame]) -> dict[str, FigureBuilder]:
    """The figures every run writes, by file stem; each is built only when saved."""
    years = tables["schools"]["year"]
    first, last = int(years.min()), int(years.max())
    return {
        "grade_mix": lambda t, c: grade_mix_figure(t["model"], c),
        "trust_sizes": lambda t, c: trust_sizes_figure(t["trusts"], c),
        "map_start": lambda t, c: map_figure(t["schools"], t["trusts"], first, c),
        "map_end": lambda t, c: map_figure(t["schools"], t["trusts"], last, c),
        "break_point_paths": lambda t, c: break_point_paths_figure(t["trusts"], t["events"], c),
    }


def save_figures(
    tables: Mapping[str, pd.DataFrame], out_dir: str | Path, caption: str
) -> list[Path]:
    """Draw the standard figures to ``out_dir/<name>.png`` and return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in standard_figures(tables).items():
        fig = build(tables, caption)
        path = out / f"{name}.png"
        fig.savefig(path, dpi=DPI)
        paths.append(path)
    return paths


# Line styles per arm besides colour, so arms stay apart in greyscale and for any vision.
ARM_STYLES = ("-", "--", "-.", ":")


def comparison_figure(
    bands: pd.DataFrame,
    panels: Sequence[tuple[str, str, float, str]],
    caption: str,
    arms: Sequence[str] | None = None,
) -> Figure:
    """Scenario arms' trajectories over years, mean over seeds with a 95 % band, one panel each.

    Args:
        bands: tidy rows ``arm, measure, year, mean, ci_low, ci_high`` (see
            :func:`simulation.compare.trajectory_bands`).
        panels: 1-4 of ``(measure, y-axis label with unit, scale, title)``; ``scale`` multiplies
            the values (100 for fractions shown as %).
        caption: the provenance line (scenarios and seeds).
        arms: arm order (default: as first seen in ``bands``); the first is the reference.

    Each arm has its own Okabe-Ito colour and line style; lines carry ``gid`` = arm name.
    """
    if not 1 <= len(panels) <= 4:
        raise ValueError(f"comparison_figure draws 1 to 4 panels, got {len(panels)}")
    arms = list(dict.fromkeys(bands["arm"])) if arms is None else list(arms)
    cols = 1 if len(panels) == 1 else 2
    rows = (len(panels) + cols - 1) // cols
    # a long caption (many arms) wraps instead of running off the page: ~19 characters an inch
    caption = "\n".join(textwrap.wrap(caption, width=200)) if len(caption) > 200 else caption
    fig = _new_figure(caption, width=11.0, height=3.6 * rows + 0.8)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, squeeze=False).ravel())
    for ax in axes[len(panels) :]:
        ax.remove()
    handles = []
    for k, arm in enumerate(arms):
        colour, style = TRUST_COLOURS[k % len(TRUST_COLOURS)], ARM_STYLES[k % len(ARM_STYLES)]
        label = f"{arm} (reference)" if k == 0 else arm
        handles.append(Line2D([], [], color=colour, linestyle=style, lw=1.8, label=label))
        for ax, (measure, _, scale, _) in zip(axes, panels, strict=False):
            rows_ = bands[(bands["arm"] == arm) & (bands["measure"] == measure)].sort_values("year")
            if rows_.empty:
                continue
            years = rows_["year"].to_numpy()
            ax.fill_between(
                years,
                scale * rows_["ci_low"].to_numpy(dtype=float),
                scale * rows_["ci_high"].to_numpy(dtype=float),
                color=colour,
                alpha=0.18,
                linewidth=0,
            )
            ax.plot(
                years,
                scale * rows_["mean"].to_numpy(dtype=float),
                color=colour,
                linestyle=style,
                lw=1.8,
                gid=arm,
            )
    for ax, (_, ylabel, _, title) in zip(axes, panels, strict=False):
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("simulated year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelbottom=True)
    handles.append(Line2D([], [], ls="", label=""))
    handles.append(Patch(facecolor="#999999", alpha=0.35, label="95 % interval over seeds"))
    fig.legend(handles=handles, loc="outside right upper", frameon=False, title="scenario")
    fig.suptitle("Scenarios compared: mean over common seeds with 95 % intervals, by year")
    return fig


def sensitivity_figure(table: pd.DataFrame, caption: str) -> Figure:
    """Bar chart of sensitivity indices per outcome with their 95 % intervals.

    ``table`` is :func:`simulation.sensitivity.analyse`'s output: Sobol (``S1``, ``ST``) or
    Morris (``mu_star``) columns, one row per outcome x parameter.
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    sobol = "ST" in table.columns
    measures = (("S1", "first-order S1"), ("ST", "total ST")) if sobol else (("mu_star", "mu*"),)
    colours = (OKABE_ITO["blue"], OKABE_ITO["orange"])
    ncols = min(3, len(outcomes))
    nrows = int(np.ceil(len(outcomes) / ncols))
    fig = _new_figure(caption, width=4.6 * ncols + 1.5, height=3.2 * nrows + 0.8)
    grid = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    axes = grid.ravel()
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = table[table["outcome"] == outcome]
        y = np.arange(len(rows))
        height = 0.8 / len(measures)
        for k, ((col, label), colour) in enumerate(zip(measures, colours, strict=False)):
            value = rows[col].to_numpy()
            err = np.vstack([value - rows[f"{col}_low"], rows[f"{col}_high"] - value])
            ax.barh(
                y + k * height,
                value,
                height,
                xerr=err,
                color=colour,
                label=label,
                capsize=2,
                ecolor="#444444",
            )
        ax.set_yticks(y + height * (len(measures) - 1) / 2, rows["parameter"])
        ax.invert_yaxis()
        ax.axvline(0, color="#888888", linewidth=0.8)
        ax.set_title(outcome.replace("_", " "), fontsize=10)
        ax.set_xlabel("Sobol index (share of variance)" if sobol else "Morris mu* (outcome units)")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Which parameters matter: sensitivity indices with 95 % intervals")
    return fig


def short_parameter(key: str) -> str:
    """A batch key as a figure label: ``trusts.named.Oak Trust.growth.radius_km`` becomes
    ``Oak Trust: growth.radius_km``."""
    if key.startswith("trusts.named."):
        from .batch.named import split_named_key

        name, section, field = split_named_key(key)
        return f"{name}: {section + '.' if section else ''}{field}"
    return key


def discovery_figure(
    trajectory: pd.DataFrame,
    boxes: pd.DataFrame,
    limits: pd.DataFrame,
    base_rate: float,
    caption: str,
    title: str,
) -> Figure:
    """Scenario discovery: the coverage-density trade-off and the chosen boxes' limits.

    Left, every candidate box (PRIM's peeling trajectory, or CART's leaves) by coverage and
    density, coloured by how many parameters it restricts, the chosen boxes ringed. Right,
    each chosen box's restrictions as the kept share of the parameter's sampled range (numbers)
    or of its levels (choices), with the kept values and the quasi-p-value.
    """
    from .discovery.boxes import LEVEL_SEPARATOR

    rows = max(1, len(limits))
    fig = _new_figure(caption, width=13.0, height=max(4.4, 1.6 + 0.6 * rows))
    trade, lims = fig.subplots(1, 2, width_ratios=(1.0, 0.8))
    restricted = trajectory["restricted"].to_numpy()
    top = max(1, int(restricted.max())) if len(restricted) else 1
    cmap = colormaps["viridis"].resampled(top + 1)
    markers = "os^Dv<>"
    for i, (box, steps) in enumerate(trajectory.groupby("box", sort=True)):
        points = trade.scatter(
            steps["coverage"],
            steps["density"],
            c=steps["restricted"],
            cmap=cmap,
            vmin=-0.5,
            vmax=top + 0.5,
            s=18,
            marker=markers[i % len(markers)],
            label=f"box {box} candidates" if box else "other leaves",
        )
    if trajectory["box"].nunique() > 1:
        trade.legend(fontsize=7, loc="upper right")
    for _, row in boxes.iterrows():
        trade.scatter(row["coverage"], row["density"], s=140, facecolors="none", edgecolors="k")
        trade.annotate(
            f"box {int(row['box'])}",
            (row["coverage"], row["density"]),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
        )
    trade.axhline(base_rate, color="#888888", linestyle="--", linewidth=0.8)
    trade.annotate(
        f"base rate {base_rate:.2f}",
        (0.01, base_rate),
        xytext=(0, 3),
        textcoords="offset points",
        fontsize=7.5,
        color="#555555",
    )
    trade.set_xlim(-0.02, 1.02)
    trade.set_ylim(-0.02, 1.02)
    trade.set_xlabel("coverage (share of all cases inside the box)")
    trade.set_ylabel("density (share of runs inside that are cases)")
    trade.set_title("Trade-off: every candidate box", fontsize=10)
    bar = fig.colorbar(points, ax=trade, ticks=range(top + 1))
    bar.set_label("parameters restricted")

    lims.set_title("What each chosen box keeps", fontsize=10)
    if limits.empty:
        lims.text(0.5, 0.5, "no box restricts any parameter", ha="center", va="center")
        lims.set_axis_off()
    else:
        labels = []
        for y, (_, row) in enumerate(limits.iterrows()):
            lims.barh(y, 1.0, left=0.0, color="#eeeeee", height=0.6)
            if row["kind"] == "choice":
                every = str(row["full_levels"]).split(LEVEL_SEPARATOR)
                kept = set(str(row["levels"]).split(LEVEL_SEPARATOR))
                width = 1.0 / len(every)
                for j, level in enumerate(every):
                    if level in kept:
                        lims.barh(y, width, left=j * width, color=OKABE_ITO["blue"], height=0.6)
                text = ", ".join(level for level in every if level in kept)
            else:
                span = (row["full_upper"] - row["full_lower"]) or 1.0
                lo = (row["lower"] - row["full_lower"]) / span
                hi = (row["upper"] - row["full_lower"]) / span
                lims.barh(y, hi - lo, left=lo, color=OKABE_ITO["blue"], height=0.6)
                text = f"{row['lower']:.3g} to {row['upper']:.3g}"
            qp = row["quasi_p"]
            text += f"  (quasi-p {qp:.2g})" if np.isfinite(qp) else ""
            labels.append(
                f"box {int(row['box'])}: {short_parameter(row['parameter'])}\n"
                + textwrap.shorten(text, width=70, placeholder=" ...")
            )
        lims.set_yticks(range(len(labels)), labels, fontsize=8)
        lims.set_ylim(len(labels) - 0.2, -0.8)  # top to bottom, a little air either side
        lims.set_xlim(0, 1.0)
        lims.set_xticks([0, 0.5, 1.0], ["low", "middle", "high"])
        lims.set_xlabel("kept part of the sampled range or levels")
        for side in ("top", "right"):
            lims.spines[side].set_visible(False)
    fig.suptitle(title)
    return fig
