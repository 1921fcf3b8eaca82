"""The demo workspace: what a newcomer sees on first start, offline.

Its content is written by the team in ``resources/demo/demo.json`` (see the
README there). Times are stored relative to now, so the demo always looks
current; ids derive from keys and URLs, so two creations give the same ids.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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
