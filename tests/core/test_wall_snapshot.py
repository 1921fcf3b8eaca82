"""The monitor wall's snapshot: right counts, and never a piece of personal data.

:func:`build_wall_workspace` writes a workspace whose issue labels, shared
conversations and post titles are full of e-mail addresses, phone numbers,
handles and names (:data:`SECRETS`); the UI tests of the wall reuse it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import spacy

from curator.domain import (
    Channel,
    Issue,
    Item,
    PostStatus,
    ScheduledPost,
    Source,
    SourceKind,
    TouchPoint,
    TouchPointKind,
)
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.reports import wall as wall_module
from curator.reports.wall import WallSnapshot, mood_of, trend_of, wall_snapshot
from curator.triage.model import (
    Conversation,
    ConversationStatus,
    DeskSettings,
    DeskTables,
    TriageGroup,
    WallShare,
)
from curator.triage.targets import TARGETS_KEY, GroupTargets, ResponseTargets
from curator.workspace import Workspace

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TODAY = NOW.replace(hour=0)
YESTERDAY = TODAY - timedelta(days=1)

#: Every piece of personal data the fixture hides in what the wall reads.
SECRETS = (
    "anna.schmidt@example.com",
    "anna.schmidt",
    "Anna Schmidt",
    "Anna",
    "Schmidt",
    "anna_k",
    "+49 30 1234567",
    "30 1234567",
    "1234567",
    "beanqueen",
    "Bob Jones",
    "Bob",
    "bob@example.org",
    "555-123-4567",
    "555 123 4567",
    "bobjones",
    "Carla Mendes",
    "Mendes",
    "Dana Whitfield",
    "Whitfield",
    "020 7946 0958",
    "7946",
    "Evan Ross",
    "evan.ross@example.net",
    "support@northwind.example.com",
)

X, EMAIL, FORUM, REDDIT = Channel.X, Channel.EMAIL, Channel.FORUM, Channel.REDDIT
URGENT, REPLY = TriageGroup.URGENT, TriageGroup.REPLY


def _at(hour: float, day: datetime = TODAY) -> datetime:
    return day + timedelta(hours=hour)


def _items(issue_id: str, ages_h: list[float], sentiment: float | None, author: str) -> list[Item]:
    return [
        Item(
            source_id="mentions",
            title="",
            text=f"Mention of {issue_id} by {author}, mail {author.lower().replace(' ', '.')}@example.com",
            author=author,
            channel=X,
            published_at=NOW - timedelta(hours=age),
            fetched_at=NOW - timedelta(hours=age),
            issue_id=issue_id,
            sentiment=sentiment,
            id=f"{issue_id}-item-{n}-{age}",
        )
        for n, age in enumerate(ages_h)
    ]


def _issues(ws: Workspace) -> None:
    ws.issues.save_many(
        [
            Issue(
                label="Refund for anna.schmidt@example.com still missing",
                item_count=13,
                hot_score=5.0,
                negative_share=0.8,
                id="refund",
            ),
            Issue(
                label="Call Anna Schmidt back on +49 30 1234567", item_count=2, hot_score=4.0, id="callback"
            ),
            Issue(label="Oat milk sold out, says @beanqueen", item_count=6, hot_score=3.0, id="oatmilk"),
            Issue(label="Muted noise", item_count=9, hot_score=9.0, muted=True, id="muted"),
            Issue(label="Merged away", item_count=0, hot_score=8.0, merged_into="refund", id="merged"),
            Issue(label="Store opening hours", item_count=4, hot_score=0.5, pinned=True, id="hours"),
            Issue(label="Empty", item_count=0, hot_score=7.0, id="empty"),
            Issue(label="Loyalty card", item_count=2, hot_score=1.0, id="loyalty"),
            Issue(label="Cup lids leaking", item_count=1, hot_score=0.9, id="lids"),
        ]
    )
    items = [
        # refund: 8 in the last 6 h, 3 in the 6 h before, 2 at 30 h: rising; mean of all 13 (< 48 h).
        *_items("refund", [0.5, 1.5, 1.5, 2.5, 3.5, 4.5, 5.5, 5.9], -0.6, "Anna Schmidt"),
        *_items("refund", [6.5, 8, 11.5], -0.2, "Anna Schmidt"),
        *_items("refund", [30, 30], 0.5, "Anna Schmidt"),
        *_items("callback", [1], -0.1, "anna_k"),
        *_items("callback", [2], -0.1, "Anna Schmidt"),
        # oatmilk: 1 recent, 5 before: falling; one item without a sentiment.
        *_items("oatmilk", [2], None, "beanqueen"),
        *_items("oatmilk", [7, 7, 8, 9, 10], 0.1, "beanqueen"),
        *_items("hours", [1, 3, 7, 9], None, "Evan Ross"),
        # loyalty: only older than 48 h: no recent sentiment, and its items are not even read.
        *_items("loyalty", [60, 70], 0.7, "Bob Jones"),
        *_items("lids", [100], -0.9, "Bob Jones"),
    ]
    ws.items.save_many(items)


def _conversations(ws: Workspace) -> None:
    def conv(cid: str, channel: Channel, opened: datetime, group: TriageGroup, **kw: Any) -> Conversation:
        return Conversation(
            customer=kw.pop("customer", "Someone"),
            channel=channel,
            opened_at=opened,
            group=group,
            id=cid,
            **kw,
        )

    anna_share = WallShare(
        user_id="omar",
        permission_note="asked by DM, said yes",
        customer_text=(
            "Hi, I'm Anna Schmidt (@anna_k). Mail me at anna.schmidt@example.com "
            "or call +49 30 1234567 about order 12345."
        ),
        reply_text=(
            "Thanks Anna, the refund is on its way. Write to support@northwind.example.com "
            "or follow @northwindcoffee."
        ),
        channel=X,
        at=_at(10),
    )
    convs = [
        conv(
            "c1",
            X,
            _at(9),
            URGENT,
            customer="Anna Schmidt",
            identity_keys=["x:anna_k", "email:anna.schmidt@example.com"],
            first_response_at=_at(9 + 10 / 60),
            status=ConversationStatus.RESOLVED,
            resolved_at=_at(9.5),
            wall=anna_share,
        ),
        conv(
            "c2",
            EMAIL,
            _at(10),
            REPLY,
            customer="Bob Jones",
            identity_keys=["email:bob@example.org"],
            first_response_at=_at(14.5),
            status=ConversationStatus.WAITING,
        ),
        conv("c3", X, _at(14), URGENT, awaiting_since=_at(14)),
        conv("c4", X, _at(14 + 50 / 60), URGENT, awaiting_since=_at(14 + 50 / 60)),
        conv("c5", FORUM, _at(10, YESTERDAY), REPLY, awaiting_since=_at(10, YESTERDAY)),
        conv(
            "c6",
            REDDIT,
            _at(9, YESTERDAY),
            REPLY,
            customer="Bob Jones",
            identity_keys=["reddit:bobjones"],
            first_response_at=_at(9.5, YESTERDAY),
            status=ConversationStatus.RESOLVED,
            resolved_at=_at(17, YESTERDAY),
            wall=WallShare(
                user_id="omar",
                permission_note="public thread, asked, said yes",
                customer_text=(
                    "Bob Jones here, text me at 555-123-4567 or 555 123 4567 or bob@example.org, u/bobjones"
                ),
                reply_text="Glad it worked, Bob!",
                channel=REDDIT,
                at=_at(18, YESTERDAY),
            ),
        ),
        conv(
            "c7",
            X,
            _at(8),
            URGENT,
            customer="Anna Schmidt",
            merged_into="c1",
            status=ConversationStatus.RESOLVED,
            wall=anna_share,
        ),
        conv(
            "c8",
            EMAIL,
            _at(11),
            REPLY,
            customer="Evan Ross",
            identity_keys=["email:evan.ross@example.net"],
            first_response_at=_at(11.5),
            status=ConversationStatus.RESOLVED,
            resolved_at=_at(12),
            wall=WallShare(
                user_id="omar",
                permission_note="said yes by e-mail",
                customer_text=(
                    "Dear team, my neighbour Dana Whitfield told me about you. Phone 020 7946 0958."
                ),
                reply_text="Welcome aboard, Evan Ross!",
                channel=EMAIL,
                at=_at(12.5),
            ),
        ),
    ]
    DeskTables(ws.store).conversations.save_many(convs)


def _posts(ws: Workspace) -> None:
    ws.touchpoints.save_many(
        [
            TouchPoint("Northwind on X", TouchPointKind.X, id="tp-x"),
            TouchPoint("Northwind blog", TouchPointKind.BLOG, id="tp-blog"),
            TouchPoint("Newsletter", TouchPointKind.NEWSLETTER, id="tp-news"),
            TouchPoint("Quiet screen", TouchPointKind.IN_STORE_SCREEN, id="tp-quiet"),
        ]
    )

    def post(pid: str, tp: str, at: datetime, status: PostStatus, title: str) -> ScheduledPost:
        published = at if status is PostStatus.PUBLISHED else None
        return ScheduledPost(
            draft_id=f"d-{pid}",
            touchpoint_id=tp,
            publish_at=at,
            title=title,
            status=status,
            published_at=published,
            id=pid,
        )

    ws.posts.save_many(
        [
            post("p1", "tp-x", _at(8), PostStatus.PUBLISHED, "Morning brew tips"),
            post("p2", "tp-x", _at(13), PostStatus.PUBLISHED, "Thanks @beanqueen for the oat milk tip"),
            post("p3", "tp-blog", _at(12), PostStatus.PUBLISHED, "A visit from Carla Mendes, our roaster"),
            post("p4", "tp-x", _at(20, YESTERDAY), PostStatus.PUBLISHED, "Yesterday's post"),
            post("p5", "tp-blog", _at(18), PostStatus.SCHEDULED, "Evening read"),
            post("p6", "tp-x", _at(16), PostStatus.CANCELLED, "Cancelled"),
            post("p7", "tp-news", _at(11), PostStatus.FAILED, "March newsletter"),
            post("p8", "tp-blog", _at(9, TODAY + timedelta(days=1)), PostStatus.SCHEDULED, "Tomorrow"),
        ]
    )


def build_wall_workspace(path: Path) -> Path:
    """Write the wall's fixture workspace at ``path`` (closed again) and return the path."""
    with Workspace.open(path, create=True, name="Wall test") as ws:
        ws.sources.save_many(
            [
                Source(
                    "Listening export", "https://l.example/m.json", kind=SourceKind.MENTIONS, id="mentions"
                ),
                Source("Support inbox", "https://mail.example/inbox", channel=EMAIL, id="inbox"),
            ]
        )
        ws.config.put("desk_settings", DeskSettings(own_handles=["northwindcoffee"]))
        ws.config.put(
            TARGETS_KEY,
            ResponseTargets(channels={"email": GroupTargets(urgent_minutes=60, reply_minutes=480)}),
        )
        _issues(ws)
        _conversations(ws)
        _posts(ws)
    return path


def strings_in(value: Any) -> Iterator[str]:
    """Every string anywhere in a snapshot (fields of dataclasses, tuples, lists, dicts)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from strings_in(getattr(value, f.name))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for element in value:
            yield from strings_in(element)
    elif isinstance(value, dict):
        for key, element in value.items():
            yield from strings_in(key)
            yield from strings_in(element)


def leaks(texts: Iterator[str] | list[str]) -> list[tuple[str, str]]:
    """(secret, text) for every secret that appears in a text (case-insensitive)."""
    return [(secret, text) for text in texts for secret in SECRETS if secret.casefold() in text.casefold()]


@pytest.fixture(scope="module")
def pipe() -> LoadedPipeline:
    loaded = load_pipeline()
    assert loaded.has_ner, loaded.warning
    return loaded


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(build_wall_workspace(tmp_path / "wall"), read_only=True) as opened:
        yield opened


@pytest.fixture
def snap(ws: Workspace, pipe: LoadedPipeline) -> WallSnapshot:
    return wall_snapshot(ws, NOW, tz=UTC, pipeline=pipe)


# --------------------------------------------------------------------------- privacy
def test_no_personal_data_anywhere_in_the_snapshot(snap: WallSnapshot) -> None:
    texts = list(strings_in(snap))
    assert len(texts) > 20  # the walk reached the nested records
    assert leaks(texts) == []


def test_masked_texts_keep_their_meaning_and_the_brand_handle(snap: WallSnapshot) -> None:
    anna = next(s for s in snap.shared if s.conversation_id == "c1")
    assert "[email]" in anna.customer_text
    assert "order 12345" in anna.customer_text  # an order number is not personal data
    assert "refund is on its way" in anna.reply_text
    assert "@northwindcoffee" in anna.reply_text  # the brand's own handle is public
    labels = [i.label for i in snap.hot_issues]
    assert "Oat milk sold out, says @[handle]" in labels
    assert labels[0] == "Store opening hours"  # names of other issues' people do not eat words


def test_known_names_and_shapes_are_removed_even_without_a_language_model(tmp_path: Path) -> None:
    """Without NER only regexes and the names the workspace knows remain: both must still hold."""
    blank = LoadedPipeline(spacy.blank("en"), "blank:en", "0", warning="no model")
    with Workspace.open(build_wall_workspace(tmp_path / "w"), read_only=True) as ws:
        snap = wall_snapshot(ws, NOW, tz=UTC, pipeline=blank)
    assert not snap.names_checked
    texts = [t for s in snap.shared for t in (s.customer_text, s.reply_text)]
    texts += [i.label for i in snap.hot_issues]
    # Names no regex can see and the workspace does not know stay; everything else is gone.
    unknown = {"Dana Whitfield", "Whitfield", "Carla Mendes", "Mendes"}
    assert [leak for leak in leaks(texts) if leak[0] not in unknown] == []
    bob = next(s for s in snap.shared if s.conversation_id == "c6")
    assert bob.customer_text.count("[phone]") + bob.customer_text.count("[number]") == 2
    assert bob.reply_text == "Glad it worked, [name]!"


def test_the_wall_masks_even_what_was_stored_unmasked(tmp_path: Path, pipe: LoadedPipeline) -> None:
    """A share made by an older version (or edited by hand) is masked again, names included."""
    with Workspace.open(build_wall_workspace(tmp_path / "w"), read_only=True) as ws:
        first = wall_snapshot(ws, NOW, tz=UTC, pipeline=pipe)
        again = wall_snapshot(ws, NOW, tz=UTC, pipeline=pipe)
    assert first == again  # cached masking gives the same answer
    evan = next(s for s in first.shared if s.conversation_id == "c8")
    assert "[name]" in evan.customer_text and "[phone]" in evan.customer_text
    assert evan.reply_text == "Welcome aboard, [name]!"


# --------------------------------------------------------------------------- hot issues
def test_hot_issues_rank_trend_and_sentiment(snap: WallSnapshot) -> None:
    ids = [i.issue_id for i in snap.hot_issues]
    assert ids == ["hours", "refund", "callback", "oatmilk", "loyalty"]  # pinned first; top 5
    assert snap.live_issues == 6  # muted, merged and empty ones left out
    by_id = {i.issue_id: i for i in snap.hot_issues}
    refund = by_id["refund"]
    assert (refund.recent, refund.previous, refund.trend) == (8, 3, "rising")
    assert refund.items == 13
    assert refund.sentiment == pytest.approx((8 * -0.6 + 3 * -0.2 + 2 * 0.5) / 13)
    assert refund.mood == "negative"
    assert len(refund.hourly) == 24 and sum(refund.hourly) == 11  # the two 30-h-old items are older
    assert refund.hourly[-1] == 1 and refund.hourly[-2] == 2  # 0.5 h ago; 1.5 h ago twice
    oat = by_id["oatmilk"]
    assert (oat.recent, oat.previous, oat.trend) == (1, 5, "falling")
    assert oat.sentiment == pytest.approx(0.1) and oat.mood == "positive"
    hours = by_id["hours"]
    assert (hours.trend, hours.sentiment, hours.mood, hours.pinned) == ("steady", None, "unknown", True)
    loyalty = by_id["loyalty"]
    assert (loyalty.sentiment, loyalty.mood) == (None, "unknown")
    assert loyalty.recent == loyalty.previous == 0 and loyalty.items == 2


def test_only_recent_items_are_read_however_they_are_batched(
    ws: Workspace, pipe: LoadedPipeline, snap: WallSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the newest items in small batches (growing while all are recent) changes nothing."""
    monkeypatch.setattr(wall_module, "RECENT_BATCH", 3)
    asked: list[int] = []
    recent = ws.items.recent
    monkeypatch.setattr(ws.items, "recent", lambda limit=200: asked.append(limit) or recent(limit))
    assert wall_snapshot(ws, NOW, tz=UTC, pipeline=pipe) == snap
    assert asked == [3, 12, 48]  # 48 returns fewer than asked: the whole table was read


def test_trend_and_mood_words() -> None:
    assert trend_of(2, 1) == "steady"  # doubling one item is noise
    assert trend_of(5, 3) == "rising"
    assert trend_of(202, 200) == "steady"
    assert trend_of(3, 5) == "falling"
    assert mood_of(-0.5) == "negative" and mood_of(0.05) == "neutral"  # the cut-offs themselves
    assert [mood_of(v) for v in (-0.8, -0.2, 0.0, 0.2, 0.8, None)] == [
        "very negative",
        "negative",
        "neutral",
        "positive",
        "very positive",
        "unknown",
    ]


# --------------------------------------------------------------------------- response times
def test_response_today_against_targets(snap: WallSnapshot) -> None:
    overall = snap.response.overall
    assert overall.opened == 5  # c1 c2 c3 c4 c8 (c7 is merged, c5 c6 started yesterday)
    assert overall.answered == 3
    assert overall.median_minutes == pytest.approx(30)  # 10, 30, 270 minutes
    assert overall.judged == 4  # c4 is still within its target: not judged yet
    assert overall.on_time == pytest.approx(0.75)  # c3 missed; e-mail's own 8 h target saves c2
    assert overall.open_urgent == 2 and overall.breached == 2  # c3 (today) and c5 (yesterday)
    assert (overall.urgent_target, overall.reply_target) == (30, 240)
    rows = {r.key: r for r in snap.response.by_channel}
    assert [r.key for r in snap.response.by_channel] == ["x", "email", "forum"]
    x = rows["x"]
    assert (x.opened, x.answered, x.judged, x.on_time, x.open_urgent, x.breached) == (3, 1, 2, 0.5, 2, 1)
    email = rows["email"]
    assert (email.opened, email.on_time, email.median_minutes) == (2, 1.0, pytest.approx(150))
    assert (email.urgent_target, email.reply_target) == (60, 480)
    forum = rows["forum"]
    assert (forum.opened, forum.breached, forum.on_time) == (0, 1, None)
    groups = {r.key: r for r in snap.response.by_group}
    assert (groups["urgent"].opened, groups["urgent"].open_urgent, groups["urgent"].breached) == (3, 2, 1)
    assert (groups["reply"].opened, groups["reply"].breached) == (2, 1)


# --------------------------------------------------------------------------- shared
def test_shared_conversations_newest_first_without_merged_ones(snap: WallSnapshot) -> None:
    assert [s.conversation_id for s in snap.shared] == ["c8", "c1", "c6"]
    assert snap.shared_total == 3
    c6 = snap.shared[2]
    assert c6.channel == "Reddit" and c6.resolved_at == _at(17, YESTERDAY)
    assert "u/[handle]" in c6.customer_text


def test_shared_limit_keeps_the_newest(ws: Workspace, pipe: LoadedPipeline) -> None:
    snap = wall_snapshot(ws, NOW, tz=UTC, pipeline=pipe, shared_limit=1)
    assert [s.conversation_id for s in snap.shared] == ["c8"] and snap.shared_total == 3


# --------------------------------------------------------------------------- published
def test_content_published_today_per_touch_point(snap: WallSnapshot) -> None:
    assert snap.published_total == 3
    assert [t.touchpoint_id for t in snap.published] == ["tp-x", "tp-blog", "tp-news"]
    x, blog, news = snap.published
    assert (x.published, x.scheduled_later, x.failed) == (2, 0, 0)
    assert x.latest_titles == ("Thanks @[handle] for the oat milk tip", "Morning brew tips")
    assert x.last_published_at == _at(13)
    assert (blog.published, blog.scheduled_later) == (1, 1)
    assert "[name]" in blog.latest_titles[0]
    assert (news.published, news.failed, news.latest_titles) == (0, 1, ())


def test_today_is_the_day_in_the_walls_zone(ws: Workspace, pipe: LoadedPipeline) -> None:
    """At 23:30 UTC it is already tomorrow in Berlin: today's posts and conversations are yesterday's."""
    late = _at(23.5)
    utc = wall_snapshot(ws, late, tz=UTC, pipeline=pipe)
    berlin = wall_snapshot(ws, late, tz=ZoneInfo("Europe/Berlin"), pipeline=pipe)
    assert utc.published_total == 3 and utc.response.overall.opened == 5
    assert berlin.day_start == datetime(2026, 3, 3, tzinfo=ZoneInfo("Europe/Berlin"))
    assert berlin.published_total == 0 and berlin.response.overall.opened == 0


# --------------------------------------------------------------------------- empty
def test_an_empty_workspace_gives_an_empty_snapshot(tmp_path: Path, pipe: LoadedPipeline) -> None:
    Workspace.open(tmp_path / "empty", create=True).close()
    with Workspace.open(tmp_path / "empty", read_only=True) as ws:
        snap = wall_snapshot(ws, NOW, pipeline=pipe)
    assert snap.hot_issues == () and snap.shared == () and snap.published == ()
    assert snap.response.overall.opened == 0 and snap.response.overall.on_time is None
    assert snap.workspace_name == "empty" and snap.names_checked
