"""Display HTML from strangers: nothing active, nothing that phones home, links absolute."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curator.ingest.sanitize import ALLOWED_TAGS, html_to_text, sanitize_html

BASE = "https://news.example.com/2024/05/story.html"
REL = 'rel="nofollow noopener noreferrer"'

# Markup that must never appear in display HTML, whatever the input ("<" in
# text is always escaped, so a raw "<script" can only be an element).
_ACTIVE_MARKUP = re.compile(
    r"<\s*/?\s*(script|style|iframe|frame|object|embed|applet|form|input|button|textarea|select|img|picture|"
    r"source|video|audio|svg|math|meta|link|base|noscript)\b",
    re.IGNORECASE,
)
# For the hand-written cases, where these words only occur in the attack.
_ACTIVE_TEXT = re.compile(r"\son[a-z]+\s*=|javascript:|vbscript:|data:|\bstyle\s*=|srcset", re.IGNORECASE)

HOSTILE = {
    "script element": ("<p>before</p><script>alert('x')</script><p>after</p>", ["alert"]),
    "uppercase script": ("<SCRIPT SRC=//evil.example/x.js></SCRIPT><P>kept</P>", ["evil.example"]),
    "img onerror": ('<img src="x" onerror="alert(1)">', ["alert", "onerror"]),
    "javascript link": ('<a href="javascript:alert(1)">click</a>', ["alert"]),
    "entity-encoded javascript": ('<a href="jav&#x61;script:alert(1)">click</a>', ["alert"]),
    "javascript with tab and case": ('<a href=" JaVa\tScR\niPt:alert(1)">click</a>', ["alert"]),
    "data link": (
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
        ["base64"],
    ),
    "vbscript link": ('<a href="vbscript:msgbox(1)">click</a>', ["msgbox"]),
    "iframe": ('<iframe src="https://evil.example/"><p>fallback</p></iframe>', ["evil.example", "fallback"]),
    "style element": (
        "<style>body{background:url(https://t.example/p)}</style><p>text</p>",
        ["t.example", "background"],
    ),
    "style attribute": ('<p style="background:url(https://t.example/p)">text</p>', ["t.example"]),
    "tracking pixel": (
        '<p>Hello</p><img src="https://pixel.tracker.example/open?u=42" width="1" height="1" alt="">',
        ["tracker.example"],
    ),
    "remote image": (
        '<img src="https://cdn.example/photo.jpg" srcset="https://cdn.example/2x.jpg 2x">',
        ["cdn.example"],
    ),
    "picture and video": (
        '<picture><source srcset="https://cdn.example/a.webp"></picture>'
        '<video src="https://cdn.example/v.mp4" poster="https://cdn.example/p.jpg">no video</video>'
        '<audio src="https://cdn.example/a.mp3"></audio>',
        ["cdn.example", "no video"],
    ),
    "object and embed": (
        '<object data="https://evil.example/x.swf"><embed src="https://evil.example/y.swf"></object>',
        ["evil.example"],
    ),
    "form": (
        '<form action="https://phish.example/login"><input name="password"><button>Log in</button></form>',
        ["phish.example", "password", "Log in"],
    ),
    "svg with script": (
        '<svg onload="alert(1)"><script>alert(2)</script><text>svg text</text></svg>',
        ["alert", "svg text"],
    ),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', ["evil.example"]),
    "event handler on safe tag": ('<p onclick="steal()" onmouseover="steal()">text</p>', ["steal"]),
    "comment hiding script": (
        "<!--[if IE]><script>alert(1)</script><![endif]--><p>text</p>",
        ["alert", "[if"],
    ),
    "base element pointing away": ('<base href="javascript:alert(1)//"><a href="page">p</a>', ["alert"]),
    "mutation xss": ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', ["alert"]),
}


def _assert_inert(cleaned: str) -> None:
    """Every element and attribute left is on the reading allow-list; every link is web or mail."""
    assert not _ACTIVE_MARKUP.search(cleaned), cleaned
    if not cleaned.strip():
        return
    for element in lxml.html.fragment_fromstring(cleaned, create_parent="div").iter():
        if element.tag == "div" and element.getparent() is None:
            continue
        assert isinstance(element.tag, str) and element.tag in ALLOWED_TAGS, (element.tag, cleaned)
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name not in ("style", "src", "srcset", "cite"), cleaned
            if name == "href":
                assert urlsplit(value).scheme in ("http", "https", "mailto"), cleaned
        if element.tag == "a":
            assert element.get("rel") == "nofollow noopener noreferrer", cleaned


@pytest.mark.parametrize(("html", "forbidden"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markup_is_neutralised(html: str, forbidden: list[str]) -> None:
    cleaned = sanitize_html(html, BASE)
    _assert_inert(cleaned)
    assert not _ACTIVE_TEXT.search(cleaned), cleaned
    for text in forbidden:
        assert text.lower() not in cleaned.lower(), cleaned


def test_safe_reading_markup_survives() -> None:
    html = (
        "<h2>Heading</h2><p>Some <em>emphasis</em>, <strong>strong</strong>, <b>b</b>, <i>i</i>, <u>u</u>, "
        '<code>code</code>, <abbr title="HyperText Markup Language">HTML</abbr>, '
        "H<sub>2</sub>O, x<sup>2</sup>.</p>"
        "<blockquote><p>Quoted</p></blockquote><ul><li>one</li></ul><ol><li>two</li></ol>"
        "<pre>pre  text</pre><hr><dl><dt>term</dt><dd>definition</dd></dl>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>cell</td></tr></tbody></table>"
        "<figure><figcaption>caption</figcaption></figure><span>span</span><q>q</q><br>"
    )
    cleaned = sanitize_html(html, BASE)
    for fragment in (
        "<h2>Heading</h2>",
        "<em>emphasis</em>",
        "<strong>strong</strong>",
        "<b>b</b>",
        "<i>i</i>",
        "<u>u</u>",
        "<code>code</code>",
        '<abbr title="HyperText Markup Language">HTML</abbr>',
        "<sub>2</sub>",
        "<sup>2</sup>",
        "<blockquote><p>Quoted</p></blockquote>",
        "<ul><li>one</li></ul>",
        "<ol><li>two</li></ol>",
        "<pre>pre  text</pre>",
        "<hr>",
        "<dl><dt>term</dt><dd>definition</dd></dl>",
        "<th>h</th>",
        "<td>cell</td>",
        "<figcaption>caption</figcaption>",
        "<span>span</span>",
        "<q>q</q>",
        "<br>",
    ):
        assert fragment in cleaned


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../other.html", "https://news.example.com/2024/other.html"),
        ("/about", "https://news.example.com/about"),
        ("  spaced.html  ", "https://news.example.com/2024/05/spaced.html"),
        ("//cdn.example/x", "https://cdn.example/x"),
        ("#section", "https://news.example.com/2024/05/story.html#section"),
        ("http://plain.example/", "http://plain.example/"),
        ("mailto:press@example.com", "mailto:press@example.com"),
    ],
)
def test_links_become_absolute_and_carry_rel(href: str, expected: str) -> None:
    cleaned = sanitize_html(f'<a href="{href}" rel="opener" target="_blank">x</a>', BASE)
    assert cleaned == f'<a href="{expected}" {REL}>x</a>'


@pytest.mark.parametrize("href", ["ftp://files.example/x", "file:///etc/passwd", "tel:123"])
def test_links_outside_http_and_mailto_lose_their_target(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">x</a>', BASE) == f"<a {REL}>x</a>"


def test_base_element_is_honoured_and_removed() -> None:
    html = '<base href="/archive/"><p><a href="old.html">old</a></p><base href="/ignored/">'
    cleaned = sanitize_html(html, BASE)
    assert cleaned == f'<p><a href="https://news.example.com/archive/old.html" {REL}>old</a></p>'


def test_quote_sources_are_not_kept() -> None:
    cleaned = sanitize_html('<q cite="javascript:alert(1)">q</q><blockquote cite="x">b</blockquote>', BASE)
    assert cleaned == "<q>q</q><blockquote>b</blockquote>"


@pytest.mark.parametrize(
    "base", ["", "not a url", "http://exa mple.com/", "http://a.example:99999/", "ftp://f/"]
)
def test_relative_link_without_a_usable_base_is_dropped(base: str) -> None:
    html = '<a href="page.html">p</a> <a href="https://ok.example/">ok</a>'
    assert sanitize_html(html, base) == f'<a {REL}>p</a> <a href="https://ok.example/" {REL}>ok</a>'


def test_images_leave_their_alt_text() -> None:
    cleaned = sanitize_html('<p>See <img src="chart.png" alt="Sales  chart"> below</p>', BASE)
    assert cleaned == "<p>See  Sales chart  below</p>"


@pytest.mark.parametrize(
    "html", ["", "   ", "<!-- only a comment -->", "<script>x()</script>", "<img src=x>"]
)
def test_nothing_readable_gives_empty_html(html: str) -> None:
    assert sanitize_html(html, BASE) == ""


def test_full_page_and_xml_declaration_are_accepted() -> None:
    html = '<?xml version="1.0" encoding="iso-8859-1"?>'
    html += "<html><head><title>T</title></head><body><p>Caf\xe9</p></body></html>"
    assert sanitize_html(html, BASE) == "<p>Caf\xe9</p>"


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</script>",
                "<img src=x onerror=alert(1)>",
                '<a href="',
                "javascript:",
                "jav&#x61;script:",
                '">',
                "<svg>",
                "<style>",
                "<iframe>",
                "<!--",
                "-->",
                "<p>",
                "text",
                "&lt;",
                "<",
                ">",
                '"',
                "'",
                " onload=",
                "<noscript>",
                "</noscript>",
                "<math>",
                "<![CDATA[",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_no_combination_of_hostile_pieces_survives(html: str) -> None:
    _assert_inert(sanitize_html(html, BASE))


# --- html_to_text ---------------------------------------------------------------------------------------


def test_paragraphs_lists_and_entities_become_readable_text() -> None:
    html = (
        "<h1>Outage &amp; recovery</h1><p>Our app was down&nbsp;for <b>two</b>\n   hours.</p>"
        "<p>Affected:<br>login<br/>checkout</p><ul><li>iOS</li><li><p>Android</p></li></ul>"
        "<p>Caf&eacute; &#8220;quotes&#8221; &lt;tag&gt;</p>"
    )
    assert html_to_text(html) == (
        "Outage & recovery\n\n"
        "Our app was down for two hours.\n\n"
        "Affected:\nlogin\ncheckout\n\n"
        "iOS\nAndroid\n\n"
        "Café \u201cquotes\u201d <tag>"
    )


def test_text_drops_scripts_styles_and_markup() -> None:
    html = "<style>p{color:red}</style><p>Hello<script>var secret = 1;</script> world</p><!-- note -->"
    assert html_to_text(html) == "Hello world"


def test_tables_become_rows_of_cells() -> None:
    assert html_to_text(
        "<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Pro</td><td>9</td></tr></table>"
    ) == ("Plan Price\nPro 9")


def test_plain_text_is_kept_and_normalised() -> None:
    assert html_to_text("  1 < 2 and AT&T\tare   fine  ") == "1 < 2 and AT&T are fine"
    assert html_to_text("") == ""
    assert html_to_text("<p>  </p>") == ""
