"""Fixtures for the UI tests: no leaked threads, real workspaces in tmp."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.domain import Draft, DraftStatus
from curator.workspace import Workspace
from tests.ui.helpers import busy_pool_threads, new_threads, populate


@pytest.fixture(autouse=True)
def _no_leaked_threads(qapp: object) -> Iterator[None]:
    """Fail a test that leaves a pool task or a Python thread running.

    Set up before (so torn down after) ``qtbot``, whose teardown closes the
    test's widgets; a window's close must have stopped its work by then.
    """
    before = set(threading.enumerate())
    yield
    busy = busy_pool_threads()
    assert busy == 0, f"{busy} thread-pool task(s) still running after the test"
    leaked = new_threads(before)
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """An open, real workspace holding three sources and six items; closed at teardown."""
    ws = Workspace.open(tmp_path / "ws", create=True)
    try:
        populate(ws)
        yield ws
    finally:
        ws.close()


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """The folder of a populated workspace, closed again so a window can open it itself."""
    path = tmp_path / "team"
    with Workspace.open(path, create=True) as ws:
        populate(ws)
        ws.drafts.save_many(
            [
                Draft(title="Oat milk: our answer", status=DraftStatus.DRAFT),
                Draft(title="App outage apology", status=DraftStatus.IN_REVIEW),
            ]
        )
    return path


@pytest.fixture
def empty_workspace_path(tmp_path: Path) -> Path:
    """The folder of a workspace with nothing in it yet."""
    path = tmp_path / "empty"
    Workspace.open(path, create=True).close()
    return path
