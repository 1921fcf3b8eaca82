"""Where Curator keeps its files (platformdirs), overridable for tests and CI."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "curator"


def data_dir() -> Path:
    """User data folder; ``CURATOR_DATA_DIR`` overrides it."""
    env = os.environ.get("CURATOR_DATA_DIR")
    return Path(env) if env else platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """User settings folder; ``CURATOR_CONFIG_DIR`` overrides it."""
    env = os.environ.get("CURATOR_CONFIG_DIR")
    return Path(env) if env else platformdirs.user_config_path(APP_NAME, appauthor=False)


def default_workspace_path() -> Path:
    """The workspace opened when none is named: the demo workspace."""
    return data_dir() / "workspaces" / "demo"
