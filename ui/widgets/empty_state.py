"""What a view shows instead of a blank area: what belongs here and what to do next.

An empty table tells a newcomer nothing; an empty state names what the
view will hold and the next step, and offers a button only when that step
exists in the app.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.assets import set_label_icon

ICON_SIZE = 56
TEXT_WIDTH = 480


class EmptyState(QWidget):
    """A centred icon, title, one or two sentences and an optional action button."""

    #: The action button was clicked.
    action_triggered = Signal()

    def __init__(
        self,
        icon_name: str,
        title: str,
        message: str,
        action_text: str | None = None,
        parent: QWidget | None = None,
        *,
        detail: str = "",
    ) -> None:
        """Build the state.

        Args:
            icon_name: an icon from ``resources/icons``.
            title: a short headline ("No hot issues yet").
            message: what the view will show and what to do now.
            action_text: label of a button that performs that next step;
                None for no button (never offer a button that does nothing).
            parent: Qt parent.
            detail: a fact on its own line under the message, such as a
                folder path (kept apart so it is not broken mid-sentence).
        """
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label = QLabel()
        self.title_label.setObjectName("emptyStateTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.message_label = QLabel()
        self.message_label.setObjectName("emptyStateMessage")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setStyleSheet("color: palette(placeholder-text);")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("emptyStateDetail")
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.action_button.clicked.connect(self.action_triggered)

        column = QVBoxLayout()
        column.setSpacing(12)
        column.addStretch(3)
        column.addWidget(self.icon_label)
        column.addSpacing(4)
        column.addWidget(self.title_label)
        column.addWidget(self.message_label)
        column.addWidget(self.detail_label)
        column.addSpacing(8)
        column.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(4)
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(TEXT_WIDTH)
        holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 24, 24, 24)
        row.addStretch(1)
        row.addWidget(holder, 3)
        row.addStretch(1)
        self.set_content(icon_name, title, message, action_text, detail=detail)

    def set_content(
        self, icon_name: str, title: str, message: str, action_text: str | None = None, *, detail: str = ""
    ) -> None:
        """Change what the state says (e.g. from "Opening…" to an error)."""
        set_label_icon(self.icon_label, icon_name, ICON_SIZE)
        self.title_label.setText(title)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))
        self.detail_label.setText(detail)
        self.detail_label.setVisible(bool(detail))
        self.action_button.setText(action_text or "")
        self.action_button.setVisible(bool(action_text))

    @property
    def title(self) -> str:
        """The headline shown."""
        return self.title_label.text()

    @property
    def message(self) -> str:
        """The sentences shown under the headline."""
        return self.message_label.text()

    @property
    def detail(self) -> str:
        """The fact shown under the message (a path), or an empty string."""
        return self.detail_label.text()
