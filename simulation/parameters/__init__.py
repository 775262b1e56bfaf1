"""All model parameters, grouped by concept. ``Params`` is the root the model is built from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .base import ParamError, Section, param

# last: the break points' own parameter sections join [break_points] (their modules read the
# sections above)
from .break_points import BreakPointParams  # noqa: E402
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


@dataclass(frozen=True)
class RunParams(Section):
    """How long to run and which seed to use when none is given on the command line."""

    section_name = "run"

    years: int = param(15, "years", "DESIGN.md: the default horizon is 15 years", lo=1, hi=200)
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
