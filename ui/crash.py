"""Crash safety: the global excepthook, the crash dialog, and what the next start says.

* An uncaught exception on the UI thread is written to a report file and
  shown in one dialog with the details to copy. Further exceptions while it
  is open are added to it (one dialog, never a storm of them); exceptions in
  worker threads are logged and become a status-bar notice through
  :attr:`CrashReporter.background_failed`.
* The data is safe whatever happens: every workspace change is durable in
  the workspace's journal when its transaction returns, and replayed when
  the workspace opens again.
* A small "running" marker per process lives in the data folder while the
  app runs. If a later start finds one whose process is gone (it was
  killed, the machine lost power, Qt aborted), it says so once, with the
  crash report's path when one was written meanwhile. Two windows running
  at once each keep their own marker.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import orjson
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator import __version__
from curator.paths import data_dir
from curator.store.files import atomic_write

log = logging.getLogger(__name__)

MARKER_GLOB = "running-*.json"
REPORTS_DIR = "crash-reports"
#: Reports kept; older ones are removed when a new one is written.
KEEP_REPORTS = 20


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class LastRun:
    """What the previous run left behind, if it did not end well."""

    ended_badly: bool
    started_at: str = ""
    report: Path | None = None

    def sentence(self) -> str:
        """What the user is told at start; empty when the last run ended normally."""
        if not self.ended_badly:
            return ""
        when = f" (started {self.started_at})" if self.started_at else ""
        text = f"Curator did not close normally last time{when}."
        if self.report is not None:
            text += f" The error report is in {self.report}."
        return text + " Everything saved before then is in the workspace: each change is journaled first."


class CrashReporter(QObject):
    """Owns the excepthook, the crash reports and the running marker."""

    #: An exception outside the UI thread (a worker's bug): (one-line summary, details).
    background_failed = Signal(str, str)

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or data_dir()
        self.dialog: CrashDialog | None = None
        self.reports: list[Path] = []
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    # ------------------------------------------------------------- the hook
    def install(self) -> None:
        """Become ``sys.excepthook`` and ``threading.excepthook``."""
        sys.excepthook = self.excepthook
        threading.excepthook = self._thread_excepthook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Log and save the exception; show it in the one crash dialog when on the UI thread."""
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.critical("Uncaught exception\n%s", text)
        report = self.write_report(text)
        app = QApplication.instance()
        summary = f"An unexpected error occurred ({exc_type.__name__}: {exc})."
        if app is None or QThread.currentThread() is not app.thread():
            # Never build widgets outside the UI thread; the signal is queued to it.
            self.background_failed.emit(summary, text)
            return
        try:
            self.show_dialog(text, report)
        except Exception:  # the crash reporter must never crash in turn
            log.exception("Could not show the crash dialog")

    def write_report(self, text: str) -> Path | None:
        """Save ``text`` with the version and platform; the oldest reports beyond a few are removed."""
        folder = self.folder / REPORTS_DIR
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        path = folder / f"crash-{stamp}.txt"
        header = (
            f"Curator {__version__} on Python {platform.python_version()}, {platform.platform()}\n"
            f"At {datetime.now(UTC).isoformat(timespec='seconds')}\n\n"
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, (header + text).encode())
            for old in sorted(folder.glob("crash-*.txt"))[:-KEEP_REPORTS]:
                old.unlink(missing_ok=True)
        except OSError:
            log.warning("Could not write the crash report", exc_info=True)
            return None
        self.reports.append(path)
        return path

    def show_dialog(self, text: str, report: Path | None) -> None:
        """One dialog for all errors of a burst: a second error is added to the open one."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(text, report)
            return
        parent = QApplication.activeWindow()
        self.dialog = CrashDialog(text, report, parent)
        self.dialog.open()

    # ------------------------------------------------------- the marker
    @property
    def marker(self) -> Path:
        return self.folder / f"running-{os.getpid()}.json"

    def begin_session(self) -> LastRun:
        """Say how the last run ended (forgetting it once said), then mark this one as running."""
        last, stale = self._last_run()
        for path in stale:
            path.unlink(missing_ok=True)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            started = datetime.now().astimezone().isoformat(timespec="seconds")
            atomic_write(self.marker, orjson.dumps({"pid": os.getpid(), "started_at": started}))
        except OSError:
            log.warning("Could not write %s", self.marker, exc_info=True)
        return last

    def end_session(self) -> None:
        """A normal exit: remove the marker."""
        try:
            self.marker.unlink(missing_ok=True)
        except OSError:
            log.warning("Could not remove %s", self.marker, exc_info=True)

    def last_run(self) -> LastRun:
        """How the last run that is no longer running ended."""
        return self._last_run()[0]

    def _last_run(self) -> tuple[LastRun, list[Path]]:
        """The verdict, and the markers of runs that are gone."""
        stale: list[tuple[float, str, Path]] = []
        for path in self.folder.glob(MARKER_GLOB):
            try:
                raw = orjson.loads(path.read_bytes())
                mtime = path.stat().st_mtime
            except (OSError, orjson.JSONDecodeError):
                stale.append((0.0, "", path))
                continue
            pid = int(raw.get("pid", 0)) if isinstance(raw, dict) else 0
            if pid == os.getpid() or _pid_alive(pid):
                continue  # this process, or another window of Curator running right now
            started = str(raw.get("started_at", "")) if isinstance(raw, dict) else ""
            stale.append((mtime, started, path))
        if not stale:
            return LastRun(False), []
        stale.sort()
        marker_time, started, _path = stale[-1]
        reports = sorted((self.folder / REPORTS_DIR).glob("crash-*.txt"))
        report = reports[-1] if reports and reports[-1].stat().st_mtime >= marker_time else None
        return LastRun(True, started, report), [path for _t, _s, path in stale]


class CrashDialog(QDialog):
    """What went wrong, where the report is, and the details with a Copy button."""

    def __init__(self, text: str, report: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("Curator ran into a problem")
        self.resize(640, 420)
        self.count = 0
        self.message = QLabel()
        self.message.setObjectName("crashMessage")
        self.message.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setObjectName("crashDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setObjectName("crashCopy")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.reports: list[Path] = []
        self.add(text, report)

    def add(self, text: str, report: Path | None) -> None:
        """Show one more error in this dialog."""
        self.count += 1
        if report is not None:
            self.reports.append(report)
        separator = "\n" + "-" * 60 + "\n" if self.details.toPlainText() else ""
        self.details.appendPlainText(separator + text.rstrip())
        errors = "An error" if self.count == 1 else f"{self.count} errors"
        where = f" The report is saved in {self.reports[-1]}." if self.reports else ""
        self.message.setText(
            f"{errors} happened inside Curator. Everything saved before this moment is safe in the "
            f"workspace, and you can keep working.{where} If it keeps happening, please send the "
            "details below to the team."
        )

    def copy_details(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(f"Curator {__version__}\n{self.details.toPlainText()}")
        self.copy_button.setText("Copied")
