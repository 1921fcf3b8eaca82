"""Building blocks of the Settings page: a section's frame, help and error texts, an optional number.

Colours come from the palette and the theme's tones (:func:`ui.theme.set_tone`),
so the page reads the same in light and dark themes and follows a theme
switch without being rebuilt.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.theme import set_tone

NOTICE_STYLE = (
    "QLabel#settingsNotice { background: palette(alternate-base); border: 1px solid palette(mid);"
    " border-radius: 6px; padding: 8px 10px; }"
)

#: MessageLabel kinds -> the theme's tone (ui.theme.set_tone) that colours them.
_TONES = {"error": "error", "ok": "success", "info": "", "": ""}


class HelpLabel(QLabel):
    """A setting's description: muted, wrapped, plain text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        set_tone(self, "muted")
        self.setVisible(bool(text))


class MessageLabel(QLabel):
    """A sentence under a field or a section: red for a problem, green for a saved change.

    Hidden while empty, so fields without a problem take no room. The colour
    comes from the theme's style sheet (a tone), so it follows a theme switch.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._kind = ""
        self.hide()

    @property
    def kind(self) -> str:
        """``error``, ``ok``, ``info`` or ``""`` (empty)."""
        return self._kind

    def show_error(self, text: str) -> None:
        """Show ``text`` as a problem (hidden when empty)."""
        self._set(text, "error" if text else "")

    def show_ok(self, text: str) -> None:
        """Show ``text`` as a success."""
        self._set(text, "ok" if text else "")

    def show_info(self, text: str) -> None:
        """Show ``text`` in the normal colour."""
        self._set(text, "info" if text else "")

    def clear_message(self) -> None:
        """Hide the sentence."""
        self._set("", "")

    def _set(self, text: str, kind: str) -> None:
        self._kind = kind
        self.setText(text)
        set_tone(self, _TONES[kind])
        self.setVisible(bool(text))


class BusyLine(QWidget):
    """A small busy bar with what is being saved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(80)
        self.bar.setMaximumHeight(12)
        self.label = HelpLabel()
        self.label.setWordWrap(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar)
        row.addWidget(self.label, 1)
        self.hide()

    def start(self, text: str) -> None:
        """Show the bar with ``text``."""
        self.label.setText(text + "…")
        self.label.show()
        self.show()

    def stop(self) -> None:
        """Hide the bar."""
        self.hide()


class SectionPage(QWidget):
    """The frame of one section: title, introduction, a why-read-only notice, content, footer.

    Subclasses add their fields to :attr:`body` and their buttons to
    :attr:`buttons`; :meth:`set_editable` greys everything a member may not
    change and says why in the notice.
    """

    #: The section gained or lost changes not saved yet: (modified).
    modified_changed = Signal(bool)

    def __init__(self, key: str, title: str, intro: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"section_{key}")
        self.title_label = QLabel(title)
        self.title_label.setObjectName("sectionTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.intro_label = HelpLabel(intro)
        self.intro_label.setObjectName("sectionIntro")
        self.notice = QLabel()
        self.notice.setObjectName("settingsNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()
        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        self.message = MessageLabel()
        self.message.setObjectName("sectionMessage")
        self.busy = BusyLine()
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(8)
        self.buttons.addWidget(self.busy)
        self.buttons.addStretch(1)
        self._modified = False
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 12, 4)
        column.setSpacing(8)
        column.addWidget(self.title_label)
        column.addWidget(self.intro_label)
        column.addWidget(self.notice)
        column.addLayout(self.body)
        column.addWidget(self.message)
        column.addLayout(self.buttons)
        column.addStretch(1)

    @property
    def modified(self) -> bool:
        """Whether the section holds changes not saved yet."""
        return self._modified

    def set_modified(self, modified: bool) -> None:
        """Record whether there are unsaved changes (the section list marks them)."""
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def set_notice(self, text: str) -> None:
        """Say why the section is read-only (hidden when empty)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def add_button(self, text: str, name: str, *, default: bool = False) -> QPushButton:
        """A button at the bottom right of the section."""
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(default)
        self.buttons.addWidget(button)
        return button

    def start_busy(self, text: str) -> None:
        """Show that a save runs (the message of the last one goes)."""
        self.message.clear_message()
        self.busy.start(text)

    def stop_busy(self) -> None:
        """Hide the busy line."""
        self.busy.stop()


class OptionalNumber(QWidget):
    """A limit that may be off: a check box that turns it on and the number itself."""

    #: The value or its on/off state changed.
    changed = Signal()

    def __init__(
        self,
        text: str,
        minimum: float,
        maximum: float,
        *,
        decimals: int = 1,
        step: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.check = QCheckBox(text)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(minimum, maximum)
        self.spin.setDecimals(decimals)
        self.spin.setSingleStep(step)
        self.spin.setMinimumWidth(90)
        self.check.toggled.connect(self._on_check_toggled)
        self.check.toggled.connect(self.changed)
        self.spin.valueChanged.connect(self.changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.spin)
        row.addStretch(1)
        self.spin.setEnabled(False)

    def _on_check_toggled(self, on: bool) -> None:
        self.spin.setEnabled(on and self.isEnabled())

    def value(self) -> float | None:
        """The limit, or None when it is off."""
        return round(self.spin.value(), self.spin.decimals()) if self.check.isChecked() else None

    def set_value(self, value: float | None) -> None:
        """Show ``value`` (None: off)."""
        self.check.setChecked(value is not None)
        if value is not None:
            self.spin.setValue(value)
        self.spin.setEnabled(value is not None)


def separator() -> QFrame:
    """A thin line between groups of fields."""
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
