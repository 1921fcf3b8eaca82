"""Turn a fetched document into a feed Curator can store: RSS, Atom, RDF or JSON Feed.

feedparser does the reading (every RSS dialect, Atom 0.3 and 1.0, RDF, the
encoding rules of RFC 3023, broken XML through its lenient fallback). We add
what a newsroom needs on top: display HTML sanitised by nh3 (not by
feedparser's older sanitiser), plain text for NLP, trustworthy UTC dates,
absolute links, and health sentences a user can act on instead of
feedparser's ``bozo`` flag and exception objects.

feedparser 6.0 does not read JSON Feed, so JSON documents are read with the
standard library's ``json`` and mapped field by field (JSON Feed is plain
JSON; there is nothing to parse by hand).

``parse_feed`` never raises for what a server sends: whatever the body, the
result says what was found (``entries``), what was odd (``warning``) or why
nothing is usable (``error``).
"""

from __future__ import annotations

import html as html_lib
import io
import json
import re
import xml.sax
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from curator.ingest.dates import parse_date
from curator.ingest.sanitize import html_to_text, is_web_url, sanitize_html

__all__ = ["ParsedEntry", "ParsedFeed", "feedparser_response_headers", "parse_feed"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_JSON_TYPES = ("application/feed+json", "application/json")
_JSON_FEED_VERSIONS = {
    "https://jsonfeed.org/version/1": "json10",
    "https://jsonfeed.org/version/1.1": "json11",
}
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_FEED_START = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)[\s>/]", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


@dataclass
class ParsedEntry:
    """One item of a feed, ready to become an ``Item``."""

    guid: str = ""
    url: str = ""
    title: str = ""
    html: str = ""
    text: str = ""
    author: str = ""
    published_at: datetime | None = None
    categories: list[str] = field(default_factory=list)
    enclosures: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    """What one fetched document held, and how healthy it was.

    ``warning`` and ``error`` are sentences for the source's health display:
    a warning means items were read despite a problem; an error means nothing
    usable was found. ``is_html`` tells the caller to try feed discovery.
    """

    title: str = ""
    site_url: str = ""
    language: str = ""
    ttl_minutes: int | None = None
    entries: list[ParsedEntry] = field(default_factory=list)
    warning: str = ""
    error: str = ""
    is_html: bool = False
    format: str = ""


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Read a feed document as fetched, whatever state it is in.

    Args:
        body: The response body, undecoded (the encoding is worked out from
            the headers, the BOM and the XML declaration, as RFC 3023 says).
        url: The address the body came from; relative links resolve against it.
        headers: The HTTP response headers, if any. ``Content-Type`` decides
            between a charset and the XML declaration when they disagree;
            ``Content-Location`` overrides ``url`` as the base.

    Returns:
        The feed. ``error`` is set when the body holds no feed (with
        ``is_html`` when it is a web page); ``warning`` when it was read
        despite a problem.
    """
    response_headers = feedparser_response_headers(url, headers)
    if not body.strip():
        return ParsedFeed(error="The server returned an empty document instead of a feed.")
    if _looks_like_json(body, response_headers.get("content-type", "")):
        return _parse_json_feed(body, response_headers["content-location"])
    try:
        # A BytesIO, never bare bytes or str: feedparser treats a string as a
        # file name or URL to open, which untrusted input must never trigger.
        with io.BytesIO(body) as stream:
            result = feedparser.parse(
                stream,
                response_headers=response_headers,
                sanitize_html=False,
                resolve_relative_uris=False,
            )
    except Exception as exc:  # a crash inside the library must not stop a refresh
        return ParsedFeed(error=f"Curator could not read this document as a feed ({exc}).")
    return _from_feedparser(result, body, response_headers)


def feedparser_response_headers(url: str, headers: Mapping[str, str] | None) -> dict[str, str]:
    """The response headers to hand feedparser so it behaves as if it had fetched ``url``.

    feedparser keys headers in lower case. It learns the document's address
    only from ``Content-Location`` when it did not fetch the body itself, so
    that header is made absolute against ``url`` (or set to ``url``), and an
    unsafe one (``javascript:``) is replaced by ``url``. When the server named
    no ``Content-Type``, feedparser would flag even a perfect feed as not XML
    and fall back to ISO-8859-1; a missing type is read as ``application/xml``
    instead, which leaves the choice of encoding to the document itself,
    exactly as for a feed read from a file.

    Args:
        url: The address the body was fetched from.
        headers: The response headers as received (any capitalisation).

    Returns:
        A new dict with lower-case keys.
    """
    result = {str(key).strip().lower(): str(value).strip() for key, value in (headers or {}).items()}
    base = url if is_web_url(url) else ""
    location = result.get("content-location", "")
    resolved = _join(base, location) if location else base
    result["content-location"] = resolved if is_web_url(resolved) else base
    if not result.get("content-type"):
        result["content-type"] = "application/xml"
    return result


# --- feedparser results ---------------------------------------------------------------------------------


def _from_feedparser(result: Any, body: bytes, headers: Mapping[str, str]) -> ParsedFeed:
    base = headers["content-location"]
    feed = result.get("feed") or {}
    version = _text(result.get("version"))
    raw_entries = result.get("entries") or []
    parsed = ParsedFeed(
        title=_detail_text(feed, "title"),
        site_url=_web_url(_text(feed.get("link")), base),
        language=_text(feed.get("language")),
        ttl_minutes=_ttl(feed.get("ttl")),
        entries=[_entry(entry, base) for entry in raw_entries if isinstance(entry, dict)],
        format=version,
    )
    problem = _describe_bozo(result.get("bozo_exception"), _line_offset(body)) if result.get("bozo") else ""
    if not version and not parsed.entries:
        if _looks_like_html(body, headers.get("content-type", "")):
            parsed.is_html = True
            parsed.error = "This address returns an HTML page, not a feed."
        elif problem:
            parsed.error = f"The document is not a readable feed: {problem.replace('the feed', 'it', 1)}."
        else:
            parsed.error = "The document is not a feed (it has no RSS, Atom or RDF root element)."
        return parsed
    if problem:
        parsed.warning = f"{_capitalise(problem)}; {_read_count(len(parsed.entries))}"
    return parsed


def _entry(entry: dict[str, Any], feed_base: str) -> ParsedEntry:
    title = _detail_text(entry, "title")
    body_html, body_base = _entry_body(entry)
    display = sanitize_html(body_html, body_base or feed_base) if body_html else ""
    return ParsedEntry(
        guid=_text(entry.get("id")),
        url=_web_url(_text(entry.get("link")), feed_base),
        title=title,
        html=display,
        text=_join_text(title, html_to_text(display)),
        author=_author(entry),
        # dict.get: FeedParserDict's own get() maps a missing "updated" to
        # "published" with a DeprecationWarning; we want the raw fields.
        published_at=_first_date(dict.get(entry, key) for key in ("published", "updated", "created")),
        categories=_unique(
            _text(tag.get("term")) or _text(tag.get("label"))
            for tag in entry.get("tags") or []
            if isinstance(tag, Mapping)
        ),
        enclosures=_unique(
            _web_url(_text(enclosure.get("href")), feed_base)
            for enclosure in entry.get("enclosures") or []
            if isinstance(enclosure, Mapping)
        ),
    )


def _entry_body(entry: Mapping[str, Any]) -> tuple[str, str]:
    """The entry's fullest HTML (content before summary) and the base it was written against."""
    candidates = [c for c in entry.get("content") or [] if isinstance(c, Mapping)]
    candidates.sort(key=lambda c: _text(c.get("type")) == "text/plain")  # markup first, stable
    summary = entry.get("summary_detail")
    if isinstance(summary, Mapping):
        candidates.append(summary)
    elif entry.get("summary"):
        candidates.append({"value": entry.get("summary"), "type": "text/html"})
    for candidate in candidates:
        value = _text(candidate.get("value"))
        if value.strip():
            if _text(candidate.get("type")) == "text/plain":
                value = _plain_to_html(value)
            return value, _text(candidate.get("base"))
    return "", ""


def _detail_text(container: Mapping[str, Any], key: str) -> str:
    """A title-like field as plain text, whether the feed declared it text or markup."""
    value = _text(container.get(key))
    detail = container.get(f"{key}_detail")
    kind = _text(detail.get("type")) if isinstance(detail, Mapping) else "text/plain"
    if kind in _HTML_TYPES or kind == "html":
        return html_to_text(value)
    # Plain text is often escaped twice by the publisher ("Tom &amp;amp; Jerry").
    return " ".join(html_lib.unescape(value).split())


def _author(entry: Mapping[str, Any]) -> str:
    detail = entry.get("author_detail")
    name = _text(detail.get("name")) if isinstance(detail, Mapping) else ""
    return " ".join((name or _text(entry.get("author"))).split())


def _describe_bozo(exc: object, line_offset: int) -> str:
    """Word feedparser's complaint as the middle of a sentence a user can act on."""
    if isinstance(exc, xml.sax.SAXParseException):
        line = max(1, (exc.getLineNumber() or 1) + line_offset)
        reason = exc.getMessage().removeprefix("not well-formed").strip(" ()") or "syntax error"
        return f"the feed is not well-formed XML ({reason} at line {line})"
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return f"the feed's character encoding is declared wrongly ({exc})"
    if isinstance(exc, feedparser.CharacterEncodingUnknown):
        return "the feed's character encoding cannot be recognised"
    if isinstance(exc, feedparser.NonXMLContentType):
        media_type = str(exc).split(" is not ", 1)[0].split(";", 1)[0].strip()
        return f"the server labels the feed as {media_type}, not as an XML feed type"
    if isinstance(exc, feedparser.UndeclaredNamespace):
        return f"the feed uses an undeclared XML namespace ({exc})"
    if exc is None:
        return "the feed is not well-formed"
    return f"the feed is not well-formed ({exc})"


def _line_offset(body: bytes) -> int:
    """How to correct feedparser's line numbers so they match the document the user has.

    feedparser re-encodes the body to UTF-8 and, when it has no XML
    declaration, adds one on a line of its own, which shifts every line by one.
    """
    head = body[:256]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return 0 if head.replace(b"\x00", b"").startswith(b"<?xml") else -1


def _read_count(count: int) -> str:
    if count == 0:
        return "Curator found no items in it."
    return f"Curator read {count} item{'s' if count != 1 else ''} from it anyway."


# --- JSON Feed --------------------------------------------------------------------------------------


def _looks_like_json(body: bytes, content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _JSON_TYPES:
        return True
    try:
        start = body[:64].decode(json.detect_encoding(body[:64]), "ignore")
    except (LookupError, ValueError):
        return False
    return start.lstrip("\ufeff \t\r\n").startswith("{")


def _parse_json_feed(body: bytes, base: str) -> ParsedFeed:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        reason = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return ParsedFeed(error=f"The document looks like JSON but cannot be read ({reason}).")
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return ParsedFeed(error="The document is JSON but not a JSON Feed (it has no list of items).")
    version = _text(document.get("version")).rstrip("/")
    parsed = ParsedFeed(
        title=_detail_text({"title": document.get("title")}, "title"),
        site_url=_web_url(_text(document.get("home_page_url")), base),
        language=_text(document.get("language")),
        entries=[_json_entry(item, base) for item in document["items"] if isinstance(item, dict)],
        format=_JSON_FEED_VERSIONS.get(version, "json"),
    )
    if version not in _JSON_FEED_VERSIONS:
        parsed.warning = (
            "The JSON document does not name a JSON Feed version Curator knows; "
            f"{_read_count(len(parsed.entries))}"
        )
    return parsed


def _json_entry(item: Mapping[str, Any], feed_base: str) -> ParsedEntry:
    url = _web_url(_text(item.get("url")), feed_base) or _web_url(_text(item.get("external_url")), feed_base)
    title = _detail_text({"title": item.get("title")}, "title")
    if _text(item.get("content_html")).strip():
        body_html = _text(item.get("content_html"))
    else:
        body_html = _plain_to_html(_text(item.get("content_text")) or _text(item.get("summary")))
    display = sanitize_html(body_html, url or feed_base) if body_html else ""
    # JSON Feed 1.1 has a list of authors; 1.0 had a single author object.
    authors = item.get("authors")
    if not isinstance(authors, list):
        authors = [item.get("author")]
    guid = item.get("id")
    return ParsedEntry(
        guid=str(guid) if isinstance(guid, str | int) and not isinstance(guid, bool) else "",
        url=url,
        title=title,
        html=display,
        text=_join_text(title, html_to_text(display)),
        author=", ".join(_unique(_text(a.get("name")) for a in authors if isinstance(a, Mapping))),
        published_at=_first_date(item.get(key) for key in ("date_published", "date_modified")),
        categories=_unique(_text(tag) for tag in item.get("tags") or [] if isinstance(tag, str)),
        enclosures=_unique(
            _web_url(_text(attachment.get("url")), feed_base)
            for attachment in item.get("attachments") or []
            if isinstance(attachment, Mapping)
        ),
    )


# --- small helpers ------------------------------------------------------------------------------------


def _looks_like_html(body: bytes, content_type: str) -> bool:
    """Whether a body that held no feed is a web page (so feed discovery is worth a try)."""
    if content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES:
        return True
    head = body[:4096]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.replace(b"\x00", b"")  # UTF-16/32 pages: the markup is still ASCII
    html_match = _HTML_START.search(head)
    feed_match = _FEED_START.search(head)
    return html_match is not None and (feed_match is None or html_match.start() < feed_match.start())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _plain_to_html(text: str) -> str:
    return html_lib.escape(text).replace("\n", "<br>")


def _join_text(title: str, body: str) -> str:
    return "\n\n".join(part for part in (title, body) if part)


def _join(base: str, url: str) -> str:
    try:
        return urljoin(base, url.strip())
    except ValueError:
        return ""


def _web_url(url: str, base: str) -> str:
    """``url`` made absolute against ``base``, or '' unless it is http(s) (no javascript:, no files)."""
    if not url.strip():
        return ""
    absolute = _join(base, url)
    return absolute if is_web_url(absolute) else ""


def _ttl(value: object) -> int | None:
    text = _text(value).strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def _first_date(values: Iterable[object]) -> datetime | None:
    for value in values:
        found = parse_date(value) if isinstance(value, str) else None
        if found is not None:
            return found
    return None


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = value.strip()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
