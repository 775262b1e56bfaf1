"""Calibration of the baseline against Ofsted's published inspection statistics.

Runs the baseline scenario over several seeds and prints each calibration statistic (years 1 to
the horizon pooled, i.e. the model's steady state rather than its starting state) against its
published target band, plus the same grade mix for the first and last thirds of the run so
drift shows. It can also try parameter changes without editing any file::

    .venv/bin/python benchmarks/calibrate.py
    .venv/bin/python benchmarks/calibrate.py --seeds 10 --set quality.support_effect=0.2
    .venv/bin/python benchmarks/calibrate.py --grid quality.shock_sd_per_year=0.25,0.3,0.35

Targets (see ``TARGETS``) are Ofsted, state-funded schools inspections and outcomes 2019-2024
(grade mix, transitions by previous grade, the Dec 2022 phase gap) and DfE / FFT Education
Datalab for the pace of academisation (39 % of schools in 2021 to 43.5 % in 2024).
``tests/test_calibration.py`` checks the same statistics, with tolerances, in the test suite.
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
DEFAULT_SEEDS = (1, 2, 3, 4, 5, 6)

OFSTED = "Ofsted, state-funded schools inspections and outcomes 2019-2024"
# name -> (low, high, source); shares as fractions. Where a source gives one figure ("about
# 8 %") the band is a plausible reading of "about", stated here rather than hidden in a test.
TARGETS: dict[str, tuple[float, float, str]] = {
    "share_outstanding": (0.14, 0.17, f"{OFSTED}; House of Commons Library"),
    "share_good": (0.72, 0.74, f"{OFSTED}; House of Commons Library"),
    "share_requires_improvement": (0.07, 0.09, f"{OFSTED}: about 8 %"),
    "share_inadequate": (0.015, 0.025, f"{OFSTED}: about 2 %"),
    "good_to_good_or_better": (0.86, 0.87, "Ofsted 2019/20 via Tes: 84 % good + 3 % outstanding"),
    "good_to_requires_improvement": (0.10, 0.12, "Ofsted 2019/20 via Tes: about 11 %"),
    "good_to_inadequate": (0.015, 0.025, "Ofsted 2019/20 via Tes: about 2 %"),
    "ri_to_good_or_better": (0.56, 0.78, "Ofsted statistical releases 2016-2022"),
    "inadequate_to_good_or_better": (0.40, 0.56, "Ofsted releases 2019-2021"),
    "primary_good_or_better": (0.88, 0.92, "Ofsted, Dec 2022: about 90 %"),
    "secondary_good_or_better": (0.78, 0.82, "Ofsted, Dec 2022: about 80 %"),
    "academy_share_growth_pp_per_year": (
        1.0,
        2.0,
        "DfE / FFT Education Datalab: 39 % (2021) -> 43.5 % (2024), about +1.5 pp a year",
    ),
}

GRADE_SHARES = (
    "share_outstanding",
    "share_good",
    "share_requires_improvement",
    "share_inadequate",
)
OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = range(4)  # grade codes in the events


def baseline_params() -> Params:
    return load_scenario(BASELINE).params


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

    full = tables["model"]
    span = full["year"].max() - full["year"].min()
    growth = full["share_academies"].iloc[-1] - full["share_academies"].iloc[0]
    stats["academy_share_start"] = float(full["share_academies"].iloc[0])
    stats["academy_share_end"] = float(full["share_academies"].iloc[-1])
    stats["academy_share_growth_pp_per_year"] = float(100 * growth / span) if span else 0.0
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


def summarise(runs: list[Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """Mean and spread over seeds of each statistic, with the target band where there is one."""
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


def score(summary: pd.DataFrame) -> float:
    """Squared distance of each mean from its band, in band widths (0 when all in band)."""
    total = 0.0
    for row in summary.itertuples():
        if np.isnan(row.target_lo):
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
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(
            summary.to_string(
                index=False,
                formatters={
                    "mean": "{:.4f}".format,
                    "seed_sd": "{:.4f}".format,
                    "target_lo": "{:.3f}".format,
                    "target_hi": "{:.3f}".format,
                },
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(DEFAULT_SEEDS), help="seeds 1..N")
    parser.add_argument("--years", type=int, default=None, help="horizon (default: scenario)")
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
    seeds = range(1, args.seeds + 1)
    try:
        settings = [item.split("=", 1) for item in args.set]
        axes = [
            (k, [_parse_value(v) for v in vs.split(",")])
            for k, vs in (item.split("=", 1) for item in args.grid)
        ]
        base = with_overrides(baseline_params(), {k: _parse_value(v) for k, v in settings})
        for key, values in axes:
            for value in values:
                with_overrides(base, {key: value})
    except (ValueError, ParamError) as err:
        parser.error(f"bad --set/--grid value: {err}")
    if args.grid:
        results = []
        for values in itertools.product(*(vals for _, vals in axes)):
            point = dict(zip((k for k, _ in axes), values, strict=True))
            summary = summarise(calibration_runs(with_overrides(base, point), seeds, args.years))
            results.append((score(summary), point, summary))
            print(f"score {results[-1][0]:8.3f}  {point}", flush=True)
        results.sort(key=lambda r: r[0])
        print(f"\nbest: {results[0][1]} (score {results[0][0]:.3f})")
        _print_summary(results[0][2])
        return 0
    started = time.perf_counter()
    runs = calibration_runs(base, seeds, args.years)
    summary = summarise(runs)
    print(f"baseline, seeds 1-{args.seeds}, years 1-horizon pooled; mean over seeds\n")
    _print_summary(summary)
    print(
        "\ndrift check (grade mix and mean quality by period, mean over seeds; year 0 is the"
        "\nstarting state, whose grades are all fresh, so requires improvement starts high and"
        "\nsettles within about 4 years as weak schools are re-inspected sooner):"
    )
    print(drift_table(runs).to_string(float_format="{:.4f}".format))
    print(
        f"\nscore {score(summary):.3f} (0 = every statistic in its band); "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
