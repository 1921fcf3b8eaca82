"""Who am I: the person acting in a workspace, and whether they may switch.

By default the acting person is the workspace member whose ``login`` is the
operating-system account. A workspace may allow switching to another member
(a demo, a shared kiosk machine); the core, not only the UI, checks it. The
first person to open a workspace without members becomes its admin, so a new
workspace is never locked out.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from curator.domain import Role, User
from curator.errors import PermissionDenied
from curator.store.interfaces import ConfigRepositoryProtocol, Repository

GUEST_PREFIX = "guest:"


@dataclass
class TeamConfig:
    """Team-wide identity settings, shared in the workspace (config key ``team``)."""

    allow_user_switch: bool = False
    # Who may see customers' personal data unmasked (agents answer them).
    unmask_roles: list[Role] = field(default_factory=lambda: [Role.AGENT, Role.ADMIN])


def os_login() -> str:
    """The operating-system account name, or ``me`` where none can be read."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


def find_user(users: list[User], ref: str) -> User | None:
    """A member by id, login, e-mail or name (case-insensitive), or None."""
    wanted = ref.strip().casefold()
    for user in users:
        if wanted in (user.id.casefold(), user.login.casefold(), user.email.casefold()):
            return user
    matches = [u for u in users if u.name.casefold() == wanted or u.name.casefold().startswith(wanted)]
    return matches[0] if len(matches) == 1 else None


def guest(login: str) -> User:
    """A non-member: may read, may do nothing that needs a role."""
    return User(name=login, login=login, roles=[], id=GUEST_PREFIX + login)


def is_guest(user: User) -> bool:
    return user.id.startswith(GUEST_PREFIX)


def resolve_user(
    users: Repository[User],
    config: ConfigRepositoryProtocol,
    *,
    login: str | None = None,
    requested: str | None = None,
    display_name: str = "",
    read_only: bool = False,
) -> User:
    """The person acting, as the workspace sees them.

    Args:
        users: the workspace's members.
        config: the workspace config (for ``team.allow_user_switch``).
        login: the operating-system account (default: the current one).
        requested: a member to act as (id, login, e-mail or name).
        display_name: the name to give the first member of a new workspace.
        read_only: never create the first member (read-only workspaces).

    Raises:
        PermissionDenied: ``requested`` names someone else and the workspace
            does not allow switching, or names nobody.
    """
    login = login or os_login()
    members = users.list()
    if requested:
        found = find_user(members, requested)
        if found is None:
            names = ", ".join(sorted(u.name for u in members)) or "nobody yet"
            raise PermissionDenied(f"No member of this workspace is called {requested!r}. Members: {names}.")
        if found.login != login and not config.get_or_default("team", TeamConfig).allow_user_switch:
            raise PermissionDenied(
                f"This workspace does not allow acting as another member ({found.name}); "
                "an admin can allow it in Settings › Team."
            )
        return found
    for user in members:
        if user.login == login:
            return user
    if not members and not read_only:
        first = User(name=display_name or login, login=login, roles=[Role.ADMIN, Role.EDITOR])
        users.save(first)
        return first
    return guest(login)


def may_unmask(user: User, team: TeamConfig) -> bool:
    """Whether ``user`` may reveal personal data on screen (masked text is the default)."""
    return any(user.has_role(role) for role in team.unmask_roles)


def require(user: User, role: Role, doing: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``role`` (admins hold every role)."""
    if not user.has_role(role):
        if is_guest(user):
            raise PermissionDenied(
                f"You ({user.login}) are not a member of this workspace, so you cannot {doing}. "
                "Ask an admin to add you in Settings › Team."
            )
        raise PermissionDenied(
            f"{user.name} cannot {doing}: that needs the {role.value} role. "
            "An admin can grant it in Settings › Team."
        )
