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
from collections.abc import Sequence
from dataclasses import dataclass

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
    total: Counter[str] = Counter()
    for counts in tf.values():
        total.update(counts)
    n_issues = max(1, len(tf))
    avg_len = sum(total.values()) / n_issues
    labels: dict[str, Label] = {}
    for iid, counts in tf.items():
        size = sum(counts.values()) or 1
        scored = []
        for term, n in counts.items():
            score = (n / size) * math.log(1.0 + avg_len / total[term])
            if _is_phrase(term):
                score *= PHRASE_BONUS
            scored.append((score, term))
        scored.sort(key=lambda st: (-st[0], st[1]))
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
        labels[iid] = Label(", ".join(chosen), tuple(chosen))
    return labels


def representative(docs: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The item closest to the issue's centroid: the one post to show for the issue.

    Uses the issue's own term frequencies (normalised counts), so it needs no
    corpus statistics and is cheap to call per issue.

    Args:
        docs: ``(item_id, tokens)`` of the issue's items.

    Returns:
        The id of the most central item, or None for an empty issue.
    """
    vectors: list[tuple[str, dict[str, float]]] = []
    centroid: dict[str, float] = {}
    for item_id, tokens in docs:
        counts = Counter(t for t in tokens if t)
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
