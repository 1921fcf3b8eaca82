"""The ``curator`` command line: a thin front end over the core services."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from curator import (
    __version__,
    cli_brand,
    cli_desk,
    cli_editorial,
    cli_report,
    cli_schedule,
    cli_team,
    cli_touchpoints,
)
from curator.domain import Channel, Source
from curator.errors import CuratorError
from curator.paths import default_workspace_path
from curator.progress import Progress, ProgressState
from curator.settings import Settings
from curator.workspace import Workspace

if TYPE_CHECKING:
    from curator.ingest.service import IngestService

# Services are imported inside the commands that use them: a command pays only
# for what it needs (all of them together take seconds to import).


def resolve_workspace(explicit: str | None) -> Path:
    """The workspace to use: the one named, else the last one used, else the demo."""
    if explicit:
        return Path(explicit).expanduser()
    last = Settings().get("workspace.last")
    return Path(last) if last else default_workspace_path()


def _cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.path).expanduser()
    if args.demo:
        from curator.demo import ensure_demo_workspace

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
        from curator.demo import load_demo

        load_demo(ws)
        print(f"Demo content loaded into {ws.path}")
    return 0


class TextProgress:
    """A text progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise."""

    def __init__(self) -> None:
        self.progress = Progress(listener=self._draw)
        self._tty = sys.stderr.isatty()
        self._last_decile = -1

    def _draw(self, state: ProgressState) -> None:
        done, total = state.done, state.total or 0
        if self._tty:
            width = 30
            filled = int(width * done / total) if total else 0
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{total} {state.message[:40]:<40}")
            sys.stderr.flush()
        elif total:
            decile = done * 10 // total
            if decile != self._last_decile:
                self._last_decile = decile
                print(f"{state.message}: {done}/{total}", file=sys.stderr)

    def close(self) -> None:
        if self._tty:
            sys.stderr.write("\n")


def _ingest(ws: Workspace) -> IngestService:
    from curator.ingest.service import IngestService

    return IngestService(ws, contact=Settings().get("ingest.contact"))


def _find_source(ws: Workspace, ref: str) -> Source:
    matches = [s for s in ws.sources.list() if ref in (s.id, s.url) or s.id.startswith(ref) or s.title == ref]
    if len(matches) != 1:
        raise CuratorError(
            f"No source matches '{ref}'."
            if not matches
            else f"'{ref}' matches {len(matches)} sources; be more precise."
        )
    return matches[0]


def _cmd_sources_add(args: argparse.Namespace) -> int:
    with Workspace.open(resolve_workspace(args.workspace)) as ws:
        source = _ingest(ws).add_source(
            args.url,
            title=args.title or "",
            channel=Channel(args.channel) if args.channel else None,
            category=args.category or "",
            full_text=args.full_text,
            fetch_interval_minutes=args.interval,
        )
        print(f"Added '{source.title}' ({source.url}): {source.item_count} items.")
    return 0


def _cmd_sources_list(args: argparse.Namespace) -> int:
    with Workspace.open(resolve_workspace(args.workspace), read_only=True) as ws:
        sources = sorted(ws.sources.list(), key=lambda s: (s.category, s.title.lower()))
        if not sources:
            print("No sources yet. Add one with: curator sources add URL")
        for s in sources:
            mark = {"ok": " ", "new": "·", "warning": "!", "error": "✗"}[s.health]
            from curator.ingest.health import health_sentence

            health = health_sentence(s)
            print(f"{mark} {s.id[:8]}  {s.title[:40]:<40}  {s.channel:<9} {s.item_count:>6}  {health}")
    return 0


def _cmd_sources_remove(args: argparse.Namespace) -> int:
    with Workspace.open(resolve_workspace(args.workspace)) as ws:
        source = _find_source(ws, args.source)
        removed = _ingest(ws).remove_source(source.id, delete_items=not args.keep_items)
        print(f"Removed '{source.title}' and {removed} of its items.")
    return 0


def _cmd_import_opml(args: argparse.Namespace) -> int:
    data = Path(args.file).read_bytes()
    with Workspace.open(resolve_workspace(args.workspace)) as ws:
        added, skipped = _ingest(ws).import_opml(data)
        print(f"Imported {len(added)} sources from {args.file}; {skipped} were already there.")
    return 0


def _cmd_export_opml(args: argparse.Namespace) -> int:
    with Workspace.open(resolve_workspace(args.workspace), read_only=True) as ws:
        data = _ingest(ws).export_opml()
    Path(args.file).write_bytes(data)
    print(f"Wrote {args.file}.")
    return 0


def _cmd_import_mentions(args: argparse.Namespace) -> int:
    path = Path(args.file)
    data = path.read_bytes()
    from curator.ingest.mentions import guess_mapping, parse_mapping_arg, preview, read_table

    table = read_table(data, path.name)
    mapping = parse_mapping_arg(args.map) if args.map else guess_mapping(table.columns)
    if args.preview:
        shown = preview(data, path.name, mapping, limit=10)
        print(f"{shown.total_rows} rows; columns: {', '.join(shown.columns)}")
        print(f"mapping: {mapping}")
        for item in shown.rows:
            print(f"  {item.channel:<9} {item.author[:20]:<20} {item.text[:60]!r}")
        for error in shown.errors:
            print(f"  line {error.line}: {error.message}")
        return 1 if shown.errors else 0
    with Workspace.open(resolve_workspace(args.workspace)) as ws:
        source, new = _ingest(ws).import_mentions(
            data, path.name, mapping, title=args.title or "", channel=Channel(args.channel)
        )
        print(f"Imported {new} new mentions into '{source.title}'.")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    with Workspace.open(resolve_workspace(args.workspace)) as ws:
        ids = [_find_source(ws, ref).id for ref in args.sources] if args.sources else None
        bar = TextProgress()
        try:
            summary = _ingest(ws).fetch(ids, due_only=not args.all and not ids, progress=bar.progress)
        finally:
            bar.close()
        for report in summary.errors:
            print(f"✗ {report.title}: {report.error}", file=sys.stderr)
        print(summary.sentence())
    return 0


def _cmd_analyse(args: argparse.Namespace) -> int:
    from curator.issues.service import AnalysisService

    with Workspace.open(resolve_workspace(args.workspace)) as ws:
        bar = TextProgress()
        try:
            summary = AnalysisService(ws, model=args.model).analyse(progress=bar.progress)
        finally:
            bar.close()
        print(summary.sentence())
    return 0


def _cmd_issues(args: argparse.Namespace) -> int:
    from curator.issues.service import AnalysisService

    with Workspace.open(resolve_workspace(args.workspace), read_only=True) as ws:
        service = AnalysisService(ws)
        if args.hot:
            issues = service.hot(limit=args.limit)
        else:
            issues = sorted(
                (i for i in ws.issues.list() if i.merged_into is None and i.item_count > 0),
                key=lambda i: (-i.item_count, i.label),
            )[: args.limit]
        if args.json:
            rows = [
                {
                    "id": i.id,
                    "label": i.label,
                    "items": i.item_count,
                    "hot_score": round(i.hot_score, 3),
                    "why": i.hot_reason,
                    "negative_share": round(i.negative_share, 3),
                    "keyphrases": i.keyphrases,
                    "pinned": i.pinned,
                    "muted": i.muted,
                }
                for i in issues
            ]
            sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        if not issues:
            print("No issues yet. Fetch sources, then run: curator analyse")
        for i in issues:
            flag = "📌" if i.pinned else ("·" if i.muted else " ")
            neg = f"{i.negative_share:4.0%} negative"
            print(f"{flag} {i.hot_score:6.2f}  {i.item_count:>5}  {i.label[:60]:<60}  {neg}")
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
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="MEMBER",
        help="act as another member (name, login or e-mail), where the workspace allows it",
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

    sources = sub.add_parser("sources", help="list, add, remove, import or export sources")
    ssub = sources.add_subparsers(dest="sources_command", required=True, metavar="ACTION")
    add = ssub.add_parser("add", help="add a feed (or a web page that links to one)")
    add.add_argument("url")
    add.add_argument("--title")
    add.add_argument("--channel", choices=[c.value for c in Channel], help="the channel customers use there")
    add.add_argument("--category", help="folder, e.g. Press or Reviews")
    add.add_argument("--full-text", action="store_true", help="fetch each article's full text")
    add.add_argument(
        "--interval",
        type=int,
        help="minutes between fetches (default: the ingest.default_interval_minutes setting, 60)",
    )
    add.set_defaults(func=_cmd_sources_add)
    lst = ssub.add_parser("list", help="list sources with their health")
    lst.set_defaults(func=_cmd_sources_list)
    rm = ssub.add_parser("remove", help="remove a source and its items")
    rm.add_argument("source", help="id (or its start), URL or title")
    rm.add_argument("--keep-items", action="store_true")
    rm.set_defaults(func=_cmd_sources_remove)
    imp = ssub.add_parser("import-opml", help="add the feeds of an OPML file")
    imp.add_argument("file")
    imp.set_defaults(func=_cmd_import_opml)
    exp = ssub.add_parser("export-opml", help="write the feeds to an OPML file")
    exp.add_argument("file")
    exp.set_defaults(func=_cmd_export_opml)

    mentions = sub.add_parser("import-mentions", help="import a CSV or JSON export of social mentions")
    mentions.add_argument("file")
    mentions.add_argument("--map", help="columns, e.g. text=Message,author=User,time=Date,channel=Network")
    mentions.add_argument("--title", help="source name (default: 'Mentions: FILE')")
    mentions.add_argument(
        "--channel",
        default="other",
        choices=[c.value for c in Channel],
        help="channel for rows that name none",
    )
    mentions.add_argument(
        "--preview", action="store_true", help="show what would be imported, import nothing"
    )
    mentions.set_defaults(func=_cmd_import_mentions)

    fetch = sub.add_parser("fetch", help="fetch due sources (or all, or the ones named)")
    fetch.add_argument("sources", nargs="*", metavar="SOURCE", help="id, URL or title")
    fetch.add_argument("--all", action="store_true", help="every enabled source, due or not")
    fetch.set_defaults(func=_cmd_fetch)

    analyse = sub.add_parser("analyse", help="analyse new items and update the hot issues")
    analyse.add_argument(
        "--model",
        help="spaCy model name (default: the nlp.model setting, else en_core_web_sm, else the bundled one)",
    )
    analyse.set_defaults(func=_cmd_analyse)

    issues = sub.add_parser("issues", help="list the issues (by size, or --hot by hot score)")
    issues.add_argument("--hot", action="store_true", help="hottest first: pinned, then by hot score")
    issues.add_argument("--json", action="store_true", help="print JSON")
    issues.add_argument("--limit", type=int, default=20)
    issues.set_defaults(func=_cmd_issues)

    cli_editorial.register(sub)
    cli_schedule.register(sub)
    cli_touchpoints.register(sub)
    cli_team.register(sub)
    cli_desk.register(sub)
    cli_brand.register(sub)
    cli_report.register(sub)

    demo = sub.add_parser("load-demo", help="load the demo content into the workspace")
    demo.add_argument("--force", action="store_true", help="even if the workspace already holds items")
    demo.set_defaults(func=_cmd_demo_reset)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    # In a frozen build, spawned worker processes start this executable again:
    # they must become workers here instead of running the command twice.
    multiprocessing.freeze_support()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except CuratorError as exc:
        print(f"curator: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (head, less) went away: nothing more to say, and no traceback.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("curator: interrupted; everything committed so far is saved.", file=sys.stderr)
        return 130
