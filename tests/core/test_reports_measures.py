"""Engagement measures on a small workspace whose answers are worked out by hand below.

The fixture (:func:`build_fixture`) is shared with the council, PDF, view and
command-line tests. Its clock is Europe/Berlin (UTC+1 in November); week 47
of 2026 runs from Mon 16 Nov 00:00 to Mon 23 Nov 00:00 Berlin time, that is
2026-11-15 23:00 to 2026-11-22 23:00 UTC. "Now" is 2026-11-23 12:00 UTC.

Customer items of week 47 (sentiment in brackets, "neg" below -0.05):

====  =========  ===========  ====================  =========  =====
item  channel    author       said (Berlin)         sentiment  issue
====  =========  ===========  ====================  =========  =====
i1    X          @anna        Mon 16 10:00          -0.6 neg   A
i2    X          @anna        Tue 17 10:00          +0.5       A
i3    forum      Ben H.       Tue 17 12:00          -0.2 neg   A
i4    Instagram  @anna.k      Wed 18 09:00          -0.9 neg   -
i5    review     (nobody)     Thu 19 15:00          (none)     -
i6    X          @carl        Sun 22 23:30          0.0        B
====  =========  ===========  ====================  =========  =====

Left out of week 47's customer items: i7 (@dora, Sun 22 23:30 UTC = Mon 23
00:30 Berlin: week 48), i8 (a news article, issue A), i9 (a duplicate of i1)
and three news articles of issue E. i4 shares no key with @anna but sits in
her conversation (an agent linked it), so Anna is one customer on two
channels.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from curator.domain import (
    Channel,
    Draft,
    DraftStatus,
    Issue,
    Item,
    PostStatus,
    ScheduledPost,
    Source,
    SourceKind,
    TouchPoint,
    TouchPointKind,
)
from curator.reports.measures import (
    ReportError,
    Scope,
    load_snapshot,
    measure,
    measure_snapshot,
    pending_actions,
    resolve_scope,
)
from curator.reports.periods import parse_period
from curator.store.repositories import TinyRepository
from curator.triage.model import Conversation, ConversationStatus, DeskTables, TriageGroup, TriageRecord
from curator.workspace import Workspace

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
W47 = parse_period("2026-W47", BERLIN)
W46 = parse_period("2026-W46", BERLIN)


def berlin(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Berlin wall-clock time in November 2026, as stored (UTC)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def _item(
    item_id: str,
    when: datetime,
    *,
    source: str = "mentions",
    channel: Channel = Channel.X,
    author: str = "",
    sentiment: float | None = None,
    issue: str | None = None,
    masked: str = "",
    duplicate_of: str | None = None,
) -> Item:
    return Item(
        source_id=source,
        title="",
        text=masked or f"text of {item_id}",
        author=author,
        channel=channel,
        published_at=when,
        fetched_at=when,
        sentiment=sentiment,
        issue_id=issue,
        masked_text=masked,
        duplicate_of=duplicate_of,
        id=item_id,
    )


def build_fixture(path: Path) -> Path:
    """Write the workspace described in the module docstring at ``path``."""
    with Workspace.open(path, create=True, name="Fixture Coffee") as ws:
        ws.sources.save_many(
            [
                Source(
                    "Listening export", "https://l.example/m.json", kind=SourceKind.MENTIONS, id="mentions"
                ),
                Source("Brew forum", "https://forum.example/rss", channel=Channel.FORUM, id="forum"),
                Source("App reviews", "https://reviews.example/rss", channel=Channel.REVIEW, id="reviews"),
                Source("Press", "https://press.example/rss", channel=Channel.NEWS, id="press"),
            ]
        )
        ws.items.save_many(
            [
                # week 47, customers
                _item("i1", berlin(16, 10), author="@anna", sentiment=-0.6, issue="A"),
                _item("i2", berlin(17, 10), author="@anna", sentiment=0.5, issue="A"),
                _item(
                    "i3",
                    berlin(17, 12),
                    source="forum",
                    channel=Channel.FORUM,
                    author="Ben H.",
                    sentiment=-0.2,
                    issue="A",
                    masked="Ben here: the oat milk surcharge is too high, see https://example.com/x",
                ),
                _item("i4", berlin(18, 9), channel=Channel.INSTAGRAM, author="@anna.k", sentiment=-0.9),
                _item("i5", berlin(19, 15), source="reviews", channel=Channel.REVIEW),
                _item(
                    "i6", berlin(22, 23, 30), author="@carl", sentiment=0.0, issue="B", masked="Login fails"
                ),
                # the first minutes of week 48 (Berlin), still Sunday in UTC
                _item("i7", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), author="@dora", sentiment=-0.5),
                # not customer items
                _item("i8", berlin(18, 8), source="press", channel=Channel.NEWS, sentiment=0.1, issue="A"),
                _item("i9", berlin(16, 10, 5), author="@anna", sentiment=-0.6, issue="A", duplicate_of="i1"),
                *(
                    _item(f"e{n}", berlin(19, 9 + n), source="press", channel=Channel.NEWS, issue="E")
                    for n in range(3)
                ),
                _item("d1", berlin(19, 9), source="press", channel=Channel.NEWS, issue="D"),
                _item("d2", berlin(20, 9), source="press", channel=Channel.NEWS, issue="D"),
                # week 46
                _item("p1", berlin(11, 11), author="@anna", sentiment=-0.8, issue="A"),
                _item(
                    "p2",
                    berlin(12, 9),
                    source="forum",
                    channel=Channel.FORUM,
                    author="Ben H.",
                    sentiment=0.3,
                    issue="B",
                ),
                _item("k3", berlin(9, 11), source="press", channel=Channel.NEWS, issue="C"),
                # earlier
                _item("q1", berlin(1, 12), source="press", channel=Channel.NEWS, issue="B"),
                _item("k1", berlin(2, 12), source="press", channel=Channel.NEWS, issue="C"),
                _item("k2", berlin(5, 12), source="press", channel=Channel.NEWS, issue="C"),
            ]
        )
        ws.issues.save_many(
            [
                Issue("oat milk price", item_count=5, representative_item_id="i3", id="A"),
                Issue("app login", item_count=3, id="B"),
                Issue("cup recycling", item_count=3, id="C"),
                Issue("barista contest", item_count=2, muted=True, id="D"),
                Issue("new café opening", item_count=3, id="E"),
            ]
        )
        tables = DeskTables(ws.store)
        tables.triage.save_many(
            [
                TriageRecord("i1", "c1", Channel.X, berlin(16, 10), identity_keys=["x:anna"]),
                TriageRecord("i2", "c1", Channel.X, berlin(17, 10), identity_keys=["x:anna"]),
                TriageRecord(
                    "i4", "c5", Channel.INSTAGRAM, berlin(18, 9), identity_keys=["instagram:anna.k"]
                ),
                TriageRecord("i3", "c2", Channel.FORUM, berlin(17, 12), identity_keys=["forum:forum:ben h."]),
                TriageRecord("i6", "c3", Channel.X, berlin(22, 23, 30), identity_keys=["x:carl"]),
                TriageRecord("p1", "c0", Channel.X, berlin(11, 11), identity_keys=["x:anna"]),
            ]
        )
        c1_open = berlin(16, 10)
        c2_open = berlin(17, 12)
        c3_open = berlin(22, 23, 30)
        c0_open = berlin(11, 11)
        tables.conversations.save_many(
            [
                Conversation(
                    "Anna",
                    Channel.X,
                    c1_open,
                    identity_keys=["x:anna", "instagram:anna.k"],
                    item_ids=["i1", "i2", "i4"],
                    status=ConversationStatus.RESOLVED,
                    group=TriageGroup.URGENT,
                    first_response_at=c1_open + timedelta(minutes=20),
                    resolved_at=c1_open + timedelta(minutes=120),
                    id="c1",
                ),
                # i4's own conversation, linked into Anna's by an agent: not counted on its own.
                Conversation("anna.k", Channel.INSTAGRAM, berlin(18, 9), merged_into="c1", id="c5"),
                Conversation(
                    "Ben H.",
                    Channel.FORUM,
                    c2_open,
                    item_ids=["i3"],
                    status=ConversationStatus.WAITING,
                    group=TriageGroup.REPLY,
                    first_response_at=c2_open + timedelta(minutes=300),
                    id="c2",
                ),
                Conversation(
                    "Carl",
                    Channel.X,
                    c3_open,
                    item_ids=["i6"],
                    status=ConversationStatus.OPEN,
                    group=TriageGroup.REPLY,
                    awaiting_since=c3_open,
                    id="c3",
                ),
                Conversation(
                    "Anna",
                    Channel.X,
                    c0_open,
                    item_ids=["p1"],
                    status=ConversationStatus.RESOLVED,
                    group=TriageGroup.URGENT,
                    first_response_at=c0_open + timedelta(minutes=50),
                    resolved_at=c0_open + timedelta(minutes=600),
                    id="c0",
                ),
            ]
        )
        ws.touchpoints.save_many(
            [
                TouchPoint("X @fixture", TouchPointKind.X, "Europe/Berlin", id="tpx"),
                TouchPoint("Newsletter", TouchPointKind.NEWSLETTER, "Europe/Berlin", id="tpn"),
            ]
        )

        def post(post_id: str, tp: str, at: datetime, status: PostStatus) -> ScheduledPost:
            published = at if status is PostStatus.PUBLISHED else None
            return ScheduledPost("draft", tp, at, status=status, published_at=published, id=post_id)

        ws.posts.save_many(
            [
                post("post1", "tpx", berlin(17, 9), PostStatus.PUBLISHED),
                post("post2", "tpn", berlin(18, 7), PostStatus.PUBLISHED),
                post("post3", "tpx", berlin(19, 12), PostStatus.FAILED),
                post("post4", "tpx", berlin(20, 12), PostStatus.SCHEDULED),
                post("post5", "tpn", berlin(10, 7), PostStatus.PUBLISHED),
                post("post6", "tpx", berlin(20, 13), PostStatus.CANCELLED),
            ]
        )
        ws.drafts.save_many(
            [
                Draft("Oat milk: our answer", status=DraftStatus.IN_REVIEW, id="dr1"),
                Draft("Login fix explained", status=DraftStatus.IN_REVIEW, id="dr2"),
                Draft("Cup recycling", status=DraftStatus.APPROVED, id="dr3"),
                Draft("Winter menu", status=DraftStatus.DRAFT, id="dr4"),
            ]
        )
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(build_fixture(tmp_path / "ws"), read_only=True) as opened:
        yield opened


def test_week_47_measures_match_the_hand_count(ws: Workspace) -> None:
    m = measure(ws, W47, now=NOW)
    # customer items: i1..i6 (i7 is week 48 in Berlin, i8 news, i9 a duplicate, e*/d* news)
    assert m.items == 6
    # customers: Anna (i1, i2, i4 via her conversation), Ben (i3), Carl (i6); i5 names nobody
    assert m.customers == 3
    assert m.unidentified_items == 1
    # loudest tenth: ceil(3 * 0.1) = 1 customer (Anna, 3 items) of 5 identified items
    assert m.loud_customers == 1
    assert m.loud_share == pytest.approx(3 / 5)
    # Anna wrote on Mon, Tue, Wed through X and Instagram; Ben and Carl once
    assert m.repeat_engagers == 1
    assert m.cross_channel_customers == 1
    assert m.repeat_share == pytest.approx(1 / 3)
    # tone: scored i1 -0.6, i2 0.5, i3 -0.2, i4 -0.9, i6 0.0 (i5 not analysed)
    assert m.scored_items == 5
    assert m.negative_share == pytest.approx(3 / 5)  # i1, i3, i4
    assert m.mean_sentiment == pytest.approx((-0.6 + 0.5 - 0.2 - 0.9 + 0.0) / 5)


def test_days_are_counted_on_the_periods_clock(ws: Workspace) -> None:
    m = measure(ws, W47, now=NOW)
    assert [b.first_day for b in m.buckets] == [date(2026, 11, 16) + timedelta(days=n) for n in range(7)]
    assert [b.label for b in m.buckets] == [
        "Mon 16",
        "Tue 17",
        "Wed 18",
        "Thu 19",
        "Fri 20",
        "Sat 21",
        "Sun 22",
    ]
    # Mon i1 | Tue i2, i3 | Wed i4 | Thu i5 | Sun i6 (23:30 Berlin, still Sunday)
    assert [b.items for b in m.buckets] == [1, 2, 1, 1, 0, 0, 1]
    # negative shares: Mon 1/1, Tue 1/2 (i3), Wed 1/1, Thu none scored, Sun 0/1
    assert [b.negative_share for b in m.buckets] == [1.0, 0.5, 1.0, None, None, None, 0.0]
    # i7, said at 23:30 UTC on Sunday, is Monday 00:30 in Berlin: week 48
    w48 = measure(ws, W47.next(), now=NOW)
    assert w48.items == 1 and w48.buckets[0].items == 1


def test_channels(ws: Workspace) -> None:
    m = measure(ws, W47, now=NOW)
    by = {c.channel: c for c in m.channels}
    assert set(by) == {Channel.X, Channel.FORUM, Channel.INSTAGRAM, Channel.REVIEW}
    assert (by[Channel.X].items, by[Channel.X].customers) == (3, 2)  # i1, i2, i6: Anna and Carl
    assert by[Channel.X].conversations == 2  # c1 and c3 started on X
    assert by[Channel.X].answered_share == pytest.approx(1 / 2)  # c1 answered, c3 not
    assert by[Channel.X].negative_share == pytest.approx(1 / 3)  # i1 of i1, i2, i6
    assert by[Channel.FORUM].first_response.median == pytest.approx(300)
    assert by[Channel.REVIEW].items == 1 and by[Channel.REVIEW].customers == 0
    assert m.channels[0].channel is Channel.X  # most items first


def test_desk_times_against_targets(ws: Workspace) -> None:
    m = measure(ws, W47, now=NOW)
    # c1, c2, c3 started in week 47; c5 was merged into c1; c0 is week 46
    assert m.conversations == 3
    assert (m.needing_answer, m.answered) == (3, 2)
    assert m.answered_share == pytest.approx(2 / 3)
    # first replies after 20 and 300 minutes: median (20 + 300) / 2 = 160,
    # p90 = 20 + (300 - 20) * 0.9 = 272 (linear interpolation)
    assert m.first_response.median == pytest.approx(160)
    assert m.first_response.p90 == pytest.approx(272)
    # targets: urgent 30 min (c1: 20, met), reply 240 min (c2: 300, missed); c3 was
    # 30 minutes old when the week ended, within its 240 minutes: not judged yet
    assert m.first_response.within_target == pytest.approx(1 / 2)
    assert m.first_response.judged == 2
    assert m.resolution.median == pytest.approx(120)


def test_issues_opened_closed_and_hot(ws: Workspace) -> None:
    m = measure(ws, W47, now=NOW)
    # items of week 47 per issue: A i1 i2 i3 i8 (i9 is a duplicate), E e0-e2, D d1 d2, B i6
    assert m.issues_active == 4
    # opened: E (3 items, first on Thu 19); A opened in week 46, B and C earlier, D has 2 items only
    assert m.issues_opened == 1
    # gone quiet: C's last item (k3, Mon 9 Nov 11:00 Berlin) + 7 days = Mon 16 Nov: week 47
    assert m.issues_closed == 1
    # D is muted: not a hot issue
    assert [(i.issue_id, i.items) for i in m.hot_issues] == [("A", 4), ("E", 3), ("B", 1)]
    a = m.hot_issues[0]
    assert a.label == "oat milk price"
    assert a.negative_share == pytest.approx(2 / 4)  # i1, i3 of i1, i2, i3, i8
    assert a.total_items == 5  # p1, i1, i2, i3, i8
    # the representative item's masked text, with the name of one of the issue's customers masked
    assert a.example.startswith("[name] here: the oat milk surcharge")
    assert m.hot_issues[1].negative_share is None  # news without a tone score
    w46 = measure(ws, W46, now=NOW)
    assert w46.issues_opened == 1  # A: first item p1 on Wed 11 Nov
    assert w46.issues_closed == 0


def test_content_published_and_reach_not_measured(ws: Workspace) -> None:
    m = measure(ws, W47, now=NOW)
    # post1 (X) and post2 (newsletter) went out; post3 failed; post4 is scheduled, post6 cancelled
    assert (m.published, m.failed_posts) == (2, 1)
    # most published first, then most failed
    expected = [("X @fixture", 1, 1), ("Newsletter", 1, 0)]
    assert [(t.name, t.published, t.failed) for t in m.touchpoints] == expected
    assert m.content_reach is None and all(t.reach is None for t in m.touchpoints)
    assert "not measured" in m.reasons["content_reach"]
    assert measure(ws, W46, now=NOW).published == 1  # post5


def test_scope_by_channel_and_touchpoint(ws: Workspace) -> None:
    x = measure(ws, W47, "x", now=NOW)
    assert x.scope.label == "X"
    assert (x.items, x.customers, x.conversations) == (3, 2, 2)
    assert x.answered_share == pytest.approx(1 / 2)
    assert (x.published, x.failed_posts) == (1, 1)  # the X touch point's posts only
    newsletter = measure(ws, W47, "newsletter", now=NOW)  # a touch point's name, any case
    assert newsletter.scope.channels == frozenset()
    assert (newsletter.items, newsletter.published) == (0, 1)
    by_id = measure(ws, W47, "tpx", now=NOW)
    assert by_id.scope.label == "X @fixture" and by_id.items == 3
    with pytest.raises(ReportError, match="no touch point or channel called 'tiktok'"):
        measure(ws, W47, "tiktok", now=NOW)


def test_pending_actions_now(ws: Workspace) -> None:
    snapshot = load_snapshot(ws, now=NOW)
    pending = pending_actions(snapshot)
    assert (pending.drafts_in_review, pending.approved_unscheduled) == (2, 1)
    # c3 has waited since Sun 22:30 UTC for a reply due within 240 minutes
    assert (pending.conversations_past_target, pending.open_conversations) == (1, 1)
    assert pending.failed_posts == 1
    assert pending_actions(snapshot, resolve_scope(snapshot, "newsletter")).failed_posts == 0


def test_an_empty_period_says_why_nothing_is_measured(ws: Workspace) -> None:
    m = measure(ws, parse_period("2026-W40", BERLIN), now=NOW)
    assert m.empty
    assert (m.items, m.customers, m.conversations, m.published) == (0, 0, 0, 0)
    assert m.answered_share is None and m.negative_share is None and m.loud_share is None
    assert m.reasons["answered_share"].startswith("No conversation started in this period")
    assert m.reasons["negative_share"] == "No customer items arrived in this period."


def test_each_table_is_read_once(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: dict[str, int] = {}
    original = TinyRepository.list

    def counting(self: TinyRepository[object]) -> list[object]:
        reads[self.table] = reads.get(self.table, 0) + 1
        return original(self)

    monkeypatch.setattr(TinyRepository, "list", counting)
    snapshot = load_snapshot(ws, now=NOW)
    for period in (W47, W46, W47.next(), parse_period("2026-11", BERLIN)):
        measure_snapshot(snapshot, period, Scope())
    assert reads and max(reads.values()) == 1, reads
    assert {"items", "triage", "conversations", "issues", "posts"} <= set(reads)


def test_a_month_and_a_range_cover_their_days(ws: Workspace) -> None:
    month = measure(ws, parse_period("2026-11", BERLIN), now=NOW)
    # every customer item of November: i1-i7 and p1, p2
    assert month.items == 9
    assert len(month.buckets) == 30
    long = measure(ws, parse_period("2026-09-01..2026-11-30", BERLIN), now=NOW)
    # 91 days in ISO weeks, cut at both ends: Tue 1-Sun 6 Sep, 12 whole weeks, Mon 30 Nov
    assert long.items == 9 and len(long.buckets) == 1 + 12 + 1
    assert (long.buckets[0].label, long.buckets[-1].first_day) == ("W36", date(2026, 11, 30))
