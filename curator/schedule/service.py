"""Putting approved content on the calendar: the service the Calendar view and the CLI share.

Only an approved version can be scheduled: a post carries the content hash of
the version it publishes, and the editorial service takes a post off the
calendar when its draft changes. Moving a post bumps its iCalendar SEQUENCE.
Rows imported from a CSV schedule become *planned* posts of new drafts: they
show on the calendar as tentative, and a scheduler confirms them once the
draft is approved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from curator.domain import Draft, DraftStatus, PostStatus, Role, ScheduledPost, TouchPoint, User, utcnow
from curator.editorial.service import EditorialService
from curator.errors import InvalidTransition, NotFound
from curator.identity import require
from curator.publish.runner import PublishRunner
from curator.schedule.conflicts import ScheduleWarning, check_post
from curator.schedule.csv_io import CsvExport, CsvPreview, export_buffer_csv, export_hootsuite_csv
from curator.schedule.ics import calendar_ics, write_live_ics
from curator.schedule.slots import next_free_slot
from curator.workspace import Workspace

#: How far back the live calendar file reaches.
LIVE_ICS_PAST = timedelta(days=30)
ACTIVE = (PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.FAILED)
#: The publisher acts as this member in the audit log when a post goes out or fails.
PUBLISHER = User("Curator publisher", roles=[Role.SCHEDULER], login="", id="system:publisher")


@dataclass
class CalendarConfig:
    """Team-wide calendar settings (config key ``calendar``)."""

    # A file kept up to date with every change, for calendar apps to subscribe to.
    live_ics_path: str = ""


@dataclass
class Scheduled:
    """A post placed on the calendar, with what a person should look at."""

    post: ScheduledPost
    warnings: list[ScheduleWarning] = field(default_factory=list)


class ScheduleService:
    """Scheduled posts per touch point, for one workspace."""

    def __init__(self, ws: Workspace, clock: Callable[[], datetime] = utcnow) -> None:
        self.ws = ws
        self._clock = clock
        self.editorial = EditorialService(ws, clock)
        self._depth = 0

    # -- reading -------------------------------------------------------------

    def posts(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        touchpoint_ids: set[str] | None = None,
        *,
        include_cancelled: bool = False,
    ) -> list[ScheduledPost]:
        found = [
            p
            for p in self.ws.posts.list()
            if (include_cancelled or p.status is not PostStatus.CANCELLED)
            and (start is None or p.publish_at >= start)
            and (end is None or p.publish_at < end)
            and (touchpoint_ids is None or p.touchpoint_id in touchpoint_ids)
        ]
        return sorted(found, key=lambda p: (p.publish_at, p.id))

    def get(self, post_id: str) -> ScheduledPost:
        post = self.ws.posts.get(post_id)
        if post is None:
            raise NotFound(f"No scheduled post with id {post_id} (it may have been removed).")
        return post

    def touchpoint(self, tp_id: str) -> TouchPoint:
        tp = self.ws.touchpoints.get(tp_id)
        if tp is None:
            raise NotFound(f"No touch point with id {tp_id}; it may have been removed in Settings.")
        return tp

    def warnings(self, post: ScheduledPost) -> list[ScheduleWarning]:
        return check_post(post, self.touchpoint(post.touchpoint_id), self.posts(), now=self._clock())

    def next_slot(self, tp_id: str, after: datetime | None = None) -> datetime | None:
        """The touch point's next free posting slot (None when it has no slots)."""
        taken = [p.publish_at for p in self.posts(touchpoint_ids={tp_id})]
        return next_free_slot(self.touchpoint(tp_id), after or self._clock(), taken)

    # -- changing ------------------------------------------------------------

    def schedule(
        self, user: User, draft_id: str, touchpoint_id: str, at: datetime | None = None
    ) -> Scheduled:
        """Put the approved variant for one touch point on the calendar (at ``at`` or the next free slot).

        Scheduling a variant that is already on the calendar moves it instead.
        """
        require(user, Role.SCHEDULER, "schedule posts")
        with self._changing():
            draft = self.editorial.get(draft_id)
            if draft.status not in (DraftStatus.APPROVED, DraftStatus.SCHEDULED):
                raise InvalidTransition(
                    f"'{draft.title}' is {draft.status.value.replace('_', ' ')}: only approved content "
                    "can be scheduled. Ask for approval first."
                )
            if touchpoint_id not in draft.touchpoint_ids or touchpoint_id not in draft.variants:
                raise InvalidTransition(f"'{draft.title}' has no variant for that touch point.")
            existing = [
                p
                for p in self.posts(touchpoint_ids={touchpoint_id})
                if p.draft_id == draft_id and p.status in (PostStatus.PLANNED, PostStatus.SCHEDULED)
            ]
            if existing:
                return self.move(user, existing[0].id, at or existing[0].publish_at)
            when = at or self.next_slot(touchpoint_id)
            if when is None:
                raise InvalidTransition(
                    f"{self.touchpoint(touchpoint_id).name} has no posting slots; choose a time."
                )
            post = ScheduledPost(
                draft_id=draft.id,
                touchpoint_id=touchpoint_id,
                publish_at=when,
                title=draft.title,
                text=draft.variants[touchpoint_id].text,
                version_hash=draft.content_hash,
                status=PostStatus.SCHEDULED,
                created_at=self._clock(),
            )
            self.ws.posts.save(post)
            if draft.status is DraftStatus.APPROVED:
                self.editorial.transition(user, draft.id, "schedule")
            return Scheduled(post, self.warnings(post))

    def move(self, user: User, post_id: str, at: datetime) -> Scheduled:
        """Reschedule a post; calendar apps see the change (SEQUENCE goes up)."""
        require(user, Role.SCHEDULER, "move posts")
        if at.utcoffset() is None:
            raise ValueError("A post's time must be timezone-aware.")
        with self._changing():
            post = self.get(post_id)
            if post.status not in (PostStatus.PLANNED, PostStatus.SCHEDULED, PostStatus.FAILED):
                raise InvalidTransition(
                    f"'{post.title}' is {post.status.value}; "
                    "only planned, scheduled or failed posts can move."
                )
            post.publish_at = at
            post.sequence += 1
            if post.status is PostStatus.FAILED:
                post.status = PostStatus.SCHEDULED
                post.attempts = 0
                post.next_attempt_at = None
                self._retry_draft(user, post.draft_id)
            self.ws.posts.save(post)
            return Scheduled(post, self.warnings(post))

    def unschedule(self, user: User, post_id: str) -> ScheduledPost:
        """Take a post off the calendar; the draft stays approved when it has no other post."""
        require(user, Role.SCHEDULER, "take posts off the calendar")
        with self._changing():
            post = self.get(post_id)
            if post.status in (PostStatus.PUBLISHED, PostStatus.PUBLISHING, PostStatus.CANCELLED):
                raise InvalidTransition(f"'{post.title}' is {post.status.value}; it cannot be taken off now.")
            post.status = PostStatus.CANCELLED
            post.sequence += 1
            self.ws.posts.save(post)
            draft = self.ws.drafts.get(post.draft_id)
            if draft is not None and draft.status is DraftStatus.SCHEDULED and not self._active(draft.id):
                self.editorial.transition(user, draft.id, "unschedule")
            return post

    def confirm(self, user: User, post_id: str) -> Scheduled:
        """Turn a planned (imported) post into a scheduled one once its draft is approved."""
        require(user, Role.SCHEDULER, "confirm posts")
        with self._changing():
            post = self.get(post_id)
            if post.status is not PostStatus.PLANNED:
                raise InvalidTransition(f"'{post.title}' is {post.status.value}, not planned.")
            draft = self.editorial.get(post.draft_id)
            if draft.status not in (DraftStatus.APPROVED, DraftStatus.SCHEDULED):
                raise InvalidTransition(
                    f"'{draft.title}' is not approved yet; it stays tentative on the calendar until it is."
                )
            post.status = PostStatus.SCHEDULED
            post.version_hash = draft.content_hash
            post.text = (
                draft.variants[post.touchpoint_id].text if post.touchpoint_id in draft.variants else post.text
            )
            post.title = draft.title
            post.sequence += 1
            self.ws.posts.save(post)
            if draft.status is DraftStatus.APPROVED:
                self.editorial.transition(user, draft.id, "schedule")
            return Scheduled(post, self.warnings(post))

    def import_rows(self, user: User, preview: CsvPreview) -> list[ScheduledPost]:
        """Import a checked CSV schedule: one draft and one planned post per row, all or nothing."""
        require(user, Role.SCHEDULER, "import a schedule")
        require(user, Role.EDITOR, "create the drafts of an imported schedule")
        if not preview.ok:
            raise InvalidTransition(
                f"The schedule file has {len(preview.problems)} problem(s); nothing was imported. "
                "Fix the lines listed in the preview and import again."
            )
        posts: list[ScheduledPost] = []
        with self._changing():
            for row in preview.rows:
                draft = self.editorial.create(user, row.title, row.text, touchpoint_ids=[row.touchpoint_id])
                posts.append(
                    ScheduledPost(
                        draft_id=draft.id,
                        touchpoint_id=row.touchpoint_id,
                        publish_at=row.publish_at,
                        title=draft.title,
                        text=draft.variants[row.touchpoint_id].text,
                        status=PostStatus.PLANNED,
                        created_at=self._clock(),
                    )
                )
            self.ws.posts.save_many(posts)
        return posts

    # -- what the publisher reports ------------------------------------------

    def mark_published(self, post: ScheduledPost) -> None:
        """A post went out: the draft is published once none of its posts is still waiting."""
        with self._changing():
            draft = self.ws.drafts.get(post.draft_id)
            if draft is None or draft.status is DraftStatus.PUBLISHED:
                return
            waiting = [p for p in self._active(draft.id) if p.status is not PostStatus.PUBLISHED]
            if not waiting and draft.status in (DraftStatus.SCHEDULED, DraftStatus.FAILED):
                self.editorial.transition(PUBLISHER, draft.id, "publish")

    def mark_failed(self, post: ScheduledPost) -> None:
        """A post could not go out and will not be retried by itself: the draft shows it failed."""
        draft = self.ws.drafts.get(post.draft_id)
        if draft is not None and draft.status is DraftStatus.SCHEDULED:
            self.editorial.transition(PUBLISHER, draft.id, "fail", post.last_error or "Publishing failed.")

    def retry_publishing(
        self, user: User, post_id: str, runner: PublishRunner | None = None
    ) -> ScheduledPost:
        """Put a failed post back in line now; its draft leaves the failed state too."""
        require(user, Role.SCHEDULER, "retry publishing")
        with self._changing():
            post = (runner or self._runner()).retry(post_id, user_id=user.id)
            self._retry_draft(user, post.draft_id)
            return post

    def mark_published_by_hand(
        self, user: User, post_id: str, runner: PublishRunner | None = None
    ) -> ScheduledPost:
        """Record that a person checked and the post is out (after an interrupted e-mail, say)."""
        require(user, Role.SCHEDULER, "mark posts published")
        return (runner or self._runner()).mark_published(post_id, user_id=user.id)

    def _runner(self) -> PublishRunner:
        from curator.publish.secrets import SecretStore

        return PublishRunner(self.ws, SecretStore(), clock=self._clock, on_published=self.mark_published)

    # -- exports -------------------------------------------------------------

    def ics(self, touchpoint_ids: set[str] | None = None) -> bytes:
        drafts = {d.id: d for d in self.ws.drafts.list()}
        tps = {tp.id: tp for tp in self.ws.touchpoints.list()}
        return calendar_ics(
            self.posts(touchpoint_ids=touchpoint_ids), tps, drafts, name=self.ws.name, now=self._clock()
        )

    def export_csv(self, layout: str, touchpoint_id: str) -> CsvExport:
        tps = {tp.id: tp for tp in self.ws.touchpoints.list()}
        posts = self.posts(touchpoint_ids={touchpoint_id})
        if layout == "hootsuite":
            return export_hootsuite_csv(posts, tps, now=self._clock())
        if layout == "buffer":
            return export_buffer_csv(posts, tps, now=self._clock())
        raise ValueError(f"Unknown CSV layout {layout!r}: use hootsuite or buffer.")

    def config(self) -> CalendarConfig:
        return self.ws.config.get_or_default("calendar", CalendarConfig)

    # -- internals -----------------------------------------------------------

    def _active(self, draft_id: str) -> list[ScheduledPost]:
        return [
            p
            for p in self.ws.posts.list()
            if p.draft_id == draft_id and p.status in (*ACTIVE, PostStatus.PUBLISHED)
        ]

    def _retry_draft(self, user: User, draft_id: str) -> None:
        draft: Draft | None = self.ws.drafts.get(draft_id)
        if draft is not None and draft.status is DraftStatus.FAILED:
            self.editorial.transition(user, draft_id, "retry")

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """One workspace transaction; once it is committed, the live calendar file follows.

        The file is written after the commit, outside the workspace lock:
        other writers never wait for it.
        """
        self._depth += 1
        try:
            with self.ws.transaction():
                yield
        finally:
            self._depth -= 1
        if self._depth == 0:
            self._refresh_live_ics()

    def _refresh_live_ics(self) -> None:
        """Rewrite the live file with the posts of the last 30 days and every later one.

        Calendar apps show what is coming; the window keeps the file small
        (a full export of years of posts takes seconds: see bench_editorial).
        """
        path = self.config().live_ics_path
        if path:
            since = self._clock() - LIVE_ICS_PAST
            drafts = {d.id: d for d in self.ws.drafts.list()}
            tps = {tp.id: tp for tp in self.ws.touchpoints.list()}
            posts = self.posts(start=since)
            write_live_ics(Path(path), calendar_ics(posts, tps, drafts, name=self.ws.name, now=self._clock()))
