"""The Approvals page: what waits for a reviewer, and the review itself.

On the left, two queues that follow the store: drafts in review (with the
approval step that waits, who may give it and how many brand-check errors
still block it) and, below, approved drafts waiting to be scheduled. On the
right, the selected draft as it will be published on each touch point, its
findings, and what changed since the last approved version ("first review"
when there is none), with Approve (Ctrl+Shift+A), Request changes
(Ctrl+Shift+R, asks why) and Waive finding.

The core decides who may do what (roles, four eyes, blocking findings); the
page shows its sentences in the message strip. The audit log dialog shows
the whole log, whether its hash chain is whole, and exports it as CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.domain import DraftStatus, Role, User
from curator.identity import is_guest
from ui.formatting import full_time
from ui.models import StoreEvent, StoreEventBridge
from ui.models_drafts import (
    ApprovalQueueModel,
    AuditEntryModel,
    FindingTableModel,
    set_status_chip,
)
from ui.tasks import CoalescedTask, TaskHandle, TaskRunner
from ui.theme import set_tone, theme_notifier
from ui.views import draft_tasks
from ui.views.draft_editor import MarkdownPreview, ask_text, diff_html
from ui.views.draft_tasks import (
    APPROVED_GROUP,
    REVIEW_GROUP,
    AuditReport,
    Editorial,
    QueueEntry,
    ReviewDetail,
)
from ui.views.sources import make_table
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page

#: Store tables whose changes may change the queue or the review shown.
WATCHED_TABLES = frozenset({"drafts", "draft_versions", "config", "audit", "users", "touchpoints"})


def _queue_table(model: ApprovalQueueModel) -> QTableView:
    m = ApprovalQueueModel
    table = make_table(
        model, {m.COL_WAITING: 190, m.COL_BLOCKING: 84, m.COL_DUE: 80, m.COL_AUTHOR: 100}, m.COL_TITLE
    )
    table.setColumnHidden(m.COL_AUTHOR, True)  # the review pane names the author
    table.setSortingEnabled(False)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionsMovable(False)
    return table


class AuditLogDialog(QDialog):
    """The editorial audit log: every entry, whether the chain is whole, and a CSV export."""

    #: A report was read and shown.
    report_loaded = Signal()
    #: The export ended: (its sentence, whether it failed).
    export_finished = Signal(str, bool)

    def __init__(
        self,
        runner: TaskRunner,
        editorial: Editorial,
        bridge: StoreEventBridge | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        self.resize(980, 560)
        self._runner = runner
        self._editorial = editorial
        self._bridge = bridge
        self.report: AuditReport | None = None
        self.model = AuditEntryModel(self)
        a = AuditEntryModel
        self.table = make_table(
            self.model,
            {
                a.COL_SEQ: 50,
                a.COL_WHEN: 110,
                a.COL_WHO: 110,
                a.COL_ACTION: 170,
                a.COL_SUBJECT: 200,
                a.COL_MOVE: 190,
            },
            a.COL_REASON,
        )
        self.table.setObjectName("auditTable")
        self.table.setSortingEnabled(False)
        self.verification_label = QLabel("Verifying the audit log…")
        self.verification_label.setObjectName("auditVerification")
        self.verification_label.setWordWrap(True)
        self.verification_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verification_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = self.verification_label.font()
        bold.setWeight(QFont.Weight.DemiBold)
        self.verification_label.setFont(bold)
        self.export_label = QLabel()
        self.export_label.setWordWrap(True)
        self.export_label.setTextFormat(Qt.TextFormat.PlainText)
        self.export_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("Export CSV…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setObjectName("exportCsvButton")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verification_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.export_label)
        layout.addWidget(self.buttons)
        self._task = CoalescedTask(runner, self._read, self._on_report_read, parent=self)
        if bridge is not None:
            bridge.store_changed.connect(self._on_bridge_store_changed)
        self._task.request()

    def _read(self, progress: Any) -> AuditReport:
        return draft_tasks.audit_report(progress, self._editorial)

    def _on_report_read(self, report: AuditReport) -> None:
        self.report = report
        self.model.set_directory(report.directory)
        self.model.set_titles(report.titles)
        self.model.update_rows(list(reversed(report.entries)))
        self.verification_label.setText(report.sentence)
        set_tone(self.verification_label, "error" if report.problems else "success")
        self.report_loaded.emit()

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table in ("audit", "config", "users", "drafts"):
            self._task.request()

    def _on_export_button_clicked(self) -> None:
        default = str(Path.home() / f"curator-audit-{datetime.now():%Y-%m-%d}.csv")
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the audit log", default, "CSV files (*.csv)"
        )
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> None:
        """Write the log as CSV to ``path`` in the background; the sentence shows under the table."""
        self.export_button.setEnabled(False)
        self.export_label.setText("Exporting…")

        def done(sentence: str) -> None:
            set_tone(self.export_label, "")
            self.export_label.setText(sentence)
            self.export_finished.emit(sentence, False)

        def failed(exc: BaseException) -> None:
            sentence = draft_tasks.error_sentence(exc)
            set_tone(self.export_label, "error")
            self.export_label.setText(sentence)
            self.export_finished.emit(sentence, True)

        self._runner.run(
            draft_tasks.export_audit,
            self._editorial,
            path,
            on_result=done,
            on_error=failed,
            on_finished=lambda: self.export_button.setEnabled(True),
            description="Exporting the audit log",
        )

    def done(self, result: int) -> None:
        self._task.stop()
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        super().done(result)


class ApprovalsView(QWidget):
    """The approvals queue on the left, the selected draft's review on the right."""

    #: A page job ended: (its sentence, whether it failed).
    activity_finished = Signal(str, bool)
    #: The queues were read again.
    queue_loaded = Signal()
    #: The review pane shows a freshly read draft: (draft id).
    review_loaded = Signal(str)
    #: The person asked to edit the draft: (draft id); the main window opens it on the Drafts page.
    draft_open_requested = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace: Any = None
        self._editorial: Editorial | None = None
        self._bridge: StoreEventBridge | None = None
        self._user: User | None = None
        self._generation = 0
        self._job: TaskHandle | None = None
        self._review_task: TaskHandle | None = None
        self._queue_task: CoalescedTask | None = None
        self._review: ReviewDetail | None = None
        self._syncing = False
        self._loaded = False
        self.reason_dialog: QInputDialog | None = None
        self.audit_dialog: AuditLogDialog | None = None

        self.header = PageHeader("Approvals")
        self.review_model = ApprovalQueueModel(self)
        self.approved_model = ApprovalQueueModel(self)
        self.finding_model = FindingTableModel(self)
        self._build_actions()
        self._build_layout()
        for table in (self.review_table, self.approved_table):
            table.selectionModel().selectionChanged.connect(
                lambda _s, _d, t=table: self._on_queue_selection_changed(t)
            )
        self._update_actions()
        self._update_state()
        theme_notifier().theme_changed.connect(self._on_theme_changed)

    # ------------------------------------------------------------------ build
    def _action(self, text: str, tip: str, shortcut: str | None, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.approve_action = self._action(
            "Approve",
            "Pass the waiting approval step for this version",
            "Ctrl+Shift+A",
            self.approve_selected,
        )
        self.request_action = self._action(
            "Request changes…",
            "Send the draft back to its author with a reason",
            "Ctrl+Shift+R",
            self.request_changes_selected,
        )
        self.waive_action = self._action(
            "Waive finding…", "Accept the selected finding as it is, with a reason", None, self.waive_selected
        )
        self.open_action = self._action(
            "Open in Drafts", "Edit this draft on the Drafts page", None, self._on_open_action_triggered
        )
        self.audit_action = self._action(
            "Audit log…",
            "Every approval, waiver and status change, and whether the log is whole",
            None,
            self._on_audit_action_triggered,
        )
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.approve_action, self.request_action, self.waive_action, self.open_action):
            self.toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.audit_action)

    def _section_label(self) -> QLabel:
        label = QLabel()
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def _build_layout(self) -> None:
        self.review_label = self._section_label()
        self.review_table = _queue_table(self.review_model)
        self.review_table.setObjectName("reviewQueue")
        self.approved_label = self._section_label()
        self.approved_table = _queue_table(self.approved_model)
        self.approved_table.setObjectName("approvedQueue")
        queues = QSplitter(Qt.Orientation.Vertical)
        for label, table in (
            (self.review_label, self.review_table),
            (self.approved_label, self.approved_table),
        ):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 4, 0, 0)
            column.addWidget(label)
            column.addWidget(table, 1)
            queues.addWidget(box)
        queues.setSizes([420, 220])

        # The review pane.
        self.chip = QLabel()
        self.chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.title_label = QLabel()
        self.title_label.setObjectName("reviewTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("reviewMeta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meta_label.setWordWrap(True)
        self.meta_label.setStyleSheet("color: palette(placeholder-text);")
        top = QHBoxLayout()
        top.addWidget(self.chip)
        top.addWidget(self.title_label, 1)
        self.variant_tabs = QTabWidget()
        self.variant_tabs.setObjectName("variantTabs")
        self.variant_tabs.setDocumentMode(True)
        f = FindingTableModel
        self.findings_table = make_table(
            self.finding_model, {f.COL_WHERE: 90, f.COL_SUGGESTION: 120, f.COL_STATE: 130}, f.COL_MESSAGE
        )
        self.findings_table.setObjectName("reviewFindings")
        self.findings_table.setSortingEnabled(False)
        self.findings_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findings_table.selectionModel().selectionChanged.connect(self._on_findings_selection_changed)
        self.finding_detail = QLabel()
        self.finding_detail.setObjectName("reviewFindingDetail")
        self.finding_detail.setWordWrap(True)
        self.finding_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.finding_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings_summary = QLabel()
        self.findings_summary.setWordWrap(True)
        self.findings_summary.setTextFormat(Qt.TextFormat.PlainText)
        checks = QWidget()
        checks_column = QVBoxLayout(checks)
        checks_column.setContentsMargins(0, 6, 0, 0)
        checks_column.addWidget(self.findings_summary)
        checks_column.addWidget(self.findings_table, 1)
        checks_column.addWidget(self.finding_detail)
        self.diff_view = QTextBrowser()
        self.diff_view.setObjectName("reviewDiff")
        self.diff_view.setOpenLinks(False)
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.setDocumentMode(True)
        self.bottom_tabs.addTab(checks, "Checks")
        self.bottom_tabs.addTab(self.diff_view, "Changes")
        review_split = QSplitter(Qt.Orientation.Vertical)
        review_split.addWidget(self.variant_tabs)
        review_split.addWidget(self.bottom_tabs)
        review_split.setSizes([360, 240])
        self.detail = QWidget()
        column = QVBoxLayout(self.detail)
        column.setContentsMargins(12, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.meta_label)
        column.addWidget(review_split, 1)
        self.detail_hint = EmptyState(
            "approvals",
            "Select a draft",
            "How it will read on each touch point, its findings and its changes show here.",
        )
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.detail_hint)
        self.detail_stack.addWidget(self.detail)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(queues)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([520, 680])
        self.splitter.setChildrenCollapsible(False)

        self.empty_state = EmptyState(
            "approvals",
            "Nothing waits for approval",
            "Drafts submitted for review show here, with the step that waits and who may give it. "
            "Approved drafts stay listed until they are scheduled.",
        )
        self.empty_state.setObjectName("approvalsEmpty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_state)
        self.activity = ActivityBar()
        lay_out_page(self, self.header, self.toolbar, self.activity, self.stack)

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``'s approvals queue and follow its changes."""
        self.detach()
        self._workspace = workspace
        self._editorial = draft_tasks.Editorial(workspace)
        self._bridge = bridge
        service = self._editorial
        self._queue_task = CoalescedTask(
            self._runner,
            lambda progress: draft_tasks.load_queue(progress, service),
            self._guard(self._on_queue_loaded),
            parent=self,
        )
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._queue_task.request()
        self._update_actions()
        self._update_state()

    def detach(self) -> None:
        """Stop following the workspace (before it closes)."""
        if self._workspace is None:
            return
        self._generation += 1
        for dialog in (self.reason_dialog, self.audit_dialog):
            if dialog is not None:
                dialog.reject()
        self.reason_dialog = self.audit_dialog = None
        for handle in (self._job, self._review_task):
            if handle is not None:
                handle.cancel()
        self._job = self._review_task = None
        if self._queue_task is not None:
            self._queue_task.stop()
            self._queue_task = None
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        self.activity.clear()
        self.review_model.set_rows([])
        self.approved_model.set_rows([])
        self._show_review(None)
        self._workspace = self._editorial = None
        self._loaded = False
        self._update_actions()
        self._update_state()

    def set_user(self, user: User) -> None:
        """Act as ``user``: approvers approve, a guest reads only."""
        self._user = user
        self._update_actions()

    @property
    def user(self) -> User | None:
        """The person acting."""
        return self._user

    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table not in WATCHED_TABLES or self._queue_task is None:
            return
        self._queue_task.request()
        shown = self.selected_entry()
        if shown is not None and (
            event.reset
            or event.table != "drafts"
            or shown.id in event.inserted | event.updated | event.removed
        ):
            self._load_review(shown.id)

    # ------------------------------------------------------------------ queue
    def _on_queue_loaded(self, loaded: tuple[list[QueueEntry], Any]) -> None:
        entries, directory = loaded
        selected = self.selected_entry()
        self.review_model.set_directory(directory)
        self.approved_model.set_directory(directory)
        self.review_model.set_entries([e for e in entries if e.group == REVIEW_GROUP])
        self.approved_model.set_entries([e for e in entries if e.group == APPROVED_GROUP])
        self._loaded = True
        if selected is not None and self.selected_entry() is None:
            self._show_review(None)  # it left the queues (approved and scheduled, or sent back)
        if self.selected_entry() is None and self.review_model.rowCount():
            self.select_draft(self.review_model.object_at(0).id)
        self._update_state()
        self._update_actions()
        self.queue_loaded.emit()

    def selected_entry(self) -> QueueEntry | None:
        """The queue entry selected in either list, or None."""
        for table, model in (
            (self.review_table, self.review_model),
            (self.approved_table, self.approved_model),
        ):
            rows = table.selectionModel().selectedRows()
            if rows:
                entry: QueueEntry = model.object_at(rows[0].row())
                return entry
        return None

    def select_draft(self, draft_id: str) -> bool:
        """Select ``draft_id`` in whichever queue lists it; False when neither does."""
        for table, model in (
            (self.review_table, self.review_model),
            (self.approved_table, self.approved_model),
        ):
            row = model.row_of_key(draft_id)
            if row is not None:
                table.selectRow(row)
                return True
        return False

    def _on_queue_selection_changed(self, table: QTableView) -> None:
        if self._syncing:
            return
        if table.selectionModel().hasSelection():
            other = self.approved_table if table is self.review_table else self.review_table
            self._syncing = True
            other.clearSelection()
            self._syncing = False
        entry = self.selected_entry()
        if entry is None:
            self._show_review(None)
        elif self._review is None or self._review.draft.id != entry.id:
            self._load_review(entry.id)
        self._update_actions()

    # ----------------------------------------------------------------- review
    def _load_review(self, draft_id: str) -> None:
        if self._editorial is None:
            return
        if self._review_task is not None:
            self._review_task.cancel()
        guard = self._guard
        handle = self._runner.run(
            draft_tasks.load_review,
            self._editorial,
            draft_id,
            on_result=guard(self._on_review_loaded),
            on_error=guard(lambda exc: self._show_message(draft_tasks.error_sentence(exc), error=True)),
            on_finished=guard(self._on_review_task_finished),
        )
        self._review_task = None if handle.done else handle

    def _on_review_task_finished(self) -> None:
        self._review_task = None

    def _on_review_loaded(self, review: ReviewDetail | None) -> None:
        entry = self.selected_entry()
        if review is None or entry is None or entry.id != review.draft.id:
            return
        self._show_review(review)
        self.review_loaded.emit(review.draft.id)

    @property
    def review(self) -> ReviewDetail | None:
        """What the review pane shows."""
        return self._review

    def _show_review(self, review: ReviewDetail | None) -> None:
        self._review = review
        if review is None:
            self.finding_model.set_rows([])
            self.diff_view.clear()
            self.variant_tabs.clear()
            self.detail_stack.setCurrentWidget(self.detail_hint)
            self._update_actions()
            return
        draft, directory = review.draft, review.directory
        set_status_chip(self.chip, draft.status)
        self.title_label.setText(draft.title)
        meta = [f"Waiting for: {review.waiting_for}"] if review.waiting_for else []
        author = directory.user_name(draft.author_id)
        meta.append(f"version {draft.version}" + (f" by {author}" if author else ""))
        if draft.due_at:
            meta.append(f"due {full_time(draft.due_at)}")
        if draft.tags:
            meta.append("tags: " + ", ".join(draft.tags))
        self.meta_label.setText("  ·  ".join(meta))
        self._show_variants(review)
        self.finding_model.set_directory(directory)
        self.finding_model.set_findings(review.findings, review.blocking, review.waived)
        count, blocking = len(review.findings), len(review.blocking)
        if not count:
            self.findings_summary.setText(
                "No findings: the text follows the brand guide and every touch point's rules."
            )
        else:
            self.findings_summary.setText(
                f"{count} finding{'s' * (count != 1)}; "
                + (
                    f"{blocking} block approval until fixed or waived."
                    if blocking
                    else "none blocks approval."
                )
            )
        self.bottom_tabs.setTabText(0, f"Checks ({blocking} blocking)" if blocking else f"Checks ({count})")
        if review.diff is not None:
            self.diff_view.setHtml(diff_html(review.diff, directory))
            self.bottom_tabs.setTabText(1, f"Changes since version {review.previous}")
        else:
            self.diff_view.setHtml(
                "<p><b>First review.</b> No earlier version of this draft was approved, so there is nothing "
                "to compare with: read it whole.</p>"
            )
            self.bottom_tabs.setTabText(1, "Changes (first review)")
        self.detail_stack.setCurrentWidget(self.detail)
        self._update_actions()

    @Slot(object)
    def _on_theme_changed(self, _theme: object) -> None:
        # The changes are HTML with the old theme's colours written in.
        review = self._review
        if review is not None and review.diff is not None:
            self.diff_view.setHtml(diff_html(review.diff, review.directory))

    def _show_variants(self, review: ReviewDetail) -> None:
        current = (
            self.variant_tabs.tabText(self.variant_tabs.currentIndex()) if self.variant_tabs.count() else ""
        )
        self.variant_tabs.clear()
        draft, directory = review.draft, review.directory
        for tp_id in draft.touchpoint_ids:
            variant = draft.variants.get(tp_id)
            view = MarkdownPreview()
            used, limit, markdown = review.lengths.get(
                tp_id, (len(variant.text) if variant else 0, None, False)
            )
            text = variant.text if variant is not None else ""
            if markdown:
                view.setMarkdown(text)
            else:
                view.setPlainText(text)
            name = directory.touchpoint_name(tp_id)
            counted = f"{used:,} / {limit:,}" if limit else f"{used:,}"
            over = limit is not None and used > limit
            index = self.variant_tabs.addTab(view, f"{name} · {counted}{' ⚠' if over else ''}")
            how = "written for it" if variant is not None and variant.edited else "derived from the body"
            self.variant_tabs.setTabToolTip(index, f"As it will appear on {name} ({how}); counted {counted}.")
        body = MarkdownPreview()
        body.setMarkdown(draft.body)
        self.variant_tabs.addTab(body, "Body")
        for index in range(self.variant_tabs.count()):
            if self.variant_tabs.tabText(index) == current:
                self.variant_tabs.setCurrentIndex(index)

    # --------------------------------------------------------------- commands
    @Slot()
    def _on_findings_selection_changed(self) -> None:
        finding = self.selected_finding()
        if finding is None:
            self.finding_detail.setText("")
        else:
            fix = ""
            if finding.suggestion is not None and finding.start >= 0:
                fix = f" Fix: “{finding.suggestion}”." if finding.suggestion else " Fix: remove the words."
            elif finding.suggestion:
                fix = f" {finding.suggestion}"
            self.finding_detail.setText(f"{finding.message}{fix} {self.finding_model.state_text(finding)}.")
        self._update_actions()

    def selected_finding(self) -> Any:
        """The finding selected in the review, or None."""
        rows = self.findings_table.selectionModel().selectedRows()
        return self.finding_model.object_at(rows[0].row()) if rows else None

    def approve_selected(self) -> None:
        """Pass the waiting approval step for the selected draft (Ctrl+Shift+A)."""
        entry = self.selected_entry()
        if entry is None:
            return
        if entry.draft.status is not DraftStatus.IN_REVIEW:
            self._show_message(
                f"“{entry.draft.title}” is not in review; only drafts in review are approved.", error=True
            )
            return
        self._run(draft_tasks.run_action, entry.id, "approve", "", text="Approving", action="approve")

    def request_changes_selected(self) -> None:
        """Ask why, then send the selected draft back to its author (Ctrl+Shift+R)."""
        entry = self.selected_entry()
        if entry is None:
            return
        draft_id = entry.id
        ask_text(
            self,
            "Request changes",
            f"What should change in “{entry.draft.title}”? The author and the audit log will read it.",
            lambda reason: self._run(
                draft_tasks.run_action,
                draft_id,
                "request_changes",
                reason,
                text="Sending back",
                action="request_changes",
            ),
            held_as="reason_dialog",
        )

    def waive_selected(self) -> None:
        """Ask why the selected finding may stay, then waive it."""
        entry, finding = self.selected_entry(), self.selected_finding()
        if entry is None or finding is None:
            self._show_message("Select the finding to waive in the Checks list first.", error=True)
            return
        draft_id, key = entry.id, finding.key
        ask_text(
            self,
            "Waive finding",
            f"Why may this stay as it is?\n“{finding.message}”",
            lambda reason: self._run(
                draft_tasks.waive_finding, draft_id, key, reason, text="Waiving", done="Waived the finding."
            ),
            held_as="reason_dialog",
        )

    def show_audit_log(self) -> AuditLogDialog | None:
        """Open the audit log dialog (not modal; the page keeps working)."""
        if self._editorial is None:
            return None
        if self.audit_dialog is not None:
            self.audit_dialog.raise_()
            return self.audit_dialog
        dialog = AuditLogDialog(self._runner, self._editorial, self._bridge, self)
        dialog.finished.connect(self._on_audit_dialog_finished)
        self.audit_dialog = dialog
        dialog.show()
        return dialog

    def _on_audit_action_triggered(self) -> None:
        self.show_audit_log()

    def _on_audit_dialog_finished(self, _result: int) -> None:
        if self.audit_dialog is not None:
            self.audit_dialog.deleteLater()
        self.audit_dialog = None

    def _on_open_action_triggered(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.draft_open_requested.emit(entry.id)

    def _run(self, fn: Callable[..., Any], *args: Any, text: str, action: str = "", done: str = "") -> None:
        user = self._user
        if self._editorial is None or user is None or self._job is not None:
            return
        guard = self._guard
        self.activity.show_busy(text)

        def on_result(draft: Any) -> None:
            if done:
                sentence = done
            elif action == "approve" and draft.status is DraftStatus.IN_REVIEW:
                sentence = f"Approved your step; “{draft.title}” waits for the next approval step."
            else:
                sentence = f"“{draft.title}” is now {draft_tasks.status_words(draft.status)}."
            self._show_message(sentence)
            if self._review is not None and self._review.draft.id == draft.id:
                self._load_review(draft.id)

        def on_finished() -> None:
            self._job = None
            self._update_actions()

        handle = self._runner.run(
            fn,
            self._editorial,
            user,
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

    # ------------------------------------------------------------------ state
    def _refusal(self, role: Role, doing: str) -> str:
        """Why the person may not do ``doing`` (needs ``role``), or "" when they may."""
        if self._workspace is not None and self._workspace.read_only:
            return str(self._workspace.read_only_reason)
        user = self._user
        if user is None:
            return "Curator does not know who you are yet."
        if is_guest(user):
            return (
                f"You ({user.login}) are not a member of this workspace, so you can read the queue "
                f"but not {doing}."
            )
        if not user.has_role(role):
            return f"{user.name} cannot {doing}: that needs the {role.value} role."
        return ""

    def _update_state(self) -> None:
        reviews, approved = self.review_model.rowCount(), self.approved_model.rowCount()
        self.review_label.setText(f"In review ({reviews})")
        self.approved_label.setText(f"Approved, waiting for scheduling ({approved})")
        empty = self._loaded and reviews == 0 and approved == 0
        self.stack.setCurrentWidget(self.empty_state if empty else self.splitter)
        if self._workspace is None:
            self.header.set_summary("")
        elif not self._loaded:
            self.header.set_summary("Loading the queue…")
        else:
            blocked = sum(1 for e in self.review_model.objects() if e.blocking)
            parts = [f"{reviews} in review"]
            if blocked:
                parts.append(f"{blocked} with blocking findings")
            parts.append(f"{approved} approved, waiting for scheduling")
            self.header.set_summary(", ".join(parts))

    @Slot()
    def _update_actions(self) -> None:
        entry = self.selected_entry()
        busy = self._job is not None
        in_review = entry is not None and entry.draft.status is DraftStatus.IN_REVIEW
        approve_no = self._refusal(Role.APPROVER, "approve drafts")
        self.approve_action.setEnabled(in_review and not approve_no and not busy)
        self.request_action.setEnabled(
            entry is not None
            and entry.draft.status in (DraftStatus.IN_REVIEW, DraftStatus.APPROVED)
            and not approve_no
            and not busy
        )
        waive_role = self._review.waive_role if self._review is not None else Role.APPROVER
        waive_no = self._refusal(waive_role, "waive findings")
        finding = self.selected_finding()
        self.waive_action.setEnabled(
            finding is not None and self.finding_model.is_blocking(finding) and not waive_no and not busy
        )
        tip = approve_no or "Pass the waiting approval step for this version (Ctrl+Shift+A)"
        if not approve_no and self._review is not None and self._review.blocking:
            tip = f"{len(self._review.blocking)} finding(s) must be fixed or waived first (Ctrl+Shift+A)"
        self.approve_action.setToolTip(tip)
        self.waive_action.setToolTip(waive_no or "Accept the selected finding as it is, with a reason")
        self.open_action.setEnabled(entry is not None)
        self.audit_action.setEnabled(self._editorial is not None)


__all__ = ["ApprovalsView", "AuditLogDialog"]
