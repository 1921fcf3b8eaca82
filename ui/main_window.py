"""The main window: navigation on the left, one page per view, status at the bottom.

The window opens its workspace in the background (a big or old workspace
can take seconds to open or migrate) and shows "Opening workspace…" until
then, or the error's own sentence if it cannot be opened. Task failures
nobody handled arrive through :attr:`TaskRunner.task_failed` and are shown
in the status bar's error line, never as a modal dialog.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QStatusBar,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from curator.errors import CuratorError
from curator.progress import Progress, ProgressState
from curator.publish.secrets import SecretStore
from ui.assets import icon
from ui.command_palette import CommandPalette
from ui.models import StoreEventBridge
from ui.publisher import Publisher
from ui.shortcuts_dialog import ShortcutsDialog, action_label, collect_shortcuts
from ui.tasks import CoalescedTask, TaskHandle, TaskRunner
from ui.theme import apply_theme, set_property
from ui.views.approvals import ApprovalsView
from ui.views.calendar import CalendarView
from ui.views.drafts import DraftsView
from ui.views.hot_issues import HotIssuesView
from ui.views.inbox import InboxView
from ui.views.reports import ReportsView
from ui.views.settings import SettingsView
from ui.views.sources import SourcesView
from ui.views.team_dialog import TeamDialog
from ui.wall import WallView
from ui.welcome import WelcomeDialog
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.empty_state import EmptyState
from ui.window_state import WindowState

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 800)
#: How often the window looks for writes made by other processes (the CLI,
#: a colleague's window); the check itself is two file stats when idle.
REFRESH_INTERVAL_MS = 3000
NAV_WIDTH = 200


@dataclass(frozen=True)
class NavEntry:
    """One entry of the navigation: its key, label and icon."""

    key: str
    label: str
    icon: str


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("hot_issues", "Hot issues", "hot-issues"),
    NavEntry("inbox", "Inbox", "inbox"),
    NavEntry("drafts", "Drafts", "drafts"),
    NavEntry("approvals", "Approvals", "approvals"),
    NavEntry("calendar", "Calendar", "calendar"),
    NavEntry("sources", "Sources", "sources"),
    NavEntry("reports", "Reports", "reports"),
    NavEntry("wall", "Wall", "wall"),
    NavEntry("settings", "Settings", "settings"),
)


@dataclass
class Opened:
    """What the worker hands back once a workspace is open."""

    workspace: Any
    created: bool
    user: Any
    members: list[Any]
    may_switch: bool
    may_unmask: bool


def acting_user(workspace: Any, requested: str | None = None) -> tuple[Any, list[Any], bool, bool]:
    """Who acts in ``workspace`` (the OS account's member, or ``requested`` where allowed).

    Returns:
        The user, the members, whether switching is allowed, whether the user may unmask.
    """
    from curator.identity import TeamConfig, may_unmask, resolve_user
    from curator.settings import Settings

    user = resolve_user(
        workspace.users,
        workspace.config,
        requested=requested,
        display_name=Settings().get("user.name"),
        read_only=workspace.read_only,
    )
    team = workspace.config.get_or_default("team", TeamConfig)
    members = sorted(workspace.users.list(), key=lambda u: u.name.casefold())
    return user, members, team.allow_user_switch, may_unmask(user, team)


def _open_workspace_task(progress: Progress, path: Path, read_only: bool, create_demo: bool) -> Opened:
    """Worker side of opening: create the demo if asked and missing, open, remember it, say who acts."""
    from curator.workspace import Workspace

    created = False
    if create_demo and not path.exists():
        from curator.demo import ensure_demo_workspace

        progress.start(None, "Creating the demo workspace")
        path = ensure_demo_workspace(path)
        created = True
    progress.start(None, "Opening workspace")
    workspace = Workspace.open(path, read_only=read_only)
    try:
        from curator.settings import Settings

        settings = Settings()
        settings.set("workspace.last", str(workspace.path))
        settings.save()
    except (OSError, ValueError):
        log.warning("Could not remember the last workspace", exc_info=True)
    try:
        user, members, may_switch, unmask = acting_user(workspace)
    except BaseException:
        workspace.close()
        raise
    return Opened(workspace, created, user, members, may_switch, unmask)


def describe_failure(description: str, exc: BaseException) -> str:
    """One line for the error channel: the core's own sentence, or a plain summary of a bug."""
    if isinstance(exc, CuratorError):
        text = str(exc)
    else:
        text = f"An unexpected error occurred ({type(exc).__name__}: {exc})."
    return f"{description} failed: {text}" if description else text


class _GlobalKeys(QObject):
    """Lets the window's global keys win over text fields that claim them.

    On Linux, Qt's text edits take Ctrl+K as "delete to the end of the
    line", so the palette would never open while a draft is being typed.
    Declining their shortcut override for these keys hands them to the
    window's actions.
    """

    def __init__(self, window: QWidget, keys: list[QKeySequence]) -> None:
        super().__init__(window)
        self._window = window
        self._keys = {key.toString() for key in keys if not key.isEmpty()}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if QKeySequence(event.keyCombination()).toString() not in self._keys:
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        event.ignore()
        return True


class MainWindow(QMainWindow):
    """Curator's main window over one workspace at a time."""

    #: The workspace finished opening: (workspace).
    workspace_opened = Signal(object)
    #: Opening failed: (the sentence shown to the user).
    workspace_open_failed = Signal(str)
    #: The user saved settings: (the keys that changed).
    settings_changed = Signal(list)

    def __init__(self, runner: TaskRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner if runner is not None else TaskRunner(parent=self)
        self.workspace: Any = None
        self._bridge: StoreEventBridge | None = None
        self._open_token = 0
        self._opening_path: Path | None = None
        self._refresher: CoalescedTask | None = None
        self._closing = False
        self._shown_tasks: list[TaskHandle] = []

        self.setWindowTitle("Curator")
        self.setWindowIcon(icon("curator"))
        self.resize(DEFAULT_SIZE)
        self.setMinimumSize(QSize(900, 560))

        self.user: Any = None
        self._tray: QSystemTrayIcon | None = None
        self.team_dialog: TeamDialog | None = None
        self.secrets_dialog: QInputDialog | None = None
        self.command_palette: CommandPalette | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.welcome_dialog: WelcomeDialog | None = None
        self.window_state = WindowState()
        # One secret store per window: a password typed once serves the timer and the Calendar.
        self.secrets = SecretStore()
        self.publisher = Publisher(self.runner, self.secrets, self)
        self.publisher.run_finished.connect(self._on_publisher_run_finished)
        self.publisher.secrets_needed.connect(self._on_publisher_secrets_needed)
        self._build_navigation()
        self._build_pages()
        self._build_status_bar()
        self._build_actions()

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        self.runner.task_started.connect(self._on_runner_task_started)
        self.runner.task_progressed.connect(self._on_runner_task_progressed)
        self.runner.task_finished.connect(self._on_runner_task_finished)
        self.runner.task_failed.connect(self._on_runner_task_failed)
        remembered = self.window_state.view
        start = remembered if remembered in {e.key for e in NAV_ENTRIES} else "sources"
        self.navigation.setCurrentRow(NAV_ENTRIES.index(self._entry(start)))
        self.window_state.restore_window(self)
        self._set_workspace_controls_enabled(False)

    # --------------------------------------------------------------- build
    def _build_navigation(self) -> None:
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(NAV_WIDTH)
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setSpacing(0)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for number, entry in enumerate(NAV_ENTRIES, start=1):
            item = QListWidgetItem(icon(entry.icon), entry.label)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setToolTip(f"{entry.label} (Ctrl+{number})")
            item.setSizeHint(QSize(NAV_WIDTH - 20, 38))
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)

    def _build_pages(self) -> None:
        self.pages = QStackedWidget()
        self.views: dict[str, Any] = {}
        for entry in NAV_ENTRIES:
            view: Any
            if entry.key == "sources":
                view = SourcesView(self.runner)
            elif entry.key == "hot_issues":
                view = HotIssuesView(self.runner)
                view.draft_requested.connect(self._on_hot_issues_draft_requested)
            elif entry.key == "drafts":
                view = DraftsView(self.runner)
            elif entry.key == "inbox":
                view = InboxView(self.runner)
                view.notified.connect(lambda text: self.notify("Response targets", text, error=True))
                view.draft_requested.connect(self._on_inbox_draft_requested)
            elif entry.key == "calendar":
                view = CalendarView(self.runner, secrets=self.secrets)
            elif entry.key == "approvals":
                view = ApprovalsView(self.runner)
                view.draft_open_requested.connect(self._on_approvals_draft_open_requested)
            elif entry.key == "reports":
                view = ReportsView(self.runner)
            elif entry.key == "wall":
                view = WallView(self.runner)
            elif entry.key == "settings":
                view = SettingsView(self.runner, secrets=self.secrets)
                view.open_workspace_requested.connect(self.choose_workspace)
                view.team_requested.connect(self.show_team)
                view.change_saved.connect(self.show_notice)
                view.change_failed.connect(lambda text: self.show_notice(text, error=True))
                view.settings_changed.connect(self._on_settings_changed)
            else:  # pragma: no cover - every entry has its page
                raise KeyError(entry.key)
            view.setObjectName(f"{entry.key}View")
            self.views[entry.key] = view
            self.pages.addWidget(view)
        self.status_page = EmptyState("folder", "Opening workspace…", "")
        self.status_page.setObjectName("workspaceStatus")
        self.status_page.action_triggered.connect(self._on_status_page_action_triggered)
        self.pages.addWidget(self.status_page)

    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        bar.setSizeGripEnabled(False)
        self.setStatusBar(bar)
        self.notice_label = ElidedLabel()
        self.notice_label.setObjectName("noticeLabel")
        self.notice_label.setContentsMargins(8, 0, 0, 0)
        self.notice_dismiss = QToolButton()
        self.notice_dismiss.setText("✕")
        self.notice_dismiss.setAutoRaise(True)
        self.notice_dismiss.setToolTip("Dismiss this message")
        self.notice_dismiss.clicked.connect(self.clear_notice)
        self.notice_dismiss.hide()
        self.task_label = QLabel()
        self.task_label.setObjectName("taskLabel")
        self.task_progress = QProgressBar()
        self.task_progress.setObjectName("taskProgress")
        self.task_progress.setFixedWidth(160)
        self.task_progress.setMaximumHeight(14)
        self.task_progress.setTextVisible(False)
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("userCombo")
        self.user_combo.setToolTip("Act as another member of this workspace (the workspace allows it)")
        self.user_combo.activated.connect(self._on_user_combo_activated)
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.read_only_badge = QLabel("Read-only")
        self.read_only_badge.setObjectName("readOnlyBadge")
        self.workspace_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.workspace_label.setObjectName("workspaceLabel")
        self.workspace_label.setContentsMargins(0, 0, 8, 0)
        bar.addWidget(self.notice_label)
        bar.addWidget(self.notice_dismiss)
        bar.addWidget(QWidget(), 1)  # keeps the dismiss button next to the text
        bar.addPermanentWidget(self.task_label)
        bar.addPermanentWidget(self.task_progress)
        bar.addPermanentWidget(self.read_only_badge)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.user_combo)
        bar.addPermanentWidget(self.workspace_label)
        self.user_combo.hide()
        self.task_label.hide()
        self.task_progress.hide()
        self.read_only_badge.hide()

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open Workspace…", self)
        self.open_action.setShortcut(QKeySequence("Ctrl+O"))
        self.open_action.triggered.connect(self.choose_workspace)
        file_menu.addAction(self.open_action)
        self.team_action = QAction("&Team…", self)
        self.team_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.team_action.setToolTip("Members, their roles, and who may act as whom")
        self.team_action.triggered.connect(self.show_team)
        self.team_action.setEnabled(False)
        file_menu.addAction(self.team_action)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(lambda: self.show_view("settings"))
        file_menu.addAction(self.settings_action)
        self.new_workspace_action = QAction("&New Empty Workspace…", self)
        self.new_workspace_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_workspace_action.triggered.connect(self.create_empty_workspace)
        file_menu.insertAction(self.open_action, self.new_workspace_action)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)
        view_menu = self.menuBar().addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        for number, entry in enumerate(NAV_ENTRIES, start=1):
            action = QAction(icon(entry.icon), entry.label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, key=entry.key: self.show_view(key))
            view_menu.addAction(action)
            self.view_actions[entry.key] = action
        view_menu.addSeparator()
        self.palette_action = QAction("&Go to…", self)
        self.palette_action.setShortcut(QKeySequence("Ctrl+K"))
        self.palette_action.setToolTip("Jump to any view, action, issue, draft or source")
        self.palette_action.triggered.connect(self.show_palette)
        view_menu.addAction(self.palette_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = QAction("&Keyboard Shortcuts", self)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)
        self.welcome_action = QAction("&Welcome", self)
        self.welcome_action.triggered.connect(self.show_welcome)
        help_menu.addAction(self.welcome_action)
        app = QApplication.instance()
        if app is not None:
            self._global_keys = _GlobalKeys(self, [self.palette_action.shortcut()])
            app.installEventFilter(self._global_keys)

    # --------------------------------------------------------- navigation
    @staticmethod
    def _entry(key: str) -> NavEntry:
        return next(entry for entry in NAV_ENTRIES if entry.key == key)

    def show_view(self, key: str) -> None:
        """Switch to the view named ``key`` (one of :data:`NAV_ENTRIES`)."""
        self.navigation.setCurrentRow(NAV_ENTRIES.index(self._entry(key)))

    def current_view_key(self) -> str:
        """The key of the selected navigation entry."""
        return NAV_ENTRIES[self.navigation.currentRow()].key

    @Slot(int)
    def _on_navigation_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        if self.workspace is not None:
            self.pages.setCurrentWidget(self.views[NAV_ENTRIES[row].key])

    # ------------------------------------------------------ palette, help
    def _page_labels(self) -> dict[str, str]:
        """A page's objectName -> its navigation label."""
        return {f"{entry.key}View": entry.label for entry in NAV_ENTRIES}

    def _palette_actions(self) -> dict[str, tuple[str | None, QAction]]:
        """Every named action the palette offers: key -> (the page it belongs to, the action)."""
        found: dict[str, tuple[str | None, QAction]] = {}
        own = set(self.view_actions.values()) | {self.palette_action}
        for action in self.menuBar().findChildren(QAction) + self.findChildren(QAction):
            if action in own or not action.text() or action.isSeparator() or action.menu() is not None:
                continue
            page: str | None = None
            owner: Any = action.parent()
            while owner is not None and owner is not self:
                name = owner.objectName()
                if name.endswith("View") and name[: -len("View")] in self.views:
                    page = name[: -len("View")]
                    break
                owner = owner.parent()
            found.setdefault(f"action:{id(action)}", (page, action))
        return found

    def _static_targets(self) -> list[Any]:
        from curator.jump import JumpTarget

        targets = [
            JumpTarget("view", entry.key, entry.label, f"View · Ctrl+{number}")
            for number, entry in enumerate(NAV_ENTRIES, start=1)
        ]
        labels = {entry.key: entry.label for entry in NAV_ENTRIES}
        self._palette_action_map = self._palette_actions()
        for key, (page, action) in self._palette_action_map.items():
            if not action.isEnabled() and page is None:
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            where = labels[page] if page else "Action"
            targets.append(
                JumpTarget("action", key, action_label(action.text()), f"{where} · {keys}" if keys else where)
            )
        return targets

    def show_palette(self) -> None:
        """The command palette (Ctrl+K): views and actions at once, the workspace's objects once read."""
        if self.command_palette is None:
            self.command_palette = CommandPalette(self)
            self.command_palette.target_chosen.connect(self._on_palette_target_chosen)
        palette = self.command_palette
        static = self._static_targets()
        icons = {entry.key: entry.icon for entry in NAV_ENTRIES}
        palette.set_targets(static, icons)
        palette.popup()
        workspace = self.workspace
        if workspace is None:
            return
        from curator.jump import workspace_targets

        palette.set_loading(True)

        def loaded(found: list[Any]) -> None:
            if self.command_palette is palette and workspace is self.workspace:
                palette.set_targets(static + found)
                palette.set_loading(False)

        self.runner.run(
            lambda _progress: workspace_targets(workspace),
            on_result=loaded,
            on_error=lambda exc: palette.set_loading(False),
        )

    @Slot(object)
    def _on_palette_target_chosen(self, target: Any) -> None:
        if target.kind == "view":
            self.show_view(target.key)
        elif target.kind == "action":
            page, action = self._palette_action_map.get(target.key, (None, None))
            if action is None:
                return
            if page is not None and self.workspace is not None:
                self.show_view(page)
            if action.isEnabled():
                action.trigger()
            else:
                self.show_notice(f"“{target.title}” is not available right now.")
        elif self.workspace is not None:
            page = {"issue": "hot_issues", "draft": "drafts", "source": "sources"}[target.kind]
            self.show_view(page)
            view = self.views[page]
            if target.kind == "draft":
                view.open_draft(target.key)
                return
            found = (
                view.select_issue(target.key) if target.kind == "issue" else view.select_source(target.key)
            )
            if not found:
                self.show_notice(f"“{target.title}” is hidden by the page's filters; clear them to see it.")

    def show_shortcuts(self) -> None:
        """The keyboard shortcut overview (F1 or Ctrl+/), read from the actions themselves."""
        rows = collect_shortcuts(self, self._page_labels())
        if self.shortcuts_dialog is not None:
            self.shortcuts_dialog.deleteLater()
        self.shortcuts_dialog = ShortcutsDialog(rows, self)
        self.shortcuts_dialog.open()

    def show_welcome(self) -> None:
        """The welcome: three steps, and the demo, a new workspace or a shared one."""
        if self.welcome_dialog is None:
            self.welcome_dialog = WelcomeDialog(self)
            self.welcome_dialog.new_chosen.connect(self.create_empty_workspace)
            self.welcome_dialog.open_chosen.connect(self.choose_workspace)
            self.welcome_dialog.finished.connect(self._on_welcome_dialog_finished)
            self.welcome_dialog.demo_chosen.connect(self._on_welcome_dialog_demo_chosen)
        self.welcome_dialog.open()

    @Slot()
    def _on_welcome_dialog_finished(self) -> None:
        from curator.settings import Settings

        try:
            settings = Settings()
            settings.set("ui.welcome_done", True)
            settings.save()
        except (OSError, ValueError):
            log.warning("Could not remember that the welcome was seen", exc_info=True)

    @Slot()
    def _on_welcome_dialog_demo_chosen(self) -> None:
        from curator.paths import default_workspace_path

        demo = default_workspace_path()
        if self.workspace is None or Path(self.workspace.path) != demo:
            self.open_workspace(demo, create_demo=True)

    def create_empty_workspace(self) -> None:
        """Ask for an empty (or new) folder and make it a workspace."""
        start = str(Path.home())
        chosen, _ = QFileDialog.getSaveFileName(
            self, "New Empty Workspace", str(Path(start) / "Curator workspace"), "Folders (*)"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            self.show_notice(
                f"{path} is not empty; choose a new or empty folder for a new workspace.", error=True
            )
            return
        self._create_and_open(path)

    @Slot(list)
    def _on_settings_changed(self, keys: list[str]) -> None:
        """Settings saved on the Settings page take effect at once, without a restart."""
        if "ui.theme" in keys:
            from curator.settings import Settings

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, Settings().get("ui.theme"))
        if any(key.startswith("wall.") for key in keys):
            self.views["wall"].load_settings()
        self.settings_changed.emit(keys)

    def _set_workspace_controls_enabled(self, enabled: bool) -> None:
        self.navigation.setEnabled(enabled)
        for action in self.view_actions.values():
            action.setEnabled(enabled)

    # ----------------------------------------------------------- workspace
    def open_workspace(self, path: str | Path, *, read_only: bool = False, create_demo: bool = False) -> None:
        """Open the workspace in ``path`` in the background, closing the current one.

        Args:
            path: the workspace folder.
            read_only: open it without the right to write.
            create_demo: create the demo workspace there first if the
                folder does not exist (the first run of a newcomer).
        """
        self._close_workspace()
        path = Path(path)
        self._opening_path = path
        self.status_page.set_content("folder", "Opening workspace…", "", detail=str(path))
        self.pages.setCurrentWidget(self.status_page)
        self.setWindowTitle("Curator")
        self.workspace_label.setText(str(path))
        self.workspace_label.setToolTip(str(path))
        self.read_only_badge.hide()
        self._set_workspace_controls_enabled(False)
        token = self._open_token
        self.runner.run(
            _open_workspace_task,
            path,
            read_only,
            create_demo,
            on_result=lambda result: self._on_open_succeeded(token, result),
            on_error=lambda exc: self._on_open_failed(token, exc),
            description="Opening workspace",
        )

    def choose_workspace(self) -> None:
        """Ask for a folder and open it; an empty folder becomes a new workspace."""
        start = str(self.workspace.path if self.workspace is not None else self._opening_path or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Open Workspace", start)
        if not chosen:
            return
        path = Path(chosen)
        if path.is_dir() and not any(path.iterdir()):
            self._create_and_open(path)
        else:
            self.open_workspace(path)

    def _create_and_open(self, path: Path) -> None:
        def create(_progress: Progress, folder: Path) -> Path:
            from curator.workspace import Workspace

            Workspace.open(folder, create=True).close()
            return folder

        token = self._open_token

        def created(folder: Path) -> None:
            if token == self._open_token and not self._closing:
                self.open_workspace(folder)

        self.runner.run(
            create,
            path,
            on_result=created,
            on_error=lambda exc: self._on_open_failed(token, exc),
            description="Creating workspace",
        )

    def _on_open_succeeded(self, token: int, result: Opened) -> None:
        workspace, created = result.workspace, result.created
        if self._closing or token != self._open_token:
            workspace.close()  # superseded by another open, or the window is closing
            return
        self.workspace = workspace
        self._bridge = StoreEventBridge(workspace, self)
        for view in self.views.values():
            view.attach(workspace, self._bridge)
        self._set_user(result.user, result.members, result.may_switch, result.may_unmask)
        self.team_action.setEnabled(True)
        self.publisher.attach(workspace)
        self._refresher = CoalescedTask(self.runner, lambda _p: workspace.refresh(), parent=self)
        self._refresh_timer.start()
        self.setWindowTitle(f"Curator — {workspace.name}")
        self.workspace_label.setText(f"{workspace.name} — {workspace.path}")
        self.workspace_label.setToolTip(f"Workspace “{workspace.name}” in {workspace.path}")
        if workspace.read_only:
            self.read_only_badge.setToolTip(workspace.read_only_reason or "Opened read-only.")
            self.read_only_badge.show()
        self._set_workspace_controls_enabled(True)
        self.window_state.restore_layouts(self)
        self.pages.setCurrentWidget(self.views[self.current_view_key()])
        if created:
            self.show_notice(f"Demo workspace created at {workspace.path}, with sample data to explore.")
        self.workspace_opened.emit(workspace)

    def _on_open_failed(self, token: int, exc: BaseException) -> None:
        if self._closing or token != self._open_token:
            return
        if isinstance(exc, CuratorError):
            sentence = str(exc)
        else:
            log.error("Opening a workspace failed", exc_info=exc)
            sentence = describe_failure("", exc)
        self.status_page.set_content(
            "alert", "This workspace could not be opened", sentence, "Open Another Workspace…"
        )
        self.pages.setCurrentWidget(self.status_page)
        self.workspace_label.setText(f"No workspace open — {self._opening_path}")
        self.workspace_label.setToolTip(f"Could not open {self._opening_path}")
        self.workspace_open_failed.emit(sentence)

    @Slot()
    def _on_status_page_action_triggered(self) -> None:
        self.choose_workspace()

    def _close_workspace(self) -> None:
        """Detach every view, stop listening, finish the background work, then close.

        Tasks of the old workspace may still be reading it, so they are
        cancelled and awaited before the workspace closes; an open still in
        flight is superseded (its workspace is closed when it arrives).
        """
        self._open_token += 1
        self._refresh_timer.stop()
        self.publisher.detach()
        self.user_combo.hide()
        self.team_action.setEnabled(False)
        if self.team_dialog is not None:
            self.team_dialog.detach()
            self.team_dialog.close()
            self.team_dialog.deleteLater()
            self.team_dialog = None
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher = None
        for view in self.views.values():
            view.detach()
        if self._bridge is not None:
            self._bridge.close()
            self._bridge.deleteLater()
            self._bridge = None
        if not self.runner.shutdown(10_000):
            log.warning("Background tasks were still running when the workspace closed")
        if self.workspace is not None:
            workspace, self.workspace = self.workspace, None
            try:
                workspace.close()
            except (CuratorError, OSError):
                # Every commit is already durable in the journal; the next open replays it.
                log.exception("Closing the workspace %s failed", workspace.path)

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self._refresher is not None:
            self._refresher.request()

    # ---------------------------------------------------------- people
    def _set_user(self, user: Any, members: list[Any], may_switch: bool, may_unmask: bool) -> None:
        """Tell every page who acts; offer switching where the workspace allows it."""
        self.user = user
        for view in self.views.values():
            if isinstance(view, (HotIssuesView, InboxView)):
                view.set_user(user, may_unmask)
            elif hasattr(view, "set_user"):
                view.set_user(user)
        roles = ", ".join(r.value for r in user.roles) or "no role: read-only"
        self.user_label.setText(f"{user.name} ({roles})")
        self.user_label.setToolTip("You act as this member; your roles decide what you may do.")
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        for member in members:
            self.user_combo.addItem(member.name, member.id)
        self.user_combo.setCurrentIndex(max(0, self.user_combo.findData(user.id)))
        self.user_combo.blockSignals(False)
        self.user_combo.setVisible(may_switch and len(members) > 1)
        self.user_label.setVisible(self.user_combo.isHidden())

    def switch_user(self, member_id: str) -> None:
        """Act as another member (the core refuses where the workspace does not allow it)."""
        workspace = self.workspace
        if workspace is None:
            return
        try:
            user, members, may_switch, unmask = acting_user(workspace, member_id)
        except CuratorError as exc:
            self.show_notice(str(exc), error=True)
            return
        self._set_user(user, members, may_switch, unmask)
        self.show_notice(f"You now act as {user.name}.")

    def show_team(self) -> None:
        """The team's members and roles (admins change them; others read)."""
        if self.workspace is None:
            return
        if self.team_dialog is None:
            self.team_dialog = TeamDialog(self.workspace, self.user, self.runner, self)
            self.team_dialog.team_changed.connect(self._on_team_dialog_team_changed)
            self.team_dialog.change_failed.connect(lambda text: self.show_notice(text, error=True))
        self.team_dialog.open()

    @Slot()
    def _on_team_dialog_team_changed(self) -> None:
        workspace = self.workspace
        if workspace is None or self.user is None:
            return
        current = None if self.user.id.startswith("guest:") else self.user.id
        try:
            user, members, may_switch, unmask = acting_user(workspace, current)
        except CuratorError:
            user, members, may_switch, unmask = acting_user(workspace)
        self._set_user(user, members, may_switch, unmask)
        if self.team_dialog is not None:
            self.team_dialog.set_user(user)

    @Slot(int)
    def _on_user_combo_activated(self, index: int) -> None:
        member_id = self.user_combo.itemData(index)
        if member_id and (self.user is None or member_id != self.user.id):
            self.switch_user(str(member_id))

    @Slot(str)
    def _on_hot_issues_draft_requested(self, issue_id: str) -> None:
        self.show_view("drafts")
        self.views["drafts"].new_from_issue(issue_id)

    @Slot(list)
    def _on_inbox_draft_requested(self, item_ids: list[str]) -> None:
        self.show_view("drafts")
        self.views["drafts"].new_from_items(item_ids)

    @Slot(str)
    def _on_approvals_draft_open_requested(self, draft_id: str) -> None:
        self.show_view("drafts")
        self.views["drafts"].open_draft(draft_id)

    @Slot(list)
    def _on_publisher_secrets_needed(self, needed: list[tuple[str, str, str]]) -> None:
        """No keyring: ask for each secret the due posts need, for this session only."""
        if self.secrets_dialog is not None or not needed:
            return
        tp_id, tp_name, name = needed[0]
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Publishing needs a secret")
        dialog.setLabelText(
            f"No system keyring is available, so Curator asks each time.\n"
            f"The {name.replace('_', ' ')} of “{tp_name}” (kept only until Curator closes):"
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.finished.connect(
            lambda result: self._on_secrets_dialog_finished(bool(result), tp_id, name, needed[1:])
        )
        self.secrets_dialog = dialog
        dialog.open()

    def _on_secrets_dialog_finished(
        self, accepted: bool, tp_id: str, name: str, rest: list[tuple[str, str, str]]
    ) -> None:
        dialog, self.secrets_dialog = self.secrets_dialog, None
        if accepted and dialog is not None and dialog.textValue():
            self.secrets.remember_for_session(tp_id, name, dialog.textValue())
        else:
            self.publisher.skip_secret(tp_id, name)
        if dialog is not None:
            dialog.deleteLater()
        if rest:
            self._on_publisher_secrets_needed(rest)
        else:
            self.publisher.publish_now()

    @Slot(str, list)
    def _on_publisher_run_finished(self, summary: str, failures: list[str]) -> None:
        if failures:
            self.notify("Publishing failed", failures[0], error=True, details="\n".join(failures))
        else:
            self.show_notice(summary)

    def notify(self, title: str, text: str, *, error: bool = False, details: str = "") -> None:
        """A notification: on the desktop where a system tray exists, always in the status bar.

        Background events (a failed post, a response target about to be
        missed) come here, never as dialogs.
        """
        self.show_notice(text, error=error, details=details)
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(icon("curator"), self)
            self._tray.show()
        if self._tray is not None:
            kind = QSystemTrayIcon.MessageIcon.Warning if error else QSystemTrayIcon.MessageIcon.Information
            self._tray.showMessage(title, text, kind, 10_000)

    def _close_now(self) -> None:
        self._closing = True
        self.close()

    # ---------------------------------------------------------- notices
    def show_notice(self, text: str, *, error: bool = False, details: str = "") -> None:
        """Show a message in the status bar; errors stay until dismissed or replaced."""
        set_property(self.notice_label, "error", error)
        self.notice_label.setText(("⚠ " if error else "") + text)
        self.notice_label.setToolTip(details or text)
        self.notice_dismiss.setVisible(True)

    @Slot()
    def clear_notice(self) -> None:
        """Remove the status bar message."""
        self.notice_label.clear()
        self.notice_label.setToolTip("")
        self.notice_dismiss.hide()

    # -------------------------------------------------------- task status
    @Slot(object)
    def _on_runner_task_started(self, handle: TaskHandle) -> None:
        if handle.description:
            self._shown_tasks.append(handle)
            self._update_task_status()

    @Slot(object, object)
    def _on_runner_task_progressed(self, handle: TaskHandle, _state: ProgressState) -> None:
        if handle in self._shown_tasks:
            self._update_task_status()

    @Slot(object)
    def _on_runner_task_finished(self, handle: TaskHandle) -> None:
        if handle in self._shown_tasks:
            self._shown_tasks.remove(handle)
            self._update_task_status()

    @Slot(object, object)
    def _on_runner_task_failed(self, handle: TaskHandle, exc: BaseException) -> None:
        details = "".join(traceback.format_exception(exc)) if not isinstance(exc, CuratorError) else str(exc)
        self.show_notice(describe_failure(handle.description, exc), error=True, details=details)

    def _update_task_status(self) -> None:
        if not self._shown_tasks:
            self.task_label.hide()
            self.task_progress.hide()
            return
        handle = self._shown_tasks[-1]
        state = handle.last_progress
        text = (state.message if state is not None and state.message else handle.description) + "…"
        if len(self._shown_tasks) > 1:
            text += f" (+{len(self._shown_tasks) - 1} more)"
        self.task_label.setText(text)
        fraction = state.fraction if state is not None else None
        if fraction is None:
            self.task_progress.setRange(0, 0)
        else:
            self.task_progress.setRange(0, 1000)
            self.task_progress.setValue(round(fraction * 1000))
        self.task_label.show()
        self.task_progress.show()

    # ------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the background work, then close the workspace so nothing is lost.

        Unsaved draft text is offered for saving first; Cancel keeps the window open.
        """
        drafts = self.views["drafts"]
        if not self._closing and drafts.has_unsaved_changes():
            event.ignore()
            drafts.confirm_leave(then=self._close_now)
            return
        settings = self.views["settings"]
        if not self._closing and settings.has_unsaved_changes():
            self.show_view("settings")
            answer = QMessageBox.question(
                self,
                "Unsaved settings",
                "Some settings were changed but not applied. Close anyway and lose them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        self._closing = True
        self.window_state.capture(self, self.current_view_key())
        self.window_state.save()
        self._close_workspace()
        super().closeEvent(event)
