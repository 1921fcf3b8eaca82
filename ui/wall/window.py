"""The wall as a window of its own: full screen, on the screen chosen, steered by a few keys.

It shows either a workspace the main window already has open (sharing the
page's :class:`~ui.wall.feed.WallFeed`, so both show the same snapshot) or,
for a machine that only shows the wall (``curator-app --wall``), a
workspace it opens itself, read-only, in the background.

Keys: Space/→ next panel, ← previous, P pause, F11 full screen on/off, Esc
leave full screen, Q close. The pointer is hidden in full screen.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QCursor, QKeyEvent, QScreen
from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget

from curator.errors import CuratorError
from curator.progress import Progress
from ui.assets import icon
from ui.models import StoreEventBridge
from ui.tasks import TaskRunner
from ui.wall.board import DEFAULT_ROTATE_S, WallBoard
from ui.wall.feed import SnapshotFn, WallFeed

log = logging.getLogger(__name__)


def open_read_only(progress: Progress, path: Path) -> Any:
    """Worker side of a standalone wall: open the workspace without the right to change it."""
    from curator.workspace import Workspace

    progress.start(None, "Opening the workspace")
    return Workspace.open(path, read_only=True)


class WallWindow(QWidget):
    """A top-level window showing the wall."""

    #: The standalone wall's workspace is open: (workspace).
    workspace_opened = Signal(object)
    #: The standalone wall's workspace could not be opened: (sentence).
    workspace_open_failed = Signal(str)
    #: The window closed (it stopped following the feed).
    closed = Signal()

    def __init__(
        self,
        runner: TaskRunner | None = None,
        *,
        feed: WallFeed | None = None,
        theme: str = "dark",
        rotate_seconds: float = DEFAULT_ROTATE_S,
        snapshot_fn: SnapshotFn | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the window (show it with :meth:`show_full_screen`).

        Args:
            runner: Where background work runs (a new one when None).
            feed: A feed to show (the Wall page's); without it the window makes its
                own, for :meth:`attach` or :meth:`open_workspace`.
            theme: "dark" (the default), "light" or "system".
            rotate_seconds: Seconds each panel shows.
            snapshot_fn: What takes a snapshot (tests); the core's by default.
            parent: Qt parent (a wall is normally a window of its own).
        """
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Curator wall")
        self.setWindowIcon(icon("wall"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._owns_runner = runner is None
        self.runner = runner if runner is not None else TaskRunner(parent=self)
        self._owns_feed = feed is None
        self.feed = feed if feed is not None else WallFeed(self.runner, self, snapshot_fn=snapshot_fn)
        self.workspace: Any = None
        self._owned_workspace = False
        self._owned_bridge: StoreEventBridge | None = None
        self._opening = 0
        self._closing = False
        self.board = WallBoard(theme=theme, rotate_seconds=rotate_seconds)
        layout = QVBoxLayout(self)
        # The screen's size is the wall's size: content never makes the window grow past it.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.board)
        self.feed.snapshot_changed.connect(self._on_feed_snapshot_changed)
        self.feed.failed.connect(self._on_feed_failed)
        if self.feed.snapshot is not None:
            self.board.set_snapshot(self.feed.snapshot)
        elif not self._owns_feed and self.feed.workspace is None:
            self.board.set_message("No workspace is open.", "Open a workspace in Curator first.")
        self.setFocusProxy(self.board)

    # ------------------------------------------------------------ workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``, which someone else keeps open and refreshed (the main window)."""
        self.workspace = workspace
        self.board.set_workspace_name(workspace.name)
        self.feed.attach(workspace, bridge)

    def open_workspace(self, path: Path) -> None:
        """Open ``path`` read-only in the background and show it; refresh it every few seconds."""
        self._opening += 1
        token = self._opening
        self.board.set_message("Opening the workspace…", str(path))
        self.runner.run(
            open_read_only,
            Path(path),
            on_result=lambda ws: self._on_opened(token, ws),
            on_error=lambda exc: self._on_open_failed(token, path, exc),
        )

    def _on_opened(self, token: int, workspace: Any) -> None:
        if self._closing or token != self._opening:
            workspace.close()
            return
        self.workspace = workspace
        self._owned_workspace = True
        self._owned_bridge = StoreEventBridge(workspace, self)
        self.board.set_workspace_name(workspace.name)
        self.board.set_message("Loading the wall…")
        self.feed.attach(workspace, self._owned_bridge, poll=True)
        self.workspace_opened.emit(workspace)

    def _on_open_failed(self, token: int, path: Path, exc: BaseException) -> None:
        if self._closing or token != self._opening:
            return
        if isinstance(exc, CuratorError):
            sentence = str(exc)
        else:
            log.error("Opening %s for the wall failed", path, exc_info=exc)
            sentence = f"An unexpected error occurred ({type(exc).__name__}: {exc})."
        self.board.set_message(
            "This workspace cannot be shown on the wall.",
            f"{sentence} Start the wall again with --workspace and a workspace folder. Q closes.",
            error=True,
        )
        self.workspace_open_failed.emit(sentence)

    # ------------------------------------------------------------ feed
    def _on_feed_snapshot_changed(self, snapshot: Any) -> None:
        self.board.set_snapshot(snapshot)

    def _on_feed_failed(self, sentence: str) -> None:
        if self.board.snapshot is None:
            self.board.set_message("The wall could not be loaded.", sentence, error=True)
        else:
            self.board.set_problem(sentence)

    # ------------------------------------------------------------ full screen
    def show_full_screen(self, screen: QScreen | None = None) -> None:
        """Show full screen on ``screen`` (the window's current screen when None)."""
        if screen is not None:
            self.setScreen(screen)
            self.move(screen.geometry().topLeft())
        self.showFullScreen()
        self.setCursor(QCursor(Qt.CursorShape.BlankCursor))
        self.activateWindow()
        self.board.setFocus()

    def toggle_full_screen(self) -> None:
        """Full screen on or off (F11)."""
        if self.isFullScreen():
            self.leave_full_screen()
        else:
            self.show_full_screen()

    def leave_full_screen(self) -> None:
        """Back to a normal window, pointer visible (Esc)."""
        self.showNormal()
        self.unsetCursor()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_F11:
            self.toggle_full_screen()
        elif key == Qt.Key.Key_Escape:
            if self.isFullScreen():
                self.leave_full_screen()
        elif key == Qt.Key.Key_Q:
            self.close()
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_P):
            self.board.keyPressEvent(event)
            return
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # ------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop updating; a wall that opened its own workspace finishes its work and closes it."""
        if self._closing:
            super().closeEvent(event)
            return
        self._closing = True
        self._opening += 1
        self.board.rotation_timer.stop()
        self.feed.snapshot_changed.disconnect(self._on_feed_snapshot_changed)
        self.feed.failed.disconnect(self._on_feed_failed)
        if self._owns_feed:
            self.feed.detach()
        if self._owned_bridge is not None:
            self._owned_bridge.close()
            self._owned_bridge.deleteLater()
            self._owned_bridge = None
        if self._owns_runner:
            idle = self.runner.shutdown(10_000)
        else:  # someone else's tasks run on it too: only wait for ours to end
            idle = not self._owned_workspace or self.runner.wait_for_done(10_000)
        if not idle:
            log.warning("Background work was still running when the wall closed")
        if self._owns_feed and self.workspace is not None:
            workspace, self.workspace = self.workspace, None
            if workspace is not None and self._owned_workspace:
                try:
                    workspace.close()
                except (CuratorError, OSError):
                    log.exception("Closing the wall's workspace failed")
        super().closeEvent(event)
        self.closed.emit()
