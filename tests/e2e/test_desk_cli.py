"""The response desk from a terminal: triage the demo, then the metrics as JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from curator.triage.model import DeskTables
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT


def _curator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curator", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_triage_then_metrics(tmp_path: Path) -> None:
    ws = str(tmp_path / "demo")
    assert _curator("init", ws, "--demo").returncode == 0
    # The demo comes triaged, with the desk's history replayed: nothing is left to triage.
    done = _curator("--workspace", ws, "desk", "triage")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "No new customer messages."
    with Workspace.open(ws, read_only=True) as opened:
        live = [c for c in DeskTables(opened.store).conversations.list() if c.is_live]
    metrics = _curator("--workspace", ws, "desk", "metrics", "--days", "30", "--json")
    assert metrics.returncode == 0, metrics.stderr
    rows = orjson.loads(metrics.stdout)
    overall = rows[0]
    assert overall["dimension"] == "all" and overall["conversations"] == len(live)
    assert overall["first_response"]["median_min"] is not None
    assert overall["resolution"]["median_min"] is not None
    by_channel = {r["key"]: r["conversations"] for r in rows if r["dimension"] == "channel"}
    assert sum(by_channel.values()) == len(live) and "news" not in by_channel
