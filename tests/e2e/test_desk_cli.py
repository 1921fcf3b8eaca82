"""The response desk from a terminal: triage the demo, then the metrics as JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.conftest import REPO_ROOT


def _curator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curator", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_triage_then_metrics(tmp_path: Path) -> None:
    ws = str(tmp_path / "demo")
    assert _curator("init", ws, "--demo").returncode == 0
    done = _curator("--workspace", ws, "desk", "triage")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Triaged 145 new messages")
    assert _curator("--workspace", ws, "desk", "triage").stdout.strip() == "No new customer messages."
    metrics = _curator("--workspace", ws, "desk", "metrics", "--days", "30", "--json")
    assert metrics.returncode == 0, metrics.stderr
    rows = orjson.loads(metrics.stdout)
    overall = rows[0]
    assert overall["dimension"] == "all" and overall["conversations"] == 145
    by_channel = {r["key"]: r["conversations"] for r in rows if r["dimension"] == "channel"}
    assert sum(by_channel.values()) == 145 and "news" not in by_channel
