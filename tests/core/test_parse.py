"""Feed parsing, dates and feed discovery, checked against feedparser's own corpus.

The corpus (393 documents from feedparser's test suite, with the HTTP headers
each case simulates) lives in ``shared/bench-data`` beside the checkout and is
read where it lies; these tests skip when it is absent.
"""

from __future__ import annotations

import builtins
import datetime as dt
import io
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.ingest.dates import parse_date
from curator.ingest.discover import DiscoveredFeed, discover_feeds
from curator.ingest.parse import ParsedFeed, feedparser_response_headers, parse_feed

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "bench-data" / "feeds" / "feedparser"
# The host and port feedparser's own suite serves its files from: several
# expectations name absolute URLs resolved against it.
CORPUS_URL = "http://127.0.0.1:8097/"

# Manifest expectations that fail when evaluated against feedparser's own
# result for the same bytes and headers, and why that is outside our control.
_CHARDET = (
    "feedparser names this legacy encoding only when the optional chardet package is installed, "
    "which Curator does not depend on; the document is still flagged as ill-formed"
)
_NO_ADDRESS = (
    "feedparser's suite reads this file without an address; Curator always passes the feed's URL, "
    "so a relative value resolves against it (the behaviour we want)"
)
_NEWER_ITUNES = (
    "written for a newer feedparser that also maps itunes:explicit true/false; 6.0 maps only yes/clean"
)
_FETCHED_ONLY = (
    "feedparser sets etag/modified only when it makes the HTTP request itself; "
    "Curator's fetcher keeps those validators"
)
KNOWN_FEEDPARSER_EXPECTATION_FAILURES: dict[str, str] = {
    "illformed/chardet/big5.xml": _CHARDET,
    "illformed/chardet/eucjp.xml": _CHARDET,
    "illformed/chardet/euckr.xml": _CHARDET,
    "illformed/chardet/gb2312.xml": _CHARDET,
    "illformed/chardet/koi8r.xml": _CHARDET,
    "illformed/chardet/shiftjis.xml": _CHARDET,
    "illformed/chardet/tis620.xml": _CHARDET,
    "illformed/chardet/windows1255.xml": _CHARDET,
    "json/example.json": "feedparser 6.0 has no JSON Feed reader; parse_feed reads JSON Feed itself",
    "wellformed/rss/item_description_not_a_doctype.xml": _NO_ADDRESS,
    "wellformed/node_precedence/atom10_id.xml": _NO_ADDRESS,
    "wellformed/itunes/itunes_channel_explicit_true.xml": _NEWER_ITUNES,
    "wellformed/itunes/itunes_item_explicit_no.xml": _NEWER_ITUNES,
    "wellformed/itunes/itunes_item_explicit_true.xml": _NEWER_ITUNES,
    "wellformed/http/headers_etag.xml": _FETCHED_ONLY,
    "wellformed/http/headers_last_modified-modified.xml": _FETCHED_ONLY,
    "wellformed/http/headers_last_modified-modified_parsed.xml": _FETCHED_ONLY,
}

# date_cases.json gives each handler's own expectation. One string we refuse
# on purpose (see curator.ingest.dates._BARE_FIVE_DIGITS): "22013" must be
# rejected, yet "03335" has exactly the same YYDDD shape; a postcode-like
# number is not a date we should guess at.
DATES_DELIBERATELY_REJECTED: dict[str, str] = {
    "03335": "five bare digits (YYDDD) are indistinguishable from the case '22013' that must be rejected",
}

_HOSTILE = re.compile(r"<script|javascript:|vbscript:|\son[a-z]+\s*=", re.IGNORECASE)
_HOSTILE_SOURCE = re.compile(rb"(?i)(<|&lt;|&#60;|&#x3c;)\s*script|javascript:|\son[a-z]+\s*=|vbscript:")
_FUZZ_ACTIVE = re.compile(r'<\s*script|\shref="(?!https?:|mailto:)', re.IGNORECASE)
_SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in ("isinstance", "len", "ord", "locals", "dict", "list", "tuple", "str", "int", "float")
}


@dataclass(frozen=True)
class Case:
    rel: str
    description: str
    expect: str
    headers: dict[str, str]
    body: bytes

    @property
    def url(self) -> str:
        return CORPUS_URL + self.rel

    @property
    def expects_bozo(self) -> bool:
        return self.expect.startswith("bozo")

    @property
    def expects_clean(self) -> bool:
        return self.expect.startswith("not bozo")


def _require_corpus() -> Path:
    if not (CORPUS / "MANIFEST.json").is_file():
        pytest.skip(f"feedparser corpus absent: {CORPUS} (shared/bench-data is not beside the checkout)")
    return CORPUS


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    root = _require_corpus()
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    loaded = []
    for entry in manifest:
        rel = entry["file"].split("/", 1)[1]
        headers = dict(line.split(":", 1) for line in entry["http_headers"])
        # One description swallowed the end of its comment: "... == 2 -->","
        expect = re.sub(r"\s*-->.*$", "", entry["expect"] or "")
        loaded.append(Case(rel, entry["description"] or "", expect, headers, (root / rel).read_bytes()))
    return loaded


@pytest.fixture(scope="module")
def parsed(cases: list[Case]) -> dict[str, ParsedFeed | BaseException]:
    results: dict[str, ParsedFeed | BaseException] = {}
    for case in cases:
        try:
            results[case.rel] = parse_feed(case.body, url=case.url, headers=case.headers)
        except Exception as exc:  # recorded, so one test lists every crash at once
            results[case.rel] = exc
    return results


def _feedparser(case: Case, **options: Any) -> Any:
    with io.BytesIO(case.body) as stream:
        return feedparser.parse(
            stream, response_headers=feedparser_response_headers(case.url, case.headers), **options
        )


def _ok(parsed: dict[str, ParsedFeed | BaseException], rel: str) -> ParsedFeed:
    result = parsed[rel]
    assert isinstance(result, ParsedFeed), f"{rel} raised {result!r}"
    return result


# --- the corpus -----------------------------------------------------------------------------------------


def test_corpus_parses_without_raising(
    cases: list[Case], parsed: dict[str, ParsedFeed | BaseException]
) -> None:
    assert len(cases) == 393
    crashes = {rel: repr(result) for rel, result in parsed.items() if isinstance(result, BaseException)}
    assert crashes == {}


def test_corpus_ill_formed_documents_get_a_warning_or_an_error(
    cases: list[Case], parsed: dict[str, ParsedFeed | BaseException]
) -> None:
    bozo = [case for case in cases if case.expects_bozo]
    assert len(bozo) == 20
    unflagged = [c.rel for c in bozo if not (_ok(parsed, c.rel).warning or _ok(parsed, c.rel).error)]
    assert unflagged == []
    warned = [c.rel for c in bozo if _ok(parsed, c.rel).warning]
    # Most ill-formed documents still yield their feed; only an empty one is unusable.
    assert len(warned) == 19
    assert [c.rel for c in bozo if _ok(parsed, c.rel).error] == ["illformed/rss_empty_document.xml"]


def test_corpus_well_formed_documents_are_not_flagged(
    cases: list[Case], parsed: dict[str, ParsedFeed | BaseException]
) -> None:
    clean = [case for case in cases if case.expects_clean]
    assert len(clean) > 250
    flagged = {
        c.rel: _ok(parsed, c.rel).warning or _ok(parsed, c.rel).error
        for c in clean
        if _ok(parsed, c.rel).warning or _ok(parsed, c.rel).error
    }
    assert flagged == {}


def test_corpus_entry_counts_match_feedparser(
    cases: list[Case], parsed: dict[str, ParsedFeed | BaseException]
) -> None:
    compared = 0
    mismatches = {}
    for case in cases:
        if case.expects_bozo:
            continue
        expected = len(_feedparser(case).entries)
        if expected:
            compared += 1
            got = len(_ok(parsed, case.rel).entries)
            if got != expected:
                mismatches[case.rel] = (got, expected)
    assert mismatches == {}
    assert compared > 150


def test_manifest_expectations_hold_for_feedparser_as_we_call_it(cases: list[Case]) -> None:
    """Each case's own expression, evaluated against feedparser's result for our headers and URL."""
    evaluated = 0
    failing = set()
    for case in cases:
        if not case.expect:
            continue
        evaluated += 1
        result = _feedparser(case)
        namespace = {"__builtins__": _SAFE_BUILTINS, "feedparser": feedparser, "datetime": dt, "time": time}
        try:
            holds = bool(eval(case.expect, namespace, result))
        except Exception:
            holds = False
        if not holds:
            failing.add(case.rel)
    assert evaluated == 377
    unexpected = sorted(failing - KNOWN_FEEDPARSER_EXPECTATION_FAILURES.keys())
    now_passing = sorted(KNOWN_FEEDPARSER_EXPECTATION_FAILURES.keys() - failing)
    assert unexpected == [], "manifest expectations newly failing"
    assert now_passing == [], "known failures that pass now: trim KNOWN_FEEDPARSER_EXPECTATION_FAILURES"
    assert evaluated - len(failing) == 360


def test_corpus_hostile_markup_never_reaches_display(
    cases: list[Case], parsed: dict[str, ParsedFeed | BaseException]
) -> None:
    hostile = [c for c in cases if "/sanitize/" in c.rel or _HOSTILE_SOURCE.search(c.body)]
    assert len(hostile) >= 35
    shown = 0
    leaks = {}
    for case in hostile:
        feed = _ok(parsed, case.rel)
        fields = [feed.title, feed.site_url]
        for entry in feed.entries:
            fields += [entry.html, entry.title, entry.text, entry.url]
            shown += bool(entry.html)
        found = [match.group(0) for text in fields for match in _HOSTILE.finditer(text)]
        if found:
            leaks[case.rel] = found
    assert leaks == {}
    assert shown >= 15  # the check looked at real markup, not only empty entries


def test_corpus_unsafe_content_location_falls_back_to_the_feed_address(
    parsed: dict[str, ParsedFeed | BaseException],
) -> None:
    feed = _ok(parsed, "wellformed/http/headers_content_location-unsafe.xml")
    assert feed.site_url == "http://127.0.0.1:8097/abs"


def test_corpus_relative_links_resolve_against_content_location(
    parsed: dict[str, ParsedFeed | BaseException],
) -> None:
    feed = _ok(parsed, "wellformed/http/headers_content_location-relative.xml")
    assert feed.site_url == "http://127.0.0.1:8097/feed/absolute"
    entry = _ok(parsed, "wellformed/base/http_item_description_spaces.xml").entries[0]
    assert 'href="http://127.0.0.1:8097/relative/uri"' in entry.html
    assert 'rel="nofollow noopener noreferrer"' in entry.html


def test_corpus_json_feed_is_read(parsed: dict[str, ParsedFeed | BaseException]) -> None:
    feed = _ok(parsed, "json/example.json")
    assert (feed.format, feed.title, feed.site_url, feed.error, feed.warning) == (
        "json10",
        "My Example Feed",
        "https://example.org/",
        "",
        "",
    )
    second, first = feed.entries
    assert (second.guid, second.url, second.categories) == (
        "2",
        "https://example.org/second-item",
        ["test", "JSON"],
    )
    assert second.html == "This is a second item."
    assert second.enclosures == ["https://example.org/second-item-show.mp4"]
    assert (first.author, first.html) == ("you", "<p>Hello, world!</p>")


def test_corpus_http_charset_overrides_the_xml_declaration(
    parsed: dict[str, ParsedFeed | BaseException],
) -> None:
    entry = _ok(parsed, "encoding/http_text_xml_charset_overrides_encoding_2.xml").entries[0]
    assert entry.text == "Foo\n\nThis is a \xa3\u201ctest.\u201d"


def test_corpus_utf16_and_utf32_documents_are_read(parsed: dict[str, ParsedFeed | BaseException]) -> None:
    for rel in ("encoding/utf-16le-bom.xml", "encoding/utf-32be-autodetect.xml", "encoding/utf_16.xml"):
        feed = _ok(parsed, rel)
        assert feed.error == "" and feed.format, rel


# --- dates ----------------------------------------------------------------------------------------------


def test_date_cases() -> None:
    root = _require_corpus()
    date_cases = json.loads((root / "date_cases.json").read_text(encoding="utf-8"))
    assert len(date_cases) == 72
    wrong = {}
    for case in date_cases:
        got = parse_date(case["input"])
        expected = case["expected_struct_time_utc"]
        want = None if expected is None else datetime(*expected[:6], tzinfo=UTC)
        if case["input"] in DATES_DELIBERATELY_REJECTED:
            want = None
        if got != want:
            wrong[f"{case['parser']}: {case['input']!r}"] = (got, want)
        assert got is None or got.tzinfo is UTC
    assert wrong == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 01 Jan 2004 19:48:21 GMT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
        ("2003-12-31T10:14:55-08:00", datetime(2003, 12, 31, 18, 14, 55, tzinfo=UTC)),
        ("  2003-12-31T10:14:55Z \n", datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC)),
        (time.struct_time((2020, 2, 29, 12, 0, 0, 5, 60, 0)), datetime(2020, 2, 29, 12, tzinfo=UTC)),
        (time.struct_time((2021, 2, 29, 12, 0, 0, 0, 0, 0)), None),  # impossible: 2021 is no leap year
        ("2003-02-29", None),
        ("2013-11", datetime(2013, 11, 1, tzinfo=UTC)),
        ("--1203", None),  # no year: feedparser's ISO handler would take this year
        ("-13", None),  # no month: feedparser's ISO handler would take this month
        ("tomorrow", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_rejects_rather_than_invents(
    value: str | time.struct_time | None, expected: datetime | None
) -> None:
    assert parse_date(value) == expected


# --- parse_feed on hand-made documents ------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Acme &amp; Co support forum</title>
  <link>/forum/</link>
  <language>en-gb</language>
  <ttl>45</ttl>
  <item>
    <title>Login fails &amp;amp; app crashes</title>
    <link>threads/42</link>
    <guid isPermaLink="false">thread-42</guid>
    <dc:creator>Ann Example</dc:creator>
    <category>login</category><category>crash</category><category>login</category>
    <pubDate>Mon, 26 January 2004 16:31:00 PT</pubDate>
    <description>&lt;p&gt;Since the update I &lt;b&gt;cannot&lt;/b&gt; log in.&lt;/p&gt;
      &lt;img src="https://tracker.example/pixel.gif" width="1" height="1"&gt;
      &lt;script&gt;steal()&lt;/script&gt;&lt;a href="../help"&gt;help&lt;/a&gt;</description>
    <enclosure url="/media/screenshot.png" length="1000" type="image/png"/>
  </item>
  <item>
    <title>Garbage date</title>
    <pubDate>the day after the outage</pubDate>
  </item>
  <item>
    <title>Hungarian date</title>
    <pubDate>2004-j\xc3\xbalius-13T9:15-05:00</pubDate>
  </item>
  <item>
    <title>Impossible date</title>
    <pubDate>2003-12-31T25:14:55Z</pubDate>
  </item>
</channel>
</rss>
"""


def test_rss_fields() -> None:
    feed = parse_feed(
        RSS, url="https://acme.example/feeds/forum.rss", headers={"Content-Type": "application/rss+xml"}
    )
    assert (feed.error, feed.warning, feed.is_html, feed.format) == ("", "", False, "rss20")
    assert (feed.title, feed.site_url, feed.language, feed.ttl_minutes) == (
        "Acme & Co support forum",
        "https://acme.example/forum/",
        "en-gb",
        45,
    )
    entry = feed.entries[0]
    assert entry.guid == "thread-42"
    assert entry.url == "https://acme.example/feeds/threads/42"
    assert entry.title == "Login fails & app crashes"  # escaped twice by the publisher, decoded
    assert entry.author == "Ann Example"
    assert entry.categories == ["login", "crash"]
    assert entry.enclosures == ["https://acme.example/media/screenshot.png"]
    assert entry.published_at == datetime(2004, 1, 27, 0, 31, tzinfo=UTC)
    assert "<b>cannot</b>" in entry.html
    assert 'href="https://acme.example/help"' in entry.html
    assert "tracker.example" not in entry.html and "<img" not in entry.html and "steal" not in entry.html
    assert entry.text == "Login fails & app crashes\n\nSince the update I cannot log in.\n\nhelp"


def test_entry_dates_are_rejected_not_invented() -> None:
    entries = parse_feed(RSS, url="https://acme.example/feeds/forum.rss").entries
    by_title = {entry.title: entry.published_at for entry in entries}
    assert by_title["Garbage date"] is None
    assert by_title["Impossible date"] is None
    # feedparser's own chain reads this as 1 <current month> 2004; ours reads the month.
    assert by_title["Hungarian date"] == datetime(2004, 7, 13, 14, 15, tzinfo=UTC)


def test_ill_formed_feed_is_read_with_a_warning() -> None:
    body = b"""<rss version="2.0"><channel><title>Broken</title>
<item><title>One</title><link>http://example.com/1</link></item>
<item><title>Two</title><link>http://example.com/2</link></item>
<item><title>Three</b></title></item>
</channel></rss>"""
    feed = parse_feed(body, url="http://example.com/feed")
    assert feed.error == ""
    assert [entry.title for entry in feed.entries][:2] == ["One", "Two"]
    assert feed.warning.startswith("The feed is not well-formed XML (mismatched tag at line 4)")
    assert feed.warning.endswith(f"Curator read {len(feed.entries)} items from it anyway.")


def test_atom_with_xml_base_and_html_title() -> None:
    body = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/posts/">
  <title type="html">Caf&amp;eacute; &amp;lt;news&amp;gt;</title>
  <link rel="alternate" href="/"/>
  <entry>
    <id>urn:uuid:1</id>
    <title type="text">1 &lt; 2</title>
    <link rel="alternate" href="first"/>
    <updated>2024-03-01T12:00:00+01:00</updated>
    <author><name>Bo</name></author>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>See <a href="../about">about</a>
      <img src="photo.jpg" alt="a photo"/></p></div></content>
  </entry>
</feed>"""
    feed = parse_feed(body, url="https://blog.example/feed.atom")
    assert (feed.format, feed.title, feed.site_url) == ("atom10", "Café <news>", "https://blog.example/")
    entry = feed.entries[0]
    assert (entry.title, entry.url, entry.author) == ("1 < 2", "https://blog.example/posts/first", "Bo")
    assert entry.published_at == datetime(2024, 3, 1, 11, tzinfo=UTC)
    assert 'href="https://blog.example/about"' in entry.html
    assert "a photo" in entry.html and "<img" not in entry.html


def test_unusable_xml_base_does_not_stop_the_feed() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://bad host:99999/"><title>t</title>
<entry><id>x</id><link href="post"/>
<content type="html">&lt;a href="rel"&gt;r&lt;/a&gt;</content></entry></feed>"""
    feed = parse_feed(body, url="https://good.example/feed")
    assert feed.error == ""
    assert feed.entries[0].html == '<a rel="nofollow noopener noreferrer">r</a>'


def test_plain_text_content_is_escaped_not_interpreted() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>x</id>
<content type="text">Use &lt;script&gt; tags
on two lines</content></entry></feed>"""
    entry = parse_feed(body, url="https://e.example/").entries[0]
    assert entry.html == "Use &lt;script&gt; tags<br>on two lines"
    assert entry.text == "Use <script> tags\non two lines"


def test_http_charset_wins_over_the_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    body += "<title>Caf\xe9 \u201cquoted\u201d</title></channel></rss>"
    feed = parse_feed(
        body.encode("windows-1252"),
        url="http://e.example/",
        headers={"Content-Type": "text/xml; charset=windows-1252"},
    )
    assert feed.title == "Caf\xe9 \u201cquoted\u201d"
    assert feed.warning == ""


@pytest.mark.parametrize(
    ("body", "headers", "is_html", "error_start"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Shop</title></head><body>Hi</body></html>",
            {},
            True,
            "This address",
        ),
        (b"<html><body><p>no doctype</p></body></html>", {"Content-Type": "text/html"}, True, "This address"),
        ("<!doctype html><html></html>".encode("utf-16"), {}, True, "This address"),
        (b"just some text", {"Content-Type": "text/plain"}, False, "The document is not a"),
        (b"<note><to>you</to></note>", {}, False, "The document is not a"),
        (b"", {}, False, "The server returned an empty document"),
        (b"  \n ", {}, False, "The server returned an empty document"),
        (b'{"hello": "world"}', {"Content-Type": "application/json"}, False, "The document is JSON but not"),
        (b'{"items": [', {}, False, "The document looks like JSON but cannot be read"),
    ],
)
def test_not_a_feed(body: bytes, headers: dict[str, str], is_html: bool, error_start: str) -> None:
    feed = parse_feed(body, url="https://shop.example/", headers=headers)
    assert feed.error.startswith(error_start)
    assert feed.error.endswith(".")
    assert feed.is_html is is_html
    assert feed.entries == []


def test_a_body_that_names_a_local_file_is_not_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(b"<rss version='2.0'><channel><title>SECRET</title></channel></rss>")
    feed = parse_feed(str(secret).encode(), url="https://evil.example/")
    assert feed.title == ""
    assert feed.error


def test_json_feed_11_with_authors_and_relative_links() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Reviews",
        "home_page_url": "/reviews/",
        "language": "de",
        "items": [
            {
                "id": 7,
                "url": "/reviews/7",
                "title": "Gut &amp; g\u00fcnstig",
                "content_html": '<p onclick="x()">Fine <a href="more">more</a></p>',
                "date_published": "2024-05-01T10:00:00+02:00",
                "authors": [{"name": "Kim"}, {"name": "Lee"}],
                "tags": ["price", 3],
            },
            "not an item",
            {"id": True, "content_text": "plain <b>text</b>", "date_modified": "yesterday"},
        ],
    }
    feed = parse_feed(json.dumps(document).encode(), url="https://shop.example/feed.json")
    assert (feed.format, feed.title, feed.site_url, feed.language) == (
        "json11",
        "Reviews",
        "https://shop.example/reviews/",
        "de",
    )
    first, second = feed.entries
    assert (first.guid, first.url, first.title, first.author) == (
        "7",
        "https://shop.example/reviews/7",
        "Gut & günstig",
        "Kim, Lee",
    )
    more = '<a href="https://shop.example/reviews/more" rel="nofollow noopener noreferrer">more</a>'
    assert first.html == f"<p>Fine {more}</p>"
    assert first.published_at == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert first.categories == ["price"]
    assert (second.guid, second.published_at, second.html) == ("", None, "plain &lt;b&gt;text&lt;/b&gt;")


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(
            lambda s: f"<rss version='2.0'><channel><item>{s}</item></channel></rss>".encode()
        ),
        st.text(max_size=300).map(lambda s: f'{{"version": "https://jsonfeed.org/version/1", {s}'.encode()),
    )
)
def test_parse_feed_never_raises(body: bytes) -> None:
    feed = parse_feed(body, url="https://fuzz.example/feed")
    assert isinstance(feed, ParsedFeed)
    assert not (feed.error and feed.warning)
    for entry in feed.entries:
        # "<" in text is escaped, so "<script" could only be markup; and every kept href is web or mail.
        assert not _FUZZ_ACTIVE.search(entry.html), entry.html


# --- discovery ------------------------------------------------------------------------------------------

PAGE_HEAD = b"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Acme Blog</title>
<base href="/blog/">
<link rel="stylesheet" href="site.css">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="Alternate" type="application/rss+xml" title="Acme Blog \xe2\x80\x93 posts" href="feed.xml">
<link rel="alternate nofollow" type="application/atom+xml; charset=utf-8" title="Atom" href="https://acme.example/blog/atom">
<link rel="alternate" type="application/feed+json" title="JSON" href="//acme.example/blog/feed.json">
<link rel="alternate" type="application/rss+xml" title="duplicate" href="feed.xml#top">
<link rel="alternate" type="application/rss+xml" title="bad" href="javascript:alert(1)">
<link rel="alternate" type="application/rdf+xml" title="RDF" href="feed://acme.example/index.rdf">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
</head><body><a href="/comments.rss">comments</a></body></html>
"""


def test_discovery_reads_alternate_links_in_order() -> None:
    found = discover_feeds(PAGE_HEAD, "https://acme.example/blog/2024/05/post.html")
    assert found == [
        DiscoveredFeed("https://acme.example/blog/feed.xml", "Acme Blog \u2013 posts", "application/rss+xml"),
        DiscoveredFeed("https://acme.example/blog/atom", "Atom", "application/atom+xml"),
        DiscoveredFeed("https://acme.example/blog/feed.json", "JSON", "application/feed+json"),
        DiscoveredFeed("http://acme.example/index.rdf", "RDF", "application/rdf+xml"),
    ]


def test_discovery_falls_back_to_feed_like_anchors() -> None:
    page = """<html><body><nav><a href="/about">About</a> <a href="/sitemap.xml">Sitemap</a>
    <a href="/feed/">Subscribe <b>(RSS)</b></a> <a href="news/atom">Atom</a>
    <a href="/feed/">again</a></nav></body></html>"""
    found = discover_feeds(page, "https://shop.example/de/")
    assert found == [
        DiscoveredFeed("https://shop.example/feed/", "Subscribe (RSS)", ""),
        DiscoveredFeed("https://shop.example/de/news/atom", "Atom", ""),
    ]


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>Nothing</title></head><body><a href='/about'>About</a></body></html>",
        b"",
        "   ",
        b"\x00\x01",
    ],
)
def test_discovery_finds_nothing(page: bytes | str) -> None:
    assert discover_feeds(page, "https://nothing.example/") == []


@pytest.fixture(scope="module", autouse=True)
def _no_network() -> Iterator[None]:
    """Fail loudly if parsing anything here tries to open a connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a parsing test tried to use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        yield
