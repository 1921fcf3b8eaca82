"""The council report as a PDF: Qt's PDF writer over the report's own HTML.

The core cannot import Qt, so it finds this writer through the
``curator.report_renderers`` entry point (``pdf = "ui.report_pdf:write_pdf"``,
see :mod:`curator.reports.render`): ``curator report --pdf FILE`` on a server
works as long as PySide6 is installed, with Qt's offscreen platform when
there is no display.

The pages are the HTML of :func:`curator.reports.html.render_html` laid out
by :class:`QTextDocument` (so every sentence is real, selectable,
extractable text) on A4 at 300 dpi, with each chart drawn by QtCharts
(:mod:`ui.charts`) into a 300 dpi image in place of the HTML's SVG. Each page
gets a footer with the report's title and "page n of m".

QtCharts must run on the GUI thread; the rest (layout and writing) may run
in a worker. The Reports page therefore renders the chart images first, on
its own thread, and hands them to :func:`write_pdf` in a task.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSize, QSizeF, Qt, QThread, QUrl
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from curator.reports.council import CouncilReport
from curator.reports.html import CHART_HEIGHT, CHART_WIDTH, render_html

__all__ = ["DPI", "ensure_gui_application", "render_chart_images", "write_pdf"]

#: Resolution of the PDF's page geometry and of the chart images.
DPI = 300
#: Logical pixels per inch of the HTML layout (CSS pixels), as in a browser.
LAYOUT_DPI = 96
MARGIN_MM = 16.0
FOOTER_PX = 28
_app: QCoreApplication | None = None
_app_lock = threading.Lock()


def ensure_gui_application() -> QCoreApplication:
    """The running Qt application, or a new one (offscreen when there is no display).

    QtCharts items are graphics widgets, so the application created here is
    a :class:`QApplication` (a :class:`QGuiApplication` with widgets). A
    command line on a server has no ``DISPLAY`` or ``WAYLAND_DISPLAY``: Qt's
    offscreen platform is chosen then, unless ``QT_QPA_PLATFORM`` says otherwise.
    """
    global _app
    with _app_lock:
        existing = QCoreApplication.instance()
        if existing is not None:
            return existing
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        _app = QApplication(["curator-report"])
        return _app


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def render_chart_images(report: CouncilReport, *, scale: float = DPI / LAYOUT_DPI) -> list[QImage]:
    """Each chart of ``report`` as a print image (white paper, the HTML's colours).

    Call on the GUI thread; the images may then go to a worker.
    """
    from ui.charts import render_chart

    ensure_gui_application()
    if not _on_gui_thread():
        raise RuntimeError("Charts are drawn with QtCharts, which works on the GUI thread only.")
    return [render_chart(spec, QSize(CHART_WIDTH, CHART_HEIGHT), scale=scale) for spec in report.charts]


def _document(report: CouncilReport, images: Sequence[QImage]) -> QTextDocument:
    doc = QTextDocument()
    font = QFont()
    font.setFamilies(["Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans", "Liberation Sans"])
    font.setPixelSize(14)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    for n, image in enumerate(images):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"curator-chart-{n}.png"), image)
    html = render_html(report, chart_image=lambda n, _spec: f"curator-chart-{n}.png")
    doc.setHtml(_drawable(html, font))
    return doc


def _drawable(text: str, font: QFont) -> str:
    """``text`` without the pictographs (emoji) the font cannot draw, which would print as empty boxes."""
    metrics = QFontMetricsF(font)
    missing = {c for c in set(text) if ord(c) >= 0x2190 and not metrics.inFontUcs4(ord(c))}
    return "".join(c for c in text if c not in missing) if missing else text


def _keep_headings_with_next(doc: QTextDocument, page_height: float) -> None:
    """Move a heading left alone at the foot of a page to the next page, with what it heads.

    Qt's rich text knows no ``break-after: avoid``; the document is laid out,
    and each heading whose next block starts on a later page gets a page
    break before it. Going in reading order, a fix only pushes later blocks
    down, so one pass settles the document.
    """
    layout = doc.documentLayout()
    doc.pageCount()  # lay the whole document out first: block positions are final only then
    block = doc.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() > 0 and following.isValid():
            page = int(layout.blockBoundingRect(block).top() // page_height)
            # A line that does not fit is moved down to the next page inside its block.
            lines = following.layout()
            first = lines.lineAt(0).y() if lines is not None and lines.lineCount() else 0.0
            # (It then starts exactly at the page's top: allow for rounding.)
            next_page = int((layout.blockBoundingRect(following).top() + first + 0.5) // page_height)
            if next_page > page:
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(fmt)
        block = following


def write_pdf(
    report: CouncilReport, path: str | os.PathLike[str], *, chart_images: Sequence[QImage] | None = None
) -> int:
    """Write ``report`` as an A4 PDF at ``path``; returns the number of pages.

    Args:
        report: The council report.
        path: The file to write (replaced if it exists).
        chart_images: The charts already drawn (:func:`render_chart_images`), so
            this can run in a worker thread; drawn here when None, which must
            then be the GUI thread.

    Raises:
        OSError: The file cannot be written.
    """
    ensure_gui_application()
    images = list(chart_images) if chart_images is not None else render_chart_images(report)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(target))
    writer.setResolution(DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(report.title)
    writer.setCreator("Curator")
    scale = DPI / LAYOUT_DPI
    paint = writer.pageLayout().paintRectPixels(DPI)
    width, height = paint.width() / scale, paint.height() / scale
    body_height = height - FOOTER_PX
    doc = _document(report, images)
    doc.setPageSize(QSizeF(width, body_height))
    _keep_headings_with_next(doc, body_height)
    pages = max(doc.pageCount(), math.ceil(doc.size().height() / body_height))
    footer_font = QFont(doc.defaultFont())
    footer_font.setPixelSize(10)

    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"Cannot write a PDF to {target}: the file cannot be created there.")
    try:
        painter.scale(scale, scale)
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body_height)
            doc.drawContents(painter, QRectF(0, page * body_height, width, body_height))
            painter.restore()
            painter.setFont(footer_font)
            painter.setPen(Qt.GlobalColor.darkGray)
            foot = QRectF(0, height - FOOTER_PX + 10, width, FOOTER_PX - 10)
            painter.drawText(foot, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, report.title)
            painter.drawText(
                foot,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"Page {page + 1} of {pages}",
            )
    finally:
        painter.end()
    if not target.exists():
        raise OSError(f"Cannot write a PDF to {target}.")
    return pages
