"""Brand checks: what the workspace's brand guide says about a draft, as it is typed.

Checks run off the UI thread on every pause in typing, so each one is cheap
once warm: the spell checker, the hyphenation dictionary and VADER are loaded
once per process (:func:`warm_up` does it ahead of time) and shared
read-only between threads; word look-ups are cached. A 1,500-word text is
checked in tens of milliseconds.

Texts may be Markdown or plain text. Checks read "views" of the text that
have the same length as the text, with what is not prose blanked out, so
every offset they report is an offset in the original text:

* terms view: code, links, e-mail addresses, HTML tags and Markdown link
  destinations blanked (a banned word inside a URL cannot be reworded);
  hashtags stay, so ``#freemoney`` is caught by a banned "freemoney";
* words view: hashtags and @handles blanked too, for spelling, capitals and
  reading ease.

Severity: what the brand must not publish is an error (a banned term, a
missing disclosure, and the touch point's hard limits); judgement calls
(spelling, preferred spellings, tone, reading ease, exclamation marks,
capitals) are warnings. :data:`SEVERITY` is the single place to change that.

Waivers (:func:`unresolved`) bind to :attr:`Finding.key`. A finding about
named words (a banned term, a link, a hashtag) stays waived in later
versions as long as those words are still there in the same target, because
the judgement was about them and they did not change; another occurrence of
the same word in that target is covered too. A finding about the text as a
whole (length, tone, reading ease, a missing disclosure or image) is waived
only for the version it was waived on: any edit can change that verdict.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pyphen
from spellchecker import SpellChecker

from curator.domain import Draft, TouchPoint, Waiver
from curator.editorial.counting import find_emails, find_handles, find_hashtags, find_links
from curator.editorial.touchpoints import ERROR, WARNING, Finding, check_touchpoint, effective_rules
from curator.editorial.variants import derive_variant
from curator.errors import CuratorError
from curator.nlp.sentiment import sentiment, sentiments

__all__ = [
    "ACRONYMS",
    "SEVERITY",
    "BannedTerm",
    "BrandGuide",
    "BrandGuideError",
    "Finding",
    "check_draft",
    "check_text",
    "unresolved",
    "validate_guide",
    "warm_up",
]

#: The severity of each brand rule (touch point rules are always errors).
SEVERITY: dict[str, str] = {
    "banned_term": ERROR,
    "disclosure": ERROR,
    "preferred_spelling": WARNING,
    "spelling": WARNING,
    "capitals": WARNING,
    "exclamations": WARNING,
    "reading_ease": WARNING,
    "tone": WARNING,
}

#: Words in capitals that are names, not shouting; the workspace dictionary adds its own.
ACRONYMS: frozenset[str] = frozenset(
    """
    AIDS API ASAP ATM BBC CEO CFO CMO COO CPU CRM CSS CSV CTO DIY DNA EST ETA FAQ FBI FIFA FYI GBP GDPR
    GMT GPS GPU HIV HTML HTTP HTTPS IBM IEEE IKEA ISO JSON KPI LED LGBT LGBTQ LLC LTD NASA NATO NBA NFC
    NFL NGO NHS NYC OECD PDF PIN PST RSVP SEO SIM SMS SQL SUV TBA TBC TBD UEFA UNESCO UNICEF URL USA USB
    USD UTC VAT VIP WIFI XML
    """.split()
)

# Languages the reading-ease formula and VADER are made for.
_ENGLISH = "en"
# Texts shorter than this get no reading-ease score: Flesch is meaningless on a tweet.
_MIN_WORDS_FOR_READING_EASE = 30
# Up to this many words, VADER scores the text as one (what it is tuned for); longer
# texts get the mean of their sentences, since VADER's compound saturates on long texts.
_MAX_WORDS_WHOLE_TONE = 60
_QUOTE_CHARS = 60

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)[^\n]*?[^`\n]\1(?!`)")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>\n]*>", re.S)
_LINK_DESTINATION = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[^\n]*$", re.M)
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:['’][^\W\d_]+)*(?!\w)")
_COUNTED_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n")
_EXCLAMATIONS = re.compile(r"!+")
_MARKERS = "*_~"
_NO_MARKERS = str.maketrans(dict.fromkeys(_MARKERS, " "))


class BrandGuideError(CuratorError):
    """The brand guide cannot be used as written."""


@dataclass
class BannedTerm:
    """A word or phrase the brand never publishes.

    Attributes:
        term: Matched as whole words, case-insensitively; a phrase matches across
            line breaks and Markdown emphasis.
        replacement: What to write instead; empty when the wording must simply go.
        reason: Why, shown to the editor (legal, tone, a retired product name...).
    """

    term: str
    replacement: str = ""
    reason: str = ""


@dataclass
class BrandGuide:
    """A workspace's house rules for everything it publishes.

    Attributes:
        banned_terms: Words and phrases never to publish.
        preferred_spellings: Variant -> preferred form, e.g. ``{"e-mail": "email"}``; a
            preferred form with capitals (``"GitHub"``) is suggested exactly as written.
        disclosure: Required in every text of a sponsored draft (e.g. "#ad"); empty for none.
        min_reading_ease: Lowest Flesch reading ease allowed (higher is easier), None for none.
        max_reading_ease: Highest allowed, None for none.
        max_exclamations: Exclamation marks allowed per text.
        max_caps_words: Words of 3+ letters in capitals allowed per text (acronyms and
            dictionary words do not count).
        min_sentiment: Lowest VADER compound score allowed (-1 .. 1), None for none.
        max_sentiment: Highest allowed, None for none.
        dictionary: The workspace's own words (brand and product names), never flagged.
        spelling: Whether to check spelling.
        language: The language of the texts, an ISO 639-1 code; spelling needs one of
            pyspellchecker's languages, reading ease and tone only run on English.
    """

    banned_terms: list[BannedTerm] = field(default_factory=list)
    preferred_spellings: dict[str, str] = field(default_factory=dict)
    disclosure: str = "#ad"
    min_reading_ease: float | None = 30.0
    max_reading_ease: float | None = None
    max_exclamations: int = 1
    max_caps_words: int = 2
    min_sentiment: float | None = -0.3
    max_sentiment: float | None = None
    dictionary: list[str] = field(default_factory=list)
    spelling: bool = True
    language: str = "en"


def validate_guide(guide: BrandGuide) -> None:
    """Check a brand guide before it is saved, so checks never meet a guide they cannot use.

    Raises:
        BrandGuideError: With a sentence saying what to change.
    """
    for term in guide.banned_terms:
        if not term.term.strip():
            raise BrandGuideError("A banned term is empty: type the word or phrase, or remove the line.")
    for variant, preferred in guide.preferred_spellings.items():
        if not variant.strip() or not preferred.strip():
            raise BrandGuideError(
                "A preferred spelling needs both the spelling to avoid and the one to use: "
                "complete or remove the line."
            )
    for name in ("min_sentiment", "max_sentiment"):
        value = getattr(guide, name)
        if value is not None and not -1.0 <= value <= 1.0:
            raise BrandGuideError(
                f"Tone bounds go from -1 (very negative) to 1 (very positive); {value} is not."
            )
    pairs = (
        (guide.min_sentiment, guide.max_sentiment, "lowest tone", "highest tone"),
        (guide.min_reading_ease, guide.max_reading_ease, "lowest reading ease", "highest reading ease"),
    )
    for low, high, low_name, high_name in pairs:
        if low is not None and high is not None and low > high:
            raise BrandGuideError(f"The {low_name} ({low}) is above the {high_name} ({high}): swap them.")
    if guide.max_exclamations < 0 or guide.max_caps_words < 0:
        raise BrandGuideError("Limits on exclamation marks and capitals cannot be negative: use 0 for none.")
    if guide.spelling and guide.language not in SpellChecker.languages():
        raise BrandGuideError(
            f"Spelling cannot be checked in {guide.language!r}: choose one of "
            f"{', '.join(sorted(SpellChecker.languages()))}, or turn spelling checks off."
        )


# -- shared, lazily loaded resources ------------------------------------------------------------

_checkers: dict[str, SpellChecker | None] = {}
_checkers_lock = threading.Lock()
_hyphenator: pyphen.Pyphen | None = None
_hyphenator_lock = threading.Lock()


def _spellchecker(language: str) -> SpellChecker | None:
    """The shared spell checker for ``language`` (None when pyspellchecker has no dictionary).

    Loading takes a quarter of a second, so it happens once per language and
    process. The instance is never changed afterwards (workspace words are
    handled by the caller), which is what makes sharing it between threads
    and between workspaces safe.
    """
    if language not in _checkers:
        with _checkers_lock:
            if language not in _checkers:
                try:
                    _checkers[language] = SpellChecker(language=language)
                except ValueError:
                    _checkers[language] = None
    return _checkers[language]


def _pyphen() -> pyphen.Pyphen:
    global _hyphenator
    hyphenator = _hyphenator
    if hyphenator is None:
        with _hyphenator_lock:
            if _hyphenator is None:
                _hyphenator = pyphen.Pyphen(lang="en_US")
            hyphenator = _hyphenator
    return hyphenator


def warm_up(language: str = "en") -> None:
    """Load the spell checker, hyphenation dictionary and VADER, so the first check is fast.

    Meant for a worker thread at start-up; calling it again costs nothing.
    """
    _spellchecker(language)
    _syllables("warm")
    sentiment("warm")


# Everyday words pyspellchecker's English list lacks (measured: "app", "wifi", "kg" were
# flagged), mostly of the trade; a workspace adds its own in the brand guide's dictionary.
_ENGLISH_SUPPLEMENT = frozenset(
    """app apps wifi smartphone smartphones hashtag hashtags emoji emojis inbox selfie podcast podcasts
    livestream signup checkout refill refills barista baristas takeaway takeaways compostable recyclable
    reusable reusables moka cortado macchiato cappuccino cappuccinos matcha decaf oat vegan kg km ml cm oz lb
    faq faqs ok online offline""".split()
)
# British spellings pyspellchecker (an American list) does not know: a word is accepted
# when its American form is ("colour" -> "color", "organise" -> "organize", "trialling" -> "trialing").
_UK_TO_US = [
    (re.compile(r"our"), "or"),
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"ence$"), "ense"),
]


@lru_cache(maxsize=100_000)
def _known(language: str, word: str) -> bool:
    checker = _spellchecker(language)
    if checker is None or checker.known([word]):
        return True
    if language != "en":
        return False
    if word.lower() in _ENGLISH_SUPPLEMENT:
        return True
    for pattern, american in _UK_TO_US:
        us = pattern.sub(american, word, count=1)
        if us != word and checker.known([us]):
            return True
    return False


@lru_cache(maxsize=20_000)
def _correction(language: str, word: str) -> str | None:
    """The most frequent known word one edit away from ``word``, or None.

    pyspellchecker's own ``correction()`` also tries two edits, which costs
    0.3 to 4 seconds a word: far too slow while typing. One edit covers most
    typos (a letter missing, doubled, swapped or wrong).
    """
    checker = _spellchecker(language)
    if checker is None:
        return None
    candidates = checker.known(checker.edit_distance_1(word))
    if not candidates:
        return None
    return max(sorted(candidates), key=checker.word_usage_frequency)


@lru_cache(maxsize=100_000)
def _syllables(word: str) -> int:
    # What textstat does for words missing from the CMU dictionary; see _reading_ease.
    return len(_pyphen().positions(word.lower())) + 1


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` with at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


# -- views --------------------------------------------------------------------------------------


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the spans replaced by spaces (line breaks kept, so sentences stay apart)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


@dataclass(frozen=True)
class _Views:
    text: str
    terms: str
    words: str


def _views(text: str) -> _Views:
    hidden: list[tuple[int, int]] = []
    for pattern in (_FENCE, _CODE_SPAN, _HTML, _REFERENCE):
        hidden += [m.span() for m in pattern.finditer(text)]
    hidden += [(m.start() + 1, m.end()) for m in _LINK_DESTINATION.finditer(text)]
    hidden += [(s, e) for s, e, _ in find_links(text)]
    hidden += [(s, e) for s, e, _ in find_emails(text)]
    # "_" is Markdown emphasis (or snake_case) in prose; as a word character it would hide words.
    terms = _blank(text, hidden).replace("_", " ")
    social = [(s, e) for s, e, _ in find_hashtags(text)] + [(s, e) for s, e, _ in find_handles(text)]
    return _Views(text, terms, _blank(terms, social))


def _sentences(view: str) -> list[tuple[int, int]]:
    """Spans of the sentences in a view: split at end punctuation and line breaks."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(view):
        if view[start : match.end()].strip():
            spans.append((start, match.end()))
        start = match.end()
    if view[start:].strip():
        spans.append((start, len(view)))
    return [(s + len(view[s:e]) - len(view[s:e].lstrip()), e) for s, e in spans]


def _stop(quoted: str) -> str:
    """The full stop after a quoted sentence, unless the sentence brought its own."""
    return "" if quoted.rstrip()[-1:] in (".", "!", "?", "…") else "."


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1].rstrip() + "…"


# -- individual rules ---------------------------------------------------------------------------


def _match_case(found: str, replacement: str) -> str:
    """``replacement`` written with the capitalisation of ``found`` where that makes sense.

    A replacement with capitals of its own ("GitHub", "iPhone") is a deliberate
    spelling and kept as is. Otherwise: "FREE" -> "NO-COST", "Free" -> "No-cost",
    "Free Money" -> "Complimentary Credit", "free" -> "no-cost".
    """
    if not replacement or any(ch.isupper() for ch in replacement):
        return replacement
    letters = [ch for ch in found if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return replacement.upper()
    words = found.split()
    if words and words[0][:1].isupper():
        if len(words) > 1 and all(word[:1].isupper() for word in words):
            return " ".join(word[:1].upper() + word[1:] for word in replacement.split(" "))
        return replacement[:1].upper() + replacement[1:]
    return replacement


@lru_cache(maxsize=256)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive, whole-word pattern for all ``phrases``; group ``p<i>`` is phrase i."""
    # Words of a phrase may be split by a line break or by Markdown emphasis ("**free** money").
    gap = r"[*~]*\s+[*~]*"
    parts = [
        f"(?P<p{i}>{gap.join(re.escape(word) for word in phrase.split())})"
        for i, phrase in sorted(enumerate(phrases), key=lambda item: -len(item[1]))
        if phrase.split()
    ]
    if not parts:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


def _phrase_matches(view: str, phrases: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """``(start, end, index of the phrase)`` for every whole-word occurrence in ``view``."""
    pattern = _phrase_pattern(phrases)
    if pattern is None:
        return []
    return [(m.start(), m.end(), int((m.lastgroup or "p0")[1:])) for m in pattern.finditer(view)]


def _unmarked(found: str, phrase: str) -> str:
    """``found`` without the Markdown emphasis markers between its words (unless the phrase has them)."""
    if any(ch in phrase for ch in _MARKERS):
        return " ".join(found.split())
    return " ".join(found.translate(_NO_MARKERS).split())


def _banned(views: _Views, guide: BrandGuide, target: str) -> list[Finding]:
    findings: list[Finding] = []
    terms = tuple(term.term for term in guide.banned_terms)
    for start, end, index in _phrase_matches(views.terms, terms):
        term = guide.banned_terms[index]
        found = views.text[start:end]
        words = _unmarked(found, term.term)
        why = f" ({term.reason.strip().rstrip('.')})" if term.reason.strip() else ""
        replacement = _match_case(words, term.replacement.strip()) if term.replacement.strip() else None
        fix = f"Use “{replacement}” instead." if replacement else "Remove it or rephrase."
        message = f"“{words}” is on the brand guide's list of banned terms{why}. {fix}"
        # Replacing text that holds emphasis markers would break the Markdown: no automatic fix then.
        suggestion = replacement if words == " ".join(found.split()) else None
        findings.append(
            Finding("banned_term", message, start, end, suggestion, SEVERITY["banned_term"], target, words)
        )
    return findings


def _preferred(views: _Views, guide: BrandGuide, target: str) -> list[Finding]:
    findings: list[Finding] = []
    variants = tuple(guide.preferred_spellings)
    for start, end, index in _phrase_matches(views.terms, variants):
        found = views.text[start:end]
        words = _unmarked(found, variants[index])
        preferred = _match_case(words, guide.preferred_spellings[variants[index]].strip())
        if words == preferred:
            continue
        message = f"The brand guide writes “{preferred}”, not “{words}”."
        suggestion = preferred if words == " ".join(found.split()) else None
        findings.append(
            Finding(
                "preferred_spelling",
                message,
                start,
                end,
                suggestion,
                SEVERITY["preferred_spelling"],
                target,
                words,
            )
        )
    return findings


def _disclosure(views: _Views, guide: BrandGuide, target: str) -> list[Finding]:
    disclosure = " ".join(guide.disclosure.split())
    if not disclosure or _phrase_matches(views.terms, (disclosure,)):
        return []
    return [
        Finding(
            "disclosure",
            f"This draft is marked sponsored, so every text of it must carry “{disclosure}”, "
            "and this one does not.",
            -1,
            -1,
            f"Add “{disclosure}”, preferably near the start.",
            SEVERITY["disclosure"],
            target,
        )
    ]


def _exclamations(views: _Views, guide: BrandGuide, target: str) -> list[Finding]:
    runs = list(_EXCLAMATIONS.finditer(views.terms))
    total = sum(len(run.group()) for run in runs)
    limit = guide.max_exclamations
    if total <= limit:
        return []
    allowed = "no exclamation marks" if limit == 0 else f"{limit} exclamation mark{'s' if limit != 1 else ''}"
    head = f"The brand guide allows {allowed} per text and this one has {total}"
    findings: list[Finding] = []
    for index, run in enumerate(runs):
        start, end = run.span()
        if index < limit:
            if end - start == 1:
                continue
            suggestion, fix = "!", "keep a single “!”."
        elif start > 0 and views.text[start - 1] in ".?…":
            suggestion, fix = "", "remove it."
        else:
            suggestion, fix = ".", "end the sentence with a full stop instead."
        findings.append(
            Finding(
                "exclamations",
                f"{head}: {fix}",
                start,
                end,
                suggestion,
                SEVERITY["exclamations"],
                target,
                run.group(),
            )
        )
    return findings


def _starts_sentence(text: str, start: int) -> bool:
    # Markdown markers and quotes may stand between a sentence end and the word.
    before = text[max(0, start - 40) : start].rstrip(' \t*_#>"“‘([-')
    return not before or before[-1] in ".!?:\n"


def _capitals(views: _Views, guide: BrandGuide, dictionary: frozenset[str], target: str) -> list[Finding]:
    shouting = []
    for match in _WORD.finditer(views.words):
        word = match.group()
        letters = [ch for ch in word if ch.isalpha()]
        if len(letters) < 3 or not all(ch.isupper() for ch in letters):
            continue
        bare = word.replace("'", "").replace("’", "")
        if bare in ACRONYMS or word.casefold() in dictionary:
            continue
        shouting.append(match)
    if len(shouting) <= guide.max_caps_words:
        return []
    limit = guide.max_caps_words
    allowed = "no words" if limit == 0 else f"{limit} word{'s' if limit != 1 else ''}"
    findings: list[Finding] = []
    for match in shouting:
        word = match.group()
        suggestion = (
            word[0] + word[1:].lower() if _starts_sentence(views.text, match.start()) else word.lower()
        )
        message = (
            f"“{word}” is in capitals; the brand guide allows {allowed} in capitals per text and this one "
            f"has {len(shouting)}. Write “{suggestion}”, or add it to the dictionary if it is a name."
        )
        findings.append(
            Finding(
                "capitals",
                message,
                match.start(),
                match.end(),
                suggestion,
                SEVERITY["capitals"],
                target,
                word,
            )
        )
    return findings


def _spelling(
    views: _Views, guide: BrandGuide, dictionary: frozenset[str], spelled: dict[str, str], target: str
) -> list[Finding]:
    if _spellchecker(guide.language) is None:
        return []
    findings: list[Finding] = []
    for match in _WORD.finditer(views.words):
        word = match.group()
        if len(word) < 2 or word.isupper() or any(ch.isupper() for ch in word[1:]):
            continue  # single letters, acronyms, and names such as iPhone or McKay
        if word[0].isupper() and not _starts_sentence(views.text, match.start()):
            continue  # a capital inside a sentence marks a name: too many of them are not in any dictionary
        folded = word.replace("’", "'").casefold()
        for ending in ("'s", "'"):
            if folded.endswith(ending) and len(folded) > len(ending) + 1:
                stem = folded[: -len(ending)]
                if _known(guide.language, stem) or stem in dictionary:
                    folded = stem
                    break
        if folded in dictionary or _known(guide.language, folded):
            continue
        close = [spelled[entry] for entry in sorted(dictionary) if _one_edit(folded, entry)]
        guess = close[0] if close else _correction(guide.language, folded)
        suggestion = None
        if guess is not None:
            suggestion = guess if guess in spelled.values() else _match_case(word, guess)
        if suggestion:
            message = (
                f"“{word}” may be misspelled: did you mean “{suggestion}”? "
                "If it is right, add it to the dictionary."
            )
        else:
            message = (
                f"“{word}” is not in the dictionary: check the spelling, "
                "or add it to the dictionary if it is right."
            )
        findings.append(
            Finding(
                "spelling",
                message,
                match.start(),
                match.end(),
                suggestion,
                SEVERITY["spelling"],
                target,
                word,
            )
        )
    return findings


def _reading_ease(views: _Views, guide: BrandGuide, target: str) -> list[Finding]:
    """Flesch reading ease, computed here rather than with textstat.

    textstat 0.7.13 counts English syllables with NLTK's CMU dictionary and
    calls ``nltk.download("cmudict")`` when it is missing: a network request
    from the user's machine on the first check (and a LookupError offline).
    So the standard formula is applied with textstat's sentence rule (parts of
    two words or less do not count as sentences) and its fallback syllable
    count (pyphen's hyphenation points + 1).
    """
    if guide.min_reading_ease is None and guide.max_reading_ease is None:
        return []
    words = _COUNTED_WORD.findall(views.words)
    if len(words) < _MIN_WORDS_FOR_READING_EASE:
        return []
    sentences = sum(
        1 for start, end in _sentences(views.words) if len(_COUNTED_WORD.findall(views.words[start:end])) > 2
    )
    syllables = sum(_syllables(word) for word in words)
    score = 206.835 - 1.015 * len(words) / max(1, sentences) - 84.6 * syllables / len(words)
    if guide.min_reading_ease is not None and score < guide.min_reading_ease:
        message = (
            f"This text is hard to read: its Flesch reading ease is {score:.0f} and the brand guide "
            f"asks for at least {guide.min_reading_ease:.0f}."
        )
        fix = "Split long sentences and prefer short, common words."
    elif guide.max_reading_ease is not None and score > guide.max_reading_ease:
        message = (
            f"This text reads simpler than the brand guide wants: its Flesch reading ease is {score:.0f} "
            f"and the guide asks for at most {guide.max_reading_ease:.0f}."
        )
        fix = "Join short sentences and use more precise words."
    else:
        return []
    return [Finding("reading_ease", f"{message} {fix}", -1, -1, fix, SEVERITY["reading_ease"], target)]


@dataclass(frozen=True)
class _ToneBounds:
    low: float | None
    low_source: str
    high: float | None
    high_source: str


def _tone(views: _Views, bounds: _ToneBounds, target: str) -> list[Finding]:
    if bounds.low is None and bounds.high is None:
        return []
    spans = _sentences(views.terms)
    if not spans:
        return []
    texts = [" ".join(views.terms[s:e].split()) for s, e in spans]
    scores = sentiments(texts)
    if len(_COUNTED_WORD.findall(views.terms)) <= _MAX_WORDS_WHOLE_TONE:
        score = sentiment(" ".join(texts))
    else:
        score = sum(scores) / len(scores)
    if bounds.low is not None and score < bounds.low:
        worst = min(range(len(scores)), key=scores.__getitem__)
        s, e = spans[worst]
        message = (
            f"The tone reads more negative ({score:+.2f} on a scale from -1 to 1) than {bounds.low_source} "
            f"allows (at least {bounds.low:+.2f}). The most negative sentence is "
            f"“{_quote(views.text[s:e])}”{_stop(_quote(views.text[s:e]))}"
        )
        fix = "Soften the negative wording, or balance it with something constructive."
    elif bounds.high is not None and score > bounds.high:
        best = max(range(len(scores)), key=scores.__getitem__)
        s, e = spans[best]
        message = (
            f"The tone reads more positive ({score:+.2f} on a scale from -1 to 1) than {bounds.high_source} "
            f"allows (at most {bounds.high:+.2f}). The most positive sentence is "
            f"“{_quote(views.text[s:e])}”{_stop(_quote(views.text[s:e]))}"
        )
        fix = "Tone down the superlatives and enthusiasm."
    else:
        return []
    return [Finding("tone", f"{message} {fix}", -1, -1, fix, SEVERITY["tone"], target)]


# -- putting it together ------------------------------------------------------------------------


def _dictionary(guide: BrandGuide) -> dict[str, str]:
    """Workspace words, case-folded -> as written (each word of a multi-word entry too)."""
    words: dict[str, str] = {}
    for entry in guide.dictionary:
        for word in [entry.strip(), *_WORD.findall(entry)]:
            if word:
                words.setdefault(word.replace("’", "'").casefold(), word)
    return words


def _check_text(
    text: str,
    guide: BrandGuide,
    *,
    sponsored: bool,
    target: str,
    tone: _ToneBounds | None,
    whole_text: bool,
) -> list[Finding]:
    views = _views(text)
    spelled = _dictionary(guide)
    dictionary = frozenset(spelled)
    findings = _banned(views, guide, target) + _preferred(views, guide, target)
    findings += _exclamations(views, guide, target)
    findings += _capitals(views, guide, dictionary, target)
    if guide.spelling:
        # A word already reported as banned or as a variant spelling needs no second finding.
        taken = [(f.start, f.end) for f in findings if f.rule in ("banned_term", "preferred_spelling")]
        findings += [
            f
            for f in _spelling(views, guide, dictionary, spelled, target)
            if not any(s < f.end and f.start < e for s, e in taken)
        ]
    if whole_text:
        if sponsored:
            findings += _disclosure(views, guide, target)
        if guide.language == _ENGLISH:
            findings += _reading_ease(views, guide, target)
            if tone is not None:
                findings += _tone(views, tone, target)
    return sorted(findings, key=lambda f: (f.start, f.end, f.rule))


def check_text(text: str, guide: BrandGuide, *, sponsored: bool = False, target: str = "") -> list[Finding]:
    """Check one text (Markdown or plain) against the brand guide.

    Args:
        text: The body or a variant.
        guide: The workspace's brand guide.
        sponsored: Whether the draft is sponsored, which makes the disclosure required.
        target: ``""`` for the body, else the touch point id, copied into each finding.

    Returns:
        The findings, whole-text ones first, then in text order. Reading ease and
        tone are only judged in English; spelling is skipped in a language
        pyspellchecker has no dictionary for (:func:`validate_guide` says so up front).
    """
    return _check_text(
        text, guide, sponsored=sponsored, target=target, tone=_guide_bounds(guide), whole_text=True
    )


def _guide_bounds(guide: BrandGuide) -> _ToneBounds:
    return _ToneBounds(guide.min_sentiment, "the brand guide", guide.max_sentiment, "the brand guide")


def _merged_bounds(guide: BrandGuide, tp: TouchPoint, low: float | None, high: float | None) -> _ToneBounds:
    """The stricter of the guide's and the touch point's tone bounds, naming where each came from."""
    guide_name, tp_name = "the brand guide", f"the touch point “{tp.name}”"
    lows = [(v, name) for v, name in ((guide.min_sentiment, guide_name), (low, tp_name)) if v is not None]
    highs = [(v, name) for v, name in ((guide.max_sentiment, guide_name), (high, tp_name)) if v is not None]
    low_bound, low_name = max(lows, key=lambda pair: pair[0]) if lows else (None, "")
    high_bound, high_name = min(highs, key=lambda pair: pair[0]) if highs else (None, "")
    return _ToneBounds(low_bound, low_name, high_bound, high_name)


def _about(finding: Finding) -> tuple[str, str]:
    """What a finding is about, whatever the target: its rule and its words."""
    return finding.rule, " ".join(finding.subject.casefold().split())


# Rules whose findings in a derived variant repeat the body's or the title's.
_REPEATED_IN_DERIVED = frozenset(
    {"banned_term", "preferred_spelling", "spelling", "capitals", "exclamations"}
)


def check_draft(
    draft: Draft, guide: BrandGuide, touchpoints: dict[str, TouchPoint], *, has_image: bool = False
) -> list[Finding]:
    """Every finding of a draft: its title, its body, then each touch point's variant.

    A variant is checked as it will be published: its text, or the text
    derived from the body while it is empty. It gets the brand checks (with
    the stricter of the guide's and the touch point's tone bounds) and the
    touch point's rules. A derived variant repeats the body's words, so its
    findings about words already reported on the title or body are left out:
    fixing the body fixes them. An edited variant is reported in full.

    Args:
        draft: The draft at the version being checked.
        guide: The workspace's brand guide.
        touchpoints: Touch points by id; a target missing from it is reported as an error.
        has_image: Whether the draft's posts carry an image.
    """
    # Markdown platforms publish the body as it is: check each distinct text once.
    checked: dict[tuple[str, _ToneBounds], list[Finding]] = {}

    def brand_findings(text: str, bounds: _ToneBounds, target: str) -> list[Finding]:
        if (text, bounds) not in checked:
            checked[text, bounds] = _check_text(
                text, guide, sponsored=draft.sponsored, target="", tone=bounds, whole_text=True
            )
        return [replace(f, target=target) for f in checked[text, bounds]]

    findings = _check_text(draft.title, guide, sponsored=False, target="title", tone=None, whole_text=False)
    findings += brand_findings(draft.body, _guide_bounds(guide), "")
    reported = {_about(f) for f in findings}
    for tp_id in draft.touchpoint_ids:
        tp = touchpoints.get(tp_id)
        if tp is None:
            findings.append(
                Finding(
                    "touchpoint",
                    "This draft is meant for a touch point that no longer exists.",
                    -1,
                    -1,
                    "Remove the missing touch point from the draft's targets.",
                    ERROR,
                    tp_id,
                )
            )
            continue
        rules = effective_rules(tp)
        variant = draft.variants.get(tp_id)
        text = (
            variant.text
            if variant is not None and variant.text
            else derive_variant(draft.title, draft.body, rules)
        )
        bounds = _merged_bounds(guide, tp, rules.min_sentiment, rules.max_sentiment)
        brand = brand_findings(text, bounds, tp_id)
        if variant is None or not variant.edited:
            brand = [f for f in brand if f.rule not in _REPEATED_IN_DERIVED or _about(f) not in reported]
        findings += brand
        findings += check_touchpoint(text, rules, has_image=has_image, target=tp_id)
    return findings


def unresolved(findings: list[Finding], waivers: list[Waiver], version_hash: str) -> list[Finding]:
    """The errors that still block approval of the version ``version_hash``.

    A finding about named words is waived by a waiver with its key from any
    version; a finding about the whole text only by a waiver made on this
    version (see the module notes). Waivers without a reason do not count:
    a waiver is a judgement, and the audit trail must say why. Who may waive
    is the workflow's business, checked when the waiver is recorded.
    """
    keys_any_version = {w.finding_key for w in waivers if w.reason.strip()}
    keys_this_version = {
        w.finding_key for w in waivers if w.reason.strip() and w.version_hash == version_hash
    }
    return [
        f
        for f in findings
        if f.severity == ERROR and f.key not in (keys_this_version if f.whole_text else keys_any_version)
    ]
