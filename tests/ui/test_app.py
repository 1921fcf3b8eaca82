"""Starting the app: which workspace opens, the demo on first run, the crash hook."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

from curator import __version__
from curator.paths import data_dir, default_workspace_path
from curator.settings import Settings
from tests.conftest import REPO_ROOT
from ui.app import create_window, main, resolve_workspace
from ui.crash import CrashDialog, CrashReporter
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


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_first_run_lands_in_a_new_demo_workspace_under_the_welcome(qtbot) -> None:
    assert not default_workspace_path().exists()
    window = _started(qtbot, [])
    assert window.workspace.path == default_workspace_path()
    assert window.notice_label.text().startswith(f"Demo workspace created at {default_workspace_path()}")
    assert window.windowTitle() == f"Curator — {window.workspace.name}"
    assert window.workspace.sources.count() > 0
    assert Settings().get("workspace.last") == str(default_workspace_path())
    welcome = window.welcome_dialog
    assert welcome is not None and welcome.isVisible()
    assert "1. Add sources" in welcome.findChild(QLabel, "welcomeStep1").text()
    assert welcome.demo_button.isDefault()
    welcome.demo_button.click()  # keep the demo that is already open
    assert not welcome.isVisible()
    assert window.workspace.path == default_workspace_path()
    assert Settings().get("ui.welcome_done") is True
    window.close()

    again = _started(qtbot, [])
    assert again.workspace.path == default_workspace_path()
    assert again.notice_label.text() == ""  # nothing was created this time
    assert again.welcome_dialog is None


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
            assert isinstance(getattr(sys.excepthook, "__self__", None), CrashReporter)  # while it runs
            windows[0].close()
        else:
            QTimer.singleShot(20, close_when_open)

    QTimer.singleShot(0, close_when_open)
    assert main(["--workspace", str(workspace_path)]) == 0
    assert seen and seen[0].workspace is None  # closed on the way out
    assert sys.excepthook is hook


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_a_forced_error_shows_the_crash_dialog_and_work_goes_on(qtbot, workspace_path: Path, caplog) -> None:
    """An exception in a slot reaches the crash dialog; the app keeps running and exits normally."""
    seen: list[str] = []

    def fail_then_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or windows[0].workspace is None:
            QTimer.singleShot(20, fail_then_close)
            return
        qtbot.addWidget(windows[0])
        QTimer.singleShot(0, lambda: 1 / 0)  # an uncaught error in the event loop
        QTimer.singleShot(200, lambda: collect_and_close(windows[0]))

    def collect_and_close(window: MainWindow) -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()]
        seen.extend(d.details.toPlainText() for d in dialogs)
        for dialog in dialogs:
            dialog.close()
        window.close()

    QTimer.singleShot(0, fail_then_close)
    with caplog.at_level(logging.CRITICAL, logger="ui.crash"):
        assert main(["--workspace", str(workspace_path)]) == 0
    assert len(seen) == 1 and "ZeroDivisionError" in seen[0]
    assert any("ZeroDivisionError" in r.getMessage() for r in caplog.records)
    reports = list((data_dir() / "crash-reports").glob("crash-*.txt"))
    assert len(reports) == 1
    # The run ended normally after the error: the next start has nothing to report.
    assert not CrashReporter().last_run().ended_badly


def test_the_start_after_a_killed_run_says_what_happened(qtbot, workspace_path: Path) -> None:
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    data_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / f"running-{killed.pid}.json").write_text(f'{{"pid": {killed.pid}, "started_at": "09:00"}}')
    notices: list[str] = []

    def read_and_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or windows[0].workspace is None:
            QTimer.singleShot(20, read_and_close)
            return
        qtbot.addWidget(windows[0])
        notices.append(windows[0].notice_label.text())
        windows[0].close()

    QTimer.singleShot(0, read_and_close)
    assert main(["--workspace", str(workspace_path)]) == 0
    assert notices and "Curator did not close normally last time (started 09:00)." in notices[0]
    assert not list(data_dir().glob("running-*.json"))  # said once; this run ended normally


@pytest.mark.slow
def test_python_dash_m_ui_starts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ui", "--version"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"curator {__version__}"
