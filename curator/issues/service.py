"""The analysis service: items in, hot issues out.

One run of :meth:`AnalysisService.analyse` analyses the items not analysed
yet (spaCy, sentiment, personal-data masking: each item once), hands their
content terms to the incremental :class:`~curator.issues.clustering.StoryClusterer`
(whose state is kept in the workspace, so issue ids stay stable from run to
run and editors' decisions are respected), then refreshes the stored issues:
label (unless an editor renamed it), keyphrases, representative item,
counts, negative share and hot score.

Duplicates (``Item.duplicate_of``) are left out of clustering: the story they
repeat is already counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from curator.domain import Issue, Item, utcnow
from curator.errors import CuratorError
from curator.issues.clustering import StoryClusterer
from curator.issues.labels import label_issues, representative
from curator.issues.trending import IssueActivity, Mention, rank_hot
from curator.nlp.analysis import ItemAnalysis, analyse_texts
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.privacy import mask_personal_data
from curator.progress import Progress
from curator.workspace import Workspace

STATE_TABLE = "issue_state"
STATE_ID = "clusterer"
NEGATIVE_BELOW = -0.05  # VADER's own cut for a negative text
_MISSING = "There is no issue {}; it may have been merged. Refresh and try again."


class IssueError(CuratorError):
    """An editor's request cannot be carried out."""


@dataclass
class AnalysisSummary:
    """What one run did, in numbers and one sentence."""

    analysed: int = 0
    clustered: int = 0
    issues: int = 0
    new_issues: int = 0
    warning: str = ""

    def sentence(self) -> str:
        text = (
            f"Analysed {self.analysed} item{'s' * (self.analysed != 1)}; "
            f"{self.issues} issue{'s' * (self.issues != 1)} ({self.new_issues} new)."
        )
        return f"{text} {self.warning}" if self.warning else text


def terms_of(analysis: ItemAnalysis) -> list[str]:
    """What clustering compares: content lemmas plus noun chunks as phrases and hashtags."""
    cleaned = (
        " ".join(w.strip("#@") for w in chunk.split() if w.strip("#@")) for chunk in analysis.noun_chunks
    )
    phrases = [chunk.replace(" ", "_") for chunk in cleaned if " " in chunk]
    tags = [tag.lower().lstrip("#") for tag in analysis.hashtags]
    return [*analysis.lemmas, *phrases, *tags]


class AnalysisService:
    """Analyses items and keeps the workspace's hot issues up to date."""

    def __init__(self, ws: Workspace, *, model: str | None = None) -> None:
        self.ws = ws
        self.model = model
        self._pipeline: LoadedPipeline | None = None

    @property
    def pipeline(self) -> LoadedPipeline:
        """The spaCy pipeline, loaded on first use (call from a worker thread)."""
        if self._pipeline is None:
            self._pipeline = load_pipeline(self.model)
        return self._pipeline

    # -------------------------------------------------------------- analysis
    def analyse(self, *, progress: Progress | None = None, now: datetime | None = None) -> AnalysisSummary:
        """Analyse new items, cluster them, refresh the issues."""
        now = now or utcnow()
        summary = AnalysisSummary(warning=self.pipeline.warning)
        items = self.ws.items.list()
        todo = [item for item in items if not item.analysis]
        if todo:
            texts = [f"{item.title}\n{item.full_text or item.text}".strip() for item in todo]
            analyses = analyse_texts(texts, pipeline=self.pipeline, progress=progress)
            if progress is not None:
                progress.start(len(todo), "Masking personal data")
            for item, analysis in zip(todo, analyses, strict=True):
                item.analysis = analysis.to_doc()
                item.sentiment = analysis.sentiment
                item.masked_text = mask_personal_data(item.text, pipeline=self.pipeline).masked
                if progress is not None:
                    progress.advance(1)
            self.ws.items.save_many(todo)
            summary.analysed = len(todo)

        if progress is not None:
            progress.start(None, "Grouping items into issues")
        clusterer = self._load_clusterer()
        known = set(clusterer.assignments())
        batch = [
            (item.id, terms_of(ItemAnalysis.from_doc(item.analysis)))
            for item in items
            if item.analysis and item.duplicate_of is None and item.id not in known
        ]
        before = set(clusterer.issue_ids())
        if batch:
            clusterer.add_batch(batch)
            summary.clustered = len(batch)
        self._save_clusterer(clusterer)
        self._refresh_issues(clusterer, now, items)
        summary.issues = len(clusterer.issue_ids())
        summary.new_issues = len(set(clusterer.issue_ids()) - before)
        return summary

    # --------------------------------------------------------------- steering
    def merge(self, keep: str, other: str) -> str:
        """Merge ``other`` into ``keep``; later runs keep them together."""
        clusterer = self._load_clusterer()
        self._require(clusterer, keep, other)
        survivor = clusterer.merge(keep, other)
        self._save_clusterer(clusterer)
        self._refresh_issues(clusterer, utcnow())
        return survivor

    def split(self, issue_id: str, item_ids: Iterable[str]) -> str:
        """Move the given items out into a new issue; later runs keep them apart."""
        clusterer = self._load_clusterer()
        self._require(clusterer, issue_id)
        new_id = clusterer.split(issue_id, list(item_ids))
        self._save_clusterer(clusterer)
        self._refresh_issues(clusterer, utcnow())
        return new_id

    def rename(self, issue_id: str, label: str) -> None:
        """Give an issue the editor's label; analysis no longer changes it."""
        if not label.strip():
            raise IssueError("An issue needs a label; type a few words that name the story.")
        issue = self._issue(issue_id)
        issue.label, issue.label_locked = label.strip(), True
        self.ws.issues.save(issue)

    def set_flags(self, issue_id: str, *, pinned: bool | None = None, muted: bool | None = None) -> None:
        """Pin (always on top) or mute (never hot) an issue."""
        issue = self._issue(issue_id)
        if pinned is not None:
            issue.pinned = pinned
        if muted is not None:
            issue.muted = muted
        self.ws.issues.save(issue)

    def hot(self, limit: int = 10) -> list[Issue]:
        """Pinned issues first, then the live, unmuted issues by hot score."""
        live = [i for i in self.ws.issues.list() if i.merged_into is None and i.item_count > 0]
        ranked = sorted(live, key=lambda i: (not i.pinned, i.muted, -i.hot_score, i.label))
        return [i for i in ranked if not i.muted or i.pinned][:limit]

    # -------------------------------------------------------------- internals
    def _issue(self, issue_id: str) -> Issue:
        issue = self.ws.issues.get(issue_id)
        if issue is None:
            raise IssueError(_MISSING.format(issue_id))
        return issue

    @staticmethod
    def _require(clusterer: StoryClusterer, *issue_ids: str) -> None:
        for issue_id in issue_ids:
            if issue_id not in clusterer.issue_ids():
                raise IssueError(
                    f"There is no issue {issue_id}; it may have been merged. Refresh and try again."
                )

    def _load_clusterer(self) -> StoryClusterer:
        doc = self.ws.store.get(STATE_TABLE, STATE_ID)
        return StoryClusterer.from_state(doc["state"]) if doc else StoryClusterer()

    def _save_clusterer(self, clusterer: StoryClusterer) -> None:
        with self.ws.transaction() as tx:
            tx.put(STATE_TABLE, STATE_ID, {"state": clusterer.to_state()})

    def _refresh_issues(
        self, clusterer: StoryClusterer, now: datetime, known: list[Item] | None = None
    ) -> None:
        members = clusterer.issues()
        items = {item.id: item for item in (known if known is not None else self.ws.items.list())}
        tokens: dict[str, list[list[str]]] = {}
        docs: dict[str, list[tuple[str, Sequence[str]]]] = {}
        for issue_id, item_ids in members.items():
            present = [items[i] for i in item_ids if i in items]
            docs[issue_id] = [(i.id, terms_of(ItemAnalysis.from_doc(i.analysis))) for i in present]
            tokens[issue_id] = [list(terms) for _, terms in docs[issue_id]]
        labels = label_issues(tokens) if tokens else {}
        activity = [
            IssueActivity(
                issue_id,
                tuple(
                    Mention(
                        at=items[i].when,
                        negative=(items[i].sentiment or 0.0) < NEGATIVE_BELOW,
                        reach=float(items[i].author_reach or 0),
                    )
                    for i in item_ids
                    if i in items
                ),
            )
            for issue_id, item_ids in members.items()
        ]
        scores = {issue_id: (score, why) for issue_id, score, why in rank_hot(activity, now)}
        merged = clusterer.merged_into
        assignment = clusterer.assignments()
        with self.ws.transaction():
            for issue_id, item_ids in members.items():
                present = [items[i] for i in item_ids if i in items]
                issue = self.ws.issues.get(issue_id) or Issue(label="", id=issue_id, created_at=now)
                label = labels.get(issue_id)
                if label is not None and not issue.label_locked:
                    issue.label = _readable(label.text)
                    issue.keyphrases = [_readable(k) for k in label.keyphrases]
                issue.item_count = len(present)
                issue.representative_item_id = representative(docs[issue_id]) or ""
                issue.last_item_at = max((i.when for i in present), default=None)
                sentiments = [i.sentiment for i in present if i.sentiment is not None]
                issue.negative_share = (
                    sum(s < NEGATIVE_BELOW for s in sentiments) / len(sentiments) if sentiments else 0.0
                )
                issue.hot_score, issue.hot_reason = scores.get(issue_id, (0.0, ""))
                issue.merged_into = None
                self.ws.issues.save(issue)
            for old, survivor in merged.items():
                stale = self.ws.issues.get(old)
                if stale is not None and stale.merged_into != survivor:
                    stale.merged_into, stale.item_count = survivor, 0
                    self.ws.issues.save(stale)
            changed = [
                item
                for item in items.values()
                if item.duplicate_of is None and item.issue_id != assignment.get(item.id, item.issue_id)
            ]
            for item in changed:
                item.issue_id = assignment.get(item.id)
            self.ws.items.save_many(changed)


def _readable(term: str) -> str:
    return term.replace("_", " ")
