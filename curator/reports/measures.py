"""Engagement measures per period and touch point: the numbers behind the council report.

Everything is counted from what the workspace stores; a measure the data
cannot give is None, with the reason in :attr:`Measures.reasons` (never a
made-up zero). The tables are read once into a :class:`Snapshot`; each period
then takes its slice of the time-sorted items, conversations and posts, so
comparing two periods does not read or scan the store twice.

Definitions (times on the period's clock, see :mod:`curator.reports.periods`):

**Customer items**
    Items that are customer messages (:func:`curator.triage.rules.is_customer_item`:
    social, reviews, forums, e-mail; not news, not our own posts, not
    duplicates) said in the period (:attr:`Item.when`).
**Customer**
    A person told apart by identity keys (``x:anna_k``, ``email:anna@...``,
    see :mod:`curator.triage.conversations`): the stored keys of a triaged item,
    else the keys computed from the item. Items sharing a key, or sharing a
    conversation (agents link conversations by hand), are one customer. An
    item with no author and no address is *unidentified*: counted in the
    volume, never as a customer.
**Listening reach**
    Distinct customers with items in the period, and the share of the
    identified customers' items that came from the loudest tenth: the
    ``ceil(customers / 10)`` customers with the most items (ties broken by
    key). A share near 10% means the team hears many voices evenly; near
    100% means a few loud ones drown out the rest.
**Repeat engager**
    An identified customer whose items in the period fall on at least two
    different calendar days, or came through at least two channels.
    *Cross-channel* customers are those with two channels or more.
**Conversations, share answered**
    Conversations (:class:`~curator.triage.model.Conversation`, merged ones
    counted in the one they joined) whose customer's first message falls in
    the period, by the channel they started in. Those whose group needs an
    answer (urgent or reply) *need an answer*; they are *answered* once a
    first reply was sent, by ``now``.
**First-response and resolution times**
    Exactly :func:`curator.triage.metrics.desk_metrics` (what the Inbox and
    ``curator desk metrics`` show): median and 90th percentile in minutes,
    share within the response target, unanswered breaches counted as misses.
**Sentiment**
    VADER compound score of each analysed customer item (``Item.sentiment``);
    *negative* below -0.05 (VADER's own cut). Per day (or week or month for
    long periods): mean score and share negative.
**Issues**
    An issue (a story many items tell) counts once it holds at least
    :data:`MIN_ISSUE_ITEMS` items (duplicates left out). It *opened* when its
    first item was said and *went quiet* (closed) :data:`QUIET_DAYS` days after
    its last item; both are counted over all channels. The period's hot issues
    are its live, unmuted (or pinned) issues with the most items in the period.
**Content published**
    Posts with status *published* whose publication time falls in the period,
    per touch point; *failed* posts were due in the period and failed. Reach
    (views, impressions) is not measured: no connector reports it back.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from curator.domain import (
    Channel,
    Draft,
    DraftStatus,
    Issue,
    Item,
    PostStatus,
    ScheduledPost,
    TouchPoint,
    TouchPointKind,
    utcnow,
)
from curator.errors import CuratorError
from curator.progress import Progress
from curator.reports.periods import Bucket, Period
from curator.triage.conversations import identity_keys
from curator.triage.model import (
    Conversation,
    ConversationStatus,
    DeskSettings,
    DeskTables,
    TriageGroup,
    TriageRecord,
)
from curator.triage.targets import TARGETS_KEY, ResponseTargets, timer
from curator.workspace import Workspace

if TYPE_CHECKING:
    # Imported where used: triage.rules loads spaCy and triage.metrics numpy, which a
    # page that merely shows a report's types should not pay for at start-up.
    from curator.triage.metrics import MetricRow, Stat

__all__ = [
    "MIN_ISSUE_ITEMS",
    "NEGATIVE_BELOW",
    "QUIET_DAYS",
    "BucketMeasures",
    "ChannelMeasures",
    "IssueMeasures",
    "Measures",
    "PendingActions",
    "ReportError",
    "Scope",
    "Snapshot",
    "TouchPointMeasures",
    "channel_name",
    "load_snapshot",
    "measure",
    "measure_snapshot",
    "pending_actions",
    "resolve_scope",
]

#: VADER's cut for a negative text (as in :mod:`curator.issues.service`).
NEGATIVE_BELOW = -0.05
#: Items an issue needs before it counts as opened (one or two items are not yet a story).
MIN_ISSUE_ITEMS = 3
#: Days without a new item after which an issue has gone quiet (closed).
QUIET_DAYS = 7
#: Hot issues kept per period.
HOT_ISSUES = 10
#: The loudest tenth of customers.
LOUD_SHARE = 0.10
_SETTINGS_KEY = "desk_settings"  # curator.triage.service.SETTINGS_KEY, without importing the service
_NEEDS_ANSWER = (TriageGroup.URGENT, TriageGroup.REPLY)
#: Touch point kinds that are also a channel customers write in.
_KIND_CHANNEL: dict[TouchPointKind, Channel] = {
    TouchPointKind.X: Channel.X,
    TouchPointKind.FACEBOOK: Channel.FACEBOOK,
    TouchPointKind.INSTAGRAM: Channel.INSTAGRAM,
    TouchPointKind.LINKEDIN: Channel.LINKEDIN,
}
_REACH_REASON = "Reach is not measured: no publishing connector reports views or impressions back to Curator."


_CHANNEL_TITLES: dict[Channel, str] = {
    Channel.X: "X",
    Channel.FACEBOOK: "Facebook",
    Channel.INSTAGRAM: "Instagram",
    Channel.LINKEDIN: "LinkedIn",
    Channel.MASTODON: "Mastodon",
    Channel.REDDIT: "Reddit",
    Channel.YOUTUBE: "YouTube",
    Channel.REVIEW: "Reviews",
    Channel.FORUM: "Forums",
    Channel.EMAIL: "E-mail",
    Channel.BLOG: "Blogs",
    Channel.NEWS: "News",
    Channel.OTHER: "Other",
}


def channel_name(channel: Channel) -> str:
    """How a channel is titled in a table or on a chart axis ("LinkedIn", "Reviews")."""
    return _CHANNEL_TITLES.get(channel, channel.value.capitalize())


class ReportError(CuratorError):
    """A report cannot be made as asked (an unknown touch point, a missing renderer...)."""


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Scope:
    """What a report covers: every channel and touch point, or one of them.

    Attributes:
        label: "" for everything, else the name shown ("X", "Newsletter").
        channels: Customer channels counted (None: all).
        touchpoint_ids: Touch points whose posts are counted (None: all).
    """

    label: str = ""
    channels: frozenset[Channel] | None = None
    touchpoint_ids: frozenset[str] | None = None

    def has_channel(self, channel: Channel) -> bool:
        return self.channels is None or channel in self.channels

    def has_touchpoint(self, tp_id: str) -> bool:
        return self.touchpoint_ids is None or tp_id in self.touchpoint_ids


@dataclass(frozen=True)
class ChannelMeasures:
    """The customer side of one channel in one period."""

    channel: Channel
    items: int
    customers: int
    conversations: int
    needing_answer: int
    answered: int
    answered_share: float | None
    first_response: Stat
    resolution: Stat
    negative_share: float | None


@dataclass(frozen=True)
class BucketMeasures:
    """One day (or week, or month) of a period: volume and tone."""

    first_day: date
    last_day: date
    label: str
    items: int
    scored: int
    negative: int
    mean_sentiment: float | None
    negative_share: float | None


@dataclass(frozen=True)
class IssueMeasures:
    """One issue's activity in a period.

    ``example`` is the masked text of one of its items (the representative
    one when it was said in the period), "" when none is masked yet.
    """

    issue_id: str
    label: str
    items: int
    negative_share: float | None
    total_items: int
    first_seen: datetime
    last_seen: datetime
    pinned: bool = False
    example: str = ""


@dataclass(frozen=True)
class TouchPointMeasures:
    """What a touch point published in a period."""

    touchpoint_id: str
    name: str
    kind: TouchPointKind
    published: int
    failed: int
    reach: int | None = None


@dataclass(frozen=True)
class Measures:
    """The engagement measures of one period (definitions in the module docstring).

    Shares are in [0, 1]; times in minutes. None means "cannot be measured",
    and :attr:`reasons` says why, keyed by the field's name.
    """

    period: Period
    scope: Scope
    as_of: datetime
    # volume and listening reach
    items: int
    customers: int
    unidentified_items: int
    loud_customers: int
    loud_share: float | None
    repeat_engagers: int
    cross_channel_customers: int
    repeat_share: float | None
    channels: list[ChannelMeasures]
    buckets: list[BucketMeasures]
    # sentiment
    scored_items: int
    mean_sentiment: float | None
    negative_share: float | None
    # the desk
    conversations: int
    needing_answer: int
    answered: int
    answered_share: float | None
    first_response: Stat
    resolution: Stat
    # issues
    issues_active: int
    issues_opened: int
    issues_closed: int
    hot_issues: list[IssueMeasures]
    # content
    published: int
    failed_posts: int
    touchpoints: list[TouchPointMeasures]
    content_reach: int | None
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing happened: no customer item, no conversation, no post."""
        return not (self.items or self.conversations or self.published or self.failed_posts)


@dataclass(frozen=True)
class PendingActions:
    """What waits for someone now (not per period): the report's "actions pending"."""

    as_of: datetime
    drafts_in_review: int
    approved_unscheduled: int
    conversations_past_target: int
    open_conversations: int
    failed_posts: int


# --------------------------------------------------------------------------- reading
@dataclass
class _IssueSpan:
    first: datetime
    last: datetime
    count: int = 0


@dataclass
class Snapshot:
    """Every table a report needs, read once, indexed for period slices.

    Build it with :func:`load_snapshot`; it is plain data, safe to hand to
    another thread once built.
    """

    now: datetime
    items: list[Item]
    customer_ids: set[str]
    customer_of: dict[str, str]
    conversations: list[Conversation]
    posts: list[ScheduledPost]
    issues: dict[str, Issue]
    issue_root: dict[str, str]
    issue_spans: dict[str, _IssueSpan]
    touchpoints: dict[str, TouchPoint]
    drafts: list[Draft]
    targets: ResponseTargets
    by_id: dict[str, Item] = field(default_factory=dict)
    _item_whens: list[datetime] = field(default_factory=list)
    _conv_whens: list[datetime] = field(default_factory=list)
    _post_whens: list[datetime] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.items.sort(key=lambda i: (i.when, i.id))
        self._item_whens = [i.when for i in self.items]
        self.conversations.sort(key=lambda c: (c.opened_at, c.id))
        self._conv_whens = [c.opened_at for c in self.conversations]
        self.posts.sort(key=lambda p: (_post_time(p), p.id))
        self._post_whens = [_post_time(p) for p in self.posts]
        self.by_id = {i.id: i for i in self.items}

    def items_in(self, period: Period) -> Sequence[Item]:
        """Items said in the period (a slice, no scan)."""
        lo = bisect.bisect_left(self._item_whens, period.start)
        hi = bisect.bisect_left(self._item_whens, period.end)
        return self.items[lo:hi]

    def conversations_in(self, period: Period) -> Sequence[Conversation]:
        """Conversations whose first message falls in the period."""
        lo = bisect.bisect_left(self._conv_whens, period.start)
        hi = bisect.bisect_left(self._conv_whens, period.end)
        return self.conversations[lo:hi]

    def posts_in(self, period: Period) -> Sequence[ScheduledPost]:
        """Posts published (or due) in the period."""
        lo = bisect.bisect_left(self._post_whens, period.start)
        hi = bisect.bisect_left(self._post_whens, period.end)
        return self.posts[lo:hi]


def _post_time(post: ScheduledPost) -> datetime:
    """When a post counts: when it went out if it did, else when it was due."""
    return post.published_at if post.status is PostStatus.PUBLISHED and post.published_at else post.publish_at


class _Customers:
    """Union-find over identity keys and conversations: one root per customer."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.named: set[str] = set()

    def find(self, node: str) -> str:
        root = self.parent.setdefault(node, node)
        while root != self.parent[root]:
            root = self.parent[root]
        while node != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, nodes: Sequence[str]) -> None:
        first = self.find(nodes[0])
        for other in nodes[1:]:
            root = self.find(other)
            if root != first:
                self.parent[root] = first


def _live_root(conv_id: str, convs: dict[str, Conversation]) -> str:
    seen: set[str] = set()
    while conv_id in convs and convs[conv_id].merged_into and conv_id not in seen:
        seen.add(conv_id)
        conv_id = convs[conv_id].merged_into or conv_id
    return conv_id


def _issue_root(issue_id: str, issues: dict[str, Issue]) -> str:
    seen: set[str] = set()
    while issue_id in issues and issues[issue_id].merged_into and issue_id not in seen:
        seen.add(issue_id)
        issue_id = issues[issue_id].merged_into or issue_id
    return issue_id


def load_snapshot(
    ws: Workspace, *, now: datetime | None = None, progress: Progress | None = None
) -> Snapshot:
    """Read every table a report needs, once.

    Args:
        ws: The open workspace (read only).
        now: The report's "now": what is pending, what is past target, which
            issues have gone quiet (default: the current time).
        progress: Checked for cancellation between tables.
    """
    from curator.triage.rules import is_customer_item

    now = now or utcnow()
    if progress is not None:
        progress.start(None, "Reading the workspace")

    def check() -> None:
        if progress is not None:
            progress.check_cancelled()

    settings = ws.config.get_or_default(_SETTINGS_KEY, DeskSettings)
    targets = ws.config.get_or_default(TARGETS_KEY, ResponseTargets)
    sources = {s.id: s for s in ws.sources.list()}
    users = ws.users.list()
    check()
    items = ws.items.list()
    check()
    tables = DeskTables(ws.store)
    records: dict[str, TriageRecord] = {r.item_id: r for r in tables.triage.list()}
    all_convs = {c.id: c for c in tables.conversations.list()}
    check()
    issues = {i.id: i for i in ws.issues.list()}
    posts = ws.posts.list()
    touchpoints = {tp.id: tp for tp in ws.touchpoints.list()}
    drafts = ws.drafts.list()
    check()

    addresses = {u.email.lower() for u in users if u.email}
    domains = {a.rsplit("@", 1)[1] for a in addresses if "@" in a}
    domains |= {d.lower().lstrip("@") for d in settings.own_email_domains}
    customers = _Customers()
    customer_ids: set[str] = set()
    nodes_of: dict[str, str] = {}
    issue_root: dict[str, str] = {}
    spans: dict[str, _IssueSpan] = {}
    for item in items:
        if item.issue_id and item.duplicate_of is None:
            root = issue_root.get(item.issue_id)
            if root is None:
                root = issue_root[item.issue_id] = _issue_root(item.issue_id, issues)
            span = spans.get(root)
            if span is None:
                span = spans[root] = _IssueSpan(item.when, item.when)
            span.first, span.last = min(span.first, item.when), max(span.last, item.when)
            span.count += 1
        if not is_customer_item(item, sources.get(item.source_id), settings):
            continue
        customer_ids.add(item.id)
        record = records.get(item.id)
        keys = list(record.identity_keys) if record is not None and record.identity_keys else []
        if not keys:
            keys = identity_keys(
                item, own_handles=settings.own_handles, own_domains=domains, own_addresses=addresses
            )
        nodes = [k for k in keys if not k.startswith("item:")]
        if nodes:
            customers.named.update(nodes)
        if record is not None and record.conversation_id:
            nodes.append("conversation:" + _live_root(record.conversation_id, all_convs))
        if nodes:
            customers.union(nodes)
            nodes_of[item.id] = nodes[0]
    named_roots = {customers.find(k) for k in customers.named}
    customer_of: dict[str, str] = {}
    for item_id, node in nodes_of.items():
        root = customers.find(node)
        if root in named_roots:
            customer_of[item_id] = root
    return Snapshot(
        now=now,
        items=items,
        customer_ids=customer_ids,
        customer_of=customer_of,
        conversations=[c for c in all_convs.values() if c.is_live],
        posts=[p for p in posts if p.status is not PostStatus.CANCELLED],
        issues=issues,
        issue_root=issue_root,
        issue_spans=spans,
        touchpoints=touchpoints,
        drafts=drafts,
        targets=targets,
    )


# --------------------------------------------------------------------------- scope
def resolve_scope(snapshot: Snapshot, touchpoint: str | None) -> Scope:
    """The scope named by ``touchpoint``: a touch point's id or name, or a channel ("x", "review").

    A touch point that is also a customer channel (X, Facebook, Instagram,
    LinkedIn) brings that channel's customer items; a channel brings the
    touch points of its kind.

    Raises:
        ReportError: Nothing is called that; the message lists what is.
    """
    if touchpoint is None or not touchpoint.strip():
        return Scope()
    wanted = touchpoint.strip()
    for tp in snapshot.touchpoints.values():
        if wanted == tp.id or wanted.casefold() == tp.name.casefold():
            channel = _KIND_CHANNEL.get(tp.kind)
            return Scope(tp.name, frozenset({channel}) if channel else frozenset(), frozenset({tp.id}))
    try:
        channel = Channel(wanted.casefold())
    except ValueError:
        names = sorted(tp.name for tp in snapshot.touchpoints.values())
        channels = ", ".join(c.value for c in Channel)
        known = f"touch points: {', '.join(names)}; " if names else ""
        raise ReportError(
            f"There is no touch point or channel called {wanted!r}. "
            f"Use one of the {known}channels: {channels}."
        ) from None
    tps = frozenset(tp.id for tp in snapshot.touchpoints.values() if _KIND_CHANNEL.get(tp.kind) == channel)
    return Scope(channel_name(channel), frozenset({channel}), tps)


# --------------------------------------------------------------------------- measuring
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_NOT_NAMES = frozenset({"The", "And", "Von", "Van", "Der", "Den", "Mrs", "Miss", "Team", "Official"})


def _without_names(text: str, authors: Iterable[str]) -> str:
    """``text`` with the names of the issue's own customers replaced by "[name]".

    The analysis masks what spaCy recognises as a person; a customer quoting
    another by a name spaCy misses is still caught when the workspace knows
    that name as a customer author of the issue. Only capitalised words of a
    display name are taken, and matched as written, so "Anna" is masked but
    the word "coffee" in a name like "Coffee Lover" is not.
    """
    names: set[str] = set()
    for author in authors:
        if author.startswith(("@", "u/", "/u/")):
            continue  # handles are masked by their shape already
        for word in _WORD.findall(author):
            if len(word) >= 3 and word[0].isupper() and word not in _NOT_NAMES:
                names.add(word)
    if not names or not text:
        return text
    return _WORD.sub(lambda m: "[name]" if m.group() in names else m.group(), text)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _answered(convs: Iterable[Conversation], now: datetime) -> tuple[int, int]:
    needing = answered = 0
    for conv in convs:
        if conv.group in _NEEDS_ANSWER:
            needing += 1
            if conv.first_response_at is not None and conv.first_response_at <= now:
                answered += 1
    return needing, answered


def _bucket_index(buckets: list[Bucket]) -> dict[date, int]:
    index: dict[date, int] = {}
    for n, bucket in enumerate(buckets):
        day = bucket.first_day
        while day <= bucket.last_day:
            index[day] = n
            day += timedelta(days=1)
    return index


def measure_snapshot(snapshot: Snapshot, period: Period, scope: Scope | None = None) -> Measures:
    """The measures of ``period`` from an already read snapshot (see the module docstring)."""
    from curator.triage.metrics import Stat, desk_metrics

    scope = scope or Scope()
    reasons: dict[str, str] = {}
    now = snapshot.now
    buckets = period.buckets()
    bucket_of = _bucket_index(buckets)
    per_bucket = [[0, 0, 0, 0.0] for _ in buckets]  # items, scored, negative, sum of scores

    # ---- items: volume, customers, tone, issues (one pass over the period's slice)
    channel_items: Counter[Channel] = Counter()
    channel_scored: Counter[Channel] = Counter()
    channel_negative: Counter[Channel] = Counter()
    channel_customers: dict[Channel, set[str]] = defaultdict(set)
    per_customer: Counter[str] = Counter()
    customer_days: dict[str, set[date]] = defaultdict(set)
    customer_channels: dict[str, set[Channel]] = defaultdict(set)
    issue_items: Counter[str] = Counter()
    issue_scored: Counter[str] = Counter()
    issue_negative: Counter[str] = Counter()
    issue_latest: dict[str, Item] = {}
    issue_authors: dict[str, set[str]] = defaultdict(set)
    items = unidentified = scored = negative = 0
    score_sum = 0.0
    for item in snapshot.items_in(period):
        if not scope.has_channel(item.channel):
            continue
        is_negative = item.sentiment is not None and item.sentiment < NEGATIVE_BELOW
        if item.issue_id and item.duplicate_of is None:
            root = snapshot.issue_root.get(item.issue_id, item.issue_id)
            issue_items[root] += 1
            if item.sentiment is not None:
                issue_scored[root] += 1
                issue_negative[root] += is_negative
            if item.masked_text:
                issue_latest[root] = item
            if item.author and item.id in snapshot.customer_ids:
                issue_authors[root].add(item.author)
        if item.id not in snapshot.customer_ids:
            continue
        items += 1
        channel_items[item.channel] += 1
        day = period.local_day(item.when)
        slot = per_bucket[bucket_of[day]]
        slot[0] += 1
        if item.sentiment is not None:
            scored += 1
            negative += is_negative
            score_sum += item.sentiment
            channel_scored[item.channel] += 1
            channel_negative[item.channel] += is_negative
            slot[1] += 1
            slot[2] += is_negative
            slot[3] += item.sentiment
        customer = snapshot.customer_of.get(item.id)
        if customer is None:
            unidentified += 1
            continue
        per_customer[customer] += 1
        customer_days[customer].add(day)
        customer_channels[customer].add(item.channel)
        channel_customers[item.channel].add(customer)

    customers = len(per_customer)
    loud = math.ceil(customers * LOUD_SHARE)
    ranked = sorted(per_customer.items(), key=lambda kv: (-kv[1], kv[0]))
    loud_items = sum(n for _, n in ranked[:loud])
    identified_items = items - unidentified
    loud_share = _share(loud_items, identified_items)
    if loud_share is None:
        reasons["loud_share"] = "No identified customer wrote in this period."
    repeat = sum(1 for c in per_customer if len(customer_days[c]) >= 2 or len(customer_channels[c]) >= 2)
    cross = sum(1 for c in per_customer if len(customer_channels[c]) >= 2)
    repeat_share = _share(repeat, customers)
    if repeat_share is None:
        reasons["repeat_share"] = "No identified customer wrote in this period."

    mean_sentiment = score_sum / scored if scored else None
    negative_share = _share(negative, scored)
    if scored == 0:
        reasons["negative_share"] = reasons["mean_sentiment"] = (
            "No customer item of this period has been analysed yet (run the analysis to score their tone)."
            if items
            else "No customer items arrived in this period."
        )

    # ---- conversations: the desk's own metrics over the period's slice
    convs = [c for c in snapshot.conversations_in(period) if scope.has_channel(c.first_channel or c.channel)]
    desk = desk_metrics(convs, snapshot.targets, period.start, period.end, now=now)
    needing, answered = _answered(convs, now)
    answered_share = _share(answered, needing)
    if answered_share is None:
        reasons["answered_share"] = (
            "No conversation of this period needed an answer."
            if convs
            else "No conversation started in this period (customer items are placed in conversations "
            "when the desk triages them)."
        )
    if desk.overall.first_response.count == 0:
        reasons["first_response"] = "No first reply was sent to a conversation that started in this period."
    if desk.overall.first_response.within_target is None:
        reasons["within_target"] = (
            "No conversation of this period had a response target that could be judged yet."
        )
    if desk.overall.resolution.count == 0:
        reasons["resolution"] = "No conversation that started in this period has been resolved."

    rows: dict[str, MetricRow] = {r.key: r for r in desk.by_channel}
    by_channel_convs: dict[Channel, list[Conversation]] = defaultdict(list)
    for conv in convs:
        by_channel_convs[conv.first_channel or conv.channel].append(conv)
    channels: list[ChannelMeasures] = []
    for channel in sorted(set(channel_items) | set(by_channel_convs), key=lambda c: c.value):
        row = rows.get(channel.value)
        need_c, answered_c = _answered(by_channel_convs.get(channel, []), now)
        channels.append(
            ChannelMeasures(
                channel=channel,
                items=channel_items[channel],
                customers=len(channel_customers.get(channel, ())),
                conversations=row.conversations if row is not None else 0,
                needing_answer=need_c,
                answered=answered_c,
                answered_share=_share(answered_c, need_c),
                first_response=row.first_response if row is not None else Stat(0, None, None),
                resolution=row.resolution if row is not None else Stat(0, None, None),
                negative_share=_share(channel_negative[channel], channel_scored[channel]),
            )
        )
    channels.sort(key=lambda c: (-c.items, -c.conversations, c.channel.value))

    # ---- issues
    opened = closed = 0
    quiet = timedelta(days=QUIET_DAYS)
    for root, span in snapshot.issue_spans.items():
        issue = snapshot.issues.get(root)
        if span.count < MIN_ISSUE_ITEMS or (issue is not None and issue.merged_into):
            continue
        if period.contains(span.first):
            opened += 1
        gone_quiet = span.last + quiet
        if period.contains(gone_quiet) and gone_quiet <= now:
            closed += 1
    hot: list[IssueMeasures] = []
    for root, count in issue_items.items():
        issue = snapshot.issues.get(root)
        if issue is not None and issue.muted and not issue.pinned:
            continue
        span = snapshot.issue_spans[root]
        example = ""
        rep = snapshot.by_id.get(issue.representative_item_id) if issue is not None else None
        if rep is not None and rep.masked_text and period.contains(rep.when):
            example = rep.masked_text
        elif root in issue_latest:
            example = issue_latest[root].masked_text
        hot.append(
            IssueMeasures(
                issue_id=root,
                label=issue.label if issue is not None and issue.label else "(an unnamed issue)",
                items=count,
                negative_share=_share(issue_negative[root], issue_scored[root]),
                total_items=span.count,
                first_seen=span.first,
                last_seen=span.last,
                pinned=issue.pinned if issue is not None else False,
                example=_without_names(" ".join(example.split()), issue_authors.get(root, set())),
            )
        )
    hot.sort(key=lambda i: (-i.items, -(i.negative_share or 0.0), i.label, i.issue_id))

    # ---- content
    published: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for post in snapshot.posts_in(period):
        if not scope.has_touchpoint(post.touchpoint_id):
            continue
        if post.status is PostStatus.PUBLISHED:
            published[post.touchpoint_id] += 1
        elif post.status is PostStatus.FAILED:
            failed[post.touchpoint_id] += 1
    tps = [
        TouchPointMeasures(
            touchpoint_id=tp_id,
            name=tp.name
            if (tp := snapshot.touchpoints.get(tp_id)) is not None
            else "(a removed touch point)",
            kind=tp.kind if tp is not None else TouchPointKind.WEB_PAGE,
            published=published[tp_id],
            failed=failed[tp_id],
        )
        for tp_id in set(published) | set(failed)
    ]
    tps.sort(key=lambda t: (-t.published, -t.failed, t.name.casefold()))
    reasons["content_reach"] = _REACH_REASON

    return Measures(
        period=period,
        scope=scope,
        as_of=now,
        items=items,
        customers=customers,
        unidentified_items=unidentified,
        loud_customers=loud,
        loud_share=loud_share,
        repeat_engagers=repeat,
        cross_channel_customers=cross,
        repeat_share=repeat_share,
        channels=channels,
        buckets=[
            BucketMeasures(
                b.first_day,
                b.last_day,
                b.label,
                int(s[0]),
                int(s[1]),
                int(s[2]),
                s[3] / s[1] if s[1] else None,
                _share(int(s[2]), int(s[1])),
            )
            for b, s in zip(buckets, per_bucket, strict=True)
        ],
        scored_items=scored,
        mean_sentiment=mean_sentiment,
        negative_share=negative_share,
        conversations=len(convs),
        needing_answer=needing,
        answered=answered,
        answered_share=answered_share,
        first_response=desk.overall.first_response,
        resolution=desk.overall.resolution,
        issues_active=len(issue_items),
        issues_opened=opened,
        issues_closed=closed,
        hot_issues=hot[:HOT_ISSUES],
        published=sum(published.values()),
        failed_posts=sum(failed.values()),
        touchpoints=tps,
        content_reach=None,
        reasons=reasons,
    )


def pending_actions(snapshot: Snapshot, scope: Scope | None = None) -> PendingActions:
    """What waits for someone at the snapshot's ``now``: reviews, scheduling, late answers, failed posts."""
    scope = scope or Scope()
    now = snapshot.now
    in_review = sum(1 for d in snapshot.drafts if d.status is DraftStatus.IN_REVIEW)
    approved = sum(1 for d in snapshot.drafts if d.status is DraftStatus.APPROVED)
    open_convs = late = 0
    for conv in snapshot.conversations:
        if conv.status is not ConversationStatus.OPEN or not scope.has_channel(conv.channel):
            continue
        open_convs += 1
        t = timer(conv, now, snapshot.targets)
        if t is not None and t.state == "breached":
            late += 1
    failed = sum(
        1 for p in snapshot.posts if p.status is PostStatus.FAILED and scope.has_touchpoint(p.touchpoint_id)
    )
    return PendingActions(now, in_review, approved, late, open_convs, failed)


def measure(
    workspace: Workspace, period: Period, touchpoint: str | None = None, *, now: datetime | None = None
) -> Measures:
    """The engagement measures of ``period``, for everything or one touch point or channel.

    Args:
        workspace: The open workspace (only read).
        period: The period (see :func:`curator.reports.periods.parse_period`).
        touchpoint: A touch point's id or name, or a channel ("x", "review"); None for all.
        now: The report's "now" (default: the current time).

    Raises:
        ReportError: ``touchpoint`` names nothing in the workspace.
    """
    snapshot = load_snapshot(workspace, now=now)
    return measure_snapshot(snapshot, period, resolve_scope(snapshot, touchpoint))
