"""Crash consistency and multi-process writes, with real processes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curator.workspace import Workspace
from tests.conftest import REPO_ROOT


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_committed_write(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    rng = random.Random(20261123)
    expected: dict[str, int | None] = {}  # id -> last reported version, None = deleted
    kills_after_commits = 0
    for run in range(50):
        child = _spawn("tests.core.crash_writer", str(root), str(run))
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.strip() == "ready", child.stderr.read() if child.stderr else first
        time.sleep(rng.uniform(0.0, 0.25))  # let it write for a random while
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        complete = out.split("\n")[:-1]  # a last line without newline may be cut
        kills_after_commits += bool(complete)
        maybe_deleted: set[str] = set()
        for line in complete:
            kind, doc_id, *version = line.split()
            if kind == "W":
                maybe_deleted.add(doc_id)
            else:
                maybe_deleted.discard(doc_id)
                expected[doc_id] = int(version[0]) if kind == "P" else None
        for doc_id in maybe_deleted:  # the one commit whose report the kill cut off
            expected.pop(doc_id, None)

        with Workspace.open(root) as ws:
            stored = {item.id: int(item.title[1:]) for item in ws.items.list()}
            assert ws.items.count() == len(stored)
        for doc_id, version in expected.items():
            if version is None:
                assert doc_id not in stored, f"run {run}: {doc_id} was deleted but came back"
            else:
                assert doc_id in stored, f"run {run}: committed {doc_id} lost"
                assert stored[doc_id] >= version, f"run {run}: {doc_id} went back to v{stored[doc_id]}"
    assert kills_after_commits >= 25, "most kills should land after some commits"
    assert len(expected) > 200


def test_two_processes_writing_500_records_each_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.open(root, create=True).close()
    children = [_spawn("tests.core.concurrent_writer", str(root), name, "500") for name in ("a", "b")]
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert out.strip() == "done"
    with Workspace.open(root) as ws:
        titles = {item.title for item in ws.items.list()}
        assert len(titles) == 1000
        assert {f"a-{i}" for i in range(500)} | {f"b-{i}" for i in range(500)} == titles
        counter = ws.sources.get("counter")
        assert counter is not None
        # Read-modify-write under the lock: 1,000 increments, none lost.
        assert counter.fetch_interval_minutes == 1 + 1000
