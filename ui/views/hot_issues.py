"""The Hot issues page: what customers talk about most right now, and the controls to steer it.

On the left, the live issues ranked (pinned first, muted last, hot score in
between) with a 48-hour sparkline and the negative share drawn in the cells;
on the right, the selected issue: why it is hot, its keyphrases and top
entities, its daily volume and its items (masked unless the user reveals
personal data).

Analysis, steering (rename, pin, mute, merge, split) and every read run
through the :class:`~ui.tasks.TaskRunner` (jobs in :mod:`ui.views.issue_tasks`);
the page shows a running job in its own activity strip. Analysis also runs
by itself when the page is attached with unanalysed items, and when new
items arrive, at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.domain import Role, User
from curator.errors import CuratorError
from ui.models import StoreEvent, StoreEventBridge
from ui.models_issues import IssueItemsModel, IssueTableModel, ShareRole, TrendRole
from ui.tasks import TaskHandle, TaskRunner
from ui.theme import COLOR_ROLES, Theme, current_theme, style_chart, theme_notifier
from ui.views import issue_tasks
from ui.views.issue_tasks import AnalysisGate, IssueDetail, is_personal
from ui.views.sources import make_table
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page
from ui.widgets.timers import single_shot

#: Automatic analysis runs at most this often (new items arrive in bursts).
AUTO_ANALYSE_INTERVAL_S = 60.0
#: Entities shown in the detail pane.
ENTITIES_SHOWN = 8
#: How long after a job of the page changes arriving from the store rank the rows again. Changes
#: the user did not ask for never move rows, so the row under the pointer does not jump away.
RERANK_WINDOW_S = 5.0


def _color_bars(bars: QBarSet, theme: Theme) -> None:
    bars.setColor(QColor(theme.chart_series[0]))
    bars.setBorderColor(QColor(theme.base))  # a hairline gap between bars, as on paper


class SparklineDelegate(QStyledItemDelegate):
    """Draws a row's hourly counts as a small line with the latest hour marked."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        counts = index.data(TrendRole) or []
        if len(counts) < 2:
            return
        rect = QRectF(option.rect).adjusted(6, 5, -6, -5)
        peak = max(max(counts), 1.0)
        step = rect.width() / (len(counts) - 1)
        points = [
            QPointF(rect.left() + n * step, rect.bottom() - (value / peak) * rect.height())
            for n, value in enumerate(counts)
        ]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        color = (
            option.palette.highlightedText().color() if selected else QColor(current_theme().chart_series[0])
        )
        painter.setPen(QPen(color, 1.4))
        painter.drawPolyline(QPolygonF(points))
        painter.setBrush(color)
        painter.drawEllipse(points[-1], 2.0, 2.0)
        painter.restore()


class ShareBarDelegate(QStyledItemDelegate):
    """Draws the negative share as a small bar left of its percentage."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        share = float(index.data(ShareRole) or 0.0)
        rect = QRectF(option.rect)
        bar = QRectF(rect.left() + 6, rect.center().y() - 4, max(0.0, rect.width() - 52), 8)
        if bar.width() <= 4:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = current_theme()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.chart_track))
        painter.drawRoundedRect(bar, 3, 3)
        painter.setBrush(QColor(theme.chart_negative))
        painter.drawRoundedRect(
            QRectF(bar.left(), bar.top(), bar.width() * min(1.0, share), bar.height()), 3, 3
        )
        painter.restore()


class HotIssuesView(QWidget):
    """Ranked live issues on the left, the selected issue's detail on the right."""

    #: A page job (analysis, steering) ended: (its sentence, whether it failed).
    activity_finished = Signal(str, bool)
    #: The detail pane shows a freshly loaded issue: (issue id).
    detail_loaded = Signal(str)
    #: The sparklines were (re)computed.
    trends_loaded = Signal()
    #: The user asked for a draft about an issue: (issue id). The main window hands it to Drafts.
    draft_requested = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._gate: AnalysisGate | None = None
        self._generation = 0
        self._job: TaskHandle | None = None
        self._detail_task: TaskHandle | None = None
        self._detail: IssueDetail | None = None
        self._last_auto_analysis = float("-inf")
        self._rerank_until = float("-inf")
        self.rename_dialog: QInputDialog | None = None
        self.merge_box: QMessageBox | None = None
        self._user: User | None = None
        self._may_unmask = False

        self.header = PageHeader("Hot issues")
        self.issues_model = IssueTableModel(self)
        self.items_model = IssueItemsModel(self)

        self._build_actions()
        self._build_layout()

        self.issues_model.rows_loaded.connect(self._on_issues_model_rows_loaded)
        self.issues_model.modelReset.connect(self._on_issues_model_changed)
        self.issues_model.rowsInserted.connect(self._on_issues_model_changed)
        self.issues_model.rowsRemoved.connect(self._on_issues_model_changed)
        self.issues_model.dataChanged.connect(self._on_issues_model_data_changed)
        self.issues_table.selectionModel().selectionChanged.connect(self._on_issues_selection_changed)
        self.items_table.selectionModel().selectionChanged.connect(self._on_items_selection_changed)

        # Automatic analysis waits until a minute has passed since the last one.
        self.auto_analyse_timer = QTimer(self)
        self.auto_analyse_timer.setSingleShot(True)
        self.auto_analyse_timer.timeout.connect(self._on_auto_analyse_timer_timeout)
        # Trends follow the store once per burst of events.
        self._trends_timer = single_shot(self, 500, self._on_trends_timer_timeout)
        self._rerank_timer = single_shot(self, 0, self._on_rerank_timer_timeout)
        self.issues_model.rowsInserted.connect(self._on_issues_model_upserted)
        self.issues_model.dataChanged.connect(self._on_issues_model_upserted)
        theme_notifier().theme_changed.connect(self._on_theme_changed)
        self._update_actions()
        self._update_state()

    # ------------------------------------------------------------------ build
    def _action(
        self, text: str, tip: str, shortcut: str | None, slot: Callable[[], None], *, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.analyse_action = self._action(
            "Analyse now", "Analyse new items and refresh the issues", "Ctrl+R", self.analyse_now
        )
        self.rename_action = self._action(
            "Rename…", "Give the selected issue your own label", "F2", self.rename_selected
        )
        self.pin_action = self._action(
            "Pin", "Keep the selected issue on top", None, self.toggle_pin, checkable=True
        )
        self.mute_action = self._action(
            "Mute", "Move the selected issue to the bottom", None, self.toggle_mute, checkable=True
        )
        self.merge_action = self._action(
            "Merge", "Merge the two selected issues into one", None, self.merge_selected
        )
        self.split_action = self._action(
            "Move to new issue", "Move the selected items out into a new issue", None, self.split_selected
        )
        self.draft_action = self._action(
            "Draft from issue",
            "Start a draft about the selected issue, citing its items",
            "Ctrl+D",
            self.draft_selected,
        )
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            self.analyse_action,
            self.rename_action,
            self.pin_action,
            self.mute_action,
            self.merge_action,
            self.draft_action,
        ):
            self.toolbar.addAction(action)

    def _build_layout(self) -> None:
        m = IssueTableModel
        self.issues_table = make_table(
            self.issues_model,
            {m.COL_ITEMS: 64, m.COL_TREND: 120, m.COL_NEGATIVE: 110, m.COL_SCORE: 80},
            m.COL_LABEL,
        )
        self.issues_table.setObjectName("issuesTable")
        self.issues_table.horizontalHeader().setSectionsMovable(False)
        self.issues_table.sortByColumn(m.COL_SCORE, Qt.SortOrder.DescendingOrder)
        self._spark_delegate = SparklineDelegate(self.issues_table)
        self._share_delegate = ShareBarDelegate(self.issues_table)
        self.issues_table.setItemDelegateForColumn(m.COL_TREND, self._spark_delegate)
        self.issues_table.setItemDelegateForColumn(m.COL_NEGATIVE, self._share_delegate)

        # Detail pane.
        self.detail_title = QLabel()
        self.detail_title.setObjectName("detailTitle")
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_title.setWordWrap(True)
        font = self.detail_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.detail_title.setFont(font)
        self.detail_reason = QLabel()
        self.detail_reason.setObjectName("detailReason")
        self.detail_reason.setWordWrap(True)
        self.detail_reason.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_keyphrases = QLabel()
        self.detail_keyphrases.setObjectName("detailKeyphrases")
        self.detail_keyphrases.setWordWrap(True)
        self.detail_keyphrases.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_entities = QLabel()
        self.detail_entities.setObjectName("detailEntities")
        self.detail_entities.setWordWrap(True)
        self.detail_entities.setTextFormat(Qt.TextFormat.PlainText)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(self.chart.margins() * 0)
        self.chart.setBackgroundRoundness(0)
        style_chart(self.chart)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("volumeChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(150)
        self.chart_view.setMaximumHeight(190)
        self.reveal_check = QCheckBox("Show personal data")
        self.reveal_check.setObjectName("revealCheck")
        self.reveal_check.setToolTip("Show the original text with names, e-mail addresses and phone numbers")
        self.reveal_check.toggled.connect(self._on_reveal_check_toggled)
        self.reveal_check.setEnabled(False)  # until set_user says the person may
        split_bar = QToolBar()
        split_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        split_bar.addAction(self.split_action)
        self.items_table = make_table(self.items_model, {0: 110, 1: 80, 2: 70}, IssueItemsModel.COL_TEXT)
        self.items_table.setObjectName("issueItemsTable")
        self.items_table.setSortingEnabled(False)
        items_row = QHBoxLayout()
        items_row.addWidget(QLabel("Items"))
        items_row.addStretch(1)
        items_row.addWidget(self.reveal_check)
        items_row.addWidget(split_bar)

        self.detail = QWidget()
        self.detail.setObjectName("issueDetail")
        column = QVBoxLayout(self.detail)
        column.setContentsMargins(12, 0, 0, 0)
        column.addWidget(self.detail_title)
        column.addWidget(self.detail_reason)
        column.addWidget(self.detail_keyphrases)
        column.addWidget(self.detail_entities)
        column.addWidget(self.chart_view)
        column.addLayout(items_row)
        column.addWidget(self.items_table, 1)
        self.detail_hint = EmptyState(
            "hot-issues", "Select an issue", "Its items, volume and entities show here."
        )
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.detail_hint)
        self.detail_stack.addWidget(self.detail)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.issues_table)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([560, 460])

        self.empty_state = EmptyState(
            "hot-issues",
            "No hot issues yet",
            "Fetch your sources on the Sources page, then press “Analyse now” (Ctrl+R) to group what "
            "customers say into issues.",
            "Analyse now",
        )
        self.empty_state.setObjectName("hotIssuesEmpty")
        self.empty_state.action_triggered.connect(self.analyse_now)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_state)

        self.activity = ActivityBar()
        self.activity.cancel_requested.connect(self._on_activity_cancel_requested)
        lay_out_page(self, self.header, self.toolbar, self.activity, self.stack)

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Show ``workspace``'s issues and follow its changes; analyse new items soon."""
        self.detach()
        self._workspace = workspace
        self._gate = AnalysisGate(workspace)
        self._bridge = bridge
        self.issues_model.attach(
            self._runner, bridge, lambda _p: workspace.issues.list(), workspace.issues.get, "Loading issues"
        )
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._last_auto_analysis = float("-inf")
        if not workspace.read_only:
            guard = self._guard
            self._runner.run(
                issue_tasks.needs_analysis,
                workspace,
                on_result=guard(self._on_needs_analysis_done),
            )
        self._update_actions()

    def detach(self) -> None:
        """Stop following the workspace (before it closes): cancel the page's jobs, forget the rows."""
        if self._workspace is None:
            return
        self._generation += 1
        if self.rename_dialog is not None:
            self.rename_dialog.reject()
            self.rename_dialog = None
        for handle in (self._job, self._detail_task):
            if handle is not None:
                handle.cancel()
        self._job = self._detail_task = None
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        self.auto_analyse_timer.stop()
        self._trends_timer.stop()
        self._rerank_timer.stop()
        self.activity.clear()
        self.issues_model.detach()
        self.issues_model.clear()
        self.issues_model.set_trends({})
        self._show_detail(None)
        self._workspace = self._gate = None
        self._update_actions()
        self._update_state()

    @property
    def read_only(self) -> bool:
        """True when the open workspace may not be changed."""
        return self._workspace is None or bool(self._workspace.read_only)

    # -------------------------------------------------------------- selection
    def selected_issues(self) -> list[Any]:
        """The selected issues, in table order."""
        rows = sorted(index.row() for index in self.issues_table.selectionModel().selectedRows())
        return [self.issues_model.object_at(row) for row in rows]

    def select_issue(self, issue_id: str, *, extend: bool = False) -> bool:
        """Select the row of ``issue_id`` (adding it to the selection if ``extend``); False if not listed."""
        row = self.issues_model.row_of(issue_id)
        if row is None:
            return False
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select
            if extend
            else QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.issues_table.selectionModel().select(self.issues_model.index(row, 0), flags)
        if not extend:
            self.issues_table.setCurrentIndex(self.issues_model.index(row, 0))
        return True

    @property
    def detail_issue_id(self) -> str | None:
        """The id of the issue the detail pane shows (None when it shows none)."""
        return self._detail.issue.id if self._detail is not None else None

    def selected_items(self) -> list[Any]:
        """The items selected in the detail pane."""
        rows = sorted(index.row() for index in self.items_table.selectionModel().selectedRows())
        return [self.items_model.item_at(row) for row in rows]

    # ------------------------------------------------------------------- jobs
    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, made to do nothing once the page moved on to another workspace."""
        generation = self._generation

        def call(*values: Any) -> None:
            if generation == self._generation:
                callback(*values)

        return call

    def _job_running(self) -> bool:
        return self._job is not None and not self._job.done

    def _start_job(
        self,
        fn: Callable[..., Any],
        *args: Any,
        text: str,
        on_result: Callable[[Any], None],
        cancellable: bool = False,
    ) -> bool:
        """Run one page job: progress in the activity strip, its sentence there when it ends."""
        if self._gate is None or self.read_only or self._job_running():
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
            on_cancelled=guard(lambda: self._finish_job("Cancelled; the issues were not changed.")),
            on_finished=guard(self._on_job_finished),
            description=text,
        )
        self._job = None if handle.done else handle
        self._update_actions()
        return True

    def _finish_job(self, text: str, *, error: bool = False) -> None:
        self.activity.show_message(text, error=error)
        self.activity_finished.emit(text, error)

    def _on_job_failed(self, exc: BaseException) -> None:
        text = (
            str(exc)
            if isinstance(exc, CuratorError)
            else (f"Something unexpected went wrong ({type(exc).__name__}: {exc}).")
        )
        self._finish_job(text, error=True)

    def _on_job_finished(self) -> None:
        self._job = None
        self._update_actions()

    def _rerank_soon(self) -> None:
        """Rank now, and again as the job's changes arrive from the store."""
        self._rerank_until = time.monotonic() + RERANK_WINDOW_S
        self.issues_model.resort()

    @Slot()
    def _on_issues_model_upserted(self) -> None:
        if time.monotonic() < self._rerank_until:
            self._rerank_timer.start()

    @Slot()
    def _on_rerank_timer_timeout(self) -> None:
        self.issues_model.resort()
        self._update_actions()

    def _after_steering(self, text: str, select: str | None = None) -> None:
        """A steering job ended: rank again, show its sentence, refresh the detail."""
        self._rerank_soon()
        if select is not None:
            self.select_issue(select)
        self._finish_job(text)
        self._load_detail()
        self._trends_timer.start()

    # --------------------------------------------------------------- analysis
    def analyse_now(self) -> None:
        """Analyse new items and refresh the issues in the background."""
        if self._start_job(
            issue_tasks.analyse, text="Analysing items", cancellable=True, on_result=self._on_analyse_job_done
        ):
            self._last_auto_analysis = time.monotonic()

    def _on_analyse_job_done(self, summary: Any) -> None:
        self._rerank_soon()
        self._finish_job(summary.sentence(), error=False)
        self._trends_timer.start()
        self._load_detail()

    def _request_auto_analysis(self) -> None:
        """Analyse soon, at most once a minute; requests in between collapse into one run."""
        if self._gate is None or self.read_only or self.auto_analyse_timer.isActive():
            return
        since = time.monotonic() - self._last_auto_analysis
        wait = max(0.0, AUTO_ANALYSE_INTERVAL_S - since) if since < AUTO_ANALYSE_INTERVAL_S else 0.0
        self.auto_analyse_timer.start(round(wait * 1000))

    @Slot()
    def _on_auto_analyse_timer_timeout(self) -> None:
        if self._job_running():
            self.auto_analyse_timer.start(5_000)  # after the user's job
            return
        self.analyse_now()

    def _on_needs_analysis_done(self, needed: bool) -> None:
        if needed:
            self._request_auto_analysis()

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table != "items":
            return
        if event.inserted or event.reset:
            self._request_auto_analysis()
        self._trends_timer.start()

    # --------------------------------------------------------------- steering
    def rename_selected(self) -> None:
        """Ask for a new label of the selected issue (F2)."""
        issues = self.selected_issues()
        if len(issues) != 1 or self.read_only:
            return
        issue = issues[0]
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename issue")
        dialog.setLabelText("Label:")
        dialog.setTextValue(issue.label)
        dialog.textValueSelected.connect(lambda label: self.rename(issue.id, label))
        dialog.finished.connect(self._on_rename_dialog_finished)
        self.rename_dialog = dialog
        dialog.open()

    def _on_rename_dialog_finished(self, _result: int) -> None:
        if self.rename_dialog is not None:
            self.rename_dialog.deleteLater()
        self.rename_dialog = None

    def rename(self, issue_id: str, label: str) -> None:
        """Give the issue ``label`` in the background."""
        self._start_job(
            issue_tasks.rename_issue, issue_id, label, text="Renaming", on_result=self._after_steering
        )

    def toggle_pin(self) -> None:
        """Pin the selected issue, or unpin it."""
        issues = self.selected_issues()
        if len(issues) == 1:
            self._start_job(
                issue_tasks.set_issue_flags,
                issues[0].id,
                not issues[0].pinned,
                None,
                text="Pinning",
                on_result=self._after_steering,
            )
        self._update_actions()

    def toggle_mute(self) -> None:
        """Mute the selected issue, or unmute it."""
        issues = self.selected_issues()
        if len(issues) == 1:
            self._start_job(
                issue_tasks.set_issue_flags,
                issues[0].id,
                None,
                not issues[0].muted,
                text="Muting",
                on_result=self._after_steering,
            )
        self._update_actions()

    def set_user(self, user: User | None, may_unmask: bool) -> None:
        """The person acting: decides whether personal data may be revealed and drafts started."""
        self._user = user
        self._may_unmask = may_unmask
        self.reveal_check.setEnabled(may_unmask)
        self.reveal_check.setToolTip(
            "Show the original text with names, e-mail addresses and phone numbers"
            if may_unmask
            else "Your role may not reveal personal data (Settings › Team says which roles may)."
        )
        if not may_unmask and self.reveal_check.isChecked():
            self.reveal_check.setChecked(False)
        self._update_actions()

    def draft_selected(self) -> None:
        """Ask for a draft about the one selected issue (the Drafts page creates and opens it)."""
        issues = self.selected_issues()
        if len(issues) == 1:
            self.draft_requested.emit(issues[0].id)

    def merge_selected(self) -> None:
        """Merge the lower-ranked of two selected issues into the higher-ranked one, once confirmed."""
        issues = self.selected_issues()
        if len(issues) != 2:
            self.activity.show_message("Select exactly two issues to merge (Ctrl+click).", error=True)
            return
        keep, other = issues
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Merge issues",
            f"Merge “{other.label}” ({other.item_count} items) into “{keep.label}”?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "Later analyses keep them together. “Move to new issue” splits items out again."
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Merge")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.finished.connect(
            lambda result: self._on_merge_box_finished(result == QMessageBox.StandardButton.Yes, keep, other)
        )
        self.merge_box = box
        box.open()

    def _on_merge_box_finished(self, accepted: bool, keep: Any, other: Any) -> None:
        self.merge_box = None
        if not accepted:
            return
        self._start_job(
            issue_tasks.merge_issues,
            keep.id,
            other.id,
            text="Merging issues",
            on_result=lambda survivor: self._after_steering(
                f"Merged “{other.label}” into “{keep.label}”.", survivor
            ),
        )

    def split_selected(self) -> None:
        """Move the items selected in the detail pane out into a new issue."""
        if self._detail is None:
            return
        items = self.selected_items()
        if not items or len(items) == len(self._detail.items):
            self.activity.show_message("Select some, not all, of the issue's items to move.", error=True)
            return
        count = len(items)
        self._start_job(
            issue_tasks.split_issue,
            self._detail.issue.id,
            [item.id for item in items],
            text="Moving items",
            on_result=lambda new_id: self._after_steering(
                f"Moved {count} item{'s' * (count != 1)} to a new issue.", new_id
            ),
        )

    @Slot()
    def _on_activity_cancel_requested(self) -> None:
        if self._job is not None:
            self._job.cancel()

    # ----------------------------------------------------------------- detail
    def _load_detail(self) -> None:
        issues = self.selected_issues()
        if len(issues) != 1 or self._workspace is None:
            self._show_detail(None)
            return
        if self._detail_task is not None:
            self._detail_task.cancel()
        guard = self._guard
        handle = self._runner.run(
            issue_tasks.load_issue_detail,
            self._workspace,
            issues[0].id,
            on_result=guard(self._on_detail_loaded),
            on_finished=guard(self._on_detail_task_finished),
        )
        self._detail_task = None if handle.done else handle

    def _on_detail_task_finished(self) -> None:
        self._detail_task = None

    def _on_detail_loaded(self, detail: IssueDetail | None) -> None:
        selected = self.selected_issues()
        if detail is None or len(selected) != 1 or selected[0].id != detail.issue.id:
            return  # the selection moved on meanwhile; its own load follows
        self._show_detail(detail)
        self.detail_loaded.emit(detail.issue.id)

    def _show_detail(self, detail: IssueDetail | None) -> None:
        self._detail = detail
        if detail is None:
            self.items_model.set_rows([])
            self.detail_stack.setCurrentWidget(self.detail_hint)
            self._update_actions()
            return
        issue = detail.issue
        self.detail_title.setText(issue.label)
        self.detail_reason.setText(f"Why it is hot: {issue.hot_reason}" if issue.hot_reason else "")
        self.detail_keyphrases.setText(
            "Keyphrases: " + ", ".join(issue.keyphrases) if issue.keyphrases else ""
        )
        self.items_model.set_rows(detail.items)
        self._show_entities()
        self._show_volume(detail)
        self.detail_stack.setCurrentWidget(self.detail)
        self._update_actions()

    def _show_entities(self) -> None:
        if self._detail is None:
            return
        reveal = self.items_model.reveal_personal_data
        shown = [
            f"{text} ({count})"
            for text, label, count in self._detail.entities
            if reveal or not is_personal(text, label)
        ][:ENTITIES_SHOWN]
        self.detail_entities.setText("Top entities: " + ", ".join(shown) if shown else "")

    def _show_volume(self, detail: IssueDetail) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if not detail.daily:
            return
        bars = QBarSet("Items per day")
        _color_bars(bars, current_theme())
        bars.append([float(count) for _day, count in detail.daily])
        series = QBarSeries()
        series.append(bars)
        series.setBarWidth(0.8)
        self.chart.addSeries(series)
        days = QBarCategoryAxis()
        stride = max(1, len(detail.daily) // 6)
        days.append(
            [
                day.strftime("%d %b") if n % stride == 0 else " " * (n + 1)
                for n, (day, _c) in enumerate(detail.daily)
            ]
        )
        days.setGridLineVisible(False)
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        peak = max(1, max(count for _day, count in detail.daily))
        counts.setRange(0, peak)
        if peak <= 4:
            counts.setTickCount(peak + 1)  # whole numbers only
        else:
            counts.setTickCount(3)
            counts.applyNiceNumbers()
        self.chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(days)
        series.attachAxis(counts)
        self.chart.setTitle(f"Items per day ({sum(c for _d, c in detail.daily):,})")
        style_chart(self.chart)

    @Slot(object)
    def _on_theme_changed(self, theme: Theme) -> None:
        # A chart keeps the colours it was given.
        style_chart(self.chart, theme)
        for series in self.chart.series():
            if isinstance(series, QBarSeries):
                for bars in series.barSets():
                    _color_bars(bars, theme)

    @Slot(bool)
    def _on_reveal_check_toggled(self, checked: bool) -> None:
        self.items_model.set_reveal_personal_data(checked)
        self._show_entities()

    # ------------------------------------------------------------------ state
    @Slot()
    def _on_issues_model_rows_loaded(self) -> None:
        self._trends_timer.start(0)
        if not self.selected_issues() and self.issues_model.rowCount():
            self.issues_table.selectRow(0)

    @Slot()
    def _on_issues_model_changed(self) -> None:
        self._update_state()
        self._update_actions()

    @Slot(QModelIndex, QModelIndex, list)
    def _on_issues_model_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        if self._detail is None or top.column() == IssueTableModel.COL_TREND == bottom.column():
            return
        if roles and set(roles) <= set(COLOR_ROLES):
            return  # a theme switch: nothing about the issue changed
        shown = self._detail.issue.id
        for row in range(top.row(), bottom.row() + 1):
            if self.issues_model.object_at(row).id == shown:
                self._load_detail()
                break
        self._update_actions()

    @Slot()
    def _on_trends_timer_timeout(self) -> None:
        if self._workspace is None:
            return
        guard = self._guard
        self._runner.run(issue_tasks.issue_trends, self._workspace, on_result=guard(self._on_trends_done))

    def _on_trends_done(self, trends: dict[str, list[float]]) -> None:
        self.issues_model.set_trends(trends)
        self.trends_loaded.emit()

    @Slot()
    def _on_issues_selection_changed(self) -> None:
        self._load_detail()
        self._update_actions()

    @Slot()
    def _on_items_selection_changed(self) -> None:
        self._update_actions()

    def _update_state(self) -> None:
        count = self.issues_model.rowCount()
        empty = self.issues_model.loaded and count == 0
        self.stack.setCurrentWidget(self.empty_state if empty else self.splitter)
        if self._workspace is None:
            self.header.set_summary("")
        elif not self.issues_model.loaded:
            self.header.set_summary("Loading issues…")
        else:
            pinned = sum(1 for issue in self.issues_model.objects() if issue.pinned)
            text = f"{count:,} live issue{'s' * (count != 1)}"
            self.header.set_summary(text + (f", {pinned} pinned" if pinned else "") + ", hottest first")

    def _update_actions(self) -> None:
        writable = self._gate is not None and not self.read_only and not self._job_running()
        issues = self.selected_issues() if self._workspace is not None else []
        one = len(issues) == 1
        self.analyse_action.setEnabled(writable)
        self.rename_action.setEnabled(writable and one)
        self.pin_action.setEnabled(writable and one)
        self.mute_action.setEnabled(writable and one)
        self.pin_action.setChecked(one and issues[0].pinned)
        self.mute_action.setChecked(one and issues[0].muted)
        self.merge_action.setEnabled(writable and len(issues) == 2)
        may_draft = self._user is not None and self._user.has_role(Role.EDITOR)
        self.draft_action.setEnabled(writable and one and may_draft)
        items = self.items_table.selectionModel().selectedRows()
        self.split_action.setEnabled(
            writable and self._detail is not None and 0 < len(items) < self.items_model.rowCount()
        )
