"""Shared fixtures: tiny worlds that build in milliseconds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulation import MATModel, Params
from simulation.parameters import TrustSetup, WorldParams

TINY_WORLD_TOML = """
[world]
n_schools = 80
towns_per_region = 3

[trusts]
n_multi_academy = 4
n_single_academy = 2
mean_mat_size = 4.0
"""


def tiny_scenario_toml(name: str, description: str, extra: str = "", years: int = 3) -> str:
    """The text of a tiny scenario file (the same world as ``tiny_params``)."""
    header = f'[scenario]\nname = "{name}"\ndescription = "{description}"\n'
    return f"{header}{TINY_WORLD_TOML}{extra}\n[run]\nyears = {years}\n"


def tiny_params(n_schools: int = 80, mats: int = 4, sats: int = 2, **sections) -> Params:
    """A small one-region world; keyword sections replace whole parameter sections."""
    base = Params(
        world=WorldParams(n_schools=n_schools, towns_per_region=3),
        trusts=TrustSetup(n_multi_academy=mats, n_single_academy=sats, mean_mat_size=4.0),
    )
    return replace(base, **sections)


@pytest.fixture
def tiny_model() -> MATModel:
    return MATModel(tiny_params(), rng=11)
