"""robots.txt (RFC 9309) and full-text extraction, against a loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.ingest.fulltext import FullTextService, extract_text
from curator.ingest.http import Fetcher, FetchLimits, user_agent
from curator.ingest.robots import RobotsPolicy, parse_robots
from tests.httpserver import HttpServer

pytestmark = pytest.mark.usefixtures("no_leaked_threads")

LIMITS = FetchLimits(connect_timeout=2.0, read_timeout=5.0, total_timeout=8.0, max_bytes=2 * 1024 * 1024)

ARTICLE_SENTENCES = (
    "Northwind Coffee will replace the faulty grinder burrs in every Model 3 machine sold since March.",
    "Customers reported that the burrs wore down after a few weeks of daily use, leaving the coffee bitter.",
    "The company said engineers traced the problem to a supplier that changed its hardening process.",
    "Owners can book a free repair at any of the forty partner workshops or ask for a prepaid shipping box.",
    "A spokesperson apologised for the slow answers on the support forum in the first weeks of complaints.",
)
BOILERPLATE = (
    "Subscribe to our newsletter",
    "Accept all cookies",
    "Copyright 2026 Bean Market Daily",
    "Sponsored: Win a trip to Colombia",
    "Most read this week",
    "Privacy policy",
)

ARTICLE_HTML = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Northwind Coffee recalls grinder burrs | Bean Market Daily</title>
  <meta name="description" content="The roaster will repair Model 3 grinders for free.">
  <link rel="stylesheet" href="/static/site.css">
  <script>window.dataLayer = window.dataLayer || []; function track() {{}}</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">
    <p>We use cookies to improve your experience. <button>Accept all cookies</button></p>
  </div>
  <header class="site-header">
    <a class="logo" href="/">Bean Market Daily</a>
    <nav class="main-nav">
      <ul>
        <li><a href="/markets">Markets</a></li><li><a href="/roasters">Roasters</a></li>
        <li><a href="/equipment">Equipment</a></li><li><a href="/opinion">Opinion</a></li>
        <li><a href="/newsletter">Subscribe to our newsletter</a></li>
      </ul>
    </nav>
  </header>
  <div class="ad-slot leaderboard">
    <a href="https://ads.example.net/click">Sponsored: Win a trip to Colombia</a>
  </div>
  <main>
    <article class="post">
      <h1>Northwind Coffee recalls grinder burrs</h1>
      <p class="byline">By Dana Ortiz, 12 March 2026</p>
      <p>{ARTICLE_SENTENCES[0]} The recall covers about 38,000 machines in Europe and North America.</p>
      <p>{ARTICLE_SENTENCES[1]} Several long threads on the company's forum collected photos of worn parts,
         and reviews in app stores dropped sharply over the month.</p>
      <p>{ARTICLE_SENTENCES[2]} New burrs from a different supplier are already being fitted at the factory,
         and the company expects the backlog of repairs to clear by early summer.</p>
      <p>{ARTICLE_SENTENCES[3]} Repairs take about a week, and a loan grinder is offered meanwhile.</p>
      <p>{ARTICLE_SENTENCES[4]} The company promised answers within one working day from now on.</p>
    </article>
    <aside class="sidebar">
      <h3>Most read this week</h3>
      <ul>
        <li><a href="/a">Green coffee prices climb again</a></li>
        <li><a href="/b">Ten cafés that roast their own beans</a></li>
        <li><a href="/c">How to descale an espresso machine</a></li>
      </ul>
      <div class="ad-slot"><a href="https://ads.example.net/x">Sponsored: Win a trip to Colombia</a></div>
    </aside>
  </main>
  <footer class="site-footer">
    <p>Copyright 2026 Bean Market Daily. All rights reserved.</p>
    <p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms</a> | <a href="/contact">Contact</a></p>
  </footer>
</body>
</html>
""".encode()

NAV_ONLY_HTML = b"""<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<footer>Copyright 2026</footer></body></html>"""


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(LIMITS, user_agent("ops@example.com"))


@pytest.fixture
def robots(fetcher: Fetcher) -> RobotsPolicy:
    return RobotsPolicy(fetcher)


@pytest.fixture
def service(fetcher: Fetcher, robots: RobotsPolicy, tmp_path: Path) -> FullTextService:
    return FullTextService(fetcher, robots, tmp_path / "fulltext")


def serve_article(server: HttpServer, path: str = "/news/recall.html") -> str:
    server.route(path, body=ARTICLE_HTML, headers={"Content-Type": "text/html; charset=utf-8"})
    return server.url(path)


# --------------------------------------------------------------------------- extraction


def test_extract_text_keeps_the_article_and_drops_the_boilerplate() -> None:
    text = extract_text(ARTICLE_HTML, "https://news.example.com/recall.html")
    for sentence in ARTICLE_SENTENCES:
        assert sentence in text
    for noise in BOILERPLATE:
        assert noise not in text
    assert "dataLayer" not in text  # no script either


def test_extract_text_accepts_str_and_returns_empty_when_nothing_is_found() -> None:
    assert ARTICLE_SENTENCES[2] in extract_text(ARTICLE_HTML.decode(), "https://news.example.com/r")
    assert extract_text(NAV_ONLY_HTML, "https://news.example.com/") == ""
    assert extract_text(b"", "https://news.example.com/") == ""
    assert extract_text(b"\x00\xff\xfe garbage", "https://news.example.com/") == ""


# --------------------------------------------------------------------------- the service


def test_get_fetches_extracts_and_caches(http_server: HttpServer, service: FullTextService) -> None:
    http_server.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    url = serve_article(http_server)

    first = service.get(url)
    assert first.ok and not first.from_cache, first.error
    for sentence in ARTICLE_SENTENCES:
        assert sentence in first.text
    assert "Subscribe to our newsletter" not in first.text
    assert service.cache_path(url).read_text(encoding="utf-8") == first.text
    page_request = http_server.requests_to("/news/recall.html")[0]
    assert page_request.headers["user-agent"].startswith("Curator/")
    assert page_request.headers["accept"].startswith("text/html")

    requests_before = len(http_server.requests)
    second = service.get(url)
    assert second.from_cache and second.text == first.text
    assert len(http_server.requests) == requests_before  # no request at all, robots.txt included
    assert len(http_server.requests_to("/robots.txt")) == 1


def test_disallowed_page_is_never_requested(http_server: HttpServer, service: FullTextService) -> None:
    http_server.route(
        "/robots.txt", body=b"User-agent: curator\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"
    )
    url = serve_article(http_server, "/private/recall.html")
    result = service.get(url)
    assert result.text == "" and not result.ok
    assert result.error == "robots.txt of 127.0.0.1 does not allow fetching this page."
    assert http_server.requests_to("/private/recall.html") == []
    assert not service.cache_path(url).exists()


def test_redirect_to_a_disallowed_page_is_not_followed(
    http_server: HttpServer, service: FullTextService
) -> None:
    http_server.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    http_server.redirect("/go/recall", "/private/recall.html", status=302)
    serve_article(http_server, "/private/recall.html")
    result = service.get(http_server.url("/go/recall"))
    assert result.error == "robots.txt of 127.0.0.1 does not allow fetching this page."
    assert len(http_server.requests_to("/go/recall")) == 1
    assert http_server.requests_to("/private/recall.html") == []


def test_allowed_redirect_is_followed(http_server: HttpServer, service: FullTextService) -> None:
    http_server.redirect("/go/recall", "/news/recall.html", status=301)
    serve_article(http_server)
    result = service.get(http_server.url("/go/recall"))
    assert result.ok and ARTICLE_SENTENCES[0] in result.text


def test_404_robots_allows_everything(http_server: HttpServer, service: FullTextService) -> None:
    url = serve_article(http_server, "/private/recall.html")  # no /robots.txt route: 404
    assert service.robots.allowed(url)
    result = service.get(url)
    assert result.ok and ARTICLE_SENTENCES[3] in result.text
    assert len(http_server.requests_to("/robots.txt")) == 1


def test_500_robots_disallows_everything(http_server: HttpServer, service: FullTextService) -> None:
    http_server.route("/robots.txt", status=500)
    url = serve_article(http_server)
    assert not service.robots.allowed(url)
    result = service.get(url)
    assert result.error == "robots.txt of 127.0.0.1 does not allow fetching this page."
    assert http_server.requests_to("/news/recall.html") == []


def test_unreachable_robots_disallows_everything(fetcher: Fetcher) -> None:
    with HttpServer() as server:
        url = server.url("/news/recall.html")
    # The server is gone: its port refuses connections.
    assert not RobotsPolicy(fetcher).allowed(url)


def test_robots_redirect_is_followed(http_server: HttpServer, robots: RobotsPolicy) -> None:
    http_server.redirect("/robots.txt", "/static/robots.txt", status=301)
    http_server.route("/static/robots.txt", body=b"User-agent: *\nDisallow: /drafts/\n")
    assert not robots.allowed(http_server.url("/drafts/x.html"))
    assert robots.allowed(http_server.url("/news/x.html"))


def test_robots_cached_for_24_hours_per_origin(http_server: HttpServer, fetcher: Fetcher) -> None:
    now = [1000.0]
    policy = RobotsPolicy(fetcher, clock=lambda: now[0])
    http_server.route("/robots.txt", body=b"User-agent: *\nDisallow: /x\nCrawl-delay: 2.5\n")
    assert not policy.allowed(http_server.url("/x/1"))
    assert policy.allowed(http_server.url("/y/1"))
    assert policy.crawl_delay(http_server.url("/y/2")) == 2.5
    assert policy.allowed(http_server.url("/z", host="localhost"))  # another origin: fetched again
    assert len(http_server.requests_to("/robots.txt")) == 2
    now[0] += 24 * 3600 + 1
    assert policy.allowed(http_server.url("/y/1"))
    assert len(http_server.requests_to("/robots.txt")) == 3


def test_stale_robots_is_kept_when_the_site_fails(http_server: HttpServer, fetcher: Fetcher) -> None:
    now = [0.0]
    policy = RobotsPolicy(fetcher, clock=lambda: now[0])
    http_server.route("/robots.txt", body=b"User-agent: *\nDisallow: /x\n")
    assert policy.allowed(http_server.url("/ok"))
    http_server.route("/robots.txt", status=503)
    now[0] += 25 * 3600
    assert policy.allowed(http_server.url("/ok"))  # the last good copy, not a complete disallow
    assert not policy.allowed(http_server.url("/x"))
    assert len(http_server.requests_to("/robots.txt")) == 2


def test_crawl_delay_spaces_requests_to_one_site(
    http_server: HttpServer, fetcher: Fetcher, tmp_path: Path
) -> None:
    http_server.route("/robots.txt", body=b"User-agent: *\nCrawl-delay: 5\n")
    for name in ("a", "b", "c"):
        serve_article(http_server, f"/news/{name}.html")
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    service = FullTextService(
        fetcher, RobotsPolicy(fetcher), tmp_path, max_crawl_wait=6, clock=lambda: now[0], sleep=sleep
    )
    assert service.get(http_server.url("/news/a.html")).ok
    assert service.get(http_server.url("/news/b.html")).ok
    assert sleeps == [5.0]
    # Two more requests booked at once would need a 10 s wait: refused, not waited for.
    service._next_turn["127.0.0.1"] = now[0] + 10
    refused = service.get(http_server.url("/news/c.html"))
    assert refused.error == (
        "robots.txt of 127.0.0.1 asks for 5 s between requests; Curator will fetch this page later."
    )
    assert http_server.requests_to("/news/c.html") == []


def test_page_errors_and_non_pages_are_sentences(http_server: HttpServer, service: FullTextService) -> None:
    http_server.route("/report.pdf", body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    http_server.route("/empty.html", body=NAV_ONLY_HTML, headers={"Content-Type": "text/html"})
    gone = service.get(http_server.url("/gone.html"))
    assert gone.error == "The server answered 404 Not Found: the feed is gone or moved; check the address."
    pdf = service.get(http_server.url("/report.pdf"))
    assert pdf.error.startswith("The address leads to a application/pdf file, not a web page")
    empty = service.get(http_server.url("/empty.html"))
    assert empty.error == "Curator found no article text on this page; open it in your browser."
    assert not service.cache_path(http_server.url("/empty.html")).exists()  # tried again next time
    ftp = service.get("ftp://127.0.0.1/file.html")
    assert ftp.error == "Only http and https addresses can be fetched, not ftp://127.0.0.1/file.html."


# --------------------------------------------------------------------------- robots.txt rules


@pytest.mark.parametrize(
    ("robots_txt", "path", "allowed"),
    [
        ("User-agent: *\nDisallow: /", "/anything", False),
        ("User-agent: *\nDisallow:", "/anything", True),  # empty rule: no restriction
        ("User-agent: *\nDisallow: /\nAllow: /public/", "/public/a.html", True),  # longest match wins
        ("User-agent: *\nAllow: /public/\nDisallow: /", "/private/a.html", False),
        ("User-agent: *\nDisallow: /page\nAllow: /page", "/page", True),  # tie: Allow wins
        ("User-agent: *\nDisallow: /*.pdf$", "/files/report.pdf", False),
        ("User-agent: *\nDisallow: /*.pdf$", "/files/report.pdf?download=1", True),
        ("User-agent: *\nDisallow: /search?q=", "/search?q=coffee", False),
        ("User-agent: *\nDisallow: /fish*tank", "/fish-in-a-tank", False),
        ("User-agent: *\nDisallow: /caf%C3%A9/", "/café/menu", False),  # percent-encoding normalised
        ("User-agent: *\nDisallow: /%7Euser/", "/~user/page", False),
        ("User-agent: Googlebot\nDisallow: /\n\nUser-agent: *\nAllow: /", "/a", True),
        ("User-agent: CURATOR\nDisallow: /private\n", "/private/a", False),  # agent matched without case
        ("User-agent: curator\nAllow: /\n\nUser-agent: *\nDisallow: /", "/a", True),  # own group only
        ("User-agent: other\nUser-agent: curator\nDisallow: /shared\n", "/shared/x", False),
        ("User-agent: curator\nDisallow: /a\n\nUser-agent: curator\nDisallow: /b\n", "/b/x", False),  # merged
        ("Disallow: /\n", "/a", True),  # rules outside any group are ignored
        ("# only a comment\n", "/a", True),
        ("User-agent: *\nDisallow: /\n", "/robots.txt", True),
    ],
)
def test_robots_rules(robots_txt: str, path: str, allowed: bool) -> None:
    assert parse_robots(robots_txt).allowed(path) is allowed


def test_crawl_delay_is_read_from_our_group() -> None:
    rules = parse_robots(
        "User-agent: *\nCrawl-delay: 10\n\nUser-agent: Curator\nCrawl-delay: 3\nDisallow: /x\n"
    )
    assert rules.crawl_delay == 3.0
    assert parse_robots("User-agent: *\nCrawl-delay: soon\n").crawl_delay is None
