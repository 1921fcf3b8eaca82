"""The clusterer's state in the workspace: small documents, rewritten only when they change.

Table ``issue_state`` (one :class:`StateRecord` class, told apart by ``kind``):

``header``
    format, generation, parameters, the next issue number and how many items
    were seen: a few hundred bytes, written with every save that writes anything.
``rules``
    the editor's must-link, cannot-link and cannot-merge decisions and the items
    they fixed; written when an editor acts.
``issue:<id>``
    one per issue: its creation number and member item ids, or, once merged
    away, the id that absorbed it. Written only when its membership changes.
``items:<n>``
    append-only chunks of at most ``CHUNK_ITEMS`` items (and ``CHUNK_TERMS``
    terms) in arrival order: each item's term counts and the little trending
    needs (publication time, sentiment, reach), so issues are refreshed without
    reading items. Only the open (last) chunk is ever rewritten. Duplicates are
    kept with no terms, so they are not read again on the next run.

The header also carries a *generation*, bumped by every save that writes
anything. A save checks, under the workspace lock, that the stored generation
is still the one it loaded (else :class:`StateConflict`: another window or
process saved meanwhile), and a loader that already holds the current
generation in memory reuses it instead of reading the table again.

A run therefore writes the header, the open chunk(s) and the issues it touched,
instead of one document holding everything (the format before, which stored the
whole ``to_state()`` under id ``clusterer``; it is still read, once, and replaced
by this layout on the next save, keeping every issue id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from curator.errors import CuratorError
from curator.issues.clustering import STATE_VERSION, ClusterParams, ConstraintError, StoryClusterer
from curator.store.engine import Store
from curator.store.repositories import TinyRepository

__all__ = [
    "CHUNK_ITEMS",
    "CHUNK_TERMS",
    "FORMAT",
    "LEGACY_ID",
    "STATE_TABLE",
    "ClusterState",
    "ItemMeta",
    "StateConflict",
    "StateRecord",
    "StateStore",
]

STATE_TABLE = "issue_state"
LEGACY_ID = "clusterer"
HEADER_ID = "header"
RULES_ID = "rules"
FORMAT = 2
CHUNK_ITEMS = 500
CHUNK_TERMS = 20_000


class StateConflict(CuratorError):
    """The stored state changed since it was loaded (another window or process saved it)."""


@dataclass
class StateRecord:
    """One document of the ``issue_state`` table (see the module doc for the kinds).

    ``state`` is only ever set on the legacy single document (id ``clusterer``).
    """

    id: str = ""
    kind: str = ""
    seq: int = 0
    members: list[str] = field(default_factory=list)
    merged_into: str | None = None
    entries: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] | None = None


@dataclass(frozen=True)
class ItemMeta:
    """What trending needs of a clustered item, kept with its terms.

    Attributes:
        at: when the item was said, seconds since the epoch (UTC).
        sentiment: the item's sentiment, None when unknown.
        reach: the author's audience, 0 when unknown.
    """

    at: float
    sentiment: float | None = None
    reach: float = 0.0

    @classmethod
    def of(cls, when: datetime, sentiment: float | None, reach: float | int | None) -> ItemMeta:
        return cls(when.timestamp(), sentiment, float(reach or 0))


def _entry(item_id: str, terms: dict[str, int] | None, meta: ItemMeta | None) -> list[Any]:
    if meta is None:
        return [item_id, terms]
    return [item_id, terms, meta.at, meta.sentiment, meta.reach]


def _issue_id(iid: str) -> str:
    return f"issue:{iid}"


def _chunk_id(seq: int) -> str:
    return f"items:{seq:06d}"


@dataclass
class ClusterState:
    """A loaded clusterer, the items it has seen, and what is already stored.

    Attributes:
        clusterer: the clusterer, ready for ``add_batch`` and editor actions.
        meta: clustered item id -> its trending data (missing when unknown).
        seen: every item id the state holds, clustered or left out (duplicates).
    """

    clusterer: StoryClusterer
    meta: dict[str, ItemMeta] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    generation: int | None = None
    _saved: dict[str, Any] = field(default_factory=dict)
    _chunk_seq: int = 0
    _chunk: list[list[Any]] = field(default_factory=list)
    _chunk_terms: int = 0
    _dirty_chunks: dict[int, list[list[Any]]] = field(default_factory=dict)
    _legacy: bool = False

    def add(self, item_id: str, meta: ItemMeta | None, *, clustered: bool = True) -> None:
        """Record an item handed to the clusterer (or left out of it), for the next save.

        Call after ``clusterer.add_batch`` for clustered items: their terms are
        read back from the clusterer.
        """
        if item_id in self.seen:
            return
        terms = self.clusterer.item_terms(item_id) if clustered else None
        n_terms = len(terms or ())
        if self._chunk and (len(self._chunk) >= CHUNK_ITEMS or self._chunk_terms + n_terms > CHUNK_TERMS):
            self._chunk_seq += 1
            self._chunk = []
            self._chunk_terms = 0
        self._chunk.append(_entry(item_id, terms, meta if clustered else None))
        self._chunk_terms += n_terms
        self._dirty_chunks[self._chunk_seq] = self._chunk
        self.seen.add(item_id)
        if clustered and meta is not None:
            self.meta[item_id] = meta

    def _header(self, generation: int) -> StateRecord:
        c = self.clusterer
        return StateRecord(
            id=HEADER_ID,
            kind="header",
            data={
                "format": FORMAT,
                "version": STATE_VERSION,
                "generation": generation,
                "params": c.params.to_dict(),
                "next_issue": c.next_issue,
                "items": len(self.seen),
                "chunks": self._chunk_seq + 1 if self.seen else 0,
            },
        )

    def _records(self) -> dict[str, StateRecord]:
        """Every record but the header and the item chunks, as they should be stored now."""
        c = self.clusterer
        records = {RULES_ID: StateRecord(id=RULES_ID, kind="rules", data=c.rules())}
        for iid, members in c.issues().items():
            rid = _issue_id(iid)
            records[rid] = StateRecord(id=rid, kind="issue", seq=c.issue_seq(iid), members=members)
        for old, new in c.merged_into.items():
            rid = _issue_id(old)
            if rid not in records:
                records[rid] = StateRecord(id=rid, kind="issue", merged_into=new)
        return records

    @staticmethod
    def _signature(record: StateRecord) -> Any:
        return (record.kind, record.seq, tuple(record.members), record.merged_into, repr(record.data))

    def changes(self) -> tuple[list[StateRecord], list[str]]:
        """The records to write and the record ids to delete so the store matches this state.

        Anything to write comes with a new header (next generation); nothing to
        write means no header either.
        """
        records = self._records()
        puts = [r for rid, r in records.items() if self._saved.get(rid) != self._signature(r)]
        puts += [
            StateRecord(id=_chunk_id(seq), kind="items", seq=seq, entries=list(entries))
            for seq, entries in sorted(self._dirty_chunks.items())
        ]
        deletes = [rid for rid in self._saved if rid not in records and rid.startswith("issue:")]
        if self._legacy:
            deletes.append(LEGACY_ID)
        header = self._header(self.generation or 0)
        if puts or deletes or self._saved.get(HEADER_ID) != self._signature(header):
            puts.insert(0, self._header((self.generation or 0) + 1))
        return puts, deletes

    def mark_saved(self, puts: Iterable[StateRecord], deletes: Iterable[str]) -> None:
        for record in puts:
            if record.kind == "header":
                self.generation = int(record.data["generation"])
                self._saved[record.id] = self._signature(self._header(self.generation))
            elif record.kind != "items":
                self._saved[record.id] = self._signature(record)
        for rid in deletes:
            self._saved.pop(rid, None)
        self._dirty_chunks.clear()
        self._legacy = False


class StateStore:
    """Loads and saves :class:`ClusterState` through a repository over ``issue_state``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.repo: TinyRepository[StateRecord] = TinyRepository(store, STATE_TABLE, StateRecord)
        self._cached: ClusterState | None = None

    def _stored_generation(self) -> int | None:
        header = self.repo.get(HEADER_ID)
        return int(header.data.get("generation", 0)) if header is not None else None

    def forget(self) -> None:
        """Drop the state kept in memory (after a failed run changed it without saving)."""
        self._cached = None

    def load(
        self,
        legacy_meta: Callable[[set[str]], dict[str, ItemMeta]] | None = None,
        params: ClusterParams | None = None,
    ) -> ClusterState:
        """The state (an empty one in a new workspace).

        The state saved last by this store is reused while the stored generation
        is still its own; otherwise the table is read.

        Args:
            legacy_meta: for the one-time migration from the single-document
                format, which kept no trending data: item ids -> their meta.
            params: thresholds overriding the stored ones (never reuses memory).
        """
        cached, self._cached = self._cached, None
        fresh = cached is not None and params is None and cached.generation is not None
        if cached is not None and fresh and self._stored_generation() == cached.generation:
            return cached
        return self._read(legacy_meta, params)

    def _read(
        self,
        legacy_meta: Callable[[set[str]], dict[str, ItemMeta]] | None,
        params: ClusterParams | None,
    ) -> ClusterState:
        records = self.repo.list()
        by_kind: dict[str, list[StateRecord]] = {}
        for record in records:
            by_kind.setdefault(record.kind or ("legacy" if record.state is not None else ""), []).append(
                record
            )
        if not by_kind.get("header") and by_kind.get("legacy"):
            return self._migrate(by_kind["legacy"][0], legacy_meta, params)
        headers = by_kind.get("header", [])
        if not headers:
            return ClusterState(StoryClusterer(params))
        header = headers[0].data
        if header.get("version") != STATE_VERSION or int(header.get("format", 0)) > FORMAT:
            raise ConstraintError(
                "The hot-issue state was written by a newer Curator "
                f"(format {header.get('format')!r}); update Curator to open it."
            )
        chunks = sorted(by_kind.get("items", []), key=lambda r: r.seq)
        items: list[tuple[str, dict[str, int]]] = []
        meta: dict[str, ItemMeta] = {}
        seen: set[str] = set()
        for chunk in chunks:
            for entry in chunk.entries:
                item_id, terms = str(entry[0]), entry[1]
                seen.add(item_id)
                if terms is None:
                    continue
                items.append((item_id, terms))
                if len(entry) >= 5 and entry[2] is not None:
                    meta[item_id] = ItemMeta(float(entry[2]), entry[3], float(entry[4] or 0))
        issues: dict[str, tuple[int, list[str]]] = {}
        merged: dict[str, str] = {}
        for record in by_kind.get("issue", []):
            iid = record.id.removeprefix("issue:")
            if record.merged_into is not None:
                merged[iid] = record.merged_into
            else:
                issues[iid] = (record.seq, record.members)
        issues = dict(sorted(issues.items(), key=lambda kv: kv[1][0]))
        rules = by_kind.get("rules", [StateRecord()])[0].data
        clusterer = StoryClusterer.from_parts(
            params or ClusterParams.from_dict(header.get("params", {})),
            items=items,
            issues=issues,
            next_issue=int(header.get("next_issue", 1)),
            merged_into=merged,
            rules=rules,
        )
        state = ClusterState(clusterer, meta=meta, seen=seen, generation=int(header.get("generation", 0)))
        if chunks:
            last = chunks[-1]
            state._chunk_seq = last.seq
            state._chunk = list(last.entries)
            state._chunk_terms = sum(len(e[1] or ()) for e in last.entries)
        state._saved = {
            r.id: ClusterState._signature(r) for r in records if r.kind in ("header", "rules", "issue")
        }
        state._legacy = bool(by_kind.get("legacy"))
        return state

    def _migrate(
        self,
        legacy: StateRecord,
        legacy_meta: Callable[[set[str]], dict[str, ItemMeta]] | None,
        params: ClusterParams | None,
    ) -> ClusterState:
        assert legacy.state is not None
        clusterer = StoryClusterer.from_state(legacy.state, params)
        state = ClusterState(clusterer)
        ids = [str(entry["id"]) for entry in legacy.state.get("items", [])]
        meta = legacy_meta(set(ids)) if legacy_meta is not None else {}
        for item_id in ids:
            state.add(item_id, meta.get(item_id))
        state._legacy = True
        return state

    def save(self, state: ClusterState) -> list[StateRecord]:
        """Write what changed since the state was loaded or last saved.

        Joins the caller's transaction when there is one (the analysis service
        saves the state, the issues and the items in one commit). The state is
        kept in memory for the next :meth:`load` once the write is done; call
        :meth:`forget` if the enclosing transaction fails.

        Returns:
            The records written (deletes are not counted).

        Raises:
            StateConflict: another window or process saved the state since it
                was loaded; load it again and redo the change.
        """
        puts, deletes = state.changes()
        with self._store.transaction():
            if self._stored_generation() != state.generation:
                self._cached = None
                raise StateConflict(
                    "The hot issues were updated by another window or process meanwhile. Try again."
                )
            if puts:
                self.repo.save_many(puts)
            for rid in deletes:
                self.repo.remove(rid)
        state.mark_saved(puts, deletes)
        self._cached = state
        return puts
