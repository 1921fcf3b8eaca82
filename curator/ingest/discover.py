"""Find the feeds a web page advertises, so a user can paste a site's address.

Sites announce their feeds with ``<link rel="alternate" type="application/rss+xml"
href="...">`` in the page head (the autodiscovery convention every browser
and reader follows). When a page has none, links in its body whose address
looks like a feed (``/feed``, ``.rss``, ``atom.xml``) are a weaker hint, used
only as a fallback. The page is parsed with lxml's HTML parser, which never
touches the network and does not expand entities from a DTD.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

__all__ = ["FEED_TYPES", "DiscoveredFeed", "discover_feeds"]

FEED_TYPES: frozenset[str] = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)

# Address endings that suggest a feed when a page only links to it; sitemaps
# end in .xml too, and are not feeds.
_FEEDISH_ENDINGS = (".rss", ".rdf", ".atom", ".xml", "/atom", "/feed", "/rss", "feed.json")
_NOT_FEEDS = ("sitemap",)


@dataclass(frozen=True)
class DiscoveredFeed:
    """A feed a page points to: its absolute address, its title and media type.

    ``type`` is empty when the address was guessed from an ordinary link.
    """

    url: str
    title: str
    type: str


def discover_feeds(html: bytes | str, base_url: str) -> list[DiscoveredFeed]:
    """List the feeds a page advertises, best first.

    Args:
        html: The page as fetched; bytes are decoded by lxml from the page's
            own ``<meta charset>``.
        base_url: The page's address; relative ``href`` values resolve against
            it, or against the page's ``<base href>`` when it has one (as a
            browser does).

    Returns:
        The ``<link rel="alternate">`` feeds in document order, de-duplicated;
        or, only if there are none, the ``<a href>`` links that look like feeds.
        Empty when the page advertises nothing (or is not HTML at all).
    """
    doc = _parse(html)
    if doc is None:
        return []
    base = _page_base(doc, base_url)
    found = _unique(_alternate_links(doc, base))
    return found or _unique(_feedish_anchors(doc, base))


def _parse(html: bytes | str) -> lxml.html.HtmlElement | None:
    if isinstance(html, str):
        if not html.strip():
            return None
        data = html.replace("\x00", "\ufffd").encode("utf-8", "replace")
        parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True)
    else:
        if not html.strip():
            return None
        data = html
        parser = lxml.html.HTMLParser(no_network=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def _page_base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    for element in doc.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            candidate = _absolute(base_url, href)
            return candidate or base_url
    return base_url


def _alternate_links(doc: lxml.html.HtmlElement, base: str) -> list[DiscoveredFeed]:
    feeds = []
    for link in doc.iter("link"):
        rel_tokens = (link.get("rel") or "").lower().split()
        media_type = (link.get("type") or "").split(";", 1)[0].strip().lower()
        if "alternate" not in rel_tokens or media_type not in FEED_TYPES:
            continue
        url = _absolute(base, link.get("href") or "")
        if url:
            feeds.append(DiscoveredFeed(url=url, title=_clean(link.get("title")), type=media_type))
    return feeds


def _feedish_anchors(doc: lxml.html.HtmlElement, base: str) -> list[DiscoveredFeed]:
    feeds = []
    for anchor in doc.iter("a"):
        url = _absolute(base, anchor.get("href") or "")
        path = urlsplit(url).path.rstrip("/").lower() if url else ""
        if not path.endswith(_FEEDISH_ENDINGS) or any(word in path for word in _NOT_FEEDS):
            continue
        title = _clean(anchor.text_content()) or _clean(anchor.get("title"))
        feeds.append(DiscoveredFeed(url=url, title=title, type=""))
    return feeds


def _absolute(base: str, href: str) -> str:
    """``href`` made absolute; '' unless it is http(s). ``feed:`` addresses are unwrapped."""
    href = href.strip()
    if not href:
        return ""
    if href.lower().startswith("feed:"):
        # feed://host/path, feed:https://host/path and even feed://http://host/path exist.
        inner = href[5:]
        if inner.lower().startswith(("//http:", "//https:")):
            inner = inner[2:]
        href = "http:" + inner if inner.startswith("//") else inner
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return parts._replace(fragment="").geturl()


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _unique(feeds: list[DiscoveredFeed]) -> list[DiscoveredFeed]:
    seen: set[str] = set()
    unique = []
    for feed in feeds:
        if feed.url not in seen:
            seen.add(feed.url)
            unique.append(feed)
    return unique
