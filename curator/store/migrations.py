"""Schema versions of the workspace and the steps between them.

Schema 1 was the naive layout: one plain TinyDB file ``db.json`` holding all
tables with TinyDB's integer ids (every write rewrote everything). Schema 2 is
the journaled, partitioned store of :mod:`curator.store.engine`.

Each step runs under the workspace's exclusive lock, after a full backup in
``backups/``, and can be re-run from the start if it was interrupted: the
schema number in ``workspace.json`` moves only once a step has finished.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from curator.errors import CorruptWorkspace
from curator.store.engine import Store, TableSpec
from curator.store.files import atomic_write, fsync_dir
from curator.store.lock import WorkspaceLock

SCHEMA_VERSION = 2

TABLES = [
    TableSpec("sources"),
    TableSpec("items", partitioned=True),
    TableSpec("issues"),
    TableSpec("drafts"),
    TableSpec("touchpoints"),
    TableSpec("users"),
    TableSpec("config"),
    TableSpec("draft_versions", partitioned=True),
    TableSpec("comments"),
    TableSpec("audit", partitioned=True),
    TableSpec("posts"),
    TableSpec("publish_journal", partitioned=True),
    TableSpec("triage", partitioned=True),
    TableSpec("conversations"),
    TableSpec("replies"),
    TableSpec("reply_templates"),
    TableSpec("desk_events", partitioned=True),
]

META_FILE = "workspace.json"
BACKUP_DIR = "backups"


def read_meta(root: Path) -> dict[str, Any]:
    try:
        meta = orjson.loads((root / META_FILE).read_bytes())
        if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
            raise ValueError("no schema number")
        return meta
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise CorruptWorkspace(
            f"{root / META_FILE} is damaged ({exc}). Restore it from {root / BACKUP_DIR} "
            "or from your own backup."
        ) from exc


def write_meta(root: Path, meta: dict[str, Any]) -> None:
    atomic_write(root / META_FILE, orjson.dumps(meta, option=orjson.OPT_INDENT_2))


def backup(root: Path, schema: int) -> Path:
    """Copy the whole workspace (but older backups and the lock) into backups/."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = root / BACKUP_DIR / f"schema-{schema}-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = root / BACKUP_DIR / f"schema-{schema}-{stamp}-{n}"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(BACKUP_DIR, ".curator.lock", ".*.tmp"))
    for folder, _dirs, files in os.walk(target):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))
    fsync_dir(target.parent)
    return target


def _v1_to_v2(root: Path, lock: WorkspaceLock) -> None:
    from curator.store.repositories import item_period

    old = root / "db.json"
    raw = orjson.loads(old.read_bytes()) if old.exists() else {}
    new = root / "db"
    if new.exists():  # an earlier attempt was interrupted: start again
        shutil.rmtree(new)
    new.mkdir()
    store = Store(new, lock, TABLES)
    with store.transaction() as tx:
        for spec in TABLES:
            for doc in raw.get(spec.name, {}).values():
                doc_id = str(doc.get("id") or "")
                if not doc_id:
                    raise CorruptWorkspace(f"A {spec.name} record in {old} has no id; it cannot be migrated.")
                tx.put(spec.name, doc_id, doc, item_period(doc) if spec.partitioned else None)
    store.close()
    old.unlink(missing_ok=True)
    fsync_dir(root)


MIGRATIONS: dict[int, Callable[[Path, WorkspaceLock], None]] = {1: _v1_to_v2}


def migrate(root: Path, lock: WorkspaceLock, meta: dict[str, Any]) -> Path | None:
    """Bring the workspace to ``SCHEMA_VERSION``; returns the backup folder, if any."""
    schema = int(meta["schema"])
    if schema >= SCHEMA_VERSION:
        return None
    saved = backup(root, schema)
    while schema < SCHEMA_VERSION:
        MIGRATIONS[schema](root, lock)
        schema += 1
        meta = {**meta, "schema": schema}
        write_meta(root, meta)
    return saved
