"""Import of social-listening exports (CSV, JSON, JSON Lines) as items.

Listening tools (Brandwatch, Talkwalker, Hootsuite, Meltwater, a platform's
own download) export mentions as spreadsheets whose columns differ from tool
to tool and whose encodings and delimiters differ from one locale to the
next. The import therefore works in three steps a person can check:

1. :func:`read_table` turns the bytes into named columns and rows, whatever
   the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
   Windows-1252) and delimiter (``,`` ``;`` tab ``|``, sniffed);
2. a :class:`ColumnMapping` says which column holds the text, the author,
   the time ...; :func:`guess_mapping` proposes one from common header names;
3. :func:`preview` shows the first rows as items and *every* problem with
   its line number; :func:`load_mentions` imports all rows or none.

All or nothing, because a half-imported export is worse than none: the user
cannot tell which rows are missing, and importing again after a fix must
not create duplicates. Item ids are derived from the row's content, so an
export imported twice yields the same ids and the caller's upsert stores
each mention once.

Times: ISO 8601 is read as such; other forms are read with python-dateutil,
with ambiguous numeric dates read **day first** (``05/03/2024`` is 5 March)
unless ``dayfirst=False`` is passed, since most exports outside the US use
that order. A time without a zone is taken as **UTC**; a time with a zone
abbreviation other than UTC/GMT is refused, because abbreviations such as
``CST`` name several zones. Times are stored timezone-aware in UTC.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit

from dateutil import parser as date_parser

from curator.domain import Channel, Item
from curator.errors import CuratorError
from curator.ingest.dedup import canonical_url, content_hash, minhash_signature, normalise_text

__all__ = [
    "MAX_FILE_BYTES",
    "ColumnMapping",
    "MentionImportError",
    "MentionPreview",
    "RowError",
    "Table",
    "guess_mapping",
    "load_mentions",
    "mention_id",
    "normalise_channel",
    "parse_mapping_arg",
    "parse_reach",
    "parse_time",
    "preview",
    "read_table",
]

#: Files above this size are refused before parsing: an export that large is better split by date range
#: than held in memory several times over (bytes, text, rows, items) on a desktop.
MAX_FILE_BYTES = 50 * 1024 * 1024

#: How many problems the exception message names; all of them are in ``MentionImportError.errors``.
MESSAGE_ERRORS = 5

DELIMITERS = ",;\t|"

# ------------------------------------------------------------------ results


class MentionImportError(CuratorError):
    """A mentions file cannot be imported; nothing from it was.

    Attributes:
        errors: Every problem found, with its line (or JSON item) number.
    """

    def __init__(self, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.errors: list[RowError] = list(errors)


@dataclass(frozen=True)
class RowError:
    """One problem in one row.

    Attributes:
        line: For CSV and JSON Lines the 1-based line of the file where the
            row starts (the header is line 1 if it is the first line); for
            a JSON array the 1-based position of the object; 0 for a problem
            of the whole file or mapping.
        message: What is wrong, as the end of a sentence ("the text is empty").
        label: "Line" or "Item", whichever ``line`` counts.
    """

    line: int
    message: str
    label: str = "Line"

    def __str__(self) -> str:
        if self.line:
            return f"{self.label} {self.line}: {self.message}."
        return f"{self.message[:1].upper()}{self.message[1:]}."


@dataclass
class ColumnMapping:
    """Which column of the export feeds which field of an item; only ``text`` is required."""

    text: str
    channel: str | None = None
    author: str | None = None
    author_reach: str | None = None
    url: str | None = None
    time: str | None = None
    title: str | None = None

    def assigned(self) -> dict[str, str]:
        """The fields that name a column, in declaration order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name)}

    def __str__(self) -> str:
        # The same form parse_mapping_arg reads, so a shown mapping can be pasted back.
        return ",".join(f"{name}={column}" for name, column in self.assigned().items())


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ColumnMapping))


@dataclass
class Table:
    """An export as named columns and rows of strings, before any interpretation.

    Attributes:
        columns: Header names, stripped; blanks become "Column N", repeats get " (2)".
        rows: One dict per readable row, column name to cell text.
        lines: The line (CSV, JSON Lines) or item number (JSON) of each row.
        errors: Rows that could not be read at all (broken quoting, wrong
            number of fields, invalid JSON line).
        label: "Line" or "Item": what ``lines`` count.
        encoding: The encoding the text was read with, to show to the user.
        delimiter: The CSV delimiter used, None for JSON.
    """

    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    label: str = "Line"
    encoding: str = "utf-8"
    delimiter: str | None = None

    @property
    def total_rows(self) -> int:
        """Data rows in the file, readable or not."""
        return len(self.rows) + len(self.errors)


@dataclass
class MentionPreview:
    """What an import would do, for a person to check before importing.

    Attributes:
        columns: The file's columns.
        rows: The first good rows as the items they would become.
        total_rows: Data rows in the file.
        errors: Every problem, in file order; empty means the import will succeed.
        mapping: The mapping used (the guessed one if none was given).
        encoding: The encoding the file was read with.
    """

    columns: list[str]
    rows: list[Item]
    total_rows: int
    errors: list[RowError]
    mapping: ColumnMapping
    encoding: str = "utf-8"


# --------------------------------------------------------------- mapping

_CANDIDATES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "permalink", "post url", "post link", "mention url", "permalink url", "tweet url"),
    "time": (
        "date",
        "time",
        "created",
        "created at",
        "published",
        "published at",
        "timestamp",
        "date time",
        "datetime",
        "post date",
        "created time",
        "publish date",
        "date published",
        "date posted",
    ),
    "author_reach": (
        "followers",
        "reach",
        "audience",
        "author followers",
        "follower count",
        "followers count",
        "twitter followers",
        "author reach",
        "potential reach",
    ),
    "author": (
        "author",
        "user",
        "username",
        "user name",
        "screen name",
        "handle",
        "author name",
        "author handle",
        "from user",
        "from",
    ),
    "channel": (
        "channel",
        "platform",
        "network",
        "source",
        "source type",
        "page type",
        "media type",
        "social network",
        "site type",
    ),
    "title": ("title", "headline", "subject"),
    "text": (
        "text",
        "full text",
        "message",
        "content",
        "tweet",
        "tweet text",
        "post",
        "post text",
        "body",
        "mention",
        "mention text",
        "comment",
        "review",
        "review text",
        "snippet",
        "description",
    ),
}
_NON_WORD_RE = re.compile(r"[\W_]+")


def _words(name: str) -> str:
    return _NON_WORD_RE.sub(" ", name.casefold()).strip()


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def guess_mapping(columns: list[str]) -> ColumnMapping:
    """A mapping proposed from the header names, for the user to confirm in the preview.

    Names are compared case-insensitively with punctuation ignored
    (``created_at`` is "created at"). Exact names win over names that merely
    contain a known word (``Twitter Followers`` contains "followers"); the
    specific fields are settled first (url, time, reach, author, channel,
    title) so that a column such as "Post link" is the URL before "post"
    could make it the text. Each column serves one field at most.

    Raises:
        MentionImportError: No column looks like the mention text.
    """
    normalised = [_words(c) for c in columns]
    taken: set[int] = set()
    chosen: dict[str, str] = {}
    for exact in (True, False):
        for name, candidates in _CANDIDATES.items():
            if name in chosen:
                continue
            for candidate in candidates:
                want = candidate.split()
                hit = next(
                    (
                        i
                        for i, have in enumerate(normalised)
                        if i not in taken and (have == candidate if exact else _contains(have.split(), want))
                    ),
                    None,
                )
                if hit is not None:
                    chosen[name] = columns[hit]
                    taken.add(hit)
                    break
    if "text" not in chosen:
        raise MentionImportError(
            f"None of the columns ({', '.join(columns) or 'none'}) looks like the text of a mention; "
            "name it in the column mapping, e.g. text=Message."
        )
    return ColumnMapping(**chosen)


_FIELD_ALIASES = {"reach": "author_reach", "followers": "author_reach", "date": "time", "link": "url"}


def parse_mapping_arg(value: str) -> ColumnMapping:
    """The mapping written on the command line as ``text=Message,author=User,time=Date``.

    Field names are case-insensitive; ``reach``/``followers`` (author_reach),
    ``date`` (time) and ``link`` (url) are accepted as well. Column names
    are taken as written, without surrounding spaces, and cannot contain a
    comma.

    Raises:
        MentionImportError: An unknown field, a field given twice, a part
            that is not ``field=Column``, or no text column.
    """
    known = ", ".join(FIELD_NAMES)
    chosen: dict[str, str] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        name, eq, column = part.partition("=")
        key = _words(name).replace(" ", "_")
        key = _FIELD_ALIASES.get(key, key)
        column = column.strip()
        if not eq or not column:
            raise MentionImportError(
                f"'{part.strip()}' in the column mapping is not field=Column; write e.g. "
                "text=Message,author=User,time=Date."
            )
        if key not in FIELD_NAMES:
            raise MentionImportError(
                f"'{name.strip()}' in the column mapping is not a field Curator knows; use {known}."
            )
        if key in chosen:
            raise MentionImportError(f"The column mapping names the {key} column twice; keep one.")
        chosen[key] = column
    if "text" not in chosen:
        raise MentionImportError("The column mapping must name the text column, e.g. text=Message.")
    return ColumnMapping(**chosen)


# --------------------------------------------------------------- reading


def _check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise MentionImportError(
            f"The file is {len(data) / 1_048_576:.1f} MB; Curator imports exports of up to "
            f"{MAX_FILE_BYTES // 1_048_576} MB. Export a shorter date range (or split the file) and "
            "import the parts; nothing was imported."
        )


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-16 (BOM), UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError:
            pass
    raise MentionImportError(
        "The file is not readable text in UTF-8, UTF-16 or Windows-1252; save the export as "
        '"CSV UTF-8" and import it again. Nothing was imported.'
    )


_QUOTED_RE = re.compile(r'"[^"]*"')


def _sniff_delimiter(text: str, filename: str) -> str:
    if filename.lower().endswith(".tsv"):
        return "\t"
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    if found in DELIMITERS and found:
        return found
    # The sniffer needs several consistent lines; fall back to the delimiter most used by the header.
    header = _QUOTED_RE.sub("", next((ln for ln in sample.splitlines() if ln.strip()), ""))
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_problem(exc: csv.Error, end_line: int) -> str:
    detail = str(exc)
    if "unexpected end of data" in detail:
        return (
            "a quoted field opens here and is never closed, so the rest of the file "
            f"(to line {end_line}) cannot be read"
        )
    if "expected after" in detail:
        return (
            "a quote ends in the middle of a field; a field holding quotes must be quoted as a whole, "
            'with each inner quote doubled ("")'
        )
    if "field larger than field limit" in detail:
        return (
            f"a field is longer than {csv.field_size_limit():,} characters, which usually means "
            "a quote is never closed"
        )
    if "NUL" in detail:
        return "the line contains a NUL character; is this really a text export?"
    return f"the CSV cannot be read here ({detail})"


def _unique_header(record: list[str]) -> list[str]:
    names: list[str] = []
    seen: Counter[str] = Counter()
    for i, cell in enumerate(record, start=1):
        name = cell.strip() or f"Column {i}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _read_csv(data: bytes, filename: str) -> Table:
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text, filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    broken: list[RowError] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            broken.append(RowError(start, _csv_problem(exc, reader.line_num)))
            continue
        if any(cell.strip() for cell in record):
            records.append((start, record))
    if not records:
        raise MentionImportError("The file holds no rows (not even a header line); nothing was imported.")
    # Some tools write a few report lines (title, query, date range) above the header: short records
    # (one or two fields) narrower than what most records have. The header is the first other record.
    widths = Counter(len(r) for _, r in records[:50])
    width = max(widths, key=lambda w: (widths[w], -w))
    first = next(i for i, (_, r) in enumerate(records) if len(r) >= min(width, 3))
    header_line, header = records[first]
    columns = _unique_header(header)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    errors = [e for e in broken if e.line > header_line]
    for line, record in records[first + 1 :]:
        if len(record) > len(columns) and not any(c.strip() for c in record[len(columns) :]):
            record = record[: len(columns)]  # trailing empty cells, as spreadsheets like to write
        if len(record) != len(columns):
            errors.append(
                RowError(
                    line,
                    f"the row has {len(record)} fields but the header has {len(columns)}; a "
                    f"{_delimiter_name(delimiter)} inside an unquoted field, or a missing one?",
                )
            )
            continue
        rows.append(dict(zip(columns, record, strict=True)))
        lines.append(line)
    errors.sort(key=lambda e: e.line)
    return Table(columns, rows, lines, errors, "Line", encoding, delimiter)


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}.get(delimiter, repr(delimiter))


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested objects become dotted columns ("author.name"), as the exporting tools name them."""
    out: dict[str, str] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
            out[name] = ", ".join(_scalar(v) for v in value)
        else:
            out[name] = _scalar(value)
    return out


_RECORD_KEYS = ("data", "mentions", "items", "results", "records", "rows", "posts", "hits", "documents")


def _find_records(doc: Any, depth: int = 0) -> list[Any] | None:
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict) or depth > 3:
        return None
    for key in (*_RECORD_KEYS, *doc.keys()):
        value = doc.get(key)
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            return value
    for value in doc.values():
        found = _find_records(value, depth + 1)
        if found is not None:
            return found
    return None


def _table_from_objects(
    objects: list[tuple[int, Any]], label: str, errors: list[RowError], encoding: str
) -> Table:
    columns: dict[str, None] = {}
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for number, obj in objects:
        if not isinstance(obj, dict):
            errors.append(RowError(number, "is not an object with named fields", label))
            continue
        row = _flatten(obj)
        columns.update(dict.fromkeys(row))
        rows.append(row)
        lines.append(number)
    if not rows and not errors:
        raise MentionImportError("The file holds no mentions; nothing was imported.")
    names = list(columns)
    filled = [{name: row.get(name, "") for name in names} for row in rows]
    errors.sort(key=lambda e: e.line)
    return Table(names, filled, lines, errors, label, encoding, None)


def _read_json_lines(text: str, encoding: str) -> Table:
    objects: list[tuple[int, Any]] = []
    errors: list[RowError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            objects.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(RowError(number, f"the line is not valid JSON ({exc.msg}, column {exc.colno})"))
    if not objects and not errors:
        raise MentionImportError("The file holds no mentions; nothing was imported.")
    return _table_from_objects(objects, "Line", errors, encoding)


def _read_json(data: bytes, lines: bool) -> Table:
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8"
    try:
        text = data.decode("utf-16" if encoding == "utf-16" else "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MentionImportError(
            f"The JSON file is not UTF-8 text (byte {exc.start}); JSON exports must be UTF-8. "
            "Nothing was imported."
        ) from exc
    if lines:
        return _read_json_lines(text, encoding)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line: JSON Lines under a .json name
            return _read_json_lines(text, encoding)
        raise MentionImportError(
            f"The JSON file is not valid (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "nothing was imported."
        ) from exc
    records = _find_records(doc)
    if records is None:
        raise MentionImportError(
            "The JSON file holds no list of mentions (expected a list of objects, or an object with "
            'such a list under a key like "data" or "mentions"); nothing was imported.'
        )
    return _table_from_objects(list(enumerate(records, start=1)), "Item", [], encoding)


def read_table(data: bytes, filename: str) -> Table:
    """The export's columns and rows, without interpreting any cell.

    The format follows the file name (``.csv``/``.tsv``/``.txt``,
    ``.json``, ``.jsonl``/``.ndjson``) or, failing that, the first
    character. CSV quoting follows RFC 4180 (fields in double quotes may
    hold delimiters, newlines and doubled quotes); report lines some tools
    write above the header are skipped. JSON may be a list of objects or an
    object holding one under a key such as "data", "mentions" or "items";
    nested objects become dotted columns.

    Raises:
        MentionImportError: The file is too large, empty, a spreadsheet
            workbook, not text, or not valid JSON.
    """
    _check_size(data)
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xls", ".ods")):
        raise MentionImportError(
            'The file is a spreadsheet workbook; save it as "CSV UTF-8" from your spreadsheet program '
            "and import the CSV. Nothing was imported."
        )
    if name.endswith((".jsonl", ".ndjson")):
        return _read_json(data, lines=True)
    if name.endswith(".json"):
        return _read_json(data, lines=False)
    if not name.endswith((".csv", ".tsv", ".txt")):
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head in (b"[", b"{"):
            return _read_json(data, lines=False)
    return _read_csv(data, filename)


# ------------------------------------------------------------ cell values

_CHANNEL_ALIASES: dict[str, Channel] = {
    **{k: Channel.X for k in ("x", "twitter", "tweet", "tweets", "tw", "t co", "twitter x", "x twitter")},
    **{k: Channel.FACEBOOK for k in ("facebook", "fb", "fb me", "facebook page", "facebook comments")},
    **{k: Channel.INSTAGRAM for k in ("instagram", "ig", "insta", "instagr am")},
    **{k: Channel.LINKEDIN for k in ("linkedin", "linked in", "li", "lnkd in")},
    **{k: Channel.MASTODON for k in ("mastodon", "fediverse")},
    **{k: Channel.REDDIT for k in ("reddit", "redd it")},
    **{k: Channel.YOUTUBE for k in ("youtube", "yt", "youtu be")},
    **{
        k: Channel.REVIEW
        for k in (
            "review",
            "reviews",
            "trustpilot",
            "yelp",
            "tripadvisor",
            "feefo",
            "reevoo",
            "google reviews",
            "google review",
            "google my business",
            "google business profile",
            "gmb",
            "app store",
            "appstore",
            "google play",
            "play store",
        )
    },
    **{
        k: Channel.FORUM
        for k in (
            "forum",
            "forums",
            "board",
            "boards",
            "message board",
            "discussion",
            "discussions",
            "community",
        )
    },
    **{k: Channel.EMAIL for k in ("email", "e mail", "mail")},
    **{k: Channel.BLOG for k in ("blog", "blogs", "tumblr", "medium", "wordpress", "blogger", "substack")},
    **{
        k: Channel.NEWS
        for k in ("news", "online news", "onlinenews", "press", "print", "newspaper", "magazine", "broadcast")
    },
    **{k: Channel.OTHER for k in ("other", "others", "unknown", "web", "website")},
}
_HOST_PREFIXES = re.compile(r"^(?:www|m|mobile|web|old|new)\.")


def normalise_channel(value: str, default: Channel = Channel.OTHER) -> Channel:
    """The Channel a tool's network name means; unknown names are ``Channel.OTHER``.

    Accepts names ("Twitter", "X", "FB", "IG", "Trustpilot"), tool codes
    ("SOCIALMEDIA_TWITTER", "ONLINENEWS") and domains or links
    ("twitter.com", "https://www.facebook.com/..."). An empty cell takes
    ``default`` (the channel chosen for the whole import).
    """
    text = value.strip().casefold()
    if not text:
        return default
    keys: list[str] = [_words(text)]
    if "." in text or "/" in text:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
        host = _HOST_PREFIXES.sub("", host)
        keys += [_words(host), *host.split(".")]
    words = _words(text).split()
    keys += ["".join(words), *words]
    for key in keys:
        channel = _CHANNEL_ALIASES.get(key)
        if channel is not None and (channel is not Channel.OTHER or key == keys[0]):
            return channel
    return Channel.OTHER


_PLACEHOLDERS = frozenset({"-", "--", "n/a", "na", "none", "null", "nan", "unknown", "?"})
_GROUPED_RE = re.compile(r"\d{1,3}(?:([,.'\u00a0\u202f ])\d{3})(?:\1\d{3})*")
_NUMBER_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*([kmb]?)", re.IGNORECASE)
_SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def parse_reach(value: str) -> int | None:
    """An audience size from a cell: ``1234``, ``1,234``, ``1.234``, ``1 234``, ``12.5K``, ``1.2M``.

    Returns:
        The number, or None for an empty cell or a placeholder such as "-" or "n/a".

    Raises:
        ValueError: The value is negative or not a number (the message ends a sentence).
    """
    text = value.strip()
    if not text or text.lower() in _PLACEHOLDERS:
        return None
    negative = text.startswith("-")
    body = text.lstrip("+-").strip()
    if _GROUPED_RE.fullmatch(body):
        number = float(re.sub(r"\D", "", body))
    else:
        match = _NUMBER_RE.fullmatch(body)
        if match is None:
            raise ValueError(f"the reach '{text}' is not a number")
        number = float(match[1].replace(",", ".")) * _SCALE[match[2].lower()]
    if negative and number:
        raise ValueError(f"the reach '{text}' is negative")
    return round(number)


_YEAR_FIRST_RE = re.compile(r"\s*\d{4}[-/.]")
_EPOCH_RE = re.compile(r"(\d{9,10})(?:\.\d+)?|(\d{12,13})")
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UT"})
#: Default for fields missing from the text: year 1 is what no mention was ever dated, so it shows the
#: year was missing.
_NO_DATE = datetime(1, 1, 1)


class _UnknownZone(Exception):
    pass


def _tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
    if offset is not None:
        return UTC if offset == 0 else timezone(timedelta(seconds=offset))
    if name is None:
        return None
    if name.upper() in _UTC_NAMES:
        return UTC
    raise _UnknownZone(name)


def parse_time(value: str, *, dayfirst: bool = True) -> datetime | None:
    """A timezone-aware UTC datetime from a cell; None for an empty cell.

    ISO 8601 first (so ``2024-03-05`` is never read day first), then Unix
    timestamps in seconds or milliseconds, then python-dateutil's parser
    with ``dayfirst`` for numeric dates such as ``05/03/2024 14:22``. A time
    without a zone is taken as UTC.

    Raises:
        ValueError: Not a date, a date without a year, or a zone
            abbreviation that names no single zone.
    """
    text = value.strip()
    if not text:
        return None
    epoch = _EPOCH_RE.fullmatch(text)
    if epoch:
        seconds = float(text) / (1000 if epoch[2] else 1)
        return datetime.fromtimestamp(seconds, UTC)
    parsed = _parse_iso(text) or _parse_loose(text, dayfirst)
    return _to_utc(parsed, text)


def _to_utc(parsed: datetime, text: str) -> datetime:
    try:
        return parsed.replace(tzinfo=UTC) if parsed.utcoffset() is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"the time '{text}' is out of range") from None


def _parse_iso(text: str) -> datetime | None:
    try:
        parsed: datetime = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None
    return parsed


@functools.lru_cache(maxsize=16384)
def _parse_loose(text: str, dayfirst: bool) -> datetime:
    # dateutil takes ~0.3 ms a string, most of an import's time; exports repeat their minutes a lot.
    year_first = bool(_YEAR_FIRST_RE.match(text))
    try:
        parsed: datetime = date_parser.parse(
            text,
            dayfirst=dayfirst and not year_first,
            yearfirst=year_first,
            default=_NO_DATE,
            tzinfos=_tzinfos,
        )
    except _UnknownZone as exc:
        raise ValueError(
            f"the time zone '{exc}' in '{text}' names more than one zone; write an offset such as +01:00"
        ) from None
    except (ValueError, OverflowError):
        raise ValueError(f"the time '{text}' is not a date") from None
    if parsed.year == _NO_DATE.year:
        raise ValueError(f"the time '{text}' has no year")
    return parsed


def mention_id(source_id: str, url: str, text: str, published_at: datetime | None, author: str) -> str:
    """A stable id for a mention, so importing the same export again updates instead of duplicating.

    With a URL: the source, the canonical URL and the normalised text. The
    text is included because some exports put a *shared* link (the article,
    the brand's post under which people comment) in the URL column, and
    those rows must stay distinct; the normalised text does not change
    between two exports of one post. Without a URL: the source, the text,
    the time and the author.
    """
    if url:
        parts = [source_id, canonical_url(url), normalise_text(text)]
    else:
        when = published_at.isoformat() if published_at else ""
        parts = [source_id, normalise_text(text), when, author.strip().casefold()]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


# ------------------------------------------------------------ conversion


def _resolve(mapping: ColumnMapping, columns: list[str]) -> tuple[dict[str, str], list[RowError]]:
    """Field to actual column name; a name that matches no column exactly may match ignoring case."""
    by_words: dict[str, list[str]] = {}
    for column in columns:
        by_words.setdefault(_words(column), []).append(column)
    resolved: dict[str, str] = {}
    errors: list[RowError] = []
    for name, wanted in mapping.assigned().items():
        if wanted in columns:
            resolved[name] = wanted
        elif len(by_words.get(_words(wanted), [])) == 1:
            resolved[name] = by_words[_words(wanted)][0]
        else:
            errors.append(
                RowError(
                    0,
                    f"there is no column '{wanted}' for the {name.replace('_', ' ')}; the columns are: "
                    f"{', '.join(columns)}",
                )
            )
    return resolved, errors


def _convert(
    row: dict[str, str],
    resolved: dict[str, str],
    source_id: str,
    default_channel: Channel,
    dayfirst: bool,
) -> tuple[Item | None, list[str]]:
    def cell(name: str) -> str:
        column = resolved.get(name)
        return row.get(column, "").strip() if column else ""

    problems: list[str] = []
    text = cell("text")
    if not text:
        problems.append("the text is empty")
    reach = published = None
    try:
        reach = parse_reach(cell("author_reach"))
    except ValueError as exc:
        problems.append(str(exc))
    try:
        published = parse_time(cell("time"), dayfirst=dayfirst)
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        return None, problems
    url, author = cell("url"), cell("author")
    item = Item(
        source_id=source_id,
        title=cell("title"),
        text=text,
        url=url,
        author=author,
        author_reach=reach,
        channel=normalise_channel(cell("channel"), default_channel),
        published_at=published,
        id=mention_id(source_id, url, text, published, author),
    )
    return item, []


def _fingerprint(item: Item) -> Item:
    item.canonical_url = canonical_url(item.url) if item.url else ""
    item.content_hash = content_hash(item.title, item.text)
    item.minhash = minhash_signature(item.text)
    return item


def _analyse(
    data: bytes,
    filename: str,
    mapping: ColumnMapping | None,
    source_id: str,
    default_channel: Channel,
    dayfirst: bool,
) -> tuple[Table, ColumnMapping, Iterator[tuple[int, Item | None, list[RowError]]], list[RowError]]:
    table = read_table(data, filename)
    mapping = mapping or guess_mapping(table.columns)
    resolved, mapping_errors = _resolve(mapping, table.columns)

    def rows() -> Iterator[tuple[int, Item | None, list[RowError]]]:
        if mapping_errors:
            return
        for line, row in zip(table.lines, table.rows, strict=True):
            item, problems = _convert(row, resolved, source_id, default_channel, dayfirst)
            yield line, item, [RowError(line, p, table.label) for p in problems]

    return table, mapping, rows(), mapping_errors + table.errors


def _collect(
    rows: Iterator[tuple[int, Item | None, list[RowError]]], errors: list[RowError], keep: int
) -> tuple[list[Item], list[RowError]]:
    items: list[Item] = []
    found = list(errors)
    for _, item, problems in rows:
        found.extend(problems)
        if item is not None and len(items) < keep:
            items.append(item)
    found.sort(key=lambda e: e.line)  # stable: a row's problems stay in field order
    return items, found


def preview(
    data: bytes,
    filename: str,
    mapping: ColumnMapping | None = None,
    limit: int = 20,
    *,
    source_id: str = "preview",
    default_channel: Channel = Channel.OTHER,
    dayfirst: bool = True,
) -> MentionPreview:
    """What :func:`load_mentions` would import, and every problem that would stop it.

    Every row is checked (so the list of problems is complete); only the
    first ``limit`` good rows are turned into full items. Nothing is stored.

    Args:
        data: The file's bytes.
        filename: Its name, whose extension decides between CSV and JSON.
        mapping: The columns to use; None to use :func:`guess_mapping`.
        limit: How many items to show.
        source_id: The source the items would belong to (ids depend on it).
        default_channel: The channel of rows that name none.
        dayfirst: Read ambiguous numeric dates as day/month (see module notes).

    Raises:
        MentionImportError: The file cannot be read at all (see
            :func:`read_table`), or no mapping was given and none can be guessed.
    """
    table, used, rows, errors = _analyse(data, filename, mapping, source_id, default_channel, dayfirst)
    items, problems = _collect(rows, errors, max(0, limit))
    return MentionPreview(
        columns=table.columns,
        rows=[_fingerprint(item) for item in items],
        total_rows=table.total_rows,
        errors=problems,
        mapping=used,
        encoding=table.encoding,
    )


def _failure_message(errors: list[RowError]) -> str:
    named = " ".join(str(e) for e in errors[:MESSAGE_ERRORS])
    more = len(errors) - MESSAGE_ERRORS
    extra = f" ({more} more problem{'s' if more > 1 else ''} not listed here.)" if more > 0 else ""
    return f"{named}{extra} Nothing was imported; fix the file or the column mapping."


def load_mentions(
    data: bytes,
    filename: str,
    mapping: ColumnMapping | None,
    source_id: str,
    default_channel: Channel = Channel.OTHER,
    *,
    dayfirst: bool = True,
) -> list[Item]:
    """Every row of an export as an Item, or none at all.

    Items carry stable ids (:func:`mention_id`), canonical URLs, content
    hashes and MinHash signatures, so the caller can upsert them and check
    them for duplicates. A row repeated in the file (same id) is returned
    once. A channel name Curator does not know is not an error: the item
    gets ``Channel.OTHER``.

    Raises:
        MentionImportError: The file cannot be read, or any row has a
            problem (broken quoting, wrong number of fields, empty text,
            a time that is not a date, a reach that is negative or not a
            number). The message names the first problems with their line
            numbers; ``errors`` lists them all.
    """
    table, _, rows, errors = _analyse(data, filename, mapping, source_id, default_channel, dayfirst)
    items, problems = _collect(rows, errors, keep=table.total_rows)
    if problems:
        raise MentionImportError(_failure_message(problems), problems)
    seen: set[str] = set()
    unique: list[Item] = []
    for item in items:  # the first of repeated rows wins
        if item.id not in seen:
            seen.add(item.id)
            unique.append(_fingerprint(item))
    return unique
