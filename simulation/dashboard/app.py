"""The module ``solara run`` serves for ``matsim workshop``: its ``Page`` is the dashboard."""

from simulation.dashboard.components import Page

__all__ = ["Page"]
