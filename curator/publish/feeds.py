"""Static feeds of a touch point: RSS 2.0 and JSON Feed 1.1 files, e.g. for a blog.

A static site (or any web server) serves the folder; feed readers and the
site's own build read ``feed.xml`` and ``feed.json``. Both files are
rewritten whole, atomically, each time a post is published, so a reader
never sees half a feed; the newest :data:`MAX_ITEMS` posts are kept.

``feed.json`` is also the connector's memory of what it published: each item
carries the post's Markdown and ids in a ``_curator`` extension object (JSON
Feed allows extensions whose names start with an underscore), so the
connector needs nothing from the workspace and publishing a post again
(after a crash) replaces its item instead of adding a second one.
"""

from __future__ import annotations

import fcntl
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import orjson

from curator import __version__
from curator.domain import ConnectorKind, PostStatus, ScheduledPost, TouchPoint
from curator.editorial.variants import markdown_to_html, markdown_to_text
from curator.publish.connectors import (
    Connector,
    SendError,
    check_folder,
    file_error,
)
from curator.store.files import atomic_write, fsync_dir

RSS_FILE = "feed.xml"
JSON_FILE = "feed.json"
LOCK_FILE = ".curator-feed.lock"
MAX_ITEMS = 50
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Characters XML 1.0 forbids; ElementTree would write them and make the file unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _when(post: ScheduledPost) -> datetime:
    return (post.published_at or post.publish_at).astimezone(UTC)


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def newest(posts: Iterable[ScheduledPost], limit: int = MAX_ITEMS) -> list[ScheduledPost]:
    """The posts a feed shows: one per id, newest first, at most ``limit``."""
    by_id = {post.id: post for post in posts}
    return sorted(by_id.values(), key=lambda p: (_when(p), p.id), reverse=True)[:limit]


def rss_document(posts: list[ScheduledPost], *, site_url: str, title: str, description: str) -> bytes:
    """An RSS 2.0 document (UTF-8, with declaration) for ``posts``, in the order given."""
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = _clean(title)
    ET.SubElement(channel, "link").text = _clean(site_url)
    ET.SubElement(channel, "description").text = _clean(description)
    ET.SubElement(channel, "generator").text = f"Curator {__version__}"
    if posts:
        # The newest item's date, not the clock: rewriting the same posts gives the same bytes.
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(_when(posts[0]), usegmt=True)
    for post in posts:
        item = ET.SubElement(channel, "item")
        if post.title:
            ET.SubElement(item, "title").text = _clean(post.title)
        ET.SubElement(item, "guid", isPermaLink="false").text = post.id
        ET.SubElement(item, "pubDate").text = format_datetime(_when(post), usegmt=True)
        # HTML in a description is escaped text; readers unescape and render it.
        ET.SubElement(item, "description").text = _clean(markdown_to_html(post.text))
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True)) + b"\n"


def json_feed_document(
    posts: list[ScheduledPost], *, site_url: str, title: str, description: str
) -> dict[str, Any]:
    """A JSON Feed 1.1 document for ``posts``, with the ``_curator`` extension per item."""
    items = []
    for post in posts:
        item: dict[str, Any] = {
            "id": post.id,
            "content_html": markdown_to_html(post.text),
            "content_text": markdown_to_text(post.text),
            "date_published": _rfc3339(_when(post)),
            "_curator": {
                "text": post.text,
                "draft_id": post.draft_id,
                "touchpoint_id": post.touchpoint_id,
                "version_hash": post.version_hash,
                "publish_at": _rfc3339(post.publish_at),
            },
        }
        if post.title:
            item["title"] = post.title
        items.append(item)
    doc: dict[str, Any] = {"version": JSON_FEED_VERSION, "title": title, "home_page_url": site_url}
    if description:
        doc["description"] = description
    doc["items"] = items
    return doc


def write_static_feeds(
    folder: Path,
    tp: TouchPoint,
    published_posts: Iterable[ScheduledPost],
    *,
    site_url: str,
    title: str,
    description: str = "",
) -> tuple[Path, Path]:
    """Write ``feed.xml`` (RSS 2.0) and ``feed.json`` (JSON Feed 1.1) into ``folder``.

    Each file is replaced atomically; the newest :data:`MAX_ITEMS` posts are
    kept. Returns the two paths (RSS, JSON).

    Args:
        folder: where the site serves the feeds from (must exist).
        tp: the touch point (its name is the default description).
        published_posts: the posts to show, in any order.
        site_url: the site's address (the feeds' home page link).
        title: the feed title.
        description: a sentence about the feed; the touch point name if empty.
    """
    posts = newest(published_posts)
    about = description or f"{title} ({tp.name})"
    rss_path, json_path = folder / RSS_FILE, folder / JSON_FILE
    atomic_write(
        rss_path, rss_document(posts, site_url=site_url, title=title, description=about), sync_dir=False
    )
    json_doc = json_feed_document(posts, site_url=site_url, title=title, description=about)
    atomic_write(json_path, orjson.dumps(json_doc, option=orjson.OPT_INDENT_2), sync_dir=False)
    fsync_dir(folder)
    return rss_path, json_path


def _parse_time(value: object) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def load_published(folder: Path, tp: TouchPoint) -> list[ScheduledPost]:
    """The posts ``feed.json`` in ``folder`` shows (empty when there is none yet).

    Raises:
        SendError: the file is damaged; a person must repair or remove it,
            since rewriting it would drop the older posts.
    """
    path = folder / JSON_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise file_error(exc, path, tp) from exc
    try:
        doc = orjson.loads(raw)
        posts = []
        for item in doc["items"]:
            extra = item.get("_curator") or {}
            published = _parse_time(item["date_published"])
            posts.append(
                ScheduledPost(
                    draft_id=str(extra.get("draft_id", "")),
                    touchpoint_id=str(extra.get("touchpoint_id", tp.id)),
                    publish_at=_parse_time(extra.get("publish_at") or item["date_published"]),
                    title=str(item.get("title", "")),
                    text=str(extra.get("text", item.get("content_text", ""))),
                    version_hash=str(extra.get("version_hash", "")),
                    status=PostStatus.PUBLISHED,
                    published_at=published,
                    id=str(item["id"]),
                )
            )
        return posts
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SendError(
            f"The feed file {path} of touch point “{tp.name}” is damaged ({exc}): repair it, or delete "
            "it to start the feed again with the next post.",
            retryable=False,
        ) from exc


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """One writer at a time per feed folder (two runners may publish to one feed at once)."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


class StaticFeedConnector(Connector):
    """Adds a post to the touch point's static feeds and rewrites both files."""

    kind = ConnectorKind.STATIC_FEED
    idempotent = True  # the post id is the item id: a resend replaces, never adds

    def __init__(self, folder: Path, *, site_url: str, title: str, description: str = "") -> None:
        self.folder = folder
        self.site_url = site_url
        self.title = title
        self.description = description

    def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
        check_folder(self.folder, tp)
        try:
            with _folder_lock(self.folder):
                posts = [p for p in load_published(self.folder, tp) if p.id != post.id]
                posts.append(post)
                rss_path, _json_path = write_static_feeds(
                    self.folder,
                    tp,
                    posts,
                    site_url=self.site_url,
                    title=self.title,
                    description=self.description,
                )
        except OSError as exc:
            raise file_error(exc, self.folder / RSS_FILE, tp) from exc
        return f"{rss_path}#{post.id}"
