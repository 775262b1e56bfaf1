"""Intelligence: what each central team believes about the quality of its schools.

Between inspections a trust sees its schools through its monitoring (visits, data, reports),
modelled as the true quality plus noise whose size is the trust's ``monitoring_noise``
multiplier times ``central_team.monitoring_sd``. Support is then aimed at the schools the
trust *believes* are weakest, so poor intelligence means weak schools are spotted later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..central_team import for_schools

if TYPE_CHECKING:
    from ..model import MATModel


def gather_intelligence(model: MATModel) -> None:
    s = model.schools_data
    rng = model.streams["intelligence"]
    noise_scale = model.params.central_team.monitoring_sd * for_schools(
        model, model.trusts_data.monitoring_noise, 1.0
    )
    s.perceived_quality = s.quality + rng.normal(0.0, 1.0, len(s)) * noise_scale
