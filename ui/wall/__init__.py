"""The monitor wall: a full-screen, read-only view of the workspace for a team room.

:class:`~ui.wall.window.WallWindow` is the wall (full screen, rotating panels),
:class:`~ui.wall.view.WallView` the main window's "Wall" page (a live preview
and "Open full screen"), :func:`~ui.wall.standalone.create_wall_window` the
``curator-app --wall`` entry point. What the wall shows comes, already
masked, from :func:`curator.reports.wall.wall_snapshot`.
"""

from ui.wall.board import WallBoard
from ui.wall.view import WallView
from ui.wall.window import WallWindow

__all__ = ["WallBoard", "WallView", "WallWindow"]
