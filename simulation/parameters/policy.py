"""The policy context: conversion, brokering and the regulator's tolerance of failure."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Section, param


@dataclass(frozen=True)
class PolicyParams(Section):
    """What the regulator and the funding rules do each year."""

    section_name = "policy"

    voluntary_conversion_per_year: float = param(
        0.02,
        "probability per good-or-better maintained school per year",
        "calibrated: with approaches and brokering the baseline's academy share grows ~1.5 pp a "
        "year, as academies rose from 39 % (2021) to 43.5 % (2024) of schools (FFT / DfE open "
        "academies)",
        lo=0,
        hi=1,
    )
    convert_standalone_share: float = param(
        0.15,
        "share of converters",
        "assumption: some converters form a single-academy trust instead of joining a MAT",
        lo=0,
        hi=1,
    )
    single_academy_grows_per_year: float = param(
        0.03,
        "probability per year",
        "assumption: a strong single-academy trust starts to take schools (becomes a MAT)",
        lo=0,
        hi=1,
    )
    brokering_radius_km: float = param(
        40.0,
        "km",
        "assumption: the regulator looks for sponsors within this distance",
        lo=0,
        hi=2_000,
    )
    rebroker_after_inadequate: int = param(
        2,
        "inadequate grades in the same trust",
        "assumption: a school failing twice under one trust is moved. Real practice is nearer 1 "
        "(DfE, Schools causing concern: termination warning at the first inadequate), and 1 "
        "meets the published transfer figures (intervention ~0.8 % of academies a year), but "
        "then the regulator floods growing trusts with failing academies (Oak Trust closes in "
        "20-54 % of seeds of the question scenarios): sponsor choice needs a capacity rule first",
        lo=1,
        hi=20,
    )
    approach_success_probability: float = param(
        0.2,
        "probability per approach",
        "assumption: a maintained school approached by a trust agrees to join; calibrated with "
        "voluntary_conversion_per_year to academisation of ~1.5 pp of schools a year (FFT / DfE)",
        lo=0,
        hi=1,
    )
    earned_autonomy_appeal: float = param(
        1.5,
        "x a strong school's willingness to join",
        "seed 000: 'some CEOs also use [earned autonomy] to encourage higher performing schools "
        "to join their MAT' (size: assumption)",
        lo=1,
        hi=10,
    )
    growth_grant_gbp: float = param(
        50_000.0,
        "GBP per sponsored school",
        "assumption: DfE trust capacity fund / sponsor grants, order of magnitude",
        lo=0,
        hi=1e7,
    )
