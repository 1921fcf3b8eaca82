"""``curator touchpoints ...``: where the brand publishes, its limits, slots and connector."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from curator.cli_editorial import acting_user
from curator.cli_schedule import find_touchpoint
from curator.domain import ConnectorKind, LinkPolicy, TouchPointKind
from curator.errors import InvalidTransition
from curator.touchpoint_admin import TouchPointAdmin, describe_slots
from curator.workspace import Workspace


def _workspace(args: argparse.Namespace, *, read_only: bool = False) -> Workspace:
    from curator.cli import resolve_workspace

    return Workspace.open(resolve_workspace(args.workspace), read_only=read_only)


def _cmd_list(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        from curator.editorial.touchpoints import effective_rules

        tps = sorted(ws.touchpoints.list(), key=lambda tp: tp.name.casefold())
        if not tps:
            print("No touch points. Add one: curator touchpoints add NAME --kind x --timezone Europe/Berlin")
        for tp in tps:
            rules = effective_rules(tp)
            limit = f"{rules.max_length} ({rules.counting})" if rules.max_length else "no limit"
            options = ", ".join(f"{k}={v}" for k, v in sorted(tp.connector.options.items()))
            print(f"{tp.name}  [{tp.kind.value}, {tp.timezone}]  id {tp.id}")
            print(f"    length {limit}; hashtags {rules.hashtag_limit}; links {rules.link_policy.value}")
            print(f"    slots: {describe_slots(tp.slots) or 'none'}; gap {tp.min_gap_minutes} min", end="")
            hours = f"{tp.allowed_from or '00:00'}-{tp.allowed_until or '24:00'}"
            print(f"; hours {hours if tp.allowed_from or tp.allowed_until else 'any'}")
            print(f"    connector: {tp.connector.kind.value}{' (' + options + ')' if options else ''}")
    return 0


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in (
        "timezone",
        "max_length",
        "hashtag_limit",
        "min_gap_minutes",
        "allowed_from",
        "allowed_until",
    ):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    if args.name_new:
        fields["name"] = args.name_new
    if args.link_policy:
        fields["link_policy"] = LinkPolicy(args.link_policy)
    if args.slots is not None:
        fields["slots"] = args.slots
    if args.connector or args.option:
        options = {}
        for pair in args.option or []:
            key, sep, value = pair.partition("=")
            if not sep:
                raise InvalidTransition(f"--option takes KEY=VALUE, got {pair!r}.")
            options[key.strip()] = value.strip()
        fields["connector"] = {"kind": args.connector or "none", "options": options}
    return fields


def _cmd_add(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        admin = TouchPointAdmin(ws)
        tp = admin.add(acting_user(ws, args), args.name, TouchPointKind(args.kind), args.timezone or "UTC")
        fields = _fields(args)
        fields.pop("timezone", None)
        if fields:
            tp = admin.update(acting_user(ws, args), tp.id, **fields)
        print(f"Added touch point “{tp.name}” ({tp.kind.value}, {tp.timezone}), id {tp.id}")
    return 0


def _cmd_set(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        tp = find_touchpoint(ws, args.touchpoint)
        fields = _fields(args)
        if args.connector is None and args.option:
            fields["connector"]["kind"] = tp.connector.kind.value
            fields["connector"]["options"] = {**tp.connector.options, **fields["connector"]["options"]}
        if not fields:
            raise InvalidTransition("Nothing to change: give at least one option (see --help).")
        tp = TouchPointAdmin(ws).update(acting_user(ws, args), tp.id, **fields)
        print(f"Saved “{tp.name}”.")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        tp = find_touchpoint(ws, args.touchpoint)
        TouchPointAdmin(ws).remove(acting_user(ws, args), tp.id)
        print(f"Removed “{tp.name}”.")
    return 0


def _cmd_secret(args: argparse.Namespace) -> int:
    from curator.domain import Role
    from curator.identity import require
    from curator.publish.secrets import SecretStore, secrets_needed

    with _workspace(args, read_only=True) as ws:
        tp = find_touchpoint(ws, args.touchpoint)
        require(acting_user(ws, args), Role.ADMIN, "set connector secrets")
        needed = secrets_needed(tp)
        if not needed:
            print(f"“{tp.name}” ({tp.connector.kind.value}) needs no secret.")
            return 0
        store = SecretStore()
        for name in needed:
            value = (
                getpass.getpass(f"{name.replace('_', ' ')} for {tp.name}: ")
                if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n")
            )
            store.set(tp.id, name, value)
            print(f"Saved the {name.replace('_', ' ')} of “{tp.name}” in the system keyring.")
    return 0


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin")
    parser.add_argument(
        "--max-length", dest="max_length", type=int, help="characters, counted by the platform's rule"
    )
    parser.add_argument("--hashtag-limit", dest="hashtag_limit", type=int)
    parser.add_argument("--link-policy", dest="link_policy", choices=[p.value for p in LinkPolicy])
    parser.add_argument("--slots", help='posting slots, e.g. "mon-fri 09:00,17:30; sat 10:00" ("" for none)')
    parser.add_argument("--min-gap", dest="min_gap_minutes", type=int, help="minutes between two posts")
    parser.add_argument("--allowed-from", dest="allowed_from", help="HH:MM, local time")
    parser.add_argument("--allowed-until", dest="allowed_until", help="HH:MM, local time")
    parser.add_argument("--connector", choices=[k.value for k in ConnectorKind])
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="connector option (repeatable): folder=, url=, host=, port=, username=, from=, to=, "
        "site_url=, title=",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tps = sub.add_parser(
        "touchpoints", help="list, add, change or remove touch points; set connector secrets"
    )
    tsub = tps.add_subparsers(dest="touchpoints_command", required=True, metavar="ACTION")
    tsub.add_parser("list", help="touch points with their rules, slots and connector").set_defaults(
        func=_cmd_list
    )
    add = tsub.add_parser("add", help="a new touch point (admins)")
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=[k.value for k in TouchPointKind])
    add.add_argument("--name", dest="name_new", help=argparse.SUPPRESS)
    _options(add)
    add.set_defaults(func=_cmd_add)
    change = tsub.add_parser("set", help="change a touch point (admins)")
    change.add_argument("touchpoint", help="name, kind or id")
    change.add_argument("--name", dest="name_new", help="rename it")
    _options(change)
    change.set_defaults(func=_cmd_set)
    rm = tsub.add_parser("remove", help="remove a touch point without posts waiting (admins)")
    rm.add_argument("touchpoint")
    rm.set_defaults(func=_cmd_remove)
    secret = tsub.add_parser(
        "secret", help="store the connector's secret in the system keyring (asks for it)"
    )
    secret.add_argument("touchpoint")
    secret.set_defaults(func=_cmd_secret)
