"""The palette's targets and ranking, without Qt."""

from __future__ import annotations

from pathlib import Path

from curator.domain import Draft, DraftStatus, Issue, Source
from curator.jump import JumpTarget, rank, workspace_targets
from curator.workspace import Workspace


def test_targets_leave_out_muted_merged_and_archived(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ws.issues.save_many(
            [
                Issue(label="Delayed refunds", hot_score=5.0, item_count=12),
                Issue(label="Pinned but cold", hot_score=0.1, pinned=True),
                Issue(label="Muted noise", muted=True),
                Issue(label="Folded in", merged_into="x"),
            ]
        )
        ws.drafts.save_many(
            [
                Draft(title="Refund apology", status=DraftStatus.IN_REVIEW),
                Draft(title="Old", status=DraftStatus.ARCHIVED),
            ]
        )
        ws.sources.save(Source(title="Trustpilot reviews", url="http://127.0.0.1/feed", enabled=False))
        targets = workspace_targets(ws)
    titles = [t.title for t in targets]
    # Pinned issues first, then by heat; muted, merged and archived are gone.
    assert titles == ["Pinned but cold", "Delayed refunds", "Refund apology", "Trustpilot reviews"]
    assert targets[1].detail == "Hot issue · 12 items"
    assert targets[2].detail == "Draft · in review"
    assert targets[3].detail.endswith("paused")


def test_rank_tolerates_typos_and_word_order() -> None:
    targets = [
        JumpTarget("view", "calendar", "Calendar", "View · Ctrl+5"),
        JumpTarget("issue", "i1", "Delayed refunds after the price change"),
        JumpTarget("draft", "d1", "Summer menu launch"),
    ]
    assert rank("", targets) == targets
    assert rank("calender", targets)[0].key == "calendar"
    assert rank("refund delay", targets)[0].key == "i1"
    assert rank("zzzz qqqq", targets) == []


def test_rank_needs_every_word_and_ignores_near_misses() -> None:
    targets = [
        JumpTarget("action", "a1", "Copy and mark sent", "Inbox · Ctrl+Return"),
        JumpTarget("action", "a2", "Waive finding", "Approvals"),
        JumpTarget("issue", "i2", "Refund apology"),
        JumpTarget("issue", "i1", "Delayed refunds after the price change"),
        JumpTarget("view", "calendar", "Calendar", "View · Ctrl+5"),
    ]
    assert [t.key for t in rank("refund", targets)] == ["i2", "i1"]
    assert rank("refund delay", targets)[0].key == "i1"
    assert rank("cal", targets)[0].key == "calendar"
    assert [t.key for t in rank("inbox", targets)] == ["a1"]  # the detail names the page
