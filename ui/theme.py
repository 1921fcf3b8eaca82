"""Light and dark colours for the whole app, switched while it runs.

One :class:`Theme` holds every colour the app uses: the roles of a
:class:`QPalette` (what plain widgets draw with) and named colours for what
the palette has no role for (the red of an error, a chip's background, a
calendar's grid lines, a touch point's colour). :func:`apply_theme` puts a
theme on the application in one go: the Fusion style (it draws the same on
every desktop and follows the palette fully), the palette, one application
style sheet built from ``resources/themes/base.qss`` with the theme's colours
filled in, and fonts that cover non-Latin scripts.

Nothing is rebuilt on a switch. Widgets styled by the application style
sheet (object names and dynamic properties, see :func:`set_tone`) are
re-polished by Qt; painted widgets, delegates and icons read
:func:`current_theme` while they paint, and every widget is asked to
repaint; models that return colours call :func:`follow_theme`, so their
views hear of the change; whatever keeps a colour it computed earlier
listens to :attr:`ThemeNotifier.theme_changed`.

"system" follows the desktop's colour scheme
(:meth:`QStyleHints.colorScheme`) and keeps following it while the app runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from string import Template
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase, QGuiApplication, QPalette, QPen
from PySide6.QtWidgets import QApplication, QWidget

from curator.assets import asset

if TYPE_CHECKING:
    from PySide6.QtCharts import QChart

log = logging.getLogger(__name__)

#: The theme modes the ``ui.theme`` setting takes.
MODES: Final = ("system", "light", "dark")
#: Property :func:`set_tone` sets; ``base.qss`` colours labels by it.
TONES: Final = ("", "error", "warning", "success", "muted")
#: Roles whose answers are colours or painted icons: what a model re-announces on a switch.
COLOR_ROLES: Final = (
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.DecorationRole,
)


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Theme:
    """Every colour of one look, as ``#rrggbb`` strings (usable in style sheets and ``QColor``).

    The first group are palette roles (see :meth:`palette`); the rest are
    named for what they colour, so a view asks for ``danger`` rather than
    for a red that might not read on a dark background.
    """

    name: str
    dark: bool

    # ---- palette roles
    window: str
    window_text: str
    base: str
    alternate_base: str
    text: str
    button: str
    button_text: str
    bright_text: str
    highlight: str
    highlighted_text: str
    link: str
    link_visited: str
    tooltip_base: str
    tooltip_text: str
    placeholder_text: str
    light: str
    midlight: str
    mid: str
    shade: str  # QPalette.Dark (a field called "dark" is the flag above)
    shadow: str
    disabled_text: str

    # ---- text and surfaces
    accent: str  # links, today, selected outlines: readable on ``base``
    accent_fill: str  # backgrounds of checked or primary things
    on_accent: str  # text on ``accent_fill``
    danger: str  # error text on ``base``/``window``
    danger_fill: str  # a red badge's background
    on_danger: str
    warning: str
    success: str
    muted_text: str
    faint_text: str  # deliberately faded rows (muted issues, resolved findings)
    surface: str  # cards on a ``surface_alt`` background
    surface_alt: str
    border: str
    border_strong: str

    # ---- the navigation column and the status bar's badge
    nav_background: str
    nav_border: str
    nav_text: str
    nav_selected_back: str
    nav_selected_text: str
    nav_hover: str
    nav_disabled: str
    badge_back: str
    badge_text: str
    badge_border: str

    # ---- icons (the ink of resources/icons/*.svg is replaced by these)
    icon: str
    icon_disabled: str
    icon_selected: str

    # ---- banners: (background, border) per kind
    banners: Mapping[str, tuple[str, str]]
    # ---- draft status chips: (background, text) per DraftStatus value
    chips: Mapping[str, tuple[str, str]]
    # ---- health marks of sources and findings
    health: Mapping[str, str]
    # ---- channel badges (brand colours, lifted where a brand is black)
    channels: Mapping[str, str]
    channel_fallback: str

    # ---- draft editor
    finding_error: str
    finding_warning: str
    comment_back: str
    diff_insert_back: str
    diff_insert_text: str
    diff_delete_back: str
    diff_delete_text: str

    # ---- inbox conversation cards: (fill, border) per kind
    cards: Mapping[str, tuple[str, str]]
    card_text: str

    # ---- charts
    chart_series: tuple[str, ...]
    chart_negative: str
    chart_track: str
    chart_grid: str

    # ---- calendar
    touchpoints: tuple[str, ...]
    touchpoint_unknown: str
    calendar_grid: str
    calendar_half: str
    calendar_weekend: str
    calendar_other_month: str
    calendar_today_back: str
    calendar_today: str  # today's labels, lines and outlines
    calendar_today_fill: str  # the disc behind today's number (``on_accent`` text)
    calendar_text: str
    calendar_muted: str
    calendar_failed: str
    calendar_failed_fill: str
    calendar_published: str
    calendar_sample: str

    def color(self, name: str) -> QColor:
        """The colour field ``name`` as a QColor (for painters)."""
        value = getattr(self, name)
        if not isinstance(value, str):
            raise TypeError(f"Theme.{name} is not a single colour")
        return QColor(value)

    def palette(self) -> QPalette:
        """The QPalette of this theme: every role of every group, disabled ones dimmed."""
        role = QPalette.ColorRole
        colors = {
            role.Window: self.window,
            role.WindowText: self.window_text,
            role.Base: self.base,
            role.AlternateBase: self.alternate_base,
            role.Text: self.text,
            role.Button: self.button,
            role.ButtonText: self.button_text,
            role.BrightText: self.bright_text,
            role.Highlight: self.highlight,
            role.HighlightedText: self.highlighted_text,
            role.Link: self.link,
            role.LinkVisited: self.link_visited,
            role.ToolTipBase: self.tooltip_base,
            role.ToolTipText: self.tooltip_text,
            role.PlaceholderText: self.placeholder_text,
            role.Light: self.light,
            role.Midlight: self.midlight,
            role.Mid: self.mid,
            role.Dark: self.shade,
            role.Shadow: self.shadow,
            role.Accent: self.accent_fill,
        }
        palette = QPalette()
        for palette_role, value in colors.items():
            palette.setColor(palette_role, QColor(value))
        disabled = QPalette.ColorGroup.Disabled
        for palette_role in (role.WindowText, role.Text, role.ButtonText, role.HighlightedText):
            palette.setColor(disabled, palette_role, QColor(self.disabled_text))
        palette.setColor(disabled, role.Highlight, QColor(self.mid))
        palette.setColor(disabled, role.Base, QColor(self.window))
        palette.setColor(disabled, role.Button, QColor(self.window))
        return palette

    def qss_values(self) -> dict[str, str]:
        """The ``${name}`` values ``base.qss`` may use.

        Single colours go by their field name; mappings are flattened
        (``banner_error_back``, ``chip_draft_text``, ``health_ok``) and
        tuples numbered (``chart_series_0``).
        """
        values: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, str):
                values[field.name] = value
            elif isinstance(value, tuple):
                for n, item in enumerate(value):
                    values[f"{field.name}_{n}"] = item
        for kind, (back, border) in self.banners.items():
            values[f"banner_{kind}_back"] = back
            values[f"banner_{kind}_border"] = border
        for status, (back, text) in self.chips.items():
            values[f"chip_{status}_back"] = back
            values[f"chip_{status}_text"] = text
        for state, value in self.health.items():
            values[f"health_{state}"] = value
        return values


LIGHT: Final = Theme(
    name="light",
    dark=False,
    window="#f5f6f8",
    window_text="#1d2329",
    base="#ffffff",
    alternate_base="#f5f7fa",
    text="#1d2329",
    button="#eef0f3",
    button_text="#1d2329",
    bright_text="#ffffff",
    highlight="#2f6fde",
    highlighted_text="#ffffff",
    link="#1f5fbf",
    link_visited="#6a3fb0",
    tooltip_base="#ffffff",
    tooltip_text="#1d2329",
    placeholder_text="#646c78",
    light="#ffffff",
    midlight="#e3e6ea",
    mid="#c4ccd6",
    shade="#9aa3ad",
    shadow="#4a525c",
    disabled_text="#9aa3ad",
    accent="#1f5fbf",
    accent_fill="#2f6fde",
    on_accent="#ffffff",
    danger="#b3261e",
    danger_fill="#c62828",
    on_danger="#ffffff",
    warning="#8a5a00",
    success="#1a7f37",
    muted_text="#646c78",
    faint_text="#8a94a0",
    surface="#ffffff",
    surface_alt="#f5f7fa",
    border="#d5dbe3",
    border_strong="#c9d1db",
    nav_background="#f3f5f8",
    nav_border="#dde2e8",
    nav_text="#2b3440",
    nav_selected_back="#dce7fb",
    nav_selected_text="#1d4fb8",
    nav_hover="#e8ecf2",
    nav_disabled="#9aa3ad",
    badge_back="#fff1c2",
    badge_text="#6b4e00",
    badge_border="#e8cf7a",
    icon="#5f6b7a",
    icon_disabled="#b4bcc6",
    icon_selected="#1d4fb8",
    banners=_frozen(
        {
            "busy": ("#eef3fb", "#d3def0"),
            "info": ("#edf7f0", "#cce5d4"),
            "warning": ("#fff8e6", "#f0dca4"),
            "error": ("#fdf0ee", "#f1cbc5"),
            "neutral": ("#f3f4f6", "#dde1e6"),
        }
    ),
    chips=_frozen(
        {
            "draft": ("#e8ebef", "#3c4650"),
            "in_review": ("#dce8fb", "#1f4e9e"),
            "changes_requested": ("#fdf0d5", "#8a5a00"),
            "approved": ("#dcf2e3", "#1d6b3a"),
            "scheduled": ("#ebe3f8", "#5a3a99"),
            "published": ("#cfe9d9", "#14532d"),
            "archived": ("#f1f2f4", "#5f6670"),
            "failed": ("#fbe0dc", "#a32a1c"),
        }
    ),
    health=_frozen(
        {
            "ok": "#2e9d58",
            "warning": "#d99a06",
            "error": "#d13b2f",
            "new": "#3b78d8",
            "paused": "#8a94a0",
            "glyph": "#ffffff",
        }
    ),
    channels=_frozen(
        {
            "x": "#14171a",
            "facebook": "#1877f2",
            "instagram": "#c13584",
            "linkedin": "#0a66c2",
            "mastodon": "#6364ff",
            "reddit": "#ff4500",
            "youtube": "#e62117",
            "review": "#b07c00",
            "forum": "#2e9d58",
            "email": "#5f6b7a",
        }
    ),
    channel_fallback="#8a94a0",
    finding_error="#d13b2f",
    finding_warning="#d99a06",
    comment_back="#fff1b8",
    diff_insert_back="#d6f0de",
    diff_insert_text="#14532d",
    diff_delete_back="#fbe0dc",
    diff_delete_text="#a32a1c",
    cards=_frozen(
        {
            "message": ("#ffffff", "#d5dbe3"),
            "reply": ("#e7f0fd", "#bcd2f3"),
            "draft": ("#ffffff", "#8fb0e3"),
            "note": ("#fff7dc", "#efd98f"),
        }
    ),
    card_text="#1f2933",
    chart_series=("#2f6fde", "#e07b00", "#2a9d5c", "#8e44ad", "#c2185b", "#00838f"),
    chart_negative="#d9534f",
    chart_track="#eceff3",
    chart_grid="#e3e6ea",
    touchpoints=(
        "#1f6fbf",
        "#e07b00",
        "#2a9d5c",
        "#8e44ad",
        "#c2185b",
        "#00838f",
        "#795548",
        "#5c6bc0",
        "#7cb342",
        "#b8860b",
    ),
    touchpoint_unknown="#7a8591",
    calendar_grid="#e3e6ea",
    calendar_half="#f0f2f4",
    calendar_weekend="#fafbfc",
    calendar_other_month="#f4f5f7",
    calendar_today_back="#f3f8ff",
    calendar_today="#1a73e8",
    calendar_today_fill="#1a73e8",
    calendar_text="#1d2329",
    calendar_muted="#646c78",
    calendar_failed="#c62828",
    calendar_failed_fill="#fdecea",
    calendar_published="#2e7d32",
    calendar_sample="#5f7d95",
)

DARK: Final = Theme(
    name="dark",
    dark=True,
    window="#1f2227",
    window_text="#e3e6ea",
    base="#17191d",
    alternate_base="#1c1f24",
    text="#e3e6ea",
    button="#2b2f36",
    button_text="#e3e6ea",
    bright_text="#ffffff",
    highlight="#2f6fde",
    highlighted_text="#ffffff",
    link="#7fb0ff",
    link_visited="#b79cff",
    tooltip_base="#2b2f36",
    tooltip_text="#e3e6ea",
    placeholder_text="#9aa3ad",
    light="#3d434c",
    midlight="#333840",
    mid="#4a515b",
    shade="#101215",
    shadow="#000000",
    disabled_text="#6b7380",
    accent="#7fb0ff",
    accent_fill="#2f6fde",
    on_accent="#ffffff",
    danger="#ff8a80",
    danger_fill="#c62828",
    on_danger="#ffffff",
    warning="#f2c14e",
    success="#6fd38f",
    muted_text="#9aa3ad",
    faint_text="#78828e",
    surface="#23272d",
    surface_alt="#1a1d21",
    border="#3a4049",
    border_strong="#4a515b",
    nav_background="#1a1d21",
    nav_border="#2c3138",
    nav_text="#d3d8de",
    nav_selected_back="#233a5e",
    nav_selected_text="#a9c8ff",
    nav_hover="#272c33",
    nav_disabled="#5d6570",
    badge_back="#4a3b0f",
    badge_text="#ffd98a",
    badge_border="#7a6320",
    icon="#aeb6c0",
    icon_disabled="#59616b",
    icon_selected="#a9c8ff",
    banners=_frozen(
        {
            "busy": ("#1c2a3e", "#2e4466"),
            "info": ("#17301f", "#2b5236"),
            "warning": ("#332a10", "#6b5420"),
            "error": ("#3a1d1b", "#6e302b"),
            "neutral": ("#262a30", "#3a4049"),
        }
    ),
    chips=_frozen(
        {
            "draft": ("#343a42", "#d0d6dd"),
            "in_review": ("#1f3557", "#a9c8ff"),
            "changes_requested": ("#3f300c", "#f2c462"),
            "approved": ("#173a24", "#86dba2"),
            "scheduled": ("#30264a", "#cdb8f7"),
            "published": ("#14402a", "#95e3ae"),
            "archived": ("#2a2e34", "#98a2ad"),
            "failed": ("#47211d", "#ffa59a"),
        }
    ),
    health=_frozen(
        {
            "ok": "#3fb26c",
            "warning": "#e0a91f",
            "error": "#ec5a4e",
            "new": "#5a95f0",
            "paused": "#7d8794",
            "glyph": "#ffffff",
        }
    ),
    channels=_frozen(
        {
            "x": "#5b6570",
            "facebook": "#1877f2",
            "instagram": "#c13584",
            "linkedin": "#0a66c2",
            "mastodon": "#6364ff",
            "reddit": "#e8440a",
            "youtube": "#e62117",
            "review": "#b07c00",
            "forum": "#2e9d58",
            "email": "#66727f",
        }
    ),
    channel_fallback="#6b7580",
    finding_error="#ff6b5e",
    finding_warning="#f2c14e",
    comment_back="#5a4a12",
    diff_insert_back="#1d4a2c",
    diff_insert_text="#c2f2d0",
    diff_delete_back="#5a2520",
    diff_delete_text="#ffc9c2",
    cards=_frozen(
        {
            "message": ("#23272d", "#3a4049"),
            "reply": ("#1c2b42", "#2f4b74"),
            "draft": ("#23272d", "#4f74ad"),
            "note": ("#363015", "#6b5a24"),
        }
    ),
    card_text="#e3e6ea",
    chart_series=("#6ea3ff", "#f0a040", "#4cc07f", "#b27ad0", "#e35d8f", "#26b3c0"),
    chart_negative="#ef6b67",
    chart_track="#2c3138",
    chart_grid="#2e333a",
    touchpoints=(
        "#4f93e0",
        "#f0a040",
        "#43b877",
        "#ad72d0",
        "#e0508a",
        "#1fb0bd",
        "#b08a7c",
        "#8591e6",
        "#97c95e",
        "#d6ad2e",
    ),
    touchpoint_unknown="#8a94a0",
    calendar_grid="#30353c",
    calendar_half="#262a30",
    calendar_weekend="#1b1e22",
    calendar_other_month="#131518",
    calendar_today_back="#18243a",
    calendar_today="#5a9bff",
    calendar_today_fill="#2f6fde",
    calendar_text="#e3e6ea",
    calendar_muted="#9aa3ad",
    calendar_failed="#ff6b5e",
    calendar_failed_fill="#3f1d1b",
    calendar_published="#6fd38f",
    calendar_sample="#8aa4b8",
)

THEMES: Final = MappingProxyType({LIGHT.name: LIGHT, DARK.name: DARK})


# ------------------------------------------------------------------ the notifier
class ThemeNotifier(QObject):
    """Holds the theme in use and tells the app when it changes (one per process).

    Models and widgets connect :attr:`theme_changed` to refresh what they
    computed from the old theme; connect a method of a QObject (not a
    lambda), so the connection ends with the receiver.
    """

    #: The theme in use changed: (the new :class:`Theme`).
    theme_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.mode = "light"
        self._app: QApplication | None = None
        self._following_system = False

    def follow_system(self, app: QApplication) -> None:
        """Listen to the desktop's colour scheme (once; the slot checks the mode each time)."""
        self._app = app
        if not self._following_system:
            app.styleHints().colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)
            self._following_system = True

    @Slot(Qt.ColorScheme)
    def _on_style_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.mode == "system" and self._app is not None:
            _put_on(self._app, theme_for_scheme(scheme))


_notifier: ThemeNotifier | None = None


def theme_notifier() -> ThemeNotifier:
    """The process's :class:`ThemeNotifier` (made on first use, on the main thread)."""
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier()
    return _notifier


def current_theme() -> Theme:
    """The theme in use: light until :func:`apply_theme` says otherwise.

    Safe from any thread (it only reads), unlike :func:`theme_notifier`.
    """
    return _notifier.theme if _notifier is not None else LIGHT


def theme_for_scheme(scheme: Qt.ColorScheme) -> Theme:
    """The theme for a desktop colour scheme (light when the desktop does not say)."""
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


def resolve_mode(mode: str) -> Theme:
    """The theme a mode means now: "light", "dark", or the desktop's for "system".

    Raises:
        ValueError: ``mode`` is not one of :data:`MODES` (a typo in a caller,
            not something a user can type: the setting offers choices).
    """
    if mode not in MODES:
        raise ValueError(f"Unknown theme mode {mode!r}; expected one of {', '.join(MODES)}")
    if mode == "system":
        return theme_for_scheme(QGuiApplication.styleHints().colorScheme())
    return THEMES[mode]


# ------------------------------------------------------------------ applying
def prepare_application() -> None:
    """Settings that only work before the QApplication exists: call first thing in ``main``.

    Fractional scale factors (125 %, 150 %) are used as they are instead of
    being rounded to whole numbers, so text and icons are neither blurry nor
    too large; icons render at the screen's pixel density (ui.assets).
    """
    if QCoreApplication.instance() is not None:
        log.debug("prepare_application() called after the application was created; nothing changed")
        return
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)


def style_sheet(theme: Theme) -> str:
    """The application style sheet: ``base.qss`` with ``theme``'s colours filled in.

    Raises:
        KeyError: the sheet names a colour the theme lacks (a mistake tests catch).
    """
    source = asset("themes", "base.qss").read_text(encoding="utf-8")
    return Template(source).substitute(theme.qss_values())


def apply_theme(app: QApplication, mode: str) -> Theme:
    """Put the theme ``mode`` means ("system", "light" or "dark") on the running app.

    Safe to call again at any time (the Settings page does when the user
    picks another theme): widgets are restyled and repainted in place.
    With "system", later changes of the desktop's colour scheme switch the
    theme too. Returns the theme now in use.
    """
    theme = resolve_mode(mode)
    notifier = theme_notifier()
    notifier.mode = mode
    notifier.follow_system(app)
    apply_fonts(app)
    _put_on(app, theme, force=True)
    return theme


def _put_on(app: QApplication, theme: Theme, *, force: bool = False) -> None:
    notifier = theme_notifier()
    if theme is notifier.theme and not force:
        return
    notifier.theme = theme
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    # Palette first, style sheet second: setting the sheet re-polishes every
    # widget, which is what makes rules using palette(...) pick the new colours.
    app.setPalette(theme.palette())
    app.setStyleSheet(style_sheet(theme))
    from ui.assets import clear_icon_cache, refresh_icons

    clear_icon_cache()
    for widget in app.topLevelWidgets():
        refresh_icons(widget)
    for widget in app.allWidgets():
        widget.update()
    notifier.theme_changed.emit(theme)


def set_property(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the style sheet selects on, and restyle the widget now.

    Qt does not re-evaluate ``[name="value"]`` selectors by itself when a
    property changes; the widget is re-polished and told its style changed,
    so colours, padding and size hints all follow.
    """
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    # Re-polishing alone leaves padding and size hints as they were.
    QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))
    widget.update()


def set_tone(widget: QWidget, tone: str) -> None:
    """Colour a label's text by meaning: "error", "warning", "success", "muted", or "" for plain.

    The colour comes from the theme's style sheet, so it follows a theme
    switch without the caller doing anything.
    """
    if tone not in TONES:
        raise ValueError(f"Unknown tone {tone!r}; expected one of {TONES}")
    set_property(widget, "tone", tone)


class _ModelFollower(QObject):
    """Child of a model that re-announces its colours on a theme switch (and dies with it)."""

    def __init__(self, model: QAbstractItemModel) -> None:
        super().__init__(model)
        self._model = model
        theme_notifier().theme_changed.connect(self._on_notifier_theme_changed)

    @Slot(object)
    def _on_notifier_theme_changed(self, _theme: Theme) -> None:
        announce_colors(self._model)


def announce_colors(model: QAbstractItemModel) -> None:
    """Tell a model's views that every colour, brush and icon it returns may have changed."""
    rows, columns = model.rowCount(), model.columnCount()
    if rows and columns:
        model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, columns - 1), list(COLOR_ROLES))
    if columns:
        model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)


def follow_theme(model: QAbstractItemModel) -> None:
    """Make ``model`` emit ``dataChanged`` for its colour roles on every theme switch (idempotent).

    Call it in the constructor of a model whose ``data()`` returns colours
    or painted icons taken from :func:`current_theme`.
    """
    if model.findChild(_ModelFollower, options=Qt.FindChildOption.FindDirectChildrenOnly) is None:
        _ModelFollower(model)


# ------------------------------------------------------------------ charts
def style_chart(chart: QChart, theme: Theme | None = None) -> None:
    """Colour a QtCharts chart (background, title, axes, grid) for ``theme`` (default: current).

    Call it after adding the axes, and again on :attr:`ThemeNotifier.theme_changed`;
    series colours are the caller's (pick them from ``theme.chart_series``).
    """
    theme = theme or current_theme()
    text = QColor(theme.text)
    muted = QColor(theme.muted_text)
    chart.setBackgroundBrush(QBrush(QColor(theme.base)))
    chart.setBackgroundPen(QPen(Qt.PenStyle.NoPen))
    chart.setPlotAreaBackgroundVisible(False)
    chart.setTitleBrush(QBrush(text))
    chart.legend().setLabelColor(text)
    for axis in chart.axes():
        axis.setLabelsColor(muted)
        axis.setLinePenColor(QColor(theme.border_strong))
        axis.setGridLineColor(QColor(theme.chart_grid))
        axis.setTitleBrush(QBrush(text))


# ------------------------------------------------------------------ fonts
#: Families tried after the UI font, in order, for scripts it lacks. Only the
#: installed ones are used; a system without any of them keeps Qt's own fallback.
FALLBACK_FAMILIES: Final = (
    # Broad coverage first.
    "Noto Sans",
    "DejaVu Sans",
    "Segoe UI",
    "Helvetica Neue",
    "Arial",
    # CJK
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei UI",
    "Yu Gothic UI",
    "Malgun Gothic",
    "PingFang SC",
    "Hiragino Sans",
    "Apple SD Gothic Neo",
    # Arabic, Hebrew
    "Noto Sans Arabic",
    "Noto Naskh Arabic",
    "Geeza Pro",
    "Noto Sans Hebrew",
    "Arial Hebrew",
    # Indic, Thai
    "Noto Sans Devanagari",
    "Nirmala UI",
    "Kohinoor Devanagari",
    "Lohit Devanagari",
    "Noto Sans Thai",
    "Leelawadee UI",
    "Thonburi",
    "Tlwg Typo",
    # Last resorts with wide coverage, then emoji (customers write them).
    "Arial Unicode MS",
    "Segoe UI Symbol",
    "Noto Color Emoji",
    "Segoe UI Emoji",
    "Apple Color Emoji",
)


def font_fallbacks(installed: Iterable[str] | None = None) -> list[str]:
    """The :data:`FALLBACK_FAMILIES` installed here, in order (empty when none is).

    Args:
        installed: the families to choose from; default: the font database's.
    """
    families = QFontDatabase.families() if installed is None else installed
    available = {family.casefold(): family for family in families}
    chosen: list[str] = []
    for family in FALLBACK_FAMILIES:
        found = available.get(family.casefold())
        if found is not None and found not in chosen:
            chosen.append(found)
    return chosen


def apply_fonts(app: QApplication) -> list[str]:
    """Give the application font the installed fallbacks for CJK, Arabic, Hebrew, Thai and more.

    The desktop's UI family stays first; Qt tries the others, in order,
    for characters it lacks. Returns the families set (the UI font's first).
    """
    font = QFont(app.font())
    primary = [family for family in font.families() or [font.family()] if family]
    families = primary + [family for family in font_fallbacks() if family not in primary]
    if families != font.families():
        font.setFamilies(families)
        app.setFont(font)
    return families


__all__ = [
    "COLOR_ROLES",
    "DARK",
    "FALLBACK_FAMILIES",
    "LIGHT",
    "MODES",
    "THEMES",
    "TONES",
    "Theme",
    "ThemeNotifier",
    "announce_colors",
    "apply_fonts",
    "apply_theme",
    "current_theme",
    "follow_theme",
    "font_fallbacks",
    "prepare_application",
    "resolve_mode",
    "set_property",
    "set_tone",
    "style_chart",
    "style_sheet",
    "theme_for_scheme",
    "theme_notifier",
]
