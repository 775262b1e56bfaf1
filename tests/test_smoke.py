"""The model builds and steps on a tiny world."""

from simulation import MATModel, Params
from simulation.parameters import TrustSetup, WorldParams


def tiny_params() -> Params:
    return Params(
        world=WorldParams(n_schools=60, towns_per_region=3),
        trusts=TrustSetup(n_multi_academy=3, n_single_academy=2, mean_mat_size=4),
    )


def test_a_tiny_world_runs_for_five_years():
    model = MATModel(tiny_params(), rng=5)
    model.run(5)
    assert model.year == 5
    assert len(model.recorder.model_rows) == 6
