"""The analysis service: items in, hot issues out.

One run of :meth:`AnalysisService.analyse` analyses the items not analysed
yet (spaCy, sentiment, personal-data masking: each item once), hands their
content terms to the incremental :class:`~curator.issues.clustering.StoryClusterer`
(whose state is kept in the workspace, so issue ids stay stable from run to
run and editors' decisions are respected), then refreshes the stored issues:
label (unless an editor renamed it), keyphrases, representative item,
counts, negative share and hot score.

What a run reads and writes is bounded by what changed, not by the workspace:

* new items are found from the item index (``ws.items.ids()``) minus the items
  the clusterer state has seen, and read by id (one scan instead when there
  are more than ``SCAN_ABOVE`` of them, e.g. the first run);
* the clusterer state is stored per issue and per chunk of items
  (:mod:`curator.issues.state`), and only what changed is written;
* labels, representatives and hot scores come from that state (each item's
  terms, time, sentiment and reach), so no item is read to refresh issues;
* only items whose issue changed are read and written back, and only issues
  whose stored fields changed are saved, all in one commit with the state.

Duplicates (``Item.duplicate_of``) are left out of clustering: the story they
repeat is already counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from curator.codec import to_doc
from curator.domain import Issue, Item, utcnow
from curator.errors import CuratorError
from curator.issues.clustering import StoryClusterer
from curator.issues.labels import Label, label_counts
from curator.issues.state import STATE_TABLE, ClusterState, ItemMeta, StateConflict, StateStore
from curator.issues.trending import BUCKETS, IssueActivity, Mention, rank_hot
from curator.nlp.analysis import ItemAnalysis, analyse_texts
from curator.nlp.languages import LANGUAGES, guess_language_words, split_elision, stop_words
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.privacy import mask_personal_data
from curator.progress import Progress
from curator.workspace import Workspace

__all__ = ["STATE_TABLE", "AnalysisService", "AnalysisSummary", "IssueError", "terms_of"]

NEGATIVE_BELOW = -0.05  # VADER's own cut for a negative text
SCAN_ABOVE = 2_000
"""New items above which one scan of the items is cheaper than reading each by id."""
HOT_BUCKET = "hour"
HOT_WINDOW = 48
ATTEMPTS = 3
"""Times a change is redone when another window or process saved the state meanwhile."""
_MISSING = "There is no issue {}; it may have been merged. Refresh and try again."
_T = TypeVar("_T")


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


def _content_words(words: list[str], stops: frozenset[str]) -> list[str]:
    """A phrase's words without punctuation, elided articles and stop words at either end."""
    out = []
    for word in words:
        if not any(ch.isalnum() for ch in word):
            continue
        head, rest = split_elision(word)
        out.append(rest if head and head in stops else word)
    while out and out[0] in stops:
        out.pop(0)
    while out and out[-1] in stops:
        out.pop()
    return out


def terms_of(analysis: ItemAnalysis) -> list[str]:
    """What clustering compares: content lemmas plus noun chunks as phrases and hashtags.

    Stop words of the item's language are dropped from all three (phrases lose
    them at either end and must keep two words), so German or French items
    never group on "der", "und", "nicht", "le" or "pas". Analyses stored
    before languages were told apart say ``""`` for every non-English text;
    their language is guessed again from their lemmas.
    """
    language = analysis.language
    if language not in LANGUAGES:
        language = guess_language_words(analysis.lemmas)
    stops = stop_words(language)
    lemmas = [w for w in analysis.lemmas if w not in stops]
    phrases = []
    for chunk in analysis.noun_chunks:
        words = _content_words([w.strip("#@") for w in chunk.split() if w.strip("#@")], stops)
        if len(words) >= 2:
            phrases.append("_".join(words))
    tags = [tag.lower().lstrip("#") for tag in analysis.hashtags]
    return [*lemmas, *phrases, *(t for t in tags if t and t not in stops)]


class AnalysisService:
    """Analyses items and keeps the workspace's hot issues up to date."""

    def __init__(self, ws: Workspace, *, model: str | None = None) -> None:
        self.ws = ws
        self.model = model
        self._pipeline: LoadedPipeline | None = None
        self.states = StateStore(ws.store)

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
        state = self._load_state()
        present = self.ws.items.ids()
        new_items = self._read_items(present - state.seen)
        todo = [item for item in new_items if not item.analysis]
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

        def cluster(state: ClusterState) -> None:
            clusterer = state.clusterer
            before = set(clusterer.issue_ids())
            fresh = [item for item in new_items if item.id not in state.seen]
            batch = [
                (item.id, terms_of(ItemAnalysis.from_doc(item.analysis)))
                for item in fresh
                if item.analysis and item.duplicate_of is None and item.id not in clusterer
            ]
            if batch:
                clusterer.add_batch(batch)
            for item in fresh:
                if item.analysis:
                    meta = ItemMeta.of(item.when, item.sentiment, item.author_reach)
                    state.add(item.id, meta, clustered=item.id in clusterer)
            summary.clustered = len(batch)
            summary.issues = len(clusterer.issue_ids())
            summary.new_issues = len(set(clusterer.issue_ids()) - before)

        self._update(cluster, now, present, state)
        return summary

    # --------------------------------------------------------------- steering
    def merge(self, keep: str, other: str) -> str:
        """Merge ``other`` into ``keep``; later runs keep them together."""

        def merge(state: ClusterState) -> str:
            self._require(state.clusterer, keep, other)
            return state.clusterer.merge(keep, other)

        return self._update(merge, utcnow(), self.ws.items.ids())

    def split(self, issue_id: str, item_ids: Iterable[str]) -> str:
        """Move the given items out into a new issue; later runs keep them apart."""
        items = list(item_ids)

        def split(state: ClusterState) -> str:
            self._require(state.clusterer, issue_id)
            return state.clusterer.split(issue_id, items)

        return self._update(split, utcnow(), self.ws.items.ids())

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
        live = set(clusterer.issue_ids())
        for issue_id in issue_ids:
            if issue_id not in live:
                raise IssueError(_MISSING.format(issue_id))

    def _load_state(self) -> ClusterState:
        return self.states.load(legacy_meta=self._legacy_meta)

    def _update(
        self,
        change: Callable[[ClusterState], _T],
        now: datetime,
        present: set[str],
        state: ClusterState | None = None,
    ) -> _T:
        """Apply ``change`` to the state and commit it with the issues and items it moved.

        When another window or process saved the state meanwhile, the change is
        redone on a fresh copy (``ATTEMPTS`` times at most). A change that fails
        leaves the stored state as it was, and the copy in memory is dropped.
        """
        for attempt in range(ATTEMPTS):
            current = state if state is not None else self._load_state()
            state = None
            try:
                assigned = current.clusterer.assignments()
                result = change(current)
                self._commit(current, now, assigned, present)
                return result
            except StateConflict:
                self.states.forget()
                if attempt == ATTEMPTS - 1:
                    raise
            except BaseException:
                self.states.forget()
                raise
        raise AssertionError("unreachable")

    def _legacy_meta(self, ids: set[str]) -> dict[str, ItemMeta]:
        """Trending data of the items of a state stored in the old format (one scan, once)."""
        return {
            item.id: ItemMeta.of(item.when, item.sentiment, item.author_reach)
            for item in self.ws.items.list()
            if item.id in ids
        }

    def _read_items(self, ids: set[str]) -> list[Item]:
        """The given items, oldest first (the order they join the clusterer in)."""
        if not ids:
            return []
        if len(ids) > SCAN_ABOVE:
            found = [item for item in self.ws.items.list() if item.id in ids]
        else:
            found = [item for item in map(self.ws.items.get, sorted(ids)) if item is not None]
        found.sort(key=lambda item: (item.when, item.id))
        return found

    def _commit(
        self, state: ClusterState, now: datetime, assigned: dict[str, str | None], present: set[str]
    ) -> None:
        """Save the state, the issues that changed and the items that changed issue, in one commit.

        Everything is computed from the state first; stored issues and items are
        read inside the transaction, so an editor's rename or pin made meanwhile
        (or another change to an item) is not overwritten.

        Args:
            state: the state after the batch or editor action.
            now: the reference time of hot scores.
            assigned: item -> issue before the change.
            present: ids of the items still in the workspace.
        """
        clusterer = state.clusterer
        after = clusterer.assignments()
        moved = {i: iid for i, iid in after.items() if assigned.get(i) != iid and i in present}
        touched = {iid for iid in moved.values() if iid is not None}
        touched |= {iid for i in moved if (iid := assigned.get(i)) is not None}
        fields = self._issue_fields(state, now, present, touched)
        with self.ws.transaction():
            self.states.save(state)
            for issue in self._changed_issues(state, fields, touched, now):
                self.ws.issues.save(issue)
            items = []
            for item in self._read_items(set(moved)):
                issue_id = moved[item.id]
                if item.duplicate_of is None and item.issue_id != issue_id:
                    item.issue_id = issue_id
                    items.append(item)
            if items:
                self.ws.items.save_many(items)

    def _issue_fields(
        self, state: ClusterState, now: datetime, present: set[str], touched: set[str]
    ) -> dict[str, _Fields]:
        """What analysis decides for every live issue, from the state alone (no item reads).

        Representatives are chosen for the ``touched`` issues only (the others
        keep theirs unless it left the workspace).
        """
        clusterer = state.clusterer
        members = {iid: [i for i in ids if i in present] for iid, ids in clusterer.issues().items()}
        ids = list(members)
        labels: dict[str, Label] = {}
        if ids:
            counts, terms = clusterer.issue_term_counts(ids, present)
            labels = label_counts(ids, counts, terms)
        horizon = now.timestamp() - BUCKETS[HOT_BUCKET].total_seconds() * HOT_WINDOW
        activity = []
        for issue_id, item_ids in members.items():
            recent = [m for i in item_ids if (m := state.meta.get(i)) is not None and m.at >= horizon]
            mentions = tuple(
                Mention(
                    at=datetime.fromtimestamp(m.at, UTC),
                    negative=(m.sentiment or 0.0) < NEGATIVE_BELOW,
                    reach=m.reach,
                )
                for m in recent
            )
            activity.append(IssueActivity(issue_id, mentions))
        scores = {
            issue_id: (score, why)
            for issue_id, score, why in rank_hot(activity, now, bucket=HOT_BUCKET, window=HOT_WINDOW)
        }
        fields: dict[str, _Fields] = {}
        for issue_id, item_ids in members.items():
            metas = [m for i in item_ids if (m := state.meta.get(i)) is not None]
            last = max((m.at for m in metas), default=None)
            sentiments = [m.sentiment for m in metas if m.sentiment is not None]
            score, why = scores.get(issue_id, (0.0, ""))
            fields[issue_id] = _Fields(
                items=item_ids,
                representative=(clusterer.representative(issue_id, present) or "")
                if issue_id in touched
                else None,
                label=labels.get(issue_id),
                last_item_at=datetime.fromtimestamp(last, UTC) if last is not None else None,
                negative_share=(
                    sum(s < NEGATIVE_BELOW for s in sentiments) / len(sentiments) if sentiments else 0.0
                ),
                hot_score=score,
                hot_reason=why,
            )
        return fields

    def _changed_issues(
        self, state: ClusterState, fields: dict[str, _Fields], touched: set[str], now: datetime
    ) -> list[Issue]:
        """The stored issues updated with ``fields``, only those that changed, and the merged ones."""
        clusterer = state.clusterer
        stored = {issue.id: issue for issue in self.ws.issues.list()}
        changed: list[Issue] = []
        for issue_id, f in fields.items():
            old = stored.get(issue_id)
            issue = old or Issue(label="", id=issue_id, created_at=now)
            before = to_doc(issue) if old is not None else None
            if f.label is not None and not issue.label_locked:
                issue.label = _readable(f.label.text)
                issue.keyphrases = [_readable(k) for k in f.label.keyphrases]
            issue.item_count = len(f.items)
            if f.representative is not None:
                issue.representative_item_id = f.representative
            elif old is None or issue.representative_item_id not in f.items:
                issue.representative_item_id = clusterer.representative(issue_id, set(f.items)) or ""
            issue.last_item_at = f.last_item_at
            issue.negative_share = f.negative_share
            issue.hot_score, issue.hot_reason = f.hot_score, f.hot_reason
            issue.merged_into = None
            if before is None or to_doc(issue) != before:
                changed.append(issue)
        for old_id, survivor in clusterer.merged_into.items():
            stale = stored.get(old_id)
            if stale is not None and stale.merged_into != survivor:
                stale.merged_into, stale.item_count = survivor, 0
                changed.append(stale)
        return changed


@dataclass(frozen=True)
class _Fields:
    """What the analysis sets on one issue (the rest belongs to editors)."""

    items: list[str]
    representative: str | None
    label: Label | None
    last_item_at: datetime | None
    negative_share: float
    hot_score: float
    hot_reason: str


def _readable(term: str) -> str:
    return term.replace("_", " ")
