"""The posting calendar as iCalendar: parsed back with icalendar, property by property."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar, Event

from curator.domain import Draft, PostStatus, ScheduledPost, TouchPoint, TouchPointKind
from curator.errors import CuratorError
from curator.schedule.ics import PRODID, IcsWriteError, calendar_ics, event_uid, write_live_ics

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def tp() -> TouchPoint:
    return TouchPoint(name="X @northwind", kind=TouchPointKind.X, timezone="Europe/Berlin")


@pytest.fixture
def draft() -> Draft:
    return Draft(title="Cups story")


def make_post(tp: TouchPoint, draft: Draft, **kwargs: object) -> ScheduledPost:
    values: dict[str, object] = {
        "draft_id": draft.id,
        "touchpoint_id": tp.id,
        "publish_at": datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        "title": "Post title",
        "text": "New cups, same coffee; now in blue, green\nand red.",
        "status": PostStatus.SCHEDULED,
    }
    values.update(kwargs)
    return ScheduledPost(**values)  # type: ignore[arg-type]


def events(data: bytes) -> dict[str, Event]:
    cal = Calendar.from_ical(data)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_every_property_parses_back(tp: TouchPoint, draft: Draft) -> None:
    post = make_post(tp, draft, sequence=3)
    data = calendar_ics([post], {tp.id: tp}, {draft.id: draft}, name="Northwind posts", now=NOW)
    cal = Calendar.from_ical(data)
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]) == PRODID
    assert str(cal["x-wr-calname"]) == "Northwind posts"
    assert str(cal["name"]) == "Northwind posts"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == f"{post.id}@curator" == event_uid(post)
    assert event.decoded("dtstamp") == NOW
    start = event.decoded("dtstart")
    assert start == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)
    assert event.decoded("duration") == timedelta(minutes=15)
    assert str(event["summary"]) == "[X @northwind] Cups story"
    assert str(event["description"]) == "New cups, same coffee; now in blue, green\nand red."
    assert [str(c) for c in event["categories"].cats] == ["X @northwind"]
    assert int(event["sequence"]) == 3
    assert str(event["status"]) == "CONFIRMED"


def test_dtstart_is_written_in_utc_without_timezone_components(tp: TouchPoint, draft: Draft) -> None:
    data = calendar_ics([make_post(tp, draft)], {tp.id: tp}, {draft.id: draft}, now=NOW)
    assert b"DTSTART:20261124T080000Z\r\n" in data
    assert b"VTIMEZONE" not in data


def test_planned_posts_are_tentative_and_others_confirmed(tp: TouchPoint, draft: Draft) -> None:
    posts = {
        status: make_post(tp, draft, status=status)
        for status in (PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.PUBLISHED, PostStatus.FAILED)
    }
    got = events(calendar_ics(list(posts.values()), {tp.id: tp}, {draft.id: draft}, now=NOW))
    assert {status: str(got[event_uid(p)]["status"]) for status, p in posts.items()} == {
        PostStatus.PLANNED: "TENTATIVE",
        PostStatus.SCHEDULED: "CONFIRMED",
        PostStatus.PUBLISHED: "CONFIRMED",
        PostStatus.FAILED: "CONFIRMED",
    }


def test_cancelled_posts_are_left_out(tp: TouchPoint, draft: Draft) -> None:
    kept = make_post(tp, draft)
    cancelled = make_post(tp, draft, status=PostStatus.CANCELLED)
    got = events(calendar_ics([kept, cancelled], {tp.id: tp}, {draft.id: draft}, now=NOW))
    assert list(got) == [event_uid(kept)]


def test_rescheduling_keeps_the_uid_and_bumps_the_sequence(tp: TouchPoint, draft: Draft) -> None:
    post = make_post(tp, draft)
    before = events(calendar_ics([post], {tp.id: tp}, {draft.id: draft}, now=NOW))[event_uid(post)]
    moved = dataclasses.replace(
        post, publish_at=datetime(2026, 11, 25, 16, 30, tzinfo=UTC), sequence=post.sequence + 1
    )
    after = events(calendar_ics([moved], {tp.id: tp}, {draft.id: draft}, now=NOW))
    assert list(after) == [str(before["uid"])]
    event = after[str(before["uid"])]
    assert int(event["sequence"]) == int(before["sequence"]) + 1 == 1
    assert event.decoded("dtstart") == datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    assert before.decoded("dtstart") == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_fallbacks_for_a_missing_draft_or_touch_point(tp: TouchPoint, draft: Draft) -> None:
    orphan = make_post(tp, draft, touchpoint_id="gone", title="Own title")
    untitled = make_post(tp, draft, title="")
    got = events(calendar_ics([orphan, untitled], {tp.id: tp}, {}, now=NOW))
    assert str(got[event_uid(orphan)]["summary"]) == "[gone] Own title"
    assert [str(c) for c in got[event_uid(orphan)]["categories"].cats] == ["gone"]
    assert str(got[event_uid(untitled)]["summary"]) == "[X @northwind] Untitled post"


def test_output_is_deterministic_and_ordered_by_time(tp: TouchPoint, draft: Draft) -> None:
    late = make_post(tp, draft, publish_at=datetime(2026, 11, 26, 8, tzinfo=UTC))
    early = make_post(tp, draft, publish_at=datetime(2026, 11, 25, 8, tzinfo=UTC))
    one = calendar_ics([late, early], {tp.id: tp}, {draft.id: draft}, now=NOW)
    two = calendar_ics([early, late], {tp.id: tp}, {draft.id: draft}, now=NOW)
    assert one == two
    uids = [str(e["uid"]) for e in Calendar.from_ical(one).walk("VEVENT")]
    assert uids == [event_uid(early), event_uid(late)]


def test_long_texts_are_folded_into_short_crlf_lines(tp: TouchPoint, draft: Draft) -> None:
    text = "Ünïcödé " * 40
    data = calendar_ics([make_post(tp, draft, text=text)], {tp.id: tp}, {draft.id: draft}, now=NOW)
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in data.replace(b"\r\n", b"")
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["description"]) == text


def test_an_empty_calendar_still_has_its_header() -> None:
    cal = Calendar.from_ical(calendar_ics([], {}, {}, now=NOW))
    assert str(cal["version"]) == "2.0"
    assert cal.walk("VEVENT") == []


def test_write_live_ics_replaces_the_file_whole(tmp_path: Path, tp: TouchPoint, draft: Draft) -> None:
    target = tmp_path / "curator.ics"
    first = calendar_ics([make_post(tp, draft)], {tp.id: tp}, {draft.id: draft}, now=NOW)
    second = calendar_ics([], {}, {}, now=NOW)
    write_live_ics(target, first)
    assert target.read_bytes() == first
    write_live_ics(target, second)
    assert target.read_bytes() == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curator.ics"]


def test_write_live_ics_to_a_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "curator.ics"
    with pytest.raises(IcsWriteError) as info:
        write_live_ics(target, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert isinstance(info.value, CuratorError)
    assert str(target) in str(info.value)
    assert "Choose a folder" in str(info.value)
    assert not target.exists()
