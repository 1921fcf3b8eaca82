"""Warnings about a post's time: too close to another, outside allowed hours, in the past.

These are warnings, not errors: a scheduler may have a good reason to post
twice in ten minutes (a correction, breaking news), so the core says what is
unusual, in a sentence with the touch point's local time and zone, and the
person decides. Nothing here refuses a post.

Allowed hours (``allowed_from`` / ``allowed_until``, local ``HH:MM``) include
both ends: 07:00-22:00 allows 07:00 and 22:00 sharp, not 22:01. A window whose
start is after its end wraps around midnight (22:00-06:00 is the night). One
bound alone runs to or from midnight; equal bounds, or none, mean any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from curator.domain import PostStatus, ScheduledPost, TouchPoint, utcnow
from curator.schedule.slots import InvalidTimeOfDay, format_hhmm, parse_hhmm, zone_of

__all__ = [
    "ScheduleWarning",
    "WarningKind",
    "allowed_window",
    "check_post",
    "describe_local",
    "in_window",
]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Posts that will not go out: they cannot crowd another post.
_INACTIVE = frozenset({PostStatus.CANCELLED, PostStatus.FAILED})
#: Posts already on their way or out: "in the past" is their normal state.
_UNDER_WAY = frozenset({PostStatus.PUBLISHING, PostStatus.PUBLISHED})


class WarningKind(StrEnum):
    """What a :class:`ScheduleWarning` is about, for icons and filters."""

    TOO_CLOSE = "too_close"
    OUTSIDE_HOURS = "outside_hours"
    IN_PAST = "in_past"
    BAD_SETTING = "bad_setting"


@dataclass(frozen=True)
class ScheduleWarning:
    """One thing about a post's time a person should look at.

    Attributes:
        kind: a :class:`WarningKind` value.
        message: a sentence to show as it is.
        post_id: the post warned about.
        other_post_id: the other post involved (a too-close warning), else "".
    """

    kind: str
    message: str
    post_id: str
    other_post_id: str = ""


def describe_local(when: datetime, zone_name: str, *, now: datetime | None = None) -> str:
    """A UTC instant as people read it there: ``Tue 24 Nov 09:10 Europe/Berlin``.

    The year is added when it is not the year of ``now`` (default: the year
    of ``when``), so a date next January is not mistaken for last January.
    English day and month names are used whatever the process locale, so
    messages do not change language between machines.
    """
    local = when.astimezone(ZoneInfo(zone_name))
    text = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    if now is not None and now.astimezone(ZoneInfo(zone_name)).year != local.year:
        text += f" {local.year}"
    return f"{text} {local:%H:%M} {zone_name}"


def allowed_window(tp: TouchPoint) -> tuple[time, time] | None:
    """The touch point's allowed local hours as (from, until), or None for any time.

    Raises:
        InvalidTimeOfDay: a bound is set but not ``HH:MM``.
    """
    start_text, end_text = tp.allowed_from.strip(), tp.allowed_until.strip()
    if not start_text and not end_text:
        return None
    start = parse_hhmm(start_text, what=f"allowed-from time of {tp.name}") if start_text else time(0, 0)
    end = (
        parse_hhmm(end_text, what=f"allowed-until time of {tp.name}")
        if end_text
        else time(23, 59, 59, 999999)
    )
    if start == end:
        return None
    return start, end


def in_window(at: time, window: tuple[time, time]) -> bool:
    """Whether a local time of day is inside (from, until), ends included, wrapping at midnight."""
    start, end = window
    # Compare to the minute: "until 22:00" allows any second of 22:00.
    at = at.replace(second=0, microsecond=0)
    if start < end:
        return start <= at <= end
    return at >= start or at <= end


def _minutes(delta: timedelta) -> str:
    whole = int(delta.total_seconds() // 60)
    if whole < 1:
        return "less than a minute"
    return "1 minute" if whole == 1 else f"{whole} minutes"


def _label(post: ScheduledPost) -> str:
    return f"'{post.title}'" if post.title.strip() else "another post"


def check_post(
    post: ScheduledPost, tp: TouchPoint, others: list[ScheduledPost], *, now: datetime | None = None
) -> list[ScheduleWarning]:
    """Everything unusual about ``post``'s time on ``tp``, as warnings.

    Args:
        post: the post being scheduled or moved (its ``publish_at`` is the
            time checked).
        tp: the touch point it goes to (``post.touchpoint_id``).
        others: posts to compare with; those of other touch points, the post
            itself, and cancelled or failed posts are ignored, so the caller
            may pass the whole calendar.
        now: the current time (default: the clock); only used for the
            in-the-past check.

    Returns:
        Warnings in a stable order: in the past, outside allowed hours, then
        one per post that is too close, nearest first. Empty for a cancelled
        or failed post, which will not go out.
    """
    if post.status in _INACTIVE:
        return []
    now = now or utcnow()
    zone = tp.timezone
    when = describe_local(post.publish_at, zone, now=now)
    warnings: list[ScheduleWarning] = []

    if post.status not in _UNDER_WAY and post.publish_at < now:
        warnings.append(
            ScheduleWarning(
                WarningKind.IN_PAST,
                f"{when} is in the past, so the post would go out late or not at all; pick a later time.",
                post.id,
            )
        )

    try:
        window = allowed_window(tp)
    except InvalidTimeOfDay as exc:
        warnings.append(
            ScheduleWarning(
                WarningKind.BAD_SETTING,
                f"The allowed hours of {tp.name} cannot be checked: {exc} "
                "Fix them in the touch point's settings.",
                post.id,
            )
        )
        window = None
    if window is not None:
        local = post.publish_at.astimezone(zone_of(tp)).time()
        if not in_window(local, window):
            span = f"{format_hhmm(window[0])}-{format_hhmm(window[1])}"
            warnings.append(
                ScheduleWarning(
                    WarningKind.OUTSIDE_HOURS,
                    f"{when} is outside the hours {tp.name} posts in ({span} {zone}); "
                    "move the post into that window or change the touch point's allowed hours.",
                    post.id,
                )
            )

    gap = timedelta(minutes=tp.min_gap_minutes)
    if gap:
        close: list[tuple[timedelta, ScheduledPost]] = []
        for other in others:
            if other.id == post.id or other.touchpoint_id != tp.id or other.status in _INACTIVE:
                continue
            distance = abs(other.publish_at - post.publish_at)
            if distance < gap:
                close.append((distance, other))
        close.sort(key=lambda pair: (pair[0], pair[1].publish_at, pair[1].id))
        for distance, other in close:
            if distance == timedelta(0):
                relation = f"at the same time as {_label(other)}"
            else:
                side = "after" if post.publish_at > other.publish_at else "before"
                relation = f"{_minutes(distance)} {side} {_label(other)}"
            wanted = "1 minute" if tp.min_gap_minutes == 1 else f"{tp.min_gap_minutes} minutes"
            warnings.append(
                ScheduleWarning(
                    WarningKind.TOO_CLOSE,
                    f"{when} is {relation} on {tp.name}; this touch point wants {wanted} between posts.",
                    post.id,
                    other.id,
                )
            )
    return warnings
