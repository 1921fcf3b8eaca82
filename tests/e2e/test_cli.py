"""The command line, run as a user runs it (a real process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.conftest import REPO_ROOT


def _curator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curator", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_init_demo_then_info(tmp_path: Path) -> None:
    ws = tmp_path / "team"
    done = _curator("init", str(ws), "--demo")
    assert done.returncode == 0, done.stderr
    assert "Northwind Coffee (demo)" in done.stdout
    info = _curator("--workspace", str(ws), "info", "--json")
    assert info.returncode == 0, info.stderr
    data = orjson.loads(info.stdout)
    assert data["schema"] == 2
    assert data["counts"]["items"] >= 150 and data["counts"]["sources"] >= 8


def test_errors_are_one_sentence_and_exit_1(tmp_path: Path) -> None:
    done = _curator("--workspace", str(tmp_path / "missing"), "info")
    assert done.returncode == 1
    assert done.stderr.startswith("curator: There is no workspace at")
    assert "Traceback" not in done.stderr
