"""The Wall page of the main window: a live preview and the button that puts the wall on a screen.

The preview is the wall itself (a :class:`~ui.wall.board.WallBoard`) at the
page's size, kept at 16:9, so what the page shows is what the team room
will see. "Open full screen" (F11) shows a :class:`~ui.wall.window.WallWindow`
on the chosen screen, sharing this page's snapshot feed; it closes with the
workspace.

Personal data is masked on the wall whatever the user's role: the wall is
a shared screen, so a user's permission to unmask changes nothing here.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Slot
from PySide6.QtGui import QGuiApplication, QHideEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from curator.settings import Settings
from ui.models import StoreEventBridge
from ui.tasks import TaskRunner
from ui.wall.board import DEFAULT_ROTATE_S, MAX_ROTATE_S, MIN_ROTATE_S, WallBoard
from ui.wall.feed import SnapshotFn, WallFeed
from ui.wall.window import WallWindow
from ui.widgets.page_header import PageHeader

log = logging.getLogger(__name__)

THEME_CHOICES = (("Dark", "dark"), ("Light", "light"), ("Like the system", "system"))


class AspectBox(QWidget):
    """Holds one widget at 16:9, as large as fits, centred (the preview of a wall screen)."""

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.child = child
        child.setParent(self)

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 180)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = min(self.width(), self.height() * 16 // 9)
        height = width * 9 // 16
        self.child.setGeometry(
            QRect((self.width() - width) // 2, (self.height() - height) // 2, width, height)
        )


class WallView(QWidget):
    """The "Wall" page: preview, rotation, theme, screen, and "Open full screen"."""

    def __init__(
        self, runner: TaskRunner, parent: QWidget | None = None, *, snapshot_fn: SnapshotFn | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace: Any = None
        self.user: Any = None
        self.wall_window: WallWindow | None = None
        self.feed = WallFeed(runner, self, snapshot_fn=snapshot_fn)
        self.feed.snapshot_changed.connect(self._on_feed_snapshot_changed)
        self.feed.failed.connect(self._on_feed_failed)
        self.feed.set_active(False)

        self.header = PageHeader(
            "Wall",
            "The team-room screen: hot issues, reply times, shared conversations and today's posts, "
            "updated live. Personal data is always masked on it.",
        )
        self.preview = WallBoard(theme="dark", rotate_seconds=DEFAULT_ROTATE_S)
        self.preview.setObjectName("wallPreview")
        self.preview.set_message("No workspace is open.")
        self.preview_box = AspectBox(self.preview)

        self.open_button = QPushButton("Open full screen (F11)")
        self.open_button.setObjectName("wallOpenButton")
        self.open_button.setToolTip("Show the wall full screen on the chosen screen (F11); Q closes it")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_full_screen)
        self.rotate_spin = QSpinBox()
        self.rotate_spin.setObjectName("wallRotateSpin")
        self.rotate_spin.setRange(MIN_ROTATE_S, MAX_ROTATE_S)
        self.rotate_spin.setValue(DEFAULT_ROTATE_S)
        self.rotate_spin.setSuffix(" s")
        self.rotate_spin.setToolTip("How long each panel shows before the next one")
        self.rotate_spin.valueChanged.connect(self._on_rotate_spin_value_changed)
        self.theme_combo = QComboBox()
        self.theme_combo.setObjectName("wallThemeCombo")
        for text, value in THEME_CHOICES:
            self.theme_combo.addItem(text, value)
        self.theme_combo.currentIndexChanged.connect(self._on_theme_combo_current_index_changed)
        self.screen_combo = QComboBox()
        self.screen_combo.setObjectName("wallScreenCombo")
        self.screen_combo.setToolTip("The screen the wall opens on")
        self.screen_label = QLabel("Screen")
        self._fill_screens()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenAdded.connect(self._on_app_screens_changed)
            app.screenRemoved.connect(self._on_app_screens_changed)

        controls = QHBoxLayout()
        controls.setContentsMargins(20, 0, 20, 0)
        controls.setSpacing(8)
        controls.addWidget(self.open_button)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Each panel for"))
        controls.addWidget(self.rotate_spin)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Colours"))
        controls.addWidget(self.theme_combo)
        controls.addSpacing(16)
        controls.addWidget(self.screen_label)
        controls.addWidget(self.screen_combo)
        controls.addStretch(1)
        self.hint_label = QLabel(
            "Click the preview, then Space or the arrow keys move between panels; P pauses."
        )
        self.hint_label.setObjectName("wallHint")
        self.hint_label.setStyleSheet("color: palette(placeholder-text);")
        self.hint_label.setWordWrap(True)
        self.hint_label.setContentsMargins(20, 0, 20, 12)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.header)
        layout.addLayout(controls)
        preview_row = QHBoxLayout()
        preview_row.setContentsMargins(20, 4, 20, 4)
        preview_row.addWidget(self.preview_box, 1)
        layout.addLayout(preview_row, 1)
        layout.addWidget(self.hint_label)

        self._loading_settings = False
        self.load_settings()

        self.full_screen_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F11), self)
        self.full_screen_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.full_screen_shortcut.activated.connect(self.open_full_screen)
        self.open_button.setEnabled(False)

    # ------------------------------------------------------------ page protocol
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Follow ``workspace`` (the main window keeps it refreshed)."""
        self.detach()
        self._workspace = workspace
        self.preview.set_workspace_name(workspace.name)
        self.preview.set_message("Loading the wall…")
        self.feed.attach(workspace, bridge)
        self.open_button.setEnabled(True)

    def detach(self) -> None:
        """Stop following the workspace and close the full-screen wall (before the workspace closes)."""
        self.close_full_screen()
        self.feed.detach()
        self._workspace = None
        self.preview.set_message("No workspace is open.")
        self.open_button.setEnabled(False)

    def set_user(self, user: Any) -> None:
        """Who acts; the wall masks personal data whatever their role, so nothing else changes."""
        self.user = user

    # ------------------------------------------------------------ full screen
    def chosen_screen(self) -> Any:
        """The screen picked in the list (the window's own when there is only one)."""
        screens = QGuiApplication.screens()
        index = self.screen_combo.currentIndex()
        if 0 <= index < len(screens):
            return screens[index]
        return self.screen() or QGuiApplication.primaryScreen()

    @Slot()
    def open_full_screen(self) -> WallWindow | None:
        """Show the wall full screen on the chosen screen (raise it if it is already open)."""
        if self._workspace is None:
            return None
        if self.wall_window is None:
            self.wall_window = WallWindow(
                self._runner,
                feed=self.feed,
                theme=str(self.theme_combo.currentData()),
                rotate_seconds=self.rotate_spin.value(),
            )
            self.wall_window.board.show_panel(self.preview.current_index())
            self.wall_window.closed.connect(self._on_wall_window_closed)
            self._update_activity()
        self.wall_window.show_full_screen(self.chosen_screen())
        self.wall_window.raise_()
        return self.wall_window

    def close_full_screen(self) -> None:
        """Close the full-screen wall, if open."""
        if self.wall_window is not None:
            self.wall_window.close()  # its closed signal lets go of it

    @Slot()
    def _on_wall_window_closed(self) -> None:
        window, self.wall_window = self.wall_window, None
        if window is not None:
            window.deleteLater()
        self._update_activity()

    # ------------------------------------------------------------ settings
    def load_settings(self) -> None:
        """Take the rotation and colours from the user's settings (``wall.*`` in the registry)."""
        settings = Settings()
        self._loading_settings = True
        try:
            self.rotate_spin.setValue(int(settings.get("wall.rotate_seconds")))
            index = self.theme_combo.findData(settings.get("wall.theme"))
            self.theme_combo.setCurrentIndex(max(index, 0))
        finally:
            self._loading_settings = False

    def _remember(self, key: str, value: object) -> None:
        """Keep a choice made on this page as the user's setting, shared with the Settings page."""
        if self._loading_settings:
            return
        try:
            settings = Settings()
            settings.set(key, value)
            settings.save()
        except (OSError, ValueError):
            log.warning("Could not save the setting %s", key, exc_info=True)

    @Slot(int)
    def _on_rotate_spin_value_changed(self, seconds: int) -> None:
        self.preview.set_rotation_seconds(seconds)
        if self.wall_window is not None:
            self.wall_window.board.set_rotation_seconds(seconds)
        self._remember("wall.rotate_seconds", seconds)

    @Slot(int)
    def _on_theme_combo_current_index_changed(self, _index: int) -> None:
        theme = str(self.theme_combo.currentData())
        self.preview.set_theme(theme)
        if self.wall_window is not None:
            self.wall_window.board.set_theme(theme)
        self._remember("wall.theme", theme)

    def _fill_screens(self) -> None:
        current = self.screen_combo.currentText()
        self.screen_combo.blockSignals(True)
        self.screen_combo.clear()
        for n, screen in enumerate(QGuiApplication.screens(), start=1):
            size = screen.size()
            name = screen.name() or f"Screen {n}"
            self.screen_combo.addItem(f"{n}: {name} ({size.width()}×{size.height()})")
        found = self.screen_combo.findText(current)
        if found >= 0:
            self.screen_combo.setCurrentIndex(found)
        elif self.screen_combo.count() > 1:
            self.screen_combo.setCurrentIndex(self.screen_combo.count() - 1)  # usually the big screen
        self.screen_combo.blockSignals(False)
        many = self.screen_combo.count() > 1
        self.screen_combo.setVisible(many)
        self.screen_label.setVisible(many)

    @Slot()
    def _on_app_screens_changed(self, *_args: object) -> None:
        self._fill_screens()

    # ------------------------------------------------------------ feed
    def _on_feed_snapshot_changed(self, snapshot: Any) -> None:
        self.preview.set_snapshot(snapshot)

    def _on_feed_failed(self, sentence: str) -> None:
        if self.preview.snapshot is None:
            self.preview.set_message("The wall could not be loaded.", sentence, error=True)
        else:
            self.preview.set_problem(sentence)

    def _update_activity(self) -> None:
        """Take snapshots only while the page or the full-screen wall is on screen."""
        self.feed.set_active(self.isVisible() or self.wall_window is not None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_activity()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_activity()
