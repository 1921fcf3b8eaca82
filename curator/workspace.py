"""A workspace: the folder a team shares, and the entry point to its data.

Layout::

    workspace.json          name, schema version, creation time
    .curator.lock           cross-process lock (and who holds it)
    db/journal.log          committed writes not yet checkpointed
    db/checkpoint.json      checkpoint epoch
    db/<table>.json         small tables (TinyDB files)
    db/items/<YYYY-MM>.<n>.json, db/items/index.json
    backups/schema-<n>-<time>/   full copies taken before each migration
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from curator.domain import (
    AuditEntry,
    Comment,
    Draft,
    DraftVersion,
    Issue,
    ScheduledPost,
    Source,
    TouchPoint,
    User,
    utcnow,
)
from curator.errors import NotAWorkspace, SchemaTooNew, WorkspaceError
from curator.store.engine import Store, StoreEvent, Transaction
from curator.store.files import remove_stale_temp_files
from curator.store.interfaces import ConfigRepositoryProtocol, ItemRepositoryProtocol, Repository
from curator.store.lock import WorkspaceLock
from curator.store.migrations import META_FILE, SCHEMA_VERSION, TABLES, migrate, read_meta, write_meta
from curator.store.repositories import ConfigRepository, ItemRepository, TinyRepository

LOCK_FILE = ".curator.lock"


class Workspace:
    """An open workspace: repositories per aggregate over one store."""

    def __init__(
        self, path: Path, meta: dict[str, Any], store: Store, lock: WorkspaceLock, backup: Path | None
    ) -> None:
        self.path = path
        self.meta = meta
        self.store = store
        self._lock = lock
        self.backup_taken = backup
        # Typed as the protocols services may rely on (mypy checks that the
        # TinyDB repositories satisfy them): a server-backed store replaces
        # only these lines.
        self.sources: Repository[Source] = TinyRepository(store, "sources", Source)
        self.items: ItemRepositoryProtocol = ItemRepository(store)
        self.issues: Repository[Issue] = TinyRepository(store, "issues", Issue)
        self.drafts: Repository[Draft] = TinyRepository(store, "drafts", Draft)
        self.touchpoints: Repository[TouchPoint] = TinyRepository(store, "touchpoints", TouchPoint)
        self.users: Repository[User] = TinyRepository(store, "users", User)
        self.config: ConfigRepositoryProtocol = ConfigRepository(store)
        self.draft_versions: Repository[DraftVersion] = TinyRepository(
            store, "draft_versions", DraftVersion, period_field="created_at"
        )
        self.comments: Repository[Comment] = TinyRepository(store, "comments", Comment)
        self.audit: Repository[AuditEntry] = TinyRepository(store, "audit", AuditEntry, period_field="at")
        self.posts: Repository[ScheduledPost] = TinyRepository(store, "posts", ScheduledPost)
        self._closed = False

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.name)

    @property
    def read_only_reason(self) -> str | None:
        return self.store.read_only_reason

    @property
    def read_only(self) -> bool:
        return self.store.read_only_reason is not None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = False,
        read_only: bool = False,
        name: str | None = None,
        lock_timeout: float = 15.0,
        **store_options: Any,
    ) -> Workspace:
        """Open (and if asked, create) the workspace in ``path``.

        Args:
            path: the workspace folder.
            create: create a new workspace when the folder holds none.
            read_only: never write (e.g. a wall display); also chosen
                automatically, with a reason, when the folder is not writable.
            name: the name of a newly created workspace (default: folder name).
            lock_timeout: seconds to wait for another process's write.
            **store_options: tuning passed to :class:`Store` (tests, benchmarks).

        Raises:
            NotAWorkspace: no workspace there and ``create`` is False.
            SchemaTooNew: written by a newer Curator.
            CorruptWorkspace: a file cannot be read back.
        """
        root = Path(path).expanduser().absolute()
        meta_path = root / META_FILE
        if not meta_path.exists():
            if not create:
                if root.is_dir() and any(root.iterdir()):
                    raise NotAWorkspace(
                        f"{root} is not a Curator workspace (it has no {META_FILE}). "
                        "Choose a workspace folder, or an empty folder to create one."
                    )
                raise NotAWorkspace(f"There is no workspace at {root}. Create one with: curator init {root}")
            if read_only:
                raise NotAWorkspace(f"There is no workspace at {root} to open read-only.")
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WorkspaceError(f"Cannot create a workspace at {root}: {exc.strerror}.") from exc

        reason: str | None = None
        if read_only:
            reason = "Opened read-only as asked: changes cannot be saved from this window."
        elif not os.access(root, os.W_OK) or ((root / "db").exists() and not os.access(root / "db", os.W_OK)):
            reason = (
                f"You may not write to {root}, so it was opened read-only. Ask its owner for write access."
            )

        lock = WorkspaceLock(root / LOCK_FILE, timeout=lock_timeout)
        backup: Path | None = None
        try:
            if reason is None:
                with lock.exclusive():
                    if not meta_path.exists():
                        write_meta(
                            root,
                            {
                                "format": "curator-workspace",
                                "schema": SCHEMA_VERSION,
                                "name": name or root.name,
                                "created_at": utcnow().isoformat(),
                            },
                        )
                    meta = cls._checked_meta(root)
                    backup = migrate(root, lock, meta)
                    meta = read_meta(root)
                    (root / "db").mkdir(exist_ok=True)
                    remove_stale_temp_files(root)
                    for folder in (root / "db").rglob("*"):
                        if folder.is_dir():
                            remove_stale_temp_files(folder)
                    remove_stale_temp_files(root / "db")
            else:
                meta = cls._checked_meta(root)
                if meta["schema"] < SCHEMA_VERSION:
                    raise WorkspaceError(
                        f"{root} uses an older layout (schema {meta['schema']}) and must be upgraded "
                        "first: open it once without --read-only, as a user who may write to it."
                    )
            store = Store(root / "db", lock, TABLES, read_only_reason=reason, **store_options)
        except BaseException:
            lock.close()
            raise
        return cls(root, meta, store, lock, backup)

    @staticmethod
    def _checked_meta(root: Path) -> dict[str, Any]:
        meta = read_meta(root)
        if meta["schema"] > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{root} was written by a newer Curator (workspace schema {meta['schema']}); "
                f"this version reads up to schema {SCHEMA_VERSION}. Update Curator to open it."
            )
        return meta

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Group writes across repositories into one atomic, durable commit."""
        with self.store.transaction() as tx:
            yield tx

    def subscribe(self, listener: Callable[[StoreEvent], None]) -> Callable[[], None]:
        """Be told of every change; the listener runs in the writing thread."""
        return self.store.subscribe(listener)

    def refresh(self) -> bool:
        """Apply changes written by other processes; True if there were any."""
        return self.store.refresh()

    def checkpoint(self) -> None:
        self.store.checkpoint()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.store.close()
        finally:
            self._lock.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
