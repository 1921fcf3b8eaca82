"""The background jobs of the Sources page: everything that touches the network, files or the store.

Each function here runs in a :class:`~ui.tasks.TaskRunner` worker: it gets
the task's :class:`~curator.progress.Progress` first, never touches a
widget, and returns plain values (or raises a core error whose sentence the
page shows as it is). Keeping them together, away from the widgets, makes
it plain which code may block.

The ingest service is imported inside the jobs, not at the top: it pulls in
the feed, HTTP and near-duplicate libraries, which the window does not need
in order to start.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.domain import Channel, Source, SourceKind
from curator.errors import CuratorError
from curator.progress import Progress

if TYPE_CHECKING:
    from curator.ingest.mentions import ColumnMapping, MentionPreview
    from curator.ingest.service import FetchSummary, IngestService

#: How many good rows the mentions preview shows.
PREVIEW_ROWS = 50
#: How often a job waiting for its turn checks for Cancel, in seconds.
_WAIT_POLL_S = 0.05


class IngestGate:
    """The open workspace's one :class:`IngestService`, used by one writing job at a time.

    The service caches an index of recent items to recognise duplicates;
    that index is not safe to change from two threads, and the page may
    well run two jobs at once (the add dialog beside a fetch). Writing jobs
    therefore take turns through :meth:`exclusive`; a job waiting for its
    turn still honours Cancel. One service per workspace (rather than one
    per job) keeps the index warm between fetches.
    """

    def __init__(self, workspace: Any, contact: str | None = None) -> None:
        """Prepare the gate; the service itself is created by the first job that needs it.

        Args:
            workspace: the open workspace.
            contact: the e-mail or URL sent in the User-Agent; None reads the
                ``ingest.contact`` setting (a file read, hence in the worker).
        """
        self.workspace = workspace
        self._contact = contact
        self._turn = threading.Lock()
        self._create = threading.Lock()
        self._service: IngestService | None = None

    def service(self) -> IngestService:
        """The service, created on first use (call from a worker: it reads the settings)."""
        with self._create:
            if self._service is None:
                from curator.ingest.service import IngestService

                contact = self._contact
                if contact is None:
                    from curator.settings import Settings

                    contact = str(Settings().get("ingest.contact") or "")
                self._service = IngestService(self.workspace, contact=contact)
            return self._service

    @contextmanager
    def exclusive(self, progress: Progress) -> Iterator[IngestService]:
        """Wait for the other writing jobs to finish, then hand over the service.

        Raises:
            Cancelled: the user cancelled while the job waited.
        """
        announced = False
        while not self._turn.acquire(timeout=_WAIT_POLL_S):
            if not announced:
                progress.start(None, "Waiting for another source job to finish")
                announced = True
            progress.check_cancelled()
        try:
            yield self.service()
        finally:
            self._turn.release()


# ------------------------------------------------------------------ fetching
@dataclass(frozen=True)
class FetchOutcome:
    """What a fetch pass did, and whether the user stopped it early."""

    summary: FetchSummary
    cancelled: bool
    requested: int

    def sentence(self) -> str:
        """The line the page shows once the pass ends."""
        if self.requested == 0:
            return "Nothing to fetch: every feed is paused, and imported mentions are not fetched."
        if self.cancelled:
            done, new = len(self.summary.reports), self.summary.new_items
            kept = f"{new:,} new item{'' if new == 1 else 's'} kept"
            return f"Fetch cancelled after {done:,} of {self.requested:,} sources; {kept}."
        return self.summary.sentence()


def fetch_due_sources(progress: Progress, gate: IngestGate) -> FetchOutcome | None:
    """Fetch the sources whose interval has passed (the app's automatic polling); None when none is due."""
    from curator.settings import Settings

    if not Settings().get("ingest.auto_fetch"):
        return None
    with gate.exclusive(progress) as service:
        due = [source.id for source in service.due_sources()]
        if not due:
            return None
        progress.start(len(due), "Fetching due sources")
        summary = service.fetch(due, progress=progress)
        return FetchOutcome(summary, progress.cancelled, len(due))


def fetch_sources(progress: Progress, gate: IngestGate, source_ids: Sequence[str] | None) -> FetchOutcome:
    """Fetch the named sources now (all enabled feeds when None), committing as results arrive."""
    with gate.exclusive(progress) as service:
        if source_ids is not None:
            wanted = set(source_ids)
            requested = sum(
                1 for s in gate.workspace.sources.list() if s.id in wanted and s.kind == SourceKind.FEED
            )
        else:
            requested = sum(
                1 for s in gate.workspace.sources.list() if s.kind == SourceKind.FEED and s.enabled
            )
        progress.start(requested, "Fetching sources")
        if requested == 0:
            from curator.ingest.service import FetchSummary

            return FetchOutcome(FetchSummary(), False, 0)
        summary = service.fetch(source_ids, progress=progress)
        return FetchOutcome(summary, progress.cancelled, requested)


def fetch_full_text(progress: Progress, gate: IngestGate, item_ids: Sequence[str]) -> str:
    """Fetch the article text of the chosen items (robots.txt respected); returns the sentence to show."""
    with gate.exclusive(progress) as service:
        done, errors = service.fetch_full_text(item_ids, progress=progress)
    text = f"Full text fetched for {done:,} of {len(item_ids):,} item{'' if len(item_ids) == 1 else 's'}."
    if errors:
        text += f" Not fetched: {errors[0]}" + (f" (and {len(errors) - 1:,} more)" if len(errors) > 1 else "")
    return text


# ------------------------------------------------------------ adding, editing
@dataclass(frozen=True)
class NewSource:
    """What the add dialog asks for."""

    url: str
    title: str = ""
    channel: Channel = Channel.NEWS
    category: str = ""
    full_text: bool = False
    fetch_interval_minutes: int = 60


def add_source(progress: Progress, gate: IngestGate, request: NewSource) -> Source:
    """Add a feed by its address, fetching it once so it arrives with its items.

    A web page that announces exactly one feed adds that feed; one that
    announces several raises :class:`NotAFeed` so the dialog can offer the
    choice instead of guessing.
    """
    from curator.ingest.service import NotAFeed

    with gate.exclusive(progress) as service:
        progress.start(None, f"Checking {request.url}")
        options: dict[str, Any] = {
            "title": request.title,
            "channel": request.channel,
            "category": request.category,
            "full_text": request.full_text,
            "fetch_interval_minutes": request.fetch_interval_minutes,
            "follow_discovery": False,
        }
        try:
            return service.add_source(request.url, **options)
        except NotAFeed as exc:
            if len(exc.candidates) != 1:
                raise
            return service.add_source(exc.candidates[0], **options)


def save_source_changes(
    progress: Progress, workspace: Any, source_id: str, changes: dict[str, Any]
) -> Source:
    """Apply the edit dialog's fields to the stored source, keeping its fetch state.

    The source is read again inside the transaction: a fetch may have
    updated its health since the dialog opened, and saving the dialog's
    old copy would undo that.
    """
    progress.start(None, "Saving source")
    with workspace.transaction():
        current = workspace.sources.get(source_id)
        if current is None:
            raise CuratorError("This source was removed meanwhile, so the changes were not saved.")
        updated: Source = dataclasses.replace(current, **changes)
        workspace.sources.save(updated)
    return updated


def remove_sources(progress: Progress, gate: IngestGate, source_ids: Sequence[str]) -> int:
    """Remove sources with their items; returns how many items went with them."""
    with gate.exclusive(progress) as service:
        progress.start(len(source_ids), "Removing sources")
        removed = 0
        for source_id in source_ids:
            removed += service.remove_source(source_id)
            progress.advance()
        return removed


# ---------------------------------------------------------------------- OPML
def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CuratorError(f"Could not read {path}: {exc.strerror or exc}.") from exc


def import_opml_file(progress: Progress, gate: IngestGate, path: Path) -> tuple[list[Source], int]:
    """Add the feeds listed in an OPML file; returns (added, skipped as already present)."""
    progress.start(None, f"Importing {path.name}")
    data = _read(path)
    with gate.exclusive(progress) as service:
        return service.import_opml(data)


def export_opml_file(progress: Progress, gate: IngestGate, path: Path) -> int:
    """Write the workspace's feeds to an OPML file (atomically); returns how many were written."""
    from curator.store.files import atomic_write

    progress.start(None, f"Exporting {path.name}")
    data = gate.service().export_opml()
    count = sum(1 for source in gate.workspace.sources.list() if source.kind == SourceKind.FEED)
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise CuratorError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    return count


# ------------------------------------------------------------------ mentions
@dataclass
class MentionFile:
    """A mentions export read for the import dialog: its bytes, columns and first preview."""

    path: Path
    data: bytes
    columns: list[str]
    mapping: ColumnMapping | None
    preview: MentionPreview | None
    #: Why no mapping could be guessed (the user then picks the text column).
    problem: str = ""


def read_mentions_file(progress: Progress, path: Path) -> MentionFile:
    """Read an export, guess its column mapping and preview the first rows.

    Raises:
        MentionImportError: the file is not a table Curator can read.
    """
    from curator.ingest.mentions import MentionImportError, guess_mapping, preview, read_table

    progress.start(None, f"Reading {path.name}")
    data = _read(path)
    table = read_table(data, path.name)
    try:
        mapping: ColumnMapping | None = guess_mapping(table.columns)
    except MentionImportError as exc:
        return MentionFile(path, data, table.columns, None, None, str(exc))
    progress.check_cancelled()
    return MentionFile(path, data, table.columns, mapping, preview(data, path.name, mapping, PREVIEW_ROWS))


def preview_mentions(
    progress: Progress, data: bytes, filename: str, mapping: ColumnMapping
) -> MentionPreview:
    """Preview the export again with another mapping (every row is checked)."""
    from curator.ingest.mentions import preview

    progress.start(None, "Checking the rows")
    return preview(data, filename, mapping, PREVIEW_ROWS)


def import_mentions_file(
    progress: Progress,
    gate: IngestGate,
    data: bytes,
    filename: str,
    mapping: ColumnMapping,
    title: str,
    channel: Channel,
) -> tuple[Source, int]:
    """Import every row of the export as one source (all or nothing); returns (source, new items)."""
    with gate.exclusive(progress) as service:
        progress.start(None, f"Importing {filename}")
        return service.import_mentions(data, filename, mapping, title=title, channel=channel)
