"""The Calendar page's grids: a week of hours and a month of days, painted rather than built from widgets.

A month can hold hundreds of posts. A widget per post would mean hundreds
of widgets to create, lay out and delete on every change, so both grids
paint the posts of the range they show, keep the rectangles they painted,
and hit-test those for hover, click and drag. Painting skips whatever lies
outside the area Qt asks to repaint, and the week grid scrolls its hours
without repainting its day header.

Times are laid out in the user's own time zone (the page says which); a
post's tooltip gives its time in its touch point's zone too. Colours name
touch points (the same colour for a touch point every time); the style
names the status, so it still reads for colour-blind users and in print:

* planned (imported, not approved): hatched, dashed outline: tentative;
* scheduled: solid, with a bar in the touch point's colour;
* being published: solid, with an arrow;
* published: muted, with a check mark;
* failed: red outline and a red mark.

A drag asks to move a post (:attr:`CalendarCanvas.post_move_requested`):
the week grid snaps to 15 minutes, the month grid moves to another day at
the same wall-clock time. The page runs the move in the background and
shows the post at its new place meanwhile (:meth:`CalendarCanvas.set_pending`);
if the core refuses, the post snaps back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QSizePolicy, QToolTip, QWidget

from curator.domain import PostStatus, ScheduledPost, TouchPoint, utcnow
from curator.reports.periods import MONTH_NAMES
from curator.schedule.slots import local_to_utc
from ui.theme import Theme, current_theme
from ui.views.calendar_tasks import shifted

_T = TypeVar("_T")

#: Minutes the week grid snaps a dragged post to.
SNAP_MINUTES = 15
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def touchpoint_colors(tp_ids: Iterable[str]) -> dict[str, QColor]:
    """A colour per touch point: chosen by its id, so it stays the same from session to session.

    The colours are the current theme's (its ``touchpoints``: the same hues,
    lighter on a dark background); call again after a theme switch.

    Two touch points whose ids pick the same colour are told apart by taking
    the next free one, in id order, so the result depends only on the ids.
    """
    palette = current_theme().touchpoints
    result: dict[str, QColor] = {}
    taken: set[int] = set()
    for tp_id in sorted(set(tp_ids)):
        start = int(hashlib.sha1(tp_id.encode()).hexdigest(), 16) % len(palette)
        chosen = start
        if len(taken) < len(palette):
            while chosen in taken:
                chosen = (chosen + 1) % len(palette)
        taken.add(chosen)
        result[tp_id] = QColor(palette[chosen])
    return result


def _mix(color: QColor, other: QColor, amount: float) -> QColor:
    """``color`` moved ``amount`` (0..1) of the way towards ``other``."""
    return QColor(
        round(color.red() + (other.red() - color.red()) * amount),
        round(color.green() + (other.green() - color.green()) * amount),
        round(color.blue() + (other.blue() - color.blue()) * amount),
    )


@dataclass(frozen=True)
class _GridColors:
    """The grids' colours in one theme, as QColors (a paint event asks for them once)."""

    grid: QColor
    half: QColor
    weekend: QColor
    other_month: QColor
    today_back: QColor
    today: QColor
    today_fill: QColor
    on_today: QColor
    text: QColor
    muted: QColor
    failed: QColor
    unknown: QColor
    sample: QColor


@cache
def _grid_colors(theme: Theme) -> _GridColors:
    return _GridColors(
        grid=QColor(theme.calendar_grid),
        half=QColor(theme.calendar_half),
        weekend=QColor(theme.calendar_weekend),
        other_month=QColor(theme.calendar_other_month),
        today_back=QColor(theme.calendar_today_back),
        today=QColor(theme.calendar_today),
        today_fill=QColor(theme.calendar_today_fill),
        on_today=QColor(theme.on_accent),
        text=QColor(theme.calendar_text),
        muted=QColor(theme.calendar_muted),
        failed=QColor(theme.calendar_failed),
        unknown=QColor(theme.touchpoint_unknown),
        sample=QColor(theme.calendar_sample),
    )


def _hhmm(value: datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _style(rgba: int, status: PostStatus, hovered: bool) -> tuple[QColor, QColor, QColor, QPen]:
    """(fill, bar, text colour, outline) of a post in the current theme."""
    return _themed_style(rgba, status, hovered, current_theme())


@cache
def _themed_style(
    rgba: int, status: PostStatus, hovered: bool, theme: Theme
) -> tuple[QColor, QColor, QColor, QPen]:
    # Cached (a month paints hundreds of posts); fills are the touch point's
    # colour washed towards the background, so the text reads in both themes.
    color = QColor.fromRgba(rgba)
    back = QColor(theme.base)
    text_color = QColor(theme.calendar_text)
    bar = color
    outline = QPen(Qt.PenStyle.NoPen)
    # On a dark background a wash needs more of the colour to show.
    strength = 1.6 if theme.dark else 1.0
    if status is PostStatus.PUBLISHED:
        fill = _mix(color, back, 1 - 0.12 * strength)
        bar = _mix(color, back, 0.55)
        text_color = QColor(theme.calendar_muted)
    elif status is PostStatus.PLANNED:
        fill = _mix(color, back, 1 - 0.07 * strength)
        outline = QPen(color, 1.2, Qt.PenStyle.DashLine)
    elif status is PostStatus.FAILED:
        failed = QColor(theme.calendar_failed)
        fill = QColor(theme.calendar_failed_fill)
        outline = QPen(failed, 2.0)
        bar = failed
    else:
        fill = _mix(color, back, 1 - 0.26 * strength)
    if hovered:
        fill = _mix(fill, color, 0.12)
    return fill, bar, text_color, outline


def paint_post(
    painter: QPainter,
    rect: QRectF,
    post: ScheduledPost,
    color: QColor,
    lines: list[str],
    *,
    selected: bool = False,
    hovered: bool = False,
    ghost: bool = False,
) -> None:
    """Paint one post as a block (week) or chip (month), styled by its status.

    Args:
        painter: an active painter (antialiased).
        rect: where the post goes.
        post: the post (its status decides the style).
        color: its touch point's colour.
        lines: the text lines, elided here to fit.
        selected: the post is the selected one (a strong outline).
        hovered: the pointer is over it (a slightly darker fill).
        ghost: the drop preview of a drag (translucent, dashed).
    """
    status = post.status
    r = rect.adjusted(0.5, 0.5, -0.5, -0.5)
    radius = min(4.0, r.height() / 3)
    fill, bar, text_color, outline = _style(color.rgba(), status, hovered and not ghost)
    painter.save()
    if ghost:
        painter.setOpacity(0.75)
        outline = QPen(color.darker(130), 1.5, Qt.PenStyle.DashLine)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(r, radius, radius)
    if status is PostStatus.PLANNED:
        hatch = QColor(color)
        hatch.setAlpha(70)
        painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(r, radius, radius)
    # The touch point's bar on the left edge.
    painter.setBrush(bar)
    painter.drawRoundedRect(QRectF(r.left(), r.top(), 4, r.height()), 2, 2)
    if outline.style() != Qt.PenStyle.NoPen:
        painter.setPen(outline)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(r, radius, radius)
    theme = current_theme()
    if selected:
        today = QColor(theme.calendar_today)
        painter.setPen(QPen(today.lighter(115) if theme.dark else today.darker(115), 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), radius + 1, radius + 1)

    # A status mark at the right edge: check, arrow or "!".
    metrics = QFontMetricsF(painter.font())
    line_h = metrics.height()
    mark = 0.0
    if status in (PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.PUBLISHING) and r.width() > 40:
        size = min(line_h - 2, 12.0)
        box = QRectF(r.right() - size - 4, r.top() + (min(r.height(), line_h + 4) - size) / 2, size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        if status is PostStatus.PUBLISHED:
            tick = QPainterPath()
            tick.moveTo(box.left() + box.width() * 0.12, box.top() + box.height() * 0.55)
            tick.lineTo(box.left() + box.width() * 0.42, box.top() + box.height() * 0.82)
            tick.lineTo(box.left() + box.width() * 0.9, box.top() + box.height() * 0.2)
            pen = QPen(QColor(theme.calendar_published), 1.8)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(tick)
        elif status is PostStatus.FAILED:
            painter.setBrush(QColor(theme.calendar_failed))
            painter.drawEllipse(box)
            painter.setPen(QPen(QColor(theme.calendar_failed_fill if theme.dark else theme.base), 1.6))
            cx = box.center().x()
            painter.drawLine(QPointF(cx, box.top() + 2.5), QPointF(cx, box.bottom() - 4.5))
            painter.drawPoint(QPointF(cx, box.bottom() - 2.2))
        else:
            arrow = QPainterPath()
            arrow.moveTo(box.left() + 2, box.bottom() - 2)
            arrow.lineTo(box.right() - 2, box.top() + 2)
            arrow.moveTo(box.left() + 4, box.top() + 2)
            arrow.lineTo(box.right() - 2, box.top() + 2)
            arrow.lineTo(box.right() - 2, box.bottom() - 4)
            painter.setPen(QPen(color.lighter(120) if theme.dark else color.darker(120), 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(arrow)
        mark = size + 4

    # Text, as many lines as fit.
    painter.setPen(text_color)
    left = r.left() + 8
    width = max(0.0, r.width() - 8 - 4 - mark)
    top = r.top() + max(1.0, (min(r.height(), line_h + 4) - line_h) / 2)
    for number, line in enumerate(lines):
        if top + line_h > r.bottom() + 1 and number > 0:
            break
        font = painter.font()
        if number == 0 and len(lines) > 1:
            font.setBold(True)
        painter.setFont(font)
        shown = QFontMetricsF(font).elidedText(line, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRectF(left, top, width, line_h), int(Qt.AlignmentFlag.AlignLeft), shown)
        font.setBold(False)
        painter.setFont(font)
        top += line_h
    painter.restore()


@dataclass
class _Press:
    """A mouse press on a post: maybe the start of a drag."""

    post: ScheduledPost
    pos: QPoint
    grab: QPointF  # where in the post's rectangle the pointer grabbed it
    dragging: bool = False


class CalendarCanvas(QAbstractScrollArea):
    """What both grids share: posts, colours, selection, hover, tooltips, drag and keys.

    Subclasses lay the posts out (:meth:`_layout`) and say which time a
    point means for a dragged post (:meth:`_drop_time`).
    """

    #: The selected post changed: (post id, or "" for none).
    post_selected = Signal(str)
    #: A post was double-clicked (or Enter pressed in the page): (post id).
    post_activated = Signal(str)
    #: A post was dragged to a new time: (post id, UTC datetime).
    post_move_requested = Signal(str, object)
    #: The context menu was asked for over a post: (post id, global position).
    post_context_requested = Signal(str, QPoint)
    #: PgUp/PgDn: show the previous (-1) or next (+1) week or month.
    period_step_requested = Signal(int)
    #: A day was asked for ("+3 more" in the month, a double-click on a day): (date).
    day_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo("UTC")
        self._clock: Callable[[], datetime] = utcnow
        self._posts: list[ScheduledPost] = []
        self._colors: dict[str, QColor] = {}
        self._touchpoints: dict[str, TouchPoint] = {}
        self._slots: list[tuple[datetime, str]] = []
        self._pending: dict[str, datetime] = {}
        self._selected = ""
        self._hover = ""
        self._press: _Press | None = None
        self._drop_at: datetime | None = None
        self._drop_point: QPoint | None = None
        self._blocks: list[tuple[QRectF, ScheduledPost]] = []
        self._dirty = True
        self._tooltip: Callable[[ScheduledPost], str] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.viewport().setMouseTracking(True)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.viewport().setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # ---------------------------------------------------------------- input
    def set_zone(self, zone: ZoneInfo) -> None:
        """Lay times out in ``zone`` (the user's)."""
        self._zone = zone
        self._invalidate()

    @property
    def zone(self) -> ZoneInfo:
        """The zone times are laid out in."""
        return self._zone

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Where "now" comes from (today's column, the current-time line)."""
        self._clock = clock
        self._invalidate()

    def set_tooltip_provider(self, provider: Callable[[ScheduledPost], str] | None) -> None:
        """The function that writes a post's tooltip (the model knows the touch points and warnings)."""
        self._tooltip = provider

    def set_touchpoints(self, touchpoints: Mapping[str, TouchPoint], colors: Mapping[str, QColor]) -> None:
        """Name and colour touch points by id."""
        self._touchpoints = dict(touchpoints)
        self._colors = dict(colors)
        self._invalidate()

    def set_posts(self, posts: Iterable[ScheduledPost]) -> None:
        """Show these posts (the page passes the posts of the range and filter shown)."""
        self._posts = sorted(posts, key=lambda p: (self.shown_at(p), p.id))
        ids = {p.id for p in self._posts}
        self._pending = {k: v for k, v in self._pending.items() if k in ids}
        if self._selected and self._selected not in ids:
            self._selected = ""
            self.post_selected.emit("")
        if self._press is not None and self._press.post.id not in ids:
            self._cancel_drag()
        self._invalidate()

    def set_slots(self, slots: Iterable[tuple[datetime, str]]) -> None:
        """The free posting slots to draw faintly: (UTC time, touch point id)."""
        self._slots = sorted(slots)
        self._invalidate()

    def set_pending(self, post_id: str, at: datetime | None) -> None:
        """Show ``post_id`` at ``at`` while its move runs (None: at its stored time again)."""
        if at is None:
            self._pending.pop(post_id, None)
        else:
            self._pending[post_id] = at
        self._posts.sort(key=lambda p: (self.shown_at(p), p.id))
        self._invalidate()

    def pending(self) -> dict[str, datetime]:
        """Posts shown at a new time while their move runs."""
        return dict(self._pending)

    def posts(self) -> list[ScheduledPost]:
        """The posts shown, in time order."""
        return list(self._posts)

    def shown_at(self, post: ScheduledPost) -> datetime:
        """Where a post is drawn: its pending time during a move, else its stored time."""
        return self._pending.get(post.id, post.publish_at)

    def color_of(self, post: ScheduledPost) -> QColor:
        """The colour of the post's touch point."""
        return self._colors.get(post.touchpoint_id, QColor(current_theme().touchpoint_unknown))

    # ------------------------------------------------------------ selection
    @property
    def selected_id(self) -> str:
        """The selected post's id, or "" for none."""
        return self._selected

    def selected_post(self) -> ScheduledPost | None:
        """The selected post, if it is shown."""
        return next((p for p in self._posts if p.id == self._selected), None)

    def select_post(self, post_id: str) -> None:
        """Select a post (or none with ""); a post this grid does not show cannot be selected."""
        if post_id == self._selected or (post_id and not any(p.id == post_id for p in self._posts)):
            return
        self._selected = post_id
        self.viewport().update()
        self.post_selected.emit(post_id)
        self._ensure_visible(post_id)

    def _ensure_visible(self, post_id: str) -> None:
        """Scroll so the post is visible (the week grid scrolls its hours)."""

    def _step_selection(self, step: int) -> None:
        if not self._posts:
            return
        ids = [p.id for p in self._posts]
        if self._selected in ids:
            position = max(0, min(len(ids) - 1, ids.index(self._selected) + step))
        else:
            position = 0 if step > 0 else len(ids) - 1
        self.select_post(ids[position])

    # -------------------------------------------------------------- layout
    def _invalidate(self) -> None:
        self._dirty = True
        self.viewport().update()

    def _ensure_layout(self) -> None:
        if self._dirty:
            self._blocks = self._layout()
            self._dirty = False

    def _layout(self) -> list[tuple[QRectF, ScheduledPost]]:
        """The posts' rectangles in content coordinates (see :meth:`_to_view`)."""
        raise NotImplementedError

    def _to_view(self, rect: QRectF) -> QRectF:
        """A content rectangle in viewport coordinates (the week grid scrolls)."""
        return rect

    def range_utc(self) -> tuple[datetime, datetime]:
        """The UTC instants the range shown starts and ends."""
        raise NotImplementedError

    def _drop_time(self, pos: QPoint, press: _Press) -> datetime | None:
        """The UTC time a post dragged to ``pos`` would move to (None: not over the grid)."""
        raise NotImplementedError

    def post_rect(self, post_id: str) -> QRectF | None:
        """Where a post is drawn, in viewport coordinates (None when not drawn)."""
        self._ensure_layout()
        for rect, post in self._blocks:
            if post.id == post_id:
                return self._to_view(rect)
        return None

    def post_at(self, pos: QPoint | QPointF) -> ScheduledPost | None:
        """The post drawn at a viewport point (the topmost), or None."""
        self._ensure_layout()
        point = QPointF(pos)
        for rect, post in reversed(self._blocks):
            if self._to_view(rect).contains(point):
                return post
        return None

    def drawn_post_ids(self) -> list[str]:
        """The posts drawn (not hidden behind "+k more"), in drawing order."""
        self._ensure_layout()
        return [post.id for _rect, post in self._blocks]

    def day_of(self, post: ScheduledPost) -> date:
        """The local day (user's zone) a post is drawn on."""
        return self.shown_at(post).astimezone(self._zone).date()

    def today(self) -> date:
        """Today in the user's zone."""
        return self._clock().astimezone(self._zone).date()

    def local_midnight(self, day: date) -> datetime:
        """The UTC instant a local day starts (DST-correct)."""
        return local_to_utc(datetime.combine(day, time(0)), self._zone)

    # ---------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position().toPoint()
        post = self.post_at(pos)
        self.select_post(post.id if post is not None else "")
        if post is not None:
            rect = self.post_rect(post.id) or QRectF()
            self._press = _Press(post, pos, QPointF(pos) - rect.topLeft())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        press = self._press
        if press is None:
            post = self.post_at(pos)
            hover = post.id if post is not None else ""
            if hover != self._hover:
                for changed in (self._hover, hover):
                    rect = self.post_rect(changed) if changed else None
                    if rect is not None:
                        self.viewport().update(rect.toAlignedRect().adjusted(-3, -3, 3, 3))
                self._hover = hover
                self.viewport().setCursor(
                    Qt.CursorShape.OpenHandCursor if post is not None else Qt.CursorShape.ArrowCursor
                )
            return
        if not press.dragging:
            if (pos - press.pos).manhattanLength() < QApplication.startDragDistance():
                return
            press.dragging = True
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        self._autoscroll(pos)
        self._drop_at = self._drop_time(pos, press)
        self._drop_point = pos
        self.viewport().update()
        event.accept()

    def _autoscroll(self, pos: QPoint) -> None:
        """Scroll when a drag nears the top or bottom edge (the week grid)."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if event.button() != Qt.MouseButton.LeftButton or press is None:
            super().mouseReleaseEvent(event)
            return
        target = self._drop_time(event.position().toPoint(), press) if press.dragging else None
        self._cancel_drag()
        if target is not None and target != self.shown_at(press.post):
            self.post_move_requested.emit(press.post.id, target)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        post = self.post_at(event.position().toPoint())
        if post is not None:
            self.post_activated.emit(post.id)
        event.accept()

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover:
            self._hover = ""
            self.viewport().update()
        super().leaveEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        post = self.post_at(event.pos())
        if post is None:
            return
        self.select_post(post.id)
        self.post_context_requested.emit(post.id, event.globalPos())

    def _cancel_drag(self) -> None:
        self._press = None
        self._drop_at = None
        self._drop_point = None
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        self.viewport().update()

    @property
    def dragging(self) -> bool:
        """True while a post is being dragged."""
        return self._press is not None and self._press.dragging

    # ------------------------------------------------------------------ keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if key == Qt.Key.Key_Escape and self._press is not None:
            self._cancel_drag()
        elif plain and key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._step_selection(-1)
        elif plain and key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._step_selection(1)
        elif plain and key == Qt.Key.Key_PageUp:
            self.period_step_requested.emit(-1)
        elif plain and key == Qt.Key.Key_PageDown:
            self.period_step_requested.emit(1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -------------------------------------------------------------- tooltip
    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = event.pos()  # type: ignore[attr-defined]
            text = self.tooltip_at(pos)
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip for a viewport point: the post there (or a free slot), else ""."""
        post = self.post_at(pos)
        if post is not None:
            return self._tooltip(post) if self._tooltip is not None else post.title
        return ""

    # --------------------------------------------------------------- paint
    def _post_lines(self, post: ScheduledPost, *, two_lines: bool, narrow: bool = False) -> list[str]:
        """A post's text: time and title; a narrow block (a lane of a busy hour) shows the title only."""
        local = self.shown_at(post).astimezone(self._zone)
        title = " ".join(post.title.split()) or "(untitled)"
        tp = self._touchpoints.get(post.touchpoint_id)
        if two_lines:
            where = f"{_hhmm(local)} · {tp.name}" if tp is not None else _hhmm(local)
            return [where, title]
        return [title] if narrow else [f"{_hhmm(local)} {title}"]

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.9))
        return font

    def _paint_ghost(self, painter: QPainter, rect: QRectF) -> None:
        """The drop preview: the dragged post at its new time, with the time in words."""
        if self._press is None or self._drop_at is None:
            return
        post = self._press.post
        local = self._drop_at.astimezone(self._zone)
        title = " ".join(post.title.split()) or "(untitled)"
        lines = [f"→ {_WEEKDAYS[local.weekday()]} {local.day} {_hhmm(local)}  {title}"]
        paint_post(painter, rect, post, self.color_of(post), lines, ghost=True)


class WeekGrid(CalendarCanvas):
    """Seven day columns by 24 hours; the day header stays put while the hours scroll."""

    HEADER_H = 46
    GUTTER_W = 58
    HOUR_H = 56
    BLOCK_MINUTES = 30  # how long a post looks: it is an instant, but must be readable

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarWeekGrid")
        self.setAccessibleName("Week calendar")
        self._first = date.today() - timedelta(days=date.today().weekday())
        self._slot_blocks: list[tuple[QRectF, datetime, str]] = []
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.verticalScrollBar().setSingleStep(self.HOUR_H // 4)
        self._update_scrollbar()

    def sizeHint(self) -> QSize:
        return QSize(900, 600)

    # ---------------------------------------------------------------- range
    def set_week(self, first_day: date) -> None:
        """Show the seven days from ``first_day`` (the page passes a Monday)."""
        self._first = first_day
        self._invalidate()

    @property
    def first_day(self) -> date:
        """The first day shown."""
        return self._first

    def days(self) -> list[date]:
        """The seven days shown."""
        return [self._first + timedelta(days=n) for n in range(7)]

    def range_utc(self) -> tuple[datetime, datetime]:
        """The UTC instants the week shown starts and ends (local midnights)."""
        return self.local_midnight(self._first), self.local_midnight(self._first + timedelta(days=7))

    def scroll_to_minutes(self, minutes: int) -> None:
        """Scroll so that the local time of day ``minutes`` is at the top."""
        self.verticalScrollBar().setValue(round(minutes / 60 * self.HOUR_H))

    # ------------------------------------------------------------- geometry
    def _content_height(self) -> int:
        return 24 * self.HOUR_H

    def _update_scrollbar(self) -> None:
        visible = max(0, self.viewport().height() - self.HEADER_H)
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self._content_height() - visible))
        bar.setPageStep(max(1, visible))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbar()
        self._invalidate()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # The header and the gutter are painted, not scrolled: repaint instead of blitting.
        self.viewport().update()

    def _column_width(self) -> float:
        return max(1.0, (self.viewport().width() - self.GUTTER_W) / 7)

    def _block_height(self) -> float:
        return self.BLOCK_MINUTES / 60 * self.HOUR_H

    def _to_view(self, rect: QRectF) -> QRectF:
        return rect.translated(0, self.HEADER_H - self.verticalScrollBar().value())

    def _y_of(self, minutes: float) -> float:
        """Content y of a local time of day."""
        return minutes / 60 * self.HOUR_H

    def point_for(self, day: date, minutes: int) -> QPoint:
        """The viewport point of a local day and time of day (the middle of its column)."""
        column = (day - self._first).days
        x = self.GUTTER_W + (column + 0.5) * self._column_width()
        y = self.HEADER_H + self._y_of(minutes) - self.verticalScrollBar().value()
        return QPoint(round(x), round(y))

    def column_of(self, post_id: str) -> int | None:
        """The day column (0 = first day) a post is drawn in."""
        rect = self.post_rect(post_id)
        if rect is None:
            return None
        return int((rect.center().x() - self.GUTTER_W) // self._column_width())

    def minutes_at(self, y: float) -> float:
        """The local time of day (minutes) at a viewport y."""
        return (y - self.HEADER_H + self.verticalScrollBar().value()) / self.HOUR_H * 60

    def _local(self, post: ScheduledPost) -> tuple[int, float]:
        local = self.shown_at(post).astimezone(self._zone)
        return (local.date() - self._first).days, local.hour * 60 + local.minute + local.second / 60

    def _layout(self) -> list[tuple[QRectF, ScheduledPost]]:
        per_day: dict[int, list[tuple[float, ScheduledPost]]] = {}
        for post in self._posts:
            column, minutes = self._local(post)
            if 0 <= column < 7:
                per_day.setdefault(column, []).append((self._y_of(minutes), post))
        blocks: list[tuple[QRectF, ScheduledPost]] = []
        for column, items in per_day.items():
            items.sort(key=lambda pair: (pair[0], pair[1].id))
            for rect, post in self._place(column, items):
                blocks.append((rect, post))
        # Free slots, under the posts; two touch points' slots at one time share the column too.
        slots_per_day: dict[int, list[tuple[float, tuple[datetime, str]]]] = {}
        for at, tp_id in self._slots:
            local = at.astimezone(self._zone)
            column = (local.date() - self._first).days
            if 0 <= column < 7:
                y = self._y_of(local.hour * 60 + local.minute)
                slots_per_day.setdefault(column, []).append((y, (at, tp_id)))
        self._slot_blocks = []
        for column, slots in slots_per_day.items():
            slots.sort(key=lambda pair: (pair[0], pair[1][1]))
            for rect, (at, tp_id) in self._place(column, slots):
                self._slot_blocks.append((rect, at, tp_id))
        return blocks

    def _place(self, column: int, items: list[tuple[float, _T]]) -> list[tuple[QRectF, _T]]:
        """Rectangles for one day's blocks (sorted by y): overlapping ones share the column in lanes."""
        width = self._column_width()
        height = self._block_height()
        placed: list[tuple[QRectF, _T]] = []
        cluster: list[tuple[float, _T, int]] = []
        lane_ends: list[float] = []
        cluster_end = float("-inf")

        def flush() -> None:
            lane_w = (width - 6) / max(1, len(lane_ends))
            for y, obj, lane in cluster:
                x = self.GUTTER_W + column * width + 2 + lane * lane_w
                placed.append((QRectF(x, y, lane_w - 1, height - 1), obj))

        for y, obj in items:
            if cluster and y >= cluster_end:
                flush()
                cluster, lane_ends = [], []
            lane = next((n for n, end in enumerate(lane_ends) if end <= y), None)
            if lane is None:
                lane = len(lane_ends)
                lane_ends.append(y + height)
            else:
                lane_ends[lane] = y + height
            cluster_end = max(cluster_end, y + height) if cluster else y + height
            cluster.append((y, obj, lane))
        if cluster:
            flush()
        return placed

    def _ensure_visible(self, post_id: str) -> None:
        rect = self.post_rect(post_id)
        if rect is None:
            return
        top, bottom = self.HEADER_H, self.viewport().height()
        bar = self.verticalScrollBar()
        if rect.top() < top:
            bar.setValue(bar.value() - round(top - rect.top()) - 8)
        elif rect.bottom() > bottom:
            bar.setValue(bar.value() + round(rect.bottom() - bottom) + 8)

    def _drop_time(self, pos: QPoint, press: _Press) -> datetime | None:
        column = int((pos.x() - self.GUTTER_W) // self._column_width())
        column = max(0, min(6, column))
        minutes = self.minutes_at(pos.y() - press.grab.y())
        snapped = round(minutes / SNAP_MINUTES) * SNAP_MINUTES
        snapped = max(0, min(24 * 60 - SNAP_MINUTES, snapped))
        naive = datetime.combine(self._first + timedelta(days=column), time(0)) + timedelta(minutes=snapped)
        return local_to_utc(naive, self._zone)

    def _autoscroll(self, pos: QPoint) -> None:
        bar = self.verticalScrollBar()
        if pos.y() < self.HEADER_H + 20:
            bar.setValue(bar.value() - self.HOUR_H // 4)
        elif pos.y() > self.viewport().height() - 20:
            bar.setValue(bar.value() + self.HOUR_H // 4)

    def tooltip_at(self, pos: QPoint) -> str:
        text = super().tooltip_at(pos)
        if text:
            return text
        point = QPointF(pos)
        for rect, at, tp_id in self._slot_blocks:
            if self._to_view(rect).contains(point):
                tp = self._touchpoints.get(tp_id)
                if tp is None:
                    continue
                there = at.astimezone(ZoneInfo(tp.timezone))
                return f"Free slot of {tp.name}: {_hhmm(there)} {tp.timezone}"
        return ""

    # ----------------------------------------------------------------- paint
    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._small_font())
        colors = _grid_colors(current_theme())
        clip = QRectF(event.rect())
        width = self._column_width()
        view_w = self.viewport().width()
        view_h = self.viewport().height()
        scroll = self.verticalScrollBar().value()
        today = self.today()
        days = self.days()

        # Column backgrounds: weekends and today tinted.
        for n, day in enumerate(days):
            back = colors.today_back if day == today else colors.weekend if day.weekday() >= 5 else None
            if back is not None:
                painter.fillRect(QRectF(self.GUTTER_W + n * width, self.HEADER_H, width, view_h), back)

        # Hour lines and labels (only the visible hours).
        first_hour = max(0, int(scroll / self.HOUR_H))
        last_hour = min(24, int((scroll + view_h) / self.HOUR_H) + 1)
        metrics = QFontMetricsF(painter.font())
        for hour in range(first_hour, last_hour + 1):
            y = self.HEADER_H + hour * self.HOUR_H - scroll
            painter.setPen(QPen(colors.grid, 1))
            painter.drawLine(QPointF(self.GUTTER_W, y), QPointF(view_w, y))
            half = y + self.HOUR_H / 2
            painter.setPen(QPen(colors.half, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(self.GUTTER_W, half), QPointF(view_w, half))
            if 0 < hour < 24:
                painter.setPen(colors.muted)
                label = QRectF(0, y - metrics.height() / 2, self.GUTTER_W - 8, metrics.height())
                painter.drawText(
                    label, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{hour:02d}:00"
                )
        painter.setPen(QPen(colors.grid, 1))
        for n in range(8):
            x = self.GUTTER_W + n * width
            painter.drawLine(QPointF(x, self.HEADER_H), QPointF(x, view_h))

        # Free slots, faint, under the posts.
        for rect, _at, tp_id in self._slot_blocks:
            view = self._to_view(rect)
            if not view.intersects(clip) or view.bottom() < self.HEADER_H:
                continue
            color = QColor(self._colors.get(tp_id, colors.unknown))
            color.setAlpha(22)
            painter.fillRect(view, color)
            color.setAlpha(110)
            painter.setPen(QPen(color, 1, Qt.PenStyle.DotLine))
            painter.drawLine(view.topLeft(), view.topRight())
            tp = self._touchpoints.get(tp_id)
            if tp is not None and view.height() >= metrics.height():
                painter.drawText(
                    view.adjusted(6, 1, -4, 0),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                    metrics.elidedText(f"free · {tp.name}", Qt.TextElideMode.ElideRight, view.width() - 10),
                )

        # The posts.
        two_lines = self._block_height() >= 2 * metrics.height() + 4
        for rect, post in self._blocks:
            view = self._to_view(rect)
            if not view.intersects(clip) or view.bottom() < self.HEADER_H:
                continue
            dragged = self._press is not None and self._press.dragging and self._press.post.id == post.id
            painter.save()
            if dragged:
                painter.setOpacity(0.35)
            paint_post(
                painter,
                view,
                post,
                self.color_of(post),
                self._post_lines(post, two_lines=two_lines and view.width() > 60, narrow=view.width() < 100),
                selected=post.id == self._selected,
                hovered=post.id == self._hover,
            )
            painter.restore()

        # The current time.
        if today in days:
            now = self._clock().astimezone(self._zone)
            column = (today - self._first).days
            now_y = self.HEADER_H + self._y_of(now.hour * 60 + now.minute) - scroll
            if now_y >= self.HEADER_H:
                x0 = self.GUTTER_W + column * width
                painter.setPen(QPen(colors.failed, 1.5))
                painter.drawLine(QPointF(x0, now_y), QPointF(x0 + width, now_y))
                painter.setBrush(colors.failed)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawEllipse(QPointF(x0, now_y), 3.5, 3.5)

        # The drop preview.
        if self._press is not None and self._press.dragging and self._drop_at is not None:
            local = self._drop_at.astimezone(self._zone)
            column = (local.date() - self._first).days
            drop_y = self.HEADER_H + self._y_of(local.hour * 60 + local.minute) - scroll
            rect = QRectF(self.GUTTER_W + column * width + 2, drop_y, width - 6, self._block_height() - 1)
            self._paint_ghost(painter, rect)

        self._paint_header(painter, days, today, width)
        painter.end()

    def _paint_header(self, painter: QPainter, days: list[date], today: date, width: float) -> None:
        colors = _grid_colors(current_theme())
        view_w = self.viewport().width()
        painter.fillRect(QRectF(0, 0, view_w, self.HEADER_H), self.palette().color(QPalette.ColorRole.Base))
        painter.setPen(QPen(colors.grid, 1))
        painter.drawLine(QPointF(0, self.HEADER_H - 0.5), QPointF(view_w, self.HEADER_H - 0.5))
        base = QFont(self.font())
        small = self._small_font()
        # The zone's abbreviation over the hours ("CET", "UTC").
        painter.setFont(small)
        painter.setPen(colors.muted)
        abbreviation = datetime.combine(days[0], time(12)).replace(tzinfo=self._zone).tzname() or ""
        painter.drawText(
            QRectF(0, 0, self.GUTTER_W - 6, self.HEADER_H - 4),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
            abbreviation,
        )
        big = QFont(base)
        big.setPointSizeF(base.pointSizeF() * 1.3)
        for n, day in enumerate(days):
            x = self.GUTTER_W + n * width
            is_today = day == today
            painter.setFont(small)
            painter.setPen(colors.today if is_today else colors.muted)
            painter.drawText(
                QRectF(x, 4, width, 16),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                _WEEKDAYS[day.weekday()]
                + (f" · {MONTH_NAMES[day.month - 1][:3]}" if day.day == 1 or n == 0 else ""),
            )
            painter.setFont(big)
            number = QRectF(x, 20, width, self.HEADER_H - 22)
            if is_today:
                big_metrics = QFontMetricsF(big)
                size = max(big_metrics.height(), big_metrics.horizontalAdvance("30")) + 8
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colors.today_fill)
                painter.drawEllipse(QPointF(number.center().x(), number.center().y()), size / 2, size / 2)
                painter.setPen(colors.on_today)
            else:
                painter.setPen(colors.text)
            painter.drawText(number, int(Qt.AlignmentFlag.AlignCenter), str(day.day))
        painter.setFont(base)


class MonthGrid(CalendarCanvas):
    """The month's weeks of day cells: a few chips per day, "+k more" for the rest."""

    HEADER_H = 24
    DAY_LABEL_H = 22
    CHIP_H = 19
    CHIP_GAP = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarMonthGrid")
        self.setAccessibleName("Month calendar")
        today = date.today()
        self._month = date(today.year, today.month, 1)
        self._more: list[tuple[QRectF, date, int]] = []
        self._hidden: dict[date, int] = {}
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def sizeHint(self) -> QSize:
        return QSize(900, 600)

    # ---------------------------------------------------------------- range
    def set_month(self, day: date) -> None:
        """Show the month of ``day``."""
        self._month = date(day.year, day.month, 1)
        self._invalidate()

    @property
    def month(self) -> date:
        """The first day of the month shown."""
        return self._month

    @property
    def first_day(self) -> date:
        """The Monday the weeks shown start on."""
        return self._month - timedelta(days=self._month.weekday())

    def days(self) -> list[date]:
        """The days shown: whole weeks from the Monday before the 1st to the Sunday after the last day."""
        return [self.first_day + timedelta(days=n) for n in range(self.weeks() * 7)]

    def weeks(self) -> int:
        """How many week rows the month needs (4 to 6)."""
        following = date(self._month.year + self._month.month // 12, self._month.month % 12 + 1, 1)
        return -(-(following - self.first_day).days // 7)

    def range_utc(self) -> tuple[datetime, datetime]:
        """The UTC instants the weeks shown start and end."""
        first = self.first_day
        return self.local_midnight(first), self.local_midnight(first + timedelta(days=self.weeks() * 7))

    # ------------------------------------------------------------- geometry
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._invalidate()

    def _cell(self, index: int) -> QRectF:
        width = self.viewport().width() / 7
        height = max(1.0, (self.viewport().height() - self.HEADER_H) / self.weeks())
        row, column = divmod(index, 7)
        return QRectF(column * width, self.HEADER_H + row * height, width, height)

    def cell_rect(self, day: date) -> QRectF:
        """The rectangle of a day's cell (viewport coordinates)."""
        return self._cell((day - self.first_day).days)

    def day_at(self, pos: QPoint | QPointF) -> date | None:
        """The day whose cell holds a viewport point."""
        width = self.viewport().width() / 7
        height = max(1.0, (self.viewport().height() - self.HEADER_H) / self.weeks())
        if pos.y() < self.HEADER_H:
            return None
        column = max(0, min(6, int(pos.x() // width)))
        row = max(0, min(self.weeks() - 1, int((pos.y() - self.HEADER_H) // height)))
        return self.first_day + timedelta(days=row * 7 + column)

    def capacity(self) -> int:
        """How many chips a cell holds (the last row of a full cell says "+k more")."""
        height = max(1.0, (self.viewport().height() - self.HEADER_H) / self.weeks())
        return max(1, int((height - self.DAY_LABEL_H - 2) // (self.CHIP_H + self.CHIP_GAP)))

    def _layout(self) -> list[tuple[QRectF, ScheduledPost]]:
        per_day: dict[date, list[ScheduledPost]] = {}
        for post in self._posts:
            per_day.setdefault(self.day_of(post), []).append(post)
        first = self.first_day
        capacity = self.capacity()
        blocks: list[tuple[QRectF, ScheduledPost]] = []
        self._more = []
        self._hidden = {}
        for day, posts in per_day.items():
            index = (day - first).days
            if not 0 <= index < self.weeks() * 7:
                continue
            cell = self._cell(index)
            shown = posts if len(posts) <= capacity else posts[: capacity - 1]
            y = cell.top() + self.DAY_LABEL_H
            for post in shown:
                blocks.append((QRectF(cell.left() + 3, y, cell.width() - 6, self.CHIP_H), post))
                y += self.CHIP_H + self.CHIP_GAP
            hidden = len(posts) - len(shown)
            if hidden:
                self._hidden[day] = hidden
                self._more.append((QRectF(cell.left() + 3, y, cell.width() - 6, self.CHIP_H), day, hidden))
        return blocks

    def day_counts(self, day: date) -> tuple[int, int]:
        """(chips drawn, posts behind "+k more") of a day."""
        self._ensure_layout()
        drawn = sum(1 for _rect, post in self._blocks if self.day_of(post) == day)
        return drawn, self._hidden.get(day, 0)

    def more_rect(self, day: date) -> QRectF | None:
        """Where the day's "+k more" is drawn, if it has one."""
        self._ensure_layout()
        return next((rect for rect, d, _n in self._more if d == day), None)

    def _drop_time(self, pos: QPoint, press: _Press) -> datetime | None:
        day = self.day_at(pos)
        if day is None:
            return None
        delta = (day - self.day_of(press.post)).days
        return shifted(self.shown_at(press.post), days=delta, zone=self._zone)

    # ---------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            point = event.position()
            for rect, day, _hidden in self._more:
                if rect.contains(point):
                    self.day_activated.emit(day)
                    event.accept()
                    return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        post = self.post_at(event.position().toPoint())
        if post is not None:
            self.post_activated.emit(post.id)
        else:
            day = self.day_at(event.position())
            if day is not None:
                self.day_activated.emit(day)
        event.accept()

    def tooltip_at(self, pos: QPoint) -> str:
        text = super().tooltip_at(pos)
        if text:
            return text
        for rect, day, hidden in self._more:
            if rect.contains(QPointF(pos)):
                return f"{hidden} more post{'s' * (hidden != 1)} on {day:%a} {day.day}: click to see the week"
        return ""

    # ----------------------------------------------------------------- paint
    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colors = _grid_colors(current_theme())
        small = self._small_font()
        painter.setFont(small)
        clip = QRectF(event.rect())
        view_w = self.viewport().width()
        today = self.today()
        metrics = QFontMetricsF(small)

        # Weekday names.
        width = view_w / 7
        painter.setPen(colors.muted)
        for n, name in enumerate(_WEEKDAYS):
            painter.drawText(
                QRectF(n * width, 0, width, self.HEADER_H),
                int(Qt.AlignmentFlag.AlignCenter),
                name,
            )
        # Cells.
        for index, day in enumerate(self.days()):
            cell = self._cell(index)
            if not cell.intersects(clip):
                continue
            if day.month != self._month.month:
                painter.fillRect(cell, colors.other_month)
            elif day == today:
                painter.fillRect(cell, colors.today_back)
            elif day.weekday() >= 5:
                painter.fillRect(cell, colors.weekend)
            painter.setPen(QPen(colors.grid, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(cell)
            label = str(day.day) if day.day != 1 else f"{day.day} {MONTH_NAMES[day.month - 1][:3]}"
            label_rect = QRectF(cell.left() + 6, cell.top() + 3, cell.width() - 12, self.DAY_LABEL_H - 4)
            if day == today:
                size = max(metrics.height(), metrics.horizontalAdvance("30")) + 7
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colors.today_fill)
                center = QPointF(label_rect.left() + size / 2 - 2, label_rect.center().y())
                painter.drawEllipse(center, size / 2, size / 2)
                painter.setPen(colors.on_today)
                label_rect = QRectF(center.x() - size / 2, center.y() - size / 2, size, size)
                painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignCenter), label)
            else:
                painter.setPen(colors.muted if day.month != self._month.month else colors.text)
                painter.drawText(
                    label_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label
                )

        for rect, post in self._blocks:
            if not rect.intersects(clip):
                continue
            dragged = self._press is not None and self._press.dragging and self._press.post.id == post.id
            painter.save()
            if dragged:
                painter.setOpacity(0.35)
            paint_post(
                painter,
                rect,
                post,
                self.color_of(post),
                self._post_lines(post, two_lines=False),
                selected=post.id == self._selected,
                hovered=post.id == self._hover,
            )
            painter.restore()
        painter.setPen(colors.today if current_theme().dark else colors.today.darker(110))
        for rect, _day, hidden in self._more:
            if rect.intersects(clip):
                painter.drawText(
                    rect.adjusted(8, 0, 0, 0),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    f"+{hidden} more",
                )

        if self._press is not None and self._press.dragging and self._drop_at is not None:
            day = self._drop_at.astimezone(self._zone).date()
            if 0 <= (day - self.first_day).days < self.weeks() * 7:
                cell = self.cell_rect(day)
                painter.setPen(QPen(colors.today, 2, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(cell.adjusted(1, 1, -1, -1))
                ghost = QRectF(cell.left() + 3, cell.top() + self.DAY_LABEL_H, cell.width() - 6, self.CHIP_H)
                self._paint_ghost(painter, ghost)
        painter.end()


class CalendarLegend(QWidget):
    """The touch points' colours and the status styles, flowing over as many lines as the width needs."""

    _SAMPLES = (
        (PostStatus.PLANNED, "Planned"),
        (PostStatus.SCHEDULED, "Scheduled"),
        (PostStatus.PUBLISHED, "Published"),
        (PostStatus.FAILED, "Failed"),
    )
    _SAMPLE_W = 92.0
    _GAP = 16.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarLegend")
        self._entries: list[tuple[str, QColor, str]] = []
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_touchpoints(self, touchpoints: Iterable[TouchPoint], colors: Mapping[str, QColor]) -> None:
        """List these touch points in their colours (the zone is in the tooltip)."""
        unknown = QColor(current_theme().touchpoint_unknown)
        self._entries = [
            (tp.name, colors.get(tp.id, unknown), f"{tp.name}: posts at {tp.timezone} time")
            for tp in sorted(touchpoints, key=lambda t: t.name.casefold())
        ]
        self.updateGeometry()
        self.update()

    def entries(self) -> list[str]:
        """The touch points listed, as shown."""
        return [text for text, _color, _tip in self._entries]

    def _line_height(self) -> float:
        return QFontMetricsF(self.font()).height() + 6

    def _items(self, width: float) -> list[tuple[QRectF, int]]:
        """Each entry's rectangle (touch points first, then the status samples, -1 - n) in flow order."""
        metrics = QFontMetricsF(self.font())
        line = self._line_height()
        sizes = [(16 + metrics.horizontalAdvance(text), n) for n, (text, _c, _t) in enumerate(self._entries)]
        sizes += [(self._SAMPLE_W, -1 - n) for n in range(len(self._SAMPLES))]
        placed: list[tuple[QRectF, int]] = []
        x = y = 0.0
        for item_w, key in sizes:
            if x > 0 and x + item_w > width:
                x, y = 0.0, y + line
            placed.append((QRectF(x, y, item_w, line), key))
            x += item_w + (self._GAP if key >= 0 else 6)
        return placed

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        items = self._items(float(width))
        return round(max((rect.bottom() for rect, _key in items), default=self._line_height()))

    def sizeHint(self) -> QSize:
        return QSize(600, self.heightForWidth(max(600, self.width())))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            point = QPointF(event.pos())  # type: ignore[attr-defined]
            for rect, key in self._items(float(self.width())):
                if key >= 0 and rect.contains(point):
                    QToolTip.showText(event.globalPos(), self._entries[key][2], self)  # type: ignore[attr-defined]
                    return True
            QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(self.font())
        colors = _grid_colors(current_theme())
        gray = colors.sample
        for rect, key in self._items(float(self.width())):
            if key >= 0:
                text, color, _tip = self._entries[key]
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                top = rect.top() + (rect.height() - metrics.height()) / 2
                painter.drawRoundedRect(QRectF(rect.left(), top + 2, 12, metrics.height() - 4), 3, 3)
                painter.setPen(colors.text)
                painter.drawText(QRectF(rect.left() + 16, top, rect.width() - 16, metrics.height()), text)
            else:
                status, label = self._SAMPLES[-1 - key]
                post = ScheduledPost("", "", datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")), status=status)
                paint_post(painter, rect.adjusted(0, 2, 0, -2), post, gray, [label])
        painter.end()


__all__ = [
    "SNAP_MINUTES",
    "CalendarCanvas",
    "CalendarLegend",
    "MonthGrid",
    "WeekGrid",
    "paint_post",
    "touchpoint_colors",
]
