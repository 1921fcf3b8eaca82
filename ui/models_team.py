"""The team's members as a table: name, login, e-mail, roles and skills.

The model follows the workspace's ``users`` table like every store model
(:class:`~ui.models.StoreTableModel`): loads and fetches run through the
TaskRunner, store events become row inserts, changes and removals, so a
member added by another window or process appears without a reload.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from curator.domain import Role, User
from ui.models import AnyIndex, StoreTableModel

#: What each role is called on screen.
ROLE_LABELS: dict[Role, str] = {
    Role.EDITOR: "Editor",
    Role.APPROVER: "Approver",
    Role.SCHEDULER: "Scheduler",
    Role.AGENT: "Agent",
    Role.ADMIN: "Admin",
}

#: What each role lets a member do, for tooltips and the member form.
ROLE_HINTS: dict[Role, str] = {
    Role.EDITOR: "Curates the stream, drafts content and replies.",
    Role.APPROVER: "Reviews drafts against the brand; approves them or sends them back.",
    Role.SCHEDULER: "Puts approved content on the calendar and watches publishing.",
    Role.AGENT: "Answers the conversations assigned to them.",
    Role.ADMIN: "Manages the team and the workspace settings; holds every other role too.",
}


def roles_label(roles: Iterable[Role]) -> str:
    """Roles as the table shows them (``Editor, Agent``); ``No role`` when empty."""
    return ", ".join(ROLE_LABELS[role] for role in Role if role in set(roles)) or "No role"


class TeamTableModel(StoreTableModel):
    """One row per member; the acting person's row is bold."""

    TABLE = "users"
    COL_NAME, COL_LOGIN, COL_EMAIL, COL_ROLES, COL_SKILLS = range(5)
    HEADERS = ("Name", "Login", "E-mail", "Roles", "Skills")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._me = ""

    def set_current_user_id(self, user_id: str) -> None:
        """Mark the row of the person acting (bold, "you" in its tooltip)."""
        if user_id == self._me:
            return
        self._me = user_id
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(self.rowCount() - 1, self.columnCount() - 1),
                [Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole],
            )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            if not index.isValid() or not 0 <= index.row() < self.rowCount():
                return None
            if self.object_at(index.row()).id != self._me:
                return None
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)

    def display(self, obj: Any, column: int) -> str:
        user: User = obj
        if column == self.COL_NAME:
            return user.name
        if column == self.COL_LOGIN:
            return user.login
        if column == self.COL_EMAIL:
            return user.email
        if column == self.COL_ROLES:
            return roles_label(user.roles)
        if column == self.COL_SKILLS:
            return ", ".join(user.skills)
        return ""

    def sort_value(self, obj: Any, column: int) -> Any:
        # Ties (two members of one role) keep a stable order by name.
        return (self.display(obj, column).casefold(), obj.name.casefold(), obj.id)

    def tooltip(self, obj: Any, column: int) -> str | None:
        user: User = obj
        if column == self.COL_NAME and user.id == self._me:
            return f"{user.name} (you)"
        if column == self.COL_ROLES:
            if not user.roles:
                return "No role: can only read, like someone who is not a member."
            return "\n".join(f"{ROLE_LABELS[r]}: {ROLE_HINTS[r]}" for r in Role if r in user.roles)
        if column == self.COL_LOGIN and not user.login:
            return "No login: this member is reached only by acting as them."
        return self.display(obj, column) or None
