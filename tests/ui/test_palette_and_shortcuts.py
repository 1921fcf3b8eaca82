"""Ctrl+K jumps anywhere; F1 lists every shortcut; the keys dispatch to their actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QKeyCombination, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from curator.domain import Issue
from curator.workspace import Workspace
from ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _opened(qtbot, path: Path) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.workspace_opened, timeout=10_000):
        window.open_workspace(path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def _palette_go(qtbot, window: MainWindow, text: str, wait_for: str | None = None) -> None:
    # The offscreen platform does not give the focus back when a dialog closes; a desktop does.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.command_palette
    assert palette is not None and palette.isVisible()
    qtbot.keyClicks(palette.search, text)
    if wait_for is not None:
        qtbot.waitUntil(
            lambda: palette.model.rowCount() > 0 and palette.model.target(0).title == wait_for, timeout=10_000
        )
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert not palette.isVisible()


def test_ctrl_k_goes_to_a_view_by_a_misspelt_name(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    _palette_go(qtbot, window, "calender")
    assert window.current_view_key() == "calendar"


def test_palette_opens_drafts_issues_and_sources(qtbot, workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as ws:
        ws.issues.save(Issue(label="Oat milk shortage in stores", item_count=4, hot_score=3.0))
        source = sorted(ws.sources.list(), key=lambda s: s.title)[0]
    window = _opened(qtbot, workspace_path)

    _palette_go(qtbot, window, "outage apology", wait_for="App outage apology")
    assert window.current_view_key() == "drafts"
    drafts = window.views["drafts"]
    qtbot.waitUntil(lambda: drafts.editor.draft is not None, timeout=10_000)
    assert drafts.editor.draft.title == "App outage apology"

    _palette_go(qtbot, window, source.title, wait_for=source.title)
    assert window.current_view_key() == "sources"
    sources = window.views["sources"]
    assert [s.id for s in sources.selected_sources()] == [source.id]

    hot = window.views["hot_issues"]
    qtbot.waitUntil(lambda: hot.issues_model.rowCount() > 0, timeout=10_000)
    _palette_go(qtbot, window, "oat milk shortage", wait_for="Oat milk shortage in stores")
    assert window.current_view_key() == "hot_issues"
    assert [i.label for i in hot.selected_issues()] == ["Oat milk shortage in stores"]


def test_palette_triggers_a_page_action(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    window.show_view("hot_issues")
    _palette_go(qtbot, window, "keyboard shortcuts")
    assert window.shortcuts_dialog is not None and window.shortcuts_dialog.isVisible()


def test_f1_lists_window_and_page_shortcuts_read_from_the_actions(qtbot, workspace_path: Path) -> None:
    window = _opened(qtbot, workspace_path)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    rows = dialog.model._rows
    by_action = {(r.where, r.action): r.keys for r in rows}
    assert by_action[("Everywhere", "Go to")] == "Ctrl+K"
    assert by_action[("Everywhere", "Keyboard Shortcuts")] == "F1 or Ctrl+/"
    wheres = {r.where for r in rows}
    assert {"Everywhere", "Inbox", "Drafts", "Calendar", "Sources", "Hot issues"} <= wheres
    # The search box filters the table.
    qtbot.keyClicks(dialog.search, "ctrl+k")
    shown = [
        " ".join(dialog.proxy.index(row, col).data() for col in range(3)).casefold()
        for row in range(dialog.proxy.rowCount())
    ]
    assert shown and all("ctrl+k" in line for line in shown)
    assert len(shown) < len(rows)
    dialog.close()
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert window.shortcuts_dialog is not None and window.shortcuts_dialog.isVisible()


class _KillLineEdit(QLineEdit):
    """A field that claims Ctrl+K as "delete to the end of the line", as Qt's text fields do on X11."""

    def event(self, event: QEvent) -> bool:
        ctrl_k = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_K)
        override = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.ShortcutOverride
        if override and event.keyCombination() == ctrl_k:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.keyCombination() == QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_K):
            self.setText(self.text()[: self.cursorPosition()])
            return
        super().keyPressEvent(event)


def test_ctrl_k_in_a_text_field_opens_the_palette_instead_of_cutting_the_line(
    qtbot, workspace_path: Path
) -> None:
    window = _opened(qtbot, workspace_path)
    field = _KillLineEdit("Keep this whole line")
    window.statusBar().addWidget(field)
    field.setFocus()
    field.setCursorPosition(4)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=5000)
    qtbot.keyClick(field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.command_palette is not None and window.command_palette.isVisible()
    assert field.text() == "Keep this whole line"
    window.command_palette.reject()
