"""The response desk: conversations across channels, timers, routing, replies, wall, metrics, permissions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from curator.domain import Channel, Item, Role, Source, SourceKind, User
from curator.errors import Cancelled
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.progress import Progress
from curator.store.engine import StoreEvent
from curator.triage.metrics import desk_metrics, summarize
from curator.triage.model import (
    ChannelChangeNeedsReason,
    Conversation,
    ConversationStatus,
    DeskError,
    NotAvailable,
    Override,
    PermissionDenied,
    ReplyStatus,
    TemplateError,
    TriageGroup,
)
from curator.triage.replies import render_template, suggest_private_mode
from curator.triage.rules import TriageRules, WatchedTerm
from curator.triage.service import ConversationFilter, DeskService
from curator.triage.targets import GroupTargets, ResponseTargets, timer
from curator.workspace import Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URGENT, REPLY, NONE = TriageGroup.URGENT, TriageGroup.REPLY, TriageGroup.NONE

OMAR = User(
    "Omar Haddad", email="omar@northwind.example.com", roles=[Role.AGENT], skills=["billing"], id="omar"
)
PRIYA = User(
    "Priya Nair", email="priya@northwind.example.com", roles=[Role.AGENT], skills=["Billing"], id="priya"
)
TINA = User(
    "Tina Berg", email="tina@northwind.example.com", roles=[Role.AGENT], skills=["technical"], id="tina"
)
BOSS = User("Lukas Brandt", roles=[Role.ADMIN], skills=["billing"], id="boss")  # admin, not an agent
MAYA = User("Maya Okafor", roles=[Role.EDITOR], id="maya")


class Clock:
    """A hand-wound clock for the desk."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> datetime:
        self.now = T0 + timedelta(minutes=minutes)
        return self.now


@pytest.fixture(scope="module")
def pipe() -> LoadedPipeline:
    loaded = load_pipeline()
    assert loaded.has_parser, loaded.warning
    return loaded


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "ws", create=True) as opened:
        opened.users.save_many([OMAR, PRIYA, TINA, BOSS, MAYA])
        opened.sources.save_many(
            [
                Source(
                    "Listening export", "https://l.example/m.json", kind=SourceKind.MENTIONS, id="mentions"
                ),
                Source("Support inbox", "https://mail.example/inbox", channel=Channel.EMAIL, id="inbox"),
                Source("Brew forum", "https://forum.example/rss", channel=Channel.FORUM, id="forum"),
                Source("Press", "https://press.example/rss", channel=Channel.NEWS, id="press"),
            ]
        )
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def desk(ws: Workspace, clock: Clock, pipe: LoadedPipeline) -> DeskService:
    return DeskService(ws, clock=clock, pipeline=pipe)


def post(
    ws: Workspace,
    text: str,
    *,
    author: str,
    minutes: float,
    channel: Channel = Channel.X,
    source: str = "mentions",
    reach: int | None = None,
) -> Item:
    when = T0 + timedelta(minutes=minutes)
    item = Item(
        source_id=source,
        title="",
        text=text,
        author=author,
        author_reach=reach,
        channel=channel,
        published_at=when,
        fetched_at=when,
    )
    ws.items.save(item)
    return item


def only(desk: DeskService, item: Item) -> Conversation:
    record = desk.record(item.id)
    assert record is not None
    return desk._conv(record.conversation_id)


# --------------------------------------------------------------------------- intake
def test_only_customer_items_enter_the_desk(ws: Workspace, desk: DeskService) -> None:
    post(
        ws,
        "Northwind opens a café in Leeds.",
        author="CityDesk",
        minutes=0,
        channel=Channel.NEWS,
        source="press",
    )
    customer = post(ws, "How do I reset my password", author="@anna", minutes=1)
    summary = desk.triage_new()
    assert (summary.triaged, summary.reply, summary.created) == (1, 1, 1)
    assert desk.record(customer.id) is not None
    assert desk.triage_new().triaged == 0  # each item once
    assert summary.sentence().startswith("Triaged 1 new message: 0 urgent, 1 to answer")


def test_triage_is_cancellable_and_keeps_finished_batches(ws: Workspace, desk: DeskService) -> None:
    for n in range(5):
        post(ws, f"Is the café number {n} open on Sunday?", author=f"@fan{n}", minutes=n)
    progress = Progress()
    progress.add_listener(lambda state: progress.cancel() if state.done >= 2 else None)
    with pytest.raises(Cancelled):
        desk.triage_new(progress, batch_size=2)
    assert desk.tables.triage.count() == 2
    assert desk.triage_new().triaged == 3


def test_desk_changes_are_store_events(ws: Workspace, desk: DeskService) -> None:
    seen: list[StoreEvent] = []
    unsubscribe = ws.subscribe(seen.append)
    try:
        post(ws, "How do I reset my password", author="@anna", minutes=0)
        desk.triage_new()
    finally:
        unsubscribe()
    assert {"triage", "conversations", "desk_events"} <= {event.table for event in seen}


# --------------------------------------------------------------------------- conversations
def test_the_same_customer_is_one_conversation_across_email_and_x(ws: Workspace, desk: DeskService) -> None:
    mail = post(
        ws,
        "My order #NW-48213 was charged twice. Please refund the second payment.",
        author="Anna Schmidt <Anna.Schmidt@example.com>",
        minutes=0,
        channel=Channel.EMAIL,
        source="inbox",
    )
    tweet = post(
        ws,
        "@northwind still no answer to my email about the double charge. It's anna.schmidt@example.com",
        author="@anna_sch",
        minutes=60,
    )
    again = post(ws, "@northwind any news?", author="@Anna_Sch", minutes=120)
    other = post(ws, "@northwind is the Leeds café open today?", author="@someone_else", minutes=130)
    summary = desk.triage_new()
    assert (summary.created, summary.joined) == (2, 2)
    conv = only(desk, mail)
    assert only(desk, tweet).id == conv.id == only(desk, again).id
    assert only(desk, other).id != conv.id
    assert conv.customer == "Anna Schmidt"
    assert set(conv.identity_keys) == {"email:anna.schmidt@example.com", "x:anna_sch"}
    assert conv.channel is Channel.X and conv.first_channel is Channel.EMAIL
    detail = desk.conversation(conv.id)
    assert [m.item.id for m in detail.messages] == [mail.id, tweet.id, again.id]
    assert [m.item.channel for m in detail.messages] == [Channel.EMAIL, Channel.X, Channel.X]


def test_the_teams_own_address_does_not_link_customers(ws: Workspace, desk: DeskService) -> None:
    a = post(
        ws,
        "I wrote to club@northwind.example.com, no answer",
        author="sam",
        minutes=0,
        source="forum",
        channel=Channel.FORUM,
    )
    b = post(
        ws,
        "Same, club@northwind.example.com ignores me",
        author="kim",
        minutes=1,
        source="forum",
        channel=Channel.FORUM,
    )
    desk.triage_new()
    assert only(desk, a).id != only(desk, b).id
    assert only(desk, a).identity_keys == ["forum:forum:sam"]


def test_an_agent_links_and_unlinks_conversations(ws: Workspace, desk: DeskService, clock: Clock) -> None:
    fb = post(
        ws,
        "Where is my refund? I cancelled weeks ago.",
        author="Anna Schmidt",
        minutes=0,
        channel=Channel.FACEBOOK,
    )
    x = post(ws, "@northwind I asked on Facebook too, where is my refund?", author="@anna_sch", minutes=30)
    desk.triage_new()
    facebook, twitter = only(desk, fb), only(desk, x)
    assert facebook.id != twitter.id
    clock.at(40)
    with pytest.raises(PermissionDenied):
        desk.link(twitter.id, facebook.id, MAYA)
    linked = desk.link(twitter.id, facebook.id, PRIYA, "same person, says so")
    assert linked.item_ids == [x.id, fb.id]
    assert linked.opened_at == T0 and linked.first_channel is Channel.FACEBOOK
    assert only(desk, fb).id == twitter.id
    # A later Facebook message joins the linked conversation by its key.
    later = post(ws, "Any update on my refund?", author="Anna Schmidt", minutes=50, channel=Channel.FACEBOOK)
    clock.at(55)
    desk.triage_new()
    assert only(desk, later).id == twitter.id
    kept, restored = desk.unlink(twitter.id, facebook.id, PRIYA)
    assert kept.item_ids == [x.id]
    assert restored.item_ids == [fb.id, later.id] and restored.merged_into is None
    assert {e.action for e in desk.history(twitter.id)} >= {"linked", "unlinked"}


def test_a_message_after_resolution_reopens_or_starts_anew(
    ws: Workspace, desk: DeskService, clock: Clock
) -> None:
    first = post(ws, "How do I change my delivery address", author="@anna", minutes=0)
    desk.triage_new()
    conv = only(desk, first)
    clock.at(60)
    desk.set_status(conv.id, PRIYA, ConversationStatus.RESOLVED)
    soon = post(ws, "And can I change the delivery day too?", author="@anna", minutes=120)
    clock.at(121)
    desk.triage_new()
    reopened = only(desk, soon)
    assert reopened.id == conv.id and reopened.status is ConversationStatus.OPEN and reopened.reopened == 1
    desk.set_status(conv.id, PRIYA, ConversationStatus.RESOLVED)
    much_later = post(ws, "Is the Leeds café open on Sunday?", author="@anna", minutes=60 * 24 * 5)
    clock.at(60 * 24 * 5 + 1)
    desk.triage_new()
    fresh = only(desk, much_later)
    assert fresh.id != conv.id
    assert [c.id for c in desk.conversation(fresh.id).earlier] == [conv.id]


# --------------------------------------------------------------------------- timers
def test_timer_goes_ok_warning_breached_and_notifies_once(
    ws: Workspace, desk: DeskService, clock: Clock
) -> None:
    item = post(
        ws,
        "@northwind you charged me twice and nobody answers. Where is my money?",
        author="@anna",
        minutes=0,
    )
    desk.triage_new()
    conv = only(desk, item)
    assert conv.group is URGENT and conv.due_at == T0 + timedelta(minutes=30)
    states = []
    for minutes in (10, 19, 21, 31):
        clock.at(minutes)
        t = desk.timer(only(desk, item))
        assert t is not None
        states.append(t.state)
    assert states == ["ok", "ok", "warning", "breached"]

    since = T0
    clock.at(21)
    assert [(n.kind, n.conversation_id) for n in desk.notifications(since)] == [("warning", conv.id)]
    clock.at(22)
    assert desk.notifications(since) == []
    clock.at(31)
    notes = desk.notifications(since)
    assert [(n.kind, n.conversation_id) for n in notes] == [("breach", conv.id)]
    assert "past the 30 min target" in notes[0].sentence
    clock.at(40)
    assert desk.breaches_since(since) == []

    # Answered: no timer. The customer writes again: a new wait, a new breach to tell.
    reply = desk.start_reply(conv.id, PRIYA, text="Sorry Anna, please DM us your order number.", private=True)
    desk.mark_sent(reply.id, PRIYA)
    assert desk.timer(only(desk, item)) is None
    post(ws, "Sent it. Why were you so slow?", author="@anna", minutes=60)
    clock.at(61)
    desk.triage_new()
    conv = only(desk, item)
    assert conv.status is ConversationStatus.OPEN and conv.awaiting_since == T0 + timedelta(minutes=60)
    clock.at(95)
    assert [c.id for c in desk.breaches_since(since)] == [conv.id]
    assert desk.breaches_since(since) == []


def test_old_breaches_before_since_stay_quiet(ws: Workspace, desk: DeskService, clock: Clock) -> None:
    post(ws, "@northwind you charged me twice and nobody answers. Where is my money?", author="@a", minutes=0)
    desk.triage_new()
    clock.at(600)
    assert desk.breaches_since(T0 + timedelta(minutes=500)) == []


def test_targets_are_per_channel_and_editable(ws: Workspace, desk: DeskService, clock: Clock) -> None:
    item = post(ws, "How do I reset my password", author="@anna", minutes=0)
    desk.triage_new()
    assert only(desk, item).due_at == T0 + timedelta(hours=4)
    targets = ResponseTargets(channels={"x": GroupTargets(urgent_minutes=15, reply_minutes=60)})
    with pytest.raises(PermissionDenied):
        desk.save_targets(targets, PRIYA)
    desk.save_targets(targets, BOSS)
    assert only(desk, item).due_at == T0 + timedelta(hours=1)
    clock.at(50)
    t = desk.timer(only(desk, item))
    assert t is not None and (t.state, t.target_minutes, t.sentence()) == ("warning", 60, "10 min left")
    # A change of the desk's configuration is audited like the editorial settings, and the chain holds.
    entries = [e for e in ws.audit.list() if e.action == "configure_targets"]
    assert [(e.user_id, e.subject_id) for e in entries] == [("boss", "response_targets")]
    from curator.editorial.audit import AuditLog

    assert AuditLog(ws.audit, ws.config).verify() == []


def test_none_group_has_no_timer(ws: Workspace, desk: DeskService, clock: Clock) -> None:
    item = post(ws, "Sunday reading corner with a cinnamon bun ☕📚", author="@bea", minutes=0)
    desk.triage_new()
    conv = only(desk, item)
    assert conv.group is NONE and conv.due_at is None and desk.timer(conv) is None
    assert desk.conversations() == []  # the default Inbox shows what needs an answer
    assert len(desk.conversations(ConversationFilter(groups=(NONE,)))) == 1


# --------------------------------------------------------------------------- overrides and routing
def test_an_override_is_kept_counted_and_starts_the_timer(
    ws: Workspace, desk: DeskService, clock: Clock
) -> None:
    item = post(ws, "Sunday reading corner with a cinnamon bun ☕📚", author="@bea", minutes=0)
    desk.triage_new()
    clock.at(5)
    with pytest.raises(PermissionDenied):
        desk.override(item.id, REPLY, MAYA, "she tagged us")
    conv = desk.override(item.id, REPLY, PRIYA, "she tagged us, say thanks")
    record = desk.record(item.id)
    assert record is not None and record.group is NONE and record.effective_group is REPLY
    assert record.override is not None and (record.override.user_id, record.override.at) == (
        "priya",
        clock.now,
    )
    assert conv.group is REPLY and conv.due_at == T0 + timedelta(hours=4)
    rows = desk.conversations()
    assert [r.explanation for r in rows] == ["set to reply by hand: she tagged us, say thanks"]
    conv = desk.override(conv.id, URGENT, PRIYA, "she has 1M followers")
    assert conv.group is URGENT
    metrics = desk.metrics(T0, T0 + timedelta(days=1))
    assert [(o.from_group, o.to_group, o.count) for o in metrics.overrides] == [
        (NONE, REPLY, 1),
        (REPLY, URGENT, 1),
    ]


def test_new_rules_start_timers_and_keep_a_persons_hide_choice(ws: Workspace, desk: DeskService) -> None:
    calm = post(ws, "Sunday reading corner with a cinnamon bun ☕📚", author="@bea", minutes=0)
    rude = post(ws, "You are all idiots and your baristas are morons.", author="@rude", minutes=1)
    desk.triage_new()
    assert only(desk, calm).due_at is None
    shown = desk.set_hidden(rude.id, PRIYA, False)
    assert (shown.hide, shown.hidden_by) == (False, "priya")
    rules = TriageRules(
        watched_terms=[WatchedTerm("cinnamon bun", URGENT)], abusive_phrases=["idiot*", "moron*"]
    )
    applied = desk.save_rules(rules, BOSS)
    assert applied.counts == {(NONE, URGENT): 1}
    conv = only(desk, calm)
    assert (conv.group, conv.awaiting_since, conv.due_at) == (URGENT, T0, T0 + timedelta(minutes=30))
    record = desk.record(rude.id)
    assert record is not None and record.group is NONE and not record.hide


def test_routing_sends_to_the_least_loaded_agent_with_the_skill(ws: Workspace, desk: DeskService) -> None:
    bill1 = post(ws, "I was charged twice for my subscription, please refund", author="@a", minutes=0)
    bill2 = post(ws, "Why was my card charged twice? I want a refund", author="@b", minutes=1)
    tech = post(ws, "The app keeps crashing when I log in. Any idea?", author="@c", minutes=2)
    other = post(ws, "Is the Leeds café open on Sunday?", author="@d", minutes=3)
    desk.triage_new()
    first, second = only(desk, bill1), only(desk, bill2)
    assert (first.expert_group, first.assignee_id) == ("billing", "omar")  # tie: by name
    assert (second.expert_group, second.assignee_id) == ("billing", "priya")  # Omar has one now
    assert (only(desk, tech).expert_group, only(desk, tech).assignee_id) == ("technical", "tina")
    assert (only(desk, other).expert_group, only(desk, other).assignee_id) == ("", "")
    assert "least busy" in first.routed_by
    # By hand: an admin may be assigned, an editor may not.
    assert desk.assign(only(desk, other).id, PRIYA, BOSS.id).assignee_id == "boss"
    with pytest.raises(PermissionDenied, match="cannot be assigned"):
        desk.assign(only(desk, other).id, PRIYA, MAYA.id)
    mine = desk.conversations(ConversationFilter(assignee_id="tina"))
    assert [r.conversation.id for r in mine] == [only(desk, tech).id]


# --------------------------------------------------------------------------- replies
def test_replies_go_to_the_customers_channel_unless_a_reason_is_given(
    ws: Workspace, desk: DeskService
) -> None:
    post(
        ws,
        "My order was charged twice.",
        author="Anna <anna@example.com>",
        minutes=0,
        channel=Channel.EMAIL,
        source="inbox",
    )
    tweet = post(ws, "@northwind where is my refund? anna@example.com", author="@anna_sch", minutes=10)
    desk.triage_new()
    conv = only(desk, tweet)
    draft = desk.start_reply(conv.id, PRIYA, text="Hi Anna, we are on it.")
    assert (draft.channel, draft.private, draft.recipient) == (Channel.X, False, "@anna_sch")
    with pytest.raises(
        ChannelChangeNeedsReason, match="wrote to us on X; to answer by e-mail instead, say why"
    ):
        desk.start_reply(conv.id, PRIYA, text="Hi", channel=Channel.EMAIL)
    mail = desk.start_reply(conv.id, PRIYA, text="Hi", channel=Channel.EMAIL, reason="she asked for e-mail")
    assert (mail.channel, mail.private, mail.recipient) == (Channel.EMAIL, True, "anna@example.com")
    assert mail.channel_change_reason == "she asked for e-mail"
    with pytest.raises(ChannelChangeNeedsReason):
        desk.update_reply(draft.id, PRIYA, channel=Channel.EMAIL)
    assert desk.export_reply(draft.id) == "Hi Anna, we are on it."
    assert desk.export_reply(mail.id, with_header=True).startswith(
        "To: anna@example.com\nChannel: e-mail\nWhy this channel: she asked for e-mail\n\nHi"
    )


def test_private_mode_is_suggested_for_personal_data(pipe: LoadedPipeline) -> None:
    ask = "Sorry about that! Could you send us your order number and e-mail address?"
    on_x = suggest_private_mode(ask, Channel.X, pipeline=pipe)
    assert on_x is not None and on_x.channel is Channel.X and on_x.mode == "an X direct message"
    assert not on_x.needs_reason
    assert "asks for an order number" in on_x.found and "asks for an e-mail address" in on_x.found
    assert "rather than in public" in on_x.sentence
    contains = suggest_private_mode(
        "We refunded order #NW-48213, call us on +49 30 1234567", Channel.FACEBOOK, pipeline=pipe
    )
    assert contains is not None and contains.mode == "a Facebook Messenger message"
    assert {"an order number", "a phone number"} <= set(contains.found)
    on_youtube = suggest_private_mode(ask, Channel.YOUTUBE, pipeline=pipe)
    assert on_youtube is not None and on_youtube.channel is Channel.EMAIL and on_youtube.needs_reason
    assert "YouTube has no private messages" in on_youtube.sentence
    assert suggest_private_mode("Thanks, glad you liked it!", Channel.X, pipeline=pipe) is None


def test_templates_fill_known_values_and_name_missing_ones(ws: Workspace, desk: DeskService) -> None:
    item = post(
        ws,
        "@northwind order #NW-48213 to Hamburg, 8 days and counting. Any update?",
        author="@henning",
        minutes=0,
    )
    desk.triage_new()
    conv = only(desk, item)
    refund = desk.start_reply(conv.id, PRIYA, template_id="default-refund")
    assert refund.text.startswith("Hi @henning, the refund for order NW-48213 is on its way.")
    assert refund.text.endswith("– Priya")
    with pytest.raises(TemplateError) as caught:
        desk.start_reply(conv.id, PRIYA, template_id="default-known-issue")
    assert caught.value.missing == ["issue"]
    assert "needs a value for issue" in str(caught.value)
    filled = desk.start_reply(
        conv.id, PRIYA, template_id="default-known-issue", values={"issue": "the delays"}
    )
    assert "We are aware of the delays" in filled.text
    with pytest.raises(TemplateError) as many:
        render_template("{customer}, {order} {agent}", {"customer": "Anna"})
    assert many.value.missing == ["order", "agent"]
    assert render_template("{{not a placeholder} costs $5, {customer}", {"customer": "Anna"}) == (
        "{not a placeholder} costs $5, Anna"
    )


def test_sending_marks_the_first_response(ws: Workspace, desk: DeskService, clock: Clock) -> None:
    item = post(ws, "How do I reset my password", author="@anna", minutes=0)
    desk.triage_new()
    conv = only(desk, item)
    clock.at(12)
    reply = desk.start_reply(conv.id, PRIYA, text="Hi Anna, use 'Forgot password' on the login screen.")
    with pytest.raises(NotAvailable, match="Copy the reply"):
        desk.send_reply(reply.id, PRIYA)
    clock.at(20)
    with pytest.raises(PermissionDenied, match="only agents and admins"):
        desk.mark_sent(reply.id, MAYA)
    with pytest.raises(DeskError, match="in the future"):
        desk.mark_sent(reply.id, PRIYA, sent_at=T0 + timedelta(minutes=30))
    sent = desk.mark_sent(reply.id, PRIYA, sent_at=T0 + timedelta(minutes=15))
    assert (sent.status, sent.sent_at, sent.sent_by) == (
        ReplyStatus.SENT,
        T0 + timedelta(minutes=15),
        "priya",
    )
    conv = only(desk, item)
    assert conv.first_response_at == T0 + timedelta(minutes=15) and conv.first_responder_id == "priya"
    assert conv.status is ConversationStatus.WAITING
    with pytest.raises(DeskError, match="already marked sent"):
        desk.mark_sent(reply.id, PRIYA)
    actions = [e.action for e in desk.history(conv.id)]
    assert actions[:2] == ["message", "routed"] and actions[-2:] == ["reply", "sent"]


# --------------------------------------------------------------------------- wall and permissions
def test_resolved_conversations_can_be_shared_masked(ws: Workspace, desk: DeskService, clock: Clock) -> None:
    item = post(
        ws,
        "Where is my refund? Call me on 0176 5550123 or write to jana.p@example.com",
        author="Jana P",
        minutes=0,
        channel=Channel.FACEBOOK,
    )
    desk.triage_new()
    conv = only(desk, item)
    reply = desk.start_reply(conv.id, PRIYA, text="Hi Jana, refunded today; we wrote to jana.p@example.com.")
    desk.mark_sent(reply.id, PRIYA)
    with pytest.raises(DeskError, match="resolve it first"):
        desk.share_to_wall(conv.id, PRIYA, "said yes by DM")
    desk.set_status(conv.id, PRIYA, ConversationStatus.RESOLVED)
    with pytest.raises(DeskError, match="how the customer agreed"):
        desk.share_to_wall(conv.id, PRIYA, "  ")
    share = desk.share_to_wall(conv.id, PRIYA, "asked by DM on 2 March, said yes")
    assert "0176 5550123" not in share.customer_text and "[phone]" in share.customer_text
    assert "[email]" in share.customer_text and "jana.p@example.com" not in share.reply_text
    assert share.permission_note == "asked by DM on 2 March, said yes"
    assert [c.id for c in desk.wall()] == [conv.id]


def test_only_agents_and_admins_work_the_desk(ws: Workspace, desk: DeskService) -> None:
    item = post(ws, "How do I reset my password", author="@anna", minutes=0)
    desk.triage_new()
    conv = only(desk, item)
    for action in (
        lambda: desk.start_reply(conv.id, MAYA, text="hi"),
        lambda: desk.set_status(conv.id, MAYA, ConversationStatus.RESOLVED),
        lambda: desk.assign(conv.id, MAYA, PRIYA.id),
        lambda: desk.add_note(conv.id, MAYA, "call her"),
    ):
        with pytest.raises(PermissionDenied) as caught:
            action()
        assert str(caught.value).startswith("Maya Okafor may not")
    assert desk.set_status(conv.id, BOSS, ConversationStatus.RESOLVED).resolved_by == "boss"
    note = desk.add_note(conv.id, PRIYA, "She called too.")
    assert only(desk, item).notes == [note]


# --------------------------------------------------------------------------- metrics
def _conv(
    minutes_to_answer: float | None,
    *,
    channel: Channel = Channel.X,
    group: TriageGroup = URGENT,
    resolved_after: float | None = None,
    agent: str = "priya",
    opened: datetime = T0,
) -> Conversation:
    return Conversation(
        customer="c",
        channel=channel,
        opened_at=opened,
        group=group,
        assignee_id=agent,
        first_response_at=opened + timedelta(minutes=minutes_to_answer)
        if minutes_to_answer is not None
        else None,
        resolved_at=opened + timedelta(minutes=resolved_after) if resolved_after is not None else None,
    )


def test_summary_uses_linear_percentiles() -> None:
    stat = summarize([10, 20, 30, 40, 100], [True, True, True, False, False])
    assert (stat.count, stat.median, stat.p90, stat.within_target) == (5, 30.0, 76.0, 0.6)
    assert summarize([]).median is None


def test_metrics_on_a_fixture() -> None:
    convs = [
        _conv(10, resolved_after=60),
        _conv(20, resolved_after=120),
        _conv(30, resolved_after=180, agent="omar"),
        _conv(40, agent="omar"),
        _conv(100),
        _conv(None),  # unanswered, 2 h old at the end: a miss
        _conv(None, opened=T0 + timedelta(minutes=115)),  # unanswered, not due yet: not judged
        _conv(300, channel=Channel.EMAIL, group=REPLY, agent=""),  # e-mail "reply": 240 min target, missed
        _conv(5, opened=T0 - timedelta(days=1)),  # before the period
    ]
    convs[0].overrides = [
        Override(URGENT, REPLY, "priya"),
        Override(URGENT, REPLY, "omar"),
        Override(NONE, URGENT, "priya"),
    ]
    merged = _conv(1)
    merged.merged_into = "elsewhere"
    end = T0 + timedelta(hours=2)
    m = desk_metrics([*convs, merged], ResponseTargets(), T0, end)
    first = m.overall.first_response
    assert m.overall.conversations == 8
    assert (first.count, first.median, first.p90) == (6, 35.0, 200.0)
    assert (first.judged, first.within_target) == (7, 3 / 7)
    res = m.overall.resolution
    assert (res.count, res.median, res.p90) == (3, 120.0, 168.0)
    x = next(r for r in m.by_channel if r.key == "x")
    assert (x.conversations, x.first_response.median, x.first_response.p90) == (7, 30.0, 76.0)
    assert x.first_response.within_target == 3 / 6
    email = next(r for r in m.by_channel if r.key == "email")
    assert (email.first_response.median, email.first_response.within_target) == (300.0, 0.0)
    assert [r.key for r in m.by_group] == ["reply", "urgent"]
    omar = next(r for r in m.by_agent if r.key == "omar")
    assert (omar.first_response.median, omar.resolution.median) == (35.0, 180.0)
    assert [(o.from_group, o.to_group, o.count) for o in m.overrides] == [
        (REPLY, URGENT, 2),
        (URGENT, NONE, 1),
    ]


def test_timer_helper_without_a_service() -> None:
    conv = _conv(None)
    conv.awaiting_since = T0
    t = timer(conv, T0 + timedelta(minutes=25), ResponseTargets())
    assert t is not None and (t.state, t.due_at) == ("warning", T0 + timedelta(minutes=30))
    conv.status = ConversationStatus.WAITING
    assert timer(conv, T0, ResponseTargets()) is None
