"""The window remembers its size, its page, its splitters and its columns, per user."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QSplitter

from curator.paths import config_dir
from ui.main_window import MainWindow
from ui.window_state import FILE_NAME, WindowState, widget_key

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _opened(qtbot, path: Path) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_workspace(path)
    return window


def test_layout_survives_a_restart(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    # The offscreen screen is 800x800 and the window's minimum width is 900,
    # so the height is what shows the geometry came back.
    window.resize(QSize(900, 640))
    window.show_view("calendar")
    splitter = window.views["calendar"].splitter
    assert isinstance(splitter, QSplitter)
    total = sum(splitter.sizes())
    splitter.setSizes([total - 150, 150])
    wanted_sizes = splitter.sizes()
    table = window.views["sources"].sources_table
    table.horizontalHeader().resizeSection(0, 333)
    window.close()
    assert (config_dir() / FILE_NAME).exists()

    again = _opened(qtbot, workspace_path)
    assert again.size() == QSize(900, 640)
    assert again.current_view_key() == "calendar"
    assert again.views["calendar"].splitter.sizes() == wanted_sizes
    assert again.views["sources"].sources_table.horizontalHeader().sectionSize(0) == 333
    again.close()


def test_a_damaged_layout_file_is_ignored(qtbot, workspace_path: Path) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / FILE_NAME).write_text("{ not json")
    window = _opened(qtbot, workspace_path)
    assert window.current_view_key() == "sources"
    window.close()
    assert WindowState().view == "sources"  # rewritten whole on close


def test_widgets_without_names_get_keys_from_their_place(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    keys = [widget_key(s, window) for s in window.findChildren(QSplitter)]
    assert keys and len(keys) == len(set(keys))
    assert all(key.startswith("QWidget[") or "View" in key for key in keys)
