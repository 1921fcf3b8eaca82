"""The title line at the top of every page, so each view says where the user is."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


class PageHeader(QWidget):
    """A page title with a one-line summary under it (counts, scope)."""

    def __init__(self, title: str, summary: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("pageTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.summary_label = QLabel(summary)
        self.summary_label.setObjectName("pageSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setStyleSheet("color: palette(placeholder-text);")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title_label)
        text.addWidget(self.summary_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(20, 16, 20, 8)
        row.addLayout(text, 1)
        self.set_summary(summary)

    def set_summary(self, summary: str) -> None:
        """Replace the summary line (hidden when empty, so the title sits alone)."""
        self.summary_label.setText(summary)
        self.summary_label.setVisible(bool(summary))
