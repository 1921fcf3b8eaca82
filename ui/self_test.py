"""``curator-app --self-test``: start the real app on a throwaway demo workspace and check it.

A frozen bundle fails in ways a source checkout never does: a Qt plugin, an
icon, the language model or a package's metadata left out of the build. The
self-test walks the paths a user's first start takes (create the demo
workspace, open the window, show a page, load the trained spaCy model, read
the shipped files, start a worker process) and prints one line per check, so
``make dist`` and CI can tell a working bundle from a broken one by its exit
code, and a person can read why.

Nothing of the user's is touched: settings and data go to a temporary folder
(``CURATOR_CONFIG_DIR`` and ``CURATOR_DATA_DIR``, see :mod:`curator.paths`)
that is deleted afterwards. Without a display the offscreen Qt platform is
used, so the test also runs on a headless build machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: When this module was imported: the self-test's start, after Python and Qt loaded.
_IMPORTED_AT = time.perf_counter()

#: Seconds a check may wait before it counts as failed (a cold disk can be slow).
TIMEOUT_S = 120.0

#: Parsed by the trained English model; a blank pipeline finds no entity in it.
SENTENCE = "Tim Cook said Apple will open a new store in London next March."


#: Names a PNG file to save the painted window to (for a build's artefacts, or a look).
SCREENSHOT_VARIABLE = "CURATOR_SELF_TEST_SCREENSHOT"


class CheckFailed(Exception):
    """A check did not pass; the message says what was expected and what happened."""


@dataclass
class Result:
    """The outcome of one check, as printed in the report."""

    name: str
    ok: bool
    detail: str


def seconds_since_process_start() -> float | None:
    """How long this process has existed, from the kernel's record (Linux only).

    Measured from the kernel's start time rather than from an import, so the
    figure includes the interpreter, the bundle's loader and the Qt import.
    """
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def _isolated(base: Path) -> Iterator[None]:
    """Point settings and data at ``base``, and pick a platform that needs no display.

    The variables are restored afterwards, so a test (or any caller) that runs
    the self-test inside its own process gets its environment back.
    """
    names = ("CURATOR_CONFIG_DIR", "CURATOR_DATA_DIR", "QT_QPA_PLATFORM")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["CURATOR_CONFIG_DIR"] = str(base / "config")
    os.environ["CURATOR_DATA_DIR"] = str(base / "data")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and headless and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _wait_until(predicate: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    """Run the event loop until ``predicate`` holds once; raise CheckFailed after ``timeout_s``.

    What counts is that the predicate held at some moment: the loop may handle
    a few more events after it is told to quit (a refresh timer starting a
    new task, say), so the predicate is not asked again afterwards.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    held = False

    def check() -> None:
        nonlocal held
        if predicate():
            held = True
            loop.quit()
        elif time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not held:
        raise CheckFailed(f"Gave up after {timeout_s:.0f} s waiting for {what}.")


def _run_task(runner: Any, fn: Callable[..., Any], description: str) -> Any:
    """Run ``fn`` on the app's TaskRunner (never on the UI thread) and wait for its outcome."""
    outcome: list[tuple[bool, Any]] = []
    runner.run(
        fn,
        on_result=lambda value: outcome.append((True, value)),
        on_error=lambda exc: outcome.append((False, exc)),
    )
    _wait_until(lambda: bool(outcome), description)
    ok, value = outcome[0]
    if not ok:
        reason = "".join(traceback.format_exception_only(type(value), value)).strip()
        raise CheckFailed(f"{description} raised {reason}")
    return value


# ------------------------------------------------------------------ workers
def _language_check(_progress: Any) -> str:
    """Load the pipeline the app uses and find entities with it (runs on a worker thread)."""
    from curator.nlp.pipeline import load_pipeline

    started = time.perf_counter()
    loaded = load_pipeline()
    if loaded.is_blank:
        raise CheckFailed(f"Only the blank fallback pipeline loaded: {loaded.warning}")
    doc = loaded.nlp(SENTENCE)
    entities = [f"{ent.text} ({ent.label_})" for ent in doc.ents]
    if not entities:
        raise CheckFailed(f"The model {loaded.name} {loaded.version} found no entity in {SENTENCE!r}.")
    elapsed = time.perf_counter() - started
    return f"{loaded.name} {loaded.version} loaded and found {', '.join(entities)} in {elapsed:.2f} s"


def _worker_process_check(_progress: Any) -> str:
    """Start one spawned worker process, as the ingest service does for large passes."""
    import multiprocessing

    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pid = pool.submit(os.getpid).result(timeout=TIMEOUT_S)
    if pid == os.getpid():
        raise CheckFailed("The worker ran inside the app's own process.")
    return f"a spawned worker process answered in {time.perf_counter() - started:.2f} s"


# -------------------------------------------------------------------- checks
def _check_assets() -> str:
    """Every shipped icon renders and the demo data parses (through the one asset helper)."""
    import orjson

    from curator.assets import asset
    from ui.assets import icon
    from ui.main_window import NAV_ENTRIES

    names = sorted(
        {entry.icon for entry in NAV_ENTRIES}
        | {"curator"}
        | {ref.name.removesuffix(".svg") for ref in asset("icons").iterdir() if ref.name.endswith(".svg")}
    )
    blank = [name for name in names if icon(name).pixmap(32, 32).isNull()]
    if blank:
        raise CheckFailed(f"These icons did not render: {', '.join(blank)}.")
    demo = orjson.loads(asset("demo", "demo.json").read_bytes())
    if not isinstance(demo, dict) or not demo.get("sources") or not demo.get("items"):
        raise CheckFailed("The demo data demo.json has no sources or items.")
    themes = asset("themes")
    styles = [ref for ref in themes.iterdir() if ref.name.endswith(".qss")] if themes.is_dir() else []
    empty = [ref.name for ref in styles if not ref.read_text(encoding="utf-8").strip()]
    if empty:
        raise CheckFailed(f"These themes are empty: {', '.join(empty)}.")
    return (
        f"{len(names)} icons render, demo.json has {len(demo['sources'])} sources and "
        f"{len(demo['items'])} items, {len(styles)} themes"
    )


class _Session:
    """The window under test, and when it first painted a workspace page."""

    def __init__(self, base: Path) -> None:
        from PySide6.QtCore import QEvent, QObject, QThreadPool

        from curator.settings import Settings
        from ui.app import application
        from ui.main_window import MainWindow
        from ui.tasks import TaskRunner

        # The application as the app makes it: identity, icon, and the theme's style sheet.
        self.app = application(Settings().get("ui.theme"))
        self.window = MainWindow()
        # The self-test's own work gets its own pool, so it does not queue behind
        # the views' loading tasks (which the "tasks" check waits for separately).
        self._pool = QThreadPool()
        self.runner = TaskRunner(pool=self._pool)
        self.base = base
        self.opened: list[Any] = []
        self.failed: list[str] = []
        self.painted_at: float | None = None
        self.painted_age: float | None = None
        session = self

        class PaintWatcher(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if session.opened and session.painted_at is None and event.type() == QEvent.Type.Paint:
                    session.painted_at = time.perf_counter()
                    session.painted_age = seconds_since_process_start()
                return False

        self._watcher = PaintWatcher()
        for view in self.window.views.values():
            view.installEventFilter(self._watcher)
        self.window.workspace_opened.connect(self.opened.append)
        self.window.workspace_open_failed.connect(self.failed.append)
        # The UI's one error channel: a view's loading task that fails shows in
        # the status bar, so a bundle missing a library still paints a window.
        self.task_errors: list[str] = []
        self.window.runner.task_failed.connect(
            lambda handle, exc: self.task_errors.append(_describe(handle.description, exc))
        )

    def check_window(self) -> str:
        """Create and open the demo workspace, show the window, wait for a painted page."""
        window = self.window
        window.open_workspace(self.base / "workspace", create_demo=True)
        window.show()
        _wait_until(lambda: bool(self.opened or self.failed), "the demo workspace to open")
        if self.failed:
            raise CheckFailed(f"The demo workspace could not be opened: {self.failed[0]}")
        shown = {window.views[key]: key for key in ("sources", "hot_issues")}
        page = window.pages.currentWidget()
        if page is None or page not in shown:
            found = page.objectName() if page is not None else "no page"
            raise CheckFailed(f"Expected the Sources or Hot issues page, found {found!r}.")
        _wait_until(lambda: self.painted_at is not None, "the window to paint")
        image = window.grab()
        if image.isNull():
            raise CheckFailed("The window painted but grabbing it gave an empty image.")
        screenshot = os.environ.get(SCREENSHOT_VARIABLE)
        if screenshot and not image.save(screenshot):
            raise CheckFailed(f"The window's picture could not be saved to {screenshot}.")
        assert self.painted_at is not None
        since_app = self.painted_at - _IMPORTED_AT
        since_process = f"{self.painted_age:.2f} s after the process started, " if self.painted_age else ""
        workspace = self.opened[0]
        return (
            f"painted {since_process}{since_app:.2f} s after the self-test began; "
            f"page {shown[page]}, workspace '{workspace.name}' with {workspace.sources.count()} sources"
        )

    def check_tasks(self) -> str:
        """Wait for the views' own background work to settle; none of it may have failed."""
        runner = self.window.runner
        _wait_until(lambda: not runner.active_tasks, "the views' background tasks to finish")
        if self.task_errors:
            raise CheckFailed(
                f"{len(self.task_errors)} background tasks failed, first: {self.task_errors[0]}"
            )
        return "the views' background tasks finished without an error"

    def close(self) -> None:
        """Close the window (which cancels its tasks and closes the workspace)."""
        self.window.close()
        self.window.runner.wait_for_done(10_000)
        self.runner.shutdown(10_000)
        self.window.deleteLater()


def _describe(description: str, exc: BaseException) -> str:
    """One line for a failed task: what it did, the error, and the error that caused it."""

    def line(error: BaseException) -> str:
        text = next((part.strip() for part in str(error).splitlines() if part.strip()), "")
        return f"{type(error).__name__}: {text}" if text else type(error).__name__

    cause = f" (caused by {line(exc.__cause__)})" if exc.__cause__ is not None else ""
    return f"{description or 'a background task'}: {line(exc)}{cause}"


def _attempt(results: list[Result], name: str, check: Callable[[], str]) -> None:
    started = time.perf_counter()
    try:
        result = Result(name, True, check())
    except CheckFailed as exc:
        result = Result(name, False, str(exc))
    except Exception as exc:  # a bug or a missing file in the bundle: report it, keep checking
        text = "".join(traceback.format_exception(exc)).strip()
        result = Result(name, False, f"{type(exc).__name__}: {exc}\n{text}")
    result.detail += f" [{time.perf_counter() - started:.2f} s]"
    results.append(result)


def run_self_test(out: Callable[[str], None] = print) -> int:
    """Run every check, print the report with ``out``, and return the exit code (0: all passed)."""
    from curator import __version__

    started = time.perf_counter()
    frozen = "frozen" if getattr(sys, "frozen", False) else "source"
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="curator-self-test-") as tmp, _isolated(Path(tmp)):
        session: _Session | None = None
        try:
            session = _Session(Path(tmp))
        except Exception as exc:
            results.append(Result("window", False, f"The window could not be built: {exc!r}"))
        platform = os.environ.get("QT_QPA_PLATFORM", "default")
        out(f"Curator {__version__} self-test ({frozen} build, Qt platform {platform})")
        if session is not None:
            _attempt(results, "window", session.check_window)
            runner = session.runner
            _attempt(results, "assets", _check_assets)
            _attempt(results, "language", lambda: _run_task(runner, _language_check, "loading the model"))
            _attempt(
                results,
                "workers",
                lambda: _run_task(runner, _worker_process_check, "starting a worker process"),
            )
            _attempt(results, "tasks", session.check_tasks)
            session.close()
    for result in results:
        out(f"{'ok  ' if result.ok else 'FAIL'} {result.name:<9} {result.detail}")
    failed = [result.name for result in results if not result.ok]
    elapsed = time.perf_counter() - started
    if failed:
        out(f"Self-test failed ({', '.join(failed)}) after {elapsed:.1f} s.")
        return 1
    out(f"Self-test passed in {elapsed:.1f} s.")
    return 0
