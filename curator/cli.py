"""The ``curator`` command line: a thin front end over the core services."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from curator import __version__
from curator.demo import ensure_demo_workspace, load_demo
from curator.errors import CuratorError
from curator.paths import default_workspace_path
from curator.settings import Settings
from curator.workspace import Workspace


def resolve_workspace(explicit: str | None) -> Path:
    """The workspace to use: the one named, else the last one used, else the demo."""
    if explicit:
        return Path(explicit).expanduser()
    last = Settings().get("workspace.last")
    return Path(last) if last else default_workspace_path()


def _cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.path).expanduser()
    if args.demo:
        ensure_demo_workspace(path)
    else:
        Workspace.open(path, create=True, name=args.name).close()
    with Workspace.open(path, read_only=True) as ws:
        print(f"Workspace '{ws.name}' ready at {ws.path}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    path = resolve_workspace(args.workspace)
    with Workspace.open(path, read_only=args.read_only) as ws:
        counts = {
            "sources": ws.sources.count(),
            "items": ws.items.count(),
            "issues": ws.issues.count(),
            "drafts": ws.drafts.count(),
            "touchpoints": ws.touchpoints.count(),
            "users": ws.users.count(),
        }
        if args.json:
            info = {
                "name": ws.name,
                "path": str(ws.path),
                "schema": ws.meta["schema"],
                "read_only": ws.read_only,
                "counts": counts,
            }
            sys.stdout.write(orjson.dumps(info, option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        print(f"{ws.name}  ({ws.path}, schema {ws.meta['schema']})")
        if ws.read_only:
            print(f"read-only: {ws.read_only_reason}")
        for table, count in counts.items():
            print(f"  {table:<12} {count:>8}")
    return 0


def _cmd_demo_reset(args: argparse.Namespace) -> int:
    path = resolve_workspace(args.workspace)
    with Workspace.open(path, create=True) as ws:
        if ws.items.count() and not args.force:
            print(f"{ws.path} already holds data; add --force to load the demo content into it anyway.")
            return 1
        load_demo(ws)
        print(f"Demo content loaded into {ws.path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curator",
        description="Curator: listen, find hot issues, answer, draft, approve, schedule, publish.",
    )
    parser.add_argument("--version", action="version", version=f"curator {__version__}")
    parser.add_argument(
        "--workspace", metavar="PATH", help="workspace folder (default: the last one used, else the demo)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="create a workspace")
    init.add_argument("path", metavar="PATH", help="folder for the new workspace")
    init.add_argument("--name", help="workspace name (default: the folder's name)")
    init.add_argument("--demo", action="store_true", help="fill it with the demo content")
    init.set_defaults(func=_cmd_init)

    info = sub.add_parser("info", help="show a workspace's name, location and contents")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.add_argument("--read-only", action="store_true", help="open without taking write access")
    info.set_defaults(func=_cmd_info)

    demo = sub.add_parser("load-demo", help="load the demo content into the workspace")
    demo.add_argument("--force", action="store_true", help="even if the workspace already holds items")
    demo.set_defaults(func=_cmd_demo_reset)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except CuratorError as exc:
        print(f"curator: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("curator: interrupted; everything committed so far is saved.", file=sys.stderr)
        return 130
