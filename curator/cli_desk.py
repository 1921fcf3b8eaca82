"""``curator desk ...``: triage from a terminal or cron, and the response-time metrics."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

import orjson

from curator.workspace import Workspace


def _workspace(args: argparse.Namespace, *, read_only: bool = False) -> Workspace:
    from curator.cli import resolve_workspace

    return Workspace.open(resolve_workspace(args.workspace), read_only=read_only)


def _cmd_triage(args: argparse.Namespace) -> int:
    from curator.cli import TextProgress
    from curator.triage.service import DeskService

    with _workspace(args) as ws:
        bar = TextProgress()
        try:
            summary = DeskService(ws).triage_new(bar.progress)
        finally:
            bar.close()
        print(summary.sentence())
    return 0


def _minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def _cmd_metrics(args: argparse.Namespace) -> int:
    from curator.triage.service import DeskService

    end = datetime.now(UTC)
    start = end - timedelta(days=args.days)
    with _workspace(args, read_only=True) as ws:
        metrics = DeskService(ws).metrics(start, end)
        rows = [metrics.overall, *metrics.by_channel, *metrics.by_group, *metrics.by_agent]
        names = {u.id: u.name for u in ws.users.list()}
        if args.json:
            out = [
                {
                    "dimension": r.dimension,
                    "key": names.get(r.key, r.key) if r.dimension == "agent" else r.key,
                    "conversations": r.conversations,
                    "first_response": {
                        "median_min": r.first_response.median,
                        "p90_min": r.first_response.p90,
                        "within_target": r.first_response.within_target,
                    },
                    "resolution": {"median_min": r.resolution.median, "p90_min": r.resolution.p90},
                }
                for r in rows
            ]
            sys.stdout.write(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        print(f"Conversations opened in the last {args.days} days ({start:%d %b} to {end:%d %b %Y}):")
        print(
            f"{'':<8} {'':<22} {'conv.':>6}  {'first answer: median':>20} {'p90':>8} {'on time':>8}  "
            f"{'resolved: median':>16} {'p90':>8}"
        )
        for r in rows:
            key = (names.get(r.key, r.key) or "(unassigned)") if r.dimension == "agent" else r.key
            within = r.first_response.within_target
            first = _minutes(r.first_response.median)
            print(
                f"{r.dimension:<8} {key[:22]:<22} {r.conversations:>6}  {first:>20} "
                f"{_minutes(r.first_response.p90):>8} {'-' if within is None else f'{within:.0%}':>8}  "
                f"{_minutes(r.resolution.median):>16} {_minutes(r.resolution.p90):>8}"
            )
        for o in metrics.overrides:
            print(f"overrides {o.from_group.value} → {o.to_group.value}: {o.count}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    desk = sub.add_parser("desk", help="triage new customer items; response-time metrics")
    dsub = desk.add_subparsers(dest="desk_command", required=True, metavar="ACTION")
    dsub.add_parser(
        "triage", help="triage customer items not triaged yet (after: curator analyse)"
    ).set_defaults(func=_cmd_triage)
    metrics = dsub.add_parser("metrics", help="first-response and resolution times per channel, group, agent")
    metrics.add_argument(
        "--days", type=int, default=7, help="conversations opened in the last N days (default 7)"
    )
    metrics.add_argument("--json", action="store_true", help="print JSON")
    metrics.set_defaults(func=_cmd_metrics)
