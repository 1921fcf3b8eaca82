"""What each touch point accepts, and the findings a text gets against it.

A touch point stores only the constraints an editor changed; everything left
at None follows the platform default below, so fixing a default here fixes
every touch point that never overrode it.

Defaults follow the limits the platforms document (as of 2024-2025); only
hard limits are set, because an error finding blocks approval and advice
("two hashtags work best") belongs in the brand guide:

=============== ====== ======== ======== ===== ===== ======================================
kind            length counting hashtags links image why
=============== ====== ======== ======== ===== ===== ======================================
x               280    x        -        any   no    weighted: links 23, emoji and CJK 2
linkedin        3000   chars    -        any   no    a post (articles are longer)
facebook        63206  chars    -        any   no    a post
instagram       2200   chars    30       none  yes   caption links cannot be clicked
newsletter      -      chars    -        any   no    renders Markdown (HTML e-mail)
blog            -      chars    -        any   no    renders Markdown
web_page        -      chars    -        any   no    renders Markdown
in_store_screen 120    chars    0        none  no    read in passing, nothing to click
sms             160    sms      -        one   no    one GSM-7 part; UCS-2 is warned about
=============== ====== ======== ======== ===== ===== ======================================

:class:`Finding` lives here rather than in :mod:`curator.editorial.brand`
(which re-exports it) because brand checks build on touch point rules, not
the other way round.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from curator.domain import LinkPolicy, TouchPoint, TouchPointKind
from curator.editorial.counting import (
    X_URL_LENGTH,
    count_length,
    find_hashtags,
    find_links,
    limit_offset,
    non_gsm_characters,
    sms_parts,
)

__all__ = [
    "DEFAULT_RULES",
    "ERROR",
    "WARNING",
    "Finding",
    "TouchPointRules",
    "check_touchpoint",
    "effective_rules",
]

ERROR = "error"
WARNING = "warning"

# Plain GSM-7 stand-ins for the typographic characters that most often switch an SMS to UCS-2.
_GSM_SUBSTITUTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b4": "'",
}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One thing a check found in a text, with where it is and how to fix it.

    Attributes:
        rule: What was checked: ``banned_term``, ``preferred_spelling``, ``disclosure``,
            ``reading_ease``, ``exclamations``, ``capitals``, ``tone``, ``spelling``,
            ``length``, ``hashtags``, ``links``, ``image`` or ``touchpoint``.
        message: A sentence the editor can act on.
        start: Start of the span in the checked text; -1 when the finding is about the whole text.
        end: End of the span (exclusive); -1 for the whole text.
        suggestion: For a span, the replacement for ``text[start:end]`` ("" means delete it);
            for the whole text, a sentence saying what to do; None when there is no good guess.
        severity: ``"error"`` blocks approval unless waived; ``"warning"`` is advice.
        target: ``""`` for the body, ``"title"`` for the title, else the id of the touch
            point whose variant was checked.
        subject: The offending word or phrase as written, ``""`` when the finding judges
            the text as a whole (length, tone, reading ease, a missing disclosure or image).
    """

    rule: str
    message: str
    start: int
    end: int
    suggestion: str | None
    severity: str
    target: str = ""
    subject: str = ""

    @property
    def key(self) -> str:
        """A name for this finding that survives edits elsewhere in the text, used to bind waivers.

        Offsets move whenever anything before them changes, so the key is made
        of the rule, the target and the offending words (case and spacing
        folded) instead: the same banned word in the same variant is the same
        finding, wherever it moved to.
        """
        return f"{self.rule}:{self.target}:{' '.join(self.subject.casefold().split())}"

    @property
    def whole_text(self) -> bool:
        """Whether the finding judges the text as a whole rather than named words in it."""
        return not self.subject


@dataclass(frozen=True)
class TouchPointRules:
    """The constraints a text must meet to be published on one touch point.

    Attributes:
        max_length: The most the platform accepts, counted with ``counting``; None for no limit.
        counting: ``"x"``, ``"chars"`` or ``"sms"`` (see :mod:`curator.editorial.counting`).
        hashtag_limit: The most hashtags allowed; None for no limit.
        link_policy: How many links the text may carry.
        requires_image: Whether a post needs an image attached (Instagram does).
        min_sentiment: Lowest VADER compound score allowed (-1 .. 1), None for no bound.
        max_sentiment: Highest score allowed, None for no bound.
        markdown: Whether the platform renders Markdown/HTML; plain-text platforms get the
            Markdown rendered to text in derived variants.
    """

    max_length: int | None = None
    counting: str = "chars"
    hashtag_limit: int | None = None
    link_policy: LinkPolicy = LinkPolicy.ANY
    requires_image: bool = False
    min_sentiment: float | None = None
    max_sentiment: float | None = None
    markdown: bool = False


DEFAULT_RULES: dict[TouchPointKind, TouchPointRules] = {
    TouchPointKind.X: TouchPointRules(max_length=280, counting="x"),
    TouchPointKind.LINKEDIN: TouchPointRules(max_length=3000),
    TouchPointKind.FACEBOOK: TouchPointRules(max_length=63206),
    TouchPointKind.INSTAGRAM: TouchPointRules(
        max_length=2200, hashtag_limit=30, link_policy=LinkPolicy.NONE, requires_image=True
    ),
    TouchPointKind.NEWSLETTER: TouchPointRules(markdown=True),
    TouchPointKind.BLOG: TouchPointRules(markdown=True),
    TouchPointKind.WEB_PAGE: TouchPointRules(markdown=True),
    TouchPointKind.IN_STORE_SCREEN: TouchPointRules(
        max_length=120, hashtag_limit=0, link_policy=LinkPolicy.NONE
    ),
    TouchPointKind.SMS: TouchPointRules(max_length=160, counting="sms", link_policy=LinkPolicy.ONE),
}

# The TouchPoint fields that, when set, replace the default of the same name.
_OVERRIDABLE = (
    "max_length",
    "hashtag_limit",
    "link_policy",
    "requires_image",
    "min_sentiment",
    "max_sentiment",
)


def effective_rules(tp: TouchPoint) -> TouchPointRules:
    """The rules that apply to ``tp``: its own constraints where set, its kind's defaults elsewhere."""
    overrides = {name: getattr(tp, name) for name in _OVERRIDABLE if getattr(tp, name) is not None}
    return dataclasses.replace(DEFAULT_RULES[tp.kind], **overrides)


def _how_counted(counting: str) -> str:
    if counting == "x":
        return f" as X counts them (every link {X_URL_LENGTH}, emoji and CJK characters 2)"
    return ""


def _length_findings(text: str, rules: TouchPointRules, target: str) -> list[Finding]:
    findings: list[Finding] = []
    if rules.max_length is not None:
        n = count_length(text, rules.counting)
        if n > rules.max_length:
            over = n - rules.max_length
            at = limit_offset(text, rules.max_length, rules.counting)
            start = len(text) if at is None else at
            findings.append(
                Finding(
                    "length",
                    f"This text is {n} characters long{_how_counted(rules.counting)}, over the limit "
                    f"of {rules.max_length}: shorten it by {over} "
                    f"character{'s' if over != 1 else ''}; the marked part does not fit.",
                    start,
                    len(text),
                    None,
                    ERROR,
                    target,
                )
            )
    if rules.counting == "sms":
        odd = non_gsm_characters(text)
        if odd:
            ch = text[odd[0]]
            _, parts = sms_parts(text)
            plain = _GSM_SUBSTITUTES.get(ch)
            fix = f" Use “{plain}” instead." if plain is not None else " Replace it if you can."
            findings.append(
                Finding(
                    "length",
                    f"“{ch}” is not in the SMS alphabet (GSM-7), so the message goes out as UCS-2, "
                    f"where one part holds 70 characters instead of 160; it will be sent as {parts} "
                    f"part{'s' if parts != 1 else ''}.{fix}",
                    odd[0],
                    odd[0] + 1,
                    plain,
                    WARNING,
                    target,
                    ch,
                )
            )
    return findings


def _hashtag_findings(text: str, rules: TouchPointRules, target: str) -> list[Finding]:
    if rules.hashtag_limit is None:
        return []
    tags = find_hashtags(text)
    if len(tags) <= rules.hashtag_limit:
        return []
    if rules.hashtag_limit == 0:
        head = "This touch point takes no hashtags"
    else:
        head = f"This touch point takes at most {rules.hashtag_limit} hashtags and the text has {len(tags)}"
    return [
        Finding("hashtags", f"{head}: remove “{tag}”.", start, end, "", ERROR, target, tag)
        for start, end, tag in tags[rules.hashtag_limit :]
    ]


def _link_findings(text: str, rules: TouchPointRules, target: str) -> list[Finding]:
    links = find_links(text)
    if rules.link_policy is LinkPolicy.NONE:
        extra, head = links, "Links cannot be used (or clicked) on this touch point"
    elif rules.link_policy is LinkPolicy.ONE:
        extra, head = links[1:], "This touch point takes one link and the text has more"
    else:
        return []
    return [
        Finding("links", f"{head}: remove “{url}”.", start, end, "", ERROR, target, url)
        for start, end, url in extra
    ]


def check_touchpoint(
    text: str, rules: TouchPointRules, *, has_image: bool = False, target: str = ""
) -> list[Finding]:
    """Check ``text`` against the rules of one touch point: length, hashtags, links and image.

    Tone bounds are not checked here: :func:`curator.editorial.brand.check_draft`
    merges them with the brand guide's, so one tone finding says which bound
    the text broke.

    Args:
        text: The variant text as it will be published.
        rules: The touch point's :func:`effective_rules`.
        has_image: Whether an image is attached to the post.
        target: The touch point id, copied into each finding.

    Returns:
        Findings in text order, whole-text ones first.
    """
    findings = _length_findings(text, rules, target)
    findings += _hashtag_findings(text, rules, target)
    findings += _link_findings(text, rules, target)
    if rules.requires_image and not has_image:
        findings.append(
            Finding(
                "image",
                "This touch point only publishes posts with an image, and none is attached.",
                -1,
                -1,
                "Attach an image to the post.",
                ERROR,
                target,
            )
        )
    return sorted(findings, key=lambda f: (f.start, f.end, f.rule))
