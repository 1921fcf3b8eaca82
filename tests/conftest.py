"""Test isolation shared by every suite: offscreen Qt, config and data in tmp."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
