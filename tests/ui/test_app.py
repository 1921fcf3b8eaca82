"""Starting the app: which workspace opens, the demo on first run, the crash hook."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from curator import __version__
from curator.paths import default_workspace_path
from curator.settings import Settings
from tests.conftest import REPO_ROOT
from ui import app as app_module
from ui.app import create_window, excepthook, main, resolve_workspace
from ui.main_window import MainWindow


def _started(qtbot, argv: list[str]) -> MainWindow:
    window = create_window(argv)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.workspace_opened, timeout=30_000):
        pass
    return window


def test_workspace_named_on_the_command_line_wins(tmp_path: Path) -> None:
    assert resolve_workspace(str(tmp_path / "ws")) == (tmp_path / "ws", False)


def test_without_a_name_the_last_workspace_opens_if_it_still_exists(tmp_path: Path) -> None:
    assert resolve_workspace(None) == (default_workspace_path(), True)
    settings = Settings()
    settings.set("workspace.last", str(tmp_path))
    settings.save()
    assert resolve_workspace(None) == (tmp_path, False)
    settings.set("workspace.last", str(tmp_path / "unplugged"))
    settings.save()
    assert resolve_workspace(None) == (default_workspace_path(), True)


def test_first_run_lands_in_a_new_demo_workspace(qtbot) -> None:
    assert not default_workspace_path().exists()
    window = _started(qtbot, [])
    assert window.workspace.path == default_workspace_path()
    assert window.notice_label.text().startswith(f"Demo workspace created at {default_workspace_path()}")
    assert window.windowTitle() == f"Curator — {window.workspace.name}"
    assert window.workspace.sources.count() > 0
    assert Settings().get("workspace.last") == str(default_workspace_path())
    window.close()

    again = _started(qtbot, [])
    assert again.workspace.path == default_workspace_path()
    assert again.notice_label.text() == ""  # nothing was created this time


def test_application_identity_and_read_only_flag(qtbot, workspace_path: Path) -> None:
    window = _started(qtbot, ["--workspace", str(workspace_path), "--read-only"])
    assert QApplication.applicationName() == "Curator"
    assert QApplication.organizationName() == "Curator"
    assert window.workspace.read_only
    assert window.read_only_badge.isVisibleTo(window)


def test_main_runs_until_the_window_closes_and_restores_the_hook(qtbot, workspace_path: Path) -> None:
    hook = sys.excepthook
    seen: list[MainWindow] = []

    def close_when_open() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].workspace is not None:
            qtbot.addWidget(windows[0])
            seen.append(windows[0])
            assert sys.excepthook is excepthook  # installed while the app runs
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_open)

    QTimer.singleShot(0, close_when_open)
    assert main(["--workspace", str(workspace_path)]) == 0
    assert seen and seen[0].workspace is None  # closed on the way out
    assert sys.excepthook is hook


def test_excepthook_logs_and_shows_the_traceback(qtbot, monkeypatch, caplog) -> None:
    shown: list[str] = []
    monkeypatch.setattr(app_module, "_show_crash_dialog", shown.append)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        error = exc
    with caplog.at_level(logging.CRITICAL, logger="ui.app"):
        excepthook(ValueError, error, error.__traceback__)
    assert len(shown) == 1
    assert "ValueError: boom" in shown[0]
    assert "test_excepthook_logs_and_shows_the_traceback" in shown[0]
    assert any("ValueError: boom" in record.getMessage() for record in caplog.records)


@pytest.mark.slow
def test_python_dash_m_ui_starts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ui", "--version"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"curator {__version__}"
