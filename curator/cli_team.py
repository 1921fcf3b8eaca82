"""``curator team ...`` and ``curator drafts steps``: members, roles and the approval steps."""

from __future__ import annotations

import argparse
from dataclasses import replace

from curator.cli_editorial import acting_user
from curator.domain import Role
from curator.editorial.workflow import ApprovalStep, EditorialConfig
from curator.errors import InvalidTransition, NotFound
from curator.identity import find_user
from curator.team import TeamService, role_list, roles_text, skill_list
from curator.workspace import Workspace


def _workspace(args: argparse.Namespace, *, read_only: bool = False) -> Workspace:
    from curator.cli import resolve_workspace

    return Workspace.open(resolve_workspace(args.workspace), read_only=read_only)


def _member_id(service: TeamService, ref: str) -> str:
    found = find_user(service.members(), ref)
    if found is None:
        raise NotFound(f"No single member matches {ref!r}; see: curator team list")
    return found.id


def _cmd_list(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        service = TeamService(ws)
        config = service.config()
        for user in service.members():
            skills = f"  skills: {', '.join(user.skills)}" if user.skills else ""
            print(
                f"{user.name:<24} {user.login or '-':<12} {user.email or '-':<32} "
                f"{roles_text(user.roles)}{skills}"
            )
        print(f"\nActing as another member: {'allowed' if config.allow_user_switch else 'not allowed'}")
        print(f"May see personal data: {roles_text(config.unmask_roles) or 'nobody'}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        user = TeamService(ws).add_member(
            acting_user(ws, args),
            args.name,
            login=args.login or "",
            email=args.email or "",
            roles=role_list(args.roles.split(",")),
            skills=skill_list((args.skills or "").split(",")),
        )
        print(f"Added {user.name} ({roles_text(user.roles)}).")
    return 0


def _cmd_set(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = TeamService(ws)
        user = service.update_member(
            acting_user(ws, args),
            _member_id(service, args.member),
            name=args.name,
            login=args.login,
            email=args.email,
            roles=role_list(args.roles.split(",")) if args.roles else None,
            skills=skill_list(args.skills.split(",")) if args.skills is not None else None,
        )
        print(f"Saved {user.name} ({roles_text(user.roles)}).")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = TeamService(ws)
        user = service.remove_member(acting_user(ws, args), _member_id(service, args.member))
        print(f"Removed {user.name}.")
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = TeamService(ws)
        config = service.config()
        if args.allow_switch is not None:
            config = replace(config, allow_user_switch=args.allow_switch == "yes")
        if args.unmask_roles is not None:
            config = replace(config, unmask_roles=role_list(filter(None, args.unmask_roles.split(","))))
        config = service.set_team_config(acting_user(ws, args), config)
        print(
            f"Acting as another member: {'allowed' if config.allow_user_switch else 'not allowed'}; "
            f"may see personal data: {roles_text(config.unmask_roles) or 'nobody'}."
        )
    return 0


def parse_step(text: str, ws: Workspace) -> ApprovalStep:
    """``NAME[:ROLE[:MEMBER,MEMBER]]``, e.g. ``Legal:approver:lena`` or ``Chief content officer``."""
    name, _, rest = text.partition(":")
    role_text, _, members_text = rest.partition(":")
    if not name.strip():
        raise InvalidTransition(f"An approval step needs a name: {text!r}.")
    try:
        role = Role(role_text.strip() or "approver")
    except ValueError:
        raise InvalidTransition(
            f"{role_text!r} is not a role; use one of {', '.join(r.value for r in Role)}."
        ) from None
    members = ws.users.list()
    ids = []
    for ref in filter(None, (m.strip() for m in members_text.split(","))):
        found = find_user(members, ref)
        if found is None:
            raise NotFound(f"No member matches {ref!r} in step {name!r}.")
        ids.append(found.id)
    return ApprovalStep(name.strip(), role, ids)


def _cmd_steps(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=not (args.set or args.self_approval)) as ws:
        from curator.editorial.service import EditorialService

        service = EditorialService(ws)
        config = service.config()
        if args.set or args.self_approval:
            steps = [parse_step(text, ws) for text in args.set] if args.set else config.approval_steps
            allow = config.allow_self_approval if args.self_approval is None else args.self_approval == "yes"
            config = EditorialConfig(
                approval_steps=steps, allow_self_approval=allow, waive_role=config.waive_role
            )
            service.save_config(acting_user(ws, args), config)
        names = {u.id: u.name for u in ws.users.list()}
        for n, step in enumerate(config.approval_steps, start=1):
            who = ", ".join(names.get(i, i) for i in step.user_ids) or f"any {step.role.value}"
            print(f"{n}. {step.name} ({who})")
        print(f"The author of a version may {'also' if config.allow_self_approval else 'not'} approve it.")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    team = sub.add_parser("team", help="members, their roles and skills (admins change them)")
    tsub = team.add_subparsers(dest="team_command", required=True, metavar="ACTION")
    tsub.add_parser("list", help="members and the team's settings").set_defaults(func=_cmd_list)
    roles = ", ".join(r.value for r in Role)
    add = tsub.add_parser("add", help="add a member")
    add.add_argument("name")
    add.add_argument("--roles", required=True, help=f"comma-separated: {roles}")
    add.add_argument("--login", help="their operating-system account (who they are by default)")
    add.add_argument("--email")
    add.add_argument("--skills", help="expert groups for routing, e.g. billing,technical")
    add.set_defaults(func=_cmd_add)
    change = tsub.add_parser("set", help="change a member")
    change.add_argument("member", help="name, login or e-mail")
    change.add_argument("--name")
    change.add_argument("--roles", help=f"comma-separated: {roles}")
    change.add_argument("--login")
    change.add_argument("--email")
    change.add_argument("--skills")
    change.set_defaults(func=_cmd_set)
    rm = tsub.add_parser("remove", help="remove a member (never the last admin)")
    rm.add_argument("member")
    rm.set_defaults(func=_cmd_remove)
    config = tsub.add_parser("config", help="who may act as whom, who may see personal data")
    config.add_argument("--allow-switch", choices=["yes", "no"])
    config.add_argument("--unmask-roles", help=f"comma-separated roles ('' for nobody): {roles}")
    config.set_defaults(func=_cmd_config)


def register_steps(drafts_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    steps = drafts_sub.add_parser("steps", help="show or set the approval steps (admins set them)")
    steps.add_argument(
        "--set",
        nargs="+",
        metavar="STEP",
        help='in order, each NAME[:ROLE[:MEMBER,...]], e.g. "Legal:approver:lena" "Chief content officer"',
    )
    steps.add_argument("--self-approval", choices=["yes", "no"], help="may a version's author approve it")
    steps.set_defaults(func=_cmd_steps)
