"""Content hashes and differences between draft versions.

An approval binds to a content hash: the SHA-256 of everything a reader of
the published post would see (title, body, each touch point's variant, the
touch points, the sponsored flag), in canonical JSON. Metadata such as the
assignee or the due date does not change it.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass

import orjson

from curator.domain import DraftVersion, Variant


def content_hash(
    title: str, body: str, variants: dict[str, Variant], touchpoint_ids: list[str], sponsored: bool
) -> str:
    doc = {
        "title": title,
        "body": body,
        "variants": {tp: v.text for tp, v in sorted(variants.items())},
        "touchpoints": sorted(touchpoint_ids),
        "sponsored": sponsored,
    }
    return hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True)
class Segment:
    """A run of text in a word diff: ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """Word-level differences, whitespace kept, for showing changes inline."""
    import re

    a = re.findall(r"\s+|[^\s]+", old)
    b = re.findall(r"\s+|[^\s]+", new)
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(Segment("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(Segment("insert", "".join(b[j1:j2])))
    return out


def _sections(version: DraftVersion, names: dict[str, str]) -> list[tuple[str, str]]:
    parts = [("Title", version.title), ("Body", version.body)]
    for tp_id, variant in sorted(version.variants.items(), key=lambda kv: names.get(kv[0], kv[0])):
        parts.append((f"Variant: {names.get(tp_id, tp_id)}", variant.text))
    return parts


def unified_diff(old: DraftVersion, new: DraftVersion, touchpoint_names: dict[str, str] | None = None) -> str:
    """A unified diff of two versions, section by section (title, body, each variant)."""
    names = touchpoint_names or {}
    old_parts = dict(_sections(old, names))
    new_parts = dict(_sections(new, names))
    lines: list[str] = []
    for section in dict.fromkeys([*old_parts, *new_parts]):
        a = old_parts.get(section, "").splitlines()
        b = new_parts.get(section, "").splitlines()
        if a == b:
            continue
        lines.append(f"== {section}")
        lines.extend(
            difflib.unified_diff(a, b, f"version {old.number}", f"version {new.number}", lineterm="", n=2)
        )
    return "\n".join(lines)
