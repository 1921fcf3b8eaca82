"""What the command palette can jump to: issues, drafts and sources, ranked by a query.

The palette (Ctrl+K) lists the app's views and actions itself; the
workspace's own objects come from here, read in a worker thread, so the
same list serves the UI and tests without Qt. Ranking matches the words
typed against the target's words with rapidfuzz's edit-distance ratio, so
typos and word order are forgiven ("refund delay" finds "Delayed refunds").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, utils

from curator.domain import DraftStatus

#: Below this score (0-100) a target is not shown for a non-empty query.
MIN_SCORE = 72.0


@dataclass(frozen=True)
class JumpTarget:
    """One place the palette can take the user.

    Attributes:
        kind: "view", "action", "issue", "draft" or "source".
        key: what the front end needs to go there (a view key, an action
            name, or the object's id).
        title: what is searched and shown.
        detail: a second line (a shortcut, a status, a count).
    """

    kind: str
    key: str
    title: str
    detail: str = ""


def workspace_targets(workspace: Any) -> list[JumpTarget]:
    """The issues, drafts and sources of ``workspace``, most useful first within each kind.

    Muted and merged issues and archived drafts are left out: nobody jumps to them.
    """
    targets: list[JumpTarget] = []
    issues = [i for i in workspace.issues.list() if not i.muted and not i.merged_into]
    issues.sort(key=lambda i: (not i.pinned, -i.hot_score))
    for issue in issues:
        targets.append(JumpTarget("issue", issue.id, issue.label, f"Hot issue · {issue.item_count} items"))
    drafts = [d for d in workspace.drafts.list() if d.status is not DraftStatus.ARCHIVED]
    drafts.sort(key=lambda d: d.updated_at, reverse=True)
    for draft in drafts:
        status = draft.status.value.replace("_", " ")
        targets.append(JumpTarget("draft", draft.id, draft.title or "(untitled draft)", f"Draft · {status}"))
    sources = sorted(workspace.sources.list(), key=lambda s: s.title.casefold())
    for source in sources:
        detail = f"Source · {source.channel.value}" + ("" if source.enabled else " · paused")
        targets.append(JumpTarget("source", source.id, source.title or source.url, detail))
    return targets


def _words(text: str) -> list[str]:
    return utils.default_process(text).split()


def score(query_words: Sequence[str], target: JumpTarget) -> float:
    """How well the query's words match the target's words, 0-100.

    Each query word takes its best match among the title's and detail's
    words: 100 for a word it begins ("cal" in "Calendar"), else rapidfuzz's
    edit-distance ratio ("calender" ~ "calendar" 87.5); the score is their
    mean, so every word typed must find a partner ("refund delay" finds
    "Delayed refunds", not "Refund apology").
    """
    words = _words(f"{target.title} {target.detail}")
    if not words or not query_words:
        return 0.0
    total = 0.0
    for q in query_words:
        total += max(100.0 if w.startswith(q) else fuzz.ratio(q, w) for w in words)
    return total / len(query_words)


def rank(query: str, targets: Sequence[JumpTarget], limit: int = 50) -> list[JumpTarget]:
    """The targets matching ``query``, best first; all of them, in order, for an empty query."""
    query_words = _words(query)
    if not query_words:
        return list(targets[:limit])
    scored = [(score(query_words, t), n) for n, t in enumerate(targets)]
    # Ties keep the given order (views before objects, hotter issues first).
    found = sorted((item for item in scored if item[0] >= MIN_SCORE), key=lambda item: (-item[0], item[1]))
    return [targets[n] for _score, n in found[:limit]]
