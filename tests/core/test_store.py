"""The workspace store: round trips, events, recovery and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.domain import (
    Channel,
    Draft,
    DraftStatus,
    Issue,
    Item,
    Role,
    Source,
    SourceKind,
    TouchPoint,
    TouchPointKind,
    User,
)
from curator.errors import CorruptWorkspace, NotAWorkspace, SchemaTooNew, WorkspaceBusy, WorkspaceReadOnly
from curator.store import StoreEvent
from curator.store.journal import Journal
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _samples() -> dict[str, list[object]]:
    src = Source(
        title="Reviews",
        url="https://reviews.example.com/f.xml",
        kind=SourceKind.FEED,
        channel=Channel.REVIEW,
        category="Reviews",
        full_text=True,
        fetch_interval_minutes=15,
        site_url="https://reviews.example.com",
        created_at=T0,
    )
    item = Item(
        source_id=src.id,
        title="Login broken",
        text="Login fails with E-403 ✗ ünïcödé",
        url="https://x.example.com/1",
        html="<p>Login fails</p>",
        author="Annika",
        author_reach=1200,
        channel=Channel.X,
        published_at=T0,
        fetched_at=T0 + timedelta(minutes=3),
        guid="g1",
        language="en",
        issue_id="i1",
    )
    issue = Issue(label="App 5.2 login failures", keyphrases=["login", "E-403"], pinned=True, created_at=T0)
    tp = TouchPoint(
        name="X", kind=TouchPointKind.X, timezone="Europe/Berlin", max_length=280, hashtag_limit=2
    )
    user = User(name="Maya", email="maya@example.com", roles=[Role.EDITOR, Role.APPROVER])
    draft = Draft(
        title="We fixed login",
        body="# Sorry\n\nIt works again.",
        status=DraftStatus.IN_REVIEW,
        author_id=user.id,
        touchpoint_ids=[tp.id],
        source_item_ids=[item.id],
        issue_id=issue.id,
        tags=["app"],
        due_at=T0 + timedelta(days=1),
        created_at=T0,
        updated_at=T0,
    )
    return {
        "sources": [src],
        "items": [item],
        "issues": [issue],
        "touchpoints": [tp],
        "users": [user],
        "drafts": [draft],
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def test_every_aggregate_round_trips_through_disk(root: Path) -> None:
    samples = _samples()
    with Workspace.open(root, create=True) as ws:
        for table, objs in samples.items():
            getattr(ws, table).save_many(objs)
    with Workspace.open(root) as ws:
        for table, objs in samples.items():
            repo = getattr(ws, table)
            assert repo.count() == len(objs)
            for obj in objs:
                assert repo.get(obj.id) == obj
            assert repo.list() == objs


def test_commit_is_durable_without_checkpoint(root: Path) -> None:
    """A process that never closes (killed) still left its commits in the journal."""
    ws = Workspace.open(root, create=True)
    item = _samples()["items"][0]
    ws.items.save(item)
    assert (root / "db" / "journal.log").stat().st_size > 0
    assert not (root / "db" / "items").exists()  # nothing checkpointed yet
    with Workspace.open(root) as other:  # a second process would see the same files
        assert other.items.get(item.id) == item
    ws.close()


def test_events_report_inserts_updates_and_removals(root: Path) -> None:
    events: list[StoreEvent] = []
    with Workspace.open(root, create=True) as ws:
        ws.subscribe(events.append)
        a, b = Source(title="a", url="https://a.example.com"), Source(title="b", url="https://b.example.com")
        ws.sources.save_many([a, b])
        a.title = "a2"
        ws.sources.save(a)
        ws.sources.remove(b.id)
        ws.sources.remove("no-such-id")
    assert [(e.inserted, e.updated, e.removed) for e in events] == [
        (frozenset({a.id, b.id}), frozenset(), frozenset()),
        (frozenset(), frozenset({a.id}), frozenset()),
        (frozenset(), frozenset(), frozenset({b.id})),
    ]
    assert not any(e.external for e in events)


def test_other_process_writes_arrive_as_external_events(root: Path) -> None:
    with Workspace.open(root, create=True) as ws:
        events: list[StoreEvent] = []
        ws.subscribe(events.append)
        code = (
            "from curator.workspace import Workspace; from curator.domain import Source;"
            f"ws = Workspace.open({str(root)!r});"
            "ws.sources.save(Source(title='x', url='https://x', id='ext'))"
        )
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
        assert ws.refresh() is True
        assert ws.sources.get("ext") is not None
        # The writer exited without a checkpoint: its journal line arrives as an insert.
        assert [(e.table, e.inserted, e.external) for e in events] == [("sources", frozenset({"ext"}), True)]


def test_items_are_partitioned_by_month_and_capped(root: Path) -> None:
    with Workspace.open(root, create=True) as ws:
        ws.store._specs["items"] = type(ws.store._specs["items"])(
            "items", partitioned=True, max_partition_docs=10
        )
        ws.store._tables.clear()
        items = [
            Item(source_id="s", title=f"{i}", text="t", published_at=T0 - timedelta(days=40 * (i % 2)))
            for i in range(30)
        ]
        ws.items.save_many(items)
        parts = ws.store.partitions("items")
        assert parts == ["2026-11.001", "2026-11.000", "2026-10.001", "2026-10.000"]
        assert [len(ws.store.partition_docs("items", p)) for p in parts] == [5, 10, 5, 10]
        # recent() reads the newest month first
        recent = ws.items.recent(3)
        assert len(recent) == 3 and all(i.published_at == T0 for i in recent)


def test_recent_is_newest_first(root: Path) -> None:
    with Workspace.open(root, create=True) as ws:
        items = [
            Item(source_id="s", title=str(h), text="t", published_at=T0 - timedelta(hours=h))
            for h in range(50)
        ]
        ws.items.save_many(reversed(items))
        assert [i.title for i in ws.items.recent(5)] == ["0", "1", "2", "3", "4"]
        assert ws.items.count_by_source() == {"s": 50}


def test_torn_journal_tail_is_ignored_and_overwritten(root: Path) -> None:
    journal = root / "db" / "journal.log"
    dead = Workspace.open(root, create=True)
    dead.sources.save(Source(title="kept", url="https://k", id="kept"))  # committed, not checkpointed
    with open(journal, "ab") as f:
        f.write(b'deadbeef [["sources","main","torn",{"title":')  # then killed mid-line: no close
    with Workspace.open(root) as ws:  # the next process
        assert ws.sources.get("torn") is None and ws.sources.get("kept") is not None
        ws.sources.save(Source(title="second", url="https://s", id="second"))
        # The new line replaced the torn bytes instead of gluing onto them.
        read = Journal(journal).read_from(0)
        assert not read.torn and len(read.batches) == 2
    with Workspace.open(root) as ws:
        assert {s.id for s in ws.sources.list()} == {"kept", "second"}
    dead.close()


def test_damaged_partition_file_gives_an_actionable_error(root: Path) -> None:
    with Workspace.open(root, create=True) as ws:
        ws.sources.save(Source(title="a", url="https://a"))
    (root / "db" / "sources.json").write_bytes(b'{"_default": {"x": ')
    with (
        Workspace.open(root) as ws,
        pytest.raises(CorruptWorkspace, match=r"sources\.json is damaged.*Restore"),
    ):
        ws.sources.list()


def test_lost_index_is_rebuilt_from_partitions(root: Path) -> None:
    items = [Item(source_id="s", title=str(i), text="t", published_at=T0) for i in range(20)]
    with Workspace.open(root, create=True) as ws:
        ws.items.save_many(items)
    (root / "db" / "items" / "index.json").unlink()
    with Workspace.open(root) as ws:
        assert ws.items.count() == 20
        assert ws.items.get(items[7].id) == items[7]


def test_newer_schema_is_refused_with_a_clear_message(root: Path) -> None:
    Workspace.open(root, create=True).close()
    meta = orjson.loads((root / "workspace.json").read_bytes())
    (root / "workspace.json").write_bytes(orjson.dumps({**meta, "schema": 99}))
    with pytest.raises(SchemaTooNew, match=r"newer Curator.*Update Curator"):
        Workspace.open(root)


def test_missing_and_foreign_folders_are_not_workspaces(tmp_path: Path) -> None:
    with pytest.raises(NotAWorkspace, match="curator init"):
        Workspace.open(tmp_path / "nothing")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(NotAWorkspace, match="not a Curator workspace"):
        Workspace.open(tmp_path / "photos")


def test_read_only_open_refuses_writes_but_sees_data(root: Path) -> None:
    with Workspace.open(root, create=True) as ws:
        ws.sources.save(Source(title="a", url="https://a", id="a"))
    with Workspace.open(root, read_only=True) as ro:
        assert ro.read_only and ro.read_only_reason
        assert ro.sources.get("a") is not None
        with pytest.raises(WorkspaceReadOnly, match="read-only"):
            ro.sources.save(Source(title="b", url="https://b"))


def test_unwritable_folder_opens_read_only_with_reason(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace.open(root, create=True).close()
    # CI runs as root, who may write anywhere: simulate the permission answer.
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK)
    with Workspace.open(root) as ws:
        assert ws.read_only and "may not write" in (ws.read_only_reason or "")
        with pytest.raises(WorkspaceReadOnly):
            ws.sources.save(Source(title="b", url="https://b"))


def test_writer_blocked_by_a_hung_process_gets_who_and_since(root: Path) -> None:
    Workspace.open(root, create=True).close()
    code = (
        "import sys, time; from curator.workspace import Workspace;"
        f"ws = Workspace.open({str(root)!r});"
        "tx = ws.store.transaction(); tx.__enter__(); print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceBusy) as err, Workspace.open(root, lock_timeout=0.3) as ws:
            ws.sources.save(Source(title="a", url="https://a"))
        assert f"pid {holder.pid}" in str(err.value) and "since" in str(err.value)
    finally:
        holder.kill()
        holder.communicate()
    with Workspace.open(root) as ws:  # the kernel dropped the dead holder's lock: no stale lock
        ws.sources.save(Source(title="after", url="https://a"))


def test_transaction_is_all_or_nothing(root: Path) -> None:
    with Workspace.open(root, create=True) as ws:
        with pytest.raises(RuntimeError), ws.transaction():
            ws.sources.save(Source(title="a", url="https://a", id="a"))
            ws.items.save(Item(source_id="a", title="t", text="t", id="i"))
            raise RuntimeError("boom")
        assert ws.sources.get("a") is None and ws.items.get("i") is None
        with ws.transaction() as tx:
            ws.sources.save(Source(title="a", url="https://a", id="a"))
            assert tx.get("sources", "a") is not None  # reads its own writes


_ops = st.lists(
    st.tuples(
        st.sampled_from(["put", "put", "delete", "reopen", "checkpoint"]),
        st.integers(0, 15),
        st.integers(0, 3),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_ops)
def test_store_matches_a_dict_model(tmp_path: Path, ops: list[tuple[str, int, int]]) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path)) / "ws"  # Hypothesis replays examples: a fresh folder each
    model: dict[str, str] = {}
    ws = Workspace.open(root, create=True, checkpoint_bytes=2048, cache_partitions=1)
    try:
        ws.store._specs["items"] = type(ws.store._specs["items"])(
            "items", partitioned=True, max_partition_docs=3
        )
        for n, (op, key, month) in enumerate(ops):
            doc_id = f"k{key}"
            if op == "put":
                ws.items.save(
                    Item(
                        source_id="s",
                        title=f"{n}",
                        text="t",
                        id=doc_id,
                        published_at=T0.replace(month=month + 1),
                    )
                )
                model[doc_id] = f"{n}"
            elif op == "delete":
                ws.items.remove(doc_id)
                model.pop(doc_id, None)
            elif op == "reopen":
                ws.close()
                ws = Workspace.open(root, checkpoint_bytes=2048, cache_partitions=1)
                ws.store._specs["items"] = type(ws.store._specs["items"])(
                    "items", partitioned=True, max_partition_docs=3
                )
            else:
                ws.checkpoint()
            assert {i.id: i.title for i in ws.items.list()} == model
            assert ws.items.count() == len(model)
    finally:
        ws.close()
    with Workspace.open(root) as again:
        assert {i.id: i.title for i in again.items.list()} == model


def test_reads_inside_a_transaction_see_its_own_writes(tmp_path: Path) -> None:
    """A service reads what it wrote a moment ago (the audit log's head) before the commit."""
    from curator.domain import Source

    with Workspace.open(tmp_path / "ws", create=True) as ws:
        kept = Source("Kept", "https://kept.example/feed")
        gone = Source("Gone", "https://gone.example/feed")
        ws.sources.save_many([kept, gone])
        with ws.transaction():
            fresh = Source("Fresh", "https://fresh.example/feed")
            ws.sources.save(fresh)
            ws.sources.remove(gone.id)
            kept.title = "Kept, renamed"
            ws.sources.save(kept)
            assert ws.sources.get(fresh.id) is not None
            assert ws.sources.get(gone.id) is None
            assert ws.sources.ids() == {kept.id, fresh.id}
            assert ws.sources.count() == 2
            assert sorted(s.title for s in ws.sources.list()) == ["Fresh", "Kept, renamed"]
        assert sorted(s.title for s in ws.sources.list()) == ["Fresh", "Kept, renamed"]
        ws.config.put("x", Source("cfg", "https://c.example/"))
        with ws.transaction():
            ws.config.put("x", Source("cfg2", "https://c.example/"))
            found = ws.config.get("x", Source)
            assert found is not None and found.title == "cfg2"
