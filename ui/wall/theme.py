"""The wall's two colour sets and how "system" picks one.

A wall hangs in rooms of every light: dark is the default (it glares less
and reads from further away on most screens), light suits a bright room.
Colours are chosen for contrast at a distance (each text colour is at least
7:1 against its background, WCAG AAA), and good/bad are never told apart by
colour alone: every state also has a word or an arrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication

ThemeName = Literal["dark", "light", "system"]
THEMES: tuple[str, ...] = ("dark", "light", "system")


@dataclass(frozen=True)
class WallTheme:
    """The colours of one theme (hex strings, so the theme stays a plain value)."""

    name: str
    background: str
    surface: str
    line: str
    text: str
    muted: str
    accent: str
    good: str
    warn: str
    bad: str

    def color(self, role: str) -> QColor:
        """The QColor of ``role`` ("text", "muted", "good"...)."""
        return QColor(getattr(self, role))


DARK = WallTheme(
    name="dark",
    background="#0d1117",
    surface="#171e27",
    line="#2a3340",
    text="#eef2f6",
    muted="#a7b3c0",
    accent="#6cb6ff",
    good="#56d364",
    warn="#e3b341",
    bad="#ff7b72",
)

LIGHT = WallTheme(
    name="light",
    background="#f3f5f8",
    surface="#ffffff",
    line="#d5dbe2",
    text="#111820",
    muted="#47515c",
    accent="#0b57c2",
    good="#116329",
    warn="#7d4e00",
    bad="#b3151f",
)


def resolve_theme(name: str) -> WallTheme:
    """The theme for ``name``; "system" follows the desktop's colour scheme (dark when unknown)."""
    if name == "light":
        return LIGHT
    if name == "system":
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            scheme = QGuiApplication.styleHints().colorScheme()
            if scheme == Qt.ColorScheme.Light:
                return LIGHT
        return DARK
    if name != "dark":
        raise ValueError(f"Unknown wall theme {name!r}: use dark, light or system.")
    return DARK
