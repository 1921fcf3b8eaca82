"""The demo workspace: what a newcomer sees on first start, offline.

Its content is written by the team in ``resources/demo/demo.json`` (see the
README there). Times are stored relative to now, so the demo always looks
current; ids derive from keys and URLs, so two creations give the same ids.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from curator.assets import read_asset
from curator.domain import (
    Channel,
    Draft,
    DraftStatus,
    Item,
    Role,
    Source,
    SourceKind,
    TouchPoint,
    TouchPointKind,
    User,
    utcnow,
)
from curator.workspace import Workspace


def _id(kind: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"curator-demo:{kind}:{key}").hex


def load_demo(ws: Workspace) -> None:
    """Fill an empty workspace with the demo content, in one commit."""
    data: dict[str, Any] = orjson.loads(read_asset("demo", "demo.json"))
    now = utcnow()
    users = {
        u["key"]: User(
            name=u["name"], email=u["email"], roles=[Role(r) for r in u["roles"]], id=_id("user", u["key"])
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
    drafts = [
        Draft(
            title=d["title"],
            body=d["body"],
            status=DraftStatus(d["status"]),
            author_id=users[d["author"]].id,
            touchpoint_ids=[touchpoints[k].id for k in d.get("touchpoints", [])],
            tags=list(d.get("tags", [])),
            created_at=now - timedelta(days=1, hours=n),
            updated_at=now - timedelta(hours=n + 1),
            id=_id("draft", d["title"]),
        )
        for n, d in enumerate(data.get("drafts", []))
    ]
    with ws.transaction():
        ws.users.save_many(users.values())
        ws.touchpoints.save_many(touchpoints.values())
        ws.sources.save_many(sources.values())
        ws.items.save_many(items)
        ws.drafts.save_many(drafts)


def demo_name() -> str:
    return str(orjson.loads(read_asset("demo", "demo.json"))["name"])


def ensure_demo_workspace(path: Path) -> Path:
    """Create the demo workspace at ``path`` unless one is there already."""
    with Workspace.open(path, create=True, name=demo_name()) as ws, ws.transaction():
        if ws.sources.count() == 0 and ws.items.count() == 0:
            load_demo(ws)
    return path
