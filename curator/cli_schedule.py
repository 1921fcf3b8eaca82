"""``curator schedule ...``, ``publish-due``, ``export-ics``, ``export-csv``: the calendar from a terminal.

``publish-due`` is meant for cron or a server: it publishes what is due once
and exits non-zero when a post failed, so the failure reaches whoever reads
cron's mail.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from curator.cli_editorial import acting_user, find_draft
from curator.domain import PostStatus, TouchPoint
from curator.errors import InvalidTransition, NotFound
from curator.workspace import Workspace

if TYPE_CHECKING:
    from curator.schedule.service import Scheduled, ScheduleService


def _service(ws: Workspace) -> ScheduleService:
    from curator.schedule.service import ScheduleService

    return ScheduleService(ws)


def _workspace(args: argparse.Namespace, *, read_only: bool = False) -> Workspace:
    from curator.cli import resolve_workspace

    return Workspace.open(resolve_workspace(args.workspace), read_only=read_only)


def find_touchpoint(ws: Workspace, ref: str) -> TouchPoint:
    """A touch point by id, name or kind (case-insensitive), when only one matches."""
    tps = ws.touchpoints.list()
    wanted = ref.casefold()
    for matcher in (
        lambda tp: tp.id == ref,
        lambda tp: tp.name.casefold() == wanted,
        lambda tp: tp.kind.value == wanted,
        lambda tp: wanted in tp.name.casefold(),
    ):
        found = [tp for tp in tps if matcher(tp)]
        if len(found) == 1:
            return found[0]
    names = ", ".join(tp.name for tp in tps) or "none yet"
    raise NotFound(f"No single touch point matches {ref!r}. Touch points: {names}.")


def parse_local_time(text: str, tp: TouchPoint) -> datetime:
    """``YYYY-MM-DD HH:MM`` in the touch point's own time zone (or with an explicit offset), as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise InvalidTransition(
            f"{text!r} is not a time: write it as YYYY-MM-DD HH:MM ({tp.name}'s local time, {tp.timezone})."
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tp.timezone))
    return value.astimezone(UTC)


def _print_scheduled(ws: Workspace, done: Scheduled) -> None:
    post = done.post
    tp = ws.touchpoints.get(post.touchpoint_id)
    zone = ZoneInfo(tp.timezone) if tp else UTC
    local = post.publish_at.astimezone(zone)
    print(
        f"'{post.title}' on {tp.name if tp else '?'}: {local:%a %d %b %Y %H:%M} {zone} (post {post.id[:8]})"
    )
    for warning in done.warnings:
        print(f"  warning: {warning.message}")


def _cmd_list(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        service = _service(ws)
        tp_ids = {find_touchpoint(ws, args.touchpoint).id} if args.touchpoint else None
        start = None if args.all else datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        posts = service.posts(start, None, tp_ids, include_cancelled=args.all)
        tps = {tp.id: tp for tp in ws.touchpoints.list()}
        if not posts:
            print("Nothing on the calendar. Approve a draft, then: curator schedule add DRAFT TOUCHPOINT")
        for post in posts:
            tp = tps.get(post.touchpoint_id)
            zone = ZoneInfo(tp.timezone) if tp else UTC
            when = post.publish_at.astimezone(zone)
            name = tp.name if tp else "?"
            print(
                f"{post.id[:8]}  {when:%Y-%m-%d %H:%M} {zone!s:<16} {post.status.value:<10} "
                f"{name[:24]:<24} {post.title[:50]}"
            )
            if post.status is PostStatus.FAILED and post.last_error:
                print(f"          {post.last_error}")
    return 0


def _find_post(service: ScheduleService, ref: str) -> str:
    found = [
        p.id
        for p in service.posts(include_cancelled=True)
        if p.id == ref or (len(ref) >= 4 and p.id.startswith(ref))
    ]
    if len(found) != 1:
        raise NotFound(f"No single post matches {ref!r}; see: curator schedule list --all")
    return found[0]


def _cmd_add(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = _service(ws)
        user = acting_user(ws, args)
        draft = find_draft(service.editorial, args.draft)
        tp = find_touchpoint(ws, args.touchpoint)
        at = parse_local_time(args.at, tp) if args.at else None
        _print_scheduled(ws, service.schedule(user, draft.id, tp.id, at))
    return 0


def _cmd_move(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = _service(ws)
        user = acting_user(ws, args)
        post = service.get(_find_post(service, args.post))
        tp = service.touchpoint(post.touchpoint_id)
        _print_scheduled(ws, service.move(user, post.id, parse_local_time(args.at, tp)))
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = _service(ws)
        post = service.unschedule(acting_user(ws, args), _find_post(service, args.post))
        print(f"'{post.title}' is off the calendar.")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        service = _service(ws)
        from curator.schedule.csv_io import preview_schedule_csv

        preview = preview_schedule_csv(
            Path(args.file).read_bytes(), ws.touchpoints.list(), now=datetime.now(UTC)
        )
        for problem in preview.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        if not preview.ok:
            print(f"Nothing imported: fix the {len(preview.problems)} problem(s) above.", file=sys.stderr)
            return 1
        if args.preview:
            print(f"{len(preview.rows)} rows are fine; run again without --preview to import them.")
            return 0
        posts = service.import_rows(acting_user(ws, args), preview)
        print(
            f"Imported {len(posts)} planned posts (tentative until their drafts are approved and confirmed)."
        )
    return 0


def _cmd_publish_due(args: argparse.Namespace) -> int:
    from curator.publish.runner import PublishRunner
    from curator.publish.secrets import SecretStore

    with _workspace(args) as ws:
        secrets = SecretStore()
        schedule = _service(ws)
        runner = PublishRunner(
            ws,
            secrets,
            on_published=schedule.mark_published,
            on_failed=lambda post, _why: schedule.mark_failed(post) if post.next_attempt_at is None else None,
        )
        available, why = secrets.available()
        if not available:
            missing = runner.missing_secrets()
            if missing and not sys.stdin.isatty():
                print(f"curator: {why}", file=sys.stderr)
            for tp, name in missing if sys.stdin.isatty() else []:
                value = getpass.getpass(f"{name.replace('_', ' ')} for {tp.name}: ")
                secrets.remember_for_session(tp.id, name, value)
        report = runner.run_due()
        print(report.summary())
        return 1 if report.failed else 0


def _cmd_export_ics(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=not args.live) as ws:
        service = _service(ws)
        if args.live:
            from curator.schedule.ics import write_live_ics
            from curator.schedule.service import CalendarConfig

            if args.touchpoint:
                raise InvalidTransition("A live calendar holds every touch point; leave out --touchpoint.")
            path = Path(args.file).expanduser().resolve()
            ws.config.put("calendar", CalendarConfig(live_ics_path=str(path)))
            write_live_ics(path, service.ics())
            print(f"{path} now follows every change to the calendar; subscribe to it in your calendar app.")
            return 0
        tp_ids = {find_touchpoint(ws, args.touchpoint).id} if args.touchpoint else None
        data = service.ics(tp_ids)
        Path(args.file).write_bytes(data)
        print(f"Wrote {data.count(b'BEGIN:VEVENT')} events to {args.file}")
    return 0


def _cmd_export_csv(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        export = _service(ws).export_csv(args.layout, find_touchpoint(ws, args.touchpoint).id)
        Path(args.file).write_bytes(export.data)
        print(f"Wrote {export.count} posts in {args.layout.title()}'s bulk-upload layout to {args.file}")
        for note in export.notes:
            print(f"  note: {note.message}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = sub.add_parser(
        "schedule", help="list, add, move or remove posts on the calendar; import a CSV"
    )
    ssub = schedule.add_subparsers(dest="schedule_command", required=True, metavar="ACTION")
    lst = ssub.add_parser("list", help="posts from today on (or --all)")
    lst.add_argument("--touchpoint", help="one touch point (name, kind or id)")
    lst.add_argument("--all", action="store_true", help="past and cancelled posts too")
    lst.set_defaults(func=_cmd_list)
    add = ssub.add_parser("add", help="schedule an approved draft's variant for a touch point")
    add.add_argument("draft", help="draft id, id start or title")
    add.add_argument("touchpoint", help="touch point name, kind or id")
    add.add_argument("--at", help="YYYY-MM-DD HH:MM in the touch point's time zone (default: next free slot)")
    add.set_defaults(func=_cmd_add)
    move = ssub.add_parser("move", help="reschedule a post")
    move.add_argument("post", help="post id or id start (see: schedule list)")
    move.add_argument("at", help="YYYY-MM-DD HH:MM in the touch point's time zone")
    move.set_defaults(func=_cmd_move)
    rm = ssub.add_parser("remove", help="take a post off the calendar")
    rm.add_argument("post")
    rm.set_defaults(func=_cmd_remove)
    imp = ssub.add_parser(
        "import", help="import a CSV schedule (date, time, touch point, text): all rows or none"
    )
    imp.add_argument("file")
    imp.add_argument("--preview", action="store_true", help="check the file, import nothing")
    imp.set_defaults(func=_cmd_import)

    due = sub.add_parser("publish-due", help="publish every due post once (for cron); exit 1 if one failed")
    due.set_defaults(func=_cmd_publish_due)
    ics = sub.add_parser("export-ics", help="write the calendar as an iCalendar (.ics) file")
    ics.add_argument("file")
    ics.add_argument("--touchpoint", help="one touch point only")
    ics.add_argument("--live", action="store_true", help="keep FILE up to date after every change")
    ics.set_defaults(func=_cmd_export_ics)
    csv_cmd = sub.add_parser(
        "export-csv", help="write one touch point's posts for Hootsuite or Buffer bulk upload"
    )
    csv_cmd.add_argument("file")
    csv_cmd.add_argument("--layout", choices=["hootsuite", "buffer"], required=True)
    csv_cmd.add_argument("--touchpoint", required=True, help="touch point name, kind or id")
    csv_cmd.set_defaults(func=_cmd_export_csv)
