"""The first-run welcome: what Curator does in three steps, and where to start.

Shown over the demo workspace the first start creates (so a newcomer who
just presses Enter is already somewhere useful), and again from
Help → Welcome. Its three choices are the demo, a new empty workspace, or a
workspace a colleague shares (a folder on a shared drive).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.assets import pixmap

STEPS: tuple[tuple[str, str, str], ...] = (
    (
        "sources",
        "1. Add sources",
        "Feeds, review sites, forums and mention exports under Sources (Ctrl+N there). "
        "Curator fetches them politely while it runs.",
    ),
    (
        "hot-issues",
        "2. Watch hot issues",
        "Curator groups what customers say into issues and ranks what is rising. Answer customers "
        "from the Inbox, in the channel they chose.",
    ),
    (
        "calendar",
        "3. Draft and schedule",
        "Turn an issue into a draft (Ctrl+D), get it approved, then put it on the calendar for "
        "each touch point.",
    ),
)


class WelcomeDialog(QDialog):
    """Three steps and three ways to start."""

    #: Keep the demo workspace that is open.
    demo_chosen = Signal()
    #: Create a new empty workspace (the window asks where).
    new_chosen = Signal()
    #: Open a workspace a colleague shares (the window asks which folder).
    open_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle("Welcome to Curator")
        self.setMinimumWidth(640)
        title = QLabel("Welcome to Curator")
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Listen to your customers, find the hot issues, answer promptly and publish on-brand "
            "content, from one workspace your team shares."
        )
        intro.setWordWrap(True)
        steps = QGridLayout()
        steps.setHorizontalSpacing(14)
        steps.setVerticalSpacing(12)
        for row, (icon_name, heading, text) in enumerate(STEPS):
            picture = QLabel()
            picture.setPixmap(pixmap(icon_name, 32))
            picture.setAlignment(Qt.AlignmentFlag.AlignTop)
            label = QLabel(f"<b>{heading}</b><br>{text}")
            label.setWordWrap(True)
            label.setObjectName(f"welcomeStep{row + 1}")
            steps.addWidget(picture, row, 0)
            steps.addWidget(label, row, 1)
        steps.setColumnStretch(1, 1)

        self.demo_button = QPushButton("Explore the demo workspace")
        self.demo_button.setObjectName("welcomeDemo")
        self.demo_button.setDefault(True)
        self.demo_button.setToolTip("Sample sources, issues, conversations and drafts to try everything")
        self.new_button = QPushButton("Create an empty workspace…")
        self.new_button.setObjectName("welcomeNew")
        self.new_button.setToolTip("Start from scratch in a folder you choose")
        self.open_button = QPushButton("Open a shared workspace…")
        self.open_button.setObjectName("welcomeOpen")
        self.open_button.setToolTip("A workspace folder your team keeps on a shared drive")
        self.demo_button.clicked.connect(lambda: self._choose(self.demo_chosen))
        self.new_button.clicked.connect(lambda: self._choose(self.new_chosen))
        self.open_button.clicked.connect(lambda: self._choose(self.open_chosen))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(steps)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _choose(self, signal: SignalInstance) -> None:
        self.accept()
        signal.emit()
