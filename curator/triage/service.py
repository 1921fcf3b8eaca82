"""The response desk service: the one API the Inbox view and the CLI use.

:class:`DeskService` triages new customer items into conversations, keeps
timers and routing, records every person's action (assign, note, status,
override, link, reply, share) and answers the Inbox's questions. Every change
is written through the desk's tables (:class:`~curator.triage.model.DeskTables`)
in one transaction per action, so other windows and processes see it as a
store event; each action also appends a :class:`~curator.triage.model.DeskEvent`
to the conversation's history.

Methods that change something take ``who`` (the acting :class:`~curator.domain.User`)
and check permissions in the core (see :mod:`curator.triage.routing`).
``triage_new`` and ``preview_rules`` may run spaCy: call them from a worker
thread. Everything else reads stored records only. Triage runs the tagger,
parser and lemmatizer (not NER); on the 2-core build machine it handles about
130 new messages a second, three quarters of it spaCy's own parse, and a rule
preview re-decides about 1,500 stored messages a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, NoReturn

from curator.domain import Channel, Issue, Item, User, utcnow
from curator.editorial.audit import AuditLog
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.privacy import mask_personal_data
from curator.progress import Progress
from curator.triage.conversations import (
    ConversationBook,
    customer_name,
    identity_keys,
    merge,
    ordered_items,
    recompute_group,
    unlink,
)
from curator.triage.metrics import DeskMetrics, desk_metrics
from curator.triage.model import (
    Conversation,
    ConversationStatus,
    DeskError,
    DeskEvent,
    DeskSettings,
    DeskTables,
    Note,
    NotFound,
    Override,
    Reply,
    ReplyStatus,
    ReplyTemplate,
    TriageGroup,
    TriageInputs,
    TriageRecord,
    WallShare,
    group_rank,
)
from curator.triage.replies import (
    CHANNEL_NAMES,
    DEFAULT_TEMPLATES,
    PrivateSuggestion,
    choose_channel,
    export_reply,
    mark_sent,
    recipient_for,
    render_template,
    send_via_connector,
    suggest_private_mode,
    template_values,
    template_variables,
)
from curator.triage.routing import (
    ROUTING_KEY,
    RoutingRules,
    require_admin,
    require_agent,
    require_assignable,
    route,
    validate_routing,
    workload,
)
from curator.triage.rules import (
    PATTERNS_VERSION,
    CompiledRules,
    TriageResult,
    TriageRules,
    compile_rules,
    decide,
    explain,
    extract_inputs,
    is_customer_item,
    item_text,
)
from curator.triage.targets import (
    TARGETS_KEY,
    ResponseTargets,
    Timer,
    breaches_since,
    refresh_due,
    timer,
    validate_targets,
    warnings_since,
)
from curator.workspace import Workspace

__all__ = [
    "RULES_KEY",
    "SETTINGS_KEY",
    "ConversationDetail",
    "ConversationFilter",
    "ConversationSummary",
    "DeskNotification",
    "DeskService",
    "ItemMove",
    "Message",
    "RulePreview",
    "TriageSummary",
    "preview_rules",
]

RULES_KEY = "triage_rules"
SETTINGS_KEY = "desk_settings"
BATCH_SIZE = 128


# --------------------------------------------------------------------------- results
@dataclass
class TriageSummary:
    """What one :meth:`DeskService.triage_new` run did."""

    triaged: int = 0
    urgent: int = 0
    reply: int = 0
    none: int = 0
    hidden: int = 0
    created: int = 0
    joined: int = 0
    reopened: int = 0
    linked: int = 0
    warning: str = ""

    def sentence(self) -> str:
        """One line for a status bar or the CLI."""
        if not self.triaged:
            text = "No new customer messages."
        else:
            text = (
                f"Triaged {self.triaged} new message{'s' * (self.triaged != 1)}: {self.urgent} urgent, "
                f"{self.reply} to answer, {self.none} needing no reply ({self.hidden} hidden); "
                f"{self.created} new conversation{'s' * (self.created != 1)}."
            )
        return f"{text} {self.warning}" if self.warning else text


@dataclass(frozen=True)
class ItemMove:
    """One stored item a rule change would move."""

    item_id: str
    old: TriageGroup
    new: TriageGroup
    old_reasons: list[str]
    new_reasons: list[str]


@dataclass
class RulePreview:
    """What changed rules would do to the stored customer items, before saving them.

    Attributes:
        total: Customer items compared.
        moves: Items whose group would change (overridden items excluded).
        counts: Moves per (old group, new group).
        kept_by_override: Items the new rules would move but a person's override keeps.
        hide_changes: Items that would be hidden or shown where they were not.
        computed_inputs: Items whose inputs had to be computed (not triaged yet,
            or triaged by older patterns), which ran spaCy.
    """

    total: int = 0
    moves: list[ItemMove] = field(default_factory=list)
    counts: dict[tuple[TriageGroup, TriageGroup], int] = field(default_factory=dict)
    kept_by_override: list[str] = field(default_factory=list)
    hide_changes: int = 0
    computed_inputs: int = 0

    @property
    def moved(self) -> int:
        """How many items would move."""
        return len(self.moves)

    def count(self, old: TriageGroup, new: TriageGroup) -> int:
        """Moves from ``old`` to ``new``."""
        return self.counts.get((old, new), 0)

    def sentence(self) -> str:
        """One line for the rule editor: how many move where, and how many overrides hold."""
        if not self.moves:
            text = f"None of {self.total} messages would move."
        else:
            pairs = ", ".join(
                f"{n} {a.value} → {b.value}"
                for (a, b), n in sorted(self.counts.items(), key=lambda kv: -kv[1])
            )
            text = f"{self.moved} of {self.total} message{'s' * (self.total != 1)} would move: {pairs}."
        kept = len(self.kept_by_override)
        if kept:
            plural = "s keep" if kept != 1 else " keeps"
            text += f" {kept} overridden message{plural} the group a person chose."
        return text


@dataclass(frozen=True)
class ConversationFilter:
    """What the Inbox shows; the default is open and waiting conversations that need an answer."""

    statuses: tuple[ConversationStatus, ...] = (ConversationStatus.OPEN, ConversationStatus.WAITING)
    groups: tuple[TriageGroup, ...] = (TriageGroup.URGENT, TriageGroup.REPLY)
    assignee_id: str | None = None
    expert_group: str | None = None
    channel: Channel | None = None
    text: str = ""
    breached_only: bool = False


@dataclass(frozen=True)
class ConversationSummary:
    """One Inbox row."""

    conversation: Conversation
    timer: Timer | None
    explanation: str
    last_text: str
    hidden_items: int


@dataclass(frozen=True)
class Message:
    """A customer message in a conversation, with its triage."""

    item: Item
    record: TriageRecord
    explanation: str


@dataclass(frozen=True)
class ConversationDetail:
    """Everything the conversation pane shows."""

    conversation: Conversation
    timer: Timer | None
    messages: list[Message]
    replies: list[Reply]
    events: list[DeskEvent]
    earlier: list[Conversation]


@dataclass(frozen=True)
class DeskNotification:
    """A desktop notification to show (once): a target about to be missed, or missed."""

    kind: Literal["warning", "breach"]
    conversation_id: str
    customer: str
    channel: Channel
    group: TriageGroup
    due_at: datetime
    sentence: str


def _explain_record(rec: TriageRecord) -> str:
    if rec.override is not None:
        why = f": {rec.override.reason}" if rec.override.reason else ""
        return f"set to {rec.override.group.value} by hand{why}"
    return " + ".join(rec.reasons)


def _not_needed(pipe: LoadedPipeline) -> list[str]:
    """Triage needs tags, lemmas and the parse, not entities."""
    return [name for name in ("ner",) if name in pipe.nlp.pipe_names]


def _chunks(items: Sequence[Item], size: int) -> Iterable[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- service
class DeskService:
    """The response desk over one workspace.

    Args:
        ws: The open workspace.
        clock: The time source (inject a fixed clock in tests).
        model: The spaCy model setting, as for :func:`curator.nlp.pipeline.load_pipeline`.
        pipeline: An already loaded pipeline to use instead (tests, shared workers).
    """

    def __init__(
        self,
        ws: Workspace,
        *,
        clock: Callable[[], datetime] = utcnow,
        model: str | None = None,
        pipeline: LoadedPipeline | None = None,
    ) -> None:
        self.ws = ws
        self.clock = clock
        self.model = model
        self._pipeline = pipeline
        self.tables = DeskTables(ws.store)
        self.audit = AuditLog(ws.audit, ws.config, clock)

    def _configured(self, who: User, action: str, subject: str) -> None:
        """Record a change of the desk's configuration in the audit log (inside the caller's transaction)."""
        self.audit.append(user_id=who.id, action=action, subject_id=subject)

    @property
    def pipeline(self) -> LoadedPipeline:
        """The shared spaCy pipeline, loaded on first use (call from a worker thread)."""
        if self._pipeline is None:
            self._pipeline = load_pipeline(self.model)
        return self._pipeline

    # ------------------------------------------------------------------ configuration
    def rules(self) -> TriageRules:
        """The triage rules in force."""
        return self.ws.config.get_or_default(RULES_KEY, TriageRules)

    def settings(self) -> DeskSettings:
        """Which items enter the desk, and how conversations are kept."""
        return self.ws.config.get_or_default(SETTINGS_KEY, DeskSettings)

    def targets(self) -> ResponseTargets:
        """The response-time targets."""
        return self.ws.config.get_or_default(TARGETS_KEY, ResponseTargets)

    def routing_rules(self) -> RoutingRules:
        """The routing rules."""
        return self.ws.config.get_or_default(ROUTING_KEY, RoutingRules)

    def save_settings(self, settings: DeskSettings, who: User) -> None:
        """Save desk settings (admins only); they apply to messages triaged from now on."""
        require_admin(who, "change the desk settings")
        if settings.reopen_within_hours < 0:
            raise DeskError("The reopen window cannot be negative; use 0 to always start a new conversation.")
        with self.ws.transaction():
            self.ws.config.put(SETTINGS_KEY, settings)
            self._configured(who, "configure_desk", SETTINGS_KEY)

    def save_targets(self, targets: ResponseTargets, who: User) -> None:
        """Save targets (admins only) and move every open conversation's due time."""
        require_admin(who, "change response targets")
        validate_targets(targets)
        now = self.clock()
        convs = [c for c in self.tables.conversations.list() if c.is_live]
        changed = []
        for conv in convs:
            before = conv.due_at
            refresh_due(conv, targets)
            if conv.due_at != before:
                conv.updated_at = now
                changed.append(conv)
        with self.ws.transaction():
            self.ws.config.put(TARGETS_KEY, targets)
            self.tables.conversations.save_many(changed)
            self._configured(who, "configure_targets", TARGETS_KEY)

    def save_routing_rules(self, rules: RoutingRules, who: User) -> None:
        """Save routing rules (admins only); they route conversations from now on."""
        require_admin(who, "change routing rules")
        validate_routing(rules)
        with self.ws.transaction():
            self.ws.config.put(ROUTING_KEY, rules)
            self._configured(who, "configure_routing", ROUTING_KEY)

    def preview_rules(self, rules: TriageRules, *, progress: Progress | None = None) -> RulePreview:
        """What ``rules`` would change, compared with the rules in force (see :func:`preview_rules`)."""
        return preview_rules(self.ws, rules, pipeline=self._pipeline, progress=progress, model=self.model)

    def save_rules(self, rules: TriageRules, who: User) -> RulePreview:
        """Save new triage rules (admins only) and apply them to the stored messages.

        Stored inputs are re-decided without spaCy; overridden messages keep the
        person's group. Conversations' groups and due times follow.

        Returns:
            The preview of what moved.

        Raises:
            RulesInvalid: The rules contain a mistake (nothing is saved).
        """
        require_admin(who, "change triage rules")
        compiled = compile_rules(rules)
        preview = self.preview_rules(rules)
        now = self.clock()
        items = {i.id: i for i in self.ws.items.list()}
        issues = {i.id: i for i in self.ws.issues.list()}
        records = {r.item_id: r for r in self.tables.triage.list()}
        repeats = Counter(r.inputs.text_hash for r in records.values() if r.inputs.text_hash)
        changed: list[TriageRecord] = []
        convs_touched: dict[str, list[datetime]] = {}
        for rec in records.values():
            item = items.get(rec.item_id)
            if item is None:
                continue
            result = decide(item, rec.inputs, compiled, issues, repeats=repeats.get(rec.inputs.text_hash, 1))
            hide = rec.hide if rec.hidden_by else result.hide
            if (result.group, result.reasons, hide) != (rec.group, rec.reasons, rec.hide):
                before = rec.effective_group
                self._apply_result(rec, result)
                changed.append(rec)
                waits = convs_touched.setdefault(rec.conversation_id, [])
                if before == TriageGroup.NONE and rec.effective_group != TriageGroup.NONE and not rec.hide:
                    waits.append(rec.received_at)  # now needs an answer: its wait counts
        targets = self.targets()
        convs = []
        for conv_id, waits in convs_touched.items():
            conv = self.tables.conversations.get(conv_id)
            if conv is not None and conv.is_live:
                for said_at in waits:
                    if conv.status != ConversationStatus.RESOLVED:
                        self._await(conv, said_at)
                recompute_group(conv, records)
                refresh_due(conv, targets)
                conv.updated_at = now
                convs.append(conv)
        with self.ws.transaction():
            self.ws.config.put(RULES_KEY, rules)
            self.tables.triage.save_many(changed)
            self.tables.conversations.save_many(convs)
            self._configured(who, "configure_triage_rules", RULES_KEY)
        return preview

    @staticmethod
    def _apply_result(rec: TriageRecord, result: TriageResult) -> None:
        """Take the rules' verdict; a person's override and hide/show choice stay as they are."""
        rec.group, rec.reasons, rec.evidence, rec.score = (
            result.group,
            result.reasons,
            result.evidence,
            result.score,
        )
        if not rec.hidden_by:
            rec.hide = result.hide

    # ------------------------------------------------------------------ intake
    def _own_email(self) -> tuple[set[str], set[str]]:
        settings = self.settings()
        addresses = {u.email.lower() for u in self.ws.users.list() if u.email}
        domains = {a.rsplit("@", 1)[1] for a in addresses if "@" in a}
        domains |= {d.lower().lstrip("@") for d in settings.own_email_domains}
        return domains, addresses

    def customer_items(self) -> list[Item]:
        """The stored items that are customer messages (see ``rules.is_customer_item``)."""
        settings = self.settings()
        sources = {s.id: s for s in self.ws.sources.list()}
        return [i for i in self.ws.items.list() if is_customer_item(i, sources.get(i.source_id), settings)]

    def triage_new(
        self, progress: Progress | None = None, *, batch_size: int = BATCH_SIZE, as_received: bool = False
    ) -> TriageSummary:
        """Triage every customer item not triaged yet, placing each in its conversation.

        Items are taken in the order customers wrote them; each batch is written in
        one transaction, so a cancel (through ``progress``) keeps what was done. Run
        it after the hot-issue analysis, so membership in a hot issue counts.

        Args:
            progress: Reports the count done and carries a cancel request.
            batch_size: Messages parsed and written per transaction.
            as_received: Record each message's triage (its record, the conversation's
                change, the routing and the desk events) at the time Curator fetched
                it, not now, as if triage had run as it arrived. For replaying a past
                (the demo workspace does), so a conversation's history reads in the
                order things happened.

        Returns:
            Counts per group and per conversation outcome, and the pipeline's warning.
        """
        now = self.clock()
        settings = self.settings()
        compiled = compile_rules(self.rules())
        targets = self.targets()
        routing = self.routing_rules()
        records = {r.item_id: r for r in self.tables.triage.list()}
        todo = sorted((i for i in self.customer_items() if i.id not in records), key=lambda i: (i.when, i.id))
        summary = TriageSummary()
        if progress is not None:
            progress.start(len(todo), "Triaging new customer messages")
            progress.check_cancelled()
        if not todo:
            return summary
        pipe = self.pipeline
        summary.warning = pipe.warning
        issues = {i.id: i for i in self.ws.issues.list()}
        repeats = Counter(r.inputs.text_hash for r in records.values() if r.inputs.text_hash)
        book = ConversationBook(self.tables.conversations.list())
        users = self.ws.users.list()
        load = workload(book.by_id.values())
        domains, addresses = self._own_email()
        issue_of: dict[str, str | None] = {}
        for batch in _chunks(todo, batch_size):
            if progress is not None:
                progress.check_cancelled()
            book.touched.clear()
            texts = [item_text(i) for i in batch]
            changed_records: dict[str, TriageRecord] = {}
            events: list[DeskEvent] = []
            docs = pipe.nlp.pipe(texts, batch_size=batch_size, disable=_not_needed(pipe))
            for item, text, doc in zip(batch, texts, docs, strict=True):
                at = min(item.fetched_at, now) if as_received else now
                issue_of[item.id] = item.issue_id
                inputs = extract_inputs(doc, text=text, sentiment=item.sentiment)
                if inputs.text_hash:
                    repeats[inputs.text_hash] += 1
                result = decide(item, inputs, compiled, issues, repeats=repeats.get(inputs.text_hash, 1))
                rec = TriageRecord(
                    item_id=item.id,
                    conversation_id="",
                    channel=item.channel,
                    received_at=item.when,
                    inputs=inputs,
                    identity_keys=identity_keys(
                        item,
                        text=text,
                        own_handles=settings.own_handles,
                        own_domains=domains,
                        own_addresses=addresses,
                    ),
                    triaged_at=at,
                )
                self._apply_result(rec, result)
                records[item.id] = rec
                conv, action, merged = book.place(
                    item,
                    rec,
                    customer=customer_name(item),
                    reopen_within=timedelta(hours=settings.reopen_within_hours),
                    records=records,
                    at=at,
                )
                changed_records[rec.item_id] = rec
                for other in merged:
                    changed_records.update({i: records[i] for i in other.item_ids if i in records})
                    events.append(
                        DeskEvent(
                            conv.id,
                            "linked",
                            f"Linked with another conversation: {conv.links[-1].reason}.",
                            at=at,
                        )
                    )
                events.append(
                    DeskEvent(
                        conv.id,
                        "message",
                        f"{action.capitalize()} by a message on {CHANNEL_NAMES[item.channel]}: "
                        f"{result.group.value} ({explain(result)}).",
                        at=at,
                    )
                )
                if not conv.routed_by.startswith("By hand") and not conv.expert_group:
                    events += self._route(conv, records, users, routing, load, issue_of, at)
                refresh_due(conv, targets)
                summary.triaged += 1
                setattr(summary, result.group.value, getattr(summary, result.group.value) + 1)
                summary.hidden += rec.hide
                summary.linked += len(merged)
                setattr(summary, action, getattr(summary, action) + 1)
            with self.ws.transaction():
                self.tables.triage.save_many(changed_records.values())
                self.tables.conversations.save_many(book.by_id[i] for i in sorted(book.touched))
                self.tables.events.save_many(events)
            if progress is not None:
                progress.advance(len(batch))
        return summary

    def _route(
        self,
        conv: Conversation,
        records: dict[str, TriageRecord],
        users: Sequence[User],
        routing: RoutingRules,
        load: dict[str, int],
        issue_of: dict[str, str | None],
        now: datetime,
    ) -> list[DeskEvent]:
        inputs = [records[i].inputs for i in conv.item_ids if i in records]
        issues = [issue_of.get(i) for i in conv.item_ids]
        decision = route(conv, users, routing, inputs=inputs, issue_ids=issues, load=load)
        if not decision.expert_group and conv.routed_by == decision.reason:
            return []  # still no rule matches: nothing new to record
        conv.expert_group = decision.expert_group
        conv.routed_by = decision.reason
        if decision.assignee_id and not conv.assignee_id:
            conv.assignee_id = decision.assignee_id
            load[decision.assignee_id] = load.get(decision.assignee_id, 0) + 1
        return [DeskEvent(conv.id, "routed", decision.reason, at=now)]

    # ------------------------------------------------------------------ reading
    def _conv(self, conv_id: str) -> Conversation:
        """The live conversation ``conv_id`` (following merges)."""
        conv = self.tables.conversations.get(conv_id)
        hops = 0
        while conv is not None and conv.merged_into is not None and hops < 20:
            conv = self.tables.conversations.get(conv.merged_into)
            hops += 1
        if conv is None or conv.merged_into is not None:
            raise NotFound("This conversation no longer exists; refresh the Inbox.")
        return conv

    def _records(self, conv: Conversation) -> dict[str, TriageRecord]:
        found = {}
        for item_id in conv.item_ids:
            rec = self.tables.triage.get(item_id)
            if rec is not None:
                found[item_id] = rec
        return found

    def timer(self, conv: Conversation) -> Timer | None:
        """The conversation's timer now."""
        return timer(conv, self.clock(), self.targets())

    def conversations(self, flt: ConversationFilter | None = None) -> list[ConversationSummary]:
        """Inbox rows: urgent first, then by due time, then newest message."""
        flt = flt or ConversationFilter()
        now, targets = self.clock(), self.targets()
        needle = flt.text.strip().lower()
        rows: list[ConversationSummary] = []
        all_records = {r.item_id: r for r in self.tables.triage.list()}
        for conv in self.tables.conversations.list():
            if not conv.is_live or conv.status not in flt.statuses or conv.group not in flt.groups:
                continue
            if flt.assignee_id is not None and conv.assignee_id != flt.assignee_id:
                continue
            if flt.expert_group is not None and conv.expert_group != flt.expert_group:
                continue
            if flt.channel is not None and conv.channel != flt.channel:
                continue
            t = timer(conv, now, targets)
            if flt.breached_only and (t is None or t.state != "breached"):
                continue
            records = {i: all_records[i] for i in conv.item_ids if i in all_records}
            last_id = ordered_items(conv, records)[-1] if conv.item_ids else ""
            last = self.ws.items.get(last_id) if last_id else None
            last_text = (last.text or last.title) if last is not None else ""
            if needle and not any(
                needle in s.lower()
                for s in (conv.customer, last_text, *conv.identity_keys, conv.expert_group)
            ):
                continue
            episode = [r for r in records.values() if r.received_at >= (conv.episode_start or conv.opened_at)]
            top = max(
                episode, key=lambda r: (group_rank(r.effective_group), r.score, r.received_at), default=None
            )
            explanation = _explain_record(top) if top is not None else ""
            if conv.group_override is not None:
                why = f": {conv.group_override.reason}" if conv.group_override.reason else ""
                explanation = f"set to {conv.group.value} by hand{why}"
            hidden = sum(r.hide for r in records.values())
            rows.append(ConversationSummary(conv, t, explanation, last_text[:280], hidden))
        far = now + timedelta(days=36500)
        rows.sort(
            key=lambda r: (
                -group_rank(r.conversation.group),
                r.timer.due_at if r.timer is not None else far,
                -(r.conversation.last_customer_at or r.conversation.opened_at).timestamp(),
            )
        )
        return rows

    def conversation(self, conv_id: str) -> ConversationDetail:
        """The conversation with every customer message across channels, replies and history."""
        conv = self._conv(conv_id)
        records = self._records(conv)
        messages = []
        for item_id in ordered_items(conv, records):
            item = self.ws.items.get(item_id)
            if item is not None and item_id in records:
                messages.append(Message(item, records[item_id], _explain_record(records[item_id])))
        book = ConversationBook(self.tables.conversations.list())
        return ConversationDetail(
            conversation=conv,
            timer=self.timer(conv),
            messages=messages,
            replies=self.replies(conv.id),
            events=self.history(conv.id),
            earlier=book.history(conv),
        )

    def history(self, conv_id: str) -> list[DeskEvent]:
        """What happened to the conversation (and those merged into it), oldest first."""
        conv = self.tables.conversations.get(conv_id)
        ids = {conv_id, *(lk.other_id for lk in conv.links)} if conv is not None else {conv_id}
        # A stable sort: events written by one action share a time and keep the order they were written in.
        return sorted((e for e in self.tables.events.list() if e.conversation_id in ids), key=lambda e: e.at)

    def record(self, item_id: str) -> TriageRecord | None:
        """The triage of one item, if triaged."""
        return self.tables.triage.get(item_id)

    # ------------------------------------------------------------------ actions
    def _event(
        self, conv: Conversation, who: User | None, action: str, detail: str, now: datetime
    ) -> DeskEvent:
        conv.updated_at = now
        return DeskEvent(conv.id, action, detail, user_id=who.id if who is not None else "", at=now)

    def _save(
        self, convs: Iterable[Conversation], events: Iterable[DeskEvent], **more: Iterable[object]
    ) -> None:
        with self.ws.transaction():
            self.tables.conversations.save_many(convs)
            self.tables.events.save_many(events)
            for table, objs in more.items():
                getattr(self.tables, table).save_many(objs)

    def assign(
        self, conv_id: str, who: User, assignee_id: str | None, *, expert_group: str | None = None
    ) -> Conversation:
        """Assign to a person (None or "" to leave it to the group) and/or an expert group, by hand.

        Raises:
            PermissionDenied: ``who`` is not an agent, or the assignee cannot be assigned.
            NotFound: The conversation or the assignee does not exist.
        """
        require_agent(who, "assign conversations")
        conv, now = self._conv(conv_id), self.clock()
        parts = []
        if assignee_id:
            assignee = self.ws.users.get(assignee_id)
            if assignee is None:
                raise NotFound("That person is no longer a member of this workspace; pick someone else.")
            require_assignable(assignee)
            conv.assignee_id = assignee.id
            parts.append(f"assigned to {assignee.name}")
        elif assignee_id is not None:
            conv.assignee_id = ""
            parts.append("unassigned")
        if expert_group is not None:
            conv.expert_group = expert_group.strip().lower()
            parts.append(f"expert group {conv.expert_group or 'none'}")
        conv.routed_by = f"By hand: {who.name}"
        event = self._event(conv, who, "assigned", f"{who.name}: {', '.join(parts) or 'no change'}.", now)
        self._save([conv], [event])
        return conv

    def route_again(self, conv_id: str, who: User) -> Conversation:
        """Route by the rules again (e.g. after a hand assignment was a mistake)."""
        require_agent(who, "route conversations")
        conv, now = self._conv(conv_id), self.clock()
        records = self._records(conv)
        issue_of = {i: it.issue_id for i in conv.item_ids if (it := self.ws.items.get(i)) is not None}
        conv.assignee_id = conv.expert_group = conv.routed_by = ""
        load = workload(self.tables.conversations.list())
        events = self._route(conv, records, self.ws.users.list(), self.routing_rules(), load, issue_of, now)
        conv.updated_at = now
        self._save([conv], events)
        return conv

    def add_note(self, conv_id: str, who: User, text: str) -> Note:
        """Add an internal note (never sent to the customer)."""
        require_agent(who, "add notes")
        if not text.strip():
            raise DeskError("A note needs some text.")
        conv, now = self._conv(conv_id), self.clock()
        note = Note(author_id=who.id, text=text.strip(), at=now)
        conv.notes.append(note)
        self._save([conv], [self._event(conv, who, "note", f"{who.name} added a note.", now)])
        return note

    def set_status(self, conv_id: str, who: User, status: ConversationStatus) -> Conversation:
        """Open, set waiting (for the customer) or resolve a conversation.

        Resolving stops the timer. Reopening restarts it only if the customer's last
        message was not answered.
        """
        require_agent(
            who, "resolve conversations" if status == ConversationStatus.RESOLVED else "change status"
        )
        conv, now = self._conv(conv_id), self.clock()
        before = conv.status
        if status == before:
            return conv
        conv.status = status
        if status == ConversationStatus.RESOLVED:
            conv.resolved_at, conv.resolved_by, conv.awaiting_since = now, who.id, None
        else:
            conv.resolved_at, conv.resolved_by = None, ""
            unanswered = conv.last_customer_at is not None and (
                conv.last_response_at is None or conv.last_customer_at > conv.last_response_at
            )
            if before == ConversationStatus.RESOLVED:
                conv.awaiting_since = conv.last_customer_at if unanswered else None
        refresh_due(conv, self.targets())
        detail = f"{who.name} changed the status from {before.value} to {status.value}."
        self._save([conv], [self._event(conv, who, "status", detail, now)])
        return conv

    def override(self, target_id: str, group: TriageGroup, who: User, reason: str = "") -> Conversation:
        """Put a message (item id) or a whole conversation (conversation id) in ``group`` by hand.

        The override is kept with who, when and why, and counted in the metrics.
        The rules never move an overridden message again.

        Returns:
            The conversation, with its group recomputed.
        """
        require_agent(who, "override the triage")
        now = self.clock()
        rec = self.tables.triage.get(target_id)
        if rec is not None:
            conv = self._conv(rec.conversation_id)
            previous = rec.effective_group
            if previous == group:
                raise DeskError(f"This message is already in '{group.value}'.")
            rec.override = Override(group, previous, who.id, reason.strip(), item_id=rec.item_id, at=now)
            conv.overrides.append(rec.override)
            records = self._records(conv)
            records[rec.item_id] = rec
            if group != TriageGroup.NONE and not rec.hide:
                self._await(conv, rec.received_at)
            what = "a message"
        else:
            conv = self._conv(target_id)
            previous = conv.group
            if previous == group:
                raise DeskError(f"This conversation is already in '{group.value}'.")
            conv.group_override = Override(group, previous, who.id, reason.strip(), at=now)
            conv.overrides.append(conv.group_override)
            records = self._records(conv)
            if group != TriageGroup.NONE and conv.last_customer_at is not None:
                self._await(conv, conv.last_customer_at)
            what = "the conversation"
        recompute_group(conv, records)
        refresh_due(conv, self.targets())
        why = f" ({reason.strip()})" if reason.strip() else ""
        detail = f"{who.name} moved {what} from {previous.value} to {group.value}{why}."
        event = self._event(conv, who, "override", detail, now)
        self._save([conv], [event], triage=[rec] if rec is not None else [])
        return conv

    @staticmethod
    def _await(conv: Conversation, said_at: datetime) -> None:
        """Start the timer for a message that now needs an answer, unless it was answered."""
        answered = conv.last_response_at is not None and said_at <= conv.last_response_at
        if not answered and (conv.awaiting_since is None or said_at < conv.awaiting_since):
            conv.awaiting_since = said_at

    def clear_override(self, target_id: str, who: User) -> Conversation:
        """Give a message or conversation back to the rules (the override stays in the history)."""
        require_agent(who, "override the triage")
        now = self.clock()
        rec = self.tables.triage.get(target_id)
        conv = self._conv(rec.conversation_id) if rec is not None else self._conv(target_id)
        if rec is not None:
            rec.override = None
        else:
            conv.group_override = None
        records = self._records(conv)
        if rec is not None:
            records[rec.item_id] = rec
        recompute_group(conv, records)
        refresh_due(conv, self.targets())
        event = self._event(conv, who, "override", f"{who.name} gave the triage back to the rules.", now)
        self._save([conv], [event], triage=[rec] if rec is not None else [])
        return conv

    def set_hidden(self, item_id: str, who: User, hidden: bool) -> TriageRecord:
        """Hide a message from shared screens and the default Inbox, or show it again."""
        require_agent(who, "hide messages")
        rec = self.tables.triage.get(item_id)
        if rec is None:
            raise NotFound("That message has not been triaged; refresh the Inbox.")
        rec.hide, rec.hidden_by = hidden, who.id
        conv, now = self._conv(rec.conversation_id), self.clock()
        detail = f"{who.name} {'hid' if hidden else 'showed'} a message."
        self._save([conv], [self._event(conv, who, "hidden", detail, now)], triage=[rec])
        return rec

    def link(self, conv_id: str, other_id: str, who: User, reason: str = "") -> Conversation:
        """Link two conversations of the same customer (``other`` merges into ``conv``).

        Raises:
            DeskError: Both are the same conversation.
        """
        require_agent(who, "link conversations")
        conv, other, now = self._conv(conv_id), self._conv(other_id), self.clock()
        if conv.id == other.id:
            raise DeskError("These messages are already in one conversation.")
        merge(conv, other, user_id=who.id, reason=reason.strip() or f"linked by {who.name}", at=now)
        records = self._records(conv)
        for rec in records.values():
            rec.conversation_id = conv.id
        recompute_group(conv, records)
        targets = self.targets()
        refresh_due(conv, targets)
        refresh_due(other, targets)
        detail = f"{who.name} linked {other.customer}'s conversation" + (
            f" ({reason.strip()})" if reason.strip() else ""
        )
        events = [self._event(conv, who, "linked", detail + ".", now)]
        self._save([conv, other], events, triage=records.values())
        return conv

    def unlink(self, conv_id: str, other_id: str, who: User) -> tuple[Conversation, Conversation]:
        """Undo a link: ``other_id`` (listed in ``conv.links``) becomes its own conversation again.

        Returns:
            Both conversations, updated.
        """
        require_agent(who, "unlink conversations")
        conv, now = self._conv(conv_id), self.clock()
        other = self.tables.conversations.get(other_id)
        if other is None or other.merged_into != conv.id:
            raise DeskError("That conversation is not linked into this one; refresh and try again.")
        records = self._records(conv)
        moved = unlink(conv, other, records, at=now)
        for item_id in moved:
            records[item_id].conversation_id = other.id
        targets = self.targets()
        for c in (conv, other):
            recompute_group(c, records)
            refresh_due(c, targets)
        detail = (
            f"{who.name} unlinked {len(moved)} message{'s' * (len(moved) != 1)} into their own conversation."
        )
        events = [
            self._event(conv, who, "unlinked", detail, now),
            self._event(other, who, "unlinked", detail, now),
        ]
        self._save([conv, other], events, triage=[records[i] for i in moved])
        return conv, other

    # ------------------------------------------------------------------ replies
    def replies(self, conv_id: str) -> list[Reply]:
        """The conversation's replies (drafts and sent), oldest first."""
        return sorted(
            (r for r in self.tables.replies.list() if r.conversation_id == conv_id),
            key=lambda r: (r.created_at, r.id),
        )

    def _reply(self, reply_id: str) -> Reply:
        reply = self.tables.replies.get(reply_id)
        if reply is None:
            raise NotFound("That reply no longer exists; refresh the conversation.")
        return reply

    def templates(self) -> list[ReplyTemplate]:
        """The team's reply templates (the shipped ones until the team saves its own)."""
        stored = sorted(self.tables.templates.list(), key=lambda t: t.name.lower())
        return stored or list(DEFAULT_TEMPLATES)

    def template(self, template_id: str) -> ReplyTemplate:
        """One template by id."""
        found = next((t for t in self.templates() if t.id == template_id), None)
        if found is None:
            raise NotFound("That reply template no longer exists; pick another one.")
        return found

    def save_template(self, template: ReplyTemplate, who: User) -> None:
        """Save a template (agents and admins); its placeholders are checked first."""
        require_agent(who, "edit reply templates")
        if not template.name.strip() or not template.text.strip():
            raise DeskError("A reply template needs a name and a text.")
        template_variables(template.text)
        with self.ws.transaction():
            if self.tables.templates.count() == 0:
                self.tables.templates.save_many(t for t in DEFAULT_TEMPLATES if t.id != template.id)
            self.tables.templates.save(template)

    def remove_template(self, template_id: str, who: User) -> None:
        """Delete a template."""
        require_agent(who, "edit reply templates")
        self.tables.templates.remove(template_id)

    def template_values(self, conv_id: str, who: User, channel: Channel | None = None) -> dict[str, str]:
        """The values Curator fills into this conversation's templates (customer, agent, issue, order)."""
        conv = self._conv(conv_id)
        items = [it for i in conv.item_ids if (it := self.ws.items.get(i)) is not None]
        issue_label = ""
        for item in reversed(items):
            issue: Issue | None = self.ws.issues.get(item.issue_id) if item.issue_id else None
            if issue is not None and issue.label:
                issue_label = issue.label
                break
        return template_values(conv, who, items, issue_label=issue_label, channel=channel)

    def start_reply(
        self,
        conv_id: str,
        who: User,
        *,
        text: str = "",
        template_id: str | None = None,
        values: dict[str, str] | None = None,
        channel: Channel | None = None,
        reason: str = "",
        private: bool = False,
    ) -> Reply:
        """Start a reply draft in the customer's channel (or another one, with a reason).

        Args:
            conv_id: The conversation.
            who: The agent writing it.
            text: The text (ignored when a template is given).
            template_id: Fill this template with what Curator knows plus ``values``.
            values: Template values that override or add to Curator's.
            channel: Another channel than the customer's (needs ``reason``).
            reason: Why another channel.
            private: Use the channel's private mode.

        Raises:
            ChannelChangeNeedsReason: Another channel without a reason.
            TemplateError: The template needs values nobody gave (``missing`` lists them).
        """
        require_agent(who, "write replies")
        conv, now = self._conv(conv_id), self.clock()
        choice = choose_channel(conv, channel, reason, private=private)
        if template_id is not None:
            tmpl = self.template(template_id)
            filled = {**self.template_values(conv.id, who, choice.channel), **(values or {})}
            text = render_template(tmpl.text, filled, name=tmpl.name)
        records = self._records(conv)
        order = ordered_items(conv, records)
        reply = Reply(
            conversation_id=conv.id,
            channel=choice.channel,
            text=text,
            private=choice.private,
            author_id=who.id,
            recipient=recipient_for(conv, choice.channel),
            in_reply_to=order[-1] if order else "",
            channel_change_reason=choice.reason,
            template_id=template_id or "",
            created_at=now,
            updated_at=now,
        )
        where = CHANNEL_NAMES[choice.channel] + (" (private)" if choice.private else "")
        event = self._event(conv, who, "reply", f"{who.name} started a reply by {where}.", now)
        self._save([conv], [event], replies=[reply])
        return reply

    def update_reply(
        self,
        reply_id: str,
        who: User,
        *,
        text: str | None = None,
        channel: Channel | None = None,
        reason: str | None = None,
        private: bool | None = None,
    ) -> Reply:
        """Change a draft's text or channel (a channel change is checked again)."""
        require_agent(who, "write replies")
        reply = self._reply(reply_id)
        if reply.status != ReplyStatus.DRAFT:
            raise DeskError("A sent reply cannot be changed; write a new reply to follow up.")
        if channel is not None or reason is not None or private is not None:
            conv = self._conv(reply.conversation_id)
            choice = choose_channel(
                conv,
                channel or reply.channel,
                reply.channel_change_reason if reason is None else reason,
                private=reply.private if private is None else private,
            )
            reply.channel, reply.private, reply.channel_change_reason = (
                choice.channel,
                choice.private,
                choice.reason,
            )
            reply.recipient = recipient_for(conv, choice.channel)
        if text is not None:
            reply.text = text
        reply.updated_at = self.clock()
        self.tables.replies.save(reply)
        return reply

    def discard_reply(self, reply_id: str, who: User) -> None:
        """Delete a draft."""
        require_agent(who, "write replies")
        if self._reply(reply_id).status != ReplyStatus.DRAFT:
            raise DeskError("A sent reply is part of the conversation's record and cannot be deleted.")
        self.tables.replies.remove(reply_id)

    def suggest_private_mode(self, reply_id: str) -> PrivateSuggestion | None:
        """Whether to answer this draft privately (see ``replies.suggest_private_mode``)."""
        reply = self._reply(reply_id)
        if reply.private:
            return None
        return suggest_private_mode(reply.text, reply.channel, pipeline=self._pipeline)

    def export_reply(self, reply_id: str, *, with_header: bool = False) -> str:
        """The reply's text to copy (or, with a header, to save to a file)."""
        reply = self._reply(reply_id)
        conv = self.tables.conversations.get(reply.conversation_id)
        return export_reply(
            reply, customer=conv.customer if conv is not None else "", with_header=with_header
        )

    def send_reply(self, reply_id: str, who: User) -> NoReturn:
        """Send through the channel's publishing connector.

        Raises:
            NotAvailable: Always, until reply connectors exist: copy and mark sent instead.
        """
        require_agent(who, "send replies")
        send_via_connector(self._reply(reply_id))

    def mark_sent(self, reply_id: str, who: User, *, sent_at: datetime | None = None) -> Reply:
        """Record that a reply went out (by hand), when it did (default: now).

        The first one sets the first-response time; every one stops the timer and
        sets an open conversation to waiting for the customer.
        """
        reply, now = self._reply(reply_id), self.clock()
        at = sent_at or now
        if at > now:
            raise DeskError("A reply cannot be marked sent in the future; check the time you entered.")
        conv = self._conv(reply.conversation_id)
        effect = mark_sent(reply, conv, who, at)
        refresh_due(conv, self.targets())
        first = " (first response)" if effect.first_response else ""
        event = self._event(
            conv, who, "sent", f"{who.name} sent a reply by {CHANNEL_NAMES[reply.channel]}{first}.", now
        )
        self._save([conv], [event], replies=[reply])
        return reply

    # ------------------------------------------------------------------ wall
    def share_to_wall(self, conv_id: str, who: User, permission_note: str) -> WallShare:
        """Share a resolved conversation to the wall, personal data masked.

        Raises:
            DeskError: Not resolved, or no note of the customer's permission.
        """
        require_agent(who, "share conversations to the wall")
        conv, now = self._conv(conv_id), self.clock()
        if conv.status != ConversationStatus.RESOLVED:
            raise DeskError("Only resolved conversations can be shared to the wall; resolve it first.")
        if not permission_note.strip():
            raise DeskError(
                "Note how the customer agreed to be shown (for example: 'asked by DM on 3 May, said yes') "
                "before sharing to the wall."
            )
        sent = [r for r in self.replies(conv.id) if r.status == ReplyStatus.SENT]
        records = self._records(conv)
        order = ordered_items(conv, records)
        item_id = sent[-1].in_reply_to if sent and sent[-1].in_reply_to else (order[-1] if order else "")
        item = self.ws.items.get(item_id) if item_id else None
        keep = self.settings().own_handles
        customer_text = ""
        if item is not None:
            customer_text = (
                item.masked_text
                or mask_personal_data(item.text, pipeline=self.pipeline, keep_handles=keep).masked
            )
        reply_text = (
            mask_personal_data(sent[-1].text, pipeline=self.pipeline, keep_handles=keep).masked
            if sent
            else ""
        )
        conv.wall = WallShare(
            user_id=who.id,
            permission_note=permission_note.strip(),
            customer_text=customer_text,
            reply_text=reply_text,
            channel=conv.channel,
            at=now,
        )
        self._save([conv], [self._event(conv, who, "shared", f"{who.name} shared it to the wall.", now)])
        return conv.wall

    def unshare_from_wall(self, conv_id: str, who: User) -> None:
        """Take a conversation off the wall."""
        require_agent(who, "share conversations to the wall")
        conv, now = self._conv(conv_id), self.clock()
        conv.wall = None
        self._save([conv], [self._event(conv, who, "unshared", f"{who.name} took it off the wall.", now)])

    def wall(self) -> list[Conversation]:
        """Conversations shared to the wall, newest share first (read ``conversation.wall``)."""
        shared = [c for c in self.tables.conversations.list() if c.is_live and c.wall is not None]
        return sorted(shared, key=lambda c: c.wall.at if c.wall is not None else c.updated_at, reverse=True)

    # ------------------------------------------------------------------ timers and metrics
    def breaches_since(self, since: datetime) -> list[Conversation]:
        """Conversations newly past their target since ``since``; each returned once per due time."""
        return breaches_since(self.ws, since, self.clock(), self.targets())

    def notifications(self, since: datetime) -> list[DeskNotification]:
        """Warnings and breaches to notify about now (each once), for the desktop notifier.

        Call it every minute or so while the app runs; ``since`` keeps old breaches
        (from before the app started) quiet.
        """
        now, targets = self.clock(), self.targets()
        out: list[DeskNotification] = []
        for kind, convs in (
            ("warning", warnings_since(self.ws, since, now, targets)),
            ("breach", breaches_since(self.ws, since, now, targets)),
        ):
            for conv in convs:
                t = timer(conv, now, targets)
                if t is None:
                    continue
                where = CHANNEL_NAMES[conv.channel]
                if kind == "breach":
                    sentence = (
                        f"{conv.customer} on {where} has waited past the {t.target_minutes} min target."
                    )
                else:
                    sentence = f"{conv.customer} on {where}: {t.sentence()} to answer."
                out.append(
                    DeskNotification(
                        "breach" if kind == "breach" else "warning",
                        conv.id,
                        conv.customer,
                        conv.channel,
                        conv.group,
                        t.due_at,
                        sentence,
                    )
                )
        return out

    def metrics(self, start: datetime, end: datetime) -> DeskMetrics:
        """First-response and resolution times for conversations opened in ``[start, end)``."""
        return desk_metrics(self.tables.conversations.list(), self.targets(), start, end, now=self.clock())


# --------------------------------------------------------------------------- preview
def preview_rules(
    ws: Workspace,
    new_rules: TriageRules,
    *,
    pipeline: LoadedPipeline | None = None,
    progress: Progress | None = None,
    model: str | None = None,
) -> RulePreview:
    """Compare ``new_rules`` with the rules in force over every stored customer item.

    Uses the stored triage inputs, so no spaCy runs for triaged items; items not
    triaged yet (or triaged by older patterns) have their inputs computed.
    Overridden items do not move: they are listed in ``kept_by_override``.

    Raises:
        RulesInvalid: ``new_rules`` contain a mistake.
    """
    new = compile_rules(new_rules)
    current: CompiledRules = compile_rules(ws.config.get_or_default(RULES_KEY, TriageRules))
    settings = ws.config.get_or_default(SETTINGS_KEY, DeskSettings)
    sources = {s.id: s for s in ws.sources.list()}
    items = [i for i in ws.items.list() if is_customer_item(i, sources.get(i.source_id), settings)]
    records = {r.item_id: r for r in DeskTables(ws.store).triage.list()}
    issues = {i.id: i for i in ws.issues.list()}
    inputs: dict[str, TriageInputs] = {}
    missing: list[Item] = []
    for item in items:
        rec = records.get(item.id)
        if rec is not None and rec.inputs.version == PATTERNS_VERSION:
            inputs[item.id] = rec.inputs
        else:
            missing.append(item)
    if progress is not None:
        progress.start(len(items), "Comparing the rules")
        progress.check_cancelled()
    if missing:
        pipe = pipeline if pipeline is not None else load_pipeline(model)
        texts = [item_text(i) for i in missing]
        for item, text, doc in zip(
            missing, texts, pipe.nlp.pipe(texts, disable=_not_needed(pipe)), strict=True
        ):
            inputs[item.id] = extract_inputs(doc, text=text, sentiment=item.sentiment)
    repeats = Counter(inp.text_hash for inp in inputs.values() if inp.text_hash)
    preview = RulePreview(total=len(items), computed_inputs=len(missing))
    counts: Counter[tuple[TriageGroup, TriageGroup]] = Counter()
    for done, item in enumerate(items, 1):
        if progress is not None and done % 500 == 0:
            progress.advance(500)
        inp = inputs[item.id]
        n = repeats.get(inp.text_hash, 1)
        before = decide(item, inp, current, issues, repeats=n)
        after = decide(item, inp, new, issues, repeats=n)
        if before.hide != after.hide:
            preview.hide_changes += 1
        if before.group == after.group:
            continue
        rec = records.get(item.id)
        if rec is not None and rec.override is not None:
            preview.kept_by_override.append(item.id)
            continue
        preview.moves.append(ItemMove(item.id, before.group, after.group, before.reasons, after.reasons))
        counts[(before.group, after.group)] += 1
    preview.counts = dict(counts)
    if progress is not None:
        progress.advance(len(items) % 500)
    return preview
