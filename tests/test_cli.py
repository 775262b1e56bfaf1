"""The ``matsim`` command line, in process and as a real subprocess, including bad input."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation import cli, load_scenario, scenario_commands
from simulation import output as output_module
from simulation import run as run_module
from simulation.scenario import SCENARIO_DIR

from .conftest import tiny_scenario_toml

TINY = tiny_scenario_toml("tiny", "a tiny world for CLI tests", years=3)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory holding ``tiny.toml``; default outputs land here."""
    (tmp_path / "tiny.toml").write_text(TINY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_writes_the_default_directory_and_prints_a_summary(workdir, capsys):
    assert cli.main(["run", "tiny.toml", "--seed", "5"]) == 0
    out = workdir / "results" / "tiny-5"
    names = {p.name for p in out.iterdir()}
    assert {f"{t}.parquet" for t in ("model", "trusts", "schools", "events")} <= names
    assert {"metadata.json", "columns.json", "figures"} <= names
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 5 and meta["parameters"]["run"]["seed"] == 5
    assert meta["years"] == 3
    assert pd.read_parquet(out / "model.parquet")["year"].tolist() == [0, 1, 2, 3]
    stdout = capsys.readouterr().out
    for phrase in ("tiny (seed 5): 3 years, 80 schools", "share good or better", "trusts"):
        assert phrase in stdout
    for phrase in ("disadvantage gap", "brokered", "head vacancies", "wall time"):
        assert phrase in stdout
    assert str(out) in stdout


def test_options_override_the_scenario(workdir, capsys):
    argv = ["run", "tiny.toml", "--seed", "9", "--years", "2", "--out", "trial"]
    assert cli.main([*argv, "--format", "csv", "--no-figures", "--quiet"]) == 0
    out = workdir / "trial"
    assert capsys.readouterr().out.strip() == str(out)
    assert pd.read_csv(out / "model.csv")["year"].tolist() == [0, 1, 2]
    assert not (out / "figures").exists() and not list(out.glob("*.parquet"))
    meta = json.loads((out / "metadata.json").read_text())
    assert (meta["seed"], meta["years"], meta["parameters"]["run"]["years"]) == (9, 2, 2)
    assert not (workdir / "results").exists()


def test_a_shipped_scenario_can_be_named_without_a_path(capsys):
    assert cli.main(["check", "baseline"]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {SCENARIO_DIR / 'baseline.toml'} (baseline): ")


def test_subprocess_run_and_bad_input(workdir):
    command = [sys.executable, "-m", "simulation.cli", "run", "tiny.toml", "--seed", "2"]
    done = subprocess.run(
        [*command, "--no-figures"], cwd=workdir, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (workdir / "results" / "tiny-2" / "metadata.json").exists()
    assert "share good or better" in done.stdout

    bad = subprocess.run(
        [*command[:-2], "--seed", "-4"], cwd=workdir, capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: argument --seed")
    assert not (workdir / "results" / "tiny--4").exists()


def test_check_validates_without_running(workdir, capsys):
    assert cli.main(["check", "tiny.toml"]) == 0
    assert capsys.readouterr().out == "ok: tiny.toml (tiny): a tiny world for CLI tests\n"
    assert list(workdir.iterdir()) == [workdir / "tiny.toml"]


def test_scenarios_lists_every_shipped_file_within_100_columns(capsys):
    assert cli.main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 100
    entries: list[list[str]] = []  # a scenario's first line, then its wrapped continuation
    for line in lines:
        if line.startswith(" "):
            entries[-1].append(line.strip())
        else:
            entries.append([line])
    shipped = sorted(SCENARIO_DIR.glob("*.toml"))
    assert len(entries) == len(shipped) >= 2
    for entry, path in zip(entries, shipped, strict=True):
        scenario = load_scenario(path)
        assert path.name == f"{scenario.name}.toml"  # so the file is not listed again
        name, _, first = entry[0].partition(" ")
        assert name == scenario.name
        assert " ".join([first.strip(), *entry[1:]]) == scenario.description


def test_scenario_lines_wrap_and_name_a_file_that_differs():
    rows = [("a", "a.toml", "word " * 40), ("b", "other.toml", "short")]
    lines = scenario_commands.scenario_lines(rows, width=60)
    assert max(len(line) for line in lines) <= 60
    assert lines[0].startswith("a ") and lines[1].startswith(" ")
    assert lines[-1].startswith("b (other.toml)") and lines[-1].endswith("short")


def test_params_documents_every_parameter_with_its_source(capsys):
    assert cli.main(["params"]) == 0
    text = capsys.readouterr().out
    for name, section in scenario_commands.sections().items():
        assert f"[{name}]" in text
        for row in section.describe():
            assert f"  {row['name']} = {row['default']!r}\n" in text
            assert f"source: {row['source']}" in text
    assert "DESIGN.md" not in text  # a file users do not have; sources name what they do
    assert cli.main(["params", "inspection"]) == 0
    only = capsys.readouterr().out
    assert "[inspection]" in only and "[world]" not in only


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_every_command_explains_itself(command, capsys):
    assert cli.main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "example" in text and f"matsim {command}" in text
    assert "%%" not in text  # argparse's escaping must not leak into what people read


def test_the_command_list_names_every_command_with_its_help(capsys):
    assert cli.main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps long help lines
    for name, (_, help_) in cli.COMMANDS.items():
        assert name in text and help_ in text


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_a_commands_registry_help_is_its_own_help(command):
    """The one-line help in the registry (for `matsim --help`) is the one the command's own
    module registers, so the two cannot drift apart."""
    parser = cli.build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {action.dest: action.help for action in sub._choices_actions}
    assert helps[command] == cli.COMMANDS[command][1]


BAD_FILES = {
    "malformed TOML": ("[world\nn_schools = 3\n", ["bad.toml", "malformed TOML"]),
    "misspelt key": ("[world]\nn_schoools = 80\n", ["bad.toml", "world.n_schoools", "n_schools"]),
    "wrong type": ('[world]\nn_schools = "many"\n', ["bad.toml", "world.n_schools", "integer"]),
    "out of range": ("[world]\nn_schools = 1\n", ["bad.toml", "world.n_schools", "allowed"]),
    "unknown section": ("[wrld]\nn_schools = 80\n", ["bad.toml", "wrld", "world"]),
    "extends itself": ('[scenario]\nextends = "bad.toml"\n', ["bad.toml", "scenario.extends"]),
}


def assert_one_line_error(capsys, code: int, expected: list[str]) -> str:
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    for part in expected:
        assert part in lines[0], (part, lines[0])
    return lines[0]


@pytest.mark.parametrize("command", ["run", "check"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_scenario_file_is_one_line_and_exit_2(case, command, workdir, capsys):
    content, expected = BAD_FILES[case]
    (workdir / "bad.toml").write_text(content)
    assert_one_line_error(capsys, cli.main([command, "bad.toml"]), expected)
    assert sorted(p.name for p in workdir.iterdir()) == ["bad.toml", "tiny.toml"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "missing.toml"], ["missing.toml", "file not found"]),
        (["check", "nowhere/missing.toml"], ["missing.toml", "file not found"]),
        (["run", "tiny.toml", "--format", "xml"], ["--format", "xml", "parquet", "csv"]),
        (["run", "tiny.toml", "--years", "-3"], ["--years", "-3", "allowed 1 to"]),
        (["run", "tiny.toml", "--years", "0"], ["--years", "0", "allowed 1 to"]),
        (["run", "tiny.toml", "--seed", "-1"], ["--seed", "-1", "allowed 0 to"]),
        (["run", "tiny.toml", "--seed", "one"], ["--seed", "integer"]),
        (["run", "tiny.toml", "--out", "tiny.toml"], ["tiny.toml", "not a directory"]),
        (["params", "wrld"], ["wrld", "world"]),
        (["launch", "tiny.toml"], ["launch", "run"]),
    ],
)
def test_bad_options_are_one_line_and_exit_2(argv, expected, workdir, capsys):
    assert_one_line_error(capsys, cli.main(argv), expected)
    assert [p.name for p in workdir.iterdir()] == ["tiny.toml"]


def test_a_non_run_directory_is_refused_before_running(workdir, capsys):
    (workdir / "notes").mkdir()
    (workdir / "notes" / "todo.txt").write_text("keep")
    line = assert_one_line_error(
        capsys, cli.main(["run", "tiny.toml", "--out", "notes"]), ["notes", "not a matsim output"]
    )
    assert "todo" not in line
    assert (workdir / "notes" / "todo.txt").read_text() == "keep"


def test_a_crash_while_writing_leaves_no_output(workdir, capsys, monkeypatch):
    original = output_module._write_table

    def failing(df, path, fmt):
        if path.stem == "trusts":
            raise OSError("No space left on device")
        return original(df, path, fmt)

    monkeypatch.setattr(output_module, "_write_table", failing)
    code = cli.main(["run", "tiny.toml", "--seed", "3", "--no-figures"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == ["error: No space left on device; no output written"]
    assert list((workdir / "results").iterdir()) == []


def test_an_interrupted_run_leaves_no_output(workdir, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "run_simulation", interrupted)
    assert cli.main(["run", "tiny.toml"]) == 130
    assert capsys.readouterr().err.startswith("error: interrupted")
    assert [p.name for p in workdir.iterdir()] == ["tiny.toml"]
