"""OPML import and export: nothing lost on a round trip, nothing dangerous accepted."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import pytest
from lxml import etree

from curator.domain import Channel, Source, SourceKind
from curator.ingest.opml import CURATOR_NS, OpmlError, export_opml, import_opml

OPML_20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:curator="urn:curator:opml:1" xmlns:fr="http://feedreader.example/ns">
  <head><title>Team subscriptions</title></head>
  <body>
    <outline text="Press" title="Press">
      <outline text="Germany" title="Germany">
        <outline type="rss" text="Spiegel" title="Der Spiegel" xmlUrl="https://www.spiegel.de/index.rss"
                 htmlUrl="https://www.spiegel.de/" language="de" description="Nachrichten"
                 fr:rating="5" fr:lastSeen="2024-03-05T10:00:00Z"
                 curator:channel="news" curator:fetch_interval_minutes="15"
                 curator:full_text="true" curator:enabled="false"/>
      </outline>
      <outline type="rss" text="Wire" xmlUrl="https://wire.example/feed.xml" category="/Agencies,/Daily"/>
    </outline>
    <outline type="rss" text="Acme forum" xmlUrl="https://forum.acme.example/latest.rss"
             curator:channel="forum"/>
    <outline text="Acme forum (again, in another folder)" xmlUrl="https://forum.acme.example/latest.rss"/>
    <outline text="A bookmark, not a feed" type="link" url="https://acme.example/"/>
  </body>
</opml>
"""


def _by_url(sources: list[Source]) -> dict[str, Source]:
    return {s.url: s for s in sources}


def test_import_maps_fields_folders_and_settings() -> None:
    sources = import_opml(OPML_20)
    assert [s.url for s in sources] == [
        "https://www.spiegel.de/index.rss",
        "https://wire.example/feed.xml",
        "https://forum.acme.example/latest.rss",
    ]  # the repeated forum feed is imported once, the bookmark not at all
    spiegel, wire, forum = sources
    assert spiegel.title == "Der Spiegel"
    assert spiegel.site_url == "https://www.spiegel.de/"
    assert spiegel.category == "Press/Germany"
    assert spiegel.kind == SourceKind.FEED
    assert (spiegel.channel, spiegel.fetch_interval_minutes, spiegel.full_text, spiegel.enabled) == (
        Channel.NEWS,
        15,
        True,
        False,
    )
    assert spiegel.extra["language"] == "de"
    assert spiegel.extra["description"] == "Nachrichten"
    assert spiegel.extra["{http://feedreader.example/ns}rating"] == "5"
    assert wire.title == "Wire" and wire.category == "Press"
    assert wire.extra == {"category": "/Agencies,/Daily"}
    assert forum.category == "" and forum.channel == Channel.FORUM


def test_round_trip_keeps_unknown_attributes_and_settings() -> None:
    first = import_opml(OPML_20)
    exported = export_opml(first, "Round trip")
    second = import_opml(exported)
    assert len(second) == len(first)
    for a, b in zip(first, second, strict=True):
        assert (a.title, a.url, a.site_url, a.category, a.extra) == (
            b.title,
            b.url,
            b.site_url,
            b.category,
            b.extra,
        )
        assert (a.channel, a.fetch_interval_minutes, a.full_text, a.enabled) == (
            b.channel,
            b.fetch_interval_minutes,
            b.full_text,
            b.enabled,
        )
    # The foreign namespace keeps its prefix, and the attributes are written as they were read.
    root = etree.fromstring(exported)
    assert root.nsmap["fr"] == "http://feedreader.example/ns"
    assert root.nsmap["curator"] == CURATOR_NS
    spiegel = root.xpath("//outline[@xmlUrl='https://www.spiegel.de/index.rss']")[0]
    assert spiegel.get("{http://feedreader.example/ns}lastSeen") == "2024-03-05T10:00:00Z"
    assert spiegel.get("language") == "de" and spiegel.get("text") == "Der Spiegel"
    assert b'fr:rating="5"' in exported
    assert b'curator:fetch_interval_minutes="15"' in exported
    # Exporting the re-imported list again gives the same body.
    again = etree.fromstring(export_opml(second, "Round trip"))
    assert etree.tostring(again.find("body")) == etree.tostring(root.find("body"))


def test_export_writes_opml_20_with_nested_folders() -> None:
    sources = [
        Source(
            title="Spiegel",
            url="https://spiegel.example/rss",
            category="Press/Germany",
            site_url="https://s/",
        ),
        Source(title="Le Monde", url="https://lemonde.example/rss", category="Press/France"),
        Source(title="Top level", url="https://top.example/rss", channel=Channel.BLOG, full_text=True),
        Source(title="Tagesschau", url="https://tagesschau.example/rss", category=" Press / Germany "),
        Source(title="Mentions: x.csv", url="file:x.csv", kind=SourceKind.MENTIONS),
        Source(title="Bad \x0bchar & <tags> «ünïcode»", url="https://odd.example/rss?a=1&b=2"),
    ]
    data = export_opml(sources, "Acme listening")
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b"\n  <head>" in data  # pretty-printed
    root = etree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Acme listening"
    created = parsedate_to_datetime(root.findtext("head/dateCreated"))
    assert created.utcoffset() is not None
    press = root.xpath("body/outline[@text='Press']")
    assert len(press) == 1
    germany = press[0].xpath("outline[@text='Germany']/outline/@xmlUrl")
    assert germany == ["https://spiegel.example/rss", "https://tagesschau.example/rss"]
    assert press[0].xpath("outline[@text='France']/outline/@title") == ["Le Monde"]
    top = root.xpath("body/outline[@xmlUrl='https://top.example/rss']")[0]
    assert top.get("type") == "rss" and top.get("text") == "Top level" and top.get("title") == "Top level"
    assert top.get(f"{{{CURATOR_NS}}}channel") == "blog"
    assert top.get(f"{{{CURATOR_NS}}}full_text") == "true"
    assert top.get("htmlUrl") is None
    assert root.xpath("//outline[@xmlUrl='https://spiegel.example/rss']/@htmlUrl") == ["https://s/"]
    assert not root.xpath("//outline[@xmlUrl='file:x.csv']")  # mentions imports are not feeds
    odd = root.xpath("//outline[@xmlUrl='https://odd.example/rss?a=1&b=2']")[0]
    assert odd.get("title") == "Bad char & <tags> «ünïcode»"
    back = _by_url(import_opml(data))
    assert back["https://tagesschau.example/rss"].category == "Press/Germany"
    assert back["https://top.example/rss"].channel == Channel.BLOG
    assert back["https://top.example/rss"].full_text is True


def test_opml_10_import() -> None:
    data = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>mySubscriptions.opml</title><dateCreated>Sat, 18 Jun 2005 12:11:52 GMT</dateCreated></head>
  <body>
    <outline text="Caf\xe9 Tech">
      <outline text="CNET News.com" description="Tech news" htmlUrl="http://news.com.com/"
               language="unknown" title="CNET News.com" type="rss" version="RSS2"
               xmlUrl="http://news.com.com/2547-1_3-0-5.xml"/>
    </outline>
    <outline text="washingtonpost.com" type="rss" xmlurl="http://www.washingtonpost.com/rss.xml"/>
  </body>
</opml>"""
    cnet, post = import_opml(data)
    assert cnet.title == "CNET News.com"
    assert cnet.category == "Café Tech"
    assert cnet.extra == {"description": "Tech news", "language": "unknown", "version": "RSS2"}
    assert post.url == "http://www.washingtonpost.com/rss.xml"  # lower-case xmlurl, as some exporters write
    assert post.title == "washingtonpost.com"


def test_bad_settings_are_ignored_with_defaults() -> None:
    data = b"""<opml version="2.0" xmlns:c="urn:curator:opml:1"><body>
      <outline text="a" xmlUrl="https://a.example/rss" c:channel="myspace" c:fetch_interval_minutes="0"
               c:full_text="maybe" c:enabled=""/>
      <outline text="b" xmlUrl="https://b.example/rss" c:fetch_interval_minutes="ten"/>
    </body></opml>"""
    a, b = import_opml(data)
    assert (a.channel, a.fetch_interval_minutes, a.full_text, a.enabled) == (Channel.NEWS, 60, False, True)
    assert b.fetch_interval_minutes == 60
    assert a.extra == {} and b.extra == {}


def test_ill_formed_opml_names_the_line_and_imports_nothing() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="2.0">
  <body>
    <outline text="ok" xmlUrl="https://ok.example/rss"/>
    <outline text="Fish & Chips" xmlUrl="https://fish.example/rss"/>
  </body>
</opml>"""
    with pytest.raises(
        OpmlError, match=r"not well-formed XML \(line 5: .+\); nothing was imported\."
    ) as info:
        import_opml(data)
    assert "column" not in str(info.value)
    with pytest.raises(OpmlError, match=r"line 3"):
        import_opml(b"<opml>\n<body>\n<outline text='x' xmlUrl='https://x/'>\n</body></opml>")
    with pytest.raises(OpmlError, match="not well-formed"):
        import_opml(b"")


def test_files_without_feeds_or_not_opml_are_refused() -> None:
    with pytest.raises(OpmlError, match="lists no feeds"):
        import_opml(b'<opml version="2.0"><head/><body><outline text="Empty folder"/></body></opml>')
    with pytest.raises(OpmlError, match="looks like a feed"):
        import_opml(b'<rss version="2.0"><channel><title>x</title></channel></rss>')


def _billion_laughs(levels: int) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n'
        + "\n".join(entities)
        + f']>\n<opml version="2.0"><head><title>&lol{levels};</title></head><body>'
        + f'<outline text="&lol{levels};" xmlUrl="https://x.example/rss"/></body></opml>'
    ).encode()


@pytest.mark.parametrize("levels", [3, 9])
def test_entity_expansion_is_refused(levels: int) -> None:
    start = time.perf_counter()
    with pytest.raises(OpmlError, match="entities") as info:
        import_opml(_billion_laughs(levels))
    assert time.perf_counter() - start < 1.0
    assert "lollol" not in str(info.value)
    # The same attack in UTF-16 is refused too.
    utf16 = _billion_laughs(levels).decode().replace('version="1.0"?', 'version="1.0" encoding="UTF-16"?')
    with pytest.raises(OpmlError):
        import_opml(utf16.encode("utf-16"))
    # ... and in an encoding the quick byte scan does not cover, caught after parsing.
    utf32 = _billion_laughs(2).decode().replace('version="1.0"?', 'version="1.0" encoding="UTF-32"?')
    with pytest.raises(OpmlError, match="entities"):
        import_opml(utf32.encode("utf-32"))


def test_external_dtd_is_never_loaded() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/opml.dtd">
<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/rss"/></body></opml>"""
    # No network, no DTD loading: the external DTD is simply not fetched.
    (source,) = import_opml(data)
    assert source.url == "https://a.example/rss"


def test_a_renamed_source_exports_its_new_name() -> None:
    (source,) = import_opml(
        b'<opml version="2.0"><body><outline text="Old" title="Old" xmlUrl="https://a.example/rss"/></body></opml>'
    )
    source.title = "Acme newsroom"
    outline = etree.fromstring(export_opml([source], "t")).find("body/outline")
    assert (outline.get("text"), outline.get("title")) == ("Acme newsroom", "Acme newsroom")
