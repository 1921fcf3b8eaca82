"""The listening service: sources in, items out, politely.

One pass of :meth:`IngestService.fetch` builds conditional requests for the
sources, fetches them concurrently (bounded per host), parses what changed,
turns entries into items, recognises stories already heard from another
source, and commits items and source health together. Results are committed
in batches, so one fsync serves many sources; a crash loses at most the
uncommitted batch, and those sources are simply fetched again (their
validators were not saved either).

Callers run it in a worker thread (the UI's task helper, or the CLI); it
reports through a :class:`~curator.progress.Progress`.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from curator import settings
from curator.domain import Channel, Item, Source, SourceKind, utcnow
from curator.errors import CuratorError
from curator.ingest.dedup import DuplicateIndex, canonical_url, content_hash, minhash_signature
from curator.ingest.discover import discover_feeds
from curator.ingest.fulltext import FullTextService
from curator.ingest.http import Fetcher, FetchLimits, FetchRequest, FetchResult, user_agent
from curator.ingest.mentions import ColumnMapping, load_mentions
from curator.ingest.opml import export_opml, import_opml
from curator.ingest.parse import ParsedEntry, parse_feed
from curator.ingest.robots import RobotsPolicy
from curator.progress import Progress
from curator.workspace import Workspace

MAX_INTERVAL = timedelta(hours=24)
PARSE_POOL_MIN_REQUESTS = 40  # below this, worker start-up costs more than it saves
FULL_TEXT_PER_PASS = 100  # articles fetched automatically per pass; the rest on demand
COMMIT_EVERY = 50  # sources per commit during a fetch pass
DEDUP_WINDOW = timedelta(days=30)


class SourceError(CuratorError):
    """A source cannot be added as asked."""


class NotAFeed(SourceError):
    """The address is a web page; ``candidates`` are the feeds it announces."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


@dataclass
class SourceReport:
    """What one source's fetch did."""

    source_id: str
    title: str
    new_items: int = 0
    updated_items: int = 0
    duplicates: int = 0
    not_modified: bool = False
    error: str = ""
    warning: str = ""
    new_item_ids: list[str] = field(default_factory=list)


@dataclass
class FetchSummary:
    """A whole pass, for the CLI's last line and the UI's status bar."""

    reports: list[SourceReport] = field(default_factory=list)
    full_texts: int = 0
    full_text_errors: list[str] = field(default_factory=list)

    @property
    def new_items(self) -> int:
        return sum(r.new_items for r in self.reports)

    @property
    def errors(self) -> list[SourceReport]:
        return [r for r in self.reports if r.error]

    def sentence(self) -> str:
        fetched = len(self.reports)
        unchanged = sum(r.not_modified for r in self.reports)
        text = f"Fetched {fetched} source{'s' * (fetched != 1)}: {self.new_items} new item" + "s" * (
            self.new_items != 1
        )
        if unchanged:
            text += f", {unchanged} unchanged"
        if self.errors:
            text += f", {len(self.errors)} with errors"
        if self.full_texts or self.full_text_errors:
            text += f"; full text of {self.full_texts} article" + "s" * (self.full_texts != 1)
            if self.full_text_errors:
                text += f" ({len(self.full_text_errors)} not fetched)"
        return text + "."


def item_id(source_id: str, key: str) -> str:
    """Stable id: the same entry fetched again is the same item (an update, not a copy)."""
    return hashlib.sha1(f"{source_id}\0{key}".encode(), usedforsecurity=False).hexdigest()[:32]


def next_fetch_time(
    source: Source, now: datetime, *, cache_lifetime: float | None, ttl_minutes: int | None
) -> datetime:
    """When to ask again after a successful fetch.

    The source's own interval, unless the server (Cache-Control/Expires) or
    the feed (``<ttl>``) asks us to wait longer; never more than a day.
    """
    wait = timedelta(minutes=source.fetch_interval_minutes)
    if cache_lifetime:
        wait = max(wait, timedelta(seconds=cache_lifetime))
    if ttl_minutes:
        wait = max(wait, timedelta(minutes=ttl_minutes))
    return now + min(wait, MAX_INTERVAL)


def backoff_time(source: Source, now: datetime, retry_after: datetime | None) -> datetime:
    """After an error: the server's Retry-After, else exponential back-off."""
    if retry_after is not None and retry_after > now:
        return min(retry_after, now + MAX_INTERVAL)
    factor: int = 2 ** min(max(source.consecutive_errors - 1, 0), 8)
    wait: timedelta = min(timedelta(minutes=source.fetch_interval_minutes) * factor, MAX_INTERVAL)
    return now + wait


@dataclass
class PreparedFeed:
    """A fetched body turned into items, ready for de-duplication and storage.

    Built by :func:`prepare_feed`, in a worker process during large passes
    (parsing is CPU work that would otherwise hold the GIL the UI needs).
    """

    title: str = ""
    warning: str = ""
    error: str = ""
    ttl_minutes: int | None = None
    items: list[Item] = field(default_factory=list)


def _item_from_entry(source_id: str, channel: Channel, entry: ParsedEntry, now: datetime) -> Item:
    canonical = canonical_url(entry.url) if entry.url else ""
    digest = content_hash(entry.title, entry.text)
    key = entry.guid or canonical or digest
    return Item(
        source_id=source_id,
        title=entry.title,
        text=entry.text,
        url=entry.url,
        html=entry.html,
        author=entry.author,
        channel=channel,
        published_at=entry.published_at,
        fetched_at=now,
        guid=entry.guid,
        canonical_url=canonical,
        content_hash=digest,
        minhash=minhash_signature(entry.text),
        id=item_id(source_id, key),
    )


def prepare_feed(
    body: bytes, url: str, headers: dict[str, str], source_id: str, channel: Channel, now: datetime
) -> PreparedFeed:
    """Parse a feed body and build its items (a pure function: safe in any process)."""
    parsed = parse_feed(body, url=url, headers=headers)
    if parsed.error:
        message = parsed.error
        if parsed.is_html:
            found = discover_feeds(body, url)
            if found:
                message = f"Not a feed but a web page; did you mean {found[0].url}?"
        return PreparedFeed(title=parsed.title, error=message)
    return PreparedFeed(
        title=parsed.title,
        warning=parsed.warning,
        ttl_minutes=parsed.ttl_minutes,
        items=[_item_from_entry(source_id, channel, entry, now) for entry in parsed.entries],
    )


def _lower_priority() -> None:
    """Parse workers yield the CPU to the app, so the window stays responsive on few cores."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


class IngestService:
    """Adds sources and fetches them into the workspace."""

    def __init__(
        self,
        ws: Workspace,
        *,
        fetcher: Fetcher | None = None,
        limits: FetchLimits | None = None,
        contact: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        parse_workers: int | None = None,
    ) -> None:
        """Set up the service.

        Args:
            ws: the open workspace.
            fetcher: a shared fetcher (default: one with ``limits`` and our User-Agent).
            limits: fetch limits when no fetcher is given.
            contact: e-mail or URL for the User-Agent; None reads the ``ingest.contact`` setting.
            clock: the time source (tests).
            parse_workers: worker processes for large passes; None picks by core
                count, 0 always parses in this process.
        """
        self.ws = ws
        if contact is None and fetcher is None:
            contact = str(settings.current("ingest.contact") or "")
        self.fetcher = fetcher or Fetcher(limits, user_agent(contact or ""))
        self.clock = clock
        self.parse_workers = parse_workers
        self._dedup: DuplicateIndex | None = None
        self._full_text: FullTextService | None = None

    # ---------------------------------------------------------------- sources
    def due_sources(self, now: datetime | None = None) -> list[Source]:
        now = now or self.clock()
        return [
            s
            for s in self.ws.sources.list()
            if s.kind == SourceKind.FEED and s.enabled and (s.next_fetch_at is None or s.next_fetch_at <= now)
        ]

    def add_source(
        self,
        url: str,
        *,
        title: str = "",
        channel: Channel | None = None,
        category: str = "",
        full_text: bool = False,
        fetch_interval_minutes: int | None = None,
        follow_discovery: bool = True,
    ) -> Source:
        """Add a feed by its address, or by a web page that announces one.

        The address is fetched once: a feed is added with its own title; a web
        page is searched for feed links, and the first one is added (or, with
        ``follow_discovery`` False, :class:`NotAFeed` lists them). Without an
        interval, the source gets the ``ingest.default_interval_minutes`` setting.
        """
        if fetch_interval_minutes is None:
            fetch_interval_minutes = int(settings.current("ingest.default_interval_minutes"))
        url = url.strip()
        for existing in self.ws.sources.list():
            if canonical_url(existing.url) == canonical_url(url):
                raise SourceError(f"{url} is already a source ('{existing.title}').")
        result = self.fetcher.fetch_one(FetchRequest(url))
        if result.error is not None:
            raise SourceError(f"Could not add {url}: {result.error}")
        parsed = parse_feed(result.body or b"", url=result.final_url, headers=result.headers)
        feed_url = result.permanent_redirect or result.final_url
        if parsed.error:
            candidates = (
                [f.url for f in discover_feeds(result.body or b"", result.final_url)]
                if parsed.is_html
                else []
            )
            if candidates and follow_discovery:
                return self.add_source(
                    candidates[0],
                    title=title,
                    channel=channel,
                    category=category,
                    full_text=full_text,
                    fetch_interval_minutes=fetch_interval_minutes,
                    follow_discovery=False,
                )
            if candidates:
                raise NotAFeed(
                    f"{url} is a web page, not a feed. It announces: {', '.join(candidates)}.", candidates
                )
            raise SourceError(f"{url} is not a feed: {parsed.error}")
        source = Source(
            title=title or parsed.title or feed_url,
            url=feed_url,
            channel=channel or Channel.NEWS,
            category=category,
            full_text=full_text,
            fetch_interval_minutes=fetch_interval_minutes,
            site_url=parsed.site_url,
        )
        # The first fetch already happened: use it, so the new source shows its
        # items at once; source and items land in one commit.
        with self.ws.transaction():
            self.ws.sources.save(source)
            self._process(source, result, self.clock())
        return self.ws.sources.get(source.id) or source

    def remove_source(self, source_id: str, *, delete_items: bool = True) -> int:
        """Remove a source (and by default its items); returns the items removed."""
        removed = 0
        with self.ws.transaction():
            if delete_items:
                for item in self.ws.items.list():
                    if item.source_id == source_id:
                        self.ws.items.remove(item.id)
                        removed += 1
            self.ws.sources.remove(source_id)
        self._dedup = None
        return removed

    def import_opml(self, data: bytes) -> tuple[list[Source], int]:
        """Add the feeds of an OPML file; returns (added, skipped as already present)."""
        known = {canonical_url(s.url) for s in self.ws.sources.list()}
        added: list[Source] = []
        skipped = 0
        for source in import_opml(data):
            key = canonical_url(source.url)
            if key in known:
                skipped += 1
                continue
            known.add(key)
            added.append(source)
        self.ws.sources.save_many(added)
        return added, skipped

    def export_opml(self) -> bytes:
        feeds = [s for s in self.ws.sources.list() if s.kind == SourceKind.FEED]
        return export_opml(feeds, title=f"{self.ws.name}: subscriptions")

    def import_mentions(
        self,
        data: bytes,
        filename: str,
        mapping: ColumnMapping,
        *,
        title: str = "",
        channel: Channel = Channel.OTHER,
    ) -> tuple[Source, int]:
        """Import a social-mentions export as one source; all rows or none.

        Importing the same file again updates the same items (stable ids).
        """
        source_title = title or f"Mentions: {filename}"
        source = next(
            (s for s in self.ws.sources.list() if s.kind == SourceKind.MENTIONS and s.title == source_title),
            None,
        ) or Source(title=source_title, url=f"file:{filename}", kind=SourceKind.MENTIONS, channel=channel)
        items = load_mentions(data, filename, mapping, source.id, channel)
        now = self.clock()
        dedup = self._dedup_index()
        with self.ws.transaction():
            known = self.ws.items.ids()
            for item in items:
                item.canonical_url = canonical_url(item.url) if item.url else ""
                item.content_hash = content_hash(item.title, item.text)
                item.minhash = minhash_signature(item.text)
                if item.id not in known:
                    item.duplicate_of = dedup.find(item)
                    dedup.add(item)
            new = sum(item.id not in known for item in items)
            source.item_count += new
            source.last_new_items = new
            source.last_fetch_at = now
            self.ws.sources.save(source)
            self.ws.items.save_many(items)
        return source, new

    # ------------------------------------------------------------------ fetch
    def fetch(
        self,
        source_ids: Iterable[str] | None = None,
        *,
        due_only: bool = False,
        progress: Progress | None = None,
    ) -> FetchSummary:
        """Fetch the named sources (default: all enabled feeds, or the due ones)."""
        now = self.clock()
        if source_ids is not None:
            wanted = set(source_ids)
            sources = [s for s in self.ws.sources.list() if s.id in wanted and s.kind == SourceKind.FEED]
        elif due_only:
            sources = self.due_sources(now)
        else:
            sources = [s for s in self.ws.sources.list() if s.kind == SourceKind.FEED and s.enabled]
        by_id = {s.id: s for s in sources}
        requests = [
            FetchRequest(s.url, etag=s.etag, last_modified=s.last_modified, key=s.id) for s in sources
        ]
        summary = FetchSummary()
        pending: list[tuple[FetchResult, PreparedFeed | None]] = []
        parsing: dict[Future[PreparedFeed], FetchResult] = {}
        if progress is not None:
            progress.start(len(requests), "Fetching sources")

        def flush() -> None:
            if not pending:
                return
            with self.ws.transaction():
                for result, prepared in pending:
                    source = by_id[result.request.key]
                    summary.reports.append(self._process(source, result, self.clock(), prepared))
            pending.clear()

        def collect(future: Future[PreparedFeed]) -> None:
            result = parsing.pop(future)
            try:
                prepared: PreparedFeed | None = future.result()
            except Exception:  # a dead worker: parse this one here instead
                prepared = None
            pending.append((result, prepared))

        def on_result(result: FetchResult) -> None:
            if pool is not None and result.error is None and not result.not_modified and result.body:
                source = by_id[result.request.key]
                job = pool.submit(
                    prepare_feed,
                    result.body,
                    result.final_url,
                    result.headers,
                    source.id,
                    source.channel,
                    now,
                )
                parsing[job] = result
            else:
                pending.append((result, None))
            for future in [f for f in parsing if f.done()]:
                collect(future)
            if len(pending) >= COMMIT_EVERY:
                flush()

        pool = self._parse_pool(len(requests))
        try:
            self.fetcher.fetch_all(requests, progress=progress, on_result=on_result)
            for future in as_completed(list(parsing)):
                collect(future)
                if len(pending) >= COMMIT_EVERY:
                    flush()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            flush()
        articles = [
            item_id
            for report in summary.reports
            if by_id[report.source_id].full_text
            for item_id in report.new_item_ids
        ]
        if articles and not (progress is not None and progress.cancelled):
            done, errors = self.fetch_full_text(articles[:FULL_TEXT_PER_PASS], progress=progress)
            summary.full_texts, summary.full_text_errors = done, errors
        return summary

    def fetch_full_text(
        self, item_ids: Iterable[str], *, progress: Progress | None = None
    ) -> tuple[int, list[str]]:
        """Fetch and store the article text of items (robots.txt respected, cached on disk).

        Pages are fetched one after another: several items of one site in a
        row must not hammer it, and its Crawl-delay is honoured.

        Returns:
            How many items got their text, and the sentences of those that did not.
        """
        items = [item for item in (self.ws.items.get(i) for i in item_ids) if item is not None and item.url]
        service = self._full_text_service()
        if progress is not None:
            progress.start(len(items), "Fetching full text")
        done = 0
        errors: list[str] = []
        for item in items:
            if progress is not None and progress.cancelled:
                break
            result = service.get(item.url)
            if result.ok:
                item.full_text = result.text
                self.ws.items.save(item)
                done += 1
            else:
                errors.append(f"{item.title or item.url}: {result.error}")
            if progress is not None:
                progress.advance(1)
        return done, errors

    def _full_text_service(self) -> FullTextService:
        if self._full_text is None:
            self._full_text = FullTextService(
                self.fetcher, RobotsPolicy(self.fetcher), self.ws.path / "cache" / "fulltext"
            )
        return self._full_text

    def _parse_pool(self, requests: int) -> ProcessPoolExecutor | None:
        """Worker processes for a large pass; small passes parse inline.

        Spawned, not forked: forking a process that runs Qt and threads is
        unsafe. Starting the workers costs about a second, worth it only when
        there is a lot to parse.
        """
        cores = os.cpu_count() or 1
        if self.parse_workers == 0 or requests < PARSE_POOL_MIN_REQUESTS or cores < 2:
            return None
        workers = self.parse_workers or min(cores, 4)
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority
        )

    # -------------------------------------------------------------- internals
    def _dedup_index(self) -> DuplicateIndex:
        if self._dedup is None:
            index = DuplicateIndex()
            horizon = self.clock() - DEDUP_WINDOW
            for item in self.ws.items.recent(limit=50_000):
                if item.when < horizon:
                    break
                index.add(item)
            self._dedup = index
        return self._dedup

    def _process(
        self, source: Source, result: FetchResult, now: datetime, prepared: PreparedFeed | None = None
    ) -> SourceReport:
        """Turn one fetch result into stored items and source health (inside a transaction)."""
        source = self.ws.sources.get(source.id) or source  # another process may have changed it
        report = SourceReport(source.id, source.title)
        source.last_fetch_at = now
        source.last_status = result.status
        if result.error is not None:
            return self._failed(source, result, result.error, now, report)
        if result.permanent_redirect:
            source.url = result.permanent_redirect
        source.etag = result.etag or ("" if not result.not_modified else source.etag)
        source.last_modified = result.last_modified or (
            "" if not result.not_modified else source.last_modified
        )
        if result.not_modified:
            report.not_modified = True
            self._succeeded(source, now, result.cache_lifetime, None)
            self.ws.sources.save(source)
            return report
        if prepared is None:
            prepared = prepare_feed(
                result.body or b"", result.final_url, result.headers, source.id, source.channel, now
            )
        if prepared.error:
            return self._failed(source, result, SourceError(prepared.error), now, report)
        new_ids, updated, dupes = self._store_entries(prepared.items)
        new = len(new_ids)
        report.new_items, report.updated_items, report.duplicates = new, updated, dupes
        report.new_item_ids = new_ids
        source.item_count += new
        source.last_new_items = new
        source.last_warning = prepared.warning
        report.warning = prepared.warning
        if not source.title or source.title == source.url:
            source.title = prepared.title or source.title
        self._succeeded(source, now, result.cache_lifetime, prepared.ttl_minutes)
        self.ws.sources.save(source)
        return report

    def _succeeded(
        self, source: Source, now: datetime, cache_lifetime: float | None, ttl: int | None
    ) -> None:
        source.last_error = ""
        source.error_since = None
        source.consecutive_errors = 0
        source.next_fetch_at = next_fetch_time(source, now, cache_lifetime=cache_lifetime, ttl_minutes=ttl)

    def _failed(
        self, source: Source, result: FetchResult, error: CuratorError, now: datetime, report: SourceReport
    ) -> SourceReport:
        source.consecutive_errors += 1
        source.error_since = source.error_since or now
        source.last_error = str(error)
        source.next_fetch_at = backoff_time(source, now, result.retry_after)
        self.ws.sources.save(source)
        report.error = str(error)
        return report

    def _store_entries(self, items: list[Item]) -> tuple[list[str], int, int]:
        dedup = self._dedup_index()
        new: list[str] = []
        updated = dupes = 0
        fresh: list[Item] = []
        for item in items:
            old = self.ws.items.get(item.id)
            if old is not None:
                if old.content_hash == item.content_hash and old.title == item.title:
                    continue  # unchanged: no write
                fresh.append(
                    replace(
                        old,
                        title=item.title,
                        text=item.text,
                        html=item.html,
                        url=item.url,
                        canonical_url=item.canonical_url,
                        content_hash=item.content_hash,
                        minhash=item.minhash,
                        author=item.author or old.author,
                        published_at=item.published_at or old.published_at,
                    )
                )
                updated += 1
                continue
            item.duplicate_of = dedup.find(item)
            dupes += item.duplicate_of is not None
            dedup.add(item)
            fresh.append(item)
            new.append(item.id)
        if fresh:
            self.ws.items.save_many(fresh)
        return new, updated, dupes
