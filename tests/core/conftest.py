"""Fixtures for the core tests: a loopback HTTP server and a thread-leak check.

``http_server`` yields a started :class:`tests.httpserver.HttpServer` on
127.0.0.1 (free port) and stops it after the test, failing the test if any
thread it or the code under test started is still running. Its API, in
short (full list in tests/httpserver.py)::

    http_server.route(path, status=200, body=b"", headers={...}, delay=0.0, handler=None)
    http_server.redirect(path, location, status=302)
    http_server.slow(path, total_bytes, bytes_per_second)
    http_server.gzip_bomb(path, size)       http_server.huge(path, size, declare_length=False)
    http_server.url(path, host=None)        http_server.base_url
    http_server.requests / requests_to(path) / max_concurrent(prefix, host=None)

``no_leaked_threads`` fails a test that leaves a Python thread running
(event-loop executors, server threads); use it with
``pytestmark = pytest.mark.usefixtures("no_leaked_threads")``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.httpserver import HttpServer


def _threads_left(before: set[threading.Thread], grace: float = 2.0) -> list[threading.Thread]:
    """Threads started since ``before`` still alive after a short grace period."""
    end = time.monotonic() + grace
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
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
