"""Setting up touch points: their kind, zone, limits, slots and connector (admins only).

Every change builds a new :class:`~curator.domain.TouchPoint` through its
constructor, so the same validation applies as when the workspace is read,
and each change is one audited transaction. A touch point with posts still
to go out cannot be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from curator.domain import (
    Connector,
    ConnectorKind,
    LinkPolicy,
    PostStatus,
    Role,
    Slot,
    TouchPoint,
    TouchPointKind,
    User,
    utcnow,
)
from curator.editorial.audit import AuditLog
from curator.errors import InvalidTransition, NotFound
from curator.identity import require
from curator.workspace import Workspace

WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def parse_slots(text: str) -> list[Slot]:
    """Slots written as people say them: ``mon-fri 09:00,17:30; sat 10:00``.

    Raises:
        InvalidTransition: a part that is not ``DAYS TIMES``, with the part named.
    """
    slots: list[Slot] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days_text, _, times_text = part.partition(" ")
        days: list[int] = []
        for chunk in days_text.lower().split(","):
            first, _, last = chunk.partition("-")
            if first not in WEEKDAY_NAMES or (last and last not in WEEKDAY_NAMES):
                raise InvalidTransition(
                    f"“{part}” does not start with days such as mon-fri or sat,sun "
                    f"(days: {', '.join(WEEKDAY_NAMES)})."
                )
            a = WEEKDAY_NAMES.index(first)
            b = WEEKDAY_NAMES.index(last) if last else a
            days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        times = [t.strip() for t in times_text.split(",") if t.strip()]
        if not times:
            raise InvalidTransition(f"“{part}” names no time; write it like “mon-fri 09:00,17:30”.")
        for time_text in times:
            try:
                slots.append(Slot(sorted(set(days)), time_text))
            except ValueError as exc:
                raise InvalidTransition(str(exc)) from None
    return slots


def describe_slots(slots: list[Slot]) -> str:
    """The inverse of :func:`parse_slots`, for display."""
    return "; ".join(f"{','.join(WEEKDAY_NAMES[d] for d in s.weekdays)} {s.time}" for s in slots)


class TouchPointAdmin:
    """Add, change and remove touch points, with the audit log."""

    def __init__(self, ws: Workspace, clock: Callable[[], datetime] = utcnow) -> None:
        self.ws = ws
        self.audit = AuditLog(ws.audit, ws.config, clock)

    def get(self, ref: str) -> TouchPoint:
        tp = self.ws.touchpoints.get(ref)
        if tp is None:
            raise NotFound(f"No touch point with id {ref}.")
        return tp

    def add(
        self, who: User, name: str, kind: TouchPointKind, timezone: str = "UTC", **fields: Any
    ) -> TouchPoint:
        require(who, Role.ADMIN, "add touch points")
        if any(tp.name.casefold() == name.strip().casefold() for tp in self.ws.touchpoints.list()):
            raise InvalidTransition(f"A touch point is already called “{name.strip()}”; choose another name.")
        try:
            tp = self._build(TouchPoint(name.strip(), kind, timezone), fields)
        except ValueError as exc:
            raise InvalidTransition(str(exc)) from None
        with self.ws.transaction():
            self.ws.touchpoints.save(tp)
            self.audit.append(user_id=who.id, action="touchpoint:add", subject_id=tp.id, reason=tp.name)
        return tp

    def update(self, who: User, tp_id: str, **fields: Any) -> TouchPoint:
        """Change fields (name, timezone, max_length, slots, connector...); the others stay."""
        require(who, Role.ADMIN, "change touch points")
        with self.ws.transaction():
            tp = self._build(self.get(tp_id), fields)
            self.ws.touchpoints.save(tp)
            self.audit.append(
                user_id=who.id, action="touchpoint:update", subject_id=tp.id, reason=", ".join(sorted(fields))
            )
            return tp

    def remove(self, who: User, tp_id: str) -> None:
        require(who, Role.ADMIN, "remove touch points")
        with self.ws.transaction():
            tp = self.get(tp_id)
            waiting = [
                p
                for p in self.ws.posts.list()
                if p.touchpoint_id == tp_id
                and p.status
                in (PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.FAILED)
            ]
            if waiting:
                raise InvalidTransition(
                    f"{len(waiting)} post(s) still wait to go out on “{tp.name}”; "
                    "take them off the calendar first."
                )
            self.ws.touchpoints.remove(tp_id)
            self.audit.append(user_id=who.id, action="touchpoint:remove", subject_id=tp_id, reason=tp.name)

    @staticmethod
    def _build(tp: TouchPoint, fields: dict[str, Any]) -> TouchPoint:
        """A touch point with ``fields`` changed, validated by the constructor."""
        allowed = set(asdict(tp)) - {"id"}
        unknown = set(fields) - allowed
        if unknown:
            raise InvalidTransition(f"Touch points have no setting {', '.join(sorted(unknown))}.")
        if "kind" in fields:
            fields["kind"] = TouchPointKind(fields["kind"])
        if fields.get("link_policy") is not None:
            fields["link_policy"] = LinkPolicy(fields["link_policy"])
        if isinstance(fields.get("slots"), str):
            fields["slots"] = parse_slots(fields["slots"])
        connector = fields.get("connector")
        if isinstance(connector, dict):
            fields["connector"] = Connector(
                ConnectorKind(connector.get("kind", "none")), dict(connector.get("options", {}))
            )
        try:
            return replace(tp, **fields)
        except ValueError as exc:
            raise InvalidTransition(str(exc)) from None
