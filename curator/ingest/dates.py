"""Feed dates to timezone-aware UTC, through feedparser's own date handlers.

Feeds write dates in every format ever invented (RFC 822 with made-up zone
names, W3C-DTF, bare ISO 8601, asctime, Korean, Greek and Hungarian
localisations, Perforce...). feedparser ships a well-tested handler for each,
so we call those rather than write another date parser. We do not call
``feedparser._parse_date`` itself, because its chain tries the lax ISO 8601
handler second, and that handler invents: it fills a missing year, month or
day from *today*, and lets ``mktime`` roll impossible values over (25:14 on
31 December becomes 01:14 on 1 January). For ranking hot issues a wrong date
is worse than no date, so we try the strict handlers first and let the ISO
8601 handler speak only for strings it matches completely, with every field
in range and nothing taken from the clock.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from feedparser.datetimes import (
    _parse_date_asctime,
    _parse_date_greek,
    _parse_date_hungarian,
    _parse_date_iso8601,
    _parse_date_nate,
    _parse_date_onblog,
    _parse_date_perforce,
    _parse_date_rfc822,
    _parse_date_w3dtf,
)
from feedparser.datetimes import iso8601 as _fp_iso8601

__all__ = ["parse_date"]

_Handler = Callable[[str], Any]

# Strict handlers first: each returns None unless the whole string fits its
# grammar and every value is valid (they build a ``datetime``, which checks).
_STRICT_HANDLERS: tuple[_Handler, ...] = (
    _parse_date_w3dtf,
    _parse_date_rfc822,
    _parse_date_asctime,
    _parse_date_perforce,
    _parse_date_hungarian,
    _parse_date_greek,
    _parse_date_nate,
    _parse_date_onblog,
)

# feedparser's own ISO 8601 templates, reused to vet a string before its lax
# handler sees it (an empty list simply disables that last resort).
_ISO8601_MATCHERS: tuple[Callable[[str], re.Match[str] | None], ...] = tuple(
    getattr(_fp_iso8601, "_iso8601_matches", ())
)

# "Fri,24 Nov 2023 ..." (no space after the day name) defeats feedparser
# 6.0's RFC 822 handler; the day name is decoration, so give it its space.
_DAY_NAME_COMMA = re.compile(r"^([^\W\d_]{2,}),(?=\S)")

# Five bare digits read as YYDDD (a two-digit year and a day of the year)
# is a form ISO 8601:2004 withdrew; in a date field it is far likelier to be
# a stray number (a counter, a postcode) than a date, so we do not guess.
_BARE_FIVE_DIGITS = re.compile(r"\d{5}")

_HANDLER_ERRORS = (KeyError, OverflowError, ValueError, AttributeError, IndexError, TypeError)


def parse_date(value: str | time.struct_time | None) -> datetime | None:
    """Read a feed date as timezone-aware UTC, or None when it cannot be trusted.

    Args:
        value: The date text exactly as the feed wrote it, or a UTC
            ``struct_time`` (as feedparser's ``*_parsed`` fields hold).

    Returns:
        The moment in UTC, or None for empty, unknown or impossible dates.
        There is deliberately no "now" fallback: the caller decides what an
        undated item means (usually: the time we fetched it).
    """
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        return _from_struct(value)
    if not isinstance(value, str):
        return None
    text = _DAY_NAME_COMMA.sub(r"\1, ", value.strip())
    if not text:
        return None
    for handler in _STRICT_HANDLERS:
        found = _from_struct(_call(handler, text))
        if found is not None:
            return found
    if _iso8601_is_complete(text):
        return _from_struct(_call(_parse_date_iso8601, text))
    return None


def _call(handler: _Handler, text: str) -> Any:
    """Run one feedparser handler, treating its parse errors as "not mine"."""
    try:
        return handler(text)
    except _HANDLER_ERRORS:
        return None


def _from_struct(value: Any) -> datetime | None:
    """Turn a handler's 9-tuple into an aware datetime, rejecting what cannot exist."""
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in tuple(value)[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso8601_is_complete(text: str) -> bool:
    """Whether feedparser's ISO 8601 handler can read ``text`` without inventing anything.

    The handler accepts a matching *prefix* and fills absent parts from the
    clock, then normalises overflowing fields; so we demand a full match, an
    explicit year and month (or ordinal day), and in-range values. Five bare
    digits (``YYDDD``) are refused outright: see ``_BARE_FIVE_DIGITS``.
    """
    match = None
    for matcher in _ISO8601_MATCHERS:
        match = matcher(text)
        if match:
            break
    if match is None or match.end() != len(text) or _BARE_FIVE_DIGITS.fullmatch(text):
        return False
    fields = match.groupdict()
    year_text = fields.get("year")
    if not year_text or not (fields.get("month") or fields.get("ordinal")):
        return False
    year = int(year_text)
    if len(year_text) == 2:
        # The handler's own rule: a two-digit year is in the current century.
        year += 100 * (time.gmtime().tm_year // 100)
    if fields.get("ordinal"):
        if not 1 <= int(fields["ordinal"]) <= (366 if calendar.isleap(year) else 365):
            return False
    else:
        month = int(fields["month"])
        day = int(fields.get("day") or 1)
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
            return False
    limits = {"hour": 23, "minute": 59, "second": 59, "tzhour": 23, "tzmin": 59}
    return all(int(fields.get(name) or 0) <= limit for name, limit in limits.items())
