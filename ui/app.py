"""Starting and stopping the desktop app (``curator-app``, ``python -m ui``).

Which workspace opens: the one named with ``--workspace``, else the one used
last (the ``workspace.last`` setting), else the default location. When that
default does not exist yet, the demo workspace is created there, so a
newcomer lands in a living workspace instead of an empty window.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from curator import __version__
from curator.paths import default_workspace_path
from curator.settings import Settings
from ui.assets import icon
from ui.main_window import MainWindow
from ui.tasks import freeze_long_lived_objects

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The command line of the desktop app."""
    parser = argparse.ArgumentParser(prog="curator-app", description="Curator, the desktop app.")
    parser.add_argument("--version", action="version", version=f"curator {__version__}")
    parser.add_argument(
        "--workspace",
        metavar="PATH",
        help="workspace folder to open (default: the last one used, else the demo workspace)",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="open the workspace without the right to change it"
    )
    return parser


def resolve_workspace(explicit: str | None) -> tuple[Path, bool]:
    """The workspace to open, and whether it is the default one (created as a demo if missing).

    A remembered workspace that has since disappeared (an unplugged drive, a
    deleted folder) is skipped in favour of the default rather than
    greeting the user with an error on every start.
    """
    if explicit:
        return Path(explicit).expanduser(), False
    last = Settings().get("workspace.last")
    if last and Path(last).is_dir():
        return Path(last), False
    return default_workspace_path(), True


def create_window(argv: Sequence[str] | None = None) -> MainWindow:
    """Parse ``argv``, make sure a QApplication exists, and start opening the workspace.

    Split from :func:`main` so tests can drive the window without entering
    the event loop or replacing the excepthook.
    """
    args = build_parser().parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "curator-app"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Curator")
    app.setOrganizationName("Curator")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("curator")
    app.setWindowIcon(icon("curator"))
    path, is_default = resolve_workspace(args.workspace)
    window = MainWindow()
    window.open_workspace(path, read_only=args.read_only, create_demo=is_default)
    return window


def _show_crash_dialog(text: str) -> None:
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Curator ran into a problem")
    box.setText(
        "Something went wrong inside Curator. Everything saved before this moment is safe in "
        "the workspace. If it keeps happening, please report it with the details below."
    )
    box.setDetailedText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log an uncaught exception and, on the main thread, show it in a dialog.

    The workspace commits every write when it returns, so the data is safe;
    the dialog lets the user report the traceback instead of losing it.
    """
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    log.critical("Uncaught exception\n%s", text)
    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return  # never build widgets outside the main thread; the log has it
    try:
        _show_crash_dialog(text)
    except Exception:  # the crash reporter must never crash in turn
        log.exception("Could not show the crash dialog")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app until its window closes; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    previous_hook = sys.excepthook
    sys.excepthook = excepthook
    try:
        window = create_window(argv)
        window.show()
        freeze_long_lived_objects()
        app = QApplication.instance()
        assert app is not None
        code = app.exec()
        # closeEvent has cancelled the tasks, waited for them and closed the
        # workspace; make sure of it when the loop ended some other way.
        window.close()
        window.runner.wait_for_done(10_000)
        return int(code)
    finally:
        sys.excepthook = previous_hook
