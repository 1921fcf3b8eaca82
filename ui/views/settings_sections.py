"""The Settings page's workspace sections: the workspace, you, the team, targets, approval steps.

What these sections change is shared with the whole team, so every change
goes through the core service that checks the acting member's role and
writes the audit log, in the TaskRunner (see :mod:`ui.views.settings_tasks`).
A member without the role, or a workspace opened read-only, sees the same
section greyed, with a sentence saying why and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Role, User
from curator.editorial.workflow import ApprovalStep, EditorialConfig
from curator.identity import is_guest
from curator.triage.targets import ResponseTargets
from ui.models_team import ROLE_HINTS, ROLE_LABELS, roles_label
from ui.views import settings_tasks
from ui.views.inbox_widgets import TargetsDialog
from ui.views.settings_models import ApprovalStepsModel
from ui.views.settings_registry import RegistryForm
from ui.views.settings_tasks import WorkspaceSnapshot
from ui.views.settings_widgets import HelpLabel, SectionPage


class Host(Protocol):
    """What a workspace section needs from the page that holds it."""

    @property
    def workspace(self) -> Any: ...

    @property
    def user(self) -> User | None: ...

    def refusal(self, what: str) -> str:
        """Why the acting member may not change ``what`` here; empty when they may."""
        ...

    def run_save(
        self,
        section: SectionPage,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], str],
        failed: Callable[[str], None] | None = None,
        description: str,
    ) -> None:
        """Run a save in the background; ``done`` turns its result into the sentence shown."""
        ...


#: Said when the stored settings change under unsaved edits.
CHANGED_ELSEWHERE = (
    "Someone changed {what} while you were editing: Save keeps your version, Revert shows the new one."
)


def _value_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _left(*widgets: QWidget) -> QHBoxLayout:
    """A row holding ``widgets`` at their natural size, on the left."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 4, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


class WorkspaceSection(SectionPage):
    """The workspace open in this window: its name, folder and whether it can be changed."""

    #: "Open another…" was clicked; the window asks for the folder.
    open_requested = Signal()

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(
            "workspace",
            "Workspace",
            "A workspace is a folder the team shares: sources, items, drafts, the calendar and the "
            "settings on the following pages. Everyone who opens the folder sees the same.",
            parent,
        )
        self._host = host
        self.name_label = _value_label()
        self.name_label.setObjectName("workspaceName")
        self.path_label = _value_label()
        self.path_label.setObjectName("workspacePath")
        self.state_label = _value_label()
        self.state_label.setObjectName("workspaceState")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Name:", self.name_label)
        form.addRow("Folder:", self.path_label)
        form.addRow("Changes:", self.state_label)
        self.body.addLayout(form)
        self.open_button = QPushButton("Open Another Workspace…")
        self.open_button.setObjectName("openWorkspaceButton")
        self.body.addLayout(_left(self.open_button))
        self.open_button.setToolTip("Close this workspace and open another folder (Ctrl+O)")
        self.open_button.clicked.connect(self.open_requested)

    def refresh(self) -> None:
        """Show the workspace the page follows."""
        workspace = self._host.workspace
        if workspace is None:
            self.name_label.setText("No workspace is open.")
            self.path_label.setText("")
            self.state_label.setText("")
            return
        self.name_label.setText(workspace.name)
        self.path_label.setText(str(workspace.path))
        if workspace.read_only:
            self.state_label.setText(workspace.read_only_reason or "Opened read-only.")
        else:
            self.state_label.setText("Saved for the whole team; members change what their roles allow.")


class YouSection(SectionPage):
    """Who you act as in this workspace, and your own name setting."""

    def __init__(self, host: Host, form: RegistryForm, parent: QWidget | None = None) -> None:
        super().__init__(
            "you",
            "You",
            "Your roles in this workspace decide what you may do; admins change them in Team.",
            parent,
        )
        self._host = host
        self.member_label = _value_label()
        self.member_label.setObjectName("youMember")
        self.roles_label = _value_label()
        self.roles_label.setObjectName("youRoles")
        self.skills_label = _value_label()
        self.skills_label.setObjectName("youSkills")
        self.roles_help = HelpLabel()
        roles = QWidget()
        roles_column = QVBoxLayout(roles)
        roles_column.setContentsMargins(0, 0, 0, 0)
        roles_column.setSpacing(2)
        roles_column.addWidget(self.roles_label)
        roles_column.addWidget(self.roles_help)
        form_layout = QFormLayout()
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form_layout.addRow("You act as:", self.member_label)
        form_layout.addRow("Roles:", roles)
        form_layout.addRow("Skills:", self.skills_label)
        self.body.addLayout(form_layout)
        heading = QLabel("On this computer")
        heading.setObjectName("subheading")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.body.addSpacing(6)
        self.body.addWidget(heading)
        self.form = form
        self.body.addWidget(form)

    def refresh(self) -> None:
        """Show the acting member."""
        user = self._host.user
        if user is None:
            self.member_label.setText("Nobody yet: the workspace is still opening.")
            self.roles_label.setText("")
            self.roles_help.setText("")
            self.skills_label.setText("")
            self.set_notice("")
            return
        login = f", login {user.login}" if user.login else ""
        email = f", {user.email}" if user.email else ""
        self.member_label.setText(f"{user.name}{login}{email}")
        self.roles_label.setText(roles_label(user.roles))
        hints = [ROLE_HINTS[role] for role in Role if role in user.roles]
        self.roles_help.setText(" ".join(hints))
        self.roles_help.setVisible(bool(hints))
        self.skills_label.setText(", ".join(user.skills) or "None (skills route conversations to experts)")
        if is_guest(user):
            self.set_notice(
                f"You ({user.login}) are not a member of this workspace: you can read its settings "
                "but change none of them. Ask an admin to add you in Team."
            )
        elif not user.roles:
            self.set_notice("You hold no role in this workspace, so you can read but not change anything.")
        else:
            self.set_notice("")


class TeamSection(SectionPage):
    """A summary of the team and the door to the team dialog."""

    #: "Manage the team…" was clicked; the window opens the team dialog.
    team_requested = Signal()

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(
            "team",
            "Team",
            "Members, their roles and skills, who may act as another member, and who may see "
            "customers' personal data unmasked.",
            parent,
        )
        self._host = host
        self.summary = _value_label("Reading the team…")
        self.summary.setObjectName("teamSummary")
        self.body.addWidget(self.summary)
        self.team_button = QPushButton("Manage the Team…")
        self.team_button.setObjectName("manageTeamButton")
        self.body.addLayout(_left(self.team_button))
        self.team_button.clicked.connect(self.team_requested)

    def set_snapshot(self, snapshot: WorkspaceSnapshot) -> None:
        """Summarise the members and team settings."""
        members = snapshot.members
        admins = [m.name for m in members if Role.ADMIN in m.roles]
        lines = [
            f"{len(members):,} member{'' if len(members) == 1 else 's'}; "
            + (f"admins: {', '.join(admins)}." if admins else "no admin yet."),
            "Members may act as one another (for demos and shared machines)."
            if snapshot.team.allow_user_switch
            else "Each member acts only as themselves.",
            "Personal data is shown unmasked to: "
            + (", ".join(f"{ROLE_LABELS[r]}s" for r in snapshot.team.unmask_roles) or "nobody")
            + ".",
        ]
        self.summary.setText("\n".join(lines))

    def refresh(self) -> None:
        """Say who may change the team (the dialog enforces it)."""
        refusal = self._host.refusal("the team")
        self.team_button.setText("Manage the Team…" if not refusal else "View the Team…")
        self.set_notice(refusal)


class _InlineTargets(TargetsDialog):
    """The Inbox's targets editor, embedded in the page instead of floating over it."""

    def __init__(self, targets: ResponseTargets, may_save: bool, parent: QWidget | None = None) -> None:
        super().__init__(targets, may_save, parent)
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setMinimumHeight(470)
        layout = self.layout()
        if layout is not None:
            layout.setContentsMargins(0, 0, 0, 0)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.hide()

    def reject(self) -> None:
        """Escape must not hide an editor that is part of the page."""

    def done(self, result: int) -> None:
        """Nothing to close: the editor stays on the page."""


class TargetsSection(SectionPage):
    """Response targets, in the same editor the Inbox opens."""

    WHAT = "the response targets"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(
            "targets",
            "Response targets",
            "How soon customers get a first answer, per channel; the Inbox's timers and the "
            "wall follow these targets.",
            parent,
        )
        self._host = host
        self.editor: _InlineTargets | None = None
        self._targets: ResponseTargets | None = None
        self._holder = QHBoxLayout()
        self._holder.setContentsMargins(0, 0, 0, 0)
        self.body.addLayout(self._holder)
        self.revert_button = self.add_button("Revert", "targetsRevert")
        self.revert_button.setToolTip("Show the saved targets again, dropping your edits")
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self._on_revert_clicked)

    def set_snapshot(self, snapshot: WorkspaceSnapshot) -> None:
        """Show the stored targets unless the editor holds unsaved changes."""
        changed = snapshot.targets != self._targets
        self._targets = snapshot.targets
        if self.modified and self.editor is not None:
            if changed:
                self.message.show_info(CHANGED_ELSEWHERE.format(what=self.WHAT))
            return
        self._rebuild()

    def refresh(self) -> None:
        """Follow the acting member's right to change the targets."""
        self.set_notice(self._host.refusal(self.WHAT))
        if self._targets is not None and not self.modified:
            self._rebuild()
        elif self.editor is not None:
            self._set_save_enabled()

    def _rebuild(self) -> None:
        if self._targets is None:
            return
        if self.editor is not None:
            self._holder.removeWidget(self.editor)
            self.editor.deleteLater()
        editor = _InlineTargets(self._targets, not self._host.refusal(self.WHAT), self)
        editor.setObjectName("targetsEditor")
        editor.save_requested.connect(self._on_editor_save_requested)
        editor.model.dataChanged.connect(self._on_editor_model_data_changed)
        editor.warn_share.valueChanged.connect(self._on_editor_edited)
        editor.warn_minutes.valueChanged.connect(self._on_editor_edited)
        editor.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            if not self._host.refusal(self.WHAT)
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        editor.warn_share.setEnabled(not self._host.refusal(self.WHAT))
        editor.warn_minutes.setEnabled(not self._host.refusal(self.WHAT))
        self.editor = editor
        self._holder.addWidget(editor)
        self.set_modified(False)
        self.revert_button.setEnabled(False)

    def _set_save_enabled(self) -> None:
        if self.editor is not None:
            save = self.editor.buttons.button(QDialogButtonBox.StandardButton.Save)
            save.setEnabled(not self._host.refusal(self.WHAT))

    def _on_editor_model_data_changed(self, _first: Any, _last: Any, roles: list[int] | None = None) -> None:
        # A theme switch re-announces the colour roles: that is no edit.
        edits = {Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole}
        if not roles or any(Qt.ItemDataRole(role) in edits for role in roles):
            self._on_editor_edited()

    @Slot()
    def _on_editor_edited(self) -> None:
        self.set_modified(True)
        self.revert_button.setEnabled(True)

    @Slot()
    def _on_revert_clicked(self) -> None:
        self.message.clear_message()
        self._rebuild()

    def save(self, targets: ResponseTargets) -> None:
        """Save ``targets`` through the desk (admins); timers follow."""
        self._on_editor_save_requested(targets)

    @Slot(object)
    def _on_editor_save_requested(self, targets: ResponseTargets) -> None:
        user = self._host.user
        refusal = self._host.refusal(self.WHAT)
        if user is None or refusal:
            self.message.show_error(refusal or "Nobody acts in this workspace yet.")
            return
        editor = self.editor

        def done(sentence: str) -> str:
            self._targets = targets
            self.set_modified(False)
            self.revert_button.setEnabled(False)
            return sentence

        def failed(text: str) -> None:
            if editor is not None and editor is self.editor:
                editor.show_error(text)

        self._host.run_save(
            self,
            settings_tasks.save_targets,
            self._host.workspace,
            user,
            targets,
            done=done,
            failed=failed,
            description="Saving the response targets",
        )


class RoleDelegate(QStyledItemDelegate):
    """Edits a role cell with a drop-down of the roles."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for role in Role:
            combo.addItem(f"{ROLE_LABELS[role]}s", role.value)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(
        self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def approval_problem(config: EditorialConfig) -> str | None:
    """Why the steps cannot be saved as they are, or None (the service checks the rest)."""
    if not config.approval_steps:
        return "A draft needs at least one approval step: add one."
    seen: set[str] = set()
    for number, step in enumerate(config.approval_steps, start=1):
        if not step.name.strip():
            return f"Step {number} has no name: name it after who gives it (for example “Legal”)."
        if step.name.casefold() in seen:
            return f"Two steps are called “{step.name}”: give each its own name."
        seen.add(step.name.casefold())
    return None


class ApprovalStepsSection(SectionPage):
    """The approvals a draft needs before it may be scheduled, and who may waive findings."""

    WHAT = "the approval steps"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(
            "approvals",
            "Approval steps",
            "Every draft passes these steps in order before it can be scheduled. Double-click a "
            "step to rename it or to choose who may give it.",
            parent,
        )
        self._host = host
        self._config = EditorialConfig()
        self._loading = False
        self.model = ApprovalStepsModel(self)
        self.table = QTableView()
        self.table.setObjectName("approvalStepsTable")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ApprovalStepsModel.COL_ROLE, RoleDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 14)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ApprovalStepsModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(ApprovalStepsModel.COL_ROLE, 170)
        self.table.setColumnWidth(ApprovalStepsModel.COL_MEMBERS, 200)
        self.table.setMinimumHeight(150)
        self.table.setMaximumHeight(200)
        self.add_step = QPushButton("Add Step")
        self.add_step.setObjectName("addStepButton")
        self.remove_step = QPushButton("Remove")
        self.move_up = QPushButton("Move Up")
        self.move_down = QPushButton("Move Down")
        row = QHBoxLayout()
        for button in (self.add_step, self.remove_step, self.move_up, self.move_down):
            row.addWidget(button)
        row.addStretch(1)
        self.self_approval = QCheckBox("Authors may approve their own drafts")
        self.self_approval.setObjectName("selfApproval")
        self.self_approval.setToolTip("Off means four eyes: someone other than the author approves.")
        self.waive_role = QComboBox()
        self.waive_role.setObjectName("waiveRole")
        for role in Role:
            self.waive_role.addItem(f"{ROLE_LABELS[role]}s", role.value)
        waive_row = QFormLayout()
        waive_row.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        waive_row.addRow("Who may waive a brand finding:", self.waive_role)
        self.body.addWidget(self.table)
        self.body.addLayout(row)
        self.body.addWidget(self.self_approval)
        self.body.addWidget(
            HelpLabel("Off means four eyes: someone other than the author approves each version.")
        )
        self.body.addLayout(waive_row)
        self.revert_button = self.add_button("Revert", "approvalsRevert")
        self.save_button = self.add_button("Save Approval Steps", "approvalsSave", default=True)
        self.add_step.clicked.connect(self._on_add_step_clicked)
        self.remove_step.clicked.connect(self._on_remove_step_clicked)
        self.move_up.clicked.connect(lambda: self._move(-1))
        self.move_down.clicked.connect(lambda: self._move(1))
        self.revert_button.clicked.connect(self._on_revert_clicked)
        self.save_button.clicked.connect(self.save)
        self.model.dataChanged.connect(self._on_edited)
        self.model.rowsInserted.connect(self._on_edited)
        self.model.rowsRemoved.connect(self._on_edited)
        self.model.rowsMoved.connect(self._on_edited)
        self.self_approval.toggled.connect(self._on_edited)
        self.waive_role.currentIndexChanged.connect(self._on_edited)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._show(self._config)

    def config(self) -> EditorialConfig:
        """The steps as edited."""
        return EditorialConfig(
            approval_steps=self.model.steps(),
            allow_self_approval=self.self_approval.isChecked(),
            waive_role=Role(self.waive_role.currentData()),
        )

    def set_snapshot(self, snapshot: WorkspaceSnapshot) -> None:
        """Show the stored steps unless there are unsaved edits."""
        self._loading = True
        try:
            self.model.set_member_names({m.id: m.name for m in snapshot.members})
        finally:
            self._loading = False
        changed = snapshot.editorial != self._config
        self._config = snapshot.editorial
        if not self.modified:
            self._show(snapshot.editorial)
        elif changed:
            self.message.show_info(CHANGED_ELSEWHERE.format(what=self.WHAT))

    def refresh(self) -> None:
        """Follow the acting member's right to change the steps."""
        refusal = self._host.refusal(self.WHAT)
        self.set_notice(refusal)
        editable = not refusal
        self._loading = True
        try:
            self.model.set_editable(editable)
        finally:
            self._loading = False
        for widget in (self.self_approval, self.waive_role):
            widget.setEnabled(editable)
        self._update_buttons()

    def _show(self, config: EditorialConfig) -> None:
        for widget in (self.self_approval, self.waive_role):
            widget.blockSignals(True)
        self.self_approval.setChecked(config.allow_self_approval)
        self.waive_role.setCurrentIndex(max(0, self.waive_role.findData(config.waive_role.value)))
        for widget in (self.self_approval, self.waive_role):
            widget.blockSignals(False)
        self.model.set_rows([ApprovalStep(s.name, s.role, list(s.user_ids)) for s in config.approval_steps])
        self.set_modified(False)
        self.message.clear_message()
        self._update_buttons()

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    @Slot()
    def _update_buttons(self) -> None:
        editable = not self._host.refusal(self.WHAT)
        row = self._selected_row()
        count = self.model.rowCount()
        self.add_step.setEnabled(editable)
        self.remove_step.setEnabled(editable and row >= 0 and count > 1)
        self.move_up.setEnabled(editable and row > 0)
        self.move_down.setEnabled(editable and 0 <= row < count - 1)
        problem = approval_problem(self.config())
        self.save_button.setEnabled(editable and self.modified and problem is None)
        self.revert_button.setEnabled(self.modified)
        if problem is not None and self.modified:
            self.message.show_error(problem)
        elif self.message.kind == "error" and self.modified:
            self.message.clear_message()

    @Slot()
    def _on_edited(self) -> None:
        if self._loading:
            return
        self.set_modified(True)
        self._update_buttons()

    @Slot()
    def _on_add_step_clicked(self) -> None:
        taken = {step.name.casefold() for step in self.model.steps()}
        name, number = "New step", 2
        while name.casefold() in taken:
            name, number = f"New step {number}", number + 1
        row = self.model.append_row(ApprovalStep(name, Role.APPROVER))
        index = self.model.index(row, ApprovalStepsModel.COL_NAME)
        self.table.selectRow(row)
        self.table.edit(index)

    @Slot()
    def _on_remove_step_clicked(self) -> None:
        row = self._selected_row()
        if row >= 0:
            self.model.remove_row(row)

    def _move(self, delta: int) -> None:
        row = self._selected_row()
        if row >= 0:
            self.table.selectRow(self.model.move_row(row, delta))

    @Slot()
    def _on_revert_clicked(self) -> None:
        self._show(self._config)

    @Slot()
    def save(self) -> None:
        """Save the steps through the editorial service (admins; audited)."""
        user = self._host.user
        refusal = self._host.refusal(self.WHAT)
        config = self.config()
        problem = approval_problem(config)
        if user is None or refusal or problem:
            self.message.show_error(refusal or problem or "Nobody acts in this workspace yet.")
            return

        def done(sentence: str) -> str:
            self._config = config
            self.set_modified(False)
            self._update_buttons()
            return sentence

        self._host.run_save(
            self,
            settings_tasks.save_approval_steps,
            self._host.workspace,
            user,
            config,
            done=done,
            description="Saving the approval steps",
        )
