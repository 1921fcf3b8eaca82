"""Domain dataclasses shared by every service.

These are plain values: no storage, no Qt. Timestamps are timezone-aware UTC;
every touch point names an IANA zone for its local schedule. Later features
grow these classes by adding fields with defaults, so documents written by an
older version still load.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only time we store)."""
    return datetime.now(UTC)


def new_id() -> str:
    """A random, URL-safe identifier for records created in the app."""
    return uuid.uuid4().hex


def _require_utc(value: datetime | None, name: str) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime {value!r}")


class Role(StrEnum):
    """What a person may do in a workspace (the core enforces it)."""

    EDITOR = "editor"
    APPROVER = "approver"
    SCHEDULER = "scheduler"
    AGENT = "agent"
    ADMIN = "admin"


class Channel(StrEnum):
    """The touch point a customer used to speak to us."""

    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    MASTODON = "mastodon"
    REDDIT = "reddit"
    YOUTUBE = "youtube"
    REVIEW = "review"
    FORUM = "forum"
    EMAIL = "email"
    BLOG = "blog"
    NEWS = "news"
    OTHER = "other"


class SourceKind(StrEnum):
    """How items reach the workspace."""

    FEED = "feed"
    MENTIONS = "mentions"


class TouchPointKind(StrEnum):
    """Where the brand publishes."""

    X = "x"
    LINKEDIN = "linkedin"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    NEWSLETTER = "newsletter"
    BLOG = "blog"
    WEB_PAGE = "web_page"
    IN_STORE_SCREEN = "in_store_screen"
    SMS = "sms"


class DraftStatus(StrEnum):
    """The editorial workflow states."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    FAILED = "failed"


@dataclass
class Source:
    """A place we listen to: a feed URL or an imported mentions export."""

    title: str
    url: str
    kind: SourceKind = SourceKind.FEED
    channel: Channel = Channel.NEWS
    category: str = ""
    enabled: bool = True
    full_text: bool = False
    fetch_interval_minutes: int = 60
    site_url: str = ""
    created_at: datetime = field(default_factory=utcnow)
    # Polite polling state (conditional GET validators are stored separately).
    etag: str = ""
    last_modified: str = ""
    last_fetch_at: datetime | None = None
    last_status: int | None = None
    next_fetch_at: datetime | None = None
    consecutive_errors: int = 0
    error_since: datetime | None = None
    # Health as sentences a user can act on; a warning does not stop fetching.
    last_error: str = ""
    last_warning: str = ""
    item_count: int = 0
    last_new_items: int = 0
    # OPML attributes we do not use, kept so a re-export loses nothing.
    extra: dict[str, str] = field(default_factory=dict)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for name in ("created_at", "last_fetch_at", "next_fetch_at", "error_since"):
            _require_utc(getattr(self, name), f"Source.{name}")
        if self.fetch_interval_minutes < 1:
            raise ValueError("A fetch interval must be at least one minute.")

    @property
    def health(self) -> str:
        """``ok``, ``warning``, ``error`` or ``new`` (never fetched), for icons and filters."""
        if self.last_error:
            return "error"
        if self.last_warning:
            return "warning"
        return "ok" if self.last_fetch_at else "new"


@dataclass
class Item:
    """One piece of content heard: a post, comment, review, article or mention."""

    source_id: str
    title: str
    text: str
    url: str = ""
    html: str = ""
    author: str = ""
    author_reach: int | None = None
    channel: Channel = Channel.NEWS
    published_at: datetime | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    guid: str = ""
    language: str = ""
    issue_id: str | None = None
    # De-duplication: the same story heard twice is stored twice (both
    # sources kept) and shown once; ``duplicate_of`` names the item shown.
    canonical_url: str = ""
    content_hash: str = ""
    minhash: str = ""
    duplicate_of: str | None = None
    full_text: str = ""
    # Language analysis, done once (curator.nlp): what clustering, labels and
    # trending need, the sentiment, and the text with personal data masked
    # for shared screens and exports (the original text stays as it is).
    analysis: dict[str, Any] = field(default_factory=dict)
    sentiment: float | None = None
    masked_text: str = ""
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        _require_utc(self.published_at, "Item.published_at")
        _require_utc(self.fetched_at, "Item.fetched_at")

    @property
    def when(self) -> datetime:
        """When the item was said: its publication time, else when we heard it."""
        return self.published_at or self.fetched_at


@dataclass
class Issue:
    """A story many items tell: a hot issue once it trends."""

    label: str
    keyphrases: list[str] = field(default_factory=list)
    pinned: bool = False
    muted: bool = False
    created_at: datetime = field(default_factory=utcnow)
    # Kept up to date by the analysis; an editor's rename sets label_locked.
    label_locked: bool = False
    item_count: int = 0
    representative_item_id: str = ""
    merged_into: str | None = None
    hot_score: float = 0.0
    hot_reason: str = ""
    negative_share: float = 0.0
    last_item_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        _require_utc(self.created_at, "Issue.created_at")
        _require_utc(self.last_item_at, "Issue.last_item_at")


class LinkPolicy(StrEnum):
    """What a touch point accepts in the way of links."""

    ANY = "any"
    ONE = "one"
    NONE = "none"


class ConnectorKind(StrEnum):
    """How a touch point's posts leave the workstation (curator.publish)."""

    NONE = "none"
    OUTBOX = "outbox"
    WEBHOOK = "webhook"
    EMAIL = "email"
    STATIC_FEED = "static_feed"


@dataclass
class Slot:
    """A recurring posting slot in the touch point's local wall-clock time.

    ``weekdays`` uses Python's numbering (Monday 0 .. Sunday 6); ``time`` is
    ``HH:MM``. Occurrences are computed in local time and stored in UTC.
    """

    weekdays: list[int]
    time: str

    def __post_init__(self) -> None:
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValueError(f"A slot needs weekdays between 0 (Monday) and 6 (Sunday), got {self.weekdays}.")
        if not _is_hhmm(self.time):
            raise ValueError(f"A slot time must be HH:MM (24 h), got {self.time!r}.")


def _is_hhmm(text: str) -> bool:
    hh, sep, mm = text.partition(":")
    return (
        bool(sep)
        and hh.isdigit()
        and len(hh) <= 2
        and len(mm) == 2
        and mm.isdigit()
        and int(hh) < 24
        and int(mm) < 60
    )


@dataclass
class Connector:
    """A touch point's publishing connector; secrets live in the keyring, never here."""

    kind: ConnectorKind = ConnectorKind.NONE
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class TouchPoint:
    """A place the brand publishes, with its own clock, limits and connector.

    Constraints left at None take the platform's defaults
    (:func:`curator.editorial.touchpoints.effective_rules`).
    """

    name: str
    kind: TouchPointKind
    timezone: str = "UTC"
    max_length: int | None = None
    hashtag_limit: int | None = None
    link_policy: LinkPolicy | None = None
    requires_image: bool | None = None
    # Tone bounds on the VADER compound score (-1 .. 1).
    min_sentiment: float | None = None
    max_sentiment: float | None = None
    slots: list[Slot] = field(default_factory=list)
    min_gap_minutes: int = 0
    # Allowed local posting hours, "HH:MM" each; empty means any time.
    allowed_from: str = ""
    allowed_until: str = ""
    connector: Connector = field(default_factory=Connector)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"Unknown time zone {self.timezone!r} for touch point {self.name!r}: "
                "use an IANA name such as Europe/Berlin."
            ) from exc
        if self.min_gap_minutes < 0:
            raise ValueError("A minimum gap between posts cannot be negative.")
        for name in ("allowed_from", "allowed_until"):
            value = getattr(self, name)
            if value and not _is_hhmm(value):
                raise ValueError(f"Allowed posting hours must be HH:MM (24 h); {name} is {value!r}.")


@dataclass
class Variant:
    """The text of a draft for one touch point.

    Until an editor changes it (``edited``), a variant follows the body: it is
    derived again from each new body. An edited variant is kept as written.
    """

    text: str = ""
    edited: bool = False


@dataclass
class Citation:
    """A source a draft relies on: a stored item, a URL, or both."""

    item_id: str = ""
    url: str = ""
    title: str = ""


@dataclass
class Approval:
    """One approval step passed, bound to the exact version it saw."""

    step: str
    user_id: str
    version_hash: str
    at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        _require_utc(self.at, "Approval.at")


@dataclass
class Waiver:
    """A brand-check finding waived, with who did it and why."""

    finding_key: str
    user_id: str
    reason: str
    version_hash: str
    at: datetime = field(default_factory=utcnow)


@dataclass
class Draft:
    """A piece of content on its way through the editorial line.

    ``version`` and ``content_hash`` name the current version (kept in full
    in the ``draft_versions`` table); approvals bind to a content hash, so
    any change after approval is seen.
    """

    title: str
    body: str = ""
    status: DraftStatus = DraftStatus.DRAFT
    author_id: str = ""
    assignee_id: str = ""
    touchpoint_ids: list[str] = field(default_factory=list)
    source_item_ids: list[str] = field(default_factory=list)
    issue_id: str | None = None
    conversation_id: str | None = None
    tags: list[str] = field(default_factory=list)
    due_at: datetime | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    variants: dict[str, Variant] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    # Images to go with the post (paths inside the workspace or URLs).
    images: list[str] = field(default_factory=list)
    sponsored: bool = False
    version: int = 0
    content_hash: str = ""
    approvals: list[Approval] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for name in ("due_at", "created_at", "updated_at"):
            _require_utc(getattr(self, name), f"Draft.{name}")


@dataclass
class DraftVersion:
    """A saved state of a draft: every saved change is one, never rewritten."""

    draft_id: str
    number: int
    title: str
    body: str
    variants: dict[str, Variant]
    content_hash: str
    author_id: str
    created_at: datetime = field(default_factory=utcnow)
    note: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        _require_utc(self.created_at, "DraftVersion.created_at")
        if not self.id:
            self.id = f"{self.draft_id}.{self.number:05d}"


@dataclass
class Comment:
    """An internal comment on a draft, anchored to a version and a span of its body."""

    draft_id: str
    version: int
    author_id: str
    text: str
    start: int = 0
    end: int = 0
    quote: str = ""
    resolved: bool = False
    created_at: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_id)


@dataclass
class AuditEntry:
    """One line of the append-only, hash-chained audit log."""

    seq: int
    at: datetime
    user_id: str
    action: str
    subject_id: str
    version_hash: str = ""
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    prev_hash: str = ""
    hash: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        _require_utc(self.at, "AuditEntry.at")
        if not self.id:
            self.id = f"{self.seq:09d}"


class PostStatus(StrEnum):
    """A post on the calendar: planned (not yet approved), then on its way out."""

    PLANNED = "planned"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class ScheduledPost:
    """One draft variant on the calendar of one touch point.

    ``version_hash`` binds the post to the approved version it carries; a
    planned post (imported, not yet approved) has none and is TENTATIVE in
    calendar exports. ``sequence`` is the iCalendar SEQUENCE, bumped on
    every reschedule.
    """

    draft_id: str
    touchpoint_id: str
    publish_at: datetime
    title: str = ""
    text: str = ""
    version_hash: str = ""
    status: PostStatus = PostStatus.PLANNED
    sequence: int = 0
    attempts: int = 0
    last_error: str = ""
    next_attempt_at: datetime | None = None
    published_at: datetime | None = None
    external_ref: str = ""
    created_at: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for name in ("publish_at", "next_attempt_at", "published_at", "created_at"):
            _require_utc(getattr(self, name), f"ScheduledPost.{name}")


@dataclass
class User:
    """A member of the team, with the roles that decide what they may do."""

    name: str
    email: str = ""
    roles: list[Role] = field(default_factory=lambda: [Role.EDITOR])
    # The operating-system account that is this person by default ("who am I").
    login: str = ""
    # Expert groups for routing (billing, product, technical...).
    skills: list[str] = field(default_factory=list)
    id: str = field(default_factory=new_id)

    def has_role(self, role: Role) -> bool:
        """Admins may do everything; others only what their roles allow."""
        return role in self.roles or Role.ADMIN in self.roles
