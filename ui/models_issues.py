"""Qt models of the Hot issues page: the ranked issues and the items of one issue.

:class:`IssueTableModel` follows the ``issues`` table through the store
events like every :class:`~ui.models.StoreTableModel`, keeping only live
issues (not merged away, with items). Its default order is the hot ranking:
pinned first, muted last, hot score in between. The hourly counts behind
each row's sparkline are computed in a worker and handed in with
:meth:`IssueTableModel.set_trends`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont

from curator.domain import Issue, Item
from ui.formatting import channel_label, excerpt, full_time, human_time, one_line
from ui.models import AnyIndex, DomainObjectRole, ListTableModel, StoreTableModel
from ui.theme import current_theme, follow_theme
from ui.views.issue_tasks import is_live

#: Returns the hourly counts (a list of floats) a trend cell draws.
TrendRole = Qt.ItemDataRole.UserRole + 10
#: Returns the negative share (0..1) a bar cell draws.
ShareRole = Qt.ItemDataRole.UserRole + 11


def muted_color() -> QColor:
    """Text of muted issues (faded, so what still matters stands out), in the current theme."""
    return QColor(current_theme().faint_text)


class IssueTableModel(StoreTableModel):
    """The live issues of a workspace, ranked."""

    TABLE = "issues"
    COL_LABEL, COL_ITEMS, COL_TREND, COL_NEGATIVE, COL_SCORE = range(5)
    HEADERS = ("Issue", "Items", "Last 48 h", "Negative", "Hot score")
    NUMERIC_COLUMNS = frozenset({COL_ITEMS, COL_NEGATIVE, COL_SCORE})
    DEFAULT_SORT = (COL_SCORE, Qt.SortOrder.DescendingOrder)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._trends: dict[str, list[float]] = {}
        follow_theme(self)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        issue: Issue = self._rows[index.row()]
        if role == TrendRole:
            return self._trends.get(issue.id, [])
        if role == ShareRole:
            return issue.negative_share
        if role == Qt.ItemDataRole.ForegroundRole:
            return muted_color() if issue.muted and not issue.pinned else None
        if role == Qt.ItemDataRole.FontRole and issue.pinned and index.column() == self.COL_LABEL:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)

    def display(self, obj: Issue, column: int) -> str:
        if column == self.COL_LABEL:
            label = one_line(obj.label or "(unnamed)")
            return f"Pinned · {label}" if obj.pinned else f"{label} (muted)" if obj.muted else label
        if column == self.COL_ITEMS:
            return f"{obj.item_count:,}"
        if column == self.COL_TREND:
            return ""
        if column == self.COL_NEGATIVE:
            return f"{obj.negative_share:.0%}"
        if column == self.COL_SCORE:
            return f"{obj.hot_score:.1f}"
        return ""

    def sort_value(self, obj: Issue, column: int) -> Any:
        if column == self.COL_ITEMS:
            return obj.item_count
        if column == self.COL_TREND:
            return sum(self._trends.get(obj.id, [])[-6:])
        if column == self.COL_NEGATIVE:
            return obj.negative_share
        if column == self.COL_SCORE:
            # The hot ranking: pinned on top, muted at the bottom, then the score.
            return (obj.pinned, obj.pinned or not obj.muted, obj.hot_score, obj.label.casefold())
        return obj.label.casefold()

    def tooltip(self, obj: Issue, column: int) -> str | None:
        if column == self.COL_LABEL:
            keyphrases = ", ".join(obj.keyphrases)
            return f"{obj.label}\n{keyphrases}" if keyphrases else obj.label
        if column == self.COL_SCORE:
            return obj.hot_reason or None
        if column == self.COL_TREND:
            counts = self._trends.get(obj.id, [])
            return f"{int(sum(counts)):,} items in the last 48 hours" if counts else None
        return None

    def search_text(self, obj: Issue) -> str:
        return " ".join([obj.label, *obj.keyphrases]).casefold()

    def select_rows(self, rows: list[Any]) -> list[Any]:
        return [issue for issue in rows if is_live(issue)]

    def upsert(self, objs: Iterable[Any]) -> None:
        """Apply changed issues; one merged away or emptied leaves the list."""
        objs = list(objs)
        self.remove_ids([issue.id for issue in objs if not is_live(issue)])
        super().upsert(issue for issue in objs if is_live(issue))

    def resort(self) -> None:
        """Rank the rows again (after an analysis or a pin); keeps the selection."""
        self.sort(self.sort_column, self.sort_order)

    def set_trends(self, trends: Mapping[str, Sequence[float]]) -> None:
        """Hand in the hourly counts per issue id (computed in a worker)."""
        self._trends = {issue_id: list(counts) for issue_id, counts in trends.items()}
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.COL_TREND),
                self.index(len(self._rows) - 1, self.COL_TREND),
                [TrendRole, Qt.ItemDataRole.ToolTipRole],
            )

    def trend_of(self, issue_id: str) -> list[float]:
        """The hourly counts of one issue (empty until computed)."""
        return list(self._trends.get(issue_id, []))


class IssueItemsModel(ListTableModel):
    """The items of one issue, newest first; masked text unless personal data is revealed."""

    COL_WHEN, COL_CHANNEL, COL_SENTIMENT, COL_TEXT = range(4)
    HEADERS = ("When", "Channel", "Tone", "Text")
    NUMERIC_COLUMNS = frozenset({COL_SENTIMENT})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reveal = False

    @property
    def reveal_personal_data(self) -> bool:
        """Whether the original text (with names, e-mails, phones) is shown."""
        return self._reveal

    def set_reveal_personal_data(self, reveal: bool) -> None:
        """Show the original text (True) or the masked text (False)."""
        if reveal == self._reveal:
            return
        self._reveal = reveal
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.COL_TEXT),
                self.index(len(self._rows) - 1, self.COL_TEXT),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    def text_of(self, item: Item) -> str:
        """The text a shared screen may show: masked unless revealed (masked when analysed)."""
        if self._reveal:
            return item.text
        if item.masked_text:
            return item.masked_text
        return "(not analysed yet: the text is hidden until personal data is masked)"

    def display(self, obj: Item, column: int) -> str:
        if column == self.COL_WHEN:
            return human_time(obj.when)
        if column == self.COL_CHANNEL:
            return channel_label(obj.channel)
        if column == self.COL_SENTIMENT:
            if obj.sentiment is None:
                return ""
            return "negative" if obj.sentiment < -0.05 else "positive" if obj.sentiment > 0.05 else "neutral"
        if column == self.COL_TEXT:
            return excerpt(one_line(self.text_of(obj)), 240)
        return ""

    def tooltip(self, obj: Item, column: int) -> str | None:
        if column == self.COL_TEXT:
            return self.text_of(obj)
        if column == self.COL_WHEN:
            return full_time(obj.when)
        return None

    def item_at(self, row: int) -> Item:
        """The item of ``row``."""
        item: Item = self._rows[row]
        return item


__all__ = ["DomainObjectRole", "IssueItemsModel", "IssueTableModel", "ShareRole", "TrendRole"]
