"""MAT growth simulation: schools, leaders and trusts' central teams over simulated years.

The model is a tool for thinking about mechanisms, not a forecast.

``import simulation`` loads nothing else: each public name is imported from its module the
first time it is used (PEP 562), so the command line, ``matsim check`` and the batch workers
pay only for what they touch. ``from simulation import MATModel, run_simulation`` works as
usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS = {
    "MATModel": "simulation.model",
    "Params": "simulation.parameters",
    "RunResult": "simulation.run",
    "run_simulation": "simulation.run",
    "Scenario": "simulation.scenario",
    "ScenarioError": "simulation.scenario",
    "load_scenario": "simulation.scenario",
}

__all__ = [
    "MATModel",
    "Params",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run_simulation",
]

if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from .model import MATModel
    from .parameters import Params
    from .run import RunResult, run_simulation
    from .scenario import Scenario, ScenarioError, load_scenario


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
