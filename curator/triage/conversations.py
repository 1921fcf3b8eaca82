"""Conversations: one customer's messages linked across channels.

A customer who e-mails on Monday, complains on X on Tuesday and e-mails
again on Wednesday is one conversation, so the agent sees the whole history.
Items are linked by **identity keys**:

* the author's handle per platform, normalised: ``@Anna_K`` on X is
  ``x:anna_k``, ``u/anna`` on Reddit ``reddit:anna``, a fediverse handle keeps
  its server (``mastodon:ada@toot.example.org``). Platforms where authors are
  display names, not handles (Facebook pages, reviews, forums, blog comments),
  get keys scoped to the source (``review:<source id>:ben h.``): two "Ben H."
  on different review sites are not assumed to be one person;
* e-mail addresses in the author field (e-mail items) or in the text ("reach
  me at anna@example.com"), except the team's own addresses and domains,
  which customers quote ("I wrote to club@northwind...") and which would
  otherwise link every customer who does;
* an agent's explicit link (a merge, which can be undone).

A new item joins the open conversation sharing one of its keys (the most
recently active one; an item carrying the keys of two open conversations
links them), reopens one resolved less than ``reopen_within_hours`` ago, or
starts a new one. Keys index *live* conversations; merged ones keep their
record with ``merged_into`` set so a merge can be undone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from curator.domain import Channel, Item
from curator.triage.model import (
    Conversation,
    ConversationStatus,
    LinkRecord,
    TriageGroup,
    TriageRecord,
    group_rank,
)

__all__ = [
    "ConversationBook",
    "customer_name",
    "find_emails",
    "identity_keys",
    "merge",
    "recompute_group",
    "unlink",
]

#: Platforms where an author is a unique handle, so the key holds platform-wide.
HANDLE_CHANNELS = frozenset({Channel.X, Channel.INSTAGRAM, Channel.MASTODON, Channel.REDDIT})

# Not preceded by "@" either, so a fediverse handle (@ada@toot.example.org) is not an address.
_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_NAME_AND_ADDRESS = re.compile(r"^\s*\"?([^\"<]*?)\"?\s*<[^>]+>\s*$")
_STATUS_ORDER = {ConversationStatus.OPEN: 2, ConversationStatus.WAITING: 1, ConversationStatus.RESOLVED: 0}


def find_emails(text: str) -> list[str]:
    """E-mail addresses in ``text``, lower-cased, in order, without duplicates."""
    return list(dict.fromkeys(m.group().lower().rstrip(".") for m in _EMAIL.finditer(text)))


def _normalise_handle(channel: Channel, author: str) -> str:
    handle = author.strip().lower()
    if channel == Channel.REDDIT:
        handle = re.sub(r"^/?u/", "", handle)
    return handle.lstrip("@")


def _looks_like_handle(author: str) -> bool:
    return author.startswith("@") or bool(re.match(r"^/?u/\w", author))


def identity_keys(
    item: Item,
    *,
    text: str | None = None,
    own_handles: Iterable[str] = (),
    own_domains: Iterable[str] = (),
    own_addresses: Iterable[str] = (),
) -> list[str]:
    """The keys that identify the customer behind ``item`` (see the module docstring).

    Args:
        item: The customer's item.
        text: The text searched for e-mail addresses (defaults to title and text).
        own_handles: The brand's handles, never a customer's key.
        own_domains: E-mail domains that are ours (the team's, the support address's).
        own_addresses: Our own e-mail addresses (the team's users).

    Returns:
        Keys such as ``x:anna_k`` and ``email:anna@example.com``; ``item:<id>`` when
        nothing identifies the author, so the item still gets a conversation.
    """
    own = {h.lower().lstrip("@") for h in own_handles}
    domains = {d.lower().lstrip("@") for d in own_domains}
    addresses = {a.lower() for a in own_addresses}
    keys: list[str] = []
    author = item.author.strip()
    if item.channel == Channel.EMAIL:
        keys += [f"email:{a}" for a in find_emails(author)]
    elif author:
        if item.channel in HANDLE_CHANNELS or _looks_like_handle(author):
            handle = _normalise_handle(item.channel, author)
            if handle and handle.split("@", 1)[0] not in own:
                keys.append(f"{item.channel.value}:{handle}")
        else:
            keys.append(f"{item.channel.value}:{item.source_id}:{' '.join(author.lower().split())}")
    body = f"{item.title}\n{item.text}" if text is None else text
    for address in find_emails(body):
        if address in addresses or address.rsplit("@", 1)[1] in domains:
            continue
        keys.append(f"email:{address}")
    keys = list(dict.fromkeys(keys))
    return keys or [f"item:{item.id}"]


def customer_name(item: Item) -> str:
    """How the Inbox names the customer: the display name, else the handle or address."""
    author = item.author.strip()
    named = _NAME_AND_ADDRESS.match(author)
    if named and named.group(1).strip():
        return named.group(1).strip()
    return author or "Unknown customer"


def _key_kind(key: str) -> str:
    return "e-mail address" if key.startswith("email:") else "handle"


def recompute_group(conv: Conversation, records: Mapping[str, TriageRecord]) -> TriageGroup:
    """Set and return the conversation's group: the override's, else the highest of this episode.

    Only items received since the conversation was (re)opened count, so an old
    urgent message does not keep a new, calm episode urgent.
    """
    start = conv.episode_start or conv.opened_at
    groups = [
        rec.effective_group
        for i in conv.item_ids
        if (rec := records.get(i)) is not None and rec.received_at >= start
    ]
    computed = max(groups, key=group_rank, default=TriageGroup.NONE)
    conv.group = conv.group_override.group if conv.group_override is not None else computed
    return conv.group


def _activity(conv: Conversation) -> datetime:
    return max(t for t in (conv.last_customer_at, conv.last_response_at, conv.opened_at) if t is not None)


def merge(
    survivor: Conversation, other: Conversation, *, user_id: str, reason: str, at: datetime
) -> LinkRecord:
    """Merge ``other`` into ``survivor`` (both changed; recompute the group afterwards).

    The survivor takes the other's items, keys, notes and overrides, the most open
    status, the earliest open and first-response times and the latest customer
    message's channel. ``other`` keeps its record with ``merged_into`` set, and the
    returned link remembers what it brought, so :func:`unlink` can undo the merge.
    """
    link = LinkRecord(
        other_id=other.id,
        item_ids=list(other.item_ids),
        keys=list(other.identity_keys),
        survivor_keys=list(survivor.identity_keys),
        user_id=user_id,
        reason=reason,
        at=at,
    )
    survivor.item_ids = list(dict.fromkeys([*survivor.item_ids, *other.item_ids]))
    survivor.identity_keys = list(dict.fromkeys([*survivor.identity_keys, *other.identity_keys]))
    survivor.notes = sorted([*survivor.notes, *other.notes], key=lambda n: n.at)
    survivor.overrides = sorted([*survivor.overrides, *other.overrides], key=lambda o: o.at)
    if other.opened_at < survivor.opened_at:
        survivor.opened_at, survivor.first_channel = other.opened_at, other.first_channel
    status = max(survivor.status, other.status, key=_STATUS_ORDER.__getitem__)
    if status != ConversationStatus.RESOLVED:
        starts = [c.episode_start for c in (survivor, other) if c.status != ConversationStatus.RESOLVED]
        survivor.episode_start = min(s for s in starts if s is not None)
        survivor.resolved_at, survivor.resolved_by = None, ""
    survivor.status = status
    waits = [t for t in (survivor.awaiting_since, other.awaiting_since) if t is not None]
    survivor.awaiting_since = min(waits) if waits and status != ConversationStatus.RESOLVED else None
    if other.first_response_at is not None and (
        survivor.first_response_at is None or other.first_response_at < survivor.first_response_at
    ):
        survivor.first_response_at, survivor.first_responder_id = (
            other.first_response_at,
            other.first_responder_id,
        )
    responses = [t for t in (survivor.last_response_at, other.last_response_at) if t is not None]
    survivor.last_response_at = max(responses) if responses else None
    if other.last_customer_at is not None and (
        survivor.last_customer_at is None or other.last_customer_at > survivor.last_customer_at
    ):
        survivor.last_customer_at, survivor.channel = other.last_customer_at, other.channel
    survivor.assignee_id = survivor.assignee_id or other.assignee_id
    survivor.expert_group = survivor.expert_group or other.expert_group
    survivor.wall = survivor.wall or other.wall
    survivor.separated_from = [s for s in survivor.separated_from if s != other.id]
    survivor.links.append(link)
    survivor.updated_at = at
    other.merged_into = survivor.id
    other.separated_from = [s for s in other.separated_from if s != survivor.id]
    other.updated_at = at
    return link


def unlink(
    survivor: Conversation, other: Conversation, records: Mapping[str, TriageRecord], *, at: datetime
) -> list[str]:
    """Undo the merge of ``other`` into ``survivor``; returns the item ids that moved back.

    The other conversation gets back the items it brought, plus items that arrived
    since and carry only keys it brought. Keys it brought that the survivor did not
    have go back with it. The two are never linked automatically again.

    Raises:
        ValueError: ``other`` was not merged into ``survivor``.
    """
    link = next((lk for lk in survivor.links if lk.other_id == other.id), None)
    if link is None or other.merged_into != survivor.id:
        raise ValueError(f"Conversation {other.id} is not linked into {survivor.id}.")
    only_theirs = set(link.keys) - set(link.survivor_keys)
    brought = set(link.item_ids)

    def goes_back(item_id: str) -> bool:
        if item_id in brought:
            return True
        rec = records.get(item_id)
        return rec is not None and bool(rec.identity_keys) and set(rec.identity_keys) <= only_theirs

    back = [i for i in survivor.item_ids if goes_back(i)]
    survivor.item_ids = [i for i in survivor.item_ids if i not in back]
    survivor.identity_keys = [k for k in survivor.identity_keys if k not in only_theirs]
    survivor.links = [lk for lk in survivor.links if lk is not link]
    other.item_ids = back
    other.identity_keys = [k for k in link.keys if k in only_theirs] or list(link.keys)
    other.merged_into = None
    for conv, gone in ((survivor, other.id), (other, survivor.id)):
        if gone not in conv.separated_from:
            conv.separated_from.append(gone)
        conv.updated_at = at
    for conv in (survivor, other):
        _refresh_customer_side(conv, records)
    return back


def _refresh_customer_side(conv: Conversation, records: Mapping[str, TriageRecord]) -> None:
    """Recompute last message time and channel from the conversation's own items."""
    own = sorted((r for i in conv.item_ids if (r := records.get(i)) is not None), key=lambda r: r.received_at)
    if own:
        conv.last_customer_at, conv.channel = own[-1].received_at, own[-1].channel
        conv.opened_at = min(conv.opened_at, own[0].received_at)


class ConversationBook:
    """The live conversations, indexed by identity key, for placing many items in one pass.

    Changes are made in memory; :attr:`touched` names the conversations to save.
    """

    def __init__(self, conversations: Iterable[Conversation]) -> None:
        self.by_id: dict[str, Conversation] = {c.id: c for c in conversations}
        self._index: dict[str, set[str]] = {}
        self._keys_of: dict[str, set[str]] = {}
        self.touched: set[str] = set()
        for conv in self.by_id.values():
            if conv.is_live:
                self._add_keys(conv, conv.identity_keys)

    def _add_keys(self, conv: Conversation, keys: Iterable[str]) -> None:
        for key in keys:
            self._index.setdefault(key, set()).add(conv.id)
            self._keys_of.setdefault(conv.id, set()).add(key)

    def _drop(self, conv: Conversation) -> None:
        for key in self._keys_of.pop(conv.id, set()):
            self._index[key].discard(conv.id)

    def reindex(self, conv: Conversation) -> None:
        """Bring the index up to date after ``conv`` changed outside the book (merge, unlink)."""
        self._drop(conv)
        if conv.is_live:
            self._add_keys(conv, conv.identity_keys)
        self.touched.add(conv.id)

    def candidates(self, keys: Iterable[str]) -> list[Conversation]:
        """Live conversations sharing a key, most recently active first."""
        ids: set[str] = set()
        for key in keys:
            ids |= self._index.get(key, set())
        found = [self.by_id[i] for i in ids if self.by_id[i].is_live]
        return sorted(found, key=lambda c: (_activity(c), c.id), reverse=True)

    def history(self, conv: Conversation) -> list[Conversation]:
        """The customer's other live conversations (earlier episodes), newest first."""
        return [c for c in self.candidates(conv.identity_keys) if c.id != conv.id]

    def place(
        self,
        item: Item,
        record: TriageRecord,
        *,
        customer: str,
        reopen_within: timedelta,
        records: Mapping[str, TriageRecord],
        at: datetime,
    ) -> tuple[Conversation, str, list[Conversation]]:
        """Put one new customer item into its conversation.

        Args:
            item: The item (its time decides the message order).
            record: Its triage, with ``identity_keys`` set; ``conversation_id`` is set here.
            customer: The display name for a new conversation.
            reopen_within: How recently a resolved conversation may be reopened.
            records: Triage records by item id (the new one included) for the group.
            at: Now, for the changed conversations' ``updated_at`` and links.

        Returns:
            The conversation, what happened ("created", "joined" or "reopened"),
            and the conversations merged into it because the item linked them.
        """
        when = item.when
        found = self.candidates(record.identity_keys)
        live = [c for c in found if c.status != ConversationStatus.RESOLVED]
        merged: list[Conversation] = []
        if live:
            conv, action = live[0], "joined"
            for other in live[1:]:
                if other.id in conv.separated_from:
                    continue
                shared = next(k for k in record.identity_keys if k in other.identity_keys)
                merge(conv, other, user_id="", reason=f"same {_key_kind(shared)}", at=at)
                for item_id in other.item_ids:
                    if (rec := records.get(item_id)) is not None:
                        rec.conversation_id = conv.id
                merged.append(other)
                self.reindex(other)
        else:
            recent = [
                c
                for c in found
                if c.resolved_at is not None and timedelta(0) <= when - c.resolved_at <= reopen_within
            ]
            if recent:
                conv, action = recent[0], "reopened"
                conv.status, conv.resolved_at, conv.resolved_by = ConversationStatus.OPEN, None, ""
                conv.episode_start, conv.group_override = when, None
                conv.reopened += 1
            else:
                conv = Conversation(
                    customer=customer,
                    channel=item.channel,
                    opened_at=when,
                    identity_keys=[],
                    updated_at=at,
                )
                self.by_id[conv.id] = conv
                action = "created"
        self._join(conv, item, record, when)
        recompute_group(conv, records)
        conv.updated_at = at
        self.reindex(conv)
        return conv, action, merged

    @staticmethod
    def _join(conv: Conversation, item: Item, record: TriageRecord, when: datetime) -> None:
        record.conversation_id = conv.id
        if item.id not in conv.item_ids:
            conv.item_ids.append(item.id)
        conv.identity_keys = list(dict.fromkeys([*conv.identity_keys, *record.identity_keys]))
        if conv.last_customer_at is None or when >= conv.last_customer_at:
            conv.last_customer_at, conv.channel = when, item.channel
        if when < conv.opened_at:
            conv.opened_at, conv.first_channel = when, item.channel
        answered = conv.last_response_at is not None and when <= conv.last_response_at
        if not answered and not record.hide and record.effective_group != TriageGroup.NONE:
            if conv.awaiting_since is None or when < conv.awaiting_since:
                conv.awaiting_since = when
            if conv.status == ConversationStatus.WAITING:
                conv.status = ConversationStatus.OPEN


def ordered_items(conv: Conversation, records: Mapping[str, TriageRecord]) -> Sequence[str]:
    """The conversation's item ids by the time the customer said them."""
    return sorted(
        conv.item_ids, key=lambda i: (records[i].received_at if i in records else conv.opened_at, i)
    )
