"""What the monitor wall shows, gathered in one read and masked before it leaves the core.

The wall is a screen in a team room or a hallway: anyone walking past reads
it, whatever their role, so :func:`wall_snapshot` masks *every* text it hands
out (issue labels, shared conversations, post titles, touch point and
workspace names) and the wall never unmasks. Three layers do it, because one
missed name on a hallway screen is one too many:

1. :func:`curator.nlp.privacy.mask_personal_data` (regexes plus spaCy's NER);
2. a blunter regex pass over the result for anything still shaped like an
   e-mail address, an ``@handle`` or ``u/handle``, or a run of seven or more
   digits (phone numbers the careful phone pattern let through);
3. the names the workspace itself knows for the text's people: the customer
   and identity keys of a shared conversation, the authors of an issue's
   items. Those are removed even where the NER does not recognise them.

The brand's own handles (``DeskSettings.own_handles``) are public and stay.

Reads are one pass over each table (issues, conversations, posts, touch
points, two config keys) except items, of which only the last
:data:`SENTIMENT_HOURS` hours are read (newest partitions first: a year of
items would cost seconds per refresh). The NER runs on a handful of short
texts and is cached per text, so a refresh every few seconds costs little.
It loads a spaCy pipeline on first use: call it from a worker thread.

"Today" is the calendar day of ``now`` in ``tz`` (the wall machine's own zone
by default): a team reads "today" on its own clock.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from statistics import fmean
from typing import Literal

from curator.domain import Channel, Issue, Item, PostStatus, ScheduledPost, TouchPoint, utcnow
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.privacy import mask_personal_data
from curator.reports.measures import channel_name
from curator.triage.metrics import MetricRow, desk_metrics
from curator.triage.model import Conversation, ConversationStatus, DeskSettings, DeskTables, TriageGroup
from curator.triage.targets import TARGETS_KEY, ResponseTargets, timer
from curator.workspace import Workspace

__all__ = [
    "HotIssue",
    "ResponseRow",
    "ResponseToday",
    "SharedConversation",
    "TouchPointToday",
    "Trend",
    "WallSnapshot",
    "mood_of",
    "trend_of",
    "wall_snapshot",
]

Trend = Literal["rising", "steady", "falling"]

#: Hours compared for an issue's trend: the last ``TREND_HOURS`` against the ones before.
TREND_HOURS = 6
#: Hourly counts kept for an issue's sparkline (oldest first).
SPARK_HOURS = 24
#: Hours of items an issue's mean sentiment is taken over (its "now"); also how far back items are read.
SENTIMENT_HOURS = 48
#: Items read at first when looking for the recent ones (more are read while all are recent).
RECENT_BATCH = 2000
#: Characters of a shared conversation's texts kept for the wall.
SNIPPET_CHARS = 280
_NEGATIVE_BELOW = -0.05  # VADER's own cut, as in curator.issues.service
_POSITIVE_ABOVE = 0.05
_STRONG = 0.5


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class HotIssue:
    """One hot issue as the wall shows it.

    Attributes:
        issue_id: The issue.
        label: Its label, masked.
        items: Items in the issue (all time).
        recent: Items said in the last :data:`TREND_HOURS` hours.
        previous: Items said in the :data:`TREND_HOURS` hours before those.
        trend: Rising, steady or falling (see :func:`trend_of`).
        hourly: Items per hour over the last :data:`SPARK_HOURS` hours, oldest first.
        sentiment: Mean sentiment (VADER compound, -1..1) of its items of the last
            :data:`SENTIMENT_HOURS` hours; None when none of them has one.
        mood: ``sentiment`` as a word ("negative", "very positive"...).
        negative_share: Share of its items judged negative.
        pinned: An editor pinned it on top.
    """

    issue_id: str
    label: str
    items: int
    recent: int
    previous: int
    trend: Trend
    hourly: tuple[int, ...]
    sentiment: float | None
    mood: str
    negative_share: float
    pinned: bool = False


@dataclass(frozen=True)
class ResponseRow:
    """Response times today for one channel, one triage group, or everything.

    Attributes:
        key: ``"all"``, a channel value ("x") or a group value ("urgent").
        title: What the row is called on the wall ("All channels", "X", "Urgent").
        opened: Conversations whose customer first wrote today.
        answered: Of those, how many have a first answer.
        on_time: Share in [0, 1] answered within target (None when none could be judged
            yet; see :mod:`curator.triage.metrics`).
        judged: How many conversations ``on_time`` is out of.
        median_minutes: Median minutes to the first answer (None without answers).
        urgent_target: The target in minutes for urgent messages (None: no target).
        reply_target: The target in minutes for messages that need an answer.
        open_urgent: Urgent conversations open now (whenever they started).
        breached: Open conversations past their target now.
    """

    key: str
    title: str
    opened: int
    answered: int
    on_time: float | None
    judged: int
    median_minutes: float | None
    urgent_target: int | None
    reply_target: int | None
    open_urgent: int
    breached: int


@dataclass(frozen=True)
class ResponseToday:
    """Response performance of the day against the targets."""

    overall: ResponseRow
    by_channel: tuple[ResponseRow, ...] = ()
    by_group: tuple[ResponseRow, ...] = ()


@dataclass(frozen=True)
class SharedConversation:
    """A resolved conversation shared to the wall; no name, handle or address in it.

    Attributes:
        conversation_id: The conversation.
        channel: The channel's title ("X", "E-mail").
        customer_text: What the customer wrote, masked and cut to :data:`SNIPPET_CHARS`.
        reply_text: Our answer, masked and cut likewise ("" when none was stored).
        resolved_at: When it was resolved.
        shared_at: When it was shared to the wall.
    """

    conversation_id: str
    channel: str
    customer_text: str
    reply_text: str
    resolved_at: datetime | None
    shared_at: datetime


@dataclass(frozen=True)
class TouchPointToday:
    """What one touch point published today.

    Attributes:
        touchpoint_id: The touch point.
        name: Its name, masked.
        kind: Its kind's value ("x", "blog"...).
        published: Posts published today.
        scheduled_later: Posts due today that have not gone out yet (planned, scheduled, on their way).
        failed: Posts due today that failed.
        latest_titles: Titles of today's published posts, newest first, masked.
        last_published_at: When the newest one went out.
    """

    touchpoint_id: str
    name: str
    kind: str
    published: int
    scheduled_later: int
    failed: int
    latest_titles: tuple[str, ...] = ()
    last_published_at: datetime | None = None


@dataclass(frozen=True)
class WallSnapshot:
    """Everything the wall shows at one moment, already masked.

    Attributes:
        workspace_name: The workspace's name, masked.
        taken_at: When the snapshot was taken (UTC).
        day_start: Start of "today" (aware, in the wall's zone).
        hot_issues: The hottest issues, pinned first.
        live_issues: Live, unmuted issues in all.
        response: Response performance today.
        shared: The newest conversations shared to the wall.
        shared_total: How many are shared in all.
        published: Touch points with posts due or published today, busiest first.
        published_total: Posts published today over every touch point.
        names_checked: False when no language model could look for person names, so
            only the names the workspace knows were removed.
    """

    workspace_name: str
    taken_at: datetime
    day_start: datetime
    hot_issues: tuple[HotIssue, ...] = ()
    live_issues: int = 0
    response: ResponseToday = field(
        default_factory=lambda: ResponseToday(
            ResponseRow("all", "All channels", 0, 0, None, 0, None, None, None, 0, 0)
        )
    )
    shared: tuple[SharedConversation, ...] = ()
    shared_total: int = 0
    published: tuple[TouchPointToday, ...] = ()
    published_total: int = 0
    names_checked: bool = True


# --------------------------------------------------------------------------- words
def trend_of(recent: int, previous: int) -> Trend:
    """Rising or falling when the count moved by at least two and a quarter; else steady.

    Both conditions are needed: 1 → 2 doubles but is noise, and 200 → 202 is
    two more but no change anyone should act on.
    """
    delta = recent - previous
    if delta >= 2 and recent >= previous * 1.25:
        return "rising"
    if delta <= -2 and recent <= previous * 0.8:
        return "falling"
    return "steady"


def mood_of(sentiment: float | None) -> str:
    """A mean sentiment as a word, with VADER's own cut-offs (±0.05) and ±0.5 for "very"."""
    if sentiment is None:
        return "unknown"
    if sentiment < -_STRONG:
        return "very negative"
    if sentiment < _NEGATIVE_BELOW:
        return "negative"
    if sentiment > _STRONG:
        return "very positive"
    if sentiment > _POSITIVE_ABOVE:
        return "positive"
    return "neutral"


# --------------------------------------------------------------------------- masking
_EMAIL_SHAPE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE_SHAPE = re.compile(r"(?<![\w@/.\[])@(\w+)")
_U_HANDLE_SHAPE = re.compile(r"(?<![\w/])u/(\w{2,})")
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_DATE = re.compile(r"\d{4}([./-])\d{1,2}\1\d{1,2}|\d{1,2}([./-])\d{1,2}\2\d{2,4}")
_MIN_DIGITS = 7
_MIN_NAME_PART = 3
_CACHE_SIZE = 4096


class _NerCache:
    """mask_personal_data per (text, kept handles), remembered: the wall shows the same texts all day."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: OrderedDict[tuple[str, tuple[str, ...], str], tuple[str, bool]] = OrderedDict()

    def mask(self, text: str, keep: tuple[str, ...], pipeline: LoadedPipeline) -> tuple[str, bool]:
        key = (text, keep, pipeline.name)
        with self._lock:
            hit = self._done.get(key)
            if hit is not None:
                self._done.move_to_end(key)
                return hit
        result = mask_personal_data(text, pipeline=pipeline, keep_handles=keep)
        value = (result.masked, result.names_checked)
        with self._lock:
            self._done[key] = value
            while len(self._done) > _CACHE_SIZE:
                self._done.popitem(last=False)
        return value


_NER = _NerCache()


def _strip_shapes(text: str, keep: frozenset[str]) -> str:
    """The second line of defence: whatever still looks like an address, a handle or a phone."""
    text = _EMAIL_SHAPE.sub("[email]", text)
    text = _HANDLE_SHAPE.sub(lambda m: m.group(0) if m.group(1).lower() in keep else "@[handle]", text)
    text = _U_HANDLE_SHAPE.sub(lambda m: m.group(0) if m.group(1).lower() in keep else "u/[handle]", text)

    def digits(m: re.Match[str]) -> str:
        run = m.group(0)
        if sum(ch.isdigit() for ch in run) < _MIN_DIGITS or _DATE.fullmatch(run.strip()):
            return run
        return "[number]"

    return _DIGIT_RUN.sub(digits, text)


def _name_variants(names: Iterable[str], keep: frozenset[str]) -> list[str]:
    """The strings that identify these people: each whole name, its parts, bare handles and addresses.

    Identity keys come as ``"x:anna_k"`` or ``"email:anna@example.com"``: the part
    after the colon is what a text would contain. Parts shorter than three
    characters are left out (they would eat ordinary words).
    """
    found: set[str] = set()
    for raw in names:
        name = raw.split(":", 1)[1] if ":" in raw and " " not in raw.split(":", 1)[0] else raw
        name = name.strip().lstrip("@")
        if len(name) < _MIN_NAME_PART or name.lower() in keep:
            continue
        found.add(name)
        if "@" in name:
            found.add(name.split("@", 1)[0])
        for part in re.split(r"[\s_.]+", name):
            if len(part) >= _MIN_NAME_PART and part.isalpha() and part.lower() not in keep:
                found.add(part)
    # Longest first, so "Anna Schmidt" goes before "Anna" leaves "Schmidt" behind.
    return sorted(found, key=lambda n: (-len(n), n))


def _strip_names(text: str, variants: Sequence[str]) -> str:
    for name in variants:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[name]", text, flags=re.IGNORECASE)
    return text


class _Masker:
    """Masks one snapshot's texts: NER + regexes, then shapes, then the people the text is about."""

    def __init__(self, pipeline: LoadedPipeline, keep: Iterable[str]) -> None:
        self.pipeline = pipeline
        self.keep = tuple(sorted({h.strip().lstrip("@").lower() for h in keep if h.strip()}))
        self._keep_set = frozenset(self.keep)
        self.names_checked = True

    def variants(self, names: Iterable[str]) -> list[str]:
        return _name_variants(names, self._keep_set)

    def __call__(self, text: str, people: Sequence[str] = ()) -> str:
        if not text or not text.strip():
            return ""
        masked, checked = _NER.mask(text, self.keep, self.pipeline)
        self.names_checked = self.names_checked and checked
        masked = _strip_shapes(masked, self._keep_set)
        return _strip_names(masked, people) if people else masked


def _snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """One paragraph of at most ``limit`` characters, cut at a word with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


# --------------------------------------------------------------------------- sections
def _day_start(now: datetime, tz: tzinfo | None) -> datetime:
    """Midnight of ``now``'s day in ``tz`` (the system's zone when None), DST-correct."""
    if tz is None:
        local = now.astimezone()
        return datetime(local.year, local.month, local.day).astimezone()
    local = now.astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz)


def _next_day_start(start: datetime, tz: tzinfo | None) -> datetime:
    """The midnight after ``start`` (days last 23 to 25 hours where clocks change)."""
    return _day_start(start + timedelta(hours=26), tz)


def _recent_items(workspace: Workspace, since: datetime) -> list[Item]:
    """The items said since ``since``, read from the newest partitions only.

    ``recent`` converts only as many items as asked for; ask for more while
    even the oldest returned is still recent.
    """
    limit = RECENT_BATCH
    while True:
        items = workspace.items.recent(limit)
        if len(items) < limit or items[-1].when < since:
            return [item for item in items if item.when >= since]
        limit *= 4


def _ranked_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Live issues in the Hot issues order: pinned first, then by hot score (muted left out).

    The same order as ``AnalysisService.hot``, without importing the analysis
    machinery (scikit-learn) into the wall.
    """
    live = [i for i in issues if i.merged_into is None and i.item_count > 0]
    ranked = sorted(live, key=lambda i: (not i.pinned, i.muted, -i.hot_score, i.label))
    return [i for i in ranked if not i.muted or i.pinned]


def _hot_issues(
    issues: list[Issue], items: list[Item], now: datetime, limit: int, mask: _Masker
) -> list[HotIssue]:
    chosen = issues[:limit]
    wanted = {i.id for i in chosen}
    hour = timedelta(hours=1)
    hourly: dict[str, list[int]] = {iid: [0] * SPARK_HOURS for iid in wanted}
    recent: dict[str, int] = dict.fromkeys(wanted, 0)
    previous: dict[str, int] = dict.fromkeys(wanted, 0)
    sentiments: dict[str, list[float]] = {iid: [] for iid in wanted}
    authors: dict[str, set[str]] = {iid: set() for iid in wanted}
    for item in items:
        iid = item.issue_id
        if iid not in wanted:
            continue
        if item.author:
            authors[iid].add(item.author)
        age = now - item.when
        age = max(age, timedelta(0))  # clock skew: a future item counts as now
        k = int(age / hour)
        if k < SPARK_HOURS:
            hourly[iid][SPARK_HOURS - 1 - k] += 1
        if k < TREND_HOURS:
            recent[iid] += 1
        elif k < 2 * TREND_HOURS:
            previous[iid] += 1
        if item.sentiment is not None and k < SENTIMENT_HOURS:
            sentiments[iid].append(item.sentiment)
    out = []
    for issue in chosen:
        scores = sentiments[issue.id]
        sentiment = fmean(scores) if scores else None
        people = mask.variants(authors[issue.id])
        out.append(
            HotIssue(
                issue_id=issue.id,
                label=mask(issue.label or "(unnamed issue)", people),
                items=issue.item_count,
                recent=recent[issue.id],
                previous=previous[issue.id],
                trend=trend_of(recent[issue.id], previous[issue.id]),
                hourly=tuple(hourly[issue.id]),
                sentiment=sentiment,
                mood=mood_of(sentiment),
                negative_share=issue.negative_share,
                pinned=issue.pinned,
            )
        )
    return out


def _row(
    key: str,
    title: str,
    metric: MetricRow | None,
    urgent_target: int | None,
    reply_target: int | None,
    open_urgent: int,
    breached: int,
) -> ResponseRow:
    if metric is None:
        return ResponseRow(
            key, title, 0, 0, None, 0, None, urgent_target, reply_target, open_urgent, breached
        )
    stat = metric.first_response
    return ResponseRow(
        key=key,
        title=title,
        opened=metric.conversations,
        answered=stat.count,
        on_time=stat.within_target,
        judged=stat.judged,
        median_minutes=stat.median,
        urgent_target=urgent_target,
        reply_target=reply_target,
        open_urgent=open_urgent,
        breached=breached,
    )


def _response(
    convs: list[Conversation], targets: ResponseTargets, start: datetime, end: datetime, now: datetime
) -> ResponseToday:
    metrics = desk_metrics(convs, targets, start, end, now=now)
    open_urgent: dict[str, int] = {}
    breached: dict[str, int] = {}
    by_group_urgent = 0
    by_group_breached: dict[str, int] = {}
    for conv in convs:
        if not conv.is_live or conv.status != ConversationStatus.OPEN:
            continue
        channel = conv.channel.value
        if conv.group == TriageGroup.URGENT:
            open_urgent[channel] = open_urgent.get(channel, 0) + 1
            by_group_urgent += 1
        t = timer(conv, now, targets)
        if t is not None and t.state == "breached":
            breached[channel] = breached.get(channel, 0) + 1
            by_group_breached[conv.group.value] = by_group_breached.get(conv.group.value, 0) + 1
    per_channel = {row.key: row for row in metrics.by_channel}
    channels = sorted(set(per_channel) | set(open_urgent) | set(breached))
    rows = []
    for value in channels:
        channel = Channel(value)
        own = targets.for_channel(channel)
        rows.append(
            _row(
                value,
                channel_name(channel),
                per_channel.get(value),
                own.urgent_minutes,
                own.reply_minutes,
                open_urgent.get(value, 0),
                breached.get(value, 0),
            )
        )
    rows.sort(key=lambda r: (-(r.opened + r.open_urgent + r.breached), r.title))
    per_group = {row.key: row for row in metrics.by_group}
    groups = []
    for group in (TriageGroup.URGENT, TriageGroup.REPLY):
        minutes = targets.default.minutes(group)
        groups.append(
            _row(
                group.value,
                "Urgent" if group is TriageGroup.URGENT else "Needs an answer",
                per_group.get(group.value),
                minutes if group is TriageGroup.URGENT else None,
                minutes if group is TriageGroup.REPLY else None,
                by_group_urgent if group is TriageGroup.URGENT else 0,
                by_group_breached.get(group.value, 0),
            )
        )
    overall = _row(
        "all",
        "All channels",
        metrics.overall,
        targets.default.urgent_minutes,
        targets.default.reply_minutes,
        sum(open_urgent.values()),
        sum(breached.values()),
    )
    return ResponseToday(overall, tuple(rows), tuple(groups))


def _shared(convs: list[Conversation], limit: int, mask: _Masker) -> tuple[list[SharedConversation], int]:
    shared = [c for c in convs if c.is_live and c.wall is not None]
    shared.sort(key=lambda c: c.wall.at if c.wall is not None else c.updated_at, reverse=True)
    out = []
    for conv in shared[:limit]:
        wall = conv.wall
        assert wall is not None
        people = mask.variants([conv.customer, *conv.identity_keys])
        out.append(
            SharedConversation(
                conversation_id=conv.id,
                channel=channel_name(wall.channel),
                customer_text=_snippet(mask(wall.customer_text, people)),
                reply_text=_snippet(mask(wall.reply_text, people)),
                resolved_at=conv.resolved_at,
                shared_at=wall.at,
            )
        )
    return out, len(shared)


def _published(
    posts: list[ScheduledPost],
    touchpoints: list[TouchPoint],
    start: datetime,
    end: datetime,
    now: datetime,
    titles: int,
    mask: _Masker,
) -> tuple[list[TouchPointToday], int]:
    names = {tp.id: tp for tp in touchpoints}
    done: dict[str, list[ScheduledPost]] = {}
    later: dict[str, int] = {}
    failed: dict[str, int] = {}
    for post in posts:
        if post.status is PostStatus.PUBLISHED:
            when = post.published_at or post.publish_at
            if start <= when < end:
                done.setdefault(post.touchpoint_id, []).append(post)
        elif post.status in (PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PLANNED):
            if now <= post.publish_at < end or (
                post.status is PostStatus.PUBLISHING and post.publish_at < end
            ):
                later[post.touchpoint_id] = later.get(post.touchpoint_id, 0) + 1
        elif post.status is PostStatus.FAILED and start <= post.publish_at < end:
            failed[post.touchpoint_id] = failed.get(post.touchpoint_id, 0) + 1
    out = []
    for tp_id in set(done) | set(later) | set(failed):
        tp = names.get(tp_id)
        mine = sorted(done.get(tp_id, []), key=lambda p: p.published_at or p.publish_at, reverse=True)
        out.append(
            TouchPointToday(
                touchpoint_id=tp_id,
                name=mask(tp.name) if tp is not None else "A removed touch point",
                kind=tp.kind.value if tp is not None else "",
                published=len(mine),
                scheduled_later=later.get(tp_id, 0),
                failed=failed.get(tp_id, 0),
                latest_titles=tuple(
                    masked for p in mine[:titles] if (masked := mask(p.title or p.text[:120]))
                ),
                last_published_at=(mine[0].published_at or mine[0].publish_at) if mine else None,
            )
        )
    out.sort(key=lambda t: (-t.published, -t.scheduled_later, t.name.casefold()))
    return out, sum(t.published for t in out)


# --------------------------------------------------------------------------- entry point
def wall_snapshot(
    workspace: Workspace,
    now: datetime | None = None,
    *,
    tz: tzinfo | None = None,
    pipeline: LoadedPipeline | None = None,
    hot_limit: int = 5,
    shared_limit: int = 3,
    titles_per_touchpoint: int = 3,
) -> WallSnapshot:
    """Read the workspace once and return what the wall shows, masked.

    Args:
        workspace: The open workspace (read-only is fine: nothing is written).
        now: The moment to describe (default: now); inject it in tests.
        tz: The zone whose calendar day is "today" (default: the system's).
        pipeline: The spaCy pipeline for person names (default: the shared one).
        hot_limit: How many hot issues to return.
        shared_limit: How many shared conversations to return (the newest).
        titles_per_touchpoint: How many post titles to keep per touch point.

    Returns:
        The snapshot; every string in it went through the masking described in
        the module docstring.
    """
    now = now or utcnow()
    start = _day_start(now, tz)
    end = _next_day_start(start, tz)
    pipe = pipeline if pipeline is not None else load_pipeline()
    settings = workspace.config.get_or_default("desk_settings", DeskSettings)
    mask = _Masker(pipe, settings.own_handles)
    targets = workspace.config.get_or_default(TARGETS_KEY, ResponseTargets)

    ranked = _ranked_issues(workspace.issues.list())
    items = _recent_items(workspace, now - timedelta(hours=SENTIMENT_HOURS)) if ranked else []
    hot = _hot_issues(ranked, items, now, hot_limit, mask)
    convs = DeskTables(workspace.store).conversations.list()
    response = _response(convs, targets, start, end, now)
    shared, shared_total = _shared(convs, shared_limit, mask)
    published, published_total = _published(
        workspace.posts.list(), workspace.touchpoints.list(), start, end, now, titles_per_touchpoint, mask
    )
    return WallSnapshot(
        workspace_name=mask(workspace.name) or "Workspace",
        taken_at=now,
        day_start=start,
        hot_issues=tuple(hot),
        live_issues=len(ranked),
        response=response,
        shared=tuple(shared),
        shared_total=shared_total,
        published=tuple(published),
        published_total=published_total,
        names_checked=mask.names_checked and pipe.has_ner,
    )
