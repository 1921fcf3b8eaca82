"""Publishing due posts while the app runs, and saying when one failed.

Once a minute (and when asked) the due-post runner of :mod:`curator.publish`
runs on the task pool; it holds the workspace lock only to claim and record
posts, never while a connector talks to the network. Failures reach the user
once per post as a notification (the system tray when there is one, else
the status bar), never as a stream of dialogs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from curator.progress import Progress
from ui.tasks import CoalescedTask, TaskRunner

PUBLISH_INTERVAL_MS = 60_000


def _publish_task(progress: Progress, workspace: Any, secrets: Any, skipped: set[tuple[str, str]]) -> Any:
    """Run the due posts; first, where no keyring exists, say which secrets to ask for.

    Returns:
        The run's report, or the list of (touch point id, name, secret name)
        to ask the user for before running (the run then waits for them).
    """
    from curator.publish.runner import PublishRunner
    from curator.schedule.service import ScheduleService

    schedule = ScheduleService(workspace)
    runner = PublishRunner(
        workspace,
        secrets,
        on_published=schedule.mark_published,
        on_failed=lambda post, _why: schedule.mark_failed(post) if post.next_attempt_at is None else None,
    )
    if not secrets.available()[0]:
        missing = [
            (tp.id, tp.name, name) for tp, name in runner.missing_secrets() if (tp.id, name) not in skipped
        ]
        if missing:
            return missing
    return runner.run_due(progress)


class Publisher(QObject):
    """Runs due posts on a timer for the open workspace."""

    #: A run ended: (its summary, the failure sentences).
    run_finished = Signal(str, list)
    #: No keyring, and due posts need secrets: [(touch point id, touch point name, secret name)].
    secrets_needed = Signal(list)

    def __init__(self, runner: TaskRunner, secrets: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._secrets = secrets
        self._skipped: set[tuple[str, str]] = set()
        self._task: CoalescedTask | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(PUBLISH_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def attach(self, workspace: Any) -> None:
        self.detach()
        if workspace.read_only:
            return  # a read-only window (the wall, a second instance) never publishes
        self._task = CoalescedTask(
            self._runner,
            lambda progress: _publish_task(progress, workspace, self._secrets, set(self._skipped)),
            self._on_task_result,
            parent=self,
        )
        self._timer.start()
        self._task.request()

    def detach(self) -> None:
        self._timer.stop()
        if self._task is not None:
            self._task.stop()
            self._task = None

    def publish_now(self) -> None:
        if self._task is not None:
            self._task.request()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.publish_now()

    def skip_secret(self, tp_id: str, name: str) -> None:
        """The user declined to give this secret: run without it (those posts fail and say why)."""
        self._skipped.add((tp_id, name))

    def _on_task_result(self, report: Any) -> None:
        if isinstance(report, list):
            self.secrets_needed.emit(report)
            return
        if report.published or report.failed or report.manual:
            self.run_finished.emit(report.summary().split("\n")[0], list(report.failures))
