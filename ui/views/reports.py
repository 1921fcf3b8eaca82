"""The Reports page: the council report of a week or a month, on screen, as PDF and as HTML.

A period picker (this week by default; previous, next; week or month) asks a
worker for :func:`curator.reports.council.build_report`; the page then shows
the summary in sentences, figure cards for the headline measures, the
figures table, the hot issues with masked examples, and the charts, drawn
with QtCharts from the same chart specs the HTML and the PDF use.

The UI thread never computes a measure: the report is built in a
:class:`~ui.tasks.TaskRunner` task and so are both exports. QtCharts can only
draw on the GUI thread, so "Export PDF…" draws the chart images first (a few
milliseconds) and hands them to the task that lays out and writes the PDF.

Store changes that can change the report (items, the desk, issues, posts,
drafts) recompute it, coalesced and only while the page is shown; a hidden
page recomputes when it is shown again. Charts and cards take their colours
from the palette and are redrawn when it changes, so a dark theme reads as
well as a light one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.domain import User, utcnow
from curator.progress import Progress
from curator.reports.council import CouncilReport, Figure, build_report, format_share
from curator.reports.measures import IssueMeasures
from curator.reports.periods import Period, PeriodKind, local_zone, period_containing
from ui.charts import make_chart_view
from ui.models import ListTableModel, StoreEvent, StoreEventBridge
from ui.tasks import CoalescedTask, TaskHandle, TaskRunner
from ui.views.sources import make_table
from ui.widgets.activity_bar import ActivityBar
from ui.widgets.empty_state import EmptyState
from ui.widgets.page_header import PageHeader
from ui.widgets.page_layout import lay_out_page
from ui.widgets.timers import single_shot

__all__ = ["CARD_KEYS", "FigureTableModel", "HotIssueModel", "ReportsView"]

#: Store tables whose changes can change the report.
WATCHED_TABLES = frozenset(
    {"items", "triage", "conversations", "issues", "posts", "drafts", "touchpoints", "config", "sources"}
)
#: Quiet time after the last store event before the report is computed again.
REFRESH_DELAY_MS = 1500
#: The figures shown as cards, in order (the table lists them all).
CARD_KEYS = (
    "items",
    "customers",
    "answered_share",
    "first_response",
    "within_target",
    "negative_share",
    "issues_opened",
    "published",
)
#: Verdict colours that read on light and dark backgrounds alike; the word is always shown too.
_VERDICT_COLOURS = {"better": "#2f9e5b", "worse": "#d64541"}
_VERDICT_WORDS = {"better": "better", "worse": "worse", "same": "about the same"}


class FigureTableModel(ListTableModel):
    """Every figure of the report: this period, the one before, the change."""

    COL_MEASURE, COL_NOW, COL_BEFORE, COL_CHANGE = range(4)
    HEADERS = ("Measure", "This period", "Period before", "Change")
    NUMERIC_COLUMNS = frozenset({COL_NOW, COL_BEFORE})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._names = ("This period", "Period before")

    def set_period_names(self, now: str, before: str) -> None:
        """Name the two value columns after the periods ("Week 47", "Week 46")."""
        self._names = (now, before)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.COL_NOW, self.COL_BEFORE)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and section in (self.COL_NOW, self.COL_BEFORE)
        ):
            return self._names[section - self.COL_NOW]
        return super().headerData(section, orientation, role)

    def display(self, obj: Figure, column: int) -> str:
        if column == self.COL_MEASURE:
            return obj.label
        if column == self.COL_NOW:
            return obj.value
        if column == self.COL_BEFORE:
            return obj.previous
        if column == self.COL_CHANGE:
            word = _VERDICT_WORDS.get(obj.verdict, "")
            return f"{obj.change} · {word}" if word and obj.change else obj.change
        return ""


class HotIssueModel(ListTableModel):
    """The period's hot issues with their size, tone and a masked example."""

    COL_ISSUE, COL_ITEMS, COL_NEGATIVE, COL_BEFORE, COL_EXAMPLE = range(5)
    HEADERS = ("Issue", "Items", "Negative", "Period before", "Example (masked)")
    NUMERIC_COLUMNS = frozenset({COL_ITEMS, COL_NEGATIVE, COL_BEFORE})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._before: dict[str, int] = {}
        self._before_name = "Period before"

    def set_issues(self, issues: list[IssueMeasures], before: dict[str, int], before_name: str) -> None:
        """Show ``issues``; ``before`` holds each one's items in the period before."""
        self._before = dict(before)
        self._before_name = before_name
        self.set_rows(issues)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and section == self.COL_BEFORE
        ):
            return self._before_name
        return super().headerData(section, orientation, role)

    def display(self, obj: IssueMeasures, column: int) -> str:
        if column == self.COL_ISSUE:
            return obj.label
        if column == self.COL_ITEMS:
            return f"{obj.items:,}"
        if column == self.COL_NEGATIVE:
            return format_share(obj.negative_share)
        if column == self.COL_BEFORE:
            return f"{self._before.get(obj.issue_id, 0):,}"
        if column == self.COL_EXAMPLE:
            return f"“{obj.example}”" if obj.example else "(no masked example yet)"
        return ""

    def tooltip(self, obj: IssueMeasures, column: int) -> str | None:
        if column == self.COL_EXAMPLE and obj.example:
            return obj.example
        if column == self.COL_ISSUE:
            return obj.label
        return None


def _compute(progress: Progress, workspace: Any, period: Period, now: datetime) -> CouncilReport:
    """Worker side: read the workspace once and build the report (masking loads spaCy once)."""
    return build_report(workspace, period, now=now, progress=progress)


def _write_html(progress: Progress, report: CouncilReport, path: str) -> str:
    from curator.reports.html import render_html

    progress.start(None, "Writing the HTML report")
    Path(path).write_text(render_html(report), encoding="utf-8")
    return f"Saved the HTML report for {report.period.label} to {path}."


def _write_pdf(progress: Progress, report: CouncilReport, path: str, images: list[Any]) -> str:
    from ui.report_pdf import write_pdf

    progress.start(None, "Writing the PDF report")
    pages = write_pdf(report, path, chart_images=images)
    return f"Saved the PDF report for {report.period.label} to {path} ({pages} pages)."


def _error_sentence(exc: BaseException) -> str:
    from curator.errors import CuratorError

    if isinstance(exc, CuratorError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"The file could not be written: {exc.strerror or exc}."
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc})."


def _label(text: str = "", *, name: str = "", bold: bool = False, scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    if bold or scale != 1.0:
        font = label.font()
        font.setBold(bold)
        font.setPointSizeF(font.pointSizeF() * scale)
        label.setFont(font)
    return label


class FigureCard(QFrame):
    """One headline figure: its value, what it is, and how it changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        # Palette roles, not a style sheet: the card follows a theme change at once.
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.value_label = _label(name="figureValue", bold=True, scale=1.6)
        self.value_label.setWordWrap(False)
        self.name_label = _label(name="figureName")
        self.name_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.change_label = _label(name="figureChange")
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(2)
        column.addWidget(self.value_label)
        column.addWidget(self.name_label)
        column.addWidget(self.change_label)
        column.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def show_figure(self, figure: Figure, before_name: str) -> None:
        """Show ``figure``; the change is coloured and also said in words."""
        self.value_label.setText(figure.value)
        self.name_label.setText(figure.label)
        word = _VERDICT_WORDS.get(figure.verdict, "")
        if figure.reason:
            text = figure.reason
        elif figure.change:
            text = f"{figure.change} vs {before_name} ({figure.previous})"
            text += f" · {word}" if word else ""
        else:
            text = f"{before_name}: {figure.previous}"
        self.change_label.setText(text)
        self.setToolTip(figure.reason)
        colour = _VERDICT_COLOURS.get(figure.verdict)
        self.change_label.setStyleSheet(f"color: {colour}; font-weight: 600;" if colour else "")
        self.change_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


class ReportsView(QWidget):
    """The council report of a chosen week or month, with its charts and exports."""

    #: A report was computed and shown: (period label).
    report_loaded = Signal(str)
    #: An export ended: (its sentence, whether it failed).
    export_finished = Signal(str, bool)

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        zone: tzinfo | None = None,
    ) -> None:
        """Build the page (nothing is computed until a workspace is attached).

        Args:
            runner: Where the report is computed and the exports are written.
            parent: Qt parent.
            clock: The time source ("this week", what is pending).
            zone: The clock periods are read on (default: the machine's zone).
        """
        super().__init__(parent)
        self._runner = runner
        self._clock = clock
        self._zone = zone if zone is not None else local_zone()
        self._workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._user: User | None = None
        self._generation = 0
        self._task: CoalescedTask | None = None
        self._export: TaskHandle | None = None
        self._dirty = False
        self.report: CouncilReport | None = None
        self.period: Period = period_containing("week", clock(), self._zone)
        self._requested = self.period
        self.chart_views: list[QWidget] = []
        self.header = PageHeader("Reports")
        self.figure_model = FigureTableModel(self)
        self.issue_model = HotIssueModel(self)
        self._refresh_timer = single_shot(self, REFRESH_DELAY_MS, self._on_refresh_timer_timeout)
        self._build()
        self._show_period()
        self._update_state()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.previous_action = self.toolbar.addAction("◀ Previous")
        self.previous_action.setToolTip("The period before")
        self.previous_action.triggered.connect(self._on_previous_action_triggered)
        self.period_label = QLabel()
        self.period_label.setObjectName("reportPeriod")
        self.period_label.setTextFormat(Qt.TextFormat.PlainText)
        self.period_label.setContentsMargins(8, 0, 8, 0)
        font = self.period_label.font()
        font.setBold(True)
        self.period_label.setFont(font)
        self.toolbar.addWidget(self.period_label)
        self.next_action = self.toolbar.addAction("Next ▶")
        self.next_action.setToolTip("The period after")
        self.next_action.triggered.connect(self._on_next_action_triggered)
        self.current_action = self.toolbar.addAction("This week")
        self.current_action.triggered.connect(self._on_current_action_triggered)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("reportKind")
        self.kind_combo.addItem("Week", "week")
        self.kind_combo.addItem("Month", "month")
        self.kind_combo.setToolTip("Report on a week (Monday to Sunday) or a calendar month")
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        self.toolbar.addWidget(self.kind_combo)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.pdf_action = self.toolbar.addAction("Export PDF…")
        self.pdf_action.setToolTip("Save the report as an A4 PDF for the leadership team")
        self.pdf_action.triggered.connect(self._on_pdf_action_triggered)
        self.html_action = self.toolbar.addAction("Export HTML…")
        self.html_action.setToolTip("Save the report as one self-contained web page")
        self.html_action.triggered.connect(self._on_html_action_triggered)

        content = QWidget()
        content.setObjectName("reportContent")
        self.content_layout = QVBoxLayout(content)
        self.content_layout.setContentsMargins(0, 8, 8, 16)
        self.content_layout.setSpacing(6)
        self.section_labels: dict[str, QLabel] = {}
        self.summary_labels: dict[str, QLabel] = {}
        for key, title in (
            ("headline", "In short"),
            ("improved", "What improved"),
            ("worse", "What got worse"),
            ("hot_issues", "Hot issues"),
            ("pending", "Actions pending"),
        ):
            heading = _label(title, name=f"summaryHeading_{key}", bold=True, scale=1.15)
            body = _label(name=f"summary_{key}")
            self.section_labels[key] = heading
            self.summary_labels[key] = body
            if key != "headline":
                self.content_layout.addSpacing(6)
            self.content_layout.addWidget(heading)
            self.content_layout.addWidget(body)

        self.cards: list[FigureCard] = []
        cards = QGridLayout()
        cards.setSpacing(10)
        for n, _key in enumerate(CARD_KEYS):
            card = FigureCard()
            self.cards.append(card)
            cards.addWidget(card, n // 4, n % 4)
        self.content_layout.addSpacing(8)
        self.content_layout.addLayout(cards)

        self.charts_heading = _label("Charts", bold=True, scale=1.15)
        self.content_layout.addSpacing(8)
        self.content_layout.addWidget(self.charts_heading)
        self.charts_grid = QGridLayout()
        self.charts_grid.setSpacing(12)
        self.content_layout.addLayout(self.charts_grid)
        self.no_charts_label = _label("There is nothing to draw for this period.")
        self.content_layout.addWidget(self.no_charts_label)

        self.content_layout.addWidget(_label("Figures", bold=True, scale=1.15))
        f = FigureTableModel
        self.figures_table = make_table(
            self.figure_model, {f.COL_NOW: 120, f.COL_BEFORE: 120, f.COL_CHANGE: 220}, 0
        )
        self.figures_table.setObjectName("figuresTable")
        self.figures_table.setSortingEnabled(False)
        self.content_layout.addWidget(self.figures_table)
        self.content_layout.addWidget(_label("Hot issues in detail", bold=True, scale=1.15))
        h = HotIssueModel
        self.issues_table = make_table(
            self.issue_model,
            {h.COL_ISSUE: 240, h.COL_ITEMS: 60, h.COL_NEGATIVE: 80, h.COL_BEFORE: 100},
            h.COL_EXAMPLE,
        )
        self.issues_table.setObjectName("hotIssuesTable")
        self.issues_table.setSortingEnabled(False)
        self.content_layout.addWidget(self.issues_table)
        self.content_layout.addStretch(1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("reportScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)

        self.empty_state = EmptyState(
            "reports",
            "No workspace open",
            "Open a workspace to see its council report: what improved, what got worse, the hot issues "
            "and what is pending, week by week.",
        )
        self.empty_state.setObjectName("reportsEmpty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll_area)
        self.stack.addWidget(self.empty_state)
        self.activity = ActivityBar()
        lay_out_page(self, self.header, self.toolbar, self.activity, self.stack)

    @staticmethod
    def _fit_table(table: QTableView) -> None:
        """A table inside the scrolling page shows all its (few) rows instead of a scroll bar of its own."""
        rows = table.model().rowCount()
        height = (
            table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
        )
        table.setFixedHeight(height + 2 * table.frameWidth() + 2)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    # -------------------------------------------------------------- workspace
    def attach(self, workspace: Any, bridge: StoreEventBridge) -> None:
        """Compute the report of the chosen period for ``workspace`` and follow its changes."""
        self.detach()
        self._workspace = workspace
        self._bridge = bridge
        self._task = CoalescedTask(
            self._runner,
            self._compute_job(),
            self._guard(self._on_report_computed),
            description="Computing the council report",
            parent=self,
        )
        bridge.store_changed.connect(self._on_bridge_store_changed)
        self._update_state()
        self.refresh()

    def detach(self) -> None:
        """Stop following the workspace (before it closes)."""
        if self._workspace is None:
            return
        self._generation += 1
        self._refresh_timer.stop()
        if self._task is not None:
            self._task.stop()
            self._task = None
        if self._export is not None:
            self._export.cancel()
            self._export = None
        if self._bridge is not None:
            self._bridge.store_changed.disconnect(self._on_bridge_store_changed)
            self._bridge = None
        self._workspace = None
        self.report = None
        self.activity.clear()
        self._show_report(None)
        self._update_state()

    def set_user(self, user: User) -> None:
        """Who is acting (everyone may read and export the report; it holds masked text only)."""
        self._user = user

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

    # ----------------------------------------------------------------- period
    def set_period(self, period: Period) -> None:
        """Report on ``period`` (recomputed in the background)."""
        self.period = period.with_zone(self._zone)
        index = self.kind_combo.findData(period.kind)
        if index >= 0 and index != self.kind_combo.currentIndex():
            self.kind_combo.blockSignals(True)
            self.kind_combo.setCurrentIndex(index)
            self.kind_combo.blockSignals(False)
        self._show_period()
        self.refresh()

    def _show_period(self) -> None:
        self.period_label.setText(self.period.title)
        current = period_containing(self._kind(), self._clock(), self._zone)
        self.current_action.setText(f"This {self._kind()}")
        self.current_action.setEnabled(self._workspace is not None and self.period != current)
        self.header.set_summary(
            f"Council report for {self.period.title}, compared with the {self.period.noun} before"
        )

    def _kind(self) -> PeriodKind:
        kind: PeriodKind = self.kind_combo.currentData() or "week"
        return kind

    @Slot()
    def _on_previous_action_triggered(self) -> None:
        self.set_period(self.period.previous())

    @Slot()
    def _on_next_action_triggered(self) -> None:
        self.set_period(self.period.next())

    @Slot()
    def _on_current_action_triggered(self) -> None:
        self.set_period(period_containing(self._kind(), self._clock(), self._zone))

    @Slot(int)
    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        # The week or month that holds today when today is shown, else the first day shown.
        now = self._clock()
        when = now if self.period.contains(now) else self.period.start
        self.set_period(period_containing(self._kind(), when, self._zone))

    # ---------------------------------------------------------------- compute
    def _compute_job(self) -> Callable[[Progress], CouncilReport]:
        workspace = self._workspace
        clock = self._clock

        def job(progress: Progress) -> CouncilReport:
            return _compute(progress, workspace, self._requested, clock())

        return job

    def refresh(self) -> None:
        """Compute the report again (coalesced with one already running)."""
        if self._task is None:
            return
        self._requested = self.period
        self._dirty = False
        self.activity.show_busy(f"Computing the council report for {self.period.title}…")
        self._task.request()

    @Slot(object)
    def _on_bridge_store_changed(self, event: StoreEvent) -> None:
        if event.table not in WATCHED_TABLES:
            return
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._dirty = True

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.report is not None:
            self._show_charts(self.report)

    def _on_report_computed(self, report: CouncilReport) -> None:
        if report.period != self._requested:
            return  # an older request; the newer one is on its way
        self.report = report
        self.activity.clear()
        self._show_report(report)
        self._update_state()
        self.report_loaded.emit(report.period.label)

    # ------------------------------------------------------------------- show
    def _show_report(self, report: CouncilReport | None) -> None:
        if report is None:
            for label in self.summary_labels.values():
                label.clear()
            self.figure_model.set_rows([])
            self.issue_model.set_issues([], {}, "Period before")
            self._show_charts(None)
            return
        s = report.summary
        pending_intro, *pending = s.pending
        texts = {
            "headline": "\n".join(s.headline),
            "improved": "\n".join(f"• {x}" for x in s.improved),
            "worse": "\n".join(f"• {x}" for x in s.worse),
            "hot_issues": "\n".join(f"• {x}" for x in s.hot_issues),
            "pending": pending_intro + "\n" + "\n".join(f"• {x}" for x in pending),
        }
        for key, text in texts.items():
            self.summary_labels[key].setText(text)
            # "What got worse" is empty when there is nothing to compare with (the sentence above says so)
            self.summary_labels[key].setVisible(bool(text))
            self.section_labels[key].setVisible(bool(text))
        figures = {f.key: f for f in report.figures}
        before = report.previous.short
        for card, key in zip(self.cards, CARD_KEYS, strict=True):
            card.show_figure(figures[key], before)
        self.figure_model.set_period_names(report.period.short, before)
        self.figure_model.set_rows(report.figures)
        self.issue_model.set_issues(report.hot_issues, report.previous_issue_items, before)
        self._fit_table(self.figures_table)
        self._fit_table(self.issues_table)
        self._show_charts(report)

    def _show_charts(self, report: CouncilReport | None) -> None:
        for view in self.chart_views:
            self.charts_grid.removeWidget(view)
            view.hide()  # at once: deleteLater waits for the event loop
            view.deleteLater()
        self.chart_views = []
        specs = report.charts if report is not None else []
        palette = self.palette()
        for n, spec in enumerate(specs):
            view = make_chart_view(spec, palette)
            view.setObjectName(f"reportChart{n}")
            view.setMinimumHeight(260)
            self.charts_grid.addWidget(view, n // 2, n % 2)
            self.chart_views.append(view)
        self.no_charts_label.setVisible(report is not None and not specs)

    def _update_state(self) -> None:
        has_workspace = self._workspace is not None
        self.stack.setCurrentWidget(self.scroll_area if has_workspace else self.empty_state)
        self.previous_action.setEnabled(has_workspace)
        self.next_action.setEnabled(has_workspace)
        ready = has_workspace and self.report is not None and self._export is None
        self.pdf_action.setEnabled(ready)
        self.html_action.setEnabled(ready)
        self.kind_combo.setEnabled(has_workspace)
        self._show_period()

    # ---------------------------------------------------------------- exports
    def _default_path(self, suffix: str) -> str:
        label = self.period.label.replace("..", "_to_")
        return str(Path.home() / f"council-report-{label}.{suffix}")

    @Slot()
    def _on_pdf_action_triggered(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the council report as PDF", self._default_path("pdf"), "PDF files (*.pdf)"
        )
        if path:
            self.export_pdf(path)

    @Slot()
    def _on_html_action_triggered(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the council report as HTML", self._default_path("html"), "Web pages (*.html)"
        )
        if path:
            self.export_html(path)

    def export_pdf(self, path: str) -> None:
        """Write the report shown as a PDF to ``path``; the charts are drawn here, the rest in a task."""
        if self.report is None:
            return
        from ui.report_pdf import render_chart_images

        images = render_chart_images(self.report)
        self._start_export(_write_pdf, self.report, path, images, description="Exporting the PDF report")

    def export_html(self, path: str) -> None:
        """Write the report shown as a self-contained HTML file to ``path`` in a task."""
        if self.report is None:
            return
        self._start_export(_write_html, self.report, path, description="Exporting the HTML report")

    def _start_export(self, fn: Callable[..., str], *args: Any, description: str) -> None:
        guard = self._guard

        def done(sentence: str) -> None:
            self.activity.show_message(sentence)
            self.export_finished.emit(sentence, False)

        def failed(exc: BaseException) -> None:
            sentence = _error_sentence(exc)
            self.activity.show_message(sentence, error=True)
            self.export_finished.emit(sentence, True)

        def finished() -> None:
            self._export = None
            self._update_state()

        self.activity.show_busy(f"{description}…")
        handle = self._runner.run(
            fn,
            *args,
            on_result=guard(done),
            on_error=guard(failed),
            on_finished=guard(finished),
            description=description,
        )
        if not handle.done:
            self._export = handle
        self._update_state()
