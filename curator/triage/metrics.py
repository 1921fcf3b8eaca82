"""Desk metrics: first-response and resolution times, per channel, group and agent.

Pure functions over conversations, so the Inbox, the CLI and a report compute
the same numbers.

* **Which conversations**: those opened in ``[start, end)`` (merged ones are
  counted in the conversation they were merged into).
* **First-response time**: first reply sent minus the customer's first message.
  **Resolution time**: resolved minus first message, for resolved conversations.
* **Median and 90th percentile** in minutes, with :func:`numpy.percentile`'s
  default ``method="linear"`` (Hyndman and Fan type 7, what spreadsheets call
  PERCENTILE.INC): the p-th percentile of n sorted values v is
  ``v[k] + (v[k+1] - v[k]) * f`` with ``k + f = (n - 1) * p / 100``.
* **Share within target**: of the conversations with a response target
  (channel they started in and their group), those answered within it, out
  of those answered plus those still unanswered past their target at ``now``
  (an unanswered breach counts as a miss; an unanswered conversation still
  within its target is not counted yet).
* **Per agent** means per assignee (``""`` for unassigned).
* **Overrides** are counted per (rules' group → person's group) pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from curator.domain import Channel
from curator.triage.model import Conversation, TriageGroup
from curator.triage.targets import ResponseTargets

__all__ = ["DeskMetrics", "MetricRow", "OverrideCount", "Stat", "desk_metrics", "summarize"]


@dataclass(frozen=True)
class Stat:
    """Summary of durations in minutes.

    Attributes:
        count: Durations summarised.
        median: Median minutes (None without data).
        p90: 90th percentile minutes (None without data).
        within_target: Share in [0, 1] answered within target (None when no
            conversation had a target to meet).
        judged: How many conversations ``within_target`` is out of.
    """

    count: int
    median: float | None
    p90: float | None
    within_target: float | None = None
    judged: int = 0


@dataclass(frozen=True)
class MetricRow:
    """One line of the metrics table: a channel, a group, an agent, or everything."""

    dimension: str  # "all" | "channel" | "group" | "agent"
    key: str
    conversations: int
    first_response: Stat
    resolution: Stat


@dataclass(frozen=True)
class OverrideCount:
    """How often people moved messages from one group to another."""

    from_group: TriageGroup
    to_group: TriageGroup
    count: int


@dataclass(frozen=True)
class DeskMetrics:
    """All metrics for one period."""

    start: datetime
    end: datetime
    overall: MetricRow
    by_channel: list[MetricRow] = field(default_factory=list)
    by_group: list[MetricRow] = field(default_factory=list)
    by_agent: list[MetricRow] = field(default_factory=list)
    overrides: list[OverrideCount] = field(default_factory=list)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def summarize(minutes: Sequence[float], hits: Sequence[bool] | None = None) -> Stat:
    """Median and 90th percentile (linear interpolation) of ``minutes``; share of ``hits`` that are True."""
    within = None
    judged = len(hits) if hits is not None else 0
    if hits:
        within = sum(hits) / len(hits)
    if not minutes:
        return Stat(0, None, None, within, judged)
    values = np.asarray(minutes, dtype=float)
    median = float(np.percentile(values, 50, method="linear"))
    p90 = float(np.percentile(values, 90, method="linear"))
    return Stat(len(minutes), median, p90, within, judged)


def _row(
    dimension: str, key: str, convs: Sequence[Conversation], targets: ResponseTargets, now: datetime
) -> MetricRow:
    first: list[float] = []
    hits: list[bool] = []
    resolution: list[float] = []
    for conv in convs:
        target = targets.minutes(conv.first_channel or conv.channel, conv.group)
        if conv.first_response_at is not None:
            waited = _minutes(conv.first_response_at - conv.opened_at)
            first.append(waited)
            if target is not None:
                hits.append(waited <= target)
        elif target is not None and _minutes(now - conv.opened_at) > target:
            hits.append(False)
        if conv.resolved_at is not None:
            resolution.append(_minutes(conv.resolved_at - conv.opened_at))
    return MetricRow(dimension, key, len(convs), summarize(first, hits), summarize(resolution))


def _grouped(
    dimension: str,
    convs: Iterable[Conversation],
    key: Callable[[Conversation], str],
    targets: ResponseTargets,
    now: datetime,
) -> list[MetricRow]:
    groups: dict[str, list[Conversation]] = {}
    for conv in convs:
        groups.setdefault(key(conv), []).append(conv)
    return [_row(dimension, k, groups[k], targets, now) for k in sorted(groups)]


def _channel(conv: Conversation) -> str:
    channel: Channel = conv.first_channel or conv.channel
    return channel.value


def desk_metrics(
    conversations: Iterable[Conversation],
    targets: ResponseTargets,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> DeskMetrics:
    """Compute the period's metrics (see the module docstring for every definition).

    Args:
        conversations: All conversations (merged ones are skipped).
        targets: The response targets, for the share within target.
        start: Period start (inclusive), by the customer's first message.
        end: Period end (exclusive).
        now: When unanswered conversations are judged (defaults to ``end``).
    """
    judge_at = end if now is None else min(now, end)
    convs = [c for c in conversations if c.is_live and start <= c.opened_at < end]
    overrides: Counter[tuple[TriageGroup, TriageGroup]] = Counter(
        (o.previous, o.group) for c in convs for o in c.overrides
    )
    return DeskMetrics(
        start=start,
        end=end,
        overall=_row("all", "all", convs, targets, judge_at),
        by_channel=_grouped("channel", convs, _channel, targets, judge_at),
        by_group=_grouped("group", convs, lambda c: c.group.value, targets, judge_at),
        by_agent=_grouped("agent", convs, lambda c: c.assignee_id, targets, judge_at),
        overrides=[OverrideCount(a, b, n) for (a, b), n in sorted(overrides.items())],
    )
