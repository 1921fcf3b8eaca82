"""Import of social-listening exports: reading, mapping, preview, all-or-nothing load."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from curator.domain import Channel
from curator.ingest import mentions
from curator.ingest.dedup import canonical_url, content_hash, decode_minhash
from curator.ingest.mentions import (
    MAX_FILE_BYTES,
    ColumnMapping,
    MentionImportError,
    RowError,
    guess_mapping,
    load_mentions,
    normalise_channel,
    parse_mapping_arg,
    parse_reach,
    parse_time,
    preview,
    read_table,
)

LONG_TEXT = "Three days without internet and support keeps telling me an engineer is on the way, nobody came"


# ------------------------------------------------------------------ mapping


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        pytest.param(
            # Brandwatch-like: report columns, "Full Text", "Page Type", "Twitter Followers"
            [
                "Query Id",
                "Query Name",
                "Date",
                "Title",
                "Url",
                "Domain",
                "Sentiment",
                "Page Type",
                "Author",
                "Full Text",
                "Twitter Followers",
                "Thread URL",
            ],
            ColumnMapping(
                text="Full Text",
                channel="Page Type",
                author="Author",
                author_reach="Twitter Followers",
                url="Url",
                time="Date",
                title="Title",
            ),
            id="brandwatch",
        ),
        pytest.param(
            # Talkwalker-like: lower-case, underscores, dotted nested author fields
            [
                "url",
                "indexed",
                "published",
                "title",
                "content",
                "lang",
                "source_type",
                "extra_author_attributes.name",
                "reach",
                "engagement",
            ],
            ColumnMapping(
                text="content",
                channel="source_type",
                author="extra_author_attributes.name",
                author_reach="reach",
                url="url",
                time="published",
                title="title",
            ),
            id="talkwalker",
        ),
        pytest.param(
            # Hootsuite-like: "Post Link" must be the URL, not the text
            ["Date (GMT)", "Network", "Post Link", "Author", "Followers", "Message", "Sentiment"],
            ColumnMapping(
                text="Message",
                channel="Network",
                author="Author",
                author_reach="Followers",
                url="Post Link",
                time="Date (GMT)",
            ),
            id="hootsuite",
        ),
        pytest.param(
            ["created_at", "screen_name", "tweet", "followers_count", "permalink"],
            ColumnMapping(
                text="tweet",
                author="screen_name",
                author_reach="followers_count",
                url="permalink",
                time="created_at",
            ),
            id="twitter-api-like",
        ),
    ],
)
def test_guess_mapping(columns: list[str], expected: ColumnMapping) -> None:
    assert guess_mapping(columns) == expected


def test_guess_mapping_without_text_column_says_what_to_do() -> None:
    with pytest.raises(MentionImportError, match=r"text=Message"):
        guess_mapping(["Date", "Author", "Likes"])


def test_parse_mapping_arg() -> None:
    mapping = parse_mapping_arg("text=Message, author=User ,time=Date,Reach=Followers count,channel=Network")
    assert mapping == ColumnMapping(
        text="Message", author="User", time="Date", author_reach="Followers count", channel="Network"
    )
    assert parse_mapping_arg(str(mapping)) == mapping  # the shown form can be pasted back
    with pytest.raises(
        MentionImportError, match=r"'colour' in the column mapping is not a field.*text, channel"
    ):
        parse_mapping_arg("text=Message,colour=Red")
    with pytest.raises(MentionImportError, match="must name the text column"):
        parse_mapping_arg("author=User")
    with pytest.raises(MentionImportError, match="not field=Column"):
        parse_mapping_arg("text=Message,author")
    with pytest.raises(MentionImportError, match="twice"):
        parse_mapping_arg("text=Message,text=Body")


# ------------------------------------------------------------------ reading


def test_csv_with_bom_semicolons_and_quoted_newlines() -> None:
    data = (
        "\ufeffDatum;Autor;Nachricht;Netzwerk\r\n"
        '05.03.2024 14:22;Hans;"Guten Tag; der Router\r\nist wieder aus";Facebook\r\n'
        '06.03.2024 09:00;Eva;"Sie sagte ""nie wieder""";IG\r\n'
    ).encode()
    table = read_table(data, "export.csv")
    assert table.columns == ["Datum", "Autor", "Nachricht", "Netzwerk"]  # no BOM in the first name
    assert table.delimiter == ";"
    assert table.lines == [2, 4]  # the quoted newline makes row 1 span lines 2-3
    items = load_mentions(
        data, "export.csv", parse_mapping_arg("text=Nachricht,author=Autor,time=Datum,channel=Netzwerk"), "s"
    )
    assert [i.text for i in items] == ["Guten Tag; der Router\r\nist wieder aus", 'Sie sagte "nie wieder"']
    assert [i.channel for i in items] == [Channel.FACEBOOK, Channel.INSTAGRAM]
    assert items[0].published_at == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)


def test_cp1252_file_is_read() -> None:
    data = "Date,User,Text\n2024-03-05,Zoë,Café “too loud” – 5€ for a coffee\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "old-excel.csv")
    assert table.encoding == "windows-1252"
    (item,) = load_mentions(data, "old-excel.csv", None, "s")
    assert item.text == "Café “too loud” – 5€ for a coffee"
    assert item.author == "Zoë"


def test_utf16_tab_separated_export() -> None:
    data = "Date\tAuthor\tMessage\n2024-03-05 14:22\tana\tCoverage is gone in Porto\n".encode("utf-16")
    table = read_table(data, "unicode.txt")
    assert (table.encoding, table.delimiter, table.columns) == ("utf-16", "\t", ["Date", "Author", "Message"])
    (item,) = load_mentions(data, "unicode.txt", None, "s")
    assert item.author == "ana"


def test_report_lines_above_the_header_are_skipped() -> None:
    data = (
        b"Acme mentions report\n"
        b"Query: acme OR @acme, 2024-03-01 to 2024-03-07\n"
        b"\n"
        b"Date,Author,Full Text,Page Type\n"
        b'2024-03-05,a,"Hello, Acme",twitter\n'
    )
    table = read_table(data, "report.csv")
    assert table.columns == ["Date", "Author", "Full Text", "Page Type"]
    assert table.lines == [5]


def test_json_list_wrapped_json_and_json_lines() -> None:
    records = [
        {"text": "First mention", "user": {"name": "ann", "followers": 1200}, "platform": "twitter"},
        {"text": "Second mention", "user": {"name": "bob", "followers": None}, "platform": "Reddit"},
    ]
    listed = read_table(json.dumps(records).encode(), "m.json")
    assert listed.columns == ["text", "user.name", "user.followers", "platform"]
    assert listed.label == "Item" and listed.lines == [1, 2]
    wrapped = json.dumps({"meta": {"count": 2}, "data": {"mentions": records}}).encode()
    mapping = guess_mapping(read_table(wrapped, "m.json").columns)
    assert mapping == ColumnMapping(
        text="text", author="user.name", author_reach="user.followers", channel="platform"
    )
    items = load_mentions(wrapped, "m.json", mapping, "s")
    assert [(i.author, i.author_reach, i.channel) for i in items] == [
        ("ann", 1200, Channel.X),
        ("bob", None, Channel.REDDIT),
    ]
    jsonl = "\n".join(json.dumps(r) for r in records).encode()
    assert [i.text for i in load_mentions(jsonl, "m.jsonl", mapping, "s")] == [
        "First mention",
        "Second mention",
    ]
    # JSON Lines under a .json name is recognised as well.
    assert len(load_mentions(jsonl, "m.json", mapping, "s")) == 2


def test_unreadable_files_are_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MentionImportError, match=r"not valid \(line 1, column 11: Expecting value\)"):
        read_table(b'[{"text": }]', "m.json")
    with pytest.raises(MentionImportError, match="no list of mentions"):
        read_table(b'{"status": "ok"}', "m.json")
    with pytest.raises(MentionImportError, match="spreadsheet workbook"):
        read_table(b"PK\x03\x04rest-of-a-zip", "mentions.xlsx")
    with pytest.raises(MentionImportError, match="holds no rows"):
        read_table(b"\n\n", "empty.csv")
    with pytest.raises(MentionImportError, match="holds no mentions"):
        read_table(b'{"data": []}', "empty.json")
    assert MAX_FILE_BYTES == 50 * 1024 * 1024
    monkeypatch.setattr(mentions, "MAX_FILE_BYTES", 1024)
    with pytest.raises(
        MentionImportError, match=r"The file is 0\.0 MB; Curator imports exports of up to 0 MB"
    ):
        read_table(b"text\n" + b"x" * 2000, "big.csv")


# ------------------------------------------------------------ cell values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Twitter", Channel.X),
        ("X", Channel.X),
        ("twitter.com", Channel.X),
        ("https://x.com/acme/status/1", Channel.X),
        ("FB", Channel.FACEBOOK),
        ("https://m.facebook.com/acme", Channel.FACEBOOK),
        ("IG", Channel.INSTAGRAM),
        ("Trustpilot", Channel.REVIEW),
        ("uk.trustpilot.com", Channel.REVIEW),
        ("review", Channel.REVIEW),
        ("Google Reviews", Channel.REVIEW),
        ("SOCIALMEDIA_YOUTUBE", Channel.YOUTUBE),
        ("ONLINENEWS_NEWSPAPER", Channel.NEWS),
        ("LinkedIn", Channel.LINKEDIN),
        ("forums", Channel.FORUM),
        ("TikTok", Channel.OTHER),
        ("", Channel.BLOG),  # empty: the import's default channel
    ],
)
def test_normalise_channel(value: str, expected: Channel) -> None:
    assert normalise_channel(value, default=Channel.BLOG) == expected


def test_parse_time() -> None:
    assert parse_time("2024-03-05") == datetime(2024, 3, 5, tzinfo=UTC)  # ISO is never day first
    assert parse_time("2024-03-05 14:22") == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)  # naive: UTC
    assert parse_time("05/03/2024 14:22") == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)
    assert parse_time("05/03/2024 14:22", dayfirst=False) == datetime(2024, 5, 3, 14, 22, tzinfo=UTC)
    assert parse_time("2024-03-05T14:22:00+01:00") == datetime(2024, 3, 5, 13, 22, tzinfo=UTC)
    assert parse_time("Tue, 05 Mar 2024 14:22:00 GMT") == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)
    assert parse_time("Mar 5, 2024 2:22 PM -0500") == datetime(2024, 3, 5, 19, 22, tzinfo=UTC)
    assert parse_time("1709648520") == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)
    assert parse_time("1709648520000") == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)
    assert parse_time("  ") is None
    result = parse_time("2024-03-05T14:22:00-05:00")
    assert result is not None and result.tzinfo is UTC
    with pytest.raises(ValueError, match=r"the time '31/31/2024' is not a date"):
        parse_time("31/31/2024")
    with pytest.raises(ValueError, match="has no year"):
        parse_time("14:22")
    with pytest.raises(ValueError, match=r"'CST'.*offset such as"):
        parse_time("2024-03-05 14:22 CST")
    assert parse_time("2024-03-05 14:22 +0130") == datetime(
        2024, 3, 5, 14, 22, tzinfo=timezone(timedelta(hours=1, minutes=30))
    )


def test_parse_reach() -> None:
    assert [parse_reach(v) for v in ("1234", "1,234", "1.234", "1 234", "12.5K", "1.2M", "1234.0", "0")] == [
        1234,
        1234,
        1234,
        1234,
        12500,
        1200000,
        1234,
        0,
    ]
    assert parse_reach("") is None and parse_reach("n/a") is None and parse_reach("-") is None
    with pytest.raises(ValueError, match="negative"):
        parse_reach("-5")
    with pytest.raises(ValueError, match="not a number"):
        parse_reach("lots")


# ---------------------------------------------------------- preview and load

BROKEN = (
    b"Date,Author,Message,Followers,Network\n"  # 1
    b"2024-03-05 14:22,ann,Router down again,120,Twitter\n"  # 2
    b"2024-03-05 15:00,bob,Fine now,12,FB\n"  # 3
    b"31/31/2024,cat,Wrong date,5,IG\n"  # 4
    b"2024-03-06 09:00,dan,,7,X\n"  # 5
    b"2024-03-06 10:00,eve,Too many,1,X,extra\n"  # 6
    b"2024-03-06 11:00,fay,Negative reach,-3,Trustpilot\n"  # 7
    b'2024-03-06 12:00,gus,"Never closed,1,X\n'  # 8
    b"2024-03-06 13:00,hal,Swallowed by the quote,1,X\n"  # 9
)


def test_preview_lists_rows_and_every_error_with_line_numbers() -> None:
    shown = preview(BROKEN, "broken.csv", limit=1)
    assert shown.columns == ["Date", "Author", "Message", "Followers", "Network"]
    assert shown.total_rows == 7
    assert [i.text for i in shown.rows] == ["Router down again"]  # limit 1
    assert shown.mapping.text == "Message"
    assert [(e.line, e.message) for e in shown.errors] == [
        (4, "the time '31/31/2024' is not a date"),
        (5, "the text is empty"),
        (6, "the row has 6 fields but the header has 5; a comma inside an unquoted field, or a missing one?"),
        (7, "the reach '-3' is negative"),
        (
            8,
            "a quoted field opens here and is never closed, so the rest of the file (to line 9) "
            "cannot be read",
        ),
    ]
    full = preview(BROKEN, "broken.csv", limit=20)
    assert [i.author for i in full.rows] == ["ann", "bob"]
    assert full.rows[0].channel == Channel.X and full.rows[1].channel == Channel.FACEBOOK


def test_broken_file_imports_nothing_and_names_the_lines() -> None:
    with pytest.raises(MentionImportError) as info:
        load_mentions(BROKEN, "broken.csv", None, "source-1")
    message = str(info.value)
    assert message.startswith(
        "Line 4: the time '31/31/2024' is not a date. Line 5: the text is empty. Line 6: the row has 6 fields"
    )
    assert message.endswith("Nothing was imported; fix the file or the column mapping.")
    assert [e.line for e in info.value.errors] == [4, 5, 6, 7, 8]
    assert all(isinstance(e, RowError) for e in info.value.errors)


def test_a_short_file_with_an_unquoted_comma_keeps_its_header() -> None:
    with pytest.raises(
        MentionImportError, match=r"^Line 2: the row has 3 fields but the header has 2"
    ) as info:
        load_mentions(b"Text,Date\nHello, Acme,2024-03-05\n", "m.csv", None, "s")
    assert [e.line for e in info.value.errors] == [2]


def test_many_errors_are_summarised_in_the_message() -> None:
    data = ("Text,Date\n" + "".join(f"row {i},not a date {i}\n" for i in range(9))).encode()
    with pytest.raises(
        MentionImportError, match=r"Line 6: .*\(4 more problems not listed here\.\) Nothing"
    ) as info:
        load_mentions(data, "m.csv", None, "s")
    assert len(info.value.errors) == 9


def test_unknown_channel_is_other_and_empty_channel_takes_the_default() -> None:
    data = b"text,network\nHello from TikTok,TikTok\nHello from nowhere,\n"
    items = load_mentions(data, "m.csv", None, "s", Channel.FORUM)
    assert [i.channel for i in items] == [Channel.OTHER, Channel.FORUM]


def test_mapping_naming_a_missing_column() -> None:
    data = b"Message,User\nhello,ann\n"
    shown = preview(data, "m.csv", parse_mapping_arg("text=Message,author=Username"))
    assert shown.rows == []
    assert [str(e) for e in shown.errors] == [
        "There is no column 'Username' for the author; the columns are: Message, User."
    ]
    # Column names are matched ignoring case and punctuation when that is unambiguous.
    (item,) = load_mentions(data, "m.csv", parse_mapping_arg("text=message,author=USER"), "s")
    assert item.author == "ann"


def test_importing_twice_gives_the_same_ids() -> None:
    data = (
        "Date,Author,Message,Link\n"
        f'2024-03-05 14:22,ann,"{LONG_TEXT}",https://x.com/ann/status/1?utm_source=export\n'
        "2024-03-05 15:00,bob,No link on this one,\n"
        "2024-03-05 16:00,cat,First comment under the brand post,https://facebook.com/acme/posts/9\n"
        "2024-03-05 16:05,dan,Second comment under the brand post,https://facebook.com/acme/posts/9\n"
        "2024-03-05 15:00,bob,No link on this one,\n"  # the same row twice: imported once
    ).encode()
    mapping = guess_mapping(read_table(data, "m.csv").columns)
    first = load_mentions(data, "m.csv", mapping, "source-1")
    second = load_mentions(data, "m.csv", mapping, "source-1")
    assert [i.id for i in first] == [i.id for i in second]
    assert len({i.id for i in first}) == len(first) == 4
    other_source = load_mentions(data, "m.csv", mapping, "source-2")
    assert not {i.id for i in first} & {i.id for i in other_source}
    # The same post re-exported with its tracking parameters stripped keeps its id.
    tidier = data.replace(b"?utm_source=export", b"")
    assert load_mentions(tidier, "m.csv", mapping, "source-1")[0].id == first[0].id


def test_items_carry_fingerprints_for_deduplication() -> None:
    data = f'Message,Link,Date\n"{LONG_TEXT}",https://Example.com/a/?fbclid=1,2024-03-05\n'.encode()
    (item,) = load_mentions(data, "m.csv", None, "s")
    assert item.canonical_url == canonical_url(item.url) == "https://example.com/a"
    assert item.content_hash == content_hash("", LONG_TEXT)
    assert len(decode_minhash(item.minhash)) == 64
    assert item.published_at == datetime(2024, 3, 5, tzinfo=UTC)
    assert item.source_id == "s" and item.title == ""
