"""Icons for the UI, read through the project's one asset helper and drawn in the theme's colours.

Icons are plain SVG files in the ``resources`` package. They are located by
:func:`curator.assets.asset` (``importlib.resources``), so they resolve the
same way from a source checkout, an installed wheel or a frozen bundle, and
nothing is compiled into a Qt resource file.

The files draw in one ink colour (:data:`INK`). A :class:`QIcon` made here
does not hold pixmaps: its engine renders the SVG when Qt asks, with the ink
replaced by the current theme's icon colour (the accent for a selected
navigation entry, a faded one when disabled), at the pixel size the screen
needs (size × device pixel ratio, so 125 % and 200 % screens get sharp
icons). So an icon handed to a widget once follows every theme switch by
itself; renders are cached per (icon, theme, mode, pixels). Only pixmaps
already put on labels must be drawn again: use :func:`set_label_icon`, and
:func:`refresh_icons` (which ``ui.theme.apply_theme`` calls on every window)
redraws them.

:func:`painted_icon` gives the same behaviour to icons drawn in code (the
health marks, the channel badges).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib.resources.abc import Traversable

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from curator.assets import asset
from ui.theme import Theme, current_theme

#: The colour the icon files are drawn in; replaced by the theme's when rendered.
INK = "#5f6b7a"
#: Sizes an icon says it has (window managers pick from these); any other size renders too.
SIZES = (16, 20, 24, 32, 48, 64, 128, 256)
#: The dynamic property :func:`set_label_icon` leaves on a label: "name:size".
LABEL_ICON_PROPERTY = "curatorIcon"

_INK_PATTERN = re.compile(re.escape(INK).encode(), re.IGNORECASE)
_renders: dict[tuple[str, str, str, int, int, float], QPixmap] = {}

#: Paints an icon on a square of ``side`` pixels (transparent, antialiased) in a theme's colours.
PaintFunction = Callable[[QPainter, float, Theme], None]


def icon_resource(name: str) -> Traversable:
    """The SVG file of icon ``name`` (e.g. ``"sources"``), which must exist.

    Raises:
        FileNotFoundError: the icon is missing, a packaging mistake that
            should fail loudly in tests rather than show blank buttons.
    """
    ref = asset("icons", f"{name}.svg")
    if not ref.is_file():
        raise FileNotFoundError(f"Icon {name!r} is missing: expected resources/icons/{name}.svg")
    return ref


@cache
def _svg_bytes(name: str) -> bytes:
    return icon_resource(name).read_bytes()


class _ThemedIconEngine(QIconEngine):
    """Renders on demand in the current theme, at the requested pixels; subclasses draw."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self._key = key

    def render(self, image: QImage, mode: QIcon.Mode, theme: Theme) -> None:
        """Draw the icon on ``image`` (transparent, square) for ``mode`` in ``theme``."""
        raise NotImplementedError

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        theme = current_theme()
        scale = scale if scale > 0 else _app_scale()
        side = max(1, round(min(size.width(), size.height()) * scale))
        key = (self._key, theme.name, mode.name, side, side, scale)
        rendered = _renders.get(key)
        if rendered is None:
            image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            self.render(image, mode, theme)
            rendered = QPixmap.fromImage(image)
            rendered.setDevicePixelRatio(scale)
            _renders[key] = rendered
        return rendered

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, _app_scale())

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        scale = device.devicePixelRatioF() if device is not None else _app_scale()
        side = min(rect.width(), rect.height())
        target = QRectF(
            rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2, side, side
        )
        painter.drawPixmap(target.toRect(), self.scaledPixmap(QSize(side, side), mode, state, scale))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def availableSizes(
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        return [QSize(side, side) for side in SIZES]

    def iconName(self) -> str:
        return self._key

    def key(self) -> str:
        return "curator-themed"


class _SvgIconEngine(_ThemedIconEngine):
    def __init__(self, name: str) -> None:
        super().__init__(f"svg:{name}")
        self._name = name

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._name)

    def render(self, image: QImage, mode: QIcon.Mode, theme: Theme) -> None:
        from PySide6.QtSvg import QSvgRenderer  # QtSvg only once an icon is drawn

        ink = {
            QIcon.Mode.Disabled: theme.icon_disabled,
            QIcon.Mode.Selected: theme.icon_selected,
        }.get(mode, theme.icon)
        data = _INK_PATTERN.sub(ink.encode(), _svg_bytes(self._name))
        renderer = QSvgRenderer(data)
        if not renderer.isValid():
            raise ValueError(f"Icon {self._name!r} is not valid SVG.")
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
        painter.end()


class _PaintedIconEngine(_ThemedIconEngine):
    def __init__(self, key: str, paint: PaintFunction) -> None:
        super().__init__(f"painted:{key}")
        self._paint_key = key
        self._paint = paint

    def clone(self) -> QIconEngine:
        return _PaintedIconEngine(self._paint_key, self._paint)

    def render(self, image: QImage, mode: QIcon.Mode, theme: Theme) -> None:
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        self._paint(painter, float(image.width()), theme)
        painter.end()


def _app_scale() -> float:
    app = QApplication.instance()
    return float(app.devicePixelRatio()) if isinstance(app, QApplication) else 1.0


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` from resources/icons, in the current theme's colours at any size.

    Cached: menus and tables ask for the same ones often, and one QIcon
    follows theme switches by itself.

    Raises:
        FileNotFoundError: no such icon file.
    """
    icon_resource(name)  # fail here, not at the first paint
    return QIcon(_SvgIconEngine(name))


def painted_icon(key: str, paint: PaintFunction) -> QIcon:
    """An icon drawn by ``paint`` in the current theme, at the pixels each use needs.

    Args:
        key: names the drawing in the render cache; the same key must mean
            the same drawing.
        paint: draws on a transparent, antialiased square of ``side`` pixels.
    """
    return QIcon(_PaintedIconEngine(key, paint))


def pixmap(name: str, size: int, dpr: float | None = None) -> QPixmap:
    """Icon ``name`` as a pixmap of ``size`` device-independent pixels, sharp at ``dpr``.

    ``dpr`` defaults to the application's (the highest of its screens).
    The pixmap keeps the colours of the theme in use now; for a label use
    :func:`set_label_icon`, which a theme switch redraws.
    """
    return icon(name).pixmap(QSize(size, size), dpr if dpr is not None else _app_scale())


def set_label_icon(label: QLabel, name: str, size: int) -> None:
    """Show icon ``name`` at ``size`` on ``label``, and redraw it on theme switches."""
    label.setProperty(LABEL_ICON_PROPERTY, f"{name}:{size}")
    dpr = label.devicePixelRatioF() if label.isVisible() else _app_scale()
    label.setPixmap(pixmap(name, size, max(dpr, _app_scale())))


def refresh_icons(root: QWidget) -> None:
    """Redraw the icons :func:`set_label_icon` put on ``root`` and the labels inside it.

    QIcons from :func:`icon` need nothing: they render in the current theme
    whenever they are painted.
    """
    labels = root.findChildren(QLabel)
    if isinstance(root, QLabel):
        labels.append(root)
    for label in labels:
        value = label.property(LABEL_ICON_PROPERTY)
        if isinstance(value, str) and ":" in value:
            name, _sep, size = value.rpartition(":")
            set_label_icon(label, name, int(size))


def clear_icon_cache() -> None:
    """Drop every cached render (the next paint renders in the theme now in use)."""
    _renders.clear()


__all__ = [
    "INK",
    "LABEL_ICON_PROPERTY",
    "SIZES",
    "PaintFunction",
    "clear_icon_cache",
    "icon",
    "icon_resource",
    "painted_icon",
    "pixmap",
    "refresh_icons",
    "set_label_icon",
]
