"""The response desk's stored records, its errors, and the tables they live in.

Every class here is a plain dataclass stored with cattrs through
:class:`~curator.store.repositories.TinyRepository`, so documents written by an
older version still load (new fields get defaults). Times are timezone-aware
UTC. The Inbox view and the CLI read these classes directly; the logic that
changes them lives in the sibling modules and in :class:`~curator.triage.service.DeskService`.

Tables (created on first write):

``triage``
    One :class:`TriageRecord` per customer item: the stored inputs of the
    rules (so a rule preview needs no spaCy run), the group, the reasons and
    a person's override.
``conversations``
    :class:`Conversation`: one customer's messages across channels.
``replies``
    :class:`Reply`: drafts and sent replies.
``reply_templates``
    :class:`ReplyTemplate`.
``desk_events``
    :class:`DeskEvent`: who did what to a conversation, for its history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from curator.domain import Channel, new_id, utcnow
from curator.errors import CuratorError
from curator.store.engine import Store
from curator.store.repositories import TinyRepository

__all__ = [
    "CUSTOMER_CHANNELS",
    "ChannelChangeNeedsReason",
    "Conversation",
    "ConversationStatus",
    "DeskError",
    "DeskEvent",
    "DeskSettings",
    "DeskTables",
    "LinkRecord",
    "NotAvailable",
    "NotFound",
    "Note",
    "Override",
    "PermissionDenied",
    "Reply",
    "ReplyStatus",
    "ReplyTemplate",
    "RulesInvalid",
    "TemplateError",
    "TriageGroup",
    "TriageInputs",
    "TriageRecord",
    "WallShare",
    "group_rank",
]


def _require_utc(value: datetime | None, name: str) -> None:
    """Refuse naive times at construction, where the mistake is made, not when compared."""
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime {value!r}")


# --------------------------------------------------------------------------- errors
class DeskError(CuratorError):
    """A response-desk request cannot be carried out; the message says what to do."""


class PermissionDenied(DeskError):
    """The user's roles do not allow the action."""


class NotFound(DeskError):
    """A conversation, reply or template is gone (merged, deleted by someone else)."""


class ChannelChangeNeedsReason(DeskError):
    """A reply should leave the customer's channel, but no one said why."""


class TemplateError(DeskError):
    """A reply template cannot be filled in (missing values or a broken placeholder)."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class RulesInvalid(DeskError):
    """Edited triage, routing or target rules contain a mistake."""


class NotAvailable(DeskError):
    """A feature needs something that is not there yet (e.g. a publishing connector)."""


# --------------------------------------------------------------------------- enums
class TriageGroup(StrEnum):
    """What an incoming message needs: an answer now, an answer, or none."""

    URGENT = "urgent"
    REPLY = "reply"
    NONE = "none"


_RANK = {TriageGroup.NONE: 0, TriageGroup.REPLY: 1, TriageGroup.URGENT: 2}


def group_rank(group: TriageGroup) -> int:
    """2 for urgent, 1 for reply, 0 for none: for ``max`` and for sorting the inbox."""
    return _RANK[group]


class ConversationStatus(StrEnum):
    """Open (our move), waiting (the customer's move) or resolved."""

    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"


class ReplyStatus(StrEnum):
    """A reply is a draft until someone sends it (or says they did)."""

    DRAFT = "draft"
    SENT = "sent"


#: Channels whose items are messages from customers. News articles and blog feed
#: items are the press or ourselves talking, not a customer waiting for an answer,
#: so they stay out of the desk; a blog *comment* feed can be let in per source
#: (:attr:`DeskSettings.extra_source_ids`). Items of channel ``other`` count when
#: their source is a mentions export (listening tools label the platform loosely).
CUSTOMER_CHANNELS: tuple[Channel, ...] = (
    Channel.X,
    Channel.FACEBOOK,
    Channel.INSTAGRAM,
    Channel.LINKEDIN,
    Channel.MASTODON,
    Channel.REDDIT,
    Channel.YOUTUBE,
    Channel.REVIEW,
    Channel.FORUM,
    Channel.EMAIL,
)


# --------------------------------------------------------------------------- settings
@dataclass
class DeskSettings:
    """Which items enter the desk and how conversations are kept (config key ``desk_settings``).

    Attributes:
        customer_channels: Channels whose items are customer messages.
        extra_source_ids: Sources let in although their channel is not a customer
            channel, such as a blog's comment feed.
        excluded_source_ids: Sources kept out although their channel is one.
        own_handles: The brand's own handles ("northwindcoffee"): its own posts are not
            customer messages, and they never link customers together.
        own_email_domains: Domains whose addresses are ours (support@...); added to the
            domains of the team's own e-mail addresses. Such an address in a customer's
            text must not link every customer who quotes it.
        reopen_within_hours: A message from a customer whose conversation was resolved
            less than this long ago reopens it; later ones start a new conversation.
    """

    customer_channels: list[Channel] = field(default_factory=lambda: list(CUSTOMER_CHANNELS))
    extra_source_ids: list[str] = field(default_factory=list)
    excluded_source_ids: list[str] = field(default_factory=list)
    own_handles: list[str] = field(default_factory=list)
    own_email_domains: list[str] = field(default_factory=list)
    reopen_within_hours: int = 72


# --------------------------------------------------------------------------- triage
@dataclass
class TriageInputs:
    """What the rules need from one item, kept so rules can be re-run without spaCy.

    Attributes:
        tokens: The item's tokens in order, lower-cased; ``"form|lemma"`` where the
            lemma differs (capped, see :data:`curator.triage.rules.MAX_TOKENS`).
            Watched terms, abusive and spam phrases are matched over these.
        question: The question cues spaCy's patterns found ("'can you'", "'?'").
        complaint: The complaint cues ("'charged twice'", "'doesn't work'").
        request: The request cues ("'please call'").
        pos_patterns: False when the pipeline had no tagger or parser and only the
            token-level patterns could run.
        english: False when the text is clearly not English (sentiment is then not used).
        sentiment: VADER compound score of the item's text.
        links: Number of links in the text.
        hashtags: Number of hashtags in the text.
        text_hash: Hash of the normalised text, to see the same text posted repeatedly.
        version: :data:`curator.triage.rules.PATTERNS_VERSION` when computed; older
            inputs are computed again.
    """

    tokens: list[str] = field(default_factory=list)
    question: list[str] = field(default_factory=list)
    complaint: list[str] = field(default_factory=list)
    request: list[str] = field(default_factory=list)
    pos_patterns: bool = True
    english: bool = True
    sentiment: float = 0.0
    links: int = 0
    hashtags: int = 0
    text_hash: str = ""
    version: int = 0


@dataclass
class Override:
    """A person's decision that a message or conversation belongs in another group.

    Kept (never rewritten) so the team can see and count where the rules were wrong.
    """

    group: TriageGroup
    previous: TriageGroup
    user_id: str
    reason: str = ""
    item_id: str = ""
    at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        _require_utc(self.at, "Override.at")


@dataclass
class TriageRecord:
    """The triage of one customer item (id = the item's id).

    ``group`` is what the rules say; :attr:`effective_group` is what counts, which
    is the override's group when a person overrode it. ``hide`` is the rules'
    verdict (abuse) unless ``hidden_by`` names the person who hid or showed it.
    """

    item_id: str
    conversation_id: str
    channel: Channel
    received_at: datetime
    inputs: TriageInputs = field(default_factory=TriageInputs)
    group: TriageGroup = TriageGroup.NONE
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    hide: bool = False
    hidden_by: str = ""
    score: float = 0.0
    identity_keys: list[str] = field(default_factory=list)
    triaged_at: datetime = field(default_factory=utcnow)
    override: Override | None = None
    id: str = ""

    def __post_init__(self) -> None:
        _require_utc(self.received_at, "TriageRecord.received_at")
        _require_utc(self.triaged_at, "TriageRecord.triaged_at")
        if not self.id:
            self.id = self.item_id

    @property
    def effective_group(self) -> TriageGroup:
        """The override's group if a person set one, else the rules' group."""
        return self.override.group if self.override is not None else self.group


# --------------------------------------------------------------------------- conversations
@dataclass
class Note:
    """An internal note on a conversation (never sent to the customer)."""

    author_id: str
    text: str
    at: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_id)


@dataclass
class LinkRecord:
    """Another conversation merged into this one, kept so the merge can be undone.

    Attributes:
        other_id: The merged conversation (kept in the table with ``merged_into`` set).
        item_ids: The items it brought.
        keys: The identity keys it brought.
        survivor_keys: The keys this conversation had before, so an unlink knows
            which keys go back.
        user_id: Who linked them; empty when an item carrying both customers' keys
            linked them automatically.
        reason: Why ("same e-mail address", or the agent's words).
    """

    other_id: str
    item_ids: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    survivor_keys: list[str] = field(default_factory=list)
    user_id: str = ""
    reason: str = ""
    at: datetime = field(default_factory=utcnow)


@dataclass
class WallShare:
    """A resolved conversation shared to the wall, with personal data masked.

    ``permission_note`` records how the customer agreed ("asked by DM on 3 May, said yes").
    """

    user_id: str
    permission_note: str
    customer_text: str
    reply_text: str
    channel: Channel
    at: datetime = field(default_factory=utcnow)


@dataclass
class Conversation:
    """One customer's messages, across channels, and the team's work on them.

    Attributes:
        customer: Display name (the first author name or handle seen).
        identity_keys: Keys that identify the customer ("x:anna_k", "email:anna@example.com").
        item_ids: The customer's items, in the order they joined (see
            :func:`curator.triage.conversations.ordered_items` for time order).
        channel: The channel of the customer's last message: replies go there.
        first_channel: The channel the conversation started in (for metrics).
        opened_at: When the customer's first message was said.
        episode_start: Start of the current open episode (opened or reopened); the
            conversation's group is the highest group of items since then.
        status: Open, waiting for the customer, or resolved.
        group: The triage group that counts (override, else highest of the episode).
        group_override: A person's group for the whole conversation, until resolved.
        overrides: Every override on the conversation or its items, for counting.
        assignee_id: The agent working on it ("" = the expert group's queue).
        expert_group: The skill/expert group it is routed to ("billing"...).
        routed_by: How it was routed, as a short sentence for the UI.
        last_customer_at: When the customer last wrote.
        awaiting_since: The earliest customer message not answered yet; the
            response timer runs from here while the conversation is open.
        due_at: When the response target will be missed (None without a timer).
        first_response_at: When the first reply was sent.
        first_responder_id: Who sent it.
        last_response_at: When the last reply was sent.
        resolved_at / resolved_by: When and by whom it was last resolved.
        reopened: How often a new message reopened it.
        breach_notified_at / warning_notified_at: When the UI was last told about a
            breach / an upcoming breach of the current due time (tell once per due time).
        notes: Internal notes.
        wall: The wall share, if shared.
        links: Conversations merged into this one.
        merged_into: Set when this conversation was merged into another.
        separated_from: Conversations an agent unlinked from this one; never linked
            automatically again.
    """

    customer: str
    channel: Channel
    opened_at: datetime
    identity_keys: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    first_channel: Channel | None = None
    episode_start: datetime | None = None
    status: ConversationStatus = ConversationStatus.OPEN
    group: TriageGroup = TriageGroup.NONE
    group_override: Override | None = None
    overrides: list[Override] = field(default_factory=list)
    assignee_id: str = ""
    expert_group: str = ""
    routed_by: str = ""
    last_customer_at: datetime | None = None
    awaiting_since: datetime | None = None
    due_at: datetime | None = None
    first_response_at: datetime | None = None
    first_responder_id: str = ""
    last_response_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str = ""
    reopened: int = 0
    breach_notified_at: datetime | None = None
    warning_notified_at: datetime | None = None
    notes: list[Note] = field(default_factory=list)
    wall: WallShare | None = None
    links: list[LinkRecord] = field(default_factory=list)
    merged_into: str | None = None
    separated_from: list[str] = field(default_factory=list)
    updated_at: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for name in (
            "opened_at",
            "episode_start",
            "last_customer_at",
            "awaiting_since",
            "due_at",
            "first_response_at",
            "last_response_at",
            "resolved_at",
            "breach_notified_at",
            "warning_notified_at",
            "updated_at",
        ):
            _require_utc(getattr(self, name), f"Conversation.{name}")
        if self.first_channel is None:
            self.first_channel = self.channel
        if self.episode_start is None:
            self.episode_start = self.opened_at

    @property
    def is_live(self) -> bool:
        """Not merged into another conversation."""
        return self.merged_into is None


# --------------------------------------------------------------------------- replies
@dataclass
class Reply:
    """A reply to a conversation, in the channel it goes out in.

    Attributes:
        conversation_id: The conversation it answers.
        channel: Where it goes out: the customer's channel unless a reason is given.
        private: Sent in the channel's private mode (direct message) rather than publicly.
        text: The reply's text.
        author_id: Who wrote it.
        status: Draft or sent.
        recipient: The handle or e-mail address it goes to, when known.
        in_reply_to: The customer item it answers.
        channel_change_reason: Why it leaves the customer's channel (required then).
        template_id: The template it started from.
        sent_at / sent_by: When and by whom it was sent (or marked sent by hand).
    """

    conversation_id: str
    channel: Channel
    text: str = ""
    private: bool = False
    author_id: str = ""
    status: ReplyStatus = ReplyStatus.DRAFT
    recipient: str = ""
    in_reply_to: str = ""
    channel_change_reason: str = ""
    template_id: str = ""
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    sent_at: datetime | None = None
    sent_by: str = ""
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for name in ("created_at", "updated_at", "sent_at"):
            _require_utc(getattr(self, name), f"Reply.{name}")


@dataclass
class ReplyTemplate:
    """A reply with ``$variables`` (``{customer}`` style is accepted too, see replies)."""

    name: str
    text: str
    expert_group: str = ""
    id: str = field(default_factory=new_id)


@dataclass
class DeskEvent:
    """One thing that happened to a conversation, for its history in the Inbox.

    ``user_id`` is empty for what Curator did by itself (triage, routing rules).
    """

    conversation_id: str
    action: str
    detail: str = ""
    user_id: str = ""
    at: datetime = field(default_factory=utcnow)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        _require_utc(self.at, "DeskEvent.at")


# --------------------------------------------------------------------------- tables
TRIAGE_TABLE = "triage"
CONVERSATIONS_TABLE = "conversations"
REPLIES_TABLE = "replies"
TEMPLATES_TABLE = "reply_templates"
EVENTS_TABLE = "desk_events"


class DeskTables:
    """The desk's repositories over one workspace store."""

    def __init__(self, store: Store) -> None:
        self.triage: TinyRepository[TriageRecord] = TinyRepository(
            store, TRIAGE_TABLE, TriageRecord, period_field="received_at"
        )
        self.conversations: TinyRepository[Conversation] = TinyRepository(
            store, CONVERSATIONS_TABLE, Conversation
        )
        self.replies: TinyRepository[Reply] = TinyRepository(store, REPLIES_TABLE, Reply)
        self.templates: TinyRepository[ReplyTemplate] = TinyRepository(store, TEMPLATES_TABLE, ReplyTemplate)
        self.events: TinyRepository[DeskEvent] = TinyRepository(
            store, EVENTS_TABLE, DeskEvent, period_field="at"
        )
