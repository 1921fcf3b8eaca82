"""The Sources page of the listening centre, driven like a user would, offscreen.

Feeds come from a loopback HTTP server (tests/httpserver.py); nothing here
reaches the internet. File dialogs are replaced with monkeypatched
``QFileDialog`` functions, and the remove confirmation with a recorder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QLabel, QTableView, QWidget

from curator.domain import Channel, Item, Source, SourceKind, utcnow
from curator.workspace import Workspace
from tests.httpserver import HttpServer
from tests.ui.helpers import populate
from ui.models import (
    DomainObjectRole,
    ItemTableModel,
    MentionPreviewModel,
    RowErrorModel,
    SourceTableModel,
    StoreEventBridge,
    StreamFilterProxyModel,
)
from ui.tasks import TaskRunner
from ui.views import sources as sources_module
from ui.views.mentions_dialog import NOT_MAPPED
from ui.views.source_dialogs import url_problem
from ui.views.sources import SourcesView, confirm
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.health_icons import health_icon

# The offscreen platform warns whenever a top-level window's size limits change
# (a dialog growing to show an inline error, the page as a test's top-level
# widget); real platforms apply them. Nothing else may warn.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
LEFT = Qt.MouseButton.LeftButton


# ------------------------------------------------------------------ helpers
def rss(title: str, entries: Sequence[str], base: str = "https://loopback.example/posts") -> bytes:
    """An RSS 2.0 document whose entries were published a few minutes apart, newest first."""
    items = "".join(
        f"<item><title>{entry}</title><link>{base}/{n}</link><guid>{base}/{n}</guid>"
        f"<description>Entry {n}: {entry}, as customers told it in their own words.</description>"
        f"<pubDate>{format_datetime(utcnow() - timedelta(minutes=5 + 10 * n), usegmt=True)}</pubDate></item>"
        for n, entry in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://loopback.example/</link><description>Test feed</description>"
        f"{items}</channel></rss>"
    ).encode()


def _column(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _titles_shown(view: SourcesView) -> list[str]:
    proxy = view.items_proxy
    return [proxy.index(row, 0).data(DomainObjectRole).title for row in range(proxy.rowCount())]


def _row_of(view: SourcesView, title: str) -> int:
    proxy = view.sources_proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(DomainObjectRole).title == title:
            return row
    raise AssertionError(f"no source {title!r} in the table")


def _select(view: SourcesView, *titles: str) -> None:
    selection = view.sources_table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for title in titles:
        selection.select(view.sources_proxy.index(_row_of(view, title), 0), flags)


def _activate(qtbot, view: SourcesView) -> None:
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=5000)


def _count_items(workspace: Workspace) -> None:
    """Store each source's item count, as the ingest service does when it stores items."""
    counts = workspace.items.count_by_source()
    with workspace.transaction():
        for source in workspace.sources.list():
            source.item_count = counts.get(source.id, 0)
            workspace.sources.save(source)


def _wait_for_message(qtbot, view: SourcesView, timeout: int = 15_000) -> str:
    qtbot.waitUntil(lambda: view.activity.kind in ("info", "warning", "error"), timeout=timeout)
    return view.activity.text


class Workspaces:
    """Creates workspaces in tmp and closes them after the views that show them."""

    def __init__(self, tmp_path: Path) -> None:
        self._tmp = tmp_path
        self._open: list[Workspace] = []

    def create(self, name: str = "ws", *, populated: bool = False, read_only: bool = False) -> Workspace:
        path = self._tmp / name
        workspace = Workspace.open(path, create=True)
        if populated:
            populate(workspace)
            _count_items(workspace)
        if read_only:
            workspace.close()
            workspace = Workspace.open(path, read_only=True)
        self._open.append(workspace)
        return workspace

    def close_all(self) -> None:
        for workspace in self._open:
            workspace.close()


@pytest.fixture
def workspaces(tmp_path: Path) -> Iterator[Workspaces]:
    factory = Workspaces(tmp_path)
    yield factory
    factory.close_all()


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(10_000), "a background task was still running"


@pytest.fixture
def open_view(
    qtbot, runner: TaskRunner, workspaces: Workspaces
) -> Iterator[Callable[[Workspace], SourcesView]]:
    """Opens a Sources page on a workspace; detaches it (and ends its tasks) before the workspace closes."""
    opened: list[tuple[SourcesView, StoreEventBridge]] = []

    def open_(workspace: Workspace) -> SourcesView:
        bridge = StoreEventBridge(workspace)
        view = SourcesView(runner)
        qtbot.addWidget(view)
        view.resize(1180, 760)
        view.show()
        qtbot.waitExposed(view)
        view.attach(workspace, bridge)
        qtbot.waitUntil(lambda: view.sources_model.loaded and view.items_model.loaded, timeout=10_000)
        opened.append((view, bridge))
        return view

    yield open_
    for view, bridge in opened:
        view.detach()
        bridge.close()
    runner.shutdown(10_000)


@pytest.fixture
def feed_server() -> Iterator[HttpServer]:
    """The loopback server of tests/httpserver.py.

    Not the shared ``http_server`` fixture: its thread check counts the
    stand-ins Python creates for Qt's pool threads (which never end) as
    leaks; this suite's autouse check already excludes those and fails on
    any real leftover thread.
    """
    with HttpServer() as server:
        yield server


# ------------------------------------------------------------- adding sources
def test_add_source_through_the_dialog_shows_it_with_its_items(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route(
        "/feed.xml",
        body=rss("Loopback Roasters", ["Oat milk surcharge explained", "Winter blend reviewed"]),
        headers=RSS_HEADERS,
        delay=0.3,
    )
    view = open_view(workspaces.create())
    assert view.stack.currentWidget() is view.empty_state
    qtbot.mouseClick(view.empty_state.action_button, LEFT)
    dialog = view.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.add_button.isEnabled()  # nothing typed yet
    qtbot.keyClicks(dialog.url_edit, feed_server.url("/feed.xml"))
    dialog.fields.channel_combo.setCurrentIndex(dialog.fields.channel_combo.findData(Channel.BLOG))
    qtbot.keyClicks(dialog.fields.category_combo.lineEdit(), "Roasters")
    qtbot.mouseClick(dialog.add_button, LEFT)

    # The dialog stays open, busy, while the address is fetched in the background.
    assert dialog.isVisible() and dialog.running
    assert not dialog.fields.isEnabled() and dialog.busy.isVisible()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 2, timeout=10_000)
    assert view.sources_model.rowCount() == 1
    source = view.sources_model.object_at(0)
    assert (source.title, source.channel, source.category) == ("Loopback Roasters", Channel.BLOG, "Roasters")
    assert sorted(_titles_shown(view)) == ["Oat milk surcharge explained", "Winter blend reviewed"]
    assert view.activity.text == "Added “Loopback Roasters” with 2 items."
    assert view.stack.currentWidget() is not view.empty_state
    # The source row follows the add's second commit (its items and count) a moment later.
    qtbot.waitUntil(lambda: _column(view.sources_table, SourceTableModel.COL_ITEMS) == ["2"], timeout=5000)
    assert "curator" in feed_server.requests_to("/feed.xml")[0].headers["user-agent"].lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Enter the address"),
        ("example.com/feed.xml", "Start the address with https://"),
        ("ftp://example.com/feed.xml", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("https://", "names no server"),
        ("https://exa mple.com/feed", "cannot contain spaces"),
        ("https://example.com/feed.xml", None),
        ("HTTP://EXAMPLE.COM/rss", None),
    ],
)
def test_url_problem_accepts_only_web_addresses(text: str, expected: str | None) -> None:
    problem = url_problem(text)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_add_dialog_explains_an_unusable_address_inline_without_fetching(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    view = open_view(workspaces.create())
    view.add_action.trigger()
    dialog = view.add_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.url_edit, "ftp://example.com/feed.xml")
    assert dialog.url_message.isVisible()
    assert "Only http and https" in dialog.url_message.text()
    assert not dialog.add_button.isEnabled()
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)  # Enter does not start it either
    assert not dialog.running and dialog.isVisible()
    dialog.url_edit.setText(feed_server.url("/feed.xml"))
    assert not dialog.url_message.isVisible()
    assert dialog.add_button.isEnabled()
    assert feed_server.requests == []


def test_add_dialog_shows_a_broken_address_inline_and_keeps_the_fields(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/gone.xml", status=404, body=b"not here")
    view = open_view(workspaces.create())
    view.add_action.trigger()
    dialog = view.add_dialog
    assert dialog is not None
    url = feed_server.url("/gone.xml")
    dialog.url_edit.setText(url)
    dialog.fields.title_edit.setText("Kept title")
    qtbot.mouseClick(dialog.add_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert "404" in dialog.error_label.text()
    assert dialog.isVisible()  # no modal box; the dialog keeps what was typed
    assert dialog.fields.isEnabled() and dialog.add_button.isEnabled()
    assert dialog.url_edit.text() == url and dialog.fields.title_edit.text() == "Kept title"
    assert QApplication.activeModalWidget() in (None, dialog)
    assert view.sources_model.rowCount() == 0


def test_a_web_page_offers_the_feeds_it_announces_as_choices(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    page = (
        b"<!doctype html><html><head><title>Loopback blog</title>"
        b'<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.xml">'
        b'<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments.xml">'
        b"</head><body><p>Hello</p></body></html>"
    )
    feed_server.route("/blog", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    feed_server.route("/posts.xml", body=rss("Posts", ["A post"]), headers=RSS_HEADERS)
    feed_server.route("/comments.xml", body=rss("Comments", ["A comment", "Another"]), headers=RSS_HEADERS)
    view = open_view(workspaces.create())
    view.add_action.trigger()
    dialog = view.add_dialog
    assert dialog is not None
    dialog.url_edit.setText(feed_server.url("/blog"))
    qtbot.mouseClick(dialog.add_button, LEFT)
    qtbot.waitUntil(lambda: len(dialog.candidate_buttons) == 2, timeout=15_000)
    assert "web page, not a feed" in dialog.error_label.text()
    assert [button.text() for button in dialog.candidate_buttons] == [
        feed_server.url("/posts.xml"),
        feed_server.url("/comments.xml"),
    ]
    qtbot.mouseClick(dialog.candidate_buttons[1], LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: view.sources_model.rowCount() == 1, timeout=5000)
    assert view.sources_model.object_at(0).url == feed_server.url("/comments.xml")
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 2, timeout=5000)


# ------------------------------------------------------------------ fetching
def _add_feed(workspace: Workspace, url: str) -> Source:
    """Add a loopback feed through the core, as another window or the CLI would."""
    from curator.ingest.service import IngestService

    return IngestService(workspace).add_source(url)


def test_fetch_now_with_f5_brings_new_items_and_says_what_it_did(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/feed.xml", body=rss("Loopback", ["First", "Second"]), headers=RSS_HEADERS)
    workspace = workspaces.create()
    _add_feed(workspace, feed_server.url("/feed.xml"))
    view = open_view(workspace)
    assert view.items_proxy.rowCount() == 2
    assert view.fetch_action.text() == "Fetch All"
    feed_server.route("/feed.xml", body=rss("Loopback", ["Breaking", "First", "Second"]), headers=RSS_HEADERS)
    _activate(qtbot, view)
    view.sources_table.setFocus()
    qtbot.keyClick(view.sources_table, Qt.Key.Key_F5)
    assert view.activity.kind == "busy" and view.activity.progress.isVisible()
    assert not view.fetch_action.isEnabled()  # one page job at a time
    text = _wait_for_message(qtbot, view)
    assert text == "Fetched 1 source: 1 new item."
    assert view.activity.kind == "info"
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 3, timeout=5000)
    assert "Breaking" in _titles_shown(view)
    qtbot.waitUntil(lambda: _column(view.sources_table, SourceTableModel.COL_ITEMS) == ["3"], timeout=5000)
    assert _column(view.sources_table, SourceTableModel.COL_LAST_FETCH) == ["Just now"]
    assert view.fetch_action.isEnabled()
    assert len(feed_server.requests_to("/feed.xml")) == 2


def test_fetch_only_the_selected_sources(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/a.xml", body=rss("Feed A", ["A1"]), headers=RSS_HEADERS)
    feed_server.route("/b.xml", body=rss("Feed B", ["B1"], base="https://b.example/p"), headers=RSS_HEADERS)
    workspace = workspaces.create()
    _add_feed(workspace, feed_server.url("/a.xml"))
    _add_feed(workspace, feed_server.url("/b.xml"))
    view = open_view(workspace)
    _select(view, "Feed B")
    assert view.fetch_action.text() == "Fetch Selected"
    view.fetch_action.trigger()
    assert _wait_for_message(qtbot, view).startswith("Fetched 1 source:")
    assert len(feed_server.requests_to("/a.xml")) == 1  # only the add
    assert len(feed_server.requests_to("/b.xml")) == 2


def test_a_failing_source_shows_the_error_icon_and_sentence_not_a_dialog(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/feed.xml", body=rss("Flaky", ["One"]), headers=RSS_HEADERS)
    workspace = workspaces.create()
    _add_feed(workspace, feed_server.url("/feed.xml"))
    view = open_view(workspace)
    title_cell = view.sources_proxy.index(0, SourceTableModel.COL_TITLE)
    assert title_cell.data(Qt.ItemDataRole.DecorationRole).cacheKey() == health_icon("ok").cacheKey()
    feed_server.route("/feed.xml", status=500, body=b"oops")
    view.fetch_now()
    text = _wait_for_message(qtbot, view)
    assert "1 with errors" in text and "500" in text
    assert view.activity.kind == "error"  # every source of the pass failed
    qtbot.waitUntil(lambda: view.sources_model.object_at(0).health == "error", timeout=5000)
    title_cell = view.sources_proxy.index(0, SourceTableModel.COL_TITLE)
    assert title_cell.data(Qt.ItemDataRole.DecorationRole).cacheKey() == health_icon("error").cacheKey()
    assert "500" in title_cell.data(Qt.ItemDataRole.ToolTipRole)
    status = view.sources_proxy.index(0, SourceTableModel.COL_STATUS)
    assert status.data().startswith("Error · ")
    assert "failing for" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert view.header.summary_label.text().endswith("1 failing")
    assert QApplication.activeModalWidget() is None


def test_one_failing_source_among_several_is_a_warning_naming_it(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/good.xml", body=rss("Good Feed", ["Fine"]), headers=RSS_HEADERS)
    feed_server.route(
        "/bad.xml", body=rss("Bad Feed", ["Soon gone"], base="https://bad.example/p"), headers=RSS_HEADERS
    )
    workspace = workspaces.create()
    _add_feed(workspace, feed_server.url("/good.xml"))
    _add_feed(workspace, feed_server.url("/bad.xml"))
    feed_server.route("/bad.xml", status=404)
    view = open_view(workspace)
    view.fetch_now()
    text = _wait_for_message(qtbot, view)
    assert text.startswith("Fetched 2 sources: 0 new items")
    assert "Bad Feed: " in text and "404" in text
    assert view.activity.kind == "warning"
    qtbot.waitUntil(
        lambda: view.header.summary_label.text() == "2 sources · 2 items · 1 failing", timeout=5000
    )


def test_a_running_fetch_shows_progress_and_can_be_cancelled(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/feed.xml", body=rss("Slow", ["One"]), headers=RSS_HEADERS)
    workspace = workspaces.create()
    _add_feed(workspace, feed_server.url("/feed.xml"))
    feed_server.route("/feed.xml", body=rss("Slow", ["One"]), headers=RSS_HEADERS, delay=30)
    view = open_view(workspace)
    view.fetch_now()
    assert view.activity.kind == "busy"
    assert view.activity.cancel_button.isVisible()
    qtbot.waitUntil(lambda: len(feed_server.requests_to("/feed.xml")) == 2, timeout=10_000)
    started = time.monotonic()
    qtbot.mouseClick(view.activity.cancel_button, LEFT)
    text = _wait_for_message(qtbot, view, timeout=5000)
    assert time.monotonic() - started < 3
    assert text == "Fetch cancelled after 0 of 1 sources; 0 new items kept."
    assert view.fetch_action.isEnabled()


# ------------------------------------------------------------------- removing
def test_remove_asks_how_many_items_go_with_it_then_removes(
    qtbot, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    asked: list[str] = []
    answer = [False]

    def fake_confirm(_parent, _title: str, text: str, _detail: str, action: str) -> bool:
        asked.append(text)
        assert action == "Remove"
        return answer[0]

    monkeypatch.setattr(sources_module, "confirm", fake_confirm)
    view = open_view(workspaces.create(populated=True))
    assert not view.remove_action.isEnabled()  # nothing selected
    _select(view, "Brew Forum")
    assert view.remove_action.isEnabled()
    _activate(qtbot, view)
    view.sources_table.setFocus()
    qtbot.keyClick(view.sources_table, Qt.Key.Key_Delete)
    assert asked == ["Remove “Brew Forum” and the 2 items it brought?"]
    assert view.sources_model.rowCount() == 3  # declined: nothing happens
    assert view.activity.kind == ""

    answer[0] = True
    qtbot.keyClick(view.sources_table, Qt.Key.Key_Delete)
    assert _wait_for_message(qtbot, view) == "Removed Brew Forum and 2 items."
    qtbot.waitUntil(lambda: view.sources_model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 4, timeout=5000)
    assert "Brew Forum" not in _column(view.sources_table, SourceTableModel.COL_TITLE)
    assert not any(title.startswith("Brew Forum") for title in _titles_shown(view))


def test_remove_of_several_sources_names_them_together(
    qtbot, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(sources_module, "confirm", lambda _p, _t, text, _d, _a: asked.append(text) or False)
    view = open_view(workspaces.create(populated=True))
    _select(view, "Brew Forum", "AppShelf reviews")
    view.remove_selected()
    assert asked == ["Remove 2 sources and the 4 items they brought?"]


def _answer_next_box(button_text: str) -> None:
    """Click a button of the next modal box once it is up (it runs its own event loop)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, click)
            return
        for button in box.findChildren(QAbstractButton):
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no {button_text!r} button in {box!r}")

    QTimer.singleShot(0, click)


def test_the_confirmation_box_names_the_act_and_defaults_to_cancel(qtbot) -> None:
    parent = QTableView()
    qtbot.addWidget(parent)
    _answer_next_box("Remove")
    assert confirm(parent, "Remove Source", "Remove “X”?", "This cannot be undone.", "Remove") is True
    _answer_next_box("Cancel")
    assert confirm(parent, "Remove Source", "Remove “X”?", "This cannot be undone.", "Remove") is False


# -------------------------------------------------------------------- editing
def test_edit_dialog_saves_settings_in_the_background(qtbot, workspaces: Workspaces, open_view) -> None:
    workspace = workspaces.create(populated=True)
    view = open_view(workspace)
    row = _row_of(view, "AppShelf reviews")
    where = view.sources_table.visualRect(view.sources_proxy.index(row, 1)).center()
    qtbot.mouseClick(view.sources_table.viewport(), LEFT, pos=where)
    qtbot.mouseDClick(view.sources_table.viewport(), LEFT, pos=where)
    dialog = view.edit_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.fields.title_edit.text() == "AppShelf reviews"
    assert dialog.enabled_check.isChecked()
    dialog.fields.category_combo.setCurrentText("Apps")
    dialog.fields.interval_spin.setValue(120)
    dialog.enabled_check.setChecked(False)
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert view.activity.text == "Saved “AppShelf reviews”."
    saved = next(s for s in workspace.sources.list() if s.title == "AppShelf reviews")
    assert (saved.category, saved.fetch_interval_minutes, saved.enabled) == ("Apps", 120, False)
    assert saved.item_count == 2  # fields the dialog does not show are kept
    qtbot.waitUntil(
        lambda: view.sources_proxy.index(_row_of(view, "AppShelf reviews"), 5).data() == "Paused",
        timeout=5000,
    )
    cell = view.sources_proxy.index(_row_of(view, "AppShelf reviews"), SourceTableModel.COL_TITLE)
    assert cell.data(Qt.ItemDataRole.DecorationRole).cacheKey() == health_icon("paused").cacheKey()


def test_read_only_workspace_offers_no_changes(workspaces: Workspaces, open_view) -> None:
    workspaces.create("shared", populated=True)
    view = open_view(workspaces.create("shared", read_only=True))
    _select(view, "Brew Forum")
    for action in (
        view.add_action,
        view.edit_action,
        view.remove_action,
        view.fetch_action,
        view.import_opml_action,
        view.import_mentions_action,
    ):
        assert not action.isEnabled(), action.text()
    assert view.export_opml_action.isEnabled()


def test_ctrl_n_opens_the_add_dialog_and_delete_only_acts_on_the_sources_table(
    qtbot, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(sources_module, "confirm", lambda _p, _t, text, _d, _a: asked.append(text) or False)
    view = open_view(workspaces.create(populated=True))
    _activate(qtbot, view)
    _select(view, "Brew Forum")
    view.items_table.setFocus()
    qtbot.keyClick(view.items_table, Qt.Key.Key_Delete)
    assert asked == []  # reading the stream, Delete does not remove a source
    view.sources_table.setFocus()
    qtbot.keyClick(view.sources_table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert view.add_dialog is not None
    qtbot.waitUntil(lambda: view.add_dialog.isVisible(), timeout=2000)
    view.add_dialog.reject()


# ------------------------------------------------------------ stream filters
def _filter_workspace(workspaces: Workspaces) -> Workspace:
    workspace = workspaces.create(populated=True)
    bean = next(s for s in workspace.sources.list() if s.title == "Bean Market Daily")
    workspace.items.save(
        Item(
            source_id=bean.id,
            title="Bean Market Daily archive",
            text="An old story.",
            channel=Channel.NEWS,
            published_at=utcnow() - timedelta(days=3),
        )
    )
    _count_items(workspace)
    return workspace


def test_channel_time_and_source_filters_narrow_the_stream(qtbot, workspaces: Workspaces, open_view) -> None:
    view = open_view(_filter_workspace(workspaces))
    assert view.items_proxy.rowCount() == 7
    assert view.stream_count_label.text() == "7 items"

    view.channel_combo.setCurrentIndex(view.channel_combo.findData(Channel.REVIEW))
    assert sorted(_titles_shown(view)) == ["AppShelf reviews item 0", "AppShelf reviews item 1"]
    assert view.stream_count_label.text() == "2 of 7 match"
    view.channel_combo.setCurrentIndex(0)

    view.time_combo.setCurrentText("Last hour")
    assert _titles_shown(view) == ["Brew Forum item 0"]
    view.time_combo.setCurrentText("Last 7 days")
    assert view.items_proxy.rowCount() == 7
    view.time_combo.setCurrentText("Last 24 hours")
    assert view.items_proxy.rowCount() == 6
    view.time_combo.setCurrentText("Any time")

    _select(view, "Bean Market Daily")
    assert sorted(_titles_shown(view)) == [
        "Bean Market Daily archive",
        "Bean Market Daily item 0",
        "Bean Market Daily item 1",
    ]
    assert view.stream_label.text() == "Items from Bean Market Daily"
    _select(view, "Bean Market Daily", "AppShelf reviews")
    assert view.items_proxy.rowCount() == 5
    assert view.stream_label.text() == "Items from 2 sources"
    qtbot.keyClicks(view.search_edit, "item 1")
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 2, timeout=3000)
    assert view.stream_count_label.text() == "2 of 7 match"
    view.sources_table.clearSelection()
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 3, timeout=3000)  # "item 1" of each source
    assert view.stream_label.text() == "Recent items"


def _dupe_workspace(workspaces: Workspaces) -> tuple[Workspace, Item]:
    workspace = workspaces.create()
    sources = [
        Source(title=title, url=f"https://{n}.example/rss", channel=channel)
        for n, (title, channel) in enumerate(
            [
                ("Brew Forum", Channel.FORUM),
                ("AppShelf reviews", Channel.REVIEW),
                ("Bean Market", Channel.NEWS),
            ]
        )
    ]
    workspace.sources.save_many(sources)
    now = utcnow()
    original = Item(source_id=sources[0].id, title="App outage at checkout", text="Down", published_at=now)
    copies = [
        Item(
            source_id=source.id,
            title="App outage at checkout",
            text="Down",
            published_at=now - timedelta(minutes=5),
            duplicate_of=original.id,
        )
        for source in sources[1:]
    ]
    other = Item(source_id=sources[2].id, title="Winter blend", text="Tasty", published_at=now)
    workspace.items.save_many([original, *copies, other])
    return workspace, original


def test_duplicates_are_shown_once_saying_where_else_they_were_heard(
    qtbot, workspaces: Workspaces, open_view
) -> None:
    workspace, original = _dupe_workspace(workspaces)
    view = open_view(workspace)
    assert view.items_model.rowCount() == 4
    assert sorted(_titles_shown(view)) == ["App outage at checkout", "Winter blend"]
    assert view.stream_count_label.text() == "2 items · 2 duplicates hidden"
    proxy = view.items_proxy
    row = next(
        r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(DomainObjectRole).id == original.id
    )
    also = proxy.index(row, ItemTableModel.COL_ALSO_IN)
    assert also.data() == "2 sources"
    assert also.data(Qt.ItemDataRole.ToolTipRole) == "Also in 2 sources: AppShelf reviews, Bean Market"
    assert "Also in 2 sources" in proxy.index(row, ItemTableModel.COL_TITLE).data(Qt.ItemDataRole.ToolTipRole)
    # A source that told the story second still finds it among its items.
    _select(view, "AppShelf reviews")
    assert _titles_shown(view) == ["App outage at checkout"]


def test_duplicate_links_follow_inserts_and_removals(qtmodeltester) -> None:
    model = ItemTableModel(now=lambda: NOW)
    proxy = StreamFilterProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    original = Item(source_id="a", title="Story", text="", published_at=NOW)
    copies = [
        Item(
            source_id=s,
            title="Story",
            text="",
            published_at=NOW - timedelta(minutes=1),
            duplicate_of=original.id,
        )
        for s in ("b", "c")
    ]
    model.set_rows(copies)  # the item shown is not loaded: its copies stand in for it
    assert proxy.rowCount() == 2
    model.upsert([original])
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data(DomainObjectRole) is original
    assert model.also_in(original) == ["b", "c"]
    assert model.duplicate_count() == 2
    proxy.set_hide_duplicates(False)
    assert proxy.rowCount() == 3
    proxy.set_hide_duplicates(True)
    model.remove_ids([original.id])
    assert proxy.rowCount() == 2
    assert model.duplicate_count() == 0
    qtmodeltester.check(proxy)


# -------------------------------------------------------------------- mentions
MENTIONS_CSV = (
    "Date,Author,Followers,Platform,Message,Url\n"
    "2026-03-01 10:00,@rieke,1200,twitter,Oat milk costs extra again?,https://x.example/r/1\n"
    "2026-03-01 11:00,@tom,lots,instagram,Love the new blend,https://instagram.example/p/2\n"
    "2026-03-01 12:00,@ana,87,facebook,Queue at the station shop,https://facebook.example/3\n"
)


def test_mentions_import_previews_rows_and_errors_then_imports(
    qtbot, tmp_path: Path, workspaces: Workspaces, open_view, monkeypatch, qtmodeltester
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(MENTIONS_CSV, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(export), ""))
    view = open_view(workspaces.create())
    view.import_mentions_action.trigger()
    dialog = view.mentions_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.busy_reading, timeout=10_000)
    qtmodeltester.check(dialog.preview_model)
    qtmodeltester.check(dialog.error_model)
    chosen = {name: combo.currentText() for name, combo in dialog.mapping_combos.items()}
    assert chosen == {
        "text": "Message",
        "channel": "Platform",
        "author": "Author",
        "author_reach": "Followers",
        "url": "Url",
        "time": "Date",
        "title": NOT_MAPPED,
    }
    assert dialog.preview_model.rowCount() == 2  # the two good rows
    assert dialog.preview_model.index(0, MentionPreviewModel.COL_AUTHOR).data() == "@rieke"
    assert dialog.preview_model.index(0, MentionPreviewModel.COL_REACH).data() == "1,200"
    assert dialog.error_model.rowCount() == 1
    assert dialog.error_model.index(0, RowErrorModel.COL_WHERE).data() == "Line 3"
    assert "lots" in dialog.error_model.index(0, RowErrorModel.COL_MESSAGE).data()
    assert dialog.error_table.isVisible() and dialog.errors_label.isVisible()
    assert not dialog.import_button.isEnabled()

    # Not reading the reach column removes the problem.
    dialog.mapping_combos["author_reach"].setCurrentText(NOT_MAPPED)
    assert not dialog.import_button.isEnabled()  # stale until the new preview arrives
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.error_model.rowCount() == 0 and not dialog.error_table.isVisible()
    assert dialog.preview_model.rowCount() == 3
    qtbot.mouseClick(dialog.import_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert view.activity.text == "Imported 3 new mentions into “Mentions: export.csv”."
    qtbot.waitUntil(lambda: view.items_proxy.rowCount() == 3, timeout=5000)
    # The sources table follows its own load; under load it may land after the items.
    qtbot.waitUntil(lambda: view.sources_model.rowCount() == 1, timeout=5000)
    source = view.sources_model.object_at(0)
    assert (source.title, source.kind, source.item_count) == ("Mentions: export.csv", SourceKind.MENTIONS, 3)
    assert "Oat milk costs extra again?" in _titles_shown(view) or any(
        "Oat milk" in item.text for item in view.items_model.objects()
    )
    assert view.sources_proxy.index(0, SourceTableModel.COL_NEXT_FETCH).data() == "Imported file"


def test_mentions_dialog_explains_an_unreadable_file(
    qtbot, tmp_path: Path, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    workbook = tmp_path / "export.xlsx"
    workbook.write_bytes(b"PK\x03\x04not really a workbook")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(workbook), ""))
    view = open_view(workspaces.create())
    view.import_mentions_action.trigger()
    dialog = view.mentions_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.message_label.isVisible(), timeout=10_000)
    assert "CSV" in dialog.message_label.text()
    assert not dialog.import_button.isEnabled()


def test_cancelling_the_file_choice_opens_no_dialog(workspaces: Workspaces, open_view, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: ("", ""))
    view = open_view(workspaces.create())
    view.import_mentions_action.trigger()
    view.import_opml_action.trigger()
    assert view.mentions_dialog is None
    assert view.activity.kind == ""


# ------------------------------------------------------------------------ OPML
def test_opml_export_then_import_into_another_workspace(
    qtbot, tmp_path: Path, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    source_view = open_view(workspaces.create("team", populated=True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(tmp_path / "subs"), ""))
    source_view.export_opml_action.trigger()
    exported = tmp_path / "subs.opml"
    assert _wait_for_message(qtbot, source_view) == f"Exported 3 feeds to {exported}."
    assert exported.read_bytes().count(b"<outline") >= 3

    target = workspaces.create("other")
    target_view = open_view(target)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(exported), ""))
    target_view.import_opml_action.trigger()
    text = _wait_for_message(qtbot, target_view)
    assert text == "Imported 3 feeds from subs.opml. Press F5 to fetch them now."
    qtbot.waitUntil(lambda: target_view.sources_model.rowCount() == 3, timeout=5000)

    def described(view: SourcesView) -> list[tuple[str, str, Channel, str]]:
        return sorted((s.title, s.url, s.channel, s.category) for s in view.sources_model.objects())

    assert described(target_view) == described(source_view)
    target_view.import_opml_action.trigger()
    assert _wait_for_message(qtbot, target_view) != text
    assert target_view.activity.text == "Imported 0 feeds from subs.opml (3 already here)."


def test_opml_import_of_a_broken_file_says_why_in_the_page(
    qtbot, tmp_path: Path, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    broken = tmp_path / "broken.opml"
    broken.write_bytes(b"<opml><body><outline")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(broken), ""))
    view = open_view(workspaces.create())
    view.import_opml_action.trigger()
    _wait_for_message(qtbot, view)
    assert view.activity.kind == "error"
    assert view.activity.text
    assert QApplication.activeModalWidget() is None


# ----------------------------------------------------------- models and scale
def test_source_model_shows_health_schedule_and_status(qtmodeltester) -> None:
    import curator.ingest.service  # noqa: F401 - the full health sentences come from it

    ok = Source(
        title="Fine",
        url="https://ok.example/rss",
        last_fetch_at=NOW - timedelta(minutes=5),
        next_fetch_at=NOW + timedelta(minutes=55),
        last_new_items=3,
        item_count=40,
    )
    failing = Source(
        title="Failing",
        url="https://err.example/rss",
        last_fetch_at=NOW - timedelta(minutes=2),
        error_since=NOW - timedelta(hours=3),
        last_error="The server answered 500 Internal Server Error: the site has a problem of its own.",
    )
    warned = Source(
        title="Odd", url="https://w.example/rss", last_fetch_at=NOW, last_warning="Dates were odd."
    )
    new = Source(title="Fresh", url="https://new.example/rss")
    paused = Source(title="Resting", url="https://p.example/rss", enabled=False, last_fetch_at=NOW)
    model = SourceTableModel(now=lambda: NOW)
    qtmodeltester.check(model)
    model.set_rows([ok, failing, warned, new, paused])
    qtmodeltester.check(model)

    def cell(source: Source, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = model.row_of(source.id)
        assert row is not None
        return model.index(row, column).data(role)

    assert cell(ok, SourceTableModel.COL_LAST_FETCH) == "5 min ago"
    assert cell(ok, SourceTableModel.COL_NEXT_FETCH) == "in 55 min"
    assert cell(ok, SourceTableModel.COL_STATUS) == "OK · 3 new last time"
    assert cell(ok, SourceTableModel.COL_ITEMS) == "40"
    assert cell(failing, SourceTableModel.COL_STATUS).startswith("Error · The server answered 500")
    assert "failing for 3 hours" in cell(failing, SourceTableModel.COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert cell(warned, SourceTableModel.COL_STATUS) == "Warning · Dates were odd."
    assert (cell(new, SourceTableModel.COL_LAST_FETCH), cell(new, SourceTableModel.COL_NEXT_FETCH)) == (
        "Never",
        "Due now",
    )
    assert cell(paused, SourceTableModel.COL_NEXT_FETCH) == "Paused"
    assert str(cell(paused, SourceTableModel.COL_TITLE, Qt.ItemDataRole.ToolTipRole)).count("Paused") == 1
    for source, state in (
        (ok, "ok"),
        (failing, "error"),
        (warned, "warning"),
        (new, "new"),
        (paused, "paused"),
    ):
        icon = cell(source, SourceTableModel.COL_TITLE, Qt.ItemDataRole.DecorationRole)
        assert icon.cacheKey() == health_icon(state).cacheKey(), state
    model.sort(SourceTableModel.COL_STATUS)
    assert [s.title for s in model.objects()] == ["Failing", "Odd", "Fresh", "Fine", "Resting"]
    model.sort(SourceTableModel.COL_LAST_FETCH, Qt.SortOrder.DescendingOrder)
    assert model.objects()[-1] is new  # never fetched sorts last
    qtmodeltester.check(model)


def test_ten_thousand_items_filter_without_freezing(qtbot, workspaces: Workspaces, open_view) -> None:
    workspace = workspaces.create(populated=True)
    sources = workspace.sources.list()
    now = utcnow()
    channels = [Channel.X, Channel.REVIEW, Channel.FORUM, Channel.NEWS]
    workspace.items.save_many(
        Item(
            source_id=sources[n % 3].id,
            title=f"Mention {n}",
            text="What customers say about the new blend and the queue. " * 4,
            author=f"user{n % 97}",
            channel=channels[n % 4],
            published_at=now - timedelta(minutes=n),
        )
        for n in range(10_000)
    )
    _count_items(workspace)
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        current = time.monotonic()
        gaps.append(current - last[0])
        last[0] = current

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    view = open_view(workspace)
    timer.stop()
    assert max(gaps) < 1.5, f"the page froze for {max(gaps):.2f} s while loading"
    assert view.items_model.rowCount() == 10_000
    assert view.stream_count_label.text() == "newest 10,000 of 10,006"

    def timed(change: Callable[[], None]) -> float:
        started = time.monotonic()
        change()
        view.grab()
        return time.monotonic() - started

    loaded = view.items_model.objects()
    on_x = [item for item in loaded if item.channel == Channel.X]
    assert timed(lambda: view.channel_combo.setCurrentIndex(view.channel_combo.findData(Channel.X))) < 1.0
    assert view.items_proxy.rowCount() == len(on_x) > 2000
    assert timed(lambda: view.time_combo.setCurrentText("Last 24 hours")) < 1.0
    day = utcnow() - timedelta(days=1)
    assert view.items_proxy.rowCount() == sum(1 for item in on_x if item.when >= day)
    assert timed(lambda: view.items_proxy.set_search_text("user5")) < 1.0
    assert timed(lambda: _select(view, sources[0].title)) < 1.0
    assert (
        timed(lambda: view.items_table.sortByColumn(ItemTableModel.COL_SOURCE, Qt.SortOrder.AscendingOrder))
        < 1.0
    )
    assert 0 < view.items_proxy.rowCount() < len(on_x)


def test_a_job_of_the_previous_workspace_does_not_report_on_the_next(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view, runner: TaskRunner
) -> None:
    feed_server.route("/feed.xml", body=rss("Slow", ["One"]), headers=RSS_HEADERS)
    first = workspaces.create("first")
    _add_feed(first, feed_server.url("/feed.xml"))
    feed_server.route("/feed.xml", body=rss("Slow", ["One"]), headers=RSS_HEADERS, delay=30)
    view = open_view(first)
    view.fetch_now()
    qtbot.waitUntil(lambda: len(feed_server.requests_to("/feed.xml")) == 2, timeout=10_000)
    second = workspaces.create("second", populated=True)
    bridge = StoreEventBridge(second)
    view.attach(second, bridge)  # detaches from the first, cancelling its fetch
    qtbot.waitUntil(lambda: not runner.active_tasks, timeout=10_000)
    assert view.activity.kind == ""
    assert view.fetch_action.isEnabled()
    qtbot.waitUntil(lambda: view.sources_model.rowCount() == 3, timeout=5000)
    view.detach()
    bridge.close()


# ------------------------------------------------------------------ rendering
def _clipped_labels(widget: QWidget) -> list[str]:
    """Visible labels whose text does not fit (elided labels shorten on purpose)."""
    clipped = []
    for label in widget.findChildren(QLabel):
        if not label.isVisible() or not label.text() or isinstance(label, ElidedLabel):
            continue
        if label.wordWrap():
            if label.heightForWidth(label.width()) > label.height():
                clipped.append(label.objectName() or label.text()[:40])
        elif label.sizeHint().width() > label.width():
            clipped.append(label.objectName() or label.text()[:40])
    return clipped


def test_page_and_dialogs_render_without_clipped_text(
    qtbot, tmp_path: Path, workspaces: Workspaces, open_view, monkeypatch
) -> None:
    from curator.demo import load_demo

    workspace = workspaces.create("demo")
    load_demo(workspace)
    view = open_view(workspace)
    view.resize(1080, 740)  # the page's share of a 1280x800 window
    longest = max(view.sources_model.objects(), key=lambda source: len(source.title))
    _select(view, longest.title)
    view.search_edit.setText("order")
    qtbot.waitUntil(
        lambda: view.items_proxy.filtering and "match" in view.stream_count_label.text(), timeout=3000
    )
    view.grab()
    assert _clipped_labels(view) == []
    assert view.minimumSizeHint().width() <= 1080  # a long title does not widen the window

    view.add_action.trigger()
    dialog = view.add_dialog
    assert dialog is not None
    dialog.url_edit.setText("ftp://example.com/feed")
    dialog.grab()
    assert _clipped_labels(dialog) == []
    dialog.reject()

    export = tmp_path / "export.csv"
    export.write_text(MENTIONS_CSV, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(export), ""))
    view.import_mentions_action.trigger()
    mentions = view.mentions_dialog
    assert mentions is not None
    qtbot.waitUntil(lambda: mentions.preview is not None and not mentions.busy_reading, timeout=10_000)
    mentions.grab()
    assert _clipped_labels(mentions) == []
    mentions.reject()


def test_fetch_full_text_of_the_selected_stream_items(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    article = (
        b"<html><body><nav>Home | Shop</nav><article><h1>Cups</h1>"
        b"<p>Northwind Coffee serves every drink in compostable cups from January on.</p>"
        b"<p>The change covers all cafes after two years of trials in Hamburg.</p></article>"
        b"<footer>Imprint</footer></body></html>"
    )
    feed_server.route("/robots.txt", status=404)
    feed_server.route("/posts/0", body=article, headers={"Content-Type": "text/html; charset=utf-8"})
    feed_server.route(
        "/feed.xml", body=rss("Loopback", ["Cups"], base=feed_server.url("/posts")), headers=RSS_HEADERS
    )
    workspace = workspaces.create()
    _add_feed(workspace, feed_server.url("/feed.xml"))
    view = open_view(workspace)
    _activate(qtbot, view)
    view.items_table.selectRow(0)
    assert view.full_text_action in view.items_table.actions()  # offered in the stream's context menu
    view.full_text_action.trigger()
    text = _wait_for_message(qtbot, view)
    assert text == "Full text fetched for 1 of 1 item."
    [item] = workspace.items.list()
    assert "two years of trials in Hamburg" in item.full_text
    assert len(feed_server.requests_to("/posts/0")) == 1


def test_due_sources_are_fetched_automatically_while_the_app_runs(
    qtbot, feed_server: HttpServer, workspaces: Workspaces, open_view
) -> None:
    feed_server.route("/feed.xml", body=rss("Loopback", ["First"]), headers=RSS_HEADERS)
    workspace = workspaces.create()
    source = _add_feed(workspace, feed_server.url("/feed.xml"))
    view = open_view(workspace)
    assert view.auto_fetch_timer.isActive()
    # Not due yet (just fetched): a tick fetches nothing and shows nothing.
    view.auto_fetch_timer.timeout.emit()
    assert view.activity.kind == "" and len(feed_server.requests_to("/feed.xml")) == 1
    # Its interval has passed: the next tick fetches it in the background.
    stored = workspace.sources.get(source.id)
    assert stored is not None
    stored.next_fetch_at = utcnow() - timedelta(minutes=1)
    workspace.sources.save(stored)
    feed_server.route("/feed.xml", body=rss("Loopback", ["Second", "First"]), headers=RSS_HEADERS)
    qtbot.waitUntil(
        lambda: (
            (
                view.sources_model.data(view.sources_model.index(0, 0), DomainObjectRole).next_fetch_at
                or utcnow()
            )
            <= utcnow()
        ),
        timeout=5000,
    )
    view.auto_fetch_timer.timeout.emit()
    assert _wait_for_message(qtbot, view) == "Fetched 1 source: 1 new item."
    assert len(feed_server.requests_to("/feed.xml")) == 2
