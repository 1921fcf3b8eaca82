"""Replies in the customer's channel, private mode for personal data, templates, hand-off.

A reply belongs to its conversation and goes out where the customer last
wrote. Sending it elsewhere needs a reason (:func:`choose_channel`), because
customers expect an answer in the channel they chose. When a reply asks for
or contains personal data (an order number, address, e-mail, phone or card
number), :func:`suggest_private_mode` proposes the *same* channel's private
mode (an X direct message, Messenger, an Instagram or LinkedIn message)
before moving the customer to e-mail.

Curator does not post replies yet: there are no publishing connectors for
replies. :func:`send_via_connector` is the place they will plug in and says
so when called; until then a reply is copied or exported
(:func:`export_reply`) and an agent marks it sent (:func:`mark_sent`).

Templates use ``{name}`` placeholders (``{customer}``, ``{agent}``,
``{issue}``, ``{order}``, ``{channel}``), filled with :class:`string.Template`
machinery; ``{{`` writes a literal "{" (a "}" is always literal). A missing value is an error that
lists every missing name, so a reply never goes out with a hole in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from string import Template
from typing import NoReturn

from curator.domain import Channel, Item, User
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.privacy import mask_personal_data
from curator.triage.model import (
    ChannelChangeNeedsReason,
    Conversation,
    ConversationStatus,
    DeskError,
    NotAvailable,
    Reply,
    ReplyStatus,
    ReplyTemplate,
    TemplateError,
)
from curator.triage.routing import require_agent
from curator.triage.rules import PhraseSet

__all__ = [
    "CHANNEL_NAMES",
    "DEFAULT_TEMPLATES",
    "PRIVATE_MODES",
    "ChannelChoice",
    "PrivateSuggestion",
    "SentEffect",
    "choose_channel",
    "export_reply",
    "find_order_numbers",
    "mark_sent",
    "personal_data_in",
    "private_mode",
    "recipient_for",
    "render_template",
    "send_via_connector",
    "suggest_private_mode",
    "template_values",
    "template_variables",
]

#: How people call each channel in a sentence.
CHANNEL_NAMES: dict[Channel, str] = {
    Channel.X: "X",
    Channel.FACEBOOK: "Facebook",
    Channel.INSTAGRAM: "Instagram",
    Channel.LINKEDIN: "LinkedIn",
    Channel.MASTODON: "Mastodon",
    Channel.REDDIT: "Reddit",
    Channel.YOUTUBE: "YouTube",
    Channel.REVIEW: "the review site",
    Channel.FORUM: "the forum",
    Channel.EMAIL: "e-mail",
    Channel.BLOG: "the blog",
    Channel.NEWS: "the news site",
    Channel.OTHER: "the customer's channel",
}

#: Each channel's private mode; channels missing here have none (YouTube, review sites).
PRIVATE_MODES: dict[Channel, str] = {
    Channel.X: "an X direct message",
    Channel.FACEBOOK: "a Facebook Messenger message",
    Channel.INSTAGRAM: "an Instagram direct message",
    Channel.LINKEDIN: "a LinkedIn message",
    Channel.MASTODON: "a private Mastodon mention",
    Channel.REDDIT: "a Reddit private message",
    Channel.FORUM: "a private message on the forum",
    Channel.EMAIL: "e-mail",
}

# Asking for personal data, in rule syntax over the reply's words.
_ASKS = PhraseSet(
    [
        "order number|numbers|no|id|reference",
        "booking reference|number",
        "address|addresses",
        "e-mail|email address",
        "phone|mobile|telephone number",
        "card number|details",
        "account number|details",
        "date of birth",
        "postcode|postcodes|zip|postal",
        "your details",
        "full name",
        "iban",
        "last four digits",
        "bestellnummer",
        "adresse",
        "telefonnummer",
        "kundennummer",
    ]
)
_FOUND_KINDS = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "card": "a card number",
    "iban": "an IBAN",
}
_ORDER = re.compile(r"#\s?[A-Za-z]{0,5}-?\d{4,}\b|\b[A-Z]{2,5}-\d{4,}\b")


def private_mode(channel: Channel) -> str | None:
    """The channel's private mode in words ("an X direct message"), or None without one."""
    return PRIVATE_MODES.get(channel)


@dataclass(frozen=True)
class ChannelChoice:
    """Where a reply goes: channel, private or public, and why it left the customer's channel."""

    channel: Channel
    private: bool
    reason: str = ""


def choose_channel(
    conv: Conversation, channel: Channel | None = None, reason: str = "", *, private: bool = False
) -> ChannelChoice:
    """Check a reply's channel against the customer's.

    Args:
        conv: The conversation; its ``channel`` is where the customer last wrote.
        channel: The channel wanted (None = the customer's).
        reason: Why another channel; required when ``channel`` differs.
        private: Use the channel's private mode (direct message).

    Raises:
        ChannelChangeNeedsReason: Another channel was chosen without a reason.
        DeskError: A private reply was asked for in a channel without private mode.
    """
    target = channel or conv.channel
    if target != conv.channel and not reason.strip():
        raise ChannelChangeNeedsReason(
            f"{conv.customer} wrote to us on {CHANNEL_NAMES[conv.channel]}; to answer by "
            f"{CHANNEL_NAMES[target]} instead, say why (for example: the customer asked for it)."
        )
    if target == Channel.EMAIL:
        private = True
    if private and target not in PRIVATE_MODES:
        raise DeskError(
            f"{CHANNEL_NAMES[target].capitalize()} has no private messages. Reply in public without personal "
            "data, or choose e-mail and give the reason."
        )
    return ChannelChoice(target, private, reason.strip() if target != conv.channel else "")


def recipient_for(conv: Conversation, channel: Channel) -> str:
    """The customer's handle or address in ``channel`` when a key says it, else ""."""
    if channel == Channel.EMAIL:
        prefix = "email:"
        found = next((k[len(prefix) :] for k in conv.identity_keys if k.startswith(prefix)), "")
        return found
    prefix = f"{channel.value}:"
    handle = next((k[len(prefix) :] for k in conv.identity_keys if k.startswith(prefix)), "")
    if not handle or handle.count(":"):  # source-scoped display names are not handles
        return ""
    return f"u/{handle}" if channel == Channel.REDDIT else f"@{handle}"


def find_order_numbers(texts: Iterable[str]) -> list[str]:
    """Order numbers customers write ("#NW-48213", "#123456"), without the "#", in order."""
    found: list[str] = []
    for text in texts:
        found += [m.group().lstrip("#").strip() for m in _ORDER.finditer(text)]
    return list(dict.fromkeys(found))


def personal_data_in(text: str, *, pipeline: LoadedPipeline | None = None) -> list[str]:
    """What personal data ``text`` contains or asks for, in words ("asks for an address").

    Uses :func:`curator.nlp.privacy.mask_personal_data` for what has a shape
    (e-mail, phone, card, IBAN) without running NER: names are not personal
    data a reply needs to protect (the agent signs with theirs).
    """
    pipe = pipeline if pipeline is not None else load_pipeline()
    doc = pipe.nlp.make_doc(text)
    doc.ents = []  # mark "no entities" so masking does not run NER on the reply
    findings = mask_personal_data(text, doc=doc).findings
    found = list(dict.fromkeys(_FOUND_KINDS[f.kind] for f in findings if f.kind in _FOUND_KINDS))
    if find_order_numbers([text]):
        found.append("an order number")
    tokens = [t.lower_ for t in doc if not t.is_space]
    found += [f"asks for {_asked(p)}" for p in _ASKS.find(tokens)]
    return list(dict.fromkeys(found))


def _asked(phrase: str) -> str:
    words = " ".join(w.split("|")[0] for w in phrase.split())
    article = "an" if words[:1] in "aeiou" else "a"
    return words if words.startswith(("your", "last", "date", "full")) else f"{article} {words}"


@dataclass(frozen=True)
class PrivateSuggestion:
    """A proposal to answer privately, with the sentence the reply editor shows.

    Attributes:
        channel: The channel to use (the same one when it has a private mode).
        private: Always True.
        mode: The private mode in words ("an X direct message", "e-mail").
        found: What personal data was found or asked for.
        sentence: The suggestion for the agent.
        needs_reason: True when it means leaving the customer's channel (e-mail).
    """

    channel: Channel
    mode: str
    found: list[str]
    sentence: str
    needs_reason: bool
    private: bool = True


def suggest_private_mode(
    text: str, channel: Channel, *, pipeline: LoadedPipeline | None = None
) -> PrivateSuggestion | None:
    """Suggest the channel's private mode when the reply involves personal data.

    Returns None when the reply involves none, or already goes by e-mail.
    """
    if channel == Channel.EMAIL:
        return None
    found = personal_data_in(text, pipeline=pipeline)
    if not found:
        return None
    what = " and ".join(found)
    mode = PRIVATE_MODES.get(channel)
    if mode is not None:
        sentence = (
            f"This reply involves personal data ({what}): send it as {mode} rather than in public. "
            "Move to e-mail only if the customer prefers it."
        )
        return PrivateSuggestion(channel, mode, found, sentence, needs_reason=False)
    sentence = (
        f"This reply involves personal data ({what}), and {CHANNEL_NAMES[channel]} has no private "
        "messages: ask the customer to continue by e-mail, and give that as the reason for the change."
    )
    return PrivateSuggestion(Channel.EMAIL, PRIVATE_MODES[Channel.EMAIL], found, sentence, needs_reason=True)


# --------------------------------------------------------------------------- templates
class _BraceTemplate(Template):
    """``{name}`` placeholders with :class:`string.Template`'s machinery; ``{{`` is a literal brace."""

    delimiter = "{"
    pattern = r"""
    \{(?:
        (?P<escaped>\{)                       |
        (?P<named>[_a-zA-Z][_a-zA-Z0-9]*)\}   |
        (?P<braced>(?!))                      |
        (?P<invalid>)
    )
    """  # type: ignore[assignment]


def template_variables(text: str) -> list[str]:
    """The placeholder names in ``text``, in order.

    Raises:
        TemplateError: A "{" that starts no placeholder.
    """
    tmpl = _BraceTemplate(text)
    if not tmpl.is_valid():
        _raise_invalid(text)
    return list(dict.fromkeys(tmpl.get_identifiers()))


def _raise_invalid(text: str) -> NoReturn:
    try:
        _BraceTemplate(text).substitute({k: "" for k in _BraceTemplate(text).get_identifiers()})
    except ValueError as exc:
        raise TemplateError(
            f"The template has a '{{' that starts no placeholder ({exc}). Write placeholders as "
            "{customer}, and '{{' for a literal brace."
        ) from exc
    raise TemplateError("The template cannot be read; write placeholders as {customer}.")


def render_template(text: str, values: Mapping[str, str], *, name: str = "") -> str:
    """Fill ``text``'s placeholders.

    Raises:
        TemplateError: Values are missing (empty counts as missing; ``missing``
            lists them all) or a placeholder is broken.
    """
    names = template_variables(text)
    missing = [n for n in names if not str(values.get(n, "")).strip()]
    if missing:
        which = f"The template {name!r}" if name else "The template"
        them = "them" if len(missing) > 1 else "it"
        raise TemplateError(
            f"{which} needs a value for {', '.join(missing)}. Fill {them} in, or edit the reply by hand.",
            missing,
        )
    return _BraceTemplate(text).substitute({n: str(values[n]) for n in names})


def _first_name(name: str) -> str:
    name = name.strip()
    if name.startswith(("@", "u/")) or not name:
        return name
    return name.split()[0]


def template_values(
    conv: Conversation,
    agent: User | None,
    items: Sequence[Item],
    *,
    issue_label: str = "",
    channel: Channel | None = None,
) -> dict[str, str]:
    """The values Curator knows for a conversation's templates.

    ``customer`` is the first name or the handle, ``agent`` the agent's first name,
    ``issue`` the hot issue's label, ``order`` the last order number the customer
    wrote, ``channel`` the reply channel in words. Unknown values are left out,
    so :func:`render_template` names them.
    """
    values = {"customer": _first_name(conv.customer), "channel": CHANNEL_NAMES[channel or conv.channel]}
    if agent is not None:
        values["agent"] = _first_name(agent.name)
    if issue_label:
        values["issue"] = issue_label
    orders = find_order_numbers(f"{i.title}\n{i.text}" for i in items)
    if orders:
        values["order"] = orders[-1]
    return {k: v for k, v in values.items() if v}


def _template(key: str, name: str, text: str, expert_group: str = "") -> ReplyTemplate:
    return ReplyTemplate(name=name, text=text, expert_group=expert_group, id=f"default-{key}")


#: Offered until the team saves its own templates.
DEFAULT_TEMPLATES: list[ReplyTemplate] = [
    _template(
        "sorry-dm",
        "Sorry, please DM us",
        "Hi {customer}, I'm sorry about this. Could you send us your order number in a direct message? "
        "Then I can look into it straight away. – {agent}",
    ),
    _template(
        "known-issue",
        "Known issue",
        "Hi {customer}, thanks for letting us know. We are aware of {issue} and are working on a fix; "
        "we'll update you here as soon as it is solved. – {agent}",
        "technical",
    ),
    _template(
        "refund",
        "Refund on its way",
        "Hi {customer}, the refund for order {order} is on its way. It can take 3 to 5 working days to "
        "show on your statement. – {agent}",
        "billing",
    ),
    _template(
        "thanks", "Thank you", "Thank you so much, {customer}! We'll pass this on to the team. – {agent}"
    ),
]


# --------------------------------------------------------------------------- hand-off
def export_reply(reply: Reply, *, customer: str = "", with_header: bool = False) -> str:
    """The reply as text to copy into the channel, or with a header for a file.

    The header says where it goes: channel, public or private mode, the recipient.
    """
    text = reply.text.strip()
    if not with_header:
        return text
    if reply.channel == Channel.EMAIL:
        how = ""
    elif reply.private and reply.channel in PRIVATE_MODES:
        how = f" ({PRIVATE_MODES[reply.channel]})"
    else:
        how = " (public reply)"
    lines = [
        f"To: {reply.recipient or customer or 'the customer'}",
        f"Channel: {CHANNEL_NAMES[reply.channel]}{how}",
    ]
    if reply.channel_change_reason:
        lines.append(f"Why this channel: {reply.channel_change_reason}")
    return "\n".join([*lines, "", text, ""])


def send_via_connector(reply: Reply) -> NoReturn:
    """Send ``reply`` through the channel's publishing connector: not available yet.

    Raises:
        NotAvailable: Always, for now; the reply must be copied and marked sent.
    """
    raise NotAvailable(
        f"Curator cannot send replies to {CHANNEL_NAMES[reply.channel]} by itself yet. Copy the reply, "
        "post it there, then mark it sent."
    )


@dataclass(frozen=True)
class SentEffect:
    """What marking a reply sent changed, for the conversation's history."""

    first_response: bool
    status: ConversationStatus


def mark_sent(reply: Reply, conv: Conversation, user: User, at: datetime) -> SentEffect:
    """Record that ``reply`` went out (sent by hand or by a connector).

    The first sent reply sets the conversation's first-response time; every sent
    reply stops the timer (nothing awaits an answer) and, if the conversation was
    open, sets it to waiting for the customer.

    Raises:
        PermissionDenied: ``user`` is not an agent or admin.
        DeskError: The reply is empty, already sent, or dated before it was written.
    """
    require_agent(user, "send replies")
    if reply.status == ReplyStatus.SENT:
        raise DeskError("This reply was already marked sent; write a new reply to follow up.")
    if not reply.text.strip():
        raise DeskError("An empty reply cannot be sent; write the answer first.")
    if at < reply.created_at:
        raise DeskError("A reply cannot have been sent before it was written; check the time you entered.")
    reply.status, reply.sent_at, reply.sent_by, reply.updated_at = ReplyStatus.SENT, at, user.id, at
    first = conv.first_response_at is None
    if first:
        conv.first_response_at, conv.first_responder_id = at, user.id
    conv.last_response_at = max(at, conv.last_response_at or at)
    conv.awaiting_since = None
    conv.due_at = None
    if conv.status == ConversationStatus.OPEN:
        conv.status = ConversationStatus.WAITING
    conv.updated_at = at
    return SentEffect(first_response=first, status=conv.status)
