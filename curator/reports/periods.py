"""Report periods: an ISO week, a month, a day or a range of days, in the team's time zone.

A leadership team reads "week 47" on its own clock, so a period is a run of
whole local calendar days: it starts at local midnight of its first day and
ends (exclusive) at local midnight after its last day. Days are taken in an
IANA zone (:class:`zoneinfo.ZoneInfo`), so a week that crosses a daylight
saving change is still seven calendar days (167 or 169 hours long).

There is no team-wide zone setting yet; like the Calendar, which lays times
out in the user's system zone, the default is the machine's local zone
(:func:`local_zone`).

Accepted forms (see :func:`parse_period`):

``2026-W47``
    ISO 8601 week 47 of ISO year 2026, Monday to Sunday.
``2026-11``
    The calendar month.
``2026-11-23``
    One day.
``2026-11-01..2026-11-15``
    Both days included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from curator.domain import utcnow
from curator.errors import CuratorError

__all__ = [
    "MAX_RANGE_DAYS",
    "MONTH_NAMES",
    "Bucket",
    "Period",
    "PeriodError",
    "PeriodKind",
    "local_zone",
    "parse_period",
    "period_containing",
    "zone_named",
]

PeriodKind = Literal["week", "month", "day", "range"]

#: Longest range accepted (ten years): a report over more is a typo, not a question.
MAX_RANGE_DAYS = 3660

_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
#: English month names, for dates written in sentences and headings (also the Calendar's).
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = tuple(name[:3] for name in MONTH_NAMES)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HELP = "Write a week as 2026-W47, a month as 2026-11, a day as 2026-11-23 or days as 2026-11-01..2026-11-15."


class PeriodError(CuratorError, ValueError):
    """A period cannot be read; the message shows the forms that work."""


def local_zone() -> tzinfo:
    """The machine's IANA time zone (UTC when it cannot be told).

    tzlocal reads ``TZ``, ``/etc/localtime`` and the platform's own settings
    and returns a :class:`ZoneInfo`, so days keep their DST rules.
    """
    try:
        import tzlocal

        zone: tzinfo = tzlocal.get_localzone()
    except Exception:  # an unreadable system zone must not stop a report
        return ZoneInfo("UTC")
    return zone


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name`` ("Europe/Berlin"), or a :class:`PeriodError` saying what to write."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PeriodError(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC."
        ) from exc


def _short(day: date, *, year: bool = True) -> str:
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _span(first: date, last: date) -> str:
    """Days as people write them: 16–22 Nov 2026, 28 Oct – 3 Nov 2026, 28 Dec 2026 – 3 Jan 2027."""
    if first == last:
        return _short(first)
    if first.year != last.year:
        return f"{_short(first)} – {_short(last)}"
    if first.month != last.month:
        return f"{_short(first, year=False)} – {_short(last)}"
    return f"{first.day}–{_short(last)}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Bucket:
    """One bar of a chart over a period: a day, or a week or month for long ranges."""

    first_day: date
    last_day: date
    label: str


@dataclass(frozen=True)
class Period:
    """Whole local days from ``first_day`` to ``last_day`` (both included) in ``zone``."""

    kind: PeriodKind
    first_day: date
    last_day: date
    zone: tzinfo

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise PeriodError(
                f"A period cannot end ({self.last_day.isoformat()}) before it starts "
                f"({self.first_day.isoformat()})."
            )

    # ------------------------------------------------------------------ bounds
    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first day (timezone-aware)."""
        return datetime(self.first_day.year, self.first_day.month, self.first_day.day, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day: the period is ``start <= t < end``."""
        after = self.last_day + timedelta(days=1)
        return datetime(after.year, after.month, after.day, tzinfo=self.zone)

    @property
    def days(self) -> int:
        """How many calendar days the period holds."""
        return (self.last_day - self.first_day).days + 1

    def contains(self, when: datetime) -> bool:
        """Whether the aware time ``when`` falls in the period."""
        return self.start <= when < self.end

    def local_day(self, when: datetime) -> date:
        """The calendar day of ``when`` on the period's clock."""
        return when.astimezone(self.zone).date()

    # ------------------------------------------------------------------ names
    @property
    def label(self) -> str:
        """The canonical text, as typed on the command line: ``2026-W47``, ``2026-11``..."""
        if self.kind == "week":
            year, week, _ = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first_day.year}-{self.first_day.month:02d}"
        if self.kind == "day":
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @property
    def title(self) -> str:
        """How a person reads it: "week 47, 16–22 Nov 2026", "November 2026"."""
        if self.kind == "week":
            return f"week {self.first_day.isocalendar()[1]}, {_span(self.first_day, self.last_day)}"
        if self.kind == "month":
            return f"{MONTH_NAMES[self.first_day.month - 1]} {self.first_day.year}"
        if self.kind == "day":
            return f"{_WEEKDAYS[self.first_day.weekday()]} {_short(self.first_day)}"
        return _span(self.first_day, self.last_day)

    @property
    def short(self) -> str:
        """A chart legend's name: "Week 47", "Nov 2026", "Mon 23 Nov", "1–15 Nov 2026"."""
        if self.kind == "week":
            return f"Week {self.first_day.isocalendar()[1]}"
        if self.kind == "month":
            return f"{_MONTHS[self.first_day.month - 1]} {self.first_day.year}"
        if self.kind == "day":
            return f"{_WEEKDAYS[self.first_day.weekday()]} {_short(self.first_day, year=False)}"
        return _span(self.first_day, self.last_day)

    @property
    def noun(self) -> str:
        """The word for sentences ("the week before"): week, month, day or period."""
        return "period" if self.kind == "range" else self.kind

    # --------------------------------------------------------------- moving
    def previous(self) -> Period:
        """The period just before, of the same kind, for comparison.

        A week gives the week before, a month the month before (whatever its
        length), a day the day before, a range the same number of days ending
        the day before it starts.
        """
        return self.shifted(-1)

    def next(self) -> Period:
        """The period just after, of the same kind (for a period picker)."""
        return self.shifted(1)

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods away (negative: earlier)."""
        if self.kind == "month":
            first = _add_months(self.first_day, steps)
            last = _add_months(first, 1) - timedelta(days=1)
            return Period("month", first, last, self.zone)
        delta = timedelta(days=self.days * steps)
        return Period(self.kind, self.first_day + delta, self.last_day + delta, self.zone)

    def with_zone(self, zone: tzinfo) -> Period:
        """The same calendar days on another clock."""
        return Period(self.kind, self.first_day, self.last_day, zone)

    # -------------------------------------------------------------- buckets
    def buckets(self) -> list[Bucket]:
        """The bars of a chart over the period.

        Days up to 35 days ("Mon 16", "1 Nov"); ISO weeks up to 26 weeks
        ("W47"); months beyond ("Nov 2026"), each cut to the period's days.
        """
        out: list[Bucket] = []
        day = self.first_day
        if self.days <= 35:
            while day <= self.last_day:
                label = (
                    f"{_WEEKDAYS[day.weekday()]} {day.day}"
                    if self.kind in ("week", "day")
                    else _short(day, year=False)
                )
                out.append(Bucket(day, day, label))
                day += timedelta(days=1)
            return out
        if self.days <= 26 * 7:
            while day <= self.last_day:
                sunday = day + timedelta(days=6 - day.weekday())
                last = min(sunday, self.last_day)
                out.append(Bucket(day, last, f"W{day.isocalendar()[1]:02d}"))
                day = last + timedelta(days=1)
            return out
        while day <= self.last_day:
            last = min(_add_months(day, 1) - timedelta(days=1), self.last_day)
            out.append(Bucket(day, last, f"{_MONTHS[day.month - 1]} {day.year}"))
            day = last + timedelta(days=1)
        return out

    def to_json(self) -> dict[str, str]:
        """Plain values for ``--json``."""
        return {
            "label": self.label,
            "title": self.title,
            "kind": self.kind,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "zone": str(self.zone),
        }


def _date(text: str, whole: str) -> date:
    match = _DAY.match(text.strip())
    if not match:
        raise PeriodError(f"{whole!r} is not a period. {_HELP}")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise PeriodError(f"{text.strip()!r} is not a date in the calendar ({exc}). {_HELP}") from exc


def parse_period(text: str, zone: tzinfo | None = None) -> Period:
    """Read a period the way a person types it (see the module docstring).

    Args:
        text: ``2026-W47``, ``2026-11``, ``2026-11-23`` or ``2026-11-01..2026-11-15``.
        zone: The clock its days are read on (default: :func:`local_zone`).

    Raises:
        PeriodError: The text is none of those forms, names a week or day that
            does not exist, or a range that ends before it starts.
    """
    zone = zone if zone is not None else local_zone()
    raw = text.strip()
    if not raw:
        raise PeriodError(f"No period given. {_HELP}")
    if ".." in raw:
        left, _, right = raw.partition("..")
        first, last = _date(left, raw), _date(right, raw)
        if last < first:
            raise PeriodError(
                f"The range {raw!r} ends before it starts; write the earlier day first "
                f"({last.isoformat()}..{first.isoformat()})."
            )
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise PeriodError(f"The range {raw!r} is longer than ten years; choose a shorter one.")
        return Period("range", first, last, zone)
    if match := _WEEK.match(raw):
        year, week = int(match.group(1)), int(match.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            weeks = date(year, 12, 28).isocalendar()[1]
            raise PeriodError(f"{raw!r} is not a week: ISO year {year} has weeks 1 to {weeks}.") from exc
        return Period("week", monday, monday + timedelta(days=6), zone)
    if match := _MONTH.match(raw):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"{raw!r} is not a month: months run from 01 to 12. {_HELP}")
        first = date(year, month, 1)
        return Period("month", first, _add_months(first, 1) - timedelta(days=1), zone)
    day = _date(raw, raw)
    return Period("day", day, day, zone)


def period_containing(
    kind: PeriodKind = "week", when: datetime | None = None, zone: tzinfo | None = None
) -> Period:
    """The week, month or day that holds ``when`` (default: now) on the ``zone`` clock.

    The command line's and the Reports page's default is the current ISO week.
    """
    zone = zone if zone is not None else local_zone()
    today = (when or utcnow()).astimezone(zone).date()
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return Period("week", monday, monday + timedelta(days=6), zone)
    if kind == "month":
        first = today.replace(day=1)
        return Period("month", first, _add_months(first, 1) - timedelta(days=1), zone)
    if kind == "day":
        return Period("day", today, today, zone)
    raise PeriodError(f"A current period is a week, a month or a day, not {kind!r}.")
