"""Polite, bounded fetching against a loopback server (no test leaves 127.0.0.1)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from curator.ingest.http import (
    MIB,
    Fetcher,
    FetchErrorKind,
    FetchLimits,
    FetchRequest,
    FetchResult,
    parse_cache_lifetime,
    parse_retry_after,
    user_agent,
)
from curator.progress import Progress, ProgressState
from tests.httpserver import HttpServer, RecordedRequest, Response

pytestmark = pytest.mark.usefixtures("no_leaked_threads")

SMALL = FetchLimits(connect_timeout=2.0, read_timeout=5.0, total_timeout=8.0, max_bytes=1 * MIB)
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Hello</title><link>http://127.0.0.1/x</link></item></channel></rss>"""
MEMORY_BOUND = 64 * MIB


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(SMALL, user_agent("ops@example.com"))


def fetch(fetcher: Fetcher, url: str, **kwargs: str) -> FetchResult:
    return fetcher.fetch_one(FetchRequest(url, **kwargs))


def peak_memory(action: Callable[[], FetchResult]) -> tuple[FetchResult, int]:
    """Run ``action`` and return its result with the peak of Python allocations during it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- conditional GET


def test_etag_and_last_modified_round_trip(http_server: HttpServer, fetcher: Fetcher) -> None:
    etag, modified = '"v1-abc"', "Wed, 21 Oct 2026 07:28:00 GMT"

    def feed(request: RecordedRequest) -> Response:
        if (
            request.headers.get("if-none-match") == etag
            and request.headers.get("if-modified-since") == modified
        ):
            return Response(status=304, headers={"ETag": etag})
        return Response(
            headers={"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": modified}, body=RSS
        )

    http_server.route("/feed.xml", handler=feed)
    first = fetch(fetcher, http_server.url("/feed.xml"))
    assert first.error is None and first.status == 200
    assert (first.etag, first.last_modified) == (etag, modified)
    assert first.body == RSS and not first.not_modified

    second = fetch(fetcher, http_server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    sent = http_server.requests_to("/feed.xml")
    assert "if-none-match" not in sent[0].headers and "if-modified-since" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == etag
    assert sent[1].headers["if-modified-since"] == modified
    assert second.status == 304 and second.not_modified and second.error is None
    assert second.body is None
    # The 304 carried no Last-Modified: the stored one is kept, never blanked.
    assert (second.etag, second.last_modified) == (etag, modified)


def test_validators_with_control_characters_are_not_sent(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route("/feed.xml", body=RSS)
    result = fetch(fetcher, http_server.url("/feed.xml"), etag='"a"\r\nX-Evil: 1', last_modified="ok date")
    assert result.error is None
    headers = http_server.requests_to("/feed.xml")[0].headers
    assert "if-none-match" not in headers and "x-evil" not in headers
    assert headers["if-modified-since"] == "ok date"


# --------------------------------------------------------------------------- Retry-After and caching


def test_429_with_retry_after_seconds(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route("/feed.xml", status=429, headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    result = fetch(fetcher, http_server.url("/feed.xml"))
    after = datetime.now(UTC)
    assert result.error is not None and result.error.kind == FetchErrorKind.RATE_LIMITED
    assert result.error.status == 429 and result.status == 429
    assert result.retry_after is not None
    assert before + timedelta(seconds=120) <= result.retry_after <= after + timedelta(seconds=120)
    assert str(result.error).startswith("The server answered 429 Too Many Requests: Curator asked too often")


def test_429_with_retry_after_http_date(http_server: HttpServer, fetcher: Fetcher) -> None:
    # The server's clock is an hour behind ours: the wait is taken from its Date, not from ours.
    server_now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    retry_at = server_now + timedelta(minutes=10)
    http_server.route(
        "/feed.xml",
        status=429,
        headers={
            "Retry-After": format_datetime(retry_at, usegmt=True),
            "Date": format_datetime(server_now, True),
        },
    )
    before = datetime.now(UTC)
    result = fetch(fetcher, http_server.url("/feed.xml"))
    assert result.error is not None and result.error.kind == FetchErrorKind.RATE_LIMITED
    assert result.retry_after is not None
    wait = result.retry_after - before
    assert timedelta(minutes=9, seconds=55) <= wait <= timedelta(minutes=10, seconds=5)


def test_503_with_retry_after_is_a_status_error_with_a_wait(
    http_server: HttpServer, fetcher: Fetcher
) -> None:
    http_server.route("/feed.xml", status=503, headers={"Retry-After": "30"})
    result = fetch(fetcher, http_server.url("/feed.xml"))
    assert result.error is not None and result.error.kind == FetchErrorKind.HTTP_STATUS
    assert result.retry_after is not None and result.retry_after > datetime.now(UTC) + timedelta(seconds=25)
    assert "503 Service Unavailable: the site is down for now; Curator will retry after" in str(result.error)


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == now + timedelta(seconds=120)
    assert parse_retry_after(" 0 ", now) == now
    assert parse_retry_after("Thu, 01 Jan 2026 12:05:00 GMT", now) == now + timedelta(minutes=5)
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == now  # in the past: now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after("9" * 40, now) == now + timedelta(days=365)  # capped, no overflow


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cache-control": "public, max-age=600"}, 600.0),
        ({"cache-control": "max-age=600", "age": "100"}, 500.0),
        ({"cache-control": "s-maxage=300"}, 300.0),
        ({"cache-control": 'max-age="90", s-maxage=300'}, 90.0),
        ({"cache-control": "no-cache, max-age=600"}, 0.0),
        ({"cache-control": "no-store"}, 0.0),
        ({"expires": "Thu, 01 Jan 2026 13:00:00 GMT", "date": "Thu, 01 Jan 2026 12:30:00 GMT"}, 1800.0),
        ({"expires": "Thu, 01 Jan 2026 12:10:00 GMT"}, 600.0),  # no Date: relative to now
        ({"expires": "0"}, 0.0),  # invalid Expires means already stale
        ({"cache-control": "max-age=60", "expires": "Thu, 01 Jan 2026 13:00:00 GMT"}, 60.0),
        ({}, None),
        ({"cache-control": "public"}, None),
    ],
)
def test_cache_lifetime_parsing(headers: dict[str, str], expected: float | None) -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_cache_lifetime(headers, now) == expected


def test_cache_headers_reach_the_result(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route("/a.xml", body=RSS, headers={"Cache-Control": "max-age=900"})
    server_now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    http_server.route(
        "/b.xml",
        body=RSS,
        headers={
            "Date": format_datetime(server_now, usegmt=True),
            "Expires": format_datetime(server_now + timedelta(hours=2), usegmt=True),
        },
    )
    assert fetch(fetcher, http_server.url("/a.xml")).cache_lifetime == 900.0
    assert fetch(fetcher, http_server.url("/b.xml")).cache_lifetime == 7200.0


# --------------------------------------------------------------------------- redirects


def test_redirect_loop_is_stopped(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.redirect("/loop-a", "/loop-b")
    http_server.redirect("/loop-b", "/loop-a")
    result = fetch(fetcher, http_server.url("/loop-a"))
    assert result.error is not None and result.error.kind == FetchErrorKind.TOO_MANY_REDIRECTS
    assert str(result.error) == (
        "Too many redirects (more than 5), possibly a redirect loop between "
        f"{http_server.url('/loop-a')} and {http_server.url('/loop-b')}."
    )
    assert len(http_server.requests) == 6  # the first request and five redirects, no more


def test_long_redirect_chain_without_loop(http_server: HttpServer, fetcher: Fetcher) -> None:
    for n in range(7):
        http_server.redirect(f"/r{n}", f"/r{n + 1}")
    http_server.route("/r7", body=RSS)
    result = fetch(fetcher, http_server.url("/r0"))
    assert result.error is not None and result.error.kind == FetchErrorKind.TOO_MANY_REDIRECTS
    assert "more than 5" in str(result.error) and http_server.url("/r0") in str(result.error)


def test_permanent_redirect_chain_reports_the_new_address(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.redirect("/old.xml", "/older.xml", status=301)
    http_server.redirect("/older.xml", http_server.url("/feed.xml"), status=308)
    http_server.route("/feed.xml", body=RSS)
    result = fetch(fetcher, http_server.url("/old.xml"))
    assert result.error is None and result.body == RSS
    assert result.final_url == http_server.url("/feed.xml")
    assert result.permanent_redirect == http_server.url("/feed.xml")


def test_temporary_hop_limits_the_permanent_redirect(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.redirect("/old.xml", "/moved.xml", status=301)
    http_server.redirect("/moved.xml", "/today.xml", status=302)
    http_server.route("/today.xml", body=RSS)
    http_server.redirect("/temp.xml", "/today.xml", status=307)
    result = fetch(fetcher, http_server.url("/old.xml"))
    assert result.final_url == http_server.url("/today.xml")
    assert result.permanent_redirect == http_server.url("/moved.xml")
    assert fetch(fetcher, http_server.url("/temp.xml")).permanent_redirect is None


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml"])
def test_redirect_to_other_schemes_is_refused(http_server: HttpServer, fetcher: Fetcher, target: str) -> None:
    http_server.redirect("/feed.xml", target, status=301)
    result = fetch(fetcher, http_server.url("/feed.xml"))
    assert result.error is not None and result.error.kind == FetchErrorKind.UNSUPPORTED_SCHEME
    assert (
        str(result.error)
        == f"The server redirected to {target}; only http and https addresses can be fetched."
    )
    assert result.body is None and result.permanent_redirect is None


def test_unsupported_and_invalid_addresses_fail_before_any_request() -> None:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected request to {request.url}")

    fetcher = Fetcher(SMALL, transport=httpx.MockTransport(no_network))
    ftp = fetch(fetcher, "ftp://127.0.0.1/feed.xml")
    assert ftp.error is not None and ftp.error.kind == FetchErrorKind.UNSUPPORTED_SCHEME
    assert str(ftp.error) == "Only http and https addresses can be fetched, not ftp://127.0.0.1/feed.xml."
    for bad in ("127.0.0.1/feed.xml", "http://", "http://exa mple.com/", "https://exa%41mple.com/"):
        result = fetch(fetcher, bad)
        assert result.error is not None and result.error.kind == FetchErrorKind.INVALID_URL, bad


def test_redirect_kept_when_not_following(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.redirect("/go", "/article.html", status=302)
    result = fetcher.fetch_one(FetchRequest(http_server.url("/go"), follow_redirects=False))
    assert result.status == 302 and result.error is None and not result.ok
    assert result.redirect_location == http_server.url("/article.html")
    assert http_server.requests_to("/article.html") == []


# --------------------------------------------------------------------------- time and size limits


def test_slow_drip_ends_at_the_total_timeout(http_server: HttpServer) -> None:
    http_server.slow("/drip.xml", total_bytes=600, bytes_per_second=1)
    fetcher = Fetcher(FetchLimits(connect_timeout=2, read_timeout=5, total_timeout=2))
    started = time.monotonic()
    result = fetch(fetcher, http_server.url("/drip.xml"))
    assert time.monotonic() - started < 10
    assert result.error is not None and result.error.kind == FetchErrorKind.TIMEOUT
    assert str(result.error) == (
        "The server took longer than 2 s; Curator gave up. It may be overloaded; Curator will retry later."
    )
    assert result.body is None


def test_silent_server_hits_the_read_timeout(http_server: HttpServer) -> None:
    http_server.route("/silent.xml", body=RSS, delay=5)
    fetcher = Fetcher(FetchLimits(connect_timeout=2, read_timeout=0.5, total_timeout=8))
    started = time.monotonic()
    result = fetch(fetcher, http_server.url("/silent.xml"))
    assert time.monotonic() - started < 4
    assert result.error is not None and result.error.kind == FetchErrorKind.TIMEOUT
    assert "stopped sending for more than 0.5 s" in str(result.error)


def test_200_mb_body_stops_early_with_bounded_memory(http_server: HttpServer) -> None:
    http_server.huge("/huge.xml", size=200_000_000)  # chunked: no Content-Length to refuse it early
    fetcher = Fetcher(FetchLimits(total_timeout=30))  # the default 20 MiB limit
    started = time.monotonic()
    result, peak = peak_memory(lambda: fetch(fetcher, http_server.url("/huge.xml")))
    assert time.monotonic() - started < 20
    assert result.error is not None and result.error.kind == FetchErrorKind.TOO_LARGE
    assert str(result.error) == "The server sent more than 20 MB; Curator stopped reading (limit: 20 MB)."
    assert result.body is None
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.1f} MiB"
    print(f"\n200 MB body: traced peak {peak / MIB:.1f} MiB")


def test_declared_oversize_body_is_refused_before_reading(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.huge("/huge.xml", size=200_000_000, declare_length=True)
    result, peak = peak_memory(lambda: fetch(fetcher, http_server.url("/huge.xml")))
    assert result.error is not None and result.error.kind == FetchErrorKind.TOO_LARGE
    assert str(result.error) == "The server sent more than 1 MB; Curator stopped reading (limit: 1 MB)."
    assert peak < 4 * MIB  # nothing of the body was kept


def test_gzip_bomb_stops_early_with_bounded_memory(http_server: HttpServer) -> None:
    http_server.gzip_bomb("/bomb.xml", size=2 << 30)  # 2 GiB of zeros, about 2 MB on the wire
    fetcher = Fetcher(FetchLimits(total_timeout=30))
    started = time.monotonic()
    result, peak = peak_memory(lambda: fetch(fetcher, http_server.url("/bomb.xml")))
    assert time.monotonic() - started < 20
    assert result.error is not None and result.error.kind == FetchErrorKind.TOO_LARGE
    assert "more than 20 MB" in str(result.error)
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.1f} MiB"
    print(f"\ngzip bomb: traced peak {peak / MIB:.1f} MiB")
    assert http_server.requests_to("/bomb.xml")[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
    ],
)
def test_compressed_bodies_are_unpacked(
    http_server: HttpServer, fetcher: Fetcher, encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    payload = RSS * 2000  # about 300 KB: several inflate slices
    http_server.route("/feed.xml", body=pack(payload), headers={"Content-Encoding": encoding})
    result = fetch(fetcher, http_server.url("/feed.xml"))
    assert result.error is None
    assert result.body == payload


def test_multi_member_gzip_is_unpacked_whole(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route(
        "/feed.xml",
        body=gzip.compress(b"first ") + gzip.compress(b"second"),
        headers={"Content-Encoding": "gzip"},
    )
    assert fetch(fetcher, http_server.url("/feed.xml")).body == b"first second"


def test_broken_or_unknown_compression_is_a_decoding_error(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route("/bad.xml", body=b"this is not gzip at all", headers={"Content-Encoding": "gzip"})
    http_server.route("/br.xml", body=b"\x0b\x02\x80hello\x03", headers={"Content-Encoding": "br"})
    bad = fetch(fetcher, http_server.url("/bad.xml"))
    assert bad.error is not None and bad.error.kind == FetchErrorKind.DECODING
    assert "damaged gzip-compressed answer" in str(bad.error)
    br = fetch(fetcher, http_server.url("/br.xml"))
    assert br.error is not None and br.error.kind == FetchErrorKind.DECODING
    assert "“br”, which Curator did not ask for" in str(br.error)


def test_compressed_size_limit_counts_the_unpacked_body(http_server: HttpServer, fetcher: Fetcher) -> None:
    # 2 MB of text compresses to a few KB: only the unpacked size can exceed the 1 MB limit.
    http_server.route("/feed.xml", body=gzip.compress(b"a" * (2 * MIB)), headers={"Content-Encoding": "gzip"})
    result = fetch(fetcher, http_server.url("/feed.xml"))
    assert result.error is not None and result.error.kind == FetchErrorKind.TOO_LARGE


# --------------------------------------------------------------------------- answers and failures


def test_html_page_is_returned_as_it_is(http_server: HttpServer, fetcher: Fetcher) -> None:
    page = b"<!doctype html><html><head><title>Shop</title></head><body><p>Welcome</p></body></html>"
    http_server.route("/", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    result = fetch(fetcher, http_server.url("/"))
    assert result.error is None and result.ok
    assert result.body == page
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert result.final_url == http_server.url("/")
    assert result.elapsed > 0


def test_404_and_500_sentences(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route("/broken.xml", status=500, body=b"oops")
    gone = fetch(fetcher, http_server.url("/missing.xml"))
    assert gone.error is not None and gone.error.kind == FetchErrorKind.HTTP_STATUS
    assert gone.error.status == 404 and gone.status == 404 and gone.body is None
    assert (
        str(gone.error) == "The server answered 404 Not Found: the feed is gone or moved; check the address."
    )
    broken = fetch(fetcher, http_server.url("/broken.xml"))
    assert broken.error is not None and broken.error.status == 500
    assert str(broken.error) == (
        "The server answered 500 Internal Server Error: the site has a problem of its own; "
        "Curator will retry later."
    )


def test_connection_refused_sentence(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    result = fetch(fetcher, f"http://127.0.0.1:{port}/feed.xml")
    assert result.error is not None and result.error.kind == FetchErrorKind.CONNECTION
    assert result.status is None
    assert str(result.error) == (
        f"Curator could not connect to 127.0.0.1:{port}: the connection was refused. "
        "The site may be down or the address wrong; Curator will retry later."
    )


def test_user_agent_identifies_curator() -> None:
    assert user_agent() == "Curator/0.1.0 (+https://example.com/curator)"
    assert (
        user_agent("ops@example.com")
        == "Curator/0.1.0 (+https://example.com/curator; contact: ops@example.com)"
    )
    assert "\n" not in user_agent("ops@example.com\r\nX-Evil: 1")


# --------------------------------------------------------------------------- batches


def test_batch_respects_per_host_bound_while_hosts_run_in_parallel(http_server: HttpServer) -> None:
    for n in range(6):
        http_server.route(f"/a/{n}", body=RSS, delay=0.3)
        http_server.route(f"/b/{n}", body=RSS, delay=0.3)
    requests = [FetchRequest(http_server.url(f"/a/{n}"), key=f"a{n}") for n in range(6)]
    requests += [FetchRequest(http_server.url(f"/b/{n}", host="localhost"), key=f"b{n}") for n in range(6)]
    fetcher = Fetcher(FetchLimits(max_per_host=2, total_timeout=10), user_agent("ops@example.com"))
    states: list[ProgressState] = []
    progress = Progress(listener=states.append)
    seen: list[tuple[str, int]] = []

    results = fetcher.fetch_all(
        requests, progress=progress, on_result=lambda r: seen.append((r.request.key, threading.get_ident()))
    )

    assert [r.request.key for r in results] == [r.key for r in requests]  # request order
    assert all(r.error is None and r.body == RSS for r in results)
    assert http_server.max_concurrent("/a/") <= 2
    assert http_server.max_concurrent("/b/") <= 2
    assert http_server.max_concurrent("/") > 2  # the two hosts overlapped
    assert sorted(key for key, _ in seen) == sorted(r.key for r in requests)
    assert {thread for _, thread in seen} == {threading.get_ident()}  # on_result in the calling thread
    assert states[-1].done == 12 and states[-1].total == 12
    assert [s.done for s in states[1:]] == list(range(1, 13))
    agents = {r.headers["user-agent"] for r in http_server.requests}
    assert agents == {"Curator/0.1.0 (+https://example.com/curator; contact: ops@example.com)"}


def test_batch_respects_the_overall_bound(http_server: HttpServer) -> None:
    for n in range(8):
        http_server.route(f"/c/{n}", body=RSS, delay=0.2)
    fetcher = Fetcher(FetchLimits(max_connections=3, max_per_host=10, total_timeout=10))
    results = fetcher.fetch_all([FetchRequest(http_server.url(f"/c/{n}")) for n in range(8)])
    assert len(results) == 8 and all(r.ok for r in results)
    assert 1 < http_server.max_concurrent("/c/") <= 3


def test_cancel_stops_starting_new_requests(http_server: HttpServer) -> None:
    for n in range(5):
        http_server.route(f"/d/{n}", body=RSS, delay=0.05)
    fetcher = Fetcher(FetchLimits(max_connections=1, max_per_host=1, total_timeout=10))
    progress = Progress()
    delivered: list[FetchResult] = []

    def on_result(result: FetchResult) -> None:
        delivered.append(result)
        progress.cancel()

    results = fetcher.fetch_all(
        [FetchRequest(http_server.url(f"/d/{n}")) for n in range(5)], progress=progress, on_result=on_result
    )
    assert results == delivered and len(results) == 1
    assert [r.path for r in http_server.requests] == ["/d/0"]
    assert progress.cancelled


def test_cancel_abandons_requests_in_flight(http_server: HttpServer) -> None:
    http_server.slow("/drip.xml", total_bytes=600, bytes_per_second=2)
    http_server.route("/quick.xml", body=RSS)
    fetcher = Fetcher(FetchLimits(total_timeout=30))
    progress = Progress()
    timer = threading.Timer(0.5, progress.cancel)
    timer.start()
    started = time.monotonic()
    try:
        results = fetcher.fetch_all(
            [FetchRequest(http_server.url("/quick.xml")), FetchRequest(http_server.url("/drip.xml"))],
            progress=progress,
        )
    finally:
        timer.join()
    assert time.monotonic() - started < 5  # not the 30 s the drip would take
    assert [r.final_url for r in results] == [http_server.url("/quick.xml")]


def test_already_cancelled_batch_sends_nothing(http_server: HttpServer, fetcher: Fetcher) -> None:
    progress = Progress()
    progress.cancel()
    assert fetcher.fetch_all([FetchRequest(http_server.url("/feed.xml"))], progress=progress) == []
    assert http_server.requests == []


def test_on_result_exception_propagates(http_server: HttpServer, fetcher: Fetcher) -> None:
    http_server.route("/feed.xml", body=RSS)

    def explode(_result: FetchResult) -> None:
        raise LookupError("caller bug")

    with pytest.raises(LookupError, match="caller bug"):
        fetcher.fetch_all([FetchRequest(http_server.url("/feed.xml"))] * 3, on_result=explode)


def test_empty_batch(fetcher: Fetcher) -> None:
    assert fetcher.fetch_all([]) == []


def test_injected_transport_is_shared_and_left_open() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, content=RSS, headers={"ETag": '"m"'})

    fetcher = Fetcher(SMALL, transport=httpx.MockTransport(answer))
    first = fetch(fetcher, "http://127.0.0.1:9/feed.xml")
    second = fetcher.fetch_all([FetchRequest("http://127.0.0.1:9/other.xml")])[0]
    assert first.body == RSS and first.etag == '"m"' and second.body == RSS
    assert calls == ["http://127.0.0.1:9/feed.xml", "http://127.0.0.1:9/other.xml"]
