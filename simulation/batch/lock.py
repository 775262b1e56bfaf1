"""One batch process per batch directory: ``<dir>/batch.lock``, holding the holder's pid.

Two batches writing into one directory used to run every run twice and delete each other's
in-progress temporary folders. Whoever holds the lock is the only process that may clean up,
plan or write the manifest; a second process refuses in one line naming the holder, or waits
(``--wait``).

The lock is an exclusive ``flock`` on the file, so the kernel releases it the moment its holder
dies, however it dies (SIGKILL, power cut on a local disk): a stale lock is detected with
certainty, never guessed from a pid that may have been reused. The file also records who holds
it (pid, host, start time, command) for the refusal message, and what a killed holder left
behind is reported when the next batch takes over. The file is removed on a clean release.
On a file system without locks (rare; some parallel file systems) the batch goes on with a
one-line warning, as it did before locks existed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from ..output import OutputError

try:
    import fcntl
except ImportError:  # not a POSIX system: no locking, with a warning
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "batch.lock"
POLL_S = 0.5
NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL)


class BatchLockedError(OutputError):
    """Another process is running a batch into the same directory."""


def describe(holder: dict[str, Any] | None) -> str:
    """``pid 123 on host h since 2026-01-01T10:00:00`` (or what is known of it)."""
    if not holder:
        return "another process (its details are not written yet)"
    parts = [f"pid {holder.get('pid', '?')}"]
    if holder.get("host") and holder.get("host") != socket.gethostname():
        parts.append(f"on host {holder['host']}")
    if holder.get("started"):
        parts.append(f"since {holder['started']}")
    return " ".join(parts)


def _read(fd_or_path: int | Path) -> dict[str, Any] | None:
    try:
        if isinstance(fd_or_path, int):
            os.lseek(fd_or_path, 0, os.SEEK_SET)
            text = os.read(fd_or_path, 65_536).decode("utf-8", "replace")
        else:
            text = fd_or_path.read_text(encoding="utf-8", errors="replace")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


_HELD: set[int] = set()  # lock descriptors this process holds


def _close_in_child() -> None:
    """A forked worker (process pool) must not keep its parent's lock alive: were the parent
    killed, the lock would stay held until every orphaned worker exited. Closing the child's
    copy leaves the parent's lock in place (flock belongs to the open file, held until its
    last descriptor closes)."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


class BatchLock:
    """Exclusive lock on a batch directory for the duration of a ``with`` block.

    Args:
        directory: the batch directory (must exist).
        wait: if held by another process, wait for it instead of raising.
        note: called with one line for the user (waiting; taking over from a killed holder;
            no locks on this file system). Default: print to stderr.
    """

    def __init__(
        self,
        directory: str | Path,
        wait: bool = False,
        note: Callable[[str], None] | None = None,
    ):
        self.path = Path(directory) / LOCK_FILE
        self.wait = wait
        self.note = note or (lambda line: print(line, file=sys.stderr, flush=True))
        self.fd: int | None = None
        self.previous: dict[str, Any] | None = None  # what a killed holder left in the file

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, or raise :class:`BatchLockedError` (wait instead if ``wait``)."""
        if fcntl is None:
            self.note(f"note: cannot lock {self.path.parent} here; run one batch into it at a time")
            return
        said_waiting = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read(fd)
                os.close(fd)
                message = (
                    f"batch directory {self.path.parent} is in use by {describe(holder)} "
                    f"(lock file {self.path})"
                )
                if not self.wait:
                    raise BatchLockedError(
                        f"{message}; rerun with --wait to queue behind it, or wait for it to "
                        "finish (a killed batch releases the lock by itself)"
                    ) from None
                if not said_waiting:
                    self.note(f"waiting: {message}")
                    said_waiting = True
                time.sleep(POLL_S)
                continue
            except OSError as err:
                os.close(fd)
                if err.errno in NO_LOCKS:
                    self.note(
                        f"note: the file system of {self.path.parent} has no locks; "
                        "run one batch into it at a time"
                    )
                    return
                raise
            if not self._still_the_lock_file(fd):
                os.close(fd)  # released and removed by its holder while we opened it; again
                continue
            self.fd = fd
            _HELD.add(fd)
            self.previous = _read(fd)
            self._write_holder(fd)
            if self.previous:
                self.note(
                    f"note: {self.path} was left by {describe(self.previous)}, which stopped "
                    "without finishing (killed?); taking over and resuming"
                )
            return

    def _still_the_lock_file(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def _write_holder(self, fd: int) -> None:
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)[:500],
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(holder) + "\n").encode())
        os.fsync(fd)

    def release(self) -> None:
        """Remove the lock file and let go (the file goes first, while still held)."""
        if self.fd is None:
            return
        try:
            if self._still_the_lock_file(self.fd):
                self.path.unlink()
        except OSError:
            pass  # the lock itself is released below whatever happens to the file
        finally:
            _HELD.discard(self.fd)
            os.close(self.fd)
            self.fd = None


def holder_of(directory: str | Path) -> dict[str, Any] | None:
    """Who holds the lock of ``directory`` right now, or None if nobody does.

    For diagnostics and tests: when the lock is free this takes a shared lock for an instant,
    during which a batch starting at that very moment would be refused."""
    path = Path(directory) / LOCK_FILE
    if fcntl is None or not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read(fd) or {}
    except OSError:
        return None
    finally:
        os.close(fd)
    return None
