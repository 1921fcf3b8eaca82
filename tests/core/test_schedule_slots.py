"""Posting slots (local wall-clock time, DST-correct) and scheduling conflict warnings."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from curator.domain import PostStatus, ScheduledPost, Slot, TouchPoint, TouchPointKind
from curator.errors import CuratorError
from curator.schedule.conflicts import ScheduleWarning, WarningKind, check_post, describe_local
from curator.schedule.slots import (
    HORIZON,
    InvalidTimeOfDay,
    is_nonexistent,
    local_to_utc,
    next_free_slot,
    occurrences,
    parse_hhmm,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = [0, 1, 2, 3, 4]
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def touchpoint(zone: str = "Europe/Berlin", *slots: Slot, **kwargs: object) -> TouchPoint:
    return TouchPoint(
        name=str(kwargs.pop("name", "X @northwind")),
        kind=TouchPointKind.X,
        timezone=zone,
        slots=list(slots),
        **kwargs,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------ HH:MM


@pytest.mark.parametrize(
    ("text", "expected"), [("09:00", time(9, 0)), ("9:05", time(9, 5)), ("23:59", time(23, 59))]
)
def test_parse_hhmm_reads_24_hour_times(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "9h", "", "9:5", "09:00 PM", "-1:00"])
def test_parse_hhmm_refuses_other_forms_with_a_typed_error(text: str) -> None:
    with pytest.raises(InvalidTimeOfDay) as info:
        parse_hhmm(text, what="allowed-from time")
    assert isinstance(info.value, CuratorError)
    assert "allowed-from time" in str(info.value)
    assert "HH:MM" in str(info.value)


# ------------------------------------------------------------------ local to UTC


def test_local_to_utc_follows_the_offset_of_the_season() -> None:
    assert local_to_utc(datetime(2025, 11, 24, 9, 0), BERLIN) == utc(2025, 11, 24, 8, 0)
    assert local_to_utc(datetime(2025, 6, 23, 9, 0), BERLIN) == utc(2025, 6, 23, 7, 0)


def test_a_time_in_the_gap_moves_to_the_moment_the_clocks_jump() -> None:
    gap = datetime(2025, 3, 30, 2, 30)
    assert is_nonexistent(gap, BERLIN)
    assert not is_nonexistent(datetime(2025, 3, 30, 3, 0), BERLIN)
    moved = local_to_utc(gap, BERLIN)
    assert moved == utc(2025, 3, 30, 1, 0)
    assert moved.astimezone(BERLIN).replace(tzinfo=None) == datetime(2025, 3, 30, 3, 0)


def test_a_repeated_time_is_taken_at_its_first_occurrence() -> None:
    repeated = datetime(2025, 10, 26, 2, 30)
    assert not is_nonexistent(repeated, BERLIN)
    assert local_to_utc(repeated, BERLIN) == utc(2025, 10, 26, 0, 30)  # 02:30 CEST, not 02:30 CET


# ------------------------------------------------------------------ occurrences


def test_a_berlin_slot_is_08_utc_in_winter_and_07_utc_in_summer() -> None:
    tp = touchpoint("Europe/Berlin", Slot(WEEKDAYS, "09:00"))
    assert occurrences(tp, utc(2025, 11, 24), utc(2025, 11, 25)) == [utc(2025, 11, 24, 8, 0)]
    assert occurrences(tp, utc(2025, 6, 23), utc(2025, 6, 24)) == [utc(2025, 6, 23, 7, 0)]


def test_berlin_slots_before_and_after_spring_forward() -> None:
    tp = touchpoint("Europe/Berlin", Slot(EVERY_DAY, "09:00"))
    got = occurrences(tp, utc(2025, 3, 28), utc(2025, 4, 1))
    assert got == [utc(2025, 3, 28, 8), utc(2025, 3, 29, 8), utc(2025, 3, 30, 7), utc(2025, 3, 31, 7)]
    assert {d.astimezone(BERLIN).time() for d in got} == {time(9, 0)}


def test_berlin_slots_before_and_after_fall_back() -> None:
    tp = touchpoint("Europe/Berlin", Slot(EVERY_DAY, "17:30"))
    got = occurrences(tp, utc(2025, 10, 25), utc(2025, 10, 28))
    assert got == [utc(2025, 10, 25, 15, 30), utc(2025, 10, 26, 16, 30), utc(2025, 10, 27, 16, 30)]


def test_berlin_slot_in_the_gap_happens_when_the_clocks_jump() -> None:
    tp = touchpoint("Europe/Berlin", Slot(EVERY_DAY, "02:30"))
    got = occurrences(tp, utc(2025, 3, 29), utc(2025, 4, 1))
    # Saturday 02:30 CET, Sunday 03:00 CEST (02:30 does not exist), Monday 02:30 CEST.
    assert got == [utc(2025, 3, 29, 1, 30), utc(2025, 3, 30, 1, 0), utc(2025, 3, 31, 0, 30)]


def test_berlin_slot_in_the_repeated_hour_happens_once() -> None:
    tp = touchpoint("Europe/Berlin", Slot(EVERY_DAY, "02:30"))
    got = occurrences(tp, utc(2025, 10, 25, 12), utc(2025, 10, 26, 12))
    assert got == [utc(2025, 10, 26, 0, 30)]


def test_new_york_slots_around_both_changes() -> None:
    tp = touchpoint("America/New_York", Slot(EVERY_DAY, "09:00"))
    spring = occurrences(tp, utc(2025, 3, 8), utc(2025, 3, 11))
    assert spring == [utc(2025, 3, 8, 14), utc(2025, 3, 9, 13), utc(2025, 3, 10, 13)]
    fall = occurrences(tp, utc(2025, 11, 1), utc(2025, 11, 4))
    assert fall == [utc(2025, 11, 1, 13), utc(2025, 11, 2, 14), utc(2025, 11, 3, 14)]


def test_new_york_slot_in_the_gap_and_in_the_repeated_hour() -> None:
    gap = touchpoint("America/New_York", Slot([6], "02:15"))  # Sundays
    assert occurrences(gap, utc(2025, 3, 9), utc(2025, 3, 10)) == [utc(2025, 3, 9, 7, 0)]  # 03:00 EDT
    repeated = touchpoint("America/New_York", Slot([6], "01:30"))
    assert occurrences(repeated, utc(2025, 11, 2), utc(2025, 11, 3)) == [utc(2025, 11, 2, 5, 30)]  # EDT


def test_weekdays_are_local_weekdays() -> None:
    tp = touchpoint("Europe/Berlin", Slot(WEEKDAYS, "09:00"), Slot([5, 6], "11:00"))
    week = occurrences(tp, utc(2025, 11, 24), utc(2025, 12, 1))  # Monday to Monday
    local = [d.astimezone(BERLIN) for d in week]
    assert [(d.weekday(), d.time()) for d in local] == [
        (0, time(9)),
        (1, time(9)),
        (2, time(9)),
        (3, time(9)),
        (4, time(9)),
        (5, time(11)),
        (6, time(11)),
    ]


def test_a_late_local_slot_keeps_its_local_weekday_though_utc_is_the_next_day() -> None:
    tp = touchpoint("America/New_York", Slot([0], "23:30"))  # Monday evenings
    got = occurrences(tp, utc(2025, 11, 24), utc(2025, 12, 1))
    assert got == [utc(2025, 11, 25, 4, 30)]
    assert got[0].weekday() == 1  # Tuesday in UTC ...
    assert got[0].astimezone(NEW_YORK).weekday() == 0  # ... Monday where it counts


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    tp = touchpoint("UTC", Slot(EVERY_DAY, "09:00"))
    assert occurrences(tp, utc(2025, 1, 1, 9), utc(2025, 1, 2, 9)) == [utc(2025, 1, 1, 9)]
    assert occurrences(tp, utc(2025, 1, 1, 9), utc(2025, 1, 1, 9)) == []


def test_the_domain_refuses_ambiguous_slot_times_and_accepts_one_digit_hours() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        Slot([0], "9:5")
    tp = touchpoint("UTC", Slot([0], "9:05"))
    assert occurrences(tp, utc(2025, 11, 24), utc(2025, 11, 25)) == [utc(2025, 11, 24, 9, 5)]


def test_slots_meeting_at_the_jump_count_once() -> None:
    tp = touchpoint("Europe/Berlin", Slot([6], "02:30"), Slot([6], "03:00"))
    assert occurrences(tp, utc(2025, 3, 30), utc(2025, 3, 31)) == [utc(2025, 3, 30, 1, 0)]


def test_occurrences_without_slots_or_with_naive_bounds() -> None:
    assert occurrences(touchpoint("Europe/Berlin"), utc(2025, 1, 1), utc(2025, 2, 1)) == []
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences(touchpoint("UTC", Slot([0], "09:00")), datetime(2025, 1, 1), utc(2025, 2, 1))


# ------------------------------------------------------------------ next free slot


def test_next_free_slot_skips_taken_slots_and_those_too_close() -> None:
    tp = touchpoint(
        "Europe/Berlin",
        Slot(WEEKDAYS, "09:00"),
        Slot(WEEKDAYS, "09:30"),
        Slot(WEEKDAYS, "17:30"),
        min_gap_minutes=60,
    )
    monday = utc(2025, 11, 24, 6)  # 07:00 in Berlin
    taken = [utc(2025, 11, 24, 8, 0)]  # Monday 09:00 Berlin
    # 09:00 is taken and 09:30 is 30 minutes from it: 17:30 is the first free slot.
    assert next_free_slot(tp, monday, taken) == utc(2025, 11, 24, 16, 30)


def test_next_free_slot_without_a_minimum_gap_only_skips_taken_instants() -> None:
    tp = touchpoint("Europe/Berlin", Slot(WEEKDAYS, "09:00"), Slot(WEEKDAYS, "09:30"))
    assert next_free_slot(tp, utc(2025, 11, 24, 6), [utc(2025, 11, 24, 8)]) == utc(2025, 11, 24, 8, 30)


def test_next_free_slot_allows_exactly_the_minimum_gap() -> None:
    tp = touchpoint("Europe/Berlin", Slot(WEEKDAYS, "09:00"), Slot(WEEKDAYS, "10:00"), min_gap_minutes=60)
    assert next_free_slot(tp, utc(2025, 11, 24, 6), [utc(2025, 11, 24, 8)]) == utc(2025, 11, 24, 9)


def test_next_free_slot_is_strictly_after_the_given_time() -> None:
    tp = touchpoint("Europe/Berlin", Slot(EVERY_DAY, "09:00"))
    assert next_free_slot(tp, utc(2025, 11, 24, 8), []) == utc(2025, 11, 25, 8)


def test_next_free_slot_moves_on_to_the_next_week() -> None:
    tp = touchpoint("Europe/Berlin", Slot([0], "09:00"))  # Mondays only
    after = utc(2025, 11, 24, 9)  # Monday 10:00 Berlin, today's slot has passed
    assert next_free_slot(tp, after, []) == utc(2025, 12, 1, 8)


def test_next_free_slot_gives_up_after_the_horizon() -> None:
    tp = touchpoint("Europe/Berlin", Slot(EVERY_DAY, "09:00"))
    after = utc(2025, 11, 24)
    taken = occurrences(tp, after, after + HORIZON)
    assert len(taken) == 56
    assert next_free_slot(tp, after, taken) is None
    assert next_free_slot(touchpoint("Europe/Berlin"), after, []) is None


def test_next_free_slot_finds_the_slot_just_inside_the_horizon() -> None:
    tp = touchpoint("UTC", Slot(EVERY_DAY, "09:00"))
    after = utc(2025, 11, 24, 10)
    slots = occurrences(tp, after, after + HORIZON)
    assert next_free_slot(tp, after, slots[:-1]) == slots[-1]


# ------------------------------------------------------------------ conflicts

NOW = utc(2026, 11, 1, 12)


def post(tp: TouchPoint, when: datetime, title: str = "", **kwargs: object) -> ScheduledPost:
    return ScheduledPost(
        draft_id="d",
        touchpoint_id=tp.id,
        publish_at=when,
        title=title,
        status=kwargs.pop("status", PostStatus.SCHEDULED),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


def test_too_close_message_names_local_times_the_zone_and_the_other_post() -> None:
    tp = touchpoint("Europe/Berlin", min_gap_minutes=60)
    cups = post(tp, berlin(2026, 11, 24, 9, 0), "Cups story")
    new = post(tp, berlin(2026, 11, 24, 9, 10), "Mugs")
    warnings = check_post(new, tp, [cups, new], now=NOW)
    assert warnings == [
        ScheduleWarning(
            WarningKind.TOO_CLOSE,
            "Tue 24 Nov 09:10 Europe/Berlin is 10 minutes after 'Cups story' on X @northwind; "
            "this touch point wants 60 minutes between posts.",
            new.id,
            cups.id,
        )
    ]


def test_too_close_before_and_at_the_same_time_nearest_first() -> None:
    tp = touchpoint("Europe/Berlin", min_gap_minutes=30)
    new = post(tp, berlin(2026, 11, 24, 9, 0), "Mugs")
    later = post(tp, berlin(2026, 11, 24, 9, 20), "Later")
    same = post(tp, berlin(2026, 11, 24, 9, 0))
    warnings = check_post(new, tp, [later, same], now=NOW)
    assert [w.other_post_id for w in warnings] == [same.id, later.id]
    assert "is at the same time as another post on X @northwind" in warnings[0].message
    assert "is 20 minutes before 'Later'" in warnings[1].message


def test_posts_that_will_not_go_out_or_belong_elsewhere_do_not_conflict() -> None:
    tp = touchpoint("Europe/Berlin", min_gap_minutes=60)
    other_tp = touchpoint("Europe/Berlin", name="LinkedIn")
    new = post(tp, berlin(2026, 11, 24, 9, 0))
    others = [
        post(tp, berlin(2026, 11, 24, 9, 5), status=PostStatus.CANCELLED),
        post(tp, berlin(2026, 11, 24, 9, 5), status=PostStatus.FAILED),
        post(other_tp, berlin(2026, 11, 24, 9, 5)),
        post(tp, berlin(2026, 11, 24, 10, 0)),  # exactly the minimum gap
        new,
    ]
    assert check_post(new, tp, others, now=NOW) == []
    # ... while a planned post counts.
    planned = post(tp, berlin(2026, 11, 24, 9, 5), status=PostStatus.PLANNED)
    assert [w.kind for w in check_post(new, tp, [*others, planned], now=NOW)] == [WarningKind.TOO_CLOSE]


def test_no_minimum_gap_means_no_closeness_warning() -> None:
    tp = touchpoint("Europe/Berlin")
    new = post(tp, berlin(2026, 11, 24, 9, 0))
    assert check_post(new, tp, [post(tp, berlin(2026, 11, 24, 9, 0))], now=NOW) == []


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ((23, 30), True),
        ((22, 0), True),
        ((0, 0), True),
        ((5, 59), True),
        ((6, 0), True),
        ((6, 1), False),
        ((12, 0), False),
        ((21, 59), False),
    ],
)
def test_allowed_hours_across_midnight(local: tuple[int, int], allowed: bool) -> None:
    tp = touchpoint("Europe/Berlin", allowed_from="22:00", allowed_until="06:00")
    new = post(tp, berlin(2026, 11, 24, *local))
    kinds = [w.kind for w in check_post(new, tp, [], now=NOW)]
    assert kinds == ([] if allowed else [WarningKind.OUTSIDE_HOURS])


def test_allowed_hours_are_checked_in_local_time_across_dst() -> None:
    tp = touchpoint("Europe/Berlin", allowed_from="22:00", allowed_until="06:00")
    # 04:30 UTC is 05:30 in Berlin in winter (allowed) and 06:30 in summer (not allowed).
    winter = post(tp, utc(2026, 12, 1, 4, 30))
    summer = post(tp, utc(2027, 7, 1, 4, 30))
    assert check_post(winter, tp, [], now=NOW) == []
    warnings = check_post(summer, tp, [], now=NOW)
    assert [w.kind for w in warnings] == [WarningKind.OUTSIDE_HOURS]
    assert warnings[0].message == (
        "Thu 1 Jul 2027 06:30 Europe/Berlin is outside the hours X @northwind posts in "
        "(22:00-06:00 Europe/Berlin); move the post into that window "
        "or change the touch point's allowed hours."
    )


def test_daytime_window_includes_both_ends_and_one_bound_runs_to_midnight() -> None:
    tp = touchpoint("America/New_York", allowed_from="07:00", allowed_until="22:00")
    ny = ZoneInfo("America/New_York")

    def at(h: int, m: int) -> ScheduledPost:
        return post(tp, datetime(2026, 11, 24, h, m, tzinfo=ny).astimezone(UTC))

    assert check_post(at(7, 0), tp, [], now=NOW) == []
    assert check_post(at(22, 0), tp, [], now=NOW) == []
    assert len(check_post(at(22, 1), tp, [], now=NOW)) == 1
    assert len(check_post(at(6, 59), tp, [], now=NOW)) == 1
    from_only = touchpoint("America/New_York", allowed_from="07:00")
    assert check_post(post(from_only, at(23, 59).publish_at), from_only, [], now=NOW) == []
    assert len(check_post(post(from_only, at(6, 0).publish_at), from_only, [], now=NOW)) == 1


def test_a_broken_allowed_hours_setting_is_a_warning_not_a_crash() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        touchpoint("Europe/Berlin", allowed_from="7 am", allowed_until="22:00")
    # A value changed after construction (an older file, a script) still only warns.
    tp = touchpoint("Europe/Berlin", allowed_until="22:00")
    tp.allowed_from = "7 am"
    warnings = check_post(post(tp, berlin(2026, 11, 24, 9, 0)), tp, [], now=NOW)
    assert [w.kind for w in warnings] == [WarningKind.BAD_SETTING]
    assert "'7 am'" in warnings[0].message
    assert "settings" in warnings[0].message


def test_a_post_in_the_past_is_warned_about_unless_it_is_already_out() -> None:
    tp = touchpoint("Europe/Berlin")
    past = post(tp, berlin(2026, 10, 30, 9, 0))
    warnings = check_post(past, tp, [], now=NOW)
    assert [w.kind for w in warnings] == [WarningKind.IN_PAST]
    assert warnings[0].message.startswith("Fri 30 Oct 09:00 Europe/Berlin is in the past")
    assert check_post(post(tp, past.publish_at, status=PostStatus.PUBLISHED), tp, [], now=NOW) == []
    assert check_post(post(tp, past.publish_at, status=PostStatus.CANCELLED), tp, [], now=NOW) == []


def test_warnings_come_in_a_stable_order() -> None:
    tp = touchpoint("Europe/Berlin", allowed_from="08:00", allowed_until="18:00", min_gap_minutes=60)
    old = post(tp, berlin(2026, 10, 30, 7, 0))
    near = post(tp, berlin(2026, 10, 30, 7, 30))
    kinds = [w.kind for w in check_post(old, tp, [near], now=NOW)]
    assert kinds == [WarningKind.IN_PAST, WarningKind.OUTSIDE_HOURS, WarningKind.TOO_CLOSE]


def test_describe_local_adds_the_year_only_when_it_differs() -> None:
    when = berlin(2027, 1, 4, 9, 5)
    assert describe_local(when, "Europe/Berlin", now=NOW) == "Mon 4 Jan 2027 09:05 Europe/Berlin"
    assert describe_local(when, "Europe/Berlin", now=when) == "Mon 4 Jan 09:05 Europe/Berlin"
