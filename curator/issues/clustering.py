"""Incremental story clustering: items that tell one story become one hot issue.

Method (chosen because it is general, incremental and cheap on a workstation):

* Every item is a bag of content tokens (lemmas, noun-chunk phrases, ...). Items are
  weighted with TF-IDF (sublinear tf, smoothed IDF) and L2-normalised. The IDF is
  recomputed from the whole corpus seen so far at every batch, so vectors of old
  items follow the growing vocabulary; rebuilding a sparse matrix of a few hundred
  thousand short texts costs milliseconds, which is cheaper and simpler than
  keeping stale weights consistent.
* A new item joins the issue with the highest *average-link* similarity (its mean
  cosine to the issue's members, computed as ``x . sum(members) / n``) when that is
  at least ``assign_threshold``. Sparse products play the role of the inverted
  index: only issues sharing a term with the item get a non-zero score.
* Items left over (and earlier outliers, retried every batch) are grouped among
  themselves by average-linkage agglomeration with ``group_threshold``. Because an
  average-link cluster above a threshold always lies inside a single-link component
  above the same threshold, the pool is first cut into connected components of the
  sparse "similar enough" graph and the dense linkage runs per component: memory
  stays proportional to the largest story, not to the pool.
* Groups reaching ``min_size`` become issues; the rest stay unclustered, so one-off
  posts never pollute an issue.
* ``consolidate()`` merges issues whose average-link similarity reaches
  ``merge_threshold`` (greedy, best pair first, with a lazy heap), respecting the
  editor's constraints. It runs after each batch when ``consolidate_each_batch``.
  Between two merge passes it refines item placement twice over: k-means-like
  moves to the nearest TF-IDF centroid, then moves under a *story model*.
* The story model is the mixture of unigrams behind GSDMM (Yin & Wang, KDD 2014),
  the reference method for short-text story clustering, with a background
  component: a term of an item is drawn from its story with weight ``1 - b`` and
  from the language at large with weight ``b``, so an item scores
  ``log(m_z + alpha) + sum_w c_w log(1 + (1 - b) / b * p_z(w) / p_bg(w))`` for
  issue z (``p_z`` smoothed with ``beta``, ``m_z`` its size). Cosine similarity
  lets one shared word ("star", "black") tie a title to a story; the story model
  asks that *every* term of the item be likely under the story, which is what
  titles and tweets need. An item moves only when the best story beats its own
  (scored without the item) by ``story_min_gain`` nats per term: small gains are
  as often wrong as right, and items should not flip between issues on noise.

Issue ids are never renumbered. When two issues merge, the larger one (the older one
on a tie) keeps its id and the other is recorded in ``merged_into``.

Editor decisions are constraints that every later batch and consolidation honour;
the latest decision wins when two contradict (merging two issues drops the
cannot-links across them, splitting drops the must-links across the split).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

STATE_VERSION = 1

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ClusterParams:
    """Tunable thresholds; defaults were tuned once on three public story-clustering sets.

    Attributes:
        assign_threshold: minimum average cosine between a new item and an issue's
            members for the item to join the issue.
        group_threshold: average-linkage cut used to group unassigned items.
        merge_threshold: average-link similarity at which consolidation merges two
            issues.
        min_size: items needed before a group becomes an issue; smaller groups stay
            unclustered and are retried with the next batch.
        consolidate_each_batch: run ``consolidate()`` at the end of every batch, so
            fragments of one story created in different batches meet early.
        refine_iterations: passes of centroid reassignment run by ``consolidate()``
            (k-means-like), which repairs early, order-dependent assignments.
        max_pool: at most this many of the most recent outliers are retried per
            batch, which bounds batch cost on a feed with many one-off posts.
        story_iterations: passes of story-model reassignment run by
            ``consolidate()`` after the centroid passes (0 switches it off).
        story_min_gain: nats per term by which the best story must beat the
            item's own before the item moves.
        story_alpha: pseudo-count of the story-size prior (GSDMM's alpha).
        story_beta: pseudo-count smoothing each story's term distribution
            (GSDMM's beta).
        story_background: weight of the background (corpus-wide) term
            distribution in the story model, in (0, 1).
    """

    assign_threshold: float = 0.04
    group_threshold: float = 0.06
    merge_threshold: float = 0.05
    min_size: int = 2
    consolidate_each_batch: bool = True
    max_pool: int = 50_000
    refine_iterations: int = 5
    story_iterations: int = 3
    story_min_gain: float = 0.2
    story_alpha: float = 0.1
    story_beta: float = 0.1
    story_background: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        return {
            "assign_threshold": self.assign_threshold,
            "group_threshold": self.group_threshold,
            "merge_threshold": self.merge_threshold,
            "min_size": self.min_size,
            "consolidate_each_batch": self.consolidate_each_batch,
            "max_pool": self.max_pool,
            "refine_iterations": self.refine_iterations,
            "story_iterations": self.story_iterations,
            "story_min_gain": self.story_min_gain,
            "story_alpha": self.story_alpha,
            "story_beta": self.story_beta,
            "story_background": self.story_background,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClusterParams:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class BatchResult:
    """What one ``add_batch`` changed, so the caller can update its store and views.

    Attributes:
        joined: new or retried items that joined an issue existing before the batch.
        created: ids of issues created in this batch, with their items.
        unclustered: items of the batch (and retried outliers) still without an issue.
        merged: issue ids merged away during the batch, mapped to the surviving id.
        skipped: item ids already known, ignored so that re-runs are idempotent.
    """

    joined: dict[str, str] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    unclustered: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


class ConstraintError(ValueError):
    """An editor action contradicts the current state (unknown id, empty split...)."""


DENSE_BUDGET = 1 << 23
"""Largest right-hand side (in cells) turned dense for sparse x dense products (64 MB)."""


def _rhs(m: sp.spmatrix) -> sp.spmatrix | FloatArray:
    """``m`` as the right-hand side of many products with sparse rows.

    Products whose result is dense anyway (items x issues) are several times
    faster against a dense matrix; beyond ``DENSE_BUDGET`` cells it stays sparse.
    """
    if m.shape[0] * m.shape[1] <= DENSE_BUDGET:
        return np.ascontiguousarray(m.toarray(), dtype=np.float64)
    return sp.csr_matrix(m)


def _dense(product: Any) -> FloatArray:
    return np.asarray(product.toarray() if sp.issparse(product) else product, dtype=np.float64)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class StoryClusterer:
    """Groups items into stable, editor-correctable issues, one batch at a time."""

    def __init__(self, params: ClusterParams | None = None) -> None:
        self.params = params or ClusterParams()
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._doc_terms: list[npt.NDArray[np.int32]] = []
        self._doc_counts: list[npt.NDArray[np.float64]] = []
        self._vocab: dict[str, int] = {}
        self._terms: list[str] = []
        self._df: list[int] = []
        self._issue_of: list[str | None] = []
        self._members: dict[str, set[int]] = {}
        self._created: dict[str, int] = {}
        self._next_issue = 1
        self._merged_into: dict[str, str] = {}
        self._must: set[tuple[str, str]] = set()
        self._cannot: set[tuple[str, str]] = set()
        self._cannot_issue: set[tuple[str, str]] = set()
        self._x: sp.csr_matrix | None = None
        self._c: sp.csr_matrix | None = None
        self._fixed: set[str] = set()

    # ------------------------------------------------------------------ queries

    def assignments(self) -> dict[str, str | None]:
        """Item id -> issue id, or None for an item that is (still) unclustered."""
        return dict(zip(self._ids, self._issue_of, strict=True))

    def issues(self) -> dict[str, list[str]]:
        """Issue id -> its item ids, in arrival order."""
        return {iid: [self._ids[r] for r in sorted(rows)] for iid, rows in self._members.items()}

    def issue_ids(self) -> list[str]:
        return list(self._members)

    @property
    def merged_into(self) -> dict[str, str]:
        """Every id merged away -> the id that absorbed it (one hop; see ``resolve``)."""
        return dict(self._merged_into)

    def resolve(self, issue_id: str) -> str:
        """The live id an old issue id now lives on as (itself when never merged)."""
        seen = set()
        while issue_id in self._merged_into and issue_id not in seen:
            seen.add(issue_id)
            issue_id = self._merged_into[issue_id]
        return issue_id

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._row

    @property
    def next_issue(self) -> int:
        """The number the next new issue id will carry."""
        return self._next_issue

    def issue_seq(self, issue_id: str) -> int:
        """The creation number of a live issue (older issues have smaller numbers)."""
        return self._created[issue_id]

    def item_terms(self, item_id: str) -> dict[str, int]:
        """The term counts an item was clustered on."""
        r = self._row[item_id]
        return {
            self._terms[int(c)]: int(n) for c, n in zip(self._doc_terms[r], self._doc_counts[r], strict=True)
        }

    def rules(self) -> dict[str, list[Any]]:
        """The editor's constraints, JSON-ready (the ``rules`` argument of ``from_parts``)."""
        return {
            "must_link": [list(p) for p in sorted(self._must)],
            "cannot_link": [list(p) for p in sorted(self._cannot)],
            "cannot_merge": [list(p) for p in sorted(self._cannot_issue)],
            "fixed": sorted(self._fixed),
        }

    def representative(self, issue_id: str, only: set[str] | None = None) -> str | None:
        """The member closest to the issue's centroid of L2-normalised term counts.

        The same choice as :func:`curator.issues.labels.representative_counts`
        (first in arrival order on a tie), from the stored counts.

        Args:
            issue_id: a live issue.
            only: consider only these items (e.g. those still in the workspace).
        """
        rows = sorted(r for r in self._members[issue_id] if only is None or self._ids[r] in only)
        if not rows:
            return None
        c = self._counts()[rows]
        norms = np.sqrt(np.asarray(c.multiply(c).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        unit = sp.csr_matrix(sp.diags(1.0 / norms) @ c)
        centroid = np.asarray(unit.sum(axis=0)).ravel()
        scores = unit @ centroid
        return self._ids[rows[int(np.argmax(scores))]]

    def issue_term_counts(
        self, issue_ids: Sequence[str], only: set[str] | None = None
    ) -> tuple[sp.csr_matrix, list[str]]:
        """Summed term counts per issue (rows follow ``issue_ids``) and the column terms.

        Args:
            issue_ids: live issues.
            only: count only these items (e.g. those still in the workspace).
        """
        counts = sp.csr_matrix(self._indicator(issue_ids, only) @ self._counts())
        counts.sum_duplicates()
        return counts, self._terms

    # ------------------------------------------------------------------ vectors

    def _add_doc(self, item_id: str, tokens: Sequence[str]) -> None:
        counts: dict[str, int] = {}
        for tok in tokens:
            if tok:
                counts[tok] = counts.get(tok, 0) + 1
        self._add_counts(item_id, counts)

    def _add_counts(self, item_id: str, terms: dict[str, int]) -> None:
        counts: dict[int, int] = {}
        for tok, n in terms.items():
            if not tok or n <= 0:
                continue
            col = self._vocab.get(tok)
            if col is None:
                col = len(self._terms)
                self._vocab[tok] = col
                self._terms.append(tok)
                self._df.append(0)
            counts[col] = counts.get(col, 0) + int(n)
        cols = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        for col in counts:
            self._df[col] += 1
        self._row[item_id] = len(self._ids)
        self._ids.append(item_id)
        self._doc_terms.append(cols)
        self._doc_counts.append(vals)
        self._issue_of.append(None)
        self._x = None
        self._c = None

    def _counts(self) -> sp.csr_matrix:
        """Raw term counts of every item (rows follow arrival order)."""
        if self._c is not None:
            return self._c
        n = len(self._ids)
        lengths = np.fromiter((len(c) for c in self._doc_terms), dtype=np.int64, count=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        if n and indptr[-1]:
            indices = np.concatenate(self._doc_terms)
            counts = np.concatenate(self._doc_counts)
        else:
            indices = np.zeros(0, dtype=np.int32)
            counts = np.zeros(0, dtype=np.float64)
        self._c = sp.csr_matrix((counts, indices, indptr), shape=(n, len(self._terms)))
        return self._c

    def _matrix(self) -> sp.csr_matrix:
        """TF-IDF of every item under the current IDF, rows L2-normalised."""
        if self._x is not None:
            return self._x
        c = self._counts()
        n = c.shape[0]
        df = np.asarray(self._df, dtype=np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        lengths = np.diff(c.indptr)
        data = (1.0 + np.log(c.data)) * idf[c.indices]
        owner = np.repeat(np.arange(n), lengths)
        norms = np.sqrt(np.bincount(owner, weights=data**2, minlength=n))
        norms[norms == 0] = 1.0
        data = data / np.repeat(norms, lengths)
        self._x = sp.csr_matrix((data, c.indices, c.indptr), shape=(n, len(self._terms)))
        return self._x

    def _indicator(self, issue_ids: Sequence[str], only: set[str] | None = None) -> sp.csr_matrix:
        """Issue x item membership matrix (one row per issue in ``issue_ids``)."""
        rows: list[int] = []
        cols: list[int] = []
        for k, iid in enumerate(issue_ids):
            members = self._members[iid]
            if only is not None:
                members = {r for r in members if self._ids[r] in only}
            rows.extend([k] * len(members))
            cols.extend(members)
        return sp.csr_matrix(
            (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
            shape=(len(issue_ids), len(self._ids)),
        )

    def _issue_sums(self, issue_ids: Sequence[str]) -> tuple[sp.csr_matrix, FloatArray]:
        """Sum of member vectors per issue (sparse) and member counts."""
        x = self._matrix()
        sizes = np.fromiter(
            (len(self._members[i]) for i in issue_ids), dtype=np.float64, count=len(issue_ids)
        )
        return sp.csr_matrix(self._indicator(issue_ids) @ x), sizes

    # ------------------------------------------------------------------ batches

    def add_batch(self, docs: Sequence[tuple[str, Sequence[str]]]) -> BatchResult:
        """Add items; each joins an issue, founds one with its neighbours, or waits.

        Args:
            docs: ``(item_id, tokens)`` pairs. Ids seen before are skipped, so that
                re-running an import after a crash does not duplicate items.

        Returns:
            What changed, for the caller to persist and display.
        """
        skipped: list[str] = []
        new_rows: list[int] = []
        for item_id, tokens in docs:
            if item_id in self._row:
                skipped.append(item_id)
                continue
            self._add_doc(item_id, tokens)
            new_rows.append(self._row[item_id])
        new_set = set(new_rows)
        old_outliers = [r for r, iid in enumerate(self._issue_of) if iid is None and r not in new_set]
        keep = max(0, self.params.max_pool - len(new_rows))
        pool = (old_outliers[-keep:] if keep else []) + new_rows
        before = set(self._members)
        joined = self._assign_to_issues(pool)
        rest = [r for r in pool if self._issue_of[r] is None]
        created_ids = self._group_pool(rest)
        self._enforce_must_links()
        merged: dict[str, str] = {}
        if self.params.consolidate_each_batch:
            merged = self.consolidate()
        created = {
            iid: [self._ids[r] for r in sorted(self._members[iid])]
            for iid in created_ids
            if iid in self._members
        }
        joined_out: dict[str, str] = {}
        for r in joined:
            iid = self._issue_of[r]
            if iid is not None and iid in before:
                joined_out[self._ids[r]] = iid
        for r in pool:
            iid = self._issue_of[r]
            if iid is not None and iid in before and self._ids[r] not in joined_out:
                joined_out[self._ids[r]] = iid
        unclustered = [self._ids[r] for r in pool if self._issue_of[r] is None]
        return BatchResult(joined_out, created, unclustered, merged, skipped)

    def _cannot_partners(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for a, b in self._cannot:
            ra, rb = self._row.get(a), self._row.get(b)
            if ra is None or rb is None:
                continue
            out.setdefault(ra, []).append(rb)
            out.setdefault(rb, []).append(ra)
        return out

    def _assign_to_issues(self, pool: list[int]) -> list[int]:
        """Join pool items to their best existing issue above ``assign_threshold``."""
        if not pool or not self._members:
            return []
        issue_ids = list(self._members)
        sums, sizes = self._issue_sums(issue_ids)
        sums_t = _rhs(sums.T)
        x = self._matrix()
        index = {iid: k for k, iid in enumerate(issue_ids)}
        partners = self._cannot_partners()
        thr = self.params.assign_threshold
        joined: list[int] = []
        chunk = 2048
        for start in range(0, len(pool), chunk):
            rows = pool[start : start + chunk]
            sims = _dense(x[rows] @ sums_t) / sizes[None, :]
            for i, r in enumerate(rows):
                for other in partners.get(r, ()):
                    oi = self._issue_of[other]
                    if oi is not None:
                        sims[i, index[oi]] = -1.0
            best = sims.argmax(axis=1)
            for i, r in enumerate(rows):
                k = int(best[i])
                if sims[i, k] >= thr:
                    self._set_issue(r, issue_ids[k])
                    joined.append(r)
        return joined

    def _group_pool(self, rest: list[int]) -> list[str]:
        """Average-linkage grouping of leftover items; groups of ``min_size`` become issues."""
        if len(rest) < 2:
            return []
        x = self._matrix()[rest]
        thr = self.params.group_threshold
        edges_r: list[IntArray] = []
        edges_c: list[IntArray] = []
        chunk = 2048
        for start in range(0, len(rest), chunk):
            block = sp.coo_matrix(x[start : start + chunk] @ x.T)
            ok = block.data >= thr
            edges_r.append(block.row[ok].astype(np.int64) + start)
            edges_c.append(block.col[ok].astype(np.int64))
        r_all = np.concatenate(edges_r)
        c_all = np.concatenate(edges_c)
        graph = sp.csr_matrix((np.ones(len(r_all)), (r_all, c_all)), shape=(len(rest), len(rest)))
        _, comp = connected_components(graph, directed=False)
        by_comp: dict[int, list[int]] = {}
        for i, c in enumerate(comp.tolist()):
            by_comp.setdefault(c, []).append(i)
        partners = self._cannot_partners()
        created: list[str] = []
        for members in by_comp.values():
            if len(members) < max(2, self.params.min_size):
                continue
            for group in self._average_link(x, members, thr):
                rows = [rest[i] for i in group]
                rows = self._drop_cannot(rows, partners)
                if len(rows) >= self.params.min_size and len(rows) >= 1:
                    iid = self._new_issue()
                    for r in rows:
                        self._set_issue(r, iid)
                    created.append(iid)
        return created

    @staticmethod
    def _average_link(x: sp.csr_matrix, members: list[int], thr: float) -> list[list[int]]:
        if len(members) == 2:
            return [members]
        dense = (x[members] @ x[members].T).toarray()
        dist = np.clip(1.0 - dense, 0.0, 2.0)
        np.fill_diagonal(dist, 0.0)
        iu = np.triu_indices(len(members), k=1)
        z = linkage(dist[iu], method="average")
        labels = fcluster(z, t=1.0 - thr, criterion="distance")
        groups: dict[int, list[int]] = {}
        for m, lab in zip(members, labels.tolist(), strict=True):
            groups.setdefault(lab, []).append(m)
        return list(groups.values())

    @staticmethod
    def _drop_cannot(rows: list[int], partners: dict[int, list[int]]) -> list[int]:
        """Keep the earliest of every cannot-linked pair inside a candidate group."""
        if not partners:
            return rows
        kept: list[int] = []
        kept_set: set[int] = set()
        for r in sorted(rows):
            if any(p in kept_set for p in partners.get(r, ())):
                continue
            kept.append(r)
            kept_set.add(r)
        return kept

    def _new_issue(self) -> str:
        iid = f"issue-{self._next_issue:06d}"
        self._created[iid] = self._next_issue
        self._next_issue += 1
        self._members[iid] = set()
        return iid

    def _set_issue(self, row: int, iid: str | None) -> None:
        old = self._issue_of[row]
        if old is not None:
            self._members[old].discard(row)
        self._issue_of[row] = iid
        if iid is not None:
            self._members[iid].add(row)

    # ------------------------------------------------------------------ consolidation

    def _blocked(self, a: str, b: str) -> bool:
        """True when editor constraints forbid issues a and b becoming one."""
        if _pair(a, b) in self._cannot_issue:
            return True
        ma, mb = self._members[a], self._members[b]
        for x_id, y_id in self._cannot:
            rx, ry = self._row.get(x_id), self._row.get(y_id)
            if rx is None or ry is None:
                continue
            if (rx in ma and ry in mb) or (rx in mb and ry in ma):
                return True
        return False

    def _absorb(self, keep: str, gone: str) -> None:
        for r in list(self._members[gone]):
            self._issue_of[r] = keep
        self._members[keep] |= self._members.pop(gone)
        self._merged_into[gone] = keep
        remapped = set()
        for a, b in self._cannot_issue:
            a2 = keep if a == gone else a
            b2 = keep if b == gone else b
            if a2 != b2:
                remapped.add(_pair(a2, b2))
        self._cannot_issue = remapped

    def _survivor(self, a: str, b: str) -> tuple[str, str]:
        """The larger issue keeps its id; on a tie the older one does."""
        ka = (-len(self._members[a]), self._created[a])
        kb = (-len(self._members[b]), self._created[b])
        return (a, b) if ka <= kb else (b, a)

    def consolidate(self) -> dict[str, str]:
        """Merge issues that turned out to be one story, then refine item placement.

        Returns:
            Issue ids merged away -> the id that absorbed them.
        """
        merged = self._merge_pass()
        if self.params.refine_iterations > 0 or self.params.story_iterations > 0:
            for _ in range(self.params.refine_iterations):
                if not self._refine():
                    break
            for _ in range(self.params.story_iterations):
                if not self._story_refine():
                    break
            more = self._merge_pass()
            for old, new in list(merged.items()):
                merged[old] = more.get(new, new)
            merged.update(more)
        return merged

    def _movable_rows(self) -> list[int]:
        return [
            r for r, iid in enumerate(self._issue_of) if iid is not None and self._ids[r] not in self._fixed
        ]

    def _move(
        self,
        ids: list[str],
        part: list[int],
        best: IntArray,
        candidates: IntArray,
        partners: dict[int, list[int]],
        dest: dict[str, dict[str, int]],
    ) -> int:
        """Move ``part[i]`` to ``ids[best[i]]`` for each candidate ``i`` the rules allow.

        An item never leaves an issue it is the last member of, and never joins an
        issue holding a cannot-linked partner.
        """
        moved = 0
        for i in candidates.tolist():
            r = part[i]
            cur = self._issue_of[r]
            target = ids[int(best[i])]
            if cur is None or cur == target or len(self._members[cur]) <= 1:
                continue
            if any(self._issue_of[p] == target for p in partners.get(r, ())):
                continue
            counts = dest.setdefault(cur, {})
            counts[target] = counts.get(target, 0) + 1
            self._set_issue(r, target)
            moved += 1
        return moved

    def _drop_emptied(self, ids: list[str], dest: dict[str, dict[str, int]]) -> None:
        """Forget issues emptied by moves; each resolves to the issue that took most of its items."""
        for iid in ids:
            if iid in self._members and not self._members[iid]:
                del self._members[iid]
                targets = dest.get(iid, {})
                if targets:
                    self._merged_into[iid] = max(targets, key=lambda t: targets[t])

    def _refine(self) -> int:
        """Move clustered items to the issue whose centroid suits them best.

        Only items without editor decisions move, and never into an issue holding
        a cannot-linked partner; an issue emptied this way is recorded as merged
        into the issue that took most of its items, so its id still resolves.

        Returns:
            The number of items moved.
        """
        ids = list(self._members)
        if len(ids) < 2:
            return 0
        sums, _ = self._issue_sums(ids)
        norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        cent_t = _rhs(sp.csr_matrix(sp.diags(1.0 / norms) @ sums).T)
        index = {iid: k for k, iid in enumerate(ids)}
        x = self._matrix()
        rows = self._movable_rows()
        partners = self._cannot_partners()
        moved = 0
        dest: dict[str, dict[str, int]] = {}
        chunk = 2048
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            own = np.fromiter((index[str(self._issue_of[r])] for r in part), dtype=np.int64, count=len(part))
            sims = _dense(x[part] @ cent_t)
            best = sims.argmax(axis=1)
            at = np.arange(len(part))
            candidates = np.flatnonzero((best != own) & (sims[at, best] > sims[at, own] + 1e-9))
            moved += self._move(ids, part, best, candidates, partners, dest)
        self._drop_emptied(ids, dest)
        return moved

    def _story_refine(self) -> int:
        """Move items to the issue whose story model explains them best (see the module doc).

        Scores are computed for all issues at once with sparse products: the part
        of ``log(1 + r * p_z(w) / p_bg(w))`` that depends on the issue having seen
        the term is sparse in (issue, term); the part for unseen terms depends on
        the term only through its corpus count, so it is computed per distinct
        count (exactly while it is not small, to first order once it is).
        An item's own issue is scored without the item, as in Gibbs sampling.

        Returns:
            The number of items moved.
        """
        ids = list(self._members)
        if len(ids) < 2:
            return 0
        p = self.params
        beta = p.story_beta
        ratio = (1.0 - p.story_background) / p.story_background
        c = self._counts()
        ind = self._indicator(ids)
        nzw = sp.csr_matrix(ind @ c)
        nzw.sum_duplicates()
        n_z = np.asarray(nzw.sum(axis=1)).ravel()
        m_z = np.asarray(ind.sum(axis=1)).ravel()
        tot = np.asarray(c.sum(axis=0)).ravel()
        vb = float(np.count_nonzero(tot)) * beta
        inv_bg = (tot.sum() + vb) / (tot + beta)  # 1 / p_bg(w)
        a_z = ratio / (n_z + vb)
        # Seen terms: the score minus the unseen-term score, sparse in (term, issue).
        coo = nzw.tocoo()
        seen = np.log1p(a_z[coo.row] * inv_bg[coo.col] * (coo.data + beta))
        seen -= np.log1p(a_z[coo.row] * inv_bg[coo.col] * beta)
        delta_t = _rhs(sp.csr_matrix((seen, (coo.col, coo.row)), shape=(c.shape[1], len(ids))))
        keys = coo.row.astype(np.int64) * c.shape[1] + coo.col
        order = np.argsort(keys)
        keys, key_counts = keys[order], coo.data[order]
        # Unseen terms: log1p(a_z * beta / p_bg(w)), by distinct corpus count.
        eps = a_z.max() * beta * inv_bg
        exact = eps >= 0.05
        values, cls = np.unique(tot[exact], return_inverse=True)
        cols = np.flatnonzero(exact)
        per_class = sp.csr_matrix((np.ones(len(cols)), (cols, cls)), shape=(c.shape[1], max(1, len(values))))
        class_score = np.log1p(a_z[None, :] * beta * ((tot.sum() + vb) / (values[:, None] + beta)))
        if not len(values):
            class_score = np.zeros((1, len(ids)))
        linear_w = np.where(exact, 0.0, inv_bg)
        prior = np.log(m_z + p.story_alpha)
        lengths = np.asarray(c.sum(axis=1)).ravel()
        index = {iid: k for k, iid in enumerate(ids)}
        rows = self._movable_rows()
        partners = self._cannot_partners()
        moved = 0
        dest: dict[str, dict[str, int]] = {}
        chunk = 2048
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            own = np.fromiter((index[str(self._issue_of[r])] for r in part), dtype=np.int64, count=len(part))
            cp = c[part]
            sims = _dense(cp @ delta_t)
            sims += np.asarray((cp @ per_class) @ class_score)
            sims += np.outer(cp @ linear_w, a_z * beta)
            sims += prior[None, :]
            # The own issue without the item.
            cpc = cp.tocoo()
            want = own[cpc.row] * c.shape[1] + cpc.col
            pos = np.minimum(np.searchsorted(keys, want), max(0, len(keys) - 1))
            in_issue = np.where(keys[pos] == want, key_counts[pos], 0.0) if len(keys) else np.zeros(len(want))
            rest = np.maximum(in_issue - cpc.data, 0.0)
            part_len = lengths[part]
            a_own = ratio / (np.maximum(n_z[own] - part_len, 0.0) + vb)
            own_score = np.bincount(
                cpc.row,
                weights=cpc.data * np.log1p(a_own[cpc.row] * inv_bg[cpc.col] * (rest + beta)),
                minlength=len(part),
            )
            own_score += np.log(np.maximum(m_z[own] - 1.0, 0.0) + p.story_alpha)
            at = np.arange(len(part))
            sims[at, own] = own_score
            best = sims.argmax(axis=1)
            gain = sims[at, best] - own_score
            candidates = np.flatnonzero((best != own) & (gain > p.story_min_gain * part_len))
            moved += self._move(ids, part, best, candidates, partners, dest)
        self._drop_emptied(ids, dest)
        return moved

    def _merge_pass(self) -> dict[str, str]:
        """Merge issues that turned out to be one story.

        Greedy average-linkage between issues, best pair first, until no pair left
        reaches ``merge_threshold``. Pair similarities are linear in the member
        sums, so after a merge the new row is the sum of the two old rows and the
        pass never recomputes vectors.

        Returns:
            Issue ids merged away -> the id that absorbed them.
        """
        ids = list(self._members)
        if len(ids) < 2:
            return {}
        sums, sizes = self._issue_sums(ids)
        dots = (sums @ sums.T).toarray()
        thr = self.params.merge_threshold
        alive = [True] * len(ids)
        version = [0] * len(ids)
        heap: list[tuple[float, int, int, int, int]] = []
        norm = dots / np.outer(sizes, sizes)
        cand_i, cand_j = np.nonzero(np.triu(norm >= thr, k=1))
        for i, j in zip(cand_i.tolist(), cand_j.tolist(), strict=True):
            heapq.heappush(heap, (-float(norm[i, j]), i, j, 0, 0))
        merged: dict[str, str] = {}
        while heap:
            _, i, j, vi, vj = heapq.heappop(heap)
            if not (alive[i] and alive[j]) or version[i] != vi or version[j] != vj:
                continue
            if self._blocked(ids[i], ids[j]):
                continue
            keep_id, gone_id = self._survivor(ids[i], ids[j])
            k, g = (i, j) if keep_id == ids[i] else (j, i)
            self._absorb(keep_id, gone_id)
            for old, new in list(merged.items()):
                if new == gone_id:
                    merged[old] = keep_id
            merged[gone_id] = keep_id
            alive[g] = False
            dots[k, :] += dots[g, :]
            dots[:, k] += dots[:, g]
            sizes[k] += sizes[g]
            version[k] += 1
            row = dots[k] / (sizes[k] * sizes)
            for m in np.nonzero(row >= thr)[0].tolist():
                if m != k and alive[m]:
                    a, b = (k, m) if k < m else (m, k)
                    heapq.heappush(heap, (-float(row[m]), a, b, version[a], version[b]))
        return merged

    # ------------------------------------------------------------------ editor actions

    def _live(self, issue_id: str) -> str:
        iid = self.resolve(issue_id)
        if iid not in self._members:
            raise ConstraintError(f"There is no issue {issue_id!r}; it may have been deleted.")
        return iid

    def merge(self, a: str, b: str) -> str:
        """Editor merge: one story from now on; cannot-links across the two are dropped.

        Returns:
            The id that survives (the larger issue, or the older one on a tie).
        """
        ia, ib = self._live(a), self._live(b)
        if ia == ib:
            return ia
        keep, gone = self._survivor(ia, ib)
        ma, mb = self._members[ia], self._members[ib]
        self._fixed |= {self._ids[r] for r in ma | mb}
        self._cannot_issue.discard(_pair(ia, ib))
        crossing = set()
        for x_id, y_id in self._cannot:
            rx, ry = self._row.get(x_id), self._row.get(y_id)
            if rx is not None and ry is not None and ((rx in ma and ry in mb) or (rx in mb and ry in ma)):
                crossing.add((x_id, y_id))
        self._cannot -= crossing
        self._absorb(keep, gone)
        return keep

    def split(self, issue_id: str, item_ids: Iterable[str]) -> str:
        """Editor split: move items to a new issue that consolidation never re-merges.

        Returns:
            The id of the new issue.
        """
        iid = self._live(issue_id)
        rows = []
        for item in item_ids:
            r = self._row.get(item)
            if r is None or self._issue_of[r] != iid:
                raise ConstraintError(f"Item {item!r} is not in issue {issue_id!r}.")
            rows.append(r)
        if not rows:
            raise ConstraintError("Choose at least one item to split off.")
        if len(rows) == len(self._members[iid]):
            raise ConstraintError("Splitting off every item would leave an empty issue.")
        self._fixed |= {self._ids[r] for r in self._members[iid]}
        new = self._new_issue()
        for r in rows:
            self._set_issue(r, new)
        moved = {self._ids[r] for r in rows}
        self._must = {p for p in self._must if (p[0] in moved) == (p[1] in moved)}
        self._cannot_issue.add(_pair(iid, new))
        return new

    def must_link(self, a: str, b: str) -> None:
        """Two items tell the same story; applied now and after every batch."""
        if a == b:
            return
        self._cannot.discard(_pair(a, b))
        self._must.add(_pair(a, b))
        self._fixed |= {a, b}
        self._enforce_must_links()

    def cannot_link(self, a: str, b: str) -> None:
        """Two items tell different stories; if they share an issue now, ``b`` leaves it."""
        if a == b:
            raise ConstraintError("An item cannot be kept apart from itself.")
        self._must.discard(_pair(a, b))
        self._cannot.add(_pair(a, b))
        self._fixed |= {a, b}
        ra, rb = self._row.get(a), self._row.get(b)
        if ra is not None and rb is not None:
            ia = self._issue_of[ra]
            if ia is not None and ia == self._issue_of[rb]:
                self._set_issue(rb, None)
                if not self._members[ia]:
                    del self._members[ia]

    def _enforce_must_links(self) -> None:
        for a, b in sorted(self._must):
            ra, rb = self._row.get(a), self._row.get(b)
            if ra is None or rb is None:
                continue
            ia, ib = self._issue_of[ra], self._issue_of[rb]
            if ia is not None and ib is not None:
                if ia != ib and not self._blocked(ia, ib):
                    keep, gone = self._survivor(ia, ib)
                    self._absorb(keep, gone)
            elif ia is not None:
                self._set_issue(rb, ia)
            elif ib is not None:
                self._set_issue(ra, ib)
            else:
                iid = self._new_issue()
                self._set_issue(ra, iid)
                self._set_issue(rb, iid)

    # ------------------------------------------------------------------ state

    def to_state(self) -> dict[str, Any]:
        """A JSON-ready snapshot: items' term counts, issues, history and constraints."""
        return {
            "version": STATE_VERSION,
            "params": self.params.to_dict(),
            "items": [
                {
                    "id": item_id,
                    "terms": {self._terms[int(c)]: int(n) for c, n in zip(cols, cnts, strict=True)},
                    "issue": iss,
                }
                for item_id, cols, cnts, iss in zip(
                    self._ids, self._doc_terms, self._doc_counts, self._issue_of, strict=True
                )
            ],
            "issues": [{"id": iid, "seq": self._created[iid]} for iid in self._members],
            "next_issue": self._next_issue,
            "merged_into": dict(self._merged_into),
            "must_link": [list(p) for p in sorted(self._must)],
            "cannot_link": [list(p) for p in sorted(self._cannot)],
            "cannot_merge": [list(p) for p in sorted(self._cannot_issue)],
            "fixed": sorted(self._fixed),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], params: ClusterParams | None = None) -> StoryClusterer:
        """Rebuild a clusterer from ``to_state()``; ``params`` overrides the stored ones."""
        if state.get("version") != STATE_VERSION:
            raise ConstraintError(f"Unsupported clustering state version {state.get('version')!r}.")
        members: dict[str, list[str]] = {entry["id"]: [] for entry in state["issues"]}
        for entry in state["items"]:
            if entry["issue"] is not None:
                members.setdefault(entry["issue"], []).append(entry["id"])
        seqs = {entry["id"]: int(entry["seq"]) for entry in state["issues"]}
        return cls.from_parts(
            params or ClusterParams.from_dict(state.get("params", {})),
            items=((entry["id"], entry["terms"]) for entry in state["items"]),
            issues={iid: (seqs.get(iid, 0), ids) for iid, ids in members.items()},
            next_issue=int(state["next_issue"]),
            merged_into=state["merged_into"],
            rules=state,
        )

    @classmethod
    def from_parts(
        cls,
        params: ClusterParams,
        *,
        items: Iterable[tuple[str, dict[str, int]]],
        issues: dict[str, tuple[int, list[str]]],
        next_issue: int,
        merged_into: dict[str, str],
        rules: dict[str, Any],
    ) -> StoryClusterer:
        """Rebuild a clusterer from its parts, as stored one document per issue.

        Args:
            params: the thresholds.
            items: ``(item_id, term counts)`` in arrival order.
            issues: live issue id -> ``(creation number, member item ids)``; members
                must be among ``items``.
            next_issue: the number of the next new issue.
            merged_into: issue ids merged away -> the id that absorbed them.
            rules: the editor's constraints as returned by :meth:`rules`
                (missing keys mean none).
        """
        self = cls(params)
        for item_id, terms in items:
            self._add_counts(item_id, terms)
        for iid, (seq, ids) in issues.items():
            self._members[iid] = set()
            self._created[iid] = int(seq)
            for item_id in ids:
                r = self._row.get(item_id)
                if r is not None:
                    self._set_issue(r, iid)
        self._next_issue = int(next_issue)
        self._merged_into = dict(merged_into)
        self._must = {_pair(a, b) for a, b in rules.get("must_link", [])}
        self._cannot = {_pair(a, b) for a, b in rules.get("cannot_link", [])}
        self._cannot_issue = {_pair(a, b) for a, b in rules.get("cannot_merge", [])}
        self._fixed = set(rules.get("fixed", []))
        return self
