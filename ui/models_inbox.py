"""Qt models of the Inbox page: the conversations, one conversation's timeline, and the rule editors.

:class:`InboxTableModel` holds every live conversation (all groups and
statuses); :class:`InboxFilterProxyModel` shows one queue (urgent, reply, no
reply) narrowed by channel, assignee, issue, status and search, and counts
each queue under the same filters. The rows come from the page's refresh job
(the desk computes explanations and last messages across several tables, so
a row cannot be fetched alone); each refresh is applied as a diff, so only
the first load resets the model. The timer column is computed from the clock
when drawn: :meth:`InboxTableModel.tick` announces that column alone once a
second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QRectF,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter

from curator.domain import Channel, utcnow
from ui.assets import painted_icon
from ui.formatting import channel_label, excerpt, full_time, human_time, one_line
from ui.models import (
    AnyIndex,
    DomainObjectRole,
    ListTableModel,
    SearchRole,
    SortRole,
    StoreTableModel,
    TableFilterProxyModel,
)
from ui.theme import COLOR_ROLES, Theme, current_theme, follow_theme
from ui.views.inbox_tasks import (
    GROUP_NAMES,
    MASKING,
    NONE,
    OPEN,
    REPLY,
    RESOLVED,
    STATUS_NAMES,
    URGENT,
    WAITING,
    EarlierConversation,
    InboxRow,
    MovedItem,
    TimelineEntry,
    pseudonym,
)
from ui.widgets.health_icons import health_icon
from ui.widgets.timers import single_shot

if TYPE_CHECKING:
    from curator.triage.targets import ResponseTargets, Timer

#: Returns the row's live :class:`~curator.triage.targets.Timer` (or None).
TimerRole = Qt.ItemDataRole.UserRole + 20
#: Returns the timer's state: "ok", "warning", "breached" or "" without a timer.
TimerStateRole = Qt.ItemDataRole.UserRole + 21


def warning_color() -> QColor:
    """A timer in its warning window, in the current theme."""
    return QColor(current_theme().warning)


def breached_color() -> QColor:
    """A missed response target, in the current theme."""
    return QColor(current_theme().danger)


def quiet_color() -> QColor:
    """Secondary text: masked messages, defaults, events in the timeline."""
    return QColor(current_theme().muted_text)


_STATE_COLORS = {"warning": warning_color, "breached": breached_color, "": quiet_color}


def state_color(state: str) -> QColor | None:
    """The text colour of a timer state ("warning", "breached", "" for none; None for "ok")."""
    color = _STATE_COLORS.get(state)
    return color() if color is not None else None


def __getattr__(name: str) -> QColor:
    # These were constants; they now follow the theme.
    legacy = {"WARNING_COLOR": warning_color, "BREACHED_COLOR": breached_color, "QUIET_COLOR": quiet_color}
    if name in legacy:
        return legacy[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_GROUP_RANK = {NONE: 0, REPLY: 1, URGENT: 2}
#: The roles the Inbox model answers; a view asks for more on every paint.
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        DomainObjectRole,
        SortRole,
        SearchRole,
        TimerRole,
        TimerStateRole,
    }
)
_FAR = datetime.max.replace(tzinfo=None)

_CHANNEL_LETTERS = {Channel.EMAIL: "@", Channel.REVIEW: "★", Channel.FORUM: "F"}


@cache
def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


@cache
def channel_icon(channel: Channel) -> QIcon:
    """A small round badge in the channel's colour with its letter, drawn in the current theme."""
    return painted_icon(f"channel:{channel.value}", partial(_paint_channel, channel))


def _paint_channel(channel: Channel, painter: QPainter, size: float, theme: Theme) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(theme.channels.get(channel.value, theme.channel_fallback)))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(8, int(size * 0.58)))
    painter.setFont(font)
    painter.setPen(QColor("white"))  # every badge colour is dark enough for white, in both themes
    letter = _CHANNEL_LETTERS.get(channel, channel_label(channel)[:1].upper())
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)


def _clock_span(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 10:
        return f"{hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}:{seconds:02d}"


def timer_text(timer: Timer | None, status: str = OPEN, group: str = REPLY) -> str:
    """The timer cell: "12:05 left" under an hour (counting down), "3h 20m left", "Late 5h 02m"."""
    if timer is None:
        if status == RESOLVED:
            return "Resolved"
        if status == WAITING:
            return "Waiting"
        return "No target" if group == NONE else "—"
    if timer.state == "breached":
        return f"Late {_clock_span(-timer.remaining)}"
    return f"{_clock_span(timer.remaining)} left"


class InboxTableModel(StoreTableModel):
    """Every live conversation of the workspace, in the desk's order (urgent first, then due)."""

    COL_TIMER, COL_CUSTOMER, COL_CHANNEL, COL_LAST, COL_WHY, COL_ASSIGNEE = range(6)
    HEADERS = ("Due", "Customer", "Channel", "Last message", "Why", "Assignee")
    DEFAULT_SORT = (COL_TIMER, Qt.SortOrder.AscendingOrder)

    def __init__(self, parent: QObject | None = None, *, clock: Callable[[], datetime] = utcnow) -> None:
        """Create an empty model.

        Args:
            parent: Qt parent.
            clock: The time the timers count down to (injectable for tests).
        """
        super().__init__(parent)
        self._clock = clock
        self._targets: ResponseTargets | None = None
        self._reveal = False
        self._timer_fn: Callable[..., Timer | None] | None = None
        self._timer_keys: dict[str, tuple[str, int] | None] = {}
        self._targets_seen: ResponseTargets | None = None
        self._texts: dict[tuple[str, int], str] = {}
        follow_theme(self)

    # ------------------------------------------------------------- loading
    def apply_rows(self, rows: Sequence[InboxRow], targets: ResponseTargets) -> None:
        """Take a fresh read: the first one resets the model, later ones change only what changed."""
        self._targets = targets
        if not self._loaded_once:
            self._loaded_once = True
            self._targets_seen = targets
            self.set_rows(rows)
            self._timer_keys = self._timer_keys_now()
            self.rows_loaded.emit()
            return
        fresh = {row.id: row for row in rows}
        self.remove_ids([row.id for row in self._rows if row.id not in fresh])
        index = self._index()
        # A text masked since the read started stays masked (the read did not know it yet).
        rows = [
            replace(row, last_masked=old.last_masked)
            if row.last_masked is None
            and row.id in index
            and (old := self._rows[index[row.id]]).last_text == row.last_text
            and old.last_masked is not None
            else row
            for row in rows
        ]
        changed = [row for row in rows if row.id not in index or self._rows[index[row.id]] != row]
        if changed:
            self.upsert(changed)
        if targets != self._targets_seen:
            self._targets_seen = targets
            self._timer_keys.clear()  # new targets: every timer may read differently
        self.tick()

    def set_masked(self, masked: Mapping[str, str]) -> None:
        """Hand in masked last messages (text -> masked) computed in a worker."""
        for row_number, row in enumerate(self._rows):
            if row.last_masked is None and row.last_text in masked:
                self._rows[row_number] = replace(row, last_masked=masked[row.last_text])
                self._texts.pop((row.id, self.COL_LAST), None)
                self._texts.pop((row.id, -1), None)
                cell = self.index(row_number, self.COL_LAST)
                self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])

    def unmasked_texts(self) -> list[str]:
        """Last messages still waiting to be masked."""
        return list(dict.fromkeys(row.last_text for row in self._rows if row.last_masked is None))

    def clear(self) -> None:
        """Forget every row (the workspace closes)."""
        super().clear()
        self._targets = self._targets_seen = None
        self._timer_keys.clear()

    # --------------------------------------------------------------- timers
    @property
    def targets(self) -> ResponseTargets | None:
        """The response targets the timers use (None until loaded)."""
        return self._targets

    def now(self) -> datetime:
        """The clock's time."""
        return self._clock()

    def timer_of(self, row: InboxRow) -> Timer | None:
        """The conversation's timer now."""
        if self._targets is None:
            return None
        if self._timer_fn is None:
            from curator.triage.targets import timer  # loaded by the worker that read the rows

            self._timer_fn = timer
        return self._timer_fn(row.conversation, self._clock(), self._targets)

    def tick(self) -> None:
        """Announce the timer cells whose text or colour changed since the last tick (the clock moved).

        Only those cells, one by one: a view repaints just a changed cell, but the whole table for a
        range. Under an hour a timer changes every second; above, once a minute.
        """
        if not self._rows or self._targets is None:
            return
        now = self._clock().timestamp()
        windows: dict[tuple[str, str], float] = {}
        roles = [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ToolTipRole,
            TimerRole,
            TimerStateRole,
        ]
        for number, row in enumerate(self._rows):
            key = self._timer_key(row.conversation, now, windows)
            if self._timer_keys.get(row.id) != key:
                self._timer_keys[row.id] = key
                cell = self.index(number, self.COL_TIMER)
                self.dataChanged.emit(cell, cell, roles)

    def _timer_keys_now(self) -> dict[str, tuple[str, int] | None]:
        now = self._clock().timestamp()
        windows: dict[tuple[str, str], float] = {}
        return {row.id: self._timer_key(row.conversation, now, windows) for row in self._rows}

    def _timer_key(
        self, conv: Any, now: float, windows: dict[tuple[str, str], float]
    ) -> tuple[str, int] | None:
        """What the timer cell shows, coarsely: its state and the second (or minute) it shows."""
        if conv.status != OPEN or conv.due_at is None or conv.awaiting_since is None:
            return None
        assert self._targets is not None
        remaining = conv.due_at.timestamp() - now
        combo = (str(conv.channel), str(conv.group))
        window = windows.get(combo)
        if window is None:
            minutes = self._targets.minutes(conv.channel, conv.group)
            window = self._targets.warning_window(minutes).total_seconds() if minutes else 0.0
            windows[combo] = window
        state = "b" if remaining < 0 else "w" if remaining <= window else "o"
        return state, int(remaining) if abs(remaining) < 3600 else int(remaining // 60)

    # ------------------------------------------------------------- masking
    @property
    def reveal_personal_data(self) -> bool:
        """Whether names and original texts are shown."""
        return self._reveal

    def set_reveal_personal_data(self, reveal: bool) -> None:
        """Show the original names and texts (True) or the masked ones (False)."""
        if reveal == self._reveal:
            return
        self._reveal = reveal
        self._texts.clear()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.COL_CUSTOMER),
                self.index(len(self._rows) - 1, self.COL_LAST),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    def customer_of(self, row: InboxRow) -> str:
        """The customer's name, or a pseudonym while personal data is hidden."""
        return one_line(row.conversation.customer) if self._reveal else pseudonym(row.id)

    def last_text_of(self, row: InboxRow) -> str:
        """The last message as the screen may show it."""
        if self._reveal:
            return row.last_text
        return row.last_masked if row.last_masked is not None else MASKING

    # ----------------------------------------------------------------- cells
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks about ten roles per cell on every paint; most have no answer here.
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row: InboxRow = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole and column != self.COL_TIMER:
            return self._text(row, column)
        if role == TimerRole:
            return self.timer_of(row)
        if role == TimerStateRole:
            timer = self.timer_of(row)
            return timer.state if timer is not None else ""
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            if column == self.COL_TIMER:
                timer = self.timer_of(row)
                state = timer.state if timer is not None else ""
                if role == Qt.ItemDataRole.ForegroundRole:
                    return state_color(state)
                return _bold() if state in ("warning", "breached") else None
            if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_LAST and row.last_masked is None:
                return None if self._reveal else quiet_color()
            return None
        return super().data(index, role)

    def _text(self, row: InboxRow, column: int) -> str:
        key = (row.id, column)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = self.display(row, column)
        return text

    def _forget_texts(self, ids: Iterable[str] | None = None) -> None:
        """Drop cached cell texts (of ``ids``, or all)."""
        if ids is None:
            self._texts.clear()
            return
        wanted = set(ids)
        for key in [key for key in self._texts if key[0] in wanted]:
            del self._texts[key]

    def set_rows(self, rows: Iterable[Any]) -> None:
        self._texts.clear()
        super().set_rows(rows)

    def upsert(self, objs: Iterable[Any]) -> None:
        objs = list(objs)
        self._forget_texts(obj.id for obj in objs)
        super().upsert(objs)

    def remove_ids(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        self._forget_texts(ids)
        for obj_id in ids:
            self._timer_keys.pop(obj_id, None)
        super().remove_ids(ids)

    def display(self, obj: InboxRow, column: int) -> str:
        conv = obj.conversation
        if column == self.COL_TIMER:
            return timer_text(self.timer_of(obj), conv.status, conv.group)
        if column == self.COL_CUSTOMER:
            return self.customer_of(obj)
        if column == self.COL_CHANNEL:
            return channel_label(conv.channel)
        if column == self.COL_LAST:
            return excerpt(self.last_text_of(obj), 200)
        if column == self.COL_WHY:
            return obj.explanation
        if column == self.COL_ASSIGNEE:
            if obj.assignee_name:
                return obj.assignee_name
            return f"{conv.expert_group.capitalize()} queue" if conv.expert_group else "Unassigned"
        return ""

    def decoration(self, obj: InboxRow, column: int) -> QIcon | None:
        if column == self.COL_CHANNEL:
            return channel_icon(obj.conversation.channel)
        if column == self.COL_TIMER:
            timer = self.timer_of(obj)
            if timer is not None and timer.state != "ok":
                return health_icon("error" if timer.state == "breached" else "warning")
        return None

    def tooltip(self, obj: InboxRow, column: int) -> str | None:
        conv = obj.conversation
        if column == self.COL_TIMER:
            timer = self.timer_of(obj)
            if timer is None:
                return STATUS_NAMES.get(conv.status, "")
            where = channel_label(conv.channel)
            return (
                f"Answer by {full_time(timer.due_at)}: the target is {timer.target_minutes} min for "
                f"{GROUP_NAMES.get(conv.group, conv.group).lower()} messages on {where}."
            )
        if column == self.COL_LAST:
            return self.last_text_of(obj)
        if column == self.COL_WHY:
            lines = [obj.explanation]
            if obj.hidden_items:
                lines.append(f"{obj.hidden_items} message(s) hidden from shared screens")
            return "\n".join(line for line in lines if line) or None
        if column == self.COL_ASSIGNEE:
            return conv.routed_by or None
        if column == self.COL_CUSTOMER:
            opened = human_time(conv.opened_at, self._clock())
            return f"{self.customer_of(obj)} — {len(conv.item_ids)} message(s) since {opened}"
        return None

    def sort_value(self, obj: InboxRow, column: int) -> Any:
        conv = obj.conversation
        if column == self.COL_TIMER:
            # The desk's order: urgent first, then the earliest due, then the newest message.
            due = conv.due_at.replace(tzinfo=None) if conv.due_at is not None else _FAR
            last = conv.last_customer_at or conv.opened_at
            return (-_GROUP_RANK.get(conv.group, 0), due, -last.timestamp())
        if column == self.COL_CUSTOMER:
            return self.customer_of(obj).casefold()
        return self.display(obj, column).casefold()

    def search_text(self, obj: InboxRow) -> str:
        key = (obj.id, -1)
        text = self._texts.get(key)
        if text is None:
            conv = obj.conversation
            parts = (
                self.customer_of(obj),
                self.last_text_of(obj),
                obj.explanation,
                obj.assignee_name,
                conv.expert_group,
                channel_label(conv.channel),
            )
            text = self._texts[key] = " ".join(parts).casefold()
        return text

    def row_object(self, row: int) -> InboxRow:
        """The row's :class:`~ui.views.inbox_tasks.InboxRow`."""
        found: InboxRow = self._rows[row]
        return found


#: Assignee filter values besides a person's id.
ANYONE, UNASSIGNED = None, ""
GROUP_PREFIX = "group:"


class InboxFilterProxyModel(TableFilterProxyModel):
    """One queue of the Inbox, narrowed by channel, assignee, issue, status and search.

    Filters read the rows' objects directly, not ``data()``. Source changes
    are filtered and counted again once per burst rather than row by row:
    the tick announces the timer column of every row each second (which no
    filter reads), and a refresh may change hundreds of rows at once.
    """

    #: The per-queue counts changed: {group: count}.
    counts_changed = Signal(dict)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: str | None = URGENT
        self._statuses: frozenset[str] = frozenset({OPEN, WAITING})
        self._channel: Channel | None = None
        self._assignee: str | None = ANYONE
        self._issue: str | None = None
        self._search = ""
        self._counts: dict[str, int] = {URGENT: 0, REPLY: 0, NONE: 0}
        self._refilter = False
        self.setDynamicSortFilter(False)
        self._settle_timer = single_shot(self, 0, self.settle)

    def setSourceModel(self, source: Any) -> None:
        old = self.sourceModel()
        if old is not None:
            for signal in (old.modelReset, old.rowsInserted, old.rowsRemoved, old.layoutChanged):
                signal.disconnect(self._on_source_rows_changed)
            old.dataChanged.disconnect(self._on_source_data_changed)
        super().setSourceModel(source)
        for signal in (source.modelReset, source.rowsInserted, source.rowsRemoved, source.layoutChanged):
            signal.connect(self._on_source_rows_changed)
        source.dataChanged.connect(self._on_source_data_changed)
        self._recount()

    # ------------------------------------------------------------- filters
    @property
    def queue(self) -> str | None:
        """The triage group shown ("urgent", "reply", "none"), None for all."""
        return self._queue

    @property
    def counts(self) -> dict[str, int]:
        """Conversations per queue under the other filters."""
        return dict(self._counts)

    @property
    def filtering(self) -> bool:
        """Whether a filter other than the queue and the default statuses narrows the list."""
        return bool(
            self._channel
            or self._assignee is not ANYONE
            or self._issue
            or self._search
            or self._statuses != frozenset({OPEN, WAITING})
        )

    def set_queue(self, group: str | None) -> None:
        """Show one triage group (None: every group)."""
        self._change("_queue", group, recount=False)

    def set_statuses(self, statuses: Iterable[str]) -> None:
        """Show conversations in these statuses."""
        self._change("_statuses", frozenset(statuses))

    def set_channel(self, channel: Channel | None) -> None:
        """Show one channel (None: all)."""
        self._change("_channel", channel)

    def set_assignee(self, assignee: str | None) -> None:
        """A person's id, ``""`` for unassigned, ``"group:<name>"`` for an expert group, None for anyone."""
        self._change("_assignee", assignee)

    def set_issue(self, issue_id: str | None) -> None:
        """Show conversations about one hot issue (None: any)."""
        self._change("_issue", issue_id)

    def set_search_text(self, text: str) -> None:
        """Show conversations whose customer, last message, reason or assignee contain ``text``."""
        self._change("_search", text.strip().casefold())

    def _change(self, name: str, value: Any, *, recount: bool = True) -> None:
        if getattr(self, name) == value:
            return
        self.beginFilterChange()
        setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        if recount:
            self._recount()

    def _accepts(self, model: InboxTableModel, row: InboxRow) -> bool:
        conv = row.conversation
        if conv.status not in self._statuses:
            return False
        if self._channel is not None and conv.channel != self._channel:
            return False
        if self._assignee is not None:
            if self._assignee.startswith(GROUP_PREFIX):
                if conv.expert_group != self._assignee[len(GROUP_PREFIX) :]:
                    return False
            elif conv.assignee_id != self._assignee:
                return False
        if self._issue is not None and self._issue not in row.issue_ids:
            return False
        return not self._search or self._search in model.search_text(row)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, InboxTableModel) or source_parent.isValid():
            return True
        row = model.row_object(source_row)
        if self._queue is not None and row.conversation.group != self._queue:
            return False
        return self._accepts(model, row)

    # ------------------------------------------------------- source changes
    def _on_source_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: Any = None) -> None:
        if top.column() == bottom.column() == InboxTableModel.COL_TIMER:
            return  # the tick: nothing a filter or a count reads
        if roles and set(roles) <= set(COLOR_ROLES):
            return  # a theme switch: colours only
        self._refilter = True
        self._settle_timer.start()

    def _on_source_rows_changed(self, *_args: Any) -> None:
        # Inserted rows are filtered as they arrive; only the counts wait for the burst to end.
        self._settle_timer.start()

    def settle(self) -> None:
        """Filter changed rows and count the queues now (otherwise done once the event loop is idle)."""
        self._settle_timer.stop()
        if self._refilter:
            self._refilter = False
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self._recount()

    def _recount(self) -> None:
        model = self.sourceModel()
        counts = {URGENT: 0, REPLY: 0, NONE: 0}
        if isinstance(model, InboxTableModel):
            for row in model.objects():
                if self._accepts(model, row):
                    group = str(row.conversation.group)
                    counts[group] = counts.get(group, 0) + 1
        if counts != self._counts:
            self._counts = counts
            self.counts_changed.emit(dict(counts))


# --------------------------------------------------------------------------- the pane
class TimelineModel(QAbstractListModel):
    """One conversation's messages, replies, notes and events in time order (one reset per load)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[TimelineEntry] = []
        self._reveal = False

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override signature
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text_of(entry)
        if role == DomainObjectRole:
            return entry
        if role == Qt.ItemDataRole.ToolTipRole:
            return full_time(entry.at)
        return None

    def text_of(self, entry: TimelineEntry) -> str:
        """The entry's text as the screen may show it."""
        return entry.text if self._reveal else entry.text_masked

    def author_of(self, entry: TimelineEntry) -> str:
        """Who, as the screen may show it."""
        return entry.author if self._reveal else entry.author_masked

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        """Show another conversation (or the same one reloaded)."""
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[TimelineEntry]:
        """A copy of the entries."""
        return list(self._entries)

    def set_reveal_personal_data(self, reveal: bool) -> None:
        """Show original (True) or masked (False) names and texts."""
        if reveal == self._reveal:
            return
        self._reveal = reveal
        if self._entries:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._entries) - 1, 0))


class EarlierModel(ListTableModel):
    """The customer's other conversations."""

    COL_OPENED, COL_CHANNEL, COL_STATUS, COL_MESSAGES = range(4)
    HEADERS = ("Opened", "Channel", "Status", "Messages")
    NUMERIC_COLUMNS = frozenset({COL_MESSAGES})

    def display(self, obj: EarlierConversation, column: int) -> str:
        if column == self.COL_OPENED:
            return human_time(obj.opened_at)
        if column == self.COL_CHANNEL:
            return channel_label(obj.channel)
        if column == self.COL_STATUS:
            return f"{STATUS_NAMES.get(obj.status, obj.status)} · {GROUP_NAMES.get(obj.group, obj.group)}"
        if column == self.COL_MESSAGES:
            return str(obj.messages)
        return ""


# --------------------------------------------------------------------------- the rule editors
@dataclass
class TermRow:
    """One watched term being edited."""

    phrase: str
    group: str | None
    weight: float


class WatchedTermsModel(ListTableModel):
    """The watched terms of the triage rules, editable in place."""

    COL_PHRASE, COL_GROUP, COL_WEIGHT = range(3)
    HEADERS = ("Word or phrase", "Forces", "Weight")
    #: The "Forces" choices: (value, label).
    GROUP_CHOICES: tuple[tuple[str | None, str], ...] = (
        (URGENT, "Urgent"),
        (REPLY, "Reply"),
        (None, "Nothing (weighs in)"),
    )

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DomainObjectRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_PHRASE:
                return row.phrase
            if column == self.COL_GROUP:
                return dict(self.GROUP_CHOICES).get(row.group, "")
            if column == self.COL_WEIGHT:
                return f"{row.weight:g}"
        if role == Qt.ItemDataRole.EditRole:
            if column == self.COL_PHRASE:
                return row.phrase
            if column == self.COL_GROUP:
                return row.group or ""
            if column == self.COL_WEIGHT:
                return row.weight
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_WEIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        row = self._rows[index.row()]
        column = index.column()
        if column == self.COL_PHRASE:
            row.phrase = str(value).strip()
        elif column == self.COL_GROUP:
            row.group = str(value) if value in (URGENT, REPLY) else None
        elif column == self.COL_WEIGHT:
            try:
                row.weight = float(value)
            except (TypeError, ValueError):
                return False
        else:
            return False
        self.dataChanged.emit(index, index)
        return True

    def set_terms(self, terms: Iterable[TermRow]) -> None:
        """Replace the list (one reset)."""
        self.beginResetModel()
        self._rows = [TermRow(t.phrase, t.group, t.weight) for t in terms]
        self.endResetModel()

    def terms(self) -> list[TermRow]:
        """The terms as edited (empty phrases left out)."""
        return [TermRow(t.phrase, t.group, t.weight) for t in self._rows if t.phrase.strip()]

    def add_term(self, phrase: str = "", group: str | None = REPLY, weight: float = 1.0) -> int:
        """Append a term; returns its row."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(TermRow(phrase, group, weight))
        self.endInsertRows()
        return row

    def remove_term(self, row: int) -> None:
        """Remove the term of ``row``."""
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()


@dataclass
class TargetRow:
    """One line of the targets editor: a channel (or the default) and its minutes (None: no target)."""

    key: str
    label: str
    urgent: int | None
    reply: int | None
    own: bool = True


class TargetsModel(ListTableModel):
    """Minutes to answer per channel and group, editable; the first row is the default."""

    COL_CHANNEL, COL_URGENT, COL_REPLY = range(3)
    HEADERS = ("Channel", "Urgent (min)", "Reply (min)")
    DEFAULT_KEY = ""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        follow_theme(self)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() != self.COL_CHANNEL:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _default(self) -> TargetRow | None:
        return self._rows[0] if self._rows else None

    def _effective(self, row: TargetRow) -> TargetRow:
        default = self._default()
        return (
            row
            if row.own or default is None
            else TargetRow(row.key, row.label, default.urgent, default.reply)
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        shown = self._effective(row)
        column = index.column()
        value = shown.urgent if column == self.COL_URGENT else shown.reply
        if role == DomainObjectRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_CHANNEL:
                return row.label
            text = f"{value:,}" if value else "No target"
            return text if row.own else f"{text} (default)"
        if role == Qt.ItemDataRole.EditRole and column != self.COL_CHANNEL:
            return value or 0
        if role == Qt.ItemDataRole.ForegroundRole and not row.own and column != self.COL_CHANNEL:
            return quiet_color()
        if role == Qt.ItemDataRole.TextAlignmentRole and column != self.COL_CHANNEL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == self.COL_CHANNEL:
            return False
        if not 0 <= index.row() < len(self._rows):
            return False
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            return False
        row = self._rows[index.row()]
        if not row.own:
            shown = self._effective(row)
            row.urgent, row.reply, row.own = shown.urgent, shown.reply, True
        if index.column() == self.COL_URGENT:
            row.urgent = minutes or None
        else:
            row.reply = minutes or None
        if index.row() == 0:
            # Rows that follow the default follow its change.
            self.dataChanged.emit(
                self.index(0, self.COL_URGENT), self.index(len(self._rows) - 1, self.COL_REPLY)
            )
        else:
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.COL_REPLY))
        return True

    def set_rows(self, rows: Iterable[TargetRow]) -> None:
        """Replace the rows (one reset); the first is the default."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[TargetRow]:
        """The rows as edited."""
        return [replace(row) for row in self._rows]

    def use_default(self, row: int) -> None:
        """Let a channel follow the default again."""
        if 0 < row < len(self._rows):
            self._rows[row].own = False
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.COL_REPLY))


class MovedItemsModel(ListTableModel):
    """The messages a rule change would move, masked unless personal data is revealed."""

    COL_MOVE, COL_CHANNEL, COL_TEXT, COL_WHY = range(4)
    HEADERS = ("Move", "Channel", "Message", "New reasons")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reveal = False

    def display(self, obj: MovedItem, column: int) -> str:
        if column == self.COL_MOVE:
            return f"{GROUP_NAMES.get(obj.old, obj.old)} → {GROUP_NAMES.get(obj.new, obj.new)}"
        if column == self.COL_CHANNEL:
            return channel_label(obj.channel)
        if column == self.COL_TEXT:
            return excerpt(obj.text if self.reveal else obj.text_masked, 160)
        if column == self.COL_WHY:
            return obj.new_reasons
        return ""

    def tooltip(self, obj: MovedItem, column: int) -> str | None:
        if column == self.COL_TEXT:
            return obj.text if self.reveal else obj.text_masked
        if column == self.COL_WHY:
            return obj.new_reasons or None
        return None


__all__ = [
    "ANYONE",
    "GROUP_PREFIX",
    "UNASSIGNED",
    "DomainObjectRole",
    "EarlierModel",
    "InboxFilterProxyModel",
    "InboxTableModel",
    "MovedItemsModel",
    "TargetRow",
    "TargetsModel",
    "TermRow",
    "TimelineModel",
    "TimerRole",
    "TimerStateRole",
    "WatchedTermsModel",
    "breached_color",
    "channel_icon",
    "quiet_color",
    "state_color",
    "timer_text",
    "warning_color",
]
