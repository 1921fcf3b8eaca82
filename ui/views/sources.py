"""The Sources page of the listening centre: what the workspace listens to, and what it heard.

On top, the sources with their health (an icon and a sentence per source, so
one failing feed among hundreds is spotted without a dialog per error) and
the actions that manage them; below, the stream of recent items, narrowed by
the sources selected above, by channel, by time and by a search, with a
story heard from several sources shown once.

Everything that touches the network, the disk or the store runs through the
:class:`~ui.tasks.TaskRunner` (the jobs live in :mod:`ui.views.source_tasks`);
the page shows a running job's progress, with Cancel, in its own activity
strip and keeps the result sentence there. Both tables are views over
:mod:`ui.models` models that follow store events, so a fetch running in the
background (or the ``curator`` command in another process) shows up live.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Channel, Source, SourceKind, utcnow
from curator.errors import CuratorError
from curator.progress import Progress, ProgressState
from ui.assets import icon
from ui.formatting import channel_label
from ui.models import (
    DomainObjectRole,
    ItemTableModel,
    SourceTableModel,
    StoreEventBridge,
    StreamFilterProxyModel,
    TableFilterProxyModel,
)
from ui.tasks import TaskHandle, TaskRunner, freeze_long_lived_objects
from ui.views import source_tasks
from ui.views.mentions_dialog import MentionsImportDialog, choose_mentions_file
from ui.views.source_dialogs import AddSourceDialog, EditSourceDialog
from ui.views.source_tasks import FetchOutcome, IngestGate
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.timers import single_shot

#: Wait this long after the last keystroke before filtering 10,000 rows.
SEARCH_DELAY_MS = 150
#: How often relative times ("5 min ago") and the time filter move on.
CLOCK_INTERVAL_MS = 30_000
#: How often the page looks for sources whose fetch interval has passed.
AUTO_FETCH_INTERVAL_MS = 60_000
#: The time filter's choices: label and how far back (None: any time).
TIME_RANGES: tuple[tuple[str, timedelta | None], ...] = (
    ("Any time", None),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)
OPML_FILTER = "OPML files (*.opml *.xml);;All files (*)"


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


def confirm(parent: QWidget, title: str, text: str, detail: str, action: str) -> bool:
    """Ask before something that cannot be undone; the button names the act, Cancel is the default."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(detail)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is go


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def _warm_ingest_import(_progress: Progress) -> None:
    """Import the ingest service in a worker, so the first job does not wait for it."""
    import curator.ingest.service  # noqa: F401

    freeze_long_lived_objects()


class SourcesView(QWidget):
    """Sources with their health and actions on top; the filtered stream of recent items below."""

    #: A page job (fetch, remove, import, export) ended: (its sentence, whether it failed).
    activity_finished = Signal(str, bool)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._gate: IngestGate | None = None
        self._generation = 0
        self._job: TaskHandle | None = None
        self._last_folder = ""
        self.add_dialog: AddSourceDialog | None = None
        self.edit_dialog: EditSourceDialog | None = None
        self.mentions_dialog: MentionsImportDialog | None = None

        self.header = PageHeader("Sources")
        self.sources_model = SourceTableModel(self)
        self.sources_proxy = TableFilterProxyModel(self)
        self.sources_proxy.setSourceModel(self.sources_model)
        self.items_model = ItemTableModel(self)
        self.items_proxy = StreamFilterProxyModel(self)
        self.items_proxy.setSourceModel(self.items_model)

        self._build_actions()
        self._build_tables()
        self._build_stream_bar()
        self._build_layout()
        self._connect_models()

        self._search_timer = single_shot(self, SEARCH_DELAY_MS, self._on_search_timer_timeout)
        # Texts follow the models once per event-loop pass, not once per row:
        # a fetch inserts rows one signal at a time.
        self._texts_timer = single_shot(self, 0, self._update_texts)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_INTERVAL_MS)
        self._clock.timeout.connect(self._on_clock_timeout)
        # Polling: sources whose interval has passed are fetched in the background.
        self.auto_fetch_timer = QTimer(self)
        self.auto_fetch_timer.setInterval(AUTO_FETCH_INTERVAL_MS)
        self.auto_fetch_timer.timeout.connect(self._on_auto_fetch_timer_timeout)
        self._update_actions()
        self._update_texts()

    # ------------------------------------------------------------------ build
    def _action(
        self,
        text: str,
        tip: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Callable[[], None],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action(
            "Add Source…", "Add a feed by its address", QKeySequence.StandardKey.New, self.add_source
        )
        self.edit_action = self._action(
            "Edit…", "Change the selected source's settings", None, self.edit_selected
        )
        self.remove_action = self._action(
            "Remove…",
            "Remove the selected sources and their items",
            QKeySequence.StandardKey.Delete,
            self.remove_selected,
        )
        # Delete acts on sources only where sources have the focus (the table, the
        # toolbar), never while the user is reading the stream below.
        self.removeAction(self.remove_action)
        self.fetch_action = self._action(
            "Fetch Now",
            "Fetch the selected sources now, or all of them when none is selected",
            "F5",
            self.fetch_now,
        )
        self.import_opml_action = self._action(
            "Import OPML…", "Add the feeds listed in an OPML file from another reader", None, self.import_opml
        )
        self.export_opml_action = self._action(
            "Export OPML…",
            "Save the feeds as an OPML file for another reader or a colleague",
            None,
            self.export_opml,
        )
        self.import_mentions_action = self._action(
            "Import Mentions…",
            "Import a social-listening export (CSV or JSON) as a source",
            None,
            self.import_mentions,
        )
        self.full_text_action = self._action(
            "Fetch Full Text",
            "Fetch the article pages of the selected items and keep their text (robots.txt respected)",
            "Ctrl+T",
            self.fetch_full_text,
        )
        self.toolbar = QToolBar("Sources")
        self.toolbar.setObjectName("sourcesToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        for action in (self.add_action, self.edit_action, self.remove_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.fetch_action)
        self.toolbar.addSeparator()
        for action in (self.import_opml_action, self.export_opml_action, self.import_mentions_action):
            self.toolbar.addAction(action)
        self.toolbar.setStyleSheet(
            "QToolBar#sourcesToolbar { border: none; spacing: 2px; }"
            "QToolBar#sourcesToolbar QToolButton { padding: 4px 8px; }"
        )

    def _build_tables(self) -> None:
        self.sources_table = make_table(
            self.sources_proxy,
            {
                SourceTableModel.COL_TITLE: 290,
                SourceTableModel.COL_CHANNEL: 85,
                SourceTableModel.COL_CATEGORY: 115,
                SourceTableModel.COL_ITEMS: 70,
                SourceTableModel.COL_LAST_FETCH: 100,
                SourceTableModel.COL_NEXT_FETCH: 100,
            },
            SourceTableModel.COL_STATUS,
        )
        self.sources_table.setObjectName("sourcesTable")
        self.sources_table.sortByColumn(SourceTableModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
        self.sources_table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (self.edit_action, self.fetch_action, self.remove_action):
            self.sources_table.addAction(action)
        self.sources_table.doubleClicked.connect(self._on_sources_table_double_clicked)
        self.sources_table.selectionModel().selectionChanged.connect(self._on_sources_selection_changed)

        self.items_table = make_table(
            self.items_proxy,
            {
                ItemTableModel.COL_WHEN: 110,
                ItemTableModel.COL_CHANNEL: 90,
                ItemTableModel.COL_SOURCE: 190,
                ItemTableModel.COL_AUTHOR: 150,
                ItemTableModel.COL_ALSO_IN: 90,
            },
            ItemTableModel.COL_TITLE,
        )
        self.items_table.setObjectName("itemsTable")
        self.items_table.sortByColumn(ItemTableModel.COL_WHEN, Qt.SortOrder.DescendingOrder)
        self.items_table.doubleClicked.connect(self._on_items_table_double_clicked)
        self.items_table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.items_table.addAction(self.full_text_action)

    def _build_stream_bar(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("streamSearch")
        self.search_edit.setPlaceholderText("Search title, text, author or source")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_edit.setMinimumWidth(260)
        self.search_edit.setMaximumWidth(360)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("streamChannel")
        self.channel_combo.setToolTip("Show items heard on one channel only")
        self.channel_combo.addItem("All channels", None)
        for channel in Channel:
            self.channel_combo.addItem(channel_label(channel), channel)
        self.channel_combo.currentIndexChanged.connect(self._on_channel_combo_changed)
        self.time_combo = QComboBox()
        self.time_combo.setObjectName("streamTime")
        self.time_combo.setToolTip("Show items said within this time only")
        for label, span in TIME_RANGES:
            self.time_combo.addItem(label, span)
        self.time_combo.currentIndexChanged.connect(self._on_time_combo_changed)

        # Elided: a long source title or count must not widen the window.
        self.stream_label = ElidedLabel("Recent items")
        self.stream_label.setObjectName("sectionTitle")
        font = self.stream_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.stream_label.setFont(font)
        self.stream_count_label = ElidedLabel()
        self.stream_count_label.setObjectName("streamCount")
        self.stream_count_label.setStyleSheet("color: palette(placeholder-text);")

    def _build_layout(self) -> None:
        stream_bar = QHBoxLayout()
        stream_bar.setContentsMargins(0, 0, 0, 0)
        stream_bar.setSpacing(8)
        stream_bar.addWidget(self.stream_label)
        stream_bar.addWidget(self.stream_count_label)
        stream_bar.addStretch(1)
        stream_bar.addWidget(self.channel_combo)
        stream_bar.addWidget(self.time_combo)
        stream_bar.addWidget(self.search_edit, 1)
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
        self.splitter.setSizes([250, 400])
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(20, 0, 20, 16)
        content_layout.addWidget(self.splitter)

        self.empty_state = EmptyState(
            "sources",
            "No sources yet",
            "Sources are the feeds, review sites and mention exports Curator listens to. Add a feed by "
            "its address, import an OPML file from another reader, or import a mentions export. To "
            "explore with sample data instead, run the command below: its sources and items appear "
            "here as soon as it finishes.",
            "Add Source…",
            detail="curator load-demo",
        )
        self.empty_state.action_triggered.connect(self.add_source)
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty_state)
        self._content = content

        self.activity = ActivityBar()
        self.activity.cancel_requested.connect(self._on_activity_cancel_requested)
        top = QVBoxLayout()
        top.setContentsMargins(14, 0, 20, 6)
        top.setSpacing(6)
        top.addWidget(self.toolbar)
        top.addWidget(self.activity)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    def _connect_models(self) -> None:
        for signal in (
            self.sources_model.modelReset,
            self.sources_model.rowsInserted,
            self.sources_model.rowsRemoved,
            self.sources_model.dataChanged,
        ):
            signal.connect(self._on_sources_model_changed)
        for signal in (
            self.sources_proxy.modelReset,
            self.sources_proxy.rowsRemoved,
            self.sources_proxy.layoutChanged,
        ):
            signal.connect(self._on_sources_selection_changed)
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
        self.items_model.rows_loaded.connect(self._on_items_model_rows_loaded)
        self.items_model.rows_loaded.connect(self._on_model_rows_loaded)
        self.sources_model.rows_loaded.connect(self._on_model_rows_loaded)

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``: load both tables in the background and follow its changes."""
        self.detach()
        self._workspace = workspace
        self._gate = IngestGate(workspace)
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
        self._bridge = bridge
        self._clock.start()
        if not workspace.read_only:
            self.auto_fetch_timer.start()
        self._update_actions()

    def detach(self) -> None:
        """Stop following the workspace (before it closes): close dialogs, cancel the page's job."""
        if self._workspace is None:
            return
        self._generation += 1
        for dialog in (self.add_dialog, self.edit_dialog, self.mentions_dialog):
            if dialog is not None:
                dialog.reject()  # a job it started still ends, on the hidden dialog
        self.add_dialog = self.edit_dialog = self.mentions_dialog = None
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.activity.clear()
        self._bridge = None
        self.sources_model.detach()
        self.items_model.detach()
        self.sources_model.clear()
        self.items_model.clear()
        self._clock.stop()
        self.auto_fetch_timer.stop()
        self._gate = None
        self._workspace = None
        self._update_actions()

    @property
    def read_only(self) -> bool:
        """True when the open workspace may not be changed from this window."""
        return self._workspace is not None and bool(getattr(self._workspace, "read_only", False))

    # -------------------------------------------------------------- selection
    def selected_sources(self) -> list[Source]:
        """The sources selected in the table, in table order."""
        selection = self.sources_table.selectionModel()
        rows = sorted(selection.selectedRows(SourceTableModel.COL_TITLE), key=lambda index: index.row())
        return [index.data(DomainObjectRole) for index in rows]

    def select_source(self, source_id: str) -> bool:
        """Select and show the row of ``source_id``; False if it is not in the table."""
        row = self.sources_model.row_of(source_id)
        if row is None:
            return False
        index = self.sources_proxy.mapFromSource(self.sources_model.index(row, SourceTableModel.COL_TITLE))
        if not index.isValid():
            return False
        self.sources_table.setCurrentIndex(index)
        self.sources_table.scrollTo(index)
        return True

    # ---------------------------------------------------------------- actions
    def add_source(self) -> None:
        """Open the add dialog (window-modal; the add itself runs in the background)."""
        if self._gate is None or self.read_only:
            return
        if self.add_dialog is not None and not self.add_dialog.running:
            self.add_dialog.deleteLater()
        dialog = AddSourceDialog(self._runner, self._gate, self.sources_model.categories(), self)
        dialog.source_added.connect(self._guard(self._on_add_dialog_source_added))
        dialog.add_failed.connect(self._guard(self._on_add_dialog_add_failed))
        self.add_dialog = dialog
        dialog.open()

    def edit_selected(self) -> None:
        """Open the edit dialog for the one selected source."""
        selected = self.selected_sources()
        if len(selected) != 1 or self._workspace is None or self.read_only:
            return
        if self.edit_dialog is not None and not self.edit_dialog.running:
            self.edit_dialog.deleteLater()
        dialog = EditSourceDialog(
            self._runner, self._workspace, selected[0], self.sources_model.categories(), self
        )
        dialog.source_saved.connect(self._guard(self._on_edit_dialog_source_saved))
        self.edit_dialog = dialog
        dialog.open()

    def remove_selected(self) -> None:
        """Ask, naming how many items go with them, then remove the selected sources."""
        selected = self.selected_sources()
        if not selected or not self._can_start_job():
            return
        items = sum(source.item_count for source in selected)
        if len(selected) == 1:
            what = f"Remove “{selected[0].title}”"
            title = "Remove Source"
        else:
            what = f"Remove {len(selected):,} sources"
            title = "Remove Sources"
        if items:
            text = (
                f"{what} and the {_plural(items, 'item')} {'it' if len(selected) == 1 else 'they'} brought?"
            )
        else:
            text = f"{what}? {'It has' if len(selected) == 1 else 'They have'} brought no items."
        detail = "This cannot be undone. Drafts that quote these items keep their text."
        if not confirm(self, title, text, detail, "Remove"):
            return
        names = selected[0].title if len(selected) == 1 else _plural(len(selected), "source")
        self._start_job(
            source_tasks.remove_sources,
            self._gate,
            [source.id for source in selected],
            text=f"Removing {names}",
            on_result=lambda removed: self._finish_job(f"Removed {names} and {_plural(removed, 'item')}."),
        )

    def fetch_now(self) -> None:
        """Fetch the selected sources now, or every enabled feed when none is selected."""
        if not self._can_start_job():
            return
        selected = self.selected_sources()
        ids = [source.id for source in selected] or None
        if ids is not None and all(source.kind == SourceKind.MENTIONS for source in selected):
            self.activity.show_message(
                "Imported mentions are not fetched; import the file again to update them.", error=True
            )
            return
        what = (
            selected[0].title
            if len(selected) == 1
            else _plural(len(selected), "source")
            if ids
            else "sources"
        )
        self._start_job(
            source_tasks.fetch_sources,
            self._gate,
            ids,
            text=f"Fetching {what}",
            cancellable=True,
            on_result=self._on_fetch_job_done,
        )

    def selected_items(self) -> list[Any]:
        """The items selected in the stream, as domain objects."""
        rows = {index.row() for index in self.items_table.selectionModel().selectedRows()}
        model = self.items_table.model()
        return [model.data(model.index(row, 0), DomainObjectRole) for row in sorted(rows)]

    def fetch_full_text(self) -> None:
        """Fetch the article text of the selected stream items in the background."""
        if not self._can_start_job():
            return
        items = [item for item in self.selected_items() if item is not None and item.url]
        if not items:
            self.activity.show_message("Select items with a link in the stream first.", error=True)
            return
        self._start_job(
            source_tasks.fetch_full_text,
            self._gate,
            [item.id for item in items],
            text=f"Fetching full text of {_plural(len(items), 'item')}",
            cancellable=True,
            on_result=lambda text: self._finish_job(text, warning="Not fetched" in text),
        )

    def import_opml(self) -> None:
        """Ask for an OPML file and add the feeds it lists."""
        if not self._can_start_job():
            return
        chosen, _filter = QFileDialog.getOpenFileName(self, "Import OPML", self._last_folder, OPML_FILTER)
        if not chosen:
            return
        path = Path(chosen)
        self._last_folder = str(path.parent)

        def done(result: tuple[list[Source], int]) -> None:
            added, skipped = result
            text = f"Imported {_plural(len(added), 'feed')} from {path.name}"
            if skipped:
                text += f" ({skipped:,} already here)"
            text += ". Press F5 to fetch them now." if added else "."
            self._finish_job(text)

        self._start_job(
            source_tasks.import_opml_file, self._gate, path, text=f"Importing {path.name}", on_result=done
        )

    def export_opml(self) -> None:
        """Ask where, then save the feeds as OPML."""
        if self._gate is None or self._job_running():
            return
        name = f"{self._workspace.name}.opml" if self._workspace is not None else "sources.opml"
        start = str(Path(self._last_folder) / name) if self._last_folder else name
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export OPML", start, OPML_FILTER)
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".opml")
        self._last_folder = str(path.parent)
        self._start_job(
            source_tasks.export_opml_file,
            self._gate,
            path,
            text=f"Exporting to {path.name}",
            on_result=lambda count: self._finish_job(f"Exported {_plural(count, 'feed')} to {path}."),
        )

    def import_mentions(self) -> None:
        """Ask for an export file, then open the mapping and preview dialog."""
        if self._gate is None or self.read_only:
            return
        path = choose_mentions_file(self, self._last_folder)
        if path is None:
            return
        self._last_folder = str(path.parent)
        if self.mentions_dialog is not None and not self.mentions_dialog.importing:
            self.mentions_dialog.deleteLater()
        dialog = MentionsImportDialog(self._runner, self._gate, path, self)
        dialog.mentions_imported.connect(self._guard(self._on_mentions_dialog_mentions_imported))
        self.mentions_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------- jobs
    def _job_running(self) -> bool:
        return self._job is not None and not self._job.done

    def _can_start_job(self) -> bool:
        return self._gate is not None and not self.read_only and not self._job_running()

    def _start_job(
        self,
        fn: Callable[..., Any],
        *args: Any,
        text: str,
        on_result: Callable[[Any], None],
        cancellable: bool = False,
    ) -> None:
        """Run one page job: progress in the activity strip, its sentence there when it ends."""
        current = self._guard
        self.activity.show_busy(text, cancellable=cancellable)
        handle = self._runner.run(
            fn,
            *args,
            on_result=current(on_result),
            on_error=current(self._on_job_failed),
            on_progress=current(self._on_job_progressed),
            on_cancelled=current(lambda: self._finish_job("Cancelled; nothing more was changed.")),
            on_finished=current(self._on_job_finished),
            description=text,
        )
        self._job = None if handle.done else handle
        self._update_actions()

    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once the page moved on to another workspace.

        A job or dialog of the old workspace may still answer after
        :meth:`detach`; its sentence must not land on the next workspace's page.
        """
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    def _finish_job(self, text: str, *, error: bool = False, warning: bool = False) -> None:
        self.activity.show_message(text, error=error, warning=warning)
        self.activity_finished.emit(text, error)

    def _on_job_progressed(self, state: ProgressState) -> None:
        self.activity.show_progress(state)

    def _on_job_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CuratorError):
            text = str(exc)
        else:
            text = f"Something unexpected went wrong ({type(exc).__name__}: {exc})."
        self._finish_job(text, error=True)

    def _on_job_finished(self) -> None:
        self._job = None
        self._update_actions()

    def _on_fetch_job_done(self, outcome: FetchOutcome) -> None:
        text = outcome.sentence()
        failed = outcome.summary.errors
        if failed:
            text += (
                f" {failed[0].title}: {failed[0].error}"
                if len(failed) == 1
                else " Sources with a red icon failed; point at one to read why."
            )
        everything_failed = bool(failed) and len(failed) == len(outcome.summary.reports)
        self._finish_job(text, error=everything_failed, warning=bool(failed))

    @Slot()
    def _on_auto_fetch_timer_timeout(self) -> None:
        # Never on top of a job the user started; the next tick tries again.
        if self._gate is None or self.read_only or self._job_running():
            return
        # The model holds the sources: decide without disk work whether any is due.
        now = utcnow()
        sources = [
            self.sources_model.data(self.sources_model.index(row, 0), DomainObjectRole)
            for row in range(self.sources_model.rowCount())
        ]
        if not any(
            s.kind == SourceKind.FEED and s.enabled and (s.next_fetch_at is None or s.next_fetch_at <= now)
            for s in sources
        ):
            return
        self._start_job(
            source_tasks.fetch_due_sources,
            self._gate,
            text="Fetching due sources",
            cancellable=True,
            on_result=self._on_auto_fetch_job_done,
        )

    def _on_auto_fetch_job_done(self, outcome: FetchOutcome | None) -> None:
        if outcome is None:
            self.activity.clear()  # nothing was due: leave no trace
            return
        self._on_fetch_job_done(outcome)

    @Slot()
    def _on_activity_cancel_requested(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _update_actions(self) -> None:
        attached = self._gate is not None
        writable = attached and not self.read_only
        idle = not self._job_running()
        count = len(self.selected_sources()) if attached else 0
        self.add_action.setEnabled(writable)
        self.edit_action.setEnabled(writable and count == 1)
        self.remove_action.setEnabled(writable and idle and count > 0)
        has_sources = self.sources_model.rowCount() > 0
        self.fetch_action.setEnabled(writable and idle and has_sources)
        self.fetch_action.setText("Fetch Selected" if count else "Fetch All")
        self.import_opml_action.setEnabled(writable and idle)
        self.export_opml_action.setEnabled(attached and idle and has_sources)
        self.import_mentions_action.setEnabled(writable)
        self.full_text_action.setEnabled(writable and idle)
        self.empty_state.action_button.setEnabled(writable)

    # ------------------------------------------------------------ dialog slots
    def _on_add_dialog_source_added(self, source: Source) -> None:
        self._finish_job(f"Added “{source.title}” with {_plural(source.item_count, 'item')}.")

    def _on_add_dialog_add_failed(self, text: str) -> None:
        dialog = self.add_dialog
        if dialog is None or not dialog.isVisible():  # closed before the answer came
            self._finish_job(text, error=True)

    def _on_edit_dialog_source_saved(self, source: Source) -> None:
        self._finish_job(f"Saved “{source.title}”.")

    def _on_mentions_dialog_mentions_imported(self, source: Source, new: int) -> None:
        self._finish_job(f"Imported {_plural(new, 'new mention')} into “{source.title}”.")

    # ------------------------------------------------------------ other slots
    @Slot()
    def _on_sources_model_changed(self) -> None:
        self.items_model.set_source_titles(
            {source.id: source.title for source in self.sources_model.objects()}
        )
        self._texts_timer.start()
        self._update_actions()

    @Slot()
    def _on_sources_selection_changed(self) -> None:
        self.items_proxy.set_source_ids(source.id for source in self.selected_sources())
        self._update_actions()
        self._update_texts()

    @Slot()
    def _on_items_model_changed(self) -> None:
        self._texts_timer.start()

    @Slot()
    def _on_model_rows_loaded(self) -> None:
        self._update_texts()

    @Slot()
    def _on_items_model_rows_loaded(self) -> None:
        # Once the page has its rows (not before: the pool may have only two
        # threads), load the ingest code the actions will need, off the UI thread.
        if self._workspace is not None and "curator.ingest.service" not in sys.modules:
            self._runner.run(_warm_ingest_import)

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self.items_proxy.set_search_text(self.search_edit.text())
        self._update_texts()

    @Slot(int)
    def _on_channel_combo_changed(self, _index: int) -> None:
        self.items_proxy.set_channel(self.channel_combo.currentData())
        self._update_texts()

    @Slot(int)
    def _on_time_combo_changed(self, _index: int) -> None:
        self._apply_time_range()

    def _apply_time_range(self) -> None:
        span = self.time_combo.currentData()
        self.items_proxy.set_since(utcnow() - span if span is not None else None)
        self._update_texts()

    @Slot()
    def _on_clock_timeout(self) -> None:
        self.sources_model.refresh_times()
        self._apply_time_range()

    @Slot(QModelIndex)
    def _on_sources_table_double_clicked(self, _index: QModelIndex) -> None:
        self.edit_selected()

    @Slot(QModelIndex)
    def _on_items_table_double_clicked(self, index: QModelIndex) -> None:
        item = index.data(DomainObjectRole)
        if item is not None and item.url:
            QDesktopServices.openUrl(QUrl(item.url))

    # ------------------------------------------------------------------ texts
    def _update_texts(self) -> None:
        sources = self.sources_model.objects()
        loaded_items = self.items_model.rowCount()
        loaded = self.sources_model.loaded and self.items_model.loaded
        empty = loaded and not sources and loaded_items == 0
        total = sum(source.item_count for source in sources)
        failing = sum(1 for source in sources if source.enabled and source.last_error)
        parts = [_plural(len(sources), "source"), _plural(total, "item")]
        if failing:
            parts.append(f"{failing:,} failing")
        self.header.set_summary("" if empty else " · ".join(parts) if loaded else "Loading…")

        duplicates = self.items_model.duplicate_count()
        unique = loaded_items - duplicates
        matching = self.items_proxy.rowCount()
        if not loaded:
            count = ""
        elif self.items_proxy.filtering:
            count = f"{matching:,} of {unique:,} match"
        elif total > loaded_items:
            count = f"newest {unique:,} of {total:,}"
        else:
            count = _plural(unique, "item")
        if loaded and duplicates:
            count += f" · {_plural(duplicates, 'duplicate')} hidden"
        self.stream_count_label.setText(count)
        self.stream_count_label.setToolTip(count)
        chosen = self.items_proxy.source_ids
        if not chosen:
            title = "Recent items"
        elif len(chosen) == 1:
            only = next((s for s in sources if s.id in chosen), None)
            title = f"Items from {only.title}" if only else "Recent items"
        else:
            title = f"Items from {len(chosen):,} sources"
        self.stream_label.setText(title)
        self.stream_label.setToolTip(
            f"{title}. Select no source above to see every source's items." if chosen else ""
        )
        self.stack.setCurrentWidget(self.empty_state if empty else self._content)
