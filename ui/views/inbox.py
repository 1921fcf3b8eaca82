"""The Inbox page: the conversations that need an answer, worked from the keyboard.

On the left, the queues (Urgent, Reply, No reply, with counts) narrowed by
channel, assignee, issue, status and search; each row counts down to its
response target (amber in the warning window, red once missed). On the right,
the selected conversation: its messages across channels in time order, notes,
replies and history, the customer's earlier conversations, and the reply
editor.

Keys: J/K next and previous, A assign, R reply, Ctrl+Enter copy and mark sent,
E resolve, W waiting, N note, O move to another group, L link, Ctrl+R triage
new messages, Ctrl+F search. Every action runs through the
:class:`~ui.tasks.TaskRunner` (jobs in :mod:`ui.views.inbox_tasks`) and ends
with a sentence in the page's activity strip; the store's events bring the
changes back into the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Channel, Role, User, utcnow
from curator.errors import CuratorError
from ui.formatting import channel_label
from ui.models import StoreEvent, StoreEventBridge
from ui.models_inbox import (
    ANYONE,
    GROUP_PREFIX,
    UNASSIGNED,
    InboxFilterProxyModel,
    InboxTableModel,
    timer_text,
)
from ui.tasks import CoalescedTask, TaskHandle, TaskRunner
from ui.views import inbox_tasks
from ui.views.inbox_tasks import (
    GROUP_NAMES,
    MASK_CHUNK,
    NONE,
    OPEN,
    REPLY,
    RESOLVED,
    URGENT,
    WAITING,
    DeskGate,
    InboxSnapshot,
    PaneData,
    TemplateChoice,
    pseudonym,
)
from ui.views.inbox_widgets import (
    ConversationPane,
    LinkDialog,
    OverrideDialog,
    RulesDialog,
    TargetsDialog,
)
from ui.views.sources import make_table
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page
from ui.widgets.timers import single_shot

#: Automatic triage runs at most this often (new items arrive in bursts).
AUTO_TRIAGE_INTERVAL_S = 60.0
#: How often the desk is asked for warnings and breaches to notify.
NOTIFY_INTERVAL_MS = 30_000
#: The timers count down once a second.
TICK_MS = 1_000
#: Typing pauses this long before the draft is saved (and checked for personal data).
AUTOSAVE_MS = 1_200
#: Store changes in this window are read back in one refresh.
REFRESH_DELAY_MS = 150
#: Moving through the list loads the conversation once the selection rests this long.
PANE_DELAY_MS = 60
#: More notifications than this at once are told as one sentence.
NOTIFY_ONE_BY_ONE = 3
#: Tables whose changes can change a row of the list.
_LIST_TABLES = frozenset({"conversations", "triage", "items", "issues", "users", "config", "replies"})
#: Tables whose changes can change the conversation shown.
_PANE_TABLES = frozenset({"conversations", "triage", "replies", "desk_events", "items", "users"})

_STATUS_CHOICES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Open and waiting", frozenset({OPEN, WAITING})),
    ("Open", frozenset({OPEN})),
    ("Waiting for the customer", frozenset({WAITING})),
    ("Resolved", frozenset({RESOLVED})),
    ("Any status", frozenset({OPEN, WAITING, RESOLVED})),
)
_QUEUES = ((URGENT, "Urgent"), (REPLY, "Reply"), (NONE, "No reply"))
_ME = "me"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


class InboxView(QWidget):
    """Queues of conversations on the left, the selected conversation and its reply on the right."""

    #: A page job (triage, an action, a reply) ended: (its sentence, whether it failed).
    activity_finished = Signal(str, bool)
    #: A warning or breach to tell the user about (the main window shows a desktop notification).
    notified = Signal(str)
    #: The pane shows a freshly loaded conversation: (conversation id).
    conversation_loaded = Signal(str)
    #: A read of the list was applied (the first load or a refresh).
    rows_refreshed = Signal()
    #: An editor asked for a draft citing a conversation's messages: (item ids).
    draft_requested = Signal(list)

    def __init__(
        self, runner: TaskRunner, parent: QWidget | None = None, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        """Build the page (nothing is read until :meth:`attach`).

        Args:
            runner: runs every read and action off the main thread.
            parent: Qt parent.
            clock: the time timers count down to and the desk records (injectable for tests).
        """
        super().__init__(parent)
        self._runner = runner
        self._clock = clock
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._gate: DeskGate | None = None
        self._refresher: CoalescedTask | None = None
        self._generation = 0
        self._user: User | None = None
        self._may_unmask = False
        self._job: TaskHandle | None = None
        self._action_task: TaskHandle | None = None
        self._reply_job: TaskHandle | None = None
        self._detail_task: TaskHandle | None = None
        self._mask_task: TaskHandle | None = None
        self._save_again = False
        self._send_after_save = False
        self._pane_stale = False
        self._last_auto_triage = float("-inf")
        self._notify_since: datetime | None = None
        self._alerts: list[tuple[str, str]] = []
        self._snapshot: InboxSnapshot | None = None
        self._templates: list[TemplateChoice] = []
        self._ticks = 0
        self._removed_at: int | None = None
        # One menu, filled each time it opens (a popup deleted later deactivates the window on some
        # platforms, and A must not lose the keyboard).
        self.assign_menu = QMenu(self)
        self.assign_menu.setObjectName("assignMenu")
        self._groups_menu = QMenu("Expert group", self.assign_menu)
        self.note_dialog: QInputDialog | None = None
        self.share_dialog: QInputDialog | None = None
        self.unlink_dialog: QInputDialog | None = None
        self.override_dialog: OverrideDialog | None = None
        self.link_dialog: LinkDialog | None = None
        self.rules_dialog: RulesDialog | None = None
        self.targets_dialog: TargetsDialog | None = None
        self.export_dialog: QFileDialog | None = None

        self.header = PageHeader("Inbox")
        self.model = InboxTableModel(self, clock=clock)
        self.proxy = InboxFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self._build_actions()
        self._build_layout()

        self.model.rows_loaded.connect(self._on_model_rows_loaded)
        self.proxy.counts_changed.connect(self._on_proxy_counts_changed)
        self.proxy.rowsAboutToBeRemoved.connect(self._on_proxy_rows_about_to_be_removed)
        self.proxy.rowsRemoved.connect(self._on_proxy_rows_removed)
        self.proxy.modelReset.connect(self._on_proxy_changed)
        self.proxy.rowsInserted.connect(self._on_proxy_changed)
        self.proxy.layoutChanged.connect(self._on_proxy_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self._on_tick_timer_timeout)
        self.notify_timer = QTimer(self)
        self.notify_timer.setInterval(NOTIFY_INTERVAL_MS)
        self.notify_timer.timeout.connect(self._on_notify_timer_timeout)
        self.auto_triage_timer = QTimer(self)
        self.auto_triage_timer.setSingleShot(True)
        self.auto_triage_timer.timeout.connect(self._on_auto_triage_timer_timeout)
        self._refresh_timer = single_shot(self, REFRESH_DELAY_MS, self._on_refresh_timer_timeout)
        self._pane_timer = single_shot(self, PANE_DELAY_MS, self._on_pane_timer_timeout)
        self._state_timer = single_shot(self, 0, self._update_state)
        self.autosave_timer = single_shot(self, AUTOSAVE_MS, self._on_autosave_timer_timeout)
        self._update_actions()
        self._update_state()

    # ------------------------------------------------------------------ build
    def _action(self, text: str, tip: str, shortcuts: tuple[str, ...], slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        keys = " or ".join(
            QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts
        )
        action.setToolTip(f"{tip} ({keys})" if shortcuts else tip)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.triage_action = a(
            "Triage new",
            "Sort new customer messages into conversations and queues",
            ("Ctrl+R",),
            self.triage_now,
        )
        self.next_action = a("Next", "Next conversation (or Down in the list)", ("J",), self.select_next)
        self.previous_action = a(
            "Previous", "Previous conversation (or Up in the list)", ("K",), self.select_previous
        )
        self.assign_action = a(
            "Assign", "Assign to you, to a person or to an expert group", ("A",), self.open_assign_menu
        )
        self.reply_action = a("Reply", "Write the reply", ("R",), self.focus_reply)
        self.send_action = a(
            "Copy and mark sent",
            "Copy the reply to the clipboard and record it as sent; paste it into the channel",
            ("Ctrl+Return", "Ctrl+Enter"),
            self.copy_and_mark_sent,
        )
        self.waiting_action = a(
            "Waiting", "Waiting for the customer: stops the timer", ("W",), self.set_waiting
        )
        self.resolve_action = a("Resolve", "Resolve the conversation", ("E",), self.resolve)
        self.reopen_action = a("Reopen", "Open the conversation again", (), self.reopen)
        self.note_action = a("Note", "Add an internal note (never sent)", ("N",), self.open_note_dialog)
        self.override_action = a(
            "Move…",
            "Move the conversation to another group, with a reason",
            ("O",),
            self.open_override_dialog,
        )
        self.link_action = a(
            "Link…", "Link with another conversation of the same customer", ("L",), self.open_link_dialog
        )
        self.unlink_action = a(
            "Unlink…",
            "Undo a link: the other conversation's messages go back",
            ("Shift+L",),
            self.open_unlink_dialog,
        )
        self.share_action = a(
            "Share to wall…",
            "Share the resolved conversation to the wall, masked",
            (),
            self.open_share_dialog,
        )
        self.draft_action = a(
            "Draft from this",
            "Start a draft (for the brand's channels) citing this conversation's messages",
            ("Ctrl+D",),
            self.draft_from_conversation,
        )
        self.rules_action = a(
            "Rules…", "See and edit the triage rules, with a preview", (), self.open_rules_dialog
        )
        self.targets_action = a(
            "Targets…", "Minutes to answer per channel and group", (), self.open_targets_dialog
        )
        self.list_action = a(
            "Back to the list", "Put the keyboard back on the list", ("Esc",), self.focus_list
        )
        self.search_action = a("Search", "Search the conversations", ("Ctrl+F",), self._focus_search)
        self.queue_actions = [
            a(
                f"{label} queue",
                f"Show the {label.lower()} queue",
                (f"Alt+{n}",),
                partial(self.set_queue, group),
            )
            for n, (group, label) in enumerate(_QUEUES, start=1)
        ]
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            self.triage_action,
            None,
            self.assign_action,
            self.reply_action,
            self.waiting_action,
            self.resolve_action,
            self.reopen_action,
            self.note_action,
            self.override_action,
            self.link_action,
            self.unlink_action,
            self.share_action,
            self.draft_action,
            None,
            self.rules_action,
            self.targets_action,
        ):
            if action is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.keys_label = QLabel("Keys")
        self.keys_label.setObjectName("inboxKeys")  # drawn as a key cap by the theme's style sheet
        self.keys_label.setToolTip(self.shortcut_list())
        self.toolbar.addWidget(self.keys_label)

    def shortcut_list(self) -> str:
        """Every key of the page, one a line (the "Keys" tooltip)."""
        lines = []
        for action in (
            self.next_action,
            self.previous_action,
            self.assign_action,
            self.reply_action,
            self.send_action,
            self.resolve_action,
            self.waiting_action,
            self.note_action,
            self.override_action,
            self.link_action,
            self.unlink_action,
            self.triage_action,
            self.search_action,
            self.list_action,
            *self.queue_actions,
        ):
            keys = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
            lines.append(f"{keys}\t{action.text().rstrip('…')}")
        return "\n".join(lines)

    def _build_layout(self) -> None:
        # Header badge: warnings and breaches told since the page opened.
        self.alerts_button = QToolButton()
        self.alerts_button.setObjectName("inboxAlerts")  # a red badge, from the theme's style sheet
        self.alerts_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.alerts_menu = QMenu(self.alerts_button)
        self.alerts_button.setMenu(self.alerts_menu)
        self.alerts_button.hide()
        header_row = self.header.layout()
        if header_row is not None:
            header_row.addWidget(self.alerts_button)

        # Queues and filters.
        self.queue_group = QButtonGroup(self)
        self.queue_group.setExclusive(True)
        self.queue_buttons: dict[str, QToolButton] = {}
        queues = QHBoxLayout()
        queues.setSpacing(0)
        for n, (group, label) in enumerate(_QUEUES, start=1):
            button = QToolButton()
            button.setObjectName(f"queue_{group}")
            button.setCheckable(True)
            button.setText(label)
            button.setToolTip(f"{label} (Alt+{n})")
            button.setMinimumWidth(110)
            button.setProperty("segment", True)  # a segmented control, from the theme's style sheet
            button.clicked.connect(lambda _checked=False, g=group: self.set_queue(g))
            self.queue_group.addButton(button)
            self.queue_buttons[group] = button
            queues.addWidget(button)
        self.queue_buttons[URGENT].setChecked(True)
        queues.addStretch(1)
        self.reveal_check = QCheckBox("Show personal data")
        self.reveal_check.setObjectName("revealCheck")
        self.reveal_check.setEnabled(False)
        self.reveal_check.toggled.connect(self._on_reveal_check_toggled)
        queues.addWidget(self.reveal_check)

        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channelFilter")
        self.channel_combo.setToolTip("Show one channel")
        self.channel_combo.addItem("All channels", None)
        self.channel_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.assignee_combo = QComboBox()
        self.assignee_combo.setObjectName("assigneeFilter")
        self.assignee_combo.setToolTip("Show one person's or expert group's conversations")
        self.assignee_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.issue_combo = QComboBox()
        self.issue_combo.setObjectName("issueFilter")
        self.issue_combo.setToolTip("Show conversations about one hot issue")
        self.issue_combo.setMaximumWidth(200)
        self.issue_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        for label, statuses in _STATUS_CHOICES:
            self.status_combo.addItem(label, statuses)
        self.status_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("inboxSearch")
        self.search_edit.setPlaceholderText("Search (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.proxy.set_search_text)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for combo in (self.channel_combo, self.assignee_combo, self.issue_combo, self.status_combo):
            filters.addWidget(combo)
        filters.addWidget(self.search_edit, 1)

        m = InboxTableModel
        self.table = make_table(
            self.proxy,
            {m.COL_TIMER: 116, m.COL_CUSTOMER: 122, m.COL_CHANNEL: 92, m.COL_WHY: 150, m.COL_ASSIGNEE: 104},
            m.COL_LAST,
        )
        self.table.setObjectName("inboxTable")
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionsMovable(False)
        self.table.sortByColumn(m.COL_TIMER, Qt.SortOrder.AscendingOrder)
        self.queue_empty = EmptyState("inbox", "Nothing here", "")
        self.queue_empty.setObjectName("queueEmpty")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.queue_empty)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.setSpacing(6)
        left_column.addLayout(queues)
        left_column.addLayout(filters)
        left_column.addWidget(self.list_stack, 1)

        self.pane = ConversationPane()
        self.pane.earlier_activated.connect(self._on_pane_earlier_activated)
        editor = self.pane.reply_editor
        editor.text_edited.connect(self._on_editor_text_edited)
        editor.channel_changed.connect(self._on_editor_channel_changed)
        editor.template_chosen.connect(self._on_editor_template_chosen)
        editor.send_requested.connect(self.copy_and_mark_sent)
        editor.export_requested.connect(self.open_export_dialog)
        editor.discard_requested.connect(self.discard_draft)
        self.pane_hint = EmptyState(
            "inbox", "Select a conversation", "Its messages across channels show here."
        )
        self.pane_stack = QStackedWidget()
        self.pane_stack.setMinimumWidth(380)
        self.pane_stack.addWidget(self.pane_hint)
        self.pane_stack.addWidget(self.pane)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane_stack)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([740, 480])

        self.empty_state = EmptyState(
            "inbox",
            "No conversations yet",
            "Customer messages from your sources (social mentions, reviews, forum posts, e-mails) land here "
            "once triaged, grouped by customer, with the time left to answer. Fetch your sources, then "
            "press “Triage new” (Ctrl+R).",
            "Triage new",
        )
        self.empty_state.setObjectName("inboxEmpty")
        self.empty_state.action_triggered.connect(self.triage_now)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_state)

        self.activity = ActivityBar()
        self.activity.cancel_requested.connect(self._on_activity_cancel_requested)
        lay_out_page(self, self.header, self.toolbar, self.activity, self.stack, spacing=6)
        self._fill_assignees()
        self._fill_issues({})

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``'s conversations and follow its changes; triage new messages soon."""
        self.detach()
        self._workspace = workspace
        self._bridge = bridge
        gate = self._gate = DeskGate(workspace, self._clock)
        guard = self._guard
        self._refresher = CoalescedTask(
            self._runner,
            lambda progress: inbox_tasks.load_inbox(progress, gate),
            guard(self._on_inbox_loaded),
            parent=self,
        )
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._last_auto_triage = float("-inf")
        self._notify_since = self._clock()
        self._refresher.request()
        self._runner.run(inbox_tasks.list_templates, gate, on_result=guard(self._on_templates_loaded))
        if not workspace.read_only:
            self._runner.run(inbox_tasks.needs_triage, gate, on_result=guard(self._on_needs_triage_done))
        self.tick_timer.start()
        self.notify_timer.start()
        self._update_actions()
        self._update_state()

    def detach(self) -> None:
        """Stop following the workspace (before it closes): cancel the page's jobs, forget the rows."""
        if self._workspace is None:
            return
        self._generation += 1
        for dialog in (
            self.note_dialog,
            self.share_dialog,
            self.unlink_dialog,
            self.override_dialog,
            self.link_dialog,
            self.rules_dialog,
            self.targets_dialog,
            self.export_dialog,
            self.pane.reply_editor.reason_dialog,
        ):
            if dialog is not None:
                dialog.reject()
        self.assign_menu.close()
        for handle in (self._job, self._action_task, self._reply_job, self._detail_task, self._mask_task):
            if handle is not None:
                handle.cancel()
        self._job = self._action_task = self._reply_job = self._detail_task = self._mask_task = None
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher.deleteLater()
            self._refresher = None
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        for timer in (
            self.tick_timer,
            self.notify_timer,
            self.auto_triage_timer,
            self._refresh_timer,
            self.autosave_timer,
            self._pane_timer,
            self._state_timer,
        ):
            timer.stop()
        self.activity.clear()
        self.model.clear()
        self._snapshot = None
        self._alerts.clear()
        self._update_alerts()
        self._show_pane(None)
        self._workspace = self._gate = None
        self._update_actions()
        self._update_state()

    @property
    def read_only(self) -> bool:
        """True when the open workspace may not be changed."""
        return self._workspace is None or bool(self._workspace.read_only)

    def set_user(self, user: User | None, may_unmask: bool) -> None:
        """The person acting: the desk records them, "me" filters by them, and they may reveal data or not."""
        self._user = user
        self._may_unmask = may_unmask
        self.reveal_check.setEnabled(may_unmask)
        self.reveal_check.setToolTip(
            "Show customers' names and the original texts with e-mail addresses and phone numbers"
            if may_unmask
            else "Your role may not reveal personal data (Settings › Team says which roles may)."
        )
        if not may_unmask and self.reveal_check.isChecked():
            self.reveal_check.setChecked(False)
        self._fill_assignees()
        self._update_actions()

    # ------------------------------------------------------------------- jobs
    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once the page moved on to another workspace."""
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    @staticmethod
    def _running(handle: TaskHandle | None) -> bool:
        return handle is not None and not handle.done

    @staticmethod
    def _sentence(exc: BaseException) -> str:
        if isinstance(exc, CuratorError):
            return str(exc)
        return f"Something unexpected went wrong ({type(exc).__name__}: {exc})."

    def _finish(self, text: str, *, error: bool = False) -> None:
        self.activity.show_message(text, error=error)
        self.activity_finished.emit(text, error)

    def _on_job_failed(self, exc: BaseException) -> None:
        self._finish(self._sentence(exc), error=True)

    def _start_job(
        self,
        fn: Callable[..., Any],
        *args: Any,
        text: str,
        on_result: Callable[[Any], None],
        cancellable: bool = False,
    ) -> bool:
        """Run one long page job (triage, saving rules): progress in the activity strip."""
        if self._gate is None or self.read_only or self._running(self._job):
            return False
        guard = self._guard
        self.activity.show_busy(text, cancellable=cancellable)
        handle = self._runner.run(
            fn,
            self._gate,
            *args,
            on_result=guard(on_result),
            on_error=guard(self._on_job_failed),
            on_progress=guard(self.activity.show_progress),
            on_cancelled=guard(lambda: self._finish("Cancelled; what was done is kept.")),
            on_finished=guard(self._on_job_finished),
            description=text,
        )
        self._job = None if handle.done else handle
        self._update_actions()
        return True

    def _on_job_finished(self) -> None:
        self._job = None
        self._update_actions()

    def _run_action(
        self,
        fn: Callable[..., Any],
        *args: Any,
        text: str,
        on_result: Callable[[Any], None] | None = None,
    ) -> bool:
        """Run one conversation action (assign, note, status...) as the acting person; then its sentence."""
        if self._gate is None or self.read_only or self._running(self._action_task):
            return False
        guard = self._guard

        def done(result: Any) -> None:
            if on_result is not None:
                on_result(result)
            if isinstance(result, str):
                self._finish(result)

        handle = self._runner.run(
            fn,
            self._gate,
            self._user,
            *args,
            on_result=guard(done),
            on_error=guard(self._on_job_failed),
            on_finished=guard(self._on_action_finished),
            description=text,
        )
        self._action_task = None if handle.done else handle
        self._update_actions()
        return True

    def _on_action_finished(self) -> None:
        self._action_task = None
        self._update_actions()

    @Slot()
    def _on_activity_cancel_requested(self) -> None:
        if self._job is not None:
            self._job.cancel()

    # ---------------------------------------------------------------- the list
    def _on_inbox_loaded(self, snapshot: InboxSnapshot) -> None:
        self._snapshot = snapshot
        shown = self.pane.data.conversation if self.pane.data is not None else None
        self.model.apply_rows(snapshot.rows, snapshot.targets)
        self.proxy.settle()
        self._fill_channels(snapshot)
        self._fill_assignees()
        self._fill_issues(snapshot.issues)
        self._mask_next()
        if shown is not None:
            row = self.model.row_of(shown.id)
            if row is None or self.model.row_object(row).conversation != shown or self._pane_stale:
                self._load_pane(keep_editor=True)
        self._pane_stale = False
        self._ensure_selection()
        self._update_state()
        self._update_actions()
        self.rows_refreshed.emit()

    @Slot()
    def _on_model_rows_loaded(self) -> None:
        self._ensure_selection()

    def _mask_next(self) -> None:
        """Mask the next chunk of last messages in the background (NER is slow; one chunk at a time)."""
        if self._gate is None or self._running(self._mask_task):
            return
        texts = self.model.unmasked_texts()[:MASK_CHUNK]
        if not texts:
            return
        guard = self._guard

        def masked(result: dict[str, str]) -> None:
            self.model.set_masked(result)
            QTimer.singleShot(0, guard(self._mask_next))  # the next chunk, once this one is shown

        def finished() -> None:
            self._mask_task = None

        handle = self._runner.run(
            inbox_tasks.mask_texts,
            self._gate,
            texts,
            on_result=guard(masked),
            on_error=guard(self._on_mask_failed),
            on_finished=guard(finished),
        )
        self._mask_task = None if handle.done else handle

    def _on_mask_failed(self, exc: BaseException) -> None:
        # Rows keep saying their text is hidden (nothing leaks); the next refresh tries again.
        self.activity.show_message(f"Personal data could not be masked: {self._sentence(exc)}", error=True)

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table in _LIST_TABLES:
            self._refresh_timer.start()
        if event.table in _PANE_TABLES:
            self._pane_stale = True
        if event.table == "items" and (event.inserted or event.reset):
            self._request_auto_triage()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self._refresher is not None:
            self._refresher.request()

    def refresh(self) -> None:
        """Read the conversations again (after a change outside the store's events, such as a clock jump)."""
        if self._refresher is not None:
            self._refresher.request()

    @Slot()
    def _on_tick_timer_timeout(self) -> None:
        self.model.tick()
        self._ticks += 1
        self._show_pane_timer()
        if self._ticks % 5 == 0:
            self._update_summary()

    def tick(self) -> None:
        """Count the timers down now (what the once-a-second timer does)."""
        self._on_tick_timer_timeout()

    # ------------------------------------------------------------------ filters
    def set_queue(self, group: str | None) -> None:
        """Show the urgent, reply or no-reply queue."""
        if group in self.queue_buttons:
            self.queue_buttons[group].setChecked(True)
        self.proxy.set_queue(group)
        self._ensure_selection()
        self._update_state()

    @property
    def queue(self) -> str | None:
        """The queue shown."""
        return self.proxy.queue

    def _fill_channels(self, snapshot: InboxSnapshot) -> None:
        current = self.channel_combo.currentData()
        channels = sorted({Channel(r.conversation.channel) for r in snapshot.rows}, key=channel_label)
        if [self.channel_combo.itemData(i) for i in range(1, self.channel_combo.count())] == channels:
            return
        self.channel_combo.blockSignals(True)
        self.channel_combo.clear()
        self.channel_combo.addItem("All channels", None)
        from ui.models_inbox import channel_icon

        for channel in channels:
            self.channel_combo.addItem(channel_icon(channel), channel_label(channel), channel)
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(current)))
        self.channel_combo.blockSignals(False)
        self._on_filter_changed()

    def _fill_assignees(self) -> None:
        current = self.assignee_combo.currentData()
        entries: list[tuple[str, str | None]] = [("Anyone", ANYONE)]
        if self._user is not None:
            entries.append(("Me", _ME))
        entries.append(("Unassigned", UNASSIGNED))
        snapshot = self._snapshot
        if snapshot is not None:
            entries += [(p.name, p.id) for p in snapshot.people if p.assignable]
            entries += [(f"{s.capitalize()} queue", GROUP_PREFIX + s) for s in snapshot.skills]
        if [
            (self.assignee_combo.itemText(i), self.assignee_combo.itemData(i))
            for i in range(self.assignee_combo.count())
        ] == entries:
            return
        self.assignee_combo.blockSignals(True)
        self.assignee_combo.clear()
        for label, value in entries:
            self.assignee_combo.addItem(label, value)
        self.assignee_combo.setCurrentIndex(max(0, self.assignee_combo.findData(current)))
        self.assignee_combo.blockSignals(False)
        self._on_filter_changed()

    def _fill_issues(self, issues: dict[str, str]) -> None:
        current = self.issue_combo.currentData()
        entries = [
            ("Any issue", None),
            *sorted(((label, i) for i, label in issues.items()), key=lambda e: e[0].casefold()),
        ]
        if [
            (self.issue_combo.itemText(i), self.issue_combo.itemData(i))
            for i in range(self.issue_combo.count())
        ] == entries:
            return
        self.issue_combo.blockSignals(True)
        self.issue_combo.clear()
        for label, value in entries:
            self.issue_combo.addItem(label, value)
            self.issue_combo.setItemData(self.issue_combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.issue_combo.setCurrentIndex(max(0, self.issue_combo.findData(current)))
        self.issue_combo.blockSignals(False)
        self._on_filter_changed()

    def set_filters(
        self,
        *,
        channel: Channel | None = None,
        assignee: str | None = ANYONE,
        issue_id: str | None = None,
        statuses: frozenset[str] | None = None,
    ) -> None:
        """Choose filters as the combos do (``assignee``: a person's id, "me", "" or "group:<name>")."""
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(channel)))
        self.assignee_combo.setCurrentIndex(max(0, self.assignee_combo.findData(assignee)))
        self.issue_combo.setCurrentIndex(max(0, self.issue_combo.findData(issue_id)))
        wanted = statuses or frozenset({OPEN, WAITING})
        for row in range(self.status_combo.count()):
            if self.status_combo.itemData(row) == wanted:
                self.status_combo.setCurrentIndex(row)
        self._on_filter_changed()

    @Slot()
    def _on_filter_changed(self, *_args: Any) -> None:
        assignee = self.assignee_combo.currentData()
        if assignee == _ME:
            assignee = self._user.id if self._user is not None else UNASSIGNED
        self.proxy.set_channel(self.channel_combo.currentData())
        self.proxy.set_assignee(assignee)
        self.proxy.set_issue(self.issue_combo.currentData())
        self.proxy.set_statuses(self.status_combo.currentData() or frozenset({OPEN, WAITING}))
        self._ensure_selection()
        self._update_state()

    def focus_list(self) -> None:
        """Put the keyboard back on the conversation list (Esc from the reply editor or the search)."""
        self.table.setFocus()
        self._ensure_selection()

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _on_search_edit_return_pressed(self) -> None:
        self.table.setFocus()
        self._ensure_selection()

    @Slot(dict)
    def _on_proxy_counts_changed(self, counts: dict[str, int]) -> None:
        for group, label in _QUEUES:
            self.queue_buttons[group].setText(f"{label}  {counts.get(group, 0):,}")
        self._update_summary()

    @Slot(bool)
    def _on_reveal_check_toggled(self, checked: bool) -> None:
        reveal = checked and self._may_unmask
        self.model.set_reveal_personal_data(reveal)
        self.pane.set_reveal_personal_data(reveal)

    # -------------------------------------------------------------- selection
    def selected_conversation_id(self) -> str | None:
        """The conversation of the current row (the one the pane shows or is loading)."""
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            return None
        source = self.proxy.mapToSource(index)
        return self.model.row_object(source.row()).id if source.isValid() else None

    def select_conversation(self, conversation_id: str) -> bool:
        """Select a conversation (its queue, clearing filters that hide it); False if it is not listed."""
        row = self.model.row_of(conversation_id)
        if row is None:
            return False
        if not self.proxy.mapFromSource(self.model.index(row, 0)).isValid():
            conv = self.model.row_object(row).conversation
            self.set_queue(str(conv.group))
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():
            self.search_edit.clear()
            self.set_filters(statuses=frozenset({OPEN, WAITING, RESOLVED}))
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():
            return False
        self._select_proxy_row(proxy_index.row())
        return True

    def _select_proxy_row(self, row: int) -> None:
        index = self.proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def _ensure_selection(self) -> None:
        """Keep a conversation selected while the queue has any (keyboard work needs a current row)."""
        if self.proxy.rowCount() and self.selected_conversation_id() is None:
            self._select_proxy_row(0)
        elif not self.proxy.rowCount() and self.pane.data is not None:
            self._show_pane(None)

    def select_next(self) -> None:
        """The next conversation of the queue (J)."""
        self._step(1)

    def select_previous(self) -> None:
        """The previous conversation of the queue (K)."""
        self._step(-1)

    def _step(self, delta: int) -> None:
        count = self.proxy.rowCount()
        if not count:
            return
        current = self.table.currentIndex()
        row = current.row() + delta if current.isValid() else 0
        self._select_proxy_row(min(max(row, 0), count - 1))
        self.table.setFocus()

    def _on_proxy_rows_about_to_be_removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        current = self.table.currentIndex()
        if current.isValid() and first <= current.row() <= last:
            self._removed_at = first
        else:
            self._removed_at = None

    def _on_proxy_rows_removed(self, *_args: Any) -> None:
        # The current conversation left the queue (resolved, moved): go on with the next one.
        if self._removed_at is not None and self.proxy.rowCount():
            self._select_proxy_row(min(self._removed_at, self.proxy.rowCount() - 1))
        self._removed_at = None
        self._on_proxy_changed()

    def _on_proxy_changed(self, *_args: Any) -> None:
        self._state_timer.start()  # once per burst of row changes

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conversation_id = self.selected_conversation_id() if current.isValid() else None
        if conversation_id is None:
            if not self.proxy.rowCount():
                self._show_pane(None)
        elif conversation_id != self.pane.conversation_id:
            self._save_draft_now()
            self._pane_timer.start()  # J held down loads only where it stops
        self._update_actions()

    # ------------------------------------------------------------------- pane
    @Slot()
    def _on_pane_timer_timeout(self) -> None:
        if self.selected_conversation_id() != self.pane.conversation_id:
            self._load_pane()

    def _load_pane(self, *, keep_editor: bool = False) -> None:
        conversation_id = self.selected_conversation_id()
        if conversation_id is None or self._gate is None:
            self._show_pane(None)
            return
        if self._detail_task is not None:
            self._detail_task.cancel()
        guard = self._guard

        def loaded(data: PaneData) -> None:
            if self.selected_conversation_id() != conversation_id:
                return  # the selection moved on; its own load follows
            self._show_pane(data, keep_editor=keep_editor)
            self.conversation_loaded.emit(data.conversation.id)

        def failed(exc: BaseException) -> None:
            if self.selected_conversation_id() == conversation_id:
                self.activity.show_message(self._sentence(exc), error=True)

        handle = self._runner.run(
            inbox_tasks.load_conversation,
            self._gate,
            conversation_id,
            self._user,
            on_result=guard(loaded),
            on_error=guard(failed),
            on_finished=guard(self._on_detail_task_finished),
        )
        self._detail_task = None if handle.done else handle

    def _on_detail_task_finished(self) -> None:
        self._detail_task = None

    def _show_pane(self, data: PaneData | None, *, keep_editor: bool = False) -> None:
        if data is None:
            self.pane.clear()
            self.pane_stack.setCurrentWidget(self.pane_hint)
        else:
            row = self.model.row_of(data.conversation.id)
            self.pane.set_explanation(self.model.row_object(row).explanation if row is not None else "")
            self.pane.show_data(data, keep_editor=keep_editor)
            self.pane_stack.setCurrentWidget(self.pane)
            self._show_pane_timer()
        self._update_actions()

    def _show_pane_timer(self) -> None:
        data = self.pane.data
        if data is None:
            return
        row = self.model.row_of(data.conversation.id)
        conv = self.model.row_object(row).conversation if row is not None else data.conversation
        timer = self.model.timer_of(self.model.row_object(row)) if row is not None else None
        self.pane.update_timer(timer, timer_text(timer, conv.status, conv.group))

    def _on_pane_earlier_activated(self, conversation_id: str) -> None:
        if not self.select_conversation(conversation_id):
            self.activity.show_message(
                "That conversation is not in the list any more; it may have been linked."
            )

    @property
    def shown_conversation(self) -> Any:
        """The conversation the pane shows (None when none)."""
        return self.pane.data.conversation if self.pane.data is not None else None

    # ------------------------------------------------------------- actions
    def _current(self) -> str | None:
        """The conversation actions apply to: the one shown, if it is still the selected one."""
        conversation_id = self.selected_conversation_id()
        return (
            conversation_id
            if conversation_id is not None and self.pane.conversation_id == conversation_id
            else None
        )

    def _row_conversation(self) -> Any:
        conversation_id = self.selected_conversation_id()
        row = self.model.row_of(conversation_id) if conversation_id else None
        return self.model.row_object(row).conversation if row is not None else None

    def open_assign_menu(self) -> None:
        """Assign the conversation: to you (the default entry), to a person, to an expert group (A)."""
        conversation_id = self.selected_conversation_id()
        if conversation_id is None or not self.assign_action.isEnabled():
            return
        conv = self._row_conversation()
        menu = self.assign_menu
        menu.clear()
        self._groups_menu.clear()
        to_me = menu.addAction("Assign to me")
        to_me.triggered.connect(lambda: self.assign(conversation_id, self._user.id if self._user else None))
        snapshot = self._snapshot
        people = [p for p in snapshot.people if p.assignable] if snapshot is not None else []
        if people:
            menu.addSeparator()
            for person in people:
                skills = f" ({', '.join(person.skills)})" if person.skills else ""
                act = menu.addAction(person.name + skills)
                act.setCheckable(True)
                act.setChecked(conv is not None and conv.assignee_id == person.id)
                act.triggered.connect(lambda _c=False, pid=person.id: self.assign(conversation_id, pid))
        groups = self._groups_menu
        menu.addMenu(groups)
        for skill in snapshot.skills if snapshot is not None else []:
            act = groups.addAction(skill.capitalize())
            act.setCheckable(True)
            act.setChecked(conv is not None and conv.expert_group == skill)
            act.triggered.connect(
                lambda _c=False, s=skill: self.assign(conversation_id, None, expert_group=s)
            )
        groups.addSeparator()
        groups.addAction("No expert group").triggered.connect(
            lambda: self.assign(conversation_id, None, expert_group="")
        )
        menu.addSeparator()
        menu.addAction("Unassign").triggered.connect(lambda: self.assign(conversation_id, UNASSIGNED))
        index = self.table.currentIndex()
        rect = self.table.visualRect(index)
        menu.popup(self.table.viewport().mapToGlobal(rect.bottomLeft() if rect.isValid() else QPoint(0, 0)))
        menu.setActiveAction(to_me)

    def assign(
        self, conversation_id: str, assignee_id: str | None, *, expert_group: str | None = None
    ) -> None:
        """Assign in the background (``""`` unassigns; None with ``expert_group`` only moves the queue)."""
        self._run_action(inbox_tasks.assign, conversation_id, assignee_id, expert_group, text="Assigning")

    def set_waiting(self) -> None:
        """Waiting for the customer: the timer stops (W)."""
        self._set_status(WAITING)

    def resolve(self) -> None:
        """Resolve the conversation (E); the next one in the queue is selected."""
        self._set_status(RESOLVED)

    def reopen(self) -> None:
        """Open the conversation again."""
        self._set_status(OPEN)

    def _set_status(self, status: str) -> None:
        conversation_id = self.selected_conversation_id()
        if conversation_id is None:
            return
        self._save_draft_now()
        self._run_action(inbox_tasks.set_status, conversation_id, status, text="Changing the status")

    def open_note_dialog(self) -> None:
        """Ask for an internal note (N)."""
        conversation_id = self.selected_conversation_id()
        if conversation_id is None or not self.note_action.isEnabled():
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("noteDialog")
        dialog.setWindowTitle("Internal note")
        dialog.setLabelText("Only your team sees notes; they are never sent to the customer.")
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dialog.setOkButtonText("Add note")
        dialog.textValueSelected.connect(
            lambda text: self._run_action(inbox_tasks.add_note, conversation_id, text, text="Adding the note")
        )
        dialog.finished.connect(lambda _r: self._forget_dialog("note_dialog"))
        self.note_dialog = dialog
        dialog.open()

    def _forget_dialog(self, name: str) -> None:
        dialog = getattr(self, name)
        if dialog is not None:
            dialog.deleteLater()
        setattr(self, name, None)

    def open_override_dialog(self) -> None:
        """Ask which group the conversation belongs in and why (O)."""
        conv = self._row_conversation()
        if conv is None or not self.override_action.isEnabled():
            return
        dialog = OverrideDialog(str(conv.group), self)
        dialog.override_chosen.connect(
            lambda group, reason: self._run_action(
                inbox_tasks.override, conv.id, group, reason, text="Moving the conversation"
            )
        )
        dialog.finished.connect(lambda _r: self._forget_dialog("override_dialog"))
        self.override_dialog = dialog
        dialog.open()

    def open_link_dialog(self) -> None:
        """Pick another conversation of the same customer to link into this one (L)."""
        conversation_id = self.selected_conversation_id()
        if conversation_id is None or not self.link_action.isEnabled():
            return
        dialog = LinkDialog(self.model, conversation_id, self)
        dialog.link_chosen.connect(
            lambda other, reason: self._run_action(
                inbox_tasks.link, conversation_id, other, reason, text="Linking conversations"
            )
        )
        dialog.finished.connect(lambda _r: self._forget_dialog("link_dialog"))
        self.link_dialog = dialog
        dialog.open()

    def open_unlink_dialog(self) -> None:
        """Pick a linked conversation to split off again (Shift+L)."""
        conv = self._row_conversation()
        if conv is None or not conv.links or not self.unlink_action.isEnabled():
            return
        labels = {}
        for link in conv.links:
            who = "linked by hand" if link.user_id else "linked by Curator"
            reason = f": {link.reason}" if link.reason else ""
            count = len(link.item_ids)
            labels[f"{count} message{'s' * (count != 1)}, {who}{reason}"] = link.other_id
        dialog = QInputDialog(self)
        dialog.setObjectName("unlinkDialog")
        dialog.setWindowTitle("Unlink")
        dialog.setLabelText("Which linked conversation goes back to being its own?")
        dialog.setComboBoxItems(list(labels))
        dialog.setOkButtonText("Unlink")
        dialog.textValueSelected.connect(
            lambda label: self._run_action(
                inbox_tasks.unlink, conv.id, labels[label], text="Unlinking conversations"
            )
        )
        dialog.finished.connect(lambda _r: self._forget_dialog("unlink_dialog"))
        self.unlink_dialog = dialog
        dialog.open()

    def draft_from_conversation(self) -> None:
        """Hand the selected conversation's messages to the Drafts page (editors only)."""
        conv = self._row_conversation()
        if conv is not None and self.draft_action.isEnabled():
            self.draft_requested.emit(list(conv.item_ids))

    def open_share_dialog(self) -> None:
        """Ask how the customer agreed, then share the resolved conversation to the wall."""
        conv = self._row_conversation()
        if conv is None or not self.share_action.isEnabled():
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("shareDialog")
        dialog.setWindowTitle("Share to the wall")
        dialog.setLabelText(
            "How did the customer agree to be shown? (for example: asked by DM on 3 May, said yes)\n"
            "Names, e-mail addresses and phone numbers are masked on the wall."
        )
        dialog.setOkButtonText("Share")
        dialog.textValueSelected.connect(
            lambda note: self._run_action(
                inbox_tasks.share_to_wall, conv.id, note, text="Sharing to the wall"
            )
        )
        dialog.finished.connect(lambda _r: self._forget_dialog("share_dialog"))
        self.share_dialog = dialog
        dialog.open()

    # ----------------------------------------------------------------- triage
    def triage_now(self) -> None:
        """Triage new customer messages in the background (Ctrl+R)."""
        if self._start_job(
            inbox_tasks.triage_new, text="Triaging new messages", cancellable=True, on_result=self._on_triaged
        ):
            self._last_auto_triage = time.monotonic()

    def _on_triaged(self, summary: Any) -> None:
        self._finish(summary.sentence(), error=False)

    def _request_auto_triage(self) -> None:
        """Triage soon, at most once a minute; requests in between collapse into one run."""
        if self._gate is None or self.read_only or self.auto_triage_timer.isActive():
            return
        since = time.monotonic() - self._last_auto_triage
        wait = max(0.0, AUTO_TRIAGE_INTERVAL_S - since)
        self.auto_triage_timer.start(round(wait * 1000))

    @Slot()
    def _on_auto_triage_timer_timeout(self) -> None:
        if self._running(self._job):
            self.auto_triage_timer.start(5_000)
            return
        self.triage_now()

    def _on_needs_triage_done(self, needed: bool) -> None:
        if needed:
            self._request_auto_triage()

    # ---------------------------------------------------------------- replies
    def focus_reply(self) -> None:
        """Put the cursor in the reply editor (R)."""
        if self.pane.data is None or not self.reply_action.isEnabled():
            return
        self.pane.reply_editor.text.setFocus()

    def _request(self) -> inbox_tasks.ReplyRequest | None:
        editor = self.pane.reply_editor
        if not editor.conversation_id or editor.conversation_id != self.pane.conversation_id:
            return None
        return editor.request()

    def _may_write(self) -> bool:
        return (
            self._gate is not None
            and not self.read_only
            and self._user is not None
            and self._user.has_role(Role.AGENT)
        )

    def _on_editor_text_edited(self) -> None:
        self.autosave_timer.start()
        self._update_actions()

    def _on_editor_channel_changed(self) -> None:
        self.autosave_timer.start(200)

    @Slot()
    def _on_autosave_timer_timeout(self) -> None:
        self._save_draft()

    def _save_draft_now(self) -> None:
        """Save the editor's unsaved text before the pane moves on (or an action changes the conversation)."""
        if self.autosave_timer.isActive():
            self.autosave_timer.stop()
            self._save_draft()

    def _save_draft(self) -> None:
        editor = self.pane.reply_editor
        request = self._request()
        if request is None or not editor.dirty or not self._may_write():
            return
        if not request.text.strip() and request.reply_id is None:
            return
        if self._running(self._reply_job):
            self._save_again = True
            return
        self._save_again = False
        guard = self._guard

        def saved(reply: Any) -> None:
            editor.saved(reply)
            self._check_private(reply)

        handle = self._runner.run(
            inbox_tasks.save_reply,
            self._gate,
            self._user,
            request,
            on_result=guard(saved),
            on_error=guard(lambda exc: editor.show_error(self._sentence(exc))),
            on_finished=guard(self._on_reply_job_finished),
        )
        self._reply_job = None if handle.done else handle

    def _on_reply_job_finished(self) -> None:
        self._reply_job = None
        self.pane.reply_editor.set_busy(False)
        if self._send_after_save:
            self._send_after_save = False
            self.copy_and_mark_sent()
        elif self._save_again:
            self._save_draft()
        self._update_actions()

    def _check_private(self, reply: Any) -> None:
        if self._gate is None:
            return
        editor = self.pane.reply_editor
        guard = self._guard

        def suggested(suggestion: Any) -> None:
            if editor.reply_id == reply.id:
                editor.set_suggestion(suggestion)

        self._runner.run(
            inbox_tasks.suggest_private,
            self._gate,
            reply.id,
            on_result=guard(suggested),
            on_error=guard(lambda _exc: None),
        )

    def copy_and_mark_sent(self) -> None:
        """Copy the reply to the clipboard, then record it as sent (Ctrl+Enter): stops the timer."""
        editor = self.pane.reply_editor
        request = self._request()
        if request is None or not self._may_write():
            return
        if not request.text.strip():
            editor.show_error("Write the reply first; an empty reply cannot be sent.")
            return
        self.autosave_timer.stop()
        if self._running(self._reply_job):
            self._send_after_save = True
            return
        guard = self._guard
        editor.set_busy(True, "Copying…")

        def copied(result: tuple[Any, str]) -> None:
            reply, text = result
            editor.saved(reply)
            QGuiApplication.clipboard().setText(text)
            self._mark_sent(reply.id)

        handle = self._runner.run(
            inbox_tasks.prepare_copy,
            self._gate,
            self._user,
            request,
            on_result=guard(copied),
            on_error=guard(lambda exc: editor.show_error(self._sentence(exc))),
            on_finished=guard(self._on_reply_job_finished),
        )
        self._reply_job = None if handle.done else handle

    def _mark_sent(self, reply_id: str) -> None:
        editor = self.pane.reply_editor
        guard = self._guard

        def sent(sentence: str) -> None:
            if editor.reply_id == reply_id:
                editor.clear()
            self._finish(sentence)
            self._load_pane(keep_editor=True)

        def failed(exc: BaseException) -> None:
            editor.show_error(
                "The reply is on the clipboard, but could not be marked sent: " + self._sentence(exc)
            )

        self._runner.run(
            inbox_tasks.mark_sent,
            self._gate,
            self._user,
            reply_id,
            on_result=guard(sent),
            on_error=guard(failed),
            description="Marking the reply sent",
        )

    def open_export_dialog(self) -> None:
        """Ask where to write the reply (with where it goes), then write it."""
        if self._request() is None:
            return
        dialog = QFileDialog(self, "Export the reply", str(Path.home() / "reply.txt"), "Text files (*.txt)")
        dialog.setObjectName("exportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("txt")
        dialog.fileSelected.connect(lambda path: self.export_reply_to(Path(path)))
        dialog.finished.connect(lambda _r: self._forget_dialog("export_dialog"))
        self.export_dialog = dialog
        dialog.open()

    def export_reply_to(self, path: Path) -> None:
        """Save the draft and write it to ``path`` with a header saying where it goes."""
        editor = self.pane.reply_editor
        request = self._request()
        if request is None or not self._may_write() or self._running(self._reply_job):
            return
        self.autosave_timer.stop()
        guard = self._guard

        def written(sentence: str) -> None:
            self._finish(sentence)
            self._load_pane(keep_editor=True)

        editor.set_busy(True, "Exporting…")
        handle = self._runner.run(
            inbox_tasks.export_reply,
            self._gate,
            self._user,
            request,
            path,
            on_result=guard(written),
            on_error=guard(lambda exc: editor.show_error(self._sentence(exc))),
            on_finished=guard(self._on_reply_job_finished),
        )
        self._reply_job = None if handle.done else handle

    def discard_draft(self) -> None:
        """Delete the stored draft and empty the editor."""
        editor = self.pane.reply_editor
        if editor.reply_id is None or self._running(self._reply_job):
            return
        self.autosave_timer.stop()
        reply_id = editor.reply_id
        guard = self._guard

        def discarded(sentence: str) -> None:
            editor.clear()
            self._finish(sentence)

        handle = self._runner.run(
            inbox_tasks.discard_reply,
            self._gate,
            self._user,
            reply_id,
            on_result=guard(discarded),
            on_error=guard(lambda exc: editor.show_error(self._sentence(exc))),
            on_finished=guard(self._on_reply_job_finished),
        )
        self._reply_job = None if handle.done else handle

    def _on_templates_loaded(self, templates: list[TemplateChoice]) -> None:
        self._templates = templates
        self.pane.reply_editor.set_templates(templates)

    def _on_editor_template_chosen(self, template: TemplateChoice) -> None:
        conversation_id = self.pane.conversation_id
        if conversation_id is None or self._gate is None:
            return
        editor = self.pane.reply_editor
        guard = self._guard

        def filled(result: tuple[str, list[str]]) -> None:
            text, missing = result
            if self.pane.conversation_id != conversation_id:
                return
            editor.set_text(text)
            if missing:
                names = ", ".join("{" + name + "}" for name in missing)
                editor.hint.setText(f"Fill in {names}: Curator does not know it.")

        self._runner.run(
            inbox_tasks.fill_template,
            self._gate,
            self._user,
            conversation_id,
            template,
            editor.channel,
            on_result=guard(filled),
            on_error=guard(lambda exc: editor.show_error(self._sentence(exc))),
        )

    # -------------------------------------------------------------- rules, targets
    def _is_admin(self) -> bool:
        return self._user is not None and self._user.has_role(Role.ADMIN) and not self.read_only

    def open_rules_dialog(self) -> None:
        """Load the rules, then show them in the editor (Preview for anyone, Save for admins)."""
        if self._gate is None or self.rules_dialog is not None:
            return
        self._runner.run(
            inbox_tasks.load_rules,
            self._gate,
            on_result=self._guard(self._on_rules_loaded),
            on_error=self._guard(self._on_job_failed),
        )

    def _on_rules_loaded(self, rules: Any) -> None:
        dialog = RulesDialog(rules, self._is_admin(), self)
        dialog.reveal = self.model.reveal_personal_data
        dialog.preview_requested.connect(self.preview_rules)
        dialog.save_requested.connect(self.save_rules)
        dialog.finished.connect(lambda _r: self._forget_dialog("rules_dialog"))
        self.rules_dialog = dialog
        dialog.open()

    def preview_rules(self, rules: Any) -> None:
        """Count what ``rules`` would move, in the background; the rules dialog shows it."""
        dialog = self.rules_dialog
        if self._gate is None or dialog is None:
            return
        dialog.set_busy(True, "Comparing the rules with the stored messages…")
        guard = self._guard

        def shown(result: Any) -> None:
            if self.rules_dialog is dialog:
                dialog.show_preview(result)

        def failed(exc: BaseException) -> None:
            if self.rules_dialog is dialog:
                dialog.show_error(self._sentence(exc))
                dialog.preview_label.setText("")

        self._runner.run(
            inbox_tasks.preview_rules,
            self._gate,
            rules,
            on_result=guard(shown),
            on_error=guard(failed),
            on_finished=guard(lambda: dialog.set_busy(False) if self.rules_dialog is dialog else None),
            description="Previewing the rules",
        )

    def save_rules(self, rules: Any) -> None:
        """Save and apply ``rules`` (admins; the desk checks)."""
        dialog = self.rules_dialog
        if dialog is None or self._gate is None:
            return
        dialog.set_busy(True, "Saving and applying the rules…")
        guard = self._guard

        def saved(sentence: str) -> None:
            self._finish(sentence)
            if self.rules_dialog is dialog:
                dialog.accept()

        def failed(exc: BaseException) -> None:
            if self.rules_dialog is dialog:
                dialog.show_error(self._sentence(exc))
                dialog.set_busy(False)

        self._runner.run(
            inbox_tasks.save_rules,
            self._gate,
            self._user,
            rules,
            on_result=guard(saved),
            on_error=guard(failed),
            description="Saving the triage rules",
        )

    def open_targets_dialog(self) -> None:
        """Load the response targets, then show them in their editor."""
        if self._gate is None or self.targets_dialog is not None:
            return
        self._runner.run(
            inbox_tasks.load_targets,
            self._gate,
            on_result=self._guard(self._on_targets_loaded),
            on_error=self._guard(self._on_job_failed),
        )

    def _on_targets_loaded(self, targets: Any) -> None:
        dialog = TargetsDialog(targets, self._is_admin(), self)
        dialog.save_requested.connect(self.save_targets)
        dialog.finished.connect(lambda _r: self._forget_dialog("targets_dialog"))
        self.targets_dialog = dialog
        dialog.open()

    def save_targets(self, targets: Any) -> None:
        """Save the targets (admins; the desk checks); every open timer follows."""
        dialog = self.targets_dialog
        if dialog is None or self._gate is None:
            return
        guard = self._guard

        def saved(sentence: str) -> None:
            self._finish(sentence)
            if self.targets_dialog is dialog:
                dialog.accept()

        def failed(exc: BaseException) -> None:
            if self.targets_dialog is dialog:
                dialog.show_error(self._sentence(exc))

        self._runner.run(
            inbox_tasks.save_targets,
            self._gate,
            self._user,
            targets,
            on_result=guard(saved),
            on_error=guard(failed),
            description="Saving the response targets",
        )

    # ---------------------------------------------------------- notifications
    @Slot()
    def _on_notify_timer_timeout(self) -> None:
        self.poll_notifications()

    def poll_notifications(self) -> None:
        """Ask the desk for warnings and breaches not told yet (every 30 s)."""
        if self._gate is None or self._notify_since is None or self.read_only:
            return
        self._runner.run(
            inbox_tasks.poll_notifications,
            self._gate,
            self._notify_since,
            on_result=self._guard(self._on_notifications),
            on_error=self._guard(lambda _exc: None),  # the next poll tries again
        )

    def _on_notifications(self, notifications: list[Any]) -> None:
        if not notifications:
            return
        # A desktop notification shows on whatever screen is in front of the team: the customer
        # is named only where the person chose to show personal data.
        reveal = self.model.reveal_personal_data
        sentences = [
            note.sentence
            if reveal or not note.customer
            else note.sentence.replace(note.customer, pseudonym(note.conversation_id))
            for note in notifications
        ]
        for note, sentence in zip(notifications, sentences, strict=True):
            self._alerts.append((sentence, note.conversation_id))
        self._update_alerts()
        if len(notifications) <= NOTIFY_ONE_BY_ONE:
            for sentence in sentences:
                self.notified.emit(sentence)
        else:
            breaches = sum(1 for n in notifications if n.kind == "breach")
            warnings = len(notifications) - breaches
            parts = []
            if breaches:
                parts.append(f"{_plural(breaches, 'conversation')} passed the response target")
            if warnings:
                parts.append(f"{_plural(warnings, 'conversation')} will pass it soon")
            self.notified.emit("; ".join(parts) + ". See the Inbox.")

    @property
    def alert_count(self) -> int:
        """Warnings and breaches told and not looked at yet (the header badge)."""
        return len(self._alerts)

    def _update_alerts(self) -> None:
        count = len(self._alerts)
        self.alerts_button.setVisible(count > 0)
        self.alerts_button.setText(f"{count} alert{'s' * (count != 1)}")
        self.alerts_button.setToolTip("Conversations near or past their response target; click to go to one")
        self.alerts_menu.clear()
        for sentence, conversation_id in reversed(self._alerts[-20:]):
            action = self.alerts_menu.addAction(sentence)
            action.triggered.connect(lambda _c=False, cid=conversation_id: self.select_conversation(cid))
        if count:
            self.alerts_menu.addSeparator()
            self.alerts_menu.addAction("Clear alerts").triggered.connect(self.clear_alerts)

    def clear_alerts(self) -> None:
        """Forget the alerts shown in the header badge."""
        self._alerts.clear()
        self._update_alerts()

    # ------------------------------------------------------------------ state
    def _update_summary(self) -> None:
        if self._workspace is None:
            self.header.set_summary("")
            return
        if not self.model.loaded:
            self.header.set_summary("Loading conversations…")
            return
        if not self.model.rowCount():
            self.header.set_summary("No conversations yet")
            return
        counts = self.proxy.counts
        now = self._clock()
        late = sum(
            1
            for row in self.model.objects()
            if row.conversation.status == OPEN
            and row.conversation.due_at is not None
            and row.conversation.due_at < now
        )
        parts = [f"{counts.get(URGENT, 0):,} urgent", f"{counts.get(REPLY, 0):,} to answer"]
        if late:
            parts.append(f"{late:,} past their target")
        self.header.set_summary(", ".join(parts))

    def _update_state(self) -> None:
        loaded = self.model.loaded
        empty = loaded and self.model.rowCount() == 0
        self.stack.setCurrentWidget(self.empty_state if empty else self.splitter)
        if loaded and not self.proxy.rowCount() and not empty:
            queue = GROUP_NAMES.get(self.proxy.queue or "", "this queue").lower()
            if self.proxy.filtering:
                self.queue_empty.set_content(
                    "search", f"No {queue} conversations match", "Change or clear the filters and the search."
                )
            else:
                self.queue_empty.set_content(
                    "inbox",
                    f"Nothing in {queue}",
                    "Every conversation here is answered. Look at the other queues.",
                )
            self.list_stack.setCurrentWidget(self.queue_empty)
        else:
            self.list_stack.setCurrentWidget(self.table)
        self._update_summary()

    def _update_actions(self) -> None:
        has_ws = self._gate is not None and not self.read_only
        writer = has_ws and self._user is not None and self._user.has_role(Role.AGENT)
        selected = self.selected_conversation_id() is not None if self._workspace is not None else False
        shown = self.pane.data is not None
        conv = self._row_conversation() if selected else None
        busy = self._running(self._action_task)
        status = str(conv.status) if conv is not None else ""
        for action in (self.assign_action, self.note_action, self.override_action, self.link_action):
            action.setEnabled(writer and selected and not busy)
        self.reply_action.setEnabled(writer and shown)
        editor_text = bool(self.pane.reply_editor.text.toPlainText().strip())
        self.send_action.setEnabled(writer and shown and editor_text)
        self.waiting_action.setEnabled(writer and selected and not busy and status == OPEN)
        self.resolve_action.setEnabled(writer and selected and not busy and status in (OPEN, WAITING))
        self.reopen_action.setEnabled(writer and selected and not busy and status == RESOLVED)
        self.unlink_action.setEnabled(
            writer and selected and not busy and conv is not None and bool(conv.links)
        )
        self.share_action.setEnabled(
            writer and selected and not busy and status == RESOLVED and conv is not None and conv.wall is None
        )
        self.triage_action.setEnabled(has_ws and not self._running(self._job))
        self.draft_action.setEnabled(
            selected and self._user is not None and self._user.has_role(Role.EDITOR) and conv is not None
        )
        self.rules_action.setEnabled(self._gate is not None)
        self.targets_action.setEnabled(self._gate is not None)
        self.next_action.setEnabled(self._workspace is not None)
        self.previous_action.setEnabled(self._workspace is not None)
        why = (
            ""
            if writer
            else (" — needs the agent role" if self._user is not None else " — choose who you are first")
        )
        for action in (self.assign_action, self.reply_action, self.resolve_action, self.waiting_action):
            base = action.toolTip().split(" — ")[0]
            action.setToolTip(base + (why if has_ws else ""))
        editor = self.pane.reply_editor
        editor.send_button.setEnabled(writer and editor_text and not self._running(self._reply_job))
        editor.export_button.setEnabled(writer and editor_text and not self._running(self._reply_job))
        editor.text.setReadOnly(not writer)
        if not writer and has_ws:
            editor.text.setPlaceholderText(
                "Only agents write replies (Settings › Team)."
                if self._user is not None
                else "Choose who you are to write replies."
            )
        else:
            editor.text.setPlaceholderText(
                "Write the reply (R), then Ctrl+Enter copies it and marks it sent."
            )
