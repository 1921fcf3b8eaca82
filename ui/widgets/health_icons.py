"""Small status icons for source health: ok, warning, error, new and paused.

They are painted here rather than shipped as SVG files because they are a
coloured shape and a glyph: drawing them keeps each state's shape in one
place, and a table of hundreds of sources reuses five cached icons. Each
state differs in shape as well as colour (circle, triangle, ring, bars), so
the icons still read for colour-blind users. The colours come from the
theme in use, and each icon redraws itself after a theme switch
(ui.assets.painted_icon).
"""

from __future__ import annotations

from functools import cache, partial

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen

from ui.assets import painted_icon
from ui.theme import Theme, current_theme

#: The health states a source can show, in the order they sort (worst first).
STATES = ("error", "warning", "new", "ok", "paused")

_LABELS = {
    "ok": "OK",
    "warning": "Warning",
    "error": "Error",
    "new": "New",
    "paused": "Paused",
}


def state_label(state: str) -> str:
    """The word for a state, as the Status column and accessibility text say it."""
    return _LABELS.get(state, state.capitalize())


def state_color(state: str, theme: Theme | None = None) -> QColor:
    """The colour of a state in ``theme`` (default: the current one), for texts that go with its icon."""
    health = (theme or current_theme()).health
    return QColor(health.get(state, health["paused"]))


@cache
def health_icon(state: str) -> QIcon:
    """The icon of ``state`` (one of :data:`STATES`): drawn in the current theme at the size asked for."""
    return painted_icon(f"health:{state}", partial(_paint, state))


def _paint(state: str, painter: QPainter, size: float, theme: Theme) -> None:
    painter.scale(size / 16, size / 16)  # draw on a 16x16 grid
    color = state_color(state, theme)
    white = QPen(QColor(theme.health["glyph"]), 1.8)
    white.setCapStyle(Qt.PenCapStyle.RoundCap)
    white.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    circle = QRectF(1.5, 1.5, 13, 13)
    if state == "warning":
        triangle = QPainterPath()
        triangle.moveTo(8, 1.2)
        triangle.lineTo(15.2, 14.4)
        triangle.lineTo(0.8, 14.4)
        triangle.closeSubpath()
        painter.fillPath(triangle, QBrush(color))
        painter.setPen(white)
        painter.drawLine(QPointF(8, 5.6), QPointF(8, 9.4))
        painter.drawPoint(QPointF(8, 12.0))
    elif state == "new":
        painter.setPen(QPen(color, 2.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QRectF(2.5, 2.5, 11, 11))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(QRectF(6, 6, 4, 4))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(circle)
        painter.setPen(white)
        if state == "ok":
            path = QPainterPath()
            path.moveTo(4.8, 8.2)
            path.lineTo(7.1, 10.4)
            path.lineTo(11.3, 5.8)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        elif state == "error":
            painter.drawLine(QPointF(5.4, 5.4), QPointF(10.6, 10.6))
            painter.drawLine(QPointF(10.6, 5.4), QPointF(5.4, 10.6))
        elif state == "paused":
            painter.drawLine(QPointF(6.4, 5.2), QPointF(6.4, 10.8))
            painter.drawLine(QPointF(9.6, 5.2), QPointF(9.6, 10.8))
