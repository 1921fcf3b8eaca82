"""Keeping the wall's snapshot current without ever blocking the window.

The snapshot is taken in a :class:`~ui.tasks.TaskRunner` worker (it reads
several tables and may run spaCy to mask new texts). It is taken again:

* a second after the workspace changes (a store event on a table the wall
  shows, whether this process wrote it or ``workspace.refresh()`` found
  another process's write), so a burst of writes costs one snapshot;
* every minute regardless, because time alone changes the wall (a target
  passes, the day turns, a trend's window moves);
* only while somebody looks (:meth:`WallFeed.set_active`): a hidden preview
  notes that the wall is out of date and catches up when shown.

A standalone wall has no main window polling the workspace for other
processes' writes, so its feed polls ``workspace.refresh()`` itself, in a
worker, every few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from curator.errors import CuratorError
from curator.progress import Progress
from ui.models import StoreEventBridge
from ui.tasks import TaskHandle, TaskRunner

log = logging.getLogger(__name__)

#: Tables whose changes change the wall.
WALL_TABLES = frozenset({"issues", "items", "conversations", "posts", "touchpoints", "config"})
#: Wait this long after a change before taking a snapshot, so a burst costs one.
SETTLE_MS = 1000
#: Take a snapshot at least this often (time alone changes the wall).
CLOCK_MS = 60_000
#: How often a standalone wall looks for other processes' writes (as the main window does).
POLL_MS = 3000

SnapshotFn = Callable[[Any], Any]


def take_snapshot(progress: Progress, workspace: Any, snapshot_fn: SnapshotFn | None = None) -> Any:
    """Worker side: the wall's snapshot of ``workspace`` (the core imports spaCy, so only here)."""
    progress.start(None, "Updating the wall")
    if snapshot_fn is not None:
        return snapshot_fn(workspace)
    from curator.reports.wall import wall_snapshot

    return wall_snapshot(workspace)


def _refresh(progress: Progress, workspace: Any) -> bool:
    progress.check_cancelled()
    return bool(workspace.refresh())


def failure_sentence(exc: BaseException) -> str:
    """What the footer says when an update failed (the last snapshot stays on screen)."""
    if isinstance(exc, CuratorError):
        return f"Could not update: {exc}"
    return f"Could not update ({type(exc).__name__}: {exc})"


class WallFeed(QObject):
    """The latest snapshot of one workspace, retaken in the background as it changes."""

    #: A new snapshot arrived: (WallSnapshot).
    snapshot_changed = Signal(object)
    #: Taking a snapshot (or looking for changes) failed: (a sentence for the footer).
    failed = Signal(str)

    def __init__(
        self, runner: TaskRunner, parent: QObject | None = None, *, snapshot_fn: SnapshotFn | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._snapshot_fn = snapshot_fn
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._token = 0
        self._handle: TaskHandle | None = None
        self._poll_handle: TaskHandle | None = None
        self._again = False
        self._dirty = False
        self._active = True
        self.snapshot: Any = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self._on_clock_timeout)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)

    @property
    def workspace(self) -> Any:
        """The workspace followed (None when detached)."""
        return self._workspace

    @property
    def busy(self) -> bool:
        """Whether a snapshot is being taken."""
        return self._handle is not None

    def attach(self, workspace: Any, bridge: StoreEventBridge, *, poll: bool = False) -> None:
        """Follow ``workspace``: a snapshot now, then after every change (``poll``: look for them too)."""
        self.detach()
        self._workspace = workspace
        self._bridge = bridge
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._clock.start()
        if poll:
            self._poll.start()
        self.refresh_now()

    def detach(self) -> None:
        """Stop following the workspace; a snapshot still being taken is ignored when it arrives."""
        self._token += 1
        self._settle.stop()
        self._clock.stop()
        self._poll.stop()
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        for handle in (self._handle, self._poll_handle):
            if handle is not None:
                handle.cancel()
        self._handle = self._poll_handle = None
        self._workspace = None
        self._again = self._dirty = False
        self.snapshot = None

    def set_active(self, active: bool) -> None:
        """Take snapshots (True) or only note that one is due (False: nobody looks)."""
        self._active = active
        if active and self._dirty:
            self.refresh_now()

    def request(self) -> None:
        """Take a snapshot once the current burst of changes has settled."""
        if self._workspace is not None:
            self._settle.start()

    def refresh_now(self) -> None:
        """Take a snapshot now (or right after the one being taken)."""
        if self._workspace is None:
            return
        if not self._active:
            self._dirty = True
            return
        self._dirty = False
        if self._handle is not None:
            self._again = True
            return
        token = self._token
        self._again = False
        handle = self._runner.run(
            take_snapshot,
            self._workspace,
            self._snapshot_fn,
            on_result=lambda snap: self._on_snapshot_arrived(token, snap),
            on_error=lambda exc: self._on_snapshot_failed(token, exc),
            on_finished=lambda: self._on_snapshot_finished(token),
        )
        if not handle.done:  # a synchronous pool has finished it already
            self._handle = handle

    # ------------------------------------------------------------ slots
    @Slot(object)
    def _on_bridge_store_changed(self, event: Any) -> None:
        if getattr(event, "table", None) in WALL_TABLES:
            self.request()

    @Slot()
    def _on_settle_timeout(self) -> None:
        self.refresh_now()

    @Slot()
    def _on_clock_timeout(self) -> None:
        self.refresh_now()

    @Slot()
    def _on_poll_timeout(self) -> None:
        if self._workspace is None or self._poll_handle is not None:
            return
        token = self._token
        handle = self._runner.run(
            _refresh,
            self._workspace,
            on_result=lambda changed: self._on_poll_done(token, changed),
            on_error=lambda exc: self._on_snapshot_failed(token, exc),
            on_finished=lambda: self._on_poll_finished(token),
        )
        if not handle.done:
            self._poll_handle = handle

    def _on_poll_done(self, token: int, changed: bool) -> None:
        if token == self._token and changed:
            self.request()

    def _on_poll_finished(self, token: int) -> None:
        if token == self._token:
            self._poll_handle = None

    def _on_snapshot_arrived(self, token: int, snapshot: Any) -> None:
        if token != self._token:
            return
        self.snapshot = snapshot
        self.snapshot_changed.emit(snapshot)

    def _on_snapshot_failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        if not isinstance(exc, CuratorError):
            log.error("Updating the wall failed", exc_info=exc)
        self.failed.emit(failure_sentence(exc))

    def _on_snapshot_finished(self, token: int) -> None:
        if token != self._token:
            return
        self._handle = None
        if self._again:
            self.refresh_now()
