"""Hot issues end to end on the demo workspace: real spaCy, real clustering, a real store."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from curator.demo import ensure_demo_workspace
from curator.domain import Channel, Item, utcnow
from curator.issues.service import AnalysisService, IssueError
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("issues") / "demo"
    ensure_demo_workspace(root)
    with Workspace.open(root) as ws:
        summary = AnalysisService(ws).analyse()
        assert summary.analysed == ws.items.count()
    return root


def test_demo_stories_become_issues_and_the_outage_is_hottest(analysed: Path) -> None:
    with Workspace.open(analysed) as ws:
        service = AnalysisService(ws)
        hot = service.hot(limit=5)
        assert hot, "no issues found in the demo workspace"
        top = hot[0]
        # The app 5.2 outage is the demo's fresh burst (all within the last day).
        assert {"app", "update", "login", "order"} & set(top.label.replace(",", " ").split()), top.label
        assert top.item_count >= 10 and top.negative_share > 0.4
        assert "#" not in " ".join(top.keyphrases)
        items = ws.items.list()
        assert all(i.analysis and i.sentiment is not None for i in items)
        # Personal data is masked for shared screens, and the original kept.
        masked = [i for i in items if "jonas.weber@example.net" in i.text]
        assert masked and all("jonas.weber@example.net" not in i.masked_text for i in masked)
        assert all("[email]" in i.masked_text for i in masked)
        # Every clustered item names a live issue.
        live = {i.id for i in ws.issues.list() if i.merged_into is None}
        assert {i.issue_id for i in items if i.issue_id} <= live


def test_ids_stay_stable_and_decisions_survive_new_items(analysed: Path, tmp_path: Path) -> None:
    with Workspace.open(analysed) as ws:
        service = AnalysisService(ws)
        ranked = sorted(
            (i for i in ws.issues.list() if i.merged_into is None and i.item_count >= 3),
            key=lambda i: -i.item_count,
        )
        big, other = ranked[0], ranked[1]
        before = {i.id: i.issue_id for i in ws.items.list()}
        survivor = service.merge(big.id, other.id)
        assert survivor == big.id
        service.rename(big.id, "Outage and friends")
        with pytest.raises(IssueError, match="needs a label"):
            service.rename(big.id, "  ")
        moved = [i.id for i in ws.items.list() if i.issue_id == big.id][:2]
        split_id = service.split(big.id, moved)
        # New items arrive about the same outage: a new batch.
        source_id = ws.items.list()[0].source_id
        ws.items.save_many(
            Item(
                source_id=source_id,
                title="",
                text=f"The Northwind app update broke ordering again, login fails with E-403 ({n})",
                channel=Channel.X,
                published_at=utcnow() - timedelta(minutes=n),
            )
            for n in range(3)
        )
        service.analyse()
        issues = {i.id: i for i in ws.issues.list()}
        assert issues[other.id].merged_into == big.id  # the merge holds
        assert issues[big.id].label == "Outage and friends"  # the rename holds
        after = {i.id: i.issue_id for i in ws.items.list()}
        assert all(after[i] == split_id for i in moved)  # the split holds
        # Items not touched by an editor keep an issue id that still exists.
        assert all(after[i] in issues for i in before if after.get(i))


def test_cli_analyse_and_issues_json(analysed: Path) -> None:
    def curator(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "curator", "--workspace", str(analysed), *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    again = curator("analyse")
    assert again.returncode == 0, again.stderr
    assert "Analysed 0 items" in again.stdout  # nothing is analysed twice
    listed = curator("issues", "--hot", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = orjson.loads(listed.stdout)
    assert rows and {"id", "label", "items", "hot_score", "why"} <= set(rows[0])
    assert rows == sorted(rows, key=lambda r: (not r["pinned"], -r["hot_score"], r["label"]))
