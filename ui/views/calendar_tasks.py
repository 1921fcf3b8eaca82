"""The background jobs of the Calendar page: reads, moves, scheduling, CSV and iCalendar files, publishing.

Each function runs in a :class:`~ui.tasks.TaskRunner` worker: it gets the
task's :class:`~curator.progress.Progress` first, never touches a widget and
returns plain values (or raises a core error whose sentence the page shows).
Every change goes through :class:`~curator.schedule.service.ScheduleService`
or :class:`~curator.publish.runner.PublishRunner`, which check the roles and
the workflow; the page only asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from curator.domain import DraftStatus, PostStatus, Role, ScheduledPost, TouchPoint, User, utcnow
from curator.errors import CuratorError
from curator.identity import require
from curator.progress import Progress
from curator.publish.runner import JournalEntry, PublishRunner, journal_repository
from curator.schedule.csv_io import MAX_FILE_BYTES, CsvExport, CsvPreview, preview_schedule_csv
from curator.schedule.slots import local_to_utc
from curator.store.repositories import TinyRepository

if TYPE_CHECKING:
    from curator.publish.runner import PublishRunner, RunReport
    from curator.schedule.service import Scheduled, ScheduleService

#: Posts of these states are shown on the calendar (cancelled ones are not).
SHOWN_STATUSES = frozenset(set(PostStatus) - {PostStatus.CANCELLED})
#: Posts a person may still move or take off the calendar.
MOVABLE_STATUSES = frozenset({PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.FAILED})


# --------------------------------------------------------------------- reads
@dataclass(frozen=True)
class CalendarDirectory:
    """What the page names and counts besides the posts: touch points and drafts waiting."""

    touchpoints: dict[str, TouchPoint] = field(default_factory=dict)
    #: Approved drafts not on the calendar yet ("Schedule approved…" offers them).
    approved: int = 0


def load_directory(progress: Progress, workspace: Any) -> CalendarDirectory:
    """The touch points and how many approved drafts wait to be scheduled."""
    progress.start(None, "Loading touch points")
    tps = {tp.id: tp for tp in workspace.touchpoints.list()}
    approved = sum(1 for d in workspace.drafts.list() if d.status is DraftStatus.APPROVED)
    return CalendarDirectory(tps, approved)


def load_posts(progress: Progress, workspace: Any) -> list[ScheduledPost]:
    """Every post the calendar shows (all but the cancelled ones)."""
    progress.start(None, "Loading the calendar")
    return [post for post in workspace.posts.list() if post.status in SHOWN_STATUSES]


def journal(workspace: Any) -> TinyRepository[JournalEntry]:
    """The publish journal of ``workspace``, read the way the runner writes it."""
    return journal_repository(workspace)


def load_journal(progress: Progress, workspace: Any) -> list[JournalEntry]:
    """Every publishing journal entry (the model keeps the newest)."""
    progress.start(None, "Loading the publishing log")
    return journal(workspace).list()


def post_history(progress: Progress, publisher: PublishRunner, post_id: str) -> list[JournalEntry]:
    """One post's publishing history, oldest first."""
    progress.start(None, "Loading the post's history")
    return publisher.history(post_id)


# ------------------------------------------------------------------- moving
def move_post(
    progress: Progress, service: ScheduleService, user: User, post_id: str, at: datetime
) -> Scheduled:
    """Reschedule a post (the core checks the role and the post's state and returns warnings)."""
    progress.start(None, "Moving the post")
    return service.move(user, post_id, at)


def unschedule_post(progress: Progress, service: ScheduleService, user: User, post_id: str) -> ScheduledPost:
    """Take a post off the calendar."""
    progress.start(None, "Taking the post off the calendar")
    return service.unschedule(user, post_id)


def confirm_post(progress: Progress, service: ScheduleService, user: User, post_id: str) -> Scheduled:
    """Turn a planned (imported) post into a scheduled one."""
    progress.start(None, "Confirming the post")
    return service.confirm(user, post_id)


# --------------------------------------------------------------- scheduling
@dataclass(frozen=True)
class SchedulableVariant:
    """One approved draft's variant for one touch point, not on the calendar yet."""

    draft_id: str
    title: str
    touchpoint: TouchPoint
    #: The touch point's next free slot (UTC), or None when it has no slots free.
    next_slot: datetime | None
    text: str = ""


def load_schedulable(progress: Progress, service: ScheduleService) -> list[SchedulableVariant]:
    """Approved variants waiting for the calendar, with each touch point's next free slot.

    A draft already scheduled on some touch points offers the others it has
    a variant for (it was approved for all of them).
    """
    progress.start(None, "Looking for approved drafts")
    tps = service.editorial.touchpoints()
    posts = service.posts()
    taken = {
        (p.draft_id, p.touchpoint_id)
        for p in posts
        if p.status in (PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED)
    }
    slots: dict[str, datetime | None] = {}
    found: list[SchedulableVariant] = []
    for draft in service.editorial.drafts([DraftStatus.APPROVED, DraftStatus.SCHEDULED]):
        progress.check_cancelled()
        for tp_id in draft.touchpoint_ids:
            tp = tps.get(tp_id)
            if tp is None or tp_id not in draft.variants or (draft.id, tp_id) in taken:
                continue
            if tp_id not in slots:
                slots[tp_id] = service.next_slot(tp_id)
            found.append(
                SchedulableVariant(draft.id, draft.title, tp, slots[tp_id], draft.variants[tp_id].text)
            )
    found.sort(key=lambda v: (v.title.casefold(), v.touchpoint.name.casefold()))
    return found


@dataclass(frozen=True)
class ScheduleRequest:
    """Put one variant on the calendar at ``local`` (touch point wall-clock time) or the next free slot."""

    draft_id: str
    touchpoint_id: str
    title: str
    touchpoint_name: str
    local: datetime | None = None  # naive, in the touch point's zone
    zone: str = "UTC"

    def at(self) -> datetime | None:
        """The UTC instant asked for (a time the clocks skip moves to when they jump)."""
        return None if self.local is None else local_to_utc(self.local, ZoneInfo(self.zone))


@dataclass
class BatchOutcome:
    """What a batch of scheduling did: the posts placed (with warnings) and one sentence per failure."""

    scheduled: list[Scheduled] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """The summary the page's message strip shows."""
        n = len(self.scheduled)
        parts = [f"Scheduled {n} post{'s' * (n != 1)}." if n else "Nothing was scheduled."]
        warnings = [w.message for done in self.scheduled for w in done.warnings]
        parts.extend(warnings)
        parts.extend(self.failures)
        return " ".join(parts)


def schedule_variants(
    progress: Progress, service: ScheduleService, user: User, requests: list[ScheduleRequest]
) -> BatchOutcome:
    """Schedule each request on its own: one that cannot be placed does not stop the others."""
    require(user, Role.SCHEDULER, "schedule posts")
    progress.start(len(requests), "Scheduling")
    outcome = BatchOutcome()
    for request in requests:
        try:
            outcome.scheduled.append(
                service.schedule(user, request.draft_id, request.touchpoint_id, request.at())
            )
        except CuratorError as exc:
            outcome.failures.append(f"“{request.title}” on {request.touchpoint_name}: {exc}")
        progress.advance(message=request.title)
    return outcome


# ---------------------------------------------------------------- CSV / ICS
def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CuratorError(
                f"{path.name} is {size / 1e6:.0f} MB; a schedule file may hold at most "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB. Split it into smaller files."
            )
        return path.read_bytes()
    except OSError as exc:
        raise CuratorError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def preview_csv(progress: Progress, workspace: Any, path: Path, now: datetime | None = None) -> CsvPreview:
    """Read and check a schedule file; nothing is imported."""
    progress.start(None, f"Checking {path.name}")
    data = _read(path)
    return preview_schedule_csv(data, workspace.touchpoints.list(), now=now or utcnow())


def import_csv(
    progress: Progress, service: ScheduleService, user: User, preview: CsvPreview
) -> list[ScheduledPost]:
    """Import every row of a checked schedule file as planned posts (all or nothing)."""
    progress.start(None, f"Importing {len(preview.rows)} rows")
    return service.import_rows(user, preview)


def write_file(progress: Progress, path: Path, data: bytes) -> Path:
    """Write an exported file; a failure becomes a sentence naming the file."""
    progress.start(None, f"Writing {path.name}")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CuratorError(f"Cannot write {path}: {exc.strerror or exc}. Choose another folder.") from exc
    return path


def export_ics(progress: Progress, service: ScheduleService, tp_ids: set[str] | None, path: Path) -> int:
    """Write the calendar (or some touch points of it) as an iCalendar file; returns the event count."""
    progress.start(None, "Writing the calendar file")
    data = service.ics(tp_ids)
    write_file(progress, path, data)
    return data.count(b"BEGIN:VEVENT")


def build_csv_export(progress: Progress, service: ScheduleService, layout: str, tp_id: str) -> CsvExport:
    """A bulk-upload file of one touch point's scheduled posts, with the notes to read first."""
    progress.start(None, "Preparing the bulk-upload file")
    return service.export_csv(layout, tp_id)


# --------------------------------------------------------------- publishing
def publish_due(progress: Progress, publisher: PublishRunner) -> RunReport:
    """Publish what is due now, once; refuses (sending nothing) while a connector lacks its secret."""
    progress.start(None, "Publishing due posts")
    missing = publisher.missing_secrets()
    if missing:
        from curator.publish.secrets import secret_label

        names = "; ".join(f"the {secret_label(name)} of {tp.name}" for tp, name in missing)
        raise CuratorError(
            f"Nothing was sent: Curator needs {names}. Set it in the touch point's settings, "
            "then publish again."
        )
    return publisher.run_due(progress)


def retry_post(
    progress: Progress, service: ScheduleService, publisher: PublishRunner, user: User, post_id: str
) -> ScheduledPost:
    """Put a failed post back in line now (the core checks the role and moves the draft back)."""
    progress.start(None, "Putting the post back in line")
    return service.retry_publishing(user, post_id, publisher)


def mark_published(
    progress: Progress, service: ScheduleService, publisher: PublishRunner, user: User, post_id: str
) -> ScheduledPost:
    """Record that a person checked and the post is out."""
    progress.start(None, "Marking the post published")
    return service.mark_published_by_hand(user, post_id, publisher)


def shifted(at: datetime, minutes: int = 0, days: int = 0, zone: ZoneInfo | None = None) -> datetime:
    """``at`` moved by wall-clock minutes and days in ``zone`` (UTC when None), as UTC.

    Moving a 09:00 post by a day across a daylight-saving change keeps it at
    09:00 on the wall clock rather than 08:00 or 10:00.
    """
    if zone is None:
        return at + timedelta(days=days, minutes=minutes)
    local = at.astimezone(zone).replace(tzinfo=None) + timedelta(days=days, minutes=minutes)
    return local_to_utc(local, zone)


__all__ = [
    "MOVABLE_STATUSES",
    "SHOWN_STATUSES",
    "BatchOutcome",
    "CalendarDirectory",
    "SchedulableVariant",
    "ScheduleRequest",
    "build_csv_export",
    "confirm_post",
    "export_ics",
    "import_csv",
    "journal",
    "load_directory",
    "load_journal",
    "load_posts",
    "load_schedulable",
    "mark_published",
    "move_post",
    "post_history",
    "preview_csv",
    "publish_due",
    "retry_post",
    "schedule_variants",
    "shifted",
    "unschedule_post",
    "write_file",
]
