"""Mask personal data before a text is shown on a shared screen or exported.

Regexes find what has a shape (e-mail addresses, phone numbers, @handles and
u/handles, payment card numbers, IBANs); spaCy's NER finds person names,
which have none. The phone pattern is the delicate part: customers write
dates, times, prices, order and version numbers next to phone numbers, and
masking those would make a complaint unreadable. So a phone number must look
like one (a leading "+", "00", "0" or "(area)", or the US 3-3-4 grouping),
have 7 (with "+") or 8 to 15 digits (E.164's maximum), not be glued to "#", a currency sign
or a decimal point, and not have the shape of a date. Card numbers must pass
the Luhn check and IBANs the ISO 13616 mod-97 check, so that ordinary long
numbers stay visible.

URLs are left as they are (they rarely identify a person and are needed to
follow up), but digits inside them are never taken for phone or card numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc

from curator.nlp.pipeline import LoadedPipeline, load_pipeline

__all__ = ["KINDS", "REPLACEMENTS", "Finding", "MaskResult", "mask_personal_data"]

#: What each kind of finding is replaced with.
REPLACEMENTS: dict[str, str] = {
    "email": "[email]",
    "phone": "[phone]",
    "handle": "@[handle]",
    "person": "[name]",
    "card": "[card]",
    "iban": "[iban]",
}
KINDS = tuple(REPLACEMENTS)

# When findings overlap, the merged span keeps the kind listed first.
_PRIORITY = {kind: rank for rank, kind in enumerate(("email", "iban", "card", "phone", "handle", "person"))}


@dataclass(frozen=True)
class Finding:
    """One masked span of the original text (``text[start:end]``)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class MaskResult:
    """The masked text and what was masked.

    Attributes:
        masked: The text with each finding replaced by its token (see :data:`REPLACEMENTS`).
        findings: Merged, non-overlapping spans of the original text, in order.
        names_checked: False when no NER was available, so person names may remain;
            the UI should say so rather than imply the text is clean.
    """

    masked: str
    findings: list[Finding] = field(default_factory=list)
    names_checked: bool = True


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_AT_HANDLE = re.compile(r"(?<![\w@/.])@(\w{1,30})")
_U_HANDLE = re.compile(r"(?<![\w/])(u)/([A-Za-z0-9_-]{3,20})\b")

_SEP = r"[ .\-/]"
_PHONE = re.compile(
    r"(?<![\w#@$€£¥+.,/:-])"
    r"(?:"
    # international: +49 30 1234567, +1 (555) 123-4567, 0044 20 7946 0958, +49 (0)30 1234567
    rf"(?:\+|00(?=[1-9]))\d{{1,3}}{_SEP}?(?:\(0\){_SEP}?)?\(?\d{{1,5}}\)?(?:{_SEP}?\d{{2,}}){{1,4}}"
    # area code in parentheses: (555) 123-4567, (030) 1234567
    rf"|\(\d{{2,5}}\){_SEP}?\d{{3,4}}(?:{_SEP}?\d{{2,4}}){{0,2}}"
    # national trunk prefix: 020 7946 0958, 0151-23456789, 030/1234567
    rf"|0[1-9]\d{{0,3}}(?:{_SEP}?\d{{2,}}){{1,4}}"
    # North American without area parentheses: 555-123-4567, 555.123.4567
    r"|\d{3}[.\-]\d{3}[.\-]\d{4}"
    r")"
    r"(?!\d)(?![.,:/\-]\d)(?![€$£¥%])"
)
_DATE_SHAPE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}([./-])\d{1,2}\2\d{1,2}")
# Cards are written unbroken or in the printed groups (4-4-4-4[-1..3], Amex 4-6-5).
_CARD = re.compile(
    r"(?<![\w#.,])(?:\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}[ \-]\d{6}[ \-]\d{5}|\d{13,19})"
    r"(?![ \-]?\d)(?![\w.,]\d)"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")


def _spans_overlap(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    iban = candidate.replace(" ", "")
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _regex_findings(text: str, keep: frozenset[str]) -> list[Finding]:
    found: list[Finding] = []
    urls = [m.span() for m in _URL.finditer(text)]
    for m in _EMAIL.finditer(text):
        found.append(Finding("email", m.start(), m.end()))
    iban_shaped = [m.span() for m in _IBAN.finditer(text)]
    for m in _IBAN.finditer(text):
        if _iban_ok(m.group()) and not _spans_overlap(*m.span(), urls):
            found.append(Finding("iban", m.start(), m.end()))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        # The digits of an IBAN (even a mistyped one) pass Luhn one time in ten.
        protected = _spans_overlap(*m.span(), urls) or _spans_overlap(*m.span(), iban_shaped)
        if 13 <= len(digits) <= 19 and _luhn_ok(digits) and not protected:
            found.append(Finding("card", m.start(), m.end()))
    for m in _PHONE.finditer(text):
        value = m.group()
        n_digits = sum(ch.isdigit() for ch in value)
        min_digits = 7 if value.startswith("+") else 8  # "order 0012345" is not a phone
        if not min_digits <= n_digits <= 15 or _DATE_SHAPE.fullmatch(value):
            continue
        if _spans_overlap(*m.span(), urls) or _spans_overlap(*m.span(), iban_shaped):
            continue
        found.append(Finding("phone", m.start(), m.end()))
    for m in _AT_HANDLE.finditer(text):
        name = m.group(1).rstrip(".").lower()
        if name and name not in keep and not _spans_overlap(*m.span(), urls):
            found.append(Finding("handle", m.start(), m.end()))
    for m in _U_HANDLE.finditer(text):
        if m.group(2).lower() not in keep and not _spans_overlap(*m.span(), urls):
            found.append(Finding("handle", m.start(), m.end()))
    return found


def _not_needed_for_ner(pipe: LoadedPipeline) -> list[str]:
    """Components NER does not depend on: skipping them makes masking about three times faster.

    A shared embedding layer (tok2vec, transformer) is kept when NER listens to it,
    as in transformer pipelines; en_core_web_sm's NER has its own.
    """
    needed = {"ner"}
    for name, component in pipe.nlp.pipeline:
        if "ner" in getattr(component, "listening_components", ()):
            needed.add(name)
    return [name for name in pipe.nlp.pipe_names if name not in needed]


def _person_findings(doc: Doc) -> list[Finding]:
    return [Finding("person", ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "PERSON"]


def _merge(findings: list[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, f.kind, key=_PRIORITY.__getitem__)
            merged[-1] = Finding(kind, last.start, max(last.end, f.end))
        else:
            merged.append(f)
    return merged


def _replacement(text: str, finding: Finding) -> str:
    if finding.kind == "handle" and text.startswith("u/", finding.start):
        return "u/[handle]"
    return REPLACEMENTS[finding.kind]


def mask_personal_data(
    text: str,
    *,
    doc: Doc | None = None,
    pipeline: LoadedPipeline | None = None,
    keep_handles: Iterable[str] = (),
) -> MaskResult:
    """Replace personal data in ``text`` with placeholders such as "[email]" and "[name]".

    Args:
        text: The text to mask.
        doc: An already processed ``Doc`` of exactly this text (e.g. from analysis),
            which saves running NER again; it must carry entity annotation to be used.
        pipeline: The pipeline used for person names when no ``doc`` is given;
            defaults to :func:`load_pipeline`. Only its NER is run.
        keep_handles: The brand's own handles (with or without "@"), which are public
            and needed to read the conversation, so they are never masked.

    Returns:
        The masked text, the merged findings, and whether person names were checked.

    Raises:
        ValueError: If ``doc`` is not a document of ``text``; its character offsets
            would mask the wrong spans.
    """
    keep = frozenset(h.lstrip("@").lower() for h in keep_handles)
    findings = _regex_findings(text, keep)
    names_checked = False
    if doc is not None:
        if doc.text != text:
            raise ValueError("The spaCy Doc passed to mask_personal_data is not a document of the text.")
        if doc.has_annotation("ENT_IOB"):
            findings += _person_findings(doc)
            names_checked = True
    if not names_checked:
        pipe = pipeline if pipeline is not None else load_pipeline()
        if pipe.has_ner:
            findings += _person_findings(next(iter(pipe.nlp.pipe([text], disable=_not_needed_for_ner(pipe)))))
            names_checked = True
    merged = _merge(findings)
    parts: list[str] = []
    pos = 0
    for f in merged:
        parts.append(text[pos : f.start])
        parts.append(_replacement(text, f))
        pos = f.end
    parts.append(text[pos:])
    return MaskResult(masked="".join(parts), findings=merged, names_checked=names_checked)
