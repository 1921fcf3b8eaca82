"""The background jobs of the Hot issues page: analysis, steering and the reads behind the detail pane.

Each function runs in a :class:`~ui.tasks.TaskRunner` worker: it gets the
task's :class:`~curator.progress.Progress` first, never touches a widget and
returns plain values (or raises a core error whose sentence the page shows).

The analysis service (spaCy, scikit-learn) is imported inside the jobs so the
window starts without it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from curator.domain import Issue, Item, utcnow
from curator.errors import CuratorError
from curator.progress import Progress

if TYPE_CHECKING:
    from curator.issues.service import AnalysisService, AnalysisSummary

#: Hourly buckets in a row's sparkline.
TREND_HOURS = 48
#: Days shown in the detail pane's volume chart (at most; fewer if the issue is younger).
VOLUME_DAYS = 30
#: Entities shown in the detail pane.
TOP_ENTITIES = 8
#: Entity labels that name a person: personal data, hidden unless the user reveals it.
PERSON_LABELS = frozenset({"PERSON", "PER"})
_WAIT_POLL_S = 0.05


class AnalysisGate:
    """The open workspace's one :class:`AnalysisService`, used by one job at a time.

    The service keeps the spaCy pipeline loaded between runs (loading takes
    seconds), and analysis and steering both read, change and save the
    clusterer's state: two jobs at once would lose one's changes.
    """

    def __init__(self, workspace: Any) -> None:
        self.workspace = workspace
        self._turn = threading.Lock()
        self._service: AnalysisService | None = None

    @contextmanager
    def exclusive(self, progress: Progress) -> Iterator[AnalysisService]:
        """Wait for the other issue job to finish (honouring Cancel), then hand over the service."""
        announced = False
        while not self._turn.acquire(timeout=_WAIT_POLL_S):
            if not announced:
                progress.start(None, "Waiting for another issue job to finish")
                announced = True
            progress.check_cancelled()
        try:
            if self._service is None:
                from curator.issues.service import AnalysisService

                self._service = AnalysisService(self.workspace)
            yield self._service
        finally:
            self._turn.release()


def is_live(issue: Issue) -> bool:
    """Whether the page lists ``issue``: not merged away and still holding items."""
    return issue.merged_into is None and issue.item_count > 0


# ------------------------------------------------------------------ analysis
def needs_analysis(progress: Progress, workspace: Any) -> bool:
    """Whether any item still waits for language analysis."""
    progress.start(None, "Looking for new items")
    return any(not item.analysis for item in workspace.items.list())


def analyse(progress: Progress, gate: AnalysisGate) -> AnalysisSummary:
    """Analyse the new items and refresh every issue."""
    with gate.exclusive(progress) as service:
        progress.start(None, "Loading the language model")
        return service.analyse(progress=progress)


# ------------------------------------------------------------------ steering
def rename_issue(progress: Progress, gate: AnalysisGate, issue_id: str, label: str) -> str:
    """Give the issue the editor's label; returns the sentence to show."""
    with gate.exclusive(progress) as service:
        service.rename(issue_id, label)
    return f"Renamed to “{label.strip()}”."


def set_issue_flags(
    progress: Progress, gate: AnalysisGate, issue_id: str, pinned: bool | None, muted: bool | None
) -> str:
    """Pin/unpin or mute/unmute the issue; returns the sentence to show."""
    with gate.exclusive(progress) as service:
        service.set_flags(issue_id, pinned=pinned, muted=muted)
    if pinned is not None:
        return "Pinned: the issue stays on top." if pinned else "Unpinned."
    return "Muted: the issue stays at the bottom." if muted else "Unmuted."


def merge_issues(progress: Progress, gate: AnalysisGate, keep: str, other: str) -> str:
    """Merge ``other`` into ``keep``; returns the surviving issue's id."""
    with gate.exclusive(progress) as service:
        return service.merge(keep, other)


def split_issue(progress: Progress, gate: AnalysisGate, issue_id: str, item_ids: Sequence[str]) -> str:
    """Move the items out into a new issue; returns the new issue's id."""
    if not item_ids:
        raise CuratorError("Select the items to move in the issue's item list first.")
    with gate.exclusive(progress) as service:
        return service.split(issue_id, item_ids)


# --------------------------------------------------------------------- reads
def issue_trends(progress: Progress, workspace: Any, now: datetime | None = None) -> dict[str, list[float]]:
    """Hourly item counts of the last :data:`TREND_HOURS` hours, per issue (for the sparklines)."""
    from curator.issues.trending import bucket_counts

    progress.start(None, "Measuring trends")
    now = now or utcnow()
    times: dict[str, list[datetime]] = {}
    for item in workspace.items.list():
        if item.issue_id:
            times.setdefault(item.issue_id, []).append(item.when)
    return {
        issue_id: [float(c) for c in bucket_counts(whens, now, "hour", TREND_HOURS)]
        for issue_id, whens in times.items()
    }


@dataclass(frozen=True)
class IssueDetail:
    """Everything the detail pane shows about one issue."""

    issue: Issue
    items: list[Item]
    #: (day, items that day), oldest first, no gaps.
    daily: list[tuple[date, int]] = field(default_factory=list)
    #: (entity text, label, mentions), most mentioned first, people included.
    entities: list[tuple[str, str, int]] = field(default_factory=list)


def daily_counts(times: Sequence[datetime], days: int = VOLUME_DAYS) -> list[tuple[date, int]]:
    """Items per UTC day from the first to the last one (at most ``days`` days, the latest kept)."""
    if not times:
        return []
    counts = Counter(t.date() for t in times)
    last = max(counts)
    first = max(min(counts), last - timedelta(days=days - 1))
    span = (last - first).days + 1
    return [(first + timedelta(days=n), counts.get(first + timedelta(days=n), 0)) for n in range(span)]


def is_personal(text: str, label: str) -> bool:
    """Whether an entity may identify a person: a name, an address or a phone number."""
    return label in PERSON_LABELS or "@" in text or sum(ch.isdigit() for ch in text) >= 6


def top_entities(items: Sequence[Item], limit: int = TOP_ENTITIES) -> list[tuple[str, str, int]]:
    """The entities the items name most often (once per item), from their stored analysis.

    Entities without a letter or digit (an emoji the tagger took for a name) are left out.
    """
    counts: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = {}
    spelling: dict[str, str] = {}
    for item in items:
        seen: set[str] = set()
        for entity in item.analysis.get("entities", []) or []:
            if isinstance(entity, (list, tuple)) and len(entity) >= 2:
                text = str(entity[0]).strip()
                if not any(ch.isalnum() for ch in text):
                    continue
                key = text.casefold()
                spelling.setdefault(key, text)
                labels.setdefault(key, Counter())[str(entity[1])] += 1
                seen.add(key)
        counts.update(seen)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    # A name tagged PERSON even once counts as a person: hiding too much beats leaking.
    return [
        (
            spelling[key],
            next((lb for lb in labels[key] if lb in PERSON_LABELS), labels[key].most_common(1)[0][0]),
            count,
        )
        for key, count in ranked[:limit]
    ]


def load_issue_detail(progress: Progress, workspace: Any, issue_id: str) -> IssueDetail | None:
    """The issue with its items (newest first), daily volume and top entities; None once it is gone."""
    progress.start(None, "Loading the issue")
    issue = workspace.issues.get(issue_id)
    if issue is None:
        return None
    items = [item for item in workspace.items.list() if item.issue_id == issue_id]
    items.sort(key=lambda item: item.when, reverse=True)
    progress.check_cancelled()
    return IssueDetail(issue, items, daily_counts([i.when for i in items]), top_entities(items, 50))
