"""Schema 1 (one plain TinyDB file) to schema 2, with a backup taken first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from curator.codec import to_doc
from curator.domain import Item, Source, TouchPoint, TouchPointKind, User
from curator.store.migrations import SCHEMA_VERSION
from curator.workspace import Workspace


def _write_schema_1(root: Path) -> dict[str, list[object]]:
    """A workspace as the first version wrote it: plain TinyDB, integer doc ids."""
    root.mkdir(parents=True)
    (root / "workspace.json").write_bytes(orjson.dumps({"schema": 1, "name": "Old team"}))
    src = Source(title="Forum", url="https://forum.example.org/rss")
    objs: dict[str, list[object]] = {
        "sources": [src],
        "items": [
            Item(
                source_id=src.id,
                title=f"post {n}",
                text="hello",
                published_at=datetime(2025, n, 1, tzinfo=UTC),
            )
            for n in range(1, 13)
        ],
        "touchpoints": [TouchPoint(name="Blog", kind=TouchPointKind.BLOG, timezone="Europe/London")],
        "users": [User(name="Ana")],
    }
    db = TinyDB(root / "db.json")
    for table, rows in objs.items():
        db.table(table).insert_multiple(to_doc(o) for o in rows)
    db.close()
    return objs


def test_schema_1_is_migrated_to_2_with_a_backup(tmp_path: Path) -> None:
    root = tmp_path / "old"
    objs = _write_schema_1(root)
    with Workspace.open(root) as ws:
        assert ws.meta["schema"] == SCHEMA_VERSION
        assert ws.backup_taken is not None and ws.backup_taken.parent == root / "backups"
        for table, rows in objs.items():
            repo = getattr(ws, table)
            assert sorted(repo.list(), key=lambda o: o.id) == sorted(rows, key=lambda o: o.id)
        assert len(ws.store.partitions("items")) == 12  # one per month
    backup = ws.backup_taken
    assert (backup / "db.json").exists()
    assert orjson.loads((backup / "workspace.json").read_bytes())["schema"] == 1
    assert not (root / "db.json").exists()
    # The backup is the untouched original, readable by plain TinyDB.
    with TinyDB(backup / "db.json") as original:
        assert len(original.table("items")) == 12


def test_interrupted_migration_runs_again_from_the_start(tmp_path: Path) -> None:
    root = tmp_path / "old"
    objs = _write_schema_1(root)
    (root / "db").mkdir()
    (root / "db" / "journal.log").write_bytes(b"half-written leftovers of a killed migration\n")
    with Workspace.open(root) as ws:
        assert ws.items.count() == len(objs["items"])
        assert ws.sources.count() == 1


def test_read_only_open_of_an_old_workspace_says_how_to_upgrade(tmp_path: Path) -> None:
    root = tmp_path / "old"
    _write_schema_1(root)
    with pytest.raises(Exception, match="must be upgraded first"):
        Workspace.open(root, read_only=True)
    assert (root / "db.json").exists()  # untouched
