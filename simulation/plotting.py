"""The one plotting module: functions that take tidy tables and return matplotlib Figures.

Figures are built on the Agg canvas without pyplot, so nothing here touches global state or
opens a window; notebooks display the returned Figure, :func:`save_figures` writes PNGs.
Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies). Every
figure carries a caption line naming the scenario and seed, because pasted plots lose context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .parameters import GRADES

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
