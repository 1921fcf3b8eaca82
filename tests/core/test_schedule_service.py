"""The schedule service: only approved versions go on the calendar, and edits take them off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from curator.domain import DraftStatus, PostStatus, Role, Slot, TouchPoint, TouchPointKind, User
from curator.editorial.brand import BrandGuide
from curator.errors import InvalidTransition, PermissionDenied
from curator.schedule.csv_io import preview_schedule_csv
from curator.schedule.service import CalendarConfig, ScheduleService
from curator.workspace import Workspace

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        people = {
            "ed": User("Ed", roles=[Role.EDITOR]),
            "ann": User("Ann", roles=[Role.APPROVER]),
            "sam": User("Sam", roles=[Role.SCHEDULER]),
            "boss": User("Boss", roles=[Role.ADMIN]),
        }
        ws.users.save_many(people.values())
        ws.touchpoints.save(
            TouchPoint(
                "X",
                TouchPointKind.X,
                "Europe/Berlin",
                slots=[Slot([0, 1, 2, 3, 4], "09:00")],
                min_gap_minutes=60,
                id="tp-x",
            )
        )
        ws.config.put("brand", BrandGuide(spelling=False, min_reading_ease=None))
        service = ScheduleService(ws, clock=lambda: NOW)
        draft = service.editorial.create(
            people["ed"], "Hello", "Our winter menu is here.", touchpoint_ids=["tp-x"]
        )
        service.editorial.submit(people["ed"], draft.id)
        service.editorial.approve(people["ann"], draft.id)
        yield ws, service, people, draft.id


def test_scheduling_takes_the_next_slot_and_moving_bumps_the_sequence(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, service, people, draft_id = setup
    with pytest.raises(PermissionDenied):
        service.schedule(people["ed"], draft_id, "tp-x")
    ws.config.put("calendar", CalendarConfig(live_ics_path=str(tmp_path / "live.ics")))
    done = service.schedule(people["sam"], draft_id, "tp-x")
    # Monday 09:00 Berlin is 08:00 UTC: "after now" means strictly later, so Tuesday.
    assert done.post.publish_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert done.post.version_hash == service.editorial.get(draft_id).content_hash
    assert service.editorial.get(draft_id).status is DraftStatus.SCHEDULED
    moved = service.move(people["sam"], done.post.id, datetime(2026, 11, 24, 23, 0, tzinfo=UTC))
    assert moved.post.sequence == 1
    live = icalendar.Calendar.from_ical((tmp_path / "live.ics").read_bytes())
    event = next(iter(live.walk("VEVENT")))
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CONFIRMED"
    # Scheduling the same variant again moves it rather than adding a second post.
    again = service.schedule(people["sam"], draft_id, "tp-x", datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    assert again.post.id == done.post.id and len(service.posts()) == 1


def test_an_edit_unschedules_and_only_approved_content_is_scheduled(setup) -> None:  # type: ignore[no-untyped-def]
    ws, service, people, draft_id = setup
    post = service.schedule(people["sam"], draft_id, "tp-x").post
    service.editorial.save(people["ed"], draft_id, body="Our winter menu is here, with soup.")
    assert ws.posts.get(post.id).status is PostStatus.CANCELLED  # type: ignore[union-attr]
    assert service.editorial.get(draft_id).status is DraftStatus.IN_REVIEW
    with pytest.raises(InvalidTransition, match="only approved content"):
        service.schedule(people["sam"], draft_id, "tp-x")


def test_published_posts_publish_the_draft_and_unscheduling_returns_it(setup) -> None:  # type: ignore[no-untyped-def]
    ws, service, people, draft_id = setup
    post = service.schedule(people["sam"], draft_id, "tp-x").post
    service.unschedule(people["sam"], post.id)
    assert service.editorial.get(draft_id).status is DraftStatus.APPROVED
    post = service.schedule(people["sam"], draft_id, "tp-x", NOW + timedelta(days=2)).post
    post.status = PostStatus.PUBLISHED
    ws.posts.save(post)
    service.mark_published(post)
    assert service.editorial.get(draft_id).status is DraftStatus.PUBLISHED
    assert service.editorial.audit.entries(draft_id)[-1].user_id == "system:publisher"
    assert service.editorial.audit.verify() == []


def test_an_imported_schedule_is_tentative_until_approved_and_confirmed(setup) -> None:  # type: ignore[no-untyped-def]
    ws, service, people, _draft_id = setup
    preview = preview_schedule_csv(
        b"date,time,touch point,text\n2026-12-01,09:00,X,Advent calendar day one\n",
        ws.touchpoints.list(),
        now=NOW,
    )
    with pytest.raises(PermissionDenied):
        service.import_rows(people["sam"], preview)  # drafts need an editor too
    (planned,) = service.import_rows(people["boss"], preview)
    assert planned.status is PostStatus.PLANNED and planned.publish_at == datetime(2026, 12, 1, 8, tzinfo=UTC)
    ics = icalendar.Calendar.from_ical(service.ics())
    assert {str(e["STATUS"]) for e in ics.walk("VEVENT")} == {"TENTATIVE"}
    with pytest.raises(InvalidTransition, match="not approved yet"):
        service.confirm(people["sam"], planned.id)
    service.editorial.submit(people["boss"], planned.draft_id)
    service.editorial.approve(people["ann"], planned.draft_id)
    confirmed = service.confirm(people["sam"], planned.id).post
    assert confirmed.status is PostStatus.SCHEDULED and confirmed.version_hash
    bad = preview_schedule_csv(
        b"date,time,touch point,text\n2026-12-01,9am,X,Oops\n", ws.touchpoints.list(), now=NOW
    )
    with pytest.raises(InvalidTransition, match="nothing was imported"):
        service.import_rows(people["boss"], bad)
