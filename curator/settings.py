"""The one settings registry: every user setting is declared here, typed.

Settings are per user (platformdirs config folder), not per workspace; what a
team shares lives in the workspace. The file carries a version, and
``MIGRATIONS`` turns an older file into the current layout on load.

Each :class:`Setting` says everything a front end needs to offer it without
knowing it by name: its type, default, label, help text, the section it
belongs to, and its limits (choices, minimum, maximum, an extra check).
The desktop app generates its Settings page from this list, and
:func:`validate` gives the sentence shown under a field whose value cannot
be used, so the page and :meth:`Settings.set` refuse the same values.
"""

from __future__ import annotations

import getpass
import importlib.util
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from curator.paths import config_dir
from curator.store.files import atomic_write

SETTINGS_VERSION = 1

#: Sections of the Settings page, in the order it lists them.
GENERAL, YOU, APPEARANCE, FETCHING, LANGUAGE, WALL = (
    "General",
    "You",
    "Appearance",
    "Fetching",
    "Language analysis",
    "Wall",
)
SECTIONS: tuple[str, ...] = (GENERAL, YOU, APPEARANCE, FETCHING, LANGUAGE, WALL)

_TYPE_WORDS = {bool: "on or off", int: "a whole number", str: "text", float: "a number"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s/]+\.[^\s]+", re.IGNORECASE)
_PACKAGE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Setting:
    """One declared setting.

    Attributes:
        key: The dotted name code uses (``ingest.contact``).
        type: ``bool``, ``int`` or ``str``; stored values of another type fall back to the default.
        default: The value until the user changes it.
        description: One or two sentences for the help text: what it changes, and why one would.
        label: The field's name on the Settings page.
        section: Which page section lists it (one of :data:`SECTIONS`).
        choices: For a fixed set of values, ``(value, label)`` pairs in the order offered.
        minimum: Smallest allowed number (``int`` settings).
        maximum: Largest allowed number (``int`` settings).
        unit: What a number counts, said after it ("minutes", "seconds").
        hidden: Kept by the app itself, never shown on the page (the last workspace).
        check: An extra rule: returns the sentence saying what is wrong, or None.
        placeholder: Shown in an empty text field (what an empty value means).
    """

    key: str
    type: type
    default: Any
    description: str
    label: str = ""
    section: str = GENERAL
    choices: tuple[tuple[Any, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    hidden: bool = False
    check: Callable[[Any], str | None] | None = None
    placeholder: str = ""

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise ValueError(f"Setting {self.key} names an unknown section {self.section!r}.")
        if self.choices and self.default not in self.values():
            raise ValueError(f"The default of {self.key} is not one of its choices.")

    @property
    def title(self) -> str:
        """The label, or the key when none was given."""
        return self.label or self.key

    def values(self) -> list[Any]:
        """The allowed values when the setting has choices."""
        return [value for value, _label in self.choices]

    def choice_label(self, value: Any) -> str:
        """How a choice reads on screen."""
        return next((label for v, label in self.choices if v == value), str(value))


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


def _check_name(value: str) -> str | None:
    if not value.strip():
        return "Your name cannot be empty: the team sees it on your drafts, approvals and replies."
    if len(value) > 80:
        return "Your name is longer than 80 characters; shorten it."
    return None


def _check_contact(value: str) -> str | None:
    text = value.strip()
    if not text or _EMAIL.fullmatch(text) or _URL.fullmatch(text):
        return None
    return (
        f"“{text}” is neither an e-mail address nor a web address: write it like "
        "news@example.com or https://example.com/contact, or leave it empty."
    )


def _check_model(value: str) -> str | None:
    """A spaCy model is an installed package name or a folder holding a model."""
    text = value.strip()
    if not text:
        return None
    if text != value:
        return "The model name has spaces before or after it; remove them."
    if any(sep in text for sep in ("/", "\\")) or text.startswith(("~", ".")):
        folder = Path(text).expanduser()
        if not (folder / "config.cfg").is_file():
            return (
                f"The folder {text} holds no spaCy model (it has no config.cfg); choose the model's folder."
            )
        return None
    if not _PACKAGE.fullmatch(text):
        return (
            f"“{text}” is not a model package name: use letters, digits and underscores, "
            "such as en_core_web_md, or a folder path."
        )
    if importlib.util.find_spec(text) is None:
        return (
            f"No spaCy model called “{text}” is installed: install it "
            f"(python -m spacy download {text}) or leave this empty to use the default."
        )
    return None


REGISTRY: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting(
            "workspace.last",
            str,
            "",
            "The workspace opened last; opened again at start.",
            label="Last workspace",
            hidden=True,
        ),
        Setting(
            "ui.welcome_done",
            bool,
            False,
            "Whether the first-start welcome was shown; it is not shown again.",
            label="Welcome shown",
            hidden=True,
        ),
        Setting(
            "user.name",
            str,
            _default_user(),
            "The name Curator gives you when you are the first to open a new workspace. "
            "After that, admins change members' names in Settings › Team.",
            label="Your name",
            section=YOU,
            check=_check_name,
        ),
        Setting(
            "ui.theme",
            str,
            "system",
            "Light or dark colours for the whole app. “Follow the system” changes with your desktop.",
            label="Theme",
            section=APPEARANCE,
            choices=(("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")),
        ),
        Setting(
            "ingest.auto_fetch",
            bool,
            True,
            "While the app runs, fetch every source whose interval has passed.",
            label="Fetch automatically",
            section=FETCHING,
        ),
        Setting(
            "ingest.default_interval_minutes",
            int,
            60,
            "How often a newly added source is fetched; each source can change its own later. "
            "More often than every 5 minutes is impolite to the sites you read.",
            label="Interval for new sources",
            section=FETCHING,
            minimum=5,
            maximum=24 * 60,
            unit="minutes",
        ),
        Setting(
            "ingest.contact",
            str,
            "",
            "An e-mail or URL sent in the User-Agent, so site owners can reach you about fetching.",
            label="Contact for site owners",
            section=FETCHING,
            check=_check_contact,
            placeholder="news@example.com",
        ),
        Setting(
            "nlp.model",
            str,
            "",
            "The spaCy model that reads texts for hot issues, triage and masking: an installed package "
            "name or a model folder. Empty uses en_core_web_sm, else the bundled model. "
            "Used from the next workspace opened.",
            label="spaCy model",
            section=LANGUAGE,
            check=_check_model,
            placeholder="Default: en_core_web_sm, else the bundled model",
        ),
        Setting(
            "wall.rotate_seconds",
            int,
            20,
            "How long the wall shows each panel before it moves to the next.",
            label="Show each panel for",
            section=WALL,
            minimum=5,
            maximum=600,
            unit="seconds",
        ),
        Setting(
            "wall.theme",
            str,
            "dark",
            "Colours of the wall. Dark is easier to read across a room and kinder to screens left on.",
            label="Wall colours",
            section=WALL,
            choices=(("dark", "Dark"), ("light", "Light"), ("system", "Like the system")),
        ),
    ]
}

# version -> function turning that version's dict into the next version's.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingsError(ValueError):
    """A value that does not fit its declared type or limits."""


def _fits_type(setting: Setting, value: Any) -> bool:
    # bool is a subclass of int: True must not pass as a number, nor 1 as a switch.
    if setting.type is bool or isinstance(value, bool):
        return type(value) is setting.type
    return isinstance(value, setting.type)


def _limit_problem(setting: Setting, value: Any) -> str | None:
    """Choices and bounds: what the stored file must meet too."""
    name = setting.title
    if setting.choices and value not in setting.values():
        options = ", ".join(label for _value, label in setting.choices)
        return f"{name} must be one of: {options}."
    unit = f" {setting.unit}" if setting.unit else ""
    low, high = setting.minimum, setting.maximum
    if isinstance(value, int) and not isinstance(value, bool):
        if low is not None and high is not None and not low <= value <= high:
            return f"{name} must be between {low:,} and {high:,}{unit}; {value:,} is not."
        if low is not None and value < low:
            return f"{name} must be at least {low:,}{unit}."
        if high is not None and value > high:
            return f"{name} must be at most {high:,}{unit}."
    return None


def validate(key: str, value: Any) -> str | None:
    """Why ``value`` cannot be used for ``key``, as a sentence a user can act on; None when it can.

    The Settings page shows the sentence under the field, and
    :meth:`Settings.set` raises it as a :class:`SettingsError`.
    """
    setting = REGISTRY.get(key)
    if setting is None:
        return f"There is no setting called {key}."
    if not _fits_type(setting, value):
        return f"{setting.title} takes {_TYPE_WORDS.get(setting.type, setting.type.__name__)}, not {value!r}."
    problem = _limit_problem(setting, value)
    if problem is None and setting.check is not None:
        problem = setting.check(value)
    return problem


class Settings:
    """Typed access to the registry's values, saved atomically as JSON."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        self.load()

    def load(self) -> None:
        """Read the file, migrating an older layout; a missing or damaged file means defaults."""
        try:
            raw = orjson.loads(self.path.read_bytes())
        except (FileNotFoundError, IsADirectoryError, orjson.JSONDecodeError):
            raw = {}
        if not isinstance(raw, dict):
            raw = {}
        version = raw.pop("_version", SETTINGS_VERSION)
        if type(version) is not int:
            version = SETTINGS_VERSION
        while version < SETTINGS_VERSION:
            raw = MIGRATIONS[version](raw)
            version += 1
        # Keys we no longer declare are dropped; values of the wrong type, or
        # outside their choices and bounds, fall back to defaults. Checks that
        # depend on this machine (an installed model) are not applied here: a
        # model uninstalled since is reported where it is loaded.
        self._values = {
            k: v
            for k, v in raw.items()
            if k in REGISTRY and _fits_type(REGISTRY[k], v) and _limit_problem(REGISTRY[k], v) is None
        }

    def get(self, key: str) -> Any:
        """The value of ``key`` (its default until set).

        Raises:
            KeyError: ``key`` is not declared in :data:`REGISTRY`.
        """
        return self._values.get(key, REGISTRY[key].default)

    def set(self, key: str, value: Any) -> None:
        """Change ``key`` in memory (call :meth:`save` to keep it).

        Raises:
            KeyError: ``key`` is not declared.
            SettingsError: the value does not fit; the message says why.
        """
        setting = REGISTRY[key]
        if not _fits_type(setting, value):
            raise SettingsError(
                f"{key} takes a {setting.type.__name__}, not {type(value).__name__} ({value!r})."
            )
        problem = validate(key, value)
        if problem is not None:
            raise SettingsError(problem)
        self._values[key] = value

    def reset(self, key: str) -> None:
        """Go back to the default of ``key``."""
        if key not in REGISTRY:
            raise KeyError(key)
        self._values.pop(key, None)

    def is_default(self, key: str) -> bool:
        """Whether ``key`` holds its default (set or not)."""
        return bool(self.get(key) == REGISTRY[key].default)

    def save(self) -> None:
        """Write every value set, atomically, with the layout version."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"_version": SETTINGS_VERSION, **self._values}
        atomic_write(self.path, orjson.dumps(data, option=orjson.OPT_INDENT_2))


_current_lock = threading.Lock()
_current: tuple[tuple[str, int, int, int], Settings] | None = None


def current(key: str) -> Any:
    """The value of ``key`` in the user's settings file, as last saved.

    For core code that reads one setting in a worker (the NLP model, the
    interval of a new source) many times: the file is read again only when
    it changed (its path, inode, size or modification time), so a change
    saved on the Settings page applies from the next call without a restart.
    """
    global _current
    path = config_dir() / "settings.json"
    try:
        st = os.stat(path)
        stamp = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        stamp = (str(path), 0, -1, 0)
    with _current_lock:
        cached = _current
        if cached is None or cached[0] != stamp:
            cached = (stamp, Settings(path))
            _current = cached
    return cached[1].get(key)
