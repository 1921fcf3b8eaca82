"""Starting and stopping the desktop app (``curator-app``, ``python -m ui``).

Which workspace opens: the one named with ``--workspace``, else the one used
last (the ``workspace.last`` setting), else the default location. When that
default does not exist yet, the demo workspace is created there, so a
newcomer lands in a living workspace instead of an empty window, and the
welcome explains the three steps and offers an empty or a shared workspace.
Uncaught errors go to :class:`ui.crash.CrashReporter`.
``--wall`` shows only the monitor wall, read-only (see :mod:`ui.wall.standalone`).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from curator import __version__
from curator.paths import default_workspace_path
from curator.settings import Settings
from ui.assets import icon
from ui.crash import CrashReporter
from ui.main_window import MainWindow
from ui.tasks import freeze_long_lived_objects
from ui.theme import apply_theme, prepare_application

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
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start on a throwaway demo workspace, check the window, the language model and the "
        "bundled files, print a report and exit (0 when everything works); your settings and "
        "workspaces are not touched",
    )
    wall = parser.add_argument_group("monitor wall")
    wall.add_argument(
        "--wall",
        action="store_true",
        help="show only the full-screen wall of the workspace, opened read-only (for a team-room screen)",
    )
    wall.add_argument(
        "--theme",
        choices=("dark", "light", "system"),
        default=None,
        help="the wall's colours (default: the wall.theme setting, dark unless changed)",
    )
    wall.add_argument(
        "--rotate",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds each wall panel shows (5 to 600; default: the wall.rotate_seconds setting, 20)",
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
    settings = Settings()
    application(settings.get("ui.theme"))
    path, is_default = resolve_workspace(args.workspace)
    first_run = is_default and not path.exists() and not settings.get("ui.welcome_done")
    window = MainWindow()
    window.open_workspace(path, read_only=args.read_only, create_demo=is_default)
    if first_run:
        # The demo opens behind the welcome, so pressing Enter lands somewhere useful.
        window.workspace_opened.connect(
            lambda _ws: window.show_welcome(), Qt.ConnectionType.SingleShotConnection
        )
    return window


def application(theme: str) -> QApplication:
    """The QApplication with Curator's identity and ``theme`` ("system", "light" or "dark")."""
    existing = QApplication.instance()
    if existing is None:
        prepare_application()  # high-DPI rounding must be set before the application exists
        existing = QApplication([sys.argv[0] if sys.argv else "curator-app"])
    assert isinstance(existing, QApplication)
    existing.setApplicationName("Curator")
    existing.setOrganizationName("Curator")
    existing.setApplicationVersion(__version__)
    existing.setDesktopFileName("curator")
    existing.setWindowIcon(icon("curator"))
    apply_theme(existing, theme)
    return existing


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app until its window closes; returns the exit code."""
    # In a frozen build, spawned worker processes start this executable again:
    # they must become workers here instead of opening a second window.
    multiprocessing.freeze_support()
    if build_parser().parse_args(argv).self_test:
        from ui.self_test import run_self_test

        return run_self_test()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    reporter = CrashReporter()
    reporter.install()
    last_run = reporter.begin_session()
    try:
        args = build_parser().parse_args(argv)
        if args.wall:
            from ui.wall.standalone import create_wall_window

            window: Any = create_wall_window(args)
        else:
            window = create_window(argv)
            if last_run.ended_badly:
                window.show_notice(last_run.sentence(), error=True)
            reporter.background_failed.connect(
                lambda summary, details: window.show_notice(summary, error=True, details=details)
            )
        window.show()
        freeze_long_lived_objects()
        app = QApplication.instance()
        assert app is not None
        code = app.exec()
        # closeEvent has cancelled the tasks, waited for them and closed the
        # workspace; make sure of it when the loop ended some other way.
        window.close()
        window.runner.wait_for_done(10_000)
        reporter.end_session()
        return int(code)
    finally:
        reporter.uninstall()
