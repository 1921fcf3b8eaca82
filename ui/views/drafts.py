"""The Drafts page: every draft of the workspace on the left, the one being written on the right.

The list is a :class:`~ui.models_drafts.DraftTableModel` that follows the
store, searched and narrowed by status through a proxy. The editor
(:mod:`ui.views.draft_editor`) keeps unsaved text safe: choosing another
draft while it holds changes asks whether to save them, discard them or
stay; a save that would overwrite someone else's newer version is refused by
the core, and the text stays in the editor.

Who acts is set by the main window (:meth:`DraftsView.set_user`); a guest
reads everything and changes nothing, and the page says why. Every write and
every read runs through the :class:`~ui.tasks.TaskRunner` (jobs in
:mod:`ui.views.draft_tasks`); outcomes are sentences in the page's message
strip, never a cascade of dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Draft, DraftStatus, Role, TouchPoint, User
from curator.identity import is_guest
from ui.models import DomainObjectRole, StoreEvent, StoreEventBridge
from ui.models_drafts import STATUS_FILTERS, DraftFilterProxyModel, DraftTableModel, StatusChipDelegate
from ui.tasks import CoalescedTask, TaskHandle, TaskRunner
from ui.views import draft_tasks
from ui.views.draft_editor import DraftEditor
from ui.views.draft_tasks import Directory, Editorial
from ui.views.sources import make_table
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page

#: Store tables whose changes may concern the draft in the editor.
EDITOR_TABLES = frozenset({"drafts", "draft_versions", "comments", "audit", "config", "users", "touchpoints"})


class NewDraftDialog(QDialog):
    """Asks for the title of a new draft and the touch points it is for."""

    def __init__(
        self, touchpoints: list[TouchPoint], chosen: set[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New draft")
        self._chosen = set(chosen)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("newDraftTitle")
        self.title_edit.setPlaceholderText("What is it about?")
        self.title_edit.setMinimumWidth(360)
        self.touchpoint_checks: dict[str, QCheckBox] = {}
        self._boxes = QVBoxLayout()
        self._hint = QLabel("No touch points yet: the draft starts with a body only.")
        self._hint.setStyleSheet("color: palette(placeholder-text);")
        self._boxes.addWidget(self._hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        self.create_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Enter creates; it never cancels (a disabled default button would hand Enter to Cancel).
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.title_edit.textChanged.connect(self._on_title_edit_text_changed)
        form = QFormLayout(self)
        form.addRow("Title:", self.title_edit)
        form.addRow("Publish to:", self._boxes)
        form.addRow(self.buttons)
        self.set_touchpoints(touchpoints)

    @Slot(str)
    def _on_title_edit_text_changed(self, text: str) -> None:
        self.create_button.setEnabled(bool(text.strip()))
        self.create_button.setDefault(True)

    def set_touchpoints(self, touchpoints: list[TouchPoint]) -> None:
        """Offer ``touchpoints`` (they may arrive after the dialog opened); ticks are kept."""
        ticked = {tp_id for tp_id, box in self.touchpoint_checks.items() if box.isChecked()}
        ticked |= self._chosen if not self.touchpoint_checks else set()
        for box in self.touchpoint_checks.values():
            self._boxes.removeWidget(box)
            box.deleteLater()
        self.touchpoint_checks = {}
        for tp in sorted(touchpoints, key=lambda t: t.name.casefold()):
            kind = tp.kind.value.replace("_", " ")
            box = QCheckBox(tp.name if tp.name.casefold() == kind else f"{tp.name}  ({kind})")
            box.setChecked(tp.id in ticked)
            self.touchpoint_checks[tp.id] = box
            self._boxes.addWidget(box)
        self._hint.setVisible(not touchpoints)

    def accept(self) -> None:
        if self.title_edit.text().strip():
            super().accept()

    def values(self) -> tuple[str, list[str]]:
        """The title typed and the touch points ticked."""
        ticked = [tp_id for tp_id, box in self.touchpoint_checks.items() if box.isChecked()]
        return self.title_edit.text().strip(), ticked


class DraftsView(QWidget):
    """The drafts of the workspace and the editor of the one selected."""

    #: A page job ended: (its sentence, whether it failed).
    activity_finished = Signal(str, bool)
    #: The editor shows a draft: (draft id).
    draft_opened = Signal(str)
    #: A draft was created from this page: (draft id).
    draft_created = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace: Any = None
        self._editorial: Editorial | None = None
        self._bridge: StoreEventBridge | None = None
        self._user: User | None = None
        self._generation = 0
        self._job: TaskHandle | None = None
        self._directory = Directory()
        self._directory_task: CoalescedTask | None = None
        self._syncing_selection = False
        self._last_touchpoints: set[str] = set()
        self.new_dialog: NewDraftDialog | None = None
        self.unsaved_box: QMessageBox | None = None

        self.header = PageHeader("Drafts")
        self.drafts_model = DraftTableModel(self)
        self.drafts_proxy = DraftFilterProxyModel(self)
        self.drafts_proxy.setSourceModel(self.drafts_model)
        self.drafts_proxy.set_statuses(STATUS_FILTERS[0][1])
        self.editor = DraftEditor(runner)

        self._build_actions()
        self._build_layout()

        self.drafts_model.rows_loaded.connect(self._on_drafts_model_rows_loaded)
        self.drafts_model.modelReset.connect(self._on_drafts_model_changed)
        self.drafts_model.rowsInserted.connect(self._on_drafts_model_rows_inserted)
        self.drafts_model.rowsRemoved.connect(self._on_drafts_model_changed)
        self.drafts_model.dataChanged.connect(self._on_drafts_model_changed)
        self.drafts_table.selectionModel().selectionChanged.connect(self._on_drafts_selection_changed)
        self.drafts_table.activated.connect(self._on_drafts_table_activated)
        self.editor.message_shown.connect(self._on_editor_message_shown)
        self.editor.dirty_changed.connect(self._on_editor_dirty_changed)
        self.editor.draft_loaded.connect(self._on_editor_draft_loaded)
        self.editor.draft_saved.connect(self._on_editor_draft_saved)
        self.editor.action_done.connect(self._on_editor_action_done)
        self._update_actions()
        self._update_state()

    # ------------------------------------------------------------------ build
    def _action(self, text: str, tip: str, shortcuts: list[str], slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{tip} ({shortcuts[0]})" if shortcuts else tip)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("New draft…", "Start a blank draft", ["Ctrl+N"], self.new_draft)
        self.save_action = self._action("Save", "Save the changes as a new version", ["Ctrl+S"], self.save)
        self.submit_action = self._action(
            "Submit", "Save and send the draft to review", ["Ctrl+Return", "Ctrl+Enter"], self.submit
        )
        self.revert_action = self._action(
            "Revert", "Throw away the unsaved changes and show the saved version", [], self.revert
        )
        self.comment_action = self._action(
            "Comment",
            "Comment on the words selected in the body",
            ["Ctrl+Alt+M"],
            self.editor.comment_on_selection,
        )
        self.preview_action = self._action(
            "Preview",
            "Show the body's Markdown rendered beside it",
            ["Ctrl+Shift+P"],
            self.editor.toggle_preview,
        )
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.save_action, self.submit_action, self.revert_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.comment_action)
        self.toolbar.addAction(self.preview_action)

    def _build_layout(self) -> None:
        m = DraftTableModel
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("draftSearch")
        self.search_edit.setPlaceholderText("Search titles, tags, people, touch points")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.drafts_proxy.set_search_text)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        for label, statuses in STATUS_FILTERS:
            self.status_combo.addItem(label, statuses)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_changed)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.status_combo)
        self.drafts_table = make_table(
            self.drafts_proxy,
            {
                m.COL_STATUS: 136,
                m.COL_TOUCHPOINTS: 110,
                m.COL_ASSIGNEE: 90,
                m.COL_DUE: 76,
                m.COL_UPDATED: 76,
                m.COL_VERSION: 60,
            },
            m.COL_TITLE,
        )
        self.drafts_table.setObjectName("draftsTable")
        self.drafts_table.setSelectionMode(self.drafts_table.SelectionMode.SingleSelection)
        self.drafts_table.sortByColumn(m.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        self._chip_delegate = StatusChipDelegate(self.drafts_table)
        self.drafts_table.setItemDelegateForColumn(m.COL_STATUS, self._chip_delegate)
        self.drafts_table.horizontalHeader().setMinimumSectionSize(56)
        # The list is sorted by the last change and the editor says when it was; the
        # column is one right-click away (the header's menu), so titles get the room.
        for column in (m.COL_TOUCHPOINTS, m.COL_ASSIGNEE, m.COL_UPDATED, m.COL_VERSION):
            self.drafts_table.setColumnHidden(column, True)
        self.drafts_table.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for column in (m.COL_TOUCHPOINTS, m.COL_ASSIGNEE, m.COL_DUE, m.COL_UPDATED, m.COL_VERSION):
            toggle = QAction(m.HEADERS[column], self.drafts_table.horizontalHeader())
            toggle.setCheckable(True)
            toggle.setChecked(not self.drafts_table.isColumnHidden(column))
            toggle.toggled.connect(lambda on, c=column: self.drafts_table.setColumnHidden(c, not on))
            self.drafts_table.horizontalHeader().addAction(toggle)
        self.drafts_table.horizontalHeader().setToolTip("Right-click to choose the columns")
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addLayout(filters)
        left_column.addWidget(self.drafts_table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([470, 810])
        self.splitter.setChildrenCollapsible(False)

        self.empty_state = EmptyState(
            "drafts",
            "No drafts yet",
            "Start one from scratch with “New draft” (Ctrl+N), or from a hot issue on the Hot issues "
            "page: it then cites the items that tell the story.",
            "New draft",
        )
        self.empty_state.setObjectName("draftsEmpty")
        self.empty_state.action_triggered.connect(self.new_draft)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_state)

        self.activity = ActivityBar()
        lay_out_page(self, self.header, self.toolbar, self.activity, self.stack)

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``'s drafts and follow its changes."""
        self.detach()
        self._workspace = workspace
        self._editorial = draft_tasks.Editorial(workspace)
        self._bridge = bridge
        self.editor.set_editorial(self._editorial, workspace.read_only_reason)
        self.drafts_model.attach(
            self._runner, bridge, lambda _p: workspace.drafts.list(), workspace.drafts.get, "Loading drafts"
        )
        bridge.store_changed.connect(self._on_bridge_store_changed)
        service = self._editorial
        self._directory_task = CoalescedTask(
            self._runner,
            lambda progress: draft_tasks.load_directory(progress, service),
            self._guard(self._on_directory_loaded),
            parent=self,
        )
        self._directory_task.request()
        self._update_actions()
        self._update_state()

    def detach(self) -> None:
        """Stop following the workspace (before it closes); unsaved text is the caller's to ask about."""
        if self._workspace is None:
            return
        self._generation += 1
        for dialog in (self.new_dialog, self.unsaved_box):
            if dialog is not None:
                dialog.reject()
        self.new_dialog = self.unsaved_box = None
        if self._job is not None:
            self._job.cancel()
        self._job = None
        if self._directory_task is not None:
            self._directory_task.stop()
            self._directory_task = None
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        self.editor.set_editorial(None)
        self.activity.clear()
        self.drafts_model.detach()
        self.drafts_model.clear()
        self._workspace = self._editorial = None
        self._update_actions()
        self._update_state()

    def set_user(self, user: User) -> None:
        """Act as ``user``: their roles decide what the page offers; a guest reads only."""
        self._user = user
        self.editor.set_user(user)
        self._update_actions()

    @property
    def user(self) -> User | None:
        """The person acting."""
        return self._user

    @property
    def read_only(self) -> bool:
        """True when the open workspace may not be changed."""
        return self._workspace is None or bool(self._workspace.read_only)

    def has_unsaved_changes(self) -> bool:
        """Whether the editor holds changes not saved yet (the main window asks before closing)."""
        return self.editor.is_dirty

    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    def _on_directory_loaded(self, directory: Directory) -> None:
        self._directory = directory
        self.drafts_model.set_directory(directory)
        if self.new_dialog is not None:
            self.new_dialog.set_touchpoints(list(directory.touchpoints.values()))

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table in ("users", "touchpoints") and self._directory_task is not None:
            self._directory_task.request()
        draft_id = self.editor.draft_id
        if draft_id is None or event.table not in EDITOR_TABLES:
            return
        touched = event.inserted | event.updated | event.removed
        if event.table == "drafts" and not event.reset and draft_id not in touched:
            return
        if event.table == "draft_versions" and not event.reset:
            prefix = f"{draft_id}."
            if not any(i.startswith(prefix) for i in event.inserted | event.updated | event.removed):
                return
        self.editor.request_reload()

    # -------------------------------------------------------------- selection
    def selected_draft(self) -> Draft | None:
        """The draft selected in the list, or None."""
        rows = self.drafts_table.selectionModel().selectedRows()
        return rows[0].data(DomainObjectRole) if rows else None

    def _select_row(self, draft_id: str | None) -> bool:
        """Select ``draft_id``'s row without opening anything; False when it is not listed."""
        self._syncing_selection = True
        try:
            selection = self.drafts_table.selectionModel()
            row = self.drafts_model.row_of(draft_id) if draft_id else None
            if row is None:
                selection.clearSelection()
                return False
            index = self.drafts_proxy.mapFromSource(self.drafts_model.index(row, 0))
            if not index.isValid():
                selection.clearSelection()
                return False
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.drafts_table.scrollTo(index)
            return True
        finally:
            self._syncing_selection = False

    @Slot()
    def _on_drafts_selection_changed(self) -> None:
        if self._syncing_selection:
            return
        draft = self.selected_draft()
        if draft is not None and draft.id != self.editor.draft_id:
            self.open_draft(draft.id)
        self._update_actions()

    @Slot(QModelIndex)
    def _on_drafts_table_activated(self, index: QModelIndex) -> None:
        draft = index.data(DomainObjectRole)
        if draft is None:
            return
        if draft.id != self.editor.draft_id:
            self.open_draft(draft.id)
        self.editor.body_edit.setFocus()

    @Slot(str)
    def open_draft(self, draft_id: str) -> None:
        """Show ``draft_id`` in the editor; unsaved changes of the current one are asked about first."""
        if self._editorial is None:
            return
        if draft_id == self.editor.draft_id:
            self._select_row(draft_id)
            return
        if self.editor.is_dirty:
            self._select_row(self.editor.draft_id)  # the list keeps showing what the editor shows
            self.confirm_leave(lambda: self._open_now(draft_id))
            return
        self._open_now(draft_id)

    def _open_now(self, draft_id: str) -> None:
        if self._editorial is None:
            return
        self.editor.open_draft(draft_id)
        if not self._select_row(draft_id) and self.drafts_model.row_of(draft_id) is not None:
            # Listed but filtered out: show every status so the open draft is visible.
            self.status_combo.setCurrentIndex(1)
            self.search_edit.clear()
            self._select_row(draft_id)
        self._update_actions()

    def confirm_leave(self, then: Callable[[], None], on_cancel: Callable[[], None] | None = None) -> None:
        """Run ``then`` once the editor's unsaved changes are saved or discarded; nothing on Cancel."""
        if not self.editor.is_dirty:
            then()
            return
        draft = self.editor.draft
        title = draft.title if draft is not None else "This draft"
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"“{title}” has changes that are not saved.")
        box.setInformativeText("Save them as a new version, discard them, or stay on this draft.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def on_finished(_result: int) -> None:
            choice = box.standardButton(box.clickedButton()) if box.clickedButton() else None
            self.unsaved_box = None
            box.deleteLater()
            if choice == QMessageBox.StandardButton.Save:
                self.editor.save(then=then)
            elif choice == QMessageBox.StandardButton.Discard:
                self.editor.discard_changes()
                then()
            elif on_cancel is not None:
                on_cancel()

        box.finished.connect(on_finished)
        self.unsaved_box = box
        box.open()

    # --------------------------------------------------------------- commands
    def new_draft(self) -> None:
        """Ask for a title and touch points, then create the draft and open it (Ctrl+N)."""
        if self._editorial is None or self.new_dialog is not None:
            return
        if not self._may_create():
            return
        dialog = NewDraftDialog(list(self._directory.touchpoints.values()), self._last_touchpoints, self)
        dialog.accepted.connect(lambda: self._on_new_dialog_accepted(dialog))
        dialog.finished.connect(self._on_new_dialog_finished)
        self.new_dialog = dialog
        dialog.open()

    def _on_new_dialog_finished(self, _result: int) -> None:
        if self.new_dialog is not None:
            self.new_dialog.deleteLater()
        self.new_dialog = None

    def _on_new_dialog_accepted(self, dialog: NewDraftDialog) -> None:
        title, touchpoints = dialog.values()
        self._last_touchpoints = set(touchpoints)
        assert self._user is not None
        self._start_job(
            draft_tasks.create_draft,
            self._user,
            title,
            touchpoints,
            text="Creating the draft",
            on_result=self._on_draft_created,
        )

    @Slot(str)
    def new_from_issue(self, issue_id: str) -> None:
        """Create a draft about a hot issue (citing its items) and open it."""
        if self._editorial is None or not self._may_create():
            return
        assert self._user is not None
        self._start_job(
            draft_tasks.create_from_issue,
            self._user,
            issue_id,
            sorted(self._last_touchpoints),
            text="Creating a draft from the issue",
            on_result=self._on_draft_created,
        )

    @Slot(list)
    def new_from_items(self, item_ids: list[str]) -> None:
        """Create a draft quoting and citing the chosen items, and open it."""
        if self._editorial is None or not self._may_create():
            return
        assert self._user is not None
        self._start_job(
            draft_tasks.create_from_items,
            self._user,
            list(item_ids),
            sorted(self._last_touchpoints),
            text="Creating a draft from the items",
            on_result=self._on_draft_created,
        )

    def _may_create(self) -> bool:
        reason = self._create_refusal()
        if reason:
            self._show_message(reason, error=True)
            return False
        return True

    def _create_refusal(self) -> str:
        if self._workspace is not None and self._workspace.read_only:
            return str(self._workspace.read_only_reason)
        user = self._user
        if user is None:
            return "Curator does not know who you are yet, so no draft can be created."
        if is_guest(user):
            return (
                f"You ({user.login}) are not a member of this workspace, so you cannot create drafts. "
                "Ask an admin to add you in Settings › Team."
            )
        if not user.has_role(Role.EDITOR):
            return f"{user.name} cannot create drafts: that needs the editor role."
        return ""

    def _on_draft_created(self, draft: Draft) -> None:
        self._show_message(f"Created “{draft.title}”.")
        self.draft_created.emit(draft.id)
        self.confirm_leave(lambda: self._open_created(draft.id))

    def _open_created(self, draft_id: str) -> None:
        self._open_now(draft_id)
        self.editor.body_edit.setFocus()

    def save(self) -> None:
        """Save the editor's changes as a new version (Ctrl+S)."""
        if self.editor.draft is not None and not self.editor.is_dirty:
            self._show_message("Nothing to save: the draft is as it was saved.")
            return
        self.editor.save()

    def submit(self) -> None:
        """Save if needed, then send the draft to review (Ctrl+Enter)."""
        if self.editor.draft is None:
            return
        if "submit" not in self.editor.action_buttons:
            draft = self.editor.draft
            words = draft_tasks.status_words(draft.status)
            user = self._user
            if draft.status in (DraftStatus.DRAFT, DraftStatus.CHANGES_REQUESTED) and user is not None:
                why = (
                    self.editor.read_only_reason()
                    or f"{user.name} cannot submit drafts: that needs the editor role."
                )
                self._show_message(why, error=True)
            else:
                self._show_message(
                    f"“{draft.title}” is {words}; only a draft can be submitted for review.", error=True
                )
            return
        self.editor.run_action("submit")

    def revert(self) -> None:
        """Throw away the unsaved changes, after asking."""
        if not self.editor.is_dirty:
            return
        draft = self.editor.draft
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Revert")
        box.setText(f"Throw away your changes to “{draft.title if draft else 'this draft'}”?")
        box.setInformativeText("The draft goes back to its last saved version. This cannot be undone.")
        discard = box.addButton("Throw away", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def on_finished(_result: int) -> None:
            self.unsaved_box = None
            box.deleteLater()
            if box.clickedButton() is discard:
                self.editor.discard_changes()

        box.finished.connect(on_finished)
        self.unsaved_box = box
        box.open()

    # ------------------------------------------------------------------- jobs
    def _start_job(
        self, fn: Callable[..., Any], *args: Any, text: str, on_result: Callable[[Any], None]
    ) -> None:
        if self._editorial is None or self._job is not None:
            return
        guard = self._guard
        self.activity.show_busy(text)

        def on_finished() -> None:
            self._job = None
            self._update_actions()

        handle = self._runner.run(
            fn,
            self._editorial,
            *args,
            on_result=guard(on_result),
            on_error=guard(lambda exc: self._show_message(draft_tasks.error_sentence(exc), error=True)),
            on_finished=guard(on_finished),
            description=text,
        )
        self._job = None if handle.done else handle
        self._update_actions()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.activity.show_message(text, error=error)
        self.activity_finished.emit(text, error)

    @Slot(str, bool)
    def _on_editor_message_shown(self, text: str, error: bool) -> None:
        self._show_message(text, error=error)

    @Slot(bool)
    def _on_editor_dirty_changed(self, _dirty: bool) -> None:
        self._update_actions()

    @Slot(str)
    def _on_editor_draft_loaded(self, draft_id: str) -> None:
        self._update_actions()
        self.draft_opened.emit(draft_id)

    @Slot(str, int)
    def _on_editor_draft_saved(self, _draft_id: str, _version: int) -> None:
        self._update_actions()

    @Slot(str, str)
    def _on_editor_action_done(self, _draft_id: str, _action: str) -> None:
        self._update_actions()

    # ------------------------------------------------------------------ state
    @Slot()
    def _on_status_combo_changed(self) -> None:
        self.drafts_proxy.set_statuses(self.status_combo.currentData())
        self._select_row(self.editor.draft_id)

    @Slot()
    def _on_drafts_model_rows_loaded(self) -> None:
        self._update_state()
        if self.editor.draft_id is None and self.drafts_proxy.rowCount():
            first = self.drafts_proxy.index(0, 0).data(DomainObjectRole)
            if first is not None:
                self._open_now(first.id)
        else:
            self._select_row(self.editor.draft_id)

    @Slot()
    def _on_drafts_model_rows_inserted(self) -> None:
        self._update_state()
        if self.editor.draft_id is not None and not self.drafts_table.selectionModel().hasSelection():
            self._select_row(self.editor.draft_id)

    @Slot()
    def _on_drafts_model_changed(self) -> None:
        self._update_state()

    def _update_state(self) -> None:
        model = self.drafts_model
        empty = model.loaded and model.rowCount() == 0 and self.editor.draft_id is None
        self.stack.setCurrentWidget(self.empty_state if empty else self.splitter)
        if self._workspace is None:
            self.header.set_summary("")
            return
        if not model.loaded:
            self.header.set_summary("Loading drafts…")
            return
        drafts = model.objects()
        count = len(drafts)
        review = sum(1 for d in drafts if d.status is DraftStatus.IN_REVIEW)
        changes = sum(1 for d in drafts if d.status is DraftStatus.CHANGES_REQUESTED)
        parts = [f"{count:,} draft{'s' * (count != 1)}"]
        if review:
            parts.append(f"{review} in review")
        if changes:
            parts.append(f"{changes} with changes requested")
        self.header.set_summary(", ".join(parts))

    def _update_actions(self) -> None:
        editor = self.editor
        has_draft = editor.draft is not None
        self.new_action.setEnabled(self._workspace is not None and not self._create_refusal())
        self.save_action.setEnabled(has_draft and editor.is_dirty and not editor.busy_saving)
        self.revert_action.setEnabled(has_draft and editor.is_dirty)
        self.submit_action.setEnabled(has_draft and "submit" in editor.action_buttons)
        self.comment_action.setEnabled(has_draft and editor.may_comment())
        self.preview_action.setEnabled(has_draft)
        self.empty_state.action_button.setEnabled(self.new_action.isEnabled())
