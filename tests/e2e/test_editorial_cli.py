"""The editorial line and the calendar from a terminal, as a team runs them (real processes).

A draft goes from review to approval (acting as the demo's members, which the
demo workspace allows), onto the calendar, and out through the outbox and the
static feed with ``publish-due``; the audit log stays whole; exports parse.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import feedparser
import icalendar
import orjson

from tests.conftest import REPO_ROOT


def _curator(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curator", "--workspace", str(ws), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_review_approve_schedule_publish_from_the_command_line(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    _ok(
        subprocess.run(
            [sys.executable, "-m", "curator", "init", str(ws), "--demo"], capture_output=True, text=True
        )
    )
    drafts = orjson.loads(_ok(_curator(ws, "drafts", "list", "--json")))
    fixing = next(d for d in drafts if d["title"].startswith("We're fixing the app"))
    assert fixing["status"] == "in_review"

    # A scheduler may not approve; the approver may; the workflow says what is next.
    refused = _curator(ws, "--as", "tom", "drafts", "approve", fixing["id"])
    assert refused.returncode == 1 and "approver role" in refused.stderr
    assert "is now approved" in _ok(_curator(ws, "--as", "henrike", "drafts", "approve", fixing["id"][:8]))
    early = _curator(ws, "--as", "tom", "schedule", "add", "Winter Ember is back", "instagram")
    assert early.returncode == 1 and "only approved content can be scheduled" in early.stderr

    out = _ok(
        _curator(ws, "--as", "tom", "schedule", "add", fixing["id"], "blog", "--at", "2026-01-05 08:00")
    )
    assert "Northwind Journal" in out and "is in the past" in out  # warned, not refused
    _ok(_curator(ws, "--as", "tom", "schedule", "add", fixing["id"], "facebook", "--at", "2026-01-05 12:30"))
    future = _ok(_curator(ws, "--as", "tom", "schedule", "add", fixing["id"], "newsletter"))
    assert "Thu" in future  # the newsletter's Thursday slot

    # Only the two due posts go out; the newsletter waits for its slot.
    report = _ok(_curator(ws, "publish-due"))
    assert report.startswith("Due posts: 2 published, 0 failed.")
    outbox = list((ws / "outbox" / "facebook").glob("*.json"))
    assert len(outbox) == 1
    sent = orjson.loads(outbox[0].read_bytes())
    assert sent["title"] == fixing["title"] and "5.2.1" in sent["text"]
    feed = feedparser.parse((ws / "site" / "journal" / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries[0].title == fixing["title"]
    # A second run publishes nothing twice.
    assert _ok(_curator(ws, "publish-due")).startswith("Due posts: 0 published, 0 failed.")
    assert len(list((ws / "outbox" / "facebook").glob("*.json"))) == 1

    history = _ok(_curator(ws, "drafts", "show", fixing["id"], "--history"))
    assert "approve:Chief content officer" in history and "schedule" in history
    assert "The audit log is whole" in _ok(
        _curator(ws, "drafts", "audit", "--csv", str(tmp_path / "audit.csv"))
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "audit.csv").read_text(encoding="utf-8"))))
    assert rows[-1]["subject_id"] == fixing["id"] and rows[-1]["hash"]

    _ok(_curator(ws, "export-ics", str(tmp_path / "live.ics"), "--live"))
    _ok(_curator(ws, "--as", "tom", "schedule", "move", future.split("(post ")[1][:8], "2030-01-03 07:30"))
    live = icalendar.Calendar.from_ical((tmp_path / "live.ics").read_bytes())
    assert any(
        int(e["SEQUENCE"]) == 1 and "2030" in e["DTSTART"].to_ical().decode() for e in live.walk("VEVENT")
    )
    _ok(_curator(ws, "export-ics", str(tmp_path / "cal.ics")))
    cal = icalendar.Calendar.from_ical((tmp_path / "cal.ics").read_bytes())
    events = [e for e in cal.walk("VEVENT") if fixing["title"] in str(e["SUMMARY"])]
    assert len(events) == 3 and {str(e["STATUS"]) for e in events} == {"CONFIRMED"}
    _ok(
        _curator(
            ws, "export-csv", str(tmp_path / "buffer.csv"), "--layout", "buffer", "--touchpoint", "instagram"
        )
    )
    header = (tmp_path / "buffer.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "Text,Image URL,Tags,Posting Time"


def test_a_changed_audit_log_fails_the_check(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    _ok(
        subprocess.run(
            [sys.executable, "-m", "curator", "init", str(ws), "--demo"], capture_output=True, text=True
        )
    )
    _ok(_curator(ws, "info"))  # closes cleanly: everything is checkpointed into the table files
    part = next(p for p in (ws / "db" / "audit").glob("*.json") if p.name != "index.json")
    part.write_text(part.read_text(encoding="utf-8").replace('"submit"', '"archive"', 1), encoding="utf-8")
    done = _curator(ws, "drafts", "audit")
    assert done.returncode == 1 and "was changed after it was written" in done.stderr


def test_a_bad_csv_schedule_imports_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    _ok(
        subprocess.run(
            [sys.executable, "-m", "curator", "init", str(ws), "--demo"], capture_output=True, text=True
        )
    )
    sheet = tmp_path / "plan.csv"
    sheet.write_text(
        "date,time,touch point,text\n2030-03-02,09:00,X @northwindcoffee,Spring blend is here\n"
        "2030-03-03,25:00,X @northwindcoffee,Bad hour\n2030-03-04,09:00,TikTok,Unknown place\n",
        encoding="utf-8",
    )
    done = _curator(ws, "--as", "lukas", "schedule", "import", str(sheet))
    assert done.returncode == 1
    assert "Line 3" in done.stderr and "Line 4" in done.stderr and "Nothing imported" in done.stderr
    assert "Spring blend" not in _ok(_curator(ws, "schedule", "list", "--all"))
    sheet.write_text(
        "date,time,touch point,text\n2030-03-02,09:00,X @northwindcoffee,Spring blend\n", encoding="utf-8"
    )
    assert "Imported 1 planned posts" in _ok(_curator(ws, "--as", "lukas", "schedule", "import", str(sheet)))
    assert "planned" in _ok(_curator(ws, "schedule", "list"))


def test_team_and_approval_steps_from_the_command_line(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    _ok(
        subprocess.run(
            [sys.executable, "-m", "curator", "init", str(ws), "--demo"], capture_output=True, text=True
        )
    )
    refused = _curator(ws, "--as", "maya", "team", "add", "Lena Legal", "--roles", "approver")
    assert refused.returncode == 1 and "admin" in refused.stderr
    _ok(_curator(ws, "team", "add", "Lena Legal", "--roles", "approver", "--login", "lena"))
    steps = _ok(_curator(ws, "drafts", "steps", "--set", "Legal:approver:lena", "Chief content officer"))
    assert steps.startswith("1. Legal (Lena Legal)\n2. Chief content officer (any approver)")
    out = _ok(_curator(ws, "--as", "lena", "drafts", "approve", "Your Beans are safe"))
    assert "still waiting for: Chief content officer" in out
    assert "is now approved" in _ok(
        _curator(ws, "--as", "henrike", "drafts", "approve", "Your Beans are safe")
    )
    _ok(_curator(ws, "team", "config", "--allow-switch", "no"))
    blocked = _curator(ws, "--as", "henrike", "drafts", "approve", "We're fixing the app")
    assert blocked.returncode == 1 and "does not allow acting as another member" in blocked.stderr
    assert "Lena Legal" in _ok(_curator(ws, "team", "list"))


def test_the_brand_guide_from_the_command_line_drives_the_checks(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    _ok(
        subprocess.run(
            [sys.executable, "-m", "curator", "init", str(ws), "--demo"], capture_output=True, text=True
        )
    )
    refused = _curator(ws, "--as", "maya", "brand", "ban", "sorry")
    assert refused.returncode == 1 and "admin" in refused.stderr
    _ok(_curator(ws, "brand", "ban", "sorry", "--use", "we apologise", "--reason", "Say it fully"))
    checks = _ok(_curator(ws, "drafts", "show", "We're fixing the app", "--checks"))
    assert "“sorry” is on the brand guide's list of banned terms" in checks and "blocking approval" in checks
    bad = _curator(ws, "brand", "set", "--min-sentiment", "3")
    assert bad.returncode == 1 and "Tone bounds go from -1" in bad.stderr
    assert "sorry → we apologise" in _ok(_curator(ws, "brand", "show"))
