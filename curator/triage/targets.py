"""Response-time targets, the timer on every open conversation, warnings and breaches.

Customers expect an answer fast: best-in-class teams answer social posts
within 30 minutes. The defaults are 30 minutes for urgent and 4 hours for
"reply", editable per channel (config key ``response_targets``); "none" has no
target and no timer.

The timer runs from :attr:`~curator.triage.model.Conversation.awaiting_since`
(the earliest customer message we have not answered, by the time the customer
said it, not the time Curator heard it: that is the wait the customer sees)
while the conversation is open; waiting for the customer or resolved stops it.

A timer warns when at most ``max(warn_share × target, warn_minutes)`` is left,
capped at half the target so a short target is not in warning from the start;
it is breached once the due time has passed. The UI asks
:func:`breaches_since` (and :func:`warnings_since`) periodically: each returns
the conversations newly breached (about to breach) and records that it told,
so a breach is notified once per due time; a new customer message that sets a
new due time can be notified again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from curator.domain import Channel
from curator.triage.model import (
    Conversation,
    ConversationStatus,
    DeskTables,
    RulesInvalid,
    TriageGroup,
)
from curator.workspace import Workspace

__all__ = [
    "TARGETS_KEY",
    "GroupTargets",
    "ResponseTargets",
    "Timer",
    "TimerState",
    "breaches_since",
    "refresh_due",
    "target_problems",
    "timer",
    "validate_targets",
    "warnings_since",
]

TARGETS_KEY = "response_targets"

TimerState = Literal["ok", "warning", "breached"]


@dataclass
class GroupTargets:
    """Minutes to a first answer per triage group; None means no target."""

    urgent_minutes: int | None = 30
    reply_minutes: int | None = 240

    def minutes(self, group: TriageGroup) -> int | None:
        """The target for ``group`` ("none" never has one)."""
        if group is TriageGroup.URGENT:
            return self.urgent_minutes
        if group is TriageGroup.REPLY:
            return self.reply_minutes
        return None


@dataclass
class ResponseTargets:
    """Targets per channel and group (config key ``response_targets``).

    Attributes:
        default: For channels without their own targets.
        channels: Per channel value ("x", "email"...), e.g. e-mail at 8 h for "reply".
        warn_share: Warn when this share of the target is left...
        warn_minutes: ...or this many minutes, whichever is more (at most half the target).
    """

    default: GroupTargets = field(default_factory=GroupTargets)
    channels: dict[str, GroupTargets] = field(default_factory=dict)
    warn_share: float = 0.2
    warn_minutes: int = 10

    def for_channel(self, channel: Channel) -> GroupTargets:
        """The channel's own targets, else the defaults."""
        return self.channels.get(channel.value, self.default)

    def minutes(self, channel: Channel, group: TriageGroup) -> int | None:
        """Minutes to answer a ``group`` message in ``channel``; None without a target."""
        return self.for_channel(channel).minutes(group)

    def warning_window(self, minutes: int) -> timedelta:
        """How long before the due time the timer turns to "warning"."""
        window = max(self.warn_share * minutes, float(self.warn_minutes))
        return timedelta(minutes=min(window, minutes / 2))


def target_problems(targets: ResponseTargets) -> list[str]:
    """Every mistake in ``targets`` as a sentence (empty when fine)."""
    problems: list[str] = []
    known = {c.value for c in Channel}
    for name, group_targets in [("the default", targets.default), *targets.channels.items()]:
        if name != "the default" and name not in known:
            problems.append(f"There is no channel {name!r}; use one of: {', '.join(sorted(known))}.")
        for value in (group_targets.urgent_minutes, group_targets.reply_minutes):
            if value is not None and value < 1:
                problems.append(f"Targets must be at least one minute ({name}: {value}).")
    if not 0 <= targets.warn_share < 1:
        problems.append(
            "The warning share must be between 0 and 1 (0.2 warns when a fifth of the time is left)."
        )
    if targets.warn_minutes < 0:
        problems.append("The warning minutes cannot be negative.")
    return problems


def validate_targets(targets: ResponseTargets) -> None:
    """Raise :class:`RulesInvalid` listing every mistake."""
    problems = target_problems(targets)
    if problems:
        raise RulesInvalid(" ".join(problems))


@dataclass(frozen=True)
class Timer:
    """The response timer of one open conversation at one moment.

    Attributes:
        started_at: The earliest unanswered customer message.
        due_at: When the target is missed.
        remaining: Time left; negative once breached (by how much it is late).
        state: "ok", "warning" or "breached".
        target_minutes: The target that applies (channel and group).
    """

    started_at: datetime
    due_at: datetime
    remaining: timedelta
    state: TimerState
    target_minutes: int

    def sentence(self) -> str:
        """A short line for the Inbox and notifications: "12 min left", "Target missed 1 h 5 min ago"."""
        if self.state == "breached":
            return f"Target missed {_span(-self.remaining)} ago"
        return f"{_span(self.remaining)} left"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def timer(conv: Conversation, now: datetime, targets: ResponseTargets) -> Timer | None:
    """The conversation's timer at ``now``, or None when none runs.

    No timer runs when the conversation is waiting, resolved or merged, when
    nothing is awaiting an answer, or when its group has no target.
    """
    if conv.status != ConversationStatus.OPEN or not conv.is_live or conv.awaiting_since is None:
        return None
    minutes = targets.minutes(conv.channel, conv.group)
    if minutes is None:
        return None
    due = conv.awaiting_since + timedelta(minutes=minutes)
    remaining = due - now
    if remaining < timedelta(0):
        state: TimerState = "breached"
    elif remaining <= targets.warning_window(minutes):
        state = "warning"
    else:
        state = "ok"
    return Timer(conv.awaiting_since, due, remaining, state, minutes)


def refresh_due(conv: Conversation, targets: ResponseTargets) -> None:
    """Store the due time (for sorting and filtering the Inbox without a clock)."""
    if conv.status != ConversationStatus.OPEN or not conv.is_live or conv.awaiting_since is None:
        conv.due_at = None
        return
    minutes = targets.minutes(conv.channel, conv.group)
    conv.due_at = conv.awaiting_since + timedelta(minutes=minutes) if minutes is not None else None


def _notify(
    ws: Workspace,
    since: datetime,
    now: datetime,
    targets: ResponseTargets | None,
    state: TimerState,
    attribute: str,
) -> list[Conversation]:
    targets = targets if targets is not None else ws.config.get_or_default(TARGETS_KEY, ResponseTargets)
    tables = DeskTables(ws.store)
    due: list[Conversation] = []
    for conv in tables.conversations.list():
        t = timer(conv, now, targets)
        if t is None or t.due_at < since:
            continue
        told: datetime | None = getattr(conv, attribute)
        # Told before this wait started means told about an earlier due time.
        if t.state == state and (told is None or told < t.started_at):
            setattr(conv, attribute, now)
            due.append(conv)
    if due:
        tables.conversations.save_many(due)
    return sorted(due, key=lambda c: (c.due_at or now, c.id))


def breaches_since(
    ws: Workspace, since: datetime, now: datetime, targets: ResponseTargets | None = None
) -> list[Conversation]:
    """Conversations whose target was missed and not yet notified; marks them notified.

    Args:
        ws: The workspace.
        since: Ignore breaches of due times before this (e.g. from before the app
            started, so opening the app after a weekend does not raise fifty alerts).
        now: The current time (inject the clock).
        targets: The targets (read from the workspace when None).

    Returns:
        The newly breached conversations, earliest due first; each once per due time.
    """
    return _notify(ws, since, now, targets, "breached", "breach_notified_at")


def warnings_since(
    ws: Workspace, since: datetime, now: datetime, targets: ResponseTargets | None = None
) -> list[Conversation]:
    """Conversations in the warning window, not yet warned about; marks them warned.

    Works as :func:`breaches_since`; a conversation already breached is left to it.
    """
    return _notify(ws, since, now, targets, "warning", "warning_notified_at")
