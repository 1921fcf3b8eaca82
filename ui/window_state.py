"""Remembering the window: size, place, the page shown, splitters and table columns.

Kept per user in the platformdirs config folder (``window-state.json``),
not in the workspace: two colleagues on one shared workspace keep their own
layouts. Splitters and table headers are found by walking the window, each
named by its path of object names (or class and position where a widget has
no name), so a new splitter is remembered without registering it here. A
layout saved by an older version that no longer fits (a column added) is
ignored by Qt's own ``restoreState`` checks.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import orjson
from PySide6.QtCore import QByteArray, QObject
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMainWindow, QSplitter, QWidget

from curator.paths import config_dir
from curator.store.files import atomic_write

log = logging.getLogger(__name__)

FILE_NAME = "window-state.json"
STATE_VERSION = 1


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _decode(text: Any) -> QByteArray | None:
    if not isinstance(text, str):
        return None
    try:
        return QByteArray(base64.b64decode(text.encode("ascii"), validate=True))
    except ValueError:
        return None


def widget_key(widget: QObject, root: QObject) -> str:
    """A stable name for ``widget`` under ``root``: object names, else class and position."""
    parts: list[str] = []
    current: QObject | None = widget
    while current is not None and current is not root:
        name = current.objectName()
        if not name:
            parent = current.parent()
            siblings = (
                [c for c in parent.children() if type(c) is type(current)] if parent is not None else []
            )
            index = siblings.index(current) if current in siblings else 0
            name = f"{type(current).__name__}[{index}]"
        parts.append(name)
        current = current.parent()
    return "/".join(reversed(parts))


def _headers(root: QWidget) -> dict[str, QHeaderView]:
    """The horizontal headers of the item views under ``root``, by their view's key."""
    found: dict[str, QHeaderView] = {}
    for view in root.findChildren(QAbstractItemView):
        header = getattr(view, "horizontalHeader", None)
        if header is None:
            continue
        head = header()
        if isinstance(head, QHeaderView) and head.count() > 0:
            found[widget_key(view, root)] = head
    return found


class WindowState:
    """Reads and writes one user's window layout file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME
        self.data: dict[str, Any] = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            raw = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError):
            log.warning("The window layout in %s is unreadable; starting with the default one", self.path)
            return {}
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            return {}
        return raw

    # ---------------------------------------------------------------- saving
    def capture(self, window: QMainWindow, current_view: str | None = None) -> None:
        """Take the window's geometry, page, splitters and the headers that have a model."""
        self.data["version"] = STATE_VERSION
        self.data["geometry"] = _encode(window.saveGeometry())
        self.data["state"] = _encode(window.saveState())
        if current_view:
            self.data["view"] = current_view
        splitters = self.data.setdefault("splitters", {})
        for splitter in window.findChildren(QSplitter):
            splitters[widget_key(splitter, window)] = _encode(splitter.saveState())
        headers = self.data.setdefault("headers", {})
        for key, header in _headers(window).items():
            headers[key] = _encode(header.saveState())

    def save(self) -> None:
        """Write the file atomically; a failure is logged, never raised (closing must go on)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, orjson.dumps(self.data, option=orjson.OPT_INDENT_2))
        except OSError:
            log.warning("Could not save the window layout to %s", self.path, exc_info=True)

    # ------------------------------------------------------------- restoring
    @property
    def view(self) -> str | None:
        view = self.data.get("view")
        return view if isinstance(view, str) else None

    def restore_window(self, window: QMainWindow) -> bool:
        """Geometry and dock/toolbar state, before the window is shown; False if none was kept."""
        geometry = _decode(self.data.get("geometry"))
        if geometry is None or not window.restoreGeometry(geometry):
            return False
        state = _decode(self.data.get("state"))
        if state is not None:
            window.restoreState(state)
        return True

    def restore_layouts(self, window: QMainWindow) -> int:
        """Splitter positions and column layouts; call once the pages' models are set.

        Returns:
            How many splitters and headers took a kept layout.
        """
        restored = 0
        splitters = self.data.get("splitters") or {}
        for splitter in window.findChildren(QSplitter):
            state = _decode(splitters.get(widget_key(splitter, window)))
            if state is not None and splitter.restoreState(state):
                restored += 1
        headers = self.data.get("headers") or {}
        for key, header in _headers(window).items():
            state = _decode(headers.get(key))
            if state is not None and header.restoreState(state):
                restored += 1
        return restored
