"""The council report as one self-contained HTML file: inline CSS, inline SVG, no link anywhere.

A leader opens it from an e-mail or prints it, so it loads nothing from
anywhere (no fonts, scripts, images or style sheets by address) and every
text is escaped. Page one is the summary in sentences; the measures, the
charts and the definitions follow on the next page when printed.

The PDF writer (``ui/report_pdf.py``) lays out the same HTML with Qt's rich
text engine, which draws no SVG: it passes ``chart_image`` to get an
``<img>`` per chart (rendered through QtCharts) instead. The markup keeps to
what both engines read: headings, paragraphs, lists and tables, styled by
element and class.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from curator.reports.council import ChartSpec, CouncilReport, Figure, format_minutes, format_share

__all__ = ["CHART_HEIGHT", "CHART_WIDTH", "SERIES_COLOURS", "chart_svg", "render_html"]

#: Size of a chart in CSS pixels.
CHART_WIDTH = 640
CHART_HEIGHT = 250
#: Series colours for print and for light screens: this period strong, the one before light.
SERIES_COLOURS = ("#1f5fa8", "#9fb8d6", "#e08a2c", "#6a9f58")
_TEXT = "#1d2733"
_MUTED = "#5b6878"
_GRID = "#d9dee5"
_VERDICT_WORDS = {"better": "better", "worse": "worse", "same": "about the same", "info": "", "none": ""}

#: A browser page is a centred column; Qt's rich text engine (the PDF) lays out the page width itself.
_SCREEN_CSS = "body { margin: 0 auto; max-width: 760px; padding: 24px; }"
_CSS = """
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1d2733; background: #ffffff;
       font-size: 14px; }
h1 { font-size: 22px; margin: 4px 0 4px 0; }
h2 { font-size: 17px; margin: 20px 0 6px 0; color: #1f5fa8; }
h3 { font-size: 14px; margin: 16px 0 4px 0; }
p { margin: 4px 0 8px 0; line-height: 140%; }
ul { margin: 4px 0 8px 0; }
li { margin-bottom: 4px; line-height: 140%; }
.kicker { color: #5b6878; font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; margin: 0; }
.meta { color: #5b6878; font-size: 12px; }
.note { color: #5b6878; font-size: 12px; margin-top: 2px; }
.newpage { page-break-before: always; break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px 0; }
th { text-align: left; font-size: 12px; color: #5b6878; border-bottom: 1px solid #b8c2ce; padding: 4px 6px; }
td { padding: 4px 6px; border-bottom: 1px solid #e3e7ec; vertical-align: top; }
td.num, th.num { text-align: right; }
.better { color: #1d6b3a; font-weight: 600; }
.worse { color: #b0302a; font-weight: 600; }
.example { color: #3d4957; font-style: italic; font-size: 12px; }
p.chart { margin: 0 0 4px 0; line-height: 100%; }
svg { display: block; }
svg text { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
@page { size: A4; margin: 16mm; }
@media print { body { max-width: none; padding: 0; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


# --------------------------------------------------------------------------- SVG charts
def _fmt_tick(spec: ChartSpec, value: float) -> str:
    text = f"{value:.0f}" if value == int(value) else f"{value:g}"
    return f"{text}%" if spec.unit == "%" else text


def chart_svg(spec: ChartSpec, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> str:
    """One chart as inline SVG: value axis from 0, labelled bars or a line, a legend for two series.

    The title is left to the page (a heading), so it stays text a reader can find.
    """
    names = list(spec.series)
    left, right, top, bottom = 48, 12, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    axis_top, step = spec.axis()
    n = max(1, len(spec.categories))
    slot = plot_w / n
    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(spec.title)}"><title>{_e(spec.title)}</title>'
    ]

    def y_of(value: float) -> float:
        return top + plot_h - (value / axis_top) * plot_h

    ticks = round(axis_top / step)
    for t in range(ticks + 1):
        tick = t * step
        y = y_of(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{_GRID}" '
            'stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="{_MUTED}" text-anchor="end">'
            f"{_e(_fmt_tick(spec, tick))}</text>"
        )
    unit = "" if spec.unit == "%" else spec.unit
    if unit:
        out.append(f'<text x="4" y="{max(10, top - 6)}" font-size="11" fill="{_MUTED}">{_e(unit)}</text>')
    # Category labels: every one when they fit, else every k-th; long ones cut.
    capacity = max(1, int(plot_w // 44))
    every = 1 if n <= capacity else math.ceil(n / capacity)
    chars = max(5, int(slot * every / 6.5))
    for i, label in enumerate(spec.categories):
        if i % every:
            continue
        x = left + slot * (i + 0.5)
        text = label if len(label) <= chars else label[: chars - 1] + "…"
        out.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" fill="{_TEXT}" text-anchor="middle">'
            f"{_e(text)}</text>"
        )
    if spec.kind == "bar":
        group_w = slot * 0.74
        bar_w = group_w / max(1, len(names))
        show_values = n * len(names) <= 24
        for s, name in enumerate(names):
            colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
            for i, value in enumerate(spec.series[name]):
                if value is None:
                    continue
                x = left + slot * i + (slot - group_w) / 2 + bar_w * s
                y = y_of(value)
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(1.0, bar_w - 2):.1f}" '
                    f'height="{max(0.0, top + plot_h - y):.1f}" fill="{colour}"><title>{_e(name)}, '
                    f"{_e(spec.categories[i])}: {_e(spec.format_value(value))}</title></rect>"
                )
                if show_values:
                    out.append(
                        f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y - 3:.1f}" font-size="10" fill="{_TEXT}" '
                        f'text-anchor="middle">{_e(_fmt_tick(spec, value))}</text>'
                    )
    else:
        for s, name in enumerate(names):
            colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
            runs: list[list[tuple[float, float, float]]] = [[]]
            for i, value in enumerate(spec.series[name]):
                if value is None:
                    if runs[-1]:
                        runs.append([])
                    continue
                runs[-1].append((left + slot * (i + 0.5), y_of(value), value))
            for run in runs:
                if len(run) > 1:
                    points = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run)
                    out.append(
                        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
                    )
                for x, y, value in run:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
                    if n <= 16:
                        out.append(
                            f'<text x="{x:.1f}" y="{y - 7:.1f}" font-size="10" fill="{_TEXT}" '
                            f'text-anchor="middle">{_e(_fmt_tick(spec, value))}</text>'
                        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{_MUTED}" '
        'stroke-width="1"/>'
    )
    if len(names) > 1:
        x = width - right
        for s, name in reversed(list(enumerate(names))):
            colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
            text_w = 7 * len(name) + 8
            x -= text_w
            out.append(f'<text x="{x:.1f}" y="14" font-size="11" fill="{_TEXT}">{_e(name)}</text>')
            x -= 16
            out.append(f'<rect x="{x:.1f}" y="5" width="11" height="11" fill="{colour}"/>')
            x -= 12
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- sections
def _list(sentences: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>"


def _figure_rows(figures: Sequence[Figure]) -> str:
    rows = []
    for f in figures:
        word = _VERDICT_WORDS[f.verdict]
        change = _e(f.change) + (
            f' · <span class="{f.verdict}">{_e(word)}</span>' if word and f.change else ""
        )
        rows.append(
            f"<tr><td>{_e(f.label)}</td><td class='num'>{_e(f.value)}</td>"
            f"<td class='num'>{_e(f.previous)}</td><td>{change}</td></tr>"
        )
    return "".join(rows)


def _summary(report: CouncilReport) -> str:
    s = report.summary
    prev = report.previous
    when = report.generated_at.astimezone(report.period.zone)
    pending_intro, *pending = s.pending
    return "".join(
        [
            f'<p class="kicker">{_e(report.workspace or "Curator")} · council report</p>',
            f"<h1>{_e(report.title)}</h1>",
            f'<p class="meta">Compared with {_e(prev.label)} ({_e(prev.title)}). '
            f"Made {_e(f'{when:%a %d %b %Y, %H:%M}')} ({_e(when.tzname() or '')}).</p>",
            "<h2>In short</h2>",
            "".join(f"<p>{_e(x)}</p>" for x in s.headline),
            "<h2>What improved</h2>",
            _list(s.improved),
            # (empty when there is nothing to compare with: the sentence above says so)
            f"<h2>What got worse</h2>{_list(s.worse)}" if s.worse else "",
            "<h2>Hot issues</h2>",
            _list(s.hot_issues),
            "<h2>Actions pending</h2>",
            f"<p>{_e(pending_intro)}</p>",
            _list(pending),
        ]
    )


def _channels(report: CouncilReport) -> str:
    cur = report.current
    if not cur.channels:
        return "<p>No customer items or conversations in this period.</p>"
    head = (
        "<tr><th>Channel</th><th class='num'>Items</th><th class='num'>Customers</th>"
        "<th class='num'>Answered</th><th class='num'>First response (median)</th>"
        "<th class='num'>Within target</th><th class='num'>Negative</th></tr>"
    )
    from curator.reports.measures import channel_name

    rows = "".join(
        f"<tr><td>{_e(channel_name(c.channel))}</td><td class='num'>{c.items:,}</td>"
        f"<td class='num'>{c.customers:,}</td>"
        f"<td class='num'>{_e(format_share(c.answered_share))}</td>"
        f"<td class='num'>{_e(format_minutes(c.first_response.median))}</td>"
        f"<td class='num'>{_e(format_share(c.first_response.within_target))}</td>"
        f"<td class='num'>{_e(format_share(c.negative_share))}</td></tr>"
        for c in cur.channels
    )
    return f"<table width='100%' cellspacing='0'>{head}{rows}</table>"


def _issues(report: CouncilReport) -> str:
    if not report.hot_issues:
        return f"<p>No issue had items in {_e(report.period.label)}.</p>"
    head = (
        f"<tr><th>Issue</th><th class='num'>Items</th><th class='num'>Negative</th>"
        f"<th class='num'>{_e(report.previous.short)}</th></tr>"
    )
    rows = []
    for issue in report.hot_issues:
        example = (
            f'<br/><span class="example">“{_e(issue.example)}”</span>'
            if issue.example
            else '<br/><span class="example">(no masked example yet)</span>'
        )
        rows.append(
            f"<tr><td>{_e(issue.label)}{example}</td><td class='num'>{issue.items:,}</td>"
            f"<td class='num'>{_e(format_share(issue.negative_share))}</td>"
            f"<td class='num'>{report.previous_issue_items.get(issue.issue_id, 0):,}</td></tr>"
        )
    return (
        f"<table width='100%' cellspacing='0'>{head}{''.join(rows)}</table>"
        '<p class="note">Examples are customers\' own words with names, handles, e-mail addresses, phone '
        "numbers and links masked.</p>"
    )


def _content(report: CouncilReport) -> str:
    cur = report.current
    if not cur.touchpoints:
        return f"<p>Nothing was published or failed in {_e(report.period.label)}.</p>"
    head = (
        "<tr><th>Touch point</th><th class='num'>Published</th><th class='num'>Failed</th>"
        "<th class='num'>Reach</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{_e(t.name)}</td><td class='num'>{t.published:,}</td><td class='num'>{t.failed:,}</td>"
        f"<td class='num'>{'not measured' if t.reach is None else f'{t.reach:,}'}</td></tr>"
        for t in cur.touchpoints
    )
    return f"<table width='100%' cellspacing='0'>{head}{rows}</table>"


def _listening(report: CouncilReport) -> str:
    cur = report.current
    if not cur.items:
        return "<p>No customer was heard in this period.</p>"
    parts = [
        f"{cur.customers:,} distinct customers wrote {cur.items:,} customer items"
        + (f" ({cur.unidentified_items:,} items named no author)" if cur.unidentified_items else "")
        + "."
    ]
    if cur.loud_share is not None:
        parts.append(
            f"The loudest {cur.loud_customers:,} ({format_share(0.1)} of customers, rounded up) wrote "
            f"{format_share(cur.loud_share)} of the identified customers' items."
        )
    parts.append(
        f"{cur.repeat_engagers:,} customers came back on another day or through another channel; "
        f"{cur.cross_channel_customers:,} used more than one channel."
    )
    return "".join(f"<p>{_e(p)}</p>" for p in parts)


def _not_measured(report: CouncilReport) -> str:
    names = {
        "answered_share": "Share answered",
        "first_response": "First-response time",
        "within_target": "Answered within target",
        "resolution": "Resolution time",
        "negative_share": "Tone",
        "mean_sentiment": "",
        "content_reach": "Reach of published content",
        "loud_share": "Items from the loudest customers",
        "repeat_share": "",
    }
    rows = [
        f"<li>{_e(names.get(key, key))}: {_e(reason)}</li>"
        for key, reason in report.current.reasons.items()
        if names.get(key, key)
    ]
    return "<ul>" + "".join(rows) + "</ul>" if rows else "<p>Every measure could be taken.</p>"


def render_html(report: CouncilReport, *, chart_image: Callable[[int, ChartSpec], str] | None = None) -> str:
    """The report as a complete HTML document.

    Args:
        report: The council report.
        chart_image: For Qt's rich text engine, which draws no SVG: gives the
            ``src`` of an image of chart ``n`` (a resource name the caller
            registers); None draws each chart as inline SVG.
    """
    charts = []
    for n, spec in enumerate(report.charts):
        if chart_image is not None:
            drawing = (
                f'<img src="{_e(chart_image(n, spec))}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
                f'alt="{_e(spec.title)}"/>'
            )
        else:
            drawing = chart_svg(spec)
        charts.append(
            f"<h3>{_e(spec.title)}</h3><p class='chart'>{drawing}</p><p class='note'>{_e(spec.note)}</p>"
        )
    charts_html = "".join(charts) or "<p>There is nothing to draw for this period.</p>"
    cur, prev = report.period, report.previous
    body = "".join(
        [
            _summary(report),
            f'<h2 class="newpage" style="page-break-before: always">Figures: {_e(cur.short)} and '
            f"{_e(prev.short)}</h2>",
            "<table width='100%' cellspacing='0'><tr><th>Measure</th>"
            f"<th class='num'>{_e(cur.short)}</th><th class='num'>{_e(prev.short)}</th>"
            "<th>Change</th></tr>",
            _figure_rows(report.figures),
            "</table>",
            "<h2>Charts</h2>",
            charts_html,
            "<h2>Channels</h2>",
            _channels(report),
            "<h2>Listening reach</h2>",
            _listening(report),
            "<h2>Hot issues in detail</h2>",
            _issues(report),
            "<h2>Content published</h2>",
            _content(report),
            "<h2>Not measured</h2>",
            _not_measured(report),
            "<h2>How these are counted</h2>",
            _list(report.definitions),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{_e(report.title)}</title><style>{_CSS}{_SCREEN_CSS if chart_image is None else ''}</style>"
        "</head>"
        f"<body>{body}</body></html>\n"
    )
