"""The clusterer state in the store: small documents, only what changed is written, ids stable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from curator.domain import Channel, Item, utcnow
from curator.issues.service import AnalysisService
from curator.issues.state import LEGACY_ID, STATE_TABLE, StateConflict, StateStore
from curator.store.engine import StoreEvent
from curator.workspace import Workspace

STORIES = {
    "refund": [
        "Still waiting for my refund, three weeks and the money never arrived",
        "Refund promised weeks ago, money still not back on my card",
        "Where is my refund? The money left my account weeks ago",
        "No refund yet, support keeps saying the money is on its way",
        "Refund still missing, the money should have been back last week",
        "Three weeks without my refund money, this is getting ridiculous",
    ],
    "login": [
        "Cannot log in, the password reset email never arrives",
        "Password reset link broken, I cannot log in to my account",
        "Locked out again, password reset does nothing",
        "Login fails after the password reset, account still locked",
    ],
    "latte": [
        "The oat latte was cold again and the barista ignored us",
        "Cold latte, slow barista, not coming back to this cafe",
        "Ordered an oat latte, got a cold one, barista shrugged",
        "Barista forgot the oat milk and the latte was cold",
    ],
}


def _items(story: str, numbers: range, now: datetime) -> list[Item]:
    return [
        Item(
            source_id="src",
            title="",
            text=STORIES[story][n],
            channel=Channel.X,
            published_at=now - timedelta(hours=1, minutes=n),
            id=f"{story}-{n}",
        )
        for n in numbers
    ]


class Writes:
    """Document ids written per table, from the store's change events."""

    def __init__(self, ws: Workspace) -> None:
        self.ids: dict[str, set[str]] = {}
        self._stop: Callable[[], None] = ws.subscribe(self._on)

    def _on(self, event: StoreEvent) -> None:
        self.ids.setdefault(event.table, set()).update(event.inserted | event.updated)

    def __call__(self, table: str) -> set[str]:
        return self.ids.get(table, set())

    def close(self) -> None:
        self._stop()


@pytest.fixture
def now() -> datetime:
    return utcnow()


@pytest.fixture
def root(tmp_path: Path, now: datetime) -> Iterator[Path]:
    path = tmp_path / "ws"
    with Workspace.open(path, create=True) as ws:
        ws.items.save_many(
            [
                *_items("refund", range(4), now),
                *_items("login", range(4), now),
                *_items("latte", range(4), now),
            ]
        )
        AnalysisService(ws).analyse(now=now)
    yield path


def _issue_of(ws: Workspace) -> dict[str, str | None]:
    return {item.id: item.issue_id for item in ws.items.list()}


def test_a_small_batch_rewrites_only_the_issue_it_touched(root: Path, now: datetime) -> None:
    with Workspace.open(root) as ws:
        before = _issue_of(ws)
        refund, login, latte = before["refund-0"], before["login-0"], before["latte-0"]
        assert None not in (refund, login, latte) and len({refund, login, latte}) == 3
        ws.items.save_many(_items("refund", range(4, 6), now))
        writes = Writes(ws)
        AnalysisService(ws).analyse(now=now)
        writes.close()
        after = _issue_of(ws)
        assert after["refund-4"] == after["refund-5"] == refund
        assert {k: v for k, v in after.items() if k in before} == before
        # The state: the header, the open chunk of items and the one issue that grew.
        assert writes(STATE_TABLE) == {"header", "items:000000", f"issue:{refund}"}
        # Items: only the two new ones (analysis, then their issue); issues: only the one that grew.
        assert writes("items") == {"refund-4", "refund-5"}
        assert writes("issues") == {refund}


def test_a_run_without_news_writes_nothing_and_ids_survive_reopening(root: Path, now: datetime) -> None:
    with Workspace.open(root) as ws:
        before = _issue_of(ws)
        labels = {i.id: i.label for i in ws.issues.list()}
    with Workspace.open(root) as ws:
        writes = Writes(ws)
        summary = AnalysisService(ws).analyse(now=now)
        writes.close()
        assert (summary.analysed, summary.clustered, summary.new_issues) == (0, 0, 0)
        assert writes.ids == {}
        assert _issue_of(ws) == before
        assert {i.id: i.label for i in ws.issues.list()} == labels
        state = StateStore(ws.store).load()
        assert state.clusterer.assignments() == {k: v for k, v in before.items()}


def test_editor_merge_writes_the_rules_and_both_issues_only(root: Path, now: datetime) -> None:
    with Workspace.open(root) as ws:
        before = _issue_of(ws)
        refund, login, latte = before["refund-0"], before["login-0"], before["latte-0"]
        assert refund is not None and login is not None and latte is not None
        writes = Writes(ws)
        survivor = AnalysisService(ws).merge(refund, login)
        writes.close()
        gone = login if survivor == refund else refund
        assert writes(STATE_TABLE) == {"header", "rules", f"issue:{survivor}", f"issue:{gone}"}
        assert f"issue:{latte}" not in writes(STATE_TABLE)
        moved = {k for k, v in before.items() if v == gone}
        assert writes("items") == moved
        assert ws.issues.get(gone).merged_into == survivor  # type: ignore[union-attr]
    with Workspace.open(root) as ws:
        state = StateStore(ws.store).load()
        assert state.clusterer.resolve(gone) == survivor
        assert all(state.clusterer.assignments()[k] == survivor for k in moved)


def test_the_old_single_document_state_is_migrated_once_keeping_issue_ids(root: Path, now: datetime) -> None:
    with Workspace.open(root) as ws:
        before = _issue_of(ws)
        hot = {i.id: (i.hot_score, i.label) for i in ws.issues.list()}
        legacy = StateStore(ws.store).load().clusterer.to_state()
        # Rewrite the table the way earlier versions left it: one document holding everything.
        with ws.transaction() as tx:
            for doc_id in ws.store.ids(STATE_TABLE):
                tx.delete(STATE_TABLE, doc_id)
            tx.put(STATE_TABLE, LEGACY_ID, {"state": legacy})
    with Workspace.open(root) as ws:
        AnalysisService(ws).analyse(now=now)
        assert LEGACY_ID not in ws.store.ids(STATE_TABLE)
        assert {"header", "rules", "items:000000"} <= ws.store.ids(STATE_TABLE)
        assert _issue_of(ws) == before
        assert {i.id: (i.hot_score, i.label) for i in ws.issues.list()} == hot
        writes = Writes(ws)
        AnalysisService(ws).analyse(now=now)
        writes.close()
        assert writes(STATE_TABLE) == set()  # migrated once


def test_item_chunks_stay_bounded(tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    import curator.issues.state as state_mod

    monkeypatch.setattr(state_mod, "CHUNK_ITEMS", 3)
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ws.items.save_many(_items("refund", range(6), now))
        AnalysisService(ws).analyse(now=now)
        chunks = {i for i in ws.store.ids(STATE_TABLE) if i.startswith("items:")}
        assert chunks == {"items:000000", "items:000001"}
        ws.items.save_many(_items("login", range(2), now))
        writes = Writes(ws)
        AnalysisService(ws).analyse(now=now)
        writes.close()
        # Full chunks are never rewritten: the new items open the next one.
        assert {i for i in writes(STATE_TABLE) if i.startswith("items:")} == {"items:000002"}
        state = StateStore(ws.store).load()
        assert len(state.clusterer) == 8 and len(state.meta) == 8


def test_a_save_over_a_newer_state_is_refused(root: Path) -> None:
    with Workspace.open(root) as ws:
        first, second = StateStore(ws.store).load(), StateStore(ws.store).load()
        first.clusterer.cannot_link("refund-0", "refund-1")
        StateStore(ws.store).save(first)
        second.clusterer.must_link("login-0", "latte-0")
        with pytest.raises(StateConflict, match="another window"):
            StateStore(ws.store).save(second)
        assert ("refund-0", "refund-1") in {
            tuple(p) for p in StateStore(ws.store).load().clusterer.rules()["cannot_link"]
        }


def test_a_run_that_lost_a_race_is_redone_on_the_newer_state(
    root: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(root) as ws:
        before = _issue_of(ws)
        refund, login, latte = before["refund-0"], before["login-0"], before["latte-0"]
        assert refund is not None and login is not None and latte is not None
        window, other = AnalysisService(ws), AnalysisService(ws)
        window.analyse(now=now)  # both now hold the state in memory
        other.analyse(now=now)
        ws.items.save_many(_items("refund", range(4, 6), now))
        commit = window._commit
        raced: list[str] = []
        calls: list[int] = []

        def commit_after_the_other_window_merged(*args: object) -> None:
            calls.append(1)
            if not raced:
                raced.append(other.merge(login, latte))  # saved between our load and our save
            commit(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(window, "_commit", commit_after_the_other_window_merged)
        summary = window.analyse(now=now)
        after = _issue_of(ws)
        assert summary.clustered == 2 and len(calls) == 2  # refused once, redone once
        assert after["refund-4"] == after["refund-5"] == refund
        assert after["login-0"] == after["latte-0"] == raced[0]  # the other window's merge survived
        state = StateStore(ws.store).load()
        assert state.clusterer.assignments()["refund-4"] == refund
        assert state.clusterer.resolve(login) == state.clusterer.resolve(latte)
