"""The team: only admins change it, an admin always remains, logins stay unique, every change is audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from curator.domain import Role, User
from curator.errors import InvalidTransition, NotFound, PermissionDenied, WorkspaceReadOnly
from curator.identity import TeamConfig, guest, may_unmask, resolve_user
from curator.team import InvalidMember, TeamService, email_problem, role_list, skill_list
from curator.workspace import Workspace


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        yield ws


@pytest.fixture
def admin(ws: Workspace) -> User:
    ada = User("Ada Admin", login="ada", email="ada@example.com", roles=[Role.ADMIN], id="ada")
    ws.users.save(ada)
    return ada


@pytest.fixture
def service(ws: Workspace, admin: User) -> TeamService:
    return TeamService(ws, clock=Clock())


def actions(service: TeamService) -> list[str]:
    return [entry.action for entry in service.audit.entries()]


# -- adding ----------------------------------------------------------------


def test_admin_adds_a_member_with_tidy_details_and_an_audit_entry(service: TeamService, admin: User) -> None:
    maya = service.add_member(
        admin,
        "  Maya   Okafor ",
        login=" maya ",
        email="maya@example.com",
        roles=["agent", Role.EDITOR, Role.AGENT],
        skills=["billing", " Billing", "", "delivery  times"],
    )

    stored = service.get(maya.id)
    assert stored == maya
    assert (maya.name, maya.login, maya.email) == ("Maya Okafor", "maya", "maya@example.com")
    assert maya.roles == [Role.EDITOR, Role.AGENT]  # no repeats, in Role order
    assert maya.skills == ["billing", "delivery times"]
    [entry] = service.audit.entries(maya.id)
    assert (entry.action, entry.user_id, entry.to_status) == ("team:add", admin.id, "editor,agent")
    assert entry.reason == "Added Maya Okafor as editor, agent."
    assert [m.name for m in service.members()] == ["Ada Admin", "Maya Okafor"]


@pytest.mark.parametrize("roles", [[Role.EDITOR], [Role.ADMIN]])
def test_only_admins_change_the_team(service: TeamService, admin: User, roles: list[Role]) -> None:
    editor = service.add_member(admin, "Eddie", login="eddie", roles=[Role.EDITOR, Role.APPROVER])
    acting = service.add_member(admin, "Someone", login="someone", roles=roles)
    if Role.ADMIN in roles:
        service.update_member(acting, editor.id, skills=["product"])
        return
    with pytest.raises(
        PermissionDenied, match="Someone cannot add members to the team: that needs the admin"
    ):
        service.add_member(acting, "Other", roles=[Role.EDITOR])
    with pytest.raises(PermissionDenied, match="cannot change members"):
        service.update_member(acting, editor.id, roles=[Role.ADMIN])
    with pytest.raises(PermissionDenied, match="cannot remove members"):
        service.remove_member(acting, editor.id)
    with pytest.raises(PermissionDenied, match="cannot change the team settings"):
        service.set_team_config(acting, TeamConfig(allow_user_switch=True))
    with pytest.raises(PermissionDenied, match="not a member of this workspace"):
        service.add_member(guest("stranger"), "Stranger", roles=[Role.ADMIN])
    assert len(service.members()) == 3
    assert actions(service) == ["team:add", "team:add"]


def test_the_stored_record_decides_not_a_stale_copy(service: TeamService, admin: User) -> None:
    """A window still holding an admin's old record cannot act once another admin demoted them."""
    bea = service.add_member(admin, "Bea", login="bea", roles=[Role.ADMIN])
    service.update_member(admin, bea.id, roles=[Role.EDITOR])
    with pytest.raises(PermissionDenied, match="Bea cannot add members"):
        service.add_member(bea, "Carl", roles=[Role.EDITOR])  # ``bea`` still lists admin
    service.remove_member(admin, bea.id)
    with pytest.raises(PermissionDenied, match="Bea is no longer a member"):
        service.add_member(bea, "Carl", roles=[Role.EDITOR])


def test_logins_and_addresses_are_unique_ignoring_case(service: TeamService, admin: User) -> None:
    maya = service.add_member(admin, "Maya", login="maya", email="maya@example.com", roles=[Role.EDITOR])
    with pytest.raises(InvalidMember, match="The login 'MAYA' already belongs to Maya; each login names one"):
        service.add_member(admin, "Other Maya", login="MAYA", roles=[Role.EDITOR])
    with pytest.raises(InvalidMember, match=r"e-mail address 'Maya@Example\.com' already belongs to Maya"):
        service.add_member(admin, "Other Maya", email="Maya@Example.com", roles=[Role.EDITOR])
    with pytest.raises(InvalidMember, match="login 'ADA' already belongs to Ada Admin"):
        service.update_member(admin, maya.id, login="ADA")
    # Empty logins name nobody, so several members may have none; a member keeps their own login.
    service.add_member(admin, "No Login 1", roles=[Role.AGENT])
    service.add_member(admin, "No Login 2", roles=[Role.AGENT])
    assert service.update_member(admin, maya.id, login="Maya").login == "Maya"


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"name": "   "}, "A member needs a name"),
        ({"email": "maya@"}, "'maya@' does not look like an e-mail address; write it as name@example.com"),
        ({"email": "maya at example.com"}, "does not look like an e-mail address"),
        ({"roles": []}, "Give Maya at least one role"),
        (
            {"roles": ["boss"]},
            "'boss' is not a role; the roles are editor, approver, scheduler, agent, admin",
        ),
    ],
)
def test_details_that_break_a_rule_are_refused_with_a_sentence(
    service: TeamService, admin: User, fields: dict[str, object], sentence: str
) -> None:
    arguments: dict[str, object] = {"name": "Maya", "roles": [Role.EDITOR], **fields}
    with pytest.raises(InvalidMember, match=sentence):
        service.add_member(admin, **arguments)  # type: ignore[arg-type]
    assert [m.name for m in service.members()] == ["Ada Admin"]
    assert actions(service) == []


def test_shape_helpers() -> None:
    assert email_problem("") is None
    assert email_problem("a.b+c@mail.example.co.uk") is None
    for bad in ("a@b", "a@@b.com", "@b.com", "a@.com", "a@b.c", "a b@c.com"):
        assert email_problem(bad), bad
    assert role_list(["admin", "editor", "admin"]) == [Role.EDITOR, Role.ADMIN]
    assert skill_list([" a ", "A", "b  c", ""]) == ["a", "b c"]


# -- updating and removing -------------------------------------------------


def test_a_change_of_roles_and_of_details_are_audited_apart(service: TeamService, admin: User) -> None:
    maya = service.add_member(admin, "Maya", login="maya", roles=[Role.EDITOR])

    changed = service.update_member(
        admin, maya.id, name="Maya Okafor", email="maya@example.com", roles=[Role.AGENT, Role.EDITOR]
    )

    assert service.get(maya.id) == changed
    assert changed.roles == [Role.EDITOR, Role.AGENT] and changed.login == "maya"
    _add, edit, roles = service.audit.entries(maya.id)
    assert (edit.action, edit.reason) == ("team:edit", "Changed the name and e-mail of Maya Okafor.")
    assert (roles.action, roles.from_status, roles.to_status) == ("team:roles", "editor", "editor,agent")
    assert "maya@example.com" not in edit.reason  # the log is shared: no personal data in it
    # Nothing changed, nothing written.
    assert service.update_member(admin, maya.id, name=" Maya  Okafor", roles=["agent", "editor"]) == changed
    assert len(service.audit.entries()) == 3


def test_the_last_admin_can_be_neither_demoted_nor_removed(service: TeamService, admin: User) -> None:
    maya = service.add_member(admin, "Maya", login="maya", roles=[Role.EDITOR])
    with pytest.raises(
        InvalidTransition, match="You are the only admin of this workspace, so you cannot remove"
    ):
        service.remove_member(admin, admin.id)
    with pytest.raises(
        InvalidTransition, match="so you cannot give up the admin role: make another member an"
    ):
        service.update_member(admin, admin.id, roles=[Role.EDITOR])
    assert service.get(admin.id).roles == [Role.ADMIN]

    # With a second admin, the first may step down, or leave; the second is then the last one.
    service.update_member(admin, maya.id, roles=[Role.EDITOR, Role.ADMIN])
    service.update_member(admin, admin.id, roles=[Role.EDITOR, Role.ADMIN, Role.APPROVER])  # still admin
    service.remove_member(admin, admin.id)
    maya = service.get(maya.id)
    with pytest.raises(InvalidTransition, match="You are the only admin"):
        service.update_member(maya, maya.id, roles=[Role.EDITOR])
    assert [m.name for m in service.members()] == ["Maya"]
    assert actions(service)[-1] == "team:remove"


def test_an_admin_may_leave_while_another_admin_remains(
    ws: Workspace, service: TeamService, admin: User
) -> None:
    bea = service.add_member(admin, "Bea", login="bea", roles=[Role.ADMIN])
    service.remove_member(bea, admin.id)  # Bea removes Ada: Bea remains
    with pytest.raises(
        InvalidTransition, match="You are the only admin of this workspace, so you cannot remove"
    ):
        service.remove_member(bea, bea.id)
    with pytest.raises(InvalidTransition, match="Bea is the only admin of this workspace, so they cannot be"):
        TeamService._keep_an_admin(bea, [bea], admin, removing=True)  # the sentence for someone else


def test_unknown_members_are_not_found(service: TeamService, admin: User) -> None:
    with pytest.raises(NotFound, match="not a member of this workspace"):
        service.update_member(admin, "nobody", name="X")
    with pytest.raises(NotFound):
        service.remove_member(admin, "nobody")


# -- settings --------------------------------------------------------------


def test_team_settings_are_saved_audited_and_decide_switching_and_unmasking(
    ws: Workspace, service: TeamService, admin: User
) -> None:
    maya = service.add_member(admin, "Maya", login="maya", roles=[Role.EDITOR])
    assert service.config() == TeamConfig()
    with pytest.raises(PermissionDenied, match="does not allow acting as another member"):
        resolve_user(ws.users, ws.config, login="ada", requested="maya")

    saved = service.set_team_config(
        admin, TeamConfig(allow_user_switch=True, unmask_roles=[Role.EDITOR, Role.EDITOR])
    )

    assert saved == TeamConfig(allow_user_switch=True, unmask_roles=[Role.EDITOR]) == service.config()
    assert resolve_user(ws.users, ws.config, login="ada", requested="maya") == maya
    assert may_unmask(maya, service.config())
    [entry] = service.audit.entries("team")
    assert (entry.action, entry.reason) == (
        "team:config",
        "Acting as another member allowed; personal data shown to: editor.",
    )
    # The same settings again write nothing; nobody at all may see personal data if asked.
    service.set_team_config(admin, saved)
    strict = service.set_team_config(admin, TeamConfig(unmask_roles=[]))
    assert not may_unmask(admin, strict)
    assert service.audit.entries("team")[-1].reason.endswith("personal data shown to: nobody.")
    assert len(service.audit.entries("team")) == 2


# -- audit -----------------------------------------------------------------


def test_every_change_is_one_audit_entry_and_the_chain_verifies(service: TeamService, admin: User) -> None:
    maya = service.add_member(admin, "Maya", login="maya", roles=[Role.EDITOR])
    service.update_member(admin, maya.id, roles=[Role.ADMIN])
    service.update_member(admin, maya.id, skills=["billing"])
    service.set_team_config(admin, TeamConfig(allow_user_switch=True))
    service.remove_member(admin, admin.id)

    assert actions(service) == ["team:add", "team:roles", "team:edit", "team:config", "team:remove"]
    assert {e.user_id for e in service.audit.entries()} == {admin.id}
    assert [e.seq for e in service.audit.entries()] == [1, 2, 3, 4, 5]
    assert service.audit.verify() == []


def test_a_refused_change_writes_nothing(service: TeamService, admin: User) -> None:
    with pytest.raises(InvalidTransition):
        service.remove_member(admin, admin.id)
    assert service.audit.entries() == []
    assert service.audit.verify() == []


def test_a_read_only_workspace_refuses_changes(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ro", create=True) as ws:
        ws.users.save(User("Ada", login="ada", roles=[Role.ADMIN], id="ada"))
    with Workspace.open(tmp_path / "ro", read_only=True) as ro:
        service = TeamService(ro)
        assert [m.name for m in service.members()] == ["Ada"]
        with pytest.raises(WorkspaceReadOnly):
            service.add_member(ro.users.list()[0], "Maya", roles=[Role.EDITOR])
