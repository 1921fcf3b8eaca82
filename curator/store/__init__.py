"""Workspace storage: TinyDB partitions behind a shared journal (see engine)."""

from curator.store.engine import Store, StoreEvent, TableSpec, Transaction

__all__ = ["Store", "StoreEvent", "TableSpec", "Transaction"]
