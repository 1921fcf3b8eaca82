"""Light and dark themes: switched on live widgets, followed from the system, readable, with fonts."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QListWidgetItem, QToolButton

from curator.workspace import Workspace
from ui import assets, theme
from ui.models import StoreEventBridge
from ui.models_issues import IssueTableModel
from ui.tasks import TaskRunner
from ui.theme import COLOR_ROLES, DARK, LIGHT, Theme
from ui.views.hot_issues import HotIssuesView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


# ------------------------------------------------------------------ fixtures
@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, put back as it was after the test (the session shares one)."""
    sheet, palette, font = qapp.styleSheet(), QPalette(qapp.palette()), QFont(qapp.font())
    style = qapp.style().name()
    yield qapp
    notifier = theme.theme_notifier()
    notifier.mode, notifier.theme = "light", LIGHT
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
    if qapp.style().name() != style:
        qapp.setStyle(style)
    assets.clear_icon_cache()


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from curator.demo import ensure_demo_workspace
    from curator.issues.service import AnalysisService

    path = ensure_demo_workspace(tmp_path_factory.mktemp("theme") / "demo")
    with Workspace.open(path) as ws:
        AnalysisService(ws).analyse()
    return path


@pytest.fixture
def demo_ws(demo_path: Path, tmp_path: Path) -> Iterator[Workspace]:
    copy = tmp_path / "demo"
    shutil.copytree(demo_path, copy)
    ws = Workspace.open(copy)
    yield ws
    ws.close()


@pytest.fixture
def hot_view(qtbot, demo_ws: Workspace) -> Iterator[HotIssuesView]:
    """The Hot issues page over the analysed demo workspace, shown."""
    runner = TaskRunner()
    view = HotIssuesView(runner)
    qtbot.addWidget(view)
    bridge = StoreEventBridge(demo_ws)
    view.attach(demo_ws, bridge)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.issues_model.loaded, timeout=10_000)
    try:
        yield view
    finally:
        view.detach()
        bridge.close()
        runner.shutdown(10_000)


# ------------------------------------------------------------------ helpers
def _ink(image: QImage) -> QColor:
    """The most common fully opaque colour of an image (an icon's stroke)."""
    counts: Counter[int] = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if color.alpha() == 255:
                counts[color.rgb()] += 1
    assert counts, "nothing opaque was drawn"
    return QColor.fromRgb(counts.most_common(1)[0][0])


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(value: str) -> float:
        color = QColor(value)
        channels = []
        for c in (color.redF(), color.greenF(), color.blueF()):
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _count(image: QImage, color: str) -> int:
    """How many pixels of ``image`` are exactly ``color``."""
    wanted = QColor(color).rgb()
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).rgb() == wanted
    )


# ------------------------------------------------------------------ switching live
def test_switching_restyles_a_live_page_without_rebuilding_it(
    qtbot, app: QApplication, hot_view: HotIssuesView
) -> None:
    theme.apply_theme(app, "light")
    model = hot_view.issues_model
    table = hot_view.issues_table
    muted = dataclasses.replace(model.object_at(0), muted=True, pinned=False)
    model.upsert([muted])
    muted_index = model.index(model.row_of(muted.id) or 0, IssueTableModel.COL_LABEL)
    hot_view.activity.show_message("Analysed 172 items.")
    button = QToolButton(hot_view)
    button.setIcon(assets.icon("hot-issues"))
    button.setIconSize(QSize(24, 24))
    button.setAutoRaise(True)
    button.show()
    # A cell the share-bar delegate paints: the empty track of a row without negative items.
    zero = next(row for row, issue in enumerate(model.objects()) if issue.negative_share == 0)
    table.scrollTo(model.index(zero, 0))
    cell = table.visualRect(model.index(zero, IssueTableModel.COL_NEGATIVE))
    track = QPoint(cell.left() + 6 + (cell.width() - 52) // 2, cell.center().y())
    widgets_before = (table, hot_view.activity, hot_view.chart_view, button)

    def seen(current: Theme) -> None:
        app.processEvents()
        assert app.palette().color(QPalette.ColorRole.Window) == QColor(current.window)
        assert table.palette().color(QPalette.ColorRole.Base) == QColor(current.base)
        # A style-sheet-painted widget: the activity bar's background.
        bar = hot_view.activity.grab().toImage()
        assert bar.pixelColor(bar.width() * 2 // 3, 3) == QColor(current.banners["info"][0])
        # A custom-painted cell.
        assert table.viewport().grab().toImage().pixelColor(track) == QColor(current.chart_track)
        # An icon: the theme's ink, read back from the rendered button, and none of the other's.
        other = DARK if current is LIGHT else LIGHT
        drawn = button.grab().toImage()
        assert _count(drawn, current.icon) > 20 and _count(drawn, other.icon) == 0
        # A model's colour role.
        assert model.data(muted_index, Qt.ItemDataRole.ForegroundRole) == QColor(current.faint_text)

    seen(LIGHT)
    changes: list[tuple[int, int, int, int, set[int]]] = []
    model.dataChanged.connect(
        lambda top, bottom, roles: changes.append(
            (top.row(), top.column(), bottom.row(), bottom.column(), set(roles))
        )
    )
    assert theme.apply_theme(app, "dark") is DARK  # the switch announces colours synchronously
    everything = (0, 0, model.rowCount() - 1, model.columnCount() - 1, {int(role) for role in COLOR_ROLES})
    assert everything in changes
    assert theme.current_theme() is DARK
    seen(DARK)
    theme.apply_theme(app, "light")
    seen(LIGHT)
    assert widgets_before == (table, hot_view.activity, hot_view.chart_view, button)
    # The chart was recoloured in place too.
    assert hot_view.chart.backgroundBrush().color() == QColor(LIGHT.base)


def test_labels_follow_their_tone_chip_and_icon_across_a_switch(qtbot, app: QApplication) -> None:
    from curator.domain import DraftStatus
    from ui.models_drafts import set_status_chip

    error = QLabel("Could not save")
    chip = QLabel()
    picture = QLabel()
    theme.apply_theme(app, "light")
    theme.set_tone(error, "error")
    set_status_chip(chip, DraftStatus.APPROVED)
    assets.set_label_icon(picture, "sources", 32)
    for label in (error, chip, picture):
        qtbot.addWidget(label)
        label.show()
        qtbot.waitExposed(label)
    for current in (LIGHT, DARK, LIGHT):
        theme.apply_theme(app, current.name)
        app.processEvents()
        assert error.palette().color(QPalette.ColorRole.WindowText) == QColor(current.danger)
        back, text = current.chips["approved"]
        image = chip.grab().toImage()
        assert image.pixelColor(image.width() // 2, 1) == QColor(back)
        assert chip.palette().color(QPalette.ColorRole.WindowText) == QColor(text)
        assert chip.contentsMargins().left() == 10  # the chip's padding, not a bare label
        assert _ink(picture.pixmap().toImage()) == QColor(current.icon)
    assert chip.text() == "Approved"
    with pytest.raises(ValueError, match="Unknown tone"):
        theme.set_tone(error, "loud")


def test_selected_navigation_icon_takes_the_accent_and_pixmaps_are_sharp(qtbot, app: QApplication) -> None:
    theme.apply_theme(app, "dark")
    navigation = QListWidget()
    navigation.setObjectName("navigation")
    qtbot.addWidget(navigation)
    navigation.setIconSize(QSize(20, 20))
    for name in ("hot-issues", "inbox"):
        navigation.addItem(QListWidgetItem(assets.icon(name), name))
    navigation.setCurrentRow(0)
    navigation.show()
    qtbot.waitExposed(navigation)
    icon = assets.icon("inbox")
    assert _ink(icon.pixmap(QSize(20, 20), 1.0, QIcon.Mode.Selected).toImage()) == QColor(DARK.icon_selected)
    assert _ink(icon.pixmap(QSize(20, 20), 1.0, QIcon.Mode.Normal).toImage()) == QColor(DARK.icon)
    assert _ink(icon.pixmap(QSize(20, 20), 1.0, QIcon.Mode.Disabled).toImage()) == QColor(DARK.icon_disabled)
    # High DPI: rendered at size x ratio, not scaled up from a small pixmap.
    sharp = icon.pixmap(QSize(24, 24), 2.0)
    assert (sharp.width(), sharp.height(), sharp.devicePixelRatio()) == (48, 48, 2.0)
    assert assets.pixmap("inbox", 24, 1.5).size() == QSize(36, 36)
    # The navigation list is drawn by the theme's style sheet.
    image = navigation.viewport().grab().toImage()
    selected = navigation.visualItemRect(navigation.item(0))
    assert image.pixelColor(selected.right() - 4, selected.center().y()) == QColor(DARK.nav_selected_back)


def test_painted_icons_follow_the_theme(app: QApplication) -> None:
    from curator.domain import Channel
    from ui.models_inbox import channel_icon
    from ui.widgets.health_icons import health_icon

    for current in (LIGHT, DARK):
        theme.apply_theme(app, current.name)
        ok = health_icon("ok").pixmap(QSize(32, 32), 1.0).toImage()
        assert ok.pixelColor(5, 16) == QColor(current.health["ok"])
        x = channel_icon(Channel.X).pixmap(QSize(32, 32), 1.0).toImage()
        assert x.pixelColor(4, 16) == QColor(current.channels["x"])


# ------------------------------------------------------------------ following the system
def test_system_mode_follows_the_desktop_scheme_until_a_fixed_theme_is_picked(app: QApplication) -> None:
    hints = QApplication.styleHints()
    # The offscreen platform cannot change its scheme, so the change is simulated by emitting
    # the signal Qt emits when the desktop switches.
    assert theme.apply_theme(app, "system") is theme.theme_for_scheme(hints.colorScheme())
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current_theme() is DARK
    assert app.palette().color(QPalette.ColorRole.Base) == QColor(DARK.base)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.current_theme() is LIGHT
    assert app.palette().color(QPalette.ColorRole.Base) == QColor(LIGHT.base)
    theme.apply_theme(app, "light")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current_theme() is LIGHT, "a theme picked by hand ignores the desktop"
    with pytest.raises(ValueError, match="Unknown theme mode"):
        theme.apply_theme(app, "sepia")


# ------------------------------------------------------------------ the themes themselves
@pytest.mark.parametrize("current", [LIGHT, DARK], ids=["light", "dark"])
def test_style_sheet_fills_every_placeholder(current: Theme) -> None:
    sheet = theme.style_sheet(current)
    assert "$" not in re.sub(r"/\*.*?\*/", "", sheet, flags=re.DOTALL)
    assert current.nav_selected_back in sheet and current.chips["failed"][0] in sheet


@pytest.mark.parametrize("current", [LIGHT, DARK], ids=["light", "dark"])
def test_text_colours_read_on_their_backgrounds(current: Theme) -> None:
    t = current
    text_pairs = {
        "text on base": (t.text, t.base),
        "text on window": (t.window_text, t.window),
        "button text": (t.button_text, t.button),
        "selected text": (t.highlighted_text, t.highlight),
        "placeholder on base": (t.placeholder_text, t.base),
        "muted on window": (t.muted_text, t.window),
        "muted on cards' background": (t.muted_text, t.surface_alt),
        "error on base": (t.danger, t.base),
        "error on window": (t.danger, t.window),
        "warning on base": (t.warning, t.base),
        "success on base": (t.success, t.base),
        "accent on base": (t.accent, t.base),
        "link on base": (t.link, t.base),
        "text on a red badge": (t.on_danger, t.danger_fill),
        "text on accent": (t.on_accent, t.accent_fill),
        "navigation": (t.nav_text, t.nav_background),
        "selected navigation": (t.nav_selected_text, t.nav_selected_back),
        "read-only badge": (t.badge_text, t.badge_back),
        "tooltip": (t.tooltip_text, t.tooltip_base),
        "inserted words": (t.diff_insert_text, t.diff_insert_back),
        "deleted words": (t.diff_delete_text, t.diff_delete_back),
        "commented words": (t.text, t.comment_back),
        "calendar text on a weekend": (t.calendar_text, t.calendar_weekend),
        "calendar text on a failed post": (t.calendar_text, t.calendar_failed_fill),
        "other month's days": (t.calendar_muted, t.calendar_other_month),
        "today's label": (t.calendar_today, t.base),
        "today's number": (t.on_accent, t.calendar_today_fill),
    }
    text_pairs |= {f"{kind} banner": (t.window_text, back) for kind, (back, _b) in t.banners.items()}
    text_pairs |= {f"{status} chip": (text, back) for status, (back, text) in t.chips.items()}
    text_pairs |= {f"{kind} card": (t.card_text, fill) for kind, (fill, _b) in t.cards.items()}
    low = {name: round(_contrast(*pair), 2) for name, pair in text_pairs.items() if _contrast(*pair) < 4.5}
    assert not low, f"text below WCAG AA (4.5:1) in the {t.name} theme: {low}"
    # Icons and marks are graphics: 3:1.
    assert _contrast(t.icon, t.window) >= 3 and _contrast(t.icon_selected, t.nav_selected_back) >= 3
    assert all(
        _contrast(color, t.base) >= 3 for color in (t.health["error"], t.calendar_failed, t.chart_series[0])
    )


def test_both_themes_name_the_same_keys() -> None:
    for field in dataclasses.fields(Theme):
        light, dark = getattr(LIGHT, field.name), getattr(DARK, field.name)
        if isinstance(light, tuple):
            assert len(light) == len(dark), field.name
        elif not isinstance(light, str | bool):
            assert set(light) == set(dark), field.name
    from curator.domain import Channel, DraftStatus

    assert {s.value for s in DraftStatus} <= set(LIGHT.chips)
    assert set(LIGHT.health) >= {"ok", "warning", "error", "new", "paused"}
    assert {"x", "email", "review"} <= set(LIGHT.channels) and "news" in {c.value for c in Channel}


# ------------------------------------------------------------------ fonts and start-up
def test_font_fallbacks_are_installed_families_only(app: QApplication) -> None:
    installed = set(QFontDatabase.families())
    chosen = theme.font_fallbacks()
    assert set(chosen) <= installed
    assert len(chosen) == len(set(chosen))
    assert theme.font_fallbacks(["Unheard Of Sans", "noto sans cjk jp", "DejaVu Sans"]) == [
        "DejaVu Sans",
        "noto sans cjk jp",
    ]
    assert theme.font_fallbacks([]) == []
    primary = app.font().families()[:1] or [app.font().family()]
    families = theme.apply_fonts(app)
    assert families[: len(primary)] == primary
    assert set(families[len(primary) :]) <= installed
    assert app.font().families() == families
    assert theme.apply_fonts(app) == families  # applying again changes nothing


def test_prepare_application_is_harmless_once_the_app_exists(app: QApplication) -> None:
    policy = QApplication.highDpiScaleFactorRoundingPolicy()
    theme.prepare_application()  # too late to matter: must neither warn nor change anything
    assert QApplication.highDpiScaleFactorRoundingPolicy() == policy


def test_models_announce_colour_changes_once(qtbot, app: QApplication) -> None:
    model = IssueTableModel()
    theme.follow_theme(model)
    theme.follow_theme(model)  # idempotent
    emitted: list[tuple[QModelIndex, QModelIndex, list[int]]] = []
    model.dataChanged.connect(lambda top, bottom, roles: emitted.append((top, bottom, roles)))
    headers: list[tuple[object, int, int]] = []
    model.headerDataChanged.connect(
        lambda orientation, first, last: headers.append((orientation, first, last))
    )
    theme.apply_theme(app, "dark")
    assert emitted == []  # no rows: nothing to announce
    assert headers == [(Qt.Orientation.Horizontal, 0, model.columnCount() - 1)]
