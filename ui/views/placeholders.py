"""Pages whose features land in later work: honest empty states, kept current.

Each says what the view will show and what the user can do today. When the
workspace already holds matching records (the demo workspace has drafts and
issues), the headline counts them instead of claiming the view is empty;
the count follows store events like the tables do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.models import StoreEventBridge
from ui.tasks import CoalescedTask, TaskRunner
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


@dataclass(frozen=True)
class PlaceholderSpec:
    """The texts of one placeholder page.

    ``detail`` may name ``{name}`` and ``{path}`` of the workspace. With a
    ``count``, ``some_title``/``some_message`` replace the empty texts once
    the workspace holds matching records.
    """

    title: str
    icon: str
    empty_title: str
    message: str
    action_text: str | None = None
    tables: frozenset[str] = frozenset()
    count: Callable[[Any], int] | None = None
    some_title: Callable[[int], str] | None = None
    some_message: str = ""
    detail: str = ""


WALL = PlaceholderSpec(
    title="Wall",
    icon="wall",
    empty_title="Nothing on the wall yet",
    message=(
        "The wall is the team-room screen: hot issues, reply times and what was published "
        "today, updated live. It fills in as issues are found and content goes out."
    ),
)

SETTINGS = PlaceholderSpec(
    title="Settings",
    icon="settings",
    empty_title="Nothing to set here yet",
    message=(
        "Preferences for fetching, privacy masking and notifications will be gathered here. "
        "This window works on the workspace below."
    ),
    detail="{name}\n{path}",
)


class PlaceholderView(QWidget):
    """A page header and an empty state that stays true to the workspace's content."""

    #: The empty state's action button was clicked (the window decides where it leads).
    action_triggered = Signal()

    def __init__(self, spec: PlaceholderSpec, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._runner = runner
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._counter: CoalescedTask | None = None
        self.count: int | None = None
        self.header = PageHeader(spec.title)
        self.empty_state = EmptyState(spec.icon, spec.empty_title, spec.message, spec.action_text)
        self.empty_state.action_triggered.connect(self.action_triggered)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.empty_state, 1)

    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Follow ``workspace``: count its matching records now and after each change."""
        self.detach()
        self._workspace = workspace
        self.count = None
        self._show()
        count = self.spec.count
        if count is None:
            return
        self._bridge = bridge
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._counter = CoalescedTask(
            self._runner, lambda _p: count(workspace), self._on_count_arrived, parent=self
        )
        self._counter.request()

    def detach(self) -> None:
        """Stop following the workspace (before it closes)."""
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        if self._counter is not None:
            self._counter.stop()
            self._counter = None
        self._workspace = None

    @Slot(object)
    def _on_bridge_store_changed(self, event: Any) -> None:
        if self._counter is not None and event.table in self.spec.tables:
            self._counter.request()

    def _on_count_arrived(self, count: int) -> None:
        self.count = count
        self._show()

    def _detail(self) -> str:
        workspace = self._workspace
        if workspace is None or not self.spec.detail:
            return ""
        return self.spec.detail.format(name=workspace.name, path=workspace.path)

    def _show(self) -> None:
        spec = self.spec
        if self.count and spec.some_title is not None:
            title, message = spec.some_title(self.count), spec.some_message
        else:
            title, message = spec.empty_title, spec.message
        self.empty_state.set_content(spec.icon, title, message, spec.action_text, detail=self._detail())
