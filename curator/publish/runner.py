"""The due-post runner: publishes what is due, once, and never loses a post.

The app runs it on a timer in a worker thread; ``curator publish-due`` runs
it once (cron, a server). Several runners may work on one workspace at the
same time (the app on two desks, plus cron), and any of them may die in the
middle of a send. What keeps a post from going out twice, or not at all:

* **An idempotency key per post**, the SHA-256 of the post id, the approved
  version hash and the touch point id: every retry of the same content
  carries the same key, so an idempotent connector (outbox, webhook, feed)
  can tell a repeat from a new post.
* **A publish journal** (the ``publish_journal`` table): a ``claimed`` entry
  is committed *before* a send and a ``sent`` or ``failed`` entry *after*
  it. The claim is made in a workspace transaction, which holds the
  workspace's cross-process write lock and first replays every other
  process's writes, and only after reading the post again: of two runners
  racing for one post exactly one sees it still due. The send itself runs
  outside any transaction, so no runner holds the workspace lock during
  network I/O.
* **Crash recovery**: a post left ``PUBLISHING`` by a runner that died (its
  process is gone, or its claim is older than the lease) is resent with the
  same key when its connector is idempotent, and otherwise (e-mail) marked
  FAILED with a sentence asking a person to check, because nobody can know
  whether the mail left. Nothing is resent automatically that could
  double-post.
* **Failures stay visible**: a failed post is FAILED with the reason, is
  retried by :class:`RetryPolicy` when the problem may pass, then waits for
  a person. It is never deleted; every run's :class:`RunReport` carries the
  sentences for notifications.

Journal entries of one post have the ids ``<post id>.0000``, ``.0001``...:
append-only, in order, and each found by id without scanning the journal.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from curator.domain import PostStatus, ScheduledPost, TouchPoint, utcnow
from curator.errors import Cancelled, CuratorError
from curator.progress import Progress
from curator.publish.connectors import Clock, Connector, SendError, Sleep, connector_for
from curator.publish.secrets import SecretStore, secrets_needed
from curator.store.repositories import TinyRepository
from curator.workspace import Workspace

ConnectorFactory = Callable[[TouchPoint, SecretStore], Connector | None]
JOURNAL_TABLE = "publish_journal"
#: How long a claim protects a post; must exceed the longest send (webhook retries included).
DEFAULT_LEASE = timedelta(minutes=10)


class JournalState(StrEnum):
    """What one journal entry records."""

    CLAIMED = "claimed"  # a runner is about to send (written before the send)
    SENT = "sent"  # the connector accepted it (written after)
    FAILED = "failed"  # it did not go out, or nobody knows (written after)
    RETRY = "retry"  # a person asked for another try
    MARKED_PUBLISHED = "marked_published"  # a person checked: it is out


@dataclass
class JournalEntry:
    """One line of a post's publishing history."""

    post_id: str
    key: str
    state: JournalState
    at: datetime
    seq: int = 0
    runner_id: str = ""
    touchpoint_id: str = ""
    detail: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError("JournalEntry.at must be timezone-aware (UTC).")
        if not self.id:
            self.id = f"{self.post_id}.{self.seq:04d}"


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed post is tried again: after each delay in turn, then by a person.

    With the defaults a post is tried at its time, then 5 min, 15 min and 1 h
    after each failure: four attempts, then it stays FAILED until a person
    retries it.
    """

    delays: tuple[timedelta, ...] = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def next_attempt(self, attempts: int, now: datetime, retry_after: float | None = None) -> datetime | None:
        """When to try again after ``attempts`` failed tries, or None when a person must.

        A receiver's Retry-After lengthens the wait, never shortens it.
        """
        if attempts < 1 or attempts > len(self.delays):
            return None
        wait = self.delays[attempts - 1]
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=retry_after))
        return now + wait


@dataclass
class RunReport:
    """What one run did; the sentences are ready for notifications.

    Attributes:
        published: posts that went out.
        failed: posts that did not (each has a sentence in ``failures``).
        skipped: due posts another runner was handling, or that changed meanwhile.
        failures: one sentence per failed post, saying why and what happens next.
        manual: ids of due posts on touch points without a connector
            (published by hand, then marked published).
        cancelled: the user stopped the run before every post was handled.
    """

    published: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    published_ids: list[str] = field(default_factory=list)
    failed_ids: list[str] = field(default_factory=list)
    cancelled: bool = False

    def summary(self) -> str:
        """One paragraph for the CLI and the status bar."""
        parts = [f"{self.published} published", f"{self.failed} failed"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        text = "Due posts: " + ", ".join(parts) + "."
        if self.manual:
            n = len(self.manual)
            text += (
                f" {n} due post{'s are' if n != 1 else ' is'} on touch points without a connector: "
                "publish by hand, then mark published."
            )
        if self.cancelled:
            text += " Stopped before the end, as asked."
        return "\n".join([text, *self.failures])


def journal_repository(ws: Workspace) -> TinyRepository[JournalEntry]:
    """The publish journal of ``ws``, as every runner writes it (the Calendar's log reads it too)."""
    return TinyRepository(ws.store, JOURNAL_TABLE, JournalEntry, period_field="at")


def idempotency_key(post: ScheduledPost) -> str:
    """The key every send of this post's content carries.

    SHA-256 (hex) of the post id, the approved version hash and the touch
    point id, newline-separated: stable across retries of the same content,
    different as soon as the content approved for it changes.
    """
    raw = f"{post.id}\n{post.version_hash}\n{post.touchpoint_id}".encode()
    return hashlib.sha256(raw).hexdigest()


def new_runner_id() -> str:
    """``host/pid/random``: tells other runners whether this one may still be alive."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def _process_gone(runner_id: str) -> bool:
    """True only when the runner's process is certainly gone (same host, no such pid)."""
    host, _, rest = runner_id.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine: only the lease can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


@dataclass
class _Claim:
    post: ScheduledPost
    tp: TouchPoint
    connector: Connector
    key: str


class PublishRunner:
    """Publishes due posts of one workspace; see the module docstring."""

    def __init__(
        self,
        ws: Workspace,
        secrets: SecretStore,
        *,
        clock: Clock = utcnow,
        sleep: Sleep = time.sleep,
        connector_factory: ConnectorFactory | None = None,
        on_published: Callable[[ScheduledPost], None] | None = None,
        on_failed: Callable[[ScheduledPost, str], None] | None = None,
        runner_id: str | None = None,
        policy: RetryPolicy | None = None,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        """Create a runner.

        Args:
            ws: the workspace whose posts are published.
            secrets: where connectors find passwords and signing secrets.
            clock: the current time (tests inject one).
            sleep: waits between webhook tries (tests inject a recorder).
            connector_factory: builds a touch point's connector;
                :func:`~curator.publish.connectors.connector_for` with this
                runner's clock and sleep when omitted.
            on_published: called with each post once it is recorded as
                published (in the runner's thread).
            on_failed: called with each failed post and its sentence, for
                notifications (in the runner's thread).
            runner_id: this runner's name in the journal; see :func:`new_runner_id`.
            policy: when failed posts are tried again.
            lease: how long a claim protects a post from other runners.
        """
        self.ws = ws
        self.secrets = secrets
        self.runner_id = runner_id or new_runner_id()
        self.policy = policy or RetryPolicy()
        self.lease = lease
        self._clock = clock
        self._factory: ConnectorFactory = connector_factory or (
            lambda tp, store: connector_for(tp, store, clock=clock, sleep=sleep, base=ws.path)
        )
        self._on_published = on_published
        self._on_failed = on_failed
        self.journal = journal_repository(ws)
        # One run at a time per runner: while no run is in progress, none of
        # this runner's own claims can be in flight (see _claim_abandoned).
        self._run_lock = threading.Lock()

    # ------------------------------------------------------------------ queries

    def _retry_due(self, post: ScheduledPost, now: datetime) -> bool:
        return (
            post.status == PostStatus.FAILED
            and post.next_attempt_at is not None
            and post.next_attempt_at <= now
            and post.attempts < self.policy.max_attempts
        )

    def _is_due(self, post: ScheduledPost, now: datetime) -> bool:
        if post.status == PostStatus.SCHEDULED:
            return post.publish_at <= now
        return self._retry_due(post, now)

    def due(self, now: datetime | None = None) -> list[ScheduledPost]:
        """Posts to send now: scheduled and due, or failed with a retry due; oldest first."""
        now = now or self._clock()
        return sorted((p for p in self.ws.posts.list() if self._is_due(p, now)), key=lambda p: p.publish_at)

    def history(self, post_id: str) -> list[JournalEntry]:
        """A post's journal entries, oldest first (for the post's detail view)."""
        entries: list[JournalEntry] = []
        while (entry := self.journal.get(f"{post_id}.{len(entries):04d}")) is not None:
            entries.append(entry)
        return entries

    def missing_secrets(self, now: datetime | None = None) -> list[tuple[TouchPoint, str]]:
        """The secrets the due posts need that nobody has given yet, one pair per touch point and name.

        Where no keyring exists, ``curator publish-due`` and the app ask for
        these (then pass them to :meth:`SecretStore.remember_for_session`)
        before running, instead of failing each post.

        Raises:
            KeyringUnavailable: the keyring is locked or broken.
        """
        wanted: dict[tuple[str, str], TouchPoint] = {}
        for post in self.due(now):
            tp = self.ws.touchpoints.get(post.touchpoint_id)
            if tp is not None:
                for name in secrets_needed(tp):
                    wanted.setdefault((tp.id, name), tp)
        return [(tp, name) for (tp_id, name), tp in wanted.items() if not self.secrets.get(tp_id, name)]

    def next_wakeup(self, now: datetime | None = None) -> datetime | None:
        """The earliest time something becomes due (for the app's timer), or None."""
        now = now or self._clock()
        times: list[datetime] = []
        for post in self.ws.posts.list():
            if post.status == PostStatus.SCHEDULED:
                times.append(post.publish_at)
            elif post.status == PostStatus.FAILED and post.next_attempt_at is not None:
                if post.attempts < self.policy.max_attempts:
                    times.append(post.next_attempt_at)
            elif post.status == PostStatus.PUBLISHING:
                entries = self.history(post.id)
                claimed_at = entries[-1].at if entries else now
                times.append(claimed_at + self.lease)
        return min(times) if times else None

    # ------------------------------------------------------------------ the run

    def run_due(self, progress: Progress | None = None) -> RunReport:
        """Publish every due post (and recover abandoned ones); safe to run in many processes.

        Args:
            progress: reports each post handled; a cancel stops between
                posts, never in the middle of a send.
        """
        with self._run_lock:
            report = RunReport()
            now = self._clock()
            posts = self.ws.posts.list()
            stuck = [p for p in posts if p.status == PostStatus.PUBLISHING]
            work = stuck + sorted((p for p in posts if self._is_due(p, now)), key=lambda p: p.publish_at)
            if progress is not None:
                progress.start(len(work), "Publishing due posts")
            for post in work:
                if progress is not None and progress.cancelled:
                    report.cancelled = True
                    break
                self._handle(post.id, report)
                if progress is not None:
                    try:
                        progress.advance(message=post.title)
                    except Cancelled:
                        report.cancelled = True
                        break
            return report

    def _handle(self, post_id: str, report: RunReport) -> None:
        claim = self._claim(post_id, report)
        if claim is None:
            return
        try:
            ref = claim.connector.send(claim.post, claim.tp, idempotency_key=claim.key)
        except SendError as exc:
            self._record_failure(claim, str(exc), exc.retryable, exc.retry_after, report)
            return
        except CuratorError as exc:
            self._record_failure(claim, str(exc), False, None, report)
            return
        except Exception as exc:  # a bug in a connector must not lose the post
            reason = f"Curator hit an unexpected error while sending ({type(exc).__name__}: {exc})."
            if not claim.connector.idempotent:
                reason += " The post may or may not have gone out."
            self._record_failure(claim, reason + " Please report this problem.", False, None, report)
            return
        self._record_sent(claim, ref, report)

    # ------------------------------------------------------------------ claiming

    def _append(self, post: ScheduledPost, state: JournalState, at: datetime, detail: str = "") -> None:
        """Add a journal entry (inside the caller's transaction, after replaying others' writes)."""
        seq = len(self.history(post.id))
        self.journal.save(
            JournalEntry(
                post_id=post.id,
                key=idempotency_key(post),
                state=state,
                at=at,
                seq=seq,
                runner_id=self.runner_id,
                touchpoint_id=post.touchpoint_id,
                detail=detail,
            )
        )

    def _claim_abandoned(self, post: ScheduledPost, now: datetime) -> bool:
        entries = self.history(post.id)
        last = entries[-1] if entries else None
        if last is None or last.state != JournalState.CLAIMED:
            return True  # PUBLISHING without a live claim: nobody is on it
        if last.runner_id == self.runner_id:
            return True  # ours, from a run that was interrupted: no send of ours is in flight
        return now - last.at >= self.lease or _process_gone(last.runner_id)

    def _claim(self, post_id: str, report: RunReport) -> _Claim | None:
        """Take a post for sending, in one transaction; None when it is not ours to send."""
        now = self._clock()
        failure: tuple[ScheduledPost, str] | None = None
        with self.ws.transaction():
            post = self.ws.posts.get(post_id)  # read again: another runner may have taken it
            if post is None:
                report.skipped += 1
                return None
            recovering = post.status == PostStatus.PUBLISHING
            if recovering:
                if not self._claim_abandoned(post, now):
                    report.skipped += 1  # another runner is sending it right now
                    return None
            elif not self._is_due(post, now):
                report.skipped += 1
                return None
            tp = self.ws.touchpoints.get(post.touchpoint_id)
            connector: Connector | None = None
            reason = ""
            if tp is None:
                reason = (
                    "Its touch point no longer exists: move the post to another touch point or cancel it."
                )
            else:
                try:
                    connector = self._factory(tp, self.secrets)
                except CuratorError as exc:
                    reason = str(exc)
                if connector is None and not reason:
                    if not recovering:
                        report.manual.append(post.id)
                        return None
                    reason = f"Its touch point “{tp.name}” no longer has a connector."
            if recovering and (reason or connector is None or not connector.idempotent):
                # Resending could post twice, and nobody knows whether the first send went out.
                where = tp.name if tp is not None else "the touch point"
                reason = (
                    "Curator stopped while sending this post; it may or may not have gone out. "
                    f"Check {where}, then mark it published or retry." + (f" ({reason})" if reason else "")
                )
            if reason:
                self._fail_locked(post, reason, retryable=False, retry_after=None, now=now)
                failure = (post, reason)
            else:
                assert connector is not None and tp is not None
                post.status = PostStatus.PUBLISHING
                self.ws.posts.save(post)
                detail = "resent after an interrupted send" if recovering else ""
                self._append(post, JournalState.CLAIMED, now, detail)
                return _Claim(post, tp, connector, idempotency_key(post))
        assert failure is not None
        self._report_failure(failure[0], tp, failure[1], report)
        return None

    # ------------------------------------------------------------------ outcomes

    def _fail_locked(
        self, post: ScheduledPost, reason: str, *, retryable: bool, retry_after: float | None, now: datetime
    ) -> None:
        post.attempts += 1
        post.status = PostStatus.FAILED
        post.next_attempt_at = (
            self.policy.next_attempt(post.attempts, now, retry_after) if retryable else None
        )
        if post.next_attempt_at is not None:
            post.last_error = f"{reason} Curator will try again at {post.next_attempt_at:%Y-%m-%d %H:%M} UTC."
        elif retryable:
            post.last_error = f"{reason} Curator gave up after {post.attempts} attempts: retry it when fixed."
        else:
            post.last_error = f"{reason} It needs a person: fix the problem, then retry it."
        self.ws.posts.save(post)
        self._append(post, JournalState.FAILED, now, reason)

    def _report_failure(
        self, post: ScheduledPost, tp: TouchPoint | None, reason: str, report: RunReport
    ) -> None:
        where = f" on {tp.name}" if tp is not None else ""
        sentence = f"“{post.title or post.id}”{where} could not be published: {post.last_error or reason}"
        report.failed += 1
        report.failed_ids.append(post.id)
        report.failures.append(sentence)
        if self._on_failed is not None:
            self._on_failed(post, sentence)

    def _record_failure(
        self, claim: _Claim, reason: str, retryable: bool, retry_after: float | None, report: RunReport
    ) -> None:
        now = self._clock()
        with self.ws.transaction():
            post = self.ws.posts.get(claim.post.id) or claim.post
            if post.status == PostStatus.PUBLISHED:
                # Another runner took over (our claim outlived its lease) and got it out.
                self._append(post, JournalState.FAILED, now, reason)
                report.skipped += 1
                return
            self._fail_locked(post, reason, retryable=retryable, retry_after=retry_after, now=now)
        self._report_failure(post, claim.tp, reason, report)

    def _record_sent(self, claim: _Claim, ref: str, report: RunReport) -> None:
        now = self._clock()
        with self.ws.transaction():
            post = self.ws.posts.get(claim.post.id) or claim.post
            # It went out: that is the truth, whatever another runner wrote meanwhile.
            if post.status != PostStatus.PUBLISHED:
                post.published_at = now
                post.external_ref = ref
            post.status = PostStatus.PUBLISHED
            post.last_error = ""
            post.next_attempt_at = None
            self.ws.posts.save(post)
            self._append(post, JournalState.SENT, now, ref)
        report.published += 1
        report.published_ids.append(post.id)
        if self._on_published is not None:
            self._on_published(post)

    # ------------------------------------------------------------------ a person's decisions

    def retry(self, post_id: str, *, user_id: str = "") -> ScheduledPost:
        """Put a failed post back in line now, with a fresh set of attempts.

        Raises:
            PublishStateError: the post is not failed.
        """
        now = self._clock()
        with self.ws.transaction():
            post = self._get(post_id)
            if post.status != PostStatus.FAILED:
                raise PublishStateError(
                    f"“{post.title or post.id}” is {post.status}, not failed: "
                    "only a failed post can be retried."
                )
            post.status = PostStatus.SCHEDULED
            post.attempts = 0
            post.next_attempt_at = None  # publish_at is past: due at the next run
            self.ws.posts.save(post)
            self._append(post, JournalState.RETRY, now, f"by {user_id}" if user_id else "")
        return post

    def mark_published(self, post_id: str, *, external_ref: str = "", user_id: str = "") -> ScheduledPost:
        """Record that a person checked and the post is out (e.g. after an interrupted e-mail).

        Raises:
            PublishStateError: the post is not failed or being published.
        """
        now = self._clock()
        with self.ws.transaction():
            post = self._get(post_id)
            if post.status not in (PostStatus.FAILED, PostStatus.PUBLISHING, PostStatus.SCHEDULED):
                raise PublishStateError(
                    f"“{post.title or post.id}” is {post.status}: it cannot be marked published."
                )
            post.status = PostStatus.PUBLISHED
            post.published_at = now
            post.external_ref = external_ref or post.external_ref
            post.last_error = ""
            post.next_attempt_at = None
            self.ws.posts.save(post)
            self._append(post, JournalState.MARKED_PUBLISHED, now, f"by {user_id}" if user_id else "")
        if self._on_published is not None:
            self._on_published(post)
        return post

    def _get(self, post_id: str) -> ScheduledPost:
        post = self.ws.posts.get(post_id)
        if post is None:
            raise PublishStateError("That post no longer exists; it may have been deleted meanwhile.")
        return post


class PublishStateError(CuratorError):
    """A person asked for something the post's state does not allow."""


def publish_due(
    ws: Workspace, secrets: SecretStore | None = None, *, progress: Progress | None = None
) -> RunReport:
    """Run the due posts once (``curator publish-due``); see :meth:`PublishRunner.run_due`."""
    return PublishRunner(ws, secrets or SecretStore()).run_due(progress)


__all__ = [
    "DEFAULT_LEASE",
    "JournalEntry",
    "JournalState",
    "PublishRunner",
    "PublishStateError",
    "RetryPolicy",
    "RunReport",
    "idempotency_key",
    "journal_repository",
    "new_runner_id",
    "publish_due",
]
