"""Icons for the UI, read through the project's one asset helper.

Icons are plain SVG files in the ``resources`` package. They are located by
:func:`curator.assets.asset` (``importlib.resources``), so they resolve the
same way from a source checkout, an installed wheel or a frozen bundle, and
nothing is compiled into a Qt resource file. This module only turns them
into QIcons.
"""

from __future__ import annotations

from functools import cache
from importlib.resources.abc import Traversable

from PySide6.QtGui import QIcon, QPixmap

from curator.assets import asset


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
def icon(name: str) -> QIcon:
    """A scalable icon for ``name``, cached because menus ask for the same ones often.

    The SVG bytes are rendered into pixmaps at the sizes a desktop needs,
    which works even when the package lives in a zip archive (no file path
    is handed to Qt).
    """
    data = icon_resource(name).read_bytes()
    result = QIcon()
    for size in (16, 20, 24, 32, 48, 64, 128, 256):
        result.addPixmap(_render_svg(name, data, size))
    return result


def pixmap(name: str, size: int) -> QPixmap:
    """Icon ``name`` rendered at ``size`` device-independent pixels (for labels)."""
    return icon(name).pixmap(size, size)


def _render_svg(name: str, data: bytes, size: int) -> QPixmap:
    # Imported here so that importing this module does not need QtSvg until
    # an icon is actually drawn.
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(data)
    if not renderer.isValid():
        raise ValueError(f"Icon {name!r} is not valid SVG.")
    image = QPixmap(size, size)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image
