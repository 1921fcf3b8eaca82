"""The draft editor: title, Markdown body, one variant per touch point, and what goes with them.

The editor shows one draft loaded by a worker (:func:`~ui.views.draft_tasks.load_draft_detail`)
and keeps the person's unsaved text safe: a refresh from the store (someone
else's change, an approval, a comment) updates the status, the lists and the
buttons, but never the text being edited; a save names the version it
started from, so a concurrent save by someone else is refused by the core
with a sentence, and the text stays where it is.

Brand checks run as the person types: 400 ms after the last keystroke the
text is handed to a worker (:func:`~ui.views.draft_tasks.run_checks`); at most
one check runs at a time, and a result is applied only if the text has not
changed since it was taken, so stale findings never point at the wrong words.
Each finding is underlined where it is (red errors, amber warnings) with a
cursor that moves with later edits, which is what "Apply fix" replaces.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QModelIndex, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QHelpEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Draft, DraftStatus, Role, TouchPoint, User
from curator.editorial import workflow
from curator.editorial.counting import count_length
from curator.editorial.touchpoints import effective_rules
from curator.identity import is_guest
from ui.formatting import human_time
from ui.models_drafts import (
    AuditEntryModel,
    CitationTableModel,
    CommentTableModel,
    FindingTableModel,
    VersionTableModel,
    set_status_chip,
)
from ui.tasks import TaskHandle, TaskRunner
from ui.theme import Theme, current_theme, set_property, set_tone, theme_notifier
from ui.views import draft_tasks
from ui.views.draft_tasks import (
    CheckRequest,
    CheckResult,
    Directory,
    DraftDetail,
    DraftEdits,
    Editorial,
    VersionDiff,
)
from ui.views.sources import make_table
from ui.widgets.empty_state import EmptyState
from ui.widgets.timers import single_shot

#: Wait this long after the last keystroke before checking the text.
#: Touch point checkboxes per row of the "Publish to" grid.
TOUCHPOINT_COLUMNS = 3
CHECK_DELAY_MS = 400
#: Wait this long after the last keystroke before rendering the preview again.
PREVIEW_DELAY_MS = 200
#: Store changes arriving in a burst refresh the editor once.
RELOAD_DELAY_MS = 150
#: Workflow actions the editor offers; scheduling and publishing live on the calendar.
EDITOR_ACTIONS = ("submit", "approve", "request_changes", "archive", "restore")
#: Actions taken on unsaved text only after saving it (the others ask to save first).
SAVE_FIRST_ACTIONS = frozenset({"submit"})


def _insert_style(theme: Theme) -> str:
    return f"background-color:{theme.diff_insert_back}; color:{theme.diff_insert_text};"


def _delete_style(theme: Theme) -> str:
    return (
        f"background-color:{theme.diff_delete_back}; color:{theme.diff_delete_text}; "
        "text-decoration:line-through;"
    )


# ------------------------------------------------------------------ helpers
def qt_offset(text: str, index: int) -> int:
    """A Python string index as a QTextDocument position (Qt counts UTF-16 units)."""
    return len(text[:index].encode("utf-16-le")) // 2


def py_offset(text: str, position: int) -> int:
    """A QTextDocument position in ``text`` as a Python string index."""
    units = 0
    for index, ch in enumerate(text):
        if units >= position:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def editor_text(edit: QPlainTextEdit) -> str:
    """The editor's text as typed (non-breaking spaces kept, paragraphs joined by newlines)."""
    return edit.document().toRawText().replace("\u2029", "\n")


def normalise(text: str) -> str:
    """Text as an editor holds it: newlines only (what was stored with CR LF compares equal)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")


def diff_html(diff: VersionDiff, directory: Directory) -> str:
    """Two versions compared, as rich text: the body word by word, the title and variants line by line.

    The colours are the current theme's, written into the HTML: set it
    again after a theme switch.
    """
    theme = current_theme()
    insert, delete, faint = _insert_style(theme), _delete_style(theme), theme.faint_text
    parts = [f"<p><b>Version {diff.old} → version {diff.new}</b></p>"]
    if diff.old_title != diff.new_title:
        parts.append(
            f"<p>Title: <span style='{delete}'>{html.escape(diff.old_title)}</span> "
            f"<span style='{insert}'>{html.escape(diff.new_title)}</span></p>"
        )
    changed = any(s.op != "equal" for s in diff.segments)
    if changed:
        body = []
        last = len(diff.segments) - 1
        for n, segment in enumerate(diff.segments):
            if segment.op == "equal":
                shown = _context(segment.text, head=n > 0, tail=n < last)
                body.append(html.escape(shown).replace("\n", "<br>"))
                continue
            text = html.escape(segment.text).replace("\n", "<br>")
            if segment.op == "insert":
                body.append(f"<span style='{insert}'>{text}</span>")
            elif segment.op == "delete":
                body.append(f"<span style='{delete}'>{text}</span>")
        parts.append("<p><i>Body</i></p><p>" + "".join(body) + "</p>")
    else:
        parts.append("<p><i>The body did not change.</i></p>")
    variants = _variant_sections(diff.unified)
    for name, lines in variants:
        rows = []
        for line in lines:
            if line.startswith(("+++", "---")):
                continue
            escaped = html.escape(line)
            if line.startswith("+"):
                rows.append(f"<span style='{insert}'>{escaped}</span>")
            elif line.startswith("-"):
                rows.append(f"<span style='{delete}'>{escaped}</span>")
            elif line.startswith("@@"):
                rows.append(f"<span style='color:{faint}'>{escaped}</span>")
            else:
                rows.append(escaped)
        parts.append(
            f"<p><i>{html.escape(name)}</i></p>"
            "<p style='white-space:pre-wrap; font-family:monospace'>" + "\n".join(rows) + "</p>"
        )
    return "".join(parts)


#: Unchanged text longer than this is shortened around the changes.
CONTEXT_CHARS = 160


def _context(text: str, *, head: bool, tail: bool) -> str:
    """Unchanged text between changes, shortened to the words next to them.

    Args:
        text: the unchanged run.
        head: a change comes before it (keep its start).
        tail: a change follows it (keep its end).
    """
    if len(text) <= CONTEXT_CHARS * 2 + 40:
        return text
    start = text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " " if head else ""
    end = " " + text[-CONTEXT_CHARS:].split(" ", 1)[-1] if tail else ""
    return f"{start}[…]{end}"


def _variant_sections(unified: str) -> list[tuple[str, list[str]]]:
    """The variant sections of a unified diff ("== Variant: X" and its lines)."""
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in unified.splitlines():
        if line.startswith("== "):
            name = line[3:]
            current = [] if name.startswith("Variant") else None
            if current is not None:
                sections.append((name, current))
        elif current is not None:
            current.append(line)
    return sections


def ask_text(
    parent: QWidget,
    title: str,
    label: str,
    on_accepted: Callable[[str], None],
    *,
    held_as: str = "",
    text: str = "",
    multiline: bool = True,
) -> QInputDialog:
    """Open a window-modal dialog asking for a sentence; ``on_accepted`` gets it (not blocking).

    Args:
        parent: the page asking; with ``held_as`` it keeps the open dialog in
            that attribute (for tests and for closing it on detach) until it closes.
        title: the window title.
        label: the question.
        on_accepted: called with the text once the person confirms.
        held_as: the attribute of ``parent`` that holds the dialog while it is open.
        text: the text to start from.
        multiline: a text box rather than a line.
    """
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    if multiline:
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    dialog.setTextValue(text)
    dialog.textValueSelected.connect(on_accepted)

    def release(_result: int) -> None:
        if held_as and getattr(parent, held_as, None) is dialog:
            setattr(parent, held_as, None)
        dialog.deleteLater()

    dialog.finished.connect(release)
    if held_as:
        setattr(parent, held_as, dialog)
    dialog.open()
    return dialog


class MarkdownPreview(QTextBrowser):
    """Renders Markdown as the body will read; never fetches images or pages from the network."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)

    def loadResource(self, type_: int, name: QUrl | str) -> Any:
        return None  # images and links stay where they are: a preview must not go online

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)


class FindingTextEdit(QPlainTextEdit):
    """A plain-text editor that underlines findings and shows their message on hover."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[tuple[QTextCursor, str, str]] = []
        self._comment: QTextCursor | None = None
        theme_notifier().theme_changed.connect(self._on_theme_changed)

    @Slot(object)
    def _on_theme_changed(self, _theme: object) -> None:
        self._refresh()  # the underlines carry the old theme's colours

    def set_marks(self, marks: list[tuple[QTextCursor, str, str]]) -> None:
        """Underline each (cursor selection, severity, message)."""
        self._marks = marks
        self._refresh()

    def set_comment_span(self, cursor: QTextCursor | None) -> None:
        """Highlight the words a selected comment is about (None: no highlight)."""
        self._comment = cursor
        self._refresh()

    def marks(self) -> list[tuple[QTextCursor, str, str]]:
        """The underlined spans."""
        return list(self._marks)

    def _refresh(self) -> None:
        theme = current_theme()
        selections = []
        if self._comment is not None and self._comment.hasSelection():
            comment = QTextEdit.ExtraSelection()
            comment.cursor = self._comment
            comment.format.setBackground(QColor(theme.comment_back))
            selections.append(comment)
        for cursor, severity, _message in self._marks:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            color = QColor(theme.finding_error if severity == "error" else theme.finding_warning)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(color)
            tint = QColor(color)
            tint.setAlpha(28)
            fmt.setBackground(tint)
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            position = self.cursorForPosition(event.pos()).position()
            messages = [
                message
                for cursor, _severity, message in self._marks
                if cursor.selectionStart() <= position <= cursor.selectionEnd()
            ]
            if messages:
                QToolTip.showText(event.globalPos(), "\n".join(messages), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class VariantPane(QWidget):
    """One touch point's variant: its text, its length counted the platform's way, follows or edited."""

    #: The person typed in the variant: (touch point id).
    text_edited = Signal(str)
    #: The person asked the variant to follow the body again: (touch point id).
    follow_requested = Signal(str)

    def __init__(self, touchpoint: TouchPoint, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.touchpoint = touchpoint
        self.edited = False
        self._loading = False
        self.text_edit = FindingTextEdit()
        self.text_edit.setObjectName("variantEdit")
        self.text_edit.textChanged.connect(self._on_text_edit_text_changed)
        self.length_label = QLabel()
        self.length_label.setObjectName("variantLength")
        self.state_label = QLabel()
        self.state_label.setObjectName("variantState")
        self.state_label.setStyleSheet("color: palette(placeholder-text);")
        self.follow_button = QPushButton("Follow the body again")
        self.follow_button.setObjectName("followBodyButton")
        self.follow_button.setToolTip("Throw away the hand-written text and derive it from the body again")
        self.follow_button.clicked.connect(lambda: self.follow_requested.emit(self.touchpoint.id))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.state_label, 1)
        row.addWidget(self.length_label)
        row.addWidget(self.follow_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 6, 0, 0)
        column.addLayout(row)
        column.addWidget(self.text_edit, 1)
        self._rules = effective_rules(touchpoint)
        self.set_edited(False)

    def text(self) -> str:
        """The variant as written now."""
        return editor_text(self.text_edit)

    def set_text(self, text: str) -> None:
        """Show ``text`` without counting it as the person's edit (keeps the cursor where it can)."""
        if normalise(text) == self.text():
            return
        self._loading = True
        try:
            cursor = self.text_edit.textCursor().position()
            self.text_edit.setPlainText(text)
            moved = self.text_edit.textCursor()
            moved.setPosition(min(cursor, len(self.text_edit.toPlainText())))
            self.text_edit.setTextCursor(moved)
        finally:
            self._loading = False
        self.update_length()

    def set_edited(self, edited: bool) -> None:
        """Say whether the variant was written by hand or follows the body."""
        self.edited = edited
        self.state_label.setText(
            "Written for this touch point" if edited else "Follows the body (edit it to write your own)"
        )
        self.follow_button.setVisible(edited)
        self.update_length()

    def set_read_only(self, read_only: bool) -> None:
        """Let the text be read but not changed."""
        self.text_edit.setReadOnly(read_only)
        self.follow_button.setEnabled(not read_only)

    def length_text(self) -> str:
        """The counted length against the limit ("231 / 280"), or just the count."""
        used, limit = self.length()
        return f"{used:,} / {limit:,}" if limit else f"{used:,} characters"

    def length(self) -> tuple[int, int | None]:
        """The counted length and the limit (None: no limit)."""
        return count_length(self.text(), self._rules.counting), self._rules.max_length

    def update_length(self) -> None:
        """Count again and colour the count red when over the limit."""
        used, limit = self.length()
        self.length_label.setText(self.length_text())
        over = limit is not None and used > limit
        set_tone(self.length_label, "error" if over else "")
        font = self.length_label.font()
        font.setWeight(QFont.Weight.DemiBold if over else QFont.Weight.Normal)
        self.length_label.setFont(font)
        if over and limit is not None:
            self.length_label.setToolTip(f"{used - limit:,} over the limit of {self.touchpoint.name}.")
        else:
            self.length_label.setToolTip(f"Counted the way {self.touchpoint.name} counts.")

    @Slot()
    def _on_text_edit_text_changed(self) -> None:
        self.update_length()
        if self._loading:
            return
        if not self.edited:
            self.set_edited(True)
        self.text_edited.emit(self.touchpoint.id)


@dataclass
class _Mark:
    """Where one finding of the last applied check sits: in a text editor (with a cursor) or the title."""

    finding: Any
    edit: FindingTextEdit | None
    cursor: QTextCursor | None
    expected: str


def fixable(finding: Any) -> bool:
    """Whether a finding names words with a replacement for them ("" deletes them)."""
    return finding.start >= 0 and finding.end > finding.start and finding.suggestion is not None


class DraftEditor(QWidget):
    """Edits one draft; every store access and check runs through the TaskRunner."""

    #: A sentence for the page's message strip: (text, is_error).
    message_shown = Signal(str, bool)
    #: A draft's detail was shown: (draft id).
    draft_loaded = Signal(str)
    #: A save ended well: (draft id, version).
    draft_saved = Signal(str, int)
    #: The unsaved state changed: (dirty).
    dirty_changed = Signal(bool)
    #: A check result was applied to the findings list.
    checks_applied = Signal()
    #: A diff between two versions is shown.
    diff_shown = Signal()
    #: A workflow action ended well: (draft id, action name).
    action_done = Signal(str, str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._editorial: Editorial | None = None
        self._user: User | None = None
        self._read_only_workspace: str | None = None
        self._generation = 0
        self._draft_id: str | None = None
        self._detail: DraftDetail | None = None
        self._base: Draft | None = None
        self._panes: dict[str, VariantPane] = {}
        self._loading = False
        self._dirty = False
        self._edit_seq = 0
        self._check_task: TaskHandle | None = None
        self._check_again = False
        self._last_check: CheckResult | None = None
        self._marks: dict[Any, _Mark] = {}
        self._load_task: TaskHandle | None = None
        self._save_task: TaskHandle | None = None
        self._job: TaskHandle | None = None
        self._diff_task: TaskHandle | None = None
        self._shown_diff: VersionDiff | None = None
        self._after_save: list[Callable[[], None]] = []
        self._tp_checks: dict[str, QCheckBox] = {}
        self.comment_dialog: QInputDialog | None = None
        self.reason_dialog: QInputDialog | None = None

        self.finding_model = FindingTableModel(self)
        self.citation_model = CitationTableModel(self)
        self.comment_model = CommentTableModel(self)
        self.version_model = VersionTableModel(self)
        self.audit_model = AuditEntryModel(self)

        self._check_timer = single_shot(self, CHECK_DELAY_MS, self._on_check_timer_timeout)
        self._preview_timer = single_shot(self, PREVIEW_DELAY_MS, self._on_preview_timer_timeout)
        self._reload_timer = single_shot(self, RELOAD_DELAY_MS, self._on_reload_timer_timeout)

        self._build()
        self._update_state()
        theme_notifier().theme_changed.connect(self._on_theme_changed)

    @Slot(object)
    def _on_theme_changed(self, _theme: object) -> None:
        # The changes are HTML with the old theme's colours written in.
        if self._shown_diff is not None and self._detail is not None:
            self.diff_view.setHtml(diff_html(self._shown_diff, self._detail.directory))

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        # Header: status chip, title, what it waits for, workflow buttons.
        self.status_chip = QLabel()
        self.status_chip.setObjectName("statusChip")
        self.status_chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.heading = QLabel()
        self.heading.setObjectName("draftHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.waiting_label = QLabel()
        self.waiting_label.setObjectName("waitingLabel")
        self.waiting_label.setTextFormat(Qt.TextFormat.PlainText)
        self.waiting_label.setStyleSheet("color: palette(placeholder-text);")
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(6)
        self.action_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.status_chip)
        top.addWidget(self.heading, 1)
        top.addLayout(self.actions_row)
        self.banner = QLabel()
        self.banner.setObjectName("editorBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()

        # Content fields.
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setPlaceholderText("Title")
        self.title_edit.textEdited.connect(self._on_field_edited)
        # A grid, not a row: seven touch points side by side would force the
        # editor wider than the window and squeeze the drafts list.
        self.tp_row = QGridLayout()
        self.tp_row.setHorizontalSpacing(14)
        self.tp_row.setVerticalSpacing(2)
        self.tp_hint = QLabel("No touch points in this workspace yet.")
        self.tp_hint.setStyleSheet("color: palette(placeholder-text);")
        self.sponsored_check = QCheckBox("Sponsored")
        self.sponsored_check.setObjectName("sponsoredCheck")
        self.sponsored_check.setToolTip("Paid or sponsored content: the brand checks ask for a disclosure")
        self.sponsored_check.toggled.connect(self._on_field_edited)
        tp_line = QHBoxLayout()
        tp_label = QLabel("Publish to:")
        tp_line.addWidget(tp_label, 0, Qt.AlignmentFlag.AlignTop)
        tp_line.addLayout(self.tp_row)
        tp_line.addWidget(self.tp_hint)
        tp_line.addStretch(1)

        self.assignee_combo = QComboBox()
        self.assignee_combo.setObjectName("assigneeCombo")
        self.assignee_combo.setMinimumContentsLength(10)
        self.assignee_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.assignee_combo.activated.connect(self._on_field_edited)
        self.due_check = QCheckBox("Due")
        self.due_check.setObjectName("dueCheck")
        self.due_check.toggled.connect(self._on_due_check_toggled)
        self.due_edit = QDateTimeEdit()
        self.due_edit.setObjectName("dueEdit")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("d MMM yyyy HH:mm")
        self.due_edit.dateTimeChanged.connect(self._on_field_edited)
        self.tags_edit = QLineEdit()
        self.tags_edit.setObjectName("tagsEdit")
        self.tags_edit.setPlaceholderText("Tags, separated by commas")
        self.tags_edit.textEdited.connect(self._on_field_edited)
        details = QHBoxLayout()
        details.addWidget(QLabel("Assignee:"))
        details.addWidget(self.assignee_combo)
        details.addSpacing(8)
        details.addWidget(self.due_check)
        details.addWidget(self.due_edit)
        details.addSpacing(8)
        details.addWidget(self.tags_edit, 1)
        details.addSpacing(8)
        details.addWidget(self.sponsored_check)

        # Body with its preview, and a tab per touch point.
        self.body_edit = FindingTextEdit()
        self.body_edit.setObjectName("bodyEdit")
        self.body_edit.setPlaceholderText(
            "Write the body in Markdown: **bold**, _italic_, [links](https://…), lists…"
        )
        self.body_edit.textChanged.connect(self._on_body_edit_text_changed)
        self.preview = MarkdownPreview()
        self.preview.setObjectName("markdownPreview")
        self.preview.hide()
        self.preview_check = QCheckBox("Preview")
        self.preview_check.setObjectName("previewCheck")
        self.preview_check.setToolTip("Show the Markdown rendered beside the text")
        self.preview_check.toggled.connect(self._on_preview_check_toggled)
        body_split = QSplitter(Qt.Orientation.Horizontal)
        body_split.addWidget(self.body_edit)
        body_split.addWidget(self.preview)
        body_split.setChildrenCollapsible(False)
        self.body_length = QLabel()
        self.body_length.setStyleSheet("color: palette(placeholder-text);")
        body_top = QHBoxLayout()
        body_top.setContentsMargins(0, 6, 0, 0)
        body_top.addWidget(QLabel("Markdown"))
        body_top.addStretch(1)
        body_top.addWidget(self.body_length)
        body_top.addWidget(self.preview_check)
        body_page = QWidget()
        body_column = QVBoxLayout(body_page)
        body_column.setContentsMargins(0, 0, 0, 0)
        body_column.addLayout(body_top)
        body_column.addWidget(body_split, 1)
        self.text_tabs = QTabWidget()
        self.text_tabs.setObjectName("textTabs")
        self.text_tabs.setDocumentMode(True)
        self.text_tabs.addTab(body_page, "Body")

        # Side panel: checks, sources, comments, history.
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.setDocumentMode(True)
        self._build_checks_tab()
        self._build_sources_tab()
        self._build_comments_tab()
        self._build_history_tab()
        self.side_tabs.currentChanged.connect(self._on_side_tabs_current_changed)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.title_edit)
        column.addLayout(tp_line)
        column.addLayout(details)
        column.addWidget(self.text_tabs, 1)
        # The text on top, what goes with it (checks, sources, comments, history) below.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(content)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([420, 260])
        self.splitter.setChildrenCollapsible(False)

        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.waiting_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.editor_page = editor

        self.hint = EmptyState(
            "drafts", "Select a draft", "Its text, variants, checks and history show here."
        )
        self.loading = EmptyState("drafts", "Opening the draft…", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.loading)
        self.stack.addWidget(editor)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    def _small_table(self, model: Any, widths: dict[int, int], stretch: int) -> QTableView:
        table = make_table(model, widths, stretch)
        table.setSortingEnabled(False)
        table.horizontalHeader().setSectionsMovable(False)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        return table

    def _hint_label(self, text: str = "") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("color: palette(placeholder-text);")
        return label

    def _build_checks_tab(self) -> None:
        m = FindingTableModel
        self.findings_table = self._small_table(
            self.finding_model, {m.COL_WHERE: 100, m.COL_SUGGESTION: 150, m.COL_STATE: 150}, m.COL_MESSAGE
        )
        self.findings_table.setObjectName("findingsTable")
        self.findings_table.setWordWrap(True)
        self.findings_table.clicked.connect(self._on_findings_table_clicked)
        self.findings_table.activated.connect(self._on_findings_table_clicked)
        self.findings_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.checks_summary = self._hint_label()
        self.checks_summary.setObjectName("checksSummary")
        self.finding_detail = QLabel()
        self.finding_detail.setObjectName("findingDetail")
        self.finding_detail.setWordWrap(True)
        self.finding_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.finding_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_button = QPushButton("Apply fix")
        self.fix_button.setObjectName("applyFixButton")
        self.fix_button.setToolTip("Replace the words with the suggestion")
        self.fix_button.clicked.connect(lambda: self.apply_fix())
        self.waive_button = QPushButton("Waive…")
        self.waive_button.setObjectName("waiveButton")
        self.waive_button.clicked.connect(lambda: self.waive_selected())
        buttons = QHBoxLayout()
        buttons.addWidget(self.finding_detail, 1)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.waive_button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.checks_summary)
        column.addWidget(self.findings_table, 1)
        column.addLayout(buttons)
        self.side_tabs.addTab(page, "Checks")

    def _build_sources_tab(self) -> None:
        m = CitationTableModel
        self.citations_table = self._small_table(self.citation_model, {m.COL_TITLE: 320}, m.COL_URL)
        self.citations_table.setObjectName("citationsTable")
        self.citations_table.activated.connect(self._on_citations_table_activated)
        self.citations_table.doubleClicked.connect(self._on_citations_table_activated)
        self.citations_hint = self._hint_label()
        self.open_source_button = QPushButton("Open in browser")
        self.open_source_button.clicked.connect(
            lambda: self._on_citations_table_activated(self.citations_table.currentIndex())
        )
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.citations_hint)
        column.addWidget(self.citations_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.open_source_button)
        row.addStretch(1)
        column.addLayout(row)
        self.side_tabs.addTab(page, "Sources")

    def _build_comments_tab(self) -> None:
        m = CommentTableModel
        self.comments_table = self._small_table(
            self.comment_model, {m.COL_VERSION: 56, m.COL_AUTHOR: 120, m.COL_QUOTE: 220}, m.COL_TEXT
        )
        self.comments_table.setObjectName("commentsTable")
        self.comments_table.selectionModel().selectionChanged.connect(self._on_comments_selection_changed)
        self.comment_detail = self._hint_label()
        self.comment_detail.setObjectName("commentDetail")
        self.comment_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.comment_button = QPushButton("Comment on selection…")
        self.comment_button.setObjectName("commentButton")
        self.comment_button.setToolTip("Comment on the words selected in the body (Ctrl+Alt+M)")
        self.comment_button.clicked.connect(lambda: self.comment_on_selection())
        self.resolve_button = QPushButton("Resolve")
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.clicked.connect(lambda: self.resolve_selected_comment())
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.comments_table, 1)
        column.addWidget(self.comment_detail)
        row = QHBoxLayout()
        row.addWidget(self.comment_button)
        row.addWidget(self.resolve_button)
        row.addStretch(1)
        column.addLayout(row)
        self.side_tabs.addTab(page, "Comments")

    def _build_history_tab(self) -> None:
        m = VersionTableModel
        self.versions_table = make_table(
            self.version_model, {m.COL_NUMBER: 56, m.COL_AUTHOR: 90, m.COL_WHEN: 90}, m.COL_NOTE
        )
        self.versions_table.setObjectName("versionsTable")
        self.versions_table.setSortingEnabled(False)
        self.versions_table.horizontalHeader().setSectionsMovable(False)
        self.versions_table.selectionModel().selectionChanged.connect(self._on_versions_selection_changed)
        self.history_hint = self._hint_label(
            "Select a version to see what it changed, or two to compare them."
        )
        self.restore_button = QPushButton("Restore this version")
        self.restore_button.setObjectName("restoreVersionButton")
        self.restore_button.setToolTip("Bring this version's text back as a new version (history is kept)")
        self.restore_button.clicked.connect(lambda: self.restore_selected_version())
        self.diff_view = QTextBrowser()
        self.diff_view.setObjectName("diffView")
        self.diff_view.setOpenLinks(False)
        a = AuditEntryModel
        self.audit_table = self._small_table(
            self.audit_model, {a.COL_WHEN: 80, a.COL_WHO: 100, a.COL_ACTION: 130}, a.COL_REASON
        )
        self.audit_table.setObjectName("draftAuditTable")
        for hidden in (a.COL_SEQ, a.COL_SUBJECT, a.COL_MOVE):
            self.audit_table.setColumnHidden(hidden, True)
        versions = QWidget()
        versions_column = QVBoxLayout(versions)
        versions_column.setContentsMargins(0, 6, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.history_hint, 1)
        row.addWidget(self.restore_button)
        versions_column.addLayout(row)
        versions_column.addWidget(self.versions_table, 1)
        audit_box = QWidget()
        audit_column = QVBoxLayout(audit_box)
        audit_column.setContentsMargins(0, 0, 0, 0)
        audit_column.addWidget(QLabel("Audit log of this draft"))
        audit_column.addWidget(self.audit_table, 1)
        lists = QSplitter(Qt.Orientation.Vertical)
        lists.addWidget(versions)
        lists.addWidget(audit_box)
        history = QSplitter(Qt.Orientation.Horizontal)
        history.addWidget(lists)
        history.addWidget(self.diff_view)
        history.setSizes([420, 440])
        self.side_tabs.addTab(history, "History")

    # ---------------------------------------------------------------- context
    def set_editorial(self, editorial: Editorial | None, read_only_reason: str | None = None) -> None:
        """Work with ``editorial``'s workspace (None: none); ``read_only_reason`` when it may not change."""
        self._editorial = editorial
        self._read_only_workspace = read_only_reason
        if editorial is None:
            self.clear()

    def set_user(self, user: User | None) -> None:
        """Act as ``user`` (their roles decide what may be changed)."""
        self._user = user
        self._update_state()

    @property
    def user(self) -> User | None:
        """The person acting."""
        return self._user

    @property
    def draft_id(self) -> str | None:
        """The id of the draft shown (or being opened)."""
        return self._draft_id

    @property
    def draft(self) -> Draft | None:
        """The draft as last read from the store."""
        return self._detail.draft if self._detail is not None else None

    @property
    def base_version(self) -> int | None:
        """The version the editor's text started from (saves name it)."""
        return self._base.version if self._base is not None else None

    @property
    def is_dirty(self) -> bool:
        """True when the editor holds changes that are not saved."""
        return self._dirty

    @property
    def busy_saving(self) -> bool:
        """True while a save runs."""
        return self._save_task is not None

    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once another draft (or none) is shown."""
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    # ---------------------------------------------------------------- loading
    def open_draft(self, draft_id: str) -> None:
        """Show the draft ``draft_id`` (the caller has dealt with unsaved changes)."""
        if self._editorial is None:
            return
        self._generation += 1
        self._cancel_tasks()
        self._draft_id = draft_id
        self._detail = self._base = None
        self._set_dirty(False)
        self._last_check = None
        self._marks.clear()
        self._forget_texts()
        self.stack.setCurrentWidget(self.loading)
        self._load()

    def _forget_texts(self) -> None:
        """Empty the fields and their undo histories: Ctrl+Z must never bring back another draft's words."""
        self._loading = True
        try:
            self.title_edit.clear()
            self.body_edit.clear()
            self.body_edit.set_marks([])
            self.body_edit.set_comment_span(None)
            for pane in self._panes.values():
                self.text_tabs.removeTab(self.text_tabs.indexOf(pane))
                pane.hide()
                pane.deleteLater()
            self._panes.clear()
        finally:
            self._loading = False

    def clear(self) -> None:
        """Show no draft."""
        self._generation += 1
        self._cancel_tasks()
        self._draft_id = None
        self._detail = self._base = None
        self._last_check = None
        self._marks.clear()
        self._set_dirty(False)
        self.finding_model.set_rows([])
        self.citation_model.set_rows([])
        self.comment_model.set_rows([])
        self.version_model.set_rows([])
        self.audit_model.set_rows([])
        self.diff_view.clear()
        self._shown_diff = None
        self._forget_texts()
        self.stack.setCurrentWidget(self.hint)
        self._update_state()

    def discard_changes(self) -> None:
        """Forget the unsaved changes and show the saved draft again."""
        if self._draft_id is not None:
            self.open_draft(self._draft_id)

    def _cancel_tasks(self) -> None:
        for dialog in (self.comment_dialog, self.reason_dialog):
            if dialog is not None:
                dialog.reject()  # it was about the draft that is going away
        self._check_timer.stop()
        self._reload_timer.stop()
        self._preview_timer.stop()
        for handle in (self._check_task, self._load_task, self._diff_task):
            if handle is not None:
                handle.cancel()
        self._check_task = self._load_task = self._diff_task = None
        self._check_again = False
        self._after_save.clear()
        self._save_task = None
        self._job = None

    def _load(self) -> None:
        if self._editorial is None or self._draft_id is None:
            return
        if self._load_task is not None:
            self._load_task.cancel()
        guard = self._guard
        handle = self._runner.run(
            draft_tasks.load_draft_detail,
            self._editorial,
            self._draft_id,
            on_result=guard(self._on_detail_loaded),
            on_error=guard(self._on_job_failed),
            on_finished=guard(self._on_load_finished),
        )
        self._load_task = None if handle.done else handle

    def _on_load_finished(self) -> None:
        self._load_task = None

    def request_reload(self) -> None:
        """Read the draft again soon (a store change concerns it); unsaved text is kept."""
        if self._draft_id is not None:
            self._reload_timer.start()

    @Slot()
    def _on_reload_timer_timeout(self) -> None:
        self._load()

    def _on_detail_loaded(self, detail: DraftDetail | None) -> None:
        if detail is None:
            gone = self._base.title if self._base is not None else "The draft"
            if self._dirty:
                self._show_banner(
                    f"“{gone}” was removed from the workspace. Copy your text if you need it.", conflict=True
                )
                return
            self.clear()
            self.message_shown.emit(f"“{gone}” is no longer in this workspace.", True)
            return
        first = self._detail is None
        self._detail = detail
        keep = self._dirty and self._base is not None
        if not keep:
            self._base = detail.draft
            self._fill_content(detail)
        self._fill_lists(detail)
        self._update_state()
        if first:
            self.stack.setCurrentWidget(self.editor_page)
            self._request_check(immediately=True)
        elif not keep:
            self._request_check()
        self.draft_loaded.emit(detail.draft.id)

    def _fill_content(self, detail: DraftDetail) -> None:
        """Put the saved draft's content into the fields (no unsaved text is there to lose)."""
        draft = detail.draft
        self._edit_seq += 1  # a check already under way is about the text being replaced
        self._loading = True
        try:
            if self.title_edit.text() != draft.title:
                self.title_edit.setText(draft.title)
            body = normalise(draft.body)
            if editor_text(self.body_edit) != body:
                position = self.body_edit.textCursor().position()
                self.body_edit.setPlainText(body)
                cursor = self.body_edit.textCursor()
                cursor.setPosition(min(position, len(self.body_edit.toPlainText())))
                self.body_edit.setTextCursor(cursor)
            self.sponsored_check.setChecked(draft.sponsored)
            self._fill_touchpoints(detail.directory.touchpoints, draft.touchpoint_ids)
            self._sync_panes(detail.directory.touchpoints, draft.touchpoint_ids)
            for tp_id, pane in self._panes.items():
                variant = draft.variants.get(tp_id)
                pane.set_edited(bool(variant and variant.edited))
                if variant is not None:
                    pane.set_text(variant.text)
            self._fill_details(detail.directory, draft)
        finally:
            self._loading = False
        self._update_body_length()
        if self.preview.isVisible():
            self._preview_timer.start(0)
        self._set_dirty(False)

    def _fill_touchpoints(self, touchpoints: dict[str, TouchPoint], chosen: list[str]) -> None:
        wanted = sorted(touchpoints.values(), key=lambda tp: tp.name.casefold())
        wanted_ids = [tp.id for tp in wanted] + [t for t in chosen if t not in touchpoints]
        if list(self._tp_checks) != wanted_ids:
            for box in self._tp_checks.values():
                self.tp_row.removeWidget(box)
                box.hide()
                box.deleteLater()
            self._tp_checks = {}
            for n, tp_id in enumerate(wanted_ids):
                tp = touchpoints.get(tp_id)
                box = QCheckBox(tp.name if tp is not None else f"{tp_id} (removed)")
                box.setObjectName(f"touchpoint-{tp_id}")
                if tp is not None:
                    box.setToolTip(f"{tp.name}: {tp.kind.value.replace('_', ' ')}, {tp.timezone}")
                box.toggled.connect(self._on_touchpoint_toggled)
                self.tp_row.addWidget(box, n // TOUCHPOINT_COLUMNS, n % TOUCHPOINT_COLUMNS)
                self._tp_checks[tp_id] = box
        for tp_id, box in self._tp_checks.items():
            box.blockSignals(True)
            box.setChecked(tp_id in chosen)
            box.blockSignals(False)
        self.tp_hint.setVisible(not self._tp_checks)

    def _fill_details(self, directory: Directory, draft: Draft) -> None:
        self.assignee_combo.clear()
        self.assignee_combo.addItem("Nobody", "")
        members = sorted(directory.users.values(), key=lambda u: u.name.casefold())
        for member in members:
            self.assignee_combo.addItem(member.name, member.id)
        if draft.assignee_id and draft.assignee_id not in directory.users:
            self.assignee_combo.addItem(directory.user_name(draft.assignee_id), draft.assignee_id)
        self.assignee_combo.setCurrentIndex(max(0, self.assignee_combo.findData(draft.assignee_id)))
        self.due_check.blockSignals(True)
        self.due_check.setChecked(draft.due_at is not None)
        self.due_check.blockSignals(False)
        self.due_edit.blockSignals(True)
        self.due_edit.setDateTime(_to_qdatetime(draft.due_at or _default_due()))
        self.due_edit.blockSignals(False)
        self.due_edit.setEnabled(draft.due_at is not None)
        self.tags_edit.setText(", ".join(draft.tags))

    def _sync_panes(self, touchpoints: dict[str, TouchPoint], chosen: list[str]) -> None:
        """One variant tab per chosen touch point, in the order of the checkboxes; texts kept."""
        order = [tp_id for tp_id in self._tp_checks if tp_id in chosen and tp_id in touchpoints]
        for tp_id in list(self._panes):
            if tp_id not in order:
                pane = self._panes.pop(tp_id)
                self.text_tabs.removeTab(self.text_tabs.indexOf(pane))
                pane.deleteLater()
        for n, tp_id in enumerate(order):
            existing = self._panes.get(tp_id)
            if existing is None:
                pane = VariantPane(touchpoints[tp_id])
                pane.text_edited.connect(self._on_variant_text_edited)
                pane.follow_requested.connect(self._on_variant_follow_requested)
                self._panes[tp_id] = pane
                self.text_tabs.insertTab(n + 1, pane, touchpoints[tp_id].name)
            elif self.text_tabs.indexOf(existing) != n + 1:
                self.text_tabs.removeTab(self.text_tabs.indexOf(existing))
                self.text_tabs.insertTab(n + 1, existing, touchpoints[tp_id].name)
        self._update_tab_titles()

    def _update_tab_titles(self) -> None:
        for pane in self._panes.values():
            used, limit = pane.length()
            index = self.text_tabs.indexOf(pane)
            over = limit is not None and used > limit
            self.text_tabs.setTabText(index, f"{pane.touchpoint.name}{' ⚠' if over else ''}")
            self.text_tabs.setTabToolTip(index, f"{pane.touchpoint.name}: {pane.length_text()}")

    def _fill_lists(self, detail: DraftDetail) -> None:
        directory = detail.directory
        for model in (self.finding_model, self.comment_model, self.version_model, self.audit_model):
            model.set_directory(directory)
        self.citation_model.update_rows(detail.draft.citations)
        self.citations_hint.setText(
            f"{len(detail.draft.citations)} source(s) this draft relies on. Double-click one to open it."
            if detail.draft.citations
            else "No sources cited. Drafts made from a hot issue or from items cite them here."
        )
        self.comment_model.update_rows(detail.comments)
        self.version_model.update_rows(list(reversed(detail.versions)))
        self.audit_model.update_rows(list(reversed(detail.audit)))
        open_comments = sum(1 for c in detail.comments if not c.resolved)
        self.side_tabs.setTabText(1, f"Sources ({len(detail.draft.citations)})")
        self.side_tabs.setTabText(2, f"Comments ({open_comments})" if open_comments else "Comments")
        self.side_tabs.setTabText(3, f"History (v{detail.draft.version})")
        if self._last_check is not None:
            self._apply_check_states(detail)

    # ------------------------------------------------------------------ state
    def read_only_reason(self) -> str | None:
        """Why the content may not be changed now, or None when it may."""
        if self._read_only_workspace:
            return self._read_only_workspace
        user = self._user
        if user is None:
            return "Curator does not know who you are yet, so the draft is read-only."
        if is_guest(user):
            return (
                f"You ({user.login}) are not a member of this workspace, so you can read drafts but not "
                "change them. Ask an admin to add you in Settings › Team."
            )
        if not user.has_role(Role.EDITOR):
            return f"{user.name} may read drafts but not edit them: that needs the editor role."
        draft = self.draft
        if draft is not None and draft.status not in workflow.EDITABLE:
            words = draft_tasks.status_words(draft.status)
            then = " Restore it from the archive to edit it." if draft.status is DraftStatus.ARCHIVED else ""
            return f"“{draft.title}” is {words}; its text can no longer be edited.{then}"
        return None

    def may_comment(self) -> bool:
        """Whether the person may comment (editors and approvers)."""
        user = self._user
        return (
            user is not None
            and not self._read_only_workspace
            and (user.has_role(Role.EDITOR) or user.has_role(Role.APPROVER))
        )

    def may_waive(self) -> bool:
        """Whether the person holds the role that waives findings."""
        user = self._user
        if user is None or self._detail is None or self._read_only_workspace:
            return False
        return user.has_role(self._detail.waive_role)

    def _update_state(self) -> None:
        draft = self.draft
        reason = self.read_only_reason() if draft is not None else None
        read_only = reason is not None
        for widget in (self.title_edit,):
            widget.setReadOnly(read_only)
        self.body_edit.setReadOnly(read_only)
        for pane in self._panes.values():
            pane.set_read_only(read_only)
        for box in self._tp_checks.values():
            box.setEnabled(not read_only)
        self.sponsored_check.setEnabled(not read_only)
        details_locked = reason is not None and not (
            draft is not None and draft.status not in workflow.EDITABLE and self._user_is_editor()
        )
        self.assignee_combo.setEnabled(not details_locked)
        self.due_check.setEnabled(not details_locked)
        self.due_edit.setEnabled(not details_locked and self.due_check.isChecked())
        self.tags_edit.setReadOnly(details_locked)
        if draft is None:
            self.banner.hide()
        elif reason is not None:
            self._show_banner(reason, conflict=False)
        elif self._conflict_text():
            self._show_banner(self._conflict_text(), conflict=True)
        else:
            self.banner.hide()
        if draft is not None:
            self.heading.setText(draft.title)
            self.heading.setToolTip(draft.title)
            set_status_chip(self.status_chip, draft.status)
            self.waiting_label.setText(self._waiting_text(draft))
            self.waiting_label.setVisible(bool(self.waiting_label.text()))
        self._rebuild_action_buttons()
        self._update_buttons()

    def _user_is_editor(self) -> bool:
        return self._user is not None and self._user.has_role(Role.EDITOR) and not self._read_only_workspace

    def _conflict_text(self) -> str:
        draft, base = self.draft, self._base
        if draft is None or base is None or not self._dirty or draft.version == base.version:
            return ""
        assert self._detail is not None
        latest = next((v for v in self._detail.versions if v.number == draft.version), None)
        who = self._detail.directory.user_name(latest.author_id) if latest is not None else "Someone"
        return (
            f"{who} saved version {draft.version} while you were editing version {base.version}. "
            "Your text is kept here, but saving it would overwrite theirs, so it will be refused: copy "
            "your changes, press Revert to load their version, and apply your changes again."
        )

    def _show_banner(self, text: str, *, conflict: bool) -> None:
        self.banner.setText(text)
        set_property(self.banner, "banner", "warning" if conflict else "neutral")
        self.banner.show()

    def _waiting_text(self, draft: Draft) -> str:
        detail = self._detail
        parts = []
        if draft.status is DraftStatus.IN_REVIEW and detail is not None:
            if detail.pending_steps:
                step = detail.pending_steps[0]
                parts.append(f"Waiting for: {draft_tasks.step_sentence(step, detail.directory)}")
                if len(detail.pending_steps) > 1:
                    parts[-1] += f", then {', '.join(s.name for s in detail.pending_steps[1:])}"
            else:
                parts.append("Every approval step has passed for this version")
        elif draft.status is DraftStatus.CHANGES_REQUESTED:
            parts.append("Waiting for: changes by the author")
        elif draft.status is DraftStatus.APPROVED:
            parts.append("Waiting for: scheduling on the calendar")
        base = self._base.version if self._base is not None else draft.version
        version = f"Version {base}"
        if detail is not None:
            latest = next((v for v in detail.versions if v.number == base), None)
            if latest is not None:
                who = detail.directory.user_name(latest.author_id)
                version += f", saved by {who} {human_time(latest.created_at)}"
        if base != draft.version:
            version += f" (version {draft.version} is newer)"
        if self._dirty:
            version += " · unsaved changes"
        parts.append(version)
        return "   ·   ".join(parts)

    def _rebuild_action_buttons(self) -> None:
        draft, user = self.draft, self._user
        actions = []
        if draft is not None and user is not None and not self._read_only_workspace:
            actions = [a for a in workflow.available(draft.status, user) if a.name in EDITOR_ACTIONS]
        names = [a.name for a in actions]
        if list(self.action_buttons) != names:
            for button in self.action_buttons.values():
                self.actions_row.removeWidget(button)
                button.hide()
                button.deleteLater()
            self.action_buttons = {}
            for action in actions:
                button = QPushButton(action.label + ("…" if action.needs_reason else ""))
                button.setObjectName(f"action-{action.name}")
                if action.name == "submit":
                    button.setToolTip("Save and send to review (Ctrl+Enter)")
                    button.setDefault(False)
                button.clicked.connect(lambda _checked=False, name=action.name: self.run_action(name))
                self.actions_row.addWidget(button)
                self.action_buttons[action.name] = button
        busy = self._job is not None or self._save_task is not None
        for button in self.action_buttons.values():
            button.setEnabled(not busy)

    @Slot()
    def _update_buttons(self) -> None:
        finding = self.selected_finding()
        self.finding_detail.setText(self._finding_sentence(finding) if finding is not None else "")
        read_only = self.read_only_reason() is not None or self.draft is None
        mark = self._marks.get(FindingTableModel.finding_id(finding)) if finding is not None else None
        self.fix_button.setEnabled(bool(not read_only and finding is not None and fixable(finding) and mark))
        waivable = (
            finding is not None
            and self.may_waive()
            and finding.severity == "error"
            and self.finding_model.is_blocking(finding)
        )
        self.waive_button.setEnabled(bool(waivable))
        if self._detail is not None and not self.may_waive():
            role = self._detail.waive_role.value
            self.waive_button.setToolTip(f"Waiving a finding needs the {role} role.")
        else:
            self.waive_button.setToolTip("Accept this finding as it is, with a reason for the audit log")
        self.comment_button.setEnabled(self.draft is not None and self.may_comment())
        comment = self.selected_comment()
        self.resolve_button.setEnabled(comment is not None and not comment.resolved and self.may_comment())
        versions = self.selected_versions()
        draft = self.draft
        self.restore_button.setEnabled(
            len(versions) == 1
            and draft is not None
            and versions[0] != draft.version
            and self.read_only_reason() is None
        )
        self.open_source_button.setEnabled(self.citations_table.currentIndex().isValid())

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
            if self.draft is not None:
                self.waiting_label.setText(self._waiting_text(self.draft))
                self._update_state()

    # ------------------------------------------------------------------ edits
    def body_text(self) -> str:
        """The body as written now."""
        return editor_text(self.body_edit)

    def chosen_touchpoints(self) -> list[str]:
        """The touch points ticked, in checkbox order."""
        return [tp_id for tp_id, box in self._tp_checks.items() if box.isChecked()]

    def edits(self) -> DraftEdits | None:
        """What changed since the version the editor started from (None when no draft is shown)."""
        base = self._base
        if base is None:
            return None
        title = self.title_edit.text()
        body = self.body_text()
        chosen = self.chosen_touchpoints()
        variants: dict[str, str] = {}
        reset: list[str] = []
        for tp_id in chosen:
            pane = self._panes.get(tp_id)
            saved = base.variants.get(tp_id)
            if pane is None:
                continue
            if pane.edited:
                text = pane.text()
                if saved is None or not saved.edited or normalise(saved.text) != text:
                    variants[tp_id] = text
            elif saved is not None and saved.edited:
                reset.append(tp_id)
        assignee = self.assignee_combo.currentData()
        due = _from_qdatetime(self.due_edit.dateTime()) if self.due_check.isChecked() else None
        tags = sorted({t.strip() for t in self.tags_edit.text().split(",") if t.strip()})
        due_changed = _minute(due) != _minute(base.due_at)
        return DraftEdits(
            draft_id=base.id,
            expected_version=base.version,
            title=title if title.strip() != base.title else None,
            body=body if body != normalise(base.body) else None,
            variants=variants,
            reset_variants=reset,
            touchpoint_ids=chosen if set(chosen) != set(base.touchpoint_ids) else None,
            sponsored=self.sponsored_check.isChecked()
            if self.sponsored_check.isChecked() != base.sponsored
            else None,
            assignee_id=assignee if isinstance(assignee, str) and assignee != base.assignee_id else None,
            due_at=due if due_changed and due is not None else None,
            clear_due=due_changed and due is None,
            tags=tags if tags != sorted(base.tags) else None,
        )

    def _recompute_dirty(self) -> None:
        edits = self.edits()
        self._set_dirty(edits is not None and (edits.content_changed or edits.details_changed))

    def _content_edited(self) -> None:
        """The text changed: findings are stale, a check follows shortly."""
        self._edit_seq += 1
        self._recompute_dirty()
        self._request_check()

    @Slot()
    def _on_field_edited(self) -> None:
        if self._loading or self._base is None:
            return
        self._content_edited()

    @Slot(bool)
    def _on_due_check_toggled(self, checked: bool) -> None:
        self.due_edit.setEnabled(checked and self.due_check.isEnabled())
        self._on_field_edited()

    @Slot()
    def _on_body_edit_text_changed(self) -> None:
        self._update_body_length()
        if self.preview.isVisible():
            self._preview_timer.start()
        self._on_field_edited()

    @Slot(bool)
    def _on_touchpoint_toggled(self, _checked: bool) -> None:
        if self._loading or self._detail is None:
            return
        self._sync_panes(self._detail.directory.touchpoints, self.chosen_touchpoints())
        for tp_id, pane in self._panes.items():
            saved = self._base.variants.get(tp_id) if self._base is not None else None
            if not pane.text() and saved is not None:
                pane.set_edited(saved.edited)
                pane.set_text(saved.text)
        self._update_state()
        self._content_edited()

    @Slot(str)
    def _on_variant_text_edited(self, _tp_id: str) -> None:
        self._update_tab_titles()
        self._on_field_edited()

    @Slot(str)
    def _on_variant_follow_requested(self, tp_id: str) -> None:
        pane = self._panes.get(tp_id)
        if pane is None:
            return
        pane.set_edited(False)
        derived = self._last_check.derived.get(tp_id) if self._last_check is not None else None
        saved = self._base.variants.get(tp_id) if self._base is not None else None
        if derived is None and saved is not None and not saved.edited:
            derived = saved.text
        if derived is not None:
            pane.set_text(derived)
        self._content_edited()

    def _update_body_length(self) -> None:
        words = len(self.body_text().split())
        self.body_length.setText(f"{words:,} word{'s' * (words != 1)}")

    @Slot(bool)
    def _on_preview_check_toggled(self, checked: bool) -> None:
        self.preview.setVisible(checked)
        if checked:
            self._on_preview_timer_timeout()

    def toggle_preview(self) -> None:
        """Show or hide the rendered Markdown beside the body."""
        self.preview_check.toggle()

    @Slot()
    def _on_preview_timer_timeout(self) -> None:
        scroll = self.preview.verticalScrollBar().value()
        self.preview.setMarkdown(self.body_text())
        self.preview.verticalScrollBar().setValue(scroll)

    # ----------------------------------------------------------------- checks
    def _request_check(self, *, immediately: bool = False) -> None:
        if self._base is None:
            return
        self.checks_summary.setText("Checking…")
        self._check_timer.start(0 if immediately else CHECK_DELAY_MS)

    @Slot()
    def _on_check_timer_timeout(self) -> None:
        if self._base is None or self._detail is None:
            return
        if self._check_task is not None:
            self._check_again = True  # one at a time; the newest text is checked next
            return
        chosen = self.chosen_touchpoints()
        latest = self._detail.draft
        request = CheckRequest(
            seq=self._edit_seq,
            # The waivers and content hash of the newest saved version decide what blocks approval.
            base=replace(self._base, waivers=list(latest.waivers), content_hash=latest.content_hash),
            title=self.title_edit.text(),
            body=self.body_text(),
            touchpoint_ids=chosen,
            sponsored=self.sponsored_check.isChecked(),
            edited={tp: p.text() for tp, p in self._panes.items() if p.edited and tp in chosen},
            guide=self._detail.guide,
            touchpoints=self._detail.directory.touchpoints,
        )
        guard = self._guard
        handle = self._runner.run(
            draft_tasks.run_checks,
            request,
            on_result=guard(self._on_check_done),
            on_error=guard(self._on_check_failed),
            on_finished=guard(self._on_check_finished),
        )
        self._check_task = None if handle.done else handle

    def _on_check_finished(self) -> None:
        self._check_task = None
        if self._check_again:
            self._check_again = False
            self._check_timer.start(0)

    def _on_check_failed(self, exc: BaseException) -> None:
        self.checks_summary.setText(f"The checks could not run: {draft_tasks.error_sentence(exc)}")

    def _on_check_done(self, result: CheckResult) -> None:
        if result.seq != self._edit_seq:
            return  # the text changed meanwhile: a newer check follows
        self._last_check = result
        self._loading = True
        try:
            for tp_id, text in result.derived.items():
                pane = self._panes.get(tp_id)
                if pane is not None and not pane.edited:
                    pane.set_text(text)
        finally:
            self._loading = False
        self._update_tab_titles()
        self._recompute_dirty()
        self._place_marks(result)
        self.finding_model.set_findings(result.findings, result.blocking, result.waived)
        self._update_checks_summary()
        self._update_buttons()
        self.checks_applied.emit()

    def _apply_check_states(self, detail: DraftDetail) -> None:
        """Waivers change without the text changing (someone waived a finding): check again."""
        result = self._last_check
        if result is None:
            return
        if {w.finding_key: w for w in detail.draft.waivers} != result.waived:
            self._request_check(immediately=True)

    def _update_checks_summary(self) -> None:
        count = self.finding_model.rowCount()
        blocking = self.finding_model.blocking_count()
        if count == 0:
            text = "No findings: the text follows the brand guide and every touch point's rules."
        else:
            text = f"{count} finding{'s' * (count != 1)}"
            text += f", {blocking} blocking approval (fix or waive them)." if blocking else ", none blocking."
        self.checks_summary.setText(text)
        self.side_tabs.setTabText(0, f"Checks ({count})" if count else "Checks")

    def _edit_for(self, target: str) -> FindingTextEdit | None:
        if not target:
            return self.body_edit
        pane = self._panes.get(target)
        return pane.text_edit if pane is not None else None

    def _place_marks(self, result: CheckResult) -> None:
        """Underline every finding where it is, with cursors that follow later edits."""
        self._marks.clear()
        per_edit: dict[FindingTextEdit, list[tuple[QTextCursor, str, str]]] = {}
        for finding in result.findings:
            if finding.start < 0 or finding.end <= finding.start:
                continue  # about the whole text: listed, nothing to underline
            key = FindingTableModel.finding_id(finding)
            if finding.target == "title":
                title = self.title_edit.text()
                if title == result.title:
                    self._marks[key] = _Mark(finding, None, None, title[finding.start : finding.end])
                continue
            edit = self._edit_for(finding.target)
            text = result.texts.get(finding.target)
            if edit is None or text is None or editor_text(edit) != text:
                continue
            cursor = QTextCursor(edit.document())
            cursor.setPosition(qt_offset(text, finding.start))
            cursor.setPosition(qt_offset(text, finding.end), QTextCursor.MoveMode.KeepAnchor)
            self._marks[key] = _Mark(finding, edit, cursor, text[finding.start : finding.end])
            per_edit.setdefault(edit, []).append((cursor, finding.severity, finding.message))
        for edit in [self.body_edit, *(p.text_edit for p in self._panes.values())]:
            edit.set_marks(per_edit.get(edit, []))

    def _finding_sentence(self, finding: Any) -> str:
        """A finding in full: the message, the fix, and whether it blocks approval."""
        parts = [finding.message]
        if finding.suggestion is not None:
            if fixable(finding):
                parts.append(
                    f"Fix: “{finding.suggestion}”." if finding.suggestion else "Fix: remove the words."
                )
            elif finding.suggestion:
                parts.append(finding.suggestion)
        parts.append(self.finding_model.state_text(finding) + ".")
        return " ".join(parts)

    def selected_finding(self) -> Any:
        """The finding selected in the list, or None."""
        rows = self.findings_table.selectionModel().selectedRows()
        return self.finding_model.object_at(rows[0].row()) if rows else None

    def select_finding(self, row: int) -> None:
        """Select the finding in ``row`` and its words in the text."""
        index = self.finding_model.index(row, 0)
        self.findings_table.setCurrentIndex(index)
        self.findings_table.selectRow(row)
        self._on_findings_table_clicked(index)

    @Slot(QModelIndex)
    def _on_findings_table_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        finding = self.finding_model.object_at(index.row())
        self._update_buttons()
        if finding.target == "title":
            if finding.start >= 0 and self.title_edit.text()[finding.start : finding.end] == finding.subject:
                self.title_edit.setSelection(finding.start, finding.end - finding.start)
            self.title_edit.setFocus()
            return
        mark = self._marks.get(FindingTableModel.finding_id(finding))
        if mark is None or mark.edit is None or mark.cursor is None:
            edit = self._edit_for(finding.target)
            if edit is not None:
                self._show_edit(edit)  # about the whole text: show which text
            return
        self._show_edit(mark.edit)
        mark.edit.setTextCursor(QTextCursor(mark.cursor))
        mark.edit.ensureCursorVisible()

    def _show_edit(self, edit: FindingTextEdit) -> None:
        if edit is self.body_edit:
            self.text_tabs.setCurrentIndex(0)
        else:
            for pane in self._panes.values():
                if pane.text_edit is edit:
                    self.text_tabs.setCurrentWidget(pane)

    def apply_fix(self, finding: Any = None) -> bool:
        """Replace the finding's words with its suggestion (undoable with Ctrl+Z); False if it cannot."""
        finding = finding if finding is not None else self.selected_finding()
        if finding is None or self.read_only_reason() is not None:
            return False
        if not fixable(finding):
            self.message_shown.emit(
                "This finding has no replacement to apply; change the text yourself.", True
            )
            return False
        key = FindingTableModel.finding_id(finding)
        mark = self._marks.get(key)
        replacement = finding.suggestion or ""
        if mark is not None and mark.edit is None:
            title = self.title_edit.text()
            if title[finding.start : finding.end] == mark.expected:
                self.title_edit.setText(title[: finding.start] + replacement + title[finding.end :])
                self._on_field_edited()
                return self._fix_applied(key)
        elif (
            mark is not None
            and mark.cursor is not None
            and mark.cursor.selectedText().replace("\u2029", "\n") == mark.expected
        ):
            mark.cursor.insertText(replacement)
            return self._fix_applied(key)
        self.message_shown.emit(
            "The words of this finding changed since the check; the list updates in a moment.", True
        )
        self._request_check(immediately=True)
        return False

    def _fix_applied(self, key: Any) -> bool:
        """Take the fixed finding off the list at once (the next check confirms it)."""
        self._marks.pop(key, None)
        self.finding_model.update_rows(
            [f for f in self.finding_model.objects() if FindingTableModel.finding_id(f) != key]
        )
        self._update_checks_summary()
        self._update_buttons()
        return True

    def waive_selected(self) -> None:
        """Ask why the selected finding may stay, then waive it (needs the waive role)."""
        finding = self.selected_finding()
        if finding is None or self._draft_id is None:
            return
        if not self.may_waive():
            role = self._detail.waive_role.value if self._detail is not None else "approver"
            self.message_shown.emit(f"Waiving a finding needs the {role} role.", True)
            return
        if self._dirty:
            self.message_shown.emit(
                "Save your changes first: a waiver applies to a saved version of the draft.", True
            )
            return
        draft_id, key = self._draft_id, finding.key
        ask_text(
            self,
            "Waive finding",
            f"Why may this stay as it is?\n“{finding.message}”",
            lambda reason: self._start_job(
                draft_tasks.waive_finding, draft_id, key, reason, text="Waiving", done="Waived the finding."
            ),
            held_as="reason_dialog",
        )

    # ---------------------------------------------------------------- sources
    @Slot(QModelIndex)
    def _on_citations_table_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        citation = self.citation_model.object_at(index.row())
        if citation.url:
            QDesktopServices.openUrl(QUrl(citation.url))
        else:
            self.message_shown.emit("This source is a stored item without a web address.", False)
        self._update_buttons()

    # --------------------------------------------------------------- comments
    def selected_comment(self) -> Any:
        """The comment selected in the list, or None."""
        rows = self.comments_table.selectionModel().selectedRows()
        return self.comment_model.object_at(rows[0].row()) if rows else None

    @Slot()
    def _on_comments_selection_changed(self) -> None:
        comment = self.selected_comment()
        self._update_buttons()
        if comment is None:
            self.comment_detail.setText("")
            self.body_edit.set_comment_span(None)
            return
        who = self._detail.directory.user_name(comment.author_id) if self._detail is not None else ""
        state = " (resolved)" if comment.resolved else ""
        self.comment_detail.setText(f"{who} on version {comment.version}{state}: {comment.text}")
        body = self.body_text()
        start, end = comment.start, comment.end
        if comment.quote and body[start:end] != comment.quote:
            found = body.find(comment.quote)
            start, end = (found, found + len(comment.quote)) if found >= 0 else (0, 0)
        if end > start:
            cursor = QTextCursor(self.body_edit.document())
            cursor.setPosition(qt_offset(body, start))
            cursor.setPosition(qt_offset(body, end), QTextCursor.MoveMode.KeepAnchor)
            self.body_edit.set_comment_span(cursor)
            self.text_tabs.setCurrentIndex(0)
            shown = QTextCursor(cursor)
            shown.setPosition(cursor.selectionStart())
            self.body_edit.setTextCursor(shown)
            self.body_edit.ensureCursorVisible()
        else:
            self.body_edit.set_comment_span(None)

    @Slot(int)
    def _on_side_tabs_current_changed(self, _index: int) -> None:
        # The words a comment is about are marked only while the comments are shown.
        if self.side_tabs.currentWidget() is self.comments_table.parentWidget():
            self._on_comments_selection_changed()
        else:
            self.body_edit.set_comment_span(None)

    def comment_on_selection(self) -> None:
        """Ask for a comment on the words selected in the body (the whole draft without a selection)."""
        if self._draft_id is None or self._base is None:
            return
        if not self.may_comment():
            user = self._user
            who = user.name if user is not None and not is_guest(user) else "You"
            self.message_shown.emit(f"{who} cannot comment: that needs the editor or approver role.", True)
            return
        if self.body_text() != normalise(self._base.body):
            self.message_shown.emit(
                "Save your changes first: a comment is anchored to the words of a saved version.", True
            )
            return
        cursor = self.body_edit.textCursor()
        body = self.body_text()
        start, end = py_offset(body, cursor.selectionStart()), py_offset(body, cursor.selectionEnd())
        quote = body[start:end]
        label = (
            f"Comment on “{quote[:80]}{'…' if len(quote) > 80 else ''}”:"
            if quote
            else "Comment on the draft:"
        )
        draft_id = self._draft_id
        ask_text(
            self,
            "Comment",
            label,
            lambda text: self._start_job(
                draft_tasks.add_comment, draft_id, text, start, end, text="Commenting", done="Comment added."
            ),
            held_as="comment_dialog",
        )

    def resolve_selected_comment(self) -> None:
        """Mark the selected comment as dealt with."""
        comment = self.selected_comment()
        if comment is not None:
            self._start_job(
                draft_tasks.resolve_comment, comment.id, text="Resolving", done="Comment resolved."
            )

    # ---------------------------------------------------------------- history
    def selected_versions(self) -> list[int]:
        """The version numbers selected in the history, oldest first."""
        rows = self.versions_table.selectionModel().selectedRows()
        return sorted(self.version_model.object_at(index.row()).number for index in rows)

    def select_versions(self, *numbers: int) -> None:
        """Select versions in the history (two compare them)."""
        selection = self.versions_table.selectionModel()
        selection.clearSelection()
        for number in numbers:
            row = self.version_model.row_of_key(number)
            if row is not None:
                selection.select(
                    self.version_model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )

    @Slot()
    def _on_versions_selection_changed(self) -> None:
        self._update_buttons()
        numbers = self.selected_versions()
        self._shown_diff = None
        if self._editorial is None or self._draft_id is None or not numbers or len(numbers) > 2:
            self.diff_view.clear()
            return
        if len(numbers) == 1:
            if numbers[0] <= 1:
                self.diff_view.setHtml("<p>Version 1 is where the draft began.</p>")
                return
            old, new = numbers[0] - 1, numbers[0]
        else:
            old, new = numbers
        if self._diff_task is not None:
            self._diff_task.cancel()
        guard = self._guard
        handle = self._runner.run(
            draft_tasks.diff_versions,
            self._editorial,
            self._draft_id,
            old,
            new,
            on_result=guard(self._on_diff_done),
            on_error=guard(self._on_job_failed),
            on_finished=guard(self._on_diff_finished),
        )
        self._diff_task = None if handle.done else handle

    def _on_diff_finished(self) -> None:
        self._diff_task = None

    def _on_diff_done(self, diff: VersionDiff) -> None:
        if self._detail is None:
            return
        wanted = self.selected_versions()
        if wanted and wanted[-1] != diff.new:
            return  # the selection moved on
        self._shown_diff = diff
        self.diff_view.setHtml(diff_html(diff, self._detail.directory))
        self.diff_shown.emit()

    def restore_selected_version(self) -> None:
        """Bring the selected version back as a new version."""
        numbers = self.selected_versions()
        if len(numbers) != 1 or self._draft_id is None:
            return
        if self._dirty:
            self.message_shown.emit("Save or revert your changes first, then restore the version.", True)
            return
        number = numbers[0]
        self._start_job(
            draft_tasks.restore_version,
            self._draft_id,
            number,
            text=f"Restoring version {number}",
            done=f"Version {number} is back, as a new version.",
            reload_text=True,
        )

    # ----------------------------------------------------------------- saving
    def save(self, then: Callable[[], None] | None = None) -> bool:
        """Save the changes as a new version in the background; ``then`` runs once it is saved.

        Returns:
            False when there is nothing to save or it may not be saved (the
            reason is shown); ``then`` runs at once when nothing changed.
        """
        edits = self.edits()
        user = self._user
        if edits is None or self._editorial is None or user is None:
            return False
        if self._save_task is not None:
            if then is not None:
                self._after_save.append(then)
            return True
        if not (edits.content_changed or edits.details_changed):
            if then is not None:
                then()
            return True
        reason = self.read_only_reason()
        if reason is not None and edits.content_changed:
            self.message_shown.emit(reason, True)
            return False
        if then is not None:
            self._after_save.append(then)
        guard = self._guard
        handle = self._runner.run(
            draft_tasks.save_draft,
            self._editorial,
            user,
            edits,
            on_result=guard(self._on_save_done),
            on_error=guard(self._on_save_failed),
            on_finished=guard(self._on_save_finished),
            description="Saving the draft",
        )
        if not handle.done:
            self._save_task = handle
        self._rebuild_action_buttons()
        return True

    def _on_save_done(self, draft: Draft) -> None:
        # The text may have changed while saving: keep it, compare against what was saved.
        self._base = draft
        if self._detail is not None:
            self._detail = replace(self._detail, draft=draft)
        self._recompute_dirty()
        self._update_state()
        self.message_shown.emit(f"Saved “{draft.title}” as version {draft.version}.", False)
        self.draft_saved.emit(draft.id, draft.version)
        self.request_reload()

    def _on_save_failed(self, exc: BaseException) -> None:
        self._after_save.clear()
        self.message_shown.emit(draft_tasks.error_sentence(exc), True)
        self.request_reload()

    def _on_save_finished(self) -> None:
        self._save_task = None
        self._rebuild_action_buttons()
        callbacks, self._after_save = self._after_save, []
        if not callbacks:
            return
        if self._dirty:
            # Words typed while the save ran: save them too before moving on.
            self._after_save = callbacks
            if not self.save():
                self._after_save.clear()
            return
        for callback in callbacks:
            callback()

    # --------------------------------------------------------------- workflow
    def run_action(self, name: str) -> None:
        """Take a workflow action on the draft (asks for a reason where the workflow needs one)."""
        draft = self.draft
        if draft is None or self._draft_id is None:
            return
        spec = workflow.ACTIONS.get(name)
        if spec is None:
            return
        if self._dirty:
            if name in SAVE_FIRST_ACTIONS:
                self.save(then=lambda: self.run_action(name))
                return
            self.message_shown.emit(
                f"Save or revert your changes before “{spec.label.lower()}”: it applies to a saved version.",
                True,
            )
            return
        draft_id = draft.id
        if spec.needs_reason:
            ask_text(
                self,
                spec.label,
                f"{spec.label}: why? (the author and the audit log will read it)",
                lambda reason: self._start_action(draft_id, name, reason),
                held_as="reason_dialog",
            )
            return
        self._start_action(draft_id, name, "")

    def _start_action(self, draft_id: str, name: str, reason: str) -> None:
        spec = workflow.ACTIONS[name]
        self._start_job(
            draft_tasks.run_action,
            draft_id,
            name,
            reason,
            text=spec.label,
            done="",
            action=name,
        )

    def _start_job(
        self,
        fn: Callable[..., Any],
        *args: Any,
        text: str,
        done: str,
        action: str = "",
        reload_text: bool = False,
    ) -> None:
        user = self._user
        if self._editorial is None or user is None or self._job is not None:
            return
        guard = self._guard

        def on_result(value: Any) -> None:
            if isinstance(value, Draft):
                if reload_text or not self._dirty:
                    self._base = value
                    if self._detail is not None:
                        self._detail = replace(self._detail, draft=value)
                sentence = done or f"“{value.title}” is now {draft_tasks.status_words(value.status)}."
                if action == "approve" and value.status is DraftStatus.IN_REVIEW:
                    sentence = f"Approved your step; “{value.title}” waits for the next approval."
                if reload_text:
                    self._set_dirty(False)
                self._update_state()
                self.message_shown.emit(sentence, False)
                if action:
                    self.action_done.emit(value.id, action)
            else:
                self.message_shown.emit(done, False)
            if reload_text and self._detail is not None:
                self._fill_content(self._detail)
                self._request_check()
            self.request_reload()

        def on_finished() -> None:
            self._job = None
            self._rebuild_action_buttons()

        handle = self._runner.run(
            fn,
            self._editorial,
            user,
            *args,
            on_result=guard(on_result),
            on_error=guard(self._on_job_failed),
            on_finished=guard(on_finished),
            description=text,
        )
        self._job = None if handle.done else handle
        self._rebuild_action_buttons()

    def _on_job_failed(self, exc: BaseException) -> None:
        self.message_shown.emit(draft_tasks.error_sentence(exc), True)


# ------------------------------------------------------------------- dates
def _default_due() -> datetime:
    """Tomorrow at noon, local time: a due date people pick often."""
    local = datetime.now().astimezone() + timedelta(days=1)
    return local.replace(hour=12, minute=0, second=0, microsecond=0).astimezone(UTC)


def _to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def _from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)


def _minute(value: datetime | None) -> int | None:
    return int(value.timestamp()) // 60 if value is not None else None


__all__ = ["DraftEditor", "FindingTextEdit", "MarkdownPreview", "VariantPane", "diff_html", "qt_offset"]
