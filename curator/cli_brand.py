"""``curator brand ...``: the workspace's brand guide, shown and changed (admins change it)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING

from curator.cli_editorial import acting_user
from curator.errors import InvalidTransition
from curator.workspace import Workspace

if TYPE_CHECKING:
    from curator.editorial.brand import BrandGuide


def _workspace(args: argparse.Namespace, *, read_only: bool = False) -> Workspace:
    from curator.cli import resolve_workspace

    return Workspace.open(resolve_workspace(args.workspace), read_only=read_only)


def _bound(value: str) -> float | None:
    return None if value.strip().lower() in ("", "none", "off") else float(value)


def describe(guide: BrandGuide) -> str:
    lines = ["Banned terms:"]
    lines += [
        f"  {b.term}"
        + (f" → {b.replacement}" if b.replacement else "")
        + (f"  ({b.reason})" if b.reason else "")
        for b in guide.banned_terms
    ] or ["  none"]
    lines.append("Preferred spellings:")
    lines += [f"  {k} → {v}" for k, v in sorted(guide.preferred_spellings.items())] or ["  none"]
    lines.append(f"Dictionary: {', '.join(sorted(guide.dictionary)) or 'empty'}")
    lines.append(f"Disclosure for sponsored drafts: {guide.disclosure or 'none'}")
    lines.append(f"Reading ease (Flesch): {guide.min_reading_ease} to {guide.max_reading_ease}")
    lines.append(f"Tone (sentiment -1..1): {guide.min_sentiment} to {guide.max_sentiment}")
    lines.append(
        f"Exclamation marks per text: {guide.max_exclamations}; words in capitals: {guide.max_caps_words}"
    )
    lines.append(f"Spelling: {'on' if guide.spelling else 'off'} ({guide.language})")
    return "\n".join(lines)


def _cmd_show(args: argparse.Namespace) -> int:
    from curator.editorial.service import EditorialService

    with _workspace(args, read_only=True) as ws:
        print(describe(EditorialService(ws).brand_guide()))
    return 0


def _change(args: argparse.Namespace) -> int:
    from curator.editorial.brand import BannedTerm
    from curator.editorial.service import EditorialService

    with _workspace(args) as ws:
        service = EditorialService(ws)
        guide = service.brand_guide()
        if args.brand_command == "ban":
            terms = [b for b in guide.banned_terms if b.term.casefold() != args.term.casefold()]
            guide = replace(
                guide, banned_terms=[*terms, BannedTerm(args.term, args.use or "", args.reason or "")]
            )
        elif args.brand_command == "unban":
            terms = [b for b in guide.banned_terms if b.term.casefold() != args.term.casefold()]
            if len(terms) == len(guide.banned_terms):
                raise InvalidTransition(f"“{args.term}” is not a banned term.")
            guide = replace(guide, banned_terms=terms)
        elif args.brand_command == "prefer":
            guide = replace(
                guide, preferred_spellings={**guide.preferred_spellings, args.variant: args.preferred}
            )
        elif args.brand_command == "allow":
            guide = replace(guide, dictionary=sorted(set(guide.dictionary) | set(args.words)))
        else:  # set
            changes: dict[str, object] = {}
            if args.disclosure is not None:
                changes["disclosure"] = args.disclosure
            for name in ("min_reading_ease", "max_reading_ease", "min_sentiment", "max_sentiment"):
                if getattr(args, name) is not None:
                    changes[name] = _bound(getattr(args, name))
            for name in ("max_exclamations", "max_caps_words"):
                if getattr(args, name) is not None:
                    changes[name] = getattr(args, name)
            if args.spelling is not None:
                changes["spelling"] = args.spelling == "on"
            if not changes:
                raise InvalidTransition("Nothing to change: give at least one option (see --help).")
            guide = replace(guide, **changes)  # type: ignore[arg-type]
        service.save_brand_guide(acting_user(ws, args), guide)
        print(describe(guide))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    brand = sub.add_parser("brand", help="the brand guide drafts are checked against (admins change it)")
    bsub = brand.add_subparsers(dest="brand_command", required=True, metavar="ACTION")
    bsub.add_parser("show", help="the whole guide").set_defaults(func=_cmd_show)
    ban = bsub.add_parser("ban", help="never publish a word or phrase")
    ban.add_argument("term")
    ban.add_argument("--use", help="what to write instead")
    ban.add_argument("--reason", help="why, shown to the editor")
    ban.set_defaults(func=_change)
    unban = bsub.add_parser("unban", help="allow a banned term again")
    unban.add_argument("term")
    unban.set_defaults(func=_change)
    prefer = bsub.add_parser("prefer", help="a preferred spelling, e.g. prefer e-mail email")
    prefer.add_argument("variant")
    prefer.add_argument("preferred")
    prefer.set_defaults(func=_change)
    allow = bsub.add_parser("allow", help="words spelling must accept (brand and product names)")
    allow.add_argument("words", nargs="+")
    allow.set_defaults(func=_change)
    change = bsub.add_parser("set", help="bounds and limits (a bound of 'none' switches it off)")
    change.add_argument("--disclosure", help='required in sponsored drafts, e.g. "#ad" ("" for none)')
    change.add_argument("--min-reading-ease", dest="min_reading_ease")
    change.add_argument("--max-reading-ease", dest="max_reading_ease")
    change.add_argument("--min-sentiment", dest="min_sentiment", help="-1 .. 1")
    change.add_argument("--max-sentiment", dest="max_sentiment")
    change.add_argument("--max-exclamations", dest="max_exclamations", type=int)
    change.add_argument("--max-caps-words", dest="max_caps_words", type=int)
    change.add_argument("--spelling", choices=["on", "off"])
    change.set_defaults(func=_change)
