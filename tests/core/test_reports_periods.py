"""Report periods: parsing, local-midnight bounds across DST, previous/next, buckets, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from curator.reports.periods import (
    Period,
    PeriodError,
    local_zone,
    parse_period,
    period_containing,
    zone_named,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")


def test_an_iso_week_runs_monday_to_sunday_on_the_local_clock() -> None:
    week = parse_period("2026-W47", BERLIN)
    assert (week.kind, week.first_day, week.last_day) == ("week", date(2026, 11, 16), date(2026, 11, 22))
    # Berlin is UTC+1 in November: local midnight is 23:00 UTC the day before
    assert week.start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert week.start.utcoffset() == timedelta(hours=1)
    assert (week.label, week.title, week.short) == ("2026-W47", "week 47, 16–22 Nov 2026", "Week 47")
    assert parse_period("2026w47", BERLIN) == week  # lenient about the dash and the case


def test_iso_weeks_belong_to_their_iso_year() -> None:
    # ISO week 1 of 2026 starts on Monday 29 December 2025; 2026 has 53 weeks
    assert parse_period("2026-W01", UTC_ZONE).first_day == date(2025, 12, 29)
    last = parse_period("2026-W53", UTC_ZONE)
    assert (last.first_day, last.last_day) == (date(2026, 12, 28), date(2027, 1, 3))
    assert last.title == "week 53, 28 Dec 2026 – 3 Jan 2027"
    with pytest.raises(PeriodError, match="ISO year 2025 has weeks 1 to 52"):
        parse_period("2025-W53", UTC_ZONE)


def test_a_week_across_the_dst_change_is_seven_calendar_days() -> None:
    # Berlin leaves summer time on Sunday 25 October 2026 (one hour longer)
    week = parse_period("2026-W43", BERLIN)
    assert week.days == 7
    # (subtract in UTC: Python subtracts times of one zone by their wall clocks)
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(days=7, hours=1)
    assert week.start.utcoffset() == timedelta(hours=2) and week.end.utcoffset() == timedelta(hours=1)


def test_month_day_and_range() -> None:
    month = parse_period("2026-02", UTC_ZONE)
    assert (month.first_day, month.last_day, month.days) == (date(2026, 2, 1), date(2026, 2, 28), 28)
    assert (month.label, month.title, month.short) == ("2026-02", "February 2026", "Feb 2026")
    day = parse_period("2026-11-23", BERLIN)
    assert (day.kind, day.days, day.label, day.title) == ("day", 1, "2026-11-23", "Mon 23 Nov 2026")
    span = parse_period(" 2026-10-28..2026-11-03 ", BERLIN)
    assert (span.kind, span.first_day, span.last_day, span.days) == (
        "range",
        date(2026, 10, 28),
        date(2026, 11, 3),
        7,
    )
    assert (span.label, span.title) == ("2026-10-28..2026-11-03", "28 Oct – 3 Nov 2026")
    assert span.contains(datetime(2026, 11, 3, 22, 59, tzinfo=UTC))  # 23:59 Berlin on the last day
    assert not span.contains(datetime(2026, 11, 3, 23, 0, tzinfo=UTC))


def test_previous_and_next() -> None:
    assert parse_period("2026-W01", UTC_ZONE).previous() == parse_period("2025-W52", UTC_ZONE)
    assert parse_period("2026-W47", UTC_ZONE).next().label == "2026-W48"
    march = parse_period("2026-03", UTC_ZONE)
    assert march.previous() == parse_period("2026-02", UTC_ZONE)  # 28 days, not 31 back
    assert parse_period("2026-01", UTC_ZONE).previous().label == "2025-12"
    assert parse_period("2026-12", UTC_ZONE).next().label == "2027-01"
    assert parse_period("2026-03-01", UTC_ZONE).previous().label == "2026-02-28"
    # a range: the same number of days, ending the day before it starts
    span = parse_period("2026-11-01..2026-11-15", UTC_ZONE)
    assert span.previous().label == "2026-10-17..2026-10-31"
    assert span.previous().next() == span


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No period given"),
        ("last week", "is not a period"),
        ("2026-13", "months run from 01 to 12"),
        ("2026-02-30", "is not a date in the calendar"),
        ("2026-W00", "is not a week"),
        (
            "2026-11-15..2026-11-01",
            "ends before it starts; write the earlier day first (2026-11-01..2026-11-15)",
        ),
        ("2026-11-01..soon", "is not a period"),
        ("1900-01-01..2026-01-01", "longer than ten years"),
    ],
)
def test_bad_periods_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(
        PeriodError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        parse_period(text, UTC_ZONE)


def test_buckets_are_days_then_weeks_then_months() -> None:
    week = parse_period("2026-W47", UTC_ZONE)
    assert [b.label for b in week.buckets()] == [
        "Mon 16",
        "Tue 17",
        "Wed 18",
        "Thu 19",
        "Fri 20",
        "Sat 21",
        "Sun 22",
    ]
    assert [b.label for b in parse_period("2026-11", UTC_ZONE).buckets()][:2] == ["1 Nov", "2 Nov"]
    quarter = parse_period("2026-10-01..2026-12-31", UTC_ZONE).buckets()
    assert quarter[0].first_day == date(2026, 10, 1) and quarter[0].last_day == date(2026, 10, 4)  # Thu-Sun
    assert all(b.first_day.weekday() == 0 for b in quarter[1:])
    assert quarter[-1].last_day == date(2026, 12, 31)
    year = parse_period("2026-01-01..2026-12-31", UTC_ZONE).buckets()
    assert [b.label for b in year][:2] == ["Jan 2026", "Feb 2026"] and len(year) == 12
    # every day of the period is in exactly one bucket
    days = [b.first_day + timedelta(days=n) for b in year for n in range((b.last_day - b.first_day).days + 1)]
    assert len(days) == len(set(days)) == 365


def test_the_period_holding_a_moment() -> None:
    # Sunday 22 Nov 23:30 UTC is already Monday in Berlin: week 48 there, week 47 in UTC
    late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert period_containing("week", late, BERLIN).label == "2026-W48"
    assert period_containing("week", late, UTC_ZONE).label == "2026-W47"
    assert period_containing("month", late, BERLIN).label == "2026-11"
    assert period_containing("day", late, BERLIN).label == "2026-11-23"
    with pytest.raises(PeriodError):
        period_containing("range", late, BERLIN)


def test_zones() -> None:
    assert zone_named("Europe/Berlin") == BERLIN
    with pytest.raises(PeriodError, match="Unknown time zone 'Mars/Olympus'"):
        zone_named("Mars/Olympus")
    assert local_zone().utcoffset(datetime(2026, 1, 1)) is not None
    assert parse_period("2026-W47").zone == local_zone()  # the machine's zone by default


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(PeriodError, match="cannot end"):
        Period("range", date(2026, 11, 2), date(2026, 11, 1), UTC_ZONE)


def test_json_names_the_bounds_and_the_zone() -> None:
    data = parse_period("2026-W47", BERLIN).to_json()
    assert data["start"] == "2026-11-16T00:00:00+01:00"
    assert data["end"] == "2026-11-23T00:00:00+01:00"
    assert data["zone"] == "Europe/Berlin"
