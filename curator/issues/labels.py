"""Issue labels: the few terms that set an issue apart from every other issue.

Labels use class-based TF-IDF (c-TF-IDF, as in BERTopic): all items of an issue are
one "class document"; a term scores ``tf(term, issue) * log(1 + A / f(term))`` where
``A`` is the mean number of tokens per issue and ``f`` the term's frequency over all
issues. A word every issue uses ("customer", "app") scores low even when it is
frequent in the issue, which is exactly what a per-item TF-IDF gets wrong on short
texts. Multi-word phrases (noun chunks, tokens containing a space or ``_``) get a
bonus, because "late delivery" tells an editor more than "late" and "delivery".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

PHRASE_BONUS = 1.5
"""Multiplier on a phrase's score; high enough to win ties, too low to promote a rare phrase."""


@dataclass(frozen=True)
class Label:
    """A short human label and the keyphrases behind it, best first."""

    text: str
    keyphrases: tuple[str, ...]


def _is_phrase(term: str) -> bool:
    return " " in term.strip() or "_" in term.strip("_")


def label_issues(issue_tokens: dict[str, list[list[str]]], top: int = 3) -> dict[str, Label]:
    """Label every issue with its most distinctive terms.

    Args:
        issue_tokens: issue id -> the token lists of its items (lemmas and phrases).
        top: how many keyphrases make the label text.

    Returns:
        Issue id -> label. Words already covered by a chosen phrase are skipped, so
        the label does not repeat itself ("late delivery, delivery").
    """
    tf: dict[str, Counter[str]] = {
        iid: Counter(t for doc in docs for t in doc if t) for iid, docs in issue_tokens.items()
    }
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for k, counts in enumerate(tf.values()):
        for term, n in counts.items():
            rows.append(k)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(float(n))
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(tf), len(vocab)))
    return label_counts(list(tf), matrix, list(vocab), top=top)


def label_counts(
    issue_ids: Sequence[str], counts: sp.csr_matrix, terms: Sequence[str], top: int = 3
) -> dict[str, Label]:
    """:func:`label_issues` on summed term counts (issue x term, rows follow ``issue_ids``).

    This is what the analysis service calls: the clusterer already holds every
    item's term counts, so labels need no item reads.
    """
    counts = sp.csr_matrix(counts, dtype=np.float64)
    total = np.asarray(counts.sum(axis=0)).ravel()
    n_issues = max(1, len(issue_ids))
    avg_len = float(total.sum()) / n_issues
    bonus = np.fromiter(
        (PHRASE_BONUS if _is_phrase(t) else 1.0 for t in terms), dtype=np.float64, count=len(terms)
    )
    labels: dict[str, Label] = {}
    for k, iid in enumerate(issue_ids):
        start, end = counts.indptr[k], counts.indptr[k + 1]
        cols = counts.indices[start:end]
        n = counts.data[start:end]
        keep = n > 0
        cols, n = cols[keep], n[keep]
        size = float(n.sum()) or 1.0
        scores = (n / size) * np.log1p(avg_len / total[cols]) * bonus[cols]
        labels[iid] = _choose(scores, [terms[int(c)] for c in cols], top)
    return labels


def _choose(scores: np.ndarray, names: list[str], top: int) -> Label:
    scored = sorted(zip((-scores).tolist(), names, strict=True))
    chosen: list[str] = []
    covered: set[str] = set()
    for _, term in scored:
        words = set(term.replace("_", " ").split())
        if term in covered or (not _is_phrase(term) and words <= covered):
            continue
        chosen.append(term.replace("_", " "))
        covered |= words
        covered.add(term)
        if len(chosen) == top:
            break
    return Label(", ".join(chosen), tuple(chosen))


def representative(docs: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The item closest to the issue's centroid: the one post to show for the issue.

    Uses the issue's own term frequencies (normalised counts), so it needs no
    corpus statistics and is cheap to call per issue.

    Args:
        docs: ``(item_id, tokens)`` of the issue's items.

    Returns:
        The id of the most central item, or None for an empty issue.
    """
    return representative_counts([(item_id, Counter(t for t in tokens if t)) for item_id, tokens in docs])


def representative_counts(docs: Sequence[tuple[str, Mapping[str, int]]]) -> str | None:
    """:func:`representative` on each item's term counts."""
    vectors: list[tuple[str, dict[str, float]]] = []
    centroid: dict[str, float] = {}
    for item_id, counts in docs:
        norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
        vec = {t: v / norm for t, v in counts.items()}
        vectors.append((item_id, vec))
        for t, v in vec.items():
            centroid[t] = centroid.get(t, 0.0) + v
    best: str | None = None
    best_score = -1.0
    for item_id, vec in vectors:
        score = sum(v * centroid.get(t, 0.0) for t, v in vec.items())
        if score > best_score:
            best, best_score = item_id, score
    return best
