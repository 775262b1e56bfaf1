"""Trusts: the central team's funding and costs, growth strategies and the starting trusts."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ParamError, Section, brief, param
from .operating import OperatingModel, ReviewParams

ACCEPT_RULES = ("any", "good_only", "golden_rule")
PHASE_PREFERENCES = ("any", "primary", "secondary", "mixed")
SEEK_ORDERS = ("nearest", "anywhere", "weak")


@dataclass(frozen=True)
class CentralTeamParams(Section):
    """Funding and costs of a trust's central team, and how it oversees its schools."""

    section_name = "central_team"

    funding_per_pupil_gbp: float = param(
        6_500.0,
        "GBP per pupil per year",
        "assumption: DfE national funding formula 2024-25 averages, rounded",
        lo=1_000,
        hi=30_000,
    )
    top_slice_share: float = param(
        0.045,
        "share of school income",
        "sector benchmarks (Kreston, Schools Week): typically 3-5 %, large trusts ~5.4 %",
        lo=0,
        hi=0.2,
    )
    ceo_cost_gbp: float = param(140_000.0, "GBP per year", "assumption", lo=0, hi=1e6)
    improvement_lead_cost_gbp: float = param(95_000.0, "GBP per year", "assumption", lo=0, hi=1e6)
    business_cost_per_pupil_gbp: float = param(
        110.0,
        "GBP per pupil per year",
        "assumption: finance, HR, estates, IT and governance support",
        lo=0,
        hi=2_000,
    )
    board_cost_gbp: float = param(25_000.0, "GBP per year", "assumption", lo=0, hi=1e6)
    reserve_cap_years: float = param(
        1.0, "years of central income", "assumption: reserves above this are spent", lo=0, hi=10
    )
    ceo_hands_on_schools: float = param(
        4.5,
        "schools",
        "seed 002: a CEO improving schools personally manages 4-5 (practitioner claim)",
        lo=0,
        hi=50,
    )
    monitoring_sd: float = param(
        0.45,
        "quality units",
        "assumption: noise in what the trust knows of a school between inspections",
        lo=0,
        hi=5,
    )
    weak_weight: float = param(
        2.0,
        "school-equivalents",
        "assumption: a weak school needs about twice the oversight of a good one (seed 000)",
        lo=1,
        hi=10,
    )
    failing_share_weak: float = param(
        0.5,
        "share of schools below good",
        "assumption: regulator's view of a failing trust",
        lo=0,
        hi=1,
    )
    failing_years: int = param(
        3, "years", "assumption: consecutive failing years before closure", lo=1, hi=50
    )
    merge_probability_per_year: float = param(
        0.03,
        "probability per year for small trusts",
        "Schools Week: ~8 trusts a month disappear through mergers or closures (2019-2022)",
        lo=0,
        hi=1,
    )
    merge_max_schools: int = param(
        2, "schools", "assumption: trusts this small are the ones that merge", lo=1, hi=1_000
    )
    merge_radius_km: float = param(40.0, "km", "assumption", lo=0, hi=1_000)
    alignment_rate_per_year: float = param(
        0.15,
        "fraction of practice gap closed per year at zero autonomy",
        "assumption: aligning curriculum and assessment takes years (seed 000)",
        lo=0,
        hi=1,
    )
    commitment_adjust_per_year: float = param(
        0.2, "fraction of gap to target per year", "assumption", lo=0, hi=1
    )
    vacancy_cover: float = param(
        0.5,
        "share of the vacancy penalty avoided",
        "assumption: a trust covers a vacant headship with an executive or interim head",
        lo=0,
        hi=1,
    )


@dataclass(frozen=True)
class GrowthStrategy(Section):
    """How fast a trust wants to grow, which schools it takes and from how far."""

    section_name = "growth"

    target_schools_per_year: float = param(
        0.2,
        "schools per year",
        "calibrated: with conversions and brokering, academies grow ~1.5 pp a year (DfE/FFT); "
        "81-87 % of MATs plan to grow (Kreston 2024)",
        lo=0,
        hi=50,
    )
    accept: str = param(
        "golden_rule",
        "rule",
        "seed 002: the golden rule is a practitioner rule of thumb",
        choices=ACCEPT_RULES,
    )
    golden_rule_ratio: float = param(
        3.0,
        "good-or-better schools per weak school",
        "seed 002: 3 good or better for every weak school taken on (practitioner)",
        lo=0,
        hi=50,
    )
    radius_km: float = param(
        25.0, "km from the trust's base", "assumption: trusts grow locally", lo=0, hi=2_000
    )
    phase_preference: str = param("any", "phase", "assumption", choices=PHASE_PREFERENCES)
    seek: str = param(
        "nearest",
        "order of approaches",
        "assumption: most trusts approach the nearest schools; 'anywhere' approaches schools at "
        "random within the radius (far-flung growth); 'weak' approaches the weakest first "
        "(a sponsor)",
        choices=SEEK_ORDERS,
    )
    target_region: int = param(
        -1,
        "region index (-1 = around the base)",
        "scenario lever: a trust expanding into another region looks for schools there",
        lo=-1,
        hi=49,
    )
    max_schools: int = param(
        90, "schools", "Tes MAT tracker / FFT: the largest trust runs ~90 schools", lo=1, hi=10_000
    )


@dataclass(frozen=True)
class NamedTrust(Section):
    """A trust placed by name in a scenario (e.g. the 5-school trust of a case study)."""

    section_name = "trust"

    name: str = param("trust", "name", "scenario")
    n_schools: int = param(5, "schools", "scenario", lo=1, hi=10_000)
    region: int = param(0, "region index", "scenario", lo=0, hi=49)
    improvement_leads: int = param(0, "leads", "scenario", lo=0, hi=1_000)
    weak_schools: int = param(
        0, "schools", "scenario: how many of its starting schools are weak", lo=0, hi=10_000
    )
    strong_schools: int = param(
        0, "schools", "scenario: how many of its starting schools are outstanding", lo=0, hi=10_000
    )
    growth: GrowthStrategy | None = param(None, "table", "scenario: overrides [growth]")
    operating_model: OperatingModel | None = param(
        None, "table", "scenario: overrides [operating_model]"
    )
    review: ReviewParams | None = param(None, "table", "scenario: overrides [review]")

    def validate(self) -> None:
        if self.weak_schools + self.strong_schools > self.n_schools:
            raise ParamError(
                "trust.weak_schools",
                f"weak_schools + strong_schools ({self.weak_schools + self.strong_schools}) "
                f"must not exceed n_schools ({self.n_schools})",
            )


@dataclass(frozen=True)
class TrustSetup(Section):
    """The trusts present at the start, drawn from a size distribution plus named trusts."""

    section_name = "trusts"

    n_multi_academy: int = param(
        30, "trusts", "assumption for the baseline region", lo=0, hi=10_000
    )
    n_single_academy: int = param(
        20,
        "trusts",
        "assumption; England has ~1,000 single-academy trusts (PQ Jan 2024)",
        lo=0,
        hi=10_000,
    )
    mean_mat_size: float = param(
        7.3,
        "schools",
        "PQ 9 Jan 2024: 1,321 MATs run 9,603 academies",
        lo=2,
        hi=100,
    )
    max_mat_size: int = param(
        90, "schools", "Tes MAT tracker / FFT: the largest trust runs ~90 schools", lo=2, hi=10_000
    )
    mat_size_shape: float = param(
        0.9,
        "shape",
        "assumption: gamma shape fitted by eye to BESA 2019 bands (<=5: 598, 6-11: 259, "
        "12-25: 85, 26+: 29)",
        lo=0.05,
        hi=20,
    )
    improvement_leads_per_school: float = param(
        0.12, "leads per school", "assumption: starting central teams", lo=0, hi=2
    )
    named: tuple[NamedTrust, ...] = param((), "list of tables", "scenario")

    def validate(self) -> None:
        if self.max_mat_size < 2 and self.n_multi_academy > 0:
            raise ParamError("trusts.max_mat_size", "must be at least 2 when there are MATs")
        first: dict[str, int] = {}
        for i, named in enumerate(self.named):
            if named.name in first:
                raise ParamError(
                    f"trusts.named[{i}].name",
                    f"{brief(named.name)} is already the name of trusts.named[{first[named.name]}];"
                    " each named trust needs its own name (a child scenario changes an inherited"
                    " trust by repeating its name once)",
                )
            first[named.name] = i
