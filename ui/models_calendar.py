"""Qt models of the Calendar page: the posts, the publishing log, and the rows of its dialogs.

:class:`PostTableModel` follows the ``posts`` table and :class:`JournalTableModel`
the ``publish_journal`` table through the store events, like every
:class:`~ui.models.StoreTableModel`. The week and month grids are views over
:class:`PostTableModel`: they ask it for the posts of the range they show
and repaint when it changes. The dialogs' rows (a schedule file's preview,
an export's notes, the approved variants to schedule, a post's history) are
plain lists the dialogs replace as a whole.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QIcon

from curator.domain import PostStatus, ScheduledPost, TouchPoint, utcnow
from curator.publish.runner import JOURNAL_TABLE, JournalEntry, JournalState
from curator.schedule.conflicts import ScheduleWarning, check_post, describe_local
from curator.schedule.csv_io import CsvPreview, CsvProblem, CsvRow, ExportNote
from ui.formatting import excerpt, one_line
from ui.models import AnyIndex, ListTableModel, StoreTableModel, TableFilterProxyModel
from ui.theme import current_theme, follow_theme
from ui.views.calendar_tasks import SHOWN_STATUSES, SchedulableVariant
from ui.widgets.health_icons import health_icon


def failed_color() -> QColor:
    """The red of failures in tables and tooltips, in the current theme."""
    return QColor(current_theme().danger)


def warning_color() -> QColor:
    """The amber of warnings, in the current theme."""
    return QColor(current_theme().warning)


def __getattr__(name: str) -> QColor:
    # FAILED_COLOR and WARNING_COLOR were constants; they now follow the theme.
    if name == "FAILED_COLOR":
        return failed_color()
    if name == "WARNING_COLOR":
        return warning_color()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Characters of a post's text its tooltip shows.
PREVIEW_CHARS = 280

_STATUS_WORDS = {
    PostStatus.PLANNED: "Planned (tentative, not approved yet)",
    PostStatus.SCHEDULED: "Scheduled",
    PostStatus.PUBLISHING: "Being published",
    PostStatus.PUBLISHED: "Published",
    PostStatus.FAILED: "Failed",
    PostStatus.CANCELLED: "Taken off the calendar",
}

_STATE_WORDS = {
    JournalState.CLAIMED: "Sending",
    JournalState.SENT: "Sent",
    JournalState.FAILED: "Failed",
    JournalState.RETRY: "Retry asked",
    JournalState.MARKED_PUBLISHED: "Marked published",
}

_STATE_ICONS = {
    JournalState.CLAIMED: "new",
    JournalState.SENT: "ok",
    JournalState.FAILED: "error",
    JournalState.RETRY: "warning",
    JournalState.MARKED_PUBLISHED: "ok",
}


def status_word(status: PostStatus) -> str:
    """A post's status as the calendar says it."""
    return _STATUS_WORDS.get(status, str(status).capitalize())


def state_word(state: JournalState | str) -> str:
    """A journal entry's state as the publishing log says it."""
    try:
        return _STATE_WORDS[JournalState(state)]
    except ValueError:
        return str(state).replace("_", " ").capitalize()


def zone_name(zone: tzinfo) -> str:
    """The IANA name of ``zone`` when it has one ("Europe/Berlin"), else its abbreviation."""
    if isinstance(zone, ZoneInfo):
        return zone.key
    return datetime.now(zone).tzname() or "local time"


def short_time(value: datetime, zone: tzinfo) -> str:
    """``Mon 17 Mar 09:00`` in ``zone`` (no locale: the same on every machine)."""
    local = value.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def post_tooltip(
    post: ScheduledPost,
    tp: TouchPoint | None,
    warnings: Iterable[ScheduleWarning],
    zone: tzinfo,
    now: datetime | None = None,
) -> str:
    """The rich tooltip of a post on the grids: where, when (in the touch point's zone), status, text.

    Args:
        post: the post.
        tp: its touch point (None once removed).
        warnings: what the core finds unusual about its time.
        zone: the user's zone, shown next to the touch point's when they differ.
        now: the current time (for the year in dates).
    """
    esc = html.escape
    now = now or utcnow()
    lines = [f"<b>{esc(one_line(post.title) or '(untitled)')}</b>"]
    if tp is not None:
        lines.append(f"{esc(tp.name)} · {esc(status_word(post.status))}")
        when = describe_local(post.publish_at, tp.timezone, now=now)
        mine = zone_name(zone)
        if mine != tp.timezone:
            when += f" (your time: {short_time(post.publish_at, zone)} {mine})"
        lines.append(esc(when))
    else:
        lines.append(f"Touch point removed · {esc(status_word(post.status))}")
        lines.append(esc(short_time(post.publish_at, zone)))
    parts = ["<br>".join(lines)]
    if post.text.strip():
        parts.append(f"<p>{esc(excerpt(post.text, PREVIEW_CHARS))}</p>")
    if post.status is PostStatus.FAILED and post.last_error:
        parts.append(f"<p style='color:{failed_color().name()}'>{esc(post.last_error)}</p>")
    for warning in warnings:
        parts.append(f"<p style='color:{warning_color().name()}'>⚠ {esc(warning.message)}</p>")
    return f"<div style='max-width:420px'>{''.join(parts)}</div>"


class PostTableModel(StoreTableModel):
    """The posts on the calendar (all but the cancelled ones), earliest first.

    The grids do not keep posts of their own: they ask :meth:`posts_between`
    for the range they show and repaint when this model changes.
    """

    TABLE = "posts"
    COL_WHEN, COL_TOUCHPOINT, COL_TITLE, COL_STATUS = range(4)
    HEADERS = ("When", "Touch point", "Title", "Status")
    DEFAULT_SORT = (COL_WHEN, Qt.SortOrder.AscendingOrder)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        zone: tzinfo | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self._zone: tzinfo = zone or ZoneInfo("UTC")
        self._clock = clock
        self._touchpoints: dict[str, TouchPoint] = {}
        follow_theme(self)

    # ------------------------------------------------------------ directory
    @property
    def zone(self) -> tzinfo:
        """The zone times are shown in (the user's)."""
        return self._zone

    def set_zone(self, zone: tzinfo) -> None:
        """Show times in ``zone``."""
        self._zone = zone
        self._refresh_column(self.COL_WHEN)

    def set_touchpoints(self, touchpoints: Mapping[str, TouchPoint]) -> None:
        """Name touch points by id (loaded in a worker)."""
        self._touchpoints = dict(touchpoints)
        self._refresh_column(self.COL_TOUCHPOINT)

    def touchpoint(self, tp_id: str) -> TouchPoint | None:
        """The touch point of ``tp_id``, if it still exists."""
        return self._touchpoints.get(tp_id)

    @property
    def touchpoints(self) -> dict[str, TouchPoint]:
        """Every touch point, by id."""
        return dict(self._touchpoints)

    def _refresh_column(self, column: int) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    # ---------------------------------------------------------------- cells
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and 0 <= index.row() < len(self._rows)
            and self._rows[index.row()].status is PostStatus.FAILED
        ):
            return failed_color()
        return super().data(index, role)

    def display(self, obj: ScheduledPost, column: int) -> str:
        if column == self.COL_WHEN:
            return short_time(obj.publish_at, self._zone)
        if column == self.COL_TOUCHPOINT:
            tp = self._touchpoints.get(obj.touchpoint_id)
            return tp.name if tp is not None else "(removed)"
        if column == self.COL_TITLE:
            return one_line(obj.title) or "(untitled)"
        if column == self.COL_STATUS:
            return status_word(obj.status)
        return ""

    def sort_value(self, obj: ScheduledPost, column: int) -> Any:
        if column == self.COL_WHEN:
            return (obj.publish_at, obj.id)
        return super().sort_value(obj, column)

    def tooltip(self, obj: ScheduledPost, column: int) -> str | None:
        return self.tooltip_of(obj)

    def tooltip_of(self, post: ScheduledPost) -> str:
        """The post's rich tooltip, with the warnings about its time."""
        return post_tooltip(
            post, self._touchpoints.get(post.touchpoint_id), self.warnings(post), self._zone, self._clock()
        )

    def search_text(self, obj: ScheduledPost) -> str:
        return f"{obj.title} {obj.text}".casefold()

    # ---------------------------------------------------------------- rows
    def select_rows(self, rows: list[Any]) -> list[Any]:
        return [post for post in rows if post.status in SHOWN_STATUSES]

    def upsert(self, objs: Iterable[Any]) -> None:
        """Apply changed posts; one taken off the calendar leaves it."""
        objs = list(objs)
        self.remove_ids([post.id for post in objs if post.status not in SHOWN_STATUSES])
        super().upsert(post for post in objs if post.status in SHOWN_STATUSES)

    def post(self, post_id: str) -> ScheduledPost | None:
        """The post with ``post_id``, if the calendar shows it."""
        row = self.row_of(post_id)
        return None if row is None else self._rows[row]

    def posts_between(
        self, start: datetime, end: datetime, touchpoint_ids: set[str] | None = None
    ) -> list[ScheduledPost]:
        """The posts in ``[start, end)`` (of some touch points only), earliest first."""
        found = [
            post
            for post in self._rows
            if start <= post.publish_at < end
            and (touchpoint_ids is None or post.touchpoint_id in touchpoint_ids)
        ]
        found.sort(key=lambda p: (p.publish_at, p.id))
        return found

    def warnings(self, post: ScheduledPost) -> list[ScheduleWarning]:
        """What the core would say about the post's time, checked against the posts shown."""
        tp = self._touchpoints.get(post.touchpoint_id)
        if tp is None:
            return []
        return check_post(post, tp, self._rows, now=self._clock())

    def titles(self) -> dict[str, str]:
        """Each post's title by id (the publishing log names posts with them)."""
        return {post.id: one_line(post.title) or "(untitled)" for post in self._rows}


class JournalTableModel(StoreTableModel):
    """The publishing journal, newest first: what was sent, what failed and why.

    Only the newest :data:`MAX_ROWS` entries are kept; older ones stay in the
    workspace (``curator`` prints them all).
    """

    TABLE = JOURNAL_TABLE
    COL_TIME, COL_POST, COL_TOUCHPOINT, COL_STATE, COL_DETAIL = range(5)
    HEADERS = ("Time", "Post", "Touch point", "State", "Detail")
    DEFAULT_SORT = (COL_TIME, Qt.SortOrder.DescendingOrder)
    MAX_ROWS = 2000

    def __init__(self, parent: QObject | None = None, *, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self._zone: tzinfo = zone or ZoneInfo("UTC")
        self._titles: dict[str, str] = {}
        self._touchpoints: dict[str, TouchPoint] = {}
        follow_theme(self)

    def set_zone(self, zone: tzinfo) -> None:
        """Show times in ``zone``."""
        self._zone = zone
        self._refresh()

    def set_names(self, titles: Mapping[str, str], touchpoints: Mapping[str, TouchPoint]) -> None:
        """Name posts and touch points (the posts' titles, the touch points' names)."""
        self._titles = dict(titles)
        self._touchpoints = dict(touchpoints)
        self._refresh()

    def _refresh(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and 0 <= index.row() < len(self._rows)
            and self._rows[index.row()].state == JournalState.FAILED
        ):
            return failed_color()
        return super().data(index, role)

    def display(self, obj: JournalEntry, column: int) -> str:
        if column == self.COL_TIME:
            return short_time(obj.at, self._zone)
        if column == self.COL_POST:
            return self._titles.get(obj.post_id, f"Post {obj.post_id[:8]}")
        if column == self.COL_TOUCHPOINT:
            tp = self._touchpoints.get(obj.touchpoint_id)
            return tp.name if tp is not None else ""
        if column == self.COL_STATE:
            return state_word(obj.state)
        if column == self.COL_DETAIL:
            return one_line(obj.detail)
        return ""

    def sort_value(self, obj: JournalEntry, column: int) -> Any:
        if column == self.COL_TIME:
            return (obj.at, obj.post_id, obj.seq)
        return super().sort_value(obj, column)

    def tooltip(self, obj: JournalEntry, column: int) -> str | None:
        if column == self.COL_DETAIL and obj.detail:
            return obj.detail
        if column == self.COL_TIME:
            local = obj.at.astimezone(self._zone)
            runner = f"\nby runner {obj.runner_id}" if obj.runner_id else ""
            return f"{local:%Y-%m-%d %H:%M:%S} {zone_name(self._zone)}{runner}"
        return None

    def decoration(self, obj: JournalEntry, column: int) -> QIcon | None:
        if column == self.COL_STATE:
            return health_icon(_STATE_ICONS.get(JournalState(obj.state), "new"))
        return None

    def select_rows(self, rows: list[Any]) -> list[Any]:
        rows.sort(key=lambda e: (e.at, e.post_id, e.seq), reverse=True)
        return rows[: self.MAX_ROWS]

    def _after_insert(self) -> None:
        excess = len(self._rows) - self.MAX_ROWS
        if excess > 0:
            oldest = sorted(self._rows, key=lambda e: (e.at, e.post_id, e.seq))[:excess]
            self.remove_ids(entry.id for entry in oldest)

    def entry_at(self, row: int) -> JournalEntry:
        """The entry of ``row``."""
        entry: JournalEntry = self._rows[row]
        return entry


class JournalFilterProxyModel(TableFilterProxyModel):
    """The publishing log narrowed to one touch point, or to failures; sorting stays with the model."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._failures_only = False
        self._touchpoints: frozenset[str] | None = None

    def set_failures_only(self, only: bool) -> None:
        """Show only failed entries."""
        self._change("_failures_only", only)

    def set_touchpoint_ids(self, ids: set[str] | None) -> None:
        """Show only entries of these touch points (None: all)."""
        self._change("_touchpoints", frozenset(ids) if ids is not None else None)

    def _change(self, name: str, value: Any) -> None:
        if getattr(self, name) == value:
            return
        self.beginFilterChange()
        setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, JournalTableModel):
            return True
        entry = model.entry_at(source_row)
        if self._failures_only and entry.state != JournalState.FAILED:
            return False
        return self._touchpoints is None or entry.touchpoint_id in self._touchpoints


class ImportPreviewModel(ListTableModel):
    """A schedule file as it would be imported: its rows and its problems, by line."""

    COL_LINE, COL_RESULT, COL_WHEN, COL_TOUCHPOINT, COL_TEXT = range(5)
    HEADERS = ("Line", "Result", "When (touch point's time)", "Touch point", "Title / problem")
    NUMERIC_COLUMNS = frozenset({COL_LINE})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._touchpoints: dict[str, TouchPoint] = {}
        follow_theme(self)

    def set_preview(self, preview: CsvPreview | None, touchpoints: Mapping[str, TouchPoint]) -> None:
        """Show ``preview`` (None: nothing)."""
        self._touchpoints = dict(touchpoints)
        rows: list[CsvRow | CsvProblem] = []
        if preview is not None:
            rows = [*preview.rows, *preview.problems]
            rows.sort(key=lambda r: (r.line, isinstance(r, CsvRow)))
        self.set_rows(rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and 0 <= index.row() < len(self._rows)
            and isinstance(self._rows[index.row()], CsvProblem)
        ):
            return failed_color()
        return super().data(index, role)

    def display(self, obj: CsvRow | CsvProblem, column: int) -> str:
        if column == self.COL_LINE:
            return str(obj.line) if obj.line else "File"
        if isinstance(obj, CsvProblem):
            # The message starts in the When column: the view spans it over the rest of the row.
            if column == self.COL_RESULT:
                return "Problem"
            if column == self.COL_WHEN:
                return one_line(obj.message)
            return ""
        tp = self._touchpoints.get(obj.touchpoint_id)
        if column == self.COL_RESULT:
            return "OK"
        if column == self.COL_WHEN:
            zone = ZoneInfo(tp.timezone) if tp is not None else ZoneInfo("UTC")
            return f"{short_time(obj.publish_at, zone)} {zone_name(zone)}"
        if column == self.COL_TOUCHPOINT:
            return tp.name if tp is not None else obj.touchpoint_id
        if column == self.COL_TEXT:
            return one_line(obj.title)
        return ""

    def tooltip(self, obj: CsvRow | CsvProblem, column: int) -> str | None:
        if isinstance(obj, CsvProblem):
            return str(obj)
        if column == self.COL_TEXT:
            return excerpt(obj.text, PREVIEW_CHARS)
        return None

    def problem_rows(self) -> list[int]:
        """The rows that show a problem (the view spans their message over the row)."""
        return [row for row, obj in enumerate(self._rows) if isinstance(obj, CsvProblem)]


class ExportNotesModel(ListTableModel):
    """What a bulk-upload file leaves out or adjusts, one sentence per row."""

    COL_NOTE = 0
    HEADERS = ("Note",)

    def display(self, obj: ExportNote, column: int) -> str:
        return one_line(obj.message) if column == self.COL_NOTE else ""

    def tooltip(self, obj: ExportNote, column: int) -> str | None:
        return obj.message


class SchedulableModel(ListTableModel):
    """Approved variants not on the calendar yet, with each touch point's next free slot."""

    COL_TITLE, COL_TOUCHPOINT, COL_ZONE, COL_NEXT = range(4)
    HEADERS = ("Draft", "Touch point", "Time zone", "Next free slot (its time)")

    def display(self, obj: SchedulableVariant, column: int) -> str:
        if column == self.COL_TITLE:
            return one_line(obj.title) or "(untitled)"
        if column == self.COL_TOUCHPOINT:
            return obj.touchpoint.name
        if column == self.COL_ZONE:
            return obj.touchpoint.timezone
        if column == self.COL_NEXT:
            if obj.next_slot is None:
                return "No free slot: choose a time"
            return short_time(obj.next_slot, ZoneInfo(obj.touchpoint.timezone))
        return ""

    def tooltip(self, obj: SchedulableVariant, column: int) -> str | None:
        if column == self.COL_TITLE:
            return excerpt(obj.text, PREVIEW_CHARS) or None
        return None

    def variant_at(self, row: int) -> SchedulableVariant:
        """The variant of ``row``."""
        variant: SchedulableVariant = self._rows[row]
        return variant


class PostHistoryModel(ListTableModel):
    """One post's publishing history, oldest first (the post's details)."""

    COL_TIME, COL_STATE, COL_DETAIL = range(3)
    HEADERS = ("Time", "State", "Detail")

    def __init__(self, parent: QObject | None = None, *, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self._zone: tzinfo = zone or ZoneInfo("UTC")
        follow_theme(self)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and 0 <= index.row() < len(self._rows)
            and self._rows[index.row()].state == JournalState.FAILED
        ):
            return failed_color()
        return super().data(index, role)

    def display(self, obj: JournalEntry, column: int) -> str:
        if column == self.COL_TIME:
            return short_time(obj.at, self._zone)
        if column == self.COL_STATE:
            return state_word(obj.state)
        if column == self.COL_DETAIL:
            return one_line(obj.detail)
        return ""

    def tooltip(self, obj: JournalEntry, column: int) -> str | None:
        return obj.detail or None if column == self.COL_DETAIL else None


__all__ = [
    "ExportNotesModel",
    "ImportPreviewModel",
    "JournalFilterProxyModel",
    "JournalTableModel",
    "PostHistoryModel",
    "PostTableModel",
    "SchedulableModel",
    "failed_color",
    "post_tooltip",
    "short_time",
    "state_word",
    "status_word",
    "warning_color",
    "zone_name",
]
