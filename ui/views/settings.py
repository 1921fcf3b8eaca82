"""The Settings page: your preferences on this computer, and what the workspace shares with its team.

A list of sections on the left, the chosen section on the right.

* Sections about you and this computer are generated from the settings
  registry (:data:`curator.settings.REGISTRY`): one editor per visible
  setting, its description as help, the registry's sentence in red while a
  value cannot be used, "Restore Defaults" per section and Apply/Revert for
  all of them. Apply writes the settings file in the background and emits
  :attr:`SettingsView.settings_changed` with the keys that changed (the
  window switches the theme on ``ui.theme``, the wall follows ``wall.*``).
* Workspace sections (the workspace, you, the team, response targets, the
  brand guide, approval steps, touch points and connectors) are shared with
  the team. Each change goes through the core service that checks the
  acting member's role and writes the audit log, in the TaskRunner; a
  member without the role, or a read-only workspace, sees the section
  greyed with a sentence saying why.

The page follows the workspace's store events: what another window or the
CLI changes appears here, except in a section holding unsaved edits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QListView,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Role, User
from curator.identity import is_guest
from curator.paths import config_dir
from curator.publish.secrets import SecretStore
from curator.settings import REGISTRY, SECTIONS, YOU, Settings
from ui.models import StoreEvent, StoreEventBridge
from ui.models_team import roles_label
from ui.tasks import CoalescedTask, TaskRunner
from ui.views import settings_tasks
from ui.views.settings_brand import BrandSection
from ui.views.settings_models import SectionEntry, SectionListModel
from ui.views.settings_registry import RegistryForm, SettingField, visible_settings
from ui.views.settings_sections import (
    ApprovalStepsSection,
    TargetsSection,
    TeamSection,
    WorkspaceSection,
    YouSection,
)
from ui.views.settings_tasks import WorkspaceSnapshot
from ui.views.settings_touchpoints import TouchPointsSection
from ui.views.settings_widgets import MessageLabel, SectionPage
from ui.views.team_dialog import describe
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page

#: Store tables whose changes the workspace sections show.
WATCHED_TABLES = frozenset({"config", "users", "touchpoints"})

#: What each per-user section is about, under its title.
SECTION_INTROS: dict[str, str] = {
    "Appearance": "How Curator looks on this computer.",
    "Fetching": "How this computer fetches the workspace's sources while Curator runs.",
    "Language analysis": (
        "How Curator reads texts to find hot issues, triage messages and mask personal data."
    ),
    "Wall": "The team-room screen, when this computer shows it.",
    "General": "Preferences for Curator on this computer.",
}

LIST_WIDTH = 210


def user_section_key(section: str) -> str:
    """The section list key of a per-user registry section."""
    return f"user:{section}"


class SettingsView(QWidget):
    """The Settings page (same interface as the other pages: attach, detach, set_user)."""

    #: Per-user settings were saved: (the keys whose value changed).
    settings_changed = Signal(list)
    #: "Open Another Workspace…" was clicked.
    open_workspace_requested = Signal()
    #: "Manage the Team…" was clicked; the window opens its team dialog.
    team_requested = Signal()
    #: A workspace change was saved: (the sentence shown).
    change_saved = Signal(str)
    #: A save failed: (the core's sentence).
    change_failed = Signal(str)
    #: The workspace sections were (re)read from the store.
    snapshot_loaded = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        *,
        secrets: SecretStore | None = None,
        settings_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._secrets = secrets if secrets is not None else SecretStore()
        self._path = settings_path or config_dir() / "settings.json"
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._user: User | None = None
        self._loader: CoalescedTask | None = None
        self._generation = 0
        self.snapshot: WorkspaceSnapshot | None = None
        self._saved: dict[str, Any] = {}

        self.header = PageHeader("Settings")
        self.section_model = SectionListModel(self)
        self.section_list = QListView()
        self.section_list.setObjectName("settingsSections")
        self.section_list.setModel(self.section_model)
        self.section_list.setFixedWidth(LIST_WIDTH)
        self.section_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.section_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.section_list.setSpacing(2)
        self.section_list.setFrameShape(QFrame.Shape.NoFrame)
        self.section_list.setStyleSheet(
            "QListView#settingsSections { background: transparent; }"
            "QListView#settingsSections::item { padding: 4px 6px; border-radius: 5px; }"
            "QListView#settingsSections::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("settingsStack")
        self.pages: dict[str, SectionPage] = {}
        self._scrolls: dict[str, QScrollArea] = {}
        self.user_forms: dict[str, RegistryForm] = {}
        self._build_sections()
        self._build_user_bar()

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.stack, 1)
        right_column.addWidget(self.user_bar)
        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(self.section_list)
        row.addWidget(right, 1)
        lay_out_page(self, self.header, content)

        self.section_list.selectionModel().selectionChanged.connect(self._on_section_list_selection_changed)
        self.load_user_settings()
        self._refresh_sections()
        self.show_section(self.section_keys()[0])

    # ------------------------------------------------------------------ building
    def _user_sections(self) -> list[str]:
        """Registry sections with something to show, other than You (a workspace page holds it)."""
        return [s for s in SECTIONS if s != YOU and visible_settings(s)]

    def _build_sections(self) -> None:
        entries: list[SectionEntry] = [SectionEntry("", "You and this computer", heading=True)]
        you_form = RegistryForm(visible_settings(YOU))
        you_form.setObjectName(f"form:{YOU}")
        you_form.edited.connect(self._on_form_edited)
        self.user_forms[YOU] = you_form
        self.you = YouSection(self, you_form)
        self._add_page(self.you)
        entries.append(SectionEntry("you", "You", tooltip="Who you act as, and your name"))
        for section in self._user_sections():
            page = SectionPage(user_section_key(section), section, SECTION_INTROS.get(section, ""))
            form = RegistryForm(visible_settings(section))
            form.setObjectName(f"form:{section}")
            form.edited.connect(self._on_form_edited)
            page.body.addWidget(form)
            self.user_forms[section] = form
            self._add_page(page)
            entries.append(SectionEntry(page.key, section))
        entries.append(SectionEntry("", "Shared in this workspace", heading=True))
        self.workspace_section = WorkspaceSection(self)
        self.workspace_section.open_requested.connect(self.open_workspace_requested)
        self.team_section = TeamSection(self)
        self.team_section.team_requested.connect(self.team_requested)
        self.targets_section = TargetsSection(self)
        self.brand_section = BrandSection(self)
        self.approvals_section = ApprovalStepsSection(self)
        self.touchpoints_section = TouchPointsSection(self, self._secrets)
        for page, title in (
            (self.workspace_section, "Workspace"),
            (self.team_section, "Team"),
            (self.targets_section, "Response targets"),
            (self.brand_section, "Brand guide"),
            (self.approvals_section, "Approval steps"),
            (self.touchpoints_section, "Touch points"),
        ):
            self._add_page(page)
            entries.append(SectionEntry(page.key, title))
        self.section_model.set_rows(entries)

    def _add_page(self, page: SectionPage) -> None:
        scroll = QScrollArea()
        scroll.setObjectName(f"scroll_{page.key}")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.stack.addWidget(scroll)
        self.pages[page.key] = page
        self._scrolls[page.key] = scroll
        page.modified_changed.connect(lambda modified, key=page.key: self._on_page_modified(key, modified))

    def _build_user_bar(self) -> None:
        self.user_bar = QWidget()
        self.user_bar.setObjectName("userSettingsBar")
        self.defaults_button = QPushButton("Restore Defaults")
        self.defaults_button.setObjectName("restoreDefaults")
        self.defaults_button.setToolTip("Put this section's fields back to their defaults (saved on Apply)")
        self.user_message = MessageLabel()
        self.user_message.setObjectName("userSettingsMessage")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("revertSettings")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("applySettings")
        self.apply_button.setDefault(True)
        row = QHBoxLayout(self.user_bar)
        row.setContentsMargins(4, 8, 12, 0)
        row.addWidget(self.defaults_button)
        row.addWidget(self.user_message, 1)
        row.addStretch(0)
        row.addSpacing(8)
        row.addWidget(self.revert_button)
        row.addWidget(self.apply_button)
        self.defaults_button.clicked.connect(self._on_defaults_button_clicked)
        self.revert_button.clicked.connect(self.revert)
        self.apply_button.clicked.connect(self.apply)

    # ------------------------------------------------------------------ navigation
    def show_section(self, key: str) -> None:
        """Show section ``key`` (``you``, ``workspace``, ``brand``, ``user:Fetching``…)."""
        row = self.section_model.row_of_key(key)
        if row is None:
            raise KeyError(f"No settings section {key!r}.")
        self.section_list.setCurrentIndex(self.section_model.index(row, 0))

    def current_section(self) -> str:
        """The key of the section shown."""
        widget = self.stack.currentWidget()
        page = widget.widget() if isinstance(widget, QScrollArea) else None
        return page.key if isinstance(page, SectionPage) else ""

    def section_keys(self) -> list[str]:
        """Every section's key, in list order."""
        return [entry.key for entry in self.section_model.objects() if not entry.heading]

    @Slot(QItemSelection, QItemSelection)
    def _on_section_list_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        index = self.section_list.currentIndex()
        if not index.isValid():
            return
        key = self.section_model.objects()[index.row()].key
        scroll = self._scrolls.get(key)
        if scroll is None:
            return
        self.stack.setCurrentWidget(scroll)
        self._update_user_bar()

    # ------------------------------------------------------------------ per-user settings
    def settings_fields(self) -> dict[str, SettingField]:
        """Every generated field, by key."""
        return {key: field for form in self.user_forms.values() for key, field in form.fields.items()}

    def load_user_settings(self) -> None:
        """Read the settings file (small) and show its values."""
        settings = Settings(self._path)
        self._saved = {key: settings.get(key) for key in REGISTRY}
        for form in self.user_forms.values():
            form.set_values(self._saved)
        self._on_form_edited()
        self.user_message.clear_message()

    def pending(self) -> dict[str, Any]:
        """The edited values that differ from the saved ones."""
        return {
            key: field.value()
            for key, field in self.settings_fields().items()
            if field.value() != self._saved[key]
        }

    def problems(self) -> dict[str, str]:
        """Key -> sentence, for the fields whose value cannot be saved."""
        found: dict[str, str] = {}
        for form in self.user_forms.values():
            found.update(form.problems())
        return found

    @Slot()
    def _on_form_edited(self) -> None:
        pending = self.pending()
        for section, form in self.user_forms.items():
            key = "you" if section == YOU else user_section_key(section)
            modified = any(k in pending for k in form.fields)
            if section == YOU:
                # The You page also shows workspace facts; only its own setting marks it.
                self.section_model.set_modified(key, modified)
            else:
                self.pages[key].set_modified(modified)
        self._update_user_bar()

    def _update_user_bar(self) -> None:
        key = self.current_section()
        section = YOU if key == "you" else key.removeprefix("user:")
        form = self.user_forms.get(section)
        self.user_bar.setVisible(form is not None)
        pending = self.pending()
        problems = self.problems()
        self.apply_button.setEnabled(bool(pending) and not problems)
        self.revert_button.setEnabled(bool(pending))
        if problems:
            count = len(problems)
            self.apply_button.setToolTip(
                f"Fix the field{'' if count == 1 else 's'} marked in red first "
                f"({', '.join(REGISTRY[k].title for k in problems)})."
            )
        else:
            self.apply_button.setToolTip(
                "Save your changes on this computer" if pending else "Nothing to save"
            )
        if form is not None:
            at_default = all(f.value() == REGISTRY[k].default for k, f in form.fields.items())
            self.defaults_button.setEnabled(not at_default)
        if pending and self.user_message.kind == "ok":
            self.user_message.clear_message()

    @Slot()
    def _on_defaults_button_clicked(self) -> None:
        key = self.current_section()
        form = self.user_forms.get(YOU if key == "you" else key.removeprefix("user:"))
        if form is not None:
            form.restore_defaults()

    @Slot()
    def revert(self) -> None:
        """Show the saved values again, dropping the edits."""
        for form in self.user_forms.values():
            form.set_values(self._saved)
        self._on_form_edited()

    @Slot()
    def apply(self) -> None:
        """Save the edited per-user settings in the background; emits :attr:`settings_changed`."""
        pending = self.pending()
        if not pending or self.problems():
            return
        self.apply_button.setEnabled(False)
        self.user_message.show_info("Saving…")

        def saved(changed: list[str]) -> None:
            self.load_user_settings()
            count = len(changed)
            self.user_message.show_ok(
                f"Saved {count} setting{'' if count == 1 else 's'} on this computer." if changed else "Saved."
            )
            if changed:
                self.settings_changed.emit(changed)

        def failed(exc: BaseException) -> None:
            text = describe(exc)
            self.user_message.show_error(f"Your settings could not be saved: {text}")
            self._update_user_bar()
            self.change_failed.emit(text)

        self._runner.run(
            settings_tasks.save_user_settings,
            self._path,
            pending,
            on_result=saved,
            on_error=failed,
            description="Saving your settings",
        )

    def has_unsaved_changes(self) -> bool:
        """Whether any section holds edits not saved yet (for a question before closing)."""
        return bool(self.pending()) or any(self.section_model.is_modified(key) for key in self.section_keys())

    def _on_page_modified(self, key: str, modified: bool) -> None:
        self.section_model.set_modified(key, modified)

    # ------------------------------------------------------------------ page interface
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Follow ``workspace``: read its shared settings now and after each change."""
        self.detach()
        self._generation += 1
        self._workspace = workspace
        self._bridge = bridge
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._loader = CoalescedTask(
            self._runner,
            lambda progress: settings_tasks.load_snapshot(progress, workspace),
            self._on_snapshot_loaded,
            parent=self,
        )
        self.header.set_summary(
            f"Your preferences on this computer, and what “{workspace.name}” shares with its team."
        )
        self._refresh_sections()
        self._loader.request()

    def detach(self) -> None:
        """Stop following the workspace (before it closes); open forms close."""
        self._generation += 1
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        if self._loader is not None:
            self._loader.stop()
            self._loader = None
        section = self.touchpoints_section
        for dialog in (section.form, section.secret_dialog, section.remove_box):
            if dialog is not None:
                dialog.close()
        self._workspace = None
        self.snapshot = None
        self.header.set_summary("")
        self._refresh_sections()

    def set_user(self, user: User) -> None:
        """Who acts: decides which shared sections may be changed."""
        self._user = user
        self._refresh_sections()

    def _refresh_sections(self) -> None:
        self.workspace_section.refresh()
        self.you.refresh()
        for section in (
            self.team_section,
            self.targets_section,
            self.brand_section,
            self.approvals_section,
            self.touchpoints_section,
        ):
            section.refresh()
            section.setEnabled(self._workspace is not None)

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if self._loader is not None and event.table in WATCHED_TABLES:
            self._loader.request()

    def _on_snapshot_loaded(self, snapshot: WorkspaceSnapshot) -> None:
        self.snapshot = snapshot
        for section in (
            self.team_section,
            self.targets_section,
            self.brand_section,
            self.approvals_section,
            self.touchpoints_section,
        ):
            section.set_snapshot(snapshot)
        self._refresh_sections()
        self.snapshot_loaded.emit()

    # ------------------------------------------------------------------ Host (for the sections)
    @property
    def workspace(self) -> Any:
        """The workspace the page follows (None before one opens)."""
        return self._workspace

    @property
    def user(self) -> User | None:
        """The member acting."""
        return self._user

    def refusal(self, what: str) -> str:
        """Why the acting member may not change ``what`` here; empty when they may."""
        workspace = self._workspace
        if workspace is None:
            return "No workspace is open."
        if workspace.read_only:
            reason = workspace.read_only_reason or ""
            intro = f"This workspace is open read-only, so {what} can be read here but not changed."
            return f"{intro} {reason}".rstrip()
        user = self._user
        if user is None:
            return "Curator is still finding out who you are in this workspace."
        if user.has_role(Role.ADMIN):
            return ""
        if is_guest(user):
            return (
                f"You ({user.login}) are not a member of this workspace, so you can read {what} here "
                "but not change anything. Ask an admin to add you in Settings › Team."
            )
        return (
            f"Only admins change {what}. You act as {user.name} ({roles_label(user.roles)}); "
            "ask an admin to make the change, or to give you the admin role in Settings › Team."
        )

    def run_save(
        self,
        section: SectionPage,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], str],
        failed: Callable[[str], None] | None = None,
        description: str,
    ) -> None:
        """Run a save in the background; the outcome shows in the section (or the form that asked)."""
        generation = self._generation
        section.start_busy(description)

        def result(value: Any) -> None:
            if generation != self._generation:
                return
            section.stop_busy()
            sentence = done(value)
            section.message.show_ok(sentence)
            self.change_saved.emit(sentence)
            if self._loader is not None:
                self._loader.request()

        def error(exc: BaseException) -> None:
            if generation != self._generation:
                return
            section.stop_busy()
            text = describe(exc)
            if failed is not None:
                failed(text)
            else:
                section.message.show_error(text)
            self.change_failed.emit(text)

        self._runner.run(fn, *args, on_result=result, on_error=error, description=description)


__all__ = ["SettingsView"]
