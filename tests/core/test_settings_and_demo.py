"""Settings registry and the demo workspace."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from curator.demo import ensure_demo_workspace
from curator.domain import Role, utcnow
from curator.settings import REGISTRY, Settings, SettingsError
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT


def test_settings_round_trip_and_validate(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "s.json")
    assert settings.get("workspace.last") == ""
    settings.set("workspace.last", "/data/team")
    with pytest.raises(SettingsError, match=r"workspace\.last takes a str"):
        settings.set("workspace.last", 3)
    with pytest.raises(KeyError):
        settings.set("no.such.key", "x")
    settings.save()
    assert Settings(tmp_path / "s.json").get("workspace.last") == "/data/team"


def test_damaged_or_foreign_settings_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps({"_version": 1, "workspace.last": 42, "retired.key": "x"}))
    assert Settings(path).get("workspace.last") == ""
    path.write_bytes(b"{not json")
    assert Settings(path).get("user.name") == REGISTRY["user.name"].default


def test_every_settings_key_used_in_code_is_declared() -> None:
    used = set()
    for path in [*REPO_ROOT.joinpath("curator").rglob("*.py"), *REPO_ROOT.joinpath("ui").rglob("*.py")]:
        used |= set(re.findall(r"""settings\w*\.(?:get|set)\(\s*["']([\w.]+)["']""", path.read_text()))
        used |= set(re.findall(r"""Settings\(\)\.(?:get|set)\(\s*["']([\w.]+)["']""", path.read_text()))
    assert used, "the scan found no settings use at all: the pattern is wrong"
    assert used <= set(REGISTRY), f"undeclared settings: {used - set(REGISTRY)}"


def test_demo_workspace_is_alive_and_created_once(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    ensure_demo_workspace(root)
    ensure_demo_workspace(root)  # second start: nothing duplicated
    with Workspace.open(root) as ws:
        assert ws.name == "Northwind Coffee (demo)"
        assert ws.sources.count() >= 8
        assert ws.items.count() >= 150
        assert ws.touchpoints.count() >= 6
        assert {r for u in ws.users.list() for r in u.roles} == set(Role)
        source_ids = ws.sources.ids()
        items = ws.items.list()
        assert all(i.source_id in source_ids for i in items)
        assert all(".example." in i.url or i.url.startswith("https://example.") for i in items)
        # recent items are recent: the demo always looks current
        newest = ws.items.recent(1)[0]
        assert utcnow() - newest.when < timedelta(hours=6)
        assert len(ws.drafts.list()) >= 4
