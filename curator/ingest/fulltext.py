"""Full text of article pages, for feeds that carry only a teaser.

The page is fetched by Curator's own :class:`~curator.ingest.http.Fetcher`
(limits, User-Agent, robots.txt checked on every hop) and only then handed
to trafilatura as bytes, so trafilatura never opens a connection itself:
its downloader has neither our limits nor our robots.txt policy.

Extracted texts are cached on disk, one file per URL, because an article
rarely changes and editors open the same item several times; a cached page
costs no request at all.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from curator.ingest.http import HTML_ACCEPT, Fetcher, FetchRequest, redirect_loop_error, validate_url
from curator.ingest.robots import RobotsPolicy
from curator.store.files import atomic_write

log = logging.getLogger(__name__)

_PAGE_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
# Longest Crawl-delay wait a worker thread sits through; longer asks are deferred.
MAX_CRAWL_WAIT = 10.0


def extract_text(html: bytes | str, url: str) -> str:
    """The main text of an article page, or "" when none is found.

    Precision is favoured over recall: a teaser plus a missing paragraph is
    better in a newsroom than an article salted with menus, cookie banners
    and "related stories". So trafilatura runs in its precision mode and
    without its recall-oriented fallback extractors (``fast``), which would
    otherwise return the menu of a page that has no article. Comments are
    left out: they are not the publisher's words.

    Args:
        html: the page as fetched (bytes: trafilatura finds the encoding).
        url: the page's address, used to resolve relative links only.
    """
    if not html:
        return ""
    try:
        text = trafilatura.extract(
            html,
            url=url or None,
            favor_precision=True,
            fast=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=False,
            output_format="txt",
        )
    except Exception:  # A hostile page must cost one empty text, never the batch.
        log.warning("Text extraction failed for %s", url, exc_info=True)
        return ""
    return (text or "").strip()


@dataclass(frozen=True)
class FullTextResult:
    """The article text, or an error sentence a user can act on.

    Attributes:
        text: the extracted text ("" on error).
        error: why there is no text ("" on success).
        from_cache: served from the disk cache without any request.
    """

    text: str
    error: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


class FullTextService:
    """Fetches, extracts and caches article texts, politely; safe to share between worker threads."""

    def __init__(
        self,
        fetcher: Fetcher,
        robots: RobotsPolicy,
        cache_dir: Path,
        *,
        max_crawl_wait: float = MAX_CRAWL_WAIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Set up the service.

        Args:
            fetcher: fetches the pages (usually the one ``robots`` uses).
            robots: says which pages may be fetched.
            cache_dir: folder of cached texts; created when needed.
            max_crawl_wait: the longest wait for a site's Crawl-delay; a
                longer one makes :meth:`get` answer "later" instead of
                blocking a worker thread.
            clock: monotonic seconds, injectable for tests.
            sleep: how to wait, injectable for tests.
        """
        self.fetcher = fetcher
        self.robots = robots
        self.cache_dir = cache_dir
        self._max_crawl_wait = max_crawl_wait
        self._clock = clock
        self._sleep = sleep
        self._next_turn: dict[str, float] = {}
        self._lock = threading.Lock()

    def cache_path(self, url: str) -> Path:
        """The cache file of ``url`` (named by a hash: URLs are no file names)."""
        return self.cache_dir / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.txt"

    def cached(self, url: str) -> str | None:
        """The cached text of ``url``, or None."""
        try:
            return self.cache_path(url).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def get(self, url: str) -> FullTextResult:
        """The article text of ``url``: from the cache, else fetched and extracted.

        robots.txt is asked before every request, redirects included, so a
        disallowed page is never requested. Only successful extractions are
        cached: an error or an empty page is tried again next time.
        """
        problem = validate_url(url)
        if problem is not None:
            return FullTextResult("", str(problem))
        text = self.cached(url)
        if text is not None:
            return FullTextResult(text, from_cache=True)
        chain = [url]
        current = url
        for _ in range(self.fetcher.limits.max_redirects + 1):
            if not self.robots.allowed(current):
                return FullTextResult(
                    "", f"robots.txt of {_host(current)} does not allow fetching this page."
                )
            refusal = self._wait_turn(current)
            if refusal:
                return FullTextResult("", refusal)
            result = self.fetcher.fetch_one(
                FetchRequest(url=current, accept=HTML_ACCEPT, follow_redirects=False)
            )
            if result.redirect_location is None:
                break
            current = result.redirect_location
            chain.append(current)
            problem = validate_url(current)
            if problem is not None:
                return FullTextResult("", f"The page redirects elsewhere: {problem}")
        else:
            return FullTextResult("", str(redirect_loop_error(chain, self.fetcher.limits.max_redirects)))
        if result.error is not None:
            return FullTextResult("", str(result.error))
        content_type = result.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type and content_type not in _PAGE_TYPES:
            return FullTextResult(
                "",
                f"The address leads to a {content_type} file, not a web page; Curator reads only web pages.",
            )
        text = extract_text(result.body or b"", result.final_url)
        if not text:
            return FullTextResult("", "Curator found no article text on this page; open it in your browser.")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # The cache can be rebuilt, so one fsync of the file is enough (no folder sync).
        atomic_write(self.cache_path(url), text.encode("utf-8"), sync_dir=False)
        return FullTextResult(text)

    def _wait_turn(self, url: str) -> str:
        """Wait for the site's Crawl-delay; an error sentence when the wait would be too long."""
        delay = self.robots.crawl_delay(url)
        if not delay:
            return ""
        host = _host(url)
        with self._lock:
            now = self._clock()
            start = max(now, self._next_turn.get(host, now))
            wait = start - now
            if wait > self._max_crawl_wait:
                return (
                    f"robots.txt of {host} asks for {delay:g} s between requests; "
                    "Curator will fetch this page later."
                )
            self._next_turn[host] = start + delay
        if wait > 0:
            self._sleep(wait)
        return ""
