"""Importing a social-listening export: map its columns, check a preview, import all or nothing.

Exports differ from tool to tool, so the user confirms which column is the
text, the author, the time... before anything is stored. The core checks
every row on each preview; the dialog lists each problem with its line
number, and Import stays disabled until there are none, because an import
is all or nothing and a refused import after a long wait helps nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Channel, Source
from ui.formatting import channel_label
from ui.models import MentionPreviewModel, RowErrorModel
from ui.tasks import TaskHandle, TaskRunner
from ui.theme import set_tone
from ui.views import source_tasks
from ui.views.source_dialogs import HINT_STYLE, BusyLine, _describe
from ui.views.source_tasks import IngestGate, MentionFile
from ui.widgets.timers import single_shot

if TYPE_CHECKING:
    from curator.ingest.mentions import ColumnMapping, MentionPreview

#: Wait this long after a mapping change before checking every row again.
PREVIEW_DELAY_MS = 150


def _plural(count: int, one: str) -> str:
    return f"{count:,} {one if count == 1 else one + 's'}"


#: What the mapping pickers show for "this field is not in the file".
NOT_MAPPED = "(not in the file)"
#: File types the open dialog offers (the core reads CSV, TSV, JSON and JSON Lines).
FILE_FILTER = "Mention exports (*.csv *.tsv *.txt *.json *.jsonl *.ndjson);;All files (*)"


@dataclass(frozen=True)
class MappingField:
    """One field of a mention and the label its picker has."""

    name: str
    label: str
    hint: str = ""


FIELDS: tuple[MappingField, ...] = (
    MappingField("text", "Text (required)", "What the person said."),
    MappingField("channel", "Channel", "Platform or network; rows without one get the channel below."),
    MappingField("author", "Author", ""),
    MappingField("author_reach", "Author reach", "Followers or audience, a number."),
    MappingField("url", "Address (URL)", ""),
    MappingField("time", "Time", "Times without a zone are read as UTC."),
    MappingField("title", "Title", ""),
)


def choose_mentions_file(parent: QWidget | None, folder: str = "") -> Path | None:
    """Ask for an export file; None when the user cancels."""
    chosen, _filter = QFileDialog.getOpenFileName(parent, "Import Mentions", folder, FILE_FILTER)
    return Path(chosen) if chosen else None


class MentionsImportDialog(QDialog):
    """Reads an export in the background, previews it with a column mapping, and imports it."""

    #: The export was imported: (Source, new item count).
    mentions_imported = Signal(object, int)
    #: A preview (the first one or after a mapping change) arrived.
    preview_updated = Signal()

    def __init__(
        self, runner: TaskRunner, gate: IngestGate, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mentionsDialog")
        self.setWindowTitle("Import Mentions")
        self.resize(980, 720)
        self._runner = runner
        self._gate = gate
        self.file: MentionFile | None = None
        self.preview: MentionPreview | None = None
        self.file_problem = ""
        self.handle: TaskHandle | None = None
        self._preview_handle: TaskHandle | None = None
        self._preview_again = False
        self._filling = False
        self._generation = 0  # bumped per file, so a late preview of the last file is ignored

        # File and target source.
        self.file_label = QLabel()
        self.file_label.setObjectName("mentionsFile")
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton("Choose Another File…")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("mentionsTitle")
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("mentionsChannel")
        for channel in Channel:
            self.channel_combo.addItem(channel_label(channel), channel)
        self.channel_combo.setCurrentIndex(self.channel_combo.findData(Channel.OTHER))
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.choose_button)
        target = QFormLayout()
        target.addRow("File:", file_row)
        target.addRow("Import as &source:", self.title_edit)
        target.addRow("Channel of rows that name &none:", self.channel_combo)

        # Column mapping: one picker per field, in two columns.
        self.mapping_combos: dict[str, QComboBox] = {}
        mapping_box = QGroupBox("Columns")
        grid = QGridLayout(mapping_box)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        for position, spec in enumerate(FIELDS):
            combo = QComboBox()
            combo.setObjectName(f"mapping_{spec.name}")
            combo.setMinimumWidth(180)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            if spec.hint:
                combo.setToolTip(spec.hint)
            combo.currentIndexChanged.connect(self._on_mapping_combo_changed)
            self.mapping_combos[spec.name] = combo
            row, column = divmod(position, 2)
            label = QLabel(spec.label + ":")
            label.setBuddy(combo)
            grid.addWidget(label, row, column * 2)
            grid.addWidget(combo, row, column * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        # Preview and problems.
        self.preview_model = MentionPreviewModel(self)
        self.preview_table = self._table(self.preview_model, "mentionsPreview")
        widths = {
            MentionPreviewModel.COL_WHEN: 110,
            MentionPreviewModel.COL_CHANNEL: 90,
            MentionPreviewModel.COL_AUTHOR: 130,
            MentionPreviewModel.COL_REACH: 70,
            MentionPreviewModel.COL_TEXT: 380,
        }
        for column, width in widths.items():
            self.preview_table.setColumnWidth(column, width)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("previewSummary")
        self.preview_label.setStyleSheet(HINT_STYLE)
        self.errors_label = QLabel()
        self.errors_label.setObjectName("errorsSummary")
        self.errors_label.setWordWrap(True)
        set_tone(self.errors_label, "error")
        self.error_model = RowErrorModel(self)
        self.error_table = self._table(self.error_model, "mentionErrors")
        self.error_table.setColumnWidth(RowErrorModel.COL_WHERE, 80)
        self.error_table.hide()
        self.errors_label.hide()

        self.busy = BusyLine()
        self.message_label = QLabel()
        self.message_label.setObjectName("mentionsMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        set_tone(self.message_label, "error")
        self.message_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        self._preview_timer = single_shot(self, PREVIEW_DELAY_MS, self._on_preview_timer_timeout)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(target)
        layout.addWidget(mapping_box)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview_table, 1)
        layout.addWidget(self.errors_label)
        layout.addWidget(self.error_table)
        layout.addWidget(self.message_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        self.load(path)

    @staticmethod
    def _table(model: Any, name: str) -> QTableView:
        table = QTableView()
        table.setObjectName(name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return table

    # ----------------------------------------------------------------- state
    @property
    def busy_reading(self) -> bool:
        """True while the file is read or a preview is computed."""
        return self._preview_handle is not None and not self._preview_handle.done

    @property
    def importing(self) -> bool:
        """True while the import job runs."""
        return self.handle is not None and not self.handle.done

    def mapping(self) -> ColumnMapping | None:
        """The mapping the pickers show, or None while no text column is chosen."""
        from curator.ingest.mentions import ColumnMapping

        chosen = {name: combo.currentData() for name, combo in self.mapping_combos.items()}
        if not chosen.get("text"):
            return None
        return ColumnMapping(**chosen)

    def can_import(self) -> bool:
        """Import is possible: a clean, current preview of a readable file, nothing running."""
        return (
            self.file is not None
            and self.preview is not None
            and not self.preview.errors
            and self.mapping() is not None
            and not self.busy_reading
            and not self._preview_timer.isActive()
            and not self.importing
        )

    # ------------------------------------------------------------- loading
    def load(self, path: Path) -> None:
        """Read ``path`` in the background and show its first preview."""
        self.file = None
        self.preview = None
        self.file_problem = ""
        self.file_label.setText(str(path))
        self.title_edit.setText(f"Mentions: {path.name}")
        self._fill_combos([], None)
        self._show_preview(None)
        self._show_message("")
        self.busy.start(f"Reading {path.name}")
        self._generation += 1
        self._preview_again = False
        generation = self._generation
        handle = self._runner.run(
            source_tasks.read_mentions_file,
            path,
            on_result=self._if_current(generation, self._on_read_task_succeeded),
            on_error=self._if_current(generation, self._on_read_task_failed),
            on_finished=self._if_current(generation, self._on_preview_task_finished),
            description="Reading mentions file",
        )
        self._preview_handle = None if handle.done else handle
        self._update_buttons()

    def _if_current(self, generation: int, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once a newer file was loaded (its results are stale)."""

        def call(*args: Any) -> None:
            if generation == self._generation:
                callback(*args)

        return call

    def _fill_combos(self, columns: list[str], mapping: ColumnMapping | None) -> None:
        self._filling = True
        try:
            for name, combo in self.mapping_combos.items():
                combo.clear()
                combo.addItem(NOT_MAPPED, None)
                for column in columns:
                    combo.addItem(column, column)
                wanted = getattr(mapping, name, None) if mapping is not None else None
                index = combo.findData(wanted) if wanted else 0
                combo.setCurrentIndex(max(0, index))
                combo.setEnabled(bool(columns))
        finally:
            self._filling = False

    def _on_read_task_succeeded(self, file: MentionFile) -> None:
        self.file = file
        rows = f"{file.preview.total_rows:,} rows" if file.preview is not None else ""
        self.file_label.setText(
            f"{file.path.name}" + (f" — {rows}" if rows else "") + f"\n{file.path.parent}"
        )
        self.file_label.setToolTip(str(file.path))
        self._fill_combos(file.columns, file.mapping)
        if file.preview is None:
            self.file_problem = file.problem
            self._show_message(file.problem or "Choose the column that holds the text of each mention.")
        self._show_preview(file.preview)

    def _on_read_task_failed(self, exc: BaseException) -> None:
        self.file_problem = _describe(exc)
        self._show_message(self.file_problem)

    def _on_preview_task_succeeded(self, preview: MentionPreview) -> None:
        self._show_message("")
        self._show_preview(preview)

    def _on_preview_task_failed(self, exc: BaseException) -> None:
        self._show_preview(None)
        self._show_message(_describe(exc))

    def _on_preview_task_finished(self) -> None:
        self._preview_handle = None
        if self._preview_again:
            self._preview_again = False
            self._request_preview()
            return
        if not self.importing:
            self.busy.stop()
        self._update_buttons()

    # ------------------------------------------------------------ mapping
    @Slot(int)
    def _on_mapping_combo_changed(self, _index: int) -> None:
        if self._filling or self.file is None:
            return
        self.preview = None  # stale until the new one arrives; Import waits for it
        self._preview_timer.start()
        self._update_buttons()

    @Slot()
    def _on_preview_timer_timeout(self) -> None:
        self._request_preview()

    def _request_preview(self) -> None:
        """Check every row with the current mapping; one check at a time, the last one wins."""
        if self.file is None:
            return
        if self.busy_reading:
            self._preview_again = True
            return
        mapping = self.mapping()
        if mapping is None:
            self._show_preview(None)
            self._show_message("Choose the column that holds the text of each mention.")
            self._update_buttons()
            return
        self.busy.start("Checking the rows")
        generation = self._generation
        handle = self._runner.run(
            source_tasks.preview_mentions,
            self.file.data,
            self.file.path.name,
            mapping,
            on_result=self._if_current(generation, self._on_preview_task_succeeded),
            on_error=self._if_current(generation, self._on_preview_task_failed),
            on_finished=self._if_current(generation, self._on_preview_task_finished),
        )
        self._preview_handle = None if handle.done else handle
        self._update_buttons()

    # ------------------------------------------------------------ showing
    def _show_preview(self, preview: MentionPreview | None) -> None:
        self.preview = preview
        self.preview_model.set_rows(preview.rows if preview is not None else [])
        errors = list(preview.errors) if preview is not None else []
        self.error_model.set_rows(errors)
        if preview is None:
            self.preview_label.setText("")
        else:
            shown, total = len(preview.rows), preview.total_rows
            if shown >= source_tasks.PREVIEW_ROWS and shown < total:
                what = f"The first {shown:,} of {total:,} rows"
            elif errors:
                what = f"{shown:,} of {total:,} rows are fine"
            else:
                what = f"All {_plural(total, 'row')}"
            self.preview_label.setText(f"{what} · encoding {preview.encoding.upper()}")
        self._fit_error_table(len(errors))
        if errors:
            count = len(errors)
            self.errors_label.setText(
                f"{count:,} problem{'' if count == 1 else 's'} stop the import (it is all or nothing). "
                "Fix the column choices above, or the file, and check again:"
            )
        self.errors_label.setVisible(bool(errors))
        self.error_table.setVisible(bool(errors))
        self.preview_updated.emit()
        self._update_buttons()

    def _fit_error_table(self, rows: int) -> None:
        """Make the problem list as tall as its rows (up to five), leaving the rest to the preview."""
        table = self.error_table
        row_height = table.verticalHeader().defaultSectionSize()
        shown = min(max(rows, 1), 5)
        height = table.horizontalHeader().sizeHint().height() + shown * row_height + 2 * table.frameWidth()
        table.setFixedHeight(height)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _update_buttons(self) -> None:
        self.import_button.setEnabled(self.can_import())
        self.choose_button.setEnabled(not self.importing)

    # ------------------------------------------------------------- import
    @Slot()
    def submit(self) -> None:
        """Import every row in the background; the dialog closes when it is done."""
        mapping = self.mapping()
        if not self.can_import() or self.file is None or mapping is None:
            return
        self._show_message("")
        self.busy.start(f"Importing {self.file.path.name}")
        for widget in (self.title_edit, self.channel_combo, *self.mapping_combos.values()):
            widget.setEnabled(False)
        self.handle = self._runner.run(
            source_tasks.import_mentions_file,
            self._gate,
            self.file.data,
            self.file.path.name,
            mapping,
            self.title_edit.text().strip(),
            Channel(self.channel_combo.currentData()),
            on_result=self._on_import_task_succeeded,
            on_error=self._on_import_task_failed,
            on_finished=self._on_import_task_finished,
            description="Importing mentions",
        )
        self._update_buttons()

    def _on_import_task_succeeded(self, result: tuple[Source, int]) -> None:
        source, new = result
        self.mentions_imported.emit(source, new)
        self.accept()

    def _on_import_task_failed(self, exc: BaseException) -> None:
        self._show_message(_describe(exc))

    def _on_import_task_finished(self) -> None:
        self.busy.stop()
        for widget in (self.title_edit, self.channel_combo, *self.mapping_combos.values()):
            widget.setEnabled(True)
        self._update_buttons()

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        folder = str(self.file.path.parent) if self.file is not None else ""
        path = choose_mentions_file(self, folder)
        if path is not None:
            self.load(path)
