"""The council report as a PDF: real text, the summary on page one, charts drawn by QtCharts.

Read back with pypdf, so the test sees what a reader's viewer (or a search)
sees; the pages are also rendered with QtPdf to check they are not blank.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QSize, QThreadPool
from PySide6.QtGui import QColor
from PySide6.QtPdf import QPdfDocument

from curator.reports.council import CouncilReport, build_report
from curator.reports.render import RendererMissing, available, renderer
from curator.workspace import Workspace
from tests.core.test_reports_measures import NOW, W47, build_fixture
from ui.report_pdf import render_chart_images, write_pdf


def _words(text: str) -> str:
    """Text as extracted, comparable with a sentence: ligatures undone, whitespace single."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture
def report(tmp_path: Path) -> Iterator[CouncilReport]:
    with Workspace.open(build_fixture(tmp_path / "ws"), read_only=True) as ws:
        yield build_report(ws, W47, now=NOW, mask=lambda text: text)


def test_the_pdf_holds_the_summary_as_text_on_page_one(
    qapp: object, report: CouncilReport, tmp_path: Path
) -> None:
    path = tmp_path / "out" / "council.pdf"
    pages = write_pdf(report, path)
    reader = pypdf.PdfReader(path)
    assert pages == len(reader.pages) >= 2
    assert reader.metadata is not None and reader.metadata.title == report.title
    first = _words(reader.pages[0].extract_text())
    for sentence in (
        *report.summary.headline,
        *report.summary.improved,
        *report.summary.worse,
        *report.summary.hot_issues,
        *report.summary.pending,
    ):
        assert _words(sentence) in first, sentence
    assert "Actions pending" in first and "Figures" not in first
    second = _words(reader.pages[1].extract_text())
    assert second.startswith("Figures: Week 47 and Week 46")
    everything = _words(" ".join(page.extract_text() for page in reader.pages))
    for chart in report.charts:
        assert chart.title in everything  # each chart's heading is text; the drawing is an image
    assert "How these are counted" in everything
    assert f"Page {pages} of {pages}" in everything


def test_the_pages_are_drawn(qapp: object, report: CouncilReport, tmp_path: Path) -> None:
    path = tmp_path / "council.pdf"
    pages = write_pdf(report, path)
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    assert document.pageCount() == pages
    size = document.pagePointSize(1)
    assert round(size.width()) == 595 and round(size.height()) == 842  # A4 in points
    image = document.render(1, QSize(298, 421))
    dark = sum(
        1
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
        if QColor(image.pixel(x, y)).lightness() < 128
    )
    assert dark > 100  # text and bars, not a blank page
    document.close()


def test_charts_are_drawn_on_the_gui_thread_and_written_from_a_worker(
    qapp: object, report: CouncilReport, tmp_path: Path
) -> None:
    images = render_chart_images(report)
    assert len(images) == len(report.charts)
    # 640 CSS pixels (96 a inch) drawn at 300 dpi: 640 * 300 / 96 = 2000
    assert all(image.width() == 2000 and not image.isNull() for image in images)
    outcome: dict[str, object] = {}

    def work() -> None:  # on a pool thread, as the Reports page's export task runs
        try:
            outcome["pages"] = write_pdf(report, tmp_path / "worker.pdf", chart_images=images)
            render_chart_images(report)
        except RuntimeError as exc:
            outcome["error"] = str(exc)

    pool = QThreadPool.globalInstance()
    pool.start(work)
    assert pool.waitForDone(60_000)
    assert isinstance(outcome.get("pages"), int) and len(pypdf.PdfReader(tmp_path / "worker.pdf").pages) >= 2
    assert "GUI thread" in str(outcome.get("error"))


def test_the_core_finds_the_writer_through_its_entry_point() -> None:
    assert "pdf" in available()
    assert renderer("pdf") is write_pdf
    with pytest.raises(RendererMissing, match="cannot write DOCX reports here"):
        renderer("docx")


def test_an_unwritable_place_is_an_error(qapp: object, report: CouncilReport, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        write_pdf(report, blocker / "council.pdf")
