"""``make screenshots``: the README's pictures, rendered offscreen from the demo workspace.

Nothing is drawn by hand: a fresh demo workspace is created in a temporary
folder, the real main window opens it, and each view is grabbed once its
background loading has settled. Run ``python -m ui.screenshots [FOLDER]``
(default ``docs/screenshots``); the settings and data folders are
temporary, so the user's own are never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

SIZE = (1440, 900)


def _settle(app: object, runner: object, idle_ms: int = 400, limit_s: float = 30.0) -> None:
    """Process events until no background task has run for ``idle_ms``."""
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + limit_s
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        app.processEvents()
        if runner.active_tasks:  # type: ignore[attr-defined]
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= idle_ms:
            return
        time.sleep(0.02)


def _wait(app: object, condition: Callable[[], bool], limit_s: float = 30.0) -> bool:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return False


def render(folder: Path, scratch: Path) -> list[Path]:
    """Render every view into ``folder`` from a demo workspace made in ``scratch``; returns the files."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    from curator.demo import ensure_demo_workspace
    from ui.main_window import NAV_ENTRIES, MainWindow
    from ui.theme import apply_theme, prepare_application

    prepare_application()
    app = QApplication.instance() or QApplication(["curator-screenshots"])
    assert isinstance(app, QApplication)
    apply_theme(app, "light")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    workspace_path = ensure_demo_workspace(scratch / "demo")
    window = MainWindow()
    window.resize(QSize(*SIZE))
    window.show()
    opened: list[object] = []
    window.workspace_opened.connect(opened.append)
    window.open_workspace(workspace_path)
    if not _wait(app, lambda: bool(opened), 60):
        raise SystemExit("The demo workspace did not open within a minute.")

    def shot(name: str, widget: object | None = None, dialog: object | None = None) -> None:
        _settle(app, window.runner)
        target = widget if widget is not None else window
        image = target.grab()  # type: ignore[attr-defined]
        if dialog is not None:
            # A dialog is its own window: draw it over the main window where a desktop would.
            from PySide6.QtGui import QPainter

            over = dialog.grab()  # type: ignore[attr-defined]
            painter = QPainter(image)
            painter.drawPixmap((image.width() - over.width()) // 2, image.height() // 6, over)
            painter.end()
        path = folder / f"{name}.png"
        if not image.save(str(path)):
            raise SystemExit(f"Could not write {path}")
        written.append(path)
        print(f"wrote {path}")

    prepare = _showcase(window)
    for entry in NAV_ENTRIES:
        window.show_view(entry.key)
        _settle(app, window.runner)
        prepare.get(entry.key, lambda: None)()
        shot(entry.key.replace("_", "-"))

    apply_theme(app, "dark")
    window.show_view("hot_issues")
    shot("hot-issues-dark")
    window.show_view("calendar")
    shot("calendar-dark")
    apply_theme(app, "light")

    window.show_palette()
    palette = window.command_palette
    assert palette is not None
    palette.search.setText("app login")
    _settle(app, window.runner)
    shot("command-palette", dialog=palette)
    palette.reject()

    wall_view = window.views.get("wall")
    if wall_view is not None and hasattr(wall_view, "open_full_screen"):
        wall_view.open_full_screen()
        _settle(app, window.runner)
        wall = getattr(wall_view, "wall_window", None)
        if wall is not None:
            wall.showNormal()
            wall.resize(1920, 1080)
            _settle(app, window.runner, idle_ms=800)
            shot("wall-full-screen", wall)
            wall.close()
    window.close()
    return written


def _showcase(window: object) -> dict[str, Callable[[], None]]:
    """Per view, what to select so its picture shows content, not just a list."""
    views = window.views  # type: ignore[attr-defined]

    def hot_issues() -> None:
        view = views["hot_issues"]
        if view.issues_model.rowCount():
            view.select_issue(view.issues_model.object_at(0).id)

    def inbox() -> None:
        view = views["inbox"]
        view.select_next()

    def drafts() -> None:
        view = views["drafts"]
        if view.drafts_model.rowCount():
            view.open_draft(view.drafts_model.object_at(0).id)

    def approvals() -> None:
        view = views["approvals"]
        entry = view.selected_entry()
        if entry is None and view.review_table.model().rowCount():
            view.review_table.selectRow(0)

    return {"hot_issues": hot_issues, "inbox": inbox, "drafts": drafts, "approvals": approvals}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="docs/screenshots", help="where to write the PNG files")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="curator-shots-home-") as home:
        # Never read or write the user's own settings, layout or workspaces.
        os.environ["CURATOR_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["CURATOR_DATA_DIR"] = str(Path(home) / "data")
        written = render(Path(args.folder), Path(home))
    print(f"{len(written)} screenshots in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
