"""The demo workspace: what a newcomer sees on first start, offline.

Its content is written by the team in ``resources/demo/demo.json`` (see the
README there). Times are stored relative to now, so the demo always looks
current; ids derive from keys and URLs, so two creations give the same ids.

The response desk gets a past too: the loader runs the desk's triage once,
each message stamped as it arrived (spaCy: two to three seconds, the one slow
step of the demo's creation), then replays the team's replies, resolutions and
wall shares through :class:`~curator.triage.service.DeskService` at their own
past times, so the metrics, the council report and the wall have something
true to measure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from curator.assets import read_asset
from curator.domain import (
    Approval,
    Channel,
    Connector,
    ConnectorKind,
    Draft,
    DraftStatus,
    DraftVersion,
    Item,
    PostStatus,
    Role,
    ScheduledPost,
    Slot,
    Source,
    SourceKind,
    TouchPoint,
    TouchPointKind,
    User,
    Variant,
    utcnow,
)
from curator.editorial.brand import BannedTerm, BrandGuide
from curator.identity import TeamConfig, os_login
from curator.settings import Settings
from curator.workspace import Workspace

if TYPE_CHECKING:
    from curator.triage.service import DeskService


def _id(kind: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"curator-demo:{kind}:{key}").hex


def load_demo(ws: Workspace) -> None:
    """Fill an empty workspace with the demo content, in one commit."""
    data: dict[str, Any] = orjson.loads(read_asset("demo", "demo.json"))
    now = utcnow()
    users = {
        u["key"]: User(
            name=u["name"],
            email=u["email"],
            roles=[Role(r) for r in u["roles"]],
            skills=list(u.get("skills", [])),
            id=_id("user", u["key"]),
        )
        for u in data["users"]
    }
    touchpoints = {
        t["key"]: TouchPoint(
            name=t["name"],
            kind=TouchPointKind(t["kind"]),
            timezone=t["timezone"],
            max_length=t.get("max_length"),
            hashtag_limit=t.get("hashtag_limit"),
            slots=[Slot(list(slot["weekdays"]), slot["time"]) for slot in t.get("slots", [])],
            min_gap_minutes=int(t.get("min_gap_minutes", 0)),
            allowed_from=t.get("allowed_from", ""),
            allowed_until=t.get("allowed_until", ""),
            connector=Connector(
                ConnectorKind(t.get("connector", {}).get("kind", "none")),
                dict(t.get("connector", {}).get("options", {})),
            ),
            id=_id("touchpoint", t["key"]),
        )
        for t in data["touchpoints"]
    }
    sources = {
        s["key"]: Source(
            title=s["title"],
            url=s["url"],
            kind=SourceKind(s["kind"]),
            channel=Channel(s["channel"]),
            category=s.get("category", ""),
            site_url=s.get("site_url", ""),
            fetch_interval_minutes=int(s.get("fetch_interval_minutes", 60)),
            created_at=now - timedelta(days=30),
            # Demo addresses are examples: never fetched (that would reach the
            # internet), so the sources are paused with a note saying why.
            enabled=False,
            last_warning="Demo source: its address is an example, so Curator does not fetch it.",
            id=_id("source", s["key"]),
        )
        for s in data["sources"]
    }
    items = []
    for raw in data["items"]:
        said = now - timedelta(hours=float(raw["hours_ago"]))
        items.append(
            Item(
                source_id=sources[raw["source"]].id,
                title=raw.get("title", ""),
                text=raw["text"],
                url=raw["url"],
                author=raw.get("author", ""),
                author_reach=raw.get("author_reach"),
                channel=Channel(raw["channel"]),
                published_at=said,
                fetched_at=min(now, said + timedelta(minutes=7)),
                guid=raw["url"],
                id=_id("item", raw["url"]),
            )
        )
    for item in items:
        source = next(s for s in sources.values() if s.id == item.source_id)
        source.item_count += 1
        source.last_fetch_at = max(source.last_fetch_at or item.fetched_at, item.fetched_at)
    me = User(
        name=Settings().get("user.name") or os_login(),
        login=os_login(),
        roles=[Role.ADMIN, Role.EDITOR, Role.SCHEDULER],
        id=_id("user", "you"),
    )
    for tp in touchpoints.values():
        folder = tp.connector.options.get("folder", "")
        if folder and not Path(folder).is_absolute():
            (ws.path / folder).mkdir(parents=True, exist_ok=True)
    with ws.transaction():
        ws.users.save_many([*users.values(), me])
        ws.touchpoints.save_many(touchpoints.values())
        ws.sources.save_many(sources.values())
        ws.items.save_many(items)
        # The demo lets you act as each member, to see the line from every seat.
        ws.config.put("team", TeamConfig(allow_user_switch=True))
        ws.config.put("brand", _brand_guide(data.get("brand", {})))
        _load_drafts(ws, data, users, touchpoints, now)
        _load_desk(ws, data.get("desk_history", []), users, {i.guid: i for i in items}, now)


def _brand_guide(raw: dict[str, Any]) -> BrandGuide:
    return BrandGuide(
        banned_terms=[BannedTerm(**b) for b in raw.get("banned_terms", [])],
        preferred_spellings=dict(raw.get("preferred_spellings", {})),
        dictionary=list(raw.get("dictionary", [])),
    )


def _load_drafts(
    ws: Workspace,
    data: dict[str, Any],
    users: dict[str, User],
    touchpoints: dict[str, TouchPoint],
    now: datetime,
) -> None:
    """Drafts with a real history: a version, the workflow steps in the audit log, approvals, posts.

    Each draft's story is replayed at times relative to now (``hours_ago``),
    written directly rather than through the service so the demo can hold
    states (published, scheduled) whose steps need other people's roles.
    """
    from curator.editorial.audit import AuditLog
    from curator.editorial.touchpoints import effective_rules
    from curator.editorial.variants import derive_variant
    from curator.editorial.versions import content_hash
    from curator.schedule.slots import next_free_slot

    approver = users["henrike"]
    scheduler = users["tom"]
    for n, raw in enumerate(data.get("drafts", [])):
        clock = _Clock(now - timedelta(hours=float(raw.get("hours_ago", 26 + n))))
        log = AuditLog(ws.audit, ws.config, clock)
        author = users[raw["author"]]
        status = DraftStatus(raw["status"])
        tps = [touchpoints[k] for k in raw.get("touchpoints", [])]
        draft = Draft(
            title=raw["title"],
            body=raw["body"],
            author_id=author.id,
            assignee_id=author.id,
            touchpoint_ids=[tp.id for tp in tps],
            tags=list(raw.get("tags", [])),
            images=list(raw.get("images", [])),
            created_at=clock(),
            variants={
                tp.id: Variant(derive_variant(raw["title"], raw["body"], effective_rules(tp))) for tp in tps
            },
            id=_id("draft", raw["title"]),
        )
        draft.content_hash = content_hash(
            draft.title, draft.body, draft.variants, draft.touchpoint_ids, False
        )
        draft.version = 1
        ws.draft_versions.save(
            DraftVersion(
                draft.id,
                1,
                draft.title,
                draft.body,
                dict(draft.variants),
                draft.content_hash,
                author.id,
                clock(),
            )
        )
        log.append(
            user_id=author.id,
            action="create",
            subject_id=draft.id,
            version_hash=draft.content_hash,
            to_status="draft",
        )
        steps: list[tuple[User, str, DraftStatus, str]] = {
            DraftStatus.DRAFT: [],
            DraftStatus.IN_REVIEW: [(author, "submit", DraftStatus.IN_REVIEW, "")],
            DraftStatus.CHANGES_REQUESTED: [
                (author, "submit", DraftStatus.IN_REVIEW, ""),
                (approver, "request_changes", DraftStatus.CHANGES_REQUESTED, raw.get("review_note", "")),
            ],
        }.get(
            status,
            [
                (author, "submit", DraftStatus.IN_REVIEW, ""),
                (approver, "approve:Chief content officer", DraftStatus.APPROVED, ""),
            ],
        )
        previous = DraftStatus.DRAFT
        for who, action, target, reason in steps:
            if target is DraftStatus.APPROVED:
                draft.approvals.append(Approval("Chief content officer", who.id, draft.content_hash, clock()))
            log.append(
                user_id=who.id,
                action=action,
                subject_id=draft.id,
                version_hash=draft.content_hash,
                from_status=previous.value,
                to_status=target.value,
                reason=reason,
            )
            previous = target
        posts: list[ScheduledPost] = []
        for plan in raw.get("posts", []):
            tp = touchpoints[plan["touchpoint"]]
            at = now + timedelta(hours=float(plan["hours_from_now"]))
            published = at <= now
            if not published:  # future posts sit in the touch point's own slots
                at = next_free_slot(tp, at, [p.publish_at for p in posts]) or at
            posts.append(
                ScheduledPost(
                    draft_id=draft.id,
                    touchpoint_id=tp.id,
                    publish_at=at,
                    title=draft.title,
                    text=draft.variants[tp.id].text,
                    version_hash=draft.content_hash,
                    status=PostStatus.PUBLISHED if published else PostStatus.SCHEDULED,
                    published_at=at if published else None,
                    external_ref="demo: not sent anywhere" if published else "",
                    id=_id("post", f"{raw['title']}:{plan['touchpoint']}"),
                )
            )
        if posts:
            log.append(
                user_id=scheduler.id,
                action="schedule",
                subject_id=draft.id,
                version_hash=draft.content_hash,
                from_status="approved",
                to_status="scheduled",
            )
        if status is DraftStatus.PUBLISHED:
            log.append(
                user_id="system:publisher",
                action="publish",
                subject_id=draft.id,
                version_hash=draft.content_hash,
                from_status="scheduled",
                to_status="published",
            )
        draft.status = status
        draft.updated_at = clock()
        ws.posts.save_many(posts)
        ws.drafts.save(draft)


def _load_desk(
    ws: Workspace,
    history: list[dict[str, Any]],
    users: dict[str, User],
    items: dict[str, Item],
    now: datetime,
) -> None:
    """Triage the customer messages, then replay the desk's history at its own past times.

    The triage stamps each message's routing at the time it arrived (``as_received``).
    Each entry of ``desk_history`` is one reply to one customer message (named
    by its URL): the agent takes the conversation unless it is theirs already,
    writes the reply a few minutes before sending it, marks it sent
    ``reply_minutes`` after the message, and may resolve the conversation and
    share it to the wall later. The steps of all entries run in time order
    through the desk service's public methods, its clock set to each step's
    time, so conversations, replies, timers and desk events are the ones real
    use would leave.

    Raises:
        ValueError: The history contradicts the items: an unknown or non-customer
            message, another author, a step after the demo's creation, a
            resolution before the customer's last message, or a conversation
            left waiting although a later message needs an answer.
    """
    from curator.triage.service import DeskService

    clock = _SetClock(now)
    desk = DeskService(ws, clock=clock)
    desk.triage_new(as_received=True)  # routed as each message arrived, before anyone answered it
    replies = [_DeskReply(desk, raw, items, users) for raw in history]
    steps = sorted(
        ((when, n, action) for n, reply in enumerate(replies) for when, action in reply.steps()),
        key=lambda step: (step[0], step[1]),
    )
    for when, _, action in steps:
        if when > now:
            raise ValueError(f"desk_history: a step falls {when - now} after the demo was created.")
        clock.now = when
        action()
    clock.now = now
    for reply in replies:
        reply.check_answered()


class _DeskReply:
    """One ``desk_history`` entry: its steps, each at its own time, through the desk service."""

    def __init__(
        self, desk: DeskService, raw: dict[str, Any], items: dict[str, Item], users: dict[str, User]
    ) -> None:
        item = items.get(raw["item"])
        if item is None:
            raise ValueError(f"desk_history: no demo item has the URL {raw['item']}.")
        if raw.get("customer", item.author) != item.author:
            raise ValueError(f"desk_history: {item.url} was written by {item.author}, not {raw['customer']}.")
        self.desk, self.raw, self.item, self.agent = desk, raw, item, users[raw["agent"]]
        minutes = float(raw["reply_minutes"])
        if minutes <= 0:
            raise ValueError(f"desk_history: the reply to {item.url} must be sent after the message.")
        self.sent = item.when + timedelta(minutes=minutes)
        # Written a few minutes before it went out, and taken a minute before that, but
        # only once Curator had the message (triaged as it arrived, at its fetch time).
        self.written = max(
            self.sent - timedelta(minutes=min(4.0, minutes / 3)), item.fetched_at + timedelta(minutes=2)
        )
        if self.written > self.sent:
            raise ValueError(
                f"desk_history: the reply to {item.url} is sent before Curator fetched the message."
            )
        self.resolved = (
            item.when + timedelta(minutes=float(raw["resolve_minutes"])) if "resolve_minutes" in raw else None
        )
        if self.resolved is not None and self.resolved <= self.sent:
            raise ValueError(f"desk_history: {item.url} is resolved before its reply was sent.")
        if raw.get("wall") and self.resolved is None:
            raise ValueError(f"desk_history: {item.url} goes to the wall but is never resolved.")
        self.reply_id = ""

    def steps(self) -> list[tuple[datetime, Callable[[], None]]]:
        out: list[tuple[datetime, Callable[[], None]]] = [
            (self.written - timedelta(minutes=1), self._take),
            (self.written, self._write),
            (self.sent, self._send),
        ]
        if self.resolved is not None:
            out.append((self.resolved, self._resolve))
            if self.raw.get("wall"):
                out.append((self.resolved + timedelta(minutes=20), self._share))
        return out

    @property
    def conversation_id(self) -> str:
        """The live conversation holding the message (the desk may have linked it into another)."""
        record = self.desk.record(self.item.id)
        if record is None:
            raise ValueError(f"desk_history: {self.item.url} is not a customer message the desk triaged.")
        conv = self.desk.tables.conversations.get(record.conversation_id)
        while conv is not None and conv.merged_into:
            conv = self.desk.tables.conversations.get(conv.merged_into)
        if conv is None:
            raise ValueError(f"desk_history: {self.item.url} has no conversation.")
        return conv.id

    def _take(self) -> None:
        conv_id = self.conversation_id
        conv = self.desk.tables.conversations.get(conv_id)
        group = self.raw.get("expert_group")
        if conv is not None and (conv.assignee_id != self.agent.id or (group and conv.expert_group != group)):
            self.desk.assign(conv_id, self.agent, self.agent.id, expert_group=group)
        if self.raw.get("note"):
            self.desk.add_note(conv_id, self.agent, str(self.raw["note"]))

    def _write(self) -> None:
        channel = self.raw.get("channel")
        self.reply_id = self.desk.start_reply(
            self.conversation_id,
            self.agent,
            text=str(self.raw.get("text", "")),
            template_id=self.raw.get("template"),
            values=self.raw.get("values"),
            channel=Channel(channel) if channel else None,
            reason=str(self.raw.get("reason", "")),
            private=bool(self.raw.get("private", False)),
        ).id

    def _send(self) -> None:
        self.desk.mark_sent(self.reply_id, self.agent, sent_at=self.sent)

    def _resolve(self) -> None:
        from curator.triage.model import ConversationStatus

        conv_id = self.conversation_id
        conv = self.desk.tables.conversations.get(conv_id)
        last = conv.last_customer_at if conv is not None else None
        if last is not None and self.resolved is not None and last > self.resolved:
            raise ValueError(f"desk_history: {self.item.url} is resolved before the customer's last message.")
        self.desk.set_status(conv_id, self.agent, ConversationStatus.RESOLVED)

    def _share(self) -> None:
        self.desk.share_to_wall(self.conversation_id, self.agent, str(self.raw["wall"]))

    def check_answered(self) -> None:
        """A conversation left waiting must have no later message that needs an answer."""
        from curator.triage.model import ConversationStatus, TriageGroup

        conv = self.desk.tables.conversations.get(self.conversation_id)
        if conv is None or conv.status is not ConversationStatus.WAITING or conv.last_response_at is None:
            return
        for item_id in conv.item_ids:
            rec = self.desk.record(item_id)
            if rec is None or rec.hide or rec.effective_group is TriageGroup.NONE:
                continue
            if rec.received_at > conv.last_response_at:
                raise ValueError(
                    f"desk_history: {conv.customer} wrote again after the last reply; answer that too."
                )


class _SetClock:
    """The desk service's clock during the replay: whatever time the replay set."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _Clock:
    """Times for a replayed story: a few minutes apart, starting at ``start``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=37)
        return self.now


def demo_name() -> str:
    return str(orjson.loads(read_asset("demo", "demo.json"))["name"])


def ensure_demo_workspace(path: Path) -> Path:
    """Create the demo workspace at ``path`` unless one is there already."""
    with Workspace.open(path, create=True, name=demo_name()) as ws, ws.transaction():
        if ws.sources.count() == 0 and ws.items.count() == 0:
            load_demo(ws)
    return path
