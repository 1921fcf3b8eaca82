"""The posting calendar as iCalendar (RFC 5545), for export and a live subscribed file.

One VEVENT per post, built with the ``icalendar`` library. Choices made for
what calendar clients (Google Calendar, Apple Calendar, Outlook, Thunderbird)
actually do with a file they import or subscribe to:

* **UID** is ``<post id>@curator``: stable for the life of the post, so a
  re-import or a refresh of a subscription updates the event in place.
* **SEQUENCE** is the post's ``sequence``, which the scheduling service bumps
  on every reschedule, so clients take the new time over the old one.
* **DTSTART is in UTC** (``...Z``), with a DURATION of 15 minutes. Every
  client shows a UTC time in the viewer's own zone correctly, and UTC needs
  no VTIMEZONE component, whose handling differs between clients (Outlook in
  particular). The touch point's zone matters for *computing* slot times,
  which happens before the post is stored; a calendar only has to show the
  instant.
* **STATUS** is TENTATIVE for a planned post (not yet approved) and CONFIRMED
  for every other post still in the calendar.
* **Cancelled posts are left out** rather than sent with STATUS:CANCELLED.
  A subscribed calendar is replaced as a whole on each refresh, so a UID that
  disappears is removed from the view; Google Calendar subscriptions show
  STATUS:CANCELLED events as ordinary events, which would put withdrawn posts
  back in front of the team.
* **TRANSP** is TRANSPARENT: a post is not a meeting, so it does not make
  anyone look busy in free/busy views.
* **SUMMARY** is ``[touch point] draft title``, **CATEGORIES** the touch point
  name, **DESCRIPTION** the post text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event, vDuration

from curator.domain import Draft, PostStatus, ScheduledPost, TouchPoint, utcnow
from curator.schedule.slots import ScheduleError
from curator.store.files import atomic_write

__all__ = ["EVENT_DURATION", "PRODID", "IcsWriteError", "calendar_ics", "event_uid", "write_live_ics"]

PRODID = "-//Curator//Curator posting calendar//EN"

#: How long each post occupies in a calendar: long enough to be seen and clicked in a week view.
EVENT_DURATION = timedelta(minutes=15)

#: How often a subscribing client should refresh the live file (RFC 7986 and its older X- form).
REFRESH = timedelta(minutes=15)


class IcsWriteError(ScheduleError):
    """The live calendar file cannot be written."""


def event_uid(post: ScheduledPost) -> str:
    """The iCalendar UID of a post's event; stable so clients update rather than duplicate."""
    return f"{post.id}@curator"


def _summary(post: ScheduledPost, touchpoint_name: str, draft: Draft | None) -> str:
    title = (draft.title if draft is not None else "").strip() or post.title.strip() or "Untitled post"
    return f"[{touchpoint_name}] {title}"


def calendar_ics(
    posts: list[ScheduledPost],
    touchpoints: Mapping[str, TouchPoint],
    drafts: Mapping[str, Draft],
    *,
    name: str = "Curator",
    now: datetime | None = None,
) -> bytes:
    """The posts as one iCalendar file (see the module docstring for each choice).

    Args:
        posts: the posts to show; cancelled ones are left out.
        touchpoints: touch points by id, for names; a post whose touch point
            is missing (deleted) is shown under its touch point id.
        drafts: drafts by id, for titles; without its draft a post shows its
            own ``title``.
        name: the calendar's display name (NAME and X-WR-CALNAME).
        now: the DTSTAMP of every event (default: the clock); pass it to get
            byte-identical output for identical input.

    Returns:
        The calendar as UTF-8 bytes with CRLF line ends, events ordered by
        time then UID so that unchanged calendars produce unchanged files.
    """
    stamp = (now or utcnow()).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    live = [p for p in posts if p.status is not PostStatus.CANCELLED]
    for post in sorted(live, key=lambda p: (p.publish_at, event_uid(p))):
        tp = touchpoints.get(post.touchpoint_id)
        tp_name = tp.name if tp is not None else post.touchpoint_id
        event = Event()
        event.add("uid", event_uid(post))
        event.add("dtstamp", stamp)
        event.add("dtstart", post.publish_at.astimezone(UTC))
        event.add("duration", EVENT_DURATION)
        event.add("summary", _summary(post, tp_name, drafts.get(post.draft_id)))
        event.add("description", post.text)
        event.add("categories", [tp_name])
        event.add("sequence", post.sequence)
        event.add("status", "TENTATIVE" if post.status is PostStatus.PLANNED else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def write_live_ics(path: Path, data: bytes) -> None:
    """Replace the live calendar file at once, so a subscribing client never reads half of it.

    Raises:
        IcsWriteError: the folder is missing or not writable; the message
            names the file and what to do.
    """
    try:
        atomic_write(path, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise IcsWriteError(
            f"The live calendar file {path} cannot be written ({reason}). "
            "Choose a folder you may write to in the calendar settings, or check that it still exists."
        ) from exc
