"""``curator drafts ...``: review and move drafts from a terminal or a script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from curator.domain import Draft, DraftStatus, User
from curator.errors import NotFound
from curator.identity import resolve_user
from curator.settings import Settings
from curator.workspace import Workspace

if TYPE_CHECKING:
    from curator.editorial.service import EditorialService


def _service(ws: Workspace) -> EditorialService:
    from curator.editorial.service import EditorialService

    return EditorialService(ws)


def acting_user(ws: Workspace, args: argparse.Namespace) -> User:
    """The person the command acts as: ``--as`` where the workspace allows it, else the OS account."""
    return resolve_user(
        ws.users,
        ws.config,
        requested=getattr(args, "as_user", None),
        display_name=Settings().get("user.name"),
        read_only=ws.read_only,
    )


def find_draft(service: EditorialService, ref: str) -> Draft:
    """A draft by id, id prefix or title (exact, else a part of it that only one title has)."""
    drafts = service.drafts()
    exact = [d for d in drafts if d.id == ref or d.title.casefold() == ref.casefold()]
    if exact:
        return exact[0]
    prefixed = [d for d in drafts if len(ref) >= 4 and d.id.startswith(ref)]
    if len(prefixed) == 1:
        return prefixed[0]
    titled = [d for d in drafts if len(ref) >= 4 and ref.casefold() in d.title.casefold()]
    if len(titled) == 1:
        return titled[0]
    prefixed = prefixed or titled
    hint = "several drafts match; give more of the id" if prefixed else "see: curator drafts list"
    raise NotFound(f"No single draft matches {ref!r} ({hint}).")


def _workspace(args: argparse.Namespace, *, read_only: bool = False) -> Workspace:
    from curator.cli import resolve_workspace

    return Workspace.open(resolve_workspace(args.workspace), read_only=read_only)


def _cmd_list(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        service = _service(ws)
        statuses = [DraftStatus(s) for s in args.status] if args.status else None
        drafts = service.drafts(statuses)
        users = {u.id: u.name for u in ws.users.list()}
        if args.json:
            rows = [
                {
                    "id": d.id,
                    "title": d.title,
                    "status": d.status.value,
                    "version": d.version,
                    "author": users.get(d.author_id, d.author_id),
                    "assignee": users.get(d.assignee_id, d.assignee_id),
                    "updated_at": d.updated_at.isoformat(),
                    "due_at": d.due_at.isoformat() if d.due_at else None,
                }
                for d in drafts
            ]
            sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        if not drafts:
            print("No drafts. Create one in the app (Drafts, Ctrl+N) or from a hot issue.")
        for d in drafts:
            status = d.status.value.replace("_", " ")
            print(
                f"{d.id[:8]}  {status:<17}  v{d.version:<3}  {d.title[:60]:<60}  {users.get(d.author_id, '')}"
            )
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        service = _service(ws)
        draft = find_draft(service, args.draft)
        users = {u.id: u.name for u in ws.users.list()}
        tps = service.touchpoints()
        print(f"{draft.title}\n{'=' * min(len(draft.title), 78)}")
        print(f"id {draft.id}  ·  {draft.status.value.replace('_', ' ')}  ·  version {draft.version}")
        print(f"author {users.get(draft.author_id, '?')}  ·  assignee {users.get(draft.assignee_id, '-')}")
        print(f"content hash {draft.content_hash}\n")
        print(draft.body)
        for tp_id, variant in draft.variants.items():
            name = tps[tp_id].name if tp_id in tps else tp_id
            print(f"\n--- {name}{' (edited)' if variant.edited else ''}\n{variant.text}")
        valid = service.valid_approvals(draft)
        print(
            "\nApprovals for this version: "
            + (", ".join(f"{a.step} by {users.get(a.user_id, '?')}" for a in valid) or "none")
        )
        pending = service.pending_steps(draft)
        if pending and draft.status is DraftStatus.IN_REVIEW:
            print("Waiting for: " + ", ".join(s.name for s in pending))
        if args.checks:
            findings = service.findings(draft)
            blocking = {f.key for f in service.blocking_findings(draft)}
            print(f"\nBrand checks: {len(findings)} finding(s), {len(blocking)} blocking approval")
            for f in findings:
                mark = "✗" if f.key in blocking else ("·" if f.severity == "warning" else "✓ waived")
                where = tps[f.target].name if f.target in tps else "body"
                print(f"  {mark} [{where}] {f.message}")
        if args.history:
            print("\nHistory:")
            for entry in service.audit.entries(draft.id):
                who = users.get(entry.user_id, entry.user_id)
                move = f"{entry.from_status} → {entry.to_status}" if entry.to_status else ""
                print(f"  {entry.at:%Y-%m-%d %H:%M} UTC  {who:<18} {entry.action:<22} {move}  {entry.reason}")
    return 0


def _act(args: argparse.Namespace, action: str) -> int:
    with _workspace(args) as ws:
        service = _service(ws)
        user = acting_user(ws, args)
        draft = find_draft(service, args.draft)
        reason = getattr(args, "reason", "") or ""
        if action == "approve":
            draft = service.approve(user, draft.id, reason)
            pending = service.pending_steps(draft)
            extra = f" (still waiting for: {', '.join(s.name for s in pending)})" if pending else ""
        else:
            draft = service.transition(user, draft.id, action, reason)
            extra = ""
        print(f"'{draft.title}' is now {draft.status.value.replace('_', ' ')}{extra}.")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    with _workspace(args, read_only=True) as ws:
        log = _service(ws).audit
        problems = log.verify()
        if args.csv:
            Path(args.csv).write_text(log.export_csv(), encoding="utf-8")
            print(f"Wrote {len(log.entries())} audit entries to {args.csv}")
        for problem in problems:
            print(f"curator: {problem}", file=sys.stderr)
        if not problems:
            print(f"The audit log is whole ({len(log.entries())} entries).")
        return 1 if problems else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drafts = sub.add_parser("drafts", help="list, show, submit, approve drafts; check the audit log")
    dsub = drafts.add_subparsers(dest="drafts_command", required=True, metavar="ACTION")
    lst = dsub.add_parser("list", help="drafts, newest change first")
    lst.add_argument("--status", action="append", choices=[s.value for s in DraftStatus], help="repeatable")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=_cmd_list)
    show = dsub.add_parser("show", help="a draft with its variants and approvals")
    show.add_argument("draft", help="id, id start or title")
    show.add_argument("--checks", action="store_true", help="run the brand checks")
    show.add_argument("--history", action="store_true", help="the audit trail of the draft")
    show.set_defaults(func=_cmd_show)
    for name, action, helptext, needs_reason in [
        ("submit", "submit", "send a draft for review", False),
        ("approve", "approve", "pass the next approval step", False),
        ("request-changes", "request_changes", "send a draft back to its author", True),
        ("archive", "archive", "archive a draft", True),
    ]:
        cmd = dsub.add_parser(name, help=helptext)
        cmd.add_argument("draft", help="id, id start or title")
        cmd.add_argument("--reason", "-m", required=needs_reason, help="why (kept in the audit log)")
        cmd.set_defaults(func=lambda a, _action=action: _act(a, _action))
    from curator.cli_team import register_steps

    register_steps(dsub)
    audit = dsub.add_parser("audit", help="verify the audit log's hash chain (exit 1 if broken)")
    audit.add_argument("--csv", metavar="FILE", help="also export the log as CSV")
    audit.set_defaults(func=_cmd_audit)
