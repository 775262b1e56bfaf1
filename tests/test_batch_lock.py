"""Two batches, one directory; failing before the work; Dask serving nothing it was not asked to.

The concurrency tests run real ``matsim batch`` processes. The first one (A) runs through a
small driver that holds its first run at a gate (a file the test creates), having made a temporary
folder named like an in-progress run's: while the gate is shut A is certainly mid-batch, so
what a second process does to A's lock and temporary folders is tested without any timing
assumption.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from simulation import cli
from simulation.batch import runner
from simulation.batch.lock import LOCK_FILE, BatchLock, BatchLockedError, holder_of

from .conftest import tiny_scenario_toml

TINY = tiny_scenario_toml("tiny", "tiny world for lock tests", years=2, n_schools=60, mats=3)

BATCH = """
[batch]
name = "locked"
base_scenario = "tiny.toml"
replicates = 4
root_seed = 3
design = "replicates"
"""

GATED_DRIVER = '''
import os, sys, time
from pathlib import Path

from simulation.batch import runner

GATE = Path(sys.argv[1])
ORIGINAL = runner.execute_run


def gated(task):
    """Make a temporary folder named like an in-progress run's, wait at the gate, then check
    that nobody removed it before running the real thing."""
    runs = Path(task["out"]) / "runs"
    mine = runs / f".{task['run_id']}.tmp-{os.getpid()}-gate"
    mine.mkdir(parents=True, exist_ok=True)
    while not GATE.exists():
        time.sleep(0.05)
    if not mine.is_dir():
        return {**task, "status": "failed", "error": "in-progress folder deleted by another batch"}
    mine.rmdir()
    return ORIGINAL(task)


if __name__ == "__main__":
    runner.execute_run = gated
    from simulation.cli import main

    raise SystemExit(main(sys.argv[2:]))
'''


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "batch.toml").write_text(BATCH)
    (tmp_path / "gated.py").write_text(GATED_DRIVER)
    return tmp_path


def matsim(cwd: Path, *argv: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "simulation.cli", *argv],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def start_gated(cwd: Path, out: str) -> subprocess.Popen:
    argv = ["batch", "batch.toml", "--out", out, "--workers", "1", "--quiet"]
    return subprocess.Popen(
        [sys.executable, "gated.py", str(cwd / "gate"), *argv],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so the test can kill it with its pool workers
    )


def wait_until_held_by(proc: subprocess.Popen, out: Path) -> None:
    """Until ``proc`` holds the lock of ``out`` and its first run sits at the gate."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            holder = json.loads((out / LOCK_FILE).read_text())
        except (OSError, ValueError):
            holder = {}
        if holder.get("pid") == proc.pid and list((out / "runs").glob(".*gate")):
            return
        time.sleep(0.1)
    raise AssertionError("the gated batch never took the lock")


def finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    stdout, stderr = proc.communicate(timeout=timeout)
    return proc.returncode, stdout, stderr


def test_a_second_batch_refuses_or_waits_and_never_touches_the_firsts_runs(batch_dir):
    out = batch_dir / "out"
    first = start_gated(batch_dir, "out")
    try:
        wait_until_held_by(first, out)

        code, stdout, stderr = finish(matsim(batch_dir, "batch", "batch.toml", "--out", "out"))
        assert code == 2 and stdout == ""
        (line,) = stderr.splitlines()
        assert line.startswith("error: batch directory out is in use by ")
        assert f"pid {first.pid}" in line and LOCK_FILE in line and "--wait" in line

        waiting = matsim(batch_dir, "batch", "batch.toml", "--out", "out", "--wait", "--quiet")
        time.sleep(1.0)
        assert waiting.poll() is None  # it cannot finish while the first holds the gate
        assert holder_of(out)["pid"] == first.pid
    finally:
        (batch_dir / "gate").touch()
    code, stdout, stderr = finish(first)
    assert code == 0, stderr
    assert stdout.strip() == f"locked: 4 of 4 runs complete (0 already done), 0 failed; {out}"
    code, stdout, stderr = finish(waiting)
    assert code == 0, stderr
    assert "waiting: batch directory out is in use by" in stderr
    assert stdout.strip() == f"locked: 4 of 4 runs complete (4 already done), 0 failed; {out}"
    assert not (out / LOCK_FILE).exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finished"] and manifest["counts"] == {"done": 4, "failed": 0, "pending": 0}
    assert sorted(p.name for p in (out / "runs").iterdir()) == [f"p0000-r{r:03d}" for r in range(4)]


def test_a_killed_batchs_lock_is_taken_over_and_its_leftovers_cleaned(batch_dir):
    out = batch_dir / "out"
    first = start_gated(batch_dir, "out")
    try:
        wait_until_held_by(first, out)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the batch and its pool worker, mid-run
        first.communicate(timeout=60)
    assert json.loads((out / LOCK_FILE).read_text())["pid"] == first.pid  # left behind
    assert holder_of(out) is None  # but nobody holds it

    code, stdout, stderr = finish(matsim(batch_dir, "batch", "batch.toml", "--out", "out"))
    assert code == 0, stderr
    assert f"was left by pid {first.pid}" in stderr and "taking over" in stderr
    assert "4 of 4 runs complete (0 already done), 0 failed" in stdout
    assert not list((out / "runs").glob(".*")), "leftover temporary folders"
    assert not (out / LOCK_FILE).exists()


def test_the_lock_refuses_a_second_holder_in_one_line(tmp_path):
    held = BatchLock(tmp_path, note=lambda line: None)
    held.acquire()
    try:
        with pytest.raises(BatchLockedError) as err:
            BatchLock(tmp_path).acquire()  # a second descriptor: flock refuses it too
        assert f"pid {os.getpid()}" in str(err.value) and "\n" not in str(err.value)
        assert holder_of(tmp_path)["pid"] == os.getpid()
    finally:
        held.release()
    assert holder_of(tmp_path) is None and not (tmp_path / LOCK_FILE).exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_leaves_no_output_folder(batch_dir):
    address = f"tcp://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "batch", "batch.toml", "--out", "out"]
        + ["--scheduler", address],
        cwd=batch_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: --scheduler: cannot connect to {address}")
    assert not (batch_dir / "out").exists()


def test_an_unreachable_scheduler_leaves_a_resumable_batch_as_it_was(batch_dir, capsys):
    out = batch_dir / "out"
    argv = ["batch", str(batch_dir / "batch.toml"), "--out", str(out), "--quiet"]
    assert cli.main([*argv, "--workers", "1"]) == 0
    for run in (out / "runs").iterdir():  # two runs to redo
        if run.name.endswith(("r002", "r003")):
            for f in run.iterdir():
                f.unlink()
            run.rmdir()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code = cli.main([*argv, "--scheduler", f"tcp://127.0.0.1:{free_port()}"])
    assert code == 2 and "cannot connect" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_finished_batch_resumes_on_a_read_only_disk_without_writing(batch_dir, monkeypatch):
    out = batch_dir / "out"
    argv = ["batch", str(batch_dir / "batch.toml"), "--out", str(out), "--workers", "1"]
    assert cli.main([*argv, "--quiet"]) == 0

    def no_write(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(runner, "_atomic_json", no_write)
    monkeypatch.setattr(BatchLock, "acquire", no_write)
    monkeypatch.setattr(runner, "make_executor", no_write)
    modes = {p: p.stat().st_mode for p in [out, *out.rglob("*")]}
    for path in modes:  # read-only for real, too, when the tests do not run as root
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        assert cli.main([*argv, "--quiet"]) == 0
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def http_status(port: int, path: str) -> int | str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError as err:
        return type(err).__name__


def test_a_local_dask_cluster_serves_no_http_unless_asked(tmp_path):
    """Socket probe: while `--scheduler local` runs, nothing listens on 8787, everything that
    listens is on 127.0.0.1, and the HTTP servers Dask always starts answer every route 404."""
    import psutil  # with distributed, in the dev dependency group

    from simulation.executors import make_executor

    with socket.socket() as probe:  # is 8787 free before? then it must stay free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", 8787))
            free_before = True
        except OSError:
            free_before = False
    with make_executor(workers=1, scheduler="local") as executor:
        assert executor.submit(sum, [1, 2]).result(timeout=60) == 3
        client = executor._client
        me = psutil.Process()
        listening = [
            (conn.laddr.ip, conn.laddr.port)
            for proc in [me, *me.children(recursive=True)]
            for conn in proc.net_connections(kind="tcp")
            if conn.status == psutil.CONN_LISTEN
        ]
        http_ports = [
            client.cluster.scheduler.http_server.port,
            *client.run(lambda dask_worker: dask_worker.http_server.port).values(),
        ]
        assert 8787 not in [port for _, port in listening]
        assert {ip for ip, _ in listening} == {"127.0.0.1"}, listening
        if free_before:
            assert http_status(8787, "/health") in ("ConnectionRefusedError", "URLError")
        for port in http_ports:
            for path in ("/status", "/health", "/json/identity.json", "/metrics"):
                assert http_status(port, path) == 404, (port, path)


def test_dasks_dashboard_is_served_only_where_asked():
    from simulation.executors import ExecutorError, check_executor_options, local_cluster_options

    quiet = local_cluster_options(2)
    assert quiet["dashboard_address"] is None and quiet["host"] == "127.0.0.1"
    assert quiet["scheduler_kwargs"] == {"dashboard": False, "dashboard_address": "127.0.0.1:0"}
    asked = local_cluster_options(2, "127.0.0.1:8799")
    assert asked["dashboard_address"] == "127.0.0.1:8799" and "scheduler_kwargs" not in asked
    with pytest.raises(ExecutorError, match="only with --scheduler local"):
        check_executor_options(None, "tcp://10.0.0.1:8786", "127.0.0.1:8787")
