"""Turning a draft's Markdown body into the text each touch point publishes.

A draft is written once, in Markdown; each touch point gets a variant derived
from it, which the editor may then change on its own. Platforms that render
HTML (newsletter, blog, web page) keep the Markdown. Plain-text platforms get
it rendered to text from markdown-it-py's tokens: a parser, not regular
expressions, decides what is emphasis, a link or code, so an asterisk in
"5*3" or an underscore in a URL survives.

Publishing reuses :func:`markdown_to_html` and :func:`markdown_to_text`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from curator.domain import LinkPolicy
from curator.editorial.counting import count_length, find_links, limit_offset
from curator.editorial.touchpoints import TouchPointRules

__all__ = ["ELLIPSIS", "derive_variant", "markdown_to_html", "markdown_to_text"]

#: Appended where a derived variant was cut short.
ELLIPSIS = "…"

_URL_SCHEMES = {"http", "https", "mailto"}
# A cut at a sentence end is preferred when it keeps at least this share of what fits.
_SENTENCE_CUT_SHARE = 0.6
# Characters that look wrong just before "…".
_DANGLING = " \t\n,;:-–—([{/&"

# markdown-it-py compiles its rule chains lazily into a dict it fills in place,
# which another thread could read half-built: one parser per thread.
_local = threading.local()


def _parser() -> MarkdownIt:
    md: MarkdownIt | None = getattr(_local, "md", None)
    if md is None:
        md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
        _local.md = md
    return md


def markdown_to_html(md: str) -> str:
    """Render Markdown to HTML that is safe to publish or preview.

    Raw HTML in the Markdown is allowed through the parser and then cleaned
    by nh3 (scripts, styles, event handlers and ``javascript:`` links go),
    so an editor can still use the odd ``<sup>`` or ``<br>``.
    """
    html = _parser().render(md)
    return nh3.clean(html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer")


def _link_text(label: str, href: str, keep_urls: bool) -> str:
    if not keep_urls or not href:
        return label
    target = href.removeprefix("mailto:")
    if not label.strip() or label.strip() in (href, target):
        return target if href.startswith("mailto:") else href
    return f"{label} ({href})"


def _inline_text(children: Sequence[Token], keep_urls: bool) -> str:
    out: list[str] = []
    # Each open link remembers its href and where its label starts in ``out``.
    links: list[tuple[str, int]] = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            # Social posts are typed line by line: a single line break is meant.
            out.append("\n")
        elif tok.type == "link_open":
            links.append((str(tok.attrGet("href") or ""), len(out)))
        elif tok.type == "link_close" and links:
            href, at = links.pop()
            label = "".join(out[at:])
            del out[at:]
            out.append(_link_text(label, href, keep_urls))
        # Emphasis markers, images (attached separately) and inline HTML have no plain-text form.
    return "".join(out)


@lru_cache(maxsize=64)
def markdown_to_text(md: str, *, keep_urls: bool = True) -> str:
    """Render Markdown as plain text for platforms that show text as typed.

    Headings and paragraphs become blocks separated by a blank line, list
    items keep a "- " or "1. " marker, code keeps its content, a link becomes
    "label (URL)" (just the URL when the label is the URL), images and raw
    HTML are dropped. Results are cached: every plain-text variant of a draft
    renders the same body, and markdown-it-py takes tens of milliseconds on a
    long one.

    Args:
        md: The Markdown source.
        keep_urls: False for platforms where links cannot be clicked: a link is
            then reduced to its label instead of showing a dead URL.
    """
    # (text, whether it is a list item): items of one list sit on consecutive lines.
    blocks: list[tuple[str, bool]] = []
    lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
    prefix = ""
    table_row: list[str] | None = None
    for tok in _parser().parse(md):
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = tok.attrGet("start")
            lists.append([int(kind == "ordered_list_open"), int(start) if start is not None else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            lists[-1][1] += 1
            prefix = "  " * (len(lists) - 1) + (f"{number}. " if ordered else "- ")
        elif kind == "tr_open":
            table_row = []
        elif kind == "tr_close" and table_row is not None:
            blocks.append((" | ".join(table_row), True))
            table_row = None
        elif kind == "inline":
            text = _inline_text(tok.children or [], keep_urls).strip()
            if table_row is not None:
                table_row.append(text)
            elif text or prefix:
                blocks.append((prefix + text, bool(prefix)))
                prefix = ""
        elif kind in ("fence", "code_block"):
            blocks.append((prefix + tok.content.rstrip("\n"), bool(prefix)))
            prefix = ""
    out: list[str] = []
    previous_item = False
    for text, is_item in blocks:
        if out:
            out.append("\n" if is_item and previous_item else "\n\n")
        out.append(text)
        previous_item = is_item
    return "".join(out).strip()


def _starts_with(text: str, lead: str) -> bool:
    """Whether ``text`` begins with the words of ``lead`` (case and spacing aside)."""
    flat = " ".join(text.split()).casefold()
    lead = lead.casefold()
    return flat.startswith(lead) and not flat[len(lead) : len(lead) + 1].isalnum()


def _fits(text: str, rules: TouchPointRules) -> bool:
    return rules.max_length is None or count_length(text, rules.counting) <= rules.max_length


def _cut(text: str, budget: int, counting: str) -> tuple[str, bool]:
    """The longest start of ``text`` within ``budget``, ended at a sentence or word boundary.

    Returns:
        The cut text and whether it ends at a sentence end (needs no "…").
    """
    at = limit_offset(text, budget, counting)
    if at is None:
        return text, True
    head = text[:at]
    sentence_end = max(head.rfind(mark) for mark in (". ", "! ", "? ", ".\n", "!\n", "?\n", "\n\n"))
    if sentence_end >= 0 and sentence_end + 1 >= _SENTENCE_CUT_SHARE * len(head):
        return head[: sentence_end + 1].rstrip(), True
    if not text[at].isspace():
        # Mid-word (or mid-link): back off to the last space, unless there is none.
        space = max(head.rfind(" "), head.rfind("\n"))
        if space > 0:
            head = head[:space]
    return head.rstrip(_DANGLING), False


def derive_variant(title: str, body_markdown: str, rules: TouchPointRules, *, link: str = "") -> str:
    """The text a touch point publishes for a draft until an editor changes it.

    Markdown platforms get the body as written (a Markdown text is never cut:
    a cut could break its syntax, and these platforms have no length limit by
    default; the length check reports a variant that is too long). Plain-text
    platforms get the body rendered to text, led by the title unless the body
    already starts with it, cut at a sentence or word boundary with "…" to fit
    ``rules.max_length`` counted the platform's way, and followed by ``link``.

    Args:
        title: The draft's title.
        body_markdown: The draft's body.
        rules: The touch point's effective rules.
        link: A URL to append (the article the post promotes). Not added when
            the link policy forbids links, when the text already has its one
            allowed link, when the text already contains it, or when it alone
            would not fit.

    Returns:
        The variant text; on a plain-text platform with a limit it always fits.
    """
    if rules.markdown:
        return body_markdown
    text = markdown_to_text(body_markdown, keep_urls=rules.link_policy is not LinkPolicy.NONE)
    lead = " ".join(title.split())
    if lead and not _starts_with(text, lead):
        text = f"{lead}\n\n{text}" if text else lead
    suffix = ""
    if link and link not in text and rules.link_policy is not LinkPolicy.NONE:
        one_taken = rules.link_policy is LinkPolicy.ONE and bool(find_links(text))
        suffix = "" if one_taken else link

    def joined(head: str) -> str:
        if not suffix or not head:
            return head or suffix
        return head + ("\n\n" if "\n" in head else " ") + suffix

    if _fits(joined(text), rules) or rules.max_length is None:
        return joined(text)
    if suffix and not _fits(suffix, rules):
        suffix = ""
    limit = rules.max_length
    # Budget for the body: room for "…", a separator and the link, then narrowed until it fits
    # (the count of a joined text can differ from the sum of its parts, e.g. around links).
    reserve = count_length(ELLIPSIS, rules.counting)
    if suffix:
        reserve += count_length(suffix, rules.counting) + 2
    for budget in range(limit - reserve, -1, -1):
        head, complete = _cut(text, budget, rules.counting)
        if not head:
            break
        candidate = joined(head if complete else head + ELLIPSIS)
        if _fits(candidate, rules):
            return candidate
    if suffix and _fits(suffix, rules):
        return suffix
    # Nothing cut at a boundary fits (a tiny limit): the longest plain start that does.
    for budget in range(limit, -1, -1):
        at = limit_offset(text, budget, rules.counting)
        head = text if at is None else text[:at]
        if _fits(head, rules):
            return head
    return ""
