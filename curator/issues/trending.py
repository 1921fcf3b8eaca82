"""Which issues are hot right now: volume, velocity and bursts per issue.

An issue is hot when it is *unusually* active for itself, not when it is big: a
steady complaint stream of 50 a day is old news, a jump from 2 to 30 in an hour is
what a response team must see first. So every signal is measured against the
issue's own trailing baseline, and raw volume enters only log-scaled.

Score (documented weights, module constants so a team can tune them in one place)::

    hot = W_VOLUME   * log1p(items in the recent buckets)
        + W_VELOCITY * log2((recent rate + 1) / (baseline rate + 1)), floored at 0
        + W_BURST    * min(z, Z_CAP) / Z_CAP, z = burst z-score of the latest bucket
        + W_NEGATIVE * share of recent items with negative sentiment
        + W_REACH    * log10(1 + summed author reach of recent items) / 6

The reach term divides by 6 so that a million followers contributes as much as a
fully negative issue; log scaling keeps one celebrity from outranking a real
customer wave.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

W_VOLUME = 1.0
W_VELOCITY = 1.0
W_BURST = 1.5
W_NEGATIVE = 1.0
W_REACH = 0.5
Z_CAP = 6.0

BUCKETS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class Mention:
    """One item of an issue, reduced to what trending needs.

    Attributes:
        at: publication time (aware, any zone; compared in UTC).
        negative: whether sentiment analysis judged the item negative.
        reach: author audience (followers, subscribers), 0 when unknown.
    """

    at: datetime
    negative: bool = False
    reach: float = 0.0


@dataclass(frozen=True)
class IssueActivity:
    """An issue and its mentions, the input of ``rank_hot``."""

    issue_id: str
    mentions: Sequence[Mention] = field(default_factory=tuple)


@dataclass(frozen=True)
class TrendSignals:
    """The measured signals behind one hot score, kept for the explanation."""

    recent: int
    recent_rate: float
    baseline_rate: float
    velocity: float
    burst_z: float
    negative_share: float
    reach: float


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def bucket_counts(
    times: Iterable[datetime], now: datetime, bucket: str = "hour", window: int = 48
) -> npt.NDArray[np.float64]:
    """Counts per bucket for the ``window`` buckets ending with the one holding ``now``.

    Index ``-1`` is the current (latest) bucket. Items in the future (clock skew)
    count in the current bucket rather than vanishing.
    """
    width = BUCKETS[bucket].total_seconds()
    end = _utc(now).timestamp()
    counts = np.zeros(window, dtype=np.float64)
    for t in times:
        age = max(0.0, end - _utc(t).timestamp())
        k = int(age // width)
        if k < window:
            counts[window - 1 - k] += 1
    return counts


def velocity(counts: npt.NDArray[np.float64], recent: int = 3) -> tuple[float, float, float]:
    """Recent rate against the issue's own trailing baseline.

    Returns:
        ``(recent_rate, baseline_rate, velocity)`` where velocity is the log2 ratio
        of the two (+1 smoothing so quiet issues do not explode on one item).
    """
    recent = max(1, min(recent, len(counts)))
    recent_rate = float(counts[-recent:].mean())
    base = counts[:-recent]
    baseline_rate = float(base.mean()) if len(base) else 0.0
    return recent_rate, baseline_rate, math.log2((recent_rate + 1.0) / (baseline_rate + 1.0))


def burst_z(counts: npt.NDArray[np.float64]) -> float:
    """Z-score of the latest bucket against the trailing window.

    The spread is floored at the Poisson standard deviation sqrt(mean) and at 1, so
    a perfectly flat history does not turn a +1 wobble into an infinite burst.
    """
    if len(counts) < 2:
        return 0.0
    trail = counts[:-1]
    mean = float(trail.mean())
    sd = max(float(trail.std()), math.sqrt(mean), 1.0)
    return (float(counts[-1]) - mean) / sd


def signals(
    mentions: Sequence[Mention], now: datetime, bucket: str = "hour", window: int = 48, recent: int = 3
) -> TrendSignals:
    """Measure every trending signal of one issue."""
    counts = bucket_counts((m.at for m in mentions), now, bucket, window)
    recent_rate, baseline_rate, vel = velocity(counts, recent)
    cutoff = _utc(now).timestamp() - recent * BUCKETS[bucket].total_seconds()
    recent_items = [m for m in mentions if _utc(m.at).timestamp() > cutoff]
    neg = sum(1 for m in recent_items if m.negative) / len(recent_items) if recent_items else 0.0
    reach = float(sum(max(0.0, m.reach) for m in recent_items))
    return TrendSignals(len(recent_items), recent_rate, baseline_rate, vel, burst_z(counts), neg, reach)


def hot_score(s: TrendSignals) -> float:
    """Combine the signals with the module weights (see the module docstring)."""
    return (
        W_VOLUME * math.log1p(s.recent)
        + W_VELOCITY * max(0.0, s.velocity)
        + W_BURST * max(0.0, min(s.burst_z, Z_CAP)) / Z_CAP
        + W_NEGATIVE * s.negative_share
        + W_REACH * math.log10(1.0 + s.reach) / 6.0
    )


def explain(s: TrendSignals, bucket: str = "hour") -> str:
    """One sentence an editor can read next to the score."""
    parts = [f"{s.recent} recent items"]
    if s.baseline_rate > 0 or s.recent_rate > 0:
        ratio = (s.recent_rate + 1.0) / (s.baseline_rate + 1.0)
        parts.append(f"{ratio:.1f}x its usual rate per {bucket}")
    if s.burst_z >= 2.0:
        parts.append(f"burst (z={s.burst_z:.1f})")
    if s.negative_share > 0:
        parts.append(f"{s.negative_share:.0%} negative")
    if s.reach > 0:
        parts.append(f"reach {s.reach:,.0f}")
    return ", ".join(parts)


def rank_hot(
    issues: Iterable[IssueActivity],
    now: datetime,
    bucket: str = "hour",
    window: int = 48,
    recent: int = 3,
) -> list[tuple[str, float, str]]:
    """Rank issues hottest first.

    Args:
        issues: issues with their mentions.
        now: the reference time (injected so tests and replays are deterministic).
        bucket: "hour" or "day".
        window: buckets of history forming the baseline.
        recent: buckets counted as "now" for volume, velocity and shares.

    Returns:
        ``(issue_id, score, explanation)``, highest score first, ties by id.
    """
    ranked = []
    for issue in issues:
        s = signals(issue.mentions, now, bucket, window, recent)
        ranked.append((issue.issue_id, hot_score(s), explain(s, bucket)))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked
