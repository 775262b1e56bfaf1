"""Leaders: skill, span of oversight, turnover, the talent pipeline and scarce recruitment."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Section, param


@dataclass(frozen=True)
class LeaderParams(Section):
    """Heads, executive leaders and the pipeline that grows them."""

    section_name = "leaders"

    skill_mean: float = param(
        0.5,
        "skill (0-1)",
        "assumption: skill is a 0-1 index, 0.5 an average new appointment; heads in post average "
        "more as they learn, and a head's effect on quality is measured against the mean skill "
        "of heads in post (quality.head_skill_effect)",
        lo=0,
        hi=1,
    )
    skill_sd: float = param(0.15, "skill (0-1)", "assumption", lo=0, hi=0.5)
    skill_growth_per_year: float = param(
        0.03, "fraction of headroom per year", "assumption: leaders learn on the job", lo=0, hi=1
    )
    executive_span_schools: float = param(
        4.5,
        "schools",
        "seed 002: an executive leader can oversee 'four or perhaps five schools'",
        lo=1,
        hi=50,
    )
    head_turnover_per_year: float = param(
        0.10,
        "probability per year",
        "assumption informed by DfE School Workforce: about 1 in 10 heads leave a post a year",
        lo=0,
        hi=1,
    )
    weak_school_turnover_multiplier: float = param(
        1.6, "multiplier", "assumption: heads of weak schools leave more often", lo=1, hi=10
    )
    executive_turnover_per_year: float = param(
        0.08, "probability per year", "assumption", lo=0, hi=1
    )
    external_fill_probability: float = param(
        0.55,
        "probability per vacancy per year",
        "assumption: recruiting CEOs and school-improvement leads is scarce and posts can stay "
        "open for years (seed 002: 'some MAT CEOs have waited a long time')",
        lo=0,
        hi=1,
    )
    head_fill_probability: float = param(
        0.75,
        "probability per vacant headship per year",
        "calibrated: 2.1-2.9 % of headships temporarily filled or vacant (DCSF 618g survey, "
        "1998-2007, Hansard written answers 2000 and 2008)",
        lo=0,
        hi=1,
    )
    internal_skill_bonus: float = param(
        0.05, "skill (0-1)", "assumption: a home-grown head knows the trust's model", lo=0, hi=0.5
    )
    sle_growth_per_year: float = param(
        0.12,
        "probability per strong school in a trust per year",
        "assumption: talent pipeline teachers -> middle leaders -> SLEs (seed 002)",
        lo=0,
        hi=1,
    )
    sle_per_school_max: int = param(2, "SLEs per school", "assumption", lo=0, hi=20)
    sle_support_share: float = param(
        0.3,
        "share of a full support unit",
        "assumption: an SLE gives part of a week to a school in need",
        lo=0,
        hi=1,
    )
    strong_school_support_share: float = param(
        0.3,
        "share of a full support unit",
        "assumption: a strong school's staff time given to weak schools, besides its SLEs",
        lo=0,
        hi=2,
    )
    sle_promotion_min_skill: float = param(
        0.45, "skill (0-1)", "assumption: SLEs ready for headship", lo=0, hi=1
    )
