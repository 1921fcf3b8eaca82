"""Shared by every suite: offscreen Qt, config and data in tmp, a loopback HTTP server.

``http_server`` yields a started :class:`tests.httpserver.HttpServer` on
127.0.0.1 (free port; API in tests/httpserver.py) and stops it after the
test, failing the test if a thread it or the code under test started is
still running. ``no_leaked_threads`` fails a test that leaves a Python
thread running.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpserver import HttpServer

os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No test reads or writes the real user's settings or workspaces."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("CURATOR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("CURATOR_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base / "runtime"))
    (base / "runtime").mkdir(mode=0o700)
    yield


REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


def _threads_left(before: set[threading.Thread], grace: float = 2.0) -> list[threading.Thread]:
    """Threads started since ``before`` still alive after a short grace period."""
    end = time.monotonic() + grace
    while True:
        # Qt's pool threads show up as dummy threads that never "end": not ours to join.
        left = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)


@pytest.fixture
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leaked = _threads_left(before)
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    before = set(threading.enumerate())
    server = HttpServer().start()
    try:
        yield server
    finally:
        server.stop()
    leaked = _threads_left(before)
    assert not leaked, f"threads left running after the test server stopped: {leaked}"
