"""Repositories: the narrow, typed interface services use to reach storage.

Services see only these methods (see :mod:`curator.store.interfaces`), so a
server-backed store (PostgreSQL) can implement the same protocols later
without touching a service.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Generic, Protocol, TypeVar

from curator.codec import from_doc, to_doc
from curator.domain import Item
from curator.store.engine import Store


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)
C = TypeVar("C")


def item_period(doc: dict[str, Any]) -> str:
    """The partition period of an item document: the month it was said in (UTC)."""
    when = doc.get("published_at") or doc.get("fetched_at") or ""
    return str(when)[:7] if len(str(when)) >= 7 else "undated"


class TinyRepository(Generic[T]):
    """One aggregate in one table of the TinyDB-backed store."""

    def __init__(self, store: Store, table: str, cls: type[T], period_field: str | None = None) -> None:
        self._store = store
        self.table = table
        self._cls: type[T] = cls
        self._period_field = period_field

    def _period(self, doc: dict[str, Any]) -> str | None:
        """The partition of a document in a partitioned table: the month of ``period_field``."""
        if self._period_field is None:
            return None
        when = str(doc.get(self._period_field) or "")
        return when[:7] if len(when) >= 7 else "undated"

    def get(self, obj_id: str) -> T | None:
        doc = self._store.get(self.table, obj_id)
        return from_doc(self._cls, doc) if doc is not None else None

    def list(self) -> list[T]:
        return [from_doc(self._cls, doc) for doc in self._store.iter_docs(self.table)]

    def count(self) -> int:
        return self._store.count(self.table)

    def ids(self) -> set[str]:
        return self._store.ids(self.table)

    def save(self, obj: T) -> None:
        """Insert or replace; durable when this returns."""
        self.save_many([obj])

    def save_many(self, objs: Iterable[T]) -> None:
        """Insert or replace many in one durable commit (one journal line)."""
        with self._store.transaction() as tx:
            for obj in objs:
                doc = to_doc(obj)
                tx.put(self.table, obj.id, doc, self._period(doc))

    def remove(self, obj_id: str) -> None:
        with self._store.transaction() as tx:
            tx.delete(self.table, obj_id)


class ItemRepository(TinyRepository[Item]):
    """Items are many: partitioned by month, read newest first."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, "items", Item)

    def _period(self, doc: dict[str, Any]) -> str | None:
        return item_period(doc)

    def recent(self, limit: int = 200) -> list[Item]:
        """The newest items by the time they were said, newest first.

        Partitions are months, so only the newest months are read until
        ``limit`` items are found.
        """
        found: list[dict[str, Any]] = []
        partitions = self._store.partitions(self.table)
        done_periods: set[str] = set()
        for partition in partitions:
            period = partition.rsplit(".", 1)[0]
            if period in done_periods:
                continue
            if len(found) >= limit and period != "undated":
                break
            done_periods.add(period)
            for chunk in partitions:
                if chunk.rsplit(".", 1)[0] == period:
                    found.extend(self._store.partition_docs(self.table, chunk))
        found.sort(key=lambda d: d.get("published_at") or d.get("fetched_at") or "", reverse=True)
        return [from_doc(Item, doc) for doc in found[:limit]]

    def count_by_source(self) -> dict[str, int]:
        """How many items each source brought (a full scan: call it off the UI thread)."""
        counts: Counter[str] = Counter()
        for doc in self._store.iter_docs(self.table):
            counts[str(doc.get("source_id", ""))] += 1
        return dict(counts)


class ConfigRepository:
    """Workspace-wide settings the team shares (brand guide, approval steps...).

    One document per key, each a dataclass; per-user settings live in
    :mod:`curator.settings` instead.
    """

    table = "config"

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str, cls: type[C]) -> C | None:
        doc = self._store.get(self.table, key)
        return from_doc(cls, doc) if doc is not None else None

    def get_or_default(self, key: str, cls: type[C]) -> C:
        found = self.get(key, cls)
        return found if found is not None else cls()

    def put(self, key: str, value: object) -> None:
        with self._store.transaction() as tx:
            tx.put(self.table, key, to_doc(value), None)
