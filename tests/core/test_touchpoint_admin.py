"""Setting up touch points: validated, audited, admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from curator.domain import ConnectorKind, PostStatus, Role, ScheduledPost, TouchPointKind, User
from curator.errors import InvalidTransition, PermissionDenied
from curator.touchpoint_admin import TouchPointAdmin, describe_slots, parse_slots
from curator.workspace import Workspace


def test_slots_are_written_as_people_say_them() -> None:
    slots = parse_slots("mon-fri 09:00,17:30; sat,sun 10:00; fri-mon 7:05")
    assert [(s.weekdays, s.time) for s in slots] == [
        ([0, 1, 2, 3, 4], "09:00"),
        ([0, 1, 2, 3, 4], "17:30"),
        ([5, 6], "10:00"),
        ([0, 4, 5, 6], "7:05"),
    ]
    assert describe_slots(slots[2:3]) == "sat,sun 10:00"
    for bad, message in [
        ("weekdays 09:00", "does not start with days"),
        ("mon", "names no time"),
        ("mon 9am", "HH:MM"),
    ]:
        with pytest.raises(InvalidTransition, match=message):
            parse_slots(bad)


def test_admins_set_up_touch_points_and_waiting_posts_block_removal(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        admin, tom = User("Ada", roles=[Role.ADMIN]), User("Tom", roles=[Role.SCHEDULER])
        service = TouchPointAdmin(ws)
        with pytest.raises(PermissionDenied, match="admin role"):
            service.add(tom, "X", TouchPointKind.X)
        tp = service.add(admin, "X", TouchPointKind.X, "Europe/Berlin", slots="mon-fri 09:00")
        with pytest.raises(InvalidTransition, match="already called"):
            service.add(admin, " x ", TouchPointKind.X)
        with pytest.raises(InvalidTransition, match="Unknown time zone"):
            service.add(admin, "Mars", TouchPointKind.SMS, "Mars/Base")
        tp = service.update(
            admin,
            tp.id,
            connector={"kind": "outbox", "options": {"folder": "outbox/x"}},
            allowed_from="07:00",
        )
        assert tp.connector.kind is ConnectorKind.OUTBOX and ws.touchpoints.get(tp.id) == tp
        with pytest.raises(InvalidTransition, match="HH:MM"):
            service.update(admin, tp.id, allowed_until="late")
        with pytest.raises(InvalidTransition, match="no setting colour"):
            service.update(admin, tp.id, colour="red")
        ws.posts.save(
            ScheduledPost(
                "d1", tp.id, datetime(2030, 1, 1, tzinfo=UTC), title="Later", status=PostStatus.SCHEDULED
            )
        )
        with pytest.raises(InvalidTransition, match="1 post"):
            service.remove(admin, tp.id)
        assert [e.action for e in service.audit.entries(tp.id)] == ["touchpoint:add", "touchpoint:update"]
        assert service.audit.verify() == []
