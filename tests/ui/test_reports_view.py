"""The Reports page: computed in the background, sentences and charts shown, exports, periods, themes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCharts import QChartView
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

import ui.views.reports as reports_module
from curator.domain import Channel, Item
from curator.reports.council import CouncilReport
from curator.workspace import Workspace
from tests.core.test_reports_measures import BERLIN, NOW, berlin, build_fixture
from ui.models import StoreEventBridge
from ui.tasks import TaskRunner
from ui.views.reports import CARD_KEYS, ReportsView

LOAD_MS = 60_000
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(build_fixture(tmp_path / "ws")) as opened:
        yield opened


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """Records the thread each report is built on (the real function still runs)."""
    seen: list[threading.Thread] = []
    real = reports_module.build_report

    def recording(*args: Any, **kwargs: Any) -> CouncilReport:
        seen.append(threading.current_thread())
        kwargs["mask"] = lambda text: text  # spaCy's masking is tested in the core
        return real(*args, **kwargs)

    monkeypatch.setattr(reports_module, "build_report", recording)
    return seen


@pytest.fixture
def view(qtbot: QtBot, ws: Workspace, threads: list[threading.Thread]) -> Iterator[ReportsView]:
    runner = TaskRunner()
    bridge = StoreEventBridge(ws)
    page = ReportsView(runner, clock=lambda: NOW, zone=BERLIN)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    with qtbot.waitSignal(page.report_loaded, timeout=LOAD_MS) as first:
        page.attach(ws, bridge)
    # "now" is Monday 23 Nov 13:00 in Berlin: the current week is week 48
    assert first.args == ["2026-W48"]
    yield page
    page.detach()
    runner.shutdown()
    bridge.close()


def _show_week_47(qtbot: QtBot, page: ReportsView) -> CouncilReport:
    with qtbot.waitSignal(page.report_loaded, timeout=LOAD_MS) as loaded:
        page.previous_action.trigger()
    assert loaded.args == ["2026-W47"]
    assert page.report is not None
    return page.report


def test_the_report_is_computed_off_the_ui_thread_and_shown(
    qtbot: QtBot, view: ReportsView, threads: list[threading.Thread], qtmodeltester: Any
) -> None:
    report = _show_week_47(qtbot, view)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert view.period_label.text() == "week 47, 16–22 Nov 2026"
    assert "customers sent 6 items through 4 channels" in view.summary_labels["headline"].text()
    assert "• Conversations were resolved faster: a median of 2 h, down from 10 h." in (
        view.summary_labels["improved"].text()
    )
    assert "The tone was harsher: 60% of customer items were negative" in view.summary_labels["worse"].text()
    assert "“oat milk price”: 4 items" in view.summary_labels["hot_issues"].text()
    assert "2 drafts await approval." in view.summary_labels["pending"].text()
    cards = {key: card for key, card in zip(CARD_KEYS, view.cards, strict=True)}
    assert cards["items"].value_label.text() == "6"
    assert cards["first_response"].value_label.text() == "2 h 40 min"
    assert "worse" in cards["first_response"].change_label.text()
    # one QtCharts view per chart spec, titled as the spec
    assert len(view.chart_views) == len(report.charts) >= 5
    for chart_view, spec in zip(view.chart_views, report.charts, strict=True):
        assert isinstance(chart_view, QChartView)
        assert chart_view.chart().title() == spec.title
    assert view.figure_model.rowCount() == len(report.figures)
    assert view.issue_model.rowCount() == 3
    assert view.issue_model.index(0, view.issue_model.COL_EXAMPLE).data().startswith("“[name] here:")
    qtmodeltester.check(view.figure_model)
    qtmodeltester.check(view.issue_model)


def test_exports_run_as_tasks(qtbot: QtBot, view: ReportsView, tmp_path: Path) -> None:
    report = _show_week_47(qtbot, view)
    html_path = tmp_path / "council.html"
    with qtbot.waitSignal(view.export_finished, timeout=LOAD_MS) as html_done:
        view.export_html(str(html_path))
    assert html_done.args == [f"Saved the HTML report for 2026-W47 to {html_path}.", False]
    assert report.summary.improved[0] in html_path.read_text(encoding="utf-8")
    pdf_path = tmp_path / "council.pdf"
    with qtbot.waitSignal(view.export_finished, timeout=LOAD_MS) as pdf_done:
        view.export_pdf(str(pdf_path))
        assert not view.pdf_action.isEnabled()  # one export at a time
    sentence, failed = pdf_done.args
    assert not failed and sentence.startswith(f"Saved the PDF report for 2026-W47 to {pdf_path}")
    assert len(pypdf.PdfReader(pdf_path).pages) >= 2
    assert view.pdf_action.isEnabled()
    assert view.activity.text == sentence
    with qtbot.waitSignal(view.export_finished, timeout=LOAD_MS) as failure:
        view.export_html(str(tmp_path / "missing" / "folder" / "x.html"))
    assert failure.args[1] is True and "could not be written" in failure.args[0]


def test_period_picker(qtbot: QtBot, view: ReportsView) -> None:
    assert not view.current_action.isEnabled()  # already this week
    _show_week_47(qtbot, view)
    assert view.current_action.isEnabled()
    with qtbot.waitSignal(view.report_loaded, timeout=LOAD_MS) as loaded:
        view.kind_combo.setCurrentIndex(view.kind_combo.findData("month"))
    assert loaded.args == ["2026-11"]
    assert view.current_action.text() == "This month"
    assert "customers sent 9 items" in view.summary_labels["headline"].text()
    with qtbot.waitSignal(view.report_loaded, timeout=LOAD_MS) as loaded:
        view.next_action.trigger()
    assert loaded.args == ["2026-12"]
    assert view.summary_labels["headline"].text().startswith("2026-12 has not started yet.")
    with qtbot.waitSignal(view.report_loaded, timeout=LOAD_MS) as loaded:
        view.current_action.trigger()
    assert loaded.args == ["2026-11"]


def test_charts_follow_the_palette(qtbot: QtBot, view: ReportsView) -> None:
    _show_week_47(qtbot, view)
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#16181c"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#4c8ee6"))
    view.setPalette(dark)
    chart = view.chart_views[0].chart()
    assert chart.backgroundBrush().color() == QColor("#16181c")
    assert chart.titleBrush().color() == QColor("#e6e6e6")


def test_a_store_change_recomputes_the_shown_report(qtbot: QtBot, view: ReportsView, ws: Workspace) -> None:
    _show_week_47(qtbot, view)
    with qtbot.waitSignal(view.report_loaded, timeout=LOAD_MS):
        ws.items.save(
            Item(
                "mentions",
                "",
                "Where is my order?",
                author="@erik",
                channel=Channel.X,
                published_at=berlin(20, 10),
                id="late",
            )
        )
    assert "customers sent 7 items" in view.summary_labels["headline"].text()


def test_without_a_workspace_the_page_says_what_it_will_show(qtbot: QtBot) -> None:
    page = ReportsView(TaskRunner(), clock=lambda: NOW, zone=BERLIN)
    qtbot.addWidget(page)
    assert page.stack.currentWidget() is page.empty_state
    assert page.empty_state.title == "No workspace open"
    assert not page.pdf_action.isEnabled() and not page.previous_action.isEnabled()


def test_detach_forgets_the_report(qtbot: QtBot, view: ReportsView) -> None:
    view.detach()
    assert view.report is None and view.chart_views == []
    assert view.stack.currentWidget() is view.empty_state
    assert view.figure_model.rowCount() == 0 and not view.html_action.isEnabled()
