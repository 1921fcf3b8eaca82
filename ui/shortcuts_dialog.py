"""The shortcut overview (F1 or Ctrl+/): every key the window answers to, read from its actions.

Nothing here is a hand-kept list that could drift from the code: the rows
are the window's QActions that carry a shortcut, grouped by the page that
owns them ("Everywhere" for the window's own menus).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from ui.models import ListTableModel


@dataclass(frozen=True)
class ShortcutRow:
    """One action and its keys, with where it works."""

    where: str
    action: str
    keys: str


def action_label(text: str) -> str:
    """A menu text without its &-mnemonics and trailing ellipsis ("&Settings…" -> "Settings")."""
    return text.replace("&&", "\x00").replace("&", "").replace("\x00", "&").rstrip("…").strip()


def collect_shortcuts(window: QWidget, page_names: dict[str, str]) -> list[ShortcutRow]:
    """The actions with shortcuts under ``window``, grouped by page.

    Args:
        window: the main window.
        page_names: a page's objectName -> the label shown for it (e.g.
            ``"inboxView" -> "Inbox"``); actions owned by no page work everywhere.
    """
    rows: list[ShortcutRow] = []
    seen: set[tuple[str, str]] = set()
    for action in window.findChildren(QAction):
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys or not action.text():
            continue
        where = "Everywhere"
        owner: Any = action.parent()
        while owner is not None and owner is not window:
            if owner.objectName() in page_names:
                where = page_names[owner.objectName()]
                break
            owner = owner.parent()
        text = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        name = action_label(action.text())
        if (where, name) in seen:
            continue
        seen.add((where, name))
        rows.append(ShortcutRow(where, name, text))
    order = {"Everywhere": 0} | {label: n for n, label in enumerate(page_names.values(), start=1)}
    rows.sort(key=lambda r: (order.get(r.where, 99), r.action.casefold()))
    return rows


class ShortcutModel(ListTableModel):
    HEADERS: ClassVar[tuple[str, ...]] = ("Where", "Action", "Keys")
    COL_WHERE, COL_ACTION, COL_KEYS = range(3)

    def display(self, obj: Any, column: int) -> str:
        row: ShortcutRow = obj
        return (row.where, row.action, row.keys)[column]


class ShortcutsDialog(QDialog):
    """A searchable table of the shortcuts."""

    def __init__(self, rows: Iterable[ShortcutRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 560)
        self.model = ShortcutModel(self)
        self.model.set_rows(rows)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit()
        self.search.setObjectName("shortcutSearch")
        self.search.setPlaceholderText("Find a shortcut (an action, a page or a key)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setObjectName("shortcutTable")
        self.table.setModel(self.proxy)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ShortcutModel.COL_WHERE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ShortcutModel.COL_ACTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ShortcutModel.COL_KEYS, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        self.search.setFocus()
