"""Per-item language analysis: the features hot-issue grouping and triage work on.

Each item is analysed once and the result is stored with it
(:meth:`ItemAnalysis.to_doc`), so grouping can be re-run without spaCy.

Throughput decides how the pipeline is run. Measured on the 2-core build
machine for 10,000 short social texts with en_core_web_sm 3.8 (analysis plus
VADER, one process): about 310 texts/s with everything, 360 without the
parser, 700 without parser and NER (tokenizer, tagger, lemmas), 4,000 with
the blank tokenizer-only pipeline. The defaults keep noun chunks and
entities, which make hot issues readable; ``noun_chunks=False`` and
``entities=False`` switch them off for bulk re-analysis. Components are
switched off with ``nlp.pipe(disable=...)`` rather than ``select_pipes``,
because the pipeline object is shared between worker threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from curator.nlp.languages import guess_language_words, split_elision, stop_words
from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.sentiment import sentiment
from curator.progress import Progress

__all__ = [
    "ENTITY_LABELS",
    "ItemAnalysis",
    "analyse_doc",
    "analyse_texts",
    "extract_hashtags",
    "extract_mentions",
    "guess_language",
]

#: Entity types worth grouping issues by (dates, numbers and money are not).
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "PRODUCT", "EVENT", "LOC", "NORP", "FAC", "WORK_OF_ART"})

# A tag starts after a non-word character, so "a#b" and URL fragments are not tags;
# it must contain a letter, so "#12345" (an order number) is not one.
_HASHTAG = re.compile(r"(?<![\w&/#])#(\w*[^\W\d_]\w*)")
# A handle is not preceded by a word character, so e-mail addresses are not handles.
_MENTION = re.compile(r"(?<![\w@/.])@(\w{1,30})")


@dataclass
class ItemAnalysis:
    """What Curator keeps from analysing one item's text.

    Attributes:
        lemmas: Content words: lower-case lemmas of alphabetic tokens of two or more
            letters that are not stop words of the text's language (lower-cased words
            when no lemmatizer is available, and for texts in another language than
            English, which the English lemmatizer would mangle; French and Italian
            elisions lose their article: "l'application" -> "application").
        noun_chunks: Lower-case noun phrases without leading determiners or
            possessives ("the new grinder" -> "new grinder"); pronoun-only chunks
            ("us") are dropped because they say nothing about an issue.
        entities: ``(text, label)`` pairs for the labels in :data:`ENTITY_LABELS`,
            first occurrence order, without duplicates.
        hashtags: Tags without "#", lower-cased, in order, without duplicates.
        mentions: Handles without "@", lower-cased, in order, without duplicates.
        language: the code of the text's language among
            :data:`curator.nlp.languages.LANGUAGES` (``"en"``, ``"de"``, ``"fr"``...),
            or ``""`` when it is none of them (see :func:`guess_language`).
        sentiment: VADER compound score in [-1, 1].
    """

    lemmas: list[str] = field(default_factory=list)
    noun_chunks: list[str] = field(default_factory=list)
    entities: list[tuple[str, str]] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    language: str = "en"
    sentiment: float = 0.0

    def to_doc(self) -> dict[str, Any]:
        """A JSON-ready dict for storing with the item."""
        return {
            "lemmas": list(self.lemmas),
            "noun_chunks": list(self.noun_chunks),
            "entities": [[text, label] for text, label in self.entities],
            "hashtags": list(self.hashtags),
            "mentions": list(self.mentions),
            "language": self.language,
            "sentiment": self.sentiment,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ItemAnalysis:
        """Rebuild from :meth:`to_doc` output; missing keys take defaults (older stores)."""
        return cls(
            lemmas=[str(x) for x in doc.get("lemmas", [])],
            noun_chunks=[str(x) for x in doc.get("noun_chunks", [])],
            entities=[(str(text), str(label)) for text, label in doc.get("entities", [])],
            hashtags=[str(x) for x in doc.get("hashtags", [])],
            mentions=[str(x) for x in doc.get("mentions", [])],
            language=str(doc.get("language", "en")),
            sentiment=float(doc.get("sentiment", 0.0)),
        )


def _unique(values: Iterator[str] | list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in ``text`` without "#", lower-cased, de-duplicated.

    Done on the raw text because spaCy's tokenizer splits "#" off the word.
    """
    return _unique(m.group(1).lower() for m in _HASHTAG.finditer(text))


def extract_mentions(text: str) -> list[str]:
    """@handles in ``text`` without "@", lower-cased, de-duplicated (e-mail addresses excluded)."""
    return _unique(m.group(1).lower() for m in _MENTION.finditer(text))


def guess_language(doc: Doc) -> str:
    """The language of a processed text: ``"en"``, ``"de"``, ``"fr"``... or ``""``.

    Counts the stop words of each supported language, which spaCy ships without
    any model (see :func:`curator.nlp.languages.guess_language_words`). Texts
    under five words count as English unless another language shows a stop word
    of its own ("nicht", "pas"), because wrongly dropping words from a short
    English complaint costs more than keeping a short foreign one; ``""`` means a
    text in a non-Latin script or in none of the supported languages.
    """
    return guess_language_words([t.text for t in doc if any(ch.isalpha() for ch in t.text)])


_LEADING_DROP_TAGS = frozenset({"DT", "PDT", "PRP$", "WDT", "WP$"})


def _noun_chunks(doc: Doc) -> list[str]:
    if not doc.has_annotation("DEP"):
        return []
    chunks: list[str] = []
    for chunk in doc.noun_chunks:
        tokens = list(chunk)
        while tokens and (tokens[0].tag_ in _LEADING_DROP_TAGS or tokens[0].pos_ == "DET"):
            tokens = tokens[1:]
        if not tokens or all(t.pos_ == "PRON" for t in tokens):
            continue
        text = " ".join(t.text for t in tokens).lower()
        chunks.append(text)
    return _unique(chunks)


def _lemmas(doc: Doc, real_lemmas: bool, language: str = "en") -> list[str]:
    """Content words; stop words are the language's own when it is not English."""
    foreign = stop_words(language) if language not in ("en", "") else None
    out: list[str] = []
    for token in doc:
        if foreign is None:
            if not token.is_alpha or token.is_stop:
                continue
            word = (token.lemma_ if real_lemmas and token.lemma_ else token.norm_).lower()
        elif token.is_alpha:
            word = token.lower_
        else:
            head, rest = split_elision(token.lower_)
            if not head or head not in foreign:
                continue
            word = rest
        if foreign is not None and word in foreign:
            continue
        if len(word) >= 2 and word.isalpha():
            out.append(word)
    return out


def analyse_doc(doc: Doc, *, text: str | None = None, real_lemmas: bool = True) -> ItemAnalysis:
    """Turn one processed spaCy ``Doc`` into an :class:`ItemAnalysis`.

    Args:
        doc: The processed document; missing annotations (no parser, no NER) give
            empty lists rather than errors, so every pipeline works.
        text: The raw text for hashtags, mentions and sentiment (defaults to ``doc.text``).
        real_lemmas: False when the pipeline has no lemmatizer, so lower-cased
            words are used instead of spaCy's empty lemma strings.
    """
    raw = doc.text if text is None else text
    entities: list[tuple[str, str]] = []
    if doc.has_annotation("ENT_IOB"):
        entities = list(
            dict.fromkeys((ent.text, ent.label_) for ent in doc.ents if ent.label_ in ENTITY_LABELS)
        )
    language = guess_language(doc)
    return ItemAnalysis(
        lemmas=_lemmas(doc, real_lemmas, language),
        noun_chunks=_noun_chunks(doc),
        entities=entities,
        hashtags=extract_hashtags(raw),
        mentions=extract_mentions(raw),
        language=language,
        sentiment=sentiment(raw),
    )


def _disabled(pipeline: LoadedPipeline, *, entities: bool, noun_chunks: bool) -> list[str]:
    names = set(pipeline.nlp.pipe_names)
    off: set[str] = set()
    if not entities:
        off.add("ner")
    if not noun_chunks:
        off.add("parser")
    return sorted(off & names)


def analyse_texts(
    texts: Sequence[str],
    *,
    pipeline: LoadedPipeline | None = None,
    progress: Progress | None = None,
    batch_size: int = 256,
    n_process: int = 1,
    entities: bool = True,
    noun_chunks: bool = True,
) -> list[ItemAnalysis]:
    """Analyse many texts in one streamed spaCy pass.

    Args:
        texts: The item texts, in order; the result has the same order and length.
        pipeline: The pipeline to use; defaults to :func:`load_pipeline` (cached).
        progress: Started with ``len(texts)`` and advanced after each batch, which
            is also where a cancel is honoured (raising ``Cancelled``).
        batch_size: Texts handed to spaCy at a time.
        n_process: Worker processes for spaCy; above 1 only pays off for tens of
            thousands of texts because each worker first loads its own model copy.
        entities: Run NER; off roughly halves the time (with the parser off too) but loses entities.
        noun_chunks: Run the dependency parser; off saves about 15% of the time but
            loses noun chunks.

    Returns:
        One :class:`ItemAnalysis` per text.
    """
    pipe = pipeline if pipeline is not None else load_pipeline()
    if progress is not None:
        progress.start(len(texts), "Analysing texts")
        progress.check_cancelled()
    disable = _disabled(pipe, entities=entities, noun_chunks=noun_chunks)
    real_lemmas = pipe.has_lemmatizer
    results: list[ItemAnalysis] = []
    since_report = 0
    docs = pipe.nlp.pipe(texts, batch_size=batch_size, n_process=n_process, disable=disable)
    try:
        for text, doc in zip(texts, docs, strict=True):
            results.append(analyse_doc(doc, text=text, real_lemmas=real_lemmas))
            since_report += 1
            if progress is not None and since_report >= batch_size:
                progress.advance(since_report)
                since_report = 0
    finally:
        # On cancel, close the generator so spaCy stops its worker processes now.
        close = getattr(docs, "close", None)
        if close is not None:
            close()
    if progress is not None and since_report:
        progress.advance(since_report)
    return results
