"""``curator report`` from a terminal: the summary, JSON, HTML, and a PDF written without a display."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import orjson
import pypdf
import pytest

from tests.conftest import REPO_ROOT
from tests.core.test_reports_measures import build_fixture


def _curator(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curator", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_fixture(tmp_path_factory.mktemp("cli") / "ws"))


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


HEADLINE = (
    "In 2026-W47 (week 47, 16–22 Nov 2026) customers sent 6 items through 4 channels: "
    "200% more than the week before (2)."
)
BETTER = "Conversations were resolved faster: a median of 2 h, down from 10 h."


def test_the_summary_is_printed(ws: str) -> None:
    done = _curator("--workspace", ws, "report", "--period", "2026-W47", "--timezone", "Europe/Berlin")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Council report, week 47, 16–22 Nov 2026"
    assert HEADLINE in lines and BETTER in lines
    assert "2 drafts await approval." in lines


def test_html_and_pdf_without_a_display(ws: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    html, pdf = tmp_path / "council.html", tmp_path / "council.pdf"
    done = _curator(
        "--workspace",
        ws,
        "report",
        "--period",
        "2026-W47",
        "--timezone",
        "Europe/Berlin",
        "--html",
        str(html),
        "--pdf",
        str(pdf),
        env=env,
    )
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(pdf)
    assert done.stdout.splitlines() == [
        f"Wrote the HTML report for 2026-W47 to {html}.",
        f"Wrote the PDF report for 2026-W47 to {pdf} ({len(reader.pages)} pages).",
    ]
    assert len(reader.pages) >= 2
    first = _words(reader.pages[0].extract_text())
    assert HEADLINE in first and BETTER in first
    page = html.read_text(encoding="utf-8")
    assert HEADLINE in page and BETTER in page
    assert not re.search(r"https?://|src=", page)
    assert page.count("<svg") >= 5


def test_json(ws: str) -> None:
    done = _curator(
        "--workspace", ws, "report", "--period", "2026-11", "--timezone", "Europe/Berlin", "--json"
    )
    assert done.returncode == 0, done.stderr
    data = orjson.loads(done.stdout)
    assert data["period"]["label"] == "2026-11" and data["previous"]["label"] == "2026-10"
    assert data["measures"]["current"]["items"] == 9  # i1-i7, p1, p2
    assert data["measures"]["previous"]["items"] == 0


def test_one_touch_point(ws: str) -> None:
    done = _curator(
        "--workspace",
        ws,
        "report",
        "--period",
        "2026-W47",
        "--timezone",
        "Europe/Berlin",
        "--touchpoint",
        "x",
    )
    assert done.returncode == 0, done.stderr
    assert "customers on X sent 3 items" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-W99"], "'2026-W99' is not a week"),
        (["--period", "next week"], "is not a period"),
        (["--timezone", "Mars/Olympus"], "Unknown time zone 'Mars/Olympus'"),
        (["--touchpoint", "tiktok"], "no touch point or channel called 'tiktok'"),
    ],
)
def test_mistakes_are_sentences(ws: str, args: list[str], message: str) -> None:
    done = _curator("--workspace", ws, "report", *args)
    assert done.returncode == 1
    assert done.stderr.startswith("curator: ") and message in done.stderr
    assert "Traceback" not in done.stderr
