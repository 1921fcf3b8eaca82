"""A strip inside a page that shows a running job, then the sentence it ended with.

A fetch of a hundred feeds takes a while and ends with a summary the user
wants to read ("Fetched 100 sources: 42 new items, 2 with errors."). A modal
box would interrupt and the status bar is shared by every page; this strip
sits where the work was asked for, offers Cancel while it runs, and keeps
the result until dismissed or replaced.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from curator.progress import ProgressState
from ui.theme import set_property


class ActivityBar(QFrame):
    """Progress with Cancel while a job runs; its result sentence afterwards; hidden when idle."""

    #: The user asked to stop the running job.
    cancel_requested = Signal()
    #: The user closed the result message.
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activityBar")
        self.kind = ""
        self.label = QLabel()
        self.label.setObjectName("activityText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setObjectName("activityProgress")
        self.progress.setFixedWidth(220)
        self.progress.setMaximumHeight(16)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("activityCancel")
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setObjectName("activityDismiss")
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip("Dismiss this message")
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 6, 6)
        row.setSpacing(10)
        row.addWidget(self.label, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addWidget(self.dismiss_button)
        self.hide()

    @property
    def text(self) -> str:
        """The sentence shown."""
        return self.label.text()

    def show_busy(self, text: str, *, cancellable: bool = False) -> None:
        """Show a job starting: its name, a busy bar and, if it can stop early, Cancel."""
        self.kind = "busy"
        set_property(self, "banner", self.kind)  # coloured by the theme's style sheet
        self.label.setText(text + "…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.dismiss_button.hide()
        self.show()

    def show_progress(self, state: ProgressState) -> None:
        """Follow the running job: its current step and how far it got."""
        if self.kind != "busy":
            return
        if state.message:
            counted = f" ({state.done:,} of {state.total:,})" if state.total else ""
            self.label.setText(f"{state.message}{counted}…")
        fraction = state.fraction
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(fraction * 1000))

    def show_message(self, text: str, *, error: bool = False, warning: bool = False) -> None:
        """Replace the progress with the job's result (kept until dismissed or replaced).

        Args:
            text: the sentence.
            error: the job failed.
            warning: the job did its work but part of it failed (one feed of many).
        """
        self.kind = "error" if error else "warning" if warning else "info"
        set_property(self, "banner", self.kind)
        self.label.setText(text)
        self.progress.hide()
        self.cancel_button.hide()
        self.dismiss_button.show()
        self.show()

    def clear(self) -> None:
        """Hide the strip (nothing running, nothing to say)."""
        self.kind = ""
        self.label.clear()
        self.hide()

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancel_requested.emit()

    def _on_dismiss_button_clicked(self) -> None:
        self.clear()
        self.dismissed.emit()
