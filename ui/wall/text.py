"""How the wall words its figures: short, unambiguous, readable from across a room.

Plain functions (no Qt), so the wording is the same on every panel and easy to test.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the core's wall module imports spaCy: keep it out of the window's start
    from curator.reports.wall import HotIssue, ResponseRow

#: Shown where a figure cannot be computed yet.
NO_FIGURE = "—"
TREND_ARROWS = {"rising": "▲", "falling": "▼", "steady": "▶"}


def minutes_text(minutes: float | None) -> str:
    """Minutes as people say them: 18 min, 4 h, 1 h 20 min; a dash without a value."""
    if minutes is None:
        return NO_FIGURE
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours >= 48:
        return f"{round(whole / 1440)} days"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def share_text(share: float | None) -> str:
    """A share as a whole percentage (87%); a dash when nothing could be judged."""
    return NO_FIGURE if share is None else f"{share:.0%}"


def signed(value: float) -> str:
    """A sentiment value with a real minus sign ("−0.42", "+0.31")."""
    return f"{value:+.2f}".replace("-", "−")


def clock(value: datetime | None) -> str:
    """The local clock time ("14:20"), or a dash."""
    return value.astimezone().strftime("%H:%M") if value is not None else NO_FIGURE


def day_and_time(value: datetime) -> str:
    """The local day and time, as in: Monday 2 March · 15:02."""
    local = value.astimezone()
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B')} · {local.strftime('%H:%M')}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """A count and its noun, singular or plural (1 post, 3 posts), with thousands separators."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def trend_headline(issue: HotIssue) -> str:
    """The trend in a few characters (▲ 14 in 6 h): the arrow says the direction, the number the size."""
    return f"{TREND_ARROWS[issue.trend]} {issue.recent:,} in 6 h"


def trend_detail(issue: HotIssue) -> str:
    """What the trend is measured against (the 6 h before), and the issue's size."""
    pinned = "pinned · " if issue.pinned else ""
    return f"{pinned}was {issue.previous:,} · {plural(issue.items, 'item')} in all"


def mood_word(issue: HotIssue) -> str:
    """The mean sentiment as a word for a heading ("Negative"), a dash when unknown."""
    return NO_FIGURE if issue.sentiment is None else issue.mood.capitalize()


def mood_value(issue: HotIssue) -> str:
    """The mean sentiment as a number (mean −0.42), or why there is none."""
    return "no recent sentiment" if issue.sentiment is None else f"mean {signed(issue.sentiment)}"


def targets_text(row: ResponseRow) -> str:
    """The targets that apply: 30 min / 4 h (urgent / needs an answer); a dash for a missing one."""
    if row.urgent_target is None and row.reply_target is None:
        return NO_FIGURE
    if row.key == "urgent":
        return minutes_text(row.urgent_target)
    if row.key == "reply":
        return minutes_text(row.reply_target)
    return f"{minutes_text(row.urgent_target)} / {minutes_text(row.reply_target)}"


def on_time_text(row: ResponseRow) -> str:
    """The on-time share with what it is out of: 87% (20 of 23); a dash when nothing was judged yet."""
    if row.on_time is None:
        return NO_FIGURE
    hits = round(row.on_time * row.judged)
    return f"{row.on_time:.0%} ({hits} of {row.judged})"
