"""Cross-process locking of a workspace (POSIX ``flock``).

Writers hold the exclusive lock for the length of one transaction, readers a
shared one while they catch up with the journal. The kernel drops a lock when
its process dies, so a crashed writer never leaves a stale lock behind; the
owner record written into the lock file only serves to tell a waiting user
who is writing.

Limits: ``flock`` is reliable on local file systems. On network shares it
depends on the server (NFSv4 emulates it with byte-range locks; SMB mounts
may not support it): the README says to share a workspace through one
machine, not by opening it over a network share from several.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson

from curator.errors import WorkspaceBusy


def _owner_record() -> bytes:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return orjson.dumps(
        {
            "user": user,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "program": os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python",
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )


class WorkspaceLock:
    """One lock file, shared by all threads of this process through an RLock."""

    def __init__(self, path: Path, *, timeout: float = 15.0) -> None:
        self.path = path
        self.timeout = timeout
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._mode = 0
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            self.writable = True
        except OSError:
            # A read-only folder: shared locks still work on a read-only fd.
            self._fd = os.open(path, os.O_RDONLY) if path.exists() else -1
            self.writable = False

    @property
    def mutex(self) -> threading.RLock:
        """The in-process lock every store operation takes first."""
        return self._thread_lock

    def close(self) -> None:
        with self._thread_lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def owner_description(self) -> str:
        """Who holds (or last held) the write lock, as a phrase for messages."""
        try:
            info = orjson.loads(self.path.read_bytes() or b"{}")
        except (OSError, orjson.JSONDecodeError):
            info = {}
        if not info:
            return "another Curator process"
        since = str(info.get("since", "?")).replace("T", " ").replace("+00:00", " UTC")
        return (
            f"{info.get('user', '?')}@{info.get('host', '?')} "
            f"(pid {info.get('pid', '?')}, {info.get('program', '?')}) since {since}"
        )

    def _acquire(self, mode: int) -> None:
        if self._fd < 0:
            return
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(
                        f"The workspace is busy: {self.owner_description()} is writing to it. "
                        "Try again in a moment; if that process hangs, stop it and retry."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the write lock (re-entrant within this process's thread)."""
        with self._thread_lock:
            if self._depth and self._mode == fcntl.LOCK_SH:
                raise RuntimeError("cannot upgrade a shared workspace lock to exclusive")
            if self._depth == 0:
                self._acquire(fcntl.LOCK_EX)
                self._mode = fcntl.LOCK_EX
                if self.writable:
                    os.ftruncate(self._fd, 0)
                    os.pwrite(self._fd, _owner_record(), 0)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold a read lock, or ride on the lock this thread already holds."""
        with self._thread_lock:
            if self._depth == 0:
                self._acquire(fcntl.LOCK_SH)
                self._mode = fcntl.LOCK_SH
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()

    def _release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._mode = 0
