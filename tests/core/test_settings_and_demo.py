"""Settings registry and the demo workspace."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from curator.demo import ensure_demo_workspace
from curator.domain import Channel, Item, Role, utcnow
from curator.reports.council import build_report
from curator.reports.measures import measure
from curator.reports.periods import parse_period, period_containing
from curator.settings import REGISTRY, Settings, SettingsError
from curator.triage.model import Conversation, ConversationStatus, ReplyStatus, TriageGroup
from curator.triage.service import DeskService
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT

DEMO_JSON = REPO_ROOT / "resources" / "demo" / "demo.json"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo workspace for the module (its creation runs spaCy), made with settings in tmp."""
    base = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CURATOR_DATA_DIR", str(base / "data"))
        mp.setenv("CURATOR_CONFIG_DIR", str(base / "config"))
        return ensure_demo_workspace(base / "demo")


@pytest.fixture
def desk(demo: Path) -> Iterator[DeskService]:
    with Workspace.open(demo, read_only=True) as ws:
        yield DeskService(ws)


def _history() -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = orjson.loads(DEMO_JSON.read_bytes())["desk_history"]
    return history


def _items_by_url(desk: DeskService) -> dict[str, Item]:
    return {i.guid: i for i in desk.ws.items.list()}


def _conversation_of(desk: DeskService, item: Item) -> Conversation:
    record = desk.record(item.id)
    assert record is not None, f"{item.url} was not triaged"
    conv = desk.tables.conversations.get(record.conversation_id)
    while conv is not None and conv.merged_into:
        conv = desk.tables.conversations.get(conv.merged_into)
    assert conv is not None
    return conv


def test_settings_round_trip_and_validate(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "s.json")
    assert settings.get("workspace.last") == ""
    settings.set("workspace.last", "/data/team")
    with pytest.raises(SettingsError, match=r"workspace\.last takes a str"):
        settings.set("workspace.last", 3)
    with pytest.raises(KeyError):
        settings.set("no.such.key", "x")
    settings.save()
    assert Settings(tmp_path / "s.json").get("workspace.last") == "/data/team"


def test_damaged_or_foreign_settings_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(orjson.dumps({"_version": 1, "workspace.last": 42, "retired.key": "x"}))
    assert Settings(path).get("workspace.last") == ""
    path.write_bytes(b"{not json")
    assert Settings(path).get("user.name") == REGISTRY["user.name"].default


def test_every_settings_key_used_in_code_is_declared() -> None:
    used = set()
    for path in [*REPO_ROOT.joinpath("curator").rglob("*.py"), *REPO_ROOT.joinpath("ui").rglob("*.py")]:
        used |= set(re.findall(r"""settings\w*\.(?:get|set)\(\s*["']([\w.]+)["']""", path.read_text()))
        used |= set(re.findall(r"""Settings\(\)\.(?:get|set)\(\s*["']([\w.]+)["']""", path.read_text()))
    assert used, "the scan found no settings use at all: the pattern is wrong"
    assert used <= set(REGISTRY), f"undeclared settings: {used - set(REGISTRY)}"


def test_demo_workspace_is_alive_and_created_once(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        before = {"items": ws.items.count(), "drafts": ws.drafts.count()}
        before["conversations"] = DeskService(ws).tables.conversations.count()
    ensure_demo_workspace(demo)  # second start: nothing duplicated
    with Workspace.open(demo) as ws:
        assert ws.name == "Northwind Coffee (demo)"
        assert ws.sources.count() >= 8
        assert ws.items.count() >= 150
        assert ws.touchpoints.count() >= 6
        assert {r for u in ws.users.list() for r in u.roles} == set(Role)
        source_ids = ws.sources.ids()
        items = ws.items.list()
        assert all(i.source_id in source_ids for i in items)
        assert all(".example." in i.url or i.url.startswith("https://example.") for i in items)
        # recent items are recent: the demo always looks current
        newest = ws.items.recent(1)[0]
        assert utcnow() - newest.when < timedelta(hours=6)
        assert len(ws.drafts.list()) >= 4
        after = {"items": ws.items.count(), "drafts": ws.drafts.count()}
        after["conversations"] = DeskService(ws).tables.conversations.count()
        assert after == before


def test_demo_desk_replays_its_replies_at_their_own_times(desk: DeskService) -> None:
    """Every scripted reply went out when the script says, by its agent, some on time and some late."""
    history = _history()
    items = _items_by_url(desk)
    users = {u.id: u for u in desk.ws.users.list()}
    replies = desk.tables.replies.list()
    assert all(r.status is ReplyStatus.SENT for r in replies)
    expected = sorted(items[h["item"]].when + timedelta(minutes=h["reply_minutes"]) for h in history)
    assert sorted(r.sent_at for r in replies if r.sent_at is not None) == expected
    assert max(expected) < utcnow()  # times are relative to the demo's creation, all in the past
    by_agent = sorted(
        (items[h["item"]].when + timedelta(minutes=h["reply_minutes"]), h["agent"]) for h in history
    )
    sent_by = sorted(
        (r.sent_at, users[r.sent_by].name.split()[0].lower()) for r in replies if r.sent_at is not None
    )
    assert sent_by == by_agent
    for reply in replies:
        sent_events = [e for e in desk.history(reply.conversation_id) if e.action == "sent"]
        assert any(e.at == reply.sent_at and e.user_id == reply.sent_by for e in sent_events)
    # First responses: the earliest reply per conversation, measured from the customer's first message.
    answered = {_conversation_of(desk, items[h["item"]]).id for h in history}
    convs = [c for c in desk.tables.conversations.list() if c.is_live]
    assert {c.id for c in convs if c.first_response_at is not None} == answered
    targets = desk.targets()
    on_time = late = 0
    for conv in (c for c in convs if c.id in answered):
        assert conv.group in (TriageGroup.URGENT, TriageGroup.REPLY)
        first = min(r.sent_at for r in replies if r.conversation_id == conv.id and r.sent_at is not None)
        assert conv.first_response_at == first
        target = targets.minutes(conv.first_channel or conv.channel, conv.group)
        assert target is not None
        if (first - conv.opened_at) <= timedelta(minutes=target):
            on_time += 1
        else:
            late += 1
    assert on_time > late > 0
    # A backlog is left for the Inbox: conversations that need an answer and have none yet.
    needing = [c for c in convs if c.group in (TriageGroup.URGENT, TriageGroup.REPLY)]
    assert 0.6 <= len(answered) / len(needing) <= 0.75
    assert any(c.status is ConversationStatus.OPEN and c.first_response_at is None for c in needing)


def test_demo_desk_resolved_some_and_shared_them_to_the_wall(desk: DeskService) -> None:
    history = _history()
    items = _items_by_url(desk)
    resolved_at = {
        _conversation_of(desk, items[h["item"]]).id: items[h["item"]].when
        + timedelta(minutes=h["resolve_minutes"])
        for h in history
        if "resolve_minutes" in h
    }
    convs = [c for c in desk.tables.conversations.list() if c.is_live]
    resolved = {c.id: c.resolved_at for c in convs if c.status is ConversationStatus.RESOLVED}
    assert resolved == resolved_at and len(resolved) >= 10
    for conv in (c for c in convs if c.id in resolved):
        # resolved after the customer's last word, never before it
        assert conv.last_customer_at is not None and conv.last_customer_at < resolved_at[conv.id]
    notes = {_conversation_of(desk, items[h["item"]]).id: h["wall"] for h in history if h.get("wall")}
    shared = desk.wall()
    assert {c.id: c.wall.permission_note for c in shared if c.wall is not None} == notes
    assert 2 <= len(shared) <= 3
    for conv in shared:
        assert conv.wall is not None and conv.wall.customer_text and conv.wall.reply_text
        assert conv.customer not in conv.wall.customer_text + conv.wall.reply_text
        stored = "\n".join(f"{i.title} {i.text}" for i in items.values() if i.id in conv.item_ids)
        for address in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", stored):
            assert address not in conv.wall.customer_text  # masked before it reaches the wall


def _people(desk: DeskService, items: list[Item]) -> list[set[str]]:
    """Customers told apart simply: one handle, one display name per source, or one e-mail address."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    own = {u.email.rsplit("@", 1)[1] for u in desk.ws.users.list() if u.email}
    for item in items:
        author = item.author.lower()
        # Not right after "@" or a word: a fediverse handle (@ada@toot.example.org) is no address.
        text = f"{author} {item.text.lower()}"
        addresses = set(re.findall(r"(?<![\w.+@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", text))
        keys = [f"email:{a}" for a in addresses if a.rsplit("@", 1)[1] not in own]
        if item.channel is not Channel.EMAIL:
            handle = author.startswith(("@", "u/"))
            keys.append(f"{item.channel}:{author}" if handle else f"{item.channel}:{item.source_id}:{author}")
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
        parent[find(f"item:{item.id}")] = find(keys[0])
    groups: dict[str, set[str]] = defaultdict(set)
    for item in items:
        groups[find(f"item:{item.id}")].add(item.id)
    return list(groups.values())


def test_demo_has_repeat_customers_across_days_and_channels(desk: DeskService) -> None:
    items = [i for i in desk.ws.items.list() if desk.record(i.id) is not None]  # the customer messages
    by_id = {i.id: i for i in items}
    repeat = [
        ids
        for ids in _people(desk, items)
        if len({by_id[i].when.astimezone(UTC).date() for i in ids}) >= 2
        or len({by_id[i].channel for i in ids}) >= 2
    ]
    assert len(repeat) >= 4
    assert sum(len({by_id[i].channel for i in ids}) >= 2 for ids in repeat) >= 3  # X or Facebook and e-mail
    first = min(i.when for i in items).astimezone(UTC).date()
    period = parse_period(f"{first}..{utcnow().astimezone(UTC).date()}", UTC)
    measures = measure(desk.ws, period)
    assert measures.repeat_engagers == len(repeat)
    assert measures.cross_channel_customers == sum(
        len({by_id[i].channel for i in ids}) >= 2 for ids in repeat
    )
    # The desk put each repeat customer's messages in one conversation, across channels.
    for ids in repeat:
        assert len({_conversation_of(desk, by_id[i]).id for i in ids}) == 1


def test_council_report_of_last_week_measures_first_responses(desk: DeskService) -> None:
    period = period_containing("week", zone=UTC).previous()
    report = build_report(desk.ws, period)
    convs = [
        c
        for c in desk.tables.conversations.list()
        if c.is_live and period.start <= c.opened_at < period.end and c.first_response_at is not None
    ]
    waits = [(c.first_response_at - c.opened_at).total_seconds() / 60 for c in convs if c.first_response_at]
    assert waits, "no conversation of last week was answered"
    assert report.current.first_response.median == pytest.approx(statistics.median(waits))
    figure = next(f for f in report.figures if f.key == "first_response")
    assert figure.value not in ("–", "not measured") and not figure.reason
    assert report.current.answered_share is not None and report.current.answered_share > 0
