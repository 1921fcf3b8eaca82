"""CSV schedule import (preview with line numbers, all or nothing) and Hootsuite/Buffer exports."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from curator.domain import PostStatus, ScheduledPost, TouchPoint, TouchPointKind
from curator.errors import CuratorError
from curator.schedule.csv_io import (
    BUFFER_HEADER,
    MAX_ROWS,
    CsvExportError,
    CsvPreview,
    CsvProblem,
    CsvRow,
    export_buffer_csv,
    export_hootsuite_csv,
    preview_schedule_csv,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def x() -> TouchPoint:
    return TouchPoint(name="X @northwind", kind=TouchPointKind.X, timezone="Europe/Berlin", id="tp-x")


@pytest.fixture
def li() -> TouchPoint:
    return TouchPoint(name="LinkedIn", kind=TouchPointKind.LINKEDIN, timezone="America/New_York", id="tp-li")


def preview(text: str, *touchpoints: TouchPoint, encoding: str = "utf-8") -> CsvPreview:
    return preview_schedule_csv(text.encode(encoding), list(touchpoints), now=NOW)


def problems(result: CsvPreview) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in result.problems]


# ------------------------------------------------------------------ import: good files


def test_a_good_file_reads_local_times_in_each_touch_points_zone(x: TouchPoint, li: TouchPoint) -> None:
    result = preview(
        "Date,Time,Touch Point,Text,Title\n"
        "2026-03-02,09:00,X @northwind,Spring cups are here,Spring\n"
        "2026-07-01,09:00,linkedin,Summer hours,\n"
        "02.03.2026,17:30,TP-X,Evening post,\n",
        x,
        li,
    )
    assert result.ok
    assert result.problems == []
    assert result.rows == [
        CsvRow(2, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "tp-x", "Spring cups are here", "Spring"),
        CsvRow(3, datetime(2026, 7, 1, 13, 0, tzinfo=UTC), "tp-li", "Summer hours", "Summer hours"),
        CsvRow(4, datetime(2026, 3, 2, 16, 30, tzinfo=UTC), "tp-x", "Evening post", "Evening post"),
    ]


def test_bom_and_semicolons_with_commas_in_texts(x: TouchPoint) -> None:
    data = codecs.BOM_UTF8 + (
        b"date;time;touchpoint;text\r\n"
        b"2026-03-02;09:00;X @northwind;Cups, mugs, and saucers, all new\r\n"
        b"2026-03-03;09:00;X @northwind;One, two, three, four, five\r\n"
    )
    result = preview_schedule_csv(data, [x], now=NOW)
    assert result.ok, result.problems
    assert [r.text for r in result.rows] == [
        "Cups, mugs, and saucers, all new",
        "One, two, three, four, five",
    ]


def test_header_names_are_matched_loosely_and_other_columns_ignored(x: TouchPoint) -> None:
    result = preview("Notes,TEXT,touch_point, Time ,DATE\nignore me,Hello,x @NORTHWIND,09:00,2026-03-02\n", x)
    assert result.ok
    assert result.rows[0].text == "Hello"
    assert result.rows[0].publish_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_multiline_text_keeps_its_lines_and_gives_a_title(x: TouchPoint) -> None:
    result = preview(
        'date,time,touch point,text\r\n2026-03-02,09:00,X @northwind,"First line\r\nSecond line"\r\n', x
    )
    assert result.ok
    assert result.rows[0].text == "First line\nSecond line"
    assert result.rows[0].title == "First line"


def test_a_repeated_fall_back_time_is_taken_the_first_time(x: TouchPoint) -> None:
    result = preview("date,time,touch point,text\n2026-10-25,02:30,X @northwind,Night owl\n", x)
    assert result.ok
    assert result.rows[0].publish_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


# ------------------------------------------------------------------ import: bad rows


BAD_FILE = (
    "date,time,touch point,text\n"  # 1
    '2026-03-02,09:00,X @northwind,"Spring is here,\n'  # 2
    "and so are the new cups.\n"  # 3
    'Come by!"\n'  # 4
    "2026-02-30,09:00,X @northwind,Bad date\n"  # 5
    "2026-03-02,09:00,Nowhere,Unknown touch point\n"  # 6
    "2026-03-02,25:00,X @northwind,Bad time\n"  # 7
    "2026-03-02,09:05,X @northwind,   \n"  # 8
    "2025-01-01,09:00,X @northwind,In the past\n"  # 9
    "2026-03-29,02:30,X @northwind,In the gap\n"  # 10
    "03/02/2026,09:00,X @northwind,Slashed\n"  # 11
    "2026-03-02,09:00\n"  # 12
    "\n"  # 13
    "02.03.2026,10:00,x @northwind,Dotted date\n"  # 14
    "2026-03-02,10:00,X @northwind,Dotted date\n"  # 15
    "nope,,X @northwind,\n"  # 16
)


def test_bad_rows_are_reported_with_their_line_numbers(x: TouchPoint, li: TouchPoint) -> None:
    result = preview(BAD_FILE, x, li)
    assert not result.ok
    got = problems(result)
    expected_starts = [
        (5, "The date '2026-02-30' does not exist"),
        (6, "There is no touch point called 'Nowhere'. Known touch points: 'LinkedIn', 'X @northwind'."),
        (7, "The time '25:00' is not a time of day"),
        (8, "The text is empty"),
        (9, "2025-01-01 09:00 Europe/Berlin is in the past"),
        (10, "2026-03-29 02:30 does not exist in Europe/Berlin"),
        (11, "The date '03/02/2026' could be read day-first or month-first"),
        (12, "The row has 2 fields but needs at least 4"),
        (15, "This row repeats line 14"),
        (16, "The date 'nope' is not a date"),
        (16, "The time is empty"),
        (16, "The text is empty"),
    ]
    assert [line for line, _ in got] == [line for line, _ in expected_starts]
    for (line, message), (_, start) in zip(got, expected_starts, strict=True):
        assert message.startswith(start), (line, message)
        assert message.endswith((".", "?")), message
    # The rows that are fine are still shown, so the preview can list them.
    assert [r.line for r in result.rows] == [2, 14]
    assert result.rows[0].text == "Spring is here,\nand so are the new cups.\nCome by!"


def test_problem_strings_carry_the_line(x: TouchPoint) -> None:
    result = preview("date,time,touch point,text\n2026-03-02,9 am,X @northwind,Hi\n", x)
    assert [str(p) for p in result.problems] == [
        "Line 2: The time '9 am' is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 17:30."
    ]
    assert str(CsvProblem(0, "The file is empty.")) == "The file is empty."


def test_line_numbers_count_crlf_multiline_fields(x: TouchPoint) -> None:
    text = (
        "date;time;touch point;text\r\n"  # 1
        '2026-03-02;09:00;X @northwind;"a\r\nb\r\nc"\r\n'  # 2-4
        "2026-03-02;10:00;Y;d\r\n"  # 5
    )
    result = preview(text, x)
    assert [p.line for p in result.problems] == [5]


def test_an_unclosed_quote_is_reported_where_it_opens(x: TouchPoint) -> None:
    result = preview(
        'date,time,touch point,text\n2026-03-02,09:00,X @northwind,ok\n2026-03-03,09:00,X @northwind,"open\n'
        "more\n",
        x,
    )
    assert [p.line for p in result.problems] == [3]
    assert "closing quote is missing" in result.problems[0].message


def test_same_named_touch_points_must_be_named_by_id(x: TouchPoint) -> None:
    twin = TouchPoint(name="x @Northwind", kind=TouchPointKind.X, id="tp-x2")
    result = preview("date,time,touch point,text\n2026-03-02,09:00,X @northwind,Hi\n", x, twin)
    assert problems(result) == [
        (2, "Several touch points are called 'X @northwind'; write the id of the one you mean (tp-x, tp-x2).")
    ]
    by_id = preview("date,time,touch point,text\n2026-03-02,09:00,tp-x2,Hi\n", x, twin)
    assert by_id.ok and by_id.rows[0].touchpoint_id == "tp-x2"


# ------------------------------------------------------------------ import: bad files


def test_a_file_that_is_not_utf8_names_the_line_and_the_fix(x: TouchPoint) -> None:
    data = (
        "date,time,touch point,text\n2026-03-02,09:00,X @northwind,ok\n2026-03-03,09:00,X @northwind,café\n"
    )
    result = preview_schedule_csv(data.encode("cp1252"), [x], now=NOW)
    assert result.rows == []
    assert [p.line for p in result.problems] == [3]
    assert "not UTF-8" in result.problems[0].message
    assert "CSV UTF-8" in result.problems[0].message


def test_binary_data_is_not_a_csv_file(x: TouchPoint) -> None:
    result = preview_schedule_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [x], now=NOW)
    assert not result.ok
    assert len(result.problems) == 1
    assert problems(result)[0][0] == 1
    assert "not UTF-8" in result.problems[0].message
    result = preview_schedule_csv(b"hello\x00world", [x], now=NOW)
    assert problems(result)[0][0] == 1
    assert "not a CSV file" in result.problems[0].message


def test_text_without_the_expected_header_is_refused(x: TouchPoint) -> None:
    result = preview('{"posts": [{"text": "hello"}]}\n', x)
    assert not result.ok
    assert [p.line for p in result.problems] == [1]
    assert "header" in result.problems[0].message
    assert "date, time, touch point, text are missing" in result.problems[0].message


def test_a_header_row_is_required(x: TouchPoint) -> None:
    result = preview("2026-03-02,09:00,X @northwind,Hi\n", x)
    assert [p.line for p in result.problems] == [1]
    assert "Found: '2026-03-02', '09:00', 'X @northwind', 'Hi'." in result.problems[0].message


@pytest.mark.parametrize("text", ["", "\n\n", "date,time,touch point,text\n"])
def test_empty_files_are_problems_not_empty_imports(text: str, x: TouchPoint) -> None:
    result = preview(text, x)
    assert not result.ok
    assert len(result.problems) == 1
    assert result.problems[0].line == 0


def test_too_many_rows(x: TouchPoint) -> None:
    lines = ["date,time,touch point,text"]
    lines += [f"2026-03-02,09:00,X @northwind,Post {i}" for i in range(MAX_ROWS + 1)]
    result = preview("\n".join(lines) + "\n", x)
    assert not result.ok
    assert problems(result) == [
        (
            MAX_ROWS + 2,
            "The file has 5,001 rows; a schedule file may hold up to 5,000. "
            "Split it and import the parts one after the other.",
        )
    ]
    assert len(result.rows) == MAX_ROWS


# ------------------------------------------------------------------ exports


def scheduled(tp: TouchPoint, when: datetime, text: str, **kwargs: object) -> ScheduledPost:
    values: dict[str, object] = {"status": PostStatus.SCHEDULED, "title": text[:10]}
    values.update(kwargs)
    return ScheduledPost(draft_id="d", touchpoint_id=tp.id, publish_at=when, text=text, **values)  # type: ignore[arg-type]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_hootsuite_layout_parses_back(x: TouchPoint) -> None:
    first = scheduled(x, datetime(2026, 11, 24, 8, 0, tzinfo=UTC), 'Cups, "blue" ones\nand green')
    second = scheduled(x, datetime(2026, 7, 1, 16, 30, tzinfo=UTC), "Summer")
    result = export_hootsuite_csv([first, second], {x.id: x}, now=NOW)
    assert read_csv(result.data) == [
        ["01/07/2026 18:30", "Summer", ""],  # no header; local Berlin time, summer
        ["24/11/2026 09:00", 'Cups, "blue" ones\nand green', ""],
    ]
    assert result.count == 2
    assert result.data.endswith(b"\r\n")
    assert not result.data.startswith(codecs.BOM_UTF8)
    assert [n.message for n in result.notes if n.post_id] == []


def test_hootsuite_month_first_dates(x: TouchPoint) -> None:
    post = scheduled(x, datetime(2026, 11, 24, 8, 0, tzinfo=UTC), "Hi")
    result = export_hootsuite_csv([post], {x.id: x}, now=NOW, day_first=False)
    assert read_csv(result.data) == [["11/24/2026 09:00", "Hi", ""]]


def test_hootsuite_rounds_up_to_five_minutes_and_leaves_out_what_it_cannot_take(x: TouchPoint) -> None:
    odd = scheduled(x, datetime(2026, 11, 24, 8, 12, 30, tzinfo=UTC), "Odd time", title="Odd")
    soon = scheduled(x, NOW + timedelta(minutes=3), "Too soon", title="Soon")
    planned = scheduled(
        x, datetime(2026, 11, 25, 8, tzinfo=UTC), "Planned", status=PostStatus.PLANNED, title="Plan"
    )
    cancelled = scheduled(x, datetime(2026, 11, 25, 8, tzinfo=UTC), "Gone", status=PostStatus.CANCELLED)
    result = export_hootsuite_csv([odd, soon, planned, cancelled], {x.id: x}, now=NOW)
    assert read_csv(result.data) == [["24/11/2026 09:15", "Odd time", ""]]
    notes = {n.post_id: n.message for n in result.notes}
    assert (
        notes[odd.id]
        == "'Odd' moves from 09:12 to 09:15 (Europe/Berlin): Hootsuite takes times in 5-minute steps."
    )
    assert "less than 10 minutes from now" in notes[soon.id]
    assert "not approved yet" in notes[planned.id]
    assert cancelled.id not in notes
    assert "Europe/Berlin" in notes[""]


def test_buffer_layout_parses_back(li: TouchPoint) -> None:
    post = scheduled(li, datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "Hello, LinkedIn\nsecond line")
    past = scheduled(li, NOW - timedelta(hours=1), "Old", title="Old")
    result = export_buffer_csv([post, past], {li.id: li}, now=NOW)
    rows = read_csv(result.data)
    assert rows[0] == list(BUFFER_HEADER) == ["Text", "Image URL", "Tags", "Posting Time"]
    assert rows[1:] == [["Hello, LinkedIn\nsecond line", "", "", "2026-11-24 09:05"]]  # New York time
    assert result.count == 1
    assert not result.data.startswith(codecs.BOM_UTF8)
    notes = {n.post_id: n.message for n in result.notes}
    assert "in the past" in notes[past.id]
    assert "America/New_York" in notes[""]


def test_exports_note_the_tools_upload_limits(x: TouchPoint) -> None:
    start = datetime(2026, 2, 1, 8, tzinfo=UTC)
    posts = [scheduled(x, start + timedelta(hours=i), f"Post {i}") for i in range(351)]
    buffer = export_buffer_csv(posts[:101], {x.id: x}, now=NOW)
    assert buffer.count == 101
    assert any("up to 100" in n.message for n in buffer.notes)
    assert not any("up to 100" in n.message for n in export_buffer_csv(posts[:100], {x.id: x}, now=NOW).notes)
    hootsuite = export_hootsuite_csv(posts, {x.id: x}, now=NOW)
    assert hootsuite.count == 351
    assert any("up to 350" in n.message for n in hootsuite.notes)


def test_exports_take_one_touch_point_at_a_time(x: TouchPoint, li: TouchPoint) -> None:
    posts = [
        scheduled(x, datetime(2026, 3, 2, 8, tzinfo=UTC), "a"),
        scheduled(li, datetime(2026, 3, 2, 8, tzinfo=UTC), "b"),
    ]
    for export in (export_buffer_csv, export_hootsuite_csv):
        with pytest.raises(CsvExportError) as info:
            export(posts, {x.id: x, li.id: li}, now=NOW)
        assert isinstance(info.value, CuratorError)
        assert "LinkedIn" in str(info.value) and "X @northwind" in str(info.value)
        assert "one touch point at a time" in str(info.value)


def test_exports_of_nothing(x: TouchPoint) -> None:
    assert export_hootsuite_csv([], {x.id: x}, now=NOW).data == b""
    assert read_csv(export_buffer_csv([], {x.id: x}, now=NOW).data) == [list(BUFFER_HEADER)]


def test_an_exported_schedule_reimports_at_the_same_times(x: TouchPoint) -> None:
    post = scheduled(x, datetime(2026, 3, 30, 7, 0, tzinfo=UTC), "Right after the change")
    row = read_csv(export_buffer_csv([post], {x.id: x}, now=NOW).data)[1]
    day, at = row[3].split(" ")
    back = preview(f"date,time,touch point,text\n{day},{at},{x.name},{row[0]}\n", x)
    assert back.ok
    assert back.rows[0].publish_at == post.publish_at
