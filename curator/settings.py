"""The one settings registry: every user setting is declared here, typed.

Settings are per user (platformdirs config folder), not per workspace; what a
team shares lives in the workspace. The file carries a version, and
``MIGRATIONS`` turns an older file into the current layout on load.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from curator.paths import config_dir
from curator.store.files import atomic_write

SETTINGS_VERSION = 1


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    key: str
    type: type
    default: Any
    description: str


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


REGISTRY: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("workspace.last", str, "", "The workspace opened last; opened again at start."),
        Setting("user.name", str, _default_user(), "Your name as the team sees it in the workspace."),
        Setting(
            "ingest.auto_fetch",
            bool,
            True,
            "While the app runs, fetch every source whose interval has passed.",
        ),
        Setting(
            "ingest.contact",
            str,
            "",
            "An e-mail or URL sent in the User-Agent, so site owners can reach you about fetching.",
        ),
    ]
}

# version -> function turning that version's dict into the next version's.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingsError(ValueError):
    """A value that does not fit its declared type."""


class Settings:
    """Typed access to the registry's values, saved atomically as JSON."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        self.load()

    def load(self) -> None:
        try:
            raw = orjson.loads(self.path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            raw = {}
        if not isinstance(raw, dict):
            raw = {}
        version = int(raw.pop("_version", SETTINGS_VERSION))
        while version < SETTINGS_VERSION:
            raw = MIGRATIONS[version](raw)
            version += 1
        # Keys we no longer declare are dropped; bad values fall back to defaults.
        self._values = {k: v for k, v in raw.items() if k in REGISTRY and isinstance(v, REGISTRY[k].type)}

    def get(self, key: str) -> Any:
        return self._values.get(key, REGISTRY[key].default)

    def set(self, key: str, value: Any) -> None:
        setting = REGISTRY[key]
        if not isinstance(value, setting.type):
            raise SettingsError(
                f"{key} takes a {setting.type.__name__}, not {type(value).__name__} ({value!r})."
            )
        self._values[key] = value

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"_version": SETTINGS_VERSION, **self._values}
        atomic_write(self.path, orjson.dumps(data, option=orjson.OPT_INDENT_2))
