"""``curator report``: the council report from a terminal or a weekly cron job.

Without ``--html`` or ``--pdf`` it prints the summary sentences; ``--json``
prints every measure of the period and the one before. The PDF is written by
the desktop part's Qt writer, found as a plugin (:mod:`curator.reports.render`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from curator.workspace import Workspace


def _cmd_report(args: argparse.Namespace) -> int:
    from curator.cli import resolve_workspace
    from curator.reports.council import build_report
    from curator.reports.periods import local_zone, parse_period, period_containing, zone_named

    zone = zone_named(args.timezone) if args.timezone else local_zone()
    period = parse_period(args.period, zone) if args.period else period_containing("week", zone=zone)
    # Fail on a missing PDF writer before the work, not after it.
    write_pdf = None
    if args.pdf:
        from curator.reports.render import renderer

        write_pdf = renderer("pdf")
    with Workspace.open(resolve_workspace(args.workspace), read_only=True) as ws:
        report = build_report(ws, period, touchpoint=args.touchpoint)
    if args.html:
        from curator.reports.html import render_html

        target = Path(args.html)
        target.write_text(render_html(report), encoding="utf-8")
        print(f"Wrote the HTML report for {period.label} to {target}.")
    if write_pdf is not None:
        pages = write_pdf(report, args.pdf)
        print(f"Wrote the PDF report for {period.label} to {args.pdf} ({pages} page{'s' * (pages != 1)}).")
    if args.json:
        sys.stdout.write(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif not (args.html or args.pdf):
        print(report.title)
        print()
        for sentence in report.summary.sentences():
            print(sentence)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="the council report of a week, month, day or range: summary, measures, charts",
        description=(
            "The council report: what improved and what got worse compared with the period before, "
            "the hot issues and the actions pending, then the measures with charts. Prints the summary "
            "unless --html or --pdf is given."
        ),
    )
    report.add_argument(
        "--period",
        metavar="PERIOD",
        help="2026-W47 (ISO week), 2026-11 (month), 2026-11-23 (day) or 2026-11-01..2026-11-15 "
        "(default: the current week)",
    )
    report.add_argument("--html", metavar="FILE", help="write a self-contained HTML file")
    report.add_argument("--pdf", metavar="FILE", help="write an A4 PDF (needs the desktop part, PySide6)")
    report.add_argument("--json", action="store_true", help="print every measure as JSON")
    report.add_argument(
        "--touchpoint",
        metavar="NAME",
        help="only one touch point (its name or id) or channel (x, review, forum...)",
    )
    report.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the clock days are counted on, e.g. Europe/Berlin (default: this computer's)",
    )
    report.set_defaults(func=_cmd_report)
