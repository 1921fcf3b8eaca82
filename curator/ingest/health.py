"""A source's health in one sentence (light: the UI imports it at start-up)."""

from __future__ import annotations

from datetime import datetime, timedelta

from curator.domain import Source, utcnow


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' * (minutes != 1)}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{hours // 24} days"


def health_sentence(source: Source, now: datetime | None = None) -> str:
    """The source's state in one sentence, e.g. for a tooltip or `curator sources list`."""
    now = now or utcnow()
    if source.last_error:
        since = f" (failing for {_ago(now - source.error_since)})" if source.error_since else ""
        return f"{source.last_error}{since}"
    if source.last_warning:
        return source.last_warning
    if source.last_fetch_at is None:
        return "Not fetched yet."
    text = f"Fetched {_ago(now - source.last_fetch_at)} ago"
    if source.last_new_items:
        text += f", {source.last_new_items} new"
    if source.next_fetch_at and source.next_fetch_at > now:
        text += f"; next in {_ago(source.next_fetch_at - now)}"
    return text + "."
