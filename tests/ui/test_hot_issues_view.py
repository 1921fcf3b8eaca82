"""The Hot issues page over the analysed demo workspace and an empty one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from curator.domain import Role, User
from curator.workspace import Workspace
from ui.models import DomainObjectRole, StoreEventBridge
from ui.models_issues import IssueItemsModel, IssueTableModel
from ui.tasks import TaskRunner
from ui.views.hot_issues import HotIssuesView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

EMAIL = "jonas.weber@example.net"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curator.demo import ensure_demo_workspace
    from curator.issues.service import AnalysisService

    path = ensure_demo_workspace(tmp_path_factory.mktemp("hot") / "demo")
    with Workspace.open(path) as ws:
        AnalysisService(ws).analyse()
    return path


@pytest.fixture
def demo_ws(demo_path: Path, tmp_path: Path) -> Iterator[Workspace]:
    import shutil

    copy = tmp_path / "demo"
    shutil.copytree(demo_path, copy)
    ws = Workspace.open(copy)
    yield ws
    ws.close()


def _view(qtbot, ws: Workspace) -> tuple[HotIssuesView, StoreEventBridge]:
    runner = TaskRunner()
    view = HotIssuesView(runner)
    qtbot.addWidget(view)
    bridge = StoreEventBridge(ws)
    view.attach(ws, bridge)
    qtbot.waitUntil(lambda: view.issues_model.loaded, timeout=10_000)
    view._test_refs = (runner, bridge)  # type: ignore[attr-defined]
    return view, bridge


def _close(view: HotIssuesView, bridge: StoreEventBridge) -> None:
    view.detach()
    bridge.close()
    view._runner.shutdown(10_000)


def _show(qtbot, view: HotIssuesView, issue_id: str) -> None:
    view.select_issue(issue_id)
    qtbot.waitUntil(lambda: view.detail_issue_id == issue_id, timeout=10_000)


def _labels(view: HotIssuesView) -> list[str]:
    return [issue.label for issue in view.issues_model.objects()]


def test_lists_issues_with_the_app_outage_first(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        model = view.issues_model
        assert model.rowCount() > 5
        top = model.object_at(0)
        assert "app" in top.label and top.hot_score == max(i.hot_score for i in model.objects())
        assert all(i.merged_into is None and i.item_count > 0 for i in model.objects())
        assert view.stack.currentWidget() is view.splitter
        qtbot.waitUntil(lambda: len(model.trend_of(top.id)) == 48, timeout=10_000)
        assert sum(model.trend_of(top.id)) > 0
    finally:
        _close(view, bridge)


def test_detail_masks_personal_data_until_revealed(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        target = next(i for i in view.issues_model.objects() if "wholesale" in i.label)
        _show(qtbot, view, target.id)
        model = view.items_model
        assert model.rowCount() == target.item_count

        def texts() -> str:
            return " ".join(
                str(model.data(model.index(r, c)))
                + str(model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole))
                for r in range(model.rowCount())
                for c in range(model.columnCount())
            )

        assert EMAIL not in texts()
        assert "Jonas Weber" not in view.detail_entities.text()
        # An editor may not reveal personal data; an agent may.
        view.set_user(User("Ed", roles=[Role.EDITOR]), may_unmask=False)
        assert not view.reveal_check.isEnabled()
        view.set_user(User("Ann", roles=[Role.AGENT]), may_unmask=True)
        assert view.reveal_check.isEnabled()
        view.reveal_check.setChecked(True)
        assert EMAIL in texts() or "Jonas" in texts()
        view.reveal_check.setChecked(False)
        assert EMAIL not in texts()
        assert view.detail_title.text() == target.label
        assert view.chart.series()
    finally:
        _close(view, bridge)


def test_merge_through_the_ui_leaves_one(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        before = view.issues_model.rowCount()
        first, second = view.issues_model.objects()[:2]
        view.select_issue(first.id)
        view.select_issue(second.id, extend=True)
        assert view.merge_action.isEnabled()
        # Cancelling the confirmation merges nothing.
        view.merge_action.trigger()
        assert view.merge_box is not None and "into" in view.merge_box.text()
        view.merge_box.button(QMessageBox.StandardButton.Cancel).click()
        assert view.merge_box is None and view.issues_model.rowCount() == before
        view.merge_action.trigger()
        assert view.merge_box is not None
        with qtbot.waitSignal(view.activity_finished, timeout=10_000) as blocker:
            view.merge_box.button(QMessageBox.StandardButton.Yes).click()
        assert blocker.args[1] is False, blocker.args
        qtbot.waitUntil(lambda: view.issues_model.rowCount() == before - 1, timeout=10_000)
        ids = {i.id for i in view.issues_model.objects()}
        assert first.id in ids and second.id not in ids
    finally:
        _close(view, bridge)


def test_draft_from_issue_is_requested_for_editors_only(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        target = view.issues_model.object_at(0)
        view.select_issue(target.id)
        view.set_user(User("Tom", roles=[Role.SCHEDULER]), may_unmask=False)
        assert not view.draft_action.isEnabled()
        view.set_user(User("Maya", roles=[Role.EDITOR]), may_unmask=False)
        assert view.draft_action.isEnabled()
        with qtbot.waitSignal(view.draft_requested, timeout=2_000) as blocker:
            view.draft_action.trigger()
        assert blocker.args == [target.id]
    finally:
        _close(view, bridge)


def test_rename_through_the_ui(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        target = view.issues_model.object_at(0)
        view.select_issue(target.id)
        view.issues_table.setFocus()
        view.rename_action.trigger()
        dialog = view.rename_dialog
        assert dialog is not None and dialog.textValue() == target.label
        dialog.setTextValue("App outage")
        with qtbot.waitSignal(view.activity_finished, timeout=10_000):
            dialog.accept()
        qtbot.waitUntil(lambda: "App outage" in _labels(view), timeout=10_000)
        assert demo_ws.issues.get(target.id).label == "App outage"
    finally:
        _close(view, bridge)


def test_models_pass_qtmodeltester(qtbot, qtmodeltester, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        qtmodeltester.check(view.issues_model)
        _show(qtbot, view, view.issues_model.object_at(0).id)
        qtmodeltester.check(view.items_model)
        assert isinstance(view.items_model.data(view.items_model.index(0, 0), DomainObjectRole), object)
    finally:
        _close(view, bridge)
    qtmodeltester.check(IssueTableModel())
    qtmodeltester.check(IssueItemsModel())


def test_empty_workspace_shows_the_empty_state(qtbot, empty_workspace_path: Path) -> None:
    with Workspace.open(empty_workspace_path) as ws:
        view, bridge = _view(qtbot, ws)
        try:
            assert view.stack.currentWidget() is view.empty_state
            assert "Analyse now" in view.empty_state.message_label.text()
            assert "Fetch" in view.empty_state.message_label.text()
        finally:
            _close(view, bridge)


def test_render_screenshot(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        view.resize(1080, 800)
        view.show()
        _show(qtbot, view, view.issues_model.object_at(0).id)
        qtbot.waitUntil(
            lambda: bool(view.issues_model.trend_of(view.issues_model.object_at(0).id)), timeout=10_000
        )
        Path("/tmp/shots").mkdir(exist_ok=True)
        assert view.grab().save("/tmp/shots/hot-page.png")
    finally:
        _close(view, bridge)


def test_split_through_the_ui_moves_items_to_a_new_issue(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        target = view.issues_model.object_at(0)
        before = view.issues_model.rowCount()
        _show(qtbot, view, target.id)
        moved = [view.items_model.item_at(0).id, view.items_model.item_at(1).id]
        view.items_table.selectRow(0)
        view.items_table.selectionModel().select(
            view.items_model.index(1, 0),
            view.items_table.selectionModel().SelectionFlag.Select
            | view.items_table.selectionModel().SelectionFlag.Rows,
        )
        assert view.split_action.isEnabled()
        with qtbot.waitSignal(view.activity_finished, timeout=10_000) as blocker:
            view.split_action.trigger()
        assert blocker.args == ["Moved 2 items to a new issue.", False]
        qtbot.waitUntil(lambda: view.issues_model.rowCount() == before + 1, timeout=10_000)
        new_ids = {demo_ws.items.get(item_id).issue_id for item_id in moved}
        assert len(new_ids) == 1 and target.id not in new_ids
    finally:
        _close(view, bridge)


def test_pin_moves_an_issue_to_the_top(qtbot, demo_ws: Workspace) -> None:
    view, bridge = _view(qtbot, demo_ws)
    try:
        last = view.issues_model.object_at(view.issues_model.rowCount() - 1)
        view.select_issue(last.id)
        with qtbot.waitSignal(view.activity_finished, timeout=10_000):
            view.pin_action.trigger()
        qtbot.waitUntil(lambda: view.issues_model.object_at(0).id == last.id, timeout=10_000)
        assert view.issues_model.object_at(0).pinned
    finally:
        _close(view, bridge)


def test_attaching_a_workspace_with_new_items_analyses_them(qtbot, workspace: Workspace) -> None:
    assert workspace.issues.count() == 0
    runner = TaskRunner()
    view = HotIssuesView(runner)
    qtbot.addWidget(view)
    bridge = StoreEventBridge(workspace)
    try:
        with qtbot.waitSignal(view.activity_finished, timeout=60_000) as blocker:
            view.attach(workspace, bridge)
        assert blocker.args[1] is False and blocker.args[0].startswith("Analysed 6 items")
        assert view.activity.text.startswith("Analysed 6 items")
        qtbot.waitUntil(lambda: view.issues_model.rowCount() > 0, timeout=10_000)
        assert view.stack.currentWidget() is view.splitter
    finally:
        view.detach()
        bridge.close()
        runner.shutdown(10_000)
