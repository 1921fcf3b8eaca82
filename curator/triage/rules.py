"""Triage rules: which incoming customer messages need an answer, how soon, and why.

Every message lands in one of three groups (:class:`~curator.triage.model.TriageGroup`):
**urgent**, **reply** (worth an answer, not urgent) or **none** (spam, abuse,
nothing to answer). The decision is a short list of readable rules, so the
Inbox can show why ("negative + question + in hot issue 'app outage'") and a
person can disagree (an override, kept and counted).

Signals, in two stages:

1. **Extraction** (:func:`extract_inputs`, spaCy, once per item): question,
   complaint and request cues from spaCy ``Matcher`` and ``DependencyMatcher``
   patterns over the tagged and parsed text: interrogative words and auxiliary
   inversion at a sentence start ("How do I…", "Can you…", "Is there…"), a "?",
   "still not", "never received", "charged twice", negated service verbs
   ("doesn't work", "hasn't arrived", "can't log in"), failure states ("is
   down", "has been stuck"). A few German patterns work on word forms alone.
   With the blank fallback pipeline (no tagger, no parser) token-level
   patterns over word forms stand in, and the reasons say so. The tokens are
   stored with their lemmas (:class:`~curator.triage.model.TriageInputs`).
2. **Decision** (:func:`decide`, pure and fast, no spaCy): the editable
   :class:`TriageRules` (watched terms, abusive and spam phrases, thresholds)
   applied to the stored inputs, the item's author reach and its hot issue.
   Because it needs no spaCy, a rule preview over every stored item is cheap.

The decision, in order::

    spam   = a promotional phrase, more than ``spam_max_links`` links, more than
             ``spam_max_hashtags`` hashtags, or the same text (8 words or more)
             ``spam_repeats`` times
    abuse  = an abusive phrase (insults aimed at people; swearing alone is not abuse)
    spam or abuse            -> none (abuse also sets ``hide``)
    asks      = question or complaint or request
    negative  = English and sentiment < negative_below (VADER compound)
    amplified = author reach >= urgent_reach, or the item is in a hot issue
    urgent if a watched term forces urgent,
           or negative and asks,
           or amplified and (asks or negative)
    reply  if asks, negative, a watched term, or praise (sentiment >= praise_above)
    none   otherwise ("nothing to answer")

Phrases in the rules (watched terms, abusive and spam phrases) are written as
words separated by spaces and matched against each token's form *or* lemma,
case-insensitively: ``a|b`` means either word, ``word*`` any word starting with
"word", and a lone ``*`` up to two words in between ("buy * followers").
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from curator.domain import Channel, Issue, Item, Source, SourceKind
from curator.nlp.analysis import extract_hashtags, guess_language
from curator.nlp.sentiment import sentiment as vader_sentiment
from curator.triage.model import (
    DeskSettings,
    RulesInvalid,
    TriageGroup,
    TriageInputs,
    group_rank,
)

__all__ = [
    "MAX_TOKENS",
    "PATTERNS_VERSION",
    "POS_UNAVAILABLE",
    "CompiledRules",
    "PhraseSet",
    "TriageResult",
    "TriageRules",
    "WatchedTerm",
    "compile_rules",
    "decide",
    "explain",
    "extract_inputs",
    "hot_issue_map",
    "is_customer_item",
    "item_text",
    "match_phrases",
    "parse_phrase",
    "rule_problems",
    "triage",
    "validate_rules",
]

#: Bump when the built-in patterns change: stored inputs of an older version are
#: computed again (they would otherwise keep the old patterns' verdicts forever).
PATTERNS_VERSION = 1

#: Tokens kept per item for phrase rules; customer messages are short, and a long
#: e-mail's first 400 tokens say what it is about. The spaCy patterns see all of it.
MAX_TOKENS = 400

#: Said in the reasons when only token-level patterns could run.
POS_UNAVAILABLE = "POS patterns unavailable (basic matching)"
NOT_ENGLISH = "not English: sentiment not used"
NOTHING = "nothing to answer"

# --------------------------------------------------------------------------- word lists
_WH = ["what", "how", "where", "when", "why", "who", "which", "whom", "whose"]
_AUX = ["is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "will", "would"]
_AUX += ["should", "shall", "may", "might", "ca", "wo"]
_SUBJECT = ["i", "you", "we", "they", "it", "he", "she", "there", "this", "that", "these", "those"]
_SUBJECT += ["the", "my", "your", "our", "their", "his", "her", "its", "a", "an", "any", "anyone"]
_SUBJECT += ["anybody", "someone", "somebody", "northwind", "u"]
_ANY_WHAT = ["idea", "ideas", "update", "updates", "news", "eta", "word", "timeline", "chance", "plans"]
_ANY_WHAT += ["tips", "advice", "progress", "info"]
_SERVICE_VERBS = [
    "work", "load", "open", "arrive", "come", "respond", "answer", "reply", "help", "fix", "log",
    "order", "pay", "deliver", "refund", "receive", "get", "show", "appear", "transfer", "migrate",
    "move", "cancel", "find", "update", "connect", "accept", "process", "send", "confirm", "reach",
    "hear", "call", "contact", "sign", "reset", "let", "ship", "return", "resolve", "exist",
]  # fmt: skip
_STATES = ["broken", "down", "stuck", "missing", "gone", "lost", "wrong", "late", "delayed", "unusable"]
_STATES += ["offline", "unavailable", "useless", "faulty", "damaged", "cold", "empty", "dead", "frozen"]
_STATES += ["overdue", "unreachable"]
_STILL_NOT = ["not", "n't", "no", "nothing", "nobody", "waiting", "getting", "having", "unable", "charging"]
_CHARGE_VERBS = ["charge", "bill", "debit", "deduct", "withdraw", "overcharge"]
_RESPONSE_NOUNS = ["answer", "reply", "response", "update", "word", "callback", "confirmation", "refund"]
_RESPONSE_NOUNS += ["email", "communication", "information", "info", "acknowledgement"]
_FAILURE_VERBS = ["crash", "freeze", "fail", "vanish", "disappear", "break", "malfunction", "lose"]
_PROBLEM_NOUNS = ["error", "outage", "bug", "glitch", "crash"]
_TIME_UNITS = ["day", "week", "month", "hour"]
_ORDINALS = ["second", "third", "fourth", "fifth", "2nd", "3rd", "4th", "5th", "sixth", "6th"]
_CONTACTS = ["time", "email", "mail", "message", "call", "attempt", "request", "complaint"]
_PLEASE = ["please", "pls", "plz", "kindly"]
_WANT_TO = ["cancel", "return", "speak", "talk", "complain", "know", "change", "close", "delete"]
_WANT_TO += ["unsubscribe", "report", "claim", "exchange", "escalate"]
_BE = ["is", "are", "was", "were", "be", "been", "being", "am", "'s", "'re", "s"]
_GET = ["get", "gets", "got", "gotten", "getting", "go", "goes", "went", "gone", "going", "keep", "keeps"]
_GET += ["kept", "remain", "remains", "remained", "seem", "seems", "seemed"]
_ADVERBS = ["still", "completely", "totally", "again", "always", "now", "just", "so", "really", "very"]
_ADVERBS += ["already", "all", "entirely", "permanently"]
# German, matched on word forms (the English models cannot tag German).
_DE_WH = ["wie", "was", "wo", "wann", "warum", "wieso", "weshalb", "wer", "welche", "welcher", "welches"]
_DE_AUX = ["ist", "sind", "kann", "können", "könnt", "könnten", "gibt", "hat", "habt", "haben", "darf"]
_DE_AUX += ["wird", "werden", "muss", "soll", "bekomme", "bekommt"]
_DE_SUBJ = ["ich", "man", "sie", "ihr", "du", "es", "das", "mir", "jemand", "noch", "der", "die"]
_DE_WORKS = ["funktioniert", "funktionieren", "klappt", "geht", "läuft", "kommt", "komme", "kommen", "kam"]
_DE_WORKS += ["lädt", "ist", "sind"]
_DE_DEBIT = ["abgebucht", "belastet", "berechnet", "abgezogen"]
_DE_RESPONSE = ["antwort", "rückmeldung", "reaktion", "mail", "e-mail", "bestätigung", "erstattung"]
_DE_RESPONSE += ["lieferung", "info"]
_DE_NOT_DONE = ["bestätigt", "angekommen", "erhalten", "geliefert", "erstattet", "zurückerstattet"]
_DE_NOT_DONE += ["beantwortet", "gekommen", "da"]
_DE_PROBLEM = ["fehler", "fehlermeldung", "störung", "absturz", "stürzt"]

_IRREGULAR: dict[str, list[str]] = {
    "get": ["got", "gotten"],
    "come": ["came"],
    "take": ["took", "taken"],
    "hear": ["heard"],
    "send": ["sent"],
    "show": ["shown"],
    "find": ["found"],
    "pay": ["paid"],
    "log": ["logged", "logging"],
    "let": ["let", "letting"],
    "ship": ["shipped", "shipping"],
    "freeze": ["froze", "frozen"],
    "break": ["broke", "broken"],
    "lose": ["lost"],
    "withdraw": ["withdrew", "withdrawn"],
    "go": ["went", "gone"],
}


def _forms(words: Iterable[str]) -> list[str]:
    """English inflections of base forms, for token patterns that have no lemmas to match."""
    out: list[str] = []
    for w in words:
        out.append(w)
        if w in _IRREGULAR:
            out += _IRREGULAR[w]
        if w.endswith(("s", "sh", "ch", "x", "z")):
            out.append(w + "es")
        elif w.endswith("y") and w[-2:-1] not in "aeiou":
            out += [w[:-1] + "ies", w[:-1] + "ied"]
        else:
            out.append(w + "s")
        if w.endswith("e"):
            out += [w + "d", w[:-1] + "ing"]
        elif not (w.endswith("y") and w[-2:-1] not in "aeiou"):
            out += [w + "ed", w + "ing"]
        else:
            out.append(w + "ing")
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- spaCy patterns
@dataclass(frozen=True)
class _Spec:
    kind: str  # "question" | "complaint" | "request"
    name: str
    pattern: list[dict[str, Any]]
    at_start: bool = False


def _in(words: Iterable[str]) -> dict[str, list[str]]:
    return {"IN": list(words)}


Token = dict[str, Any]
ANY: Token = {"OP": "?"}  # any one token, optional


def _q(name: str, *tokens: Token, start: bool = False) -> _Spec:
    return _Spec("question", name, list(tokens), start)


def _c(name: str, *tokens: Token, start: bool = False) -> _Spec:
    return _Spec("complaint", name, list(tokens), start)


def _r(name: str, *tokens: Token, start: bool = False) -> _Spec:
    return _Spec("request", name, list(tokens), start)


_Q_MARK = _Spec("question", "q_mark", [{"ORTH": {"IN": ["?", "？"]}}])


def _german_specs() -> list[_Spec]:
    """Patterns on German word forms, run with every pipeline on texts that are not English."""
    return [
        _q("de_wh", {"LOWER": _in(_DE_WH)}, {"IS_ALPHA": True}, start=True),
        _q("de_inversion", {"LOWER": _in(_DE_AUX)}, {"LOWER": _in(_DE_SUBJ)}, start=True),
        _c(
            "de_not_working",
            {"LOWER": _in(_DE_WORKS)},
            {"IS_ALPHA": True, "OP": "?"},
            {"IS_ALPHA": True, "OP": "?"},
            {"LOWER": _in(["nicht", "nie"])},
        ),
        _c("de_still_not", {"LOWER": "immer"}, {"LOWER": "noch"}, {"LOWER": "nicht"}),
        _c("de_still_not2", {"LOWER": "noch"}, {"LOWER": "immer"}, {"LOWER": "nicht"}),
        _c("de_no_more", {"LOWER": "nicht"}, {"LOWER": "mehr"}),
        _c("de_not_done", {"LOWER": "nicht"}, {"LOWER": _in(_DE_NOT_DONE)}),
        _c(
            "de_charged_twice",
            {"LOWER": _in(["doppelt", "zweimal", "dreimal", "mehrfach", "erneut"])},
            {"LOWER": _in(_DE_DEBIT)},
        ),
        _c("de_no_answer", {"LOWER": _in(["keine", "kein"])}, {"LOWER": _in(_DE_RESPONSE)}),
        _c(
            "de_since_days", {"LOWER": "seit"}, ANY, {"LOWER": _in(["tagen", "wochen", "monaten", "stunden"])}
        ),
        _c("de_error", {"LOWER": _in(_DE_PROBLEM)}),
        _r("de_please", {"LOWER": "bitte"}),
    ]


def _trained_specs() -> list[_Spec]:
    """English patterns that need POS tags, tags and lemmas (a trained pipeline)."""
    wh_tags: Token = {"TAG": _in(["WDT", "WP", "WP$", "WRB"])}
    filler: Token = {"POS": _in(["NOUN", "ADJ", "ADV", "PROPN", "DET", "NUM"]), "OP": "*"}
    subject: Token = {"POS": _in(["PRON", "PROPN", "DET", "NOUN"])}
    aux: Token = {"LOWER": _in(_AUX), "POS": "AUX"}
    return [
        _Q_MARK,
        # How do I…, Where is my…, What grinder is…, Which farms do…
        _q("wh_aux", wh_tags, filler, {"POS": "AUX"}, start=True),
        # Who sells…
        _q("wh_verb", {"TAG": "WP"}, {"TAG": "VBZ"}, start=True),
        # ..., how do you… / ..., where is my…
        _q(
            "wh_after_comma",
            {"ORTH": ","},
            {"LOWER": _in(["how", "where", "why", "when"])},
            {"POS": "AUX"},
            subject,
        ),
        # Can you…, Is there…, Does the café…, Will orders…
        _q("inversion", aux, subject, start=True),
        _q(
            "has_anyone",
            {"LOWER": _in(["has", "have", "had"])},
            {"LOWER": _in(["anyone", "anybody", "someone", "you"])},
            start=True,
        ),
        # Hi Northwind, can you… / I love it, could you…
        _q("inversion_after_comma", {"ORTH": ","}, aux, {"POS": _in(["PRON", "PROPN"])}),
        _q(
            "anyone_know",
            {"LOWER": _in(["anyone", "anybody", "someone", "somebody"])},
            {"LOWER": _in(["know", "knows", "else", "have", "got", "tried", "seen", "able", "here"])},
            start=True,
        ),
        _q("any_update", {"LOWER": "any"}, {"LOWER": _in(_ANY_WHAT)}, start=True),
        _q("wonder", {"LEMMA": "wonder"}, {"LOWER": _in(["if", "whether", *_WH])}),
        # still not / still hasn't / still waiting / still broken
        _c("still_not", {"LOWER": "still"}, {"POS": "AUX", "OP": "*"}, {"LOWER": _in(_STILL_NOT + _STATES)}),
        # never received / never got / never arrived
        _c(
            "never",
            {"LOWER": "never"},
            {"POS": "AUX", "OP": "*"},
            {"POS": "VERB", "LEMMA": _in(_SERVICE_VERBS)},
        ),
        # charged twice / billed me three times / took €5.20 twice / double charged
        _c(
            "charged_again",
            {"LEMMA": _in(_CHARGE_VERBS)},
            ANY,
            ANY,
            {"LOWER": _in(["twice", "double", "again", "thrice"])},
        ),
        _c(
            "charged_times",
            {"LEMMA": _in(_CHARGE_VERBS)},
            ANY,
            ANY,
            {"LOWER": _in(["two", "three", "four", "2", "3", "4", "several", "multiple"])},
            {"LEMMA": "time"},
        ),
        _c("took_twice", {"LEMMA": "take"}, ANY, ANY, {"LOWER": "twice"}),
        _c(
            "double_charged",
            {"LOWER": "double"},
            {"ORTH": "-", "OP": "?"},
            {"LEMMA": _in(["charge", "bill"])},
        ),
        _c("overcharged", {"LEMMA": "overcharge"}),
        # no answer / not a single update / no reply
        _c(
            "no_response",
            {"LOWER": _in(["no", "not"])},
            {"LOWER": _in(["a", "one", "any"]), "OP": "?"},
            {"LOWER": "single", "OP": "?"},
            {"LEMMA": _in(_RESPONSE_NOUNS), "POS": "NOUN"},
        ),
        _c("nobody", {"LOWER": _in(["nobody", "noone"])}, {"POS": _in(["VERB", "AUX"])}),
        _c("no_one", {"LOWER": "no"}, {"LOWER": "one"}, {"POS": _in(["VERB", "AUX"])}),
        # is down / has been stuck / went wrong / is completely broken
        _c(
            "bad_state",
            {"LEMMA": _in(["be", "get", "go", "remain", "seem", "keep"])},
            {"POS": _in(["ADV", "PART"]), "OP": "*"},
            {"LOWER": _in(_STATES), "POS": {"NOT_IN": ["ADP", "NOUN"]}},
        ),
        # points gone / app down / order missing
        _c(
            "noun_state",
            {"POS": _in(["NOUN", "PROPN"])},
            {
                "LOWER": _in(["gone", "missing", "broken", "down", "stuck", "lost"]),
                "POS": {"NOT_IN": ["ADP"]},
            },
        ),
        _c("failure", {"LEMMA": _in(_FAILURE_VERBS), "POS": "VERB"}),
        _c("problem", {"LEMMA": _in(_PROBLEM_NOUNS), "POS": _in(["NOUN", "PROPN"])}),
        _c("late", {"LEMMA": _in(_TIME_UNITS)}, {"LOWER": _in(["late", "overdue"])}),
        _c("and_counting", {"LEMMA": _in(_TIME_UNITS)}, {"LOWER": "and"}, {"LOWER": "counting"}),
        _c(
            "waiting_for",
            {"LEMMA": "wait"},
            {"LOWER": _in(["for", "since"])},
            ANY,
            {"LEMMA": _in(_TIME_UNITS)},
        ),
        _c("nth_contact", {"LOWER": _in(_ORDINALS)}, {"LEMMA": _in(_CONTACTS)}),
        # please call me / Cancel my subscription please / I want to cancel / help me
        _r("please_verb", {"LOWER": _in(_PLEASE)}, {"POS": "VERB"}),
        _r(
            "imperative_please",
            {"TAG": "VB"},
            *([{"IS_PUNCT": False, "OP": "?"}] * 4),
            {"LOWER": _in(_PLEASE)},
            start=True,
        ),
        _r(
            "want_to",
            {"LEMMA": _in(["want", "need", "like", "wish"])},
            {"LOWER": "to"},
            {"LEMMA": _in(_WANT_TO)},
        ),
        _r("help_me", {"LOWER": "help", "TAG": "VB"}, {"LOWER": _in(["me", "us"])}),
        _r(
            "let_me_know",
            {"LOWER": _in(["let", "tell"])},
            {"LOWER": _in(["me", "us"])},
            {"LOWER": _in(["know", "when", "why", "how", "what", "where", "if"])},
        ),
    ]


def _token_specs() -> list[_Spec]:
    """English stand-ins on word forms, for a pipeline without tagger and parser."""
    service = _forms(_SERVICE_VERBS)
    aux_forms = [*_BE, "has", "have", "had", "do", "does", "did"]
    aux: Token = {"LOWER": _in(_AUX)}
    return [
        _Q_MARK,
        _q("wh_aux", {"LOWER": _in(_WH)}, aux, start=True),
        _q("wh_word_aux", {"LOWER": _in(_WH)}, {"IS_ALPHA": True}, aux, start=True),
        _q("inversion", aux, {"LOWER": _in(_SUBJECT)}, start=True),
        _q(
            "has_anyone",
            {"LOWER": _in(["has", "have"])},
            {"LOWER": _in(["anyone", "anybody", "someone", "you"])},
            start=True,
        ),
        _q(
            "inversion_after_comma",
            {"ORTH": ","},
            aux,
            {"LOWER": _in(["you", "i", "we", "it", "there", "anyone"])},
        ),
        _q(
            "anyone_know",
            {"LOWER": _in(["anyone", "anybody", "someone", "somebody"])},
            {"LOWER": _in(["know", "knows", "else", "have", "got", "tried", "seen"])},
            start=True,
        ),
        _q("any_update", {"LOWER": "any"}, {"LOWER": _in(_ANY_WHAT)}, start=True),
        _q(
            "wonder",
            {"LOWER": _in(["wonder", "wondering", "wondered"])},
            {"LOWER": _in(["if", "whether", *_WH])},
        ),
        _c(
            "still_not",
            {"LOWER": "still"},
            {"LOWER": _in(aux_forms), "OP": "*"},
            {"LOWER": _in(_STILL_NOT + _STATES)},
        ),
        _c("never", {"LOWER": "never"}, {"LOWER": _in(aux_forms), "OP": "*"}, {"LOWER": _in(service)}),
        _c(
            "negated_service",
            {"LOWER": _in([*aux_forms, "ca", "wo", "can", "could", "will", "would"]), "OP": "?"},
            {"LOWER": _in(["not", "n't", "cannot"])},
            {"LOWER": _in(["be", "been", "even", "yet"]), "OP": "*"},
            {"LOWER": _in(service)},
        ),
        _c(
            "charged_again",
            {"LOWER": _in(_forms(_CHARGE_VERBS))},
            ANY,
            ANY,
            {"LOWER": _in(["twice", "double", "again", "thrice"])},
        ),
        _c(
            "charged_times",
            {"LOWER": _in(_forms(_CHARGE_VERBS))},
            ANY,
            ANY,
            {"LOWER": _in(["two", "three", "four", "2", "3", "4", "several", "multiple"])},
            {"LOWER": "times"},
        ),
        _c("took_twice", {"LOWER": _in(["took", "taken", "take", "takes"])}, ANY, ANY, {"LOWER": "twice"}),
        _c(
            "double_charged",
            {"LOWER": "double"},
            {"ORTH": "-", "OP": "?"},
            {"LOWER": _in(_forms(["charge", "bill"]))},
        ),
        _c(
            "no_response",
            {"LOWER": _in(["no", "not"])},
            {"LOWER": _in(["a", "one", "any"]), "OP": "?"},
            {"LOWER": "single", "OP": "?"},
            {"LOWER": _in(_forms(_RESPONSE_NOUNS))},
        ),
        _c("nobody", {"LOWER": _in(["nobody", "noone"])}, {"IS_ALPHA": True}),
        _c(
            "bad_state",
            {"LOWER": _in(_BE + _GET)},
            {"LOWER": _in(_ADVERBS), "OP": "*"},
            {"LOWER": _in(_STATES)},
        ),
        _c("failure", {"LOWER": _in([f for f in _forms(_FAILURE_VERBS) if f != "break"])}),
        _c("problem", {"LOWER": _in(_forms(_PROBLEM_NOUNS))}),
        _c("late", {"LOWER": _in(_forms(_TIME_UNITS))}, {"LOWER": _in(["late", "overdue"])}),
        _c(
            "waiting_for",
            {"LOWER": _in(_forms(["wait"]))},
            {"LOWER": _in(["for", "since"])},
            ANY,
            {"LOWER": _in(_forms(_TIME_UNITS))},
        ),
        _c("nth_contact", {"LOWER": _in(_ORDINALS)}, {"LOWER": _in(_forms(_CONTACTS))}),
        _r("please", {"LOWER": _in(_PLEASE)}),
        _r(
            "want_to",
            {"LOWER": _in(_forms(["want", "need", "like", "wish"]))},
            {"LOWER": "to"},
            {"LOWER": _in(_WANT_TO)},
        ),
        _r("help_me", {"LOWER": "help"}, {"LOWER": _in(["me", "us"])}),
    ]


# A verb of service with a negation attached to it: doesn't work, hasn't arrived,
# can't log in, never received, isn't loading.
_NEGATED_SERVICE = [
    {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"POS": "VERB", "LEMMA": _in(_SERVICE_VERBS)}},
    {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "neg", "RIGHT_ATTRS": {"DEP": "neg"}},
]


class _Matchers:
    """The compiled patterns for one vocabulary (matchers are bound to a vocab)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.specs: dict[str, _Spec] = {}
        self.german = self._matcher(vocab, _german_specs(), "g")
        self.trained = self._matcher(vocab, _trained_specs(), "t")
        self.token = self._matcher(vocab, _token_specs(), "k")
        self.dependency = DependencyMatcher(vocab)
        self.dependency.add("complaint:negated_service", [_NEGATED_SERVICE])

    def _matcher(self, vocab: Vocab, specs: list[_Spec], prefix: str) -> Matcher:
        matcher = Matcher(vocab)
        for spec in specs:
            key = f"{prefix}:{spec.kind}:{spec.name}"
            self.specs[key] = spec
            matcher.add(key, [spec.pattern])
        return matcher


_matchers: dict[int, _Matchers] = {}
_matchers_lock = threading.Lock()


def _matchers_for(vocab: Vocab) -> _Matchers:
    """Compiled once per vocabulary; keeps the vocab alive so its id is never reused."""
    found = _matchers.get(id(vocab))
    if found is not None and found.vocab is vocab:
        return found
    with _matchers_lock:
        found = _matchers.get(id(vocab))
        if found is None or found.vocab is not vocab:
            found = _matchers[id(vocab)] = _Matchers(vocab)
        return found


_SENTENCE_END = {".", "!", "?", "…", "？", "!!", "..."}


def _sentence_starts(doc: Doc) -> set[int]:
    """Where sentences start: the parser's view plus punctuation and line breaks.

    Social posts often open with a handle or hashtag ("@northwind how do I…"),
    so the word after a leading handle counts as a start too.
    """
    starts = {0}
    if doc.has_annotation("DEP") or doc.has_annotation("SENT_START"):
        starts |= {sent.start for sent in doc.sents}
    for token in doc:
        if token.text in _SENTENCE_END or (token.is_space and "\n" in token.text):
            starts.add(token.i + 1)
    for i in sorted(starts):
        j = i
        while j < len(doc) and (doc[j].text.startswith(("@", "#")) or doc[j].is_space or doc[j].text == ","):
            j += 1
            starts.add(j)
    return starts


def _cue(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text[:40]}'"


def _has_pos(doc: Doc) -> bool:
    return all(doc.has_annotation(a) for a in ("TAG", "POS", "LEMMA"))


def _tokens(doc: Doc) -> list[str]:
    lemmas = doc.has_annotation("LEMMA")
    out: list[str] = []
    for token in doc:
        if token.is_space:
            continue
        form = token.lower_.replace("|", "¦")
        lemma = token.lemma_.lower().replace("|", "¦") if lemmas else ""
        out.append(f"{form}|{lemma}" if lemma and lemma != form else form)
        if len(out) >= MAX_TOKENS:
            break
    return out


_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_NORMALISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\d+|[^\w@#]+|[@#]")


#: Texts shorter than this (in words) are never "repeated text": many customers
#: write the same "Any update?" or "Same problem here", and that is not spam.
MIN_REPEAT_WORDS = 8


def text_hash(text: str) -> str:
    """A hash of the text without links, handles, tags, digits and punctuation (repeat detection).

    Empty for texts under :data:`MIN_REPEAT_WORDS` words, which never count as repeats.
    """
    words = _NORMALISE.sub(" ", text.lower()).split()
    if len(words) < MIN_REPEAT_WORDS:
        return ""
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]


def extract_inputs(doc: Doc, *, text: str | None = None, sentiment: float | None = None) -> TriageInputs:
    """Run the question, complaint and request patterns over one processed text.

    Args:
        doc: The text processed by the shared pipeline (``curator.nlp.pipeline``);
            a blank pipeline's doc works too, with token-level patterns only.
        text: The raw text, for links and hashtags (defaults to ``doc.text``).
        sentiment: The item's stored sentiment; scored with VADER when missing.

    Returns:
        The inputs the rules decide on, ready to store with the item's triage.
    """
    raw = doc.text if text is None else text
    matchers = _matchers_for(doc.vocab)
    starts = _sentence_starts(doc)
    pos = _has_pos(doc)
    english = guess_language(doc) == "en"
    found: dict[str, list[str]] = {"question": [], "complaint": [], "request": []}
    spans: list[tuple[str, int, int]] = []
    # German patterns only where the text is not English: "was", "die", "wer" are English words too.
    chosen = [matchers.trained if pos else matchers.token, *([] if english else [matchers.german])]
    for matcher in chosen:
        for match_id, start, end in matcher(doc):
            spec = matchers.specs[doc.vocab.strings[match_id]]
            if spec.at_start and start not in starts:
                continue
            spans.append((spec.kind, start, end))
    if pos and doc.has_annotation("DEP"):
        for _match_id, token_ids in matchers.dependency(doc):
            verb, neg = doc[token_ids[0]], doc[token_ids[1]]
            first = min(
                [neg.i, *(c.i for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < neg.i)]
            )
            spans.append(("complaint", first, verb.i + 1))
    # Keep the longest reading: "doesn't work" rather than also "n't work".
    spans = [
        (kind, start, end)
        for kind, start, end in spans
        if not any(k == kind and s <= start and end <= e and (s, e) != (start, end) for k, s, e in spans)
    ]
    for kind, start, end in sorted(spans, key=lambda s: (s[1], -s[2])):
        cue = _cue(doc[start:end].text)
        if cue.lower() not in {c.lower() for c in found[kind]} and len(found[kind]) < 3:
            found[kind].append(cue)
    return TriageInputs(
        tokens=_tokens(doc),
        question=found["question"],
        complaint=found["complaint"],
        request=found["request"],
        pos_patterns=pos,
        english=english,
        sentiment=vader_sentiment(raw) if sentiment is None else float(sentiment),
        links=len(_URL.findall(raw)),
        hashtags=len(extract_hashtags(raw)),
        text_hash=text_hash(raw),
        version=PATTERNS_VERSION,
    )


# --------------------------------------------------------------------------- phrases
Alternative = tuple[str, ...]
Slot = tuple[Alternative, ...]  # an empty slot is a gap of up to two words

_APOSTROPHE_SUFFIXES = ("'s", "'ve", "'re", "'ll", "'d", "'m")
_SPECIAL_NT = {"can't": ("ca", "n't"), "won't": ("wo", "n't"), "cannot": ("can", "not")}
_GAP: Slot = ()
_MAX_GAP = 2


def _split_like_spacy(word: str) -> Alternative:
    """Split a phrase word as spaCy's English tokenizer splits it (doesn't, e-mail, ok?)."""
    word = word.replace("’", "'")
    if word in _SPECIAL_NT:
        return _SPECIAL_NT[word]
    parts: list[str] = []
    trail: list[str] = []
    while word and word[-1] in "?!.,;:" and len(word) > 1:
        trail.insert(0, word[-1])
        word = word[:-1]
    if word.endswith("n't") and len(word) > 3:
        parts += [word[:-3], "n't"]
    else:
        for suffix in _APOSTROPHE_SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                parts += [word[: -len(suffix)], suffix]
                break
        else:
            pieces = re.split(r"(?<=[^\W\d_])(-)(?=[^\W\d_])", word)
            parts += [p for p in pieces if p]
    return tuple(parts + trail)


def parse_phrase(phrase: str) -> tuple[Slot, ...]:
    """Turn rule syntax ("buy * follower|followers", "refund*") into slots for matching.

    Raises:
        RulesInvalid: The phrase has no word to match.
    """
    slots: list[Slot] = []
    for raw in phrase.lower().split():
        if raw == "*":
            if slots and slots[-1] != _GAP:
                slots.append(_GAP)
            continue
        alternatives = tuple(_split_like_spacy(a) for a in raw.split("|") if a.strip("*"))
        if alternatives:
            slots.append(alternatives)
    while slots and slots[-1] == _GAP:
        slots.pop()
    if not slots:
        raise RulesInvalid(f"The phrase {phrase!r} has no word to look for; type at least one word.")
    return tuple(slots)


def _word_ok(pattern: str, form: str, lemma: str) -> bool:
    if len(pattern) > 1 and pattern.endswith("*"):
        stem = pattern[:-1]
        return form.startswith(stem) or (bool(lemma) and lemma.startswith(stem))
    return pattern in (form, lemma)


def _match_at(slots: Sequence[Slot], si: int, toks: Sequence[tuple[str, str]], ti: int) -> bool:
    if si == len(slots):
        return True
    slot = slots[si]
    if slot == _GAP:
        return any(
            _match_at(slots, si + 1, toks, ti + skip) for skip in range(_MAX_GAP + 1) if ti + skip < len(toks)
        )
    for alt in slot:
        end = ti + len(alt)
        fits = end <= len(toks) and all(_word_ok(w, *toks[ti + k]) for k, w in enumerate(alt))
        if fits and _match_at(slots, si + 1, toks, end):
            return True
    return False


@dataclass(frozen=True)
class _Phrase:
    text: str
    slots: tuple[Slot, ...]

    @property
    def label(self) -> str:
        """The phrase as a reason shows it: first alternatives, no wildcards ("buy … follower")."""
        return " ".join("…" if w == "*" else w.split("|")[0].rstrip("*") for w in self.text.split())

    def possible(self, words: _Words) -> bool:
        """A quick reject: every slot's first word (or stem) occurs somewhere in the text."""
        for slot in self.slots:
            if slot == _GAP:
                continue
            if not any(_word_present(alt[0], words) for alt in slot):
                return False
        return True


def _word_present(pattern: str, words: _Words) -> bool:
    if len(pattern) > 1 and pattern.endswith("*"):
        return words.has_prefix(pattern[:-1])
    return pattern in words.set


class _Words:
    """The forms and lemmas of one text, for quick "does it occur at all" checks."""

    def __init__(self, toks: Sequence[tuple[str, str]]) -> None:
        self.set = {form for form, _ in toks} | {lemma for _, lemma in toks if lemma}
        self._sorted = sorted(self.set)

    def has_prefix(self, stem: str) -> bool:
        i = bisect.bisect_left(self._sorted, stem)
        return i < len(self._sorted) and self._sorted[i].startswith(stem)


def _compile_phrase(text: str) -> _Phrase:
    return _Phrase(text.strip(), parse_phrase(text))


def _split_tokens(tokens: Sequence[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for tok in tokens:
        form, _, lemma = tok.partition("|")
        out.append((form, lemma))
    return out


def _hits(phrases: Sequence[_Phrase], toks: Sequence[tuple[str, str]], words: _Words) -> list[_Phrase]:
    found: list[_Phrase] = []
    for phrase in phrases:
        if not phrase.possible(words):
            continue
        if any(_match_at(phrase.slots, 0, toks, i) for i in range(len(toks))):
            found.append(phrase)
    return found


class PhraseSet:
    """Phrases in rule syntax, parsed once, to look for in many token lists."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = [_compile_phrase(p) for p in phrases]

    def find(self, tokens: Sequence[str]) -> list[str]:
        """The phrases (as written) found in stored tokens (see :class:`TriageInputs`), in order."""
        toks = _split_tokens(tokens)
        return [p.text for p in _hits(self._phrases, toks, _Words(toks))]


def match_phrases(phrases: Iterable[str], tokens: Sequence[str]) -> list[str]:
    """The phrases (rule syntax) found in stored tokens, in the order given."""
    return PhraseSet(phrases).find(tokens)


# --------------------------------------------------------------------------- rules
@dataclass
class WatchedTerm:
    """A word or phrase the team wants to see, with the group it forces (if any).

    Attributes:
        phrase: Rule syntax (see the module docstring), e.g. "refund*" or "legal action".
        group: ``urgent`` or ``reply`` to force at least that group; None to only weigh in.
        weight: Adds to the priority score (the order within a group).
    """

    phrase: str
    group: TriageGroup | None = None
    weight: float = 1.0


def _urgent(*phrases: str) -> list[WatchedTerm]:
    return [WatchedTerm(p, TriageGroup.URGENT, 3.0) for p in phrases]


def _reply(*phrases: str) -> list[WatchedTerm]:
    return [WatchedTerm(p, TriageGroup.REPLY, 1.0) for p in phrases]


def _default_watched() -> list[WatchedTerm]:
    return [
        *_urgent("lawsuit*", "lawyer*", "attorney*", "sue|sued|suing", "legal action", "small claims"),
        *_urgent("data breach", "hacked", "phishing", "food poisoning", "allergic reaction", "injur*"),
        *_urgent(
            "chargeback*", "anwalt|anwältin|rechtsanwalt*", "verbraucherzentrale", "rechtliche schritte"
        ),
        *_reply("refund*", "cancel*", "unsubscribe*", "broken", "complaint*"),
        *_reply("rückerstattung*", "erstattung*", "kündig*"),
    ]


def _default_abusive() -> list[str]:
    return [
        "idiot*", "moron*", "imbecile*", "scumbag*", "dickhead*", "asshole*", "arsehole*", "bitch*",
        "piece of shit", "go to hell", "kill yourself", "arschloch*", "vollidiot*", "wichser*",
    ]  # fmt: skip


def _default_spam() -> list[str]:
    return [
        "link in bio|profile|description", "dm now", "dm me for", "buy * follower|followers|likes",
        "free gift card|cards", "check out my channel|page|profile", "crypto signal|signals",
        "returns guaranteed", "guaranteed returns|profit|profits", "follow for follow", "f4f",
        "click here", "earn * per day|week", "join our channel|group",
    ]  # fmt: skip


@dataclass
class TriageRules:
    """The editable triage rules (config key ``triage_rules``); ``TriageRules()`` is the default.

    Attributes:
        negative_below: A text is negative below this VADER compound score. VADER's
            own cut is -0.05; -0.15 leaves out texts that are merely matter-of-fact.
        praise_above: At or above this score, without a complaint, a text is praise
            and worth a thank-you.
        praise_is_reply: Whether praise goes to "reply" (else "none").
        urgent_reach: Authors with at least this audience make a complaint or
            question urgent: many people watch the answer.
        hot_issue_min_score: Items in an issue at least this hot (or pinned) are
            urgent when they ask or complain. Hot scores come from curator.issues;
            about 3 marks a real wave.
        watched_terms: Words and phrases to watch, see :class:`WatchedTerm`.
        abusive_phrases: Insults and threats aimed at people: "none" and hidden.
        spam_phrases: Promotional patterns.
        spam_max_links: More links than this is a spam signal.
        spam_max_hashtags: More hashtags than this is a spam signal.
        spam_repeats: The same text this often (from any authors) is a spam signal; texts
            under :data:`MIN_REPEAT_WORDS` words never count ("Any update?").
        extra_question_phrases / extra_complaint_phrases: The team's own cues, in
            rule syntax, added to the built-in spaCy patterns.
    """

    negative_below: float = -0.15
    praise_above: float = 0.5
    praise_is_reply: bool = True
    urgent_reach: int = 10_000
    hot_issue_min_score: float = 3.0
    watched_terms: list[WatchedTerm] = field(default_factory=_default_watched)
    abusive_phrases: list[str] = field(default_factory=_default_abusive)
    spam_phrases: list[str] = field(default_factory=_default_spam)
    spam_max_links: int = 2
    spam_max_hashtags: int = 8
    spam_repeats: int = 3
    extra_question_phrases: list[str] = field(default_factory=list)
    extra_complaint_phrases: list[str] = field(default_factory=list)


def rule_problems(rules: TriageRules) -> list[str]:
    """Every mistake in ``rules``, each as a sentence a user can act on (empty when fine)."""
    problems: list[str] = []
    if not -1.0 <= rules.negative_below <= 0.0:
        problems.append("The negative threshold must be between -1 and 0 (VADER scores run from -1 to 1).")
    if not 0.0 <= rules.praise_above <= 1.0:
        problems.append("The praise threshold must be between 0 and 1.")
    if rules.urgent_reach < 0:
        problems.append("The reach that makes a message urgent cannot be negative.")
    if rules.hot_issue_min_score < 0:
        problems.append("The hot-issue score that makes a message urgent cannot be negative.")
    for name, value in (
        ("links", rules.spam_max_links),
        ("hashtags", rules.spam_max_hashtags),
    ):
        if value < 0:
            problems.append(
                f"The most {name} a message may have before it looks like spam cannot be negative."
            )
    if rules.spam_repeats < 2:
        problems.append("Repeated text can only be a spam signal from 2 repeats on.")
    for term in rules.watched_terms:
        if term.group is TriageGroup.NONE:
            problems.append(
                f"The watched term {term.phrase!r} forces 'none'; a watched term can force 'urgent' or "
                "'reply' only. Use a spam phrase to silence messages."
            )
    all_phrases = [t.phrase for t in rules.watched_terms]
    all_phrases += [*rules.abusive_phrases, *rules.spam_phrases]
    all_phrases += [*rules.extra_question_phrases, *rules.extra_complaint_phrases]
    for phrase in all_phrases:
        try:
            parse_phrase(phrase)
        except RulesInvalid as exc:
            problems.append(str(exc))
    return problems


def validate_rules(rules: TriageRules) -> None:
    """Raise :class:`RulesInvalid` listing every mistake, so all can be fixed at once."""
    problems = rule_problems(rules)
    if problems:
        raise RulesInvalid(" ".join(problems))


@dataclass(frozen=True)
class CompiledRules:
    """Rules with their phrases parsed once, for deciding many items."""

    rules: TriageRules
    watched: tuple[tuple[WatchedTerm, _Phrase], ...]
    abusive: tuple[_Phrase, ...]
    spam: tuple[_Phrase, ...]
    questions: tuple[_Phrase, ...]
    complaints: tuple[_Phrase, ...]


def compile_rules(rules: TriageRules) -> CompiledRules:
    """Validate and parse the rules' phrases.

    Raises:
        RulesInvalid: A threshold or phrase is wrong (the message lists all of them).
    """
    validate_rules(rules)
    return CompiledRules(
        rules=rules,
        watched=tuple((t, _compile_phrase(t.phrase)) for t in rules.watched_terms),
        abusive=tuple(_compile_phrase(p) for p in rules.abusive_phrases),
        spam=tuple(_compile_phrase(p) for p in rules.spam_phrases),
        questions=tuple(_compile_phrase(p) for p in rules.extra_question_phrases),
        complaints=tuple(_compile_phrase(p) for p in rules.extra_complaint_phrases),
    )


# --------------------------------------------------------------------------- decision
@dataclass
class TriageResult:
    """The rules' verdict on one item.

    Attributes:
        group: urgent, reply or none.
        reasons: Short phrases, in a fixed order, that made the group
            (``explain`` joins them: "negative + question + in hot issue 'app outage'").
        hide: Abusive: hide it from shared screens and the default inbox.
        score: Priority within the group (higher first); not used to pick the group.
        evidence: What the patterns found ("complaint: 'charged twice'"), for a tooltip.
    """

    group: TriageGroup
    reasons: list[str]
    hide: bool = False
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    question: bool = False
    complaint: bool = False
    request: bool = False
    negative: bool = False
    spam: bool = False
    abusive: bool = False


def explain(result: TriageResult, *, detailed: bool = False) -> str:
    """One line saying why: "negative + question + in hot issue 'billing errors'".

    With ``detailed`` the pattern evidence follows in brackets.
    """
    line = " + ".join(result.reasons)
    if detailed and result.evidence:
        line += f" [{'; '.join(result.evidence)}]"
    return line


def _is_hot(issue: Issue, rules: TriageRules) -> bool:
    return (
        issue.merged_into is None
        and not issue.muted
        and (issue.pinned or issue.hot_score >= rules.hot_issue_min_score)
    )


def hot_issue_map(issues: Iterable[Issue], rules: TriageRules) -> dict[str, Issue]:
    """The issues that count as hot under ``rules``: live, not muted, pinned or hot enough."""
    return {i.id: i for i in issues if _is_hot(i, rules)}


def decide(
    item: Item,
    inputs: TriageInputs,
    rules: TriageRules | CompiledRules,
    hot_issues: Mapping[str, Issue],
    *,
    repeats: int = 1,
) -> TriageResult:
    """Apply the rules to an item's stored inputs (no spaCy; see the module docstring).

    Args:
        item: For its author reach and hot-issue membership (``issue_id``).
        inputs: From :func:`extract_inputs`.
        rules: The rules, or the same compiled once for many items.
        hot_issues: Issues by id; only those :func:`hot_issue_map` keeps count as hot,
            so passing all issues is fine.
        repeats: How many customer items carry the same normalised text
            (``inputs.text_hash``); ignored for short texts, which have no hash.
    """
    compiled = rules if isinstance(rules, CompiledRules) else compile_rules(rules)
    r = compiled.rules
    toks = _split_tokens(inputs.tokens)
    words = _Words(toks)
    notes: list[str] = []
    if not inputs.pos_patterns:
        notes.append(POS_UNAVAILABLE)
    if not inputs.english:
        notes.append(NOT_ENGLISH)

    spam_hits = [p.label for p in _hits(compiled.spam, toks, words)]
    spam_reasons = [f"spam: '{label}'" for label in spam_hits[:2]]
    if inputs.links > r.spam_max_links:
        spam_reasons.append(f"spam: {inputs.links} links")
    if inputs.hashtags > r.spam_max_hashtags:
        spam_reasons.append(f"spam: {inputs.hashtags} hashtags")
    if inputs.text_hash and repeats >= r.spam_repeats:
        spam_reasons.append(f"spam: same text {repeats} times")
    abuse = [p.label for p in _hits(compiled.abusive, toks, words)]
    if spam_reasons or abuse:
        silenced = [*(f"abusive: '{a}'" for a in abuse[:2]), *spam_reasons, *notes]
        return TriageResult(
            TriageGroup.NONE, silenced, hide=bool(abuse), spam=bool(spam_reasons), abusive=bool(abuse)
        )

    evidence = [f"question: {c}" for c in inputs.question]
    evidence += [f"complaint: {c}" for c in inputs.complaint]
    evidence += [f"request: {c}" for c in inputs.request]
    extra_q = [p.label for p in _hits(compiled.questions, toks, words)]
    extra_c = [p.label for p in _hits(compiled.complaints, toks, words)]
    evidence += [f"question: '{q}'" for q in extra_q] + [f"complaint: '{c}'" for c in extra_c]
    question = bool(inputs.question or extra_q)
    complaint = bool(inputs.complaint or extra_c)
    request = bool(inputs.request)
    asks = question or complaint or request
    negative = inputs.english and inputs.sentiment < r.negative_below
    praise = inputs.english and inputs.sentiment >= r.praise_above and not complaint
    watched_hits = set(_hits([p for _, p in compiled.watched], toks, words))
    watched = [(term, p) for term, p in compiled.watched if p in watched_hits]
    forced = max((group_rank(t.group) for t, _ in watched if t.group is not None), default=0)
    reach = item.author_reach or 0
    big_reach = r.urgent_reach > 0 and reach >= r.urgent_reach
    issue = hot_issues.get(item.issue_id or "")
    hot = issue is not None and _is_hot(issue, r)

    urgent = (
        forced >= group_rank(TriageGroup.URGENT)
        or (negative and asks)
        or ((big_reach or hot) and (asks or negative))
    )
    reply = asks or negative or bool(watched) or (praise and r.praise_is_reply)
    group = TriageGroup.URGENT if urgent else TriageGroup.REPLY if reply else TriageGroup.NONE

    reasons: list[str] = []
    if group is not TriageGroup.NONE:
        reasons += ["negative"] if negative else []
        reasons += ["question"] if question else []
        reasons += ["complaint"] if complaint else []
        reasons += ["request"] if request else []
        reasons += [f"watched term '{p.label}'" for _, p in watched[:3]]
        reasons += [f"reach {reach:,}"] if big_reach and (asks or negative) else []
        reasons += (
            [f"in hot issue '{issue.label}'"] if hot and issue is not None and (asks or negative) else []
        )
        reasons += ["praise"] if praise and not (asks or negative) else []
    else:
        reasons.append(NOTHING)
    reasons += notes

    score = 0.0
    if group is not TriageGroup.NONE:
        score += 2.0 * max(0.0, -inputs.sentiment) if inputs.english else 0.0
        score += 1.0 * question + 1.5 * complaint + 1.0 * request
        score += sum(t.weight for t, _ in watched)
        score += math.log10(1 + reach) / 2
        score += (issue.hot_score / 2) if hot and issue is not None else 0.0
    return TriageResult(
        group,
        reasons,
        score=round(score, 3),
        evidence=evidence,
        question=question,
        complaint=complaint,
        request=request,
        negative=negative,
    )


def triage(
    item: Item,
    doc: Doc,
    rules: TriageRules | CompiledRules,
    hot_issues: Mapping[str, Issue],
    *,
    repeats: int = 1,
) -> TriageResult:
    """Triage one item from its processed text: :func:`extract_inputs` then :func:`decide`."""
    inputs = extract_inputs(doc, text=item_text(item), sentiment=item.sentiment)
    return decide(item, inputs, rules, hot_issues, repeats=repeats)


# --------------------------------------------------------------------------- which items
def item_text(item: Item) -> str:
    """The text triage reads: title and text (reviews have headlines), capped at 5,000 characters."""
    return f"{item.title}\n{item.text}".strip()[:5000]


def _handle(author: str) -> str:
    return author.strip().lower().lstrip("@").split("@", 1)[0]


def is_customer_item(item: Item, source: Source | None, settings: DeskSettings) -> bool:
    """Whether ``item`` is a customer's message that belongs in the desk.

    Customer channels (social, reviews, forums, e-mail: see
    :data:`~curator.triage.model.CUSTOMER_CHANNELS`) count; news and blog feed
    items do not, unless their source is listed in ``extra_source_ids`` (a blog
    comment feed). ``other`` counts when it came from a mentions export. The
    brand's own posts and duplicates (the same post heard through two sources,
    ``duplicate_of`` set) stay out.
    """
    if item.duplicate_of is not None:
        return False
    if item.source_id in settings.excluded_source_ids:
        return False
    own = {h.lower().lstrip("@") for h in settings.own_handles}
    if item.author and _handle(item.author) in own:
        return False
    if item.source_id in settings.extra_source_ids:
        return True
    if item.channel == Channel.OTHER:
        return source is not None and source.kind == SourceKind.MENTIONS
    return item.channel in settings.customer_channels
