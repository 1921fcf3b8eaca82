"""Crash safety: the excepthook's report and single dialog, worker errors, and the next start."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest
from PySide6.QtWidgets import QApplication

from ui.crash import REPORTS_DIR, CrashDialog, CrashReporter

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _raise(message: str) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        return type(exc), exc, exc.__traceback__


def test_an_uncaught_error_is_saved_and_shown_once_with_details_to_copy(qtbot, tmp_path: Path) -> None:
    reporter = CrashReporter(tmp_path)
    reporter.excepthook(*_raise("forced for the test"))
    dialog = reporter.dialog
    assert isinstance(dialog, CrashDialog)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert "RuntimeError: forced for the test" in dialog.details.toPlainText()
    reports = sorted((tmp_path / REPORTS_DIR).glob("crash-*.txt"))
    assert len(reports) == 1
    assert "RuntimeError: forced for the test" in reports[0].read_text()
    assert str(reports[0]) in dialog.message.text()

    # A second error while the dialog is open joins it: no storm of dialogs.
    reporter.excepthook(*_raise("and another"))
    assert reporter.dialog is dialog
    assert dialog.count == 2
    assert "2 errors" in dialog.message.text()
    assert "and another" in dialog.details.toPlainText()
    assert (
        len([w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()]) == 1
    )

    dialog.copy_button.click()
    assert "forced for the test" in QApplication.clipboard().text()
    dialog.close()


def test_an_error_in_a_worker_thread_becomes_a_signal_not_a_dialog(qtbot, tmp_path: Path) -> None:
    reporter = CrashReporter(tmp_path)
    reporter.install()
    try:
        with qtbot.waitSignal(reporter.background_failed, timeout=5000) as blocker:
            worker = threading.Thread(target=lambda: 1 / 0)
            worker.start()
            worker.join()
    finally:
        reporter.uninstall()
    summary, details = blocker.args
    assert summary.startswith("An unexpected error occurred (ZeroDivisionError")
    assert "ZeroDivisionError" in details
    assert reporter.dialog is None
    assert len(list((tmp_path / REPORTS_DIR).glob("crash-*.txt"))) == 1


def test_the_next_start_says_the_last_run_did_not_end_well(tmp_path: Path) -> None:
    first = CrashReporter(tmp_path)
    assert not first.begin_session().ended_badly
    assert first.marker.exists()
    first.end_session()
    assert not first.marker.exists()
    assert not CrashReporter(tmp_path).begin_session().ended_badly

    # A run that was killed leaves its marker, with a pid that no longer exists.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    marker = tmp_path / f"running-{dead.pid}.json"
    marker.write_bytes(orjson.dumps({"pid": dead.pid, "started_at": "2026-11-23T09:00:00+01:00"}))
    last = CrashReporter(tmp_path).begin_session()
    assert last.ended_badly
    assert last.report is None
    assert last.sentence().startswith(
        "Curator did not close normally last time (started 2026-11-23T09:00:00+01:00)."
    )

    # One that crashed also left a report: the sentence names it.
    marker.write_bytes(orjson.dumps({"pid": dead.pid, "started_at": "x"}))
    crashed = CrashReporter(tmp_path)
    report = crashed.write_report("Traceback: boom")
    last = CrashReporter(tmp_path).begin_session()
    assert last.report == report
    assert str(report) in last.sentence()


def test_a_marker_of_a_running_instance_is_not_a_crash(tmp_path: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        running = tmp_path / f"running-{other.pid}.json"
        running.write_bytes(orjson.dumps({"pid": other.pid, "started_at": "now"}))
        ours = CrashReporter(tmp_path)
        assert not ours.begin_session().ended_badly
        assert running.exists() and ours.marker.exists()  # each window keeps its own marker
    finally:
        other.kill()
        other.wait()
