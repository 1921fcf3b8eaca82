"""The main window over a real workspace, offscreen."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QTableView

from curator.domain import Item, utcnow
from curator.errors import CuratorError
from curator.progress import Progress
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT
from tests.ui.helpers import SOURCE_TITLES
from ui.main_window import NAV_ENTRIES, MainWindow
from ui.models import DomainObjectRole
from ui.views.approvals import ApprovalsView
from ui.views.drafts import DraftsView
from ui.views.sources import SourcesView
from ui.widgets.elided_label import ElidedLabel

NAV_LABELS = [
    "Hot issues",
    "Inbox",
    "Drafts",
    "Approvals",
    "Calendar",
    "Sources",
    "Reports",
    "Wall",
    "Settings",
]


def _window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _opened(qtbot, path: Path, **options: bool) -> MainWindow:
    window = _window(qtbot)
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_workspace(path, **options)
    return window


def _sources_view(window: MainWindow) -> SourcesView:
    view = window.views["sources"]
    assert isinstance(view, SourcesView)
    return view


def _loaded(qtbot, window: MainWindow) -> SourcesView:
    view = _sources_view(window)
    qtbot.waitUntil(lambda: view.sources_model.loaded and view.items_model.loaded, timeout=10_000)
    return view


def _column(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_navigation_lists_every_view_in_order_with_icons(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    labels = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert labels == NAV_LABELS
    assert [entry.label for entry in NAV_ENTRIES] == NAV_LABELS
    for row in range(window.navigation.count()):
        assert not window.navigation.item(row).icon().isNull()
    assert not window.windowIcon().isNull()


def test_ctrl_number_switches_views(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "drafts"
    assert window.pages.currentWidget() is window.views["drafts"]
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.views["sources"]
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "reports"
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "settings"


def test_ctrl_q_closes_the_window(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert window.workspace is None  # closing closed the workspace


def _count_items(path: Path) -> None:
    """Store each source's item count, as the ingest service does when it stores items."""
    with Workspace.open(path) as workspace, workspace.transaction():
        counts = workspace.items.count_by_source()
        for source in workspace.sources.list():
            source.item_count = counts.get(source.id, 0)
            workspace.sources.save(source)


def test_sources_page_lists_sources_and_recent_items(qtbot, workspace_path: Path) -> None:
    _count_items(workspace_path)
    window = _opened(qtbot, workspace_path)
    window.show_view("sources")
    view = _loaded(qtbot, window)
    assert view.stack.currentWidget() is not view.empty_state
    assert _column(view.sources_table, 0) == sorted(SOURCE_TITLES, key=str.casefold)
    assert view.items_table.model().rowCount() == 6
    newest = view.items_table.model().index(0, 0).data(DomainObjectRole)
    assert newest.title == "Brew Forum item 0"
    qtbot.waitUntil(lambda: view.header.summary_label.text() == "3 sources · 6 items", timeout=5000)
    assert _column(view.sources_table, 3) == ["2", "2", "2"]  # each source's stored item count
    assert "Brew Forum" in _column(view.items_table, 2)  # source titles resolved


def test_search_box_filters_the_stream(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    view = _loaded(qtbot, window)
    qtbot.keyClicks(view.search_edit, "appshelf")
    qtbot.waitUntil(lambda: view.items_table.model().rowCount() == 2, timeout=5000)
    assert {title.split(" item")[0] for title in _column(view.items_table, 4)} == {"AppShelf reviews"}
    assert view.stream_count_label.text() == "2 of 6 match"
    view.search_edit.clear()
    qtbot.waitUntil(lambda: view.items_table.model().rowCount() == 6, timeout=5000)


def test_status_bar_and_title_name_the_workspace(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    assert window.windowTitle() == "Curator — team"
    assert window.workspace_label.text() == f"team — {workspace_path}"
    assert str(workspace_path) in window.workspace_label.toolTip()
    assert not window.read_only_badge.isVisible()


def test_read_only_open_shows_the_badge_with_the_reason(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path, read_only=True)
    assert window.read_only_badge.isVisible()
    assert window.read_only_badge.toolTip() == window.workspace.read_only_reason
    assert "read-only" in window.read_only_badge.toolTip()


def test_folder_that_is_not_a_workspace_shows_the_error_sentence(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "holiday photos"
    folder.mkdir()
    (folder / "beach.jpg").write_bytes(b"not a workspace")
    window = _window(qtbot)
    with qtbot.waitSignal(window.workspace_open_failed, timeout=10_000) as failed:
        window.open_workspace(folder)
    sentence = failed.args[0]
    assert "is not a Curator workspace" in sentence
    assert window.pages.currentWidget() is window.status_page
    assert window.status_page.title == "This workspace could not be opened"
    assert window.status_page.message == sentence
    assert window.status_page.action_button.isVisible()  # it really opens a folder dialog
    assert not window.navigation.isEnabled()
    assert window.workspace is None
    assert QApplication.activeModalWidget() is None  # no dialog, no crash


def test_workspace_from_a_newer_version_shows_its_sentence(qtbot, workspace_path: Path) -> None:
    meta_file = workspace_path / "workspace.json"
    meta = orjson.loads(meta_file.read_bytes())
    meta["schema"] = 999
    meta_file.write_bytes(orjson.dumps(meta))
    window = _window(qtbot)
    with qtbot.waitSignal(window.workspace_open_failed, timeout=10_000):
        window.open_workspace(workspace_path)
    assert "newer Curator" in window.status_page.message


def test_opening_shows_a_progress_page_first(qtbot, workspace_path: Path) -> None:
    window = _window(qtbot)
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_workspace(workspace_path)
        assert window.status_page.title == "Opening workspace…"
        assert window.status_page.detail == str(workspace_path)
        assert window.pages.currentWidget() is window.status_page
        assert window.task_progress.isVisible()
    assert window.pages.currentWidget() is window.views[window.current_view_key()]


def test_unhandled_task_failure_lands_in_the_status_bar(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)

    def fetch(progress: Progress) -> None:
        raise CuratorError("The feed at forum.example.org answered 503; Curator retries in 10 minutes.")

    with qtbot.waitSignal(window.runner.task_failed, timeout=5000):
        window.runner.run(fetch, description="Fetching Brew Forum")
    assert window.notice_label.text() == (
        "⚠ Fetching Brew Forum failed: "
        "The feed at forum.example.org answered 503; Curator retries in 10 minutes."
    )
    assert window.notice_dismiss.isVisible()
    assert QApplication.activeModalWidget() is None
    qtbot.mouseClick(window.notice_dismiss, Qt.MouseButton.LeftButton)
    assert window.notice_label.text() == ""


def test_pages_know_who_acts_and_the_demo_lets_you_switch(qtbot, tmp_path: Path) -> None:
    from curator.demo import ensure_demo_workspace
    from curator.identity import os_login

    window = _opened(qtbot, ensure_demo_workspace(tmp_path / "demo"))
    assert isinstance(window.views["drafts"], DraftsView) and isinstance(
        window.views["approvals"], ApprovalsView
    )
    # The demo adds you (the OS account) as its admin, and allows acting as its members.
    assert window.user is not None and window.user.login == os_login()
    assert not window.user_combo.isHidden() and window.user_combo.count() == 6
    window.switch_user(window.user_combo.itemData(window.user_combo.findText("Henrike Albers")))
    assert window.user.name == "Henrike Albers"
    assert window.notice_label.text() == "You now act as Henrike Albers."
    hot = window.views["hot_issues"]
    assert not hot.reveal_check.isEnabled()  # an approver may not unmask
    window.switch_user(window.user_combo.itemData(window.user_combo.findText("Priya Nair")))
    assert hot.reveal_check.isEnabled()  # an agent may


def test_a_workspace_without_members_makes_you_its_admin(qtbot, workspace_path: Path) -> None:
    from curator.domain import Role

    window = _opened(qtbot, workspace_path)
    assert window.user is not None and window.user.has_role(Role.ADMIN)
    assert window.user_combo.isHidden()
    assert "admin" in window.user_label.text()


def test_empty_workspace_shows_the_empty_state_on_sources(qtbot, empty_workspace_path: Path) -> None:
    window = _opened(qtbot, empty_workspace_path)
    view = _loaded(qtbot, window)
    assert view.stack.currentWidget() is view.empty_state
    assert view.empty_state.title == "No sources yet"
    assert "run the command below" in view.empty_state.message
    assert view.empty_state.detail == "curator load-demo"


def test_sources_written_by_a_background_job_appear(qtbot, workspace_path: Path) -> None:
    _count_items(workspace_path)
    window = _opened(qtbot, workspace_path)
    view = _loaded(qtbot, window)
    workspace = window.workspace
    source = view.sources_model.object_at(0)
    fresh = Item(source_id=source.id, title="Breaking", text="", published_at=utcnow())

    def store(_progress: Progress) -> None:
        # What the ingest service does: the item and its source's count in one commit.
        with workspace.transaction():
            workspace.items.save(fresh)
            current = workspace.sources.get(source.id)
            current.item_count += 1
            workspace.sources.save(current)

    with qtbot.waitSignal(window.runner.task_finished, timeout=5000):
        window.runner.run(store)
    qtbot.waitUntil(lambda: view.items_table.model().rowCount() == 7, timeout=5000)
    assert view.items_table.model().index(0, 4).data() == "Breaking"
    qtbot.waitUntil(lambda: view.header.summary_label.text() == "3 sources · 7 items", timeout=5000)


def test_closing_the_window_closes_the_workspace(qtbot, workspace_path: Path, monkeypatch) -> None:
    closed: list[Path] = []
    original = Workspace.close

    def spy(self: Workspace) -> None:
        closed.append(self.path)
        original(self)

    monkeypatch.setattr(Workspace, "close", spy)
    window = _opened(qtbot, workspace_path)
    window.close()
    assert closed == [workspace_path]
    assert window.workspace is None


def test_closing_while_opening_still_closes_the_workspace(qtbot, workspace_path: Path, monkeypatch) -> None:
    opened: list[Workspace] = []
    closed: list[Workspace] = []
    original_open, original_close = Workspace.open.__func__, Workspace.close

    def open_spy(cls, *args, **kwargs):
        workspace = original_open(cls, *args, **kwargs)
        opened.append(workspace)
        return workspace

    def close_spy(self: Workspace) -> None:
        closed.append(self)
        original_close(self)

    monkeypatch.setattr(Workspace, "open", classmethod(open_spy))
    monkeypatch.setattr(Workspace, "close", close_spy)
    window = _window(qtbot)
    window.open_workspace(workspace_path)
    window.close()
    assert closed == opened  # opened before the close (then closed), or never opened


def test_opening_another_workspace_closes_the_first(
    qtbot, workspace_path: Path, empty_workspace_path: Path
) -> None:
    window = _opened(qtbot, workspace_path)
    first = window.workspace
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_workspace(empty_workspace_path)
    assert window.workspace is not first
    assert window.windowTitle() == "Curator — empty"
    view = _loaded(qtbot, window)
    assert view.stack.currentWidget() is view.empty_state


def test_long_messages_shorten_instead_of_widening_the_window(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    sentence = "The feed could not be read because " + "it kept failing " * 40 + "so Curator gave up."
    window.show_notice(sentence, error=True)
    assert window.minimumSizeHint().width() < 1280  # a plain QLabel would demand its whole text
    qtbot.waitUntil(lambda: window.notice_label.shown_text().endswith("…"), timeout=2000)
    assert window.width() == 1280
    assert window.notice_label.toolTip() == sentence
    gap = window.notice_dismiss.geometry().left() - window.notice_label.geometry().right()
    assert 0 <= gap < 24  # the dismiss button sits right after the text


def _clipped_labels(window: MainWindow) -> list[str]:
    clipped = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text() or isinstance(label, ElidedLabel):
            continue  # elided labels shorten on purpose and carry the full text in a tooltip
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height():
                clipped.append(
                    f"{label.objectName() or label.text()[:40]!r}: needs {needed}px, has {label.height()}"
                )
        elif label.sizeHint().width() > label.width():
            clipped.append(f"{label.text()[:40]!r}: needs {label.sizeHint().width()}px, has {label.width()}")
    return clipped


@pytest.mark.parametrize("content", ["team", "empty"])
def test_every_page_renders_at_default_size_without_clipped_text(
    qtbot, content: str, workspace_path: Path, empty_workspace_path: Path
) -> None:
    """Set CURATOR_SCREENSHOTS to a folder to keep the renders for a look."""
    window = _opened(qtbot, workspace_path if content == "team" else empty_workspace_path)
    assert window.size() == QSize(1280, 800)
    _loaded(qtbot, window)
    shots = os.environ.get("CURATOR_SCREENSHOTS")
    for entry in NAV_ENTRIES:
        window.show_view(entry.key)
        try:
            qtbot.waitUntil(lambda: not window.runner.active_tasks, timeout=20_000)
        except Exception:
            raise AssertionError(f"still running on {entry.key}: {window.runner.active_tasks}") from None
        # Text set by a task's result is laid out on the next turn of the event loop.
        with contextlib.suppress(Exception):
            qtbot.waitUntil(lambda: not _clipped_labels(window), timeout=3000)
        image = window.grab()
        assert image.size() == QSize(1280, 800)
        assert _clipped_labels(window) == [], entry.key
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            image.save(str(Path(shots) / f"{content}-{entry.key}.png"))


def test_ten_thousand_items_load_without_freezing_the_window(qtbot, workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as workspace:
        source_id = workspace.sources.list()[0].id
        now = utcnow()
        workspace.items.save_many(
            Item(
                source_id=source_id,
                title=f"Mention {n}",
                text="What customers say about the new blend. " * 5,
                author=f"user{n % 97}",
                published_at=now - timedelta(minutes=n),
            )
            for n in range(10_000)
        )
    ticks: list[int] = []
    window = _window(qtbot)
    view = _sources_view(window)
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(view.items_model.rowCount()))
    timer.start()
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_workspace(workspace_path)
    qtbot.waitUntil(lambda: view.items_model.rowCount() == 10_000, timeout=30_000)
    timer.stop()
    # The load ran in a worker and the rows went into the model in one reset:
    # the event loop kept turning meanwhile (how fast is measured in the benchmarks,
    # not asserted here), and nobody saw a half-filled table.
    assert ticks.count(0) >= 2, "the event loop did not turn while the items loaded"
    assert set(ticks) <= {0, 10_000}
    assert isinstance(view.items_table, QTableView)
    assert view.items_table.model() is view.items_proxy
    view.items_table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    view.items_table.scrollToBottom()
    assert not window.grab().isNull()
    assert view.items_table.model().rowCount() == 10_000


@pytest.mark.slow
def test_writes_from_another_process_show_up(qtbot, empty_workspace_path: Path) -> None:
    """The empty Sources page promises that loading the demo content from outside fills it."""
    window = _opened(qtbot, empty_workspace_path)
    view = _loaded(qtbot, window)
    assert view.stack.currentWidget() is view.empty_state
    writer = (
        "import sys\n"
        "from curator.demo import load_demo\n"
        "from curator.workspace import Workspace\n"
        "with Workspace.open(sys.argv[1]) as ws:\n"
        "    load_demo(ws)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", writer, str(empty_workspace_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(lambda: view.sources_model.rowCount() > 0, timeout=15_000)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is not view.empty_state, timeout=5000)
    # Sources and items reload separately; the items may arrive a moment later.
    qtbot.waitUntil(lambda: view.items_model.rowCount() > 0, timeout=5000)


def test_due_posts_go_out_while_the_app_runs_and_failures_are_notified(qtbot, tmp_path: Path) -> None:
    import shutil
    from datetime import UTC, datetime

    from curator.demo import ensure_demo_workspace
    from curator.schedule.service import ScheduleService

    path = ensure_demo_workspace(tmp_path / "demo")
    with Workspace.open(path) as ws:
        service = ScheduleService(ws)
        tom = next(u for u in ws.users.list() if u.name == "Tom Whitfield")
        cups = next(d for d in service.editorial.drafts() if d.title.startswith("Why we're switching"))
        tps = {tp.name: tp for tp in ws.touchpoints.list()}
        past = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        service.schedule(tom, cups.id, tps["LinkedIn Northwind Coffee"].id, past)
        service.schedule(tom, cups.id, tps["Northwind Club newsletter"].id, past)
    shutil.rmtree(path / "outbox" / "newsletter")  # an unmounted share, say

    window = _opened(qtbot, path)
    qtbot.waitUntil(lambda: "newsletter" in window.notice_label.text(), timeout=15_000)
    assert "does not exist" in window.notice_label.text()
    assert len(list((path / "outbox" / "linkedin").glob("*.json"))) == 1
    assert QApplication.activeModalWidget() is None


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_without_a_keyring_the_app_asks_for_a_webhook_secret_and_publishes(qtbot, tmp_path: Path) -> None:
    import keyring
    import keyring.backends.fail

    from curator.demo import ensure_demo_workspace
    from curator.domain import utcnow
    from curator.schedule.service import ScheduleService
    from curator.touchpoint_admin import TouchPointAdmin
    from tests.core.test_publish_connectors import SECRET, WebhookServer

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    server = WebhookServer(clock=utcnow).start()
    try:
        path = ensure_demo_workspace(tmp_path / "demo")
        with Workspace.open(path) as ws:
            lukas = next(u for u in ws.users.list() if u.name == "Lukas Brandt")  # an admin
            x = next(tp for tp in ws.touchpoints.list() if tp.kind.value == "x")
            TouchPointAdmin(ws).update(
                lukas, x.id, connector={"kind": "webhook", "options": {"url": server.url("/hook")}}
            )
            service = ScheduleService(ws)
            fixing = next(d for d in service.editorial.drafts() if d.title.startswith("Your Beans are safe"))
            henrike = next(u for u in ws.users.list() if u.name == "Henrike Albers")
            service.editorial.approve(henrike, fixing.id)
            service.schedule(lukas, fixing.id, x.id, utcnow() - timedelta(minutes=5))

        window = _opened(qtbot, path)
        qtbot.waitUntil(lambda: window.secrets_dialog is not None, timeout=15_000)
        dialog = window.secrets_dialog
        assert dialog is not None and "webhook secret" in dialog.labelText()
        dialog.setTextValue(SECRET)
        dialog.accept()
        qtbot.waitUntil(lambda: len(server.deliveries) == 1, timeout=15_000)
        assert server.deliveries[0].verified
        qtbot.waitUntil(lambda: "1 published" in window.notice_label.text(), timeout=15_000)
    finally:
        server.stop()
        keyring.set_keyring(previous)
