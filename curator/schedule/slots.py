"""Recurring posting slots: local wall-clock times turned into UTC instants.

A touch point posts at fixed local times ("weekdays 09:00 and 17:30
Europe/Berlin"). People mean the clock on the wall where the audience lives,
so occurrences are computed day by day in the touch point's IANA zone and
only then converted to UTC, the only time we store: a 09:00 Berlin slot is
08:00 UTC in winter and 07:00 UTC in summer.

Daylight-saving transitions are resolved the same way everywhere in Curator:

* **A local time that does not exist** (in the spring-forward gap, e.g. 02:30
  in Berlin on the last Sunday of March) is moved to the first valid time
  after it, the moment the clocks jump (03:00 local). The post still goes out
  that morning, as close to the planned time as the clock allows, rather than
  being dropped or pushed a whole hour late.
* **A local time that happens twice** (in the fall-back hour) is taken once,
  at its first occurrence (``fold=0``, the summer-time one), so a slot never
  produces two posts on the night the clocks go back.

CSV imports are stricter: a typed-in time that does not exist is refused (see
:mod:`curator.schedule.csv_io`), because there the person can simply pick
another one; :func:`is_nonexistent` tells the two cases apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from curator.domain import TouchPoint
from curator.errors import CuratorError

__all__ = [
    "HORIZON",
    "InvalidTimeOfDay",
    "ScheduleError",
    "format_hhmm",
    "is_nonexistent",
    "local_to_utc",
    "next_free_slot",
    "occurrences",
    "parse_hhmm",
    "zone_of",
]

#: How far :func:`next_free_slot` looks ahead. Eight weeks covers any weekly
#: pattern many times over; a touch point whose slots are all taken for two
#: months needs a person's decision, not a slot far in the future.
HORIZON = timedelta(weeks=8)

_HHMM_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class ScheduleError(CuratorError):
    """A scheduling request cannot be carried out as asked."""


class InvalidTimeOfDay(ScheduleError):
    """A time of day is not written as ``HH:MM`` on a 24-hour clock."""


def parse_hhmm(text: str, *, what: str = "time") -> time:
    """Read ``HH:MM`` (24 h; ``9:05`` is accepted too) as a time of day.

    Args:
        text: the time as typed in a setting or a file.
        what: how to name the value in the error ("allowed-from time").

    Raises:
        InvalidTimeOfDay: not a 24-hour ``HH:MM`` time; the message says so
            and shows an example, since it ends up in front of a person.
    """
    match = _HHMM_RE.match(text)
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise InvalidTimeOfDay(
        f"The {what} {text!r} is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 17:30."
    )


def format_hhmm(value: time) -> str:
    """The ``HH:MM`` form settings and files use (seconds are dropped)."""
    return f"{value.hour:02d}:{value.minute:02d}"


def zone_of(tp: TouchPoint) -> ZoneInfo:
    """The touch point's IANA zone (validated when the touch point was created)."""
    return ZoneInfo(tp.timezone)


def _require_aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime {value!r}")


def is_nonexistent(local: datetime, zone: ZoneInfo) -> bool:
    """Whether a naive wall-clock time falls in a gap (the clocks skip it) in ``zone``.

    A time exists if converting it to UTC and back gives the same wall-clock
    time; inside a spring-forward gap the round trip lands an hour away.
    """
    naive = local.replace(tzinfo=None)
    back = naive.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) != naive


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Convert a naive wall-clock time in ``zone`` to an aware UTC datetime.

    A repeated (fall-back) time is taken at its first occurrence (``fold=0``);
    a time in a gap is moved to the moment the clocks jump, the first valid
    time after it (see the module docstring for why).
    """
    naive = local.replace(tzinfo=None)
    if not is_nonexistent(naive, zone):
        return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # fold=0 reads the gap time with the offset before the jump, fold=1 with the offset
    # after it; the jump lies between the two instants. Find it to the second: local
    # times before the jump are earlier than ``naive``, those from the jump on are later.
    a = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    b = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(a, b), max(a, b)
    span = int((high - low).total_seconds())
    lo, hi = 0, span
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None) > naive:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(seconds=lo)


def _slot_time(text: str) -> time:
    """A slot's time as :class:`Slot` validated it (which also lets ``9:5`` through)."""
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def occurrences(tp: TouchPoint, start: datetime, end: datetime) -> list[datetime]:
    """The touch point's slot times in ``[start, end)``, as sorted UTC datetimes.

    Each slot is placed on each matching local weekday at its local wall-clock
    time, then converted to UTC with the DST rules of the module docstring.
    Two slots that land on the same instant (say 02:30 and 03:00 on the
    spring-forward day) count once.

    Args:
        tp: the touch point, with its slots and IANA zone.
        start: the first instant to include (timezone-aware).
        end: the first instant no longer included (timezone-aware).

    Returns:
        The occurrences, in UTC, earliest first; empty when the touch point
        has no slots or ``end`` is not after ``start``.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if not tp.slots or end <= start:
        return []
    zone = zone_of(tp)
    slots = [(set(slot.weekdays), _slot_time(slot.time)) for slot in tp.slots]
    # One local day of margin on each side: a UTC window's ends can fall on other local dates.
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found: set[datetime] = set()
    for day in _days(first, last):
        weekday = day.weekday()
        for weekdays, at in slots:
            if weekday in weekdays:
                when = local_to_utc(datetime.combine(day, at), zone)
                if start <= when < end:
                    found.add(when)
    return sorted(found)


def next_free_slot(tp: TouchPoint, after: datetime, taken: list[datetime]) -> datetime | None:
    """The first slot strictly after ``after`` that is free and far enough from the taken times.

    A slot is free when no taken time is closer to it than the touch point's
    ``min_gap_minutes`` (with no minimum gap, only a slot taken at that very
    instant is unavailable). The search stops after :data:`HORIZON`.

    Args:
        tp: the touch point.
        after: usually now; a slot at exactly this instant is not offered,
            since it would already be late when the post is saved.
        taken: UTC times of the touch point's other live posts (the caller
            leaves out cancelled and failed ones).

    Returns:
        The UTC time of the slot, or None when the touch point has no slots
        or none is free within the horizon.
    """
    _require_aware(after, "after")
    for value in taken:
        _require_aware(value, "taken")
    gap = timedelta(minutes=tp.min_gap_minutes)
    for when in occurrences(tp, after, after + HORIZON):
        if when <= after:
            continue
        if any(t == when or abs(t - when) < gap for t in taken):
            continue
        return when
    return None
