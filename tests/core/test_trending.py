"""Trending: bursts beat big steady issues; signals are measured per bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from curator.issues.trending import (
    IssueActivity,
    Mention,
    bucket_counts,
    burst_z,
    hot_score,
    rank_hot,
    signals,
    velocity,
)

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def steady(per_hour: int, hours: int = 48) -> list[Mention]:
    return [
        Mention(NOW - timedelta(hours=h, minutes=5 + 50 * k / per_hour))
        for h in range(hours)
        for k in range(per_hour)
    ]


def test_bucket_counts_put_latest_bucket_last() -> None:
    times = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=70), NOW + timedelta(minutes=5)]
    counts = bucket_counts(times, NOW, "hour", window=4)
    assert counts.tolist() == [0.0, 0.0, 1.0, 2.0]
    days = bucket_counts([NOW - timedelta(days=2, hours=1)], NOW, "day", window=3)
    assert days.tolist() == [1.0, 0.0, 0.0]


def test_burst_z_and_velocity_measure_against_own_baseline() -> None:
    flat = np.array([5.0] * 23 + [5.0])
    jump = np.array([5.0] * 23 + [30.0])
    assert abs(burst_z(flat)) < 1e-9
    assert burst_z(jump) > 5
    _, _, v_flat = velocity(flat)
    _, _, v_jump = velocity(jump, recent=1)
    assert abs(v_flat) < 1e-9 and v_jump > 2


def test_burst_ranks_above_steady_issue_with_more_total_volume() -> None:
    big_steady = steady(per_hour=10)  # 480 items over two days
    burst = [Mention(NOW - timedelta(hours=h, minutes=20)) for h in range(3, 48, 6)]  # 8 items, quiet
    burst += [Mention(NOW - timedelta(minutes=m)) for m in range(1, 60, 2)]  # 30 in the last hour
    assert len(big_steady) > 10 * len(burst)
    ranked = rank_hot([IssueActivity("steady", big_steady), IssueActivity("burst", burst)], NOW)
    assert [r[0] for r in ranked] == ["burst", "steady"]
    assert ranked[0][1] > ranked[1][1]
    assert "burst" in ranked[0][2]
    assert "burst" not in ranked[1][2]


def test_negative_share_and_reach_raise_the_score() -> None:
    base = [Mention(NOW - timedelta(minutes=m)) for m in range(5, 50, 5)]
    negative = [Mention(m.at, negative=True) for m in base]
    famous = [Mention(m.at, reach=1_000_000) for m in base]
    s_base, s_neg, s_fam = (hot_score(signals(x, NOW)) for x in (base, negative, famous))
    assert s_neg > s_base and s_fam > s_base
    # log scaling: a million followers is worth less than a volume ten times higher.
    tenfold = [Mention(NOW - timedelta(minutes=m / 10)) for m in range(50, 500, 5)]
    assert hot_score(signals(tenfold, NOW)) > s_fam


def test_empty_issue_scores_zero_and_ranks_last() -> None:
    ranked = rank_hot([IssueActivity("empty"), IssueActivity("one", [Mention(NOW)])], NOW)
    assert ranked[-1] == ("empty", 0.0, "0 recent items")
