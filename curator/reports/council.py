"""The council report: a period's measures, compared with the period before, in plain sentences.

A leadership team reads it once a week. Page one says, in sentences, what
improved, what got worse (with both figures and the direction), the three
hot issues of the period with their size and tone, and what waits for
someone now. The measures follow, with simple charts.

The charts are described once, as :class:`ChartSpec` (a title, bar or line,
categories, named series, a unit), so the app (QtCharts), the HTML (inline
SVG) and the PDF show the same figures.

A change counts as an improvement or a worsening only past a clear margin
(:data:`SHARE_MARGIN` percentage points for shares; for times
:data:`TIME_MARGIN` of the earlier value and at least a minute), so a
week-to-week wobble is not reported as news.

The report is shared with leadership, so everything quoted from customers is
masked: examples are the analysis's masked texts (``Item.masked_text``), and
issue labels, built from customers' words, go through
:func:`curator.nlp.privacy.mask_personal_data` as well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Any, Literal

from curator.domain import utcnow
from curator.progress import Progress
from curator.reports.measures import (
    MIN_ISSUE_ITEMS,
    QUIET_DAYS,
    IssueMeasures,
    Measures,
    PendingActions,
    Snapshot,
    channel_name,
    load_snapshot,
    measure_snapshot,
    pending_actions,
    resolve_scope,
)
from curator.reports.periods import Period
from curator.workspace import Workspace

__all__ = [
    "SHARE_MARGIN",
    "TIME_MARGIN",
    "ChartSpec",
    "CouncilReport",
    "Figure",
    "Summary",
    "Verdict",
    "build_report",
    "build_report_from",
    "channel_name",
    "format_minutes",
    "format_share",
    "value_axis",
]

#: Percentage points a share must move to count as better or worse.
SHARE_MARGIN = 5.0
#: Share of the earlier time a median must move to count as better or worse.
TIME_MARGIN = 0.10
#: Hot issues the summary names.
SUMMARY_ISSUES = 3
#: Hot issues drawn in the chart and listed in the table.
CHART_ISSUES = 5
#: Characters of an issue label kept on a chart axis.
AXIS_LABEL_CHARS = 26
#: Characters of a masked example quoted per issue.
EXAMPLE_CHARS = 160

Verdict = Literal["better", "worse", "same", "info", "none"]


# --------------------------------------------------------------------------- formatting
def format_minutes(minutes: float | None) -> str:
    """Minutes as people read them: 45 min, 3 h 10 min, 2.5 days; "–" when there is no value."""
    if minutes is None:
        return "–"
    if minutes < 60:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        hours, rest = divmod(round(minutes), 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes / 1440:.1f} days"


def format_share(share: float | None) -> str:
    """A share as a whole percentage (22%); "–" when there is no value."""
    return "–" if share is None else f"{share * 100:.0f}%"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _quotable(text: str) -> str:
    """Addresses in a quote become "[link]": a report links nowhere, and a link can name a person."""
    return _URL.sub("[link]", text)


def value_axis(maximum: float, *, whole: bool = False) -> tuple[float, float]:
    """A round top and step for a value axis from 0 (at most five steps): 37 gives (40, 10).

    Shared by the HTML's SVG, the app's and the PDF's QtCharts, so the
    three draw the same scale. ``whole`` keeps steps whole (counts of items).
    """
    if maximum <= 0:
        return 1.0, 1.0
    raw = maximum / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * magnitude
        if candidate >= raw and not (whole and candidate != int(candidate)):
            step = candidate
            break
    if whole:
        step = max(step, 1.0)
    top = math.ceil(maximum / step - 1e-9) * step
    return float(top), float(step)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ChartSpec:
    """One chart, drawn the same way by the app, the HTML and the PDF.

    Attributes:
        title: What the chart shows, as a heading ("Customer items per day").
        kind: "bar" (grouped bars, one per series) or "line".
        categories: The labels along the horizontal axis.
        series: Series name → one value per category (None: no value there).
        unit: What the values count ("items", "%", "min", "h").
        note: One sentence under the chart, so nobody has to decode it.
    """

    title: str
    kind: Literal["bar", "line"]
    categories: list[str]
    series: dict[str, list[float | None]]
    unit: str
    note: str = ""

    @property
    def maximum(self) -> float:
        """The largest value (0 for an empty chart), for the value axis."""
        return max((v for values in self.series.values() for v in values if v is not None), default=0.0)

    @property
    def whole(self) -> bool:
        """Whether the values are counts (whole steps on the axis, no decimals)."""
        return self.unit in ("items", "posts")

    def axis(self) -> tuple[float, float]:
        """The value axis's top and step (see :func:`value_axis`), with room for the labels on top.

        Shares stop at 100%.
        """
        top, step = value_axis(self.maximum * 1.08, whole=self.whole)
        if self.unit == "%" and self.maximum <= 100:
            top = min(top, 100.0)
        return top, step

    def format_value(self, value: float) -> str:
        """A value as a label on a bar or a tick: "12", "3.5 h", "40%"."""
        text = f"{value:.0f}" if self.whole or value == int(value) else f"{value:.1f}"
        return (
            f"{text}%" if self.unit == "%" else f"{text} {self.unit}" if self.unit in ("h", "min") else text
        )


@dataclass(frozen=True)
class Figure:
    """One line of the figures table, and one card on the Reports page.

    ``verdict`` says whether the change is good news ("better"), bad news
    ("worse"), within the margin ("same"), not judged ("info") or not
    comparable ("none"). ``reason`` says why this period's value is missing.
    """

    key: str
    label: str
    value: str
    previous: str
    change: str
    verdict: Verdict
    reason: str = ""


@dataclass(frozen=True)
class Summary:
    """Page one, in sentences."""

    headline: list[str]
    improved: list[str]
    worse: list[str]
    hot_issues: list[str]
    pending: list[str]

    def sentences(self) -> list[str]:
        """Every sentence, in reading order (what the command line prints)."""
        return [*self.headline, *self.improved, *self.worse, *self.hot_issues, *self.pending]


@dataclass(frozen=True)
class CouncilReport:
    """Everything the HTML, the PDF and the Reports page show."""

    workspace: str
    period: Period
    previous: Period
    current: Measures
    before: Measures
    pending: PendingActions
    summary: Summary
    figures: list[Figure]
    charts: list[ChartSpec]
    hot_issues: list[IssueMeasures]
    previous_issue_items: dict[str, int]
    definitions: list[str]
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def title(self) -> str:
        """The heading: Council report, week 47, 16–22 Nov 2026 (and the scope, if one)."""
        where = f" — {self.current.scope.label}" if self.current.scope.label else ""
        return f"Council report, {self.period.title}{where}"

    def to_json(self) -> dict[str, Any]:
        """Plain values for ``curator report --json``."""
        return {
            "workspace": self.workspace,
            "title": self.title,
            "period": self.period.to_json(),
            "previous": self.previous.to_json(),
            "generated_at": self.generated_at.isoformat(),
            "summary": asdict(self.summary),
            "figures": [asdict(f) for f in self.figures],
            "pending": asdict(self.pending),
            "measures": {"current": _measures_json(self.current), "previous": _measures_json(self.before)},
            "charts": [asdict(c) for c in self.charts],
            "definitions": self.definitions,
        }


def _measures_json(m: Measures) -> dict[str, Any]:
    data = asdict(m)
    data["period"] = m.period.to_json()
    data["scope"] = {
        "label": m.scope.label,
        "channels": sorted(c.value for c in m.scope.channels) if m.scope.channels is not None else None,
        "touchpoint_ids": sorted(m.scope.touchpoint_ids) if m.scope.touchpoint_ids is not None else None,
    }
    return data


# --------------------------------------------------------------------------- comparing
def _judge_share(now: float | None, before: float | None, higher_is_better: bool) -> Verdict:
    if now is None or before is None:
        return "none"
    points = (now - before) * 100
    if abs(points) < SHARE_MARGIN:
        return "same"
    return "better" if (points > 0) == higher_is_better else "worse"


def _judge_minutes(now: float | None, before: float | None) -> Verdict:
    if now is None or before is None:
        return "none"
    if abs(now - before) < max(1.0, TIME_MARGIN * before):
        return "same"
    return "better" if now < before else "worse"


def _judge_count(now: int, before: int, lower_is_better: bool) -> Verdict:
    if now == before:
        return "same"
    return "better" if (now < before) == lower_is_better else "worse"


def _share_change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    points = round((now - before) * 100)
    return "±0 pts" if points == 0 else f"{points:+d} pts".replace("-", "−")


def _minutes_change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    diff = now - before
    if round(diff) == 0:
        return "±0"
    return ("+" if diff > 0 else "−") + format_minutes(abs(diff))


def _count_change(now: int, before: int) -> str:
    diff = now - before
    if diff == 0:
        return "±0"
    sign = "+" if diff > 0 else "−"
    rel = f" ({sign}{abs(diff) / before:.0%})" if before else ""
    return f"{sign}{abs(diff):,}{rel}"


def _figures(cur: Measures, prev: Measures) -> list[Figure]:
    def share(key: str, label: str, a: float | None, b: float | None, higher: bool | None) -> Figure:
        verdict: Verdict = "info" if higher is None else _judge_share(a, b, higher)
        if higher is None and (a is None or b is None):
            verdict = "none"
        return Figure(key, label, format_share(a), format_share(b), _share_change(a, b), verdict)

    def minutes(key: str, label: str, a: float | None, b: float | None) -> Figure:
        return Figure(
            key, label, format_minutes(a), format_minutes(b), _minutes_change(a, b), _judge_minutes(a, b)
        )

    def count(key: str, label: str, a: int, b: int, lower: bool | None = None) -> Figure:
        verdict: Verdict = "info" if lower is None else _judge_count(a, b, lower)
        return Figure(key, label, f"{a:,}", f"{b:,}", _count_change(a, b), verdict)

    figures = [
        count("items", "Customer items", cur.items, prev.items),
        count("customers", "Distinct customers heard", cur.customers, prev.customers),
        share("loud_share", "Items from the loudest 10% of customers", cur.loud_share, prev.loud_share, None),
        count("repeat_engagers", "Repeat engagers", cur.repeat_engagers, prev.repeat_engagers),
        count("conversations", "Conversations started", cur.conversations, prev.conversations),
        share(
            "answered_share",
            "Answered (of those needing an answer)",
            cur.answered_share,
            prev.answered_share,
            True,
        ),
        minutes(
            "first_response", "First response, median", cur.first_response.median, prev.first_response.median
        ),
        minutes(
            "first_response_p90",
            "First response, 90th percentile",
            cur.first_response.p90,
            prev.first_response.p90,
        ),
        share(
            "within_target",
            "Answered within target",
            cur.first_response.within_target,
            prev.first_response.within_target,
            True,
        ),
        minutes("resolution", "Resolution, median", cur.resolution.median, prev.resolution.median),
        share("negative_share", "Negative customer items", cur.negative_share, prev.negative_share, False),
        count("issues_active", "Issues with items", cur.issues_active, prev.issues_active),
        count("issues_opened", "Issues opened", cur.issues_opened, prev.issues_opened),
        count("issues_closed", "Issues gone quiet", cur.issues_closed, prev.issues_closed),
        count("published", "Posts published", cur.published, prev.published),
        count("failed_posts", "Posts failed", cur.failed_posts, prev.failed_posts, lower=True),
        Figure("content_reach", "Reach of published content", "not measured", "not measured", "", "none"),
    ]
    reason_of = {"first_response_p90": "first_response"}
    return [
        replace(f, reason=cur.reasons.get(reason_of.get(f.key, f.key), ""))
        if f.value in ("–", "not measured")
        else f
        for f in figures
    ]


#: Sentences for a clear change: key -> (better, worse); {now} and {before} are formatted values.
_CHANGE_SENTENCES: dict[str, tuple[str, str]] = {
    "answered_share": (
        "More conversations were answered: {now} of those needing an answer, up from {before}.",
        "Fewer conversations were answered: {now} of those needing an answer, down from {before}.",
    ),
    "first_response": (
        "First replies came faster: a median of {now}, down from {before}.",
        "First replies were slower: a median of {now}, up from {before}.",
    ),
    "first_response_p90": (
        "The slowest first replies came sooner: 90% were sent within {now}, down from {before}.",
        "The slowest first replies took longer: 90% were sent within {now}, up from {before}.",
    ),
    "within_target": (
        "More replies met the response target: {now}, up from {before}.",
        "Fewer replies met the response target: {now}, down from {before}.",
    ),
    "resolution": (
        "Conversations were resolved faster: a median of {now}, down from {before}.",
        "Conversations took longer to resolve: a median of {now}, up from {before}.",
    ),
    "negative_share": (
        "The tone was calmer: {now} of customer items were negative, down from {before}.",
        "The tone was harsher: {now} of customer items were negative, up from {before}.",
    ),
    "failed_posts": (
        "Fewer posts failed to publish: {now}, down from {before}.",
        "More posts failed to publish: {now}, up from {before}.",
    ),
}


# --------------------------------------------------------------------------- sentences
def _headline(cur: Measures, prev: Measures) -> list[str]:
    period = cur.period
    where = f" on {cur.scope.label}" if cur.scope.label else ""
    out: list[str] = []
    if period.start <= cur.as_of < period.end:
        done = (period.local_day(cur.as_of) - period.first_day).days + 1
        out.append(
            f"{period.label} is not over yet: these figures cover {done} of its {period.days} days, "
            f"and the {period.noun} before is complete."
        )
    elif cur.as_of < period.start:
        out.append(f"{period.label} has not started yet.")
    if cur.scope.channels is not None and not cur.scope.channels:
        out.append(f"Customers do not write to {cur.scope.label}, so only what it published is counted.")
    if cur.items == 0:
        if cur.scope.channels is None or cur.scope.channels:
            out.append(f"No customer items arrived{where} in {period.label} ({period.title}).")
    else:
        channels = sum(1 for c in cur.channels if c.items)
        if prev.items == 0:
            compared = f"none arrived the {period.noun} before"
        elif cur.items == prev.items:
            compared = f"as many as the {period.noun} before"
        else:
            diff = (cur.items - prev.items) / prev.items
            more = "more" if diff > 0 else "fewer"
            compared = f"{abs(diff):.0%} {more} than the {period.noun} before ({prev.items:,})"
        through = f" through {_count(channels, 'channel')}" if channels > 1 else ""
        out.append(
            f"In {period.label} ({period.title}) customers{where} sent "
            f"{_count(cur.items, 'item')}{through}: {compared}."
        )
        if cur.customers:
            loud = (
                f"; the loudest tenth ({_count(cur.loud_customers, 'customer')}) wrote "
                f"{format_share(cur.loud_share)} of what identified customers said"
                if cur.customers >= 10
                else ""
            )
            repeat = (
                f" {_count(cur.repeat_engagers, 'customer')} came back on another day or through "
                "another channel."
                if cur.repeat_engagers
                else ""
            )
            out.append(f"They came from {_count(cur.customers, 'distinct customer')}{loud}.{repeat}")
        if cur.unidentified_items:
            uncounted = (
                "it is not counted as a customer"
                if cur.unidentified_items == 1
                else "they are not counted as customers"
            )
            out.append(f"{_count(cur.unidentified_items, 'item')} named no author, so {uncounted}.")
    if cur.published or cur.failed_posts:
        where_tp = f" on {_count(len([t for t in cur.touchpoints if t.published]), 'touch point')}"
        text = f"{_count(cur.published, 'post')} {'was' if cur.published == 1 else 'were'} published"
        text += where_tp if cur.published else ""
        if cur.failed_posts:
            text += f"; {_count(cur.failed_posts, 'post')} failed"
        out.append(text + f" (the {period.noun} before: {prev.published:,} published).")
    else:
        out.append(f"Nothing was published{where} in {period.label}.")
    return out


def _changes(figures: Sequence[Figure], cur: Measures, prev: Measures) -> tuple[list[str], list[str]]:
    before = prev.period
    if prev.empty:
        note = (
            f"There is nothing to compare with: {before.label} ({before.title}) has no customer items, "
            "conversations or posts."
        )
        return [note], []
    if cur.empty:
        return [f"Nothing to compare: {cur.period.label} has no customer items, conversations or posts."], []
    judged = [f for f in figures if f.key in _CHANGE_SENTENCES and f.key != "failed_posts"]
    if all(f.verdict == "none" for f in judged):
        unjudged = (
            f"Replies and tone cannot be compared with {before.label} yet: neither {before.noun} has "
            "answered conversations or analysed items (run the analysis and the desk's triage first)."
        )
        failed = next((f for f in figures if f.key == "failed_posts"), None)
        if failed is not None and failed.verdict in ("better", "worse"):
            pair = _CHANGE_SENTENCES["failed_posts"]
            line = pair[0 if failed.verdict == "better" else 1].format(
                now=failed.value, before=failed.previous
            )
            return ([unjudged, line], []) if failed.verdict == "better" else ([unjudged], [line])
        return [unjudged], []
    improved: list[str] = []
    worse: list[str] = []
    for fig in figures:
        texts = _CHANGE_SENTENCES.get(fig.key)
        if texts is None:
            continue
        if fig.verdict == "better":
            improved.append(texts[0].format(now=fig.value, before=fig.previous))
        elif fig.verdict == "worse":
            worse.append(texts[1].format(now=fig.value, before=fig.previous))
    if not improved:
        improved.append(f"Nothing improved by a clear margin compared with {before.label}.")
    if not worse:
        worse.append(f"Nothing got worse by a clear margin compared with {before.label}.")
    return improved, worse


def _issue_sentences(
    issues: Sequence[IssueMeasures], previous_items: dict[str, int], cur: Measures
) -> list[str]:
    period = cur.period
    if not issues:
        if cur.items and not cur.scored_items:
            return [
                f"No issue had items in {period.label}: its items have not been analysed yet, so none is "
                "grouped into issues."
            ]
        return [f"No issue had items in {period.label}."]
    out: list[str] = []
    ordinals = ("The biggest issue", "The second", "The third")
    for n, issue in enumerate(issues[:SUMMARY_ISSUES]):
        if issue.negative_share is None:
            tone = ", tone not analysed yet"
        elif issue.items == 1:
            tone = ", negative" if issue.negative_share else ", not negative"
        else:
            tone = f", {format_share(issue.negative_share)} of them negative"
        earlier = previous_items.get(issue.issue_id, 0)
        then = (
            f"{_count(earlier, 'item')} the {period.noun} before"
            if earlier
            else f"new this {period.noun}"
            if issue.first_seen >= period.start
            else f"none the {period.noun} before"
        )
        out.append(f"{ordinals[n]} was “{issue.label}”: {_count(issue.items, 'item')}{tone} ({then}).")
    if len(issues) < SUMMARY_ISSUES:
        out.append(f"Only {_count(len(issues), 'issue')} had items in {period.label}.")
    opened = _count(cur.issues_opened, "new issue") if cur.issues_opened else "No new issue"
    closed = f"{cur.issues_closed:,}" if cur.issues_closed else "none"
    out.append(f"{opened} opened and {closed} went quiet (no new item for {QUIET_DAYS} days).")
    return out


def _pending_sentences(p: PendingActions, zone: tzinfo) -> list[str]:
    when = p.as_of.astimezone(zone)
    out = [f"Pending at {when:%a %d %b %Y, %H:%M} ({when.tzname()}):"]
    parts: list[str] = []
    if p.drafts_in_review:
        verb = "awaits" if p.drafts_in_review == 1 else "await"
        parts.append(f"{_count(p.drafts_in_review, 'draft')} {verb} approval.")
    if p.approved_unscheduled:
        verb = "waits" if p.approved_unscheduled == 1 else "wait"
        parts.append(f"{_count(p.approved_unscheduled, 'approved draft')} {verb} to be scheduled.")
    if p.conversations_past_target:
        verb = "is" if p.conversations_past_target == 1 else "are"
        parts.append(
            f"{p.conversations_past_target:,} of {_count(p.open_conversations, 'open conversation')} "
            f"{verb} past the response target."
        )
    if p.failed_posts:
        needs = "needs" if p.failed_posts == 1 else "need"
        parts.append(f"{_count(p.failed_posts, 'post')} failed to publish and {needs} a retry or a decision.")
    if not parts:
        parts.append(
            "Nothing is pending: no draft awaits approval or scheduling, no conversation is past its "
            "target and no post failed."
        )
    return out + parts


# --------------------------------------------------------------------------- charts
def _unit_minutes(values: Sequence[float | None]) -> tuple[str, float]:
    biggest = max((v for v in values if v is not None), default=0.0)
    return ("h", 60.0) if biggest >= 120 else ("min", 1.0)


def _charts(
    cur: Measures, prev: Measures, issues: Sequence[IssueMeasures], previous_items: dict[str, int]
) -> list[ChartSpec]:
    period, before = cur.period, prev.period
    now_name, then_name = period.short, before.short
    step = "day" if period.days <= 35 else "week" if period.days <= 26 * 7 else "month"
    charts: list[ChartSpec] = []
    if cur.items:
        charts.append(
            ChartSpec(
                f"Customer items per {step}",
                "bar",
                [b.label for b in cur.buckets],
                {now_name: [float(b.items) for b in cur.buckets]},
                "items",
                f"How many customer messages arrived each {step} of {period.label}.",
            )
        )
    if cur.scored_items:
        charts.append(
            ChartSpec(
                f"Negative customer items per {step}",
                "line",
                [b.label for b in cur.buckets],
                {
                    now_name: [
                        round(b.negative_share * 100, 1) if b.negative_share is not None else None
                        for b in cur.buckets
                    ]
                },
                "%",
                f"The share of each {step}'s analysed customer items with a negative tone; "
                f"a gap means no item that {step}.",
            )
        )
    prev_by_channel = {c.channel: c for c in prev.channels}
    cur_by_channel = {c.channel: c for c in cur.channels}
    order = [c.channel for c in cur.channels if c.items] + [
        c.channel for c in prev.channels if c.items and c.channel not in cur_by_channel
    ]
    if order:
        charts.append(
            ChartSpec(
                "Customer items per channel",
                "bar",
                [channel_name(c) for c in order],
                {
                    now_name: [float(cur_by_channel[c].items) if c in cur_by_channel else 0.0 for c in order],
                    then_name: [
                        float(prev_by_channel[c].items) if c in prev_by_channel else 0.0 for c in order
                    ],
                },
                "items",
                f"Where customers spoke, {period.short} next to {before.short}.",
            )
        )
    answered = [
        c
        for c in order
        if (c in cur_by_channel and cur_by_channel[c].first_response.median is not None)
        or (c in prev_by_channel and prev_by_channel[c].first_response.median is not None)
    ]
    if answered:
        now_values = [
            cur_by_channel[c].first_response.median if c in cur_by_channel else None for c in answered
        ]
        then_values = [
            prev_by_channel[c].first_response.median if c in prev_by_channel else None for c in answered
        ]
        unit, div = _unit_minutes([*now_values, *then_values])
        words = "hours" if unit == "h" else "minutes"
        charts.append(
            ChartSpec(
                "Median first response per channel",
                "bar",
                [channel_name(c) for c in answered],
                {
                    now_name: [round(v / div, 1) if v is not None else None for v in now_values],
                    then_name: [round(v / div, 1) if v is not None else None for v in then_values],
                },
                unit,
                f"Half of the first replies were sent within this many {words}; lower is better. "
                "A missing bar means no reply was sent there.",
            )
        )
    if issues:
        top = list(issues[:CHART_ISSUES])
        charts.append(
            ChartSpec(
                "Hot issues: items",
                "bar",
                [_clip(i.label, AXIS_LABEL_CHARS) for i in top],
                {
                    now_name: [float(i.items) for i in top],
                    then_name: [float(previous_items.get(i.issue_id, 0)) for i in top],
                },
                "items",
                f"The {len(top)} issues with the most items in {period.label}, next to their items "
                f"in {before.label}.",
            )
        )
    tp_names = [t.name for t in cur.touchpoints if t.published] + [
        t.name for t in prev.touchpoints if t.published and t.name not in {x.name for x in cur.touchpoints}
    ]
    if tp_names:
        cur_tp = {t.name: t.published for t in cur.touchpoints}
        prev_tp = {t.name: t.published for t in prev.touchpoints}
        charts.append(
            ChartSpec(
                "Posts published per touch point",
                "bar",
                tp_names,
                {
                    now_name: [float(cur_tp.get(n, 0)) for n in tp_names],
                    then_name: [float(prev_tp.get(n, 0)) for n in tp_names],
                },
                "posts",
                "Posts that went out on each touch point. Their reach is not measured.",
            )
        )
    return charts


def _definitions() -> list[str]:
    return [
        "Customer items are messages from customers (social posts, reviews, forum posts, e-mails), "
        "not news articles or our own posts; the same post heard twice counts once.",
        "A customer is told apart by handle or e-mail address; messages linked into one conversation "
        "count as one customer. Items without an author are counted in the volume only.",
        "The loudest 10% are the tenth of customers (rounded up) who wrote the most; a share near 10% "
        "means many voices were heard evenly.",
        "A repeat engager wrote on at least two different days of the period, or through at least two "
        "channels.",
        "Conversations are counted in the period their first message falls in. Answered means a first "
        "reply was sent; only urgent conversations and those needing a reply count.",
        "First-response and resolution times run from the customer's first message; the median is the "
        "time half of them took, the 90th percentile the time nine in ten took. Within target counts an "
        "unanswered conversation past its target as a miss.",
        "Negative items are analysed customer items whose tone score (VADER) is below −0.05.",
        f"An issue counts once it holds {MIN_ISSUE_ITEMS} items. It opened when its first item was said "
        f"and went quiet {QUIET_DAYS} days after its last one.",
        "Published posts are counted when they went out. Their reach is not measured: no publishing "
        "connector reports views back.",
        f"A change is reported as better or worse only past {SHARE_MARGIN:.0f} percentage points for "
        f"shares, or {TIME_MARGIN:.0%} for times.",
    ]


# --------------------------------------------------------------------------- building
Masker = Callable[[str], str]


def _default_masker(ws: Workspace) -> Masker:
    """Mask with the analysis's pipeline; the brand's own handles stay readable."""
    from curator.nlp.pipeline import load_pipeline
    from curator.nlp.privacy import mask_personal_data
    from curator.triage.model import DeskSettings

    keep = ws.config.get_or_default("desk_settings", DeskSettings).own_handles
    cache: dict[str, str] = {}

    def mask(text: str) -> str:
        if text not in cache:
            cache[text] = mask_personal_data(text, pipeline=load_pipeline(), keep_handles=keep).masked
        return cache[text]

    return mask


def build_report_from(
    snapshot: Snapshot,
    period: Period,
    *,
    workspace: str = "",
    touchpoint: str | None = None,
    mask: Masker | None = None,
) -> CouncilReport:
    """The report of ``period`` from an already read snapshot (see :func:`build_report`)."""
    scope = resolve_scope(snapshot, touchpoint)
    previous = period.previous()
    cur = measure_snapshot(snapshot, period, scope)
    prev = measure_snapshot(snapshot, previous, scope)
    masker: Masker = mask if mask is not None else (lambda text: text)
    issues = [
        IssueMeasures(
            **{
                **asdict(i),
                "label": _quotable(masker(i.label)),
                "example": _clip(_quotable(masker(i.example)), EXAMPLE_CHARS) if i.example else "",
            }
        )
        for i in cur.hot_issues
    ]
    previous_items = {i.issue_id: i.items for i in prev.hot_issues}
    figures = _figures(cur, prev)
    improved, worse = _changes(figures, cur, prev)
    pending = pending_actions(snapshot, scope)
    summary = Summary(
        headline=_headline(cur, prev),
        improved=improved,
        worse=worse,
        hot_issues=_issue_sentences(issues, previous_items, cur),
        pending=_pending_sentences(pending, period.zone),
    )
    return CouncilReport(
        workspace=workspace,
        period=period,
        previous=previous,
        current=cur,
        before=prev,
        pending=pending,
        summary=summary,
        figures=figures,
        charts=_charts(cur, prev, issues, previous_items),
        hot_issues=issues,
        previous_issue_items=previous_items,
        definitions=_definitions(),
        generated_at=snapshot.now,
    )


def build_report(
    workspace: Workspace,
    period: Period,
    *,
    touchpoint: str | None = None,
    now: datetime | None = None,
    mask: Masker | None = None,
    progress: Progress | None = None,
) -> CouncilReport:
    """The council report of ``period``, compared with the period before.

    Reads the workspace once. Masking issue labels loads the spaCy pipeline
    on first use: call it from a worker thread in the app.

    Args:
        workspace: The open workspace (only read).
        period: The period reported on.
        touchpoint: Limit to a touch point or channel (see :func:`~curator.reports.measures.resolve_scope`).
        now: The report's "now" (default: the current time).
        mask: Masks personal data in quoted text (default: :func:`curator.nlp.privacy.mask_personal_data`).
        progress: Checked for cancellation while reading.

    Raises:
        ReportError: ``touchpoint`` names nothing in the workspace.
    """
    snapshot = load_snapshot(workspace, now=now, progress=progress)
    masker = mask if mask is not None else _default_masker(workspace)
    return build_report_from(snapshot, period, workspace=workspace.name, touchpoint=touchpoint, mask=masker)
