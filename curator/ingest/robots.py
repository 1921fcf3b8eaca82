"""robots.txt rules (RFC 9309) for full-text fetches.

Feeds are published to be polled, but fetching the article page behind a
feed item is crawling, so Curator asks each site's robots.txt first. The
rules are fetched once per scheme, host and port through the shared
:class:`~curator.ingest.http.Fetcher` (same limits, same User-Agent) and
kept in memory for 24 hours, as RFC 9309 allows.

Parsing and matching (longest match, ``*`` and ``$``, percent-encoding,
merged groups) are Protego's, the RFC 9309 parser of the Scrapy project;
this module adds what RFC 9309 asks of a crawler around it: 4xx means
everything is allowed, 5xx or unreachable means nothing is, and rules are
cached. (``urllib.robotparser`` predates RFC 9309 and answers differently:
first match instead of longest, no wildcards.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from curator.ingest.http import Fetcher, FetchErrorKind, FetchRequest, FetchResult

AGENT_TOKEN = "Curator"
CACHE_SECONDS = 24 * 3600.0
# An unreachable robots.txt blocks the whole site; ask again sooner than a day.
ERROR_CACHE_SECONDS = 30 * 60.0
_ROBOTS_ACCEPT = "text/plain, */*;q=0.1"


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one robots.txt that apply to one user-agent token.

    Attributes:
        parser: the parsed robots.txt (None when it was unavailable or unreachable).
        agent: the user-agent token whose group applies.
        crawl_delay: seconds to leave between two requests, when the group
            says so (``Crawl-delay`` is not in RFC 9309, but many sites use
            it and honouring it costs nothing).
        allow_all: True when robots.txt is unavailable (4xx): RFC 9309 lets
            crawlers fetch everything then.
        disallow_all: True when robots.txt is unreachable (5xx, network):
            RFC 9309 says to assume a complete disallow.
        reason: why the rules look the way they do, for logs and tooltips.
    """

    parser: Protego | None = None
    agent: str = AGENT_TOKEN
    crawl_delay: float | None = None
    allow_all: bool = False
    disallow_all: bool = False
    reason: str = ""

    def allowed(self, path: str) -> bool:
        """Whether ``path`` (path plus query) may be fetched: longest match wins, Allow wins ties."""
        if self.disallow_all:
            return False
        if self.allow_all or self.parser is None or path.startswith("/robots.txt"):
            return True
        return bool(self.parser.can_fetch("http://robots.invalid" + (path or "/"), self.agent))


def parse_robots(text: str, agent: str = AGENT_TOKEN) -> RobotsRules:
    """Parse a robots.txt and keep the rules for ``agent`` (or for ``*`` if no group names it)."""
    parser = Protego.parse(text)
    delay = parser.crawl_delay(agent)
    return RobotsRules(
        parser=parser,
        agent=agent,
        crawl_delay=float(delay) if delay is not None and delay >= 0 else None,
        reason="robots.txt rules",
    )


def _origin(url: str) -> tuple[str, str]:
    """(``scheme://host[:port]``, path plus query) of ``url``; the default port is left out."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    port = parts.port
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return f"{scheme}://{netloc}", path


def rules_from_result(result: FetchResult, agent: str = AGENT_TOKEN) -> RobotsRules:
    """Turn the fetch of a robots.txt into rules, per RFC 9309 section 2.3.1.

    2xx: parse. 4xx: unavailable, everything allowed, except 429, which
    (as Google does) counts as unreachable. More than five redirects:
    unavailable too. 5xx, timeouts and network errors: unreachable, complete
    disallow.
    """
    error = result.error
    if error is None and result.body is not None:
        text = result.body.decode("utf-8", errors="replace").removeprefix("\ufeff")
        return parse_robots(text, agent)
    if error is not None:
        status = error.status
        if error.kind == FetchErrorKind.HTTP_STATUS and status is not None and 400 <= status < 500:
            return RobotsRules(allow_all=True, reason=f"robots.txt answered {status}")
        if error.kind == FetchErrorKind.TOO_MANY_REDIRECTS:
            return RobotsRules(allow_all=True, reason="robots.txt redirects too often")
        return RobotsRules(disallow_all=True, reason=str(error))
    return RobotsRules(disallow_all=True, reason=f"robots.txt answered {result.status}")


class RobotsPolicy:
    """Decides whether Curator may fetch a page, from the site's robots.txt.

    Thread-safe and synchronous, for worker threads: the first question
    about a site fetches its robots.txt (other threads asking about the same
    site wait for that one fetch), later ones are answered from memory.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        agent: str = AGENT_TOKEN,
        cache_seconds: float = CACHE_SECONDS,
        error_cache_seconds: float = ERROR_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set up a policy.

        Args:
            fetcher: fetches robots.txt; share it with the page fetches so
                the same limits and User-Agent apply.
            agent: the product token matched against ``User-agent`` lines.
            cache_seconds: how long fetched rules are kept.
            error_cache_seconds: how long an unreachable robots.txt blocks a
                site before it is asked again.
            clock: seconds, monotonic; injectable for tests.
        """
        self.fetcher = fetcher
        self.agent = agent
        self._cache_seconds = cache_seconds
        self._error_cache_seconds = error_cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, RobotsRules]] = {}
        self._site_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets Curator fetch ``url``; may fetch robots.txt first."""
        _, path = _origin(url)
        return self.rules_for(url).allowed(path)

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay (seconds) the site asks of Curator, or None."""
        return self.rules_for(url).crawl_delay

    def rules_for(self, url: str) -> RobotsRules:
        """The rules for the site of ``url``, fetched or from memory."""
        origin, _ = _origin(url)
        with self._lock:
            site_lock = self._site_locks.setdefault(origin, threading.Lock())
        with site_lock:
            now = self._clock()
            cached = self._cache.get(origin)
            if cached is not None and cached[0] > now:
                return cached[1]
            rules = rules_from_result(
                self.fetcher.fetch_one(FetchRequest(url=f"{origin}/robots.txt", accept=_ROBOTS_ACCEPT)),
                self.agent,
            )
            if rules.disallow_all and cached is not None and not cached[1].disallow_all:
                # RFC 9309 2.4: an unreachable robots.txt may be replaced by the
                # last copy that was read; better than blocking a known site.
                rules = cached[1]
            lifetime = self._error_cache_seconds if rules.disallow_all else self._cache_seconds
            self._cache[origin] = (now + lifetime, rules)
            return rules

    def forget(self) -> None:
        """Drop every cached robots.txt (after the user changes the contact or agent)."""
        with self._lock:
            self._cache.clear()
