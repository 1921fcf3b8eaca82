"""The editorial line: workflow, roles, versions, approvals bound to a version, audit chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from curator.domain import (
    DraftStatus,
    PostStatus,
    Role,
    ScheduledPost,
    TouchPoint,
    TouchPointKind,
    User,
)
from curator.editorial import workflow
from curator.editorial.brand import BannedTerm, BrandGuide
from curator.editorial.service import EditorialService
from curator.editorial.workflow import ApprovalStep, EditorialConfig
from curator.errors import InvalidTransition, PermissionDenied
from curator.identity import TeamConfig, resolve_user
from curator.workspace import Workspace


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def ws(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        yield ws


@pytest.fixture
def team(ws: Workspace) -> dict[str, User]:
    people = {
        "maya": User("Maya", roles=[Role.EDITOR], login="maya"),
        "ed2": User("Eddie", roles=[Role.EDITOR], login="eddie"),
        "henrike": User("Henrike", roles=[Role.APPROVER], login="henrike"),
        "legal": User("Lena Legal", roles=[Role.APPROVER], login="lena"),
        "tom": User("Tom", roles=[Role.SCHEDULER], login="tom"),
        "admin": User("Ada", roles=[Role.ADMIN], login="ada"),
    }
    ws.users.save_many(people.values())
    ws.touchpoints.save_many(
        [
            TouchPoint("X", TouchPointKind.X, "Europe/Berlin", id="tp-x"),
            TouchPoint("Blog", TouchPointKind.BLOG, "Europe/Berlin", id="tp-blog"),
        ]
    )
    # No spelling noise in workflow tests: the brand guide's own tests cover it.
    ws.config.put("brand", BrandGuide(spelling=False, min_reading_ease=None))
    return people


@pytest.fixture
def svc(ws: Workspace, team: dict[str, User]) -> EditorialService:
    return EditorialService(ws, clock=Clock())


def test_draft_walks_the_line_with_roles_enforced(svc: EditorialService, team: dict[str, User]) -> None:
    d = svc.create(
        team["maya"], "Cups", "We switch to **compostable** cups.", touchpoint_ids=["tp-x", "tp-blog"]
    )
    assert (d.status, d.version) == (DraftStatus.DRAFT, 1)
    assert set(d.variants) == {"tp-x", "tp-blog"}
    assert "**" not in d.variants["tp-x"].text  # X gets plain text
    with pytest.raises(PermissionDenied, match="editor role"):
        svc.submit(team["tom"], d.id)
    with pytest.raises(InvalidTransition, match="cannot be sent to 'approve'"):
        svc.approve(team["henrike"], d.id)
    d = svc.submit(team["maya"], d.id)
    assert d.status is DraftStatus.IN_REVIEW
    with pytest.raises(PermissionDenied, match="approver role"):
        svc.approve(team["tom"], d.id)
    with pytest.raises(InvalidTransition, match="needs a reason"):
        svc.request_changes(team["henrike"], d.id, "  ")
    d = svc.request_changes(team["henrike"], d.id, "Say when it starts.")
    assert d.status is DraftStatus.CHANGES_REQUESTED
    d = svc.save(team["maya"], d.id, body="From 1 March we switch to compostable cups.")
    assert (d.status, d.version) == (DraftStatus.CHANGES_REQUESTED, 2)
    d = svc.submit(team["maya"], d.id)
    d = svc.approve(team["henrike"], d.id)
    assert d.status is DraftStatus.APPROVED
    assert [a.version_hash for a in d.approvals] == [d.content_hash]
    actions = [e.action for e in svc.audit.entries(d.id)]
    assert actions == ["create", "submit", "request_changes", "submit", "approve:Chief content officer"]
    assert svc.audit.verify() == []


def test_an_edit_after_approval_goes_back_to_review_and_off_the_calendar(
    svc: EditorialService, ws: Workspace, team: dict[str, User]
) -> None:
    d = svc.create(team["maya"], "Opening hours", "Open at 7 from Monday.", touchpoint_ids=["tp-x"])
    svc.submit(team["maya"], d.id)
    d = svc.approve(team["henrike"], d.id)
    approved_hash = d.content_hash
    post = ScheduledPost(
        d.id,
        "tp-x",
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        version_hash=approved_hash,
        status=PostStatus.SCHEDULED,
    )
    ws.posts.save(post)
    svc.transition(team["tom"], d.id, "schedule")
    # Metadata is not content: no new version, still scheduled.
    d = svc.update_details(team["maya"], d.id, tags=["hours"])
    assert (d.status, d.version) == (DraftStatus.SCHEDULED, 2 - 1)
    # Saving the same words changes nothing.
    assert svc.save(team["maya"], d.id, body="Open at 7 from Monday.").version == 1
    d = svc.save(team["maya"], d.id, body="Open at 6:30 from Monday.")
    assert d.status is DraftStatus.IN_REVIEW
    assert d.content_hash != approved_hash
    assert svc.valid_approvals(d) == []
    stored = ws.posts.get(post.id)
    assert stored is not None and stored.status is PostStatus.CANCELLED and stored.sequence == 1
    last = svc.audit.entries(d.id)[-1]
    assert (last.action, last.from_status, last.to_status) == (
        "edit_after_approval",
        "scheduled",
        "in_review",
    )


def test_approval_steps_run_in_order_and_four_eyes_hold(
    svc: EditorialService, ws: Workspace, team: dict[str, User]
) -> None:
    steps = [ApprovalStep("Legal", Role.APPROVER, [team["legal"].id]), ApprovalStep("CCO", Role.APPROVER)]
    with pytest.raises(PermissionDenied):
        svc.save_config(team["henrike"], EditorialConfig(approval_steps=steps))
    svc.save_config(team["admin"], EditorialConfig(approval_steps=steps))
    d = svc.create(team["maya"], "Price change", "Prices rise by 10 cents.", touchpoint_ids=["tp-blog"])
    svc.submit(team["maya"], d.id)
    with pytest.raises(PermissionDenied, match="'Legal'"):
        svc.approve(team["henrike"], d.id)
    d = svc.approve(team["legal"], d.id)
    assert d.status is DraftStatus.IN_REVIEW
    assert [s.name for s in svc.pending_steps(d)] == ["CCO"]
    d = svc.approve(team["henrike"], d.id)
    assert d.status is DraftStatus.APPROVED
    # An admin who edited the draft may not approve it, even holding every role.
    d2 = svc.create(team["admin"], "Admin's post", "Hello.", touchpoint_ids=["tp-x"])
    svc.submit(team["admin"], d2.id)
    with pytest.raises(PermissionDenied, match="four eyes"):
        svc.approve(team["admin"], d2.id)


def test_brand_findings_block_approval_until_fixed_or_waived(
    svc: EditorialService, ws: Workspace, team: dict[str, User]
) -> None:
    ws.config.put(
        "brand",
        BrandGuide(banned_terms=[BannedTerm("cheap", "affordable")], spelling=False, min_reading_ease=None),
    )
    d = svc.create(team["maya"], "Deals", "Our coffee is cheap this week.", touchpoint_ids=["tp-blog"])
    svc.submit(team["maya"], d.id)
    with pytest.raises(InvalidTransition, match="brand-check finding"):
        svc.approve(team["henrike"], d.id)
    blocking = svc.blocking_findings(svc.get(d.id))
    assert blocking and blocking[0].rule == "banned_term"
    with pytest.raises(PermissionDenied):
        svc.waive(team["maya"], d.id, blocking[0].key, "it is a quote")
    with pytest.raises(InvalidTransition, match="needs a reason"):
        svc.waive(team["henrike"], d.id, blocking[0].key, "")
    svc.waive(team["henrike"], d.id, blocking[0].key, "Quoting a customer review")
    d = svc.approve(team["henrike"], d.id)
    assert d.status is DraftStatus.APPROVED
    assert any(e.action == "waive" and "Quoting" in e.reason for e in svc.audit.entries(d.id))


def test_versions_diff_and_restore(svc: EditorialService, team: dict[str, User]) -> None:
    d = svc.create(team["maya"], "Beans", "Line one.\nLine two.", touchpoint_ids=["tp-x"])
    d = svc.save(team["maya"], d.id, body="Line one.\nLine 2, better.", note="tighter")
    d = svc.save(team["maya"], d.id, variants={"tp-x": "Handwritten for X"})
    assert d.variants["tp-x"].edited and d.version == 3
    # An edited variant no longer follows the body; a reset one does again.
    d = svc.save(team["maya"], d.id, body="Line one.\nLine three.")
    assert d.variants["tp-x"].text == "Handwritten for X"
    d = svc.save(team["maya"], d.id, reset_variants=["tp-x"])
    assert "Line three" in d.variants["tp-x"].text
    versions = svc.versions(d.id)
    assert [v.number for v in versions] == [1, 2, 3, 4, 5]
    assert versions[1].note == "tighter"
    diff = svc.diff(d.id, 1, 2)
    assert "-Line two." in diff and "+Line 2, better." in diff and "== Body" in diff
    segments = svc.body_diff(d.id, 1, 2)
    assert ("delete", "two.") in [(s.op, s.text) for s in segments]
    d = svc.restore_version(team["maya"], d.id, 1)
    assert (d.version, d.body) == (6, "Line one.\nLine two.")
    assert svc.versions(d.id)[-1].note == "Restored version 1"
    assert d.content_hash == versions[0].content_hash


def test_a_stale_editor_cannot_overwrite_a_newer_version(
    svc: EditorialService, team: dict[str, User]
) -> None:
    d = svc.create(team["maya"], "Menu", "Winter menu.")
    svc.save(team["ed2"], d.id, body="Winter menu, with soup.", expected_version=1)
    with pytest.raises(InvalidTransition, match="Eddie saved version 2"):
        svc.save(team["maya"], d.id, body="Winter menu!", expected_version=1)
    assert svc.get(d.id).body == "Winter menu, with soup."


def test_comments_anchor_to_a_version_and_a_span(svc: EditorialService, team: dict[str, User]) -> None:
    d = svc.create(team["maya"], "Cups", "We switch to compostable cups in March.")
    c = svc.add_comment(team["henrike"], d.id, "Which date exactly?", 33, 38)
    assert (c.version, c.quote) == (1, "March")
    with pytest.raises(PermissionDenied):
        svc.add_comment(team["tom"], d.id, "hi")
    svc.resolve_comment(team["maya"], c.id)
    assert svc.comments(d.id)[0].resolved


def test_audit_log_detects_a_changed_or_removed_entry(
    ws: Workspace, svc: EditorialService, team: dict[str, User]
) -> None:
    d = svc.create(team["maya"], "Audit me", "Text.")
    svc.submit(team["maya"], d.id)
    svc.request_changes(team["henrike"], d.id, "Too short")
    assert svc.audit.verify() == []
    csv_text = svc.audit.export_csv()
    assert csv_text.splitlines()[0].startswith("seq,at,user_id,action")
    assert len(csv_text.splitlines()) == 4
    path = ws.path
    ws.close()
    # Tamper with the stored files the way someone editing JSON by hand would.
    with Workspace.open(path) as ws2:
        ws2.checkpoint()
    files = sorted(f for f in (path / "db" / "audit").glob("*.json") if f.name != "index.json")
    assert files, "audit entries are stored in their own partition files"
    doc = orjson.loads(files[0].read_bytes())
    table = doc["_default"]
    key = sorted(table)[1]
    table[key]["reason"] = "nothing to see"
    files[0].write_bytes(orjson.dumps(doc))
    with Workspace.open(path) as ws3:
        problems = EditorialService(ws3).audit.verify()
        assert any("entry 2" in p and "changed" in p for p in problems)
        table.pop(sorted(table)[-1])
    with Workspace.open(path) as ws4:
        ws4.checkpoint()
    files[0].write_bytes(orjson.dumps(doc))
    with Workspace.open(path) as ws5:
        problems = EditorialService(ws5).audit.verify()
        assert any("were removed" in p for p in problems)


def test_who_am_i(ws: Workspace) -> None:
    assert resolve_user(ws.users, ws.config, login="zoe", display_name="Zoé").name == "Zoé"
    first = ws.users.list()[0]
    assert first.has_role(Role.ADMIN) and first.login == "zoe"
    ws.users.save(User("Maya", roles=[Role.EDITOR], login="maya"))
    stranger = resolve_user(ws.users, ws.config, login="mallory")
    assert stranger.roles == [] and stranger.id.startswith("guest:")
    with pytest.raises(PermissionDenied, match="not a member"):
        workflow.check("submit", DraftStatus.DRAFT, stranger)
    with pytest.raises(PermissionDenied, match="does not allow acting as another member"):
        resolve_user(ws.users, ws.config, login="zoe", requested="maya")
    ws.config.put("team", TeamConfig(allow_user_switch=True))
    assert resolve_user(ws.users, ws.config, login="zoe", requested="Maya").login == "maya"
    with pytest.raises(PermissionDenied, match="No member"):
        resolve_user(ws.users, ws.config, login="zoe", requested="nobody")


def test_workflow_table_is_consistent() -> None:
    """Every state is reachable and every state but published and archived can move on."""
    reachable = {DraftStatus.DRAFT}
    frontier = [DraftStatus.DRAFT]
    while frontier:
        state = frontier.pop()
        targets = {a.target for a in workflow.ACTIONS.values() if state in a.sources}
        targets |= {workflow.EDITABLE[state]} if state in workflow.EDITABLE else set()
        for t in targets - reachable:
            reachable.add(t)
            frontier.append(t)
    assert reachable == set(DraftStatus)
