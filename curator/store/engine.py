"""The workspace store: TinyDB partitions, a shared journal, batched checkpoints.

Plain TinyDB rewrites its whole file on every write and re-reads it on every
query (DESIGN.md measured 15 s for 1,000 inserts). Here:

* every table is made of TinyDB partitions held in memory by
  :class:`_MemoryStorage`; large tables (items) are partitioned by period
  (``2026-11``) and capped in size (``2026-11.000``, ``2026-11.001``...), so a
  write never rewrites more than one bounded file;
* a commit appends one checksummed line to the journal and fsyncs it: that
  is the durable moment (milliseconds), see :mod:`curator.store.journal`;
* a checkpoint rewrites only the partitions that changed, each atomically
  (temp file, fsync, rename), bumps the checkpoint epoch, then empties the
  journal. A crash anywhere in between replays the journal, which is
  idempotent (whole documents, last write wins);
* writers of several processes take the workspace lock per transaction and
  first replay what the others appended, so nobody loses anybody's writes.

Partition files are ordinary TinyDB JSON files (``{"_default": {id: doc}}``)
that plain TinyDB can open for inspection.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import Storage, TinyDB
from tinydb.table import Document, Table

from curator.errors import CorruptWorkspace, WorkspaceReadOnly
from curator.store.files import atomic_write, fsync_dir
from curator.store.journal import Journal, Op
from curator.store.lock import WorkspaceLock

Doc = dict[str, Any]
MAIN_PARTITION = "main"


@dataclass(frozen=True)
class TableSpec:
    """How one table is laid out on disk."""

    name: str
    partitioned: bool = False
    max_partition_docs: int = 2000


@dataclass(frozen=True)
class StoreEvent:
    """What changed in one table; ``reset`` means reload all of it.

    ``external`` tells whether another process made the change (seen when
    catching up with the journal) or this one.
    """

    table: str
    inserted: frozenset[str] = frozenset()
    updated: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    reset: bool = False
    external: bool = False


Listener = Callable[[StoreEvent], None]


class _StrIdTable(Table):
    """Our ids are strings (uuids, content hashes), not TinyDB's counters."""

    document_id_class = str  # type: ignore[assignment]


class _PartitionDB(TinyDB):
    table_class = _StrIdTable


class _MemoryStorage(Storage):
    """Keeps a partition in memory; the checkpoint writes it to disk."""

    def __init__(self, data: dict[str, dict[str, Doc]]) -> None:
        self.data = data

    def read(self) -> dict[str, dict[str, Doc]]:
        return self.data

    def write(self, data: dict[str, dict[str, Doc]]) -> None:
        self.data = data

    def close(self) -> None:
        pass


class _Partition:
    def __init__(self, name: str, path: Path, data: dict[str, dict[str, Doc]]) -> None:
        self.name = name
        self.path = path
        self.db = _PartitionDB(storage=_MemoryStorage, data=data)
        self.table = self.db.table(TinyDB.default_table_name)
        self.dirty = False

    @property
    def storage(self) -> _MemoryStorage:
        storage = self.db.storage
        assert isinstance(storage, _MemoryStorage)
        return storage

    def raw(self) -> dict[str, Doc]:
        return self.storage.data.get(TinyDB.default_table_name, {})

    def apply(self, changes: dict[str, Doc | None]) -> None:
        present = self.raw()
        stale = [doc_id for doc_id in changes if doc_id in present]
        if stale:
            self.table.remove(doc_ids=stale)  # type: ignore[arg-type]  # str ids, see _StrIdTable
        puts = [Document(doc, doc_id) for doc_id, doc in changes.items() if doc is not None]  # type: ignore[arg-type]
        if puts:
            self.table.insert_multiple(puts)
        self.dirty = True

    def encode(self) -> bytes:
        return orjson.dumps(self.storage.data)


@dataclass
class _TableState:
    spec: TableSpec
    folder: Path
    index: dict[str, str] | None = None  # doc id -> partition (partitioned tables)
    counts: dict[str, int] = field(default_factory=dict)
    index_dirty: bool = False
    parts: OrderedDict[str, _Partition] = field(default_factory=OrderedDict)

    def partition_path(self, name: str) -> Path:
        if self.spec.partitioned:
            return self.folder / self.spec.name / f"{name}.json"
        return self.folder / f"{self.spec.name}.json"

    @property
    def index_path(self) -> Path:
        return self.folder / self.spec.name / "index.json"


class Transaction:
    """Writes collected under the workspace lock and committed as one batch."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._ops: dict[tuple[str, str], tuple[Doc | None, str | None]] = {}

    def put(self, table: str, doc_id: str, doc: Doc, period: str | None = None) -> None:
        """Insert or replace a whole document.

        Args:
            table: table name.
            doc_id: the document's id.
            doc: JSON-ready document.
            period: partition period (e.g. ``2026-11``) for partitioned
                tables; used only when the document is new.
        """
        self._ops[(table, doc_id)] = (doc, period)

    def delete(self, table: str, doc_id: str) -> None:
        self._ops[(table, doc_id)] = (None, None)

    def get(self, table: str, doc_id: str) -> Doc | None:
        """Read through this transaction's own pending writes."""
        if (table, doc_id) in self._ops:
            doc = self._ops[(table, doc_id)][0]
            return dict(doc) if doc is not None else None
        return self._store._get_locked(table, doc_id)

    def __len__(self) -> int:
        return len(self._ops)


class Store:
    """The storage engine under the repositories. Thread-safe, multi-process safe."""

    def __init__(
        self,
        folder: Path,
        lock: WorkspaceLock,
        specs: list[TableSpec],
        *,
        read_only_reason: str | None = None,
        checkpoint_bytes: int = 4 * 1024 * 1024,
        cache_partitions: int = 8,
    ) -> None:
        """Open the store in ``folder`` (``<workspace>/db``).

        Args:
            folder: where table files, the journal and the checkpoint live.
            lock: the workspace lock, shared with the workspace object.
            specs: the tables we know; unknown tables met in the journal
                (written by a newer version) are kept as plain tables.
            read_only_reason: when set, writes raise WorkspaceReadOnly with it.
            checkpoint_bytes: journal size that triggers a checkpoint.
            cache_partitions: clean partitions kept in memory per table.
        """
        self.folder = folder
        self.read_only_reason = read_only_reason
        self.checkpoint_bytes = checkpoint_bytes
        self.cache_partitions = cache_partitions
        self._lock = lock
        self._mutex: threading.RLock = lock.mutex
        self._journal = Journal(folder / "journal.log")
        self._checkpoint_path = folder / "checkpoint.json"
        self._specs = {spec.name: spec for spec in specs}
        self._tables: dict[str, _TableState] = {}
        self._epoch: int | None = None
        self._offset = 0
        self._seen_key: tuple[int, ...] | None = None
        self._listeners: list[Listener] = []
        self._tx: Transaction | None = None
        self._tx_thread: int | None = None
        with self._mutex, self._lock.shared():
            self._sync_locked()

    # ----------------------------------------------------------------- events
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after each change (from the thread that made or saw it)."""
        with self._mutex:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._mutex:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, events: list[StoreEvent]) -> None:
        if not events:
            return
        with self._mutex:
            listeners = list(self._listeners)
        for event in events:
            for listener in listeners:
                listener(event)

    # ------------------------------------------------------------------ reads
    def refresh(self) -> bool:
        """Catch up with writes made by other processes; True if any were found."""
        with self._mutex:
            if self._stat_key() == self._seen_key:
                return False
            with self._lock.shared():
                events = self._sync_locked()
        self._emit(events)
        return bool(events)

    def _pending(self, table: str) -> dict[str, Doc | None] | None:
        """This thread's uncommitted writes to ``table`` (None outside a transaction).

        Reads inside a transaction see its own writes, so a service can read
        what it wrote a moment ago (the audit log's head, a draft it saved)
        before the commit.
        """
        tx = self._tx
        if tx is None or self._tx_thread != threading.get_ident():
            return None
        return {doc_id: op[0] for (name, doc_id), op in tx._ops.items() if name == table}

    def get(self, table: str, doc_id: str) -> Doc | None:
        self.refresh()
        with self._mutex:
            pending = self._pending(table)
            if pending is not None and doc_id in pending:
                doc = pending[doc_id]
                return dict(doc) if doc is not None else None
            return self._get_locked(table, doc_id)

    def count(self, table: str) -> int:
        if self._pending(table):
            return len(self.ids(table))
        self.refresh()
        with self._mutex:
            state = self._table(table)
            if state.spec.partitioned:
                return len(self._index(state))
            return len(self._partition(state, MAIN_PARTITION).raw())

    def ids(self, table: str) -> set[str]:
        self.refresh()
        with self._mutex:
            state = self._table(table)
            if state.spec.partitioned:
                found = set(self._index(state))
            else:
                found = set(self._partition(state, MAIN_PARTITION).raw())
            for doc_id, doc in (self._pending(table) or {}).items():
                if doc is None:
                    found.discard(doc_id)
                else:
                    found.add(doc_id)
            return found

    def partitions(self, table: str) -> list[str]:
        """Partition names, newest period first."""
        self.refresh()
        with self._mutex:
            state = self._table(table)
            if not state.spec.partitioned:
                return [MAIN_PARTITION]
            self._index(state)  # loads the counts too
            return sorted((name for name, n in state.counts.items() if n > 0), reverse=True)

    def partition_docs(self, table: str, partition: str) -> list[Doc]:
        """All documents of one partition (copies, safe to keep)."""
        self.refresh()
        with self._mutex:
            part = self._partition(self._table(table), partition)
            return [dict(doc) for doc in part.raw().values()]

    def iter_docs(self, table: str) -> Iterator[Doc]:
        """Every document, partition by partition, newest period first.

        Inside a transaction its own writes are seen too (new documents last).
        """
        pending = self._pending(table)
        if not pending:
            for partition in self.partitions(table):
                yield from self.partition_docs(table, partition)
            return
        for partition in self.partitions(table):
            with self._mutex:
                part = self._partition(self._table(table), partition)
                docs = [dict(doc) for doc_id, doc in part.raw().items() if doc_id not in pending]
            yield from docs
        for doc in pending.values():
            if doc is not None:
                yield dict(doc)

    def _get_locked(self, table: str, doc_id: str) -> Doc | None:
        state = self._table(table)
        name = self._index(state).get(doc_id) if state.spec.partitioned else MAIN_PARTITION
        if name is None:
            return None
        doc = self._partition(state, name).raw().get(doc_id)
        return dict(doc) if doc is not None else None

    # ----------------------------------------------------------------- writes
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Collect writes; on success they are durable when the block ends.

        A nested transaction in the same thread joins the outer one.
        """
        if self.read_only_reason:
            raise WorkspaceReadOnly(self.read_only_reason)
        with self._mutex:
            if self._tx is not None and self._tx_thread == threading.get_ident():
                yield self._tx
                return
            with self._lock.exclusive():
                events = self._sync_locked()
                tx = Transaction(self)
                self._tx, self._tx_thread = tx, threading.get_ident()
                try:
                    yield tx
                finally:
                    self._tx, self._tx_thread = None, None
                ops = self._resolve(tx)
                if ops:
                    self._offset = self._journal.append(ops, self._offset)
                    self._seen_key = self._stat_key()
                    try:
                        events += self._apply(ops, external=False)
                    except BaseException:
                        self._epoch = None  # the journal is right; reload from it
                        self._seen_key = None
                        raise
                    if self._offset >= self.checkpoint_bytes:
                        self._checkpoint_locked()
                    else:
                        self._flush_excess_locked()
        self._emit(events)

    def checkpoint(self) -> None:
        """Write changed partitions and empty the journal (e.g. on close)."""
        if self.read_only_reason:
            return
        with self._mutex, self._lock.exclusive():
            events = self._sync_locked()
            if self._offset or any(self._dirty_states()):
                self._checkpoint_locked()
        self._emit(events)

    def _resolve(self, tx: Transaction) -> list[Op]:
        """Give every operation its partition; skip deletes of missing ids."""
        ops: list[Op] = []
        pending: dict[str, int] = {}
        for (table, doc_id), (doc, period) in tx._ops.items():
            state = self._table(table)
            if not state.spec.partitioned:
                if doc is None and doc_id not in self._partition(state, MAIN_PARTITION).raw():
                    continue
                ops.append((table, MAIN_PARTITION, doc_id, doc))
                continue
            index = self._index(state)
            current = index.get(doc_id)
            if doc is None:
                if current is not None:
                    ops.append((table, current, doc_id, None))
                continue
            if current is None:
                current = self._open_chunk(state, period or "undated", pending)
                pending[current] = pending.get(current, 0) + 1
            ops.append((table, current, doc_id, doc))
        return ops

    def _open_chunk(self, state: _TableState, period: str, pending: dict[str, int]) -> str:
        chunks = sorted(name for name in state.counts if name.rsplit(".", 1)[0] == period)
        if chunks:
            last = chunks[-1]
            if state.counts[last] + pending.get(last, 0) < state.spec.max_partition_docs:
                return last
            number = int(last.rsplit(".", 1)[1]) + 1
        else:
            number = 0
        name = f"{period}.{number:03d}"
        while name in pending and pending[name] >= state.spec.max_partition_docs:
            number += 1
            name = f"{period}.{number:03d}"
        return name

    def _apply(self, ops: list[Op], *, external: bool) -> list[StoreEvent]:
        grouped: dict[tuple[str, str], dict[str, Doc | None]] = {}
        changes: dict[str, tuple[set[str], set[str], set[str]]] = {}
        for table, partition, doc_id, doc in ops:
            state = self._table(table)
            inserted, updated, removed = changes.setdefault(table, (set(), set(), set()))
            if state.spec.partitioned:
                index = self._index(state)
                previous = index.get(doc_id)
                if previous is not None and previous != partition:
                    grouped.setdefault((table, previous), {})[doc_id] = None
                    state.counts[previous] -= 1
                    previous = None
                if doc is None:
                    if previous is None:
                        continue
                    del index[doc_id]
                    state.counts[previous] -= 1
                    removed.add(doc_id)
                else:
                    if previous is None:
                        index[doc_id] = partition
                        state.counts[partition] = state.counts.get(partition, 0) + 1
                        inserted.add(doc_id)
                    else:
                        updated.add(doc_id)
                state.index_dirty = state.index_dirty or previous is None or doc is None
            else:
                present = doc_id in self._partition(state, partition).raw()
                pending = grouped.get((table, partition), {})
                existed = present if doc_id not in pending else pending[doc_id] is not None
                if doc is None:
                    if not existed:
                        continue
                    removed.add(doc_id)
                else:
                    (updated if existed else inserted).add(doc_id)
            grouped.setdefault((table, partition), {})[doc_id] = doc
        for (table, partition), docs in grouped.items():
            self._partition(self._table(table), partition).apply(docs)
        events = []
        for table, (inserted, updated, removed) in changes.items():
            transient = inserted & removed
            inserted -= transient
            removed -= transient
            updated -= inserted | removed | transient
            if inserted or updated or removed:
                events.append(
                    StoreEvent(
                        table, frozenset(inserted), frozenset(updated), frozenset(removed), external=external
                    )
                )
        return events

    # --------------------------------------------------- sync and checkpoint
    def _stat_key(self) -> tuple[int, ...]:
        key: list[int] = []
        for path in (self._journal.path, self._checkpoint_path):
            try:
                st = path.stat()
                key += [st.st_ino, st.st_size, st.st_mtime_ns]
            except FileNotFoundError:
                key += [0, 0, 0]
        return tuple(key)

    def _read_epoch(self) -> int:
        try:
            return int(orjson.loads(self._checkpoint_path.read_bytes())["epoch"])
        except FileNotFoundError:
            return 0
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
            raise CorruptWorkspace(
                f"{self._checkpoint_path} is damaged ({exc}). Restore it from a backup, "
                'or write {"epoch": 0} into it to replay the journal.'
            ) from exc

    def _sync_locked(self) -> list[StoreEvent]:
        """Catch up with the files; the caller holds the workspace lock."""
        key = self._stat_key()
        if key == self._seen_key:
            return []
        events: list[StoreEvent] = []
        epoch = self._read_epoch()
        if epoch != self._epoch:
            had_state = self._epoch is not None or bool(self._tables)
            self._tables.clear()
            self._epoch = epoch
            self._offset = 0
            if had_state:
                events += [StoreEvent(name, reset=True, external=True) for name in self._specs]
        read = self._journal.read_from(self._offset)
        for batch in read.batches:
            events += self._apply(batch, external=True)
        self._offset = read.end
        self._seen_key = key
        if any(event.reset for event in events):
            events = [event for event in events if event.reset]
        return events

    def _dirty_states(self) -> Iterator[_TableState]:
        for state in self._tables.values():
            if state.index_dirty or any(part.dirty for part in state.parts.values()):
                yield state

    def _checkpoint_locked(self) -> None:
        folders: set[Path] = set()
        for state in list(self._dirty_states()):
            for part in state.parts.values():
                if part.dirty:
                    part.path.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write(part.path, part.encode(), sync_dir=False)
                    folders.add(part.path.parent)
                    part.dirty = False
            if state.index_dirty and state.index is not None:
                state.index_path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(state.index_path, orjson.dumps(state.index), sync_dir=False)
                folders.add(state.index_path.parent)
                state.index_dirty = False
            self._evict(state)
        for folder in folders:
            fsync_dir(folder)
        self._epoch = (self._epoch or 0) + 1
        atomic_write(self._checkpoint_path, orjson.dumps({"epoch": self._epoch}))
        self._journal.reset()
        self._offset = 0
        self._seen_key = self._stat_key()

    def _flush_excess_locked(self) -> None:
        """Write out the oldest dirty partitions beyond the cache size.

        A dirty partition cannot be evicted, so without this memory would grow
        with every partition touched until the next checkpoint. Writing a
        partition early is safe under the exclusive lock: the journal still
        holds its operations, and replaying them over the newer file is
        idempotent. The journal is emptied only by a full checkpoint.
        """
        for state in self._tables.values():
            excess = len(state.parts) - self.cache_partitions
            if excess <= 0:
                continue
            for part in list(state.parts.values())[:-1]:
                if excess <= 0:
                    break
                if part.dirty:
                    part.path.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write(part.path, part.encode())
                    part.dirty = False
                    excess -= 1
            self._evict(state)

    # ------------------------------------------------------------ partitions
    def _table(self, name: str) -> _TableState:
        state = self._tables.get(name)
        if state is None:
            spec = self._specs.get(name) or TableSpec(name)
            state = self._tables[name] = _TableState(spec, self.folder)
        return state

    def _index(self, state: _TableState) -> dict[str, str]:
        if state.index is None:
            state.index = self._load_index(state)
            state.counts = {}
            for partition in state.index.values():
                state.counts[partition] = state.counts.get(partition, 0) + 1
        return state.index

    def _load_index(self, state: _TableState) -> dict[str, str]:
        try:
            loaded = orjson.loads(state.index_path.read_bytes())
            if isinstance(loaded, dict):
                return loaded
        except FileNotFoundError:
            pass
        except orjson.JSONDecodeError:
            pass
        # Missing or damaged index: rebuild it from the partition files.
        index: dict[str, str] = {}
        folder = state.folder / state.spec.name
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            if path.name == "index.json":
                continue
            for doc_id in self._read_partition_file(path):
                index[doc_id] = path.stem
        state.index_dirty = bool(index)
        return index

    def _read_partition_file(self, path: Path) -> dict[str, Doc]:
        try:
            data = orjson.loads(path.read_bytes())
            table = data.get(TinyDB.default_table_name, {}) if isinstance(data, dict) else None
            if not isinstance(table, dict):
                raise ValueError("no TinyDB table in it")
            return table
        except FileNotFoundError:
            return {}
        except (ValueError, orjson.JSONDecodeError) as exc:
            raise CorruptWorkspace(
                f"The store file {path} is damaged ({exc}). Restore it from the workspace's "
                "backups/ folder or from your own backup; the rest of the workspace is intact."
            ) from exc

    def _partition(self, state: _TableState, name: str) -> _Partition:
        part = state.parts.get(name)
        if part is not None:
            state.parts.move_to_end(name)
            return part
        path = state.partition_path(name)
        part = _Partition(name, path, {TinyDB.default_table_name: self._read_partition_file(path)})
        state.parts[name] = part
        self._evict(state)
        return part

    def _evict(self, state: _TableState) -> None:
        while len(state.parts) > self.cache_partitions:
            victim = next((n for n, p in state.parts.items() if not p.dirty), None)
            if victim is None or victim == next(reversed(state.parts)):
                return
            del state.parts[victim]

    def close(self) -> None:
        """Checkpoint if writable; the store must not be used afterwards."""
        self.checkpoint()
        with self._mutex:
            self._listeners.clear()
            self._tables.clear()
