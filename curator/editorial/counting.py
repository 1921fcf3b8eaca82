"""Text length as each platform counts it, and the links and hashtags it depends on.

Platforms do not agree on what a "character" is, and a post that the editor
sees as fitting but the platform rejects fails at publishing time, long after
anyone could fix it. So length is counted the platform's way:

``"x"``
    X's weighted count (twitter-text configuration v3): the text is NFC
    normalised; every link counts 23 whatever its length (X shortens it to a
    t.co link); an emoji counts 2 however many code points it is made of
    (skin tones, ZWJ families, flags); other code points count 1 in the ranges
    U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 and 2
    everywhere else (CJK, Hangul, and also "…" U+2026).
``"chars"``
    Unicode code points after NFC, which is what most platforms mean.
``"sms"``
    Also code points after NFC, so that a limit reads as the 160 people know;
    :func:`sms_parts` tells whether the text fits the GSM-7 alphabet or goes
    out as UCS-2, where one part holds 70 characters instead of 160
    (:func:`curator.editorial.touchpoints.check_touchpoint` warns about it).

Link detection follows twitter-text in spirit, compactly: ``http(s)://``
links, and bare domains such as ``example.com/path`` whose top-level domain
is a country code or one of the common generic ones (twitter-text knows the
full IANA list; a bare domain under a rare TLD is missed and counted as
text). Like X, it links ``readme.md`` (Moldova) but not ``node.js``, nor the
domain of an e-mail address.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "COUNTING_METHODS",
    "X_URL_LENGTH",
    "count_length",
    "find_emails",
    "find_handles",
    "find_hashtags",
    "find_links",
    "limit_offset",
    "non_gsm_characters",
    "sms_parts",
]

#: The counting methods :func:`count_length` knows.
COUNTING_METHODS: tuple[str, ...] = ("x", "chars", "sms")

#: What X charges for any link (the length of a t.co link).
X_URL_LENGTH = 23

# twitter-text v3: code points in these ranges weigh 1, all others 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# An emoji as X counts it: one unit of weight 2, whatever it is made of.
_EMOJI_BASE = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff\u2934\u2935"
    "\u3030\u303d\u3297\u3299\u203c\u2049\u2122\u2139\u24c2\u25aa-\u25fe]"
)
_EMOJI_MODS = "[\ufe0f\U0001f3fb-\U0001f3ff]*"
_EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    "|[#*0-9]\ufe0f?\u20e3"  # a keycap
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # a subdivision flag (tag sequence)
    f"|(?:{_EMOJI_BASE}|[\u00a9\u00ae]\ufe0f){_EMOJI_MODS}(?:\u200d{_EMOJI_BASE}{_EMOJI_MODS})*"
)

# Generic TLDs a bare domain may end with; every two-letter country code is accepted too.
_GENERIC_TLDS = (
    "academy agency app art asia audio bank bar biz blog boutique build business cafe camp capital care "
    "careers cat center chat city cloud club coach codes coffee college com community company consulting "
    "coop dev design digital directory eco edu education email energy engineering events expert fashion "
    "finance fit food foundation fun fund gallery games garden gay global gmbh gov green group guide guru "
    "health help holdings host house inc info ink institute insurance int international jobs kitchen land "
    "law legal life link live llc london ltd management market marketing media mil mobi moda money museum "
    "name net network news ngo nyc one online org page partners photo photography photos pizza plus press "
    "pro productions properties pub recipes rest restaurant reviews run sale school science services "
    "shop shopping show site social software solutions space store studio style support systems team tech "
    "technology tel today tools top tours town toys training travel tv university vip vision wiki win work "
    "works world wtf xyz zone"
).split()
_COUNTRY_TLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by "
    "bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi "
    "fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in "
    "io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md "
    "me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe "
    "pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st "
    "su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu "
    "wf ws ye yt za zm zw"
).split()
_TLDS = "|".join(sorted(set(_GENERIC_TLDS) | set(_COUNTRY_TLDS), key=lambda t: (-len(t), t)))

# Characters that never belong to a link: space, quotes and brackets that
# delimit it in prose or Markdown, and bidirectional controls around it.
_NOT_URL = '\\s<>"\u200e\u200f\u202a-\u202e\u2066-\u2069'
_URL = re.compile(
    # With a scheme: any host that has a dot and a letter TLD, or an IPv4 address.
    rf"(?<![\w@$#.])https?://(?:[^{_NOT_URL}/@]+@)?"
    rf"(?:[^{_NOT_URL}/?#:@.]+(?:\.[^{_NOT_URL}/?#:@.]+)*\.[^\W\d_]{{2,}}|\d{{1,3}}(?:\.\d{{1,3}}){{3}})"
    rf"(?::\d{{1,5}})?(?:[/?#][^{_NOT_URL}]*)?"
    # Without a scheme: ASCII labels of at most 63 characters and a known TLD.
    rf"|(?<![\w@$#.\-/])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})(?![a-z0-9-])"
    rf"(?::\d{{1,5}})?(?:[/?#][^{_NOT_URL}]*)?",
    re.IGNORECASE,
)
# Punctuation that ends a sentence or a Markdown construct rather than the link.
_URL_TRAILING = ".,:;!?'*~…’”"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+")
_HANDLE = re.compile(r"(?<![\w@/.])@\w{1,30}(?![\w@])")
# A hashtag starts with # after something that is not a word, "&" (an HTML
# entity) or "/" (a URL fragment); its characters are scanned by _tag_end.
_HASH = re.compile(r"(?<![\w&#＃/])[#＃]")
_TAG_JOINERS = frozenset("_\u200c\u200d")

# GSM 03.38: the basic alphabet (one septet each) and the extension table (two).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _trim_url(url: str) -> str:
    """Drop the sentence or Markdown punctuation a link ends with, keeping balanced brackets."""
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last not in _URL_TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


def find_links(text: str) -> list[tuple[int, int, str]]:
    """The links in ``text`` as ``(start, end, url)``, in order.

    Links inside Markdown (``[label](https://…)``, ``<https://…>``) are found
    too, without the brackets around them, so the same function serves
    length counting, link policies and the masking of links in brand checks.
    """
    links: list[tuple[int, int, str]] = []
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        links.append((match.start(), match.start() + len(url), url))
    return links


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """E-mail addresses in ``text`` as ``(start, end, address)``."""
    return [(m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]


def find_handles(text: str) -> list[tuple[int, int, str]]:
    """@handles in ``text`` as ``(start, end, handle)`` (not the host part of e-mail addresses)."""
    return [(m.start(), m.end(), m.group()) for m in _HANDLE.finditer(text)]


def _tag_end(text: str, start: int) -> int:
    """Where a hashtag whose body starts at ``start`` ends: letters, digits, marks, joiners."""
    end = start
    while end < len(text):
        ch = text[end]
        if ch.isalnum() or ch in _TAG_JOINERS or unicodedata.category(ch).startswith("M"):
            end += 1
        else:
            break
    return end


def find_hashtags(text: str) -> list[tuple[int, int, str]]:
    """Hashtags in ``text`` as ``(start, end, tag)``, the tag including its "#".

    A tag is made of Unicode letters, digits, combining marks and "_", and
    needs at least one letter (``#1st`` is a tag, ``#12345`` an order number
    is not). Fragments of links (``example.com/#top``) are not tags.
    """
    links = find_links(text)
    tags: list[tuple[int, int, str]] = []
    for match in _HASH.finditer(text):
        start = match.start()
        end = _tag_end(text, match.end())
        body = text[match.end() : end]
        if not any(ch.isalpha() for ch in body):
            continue
        if any(ls < end and start < le for ls, le, _ in links):
            continue
        tags.append((start, end, text[start:end]))
    return tags


# Code points outside the light ranges: they weigh 2.
_X_HEAVY = re.compile("[^" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _X_LIGHT_RANGES) + "]")


def _x_weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(lo <= code <= hi for lo, hi in _X_LIGHT_RANGES) else 2


def _x_plain_units(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    pos = start
    for match in _EMOJI.finditer(text, start, end):
        for i in range(pos, match.start()):
            yield i, i + 1, _x_weight(text[i])
        yield match.start(), match.end(), 2
        pos = match.end()
    for i in range(pos, end):
        yield i, i + 1, _x_weight(text[i])


def _units(text: str, method: str) -> Iterator[tuple[int, int, int]]:
    """The counted units of an NFC text as ``(start, end, weight)``, in order."""
    if method == "x":
        pos = 0
        for start, end, _ in find_links(text):
            yield from _x_plain_units(text, pos, start)
            yield start, end, X_URL_LENGTH
            pos = end
        yield from _x_plain_units(text, pos, len(text))
    elif method in ("chars", "sms"):
        for i in range(len(text)):
            yield i, i + 1, 1
    else:
        raise ValueError(f"Unknown counting method {method!r}; use one of {', '.join(COUNTING_METHODS)}.")


def _x_plain_length(text: str) -> int:
    total = 0
    pos = 0
    for match in _EMOJI.finditer(text):
        chunk = text[pos : match.start()]
        total += len(chunk) + len(_X_HEAVY.findall(chunk)) + 2
        pos = match.end()
    chunk = text[pos:]
    return total + len(chunk) + len(_X_HEAVY.findall(chunk))


def count_length(text: str, method: str) -> int:
    """The length of ``text`` as the platform counts it (see the module notes for ``method``).

    Raises:
        ValueError: ``method`` is not one of :data:`COUNTING_METHODS` (a programming error:
            methods come from :class:`~curator.editorial.touchpoints.TouchPointRules`).
    """
    norm = _nfc(text)
    if method in ("chars", "sms"):
        return len(norm)
    if method != "x":
        raise ValueError(f"Unknown counting method {method!r}; use one of {', '.join(COUNTING_METHODS)}.")
    # The same weights as _units, summed a chunk at a time: this runs on every keystroke.
    total = 0
    pos = 0
    for start, end, _ in find_links(norm):
        total += _x_plain_length(norm[pos:start]) + X_URL_LENGTH
        pos = end
    return total + _x_plain_length(norm[pos:])


def limit_offset(text: str, limit: int, method: str) -> int | None:
    """Where in ``text`` the count passes ``limit``: the index of the first unit that does not fit.

    None when the whole text fits. A link or an emoji is one unit, so the
    offset never falls inside one. The count is taken on the NFC form, as
    :func:`count_length` does, and mapped back to an index in ``text``.
    """
    norm = _nfc(text)
    total = 0
    passed: int | None = None
    for start, _, weight in _units(norm, method):
        if total + weight > limit:
            passed = start
            break
        total += weight
    if passed is None or norm == text:
        return passed
    # The NFC length of a prefix never shrinks as the prefix grows: search for
    # the longest prefix of the original whose NFC form ends before ``start``.
    lengths = _PrefixNfcLengths(text)
    return bisect.bisect_right(lengths, passed) - 1


class _PrefixNfcLengths:
    """``len(nfc(text[:i]))`` for ``i`` in ``0..len(text)``, computed on demand for bisect."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __len__(self) -> int:
        return len(self._text) + 1

    def __getitem__(self, i: int) -> int:
        return len(_nfc(self._text[:i]))


def non_gsm_characters(text: str) -> list[int]:
    """Indexes of the characters of ``text`` that the GSM-7 SMS alphabet cannot carry."""
    return [i for i, ch in enumerate(text) if ch not in _GSM7_BASIC and ch not in _GSM7_EXTENDED]


def sms_parts(text: str) -> tuple[str, int]:
    """How ``text`` goes out as SMS: ``("GSM-7" | "UCS-2", number of parts)``.

    One GSM-7 message holds 160 septets (characters of the extension table,
    such as "€" or "[", take two) and a part of a longer one 153; a single
    character outside GSM-7 switches the whole message to UCS-2, 70 UTF-16
    units, 67 per part. An empty text is zero parts.
    """
    norm = _nfc(text)
    if not norm:
        return "GSM-7", 0
    if not non_gsm_characters(norm):
        septets = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in norm)
        return "GSM-7", 1 if septets <= 160 else -(-septets // 153)
    units = len(norm.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else -(-units // 67)
