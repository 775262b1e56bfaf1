"""``matsim workshop``: a live Mesa SolaraViz dashboard for facilitated workshops.

The app itself lives in :mod:`simulation.dashboard.app` (the module ``solara run`` serves),
:mod:`~simulation.dashboard.components` (page and views), :mod:`~simulation.dashboard.controls`
(the sidebar), :mod:`~simulation.dashboard.levers` (levers and the model wrapper) and
:mod:`~simulation.dashboard.state` (what the views read). This module only builds the command
line and the server command and runs the server, so importing it for the CLI stays cheap:
solara is imported by the server process, not by ``matsim``.

The server is ``python -m solara run simulation.dashboard.app --production``; the scenario is
handed to it in the ``MATSIM_WORKSHOP_SCENARIO`` environment variable. Every browser session
gets its own model (SolaraViz keeps the model in per-session state).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ..argtypes import int_between
from ..scenario import ScenarioError, find_scenario, load_scenario

SCENARIO_ENV = "MATSIM_WORKSHOP_SCENARIO"
DEFAULT_SCENARIO = "baseline"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP_MODULE = "simulation.dashboard.app"


def scenario_reference(scenario: str | None) -> str:
    """What to hand the app: a shipped scenario's bare name, or a resolved file path.

    Raises :class:`simulation.scenario.ScenarioError` if the scenario cannot be loaded, so the
    command fails before a server starts.
    """
    name = scenario or DEFAULT_SCENARIO
    path = find_scenario(name)
    load_scenario(path)  # fail early, with the scenario loader's one-line message
    return name if Path(name).name == name and not Path(name).exists() else str(path.resolve())


ASSET_CACHE = ".cache/solara-cdn"  # filled by tools/fetch-solara-assets (npm registry)


def server_command(
    scenario: str | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that serve the workshop app (used by the CLI and the tests)."""
    argv = [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]
    env = {**os.environ, SCENARIO_ENV: scenario_reference(scenario)}
    # the app module must be importable from the server process wherever matsim is run
    root = str(Path(__file__).resolve().parents[2])
    cached = Path(root) / ASSET_CACHE
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env and cached.is_dir():
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cached)  # offline copy of Solara's CDN files
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return argv, env


class WorkshopError(ValueError):
    """The dashboard cannot be served as asked; the message is one line."""


def check_listen(host: str, port: int) -> None:
    """Bind ``host:port`` once and let go, so a taken port or an unknown host is one line here
    rather than the server's tracebacks after it has started."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise WorkshopError(f"--host: cannot listen on {host[:60]!r}: {err}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError as err:
            raise WorkshopError(
                f"--port: cannot listen on {host}:{port} ({err.strerror or err}); "
                "choose another --port or stop what is using it"
            ) from None


def cmd_workshop(args: argparse.Namespace) -> int:
    try:
        check_listen(args.host, args.port)
        argv, env = server_command(args.scenario, args.host, args.port)
    except (WorkshopError, ScenarioError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(
        f"workshop dashboard for scenario {env[SCENARIO_ENV]!r}: http://{args.host}:{args.port}\n"
        "a tool for thinking about mechanisms, not a forecast; press Ctrl-C to stop",
        flush=True,
    )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: listening on {args.host}, reachable from other machines", flush=True)
    return serve(argv, env)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
GRACE_S = 10.0  # how long the server may take to close its sessions before it is killed


def _signal_group(server: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the server and anything it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(server.pid, signum)


def serve(argv: list[str], env: dict[str, str], grace_s: float = GRACE_S) -> int:
    """Run the server until it exits, or until this process gets SIGTERM or SIGINT.

    The server runs in a process group of its own, so a stop reaches it and anything it
    started, whichever way ``matsim workshop`` is stopped (Ctrl-C in its terminal, ``kill``,
    a service manager): the group gets SIGTERM, and SIGKILL if it has not exited after
    ``grace_s`` seconds. Without this, SIGTERM ended ``matsim`` and left the server holding
    the port. Returns 0 after a requested stop, else the server's exit code.
    """
    server = subprocess.Popen(argv, env=env, start_new_session=True)
    stop_at: list[float] = []

    def request_stop(signum: int, _frame: object) -> None:
        if not stop_at:
            print("stopping the workshop dashboard ...", file=sys.stderr, flush=True)
            stop_at.append(time.monotonic())
        _signal_group(server, signal.SIGTERM)

    main_thread = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, request_stop) for s in STOP_SIGNALS} if main_thread else {}
    try:
        while True:
            try:
                code = server.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                if stop_at and time.monotonic() - stop_at[0] > grace_s:
                    _signal_group(server, signal.SIGKILL)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if server.poll() is None:  # an exception here: leave nothing behind
            _signal_group(server, signal.SIGKILL)
            server.wait()
        _signal_group(server, signal.SIGKILL)  # anything the server started and left
    return 0 if stop_at else code


def register_workshop_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``matsim workshop [SCENARIO] [--port N] [--host HOST]``."""
    parser = subparsers.add_parser(
        "workshop",
        help="live dashboard for workshops (Mesa SolaraViz in the browser)",
        description="Serve an interactive dashboard: choose a scenario, operating model, review "
        "policy and growth levers, then step or play the model year by year and watch the map, "
        "outcomes and each trust's break points. Bound to 127.0.0.1 unless --host is given. "
        "A tool for thinking about mechanisms, not a forecast.",
        epilog="examples:\n  matsim workshop\n  matsim workshop growing_trust --port 8800\n"
        "  matsim workshop scenarios/second_region.toml --host 0.0.0.0  # exposed on the network",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenario",
        nargs="?",
        default=DEFAULT_SCENARIO,
        help=f"scenario file or shipped name to start with (default: {DEFAULT_SCENARIO})",
    )
    parser.add_argument(
        "--port",
        type=int_between(1, 65_535, "port"),
        default=DEFAULT_PORT,
        help=f"port, 1 to 65535 (default: {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)",
    )
    parser.set_defaults(func=cmd_workshop)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the workshop command alone (``python -m simulation.dashboard``)."""
    from ..cli import _Parser  # one-line errors, exit 2, like matsim itself

    parser = _Parser(prog="matsim")
    register_workshop_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["workshop", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)
