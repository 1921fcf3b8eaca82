"""Settings › Team: the workspace's members, their roles, and who may act as whom or see personal data.

A non-modal dialog (``open()``): the team list stays visible beside the
window. Admins add, edit and remove members in a small form and change the
team settings; everybody else sees the same list read-only, with a sentence
saying why. The core (:class:`curator.team.TeamService`) enforces every
rule, so the dialog only offers what the acting person may do and shows the
core's sentence, inside the dialog, when a change is refused.

Writes run through the :class:`~ui.tasks.TaskRunner`; the member form stays
open, with what was typed, until its change is saved. After each saved
change the dialog emits :attr:`TeamDialog.team_changed`, so the main window
resolves again who acts (an admin may have removed themselves or changed
who may switch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Role, User
from curator.errors import CuratorError
from curator.identity import TeamConfig, guest, is_guest
from curator.progress import Progress
from curator.team import TEAM_KEY, TeamService, email_problem, roles_text, skill_list
from ui.models import DomainObjectRole, StoreEvent, StoreEventBridge
from ui.models_team import ROLE_HINTS, ROLE_LABELS, TeamTableModel, roles_label
from ui.tasks import TaskHandle, TaskRunner
from ui.theme import set_tone
from ui.views.source_dialogs import HINT_STYLE, BusyLine
from ui.views.sources import make_table


def describe(exc: BaseException) -> str:
    """The sentence shown inside the dialog: the core's own, or a plain summary of a bug."""
    if isinstance(exc, CuratorError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc})."


# --------------------------------------------------------------- worker side


@dataclass
class MemberDetails:
    """What the member form holds, tidied for the core."""

    name: str
    login: str
    email: str
    roles: list[Role]
    skills: list[str]


@dataclass
class TeamOutcome:
    """What a saved change hands back to the main thread."""

    message: str
    #: The person acting, as stored after the change (a guest once they removed themselves).
    me: User
    config: TeamConfig


def apply_change(
    progress: Progress, workspace: Any, who: User, step: Callable[[TeamService], str]
) -> TeamOutcome:
    """Worker side of every change: run ``step`` on the service, then read back who acts and the settings."""
    progress.start(None, "Saving the team")
    service = TeamService(workspace)
    message = step(service)
    me = workspace.users.get(who.id)
    if me is None:
        me = who if is_guest(who) else guest(who.login or who.name)
    return TeamOutcome(message, me, service.config())


def _add(details: MemberDetails, who: User) -> Callable[[TeamService], str]:
    def step(service: TeamService) -> str:
        member = service.add_member(
            who,
            details.name,
            login=details.login,
            email=details.email,
            roles=details.roles,
            skills=details.skills,
        )
        return f"Added {member.name} as {roles_text(member.roles)}."

    return step


def _update(member_id: str, details: MemberDetails, who: User) -> Callable[[TeamService], str]:
    def step(service: TeamService) -> str:
        member = service.update_member(
            who,
            member_id,
            name=details.name,
            login=details.login,
            email=details.email,
            roles=details.roles,
            skills=details.skills,
        )
        return f"Saved {member.name}."

    return step


def _remove(member_id: str, who: User) -> Callable[[TeamService], str]:
    def step(service: TeamService) -> str:
        return f"Removed {service.remove_member(who, member_id).name} from the team."

    return step


def _configure(config: TeamConfig, who: User) -> Callable[[TeamService], str]:
    def step(service: TeamService) -> str:
        service.set_team_config(who, config)
        return "Saved the team settings."

    return step


# ------------------------------------------------------------------ the form


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(HINT_STYLE)
    return label


class MemberForm(QDialog):
    """Name, login, e-mail, roles and skills of one member, to add or to edit.

    The form only collects and checks the shape of what is typed; it emits
    :attr:`submitted` and the team dialog saves. It stays open, with the
    values intact, until the save succeeds; a refusal shows under the fields.
    """

    #: The user asked to save: (MemberDetails).
    submitted = Signal(object)

    def __init__(self, member: User | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.member = member
        self._busy = False
        self.setObjectName("memberForm")
        self.setWindowTitle(f"Edit {member.name}" if member else "Add member")
        self.setMinimumWidth(560)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("memberName")
        self.name_edit.setPlaceholderText("Maya Okafor")
        self.login_edit = QLineEdit()
        self.login_edit.setObjectName("memberLogin")
        self.login_edit.setPlaceholderText("Their computer account, e.g. maya")
        self.login_edit.setToolTip(
            "Whoever signs in to their computer with this account acts as this member. "
            "Leave it empty for someone reached only by “act as”."
        )
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("memberEmail")
        self.email_edit.setPlaceholderText("maya@example.com")
        self.role_checks: dict[Role, QCheckBox] = {}
        roles_box = QWidget()
        roles_grid = QGridLayout(roles_box)
        roles_grid.setContentsMargins(0, 0, 0, 0)
        roles_grid.setHorizontalSpacing(12)
        roles_grid.setVerticalSpacing(4)
        roles_grid.setColumnStretch(1, 1)
        for row, role in enumerate(Role):
            check = QCheckBox(ROLE_LABELS[role])
            check.setObjectName(f"role_{role.value}")
            check.setToolTip(ROLE_HINTS[role])
            check.toggled.connect(self._on_field_changed)
            self.role_checks[role] = check
            roles_grid.addWidget(check, row, 0, Qt.AlignmentFlag.AlignTop)
            roles_grid.addWidget(_hint(ROLE_HINTS[role]), row, 1)
        self.skills_edit = QLineEdit()
        self.skills_edit.setObjectName("memberSkills")
        self.skills_edit.setPlaceholderText("billing, product, technical")
        self.skills_edit.setToolTip("Expert groups for routing conversations, separated by commas.")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Login:", self.login_edit)
        form.addRow("&E-mail:", self.email_edit)
        form.addRow("Roles:", roles_box)
        form.addRow("&Skills:", self.skills_edit)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("memberMessage")
        set_tone(self.message, "muted")  # a hint until a typo makes it an error (_update)
        self.error_label = QLabel()
        self.error_label.setObjectName("memberError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.error_label, "error")
        self.error_label.hide()
        self.busy = BusyLine()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.submit_button = self.buttons.addButton(
            "Save" if member else "Add", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.submit_button.setObjectName("submitButton")
        self.submit_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

        if member is not None:
            self.name_edit.setText(member.name)
            self.login_edit.setText(member.login)
            self.email_edit.setText(member.email)
            for role, check in self.role_checks.items():
                check.setChecked(role in member.roles)
            self.skills_edit.setText(", ".join(member.skills))
        else:
            self.role_checks[Role.EDITOR].setChecked(True)
        for edit in (self.name_edit, self.login_edit, self.email_edit, self.skills_edit):
            edit.textChanged.connect(self._on_field_changed)
        self._on_field_changed()

    def details(self) -> MemberDetails:
        """The values typed, tidied."""
        return MemberDetails(
            name=" ".join(self.name_edit.text().split()),
            login=self.login_edit.text().strip(),
            email=self.email_edit.text().strip(),
            roles=[role for role, check in self.role_checks.items() if check.isChecked()],
            skills=skill_list(self.skills_edit.text().split(",")),
        )

    def problem(self) -> str | None:
        """Why the form cannot be saved yet, checked as the user types (the core checks again)."""
        details = self.details()
        if not details.name:
            return "Enter the member's name."
        email = email_problem(details.email)
        if email:
            return email
        if not details.roles:
            return "Tick at least one role."
        return None

    def submit(self) -> None:
        """Ask the team dialog to save, unless a field needs fixing first."""
        if self._busy:
            return
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        self.error_label.hide()
        self.submitted.emit(self.details())

    def set_busy(self, busy: bool, text: str = "Saving") -> None:
        """Lock the fields while the change is saved."""
        self._busy = busy
        for widget in (
            self.name_edit,
            self.login_edit,
            self.email_edit,
            self.skills_edit,
            *self.role_checks.values(),
        ):
            widget.setEnabled(not busy)
        if busy:
            self.busy.start(text)
        else:
            self.busy.stop()
        self._on_field_changed()

    def show_error(self, text: str) -> None:
        """Show why the save was refused; the values stay for the user to fix."""
        self.error_label.setText(text)
        self.error_label.show()

    @Slot()
    def _on_field_changed(self) -> None:
        problem = self.problem()
        self.message.setText(problem or "")
        self.message.setVisible(bool(problem))
        # A mistyped address is an error; a field not yet filled in is only a hint.
        typo = bool(problem) and problem == email_problem(self.details().email)
        set_tone(self.message, "error" if typo else "muted")
        self.submit_button.setEnabled(problem is None and not self._busy)


# ---------------------------------------------------------------- the dialog


class TeamDialog(QDialog):
    """The team list for everyone; adding, editing, removing and team settings for admins."""

    #: A change was saved (members or settings): the main window should resolve again who acts.
    team_changed = Signal()
    #: A change was refused or failed: (the sentence shown in the dialog).
    change_failed = Signal(str)

    def __init__(self, workspace: Any, user: User, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamDialog")
        self.setWindowTitle(f"Team — {workspace.name}")
        self.setModal(False)
        self.resize(820, 600)
        self._workspace = workspace
        self._user = user
        self._runner = runner
        self._bridge: StoreEventBridge | None = None
        self._job: TaskHandle | None = None
        self._generation = 0
        self._config = workspace.config.get_or_default(TEAM_KEY, TeamConfig)
        self.form: MemberForm | None = None
        self.remove_box: QMessageBox | None = None

        self.model = TeamTableModel(self)
        self.model.set_current_user_id(user.id)
        self._build()

        self.model.modelReset.connect(self._on_model_changed)
        self.model.rowsInserted.connect(self._on_model_changed)
        self.model.rowsRemoved.connect(self._on_model_changed)
        self.model.dataChanged.connect(self._on_model_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self._show_config(self._config)
        self._update_state()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        m = TeamTableModel
        self.table = make_table(
            self.model, {m.COL_NAME: 160, m.COL_LOGIN: 90, m.COL_EMAIL: 230, m.COL_ROLES: 130}, m.COL_SKILLS
        )
        self.table.setObjectName("teamTable")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionsMovable(False)
        self.table.sortByColumn(m.COL_NAME, Qt.SortOrder.AscendingOrder)

        self.notice = _hint()
        self.notice.setObjectName("teamNotice")

        self.add_button = QPushButton("Add…")
        self.add_button.setObjectName("addMemberButton")
        self.add_button.setToolTip("Add a member to the team")
        self.add_button.clicked.connect(self.add_member)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editMemberButton")
        self.edit_button.setToolTip("Change the selected member's details and roles")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("removeMemberButton")
        self.remove_button.setToolTip("Remove the selected member from the team")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.add_button)
        buttons_row.addWidget(self.edit_button)
        buttons_row.addWidget(self.remove_button)
        buttons_row.addStretch(1)

        self.switch_check = QCheckBox("Allow acting as another member")
        self.switch_check.setObjectName("allowSwitchCheck")
        self.switch_check.setToolTip(
            "Anyone who opens the workspace may then act as any member: for demos and shared machines."
        )
        self.switch_check.toggled.connect(self._on_settings_edited)
        self.unmask_checks: dict[Role, QCheckBox] = {}
        unmask_row = QHBoxLayout()
        unmask_row.setSpacing(14)
        for role in Role:
            check = QCheckBox(ROLE_LABELS[role])
            check.setObjectName(f"unmask_{role.value}")
            check.setToolTip(ROLE_HINTS[role])
            check.toggled.connect(self._on_settings_edited)
            self.unmask_checks[role] = check
            unmask_row.addWidget(check)
        unmask_row.addStretch(1)
        self.save_settings_button = QPushButton("Save settings")
        self.save_settings_button.setObjectName("saveSettingsButton")
        self.save_settings_button.clicked.connect(self.save_settings)
        settings_buttons = QHBoxLayout()
        settings_buttons.addStretch(1)
        settings_buttons.addWidget(self.save_settings_button)

        self.settings_box = QGroupBox("Team settings")
        self.settings_box.setObjectName("teamSettings")
        column = QVBoxLayout(self.settings_box)
        column.addWidget(self.switch_check)
        column.addWidget(
            _hint("Otherwise everyone acts as the member whose login is their computer account.")
        )
        column.addSpacing(6)
        column.addWidget(QLabel("Roles that may see personal data:"))
        column.addLayout(unmask_row)
        column.addWidget(
            _hint(
                "Names, e-mail addresses and phone numbers of customers are masked for everyone else. "
                "Admins hold every role, so they see them whenever any role is ticked."
            )
        )
        column.addLayout(settings_buttons)

        self.busy = BusyLine()
        self.status_label = QLabel()
        self.status_label.setObjectName("teamStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.hide()

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons_row)
        layout.addWidget(self.settings_box)
        layout.addWidget(self.busy)
        layout.addWidget(self.status_label)
        layout.addWidget(close)

    # ------------------------------------------------------------- lifecycle
    def open(self) -> None:
        """Show the dialog without blocking the window (QDialog's own ``open()`` is window-modal).

        The team list is reference material beside the work, so the window
        stays usable; opening it again brings it to the front.
        """
        shown = self.isVisible()
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.show()
        if shown:
            self.raise_()
        self.activateWindow()

    def showEvent(self, event: QShowEvent) -> None:
        self._follow()
        super().showEvent(event)

    def done(self, result: int) -> None:
        """Closing stops following the store; a change already under way still completes and reports."""
        self._close_children()
        self._unfollow()
        super().done(result)

    def detach(self) -> None:
        """Forget the workspace (call before it closes): late results are ignored from now on."""
        self._generation += 1
        self._close_children()
        self._unfollow()
        self._job = None
        self.model.clear()

    def _follow(self) -> None:
        if self._bridge is not None:
            return
        workspace = self._workspace
        self._bridge = StoreEventBridge(workspace, self)
        self._bridge.store_changed.connect(self._on_bridge_store_changed)
        self.model.attach(
            self._runner,
            self._bridge,
            lambda _progress: workspace.users.list(),
            workspace.users.get,
            description="",
        )
        self._config_changed_elsewhere()

    def _unfollow(self) -> None:
        self.model.detach()
        if self._bridge is not None:
            self._bridge.close()
            self._bridge.deleteLater()
            self._bridge = None

    def _close_children(self) -> None:
        if self.remove_box is not None:
            self.remove_box.reject()
            self.remove_box = None
        if self.form is not None:
            form, self.form = self.form, None
            form.reject()
            form.deleteLater()

    # ---------------------------------------------------------------- access
    @property
    def user(self) -> User:
        """The person acting, as the dialog last saw them."""
        return self._user

    def set_user(self, user: User) -> None:
        """The person acting changed (the main window resolved it again)."""
        self._user = user
        self.model.set_current_user_id(user.id)
        self._update_state()

    @property
    def may_edit(self) -> bool:
        """Whether the acting person may change the team here."""
        return not self._workspace.read_only and not is_guest(self._user) and self._user.has_role(Role.ADMIN)

    @property
    def busy_saving(self) -> bool:
        """True while a change is being saved."""
        return self._job is not None and not self._job.done

    def selected_member(self) -> User | None:
        """The one member selected, if any."""
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return None
        member: User = rows[0].data(DomainObjectRole)
        return member

    def team_config(self) -> TeamConfig:
        """The settings as ticked in the dialog (saved or not)."""
        return TeamConfig(
            allow_user_switch=self.switch_check.isChecked(),
            unmask_roles=[role for role, check in self.unmask_checks.items() if check.isChecked()],
        )

    # --------------------------------------------------------------- actions
    def add_member(self) -> None:
        """Open the form for a new member."""
        self._open_form(None)

    def edit_selected(self) -> None:
        """Open the form for the selected member."""
        member = self.selected_member()
        if member is not None:
            self._open_form(member)

    def _open_form(self, member: User | None) -> None:
        if not self.may_edit or self.busy_saving:
            return
        self._close_children()
        form = MemberForm(member, self)
        form.submitted.connect(lambda details: self._on_form_submitted(form, details))
        form.finished.connect(lambda _result: self._on_form_finished(form))
        self.form = form
        form.open()

    def _on_form_finished(self, form: MemberForm) -> None:
        if self.form is form:
            self.form = None
            form.deleteLater()

    def _on_form_submitted(self, form: MemberForm, details: MemberDetails) -> None:
        if self.busy_saving:
            form.show_error("Another change to the team is being saved; try again in a moment.")
            return
        who = self._user
        member = form.member
        step = _add(details, who) if member is None else _update(member.id, details, who)
        form.set_busy(True, "Adding" if member is None else "Saving")

        def failed(exc: BaseException) -> None:
            text = describe(exc)
            if self.form is form:  # still open: the sentence goes under the values to fix
                form.set_busy(False)
                form.show_error(text)
            else:
                self._show_status(text, error=True)
            self.change_failed.emit(text)

        def saved(outcome: TeamOutcome) -> None:
            if self.form is form:
                form.set_busy(False)
                form.accept()
            self._on_change_saved(outcome)

        self._start(step, "Adding a member" if member is None else "Saving the member", saved, failed)

    def remove_selected(self) -> None:
        """Ask, then remove the selected member."""
        member = self.selected_member()
        if member is None or not self.may_edit or self.busy_saving:
            return
        self._close_children()
        yourself = member.id == self._user.id
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Remove member",
            "Remove yourself from the team?" if yourself else f"Remove {member.name} from the team?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("removeBox")
        box.setInformativeText(
            "You will only be able to read this workspace afterwards, unless an admin adds you again."
            if yourself
            else f"They are {roles_label(member.roles).lower()}. Drafts and conversations keep their name "
            "as it was; they can no longer act in this workspace."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda _result: self._on_remove_box_finished(box, box.clickedButton() is remove, member)
        )
        self.remove_box = box
        box.open()

    def _on_remove_box_finished(self, box: QMessageBox, accepted: bool, member: User) -> None:
        if self.remove_box is box:
            self.remove_box = None
        box.deleteLater()
        if accepted:
            self.remove(member.id)

    def remove(self, member_id: str) -> None:
        """Remove the member with ``member_id`` in the background (no question asked)."""
        self._start(
            _remove(member_id, self._user),
            "Removing the member",
            self._on_change_saved,
            self._on_change_failed,
        )

    def save_settings(self) -> None:
        """Save the settings as ticked."""
        if not self.may_edit:
            return
        self._start(
            _configure(self.team_config(), self._user),
            "Saving the team settings",
            self._on_change_saved,
            self._on_change_failed,
        )

    # ----------------------------------------------------------------- jobs
    def _start(
        self,
        step: Callable[[TeamService], str],
        text: str,
        on_result: Callable[[TeamOutcome], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if self.busy_saving:
            return
        self.status_label.hide()
        self.busy.start(text)
        generation = self._generation

        def result(outcome: TeamOutcome) -> None:
            if generation == self._generation:
                on_result(outcome)

        def error(exc: BaseException) -> None:
            if generation == self._generation:
                on_error(exc)

        def finished() -> None:
            if generation == self._generation:
                self._job = None
                self.busy.stop()
                self._update_state()

        self._job = self._runner.run(
            apply_change,
            self._workspace,
            self._user,
            step,
            on_result=result,
            on_error=error,
            on_finished=finished,
        )
        if self._job.done:  # a synchronous pool has already delivered everything
            self._job = None
        self._update_state()

    def _on_change_saved(self, outcome: TeamOutcome) -> None:
        self._user = outcome.me
        self.model.set_current_user_id(outcome.me.id)
        self._config = outcome.config
        self._show_config(outcome.config)
        self._show_status(outcome.message, error=False)
        self._update_state()
        self.team_changed.emit()

    def _on_change_failed(self, exc: BaseException) -> None:
        text = describe(exc)
        self._show_status(text, error=True)
        self.change_failed.emit(text)

    def _show_status(self, text: str, *, error: bool) -> None:
        self.status_label.setText(text)
        set_tone(self.status_label, "error" if error else "success")
        self.status_label.show()

    # ----------------------------------------------------------------- state
    def _show_config(self, config: TeamConfig) -> None:
        checks = [self.switch_check, *self.unmask_checks.values()]
        for check in checks:
            check.blockSignals(True)
        self.switch_check.setChecked(config.allow_user_switch)
        for role, check in self.unmask_checks.items():
            check.setChecked(role in config.unmask_roles)
        for check in checks:
            check.blockSignals(False)
        self._update_state()

    def _settings_dirty(self) -> bool:
        ticked = self.team_config()
        return ticked.allow_user_switch != self._config.allow_user_switch or set(ticked.unmask_roles) != set(
            self._config.unmask_roles
        )

    def _config_changed_elsewhere(self) -> None:
        """Show settings saved by another window, unless the user is changing them here."""
        dirty = self._settings_dirty()
        self._config = self._workspace.config.get_or_default(TEAM_KEY, TeamConfig)
        if not dirty:
            self._show_config(self._config)

    def _update_state(self) -> None:
        may_edit = self.may_edit
        idle = not self.busy_saving
        one = self.selected_member() is not None
        self.add_button.setEnabled(may_edit and idle)
        self.edit_button.setEnabled(may_edit and idle and one)
        self.remove_button.setEnabled(may_edit and idle and one)
        for check in (self.switch_check, *self.unmask_checks.values()):
            check.setEnabled(may_edit and idle)
        self.save_settings_button.setEnabled(may_edit and idle and self._settings_dirty())
        self.notice.setText(self._notice())

    def _notice(self) -> str:
        if self._workspace.read_only:
            reason = self._workspace.read_only_reason or "This workspace is open read-only."
            return f"{reason} The team can be looked at, not changed."
        if is_guest(self._user):
            return (
                f"You ({self._user.login}) are not a member of this workspace, so you can look at the team "
                "but not change it. An admin can add you here."
            )
        if not self._user.has_role(Role.ADMIN):
            admins = sorted(u.name for u in self.model.objects() if Role.ADMIN in u.roles)
            ask = f" Ask {_or(admins)} if something here should change." if admins else ""
            return (
                f"Only admins can change the team; you ({self._user.name}) are "
                f"{roles_label(self._user.roles).lower()}.{ask}"
            )
        return (
            "Select a member to edit or remove them. Every change is recorded in the audit log; "
            "the workspace always keeps at least one admin."
        )

    # ----------------------------------------------------------------- slots
    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table == "config" and (
            event.reset or TEAM_KEY in event.inserted | event.updated | event.removed
        ):
            self._config_changed_elsewhere()

    @Slot()
    def _on_model_changed(self) -> None:
        # Another window may have changed the acting person's roles: the row is the latest record.
        if not is_guest(self._user) and self.model.loaded:
            row = self.model.row_of(self._user.id)
            if row is None:
                self._user = guest(self._user.login or self._user.name)
            else:
                self._user = self.model.object_at(row)
        self._update_state()

    @Slot()
    def _on_settings_edited(self) -> None:
        self.status_label.hide()
        self._update_state()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_state()

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        if self.may_edit:
            self.edit_selected()


def _or(names: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
