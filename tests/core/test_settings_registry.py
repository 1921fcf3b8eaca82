"""The settings registry: every key the code reads is declared, every declared key is read,
values are validated with sentences a user can act on, and old files are migrated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from curator import settings as settings_mod
from curator.settings import (
    MIGRATIONS,
    REGISTRY,
    SECTIONS,
    SETTINGS_VERSION,
    Setting,
    Settings,
    SettingsError,
    current,
    validate,
)
from tests.conftest import REPO_ROOT
from tests.httpserver import HttpServer

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Hello</title><link>http://127.0.0.1/x</link></item></channel></rss>"""

#: Method names through which code reads or writes one setting by key.
_ACCESSORS = frozenset({"get", "set", "reset", "is_default", "current"})
_KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


def _python_files() -> Iterator[Path]:
    for folder in ("curator", "ui"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if path != REPO_ROOT / "curator" / "settings.py":
                yield path


def _settings_receiver(node: ast.expr) -> bool:
    """Whether ``node`` (what ``.get`` is called on) is a Settings object or the settings module."""
    text = ast.unparse(node)
    return "settings" in text.casefold() or "Settings" in text


def _is_accessor_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in _ACCESSORS and _settings_receiver(func.value)
    return isinstance(func, ast.Name) and func.id == "current"


def keys_used_in(source: str) -> set[str]:
    """The setting keys a module names in calls such as ``Settings().get("k")`` or ``current("k")``.

    Also counts constants named ``*_SETTING`` that hold a dotted key
    (``THEME_SETTING = "ui.theme"``), for code that names a key once and
    passes the constant around.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            key = node.args[0].value
            if isinstance(key, str) and _is_accessor_call(node.func):
                found.add(key)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            value = node.value.value
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if (
                isinstance(value, str)
                and _KEY.fullmatch(value)
                and any(n.endswith("_SETTING") for n in names)
            ):
                found.add(value)
    return found


def used_keys() -> dict[str, set[str]]:
    """Key -> the files (relative) that use it."""
    used: dict[str, set[str]] = {}
    for path in _python_files():
        for key in keys_used_in(path.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(str(path.relative_to(REPO_ROOT)))
    return used


# -------------------------------------------------------------------------- coverage
def test_the_scanner_finds_each_way_code_names_a_key() -> None:
    source = """
from curator import settings
from curator.settings import Settings, current
THEME_SETTING = "ui.theme"
BAD_SETTING = "bad_setting"        # not a dotted key: ignored
a = Settings().get("user.name")
b = Settings(path).set("ingest.contact", "x")
my_settings.reset("wall.theme")
c = settings.current("nlp.model")
d = current("ingest.auto_fetch")
e = {"x.y": 1}.get("x.y")          # a dict, not settings: ignored
f = options.get("folder")          # connector options: ignored
"""
    assert keys_used_in(source) == {
        "ui.theme",
        "user.name",
        "ingest.contact",
        "wall.theme",
        "nlp.model",
        "ingest.auto_fetch",
    }


def test_every_settings_key_used_in_code_is_declared() -> None:
    used = used_keys()
    assert {"workspace.last", "nlp.model", "ingest.default_interval_minutes"} <= set(used), (
        "the scan misses keys known to be read: the scanner is broken"
    )
    undeclared = {key: sorted(files) for key, files in used.items() if key not in REGISTRY}
    assert not undeclared, f"settings used but not declared in curator/settings.py: {undeclared}"


def test_every_declared_setting_is_read_somewhere() -> None:
    unused = sorted(set(REGISTRY) - set(used_keys()))
    assert not unused, (
        f"declared settings no code reads (wire them up or remove them from the registry): {unused}"
    )


def test_every_declaration_is_complete() -> None:
    for key, setting in REGISTRY.items():
        assert key == setting.key
        assert setting.type in (bool, int, str), key
        assert setting.description.endswith("."), f"{key}: the help text should be a sentence"
        assert setting.section in SECTIONS
        assert setting.hidden or setting.label, f"{key} is shown on the page, so it needs a label"
        assert validate(key, setting.default) is None or setting.check is not None, key
        if setting.type is int:
            assert setting.minimum is not None and setting.maximum is not None, f"{key} needs bounds"


def test_a_declaration_with_a_default_outside_its_choices_is_refused() -> None:
    with pytest.raises(ValueError, match="default"):
        Setting("x.mode", str, "purple", "A mode.", label="Mode", choices=(("a", "A"), ("b", "B")))
    with pytest.raises(ValueError, match="section"):
        Setting("x.y", str, "", "Y.", label="Y", section="Nowhere")


# -------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("ui.theme", "purple", "Theme must be one of: Follow the system, Light, Dark."),
        ("ingest.default_interval_minutes", 2, "must be between 5 and 1,440 minutes; 2 is not."),
        ("ingest.default_interval_minutes", 10_000, "must be between 5 and 1,440 minutes"),
        ("wall.rotate_seconds", 1, "Show each panel for must be between 5 and 600 seconds"),
        ("ingest.auto_fetch", 1, "Fetch automatically takes on or off, not 1."),
        ("ingest.default_interval_minutes", True, "takes a whole number"),
        ("ingest.default_interval_minutes", "60", "takes a whole number, not '60'."),
        ("user.name", "   ", "Your name cannot be empty"),
        ("ingest.contact", "call me", "neither an e-mail address nor a web address"),
        ("nlp.model", "no_such_model_for_curator", "No spaCy model called “no_such_model_for_curator”"),
        ("nlp.model", "en core", "is not a model package name"),
        ("nlp.model", " en_core_web_sm", "spaces before or after"),
        ("no.such.key", 1, "There is no setting called no.such.key."),
    ],
)
def test_validation_says_what_is_wrong(key: str, value: Any, words: str) -> None:
    problem = validate(key, value)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ui.theme", "dark"),
        ("ingest.default_interval_minutes", 5),
        ("ingest.default_interval_minutes", 1440),
        ("ingest.contact", "news@example.com"),
        ("ingest.contact", "https://example.com/contact"),
        ("ingest.contact", ""),
        ("nlp.model", ""),
        ("nlp.model", "spacy"),  # an installed package: the check cannot tell a model from a library
        ("wall.theme", "light"),
        ("ingest.auto_fetch", False),
    ],
)
def test_usable_values_pass(key: str, value: Any) -> None:
    assert validate(key, value) is None


def test_a_model_folder_must_hold_a_model(tmp_path: Path) -> None:
    folder = tmp_path / "my_model"
    folder.mkdir()
    assert "holds no spaCy model" in (validate("nlp.model", str(folder)) or "")
    (folder / "config.cfg").write_text("[nlp]\n")
    assert validate("nlp.model", str(folder)) is None


def test_set_refuses_what_validate_refuses(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "s.json")
    with pytest.raises(SettingsError, match="must be between 5 and 1,440 minutes"):
        settings.set("ingest.default_interval_minutes", 1)
    with pytest.raises(SettingsError, match=r"ui\.theme takes a str"):
        settings.set("ui.theme", 3)
    settings.set("ui.theme", "dark")
    assert settings.get("ui.theme") == "dark"
    settings.reset("ui.theme")
    assert settings.get("ui.theme") == "system" and settings.is_default("ui.theme")
    with pytest.raises(KeyError):
        settings.reset("no.such.key")


def test_stored_values_outside_their_limits_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(
        orjson.dumps(
            {
                "_version": SETTINGS_VERSION,
                "ui.theme": "neon",
                "ingest.default_interval_minutes": 1,
                "wall.rotate_seconds": 30,
                "ingest.auto_fetch": 0,  # an int where a bool belongs
                "nlp.model": "uninstalled_model_kept_for_the_warning",
            }
        )
    )
    settings = Settings(path)
    assert settings.get("ui.theme") == "system"
    assert settings.get("ingest.default_interval_minutes") == 60
    assert settings.get("ingest.auto_fetch") is True
    assert settings.get("wall.rotate_seconds") == 30
    # A model uninstalled since it was chosen stays, so loading it can say what happened.
    assert settings.get("nlp.model") == "uninstalled_model_kept_for_the_warning"


# -------------------------------------------------------------------------- migrations
def test_an_older_file_is_migrated_step_by_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps({"_version": 1, "fetch.interval": 30, "workspace.last": "/w"}))
    calls: list[int] = []

    def one_to_two(raw: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        raw["ingest.default_interval_minutes"] = raw.pop("fetch.interval")
        return raw

    def two_to_three(raw: dict[str, Any]) -> dict[str, Any]:
        calls.append(2)
        raw["ui.theme"] = "dark" if raw.pop("dark_mode", False) else "light"
        return raw

    monkeypatch.setattr(settings_mod, "SETTINGS_VERSION", 3)
    monkeypatch.setitem(MIGRATIONS, 1, one_to_two)
    monkeypatch.setitem(MIGRATIONS, 2, two_to_three)
    settings = Settings(path)
    assert calls == [1, 2]
    assert settings.get("ingest.default_interval_minutes") == 30
    assert settings.get("ui.theme") == "light"
    assert settings.get("workspace.last") == "/w"
    settings.save()
    assert orjson.loads(path.read_bytes())["_version"] == 3
    calls.clear()
    Settings(path)
    assert calls == [], "a migrated file is not migrated again"


def test_every_version_below_the_current_one_has_a_migration() -> None:
    assert set(MIGRATIONS) == set(range(1, SETTINGS_VERSION))


def test_a_damaged_version_number_reads_as_current(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps({"_version": "one", "ui.theme": "dark"}))
    assert Settings(path).get("ui.theme") == "dark"


# -------------------------------------------------------------------------- current()
def test_current_reads_the_users_file_again_only_after_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert current("ingest.default_interval_minutes") == 60
    reads: list[Path] = []
    real_init = Settings.__init__

    def counting_init(self: Settings, path: Path | None = None) -> None:
        reads.append(path or Path())
        real_init(self, path)

    monkeypatch.setattr(Settings, "__init__", counting_init)
    for _ in range(5):
        assert current("ingest.default_interval_minutes") == 60
    assert reads == [], "an unchanged file is not read again"
    settings = Settings()
    settings.set("ingest.default_interval_minutes", 15)
    settings.save()
    reads.clear()
    assert current("ingest.default_interval_minutes") == 15
    assert len(reads) == 1


def test_the_nlp_pipeline_reads_its_model_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from curator.nlp import pipeline

    settings = Settings()
    settings.set("nlp.model", "spacy")  # installed, so the setting validates; loading is faked
    settings.save()
    assert pipeline.configured_model() == "spacy"
    asked: list[str | None] = []

    def fake_load(model: str | None) -> Any:
        asked.append(model)
        return "loaded"

    monkeypatch.setattr(pipeline, "_load_uncached", fake_load)
    monkeypatch.setattr(pipeline, "_cache", {})
    assert pipeline.load_pipeline() == "loaded"
    assert pipeline.load_pipeline("") == "loaded"
    assert pipeline.load_pipeline("en_core_web_md") == "loaded"
    assert asked == ["spacy", "", "en_core_web_md"], "None means the setting; a name given wins"


def test_a_new_source_gets_the_interval_and_contact_from_the_registry(
    tmp_path: Path, http_server: HttpServer
) -> None:
    from curator.ingest.service import IngestService
    from curator.workspace import Workspace

    http_server.route("/feed.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    settings = Settings()
    settings.set("ingest.default_interval_minutes", 15)
    settings.set("ingest.contact", "news@example.com")
    settings.save()
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        service = IngestService(ws, parse_workers=0)
        source = service.add_source(http_server.url("/feed.xml"))
        assert source.fetch_interval_minutes == 15
        assert "contact: news@example.com" in http_server.requests_to("/feed.xml")[0].headers["user-agent"]
        other = IngestService(ws, contact="", parse_workers=0).add_source(
            http_server.url("/feed.xml?b"), fetch_interval_minutes=90
        )
        assert other.fetch_interval_minutes == 90
