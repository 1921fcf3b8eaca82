"""The background jobs of the Inbox page: reads behind the list and the pane, and every desk action.

Each function runs in a :class:`~ui.tasks.TaskRunner` worker: it gets the
task's :class:`~curator.progress.Progress` first, never touches a widget and
returns plain values (or raises a core error whose sentence the page shows).

The desk service is imported inside the jobs: importing :mod:`curator.triage`
loads spaCy (over a second), and the window must start without it.

Writes go through :meth:`DeskGate.exclusive`, one at a time: triage keeps the
conversations it is placing items into in memory between its batches, so an
assignment saved in between would be overwritten by the triage's next save.
Reads run freely beside them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.domain import Channel, Item, Role, User, utcnow
from curator.errors import CuratorError
from curator.progress import Progress

if TYPE_CHECKING:
    from curator.nlp.pipeline import LoadedPipeline
    from curator.triage.model import Conversation, Reply
    from curator.triage.replies import PrivateSuggestion
    from curator.triage.rules import TriageRules
    from curator.triage.service import (
        ConversationDetail,
        DeskNotification,
        DeskService,
        RulePreview,
        TriageSummary,
    )
    from curator.triage.targets import ResponseTargets

#: Texts masked per job when personal data is hidden (NER handles about 200 short texts a second).
MASK_CHUNK = 150
#: Moved items listed (and masked) by a rule preview; the sentence counts them all.
PREVIEW_LISTED = 200
#: Above this many items, reading the whole table at once beats reading them one by one.
BULK_READ = 300
#: Shown instead of a text whose personal data is not masked yet.
MASKING = "Hiding personal data…"
_WAIT_POLL_S = 0.05

# The desk's plain values, spelled as the core's StrEnums (which compare equal to them), so the UI
# needs no import of curator.triage (and so of spaCy) to read them.
URGENT, REPLY, NONE = "urgent", "reply", "none"
OPEN, WAITING, RESOLVED = "open", "waiting", "resolved"
GROUP_NAMES = {URGENT: "Urgent", REPLY: "Reply", NONE: "No reply"}
STATUS_NAMES = {OPEN: "Open", WAITING: "Waiting for the customer", RESOLVED: "Resolved"}
DRAFT, SENT = "draft", "sent"

#: Events the timeline shows as cards of their own (messages, replies, notes), so not twice.
_SHOWN_AS_CARDS = frozenset({"message", "reply", "sent", "note"})


def pseudonym(conversation_id: str) -> str:
    """How a customer is named while personal data is hidden: stable, short, and no one's name."""
    return f"Customer {conversation_id[:4].upper()}"


# --------------------------------------------------------------------------- masking
class TextMasker:
    """Masked versions of customer texts, each computed once per workspace.

    Person names need spaCy's NER (about 200 short texts a second on two
    cores), so texts are masked in the background in chunks and remembered;
    the analysis's stored ``masked_text`` is used when an item has one.
    """

    def __init__(self, keep_handles: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self.keep_handles = tuple(keep_handles)

    def known(self, text: str) -> str | None:
        """The masked text if already computed (an empty text needs no masking)."""
        if not text.strip():
            return text
        with self._lock:
            return self._known.get(text)

    def remember(self, text: str, masked: str) -> None:
        """Keep a masked text computed elsewhere (the analysis's ``masked_text``)."""
        with self._lock:
            self._known[text] = masked

    def mask(
        self, texts: Sequence[str], pipeline: LoadedPipeline, progress: Progress | None = None
    ) -> dict[str, str]:
        """Mask ``texts`` (those not known yet through NER, in one batch); returns every one."""
        from curator.nlp.privacy import mask_personal_data

        out: dict[str, str] = {}
        todo: list[str] = []
        for text in dict.fromkeys(texts):
            found = self.known(text)
            if found is None:
                todo.append(text)
            else:
                out[text] = found
        if not todo:
            return out
        nlp = pipeline.nlp
        if pipeline.has_ner:
            needed = {"ner"}
            for name, component in nlp.pipeline:
                if "ner" in getattr(component, "listening_components", ()):
                    needed.add(name)
            disable = [name for name in nlp.pipe_names if name not in needed]
            docs: Iterable[Any] = nlp.pipe(todo, disable=disable, batch_size=64)
        else:
            docs = (None for _ in todo)
        for text, doc in zip(todo, docs, strict=True):
            if progress is not None:
                progress.check_cancelled()
            masked = mask_personal_data(
                text, doc=doc, pipeline=pipeline, keep_handles=self.keep_handles
            ).masked
            out[text] = masked
            with self._lock:
                self._known[text] = masked
        return out


# --------------------------------------------------------------------------- the gate
class DeskGate:
    """The open workspace's desk service, its masker, and the turn of its writers."""

    def __init__(self, workspace: Any, clock: Callable[[], datetime] = utcnow) -> None:
        self.workspace = workspace
        self.clock = clock
        self._turn = threading.Lock()
        self._service: DeskService | None = None
        self._service_lock = threading.Lock()
        self.masker = TextMasker()

    @property
    def service(self) -> DeskService:
        """The desk service (created on first use, in a worker: importing it loads spaCy)."""
        with self._service_lock:
            if self._service is None:
                from curator.triage.service import DeskService

                self._service = DeskService(self.workspace, clock=self.clock)
                self.masker.keep_handles = tuple(self._service.settings().own_handles)
            return self._service

    @contextmanager
    def exclusive(self, progress: Progress) -> Iterator[DeskService]:
        """Wait for the other desk write to finish (honouring Cancel), then hand over the service."""
        announced = False
        while not self._turn.acquire(timeout=_WAIT_POLL_S):
            if not announced:
                progress.start(None, "Waiting for another desk job to finish")
                announced = True
            progress.check_cancelled()
        try:
            yield self.service
        finally:
            self._turn.release()

    @contextmanager
    def if_free(self) -> Iterator[DeskService | None]:
        """The service if no other write runs now, else None (for polls that can wait a turn)."""
        if not self._turn.acquire(blocking=False):
            yield None
            return
        try:
            yield self.service
        finally:
            self._turn.release()


def _all_filter() -> Any:
    from curator.triage.model import ConversationStatus, TriageGroup
    from curator.triage.service import ConversationFilter

    return ConversationFilter(statuses=tuple(ConversationStatus), groups=tuple(TriageGroup))


def _check_user(who: User | None) -> User:
    if who is None:
        raise CuratorError(
            "Choose who you are first (the person menu in the status bar); the desk records it."
        )
    return who


# --------------------------------------------------------------------------- the list
@dataclass(frozen=True)
class InboxRow:
    """One conversation as the Inbox lists it (the timer is computed from the clock when drawn).

    Attributes:
        conversation: The stored conversation.
        explanation: Why it is in its group ("negative + question").
        last_text: The customer's last message (cut like the core cuts it).
        last_masked: The same with personal data masked; None until masked.
        hidden_items: Messages hidden from shared screens (abuse).
        issue_ids: The hot issues its messages belong to.
        assignee_name: Who works on it ("" when nobody).
    """

    conversation: Conversation
    explanation: str
    last_text: str
    last_masked: str | None
    hidden_items: int = 0
    issue_ids: tuple[str, ...] = ()
    assignee_name: str = ""

    @property
    def id(self) -> str:
        """The conversation's id (rows are keyed by it)."""
        return self.conversation.id


@dataclass(frozen=True)
class Person:
    """A team member as the assign menu and the filters offer them."""

    id: str
    name: str
    skills: tuple[str, ...] = ()
    assignable: bool = False


@dataclass(frozen=True)
class InboxSnapshot:
    """Everything the list needs, read at one moment."""

    rows: list[InboxRow]
    targets: ResponseTargets
    people: list[Person] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    issues: dict[str, str] = field(default_factory=dict)
    #: Last messages still to mask.
    unmasked: list[str] = field(default_factory=list)
    read_at: datetime = field(default_factory=utcnow)


def _people(workspace: Any) -> list[Person]:
    users = sorted(workspace.users.list(), key=lambda u: u.name.casefold())
    return [
        Person(u.id, u.name, tuple(u.skills), u.has_role(Role.AGENT) and not u.id.startswith("guest:"))
        for u in users
    ]


def load_inbox(progress: Progress, gate: DeskGate) -> InboxSnapshot:
    """Every live conversation (all groups and statuses) with what the list shows about it."""
    progress.start(None, "Loading conversations")
    service = gate.service
    ws = gate.workspace
    summaries = service.conversations(_all_filter())
    progress.check_cancelled()
    people = _people(ws)
    names = {p.id: p.name for p in people}
    items: dict[str, Item] = {}
    wanted = {item_id for s in summaries for item_id in s.conversation.item_ids}
    if len(wanted) > BULK_READ:
        items = {item.id: item for item in ws.items.list() if item.id in wanted}
    else:
        for item_id in wanted:
            item = ws.items.get(item_id)
            if item is not None:
                items[item_id] = item
    progress.check_cancelled()
    issue_labels = {i.id: i.label for i in ws.issues.list() if i.merged_into is None}
    rows: list[InboxRow] = []
    unmasked: list[str] = []
    used_issues: set[str] = set()
    for s in summaries:
        conv = s.conversation
        own = [items[i] for i in conv.item_ids if i in items]
        issue_ids = tuple(dict.fromkeys(i.issue_id for i in own if i.issue_id and i.issue_id in issue_labels))
        used_issues.update(issue_ids)
        masked = gate.masker.known(s.last_text)
        if masked is None:
            last = max(own, key=lambda i: (i.when, i.id), default=None)
            if last is not None and last.masked_text and (last.text or "")[:280] == s.last_text:
                masked = last.masked_text[:280]
                gate.masker.remember(s.last_text, masked)
            else:
                unmasked.append(s.last_text)
        rows.append(
            InboxRow(
                conversation=conv,
                explanation=s.explanation,
                last_text=s.last_text,
                last_masked=masked,
                hidden_items=s.hidden_items,
                issue_ids=issue_ids,
                assignee_name=names.get(conv.assignee_id, "Someone who left" if conv.assignee_id else ""),
            )
        )
    skills = sorted(
        {s for p in people for s in p.skills} | {r.conversation.expert_group for r in rows} - {""}
    )
    return InboxSnapshot(
        rows=rows,
        targets=service.targets(),
        people=people,
        skills=skills,
        issues={i: issue_labels[i] for i in used_issues},
        unmasked=list(dict.fromkeys(unmasked)),
        read_at=gate.clock(),
    )


def mask_texts(progress: Progress, gate: DeskGate, texts: Sequence[str]) -> dict[str, str]:
    """Mask personal data in ``texts`` (NER); returns text -> masked text."""
    progress.start(None, "Hiding personal data")
    return gate.masker.mask(texts, gate.service.pipeline, progress)


def needs_triage(progress: Progress, gate: DeskGate) -> bool:
    """Whether any customer message still waits for triage."""
    progress.start(None, "Looking for new customer messages")
    service = gate.service
    triaged = service.tables.triage.ids()
    return any(item.id not in triaged for item in service.customer_items())


def triage_new(progress: Progress, gate: DeskGate) -> TriageSummary:
    """Triage the new customer messages into conversations (spaCy)."""
    with gate.exclusive(progress) as service:
        progress.start(None, "Loading the language model")
        service.pipeline  # noqa: B018 - loads it here, under the progress message
        return service.triage_new(progress)


# --------------------------------------------------------------------------- the pane
@dataclass(frozen=True)
class TimelineEntry:
    """One card (or line) of the conversation pane, in time order.

    Attributes:
        kind: "message", "reply" (sent), "draft", "note" or "event".
        at: When it happened (sent, written, said).
        channel: Where (messages and replies).
        author: Who (the customer's name, a team member).
        author_masked: The same while personal data is hidden.
        text: What was said or done.
        text_masked: The same with personal data masked.
        detail: A second line: why a message is in its group, where a reply went.
        item_id: The customer item (messages).
    """

    kind: str
    at: datetime
    channel: Channel | None
    author: str
    author_masked: str
    text: str
    text_masked: str
    detail: str = ""
    item_id: str = ""


@dataclass(frozen=True)
class EarlierConversation:
    """Another conversation of the same customer."""

    id: str
    opened_at: datetime
    status: str
    group: str
    channel: Channel
    messages: int


@dataclass(frozen=True)
class PaneData:
    """Everything the conversation pane shows about one conversation."""

    conversation: Conversation
    detail: ConversationDetail
    entries: list[TimelineEntry]
    draft: Reply | None
    earlier: list[EarlierConversation]
    issue_labels: list[str]
    people: dict[str, str]
    #: Channels with a private mode, and how it is called ("an X direct message").
    private_modes: dict[Channel, str]
    channel_names: dict[Channel, str]


def load_conversation(
    progress: Progress, gate: DeskGate, conversation_id: str, who: User | None = None
) -> PaneData:
    """The conversation with its messages across channels, replies, notes and history, masked too."""
    from curator.triage.replies import CHANNEL_NAMES, PRIVATE_MODES

    progress.start(None, "Loading the conversation")
    service = gate.service
    detail = service.conversation(conversation_id)
    conv = detail.conversation
    people = {u.id: u.name for u in gate.workspace.users.list()}
    masked_name = pseudonym(conv.id)
    raw: list[tuple[str, datetime, Channel | None, str, bool, str, str, str]] = []
    issue_labels: list[str] = []
    for message in detail.messages:
        item = message.item
        text = (
            (item.title + "\n" + item.text).strip()
            if item.title and item.title not in item.text
            else item.text
        )
        hidden = " · hidden from shared screens" if message.record.hide else ""
        raw.append(
            (
                "message",
                item.when,
                item.channel,
                item.author or conv.customer,
                True,
                text,
                f"{message.record.effective_group.value}: {message.explanation}{hidden}",
                item.id,
            )
        )
        if item.issue_id:
            issue = gate.workspace.issues.get(item.issue_id)
            if issue is not None and issue.label and issue.label not in issue_labels:
                issue_labels.append(issue.label)
    draft: Reply | None = None
    for reply in detail.replies:
        author = people.get(reply.author_id, "Someone")
        where = CHANNEL_NAMES.get(reply.channel, reply.channel.value)
        mode = " (private)" if reply.private else ""
        if reply.status == SENT:
            by = people.get(reply.sent_by, author)
            raw.append(
                (
                    "reply",
                    reply.sent_at or reply.updated_at,
                    reply.channel,
                    by,
                    False,
                    reply.text,
                    f"Sent by {where}{mode}"
                    + (f" · {reply.channel_change_reason}" if reply.channel_change_reason else ""),
                    "",
                )
            )
        else:
            if who is not None and reply.author_id == who.id:
                draft = reply  # the latest of this person's drafts goes into the editor, not the timeline
                continue
            raw.append(
                (
                    "draft",
                    reply.updated_at,
                    reply.channel,
                    author,
                    False,
                    reply.text,
                    f"Not sent yet · by {where}{mode}",
                    "",
                )
            )
    for note in conv.notes:
        raw.append(
            (
                "note",
                note.at,
                None,
                people.get(note.author_id, "Someone"),
                False,
                note.text,
                "Internal note",
                "",
            )
        )
    for event in detail.events:
        if event.action in _SHOWN_AS_CARDS:
            continue
        raw.append(
            (
                "event",
                event.at,
                None,
                people.get(event.user_id, "Curator"),
                False,
                event.detail,
                "",
                "personal" if event.action == "linked" else "",
            )
        )
    progress.check_cancelled()
    # Events are the team's own words, except a link's, which names the other customer.
    texts = [entry[5] for entry in raw if entry[0] != "event" or entry[7] == "personal"]
    masked = gate.masker.mask(texts, service.pipeline, progress)
    entries = [
        TimelineEntry(
            kind=kind,
            at=at,
            channel=channel,
            author=author,
            author_masked=masked_name if customer else author,
            text=text,
            text_masked=masked.get(text, text),
            detail=detail_text,
            item_id=item_id if kind == "message" else "",
        )
        for kind, at, channel, author, customer, text, detail_text, item_id in raw
    ]
    entries.sort(key=lambda e: e.at)
    earlier = [
        EarlierConversation(c.id, c.opened_at, c.status.value, c.group.value, c.channel, len(c.item_ids))
        for c in detail.earlier
    ]
    return PaneData(
        conversation=conv,
        detail=detail,
        entries=entries,
        draft=draft,
        earlier=earlier,
        issue_labels=issue_labels,
        people=people,
        private_modes=dict(PRIVATE_MODES),
        channel_names=dict(CHANNEL_NAMES),
    )


# --------------------------------------------------------------------------- actions
def assign(
    progress: Progress,
    gate: DeskGate,
    who: User | None,
    conv_id: str,
    assignee_id: str | None,
    expert_group: str | None = None,
) -> str:
    """Assign to a person ("" to unassign) and/or an expert group; returns the sentence to show."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        conv = service.assign(conv_id, who, assignee_id, expert_group=expert_group)
    if expert_group is not None and assignee_id is None:
        return (
            f"Moved to the {conv.expert_group or 'general'} queue."
            if conv.expert_group
            else "Left the expert group."
        )
    if not conv.assignee_id:
        return "Unassigned: the conversation waits in its group's queue."
    name = next((u.name for u in gate.workspace.users.list() if u.id == conv.assignee_id), "them")
    return "Assigned to you." if conv.assignee_id == who.id else f"Assigned to {name}."


def add_note(progress: Progress, gate: DeskGate, who: User | None, conv_id: str, text: str) -> str:
    """Add an internal note."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        service.add_note(conv_id, who, text)
    return "Note added (only your team sees it)."


def set_status(progress: Progress, gate: DeskGate, who: User | None, conv_id: str, status: str) -> str:
    """Open, set waiting or resolve."""
    from curator.triage.model import ConversationStatus

    who = _check_user(who)
    with gate.exclusive(progress) as service:
        service.set_status(conv_id, who, ConversationStatus(status))
    return {
        RESOLVED: "Resolved.",
        WAITING: "Waiting for the customer: the timer stopped.",
        OPEN: "Opened again.",
    }[status]


def override(
    progress: Progress, gate: DeskGate, who: User | None, target_id: str, group: str, reason: str
) -> str:
    """Put the conversation (or one message) in another group by hand."""
    from curator.triage.model import TriageGroup

    who = _check_user(who)
    with gate.exclusive(progress) as service:
        conv = service.override(target_id, TriageGroup(group), who, reason)
    return f"Moved to {GROUP_NAMES[conv.group.value]}; the change is kept with your reason."


def link(
    progress: Progress, gate: DeskGate, who: User | None, conv_id: str, other_id: str, reason: str
) -> str:
    """Link another conversation of the same customer into this one."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        conv = service.link(conv_id, other_id, who, reason)
    return f"Linked: {len(conv.item_ids)} messages in one conversation now."


def unlink(progress: Progress, gate: DeskGate, who: User | None, conv_id: str, other_id: str) -> str:
    """Undo a link: the other conversation's messages become their own conversation again."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        service.unlink(conv_id, other_id, who)
    return "Unlinked: those messages are a conversation of their own again."


def share_to_wall(progress: Progress, gate: DeskGate, who: User | None, conv_id: str, note: str) -> str:
    """Share a resolved conversation to the wall, masked."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        progress.start(None, "Masking the conversation for the wall")
        service.share_to_wall(conv_id, who, note)
    return "Shared to the wall, with personal data masked."


# --------------------------------------------------------------------------- replies
@dataclass(frozen=True)
class ReplyRequest:
    """What the reply editor holds: the draft to save (or create)."""

    conversation_id: str
    reply_id: str | None
    text: str
    channel: Channel | None
    reason: str
    private: bool


def _save_reply(service: DeskService, who: User, request: ReplyRequest) -> Reply:
    if request.reply_id:
        return service.update_reply(
            request.reply_id,
            who,
            text=request.text,
            channel=request.channel,
            reason=request.reason,
            private=request.private,
        )
    return service.start_reply(
        request.conversation_id,
        who,
        text=request.text,
        channel=request.channel,
        reason=request.reason,
        private=request.private,
    )


def save_reply(progress: Progress, gate: DeskGate, who: User | None, request: ReplyRequest) -> Reply:
    """Save the draft (start it on first save)."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        return _save_reply(service, who, request)


def suggest_private(progress: Progress, gate: DeskGate, reply_id: str) -> PrivateSuggestion | None:
    """Whether the saved draft should go out privately (asks for or holds personal data)."""
    progress.start(None, "Checking the reply for personal data")
    service = gate.service
    service.pipeline  # noqa: B018 - suggest_private_mode uses the service's pipeline once loaded
    return service.suggest_private_mode(reply_id)


def prepare_copy(
    progress: Progress, gate: DeskGate, who: User | None, request: ReplyRequest
) -> tuple[Reply, str]:
    """Save the draft and return it with the text to copy into the channel."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        reply = _save_reply(service, who, request)
        return reply, service.export_reply(reply.id)


def mark_sent(progress: Progress, gate: DeskGate, who: User | None, reply_id: str) -> str:
    """Record that the reply went out; returns the sentence to show."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        reply = service.mark_sent(reply_id, who)
        conv = service.tables.conversations.get(reply.conversation_id)
    first = conv is not None and conv.first_response_at == reply.sent_at
    return "Copied and marked sent" + (" (first response)" if first else "") + ": the timer stopped."


def export_reply(
    progress: Progress, gate: DeskGate, who: User | None, request: ReplyRequest, path: Path
) -> str:
    """Save the draft and write it, with where it goes, to a text file."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        reply = _save_reply(service, who, request)
        text = service.export_reply(reply.id, with_header=True)
    path.write_text(text, encoding="utf-8")
    return f"Wrote the reply to {path}. Mark it sent once it went out."


def discard_reply(progress: Progress, gate: DeskGate, who: User | None, reply_id: str) -> str:
    """Delete the draft."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        service.discard_reply(reply_id, who)
    return "Draft discarded."


@dataclass(frozen=True)
class TemplateChoice:
    """A template shown in the reply editor's list."""

    id: str
    name: str
    text: str
    expert_group: str = ""


def list_templates(progress: Progress, gate: DeskGate) -> list[TemplateChoice]:
    """The team's reply templates."""
    progress.start(None, "Loading reply templates")
    return [TemplateChoice(t.id, t.name, t.text, t.expert_group) for t in gate.service.templates()]


def fill_template(
    progress: Progress,
    gate: DeskGate,
    who: User | None,
    conv_id: str,
    template: TemplateChoice,
    channel: Channel | None,
) -> tuple[str, list[str]]:
    """The template with what Curator knows filled in; placeholders without a value stay, and are listed."""
    from curator.triage.replies import template_variables

    progress.start(None, "Filling in the template")
    values = gate.service.template_values(conv_id, who or User("", roles=[]), channel)
    text = template.text
    missing = []
    for name in template_variables(text):
        value = values.get(name, "").strip()
        if value:
            text = text.replace("{" + name + "}", value)
        else:
            missing.append(name)
    return text.replace("{{", "{"), missing


# --------------------------------------------------------------------------- rules and targets
def load_rules(progress: Progress, gate: DeskGate) -> TriageRules:
    """The triage rules in force."""
    progress.start(None, "Loading the triage rules")
    return gate.service.rules()


@dataclass(frozen=True)
class MovedItem:
    """One message a rule change would move, as the preview lists it."""

    item_id: str
    customer: str
    text: str
    text_masked: str
    channel: Channel
    old: str
    new: str
    new_reasons: str


@dataclass(frozen=True)
class RulePreviewResult:
    """A preview and its first moved messages."""

    preview: RulePreview
    moved: list[MovedItem]


def preview_rules(progress: Progress, gate: DeskGate, rules: TriageRules) -> RulePreviewResult:
    """What ``rules`` would move (compared with the rules in force), and the first moved messages."""
    service = gate.service
    progress.start(None, "Comparing the rules")
    preview = service.preview_rules(rules, progress=progress)
    moves = preview.moves[:PREVIEW_LISTED]
    items = {m.item_id: gate.workspace.items.get(m.item_id) for m in moves}
    texts = [(it.text or it.title)[:280] for it in items.values() if it is not None]
    masked = gate.masker.mask(texts, service.pipeline, progress)
    moved = []
    for move in moves:
        item = items.get(move.item_id)
        if item is None:
            continue
        text = (item.text or item.title)[:280]
        moved.append(
            MovedItem(
                move.item_id,
                item.author,
                text,
                masked.get(text, text),
                item.channel,
                move.old.value,
                move.new.value,
                " + ".join(move.new_reasons),
            )
        )
    return RulePreviewResult(preview, moved)


def save_rules(progress: Progress, gate: DeskGate, who: User | None, rules: TriageRules) -> str:
    """Save the rules (admins only) and apply them to the stored messages."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        progress.start(None, "Applying the rules to the stored messages")
        preview = service.save_rules(rules, who)
    return "Saved the triage rules. " + preview.sentence()


def load_targets(progress: Progress, gate: DeskGate) -> ResponseTargets:
    """The response-time targets."""
    progress.start(None, "Loading the response targets")
    return gate.service.targets()


def save_targets(progress: Progress, gate: DeskGate, who: User | None, targets: ResponseTargets) -> str:
    """Save the targets (admins only); every open timer follows."""
    who = _check_user(who)
    with gate.exclusive(progress) as service:
        service.save_targets(targets, who)
    return "Saved the response targets; every open conversation's timer follows them."


# --------------------------------------------------------------------------- notifications
def poll_notifications(progress: Progress, gate: DeskGate, since: datetime) -> list[DeskNotification]:
    """Warnings and breaches not told yet (each once); nothing while a desk write runs (next poll)."""
    with gate.if_free() as service:
        if service is None:
            return []
        return service.notifications(since)
