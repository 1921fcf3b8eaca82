"""CSV in and out of the posting calendar: a checked import, and bulk-upload exports.

Import (:func:`preview_schedule_csv`)
=====================================

A schedule made in a spreadsheet: a header row, then one post per row.

* Columns, matched by name whatever their case, spacing, ``_`` or ``-``:
  ``date``, ``time``, ``touch point`` (also ``touchpoint``), ``text``, and
  optionally ``title``. Other columns are ignored, so a planning sheet with
  notes can be imported as it is.
* Encoding UTF-8, with or without BOM (what "CSV UTF-8" in Excel writes);
  delimiter comma or semicolon (spreadsheets in most of Europe write
  semicolons), detected from the file.
* ``date`` is ``YYYY-MM-DD`` or ``DD.MM.YYYY``. Slashed dates are refused:
  ``05/03/2025`` is 5 March in Europe and May 3 in the US, and a schedule
  silently shifted by months is worse than a question.
* ``time`` is ``HH:MM`` (or ``HH:MM:SS``) on a 24-hour clock, in **the touch
  point's own time zone**, as the people planning posts for it think. A time
  that does not exist there (skipped when the clocks go forward) is refused;
  a time that happens twice (when they go back) is taken the first time.
* ``touch point`` is a touch point's name or id, case-insensitively.
* A row without ``title`` gets the first line of its text as its title.

The preview lists every row it could read and every problem, each with the
1-based line of the file where its row starts (a quoted text spanning several
lines counts all of them, as a text editor shows them). **The caller imports
only when** :attr:`CsvPreview.ok` **is true, and then imports every row**: a
half-imported schedule is worse than none, since nobody can tell which posts
are missing, and importing again after a fix would duplicate the others.

Exports (:func:`export_hootsuite_csv`, :func:`export_buffer_csv`)
=================================================================

Both tools take one social profile per upload, chosen in their upload
dialog, so a file holds the posts of one touch point (a typed error says so
otherwise). Only **scheduled** posts (approved, not yet out) are written:
a planned post has not been approved, and a bulk upload would publish it
around the approval. Left-out and adjusted posts are listed in
:attr:`CsvExport.notes`, sentences to show before the user uploads.

Sources and their limits: the tools' own help pages (Hootsuite Help Center,
"Bulk schedule posts", help.hootsuite.com/s/article/bulk-schedule; Buffer
Help Center, bulk upload of posts with a CSV file) were not reachable when
this was written. The layouts below follow how those pages are commonly
summarised and public generators of both formats; check an upload against
the tool's current sample file before relying on it for a campaign.

Hootsuite, Bulk Composer ("Publisher > Bulk schedule"):

* no header row; columns: date and time, message, link (optional; left empty,
  since any link stays in the message text where the editor put it);
* date and time as ``DD/MM/YYYY HH:MM`` (24 h), local time; the upload
  dialog asks for the date order, so ``day_first=False`` writes
  ``MM/DD/YYYY HH:MM`` for a dialog set that way. Hootsuite reads the times
  in the time zone of the user's Hootsuite settings: a note says which zone
  the file was written in;
* times must be in 5-minute steps: a time between steps is **rounded up**
  to the next one (never earlier than approved, which could be before an
  embargo) and noted;
* posts must be at least 10 minutes after the upload: posts less than 10
  minutes after ``now`` are left out and noted (upload the file promptly);
* at most 350 posts per upload (fewer if some are already scheduled): noted,
  not split.

Buffer, bulk upload ("Import" in the publishing queue):

* a header row ``Text,Image URL,Tags,Posting Time`` (names are
  case-sensitive); Image URL and Tags are left empty (Curator posts carry no
  image URL, and Buffer tags are Buffer's own labels);
* ``Posting Time`` as ``YYYY-MM-DD HH:MM`` (24 h), read in the time zone set
  for the Buffer channel, which must match the touch point's zone (a note
  says so);
* posts in the past are refused by Buffer: left out and noted;
* at most 100 posts per channel per file on paid plans (10 on the free
  plan): noted, not split.

Both files are UTF-8 without BOM (a BOM would become part of Buffer's first
header name) with CRLF line ends, fields quoted where needed (RFC 4180). The
tools change their layouts now and then; these were current when written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from curator.domain import PostStatus, ScheduledPost, TouchPoint
from curator.schedule.slots import ScheduleError, is_nonexistent, local_to_utc

__all__ = [
    "BUFFER_HEADER",
    "BUFFER_MAX_POSTS",
    "HOOTSUITE_MAX_POSTS",
    "HOOTSUITE_MIN_LEAD",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "CsvExport",
    "CsvExportError",
    "CsvPreview",
    "CsvProblem",
    "CsvRow",
    "ExportNote",
    "export_buffer_csv",
    "export_hootsuite_csv",
    "preview_schedule_csv",
]

#: Rows a schedule file may hold: far more than a team plans by hand, few enough to check in one preview.
MAX_ROWS = 5000
#: Bytes a schedule file may hold; 5,000 long posts fit well within it.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: How long a title taken from the text may be.
TITLE_LENGTH = 80

BUFFER_HEADER = ("Text", "Image URL", "Tags", "Posting Time")
BUFFER_MAX_POSTS = 100
HOOTSUITE_MAX_POSTS = 350
HOOTSUITE_MIN_LEAD = timedelta(minutes=10)
HOOTSUITE_STEP_MINUTES = 5

_REQUIRED = ("date", "time", "touchpoint", "text")
_LABELS = {"date": "date", "time": "time", "touchpoint": "touch point", "text": "text", "title": "title"}
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED_DATE_RE = re.compile(r"^\d{1,4}/\d{1,2}/\d{1,4}$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_QUOTED_RE = re.compile(r'"[^"]*"')


# ------------------------------------------------------------------ results


@dataclass
class CsvRow:
    """One row of a schedule file, read and checked.

    Attributes:
        line: the 1-based line of the file where the row starts.
        publish_at: when to post, in UTC.
        touchpoint_id: the touch point the row names.
        text: the post text (surrounding blank space removed).
        title: the row's title, or the first line of its text.
    """

    line: int
    publish_at: datetime
    touchpoint_id: str
    text: str
    title: str


@dataclass
class CsvProblem:
    """One thing wrong in a schedule file.

    Attributes:
        line: the 1-based line where the row starts; 0 for the whole file.
        message: a sentence saying what is wrong and how to fix it.
    """

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass
class CsvPreview:
    """What importing a schedule file would do; import only when :attr:`ok`.

    Attributes:
        rows: every row that could be read, in file order.
        problems: every problem, by line; a row with a problem is not in ``rows``.
    """

    rows: list[CsvRow] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file has rows and no problems: then, and only then, import all rows."""
        return not self.problems and bool(self.rows)


@dataclass(frozen=True)
class ExportNote:
    """A post left out of an export, or changed in it, and why (a sentence)."""

    post_id: str
    message: str


@dataclass
class CsvExport:
    """A bulk-upload file and what the user should know before uploading it.

    Attributes:
        data: the file's bytes.
        count: how many posts it holds.
        notes: posts left out or adjusted, and limits the file exceeds.
    """

    data: bytes
    count: int
    notes: list[ExportNote] = field(default_factory=list)


class CsvExportError(ScheduleError):
    """The posts cannot be written as one bulk-upload file."""


# ------------------------------------------------------------------ import


def _header_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        found = ""
    # The header line has no free text in it, so it settles what the sniffer gets wrong
    # (it wants several consistent lines, and texts full of commas can mislead it).
    header = _QUOTED_RE.sub("", next((ln for ln in sample.splitlines() if ln.strip()), ""))
    counts = {d: header.count(d) for d in (",", ";")}
    if counts.get(found):
        return found
    return ";" if counts[";"] > counts[","] else ","


def _csv_error(exc: csv.Error) -> str:
    detail = str(exc)
    if "unexpected end of data" in detail:
        return (
            "A quoted field starts on this line and its closing quote is missing, so the rest of the file "
            'cannot be read. Close the quote; a quote inside a text is written twice ("").'
        )
    if "expected after" in detail:
        return (
            "A quote ends in the middle of a field. A field holding quotes must be quoted as a whole, "
            'with each inner quote written twice ("").'
        )
    return f"This line cannot be read as CSV ({detail})."


def _parse_date(value: str) -> date | str:
    """The date, or a sentence saying why it is not one."""
    text = value.strip()
    if not text:
        return "The date is empty; write it as YYYY-MM-DD, e.g. 2025-11-24."
    parts: tuple[int, int, int] | None = None
    if m := _ISO_DATE_RE.match(text):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := _DOTTED_DATE_RE.match(text):
        parts = (int(m[3]), int(m[2]), int(m[1]))
    elif _SLASHED_DATE_RE.match(text):
        return (
            f"The date {text!r} could be read day-first or month-first; write it as YYYY-MM-DD "
            "(or DD.MM.YYYY) so there is no doubt."
        )
    if parts is None:
        return f"The date {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-11-24."
    try:
        return date(*parts)
    except ValueError:
        return f"The date {text!r} does not exist; check the day and the month."


def _parse_time(value: str) -> time | str:
    """The time of day, or a sentence saying why it is not one."""
    text = value.strip()
    m = _TIME_RE.match(text)
    if m:
        hours, minutes, seconds = int(m[1]), int(m[2]), int(m[3] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return time(hours, minutes, seconds)
    if not text:
        return "The time is empty; write it as HH:MM on a 24-hour clock, e.g. 17:30."
    return f"The time {text!r} is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 17:30."


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class _TouchPointIndex:
    """Finds a touch point by id or name, case-insensitively."""

    def __init__(self, touchpoints: Iterable[TouchPoint]) -> None:
        self.by_id: dict[str, TouchPoint] = {}
        self.by_name: dict[str, list[TouchPoint]] = {}
        for tp in touchpoints:
            self.by_id[tp.id.casefold()] = tp
            self.by_name.setdefault(_name_key(tp.name), []).append(tp)
        self.names = sorted((tp.name for tp in self.by_id.values()), key=str.casefold)

    def known(self) -> str:
        if not self.names:
            return "There are no touch points yet; add them in the touch point settings first."
        shown = ", ".join(f"'{n}'" for n in self.names[:10])
        more = f" and {len(self.names) - 10} more" if len(self.names) > 10 else ""
        return f"Known touch points: {shown}{more}."

    def find(self, value: str) -> TouchPoint | str:
        text = value.strip()
        if not text:
            return f"The touch point is empty. {self.known()}"
        by_id = self.by_id.get(text.casefold())
        if by_id is not None:
            return by_id
        named = self.by_name.get(_name_key(text), [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            ids = ", ".join(tp.id for tp in named)
            return f"Several touch points are called {text!r}; write the id of the one you mean ({ids})."
        return f"There is no touch point called {text!r}. {self.known()}"


def _title_from(text: str) -> str:
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1].rstrip() + "…"


def _describe(d: date, t: time) -> str:
    return f"{d.isoformat()} {t:%H:%M}"


def preview_schedule_csv(data: bytes, touchpoints: list[TouchPoint], *, now: datetime) -> CsvPreview:
    """Read a schedule file and check every row, without importing anything.

    Args:
        data: the file's bytes.
        touchpoints: the workspace's touch points, which rows may name.
        now: the current time; rows at or before it are problems.

    Returns:
        The rows read and the problems found (see the module docstring).
        Problems of the whole file (not UTF-8, no header, too large) have
        line 0 or the line where reading stopped. Import only when
        :attr:`CsvPreview.ok`.
    """
    preview = CsvPreview()
    problems = preview.problems
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            CsvProblem(
                0,
                f"The file is {len(data) / 1_048_576:.1f} MB; a schedule file may be up to "
                f"{MAX_FILE_BYTES // 1_048_576} MB. Split it and import the parts one after the other.",
            )
        )
        return preview
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            CsvProblem(
                line,
                f'The file is not UTF-8 text (byte 0x{data[exc.start]:02X} here). Save it as "CSV UTF-8" '
                "from your spreadsheet and import it again.",
            )
        )
        return preview
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(
            CsvProblem(
                line,
                "This is not a CSV file (it holds binary data). Save the schedule from your spreadsheet as "
                '"CSV UTF-8" and import that file.',
            )
        )
        return preview
    if not text.strip():
        problems.append(
            CsvProblem(
                0, "The file is empty. It needs a header line (date, time, touch point, text) and rows."
            )
        )
        return preview

    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(CsvProblem(start, _csv_error(exc)))
            continue
        if any(cell.strip() for cell in record):
            records.append((start, record))
    if not records:
        problems.append(
            CsvProblem(
                0, "The file holds no rows. It needs a header line (date, time, touch point, text) and rows."
            )
        )
        return preview

    header_line, header = records[0]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        if key in _LABELS:
            if key in columns:
                problems.append(
                    CsvProblem(header_line, f"The header names the column {_LABELS[key]!r} twice; keep one.")
                )
            else:
                columns[key] = index
    missing = [_LABELS[key] for key in _REQUIRED if key not in columns]
    if missing:
        found = ", ".join(repr(h.strip()) for h in header if h.strip()) or "nothing"
        problems.append(
            CsvProblem(
                header_line,
                f"The first line must be a header naming the columns date, time, touch point and text "
                f"(title is optional); {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing. "
                f"Found: {found}.",
            )
        )
        return preview

    finder = _TouchPointIndex(touchpoints)
    width = max(columns[key] for key in _REQUIRED) + 1
    seen: dict[tuple[str, datetime, str], int] = {}
    data_rows = records[1:]
    if len(data_rows) > MAX_ROWS:
        problems.append(
            CsvProblem(
                data_rows[MAX_ROWS][0],
                f"The file has {len(data_rows):,} rows; a schedule file may hold up to {MAX_ROWS:,}. "
                "Split it and import the parts one after the other.",
            )
        )
        data_rows = data_rows[:MAX_ROWS]
    for line, record in data_rows:
        if len(record) < width:
            name = {",": "comma", ";": "semicolon"}[delimiter]
            problems.append(
                CsvProblem(
                    line,
                    f"The row has {len(record)} fields but needs at least {width}; is a {name} missing, "
                    "or a text with line breaks not quoted?",
                )
            )
            continue
        row_problems: list[str] = []
        day = _parse_date(record[columns["date"]])
        at = _parse_time(record[columns["time"]])
        tp = finder.find(record[columns["touchpoint"]])
        body = record[columns["text"]].replace("\r\n", "\n").replace("\r", "\n").strip()
        title_at = columns.get("title", len(record))
        title = record[title_at].strip() if title_at < len(record) else ""
        for value in (day, at, tp):
            if isinstance(value, str):
                row_problems.append(value)
        if not body:
            row_problems.append("The text is empty; every row needs the text to post.")
        publish_at: datetime | None = None
        if isinstance(day, date) and isinstance(at, time) and isinstance(tp, TouchPoint):
            zone = ZoneInfo(tp.timezone)
            local = datetime.combine(day, at)
            if is_nonexistent(local, zone):
                row_problems.append(
                    f"{_describe(day, at)} does not exist in {tp.timezone}: the clocks jump forward over it "
                    "that night. Pick a time before or after the change."
                )
            else:
                publish_at = local_to_utc(local, zone)
                if publish_at <= now:
                    row_problems.append(
                        f"{_describe(day, at)} {tp.timezone} is in the past; "
                        "only future posts can be scheduled."
                    )
        if publish_at is not None and isinstance(tp, TouchPoint) and not row_problems:
            fingerprint = (tp.id, publish_at, body)
            if fingerprint in seen:
                row_problems.append(
                    f"This row repeats line {seen[fingerprint]} (same touch point, time and text)."
                )
            else:
                seen[fingerprint] = line
                preview.rows.append(CsvRow(line, publish_at, tp.id, body, title or _title_from(body)))
        problems.extend(CsvProblem(line, message) for message in row_problems)
    if not data_rows and not problems:
        problems.append(CsvProblem(0, "The file has a header but no rows to import."))
    problems.sort(key=lambda p: p.line)
    return preview


# ------------------------------------------------------------------ exports


def _single_touchpoint(
    posts: list[ScheduledPost], touchpoints: Mapping[str, TouchPoint], tool: str
) -> TouchPoint:
    ids = sorted({p.touchpoint_id for p in posts})
    if len(ids) > 1:
        names = ", ".join(touchpoints[i].name if i in touchpoints else i for i in ids)
        raise CsvExportError(
            f"{tool} takes the posts of one profile per upload, and these posts go to "
            f"{len(ids)} touch points ({names}). Export one touch point at a time."
        )
    tp = touchpoints.get(ids[0])
    if tp is None:
        raise CsvExportError(
            f"The touch point of these posts ({ids[0]}) no longer exists, so their local times are unknown. "
            "Move the posts to an existing touch point first."
        )
    return tp


def _exportable(posts: list[ScheduledPost], notes: list[ExportNote]) -> list[ScheduledPost]:
    keep: list[ScheduledPost] = []
    for post in posts:
        if post.status is PostStatus.SCHEDULED:
            keep.append(post)
        elif post.status is PostStatus.PLANNED:
            notes.append(ExportNote(post.id, f"{_post_label(post)} is not approved yet, so it was left out."))
        elif post.status is PostStatus.FAILED:
            notes.append(
                ExportNote(
                    post.id, f"{_post_label(post)} failed to publish; reschedule it before exporting it."
                )
            )
        # Cancelled, publishing and published posts are not to be posted again: nothing to say.
    return sorted(keep, key=lambda p: (p.publish_at, p.id))


def _post_label(post: ScheduledPost) -> str:
    return f"'{post.title}'" if post.title.strip() else f"Post {post.id}"


def _write(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _round_up(when: datetime, minutes: int) -> datetime:
    """The next whole ``minutes`` step at or after ``when``, in UTC.

    Rounding the UTC instant rounds the local time the same way: every zone
    in use today is offset from UTC by a multiple of 15 minutes.
    """
    when = when.astimezone(UTC)
    floor = when.replace(minute=when.minute - when.minute % minutes, second=0, microsecond=0)
    return floor if floor == when else floor + timedelta(minutes=minutes)


def export_hootsuite_csv(
    posts: list[ScheduledPost],
    touchpoints: Mapping[str, TouchPoint],
    *,
    now: datetime,
    day_first: bool = True,
) -> CsvExport:
    """The posts of one touch point in Hootsuite's Bulk Composer layout (see the module docstring).

    Args:
        posts: posts of one touch point; only scheduled ones are written.
        touchpoints: touch points by id, for the local time zone.
        now: the current time, for the 10-minute lead Hootsuite needs.
        day_first: write ``DD/MM/YYYY`` (else ``MM/DD/YYYY``), as chosen in
            Hootsuite's upload dialog.

    Raises:
        CsvExportError: the posts go to several touch points, or to one
            that no longer exists.
    """
    notes: list[ExportNote] = []
    if not posts:
        return CsvExport(b"", 0, notes)
    tp = _single_touchpoint(posts, touchpoints, "Hootsuite")
    zone = ZoneInfo(tp.timezone)
    date_format = "%d/%m/%Y %H:%M" if day_first else "%m/%d/%Y %H:%M"
    rows: list[list[str]] = []
    for post in _exportable(posts, notes):
        when = _round_up(post.publish_at, HOOTSUITE_STEP_MINUTES)
        if when < now + HOOTSUITE_MIN_LEAD:
            notes.append(
                ExportNote(
                    post.id,
                    f"{_post_label(post)} is due less than 10 minutes from now, too soon for Hootsuite's "
                    "bulk upload; it was left out. Schedule it in Hootsuite by hand.",
                )
            )
            continue
        local = when.astimezone(zone)
        if when != post.publish_at:
            before = post.publish_at.astimezone(zone)
            notes.append(
                ExportNote(
                    post.id,
                    f"{_post_label(post)} moves from {before:%H:%M} to {local:%H:%M} ({tp.timezone}): "
                    "Hootsuite takes times in 5-minute steps.",
                )
            )
        rows.append([local.strftime(date_format), post.text, ""])
    notes.append(
        ExportNote(
            "",
            f"Hootsuite reads the times in the time zone of your Hootsuite settings; set it to {tp.timezone} "
            f"for {tp.name} before uploading.",
        )
    )
    if len(rows) > HOOTSUITE_MAX_POSTS:
        notes.append(
            ExportNote(
                "",
                f"The file holds {len(rows)} posts; Hootsuite takes up to {HOOTSUITE_MAX_POSTS} per upload "
                "(fewer if posts are already scheduled there). Export shorter periods.",
            )
        )
    return CsvExport(_write(rows), len(rows), notes)


def export_buffer_csv(
    posts: list[ScheduledPost], touchpoints: Mapping[str, TouchPoint], *, now: datetime
) -> CsvExport:
    """The posts of one touch point in Buffer's bulk-upload layout (see the module docstring).

    Args:
        posts: posts of one touch point; only scheduled ones are written.
        touchpoints: touch points by id, for the local time zone.
        now: the current time; posts at or before it are left out.

    Raises:
        CsvExportError: the posts go to several touch points, or to one
            that no longer exists.
    """
    notes: list[ExportNote] = []
    rows: list[list[str]] = [list(BUFFER_HEADER)]
    if not posts:
        return CsvExport(_write(rows), 0, notes)
    tp = _single_touchpoint(posts, touchpoints, "Buffer")
    zone = ZoneInfo(tp.timezone)
    for post in _exportable(posts, notes):
        if post.publish_at <= now:
            notes.append(
                ExportNote(
                    post.id, f"{_post_label(post)} is due in the past, which Buffer refuses; it was left out."
                )
            )
            continue
        local = post.publish_at.astimezone(zone)
        rows.append([post.text, "", "", local.strftime("%Y-%m-%d %H:%M")])
    count = len(rows) - 1
    if count > BUFFER_MAX_POSTS:
        notes.append(
            ExportNote(
                "",
                f"The file holds {count} posts; Buffer takes up to {BUFFER_MAX_POSTS} per channel and file "
                "(10 on the free plan). Export shorter periods.",
            )
        )
    notes.append(
        ExportNote(
            "",
            f"Buffer reads the times in the time zone of the Buffer channel; set it to {tp.timezone} "
            f"for {tp.name} before uploading.",
        )
    )
    return CsvExport(_write(rows), count, notes)
