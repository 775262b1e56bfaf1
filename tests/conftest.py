"""Shared fixtures: tiny worlds that build in milliseconds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulation import MATModel, Params
from simulation.parameters import NamedTrust, OperatingModel, ReviewParams, TrustSetup, WorldParams

TINY_WORLD_TOML = """
[world]
n_schools = {n_schools}
towns_per_region = 3

[trusts]
n_multi_academy = {mats}
n_single_academy = 2
mean_mat_size = 4.0
"""


def tiny_scenario_toml(
    name: str,
    description: str,
    extra: str = "",
    years: int | None = 3,
    n_schools: int = 80,
    mats: int = 4,
) -> str:
    """The text of a tiny scenario file (by default the same world as ``tiny_params``).

    ``extra`` is appended after ``[trusts]`` (more keys or whole tables, e.g. named trusts);
    ``years=None`` leaves ``[run]`` out so the scenario's default applies.
    """
    header = f'[scenario]\nname = "{name}"\ndescription = "{description}"\n'
    world = TINY_WORLD_TOML.format(n_schools=n_schools, mats=mats)
    run = "" if years is None else f"\n[run]\nyears = {years}\n"
    return f"{header}{world}{extra}{run}"


def named_oak_toml(n_schools: int = 4, **growth: str) -> str:
    """A ``[[trusts.named]]`` block for Oak Trust with TOML-valued growth keys."""
    lines = "".join(f"{key} = {value}\n" for key, value in growth.items())
    oak = f'\n[[trusts.named]]\nname = "Oak Trust"\nn_schools = {n_schools}\n'
    return oak + (f"\n[trusts.named.growth]\n{lines}" if growth else "")


def tiny_params(n_schools: int = 80, mats: int = 4, sats: int = 2, **sections) -> Params:
    """A small one-region world; keyword sections replace whole parameter sections."""
    base = Params(
        world=WorldParams(n_schools=n_schools, towns_per_region=3),
        trusts=TrustSetup(n_multi_academy=mats, n_single_academy=sats, mean_mat_size=4.0),
    )
    return replace(base, **sections)


def named_trust_world(
    n_schools: int, policy: str = "static", mats: int = 0, sats: int = 0, **levers
) -> MATModel:
    """A 120-school world whose trust 0 is the named trust Oak with these operating levers.

    Oak starts with no improvement leads and a hands-on CEO (the defaults), so its
    break-point loads are the design's own; ``mats``/``sats`` add unnamed trusts around it.
    """
    params = tiny_params(n_schools=120, mats=mats, sats=sats)
    named = NamedTrust(
        name="Oak",
        n_schools=n_schools,
        operating_model=OperatingModel(**levers),
        review=ReviewParams(policy=policy),
    )
    return MATModel(replace(params, trusts=replace(params.trusts, named=(named,))), rng=5)


@pytest.fixture
def tiny_model() -> MATModel:
    return MATModel(tiny_params(), rng=11)
