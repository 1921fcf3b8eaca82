"""The one way the UI runs work off the main thread.

A function runs on a pool with a fresh core :class:`~curator.progress.Progress`;
its result, its exception, its progress and its cancellation come back to
callbacks on the main thread. Workers never touch widgets: they only emit
signals of a :class:`TaskHandle`, a QObject that lives on the main thread, so
Qt queues every delivery into the main event loop.

The pool is injectable. :class:`SyncPool` runs tasks immediately in the
calling thread; the connections are ``AutoConnection`` (queued across
threads, direct within one), so under a ``SyncPool`` every callback has run
by the time :meth:`TaskRunner.run` returns, which keeps tests deterministic.
"""

from __future__ import annotations

import enum
import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, QThreadPool, Signal, Slot

from curator.errors import Cancelled
from curator.progress import Progress, ProgressState

log = logging.getLogger(__name__)

#: Minimum time between two progress deliveries of one task (at most ~20 per
#: second): enough for a smooth bar, few enough not to flood the event loop.
PROGRESS_INTERVAL_S = 0.05


class Pool(Protocol):
    """What the runner needs from a pool: something that runs a callable."""

    def start(self, runnable: Callable[[], None], /) -> None: ...


def freeze_long_lived_objects() -> None:
    """Exempt what exists now (modules, classes, the window) from garbage collection.

    A full collection walks every tracked object while holding the GIL: after
    start-up that is about 90,000 objects of imported modules, a 50 ms pause
    each time, and the window froze for up to 300 ms during a large fetch.
    Those objects live as long as the process anyway. Called once the window
    is built and again once the ingest code is imported.
    """
    gc.freeze()


class SyncPool:
    """Runs each task at once in the calling thread (for tests and scripts)."""

    def start(self, runnable: Callable[[], None], /) -> None:
        """Run ``runnable`` now; it returns when the task and its callbacks are done."""
        runnable()

    def waitForDone(self, msecs: int = -1) -> bool:  # mirrors QThreadPool
        """Nothing can be pending: every task finished inside :meth:`start`."""
        return True


class TaskState(enum.Enum):
    """Where a task is in its life."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TaskHandle(QObject):
    """One submitted task, seen from the main thread.

    The private ``_*_posted`` signals are emitted by the worker; because the
    handle lives on the main thread, their slots (which call the user's
    callbacks) run there.
    """

    #: Emitted on the main thread once the task ended, whatever the outcome.
    finished = Signal()

    _progress_posted = Signal(object)
    _result_posted = Signal(object)
    _error_posted = Signal(object)
    _cancel_posted = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        description: str,
        on_result: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_progress: Callable[[ProgressState], None] | None,
        on_finished: Callable[[], None] | None,
        on_cancelled: Callable[[], None] | None,
    ) -> None:
        super().__init__()
        self.description = description
        self.progress = Progress()
        self.state = TaskState.RUNNING
        self.last_progress: ProgressState | None = None
        self.error: BaseException | None = None
        self._runner = runner
        self._on_result = on_result
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._on_cancelled = on_cancelled
        self._detached = False
        # Throttling state, touched only by the worker thread (plus a lock
        # because Progress listeners may, in theory, be called from helpers).
        self._throttle_lock = threading.Lock()
        self._last_post = 0.0
        self._unposted: ProgressState | None = None
        self._progress_posted.connect(self._on_worker_progress_posted)
        self._result_posted.connect(self._on_worker_result_posted)
        self._error_posted.connect(self._on_worker_error_posted)
        self._cancel_posted.connect(self._on_worker_cancel_posted)

    # ------------------------------------------------------------ public API
    def cancel(self) -> None:
        """Ask the task to stop at its next ``check_cancelled``/``advance``."""
        self.progress.cancel()

    @property
    def done(self) -> bool:
        """True once the outcome was delivered on the main thread."""
        return self.state is not TaskState.RUNNING

    # ------------------------------------------------------- worker side
    def _execute(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Body run by the pool thread: only emits signals, never touches widgets."""
        self.progress.add_listener(self._post_progress)
        try:
            self.progress.check_cancelled()
            result = fn(self.progress, *args)
        except Cancelled:
            self._flush_progress()
            self._cancel_posted.emit()
        except BaseException as exc:  # every failure must reach the main thread
            self._flush_progress()
            self._error_posted.emit(exc)
        else:
            self._flush_progress()
            self._result_posted.emit(result)

    def _post_progress(self, state: ProgressState) -> None:
        now = time.monotonic()
        with self._throttle_lock:
            if now - self._last_post < PROGRESS_INTERVAL_S:
                self._unposted = state
                return
            self._last_post = now
            self._unposted = None
        self._progress_posted.emit(state)

    def _flush_progress(self) -> None:
        """Deliver the last throttled update so the final state is never lost."""
        with self._throttle_lock:
            state, self._unposted = self._unposted, None
        if state is not None:
            self._progress_posted.emit(state)

    # ------------------------------------------------------- main thread side
    @Slot(object)
    def _on_worker_progress_posted(self, state: ProgressState) -> None:
        if self._detached:
            return
        self.last_progress = state
        if self._on_progress is not None:
            self._on_progress(state)
        self._runner.task_progressed.emit(self, state)

    @Slot(object)
    def _on_worker_result_posted(self, result: object) -> None:
        if self._detached:
            return
        self.state = TaskState.SUCCEEDED
        try:
            if self._on_result is not None:
                self._on_result(result)
        finally:
            self._finish()

    @Slot(object)
    def _on_worker_error_posted(self, exc: BaseException) -> None:
        if self._detached:
            return
        self.state = TaskState.FAILED
        self.error = exc
        try:
            if self._on_error is not None:
                self._on_error(exc)
            else:
                log.error("Task %r failed", self.description or "(unnamed)", exc_info=exc)
                self._runner.task_failed.emit(self, exc)
        finally:
            self._finish()

    @Slot()
    def _on_worker_cancel_posted(self) -> None:
        if self._detached:
            return
        self.state = TaskState.CANCELLED
        try:
            if self._on_cancelled is not None:
                self._on_cancelled()
        finally:
            self._finish()

    def _finish(self) -> None:
        try:
            if self._on_finished is not None:
                self._on_finished()
        finally:
            self._runner._forget(self)
            self.finished.emit()


class TaskRunner(QObject):
    """Runs callables on a pool and hands their outcome back on the main thread.

    Create it on the main thread. Tasks whose exception has no ``on_error``
    are reported through :attr:`task_failed`, the UI's one error channel (the
    main window shows it in the status bar, never as a modal dialog).
    """

    #: A task was submitted: (handle).
    task_started = Signal(object)
    #: A task reported progress (throttled): (handle, ProgressState).
    task_progressed = Signal(object, object)
    #: A task ended, whatever the outcome: (handle).
    task_finished = Signal(object)
    #: A task raised and nobody handled it: (handle, exception).
    task_failed = Signal(object, object)

    def __init__(self, pool: Pool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: Pool = pool if pool is not None else QThreadPool.globalInstance()
        self._active: list[TaskHandle] = []

    @property
    def active_tasks(self) -> list[TaskHandle]:
        """Tasks submitted whose outcome has not been delivered yet."""
        return list(self._active)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[ProgressState], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        description: str = "",
    ) -> TaskHandle:
        """Run ``fn(progress, *args)`` on the pool.

        Args:
            fn: the work; it receives a fresh Progress first and should call
                ``progress.advance``/``check_cancelled`` in long loops.
            *args: further positional arguments for ``fn``.
            on_result: called with the return value on the main thread.
            on_error: called with the exception on the main thread; without
                it the exception goes to :attr:`task_failed`.
            on_progress: called with each (throttled) ProgressState.
            on_finished: called last, whatever the outcome.
            on_cancelled: called when ``fn`` stopped by raising Cancelled.
            description: what the task does, for the status bar ("Loading
                items"); tasks without one run silently.

        Returns:
            The handle, to cancel the task or watch its state.
        """
        handle = TaskHandle(self, description, on_result, on_error, on_progress, on_finished, on_cancelled)
        if QThread.currentThread() is not self.thread():
            handle.moveToThread(self.thread())
        self._active.append(handle)
        self.task_started.emit(handle)
        self._pool.start(lambda: handle._execute(fn, args))
        return handle

    def cancel_all(self) -> None:
        """Ask every running task to stop (they end as cancelled at their next check)."""
        for handle in self._active:
            handle.cancel()

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the pool is idle; True unless ``msecs`` ran out first."""
        wait = getattr(self._pool, "waitForDone", None)
        return bool(wait(msecs)) if wait is not None else True

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Cancel everything, wait for the workers, then deliver what they posted.

        Delivering the posted outcomes (rather than dropping them) matters:
        a task may have produced a resource, such as an opened workspace,
        that its callback must still close.

        Returns:
            False if some worker was still running after ``msecs``; its late
            outcome is then dropped.
        """
        self.cancel_all()
        idle = self.wait_for_done(msecs)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        if not idle:
            for handle in self._active:
                handle._detached = True
            self._active.clear()
        return idle

    def _forget(self, handle: TaskHandle) -> None:
        if handle in self._active:
            self._active.remove(handle)
        self.task_finished.emit(handle)


class CoalescedTask(QObject):
    """A background job run on request, never twice at once.

    Store events come in bursts; recounting or refreshing once per event
    would queue dozens of identical scans. Requests made while the job runs
    collapse into a single re-run once it ends, so the last request is
    always honoured and at most one scan is in flight.
    """

    def __init__(
        self,
        runner: TaskRunner,
        fn: Callable[[Progress], Any],
        on_result: Callable[[Any], None] | None = None,
        *,
        description: str = "",
        parent: QObject | None = None,
    ) -> None:
        """Prepare the job (nothing runs until :meth:`request`).

        Args:
            runner: where the job runs.
            fn: the job, called with a Progress in a worker.
            on_result: called on the main thread with each run's result.
            description: names the job in the status bar (empty: silent).
            parent: Qt parent.
        """
        super().__init__(parent)
        self._runner = runner
        self._fn = fn
        self._on_result = on_result
        self._description = description
        self._handle: TaskHandle | None = None
        self._again = False
        self._stopped = False

    @property
    def running(self) -> bool:
        """True while a run is in flight."""
        return self._handle is not None

    def request(self) -> None:
        """Run the job now, or once more after the current run."""
        if self._stopped:
            return
        if self._handle is not None:
            self._again = True
            return
        self._again = False
        handle = self._runner.run(
            self._fn,
            on_result=self._deliver,
            on_finished=self._on_run_finished,
            description=self._description,
        )
        if not handle.done:  # a synchronous pool has already finished it
            self._handle = handle

    def stop(self) -> None:
        """Cancel the running job and ignore further requests and results."""
        self._stopped = True
        self._again = False
        if self._handle is not None:
            self._handle.cancel()

    def _deliver(self, result: object) -> None:
        if not self._stopped and self._on_result is not None:
            self._on_result(result)

    def _on_run_finished(self) -> None:
        self._handle = None
        if self._again and not self._stopped:
            self.request()
