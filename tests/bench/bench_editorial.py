"""Editorial and calendar benchmark: the checks that run as an editor types, and calendar exports.

Goals (issues 5 and 6):
- brand checks of a 1,500-word draft body: median <= 100 ms after warm-up
  (they re-run after each pause in typing, off the UI thread; a tenth of a
  second keeps the underlines in step with the text);
- a whole draft with one variant per kind of touch point (9): <= 500 ms;
- a year of posting slots for 20 touch points: <= 1 s;
- the live iCalendar file, rewritten after every change to the calendar: it
  holds the last 30 days and everything later, about 600 posts for a busy
  team (three touch points, a few posts a day, two months ahead): <= 0.5 s.
The ceiling of each is printed beside the figure, with the ratio. A full
export of 5,000 posts (``curator export-ics``, on demand) is printed too,
without a ceiling: icalendar's line folding takes most of it.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from curator.domain import (
    Draft,
    DraftStatus,
    PostStatus,
    ScheduledPost,
    Slot,
    TouchPoint,
    TouchPointKind,
    Variant,
)
from curator.editorial.brand import BannedTerm, BrandGuide, check_draft, check_text, warm_up
from curator.schedule.ics import calendar_ics
from curator.schedule.slots import occurrences

PARAGRAPH = (
    "Since the app update, many of you could not log in or place orders, and some orders were charged "
    "twice. That is on us and we are sorry. A fix is rolling out today on iOS and Android; duplicate "
    "charges are refunded automatically within five working days, and your Beans are safe. Until the fix "
    "reaches you, order at the till and our baristas will add your points by hand. Read more at "
    "https://northwind.example.com/help and tell us what you think!"
)


def _body(words: int) -> str:
    paragraphs = []
    count = 0
    n = 0
    while count < words:
        text = f"## Part {n}\n\n{PARAGRAPH} Cheap tricks aside, paragraph {n} says it again."
        paragraphs.append(text)
        count += len(text.split())
        n += 1
    return "\n\n".join(paragraphs)


def _timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _report(name: str, seconds: float, ceiling: float) -> bool:
    ok = seconds <= ceiling
    print(
        f"{name}: {seconds * 1000:.1f} ms (ceiling {ceiling * 1000:.0f} ms, {seconds / ceiling:.2f}x) "
        f"{'met' if ok else 'MISSED'}"
    )
    return ok


def test_editorial_and_calendar_speed() -> None:
    guide = BrandGuide(banned_terms=[BannedTerm("cheap", "affordable")], dictionary=["Northwind", "Beans"])
    body = _body(1500)
    print(f"\nbody: {len(body.split())} words")
    warm_up()
    check_text(body, guide)
    results = [
        _report(
            "brand checks, 1,500-word body (median)",
            statistics.median(_timed(lambda: check_text(body, guide), 15)),
            0.1,
        )
    ]
    kinds = list(TouchPointKind)
    tps = {f"tp-{k.value}": TouchPoint(k.value, k, "Europe/Berlin", id=f"tp-{k.value}") for k in kinds}
    # Fresh draft objects each run: derived variants are computed again, as after a body edit.
    edit = [0]

    def whole_draft() -> None:
        edit[0] += 1
        draft = Draft(
            "Winter menu", body + f" Edit {edit[0]}.", status=DraftStatus.DRAFT, touchpoint_ids=list(tps)
        )
        check_draft(draft, guide, tps)

    results.append(
        _report(
            f"whole draft, {len(tps)} touch points (median)", statistics.median(_timed(whole_draft, 7)), 0.5
        )
    )

    slots = [Slot([0, 1, 2, 3, 4], "09:00"), Slot([0, 1, 2, 3, 4], "17:30"), Slot([5], "10:00")]
    many = [TouchPoint(f"tp{n}", TouchPointKind.X, "Europe/Berlin", slots=slots) for n in range(20)]
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    found = 0

    def year_of_slots() -> None:
        nonlocal found
        found = sum(len(occurrences(tp, start, end)) for tp in many)

    results.append(_report("a year of slots, 20 touch points", min(_timed(year_of_slots, 3)), 1.0))
    print(f"  ({found:,} slot occurrences)")

    posts = [
        ScheduledPost(
            f"d{n % 500}",
            f"tp-{kinds[n % len(kinds)].value}",
            start + timedelta(hours=n),
            title=f"Post {n}",
            text=PARAGRAPH,
            status=PostStatus.SCHEDULED if n % 3 else PostStatus.PLANNED,
        )
        for n in range(5000)
    ]
    drafts = {f"d{n}": Draft(f"Draft {n}", variants={"x": Variant("x")}, id=f"d{n}") for n in range(500)}
    size = 0

    def ics() -> None:
        nonlocal size
        size = len(calendar_ics(posts, tps, drafts, now=start))

    def live() -> None:
        nonlocal size
        size = len(calendar_ics(posts[:600], tps, drafts, now=start))

    results.append(_report("live iCalendar file, 600 posts", min(_timed(live, 3)), 0.5))
    print(f"  ({size / 1e6:.2f} MB)")
    full = min(_timed(ics, 2))
    print(f"full iCalendar export, 5,000 posts: {full:.2f} s ({size / 1e6:.1f} MB; no ceiling, on demand)")
    assert all(results), "a goal was missed (see the figures above)"
