"""Calibration of the model against published statistics on English schools and trusts.

Two parts, each printed as a table of statistic, mean and spread over seeds, target band and
source (the bands and sources are all in ``TARGETS``):

* the **baseline** scenario (a 400-school region, quick): Ofsted's grade mix, transitions by
  previous grade and phase gap, the pace of academisation and head vacancies, pooled over years
  1 to the horizon (the model's steady state; year 0 is the settled start after
  ``run.burn_in_years``), plus the grade mix by period so drift shows;
* the **England** scenario (``scenarios/england.toml``, 22,000 schools, a few seconds a run;
  skip it with ``--no-england``): what only a national-scale world can show - academies
  changing trust (voluntary, intervention, total) and trusts disappearing a year, the rank
  persistence of trusts' outcomes, head vacancies and the starting MAT sizes.

It can also try parameter changes without editing any file (``--set`` and ``--grid`` apply to
both scenarios)::

    uv run python benchmarks/calibrate.py
    uv run python benchmarks/calibrate.py --seeds 32 --england-seeds 32   # the README table
    uv run python benchmarks/calibrate.py --no-england --seeds 10 --set quality.support_effect=0.2
    uv run python benchmarks/calibrate.py --no-england --grid quality.shock_sd_per_year=0.3,0.35

``tests/test_calibration.py`` checks the baseline statistics, with tolerances, in the test
suite; ``tests/test_slow.py`` checks them over 32 seeds and the England statistics (``-m slow``).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulation import Params, load_scenario, run_simulation  # noqa: E402
from simulation.parameters import ParamError  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.toml"
ENGLAND = ROOT / "scenarios" / "england.toml"
DEFAULT_SEEDS = (1, 2, 3, 4, 5, 6)
DEFAULT_ENGLAND_SEEDS = 4  # about 3 s a run

OFSTED = "Ofsted, state-funded schools inspections and outcomes 2019-2024"
DFE_TRANSFERS = (
    "DfE, Academy transfers and funding: 307 academies in 2018-19 (3.6 %), 275 in 2022-23 "
    "(2.7 %), 280 in 2023-24 (2.6 %)"
)
DFE_REASONS = (
    "DfE, Academy transfers and funding, reasons (via Schools Week 2023, Tes 2018): 74 % "
    "initiated by the trust in 2022-23 (204 of 275; 67 % in 2017-18, incl. single-academy "
    "trusts joining MATs), 14 % intervention (24 % in 2017-18), the rest trust closures, mostly "
    "following intervention"
)
BESA = "BESA 2019 (secondary source): 598 / 259 / 85 / 29 of 971 MATs with 2+ schools"
# name -> (low, high, source); shares as fractions. Where a source gives one figure ("about
# 8 %") the band is a plausible reading of "about", stated here rather than hidden in a test.
# Statistics are measured on the baseline (B) or the England scenario (E); a statistic both
# measure (head vacancies, the grade mix) is compared with the same target in each.
TARGETS: dict[str, tuple[float, float, str]] = {
    # B, E: Ofsted's grade mix
    "share_outstanding": (0.14, 0.17, f"{OFSTED}; House of Commons Library"),
    "share_good": (0.72, 0.74, f"{OFSTED}; House of Commons Library"),
    "share_requires_improvement": (0.07, 0.09, f"{OFSTED}: about 8 %"),
    "share_inadequate": (0.015, 0.025, f"{OFSTED}: about 2 %"),
    # B: transitions at the next inspection, phase gap, academisation
    "good_to_good_or_better": (0.86, 0.87, "Ofsted 2019/20 via Tes: 84 % good + 3 % outstanding"),
    "good_to_requires_improvement": (0.10, 0.12, "Ofsted 2019/20 via Tes: about 11 %"),
    "good_to_inadequate": (0.015, 0.025, "Ofsted 2019/20 via Tes: about 2 %"),
    "ri_to_good_or_better": (0.56, 0.78, "Ofsted statistical releases 2016-2022"),
    "inadequate_to_good_or_better": (0.40, 0.56, "Ofsted releases 2019-2021"),
    "primary_good_or_better": (0.88, 0.92, "Ofsted, Dec 2022: about 90 %"),
    "secondary_good_or_better": (0.78, 0.82, "Ofsted, Dec 2022: about 80 %"),
    "phase_gap": (0.08, 0.12, "Ofsted, Dec 2022: secondary about 10 points below primary"),
    "academy_share_growth_pp_per_year": (
        1.0,
        2.0,
        "DfE / FFT Education Datalab: 39 % (2021) -> 43.5 % (2024), about +1.5 pp a year",
    ),
    # B, E: schools without a substantive head
    "head_vacancy_share_year0": (
        0.021,
        0.029,
        "DCSF 618g survey 1998-2007 via Hansard written answers (2000, 2008): 2.1-2.9 % of "
        "head teacher posts temporarily filled",
    ),
    "head_vacancy_share": (
        0.021,
        0.029,
        "DCSF 618g survey 1998-2007 via Hansard written answers (2000, 2008): 2.1-2.9 % of "
        "head teacher posts temporarily filled",
    ),
    # E: academies changing trust a year, as a share of the academies open at the start of it
    "transfer_rate_total": (0.026, 0.036, DFE_TRANSFERS),
    "transfer_rate_voluntary": (
        0.0195,
        0.027,
        f"about 75 % of 2.6-3.6 %: {DFE_REASONS}",
    ),
    "transfer_rate_intervention": (
        0.0039,
        0.009,
        "about 15 % of 2.6-3.6 %, up to 25 % counting trust closures (the model's re-brokering "
        f"includes failed trusts' closures): {DFE_REASONS}",
    ),
    "voluntary_share_of_transfers": (
        0.65,
        0.85,
        f"{DFE_REASONS}; merging trusts' schools count as voluntary in the model",
    ),
    # E: trusts closing or merging into another a year
    "trusts_disappearing_per_year": (
        72.0,
        120.0,
        "Schools Week: about 8 trusts a month (2019-2022) disappear through mergers and "
        "closures, read as 6-10 a month (England: about 2,300-2,500 trusts)",
    ),
    "trust_disappearance_rate": (
        0.03,
        0.05,
        "Schools Week: about 8 a month (2019-2022) of about 2,300-2,500 trusts, about 4 % a year",
    ),
    # E: persistence of trusts' outcomes (MATs with 3+ schools in both years)
    "value_added_rank_corr_5y": (
        0.4,
        0.7,
        "Sutton Trust, Chain Effects 2014-2018: over five years 'little variation in which chains "
        "have performed well' (NGA summary); no correlation is published - read here as a clear "
        "but imperfect rank persistence (quality.capability_effect is calibrated to about 0.5)",
    ),
    # E: starting MAT sizes (year 0); bands are the published share +/- 4 points (26+: +/- half)
    "mat_share_2_to_5": (0.576, 0.656, f"{BESA}: 61.6 %"),
    "mat_share_6_to_11": (0.227, 0.307, f"{BESA}: 26.7 %"),
    "mat_share_12_to_25": (0.048, 0.128, f"{BESA}: 8.8 %"),
    "mat_share_26_plus": (0.015, 0.045, f"{BESA}: 3.0 %"),
    "largest_mat_year0": (80.0, 100.0, "Tes MAT tracker / FFT: the largest trust runs about 90"),
}

GRADE_SHARES = (
    "share_outstanding",
    "share_good",
    "share_requires_improvement",
    "share_inadequate",
)
OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = range(4)  # grade codes in the events
PERSISTENCE_YEARS = (5, 10)  # the five-year rank correlation compares these two years
PERSISTENCE_MIN_SCHOOLS = 3  # Chain Effects: a chain is 3+ academies under one sponsor
MAT_SIZE_BANDS = {
    "mat_share_2_to_5": (2, 5),
    "mat_share_6_to_11": (6, 11),
    "mat_share_12_to_25": (12, 25),
    "mat_share_26_plus": (26, np.inf),
}


def baseline_params() -> Params:
    return load_scenario(BASELINE).params


def england_params() -> Params:
    return load_scenario(ENGLAND).params


def with_overrides(params: Params, overrides: Mapping[str, float | int | str]) -> Params:
    """A copy of ``params`` with ``{"section.key": value}`` changed (validated as usual)."""
    sections: dict[str, dict[str, object]] = {}
    for dotted, value in overrides.items():
        section, _, key = dotted.partition(".")
        current = getattr(params, section, None)
        if not dataclasses.is_dataclass(current) or key not in {
            f.name for f in dataclasses.fields(current)
        }:
            raise ParamError(
                dotted, "unknown parameter; use section.key, e.g. quality.potential_sd"
            )
        sections.setdefault(section, {})[key] = value
    changes = {
        name: dataclasses.replace(getattr(params, name), **keys) for name, keys in sections.items()
    }
    return dataclasses.replace(params, **changes)


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else float("nan")


def vacancy_statistics(model_table: pd.DataFrame, first_year: int = 1) -> dict[str, float]:
    """Schools without a substantive head as a share of schools: at year 0 (the settled start)
    and pooled over years ``first_year`` .. the last year."""
    m = model_table
    share = m["head_vacancies"] / m["n_schools"]
    later = m["year"] >= first_year
    return {
        "head_vacancy_share_year0": float(share[m["year"] == 0].mean()),
        "head_vacancy_share": float(
            m.loc[later, "head_vacancies"].sum() / m.loc[later, "n_schools"].sum()
        ),
    }


def run_statistics(tables: Mapping[str, pd.DataFrame], first_year: int = 1) -> dict[str, float]:
    """Calibration statistics of one run, pooling years ``first_year`` .. the last year."""
    m = tables["model"]
    m = m[m["year"] >= first_year]
    stats = {name: float(m[name].mean()) for name in GRADE_SHARES}
    stats["share_good_or_better"] = float(m["share_good_or_better"].mean())
    stats["mean_quality"] = float(m["mean_quality"].mean())

    ev = tables["events"]
    insp = ev[(ev["kind"] == "inspection") & (ev["year"] >= first_year)]
    before, after = insp["grade_before"], insp["grade_after"]
    gob = (after >= 0) & (after <= GOOD)
    good = before == GOOD
    stats["good_to_good_or_better"] = _share(gob[good])
    stats["good_to_requires_improvement"] = _share((after == REQUIRES_IMPROVEMENT)[good])
    stats["good_to_inadequate"] = _share((after == INADEQUATE)[good])
    stats["ri_to_good_or_better"] = _share(gob[before == REQUIRES_IMPROVEMENT])
    stats["inadequate_to_good_or_better"] = _share(gob[before == INADEQUATE])
    stats["n_previously_inadequate"] = float((before == INADEQUATE).sum())

    s = tables["schools"]
    s = s[(s["year"] >= first_year) & (s["grade"].notna())]
    phase = s["phase"]
    grade = s["grade"].astype(str)
    s_gob = grade.isin(("outstanding", "good", "0", "1"))
    stats["primary_good_or_better"] = _share(s_gob[phase.astype(str).isin(("primary", "0"))])
    stats["secondary_good_or_better"] = _share(s_gob[phase.astype(str).isin(("secondary", "1"))])
    stats["phase_gap"] = stats["primary_good_or_better"] - stats["secondary_good_or_better"]

    full = tables["model"]
    span = full["year"].max() - full["year"].min()
    growth = full["share_academies"].iloc[-1] - full["share_academies"].iloc[0]
    stats["academy_share_start"] = float(full["share_academies"].iloc[0])
    stats["academy_share_end"] = float(full["share_academies"].iloc[-1])
    stats["academy_share_growth_pp_per_year"] = float(100 * growth / span) if span else 0.0
    stats.update(vacancy_statistics(full, first_year))
    return stats


def rank_persistence(
    trusts: pd.DataFrame,
    column: str,
    year_a: int,
    year_b: int,
    min_schools: int = PERSISTENCE_MIN_SCHOOLS,
) -> tuple[float, int]:
    """Spearman rank correlation of ``column`` between two years over the trusts with at least
    ``min_schools`` schools in both, and how many trusts that is (NaN if fewer than 3)."""

    def year(y: int) -> pd.Series:
        rows = trusts[(trusts["year"] == y) & (trusts["n_schools"] >= min_schools)]
        return rows.set_index("trust_id")[column].dropna()

    a, b = year(year_a), year(year_b)
    both = a.index.intersection(b.index)
    if len(both) < 3:
        return float("nan"), len(both)
    return float(a[both].corr(b[both], method="spearman")), len(both)


def transfer_statistics(model_table: pd.DataFrame, first_year: int = 1) -> dict[str, float]:
    """Academies changing trust a year as a share of the academies open at the start of the
    year (the end of the one before), mean over years ``first_year`` .. the last; the voluntary
    share of all such moves pooled over those years; trusts closing or merging a year."""
    m = model_table.sort_values("year").reset_index(drop=True)
    academies_before = (m["n_schools"] * m["share_academies"]).shift(1)
    trusts_before = m["n_trusts"].shift(1)
    later = m["year"] >= first_year
    voluntary = m.loc[later, "transfers_voluntary"]
    intervention = m.loc[later, "transfers_intervention"]
    gone = m.loc[later, "trust_closures"] + m.loc[later, "trust_mergers"]
    total = voluntary.sum() + intervention.sum()
    return {
        "transfer_rate_voluntary": float((voluntary / academies_before[later]).mean()),
        "transfer_rate_intervention": float((intervention / academies_before[later]).mean()),
        "transfer_rate_total": float(((voluntary + intervention) / academies_before[later]).mean()),
        "voluntary_share_of_transfers": float(voluntary.sum() / total) if total else float("nan"),
        "trusts_disappearing_per_year": float(gone.mean()),
        "trust_disappearance_rate": float((gone / trusts_before[later]).mean()),
    }


def mat_size_statistics(trusts: pd.DataFrame, year: int = 0) -> dict[str, float]:
    """Shares of MATs (trusts with 2+ schools, as BESA counts them) by size band in ``year``,
    the largest, and how many MATs there are."""
    sizes = trusts.loc[(trusts["year"] == year) & (trusts["n_schools"] >= 2), "n_schools"]
    out = {
        name: float(((sizes >= lo) & (sizes <= hi)).mean())
        for name, (lo, hi) in MAT_SIZE_BANDS.items()
    }
    out["n_mats"] = float(len(sizes))
    out["largest_mat"] = float(sizes.max()) if len(sizes) else float("nan")
    return out


def england_statistics(tables: Mapping[str, pd.DataFrame], first_year: int = 1) -> dict[str, float]:
    """The statistics only a national-scale run can show (see the module docstring)."""
    m, trusts = tables["model"], tables["trusts"]
    later = m[m["year"] >= first_year]
    stats = {name: float(later[name].mean()) for name in GRADE_SHARES}
    stats["share_good_or_better"] = float(later["share_good_or_better"].mean())
    stats.update(transfer_statistics(m, first_year))
    last = int(m["year"].max())
    a, b = PERSISTENCE_YEARS
    for column, short in (
        ("value_added", "value_added"),
        ("share_good_or_better", "good_or_better"),
    ):
        yearly = [rank_persistence(trusts, column, y, y + 1)[0] for y in range(first_year, last)]
        stats[f"{short}_rank_corr_1y"] = float(np.nanmean(yearly)) if yearly else float("nan")
        rho, n = rank_persistence(trusts, column, a, b) if last >= b else (float("nan"), 0)
        stats[f"{short}_rank_corr_5y"] = rho
        if short == "value_added":
            stats["mats_compared_5y"] = float(n)
    stats.update(vacancy_statistics(m, first_year))
    start = mat_size_statistics(trusts, 0)
    for name in MAT_SIZE_BANDS:
        stats[name] = start[name]
    stats["mats_year0"] = start["n_mats"]
    stats["largest_mat_year0"] = start["largest_mat"]
    stats["largest_mat_end"] = mat_size_statistics(trusts, last)["largest_mat"]
    stats["mat_share_26_plus_end"] = mat_size_statistics(trusts, last)["mat_share_26_plus"]
    return stats


def period_shares(tables: Mapping[str, pd.DataFrame], years: Iterable[int]) -> dict[str, float]:
    """Grade mix and quality averaged over ``years`` (to see drift).

    ``mean_quality`` is pupil-weighted (it also rises as pupils move to better schools);
    ``school_mean_quality`` is the plain mean over schools.
    """
    years = list(years)
    m = tables["model"]
    m = m[m["year"].isin(years)]
    out = {name: float(m[name].mean()) for name in GRADE_SHARES}
    out["mean_quality"] = float(m["mean_quality"].mean())
    s = tables["schools"]
    out["school_mean_quality"] = float(s.loc[s["year"].isin(years), "quality"].mean())
    out["share_academies"] = float(m["share_academies"].mean())
    return out


def calibration_runs(
    params: Params | None = None, seeds: Iterable[int] = DEFAULT_SEEDS, years: int | None = None
) -> list[dict[str, pd.DataFrame]]:
    params = baseline_params() if params is None else params
    return [run_simulation(params, seed=seed, years=years).tables for seed in seeds]


def england_runs(
    params: Params | None = None, seeds: Iterable[int] = range(1, DEFAULT_ENGLAND_SEEDS + 1)
) -> pd.DataFrame:
    """England statistics, one row per seed (each run's tables are dropped once measured)."""
    params = england_params() if params is None else params
    return pd.DataFrame(
        [england_statistics(run_simulation(params, seed=seed).tables) for seed in seeds]
    )


def summarise(runs: list[Mapping[str, pd.DataFrame]] | pd.DataFrame) -> pd.DataFrame:
    """Mean and spread over seeds of each statistic, with the target band where there is one.

    ``runs`` is a list of runs' tables (the baseline's statistics are computed from them) or a
    table of statistics with one row per seed."""
    if isinstance(runs, pd.DataFrame):
        per_seed = runs
    else:
        per_seed = pd.DataFrame([run_statistics(t) for t in runs])
    rows = []
    for name in per_seed.columns:
        lo, hi, source = TARGETS.get(name, (np.nan, np.nan, ""))
        mean = per_seed[name].mean()
        rows.append(
            {
                "statistic": name,
                "mean": mean,
                "seed_sd": per_seed[name].std(ddof=1) if len(per_seed) > 1 else 0.0,
                "target_lo": lo,
                "target_hi": hi,
                "in_band": "" if np.isnan(lo) else ("yes" if lo <= mean <= hi else "NO"),
                "source": source,
            }
        )
    return pd.DataFrame(rows)


def drift_table(runs: list[Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """Grade mix in years 1-5, 6-10 and 11-15 (means over seeds): a stationary model is flat."""
    last = int(max(t["model"]["year"].max() for t in runs))
    cuts = np.linspace(1, last + 1, 4).round().astype(int)
    rows = {}
    for a, b in itertools.pairwise(cuts):
        label = f"years {a}-{b - 1}"
        rows[label] = pd.DataFrame([period_shares(t, range(a, b)) for t in runs]).mean()
    rows["year 0"] = pd.DataFrame([period_shares(t, [0]) for t in runs]).mean()
    return pd.DataFrame(rows).T.loc[["year 0", *[k for k in rows if k != "year 0"]]]


def score(*summaries: pd.DataFrame) -> float:
    """Squared distance of each mean from its band, in band widths (0 when all in band)."""
    total = 0.0
    for summary in summaries:
        for row in summary.itertuples():
            if np.isnan(row.target_lo) or np.isnan(row.mean):
                continue
            width = max(row.target_hi - row.target_lo, 0.01)
            miss = max(row.target_lo - row.mean, 0.0, row.mean - row.target_hi)
            total += (miss / width) ** 2
    return total


def _parse_value(text: str) -> float | int | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _print_summary(summary: pd.DataFrame) -> None:
    def number(x: float) -> str:
        return f"{x:.4f}" if abs(x) < 10 else f"{x:.1f}"

    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print(
            summary.to_string(
                index=False,
                formatters={
                    "mean": number,
                    "seed_sd": number,
                    "target_lo": lambda x: f"{x:.3f}" if abs(x) < 10 else f"{x:.0f}",
                    "target_hi": lambda x: f"{x:.3f}" if abs(x) < 10 else f"{x:.0f}",
                },
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(DEFAULT_SEEDS), help="seeds 1..N")
    parser.add_argument("--years", type=int, default=None, help="horizon (default: scenario)")
    parser.add_argument(
        "--england-seeds",
        type=int,
        default=DEFAULT_ENGLAND_SEEDS,
        metavar="N",
        help=f"seeds 1..N of the England scenario (default {DEFAULT_ENGLAND_SEEDS}; about 3 s "
        "a run; its own horizon)",
    )
    parser.add_argument("--no-england", action="store_true", help="the baseline only (quick)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override"
    )
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="SECTION.KEY=V1,V2,...",
        help="try every combination of these values and rank them by distance from the targets",
    )
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.england_seeds < 1:
        parser.error("--seeds and --england-seeds must be at least 1")
    seeds = range(1, args.seeds + 1)
    england_seeds = range(1, args.england_seeds + 1)
    try:
        settings = {k: _parse_value(v) for k, v in (item.split("=", 1) for item in args.set)}
        axes = [
            (k, [_parse_value(v) for v in vs.split(",")])
            for k, vs in (item.split("=", 1) for item in args.grid)
        ]
        base = with_overrides(baseline_params(), settings)
        england = None if args.no_england else with_overrides(england_params(), settings)
        for key, values in axes:
            for value in values:
                with_overrides(base, {key: value})
    except (ValueError, ParamError) as err:
        parser.error(f"bad --set/--grid value: {err}")

    def measure(point: Mapping[str, float | int | str]):
        runs = calibration_runs(with_overrides(base, point), seeds, args.years)
        parts = [summarise(runs)]
        if england is not None:
            parts.append(summarise(england_runs(with_overrides(england, point), england_seeds)))
        return runs, parts

    if args.grid:
        results = []
        for values in itertools.product(*(vals for _, vals in axes)):
            point = dict(zip((k for k, _ in axes), values, strict=True))
            _, parts = measure(point)
            results.append((score(*parts), point, parts))
            print(f"score {results[-1][0]:8.3f}  {point}", flush=True)
        results.sort(key=lambda r: r[0])
        print(f"\nbest: {results[0][1]} (score {results[0][0]:.3f})")
        for part in results[0][2]:
            _print_summary(part)
            print()
        return 0
    started = time.perf_counter()
    runs, parts = measure({})
    print(f"baseline, seeds 1-{args.seeds}, years 1-horizon pooled; mean over seeds\n")
    _print_summary(parts[0])
    print(
        "\ndrift check (grade mix and mean quality by period, mean over seeds; year 0 is the"
        "\nstarting state, settled by run.burn_in_years of unreported years before it):"
    )
    print(drift_table(runs).to_string(float_format="{:.4f}".format))
    if england is not None:
        print(
            f"\nEngland (scenarios/england.toml), seeds 1-{args.england_seeds}, years 1-horizon; "
            "mean over seeds. Transfers are shares of the academies open at the start of each "
            "year;\nrank correlations are Spearman's over MATs with "
            f"{PERSISTENCE_MIN_SCHOOLS}+ schools in both years (1y: consecutive years, mean; "
            f"5y: years {PERSISTENCE_YEARS[0]} and {PERSISTENCE_YEARS[1]}); MAT sizes at year 0, "
            "MATs with 2+ schools\n"
        )
        _print_summary(parts[1])
    print(
        f"\nscore {score(*parts):.3f} (0 = every statistic in its band); "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
