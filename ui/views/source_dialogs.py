"""Adding a source by its address, and editing one.

Adding fetches the address once (it may be slow, or not a feed at all), so
the dialog stays open while the background job runs: the user sees what is
happening, and when it fails the reason appears under the fields, with the
typed values intact, instead of in a message box that loses them. A web page
that announces several feeds lists them as buttons to pick from.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from curator import settings
from curator.domain import Channel, Source
from curator.errors import CuratorError
from curator.progress import ProgressState
from ui.formatting import channel_label
from ui.tasks import TaskHandle, TaskRunner
from ui.theme import current_theme, set_tone
from ui.views import source_tasks
from ui.views.source_tasks import IngestGate, NewSource

#: Bounds of the fetch interval, in minutes: more often than every five
#: minutes is impolite to servers; the service never waits more than a day.
MIN_INTERVAL, MAX_INTERVAL = 5, 24 * 60

HINT_STYLE = "color: palette(placeholder-text);"


def __getattr__(name: str) -> str:
    # ERROR_STYLE was a constant; it is now the current theme's red. Prefer
    # ui.theme.set_tone(label, "error"), which follows later theme switches too.
    if name == "ERROR_STYLE":
        return f"color: {current_theme().danger};"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def url_problem(text: str) -> str | None:
    """Why ``text`` cannot be added as a source address, or None when it can be tried.

    Checked on every keystroke, without the network, so the user learns
    about a missing ``https://`` before waiting for a fetch that cannot work.
    """
    text = text.strip()
    if not text:
        return "Enter the address of a feed, or of a web page that links to one."
    if "://" not in text:
        return "Start the address with https:// (or http://)."
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return f"Only http and https addresses can be added, not “{parts.scheme}://”."
    try:
        host = parts.hostname
    except ValueError:
        host = None
    if not host:
        return "The address names no server; check what follows “://”."
    if any(character.isspace() for character in text):
        return "A web address cannot contain spaces; check it."
    return None


def _describe(exc: BaseException) -> str:
    """The sentence shown inline for a failed job: the core's own, or a plain summary of a bug."""
    if isinstance(exc, CuratorError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc})."


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


class SourceFields(QWidget):
    """The settings a source has besides its address, shared by the add and edit dialogs."""

    def __init__(self, categories: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("sourceTitle")
        self.title_edit.setPlaceholderText("Taken from the feed")
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("sourceChannel")
        for channel in Channel:
            self.channel_combo.addItem(channel_label(channel), channel)
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("sourceCategory")
        self.category_combo.setEditable(True)
        self.category_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.category_combo.addItems(categories)
        self.category_combo.setCurrentIndex(-1)
        line_edit = self.category_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText("None (type a new one or pick one)")
        self.full_text_check = QCheckBox("Fetch the full article of each item")
        self.full_text_check.setObjectName("sourceFullText")
        self.full_text_check.setToolTip(
            "For feeds that carry only a summary. Slower, and only where the site's robots.txt allows it."
        )
        self.interval_spin = QSpinBox()
        self.interval_spin.setObjectName("sourceInterval")
        self.interval_spin.setRange(MIN_INTERVAL, MAX_INTERVAL)
        self.interval_spin.setSingleStep(5)
        # A new source starts at the interval chosen in Settings › Fetching.
        self.interval_spin.setValue(int(settings.current("ingest.default_interval_minutes")))
        self.interval_spin.setSuffix(" min")
        self.interval_spin.setToolTip("How often Curator asks for news; servers may ask it to wait longer.")

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("&Title:", self.title_edit)
        self.form.addRow("C&hannel:", self.channel_combo)
        self.form.addRow("Cate&gory:", self.category_combo)
        self.form.addRow("Fetch &every:", self.interval_spin)
        self.form.addRow("", self.full_text_check)

    def set_channel(self, channel: Channel) -> None:
        """Select ``channel`` in the channel picker."""
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(channel)))

    def channel(self) -> Channel:
        """The channel picked."""
        return Channel(self.channel_combo.currentData())

    def category(self) -> str:
        """The category typed or picked (empty for none)."""
        return self.category_combo.currentText().strip()

    def load(self, source: Source) -> None:
        """Show ``source``'s settings."""
        self.title_edit.setText(source.title)
        self.set_channel(source.channel)
        self.category_combo.setCurrentText(source.category)
        self.full_text_check.setChecked(source.full_text)
        self.interval_spin.setValue(min(max(source.fetch_interval_minutes, MIN_INTERVAL), MAX_INTERVAL))


class BusyLine(QWidget):
    """A busy bar with what the job is doing, shown while a dialog's job runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setMaximumHeight(14)
        self.label = QLabel()
        self.label.setStyleSheet(HINT_STYLE)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar)
        row.addWidget(self.label, 1)
        self.hide()

    def start(self, text: str) -> None:
        """Show the bar with ``text``."""
        self.label.setText(text + "…")
        self.show()

    def follow(self, state: ProgressState) -> None:
        """Show the job's current step."""
        if state.message:
            self.label.setText(state.message + "…")

    def stop(self) -> None:
        """Hide the bar."""
        self.hide()


class AddSourceDialog(QDialog):
    """Asks for a feed address and its settings, then adds it in the background.

    The dialog stays open while the address is fetched; on success it emits
    :attr:`source_added` and closes. Closing it early does not stop the add
    (the fetch cannot be interrupted halfway); the page still reports the
    outcome through the signals.
    """

    #: The source was added: (Source).
    source_added = Signal(object)
    #: Adding failed: (the sentence shown).
    add_failed = Signal(str)

    def __init__(
        self, runner: TaskRunner, gate: IngestGate, categories: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("addSourceDialog")
        self.setWindowTitle("Add Source")
        self.setMinimumWidth(560)
        self._runner = runner
        self._gate = gate
        self.handle: TaskHandle | None = None

        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("sourceUrl")
        self.url_edit.setPlaceholderText("https://example.com/feed.xml")
        self.url_edit.setClearButtonEnabled(True)
        self.url_message = QLabel()
        self.url_message.setObjectName("urlMessage")
        self.url_message.setWordWrap(True)
        set_tone(self.url_message, "error")
        self.url_message.hide()
        self.fields = SourceFields(categories)
        self.fields.form.insertRow(0, "&Address:", self.url_edit)
        self.fields.form.insertRow(1, "", self.url_message)
        self.fields.form.insertRow(
            2, "", _hint("A feed (RSS, Atom or JSON Feed), or a web page that announces one.")
        )
        self.busy = BusyLine()
        self.error_label = QLabel()
        self.error_label.setObjectName("addError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.error_label, "error")
        self.error_label.hide()
        self.candidates = QWidget()
        self.candidates.setObjectName("feedCandidates")
        self._candidate_layout = QVBoxLayout(self.candidates)
        self._candidate_layout.setContentsMargins(0, 0, 0, 0)
        self._candidate_layout.setSpacing(4)
        self.candidate_buttons: list[QPushButton] = []
        self.candidates.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("addButton")
        self.add_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.fields)
        layout.addWidget(self.error_label)
        layout.addWidget(self.candidates)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)
        self._update_buttons()

    @property
    def running(self) -> bool:
        """True while the add job runs."""
        return self.handle is not None and not self.handle.done

    def request(self) -> NewSource:
        """What the fields ask for."""
        fields = self.fields
        return NewSource(
            url=self.url_edit.text().strip(),
            title=fields.title_edit.text().strip(),
            channel=fields.channel(),
            category=fields.category(),
            full_text=fields.full_text_check.isChecked(),
            fetch_interval_minutes=fields.interval_spin.value(),
        )

    @Slot()
    def submit(self) -> None:
        """Add the source in the background (the dialog stays open until it is known to work)."""
        if self.running:
            return
        problem = url_problem(self.url_edit.text())
        if problem is not None:
            self._show_url_problem(problem)
            return
        self._show_error("")
        self._set_busy(True)
        self.busy.start(f"Checking {self.request().url}")
        self.handle = self._runner.run(
            source_tasks.add_source,
            self._gate,
            self.request(),
            on_result=self._on_add_task_succeeded,
            on_error=self._on_add_task_failed,
            on_progress=self.busy.follow,
            on_cancelled=lambda: self._on_add_task_failed(CuratorError("Cancelled.")),
            on_finished=self._on_add_task_finished,
            description="Adding source",
        )

    def choose_candidate(self, url: str) -> None:
        """Take one of the feeds a web page announced, and add it."""
        self.url_edit.setText(url)
        self.submit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter adds (or explains why it cannot), instead of falling through to Cancel.

        While Add is disabled Qt makes Cancel the default button, so a user
        pressing Enter after a typo would lose everything typed.
        """
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.submit()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------- slots
    @Slot(str)
    def _on_url_edit_text_changed(self, text: str) -> None:
        problem = url_problem(text) if text.strip() else None
        self._show_url_problem(problem)
        self._update_buttons()

    def _on_add_task_succeeded(self, source: Source) -> None:
        self.source_added.emit(source)
        self.accept()

    def _on_add_task_failed(self, exc: BaseException) -> None:
        from curator.ingest.service import NotAFeed

        if isinstance(exc, NotAFeed) and exc.candidates:
            self._show_error(
                f"{self.request().url} is a web page, not a feed. Pick one of the feeds it announces:"
            )
            self._show_candidates(exc.candidates)
        else:
            self._show_error(_describe(exc))
        self.add_failed.emit(self.error_label.text())

    def _on_add_task_finished(self) -> None:
        self.busy.stop()
        self._set_busy(False)

    # ----------------------------------------------------------- helpers
    def _show_url_problem(self, problem: str | None) -> None:
        self.url_message.setText(problem or "")
        self.url_message.setVisible(bool(problem))

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self._show_candidates([])

    def _show_candidates(self, urls: list[str]) -> None:
        for button in self.candidate_buttons:
            self._candidate_layout.removeWidget(button)
            button.deleteLater()
        self.candidate_buttons = []
        for url in urls:
            button = QPushButton(url)
            button.setObjectName("feedCandidate")
            button.setToolTip(f"Add {url}")
            button.setStyleSheet("text-align: left; padding: 4px 8px;")
            button.clicked.connect(lambda _checked=False, chosen=url: self.choose_candidate(chosen))
            self._candidate_layout.addWidget(button)
            self.candidate_buttons.append(button)
        self.candidates.setVisible(bool(urls))

    def _set_busy(self, busy: bool) -> None:
        self.fields.setEnabled(not busy)
        self.candidates.setEnabled(not busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = not self.running and url_problem(self.url_edit.text()) is None
        self.add_button.setEnabled(enabled)
        if enabled:
            self.add_button.setDefault(True)


class EditSourceDialog(QDialog):
    """Changes a source's settings (not its address) and saves them in the background."""

    #: The changes were saved: (the updated Source).
    source_saved = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        workspace: Any,
        source: Source,
        categories: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("editSourceDialog")
        self.setWindowTitle("Edit Source")
        self.setMinimumWidth(560)
        self._runner = runner
        self._workspace = workspace
        self.source = source
        self.handle: TaskHandle | None = None

        self.url_label = QLabel(source.url)
        self.url_label.setObjectName("sourceAddress")
        self.url_label.setTextFormat(Qt.TextFormat.PlainText)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_label.setWordWrap(True)
        self.fields = SourceFields(categories)
        self.fields.load(source)
        self.enabled_check = QCheckBox("Fetch this source automatically")
        self.enabled_check.setObjectName("sourceEnabled")
        self.enabled_check.setToolTip(
            "Unticked, the source is paused: kept with its items, fetched only on request."
        )
        self.enabled_check.setChecked(source.enabled)
        self.fields.form.insertRow(0, "Address:", self.url_label)
        self.fields.form.addRow("", self.enabled_check)
        self.busy = BusyLine()
        self.error_label = QLabel()
        self.error_label.setObjectName("editError")
        self.error_label.setWordWrap(True)
        set_tone(self.error_label, "error")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.fields)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

    @property
    def running(self) -> bool:
        """True while the save job runs."""
        return self.handle is not None and not self.handle.done

    def changes(self) -> dict[str, Any]:
        """The fields as Source attributes (an empty title keeps the current one)."""
        fields = self.fields
        return {
            "title": fields.title_edit.text().strip() or self.source.title,
            "channel": fields.channel(),
            "category": fields.category(),
            "full_text": fields.full_text_check.isChecked(),
            "fetch_interval_minutes": fields.interval_spin.value(),
            "enabled": self.enabled_check.isChecked(),
        }

    @Slot()
    def submit(self) -> None:
        """Save in the background; the dialog closes once the store has the changes."""
        if self.running:
            return
        self.error_label.hide()
        self.fields.setEnabled(False)
        self.save_button.setEnabled(False)
        self.busy.start("Saving")
        self.handle = self._runner.run(
            source_tasks.save_source_changes,
            self._workspace,
            self.source.id,
            self.changes(),
            on_result=self._on_save_task_succeeded,
            on_error=self._on_save_task_failed,
            on_finished=self._on_save_task_finished,
            description="Saving source",
        )

    def _on_save_task_succeeded(self, source: Source) -> None:
        self.source_saved.emit(source)
        self.accept()

    def _on_save_task_failed(self, exc: BaseException) -> None:
        self.error_label.setText(_describe(exc))
        self.error_label.show()

    def _on_save_task_finished(self) -> None:
        self.busy.stop()
        self.fields.setEnabled(True)
        self.save_button.setEnabled(True)
