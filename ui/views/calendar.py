"""The Calendar page: approved content on a week or month grid, per touch point, and how publishing went.

The grids (:mod:`ui.views.calendar_widgets`) are views over the
:class:`~ui.models_calendar.PostTableModel`, which follows the ``posts``
table; the publishing log is a table over the
:class:`~ui.models_calendar.JournalTableModel`, which follows the
``publish_journal`` table. Times are laid out in the user's time zone (the
header says which); a post's tooltip gives its time in its touch point's own
zone, where its audience lives.

Every change goes through the schedule service or the publish runner in
the :class:`~ui.tasks.TaskRunner` (jobs in :mod:`ui.views.calendar_tasks`),
so the core checks roles, the workflow and the post's state exactly as it
does for the CLI. A dragged post shows at its new time while the move runs;
the core's warnings (too close to another post, outside the touch point's
hours, in the past) appear in the page's message strip, and a refused move
snaps back with the core's sentence there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QPoint,
    Qt,
    QTime,
    QTimer,
    QTimeZone,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from curator.domain import PostStatus, Role, ScheduledPost, TouchPoint, User, utcnow
from curator.errors import CuratorError
from curator.reports.periods import MONTH_NAMES
from curator.schedule.conflicts import describe_local
from curator.schedule.csv_io import CsvExport, CsvPreview
from curator.schedule.slots import occurrences
from ui.formatting import one_line
from ui.models import DomainObjectRole, StoreEvent, StoreEventBridge
from ui.models_calendar import (
    ExportNotesModel,
    ImportPreviewModel,
    JournalFilterProxyModel,
    JournalTableModel,
    PostHistoryModel,
    PostTableModel,
    SchedulableModel,
    status_word,
    zone_name,
)
from ui.tasks import CoalescedTask, TaskHandle, TaskRunner
from ui.theme import set_tone, theme_notifier
from ui.views import calendar_tasks
from ui.views.calendar_tasks import (
    BatchOutcome,
    CalendarDirectory,
    SchedulableVariant,
    ScheduleRequest,
    shifted,
)
from ui.views.calendar_widgets import CalendarCanvas, CalendarLegend, MonthGrid, WeekGrid, touchpoint_colors
from ui.views.sources import make_table
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page
from ui.widgets.timers import single_shot

WEEK, MONTH = "week", "month"
#: Minutes Ctrl+Up/Down move the selected post.
KEY_STEP_MINUTES = 15
#: The week grid opens at this local hour unless a post of the week is earlier.
DAY_START_HOUR = 7


def system_zone() -> ZoneInfo:
    """The user's IANA time zone as the system names it (UTC when it cannot be read)."""
    try:
        return ZoneInfo(bytes(QTimeZone.systemTimeZoneId().data()).decode())
    except (ZoneInfoNotFoundError, ValueError, UnicodeDecodeError):
        return ZoneInfo("UTC")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, CuratorError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc})."


def _label(text: str = "", *, name: str = "", tone: str = "", wrap: bool = True) -> QLabel:
    """A plain-text label; ``tone`` colours it by meaning (ui.theme.set_tone), following the theme."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    if tone:
        set_tone(label, tone)
    return label


def _plain_table(model: Any, name: str, stretch: int) -> QTableView:
    table = make_table(model, {}, stretch)
    table.setObjectName(name)
    table.setSortingEnabled(False)
    table.horizontalHeader().setSectionsMovable(False)
    return table


# ======================================================================= dialogs
class ScheduleApprovedDialog(QDialog):
    """Approved drafts and their touch points; schedule the chosen ones at the next free slot or a time."""

    #: The user chose what to schedule: (list of ScheduleRequest).
    requests_chosen = Signal(object)

    def __init__(self, default_local: datetime, parent: QWidget | None = None) -> None:
        """Build the dialog; ``default_local`` is the wall-clock time the "At" field starts with."""
        super().__init__(parent)
        self.setObjectName("scheduleDialog")
        self.setWindowTitle("Schedule approved content")
        self.resize(820, 520)
        self.model = SchedulableModel(self)
        self.table = _plain_table(self.model, "schedulableTable", SchedulableModel.COL_TITLE)
        self.table.setColumnWidth(SchedulableModel.COL_TOUCHPOINT, 150)
        self.table.setColumnWidth(SchedulableModel.COL_ZONE, 140)
        self.table.setColumnWidth(SchedulableModel.COL_NEXT, 200)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.status_label = _label("Looking for approved drafts…", name="scheduleStatus", tone="muted")
        self.next_radio = QRadioButton("At the next free slot of each touch point")
        self.next_radio.setChecked(True)
        self.at_radio = QRadioButton("At")
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.next_radio)
        self._mode.addButton(self.at_radio)
        self.at_edit = QDateTimeEdit()
        self.at_edit.setObjectName("scheduleAt")
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDateTime(
            QDateTime(
                QDate(default_local.year, default_local.month, default_local.day),
                QTime(default_local.hour, default_local.minute),
            )
        )
        self.at_edit.setEnabled(False)
        self.at_radio.toggled.connect(self.at_edit.setEnabled)
        self.at_radio.toggled.connect(self._update)
        self.zone_label = _label(name="scheduleZone", tone="muted")
        at_row = QHBoxLayout()
        at_row.addWidget(self.at_radio)
        at_row.addWidget(self.at_edit)
        at_row.addWidget(self.zone_label, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.schedule_button = self.buttons.addButton("Schedule", QDialogButtonBox.ButtonRole.AcceptRole)
        self.schedule_button.setObjectName("scheduleButton")
        self.schedule_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(_label("Approved content not on the calendar yet (select one or more):"))
        column.addWidget(self.table, 1)
        column.addWidget(self.status_label)
        column.addWidget(self.next_radio)
        column.addLayout(at_row)
        column.addWidget(self.buttons)
        self._update()

    def set_variants(self, variants: list[SchedulableVariant]) -> None:
        """Show what can be scheduled (loaded in a worker); the first row is selected."""
        self.model.set_rows(variants)
        if variants:
            self.table.selectRow(0)
            self.status_label.setText(
                f"{_plural(len(variants), 'variant')} of approved drafts wait. Posts go out at each "
                "touch point's own local time."
            )
        else:
            self.status_label.setText(
                "Nothing approved is waiting: approve a draft first, then schedule it here."
            )
        self._update()

    def set_error(self, text: str) -> None:
        """Say why the list could not be loaded."""
        set_tone(self.status_label, "error")
        self.status_label.setText(text)

    def selected_variants(self) -> list[SchedulableVariant]:
        """The chosen rows, in table order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.variant_at(row) for row in rows]

    def select_all(self) -> None:
        """Select every row."""
        self.table.selectAll()

    def _on_table_selection_changed(self) -> None:
        self._update()

    def _update(self) -> None:
        chosen = self.selected_variants()
        at = self.at_radio.isChecked()
        no_slot = [v for v in chosen if v.next_slot is None]
        self.schedule_button.setEnabled(bool(chosen) and (at or not no_slot))
        zones = sorted({v.touchpoint.timezone for v in chosen})
        if at:
            self.zone_label.setText(
                "in each touch point's own time zone" + (f" ({', '.join(zones)})" if zones else "")
            )
        elif no_slot:
            self.zone_label.setText(f"{no_slot[0].touchpoint.name} has no free slot: choose a time.")
        else:
            self.zone_label.setText("")

    def chosen_local(self) -> datetime:
        """The wall-clock time typed, without a zone (each touch point reads it in its own)."""
        value = self.at_edit.dateTime()
        day, clock = value.date(), value.time()
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())

    def submit(self) -> None:
        """Hand the chosen variants (and time) to the page, then close."""
        chosen = self.selected_variants()
        if not chosen:
            return
        local = self.chosen_local() if self.at_radio.isChecked() else None
        requests = [
            ScheduleRequest(
                v.draft_id, v.touchpoint.id, v.title, v.touchpoint.name, local, v.touchpoint.timezone
            )
            for v in chosen
        ]
        self.accept()
        self.requests_chosen.emit(requests)


class ImportScheduleDialog(QDialog):
    """A schedule file's rows and problems by line; Import only when every row is fine."""

    #: The user asked to import the previewed file: (CsvPreview).
    import_requested = Signal(object)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Import schedule — {path.name}")
        self.resize(900, 560)
        self.path = path
        self.preview: CsvPreview | None = None
        self.model = ImportPreviewModel(self)
        self.table = _plain_table(self.model, "importPreview", ImportPreviewModel.COL_TEXT)
        self.table.setColumnWidth(ImportPreviewModel.COL_LINE, 56)
        self.table.setColumnWidth(ImportPreviewModel.COL_RESULT, 80)
        self.table.setColumnWidth(ImportPreviewModel.COL_WHEN, 230)
        self.table.setColumnWidth(ImportPreviewModel.COL_TOUCHPOINT, 140)
        self.summary_label = _label(f"Checking {path.name}…", name="importSummary", tone="muted")
        self.message_label = _label(name="importMessage", tone="error")
        self.message_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(
            _label(
                f"{path}\nTimes are read in each touch point's own time zone. Imported rows become planned "
                "posts (tentative) of new drafts, to be approved and confirmed."
            )
        )
        column.addWidget(self.table, 1)
        column.addWidget(self.summary_label)
        column.addWidget(self.message_label)
        column.addWidget(self.buttons)

    def set_preview(self, preview: CsvPreview, touchpoints: dict[str, TouchPoint]) -> None:
        """Show the checked file; Import is enabled only when every row is fine."""
        self.preview = preview
        self.model.set_preview(preview, touchpoints)
        self.table.clearSpans()
        for row in self.model.problem_rows():
            span = ImportPreviewModel.COL_TEXT - ImportPreviewModel.COL_WHEN + 1
            self.table.setSpan(row, ImportPreviewModel.COL_WHEN, 1, span)
        if preview.ok:
            set_tone(self.summary_label, "muted")
            self.summary_label.setText(f"{_plural(len(preview.rows), 'row')} ready to import.")
        elif preview.problems:
            lines = sorted({p.line for p in preview.problems if p.line})
            where = f" (line{'s' * (len(lines) != 1)} {', '.join(map(str, lines))})" if lines else ""
            set_tone(self.summary_label, "error")
            self.summary_label.setText(
                f"{_plural(len(preview.problems), 'problem')}{where}: nothing can be imported until the "
                "file is fixed. Fix it, then import it again."
            )
        else:
            set_tone(self.summary_label, "error")
            self.summary_label.setText("The file holds no rows to import.")
        self.import_button.setEnabled(preview.ok)

    def set_error(self, text: str) -> None:
        """Say why the file could not be read or imported."""
        self.message_label.setText(text)
        self.message_label.show()
        self.import_button.setEnabled(bool(self.preview and self.preview.ok))

    def set_busy(self, busy: bool) -> None:
        """Disable Import while the import runs."""
        self.import_button.setEnabled(not busy and bool(self.preview and self.preview.ok))

    def submit(self) -> None:
        """Ask the page to import (the dialog closes once it worked)."""
        if self.preview is not None and self.preview.ok:
            self.message_label.hide()
            self.set_busy(True)
            self.import_requested.emit(self.preview)


class ExportCsvDialog(QDialog):
    """Choose a bulk-upload layout and a touch point, read the notes, then save the file."""

    #: Layout or touch point changed: (layout, touch point id); the page builds the export.
    export_requested = Signal(str, str)
    #: The user chose where to save: (path, data).
    save_requested = Signal(object, bytes)

    LAYOUTS = (("hootsuite", "Hootsuite (Bulk Composer)"), ("buffer", "Buffer (bulk upload)"))

    def __init__(
        self, touchpoints: list[TouchPoint], current: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportCsvDialog")
        self.setWindowTitle("Export for bulk upload")
        self.resize(720, 460)
        self.export: CsvExport | None = None
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("exportLayout")
        for key, label in self.LAYOUTS:
            self.layout_combo.addItem(label, key)
        self.touchpoint_combo = QComboBox()
        self.touchpoint_combo.setObjectName("exportTouchpoint")
        for tp in sorted(touchpoints, key=lambda t: t.name.casefold()):
            self.touchpoint_combo.addItem(f"{tp.name} ({tp.timezone})", tp.id)
        if current is not None and (found := self.touchpoint_combo.findData(current)) >= 0:
            self.touchpoint_combo.setCurrentIndex(found)
        form = QFormLayout()
        form.addRow("&Layout:", self.layout_combo)
        form.addRow("&Touch point:", self.touchpoint_combo)
        self.summary_label = _label(name="exportSummary", tone="muted")
        self.notes_model = ExportNotesModel(self)
        self.notes_table = _plain_table(self.notes_model, "exportNotes", ExportNotesModel.COL_NOTE)
        # Notes are sentences to read before uploading: wrapped, never cut (there are only a few).
        self.notes_table.setWordWrap(True)
        self.notes_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.message_label = _label(name="exportMessage", tone="error")
        self.message_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton("Save…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("exportSave")
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(
            _label(
                "A bulk-upload file holds one touch point's scheduled posts (planned ones are left out "
                "until approved). Read the notes before uploading."
            )
        )
        column.addLayout(form)
        column.addWidget(self.summary_label)
        column.addWidget(self.notes_table, 1)
        column.addWidget(self.message_label)
        column.addWidget(self.buttons)
        self.layout_combo.currentIndexChanged.connect(self.request_export)
        self.touchpoint_combo.currentIndexChanged.connect(self.request_export)

    @property
    def layout_key(self) -> str:
        """The chosen layout ("hootsuite" or "buffer")."""
        return str(self.layout_combo.currentData())

    @property
    def touchpoint_id(self) -> str:
        """The chosen touch point's id ("" when there is none)."""
        return str(self.touchpoint_combo.currentData() or "")

    def request_export(self) -> None:
        """Ask the page for the export of the current choice."""
        self.export = None
        self.save_button.setEnabled(False)
        self.message_label.hide()
        if self.touchpoint_id:
            self.summary_label.setText("Preparing…")
            self.export_requested.emit(self.layout_key, self.touchpoint_id)

    def set_export(self, layout: str, tp_id: str, export: CsvExport) -> None:
        """Show an export's count and notes (ignored when the choice changed meanwhile)."""
        if (layout, tp_id) != (self.layout_key, self.touchpoint_id):
            return
        self.export = export
        self.notes_model.set_rows(export.notes)
        notes = f"; {_plural(len(export.notes), 'note')} below" if export.notes else ""
        self.summary_label.setText(f"{_plural(export.count, 'post')} in the file{notes}.")
        self.save_button.setEnabled(export.count > 0)

    def set_error(self, text: str) -> None:
        """Say why the export failed."""
        self.summary_label.setText("")
        self.message_label.setText(text)
        self.message_label.show()

    def _on_buttons_accepted(self) -> None:
        if self.export is None:
            return
        name = f"{self.touchpoint_combo.currentText().split(' (')[0]}-{self.layout_key}.csv".replace(" ", "-")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save bulk-upload file", name, "CSV files (*.csv)"
        )
        if chosen:
            path = Path(chosen)
            self.save_requested.emit(path if path.suffix else path.with_suffix(".csv"), self.export.data)


class PostDetailsDialog(QDialog):
    """One post: where and when, its text, warnings and publishing history, and what can be done."""

    #: The user asked for an action on the post: (action name, post id).
    action_requested = Signal(str, str)

    def __init__(
        self,
        post: ScheduledPost,
        tp: TouchPoint | None,
        warnings: list[str],
        zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("postDetails")
        self.setWindowTitle(one_line(post.title) or "Post")
        self.resize(640, 560)
        self.post = post
        title = _label(one_line(post.title) or "(untitled)", name="postTitle")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        where = tp.name if tp is not None else "a removed touch point"
        when = describe_local(post.publish_at, tp.timezone if tp is not None else "UTC")
        mine = zone_name(zone)
        if tp is not None and mine != tp.timezone:
            local = post.publish_at.astimezone(zone)
            when += f" (your time: {local:%a} {local.day} {local:%b %H:%M} {mine})"
        facts = _label(f"{where} · {status_word(post.status)}\n{when}", name="postFacts")
        text = _label(post.text or "(no text)", name="postText")
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.addWidget(title)
        column.addWidget(facts)
        column.addWidget(text)
        if post.status is PostStatus.FAILED and post.last_error:
            column.addWidget(_label(post.last_error, name="postError", tone="error"))
        for warning in warnings:
            column.addWidget(_label(f"⚠ {warning}", tone="warning"))
        column.addWidget(_label("Publishing history"))
        self.history_model = PostHistoryModel(self, zone=zone)
        self.history_table = _plain_table(self.history_model, "postHistory", PostHistoryModel.COL_DETAIL)
        self.history_table.setColumnWidth(PostHistoryModel.COL_TIME, 130)
        self.history_table.setColumnWidth(PostHistoryModel.COL_STATE, 130)
        column.addWidget(self.history_table, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        actions: list[tuple[str, str]] = []
        if post.status is PostStatus.PLANNED:
            actions.append(("confirm", "Confirm"))
        if post.status is PostStatus.FAILED:
            actions.append(("retry", "Retry"))
        if post.status in (PostStatus.FAILED, PostStatus.PUBLISHING):
            actions.append(("mark_published", "Mark published"))
        if post.status in calendar_tasks.MOVABLE_STATUSES:
            actions.append(("unschedule", "Take off calendar…"))
        for name, text_ in actions:
            button = self.buttons.addButton(text_, QDialogButtonBox.ButtonRole.ActionRole)
            button.setObjectName(f"post_{name}")
            button.clicked.connect(lambda _c=False, n=name: self._on_action_clicked(n))
        column.addWidget(self.buttons)

    def set_history(self, entries: list[Any]) -> None:
        """Show the post's journal entries (loaded in a worker)."""
        self.history_model.set_rows(entries)

    def _on_action_clicked(self, name: str) -> None:
        self.accept()
        self.action_requested.emit(name, self.post.id)


# ========================================================================= page
@dataclass
class _Move:
    """A move in flight for one post, and the newest target asked for meanwhile."""

    handle: TaskHandle | None
    target: datetime
    queued: datetime | None = None


class CalendarView(QWidget):
    """Week and month grids of the posts per touch point, with scheduling, files and the publishing log."""

    #: A page job ended: (its sentence, whether it failed).
    activity_finished = Signal(str, bool)
    #: The grid shows a fresh set of posts (after a load, a change or navigation).
    posts_shown = Signal()
    #: A post's move ended: (post id, whether the core accepted it).
    post_move_finished = Signal(str, bool)
    #: A dialog of the page opened: (the dialog), so tests and the window can reach it.
    dialog_opened = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        secrets: Any = None,
        zone: ZoneInfo | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Build the page (nothing is shown until :meth:`attach`).

        Args:
            runner: runs every read and change off the main thread.
            parent: Qt parent.
            secrets: the connectors' :class:`~curator.publish.secrets.SecretStore`
                ("Publish due now"); a new one on the system keyring when None.
            zone: the user's time zone (default: the system's).
            clock: the current time (tests inject one).
        """
        super().__init__(parent)
        self._runner = runner
        self._secrets = secrets
        self._zone = zone or system_zone()
        self._clock = clock
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._service: Any = None
        self._publisher: Any = None
        self._user: User | None = None
        self._generation = 0
        self._job: TaskHandle | None = None
        self._moves: dict[str, _Move] = {}
        self._directory: CalendarDirectory | None = None
        self._directory_task: CoalescedTask | None = None
        self._colors: dict[str, Any] = {}
        self._mode = WEEK
        self._anchor = self._today()
        self._tp_filter: str | None = None  # one touch point id, or None for all
        self._scroll_pending = True
        self.schedule_dialog: ScheduleApprovedDialog | None = None
        self.import_dialog: ImportScheduleDialog | None = None
        self.export_dialog: ExportCsvDialog | None = None
        self.details_dialog: PostDetailsDialog | None = None
        self.confirm_box: QMessageBox | None = None

        self.header = PageHeader("Calendar")
        self.posts_model = PostTableModel(self, zone=self._zone, clock=clock)
        self.journal_model = JournalTableModel(self, zone=self._zone)
        self.journal_proxy = JournalFilterProxyModel(self)
        self.journal_proxy.setSourceModel(self.journal_model)

        self._build_actions()
        self._build_layout()

        for grid in (self.week_grid, self.month_grid):
            grid.set_zone(self._zone)
            grid.set_clock(clock)
            grid.set_tooltip_provider(self.posts_model.tooltip_of)
            grid.post_selected.connect(self._on_grid_post_selected)
            grid.post_activated.connect(self._on_grid_post_activated)
            grid.post_move_requested.connect(self._on_grid_post_move_requested)
            grid.post_context_requested.connect(self._on_grid_post_context_requested)
            grid.period_step_requested.connect(self.step)
            grid.day_activated.connect(self._on_grid_day_activated)
            for action in self._post_actions:
                grid.addAction(action)

        self._grid_timer = single_shot(self, 0, self._on_grid_timer_timeout)
        # Time passes: the current-time line moves and past slots stop being offered.
        self._minute_timer = QTimer(self)
        self._minute_timer.setInterval(60_000)
        self._minute_timer.timeout.connect(self._on_minute_timer_timeout)
        for signal in (
            self.posts_model.modelReset,
            self.posts_model.rowsInserted,
            self.posts_model.rowsRemoved,
            self.posts_model.dataChanged,
        ):
            signal.connect(self._on_posts_model_changed)
        self.journal_model.modelReset.connect(self._on_journal_model_changed)
        self.journal_model.rowsInserted.connect(self._on_journal_model_changed)
        self.log_table.selectionModel().selectionChanged.connect(self._on_log_selection_changed)
        theme_notifier().theme_changed.connect(self._on_theme_changed)
        self._navigate()
        self._update_state()

    # ------------------------------------------------------------------ build
    def _action(
        self,
        text: str,
        tip: str,
        shortcuts: list[str],
        slot: Callable[[], None],
        *,
        checkable: bool = False,
        context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
        add: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{tip} ({', '.join(shortcuts)})" if shortcuts else tip)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(context)
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        if add:
            self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.today_action = self._action("Today", "Show today", ["T", "Ctrl+T"], self.go_today)
        self.previous_action = self._action(
            "‹", "Previous week or month", ["Alt+Left"], lambda: self.step(-1)
        )
        self.next_action = self._action("›", "Next week or month", ["Alt+Right"], lambda: self.step(1))
        self.week_action = self._action(
            "Week", "Show a week by hours", ["Ctrl+Shift+W"], lambda: self.set_mode(WEEK), checkable=True
        )
        self.month_action = self._action(
            "Month", "Show a month by days", ["Ctrl+Shift+M"], lambda: self.set_mode(MONTH), checkable=True
        )
        modes = QActionGroup(self)
        modes.addAction(self.week_action)
        modes.addAction(self.month_action)
        self.week_action.setChecked(True)
        self.schedule_action = self._action(
            "Schedule approved…",
            "Put approved drafts on the calendar",
            ["Ctrl+Shift+S"],
            self.open_schedule_dialog,
        )
        self.import_action = self._action(
            "Import CSV…", "Plan posts from a spreadsheet (CSV)", ["Ctrl+Shift+I"], self.choose_import_file
        )
        self.export_ics_action = self._action(
            "Export calendar (.ics)…",
            "Write the calendar for calendar apps (iCalendar)",
            [],
            self.choose_ics_file,
        )
        self.export_csv_action = self._action(
            "Export for Hootsuite or Buffer (.csv)…",
            "Write one touch point's scheduled posts for bulk upload",
            [],
            self.open_export_dialog,
        )
        self.publish_action = self._action(
            "Publish due now", "Send every post that is due now", ["Ctrl+Shift+P"], self.publish_due
        )
        self.log_action = self._action(
            "Publishing log",
            "Show what was sent and what failed",
            ["Ctrl+L"],
            self._on_log_action_toggled,
            checkable=True,
        )
        # Actions on the selected post: active while a grid has the focus, and in its context menu.
        grid_only = Qt.ShortcutContext.WidgetShortcut
        self.earlier_action = self._action(
            "Earlier by 15 minutes",
            "Move the selected post",
            ["Ctrl+Up"],
            lambda: self.nudge(-KEY_STEP_MINUTES),
            context=grid_only,
            add=False,
        )
        self.later_action = self._action(
            "Later by 15 minutes",
            "Move the selected post",
            ["Ctrl+Down"],
            lambda: self.nudge(KEY_STEP_MINUTES),
            context=grid_only,
            add=False,
        )
        self.day_before_action = self._action(
            "A day earlier",
            "Move the selected post",
            ["Ctrl+Left"],
            lambda: self.nudge(days=-1),
            context=grid_only,
            add=False,
        )
        self.day_after_action = self._action(
            "A day later",
            "Move the selected post",
            ["Ctrl+Right"],
            lambda: self.nudge(days=1),
            context=grid_only,
            add=False,
        )
        self.details_action = self._action(
            "Details…",
            "Open the selected post",
            ["Return", "Enter"],
            self.open_selected,
            context=grid_only,
            add=False,
        )
        self.confirm_action = self._action(
            "Confirm",
            "Turn the selected planned post into a scheduled one",
            [],
            self.confirm_selected,
            add=False,
        )
        self.unschedule_action = self._action(
            "Take off calendar…",
            "Take the selected post off the calendar",
            ["Delete"],
            self.unschedule_selected,
            context=grid_only,
            add=False,
        )
        self._post_actions = [
            self.details_action,
            self.earlier_action,
            self.later_action,
            self.day_before_action,
            self.day_after_action,
            self.confirm_action,
            self.unschedule_action,
        ]
        self.retry_action = self._action(
            "Retry", "Put the failed post back in line now", [], self.retry_selected_entry, add=False
        )
        self.mark_published_action = self._action(
            "Mark published",
            "You checked that the post is out (after an interrupted or unclear send)",
            [],
            self.mark_selected_entry_published,
            add=False,
        )

        # The touch point filter: all, or one.
        self.filter_menu = QMenu(self)
        self.filter_menu.setObjectName("touchpointFilterMenu")
        self.filter_group = QActionGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_button = QToolButton()
        self.filter_button.setObjectName("touchpointFilter")
        self.filter_button.setText("All touch points")
        self.filter_button.setToolTip("Show all touch points or one")
        self.filter_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.filter_button.setMenu(self.filter_menu)
        self._fill_filter_menu({})

        self.export_menu = QMenu(self)
        self.export_menu.addAction(self.export_ics_action)
        self.export_menu.addAction(self.export_csv_action)
        self.export_button = QToolButton()
        self.export_button.setObjectName("exportButton")
        self.export_button.setText("Export")
        self.export_button.setToolTip("Write the calendar for calendar apps, or for Hootsuite or Buffer")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setMenu(self.export_menu)

        self.range_label = _label(name="calendarRange", wrap=False)
        font = self.range_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.range_label.setFont(font)
        self.range_label.setContentsMargins(8, 0, 8, 0)

        self.toolbar = QToolBar("Calendar")
        self.toolbar.setObjectName("calendarToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.addAction(self.today_action)
        self.toolbar.addAction(self.previous_action)
        self.toolbar.addAction(self.next_action)
        self.toolbar.addWidget(self.range_label)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.week_action)
        self.toolbar.addAction(self.month_action)
        self.toolbar.addWidget(self.filter_button)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.schedule_action)
        self.toolbar.addAction(self.import_action)
        self.toolbar.addWidget(self.export_button)
        self.toolbar.addAction(self.publish_action)
        self.toolbar.addAction(self.log_action)

    def _build_layout(self) -> None:
        self.week_grid = WeekGrid()
        self.month_grid = MonthGrid()
        self.grid_stack = QStackedWidget()
        self.grid_stack.addWidget(self.week_grid)
        self.grid_stack.addWidget(self.month_grid)
        self.legend = CalendarLegend()

        self.empty_state = EmptyState(
            "calendar",
            "Nothing on the calendar yet",
            "Approve a draft, then schedule it here.",
            "Schedule approved…",
        )
        self.empty_state.setObjectName("calendarEmpty")
        self.empty_state.action_triggered.connect(self.open_schedule_dialog)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.grid_stack)
        self.stack.addWidget(self.empty_state)

        # The publishing log.
        self.log_table = make_table(
            self.journal_proxy,
            {
                JournalTableModel.COL_TIME: 130,
                JournalTableModel.COL_POST: 240,
                JournalTableModel.COL_TOUCHPOINT: 140,
                JournalTableModel.COL_STATE: 140,
            },
            JournalTableModel.COL_DETAIL,
        )
        self.log_table.setObjectName("publishingLog")
        self.log_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.log_table.sortByColumn(JournalTableModel.COL_TIME, Qt.SortOrder.DescendingOrder)
        self.failures_check = QCheckBox("Failures only")
        self.failures_check.setObjectName("failuresOnly")
        self.failures_check.toggled.connect(self.journal_proxy.set_failures_only)
        self.log_summary = _label(name="logSummary", tone="muted", wrap=False)
        log_bar = QToolBar()
        log_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        log_bar.addAction(self.retry_action)
        log_bar.addAction(self.mark_published_action)
        title = _label("Publishing log", wrap=False)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        log_head = QHBoxLayout()
        log_head.setContentsMargins(0, 6, 0, 0)
        log_head.addWidget(title)
        log_head.addWidget(self.log_summary, 1)
        log_head.addWidget(self.failures_check)
        log_head.addWidget(log_bar)
        self.log_panel = QWidget()
        self.log_panel.setObjectName("publishingLogPanel")
        log_column = QVBoxLayout(self.log_panel)
        log_column.setContentsMargins(0, 0, 0, 0)
        log_column.addLayout(log_head)
        log_column.addWidget(self.log_table, 1)
        self.log_panel.hide()

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.log_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        self.activity = ActivityBar()
        self.activity.cancel_requested.connect(self._on_activity_cancel_requested)
        lay_out_page(self, self.header, self.toolbar, self.legend, self.activity, self.splitter, spacing=6)

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``'s calendar and follow its changes."""
        from curator.publish.runner import PublishRunner
        from curator.schedule.service import ScheduleService

        self.detach()
        self._workspace = workspace
        self._bridge = bridge
        service = ScheduleService(workspace, clock=self._clock)
        self._service = service
        if self._secrets is None:
            from curator.publish.secrets import SecretStore

            self._secrets = SecretStore()
        self._publisher = PublishRunner(
            workspace,
            self._secrets,
            clock=self._clock,
            on_published=service.mark_published,
            on_failed=lambda post, _why: service.mark_failed(post) if post.next_attempt_at is None else None,
        )
        self.posts_model.attach(
            self._runner,
            bridge,
            lambda progress: calendar_tasks.load_posts(progress, workspace),
            workspace.posts.get,
            "Loading the calendar",
        )
        journal = calendar_tasks.journal(workspace)
        self.journal_model.attach(
            self._runner,
            bridge,
            lambda progress: calendar_tasks.load_journal(progress, workspace),
            journal.get,
        )
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._directory_task = CoalescedTask(
            self._runner,
            lambda progress: calendar_tasks.load_directory(progress, workspace),
            self._guard(self._on_directory_loaded),
            parent=self,
        )
        self._directory_task.request()
        self._minute_timer.start()
        self._scroll_pending = True
        self._update_actions()
        self._update_state()

    def detach(self) -> None:
        """Stop following the workspace (before it closes): close dialogs, cancel jobs, forget the posts."""
        if self._workspace is None:
            return
        self._generation += 1
        for dialog in (
            self.schedule_dialog,
            self.import_dialog,
            self.export_dialog,
            self.details_dialog,
            self.confirm_box,
        ):
            if dialog is not None:
                dialog.reject()
        self.schedule_dialog = self.import_dialog = self.export_dialog = self.details_dialog = None
        self.confirm_box = None
        if self._job is not None:
            self._job.cancel()
        self._job = None
        for move in self._moves.values():
            if move.handle is not None:
                move.handle.cancel()
        self._moves.clear()
        if self._directory_task is not None:
            self._directory_task.stop()
            self._directory_task = None
        self._minute_timer.stop()
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        self.activity.clear()
        self.posts_model.detach()
        self.posts_model.clear()
        self.journal_model.detach()
        self.journal_model.clear()
        self._directory = None
        self._workspace = self._service = self._publisher = None
        for grid in (self.week_grid, self.month_grid):
            grid.set_posts([])
            grid.set_slots([])
            for post_id in grid.pending():
                grid.set_pending(post_id, None)
        self._update_actions()
        self._update_state()

    def set_user(self, user: User | None) -> None:
        """Act as ``user``: the core checks their roles on every change; the page offers what fits."""
        self._user = user
        self._update_actions()

    @property
    def user(self) -> User | None:
        """The person acting."""
        return self._user

    @property
    def read_only(self) -> bool:
        """True when the open workspace may not be changed."""
        return self._workspace is None or bool(self._workspace.read_only)

    @property
    def zone(self) -> ZoneInfo:
        """The user's zone the grids lay times out in."""
        return self._zone

    @property
    def mode(self) -> str:
        """``week`` or ``month``."""
        return self._mode

    @property
    def current_grid(self) -> CalendarCanvas:
        """The grid shown."""
        return self.week_grid if self._mode == WEEK else self.month_grid

    @property
    def directory_loaded(self) -> bool:
        """True once the touch points are known."""
        return self._directory is not None

    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once the page moved on to another workspace."""
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    def _while_open(self, dialog: QWidget, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once ``dialog`` closed (a late result must not touch it)."""
        generation = self._generation

        def call(*values: Any) -> None:
            open_now = (self.schedule_dialog, self.import_dialog, self.export_dialog, self.details_dialog)
            if generation == self._generation and any(dialog is d for d in open_now):
                callback(*values)

        return call

    def _today(self) -> date:
        return self._clock().astimezone(self._zone).date()

    # ------------------------------------------------------------- navigation
    def set_mode(self, mode: str) -> None:
        """Show the week (``week``) or month (``month``) around the current day."""
        selected = self.current_grid.selected_id
        self._mode = mode
        self.week_action.setChecked(mode == WEEK)
        self.month_action.setChecked(mode == MONTH)
        self.grid_stack.setCurrentWidget(self.current_grid)
        self._scroll_pending = True
        self._navigate()
        if selected:
            self.current_grid.select_post(selected)  # the selection follows (when the post is shown)

    def go_to(self, day: date) -> None:
        """Show the week or month of ``day``."""
        self._anchor = day
        self._scroll_pending = True
        self._navigate()

    def go_today(self) -> None:
        """Show the week or month of today."""
        self.go_to(self._today())

    def step(self, direction: int) -> None:
        """Show the previous (-1) or next (+1) week or month."""
        if self._mode == WEEK:
            self.go_to(self._anchor + timedelta(days=7 * direction))
        else:
            month = self._anchor.year * 12 + self._anchor.month - 1 + direction
            self.go_to(date(month // 12, month % 12 + 1, 1))

    def _navigate(self) -> None:
        self.week_grid.set_week(self._anchor - timedelta(days=self._anchor.weekday()))
        self.month_grid.set_month(self._anchor)
        self._refresh_grid()

    def range_text(self) -> str:
        """The range shown, as the toolbar says it ("16 – 22 March 2026", "March 2026")."""
        if self._mode == MONTH:
            month = self.month_grid.month
            return f"{MONTH_NAMES[month.month - 1]} {month.year}"
        first = self.week_grid.first_day
        last = first + timedelta(days=6)
        if first.month == last.month:
            return f"{first.day} – {last.day} {MONTH_NAMES[last.month - 1]} {last.year}"
        if first.year == last.year:
            start = f"{first.day} {MONTH_NAMES[first.month - 1][:3]}"
            return f"{start} – {last.day} {MONTH_NAMES[last.month - 1][:3]} {last.year}"
        return f"{first:%d %b %Y} – {last:%d %b %Y}"

    # ----------------------------------------------------------------- filter
    def _fill_filter_menu(self, touchpoints: dict[str, TouchPoint]) -> None:
        self.filter_menu.clear()
        for action in self.filter_group.actions():
            self.filter_group.removeAction(action)
        entries: list[tuple[str, str | None]] = [("All touch points", None)]
        entries += [
            (f"{tp.name} ({tp.timezone})", tp.id)
            for tp in sorted(touchpoints.values(), key=lambda t: t.name.casefold())
        ]
        if self._tp_filter is not None and self._tp_filter not in touchpoints:
            self._tp_filter = None
        for text, tp_id in entries:
            action = QAction(text, self.filter_menu)
            action.setCheckable(True)
            action.setChecked(tp_id == self._tp_filter)
            action.setData(tp_id)
            action.triggered.connect(lambda _c=False, value=tp_id: self.set_touchpoint_filter(value))
            self.filter_group.addAction(action)
            self.filter_menu.addAction(action)
            if tp_id is None and touchpoints:
                self.filter_menu.addSeparator()

    def set_touchpoint_filter(self, tp_id: str | None) -> None:
        """Show one touch point (its id) or all (None)."""
        self._tp_filter = tp_id
        for action in self.filter_group.actions():
            action.setChecked(action.data() == tp_id)
        tp = self.posts_model.touchpoint(tp_id) if tp_id else None
        self.filter_button.setText(tp.name if tp is not None else "All touch points")
        self.journal_proxy.set_touchpoint_ids({tp_id} if tp_id else None)
        self._refresh_grid()

    @property
    def touchpoint_filter(self) -> str | None:
        """The touch point shown alone, or None for all."""
        return self._tp_filter

    def _filter_ids(self) -> set[str] | None:
        return {self._tp_filter} if self._tp_filter else None

    # ------------------------------------------------------------------- grid
    def _on_posts_model_changed(self, *_args: Any) -> None:
        self._grid_timer.start()
        self._update_state()

    def _on_grid_timer_timeout(self) -> None:
        self._refresh_grid()

    def _on_minute_timer_timeout(self) -> None:
        if self.isVisible() and not self.current_grid.dragging:
            self._refresh_grid()

    def _refresh_grid(self) -> None:
        """Hand the grid shown the posts (and free slots) of its range and filter."""
        self._grid_timer.stop()
        grid = self.current_grid
        start, end = grid.range_utc()
        ids = self._filter_ids()
        posts = self.posts_model.posts_between(start, end, ids)
        grid.set_posts(posts)
        grid.set_slots(self._free_slots(start, end, ids, posts) if grid is self.week_grid else [])
        if self._scroll_pending and grid is self.week_grid and self.posts_model.loaded:
            self._scroll_pending = False
            earliest = min(
                (p.publish_at.astimezone(self._zone) for p in posts),
                default=None,
            )
            minutes = DAY_START_HOUR * 60
            if earliest is not None:
                minutes = min(minutes, max(0, earliest.hour * 60 + earliest.minute - 30))
            self.week_grid.scroll_to_minutes(minutes)
        self.range_label.setText(self.range_text())
        self._update_summary(posts)
        self._update_actions()
        self.posts_shown.emit()

    def _free_slots(
        self, start: datetime, end: datetime, ids: set[str] | None, posts: list[ScheduledPost]
    ) -> list[tuple[datetime, str]]:
        """Future posting slots of the touch points shown that no post takes."""
        now = self._clock()
        found: list[tuple[datetime, str]] = []
        for tp in self.posts_model.touchpoints.values():
            if ids is not None and tp.id not in ids:
                continue
            gap = timedelta(minutes=max(1, tp.min_gap_minutes))
            taken = [p.publish_at for p in posts if p.touchpoint_id == tp.id]
            for at in occurrences(tp, max(start, now), end):
                if not any(abs(t - at) < gap for t in taken):
                    found.append((at, tp.id))
        return found

    def _update_summary(self, posts: list[ScheduledPost]) -> None:
        if self._workspace is None:
            self.header.set_summary("")
            return
        if not self.posts_model.loaded:
            self.header.set_summary("Loading the calendar…")
            return
        if self.stack.currentWidget() is self.empty_state:
            self.header.set_summary(f"Times in your zone, {zone_name(self._zone)}")
            return
        span = "this week" if self._mode == WEEK else "this month"
        if self._mode == MONTH:
            month = self.month_grid.month
            posts = [p for p in posts if p.publish_at.astimezone(self._zone).month == month.month]
        text = f"{_plural(len(posts), 'post')} {span}" if posts else f"No posts {span}"
        failed = sum(1 for p in posts if p.status is PostStatus.FAILED)
        planned = sum(1 for p in posts if p.status is PostStatus.PLANNED)
        if failed:
            text += f", {failed} failed"
        if planned:
            text += f", {planned} planned (tentative)"
        text += f" · times in your zone, {zone_name(self._zone)}"
        self.header.set_summary(text)

    def _on_grid_post_selected(self, _post_id: str) -> None:
        self._update_actions()

    def _on_grid_post_activated(self, post_id: str) -> None:
        self.open_post(post_id)

    def _on_grid_day_activated(self, day: date) -> None:
        self._mode = WEEK
        self.week_action.setChecked(True)
        self.grid_stack.setCurrentWidget(self.week_grid)
        self.go_to(day)

    def _on_grid_post_context_requested(self, post_id: str, where: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in self._post_actions:
            menu.addAction(action)
        post = self.posts_model.post(post_id)
        if post is not None and post.status is PostStatus.FAILED:
            menu.addSeparator()
            menu.addAction(self.retry_action)
        menu.popup(where)

    def selected_post(self) -> ScheduledPost | None:
        """The post selected in the grid shown."""
        post_id = self.current_grid.selected_id
        return self.posts_model.post(post_id) if post_id else None

    def select_post(self, post_id: str) -> None:
        """Select a post in the grid shown."""
        self.current_grid.select_post(post_id)

    # ------------------------------------------------------------------ moves
    def _on_grid_post_move_requested(self, post_id: str, at: datetime) -> None:
        self.move_post(post_id, at)

    def move_post(self, post_id: str, at: datetime) -> None:
        """Move a post to ``at`` (UTC) in the background; shown there meanwhile, back if refused."""
        post = self.posts_model.post(post_id)
        if post is None or self._service is None:
            return
        if self.read_only:
            self._finish(self._workspace.read_only_reason or "This workspace is read-only.", error=True)
            return
        if self._user is None:
            self._finish("Nobody is signed in to this workspace, so posts cannot be moved.", error=True)
            return
        for grid in (self.week_grid, self.month_grid):
            grid.set_pending(post_id, at)
        running = self._moves.get(post_id)
        if running is not None:
            running.queued = at  # sent once the running move ends, so the last one wins
            return
        self._start_move(post_id, at)

    def _start_move(self, post_id: str, at: datetime) -> None:
        move = _Move(None, at)
        self._moves[post_id] = move
        guard = self._guard
        handle = self._runner.run(
            calendar_tasks.move_post,
            self._service,
            self._user,
            post_id,
            at,
            on_result=guard(lambda done: self._on_move_done(post_id, done)),
            on_error=guard(lambda exc: self._on_move_failed(post_id, exc)),
            on_finished=guard(lambda: self._on_move_finished(post_id)),
            description="Moving a post",
        )
        if not handle.done:
            move.handle = handle

    def _on_move_done(self, post_id: str, done: Any) -> None:
        post: ScheduledPost = done.post
        move = self._moves.get(post_id)
        if move is not None and move.queued is not None:
            return  # another target waits: keep showing it
        self.posts_model.upsert([post])
        for grid in (self.week_grid, self.month_grid):
            grid.set_pending(post_id, None)
        self._refresh_grid()  # now, not after the model's burst: the post must not flick back
        tp = self.posts_model.touchpoint(post.touchpoint_id)
        when = describe_local(post.publish_at, tp.timezone if tp else "UTC", now=self._clock())
        text = f"Moved “{one_line(post.title)}” to {when}."
        warnings = [w.message for w in done.warnings]
        self._finish(" ".join([text, *warnings]), warning=bool(warnings))
        self.post_move_finished.emit(post_id, True)

    def _on_move_failed(self, post_id: str, exc: BaseException) -> None:
        move = self._moves.get(post_id)
        if move is not None:
            move.queued = None  # a refused move cancels the ones asked for after it
        for grid in (self.week_grid, self.month_grid):
            grid.set_pending(post_id, None)
        self._finish(_error_text(exc), error=True)
        self.post_move_finished.emit(post_id, False)

    def _on_move_finished(self, post_id: str) -> None:
        move = self._moves.pop(post_id, None)
        if move is not None and move.queued is not None:
            self._start_move(post_id, move.queued)

    def nudge(self, minutes: int = 0, *, days: int = 0) -> None:
        """Move the selected post by ``minutes`` or by ``days`` (keeping its wall-clock time)."""
        grid = self.current_grid
        post = grid.selected_post()
        if post is None:
            return
        at = grid.shown_at(post)
        target = shifted(at, minutes=minutes) if minutes else shifted(at, days=days, zone=self._zone)
        self.move_post(post.id, target)

    # ------------------------------------------------------------- post jobs
    def open_selected(self) -> None:
        """Open the selected post's details."""
        post = self.selected_post()
        if post is not None:
            self.open_post(post.id)

    def open_post(self, post_id: str) -> None:
        """Show a post's details and publishing history."""
        post = self.posts_model.post(post_id)
        if post is None:
            return
        warnings = [w.message for w in self.posts_model.warnings(post)]
        dialog = PostDetailsDialog(
            post, self.posts_model.touchpoint(post.touchpoint_id), warnings, self._zone, self
        )
        dialog.action_requested.connect(self._on_details_action_requested)
        dialog.finished.connect(self._on_details_dialog_finished)
        dialog.finished.connect(dialog.deleteLater)
        self.details_dialog = dialog
        if self._publisher is not None:
            self._runner.run(
                calendar_tasks.post_history,
                self._publisher,
                post_id,
                on_result=self._while_open(dialog, dialog.set_history),
                on_error=self._while_open(dialog, lambda _exc: None),
            )
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _on_details_dialog_finished(self, _result: int) -> None:
        self.details_dialog = None

    def _on_details_action_requested(self, name: str, post_id: str) -> None:
        self.select_post(post_id)
        if name == "confirm":
            self.confirm_post(post_id)
        elif name == "retry":
            self.retry_post(post_id)
        elif name == "mark_published":
            self.mark_post_published(post_id)
        elif name == "unschedule":
            self.unschedule_post(post_id)

    def confirm_selected(self) -> None:
        """Confirm the selected planned post."""
        post = self.selected_post()
        if post is not None:
            self.confirm_post(post.id)

    def confirm_post(self, post_id: str) -> None:
        """Turn a planned post into a scheduled one (its draft must be approved)."""
        self._start_job(
            calendar_tasks.confirm_post,
            self._service,
            self._user,
            post_id,
            text="Confirming the post",
            on_result=lambda done: self._finish(
                " ".join([f"Confirmed “{one_line(done.post.title)}”.", *(w.message for w in done.warnings)]),
                warning=bool(done.warnings),
            ),
        )

    def unschedule_selected(self) -> None:
        """Take the selected post off the calendar, once confirmed."""
        post = self.selected_post()
        if post is not None:
            self.unschedule_post(post.id)

    def unschedule_post(self, post_id: str) -> None:
        """Ask, then take a post off the calendar."""
        post = self.posts_model.post(post_id)
        if post is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Take off the calendar",
            f"Take “{one_line(post.title)}” off the calendar?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Its draft stays approved, so you can schedule it again.")
        box.button(QMessageBox.StandardButton.Yes).setText("Take off")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda result: self._on_confirm_box_finished(result == QMessageBox.StandardButton.Yes, post_id)
        )
        box.finished.connect(box.deleteLater)
        self.confirm_box = box
        box.open()
        self.dialog_opened.emit(box)

    def _on_confirm_box_finished(self, accepted: bool, post_id: str) -> None:
        self.confirm_box = None
        if not accepted:
            return
        self._start_job(
            calendar_tasks.unschedule_post,
            self._service,
            self._user,
            post_id,
            text="Taking the post off the calendar",
            on_result=lambda post: self._finish(f"“{one_line(post.title)}” is off the calendar."),
        )

    # ------------------------------------------------------------ publishing
    def publish_due(self) -> None:
        """Send every post that is due now (the publisher's timer does this by itself too)."""
        self._start_job(
            calendar_tasks.publish_due,
            self._publisher,
            text="Publishing due posts",
            cancellable=True,
            on_result=lambda report: self._finish(
                report.summary().replace("\n", " "), error=bool(report.failed), warning=bool(report.manual)
            ),
        )

    def selected_entry(self) -> Any:
        """The journal entry selected in the publishing log, or None."""
        rows = self.log_table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(DomainObjectRole)

    def _entry_post(self) -> ScheduledPost | None:
        entry = self.selected_entry()
        return self.posts_model.post(entry.post_id) if entry is not None else None

    def retry_selected_entry(self) -> None:
        """Retry the failed post of the selected log entry."""
        post = self._entry_post()
        if post is not None:
            self.retry_post(post.id)

    def retry_post(self, post_id: str) -> None:
        """Put a failed post back in line now."""
        self._start_job(
            calendar_tasks.retry_post,
            self._service,
            self._publisher,
            self._user,
            post_id,
            text="Putting the post back in line",
            on_result=lambda post: self._finish(
                f"“{one_line(post.title)}” is back in line: it goes out at the next publishing run "
                "(or press “Publish due now”)."
            ),
        )

    def mark_selected_entry_published(self) -> None:
        """Mark the post of the selected log entry published."""
        post = self._entry_post()
        if post is not None:
            self.mark_post_published(post.id)

    def mark_post_published(self, post_id: str) -> None:
        """Record that a person checked and the post is out."""
        self._start_job(
            calendar_tasks.mark_published,
            self._service,
            self._publisher,
            self._user,
            post_id,
            text="Marking the post published",
            on_result=lambda post: self._finish(f"“{one_line(post.title)}” is marked published."),
        )

    def _on_log_action_toggled(self) -> None:
        self.show_log(self.log_action.isChecked())

    def show_log(self, visible: bool) -> None:
        """Show or hide the publishing log panel."""
        self.log_action.setChecked(visible)
        self.log_panel.setVisible(visible)
        if visible:
            height = max(self.splitter.height(), 400)
            self.splitter.setSizes([height * 3 // 5, height * 2 // 5])

    def _on_journal_model_changed(self, *_args: Any) -> None:
        entries = self.journal_model.objects()
        failed = sum(1 for e in entries if e.state == "failed")
        text = f"{_plural(len(entries), 'entry', 'entries')}, newest first"
        if failed:
            text += f"; {failed} failed"
        self.log_summary.setText(text)
        self._update_actions()

    def _on_log_selection_changed(self) -> None:
        self._update_actions()

    # ------------------------------------------------------------- scheduling
    def open_schedule_dialog(self) -> None:
        """List approved drafts not on the calendar and schedule the chosen ones."""
        if self._service is None:
            return
        tomorrow = self._today() + timedelta(days=1)
        dialog = ScheduleApprovedDialog(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0), self)
        dialog.requests_chosen.connect(self.schedule)
        dialog.finished.connect(self._on_schedule_dialog_finished)
        dialog.finished.connect(dialog.deleteLater)
        self.schedule_dialog = dialog
        self._load_schedulable()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _load_schedulable(self) -> None:
        dialog = self.schedule_dialog
        if dialog is None or self._service is None:
            return
        self._runner.run(
            calendar_tasks.load_schedulable,
            self._service,
            on_result=self._while_open(dialog, dialog.set_variants),
            on_error=self._while_open(dialog, lambda exc: dialog.set_error(_error_text(exc))),
        )

    def _on_schedule_dialog_finished(self, _result: int) -> None:
        self.schedule_dialog = None

    def schedule(self, requests: list[ScheduleRequest]) -> None:
        """Schedule approved variants (each on its own; failures are listed, the rest go on)."""
        self._start_job(
            calendar_tasks.schedule_variants,
            self._service,
            self._user,
            requests,
            text="Scheduling",
            on_result=self._on_schedule_done,
        )

    def _on_schedule_done(self, outcome: BatchOutcome) -> None:
        self._finish(
            outcome.sentence(),
            error=bool(outcome.failures) and not outcome.scheduled,
            warning=bool(outcome.failures) or any(done.warnings for done in outcome.scheduled),
        )
        if outcome.scheduled:
            first = min(outcome.scheduled, key=lambda done: done.post.publish_at).post
            self.posts_model.upsert([done.post for done in outcome.scheduled])
            self.go_to(first.publish_at.astimezone(self._zone).date())
            self.select_post(first.id)

    # ------------------------------------------------------------------ files
    def choose_import_file(self) -> None:
        """Ask for a schedule file, then preview it."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Import schedule", str(Path.home()), "CSV files (*.csv *.txt);;All files (*)"
        )
        if chosen:
            self.open_import(Path(chosen))

    def open_import(self, path: Path) -> None:
        """Preview a schedule file in a dialog (read and checked in the background)."""
        if self._workspace is None:
            return
        dialog = ImportScheduleDialog(path, self)
        dialog.import_requested.connect(self._on_import_dialog_import_requested)
        dialog.finished.connect(self._on_import_dialog_finished)
        dialog.finished.connect(dialog.deleteLater)
        self.import_dialog = dialog
        workspace = self._workspace
        touchpoints = self.posts_model.touchpoints
        self._runner.run(
            calendar_tasks.preview_csv,
            workspace,
            path,
            self._clock(),
            on_result=self._while_open(dialog, lambda preview: dialog.set_preview(preview, touchpoints)),
            on_error=self._while_open(dialog, lambda exc: dialog.set_error(_error_text(exc))),
            description=f"Checking {path.name}",
        )
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _on_import_dialog_finished(self, _result: int) -> None:
        self.import_dialog = None

    def _on_import_dialog_import_requested(self, preview: CsvPreview) -> None:
        dialog = self.import_dialog

        def done(posts: list[ScheduledPost]) -> None:
            if dialog is not None and self.import_dialog is dialog:
                dialog.accept()
            self._finish(
                f"Imported {_plural(len(posts), 'planned post')}: they stay tentative until their drafts "
                "are approved and you confirm them."
            )
            if posts:
                self.go_to(min(p.publish_at for p in posts).astimezone(self._zone).date())

        def failed(exc: BaseException) -> None:
            if dialog is not None and self.import_dialog is dialog:
                dialog.set_error(_error_text(exc))
            self._finish(_error_text(exc), error=True)

        if (
            not self._start_job(
                calendar_tasks.import_csv,
                self._service,
                self._user,
                preview,
                text="Importing the schedule",
                on_result=done,
                on_error=failed,
            )
            and dialog is not None
        ):
            dialog.set_busy(False)

    def choose_ics_file(self) -> None:
        """Ask where to write the calendar file, then write it."""
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export calendar", str(Path.home() / "calendar.ics"), "iCalendar files (*.ics)"
        )
        if chosen:
            path = Path(chosen)
            self.export_ics_to(path if path.suffix else path.with_suffix(".ics"))

    def export_ics_to(self, path: Path) -> None:
        """Write the calendar (the touch points shown) as an iCalendar file."""
        self._start_job(
            calendar_tasks.export_ics,
            self._service,
            self._filter_ids(),
            path,
            text="Writing the calendar file",
            writes=False,
            on_result=lambda count: self._finish(
                f"Wrote {_plural(count, 'event')} to {path}. Calendar apps that import it again see "
                "moved posts as updates."
            ),
        )

    def open_export_dialog(self) -> None:
        """Choose a layout and a touch point, read the notes, save the bulk-upload file."""
        if self._service is None:
            return
        dialog = ExportCsvDialog(list(self.posts_model.touchpoints.values()), self._tp_filter, self)
        dialog.export_requested.connect(self._on_export_dialog_export_requested)
        dialog.save_requested.connect(self._on_export_dialog_save_requested)
        dialog.finished.connect(self._on_export_dialog_finished)
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)
        dialog.request_export()

    def _on_export_dialog_finished(self, _result: int) -> None:
        self.export_dialog = None

    def _on_export_dialog_export_requested(self, layout: str, tp_id: str) -> None:
        dialog = self.export_dialog
        if dialog is None or self._service is None:
            return
        self._runner.run(
            calendar_tasks.build_csv_export,
            self._service,
            layout,
            tp_id,
            on_result=self._while_open(dialog, lambda export: dialog.set_export(layout, tp_id, export)),
            on_error=self._while_open(dialog, lambda exc: dialog.set_error(_error_text(exc))),
        )

    def _on_export_dialog_save_requested(self, path: Path, data: bytes) -> None:
        dialog = self.export_dialog

        def done(written: Path) -> None:
            if dialog is not None and self.export_dialog is dialog:
                dialog.accept()
            self._finish(f"Wrote {written}. Upload it in the tool's bulk-upload dialog.")

        self._start_job(
            calendar_tasks.write_file, path, data, text="Writing the file", writes=False, on_result=done
        )

    # ------------------------------------------------------------------- jobs
    def _job_running(self) -> bool:
        return self._job is not None and not self._job.done

    def _start_job(
        self,
        fn: Callable[..., Any],
        *args: Any,
        text: str,
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        cancellable: bool = False,
        writes: bool = True,
    ) -> bool:
        """Run one page job: progress in the message strip, its sentence there when it ends."""
        if self._workspace is None:
            return False
        if writes and self.read_only:
            self._finish(self._workspace.read_only_reason or "This workspace is read-only.", error=True)
            return False
        if writes and self._user is None:
            self._finish("Nobody is signed in to this workspace, so nothing can be changed.", error=True)
            return False
        if self._job_running():
            self._finish("Another calendar job is still running; try again when it has finished.", error=True)
            return False
        guard = self._guard
        self.activity.show_busy(text, cancellable=cancellable)
        handle = self._runner.run(
            fn,
            *args,
            on_result=guard(on_result),
            on_error=guard(on_error or (lambda exc: self._finish(_error_text(exc), error=True))),
            on_progress=guard(self.activity.show_progress),
            on_cancelled=guard(lambda: self._finish("Stopped as asked.")),
            on_finished=guard(self._on_job_finished),
            description=text,
        )
        self._job = None if handle.done else handle
        self._update_actions()
        return True

    def _finish(self, text: str, *, error: bool = False, warning: bool = False) -> None:
        self.activity.show_message(text, error=error, warning=warning and not error)
        self.activity_finished.emit(text, error)

    def _on_job_finished(self) -> None:
        self._job = None
        self._update_actions()

    def _on_activity_cancel_requested(self) -> None:
        if self._job is not None:
            self._job.cancel()

    # ------------------------------------------------------------ store events
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table in ("touchpoints", "drafts") and self._directory_task is not None:
            self._directory_task.request()
        if event.table == "drafts" and self.schedule_dialog is not None:
            self._load_schedulable()

    def _on_directory_loaded(self, directory: CalendarDirectory) -> None:
        self._directory = directory
        self.posts_model.set_touchpoints(directory.touchpoints)
        self._color_touchpoints(directory)
        self._fill_filter_menu(directory.touchpoints)
        self.set_touchpoint_filter(self._tp_filter)
        self._update_journal_names()
        self._update_state()

    def _color_touchpoints(self, directory: CalendarDirectory) -> None:
        self._colors = touchpoint_colors(directory.touchpoints)
        for grid in (self.week_grid, self.month_grid):
            grid.set_touchpoints(directory.touchpoints, self._colors)
        self.legend.set_touchpoints(
            [tp for tp in directory.touchpoints.values() if self._tp_filter in (None, tp.id)], self._colors
        )

    @Slot(object)
    def _on_theme_changed(self, _theme: object) -> None:
        # Touch point colours come from the theme (lighter ones on a dark background).
        if self._directory is not None:
            self._color_touchpoints(self._directory)

    def _update_journal_names(self) -> None:
        self.journal_model.set_names(self.posts_model.titles(), self.posts_model.touchpoints)

    # ------------------------------------------------------------------ state
    def _update_state(self) -> None:
        directory = self._directory
        loaded = self._workspace is not None and directory is not None and self.posts_model.loaded
        if loaded and directory is not None and not directory.touchpoints:
            self.empty_state.set_content(
                "calendar",
                "No touch points yet",
                "Touch points are where the brand publishes (X, LinkedIn, the newsletter…), each with its "
                "own time zone and posting slots. Add one in Settings, then approve a draft and schedule "
                "it here.",
            )
            self.stack.setCurrentWidget(self.empty_state)
        elif loaded and directory is not None and self.posts_model.rowCount() == 0:
            waiting = directory.approved
            self.empty_state.set_content(
                "calendar",
                "Nothing on the calendar yet",
                "Approve a draft, then schedule it here.",
                "Schedule approved…" if waiting else None,
                detail=f"{_plural(waiting, 'approved draft')} waiting to be scheduled." if waiting else "",
            )
            self.stack.setCurrentWidget(self.empty_state)
        else:
            self.stack.setCurrentWidget(self.grid_stack)
        if loaded:
            self._update_journal_names()
        self.legend.setVisible(bool(directory and directory.touchpoints))
        self._update_summary(self.current_grid.posts())

    def _update_actions(self) -> None:
        attached = self._workspace is not None
        writable = attached and not self.read_only
        scheduler = self._user is not None and self._user.has_role(Role.SCHEDULER)
        busy = self._job_running()
        why = "" if scheduler else " — your role may not (it needs the scheduler role)"
        self.schedule_action.setEnabled(writable and scheduler and not busy)
        self.schedule_action.setStatusTip(why)
        editor = self._user is not None and self._user.has_role(Role.EDITOR)
        self.import_action.setEnabled(writable and scheduler and editor and not busy)
        self.publish_action.setEnabled(writable and scheduler and not busy)
        self.export_ics_action.setEnabled(attached)
        self.export_csv_action.setEnabled(attached)
        self.export_button.setEnabled(attached)
        for action in (self.today_action, self.previous_action, self.next_action):
            action.setEnabled(attached)
        post = self.selected_post() if attached else None
        movable = post is not None and post.status in calendar_tasks.MOVABLE_STATUSES and writable
        for action in (self.earlier_action, self.later_action, self.day_before_action, self.day_after_action):
            action.setEnabled(movable)
        self.unschedule_action.setEnabled(movable)
        self.confirm_action.setEnabled(
            writable and post is not None and post.status is PostStatus.PLANNED and not busy
        )
        self.details_action.setEnabled(post is not None)
        entry_post = self._entry_post() if attached else None
        self.retry_action.setEnabled(
            writable
            and scheduler
            and not busy
            and entry_post is not None
            and entry_post.status is PostStatus.FAILED
        )
        self.mark_published_action.setEnabled(
            writable
            and scheduler
            and not busy
            and entry_post is not None
            and entry_post.status in (PostStatus.FAILED, PostStatus.PUBLISHING)
        )


__all__ = [
    "DAY_START_HOUR",
    "KEY_STEP_MINUTES",
    "MONTH",
    "WEEK",
    "CalendarView",
    "ExportCsvDialog",
    "ImportScheduleDialog",
    "PostDetailsDialog",
    "ScheduleApprovedDialog",
    "system_zone",
]
