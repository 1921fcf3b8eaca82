"""What the command palette can jump to: issues, drafts and sources, ranked by a query.

The palette (Ctrl+K) lists the app's views and actions itself; the
workspace's own objects come from here, read in a worker thread, so the
same list serves the UI and tests without Qt. Ranking uses rapidfuzz's
weighted ratio, which copes with typos and word order ("refund delay" finds
"Delayed refunds"), instead of a hand-written fuzzy matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

from curator.domain import DraftStatus

#: Below this score (0-100) a target is not shown for a non-empty query.
MIN_SCORE = 55.0


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


def rank(query: str, targets: Sequence[JumpTarget], limit: int = 50) -> list[JumpTarget]:
    """The targets matching ``query``, best first; all of them, in order, for an empty query."""
    if not query.strip():
        return list(targets[:limit])
    choices = [f"{t.title} {t.detail}" for t in targets]
    # WRatio mixes whole, partial and token-set ratios; titles weigh more
    # because they come first and the detail words are few.
    found = process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=MIN_SCORE,
    )
    # Ties keep the given order (views before objects, hotter issues first).
    found.sort(key=lambda hit: (-hit[1], hit[2]))
    return [targets[index] for _choice, _score, index in found]
