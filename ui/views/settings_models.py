"""The Settings page's Qt models: its section list and the lists a section edits.

Every list on the page is a real model over plain rows (``ListTableModel``),
so the views only display and the sections read their edits back from the
model, never from widgets. Editable lists (banned terms, preferred
spellings, approval steps) insert, remove and move rows with the proper
``begin*``/``end*`` calls, which keeps selections and editors right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from curator.domain import ConnectorKind, Role, TouchPoint
from curator.editorial.brand import BannedTerm
from curator.editorial.workflow import ApprovalStep
from curator.touchpoint_admin import describe_slots
from ui.formatting import channel_label
from ui.models import AnyIndex, DomainObjectRole, ListTableModel
from ui.models_team import ROLE_LABELS
from ui.theme import follow_theme

#: How connector kinds read on screen.
CONNECTOR_LABELS: dict[ConnectorKind, str] = {
    ConnectorKind.NONE: "None (publish by hand)",
    ConnectorKind.OUTBOX: "Outbox folder",
    ConnectorKind.WEBHOOK: "Webhook",
    ConnectorKind.EMAIL: "E-mail",
    ConnectorKind.STATIC_FEED: "Static feed",
}


def touchpoint_kind_label(kind: str) -> str:
    """A touch point kind as people say it ("In store screen", "LinkedIn")."""
    return channel_label(kind)


# --------------------------------------------------------------------------- section list
@dataclass(frozen=True)
class SectionEntry:
    """One line of the section list: a section, or the heading of a group of sections."""

    key: str
    title: str
    heading: bool = False
    tooltip: str = ""


class SectionListModel(ListTableModel):
    """The sections on the left; headings are shown but cannot be chosen; unsaved ones are marked."""

    HEADERS = ("Section",)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._modified: set[str] = set()
        follow_theme(self)  # headings take their colour from the palette

    def display(self, obj: SectionEntry, column: int) -> str:
        if obj.heading:
            return obj.title.upper()
        return f"{obj.title}  •" if obj.key in self._modified else obj.title

    def tooltip(self, obj: SectionEntry, column: int) -> str | None:
        if obj.key in self._modified:
            return f"{obj.title}: changes not saved yet"
        return obj.tooltip or None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        obj: SectionEntry = self._rows[index.row()]
        if role == Qt.ItemDataRole.FontRole and (obj.heading or obj.key in self._modified):
            font = QFont()
            if obj.heading:
                font.setPointSizeF(max(font.pointSizeF() * 0.8, 7.0))
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and obj.heading:
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return super().data(index, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        obj: SectionEntry = self._rows[index.row()]
        if obj.heading:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def row_of_key(self, key: str) -> int | None:
        """The row of section ``key`` (None for an unknown key)."""
        return next((row for row, obj in enumerate(self._rows) if obj.key == key and not obj.heading), None)

    def set_modified(self, key: str, modified: bool) -> None:
        """Mark (or unmark) a section as holding changes not saved yet."""
        if (key in self._modified) == modified:
            return
        if modified:
            self._modified.add(key)
        else:
            self._modified.discard(key)
        row = self.row_of_key(key)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def is_modified(self, key: str) -> bool:
        """Whether section ``key`` holds changes not saved yet."""
        return key in self._modified


# --------------------------------------------------------------------------- editable rows
class EditableRowsModel(ListTableModel):
    """Rows a person edits in place, adds and removes; subclasses say how a cell reads and changes."""

    EDITABLE_COLUMNS: ClassVar[frozenset[int]] = frozenset()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable and index.column() in self.EDITABLE_COLUMNS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._editable = True

    def set_editable(self, editable: bool) -> None:
        """Allow or refuse edits (members without the role only read)."""
        if editable != self._editable:
            self._editable = editable
            if self._rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
                )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and 0 <= index.row() < len(self._rows):
            return self.edit_value(self._rows[index.row()], index.column())
        return super().data(index, role)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not 0 <= index.row() < len(self._rows) or index.column() not in self.EDITABLE_COLUMNS:
            return False
        changed = self.with_value(self._rows[index.row()], index.column(), value)
        if changed is None:
            return False
        self._rows[index.row()] = changed
        self.dataChanged.emit(index, index)
        return True

    def edit_value(self, obj: Any, column: int) -> Any:
        """The value an editor starts from (the displayed text unless a subclass says otherwise)."""
        return self.display(obj, column)

    def with_value(self, obj: Any, column: int, value: Any) -> Any | None:
        """A copy of ``obj`` with ``value`` in ``column``, or None when the value cannot go there."""
        raise NotImplementedError

    def append_row(self, obj: Any) -> int:
        """Add a row at the end; returns its row number."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(obj)
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        """Remove one row (nothing for a row that does not exist)."""
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def move_row(self, row: int, delta: int) -> int:
        """Move a row up (-1) or down (+1); returns where it is now."""
        target = row + delta
        if not 0 <= row < len(self._rows) or not 0 <= target < len(self._rows) or delta not in (-1, 1):
            return row
        # Qt's destination is the row before which the moved row lands, counted before the move.
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + 1 if delta > 0 else target)
        self._rows.insert(target, self._rows.pop(row))
        self.endMoveRows()
        return target


class BannedTermsModel(EditableRowsModel):
    """The brand guide's banned terms: the term, what to write instead, and why."""

    COL_TERM, COL_REPLACEMENT, COL_REASON = range(3)
    HEADERS = ("Banned term", "Write instead", "Why")
    EDITABLE_COLUMNS = frozenset({COL_TERM, COL_REPLACEMENT, COL_REASON})
    _FIELDS: ClassVar[dict[int, str]] = {
        COL_TERM: "term",
        COL_REPLACEMENT: "replacement",
        COL_REASON: "reason",
    }

    def display(self, obj: BannedTerm, column: int) -> str:
        return str(getattr(obj, self._FIELDS[column], ""))

    def tooltip(self, obj: BannedTerm, column: int) -> str | None:
        return self.display(obj, column) or None

    def with_value(self, obj: BannedTerm, column: int, value: Any) -> BannedTerm | None:
        return replace(obj, **{self._FIELDS[column]: str(value).strip()})

    def terms(self) -> list[BannedTerm]:
        """The terms as edited (copies)."""
        return [replace(term) for term in self._rows]


@dataclass(frozen=True)
class SpellingRow:
    """One preferred spelling: the form to avoid and the one to use."""

    variant: str
    preferred: str


class SpellingsModel(EditableRowsModel):
    """The brand guide's preferred spellings."""

    COL_VARIANT, COL_PREFERRED = range(2)
    HEADERS = ("Instead of", "Write")
    EDITABLE_COLUMNS = frozenset({COL_VARIANT, COL_PREFERRED})

    def display(self, obj: SpellingRow, column: int) -> str:
        return obj.variant if column == self.COL_VARIANT else obj.preferred

    def with_value(self, obj: SpellingRow, column: int, value: Any) -> SpellingRow | None:
        text = str(value).strip()
        return replace(obj, variant=text) if column == self.COL_VARIANT else replace(obj, preferred=text)

    def set_spellings(self, spellings: Mapping[str, str]) -> None:
        """Show a guide's spellings (one reset)."""
        self.set_rows(SpellingRow(variant, preferred) for variant, preferred in spellings.items())

    def rows(self) -> list[SpellingRow]:
        """The rows as edited, blank lines included (the guide's check names them)."""
        return list(self._rows)


class ApprovalStepsModel(EditableRowsModel):
    """The approvals a draft needs, in order; the name and the role are edited in place."""

    COL_NAME, COL_ROLE, COL_MEMBERS = range(3)
    HEADERS = ("Step", "Who may give it", "Only these members")
    EDITABLE_COLUMNS = frozenset({COL_NAME, COL_ROLE})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: dict[str, str] = {}

    def set_member_names(self, names: Mapping[str, str]) -> None:
        """Member id -> name, for the members a step is limited to."""
        self._names = dict(names)
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, self.COL_MEMBERS), self.index(last, self.COL_MEMBERS))

    def display(self, obj: ApprovalStep, column: int) -> str:
        if column == self.COL_NAME:
            return obj.name
        if column == self.COL_ROLE:
            return f"{ROLE_LABELS[obj.role]}s"
        if not obj.user_ids:
            return "Anyone with the role"
        return ", ".join(self._names.get(uid, "a former member") for uid in obj.user_ids)

    def edit_value(self, obj: ApprovalStep, column: int) -> Any:
        return obj.role.value if column == self.COL_ROLE else self.display(obj, column)

    def with_value(self, obj: ApprovalStep, column: int, value: Any) -> ApprovalStep | None:
        if column == self.COL_NAME:
            return replace(obj, name=" ".join(str(value).split()))
        try:
            return replace(obj, role=Role(str(value)))
        except ValueError:
            return None

    def steps(self) -> list[ApprovalStep]:
        """The steps as edited (copies)."""
        return [replace(step, user_ids=list(step.user_ids)) for step in self._rows]


class TouchPointTableModel(ListTableModel):
    """The workspace's touch points, one per row, sorted by name; edited through their form."""

    COL_NAME, COL_KIND, COL_ZONE, COL_SLOTS, COL_CONNECTOR = range(5)
    HEADERS = ("Name", "Kind", "Time zone", "Posting slots", "Connector")

    def display(self, obj: TouchPoint, column: int) -> str:
        if column == self.COL_NAME:
            return obj.name
        if column == self.COL_KIND:
            return touchpoint_kind_label(obj.kind)
        if column == self.COL_ZONE:
            return obj.timezone
        if column == self.COL_SLOTS:
            return describe_slots(obj.slots) or "None"
        if column == self.COL_CONNECTOR:
            return CONNECTOR_LABELS.get(obj.connector.kind, obj.connector.kind.value)
        return ""

    def tooltip(self, obj: TouchPoint, column: int) -> str | None:
        if column == self.COL_CONNECTOR and obj.connector.options:
            return "\n".join(f"{key}: {value}" for key, value in sorted(obj.connector.options.items()))
        if column == self.COL_SLOTS and obj.slots:
            return describe_slots(obj.slots)
        return None

    def set_rows(self, rows: Iterable[Any]) -> None:
        super().set_rows(sorted(rows, key=lambda tp: tp.name.casefold()))

    def row_of_id(self, tp_id: str) -> int | None:
        """The row of the touch point with id ``tp_id``."""
        return next((row for row, tp in enumerate(self._rows) if tp.id == tp_id), None)


__all__ = [
    "CONNECTOR_LABELS",
    "ApprovalStepsModel",
    "BannedTermsModel",
    "DomainObjectRole",
    "EditableRowsModel",
    "SectionEntry",
    "SectionListModel",
    "SpellingRow",
    "SpellingsModel",
    "TouchPointTableModel",
    "touchpoint_kind_label",
]
