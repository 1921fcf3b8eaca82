"""The monitor wall: every text fits at 1080p and 4K in both themes, nothing personal shows, it rotates.

The workspace is the one the core tests of the wall's snapshot build
(:func:`tests.core.test_wall_snapshot.build_wall_workspace`): its issue
labels, shared conversations and post titles are full of e-mail addresses,
phone numbers, handles and names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from curator.domain import PostStatus, ScheduledPost, utcnow
from curator.errors import CuratorError
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.reports.wall import (
    HotIssue,
    ResponseRow,
    ResponseToday,
    SharedConversation,
    TouchPointToday,
    WallSnapshot,
    wall_snapshot,
)
from curator.workspace import Workspace
from tests.core.test_wall_snapshot import NOW, SECRETS, build_wall_workspace
from ui.app import build_parser
from ui.models import StoreEventBridge
from ui.tasks import SyncPool, TaskRunner
from ui.wall.panels import HotIssuesPanel, PublishedPanel, ResponsePanel, SharedPanel
from ui.wall.standalone import create_wall_window
from ui.wall.theme import DARK, LIGHT
from ui.wall.view import WallView
from ui.wall.widgets import FitLabel, Sparkline
from ui.wall.window import WallWindow

# The offscreen platform cannot do what a real screen does with a top-level window.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)"
)

SIZES = [(1920, 1080), (3840, 2160)]
THEMES = ["dark", "light"]


# --------------------------------------------------------------------------- helpers
def misfits(window: QWidget) -> list[str]:
    """Every visible label whose text would be clipped, unless it is elided on purpose.

    A label fits when its font's bounding box of the text (word wrap taken into
    account) lies within its contentsRect, and the label lies within the window.
    A label that does not fit must be a FitLabel that elided its text, with the
    full text in its tooltip and every drawn line within the rect.
    """
    problems = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        text, rect, fm = label.text(), label.contentsRect(), label.fontMetrics()
        where = QRect(label.mapTo(window, QPoint(0, 0)), label.size())
        if not window.rect().contains(where):
            problems.append(f"{text!r} lies outside the window ({where} in {window.rect()})")
            continue
        flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0)
        bounds = fm.boundingRect(rect, flags, text)
        if bounds.width() <= rect.width() and bounds.height() <= rect.height():
            continue
        if isinstance(label, FitLabel) and label.is_elided() and label.toolTip() == text:
            lines = label.shown_lines()
            height = fm.height() + (len(lines) - 1) * fm.lineSpacing()
            if all(fm.horizontalAdvance(line) <= rect.width() for line in lines) and height <= rect.height():
                continue
        problems.append(f"{text!r} ({bounds.width()}x{bounds.height()}) clipped in {rect.size()}")
    return problems


def painted_share(window: QWidget, background: QColor) -> float:
    """Share of sampled pixels of a grab that differ from the background (0: a blank window)."""
    image = window.grab().toImage()
    step = max(4, image.width() // 240)
    total = differ = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            total += 1
            differ += image.pixelColor(x, y) != background
    return differ / total


def all_texts(window: QWidget) -> list[str]:
    """Every label text and tooltip in the window, shown or not, plus the window's title."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel):
            texts.append(widget.text())
    return [t for t in texts if t]


def leaked(texts: list[str]) -> list[tuple[str, str]]:
    return [(s, t) for t in texts for s in SECRETS if s.casefold() in t.casefold()]


@pytest.fixture(scope="module")
def pipe() -> LoadedPipeline:
    return load_pipeline()


@pytest.fixture
def runner(qtbot: Any) -> TaskRunner:
    return TaskRunner(SyncPool())


@pytest.fixture
def wall_ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(build_wall_workspace(tmp_path / "wall"), read_only=True) as ws:
        yield ws


Opener = Callable[..., WallWindow]


@pytest.fixture
def open_wall(qtbot: Any, runner: TaskRunner) -> Iterator[Opener]:
    """Open a WallWindow over a workspace (shared bridge, as from the main window), sized and shown."""
    bridges: list[StoreEventBridge] = []

    def opener(
        ws: Workspace,
        snapshot_fn: Callable[[Any], Any],
        *,
        theme: str = "dark",
        size: tuple[int, int] = (1920, 1080),
        rotate: float = 20,
    ) -> WallWindow:
        window = WallWindow(runner, theme=theme, rotate_seconds=rotate, snapshot_fn=snapshot_fn)
        qtbot.addWidget(window)
        bridge = StoreEventBridge(ws)
        bridges.append(bridge)
        window.attach(ws, bridge)
        window.resize(*size)
        window.show()
        QApplication.processEvents()
        return window

    yield opener
    for bridge in bridges:
        bridge.close()


def fixture_snapshot(pipe: LoadedPipeline) -> Callable[[Any], WallSnapshot]:
    return lambda ws: wall_snapshot(ws, NOW, tz=UTC, pipeline=pipe)


def show(window: WallWindow, index: int) -> None:
    size = window.size()
    window.board.show_panel(index)
    QApplication.processEvents()
    assert window.size() == size  # content never pushes the wall past its screen


# --------------------------------------------------------------------------- fit and privacy
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=["1080p", "4k"])
def test_every_panel_fits_and_is_painted(
    open_wall: Opener, wall_ws: Workspace, pipe: LoadedPipeline, theme: str, size: tuple[int, int]
) -> None:
    window = open_wall(wall_ws, fixture_snapshot(pipe), theme=theme, size=size)
    assert window.size().width() == size[0]
    background = (DARK if theme == "dark" else LIGHT).color("background")
    for index, panel in enumerate(window.board.panels):
        show(window, index)
        assert window.board.current_panel() is panel and panel.isVisible()
        assert not panel.showing_empty(), panel.TITLE  # the fixture fills every panel
        assert misfits(window) == [], panel.TITLE
        assert window.grab().toImage().pixelColor(2, 2) == background
        assert painted_share(window, background) > 0.05, f"{panel.TITLE} looks blank"
    # Text grows with the screen: the panel titles are 64 px at 1080p.
    assert window.board.panels[0].title_label.font().pixelSize() == round(64 * size[1] / 1080)


def test_masked_fixture_strings_never_reach_a_label_or_tooltip(
    open_wall: Opener, wall_ws: Workspace, pipe: LoadedPipeline
) -> None:
    window = open_wall(wall_ws, fixture_snapshot(pipe))
    texts = all_texts(window)
    assert any("[email]" in t for t in texts) and any("[name]" in t for t in texts)  # they were shown
    assert "Refund for [email] still missing" in texts
    assert leaked(texts) == []


def _long_snapshot() -> WallSnapshot:
    word = "Supercalifragilisticexpialidocious" * 3  # one unbreakable word wider than any column
    long = " ".join(["an unusually long label about oat milk, refunds and the app"] * 5)
    issues = tuple(
        HotIssue(
            issue_id=f"i{n}",
            label=f"{long} {n}" if n % 2 else f"{word} {n}",
            items=123_456,
            recent=98_765,
            previous=12_345,
            trend="rising",
            hourly=tuple(range(24)),
            sentiment=-0.73,
            mood="very negative",
            negative_share=0.9,
            pinned=n == 0,
        )
        for n in range(7)
    )
    row = ResponseRow(
        "x", "Extraordinarily long channel name", 12_345, 9_876, 0.123, 10_000, 2879.0, 600, 2880, 999, 888
    )
    channels = tuple(replace(row, key=f"c{n}") for n in range(8))
    groups = (
        replace(row, key="urgent", title="Urgent", reply_target=None),
        replace(row, key="reply", title="Needs an answer", urgent_target=None),
    )
    shared = tuple(SharedConversation(f"s{n}", "E-mail", f"{long} {word}", long, NOW, NOW) for n in range(5))
    tps = tuple(
        TouchPointToday(
            f"t{n}",
            f"A touch point with a very long name indeed number {n}",
            "blog",
            1234,
            56,
            7,
            (long, word, long),
            NOW,
        )
        for n in range(9)
    )
    return WallSnapshot(
        workspace_name=f"A workspace whose name goes on and on {long}",
        taken_at=NOW,
        day_start=NOW.replace(hour=0),
        hot_issues=issues,
        live_issues=40,
        response=ResponseToday(row, channels, groups),
        shared=shared,
        shared_total=5,
        published=tps,
        published_total=99_999,
        names_checked=False,
    )


@pytest.mark.parametrize("size", SIZES, ids=["1080p", "4k"])
def test_long_texts_are_elided_with_the_full_text_in_the_tooltip(
    open_wall: Opener, wall_ws: Workspace, size: tuple[int, int]
) -> None:
    snap = _long_snapshot()
    window = open_wall(wall_ws, lambda _ws: snap, size=size)
    elided = 0
    for index in range(len(window.board.panels)):
        show(window, index)
        assert misfits(window) == [], window.board.current_panel().TITLE
        elided += sum(1 for lab in window.findChildren(FitLabel) if lab.isVisible() and lab.is_elided())
    assert elided >= 10  # the long texts really were too long, and were elided rather than clipped
    footer = window.board.status_label.text()
    assert "only names Curator knows are hidden" in footer  # the wall says names were not checked


def test_big_figures_shrink_before_they_elide(open_wall: Opener, wall_ws: Workspace) -> None:
    snap = _long_snapshot()
    window = open_wall(wall_ws, lambda _ws: snap)
    show(window, 2)
    panel = window.board.current_panel()
    assert isinstance(panel, ResponsePanel)
    median = panel.median[2]
    assert median.text() == "47 h 59 min"
    assert not median.is_elided()
    assert median.font().pixelSize() < round(100 * window.board.unit())  # smaller than a "big" figure


def test_empty_states_speak_plain_words(tmp_path: Path, open_wall: Opener, pipe: LoadedPipeline) -> None:
    Workspace.open(tmp_path / "empty", create=True).close()
    with Workspace.open(tmp_path / "empty", read_only=True) as ws:
        window = open_wall(ws, lambda w: wall_snapshot(w, NOW, tz=UTC, pipeline=pipe))
        expected = {
            HotIssuesPanel: "No hot issues right now.",
            ResponsePanel: "No customer conversations today yet.",
            SharedPanel: "No conversations shared to the wall yet.",
            PublishedPanel: "Nothing published yet today.",
        }
        for index, panel in enumerate(window.board.panels):
            show(window, index)
            if type(panel) in expected:
                assert panel.showing_empty()
                assert panel.empty_title.text() == expected[type(panel)]
            assert misfits(window) == []
        window.close()


# --------------------------------------------------------------------------- rotation and keys
def test_rotation_timer_advances_panels_and_keys_steer(
    qtbot: Any, open_wall: Opener, wall_ws: Workspace, pipe: LoadedPipeline
) -> None:
    window = open_wall(wall_ws, fixture_snapshot(pipe), rotate=7)
    board = window.board
    timer = board.rotation_timer
    assert timer.isActive() and timer.interval() == 7000
    assert board.current_index() == 0
    timer.timeout.emit()
    assert board.current_index() == 1 and board.stack.currentWidget() is board.panels[1]
    for _ in range(len(board.panels) - 1):
        timer.timeout.emit()
    assert board.current_index() == 0  # wrapped around
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert board.current_index() == len(board.panels) - 1
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert board.current_index() == 1
    assert board.dots.current() == 1
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert board.paused and not timer.isActive()
    assert board.status_label.text().startswith("Paused")
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert not board.paused and timer.isActive()
    board.set_rotation_seconds(1)  # kept readable
    assert timer.interval() == 5000


def test_f11_esc_and_q(qtbot: Any, open_wall: Opener, wall_ws: Workspace, pipe: LoadedPipeline) -> None:
    window = open_wall(wall_ws, fixture_snapshot(pipe))
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_Q)
    assert not window.isVisible()
    assert window.feed.workspace is None  # it stopped following the workspace...
    assert not wall_ws._closed and wall_ws.issues.count() == 9  # ...which it does not own: still open


# --------------------------------------------------------------------------- live, themes, errors
def test_the_wall_follows_changes_to_the_workspace(
    qtbot: Any, tmp_path: Path, open_wall: Opener, pipe: LoadedPipeline
) -> None:
    with Workspace.open(build_wall_workspace(tmp_path / "live")) as ws:
        now = utcnow()
        window = open_wall(ws, lambda w: wall_snapshot(w, pipeline=pipe))
        before = window.board.snapshot.published_total
        ws.posts.save(
            ScheduledPost(
                draft_id="d",
                touchpoint_id="tp-x",
                publish_at=now - timedelta(minutes=1),
                published_at=now - timedelta(minutes=1),
                status=PostStatus.PUBLISHED,
                title="Fresh post",
            )
        )
        qtbot.waitUntil(lambda: window.board.snapshot.published_total == before + 1, timeout=5000)
        assert "• Fresh post" in all_texts(window)
        window.close()


def test_themes_switch_live_and_system_follows_the_desktop(
    open_wall: Opener, wall_ws: Workspace, pipe: LoadedPipeline
) -> None:
    window = open_wall(wall_ws, fixture_snapshot(pipe))
    board = window.board
    assert board.theme is DARK
    board.set_theme("light")
    assert window.grab().toImage().pixelColor(2, 2) == LIGHT.color("background")
    board.set_theme("system")
    scheme = QGuiApplication.styleHints().colorScheme()
    assert board.theme is (LIGHT if scheme == Qt.ColorScheme.Light else DARK)
    with pytest.raises(ValueError, match="dark, light or system"):
        board.set_theme("sepia")


def test_a_failed_update_keeps_the_last_snapshot_and_says_so(open_wall: Opener, wall_ws: Workspace) -> None:
    good = _long_snapshot()
    answers: list[Any] = [CuratorError("The disk is not there."), good, CuratorError("The disk is gone.")]

    def snapshot(_ws: Any) -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    window = open_wall(wall_ws, snapshot)
    board = window.board
    assert board.showing_message()
    assert board.message.empty_title.text() == "The wall could not be loaded."
    assert board.message.empty_hint.text() == "Could not update: The disk is not there."
    window.feed.refresh_now()
    assert not board.showing_message() and board.snapshot is good
    window.feed.refresh_now()
    assert board.snapshot is good
    assert "Could not update: The disk is gone." in board.status_label.text()
    assert board.status_label.color() == DARK.color("bad")


# --------------------------------------------------------------------------- the Wall page
def test_wall_page_previews_and_opens_full_screen(
    qtbot: Any, runner: TaskRunner, wall_ws: Workspace, pipe: LoadedPipeline
) -> None:
    view = WallView(runner, snapshot_fn=fixture_snapshot(pipe))
    qtbot.addWidget(view)
    bridge = StoreEventBridge(wall_ws)
    try:
        view.attach(wall_ws, bridge)
        assert view.preview.snapshot is None  # nobody looks yet: no snapshot taken
        view.resize(1280, 800)
        view.show()
        qtbot.waitUntil(lambda: view.preview.snapshot is not None, timeout=5000)
        assert abs(view.preview.height() * 16 - view.preview.width() * 9) < 16  # 16:9, like the screen
        assert misfits(view.preview) == []
        view.set_user(object())  # the wall masks whatever the role: nothing else changes
        assert leaked(all_texts(view)) == []
        view.rotate_spin.setValue(9)
        view.theme_combo.setCurrentIndex(view.theme_combo.findData("light"))
        window = view.open_full_screen()
        assert window is not None
        qtbot.addWidget(window)
        assert window.windowState() & Qt.WindowState.WindowFullScreen
        assert window.board.snapshot is view.preview.snapshot  # one feed for both
        assert window.board.rotation_seconds() == 9 and window.board.theme is LIGHT
        view.rotate_spin.setValue(30)
        assert window.board.rotation_seconds() == 30
        assert view.open_full_screen() is window  # a second F11 raises the same wall
        view.detach()  # the workspace is closing: the wall goes with it
        assert view.wall_window is None and not window.isVisible()
        assert view.preview.showing_message()
        assert not view.open_button.isEnabled()
    finally:
        bridge.close()


# --------------------------------------------------------------------------- standalone
def test_wall_flag_opens_the_workspace_read_only(qtbot: Any, tmp_path: Path) -> None:
    path = build_wall_workspace(tmp_path / "shared")
    args = build_parser().parse_args(
        ["--wall", "--workspace", str(path), "--theme", "light", "--rotate", "7"]
    )
    assert (args.wall, args.theme, args.rotate) == (True, "light", 7)
    window = create_wall_window(args)
    qtbot.addWidget(window)
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    with qtbot.waitSignal(window.workspace_opened, timeout=30_000):
        pass
    assert window.workspace.read_only
    assert window.board.rotation_seconds() == 7 and window.board.theme is LIGHT
    qtbot.waitUntil(lambda: window.board.snapshot is not None, timeout=60_000)
    assert window.board.snapshot.shared_total == 3
    workspace = window.workspace
    window.close()
    assert window.workspace is None
    assert workspace._closed  # the wall opened it, so the wall closed it


def test_wall_flag_on_a_folder_that_is_not_a_workspace_says_so(qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    window = create_wall_window(build_parser().parse_args(["--wall", "--workspace", str(folder)]))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.workspace_open_failed, timeout=30_000) as failed:
        pass
    assert "is not a Curator workspace" in failed.args[0]
    assert window.board.message.empty_title.text() == "This workspace cannot be shown on the wall."
    assert "--workspace" in window.board.message.empty_hint.text()
    assert not (folder / "workspace.json").exists()  # the wall never creates anything
    window.close()


def test_sparklines_draw_the_hourly_counts(
    open_wall: Opener, wall_ws: Workspace, pipe: LoadedPipeline
) -> None:
    window = open_wall(wall_ws, fixture_snapshot(pipe))
    show(window, 1)
    sparks = [s for s in window.findChildren(Sparkline) if s.isVisible()]
    assert len(sparks) == 5
    refund = next(i for i in window.board.snapshot.hot_issues if i.issue_id == "refund")
    assert sparks[1].values() == tuple(float(v) for v in refund.hourly)
