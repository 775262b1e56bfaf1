"""All model parameters, grouped by concept. ``Params`` is the root the model is built from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .base import ParamError, Section, param
from .break_points import BreakPointParams  # the break points' own sections, joined
from .leaders import LeaderParams
from .operating import (
    AUTONOMY_LEVELS,
    PRESETS,
    REVIEW_POLICIES,
    CoreBreakPointParams,
    OperatingModel,
    ReviewParams,
)
from .policy import PolicyParams
from .quality import GRADES, InspectionParams, QualityParams
from .trusts import (
    ACCEPT_RULES,
    PHASE_PREFERENCES,
    CentralTeamParams,
    GrowthStrategy,
    NamedTrust,
    TransferParams,
    TrustSetup,
)
from .world import PHASES, WorldParams


def region_share(world: WorldParams) -> int:
    """Schools a region holds, as far as can be known before the map is drawn: an equal share
    of ``world.n_schools``. Towns differ in size, so in a given seed one region may hold fewer
    (a trust near this limit then takes its nearest schools across the border, as any trust
    near a border does)."""
    return world.n_schools // world.n_regions


def check_named_trusts_fit(world: WorldParams, trusts: TrustSetup) -> None:
    """Named trusts, each alone and all together, must fit the schools that exist in their
    region (its equal share of the world's schools; the whole world when there is one region).
    Checked before the world is built, so a scenario asking for more is refused by
    ``matsim check`` instead of silently taking every school or crashing in setup. Together they
    can then never ask for more schools than exist."""
    share = region_share(world)
    wanted: dict[int, int] = {}
    for i, named in enumerate(trusts.named):
        wanted[named.region] = wanted.get(named.region, 0) + named.n_schools
        if world.n_regions == 1:
            holds = f"the world holds {share} (world.n_schools)"
        else:
            holds = (
                f"region {named.region} holds about {share} (world.n_schools "
                f"{world.n_schools} shared by world.n_regions {world.n_regions})"
            )
        if named.n_schools > share:
            raise ParamError(
                f"trusts.named[{i}].n_schools",
                f"{named.n_schools} schools asked for but {holds}; allowed 1 to {share}",
            )
        if wanted[named.region] > share:
            others = (
                "the named trusts before it"
                if world.n_regions == 1
                else (f"the named trusts before it in region {named.region}")
            )
            raise ParamError(
                f"trusts.named[{i}].n_schools",
                f"{named.n_schools} schools asked for on top of {others} makes "
                f"{wanted[named.region]} together, but {holds}; lower n_schools or raise "
                "world.n_schools",
            )


@dataclass(frozen=True)
class RunParams(Section):
    """How long to run and which seed to use when none is given on the command line."""

    section_name = "run"

    years: int = param(
        15, "years", "project design brief: one step is a year, 15 years by default", lo=1, hi=200
    )
    seed: int = param(1, "seed", "any non-negative integer", lo=0, hi=2**63 - 1)
    burn_in_years: int = param(
        6,
        "years",
        "assumption: years simulated before year 0 and not reported, so the starting state is "
        "settled (grade histories, head vacancies, reserves, approaches) rather than freshly "
        "drawn; schools do not change trust and the scenario's named trusts make no shifts "
        "during them. Vacancies settle in 3-4 years and the grade mix in about 4",
        lo=0,
        hi=50,
    )


@dataclass(frozen=True)
class Params(Section):
    """The full, resolved parameter set of one scenario."""

    section_name = ""

    run: RunParams = param(RunParams(), "table", "")
    world: WorldParams = param(WorldParams(), "table", "")
    quality: QualityParams = param(QualityParams(), "table", "")
    inspection: InspectionParams = param(InspectionParams(), "table", "")
    leaders: LeaderParams = param(LeaderParams(), "table", "")
    central_team: CentralTeamParams = param(CentralTeamParams(), "table", "")
    growth: GrowthStrategy = param(GrowthStrategy(), "table", "")
    trusts: TrustSetup = param(TrustSetup(), "table", "")
    policy: PolicyParams = param(PolicyParams(), "table", "")
    transfers: TransferParams = param(TransferParams(), "table", "")
    operating_model: OperatingModel = param(OperatingModel(), "table", "")
    review: ReviewParams = param(ReviewParams(), "table", "")
    break_points: BreakPointParams = param(BreakPointParams(), "table", "")

    def validate(self) -> None:
        top = self.world.n_regions - 1

        def check_region(key: str, region: int, lowest: int) -> None:
            if not lowest <= region <= top:
                raise ParamError(key, f"{region} is out of range; allowed {lowest} to {top}")

        check_region("growth.target_region", self.growth.target_region, -1)
        for i, named in enumerate(self.trusts.named):
            check_region(f"trusts.named[{i}].region", named.region, 0)
            if named.growth is not None:
                check_region(
                    f"trusts.named[{i}].growth.target_region", named.growth.target_region, -1
                )
        check_named_trusts_fit(self.world, self.trusts)

    @classmethod
    def sections(cls) -> dict[str, type[Section]]:
        return {f.name: type(getattr(cls(), f.name)) for f in dataclasses.fields(cls)}


__all__ = [
    "AUTONOMY_LEVELS",
    "PRESETS",
    "REVIEW_POLICIES",
    "BreakPointParams",
    "CoreBreakPointParams",
    "OperatingModel",
    "ReviewParams",
    "ACCEPT_RULES",
    "GRADES",
    "PHASES",
    "PHASE_PREFERENCES",
    "CentralTeamParams",
    "GrowthStrategy",
    "InspectionParams",
    "LeaderParams",
    "NamedTrust",
    "ParamError",
    "Params",
    "PolicyParams",
    "QualityParams",
    "RunParams",
    "Section",
    "TransferParams",
    "TrustSetup",
    "WorldParams",
]
