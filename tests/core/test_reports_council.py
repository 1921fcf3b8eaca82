"""The council report: its sentences, figures and charts, and the HTML it becomes.

Built on the hand-counted workspace of ``test_reports_measures``. Week 46,
the week compared with, holds p1 (@anna on X, -0.8) and p2 (Ben H. on the
forum, +0.3), conversation c0 (urgent, first reply after 50 minutes, resolved
after 600) and one published post (post5).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import orjson
import pytest

from curator.domain import Channel, Item, Source, SourceKind
from curator.reports.council import CouncilReport, build_report, format_minutes, value_axis
from curator.reports.html import chart_svg, render_html
from curator.reports.measures import load_snapshot
from curator.reports.periods import parse_period
from curator.workspace import Workspace
from tests.core.test_reports_measures import BERLIN, NOW, W47, berlin, build_fixture


def _same(text: str) -> str:
    return text


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return build_fixture(tmp_path / "ws")


@pytest.fixture
def ws(ws_path: Path) -> Iterator[Workspace]:
    with Workspace.open(ws_path, read_only=True) as opened:
        yield opened


@pytest.fixture
def report(ws: Workspace) -> CouncilReport:
    return build_report(ws, W47, now=NOW, mask=_same)


def test_the_headline(report: CouncilReport) -> None:
    assert report.title == "Council report, week 47, 16–22 Nov 2026"
    assert report.previous.label == "2026-W46"
    assert report.summary.headline == [
        # 6 items against week 46's 2 (p1, p2): (6 - 2) / 2 = 200% more
        "In 2026-W47 (week 47, 16–22 Nov 2026) customers sent 6 items through 4 channels: "
        "200% more than the week before (2).",
        "They came from 3 distinct customers. "
        "1 customer came back on another day or through another channel.",
        "1 item named no author, so it is not counted as a customer.",
        "2 posts were published on 2 touch points; 1 post failed (the week before: 1 published).",
    ]


def test_what_improved_and_what_got_worse(report: CouncilReport) -> None:
    assert report.summary.improved == [
        # answered within target: c1 met (1 of c1, c2) = 50% against c0's miss = 0%
        "More replies met the response target: 50%, up from 0%.",
        # resolved: c1 after 120 minutes against c0 after 600
        "Conversations were resolved faster: a median of 2 h, down from 10 h.",
    ]
    assert report.summary.worse == [
        # answered: c1, c2 of c1, c2, c3 = 67% against c0 = 100%
        "Fewer conversations were answered: 67% of those needing an answer, down from 100%.",
        # median of 20 and 300 = 160 minutes against 50
        "First replies were slower: a median of 2 h 40 min, up from 50 min.",
        # p90 = 20 + 280 * 0.9 = 272 minutes against 50
        "The slowest first replies took longer: 90% were sent within 4 h 32 min, up from 50 min.",
        # negative: 3 of 5 scored against 1 of 2
        "The tone was harsher: 60% of customer items were negative, up from 50%.",
        "More posts failed to publish: 1, up from 0.",
    ]


def test_the_three_hot_issues_and_what_is_pending(report: CouncilReport) -> None:
    assert report.summary.hot_issues == [
        "The biggest issue was “oat milk price”: 4 items, 50% of them negative (1 item the week before).",
        "The second was “new café opening”: 3 items, tone not analysed yet (new this week).",
        "The third was “app login”: 1 item, not negative (1 item the week before).",
        "1 new issue opened and 1 went quiet (no new item for 7 days).",
    ]
    assert report.summary.pending == [
        "Pending at Mon 23 Nov 2026, 13:00 (CET):",
        "2 drafts await approval.",
        "1 approved draft waits to be scheduled.",
        "1 of 1 open conversation is past the response target.",
        "1 post failed to publish and needs a retry or a decision.",
    ]
    sentences = report.summary.sentences()
    assert sentences[0] == report.summary.headline[0] and sentences[-1] == report.summary.pending[-1]


def test_a_small_change_is_not_news(report: CouncilReport) -> None:
    figures = {f.key: f for f in report.figures}
    assert (figures["negative_share"].value, figures["negative_share"].previous) == ("60%", "50%")
    assert figures["negative_share"].change == "+10 pts" and figures["negative_share"].verdict == "worse"
    assert figures["items"].verdict == "info"  # volume is reported, not judged
    assert figures["content_reach"].value == "not measured"
    assert "no publishing connector" in figures["content_reach"].reason


def test_an_empty_week_reads_naturally(ws: Workspace) -> None:
    quiet = build_report(ws, parse_period("2026-W40", BERLIN), now=NOW, mask=_same)
    assert quiet.summary.headline == [
        "No customer items arrived in 2026-W40 (week 40, 28 Sep – 4 Oct 2026).",
        "Nothing was published in 2026-W40.",
    ]
    assert quiet.summary.improved == [
        "There is nothing to compare with: 2026-W39 (week 39, 21–27 Sep 2026) has no customer items, "
        "conversations or posts."
    ]
    assert quiet.summary.worse == []
    assert quiet.summary.hot_issues == ["No issue had items in 2026-W40."]
    assert quiet.charts == []
    html = render_html(quiet)
    assert "There is nothing to draw for this period." in html
    assert "What improved" in html and "What got worse" not in html  # no empty section


def test_a_running_week_says_so(ws: Workspace) -> None:
    running = build_report(ws, W47, now=W47.start.replace(day=18, hour=12), mask=_same)
    assert running.summary.headline[0] == (
        "2026-W47 is not over yet: these figures cover 3 of its 7 days, and the week before is complete."
    )


def test_charts_show_the_measured_figures(report: CouncilReport) -> None:
    charts = {c.title: c for c in report.charts}
    per_day = charts["Customer items per day"]
    assert per_day.kind == "bar" and per_day.unit == "items"
    assert per_day.series == {"Week 47": [float(b.items) for b in report.current.buckets]}
    negative = charts["Negative customer items per day"]
    assert negative.kind == "line" and negative.series["Week 47"] == [
        100.0,
        50.0,
        100.0,
        None,
        None,
        None,
        0.0,
    ]
    channels = charts["Customer items per channel"]
    assert channels.categories[:2] == ["X", "Forums"]
    assert channels.series == {"Week 47": [3.0, 1.0, 1.0, 1.0], "Week 46": [1.0, 1.0, 0.0, 0.0]}
    first = charts["Median first response per channel"]
    assert first.unit == "h" and first.series["Week 47"][:2] == [0.3, 5.0]  # 20 min, 300 min
    issues = charts["Hot issues: items"]
    assert issues.series["Week 47"] == [4.0, 3.0, 1.0]
    assert charts["Posts published per touch point"].series == {"Week 47": [1.0, 1.0], "Week 46": [0.0, 1.0]}
    # every chart's scale is round and holds its largest value
    for chart in report.charts:
        top, step = chart.axis()
        assert top >= chart.maximum and (top / step) == int(top / step)


def test_value_axis_is_round() -> None:
    assert value_axis(37) == (40.0, 10.0)
    assert value_axis(1, whole=True) == (1.0, 1.0)
    assert value_axis(0) == (1.0, 1.0)
    assert (
        format_minutes(272) == "4 h 32 min"
        and format_minutes(45) == "45 min"
        and format_minutes(4320) == "3.0 days"
    )


def test_json_is_plain_data(report: CouncilReport) -> None:
    data = orjson.loads(orjson.dumps(report.to_json()))
    assert data["period"]["label"] == "2026-W47"
    assert data["measures"]["current"]["items"] == 6
    assert data["measures"]["previous"]["items"] == 2
    assert data["summary"]["improved"] == report.summary.improved


def test_html_is_self_contained_escaped_and_masked(ws_path: Path) -> None:
    with Workspace.open(ws_path) as writable:
        issue = writable.issues.get("A")
        assert issue is not None
        issue.label = '<script>alert("x")</script> & mail anna@example.com'
        writable.issues.save(issue)
    with Workspace.open(ws_path, read_only=True) as ws:
        report = build_report(ws, W47, now=NOW)  # the default masker: spaCy and the regexes
    label = report.hot_issues[0].label
    assert "anna@example.com" not in label and "[email]" in label
    html = render_html(report)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mail [email]" in html
    # no address anywhere: nothing loads from outside, and quoted links are masked
    assert not re.search(r"https?://|www\.|src=|@import|url\(", html, re.IGNORECASE)
    assert "[link]" in html  # i3's example quoted a link
    assert "[name] here: the oat milk surcharge is too high" in html
    for sentence in report.summary.sentences():
        assert escape(sentence, quote=True) in html
    # page one is the summary; the figures start a new printed page
    summary_end = html.index("Actions pending")
    assert html.index('<h2 class="newpage"') > summary_end
    assert html.count("<svg") == len(report.charts)


def test_chart_svg_draws_every_value(report: CouncilReport) -> None:
    per_day = next(c for c in report.charts if c.title == "Customer items per day")
    svg = chart_svg(per_day)
    assert svg.count("<rect") == 7  # one bar a day, zero-height ones included
    assert ">Sun 22<" in svg and 'aria-label="Customer items per day"' in svg
    line = next(c for c in report.charts if c.kind == "line")
    assert chart_svg(line).count("<circle") == 4  # the days with a score


def test_a_customer_linked_by_an_agent_is_one_customer(ws: Workspace) -> None:
    snapshot = load_snapshot(ws, now=NOW)
    # i4 (@anna.k on Instagram) shares no key with @anna, but sits in her conversation
    assert snapshot.customer_of["i4"] == snapshot.customer_of["i1"] == snapshot.customer_of["p1"]
    assert snapshot.customer_of["i3"] != snapshot.customer_of["i1"]
    assert "i5" not in snapshot.customer_of  # no author: unidentified


def test_labels_in_the_report_are_masked_by_the_given_masker(ws: Workspace) -> None:
    ws_report = build_report(ws, W47, now=NOW, mask=lambda text: text.replace("oat", "[masked]"))
    assert ws_report.hot_issues[0].label == "[masked] milk price"
    assert ws_report.summary.hot_issues[0].startswith("The biggest issue was “[masked] milk price”")


def test_an_unanalysed_workspace_says_what_is_missing(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "raw", create=True) as ws:
        ws.sources.save(Source("Export", "https://l.example/m.json", kind=SourceKind.MENTIONS, id="m"))
        ws.items.save_many(
            Item("m", "", "hello", author=f"@c{n}", channel=Channel.X, published_at=berlin(day, 10))
            for n, day in enumerate((10, 11, 17, 18, 19))
        )
        raw = build_report(ws, W47, now=NOW, mask=_same)
    assert raw.summary.improved == [
        "Replies and tone cannot be compared with 2026-W46 yet: neither week has answered conversations "
        "or analysed items (run the analysis and the desk's triage first)."
    ]
    assert raw.summary.worse == []
    assert raw.summary.hot_issues == [
        "No issue had items in 2026-W47: its items have not been analysed yet, "
        "so none is grouped into issues."
    ]
    assert raw.summary.headline[0].endswith("customers sent 3 items: 50% more than the week before (2).")
