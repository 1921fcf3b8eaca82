"""The wall's building blocks: text that never clips, a sparkline, panel dots, cards.

Everything on the wall is painted at sizes computed from the window's
height, and every text comes from the workspace, so any of them may be too
long for its place. :class:`FitLabel` wraps up to a given number of lines
(fewer when its height allows fewer) and ends the last one with "…"; the
full text then sits in its tooltip, so nothing is ever cut mid-glyph.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: Characters a one-line label asks for at least, so a layout never squeezes it to nothing.
MIN_CHARS = 4
#: Characters per line a multi-line label prefers (a comfortable reading measure).
PREFERRED_CHARS = 48


def scaled_font(base: QFont, pixels: float, *, bold: bool = False, italic: bool = False) -> QFont:
    """``base`` at ``pixels`` pixels (at least 7, so a small preview stays drawable)."""
    font = QFont(base)
    font.setPixelSize(max(7, round(pixels)))
    font.setBold(bold)
    font.setItalic(italic)
    return font


class FitLabel(QLabel):
    """Plain text on at most ``lines`` lines, elided with "…" (and a tooltip) where it cannot fit.

    The label decides whether the text fits with the same measure a reader of
    the code would use, ``fontMetrics().boundingRect(contentsRect(), flags,
    text)``, so :meth:`is_elided` is exactly "the text would have been
    clipped". Whitespace runs are folded into single spaces: wall texts are
    single paragraphs.

    A label made with ``shrink`` below 1 (the big figures) first tries smaller
    type, down to that share of its font's size, before it elides: "2 h 30 min"
    should read whole, a little smaller, rather than "2 h…". Its size hints keep
    following the font it was given, so shrinking never moves the layout.
    """

    def __init__(
        self,
        text: str = "",
        *,
        lines: int = 1,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        shrink: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._lines = max(1, lines)
        self._shrink = min(1.0, max(0.2, shrink))
        self._base_font = QFont(self.font())
        self._shrinking = False
        self._color = QColor("#000000")
        self._elided: list[str] | None = None
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(self._lines > 1)
        self.setAlignment(align)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(self._lines > 1)
        self.setSizePolicy(policy)
        self.setText(text)

    # ------------------------------------------------------------ text
    def setText(self, text: str) -> None:
        folded = " ".join(text.split())
        if folded == self.text():
            return
        super().setText(folded)
        self._refit()
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and not self._shrinking:
            self._base_font = QFont(self.font())
            self._refit()
            self.updateGeometry()

    def set_color(self, color: QColor) -> None:
        """The colour the text is painted in."""
        if color != self._color:
            self._color = QColor(color)
            self.update()

    def color(self) -> QColor:
        """The colour the text is painted in."""
        return QColor(self._color)

    @property
    def max_lines(self) -> int:
        """The most lines this label ever uses."""
        return self._lines

    def is_elided(self) -> bool:
        """Whether the text did not fit and is shown shortened (the tooltip then holds it whole)."""
        return self._elided is not None

    def shown_lines(self) -> list[str]:
        """The lines as painted: the text's own wrapping when it fits, else the elided lines."""
        if self._elided is not None:
            return list(self._elided)
        return [self.text()] if self.text() else []

    # ------------------------------------------------------------ geometry
    def _flags(self) -> int:
        flags = int(self.alignment())
        if self._lines > 1:
            flags |= int(Qt.TextFlag.TextWordWrap)
        return flags

    def _margins_w(self) -> int:
        m = self.contentsMargins()
        return m.left() + m.right()

    def _margins_h(self) -> int:
        m = self.contentsMargins()
        return m.top() + m.bottom()

    def _block_height(self, lines: int) -> int:
        fm = self.fontMetrics()
        return fm.height() + (lines - 1) * fm.lineSpacing()

    def _base_metrics(self) -> QFontMetrics:
        """Metrics of the font the label was given (not of a shrunk one): what layouts plan with."""
        return QFontMetrics(self._base_font)

    def minimumSizeHint(self) -> QSize:
        fm = self._base_metrics()
        width = min(fm.horizontalAdvance(self.text()), fm.averageCharWidth() * MIN_CHARS)
        return QSize(width + self._margins_w(), fm.height() + self._margins_h())

    def sizeHint(self) -> QSize:
        fm = self._base_metrics()
        # The measure the fit is judged by (it counts the last glyph's overhang; the advance does not).
        width = fm.boundingRect(QRect(0, 0, 1_000_000, 1_000_000), int(self.alignment()), self.text()).width()
        if self._lines > 1:
            width = min(width, fm.averageCharWidth() * PREFERRED_CHARS)
        width = max(width, 1)
        return QSize(width + self._margins_w(), self.heightForWidth(width + self._margins_w()))

    def hasHeightForWidth(self) -> bool:
        return self._lines > 1

    def heightForWidth(self, width: int) -> int:
        fm = self._base_metrics()
        inner = max(1, width - self._margins_w())
        if self._lines == 1 or not self.text():
            return fm.height() + self._margins_h()
        needed = fm.boundingRect(QRect(0, 0, inner, 1_000_000), self._flags(), self.text()).height()
        return min(max(needed, fm.height()), self._block_height(self._lines)) + self._margins_h()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit()

    # ------------------------------------------------------------ eliding
    def _fits(self, fm: QFontMetrics, rect: QRect, text: str) -> bool:
        bounds = fm.boundingRect(rect, self._flags(), text)
        return bounds.width() <= rect.width() and bounds.height() <= rect.height()

    def _shrink_to_fit(self, text: str, rect: QRect) -> None:
        """Use the largest size between the given font's and ``shrink`` times it at which ``text`` fits."""
        base = self._base_font
        size = base.pixelSize() if base.pixelSize() > 0 else round(base.pointSizeF() * 96 / 72)
        chosen = QFont(base)
        if text and rect.width() > 0 and not self._fits(QFontMetrics(base), rect, text):
            smallest = max(1, round(size * self._shrink))
            step = max(1, round(size * 0.04))
            for pixels in range(size - step, smallest - 1, -step):
                chosen.setPixelSize(pixels)
                if self._fits(QFontMetrics(chosen), rect, text):
                    break
            else:
                chosen.setPixelSize(smallest)
        if chosen != self.font():
            self._shrinking = True
            try:
                super().setFont(chosen)
            finally:
                self._shrinking = False

    def _refit(self) -> None:
        text = self.text()
        rect = self.contentsRect()
        if self._shrink < 1.0:
            self._shrink_to_fit(text, rect)
        elided: list[str] | None = None
        if text and rect.width() > 0:
            fm = self.fontMetrics()
            bounds = fm.boundingRect(rect, self._flags(), text)
            if bounds.width() > rect.width() or bounds.height() > rect.height():
                elided = self._elide(text, rect, fm)
        self._elided = elided
        tip = text if elided is not None else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)
        self.update()

    def _elide(self, text: str, rect: QRect, fm: QFontMetrics) -> list[str]:
        room = 1 + max(0, rect.height() - fm.height()) // max(1, fm.lineSpacing())
        count = max(1, min(self._lines, room))
        if count == 1:
            return [fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())]
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        spans: list[tuple[int, int]] = []
        layout.beginLayout()
        while len(spans) < count:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            spans.append((line.textStart(), line.textLength()))
        layout.endLayout()
        out = [text[start : start + length].rstrip() for start, length in spans[:-1]]
        last = text[spans[-1][0] :] if spans else text
        out.append(fm.elidedText(last, Qt.TextElideMode.ElideRight, rect.width()))
        return out

    # ------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(self._color)
        painter.setFont(self.font())
        rect = self.contentsRect()
        if self._elided is None:
            painter.drawText(rect, self._flags(), self.text())
        else:
            fm = self.fontMetrics()
            block = self._block_height(len(self._elided))
            align = self.alignment()
            if align & Qt.AlignmentFlag.AlignBottom:
                top = rect.bottom() - block + 1
            elif align & Qt.AlignmentFlag.AlignVCenter:
                top = rect.top() + (rect.height() - block) // 2
            else:
                top = rect.top()
            horizontal = align & Qt.AlignmentFlag.AlignHorizontal_Mask
            for n, line in enumerate(self._elided):
                row = QRect(rect.left(), top + n * fm.lineSpacing(), rect.width(), fm.height())
                painter.drawText(row, int(horizontal | Qt.AlignmentFlag.AlignVCenter), line)
        painter.end()


class Sparkline(QWidget):
    """Counts per hour as a filled line, the last hour marked: the shape of a trend at a glance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: tuple[float, ...] = ()
        self._color = QColor("#6cb6ff")
        self._base = QColor("#2a3340")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_values(self, values: Sequence[float]) -> None:
        """The counts to draw, oldest first."""
        self._values = tuple(float(v) for v in values)
        self.setToolTip(f"{int(sum(self._values)):,} items in the last {len(self._values)} hours")
        self.update()

    def values(self) -> tuple[float, ...]:
        """The counts drawn, oldest first."""
        return self._values

    def set_colors(self, line: QColor, base: QColor) -> None:
        """The line's colour and the baseline's."""
        self._color, self._base = QColor(line), QColor(base)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        pen_width = max(1.5, rect.height() / 30)
        painter.setPen(QPen(self._base, max(1.0, pen_width / 2)))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        values = self._values
        if len(values) >= 2:
            top = max(values) or 1.0
            inner = rect.adjusted(0, pen_width * 2, 0, -pen_width)
            step = inner.width() / (len(values) - 1)
            points = [
                QPointF(inner.left() + i * step, inner.bottom() - (v / top) * inner.height())
                for i, v in enumerate(values)
            ]
            area = QPainterPath(QPointF(inner.left(), rect.bottom()))
            for point in points:
                area.lineTo(point)
            area.lineTo(QPointF(inner.right(), rect.bottom()))
            area.closeSubpath()
            fill = QColor(self._color)
            fill.setAlphaF(0.22)
            painter.fillPath(area, fill)
            line = QPainterPath(points[0])
            for point in points[1:]:
                line.lineTo(point)
            painter.setPen(
                QPen(
                    self._color,
                    pen_width,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
            painter.drawPath(line)
            painter.setBrush(QBrush(self._color))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(points[-1], pen_width * 1.6, pen_width * 1.6)
        painter.end()


class PanelDots(QWidget):
    """One dot per panel, the current one filled: where the rotation is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._count = 0
        self._current = 0
        self._diameter = 12
        self._on = QColor("#eef2f6")
        self._off = QColor("#a7b3c0")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_state(self, count: int, current: int) -> None:
        """How many panels there are and which one shows."""
        self._count, self._current = count, current
        self.updateGeometry()
        self.update()

    def current(self) -> int:
        """The panel marked as showing."""
        return self._current

    def set_diameter(self, pixels: int) -> None:
        """The dots' size (it follows the wall's scale)."""
        self._diameter = max(4, pixels)
        self.setFixedSize(self.sizeHint())

    def set_colors(self, on: QColor, off: QColor) -> None:
        """The current dot's colour and the others'."""
        self._on, self._off = QColor(on), QColor(off)
        self.update()

    def sizeHint(self) -> QSize:
        d = self._diameter
        return QSize(max(d, self._count * d + max(0, self._count - 1) * d), d + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        d = self._diameter
        for n in range(self._count):
            box = QRectF(n * 2 * d + 1, 1, d - 2, d - 2)
            if n == self._current:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self._on)
            else:
                painter.setPen(QPen(self._off, max(1.0, d / 8)))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(box)
        painter.end()


class Card(QWidget):
    """A rounded surface that groups one thing (a figure, a conversation, a touch point)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill = QColor("#171e27")
        self._edge = QColor("#2a3340")
        self._accent: QColor | None = None
        self._radius = 12.0

    def set_colors(self, fill: QColor, edge: QColor, accent: QColor | None = None) -> None:
        """The surface, its outline, and an optional bar down the left edge (a state colour)."""
        self._fill, self._edge = QColor(fill), QColor(edge)
        self._accent = QColor(accent) if accent is not None else None
        self.update()

    def set_radius(self, radius: float) -> None:
        """The corner radius (it follows the wall's scale)."""
        self._radius = radius
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(self._edge, 1.0))
        painter.setBrush(self._fill)
        painter.drawRoundedRect(rect, self._radius, self._radius)
        if self._accent is not None:
            bar = max(3.0, self._radius / 2)
            clip = QPainterPath()
            clip.addRoundedRect(rect, self._radius, self._radius)
            painter.setClipPath(clip)
            painter.fillRect(QRectF(rect.left(), rect.top(), bar, rect.height()), self._accent)
        painter.end()
