"""Polite, bounded HTTP fetching for feeds, robots.txt files and article pages.

Curator polls hundreds of servers it does not control, from a desktop, on
the user's bandwidth. So every fetch here is bounded (connect, read and total
time, body size counted both on the wire and after decompression, redirects,
connections overall and per host) and polite (conditional GET with both
validators, an identifying User-Agent, Retry-After and Cache-Control read
back for the scheduler). A network or HTTP problem never raises: it comes
back as :attr:`FetchResult.error`, a :class:`FetchError` whose text a user can
act on, so one bad feed in a batch of hundreds only marks that feed.

The work is asynchronous (httpx) because a batch of feeds is mostly waiting,
but callers are worker threads, so :meth:`Fetcher.fetch_all` and
:meth:`Fetcher.fetch_one` run their own event loop in the calling thread and
return plain results. Never call them on the UI thread.

Decompression is done here, not by httpx: httpx inflates a whole network
chunk at once, and 64 KiB of a gzip bomb is about 64 MiB of zeros. Curator
asks only for gzip and deflate and inflates in slices of at most 64 KiB, so
a bomb is stopped a slice after the size limit, with memory bounded by the
limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import functools
import http
import re
import socket
import ssl
import threading
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import httpx

from curator import __version__
from curator.errors import Cancelled, CuratorError
from curator.progress import Progress

MIB = 1024 * 1024
PROJECT_URL = "https://example.com/curator"
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# Only what _Inflater can unpack in bounded slices; never br or zstd.
ACCEPT_ENCODING = "gzip, deflate"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
ALLOWED_SCHEMES = ("http", "https")
_SLICE = 64 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_MAX_RETRY_AFTER = timedelta(days=365)
_CANCEL_POLL_SECONDS = 0.05
# Host names after IDNA encoding, IPv4 and IPv6 literals (underscores occur in the wild).
_HOST_CHARS = re.compile(r"[A-Za-z0-9._:-]+")


@dataclass(frozen=True)
class FetchLimits:
    """Bounds for one fetch and for a batch.

    The defaults suit feeds and article pages on a desktop link; tests pass
    small ones to stay fast.

    Attributes:
        connect_timeout: seconds to open a connection (incl. TLS handshake).
        read_timeout: longest silence between two received chunks.
        total_timeout: the whole fetch, redirects and body included; this is
            what stops a server that drips one byte per second.
        max_bytes: body size limit, applied to the bytes on the wire and
            again to the decompressed body.
        max_redirects: redirects followed before giving up.
        max_connections: requests in flight at once in a batch.
        max_per_host: requests in flight at once to one host name in a batch.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 20 * MIB
    max_redirects: int = 5
    max_connections: int = 16
    max_per_host: int = 2

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchLimits.{name} must be positive.")
        if self.max_bytes < 1 or self.max_connections < 1 or self.max_per_host < 1:
            raise ValueError("FetchLimits sizes and connection counts must be at least 1.")
        if self.max_redirects < 0:
            raise ValueError("FetchLimits.max_redirects cannot be negative.")


@dataclass
class FetchRequest:
    """What to fetch, with the validators stored from the last fetch.

    Attributes:
        url: an http or https address.
        etag: the ETag stored from the last answer, sent as If-None-Match.
        last_modified: the Last-Modified stored from the last answer, sent as
            If-Modified-Since. Both are sent when both are known: a server
            may honour only one of them.
        key: the caller's id (a source id), carried through untouched so a
            result can be matched to its source.
        accept: the Accept header; feeds by default, HTML_ACCEPT for pages.
        follow_redirects: False returns a redirect as it is (see
            :attr:`FetchResult.redirect_location`), for callers that must
            check each hop themselves, as the robots.txt rules demand of
            full-text fetches.
    """

    url: str
    etag: str = ""
    last_modified: str = ""
    key: str = ""
    accept: str = FEED_ACCEPT
    follow_redirects: bool = True


class FetchErrorKind(StrEnum):
    """Why a fetch failed; the scheduler backs off differently per kind."""

    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    HTTP_STATUS = "http_status"
    RATE_LIMITED = "rate_limited"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    CONNECTION = "connection"
    TLS = "tls"
    INVALID_URL = "invalid_url"
    DECODING = "decoding"


class FetchError(CuratorError):
    """A fetch that did not produce a usable answer; ``str()`` says what to do.

    Attributes:
        kind: the machine-readable reason.
        status: the HTTP status when the server answered, else None.
        url: the address that failed (the last hop for redirect chains).
    """

    def __init__(
        self, kind: FetchErrorKind, message: str, *, status: int | None = None, url: str = ""
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.url = url


@dataclass
class FetchResult:
    """The outcome of one request; exactly one of body, not_modified, error or a kept redirect.

    Attributes:
        request: the request, for its ``key``.
        final_url: the address that answered, after redirects.
        status: the final HTTP status, None when no answer came.
        body: the decompressed body of a 2xx answer, else None.
        headers: the final answer's headers, lower-case names; repeated
            headers joined with ", ".
        etag: the validator to store for next time. From the answer; on a
            304 without one, the request's, so the caller never loses it.
        last_modified: likewise, kept separately from ``etag``.
        not_modified: a 304: nothing changed, nothing to parse.
        error: what went wrong, or None.
        retry_after: when a 429 or 503 said to come back (UTC).
        cache_lifetime: seconds the answer stays fresh (Cache-Control
            max-age, else s-maxage, else Expires - Date; 0 for no-store or
            no-cache), or None when the server said nothing.
        elapsed: seconds spent on the network, waiting for a slot excluded.
        permanent_redirect: the new address when the fetch succeeded through
            301/308 redirects, so the caller can update the source; with a
            temporary redirect later in the chain, the address reached by
            the permanent ones before it.
        redirect_location: the absolute Location of a redirect that was not
            followed because the request said ``follow_redirects=False``.
    """

    request: FetchRequest
    final_url: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    error: FetchError | None = None
    retry_after: datetime | None = None
    cache_lifetime: float | None = None
    elapsed: float = 0.0
    permanent_redirect: str | None = None
    redirect_location: str | None = None

    @property
    def ok(self) -> bool:
        """True when the server answered with something usable (2xx or 304)."""
        return self.error is None and self.redirect_location is None


#: Largest unwanted body read to keep its connection for the next request.
DRAIN_LIMIT = 64 * 1024


def user_agent(contact: str = "") -> str:
    """The User-Agent Curator sends: names the product, its page and a contact.

    Site owners who see unusual traffic can find out who polls them and whom
    to write to, rather than blocking an anonymous client. The product token
    ``Curator`` is also what robots.txt groups are matched against.

    Args:
        contact: an e-mail address or URL of the team running Curator.
    """
    cleaned = " ".join("".join(ch for ch in contact if ch.isprintable() and ch not in "();").split())
    details = [f"+{PROJECT_URL}"]
    if cleaned:
        details.append(f"contact: {cleaned}")
    return f"Curator/{__version__} ({'; '.join(details)})"


# Fetcher.__init__ takes a parameter named like the function above.
_default_user_agent = user_agent


def format_size(n: int) -> str:
    """A byte count the way the error sentences show it ("20 MB", "512 KB")."""
    if n >= MIB:
        return f"{n / MIB:.0f} MB" if n % MIB == 0 else f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def validate_url(url: str) -> FetchError | None:
    """Why ``url`` cannot be fetched at all, or None when it can be tried.

    Checked before any network work so a typo or an ``ftp://`` address fails
    with a sentence about the address, not a connection error.
    """
    problem = _url_problem(url)
    return FetchError(problem[0], problem[1], url=url) if problem else None


@functools.lru_cache(maxsize=8192)
def _url_problem(url: str) -> tuple[FetchErrorKind, str] | None:
    # Cached: sources are fetched again and again, and parsing a URL with
    # httpx costs more than a 304 answer from a nearby server.
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return FetchErrorKind.INVALID_URL, f"“{url}” is not a valid web address; check it."
    if parsed.scheme not in ALLOWED_SCHEMES:
        if not parsed.scheme:
            return (
                FetchErrorKind.INVALID_URL,
                f"“{url}” is not a complete web address; it must start with http:// or https://.",
            )
        return FetchErrorKind.UNSUPPORTED_SCHEME, f"Only http and https addresses can be fetched, not {url}."
    if not parsed.host:
        return FetchErrorKind.INVALID_URL, f"“{url}” names no server; check the address."
    if not _HOST_CHARS.fullmatch(parsed.raw_host.decode("ascii", errors="replace")):
        # httpx percent-encodes a space in a host name and would look the result up.
        return FetchErrorKind.INVALID_URL, f"“{url}” has a server name that cannot exist; check the address."
    return None


# --------------------------------------------------------------------------- header parsing


def parse_http_date(value: str) -> datetime | None:
    """An HTTP-date (any of the three RFC 9110 forms) as an aware UTC datetime, or None."""
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_retry_after(value: str, now: datetime, server_date: str = "") -> datetime | None:
    """When a Retry-After header says to come back, in UTC, or None if unreadable.

    An HTTP-date is taken relative to the server's own Date header when
    present, so a skewed local clock does not shorten the wait. The wait is
    capped at a year, so a hostile value cannot overflow the scheduler.

    Args:
        value: the header, seconds ("120") or an HTTP-date.
        now: the current time (UTC), injectable for tests.
        server_date: the answer's Date header, if any.
    """
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return now + min(timedelta(seconds=int(text[:12])), _MAX_RETRY_AFTER)
    when = parse_http_date(text)
    if when is None:
        return None
    reference = parse_http_date(server_date) if server_date else None
    delay = when - (reference or now)
    return now + min(max(delay, timedelta(0)), _MAX_RETRY_AFTER)


def parse_cache_lifetime(headers: dict[str, str], now: datetime) -> float | None:
    """Seconds an answer stays fresh per RFC 9111, or None when the server said nothing.

    Curator is a private cache, so ``max-age`` wins over ``s-maxage``; the
    Age header is subtracted; an unparseable Expires means "already stale".

    Args:
        headers: lower-case header names.
        now: the current time (UTC), used when the answer has no Date.
    """
    directives: dict[str, str] = {}
    for part in headers.get("cache-control", "").split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives[name.strip().lower()] = argument.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    age_text = headers.get("age", "").strip()
    age = int(age_text) if age_text.isdigit() else 0
    for name in ("max-age", "s-maxage"):
        argument = directives.get(name, "")
        if argument.isdigit():
            return float(max(0, int(argument) - age))
    if "expires" in headers:
        expires = parse_http_date(headers["expires"])
        if expires is None:
            return 0.0
        date = parse_http_date(headers.get("date", "")) or now
        return max(0.0, (expires - date).total_seconds() - age)
    return None


def _header_value(value: str) -> str:
    """``value`` when it is safe to send as a header, else "" (a stored validator could be garbage)."""
    return value if value and all(ch.isprintable() for ch in value) and value.isascii() else ""


# --------------------------------------------------------------------------- decompression


class _Inflater:
    """Inflates one gzip or deflate layer in slices of at most 64 KiB of output."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._obj = zlib.decompressobj(_GZIP_WBITS if self._gzip else zlib.MAX_WBITS)
        self._started = False
        self._ended = False
        self._draining = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data or self._draining:
            if self._ended:
                # Another gzip member follows (valid, rare); anything else after
                # the end of the stream is padding some servers add: ignored.
                if not (self._gzip and data.startswith(b"\x1f\x8b")):
                    return
                self._obj = zlib.decompressobj(_GZIP_WBITS)
                self._ended = False
            try:
                out = self._obj.decompress(data, _SLICE)
            except zlib.error as exc:
                if self._started or self._gzip:
                    raise _decoding_error(self.encoding) from exc
                # "deflate" should be zlib-wrapped, but some servers send it raw.
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                continue
            self._started = True
            if self._obj.eof:
                self._ended = True
                self._draining = False
                data = self._obj.unused_data
            else:
                # A full slice may leave output inside zlib with no input left.
                self._draining = len(out) == _SLICE
                data = self._obj.unconsumed_tail
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        if not self._ended:
            try:
                rest = self._obj.flush()
            except zlib.error as exc:
                raise _decoding_error(self.encoding) from exc
            if rest:
                yield rest


class _Decoder:
    """Undoes every Content-Encoding layer, last applied first, each in bounded slices."""

    def __init__(self, content_encoding: str) -> None:
        names = [name.strip().lower() for name in content_encoding.split(",")]
        layers = [name for name in names if name and name != "identity"]
        for name in layers:
            if name not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(
                    FetchErrorKind.DECODING,
                    f"The server compressed its answer as “{name}”, which Curator did not ask for and "
                    "cannot unpack; Curator will retry later.",
                )
        self._layers = [_Inflater(name) for name in reversed(layers)]

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for index, layer in enumerate(self._layers):
            for piece in layer.flush():
                yield from self._through(index + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)


def _decoding_error(encoding: str) -> FetchError:
    return FetchError(
        FetchErrorKind.DECODING,
        f"The server sent a damaged {encoding}-compressed answer that Curator could not unpack; "
        "Curator will retry later.",
    )


def _too_large(limit: int) -> FetchError:
    size = format_size(limit)
    return FetchError(
        FetchErrorKind.TOO_LARGE,
        f"The server sent more than {size}; Curator stopped reading (limit: {size}).",
    )


# --------------------------------------------------------------------------- error sentences

_STATUS_ADVICE = {
    400: "it did not understand Curator's request; check the address.",
    401: "the feed needs a login, which Curator does not send; ask the publisher for an open feed.",
    403: "the site refuses Curator; the feed may need a login or may block automated readers.",
    404: "the feed is gone or moved; check the address.",
    410: "the feed was removed for good; consider removing this source.",
    451: "the content is blocked for legal reasons; Curator cannot read it.",
}


def _status_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _status_error(status: int, url: str, retry_after: datetime | None) -> FetchError:
    label = f"{status} {_status_phrase(status)}".strip()
    when = f" after {retry_after:%Y-%m-%d %H:%M} UTC" if retry_after else " later"
    if status == 429:
        wait = f"until {retry_after:%Y-%m-%d %H:%M} UTC" if retry_after else "longer"
        return FetchError(
            FetchErrorKind.RATE_LIMITED,
            f"The server answered {label}: Curator asked too often; it will wait {wait} before asking again.",
            status=status,
            url=url,
        )
    if status in _STATUS_ADVICE:
        advice = _STATUS_ADVICE[status]
    elif status == 503:
        advice = f"the site is down for now; Curator will retry{when}."
    elif status >= 500:
        advice = f"the site has a problem of its own; Curator will retry{when}."
    elif status >= 400:
        advice = "check the address; Curator will retry later."
    else:
        advice = "Curator cannot use this kind of answer; check the address."
    return FetchError(
        FetchErrorKind.HTTP_STATUS, f"The server answered {label}: {advice}", status=status, url=url
    )


def redirect_loop_error(chain: list[str], limit: int) -> FetchError:
    """The error for a chain of more than ``limit`` redirects, naming the loop when there is one.

    Args:
        chain: every address requested, in order, the first one included.
        limit: the redirect limit that was exceeded.
    """
    last = chain[-1]
    earlier = [index for index, url in enumerate(chain[:-1]) if url == last]
    if earlier:
        loop = chain[earlier[-1] : -1]
        if len(loop) == 1:
            where = f"possibly a redirect loop on {loop[0]}"
        else:
            where = f"possibly a redirect loop between {', '.join(loop[:-1])} and {loop[-1]}"
    else:
        where = f"from {chain[0]} to {last}; check the address"
    return FetchError(
        FetchErrorKind.TOO_MANY_REDIRECTS, f"Too many redirects (more than {limit}), {where}.", url=last
    )


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost cause (httpx wraps the OS error twice)."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return exc


def _transport_error(exc: Exception, url: str, limits: FetchLimits) -> FetchError:
    """Translate an httpx exception into a sentence about the server, not about Python."""
    parsed = httpx.URL(url)
    host = parsed.host
    where = f"{host}:{parsed.port}" if parsed.port else host
    root = _root_cause(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            FetchErrorKind.TIMEOUT,
            f"{where} did not accept a connection within {_seconds(limits.connect_timeout)}; "
            "it may be down or overloaded; Curator will retry later.",
            url=url,
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(
            FetchErrorKind.TIMEOUT,
            f"{where} stopped sending for more than {_seconds(limits.read_timeout)}; Curator gave up. "
            "It may be overloaded; Curator will retry later.",
            url=url,
        )
    if isinstance(root, ssl.SSLCertVerificationError):
        return FetchError(
            FetchErrorKind.TLS,
            f"The secure connection to {where} failed: its certificate cannot be trusted "
            f"({root.verify_message}). Check the address; Curator does not read sites it cannot verify.",
            url=url,
        )
    if isinstance(root, ssl.SSLError):
        return FetchError(
            FetchErrorKind.TLS,
            f"The secure connection to {where} failed ({root.reason or root}); Curator will retry later.",
            url=url,
        )
    if isinstance(root, socket.gaierror):
        return FetchError(
            FetchErrorKind.CONNECTION,
            f"The server name {host} could not be found; check the address and your network connection.",
            url=url,
        )
    if isinstance(exc, httpx.ConnectError):
        if isinstance(root, OSError) and root.errno == errno.ECONNREFUSED:
            reason = "the connection was refused"
        else:
            reason = str(root) or type(root).__name__
        return FetchError(
            FetchErrorKind.CONNECTION,
            f"Curator could not connect to {where}: {reason}. The site may be down or the address "
            "wrong; Curator will retry later.",
            url=url,
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError(
            FetchErrorKind.UNSUPPORTED_SCHEME,
            f"Only http and https addresses can be fetched, not {url}.",
            url=url,
        )
    return FetchError(
        FetchErrorKind.CONNECTION,
        f"The connection to {where} broke before the whole answer arrived; Curator will retry later.",
        url=url,
    )


# --------------------------------------------------------------------------- the fetcher


class _Gate:
    """Connection slots of one event loop: per host name first, then overall.

    The host slot is taken before the overall one, so requests queued for a
    busy host do not sit on overall slots other hosts could use. Host names
    are compared without the port: politeness is owed to the machine.
    """

    def __init__(self, limits: FetchLimits) -> None:
        self._overall = asyncio.Semaphore(limits.max_connections)
        self._per_host = limits.max_per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore = self._hosts.setdefault(host.lower(), asyncio.Semaphore(self._per_host))
        async with semaphore, self._overall:
            yield


class _Borrowed(httpx.AsyncBaseTransport):
    """A caller's transport, lent to each client without letting the client close it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Leave the transport open: its owner closes it."""


@dataclass
class _Hop:
    """One request/answer exchange inside a redirect chain."""

    status: int
    headers: dict[str, str]
    body: bytes | None = None
    location: str | None = None
    raw_location: str = ""


class Fetcher:
    """Fetches addresses politely within :class:`FetchLimits`; never raises for network trouble.

    One Fetcher can be shared by any number of threads: it holds only its
    configuration, and each :meth:`fetch_all` call gets its own event loop,
    client and connection slots. The per-host and overall bounds therefore
    hold within one batch (and within one event loop for :meth:`fetch`), not
    across concurrent batches in other threads.
    """

    def __init__(
        self,
        limits: FetchLimits | None = None,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Set up a fetcher.

        Args:
            limits: the bounds; FetchLimits() when omitted.
            user_agent: the User-Agent header; :func:`user_agent` when omitted.
            transport: an httpx transport to use instead of the network,
                mainly ``httpx.MockTransport`` in tests. Every client this
                fetcher makes shares it, in whatever event loop runs, and
                none closes it: the caller owns it.
        """
        self.limits = limits or FetchLimits()
        self.user_agent = user_agent or _default_user_agent()
        self._transport = _Borrowed(transport) if transport is not None else None
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gate] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._ssl_context: ssl.SSLContext | None = None

    # ----------------------------------------------------------------- clients

    def client(self) -> httpx.AsyncClient:
        """A new AsyncClient set up for :meth:`fetch`; use it as ``async with``.

        Redirects are off (the fetcher follows them itself, checking each
        hop) and Accept-Encoding asks only for what it can unpack safely.
        """
        limits = self.limits
        return httpx.AsyncClient(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=limits.connect_timeout,
                read=limits.read_timeout,
                write=limits.read_timeout,
                pool=None,
            ),
            limits=httpx.Limits(
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_connections,
                keepalive_expiry=5.0,
            ),
            follow_redirects=False,
            verify=self._tls_context(),
            transport=self._transport,
        )

    def _tls_context(self) -> ssl.SSLContext:
        # Loading the CA bundle costs tens of milliseconds; do it once.
        with self._lock:
            if self._ssl_context is None:
                self._ssl_context = httpx.create_ssl_context()
            return self._ssl_context

    def _gate(self) -> _Gate:
        loop = asyncio.get_running_loop()
        with self._lock:
            gate = self._gates.get(loop)
            if gate is None:
                gate = self._gates[loop] = _Gate(self.limits)
            return gate

    # ----------------------------------------------------------------- async API

    async def fetch(self, client: httpx.AsyncClient, req: FetchRequest) -> FetchResult:
        """Fetch one address within the limits; problems come back in ``result.error``.

        Concurrent calls in the same event loop share its connection slots,
        so callers may ``gather`` many of them.

        Args:
            client: from :meth:`client`, open for the duration of the call.
            req: what to fetch.
        """
        result = await self._fetch(client, req, self._gate(), None)
        assert result is not None  # only a should_start callback can skip a request
        return result

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        req: FetchRequest,
        gate: _Gate,
        should_start: Callable[[], bool] | None,
    ) -> FetchResult | None:
        loop = asyncio.get_running_loop()
        limits = self.limits
        url = req.url
        problem = validate_url(url)
        if problem is not None:
            return FetchResult(request=req, final_url=url, error=problem)
        chain = [url]
        permanent: str | None = None
        only_permanent = True
        deadline: float | None = None
        started = loop.time()
        headers = {"Accept": req.accept}
        if etag := _header_value(req.etag):
            headers["If-None-Match"] = etag
        if last_modified := _header_value(req.last_modified):
            headers["If-Modified-Since"] = last_modified

        def failed(error: FetchError, status: int | None = None, hop: _Hop | None = None) -> FetchResult:
            return FetchResult(
                request=req,
                final_url=url,
                status=status,
                headers=hop.headers if hop else {},
                error=error,
                elapsed=loop.time() - started if deadline is not None else 0.0,
            )

        try:
            for _ in range(limits.max_redirects + 1):
                async with asyncio.timeout_at(deadline) as scope:
                    async with gate.slot(httpx.URL(url).host):
                        if deadline is None:
                            if should_start is not None and not should_start():
                                return None
                            started = loop.time()
                            deadline = started + limits.total_timeout
                            scope.reschedule(deadline)
                        hop = await self._exchange(client, url, headers)
                if hop.status not in REDIRECT_STATUSES:
                    break
                if not hop.location:
                    return failed(
                        FetchError(
                            FetchErrorKind.HTTP_STATUS,
                            f"The server answered {hop.status} {_status_phrase(hop.status)} but did not say "
                            "where to; check the address.",
                            status=hop.status,
                            url=url,
                        ),
                        hop.status,
                        hop,
                    )
                if not req.follow_redirects:
                    result = self._final(req, url, hop, loop.time() - started)
                    result.redirect_location = hop.location
                    return result
                target = hop.location
                problem = validate_url(target)
                if problem is not None and problem.kind == FetchErrorKind.UNSUPPORTED_SCHEME:
                    problem = FetchError(
                        FetchErrorKind.UNSUPPORTED_SCHEME,
                        f"The server redirected to {hop.raw_location}; "
                        "only http and https addresses can be fetched.",
                        url=target,
                    )
                if problem is not None:
                    return failed(problem, hop.status, hop)
                if only_permanent and hop.status in PERMANENT_REDIRECT_STATUSES:
                    permanent = target
                else:
                    only_permanent = False
                chain.append(target)
                url = target
            else:
                return failed(redirect_loop_error(chain, limits.max_redirects))
        except TimeoutError:
            return failed(
                FetchError(
                    FetchErrorKind.TIMEOUT,
                    f"The server took longer than {_seconds(limits.total_timeout)}; Curator gave up. "
                    "It may be overloaded; Curator will retry later.",
                    url=url,
                )
            )
        except FetchError as exc:
            exc.url = exc.url or url
            return failed(exc)
        except httpx.InvalidURL:
            return failed(
                FetchError(
                    FetchErrorKind.INVALID_URL, f"“{url}” is not a valid web address; check it.", url=url
                )
            )
        except (httpx.HTTPError, OSError) as exc:
            return failed(_transport_error(exc, url, limits))
        result = self._final(req, url, hop, loop.time() - started)
        if result.error is None:
            result.permanent_redirect = permanent
        return result

    async def _exchange(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> _Hop:
        """Send one GET; read the body only when it is worth reading (a 2xx)."""
        async with client.stream("GET", url, headers=headers) as response:
            hop = _Hop(status=response.status_code, headers=dict(response.headers.items()))
            if hop.status in REDIRECT_STATUSES:
                hop.raw_location = hop.headers.get("location", "").strip()
                if hop.raw_location:
                    hop.location = str(response.url.join(hop.raw_location))
            elif 200 <= hop.status < 300:
                hop.body = await self._read_body(response)
            if not response.is_stream_consumed:
                await self._drain(response)
            return hop

    @staticmethod
    async def _drain(response: httpx.Response) -> None:
        """Read a small unwanted body (a 304's empty one, an error page) to its end.

        A response closed before its end takes its connection down with it;
        drained, the connection goes back to the pool. Without this every
        conditional request of a pass opened a new connection, and a pass of
        304s cost twice the time. Large bodies are not worth it: closed.
        """
        seen = 0
        async for chunk in response.aiter_raw():
            seen += len(chunk)
            if seen > DRAIN_LIMIT:
                break

    async def _read_body(self, response: httpx.Response) -> bytes:
        """Stream the body, unpacking it in slices, and stop as soon as it exceeds the limit."""
        limit = self.limits.max_bytes
        if response.is_stream_consumed:
            # A transport that hands over a finished answer (httpx.MockTransport):
            # httpx has already read and unpacked it; only the size is left to check.
            if len(response.content) > limit:
                raise _too_large(limit)
            return response.content
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        body = bytearray()
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            for piece in decoder.feed(chunk):
                if len(body) + len(piece) > limit:
                    raise _too_large(limit)
                body += piece
        for piece in decoder.flush():
            if len(body) + len(piece) > limit:
                raise _too_large(limit)
            body += piece
        return bytes(body)

    def _final(self, req: FetchRequest, url: str, hop: _Hop, elapsed: float) -> FetchResult:
        """The result for the last answer of a chain."""
        now = datetime.now(UTC)
        headers = hop.headers
        status = hop.status
        retry_after = None
        if status in (429, 503) and "retry-after" in headers:
            retry_after = parse_retry_after(headers["retry-after"], now, headers.get("date", ""))
        result = FetchResult(
            request=req,
            final_url=url,
            status=status,
            body=hop.body,
            headers=headers,
            etag=headers.get("etag", ""),
            last_modified=headers.get("last-modified", ""),
            retry_after=retry_after,
            cache_lifetime=parse_cache_lifetime(headers, now),
            elapsed=elapsed,
        )
        if status == 304:
            result.not_modified = True
            result.body = None
            result.etag = result.etag or req.etag
            result.last_modified = result.last_modified or req.last_modified
        elif status >= 300 and status not in REDIRECT_STATUSES:
            result.error = _status_error(status, url, retry_after)
        return result

    # ----------------------------------------------------------------- synchronous API

    def fetch_one(self, req: FetchRequest) -> FetchResult:
        """Fetch one address from a worker thread (runs a short event loop here)."""
        _require_no_running_loop()
        return asyncio.run(self._fetch_one(req))

    async def _fetch_one(self, req: FetchRequest) -> FetchResult:
        async with self.client() as client:
            return await self.fetch(client, req)

    def fetch_all(
        self,
        requests: Iterable[FetchRequest],
        progress: Progress | None = None,
        on_result: Callable[[FetchResult], None] | None = None,
    ) -> list[FetchResult]:
        """Fetch a batch concurrently within the limits, from a worker thread.

        Runs an event loop in the calling thread until the batch is done, so
        ``on_result`` is called in the calling thread, once per result, as
        each arrives; keep it short, since downloads wait while it runs.

        Cancelling ``progress`` stops the batch within about 50 ms: requests
        not yet started are never sent, requests in flight are abandoned
        (connections closed), and neither comes back. The returned list holds
        exactly the results passed to ``on_result``, in request order; the
        caller can tell a cancelled batch by ``progress.cancelled``.

        Args:
            requests: what to fetch.
            progress: advanced one step as each result arrives and watched
                for cancellation. When the caller has not started a phase
                with a total, one is started with a step per request.
            on_result: called with each result as it arrives; an exception
                from it cancels the rest of the batch and is raised here.

        Returns:
            The results, in request order (without the cancelled ones).
        """
        batch = list(requests)
        _require_no_running_loop()
        if progress is not None:
            if progress.state.total is None:
                progress.start(len(batch), "Fetching")
            if progress.cancelled:
                return []
        if not batch:
            return []
        return asyncio.run(self._fetch_all(batch, progress, on_result))

    async def _fetch_all(
        self,
        batch: list[FetchRequest],
        progress: Progress | None,
        on_result: Callable[[FetchResult], None] | None,
    ) -> list[FetchResult]:
        results: dict[int, FetchResult] = {}
        gate = self._gate()

        def should_start() -> bool:
            return progress is None or not progress.cancelled

        async with self.client() as client:

            async def run_one(index: int, req: FetchRequest) -> None:
                result = await self._fetch(client, req, gate, should_start)
                if result is None:
                    return
                results[index] = result
                if on_result is not None:
                    on_result(result)
                if progress is not None:
                    with contextlib.suppress(Cancelled):
                        progress.advance(1)

            tasks = [asyncio.create_task(run_one(i, req)) for i, req in enumerate(batch)]
            watcher = asyncio.create_task(_watch_cancel(progress, tasks)) if progress is not None else None
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            finally:
                if watcher is not None:
                    watcher.cancel()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, *([watcher] if watcher else []), return_exceptions=True)
            for task in tasks:
                if not task.cancelled() and (error := task.exception()) is not None:
                    raise error
        return [results[i] for i in sorted(results)]


async def _watch_cancel(progress: Progress, tasks: list[asyncio.Task[None]]) -> None:
    """Poll the thread-safe cancel flag (it has no async wake-up) and cancel the batch."""
    while not progress.cancelled:
        await asyncio.sleep(_CANCEL_POLL_SECONDS)
    for task in tasks:
        task.cancel()


def _require_no_running_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        "Fetcher.fetch_all and fetch_one run their own event loop; call them from a worker thread, "
        "or await Fetcher.fetch inside a running loop."
    )
