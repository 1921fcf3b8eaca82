"""Sentiment of short social texts with VADER's compound score.

VADER is tuned for social media (emoji, capitals, "!!!", negation such as
"not good", slang), needs no model download and scores a tweet in tens of
microseconds, which suits ranking many mentions on a workstation better than
a transformer. Its lexicon is read from disk when an analyzer is built, so
one analyzer is shared per process; scoring only reads that lexicon, so the
shared analyzer is safe to call from several worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = ["sentiment", "sentiments"]

_analyzer: SentimentIntensityAnalyzer | None = None
_lock = threading.Lock()


def _get_analyzer() -> SentimentIntensityAnalyzer:
    global _analyzer
    analyzer = _analyzer
    if analyzer is None:
        with _lock:
            if _analyzer is None:
                _analyzer = SentimentIntensityAnalyzer()
            analyzer = _analyzer
    return analyzer


def sentiment(text: str) -> float:
    """Score one text from -1 (very negative) to 1 (very positive); about 0 is neutral.

    VADER's own guidance treats compound >= 0.05 as positive and <= -0.05 as
    negative; callers should use a similar dead band rather than the sign alone.
    """
    if not text or not text.strip():
        return 0.0
    score = float(_get_analyzer().polarity_scores(text)["compound"])
    return max(-1.0, min(1.0, score))


def sentiments(texts: Iterable[str]) -> list[float]:
    """Score many texts (same scale as :func:`sentiment`)."""
    return [sentiment(text) for text in texts]
