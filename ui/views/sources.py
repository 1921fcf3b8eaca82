"""The Sources page: what the workspace listens to, and the stream it brought.

Both tables are views over :mod:`ui.models` models that follow the store,
so a source added or an item fetched by a background job (or by the
``curator`` command in another process) shows up without a reload.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.assets import icon
from ui.models import (
    DomainObjectRole,
    ItemTableModel,
    SourceTableModel,
    StoreEventBridge,
    TableFilterProxyModel,
)
from ui.tasks import CoalescedTask, TaskRunner
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader

#: Wait this long after the last item event before recounting items per
#: source: a fetch writes in bursts, and the count is a full scan.
RECOUNT_DELAY_MS = 400
#: Wait this long after the last keystroke before filtering 10,000 rows.
SEARCH_DELAY_MS = 150


def make_table(model: Any, widths: dict[int, int], stretch_column: int) -> QTableView:
    """A read-only, row-selecting, sortable table tuned for many rows.

    Rows have a fixed height and no word wrap, so the view never measures
    every row: scrolling 10,000 items costs only the visible ones.
    """
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vertical = table.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(table.fontMetrics().height() + 12)
    horizontal = table.horizontalHeader()
    horizontal.setHighlightSections(False)
    horizontal.setSectionsMovable(True)
    horizontal.setMinimumSectionSize(48)
    horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column, width in widths.items():
        table.setColumnWidth(column, width)
    horizontal.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    table.setSortingEnabled(True)
    return table


class SourcesView(QWidget):
    """Sources on top, the most recent items below, with a search over the items."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._recount: CoalescedTask | None = None
        self._total_items: int | None = None

        self.header = PageHeader("Sources")
        self.sources_model = SourceTableModel(self)
        self.sources_proxy = TableFilterProxyModel(self)
        self.sources_proxy.setSourceModel(self.sources_model)
        self.items_model = ItemTableModel(self)
        self.items_proxy = TableFilterProxyModel(self)
        self.items_proxy.setSourceModel(self.items_model)

        self.sources_table = make_table(
            self.sources_proxy,
            {
                SourceTableModel.COL_TITLE: 280,
                SourceTableModel.COL_CHANNEL: 110,
                SourceTableModel.COL_CATEGORY: 150,
                SourceTableModel.COL_ITEMS: 80,
            },
            SourceTableModel.COL_URL,
        )
        self.sources_table.setObjectName("sourcesTable")
        self.sources_table.sortByColumn(SourceTableModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
        self.items_table = make_table(
            self.items_proxy,
            {
                ItemTableModel.COL_WHEN: 120,
                ItemTableModel.COL_CHANNEL: 100,
                ItemTableModel.COL_SOURCE: 200,
                ItemTableModel.COL_AUTHOR: 160,
            },
            ItemTableModel.COL_TITLE,
        )
        self.items_table.setObjectName("itemsTable")
        self.items_table.sortByColumn(ItemTableModel.COL_WHEN, Qt.SortOrder.DescendingOrder)
        self.items_table.doubleClicked.connect(self._on_items_table_double_clicked)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("streamSearch")
        self.search_edit.setPlaceholderText("Search title, text, author or source")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_edit.setMinimumWidth(320)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)

        self._recount_timer = QTimer(self)
        self._recount_timer.setSingleShot(True)
        self._recount_timer.setInterval(RECOUNT_DELAY_MS)
        self._recount_timer.timeout.connect(self._on_recount_timer_timeout)

        self.stream_label = QLabel("Recent items")
        self.stream_label.setObjectName("sectionTitle")
        font = self.stream_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.stream_label.setFont(font)
        self.stream_count_label = QLabel()
        self.stream_count_label.setObjectName("streamCount")
        self.stream_count_label.setStyleSheet("color: palette(placeholder-text);")

        stream_bar = QHBoxLayout()
        stream_bar.setContentsMargins(0, 0, 0, 0)
        stream_bar.setSpacing(10)
        stream_bar.addWidget(self.stream_label)
        stream_bar.addWidget(self.stream_count_label)
        stream_bar.addStretch(1)
        stream_bar.addWidget(self.search_edit)
        stream = QWidget()
        stream_layout = QVBoxLayout(stream)
        stream_layout.setContentsMargins(0, 12, 0, 0)
        stream_layout.setSpacing(8)
        stream_layout.addLayout(stream_bar)
        stream_layout.addWidget(self.items_table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sources_table)
        self.splitter.addWidget(stream)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([260, 440])
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(20, 4, 20, 16)
        content_layout.addWidget(self.splitter)

        self.empty_state = EmptyState(
            "sources",
            "No sources yet",
            "Sources are the feeds, review sites and mention exports Curator listens to; this "
            "workspace has none yet. To explore with sample data meanwhile, run "
            "“curator load-demo”: its sources and items appear here as soon as it finishes.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty_state)
        self._content = content

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)

        for signal in (
            self.sources_model.modelReset,
            self.sources_model.rowsInserted,
            self.sources_model.rowsRemoved,
            self.sources_model.dataChanged,
        ):
            signal.connect(self._on_sources_model_changed)
        for signal in (
            self.items_model.modelReset,
            self.items_model.rowsInserted,
            self.items_model.rowsRemoved,
            self.items_proxy.modelReset,
            self.items_proxy.rowsInserted,
            self.items_proxy.rowsRemoved,
            self.items_proxy.layoutChanged,
        ):
            signal.connect(self._on_items_model_changed)
        self._update_texts()

    # ----------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``: load both tables in the background and follow its changes."""
        self.detach()
        self._workspace = workspace
        self.sources_model.attach(
            self._runner,
            bridge,
            lambda _p: workspace.sources.list(),
            workspace.sources.get,
            "Loading sources",
        )
        limit = self.items_model.limit
        self.items_model.attach(
            self._runner,
            bridge,
            lambda _p: workspace.items.recent(limit),
            workspace.items.get,
            "Loading items",
        )
        self._recount = CoalescedTask(
            self._runner,
            lambda _p: workspace.items.count_by_source(),
            self._on_item_counts_arrived,
            description="Counting items",
            parent=self,
        )
        self._recount.request()
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._bridge = bridge

    def detach(self) -> None:
        """Stop following the workspace (before it closes)."""
        if self._workspace is None:
            return
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        self.sources_model.detach()
        self.items_model.detach()
        self.sources_model.clear()
        self.sources_model.set_item_counts({})
        self.items_model.clear()
        self._total_items = None
        if self._recount is not None:
            self._recount.stop()
            self._recount = None
        self._recount_timer.stop()
        self._workspace = None

    # -------------------------------------------------------------- slots
    @Slot(object)
    def _on_bridge_store_changed(self, event: Any) -> None:
        if event.table == "items":
            self._recount_timer.start()

    @Slot()
    def _on_recount_timer_timeout(self) -> None:
        if self._recount is not None:
            self._recount.request()

    def _on_item_counts_arrived(self, counts: dict[str, int]) -> None:
        self.sources_model.set_item_counts(counts)
        self._total_items = sum(counts.values())
        self._update_texts()

    @Slot()
    def _on_sources_model_changed(self) -> None:
        model = self.sources_model
        self.items_model.set_source_titles({source.id: source.title for source in model.objects()})
        self._update_texts()

    @Slot()
    def _on_items_model_changed(self) -> None:
        self._update_texts()

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self.items_proxy.set_search_text(self.search_edit.text())

    @Slot(QModelIndex)
    def _on_items_table_double_clicked(self, index: QModelIndex) -> None:
        item = index.data(DomainObjectRole)
        if item is not None and item.url:
            QDesktopServices.openUrl(QUrl(item.url))

    # ------------------------------------------------------------- texts
    def _update_texts(self) -> None:
        sources = self.sources_model.rowCount()
        shown = self.items_model.rowCount()
        parts = [f"{sources:,} source" + ("" if sources == 1 else "s")]
        if self._total_items is not None:
            parts.append(f"{self._total_items:,} item" + ("" if self._total_items == 1 else "s"))
        loaded = self.sources_model.loaded and self.items_model.loaded
        empty = loaded and sources == 0 and shown == 0
        self.header.set_summary("" if empty else " · ".join(parts) if loaded else "Loading…")
        matching = self.items_proxy.rowCount()
        if self.items_proxy.filterRegularExpression().pattern():
            self.stream_count_label.setText(f"{matching:,} of {shown:,} match")
        elif self._total_items is not None and self._total_items > shown:
            self.stream_count_label.setText(f"newest {shown:,} of {self._total_items:,}")
        else:
            self.stream_count_label.setText(f"{shown:,} item{'' if shown == 1 else 's'}" if loaded else "")
        self.stack.setCurrentWidget(self.empty_state if empty else self._content)
