"""Turning domain values into the short texts tables and labels show.

Kept free of Qt so the rules (how recent times read, how excerpts are cut)
are easy to test and the same everywhere in the UI.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from curator.domain import Channel

_CHANNEL_LABELS = {
    Channel.X: "X",
    Channel.YOUTUBE: "YouTube",
    Channel.LINKEDIN: "LinkedIn",
}

_SPACES = re.compile(r"\s+")


def channel_label(channel: Channel | str) -> str:
    """How a channel is named on screen ("LinkedIn", not "linkedin")."""
    try:
        channel = Channel(channel)
    except ValueError:
        return str(channel).replace("_", " ").capitalize()
    return _CHANNEL_LABELS.get(channel, channel.value.replace("_", " ").capitalize())


def local_time(value: datetime) -> datetime:
    """A stored UTC time in the user's local time zone (what people read)."""
    return value.astimezone()


def human_time(value: datetime, now: datetime | None = None) -> str:
    """A compact local time that gets less precise as it gets older.

    Today's items show only the clock time, so a busy stream stays scannable;
    older ones gain the weekday, then the date, then the year.
    """
    local = local_time(value)
    now_local = local_time(now) if now is not None else datetime.now().astimezone()
    days = (now_local.date() - local.date()).days
    if days == 0:
        return local.strftime("%H:%M")
    if days == 1:
        return local.strftime("Yesterday %H:%M")
    if 1 < days < 7:
        return local.strftime("%a %H:%M")
    if local.year == now_local.year and days >= 0:
        return f"{local.day} {local.strftime('%b %H:%M')}"
    return f"{local.day} {local.strftime('%b %Y')}"


def full_time(value: datetime) -> str:
    """The unambiguous local time for tooltips, with the UTC offset."""
    local = local_time(value)
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y, %H:%M')} ({zone})"


def one_line(text: str) -> str:
    """Collapse runs of whitespace (newlines from feeds) into single spaces."""
    return _SPACES.sub(" ", text).strip()


def excerpt(text: str, limit: int = 160) -> str:
    """The first ``limit`` characters on one line, cut at a word with an ellipsis."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def rich_tooltip(title: str, body: str = "", limit: int = 2000) -> str:
    """A tooltip that wraps long text (Qt only wraps rich text) and stays bounded.

    Args:
        title: shown in bold; may be empty.
        body: the full text; cut after ``limit`` characters so a very long
            article cannot cover the screen.
        limit: the most characters of ``body`` shown.
    """
    parts = []
    if title:
        parts.append(f"<p><b>{html.escape(one_line(title))}</b></p>")
    text = one_line(body)
    if text:
        if len(text) > limit:
            text = text[:limit].rstrip() + "…"
        parts.append(f"<p>{html.escape(text)}</p>")
    return "".join(parts)
