"""Settings › Team: admins change the team through the dialog, everyone else only looks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from curator.domain import Role, User
from curator.identity import TeamConfig, guest
from curator.workspace import Workspace
from ui.models import DomainObjectRole
from ui.models_team import TeamTableModel
from ui.tasks import TaskRunner
from ui.views.team_dialog import TeamDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

WAIT_MS = 5000

ADA = User("Ada Admin", login="ada", email="ada@example.com", roles=[Role.ADMIN, Role.EDITOR], id="ada")
PRIYA = User("Priya Nair", login="priya", roles=[Role.AGENT], skills=["billing"], id="priya")


@pytest.fixture
def team_ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "team", create=True, name="Northwind") as ws:
        ws.users.save_many([ADA, PRIYA])
        yield ws


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(10_000), "a background task was still running"


@pytest.fixture
def open_dialog(qtbot, runner: TaskRunner) -> Iterator[Callable[[Workspace, User], TeamDialog]]:
    """Opens the dialog the way the main window does (``open()``) and waits for its list."""
    opened: list[TeamDialog] = []

    def open_(ws: Workspace, user: User) -> TeamDialog:
        dialog = TeamDialog(ws, user, runner)
        qtbot.addWidget(dialog)
        opened.append(dialog)
        dialog.open()
        qtbot.waitUntil(lambda: dialog.model.loaded, timeout=WAIT_MS)
        return dialog

    yield open_
    for dialog in opened:
        dialog.detach()
        dialog.close()
    runner.wait_for_done(WAIT_MS)


def select(qtbot, dialog: TeamDialog, name: str) -> User:
    row = next(r for r, user in enumerate(dialog.model.objects()) if user.name == name)
    dialog.table.selectRow(row)
    member = dialog.selected_member()
    assert member is not None and member.name == name
    return member


def names(dialog: TeamDialog) -> list[str]:
    return [user.name for user in dialog.model.objects()]


# -- admins ----------------------------------------------------------------


def test_an_admin_adds_a_member_through_the_form(qtbot, team_ws: Workspace, open_dialog) -> None:
    dialog = open_dialog(team_ws, ADA)
    assert not dialog.isModal() and dialog.isVisible()
    assert names(dialog) == ["Ada Admin", "Priya Nair"]
    assert dialog.add_button.isEnabled() and not dialog.edit_button.isEnabled()

    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert form is not None and form.isVisible() and form.windowTitle() == "Add member"
    assert not form.submit_button.isEnabled() and form.message.text() == "Enter the member's name."
    qtbot.keyClicks(form.name_edit, "Maya Okafor")
    qtbot.keyClicks(form.login_edit, "maya")
    qtbot.keyClicks(form.email_edit, "maya@example")
    assert "does not look like an e-mail address" in form.message.text()
    assert not form.submit_button.isEnabled()
    qtbot.keyClicks(form.email_edit, ".com")
    form.role_checks[Role.AGENT].setChecked(True)  # Editor is ticked for a new member
    qtbot.keyClicks(form.skills_edit, "billing, Billing, delivery")
    assert form.submit_button.isEnabled()

    with qtbot.waitSignals([dialog.team_changed, form.accepted], timeout=WAIT_MS):
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "Maya Okafor" in names(dialog), timeout=WAIT_MS)
    assert dialog.form is None
    assert dialog.status_label.text() == "Added Maya Okafor as editor, agent."
    [maya] = [u for u in team_ws.users.list() if u.login == "maya"]
    assert (maya.email, maya.roles, maya.skills) == (
        "maya@example.com",
        [Role.EDITOR, Role.AGENT],
        ["billing", "delivery"],
    )
    row = dialog.model.row_of(maya.id)
    assert row is not None
    model = dialog.model
    assert model.data(model.index(row, TeamTableModel.COL_ROLES)) == "Editor, Agent"
    assert model.data(model.index(row, TeamTableModel.COL_SKILLS)) == "billing, delivery"
    [entry] = [e for e in team_ws.audit.list() if e.subject_id == maya.id]
    assert (entry.action, entry.user_id) == ("team:add", ADA.id)


def test_a_refused_change_keeps_the_form_open_with_the_reason(qtbot, team_ws: Workspace, open_dialog) -> None:
    dialog = open_dialog(team_ws, ADA)
    select(qtbot, dialog, "Priya Nair")
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert form is not None and form.windowTitle() == "Edit Priya Nair"
    assert form.login_edit.text() == "priya" and form.role_checks[Role.AGENT].isChecked()
    form.login_edit.setText("ADA")

    with qtbot.waitSignal(dialog.change_failed, timeout=WAIT_MS) as failed:
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)

    sentence = "The login 'ADA' already belongs to Ada Admin; each login names one member."
    assert failed.args == [sentence]
    qtbot.waitUntil(lambda: not dialog.busy_saving, timeout=WAIT_MS)
    assert dialog.form is form and form.isVisible()
    assert form.error_label.text() == sentence and not form.error_label.isHidden()
    assert form.login_edit.text() == "ADA" and form.name_edit.isEnabled()
    assert team_ws.users.get(PRIYA.id) == PRIYA

    # Fixing the value saves it; the form closes.
    form.login_edit.setText("priya.n")
    with qtbot.waitSignal(dialog.team_changed, timeout=WAIT_MS):
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.form is None
    stored = team_ws.users.get(PRIYA.id)
    assert stored is not None and stored.login == "priya.n"


def test_the_last_admin_sees_why_they_cannot_leave(qtbot, team_ws: Workspace, open_dialog) -> None:
    dialog = open_dialog(team_ws, ADA)
    select(qtbot, dialog, "Ada Admin")
    dialog.remove_selected()
    box = dialog.remove_box
    assert box is not None and box.text() == "Remove yourself from the team?"
    remove = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)

    with qtbot.waitSignal(dialog.change_failed, timeout=WAIT_MS):
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)

    assert dialog.status_label.text().startswith(
        "You are the only admin of this workspace, so you cannot remove"
    )
    assert not dialog.status_label.isHidden()
    assert names(dialog) == ["Ada Admin", "Priya Nair"]


def test_an_admin_removes_a_member_after_confirming(qtbot, team_ws: Workspace, open_dialog) -> None:
    dialog = open_dialog(team_ws, ADA)
    select(qtbot, dialog, "Priya Nair")
    dialog.remove_selected()
    box = dialog.remove_box
    assert box is not None and box.text() == "Remove Priya Nair from the team?"
    box.reject()  # Cancel: nothing happens
    assert team_ws.users.get(PRIYA.id) is not None

    dialog.remove_selected()
    box = dialog.remove_box
    assert box is not None
    remove = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    with qtbot.waitSignal(dialog.team_changed, timeout=WAIT_MS):
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(dialog) == ["Ada Admin"], timeout=WAIT_MS)
    assert team_ws.users.get(PRIYA.id) is None
    assert dialog.status_label.text() == "Removed Priya Nair from the team."
    selected = dialog.selected_member()
    assert selected is None or selected.id != PRIYA.id  # the selection went with the row


def test_an_admin_saves_the_team_settings(qtbot, team_ws: Workspace, open_dialog) -> None:
    dialog = open_dialog(team_ws, ADA)
    assert not dialog.switch_check.isChecked()
    assert dialog.unmask_checks[Role.AGENT].isChecked() and dialog.unmask_checks[Role.ADMIN].isChecked()
    assert not dialog.save_settings_button.isEnabled()  # nothing changed yet

    dialog.switch_check.setChecked(True)
    dialog.unmask_checks[Role.AGENT].setChecked(False)
    assert dialog.save_settings_button.isEnabled()
    with qtbot.waitSignal(dialog.team_changed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_settings_button, Qt.MouseButton.LeftButton)

    assert team_ws.config.get_or_default("team", TeamConfig) == TeamConfig(
        allow_user_switch=True, unmask_roles=[Role.ADMIN]
    )
    assert not dialog.save_settings_button.isEnabled()
    assert dialog.status_label.text() == "Saved the team settings."
    # Closed and opened again, it follows the workspace again.
    dialog.close()
    team_ws.users.save(User("Tom", login="tom", roles=[Role.SCHEDULER], id="tom"))
    dialog.open()
    qtbot.waitUntil(lambda: "Tom" in names(dialog), timeout=WAIT_MS)
    assert dialog.switch_check.isChecked() and not dialog.unmask_checks[Role.AGENT].isChecked()


def test_an_admin_who_steps_down_sees_the_dialog_turn_read_only(
    qtbot, team_ws: Workspace, open_dialog
) -> None:
    team_ws.users.save(User("Bea", login="bea", roles=[Role.ADMIN], id="bea"))
    dialog = open_dialog(team_ws, ADA)
    select(qtbot, dialog, "Ada Admin")
    dialog.edit_selected()
    form = dialog.form
    assert form is not None
    form.role_checks[Role.ADMIN].setChecked(False)
    with qtbot.waitSignal(dialog.team_changed, timeout=WAIT_MS):
        form.submit()

    assert dialog.user.roles == [Role.EDITOR]
    assert not dialog.may_edit and not dialog.add_button.isEnabled()
    qtbot.waitUntil(lambda: " are editor. Ask Bea if" in dialog.notice.text(), timeout=WAIT_MS)
    assert dialog.notice.text().startswith("Only admins can change the team; you (Ada Admin) are editor.")


def test_a_change_made_elsewhere_shows_up(qtbot, team_ws: Workspace, open_dialog) -> None:
    dialog = open_dialog(team_ws, ADA)
    team_ws.users.save(User("Tom", login="tom", roles=[Role.SCHEDULER], id="tom"))
    team_ws.config.put("team", TeamConfig(allow_user_switch=True))
    qtbot.waitUntil(lambda: "Tom" in names(dialog), timeout=WAIT_MS)
    qtbot.waitUntil(dialog.switch_check.isChecked, timeout=WAIT_MS)
    # Another admin demotes Ada: the dialog stops offering changes.
    team_ws.users.save(User("Ada Admin", login="ada", roles=[Role.EDITOR], id="ada"))
    qtbot.waitUntil(lambda: not dialog.add_button.isEnabled(), timeout=WAIT_MS)


# -- everyone else ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "notice"),
    [
        (PRIYA, "Only admins can change the team; you (Priya Nair) are agent. Ask Ada Admin if"),
        (guest("visitor"), "You (visitor) are not a member of this workspace, so you can look at the team"),
    ],
)
def test_others_see_the_team_read_only_with_a_reason(
    qtbot, team_ws: Workspace, open_dialog, who: User, notice: str
) -> None:
    dialog = open_dialog(team_ws, who)
    select(qtbot, dialog, "Ada Admin")
    assert names(dialog) == ["Ada Admin", "Priya Nair"]
    assert dialog.notice.text().startswith(notice)
    for widget in (
        dialog.add_button,
        dialog.edit_button,
        dialog.remove_button,
        dialog.switch_check,
        dialog.save_settings_button,
        *dialog.unmask_checks.values(),
    ):
        assert not widget.isEnabled(), widget.objectName()
    dialog.edit_selected()
    dialog.remove_selected()
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton)
    assert dialog.form is None and dialog.remove_box is None


def test_a_read_only_workspace_is_shown_read_only(qtbot, tmp_path: Path, open_dialog) -> None:
    with Workspace.open(tmp_path / "ro", create=True) as ws:
        ws.users.save(ADA)
    with Workspace.open(tmp_path / "ro", read_only=True) as ro:
        dialog = open_dialog(ro, ADA)
        assert names(dialog) == ["Ada Admin"]
        assert dialog.notice.text().startswith("Opened read-only as asked")
        assert not dialog.add_button.isEnabled() and not dialog.switch_check.isEnabled()
        dialog.detach()


# -- the model -------------------------------------------------------------


def test_the_team_model_passes_qtmodeltester(qtbot, qtmodeltester, team_ws: Workspace, open_dialog) -> None:
    qtmodeltester.check(TeamTableModel())
    dialog = open_dialog(team_ws, ADA)
    model = dialog.model
    qtmodeltester.check(model)
    row = model.row_of(ADA.id)
    other = model.row_of(PRIYA.id)
    assert row is not None and other is not None
    assert model.data(model.index(row, 0), DomainObjectRole) == ADA
    assert model.data(model.index(row, 0), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(other, 0), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole) == "Ada Admin (you)"
    assert "Agent: Answers" in model.data(
        model.index(other, TeamTableModel.COL_ROLES), Qt.ItemDataRole.ToolTipRole
    )
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "Name",
        "Login",
        "E-mail",
        "Roles",
        "Skills",
    ]
    model.sort(TeamTableModel.COL_ROLES, Qt.SortOrder.AscendingOrder)  # Agent before Editor, Admin
    assert [u.name for u in model.objects()] == ["Priya Nair", "Ada Admin"]
    qtmodeltester.check(model)
