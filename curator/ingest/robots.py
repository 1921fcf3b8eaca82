"""robots.txt rules (RFC 9309) for full-text fetches.

Feeds are published to be polled, but fetching the article page behind a
feed item is crawling, so Curator asks each site's robots.txt first. The
rules are fetched once per scheme, host and port through the shared
:class:`~curator.ingest.http.Fetcher` (same limits, same User-Agent) and
kept in memory for 24 hours, as RFC 9309 allows.

The matcher is written here rather than taken from ``urllib.robotparser``
because that module predates RFC 9309 and answers differently from it: it
applies the first matching rule in file order instead of the longest match,
ignores the ``*`` and ``$`` wildcards, matches user agents by substring and
uses only the first matching group. (Protego is a maintained library that
follows RFC 9309; it can replace :func:`parse_robots` once it is a
dependency.)
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from curator.ingest.http import Fetcher, FetchErrorKind, FetchRequest, FetchResult

AGENT_TOKEN = "Curator"
CACHE_SECONDS = 24 * 3600.0
# An unreachable robots.txt blocks the whole site; ask again sooner than a day.
ERROR_CACHE_SECONDS = 30 * 60.0
_ROBOTS_ACCEPT = "text/plain, */*;q=0.1"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def _normalize(text: str) -> str:
    """Percent-encode per RFC 9309 2.2.2 so a rule and a path compare octet by octet.

    Non-ASCII and unsafe characters are encoded as UTF-8; an encoded
    unreserved character is decoded; hex digits are upper-cased.
    """
    encoded = "".join(
        ch if 0x21 <= ord(ch) < 0x7F else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in text
    )

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PERCENT.sub(fix, encoded)


@dataclass(frozen=True)
class _Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]

    @classmethod
    def make(cls, allow: bool, pattern: str) -> _Rule:
        pattern = _normalize(pattern)
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(part) for part in body.split("*")) + (r"\Z" if anchored else "")
        return cls(allow, pattern, re.compile(regex, re.DOTALL))


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one robots.txt that apply to one user-agent token.

    Attributes:
        rules: the allow and disallow rules of the matching groups.
        crawl_delay: seconds to leave between two requests, when the group
            says so (``Crawl-delay`` is not in RFC 9309, but many sites use
            it and honouring it costs nothing).
        allow_all: True when robots.txt is unavailable (4xx): RFC 9309 lets
            crawlers fetch everything then.
        disallow_all: True when robots.txt is unreachable (5xx, network):
            RFC 9309 says to assume a complete disallow.
        reason: why the rules look the way they do, for logs and tooltips.
    """

    rules: tuple[_Rule, ...] = ()
    crawl_delay: float | None = None
    allow_all: bool = False
    disallow_all: bool = False
    reason: str = ""

    def allowed(self, path: str) -> bool:
        """Whether ``path`` (path plus query) may be fetched: longest match wins, Allow wins ties."""
        if self.disallow_all:
            return False
        if self.allow_all or path.startswith("/robots.txt"):
            return True
        target = _normalize(path or "/")
        best: _Rule | None = None
        for rule in self.rules:
            if rule.regex.match(target) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[_Rule] = field(default_factory=list)
    crawl_delay: float | None = None


def parse_robots(text: str, agent: str = AGENT_TOKEN) -> RobotsRules:
    """Parse a robots.txt and keep the rules for ``agent`` (or for ``*`` if no group names it).

    Following RFC 9309: consecutive user-agent lines start a group; agent
    names match case-insensitively on the product token (before any ``/``);
    all groups that name the agent are merged; unknown lines are ignored.
    """
    groups: list[_Group] = []
    current: _Group | None = None
    last_was_agent = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        value = value.strip()
        if key in ("user-agent", "useragent"):
            if current is None or not last_was_agent:
                current = _Group()
                groups.append(current)
            current.agents.append(value.split("/", 1)[0].split()[0].lower() if value.split() else "")
            last_was_agent = True
            continue
        last_was_agent = False
        if current is None:
            continue
        if key in ("allow", "disallow") and value:
            current.rules.append(_Rule.make(key == "allow", value))
        elif key == "crawl-delay" and current.crawl_delay is None:
            try:
                delay = float(value)
            except ValueError:
                continue
            if delay >= 0:
                current.crawl_delay = delay
    token = agent.lower()
    chosen = [group for group in groups if token in group.agents] or [
        group for group in groups if "*" in group.agents
    ]
    delays = [group.crawl_delay for group in chosen if group.crawl_delay is not None]
    return RobotsRules(
        rules=tuple(rule for group in chosen for rule in group.rules),
        crawl_delay=delays[0] if delays else None,
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
