"""Make feed HTML safe to display, and turn it into plain text for NLP and search.

Everything a feed carries is written by strangers, so display HTML goes
through nh3 (the Rust ``ammonia`` sanitiser, which parses like a browser)
with a short allow-list meant for *reading*: text structure, links, tables.
Nothing that fetches from the network survives: remote images are how
newsletters and trackers learn that (and when, and from where) someone read
an item, and Curator must not phone home on the user's behalf. So every
image, media element and frame is removed; an image's ``alt`` text is kept
in its place so the sentence still reads.

lxml runs a first pass because nh3 cannot do two things we want: find the
author's ``<base href>`` and replace images by their ``alt`` text. nh3 is the
last step and alone decides what is safe; lxml's output is just its input.

``<base href>``: honoured. A browser resolves an item's relative links
against the first ``<base href>`` (itself resolved against the item's own
URL), so that is what the author meant. Only an http(s) base is accepted,
and the element itself never reaches the output, so it cannot re-point links
elsewhere in our viewer.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import nh3

__all__ = ["ALLOWED_TAGS", "LINK_REL", "html_to_text", "sanitize_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr", "div", "span", "a",
        "em", "strong", "b", "i", "u", "s", "small", "mark", "cite", "del", "ins",
        "abbr", "sub", "sup", "q", "blockquote", "code", "pre", "kbd", "samp", "var",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
        "figure", "figcaption",
    }
)  # fmt: skip

# Removed together with everything inside them: code, styling, embedded
# documents and media (which fetch from the network), form controls, and
# islands of foreign markup whose text is not prose.
_DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "template", "noscript", "title",
        "iframe", "frame", "frameset", "noframes", "object", "embed", "applet", "param",
        "video", "audio", "picture", "source", "track", "canvas", "map", "area",
        "svg", "math",
        "select", "option", "optgroup", "datalist", "textarea", "button",
    }
)  # fmt: skip

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    # No ``cite``: nh3 checks URL schemes only in href/src, so a cite could
    # carry javascript: through; it is invisible to readers anyway.
    "del": {"datetime"},
    "ins": {"datetime"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"},
    "colgroup": {"span"},
}

LINK_REL = "nofollow noopener noreferrer"
_URL_SCHEMES = {"http", "https", "mailto"}

# Elements whose boundaries are line breaks in plain text; the rest are inline.
_BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol",
        "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPH_TAGS: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "figure"}
)
_TEXT_DROP_TAGS = ("script", "style", "template", "noscript", "title", "head", "svg", "math", "select")

_URL_TABS_NEWLINES = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def sanitize_html(html: str, base_url: str) -> str:
    """Make untrusted feed HTML safe and quiet for display.

    Args:
        html: An item's HTML exactly as the feed gave it (a fragment or a page).
        base_url: Where the HTML came from (the item's ``xml:base`` or the
            feed's address); relative links are resolved against it, or against
            an http(s) ``<base href>`` in ``html`` when there is one.

    Returns:
        HTML holding only reading markup; links are absolute http(s) or mailto
        and carry ``rel="nofollow noopener noreferrer"``. Images, media, frames,
        scripts, styles, forms and event handlers are gone. Empty when nothing
        readable is left.
    """
    doc = _parse(html)
    if doc is None:
        return ""
    base = _effective_base(doc, base_url)
    _images_to_alt_text(doc)
    _trim_urls(doc)
    prepared = lxml.etree.tostring(doc, encoding="unicode", method="html")
    if base:
        try:
            return _clean(prepared, ("rewrite_with_base", base))
        except ValueError:
            pass  # a base nh3's URL parser refuses (bad port, bad host): resolve nothing
    # A relative link with no usable base would point into our own viewer.
    return _clean(prepared, "deny")


def _clean(prepared: str, url_relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str]) -> str:
    cleaned = nh3.clean(
        prepared,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        url_relative=url_relative,
    )
    return cleaned.strip()


def html_to_text(html: str) -> str:
    """Reduce HTML (or plain text) to readable plain text for NLP and search.

    Block elements and ``<br>`` become line breaks, a paragraph ends with a
    blank line, entities are decoded, runs of spaces collapse, and the content
    of scripts, styles and similar non-prose elements is dropped, so a topic
    model sees words, not markup or code.

    Args:
        html: Markup or plain text, possibly ill-formed.

    Returns:
        Plain text with no markup; empty when there is no text.
    """
    doc = _parse(html)
    if doc is None:
        return ""
    lxml.etree.strip_elements(doc, *_TEXT_DROP_TAGS, with_tail=False)
    text = _TextWriter()
    for event, element in lxml.etree.iterwalk(doc, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS or tag == "br":
                text.line_break(1)
            elif tag == "img":
                text.write(f" {element.get('alt') or ''} ")
            text.write(element.text or "")
        else:
            if tag in _PARAGRAPH_TAGS:
                text.line_break(2)
            elif tag in _BLOCK_TAGS:
                text.line_break(1)
            elif tag in ("td", "th"):
                text.write(" ")
            text.write(element.tail or "")
    return text.result()


class _TextWriter:
    """Collects text, merging the line breaks that nested blocks ask for.

    ``<li><p>x</p></li>`` asks for several breaks in a row; only the largest
    counts, and none is written before the first text, so the output has
    neither runs of blank lines nor leading ones.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pending = 0

    def line_break(self, count: int) -> None:
        self._pending = max(self._pending, count)

    def write(self, text: str) -> None:
        if not text:
            return
        if text.strip():
            if self._pending and self._parts:
                self._parts.append("\n" * self._pending)
            self._pending = 0
        self._parts.append(text.replace("\n", " "))

    def result(self) -> str:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(self._parts).split("\n"))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _parse(markup: str) -> lxml.html.HtmlElement | None:
    """Parse markup leniently and offline; None when there is nothing to parse.

    The text is handed over as UTF-8 bytes with the encoding fixed, so an XML
    declaration or a ``<meta charset>`` inside an item cannot change how it is
    read (lxml refuses ``str`` input that carries an encoding declaration).
    """
    if not markup or not markup.strip():
        return None
    data = markup.replace("\x00", "\ufffd").encode("utf-8", "replace")
    # A parser per call: lxml parser objects must not be shared across threads.
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def _effective_base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    """The absolute http(s) URL relative links resolve against, or '' if none is known."""
    base = base_url.strip() if is_web_url(base_url.strip()) else ""
    for element in doc.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            try:
                candidate = urljoin(base, href)
            except ValueError:
                candidate = ""
            if is_web_url(candidate):
                base = candidate
            break
    return base


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _trim_urls(doc: lxml.html.HtmlElement) -> None:
    r"""Clean link targets the way a browser's URL parser does, before nh3 judges them.

    Browsers drop tabs and newlines anywhere in a URL and spaces or control
    characters around it; nh3 does not, so ``" java\tscript:..."`` would look
    relative to it. Cleaned first, the scheme shows and nh3 refuses it.
    """
    for element in doc.iter("a"):
        value = element.get("href")
        if value is not None:
            cleaned = _URL_TABS_NEWLINES.sub("", value).strip(_C0_AND_SPACE)
            if cleaned != value:
                element.set("href", cleaned)


def _images_to_alt_text(doc: lxml.html.HtmlElement) -> None:
    """Replace every ``<img>`` by its alt text, so no image is ever fetched."""
    for image in list(doc.iter("img")):
        alt = " ".join((image.get("alt") or "").split())
        image.tail = (f" {alt} " if alt else "") + (image.tail or "")
        image.drop_tree()
