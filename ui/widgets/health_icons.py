"""Small status icons for source health: ok, warning, error, new and paused.

They are painted here rather than shipped as SVG files because they are a
coloured shape and a glyph: drawing them keeps the colours next to the rules
that choose them, and a table of hundreds of sources reuses five cached
icons. Each state differs in shape as well as colour (circle, triangle,
ring, bars), so the icons still read for colour-blind users.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

#: The health states a source can show, in the order they sort (worst first).
STATES = ("error", "warning", "new", "ok", "paused")

_COLORS = {
    "ok": "#2e9d58",
    "warning": "#d99a06",
    "error": "#d13b2f",
    "new": "#3b78d8",
    "paused": "#8a94a0",
}

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


def state_color(state: str) -> QColor:
    """The colour of a state, for texts that go with its icon."""
    return QColor(_COLORS.get(state, "#8a94a0"))


@cache
def health_icon(state: str) -> QIcon:
    """The icon of ``state`` (one of :data:`STATES`), rendered at the sizes views ask for."""
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(_paint(state, size))
    return result


def _paint(state: str, size: int) -> QPixmap:
    image = QPixmap(size, size)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 16, size / 16)  # draw on a 16x16 grid
    color = state_color(state)
    white = QPen(QColor("white"), 1.8)
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
    painter.end()
    return image
