"""Qt table models over the workspace store.

The store owns the data and announces changes as plain
:class:`~curator.store.StoreEvent` values, from whichever thread wrote.
:class:`StoreEventBridge` moves those events onto the main thread, and each
model turns them into the matching ``beginInsertRows``/``dataChanged``/
``beginRemoveRows`` calls, so views keep their selection and scroll position
while the stream grows. Only bulk loads and ``reset`` events reset a model.

Reading the store can block (a writer holds the workspace lock, a partition
is read from disk), so both full loads and the objects named by an event
are fetched through the :class:`~ui.tasks.TaskRunner`; the main thread only
applies the results.
"""

from __future__ import annotations

import bisect
import html
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QIcon

from curator.domain import Channel, Item, Source, SourceKind, utcnow
from curator.ingest.health import health_sentence
from curator.progress import Progress
from ui.formatting import channel_label, excerpt, full_time, human_time, one_line, rich_tooltip
from ui.tasks import TaskHandle, TaskRunner
from ui.widgets.health_icons import STATES, health_icon, state_label

#: Returns the domain object of a row (a Source, an Item...).
DomainObjectRole = Qt.ItemDataRole.UserRole + 1
#: Returns the raw value a column sorts by (a float timestamp, an int, a folded string).
SortRole = Qt.ItemDataRole.UserRole + 2
#: Returns the lower-case text a row is searched by (title, text, author, source).
SearchRole = Qt.ItemDataRole.UserRole + 3

#: Events naming more ids than this are applied as a full reload: one model
#: reset is cheaper than thousands of single-row inserts.
BULK_THRESHOLD = 500

AnyIndex = QModelIndex | QPersistentModelIndex


class StoreEvent(Protocol):
    """The fields of :class:`curator.store.StoreEvent` the UI relies on."""

    table: str
    inserted: frozenset[str]
    updated: frozenset[str]
    removed: frozenset[str]
    reset: bool


class _Subscribable(Protocol):
    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]: ...


class StoreEventBridge(QObject):
    """Re-emits the workspace's store events on the main thread.

    The store calls its listeners in the thread that wrote, often a worker.
    The bridge's listener only posts the event (a queued signal to itself);
    :attr:`store_changed` is then emitted on the main thread, where models
    may safely change. Call :meth:`close` before the workspace closes.
    """

    #: A StoreEvent, always emitted on the main thread.
    store_changed = Signal(object)

    _event_posted = Signal(object)

    def __init__(self, workspace: _Subscribable, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._closed = False
        self._event_posted.connect(self._on_store_event_posted, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = workspace.subscribe(self._forward)

    def _forward(self, event: object) -> None:
        # Runs in the writer's thread. Holding the lock while posting means
        # close() cannot complete (and the QObject cannot be deleted) while a
        # post is under way; posting never waits for the main thread.
        with self._lock:
            if not self._closed:
                self._event_posted.emit(event)

    @Slot(object)
    def _on_store_event_posted(self, event: object) -> None:
        if not self._closed:
            self.store_changed.emit(event)

    def close(self) -> None:
        """Stop listening; events already posted are dropped."""
        with self._lock:
            self._closed = True
        if self._unsubscribe is not None:
            unsubscribe, self._unsubscribe = self._unsubscribe, None
            unsubscribe()


def _fetch_many(progress: Progress, fetch: Callable[[str], Any], ids: Sequence[str]) -> dict[str, Any]:
    """Worker side of an incremental update: the current object of each id (None if gone)."""
    found: dict[str, Any] = {}
    for obj_id in ids:
        progress.check_cancelled()
        found[obj_id] = fetch(obj_id)
    return found


class _Descending:
    """Inverts comparisons, so ``bisect`` can search a descending column."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)


class StoreTableModel(QAbstractTableModel):
    """Base of the models over one store table: rows are domain objects with an ``id``.

    Subclasses name the table (``TABLE``), the columns (``HEADERS`` and
    ``COL_*``) and how a cell reads; this class keeps the rows in step with
    the store.

    The model sorts itself (:meth:`sort`, by :meth:`sort_value`), and new
    rows are inserted at their sorted place. A QSortFilterProxyModel sorting
    10,000 rows calls ``data()`` from C++ about fifteen times per row, which
    froze the window for 3-4 s; a Python key sort of the same rows takes
    milliseconds. :class:`TableFilterProxyModel` forwards sorting here and
    only filters.
    """

    TABLE: ClassVar[str] = ""
    HEADERS: ClassVar[tuple[str, ...]] = ()
    NUMERIC_COLUMNS: ClassVar[frozenset[int]] = frozenset()
    DEFAULT_SORT: ClassVar[tuple[int, Qt.SortOrder]] = (0, Qt.SortOrder.AscendingOrder)

    #: A full load was applied (the first one, or after a reset).
    rows_loaded = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._row_of_id: dict[str, int] | None = {}
        self._sort_column, self._sort_order = self.DEFAULT_SORT
        self._runner: TaskRunner | None = None
        self._bridge: StoreEventBridge | None = None
        self._load: Callable[[Progress], Sequence[Any]] | None = None
        self._fetch: Callable[[str], Any] | None = None
        self._description = ""
        self._pending: dict[str, bool] = {}  # id -> True: upsert, False: remove
        self._pending_reset = False
        self._sync_task: TaskHandle | None = None
        self._generation = 0
        self._loaded_once = False

    # ------------------------------------------------------------- Qt API
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(section)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        obj = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(obj, column)
        if role == DomainObjectRole:
            return obj
        if role == SortRole:
            return self.sort_value(obj, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(obj, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.decoration(obj, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(column)
        if role == SearchRole:
            return self.search_text(obj)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by ``column``'s raw value; later inserts keep that order."""
        if not 0 <= column < len(self.HEADERS):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        anchored = [(index, self._rows[index.row()].id) for index in persistent]
        self._rows.sort(key=self._sort_value_of, reverse=order == Qt.SortOrder.DescendingOrder)
        self._row_of_id = None
        rows = self._index()
        moved = [
            self.index(rows[obj_id], index.column()) if obj_id in rows else QModelIndex()
            for index, obj_id in anchored
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    @property
    def sort_column(self) -> int:
        """The column rows are ordered by."""
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        """The direction rows are ordered in."""
        return self._sort_order

    def _sort_value_of(self, obj: Any) -> Any:
        return self.sort_value(obj, self._sort_column)

    def _alignment(self, column: int) -> int:
        numeric = column in self.NUMERIC_COLUMNS
        horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
        return int(horizontal | Qt.AlignmentFlag.AlignVCenter)

    # ------------------------------------------------- cells, per subclass
    def display(self, obj: Any, column: int) -> str:
        """The text of a cell."""
        raise NotImplementedError

    def sort_value(self, obj: Any, column: int) -> Any:
        """What a column sorts by; defaults to the folded display text."""
        return self.display(obj, column).casefold()

    def tooltip(self, obj: Any, column: int) -> str | None:
        """The full value when the cell may be cut; None when it never is."""
        return None

    def decoration(self, obj: Any, column: int) -> QIcon | None:
        """An icon drawn before the cell's text (a status), or None."""
        return None

    def search_text(self, obj: Any) -> str:
        """What the search box matches against (lower case)."""
        return " ".join(self.display(obj, column) for column in range(len(self.HEADERS))).casefold()

    def insert_position(self, obj: Any) -> int:
        """Where a new object goes to keep the current order (after equal ones)."""
        if self._sort_order == Qt.SortOrder.DescendingOrder:
            return bisect.bisect_right(
                self._rows,
                _Descending(self._sort_value_of(obj)),
                key=lambda row: _Descending(self._sort_value_of(row)),
            )
        return bisect.bisect_right(self._rows, self._sort_value_of(obj), key=self._sort_value_of)

    # ---------------------------------------------------------- row access
    def objects(self) -> list[Any]:
        """A copy of the rows, in model order."""
        return list(self._rows)

    def object_at(self, row: int) -> Any:
        """The domain object of ``row``."""
        return self._rows[row]

    def row_of(self, obj_id: str) -> int | None:
        """The row showing the object with ``obj_id``, if any."""
        return self._index().get(obj_id)

    def _index(self) -> dict[str, int]:
        if self._row_of_id is None:
            self._row_of_id = {obj.id: row for row, obj in enumerate(self._rows)}
        return self._row_of_id

    # ------------------------------------------------------------ mutations
    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace every row at once (a bulk load): the one place a model resets."""
        kept = self.select_rows(list(rows))
        kept.sort(key=self._sort_value_of, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self.beginResetModel()
        self._rows = kept
        self._row_of_id = None
        self.endResetModel()

    def select_rows(self, rows: list[Any]) -> list[Any]:
        """Which loaded rows the model keeps (all, unless a subclass caps them)."""
        return rows

    def upsert(self, objs: Iterable[Any]) -> None:
        """Insert new objects and refresh the rows of known ones.

        A refreshed row stays where it is even if its sort value changed,
        so the row under the user's pointer does not jump away.
        """
        index = self._index()
        last_column = max(0, len(self.HEADERS) - 1)
        fresh: dict[str, Any] = {}
        for obj in objs:
            row = index.get(obj.id)
            if row is None:
                fresh[obj.id] = obj
                continue
            self._rows[row] = obj
            self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))
        for obj in fresh.values():
            row = self.insert_position(obj)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, obj)
            self._row_of_id = None
            self.endInsertRows()
        if fresh:
            self._after_insert()

    def _after_insert(self) -> None:
        """Hook for models that cap their size."""

    def remove_ids(self, ids: Iterable[str]) -> None:
        """Remove the rows of ``ids`` (unknown ids are ignored), in contiguous runs."""
        index = self._index()
        rows = sorted({index[obj_id] for obj_id in ids if obj_id in index}, reverse=True)
        position = 0
        while position < len(rows):
            last = first = rows[position]
            position += 1
            while position < len(rows) and rows[position] == first - 1:
                first = rows[position]
                position += 1
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self._row_of_id = None
            self.endRemoveRows()

    # ------------------------------------------------- keeping up with store
    def attach(
        self,
        runner: TaskRunner,
        bridge: StoreEventBridge,
        load: Callable[[Progress], Sequence[Any]],
        fetch: Callable[[str], Any],
        description: str = "",
    ) -> None:
        """Follow one workspace: load everything now, then apply its events.

        Args:
            runner: runs the loads and fetches off the main thread.
            bridge: delivers the workspace's events on the main thread.
            load: returns all the rows (called in a worker).
            fetch: returns the current object for an id, or None once it is
                gone (called in a worker).
            description: names the load in the status bar.
        """
        self.detach()
        self._runner, self._bridge = runner, bridge
        self._load, self._fetch, self._description = load, fetch, description
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self.reload()

    def detach(self) -> None:
        """Stop following the workspace; late results of running loads are ignored."""
        self._generation += 1
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
        if self._sync_task is not None:
            self._sync_task.cancel()
        self._bridge = self._runner = None
        self._load = self._fetch = None
        self._sync_task = None
        self._pending.clear()
        self._pending_reset = False

    def clear(self) -> None:
        """Forget every row, e.g. when the workspace closes, so none outlives it."""
        self._loaded_once = False
        self.set_rows([])

    @property
    def loaded(self) -> bool:
        """True once a full load arrived (an empty model then means an empty table)."""
        return self._loaded_once

    def reload(self) -> None:
        """Load every row again in the background (the model resets when it arrives)."""
        self._pending_reset = True
        self._pending.clear()
        self._schedule_sync()

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table != self.TABLE:
            return
        if event.reset:
            self.reload()
            return
        for obj_id in event.removed:
            self._pending[obj_id] = False
        for obj_id in event.inserted | event.updated:
            self._pending[obj_id] = True
        self._schedule_sync()

    def _schedule_sync(self) -> None:
        """Start the next load or fetch unless one is running (one at a time keeps order)."""
        runner = self._runner
        if runner is None or self._sync_task is not None:
            return
        if not self._pending_reset and not self._pending:
            return
        generation = self._generation
        if self._pending_reset or len(self._pending) > BULK_THRESHOLD:
            self._pending_reset = False
            self._pending.clear()
            assert self._load is not None
            handle = runner.run(
                self._load,
                on_result=lambda rows: self._on_load_done(generation, rows),
                on_finished=lambda: self._on_sync_finished(generation),
                description=self._description,
            )
        else:
            pending, self._pending = self._pending, {}
            upserts = [obj_id for obj_id, upsert in pending.items() if upsert]
            removed = [obj_id for obj_id, upsert in pending.items() if not upsert]
            assert self._fetch is not None
            handle = runner.run(
                _fetch_many,
                self._fetch,
                upserts,
                on_result=lambda found: self._on_fetch_done(generation, found, removed),
                on_finished=lambda: self._on_sync_finished(generation),
            )
        if not handle.done:  # a synchronous pool has already finished it
            self._sync_task = handle

    def _on_load_done(self, generation: int, rows: Sequence[Any]) -> None:
        if generation != self._generation:
            return
        self._loaded_once = True  # before the reset, so its listeners see a loaded model
        self.set_rows(rows)
        self.rows_loaded.emit()

    def _on_fetch_done(self, generation: int, found: Mapping[str, Any], removed: list[str]) -> None:
        if generation != self._generation:
            return
        gone = [obj_id for obj_id, obj in found.items() if obj is None]
        self.remove_ids([*removed, *gone])
        self.upsert(obj for obj in found.values() if obj is not None)

    def _on_sync_finished(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._sync_task = None
        self._schedule_sync()


def relative_past(value: datetime | None, now: datetime) -> str:
    """How long ago ``value`` was, as a table cell reads it ("5 min ago"); "Never" for None.

    Sources are fetched every few minutes to hours, so minutes and hours
    matter and clock times would make the reader do the arithmetic.
    """
    if value is None:
        return "Never"
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "Just now"
    return f"{_span(seconds)} ago"


def relative_future(value: datetime | None, now: datetime) -> str:
    """How long until ``value`` ("in 20 min"); "Due now" once it has passed or was never set."""
    if value is None or value <= now:
        return "Due now"
    seconds = (value - now).total_seconds()
    return f"in {_span(max(seconds, 60))}"


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def source_state(source: Source) -> str:
    """The health a source shows: ``paused`` when disabled, else its core ``health``."""
    return source.health if source.enabled else "paused"


def source_health_sentence(source: Source, now: datetime) -> str:
    """The core's one-sentence health of ``source``, with what pausing or importing means."""
    if source.kind == SourceKind.MENTIONS:
        when = relative_past(source.last_fetch_at, now).lower()
        name = source.url.removeprefix("file:")
        return f"Mentions imported from {name} ({when}); import the file again to update them."
    sentence = health_sentence(source, now)
    if not source.enabled:
        return f"Paused: not fetched automatically. {sentence}"
    return sentence


_STATE_RANK = {state: rank for rank, state in enumerate(STATES)}


class SourceTableModel(StoreTableModel):
    """The workspace's sources with their health, item count and fetch schedule.

    The Items column reads :attr:`Source.item_count`, which the ingest
    service keeps current as it stores items, so no view has to scan the
    items table to count them.
    """

    TABLE = "sources"
    (
        COL_TITLE,
        COL_CHANNEL,
        COL_CATEGORY,
        COL_ITEMS,
        COL_LAST_FETCH,
        COL_NEXT_FETCH,
        COL_STATUS,
    ) = range(7)
    HEADERS = ("Source", "Channel", "Category", "Items", "Last fetch", "Next fetch", "Status")
    NUMERIC_COLUMNS = frozenset({COL_ITEMS})
    DEFAULT_SORT = (COL_TITLE, Qt.SortOrder.AscendingOrder)
    #: Columns whose text depends on the clock (refreshed by :meth:`refresh_times`).
    TIME_COLUMNS = (COL_LAST_FETCH, COL_NEXT_FETCH, COL_STATUS)

    def __init__(self, parent: QObject | None = None, *, now: Callable[[], datetime] | None = None) -> None:
        """Create an empty model.

        Args:
            parent: Qt parent.
            now: the clock relative times are measured from (injectable for tests).
        """
        super().__init__(parent)
        self._now = now or utcnow

    def refresh_times(self) -> None:
        """Tell views that "5 min ago" has become "6 min ago" (no data changed)."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.COL_LAST_FETCH),
                self.index(len(self._rows) - 1, self.COL_STATUS),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    def display(self, obj: Source, column: int) -> str:
        if column == self.COL_TITLE:
            return one_line(obj.title) or obj.url
        if column == self.COL_CHANNEL:
            return channel_label(obj.channel)
        if column == self.COL_CATEGORY:
            return obj.category
        if column == self.COL_ITEMS:
            return f"{obj.item_count:,}"
        if column == self.COL_LAST_FETCH:
            if obj.kind == SourceKind.MENTIONS:
                return relative_past(obj.last_fetch_at, self._now()).replace("Never", "Not imported")
            return relative_past(obj.last_fetch_at, self._now())
        if column == self.COL_NEXT_FETCH:
            if obj.kind == SourceKind.MENTIONS:
                return "Imported file"
            if not obj.enabled:
                return "Paused"
            return relative_future(obj.next_fetch_at, self._now())
        if column == self.COL_STATUS:
            return self.status_text(obj)
        return ""

    def status_text(self, source: Source) -> str:
        """The Status cell: the state's word, then what the user should know about it."""
        state = source_state(source)
        detail = one_line(source.last_error or source.last_warning)
        if state == "ok":
            return f"OK · {source.last_new_items:,} new last time" if source.last_new_items else "OK"
        if state == "new":
            return "New · not fetched yet"
        return f"{state_label(state)} · {detail}" if detail else state_label(state)

    def sort_value(self, obj: Source, column: int) -> Any:
        if column == self.COL_ITEMS:
            return obj.item_count
        if column == self.COL_LAST_FETCH:
            return obj.last_fetch_at.timestamp() if obj.last_fetch_at else float("-inf")
        if column == self.COL_NEXT_FETCH:
            if not obj.enabled or obj.kind == SourceKind.MENTIONS:
                return float("inf")
            return obj.next_fetch_at.timestamp() if obj.next_fetch_at else float("-inf")
        if column == self.COL_STATUS:
            return (_STATE_RANK.get(source_state(obj), len(STATES)), obj.title.casefold())
        return super().sort_value(obj, column)

    def tooltip(self, obj: Source, column: int) -> str | None:
        if column in (self.COL_TITLE, self.COL_STATUS):
            sentence = source_health_sentence(obj, self._now())
            if column == self.COL_TITLE:
                return f"{obj.title}\n{obj.url}\n\n{sentence}"
            return sentence
        if column == self.COL_LAST_FETCH and obj.last_fetch_at:
            return full_time(obj.last_fetch_at)
        if column == self.COL_NEXT_FETCH and obj.next_fetch_at and obj.enabled:
            return full_time(obj.next_fetch_at)
        if column == self.COL_CATEGORY:
            return obj.category or None
        return None

    def decoration(self, obj: Source, column: int) -> QIcon | None:
        if column == self.COL_TITLE:
            return health_icon(source_state(obj))
        return None

    def categories(self) -> list[str]:
        """The categories in use, sorted, for the category pickers of the source dialogs."""
        return sorted({source.category for source in self._rows if source.category}, key=str.casefold)


class ItemTableModel(StoreTableModel):
    """The stream: the most recent items (at most ``limit``), newest first by default.

    The same story heard from several sources is stored once per source;
    the copies name the item shown in ``duplicate_of``. The model keeps every
    loaded copy (it mirrors the store) and knows, for each shown item, which
    other sources also carry it, so a filter can hide the copies while the
    item says "also in N sources".
    """

    TABLE = "items"
    COL_WHEN, COL_CHANNEL, COL_SOURCE, COL_AUTHOR, COL_TITLE, COL_ALSO_IN = range(6)
    HEADERS = ("When", "Channel", "Source", "Author", "Item", "Also in")
    NUMERIC_COLUMNS = frozenset({COL_ALSO_IN})
    DEFAULT_SORT = (COL_WHEN, Qt.SortOrder.DescendingOrder)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        limit: int = 10_000,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Create an empty stream.

        Args:
            parent: Qt parent.
            limit: the most rows kept; the oldest fall off as new ones arrive,
                so memory stays bounded however long the app runs.
            now: the clock used for relative times (injectable for tests).
        """
        super().__init__(parent)
        self.limit = limit
        self._now = now
        self._source_titles: dict[str, str] = {}
        # Duplicates: copy id -> id of the item shown, and the reverse. Kept
        # even while the shown item is not loaded, so it finds its copies
        # when it arrives.
        self._original_of: dict[str, str] = {}
        self._copies_of: dict[str, set[str]] = {}
        self._search_cache: dict[str, str] = {}

    def set_source_titles(self, titles: Mapping[str, str]) -> None:
        """Name sources in the Source column (sources live in another table)."""
        titles = dict(titles)
        if titles == self._source_titles:
            return
        self._source_titles = titles
        self._search_cache.clear()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.COL_SOURCE),
                self.index(len(self._rows) - 1, self.COL_ALSO_IN),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SortRole, SearchRole],
            )

    def source_title(self, source_id: str) -> str:
        """The title of a source, or an empty string until sources load."""
        return self._source_titles.get(source_id, "")

    # ---------------------------------------------------------- duplicates
    def is_hidden_duplicate(self, item: Item) -> bool:
        """True for a copy whose shown item is loaded too (so the copy need not show)."""
        original = item.duplicate_of
        return original is not None and original != item.id and self.row_of(original) is not None

    def duplicate_count(self) -> int:
        """How many loaded rows are copies of another loaded row."""
        index = self._index()
        return sum(1 for copy, original in self._original_of.items() if copy in index and original in index)

    def also_in(self, item: Item) -> list[str]:
        """Ids of the other sources that carry ``item`` (loaded copies only), in a stable order."""
        copies = self._copies_of.get(item.id)
        if not copies:
            return []
        index = self._index()
        found = {self._rows[index[copy]].source_id for copy in copies if copy in index}
        found.discard(item.source_id)
        return sorted(found, key=lambda source_id: (self.source_title(source_id).casefold(), source_id))

    def _register(self, item: Item) -> set[str]:
        """Record ``item``'s duplicate link; returns the shown items whose copies changed."""
        touched: set[str] = set()
        old = self._original_of.get(item.id)
        new = item.duplicate_of if item.duplicate_of != item.id else None
        if old == new:
            return touched
        if old is not None:
            self._unlink(item.id, old)
            touched.add(old)
        if new is not None:
            self._original_of[item.id] = new
            self._copies_of.setdefault(new, set()).add(item.id)
            touched.add(new)
        return touched

    def _unlink(self, copy: str, original: str) -> None:
        self._original_of.pop(copy, None)
        copies = self._copies_of.get(original)
        if copies is not None:
            copies.discard(copy)
            if not copies:
                del self._copies_of[original]

    def _refresh_rows(self, ids: Iterable[str]) -> None:
        """Re-announce rows whose "also in" or hidden state changed (filters re-check them)."""
        index = self._index()
        last = len(self.HEADERS) - 1
        for row in sorted({index[obj_id] for obj_id in ids if obj_id in index}):
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace every row (a bulk load) and rebuild the duplicate links from them."""
        rows = list(rows)
        self._original_of.clear()
        self._copies_of.clear()
        self._search_cache.clear()
        for item in rows:
            self._register(item)
        super().set_rows(rows)

    def upsert(self, objs: Iterable[Any]) -> None:
        """Insert or refresh items, then refresh the rows whose duplicates changed."""
        objs = list(objs)
        index = self._index()
        new_ids = {obj.id for obj in objs if obj.id not in index}
        touched: set[str] = set()
        for obj in objs:
            self._search_cache.pop(obj.id, None)
            touched |= self._register(obj)
        super().upsert(objs)
        for obj_id in new_ids:  # a shown item arrived: its loaded copies now hide
            touched |= self._copies_of.get(obj_id, set())
        self._refresh_rows(touched - new_ids)

    def remove_ids(self, ids: Iterable[str]) -> None:
        """Remove items; copies of a removed shown item show again, on their own."""
        ids = list(ids)
        index = self._index()
        touched: set[str] = set()
        for obj_id in ids:
            if obj_id not in index:
                continue
            self._search_cache.pop(obj_id, None)
            original = self._original_of.get(obj_id)
            if original is not None:
                self._unlink(obj_id, original)
                touched.add(original)
            touched |= self._copies_of.get(obj_id, set())
        super().remove_ids(ids)
        self._refresh_rows(touched)

    # ----------------------------------------------------------------- rows
    def select_rows(self, rows: list[Any]) -> list[Any]:
        if len(rows) <= self.limit:
            return rows
        return sorted(rows, key=lambda item: item.when, reverse=True)[: self.limit]

    def _after_insert(self) -> None:
        excess = len(self._rows) - self.limit
        if excess > 0:
            oldest = sorted(self._rows, key=lambda item: item.when)[:excess]
            self.remove_ids(item.id for item in oldest)

    def display(self, obj: Item, column: int) -> str:
        if column == self.COL_WHEN:
            return human_time(obj.when, self._now() if self._now else None)
        if column == self.COL_CHANNEL:
            return channel_label(obj.channel)
        if column == self.COL_SOURCE:
            return self.source_title(obj.source_id)
        if column == self.COL_AUTHOR:
            return one_line(obj.author)
        if column == self.COL_TITLE:
            return excerpt(obj.title or obj.text)
        if column == self.COL_ALSO_IN:
            count = len(self.also_in(obj))
            return f"{count} source{'' if count == 1 else 's'}" if count else ""
        return ""

    def sort_value(self, obj: Item, column: int) -> Any:
        if column == self.COL_WHEN:
            return obj.when.timestamp()
        if column == self.COL_ALSO_IN:
            return len(self.also_in(obj))
        return super().sort_value(obj, column)

    def also_in_sentence(self, obj: Item) -> str:
        """A sentence naming the other sources of ``obj`` ("Also in 2 sources: A, B"), or ""."""
        others = self.also_in(obj)
        if not others:
            return ""
        names = ", ".join(self.source_title(source_id) or "an unnamed source" for source_id in others)
        return f"Also in {len(others)} source{'' if len(others) == 1 else 's'}: {names}"

    def tooltip(self, obj: Item, column: int) -> str | None:
        if column == self.COL_WHEN:
            return full_time(obj.when)
        if column == self.COL_TITLE:
            also = self.also_in_sentence(obj)
            return rich_tooltip(obj.title, obj.text) + (f"<p><i>{html.escape(also)}</i></p>" if also else "")
        if column == self.COL_AUTHOR and obj.author:
            reach = f"\n{obj.author_reach:,} followers" if obj.author_reach else ""
            return f"{obj.author}{reach}"
        if column == self.COL_SOURCE:
            title = self.source_title(obj.source_id)
            also = self.also_in_sentence(obj)
            return "\n".join(part for part in (title, also) if part) or None
        if column == self.COL_ALSO_IN:
            return self.also_in_sentence(obj) or None
        return None

    def search_text(self, obj: Item) -> str:
        """Title, text, author, source and channel, folded once and cached per item.

        Filtering 10,000 items on every keystroke would otherwise rebuild
        10,000 long strings each time.
        """
        cached = self._search_cache.get(obj.id)
        if cached is None:
            source = self.source_title(obj.source_id)
            cached = " ".join(
                (obj.title, obj.text, obj.author, source, channel_label(obj.channel))
            ).casefold()
            self._search_cache[obj.id] = cached
        return cached


class TableFilterProxyModel(QSortFilterProxyModel):
    """Filters a :class:`StoreTableModel` on the full text of each row; sorting goes to the model.

    Filtering uses :data:`SearchRole` (for items: title, text, author and
    source), not the cut excerpt, so a word deep in a long post still finds
    it. Sort requests from the view are forwarded to the source model, which
    sorts by raw values (:data:`SortRole`) far faster than the proxy could.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self.setFilterRole(SearchRole)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the source model order its rows; this proxy keeps the source order."""
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)

    def set_search_text(self, text: str) -> None:
        """Show only rows containing ``text`` (case-insensitive; empty shows all)."""
        self.setFilterFixedString(text.strip())


class StreamFilterProxyModel(TableFilterProxyModel):
    """The stream as the user asked to see it: searched, narrowed, one row per story.

    Filters on the :class:`ItemTableModel`'s objects directly (not through
    ``data()``), so re-filtering 10,000 items after a keystroke or a combo
    change costs one Python call per row. Copies of an item shown elsewhere
    are hidden; choosing sources keeps an item when it or one of its copies
    comes from them, so a source's stories do not vanish because another
    source told them first.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = ""
        self._channel: Channel | None = None
        self._since: datetime | None = None
        self._source_ids: frozenset[str] = frozenset()
        self._hide_duplicates = True

    @property
    def filtering(self) -> bool:
        """True when a search, channel, time or source filter narrows the stream."""
        return bool(self._search or self._channel or self._since or self._source_ids)

    @property
    def source_ids(self) -> frozenset[str]:
        """The sources the stream is narrowed to (empty: all)."""
        return self._source_ids

    def set_search_text(self, text: str) -> None:
        """Show only items whose title, text, author, source or channel contain ``text``."""
        self._change("_search", text.strip().casefold())

    def set_channel(self, channel: Channel | None) -> None:
        """Show only items heard on ``channel`` (None: every channel)."""
        self._change("_channel", channel)

    def set_since(self, since: datetime | None) -> None:
        """Show only items said at or after ``since`` (None: any time)."""
        self._change("_since", since)

    def set_source_ids(self, source_ids: Iterable[str]) -> None:
        """Show only items from these sources (empty: all sources)."""
        self._change("_source_ids", frozenset(source_ids))

    def set_hide_duplicates(self, hide: bool) -> None:
        """Hide (default) or show the copies of items heard from several sources."""
        self._change("_hide_duplicates", hide)

    def _change(self, name: str, value: Any) -> None:
        if getattr(self, name) == value:
            return
        self.beginFilterChange()
        setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ItemTableModel) or source_parent.isValid():
            return True
        item: Item = model.object_at(source_row)
        if self._hide_duplicates and model.is_hidden_duplicate(item):
            return False
        if self._channel is not None and item.channel != self._channel:
            return False
        if self._since is not None and item.when < self._since:
            return False
        if (
            self._source_ids
            and item.source_id not in self._source_ids
            and self._source_ids.isdisjoint(model.also_in(item))
        ):
            return False
        return not self._search or self._search in model.search_text(item)


class ListTableModel(QAbstractTableModel):
    """A read-only table over a plain list that a dialog replaces as a whole.

    For data that lives in the dialog, not in the store (a file's preview,
    its row errors): each new preview replaces the list with one reset.
    Subclasses name ``HEADERS``/``COL_*`` and how a cell reads.
    """

    HEADERS: ClassVar[tuple[str, ...]] = ()
    NUMERIC_COLUMNS: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        obj = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(obj, index.column())
        if role == DomainObjectRole:
            return obj
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(obj, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight
                if index.column() in self.NUMERIC_COLUMNS
                else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def display(self, obj: Any, column: int) -> str:
        """The text of a cell."""
        raise NotImplementedError

    def tooltip(self, obj: Any, column: int) -> str | None:
        """The full value of a cell that may be cut."""
        return None

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace the whole list (one reset)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def objects(self) -> list[Any]:
        """A copy of the rows."""
        return list(self._rows)


class MentionPreviewModel(ListTableModel):
    """The first rows of a mentions file as they would be imported (Items read with the mapping)."""

    COL_WHEN, COL_CHANNEL, COL_AUTHOR, COL_REACH, COL_TEXT, COL_URL = range(6)
    HEADERS = ("When", "Channel", "Author", "Reach", "Text", "Address")
    NUMERIC_COLUMNS = frozenset({COL_REACH})

    def display(self, obj: Item, column: int) -> str:
        if column == self.COL_WHEN:
            return human_time(obj.published_at) if obj.published_at else "—"
        if column == self.COL_CHANNEL:
            return channel_label(obj.channel)
        if column == self.COL_AUTHOR:
            return one_line(obj.author)
        if column == self.COL_REACH:
            return f"{obj.author_reach:,}" if obj.author_reach is not None else ""
        if column == self.COL_TEXT:
            return excerpt(obj.title or obj.text, 120)
        if column == self.COL_URL:
            return obj.url
        return ""

    def tooltip(self, obj: Item, column: int) -> str | None:
        if column == self.COL_TEXT:
            return rich_tooltip(obj.title, obj.text)
        if column == self.COL_WHEN and obj.published_at:
            return full_time(obj.published_at)
        if column == self.COL_URL:
            return obj.url or None
        return None


class RowErrorModel(ListTableModel):
    """The rows of a mentions file that cannot be imported, with the line to look at."""

    COL_WHERE, COL_MESSAGE = range(2)
    HEADERS = ("Where", "Problem")

    def display(self, obj: Any, column: int) -> str:
        if column == self.COL_WHERE:
            return f"{getattr(obj, 'label', 'Line')} {obj.line}" if obj.line else "Whole file"
        if column == self.COL_MESSAGE:
            message = one_line(str(obj.message))
            return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
        return ""

    def tooltip(self, obj: Any, column: int) -> str | None:
        return str(obj) if column == self.COL_MESSAGE else None
