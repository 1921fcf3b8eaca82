"""Report renderers the core cannot provide itself, found through an entry point.

The core never imports Qt, yet the PDF is drawn with Qt's PDF writer. The
desktop part registers its writer as a plugin::

    [project.entry-points."curator.report_renderers"]
    pdf = "ui.report_pdf:write_pdf"

and :func:`renderer` loads it by name when asked, so ``curator report --pdf``
works wherever Curator's desktop part is installed, and says plainly what to
do where it is not. A renderer is ``fn(report, path) -> pages``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import cast

from curator.reports.council import CouncilReport
from curator.reports.measures import ReportError

__all__ = ["GROUP", "Renderer", "RendererMissing", "available", "renderer"]

GROUP = "curator.report_renderers"
Renderer = Callable[[CouncilReport, "str | os.PathLike[str]"], int]


class RendererMissing(ReportError):
    """No installed package provides the renderer asked for."""


def available() -> list[str]:
    """The names of the installed renderers ("pdf"...)."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def renderer(name: str) -> Renderer:
    """The renderer registered as ``name`` (e.g. "pdf").

    Raises:
        RendererMissing: None is installed, or it cannot be loaded (its
            message says why and what to use instead).
    """
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise RendererMissing(
            f"Curator cannot write {name.upper()} reports here: no installed package provides a "
            f"'{name}' report renderer (the desktop part, with PySide6, does). Install Curator with its "
            "desktop part (pip install -e . in its folder), or export HTML with --html instead."
        )
    try:
        loaded = found[0].load()
    except ImportError as exc:
        raise RendererMissing(
            f"Curator's {name.upper()} writer ({found[0].value}) is registered but cannot be loaded: {exc}. "
            "Check that PySide6 is installed, or export HTML with --html instead."
        ) from exc
    return cast(Renderer, loaded)
