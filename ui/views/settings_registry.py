"""Forms generated from the settings registry: one editor per declared setting.

Nothing here knows a setting by name. Each :class:`~curator.settings.Setting`
becomes a check box (``bool``), a drop-down (choices), a spin box (``int``,
with its bounds and unit) or a line (``str``), with its description under
it and, while the value cannot be used, the registry's sentence in red. A
new setting in the registry appears on the page without a change here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from curator.settings import REGISTRY, Setting, validate
from ui.views.settings_widgets import HelpLabel, MessageLabel

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def visible_settings(section: str) -> list[Setting]:
    """The settings of ``section`` the page offers, in registry order."""
    return [s for s in REGISTRY.values() if s.section == section and not s.hidden]


class SettingField(QWidget):
    """One setting: its label, its editor, its description and its problem (if any)."""

    #: The value was changed by the user.
    edited = Signal()

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = setting
        self.setObjectName(f"field:{setting.key}")
        self.editor: QWidget = self._make_editor(setting)
        self.editor.setObjectName(f"setting:{setting.key}")
        self.editor.setToolTip(setting.description)
        self.help = HelpLabel(setting.description)
        self.message = MessageLabel()
        self.message.setObjectName(f"problem:{setting.key}")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        if not isinstance(self.editor, QCheckBox):
            self.label = QLabel(setting.title)
            self.label.setObjectName("settingLabel")
            self.label.setBuddy(self.editor)
            font = self.label.font()
            font.setBold(True)
            self.label.setFont(font)
            column.addWidget(self.label)
        # Editors keep their natural width: a spin box across the whole page reads badly.
        column.addWidget(self.editor, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.help)
        column.addWidget(self.message)

    def _make_editor(self, setting: Setting) -> QWidget:
        if setting.type is bool:
            box = QCheckBox(setting.title)
            font = box.font()
            font.setBold(True)
            box.setFont(font)
            box.toggled.connect(self._on_editor_changed)
            return box
        if setting.choices:
            combo = QComboBox()
            for value, label in setting.choices:
                combo.addItem(label, value)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._on_editor_changed)
            return combo
        if setting.type is int:
            spin = QSpinBox()
            spin.setRange(
                setting.minimum if setting.minimum is not None else _INT_MIN,
                setting.maximum if setting.maximum is not None else _INT_MAX,
            )
            if setting.unit:
                spin.setSuffix(f" {setting.unit}")
            spin.setMinimumWidth(140)
            spin.setAccelerated(True)
            spin.valueChanged.connect(self._on_editor_changed)
            return spin
        line = QLineEdit()
        line.setPlaceholderText(setting.placeholder)
        line.setClearButtonEnabled(True)
        line.setMinimumWidth(420)
        line.textChanged.connect(self._on_editor_changed)
        return line

    def value(self) -> Any:
        """The value the editor holds now."""
        editor = self.editor
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def set_value(self, value: Any) -> None:
        """Show ``value`` without counting it as the user's edit."""
        editor = self.editor
        editor.blockSignals(True)
        try:
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(str(value))
        finally:
            editor.blockSignals(False)
        self.check()

    def problem(self) -> str | None:
        """Why the value cannot be saved (the registry's sentence), or None."""
        return validate(self.setting.key, self.value())

    def check(self) -> str | None:
        """Show the problem under the field, or hide it; returns it."""
        problem = self.problem()
        self.message.show_error(problem or "")
        return problem

    @Slot()
    def _on_editor_changed(self) -> None:
        self.check()
        self.edited.emit()


class RegistryForm(QWidget):
    """The fields of a list of settings, one under the other."""

    #: A field was changed by the user.
    edited = Signal()

    def __init__(self, settings: list[Setting], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, SettingField] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(14)
        for setting in settings:
            field = SettingField(setting)
            field.edited.connect(self.edited)
            self.fields[setting.key] = field
            column.addWidget(field)

    def values(self) -> dict[str, Any]:
        """Key -> the value each field holds now."""
        return {key: field.value() for key, field in self.fields.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        """Show these values (keys of other forms are ignored)."""
        for key, field in self.fields.items():
            if key in values:
                field.set_value(values[key])

    def restore_defaults(self) -> None:
        """Put every field back to its registry default (saved only on Apply)."""
        for key, field in self.fields.items():
            field.set_value(REGISTRY[key].default)
        self.edited.emit()

    def problems(self) -> dict[str, str]:
        """Key -> sentence, for the fields whose value cannot be saved."""
        found = {}
        for key, field in self.fields.items():
            problem = field.problem()
            if problem:
                found[key] = problem
        return found


__all__ = ["RegistryForm", "SettingField", "visible_settings"]
