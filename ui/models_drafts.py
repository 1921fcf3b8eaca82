"""Qt models of the Drafts and Approvals pages.

:class:`DraftTableModel` follows the ``drafts`` table through the store
events like every :class:`~ui.models.StoreTableModel`. The lists beside the
editor (versions, comments, findings, audit entries, the approvals queue)
are :class:`KeyedListModel` subclasses: a worker reads them again when the
store says they changed, and :meth:`KeyedListModel.update_rows` applies only
the difference (rows inserted, removed, changed, moved), so the selection and
the scroll position survive a refresh, and the findings list does not flicker
while the editor types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from curator.domain import AuditEntry, Citation, Comment, Draft, DraftStatus, DraftVersion, utcnow
from ui.formatting import excerpt, full_time, human_time, local_time, one_line
from ui.models import AnyIndex, ListTableModel, StoreTableModel, TableFilterProxyModel
from ui.theme import current_theme, follow_theme, set_property
from ui.views.draft_tasks import Directory, QueueEntry
from ui.widgets.health_icons import health_icon

#: Returns a row's DraftStatus (the status chip draws it).
StatusRole = Qt.ItemDataRole.UserRole + 20

S = DraftStatus

STATUS_LABELS: dict[DraftStatus, str] = {
    S.DRAFT: "Draft",
    S.IN_REVIEW: "In review",
    S.CHANGES_REQUESTED: "Changes requested",
    S.APPROVED: "Approved",
    S.SCHEDULED: "Scheduled",
    S.PUBLISHED: "Published",
    S.ARCHIVED: "Archived",
    S.FAILED: "Failed",
}


def status_colors(status: DraftStatus) -> tuple[str, str]:
    """A status chip's (background, text) colours in the current theme.

    Calm greys for idle work, blue while someone reviews, amber where the
    author must act, green once approved, red when publishing failed.
    """
    chips = current_theme().chips
    return chips.get(status.value, chips["draft"])


def set_status_chip(label: QLabel, status: DraftStatus) -> None:
    """Draw ``label`` as ``status``'s chip (its word and colours); the theme's style sheet colours it."""
    label.setText(status_label(status))
    set_property(label, "chip", status.value)


def error_color() -> QColor:
    """Text of blocking findings and errors."""
    return QColor(current_theme().danger)


def warning_color() -> QColor:
    """Text of warnings."""
    return QColor(current_theme().warning)


def muted_color() -> QColor:
    """Text of rows that no longer need attention (archived, resolved, waived)."""
    return QColor(current_theme().faint_text)


def overdue_color() -> QColor:
    """A due date that has passed."""
    return QColor(current_theme().danger)


def status_label(status: DraftStatus) -> str:
    """The word a status shows as ("In review")."""
    return STATUS_LABELS.get(status, status.value.replace("_", " ").capitalize())


def due_text(due: datetime | None, now: datetime | None = None) -> str:
    """A due date as a narrow cell reads it: "Today 17:00", "Tomorrow", "Fri", "24 Nov" ("" when none)."""
    if due is None:
        return ""
    local = local_time(due)
    today = local_time(now or utcnow()).date()
    days = (local.date() - today).days
    if days == 0:
        return local.strftime("Today %H:%M")
    if days == 1:
        return "Tomorrow"
    if days == -1:
        return "Yesterday"
    if 1 < days < 7:
        return local.strftime("%a")
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b %Y')}"


class StatusChipDelegate(QStyledItemDelegate):
    """Draws a row's status (:data:`StatusRole`) as a small coloured chip with its word."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        try:
            status = DraftStatus(index.data(StatusRole))  # Qt hands a StrEnum back as a plain str
        except ValueError:
            super().paint(painter, option, index)
            return
        # The row's background and selection as usual, without the text.
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        widget = option.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, widget)
        back, fore = status_colors(status)
        text = status_label(status)
        font = QFont(option.font)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        font.setBold(True)
        painter.save()
        painter.setFont(font)
        metrics = painter.fontMetrics()
        rect = QRectF(option.rect)
        width = min(rect.width() - 8, metrics.horizontalAdvance(text) + 14)
        height = min(rect.height() - 6, metrics.height() + 4)
        chip = QRectF(rect.left() + 4, rect.center().y() - height / 2, max(0.0, width), height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(back))
        painter.drawRoundedRect(chip, height / 2, height / 2)
        painter.setPen(QColor(fore))
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(chip.width()) - 12)
        painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), elided)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 20, hint.height())


# --------------------------------------------------------------- drafts table
class DraftTableModel(StoreTableModel):
    """Every draft of the workspace, newest change first."""

    TABLE = "drafts"
    COL_TITLE, COL_STATUS, COL_TOUCHPOINTS, COL_ASSIGNEE, COL_DUE, COL_UPDATED, COL_VERSION = range(7)
    HEADERS = ("Title", "Status", "Touch points", "Assignee", "Due", "Updated", "Version")
    NUMERIC_COLUMNS = frozenset({COL_VERSION})
    DEFAULT_SORT = (COL_UPDATED, Qt.SortOrder.DescendingOrder)

    def __init__(self, parent: QObject | None = None, now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(parent)
        self._directory = Directory()
        self._now = now
        follow_theme(self)

    def set_directory(self, directory: Directory) -> None:
        """Hand in the members and touch points (read in a worker) that name ids in the cells."""
        self._directory = directory
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        draft: Draft = self._rows[index.row()]
        if role == StatusRole:
            return draft.status
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.column() == self.COL_DUE and self._overdue(draft):
                return overdue_color()
            if draft.status is S.ARCHIVED:
                return muted_color()
            return None
        return super().data(index, role)

    def _overdue(self, draft: Draft) -> bool:
        open_ = draft.status not in (S.PUBLISHED, S.ARCHIVED, S.SCHEDULED)
        return open_ and draft.due_at is not None and draft.due_at < self._now()

    def display(self, obj: Draft, column: int) -> str:
        if column == self.COL_TITLE:
            return one_line(obj.title) or "(untitled)"
        if column == self.COL_STATUS:
            return status_label(obj.status)
        if column == self.COL_TOUCHPOINTS:
            return self._directory.touchpoint_names(obj.touchpoint_ids) or "—"
        if column == self.COL_ASSIGNEE:
            return self._directory.user_name(obj.assignee_id)
        if column == self.COL_DUE:
            return due_text(obj.due_at, self._now())
        if column == self.COL_UPDATED:
            return human_time(obj.updated_at, self._now())
        if column == self.COL_VERSION:
            return f"v{obj.version}"
        return ""

    def sort_value(self, obj: Draft, column: int) -> Any:
        if column == self.COL_UPDATED:
            return obj.updated_at.timestamp()
        if column == self.COL_DUE:
            return obj.due_at.timestamp() if obj.due_at else float("inf")
        if column == self.COL_VERSION:
            return obj.version
        if column == self.COL_STATUS:
            return list(STATUS_LABELS).index(obj.status) if obj.status in STATUS_LABELS else 99
        return super().sort_value(obj, column)

    def tooltip(self, obj: Draft, column: int) -> str | None:
        if column == self.COL_TITLE:
            tags = f"\nTags: {', '.join(obj.tags)}" if obj.tags else ""
            return f"{obj.title}{tags}"
        if column == self.COL_DUE and obj.due_at:
            return ("Overdue: " if self._overdue(obj) else "Due ") + full_time(obj.due_at)
        if column == self.COL_UPDATED:
            return full_time(obj.updated_at)
        if column == self.COL_TOUCHPOINTS:
            return self._directory.touchpoint_names(obj.touchpoint_ids) or None
        return None

    def search_text(self, obj: Draft) -> str:
        return " ".join(
            [
                obj.title,
                " ".join(obj.tags),
                self._directory.user_name(obj.assignee_id),
                self._directory.user_name(obj.author_id),
                self._directory.touchpoint_names(obj.touchpoint_ids),
                status_label(obj.status),
            ]
        ).casefold()


#: The status filter's choices: label and the statuses shown (None: all).
STATUS_FILTERS: tuple[tuple[str, frozenset[DraftStatus] | None], ...] = (
    ("Active", frozenset(set(S) - {S.ARCHIVED, S.PUBLISHED})),
    ("All statuses", None),
    *((STATUS_LABELS[s], frozenset({s})) for s in S),
)


class DraftFilterProxyModel(TableFilterProxyModel):
    """Drafts searched by title, tags, people and touch points, and narrowed by status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = ""
        self._statuses: frozenset[DraftStatus] | None = None

    def set_search_text(self, text: str) -> None:
        """Show only drafts whose title, tags, people or touch points contain ``text``."""
        folded = text.strip().casefold()
        if folded != self._search:
            self.beginFilterChange()
            self._search = folded
            self.endFilterChange(TableFilterProxyModel.Direction.Rows)

    def set_statuses(self, statuses: Iterable[DraftStatus] | None) -> None:
        """Show only drafts in ``statuses`` (None: every status)."""
        wanted = frozenset(statuses) if statuses is not None else None
        if wanted != self._statuses:
            self.beginFilterChange()
            self._statuses = wanted
            self.endFilterChange(TableFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DraftTableModel) or source_parent.isValid():
            return True
        draft: Draft = model.object_at(source_row)
        if self._statuses is not None and draft.status not in self._statuses:
            return False
        return not self._search or self._search in model.search_text(draft)


# ------------------------------------------------------------- keyed lists
class KeyedListModel(ListTableModel):
    """A list read again as a whole by a worker, applied as the difference to what is shown.

    Subclasses say how a row is known (:meth:`key`); rows with the same key
    are the same row, updated in place.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._directory = Directory()
        follow_theme(self)

    def key(self, obj: Any) -> Any:
        """What makes a row the same row across refreshes."""
        return obj.id

    def set_directory(self, directory: Directory) -> None:
        """Hand in the names of members and touch points the cells show."""
        self._directory = directory
        self._changed_all()

    def _changed_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))

    def update_rows(self, rows: Iterable[Any]) -> None:
        """Show ``rows`` in this order, inserting, removing and refreshing only what differs."""
        wanted = list(rows)
        wanted_keys = [self.key(obj) for obj in wanted]
        keep = set(wanted_keys)
        # Remove rows that left, bottom up, in contiguous runs.
        row = len(self._rows) - 1
        while row >= 0:
            if self.key(self._rows[row]) in keep:
                row -= 1
                continue
            last = row
            while row - 1 >= 0 and self.key(self._rows[row - 1]) not in keep:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row, last)
            del self._rows[row : last + 1]
            self.endRemoveRows()
            row -= 1
        # Refresh the rows that stay.
        by_key = dict(zip(wanted_keys, wanted, strict=True))
        last_column = max(0, self.columnCount() - 1)
        for n, obj in enumerate(self._rows):
            fresh = by_key[self.key(obj)]
            if fresh is not obj and fresh != obj:
                self._rows[n] = fresh
                self.dataChanged.emit(self.index(n, 0), self.index(n, last_column))
            else:
                self._rows[n] = fresh
        # Append the new ones, then put everything in the wanted order.
        present = {self.key(obj) for obj in self._rows}
        new = [obj for obj, k in zip(wanted, wanted_keys, strict=True) if k not in present]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
        if [self.key(obj) for obj in self._rows] != wanted_keys:
            self.layoutAboutToBeChanged.emit()
            persistent = self.persistentIndexList()
            anchored = [(index, self.key(self._rows[index.row()])) for index in persistent]
            self._rows = wanted
            position = {k: n for n, k in enumerate(wanted_keys)}
            moved = [
                self.index(position[k], index.column()) if k in position else QModelIndex()
                for index, k in anchored
            ]
            self.changePersistentIndexList(persistent, moved)
            self.layoutChanged.emit()

    def object_at(self, row: int) -> Any:
        """The object of ``row``."""
        return self._rows[row]

    def row_of_key(self, key: Any) -> int | None:
        """The row showing the object with ``key``, if any."""
        return next((n for n, obj in enumerate(self._rows) if self.key(obj) == key), None)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        obj = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(obj, index.column())
        if role == Qt.ItemDataRole.DecorationRole:
            return self.decoration(obj, index.column())
        if role == StatusRole:
            return self.status(obj)
        return super().data(index, role)

    def foreground(self, obj: Any, column: int) -> QColor | None:
        """A cell's text colour, or None for the palette's."""
        return None

    def decoration(self, obj: Any, column: int) -> QIcon | None:
        """An icon before a cell's text, or None."""
        return None

    def status(self, obj: Any) -> DraftStatus | None:
        """The draft status a row shows as a chip, or None."""
        return None


class VersionTableModel(KeyedListModel):
    """The saved versions of one draft, newest first."""

    COL_NUMBER, COL_AUTHOR, COL_WHEN, COL_NOTE = range(4)
    HEADERS = ("Version", "Author", "Saved", "Note")
    NUMERIC_COLUMNS = frozenset({COL_NUMBER})

    def key(self, obj: DraftVersion) -> Any:
        return obj.number

    def display(self, obj: DraftVersion, column: int) -> str:
        if column == self.COL_NUMBER:
            return f"v{obj.number}"
        if column == self.COL_AUTHOR:
            return self._directory.user_name(obj.author_id)
        if column == self.COL_WHEN:
            return human_time(obj.created_at)
        if column == self.COL_NOTE:
            return one_line(obj.note)
        return ""

    def tooltip(self, obj: DraftVersion, column: int) -> str | None:
        if column == self.COL_WHEN:
            return full_time(obj.created_at)
        if column == self.COL_NOTE:
            return obj.note or None
        return None


class CommentTableModel(KeyedListModel):
    """The internal comments on one draft, oldest first, each with the version and words it is about."""

    COL_VERSION, COL_AUTHOR, COL_QUOTE, COL_TEXT = range(4)
    HEADERS = ("On", "Author", "About", "Comment")

    def display(self, obj: Comment, column: int) -> str:
        if column == self.COL_VERSION:
            return f"v{obj.version}" + (" ✓" if obj.resolved else "")
        if column == self.COL_AUTHOR:
            return self._directory.user_name(obj.author_id)
        if column == self.COL_QUOTE:
            return f"“{excerpt(obj.quote, 60)}”" if obj.quote else "(whole draft)"
        if column == self.COL_TEXT:
            return excerpt(obj.text, 200)
        return ""

    def tooltip(self, obj: Comment, column: int) -> str | None:
        state = "Resolved. " if obj.resolved else ""
        if column == self.COL_QUOTE and obj.quote:
            return obj.quote
        if column == self.COL_TEXT:
            who = self._directory.user_name(obj.author_id)
            return f"{state}{obj.text}\n— {who}, {full_time(obj.created_at)}"
        if column == self.COL_VERSION:
            return f"{state}Written on version {obj.version}"
        return None

    def foreground(self, obj: Comment, column: int) -> QColor | None:
        return muted_color() if obj.resolved else None


class FindingTableModel(KeyedListModel):
    """Brand and touch-point findings of the text being edited or reviewed.

    Each row knows whether it blocks approval, was waived (and why) or is
    only a warning; errors first, then by place in the text.
    """

    COL_WHERE, COL_MESSAGE, COL_SUGGESTION, COL_STATE = range(4)
    HEADERS = ("Where", "Finding", "Suggestion", "State")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._blocking: frozenset[str] = frozenset()
        self._waived: dict[str, Any] = {}

    @staticmethod
    def finding_id(finding: Any) -> tuple[str, str, int, int]:
        """A finding's identity in the list: its key, target and span."""
        return (finding.key, finding.target, finding.start, finding.end)

    def key(self, obj: Any) -> Any:
        return self.finding_id(obj)

    def set_findings(self, findings: Iterable[Any], blocking: frozenset[str], waived: dict[str, Any]) -> None:
        """Show ``findings`` (errors first), knowing which block approval and which were waived."""
        self._blocking, self._waived = blocking, dict(waived)
        ordered = sorted(
            findings, key=lambda f: (f.severity != "error", f.target != "", f.target, f.start, f.end, f.key)
        )
        seen: set[Any] = set()
        unique = []
        for finding in ordered:
            if self.key(finding) not in seen:
                seen.add(self.key(finding))
                unique.append(finding)
        self.update_rows(unique)
        self._changed_all()  # states may change without the findings changing

    def blocking_count(self) -> int:
        """How many shown findings block approval."""
        return sum(1 for f in self._rows if f.key in self._blocking)

    def is_blocking(self, finding: Any) -> bool:
        """Whether ``finding`` is an error neither fixed nor waived."""
        return finding.key in self._blocking

    def waiver_of(self, finding: Any) -> Any:
        """The waiver of ``finding``, or None."""
        return self._waived.get(finding.key)

    def state_text(self, finding: Any) -> str:
        """Blocks approval, waived (by whom, why), or a warning."""
        waiver = self._waived.get(finding.key)
        if waiver is not None and finding.key not in self._blocking:
            return f"Waived by {self._directory.user_name(waiver.user_id)}: {waiver.reason}"
        if finding.key in self._blocking:
            return "Blocks approval"
        return "Warning" if finding.severity != "error" else "Error"

    def display(self, obj: Any, column: int) -> str:
        if column == self.COL_WHERE:
            return self._directory.touchpoint_name(obj.target)
        if column == self.COL_MESSAGE:
            return one_line(obj.message)
        if column == self.COL_SUGGESTION:
            if obj.suggestion is None:
                return ""
            if not obj.suggestion and obj.start >= 0:
                return "(remove the words)"
            return one_line(obj.suggestion)
        if column == self.COL_STATE:
            return self.state_text(obj)
        return ""

    def tooltip(self, obj: Any, column: int) -> str | None:
        if column == self.COL_MESSAGE:
            return str(obj.message)
        if column == self.COL_SUGGESTION and obj.suggestion:
            return f"Suggested: {obj.suggestion}"
        if column == self.COL_STATE:
            return self.state_text(obj)
        return None

    def decoration(self, obj: Any, column: int) -> QIcon | None:
        if column != self.COL_WHERE:
            return None
        if obj.key in self._waived and obj.key not in self._blocking:
            return health_icon("ok")
        return health_icon("error" if obj.severity == "error" else "warning")

    def foreground(self, obj: Any, column: int) -> QColor | None:
        if column == self.COL_STATE:
            if obj.key in self._blocking:
                return error_color()
            if obj.key in self._waived:
                return muted_color()
            return warning_color() if obj.severity != "error" else None
        return None


class CitationTableModel(KeyedListModel):
    """The sources a draft cites: stored items and web addresses."""

    COL_TITLE, COL_URL = range(2)
    HEADERS = ("Source", "Address")

    def key(self, obj: Citation) -> Any:
        return (obj.item_id, obj.url, obj.title)

    def display(self, obj: Citation, column: int) -> str:
        if column == self.COL_TITLE:
            return one_line(obj.title) or ("Item" if obj.item_id else obj.url)
        if column == self.COL_URL:
            return obj.url or "(stored item, no address)"
        return ""

    def tooltip(self, obj: Citation, column: int) -> str | None:
        if column == self.COL_TITLE:
            return obj.title or None
        if column == self.COL_URL and obj.url:
            return f"{obj.url}\nDouble-click or press Enter to open it in your browser."
        return None

    def foreground(self, obj: Citation, column: int) -> QColor | None:
        return muted_color() if column == self.COL_URL and not obj.url else None


class AuditEntryModel(KeyedListModel):
    """Audit log entries, newest first; with ``show_subject`` the draft each one is about."""

    COL_SEQ, COL_WHEN, COL_WHO, COL_ACTION, COL_SUBJECT, COL_MOVE, COL_REASON = range(7)
    HEADERS = ("#", "When", "Who", "Action", "About", "Status", "Reason")
    NUMERIC_COLUMNS = frozenset({COL_SEQ})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._titles: dict[str, str] = {}

    def set_titles(self, titles: dict[str, str]) -> None:
        """Hand in the draft titles the About column shows."""
        self._titles = dict(titles)
        self._changed_all()

    def key(self, obj: AuditEntry) -> Any:
        return obj.id  # unique in the store even where a tampered log repeats a number

    def display(self, obj: AuditEntry, column: int) -> str:
        if column == self.COL_SEQ:
            return str(obj.seq)
        if column == self.COL_WHEN:
            return human_time(obj.at)
        if column == self.COL_WHO:
            return self._directory.user_name(obj.user_id)
        if column == self.COL_ACTION:
            return action_words(obj.action)
        if column == self.COL_SUBJECT:
            return one_line(self._titles.get(obj.subject_id, obj.subject_id))
        if column == self.COL_MOVE:
            if obj.to_status and obj.from_status and obj.from_status != obj.to_status:
                return f"{_status_word(obj.from_status)} → {_status_word(obj.to_status)}"
            return _status_word(obj.to_status) if obj.to_status else ""
        if column == self.COL_REASON:
            return one_line(obj.reason)
        return ""

    def tooltip(self, obj: AuditEntry, column: int) -> str | None:
        if column == self.COL_WHEN:
            return full_time(obj.at)
        if column == self.COL_REASON and obj.reason:
            return obj.reason
        if column == self.COL_SEQ:
            return f"Hash {obj.hash[:16]}…\nVersion {obj.version_hash[:16]}…" if obj.version_hash else None
        return None


def action_words(action: str) -> str:
    """An audit action as people say it ("approve:Legal" → "Approved (Legal)")."""
    name, _, step = action.partition(":")
    words = {
        "create": "Created",
        "submit": "Submitted",
        "approve": "Approved",
        "request_changes": "Asked for changes",
        "schedule": "Scheduled",
        "unschedule": "Unscheduled",
        "publish": "Published",
        "fail": "Publishing failed",
        "retry": "Retried",
        "archive": "Archived",
        "restore": "Restored",
        "waive": "Waived a finding",
        "edit_after_approval": "Edited after approval",
        "configure_workflow": "Changed the approval steps",
        "configure_brand": "Changed the brand guide",
    }.get(name, name.replace("_", " ").capitalize())
    return f"{words} ({step})" if step else words


def _status_word(value: str) -> str:
    try:
        return status_label(DraftStatus(value))
    except ValueError:
        return value.replace("_", " ")


class ApprovalQueueModel(KeyedListModel):
    """Drafts waiting for an approval step (or, in a second list, for scheduling)."""

    COL_TITLE, COL_WAITING, COL_BLOCKING, COL_DUE, COL_AUTHOR = range(5)
    HEADERS = ("Draft", "Waiting for", "Findings", "Due", "Author")
    NUMERIC_COLUMNS = frozenset({COL_BLOCKING})

    def __init__(self, parent: QObject | None = None, now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(parent)
        self._now = now

    def set_entries(self, entries: Iterable[QueueEntry]) -> None:
        """Show ``entries``, the soonest due first, then the longest waiting."""
        far = datetime.max.replace(tzinfo=UTC)
        self.update_rows(sorted(entries, key=lambda e: (e.draft.due_at or far, e.draft.updated_at)))

    def display(self, obj: QueueEntry, column: int) -> str:
        if column == self.COL_TITLE:
            return one_line(obj.draft.title)
        if column == self.COL_WAITING:
            return obj.waiting_for
        if column == self.COL_BLOCKING:
            return f"{obj.blocking} blocking" if obj.blocking else "none"
        if column == self.COL_DUE:
            return due_text(obj.draft.due_at, self._now()) or "—"
        if column == self.COL_AUTHOR:
            return obj.author
        return ""

    def tooltip(self, obj: QueueEntry, column: int) -> str | None:
        if column == self.COL_BLOCKING:
            if not obj.blocking:
                return "No brand-check error waits to be fixed or waived."
            return f"{obj.blocking} brand-check error(s) must be fixed or waived before approval."
        if column == self.COL_DUE and obj.draft.due_at:
            return full_time(obj.draft.due_at)
        if column == self.COL_TITLE:
            return obj.draft.title
        return None

    def foreground(self, obj: QueueEntry, column: int) -> QColor | None:
        if column == self.COL_BLOCKING and obj.blocking:
            return error_color()
        if column == self.COL_DUE and obj.draft.due_at and obj.draft.due_at < self._now():
            return overdue_color()
        return None

    def status(self, obj: QueueEntry) -> DraftStatus | None:
        return obj.draft.status


__all__ = [
    "STATUS_FILTERS",
    "ApprovalQueueModel",
    "AuditEntryModel",
    "CitationTableModel",
    "CommentTableModel",
    "DraftFilterProxyModel",
    "DraftTableModel",
    "FindingTableModel",
    "KeyedListModel",
    "StatusChipDelegate",
    "StatusRole",
    "VersionTableModel",
    "action_words",
    "error_color",
    "muted_color",
    "overdue_color",
    "set_status_chip",
    "status_colors",
    "status_label",
    "warning_color",
]
