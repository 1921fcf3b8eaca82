"""The team: who is a member of the workspace, with which roles, and the team-wide identity settings.

Only admins change the team, and the core checks it against the acting
person's record as stored now (not the copy a window holds, which may be
stale after another admin demoted them). Every change is one transaction
with its entry in the audit log (actions ``team:add``, ``team:edit``,
``team:roles``, ``team:remove``, ``team:config``), so who gave whom which
role can always be told.

Rules kept here, each with a sentence when broken:

* the workspace always keeps at least one admin: the last admin can be
  neither removed nor demoted (an admin may remove themselves while
  another admin remains);
* logins and e-mail addresses are unique, ignoring case (either names one
  member when acting as someone or resolving "who am I");
* every member holds at least one role. A role-less member could do
  nothing a guest cannot, since anyone who opens the workspace may read
  it; keeping them out avoids a list of "members" who are members in name
  only, and a member who should stop acting is removed instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from curator.domain import Role, User, utcnow
from curator.editorial.audit import AuditLog
from curator.errors import CuratorError, InvalidTransition, NotFound, PermissionDenied
from curator.identity import TeamConfig, is_guest, require
from curator.workspace import Workspace

#: Config key of the team settings (shared with :mod:`curator.identity`).
TEAM_KEY = "team"

# A shape check, not a validation: something@domain.tld, no spaces, one "@".
_EMAIL = re.compile(r"[^@\s]+@(?:[^@\s.]+\.)+[^@\s.]{2,}")


class InvalidMember(CuratorError):
    """A member's details cannot be saved as given (the sentence says which and why)."""


def role_list(roles: Iterable[Role | str]) -> list[Role]:
    """``roles`` as Role values, without repeats, in the order of :class:`Role`.

    Raises:
        InvalidMember: a name that is not a role.
    """
    wanted: set[Role] = set()
    for role in roles:
        try:
            wanted.add(Role(role))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidMember(f"{role!r} is not a role; the roles are {known}.") from None
    return [role for role in Role if role in wanted]


def roles_text(roles: Iterable[Role]) -> str:
    """Roles as one comma-separated line (``editor, agent``), ``no role`` when empty."""
    return ", ".join(role.value for role in roles) or "no role"


def skill_list(skills: Iterable[str]) -> list[str]:
    """Skills trimmed, blanks dropped, repeats (ignoring case) dropped, first spelling kept."""
    seen: set[str] = set()
    found: list[str] = []
    for skill in skills:
        text = " ".join(skill.split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            found.append(text)
    return found


def email_problem(email: str) -> str | None:
    """Why ``email`` is not shaped like an e-mail address, or None (empty is allowed: no address)."""
    if not email or _EMAIL.fullmatch(email):
        return None
    return f"{email!r} does not look like an e-mail address; write it as name@example.com, or leave it empty."


class TeamService:
    """Members and team settings of one workspace; every change checked, audited and atomic."""

    def __init__(self, ws: Workspace, clock: Callable[[], datetime] = utcnow) -> None:
        self.ws = ws
        self._clock = clock
        self.audit = AuditLog(ws.audit, ws.config, clock)

    # -- reading ----------------------------------------------------------

    def members(self) -> list[User]:
        """Every member, by name."""
        return sorted(self.ws.users.list(), key=lambda u: (u.name.casefold(), u.id))

    def get(self, member_id: str) -> User:
        """The member with ``member_id``.

        Raises:
            NotFound: no such member (any more).
        """
        member = self.ws.users.get(member_id)
        if member is None:
            raise NotFound("That person is not a member of this workspace (any more); reload the team list.")
        return member

    def config(self) -> TeamConfig:
        """The team settings (defaults until an admin saves them)."""
        return self.ws.config.get_or_default(TEAM_KEY, TeamConfig)

    # -- members ----------------------------------------------------------

    def add_member(
        self,
        who: User,
        name: str,
        *,
        login: str = "",
        email: str = "",
        roles: Iterable[Role | str],
        skills: Iterable[str] = (),
    ) -> User:
        """Add a member (admins only).

        Args:
            who: the person acting.
            name: the name the team sees.
            login: the operating-system account that is this person by
                default; empty for someone reached only by switching.
            email: their work address (optional).
            roles: at least one.
            skills: expert groups for routing (billing, product...).

        Raises:
            PermissionDenied: ``who`` is not an admin.
            InvalidMember: a detail breaks a rule (name, e-mail, login, roles).
        """
        with self.ws.transaction():
            actor = self._admin(who, "add members to the team")
            member = User(
                name=" ".join(name.split()),
                login=login.strip(),
                email=email.strip(),
                roles=role_list(roles),
                skills=skill_list(skills),
            )
            users = self.ws.users.list()
            self._check(member, users)
            self.ws.users.save(member)
            self.audit.append(
                user_id=actor.id,
                action="team:add",
                subject_id=member.id,
                to_status=",".join(r.value for r in member.roles),
                reason=f"Added {member.name} as {roles_text(member.roles)}.",
            )
        return member

    def update_member(
        self,
        who: User,
        member_id: str,
        *,
        name: str | None = None,
        login: str | None = None,
        email: str | None = None,
        roles: Iterable[Role | str] | None = None,
        skills: Iterable[str] | None = None,
    ) -> User:
        """Change a member's details; arguments left at None stay as they are (admins only).

        A change of roles is audited as ``team:roles`` (old and new roles in
        the entry's from/to fields), any other change as ``team:edit`` naming
        the fields changed (not their values: the log is exported and shared).
        Nothing is written when nothing changes.

        Raises:
            PermissionDenied: ``who`` is not an admin.
            NotFound: no such member.
            InvalidMember: a detail breaks a rule.
            InvalidTransition: the change would leave the workspace without an admin.
        """
        with self.ws.transaction():
            actor = self._admin(who, "change members of the team")
            new_roles = role_list(roles) if roles is not None else None
            new_skills = skill_list(skills) if skills is not None else None
            before = self.get(member_id)
            after = replace(
                before,
                name=" ".join(name.split()) if name is not None else before.name,
                login=login.strip() if login is not None else before.login,
                email=email.strip() if email is not None else before.email,
                roles=new_roles if new_roles is not None else list(before.roles),
                skills=new_skills if new_skills is not None else list(before.skills),
            )
            if after == before:
                return before
            users = self.ws.users.list()
            self._check(after, users)
            if Role.ADMIN in before.roles and Role.ADMIN not in after.roles:
                self._keep_an_admin(before, users, actor, removing=False)
            self.ws.users.save(after)
            changed = [
                label
                for label, field in (
                    ("name", "name"),
                    ("login", "login"),
                    ("e-mail", "email"),
                    ("skills", "skills"),
                )
                if getattr(before, field) != getattr(after, field)
            ]
            if changed:
                self.audit.append(
                    user_id=actor.id,
                    action="team:edit",
                    subject_id=member_id,
                    reason=f"Changed the {_and(changed)} of {after.name}.",
                )
            if before.roles != after.roles:
                self.audit.append(
                    user_id=actor.id,
                    action="team:roles",
                    subject_id=member_id,
                    from_status=",".join(r.value for r in before.roles),
                    to_status=",".join(r.value for r in after.roles),
                    reason=f"{after.name} is now {roles_text(after.roles)} (was {roles_text(before.roles)}).",
                )
        return after

    def remove_member(self, who: User, member_id: str) -> User:
        """Remove a member (admins only); returns them as they were.

        Records they wrote or were assigned keep their id; the member list
        no longer names them.

        Raises:
            PermissionDenied: ``who`` is not an admin.
            NotFound: no such member.
            InvalidTransition: they are the last admin.
        """
        with self.ws.transaction():
            actor = self._admin(who, "remove members from the team")
            member = self.get(member_id)
            if Role.ADMIN in member.roles:
                self._keep_an_admin(member, self.ws.users.list(), actor, removing=True)
            self.ws.users.remove(member_id)
            self.audit.append(
                user_id=actor.id,
                action="team:remove",
                subject_id=member_id,
                from_status=",".join(r.value for r in member.roles),
                reason=f"Removed {member.name} ({roles_text(member.roles)}).",
            )
        return member

    # -- settings ---------------------------------------------------------

    def set_team_config(self, who: User, config: TeamConfig) -> TeamConfig:
        """Save the team settings (admins only); returns them as saved.

        An empty ``unmask_roles`` is allowed: then nobody, admins included,
        sees personal data unmasked (a strict privacy setting, not a mistake).

        Raises:
            PermissionDenied: ``who`` is not an admin.
            InvalidMember: ``unmask_roles`` names something that is not a role.
        """
        with self.ws.transaction():
            actor = self._admin(who, "change the team settings")
            saved = TeamConfig(
                allow_user_switch=bool(config.allow_user_switch), unmask_roles=role_list(config.unmask_roles)
            )
            if self.config() == saved:
                return saved
            self.ws.config.put(TEAM_KEY, saved)
            switching = "allowed" if saved.allow_user_switch else "not allowed"
            seeing = roles_text(saved.unmask_roles) if saved.unmask_roles else "nobody"
            self.audit.append(
                user_id=actor.id,
                action="team:config",
                subject_id=TEAM_KEY,
                reason=f"Acting as another member {switching}; personal data shown to: {seeing}.",
            )
        return saved

    # -- rules ------------------------------------------------------------

    def _admin(self, who: User, doing: str) -> User:
        """The acting person as stored now, checked to be an admin (call inside the transaction)."""
        if not is_guest(who):
            stored = self.ws.users.get(who.id)
            if stored is None:
                raise PermissionDenied(
                    f"{who.name} is no longer a member of this workspace, so cannot {doing}. "
                    "Ask an admin to add you again in Settings › Team."
                )
            who = stored
        require(who, Role.ADMIN, doing)
        return who

    @staticmethod
    def _check(member: User, users: list[User]) -> None:
        """Raise InvalidMember unless ``member``'s details may be saved beside the other ``users``."""
        if not member.name:
            raise InvalidMember("A member needs a name: the one the team knows them by.")
        problem = email_problem(member.email)
        if problem:
            raise InvalidMember(problem)
        if not member.roles:
            raise InvalidMember(
                f"Give {member.name} at least one role. Anyone may read the workspace without being a "
                "member; to stop someone acting, remove them instead."
            )
        others = [u for u in users if u.id != member.id]
        for field, label in (("login", "login"), ("email", "e-mail address")):
            value: str = getattr(member, field)
            if not value:
                continue
            owner = next((u for u in others if getattr(u, field).casefold() == value.casefold()), None)
            if owner is not None:
                raise InvalidMember(
                    f"The {label} {value!r} already belongs to {owner.name}; each {label} names one member."
                )

    @staticmethod
    def _keep_an_admin(member: User, users: list[User], actor: User, *, removing: bool) -> None:
        """Raise InvalidTransition when ``member`` is the workspace's only admin.

        Only admins change the team, so the last admin is in practice the
        person acting: the sentence speaks to them.
        """
        if any(Role.ADMIN in u.roles for u in users if u.id != member.id):
            return
        you = member.id == actor.id
        subject = "You are" if you else f"{member.name} is"
        if removing:
            what = f"so {'you cannot remove yourself' if you else 'they cannot be removed'}"
        else:
            what = f"so {'you' if you else 'they'} cannot give up the admin role"
        raise InvalidTransition(
            f"{subject} the only admin of this workspace, {what}: make another member an admin first."
        )


def _and(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
