"""All model parameters, grouped by concept. ``Params`` is the root the model is built from."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ParamError, Section, param
from .leaders import LeaderParams
from .policy import PolicyParams
from .quality import GRADES, InspectionParams, QualityParams
from .trusts import (
    ACCEPT_RULES,
    PHASE_PREFERENCES,
    CentralTeamParams,
    GrowthStrategy,
    NamedTrust,
    TrustSetup,
)
from .world import PHASES, WorldParams


@dataclass(frozen=True)
class RunParams(Section):
    """How long to run and which seed to use when none is given on the command line."""

    section_name = "run"

    years: int = param(15, "years", "DESIGN.md: the default horizon is 15 years", lo=1, hi=200)
    seed: int = param(1, "seed", "any non-negative integer", lo=0, hi=2**63 - 1)


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

    def validate(self) -> None:
        for i, named in enumerate(self.trusts.named):
            if named.region >= self.world.n_regions:
                raise ParamError(
                    f"trusts.named[{i}].region",
                    f"{named.region} is out of range; allowed 0 to {self.world.n_regions - 1}",
                )

    @classmethod
    def sections(cls) -> dict[str, type[Section]]:
        return {name: type(getattr(cls(), name)) for name in cls.__dataclass_fields__}


__all__ = [
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
    "TrustSetup",
    "WorldParams",
]
