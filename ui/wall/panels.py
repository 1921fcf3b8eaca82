"""The wall's panels: one topic each, sized for reading from three metres.

Every size is a number of "wall pixels" at 1920x1080 (:class:`WallStyle`);
the board multiplies them by its own scale, so a 4K screen shows the same
wall twice as sharp and a preview in the main window shows it small. At
1080p, body text is 40 px (about 18 mm on a 55-inch screen, a comfortable
read at three metres) and key figures are 100 px or more.

A panel builds its widgets once, for the most rows it ever shows, and hides
what a snapshot does not fill, so a refresh every few seconds never rebuilds
the layout. Every text comes from the already masked snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QStackedLayout, QVBoxLayout, QWidget

from ui.wall.text import (
    NO_FIGURE,
    clock,
    day_and_time,
    minutes_text,
    mood_value,
    mood_word,
    on_time_text,
    plural,
    share_text,
    targets_text,
    trend_detail,
    trend_headline,
)
from ui.wall.theme import DARK, WallTheme
from ui.wall.widgets import Card, FitLabel, Sparkline, scaled_font

if TYPE_CHECKING:  # the core's wall module imports spaCy: keep it out of the window's start
    from curator.reports.wall import HotIssue, ResponseRow, WallSnapshot

#: Sizes in wall pixels at 1080p.
SIZES = {
    "title": 64,
    "huge": 132,
    "big": 100,
    "head": 50,
    "body": 40,
    "table": 36,
    "small": 32,
    "footer": 26,
}
MARGIN = 56
GAP = 24
RADIUS = 18
PAD = 28

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


@dataclass(frozen=True)
class WallStyle:
    """The scale and colours every panel draws with.

    Attributes:
        unit: Screen pixels per wall pixel (1.0 at 1920x1080, 2.0 at 3840x2160).
        theme: The colours.
        base: The application's font, which the wall only resizes.
    """

    unit: float
    theme: WallTheme
    base: QFont

    def px(self, wall_pixels: float) -> int:
        """Screen pixels for ``wall_pixels``."""
        return max(1, round(wall_pixels * self.unit))

    def font(self, size: str, *, bold: bool = False, italic: bool = False) -> QFont:
        """The font of a size name (see :data:`SIZES`)."""
        return scaled_font(self.base, SIZES[size] * self.unit, bold=bold, italic=italic)


def default_style() -> WallStyle:
    """A 1080p dark style, until the board knows its size."""
    return WallStyle(1.0, DARK, QFont())


@dataclass
class _Spec:
    size: str
    bold: bool
    italic: bool
    tone: str


def _tone_of_share(share: float | None) -> str:
    if share is None:
        return "muted"
    return "good" if share >= 0.9 else "warn" if share >= 0.75 else "bad"


def _tone_of_mood(mood: str) -> str:
    if "negative" in mood:
        return "bad"
    if "positive" in mood:
        return "good"
    return "muted"


def _tone_of_trend(trend: str) -> str:
    return {"rising": "warn", "falling": "good"}.get(trend, "muted")


class Panel(QWidget):
    """A titled page of the wall with an empty state of its own."""

    #: The panel's name (the dots' tooltips, the preview's caption).
    TITLE = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_now = default_style()
        self._specs: dict[FitLabel, _Spec] = {}
        self._cards: list[tuple[Card, str | None]] = []
        self._sparks: list[Sparkline] = []
        self._layouts: list[tuple[Any, float, float]] = []
        self.title_label = self.label(self.TITLE, "title", bold=True)
        self.title_label.setObjectName("wallPanelTitle")
        self.subtitle_label = self.label("", "small", tone="muted")
        self.subtitle_label.setObjectName("wallPanelSubtitle")
        self.content = QWidget()
        self.empty = QWidget()
        self.empty_title = self.label("", "head", bold=True, lines=2, align=CENTER)
        self.empty_title.setObjectName("wallEmptyTitle")
        self.empty_hint = self.label("", "body", tone="muted", lines=3, align=CENTER)
        empty_box = QVBoxLayout(self.empty)
        empty_box.addStretch(1)
        empty_box.addWidget(self.empty_title)
        empty_box.addWidget(self.empty_hint)
        empty_box.addStretch(2)
        self._body = QStackedLayout()
        self._body.addWidget(self.content)
        self._body.addWidget(self.empty)
        self._outer = QVBoxLayout(self)
        self._outer.addWidget(self.title_label)
        self._outer.addWidget(self.subtitle_label)
        self._outer.addLayout(self._body, 1)
        self.track(self._outer, 0, 0)
        self.track(empty_box, 0, GAP / 2)

    # ------------------------------------------------------------ building
    def label(
        self,
        text: str = "",
        size: str = "body",
        *,
        bold: bool = False,
        italic: bool = False,
        tone: str = "text",
        lines: int = 1,
        align: Qt.AlignmentFlag = LEFT,
        shrink: float = 1.0,
    ) -> FitLabel:
        """A label whose font and colour follow the wall's style (``shrink``: see FitLabel)."""
        lab = FitLabel(text, lines=lines, align=align, shrink=shrink)
        self._specs[lab] = _Spec(size, bold, italic, tone)
        self._style_label(lab)
        return lab

    def card(self, accent: str | None = None) -> Card:
        """A surface whose colours follow the theme (``accent``: a tone for its edge bar)."""
        card = Card()
        self._cards.append((card, accent))
        return card

    def sparkline(self) -> Sparkline:
        """A sparkline whose colours follow the theme."""
        spark = Sparkline()
        self._sparks.append(spark)
        return spark

    def track(self, layout: Any, margin: float, spacing: float) -> None:
        """Scale this layout's margins and spacing (wall pixels) with the wall."""
        self._layouts.append((layout, margin, spacing))

    def set_tone(self, lab: FitLabel, tone: str) -> None:
        """Colour ``lab`` with a theme role ("text", "muted", "good", "warn", "bad", "accent")."""
        self._specs[lab].tone = tone
        lab.set_color(self.style_now.theme.color(tone))

    def set_card_accent(self, card: Card, accent: str | None) -> None:
        """Give a card a coloured edge (or none)."""
        self._cards = [(c, accent if c is card else a) for c, a in self._cards]
        self._style_card(card, accent)

    def show_empty(self, title: str, hint: str = "") -> None:
        """Replace the panel's content with a plain sentence (and what happens next)."""
        self.empty_title.setText(title)
        self.empty_hint.setText(hint)
        self.empty_hint.setVisible(bool(hint))
        self._body.setCurrentWidget(self.empty)

    def show_content(self) -> None:
        """Show the panel's content (after :meth:`show_empty`)."""
        self._body.setCurrentWidget(self.content)

    def showing_empty(self) -> bool:
        """Whether the empty state shows."""
        return self._body.currentWidget() is self.empty

    # ------------------------------------------------------------ styling
    def apply_style(self, style: WallStyle) -> None:
        """Resize and recolour everything for ``style``."""
        self.style_now = style
        for lab in self._specs:
            self._style_label(lab)
        for card, accent in self._cards:
            self._style_card(card, accent)
        for spark in self._sparks:
            spark.set_colors(style.theme.color("accent"), style.theme.color("line"))
        for layout, margin, spacing in self._layouts:
            m = style.px(margin)
            layout.setContentsMargins(m, m, m, m)
            layout.setSpacing(style.px(spacing))
        self._outer.setSpacing(style.px(GAP / 3))
        self.subtitle_label.setContentsMargins(0, 0, 0, style.px(GAP / 2))
        self.restyle(style)

    def restyle(self, style: WallStyle) -> None:
        """Sizes a panel sets itself (fixed widths, sparkline sizes)."""

    def _style_label(self, lab: FitLabel) -> None:
        spec = self._specs[lab]
        lab.setFont(self.style_now.font(spec.size, bold=spec.bold, italic=spec.italic))
        lab.set_color(self.style_now.theme.color(spec.tone))

    def _style_card(self, card: Card, accent: str | None) -> None:
        theme = self.style_now.theme
        card.set_colors(
            theme.color("surface"), theme.color("line"), theme.color(accent) if accent is not None else None
        )
        card.set_radius(self.style_now.px(RADIUS))

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        """Show ``snapshot`` (panels override)."""
        raise NotImplementedError


def _figure_card(panel: Panel, caption: str, size: str = "big") -> tuple[Card, FitLabel, FitLabel, FitLabel]:
    """A card with a caption, a big figure and a note under it."""
    card = panel.card()
    caption_label = panel.label(caption, "small", tone="muted")
    value = panel.label(NO_FIGURE, size, bold=True, shrink=0.55)
    note = panel.label("", "small", tone="muted", lines=2, align=TOP_LEFT)
    box = QVBoxLayout(card)
    box.addWidget(caption_label)
    box.addWidget(value)
    box.addWidget(note, 1)
    panel.track(box, PAD, GAP / 4)
    return card, caption_label, value, note


# --------------------------------------------------------------------------- overview
class OverviewPanel(Panel):
    """The day at a glance: the hottest issue and four figures."""

    TITLE = "Right now"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.issue_card = self.card(accent="accent")
        self.issue_caption = self.label("Top issue", "small", tone="muted")
        self.issue_label = self.label("", "title", bold=True, lines=2)
        self.issue_label.setObjectName("wallTopIssue")
        self.issue_trend = self.label("", "body", bold=True)
        self.issue_note = self.label("", "small", tone="muted")
        issue_box = QVBoxLayout(self.issue_card)
        issue_box.addWidget(self.issue_caption)
        issue_box.addWidget(self.issue_label, 1)
        trend_row = QHBoxLayout()
        trend_row.addWidget(self.issue_trend)
        trend_row.addWidget(self.issue_note, 1)
        issue_box.addLayout(trend_row)
        self.track(issue_box, PAD, GAP / 3)
        self.track(trend_row, 0, GAP)

        self.on_time = _figure_card(self, "On time today", "huge")
        self.breached = _figure_card(self, "Waiting past target", "huge")
        self.published = _figure_card(self, "Published today", "huge")
        self.shared = _figure_card(self, "Shared to the wall", "huge")
        grid = QGridLayout(self.content)
        grid.addWidget(self.issue_card, 0, 0, 1, 4)
        for column, (card, *_rest) in enumerate((self.on_time, self.breached, self.published, self.shared)):
            grid.addWidget(card, 1, column)
            grid.setColumnStretch(column, 1)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 6)
        self.track(grid, 0, GAP)

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        self.subtitle_label.setText(day_and_time(snapshot.taken_at))
        if snapshot.hot_issues:
            top = snapshot.hot_issues[0]
            self.issue_label.setText(top.label)
            self.set_tone(self.issue_label, "text")
            self.issue_trend.setText(trend_headline(top))
            self.issue_trend.show()
            self.set_tone(self.issue_trend, _tone_of_trend(top.trend))
            mood = f"{top.mood} mood ({mood_value(top)})" if top.sentiment is not None else mood_value(top)
            self.issue_note.setText(f"{trend_detail(top)} · {mood}")
        else:
            self.issue_label.setText("No hot issues right now.")
            self.set_tone(self.issue_label, "muted")
            self.issue_trend.setText("")
            self.issue_trend.hide()
            self.issue_note.setText("Issues appear here as Curator groups what customers say.")
        overall = snapshot.response.overall
        _, _, value, note = self.on_time
        value.setText(share_text(overall.on_time))
        self.set_tone(value, _tone_of_share(overall.on_time))
        note.setText(
            f"{on_time_text(overall).split(' ', 1)[-1].strip('()')} judged · median first reply "
            f"{minutes_text(overall.median_minutes)}"
            if overall.on_time is not None
            else "Nothing to judge yet today."
        )
        _, _, value, note = self.breached
        value.setText(f"{overall.breached:,}")
        self.set_tone(value, "bad" if overall.breached else "good")
        note.setText(
            f"{plural(overall.open_urgent, 'urgent conversation')} open"
            if overall.open_urgent
            else "no urgent conversation open"
        )
        _, _, value, note = self.published
        value.setText(f"{snapshot.published_total:,}")
        self.set_tone(value, "text")
        later = sum(t.scheduled_later for t in snapshot.published)
        places = sum(1 for t in snapshot.published if t.published)
        parts = [f"on {plural(places, 'touch point')}"] if places else []
        parts.append(f"{later:,} more due today" if later else "nothing more due today")
        note.setText(" · ".join(parts))
        _, _, value, note = self.shared
        value.setText(f"{snapshot.shared_total:,}")
        self.set_tone(value, "text")
        note.setText("resolved conversations, shared with permission")
        self.show_content()


# --------------------------------------------------------------------------- hot issues
class _IssueRow:
    """The widgets of one hot issue."""

    def __init__(self, panel: Panel, rank: int) -> None:
        self.card = panel.card()
        self.rank = panel.label(str(rank), "big", bold=True, tone="accent", align=CENTER)
        self.label = panel.label("", "head", bold=True)
        self.label.setObjectName("wallIssueLabel")
        self.trend = panel.label("", "body", bold=True)
        self.detail = panel.label("", "small", tone="muted")
        self.spark = panel.sparkline()
        self.mood = panel.label("", "body", bold=True, align=RIGHT, shrink=0.75)
        self.mood_value = panel.label("", "small", tone="muted", align=RIGHT)
        row = QHBoxLayout(self.card)
        row.addWidget(self.rank)
        text = QVBoxLayout()
        text.addWidget(self.label)
        line = QHBoxLayout()
        line.addWidget(self.trend)
        line.addWidget(self.detail, 1)
        text.addLayout(line)
        row.addLayout(text, 1)
        row.addWidget(self.spark, 0, Qt.AlignmentFlag.AlignVCenter)
        mood = QVBoxLayout()
        mood.addWidget(self.mood)
        mood.addWidget(self.mood_value)
        row.addLayout(mood)
        panel.track(row, PAD / 2, GAP)
        panel.track(text, 0, 0)
        panel.track(line, 0, GAP / 2)
        panel.track(mood, 0, 0)


class HotIssuesPanel(Panel):
    """The hottest issues: label, trend (arrow, numbers, sparkline) and mean sentiment."""

    TITLE = "Hot issues now"
    ROWS = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = [_IssueRow(self, n + 1) for n in range(self.ROWS)]
        box = QVBoxLayout(self.content)
        for row in self.rows:
            box.addWidget(row.card, 1)
        box.addStretch(0)
        self.track(box, 0, GAP * 0.6)

    def restyle(self, style: WallStyle) -> None:
        for row in self.rows:
            row.rank.setFixedWidth(style.px(90))
            row.spark.setFixedSize(style.px(330), style.px(96))
            row.mood.setFixedWidth(style.px(320))
            row.mood_value.setFixedWidth(style.px(320))

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        issues = snapshot.hot_issues[: self.ROWS]
        more = snapshot.live_issues - len(issues)
        self.subtitle_label.setText(
            "▲▼ items in the last 6 hours against the 6 before · curve: the last 24 hours"
            + (f" · {plural(more, 'more issue')} in Curator" if more > 0 else "")
        )
        if not issues:
            self.show_empty(
                "No hot issues right now.",
                "Issues appear here as Curator groups what customers and the press say.",
            )
            return
        for row, issue in zip(self.rows, issues, strict=False):
            self._fill(row, issue)
            row.card.show()
        for row in self.rows[len(issues) :]:
            row.card.hide()
        self.show_content()

    def _fill(self, row: _IssueRow, issue: HotIssue) -> None:
        row.label.setText(issue.label)
        row.trend.setText(trend_headline(issue))
        self.set_tone(row.trend, _tone_of_trend(issue.trend))
        row.detail.setText(trend_detail(issue))
        row.spark.set_values(issue.hourly)
        row.mood.setText(mood_word(issue))
        self.set_tone(row.mood, _tone_of_mood(issue.mood))
        row.mood_value.setText(mood_value(issue))


# --------------------------------------------------------------------------- response times
class ResponsePanel(Panel):
    """Response times today against the targets: four figures, then per channel and per urgency."""

    TITLE = "Response times today"
    CHANNEL_ROWS = 4
    HEADERS = ("", "New today", "On time", "Median", "Target", "Urgent open", "Past target")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_time = _figure_card(self, "Answered on time")
        self.median = _figure_card(self, "Median first reply")
        self.urgent = _figure_card(self, "Urgent, open now")
        self.breached = _figure_card(self, "Past target now")
        figures = QHBoxLayout()
        for card, *_rest in (self.on_time, self.median, self.urgent, self.breached):
            figures.addWidget(card, 1)
        self.track(figures, 0, GAP)

        self.table_card = self.card()
        grid = QGridLayout(self.table_card)
        self.header_labels = [
            self.label(text, "small", tone="muted", align=LEFT if n == 0 else RIGHT)
            for n, text in enumerate(self.HEADERS)
        ]
        for n, lab in enumerate(self.header_labels):
            grid.addWidget(lab, 0, n)
        self.table_rows: list[list[FitLabel]] = []
        for r in range(self.CHANNEL_ROWS + 2):
            cells = [
                self.label("", "table", bold=(c == 0), align=LEFT if c == 0 else RIGHT)
                for c in range(len(self.HEADERS))
            ]
            for c, cell in enumerate(cells):
                grid.addWidget(cell, r + 1, c)
            self.table_rows.append(cells)
        self.more_label = self.label("", "small", tone="muted")
        grid.addWidget(self.more_label, self.CHANNEL_ROWS + 3, 0, 1, len(self.HEADERS))
        grid.setColumnStretch(0, 1)  # the other columns take what their figures need
        self.track(grid, PAD, GAP / 3)
        self.grid = grid

        box = QVBoxLayout(self.content)
        box.addLayout(figures, 0)
        box.addWidget(self.table_card, 0)
        box.addStretch(1)
        self.track(box, 0, GAP)

    def restyle(self, style: WallStyle) -> None:
        self.grid.setHorizontalSpacing(style.px(GAP * 1.5))
        self.grid.setVerticalSpacing(style.px(GAP / 2))

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        response = snapshot.response
        overall = response.overall
        self.subtitle_label.setText(
            f"Targets for a first answer: urgent {minutes_text(overall.urgent_target)}, "
            f"others {minutes_text(overall.reply_target)} (unless a channel has its own)"
        )
        _, _, value, note = self.on_time
        value.setText(share_text(overall.on_time))
        self.set_tone(value, _tone_of_share(overall.on_time))
        note.setText(
            f"{round((overall.on_time or 0) * overall.judged)} of {overall.judged} judged so far"
            if overall.on_time is not None
            else "Nothing to judge yet today."
        )
        _, _, value, note = self.median
        value.setText(minutes_text(overall.median_minutes))
        self.set_tone(value, "text" if overall.median_minutes is not None else "muted")
        answers = plural(overall.answered, "first answer")
        note.setText(f"{answers} to {plural(overall.opened, 'new conversation')}")
        _, _, value, note = self.urgent
        value.setText(f"{overall.open_urgent:,}")
        self.set_tone(value, "warn" if overall.open_urgent else "good")
        note.setText("waiting for an answer" if overall.open_urgent else "none waiting")
        _, _, value, note = self.breached
        value.setText(f"{overall.breached:,}")
        self.set_tone(value, "bad" if overall.breached else "good")
        note.setText("open conversations past their target" if overall.breached else "every open one in time")

        rows = list(response.by_channel[: self.CHANNEL_ROWS])
        hidden = len(response.by_channel) - len(rows)
        groups = list(response.by_group)
        for cells, row in zip(self.table_rows, [*rows, *groups], strict=False):
            self._fill(cells, row)
            for cell in cells:
                cell.show()
        for cells in self.table_rows[len(rows) + len(groups) :]:
            for cell in cells:
                cell.hide()
        self.more_label.setText(
            f"{plural(hidden, 'more channel')} in the Inbox's metrics." if hidden > 0 else ""
        )
        self.more_label.setVisible(hidden > 0)
        if not rows and overall.opened == 0 and overall.open_urgent == 0 and overall.breached == 0:
            self.show_empty(
                "No customer conversations today yet.",
                "Reply times appear here as customers write in and the team answers.",
            )
            return
        self.show_content()

    def _fill(self, cells: list[FitLabel], row: ResponseRow) -> None:
        texts = (
            {"urgent": "All urgent", "reply": "All others"}.get(row.key, row.title),
            f"{row.opened:,}",
            on_time_text(row),
            minutes_text(row.median_minutes),
            targets_text(row),
            f"{row.open_urgent:,}" if row.key != "reply" else NO_FIGURE,
            f"{row.breached:,}",
        )
        for cell, text in zip(cells, texts, strict=True):
            cell.setText(text)
        self.set_tone(cells[0], "muted" if row.key in ("urgent", "reply") else "text")
        self.set_tone(cells[2], _tone_of_share(row.on_time))
        self.set_tone(cells[5], "warn" if row.open_urgent else "text")
        self.set_tone(cells[6], "bad" if row.breached else "text")


# --------------------------------------------------------------------------- shared conversations
class _SharedCard:
    def __init__(self, panel: Panel) -> None:
        self.card = panel.card(accent="good")
        self.meta = panel.label("", "small", tone="muted")
        self.quote = panel.label("", "body", italic=True, lines=3, align=TOP_LEFT)
        self.quote.setObjectName("wallSharedQuote")
        self.reply = panel.label("", "small", lines=2, align=TOP_LEFT)
        box = QVBoxLayout(self.card)
        box.addWidget(self.meta)
        box.addWidget(self.quote, 3)
        box.addWidget(self.reply, 2)
        panel.track(box, PAD, GAP / 3)


class SharedPanel(Panel):
    """Resolved conversations the team shared to the wall, with every personal detail masked."""

    TITLE = "Resolved and shared"
    CARDS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = [_SharedCard(self) for _ in range(self.CARDS)]
        box = QVBoxLayout(self.content)
        for card in self.cards:
            box.addWidget(card.card, 1)
        self.track(box, 0, GAP)

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        shown = snapshot.shared[: self.CARDS]
        self.subtitle_label.setText(
            f"{len(shown)} of {plural(snapshot.shared_total, 'shared conversation')}, newest first · "
            "shared with the customer's permission · personal details hidden"
        )
        if not shown:
            self.subtitle_label.setText("Shared with the customer's permission · personal details hidden")
            self.show_empty(
                "No conversations shared to the wall yet.",
                "An agent can share a resolved conversation from the Inbox once the customer agrees.",
            )
            return
        for card, conv in zip(self.cards, shown, strict=False):
            resolved = f" · resolved {clock(conv.resolved_at)}" if conv.resolved_at is not None else ""
            card.meta.setText(f"{conv.channel}{resolved} · shared {clock(conv.shared_at)}")
            quote = f"“{conv.customer_text}”" if conv.customer_text else "(no customer message kept)"
            card.quote.setText(quote)
            card.reply.setText(f"Our answer: {conv.reply_text}" if conv.reply_text else "")
            card.reply.setVisible(bool(conv.reply_text))
            card.card.show()
        for card in self.cards[len(shown) :]:
            card.card.hide()
        self.show_content()


# --------------------------------------------------------------------------- published today
class _TouchPointTile:
    TITLES = 3

    def __init__(self, panel: Panel) -> None:
        self.card = panel.card(accent="accent")
        self.name = panel.label("", "head", bold=True)
        self.count = panel.label("", "big", bold=True, tone="accent")
        self.caption = panel.label("", "body", tone="muted")
        self.status = panel.label("", "small", tone="muted")
        self.titles = [panel.label("", "body", lines=2, align=TOP_LEFT) for _ in range(self.TITLES)]
        box = QVBoxLayout(self.card)
        box.addWidget(self.name)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count)
        count_row.addWidget(self.caption, 1, Qt.AlignmentFlag.AlignBottom)
        box.addLayout(count_row)
        box.addWidget(self.status)
        for title in self.titles:
            box.addWidget(title)
        box.addStretch(1)
        panel.track(box, PAD, GAP / 4)
        panel.track(count_row, 0, GAP / 2)


class PublishedPanel(Panel):
    """What went out today on each touch point: how many, the newest titles, what is still due."""

    TITLE = "Published today"
    TILES = 6
    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = [_TouchPointTile(self) for _ in range(self.TILES)]
        self._titles_shown = _TouchPointTile.TITLES
        self.grid = QGridLayout(self.content)
        self._arrange(self.TILES)
        self.track(self.grid, 0, GAP)

    def _arrange(self, count: int) -> None:
        """Lay ``count`` tiles out as large as they fit: 1-3 in a row, 4 as 2x2, 5-6 as 3x2."""
        columns = count if count <= 3 else 2 if count == 4 else self.COLUMNS
        columns = max(1, columns)
        for tile in self.tiles:
            self.grid.removeWidget(tile.card)
        for n, tile in enumerate(self.tiles[:count]):
            self.grid.addWidget(tile.card, n // columns, n % columns)
        rows = -(-count // columns) if count else 1
        self._titles_shown = _TouchPointTile.TITLES if rows == 1 else 1  # two rows leave room for one
        for column in range(self.COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        for row in range(self.TILES):
            self.grid.setRowStretch(row, 1 if row < rows else 0)

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        tiles = snapshot.published[: self.TILES]
        hidden = len(snapshot.published) - len(tiles)
        places = sum(1 for t in snapshot.published if t.published)
        self.subtitle_label.setText(
            f"{plural(snapshot.published_total, 'post')} on {plural(places, 'touch point')}"
            + (f" · {plural(hidden, 'more touch point')} not shown" if hidden > 0 else "")
        )
        if not tiles:
            self.show_empty(
                "Nothing published yet today.",
                "Posts appear here as they go out on each touch point.",
            )
            return
        self._arrange(len(tiles))
        for tile, tp in zip(self.tiles, tiles, strict=False):
            tile.name.setText(tp.name)
            tile.count.setText(f"{tp.published:,}")
            self.set_tone(tile.count, "accent" if tp.published else "muted")
            tile.caption.setText("published")
            status = []
            if tp.scheduled_later:
                status.append(f"{tp.scheduled_later:,} more due today")
            if tp.failed:
                status.append(f"{tp.failed:,} failed")
            if tp.last_published_at is not None:
                status.append(f"last at {clock(tp.last_published_at)}")
            tile.status.setText(" · ".join(status))
            self.set_tone(tile.status, "bad" if tp.failed else "muted")
            self.set_card_accent(tile.card, "bad" if tp.failed else "accent")
            titles = list(tp.latest_titles[: self._titles_shown])
            for n, lab in enumerate(tile.titles):
                title = titles[n] if n < len(titles) else ""
                lab.setText(f"• {title}" if title else "")
                lab.setVisible(bool(title))
            tile.card.show()
        for tile in self.tiles[len(tiles) :]:
            tile.card.hide()
        self.show_content()


# --------------------------------------------------------------------------- messages
class MessagePanel(Panel):
    """A full-panel sentence: loading, or why the wall cannot show anything."""

    TITLE = "Wall"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_empty("Loading the wall…")

    def set_message(self, title: str, hint: str = "", *, error: bool = False) -> None:
        """Show ``title`` (and ``hint``) in the middle of the panel."""
        self.show_empty(title, hint)
        self.set_tone(self.empty_title, "bad" if error else "text")

    def set_snapshot(self, snapshot: WallSnapshot) -> None:
        """A message panel shows no snapshot."""


PANEL_CLASSES: tuple[type[Panel], ...] = (
    OverviewPanel,
    HotIssuesPanel,
    ResponsePanel,
    SharedPanel,
    PublishedPanel,
)

__all__ = [
    "MARGIN",
    "PANEL_CLASSES",
    "SIZES",
    "HotIssuesPanel",
    "MessagePanel",
    "OverviewPanel",
    "Panel",
    "PublishedPanel",
    "ResponsePanel",
    "SharedPanel",
    "WallStyle",
    "default_style",
]
