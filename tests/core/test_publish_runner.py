"""The due-post runner: due selection, outcomes, retries, racing runners and crash recovery.

Crashes and races use real child processes on the same workspace (the
workspace lock is per process) against loopback servers in this process.
Child entry point: ``python -c "from tests.core.test_publish_runner import
child_main; child_main()" ROOT MODE NOW``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from curator.domain import Connector as ConnectorConfig
from curator.domain import ConnectorKind, PostStatus, ScheduledPost, TouchPoint, TouchPointKind
from curator.progress import Progress
from curator.publish.connectors import Connector, connector_for
from curator.publish.runner import (
    PublishRunner,
    PublishStateError,
    RetryPolicy,
    idempotency_key,
)
from curator.publish.secrets import SMTP_PASSWORD, WEBHOOK_SECRET, SecretStore
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT, _threads_left
from tests.core.test_publish_connectors import (
    SECRET,
    T0,
    FakeClock,
    Mailbox,
    SleepRecorder,
    WebhookServer,
    smtp_server,
)
from tests.core.test_publish_connectors import no_keyring as no_keyring  # a fixture, used by name

# --------------------------------------------------------------------------- helpers


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    Workspace.open(tmp_path / "ws", create=True).close()
    return tmp_path / "ws"


@pytest.fixture
def ws(root: Path) -> Iterator[Workspace]:
    with Workspace.open(root) as opened:
        yield opened


@pytest.fixture
def hooks(clock: FakeClock) -> Iterator[WebhookServer]:
    before = set(threading.enumerate())
    server = WebhookServer(clock=clock)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert not _threads_left(before), "threads left running after the webhook server stopped"


def add_touchpoint(ws: Workspace, kind: ConnectorKind, name: str = "Hooks", **options: str) -> TouchPoint:
    tp_kind = TouchPointKind.NEWSLETTER if kind == ConnectorKind.EMAIL else TouchPointKind.BLOG
    tp = TouchPoint(name=name, kind=tp_kind, connector=ConnectorConfig(kind=kind, options=options))
    ws.touchpoints.save(tp)
    return tp


def webhook_tp(ws: Workspace, server: WebhookServer, **options: str) -> TouchPoint:
    return add_touchpoint(ws, ConnectorKind.WEBHOOK, url=server.url("/hook"), **options)


def add_post(
    ws: Workspace, tp: TouchPoint, *, minutes: int = -1, status: PostStatus = PostStatus.SCHEDULED, **kw: Any
) -> ScheduledPost:
    post = ScheduledPost(
        draft_id="d1",
        touchpoint_id=tp.id,
        publish_at=T0 + timedelta(minutes=minutes),
        title=kw.pop("title", f"Post at {minutes:+d} min"),
        text="We **fixed** it.",
        version_hash="h1",
        status=status,
        **kw,
    )
    ws.posts.save(post)
    return post


def secrets_for(*tps: TouchPoint) -> SecretStore:
    return SecretStore({(tp.id, WEBHOOK_SECRET): SECRET for tp in tps})


def runner_for(ws: Workspace, clock: FakeClock, *tps: TouchPoint, **kw: Any) -> PublishRunner:
    kw.setdefault("sleep", SleepRecorder())
    return PublishRunner(ws, secrets_for(*tps), clock=clock, **kw)


def states(runner: PublishRunner, post_id: str) -> list[str]:
    return [str(entry.state) for entry in runner.history(post_id)]


# --------------------------------------------------------------------------- due selection


def test_due_selects_scheduled_and_retry_due_posts_only(ws: Workspace, clock: FakeClock) -> None:
    tp = add_touchpoint(ws, ConnectorKind.OUTBOX, folder="/nowhere")
    runner = runner_for(ws, clock)
    past = T0 - timedelta(minutes=1)
    future = T0 + timedelta(minutes=1)
    due = {
        add_post(ws, tp, minutes=-10).id,
        add_post(ws, tp, minutes=0).id,
        add_post(ws, tp, status=PostStatus.FAILED, attempts=1, next_attempt_at=past).id,
        add_post(ws, tp, status=PostStatus.FAILED, attempts=3, next_attempt_at=T0).id,
    }
    add_post(ws, tp, minutes=1)  # not yet
    add_post(ws, tp, status=PostStatus.PLANNED)  # not approved
    add_post(ws, tp, status=PostStatus.FAILED, attempts=1, next_attempt_at=future)  # not yet
    add_post(ws, tp, status=PostStatus.FAILED, attempts=4, next_attempt_at=past)  # out of attempts
    add_post(ws, tp, status=PostStatus.FAILED, attempts=1)  # needs a person
    for status in (PostStatus.CANCELLED, PostStatus.PUBLISHED, PostStatus.PUBLISHING):
        add_post(ws, tp, status=status)

    found = runner.due(T0)
    assert {p.id for p in found} == due
    assert [p.publish_at for p in found] == sorted(p.publish_at for p in found)
    assert runner.next_wakeup(T0) == T0 - timedelta(minutes=10)


@pytest.mark.usefixtures("no_keyring")
def test_missing_secrets_of_due_posts_can_be_asked_for_first(ws: Workspace, clock: FakeClock) -> None:
    hooks_tp = add_touchpoint(ws, ConnectorKind.WEBHOOK, url="https://hooks.example.com/in")
    mail_tp = add_touchpoint(ws, ConnectorKind.EMAIL, name="News", host="mail.example.com", username="news")
    later_tp = add_touchpoint(ws, ConnectorKind.WEBHOOK, name="Later", url="https://later.example.com/in")
    add_post(ws, hooks_tp)
    add_post(ws, hooks_tp, minutes=-2)
    add_post(ws, mail_tp)
    add_post(ws, later_tp, minutes=30)  # not due: not asked for yet
    runner = PublishRunner(ws, SecretStore(), clock=clock)
    missing = runner.missing_secrets()
    assert sorted((tp.name, name) for tp, name in missing) == [
        ("Hooks", WEBHOOK_SECRET),
        ("News", SMTP_PASSWORD),
    ]
    runner.secrets.remember_for_session(hooks_tp.id, WEBHOOK_SECRET, "typed")
    assert [(tp.name, name) for tp, name in runner.missing_secrets()] == [("News", SMTP_PASSWORD)]


def test_idempotency_key_follows_the_content_not_the_attempt() -> None:
    post = ScheduledPost(draft_id="d", touchpoint_id="tp", publish_at=T0, version_hash="h1", id="p1")
    key = idempotency_key(post)
    assert len(key) == 64 and int(key, 16) >= 0
    post.attempts, post.publish_at, post.status = 3, T0 + timedelta(hours=1), PostStatus.FAILED
    assert idempotency_key(post) == key
    post.version_hash = "h2"
    assert idempotency_key(post) != key


# --------------------------------------------------------------------------- outcomes


def test_a_due_post_is_published_once_and_recorded(ws: Workspace, clock: FakeClock, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    tp = add_touchpoint(ws, ConnectorKind.OUTBOX, name="Shop screens", folder=str(outbox))
    post = add_post(ws, tp)
    later = add_post(ws, tp, minutes=30)
    seen: list[ScheduledPost] = []
    runner = runner_for(ws, clock, on_published=seen.append)
    progress = Progress()

    report = runner.run_due(progress)

    assert (report.published, report.failed, report.skipped, report.failures) == (1, 0, 0, [])
    assert report.published_ids == [post.id] and progress.state.done == progress.state.total == 1
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status == PostStatus.PUBLISHED
    assert stored.published_at == T0 and stored.last_error == ""
    assert Path(stored.external_ref).parent == outbox and Path(stored.external_ref).exists()
    assert [p.id for p in seen] == [post.id] and seen[0].status == PostStatus.PUBLISHED
    assert states(runner, post.id) == ["claimed", "sent"]
    entries = runner.history(post.id)
    assert {e.key for e in entries} == {idempotency_key(post)}
    assert all(e.runner_id == runner.runner_id for e in entries)
    assert entries[1].detail == stored.external_ref
    assert ws.posts.get(later.id).status == PostStatus.SCHEDULED  # type: ignore[union-attr]

    again = runner.run_due()
    assert again.published == 0 and len(list(outbox.iterdir())) == 1


def test_failure_is_recorded_with_reason_and_retried_later(
    ws: Workspace, clock: FakeClock, hooks: WebhookServer
) -> None:
    tp = webhook_tp(ws, hooks, attempts="1")
    post = add_post(ws, tp, title="Outage update")
    hooks.plan = [503]
    notices: list[tuple[str, str]] = []
    runner = runner_for(ws, clock, tp, on_failed=lambda p, sentence: notices.append((p.id, sentence)))

    report = runner.run_due()

    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status == PostStatus.FAILED
    assert stored.attempts == 1 and stored.next_attempt_at == T0 + timedelta(minutes=5)
    assert stored.last_error == (
        f"The webhook at {hooks.url('/hook')} answered 503 Service Unavailable. "
        "Curator will try again at 2026-11-20 09:35 UTC."
    )
    assert report.failed == 1 and report.failed_ids == [post.id]
    assert report.failures == [f"“Outage update” on Hooks could not be published: {stored.last_error}"]
    assert notices == [(post.id, report.failures[0])]
    assert states(runner, post.id) == ["claimed", "failed"]

    clock.advance(minutes=4)
    assert runner.run_due().published == 0 and len(hooks.deliveries) == 1

    clock.advance(minutes=1)
    second = runner.run_due()
    assert second.published == 1
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status == PostStatus.PUBLISHED and stored.last_error == ""
    assert stored.next_attempt_at is None and stored.published_at == T0 + timedelta(minutes=5)
    assert {d.headers["idempotency-key"] for d in hooks.deliveries} == {idempotency_key(post)}
    assert states(runner, post.id) == ["claimed", "failed", "claimed", "sent"]


def test_a_receivers_retry_after_lengthens_the_wait(
    ws: Workspace, clock: FakeClock, hooks: WebhookServer
) -> None:
    tp = webhook_tp(ws, hooks, attempts="1")
    post = add_post(ws, tp)
    hooks.plan = [(429, {"Retry-After": "3600"})]
    runner_for(ws, clock, tp).run_due()
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.next_attempt_at == T0 + timedelta(hours=1)


def test_a_refused_post_waits_for_a_person_then_retry_sends_it(
    ws: Workspace, clock: FakeClock, hooks: WebhookServer
) -> None:
    tp = webhook_tp(ws, hooks)
    post = add_post(ws, tp)
    hooks.plan = [401]
    runner = runner_for(ws, clock, tp)
    runner.run_due()
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status == PostStatus.FAILED and stored.next_attempt_at is None
    assert "401 Unauthorized: check the webhook secret in Settings › Touch points." in stored.last_error
    assert stored.last_error.endswith("It needs a person: fix the problem, then retry it.")
    assert len(hooks.deliveries) == 1  # no retry on 401

    clock.advance(days=2)
    assert runner.run_due().published == 0 and len(hooks.deliveries) == 1

    with pytest.raises(PublishStateError):
        runner.mark_published("no-such-post")
    retried = runner.retry(post.id, user_id="maya")
    assert retried.status == PostStatus.SCHEDULED and retried.attempts == 0
    with pytest.raises(PublishStateError) as err:
        runner.retry(post.id)
    assert "only a failed post can be retried" in str(err.value)
    assert runner.run_due().published == 1
    assert states(runner, post.id) == ["claimed", "failed", "retry", "claimed", "sent"]
    assert runner.history(post.id)[2].detail == "by maya"


def test_after_the_last_attempt_the_post_stays_failed(
    ws: Workspace, clock: FakeClock, hooks: WebhookServer
) -> None:
    tp = webhook_tp(ws, hooks, attempts="1")
    post = add_post(ws, tp)
    hooks.plan = [500, 500]
    runner = runner_for(ws, clock, tp, policy=RetryPolicy(delays=(timedelta(minutes=1),)))
    runner.run_due()
    clock.advance(minutes=1)
    report = runner.run_due()
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status == PostStatus.FAILED and stored.attempts == 2
    assert stored.next_attempt_at is None
    assert stored.last_error.endswith("Curator gave up after 2 attempts: retry it when fixed.")
    assert report.failures and "gave up after 2 attempts" in report.failures[0]
    clock.advance(days=1)
    assert runner.run_due().failed == 0 and len(hooks.deliveries) == 2
    assert ws.posts.get(post.id) is not None  # never dropped


def test_posts_without_a_connector_are_left_for_a_person(ws: Workspace, clock: FakeClock) -> None:
    tp = add_touchpoint(ws, ConnectorKind.NONE, name="Instagram")
    post = add_post(ws, tp)
    report = runner_for(ws, clock).run_due()
    assert report.manual == [post.id] and report.published == report.failed == 0
    assert "1 due post is on touch points without a connector" in report.summary()
    assert ws.posts.get(post.id).status == PostStatus.SCHEDULED  # type: ignore[union-attr]


def test_setup_problems_fail_the_post_with_the_sentence(ws: Workspace, clock: FakeClock) -> None:
    broken = add_touchpoint(ws, ConnectorKind.OUTBOX, name="Screens")  # no folder
    orphan = add_post(ws, broken)
    orphan.touchpoint_id = "deleted-touchpoint"
    ws.posts.save(orphan)
    post = add_post(ws, broken)
    report = runner_for(ws, clock).run_due()
    assert report.failed == 2
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status == PostStatus.FAILED and stored.next_attempt_at is None
    assert "has no folder: set it in Settings › Touch points." in stored.last_error
    lost = ws.posts.get(orphan.id)
    assert lost is not None and "Its touch point no longer exists" in lost.last_error
    assert "Due posts: 0 published, 2 failed." in report.summary()


def test_a_cancel_stops_between_posts(ws: Workspace, clock: FakeClock, tmp_path: Path) -> None:
    tp = add_touchpoint(ws, ConnectorKind.OUTBOX, folder=str(tmp_path))
    add_post(ws, tp)
    progress = Progress()
    progress.cancel()
    report = runner_for(ws, clock).run_due(progress)
    assert report.cancelled and report.published == 0 and not list(tmp_path.glob("*.json"))


# --------------------------------------------------------------------------- racing runners


def test_two_runners_in_one_process_never_send_a_post_twice(
    root: Path, clock: FakeClock, hooks: WebhookServer, no_leaked_threads: None
) -> None:
    with Workspace.open(root) as ws_a, Workspace.open(root) as ws_b:
        tp = webhook_tp(ws_a, hooks)
        posts = [add_post(ws_a, tp, minutes=-i) for i in range(12)]
        hooks.delay = 0.01
        ws_b.refresh()
        runners = [runner_for(ws_a, clock, tp), runner_for(ws_b, clock, tp)]
        barrier = threading.Barrier(2)
        reports: list[Any] = [None, None]

        def run(index: int) -> None:
            barrier.wait()
            reports[index] = runners[index].run_due()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        delivered = Counter(orjson.loads(d.body)["id"] for d in hooks.deliveries)
        assert delivered == Counter({post.id: 1 for post in posts})
        assert reports[0].published + reports[1].published == len(posts)
        ws_a.refresh()
        for post in posts:
            assert ws_a.posts.get(post.id).status == PostStatus.PUBLISHED  # type: ignore[union-attr]
            assert states(runners[0], post.id) == ["claimed", "sent"]


def test_a_runner_reads_each_post_again_before_claiming_it(
    root: Path, clock: FakeClock, hooks: WebhookServer
) -> None:
    # Deterministic interleaving: while runner A sends its first post, runner B
    # (another workspace object, as another process would be) runs completely.
    with Workspace.open(root) as ws_a, Workspace.open(root) as ws_b:
        tp = webhook_tp(ws_a, hooks)
        posts = [add_post(ws_a, tp, minutes=-i) for i in range(4)]
        runner_b = runner_for(ws_b, clock, tp)
        reports_b = []

        class Interleaving(Connector):
            kind = ConnectorKind.WEBHOOK
            idempotent = True

            def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
                if not reports_b:
                    reports_b.append(runner_b.run_due())
                inner = connector_for(tp, secrets_for(tp), clock=clock, sleep=SleepRecorder())
                assert inner is not None
                return inner.send(post, tp, idempotency_key=idempotency_key)

        report_a = runner_for(ws_a, clock, tp, connector_factory=lambda tp, s: Interleaving()).run_due()

    # B skipped the post A had claimed and sent the others; A skipped what B had sent.
    assert (reports_b[0].published, reports_b[0].skipped) == (3, 1)
    assert (report_a.published, report_a.skipped) == (1, 3)
    delivered = Counter(orjson.loads(d.body)["id"] for d in hooks.deliveries)
    assert delivered == Counter({post.id: 1 for post in posts})


def _spawn(root: Path, mode: str, now: datetime, *extra: str) -> subprocess.Popen[str]:
    code = "from tests.core.test_publish_runner import child_main; child_main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(root), mode, now.isoformat(), *extra],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_runner_processes_deliver_every_post_exactly_once(
    root: Path, clock: FakeClock, hooks: WebhookServer
) -> None:
    with Workspace.open(root) as ws:
        tp = webhook_tp(ws, hooks)
        posts = [add_post(ws, tp, minutes=-i) for i in range(16)]
    children = [_spawn(root, "race", T0) for _ in range(2)]
    outputs = []
    try:
        for child in children:  # both ready (imports done), then both go at once
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            outputs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()

    delivered = Counter(orjson.loads(d.body)["id"] for d in hooks.deliveries)
    assert delivered == Counter({post.id: 1 for post in posts})
    assert sum(o["published"] for o in outputs) == len(posts)
    assert all(d.verified for d in hooks.deliveries)
    with Workspace.open(root) as ws:
        assert {p.status for p in ws.posts.list()} == {PostStatus.PUBLISHED}


# --------------------------------------------------------------------------- crash recovery


@pytest.mark.parametrize("moment", ["before-send", "after-send"])
def test_an_idempotent_post_interrupted_by_a_crash_is_delivered_once(
    root: Path, clock: FakeClock, hooks: WebhookServer, moment: str
) -> None:
    with Workspace.open(root) as ws:
        tp = webhook_tp(ws, hooks)
        post = add_post(ws, tp)
    child = _spawn(root, moment, T0)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 3, err  # died with os._exit between claim and record

    with Workspace.open(root) as ws:
        runner = runner_for(ws, clock, tp)  # same clock: the dead runner's process is gone
        stuck = ws.posts.get(post.id)
        assert stuck is not None and stuck.status == PostStatus.PUBLISHING
        assert states(runner, post.id) == ["claimed"]
        assert f"/{child.pid}/" in runner.history(post.id)[0].runner_id

        report = runner.run_due()

        assert report.published == 1
        stored = ws.posts.get(post.id)
        assert stored is not None and stored.status == PostStatus.PUBLISHED
        assert states(runner, post.id) == ["claimed", "claimed", "sent"]
        assert runner.history(post.id)[1].detail == "resent after an interrupted send"
    # The receiver saw one key for the post and acted on it once.
    assert hooks.keys_by_post() == {post.id: {idempotency_key(post)}}
    assert hooks.processed == [post.id]
    assert len(hooks.deliveries) == (2 if moment == "after-send" else 1)


def test_an_email_interrupted_by_a_crash_is_never_resent(
    root: Path, clock: FakeClock, no_leaked_threads: None
) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as server:
        with Workspace.open(root) as ws:
            tp = add_touchpoint(
                ws,
                ConnectorKind.EMAIL,
                name="Newsletter",
                host="127.0.0.1",
                port=str(server.port),
                starttls="no",
                to="list@example.com",
                **{"from": "news@example.com"},
            )
            post = add_post(ws, tp, title="November news")
        child = _spawn(root, "after-send", T0)
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 3, err
        assert len(mailbox.messages) == 1  # it did go out, but the journal cannot know

        with Workspace.open(root) as ws:
            runner = runner_for(ws, clock)
            report = runner.run_due()
            stored = ws.posts.get(post.id)
            assert stored is not None and stored.status == PostStatus.FAILED
            assert stored.next_attempt_at is None
            assert stored.last_error.startswith(
                "Curator stopped while sending this post; it may or may not have gone out. "
                "Check Newsletter, then mark it published or retry."
            )
            assert report.failures == [
                f"“November news” on Newsletter could not be published: {stored.last_error}"
            ]
            assert states(runner, post.id) == ["claimed", "failed"]

            clock.advance(days=1)
            assert runner.run_due().published == 0
            marked = runner.mark_published(post.id, external_ref="checked the list archive", user_id="maya")
            assert marked.status == PostStatus.PUBLISHED and marked.external_ref == "checked the list archive"
            assert states(runner, post.id) == ["claimed", "failed", "marked_published"]
    assert len(mailbox.messages) == 1


def test_a_claim_of_a_live_runner_is_respected_until_its_lease_ends(
    ws: Workspace, clock: FakeClock, tmp_path: Path
) -> None:
    tp = add_touchpoint(ws, ConnectorKind.OUTBOX, folder=str(tmp_path))
    post = add_post(ws, tp)

    def dying(tp: TouchPoint, store: SecretStore) -> Connector | None:
        return CrashingConnector(connector_for(tp, store), "before-send", exit_process=False)

    with pytest.raises(SystemExit):
        runner_for(ws, clock, connector_factory=dying).run_due()

    other = runner_for(ws, clock)  # another runner in this (live) process
    assert other.run_due().skipped == 1
    assert ws.posts.get(post.id).status == PostStatus.PUBLISHING  # type: ignore[union-attr]
    assert other.next_wakeup() == T0 + timedelta(minutes=10)

    clock.advance(minutes=10)
    assert other.run_due().published == 1
    assert ws.posts.get(post.id).status == PostStatus.PUBLISHED  # type: ignore[union-attr]
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_a_runner_recovers_its_own_interrupted_claim_at_once(
    ws: Workspace, clock: FakeClock, tmp_path: Path
) -> None:
    tp = add_touchpoint(ws, ConnectorKind.OUTBOX, folder=str(tmp_path))
    post = add_post(ws, tp)
    crash = {"armed": True}

    def factory(tp: TouchPoint, store: SecretStore) -> Connector | None:
        inner = connector_for(tp, store)
        return CrashingConnector(inner, "before-send", exit_process=False) if crash["armed"] else inner

    runner = runner_for(ws, clock, connector_factory=factory)
    with pytest.raises(SystemExit):
        runner.run_due()
    crash["armed"] = False
    assert runner.run_due().published == 1  # no send of its own can be in flight between runs
    assert states(runner, post.id) == ["claimed", "claimed", "sent"]


# --------------------------------------------------------------------------- child process


class CrashingConnector(Connector):
    """Wraps a real connector and dies around its send, like a killed process."""

    def __init__(self, inner: Connector | None, moment: str, *, exit_process: bool = True) -> None:
        assert inner is not None
        self.inner = inner
        self.moment = moment
        self.exit_process = exit_process
        self.kind = inner.kind  # type: ignore[misc]
        self.idempotent = inner.idempotent  # type: ignore[misc]

    def _die(self) -> None:
        if self.exit_process:
            os._exit(3)  # no cleanup at all, as after SIGKILL
        raise SystemExit(3)

    def send(self, post: ScheduledPost, tp: TouchPoint, *, idempotency_key: str) -> str:
        if self.moment == "before-send":
            self._die()
        ref = self.inner.send(post, tp, idempotency_key=idempotency_key)
        self._die()
        return ref


def child_main() -> None:
    """A runner in another process: ``race`` (wait for "go", run, print the report) or crash."""
    root, mode, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
    ws = Workspace.open(root)
    secrets = secrets_for(*ws.touchpoints.list())
    clock = FakeClock(now.astimezone(UTC))

    def factory(tp: TouchPoint, store: SecretStore) -> Connector | None:
        inner = connector_for(tp, store, clock=clock, sleep=SleepRecorder())
        return inner if mode == "race" else CrashingConnector(inner, mode)

    runner = PublishRunner(ws, secrets, clock=clock, connector_factory=factory)
    if mode == "race":
        print("ready", flush=True)
        sys.stdin.readline()
    report = runner.run_due()
    ws.close()
    print(json.dumps({"published": report.published, "skipped": report.skipped, "failed": report.failed}))
