"""The background-work helper: outcomes come back on the main thread, once."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread, QThreadPool
from PySide6.QtWidgets import QApplication

from curator.errors import Cancelled, CuratorError
from curator.progress import Progress, ProgressState
from tests.ui.helpers import busy_pool_threads, new_threads
from ui.tasks import PROGRESS_INTERVAL_S, CoalescedTask, SyncPool, TaskRunner, TaskState


@pytest.fixture
def runner(qapp: QApplication) -> TaskRunner:
    return TaskRunner()  # the real global pool


def _main_thread() -> QThread:
    app = QApplication.instance()
    assert app is not None
    return app.thread()


def test_result_arrives_on_the_main_thread(qtbot, runner: TaskRunner) -> None:
    seen: dict[str, object] = {}

    def work(progress: Progress, a: int, b: int) -> int:
        seen["worker"] = QThread.currentThread()
        return a + b

    def on_result(value: int) -> None:
        seen["value"] = value
        seen["callback"] = QThread.currentThread()

    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        handle = runner.run(work, 2, 3, on_result=on_result)
    assert seen["value"] == 5
    assert seen["worker"] is not _main_thread()
    assert seen["callback"] is _main_thread()
    assert handle.state is TaskState.SUCCEEDED
    assert runner.active_tasks == []


def test_exception_goes_to_on_error_with_the_exception_object(qtbot, runner: TaskRunner) -> None:
    boom = CuratorError("The feed at example.com answered 500; Curator will retry in 10 minutes.")
    errors: list[tuple[BaseException, QThread]] = []
    results: list[object] = []

    def work(progress: Progress) -> None:
        raise boom

    with qtbot.assertNotEmitted(runner.task_failed), qtbot.waitSignal(runner.task_finished, timeout=5000):
        handle = runner.run(
            work, on_result=results.append, on_error=lambda exc: errors.append((exc, QThread.currentThread()))
        )
    assert errors == [(boom, _main_thread())]
    assert results == []
    assert handle.state is TaskState.FAILED
    assert handle.error is boom


def test_exception_without_on_error_is_reported_through_task_failed(qtbot, runner: TaskRunner) -> None:
    def work(progress: Progress) -> None:
        raise ValueError("bad value")

    with qtbot.waitSignal(runner.task_failed, timeout=5000) as blocker:
        handle = runner.run(work, description="Importing subscriptions")
    failed_handle, exc = blocker.args
    assert failed_handle is handle
    assert isinstance(exc, ValueError)
    assert str(exc) == "bad value"


def test_cancel_stops_the_task_and_reports_cancelled_not_failed(qtbot, runner: TaskRunner) -> None:
    started = threading.Event()
    stopped = threading.Event()
    steps: list[int] = []
    outcome: list[str] = []

    def work(progress: Progress) -> None:
        progress.start(None, "Fetching")
        try:
            while True:
                started.set()
                progress.advance()  # raises Cancelled once cancel() was called
                steps.append(1)
                if len(steps) > 10_000_000:
                    raise AssertionError("the task was never cancelled")
        finally:
            stopped.set()

    handle = runner.run(
        work,
        on_result=lambda _r: outcome.append("result"),
        on_error=lambda _e: outcome.append("error"),
        on_cancelled=lambda: outcome.append("cancelled"),
        on_finished=lambda: outcome.append("finished"),
    )
    qtbot.waitUntil(started.is_set, timeout=5000)
    with qtbot.assertNotEmitted(runner.task_failed), qtbot.waitSignal(handle.finished, timeout=5000):
        handle.cancel()
    assert stopped.is_set()
    assert outcome == ["cancelled", "finished"]
    assert handle.state is TaskState.CANCELLED
    assert busy_pool_threads() == 0


def test_cancelled_raised_by_the_task_is_not_an_error(qtbot, runner: TaskRunner) -> None:
    def work(progress: Progress) -> None:
        raise Cancelled()

    cancelled: list[bool] = []
    with qtbot.assertNotEmitted(runner.task_failed), qtbot.waitSignal(runner.task_finished, timeout=5000):
        handle = runner.run(work, on_cancelled=lambda: cancelled.append(True))
    assert cancelled == [True]
    assert handle.state is TaskState.CANCELLED


def test_progress_arrives_on_the_main_thread_throttled_and_complete(qtbot, runner: TaskRunner) -> None:
    states: list[tuple[ProgressState, QThread]] = []
    elapsed: list[float] = []
    total = 2000

    def work(progress: Progress) -> str:
        begin = time.monotonic()
        progress.start(total, "Indexing")
        for _ in range(total):
            progress.advance(1, "Indexing")
        elapsed.append(time.monotonic() - begin)
        return "done"

    with qtbot.waitSignal(runner.task_finished, timeout=10_000):
        handle = runner.run(work, on_progress=lambda state: states.append((state, QThread.currentThread())))
    assert states, "no progress was delivered"
    assert all(thread is _main_thread() for _state, thread in states)
    assert states[-1][0].done == total  # the last update is never dropped
    assert states[-1][0].fraction == 1.0
    # At most one delivery per interval, plus the first and the final flush.
    assert len(states) <= elapsed[0] / PROGRESS_INTERVAL_S + 2
    assert len(states) < total
    assert handle.last_progress == states[-1][0]


def test_sync_pool_runs_everything_before_run_returns(qtbot) -> None:
    runner = TaskRunner(SyncPool())
    order: list[str] = []

    def work(progress: Progress) -> str:
        order.append("work")
        progress.start(1, "One step")
        progress.advance()
        return "value"

    handle = runner.run(
        work,
        on_progress=lambda state: order.append(f"progress {state.done}"),
        on_result=lambda value: order.append(f"result {value}"),
        on_finished=lambda: order.append("finished"),
    )
    assert order[0] == "work"
    assert order[-2:] == ["result value", "finished"]
    assert "progress 1" in order
    assert handle.done
    assert runner.active_tasks == []
    assert runner.wait_for_done(0)


def test_shutdown_cancels_waits_and_still_delivers_results(qtbot, runner: TaskRunner) -> None:
    gate = threading.Event()
    started = threading.Semaphore(0)
    results: list[str] = []
    cancelled: list[bool] = []

    def resource(progress: Progress) -> str:
        started.release()
        gate.wait(5)
        return "an open workspace"  # finished despite the cancel: must still be delivered

    def loop(progress: Progress) -> None:
        started.release()
        while True:
            progress.check_cancelled()
            gate.wait(0.01)

    runner.run(resource, on_result=results.append)
    runner.run(loop, on_cancelled=lambda: cancelled.append(True))
    assert started.acquire(timeout=5) and started.acquire(timeout=5)
    gate.set()
    assert runner.shutdown(5000)
    # Delivered synchronously by shutdown, without running the event loop.
    assert results == ["an open workspace"]
    assert cancelled == [True]
    assert runner.active_tasks == []


def test_coalesced_task_runs_once_more_for_requests_made_while_running(qtbot, runner: TaskRunner) -> None:
    gate = threading.Event()
    runs: list[int] = []
    delivered: list[int] = []

    def job(progress: Progress) -> int:
        runs.append(1)
        gate.wait(5)
        return len(runs)

    task = CoalescedTask(runner, job, delivered.append)
    task.request()
    qtbot.waitUntil(lambda: len(runs) == 1, timeout=5000)
    for _ in range(5):
        task.request()  # all collapse into one re-run
    gate.set()
    qtbot.waitUntil(lambda: delivered == [1, 2], timeout=5000)
    assert not task.running
    assert QThreadPool.globalInstance().waitForDone(5000)
    assert len(runs) == 2


def test_task_cancelled_before_it_started_never_runs(qtbot) -> None:
    class HeldPool:
        """Holds tasks until released, like a busy pool."""

        def __init__(self) -> None:
            self.held: list = []

        def start(self, runnable) -> None:
            self.held.append(runnable)

    pool = HeldPool()
    runner = TaskRunner(pool)
    ran: list[bool] = []
    cancelled: list[bool] = []
    handle = runner.run(lambda _p: ran.append(True), on_cancelled=lambda: cancelled.append(True))
    handle.cancel()
    pool.held.pop()()
    assert ran == []
    assert cancelled == [True]
    assert handle.state is TaskState.CANCELLED


def test_stopped_coalesced_task_ignores_requests(qtbot) -> None:
    runs: list[int] = []
    task = CoalescedTask(TaskRunner(SyncPool()), lambda _p: runs.append(1))
    task.request()
    task.stop()
    task.request()
    assert runs == [1]


def test_thread_helpers_see_a_running_thread(qtbot) -> None:
    """The leak fixture's helpers must notice what they are meant to catch."""
    before = set(threading.enumerate())
    release = threading.Event()
    thread = threading.Thread(target=release.wait, args=(5,), name="lingering")
    thread.start()
    try:
        assert new_threads(before) == [thread]
    finally:
        release.set()
        thread.join(5)
    assert new_threads(before) == []
