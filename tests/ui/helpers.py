"""Helpers shared by the UI tests (kept out of conftest so tests can import them)."""

from __future__ import annotations

import threading
from datetime import timedelta

from PySide6.QtCore import QThreadPool

from curator.domain import Channel, Item, Source, utcnow
from curator.workspace import Workspace


def new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Python threads started since ``before`` that are still alive.

    Dummy threads are Python's stand-ins for threads it did not start (Qt's
    pool threads once they call into ``threading``); they never end, and the
    pool is checked on its own.
    """
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread.is_alive() and not isinstance(thread, threading._DummyThread)
    ]


def busy_pool_threads(msecs: int = 5000) -> int:
    """How many global-pool threads are still running a task after waiting ``msecs``."""
    pool = QThreadPool.globalInstance()
    pool.waitForDone(msecs)
    return pool.activeThreadCount()


SOURCE_TITLES = ("Brew Forum", "AppShelf reviews", "Bean Market Daily")


def populate(workspace: Workspace) -> tuple[list[Source], list[Item]]:
    """A few sources and items (two per source, newest first), saved through the repositories."""
    sources = [
        Source(
            title="Brew Forum",
            url="https://forum.example.org/brew.rss",
            channel=Channel.FORUM,
            category="Community",
        ),
        Source(title="AppShelf reviews", url="https://apps.example.com/reviews.rss", channel=Channel.REVIEW),
        Source(
            title="Bean Market Daily",
            url="https://news.example.com/rss",
            channel=Channel.NEWS,
            category="Press",
        ),
    ]
    workspace.sources.save_many(sources)
    now = utcnow()
    items = [
        Item(
            source_id=source.id,
            title=f"{source.title} item {n}",
            text=f"Customers talk about oat milk ({source.title}, {n}).",
            author=f"author{n}",
            channel=source.channel,
            published_at=now - timedelta(hours=3 * index + n),
        )
        for index, source in enumerate(sources)
        for n in range(2)
    ]
    workspace.items.save_many(items)
    return sources, items
