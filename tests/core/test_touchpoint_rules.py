"""Platform counting, touch point rules and derived variants (curator.editorial)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curator.domain import LinkPolicy, TouchPoint, TouchPointKind
from curator.editorial.counting import (
    count_length,
    find_hashtags,
    find_links,
    limit_offset,
    sms_parts,
)
from curator.editorial.touchpoints import (
    DEFAULT_RULES,
    TouchPointRules,
    check_touchpoint,
    effective_rules,
)
from curator.editorial.variants import (
    ELLIPSIS,
    derive_variant,
    markdown_to_html,
    markdown_to_text,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"

# --- counting ------------------------------------------------------------------------------------

# Expected values from twitter-text's conformance suite (validate.yml, v3 config) where noted.
X_CASES = [
    ("plain ASCII", "This is a test.", 15),
    ("empty", "", 0),
    ("http link counts 23", "http://test.com", 23),
    ("https link counts 23", "https://test.com", 23),
    ("bare domain counts 23", "test.com", 23),
    ("a long link still counts 23", "https://example.com/" + "a" * 200, 23),
    ("bare domain with path", "see example.com/path?x=1.", 4 + 23 + 1),
    ("conformance: text and link", "Hi http://test.co", 26),
    ("conformance: multiple links", "Test https://test.com test https://test.com test.com test", 86),
    ("conformance: 64-char label is no domain", "randomurl" * 7 + "s.com", 68),
    ("e-mail address is not a link", "mail me@example.com", 19),
    ("node.js is no link, readme.md is", "node.js readme.md", 8 + 23),
    ("CJK counts 2", "日本語", 6),
    ("Hangul counts 2", "저찀쯿쿿", 8),
    ("emoji counts 2", "\U0001f431", 2),
    ("emoji with variation selector", "\u2764\ufe0f", 2),
    ("skin tone modifier", "\U0001f44d\U0001f3fd", 2),
    ("conformance: ZWJ family", FAMILY, 2),
    ("conformance: 140 families", FAMILY * 140, 280),
    ("flag", "\U0001f1ef\U0001f1f5", 2),
    ("conformance: keycap", "1\u20e3", 2),
    ("copyright sign alone is text", "©", 1),
    ("conformance: ellipsis counts 2", "…", 2),
    ("curly quotes count 1", "“hi”", 4),
    ("conformance: NFC composes Á", "A\u0301B", 2),
    ("conformance: NFC decomposes shin", "A\ufb2c", 4),
    (
        "conformance: Unicode 10 emoji",
        f"Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; {ENGLAND}",
        34,
    ),
    (
        "conformance: directional marks around a link",
        "\u2066\u202ahttp://foobar.\u067e\u0627\u06a9\u0633\u062a\u0627\u0646/\u202c\u2069",
        31,
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in X_CASES], ids=[c[0] for c in X_CASES])
def test_x_weighted_count(text: str, expected: int) -> None:
    assert count_length(text, "x") == expected


def test_chars_and_sms_count_code_points_after_nfc() -> None:
    assert count_length("e\u0301te\u0301", "chars") == 3
    assert count_length("https://example.com/long/path", "chars") == 29
    assert count_length("\U0001f431 ok", "sms") == 4


def test_unknown_counting_method_is_refused() -> None:
    with pytest.raises(ValueError, match="counting method"):
        count_length("x", "words")


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Read [our guide](https://ex.com/a_(b)) now", ["https://ex.com/a_(b)"]),
        ("(see https://ex.com/x).", ["https://ex.com/x"]),
        ("**www.example.co.uk**", ["www.example.co.uk"]),
        ("<https://example.com/a>", ["https://example.com/a"]),
        ("Visit example.com, or shop.example.org/sale!", ["example.com", "shop.example.org/sale"]),
        ("e.g. this, i.e. that, v1.2 and node.js", []),
        ("write to team@example.com", []),
    ],
)
def test_find_links(text: str, links: list[str]) -> None:
    found = find_links(text)
    assert [url for _, _, url in found] == links
    assert all(text[start:end] == url for start, end, url in found)


def test_find_hashtags_unicode_and_not_in_urls() -> None:
    text = "Hi #Café #1st #12345 https://x.com/#frag a#b #हिन्दी &#123; #東京 #snake_case"
    assert [tag for _, _, tag in find_hashtags(text)] == ["#Café", "#1st", "#हिन्दी", "#東京", "#snake_case"]
    start, end, tag = find_hashtags(text)[0]
    assert text[start:end] == tag


def test_limit_offset_marks_the_first_unit_that_does_not_fit() -> None:
    assert limit_offset("abc def", 10, "chars") is None
    assert limit_offset("abc def", 5, "chars") == 5
    # A link is one unit of 23: it does not fit in 30 after 10 characters, and is not split.
    text = "012345678 https://example.com/page and more"
    assert limit_offset(text, 30, "x") == 10
    assert limit_offset(text, 33, "x") == len("012345678 https://example.com/page")
    # Offsets are in the original text even when it is not NFC: two "é" fit, the third does not.
    assert limit_offset("e\u0301e\u0301e\u0301", 2, "chars") == 4


@settings(max_examples=300, deadline=None, database=None)
@given(
    text=st.lists(
        st.one_of(
            st.text(max_size=8),
            st.sampled_from(
                ["https://ex.com/a", "example.org", FAMILY, "日本", "\u2764\ufe0f", "e\u0301", " "]
            ),
        ),
        max_size=20,
    ).map("".join),
    method=st.sampled_from(["x", "chars", "sms"]),
)
def test_limit_offset_agrees_with_count_length(text: str, method: str) -> None:
    n = count_length(text, method)
    assert limit_offset(text, n, method) is None
    if n:
        at = limit_offset(text, n - 1, method)
        assert at is not None and 0 <= at < len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0)),
        ("hello", ("GSM-7", 1)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("€" * 80, ("GSM-7", 1)),  # extension table: two septets each
        ("€" * 81, ("GSM-7", 2)),
        ("it’s", ("UCS-2", 1)),
        ("’" + "a" * 70, ("UCS-2", 2)),
    ],
)
def test_sms_parts(text: str, expected: tuple[str, int]) -> None:
    assert sms_parts(text) == expected


# --- rules ---------------------------------------------------------------------------------------


def test_every_kind_has_defaults() -> None:
    assert set(DEFAULT_RULES) == set(TouchPointKind)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (TouchPointKind.X, TouchPointRules(max_length=280, counting="x")),
        (TouchPointKind.LINKEDIN, TouchPointRules(max_length=3000)),
        (TouchPointKind.FACEBOOK, TouchPointRules(max_length=63206)),
        (
            TouchPointKind.INSTAGRAM,
            TouchPointRules(
                max_length=2200, hashtag_limit=30, link_policy=LinkPolicy.NONE, requires_image=True
            ),
        ),
        (TouchPointKind.SMS, TouchPointRules(max_length=160, counting="sms", link_policy=LinkPolicy.ONE)),
        (
            TouchPointKind.IN_STORE_SCREEN,
            TouchPointRules(max_length=120, hashtag_limit=0, link_policy=LinkPolicy.NONE),
        ),
        (TouchPointKind.NEWSLETTER, TouchPointRules(markdown=True)),
        (TouchPointKind.BLOG, TouchPointRules(markdown=True)),
        (TouchPointKind.WEB_PAGE, TouchPointRules(markdown=True)),
    ],
)
def test_defaults(kind: TouchPointKind, expected: TouchPointRules) -> None:
    assert effective_rules(TouchPoint(name="t", kind=kind)) == expected


def test_touch_point_overrides_replace_only_what_is_set() -> None:
    tp = TouchPoint(
        name="Store X",
        kind=TouchPointKind.X,
        max_length=200,
        link_policy=LinkPolicy.NONE,
        min_sentiment=0.1,
    )
    rules = effective_rules(tp)
    assert rules == TouchPointRules(
        max_length=200, counting="x", link_policy=LinkPolicy.NONE, min_sentiment=0.1
    )


def test_an_explicit_false_overrides_a_true_default() -> None:
    tp = TouchPoint(name="Reels", kind=TouchPointKind.INSTAGRAM, requires_image=False, hashtag_limit=5)
    rules = effective_rules(tp)
    assert rules.requires_image is False
    assert rules.hashtag_limit == 5
    assert rules.max_length == 2200


# --- check_touchpoint ----------------------------------------------------------------------------

X = DEFAULT_RULES[TouchPointKind.X]


def test_text_within_limits_has_no_findings() -> None:
    assert check_touchpoint("Short and sweet https://example.com #launch", X) == []


def test_length_over_limit_names_count_and_limit_and_marks_the_overflow() -> None:
    text = "https://example.com/a " + "x" * 260  # 23 + 1 + 260 = 284 as X counts
    (finding,) = check_touchpoint(text, X, target="tp1")
    assert finding.rule == "length"
    assert finding.severity == "error"
    assert finding.target == "tp1"
    assert "284" in finding.message and "280" in finding.message and "by 4" in finding.message
    assert (finding.start, finding.end) == (len(text) - 4, len(text))
    assert finding.suggestion is None


def test_hashtags_beyond_the_limit_are_marked() -> None:
    rules = TouchPointRules(hashtag_limit=2)
    text = "#one #two #three #four"
    findings = check_touchpoint(text, rules)
    assert [(text[f.start : f.end], f.suggestion, f.rule) for f in findings] == [
        ("#three", "", "hashtags"),
        ("#four", "", "hashtags"),
    ]
    assert "at most 2 hashtags" in findings[0].message and "has 4" in findings[0].message


def test_in_store_screen_takes_no_hashtags_and_no_links() -> None:
    rules = DEFAULT_RULES[TouchPointKind.IN_STORE_SCREEN]
    text = "Sale today #deals at shop.example.com"
    findings = check_touchpoint(text, rules)
    assert {(f.rule, text[f.start : f.end]) for f in findings} == {
        ("hashtags", "#deals"),
        ("links", "shop.example.com"),
    }


def test_link_policy_one_marks_the_second_link() -> None:
    rules = DEFAULT_RULES[TouchPointKind.SMS]
    text = "Order: https://a.example/1 Help: https://b.example/2"
    (finding,) = check_touchpoint(text, rules)
    assert finding.rule == "links"
    assert text[finding.start : finding.end] == "https://b.example/2"
    assert finding.key == "links::https://b.example/2"


def test_missing_image_is_a_whole_text_error() -> None:
    rules = DEFAULT_RULES[TouchPointKind.INSTAGRAM]
    (finding,) = check_touchpoint("A caption", rules)
    assert (finding.rule, finding.start, finding.end, finding.severity) == ("image", -1, -1, "error")
    assert finding.suggestion
    assert check_touchpoint("A caption", rules, has_image=True) == []


def test_sms_outside_gsm_alphabet_is_warned_about_with_a_plain_substitute() -> None:
    rules = DEFAULT_RULES[TouchPointKind.SMS]
    text = "We’re open"
    (finding,) = check_touchpoint(text, rules)
    assert (finding.rule, finding.severity) == ("length", "warning")
    assert text[finding.start : finding.end] == "’"
    assert finding.suggestion == "'"
    assert "UCS-2" in finding.message and "70" in finding.message


# --- Markdown rendering --------------------------------------------------------------------------


def test_markdown_to_text() -> None:
    md = (
        "# Big news\n\nWe **launched** [our guide](https://ex.com/g) and <https://y.com>.\n"
        "Next line\n\n- one\n- two\n  1. a\n\nSee `code` and 5*3 and snake_case.\n\n"
        "![chart](chart.png)\n\n```\nprint(1)\n```\n"
    )
    assert markdown_to_text(md) == (
        "Big news\n\nWe launched our guide (https://ex.com/g) and https://y.com.\nNext line\n\n"
        "- one\n- two\n  1. a\n\nSee code and 5*3 and snake_case.\n\nprint(1)"
    )


def test_markdown_to_text_without_urls_keeps_link_labels() -> None:
    assert markdown_to_text("Read [our guide](https://ex.com/g).", keep_urls=False) == "Read our guide."


def test_markdown_to_html_is_sanitised() -> None:
    html = markdown_to_html("Hi **there** <script>steal()</script>\n\n<style>p{}</style>")
    assert "<strong>there</strong>" in html
    assert "<script" not in html and "steal()" not in html and "<style" not in html


def test_markdown_to_html_drops_script_links_and_handlers() -> None:
    html = markdown_to_html(
        '[x](javascript:alert(1)) <a href="javascript:alert(2)" onclick="alert(3)">y</a> '
        "[ok](https://example.com)"
    )
    assert 'href="javascript' not in html and "onclick" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer">ok</a>' in html


# --- derived variants ----------------------------------------------------------------------------


def test_markdown_platforms_keep_the_markdown() -> None:
    body = "Intro with **bold** and [a link](https://ex.com)."
    assert derive_variant("Title", body, DEFAULT_RULES[TouchPointKind.BLOG]) == body


def test_plain_variant_leads_with_the_title_once() -> None:
    rules = DEFAULT_RULES[TouchPointKind.LINKEDIN]
    assert derive_variant("Launch day", "We **ship** today.", rules) == "Launch day\n\nWe ship today."
    assert derive_variant("Launch day", "# Launch day\n\nWe ship.", rules) == "Launch day\n\nWe ship."
    assert derive_variant("Launch", "Launching soon.", rules) == "Launch\n\nLaunching soon."


def test_plain_variant_keeps_links_as_urls_and_appends_the_link() -> None:
    rules = DEFAULT_RULES[TouchPointKind.FACEBOOK]
    variant = derive_variant("", "See [the notes](https://ex.com/n).", rules, link="https://ex.com/post")
    assert variant == "See the notes (https://ex.com/n). https://ex.com/post"


def test_link_is_not_appended_where_links_are_not_allowed_or_taken() -> None:
    assert (
        derive_variant("", "Hello.", DEFAULT_RULES[TouchPointKind.INSTAGRAM], link="https://e.x/1")
        == "Hello."
    )
    sms = DEFAULT_RULES[TouchPointKind.SMS]
    assert (
        derive_variant("", "Go to https://a.example/x", sms, link="https://e.x/1")
        == "Go to https://a.example/x"
    )


def test_long_body_is_cut_at_a_word_with_an_ellipsis_and_keeps_the_link() -> None:
    body = " ".join(["word"] * 100)
    variant = derive_variant("", body, DEFAULT_RULES[TouchPointKind.SMS], link="https://ex.com/p")
    head, link = variant.rsplit(" ", 1)
    assert link == "https://ex.com/p"
    assert head.endswith("word" + ELLIPSIS)
    assert count_length(variant, "sms") <= 160


def test_cut_prefers_a_sentence_end() -> None:
    body = "First sentence is here. " * 5 + "x" * 50
    variant = derive_variant("", body, TouchPointRules(max_length=130))
    assert variant.endswith("here.")
    assert not variant.endswith(ELLIPSIS)


_WORDS = st.sampled_from(
    [
        "word", "longerword", "日本語", "\U0001f600", FAMILY, "https://example.com/a/long/path",
        "example.org", "**bold**", "_em_", "[label](https://ex.com/x)", "`code`", "#tag", "@handle",
        "…", "a" * 40, "x.", "Done!", "\n", "\n\n", "- item\n", "# Heading\n", "1. first\n",
    ]
)  # fmt: skip
_BODIES = st.lists(_WORDS, max_size=120).map(" ".join)


@settings(max_examples=150, deadline=None, database=None)
@given(title=st.text(max_size=40), body=_BODIES, with_link=st.booleans())
def test_derived_plain_variants_always_fit(title: str, body: str, with_link: bool) -> None:
    link = "https://example.com/article" if with_link else ""
    for kind in (TouchPointKind.X, TouchPointKind.SMS, TouchPointKind.IN_STORE_SCREEN):
        rules = DEFAULT_RULES[kind]
        assert rules.max_length is not None
        variant = derive_variant(title, body, rules, link=link)
        assert count_length(variant, rules.counting) <= rules.max_length, (kind, variant)


@settings(max_examples=100, deadline=None, database=None)
@given(body=st.text(max_size=600))
def test_derived_x_variant_fits_for_arbitrary_text(body: str) -> None:
    variant = derive_variant("A title", body, X, link="https://example.com/a")
    assert count_length(variant, "x") <= 280
