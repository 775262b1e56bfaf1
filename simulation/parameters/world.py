"""The synthetic world: map, towns, schools' phases, sizes and intakes."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ParamError, Section, param

PHASES = ("primary", "secondary", "special", "all_through")

_SPC = "DfE, Schools, pupils and their characteristics 2023/24"


@dataclass(frozen=True)
class WorldParams(Section):
    """Geography and the school population the model is built from."""

    section_name = "world"

    n_schools: int = param(400, "schools", "assumption: a county-sized region", lo=2, hi=60_000)
    n_regions: int = param(1, "regions", "assumption", lo=1, hi=50)
    region_size_km: float = param(
        60.0, "km", "assumption: a region is a square about a county across", lo=5.0, hi=600.0
    )
    region_gap_km: float = param(
        20.0, "km", "assumption: distance between neighbouring regions' edges", lo=0.0, hi=500.0
    )
    towns_per_region: int = param(12, "towns", "assumption", lo=1, hi=2_000)
    town_spread_km: float = param(
        4.0, "km", "assumption: sd of schools' scatter around a town centre", lo=0.1, hi=100.0
    )
    rural_share: float = param(
        0.2, "share of schools", "assumption: schools placed uniformly outside towns", lo=0, hi=1
    )
    share_primary: float = param(
        0.775, "share of schools", f"{_SPC}: 16,764 of ~21,600", lo=0, hi=1
    )
    share_secondary: float = param(
        0.16, "share of schools", f"{_SPC} via Tes: ~3,450 of ~21,600", lo=0, hi=1
    )
    share_special: float = param(
        0.05, "share of schools", "assumption: ~1,000 special schools", lo=0, hi=1
    )
    pupils_primary: float = param(275.0, "pupils per school", f"{_SPC}", lo=10, hi=5_000)
    pupils_secondary: float = param(
        1050.0, "pupils per school", "DfE Jan 2024 via Tes (3,669,933 / ~3,450)", lo=50, hi=5_000
    )
    pupils_special: float = param(120.0, "pupils per school", "assumption", lo=10, hi=2_000)
    pupils_all_through: float = param(1400.0, "pupils per school", "assumption", lo=50, hi=5_000)
    pupils_cv: float = param(
        0.35, "coefficient of variation", "assumption: spread of school rolls", lo=0, hi=2
    )
    disadvantage_mean: float = param(
        0.246, "share of pupils", f"{_SPC}: 24.6 % eligible for free school meals", lo=0, hi=1
    )
    disadvantage_town_sd: float = param(
        0.08, "share of pupils", "assumption: deprivation differs between towns", lo=0, hi=0.5
    )
    disadvantage_school_sd: float = param(
        0.06, "share of pupils", "assumption: and between schools in a town", lo=0, hi=0.5
    )
    demographic_change_per_year: float = param(
        -0.005,
        "fraction of pupils per year",
        "assumption: falling rolls (DfE pupil projections show a gentle decline)",
        lo=-0.1,
        hi=0.1,
    )
    admissions_elasticity: float = param(
        0.03,
        "fraction of roll per quality unit per year",
        "assumption: parents move towards better schools in the same town and phase",
        lo=0.0,
        hi=0.5,
    )

    @property
    def share_all_through(self) -> float:
        return 1.0 - self.share_primary - self.share_secondary - self.share_special

    def validate(self) -> None:
        if self.share_all_through < -1e-9:
            raise ParamError(
                "world.share_primary",
                "share_primary + share_secondary + share_special must not exceed 1",
            )

    def phase_shares(self) -> tuple[float, ...]:
        return (
            self.share_primary,
            self.share_secondary,
            self.share_special,
            max(0.0, self.share_all_through),
        )

    def phase_pupils(self) -> tuple[float, ...]:
        return (
            self.pupils_primary,
            self.pupils_secondary,
            self.pupils_special,
            self.pupils_all_through,
        )
