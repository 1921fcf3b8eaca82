"""Listening end to end: real HTTP on loopback, real parsing, a real workspace.

No component of ours is replaced; the only server is the loopback one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from curator.domain import Channel, Source, utcnow
from curator.ingest.health import health_sentence
from curator.ingest.http import FetchLimits
from curator.ingest.service import IngestService, NotAFeed, SourceError
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT, SHARED
from tests.httpserver import HttpServer

CORPUS = SHARED / "bench-data" / "feeds" / "feedparser"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://shop.example.com/</link>
<description>d</description>{items}</channel></rss>"""
ITEM = (
    "<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
    "<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[{body}]]></description></item>"
)


def rss(title: str, *items: tuple[str, str, str, str]) -> bytes:
    return RSS.format(
        title=title, items="".join(ITEM.format(title=t, link=u, guid=g, body=b) for t, u, g, b in items)
    ).encode()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.open(tmp_path / "ws", create=True)
    yield workspace
    workspace.close()


def small_limits() -> FetchLimits:
    return FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=3, max_bytes=2 * 1024 * 1024)


def test_feedparser_corpus_ingests_through_the_whole_pipeline(ws: Workspace, http_server: HttpServer) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared evaluation data is absent: {CORPUS} (it sits beside the checkout in CI)")
    manifest = json.loads((CORPUS / "MANIFEST.json").read_text())
    sources: dict[str, dict[str, object]] = {}
    for n, case in enumerate(manifest):
        path = f"/c/{n}/{Path(case['file']).name}"
        headers = {k.strip(): v.strip() for k, _, v in (h.partition(":") for h in case["http_headers"])}
        body = (CORPUS.parent / case["file"]).read_bytes()
        http_server.route(path, body=body, headers=headers)
        source = Source(title=f"case {n}", url=http_server.url(path))
        sources[source.id] = {
            "case": case,
            "expected": len(
                feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()}).entries
            ),
        }
        ws.sources.save(source)

    summary = IngestService(ws).fetch()  # one concurrent pass over 393 documents: nothing raises
    assert len(summary.reports) == len(manifest)

    counts = {sid: 0 for sid in sources}
    for item in ws.items.list():
        counts[item.source_id] += 1
    bozo_flagged = well_formed_with_items = 0
    for sid, info in sources.items():
        source = ws.sources.get(sid)
        assert source is not None
        case = info["case"]
        if str(case["expect"]).startswith("bozo"):
            assert source.last_warning or source.last_error, f"{case['file']}: ill-formed but not reported"
            bozo_flagged += 1
        elif info["expected"]:
            # Well-formed cases yield their items (JSON Feed: feedparser finds none, we do).
            assert counts[sid] >= 1, f"{case['file']}: {source.last_error or 'no items'}"
            well_formed_with_items += 1
    assert bozo_flagged == 20 and well_formed_with_items >= 170  # guards against a corpus that did not load


def test_add_by_web_page_discovers_the_feed(ws: Workspace, http_server: HttpServer) -> None:
    feed = rss("Brew Forum", ("Grinder broken", "/t/1", "g1", "<p>My grinder broke.</p>"))
    http_server.route("/forum/feed.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
    page = b"""<html><head><title>Brew Forum</title>
      <link rel="alternate" type="application/rss+xml" title="Posts" href="/forum/feed.xml"></head>
      <body>Welcome</body></html>"""
    http_server.route("/forum/", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    source = IngestService(ws).add_source(http_server.url("/forum/"), channel=Channel.FORUM)
    assert source.url == http_server.url("/forum/feed.xml")
    assert source.title == "Brew Forum"
    assert source.item_count == 1
    [item] = ws.items.list()
    assert item.url == http_server.url("/t/1")  # relative link resolved
    with pytest.raises(SourceError, match="already a source"):
        IngestService(ws).add_source(http_server.url("/forum/feed.xml"))


def test_web_page_without_feed_and_discovery_choices(ws: Workspace, http_server: HttpServer) -> None:
    http_server.route(
        "/plain", body=b"<html><body>No feed here</body></html>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(SourceError, match="not a feed"):
        IngestService(ws).add_source(http_server.url("/plain"))
    page = b"""<html><head><link rel="alternate" type="application/atom+xml" href="/a.xml">
      <link rel="alternate" type="application/rss+xml" href="/b.xml"></head></html>"""
    http_server.route("/two", body=page, headers={"Content-Type": "text/html"})
    with pytest.raises(NotAFeed) as err:
        IngestService(ws).add_source(http_server.url("/two"), follow_discovery=False)
    assert err.value.candidates == [http_server.url("/a.xml"), http_server.url("/b.xml")]


def test_conditional_get_gives_304_and_no_new_work(ws: Workspace, http_server: HttpServer) -> None:
    feed = rss("Reviews", ("Great", "https://r.example.com/1", "r1", "Lovely beans"))
    http_server.route(
        "/feed.xml",
        body=feed,
        headers={
            "Content-Type": "application/rss+xml",
            "ETag": '"v1"',
            "Last-Modified": "Fri, 20 Nov 2026 10:00:00 GMT",
        },
    )
    ws.sources.save(source := Source(title="Reviews", url=http_server.url("/feed.xml")))
    service = IngestService(ws)
    first = service.fetch()
    assert first.new_items == 1
    stored = ws.sources.get(source.id)
    assert stored is not None and stored.etag == '"v1"' and stored.last_modified.startswith("Fri, 20 Nov")

    def conditional(request: object) -> object:
        from tests.httpserver import Response

        headers = request.headers  # type: ignore[attr-defined]
        assert headers.get("if-none-match") == '"v1"'
        assert headers.get("if-modified-since") == "Fri, 20 Nov 2026 10:00:00 GMT"
        return Response(status=304, headers={"ETag": '"v1"'})

    http_server.route("/feed.xml", handler=conditional)
    second = service.fetch()
    [report] = second.reports
    assert report.not_modified and report.new_items == 0 and not report.error
    stored = ws.sources.get(source.id)
    assert stored is not None and stored.last_status == 304 and stored.etag == '"v1"'
    assert ws.items.count() == 1


def test_429_with_retry_after_delays_the_source(ws: Workspace, http_server: HttpServer) -> None:
    http_server.route("/busy.xml", status=429, headers={"Retry-After": "7200"})
    ws.sources.save(
        source := Source(title="Busy", url=http_server.url("/busy.xml"), fetch_interval_minutes=5)
    )
    service = IngestService(ws)
    service.fetch()
    stored = ws.sources.get(source.id)
    assert stored is not None and stored.next_fetch_at is not None
    assert stored.next_fetch_at - utcnow() > timedelta(minutes=110)
    assert stored.health == "error" and stored.consecutive_errors == 1
    assert source.id not in {s.id for s in service.due_sources()}


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda s: s.redirect("/x", "/y") or s.redirect("/y", "/x"), "redirect"),
        (lambda s: s.slow("/x", total_bytes=600, bytes_per_second=1), "longer than"),
        (lambda s: s.huge("/x", size=200_000_000), "more than"),
        (lambda s: s.gzip_bomb("/x", size=1 << 30), "more than"),
        (lambda s: s.route("/x", status=404), "404"),
        (
            lambda s: s.route(
                "/x", body=b"<html><body><p>Shop</p></body></html>", headers={"Content-Type": "text/html"}
            ),
            "HTML page",
        ),
    ],
    ids=["redirect-loop", "slow-drip", "200MB", "gzip-bomb", "404", "html-page"],
)
def test_hostile_or_broken_servers_end_in_a_clear_source_error(
    ws: Workspace, http_server: HttpServer, setup: object, expected: str
) -> None:
    setup(http_server)  # type: ignore[operator]
    ws.sources.save(source := Source(title="Bad", url=http_server.url("/x")))
    summary = IngestService(ws, limits=small_limits()).fetch()
    [report] = summary.reports
    stored = ws.sources.get(source.id)
    assert stored is not None
    assert expected in stored.last_error, stored.last_error
    assert report.error == stored.last_error
    assert "failing for" in health_sentence(stored)
    assert ws.items.count() == 0


def test_near_duplicates_from_two_sources_become_one_story(ws: Workspace, http_server: HttpServer) -> None:
    story = (
        "Northwind Coffee will switch every cafe in Germany and the UK to compostable cups from January, "
        "the roaster said on Tuesday, after customers asked for less plastic waste in its stores."
    )
    rewrite = story.replace("on Tuesday", "on Tuesday morning").replace(
        "customers asked", "many customers asked"
    )
    http_server.route(
        "/a.xml",
        body=rss(
            "Press A", ("Northwind goes compostable", "https://a.example.net/1?utm_source=x", "a1", story)
        ),
    )
    http_server.route(
        "/b.xml",
        body=rss("Press B", ("Compostable cups at Northwind", "https://b.example.org/9", "b9", rewrite)),
    )
    ws.sources.save_many(
        [Source(title="A", url=http_server.url("/a.xml")), Source(title="B", url=http_server.url("/b.xml"))]
    )
    IngestService(ws).fetch()
    items = ws.items.list()
    assert len(items) == 2  # both sources kept
    shown = [i for i in items if i.duplicate_of is None]
    assert len(shown) == 1
    assert {i.duplicate_of for i in items} == {None, shown[0].id}
    assert "utm_source" not in next(i for i in items if "a.example.net" in i.url).canonical_url


def test_refetch_updates_items_instead_of_duplicating(ws: Workspace, http_server: HttpServer) -> None:
    http_server.route("/f.xml", body=rss("F", ("Old title", "https://f.example.com/1", "f1", "text one")))
    ws.sources.save(Source(title="F", url=http_server.url("/f.xml")))
    service = IngestService(ws)
    service.fetch()
    http_server.route("/f.xml", body=rss("F", ("New title", "https://f.example.com/1", "f1", "text two")))
    summary = service.fetch()
    assert [(r.new_items, r.updated_items) for r in summary.reports] == [(0, 1)]
    [item] = ws.items.list()
    assert item.title == "New title"


def test_cli_add_fetch_list_export_import(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.route(
        "/feed.xml",
        body=rss("CLI feed", ("Hello", "https://c.example.com/1", "c1", "A customer says hello.")),
    )
    root = tmp_path / "cli-ws"

    def curator(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "curator", "--workspace", str(root), *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert subprocess.run([sys.executable, "-m", "curator", "init", str(root)], cwd=REPO_ROOT).returncode == 0
    added = curator(
        "sources", "add", http_server.url("/feed.xml"), "--channel", "forum", "--category", "Community"
    )
    assert added.returncode == 0, added.stderr
    assert "Added 'CLI feed'" in added.stdout and "1 items" in added.stdout
    fetched = curator("fetch", "--all")
    assert fetched.returncode == 0, fetched.stderr
    assert "Fetched 1 source: 0 new items" in fetched.stdout
    listed = curator("sources", "list")
    assert "CLI feed" in listed.stdout and "forum" in listed.stdout
    opml = tmp_path / "subs.opml"
    assert curator("sources", "export-opml", str(opml)).returncode == 0
    assert b'xmlUrl="' + http_server.url("/feed.xml").encode() in opml.read_bytes()
    again = curator("sources", "import-opml", str(opml))
    assert "0 sources" in again.stdout and "1 were already there" in again.stdout

    mentions = tmp_path / "mentions.csv"
    mentions.write_text(
        "Date,Network,User,Followers,Message\n2026-11-20 10:00,Twitter,@ana,120,App is down again\n"
    )
    preview = curator("import-mentions", str(mentions), "--preview")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "App is down again" in preview.stdout
    imported = curator("import-mentions", str(mentions))
    assert "Imported 1 new mentions" in imported.stdout, imported.stderr
    broken = tmp_path / "broken.csv"
    broken.write_text('Date,Message\n2026-11-20,"unterminated\n')
    failed = curator("import-mentions", str(broken))
    assert (
        failed.returncode == 1 and "line" in failed.stderr.lower() and "Nothing was imported" in failed.stderr
    )


ARTICLE = """<html><head><title>Northwind switches to compostable cups</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/shop">Shop</a></nav>
<div class="ad">Buy three bags, get one free!</div>
<article><h1>Northwind switches to compostable cups</h1>
<p>Northwind Coffee will serve every drink in compostable cups from January, the roaster announced.</p>
<p>The change covers all cafes in Germany and the UK and follows two years of trials in Hamburg.</p>
<p>Customers who bring their own cup keep the twenty cent discount, a spokesperson said.</p>
</article><footer>Copyright Bean Market Daily. Imprint. Privacy.</footer></body></html>"""


def test_full_text_is_fetched_for_full_text_sources_and_respects_robots(
    ws: Workspace, http_server: HttpServer
) -> None:
    http_server.route(
        "/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    http_server.route(
        "/news/cups", body=ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    http_server.route(
        "/private/memo", body=ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    feed = rss(
        "Bean Market",
        ("Cups", http_server.url("/news/cups"), "n1", "Short teaser."),
        ("Memo", http_server.url("/private/memo"), "n2", "Another teaser."),
    )
    http_server.route("/feed.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
    ws.sources.save(Source(title="Bean Market", url=http_server.url("/feed.xml"), full_text=True))
    service = IngestService(ws)
    summary = service.fetch()
    assert summary.full_texts == 1 and len(summary.full_text_errors) == 1
    assert "robots.txt" in summary.full_text_errors[0]
    assert "full text of 1 article" in summary.sentence()
    items = {i.title: i for i in ws.items.list()}
    assert "two years of trials in Hamburg" in items["Cups"].full_text
    assert "Buy three bags" not in items["Cups"].full_text  # boilerplate left out
    assert items["Memo"].full_text == ""
    assert not http_server.requests_to("/private/memo"), "a page robots.txt disallows was requested"
    # On demand, a second time: served from the cache, no new request.
    before = len(http_server.requests_to("/news/cups"))
    assert service.fetch_full_text([items["Cups"].id]) == (1, [])
    assert len(http_server.requests_to("/news/cups")) == before
    assert any((ws.path / "cache" / "fulltext").iterdir())


def test_sources_without_full_text_fetch_no_article_pages(ws: Workspace, http_server: HttpServer) -> None:
    http_server.route("/news/cups", body=ARTICLE.encode(), headers={"Content-Type": "text/html"})
    http_server.route("/feed.xml", body=rss("B", ("Cups", http_server.url("/news/cups"), "n1", "Teaser.")))
    ws.sources.save(Source(title="B", url=http_server.url("/feed.xml")))
    IngestService(ws).fetch()
    assert not http_server.requests_to("/news/cups") and not http_server.requests_to("/robots.txt")
