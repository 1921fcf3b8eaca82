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
    """

    assign_threshold: float = 0.04
    group_threshold: float = 0.06
    merge_threshold: float = 0.05
    min_size: int = 2
    consolidate_each_batch: bool = True
    max_pool: int = 50_000
    refine_iterations: int = 5

    def to_dict(self) -> dict[str, Any]:
        return {
            "assign_threshold": self.assign_threshold,
            "group_threshold": self.group_threshold,
            "merge_threshold": self.merge_threshold,
            "min_size": self.min_size,
            "consolidate_each_batch": self.consolidate_each_batch,
            "max_pool": self.max_pool,
            "refine_iterations": self.refine_iterations,
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

    # ------------------------------------------------------------------ vectors

    def _add_doc(self, item_id: str, tokens: Sequence[str]) -> None:
        counts: dict[int, int] = {}
        for tok in tokens:
            if not tok:
                continue
            col = self._vocab.get(tok)
            if col is None:
                col = len(self._terms)
                self._vocab[tok] = col
                self._terms.append(tok)
                self._df.append(0)
            counts[col] = counts.get(col, 0) + 1
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

    def _matrix(self) -> sp.csr_matrix:
        """TF-IDF of every item under the current IDF, rows L2-normalised."""
        if self._x is not None:
            return self._x
        n = len(self._ids)
        df = np.asarray(self._df, dtype=np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        lengths = np.fromiter((len(c) for c in self._doc_terms), dtype=np.int64, count=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        if n and indptr[-1]:
            indices = np.concatenate(self._doc_terms)
            counts = np.concatenate(self._doc_counts)
        else:
            indices = np.zeros(0, dtype=np.int32)
            counts = np.zeros(0, dtype=np.float64)
        data = (1.0 + np.log(counts)) * idf[indices]
        owner = np.repeat(np.arange(n), lengths)
        norms = np.sqrt(np.bincount(owner, weights=data**2, minlength=n))
        norms[norms == 0] = 1.0
        data = data / np.repeat(norms, lengths)
        self._x = sp.csr_matrix((data, indices, indptr), shape=(n, len(self._terms)))
        return self._x

    def _issue_sums(self, issue_ids: Sequence[str]) -> tuple[sp.csr_matrix, FloatArray]:
        """Sum of member vectors per issue (sparse) and member counts."""
        x = self._matrix()
        rows: list[int] = []
        cols: list[int] = []
        sizes = np.zeros(len(issue_ids), dtype=np.float64)
        for k, iid in enumerate(issue_ids):
            members = self._members[iid]
            rows.extend([k] * len(members))
            cols.extend(members)
            sizes[k] = len(members)
        ind = sp.csr_matrix(
            (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
            shape=(len(issue_ids), x.shape[0]),
        )
        return sp.csr_matrix(ind @ x), sizes

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
        x = self._matrix()
        index = {iid: k for k, iid in enumerate(issue_ids)}
        partners = self._cannot_partners()
        thr = self.params.assign_threshold
        joined: list[int] = []
        chunk = 2048
        for start in range(0, len(pool), chunk):
            rows = pool[start : start + chunk]
            sims = (x[rows] @ sums.T).toarray() / sizes[None, :]
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
        if self.params.refine_iterations > 0:
            for _ in range(self.params.refine_iterations):
                if not self._refine():
                    break
            more = self._merge_pass()
            for old, new in list(merged.items()):
                merged[old] = more.get(new, new)
            merged.update(more)
        return merged

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
        cent = sp.csr_matrix(sp.diags(1.0 / norms) @ sums)
        index = {iid: k for k, iid in enumerate(ids)}
        x = self._matrix()
        rows = [
            r for r, iid in enumerate(self._issue_of) if iid is not None and self._ids[r] not in self._fixed
        ]
        partners = self._cannot_partners()
        moved = 0
        dest: dict[str, dict[str, int]] = {}
        chunk = 2048
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            sims = (x[part] @ cent.T).toarray()
            best = sims.argmax(axis=1)
            for i, r in enumerate(part):
                cur = self._issue_of[r]
                assert cur is not None
                k = int(best[i])
                if ids[k] == cur or sims[i, k] <= sims[i, index[cur]] + 1e-9:
                    continue
                if len(self._members[cur]) <= 1:
                    continue
                if any(self._issue_of[p] == ids[k] for p in partners.get(r, ())):
                    continue
                dest.setdefault(cur, {})
                dest[cur][ids[k]] = dest[cur].get(ids[k], 0) + 1
                self._set_issue(r, ids[k])
                moved += 1
        for iid in ids:
            if iid in self._members and not self._members[iid]:
                del self._members[iid]
                targets = dest.get(iid, {})
                if targets:
                    self._merged_into[iid] = max(targets, key=lambda t: targets[t])
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
        self = cls(params or ClusterParams.from_dict(state.get("params", {})))
        for entry in state["issues"]:
            self._members[entry["id"]] = set()
            self._created[entry["id"]] = int(entry["seq"])
        self._next_issue = int(state["next_issue"])
        for entry in state["items"]:
            tokens = [t for t, n in entry["terms"].items() for _ in range(int(n))]
            self._add_doc(entry["id"], tokens)
            if entry["issue"] is not None:
                self._set_issue(self._row[entry["id"]], entry["issue"])
        self._merged_into = dict(state["merged_into"])
        self._must = {_pair(a, b) for a, b in state["must_link"]}
        self._cannot = {_pair(a, b) for a, b in state["cannot_link"]}
        self._cannot_issue = {_pair(a, b) for a, b in state["cannot_merge"]}
        self._fixed = set(state.get("fixed", []))
        return self
