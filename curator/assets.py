"""The one way to reach shipped files (icons, themes, demo data).

They live in the ``resources`` package, so they are found the same way in a
checkout, an installed wheel and a frozen app.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def asset(*parts: str) -> Traversable:
    """A shipped file, e.g. ``asset("demo", "demo.json")``."""
    node = files("resources")
    for part in parts:
        node = node / part
    return node


def read_asset(*parts: str) -> bytes:
    return asset(*parts).read_bytes()
