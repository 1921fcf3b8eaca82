"""Settings › Touch points: where the brand publishes, when, and how posts leave the workstation.

The table lists the workspace's touch points; Add and Edit open a form with
the name, kind, IANA time zone, posting slots (written as people say them,
``mon-fri 09:00,17:30; sat 10:00``), the minimum gap between posts, the
allowed hours and the connector with its options. Each field is checked as
it is typed with the core's own rules (:func:`~curator.touchpoint_admin.parse_slots`,
``zoneinfo``, :func:`~curator.publish.connectors.connector_for`), and the
save goes through :class:`~curator.touchpoint_admin.TouchPointAdmin`, which
checks the role, validates again and writes the audit log.

Secrets (a webhook's signing secret, an SMTP password) never go into the
workspace: "Set Secret…" stores them in the system keyring.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Connector, ConnectorKind, TouchPoint, TouchPointKind
from curator.errors import CuratorError
from curator.publish.secrets import SecretStore, secret_label, secrets_needed
from curator.touchpoint_admin import describe_slots, parse_slots
from ui.models import DomainObjectRole
from ui.views import settings_tasks
from ui.views.settings_models import CONNECTOR_LABELS, TouchPointTableModel, touchpoint_kind_label
from ui.views.settings_sections import Host
from ui.views.settings_tasks import WorkspaceSnapshot
from ui.views.settings_widgets import HelpLabel, MessageLabel, SectionPage
from ui.views.sources import make_table

_HHMM = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")
_WHERE = re.compile(r": (?:fix|set) (?:it|them) in Settings › Touch points\.$")


@dataclass(frozen=True)
class OptionSpec:
    """One connector option: its key in ``connector.options``, its label and an example."""

    key: str
    label: str
    example: str = ""


#: The options each connector reads (see :mod:`curator.publish.connectors`).
CONNECTOR_OPTIONS: dict[ConnectorKind, tuple[OptionSpec, ...]] = {
    ConnectorKind.NONE: (),
    ConnectorKind.OUTBOX: (OptionSpec("folder", "Folder", "/srv/outbox (or a folder inside the workspace)"),),
    ConnectorKind.WEBHOOK: (
        OptionSpec("url", "Address", "https://example.com/hooks/curator"),
        OptionSpec("timeout", "Timeout (seconds)", "10"),
        OptionSpec("attempts", "Attempts", "4"),
    ),
    ConnectorKind.EMAIL: (
        OptionSpec("host", "Mail server", "smtp.example.com"),
        OptionSpec("port", "Port", "587"),
        OptionSpec("username", "User name", "empty: the server needs no login"),
        OptionSpec("from", "From", "news@example.com"),
        OptionSpec("to", "To", "list@example.com, editor@example.com"),
        OptionSpec("starttls", "STARTTLS", "yes"),
        OptionSpec("cafile", "CA bundle", "empty: the system's certificates"),
        OptionSpec("timeout", "Timeout (seconds)", "30"),
    ),
    ConnectorKind.STATIC_FEED: (
        OptionSpec("folder", "Folder", "/var/www/feed"),
        OptionSpec("site_url", "Site address", "https://example.com"),
        OptionSpec("title", "Feed title", "empty: the touch point's name"),
    ),
}


@functools.cache
def time_zone_names() -> list[str]:
    """Every IANA zone this machine knows, sorted, for the completer (read once)."""
    return sorted(zoneinfo.available_timezones())


def zone_problem(text: str) -> str | None:
    """Why ``text`` is not a usable IANA time zone, or None."""
    name = text.strip()
    if not name:
        return "A touch point needs a time zone, such as Europe/Berlin or America/New_York."
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"“{name}” is not a time zone: use an IANA name such as Europe/Berlin (type to see the list)."
    return None


def hours_problem(start: str, end: str) -> str | None:
    """Why the allowed posting hours cannot be used, or None (both empty: any time)."""
    for label, value in (("from", start), ("until", end)):
        if value and not _HHMM.fullmatch(value):
            return f"Allowed hours are written HH:MM in 24 hours, such as 08:00; “{value}” ({label}) is not."
    return None


def slots_problem(text: str) -> str | None:
    """The core's sentence for slots it cannot read, or None."""
    try:
        parse_slots(text)
    except CuratorError as exc:
        return str(exc)
    return None


def connector_problem(tp: TouchPoint, base: Any) -> str | None:
    """What the publishing connector would refuse about these options, or None."""
    from curator.publish.connectors import ConnectorConfigError, connector_for

    try:
        connector_for(tp, SecretStore(), base=base)
    except ConnectorConfigError as exc:
        return _WHERE.sub(".", str(exc))
    return None


@dataclass
class TouchPointChange:
    """What the form asks for: a new touch point, or the fields of one to change."""

    name: str
    kind: TouchPointKind
    timezone: str
    fields: dict[str, Any] = field(default_factory=dict)
    tp_id: str | None = None


class TouchPointForm(QDialog):
    """Add or edit one touch point; stays open, with what was typed, until the save succeeds."""

    #: Save this: (TouchPointChange).
    submitted = Signal(object)

    def __init__(self, tp: TouchPoint | None, base: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("touchPointForm")
        self.setWindowTitle("Add Touch Point" if tp is None else f"Edit “{tp.name}”")
        self.setMinimumWidth(560)
        self._tp = tp
        self._base = base
        self.name = QLineEdit(tp.name if tp else "")
        self.name.setObjectName("tpName")
        self.name.setPlaceholderText("Blog (DE), Newsletter, Store screens…")
        self.kind = QComboBox()
        self.kind.setObjectName("tpKind")
        for kind in TouchPointKind:
            self.kind.addItem(touchpoint_kind_label(kind), kind.value)
        self.kind.setCurrentIndex(max(0, self.kind.findData((tp.kind if tp else TouchPointKind.BLOG).value)))
        self.zone = QLineEdit(tp.timezone if tp else "UTC")
        self.zone.setObjectName("tpZone")
        self.zone.setPlaceholderText("Europe/Berlin")
        completer = QCompleter(QStringListModel(time_zone_names(), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(completer)
        self.slots = QLineEdit(describe_slots(tp.slots) if tp else "")
        self.slots.setObjectName("tpSlots")
        self.slots.setPlaceholderText("mon-fri 09:00,17:30; sat 10:00")
        self.gap = QSpinBox()
        self.gap.setObjectName("tpGap")
        self.gap.setRange(0, 7 * 24 * 60)
        self.gap.setSuffix(" min")
        self.gap.setValue(tp.min_gap_minutes if tp else 0)
        self.allowed_from = QLineEdit(tp.allowed_from if tp else "")
        self.allowed_from.setObjectName("tpFrom")
        self.allowed_from.setPlaceholderText("08:00")
        self.allowed_until = QLineEdit(tp.allowed_until if tp else "")
        self.allowed_until.setObjectName("tpUntil")
        self.allowed_until.setPlaceholderText("20:00")
        hours = QHBoxLayout()
        hours.addWidget(self.allowed_from)
        hours.addWidget(HelpLabel("to"))
        hours.addWidget(self.allowed_until)
        hours.addStretch(1)
        self.connector = QComboBox()
        self.connector.setObjectName("tpConnector")
        for connector_kind, connector_label in CONNECTOR_LABELS.items():
            self.connector.addItem(connector_label, connector_kind.value)
        current = tp.connector.kind if tp else ConnectorKind.NONE
        self.connector.setCurrentIndex(max(0, self.connector.findData(current.value)))
        self._options: dict[ConnectorKind, dict[str, str]] = {}
        if tp is not None:
            self._options[tp.connector.kind] = dict(tp.connector.options)
        self.option_edits: dict[str, QLineEdit] = {}
        self.options_box = QGroupBox("Connector options")
        self.options_form = QFormLayout(self.options_box)

        self.messages = {
            name: MessageLabel() for name in ("name", "zone", "slots", "hours", "connector", "save")
        }
        for field_name, message in self.messages.items():
            message.setObjectName(f"tpProblem_{field_name}")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_row(form, "&Name:", self.name, self.messages["name"])
        self._add_row(form, "&Kind:", self.kind)
        self._add_row(form, "&Time zone:", self.zone, self.messages["zone"])
        slots_help = HelpLabel(
            "Days and local times, such as mon-fri 09:00,17:30; sat 10:00. Empty: no slots."
        )
        self._add_row(form, "Posting &slots:", self.slots, slots_help, self.messages["slots"])
        self._add_row(form, "Minimum &gap:", self.gap)
        hours_help = HelpLabel("Local time; leave both empty to allow any time.")
        self._add_row(form, "Allowed hours:", hours, hours_help, self.messages["hours"])
        self._add_row(form, "&Connector:", self.connector)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("tpSave")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.busy = HelpLabel()
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.options_box)
        column.addWidget(self.messages["connector"])
        column.addWidget(self.messages["save"])
        column.addWidget(self.busy)
        column.addWidget(self.buttons)

        for line in (self.name, self.zone, self.slots, self.allowed_from, self.allowed_until):
            line.textChanged.connect(self._on_field_changed)
        self.kind.currentIndexChanged.connect(self._on_field_changed)
        self.gap.valueChanged.connect(self._on_field_changed)
        self.connector.currentIndexChanged.connect(self._on_connector_changed)
        self._build_options()
        self._on_field_changed()

    @staticmethod
    def _add_row(form: QFormLayout, label: str, field: QWidget | QHBoxLayout, *notes: QLabel) -> None:
        """A form row whose help and problem sentences sit right under the field they are about."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        if isinstance(field, QHBoxLayout):
            column.addLayout(field)
        else:
            column.addWidget(field)
        for note in notes:
            column.addWidget(note)
        form.addRow(label, holder)
        if isinstance(field, QWidget):
            buddy = form.labelForField(holder)
            if isinstance(buddy, QLabel):
                buddy.setBuddy(field)

    # ------------------------------------------------------------------ connector options
    def connector_kind(self) -> ConnectorKind:
        """The connector chosen."""
        return ConnectorKind(self.connector.currentData())

    def _build_options(self) -> None:
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_edits = {}
        kind = self.connector_kind()
        values = self._options.get(kind, {})
        for spec in CONNECTOR_OPTIONS.get(kind, ()):
            edit = QLineEdit(values.get(spec.key, ""))
            edit.setObjectName(f"tpOption_{spec.key}")
            edit.setPlaceholderText(spec.example)
            edit.textChanged.connect(self._on_field_changed)
            self.option_edits[spec.key] = edit
            self.options_form.addRow(f"{spec.label}:", edit)
        needs = {
            ConnectorKind.WEBHOOK: "The signing secret is kept in the system keyring: "
            "use Set Secret… after saving.",
            ConnectorKind.EMAIL: "With a user name, the password is kept in the system keyring: "
            "use Set Secret… after saving.",
            ConnectorKind.NONE: "Posts on this touch point are published by hand; the calendar reminds you.",
        }.get(kind)
        if needs:
            self.options_form.addRow(HelpLabel(needs))

    def connector_options(self) -> dict[str, str]:
        """The options typed for the chosen connector (blank ones left out)."""
        kind = self.connector_kind()
        known = {spec.key for spec in CONNECTOR_OPTIONS.get(kind, ())}
        kept = {k: v for k, v in self._options.get(kind, {}).items() if k not in known}
        typed = {key: edit.text().strip() for key, edit in self.option_edits.items() if edit.text().strip()}
        return {**kept, **typed}

    @Slot()
    def _on_connector_changed(self) -> None:
        previous = {key: edit.text() for key, edit in self.option_edits.items()}
        # Keep what was typed for the old connector, in case the user switches back.
        for kind, specs in CONNECTOR_OPTIONS.items():
            if {s.key for s in specs} == set(previous) and previous:
                self._options[kind] = {**self._options.get(kind, {}), **previous}
                break
        self._build_options()
        self._on_field_changed()

    # ------------------------------------------------------------------ checking
    def change(self) -> TouchPointChange:
        """What the form holds, as the service takes it."""
        fields: dict[str, Any] = {
            "slots": self.slots.text().strip(),
            "min_gap_minutes": self.gap.value(),
            "allowed_from": self.allowed_from.text().strip(),
            "allowed_until": self.allowed_until.text().strip(),
            "connector": {"kind": self.connector_kind().value, "options": self.connector_options()},
        }
        return TouchPointChange(
            name=" ".join(self.name.text().split()),
            kind=TouchPointKind(self.kind.currentData()),
            timezone=self.zone.text().strip(),
            fields=fields,
            tp_id=self._tp.id if self._tp is not None else None,
        )

    def changed_fields(self) -> dict[str, Any]:
        """For an edit, only the fields that differ from the stored touch point (what the audit names)."""
        change = self.change()
        wanted: dict[str, Any] = {
            "name": change.name,
            "kind": change.kind,
            "timezone": change.timezone,
            **change.fields,
        }
        tp = self._tp
        if tp is None:
            return wanted
        stored: dict[str, Any] = {
            "name": tp.name,
            "kind": tp.kind,
            "timezone": tp.timezone,
            "slots": describe_slots(tp.slots),
            "min_gap_minutes": tp.min_gap_minutes,
            "allowed_from": tp.allowed_from,
            "allowed_until": tp.allowed_until,
            "connector": {"kind": tp.connector.kind.value, "options": dict(tp.connector.options)},
        }
        if wanted["slots"] and not slots_problem(wanted["slots"]):
            wanted["slots"] = describe_slots(parse_slots(wanted["slots"]))
        return {key: value for key, value in wanted.items() if stored.get(key) != value}

    def set_read_only(self, why: str) -> None:
        """Show the touch point without the means to change it, and say why."""
        for widget in (
            self.name,
            self.kind,
            self.zone,
            self.slots,
            self.gap,
            self.allowed_from,
            self.allowed_until,
            self.connector,
            self.options_box,
        ):
            widget.setEnabled(False)
        self.save_button.hide()
        self.show_error(why)

    def problems(self) -> dict[str, str]:
        """Field -> the sentence saying what to fix; empty when the form can be saved."""
        change = self.change()
        found: dict[str, str] = {}
        if not change.name:
            found["name"] = "Name the touch point, so the calendar and drafts can show it."
        zone = zone_problem(change.timezone)
        if zone:
            found["zone"] = zone
        slots = slots_problem(change.fields["slots"])
        if slots:
            found["slots"] = slots
        hours = hours_problem(change.fields["allowed_from"], change.fields["allowed_until"])
        if hours:
            found["hours"] = hours
        if not zone and change.name:
            probe = TouchPoint(
                change.name,
                change.kind,
                change.timezone,
                connector=Connector(self.connector_kind(), self.connector_options()),
            )
            problem = connector_problem(probe, self._base)
            if problem:
                found["connector"] = problem
        return found

    def check(self) -> dict[str, str]:
        """Show each field's problem under it; returns them."""
        problems = self.problems()
        for name, label in self.messages.items():
            if name != "save":
                label.show_error(problems.get(name, ""))
        self.save_button.setEnabled(not problems and not self.busy.isVisible())
        self._fit()
        return problems

    def _fit(self) -> None:
        """Grow to show every sentence in full (a dialog does not grow for wrapped text by itself)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = self.width()
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(width, needed)

    @Slot()
    def _on_field_changed(self) -> None:
        self.messages["save"].clear_message()
        self.check()

    def submit(self) -> None:
        """Hand the change to the section when every field can be used."""
        if self.check():
            return
        self.submitted.emit(self.change())

    def set_busy(self, busy: bool) -> None:
        """Show that the save runs; the form cannot be sent twice."""
        self.busy.setText("Saving…" if busy else "")
        self.busy.setVisible(busy)
        self.save_button.setEnabled(not busy and not self.problems())

    def show_error(self, text: str) -> None:
        """Say why the core refused the change."""
        self.messages["save"].show_error(text)
        self._fit()


class TouchPointsSection(SectionPage):
    """The touch points table and what can be done with a touch point."""

    WHAT = "touch points and their connectors"

    #: A secret was saved or refused: (sentence, failed).
    secret_finished = Signal(str, bool)

    def __init__(self, host: Host, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(
            "touchpoints",
            "Touch points and connectors",
            "Where the brand publishes: each touch point has its own time zone, posting slots, "
            "limits and the connector that sends its posts.",
            parent,
        )
        self._host = host
        self._secrets = secrets
        self.model = TouchPointTableModel(self)
        m = TouchPointTableModel
        self.table: QTableView = make_table(
            self.model, {m.COL_NAME: 170, m.COL_KIND: 110, m.COL_ZONE: 140, m.COL_CONNECTOR: 150}, m.COL_SLOTS
        )
        self.table.setObjectName("touchPointsTable")
        self.table.setSortingEnabled(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(220)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.form: TouchPointForm | None = None
        self.secret_dialog: QInputDialog | None = None
        self.remove_box: QMessageBox | None = None
        self.add_tp = QPushButton("Add…")
        self.add_tp.setObjectName("addTouchPoint")
        self.edit_tp = QPushButton("Edit…")
        self.edit_tp.setObjectName("editTouchPoint")
        self.remove_tp = QPushButton("Remove…")
        self.remove_tp.setObjectName("removeTouchPoint")
        self.secret_tp = QPushButton("Set Secret…")
        self.secret_tp.setObjectName("setSecret")
        row = QHBoxLayout()
        for button in (self.add_tp, self.edit_tp, self.remove_tp, self.secret_tp):
            row.addWidget(button)
        row.addStretch(1)
        self.empty_hint = HelpLabel(
            "No touch points yet. Add one for each place you publish (a blog, a newsletter, a social "
            "account), so drafts can be scheduled there."
        )
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty_hint)
        self.body.addLayout(row)
        self.add_tp.clicked.connect(self.open_add_form)
        self.edit_tp.clicked.connect(self._on_edit_clicked)
        self.remove_tp.clicked.connect(self._on_remove_clicked)
        self.secret_tp.clicked.connect(self._on_secret_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ state
    def set_snapshot(self, snapshot: WorkspaceSnapshot) -> None:
        """Show the stored touch points, keeping the selection."""
        selected = self.selected()
        self.model.set_rows(snapshot.touchpoints)
        if selected is not None:
            row = self.model.row_of_id(selected.id)
            if row is not None:
                self.table.selectRow(row)
        self.empty_hint.setVisible(self.model.rowCount() == 0)

    def refresh(self) -> None:
        """Follow the acting member's right to change touch points."""
        self.set_notice(self._host.refusal(self.WHAT))
        self._update_buttons()

    def selected(self) -> TouchPoint | None:
        """The touch point selected in the table."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        tp = rows[0].data(DomainObjectRole)
        return tp if isinstance(tp, TouchPoint) else None

    @Slot()
    def _update_buttons(self) -> None:
        refusal = self._host.refusal(self.WHAT)
        tp = self.selected()
        self.add_tp.setEnabled(not refusal)
        self.edit_tp.setEnabled(tp is not None)
        self.edit_tp.setText("Edit…" if not refusal else "View…")
        self.remove_tp.setEnabled(not refusal and tp is not None)
        needed = secrets_needed(tp) if tp is not None else []
        self.secret_tp.setEnabled(not refusal and bool(needed))
        if tp is None:
            self.secret_tp.setToolTip("Select a touch point whose connector needs a secret.")
        elif needed:
            labels = " and ".join(secret_label(n) for n in needed)
            self.secret_tp.setToolTip(f"Store the {labels} of “{tp.name}” in the system keyring.")
        else:
            self.secret_tp.setToolTip(f"The connector of “{tp.name}” needs no secret.")

    # ------------------------------------------------------------------ add and edit
    def open_add_form(self) -> TouchPointForm:
        """Open the form for a new touch point."""
        return self._open_form(None)

    def open_edit_form(self, tp: TouchPoint) -> TouchPointForm:
        """Open the form on ``tp`` (read-only members see it without Save)."""
        return self._open_form(tp)

    def _open_form(self, tp: TouchPoint | None) -> TouchPointForm:
        if self.form is not None:
            self.form.close()
        workspace = self._host.workspace
        form = TouchPointForm(tp, workspace.path if workspace is not None else None, self)
        refusal = self._host.refusal(self.WHAT)
        if refusal:
            form.set_read_only(refusal)
        form.submitted.connect(lambda change: self.save_change(form, change))
        form.finished.connect(lambda _result: self._on_form_finished(form))
        self.form = form
        form.open()
        return form

    def _on_form_finished(self, form: TouchPointForm) -> None:
        if self.form is form:
            self.form = None
        form.deleteLater()

    @Slot()
    def _on_edit_clicked(self) -> None:
        tp = self.selected()
        if tp is not None:
            self.open_edit_form(tp)

    @Slot()
    def _on_table_double_clicked(self) -> None:
        self._on_edit_clicked()

    def save_change(self, form: TouchPointForm, change: TouchPointChange) -> None:
        """Add or update through the touch point admin (role checked, audited)."""
        user = self._host.user
        refusal = self._host.refusal(self.WHAT)
        if user is None or refusal:
            form.show_error(refusal or "Nobody acts in this workspace yet.")
            return
        form.set_busy(True)

        def done(tp: TouchPoint) -> str:
            form.set_busy(False)
            form.accept()
            return f"Added the touch point “{tp.name}”." if change.tp_id is None else f"Saved “{tp.name}”."

        def failed(text: str) -> None:
            form.set_busy(False)
            form.show_error(text)

        workspace = self._host.workspace
        if change.tp_id is None:
            fn: Callable[..., Any] = settings_tasks.add_touchpoint
            args: tuple[Any, ...] = (
                workspace,
                user,
                change.name,
                change.kind,
                change.timezone,
                change.fields,
            )
        else:
            fields = form.changed_fields()
            if not fields:
                form.set_busy(False)
                form.accept()
                self.message.show_info("Nothing changed.")
                return
            fn = settings_tasks.update_touchpoint
            args = (workspace, user, change.tp_id, fields)
        self._host.run_save(self, fn, *args, done=done, failed=failed, description="Saving the touch point")

    # ------------------------------------------------------------------ remove
    @Slot()
    def _on_remove_clicked(self) -> None:
        tp = self.selected()
        if tp is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove Touch Point",
            f"Remove “{tp.name}”? Drafts keep their text; published posts keep their history. "
            "A touch point with posts still to go out cannot be removed.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: self._on_remove_box_finished(box, box.clickedButton() is remove, tp))
        self.remove_box = box
        box.open()

    def _on_remove_box_finished(self, box: QMessageBox, accepted: bool, tp: TouchPoint) -> None:
        self.remove_box = None
        box.deleteLater()
        if accepted:
            self.remove(tp)

    def remove(self, tp: TouchPoint) -> None:
        """Remove ``tp`` (refused while posts wait to go out on it)."""
        user = self._host.user
        refusal = self._host.refusal(self.WHAT)
        if user is None or refusal:
            self.message.show_error(refusal or "Nobody acts in this workspace yet.")
            return
        self._host.run_save(
            self,
            settings_tasks.remove_touchpoint,
            self._host.workspace,
            user,
            tp.id,
            tp.name,
            done=lambda sentence: sentence,
            description="Removing a touch point",
        )

    # ------------------------------------------------------------------ secrets
    @Slot()
    def _on_secret_clicked(self) -> None:
        tp = self.selected()
        if tp is None:
            return
        needed = secrets_needed(tp)
        if needed:
            self.ask_secret(tp, needed[0])

    def ask_secret(self, tp: TouchPoint, name: str) -> QInputDialog:
        """Ask for one secret (hidden as it is typed), then store it."""
        dialog = QInputDialog(self)
        dialog.setObjectName("secretDialog")
        dialog.setWindowTitle("Set Secret")
        dialog.setLabelText(
            f"The {secret_label(name)} of “{tp.name}”.\n"
            "It is kept in the system keyring of this computer, never in the workspace."
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setOkButtonText("Save")

        def finished(result: int) -> None:
            self.secret_dialog = None
            value = dialog.textValue()
            dialog.deleteLater()
            if result and value:
                self.save_secret(tp, name, value)

        dialog.finished.connect(finished)
        self.secret_dialog = dialog
        dialog.open()
        return dialog

    def save_secret(self, tp: TouchPoint, name: str, value: str) -> None:
        """Store ``value`` as ``tp``'s secret ``name`` in the keyring (in the background)."""
        user = self._host.user
        refusal = self._host.refusal(self.WHAT)
        if user is None or refusal:
            self.message.show_error(refusal or "Nobody acts in this workspace yet.")
            return

        def done(sentence: str) -> str:
            self.secret_finished.emit(sentence, False)
            return sentence

        def failed(text: str) -> None:
            self.message.show_error(text)
            self.secret_finished.emit(text, True)

        self._host.run_save(
            self,
            settings_tasks.set_secret,
            self._secrets,
            user,
            tp,
            name,
            value,
            done=done,
            failed=failed,
            description="Saving a secret",
        )
