"""Progress and cancellation as plain core objects.

A long task receives one :class:`Progress`; it reports how far it got and
checks whether the user cancelled. The UI binds it to a progress bar, the CLI
to a text bar; the task never knows which.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from curator.errors import Cancelled


@dataclass(frozen=True)
class ProgressState:
    """A snapshot handed to listeners (safe to pass between threads)."""

    done: int
    total: int | None
    message: str

    @property
    def fraction(self) -> float | None:
        """Share done from 0 to 1, or None while the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


Listener = Callable[[ProgressState], None]


class Progress:
    """Progress report plus cancel token for one task.

    Listeners are called in the task's thread; front ends marshal to their
    own thread (the Qt helper does so with a queued signal).
    """

    def __init__(self, total: int | None = None, listener: Listener | None = None) -> None:
        self._lock = threading.Lock()
        self._done = 0
        self._total = total
        self._message = ""
        self._cancel = threading.Event()
        self._listeners: list[Listener] = [listener] if listener else []

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def state(self) -> ProgressState:
        with self._lock:
            return ProgressState(self._done, self._total, self._message)

    def start(self, total: int | None, message: str = "") -> None:
        """Begin a (new) phase with a known or unknown total."""
        with self._lock:
            self._done = 0
            self._total = total
            self._message = message
        self._notify()

    def advance(self, steps: int = 1, message: str | None = None) -> None:
        """Count finished steps; also the natural place to honour a cancel."""
        self.check_cancelled()
        with self._lock:
            self._done += steps
            if message is not None:
                self._message = message
        self._notify()

    def cancel(self) -> None:
        """Ask the task to stop at its next check (any thread may call it)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` if a cancel was asked for."""
        if self._cancel.is_set():
            raise Cancelled()

    def _notify(self) -> None:
        state = self.state
        for listener in self._listeners:
            listener(state)
