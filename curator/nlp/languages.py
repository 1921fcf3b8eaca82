"""Which language an item is written in, and that language's stop words, without a model.

Curator's pipeline is English, but feeds carry German, French, Spanish... posts.
Their function words ("der", "und", "nicht", "le", "pas") are not English stop
words, so without help they pass as content words and short posts that share
nothing but grammar end up in one hot issue. spaCy ships a stop-word list for
each language in ``spacy.lang.<code>.stop_words``, and those lists are all this
module needs:

* :func:`guess_language_words` scores every supported language by the stop words
  of the text. A stop word that several languages share ("a", "in", "de")
  counts ``1 / k`` for each of its ``k`` languages, so the words only one language
  uses decide. Running text is 30-50% stop words in each of these languages;
  a text of five words or more under ``MIN_STOP_SHARE`` is none of them (``""``),
  and it takes two of its stop words to call such a text German, French...
  Shorter texts are English unless another language has at least one word that
  is its own ("nicht", "pas", "muy"), because dropping words from a short
  English complaint costs more than keeping a few from a short foreign one.
* :func:`stop_words` gives a language's list, lower-case, with the elided forms
  ("l'", "d'", "qu'") that French and Italian glue to the next word.

The lists are read from the module files directly: importing ``spacy.lang.fr``
as a package builds the French tokenizer exceptions first, which takes seconds.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import spacy.lang

__all__ = [
    "LANGUAGES",
    "MIN_STOP_SHARE",
    "guess_language_words",
    "is_stop",
    "split_elision",
    "stop_words",
]

#: Languages told apart, English first (it wins ties).
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pt")

#: Below this share of stop words, a text of MIN_WORDS words or more is none of LANGUAGES.
MIN_STOP_SHARE = 0.1
#: Texts with fewer words are English unless another language shows a word of its own.
MIN_WORDS = 5
#: Letters of a text in a non-Latin script are mostly not ASCII.
MIN_ASCII_LETTER_SHARE = 0.5

_APOSTROPHES = ("'", "\u2019")

_lock = threading.Lock()
_lists: dict[str, frozenset[str]] = {}
_weights: dict[str, dict[str, float]] | None = None


def _load(lang: str) -> frozenset[str]:
    path = Path(next(iter(spacy.lang.__path__))) / lang / "stop_words.py"
    words: Iterable[str]
    spec = importlib.util.spec_from_file_location(f"_curator_stop_words_{lang}", path)
    if spec is not None and spec.loader is not None and path.is_file():
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        words = module.STOP_WORDS
    else:  # a differently packaged spaCy: the slow, documented import
        words = importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
    return frozenset(w.lower().replace("\u2019", "'") for w in words)


def stop_words(lang: str) -> frozenset[str]:
    """The stop words of ``lang`` (lower-case, straight apostrophes); empty for other codes."""
    if lang not in LANGUAGES:
        return frozenset()
    found = _lists.get(lang)
    if found is None:
        with _lock:
            found = _lists.get(lang)
            if found is None:
                found = _lists[lang] = _load(lang)
    return found


def _language_weights() -> dict[str, dict[str, float]]:
    """Stop word -> {language: 1 / number of languages listing it}."""
    global _weights
    if _weights is None:
        owners: dict[str, list[str]] = {}
        for lang in LANGUAGES:
            for word in stop_words(lang):
                owners.setdefault(word, []).append(lang)
        _weights = {w: {lang: 1.0 / len(langs) for lang in langs} for w, langs in owners.items()}
    return _weights


def split_elision(word: str) -> tuple[str, str]:
    """``"l'application"`` -> ``("l'", "application")``; ``("", word)`` without an apostrophe."""
    text = word.replace("\u2019", "'")
    head, sep, rest = text.partition("'")
    if not sep or not head or not rest:
        return "", text
    return head + "'", rest


def is_stop(word: str, lang: str) -> bool:
    """Whether ``word`` (any case) is a stop word of ``lang``."""
    return word.lower().replace("\u2019", "'") in stop_words(lang)


def guess_language_words(words: Sequence[str]) -> str:
    """The language of a text given as its words (see the module doc).

    Args:
        words: the text's words, any case; punctuation-only tokens should be left out.

    Returns:
        A code from :data:`LANGUAGES`, or ``""`` when the text is in none of them
        (a non-Latin script, or five words or more without their stop words).
    """
    letters = "".join(words)
    if len(letters) >= 10 and sum(c.isascii() for c in letters) / len(letters) < MIN_ASCII_LETTER_SHARE:
        return ""
    weights = _language_weights()
    score = dict.fromkeys(LANGUAGES, 0.0)
    hits = dict.fromkeys(LANGUAGES, 0)
    own = dict.fromkeys(LANGUAGES, False)
    n = 0
    for raw in words:
        word = raw.lower().replace("\u2019", "'")
        if not word:
            continue
        n += 1
        head, _ = split_elision(word)
        for form in {word, head} - {""}:
            for lang, w in weights.get(form, {}).items():
                score[lang] += w
                hits[lang] += 1
                own[lang] = own[lang] or w == 1.0
    if n == 0:
        return "en"
    best = max(LANGUAGES, key=lambda lang: (score[lang], lang == "en"))
    if n < MIN_WORDS:
        return best if best != "en" and own[best] and score[best] > score["en"] else "en"
    if hits[best] / n < MIN_STOP_SHARE:
        return ""
    if best != "en" and hits[best] < 2:  # one "die" does not make a German text
        return "en" if hits["en"] else ""
    return best
