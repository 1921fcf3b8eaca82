"""The command palette (Ctrl+K): type a few letters, press Enter, be there.

It lists the window's views and menu actions at once, and the workspace's
issues, drafts and sources once a worker has read them (the list grows in
place; the user can type meanwhile). Ranking is :func:`curator.jump.rank`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from curator.jump import JumpTarget, rank
from ui.assets import icon

#: The icon shown beside each kind of target.
KIND_ICONS = {"issue": "hot-issues", "draft": "drafts", "source": "sources"}
TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class PaletteModel(QAbstractListModel):
    """The ranked targets for the current query; reset as the query changes (a bulk change)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[JumpTarget] = []
        self._shown: list[JumpTarget] = []
        self._icons: dict[str, str] = {}
        self.query = ""

    def set_targets(self, targets: Sequence[JumpTarget], icons: dict[str, str] | None = None) -> None:
        """Everything that can be found; ``icons`` maps view keys to icon names."""
        self._all = list(targets)
        if icons is not None:
            self._icons = icons
        self.set_query(self.query)

    def set_query(self, query: str) -> None:
        self.beginResetModel()
        self.query = query
        self._shown = rank(query, self._all, limit=60)
        self.endResetModel()

    def target(self, row: int) -> JumpTarget:
        return self._shown[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        target = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return target.title
        if role in (DETAIL_ROLE, Qt.ItemDataRole.ToolTipRole):
            return target.detail
        if role == TARGET_ROLE:
            return target
        if role == Qt.ItemDataRole.DecorationRole:
            name = self._icons.get(target.key) if target.kind == "view" else KIND_ICONS.get(target.kind)
            return icon(name) if name else None
        return None


class _PaletteDelegate(QStyledItemDelegate):
    """The title on the left, the detail (kind, shortcut) right-aligned and muted."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        detail = str(index.data(DETAIL_ROLE) or "")
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        detail_width = opt.fontMetrics.horizontalAdvance(detail) + 16 if detail else 0
        style = opt.widget.style() if opt.widget is not None else None
        if style is None:
            return
        # Draw the row without its text, then the two texts ourselves.
        title = opt.text
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        title_rect = QRect(text_rect)
        title_rect.setRight(text_rect.right() - detail_width)
        role = opt.palette.ColorRole.HighlightedText if selected else opt.palette.ColorRole.Text
        painter.setPen(opt.palette.color(role))
        elided = opt.fontMetrics.elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), elided)
        if detail:
            muted = (
                opt.palette.ColorRole.HighlightedText if selected else opt.palette.ColorRole.PlaceholderText
            )
            painter.setPen(opt.palette.color(muted))
            painter.drawText(
                text_rect.adjusted(0, 0, -4, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                detail,
            )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), 30))


class CommandPalette(QDialog):
    """A search box over every view, action, issue, draft and source."""

    #: The user chose a target: (JumpTarget).
    target_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandPalette")
        self.setWindowTitle("Go to…")
        self.setModal(True)
        self.resize(620, 420)
        self.search = QLineEdit()
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText("Type a view, an action, an issue, a draft or a source…")
        self.search.setClearButtonEnabled(True)
        self.model = PaletteModel(self)
        self.list = QListView()
        self.list.setObjectName("paletteList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(_PaletteDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(18, 18))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel("↑↓ to move · Enter to go · Esc to close")
        self.hint.setObjectName("paletteHint")
        self.hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.installEventFilter(self)
        self.list.activated.connect(self._on_list_activated)
        self.list.clicked.connect(self._on_list_activated)
        self._loading = False

    def set_targets(self, targets: Sequence[JumpTarget], icons: dict[str, str] | None = None) -> None:
        """Replace what can be found, keeping the query and selecting the best match."""
        self.model.set_targets(targets, icons)
        self._select_first()

    def set_loading(self, loading: bool) -> None:
        """Say that the workspace's issues, drafts and sources are still being read."""
        self._loading = loading
        self.hint.setText(
            "Reading issues, drafts and sources…" if loading else "↑↓ to move · Enter to go · Esc to close"
        )

    def popup(self) -> None:
        """Show the palette with an empty query and the focus in the search box."""
        self.search.clear()
        self.model.set_query("")
        self._select_first()
        self.open()
        self.search.setFocus()

    def _select_first(self) -> None:
        if self.model.rowCount() > 0:
            self.list.setCurrentIndex(self.model.index(0))

    def _on_search_text_changed(self, text: str) -> None:
        self.model.set_query(text)
        self._select_first()

    def _on_list_activated(self, index: QModelIndex) -> None:
        self.choose(index.row())

    def choose(self, row: int) -> None:
        """Go to the target in ``row`` of the current list."""
        if 0 <= row < self.model.rowCount():
            target = self.model.target(row)
            self.accept()
            self.target_chosen.emit(target)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        """Up, Down, Page Up/Down and Enter in the search box move in and pick from the list."""
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
        ):
            key = Qt.Key(event.key())
            steps = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: 8,
                Qt.Key.Key_PageUp: -8,
            }
            if key in steps:
                count = self.model.rowCount()
                if count:
                    row = min(max(self.list.currentIndex().row() + steps[key], 0), count - 1)
                    self.list.setCurrentIndex(self.model.index(row))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose(self.list.currentIndex().row())
                return True
        return super().eventFilter(watched, event)
