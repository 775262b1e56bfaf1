"""Trusts: the central team's funding and costs, growth strategies and the starting trusts."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ParamError, Section, brief, param
from .operating import OperatingModel, ReviewParams

ACCEPT_RULES = ("any", "good_only", "golden_rule")
PHASE_PREFERENCES = ("any", "primary", "secondary", "mixed")
SEEK_ORDERS = ("nearest", "anywhere", "weak", "hubs")


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
    ceo_full_time_pupils: float = param(
        3_000.0,
        "pupils",
        "assumption: below this a trust's CEO role is part of an executive headship and costs "
        "a share of a full CEO (sector pay benchmarks scale CEO pay with trust size)",
        lo=1,
        hi=1e6,
    )
    ceo_min_cost_share: float = param(
        0.15,
        "share of ceo_cost_gbp",
        "assumption: what the smallest MAT pays for its CEO role (a head's uplift)",
        lo=0,
        hi=1,
    )
    improvement_lead_cost_gbp: float = param(95_000.0, "GBP per year", "assumption", lo=0, hi=1e6)
    business_cost_per_pupil_gbp: float = param(
        110.0,
        "GBP per pupil per year",
        "assumption: finance, HR, estates, IT and governance support",
        lo=0,
        hi=2_000,
    )
    board_cost_gbp: float = param(
        10_000.0,
        "GBP per year",
        "assumption: clerking, audit and trustee costs every trust carries",
        lo=0,
        hi=1e6,
    )
    governance_cost_per_school_gbp: float = param(
        3_000.0,
        "GBP per school per year",
        "assumption: local governance and reporting grow with the schools governed",
        lo=0,
        hi=1e6,
    )
    reserve_cap_years: float = param(
        1.0, "years of central income", "assumption: reserves above this are spent", lo=0, hi=10
    )
    starting_reserve_years: float = param(
        0.3,
        "years of central income",
        "assumption: trusts start with some central reserves (academy trusts typically hold "
        "reserves of a few months' income); the years settled before year 0 move them on",
        lo=0,
        hi=10,
    )
    deficit_years_to_intervene: int = param(
        3,
        "consecutive years",
        "assumption: after this many years of central deficit the regulator closes the trust "
        "and re-brokers its schools (ESFA financial notice to improve, then termination)",
        lo=1,
        hi=50,
    )
    ceo_qa_schools: float = param(
        2.0,
        "school-equivalents of oversight",
        "assumption: a CEO who has stepped back still oversees through quality assurance, "
        "challenge and support (seed 000), worth part of a hands-on improver's span",
        lo=0,
        hi=50,
    )
    founding_school_favour: float = param(
        0.3,
        "quality units",
        "seed 000: trustees 'need to have the interests of all schools in the MAT at heart, not "
        "just their original school' - under a representative board the trust's founding "
        "schools are put this much further up the queue for support than their need says",
        lo=0,
        hi=5,
    )
    strong_joiner_resentment: float = param(
        0.15,
        "commitment (0-1)",
        "seed 000: the joining-policy choice 'becomes particularly challenging when the new "
        "school is high-performing' - a good or outstanding joiner made to align without input "
        "loses this much of the commitment it would otherwise reach",
        lo=0,
        hi=1,
    )
    executive_min_skill: float = param(
        0.6,
        "skill (0-1)",
        "assumption: heads strong enough to be deployed as executive heads",
        lo=0,
        hi=1,
    )
    executive_share: float = param(
        0.5,
        "share of a head's effect",
        "assumption: an executive head deployed to a second school gives it part of their week",
        lo=0,
        hi=1,
    )
    interim_ceo_share: float = param(
        0.5,
        "share of a CEO's capacity",
        "assumption: while the CEO post is vacant a head acts up and covers part of the role",
        lo=0,
        hi=1,
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
        0.07,
        "probability per year for small trusts",
        "Schools Week: ~8 trusts a month disappear through mergers or closures (2019-2022)",
        lo=0,
        hi=1,
    )
    merge_max_schools: int = param(
        3,
        "schools",
        "calibrated with merge_probability_per_year: ~8 trusts a month disappear (Schools Week, "
        "2019-2022), mostly single-academy and small trusts joining larger ones",
        lo=1,
        hi=1_000,
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
        "(a sponsor); 'hubs' grows all-through hubs - feeder primaries around each of its "
        "secondaries until a hub has hub_feeders of them, then a new secondary to start the "
        "next hub (seed 001)",
        choices=SEEK_ORDERS,
    )
    hub_feeders: int = param(
        4,
        "primaries per secondary",
        "assumption: a hub is a secondary and its feeder primaries (seed 001)",
        lo=1,
        hi=50,
    )
    hub_radius_km: float = param(
        8.0,
        "km",
        "assumption: feeder primaries lie within this distance of their secondary",
        lo=0.1,
        hi=500,
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
class TransferParams(Section):
    """Voluntary transfers: a trust hands schools it cannot reach or serve to a better-placed
    trust nearby. (Intervention transfers are the regulator's re-brokering, under [policy].)"""

    section_name = "transfers"

    stretched_per_year: float = param(
        0.35,
        "probability per misplaced school per year",
        "calibrated: 2.6-3.6 % of academies change trust a year, ~75 % initiated by the outgoing "
        "trust (DfE, Academy transfers and funding, 2018-19 to 2023-24); a trust past a "
        "geography or capacity break point hands on the schools it serves worst (seed 000)",
        lo=0,
        hi=1,
    )
    consolidate_per_year: float = param(
        0.1,
        "probability per outlying school per year",
        "calibrated with stretched_per_year (DfE transfers): trusts also consolidate "
        "geographically without a break point forcing them",
        lo=0,
        hi=1,
    )
    outlying_km: float = param(
        8.0,
        "km from the trust's base",
        "assumption: a school this far from the base is outlying for the trust's way of "
        "working together (collaborating schools ideally within 20 minutes, Robert Hill)",
        lo=0,
        hi=1_000,
    )
    radius_km: float = param(
        40.0,
        "km",
        "assumption: the receiving trust is found within this distance of the school",
        lo=0,
        hi=2_000,
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
    mat_size_distribution: str = param(
        "lognormal",
        "distribution of extra schools beyond two",
        "calibrated: a lognormal matches the published size bands with their long tail (BESA "
        "2019: <=5: 598, 6-11: 259, 12-25: 85, 26+: 29 of 971 MATs; largest ~90); 'gamma' "
        "keeps the earlier, thinner-tailed fit",
        choices=("lognormal", "gamma"),
    )
    mat_size_sigma: float = param(
        1.2,
        "log-scale sd",
        "calibrated: lognormal spread fitted to the BESA 2019 bands (model 60/26/11/3 % vs "
        "published 62/27/9/3 %)",
        lo=0.05,
        hi=5,
    )
    mat_size_shape: float = param(
        0.9,
        "shape",
        "assumption: gamma shape fitted by eye to BESA 2019 bands (used with "
        "mat_size_distribution = 'gamma')",
        lo=0.05,
        hi=20,
    )
    growth_target_shape: float = param(
        0.5,
        "gamma shape",
        "calibrated: starting MATs differ in appetite (a few grow fast), so the largest trusts "
        "reach the sizes published (largest ~90, 26+ schools ~3 % of MATs; Tes / FFT / BESA); "
        "0 gives every trust the scenario's growth.target_schools_per_year",
        lo=0,
        hi=100,
    )
    improvement_leads_per_school: float = param(
        0.12, "leads per school", "assumption: starting central teams", lo=0, hi=2
    )
    preset_mix: str = param(
        "sector",
        "how starting trusts' operating models are set",
        "'sector': starting MATs (not named ones) take the presets in the shares below, as "
        "the sector holds both of the report's clusters (seed 000); 'scenario': every starting "
        "MAT takes [operating_model]",
        choices=("sector", "scenario"),
    )
    share_autonomous: float = param(
        0.35,
        "share of starting MATs",
        "assumption: the report's cluster 1 (autonomous) is a large minority (seed 000)",
        lo=0,
        hi=1,
    )
    share_standardised: float = param(0.1, "share of starting MATs", "assumption", lo=0, hi=1)
    share_earned_autonomy: float = param(
        0.1, "share of starting MATs", "assumption (seed 000: 'earned autonomy')", lo=0, hi=1
    )
    share_hub_and_cluster: float = param(
        0.05, "share of starting MATs", "assumption (seed 001: the hub model)", lo=0, hi=1
    )
    named: tuple[NamedTrust, ...] = param((), "list of tables", "scenario")

    def preset_shares(self) -> dict[str, float]:
        """Share of starting MATs per operating-model preset (the rest 'aligned')."""
        shares = {
            "autonomous": self.share_autonomous,
            "standardised": self.share_standardised,
            "earned_autonomy": self.share_earned_autonomy,
            "hub_and_cluster": self.share_hub_and_cluster,
        }
        return {"aligned": 1.0 - sum(shares.values()), **shares}

    def validate(self) -> None:
        shares = self.preset_shares()
        if shares["aligned"] < -1e-9:
            raise ParamError(
                "trusts.share_autonomous",
                "the preset shares (autonomous, standardised, earned_autonomy, hub_and_cluster) "
                f"add up to {1 - shares['aligned']:.2f}; they must not exceed 1",
            )
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
