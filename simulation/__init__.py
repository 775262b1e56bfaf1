"""MAT growth simulation: schools, leaders and trusts' central teams over simulated years.

The model is a tool for thinking about mechanisms, not a forecast.
"""

from .model import MATModel
from .parameters import Params
from .run import RunResult, run_simulation
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "MATModel",
    "Params",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run_simulation",
]
