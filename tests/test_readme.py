"""The README keeps its promises: the two set-up commands first, every break point explained."""

from __future__ import annotations

from pathlib import Path

from simulation.breakpoints import BREAK_POINTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
CI = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()


def test_the_first_screen_gives_the_run_and_test_commands():
    first_screen = "\n".join(README.splitlines()[:12])
    assert "uv run matsim run scenarios/baseline.toml" in first_screen
    assert "uv run pytest" in first_screen


def test_ci_runs_the_readmes_test_command():
    assert "uv run pytest" in CI


def test_every_break_point_is_explained_with_the_parameters_that_drive_it():
    for bp in BREAK_POINTS:
        row = next((line for line in README.splitlines() if line.startswith(f"| `{bp.name}`")), "")
        assert row, f"README has no row for {bp.name}"
        assert f"`{bp.shift.name}`" in row
        for name in bp.parameter_names:
            assert f"`{name}`" in row, f"{bp.name}: README row does not name {name}"
