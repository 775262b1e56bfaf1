"""What matsim refuses: every malformed input is one ``error:`` line naming the file and the
key, exit code 2, no traceback and no output folder (issue 13).

Each case is a file a careless user could write; the same table runs through ``matsim run``
(in process, so the output folder can be checked) and ``matsim check`` as a real process (so a
RecursionError or any other traceback would show on its stderr).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from simulation import cli

from .conftest import tiny_scenario_toml

TINY = tiny_scenario_toml("tiny", "a tiny world", years=2)  # 80 schools, one region
PARENT = tiny_scenario_toml(
    "parent", "has a named trust", '\n[[trusts.named]]\nname = "Oak"\nn_schools = 5\nregion = 0\n'
)
LONG = "y" * 5_000
MAX_LINE = 300  # a capped error line; lines listing valid keys may be longer, these may not


def named(*entries: str) -> str:
    return "".join(f"\n[[trusts.named]]\n{entry}\n" for entry in entries)


# case id -> (file text, substrings the one error line must hold, cap the line length?)
SCENARIO_CASES: dict[str, tuple[str, list[str], bool]] = {
    "nan shock": (
        TINY + "\n[quality]\nshock_sd_per_year = nan\n",
        ["quality.shock_sd_per_year", "finite", "nan"],
        True,
    ),
    "inf radius": (
        TINY + "\n[growth]\nradius_km = inf\n",
        ["growth.radius_km", "finite", "inf"],
        True,
    ),
    "minus inf": (
        TINY + "\n[central_team]\nweak_weight = -inf\n",
        ["central_team.weak_weight", "finite"],
        True,
    ),
    "1e999 overflows to inf": (
        TINY + "\n[central_team]\nceo_cost_gbp = 1e999\n",
        ["central_team.ceo_cost_gbp", "finite"],
        True,
    ),
    "400-digit integer for a number": (
        TINY + f"\n[growth]\nradius_km = {'9' * 400}\n",
        ["growth.radius_km", "finite"],
        True,
    ),
    "nan in a named trust's growth": (
        TINY
        + named('name = "Oak"\nn_schools = 5')
        + "[trusts.named.growth]\ntarget_schools_per_year = nan\n",
        ["trusts.named[0].growth.target_schools_per_year", "finite"],
        True,
    ),
    "nan in a named trust's operating model": (
        TINY + named('name = "Oak"') + "[trusts.named.operating_model]\ncluster_radius_km = nan\n",
        ["trusts.named[0].operating_model.cluster_radius_km", "finite"],
        True,
    ),
    "two named trusts with one name": (
        TINY + named('name = "Oak"\nn_schools = 3', 'name = "Oak"\nn_schools = 4'),
        ["trusts.named[1].name", "'Oak'", "trusts.named[0]"],
        True,
    ),
    "named trust bigger than the world": (
        TINY + named('name = "Oak"\nn_schools = 81'),
        ["trusts.named[0].n_schools", "81", "80"],
        True,
    ),
    "named trusts together bigger than the world": (
        TINY + named('name = "Oak"\nn_schools = 50', 'name = "Ash"\nn_schools = 40'),
        ["trusts.named[1].n_schools", "90 together", "80"],
        True,
    ),
    "named trust bigger than its region": (
        TINY.replace("n_schools = 80", "n_schools = 80\nn_regions = 2")
        + named('name = "Oak"\nn_schools = 50\nregion = 1'),
        ["trusts.named[0].n_schools", "region 1", "40"],
        True,
    ),
    "unnamed trust would replace an inherited one": (
        '[scenario]\nextends = "parent.toml"\n' + named("n_schools = 3"),
        ["trusts.named[0].name", "required", "'Oak'"],
        True,
    ),
    "tables nested 500 deep": (
        TINY + "\n[" + ".".join(["a"] * 500) + "]\nb = 1\n",
        ["a.a.a", "nested", "allowed at most"],
        True,
    ),
    "array nested 2,000 deep": (
        TINY + "\n[growth]\nmax_schools = " + "[" * 2_000 + "]" * 2_000 + "\n",
        ["max_schools", "nested too deeply"],
        True,
    ),
    "inline tables nested 600 deep": (
        TINY + "\n[growth]\nx = " + "{a = " * 600 + "1" + "}" * 600 + "\n",
        ["nested too deeply"],
        True,
    ),
    "a 5,000-character value": (
        TINY + f'\n[growth]\naccept = "{LONG}"\n',
        ["growth.accept", "yyyy", "choose one of"],
        True,
    ),
    "a 5,000-character key": (
        TINY + f'\n[growth]\n"{LONG}" = 1\n',
        ["growth.yyyy", "unknown key"],
        False,  # the line lists the valid keys of [growth]; the key itself is capped
    ),
    "a 5,000-element array": (
        TINY + "\n[growth]\nmax_schools = [" + ", ".join(["1"] * 5_000) + "]\n",
        ["growth.max_schools", "must be an integer"],
        True,
    ),
    "extends a directory": (
        '[scenario]\nextends = "somedir"\n',
        ["scenario.extends", "somedir", "is a directory"],
        True,
    ),
    "UTF-8 byte-order mark": (
        "\ufeff" + TINY,
        ["byte-order mark", "UTF-8 without a BOM"],
        True,
    ),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "parent.toml").write_text(PARENT)
    (tmp_path / "somedir").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def one_error_line(code: int, stdout: str, stderr: str, expected: list[str], cap: bool) -> str:
    assert code == 2, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr[:2_000]
    line = lines[0]
    assert line.startswith("error: ")
    assert "bad.toml" in line
    for part in expected:
        assert part in line, (part, line)
    if cap:
        assert len(line) <= MAX_LINE, line
    return line


@pytest.mark.parametrize("case", list(SCENARIO_CASES))
def test_a_malformed_scenario_is_refused_by_run_before_any_output(case, workdir, capsys):
    text, expected, cap = SCENARIO_CASES[case]
    (workdir / "bad.toml").write_text(text, encoding="utf-8")
    before = sorted(p.name for p in workdir.iterdir())
    code = cli.main(["run", "bad.toml", "--no-figures"])
    captured = capsys.readouterr()
    one_error_line(code, captured.out, captured.err, expected, cap)
    assert sorted(p.name for p in workdir.iterdir()) == before  # no results/, no temp dirs


@pytest.mark.parametrize("case", list(SCENARIO_CASES))
def test_a_malformed_scenario_is_refused_by_check_in_a_real_process(case, workdir):
    text, expected, cap = SCENARIO_CASES[case]
    (workdir / "bad.toml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "check", "bad.toml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    one_error_line(done.returncode, done.stdout, done.stderr, expected, cap)


def test_a_utf16_file_says_so(workdir, capsys):
    (workdir / "bad.toml").write_bytes(TINY.encode("utf-16"))
    code = cli.main(["check", "bad.toml"])
    captured = capsys.readouterr()
    one_error_line(code, captured.out, captured.err, ["UTF-16", "UTF-8"], True)


def test_a_latin1_byte_names_its_line(workdir, capsys):
    (workdir / "bad.toml").write_bytes(TINY.encode() + b'\n[scenario]\nname = "caf\xe9"\n')
    code = cli.main(["check", "bad.toml"])
    captured = capsys.readouterr()
    line = one_error_line(code, captured.out, captured.err, ["not UTF-8"], True)
    assert f"line {TINY.count(chr(10)) + 3}" in line


def test_a_child_may_change_an_inherited_named_trust_by_name(workdir, capsys):
    (workdir / "child.toml").write_text(
        '[scenario]\nextends = "parent.toml"\n' + named('name = "Oak"\nn_schools = 7')
    )
    assert cli.main(["check", "child.toml"]) == 0
    from simulation import load_scenario

    (oak,) = load_scenario("child.toml").params.trusts.named
    assert (oak.name, oak.n_schools) == ("Oak", 7)


# argv -> substrings of the one error line (the option is the "key")
OPTION_CASES: dict[str, tuple[list[str], list[str]]] = {
    "run --seed nan": (["run", "tiny.toml", "--seed", "nan"], ["--seed", "'nan'"]),
    "run --years inf": (["run", "tiny.toml", "--years", "inf"], ["--years", "'inf'"]),
    "run --seed 1e3": (["run", "tiny.toml", "--seed", "1e3"], ["--seed", "integer"]),
    "run --timeline nan": (["run", "tiny.toml", "--timeline", "nan"], ["--timeline", "'nan'"]),
    "run --seed 5,000 digits": (["run", "tiny.toml", "--seed", "9" * 5_000], ["--seed"]),
    "batch --workers nan": (["batch", "b.toml", "--workers", "nan"], ["--workers", "'nan'"]),
    "compare --replicates inf": (
        ["compare", "tiny.toml", "tiny.toml", "--replicates", "inf"],
        ["--replicates", "'inf'"],
    ),
    "compare --years nan": (
        ["compare", "tiny.toml", "tiny.toml", "-n", "2", "--years", "nan"],
        ["--years", "'nan'"],
    ),
    "workshop --port 99999": (["workshop", "--port", "99999"], ["--port", "1 to 65535"]),
    "workshop --port 0": (["workshop", "--port", "0"], ["--port", "1 to 65535"]),
    "workshop --port nan": (["workshop", "--port", "nan"], ["--port", "'nan'"]),
    "run --out where nothing can be made": (
        ["run", "tiny.toml", "--out", "/proc/matsim-out"],
        ["/proc/matsim-out", "cannot create anything in /proc"],
    ),
    "run --out under a file": (
        ["run", "tiny.toml", "--out", "tiny.toml/out"],
        ["tiny.toml/out", "not a directory"],
    ),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_a_bad_option_is_one_line_exit_2_and_nothing_written(case, workdir, capsys, monkeypatch):
    (workdir / "tiny.toml").write_text(TINY)
    argv, expected = OPTION_CASES[case]

    def no_work(*args, **kwargs):
        raise AssertionError("work started despite a bad option")

    monkeypatch.setattr("simulation.run.run_simulation", no_work)
    monkeypatch.setattr("subprocess.Popen", no_work)  # the workshop server
    before = sorted(p.name for p in workdir.iterdir())
    code = cli.main(argv)
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    for part in expected:
        assert part in lines[0], (part, lines[0])
    assert len(lines[0]) <= MAX_LINE
    assert sorted(p.name for p in workdir.iterdir()) == before


def test_workshop_port_99999_is_one_line_in_a_real_process(workdir):
    done = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "workshop", "--port", "99999"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--port" in done.stderr and "65535" in done.stderr


def test_a_workshop_port_in_use_is_refused_before_the_server_starts(workdir, capsys, monkeypatch):
    def no_server(*args, **kwargs):
        raise AssertionError("the server was started on a port in use")

    monkeypatch.setattr("subprocess.Popen", no_server)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["workshop", "--port", str(port)])
    captured = capsys.readouterr()
    assert code == 2
    (line,) = captured.err.splitlines()
    assert line.startswith("error: --port:") and str(port) in line and "in use" in line


BATCH_HEAD = """
[batch]
name = "b"
base_scenario = "tiny.toml"
replicates = 2
root_seed = 1
"""

# batch file text -> substrings of the one error line
BATCH_CASES: dict[str, tuple[str, list[str]]] = {
    "grid value nan": (
        BATCH_HEAD + 'design = "grid"\n[grid]\n"growth.radius_km" = [nan, 30.0]\n',
        ['grid."growth.radius_km"[0]', "finite", "nan"],
    ),
    "grid value inf": (
        BATCH_HEAD + 'design = "grid"\n[grid]\n"growth.radius_km" = [10.0, inf]\n',
        ['grid."growth.radius_km"[1]', "finite"],
    ),
    "range with nan": (
        BATCH_HEAD + 'design = "latin_hypercube"\nsamples = 4\n[ranges]\n'
        '"growth.radius_km" = [nan, 30.0]\n',
        ['ranges."growth.radius_km"', "finite", "nan"],
    ),
    "range to inf": (
        BATCH_HEAD + 'design = "latin_hypercube"\nsamples = 4\n[ranges]\n'
        '"growth.radius_km" = [0.0, inf]\n',
        ['ranges."growth.radius_km"', "finite"],
    ),
    "range to 1e999": (
        BATCH_HEAD + 'design = "sobol"\nsamples = 4\n[ranges]\n"growth.radius_km" = [0.0, 1e999]\n',
        ['ranges."growth.radius_km"', "finite"],
    ),
    "base scenario is a directory": (
        BATCH_HEAD.replace('"tiny.toml"', '"somedir"') + 'design = "replicates"\n',
        ["batch.base_scenario", "somedir", "is a directory"],
    ),
    "a 5,000-element grid": (
        BATCH_HEAD
        + 'design = "grid"\n[grid]\n"growth.accept" = ['
        + ", ".join(['"any"'] * 5_000)
        + "]\n",
        ['grid."growth.accept"', "distinct"],
    ),
    "a 5,000-character parameter name": (
        BATCH_HEAD + f'design = "grid"\n[grid]\n"growth.{LONG}" = [1.0]\n',
        ['grid."growth.yyyy', "unknown parameter"],
    ),
    "nested 500 deep": (
        BATCH_HEAD + 'design = "replicates"\n[' + ".".join(["grid"] * 500) + "]\nb = 1\n",
        ["grid.grid.grid", "nested"],
    ),
    "byte-order mark": ("\ufeff" + BATCH_HEAD + 'design = "replicates"\n', ["byte-order mark"]),
}


@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_a_malformed_batch_file_is_one_line_and_no_output_folder(case, workdir, capsys):
    (workdir / "tiny.toml").write_text(TINY)
    text, expected = BATCH_CASES[case]
    (workdir / "bad.toml").write_text(text, encoding="utf-8")
    before = sorted(p.name for p in workdir.iterdir())
    code = cli.main(["batch", "bad.toml", "--out", "out", "--workers", "1"])
    captured = capsys.readouterr()
    one_error_line(
        code, captured.out, captured.err, expected, cap=case != "a 5,000-character parameter name"
    )
    assert sorted(p.name for p in workdir.iterdir()) == before
