"""``curator-app --wall``: a machine that only shows the wall.

No main window: one full-screen :class:`~ui.wall.window.WallWindow` over a
workspace opened read-only (the wall never writes, so a display machine
needs only read access to the shared folder, and it never takes the
workspace's write lock from the people working in it). A folder that is not
a workspace is said so on the screen itself, where the person setting the
screen up is looking.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from curator import __version__
from curator.paths import default_workspace_path
from curator.settings import Settings
from ui.assets import icon
from ui.wall.board import clamp_rotation
from ui.wall.window import WallWindow


def wall_workspace(explicit: str | None) -> Path:
    """The folder to show: the one named, else the one used last, else the default location.

    Unlike the main window, the wall never creates a demo workspace: a wall
    showing made-up data in a team room would be worse than a clear message.
    """
    if explicit:
        return Path(explicit).expanduser()
    last = Settings().get("workspace.last")
    if last and Path(last).is_dir():
        return Path(last)
    return default_workspace_path()


def create_wall_window(args: argparse.Namespace) -> WallWindow:
    """Make sure a QApplication exists, build the wall and start opening the workspace read-only.

    The window is set to full screen; ``show()`` shows it so.
    """
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "curator-app"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Curator")
    app.setOrganizationName("Curator")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("curator")
    app.setWindowIcon(icon("curator"))
    settings = Settings()
    theme = args.theme or settings.get("wall.theme")
    rotate = args.rotate if args.rotate is not None else settings.get("wall.rotate_seconds")
    window = WallWindow(theme=theme, rotate_seconds=clamp_rotation(rotate))
    window.setWindowState(window.windowState() | Qt.WindowState.WindowFullScreen)
    window.setCursor(Qt.CursorShape.BlankCursor)
    window.open_workspace(wall_workspace(args.workspace))
    return window
