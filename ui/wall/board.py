"""The wall itself: the panels, the rotation, the footer, drawn at the scale of its own size.

:class:`WallBoard` is a plain widget so the same wall serves the full-screen
window and the live preview in the main window: its type grows with its
height (and shrinks with its width when the screen is narrower than 16:9),
so what the preview shows is what the wall shows, only smaller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ui.wall.panels import MARGIN, PANEL_CLASSES, MessagePanel, Panel, WallStyle
from ui.wall.text import clock
from ui.wall.theme import THEMES, WallTheme, resolve_theme
from ui.wall.widgets import FitLabel, PanelDots, scaled_font

if TYPE_CHECKING:
    from curator.reports.wall import WallSnapshot

#: Seconds each panel shows by default.
DEFAULT_ROTATE_S = 20
MIN_ROTATE_S = 5
MAX_ROTATE_S = 600
#: The size the wall's proportions are designed at.
DESIGN_WIDTH, DESIGN_HEIGHT = 1920, 1080
FOOTER_PX = 26


def clamp_rotation(seconds: float) -> int:
    """Seconds per panel, kept between 5 s (readable) and 10 min."""
    return int(min(MAX_ROTATE_S, max(MIN_ROTATE_S, round(seconds))))


class WallBoard(QWidget):
    """Panels that take turns, a footer (workspace, last update, dots), keys to steer by hand.

    Keys: Space or → shows the next panel, ← the previous one, P pauses or
    resumes the rotation. Moving by hand restarts the panel's time.
    """

    #: The panel shown changed: (index).
    panel_changed = Signal(int)
    #: The rotation was paused (True) or resumed (False).
    paused_changed = Signal(bool)

    def __init__(
        self, *, theme: str = "dark", rotate_seconds: float = DEFAULT_ROTATE_S, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wallBoard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(False)
        self._theme_name = "dark"
        self._theme: WallTheme = resolve_theme("dark")
        self._snapshot: WallSnapshot | None = None
        self._paused = False
        self._problem = ""
        self._style = WallStyle(1.0, self._theme, QFont(self.font()))

        self.panels: list[Panel] = [cls() for cls in PANEL_CLASSES]
        self.message = MessagePanel()
        self.stack = QStackedWidget()
        for panel in [*self.panels, self.message]:
            self.stack.addWidget(panel)
        self.stack.setCurrentWidget(self.message)

        self.name_label = FitLabel()
        self.name_label.setObjectName("wallWorkspaceName")
        self.status_label = FitLabel(align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status_label.setObjectName("wallStatus")
        self.dots = PanelDots()
        self.dots.set_state(len(self.panels), 0)
        self.dots.setToolTip(" · ".join(p.TITLE for p in self.panels))
        self._footer = QHBoxLayout()
        self._footer.addWidget(self.name_label, 2)
        self._footer.addWidget(self.status_label, 3)
        self._footer.addWidget(self.dots, 0, Qt.AlignmentFlag.AlignVCenter)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.stack, 1)
        self._layout.addLayout(self._footer)

        self.rotation_timer = QTimer(self)
        self.rotation_timer.timeout.connect(self._on_rotation_timer_timeout)
        self.set_rotation_seconds(rotate_seconds)
        self._scheme_connected = False
        self.set_theme(theme)

    # ------------------------------------------------------------ content
    @property
    def snapshot(self) -> WallSnapshot | None:
        """The snapshot shown (None until the first one arrives)."""
        return self._snapshot

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        """Show ``snapshot`` on every panel; the first one starts the rotation."""
        first = self._snapshot is None or self.stack.currentWidget() is self.message
        self._snapshot = snapshot
        self._problem = ""
        for panel in self.panels:
            panel.set_snapshot(snapshot)
        self.name_label.setText(snapshot.workspace_name)
        if first:
            self.show_panel(self.current_index())
        self._update_status()

    def set_message(self, title: str, hint: str = "", *, error: bool = False) -> None:
        """Show a sentence instead of the panels (loading, or why nothing can be shown)."""
        self.message.set_message(title, hint, error=error)
        self.stack.setCurrentWidget(self.message)
        self.rotation_timer.stop()
        self._update_status()

    def set_problem(self, sentence: str) -> None:
        """Keep showing the last snapshot but say in the footer that updating failed."""
        self._problem = sentence
        self._update_status()

    def set_workspace_name(self, name: str) -> None:
        """The name in the footer before the first snapshot (it is masked once one arrives)."""
        if self._snapshot is None:
            self.name_label.setText(name)

    # ------------------------------------------------------------ rotation
    def current_index(self) -> int:
        """The panel shown (or shown next, while a message covers them)."""
        return self.dots.current()

    def current_panel(self) -> Panel:
        """The panel at :meth:`current_index`."""
        return self.panels[self.current_index()]

    def showing_message(self) -> bool:
        """Whether a message covers the panels."""
        return self.stack.currentWidget() is self.message

    def show_panel(self, index: int) -> None:
        """Show panel ``index`` (wrapping around) and give it a full turn."""
        index %= len(self.panels)
        if self._snapshot is None:
            self.dots.set_state(len(self.panels), index)
            return
        self.stack.setCurrentWidget(self.panels[index])
        self.dots.set_state(len(self.panels), index)
        self._restart_rotation()
        self.panel_changed.emit(index)

    def next_panel(self) -> None:
        """Show the next panel."""
        self.show_panel(self.current_index() + 1)

    def previous_panel(self) -> None:
        """Show the previous panel."""
        self.show_panel(self.current_index() - 1)

    def rotation_seconds(self) -> int:
        """Seconds each panel shows."""
        return self.rotation_timer.interval() // 1000

    def set_rotation_seconds(self, seconds: float) -> None:
        """Seconds each panel shows (5 to 600)."""
        self.rotation_timer.setInterval(clamp_rotation(seconds) * 1000)
        self._restart_rotation()

    @property
    def paused(self) -> bool:
        """Whether the rotation is paused."""
        return self._paused

    def set_paused(self, paused: bool) -> None:
        """Pause (the current panel stays) or resume the rotation."""
        if paused == self._paused:
            return
        self._paused = paused
        self._restart_rotation()
        self._update_status()
        self.paused_changed.emit(paused)

    def _restart_rotation(self) -> None:
        self.rotation_timer.stop()
        if not self._paused and self._snapshot is not None and not self.showing_message():
            self.rotation_timer.start()

    @Slot()
    def _on_rotation_timer_timeout(self) -> None:
        self.next_panel()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Right):
            self.next_panel()
        elif key == Qt.Key.Key_Left:
            self.previous_panel()
        elif key == Qt.Key.Key_P:
            self.set_paused(not self._paused)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # ------------------------------------------------------------ theme and scale
    @property
    def theme_name(self) -> str:
        """The theme asked for: "dark", "light" or "system"."""
        return self._theme_name

    @property
    def theme(self) -> WallTheme:
        """The colours in use (for "system", the scheme's)."""
        return self._theme

    def set_theme(self, name: str) -> None:
        """Use the "dark", "light" or "system" colours ("system" follows the desktop as it changes)."""
        if name not in THEMES:
            raise ValueError(f"Unknown wall theme {name!r}: use dark, light or system.")
        self._theme_name = name
        hints = QGuiApplication.styleHints()
        if name == "system" and not self._scheme_connected:
            hints.colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)
            self._scheme_connected = True
        elif name != "system" and self._scheme_connected:
            hints.colorSchemeChanged.disconnect(self._on_style_hints_color_scheme_changed)
            self._scheme_connected = False
        self._theme = resolve_theme(name)
        self._restyle()

    @Slot(Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self._theme = resolve_theme(self._theme_name)
        self._restyle()

    def unit(self) -> float:
        """Screen pixels per design pixel: the wall's scale at its current size."""
        width, height = max(1, self.width()), max(1, self.height())
        return min(height / DESIGN_HEIGHT, width / DESIGN_WIDTH)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._restyle()

    def _restyle(self) -> None:
        style = WallStyle(self.unit(), self._theme, QFont(self.font()))
        self._style = style
        margin = style.px(MARGIN)
        self._layout.setContentsMargins(margin, style.px(MARGIN * 0.75), margin, style.px(MARGIN / 3))
        self._layout.setSpacing(style.px(MARGIN / 3))
        self._footer.setSpacing(style.px(MARGIN / 2))
        footer = scaled_font(self.font(), FOOTER_PX * style.unit)
        muted = self._theme.color("muted")
        for lab in (self.name_label, self.status_label):
            lab.setFont(footer)
        self.name_label.set_color(muted)
        self.status_label.set_color(self._theme.color("bad") if self._problem else muted)
        self.dots.set_diameter(style.px(16))
        self.dots.set_colors(self._theme.color("text"), muted)
        for panel in [*self.panels, self.message]:
            panel.apply_style(style)
        self.update()

    def _update_status(self) -> None:
        parts = []
        if self._paused:
            parts.append("Paused (P resumes)")
        snap = self._snapshot
        if self._problem:
            parts.append(self._problem)
        if snap is not None:
            parts.append(f"Updated {clock(snap.taken_at)}")
            if not snap.names_checked:
                parts.append("No language model: only names Curator knows are hidden")
        self.status_label.setText(" · ".join(parts))
        self.status_label.set_color(self._theme.color("bad" if self._problem else "muted"))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._theme.color("background"))
        painter.end()
